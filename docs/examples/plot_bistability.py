"""
Bistability: two starts, two fates
==================================

In the bistable region the same network has two stable states: incoherence and a
synchronized state. Which one a run ends in depends on where it starts. The *two-start
protocol* runs the model once from random phases and once from synchronized phases, with
the same seed (so the same frequencies and network), and calls the point bistable when
the first run stays low and the second stays high.
"""

import matplotlib.pyplot as plt

import eikura as ek

model = ek.EIKuramoto(
    n_e=1600, n_i=400, k_ee=4.6, k_ei=1.0, k_ie=12.0, k_ii=2.0,
    frequencies=ek.Lorentzian(center=0.0, width=1.0, regular=True),
)
from_random = ek.simulate(model, t_max=100.0, dt=0.05, initial="random", seed=1)
from_sync = ek.simulate(model, t_max=100.0, dt=0.05, initial="sync", seed=1)

# %%
# A pair of runs is classified with the two-start protocol. The result carries the
# evidence: the levels, the thresholds (which scale with ``N``) and each run's own label.
both = ek.classify((from_random, from_sync))
print(both.label, "-", both.reason)
print("thresholds (low, high):", tuple(round(x, 3) for x in both.thresholds))
print("from random phases:", both.from_incoherent.label,
      "| from synchronized phases:", both.from_synchronized.label)

# %%
# The mean-field theory agrees: at these couplings incoherence and an in-phase state are
# both stable (an unstable in-phase state lies between them).
for state in ek.theory.steady_states(4.6, 1.0, 12.0, 2.0):
    print(f"{state.kind:>10}: r_E = {state.r_e:.3f}, r_I = {state.r_i:.3f}, stable = {state.stable}")

fig, ax = plt.subplots(figsize=(7, 3.2))
ax.plot(from_sync.t, from_sync.r, label="from synchronized phases")
ax.plot(from_random.t, from_random.r, label="from random phases")
low, high = both.thresholds
ax.axhspan(low, high, color="0.9", label="between the thresholds")
ax.set_xlabel("time")
ax.set_ylabel("$r$")
ax.set_ylim(0, 1)
ax.legend(fontsize=9)
fig.tight_layout()
