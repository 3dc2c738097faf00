"""The network seen as supplier -> (market, product) pairs, the hubs left out: which pairs some
hub connects (:func:`reach`), whether their goods count towards a share (:func:`counting`) and the
most a set of them can deliver (:func:`most_delivered`, a transportation LP: an upper bound on
what any plan delivers). The precheck's and the explanations' closed-form checks read them."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.optimize import linprog

from .sets import counts_towards

if TYPE_CHECKING:
    from .sets import Sets


def most_delivered(rows: pd.DataFrame, capped: bool) -> float:
    """The most that the suppliers of ``rows`` (the supplier -> market pairs that reach a
    country's markets of one product: supplier, country, capacity, market, demand, kappa,
    country_m) deliver to those markets: each supplier within its capacity, each market at most
    its demand and, when ``capped``, each foreign country at most κ·demand of each market. A
    transportation LP without the hubs, so an upper bound on what any plan delivers."""
    if rows.empty:
        return 0.0
    supplier, market = pd.factorize(rows["supplier"])[0], pd.factorize(rows["market"])[0]
    parts = [(supplier, rows.groupby(supplier)["capacity"].first()),  # (row of each pair, row limits)
             (market, rows.groupby(market)["demand"].first())]
    if capped:  # a row per (foreign country, market)
        pair = pd.factorize(rows["country"].astype(str) + "\x00" + rows["market"].astype(str))[0]
        foreign = (rows["country"] != rows["country_m"]).to_numpy()
        parts.append((np.where(foreign, pair, -1), (rows["kappa"] * rows["demand"]).groupby(pair).first()))
    starts = np.cumsum([0] + [len(limit) for _, limit in parts])
    row = np.concatenate([np.where(r >= 0, r + s0, -1) for (r, _), s0 in zip(parts, starts, strict=False)])
    col = np.tile(np.arange(len(rows)), len(parts))
    a = sp.csr_matrix((np.ones(int((row >= 0).sum())), (row[row >= 0], col[row >= 0])),
                      shape=(int(starts[-1]), len(rows)))
    limits = np.concatenate([limit.to_numpy(float) for _, limit in parts])
    result = linprog(-np.ones(len(rows)), A_ub=a, b_ub=limits, bounds=(0, None), method="highs")
    return float(-result.fun) if result.status == 0 else 0.0


def reach(s: Sets, by_hub: bool = False) -> pd.DataFrame:
    """Supplier -> (market, product) pairs that some hub connects: supplier, country, market,
    product, capacity (the supplier's capacity for the product, units), ordered by supply row
    and demand row, which ``_supply`` and ``_demand`` give, with the supplier's country as a code
    (``_country``, a row of ``s.countries``: the checks group millions of pairs by numbers, not
    text). The pairs are the nonzeros of A·B, A the inbound arcs (supply row × (hub, product))
    and B the outbound ones ((hub, product) × demand row): one sparse product, where a merge of
    every arc pair took 7 s on ladder XL. ``by_hub``: a pair per hub that connects them, with
    its ``hub`` (that merge: for explanations that need the hubs apart)."""
    n_hubs = len(s.hubs_table)
    products = pd.Index(s.products_table["product"])
    supply, demand = s.supply_table, s.demand_table
    arc_in = s.inbound_table["_hub"] * len(products) + products.get_indexer(
        supply["product"][s.inbound_table["_supply"]])
    arc_out = s.outbound_table["_hub"] * len(products) + products.get_indexer(
        demand["product"][s.outbound_table["_demand"]])
    keys = n_hubs * len(products)
    hub: dict[str, np.ndarray] = {}
    if by_hub:
        arcs = pd.DataFrame({"row": np.asarray(s.inbound_table["_supply"]), "key": arc_in}).merge(
            pd.DataFrame({"key": arc_out, "col": np.asarray(s.outbound_table["_demand"])}), on="key")
        arcs = arcs.sort_values(["row", "col", "key"], kind="stable")
        row, col = arcs["row"].to_numpy(), arcs["col"].to_numpy()
        hub = {"hub": np.asarray(s.hubs_table["hub"])[arcs["key"].to_numpy() // len(products)]}
    else:
        a = sp.csr_matrix((np.ones(len(arc_in)), (s.inbound_table["_supply"], arc_in)),
                          shape=(len(supply), keys))
        b = sp.csr_matrix((np.ones(len(arc_out)), (arc_out, s.outbound_table["_demand"])),
                          shape=(keys, len(demand)))
        pairs = (a @ b).tocoo()
        order = np.lexsort((pairs.col, pairs.row))
        row, col = pairs.row[order], pairs.col[order]
    country = pd.Index(s.countries_table["country"]).get_indexer(supply["country"])
    return pd.DataFrame({"supplier": supply["supplier"][row], "country": supply["country"][row],
                         **hub, "market": demand["market"][col], "product": demand["product"][col],
                         "capacity": supply["capacity"][row], "_supply": row, "_demand": col,
                         "_country": country[row]})


def counting(field: str, s: Sets, origin: np.ndarray, market: np.ndarray | int) -> np.ndarray:
    """Whether goods made in the countries ``origin`` count towards ``field`` at markets in the
    countries ``market`` (codes: rows of ``s.countries``): :func:`.sets.counts_towards`, applied
    once per pair of countries."""
    col = {k: np.asarray(s.countries_table[k], object) for k in ("country", "region", "bloc")}
    row, column = ({k: v[:, None] for k, v in col.items()}, {k: v[None, :] for k, v in col.items()})
    return counts_towards(field, row, column)[origin, market]
