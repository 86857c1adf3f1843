"""
A sparse random network
=======================

Every oscillator of a :class:`eikura.FixedInDegree` network receives exactly ``k_e``
excitatory and ``k_i`` inhibitory inputs, drawn at random from the seed. With the
default in-degree normalisation each input counts ``1/k``, so the sparse network has the
same mean-field limit as the all-to-all one; here 100 inputs per oscillator out of
10 000 (1 %) already give nearly the all-to-all order parameters.
"""

import matplotlib.pyplot as plt

import eikura as ek

couplings = dict(k_ee=6.0, k_ei=1.0, k_ie=12.0, k_ii=2.0)
frequencies = ek.Lorentzian(center=0.0, width=1.0, regular=True)
dense = ek.EIKuramoto(n_e=8_000, n_i=2_000, **couplings, frequencies=frequencies)
sparse = dense.with_changes(network=ek.FixedInDegree(k_e=80, k_i=20))

# %%
# :func:`eikura.estimate_memory` says what a run needs before anything is allocated:
# 4 bytes per edge for the stored network.
need = ek.estimate_memory(sparse, n_steps=400, record_every=10, snapshot_every=0)
print(f"network: {need['network'] / 1e6:.1f} MB for {sparse.n * 100:,} edges")

runs = {"all-to-all": ek.simulate(dense, t_max=20.0, dt=0.05, initial="sync", seed=2),
        "fixed in-degree, 80 E + 20 I inputs": ek.simulate(sparse, t_max=20.0, dt=0.05,
                                                           initial="sync", seed=2)}
for name, run in runs.items():
    late = run.t > 10
    print(f"{name:>36}: r_E = {run.r_e[late].mean():.3f}, r_I = {run.r_i[late].mean():.3f}, "
          f"{run.wall_time:.2f} s")

fig, ax = plt.subplots(figsize=(7, 3.2))
for (name, run), style in zip(runs.items(), ("-", "--"), strict=True):
    ax.plot(run.t, run.r_e, "C0" + style, label=f"$r_E$, {name}")
    ax.plot(run.t, run.r_i, "C1" + style, label=f"$r_I$, {name}")
ax.set_xlabel("time")
ax.set_ylabel("order parameter")
ax.set_ylim(0, 1)
ax.legend(fontsize=8, loc="lower right")
fig.tight_layout()
