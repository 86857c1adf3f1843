"""
Transmission delays
===================

With ``delay=τ`` every input reaches its target τ time units late:
``K sin(θ_j(t − τ) − θ_i(t))``. One population with Lorentzian frequencies centred at
ω_0 = 1 (half-width Δ = 0.5) and K = 4 still locks, but the locked state rotates more
slowly: the delayed mean field acts like a phase lag α = Ωτ, and the locked state
``z = r e^{iΩt}`` solves ``r² = 1 − 2Δ / (K cos Ωτ)``, ``Ω = ω_0 − (K/2) sin(Ωτ)(1 + r²)``.
The script compares the simulations with that solution.
"""

import matplotlib.pyplot as plt
import numpy as np
from scipy.optimize import brentq

import eikura as ek

K, WIDTH, CENTER = 4.0, 0.5, 1.0
DELAYS = (0.0, 0.2, 0.8)  # drawn as time series
model = ek.EIKuramoto(n_e=20_000, n_i=0, k_ee=K,
                      frequencies=ek.Lorentzian(CENTER, WIDTH, regular=True))


def locked_state(delay: float) -> tuple[float, float]:
    """(r, Ω) of the locked state with delay τ (Ω = ω_0 without delay)."""
    def mismatch(frequency: float) -> float:
        r_squared = 1.0 - 2.0 * WIDTH / (K * np.cos(frequency * delay))
        return frequency - CENTER + K / 2 * np.sin(frequency * delay) * (1.0 + r_squared)

    frequency = brentq(mismatch, 0.0, CENTER) if delay > 0 else CENTER
    return float(np.sqrt(1.0 - 2.0 * WIDTH / (K * np.cos(frequency * delay)))), frequency


# %%
# Each run starts from ``initial="sync"``; before t = 0 the phases rotate at their natural
# frequencies (the default history). The delays are multiples of ``dt``, so RK4 keeps its
# fourth order (see the delays page). Ω is the slope of the unwrapped mean phase ψ over
# the second half of the run.
fig, (ax_psi, ax_omega) = plt.subplots(1, 2, figsize=(8, 3.2))
colors = dict(zip(DELAYS, ("#0072B2", "#E69F00", "#009E73"), strict=True))
measured = {}
for delay in (0.0, 0.1, 0.2, 0.4, 0.8, 1.2):
    run = ek.simulate(model.with_changes(delay=delay), t_max=40.0, dt=0.02, initial="sync",
                      seed=1)
    late = run.t > 20
    measured[delay] = np.polyfit(run.t[late], np.unwrap(np.angle(run.z[late])), 1)[0]
    r_exact, frequency_exact = locked_state(delay)
    print(f"τ = {delay:.1f}: r = {run.r[late].mean():.4f} (exact {r_exact:.4f}), "
          f"Ω = {measured[delay]:.4f} (exact {frequency_exact:.4f})")
    if delay in colors:
        ax_psi.plot(run.t, np.unwrap(np.angle(run.z)), color=colors[delay], label=f"τ = {delay:g}")
ax_psi.set_xlabel("time $t$")
ax_psi.set_ylabel(r"mean phase $\psi$ (rad, unwrapped)")
ax_psi.legend(loc="upper left", fontsize=8)

grid = np.linspace(0.0, 1.3, 60)
ax_omega.plot(grid, [locked_state(delay)[1] for delay in grid], color="0.3",
              label="locked state (exact)")
ax_omega.plot(list(measured), list(measured.values()), "o", color="#D55E00",
              label="simulation, N = 20 000")
ax_omega.set_xlabel(r"delay $\tau$")
ax_omega.set_ylabel(r"collective frequency $\Omega$")
ax_omega.legend(loc="upper right", fontsize=8)
fig.tight_layout()
