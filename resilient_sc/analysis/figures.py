"""Figures of the analyses: frontiers, premium bars, served-demand heatmaps and network maps.

matplotlib is optional (``pip install resilient_sc[plots]``) and imported only when a figure
is drawn. Figures are plain :class:`matplotlib.figure.Figure` objects on the Agg canvas (no
pyplot state, no display needed); :func:`save_figure` writes them as PNG or SVG atomically.
"""

from __future__ import annotations

import math
import sys
from numbers import Real
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .. import io

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ..data import Network
    from ..results import Plan
    from .stress import StressResult

INSTALL_HINT = "pip install resilient_sc[plots]"
#: the unit of each policy field, for axis labels
FIELD_UNITS = {
    "min_suppliers": "suppliers per product", "max_supplier_share": "fraction of demand",
    "max_country_share": "fraction of demand", "min_local_share": "fraction of demand",
    "min_allied_share": "fraction of demand", "service_level": "fraction of demand",
    "co2_cap": "CO2 units", "co2_price": "money per CO2 unit", "min_hubs": "hubs",
    "max_hubs": "hubs", "shortfall_penalty": "money per unit short",
    "disruption_weight": "weight of the scenarios",
}
PREMIUM_LABEL = "premium over base (% of base cost)"
SERVED_LABEL = "demand served under the worst failure (%)"


def new_figure(width: float, height: float) -> Figure:
    """An empty Figure on the Agg canvas; raises ImportError naming the ``plots`` extra."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise ImportError(f"figures need matplotlib: {INSTALL_HINT}") from exc
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def has_matplotlib() -> bool:
    """True when matplotlib can be imported."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def save_figure(fig: Figure, path: str | Path, dpi: int = 150) -> Path:
    """Write ``fig`` to ``path`` (``.png`` or ``.svg``) atomically, then close it."""
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in ("png", "svg"):
        raise ValueError(f"{path.name}: figures are written as .png or .svg")
    try:
        io.write_bytes(path, lambda fh: fig.savefig(fh, format=fmt, dpi=dpi))
    finally:
        pyplot = sys.modules.get("matplotlib.pyplot")
        if pyplot is not None:  # a pyplot figure: drop it from pyplot's registry
            pyplot.close(fig)
    return path


def frontier_figure(df: pd.DataFrame, field: str) -> Figure:
    """Premium (% of base cost) against the values of ``field`` from :func:`frontier`, with
    the demand served under the worst failure (%) on a second y axis; infeasible values are
    marked on the x axis."""
    fig = new_figure(7.0, 4.2)
    ax = fig.subplots()
    values = df[field].tolist()
    numeric = all(isinstance(v, Real) and not isinstance(v, bool) for v in values)
    x = np.asarray(values, float) if numeric else np.arange(len(values), dtype=float)
    feasible = df["status"].ne("infeasible").to_numpy()
    ax.plot(x, df["premium_pct"].to_numpy(float), "o-", color="tab:blue", label="premium")
    ax.set_xlabel(f"{field} ({FIELD_UNITS.get(field, 'policy value')})")
    ax.set_ylabel(PREMIUM_LABEL, color="tab:blue")
    ax.tick_params(axis="y", colors="tab:blue")
    if not numeric:
        ax.set_xticks(x, [_short(v) for v in values])
    if (~feasible).any():
        ax.plot(x[~feasible], np.zeros(int((~feasible).sum())), "x", color="tab:red", ms=9,
                clip_on=False, label="infeasible")
    twin = ax.twinx()
    served = 100 * df["worst_served"].to_numpy(float) if "worst_served" in df else np.full(len(df), np.nan)
    twin.plot(x, served, "s--", color="tab:orange", label="worst-case served")
    twin.set_ylabel(SERVED_LABEL, color="tab:orange")
    twin.tick_params(axis="y", colors="tab:orange")
    twin.set_ylim(0, 105)
    handles = ax.get_legend_handles_labels()[0] + twin.get_legend_handles_labels()[0]
    ax.legend(handles=handles, loc="upper left", fontsize="small")
    ax.set_title(f"Cost and resilience as {field} tightens")
    ax.grid(alpha=0.3)
    return fig


def premium_figure(table: pd.DataFrame) -> Figure:
    """Premium (% of base cost) per policy from :func:`premium`, each bar annotated with the
    demand served under its worst failure; infeasible policies are labelled, not drawn."""
    fig = new_figure(max(5.0, 1.3 * len(table) + 2), 4.2)
    ax = fig.subplots()
    pct = table["premium_pct"].to_numpy(float) if "premium_pct" in table else np.full(len(table), np.nan)
    x = np.arange(len(table))
    ax.bar(x, np.nan_to_num(pct), color=["tab:gray" if i == 0 else "tab:blue" for i in x])
    ax.set_xticks(x, table["policy"].astype(str).tolist(), rotation=20 if len(table) > 4 else 0)
    ax.set_xlabel("policy")
    ax.set_ylabel(PREMIUM_LABEL)
    ax.set_title("Resilience premium and worst-case service")
    ax.margins(y=0.2)
    worst = table.get("worst_served", pd.Series(np.nan, index=table.index)).to_numpy(float)
    for i, (p, w, status) in enumerate(zip(pct, worst, table["status"], strict=True)):
        if status == "infeasible" or math.isnan(p):
            ax.annotate("infeasible", (i, 0), ha="center", va="bottom", color="tab:red")
            continue
        text = f"{p:.1f}%" + ("" if math.isnan(w) else f"\nworst served {w:.0%}")
        ax.annotate(text, (i, p), xytext=(0, 3), textcoords="offset points", ha="center",
                    va="bottom", fontsize="small")
    ax.axhline(0, color="black", lw=0.8)
    ax.grid(axis="y", alpha=0.3)
    return fig


def served_heatmap(stress: StressResult, title: str = "Demand served per failure") -> Figure:
    """Served fraction of each market's demand (%) under each failure (rows) of a stress test."""
    matrix = 100 * stress.served_matrix()
    rows, cols = matrix.shape
    fig = new_figure(min(16.0, 2.5 + 0.35 * max(cols, 4)), min(16.0, 1.8 + 0.3 * max(rows, 3)))
    ax = fig.subplots()
    ax.set_xlabel("market")
    ax.set_ylabel("failure")
    ax.set_title(title)
    if matrix.empty:
        ax.text(0.5, 0.5, "no failures to replay", ha="center", va="center", transform=ax.transAxes)
        return fig
    image = ax.imshow(matrix.to_numpy(float), cmap="RdYlGn", vmin=0, vmax=100, aspect="auto",
                      interpolation="nearest")
    ax.set_xticks(np.arange(cols), [str(c) for c in matrix.columns], rotation=90, fontsize="small")
    ax.set_yticks(np.arange(rows), [str(r) for r in matrix.index], fontsize="small")
    if rows * cols <= 200:
        for (i, j), v in np.ndenumerate(matrix.to_numpy(float)):
            ax.text(j, i, f"{v:.0f}", ha="center", va="center", fontsize="x-small")
    fig.colorbar(image, ax=ax, label="demand served (%)")
    return fig


def has_coordinates(network: Network) -> bool:
    """True when some supplier, hub or market has both ``lat`` and ``lon``."""
    return any(_located(t, "").size for t in (network.suppliers, network.hubs, network.markets))


def network_map(network: Network, plan: Plan, title: str = "Network design") -> Figure:
    """Suppliers, hubs and markets at their ``lat``/``lon`` (elements without both are left
    out), chosen ones filled, and the plan's flows as lines whose width grows with volume
    (units). Plain longitude/latitude axes; no basemap is downloaded."""
    from matplotlib.collections import LineCollection
    from matplotlib.lines import Line2D

    sup = _located(network.suppliers, "supplier")
    hub = _located(network.hubs, "hub")
    mkt = _located(network.markets, "market")
    if not (len(sup) or len(hub) or len(mkt)):
        raise ValueError("no supplier, hub or market has lat/lon coordinates to map")
    pos = pd.concat([sup, hub, mkt])
    fig = new_figure(9.0, 5.5)
    ax = fig.subplots()
    flows = [("inbound", plan.inbound, "supplier", "tab:blue"),
             ("outbound", plan.outbound, "market", "tab:green")]
    volumes = [f.groupby(["hub", key] if name == "outbound" else [key, "hub"])["quantity"].sum()
               for name, f, key, _ in flows]
    top = max([float(v.max()) for v in volumes if len(v)], default=1.0)
    handles: list[Any] = []
    for (name, _, _, color), vol in zip(flows, volumes, strict=True):
        segments, widths = [], []
        for (a, b), q in vol.items():
            if a in pos.index and b in pos.index:
                segments.append([pos.loc[a, ["lon", "lat"]].to_numpy(float),
                                 pos.loc[b, ["lon", "lat"]].to_numpy(float)])
                widths.append(0.4 + 4.6 * q / top)
        if segments:
            ax.add_collection(LineCollection(segments, linewidths=widths, colors=color, alpha=0.5,
                                             zorder=1))
        handles.append(Line2D([], [], color=color, lw=2.5, alpha=0.6,
                              label=f"{name} flow (width ∝ units)"))
    chosen = set(plan.supplier_ids) | set(plan.hub_ids)
    for frame, marker, color, label in ((sup, "^", "tab:purple", "supplier"),
                                        (hub, "s", "tab:orange", "hub"), (mkt, "o", "tab:green", "market")):
        if frame.empty:
            continue
        used = frame.index.isin(chosen) | (label == "market")
        ax.scatter(frame.loc[used, "lon"], frame.loc[used, "lat"], marker=marker, s=60, color=color,
                   edgecolors="black", linewidths=0.6, zorder=3)
        ax.scatter(frame.loc[~used, "lon"], frame.loc[~used, "lat"], marker=marker, s=40,
                   facecolors="none", edgecolors=color, alpha=0.7, zorder=2)
        handles.append(Line2D([], [], marker=marker, ls="", color=color, markeredgecolor="black",
                              ms=8, label=f"{label}" + ("" if label == "market" else " (used)")))
        if label != "market" and (~used).any():
            handles.append(Line2D([], [], marker=marker, ls="", markerfacecolor="none",
                                  markeredgecolor=color, ms=8, label=f"{label} (not used)"))
    mean_lat = float(pos["lat"].mean())
    ax.set_aspect(1.0 / max(0.2, math.cos(math.radians(mean_lat))), adjustable="datalim")
    ax.autoscale_view()
    ax.set_xlabel("longitude (degrees east)")
    ax.set_ylabel("latitude (degrees north)")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(handles=handles, loc="best", fontsize="small", framealpha=0.85)
    return fig


def _located(table: pd.DataFrame, key: str) -> pd.DataFrame:
    """``lat``/``lon`` of the rows that have both, indexed by ``key`` (or positionally)."""
    ok = table["lat"].notna() & table["lon"].notna()
    out = table.loc[ok, ["lat", "lon"]].astype(float)
    return out.set_axis(table.loc[ok, key].astype(str)) if key else out


def _short(value: Any) -> str:
    text = ",".join(map(str, value)) if isinstance(value, list | tuple) else str(value)
    return text if len(text) <= 18 else text[:17] + "…"

