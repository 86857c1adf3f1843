"""Render the site's equations to SVG at build time with matplotlib's mathtext.

Why not MathJax: it is loaded by the reader's browser from a CDN, so the pages would need
the network to show their equations (and the build must not need it). matplotlib is
already a dependency of eikura and renders the subset of TeX these pages use (fractions,
sums, roots, accents, Greek letters, sub- and superscripts). An expression that mathtext
cannot parse is reported as a Sphinx warning at its source line, so the strict build
(``-W``) fails on it instead of shipping raw TeX.

Use it with ``html_math_renderer = "mathtext_svg"``. Options: ``mathtext_svg_fontsize``
(points, default 12, the body text size of the theme) and ``mathtext_svg_fontset``
(default ``"cm"``, Computer Modern).
"""

from __future__ import annotations

import hashlib
import html
import io
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.math import get_node_equation_number

logger = logging.getLogger(__name__)

#: Display equations are drawn this much larger than inline ones.
DISPLAY_SCALE = 1.3


def _render(translator: Any, node: nodes.Element, latex: str,
            size: float) -> tuple[str, float] | None:
    """Write the SVG of ``latex`` under ``_images/math``; return its URI and depth (pt)."""
    from matplotlib import mathtext, rc_context
    from matplotlib.font_manager import FontProperties

    config = translator.builder.config
    key = f"{latex}|{size}|{config.mathtext_svg_fontset}".encode()
    name = hashlib.sha1(key, usedforsecurity=False).hexdigest()[:16]
    folder = Path(translator.builder.outdir) / "_images" / "math"
    svg_path = folder / f"{name}.svg"
    depth_path = folder / f"{name}.depth"
    if not (svg_path.exists() and depth_path.exists()):
        buffer = io.BytesIO()
        try:
            with rc_context({"mathtext.fontset": config.mathtext_svg_fontset,
                             "svg.hashsalt": "eikura-docs"}):
                depth = mathtext.math_to_image(f"${latex}$", buffer,
                                               prop=FontProperties(size=size), format="svg")
        except ValueError as error:
            message = str(error).strip().splitlines()
            logger.warning("mathtext cannot render %r: %s", latex,
                           message[-1] if message else error, location=node)
            return None
        folder.mkdir(parents=True, exist_ok=True)
        svg_path.write_bytes(buffer.getvalue())
        depth_path.write_text(f"{float(depth)}\n")
    depth = float(depth_path.read_text())
    return f"{translator.builder.imgpath}/math/{name}.svg", depth


def _fallback(translator: Any, latex: str, block: bool) -> None:
    tag = "div" if block else "span"
    translator.body.append(f'<{tag} class="math">{html.escape(latex)}</{tag}>')


def visit_inline(translator: Any, node: nodes.Element) -> None:
    latex = node.astext()
    rendered = _render(translator, node, latex, translator.builder.config.mathtext_svg_fontsize)
    if rendered is None:
        _fallback(translator, latex, block=False)
    else:
        uri, depth = rendered
        translator.body.append(
            f'<img class="math" src="{uri}" alt="{html.escape(latex)}" '
            f'style="vertical-align: -{depth:.1f}pt"/>'
        )
    raise nodes.SkipNode


def visit_block(translator: Any, node: nodes.Element) -> None:
    size = translator.builder.config.mathtext_svg_fontsize * DISPLAY_SCALE
    translator.body.append(translator.starttag(node, "div", CLASS="math"))
    translator.body.append("<p>")
    number = get_node_equation_number(translator, node) if node.get("number") else None
    if number is not None:
        translator.body.append(f'<span class="eqno">({number})</span>')
    # Equations separated by a blank line are drawn one below the other.
    for part in (p.strip() for p in node.astext().split("\n\n")):
        if not part:
            continue
        latex = " ".join(part.split())
        rendered = _render(translator, node, latex, size)
        if rendered is None:
            _fallback(translator, latex, block=True)
        else:
            translator.body.append(
                f'<img class="math math-display" src="{rendered[0]}" alt="{html.escape(latex)}"/>'
            )
    translator.body.append("</p></div>\n")
    raise nodes.SkipNode


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("mathtext_svg_fontsize", 12.0, "html")
    app.add_config_value("mathtext_svg_fontset", "cm", "html")
    app.add_html_math_renderer("mathtext_svg", (visit_inline, None), (visit_block, None))
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
