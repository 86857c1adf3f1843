"""
The three states in time
========================

Three networks of ``N = 2000`` oscillators (1600 excitatory, 400 inhibitory) that differ
only in the excitatory-to-excitatory strength ``K_EE``. With ``K_EI = 1``, ``K_IE = 12``,
``K_II = 2`` and Lorentzian frequencies of half-width 1, the mean-field theory puts
``K_EE = 3`` in the desynchronized region, ``K_EE = 4.6`` in the bistable one and
``K_EE = 6`` in the synchronized one.

All three runs start from random phases, so the bistable network stays near incoherence
here; :doc:`plot_bistability` starts it a second time from synchronized phases.
"""

import matplotlib.pyplot as plt

import eikura as ek

# %%
# One model, three values of ``K_EE``. ``regular=True`` places the natural frequencies
# at the quantiles of the Lorentzian, so the only randomness left is the initial phases.
base = ek.EIKuramoto(
    n_e=1600, n_i=400,
    k_ee=3.0, k_ei=1.0, k_ie=12.0, k_ii=2.0,          # K_post,pre
    frequencies=ek.Lorentzian(center=0.0, width=1.0, regular=True),
)
runs = {k_ee: ek.simulate(base.with_changes(k_ee=k_ee), t_max=100.0, dt=0.05, seed=1)
        for k_ee in (3.0, 4.6, 6.0)}

# %%
# Each run records the complex mean fields every ``record_every`` steps (10 by default);
# ``r_e``, ``r_i`` and ``r`` are their moduli. The classifier reads ``r`` after a transient.
fig, axes = plt.subplots(3, 1, figsize=(7, 6), sharex=True, sharey=True)
for ax, (k_ee, run) in zip(axes, runs.items(), strict=True):
    ax.plot(run.t, run.r_e, label="$r_E$")
    ax.plot(run.t, run.r_i, label="$r_I$")
    ax.plot(run.t, run.r, color="black", lw=1, label="$r$")
    ax.set_title(f"K_EE = {k_ee}: simulation '{ek.classify(run).label}', "
                 f"theory '{ek.theory.classify(k_ee, 1.0, 12.0, 2.0)}'", fontsize=10)
    ax.set_ylabel("order parameter")
axes[0].legend(loc="upper left", ncol=3, fontsize=9)
axes[-1].set_xlabel("time")
axes[-1].set_ylim(0, 1)
fig.tight_layout()

# %%
# The synchronized run settles on the mean-field level. The theory's stable in-phase
# state for comparison:
state = next(s for s in ek.theory.steady_states(6.0, 1.0, 12.0, 2.0) if s.stable and s.r_e > 0)
print(f"theory:     r_E = {state.r_e:.3f}, r_I = {state.r_i:.3f}")
late = runs[6.0].t > 50
print(f"simulation: r_E = {runs[6.0].r_e[late].mean():.3f}, r_I = {runs[6.0].r_i[late].mean():.3f}")
