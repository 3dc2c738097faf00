"""Origin families: near-shoring (local share) and friend-shoring (allied share)
(docs/formulation.md §5, docs/conventions.md §8.1, §8.2). Exclusions are applied when the sets are built."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .context import Context
from .sets import MIN_SHARES, is_allied, is_local


def origin_flags(ctx: Context) -> pd.DataFrame:
    """Per y column: is its origin local (same region as the market) and allied (§8.1)."""
    s = ctx.sets
    c = s.countries.set_index("country")
    m = s.markets.set_index("market")
    market = s.flows["market"]
    m_country, m_region, m_bloc = (market.map(m[col]) for col in ("country", "region", "bloc"))
    o_region = s.flows["origin"].map(c["region"])
    o_bloc = s.flows["origin"].map(c["bloc"])
    local = is_local(o_region, m_region)
    allied = is_allied(s.flows["origin"], o_bloc, m_country, m_bloc)
    return pd.DataFrame({"local": local, "allied": allied})


def _add_min_share(ctx: Context, field: str) -> None:
    s, v = ctx.sets, ctx.v
    share = s.requirements_table[field]
    keep = ~np.isnan(share) & (share > 0)
    if not keep.any():
        return
    index = s.demand.loc[keep, ["market", "product"]].reset_index(drop=True)
    bound = (share * s.demand_table["demand"])[keep]
    pos = np.flatnonzero(origin_flags(ctx)[MIN_SHARES[field]].to_numpy())
    rows = s.flows_table["_demand"][pos]
    # map demand positions to positions among the kept rows
    kept_pos = np.cumsum(keep) - 1
    ok = keep[rows]
    ctx.lm.add_constraints(field, index, [(kept_pos[rows[ok]], v["y"], pos[ok], 1.0)],
                           lower=bound)


def add_min_local_share(ctx: Context) -> None:
    """``min_local_share[m,p]``: Σ_h Σ_{c: region(c) = region(m)} y[h,m,p,c] ≥ L · demand[m,p]."""
    if ctx.policy.min_local_share is not None:
        _add_min_share(ctx, "min_local_share")


def add_min_allied_share(ctx: Context) -> None:
    """``min_allied_share[m,p]``: Σ_h Σ_{c ∈ allies(m)} y[h,m,p,c] ≥ A · demand[m,p],
    allies(m) = country(m) ∪ {c : bloc(c) = bloc(country(m)) ≠ ""}."""
    if ctx.policy.min_allied_share is not None:
        _add_min_share(ctx, "min_allied_share")


def add_max_region_share(ctx: Context) -> None:
    """``max_region_share[m,p,r]``: Σ_h Σ_{c: region(c) = r} y[h,m,p,c] ≤ ρ · demand[m,p] for
    every foreign region r ≠ region(m): a cap on dependence on any one other region (the
    market's own region is not capped, as the own country under max_country_share, §8.3)."""
    if ctx.policy.max_region_share is None:
        return
    s, v = ctx.sets, ctx.v
    rho = s.requirements_table["max_region_share"]
    region = s.countries.set_index("country")["region"]
    rows = s.flows_table["_demand"]
    o_region = s.flows["origin"].map(region).to_numpy(object)
    capped = ~np.isnan(rho[rows]) & (o_region != s.demand_table["region"][rows])
    pos = np.flatnonzero(capped)
    keys = pd.DataFrame({"market": s.flows_table["market"][pos], "product": s.flows_table["product"][pos],
                         "region": o_region[pos], "_demand": rows[pos]})
    index = keys.drop_duplicates(["market", "product", "region"]).reset_index(drop=True)
    bound = rho[index["_demand"]] * s.demand_table["demand"][index["_demand"]]
    labels = index[["market", "product", "region"]]
    ctx.lm.add_constraints("max_region_share", labels,
                           [(ctx.rows_of(keys, labels, ["market", "product", "region"]), v["y"], pos, 1.0)],
                           upper=bound)
