"""Base families: decisions, demand, origin balance, capacities and cost (docs/formulation.md §2–4)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .context import Context, local
from .sets import total_demand


def add_variables(ctx: Context) -> None:
    """Decisions of docs/formulation.md §2.

    ``supplier_contracted[s]``, ``hub_opened[h]`` ∈ {0,1} (forced to 1 for ``status=open``),
    ``inbound_flow[s,h,p]`` = x ≥ 0, ``outbound_flow[h,m,p,c]`` = y ≥ 0 (c the origin
    country) and, with ``shortfall_penalty``, ``shortfall[m,p]`` = u ≥ 0.
    """
    s, lm = ctx.sets, ctx.lm
    ctx.v["z"] = lm.add_variables("supplier_contracted", s.suppliers_table.select(["supplier"]),
                                  lower=s.suppliers_table["status"] == "open", upper=1.0, integer=True)
    ctx.v["o"] = lm.add_variables("hub_opened", s.hubs_table.select(["hub"]),
                                  lower=s.hubs_table["status"] == "open", upper=1.0, integer=True)
    ctx.v["x"] = lm.add_variables("inbound_flow", s.inbound_table.select(["supplier", "hub", "product"]))
    ctx.v["y"] = lm.add_variables("outbound_flow",
                                  s.flows_table.select(["hub", "market", "product", "origin"]))
    if ctx.policy.shortfall_penalty is not None:
        ctx.v["u"] = lm.add_variables("shortfall", s.demand_table.select(["market", "product"]),
                                      upper=s.demand_table["demand"])


def add_demand(ctx: Context) -> None:
    """``demand[m,p]``: Σ_h Σ_c y[h,m,p,c] (+ u[m,p]) = demand[m,p]
    (docs/formulation.md §3, docs/conventions.md §8.8)."""
    s, v = ctx.sets, ctx.v
    rows = s.flows_table["_demand"]
    terms = [(rows, v["y"], local(len(rows)), 1.0)]
    if "u" in v:
        terms.append((local(len(s.demand_table)), v["u"], local(len(s.demand_table)), 1.0))
    d = s.demand_table["demand"]
    ctx.lm.add_constraints("demand", s.demand_table.select(["market", "product"]), terms, d, d)


def add_origin_balance(ctx: Context) -> None:
    """``origin_balance[h,p,c]``: Σ_{s in c} x[s,h,p] − Σ_m y[h,m,p,c] = 0  (docs/formulation.md §3)."""
    s, v = ctx.sets, ctx.v
    index = s.origins_table
    x_rows = s.inbound_table["_origin"]
    y_rows = s.flows_table["_origin"]
    ctx.lm.add_constraints("origin_balance", index, [
        (x_rows, v["x"], local(len(x_rows)), 1.0),
        (y_rows, v["y"], local(len(y_rows)), -1.0),
    ], 0.0, 0.0)


def add_supplier_capacity(ctx: Context) -> None:
    """``supplier_capacity[s,p]``: Σ_h x[s,h,p] ≤ capacity[s,p] · z[s]  (docs/formulation.md §3).

    The capacity is capped at the total demand for p, a valid and tighter big-M.
    """
    s, v = ctx.sets, ctx.v
    used, x_rows = np.unique(s.inbound_table["_supply"], return_inverse=True)
    index = s.supply_table.take(used)
    cap = np.minimum(index["capacity"], total_demand(s, index["product"]))
    z_cols = index["_supplier"]
    ctx.lm.add_constraints("supplier_capacity", index.select(["supplier", "product"]), [
        (x_rows, v["x"], local(len(x_rows)), 1.0),
        (local(len(index)), v["z"], z_cols, -cap),
    ], upper=0.0)


def add_hub_capacity(ctx: Context) -> None:
    """``hub_capacity[h]``: Σ_{s,p} x[s,h,p] ≤ capacity[h] · o[h]
    (docs/formulation.md §3, docs/conventions.md §8.11).

    An unlimited hub gets the demand it can reach as its big-M, so that ``o[h]`` still
    links its flows.
    """
    s, v = ctx.sets, ctx.v
    reach = s.demand_table["demand"][s.outbound_table["_demand"]]
    reachable = np.bincount(s.outbound_table["_hub"], reach, minlength=len(s.hubs_table))
    cap = np.minimum(s.hubs_table["capacity"], reachable)
    x_rows = s.inbound_table["_hub"]
    ctx.lm.add_constraints("hub_capacity", s.hubs_table.select(["hub"]), [
        (x_rows, ctx.v["x"], local(len(x_rows)), 1.0),
        (local(len(s.hubs_table)), v["o"], local(len(s.hubs_table)), -cap),
    ], upper=0.0)


def add_hub_links(ctx: Context) -> None:
    """``hub_link[h,m,p]``: Σ_c y[h,m,p,c] ≤ demand[m,p] · o[h]  (docs/formulation.md §3, strong links).

    Implied by hub_capacity for integer o; they tighten the LP relaxation a lot.
    """
    if not ctx.strong_links:
        return
    s, v = ctx.sets, ctx.v
    index = s.outbound_table.select(["hub", "market", "product"])
    y_rows = s.flows_table["_out"]
    dm = s.demand_table["demand"][s.outbound_table["_demand"]]
    o_cols = s.outbound_table["_hub"]
    ctx.lm.add_constraints("hub_link", index, [
        (y_rows, v["y"], local(len(y_rows)), 1.0),
        (local(len(index)), v["o"], o_cols, -dm),
    ], upper=0.0)


def add_costs(ctx: Context) -> None:
    """Objective of docs/formulation.md §4, one named component each.

    supplier_fixed = Σ fixed[s] z[s]; hub_fixed = Σ fixed[h] o[h];
    purchase = Σ unit_cost[s,p] x; handling = Σ handling[h] x;
    transport = Σ lane[s→h] x + Σ lane[h→m] y; tariffs = Σ rate[c,country(m),p]·value[p] y;
    shortfall = Σ π[p] u[m,p] (one π for every product, or one per product).
    """
    s, v, lm = ctx.sets, ctx.v, ctx.lm
    lm.add_cost("supplier_fixed", v["z"], s.suppliers_table["fixed_cost"])
    lm.add_cost("hub_fixed", v["o"], s.hubs_table["fixed_cost"])
    lm.add_cost("purchase", v["x"], s.inbound_table["unit_cost"])
    lm.add_cost("handling", v["x"], s.inbound_table["handling_cost"])
    lm.add_cost("transport", v["x"], s.inbound_table["lane_cost"])
    lm.add_cost("transport", v["y"], s.flows_table["lane_cost"])
    lm.add_cost("tariffs", v["y"], s.flows_table["tariff"])
    if "u" in v:
        lm.add_cost("shortfall", v["u"], shortfall_prices(ctx))


def shortfall_prices(ctx: Context) -> np.ndarray:
    """π of each demand row's product (money per unit short; ``shortfall_penalty`` is one
    number or a mapping that prices every product)."""
    return ctx.policy.per_product("shortfall_penalty", pd.Series(ctx.sets.demand_table["product"]))
