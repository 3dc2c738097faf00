"""Step 4, compare: the tab's named scenarios against the base (the library's premium table and
its bars), the frontier of one policy field (:func:`resilient_sc.analysis.frontier`), and the
stress test of the current design (:func:`resilient_sc.stress_test`) with its worst failures and
the served heatmap per product; the frontier and the stress test run in a process of their own.

>>> from resilient_sc import Policy, solve
>>> from .state import Session
>>> s = Session.example()
>>> _ = s.add_scenario("base", Policy(), solve(s.network))
>>> _ = s.add_scenario("local", Policy(min_local_share=0.5), solve(s.network, Policy(min_local_share=0.5)))
>>> [(r["policy"], r["cost"], r["premium_pct"]) for r in premium_rows(s)]
[('base', '11,914,791', '0.00%'), ('local', '12,228,393', '2.63%')]
>>> sweep_values("0, 0.25 0.5", "min_local_share"), sweep_values("1 2", "min_suppliers")
([0.0, 0.25, 0.5], [1, 2])
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..analysis.figures import field_unit
from ..analysis.frontier import frontier
from ..analysis.frontier_report import reasons_by_value
from ..analysis.premium import (
    PolicyOutcome,
    counts_penalties,
    floor_caveat,
    premium_table,
    shown_columns,
    unproven_sentence,
)
from ..analysis.report import unlisted
from ..analysis.roadmap import (
    PathOutcome,
    end_year_frontier,
    roadmap_premium_table,
    roadmap_stress,
)
from ..analysis.roadmap import roadmap_stress_table as stress_by_period
from ..analysis.stress import stress_test
from ..exceptions import ValidationError
from ..format import (
    MONEY_COLUMNS,
    column_formatter,
    column_label,
    count,
    money_label,
    served_fraction,
    settings,
    signed_pct_points,
)
from ..policy import POLICY_FIELDS, Policy
from ..wording import LABEL_CHARS
from . import access
from .plan_view import plotted, show_warnings
from .policy_page import field_problems, typed_number
from .stress_view import (
    FAILURE_COLUMNS,
    PERIOD_STRESS_COLUMNS,
    heatmap_width,
    lines,
    served_heatmap,
    shown_period,
    stress_legend,
    worst_failures,
)

if TYPE_CHECKING:
    from ..analysis.stress import StressResult
    from .state import Session

#: the premium table's columns shown
PREMIUM_COLUMNS = ["policy", "status", "cost", "premium", "premium_pct", "worst_served", "local_share",
                   "allied_share", "n_suppliers", "n_hubs", "reason"]
#: the columns shown of the premium table of roadmaps (counts over the path, shares of its last period)
PATH_COLUMNS = ["policy", "status", "cost", "premium", "premium_pct", "n_suppliers_started",
                "n_suppliers_stopped", "n_hubs_started", "n_hubs_stopped", "n_suppliers", "n_hubs",
                "local_share", "allied_share", "top_country", "top_country_share", "reason"]
#: the columns shown of an end-year frontier (after the field's)
PATH_FRONTIER_COLUMNS = [c for c in PATH_COLUMNS if c not in ("policy", "reason")]  # reasons below it
#: the most values a frontier of the app takes
FRONTIER_VALUES = 25
#: the fields a frontier can sweep: those with numbers for values
SWEEPABLE = [name for name, f in POLICY_FIELDS.items() if f.range is not None]
#: the frontier table's columns shown
FRONTIER_COLUMNS = ["status", "cost", "premium", "premium_pct", "worst_served", "worst_failure",
                    "n_suppliers", "n_hubs"]
#: the most characters of a figure title's line: plotly neither wraps a title nor keeps one wider
#: than the figure (at 640 px the premium of paths lost its '(same periods)')
TITLE_CHARS = 60
#: the money of the data, in axis titles
MONEY = "money, the data's currency"
#: the axis of the worst-case service of a frontier point (what it is conditional on: the panel title)
WORST_SERVED = "worst-case served (% of demand)"


def outcomes(session: Session) -> list[PolicyOutcome]:
    """The session's scenarios as the library's outcomes (with their stress tests), the base
    first; empty when nothing is solved."""
    base = session.base_scenario()
    if base is None:
        return []
    order = [base, *(s for s in session.scenarios.values() if s is not base)]
    return [PolicyOutcome(s.name, s.policy, s.plan, s.stress, s.reason,
                          "optimal" if s.plan is not None else "infeasible") for s in order]


def path_outcomes(session: Session) -> list[PathOutcome]:
    """The session's roadmap scenarios as the library's path outcomes, the cost-optimal path
    first; empty without it (a premium of a path means nothing without it)."""
    base = session.base_scenario()
    if base is None or base.roadmap is None:
        return []
    order = [base, *(s for s in session.scenarios.values() if s is not base)]
    return [PathOutcome(s.name, s.policy, s.roadmap, s.reason,
                        "optimal" if s.roadmap is not None else "infeasible") for s in order]


def premium_frame(session: Session) -> pd.DataFrame | None:
    """The library's premium table of the session's scenarios, the base first (None: no base);
    for roadmaps :func:`~resilient_sc.analysis.roadmap.roadmap_premium_table`: cost = Σ weight ×
    period cost, premium over the cost-optimal path over the same periods."""
    if session.is_roadmap:
        paths = path_outcomes(session)
        return roadmap_premium_table(paths) if paths else None
    found = outcomes(session)
    return premium_table(found) if found else None


def premium_columns(session: Session) -> list[str]:
    """The premium table's columns shown for the session's kind of data."""
    return PATH_COLUMNS if session.is_roadmap else PREMIUM_COLUMNS


def stress_file(session: Session, part: str) -> str:
    """Where step 5 puts the stress test's ``part`` (``failures``, ``shortfalls``): the report's
    CSV, or of a roadmap (whose report has no stress files) the workbook's sheet."""
    if session.is_roadmap:
        return f"the stress_{part} sheet of the workbook roadmap.xlsx (step 5, export)"
    return f"the report's stress_{part}.csv (step 5, export)"


def served_shares_where(session: Session) -> str:
    """Where a served heatmap's numbers are as text: every market's share under every failure in
    the report's stress_shortfalls.csv; of a roadmap the workbook's sheet, which keeps the markets
    and products left short alone (it was said to hold every share: review audit)."""
    where = stress_file(session, "shortfalls")
    if session.is_roadmap:
        return f"each market and product left short under each failure in {where}"
    return f"every market's served share under every failure in {where}"


def _formatted(df: pd.DataFrame, columns: list[str]) -> list[dict[str, Any]]:
    cols = [c for c in columns if c in df]
    out = pd.DataFrame({c: df[c].map(column_formatter(c)) if c not in MONEY_COLUMNS
                        else df[c].map(lambda v: "" if pd.isna(v) else money_label(float(v))) for c in cols})
    if "reason" in out:  # a cell shows no line ends: one reason ran into the next ('in CA max_country_share')
        out["reason"] = out["reason"].astype(str).str.replace("\n", "; ", regex=False)
    return out.fillna("").astype(str).to_dict("records")


def frontier_table(out: pd.DataFrame, name: str,
                   roadmap: bool) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """A frontier of the policy field ``name`` as the page's table shows it: its columns (name ->
    heading, with units and what the premium is over; the field as named) and its rows as text
    (the exported figures page gave the raw frame: 19 columns, fractions, no units: review audit)."""
    shown = shown_columns([name, *(PATH_FRONTIER_COLUMNS if roadmap else FRONTIER_COLUMNS)], out)
    over = ({"premium_pct": "premium over the cost-optimal path (%)"} if roadmap else {  # not the
        "premium_pct": "premium over the starting policy's design (%)",  # premium table's
        "worst_served": "worst served, worst single country failure (% of demand)"})
    return ({c: c if c == name else over.get(c, column_label(c)) for c in shown if c in out},
            _formatted(out, shown))


def premium_rows(session: Session) -> list[dict[str, Any]]:
    df = premium_frame(session)
    return [] if df is None else _formatted(df, shown_columns(premium_columns(session), df))


def premium_legend(session: Session) -> str:
    """What the premium table of single-period scenarios says, above it: what cost, premium and
    worst served are, and what a blank worst served means."""
    base = session.base_scenario()
    if base is None or base.plan is None:
        return "Solve a policy (step 3) to start comparing: every solve is kept as a scenario."
    found = outcomes(session)
    table = premium_table(found)
    shown = shown_columns(PREMIUM_COLUMNS, table)  # the column said where it is shown
    shed = (" Served, nothing failed: the share of demand a plan delivers, paying its shortfall penalty on "
            "the rest (it costs less, delivering less).") if "intact_served" in shown else ""
    return ("Every solve is kept as a scenario of the same data: cost = its cheapest design's total cost; "
            f"premium over the scenario '{base.name}', premium (%) = (cost − base) / base; "
            "worst served = the share of demand every market and product still gets under the design's "
            f"worst replayed failure{floor_caveat(found)}, blank until that design is "
            "stress-tested (below); local and allied "
            f"shares over all markets and products ({base.plan.share_weighting()})." + shed
            + unproven_sentence(table))


def reference_words(session: Session) -> str:
    """What the session's premiums are over: the base design, the scenario that stands in for it
    while the base policy is not solved (the first solved), or for roadmaps the cost-optimal path.

    >>> from resilient_sc import Policy, solve
    >>> from .state import Session
    >>> s = Session.example()
    >>> local = Policy(min_local_share=0.5)
    >>> _ = s.add_scenario("local", local, solve(s.network, local))
    >>> reference_words(s)
    "the scenario 'local'"
    """
    if session.is_roadmap:
        return "the cost-optimal path"
    base = session.base_scenario()
    return "the base design" if base is None or base.policy.is_base else f"the scenario '{base.name}'"


#: scenarios beyond which the premium bars lie, a row each (their names read across)
UPRIGHT_BARS = 8


def premium_bars(table: pd.DataFrame, reference: str = "the base design") -> Any:
    """Plotly bars of the premium (% of the cost of ``reference``, the first row's, in words:
    :func:`reference_words`) per scenario; an infeasible scenario is a labelled empty slot. A
    table of roadmaps (its started counts tell) is labelled with paths: the premium over the
    cost-optimal path's Σ weight × period cost."""
    import plotly.graph_objects as go

    paths = "n_suppliers_started" in table
    base = "the cost-optimal path" if paths else plotted(reference)

    names = [plotted(n) for n in table["policy"]]  # whole in the hover; the ticks cut (a 220-character
    x = list(range(len(names)))  # name squeezed the bars to a strip), on positions: two cut alike stay two
    pct = [float(v) if pd.notna(v) else math.nan for v in table["premium_pct"]]
    infeasible = [st == "infeasible" or math.isnan(v) for st, v in zip(table["status"], pct, strict=True)]
    text = ["infeasible" if bad else signed_pct_points(v) for bad, v in zip(infeasible, pct, strict=True)]
    colors = ["#888" if i == 0 else "#1f77b4" for i in range(len(pct))]
    hover = f"%{{customdata}}: %{{text}} over {base}<extra></extra>"
    flat = len(x) > UPRIGHT_BARS  # a row per scenario: 20 names turned on the axis ran into the legend

    def bars(values: list[float], **kw: Any) -> Any:  # upright, or lying a row per scenario
        return go.Bar(**({"y": x, "x": values, "orientation": "h"} if flat else {"x": x, "y": values}),
                      customdata=names, textposition="outside", cliponaxis=False, **kw)

    if not counts_penalties(table):
        fig = go.Figure(bars([0.0 if bad else v for bad, v in zip(infeasible, pct, strict=True)], text=text,
                             marker_color=colors, hovertemplate=hover))
    else:  # beside each premium, that of the network alone (no shortfall or disruption cost):
        # side by side, never stacked, so a negative one with a positive penalty reads right
        net = [math.nan if bad else float(v)
               for bad, v in zip(infeasible, table["network_premium_pct"], strict=True)]
        fig = go.Figure([
            bars([0.0 if bad else v for bad, v in zip(infeasible, pct, strict=True)], text=text,
                 marker_color=colors, hovertemplate=hover, name="premium of the total cost"),
            bars(net, text=["" if math.isnan(v) else signed_pct_points(v) for v in net],
                 marker={"color": "white", "line": {"color": "#1f77b4", "width": 1},
                         "pattern": {"shape": "/", "fgcolor": "#1f77b4"}},
                 name="hatched: of the network alone (design and flows, without the shortfall and "
                      "disruption-scenario cost a shortfall penalty counts)",
                 hovertemplate=f"%{{customdata}}: network %{{{'x' if flat else 'y'}:+.2f}}%<extra></extra>")])
        fig.update_layout(barmode="group", legend={"orientation": "h", "y": -0.25} if not flat else
                          {"orientation": "h", "y": 1.0, "yanchor": "bottom"})
    title = ("Premium of each path: its Σ weight × period cost over the cost-optimal path's (same periods)"
             if paths else f"Premium of each scenario: its cheapest design's cost over the cost of {base} "
                           "(same data)")  # in lines: plotly cuts a title wider than the figure (640 px)
    rows = len(x) * (2 if len(fig.data) > 1 else 1)
    fig.update_layout(title=lines(title, TITLE_CHARS), height=max(400, 160 + 22 * rows) if flat else 400,
                      margin={"t": 160 if flat and len(fig.data) > 1 else 90, "b": 40})
    names_axis = {"title_text": "scenario", "tickvals": x,
                  "ticktext": [plotted(n, LABEL_CHARS) for n in table["policy"]]}
    premium_axis = {"title_text": f"premium over {base} (%)", "zeroline": True, "zerolinecolor": "black"}
    if flat:  # the first scenario on top, as in the table
        fig.update_yaxes(autorange="reversed", **names_axis)
        fig.update_xaxes(**premium_axis)
    else:
        fig.update_xaxes(**names_axis)
        fig.update_yaxes(**premium_axis)
    return fig


def sweep_values(text: str, field: str) -> list[float | int]:
    """The values of a frontier typed as ``0, 0.25 0.5`` (whole numbers for a count field), each
    once, at most :data:`FRONTIER_VALUES`, each read as a policy box reads a number
    (:func:`~.policy_page.typed_number`); a :class:`ValidationError` for a word that is not a
    number, one comma between digits in a word without a point (``2,5``: a decimal comma read as
    the values 2 and 5, unsaid: localisation audit) or a no-break space before three digits, or
    too many values (each is a solve and a stress test: 200 ran for many
    minutes).

    >>> sweep_values("0.5 0.25, 0.5", "min_local_share")
    [0.5, 0.25]
    >>> try:
    ...     sweep_values("2,5 7,5", "co2_price")
    ... except ValidationError as exc:
    ...     print(exc.messages[0])
    '2,5': a comma or a no-break space between digits may be a decimal or thousands separator; \
write a decimal with a point (2.5), a thousand without a separator (1000), and separate values by \
spaces or ', ' (2, 5)
    >>> sweep_values("0,0.5 1", "min_local_share"), sweep_values("1,2,3", "min_suppliers")
    ([0.0, 0.5, 1.0], [1, 2, 3])
    """
    # one comma between digits in a word without a point (2,5; 1,200) may be a decimal comma or a
    # thousands one; '0,0.5' and '1,2,3' are lists (review audit), a no-break space a thousands one
    glued = next((w for w in re.split(r"[;\s]+", text) if re.fullmatch(r"[+-]?\d+,\d+", w)), None)
    if glued or (glued := next(iter(re.findall(r"\d+[\u00a0\u202f]\d{3}\b", text)), None)):
        raise ValidationError([f"(frontier) | {glued[:40]!r}: a comma or a no-break space between digits may "
                               "be a decimal or thousands separator; write a decimal with a point (2.5), a "
                               "thousand without a separator (1000), and separate values by spaces or ', ' "
                               "(2, 5)"])
    words = [w for w in re.split(r"[,;\s]+", text.strip()) if w]
    if not words:
        raise ValidationError([f"(frontier) | give a few values of {field}, e.g. 0, 0.25, 0.5"])
    out: list[float | int] = []
    for w in words:
        v, wrong = typed_number(w)
        if v is None:
            raise ValidationError([f"(frontier) | {wrong or repr(w[:40])}"])
        out.append(int(v) if POLICY_FIELDS[field].integer and v.is_integer() else v)
    out = list(dict.fromkeys(out))
    if len(out) > FRONTIER_VALUES:
        raise ValidationError([f"(frontier) | {len(out)} values: give at most {FRONTIER_VALUES} (each is a "
                               "solve and a stress test; the command line's frontier takes more)"])
    return out


def sweep_problems(policy: Policy, field: str, values: list[float | int]) -> str:
    """What is wrong with the first of ``values`` the policy cannot take as ``field`` (its range),
    before a frontier starts: '0.5, 1.5' ran the sweep to fail it whole on 1.5 (app audit).

    >>> sweep_problems(Policy(), "min_local_share", [0.5, 1.5, 2.0])
    'min_local_share = 1.5: min_local_share == 1.5, must be in [0, 1] (and 1 more value)'
    """
    bad = [(v, said) for v in values if (said := field_problems(dataclasses.replace(policy, **{field: v})))]
    if not bad:
        return ""
    (value, said), more = bad[0], len(bad) - 1
    return f"{field} = {value:g}: {said[0]}" + (f" (and {count(more, 'more value')})" if more else "")


def frontier_figure(df: pd.DataFrame, field: str) -> Any:
    """Two plotly panels against the values of ``field`` (its unit on the axis): the cost of the
    cheapest design, and the demand it guarantees under its worst single country failure;
    infeasible values are marked on the axis."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    x = df[field].tolist()
    bad = df["cost"].isna()  # infeasible, or not solved within the limits
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.12, subplot_titles=(
        "Cost of the cheapest design", "Demand guaranteed to every market and product,<br>"
        "conditional on the worst single country failure"))
    fig.add_trace(go.Scatter(x=x, y=df["cost"], mode="lines+markers", name="cost",
                             hovertemplate=f"{field} %{{x}}: cost %{{y:,.0f}} (money)<extra></extra>"), 1, 1)
    if counts_penalties(df):  # the cost counts shortfall and disruption-scenario cost: the network's too
        fig.add_trace(go.Scatter(x=x, y=df["network_cost"], mode="lines+markers", line={"dash": "dot"},
                                 name="network cost (without shortfall and disruption-scenario cost)",
                                 hovertemplate=f"{field} %{{x}}: network %{{y:,.0f}} (money)"
                                               "<extra></extra>"), 1, 1)
    # the hover rounded to nearest: 0.901539 read '90.2% guaranteed' beside the table's 90.1% (audit)
    shown = [served_fraction(v) if v == v else "" for v in df["worst_served"]]
    fig.add_trace(go.Scatter(x=x, y=100 * df["worst_served"], mode="lines+markers", name="worst-case served",
                             customdata=shown, hovertemplate=f"{field} %{{x}}: %{{customdata}} guaranteed"
                                                             "<extra></extra>"), 1, 2)
    _mark_missing(fig, df.loc[bad, field].tolist())
    axis = f"{field} ({field_unit(field)})"
    fig.update_xaxes(title_text=axis)
    fig.update_yaxes(title_text=f"total cost ({MONEY})", tickformat=",.0f", row=1, col=1)  # not 12.1303315M
    fig.update_yaxes(title_text=WORST_SERVED, range=[0, 105], row=1, col=2)
    fig.update_layout(height=420, title=f"Frontier of {field}", margin={"t": 80})
    return fig


def _mark_missing(fig: Any, values: list[Any]) -> None:
    """The values without a plan marked on both panels' x axes, not drawn as points: a red ✖ at
    cost 0 stretched the cost axis (a +2.5% rise read flat) and read as '0% guaranteed'."""
    for v in values:
        for col in (1, 2):
            fig.add_annotation(x=v, y=0, yref="y domain", yanchor="bottom", showarrow=False, row=1, col=col,
                               text="✖ no plan", font={"color": "red"},
                               hovertext="infeasible or not solved within the limits (the reasons are below)")
    xs = [float(x) for trace in fig.data for x in trace.x if isinstance(x, int | float)] + [
        float(v) for v in values if isinstance(v, int | float)]
    if values and len(xs) == len(values) + sum(len(t.x) for t in fig.data):  # numbers: every value in view
        pad = 0.08 * ((max(xs) - min(xs)) or 1.0)  # an annotation does not widen the axis as a point does
        fig.update_xaxes(range=[min(xs) - pad, max(xs) + pad])


def path_frontier_figure(df: pd.DataFrame, field: str, last: str) -> Any:
    """Two plotly panels of an end-year frontier (:func:`~resilient_sc.analysis.roadmap.end_year_frontier`)
    against the last period's value of ``field``: the cost of the cheapest path (Σ weight ×
    period cost) and its premium over the cost-optimal path (%); infeasible values marked."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    x = df[field].tolist()
    bad = df["cost"].isna()  # infeasible, or not solved within the limits
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.12, subplot_titles=(
        "Cost of the cheapest path (Σ weight × period cost)", "Premium over the cost-optimal path"))
    fig.add_trace(go.Scatter(x=x, y=df["cost"], mode="lines+markers", name="path cost", hovertemplate=(
        f"{field} %{{x}} in {last}: cost %{{y:,.0f}} (money)<extra></extra>")), 1, 1)
    fig.add_trace(go.Scatter(x=x, y=df["premium_pct"], mode="lines+markers", name="premium",
                             hovertemplate=f"{field} %{{x}} in {last}: %{{y:+.2f}}%<extra></extra>"), 1, 2)
    _mark_missing(fig, df.loc[bad, field].tolist())
    fig.update_xaxes(title_text=f"{field} in {last} ({field_unit(field)})")
    fig.update_yaxes(title_text=f"path cost ({MONEY})", tickformat=",.0f", row=1, col=1)
    fig.update_yaxes(title_text="premium (% of the cost-optimal path)", row=1, col=2)
    title = f"End-year frontier of {field} (the glide path before {last} kept)"
    fig.update_layout(height=420, margin={"t": 90}, title=lines(title, TITLE_CHARS))
    return fig


def any_frontier_figure(df: pd.DataFrame, field: str) -> Any:
    """:func:`frontier_figure` of a frontier, :func:`path_frontier_figure` of an end-year one."""
    if "worst_served" in df:
        return frontier_figure(df, field)
    return path_frontier_figure(df, field, [c for c in df if c.startswith("cost ")][-1][len("cost "):])


def ticking(label: Any, job: Any) -> Any:
    """A timer adding the seconds ``job`` has run to ``label``'s words each second (a frontier's
    minute read as frozen); cancel it when the job ends."""
    from nicegui import ui

    words = label.text
    return ui.timer(1.0, lambda: label.set_text(f"{words} {job.elapsed:.0f} s"))


def build(session: Session) -> Any:
    """The compare panel; returns a function that redraws the premium table (and, for new
    data, clears the frontier and the stress test)."""
    from nicegui import ui

    tested = [False]  # a stress test is shown (of the current design until the next solve)

    def cols(names: list[str], labels: Mapping[str, str] | None = None) -> list[dict[str, str]]:
        """Table columns headed by their words and units (``labels``: those of a table whose
        premium or worst served is over another reference, a frontier's swept field)."""
        labels = labels or {}
        return [{"name": c, "label": labels.get(c, column_label(c)), "field": c, "align": "left"}
                for c in names]

    @ui.refreshable
    def premiums() -> None:
        df = premium_frame(session)
        shown = premium_columns(session)
        if df is not None:
            shown = shown_columns(shown, df)
        rows = [] if df is None else _formatted(df, shown)
        if not rows:
            ui.label("Solve a policy (step 3) to start comparing: every solve is kept as a scenario.")
            return
        if session.is_roadmap:
            last = session.period_ids()[-1]
            ui.label("Paths over the same periods: cost = Σ weight × period cost; premium over the "
                     "cost-optimal path (no policy), premium (%) = (cost − base) / base; started and "
                     f"stopped counted over the path; suppliers, hubs and shares of the last period ({last})."
                     + unproven_sentence(df)).classes("text-sm").props("data-testid=premium-legend")
        else:
            ui.label(premium_legend(session)).classes("text-sm words").props("data-testid=premium-legend")
        title = f"{'Paths' if session.is_roadmap else 'Scenarios'} against {reference_words(session)}"
        over = {"premium_pct": f"premium over {reference_words(session)} (%)"}  # the frontier's is not
        headers = cols([c for c in shown if c in rows[0]], labels=over)
        table = ui.table(columns=headers, rows=rows, title=title)
        access.named(table.props("dense wrap-cells data-testid=premium-table").classes("w-full"), title)
        if df is not None and len(df) > 1:
            access.described(ui.plotly(premium_bars(df, reference_words(session))).classes("w-full").props(
                "data-testid=premium-bars"), f"Bar chart of the premiums: the table {title} above holds "
                "the same numbers")

    running: dict[str, Any] = {}  # the stress test's and the frontier's job while it runs

    def stop(what: str) -> None:
        """Stop the stress test or the frontier running (its handler then says so)."""
        job = running.pop(what, None)
        if job is not None:
            job.stop()

    async def run_job(job: Any, key: str, what: str, status: Any, button: Any,
                      stop_button: Any) -> tuple[str, Any] | None:
        """Run ``job`` as ``running[key]``, its seconds ticking in ``status``, ``stop_button`` on
        while it runs and ``button`` back on after: (kind, result), or None when the tab closed
        while it ran (its jobs were stopped: no page to draw on) or Stop stopped it (said so)."""
        running[key] = job
        access.started(button, stop_button, status)
        client = ui.context.client
        ticker = ticking(status, job)
        ended = await job.result()
        ticker.cancel()
        session.ended(job)
        if client.is_deleted:
            return None
        access.ended(button, stop_button, status)
        if running.pop(key, None) is None:  # the Stop button's
            status.text = f"{what} stopped after {job.elapsed:.1f} s; nothing shown changed"
            return None
        return ended

    async def stress() -> None:
        if "stress" in running:  # a second click queued before the first disabled the button
            return
        if session.plan is None and session.roadmap is None:
            ui.notify(f"{session.no_plan()}: the stress test replays failures on a plan's design; "
                      "solve a policy (step 3)")
            return
        button.disable()
        status.text = "stress test running…"
        network, plan, roadmap = session.network, session.plan, session.roadmap
        job = (session.start(roadmap_stress, [roadmap], "stress") if roadmap is not None
               else session.start(stress_test, [network, plan], "stress"))
        if (ended := await run_job(job, "stress", "stress test", status, button, stop_stress)) is None:
            return
        kind, out = ended
        if session.network is not network or session.plan is not plan or session.roadmap is not roadmap:
            status.text = (f"stress test discarded after {job.elapsed:.1f} s: the "
                           f"{'data' if session.network is not network else 'design (a new solve)'} changed "
                           "while it ran; run it again")
            return
        if kind == "stopped":  # by a new solve, whose design replaces the one it tested
            status.text = (f"stress test stopped after {job.elapsed:.1f} s: a new solve replaces the design "
                           "it tested; run it again for the new design")
            return
        status.text = f"stress test: {kind} in {job.elapsed:.1f} s"
        failures.clear()
        with failures:
            show_warnings(session, job.warnings, "this stress test", "stress-warnings")
        if kind != "ok":
            with failures:
                ui.label("\n".join(out) if isinstance(out, list) else str(out)).classes(
                    "text-red-700 whitespace-pre-line")  # one problem a line
            return
        tested[0] = True
        if isinstance(out, dict):  # a roadmap: a stress test per period's design
            session.stress = out
            with failures:
                ui.label("Each period's design stress-tested with the network as it stands in that period "
                         "(conditional on one failure in that period):")
                access.named(ui.table(columns=cols(PERIOD_STRESS_COLUMNS), rows=_formatted(
                    stress_by_period(out), PERIOD_STRESS_COLUMNS)).props("dense data-testid=period-stress"),
                    "Stress test of each period's design")
                period, untested = shown_period(session, out)
                if untested:
                    ui.label(untested).classes("text-sm").props("data-testid=untested-periods")
                one_stress(out[period], period)
            return
        session.set_stress(out)
        premiums.refresh()
        with failures:
            one_stress(out, "")

    def one_stress(out: StressResult, period: str) -> None:
        worst = worst_failures(out)
        names = [n for n, s in session.scenarios.items() if s.plan is not None and s.plan is session.plan]
        where = (f"period {period}'s design" if period else  # whose design, among the scenarios listed above
                 f"the design of scenario '{names[-1]}'" if names else "the current design")
        rest = unlisted(out, len(worst), stress_file(session, "failures"))
        ui.label(" ".join([f"{count(len(out.failures), 'failure')} replayed on {where}.", *rest,
                           *(["The worst:"] if len(worst) else [])]))
        columns = [{**c, "label": f"{out.floor_name} (% of demand)"} if c["name"] == "worst_served" else c
                   for c in cols(FAILURE_COLUMNS)]
        if len(worst):  # none hurts: the words above say so, where an empty table read 'No data available'
            table = ui.table(columns=columns, rows=_formatted(worst, FAILURE_COLUMNS))
            access.named(table.props("dense data-testid=stress-table").classes("w-full"),
                         f"The worst failures replayed on {where}")
        ui.label(stress_legend(out)).classes("text-sm words").props("data-testid=stress-legend")
        products = out.products
        pick = ui.select(products, value=products[0], label="served heatmap of product").classes("w-64")
        pick.props("data-testid=heatmap-product")
        figure = served_heatmap(out, products[0])
        with ui.element("div").classes("w-full overflow-x-auto"):  # scrolled sideways when narrow
            heat = access.described(ui.plotly(figure).classes("w-full").style(
                f"min-width: {heatmap_width(figure)}px").props("data-testid=served-heatmap"),
                "Heatmap of the share of demand each market gets under each failure replayed: the worst "
                f"failures are in the table above, {served_shares_where(session)}")

        def show(product: str) -> None:
            fig = served_heatmap(out, product)
            heat.style(f"min-width: {heatmap_width(fig)}px")
            heat.update_figure(fig)
        pick.on_value_change(lambda e: show(e.value))

    async def sweep() -> None:
        if "frontier" in running:  # a second click queued before the first disabled the button
            return
        name = field.value
        try:
            values = sweep_values(values_input.value or "", name)
        except ValidationError as exc:
            ui.notify(exc.messages[0], type="warning")
            return
        if why := session.solve_refusal():
            ui.notify(why, type="warning")
            return
        if bad := sweep_problems(session.policy, name, values):  # before the sweep, not one solve in
            ui.notify(bad, type="warning")
            return
        sweep_button.disable()
        roadmap = session.is_roadmap
        sweep_status.text = (f"end-year frontier of {name}: solving the cost-optimal path and {len(values)} "
                             "paths…" if roadmap else
                             f"frontier of {name}: solving {len(values)} designs and stress-testing each…")
        network, policy = session.network, session.policy  # the words below name this one, not a later
        job = (session.start(end_year_frontier, [network, name, values, policy, None, 1]) if roadmap
               else session.start(frontier, [network, name, values, policy]))
        ended = await run_job(job, "frontier", f"frontier of {name}", sweep_status, sweep_button, stop_sweep)
        if ended is None:
            return
        kind, out = ended
        if session.network is not network:
            sweep_status.text = (f"frontier of {name} discarded after {job.elapsed:.1f} s: the data changed "
                                 "while it ran; run it again")
            return
        sweep_status.text = f"frontier of {name}: {kind} in {job.elapsed:.1f} s"
        sweep_result.clear()
        with sweep_result:
            show_warnings(session, job.warnings, "this frontier", "frontier-warnings")
            if kind != "ok":
                ui.label("\n".join(out) if isinstance(out, list) else str(out)).classes(
                    "text-red-700 whitespace-pre-line")  # one problem a line
                return
            over = settings(policy.to_dict()) if not policy.is_base else "the base"  # words, not a dict
            if roadmap:
                said = (f"Over the policy ({over}) with {name} in the last period "
                        f"set to each value ({field_unit(name)}), the earlier periods' targets as the "
                        "policy says (their designs may change with the last period's target): cost = "
                        "Σ weight × period cost; the premium is over the cost-optimal path.")
            else:
                keyed = isinstance(getattr(policy, name), Mapping)  # a value per region or product
                said = (f"Over the policy ({over}) with {name} set to "
                        f"each value ({field_unit(name)}"
                        + ("; one value for every market and product, in place of the policy's values "
                           "per region or product" if keyed else "")
                        + "): the premium is over that policy's own "
                        "design; worst served is what every market and product is still guaranteed under "
                        "the worst single country failure.")
            ui.label(said).classes("text-sm")
            session.frontier = (name, out, said)  # the export's figure says what it is conditional on
            labels, rows = frontier_table(out, name, roadmap)
            access.named(ui.table(columns=cols(list(labels), labels), rows=rows).props(
                "dense data-testid=frontier-table").classes("w-full"), f"Frontier of {name}")
            # a reason runs to thousands of characters: a line each under the table, not a cell
            missing = out.loc[out["cost"].isna()]
            if len(missing):
                ui.label("\n".join(f"No plan at {name} = {values}: {reason}"
                                   for values, reason in reasons_by_value(missing, name))).classes(
                    "text-red-700 whitespace-pre-line text-sm").props("data-testid=frontier-reasons")
            access.described(ui.plotly(any_frontier_figure(out, name)).classes("w-full").props(
                "data-testid=frontier-figure"), f"Chart of the frontier of {name}: the table above holds "
                "the same numbers")

    premiums()
    access.heading(ui.label("Frontier of one field").classes("text-lg font-bold mt-4"), 2)
    with ui.row().classes("items-center"):
        field = ui.select(SWEEPABLE, value="min_local_share", label="policy field").classes("w-64").props(
            "data-testid=frontier-field")
        values_input = ui.input("values (separated by spaces or ', ')", value="0, 0.25, 0.5, 0.75").classes(
            "w-72").props("data-testid=frontier-values")
        sweep_button = ui.button("Frontier", icon="show_chart", on_click=sweep).props("data-testid=frontier")
        stop_sweep = ui.button("Stop", icon="stop", on_click=lambda: stop("frontier")).props(
            "data-testid=stop-frontier aria-label='Stop the frontier'")  # three read 'Stop'
        sweep_status = access.status(ui.label().props("data-testid=frontier-status"))
    sweep_result = ui.column().classes("w-full")
    access.heading(ui.label("Stress test").classes("text-lg font-bold mt-4"), 2)
    with ui.row().classes("items-center"):
        button = ui.button("Stress test the current design", icon="bolt", on_click=stress).props(
            "data-testid=stress")
        stop_stress = ui.button("Stop", icon="stop", on_click=lambda: stop("stress")).props(
            "data-testid=stop-stress aria-label='Stop the stress test'")
        status = access.status(ui.label().props("data-testid=stress-status"))
    for element in (stop_sweep, stop_stress):
        element.disable()
    failures = ui.column().classes("w-full")

    def refresh(new_data: bool = False) -> None:
        """Redraw the premium table; with ``new_data`` also clear the frontier and stress test
        of the old data."""
        premiums.refresh()
        if not new_data and session.stress is None and tested[0]:  # a new solve: not of its design
            failures.clear()
            tested[0] = False
            status.text = ("the design stress-tested before is not the current one (solved since): run the "
                           "stress test again for it; the earlier one stays with its scenario")
        if new_data:
            tested[0] = False
            session.stop_jobs()  # of the old data (their handlers discard what they return)
            for element in (sweep_result, failures):
                element.clear()
            sweep_status.text = status.text = ""

    return refresh
