"""Reports for planners: CSV tables, PNG figures and a plain-words ``report.md`` per analysis.

Every file is written atomically, and no file name is that of an input table (MODEL.md §1),
so a report written into the data folder never overwrites the data. Figures need matplotlib:
``figures=None`` draws them when it is installed (and warns otherwise), ``True`` requires
it, ``False`` skips them.
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from .. import io
from ..schema import TABLES
from . import figures as fg

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ..data import Network
    from ..policy import Policy
    from ..results import Plan
    from .premium import PolicyOutcome
    from .stress import StressResult

REPORT = "report.md"


class _Writer:
    """Collects the files of one report folder and writes each one atomically."""

    def __init__(self, folder: str | Path, figures: bool | None):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.written: list[Path] = []
        self.figures = figures if figures is not None else fg.has_matplotlib()
        if figures is None and not self.figures:
            warnings.warn(f"figures skipped: matplotlib is not installed ({fg.INSTALL_HINT})",
                          RuntimeWarning, stacklevel=3)

    def path(self, name: str) -> Path:
        assert Path(name).stem not in TABLES, f"{name} would shadow an input table"
        return self.folder / name

    def csv(self, name: str, df: pd.DataFrame) -> str:
        io.write_csv(self.path(name), df)
        self.written.append(self.path(name))
        return name

    def figure(self, name: str, draw: Callable[[], Figure]) -> str | None:
        """Draw and save a PNG; None when figures are off."""
        if not self.figures:
            return None
        fg.save_figure(draw(), self.path(name))
        self.written.append(self.path(name))
        return name

    def report(self, lines: list[str]) -> list[Path]:
        io.write_text(self.path(REPORT), "\n".join(lines).rstrip() + "\n")
        self.written.append(self.path(REPORT))
        return self.written


# ---- stress -------------------------------------------------------------------------------
def write_stress_report(folder: str | Path, network: Network, plan: Plan, stress: StressResult,
                        figures: bool | None = None) -> list[Path]:
    """Write ``stress_failures.csv``, ``stress_shortfalls.csv``, the served-demand heatmap,
    the network map and ``report.md`` for one design; return the paths written."""
    w = _Writer(folder, figures)
    w.csv("stress_failures.csv", stress.failures)
    w.csv("stress_shortfalls.csv", stress.shortfalls)
    heat = w.figure("stress_served.png", lambda: fg.served_heatmap(stress))
    drawn = w.figure("network_map.png", lambda: fg.network_map(network, plan)) \
        if fg.has_coordinates(network) else None
    lines = [f"# Stress test of the design for {_describe(plan.policy)}", "",
             f"Data: {_source(network)}. Money in the data's currency, quantities in units.", "",
             "## In short", "", *_bullets(stress_sentences(plan, stress)), "",
             "## Worst failures", "",
             "Each failure is replayed on the fixed design: flows are re-routed through the suppliers "
             "and hubs that remain, and demand that cannot be reached is short (priced at "
             f"{_money(stress.penalty)} per unit). The extra flow cost is the change in purchase, handling, "
             "transport and tariff cost of the re-routed flows (negative when less is delivered).", "",
             *_failure_table(stress), ""]
    lines += _image(heat, "Demand served per market under each failure")
    lines += _image(drawn, "The design: suppliers, hubs, markets and flows")
    lines += _files(w, {"stress_failures.csv": "one row per failure: served fraction, shortfall, costs",
                        "stress_shortfalls.csv": "shortfall per failure, market and product (units)"})
    return w.report(lines)


# ---- premium ------------------------------------------------------------------------------
def write_premium_report(folder: str | Path, network: Network, outcomes: Sequence[PolicyOutcome],
                         table: pd.DataFrame, figures: bool | None = None) -> list[Path]:
    """Write ``premium.csv``, the stress failures and shortfalls of every policy (with a
    ``policy`` column), the premium chart, a heatmap and map per policy, and ``report.md``."""
    w = _Writer(folder, figures)
    w.csv("premium.csv", table)
    stressed = [o for o in outcomes if o.stress is not None]
    if stressed:
        w.csv("stress_failures.csv", pd.concat(
            [o.stress.failures.assign(policy=o.name) for o in stressed if o.stress is not None],
            ignore_index=True).pipe(_policy_first))
        w.csv("stress_shortfalls.csv", pd.concat(
            [o.stress.shortfalls.assign(policy=o.name) for o in stressed if o.stress is not None],
            ignore_index=True).pipe(_policy_first))
    chart = w.figure("premium.png", lambda: fg.premium_figure(table))
    lines = ["# Resilience premium report", "",
             f"Data: {_source(network)}. The premium of a policy is what its cheapest design costs "
             "over the cost-optimal base, in % of the base cost (MODEL.md §6). Each design is then "
             "stress-tested: every single failure of a country, hub or supplier is replayed with "
             "re-routed flows, and the demand still served is reported.", "",
             "## In short", "", *_bullets(premium_sentences(outcomes, table)), "",
             "## Premium table", "", *_premium_table(table), ""]
    lines += _image(chart, "Premium per policy, with the demand served under its worst failure")
    located = fg.has_coordinates(network)
    for i, o in enumerate(outcomes):
        lines += [f"## {o.name}: {_describe(o.policy)}", ""]
        if o.plan is None:
            lines += [f"Infeasible: {o.reason}", ""]
            continue
        lines += _bullets(stress_sentences(o.plan, o.stress))
        lines.append("")
        slug = f"{i:02d}_{_slug(o.name)}"
        if o.stress is not None:
            stress = o.stress
            lines += _image(w.figure(f"served_{slug}.png", lambda s=stress, n=o.name: fg.served_heatmap(
                s, f"Demand served per failure: {n}")), f"Demand served under each failure ({o.name})")
        if located:
            lines += _image(w.figure(f"map_{slug}.png", lambda p=o.plan, n=o.name: fg.network_map(
                network, p, f"Design: {n}")), f"Design of {o.name}")
    lines += _files(w, {"premium.csv": "one row per policy: cost, premium, served fractions, shares",
                        "stress_failures.csv": "per policy and failure: served fraction, costs",
                        "stress_shortfalls.csv": "per policy, failure, market and product: shortfall"})
    return w.report(lines)


# ---- frontier -----------------------------------------------------------------------------
def write_frontier_report(folder: str | Path, df: pd.DataFrame, field: str,
                          figures: bool | None = None) -> list[Path]:
    """Write ``frontier.csv``, the frontier figure and ``report.md`` for a :func:`frontier`."""
    w = _Writer(folder, figures)
    w.csv("frontier.csv", df)
    chart = w.figure("frontier.png", lambda: fg.frontier_figure(df, field))
    unit = fg.FIELD_UNITS.get(field, "policy value")
    lines = [f"# Frontier of {field}", "",
             f"The cheapest design for each value of `{field}` ({unit}); the premium is over the design "
             "of the policy without the sweep, in % of its cost. The worst-case served fraction is the "
             "demand still served under the worst single failure replayed on each design.", "",
             "## In short", "", *_bullets(frontier_sentences(df, field)), "",
             "## Points", "", *_frontier_table(df, field), ""]
    lines += _image(chart, f"Premium and worst-case service against {field}")
    lines += _files(w, {"frontier.csv": "one row per value: status, cost, premium, worst served"})
    return w.report(lines)


# ---- sentences ----------------------------------------------------------------------------
def premium_sentences(outcomes: Sequence[PolicyOutcome], table: pd.DataFrame) -> list[str]:
    """One plain-words sentence per policy: its premium and its service under the worst failure."""
    return [_premium_sentence(o, outcomes[0], row)
            for o, row in zip(outcomes, table.to_dict("records"), strict=True)]


def stress_sentences(plan: Plan, stress: StressResult | None) -> list[str]:
    """The design and how it fares under failures, in plain words."""
    return _design_sentence(plan) + _stress_sentences(stress)


def _premium_sentence(o: PolicyOutcome, base: PolicyOutcome, row: dict[str, Any]) -> str:
    label = _label(o.name)
    if o.plan is None:
        return f"{label} ({_describe(o.policy)}) is infeasible on this data: {_reason(o.reason)}"
    what, served, _ = _worst(o.stress)
    if o is base:
        text = f"The cost-optimal base costs {_money(o.plan.objective)}"
        return text + (f"; under {what} it serves {served:.0%} of demand." if what else ".")
    pct = row.get("premium_pct", math.nan)
    more = "more" if pct >= 0 else "less"
    text = f"{label} ({_describe(o.policy)}) costs {abs(pct):.1f}% {more} than the cost-optimal base"
    if not what:
        return text + "."
    base_served = _worst(base.stress)[1]
    return text + f"; under {what} it still serves {served:.0%} of demand (base: {base_served:.0%})."


def _design_sentence(plan: Plan) -> list[str]:
    suppliers, hubs = _count(len(plan.suppliers), "supplier"), _count(len(plan.hubs), "hub")
    return [f"The design contracts {suppliers} ({', '.join(plan.supplier_ids)}) and opens {hubs} "
            f"({', '.join(plan.hub_ids)}) at a total cost of {_money(plan.objective)}."]


def _stress_sentences(stress: StressResult | None) -> list[str]:
    if stress is None or stress.failures.empty:
        return ["No failure was replayed."]
    f = stress.failures
    s = stress.summary()
    hurt = f.loc[f["served_fraction"] < 1 - 1e-9]
    worst = f.loc[f["failure"] == s["worst_failure"]].iloc[0]
    out = [f"Of {_count(len(f), 'failure')} replayed, {len(hurt)} "
           f"{'leaves' if len(hurt) == 1 else 'leave'} some demand unserved."]
    if len(hurt):
        out.append(f"The worst is {worst['failure']}: {worst['served_fraction']:.1%} of demand is still "
                   f"served, and {worst['worst_market']} gets {worst['worst_market_served']:.0%} of its "
                   "demand.")
    what, served, name = _worst(stress)
    if what and name != worst["failure"]:
        out.append(f"Under {what} ({name}) {served:.1%} of demand is served.")
    out.append(f"Weighted by probability, {s['expected_served_fraction']:.1%} of demand is served, with an "
               f"expected shortfall cost of {_money(s['expected_shortfall_cost'])}.")
    return out


def _worst(stress: StressResult | None) -> tuple[str, float, str]:
    """(phrase, served fraction, failure) of the worst single country failure, else of the worst
    single failure; ("", nan, "") without one."""
    if stress is None or stress.failures.empty:
        return "", math.nan, ""
    f = stress.failures
    single = f.loc[~f["failure"].str.startswith("scenario:")]
    country = single.loc[single["failure"].str.startswith("country:")]
    pick, what = (country, "the worst single country failure") if len(country) else (
        (single, "the worst single failure") if len(single) else (f, "the worst scenario"))
    row = pick.sort_values("served_fraction", kind="stable").iloc[0]
    return what, float(row["served_fraction"]), str(row["failure"])


def frontier_sentences(df: pd.DataFrame, field: str) -> list[str]:
    """Cost and worst-case service at both ends of a frontier, its steepest step, infeasible values."""
    ok = df.loc[df["status"] != "infeasible"]
    out: list[str] = []
    if ok.empty:
        return [f"No value of {field} gives a feasible design."]
    first, last = ok.iloc[0], ok.iloc[-1]
    out.append(f"As {field} goes from {_value(first[field])} to {_value(last[field])}, the cost goes from "
               f"{_money(first['cost'])} to {_money(last['cost'])} (premium {first['premium_pct']:.1f}% "
               f"to {last['premium_pct']:.1f}%).")
    if "worst_served" in ok and ok["worst_served"].notna().any():
        out.append(f"Under its worst single failure the design at {field} = {_value(first[field])} serves "
                   f"{first['worst_served']:.0%} of demand ({first['worst_failure']}); at "
                   f"{_value(last[field])}, {last['worst_served']:.0%} ({last['worst_failure']}).")
    steps = ok["premium_pct"].diff().iloc[1:]
    if len(steps) and steps.max() > 0:
        i = int(steps.to_numpy().argmax()) + 1
        out.append(f"The steepest step is from {_value(ok[field].iloc[i - 1])} to {_value(ok[field].iloc[i])}"
                   f": +{steps.iloc[i - 1]:.1f} percentage points of premium.")
    bad = df.loc[df["status"] == "infeasible"]
    if len(bad):
        out.append(f"Infeasible at {field} = {', '.join(_value(v) for v in bad[field])}: "
                   f"{_reason(str(bad['reason'].iloc[0]))}")
    return out


# ---- tables -------------------------------------------------------------------------------
def _premium_table(table: pd.DataFrame) -> list[str]:
    cols = {"policy": str, "status": str, "cost": _money, "premium_pct": _pct_points,
            "worst_served": _fraction, "expected_served": _fraction, "local_share": _fraction,
            "allied_share": _fraction, "n_suppliers": _int, "n_hubs": _int}
    return _markdown(table, cols, {"premium_pct": "premium", "worst_served": "worst served",
                                   "expected_served": "expected served", "local_share": "local",
                                   "allied_share": "allied", "n_suppliers": "suppliers", "n_hubs": "hubs"})


def _failure_table(stress: StressResult, n: int = 10) -> list[str]:
    f = stress.failures.sort_values(["served_fraction", "impact"], ascending=[True, False]).head(n)
    cols = {"failure": str, "served_fraction": _fraction, "worst_market": str,
            "worst_market_served": _fraction, "shortfall": _units, "extra_cost": _money,
            "shortfall_cost": _money}
    return _markdown(f, cols, {"served_fraction": "served", "worst_market": "worst market",
                               "worst_market_served": "its served", "extra_cost": "extra flow cost",
                               "shortfall_cost": "shortfall cost"})


def _frontier_table(df: pd.DataFrame, field: str) -> list[str]:
    cols = {field: _value, "status": str, "cost": _money, "premium_pct": _pct_points,
            "worst_served": _fraction, "n_suppliers": _int, "n_hubs": _int}
    return _markdown(df, cols, {"premium_pct": "premium", "worst_served": "worst served",
                                "n_suppliers": "suppliers", "n_hubs": "hubs"})


def _markdown(df: pd.DataFrame, cols: dict[str, Callable[[Any], str]],
              names: dict[str, str]) -> list[str]:
    cols = {c: f for c, f in cols.items() if c in df}
    right = [f not in (str, _value) for f in cols.values()]
    lines = ["| " + " | ".join(names.get(c, c) for c in cols) + " |",
             "|" + "|".join("---:" if r else "---" for r in right) + "|"]
    for row in df.to_dict("records"):
        cells = [_cell(row[c], f) for c, f in cols.items()]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _cell(v: Any, fmt: Callable[[Any], str]) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    return fmt(v).replace("|", "\\|")


# ---- small helpers ------------------------------------------------------------------------
def _money(v: float) -> str:
    return f"{v:,.2f}"


def _units(v: float) -> str:
    return f"{v:,.0f}"


def _int(v: Any) -> str:
    return f"{int(v)}"


def _fraction(v: float) -> str:
    return f"{v:.1%}"


def _pct_points(v: float) -> str:
    return f"{v:.2f}%"


def _value(v: Any) -> str:
    if isinstance(v, list | tuple):
        return ", ".join(map(str, v))
    return f"{v:g}" if isinstance(v, float) else str(v)


def _describe(policy: Policy) -> str:
    """``min_local_share 0.5, survive country``; the base has no requirements."""
    items = policy.to_dict()
    if not items:
        return "no requirements (cost-optimal)"
    return ", ".join(f"{k} {_mapping(v) if isinstance(v, dict) else _value(v)}" for k, v in items.items())


def _mapping(v: dict[str, Any]) -> str:
    return "{" + ", ".join(f"{k}: {_value(x)}" for k, x in v.items()) + "}"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _label(name: str) -> str:
    text = name.replace("_", "-")
    return text[:1].upper() + text[1:]


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "_", name).strip("_") or "policy"


def _reason(text: str) -> str:
    """The first reason of an infeasibility message (its list items follow a header line)."""
    lines = [ln.strip(" -") for ln in text.splitlines() if ln.strip(" -")]
    items = [ln for ln in lines if not ln.endswith(":")] or lines or [text]
    more = f" (and {_count(len(items) - 1, 'more reason')})" if len(items) > 1 else ""
    return items[0].rstrip(".") + more + "."


def _source(network: Network) -> str:
    return f"{network.source or 'network'} ({network!r})"


def _policy_first(df: pd.DataFrame) -> pd.DataFrame:
    return df[["policy", *[c for c in df.columns if c != "policy"]]]


def _bullets(sentences: list[str]) -> list[str]:
    return [f"- {s}" for s in sentences]


def _image(name: str | None, caption: str) -> list[str]:
    return [f"![{caption}]({name})", ""] if name else []


def _files(w: _Writer, described: dict[str, str]) -> list[str]:
    names = [p.name for p in w.written]
    return ["## Files", "", *[f"- `{n}`: {d}" for n, d in described.items() if n in names],
            *[f"- `{n}`" for n in names if n not in described], f"- `{REPORT}`: this report"]
