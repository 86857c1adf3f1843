"""
A small parameter sweep
=======================

:func:`eikura.sweep` runs the model at every point of a grid, classifies each run (here
with two starts per point), puts the mean-field theory's label beside it and returns an
``xarray.Dataset``. ``scheduler="serial"`` runs in this process; the default starts a
local Dask cluster, and ``store="name.zarr"`` makes the sweep resumable.

The grid is tiny (5 × 3 points of 2000 oscillators, short runs) so that the page builds
in seconds; :doc:`/sweeps` shows a 41 × 41 grid.
"""

import numpy as np

import eikura as ek
from eikura.sweep import plot_sweep

model = ek.EIKuramoto(n_e=1600, n_i=400, k_ei=1.0, k_ie=12.0,
                      frequencies=ek.Lorentzian(center=0.0, width=1.0, regular=True))
ds = ek.sweep(model, over={"k_ee": np.linspace(3.0, 6.2, 5), "k_ii": [1.0, 2.0, 3.0]},
              t_max=100.0, dt=0.05, seed=1, two_start=True, transient=30.0,
              scheduler="serial", progress=False)

# %%
# One dimension per swept field, plus ``replicate``. ``label`` is the simulation's
# state, ``theory_label`` the theory's; the classifier's evidence and summaries of
# ``r`` come with them.
print(ds["label"].sel(replicate=0).to_pandas())
agree = (ds["label"] == ds["theory_label"]).mean().item()
print(f"simulation and theory agree at {agree:.0%} of the points")

# %%
# Close to the boundaries a finite network is harder to call: its incoherent state
# fluctuates strongly, and a run from random phases may escape it. With other seeds or
# shorter runs some points near the bistable region come out ``"other"``; :doc:`/sweeps`
# and :doc:`/science` measure how often, and how larger networks and longer runs help.

# %%
# :func:`eikura.sweep.plot_sweep` draws the simulated labels next to the theory's, with
# the theory's boundaries on both panels.
figure = plot_sweep(ds)
