"""
Saving, loading and resuming a run
==================================

:meth:`eikura.Run.save` writes a run to NetCDF with its configuration, seed, model and
eikura version, a checksum on every array and a digest of all of them;
:func:`eikura.load` checks all of that and gives the run back.
:meth:`eikura.Run.to_xarray` gives the recordings as a labelled dataset.
A run that saves checkpoints can be continued later with :func:`eikura.resume`, and the
continuation equals the uninterrupted run bit for bit.
"""

import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import eikura as ek

folder = Path(tempfile.mkdtemp())
model = ek.EIKuramoto(n_e=1600, n_i=400, k_ee=5.0, k_ei=1.0, k_ie=12.0, k_ii=2.0,
                      noise=0.2)
run = ek.simulate(model, t_max=40.0, dt=0.05, seed=7)
path = run.save(folder / "run.nc")
again = ek.load(path)
print("same recordings:", np.array_equal(again.z, run.z),
      "| same model:", again.model.fingerprint() == run.model.fingerprint())
print("seed", again.seed, "| eikura", again.version, "| method", again.config["run"]["method"])

# %%
# The same data as an ``xarray.Dataset``: the recordings along ``time``, the final
# phases and natural frequencies along ``oscillator``, the configuration in the
# attributes.
ds = again.to_xarray()
print(ds)

# %%
# Checkpoints: the first half of a longer run, then the rest from the file. Noise is
# drawn from counter-based streams, so the continued run takes exactly the same kicks.
checkpoint = folder / "run.ckpt.nc"
first_half = ek.simulate(model, t_max=20.0, dt=0.05, seed=7, checkpoint=checkpoint)
continued = ek.resume(checkpoint, t_max=40.0)
print("resumed run equals the uninterrupted one:", np.array_equal(continued.z, run.z))

fig, ax = plt.subplots(figsize=(7, 3))
ax.plot(ds["time"], ds["r"], color="black", lw=1, label="saved and loaded run")
ax.plot(continued.t[continued.t >= 20], continued.r[continued.t >= 20], "C3--",
        label="resumed from the checkpoint at t = 20")
ax.axvline(20.0, color="0.6", lw=0.8)
ax.set_xlabel("time")
ax.set_ylabel("$r$")
ax.legend(fontsize=9)
fig.tight_layout()
