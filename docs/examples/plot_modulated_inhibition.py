"""
Slowly modulated inhibition
===========================

Couplings may change in time. Here both inhibitory strengths, ``K_EI`` and ``K_II``, are
scaled by the same slow sinusoid ``s(t)`` that runs from 0.4 to 1.6 and back over one
period. :class:`eikura.Sinusoid` schedules are evaluated inside the integrator at every
stage time, so a modulated run costs no more than a constant one.

The background shows the theory's label at the instantaneous couplings: as inhibition
grows the network passes from the synchronized region through the bistable one into
the desynchronized one, and back.
"""

import matplotlib.pyplot as plt
import numpy as np

import eikura as ek

period = 400.0
phase = -np.pi / 2            # start at the minimum, the weakest inhibition
k_ee, k_ie = 4.6, 12.0
k_ei = ek.Sinusoid(mean=1.0, amplitude=0.6, period=period, phase=phase)
k_ii = ek.Sinusoid(mean=2.0, amplitude=1.2, period=period, phase=phase)
model = ek.EIKuramoto(n_e=1600, n_i=400, k_ee=k_ee, k_ei=k_ei, k_ie=k_ie, k_ii=k_ii,
                      frequencies=ek.Lorentzian(center=0.0, width=1.0, regular=True))
run = ek.simulate(model, t_max=period, dt=0.1, initial="sync", seed=1)

# %%
# The schedules are plain callables too, so the theory can be asked about the couplings
# at any time.
times = np.linspace(0.0, period, 121)
labels = [ek.theory.classify(k_ee, k_ei(t), k_ie, k_ii(t)) for t in times]
lost = run.t[np.argmax(run.r_e < 0.2)]
regained = run.t[run.t > lost][np.argmax(run.r_e[run.t > lost] > 0.2)]
print(f"synchronization lost at t = {lost:.0f} (s = {k_ii(lost) / 2:.2f}), "
      f"regained at t = {regained:.0f} (s = {k_ii(regained) / 2:.2f})")

fig, (top, bottom) = plt.subplots(2, 1, figsize=(7, 4.6), sharex=True,
                                  gridspec_kw={"height_ratios": [3, 1]})
step = times[1] - times[0]
for t, label in zip(times, labels, strict=True):
    top.axvspan(t - step / 2, t + step / 2, color=ek.labels.LABEL_COLORS[label], alpha=0.25, lw=0)
top.plot(run.t, run.r_e, label="$r_E$")
top.plot(run.t, run.r_i, label="$r_I$")
handles = [plt.Rectangle((0, 0), 1, 1, color=ek.labels.LABEL_COLORS[name], alpha=0.25)
           for name in ("synchronized", "bistable", "desynchronized")]
top.legend(top.get_lines() + handles, ["$r_E$", "$r_I$", "synchronized", "bistable",
                                       "desynchronized"], fontsize=8, ncol=2, loc="center left")
top.set_ylabel("order parameter")
top.set_ylim(0, 1)
bottom.plot(run.t, k_ei(run.t), label="$K_{EI}(t)$")
bottom.plot(run.t, k_ii(run.t), label="$K_{II}(t)$")
bottom.set_xlabel("time")
bottom.legend(fontsize=8, loc="upper right")
fig.tight_layout()
