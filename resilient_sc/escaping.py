"""Text cells a spreadsheet would run as formulas, escaped in every file the library writes
(OWASP CSV injection): a leading ``'`` keeps ``=HYPERLINK(...)`` a text."""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

#: first characters that make a spreadsheet read a text cell as a formula (OWASP CSV injection)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def is_formula_like(value: Any) -> bool:
    """Whether ``value`` is text a spreadsheet would run as a formula.

    >>> [is_formula_like(v) for v in ("=2*3", "@SUM(A1)", "-2+3", "-5", -5, "S_CN")]
    [True, True, True, False, False, False]
    """
    return (isinstance(value, str) and value.startswith(FORMULA_STARTS)
            and _PLAIN_NUMBER.fullmatch(value) is None)


def escape_text(value: Any) -> Any:
    """``value`` with a leading ``'`` when it is formula-like text (:func:`is_formula_like`).

    >>> escape_text('=HYPERLINK("http://evil.example","click")'), escape_text(-5)
    ('\\'=HYPERLINK("http://evil.example","click")', -5)
    """
    return "'" + value if is_formula_like(value) else value


def escape_frame(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with every formula-like text cell and header escaped (:func:`escape_text`)."""
    out = df
    for i, (_, column) in enumerate(df.items()):
        if pd.api.types.is_numeric_dtype(column) or pd.api.types.is_datetime64_any_dtype(column):
            continue
        hit = column.map(is_formula_like).to_numpy(bool)
        if hit.any():
            out = out.copy() if out is df else out
            out.isetitem(i, pd.Series([escape_text(v) for v in column.astype(object)],
                                      index=column.index, dtype=object))
    if any(is_formula_like(c) for c in df.columns):
        out = out.copy() if out is df else out
        out.columns = [escape_text(c) for c in df.columns]
    return out


#: one of the library's own images in Markdown: ``![caption](file.png)``, the file a slug
_OWN_IMAGE = re.compile(r"!\[(?P<caption>.*)\]\((?P<file>[\w.\-]+\.png)\)")


def safe_markdown(text: str) -> str:
    """``text`` of a Markdown file the library writes, with no HTML, link or image but its own
    images: names from the data are written into it as they are, and a viewer that renders HTML
    ran ``<img src=x onerror=...>`` in a supplier's id, loaded ``![x](http://tracker/x.png)`` and
    linked ``[click](javascript:...)``. HTML's ``<`` becomes ``&lt;``, and ``[`` and ``](`` of
    the data are escaped (an image's caption too); the library's own Markdown (tables, images of
    its figures, backticks) writes no HTML and no link.

    >>> safe_markdown("- S <img src=x onerror=alert(1)> and ![t](http://tracker/x.png)")
    '- S &lt;img src=x onerror=alert(1)> and !\\\\[t\\\\]\\\\(http://tracker/x.png)'
    >>> safe_markdown("![Design of [p](x)](map_01_p.png)")
    '![Design of \\\\[p\\\\]\\\\(x)](map_01_p.png)'
    """
    def plain(part: str) -> str:
        return (part.replace("<", "&lt;").replace("[", "\\[").replace("]", "\\]")
                .replace("\\](", "\\]\\("))

    lines = []
    for line in text.split("\n"):
        own = _OWN_IMAGE.fullmatch(line)
        lines.append(f"![{plain(own['caption'])}]({own['file']})" if own else plain(line))
    return "\n".join(lines)
