"""The frontier's report: how cost and worst-case service move as one policy field sweeps
(``frontier.csv``, ``frontier.png`` and a plain-words ``report.md``, written as a whole like
every report of :mod:`resilient_sc.analysis.report`)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from ..format import money, pct_points, premium_cell, served_fraction, setting, status_and_gap, value, whole
from ..output_words import frontier_words
from ..policy import POLICY_FIELDS, Policy
from ..solvers.base import Status, is_number
from . import figures as fg
from .premium import counts_penalties
from .report import (
    design_title,
    network_premium_columns,
)
from .report_kit import (
    Writer,
    bullets,
    describe,
    files_section,
    first_reason,
    markdown_table,
    report_folder,
)
from .stress import guarantee_words, replayed_kinds, single_failures_words


def write_frontier_report(folder: str | Path, df: pd.DataFrame, field: str,
                          figures: bool | None = None, force: bool = False,
                          policy: Policy | None = None) -> list[Path]:
    """Write ``frontier.csv``, the frontier figure and ``report.md`` for a :func:`frontier` swept
    on top of ``policy`` (None: no policy), the reference of its premiums."""
    with report_folder(folder, figures, force) as w:
        return _frontier_report(w, df, field, policy)


def _frontier_report(w: Writer, df: pd.DataFrame, field: str, policy: Policy | None) -> list[Path]:
    tested = bool(replayed_kinds(df))  # else no blank worst-served columns in the table or the CSV
    shown = df if tested else df.drop(columns=["worst_served", "worst_failure"], errors="ignore")
    w.csv("frontier.csv", shown)
    reference = "base" if policy is None or policy.is_base else "the starting policy's design"
    chart = w.figure("frontier.png", lambda: fg.frontier_figure(df, field, reference))
    unit = fg.field_unit(field)
    served = (" **worst served** is the fraction of demand that every market and product is still guaranteed "
              f"under the worst {single_failures_words(replayed_kinds(df))} replayed on each design."
              if tested else " The designs are not stress-tested (no failure kind was given).")
    lines = [f"# Frontier of {field}", "",
             f"The cheapest design found for each value of `{field}` ({unit}); the premium is over the "
             f"cost of {frontier_reference(field, policy)}, in %.{served}", "",
             "## In short", "", *bullets(frontier_sentences(df, field)), "",
             "## Points", "", *_frontier_table(shown, field), ""]
    lines += w.image(chart, f"Premium{' and worst-case service' if tested else ''} against {field}")
    served = (f", worst_served (fraction, 0-1: under the worst {single_failures_words(replayed_kinds(df))}"
              " replayed)") if tested else ""
    lines += files_section(w, {
        "frontier.csv": frontier_words(served)}, df.attrs.get("settings"))
    return w.report(lines)


def largest_step(ok: pd.DataFrame, field: str) -> list[str]:
    """The largest rise in premium between two neighbouring values of ``field`` (rows ``ok`` in
    sweep order), in the table's two decimals; none when it reads +0.00. Of numeric values not
    evenly spaced, the steepest: the largest rise per unit of the field (0.5 → 0.9 at +3.1 points
    is gentler than 0.95 → 1 at +0.4)."""
    steps = ok["premium_pct"].diff().iloc[1:]
    if not len(steps) or pct_points(max(steps.max(), 0.0)) == "0.00%":
        return []
    values = ok[field].tolist()
    widths = (np.diff(np.asarray(values, float)) if all(is_number(v) for v in values)
              else np.ones(len(steps)))
    uneven = bool(len(widths)) and not np.allclose(widths, widths[0]) and (widths > 0).all()
    i = int((steps.to_numpy() / widths if uneven else steps.to_numpy()).argmax()) + 1
    step = (f"from {setting(values[i - 1])} to {setting(values[i])}: "
            f"+{pct_points(steps.iloc[i - 1])[:-1]} percentage points")
    if not uneven:
        return [f"The largest step in premium is {step}."]
    return [f"The steepest step in premium is {step} ({steps.iloc[i - 1] / widths[i - 1]:,.2f} points per "
            f"unit of {field}; the values are not evenly spaced)."]


def frontier_reference(field: str, policy: Policy | None) -> str:
    """What the premiums of a frontier of ``field`` swept on top of ``policy`` are over: its
    starting policy's design, which may set ``field`` itself (looser values then cost less)."""
    if policy is None or policy.is_base:
        return design_title(Policy())
    own = getattr(policy, field)
    text = f"the design of the starting policy ({describe(policy)})"
    spec = POLICY_FIELDS[field]
    bounds = spec.range or (math.nan, math.nan)
    loosest = {"max": bounds[0], "min": bounds[1]}.get(spec.strictest, math.nan)  # of a bound, of a cap
    if own is not None and own != () and field in policy.to_dict():
        numeric = isinstance(own, int | float | dict) and not isinstance(own, bool)
        shown = setting(own)
        if own == loosest:  # service_level 0: no value is looser (it said 'values looser than 0 cost less')
            return text + f", which sets {field} itself at its loosest, {shown}"
        text += (f", which sets {field} itself (" + (f"values looser than {shown} cost less" if numeric else
                 f"a value looser than its own, {shown}, can cost less") + ": a negative premium)")
    elif not math.isnan(unset := POLICY_FIELDS[field].unset):  # service_level: 1 unless set
        text += (f", where {field} is {unset:g} (its value when not set: values looser than {unset:g} cost "
                 "less, a negative premium)")
    return text


def frontier_sentences(df: pd.DataFrame, field: str) -> list[str]:
    """Cost and worst-case service at both ends of a frontier, its largest step, the values with
    plans not proven optimal and those without a plan (infeasible or not solved)."""
    ok = df.loc[df["cost"].notna()]
    reasons = [f"{'Infeasible' if status == 'infeasible' else 'Not solved within the limits (no plan kept)'} "
               f"at {field} = {values}: {reason}"
               for status in ("infeasible", "not_solved")
               for values, reason in reasons_by_value(df.loc[df["cost"].isna() & (df["status"] == status)],
                                                      field)]
    out: list[str] = []
    # a value not solved within the limits may have designs: only an infeasible one has none
    has = "gives a feasible design" if (df["status"] != "not_solved").all() else "has a plan"
    if ok.empty:
        return [f"No value of {field} {has}.", *reasons]
    first, last = ok.iloc[0], ok.iloc[-1]
    if len(df) == 1:  # one value swept: 'only' would say that others failed
        out.append(f"At {field} = {setting(first[field])} the design costs "
                   f"{money(first['cost'])} (premium {premium_cell(first['premium_pct'])}).")
    elif len(ok) == 1:
        out.append(f"Only {field} = {setting(first[field])} {has}: it costs "
                   f"{money(first['cost'])} (premium {premium_cell(first['premium_pct'])}).")
    else:
        out.append(f"As {field} goes from {setting(first[field])} to {setting(last[field])}, the cost goes "
                   f"from {money(first['cost'])} to {money(last['cost'])} (premium "
                   f"{premium_cell(first['premium_pct'])} to {premium_cell(last['premium_pct'])}).")
    if counts_penalties(ok):
        out.append(f"These costs count shortfall and disruption-scenario cost where the policy has a "
                   f"shortfall penalty; without them the network's premium goes from "
                   f"{premium_cell(first['network_premium_pct'])} to "
                   f"{premium_cell(last['network_premium_pct'])}.")
    if "worst_served" in ok and ok["worst_served"].notna().any():
        ends = [first] if len(ok) == 1 else [first, last]
        words = single_failures_words(replayed_kinds(df))
        out.append(f"Under its worst {words}, " + "; ".join(
            f"at {field} = {setting(r[field])}"
            + (f" ({r['worst_failure']})" if r["worst_served"] < 1 else "")
            + f" {guarantee_words(r['worst_served'])}"
            for r in ends) + ".")  # no failure named when none hurts
    out += largest_step(ok, field)
    unproven = ok.loc[ok["status"] != Status.OPTIMAL.value]
    if len(unproven):
        gaps = [f"{setting(r[field])} ({status_and_gap(r['status'], r.get('gap'))})"
                for _, r in unproven.iterrows()]
        out.append(f"At {field} = {', '.join(gaps)} the plan is the best found within the limits of the "
                   "solve, not proven optimal: its cost and premium may be too high, by up to its gap, and "
                   "the curve need not rise there.")
    return out + reasons


def reasons_by_value(bad: pd.DataFrame, field: str) -> list[tuple[str, str]]:
    """The first reason of each sweep value in ``bad`` (values with the same reason together):
    ``[("0.9, 0.95", "... (missing 1,652 units).")]``; each value keeps its own numbers."""
    groups: dict[str, list[str]] = {}
    for v, reason in zip(bad[field], bad["reason"] if len(bad) else [], strict=True):
        groups.setdefault(first_reason(str(reason)), []).append(setting(v))
    return [(", ".join(values), reason) for reason, values in groups.items()]


def _frontier_table(df: pd.DataFrame, field: str) -> list[str]:
    cols = {field: value, "status": str, "cost": money, "premium_pct": premium_cell,
            **network_premium_columns(df), "worst_served": served_fraction, "n_suppliers": whole,
            "n_hubs": whole}
    return markdown_table(df, cols, {"premium_pct": "premium", "network_premium_pct": "network premium",
                                "intact_served": "served, nothing failed",
                                "worst_served": "worst served",
                                "n_suppliers": "suppliers", "n_hubs": "hubs"})
