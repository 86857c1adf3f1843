"""
A phase diagram from the mean-field theory
==========================================

:func:`eikura.theory.phase_diagram` labels every point of a grid over two of the four
strengths from the attractors of the Ott–Antonsen equations, and
:func:`eikura.theory.boundaries` gives the curves that separate the regions: where
incoherence loses stability (through a real eigenvalue or a Hopf pair) and where the
synchronized branch folds. The other strengths are fixed (``K_EI = 1``, ``K_IE = 12``).
"""

import matplotlib.pyplot as plt
import numpy as np

import eikura as ek

k_ee = np.linspace(3.0, 7.0, 81)
k_ii = np.linspace(0.0, 4.0, 61)
diagram = ek.theory.phase_diagram("k_ee", k_ee, "k_ii", k_ii, k_ei=1.0, k_ie=12.0)
curves = ek.theory.boundaries("k_ee", k_ee, "k_ii", k_ei=1.0, k_ie=12.0)

# %%
# The diagram holds integer codes; :func:`eikura.theory.label_names` turns them into
# the label strings, and :mod:`eikura.labels` gives every label one code and one colour
# across eikura (the same as in sweeps and experiments).
names = ek.theory.label_names(diagram)
codes = ek.labels.label_codes(names.values.ravel()).reshape(names.shape)
counts = {label: int((names == label).sum()) for label in ek.labels.LABELS}
print(counts)

fig, ax = plt.subplots(figsize=(6.4, 4.6))
ax.pcolormesh(k_ee, k_ii, codes, cmap=ek.labels.label_colormap(ek.labels.LABELS),
              vmin=-0.5, vmax=len(ek.labels.LABELS) - 0.5, shading="nearest")
ax.plot(*curves.incoherence_real.T, "k-", lw=1.5, label="incoherence unstable (real)")
ax.plot(*curves.incoherence_hopf.T, "k:", lw=1.5, label="incoherence unstable (Hopf)")
for index, fold in enumerate(curves.folds):
    ax.plot(*fold.T, "k--", lw=1.5, label="fold of the synchronized branch" if index == 0 else None)
handles = [plt.Rectangle((0, 0), 1, 1, color=ek.labels.LABEL_COLORS[label]) for label in ek.labels.LABELS]
legend = ax.legend(handles, ek.labels.LABELS, loc="upper left", fontsize=8, title="theory label")
ax.add_artist(legend)
ax.legend(loc="lower right", fontsize=8)
ax.set_xlim(k_ee[0], k_ee[-1])
ax.set_ylim(k_ii[0], k_ii[-1])
ax.set_xlabel("$K_{EE}$")
ax.set_ylabel("$K_{II}$")
fig.tight_layout()
