"""Sourcing families: supplier redundancy and shares, country caps, single sourcing, hub counts
(docs/formulation.md §5, docs/conventions.md §8.3)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .context import Context, local
from .sets import total_demand


def add_min_suppliers(ctx: Context) -> None:
    """``min_suppliers[p]``: Σ_{s able to deliver p} z[s] ≥ k_p for every product with demand.

    Able: makes p, usable, and has a lane for p to a hub that reaches a market with demand
    for p (exactly the suppliers with an ``inbound_flow[s,·,p]`` column).
    """
    if ctx.policy.min_suppliers is None:
        return
    s, v = ctx.sets, ctx.v
    index = s.demand[["product"]].drop_duplicates().reset_index(drop=True)
    k = ctx.policy.per_product("min_suppliers", index["product"])
    index, k = index.loc[~np.isnan(k)].reset_index(drop=True), k[~np.isnan(k)]
    able = s.inbound[["supplier", "product"]].drop_duplicates()
    able = able.loc[able["product"].isin(index["product"])]
    rows = ctx.rows_of(able, index, ["product"])
    cols = ctx.rows_of(able, s.suppliers, ["supplier"])
    ctx.lm.add_constraints("min_suppliers", index, [(rows, v["z"], cols, 1.0)], lower=k)


def add_max_supplier_share(ctx: Context) -> None:
    """``max_supplier_share[s,p]``: Σ_h x[s,h,p] ≤ σ_p · Σ_m demand[m,p]."""
    if ctx.policy.max_supplier_share is None:
        return
    s, v = ctx.sets, ctx.v
    index = s.inbound[["supplier", "product"]].drop_duplicates().reset_index(drop=True)
    sigma = ctx.policy.per_product("max_supplier_share", index["product"])
    total = total_demand(s, index["product"])
    keep = ~np.isnan(sigma)
    index, bound = index.loc[keep].reset_index(drop=True), (sigma * total)[keep]
    x = s.inbound.loc[:, ["supplier", "product"]]
    pos = np.flatnonzero(pd.MultiIndex.from_frame(x).isin(pd.MultiIndex.from_frame(index)))
    rows = ctx.rows_of(x.iloc[pos], index, ["supplier", "product"])
    ctx.lm.add_constraints("max_supplier_share", index, [(rows, v["x"], pos, 1.0)], upper=bound)


def add_max_country_share(ctx: Context) -> None:
    """``max_country_share[m,p,c]``: Σ_h y[h,m,p,c] ≤ κ · demand[m,p] for every foreign c.

    The market's own country is not capped (docs/conventions.md §8.3).
    """
    if ctx.policy.max_country_share is None:
        return
    s, v = ctx.sets, ctx.v
    kappa = s.requirements_table["max_country_share"]
    dem = s.demand.assign(bound=kappa * s.demand["demand"])
    dem = dem.loc[~np.isnan(kappa)]
    y = s.flows[["market", "product", "origin"]].merge(
        dem[["market", "product", "country", "bound"]], on=["market", "product"], how="left")
    pos = np.flatnonzero((y["bound"].notna() & (y["origin"] != y["country"])).to_numpy())
    y = y.iloc[pos]
    index = y[["market", "product", "origin"]].drop_duplicates().reset_index(drop=True)
    bound = index.merge(dem[["market", "product", "bound"]], on=["market", "product"], how="left")["bound"]
    rows = ctx.rows_of(y, index, ["market", "product", "origin"])
    ctx.lm.add_constraints("max_country_share", index, [(rows, v["y"], pos, 1.0)],
                           upper=bound.to_numpy(float))


def add_single_sourcing(ctx: Context) -> None:
    """Single sourcing: binary ``assign[h,m]``; ``single_source[m]``: Σ_h a[h,m] = 1;
    ``assign_flow[h,m]``: Σ_{p,c} y[h,m,p,c] ≤ (Σ_p demand[m,p]) · a[h,m];
    ``assign_open[h,m]``: a[h,m] ≤ o[h]. Without shortfall ``a`` is made only for the hubs with
    a lane to m, with also the implied ``assign_capacity[h]``: Σ_m (Σ_p demand[m,p]) · a[h,m]
    ≤ capacity[h] · o[h]; with it for every hub, as a market may be left short.
    """
    if not ctx.policy.single_sourcing:
        return
    s, v, lm = ctx.sets, ctx.v, ctx.lm
    markets = s.demand[["market"]].drop_duplicates().reset_index(drop=True)
    if ctx.policy.shortfall_penalty is None:  # a hub without a lane to m could not serve it
        pairs = s.outbound[["hub", "market"]].drop_duplicates().reset_index(drop=True)
    else:  # every hub (MODEL.md §5): a market may go short through a hub that cannot reach it
        pairs = s.hubs[["hub"]].merge(markets, how="cross")
    total = s.demand.groupby("market")["demand"].sum()
    a = lm.add_variables("assign", pairs, upper=1.0, integer=True)
    ctx.v["a"] = a
    n = len(pairs)
    lm.add_constraints("single_source", markets,
                       [(ctx.rows_of(pairs, markets, ["market"]), a, local(n), 1.0)], 1.0, 1.0)
    y_rows = ctx.rows_of(s.flows, pairs, ["hub", "market"])
    lm.add_constraints("assign_flow", pairs, [
        (y_rows, v["y"], local(len(y_rows)), 1.0),
        (local(n), a, local(n), -pairs["market"].map(total).to_numpy(float)),
    ], upper=0.0)
    if ctx.policy.shortfall_penalty is None:
        # all of a market's demand then passes its one hub: the hub's capacity as a knapsack
        # over whole markets (valid, and much tighter for the LP bound and cover cuts)
        inb = s.hubs[["hub"]]
        cap = s.hubs_table["capacity"]
        fin = np.isfinite(cap)
        hubs_fin = inb.loc[fin].reset_index(drop=True)
        sel = np.flatnonzero(pairs["hub"].isin(hubs_fin["hub"]).to_numpy())
        lm.add_constraints("assign_capacity", hubs_fin, [
            (ctx.rows_of(pairs.iloc[sel], hubs_fin, ["hub"]), a, sel,
             pairs["market"].map(total).to_numpy(float)[sel]),
            (local(len(hubs_fin)), v["o"], np.flatnonzero(fin), -cap[fin]),
        ], upper=0.0)
    lm.add_constraints("assign_open", pairs, [
        (local(n), a, local(n), 1.0),
        (local(n), v["o"], ctx.rows_of(pairs, s.hubs, ["hub"]), -1.0),
    ], upper=0.0)


def add_hub_count(ctx: Context) -> None:
    """``hub_count``: min_hubs ≤ Σ_h o[h] ≤ max_hubs."""
    p = ctx.policy
    if p.min_hubs is None and p.max_hubs is None:
        return
    n = len(ctx.sets.hubs)
    ctx.lm.add_constraints("hub_count", pd.DataFrame(index=range(1)),
                           [(np.zeros(n, np.int64), ctx.v["o"], local(n), 1.0)],
                           lower=-np.inf if p.min_hubs is None else float(p.min_hubs),
                           upper=np.inf if p.max_hubs is None else float(p.max_hubs))
