"""The C++ unit tests (cpp/tests/test_<module>.cpp), built from this source tree and run by CTest.

One executable per module of the pure C++ core (model, network, parallel, rhs, schedule,
simulation, sincos, tiling): input checks, every right-hand-side strategy against the
equation summed edge by edge, thread-count independence of networks and runs, exceptions
carried out of OpenMP regions, and bit-identical restore from a checkpoint. Built with
warnings as errors, so the core also stays clean under -Wall -Wextra -Wconversion.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _run(command: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=900,
                          check=False)


@pytest.mark.slow
def test_cpp_unit_tests(tmp_path: Path) -> None:
    cmake, ctest = shutil.which("cmake"), shutil.which("ctest")
    assert cmake is not None and ctest is not None, (
        "cmake and ctest are needed (they are in the test extra: pip install '.[test]')")
    build = tmp_path / "build"
    configure = _run([cmake, "-S", str(ROOT), "-B", str(build), "-DEIKURA_CPP_TESTS=ON",
                      "-DEIKURA_WARNINGS_AS_ERRORS=ON", "-DCMAKE_BUILD_TYPE=Release"])
    assert configure.returncode == 0, configure.stdout[-4000:] + configure.stderr[-4000:]
    compiled = _run([cmake, "--build", str(build), "--target", "eikura_cpp_tests", "-j", "2"])
    assert compiled.returncode == 0, compiled.stdout[-8000:] + compiled.stderr[-8000:]
    result = _run([ctest, "--output-on-failure"], cwd=build)
    assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-4000:]
    assert "100% tests passed" in result.stdout, result.stdout[-4000:]
