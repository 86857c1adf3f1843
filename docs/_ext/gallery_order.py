"""The order of the gallery's examples: the order of the user guide, not the alphabet."""

from __future__ import annotations

ORDER = (
    "plot_three_states.py",
    "plot_bistability.py",
    "plot_theory_phase_diagram.py",
    "plot_sparse_network.py",
    "plot_modulated_inhibition.py",
    "plot_small_sweep.py",
    "plot_save_and_load.py",
)


class GuideOrder:
    """Sort key for sphinx-gallery's ``within_subsection_order``; unlisted files go last."""

    def __init__(self, src_dir: str) -> None:
        self.src_dir = src_dir

    def __call__(self, filename: str) -> tuple[int, str]:
        position = ORDER.index(filename) if filename in ORDER else len(ORDER)
        return position, filename

    def __repr__(self) -> str:  # sphinx-gallery compares configurations by repr
        return f"<{type(self).__name__}>"
