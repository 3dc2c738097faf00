"""The roadmap figure: which suppliers and hubs operate in each period (bars by country, starts and
stops marked) over the local, allied and top-country shares and each period's cost. matplotlib is
optional (``pip install '.[plots]'``) and imported only when the figure is drawn."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..exceptions import ValidationError
from ..format import and_list, money_label, quantity, relative_gap
from ..results import NO_PENALTY, network_beside, penalty_cost
from ..roadmap import Roadmap
from ..solvers.base import Status
from ..wording import LABEL_CHARS, quote, short_label
from .figures import new_figure, wrapped

if TYPE_CHECKING:  # matplotlib is optional: a roadmap report without it writes its tables
    from matplotlib.figure import Figure

#: markers of the roadmap timeline: started (opening cost paid), stopped (closing cost paid)
STARTED, STOPPED = ("^", "tab:green"), ("v", "tab:red")


def roadmap_figure(roadmap: Roadmap, title: str = "Restructuring roadmap") -> Figure:
    """A roadmap over its periods (x axis: the period ids). Top: one row per supplier and hub that
    operates (or is stopped) in some period, its country beside its id, suppliers first, each group
    by country; a bar across every period it operates, coloured by its country (hatched where it
    carries nothing: kept as a backup or to spare its closing cost); ▲ where it starts (opening
    cost paid), ▼ where it stops (closing cost paid), on the boundary with the period before.
    Bottom: the local, allied and top-country shares of demand per period (%, weighted as
    :meth:`Plan.share_weighting` says), the top country named. The title gives the total cost
    Σ weight × period cost (money), each period's own cost (unweighted) and weight are under its id."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    if not isinstance(roadmap, Roadmap):  # a Plan: an AttributeError ('period_ids') said nothing
        raise ValidationError([f"(roadmap) | {quote(repr(roadmap))} ({type(roadmap).__name__}) is not a "
                               "roadmap from solve_roadmap(); a single-period plan draws with network_map"])
    ids, d = roadmap.period_ids, roadmap.design
    n = len(ids)
    used = roadmap.timeline()[["kind", "id", "country"]]
    groups = [(kind, used.loc[used["kind"] == kind].sort_values(["country", "id"]))
              for kind in ("supplier", "hub")]
    groups = [(kind, g) for kind, g in groups if len(g)]
    labels: list[str] = []
    rows: list[tuple[int, str, str]] = []  # (y, id, country) of each element
    for kind, g in groups:
        labels.append(f"{kind}s")
        for e, c in zip(g["id"], g["country"], strict=True):
            rows.append((len(labels), e, c))
            # its country beside it, colour not the only cue (country pairs read alike to colour-blind
            # eyes and in greyscale); cut in the middle to LABEL_CHARS, the legends kept on the page
            # (a 50-character id pushed them past its edge: audit)
            labels.append(short_label(f"{e} ({c})", LABEL_CHARS))
    countries = list(dict.fromkeys(c for _, _, c in rows))
    colour = _country_colours(roadmap, countries)
    # tall enough for its rows, and for both legends of its column: the markers' (1.45 in) above
    # the countries' (title and one 0.22 in line per country)
    top_h = max(0.6 + 0.24 * len(labels), 1.45 + 0.5 + 0.22 * min(len(countries), 16))
    main_w, legend_w = max(5.0, 1.6 + 1.3 * n), 2.6
    fig = new_figure(main_w + legend_w, top_h + 3.6)
    grid = fig.add_gridspec(2, 2, height_ratios=[top_h, 2.6], width_ratios=[main_w, legend_w])
    ax = fig.add_subplot(grid[0, 0])
    bottom = fig.add_subplot(grid[1, 0], sharex=ax)
    keys = fig.add_subplot(grid[0, 1])
    keys.set_axis_off()
    ax.tick_params(labelbottom=False)
    flags = {k: g.set_index("period").loc[ids] for k, g in d.groupby(["kind", "id"], sort=False)}
    kind_of = {e: k for k, g in groups for e in g["id"]}
    for y, e, c in rows:
        f = flags[(kind_of[e], e)]
        carrying = f["carrying"].to_numpy(bool)
        on, idle = np.flatnonzero(carrying), np.flatnonzero(f["operating"].to_numpy(bool) & ~carrying)
        ax.barh(np.full(len(on), y), 1.0, left=on - 0.5, height=0.62, color=colour[c],
                edgecolor="white", linewidth=0.6)
        ax.barh(np.full(len(idle), y), 1.0, left=idle - 0.5, height=0.62, color="white", hatch="////",
                edgecolor=colour[c], linewidth=0.6)  # contracted, carrying nothing: no supply from c
        for mask, (marker, face) in ((f["started"], STARTED), (f["stopped"], STOPPED)):
            at = np.flatnonzero(mask.to_numpy(bool))
            if not len(at):  # an empty unclipped line would stretch the layout to the origin
                continue
            ax.plot(at - 0.5, np.full(len(at), y), marker, color=face, mec="black", mew=0.6, ms=7,
                    ls="none", clip_on=False, zorder=3)
    ax.set_yticks(np.arange(len(labels)), labels, fontsize="small" if len(labels) <= 30 else "x-small")
    headers = {f"{kind}s" for kind, _ in groups}
    for tick in ax.get_yticklabels():
        if tick.get_text() in headers:
            tick.set_fontweight("bold")
    ax.set_ylim(len(labels) - 0.5, -0.5)
    ax.set_xlim(-0.7, n - 0.3)
    for x in np.arange(n + 1) - 0.5:
        ax.axvline(x, color="0.85", lw=0.8, zorder=0)
    ax.set_title("suppliers and hubs operating per period", fontsize="medium")
    marks: list[Any] = [Line2D([], [], marker=m, color=c, mec="black", ls="none", label=text) for (m, c), text
                        in ((STARTED, "started (opening cost)"), (STOPPED, "stopped (closing cost)"))]
    if (d["operating"] & ~d["carrying"]).any():
        marks.append(Patch(facecolor="white", edgecolor="0.3", hatch="////",
                           label="idle: operating,\ncarrying nothing"))
    first = keys.legend(handles=marks, loc="upper left", fontsize="small", alignment="left",
                        title="against the period before;\nno ▲ in the first period:\n"
                              "operating before it", title_fontsize="x-small")
    keys.add_artist(first)
    second = keys.legend(handles=[Patch(color=colour[c], label=c) for c in countries], title="country",
                         loc="upper left", bbox_to_anchor=(0.0, 1.0 - 1.45 / top_h), fontsize="small",
                         alignment="left", ncols=1 if len(countries) <= 16 else 2)
    for legend in (first, second):  # the legend column is sized above, not by the layout
        legend.set_in_layout(False)
    _shares_panel(bottom, roadmap, fig.add_subplot(grid[1, 1]))
    proof = "" if roadmap.status is Status.OPTIMAL else (
        f"; not proven optimal ({roadmap.status.value}, gap {relative_gap(roadmap.gap)})")
    # wrapped: a long policy name or the proof's words must not run off a narrow figure
    network = network_beside(roadmap.objective, roadmap.network_cost())  # the rest: shortfall, disruptions
    rest = "" if network is None else (f", of which the network {money_label(network)} and the rest "
                                       "shortfall and disruption-scenario cost")
    heading = (f"{title}: total cost {money_label(roadmap.objective)} (Σ weight × period cost, money"
               f"{rest}){proof}")
    fig.suptitle(wrapped(heading, fig.get_figwidth(), 9.5))
    return fig


def _country_colours(roadmap: Roadmap, countries: list[str]) -> dict[str, Any]:
    """A colour per country, the same in every roadmap figure of one network whatever the order
    of its rows: by the country's place among the sorted countries of the network's suppliers
    and hubs, then of ``countries``."""
    net = roadmap.model.network if roadmap.model is not None else None
    known = [] if net is None else sorted({*net.suppliers["country"], *net.hubs["country"]})
    every = [*known, *sorted(set(countries) - set(known))]
    return dict(zip(every, _palette(len(every)), strict=True))


def _shares_panel(ax: Any, roadmap: Roadmap, keys: Any) -> None:
    """The bottom panel of :func:`roadmap_figure`: shares per period (%), period costs under the ids."""
    shares = roadmap.shares()
    x = np.arange(len(shares))
    # local drawn wide with hollow markers, allied thin inside it: equal shares stay both visible
    for column, label, style, size in (("local_share", "local (market's region)", "o-", 3.0),
                                       ("allied_share", "allied (country or bloc)", "s-", 1.2),
                                       ("top_country_share", "top origin country", "D--", 1.5)):
        ax.plot(x, 100 * shares[column].to_numpy(float), style, label=label, lw=size, markersize=3 + 2 * size,
                markerfacecolor="none" if column == "local_share" else None,
                color="black" if column == "top_country_share" else None)
    others = 100 * shares[["local_share", "allied_share"]].to_numpy(float)
    for xi, period in enumerate(shares["period"]):  # a gap in the lines, said (it read as missing data)
        if not roadmap.plans[period].shares["demand"].any():
            ax.text(xi, 50, "no demand", ha="center", va="center", rotation=90, fontsize="small",
                    color="grey")
    for xi, (c, v) in enumerate(zip(shares["top_country"], 100 * shares["top_country_share"], strict=True)):
        if c:
            offset, ha, va = _label_place(others[xi] - v)
            ax.annotate(c, (xi, v), xytext=offset, textcoords="offset points", ha=ha, va=va,
                        fontsize="small", fontweight="bold",
                        bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.85})
    ax.set_ylabel(f"share of demand (%)\n{roadmap.share_weighting()}\nover all markets", fontsize="small")
    ax.set_ylim(0, 112)
    costs = roadmap.costs.set_index("period")["total"]
    weights = roadmap.periods.set_index("period")["weight"]  # a weight-0 period's cost counts for nothing
    # a product a line: side by side, two periods' words ran into each other (so their units are
    # said once, below)
    rows = [(p, r) for p, plan in roadmap.plans.items()
            for r in plan.delivery().itertuples() if r.shortfall > 0]
    short = {p: "".join(f"\n{r.product} {quantity(r.shortfall)}" for q, r in rows if q == p)
             for p in roadmap.plans}
    ax.set_xticks(x, [f"{p}\n{money_label(costs[p])}\n× {weights[p]:g}"
                      + (f"\nshort:{short[p]}" if short[p] else "") for p in shares["period"]])
    by_unit: dict[str, list[str]] = {}
    for _, r in rows:
        named = by_unit.setdefault(r.unit, [])
        if r.product not in named:
            named.append(r.product)
    units = "; ".join(f"{and_list(named)} in {u}" for u, named in by_unit.items())
    unmet = f"; and what is left unmet of each product (short: {units})" if rows else ""
    penalised = any(penalty_cost(p) > NO_PENALTY for p in roadmap.plans.values())
    costs = "opening and closing" + (", shortfall and disruption-scenario cost" if penalised else "")
    ax.set_xlabel(wrapped(f"period; under it the period's cost (money, unweighted, with {costs}) "
                          f"and its weight in the total{unmet}", ax.figure.get_figwidth(), 11),
                  fontsize="small")
    ax.grid(axis="y", alpha=0.3)
    keys.set_axis_off()
    keys.legend(*ax.get_legend_handles_labels(), loc="upper left", fontsize="small", title="share",
                title_fontsize="small", alignment="left").set_in_layout(False)


def _label_place(gaps: np.ndarray) -> tuple[tuple[int, int], str, str]:
    """Where the top country's name goes beside its marker, given the other lines' heights above
    it (``gaps``, percentage points): above; below when a line is just above; to the left, on its
    own dashed line, when lines are close on both sides (never where it reads as another line's).
    Returns (offset in points, horizontal and vertical alignment).

    >>> _label_place(np.array([30.0, 25.0]))[1:], _label_place(np.array([2.0, 5.0]))[1:]
    (('center', 'baseline'), ('center', 'top'))
    >>> _label_place(np.array([2.0, -6.0]))  # local 2 points above, allied 6 below: 2026 of the example
    ((-8, 0), 'right', 'center')
    """
    above, below = bool(((gaps > -2) & (gaps < 15)).any()), bool(((gaps < 2) & (gaps > -15)).any())
    if above and below:
        return (-8, 0), "right", "center"
    return ((0, -9), "center", "top") if above else ((0, 8), "center", "baseline")


def _palette(n: int) -> list[Any]:
    """``n`` distinct colours: tab10; tab20's ten dark shades, then its light ones (in tab20's
    order a dark and a light blue came next to each other: CN and TW read as one); then the
    darkest shade of each of tab20b's five hues (up to 25: evenly spaced hues for 24 countries
    made runs of one orange and one green; tab20c's darkest are tab10's again); then evenly spaced
    hues."""
    from matplotlib import colormaps

    if n <= 10:
        return [colormaps["tab10"](i) for i in range(n)]
    if n <= 25:
        return [*(colormaps["tab20"](i) for i in [*range(0, 20, 2), *range(1, 20, 2)]),
                *(colormaps["tab20b"](i) for i in range(0, 20, 4))][:n]
    return [colormaps["hsv"](i / n) for i in range(n)]
