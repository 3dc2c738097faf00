"""The solve step of a roadmap (data with a ``periods`` table, docs/formulation.md §9): the path
solved with :func:`~resilient_sc.roadmap.solve_roadmap` in a process of its own (with the
cost-optimal path when the tab has none yet, for the premium), then its total (Σ weight ×
period cost), the roadmap table, a timeline of the suppliers and hubs, and a period selector
that shows that period's plan with the one-period views (:mod:`.plan_view`).

>>> from resilient_sc import examples, solve_roadmap
>>> roadmap = solve_roadmap(examples.tiny())
>>> total_text(roadmap)
'Total path cost: 1,260 (money) = Σ weight × period cost over 1 period (today)'
>>> [(r["period"], r["cost"], r["suppliers"], r["local"], r["top country"]) for r in roadmap_rows(roadmap)]
[('today', '1,260', '1', '0.0%', 'CN 100.0%'), ('total', '', '', '', '')]
>>> premium_text(110.0, 100.0), premium_text(5.0, 0.0)
('+10.00%', 'no percentage (the reference costs 0): 5 (money) more')
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from ..analysis.replay import premium_pct
from ..data import Network
from ..escaping import ids_in
from ..exceptions import InfeasiblePolicyError
from ..format import fraction, money_label, quantity, relative_gap, signed_pct_points, weight
from ..policy import Policy
from ..results import Plan, network_beside, network_cost
from ..roadmap import Roadmap, solve_roadmap
from ..solvers.base import SolveOptions, Status
from ..wording import LABEL_CHARS
from . import access
from .plan_view import cols, plotted, show_plan

if TYPE_CHECKING:
    from .state import Session

#: the roadmap table's columns (money unweighted per period; shares of the period's demand)
ROADMAP_COLUMNS = ["period", "weight", "cost", "weight × cost", "emissions", "suppliers", "suppliers started",
                   "suppliers stopped", "hubs", "hubs started", "hubs stopped", "local", "allied",
                   "top country", "short"]
#: the headers that say a unit (the rows hold the bare numbers)
ROADMAP_LABELS = {"cost": "cost (money)", "weight × cost": "weight × cost (money)",
                  "emissions": "emissions (CO2 units)", "local": "local (%)",
                  "allied": "allied (%)", "top country": "top country (%)",
                  "short": "short (each product in its own unit)"}
#: colours of the timeline's started and stopped markers
STARTED, STOPPED = "#2ca02c", "#d62728"


def cost_optimal_path(network: Network, options: SolveOptions) -> tuple[Roadmap | None, str]:
    """The cost-optimal path (no policy), the premiums' reference, or None and why none exists:
    the job a roadmap solve runs after the policy's path, whose path stands without it (with a
    shortfall penalty a policy may have a path where the base has none; a time limit reached
    first is the job's ``not_optimal``). A job of its own, so that the page says which is being
    solved and Stop keeps the policy's path (stopped in the same job, a path found 20 s before was
    lost: scale audit)."""
    try:
        return solve_roadmap(network, Policy(), options), ""
    except InfeasiblePolicyError as exc:
        return None, "; ".join(exc.reasons)


def reference_caveat(name: str, reference: Plan | Roadmap) -> str:
    """`` (base not proven optimal: uncertain by its gap, 0.0375%)`` after a premium over a
    reference kept at its time limit; empty for one proven optimal (a path's premium had none,
    where a plan's had: scale audit).

    >>> from dataclasses import replace
    >>> from resilient_sc import examples, solve
    >>> plan = solve(examples.tiny())
    >>> kept = replace(plan, status=Status.TIME_LIMIT, gap=3.75e-4)
    >>> reference_caveat("base", plan), reference_caveat("base", kept)
    ('', ' (base not proven optimal: uncertain by its gap, 0.0375%)')
    """
    if reference.status is Status.OPTIMAL:
        return ""
    return f" ({name} not proven optimal: uncertain by its gap, {relative_gap(reference.gap)})"


def span(ids: list[str]) -> str:
    """``2026–2030``; the one id of a single period."""
    return ids[0] if len(ids) == 1 else f"{ids[0]}–{ids[-1]}"


def total_text(roadmap: Roadmap) -> str:
    """The path's total and how it is made."""
    n = len(roadmap.period_ids)
    return (f"Total path cost: {money_label(roadmap.objective)} (money) = Σ weight × period cost over "
            f"{n} period{'s' if n > 1 else ''} ({span(roadmap.period_ids)})")


def premium_text(cost: float, base: float) -> str:
    """The premium (cost − base) / base in %; over a reference costing 0 (no demand, nothing
    open) no percentage but the difference in money."""
    if not base:  # costs are never negative: the difference is what this one costs
        return ("none (both cost 0)" if not cost
                else f"no percentage (the reference costs 0): {money_label(cost)} (money) more")
    return signed_pct_points(premium_pct(cost, base))


def plan_premium_text(plan: Plan, base: Plan) -> str:
    """The premium of ``plan`` over ``base``; of its network first where its cost counts shortfall or
    disruption-scenario cost, as the reports lead (the total's alone, +14.61% where the network's was
    +1.64%, was the number a planner quoted: audit).

    >>> from resilient_sc import Policy, examples, solve
    >>> base, net = examples.tiny(), solve(examples.tiny())
    >>> plan_premium_text(solve(base, Policy(shortfall_penalty=5.0)), net)
    'network -100.00%; with the shortfall and disruption-scenario cost in the total, -68.25%'

    The network's premium is the reports' ``network_premium_pct``, in % of the base's whole cost
    (over the base's network cost it read +134.18% beside the report's 42.49%: review).
    """
    total = premium_text(plan.objective, base.objective)
    if network_beside(plan.objective, network_cost(plan)) is None or not base.objective:
        return total
    # as the reports' network_premium_pct: the networks' difference in % of the base's whole cost
    network = signed_pct_points(premium_pct(network_cost(plan), network_cost(base), base.objective))
    return f"network {network}; with the shortfall and disruption-scenario cost in the total, {total}"


def roadmap_rows(roadmap: Roadmap) -> list[dict[str, str]]:
    """The roadmap table for the page (:data:`ROADMAP_COLUMNS`): per period its weight, cost
    (money, unweighted) and weight × cost, its emissions (CO2 units), the suppliers and hubs
    operating and those started and stopped against the period before, the local and allied
    shares and the top origin country with its share (% of the period's demand, weighted as
    :meth:`~resilient_sc.results.Plan.share_weighting` says), the demand left short (per product
    in its units; blank when none); a last row ``total``: Σ weight × cost, the path's objective."""
    rows = []
    for r in roadmap.table().itertuples(index=False):
        rows.append({"period": str(r.period), "weight": weight(r.weight), "cost": money_label(r.cost),
                     "weight × cost": money_label(r.weight * r.cost), "emissions": quantity(r.emissions),
                     "suppliers": str(r.n_suppliers),
                     "suppliers started": _listed(r.suppliers_started),
                     "suppliers stopped": _listed(r.suppliers_stopped), "hubs": str(r.n_hubs),
                     "hubs started": _listed(r.hubs_started), "hubs stopped": _listed(r.hubs_stopped),
                     "local": fraction(r.local_share), "allied": fraction(r.allied_share),
                     "top country": f"{r.top_country} {fraction(r.top_country_share)}".strip(),
                     "short": r.short})
    rows.append({c: "" for c in ROADMAP_COLUMNS} | {"period": "total",
                                                    "weight × cost": money_label(roadmap.objective)})
    return rows


#: what the timeline shows, said above it (and above it in the figures exported)
TIMELINE_WORDS = ("Suppliers and hubs operating per period: a bar per period operating, coloured by country "
                  "(hatched: idle, operating but carrying nothing); ▲ started (opening cost), ▼ stopped "
                  "(closing cost); under each period its cost (unweighted).")


def timeline_figure(roadmap: Roadmap) -> Any:
    """Plotly timeline of the path: one row per supplier and hub that operates (or is stopped)
    in some period, suppliers first, each group by country, its country beside its id (colour is
    not the only cue); a bar across every period it operates, coloured by its country (one legend
    entry per country); ▲ where it starts
    (opening cost paid), ▼ where it stops (closing cost paid), on the boundary with the period
    before. Under each period id its cost (unweighted)."""
    import plotly.graph_objects as go
    from plotly.colors import qualitative

    ids, design = roadmap.period_ids, roadmap.design
    used = roadmap.timeline()[["kind", "id", "country"]]
    ticks: list[str] = []
    rows: list[tuple[int, str, str, str]] = []  # (y, kind, id, country)
    for kind in ("supplier", "hub"):
        group = used.loc[used["kind"] == kind].sort_values(["country", "id"])
        if len(group):
            ticks.append(f"<b>{kind}s</b>")
            for e, c in zip(group["id"], group["country"], strict=True):
                rows.append((len(ticks), kind, str(e), str(c)))
                ticks.append(f"{plotted(e, LABEL_CHARS)} ({plotted(c)})")  # in words, not in colour only
    flags = {k: g.set_index("period").loc[ids] for k, g in design.groupby(["kind", "id"], sort=False)}
    countries = list(dict.fromkeys(c for *_, c in rows))
    palette = qualitative.D3 + qualitative.Dark2 + qualitative.Set1
    fig = go.Figure()
    marks: dict[str, tuple[list[float], list[int], list[str]]] = {"started": ([], [], []),
                                                                   "stopped": ([], [], [])}
    for i, country in enumerate(countries):
        bars: list[tuple[bool, int, float, str]] = []  # (idle, y, base, hover text)
        for y, kind, e, c in rows:
            if c != country:
                continue
            f = flags[(kind, e)]
            for t, period in enumerate(ids):
                if f["operating"].iloc[t]:
                    idle = not f["carrying"].iloc[t]  # kept as a backup or to spare its closing cost
                    bars.append((idle, y, t - 0.5, plotted(
                        f"{kind} {e} ({c}) " + (f"idle in {period}: operating, carrying nothing" if idle
                                                else f"operating in {period}"))))
                for what in marks:
                    if f[what].iloc[t]:
                        marks[what][0].append(t - 0.5)
                        marks[what][1].append(y)
                        marks[what][2].append(plotted(f"{kind} {e} ({c}) {what} in {period}"))
        bars.sort(key=lambda b: b[0])  # the legend's swatch is the first bar's: hatched read 'US: idle'
        fig.add_trace(go.Bar(x=[1.0] * len(bars), y=[b[1] for b in bars], base=[b[2] for b in bars],
                             orientation="h", width=0.62, name=plotted(country),
                             marker={"color": palette[i % len(palette)],
                                     "pattern": {"shape": ["/" if b[0] else "" for b in bars]},
                                     "line": {"color": "white", "width": 1}},
                             hovertext=[b[3] for b in bars], hoverinfo="text", legendgroup="countries",
                             legendgrouptitle_text="country"))
    # the hatching in the legend, where a title too long for the figure lost it at 640 px
    fig.add_trace(go.Bar(x=[None], y=[None], orientation="h",
                         name="hatched: idle (operating, carrying nothing)", legendgroup="marks",
                         marker={"color": "#9ca3af", "pattern": {"shape": "/"}},
                         legendgrouptitle_text="marks", hoverinfo="skip"))
    for what, symbol, colour, label in (("started", "triangle-up", STARTED, "started (opening cost)"),
                                        ("stopped", "triangle-down", STOPPED, "stopped (closing cost)")):
        x, y, text = marks[what]
        fig.add_trace(go.Scatter(x=x, y=y, mode="markers", name=label, hovertext=text, hoverinfo="text",
                                 marker={"symbol": symbol, "color": colour, "size": 12,
                                         "line": {"color": "black", "width": 1}}, cliponaxis=False,
                                 legendgroup="marks"))
    costs = roadmap.costs.set_index("period")["total"]
    fig.update_xaxes(tickvals=list(range(len(ids))), range=[-0.7, len(ids) - 0.3], showgrid=False,
                     ticktext=[f"<b>{plotted(p, LABEL_CHARS)}</b><br>cost {money_label(float(costs[p]))}"
                               for p in ids], side="top", automargin=True)  # turned labels push the plot down
    fig.update_yaxes(tickvals=list(range(len(ticks))), ticktext=ticks, range=[len(ticks) - 0.5, -0.5],
                     showgrid=False)
    for x in range(len(ids) + 1):
        fig.add_vline(x=x - 0.5, line={"color": "#ccc", "width": 1})
    fig.update_layout(barmode="overlay", height=150 + 22 * len(ticks), plot_bgcolor="white",
                      margin={"l": 10, "r": 10, "t": 10, "b": 10},
                      legend={"tracegroupgap": 12, "groupclick": "toggleitem"})  # one country, not all
    # no title: plotly neither wraps one nor keeps it clear of the period labels it turns on a
    # narrow screen (cut off at 640 px, run through): the words are the page's (TIMELINE_WORDS)
    return fig


def show_roadmap(session: Session, roadmap: Roadmap, base: Roadmap | None, base_name: str) -> None:
    """The roadmap on the page: total and premium, the roadmap table, the timeline, and the
    period selector over the selected period's plan (``session.period``)."""
    from nicegui import ui

    with ui.row().classes("items-baseline"):
        access.heading(ui.label(total_text(roadmap)).classes("text-2xl font-bold").props(
            "data-testid=total-cost"), 2)
        if base is not None and base is not roadmap:  # its caveat, as a plan's premium has (scale audit)
            ui.label(f"premium over the cost-optimal path ({base_name}): "
                     f"{premium_text(roadmap.objective, base.objective)}{reference_caveat(base_name, base)}"
                     ).classes("text-lg").props("data-testid=premium")
    ui.label("Per period: its weight (the planner's discount factor), its cost (money, unweighted, with "
             "the opening and closing costs of the suppliers and hubs started and stopped in it), the "
             "suppliers and hubs operating, the shares of the period's demand ("
             f"{roadmap.share_weighting()}, over all markets) and the demand left short, if any (a "
             "policy with a shortfall penalty may leave some)."
             ).classes("text-xs text-gray-600")
    columns = [c | {"label": ROADMAP_LABELS.get(c["name"], c["label"])} for c in cols(ROADMAP_COLUMNS)]
    access.named(ui.table(columns=columns, rows=roadmap_rows(roadmap), title="Roadmap").props(
        "dense wrap-cells data-testid=roadmap-table").classes("w-full"), "Roadmap")
    ui.label(TIMELINE_WORDS).classes("text-sm font-bold mt-2")
    figure = timeline_figure(roadmap)
    countries = {i: html.unescape(t.name) for i, t in enumerate(figure.data) if t.legendgroup == "countries"}
    drawn: list[Any] = []  # the chart, drawn under its picker

    def show(kept: set[int]) -> None:
        for i in countries:
            drawn[0].figure.data[i].visible = True if i in kept else "legendonly"
        drawn[0].update()

    if len(countries) > 1:  # the legend hides a country by mouse alone: this by keyboard too (a11y audit)
        ui.select(countries, multiple=True, value=list(countries), label="countries shown on the timeline",
                  on_change=lambda e: show(set(e.value or []))).classes("w-full").props(
            "use-chips dense data-testid=timeline-countries")
    drawn.append(access.described(
        ui.plotly(figure).classes("w-full").props("data-testid=roadmap-timeline"),
        "Timeline of the suppliers and hubs operating in each period, with their country; each period's "
        "plan below lists them"))

    ids = roadmap.period_ids
    if session.period not in ids:
        session.period = ids[-1]

    @ui.refreshable
    def period_view() -> None:
        plan = roadmap.plans[session.period]
        weight = float(roadmap.periods.set_index("period").loc[session.period, "weight"])
        ui.label(f"Period {session.period}: cost {money_label(plan.objective)} (unweighted; weight "
                 f"{weight:.4g} in the total)").classes("text-lg font-bold").props("data-testid=period-cost")
        show_plan(session, plan)

    def pick(period: str) -> None:
        session.period = period
        period_view.refresh()

    with ui.row().classes("items-center mt-2"):
        ui.label("The plan of period").classes("text-lg")
        ui.toggle(ids, value=session.period, on_change=lambda e: pick(e.value)).props(
            "data-testid=period-select")
    period_view()


def _listed(ids: str) -> str:
    """The ids of a roadmap table's cell (:func:`~resilient_sc.escaping.id_list`) as a person
    reads a list: ``S_DE_Dresden, S_US_Reno``."""
    return ", ".join(ids_in(ids))
