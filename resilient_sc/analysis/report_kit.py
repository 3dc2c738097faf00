"""The plumbing every analysis report shares: a report folder written as a whole
(:class:`Writer`, :func:`report_folder`), Markdown tables, bullets, images and the list of
files, and the words of a report's data line (:func:`source`, :func:`quantities`).

A report folder is written as a whole (:func:`resilient_sc.io.atomic_folder`): it appears
complete or not at all, and replaces an existing non-empty folder only with ``force``. Its
seconds go to their own file (:data:`TIMINGS`), so two runs of the same inputs write the same
results.
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from .. import io
from ..exceptions import RunWarning
from ..format import count, settings, value
from ..results import units_words
from ..schema import TABLES
from . import figures as fg

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ..data import Network
    from ..policy import Policy

REPORT = "report.md"


class Writer:
    """Collects the files of one report, written into the temporary folder ``tmp`` that
    becomes ``folder``; :attr:`written` holds their final paths."""

    def __init__(self, folder: Path, tmp: Path, figures: bool | None):
        self.folder, self.tmp = folder, tmp
        self.written: list[Path] = []
        self.figures = figures if figures is not None else fg.has_matplotlib()
        if figures is None and not self.figures:
            warnings.warn(f"figures skipped: matplotlib is not installed ({fg.INSTALL_HINT})",
                          RunWarning, stacklevel=5)

    def path(self, name: str) -> Path:
        assert Path(name).stem not in TABLES, f"{name} would shadow an input table"
        self.written.append(self.folder / name)
        return self.tmp / name

    def csv(self, name: str, df: pd.DataFrame) -> str:
        """Write ``df`` as ``name``; its seconds (:data:`~resilient_sc.io.TIMED_COLUMNS`) in
        :data:`TIMINGS` beside its first column, so that two runs of the same inputs write the same
        results."""
        timed = [c for c in io.TIMED_COLUMNS if c in df.columns]
        io.write_csv(self.path(name), df.drop(columns=timed))
        if timed:
            io.write_csv(self.path(TIMINGS), df[[df.columns[0], *timed]])
        return name

    def figure(self, name: str, draw: Callable[[], Figure]) -> str | None:
        """Draw and save a PNG; None when figures are off."""
        if not self.figures:
            return None
        fg.save_figure(draw(), self.path(name))
        return name

    def report(self, lines: list[str]) -> list[Path]:
        io.write_text(self.path(REPORT), "\n".join(lines).rstrip() + "\n")
        return self.written


@contextmanager
def report_folder(folder: str | Path, figures: bool | None, force: bool,
                   data: str = "") -> Iterator[Writer]:
    """A :class:`Writer` whose files become ``folder`` as a whole when the block ends; never
    the ``data`` folder (:attr:`Network.location <resilient_sc.data.Network.location>`)."""
    io.check_result_folder(folder, data, force)
    with io.atomic_folder(folder, force=force) as tmp:
        yield Writer(Path(folder), tmp, figures)



def markdown_table(df: pd.DataFrame, cols: dict[str, Callable[[Any], str]],
              names: dict[str, str]) -> list[str]:
    cols = {c: f for c, f in cols.items() if c in df}
    right = [f not in (str, value) for f in cols.values()]
    lines = ["| " + " | ".join(str(names.get(c, c)).replace("|", "\\|") for c in cols) + " |",
             "|" + "|".join("---:" if r else "---" for r in right) + "|"]
    for row in df.to_dict("records"):
        cells = [_cell(row[c], f) for c, f in cols.items()]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _cell(v: Any, fmt: Callable[[Any], str]) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    return fmt(v).replace("\\", "\\\\").replace("|", "\\|")  # a\|b is one cell, not 'a\' and 'b'



def describe(policy: Policy) -> str:
    """``min_local_share 0.5, survive country``; the base has no requirements."""
    return settings(policy.to_dict())



def slug(name: str) -> str:
    """A file-name part for a policy's name: at most 60 characters (a 300-character name ran
    every solve, then failed to write its figure: 'File name too long'; the index before it
    keeps the names apart)."""
    return re.sub(r"[^A-Za-z0-9_-]+", "_", name).strip("_")[:60].strip("_") or "policy"


def first_reason(text: str) -> str:
    """The first reason of an infeasibility message (its list items follow a header line)."""
    lines = [ln.strip(" -") for ln in text.splitlines() if ln.strip(" -")]
    items = [ln for ln in lines if not ln.endswith(":")] or lines or [text]
    more = f" (and {count(len(items) - 1, 'more reason')})" if len(items) > 1 else ""
    return items[0].rstrip(".") + more + "."


def source(network: Network) -> str:
    return f"{network.source or 'network'} ({network!r})"


def quantities(network: Network) -> str:
    """What a report's quantities are counted in: each product's unit where the products table
    names one (``quantities in each product's unit (cells: kWh, chips: pieces; ...)``)."""
    named = units_words(network.units())
    return (f"quantities in each product's unit ({named}; never added across products)" if named
            else "quantities in units of each product (never added across products)")


def column_first(df: pd.DataFrame, column: str) -> pd.DataFrame:
    """``df`` with ``column`` first."""
    return df[[column, *[c for c in df.columns if c != column]]]


def bullets(sentences: list[str]) -> list[str]:
    return [f"- {s}" for s in sentences]


def image(name: str | None, caption: str) -> list[str]:
    return [f"![{caption}]({name})", ""] if name else []




#: the file a report's seconds are written to
TIMINGS = io.TIMINGS


def files_section(w: Writer, described: dict[str, str]) -> list[str]:
    described = {**described, TIMINGS: "the seconds of each solve (solve_time) and, for a frontier, of "
                 "each point (time: its solves and stress test), apart from the results: two runs of the "
                 "same inputs write the same results"}
    names = [p.name for p in w.written]
    return ["## Files", "", *[f"- `{n}`: {d}" for n, d in described.items() if n in names],
            *[f"- `{n}`" for n in names if n not in described], f"- `{REPORT}`: this report"]
