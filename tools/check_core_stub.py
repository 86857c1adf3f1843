"""Check that ``python/eikura/_core.pyi`` is the stub of the compiled core as it is built.

The stub is generated from the extension's own signatures (pybind11-stubgen reads the
names, defaults and types that the bindings declare), so it cannot drift from the
bindings unnoticed: this script generates it again and fails on any difference.

    python tools/check_core_stub.py           # check (CI)
    python tools/check_core_stub.py --update  # rewrite the stub after changing a binding
"""

from __future__ import annotations

import argparse
import difflib
import subprocess
import sys
import tempfile
from pathlib import Path

STUB = Path(__file__).resolve().parents[1] / "python" / "eikura" / "_core.pyi"
HEADER = ("# Generated from the compiled extension by tools/check_core_stub.py --update\n"
          "# (pybind11-stubgen); do not edit by hand.\n")


def generated() -> str:
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run([sys.executable, "-m", "pybind11_stubgen", "eikura._core", "-o", folder,
                        "--numpy-array-use-type-var"], check=True, capture_output=True, text=True)
        return HEADER + (Path(folder) / "eikura" / "_core.pyi").read_text()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--update", action="store_true", help="write the generated stub")
    args = parser.parse_args()
    fresh = generated()
    if args.update:
        STUB.write_text(fresh)
        print(f"wrote {STUB}")
        return 0
    current = STUB.read_text()
    if current == fresh:
        print(f"{STUB.name}: matches the compiled core")
        return 0
    sys.stdout.writelines(difflib.unified_diff(current.splitlines(True), fresh.splitlines(True),
                                               "committed", "generated"))
    print(f"{STUB.name} differs from the compiled core: run tools/check_core_stub.py --update")
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
