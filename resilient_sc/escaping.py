"""Text cells a spreadsheet would run as formulas, escaped in every file the library writes
(OWASP CSV injection): a leading ``'`` keeps ``=HYPERLINK(...)`` a text."""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Iterable, Mapping
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


def _escaped(value: Any) -> bool:
    """Whether a CSV cell of ``value`` gets a leading ``'``: formula-like text, and text that
    starts with ``'`` itself (``'-S3`` and ``-S3`` were written alike)."""
    return is_formula_like(value) or (isinstance(value, str) and value.startswith("'"))


def escape_text(value: Any) -> Any:
    """``value`` with a leading ``'`` when it is formula-like text (:func:`is_formula_like`) or
    starts with ``'``: a reader drops the first ``'`` of a cell that has one.

    >>> escape_text('=HYPERLINK("http://evil.example","click")'), escape_text(-5), escape_text("'-S3")
    ('\\'=HYPERLINK("http://evil.example","click")', -5, "''-S3")
    """
    return "'" + value if _escaped(value) else value


def id_list(ids: Iterable[str]) -> str:
    """Ids as one text cell, separated by spaces, for people and for ``shlex.split``: an id that
    holds a space, a quote or a backslash, or starts as a formula would (a number such as -5
    too: the cell would start so), is in double quotes (``"`` and ``\\`` escaped by a
    backslash); the cell never starts with a formula's character nor with the ``'`` that
    escapes one ('-S1 S2' was escaped into "'-S1 S2", on which shlex.split failed). Other ids,
    'S_München' too, are as they are.

    >>> print(id_list(["S1", "S 2", "-S3", "S_München", "it's"]))
    S1 "S 2" "-S3" S_München "it's"
    """
    return " ".join(f'"{i.translate(_ESCAPED)}"' if not i or _QUOTED.search(i) or i.startswith(FORMULA_STARTS)
                    else i for i in ids)


def ids_in(cell: str) -> list[str]:
    """The ids of a cell :func:`id_list` wrote.

    >>> ids_in('S1 "S 2" "-S3"')
    ['S1', 'S 2', '-S3']
    """
    return shlex.split(cell)


#: what puts an id of :func:`id_list` in quotes, and what is escaped within them
_QUOTED = re.compile(r"[\s'\"\\]")
_ESCAPED = str.maketrans({"\\": "\\\\", '"': '\\"'})


def as_json(value: Any) -> Any:
    """A mapping or a list in a cell as JSON text (a frontier swept over mappings wrote
    ``{'Europe': 0.5}``, Python's repr, where the summary sheet writes JSON); else as it is."""
    if isinstance(value, Mapping | list | tuple):
        return json.dumps(dict(value) if isinstance(value, Mapping) else list(value), ensure_ascii=False)
    return value


def _rewritten(value: Any) -> bool:
    """Whether :func:`escape_frame` changes a cell: escaped text, or a mapping or a list."""
    return _escaped(value) or isinstance(value, Mapping | list | tuple)


def escape_frame(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with every formula-like text cell and header escaped (:func:`escape_text`), and a
    mapping or a list in a cell as JSON text (:func:`as_json`), in one pass over each column."""
    out = df
    for i, (_, column) in enumerate(df.items()):
        if pd.api.types.is_numeric_dtype(column) or pd.api.types.is_datetime64_any_dtype(column):
            continue
        hit = column.map(_rewritten).to_numpy(bool)
        if hit.any():
            out = out.copy() if out is df else out
            out.isetitem(i, pd.Series([escape_text(as_json(v)) for v in column.astype(object)],
                                      index=column.index, dtype=object))
    if any(_escaped(c) for c in df.columns):
        out = out.copy() if out is df else out
        out.columns = [escape_text(c) for c in df.columns]
    return out


#: one of the library's own images in Markdown: ``![caption](file.png)``, the file a slug
_OWN_IMAGE = re.compile(r"!\[(?P<caption>.*)\]\((?P<file>[\w.\-]+\.png)\)")


def safe_markdown(text: str) -> str:
    """``text`` of a Markdown file the library writes, with no HTML, link or image but its own
    images: names from the data are written into it as they are, and a viewer that renders HTML
    ran ``<img src=x onerror=...>`` in a supplier's id, loaded ``![x](http://tracker/x.png)`` and
    linked ``[click](javascript:...)``. A ``<`` that opens a tag becomes ``&lt;`` (``<0.1%`` stays
    as it reads), and ``[`` and ``](`` are escaped (an image's caption too); code spans are left
    as they are (a viewer shows them as text, HTML and all); the library's own Markdown (tables,
    images of its figures) writes no HTML and no link.

    >>> safe_markdown("- S <img src=x onerror=alert(1)> and ![t](http://tracker/x.png), <0.1%")
    '- S &lt;img src=x onerror=alert(1)> and !\\\\[t\\\\]\\\\(http://tracker/x.png), <0.1%'
    >>> safe_markdown("![Design of [p](x)](map_01_p.png)\\n(`stress <data>`)").split("\\n")
    ['![Design of \\\\[p\\\\]\\\\(x)](map_01_p.png)', '(`stress <data>`)']
    """
    def plain(part: str) -> str:
        part = _TAG_OPENING.sub("&lt;", part).replace("[", "\\[").replace("]", "\\]")
        return part.replace("\\](", "\\]\\(")

    def outside_code(part: str) -> str:  # code spans (`…`, ``…``) as they are
        pieces = _CODE_SPAN.split(part)
        return "".join(p if i % 3 == 1 else "" if i % 3 == 2 else plain(p) for i, p in enumerate(pieces))

    lines = []
    for line in text.split("\n"):
        own = _OWN_IMAGE.fullmatch(line)
        lines.append(f"![{plain(own['caption'])}]({own['file']})" if own else outside_code(line))
    return "\n".join(lines)


#: a ``<`` that opens an HTML tag, comment, declaration or autolink (a letter, ``/``, ``!`` or ``?``
#: after it)
_TAG_OPENING = re.compile(r"<(?=[A-Za-z/!?])")
#: a Markdown code span and its backticks (split keeps the span whole, then its backticks)
_CODE_SPAN = re.compile(r"((`+)[^`]+?\2)")
