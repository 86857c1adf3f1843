"""Smoke test of an installed eikura wheel: run it from outside the source tree.

Used by ``tools/check_wheel.sh`` and by cibuildwheel's ``test-command`` (see the
``[tool.cibuildwheel]`` block of pyproject.toml). It checks what a wheel can get wrong
and the test suite cannot see:

* the package imported is the installed one (inside ``sys.prefix`` of a virtual
  environment), not ``python/eikura`` of a checkout;
* the compiled core was built with OpenMP, and the bundled runtime really starts
  threads: one thread and two threads give bit-identical runs (eikura's guarantee);
* a small simulation and the classifier run end to end.

Exits non-zero (an ``AssertionError``) on any failure.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

import eikura as ek


def check_import_location() -> None:
    package_dir = Path(ek.__file__).resolve().parent
    prefix = Path(sys.prefix).resolve()
    assert sys.prefix != sys.base_prefix, f"sys.prefix: not a virtual environment ({sys.prefix})"
    assert package_dir.is_relative_to(prefix), (
        f"eikura.__file__: imported from {package_dir}, outside the environment {prefix}"
    )
    assert ek.__version__ != "0+unknown", "eikura.__version__: no installed metadata found"


def check_openmp() -> None:
    assert ek.has_openmp, "eikura.has_openmp: the wheel was built without OpenMP"


def run_and_classify() -> str:
    model = ek.EIKuramoto(
        n_e=800,
        n_i=200,
        k_ee=4.6,
        k_ei=1.0,
        k_ie=12.0,
        k_ii=2.0,
        frequencies=ek.Lorentzian(0.0, 1.0, regular=True),
    )
    low = ek.simulate(model, t_max=40.0, dt=0.05, seed=1, initial="random", threads=2)
    high = ek.simulate(model, t_max=40.0, dt=0.05, seed=1, initial="sync", threads=2)
    low_serial = ek.simulate(model, t_max=40.0, dt=0.05, seed=1, initial="random", threads=1)
    assert np.array_equal(low.z, low_serial.z), "threads: 1 and 2 threads gave different runs"
    return ek.classify((low, high)).label


def main() -> None:
    check_import_location()
    check_openmp()
    label = run_and_classify()
    print(f"eikura {ek.__version__} from {Path(ek.__file__).parent}")
    print(f"label={label} has_openmp={ek.has_openmp}")


if __name__ == "__main__":
    main()
