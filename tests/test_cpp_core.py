"""The C++ unit tests (cpp/tests/test_core.cpp), built from this source tree and run.

They check the pure C++ core on its own: input checks, thread-count independence of
networks and noisy runs, and bit-identical restore from a checkpoint.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_cpp_unit_tests(tmp_path: Path) -> None:
    cmake = shutil.which("cmake")
    assert cmake is not None, "cmake is needed (it is in the test extra: pip install '.[test]')"
    build = tmp_path / "build"
    configure = [cmake, "-S", str(ROOT), "-B", str(build), "-DEIKURA_CPP_TESTS=ON",
                 "-DEIKURA_WARNINGS_AS_ERRORS=ON", "-DCMAKE_BUILD_TYPE=Release"]
    subprocess.run(configure, check=True, capture_output=True, text=True)
    subprocess.run([cmake, "--build", str(build), "--target", "eikura_cpp_tests", "-j", "2"],
                   check=True, capture_output=True, text=True)
    result = subprocess.run([str(build / "eikura_cpp_tests")], capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
