"""Seeded synthetic networks of any size for the benchmarks.

Four regions of three countries each (Europe, North America, Latin America, Asia); Europe,
the Americas and two Asian countries form two blocs, the third Asian country (``AS3``, the
cheap exporter) has none. Three products. Elements are spread round-robin over regions and
countries, so every region has hubs in at least two countries once there are 8 hubs.
Suppliers in each region can make 1.2× the region's demand of each product and ``AS3`` another
0.6× the world's; hubs can pass 2× their region's demand. Lanes reach every hub of the own
region and the two nearest hubs of every other region; costs and CO2 grow with the
great-circle distance. So the base buys in Asia, and near-shoring, friend-shoring and
surviving any country at 80% are all feasible.

>>> generated_network(12, 8, 12, seed=1)
Network(12 suppliers, 8 hubs, 12 markets, 3 products, 12 countries)
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from resilient_sc import Network

#: region -> (centre lat, centre lon, unit-cost factor, bloc of its countries)
REGIONS = {
    "Europe": (50.0, 10.0, 1.10, "atlantic"),
    "North_America": (40.0, -95.0, 1.05, "atlantic"),
    "Latin_America": (-15.0, -55.0, 0.95, "atlantic"),
    "Asia": (30.0, 115.0, 0.80, "pacific"),
}
#: product -> (purchase cost per unit, customs value per unit)
PRODUCTS = {"cells": (30.0, 45.0), "chips": (100.0, 120.0), "displays": (60.0, 80.0)}
EXPORTER = "AS3"
LOCAL_CAPACITY = 1.2  # × the region's demand of each product
EXPORT_CAPACITY = 0.6  # × the world's demand of each product, extra in EXPORTER
HUB_CAPACITY = 2.0  # × the region's demand, shared by the region's hubs
HUB_FIXED = 0.3  # money per unit of hub capacity
SUPPLIER_FIXED = 0.1  # money per unit of supplier capacity (all products)


def generated_network(n_suppliers: int, n_hubs: int, n_markets: int, seed: int = 0) -> Network:
    """A feasible synthetic network with ``n_suppliers`` suppliers, ``n_hubs`` hubs and
    ``n_markets`` markets (at least 12, 4 and 4), reproducible from ``seed``."""
    if n_suppliers < 12 or min(n_hubs, n_markets) < len(REGIONS):
        raise ValueError("need at least 12 suppliers (3 per region) and 4 hubs and markets (1 per region)")
    rng = np.random.default_rng(seed)
    countries = _countries(rng)
    markets = _place("M", n_markets, countries, rng, spread=6.0)
    hubs = _place("H", n_hubs, countries, rng, spread=3.0)
    suppliers = _place("S", n_suppliers, countries, rng, spread=5.0)

    demand = pd.DataFrame([(m, p, float(rng.integers(2, 21) * 100)) for m in markets["market"]
                           for p in PRODUCTS if rng.random() < 0.8], columns=["market", "product", "demand"])
    for m in sorted(set(markets["market"]) - set(demand["market"])):  # every market wants something
        demand.loc[len(demand)] = (m, "cells", 500.0)
    region_of = countries.set_index("country")["region"]
    demand["region"] = demand["market"].map(markets.set_index("market")["country"]).map(region_of)
    by_region = demand.groupby(["region", "product"])["demand"].sum()

    supply = supply_table(suppliers, region_of, by_region, demand.groupby("product")["demand"].sum(), rng)
    lanes, tariffs = costs_lanes_tariffs(countries, suppliers, hubs, markets, supply,
                                         demand.groupby("region")["demand"].sum(), rng)
    return Network.from_frames(
        source=f"generated({n_suppliers}, {n_hubs}, {n_markets}, seed={seed})",
        countries=countries[["country", "region", "bloc"]],
        products=pd.DataFrame({"product": list(PRODUCTS), "unit_value": [v for _, v in PRODUCTS.values()]}),
        suppliers=suppliers, supplier_products=supply, hubs=hubs, markets=markets,
        demand=demand.drop(columns="region"), lanes=lanes, tariffs=tariffs)


def costs_lanes_tariffs(countries: pd.DataFrame, suppliers: pd.DataFrame, hubs: pd.DataFrame,
                        markets: pd.DataFrame, supply: pd.DataFrame, region_total: pd.Series,
                        rng: np.random.Generator, exporter: str = EXPORTER
                        ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Hub capacities and fixed and handling costs and supplier fixed costs (set in place), and
    the lanes (own region and two nearest hubs of every other region) and tariffs (the exporter
    into North America and Europe, Asian chips into Latin America); shared with ladder.py."""
    region_of = countries.set_index("country")["region"]
    hub_region = hubs["country"].map(region_of)
    hubs["capacity"] = (HUB_CAPACITY * hub_region.map(region_total).fillna(0.0)
                        / hub_region.map(hub_region.value_counts())).round(-1)
    hubs["fixed_cost"] = (HUB_FIXED * hubs["capacity"] * hub_region.map(lambda r: REGIONS[r][2])).round(-2)
    hubs["handling_cost"] = rng.uniform(0.8, 2.0, len(hubs)).round(2)
    made = supply.groupby("supplier")["capacity"].sum().reindex(suppliers["supplier"]).fillna(0).to_numpy()
    suppliers["fixed_cost"] = (SUPPLIER_FIXED * rng.uniform(0.7, 1.3, len(suppliers)) * made).round(-2)

    lanes = pd.concat([_lanes(suppliers, "supplier", hubs, region_of, 0.3, 0.0006, 0.00025),
                       _lanes(markets, "market", hubs, region_of, 0.5, 0.0015, 0.0008, reverse=True)],
                      ignore_index=True)
    asia = countries.loc[countries["region"] == "Asia", "country"]
    latin = countries.loc[countries["region"] == "Latin_America", "country"]
    tariffs = pd.DataFrame(
        [(exporter, c, "all", 0.25 if r == "North_America" else 0.10)
         for c, r in zip(countries["country"], countries["region"], strict=True)
         if r in ("North_America", "Europe")]
        + [(o, c, "chips", 0.15) for o in asia for c in latin],
        columns=["origin_country", "destination_country", "product", "rate"])
    return lanes, tariffs


def _countries(rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    for region, (lat, lon, _, bloc) in REGIONS.items():
        for i in range(1, 4):
            code = f"{region[:2].upper()}{i}"
            rows.append((code, region, "" if code == EXPORTER else bloc,
                         lat + rng.uniform(-6, 6), lon + rng.uniform(-10, 10)))
    return pd.DataFrame(rows, columns=["country", "region", "bloc", "lat", "lon"])


def _place(prefix: str, n: int, countries: pd.DataFrame, rng: np.random.Generator,
           spread: float) -> pd.DataFrame:
    """``n`` elements round-robin over regions, then over each region's countries."""
    key = {"M": "market", "H": "hub", "S": "supplier"}[prefix]
    rows = []
    for i in range(n):
        c = countries.iloc[3 * (i % 4) + (i // 4) % 3]
        rows.append((f"{prefix}{i + 1:03d}_{c['country']}", c["country"],
                     round(float(c["lat"] + rng.uniform(-spread, spread) / 2), 2),
                     round(float(c["lon"] + rng.uniform(-spread, spread)), 2)))
    return pd.DataFrame(rows, columns=[key, "country", "lat", "lon"])


def supply_table(suppliers: pd.DataFrame, region_of: pd.Series, by_region: pd.Series, world: pd.Series,
                 rng: np.random.Generator, products: dict[str, tuple[float, float]] = PRODUCTS,
                 exporter: str = EXPORTER) -> pd.DataFrame:
    """The k-th supplier of a region makes two products, chosen so that any 3 consecutive
    suppliers of a region make every product in two countries; Asian suppliers make all of
    ``products`` (the pacific bloc has only two countries). Capacities are the regional targets
    (``LOCAL_CAPACITY`` × ``by_region``) split by random weights, plus ``EXPORT_CAPACITY`` × the
    ``world`` demand in ``exporter``; unit costs from ``products`` (name -> (purchase cost,
    customs value))."""
    rows, names = [], list(products)
    for i, (s, c) in enumerate(zip(suppliers["supplier"], suppliers["country"], strict=True)):
        k = i // len(REGIONS)
        made = names if region_of[c] == "Asia" else [names[(k + k // 3 + j) % len(names)] for j in (0, 1)]
        factor = REGIONS[region_of[c]][2] * (0.9 if c == exporter else 1.0)
        weight = 0.3 if c == exporter else 1.0  # the exporter's capacity is mostly for export
        rows += [(s, c, p, weight * rng.uniform(0.7, 1.3),
                  round(products[p][0] * factor * rng.uniform(0.9, 1.1), 2), round(rng.uniform(1, 8), 2))
                 for p in made]
    supply = pd.DataFrame(rows, columns=["supplier", "country", "product", "weight", "unit_cost", "co2"])
    key = [supply["country"].map(region_of), supply["product"]]
    target = pd.Series(list(zip(*key, strict=True)), index=supply.index).map(by_region).fillna(0.0)
    share = supply["weight"] / supply.groupby(key)["weight"].transform("sum")
    supply["capacity"] = LOCAL_CAPACITY * target * share
    export = supply["weight"].where(supply["country"] == exporter, 0.0)
    export = export / export.groupby(supply["product"]).transform("sum").replace(0.0, 1.0)
    supply["capacity"] += EXPORT_CAPACITY * supply["product"].map(world).fillna(0.0) * export
    supply["capacity"] = supply["capacity"].round(-1).clip(lower=10.0)
    return supply[["supplier", "product", "capacity", "unit_cost", "co2"]]


def _lanes(ends: pd.DataFrame, key: str, hubs: pd.DataFrame, region_of: pd.Series, fixed: float,
           per_km: float, co2_per_km: float, reverse: bool = False) -> pd.DataFrame:
    """Lanes between each element and the hubs of its region plus the 2 nearest of every other."""
    km = _km(ends[["lat", "lon"]].to_numpy(float), hubs[["lat", "lon"]].to_numpy(float))
    hub_region = hubs["country"].map(region_of).to_numpy()
    rows = []
    for i, (name, c) in enumerate(zip(ends[key], ends["country"], strict=True)):
        own = hub_region == region_of[c]
        picked = set(np.flatnonzero(own))
        for r in REGIONS:
            others = np.flatnonzero(hub_region == r)
            if r != region_of[c] and len(others):
                picked |= set(others[np.argsort(km[i, others])[:2]])
        for j in sorted(picked):
            d = km[i, j]
            pair = (hubs["hub"].iloc[j], name) if reverse else (name, hubs["hub"].iloc[j])
            rows.append((*pair, round(fixed + per_km * d, 3), round(co2_per_km * d, 4)))
    return pd.DataFrame(rows, columns=["origin", "destination", "unit_cost", "co2"])


def _km(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Great-circle distances (km) between every row of ``a`` and of ``b`` (lat, lon degrees)."""
    la, lo = np.radians(a[:, :1]), np.radians(a[:, 1:])
    lb, lob = np.radians(b[:, 0]), np.radians(b[:, 1])
    h = np.sin((lb - la) / 2) ** 2 + np.cos(la) * np.cos(lb) * np.sin((lob - lo) / 2) ** 2
    return 2 * 6371.0 * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
