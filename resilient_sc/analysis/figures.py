"""Figures of the analyses: frontiers, premium bars, served-demand heatmaps and roadmaps (network
maps: :mod:`resilient_sc.analysis.maps`).

matplotlib is optional (``pip install '.[plots]'``) and imported only when a figure
is drawn. Figures are plain :class:`matplotlib.figure.Figure` objects on the Agg canvas (no
pyplot state, no display needed); :func:`save_figure` writes them as PNG or SVG atomically.
"""

from __future__ import annotations

import functools
import math
import sys
import textwrap
import warnings
from io import BytesIO
from numbers import Real
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .. import io
from ..exceptions import RunWarning, warn
from ..format import (
    count,
    premium_cell,
    served_fraction,
)
from ..output_words import penalty_prices
from ..policy import POLICY_FIELDS
from ..solvers.base import Status
from ..solvers.stops import stop_request
from ..wording import LABEL_CHARS, short_label
from .premium import NO_PENALTY_PCT, counts_penalties
from .stress import SERVED_TOL

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from .stress import StressResult

INSTALL_HINT = "pip install '.[plots]' in the resilient_sc source folder"


#: the colour of a frontier's served axis, its line and ticks: a dark orange, 4.5:1 on white
#: (matplotlib's tab:orange was 2.5:1, faint for its tick labels: audit)
SERVED_AXIS = "#b35900"


def premium_label(reference: str = "base") -> str:
    """The premium axis: ``premium over the cost of base (%)``; ``reference`` names another design
    the premiums are over (a base with a policy of its own, a frontier's starting policy)."""
    return f"premium over the cost of {reference} (%)"


def field_unit(field: str) -> str:
    """The unit of policy field ``field`` for labels (:data:`~resilient_sc.policy.POLICY_FIELDS`),
    ``policy value`` for a field without one."""
    row = POLICY_FIELDS.get(field)
    return row.unit if row is not None and row.unit else "policy value"


def new_figure(width: float, height: float) -> Figure:
    """An empty Figure on the Agg canvas whose texts are drawn as written (:func:`_literal_figure`);
    raises ImportError naming the ``plots`` extra."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
    except ImportError as exc:
        raise ImportError(f"figures need matplotlib: {INSTALL_HINT}") from exc
    fig = _literal_figure()(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    _quiet_glyphs()  # (a map measures its labels while it is built)
    return fig


@functools.cache
def _literal_figure() -> type[Figure]:
    """A Figure whose every text is drawn as written: names are the data's, and matplotlib reads
    text between two ``$`` as TeX (a policy "US$ 5% / US$ 10%" failed the whole report)."""
    from matplotlib.figure import Figure
    from matplotlib.text import Text

    class LiteralFigure(Figure):
        def literal(self) -> None:
            """Every text made so far drawn as written (a layout computed before drawing calls it)."""
            for text in self.findobj(Text):
                text.set_parse_math(False)

        def draw(self, renderer: Any) -> None:
            self.literal()
            super().draw(renderer)

        def get_tightbbox(self, *args: Any, **kwargs: Any) -> Any:  # a layout measures texts first
            self.literal()
            return super().get_tightbbox(*args, **kwargs)

        def tight_layout(self, *args: Any, **kwargs: Any) -> None:
            self.literal()
            super().tight_layout(*args, **kwargs)

    return LiteralFigure


def has_matplotlib() -> bool:
    """True when matplotlib can be imported. A Ctrl-C while it first loads is raised as one:
    its C module reports it as an ImportError ('initialization failed'), which read as
    matplotlib missing, and the report was written without figures instead of stopping."""
    try:
        import matplotlib  # noqa: F401
    except ImportError as exc:
        if stop_request.event.is_set() or isinstance(exc.__cause__ or exc.__context__, KeyboardInterrupt):
            raise KeyboardInterrupt from exc
        return False
    return True


def save_figure(fig: Figure, path: str | Path, dpi: int = 150) -> Path:
    """Write ``fig`` to ``path`` (``.png`` or ``.svg``) atomically, then close it."""
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in ("png", "svg"):
        raise ValueError(f"{path.name}: figures are written as .png or .svg")
    data = figure_bytes(fig, fmt, dpi)
    io.write_bytes(path, lambda fh: fh.write(data))
    return path


def figure_bytes(fig: Figure, fmt: str, dpi: int = 150) -> bytes:
    """``fig`` as the bytes of a ``png`` (:func:`_png`) or ``svg`` file; then closed. Characters
    its fonts have no glyph for (Chinese names in DejaVu Sans) are said in one warning
    (:func:`_say_missing_glyphs`), not one matplotlib warning a character (46 for one report, none
    saying the names were unreadable: audit)."""
    buffer = BytesIO()
    try:
        _quiet_glyphs()
        _say_missing_glyphs(fig)
        if fmt == "png":
            _png(fig, buffer, dpi)
        else:
            fig.savefig(buffer, format=fmt, dpi=dpi)
    finally:
        pyplot = sys.modules.get("matplotlib.pyplot")
        if pyplot is not None:  # a pyplot figure: drop it from pyplot's registry
            pyplot.close(fig)
    return buffer.getvalue()


def _quiet_glyphs() -> None:
    """matplotlib's warning of each character its font lacks, raised in this package's figures (its
    warn_external names the first caller outside matplotlib), ignored: :func:`_say_missing_glyphs`
    says them once a figure. A filter of this package's own warnings, put (back) in place by each
    figure, never a catch_warnings: that is the process's, not thread-safe (two threads drawing left
    its filters in force for good: review), and a filter set within one is gone when it ends."""
    warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from (current )?font",  # (3.8: current)
                            category=UserWarning, module=r"resilient_sc\.")


def _say_missing_glyphs(fig: Figure) -> None:
    """One warning naming the characters of ``fig``'s texts that none of their fonts can draw."""
    from matplotlib import font_manager
    from matplotlib.text import Text

    missing: dict[str, None] = {}
    find = getattr(font_manager.fontManager, "_find_fonts_by_props", None)  # with its fallbacks
    for text in fig.findobj(Text):
        chars = dict.fromkeys(ch for ch in text.get_text() if not ch.isascii() and ch.isprintable()
                              and not ch.isspace())
        if not chars:
            continue
        props = text.get_fontproperties()
        paths = find(props) if find is not None else [font_manager.findfont(props)]
        maps = [font_manager.get_font(path).get_charmap() for path in paths]
        missing.update(dict.fromkeys(ch for ch in chars if not any(ord(ch) in m for m in maps)))
    if missing:
        shown, more = list(missing), " …" if len(missing) > 8 else ""
        warn(f"(figures) | the figures' font has no glyph for {len(shown)} character"
             f"{'s' * (len(shown) > 1)} of the names ({' '.join(shown[:8])}{more}), "
             "drawn as boxes: names in that script are unreadable in the figures (the tables keep them); "
             "install a font that has them (Noto Sans CJK: Debian's fonts-noto-cjk) and set matplotlib's "
             "font.family to it", RunWarning)


def _png(fig: Figure, fh: Any, dpi: int) -> None:
    """``fig`` as PNG from one drawing: savefig draws a constrained layout twice (its layout pass,
    then the picture), the same pixels in about two thirds of the time (a ladder S map 2.1 →
    1.4 s). A figure drawn otherwise than by Agg, or asked another background by the savefig
    settings, goes through savefig; the figure keeps its own dpi. Opaque, it is saved as RGB."""
    from matplotlib import rcParams
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    plain = rcParams["savefig.facecolor"] == "auto" and not rcParams["savefig.transparent"]
    if not (isinstance(fig.canvas, FigureCanvasAgg) and plain):
        fig.savefig(fh, format="png", dpi=dpi)
        return
    own = fig.get_dpi()
    try:
        fig.set_dpi(dpi)
        fig.canvas.draw()
        pixels = np.asarray(fig.canvas.buffer_rgba())
        image = Image.fromarray(pixels)
        if (pixels[..., 3] == 255).all():  # opaque: a quarter fewer bytes to compress
            image = image.convert("RGB")
        # zlib's fastest level: a ladder S map 0.64 -> 0.35 s, 10% smaller with the RGB
        image.save(fh, "png", dpi=(dpi, dpi), compress_level=1)
    finally:
        fig.set_dpi(own)


def frontier_figure(df: pd.DataFrame, field: str, reference: str = "base") -> Figure:
    """Premium (% of the cost of ``reference``, the axis from 0) against the values of ``field`` from
    :func:`frontier`, with the demand served under the worst failure (%) on a second y axis;
    infeasible values are marked on the x axis."""
    fig = new_figure(7.0, 4.8)
    ax = fig.subplots()
    values = df[field].tolist()
    numeric = all(isinstance(v, Real) and not isinstance(v, bool) for v in values)
    x = np.asarray(values, float) if numeric else np.arange(len(values), dtype=float)
    feasible = df["cost"].notna().to_numpy()
    infeasible = (~feasible) & df["status"].eq("infeasible").to_numpy()
    unproven = feasible & df["status"].ne(Status.OPTIMAL.value).to_numpy()
    premium = df["premium_pct"].to_numpy(float)
    lowest = float(np.nanmin(premium, initial=0.0))
    split = counts_penalties(df)
    if split:
        network = df["network_premium_pct"].to_numpy(float)
        lowest = min(lowest, float(np.nanmin(network, initial=0.0)))
        ax.plot(x, premium, "o-", color="tab:blue", label="premium (cost counts shortfall and\n"
                                                           "disruption-scenario cost)")
        ax.plot(x, network, "o:", color="tab:blue", label="network premium (without them)")
    else:
        ax.plot(x, premium, "o-", color="tab:blue", label="premium")
    # from 0 (or below, for a negative premium): a cut axis makes a small premium look steep
    highest = float(np.nanmax(premium, initial=0.0))
    # a margin below the lowest point (0 or a negative premium), which was drawn half cut off by the
    # axis, as was the worst-case service at 0% (the two zeros are level)
    ax.set_ylim(bottom=lowest - 0.05 * ((highest - lowest) or max(abs(highest), 1.0)))
    ax.set_xlabel(f"{field} ({field_unit(field)})")
    ax.set_ylabel(premium_label(reference), color="tab:blue")
    ax.tick_params(axis="y", colors="tab:blue")
    if not numeric:
        ax.set_xticks(x, [_short(v) for v in values])
    unsolved = ~feasible & ~infeasible
    for missing, marker, label in ((infeasible, "x", "infeasible"),
                                   (unsolved, "+", "not solved, no plan kept")):
        if missing.any():  # on the x axis itself (axes' bottom), not at a premium of 0 read as one
            ax.plot(x[missing], np.zeros(int(missing.sum())), marker, color="tab:red", ms=9, mew=2,
                    clip_on=False, transform=ax.get_xaxis_transform(),
                    label=f"{label}: no premium (on the x axis)")
    if not feasible.any():  # no premium at all: an axis of -0.04 to 0.04 read as one
        ax.set_yticks([])
        ax.text(0.5, 0.5, f"no value of {field} tried gives a plan", transform=ax.transAxes, ha="center",
                va="center", color="tab:red")
    if unproven.any():  # a cost that is only an upper bound: the curve need not rise there
        ax.plot(x[unproven], premium[unproven], "o", mfc="white", mec="tab:red", ms=9,
                label="best plan found, not proven optimal")
    from .stress import replayed_kinds, single_failures_words

    handles = ax.get_legend_handles_labels()[0]
    if not replayed_kinds(df):  # not stress-tested: no service axis of blanks
        fig.legend(handles=handles, loc="outside lower center", ncols=2, fontsize="small")
        ax.set_title(f"Cost over the values of {field} (designs not stress-tested)")
        ax.grid(alpha=0.3)
        return fig
    twin = ax.twinx()
    served = 100 * df["worst_served"].to_numpy(float) if "worst_served" in df else np.full(len(df), np.nan)
    twin.plot(x, served, "s--", color=SERVED_AXIS, ms=5, label="worst-case guaranteed service")
    words = single_failures_words(replayed_kinds(df))
    twin.set_ylabel(f"guaranteed to every market and product\nunder the worst {words}\n"
                    "replayed (% of demand)", color=SERVED_AXIS)
    twin.tick_params(axis="y", colors=SERVED_AXIS)
    low, high = ax.get_ylim()  # the two zeros level: a negative premium never reads as 0% served
    if low < 0 and -low > 0.25 * (high - low):  # mostly below 0: zero at mid-height at most, the
        high = max(high, -low)  # premiums below and the % served above each get half the height
        ax.set_ylim(low, high)
    share = -low / (high - low) if low < 0 else 0.0
    twin.set_ylim(-105 * share / (1 - share), 105)
    twin.set_yticks([0, 25, 50, 75, 100])  # no negative fraction served
    ax.set_zorder(twin.get_zorder() + 1)  # the premium in front, where both are at 0
    ax.patch.set_visible(False)
    handles += twin.get_legend_handles_labels()[0]
    # below the axes: inside, a corner legend hides the points that fall in it
    fig.legend(handles=handles, loc="outside lower center", ncols=2, fontsize="small")
    ax.set_title(f"Cost and resilience over the values of {field}")
    ax.grid(alpha=0.3)
    return fig


def _wrapped(name: str, chars: int) -> str:
    """``name`` in lines of about ``chars``, at most 4; a word is cut only when it is more than
    twice as long ('friend_shoring' was split as 'friend_shori / ng')."""
    cut = max(map(len, name.split()), default=0) > 2 * chars
    return textwrap.fill(name, chars, break_on_hyphens=False, break_long_words=cut, max_lines=4,
                         placeholder=" …")


def premium_figure(table: pd.DataFrame, reference: str = "base") -> Figure:
    """Premium (% of the cost of ``reference``) per policy from :func:`premium`, each bar annotated with the
    demand served under its worst failure; policies without a plan are labelled (infeasible, not
    solved), not drawn, and plans not proven optimal say so. Where a cost counts shortfall and
    disruption-scenario cost (:func:`~.premium.counts_penalties`), the bar is split: the network's
    premium solid, that cost hatched, stacked on it when both have one sign and from 0 otherwise
    (a network that sheds demand costs less, its penalty more: both parts stay visible)."""
    fig = new_figure(max(5.0, 1.3 * len(table) + 2), 4.6)
    ax = fig.subplots()
    pct = table["premium_pct"].to_numpy(float) if "premium_pct" in table else np.full(len(table), np.nan)
    x = np.arange(len(table))
    status = table["status"].astype(str).to_numpy()
    colors = ["tab:gray" if i == 0 else "tab:blue" for i in x]
    split = counts_penalties(table)
    net = np.nan_to_num(table["network_premium_pct"].to_numpy(float) if split else pct)
    ax.bar(x, net, color=colors)
    top, bottom = np.maximum(net, 0.0), np.minimum(net, 0.0)  # the bars' reach above and below 0
    if split:
        from matplotlib.patches import Patch

        extra = np.nan_to_num(pct - net)
        some = np.abs(extra) > NO_PENALTY_PCT  # no outline on the bars without any
        start = np.where(np.sign(extra) == np.sign(net), net, 0.0)
        penalty = {"facecolor": "white", "edgecolor": "tab:red", "hatch": "//"}
        ax.bar(x[some], extra[some], bottom=start[some], **penalty)
        top, bottom = np.maximum(top, start + extra), np.minimum(bottom, start + extra)
        # below the axes: inside, it would cover the bars' labels
        fig.legend(handles=[Patch(color="tab:blue", label="network: design and flows"),
                            Patch(**penalty, label="shortfall and disruption-scenario cost, counted only "
                                                   "with a shortfall penalty\n(the scenarios' deliveries "
                                                   "counted again: not what disruptions add)")],
                   loc="outside lower center", fontsize="small")
    # long names (a glide path's default name) wrapped, not run into their neighbours, at most 4
    # lines (a 300-character name collapsed the axes); the tables give them whole
    chars = max(12, int(8 * (fig.get_figwidth() - 1.5) / max(len(table), 1)))  # about 8 a inch
    names = [_wrapped(n.replace(",", ", ").replace("=", "= "), chars) for n in table["policy"].astype(str)]
    many = len(table) > 4
    ax.set_xticks(x, names, rotation=20 if many else 0, fontsize="small" if many else None)
    ax.set_xlabel("policy")
    ax.set_ylabel(premium_label(reference))
    ax.set_title("Resilience premium and worst-case service")
    # room above the highest bar (or above 0) for the labels of up to six lines, below the title
    low, high = float(bottom.min(initial=0.0)), float(top.max(initial=0.0))
    span = (high - low) or 1.0
    ax.set_ylim(low - 0.08 * span, high + 0.6 * span)
    worst = table.get("worst_served", pd.Series(np.nan, index=table.index)).to_numpy(float)
    intact = table.get("intact_served", pd.Series(np.nan, index=table.index)).to_numpy(float)
    for i, (p, n, w, s, v) in enumerate(zip(pct, net, worst, status, intact, strict=True)):
        if math.isnan(p):
            ax.annotate("infeasible" if s == "infeasible" else "not solved\n(no plan kept)", (i, 0),
                        xytext=(0, 3), textcoords="offset points", ha="center", va="bottom", color="tab:red")
            continue
        kept = (f"every market keeps\n≥ {served_fraction(w)} of each\nproduct's demand" if w > 1e-9
                else "a market loses all\nof a product")
        served = "\nworst failure replayed:\n" + kept
        own = f" (network {premium_cell(n)})" if split and abs(p - n) > NO_PENALTY_PCT else ""
        if v < 1 - SERVED_TOL:  # a design that sheds demand on purpose: cheaper, serving less
            own += f"\nnothing failed: delivers\n{served_fraction(v)} of demand"
        proof = "" if s == Status.OPTIMAL.value else "\nnot proven optimal"
        text = premium_cell(p) + own + proof + ("" if math.isnan(w) else served)  # the table's decimals
        ax.annotate(text, (i, top[i]), xytext=(0, 3), textcoords="offset points", ha="center",
                    va="bottom", fontsize="small", color="tab:red" if proof else "black")
    ax.axhline(0, color="black", lw=0.8)
    ax.grid(axis="y", alpha=0.3)
    return fig


#: bin edges (% served) of the served heatmaps: fine near 100%, so that 95% and 100% differ
SERVED_BINS = (0.0, 25.0, 50.0, 70.0, 80.0, 90.0, 95.0, 99.0, 99.95, 100.0)
#: the served heatmap's product panels stand one above the other beyond this many markets (side by side,
#: 3 products of 24 markets made a 24-inch strip whose labels read at 4 px in a report's column: audit)
STACKED_MARKETS = 16


#: the most markets named along a panel of :func:`served_heatmap`
MARKET_LABELS = 60


def served_heatmap(stress: StressResult, title: str = "Demand served per failure",
                   service_level: float | pd.DataFrame | None = None) -> Figure:
    """Served fraction (%) of each market's demand of each product under each failure that
    leaves some demand short: one panel per product (up to 4; beyond, the lowest fraction over
    the market's products, labelled so). Failures and markets that are fully served everywhere
    are left out and counted in the caption; colours are binned finely near 100%, and cells
    below ``service_level`` are framed: a fraction (marked on the colour bar), or one per market
    (rows) and product (columns) (:func:`~resilient_sc.analysis.report.service_levels`; the
    panel of the lowest over products frames a cell where any product is below its own level)."""
    from matplotlib import colormaps
    from matplotlib.colors import BoundaryNorm, ListedColormap
    from matplotlib.patches import Rectangle

    from .stress import NOTHING_FAILED

    f = stress.failures
    hurt = stress.worse_than_intact()
    own = stress.short_intact()  # then a first row: what the design leaves short by its own policy
    rows = [NOTHING_FAILED, *hurt] if own else hurt
    products = stress.products if len(stress.products) <= 4 else [None]
    mats = {p: 100 * stress.served_matrix(p).reindex(rows) for p in products}
    every = pd.unique(stress.shortfalls["market"])
    full_pct = 100 * (1 - SERVED_TOL)
    markets = [m for m in every if any(m in mat and (mat[m] < full_pct).any() for mat in mats.values())]
    n_rows, n_cols = max(len(rows), 1), max(len(markets), 1)
    # beyond STACKED_MARKETS markets the product panels stand one above the other: side by side,
    # 150 markets made a 24-inch strip whose names read at 2 points on a report's page
    stacked = len(products) > 1 and n_cols > STACKED_MARKETS
    across = 1 if stacked else len(products)
    width = min(16.0 if stacked else 24.0, max(6.0, 3.0 + across * (0.8 + 0.32 * n_cols)))
    height = (len(products) * (1.0 + 0.3 * n_rows) + 1.8) if stacked else 2.6 + 0.3 * n_rows
    fig = new_figure(width, min(30.0 if stacked else 16.0, height))
    # what a replay is, in the title: the figure travels without the report's words
    fig.suptitle(wrapped(f"{title}; each failure replayed on the design, its flows re-routed", width, 9.5))
    if not rows:
        ax = fig.subplots()
        ax.set_axis_off()
        ax.text(0.5, 0.5, f"all demand is served under each of the {len(f)} failures replayed",
                ha="center", va="center", transform=ax.transAxes)
        return fig
    levels = service_level if isinstance(service_level, pd.DataFrame) else None
    uniform = None if levels is not None or not service_level else float(service_level)
    bins = sorted({*SERVED_BINS, *([100 * uniform] if uniform else [])})
    # dark red (none served) to pale yellow, and white where all of it is: lightness rises with the
    # fraction served, so it reads in greyscale and to colour-blind eyes alike (red to blue ending in
    # navy printed 0% and 100% as one dark grey: audit); white and hatched grey where the market has no
    # demand for the product
    colors = [*colormaps["YlOrRd_r"](np.linspace(0.0, 0.9, len(bins) - 2)), (1.0, 1.0, 1.0, 1.0)]
    cmap = ListedColormap(colors).with_extremes(bad="white")
    norm = BoundaryNorm(bins, cmap.N)
    dark = {i for i, c in enumerate(colors) if 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2] < 0.45}
    axes = (fig.subplots(len(products), 1, sharex=True, squeeze=False)[:, 0] if stacked
            else fig.subplots(1, len(products), sharey=True, squeeze=False)[0])
    image = None
    for ax, product in zip(axes, products, strict=True):
        values = mats[product].reindex(columns=markets).to_numpy(float)
        full = values >= 100 * (1 - SERVED_TOL)
        # a cell short of its demand, even by 0.01%, is never coloured or labelled as fully served
        shown = np.where(full, 100.0, np.minimum(values, SERVED_BINS[-2] - 1e-6))
        image = ax.imshow(shown, cmap=cmap, norm=norm, aspect="auto", interpolation="nearest")
        for j in np.flatnonzero(np.isnan(values).all(axis=0)):  # no demand: the whole column
            ax.add_patch(Rectangle((j - 0.5, -0.5), 1, len(rows), facecolor="none", hatch="////",
                                   edgecolor="#8c8c8c", lw=0))
        ax.set_title(f"{product} (% of its demand)" if product is not None
                     else f"lowest over the {len(stress.products)} products", fontsize="medium")
        # at most MARKET_LABELS names a panel (438 on ladder S, 8 px apart: unreadable, and 40% of
        # the figure's drawing time), every cell still drawn
        step = math.ceil(len(markets) / MARKET_LABELS)
        ax.set_xticks(np.arange(0, len(markets), step),
                      [short_label(str(m), LABEL_CHARS) for m in markets[::step]], rotation=90,
                      fontsize="small")
        if step > 1 and ax is axes[-1]:
            ax.set_xlabel(f"market (one in {step} named, {len(markets)} in all: stress_shortfalls.csv "
                          "lists each)", fontsize="small")
        ax.set_yticks(np.arange(len(rows)), [short_label(str(r), LABEL_CHARS) for r in rows],
                      fontsize="small")
        if values.size <= 300 and step == 1:  # a number per cell where each cell is wide enough
            for (i, j), v in np.ndenumerate(values):
                if np.isnan(v):
                    continue
                # rounded down, as every served fraction
                short = served_fraction(v / 100)[:-1] if v >= 99 else f"{math.floor(v + 100 * SERVED_TOL)}"
                text = "100" if full[i, j] else short
                ax.text(j, i, text, ha="center", va="center", fontsize="x-small",
                        color="white" if int(norm(shown[i, j])) in dark else "black")
        # each product below its own level; in the panel of the lowest over products, any product
        if levels is None:
            below = _below(values, uniform) if uniform else np.zeros(values.shape, bool)
        elif product is not None:  # the panel's own values, not its product's matrix again
            below = _below(values, _level_of(levels, product, markets))
        else:
            below = np.logical_or.reduce([_below(_pct(stress, p, rows, markets),
                                                 _level_of(levels, p, markets)) for p in stress.products])
        for i, j in zip(*np.nonzero(below), strict=True):  # white round black: seen on dark and pale cells
            for lw, colour in ((3.2, "white"), (1.4, "black")):
                ax.add_patch(Rectangle((j - 0.45, i - 0.45), 0.9, 0.9, fill=False, lw=lw, color=colour))
    for ax in axes if stacked else axes[:1]:
        ax.set_ylabel("failure")
    bar = fig.colorbar(image, ax=list(axes), ticks=bins, label="demand served (%)", shrink=0.9)
    level = 100 * uniform if uniform else None
    bar.ax.set_yticklabels([f"{b:g}" + (" = service level" if b == level else "") for b in bins],
                           fontsize="x-small")
    if level is not None:
        bar.ax.axhline(level, color="black", lw=2.0)
    quiet = len(f) - len(hurt)
    priced = (f"Re-routed at the penalties given for a unit short ({penalty_prices(stress)}): what those "
              "prices serve, which may leave short what the design could deliver. ") if stress.priced else ""
    if own:
        shown = (f"Markets across, failures down. {priced}First row: {stress.intact_row}, which leaves some "
                 f"demand short; {len(hurt)} of {len(f)} failures "
                 f"serve some market less than that, {quiet} {'does' if quiet == 1 else 'do'} not and "
                 f"{'is' if quiet == 1 else 'are'} not shown")
    else:
        shown = (f"Markets across, failures down. {priced}{len(hurt)} of {len(f)} failures leave demand "
                 f"short; {quiet} {'serves' if quiet == 1 else 'serve'} all of it and "
                 f"{'is' if quiet == 1 else 'are'} not shown")
    if any(mat.reindex(columns=markets).isna().to_numpy().any() for mat in mats.values()):
        shown += ". Hatched: no demand for the product in the market"
    hidden = len(every) - len(markets)
    if hidden:
        shown += (f"; {count(hidden, 'market')} fully served under every failure "
                  f"{'is' if hidden == 1 else 'are'} not shown")
    if uniform:
        shown += f". Framed: below the service level {_level(uniform)}"
    elif levels is not None:
        whose = "the product" if products != [None] else "some product (the lowest is shown)"
        shown += (f". Framed: below the market's own service level for {whose} ({_levels_words(levels)}); "
                  "the replay holds one floor for all markets, so a framed market may get its level under "
                  "another re-routing")
    fig.supxlabel(wrapped(shown + ".", width, 13.0), fontsize="small")
    return fig


def _level_of(levels: pd.DataFrame, product: str, markets: list[Any]) -> np.ndarray:
    """Each of ``markets``' service level of ``product`` (NaN where it has no demand for it)."""
    return levels.get(product, pd.Series(dtype=float)).reindex(markets).to_numpy(float)


def _pct(stress: StressResult, product: str, rows: list[str], markets: list[Any]) -> np.ndarray:
    """The served % of ``product`` under each of ``rows`` (failures) in each of ``markets``."""
    return 100 * stress.served_matrix(product).reindex(index=rows, columns=markets).to_numpy(float)


def _below(served_pct: np.ndarray, level: float | np.ndarray) -> np.ndarray:
    """Cells of ``served_pct`` (%) below ``level`` (a fraction, one or per market), no demand never."""
    return np.nan_to_num(served_pct, nan=100.0) < 100 * (np.nan_to_num(level, nan=0.0) - SERVED_TOL)


def _levels_words(levels: pd.DataFrame) -> str:
    """``cells 50%, chips 90%`` where each product has one level, else their range."""
    per = {str(p): levels[p].dropna().unique() for p in levels.columns}
    if all(len(v) == 1 for v in per.values()):
        return ", ".join(f"{p} {_level(v[0])}" for p, v in per.items())
    every = levels.stack().dropna()
    return f"{_level(every.min())} to {_level(every.max())}, by region and product as the policy sets"


def _level(v: float) -> str:
    """A service level as the policy gives it: 0.875 is 87.5% (rounded to 88%, a cell at 87.6% read
    unframed beside 'below the service level 88%': audit).

    >>> _level(0.875), _level(0.8)
    ('87.5%', '80%')
    """
    return f"{100 * v:.12g}%"


def wrapped(text: str, width: float, per_inch: float) -> str:
    """``text`` broken into lines that fit a figure ``width`` inches wide at ``per_inch``
    characters an inch (a title or caption longer than a small figure is never cut off); a
    hyphenated word is kept whole (a title broke 're-' / 'routed').

    >>> print(wrapped("its demand served, re-routed", 2.2, 10.0))
    its demand served,
    re-routed
    """
    import textwrap

    return textwrap.fill(text, max(20, int(width * per_inch)), break_on_hyphens=False)


def _short(value: Any) -> str:
    text = ",".join(map(str, value)) if isinstance(value, list | tuple) else str(value)
    return text if len(text) <= 18 else text[:17] + "…"

