"""The issue-14 ladder: seeded realistic networks S, M, L, XL and the seven policies.

    S  60 suppliers × 12 hubs × 150 markets × 3 products
    M  120 × 24 × 300 × 4,  L 250 × 40 × 1000 × 5,  XL 500 × 60 × 3000 × 6

24 countries, 6 in each of the four regions of ``generate.REGIONS`` (Europe, North America,
Latin America, Asia); the Americas and Europe form the ``atlantic`` bloc, five Asian countries the
``pacific`` bloc, and the cheap exporter ``AS1`` has none. Elements are spread round-robin over
regions and then countries. Per product, the suppliers of a region can make 1.2× the region's
demand (split by random weights, so capacities bind) and the exporter another 0.6× the world's;
each non-Asian supplier makes two products, Asian ones all. Supplier and hub fixed costs, lanes
to every hub of the own region and the two nearest (great-circle) of every other region
(``generate._lanes``), tariffs on the exporter and on Asian chips into Latin America, CO2 per
unit and per km. A ``disruptions`` table (exporter lost, the largest hub lost, the largest
supplier lost) is attached for the disruption-aware policy.

>>> ladder_network("tiny")
Network(16 suppliers, 8 hubs, 24 markets, 3 products, 24 countries)
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from generate import REGIONS, costs_lanes_tariffs, supply_table

from resilient_sc import Network, Policy

#: rung -> (suppliers, hubs, markets, products); "tiny" is the smoke size
RUNGS: dict[str, tuple[int, int, int, int]] = {
    "tiny": (16, 8, 24, 3), "S": (60, 12, 150, 3), "M": (120, 24, 300, 4),
    "L": (250, 40, 1000, 5), "XL": (500, 60, 3000, 6)}
#: product -> (purchase cost per unit, customs value per unit)
PRODUCTS = {"cells": (30.0, 45.0), "chips": (100.0, 120.0), "displays": (60.0, 80.0),
            "motors": (45.0, 60.0), "sensors": (80.0, 95.0), "casings": (15.0, 25.0)}
COUNTRIES_PER_REGION = 6
EXPORTER = "AS1"
SHORTFALL_PENALTY = 400.0

#: the issue's policies (friend-shoring: the issue's 0.6 allied share with a 0.4 country cap)
POLICIES: dict[str, Policy] = {
    "base": Policy(),
    "near-shoring": Policy(min_local_share=0.5),
    "friend-shoring": Policy(min_allied_share=0.6, max_country_share=0.4),
    "survive country 0.8": Policy(survive=("country",), service_level=0.8),
    "survive supplier 1.0": Policy(survive=("supplier",)),
    "single sourcing": Policy(single_sourcing=True),
    "disruption-aware": Policy(shortfall_penalty=SHORTFALL_PENALTY),
}


def ladder_network(rung: str, seed: int = 0, disruptions: bool = True) -> Network:
    """The network of ``rung`` (a key of :data:`RUNGS`), reproducible from ``seed``."""
    n_s, n_h, n_m, n_p = RUNGS[rung]
    products = dict(list(PRODUCTS.items())[:n_p])
    rng = np.random.default_rng(seed)
    countries = _countries(rng)
    region_of = countries.set_index("country")["region"]
    markets = _place("market", "M", n_m, countries, rng, 6.0)
    hubs = _place("hub", "H", n_h, countries, rng, 3.0)
    suppliers = _place("supplier", "S", n_s, countries, rng, 5.0)

    demand = pd.DataFrame([(m, p, float(rng.integers(2, 21) * 100)) for m in markets["market"]
                           for p in products if rng.random() < 0.8], columns=["market", "product", "demand"])
    for m in sorted(set(markets["market"]) - set(demand["market"])):
        demand.loc[len(demand)] = (m, next(iter(products)), 500.0)
    region = demand["market"].map(markets.set_index("market")["country"]).map(region_of)
    by_region = demand.groupby([region, demand["product"]])["demand"].sum()
    world = demand.groupby("product")["demand"].sum()

    supply = supply_table(suppliers, region_of, by_region, world, rng, products, EXPORTER)
    lanes, tariffs = costs_lanes_tariffs(countries, suppliers, hubs, markets, supply,
                                         demand.groupby(region)["demand"].sum(), rng, EXPORTER)
    frames = dict(
        countries=countries[["country", "region", "bloc"]],
        products=pd.DataFrame({"product": list(products), "unit_value": [v for _, v in products.values()]}),
        suppliers=suppliers, supplier_products=supply, hubs=hubs, markets=markets,
        demand=demand, lanes=lanes, tariffs=tariffs)
    if disruptions:
        big_hub = hubs.sort_values("capacity", kind="stable")["hub"].iloc[-1]
        big_sup = supply.groupby("supplier")["capacity"].sum().idxmax()
        frames["disruptions"] = pd.DataFrame(
            [("exporter", "country", EXPORTER, 0.05), ("hub", "hub", big_hub, 0.05),
             ("supplier", "supplier", big_sup, 0.10)],
            columns=["scenario", "kind", "element", "probability"])
    return Network.from_frames(source=f"ladder({rung}, seed={seed})", **frames)


def _countries(rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    for region, (lat, lon, _, bloc) in REGIONS.items():
        for i in range(1, COUNTRIES_PER_REGION + 1):
            code = f"{region[:2].upper()}{i}"
            rows.append((code, region, "" if code == EXPORTER else bloc,
                         lat + rng.uniform(-8, 8), lon + rng.uniform(-14, 14)))
    return pd.DataFrame(rows, columns=["country", "region", "bloc", "lat", "lon"])


def _place(key: str, prefix: str, n: int, countries: pd.DataFrame, rng: np.random.Generator,
           spread: float) -> pd.DataFrame:
    """``n`` elements round-robin over regions, then over each region's countries."""
    k, rows = COUNTRIES_PER_REGION, []
    for i in range(n):
        c = countries.iloc[k * (i % 4) + (i // 4) % k]
        rows.append((f"{prefix}{i + 1:04d}_{c['country']}", c["country"],
                     round(float(c["lat"] + rng.uniform(-spread, spread) / 2), 2),
                     round(float(c["lon"] + rng.uniform(-spread, spread)), 2)))
    return pd.DataFrame(rows, columns=[key, "country", "lat", "lon"])
