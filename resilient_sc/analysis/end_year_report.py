"""The report of an end-year frontier (:func:`~resilient_sc.analysis.roadmap.end_year_frontier`):
the cost of the path as the last period's target of a field sweeps, as ``frontier.csv``, a figure
and ``report.md``, written as the other roadmap reports are (:mod:`.roadmap_report`)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from ..format import (
    fraction,
    money,
    premium_cell,
    relative_gap,
    settings,
    value,
)
from ..solvers.base import Status
from . import figures as fg
from .frontier_report import largest_step, reasons_by_value
from .premium import counts_penalties, shown_columns
from .report_kit import (
    bullets,
    describe,
    files_section,
    markdown_table,
    report_folder,
)
from .roadmap_report import path_formatter, path_premium_label, share_base

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ..policy import Policy


def frontier_columns(df: pd.DataFrame, field: str, last: str) -> list[str]:
    """The columns of an :func:`~resilient_sc.analysis.roadmap.end_year_frontier` shown (the
    network premium too when a path's cost counts shortfall or disruption-scenario cost)."""
    return shown_columns([field, "status", "cost", "premium_pct", f"premium_pct {last}",
                          "n_suppliers_started", "n_suppliers_stopped", "n_suppliers", "n_hubs",
                          "local_share", "allied_share", "top_country", "top_country_share"], df)


def frontier_method(field: str, last: str, policy: Policy) -> str:
    """What an end-year frontier sweeps and measures, in one sentence."""
    return (f"{field} is swept as the target in {last}, the last period; {_kept(policy)}. Costs are "
            "Σ weight × period cost (money); premiums are over the cost of the cost-optimal path (no "
            "policy at all), in %.")


def _kept(policy: Policy) -> str:
    """What the periods before the last keep while its target is swept, named: their targets, not
    their designs (the path is solved whole, and its earlier designs may change with the last
    period's target: roadmap audit)."""
    designs = "designs may change with the last period's target (the path is solved whole)"
    if policy.is_base:
        return f"earlier periods have no policy, and their {designs}"
    return (f"the policy holds as given in every period, the swept target aside ({describe(policy)}); "
            f"the earlier periods' {designs}")


def end_year_frontier_sentences(df: pd.DataFrame, field: str, last: str) -> list[str]:
    """Cost and the last period's shares at both ends of an end-year frontier, its steepest step,
    the targets whose roadmap is not proven optimal (and the cost-optimal path when it is not:
    ``df.attrs["reference"]``) and the targets without a roadmap (infeasible or not solved)."""
    out: list[str] = []
    ok = df.loc[df["cost"].notna()]  # a roadmap, proven optimal or the best found within the limits
    if ok.empty:
        out.append(f"No target of {field} in {last} gives a roadmap.")
    else:
        first, end = ok.iloc[0], ok.iloc[-1]
        if len(ok) == 1:
            out.append(f"Only the target {value(first[field])} in {last} gives a roadmap: the path costs "
                       f"{money(first['cost'])} (premium {premium_cell(first['premium_pct'])}); in {last} "
                       "the "
                       f"local share is {fraction(first['local_share'])} and the largest origin country "
                       f"{first['top_country']} with {fraction(first['top_country_share'])} (fractions of "
                       "demand over all markets).")
        else:
            out.append(f"As the target in {last} goes from {value(first[field])} to {value(end[field])}, the "
                       f"path's cost goes from {money(first['cost'])} to {money(end['cost'])} (premium "
                       f"{premium_cell(first['premium_pct'])} to {premium_cell(end['premium_pct'])}); "
                       f"in {last} "
                       f"the local share goes from {fraction(first['local_share'])} to "
                       f"{fraction(end['local_share'])} "
                       f"and the largest origin country from {first['top_country']} with "
                       f"{fraction(first['top_country_share'])} to {end['top_country']} with "
                       f"{fraction(end['top_country_share'])} ({share_base(df.attrs.get('weighting'))}).")
        if counts_penalties(ok):
            out.append("These costs count shortfall and disruption-scenario cost where the policy has a "
                       "shortfall penalty; without them the network's premium goes from "
                       f"{premium_cell(first['network_premium_pct'])} to "
                       f"{premium_cell(end['network_premium_pct'])}.")
        if kept := df.attrs.get("kept_keys"):
            out.append(f"The starting policy's keys that name no period ({settings({field: kept})}) hold in "
                       f"{last} too, the stricter binding: a target they are stricter than changes nothing "
                       "there, and points that tie mark no threshold.")
        out += largest_step(ok, field)
    unproven = ok.loc[ok["status"] != Status.OPTIMAL.value]
    if len(unproven):
        gaps = ", ".join(f"{value(v)} (gap {relative_gap(g)})"
                         for v, g in zip(unproven[field], unproven["gap"], strict=True))
        targets = "targets" if len(unproven) > 1 else "target"
        out.append(f"At the {targets} {gaps} the roadmap is the best found within the limits of the solve, "
                   "not proven optimal: its cost and premium may be too high, and the curve need not rise "
                   "there.")
    reference = df.attrs.get("reference", {})
    if reference.get("status", Status.OPTIMAL.value) != Status.OPTIMAL.value:
        out.append(f"The cost-optimal path is the best found within the limits (not proven optimal: "
                   f"{reference['status'].replace('_', ' ')}, gap {relative_gap(reference['gap'])}): the "
                   "premiums are over it, not over a proven optimum.")
    for status, words in (("infeasible", "No roadmap"), ("not_solved", "Not solved within the limits (no "
                                                                         "roadmap kept)")):
        out += [f"{words} with the target in {last} at {values}: {reason}"
                for values, reason in reasons_by_value(df.loc[df["cost"].isna() & (df["status"] == status)],
                                                       field)]
    return out


def write_end_year_frontier_report(folder: str | Path, df: pd.DataFrame, field: str, last: str,
                                   policy: Policy, figures: bool | None = None,
                                   force: bool = False) -> list[Path]:
    """Write ``frontier.csv``, ``frontier.png`` (premium against the last period's target, with
    that period's local share) and ``report.md`` for an end-year frontier; return the paths."""
    with report_folder(folder, figures, force) as w:
        w.csv("frontier.csv", df)
        chart = w.figure("frontier.png", lambda: _frontier_chart(df, field, last))
        unit = fg.field_unit(field)
        cols = {c: (value if c == field else path_formatter(c)) for c in frontier_columns(df, field, last)}
        names = {field: f"{field} in {last}", "premium_pct": "premium",
                 "network_premium_pct": "network premium",
                 f"premium_pct {last}": f"premium {last}", "n_suppliers_started": "suppliers started",
                 "n_suppliers_stopped": "suppliers stopped", "n_suppliers": "suppliers", "n_hubs": "hubs",
                 "local_share": "local", "allied_share": "allied", "top_country": "top country",
                 "top_country_share": "top country share"}
        lines = [f"# End-year frontier of {field}: the target in {last}", "",
                 f"For each value of `{field}` ({unit}) as the target in {last}, the last period, the "
                 f"cheapest roadmap over every period; {_kept(policy)}. "
                 "**cost** is Σ weight × period cost (money); **premium** is over the cost of the "
                 f"cost-optimal path (no policy at all), in %; **premium {last}** is the last period's own "
                 "cost over the cost-optimal path's that period, in %, its one-off opening and closing "
                 "included (not the lasting cost of its design). Suppliers, hubs and shares are "
                 f"those of {last} ({share_base(df.attrs.get('weighting'))}); starts and stops are "
                 "counted over the path.",
                 "", "## In short", "", *bullets(end_year_frontier_sentences(df, field, last)), "",
                 "## Points", "", *markdown_table(df, cols, names), ""]
        lines += w.image(chart, f"Premium of the path against the target of {field} in {last}")
        lines += files_section(w, {
            "frontier.csv": "one row per target: status, cost and premium (money), premium_pct (%), per "
                            "period cost and premium, starts and stops, last-period shares",
            "frontier.png": f"premium (%) and the local and allied shares in {last} (%) against the "
                            f"target of {field} in {last}"}, df.attrs.get("settings"))
        return w.report(lines)


def _frontier_chart(df: pd.DataFrame, field: str, last: str) -> Figure:
    """:func:`~resilient_sc.analysis.figures.frontier_figure` with the last period's local and
    allied shares (%) in place of worst-case service, and axes saying the target is the last
    period's."""
    fig = fg.frontier_figure(df, field)
    ax, twin = fig.axes
    twin.cla()
    x = ax.lines[0].get_xdata()
    for column, label, style in (("local_share", f"local share in {last}", "s--"),
                                 ("allied_share", f"allied share in {last}", "d:")):
        twin.plot(x, 100 * df[column].to_numpy(float) if column in df else x * math.nan, style,
                  color=fg.SERVED_AXIS, label=label)
    twin.yaxis.tick_right()  # cla() puts the axis back on the left
    twin.yaxis.set_label_position("right")
    twin.tick_params(axis="y", colors=fg.SERVED_AXIS)
    # an average over the markets: a target is a floor each market meets (roadmap audit: read as
    # a margin over the target)
    twin.set_ylabel(f"share of all markets' demand in {last} (%):\nan average, not the floor each meets",
                    color=fg.SERVED_AXIS)
    twin.set_ylim(0, 105)
    ax.set_xlabel(f"{field} in {last}: the last period's target ({fg.field_unit(field)})")
    ax.set_ylabel(path_premium_label(), color="tab:blue")
    ax.set_title(f"Cost of the path against the {last} target of {field}")
    handles = ax.get_legend_handles_labels()[0] + twin.get_legend_handles_labels()[0]
    for legend in list(fig.legends):  # frontier_figure's, naming worst-case service, not drawn here
        legend.remove()
    fig.legend(handles=handles, loc="outside lower center", ncols=2, fontsize="small")
    return fig
