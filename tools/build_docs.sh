#!/usr/bin/env bash
# Build the documentation site into docs/_build/html.
#
# Strict: every Sphinx warning (an unresolved reference into eikura's API, a public name
# without an entry, an equation that cannot be drawn, a gallery example that fails) is an
# error, and so is any mention of a document that does not ship. Needs no network.
# Installs nothing: `pip install -e ".[docs]"` first (eikura itself must be importable).
#
#   bash tools/build_docs.sh            # clean build: every gallery example runs
#   bash tools/build_docs.sh --fast     # incremental: reuses the last build and examples
set -euo pipefail
cd "$(dirname "$0")/.."

fast=0
if [[ "${1:-}" == "--fast" ]]; then
    fast=1
    shift
fi

if ! python -c "import sphinx, sphinx_gallery, numpydoc, myst_parser, pydata_sphinx_theme" 2>/dev/null; then
    echo "build_docs: the documentation tools are missing; install them with" >&2
    echo "    pip install -e \".[docs]\"" >&2
    exit 2
fi
if ! python -c "import eikura" 2>/dev/null; then
    echo "build_docs: eikura cannot be imported; install it with pip install -e \".[docs]\"" >&2
    exit 2
fi

if [[ $fast -eq 0 ]]; then
    # Generated pages are not tracked; stale ones would hide a name missing from docs/api/.
    rm -rf docs/_build docs/api/generated docs/auto_examples docs/sg_execution_times.rst
fi

SECONDS=0
# The gallery's figures are drawn without a display.
MPLBACKEND=Agg python -m sphinx -b html -W -n --keep-going -j 1 \
    -d docs/_build/doctrees docs docs/_build/html "$@"

# Nothing may point to a document that is not part of the site or the repository.
if grep -rlw --include='*.html' "SPEC" docs/_build/html; then
    echo "build_docs: the pages above mention SPEC, a document that does not ship" >&2
    exit 1
fi

# The pages must work offline: no script or style sheet loaded from the network.
if grep -rlE --include='*.html' '<(script|link)[^>]+(src|href)="(https?:)?//' docs/_build/html; then
    echo "build_docs: the pages above load a script or style sheet from the network" >&2
    exit 1
fi

echo "build_docs: built docs/_build/html in ${SECONDS} s"
