"""Reports on roadmaps (docs/formulation.md §9): the premium of policy paths and the stress test
of each period's design (the end-year frontier's in :mod:`.end_year_report`), as CSV tables, PNG
figures and ``report.md``.

Written as the one-period reports of :mod:`resilient_sc.analysis.report` are: a folder appears
whole or not at all, figures need matplotlib (``figures=None``: drawn when it is installed).
A path's cost is Σ_t weight_t · cost_t (money), cost_t the period's plan cost with the opening
and closing costs of the suppliers and hubs started and stopped in it; shares are fractions of
demand over all markets, weighted as :meth:`~resilient_sc.results.Plan.share_weighting` says.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .. import io
from ..format import (
    count,
    fraction,
    money,
    not_proven,
    pct_points,
    premium_cell,
    relative_gap,
    served_fraction,
    signed_money,
    signed_pct_points,
    value,
    whole,
)
from ..output_words import STRESS_ROWS, path_premium_words, stress_failures_words
from ..result_folders import check_result_folder
from ..roadmap import ROADMAP_FILES
from . import figures as fg
from .premium import counts_penalties, shown_columns
from .report import (
    compared,
    failure_table,
    failure_words,
    others_at_floor,
    penalty_prices,
    replayed_words,
    served_per_product,
    stress_method,
    tied_with,
)
from .report_kit import (
    EVERY_SHARE,
    Writer,
    bullets,
    column_first,
    describe,
    files_section,
    first_reason,
    markdown_table,
    quantities,
    report_folder,
    settings_of,
    slug,
    source,
)
from .roadmap import path_weighting
from .roadmap_figure import roadmap_figure
from .stress import guarantee_words, service_levels

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ..data import Network
    from ..policy import Policy
    from ..roadmap import Roadmap
    from .roadmap import PathOutcome
    from .stress import StressResult

ROADMAP_PNG = "roadmap.png"
#: what a path's cost is, in words
PATH_COST = "Σ weight × period cost, money"
#: the premiums' reference when the base path has no policy of its own
COST_OPTIMAL = "the cost-optimal path"


def path_premium_label(reference: str = COST_OPTIMAL) -> str:
    """The axis label of path premiums over ``reference``."""
    return f"premium over the Σ weight × period cost\nof {reference} (%)"


def reference_path(base: PathOutcome) -> str:
    """What path premiums are over: ``the cost-optimal path``, or the base path named when its
    policy has fields of its own (``the base path 'base'``: then it is not cost-optimal)."""
    return COST_OPTIMAL if base.policy.is_base else f"the {_reference_name(base)}"


def _reference_name(base: PathOutcome) -> str:
    """The reference as its values are labelled: ``(cost-optimal: 36.6%)``, ``(base path 'base': …)``."""
    return "cost-optimal" if base.policy.is_base else f"base path '{base.name}'"


def path_title(policy: Policy) -> str:
    """"the cost-optimal roadmap (no resilience policy)" or "the roadmap for <policy>"."""
    return "the cost-optimal roadmap (no resilience policy)" if policy.is_base \
        else f"the roadmap for {describe(policy)}"


def save_roadmap(folder: str | Path, roadmap: Roadmap, title: str = "Restructuring roadmap",
                 figures: bool | None = None, force: bool = False, flag: str = "force=True") -> Path:
    """:meth:`Roadmap.save <resilient_sc.roadmap.Roadmap.save>` plus ``roadmap.png``
    (:func:`~resilient_sc.analysis.roadmap_figure.roadmap_figure`, titled ``title``) in the same
    atomic folder write; ``figures=None`` draws it when matplotlib is installed."""
    check_result_folder(folder, roadmap.data_location, force)
    with io.atomic_folder(folder, force=force, flag=flag) as tmp:
        roadmap.save(tmp)
        if figures or (figures is None and fg.has_matplotlib()):
            fg.save_figure(roadmap_figure(roadmap, title), tmp / ROADMAP_PNG)
            io.write_text(tmp / "README.md", roadmap.readme({**ROADMAP_FILES, ROADMAP_PNG: (
                "suppliers and hubs per period (a bar where each operates, ▲ started, ▼ stopped), the "
                "shares per period (%) and each period's cost")}))
    return Path(folder)


# ---- premium of policy paths --------------------------------------------------------------
def premium_columns(table: pd.DataFrame) -> tuple[list[str], list[str]]:
    """The columns of a :func:`~resilient_sc.analysis.roadmap.roadmap_premium` table shown, in
    two tables: cost and premiums (the path's and each period's); starts and stops over the
    path, the last period's design and shares."""
    per_period = [c for c in table.columns if c.startswith("premium_pct ")]
    return (shown_columns(["policy", "status", "cost", "premium_pct", *per_period], table),
            ["policy", "n_suppliers_started", "n_suppliers_stopped", "n_hubs_started", "n_hubs_stopped",
             "n_suppliers", "n_hubs", "local_share", "allied_share", "top_country", "top_country_share"])


def premium_legend(last: str, reference: str = COST_OPTIMAL, weighting: str = "") -> str:
    """The columns of :func:`premium_columns`, in words (``last``: the last period; ``reference``:
    the premiums', :func:`reference_path`; ``weighting``: the shares', :func:`path_weighting`)."""
    return (f"cost: Σ weight × period cost (money); premium_pct: over the cost of {reference} "
            f"(%); premium_pct <period>: the period's cost (unweighted, its one-off opening and closing "
            f"included) over the cost of {reference} in that period (%); n_*_started/stopped: over the "
            "path, against the period before; "
            f"n_suppliers, n_hubs and shares: in {last} ({share_base(weighting)}).")


def share_base(weighting: str | None) -> str:
    """What a path's shares are a percentage of: ``% of demand, value-weighted over all markets``."""
    return f"% of demand, {weighting} over all markets" if weighting else "% of demand over all markets"


def roadmap_premium_sentences(outcomes: Sequence[PathOutcome], table: pd.DataFrame) -> list[str]:
    """The base path, which path costs most, and per policy path its premium, where it is paid
    and what it buys in the last period's shares, in plain words."""
    base = outcomes[0].roadmap
    assert base is not None, "the base path has a roadmap"
    reference = reference_path(outcomes[0])
    ids = base.period_ids
    rows = table.to_dict("records")
    ref = rows[0]
    span = ids[0] if len(ids) == 1 else f"{ids[0]}–{ids[-1]}"
    named = reference[0].upper() + reference[1:]
    if not outcomes[0].policy.is_base:  # its own policy: said, and that it is not the cost-optimal path
        named += f" ({describe(outcomes[0].policy)}; not the cost-optimal path)"
    unproven = f"The best path found for the base ({not_proven(base)})" if not_proven(base) else ""
    out = [f"{unproven or named} costs {money(ref['cost'])} over {span} ({PATH_COST}); in "
           f"{ids[-1]} it has {_shares_words(ref)} ({share_base(path_weighting(base))})"
           + _short_words(base) + (": the premiums below are over it, not over a proven optimum." if unproven
                                   else ".")]
    solved = [r for r in rows[1:] if r["status"] == "optimal"]
    if len(solved) > 1:
        dear = max(solved, key=lambda r: r["cost"])
        cheap = min(solved, key=lambda r: r["cost"])
        most, least = signed_pct_points(dear["premium_pct"]), signed_pct_points(cheap["premium_pct"])
        out.append(f"The policy paths all cost the same to the shown 0.01% ({most} over {reference})."
                   if most == least else
                   f"Of the policy paths, {dear['policy']} costs most ({most} over {reference}) "
                   f"and {cheap['policy']} least ({least}).")
    if counts_penalties(table):
        out.append("These costs count shortfall and disruption-scenario cost where a path's policy has a "
                   "shortfall penalty; the network premium leaves them out.")
    for o, row in zip(outcomes[1:], rows[1:], strict=True):
        out.append(_path_sentence(o, row, ref, ids, reference, _reference_name(outcomes[0]), base))
    return out


def _path_sentence(o: PathOutcome, row: dict[str, Any], ref: dict[str, Any], ids: list[str],
                   reference: str, ref_name: str, base: Roadmap) -> str:
    if o.roadmap is None:
        if o.status == "not_solved":
            return (f"{o.name} was not solved within the limits of the solve (no roadmap kept): "
                    f"{first_reason(o.reason)}")
        return f"{o.name} has no roadmap on this data ({o.status}): {first_reason(o.reason)}"
    pct = row["premium_pct"]
    proof = f" ({not_proven(o.roadmap)})" if not_proven(o.roadmap) else ""
    text = f"{o.name}{proof} costs {compared(pct, reference, 2, row['premium'])}"
    if not math.isnan(pct) and float(pct_points(pct)[:-1]) != 0:
        text += f" ({signed_money(row['premium'])} money)"
    by_period = {p: row.get(f"premium_pct {p}", math.nan) for p in ids}
    # ranked by money, weighted as the total is: by % 'most in 2029' named a period of no demand,
    # its base cost small, that held 5% of the premium (roadmap audit); a weight of 0 pays nothing
    weight = base.costs.set_index("period")["weight"]
    money = {p: float(weight[p]) * (row[f"cost {p}"] - ref[f"cost {p}"]) for p in ids}
    # a period the reference pays nothing in has no % (NaN) but may hold part of the premium: 'paid in
    # 2027 alone' left out 2026's opening cost, 14% of it (roadmap analyses audit); said in money
    paid = {p: v for p, v in by_period.items() if money[p] > 0 and not v <= 0.005}
    back = {p: v for p, v in by_period.items() if money[p] < 0 and not v >= -0.005}

    def then(p: str, v: float, over: str = "") -> str:
        return (f"{signed_money(row[f'cost {p}'] - ref[f'cost {p}'])} money, where {reference} costs nothing"
                if math.isnan(v) else f"{signed_pct_points(v)}{over}") + " that period"
    if paid:
        peak = max(paid, key=lambda p: money[p])
        over = f" over the cost of {reference}"
        text += (f", paid in {_where(paid, peak, '' if back else ' alone')}{then(peak, paid[peak], over)}"
                 f"{_one_off(o.roadmap, base, peak)})")
    if back:
        low = min(back, key=lambda p: money[p])
        text += f", {'partly recovered' if paid else 'saved'} in {_where(back, low)}{then(low, back[low])})"
    moves = _moves(row, o.roadmap)
    text += f"; {moves} over the path" if moves else "; it starts and stops nothing"
    last = ids[-1]
    return text + f". In {last} it buys {_shares_words(row, ref, ref_name)}{_short_words(o.roadmap)}."


def _one_off(roadmap: Roadmap, base: Roadmap, period: str) -> str:
    """``, of which +0.89 points one-off opening and closing``: the part of a period's premium
    that is its starts and stops (beyond the reference's that period), not the lasting cost of its
    design; '' when none. 'Paid most in 2030: +4.20%' was quoted as what the 2030 targets cost a
    year, 3.31% of it lasting (roadmap audit)."""
    moves = [float(r.plans[period].breakdown.reindex(["opening", "closing"]).fillna(0.0).sum())
             for r in (roadmap, base)]
    reference = float(base.plans[period].objective)
    points = 100 * (moves[0] - moves[1]) / abs(reference) if reference else math.nan
    return (f", of which {signed_pct_points(points)} one-off opening and closing" if abs(points) >= 0.005
            else "")


def _short_words(roadmap: Roadmap) -> str:
    """``; it leaves demand unmet, in 2027: cells 150 of 280 units delivered (130 short)`` (a
    policy with a shortfall penalty may); '' when every period delivers all."""
    short = [f"in {period}: {words}" for period, plan in roadmap.plans.items()
             if (words := plan.short_words())]
    return f"; it leaves demand unmet, {'; '.join(short)}" if short else ""


def _where(periods: Mapping[str, float], most: str, alone: str = "") -> str:
    """``2 periods (most in 2027: `` or, for one period, ``2027<alone> (``."""
    return f"{count(len(periods), 'period')} (most in {most}: " if len(periods) > 1 else f"{most}{alone} ("


def _moves(row: dict[str, Any], roadmap: Roadmap) -> str:
    """``4 hub starts and 7 stops (3 and 6 of them at no opening or closing cost)``: a stop and
    restart the data price at 0 is the optimum's free choice, not a restructuring paid for."""
    parts = []
    for kind in ("supplier", "hub"):
        started, stopped = int(row[f"n_{kind}s_started"]), int(row[f"n_{kind}s_stopped"])
        if started or stopped:
            free = _free_moves(roadmap, kind)
            parts.append(f"{started} {kind} start{'' if started == 1 else 's'} and {stopped} "
                         f"stop{'' if stopped == 1 else 's'}"
                         + (f" ({free[0]} and {free[1]} of them at no opening or closing cost)" if any(free)
                            else ""))
    return "; ".join(parts)


def _free_moves(roadmap: Roadmap, kind: str) -> tuple[int, int]:
    """The starts at no opening cost and the stops at no closing cost of ``kind`` over the path."""
    if roadmap.model is None:
        return 0, 0
    table = getattr(roadmap.model.network, f"{kind}s").set_index(kind)
    d = roadmap.design.loc[roadmap.design["kind"] == kind]
    costs = {c: d["id"].map(table.get(c, pd.Series(dtype=float))).fillna(0.0).to_numpy(float)
             for c in ("opening_cost", "closing_cost")}
    return (int((d["started"].to_numpy(bool) & (costs["opening_cost"] == 0)).sum()),
            int((d["stopped"].to_numpy(bool) & (costs["closing_cost"] == 0)).sum()))


def _shares_words(row: Mapping[str, Any], ref: Mapping[str, Any] | None = None,
                  ref_name: str = "cost-optimal") -> str:
    """``a local share of 66.7% (cost-optimal: 37.2%), ...``: the last period's shares of a row
    (and of the reference row ``ref``, called ``ref_name``)."""
    def was(key: str) -> str:
        return "" if ref is None else f" ({ref_name}: {fraction(ref[key])})"

    top = f"{row['top_country']} as the largest origin country with {fraction(row['top_country_share'])}"
    if ref is not None:
        top += f" ({ref_name}: {ref['top_country']} with {fraction(ref['top_country_share'])})"
    return (f"a local share of {fraction(row['local_share'])}{was('local_share')}, an allied share of "
            f"{fraction(row['allied_share'])}{was('allied_share')} and {top}")


def _summary_markdown(roadmap: Roadmap) -> list[str]:
    """:meth:`~resilient_sc.roadmap.Roadmap.summary` as a report shows it: the total as bullets, the
    periods as a table a screen reader moves through by its headers (column-aligned text in a code
    block was read line by line: accessibility audit), the notes after."""
    head, rows, tail = roadmap.summary_parts()
    right = lambda v: v  # noqa: E731 (a number's cell: right-aligned)
    cols = {"period": str, "weight": right, "cost": right, "suppliers": str, "hubs": str, "local": right,
            "allied": right, "top_country": str}
    return [*bullets([f"{label}: {text}" for label, text in head]), "",
            *markdown_table(rows, cols, {"cost": "cost (money)", "top_country": "top country"}), "",
            *[part for line in tail for part in (line, "")]]  # a paragraph each


def write_roadmap_premium_report(folder: str | Path, network: Network, outcomes: Sequence[PathOutcome],
                                 table: pd.DataFrame, figures: bool | None = None,
                                 force: bool = False) -> list[Path]:
    """Write ``premium.csv`` (the table), ``premium_paths.csv`` (each path's roadmap table with
    a ``policy`` column), ``premium.png``, a roadmap figure per path that has one
    (``roadmap_<policy>.png``) and ``report.md``; return the paths."""
    with report_folder(folder, figures, force, network.location) as w:
        return _premium_report(w, network, outcomes, table)


def _premium_report(w: Writer, network: Network, outcomes: Sequence[PathOutcome],
                    table: pd.DataFrame) -> list[Path]:
    w.csv("premium.csv", table)
    solved = [o for o in outcomes if o.roadmap is not None]
    paths = [o.roadmap.table().assign(policy=o.name) for o in solved if o.roadmap is not None]
    w.csv("premium_paths.csv", pd.concat(paths, ignore_index=True).pipe(column_first, "policy"))
    reference = reference_path(outcomes[0])
    chart = w.figure("premium.png", lambda: _premium_chart(table, reference))
    base = outcomes[0].roadmap
    assert base is not None
    ids = base.period_ids
    what = ("the cost-optimal path (no resilience policy)" if reference == COST_OPTIMAL
            else f"{reference} ({describe(outcomes[0].policy)})")
    lines = ["# Premium of restructuring paths", "",
             f"Data: {source(network)}; periods {', '.join(ids)} (weights "
             f"{', '.join(value(float(v)) for v in base.periods['weight'])}). Each policy path is "
             "solved as a roadmap: every period at once, with the opening and closing costs of the "
             "suppliers and hubs started and stopped in each. A path's **cost** is Σ weight × period "
             f"cost (money); its **premium** is over {what}, in % of "
             "that path's cost; **premium <period>** is the period's own cost (unweighted) over "
             f"the cost of {reference} in that period, in %. Starts and stops are counted over the path "
             "against the period before (a restart counts again); suppliers, hubs and shares are those "
             f"of the last period, {ids[-1]}: {share_base(path_weighting(base))}; "
             "the largest origin country is the one supplying most of that demand. The paths are priced "
             "here, not stress-tested: what a path's designs still serve when a supplier, hub or "
             "country fails is the stress test's (`resilient-sc stress <data> --policy <path's policy "
             "file>`, period by period).", "",
             "## In short", "", *bullets(roadmap_premium_sentences(outcomes, table)), "",
             "## Premium table", "", *_premium_markdown(table), ""]
    lines += w.image(chart, f"Premium of each policy path over the cost of {reference} (%)")
    names: dict[str, str] = {}
    for o in outcomes:
        lines += [f"## {o.name}: {describe(o.policy)}", ""]
        if o.roadmap is None:
            lines += [f"No roadmap ({o.status}): {first_reason(o.reason)}", ""]
            continue
        name = _unique(f"roadmap_{slug(o.name)}.png", names.values())
        names[o.name] = name
        lines += w.image(w.figure(name, lambda r=o.roadmap, o=o: roadmap_figure(r, f"Roadmap of {o.name}")),
                        f"Roadmap of {o.name}: suppliers and hubs per period, shares per period")
        lines += _summary_markdown(o.roadmap)
    described = {"premium.csv": path_premium_words(path_weighting(base)),
                 "premium_paths.csv": "per policy path and period: weight, cost (money, unweighted), "
                                      "emissions (CO2 units), suppliers and hubs operating, started and "
                                      "stopped, shares, demand left short (per product in its units); a "
                                      "period that costs what another path's does may hold another design "
                                      "of that cost, its shares apart: several designs can cost the same, "
                                      "and the solver keeps one of them",
                 "premium.png": f"premium of each path, in % of the cost of {reference}",
                 **{n: f"roadmap of {p}: a row per supplier and hub, a bar where it operates, ▲ "
                       "started, ▼ stopped; below, the shares per period (%) and each period's cost"
                    for p, n in names.items()}}
    lines += files_section(w, described, settings_of(solved[0].roadmap if solved else None))
    return w.report(lines)


def _premium_chart(table: pd.DataFrame, reference: str = COST_OPTIMAL) -> Figure:
    fig = fg.premium_figure(table)
    ax = fig.axes[0]
    ax.set_title(fg.wrapped(f"Premium of each policy path over {reference}", fig.get_figwidth(), 9.5))
    ax.set_xlabel("policy path")
    ax.set_ylabel(path_premium_label(reference))
    return fig


def _premium_markdown(table: pd.DataFrame) -> list[str]:
    cost, design = premium_columns(table)
    cols: dict[str, Any] = {c: path_formatter(c) for c in dict.fromkeys([*cost, *design])}
    names = {"premium_pct": "premium", "network_premium_pct": "network premium",
             "n_suppliers_started": "suppliers started",
             "n_suppliers_stopped": "suppliers stopped", "n_hubs_started": "hubs started",
             "n_hubs_stopped": "hubs stopped", "n_suppliers": "suppliers", "n_hubs": "hubs",
             "local_share": "local", "allied_share": "allied", "top_country": "top country",
             "top_country_share": "top country share",
             **{c: f"premium {c.split(' ', 1)[1]}" for c in table.columns if c.startswith("premium_pct ")}}
    return markdown_table(table, cols, names)


def path_formatter(column: str) -> Any:
    """The formatter of a column of a table of paths, by the name before its period.

    >>> path_formatter("gap")(0.002), path_formatter("n_hubs 2027")(3.0)
    ('0.2000%', '3')
    >>> path_formatter("premium_pct 2027")(0.00037)  # a premium two decimals hide (it read 0.00%)
    '<0.01%'
    """
    head = column.split(" ", 1)[0]
    if head in ("cost", "premium", "network_cost"):
        return money
    if head in ("premium_pct", "network_premium_pct"):
        return premium_cell
    if head == "gap":  # a path not proven optimal (premium.shown_columns): 0.0020 read as a raw float
        return relative_gap
    if head.endswith("_share") or "served" in head:
        return fraction
    return whole if head.startswith("n_") else str


# ---- stress of each period's design -------------------------------------------------------
def roadmap_stress_sentences(roadmap: Roadmap, results: Mapping[str, StressResult]) -> list[str]:
    """What was replayed, then per period the design, its worst failure and the expected figures
    (conditional as each result says, said once when the periods agree), in plain words."""
    from .roadmap import not_stress_tested

    out = ["Each period's design is tested on its own, one failure at a time in that period: its "
           "suppliers and hubs fixed, the network as it stands in that period (its demand, capacities "
           "and tariffs), flows re-routed through what remains."]
    if not_proven(roadmap):
        out.append(f"The roadmap is the best found within the limits of the solve ({not_proven(roadmap)}): "
                   "cheaper designs may exist.")
    out += [words] if (words := not_stress_tested(roadmap.period_ids, results)) else []
    given = {r.conditional_on for r in results.values()}
    shared = len(given) == 1
    if shared:
        out.append(f"Expected figures are given {next(iter(given))}, in each period.")
    for period, stress in results.items():
        plan = roadmap.plans[period]
        s = stress.summary()
        text = (f"In {period} the design has {count(len(plan.suppliers), 'supplier')} and "
                f"{count(len(plan.hubs), 'hub')} (cost {money(plan.objective)}, unweighted)")
        if not s["failures"]:
            out.append(text + "; no failure was replayed.")
            continue
        text += f": {replayed_words(s, stress.short_intact())}"
        if s["hurt"]:
            f = stress.failures
            worst = f.loc[f["failure"] == s["worst_failure"]].iloc[0]
            text += (f"; the worst is {failure_words(worst)}{tied_with(f, worst)}: "
                     f"{guarantee_words(s['worst_served'])} (lowest: {s['worst_product']} in "
                     f"{s['worst_market']}{others_at_floor(stress, worst)})")
        share = s["expected_value_served"]
        served = (f"{served_fraction(share)} of the demand's value is served" if not math.isnan(share)
                  else "the served share of each product's units is "
                  + served_per_product(stress, None, s["expected_served_by_product"]))
        condition = "" if shared else f"given {s['conditional_on']}, "
        at = "money" if stress.priced else "money, at the stress test's default prices"
        out.append(f"{text}. On average, {condition}{served}, at an expected shortfall cost of "
                   f"{money(s['expected_shortfall_cost'])} ({at}).")
    return out


def stress_columns() -> list[str]:
    """The columns of :func:`~resilient_sc.analysis.roadmap.roadmap_stress_table` shown in the terminal."""
    return ["period", "failures", "hurt", "worst_served", "worst_failure", "worst_market", "worst_product",
            "expected_value_served", "expected_shortfall_cost", "expected_extra_cost"]


def penalties_apart(results: Mapping[str, StressResult], where: str) -> str:
    """`` A unit short is priced at each period's penalties (<where>), which differ …`` when the
    periods' penalties differ (the default follows each period's costs and tariffs); "" when one
    price holds for all."""
    prices = {tuple(np.round(r.penalties.to_numpy(float), 6)) for r in results.values()}
    if len(prices) <= 1:
        return ""
    return (f" A unit short is priced at each period's penalties ({where}), which differ between periods: "
            "compare served fractions across periods, not shortfall costs.")


#: the columns of the per-period stress summary, in words
STRESS_LEGEND = ("failures: replayed in the period; hurt: those leaving more demand short than nothing "
                 "failed; worst_served: the fraction of demand every market and product still gets under "
                 "the period's worst failure (worst_market/product: where that floor binds); expected_*: "
                 "averaged over the "
                 "period's failures as weighted above (by the disruption scenarios' probabilities when "
                 "they have some, else each failure alike): value served a fraction of the demand's "
                 "value, shortfall cost and change in flow cost in money.")


def write_roadmap_stress_report(folder: str | Path, network: Network, roadmap: Roadmap,
                                results: Mapping[str, StressResult], figures: bool | None = None,
                                force: bool = False) -> list[Path]:
    """Write ``stress_summary.csv`` (a row per period), ``stress_failures_<period>.csv`` per
    period, ``stress_products.csv`` and ``stress_shortfalls.csv`` (with a ``period`` column),
    ``roadmap.png``, a served-demand heatmap per period and ``report.md``; return the paths."""
    with report_folder(folder, figures, force, network.location) as w:
        return _stress_report(w, network, roadmap, results)


def _stress_report(w: Writer, network: Network, roadmap: Roadmap,
                   results: Mapping[str, StressResult]) -> list[Path]:
    from .roadmap import roadmap_stress_table

    summary = roadmap_stress_table(results)
    w.csv("stress_summary.csv", summary)
    described = {"stress_summary.csv": "one row per period: failures, the worst, expected figures"}
    part = _file_parts(list(results))
    for p, r in results.items():
        name = w.csv(f"stress_failures_{part[p]}.csv", r.failures)
        described[name] = f"the failures replayed on the {p} design: {stress_failures_words(r.floor_name)}"
    for key, attr in (("products", "by_product"), ("shortfalls", "shortfalls")):
        name = f"stress_{key}.csv"
        w.csv(name, pd.concat([getattr(r, attr).assign(period=p) for p, r in results.items()],
                              ignore_index=True).pipe(column_first, "period"))
        described[name] = f"per period, failure{STRESS_ROWS[key]}"
    title = path_title(roadmap.policy)
    drawn = w.figure(ROADMAP_PNG, lambda: roadmap_figure(roadmap, title[:1].upper() + title[1:]))
    described[ROADMAP_PNG] = ("the roadmap under test: suppliers and hubs per period, shares per period (as "
                              "text: roadmap.csv, roadmap_timeline.csv)")
    for name, df in (("roadmap.csv", roadmap.table()), ("roadmap_timeline.csv", roadmap.timeline())):
        described[w.csv(name, df)] = ROADMAP_FILES[name]  # the figure's facts as text (accessibility audit)
    floor = next(iter(results.values())).floor_name if results else "guaranteed"  # one penalty rule a path
    names = {"worst_served": floor, "worst_failure": "worst failure", "worst_market": "where: market",
             "worst_product": "product", "expected_value_served": "expected value served",
             "expected_shortfall_cost": "expected shortfall cost",
             "expected_extra_cost": "expected change in flow cost"}
    priced_apart = penalties_apart(results, "listed under each period")
    lines = [f"# Stress test of {path_title(roadmap.policy)}, period by period", "",
             f"Data: {source(network)}. Money in the data's currency; {quantities(network)}. "
             "Every figure below is conditional on the "
             "period's design and on one failure happening in that period.", "",
             "## In short", "", *bullets(roadmap_stress_sentences(roadmap, results)), "",
             "## Per period", "",
             *markdown_table(summary, {c: _stress_formatter(c) for c in stress_columns()}, names), "",
             "**failures**: replayed in the period; **hurt**: those leaving more demand short than nothing "
             "failed; "
             f"**{floor}**: the fraction of demand every market and product still gets under the period's "
             "worst failure (**where**: the market and product at that floor); **expected**: averaged over "
             "the period's failures as weighted above (by the disruption scenarios' probabilities when "
             "they have some, else each failure alike): value served a fraction of the demand's value, "
             "shortfall cost and change in flow cost in money." + priced_apart, "",
             *w.image(drawn, "The roadmap under test: suppliers and hubs per period, shares per period (as "
                             "text: roadmap.csv, roadmap_timeline.csv)"),
             *(stress_method(next(iter(results.values())), apart=bool(priced_apart)) if results else []), ""]
    for period, stress in results.items():
        lines += [f"## {period}", "", f"Units short are priced at {penalty_prices(stress)}.", "",
                  *failure_table(stress, where=f"stress_failures_{part[period]}.csv"), ""]
        heat = w.figure(f"stress_served_{part[period]}.png", lambda s=stress, p=period: fg.served_heatmap(
            s, f"Demand served per failure in {p}: {title}", service_levels(roadmap.plans[p])))
        if heat:
            described[heat] = f"served fraction (%) per failure, market and product in {period}"
            lines += w.image(heat, f"Demand served per market and product under each failure in {period} "
                                   f"({EVERY_SHARE})")
    return w.report(lines + files_section(w, described, settings_of(roadmap)))


def _stress_formatter(column: str) -> Any:
    if column in ("expected_shortfall_cost", "expected_extra_cost"):
        return money
    if column in ("failures", "hurt"):
        return whole
    return served_fraction if "served" in column else str


# ---- helpers ------------------------------------------------------------------------------
def _file_parts(periods: list[str]) -> dict[str, str]:
    """A file-name part per period, each its own (:func:`_unique`): ``2026_H1`` and ``2026_H1_2`` for
    '2026 H1' and '2026_H1' (one file held both periods' tables), ``period_2`` for a name of no ASCII
    letter.

    >>> _file_parts(["2026 H1", "2026_H1", "第二期"])
    {'2026 H1': '2026_H1', '2026_H1': '2026_H1_2', '第二期': 'period_3'}
    """
    out: dict[str, str] = {}
    for i, period in enumerate(periods, start=1):
        part = slug(period) if re.search(r"[A-Za-z0-9]", period) else f"period_{i}"
        out[period] = _unique(part, out.values(), suffix="")
    return out


def _unique(name: str, taken: Any, suffix: str = ".png") -> str:
    """``name``, or ``<stem>_2<suffix>``, ``_3``, ... when a name of ``taken`` is the same but for
    case (one file on macOS and Windows disks)."""
    taken = {t.lower() for t in taken}
    stem, n = name.removesuffix(suffix), 2
    while name.lower() in taken:
        name, n = f"{stem}_{n}{suffix}", n + 1
    return name
