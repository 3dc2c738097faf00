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
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from .. import io
from ..exceptions import RunWarning, warn
from ..format import count, settings, value
from ..result_folders import TIMED_COLUMNS, TIMINGS, check_result_folder, written_by
from ..results import units_words
from ..schema import TABLES
from ..solvers.highs import highspy_version
from ..wording import unaccented
from . import figures as fg
from .parallel import DRAWING, default_workers, fork_is_safe, run_all

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ..data import Network
    from ..policy import Policy

REPORT = "report.md"


#: where a served heatmap's numbers are as text (a large one prints none: colour alone)
EVERY_SHARE = "every share served is in stress_shortfalls.csv"


class Writer:
    """Collects the files of one report, written into the temporary folder ``tmp`` that
    becomes ``folder``; :attr:`written` holds their final paths."""

    def __init__(self, folder: Path, tmp: Path, figures: bool | None):
        self.folder, self.tmp = folder, tmp
        self.written: list[Path] = []
        #: the figures to draw (:meth:`draw_figures`): what draws each, and its path in ``tmp``
        self.pending: list[tuple[Callable[[], Figure], Path]] = []
        self.figures = figures if figures is not None else fg.has_matplotlib()
        #: each figure's caption in the report, by file name: its words in the list of files too
        self.captions: dict[str, str] = {}
        if figures is None and not self.figures:
            warn(f"figures skipped: matplotlib is not installed ({fg.INSTALL_HINT})",
                 RunWarning)

    def path(self, name: str) -> Path:
        assert Path(name).stem not in TABLES, f"{name} would shadow an input table"
        self.written.append(self.folder / name)
        return self.tmp / name

    def csv(self, name: str, df: pd.DataFrame) -> str:
        """Write ``df`` as ``name``; its seconds (:data:`~resilient_sc.result_folders.TIMED_COLUMNS`) in
        :data:`TIMINGS` beside its first column, so that two runs of the same inputs write the same
        results."""
        timed = [c for c in TIMED_COLUMNS if c in df.columns]
        io.write_csv(self.path(name), df.drop(columns=timed))
        if timed:
            io.write_csv(self.path(TIMINGS), df[[df.columns[0], *timed]])
        return name

    def figure(self, name: str, draw: Callable[[], Figure]) -> str | None:
        """A PNG ``draw`` makes, drawn when the report is written (:meth:`draw_figures`); None
        when figures are off."""
        if not self.figures:
            return None
        self.pending.append((draw, self.path(name)))
        return name

    def image(self, name: str | None, caption: str) -> list[str]:
        """The report's lines showing figure ``name`` (none when figures are off) over ``caption``,
        which the list of files repeats (a screen reader heard 12 file names there, no words)."""
        if not name:
            return []
        self.captions[name] = caption
        return [f"![{caption}]({name})", ""]

    def report(self, lines: list[str]) -> list[Path]:
        io.write_text(self.path(REPORT), "\n".join(lines).rstrip() + "\n")
        return self.written

    def draw_figures(self) -> None:
        """Draw and write the figures asked for, in forked worker processes where that pays
        (:func:`figure_workers`), each the same bytes either way. The bundled example's premium
        report (nine PNGs) is written in 3.5 s against 6.0 s on two CPUs (`premium --out` 5.9
        s against 9.0 s)."""
        global _DRAWS
        jobs, self.pending = self.pending, []
        _DRAWS = [draw for draw, _ in jobs]
        tasks = [(i, path.suffix.lower().lstrip(".")) for i, (_, path) in enumerate(jobs)]
        try:
            images = run_all(_drawn, tasks, figure_workers(len(jobs)), start="fork", doing=DRAWING)
        finally:
            _DRAWS = []
        for (_, path), data in zip(jobs, images, strict=True):
            io.write_bytes(path, lambda fh, data=data: fh.write(data))


#: the draw callables of the figures being drawn by forked workers: closures over plans and
#: networks, which a worker inherits in the fork rather than being sent them
_DRAWS: list[Callable[[], Figure]] = []


def figure_workers(n: int) -> int:
    """Worker processes for ``n`` figures: one per CPU this process may use, at most one per
    figure; 1 (draw them here) for fewer than two figures, or where a fork is not safe
    (:func:`~.parallel.fork_is_safe`: the draw callables are closures no spawned process could
    be sent)."""
    return default_workers(n) if n >= 2 and fork_is_safe() else 1


def _drawn(i: int, fmt: str) -> bytes:
    """Figure ``i`` of :data:`_DRAWS` as ``fmt`` bytes (here, or in a forked worker), closed."""
    return fg.figure_bytes(_DRAWS[i](), fmt)


@contextmanager
def report_folder(folder: str | Path, figures: bool | None, force: bool,
                   data: str = "") -> Iterator[Writer]:
    """A :class:`Writer` whose files become ``folder`` as a whole when the block ends; never
    the ``data`` folder (:attr:`Network.location <resilient_sc.data.Network.location>`)."""
    check_result_folder(folder, data, force)
    with io.atomic_folder(folder, force=force) as tmp:
        writer = Writer(Path(folder), tmp, figures)
        yield writer
        writer.draw_figures()



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
    """A file-name part for a policy's name: ASCII letters and digits, accented letters without
    their accents (``Müller`` gave ``M_ller``: localisation audit), at most 60 characters (a
    300-character name ran every solve, then failed to write its figure: 'File name too long';
    the index before it keeps the names apart); ASCII, as every zip tool reads it.

    >>> slug("Müller-Variante 2"), slug("São Paulo / Zürich"), slug("ローカル50%")
    ('Muller-Variante_2', 'Sao_Paulo_Zurich', '50')
    """
    return re.sub(r"[^A-Za-z0-9_-]+", "_", unaccented(name)).strip("_")[:60].strip("_") or "policy"


def reasons(text: str) -> list[str]:
    r"""The reasons of an infeasibility message, one per item (its list items follow a header line).

    >>> reasons("no plan:\n  - a is short\n  - b is short")
    ['a is short', 'b is short']
    """
    lines = [ln.strip(" -") for ln in text.splitlines() if ln.strip(" -")]
    return [ln for ln in lines if not ln.endswith(":")] or lines or [text]


def first_reason(text: str) -> str:
    """The first reason of an infeasibility message, and how many more."""
    items = reasons(text)
    more = f" (and {count(len(items) - 1, 'more reason')})" if len(items) > 1 else ""
    return items[0].rstrip(".") + more + "."


def reason_lines(label: str, text: str) -> list[str]:
    r"""Markdown lines of ``label`` and the reasons of ``text``: on one line when there is one, else
    a bullet each (on lines of their own they ran together into one paragraph).

    >>> reason_lines("Infeasible", "a is short")
    ['Infeasible: a is short', '']
    >>> reason_lines("Infeasible", "a is short\nb is short")
    ['Infeasible:', '', '- a is short', '- b is short', '']
    """
    items = reasons(text)
    return [f"{label}: {items[0]}", ""] if len(items) == 1 else [f"{label}:", "", *bullets(items), ""]


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





def settings_of(solved: Any) -> Mapping[str, Any] | None:
    """The settings a plan or roadmap was solved with (``report.settings``), None without one."""
    return getattr(getattr(solved, "report", None), "settings", None) or None


def solved_section(settings: Mapping[str, Any] | None) -> list[str]:
    """How the report's plans were solved: the versions and the settings that may pick among
    equally cheap plans (``SolveReport.settings``), to reproduce the report (a folder said
    neither: threads or CPUs can pick another plan of the same cost)."""
    if not settings:
        return []
    threads = settings.get("threads")
    how = (f"{count(threads, 'thread')}" if threads is not None
           else f"HiGHS's choice of threads on {count(settings.get('cpus', 0), 'CPU')}")
    return ["## How it was solved", "",
            f"{written_by()} with HiGHS (highspy {highspy_version()}): mip_gap "
            f"{settings.get('mip_gap', math.nan):g}, seed {settings.get('seed')}, {how}; the same data and "
            "settings give the same plans (docs/reliability.md).", ""]


def files_section(w: Writer, described: dict[str, str],
                  settings: Mapping[str, Any] | None = None) -> list[str]:
    """The report's files, each with what it holds (``described``), after :func:`solved_section`
    of the ``settings`` its plans were solved with."""
    described = {**described, TIMINGS: "the seconds of each solve (solve_time) and, for a frontier, of "
                 "each point (time: its solves and stress test), apart from the results: two runs of the "
                 "same inputs write the same results"}
    names = [p.name for p in w.written]
    return [*solved_section(settings), "## Files", "",
            *[f"- `{n}`: {d}" for n, d in described.items() if n in names],
            *[f"- `{n}`" + (f": {w.captions[n]}" if n in w.captions else "")
              for n in names if n not in described],
            f"- `{REPORT}`: this report"]
