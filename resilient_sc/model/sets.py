"""The index sets of the model: what exists and what can carry flow (MODEL.md §2, §8.6, §8.9).

Only combinations that can carry flow become variables: a supplier that makes the
product, a lane to a usable hub, and a lane on from that hub to a market with demand
for the product; ``y`` is indexed by origin country only where that origin reaches the hub.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..data import Network
from ..policy import Policy
from ..schema import ALL_PRODUCTS


@dataclass(frozen=True, eq=False)
class Sets:
    """Typed index tables of one (network, policy) pair; positions are row numbers."""

    suppliers: pd.DataFrame  # supplier, country, region, bloc, fixed_cost, status (usable only)
    hubs: pd.DataFrame  # hub, country, region, bloc, fixed_cost, capacity, handling_cost, status
    markets: pd.DataFrame  # market, country, region, bloc
    demand: pd.DataFrame  # market, product, demand, country, region, bloc
    supply: pd.DataFrame  # supplier, product, capacity, unit_cost, co2, country
    inbound: pd.DataFrame  # supplier, hub, product, country, lane_cost, lane_co2, unit_cost,
    #                         make_co2, handling_cost (the x index)
    outbound: pd.DataFrame  # hub, market, product, lane_cost, lane_co2
    flows: pd.DataFrame  # hub, market, product, origin, lane_cost, lane_co2, tariff (y index),
    #                       and the positions _out (in outbound), _demand, _origin (in origins)
    origins: pd.DataFrame  # hub, product, origin: each origin country reaching a hub
    products: pd.DataFrame  # product, unit_value, total_demand
    countries: pd.DataFrame  # country, region, bloc
    removed_suppliers: pd.DataFrame  # supplier, country, status, reason
    removed_hubs: pd.DataFrame  # hub, country, status, reason
    disruptions: pd.DataFrame  # scenario, kind, element, probability


def positions(keys: pd.DataFrame, target: pd.DataFrame, cols: list[str]) -> np.ndarray:
    """Row position in ``target`` of each row of ``keys`` matched on ``cols`` (-1 if none)."""
    if len(cols) == 1:
        return pd.Index(target[cols[0]]).get_indexer(keys[cols[0]])
    idx = pd.MultiIndex.from_frame(target[cols])
    return idx.get_indexer(pd.MultiIndex.from_frame(keys[cols]))


def _expand(keys: pd.DataFrame, node: str, table: pd.DataFrame, match: str,
            other: str) -> pd.DataFrame:
    """Rows of ``table`` (lanes or tariffs) that apply to each (node, product) of ``keys``.

    A product-specific row overrides the ``all`` row for that product (MODEL.md §8.9).
    ``match`` is the column of ``table`` that equals ``keys[node]``; ``other`` the column
    whose values make the pairs distinct.
    """
    specific = table.loc[table["product"] != ALL_PRODUCTS]
    generic = table.loc[table["product"] == ALL_PRODUCTS].drop(columns="product")
    a = keys.merge(specific, left_on=[node, "product"], right_on=[match, "product"])
    b = keys.merge(generic, left_on=node, right_on=match)
    both = pd.concat([a, b], ignore_index=True)
    return both.drop_duplicates([node, other, "product"], keep="first")


def _flows(outbound: pd.DataFrame, origins: pd.DataFrame, demand: pd.DataFrame,
           countries: pd.DataFrame, products: pd.DataFrame, tariffs: pd.DataFrame) -> pd.DataFrame:
    """The y index: each outbound lane once per origin country reaching its hub, with its
    tariff (rate of (origin, market country, product) × unit_value), built with numpy takes.

    ``origins`` must be sorted by hub and product; flows come out sorted like ``outbound``,
    then by origin, with the positions ``_out``, ``_demand`` and ``_origin``.
    """
    pair = pd.MultiIndex.from_frame(origins[["hub", "product"]])
    first = ~pair.duplicated()
    starts = np.flatnonzero(first)
    counts = np.diff(np.append(starts, len(origins)))
    group = pair[first].get_indexer(pd.MultiIndex.from_frame(outbound[["hub", "product"]]))
    keep = group >= 0
    out = np.repeat(np.flatnonzero(keep), counts[group[keep]])
    g = np.repeat(group[keep], counts[group[keep]])
    offset = np.arange(len(out)) - np.repeat(np.cumsum(counts[group[keep]]) - counts[group[keep]],
                                             counts[group[keep]])
    org = starts[g] + offset
    dem = outbound["_demand"].to_numpy()[out]
    # tariff lookup on integer codes: (origin country, market country, product)
    cidx = pd.Index(countries["country"])
    pidx = pd.Index(products["product"])
    nc, n_p = len(cidx), len(pidx)
    rate = np.zeros(nc * nc * (n_p + 1))
    if len(tariffs):
        tp = pidx.get_indexer(tariffs["product"])
        tp = np.where(tariffs["product"] == ALL_PRODUCTS, n_p, tp)
        code = (cidx.get_indexer(tariffs["origin_country"]) * nc
                + cidx.get_indexer(tariffs["destination_country"])) * (n_p + 1) + tp
        rate[code] = tariffs["rate"].to_numpy(float)
        has = np.zeros_like(rate, dtype=bool)
        has[code] = True
        generic = rate.reshape(-1, n_p + 1)[:, n_p:]
        specific = rate.reshape(-1, n_p + 1)[:, :n_p]
        rate = np.where(has.reshape(-1, n_p + 1)[:, :n_p], specific, generic).ravel()
    else:
        rate = np.zeros(nc * nc * n_p)
    oc = cidx.get_indexer(origins["origin"]).take(org)
    dc = cidx.get_indexer(demand["country"]).take(dem)
    pc = pidx.get_indexer(demand["product"]).take(dem)
    tariff = rate[(oc * nc + dc) * n_p + pc] * products["unit_value"].to_numpy(float)[pc]
    take = lambda df, col, pos: df[col].to_numpy()[pos]  # noqa: E731
    return pd.DataFrame({
        "hub": take(outbound, "hub", out), "market": take(outbound, "market", out),
        "product": take(outbound, "product", out), "origin": take(origins, "origin", org),
        "lane_cost": take(outbound, "lane_cost", out), "lane_co2": take(outbound, "lane_co2", out),
        "tariff": tariff, "_out": out, "_demand": dem, "_origin": org,
    })


def build_sets(net: Network, policy: Policy) -> Sets:
    """The index sets of ``net`` under ``policy`` (exclusions and closed elements removed)."""
    countries = net.countries[["country", "region", "bloc"]]
    excluded = set(policy.excluded_countries)

    def usable(df: pd.DataFrame, kind: str) -> tuple[pd.DataFrame, pd.DataFrame]:
        df = df.drop(columns=["_row"]).merge(countries, on="country", how="left")
        reason = np.where(df["status"] == "closed", "closed",
                          np.where(df["country"].isin(excluded), "excluded country", ""))
        removed = df.loc[reason != "", [kind, "country", "status"]].assign(
            reason=reason[reason != ""])
        return df.loc[reason == ""].reset_index(drop=True), removed.reset_index(drop=True)

    suppliers, removed_suppliers = usable(net.suppliers, "supplier")
    hubs, removed_hubs = usable(net.hubs, "hub")
    markets = net.markets[["market", "country"]].merge(countries, on="country", how="left")
    demand = net.demand[["market", "product", "demand"]].merge(markets, on="market")
    demand = demand.sort_values(["market", "product"], kind="stable").reset_index(drop=True)

    sp = net.supplier_products
    supply = sp.loc[(sp["capacity"] > 0) & sp["supplier"].isin(suppliers["supplier"]),
                    ["supplier", "product", "capacity", "unit_cost", "co2"]]
    supply = supply.merge(suppliers[["supplier", "country"]], on="supplier")
    supply = supply.loc[supply["product"].isin(demand["product"])].reset_index(drop=True)

    lanes = net.lanes.drop(columns="_row").rename(columns={"unit_cost": "lane_cost",
                                                           "co2": "lane_co2"})
    keys = demand[["market", "product"]].assign(_demand=np.arange(len(demand)))
    outbound = _expand(keys, "market", lanes, "destination", "origin")
    outbound = outbound.rename(columns={"origin": "hub"})
    outbound = outbound.loc[outbound["hub"].isin(hubs["hub"])]
    inbound = _expand(supply[["supplier", "product", "country"]], "supplier", lanes, "origin",
                      "destination").rename(columns={"destination": "hub"})
    inbound = inbound.loc[inbound["hub"].isin(hubs["hub"])]
    # prune: inbound only to hubs that can pass the product on, and vice versa
    inbound = inbound.merge(outbound[["hub", "product"]].drop_duplicates(), on=["hub", "product"])
    outbound = outbound.merge(inbound[["hub", "product"]].drop_duplicates(), on=["hub", "product"])
    inbound = inbound.merge(supply[["supplier", "product", "unit_cost", "co2"]].rename(
        columns={"co2": "make_co2"}), on=["supplier", "product"])
    inbound = inbound.merge(hubs[["hub", "handling_cost"]], on="hub")
    inbound = inbound[["supplier", "hub", "product", "country", "lane_cost", "lane_co2",
                       "unit_cost", "make_co2", "handling_cost"]]
    inbound = inbound.sort_values(["supplier", "hub", "product"]).reset_index(drop=True)
    outbound = outbound[["hub", "market", "product", "lane_cost", "lane_co2", "_demand"]]
    outbound = outbound.sort_values(["hub", "market", "product"]).reset_index(drop=True)

    origins = inbound[["hub", "product", "country"]].drop_duplicates().rename(
        columns={"country": "origin"}).sort_values(["hub", "product", "origin"]).reset_index(drop=True)
    products = net.products.drop(columns="_row")
    flows = _flows(outbound, origins, demand, countries, products, net.tariffs.drop(columns="_row"))

    # design variables only for elements that can carry flow, or that must be kept open
    suppliers = suppliers.loc[suppliers["supplier"].isin(inbound["supplier"])
                              | (suppliers["status"] == "open")].reset_index(drop=True)
    hubs = hubs.loc[hubs["hub"].isin(inbound["hub"]) | (hubs["status"] == "open")]
    hubs = hubs.reset_index(drop=True)
    total = demand.groupby("product")["demand"].sum()
    products = products.assign(total_demand=products["product"].map(total).fillna(0.0))
    return Sets(suppliers, hubs, markets, demand, supply, inbound, outbound, flows,
                origins[["hub", "product", "origin"]], products,
                countries.reset_index(drop=True), removed_suppliers, removed_hubs,
                net.disruptions.drop(columns="_row"))
