"""Sphinx configuration of the eikura documentation site.

Build with ``bash tools/build_docs.sh`` (after ``pip install -e ".[docs]"``). The build is
strict (``-W -n --keep-going``) and needs no network: intersphinx is off, equations are
drawn to SVG at build time (``_ext/mathtext_svg.py``), and nothing is fetched.
"""

from __future__ import annotations

import inspect
import re
import sys
from pathlib import Path

import eikura

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS / "_ext"))

# -- Project ------------------------------------------------------------------------------
project = "eikura"
author = "eikura developers"
copyright = "eikura developers"
release = eikura.__version__
version = ".".join(release.split(".")[:2])

# -- General ------------------------------------------------------------------------------
extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "myst_parser",
    "sphinx_gallery.gen_gallery",
    "mathtext_svg",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = [
    "_build",
    "**.ipynb_checkpoints",
    # sphinx-gallery writes these next to the generated pages; they are not pages.
    "auto_examples/*.ipynb",
    "auto_examples/*.py",
    "auto_examples/*.zip",
    "auto_examples/*.json",
    "auto_examples/*.md5",
    "examples/*",  # the gallery's sources: sphinx-gallery turns them into auto_examples/
    "sg_execution_times.rst",
]
templates_path = ["_templates"]
nitpicky = True
default_role = "py:obj"

# -- Markdown (MyST) ----------------------------------------------------------------------
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3

# -- Equations ----------------------------------------------------------------------------
html_math_renderer = "mathtext_svg"
mathtext_svg_fontsize = 12.0

# -- API reference ------------------------------------------------------------------------
autosummary_generate = True
autosummary_imported_members = True
# Signatures show names and defaults; the numpydoc "Parameters" sections give the types
# in words. Rendered annotations would be long and partly private: ``ArrayLike`` expands
# to NumPy's internal protocol unions, and dataclass defaults made by ``field()`` show
# as ``<factory>``, which breaks Sphinx's parsing of an annotated signature.
autodoc_typehints = "none"
autodoc_member_order = "bysource"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
numpydoc_validation_checks: set[str] = set()

# -- Gallery ------------------------------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": "examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "download_all_examples": False,
    "remove_config_comments": True,
    "within_subsection_order": "gallery_order.GuideOrder",  # docs/_ext/gallery_order.py
    "matplotlib_animations": False,
    "image_scrapers": ("matplotlib",),
    "reset_modules": ("matplotlib",),
    "show_memory": False,
    "plot_gallery": True,
    "abort_on_example_error": True,
    "only_warn_on_example_error": False,
    "min_reported_time": 1,
    "doc_module": (),
    "backreferences_dir": None,
    # Its page loads scripts from a CDN; the pages must work offline.
    "write_computation_times": False,
}

# -- Strictness: references that cannot resolve ------------------------------------------
# Intersphinx is off (the build must not need the network), so annotations that name
# types from NumPy, xarray, matplotlib, Dask, the standard library's abc/os/pathlib
# modules etc. have no target. Each line names one external package; eikura's own names
# must all resolve.
nitpick_ignore_regex = [
    ("py:.*", r"(numpy|np)(\..+)?"),  # numpy.ndarray, numpy.typing.ArrayLike, ...
    ("py:.*", r"(xarray|xr)(\..+)?"),  # xarray.Dataset / DataArray
    ("py:.*", r"matplotlib(\..+)?"),  # figures and colormaps
    ("py:.*", r"(dask|distributed)(\..+)?"),  # sweep schedulers and clients
    ("py:.*", r"scipy(\..+)?"),  # user graphs as scipy.sparse matrices
    ("py:.*", r"networkx(\..+)?"),
    ("py:.*", r"(os|pathlib|collections\.abc|typing|types|contextlib|io)\..+"),
]
nitpick_ignore = [
    # Docstrings of Sinusoid.to_dict and PiecewiseLinear.to_dict (python/eikura/schedules.py)
    # name eikura.schedules.schedule_from_dict, a helper of that module that the site does
    # not document (it is not re-exported by eikura).
    ("py:func", "schedule_from_dict"),
]

# -- HTML ---------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"eikura {release}"
html_static_path = ["_static"]
html_css_files = ["eikura.css"]
html_show_sourcelink = False
html_theme_options = {
    "navbar_align": "left",
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "header_links_before_dropdown": 6,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
# Pages without sub-pages need no section navigation.
html_sidebars = {page: [] for page in ("index", "install", "model", "architecture")}
html_context = {"default_mode": "light"}


# -- Constants: their comment, not their type's docstring --------------------------------
# autodoc documents a module constant with the docstring of its type ("Convert a string or
# number to a floating point number ...") unless a ``#:`` comment precedes it in the module
# being documented. eikura's constants live in private modules and are explained by a
# comment on their line or just above it; that comment is shown instead.
def _constant_comment(qualified_name):
    module_name, _, name = qualified_name.rpartition(".")
    assignment = re.compile(rf"^{re.escape(name)}\s*(:[^=]*)?=[^=]")
    modules = [module for key, module in sorted(sys.modules.items())
               if module is not None and (key == module_name or key.startswith(module_name + "."))]
    for module in modules:
        try:
            source = inspect.getsource(module).splitlines()
        except (OSError, TypeError):
            continue
        for index, line in enumerate(source):
            if not assignment.match(line):
                continue
            _, hash_mark, comment = line.partition("  # ")
            if hash_mark:
                return [comment.strip()]
            above = []
            previous = index - 1
            while previous >= 0 and source[previous].startswith("#"):
                above.insert(0, source[previous].lstrip("#").strip())
                previous -= 1
            return above
    return []


def _document_constants(app, what, name, obj, options, lines):  # noqa: ARG001
    if what not in {"data", "attribute"} or not lines:
        return
    type_doc = inspect.getdoc(type(obj)) or ""
    if " ".join(lines).split() == type_doc.split():
        comment = _constant_comment(name) if what == "data" else []
        # A source comment is plain text, not reStructuredText (``|Z|``, ``r_E``).
        lines[:] = [re.sub(r"([\\`*|_])", r"\\\1", line) for line in comment]


# -- Re-exports: one page per object, one more name for it -------------------------------
# ``eikura.classify`` and ``eikura.sweep`` are both a module and (at the top level) the
# function of that module, and Sphinx keeps one object per full name. Each re-exported
# object is therefore documented once, in its module, and a reference to its top-level
# name (``:func:`eikura.sweep``` in a docstring) is sent to that page.
API_ALIASES = {
    "eikura.classify": "eikura.classify.classify",
    "eikura.classify_two_start": "eikura.classify.classify_two_start",
    "eikura.Classification": "eikura.classify.Classification",
    "eikura.sweep": "eikura.sweep.sweep",
    "eikura.DamagedFileError": "eikura.files.DamagedFileError",
}
_ALIAS_ROLES = {"func", "class", "exc", "obj", "meth"}


def _resolve_alias(app, env, node, contnode):
    if node.get("refdomain") != "py" or node.get("reftype") not in _ALIAS_ROLES:
        return None
    target = API_ALIASES.get(node.get("reftarget", "").lstrip("~"))
    if target is None:
        return None
    domain = env.get_domain("py")
    return domain.resolve_xref(env, node["refdoc"], app.builder, "obj", target,
                               node.copy(), contnode)


# -- Pages that may not exist yet ----------------------------------------------------------
# A toctree line ``optional:NAME`` lists the page NAME (relative to the toctree's page, or
# to docs/ with a leading "/") if its Markdown file exists, and nothing otherwise, so a
# page that is being written elsewhere joins the site as soon as it lands.
_OPTIONAL_ENTRY = re.compile(r"^optional:(\S+)$", re.MULTILINE)


def _optional_toctree_entries(app, docname, source):  # noqa: ARG001
    folder = (DOCS / docname).parent

    def entry(match):
        name = match.group(1)
        path = DOCS / f"{name.lstrip('/')}.md" if name.startswith("/") else folder / f"{name}.md"
        return name if path.exists() else ""

    source[0] = _OPTIONAL_ENTRY.sub(entry, source[0])


# -- Every public name has an entry --------------------------------------------------------
# The modules whose ``__all__`` the reference must cover. A name added to one of them
# without an entry in docs/api/ makes the (strict) build fail here.
PUBLIC_MODULES = ("eikura", "eikura.theory", "eikura.labels", "eikura.classify", "eikura.sweep",
                  "eikura.experiments", "eikura.files", "eikura.report", "eikura.observables")


def _check_public_names(app, env):  # noqa: ARG001
    import importlib

    from sphinx.util import logging

    domain = env.get_domain("py")
    documented = set(domain.objects) | set(domain.modules)
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        for name in getattr(module, "__all__", ()):
            full = f"{module_name}.{name}"
            if API_ALIASES.get(full, full) not in documented:
                logging.getLogger(__name__).warning(
                    "public name %s has no entry in the API reference (docs/api/)", full)


def setup(app):
    app.connect("source-read", _optional_toctree_entries)
    app.connect("env-check-consistency", _check_public_names)
    # Before numpydoc (priority 500) reformats the docstrings.
    app.connect("autodoc-process-docstring", _document_constants, priority=400)
    app.connect("missing-reference", _resolve_alias)
