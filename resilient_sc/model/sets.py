"""The index sets of the model: what exists and what can carry flow (docs/formulation.md §2,
docs/conventions.md §8.6, §8.9).

Only combinations that can carry flow become variables: a supplier that makes the
product, a lane to a usable hub, and a lane on from that hub to a market with demand
for the product; ``y`` is indexed by origin country only where that origin reaches the hub.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, overload

import numpy as np
import pandas as pd

from ..data import Network
from ..policy import POLICY_FIELDS, Policy
from ..schema import ALL_PRODUCTS
from .table import Table, by_id


class _Frame:
    """A :class:`Sets` table as a DataFrame, built on first use from the Table ``<name>_table``
    (the model build reads the Tables' arrays and builds few DataFrames)."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.table = f"{name}_table"

    @overload
    def __get__(self, sets: None, owner: type | None = None) -> _Frame: ...
    @overload
    def __get__(self, sets: Sets, owner: type | None = None) -> pd.DataFrame: ...

    def __get__(self, sets: Sets | None, owner: type | None = None) -> pd.DataFrame | _Frame:
        if sets is None:  # on the class
            return self
        table: Table = getattr(sets, self.table)
        return table.frame()


@dataclass(frozen=True, eq=False)
class Sets:
    """Typed index tables of one (network, policy) pair; positions are row numbers.

    Each table is a :class:`~resilient_sc.model.table.Table` (``sets.flows_table["_out"]``: one
    column as an array) and, built on first use, a DataFrame of the name without ``_table``
    (``sets.flows``). Columns starting with ``_`` are positions in another table.

    * ``suppliers``: supplier, country, fixed_cost, status, ..., region, bloc (usable only)
    * ``hubs``: hub, country, fixed_cost, capacity, handling_cost, status, ..., region, bloc
    * ``markets``: market, country, region, bloc
    * ``demand``: market, product, demand, country, region, bloc
    * ``supply``: supplier, product, capacity, unit_cost, co2, country; _supplier (-1 for a
      supplier without a usable lane)
    * ``inbound`` (the x index): supplier, hub, product, country, lane_cost, lane_co2,
      unit_cost, make_co2, handling_cost; _supply, _origin, _supplier, _hub
    * ``outbound``: hub, market, product, lane_cost, lane_co2; _demand, _hub
    * ``flows`` (the y index): hub, market, product, origin, lane_cost, lane_co2, tariff; _out
      (in outbound), _demand, _origin
    * ``origins``: hub, product, origin (each origin country reaching a hub)
    * ``products``: product, unit_value, ..., total_demand
    * ``countries``: country, region, bloc
    * ``removed_suppliers``, ``removed_hubs``: supplier or hub, country, status, reason (and
      the ``products`` a supplier makes)
    * ``disruptions``: scenario, kind, element, probability
    * ``requirements``: one row per ``demand`` row, one column per policy field whose mapping
      keys may name regions (max_country_share, min_local_share, min_allied_share,
      service_level): its value for that (market, product), resolved once
      (docs/conventions.md §8.4); NaN where it asks nothing (service_level: 1)
    """

    suppliers_table: Table
    hubs_table: Table
    markets_table: Table
    demand_table: Table
    supply_table: Table
    inbound_table: Table
    outbound_table: Table
    flows_table: Table
    origins_table: Table
    products_table: Table
    countries_table: Table
    removed_suppliers_table: Table
    removed_hubs_table: Table
    disruptions_table: Table
    requirements_table: Table

    suppliers = _Frame()
    hubs = _Frame()
    markets = _Frame()
    demand = _Frame()
    supply = _Frame()
    inbound = _Frame()
    outbound = _Frame()
    flows = _Frame()
    origins = _Frame()
    products = _Frame()
    countries = _Frame()
    removed_suppliers = _Frame()
    removed_hubs = _Frame()
    disruptions = _Frame()
    requirements = _Frame()


def is_local(origin_region: object, market_region: object) -> np.ndarray:
    """docs/conventions.md §8.2: goods are local to a market when made in its region (so its own
    country is local); element-wise over arrays."""
    return np.asarray(origin_region, dtype=object) == np.asarray(market_region, dtype=object)


def is_allied(origin_country: object, origin_bloc: object, market_country: object,
              market_bloc: object) -> np.ndarray:
    """docs/conventions.md §8.1: goods are allied to a market when made in its own country or
    in a country of its non-empty bloc; element-wise over arrays."""
    bloc = np.asarray(market_bloc, dtype=object)
    return ((np.asarray(origin_country, dtype=object) == np.asarray(market_country, dtype=object))
            | ((np.asarray(origin_bloc, dtype=object) == bloc) & (bloc != "")))


#: the minimum-share fields, each with the origins it counts (a flow's flag: ``local``, :func:`is_local`;
#: ``allied``, :func:`is_allied`)
MIN_SHARES = {"min_local_share": "local", "min_allied_share": "allied"}


def counts_towards(field: str, origin: Any, market: Any) -> np.ndarray:
    """Whether goods made at ``origin`` count towards the minimum share ``field`` (a key of
    :data:`MIN_SHARES`) at ``market``: each has ``country``, ``region`` and ``bloc`` (a row, a frame
    or a mapping of arrays); element-wise."""
    if MIN_SHARES[field] == "local":
        return is_local(origin["region"], market["region"])
    return is_allied(origin["country"], origin["bloc"], market["country"], market["bloc"])


def positions(keys: pd.DataFrame, target: pd.DataFrame, cols: list[str]) -> np.ndarray:
    """Row position in ``target`` of each row of ``keys`` matched on ``cols`` (-1 if none)."""
    if len(cols) == 1:
        return pd.Index(target[cols[0]]).get_indexer(keys[cols[0]])
    idx = pd.MultiIndex.from_frame(target[cols])
    return idx.get_indexer(pd.MultiIndex.from_frame(keys[cols]))


def unit_of(sets: Sets, product: str) -> str:
    """What one unit of ``product`` is: the products table's ``unit``
    (:meth:`Network.unit_of <resilient_sc.data.Network.unit_of>`)."""
    table = sets.products_table
    at = pd.Index(table["product"]).get_indexer([product])[0]
    return str(table["unit"][at]) if at >= 0 and "unit" in table.columns else "units"


def total_demand(sets: Sets, product: pd.Series | np.ndarray) -> np.ndarray:
    """The total demand (units) for each product in ``product``."""
    at = pd.Index(sets.products_table["product"]).get_indexer(product)
    return sets.products_table["total_demand"][at]


def emission_factors(sets: Sets) -> tuple[np.ndarray, np.ndarray]:
    """CO2 per unit of each inbound flow x (making it, co2[s,p], and its lane, co2[s→h]) and
    of each outbound flow y (its lane, co2[h→m]); hubs emit nothing (docs/formulation.md §5)."""
    return (sets.inbound_table["make_co2"] + sets.inbound_table["lane_co2"], sets.flows_table["lane_co2"])


def _join(left: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Inner join of two int64 key arrays: the (left, right) position pairs with equal keys,
    in left order, then right order (as ``DataFrame.merge``)."""
    order = np.argsort(right, kind="stable")
    ordered = right[order]
    lo = np.searchsorted(ordered, left, "left")
    counts = np.searchsorted(ordered, left, "right") - lo
    li = np.repeat(np.arange(len(left)), counts)
    offset = np.arange(len(li)) - np.repeat(np.cumsum(counts) - counts, counts)
    return li, order[np.repeat(lo, counts) + offset]


def _expand(node: np.ndarray, product: np.ndarray, match: np.ndarray, other: np.ndarray,
            lane_product: np.ndarray, n_products: int) -> tuple[np.ndarray, np.ndarray]:
    """The lanes that apply to each (node, product) key, as (key, lane) position pairs: lanes
    whose ``match`` end is the node, for that product or for all (code -1); a
    product-specific lane overrides the ``all`` lane between the same two ends (docs/conventions.md §8.9).
    All arguments are integer codes.
    """
    specific = np.flatnonzero(lane_product >= 0)
    generic = np.flatnonzero(lane_product < 0)
    ks, ls = _join(node * n_products + product, match[specific] * n_products + lane_product[specific])
    kg, lg = _join(node, match[generic])
    key = np.concatenate([ks, kg])
    lane = np.concatenate([specific[ls], generic[lg]])
    if not (len(ks) and len(kg)):  # no override possible (lanes are unique)
        return key, lane
    pair = (node[key] * (other.max(initial=0) + 1) + other[lane]) * n_products + product[key]
    first = ~pd.Index(pair).duplicated(keep="first")
    return key[first], lane[first]


def _flows(hub: np.ndarray, product: np.ndarray, origins: dict[str, np.ndarray], n_products: int
           ) -> tuple[np.ndarray, np.ndarray]:
    """The y index: each outbound lane (``hub``, ``product`` codes) once per origin country
    reaching its hub, as positions (outbound row, origins row); ``origins`` sorted by hub and
    product, flows come out sorted like the outbound lanes, then by origin."""
    pair = origins["hub"] * n_products + origins["product"]
    starts = np.flatnonzero(np.diff(pair, prepend=-1) != 0)
    counts = np.diff(np.append(starts, len(pair)))
    groups = pair[starts]
    want = hub * n_products + product
    group = np.minimum(np.searchsorted(groups, want), max(len(groups) - 1, 0))
    keep = np.flatnonzero(groups[group] == want) if len(groups) else np.empty(0, np.int64)
    size = counts[group[keep]]
    out = np.repeat(keep, size)
    return out, np.repeat(starts[group[keep]] - np.cumsum(size) + size, size) + np.arange(len(out))


def _tariffs(tariffs: pd.DataFrame, cidx: pd.Index, pidx: pd.Index) -> np.ndarray:
    """Tariff rate per (origin country, destination country, product) code, flat; a
    product-specific rate overrides the ``all`` rate (docs/conventions.md §8.9)."""
    nc, n_p = len(cidx), len(pidx)
    if not len(tariffs):
        return np.zeros(nc * nc * n_p)
    tp = pidx.get_indexer(tariffs["product"])
    tp = np.where(tariffs["product"] == ALL_PRODUCTS, n_p, tp)
    code = (cidx.get_indexer(tariffs["origin_country"]) * nc
            + cidx.get_indexer(tariffs["destination_country"])) * (n_p + 1) + tp
    rate = np.zeros(nc * nc * (n_p + 1))
    rate[code] = tariffs["rate"].to_numpy(float)
    has = np.zeros_like(rate, dtype=bool)
    has[code] = True
    rate, has = rate.reshape(-1, n_p + 1), has.reshape(-1, n_p + 1)
    return np.where(has[:, :n_p], rate[:, :n_p], rate[:, n_p:]).ravel()


def _columns(df: pd.DataFrame) -> dict[str, np.ndarray]:
    """The columns of a network table as arrays of their own (the model never shares the
    caller's: an edit of the network after a solve changes no plan), without ``_row``."""
    return {c: df[c].to_numpy(copy=True) for c in df.columns if c != "_row"}


def build_sets(net: Network, policy: Policy, position: int = 0, keep_all: bool = False) -> Sets:
    """The index sets of ``net`` under ``policy`` in the period at ``position`` (0: the first):
    closed elements, those of excluded countries and candidates whose ``lead_time`` is after
    ``position`` removed (docs/formulation.md §9). Design variables are made for the elements
    that can carry flow, are open or existing, and with ``keep_all`` (a period of a roadmap,
    where an element may be kept through a period it cannot serve) for every one not removed;
    for every hub not removed also under ``min_hubs`` and under single sourcing with a
    ``shortfall_penalty`` (opening a hub may then matter though it carries nothing)."""
    countries = {c: net.countries[c].to_numpy() for c in ("country", "region", "bloc")}
    country_at = pd.Index(countries["country"])
    region, bloc = countries["region"], countries["bloc"]

    def usable(df: pd.DataFrame, kind: str) -> tuple[dict[str, np.ndarray], Table]:
        """The rows of ``df`` in use (with the region and bloc of their country), and the rest
        with the reason; in id order (:func:`~.table.by_id`)."""
        df = by_id(df, kind)
        at = country_at.get_indexer(df["country"])
        cols = _columns(df) | {"region": region[at], "bloc": bloc[at]}
        closed = cols["status"] == "closed"
        excluded = df["country"].isin(policy.excluded_countries).to_numpy()
        waiting = (cols["status"] == "candidate") & (cols["lead_time"] > position)
        gone = closed | excluded | waiting
        removed = {c: cols[c][gone] for c in (kind, "country", "status")}
        reason = np.where(closed[gone], "closed", np.where(excluded[gone], "excluded country",
                                                          "lead time")).astype(object)
        return {k: v[~gone] for k, v in cols.items()}, Table(removed | {"reason": reason})

    suppliers, removed_suppliers = usable(net.suppliers, "supplier")
    made = net.supplier_products.groupby("supplier")["product"].agg(tuple)  # what each one left out makes
    products_made = np.empty(len(removed_suppliers), dtype=object)
    products_made[:] = [made.get(i, ()) for i in removed_suppliers["supplier"]]
    removed_suppliers = Table(removed_suppliers.columns | {"products": products_made})
    hubs, removed_hubs = usable(net.hubs, "hub")
    pidx = pd.Index(net.products["product"]).sort_values()
    at = country_at.get_indexer(net.markets["country"])
    markets = {c: net.markets[c].to_numpy() for c in ("market", "country")} | {"region": region[at],
                                                                               "bloc": bloc[at]}
    # demand with its market's location, sorted by market and product
    midx = pd.Index(markets["market"])
    at = midx.get_indexer(net.demand["market"])
    order = np.lexsort((pidx.get_indexer(net.demand["product"]),
                        midx.sort_values().get_indexer(net.demand["market"])))
    order = order[at[order] >= 0]
    demand = ({c: net.demand[c].to_numpy()[order] for c in ("market", "product", "demand")}
              | {c: markets[c][at[order]] for c in ("country", "region", "bloc")})

    sp = net.supplier_products
    at = pd.Index(suppliers["supplier"]).get_indexer(sp["supplier"])
    keep = np.flatnonzero((sp["capacity"].to_numpy() > 0) & (at >= 0)
                          & sp["product"].isin(demand["product"]).to_numpy())
    keep = keep[np.lexsort((pidx.get_indexer(sp["product"].to_numpy()[keep]), at[keep]))]  # by id
    supply = ({c: sp[c].to_numpy()[keep] for c in ("supplier", "product", "capacity", "unit_cost", "co2")}
              | {"country": suppliers["country"][at[keep]]})
    at_supplier = at[keep]  # supply row -> row in suppliers

    # lanes, supply and demand as integer codes; sorted indexes keep the codes in text order
    lanes, tariffs = net.lanes, net.tariffs
    nodes = pd.Index(pd.unique(np.concatenate([lanes["origin"].to_numpy(object),
                                               lanes["destination"].to_numpy(object)]))).sort_values()
    cidx = pd.Index(countries["country"]).sort_values()
    n_p, n_c = len(pidx), len(cidx)
    lane_o, lane_d = nodes.get_indexer(lanes["origin"]), nodes.get_indexer(lanes["destination"])
    lane_p = pidx.get_indexer(lanes["product"])
    lane_p = np.where(lanes["product"] == ALL_PRODUCTS, -1, np.where(lane_p < 0, n_p, lane_p))
    hub_at = np.full(len(nodes), -1)  # node code -> row in hubs
    codes = nodes.get_indexer(hubs["hub"])
    hub_at[codes[codes >= 0]] = np.flatnonzero(codes >= 0)

    dm, dp = nodes.get_indexer(demand["market"]), pidx.get_indexer(demand["product"])
    key, lane = _expand(dm, dp, lane_d, lane_o, lane_p, n_p + 1)
    usable_hub = hub_at[lane_o[lane]] >= 0
    out_dem, out_lane = key[usable_hub], lane[usable_hub]
    out_hub, out_p = lane_o[out_lane], dp[out_dem]
    sc, spp = nodes.get_indexer(supply["supplier"]), pidx.get_indexer(supply["product"])
    key, lane = _expand(sc, spp, lane_o, lane_d, lane_p, n_p + 1)
    usable_hub = hub_at[lane_d[lane]] >= 0
    in_sup, in_lane = key[usable_hub], lane[usable_hub]
    in_hub, in_p = lane_d[in_lane], spp[in_sup]
    # prune: inbound only to hubs that can pass the product on, and vice versa
    keep = np.isin(in_hub * n_p + in_p, out_hub * n_p + out_p)
    in_sup, in_lane, in_hub, in_p = in_sup[keep], in_lane[keep], in_hub[keep], in_p[keep]
    keep = np.isin(out_hub * n_p + out_p, in_hub * n_p + in_p)
    out_dem, out_lane, out_hub, out_p = out_dem[keep], out_lane[keep], out_hub[keep], out_p[keep]
    order = np.lexsort((in_p, in_hub, sc[in_sup]))
    in_sup, in_lane, in_hub, in_p = in_sup[order], in_lane[order], in_hub[order], in_p[order]
    order = np.lexsort((out_p, dm[out_dem], out_hub))
    out_dem, out_lane, out_hub, out_p = out_dem[order], out_lane[order], out_hub[order], out_p[order]

    # design variables only for elements that can carry flow, or that must be kept open;
    # _supplier and _hub are positions in the kept suppliers and hubs
    sup_at, hub_row = at_supplier[in_sup], hub_at[in_hub]
    # every usable hub counts where a hub's opening alone may matter (MODEL.md §5): toward
    # min_hubs, and as the one hub of a market left short under single sourcing with a penalty
    every_hub = keep_all or policy.min_hubs is not None or (
        policy.single_sourcing and policy.shortfall_penalty is not None)
    keep_supplier = np.isin(suppliers["status"], ("open", "existing")) | keep_all
    keep_hub = np.isin(hubs["status"], ("open", "existing")) | every_hub
    keep_supplier[sup_at], keep_hub[hub_row] = True, True
    supplier_pos, hub_pos = np.cumsum(keep_supplier) - 1, np.cumsum(keep_hub) - 1
    supply["_supplier"] = np.where(keep_supplier[at_supplier], supplier_pos[at_supplier], -1)

    lane_cost, lane_co2 = lanes["unit_cost"].to_numpy(float), lanes["co2"].to_numpy(float)
    in_c = cidx.get_indexer(supply["country"])[in_sup]
    org, in_origin = np.unique((in_hub * n_p + in_p) * n_c + in_c, return_inverse=True)
    node, country = nodes.to_numpy(object), cidx.to_numpy(object)
    inbound = Table({
        "supplier": (supply["supplier"], in_sup), "hub": (node, in_hub),
        "product": (supply["product"], in_sup), "country": (supply["country"], in_sup),
        "lane_cost": lane_cost[in_lane], "lane_co2": lane_co2[in_lane],
        "unit_cost": supply["unit_cost"][in_sup], "make_co2": supply["co2"][in_sup],
        "handling_cost": hubs["handling_cost"][hub_row], "_supply": in_sup, "_origin": in_origin,
        "_supplier": supplier_pos[sup_at], "_hub": hub_pos[hub_row]})
    outbound = Table({
        "hub": (node, out_hub), "market": (demand["market"], out_dem),
        "product": (demand["product"], out_dem), "lane_cost": lane_cost[out_lane],
        "lane_co2": lane_co2[out_lane], "_demand": out_dem, "_hub": hub_pos[hub_at[out_hub]]})

    org_hub, org_p, org_c = org // (n_p * n_c), org // n_c % n_p, org % n_c
    origins = Table({"hub": (node, org_hub), "product": (pidx.to_numpy(object), org_p),
                     "origin": (country, org_c)})
    out, at = _flows(out_hub, out_p, {"hub": org_hub, "product": org_p}, n_p)
    dem = out_dem[out]
    product_at = pidx.get_indexer(net.products["product"])  # network product row -> code
    value = np.zeros(n_p)
    value[product_at] = net.products["unit_value"].to_numpy(float)
    rate = _tariffs(tariffs, cidx, pidx) * np.tile(value, n_c * n_c)  # currency per unit
    if rate.any():
        dc = cidx.get_indexer(demand["country"])[dem]
        tariff = rate[(org_c[at] * n_c + dc) * n_p + out_p[out]]
    else:
        tariff = np.zeros(len(out))
    flows = Table({
        "hub": (node, out_hub[out]), "market": (demand["market"], dem),
        "product": (demand["product"], dem), "origin": (country, org_c[at]),
        "lane_cost": outbound["lane_cost"][out], "lane_co2": outbound["lane_co2"][out],
        "tariff": tariff, "_out": out, "_demand": dem, "_origin": at})

    requirements = {row.name: policy.per_market_product(row.name, demand["region"], demand["product"])
                    for row in POLICY_FIELDS.values() if "region" in row.keys}
    total = np.bincount(dp, demand["demand"], minlength=n_p)
    products = _columns(net.products) | {"total_demand": total[product_at]}
    suppliers = {k: v[keep_supplier] for k, v in suppliers.items()}
    hubs = {k: v[keep_hub] for k, v in hubs.items()}
    disruptions = net.disruptions.sort_values(["scenario", "kind", "element"], kind="stable")
    return Sets(Table(suppliers), Table(hubs), Table(markets), Table(demand), Table(supply), inbound,
                outbound, flows, origins, Table(products), Table(countries), removed_suppliers,
                removed_hubs, Table(_columns(disruptions)), Table(requirements))
