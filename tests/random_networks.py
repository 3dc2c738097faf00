"""Seeded small random networks whose base plan is always feasible (shared by the tests).

Hub ``H1`` is a backbone: lanes from every supplier and to every market, for all products,
with capacity 1.3× the total demand; every product has suppliers with 1.3× its demand. The
other hubs, lanes, tariffs, CO2 and costs are random, so the optimum varies.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from resilient_sc import Network

#: capacity margin over demand, per product (suppliers) and in total (backbone hub)
MARGIN = 1.3


def random_network(seed: int) -> Network:
    """A feasible random network: 2–4 countries in 2 regions with blocs, 2–3 products,
    3–6 suppliers, 2–4 hubs, 3–6 markets, random lanes, tariffs and CO2."""
    rng = np.random.default_rng(seed)
    countries = [f"C{i}" for i in range(1, int(rng.integers(2, 5)) + 1)]
    products = [f"P{i}" for i in range(1, int(rng.integers(2, 4)) + 1)]
    suppliers = [f"S{i}" for i in range(1, int(rng.integers(3, 7)) + 1)]
    hubs = [f"H{i}" for i in range(1, int(rng.integers(2, 5)) + 1)]
    markets = [f"M{i}" for i in range(1, int(rng.integers(3, 7)) + 1)]
    pick = lambda options, n: rng.choice(options, size=n).tolist()  # noqa: E731

    country_table = pd.DataFrame({
        "country": countries,
        "region": ["R1", "R2", *pick(["R1", "R2"], len(countries) - 2)],
        "bloc": pick(["", "B1", "B2"], len(countries)),
    })
    demand = pd.DataFrame([(m, p, float(rng.integers(5, 60))) for m in markets for p in products
                           if rng.random() < 0.7], columns=["market", "product", "demand"])
    for m in sorted(set(markets) - set(demand["market"])):  # every market wants something
        demand.loc[len(demand)] = (m, products[0], float(rng.integers(5, 60)))
    total = demand.groupby("product")["demand"].sum().reindex(products, fill_value=0.0)

    rows = []
    for s in suppliers:
        made = [p for p in products if rng.random() < 0.6] or [str(rng.choice(products))]
        rows += [(s, p, float(rng.integers(10, 80)), float(rng.uniform(2, 12)),
                  float(rng.uniform(0, 3))) for p in made]
    supply = pd.DataFrame(rows, columns=["supplier", "product", "capacity", "unit_cost", "co2"])
    for p in products:  # scale up the makers of p (or add one) to cover 1.3× its demand
        makers = supply["product"] == p
        if not makers.any():
            supply.loc[len(supply)] = (suppliers[0], p, 1.0, 5.0, 1.0)
            makers = supply["product"] == p
        have = supply.loc[makers, "capacity"].sum()
        if have < MARGIN * total[p]:
            supply.loc[makers, "capacity"] *= 1.01 * MARGIN * total[p] / have

    hub_cap = [MARGIN * total.sum(), *(float(rng.uniform(0.3, 1.2)) * total.sum() if rng.random() < 0.7
                                       else np.inf for _ in hubs[1:])]
    lanes = [(s, "H1", "", float(rng.uniform(1, 6)), float(rng.uniform(0, 2))) for s in suppliers]
    lanes += [("H1", m, "", float(rng.uniform(1, 6)), float(rng.uniform(0, 2))) for m in markets]
    for h in hubs[1:]:
        lanes += [(s, h, "", float(rng.uniform(0.5, 5)), float(rng.uniform(0, 2)))
                  for s in suppliers if rng.random() < 0.6]
        for m in markets:
            if rng.random() < 0.6:
                lanes.append((h, m, "", float(rng.uniform(0.5, 5)), float(rng.uniform(0, 2))))
                if rng.random() < 0.3:  # a product-specific override
                    lanes.append((h, m, str(rng.choice(products)), float(rng.uniform(0.5, 8)),
                                  float(rng.uniform(0, 2))))
    tariffs = [(a, b, "", float(rng.choice([0.05, 0.1, 0.25]))) for a in countries for b in countries
               if a != b and rng.random() < 0.5]

    return Network.from_frames(
        source=f"random_network({seed})",
        countries=country_table,
        products=pd.DataFrame({"product": products,
                               "unit_value": rng.integers(5, 50, len(products)).astype(float)}),
        suppliers=pd.DataFrame({"supplier": suppliers, "country": pick(countries, len(suppliers)),
                                "fixed_cost": rng.integers(50, 400, len(suppliers)).astype(float)}),
        supplier_products=supply,
        hubs=pd.DataFrame({"hub": hubs, "country": pick(countries, len(hubs)),
                           "fixed_cost": rng.integers(50, 300, len(hubs)).astype(float),
                           "capacity": hub_cap,
                           "handling_cost": rng.uniform(0, 2, len(hubs))}),
        markets=pd.DataFrame({"market": markets, "country": pick(countries, len(markets))}),
        demand=demand,
        lanes=pd.DataFrame(lanes, columns=["origin", "destination", "product", "unit_cost", "co2"]),
        tariffs=pd.DataFrame(tariffs, columns=["origin_country", "destination_country", "product",
                                               "rate"]),
    )
