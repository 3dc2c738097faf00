"""The bundled electronics network, generated deterministically (the CSVs in examples/electronics).

A consumer-electronics maker buys battery cells, chips and displays from 22 suppliers in
12 countries, routes them through up to 8 hubs and serves 25 markets in Europe, North
America, Latin America and Asia. East Asia is cheapest, but the US levies duties on Chinese
goods and Taiwan makes the largest share of the chips: the setting of near-, friend-shoring and
redundancy policies. :func:`electronics_roadmap_frames` turns it into a 2026-2030 restructuring
roadmap (examples/electronics_roadmap).

>>> frames = electronics_frames()
>>> {name: len(df) for name, df in frames.items()}["suppliers"]
22
>>> sorted(frames["products"]["product"])
['cells', 'chips', 'displays']
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

#: the template's example rows by table (``resilient-sc init``); every column not given is left
#: blank (its default applies)
EXAMPLE_ROWS: dict[str, list[dict[str, object]]] = {
    "countries": [{"country": "FR", "region": "Europe", "bloc": "EU"},
                  {"country": "CN", "region": "Asia", "bloc": ""}],
    "products": [{"product": "widget", "unit_value": 20, "unit": "pieces"}],
    "suppliers": [{"supplier": "S_Shenzhen", "country": "CN", "fixed_cost": 5000,
                   "status": "candidate", "lat": 22.54, "lon": 114.06, "opening_cost": 0,
                   "closing_cost": 0, "lead_time": 0}],
    "supplier_products": [{"supplier": "S_Shenzhen", "product": "widget", "capacity": 10000,
                           "unit_cost": 8, "co2": 2.5}],
    "hubs": [{"hub": "H_Le_Havre", "country": "FR", "fixed_cost": 20000, "capacity": 50000,
              "handling_cost": 0.5, "status": "candidate", "lat": 49.49, "lon": 0.11,
              "opening_cost": 0, "closing_cost": 0, "lead_time": 0}],
    "markets": [{"market": "M_Paris", "country": "FR", "lat": 48.86, "lon": 2.35}],
    "demand": [{"market": "M_Paris", "product": "widget", "demand": 4000}],
    "lanes": [{"origin": "S_Shenzhen", "destination": "H_Le_Havre", "product": "all",
               "unit_cost": 1.2, "co2": 0.8},
              {"origin": "H_Le_Havre", "destination": "M_Paris", "product": "all",
               "unit_cost": 0.6, "co2": 0.1}],
    "tariffs": [{"origin_country": "CN", "destination_country": "FR", "product": "widget",
                 "rate": 0.05}],
    "disruptions": [{"scenario": "port_strike", "kind": "hub", "element": "H_Le_Havre",
                     "probability": 0.02}],
    # no periods (the header only): the template is one plan of today's network, which solve()
    # solves; a roadmap lists its periods here (2026, 2027, ...) and is solved by solve_roadmap()
    "periods": [],
}
#: optimal cost of the template network: 5000 + 20000 + 4000 · (8 + 1.2 + 0.5 + 0.6 + 0.05 · 20)
#: (opening and closing costs and lead times are shown, at 0)
EXAMPLE_COST = 70200.0

#: country -> (region, bloc); an empty bloc is no bloc
COUNTRIES: dict[str, tuple[str, str]] = {
    "DE": ("Europe", "atlantic"), "FR": ("Europe", "atlantic"), "PL": ("Europe", "atlantic"),
    "CZ": ("Europe", "atlantic"),
    "US": ("North America", "atlantic"), "CA": ("North America", "atlantic"),
    "MX": ("Latin America", "atlantic"), "BR": ("Latin America", ""),
    "CN": ("Asia", ""), "VN": ("Asia", ""),
    "TW": ("Asia", "pacific"), "KR": ("Asia", "pacific"), "JP": ("Asia", "pacific"),
}

#: product -> (customs value, base purchase cost, base demand per market, CO2 per unit made)
PRODUCTS: dict[str, tuple[float, float, float, float]] = {
    "cells": (45.0, 32.0, 3000.0, 6.0),
    "chips": (120.0, 78.0, 2000.0, 4.0),
    "displays": (80.0, 55.0, 2500.0, 3.0),
}

#: country -> (purchase cost index, CO2 index of its power grid)
COST_INDEX: dict[str, tuple[float, float]] = {
    "CN": (1.00, 1.30), "VN": (0.98, 1.20), "TW": (1.04, 1.10), "KR": (1.08, 1.00),
    "JP": (1.18, 0.95), "DE": (1.30, 0.80), "FR": (1.32, 0.30), "PL": (1.15, 1.25),
    "US": (1.28, 0.85), "CA": (1.25, 0.35), "MX": (1.10, 0.90), "BR": (1.15, 0.40),
}

#: supplier -> (country, lat, lon, products, status, fixed cost in thousands)
SUPPLIERS: dict[str, tuple[str, float, float, tuple[str, ...], str, float]] = {
    "S_CN_Ningde": ("CN", 26.66, 119.55, ("cells",), "candidate", 15),
    "S_CN_Shenzhen": ("CN", 22.54, 114.06, ("cells", "displays"), "candidate", 13),
    "S_CN_Wuxi": ("CN", 31.49, 120.31, ("chips", "displays"), "candidate", 14),
    "S_CN_Wuhan": ("CN", 30.59, 114.31, ("chips",), "closed", 10),
    "S_TW_Hsinchu": ("TW", 24.80, 120.97, ("chips",), "open", 20),
    "S_TW_Tainan": ("TW", 22.99, 120.21, ("chips", "displays"), "candidate", 16),
    "S_KR_Pyeongtaek": ("KR", 36.99, 127.11, ("chips", "displays"), "candidate", 18),
    "S_KR_Ochang": ("KR", 36.72, 127.43, ("cells",), "open", 13),
    "S_JP_Kumamoto": ("JP", 32.80, 130.71, ("chips",), "candidate", 19),
    "S_JP_Osaka": ("JP", 34.69, 135.50, ("cells",), "candidate", 14),
    "S_VN_BacNinh": ("VN", 21.19, 106.08, ("displays",), "candidate", 9),
    "S_DE_Dresden": ("DE", 51.05, 13.74, ("chips",), "candidate", 21),
    "S_DE_Salzgitter": ("DE", 52.15, 10.33, ("cells",), "candidate", 17),
    "S_FR_Grenoble": ("FR", 45.19, 5.72, ("chips",), "candidate", 18),
    "S_PL_Wroclaw": ("PL", 51.11, 17.04, ("cells", "displays"), "candidate", 12),
    "S_US_Phoenix": ("US", 33.45, -112.07, ("chips",), "candidate", 23),
    "S_US_Austin": ("US", 30.27, -97.74, ("chips", "displays"), "open", 19),
    "S_US_Reno": ("US", 39.53, -119.81, ("cells",), "candidate", 17),
    "S_CA_Montreal": ("CA", 45.50, -73.57, ("cells",), "candidate", 14),
    "S_MX_Guadalajara": ("MX", 20.66, -103.35, ("chips", "displays"), "candidate", 11),
    "S_MX_Monterrey": ("MX", 25.69, -100.32, ("cells",), "candidate", 10),
    "S_BR_Manaus": ("BR", -3.12, -60.02, ("cells", "displays"), "candidate", 12),
}

#: hub -> (country, lat, lon, fixed cost in thousands, handling cost, status)
HUBS: dict[str, tuple[str, float, float, float, float, str]] = {
    "H_Hamburg": ("DE", 53.55, 9.99, 270, 1.6, "candidate"),
    "H_Lodz": ("PL", 51.76, 19.46, 180, 1.1, "candidate"),
    "H_Memphis": ("US", 35.15, -90.05, 285, 1.7, "candidate"),
    "H_Los_Angeles": ("US", 34.05, -118.24, 330, 1.9, "candidate"),
    "H_Monterrey": ("MX", 25.69, -100.32, 165, 1.2, "candidate"),
    "H_Sao_Paulo": ("BR", -23.55, -46.63, 150, 1.3, "candidate"),
    "H_Shenzhen": ("CN", 22.54, 114.06, 210, 0.9, "candidate"),
    "H_Busan": ("KR", 35.18, 129.08, 195, 1.0, "candidate"),
}

#: hubs that receive from every supplier (ports, and Łódź, the rail terminal from China);
#: the others receive only from suppliers in their region or within SHORT_HAUL km
GATEWAYS = ("H_Hamburg", "H_Lodz", "H_Los_Angeles", "H_Monterrey", "H_Sao_Paulo", "H_Shenzhen",
            "H_Busan")

#: market -> (country, lat, lon, size)
MARKETS: dict[str, tuple[str, float, float, float]] = {
    "Berlin": ("DE", 52.52, 13.40, 1.2), "Munich": ("DE", 48.14, 11.58, 1.0),
    "Frankfurt": ("DE", 50.11, 8.68, 0.9), "Paris": ("FR", 48.86, 2.35, 1.4),
    "Lyon": ("FR", 45.76, 4.84, 0.7), "Warsaw": ("PL", 52.23, 21.01, 0.9),
    "Krakow": ("PL", 50.06, 19.94, 0.6), "Prague": ("CZ", 50.08, 14.44, 0.7),
    "New_York": ("US", 40.71, -74.01, 1.6), "Chicago": ("US", 41.88, -87.63, 1.2),
    "Los_Angeles": ("US", 34.05, -118.24, 1.4), "Dallas": ("US", 32.78, -96.80, 1.0),
    "Atlanta": ("US", 33.75, -84.39, 0.9), "Toronto": ("CA", 43.65, -79.38, 0.9),
    "Vancouver": ("CA", 49.28, -123.12, 0.6), "Mexico_City": ("MX", 19.43, -99.13, 1.3),
    "Guadalajara": ("MX", 20.66, -103.35, 0.6), "Sao_Paulo": ("BR", -23.55, -46.63, 1.3),
    "Rio_de_Janeiro": ("BR", -22.91, -43.17, 0.8), "Shanghai": ("CN", 31.23, 121.47, 1.5),
    "Beijing": ("CN", 39.90, 116.41, 1.3), "Guangzhou": ("CN", 23.13, 113.26, 1.0),
    "Tokyo": ("JP", 35.68, 139.69, 1.5), "Osaka": ("JP", 34.69, 135.50, 0.9),
    "Seoul": ("KR", 37.57, 126.98, 1.1),
}

#: (origin countries, destination countries, product, rate) of the tariffs table
TARIFFS: tuple[tuple[tuple[str, ...], tuple[str, ...], str, float], ...] = (
    (("CN",), ("US",), "all", 0.25),  # section 301 duties
    (("CN",), ("US",), "chips", 0.50),  # ... doubled on semiconductors
    (("VN",), ("US",), "all", 0.10),
    (("CN",), ("DE", "FR", "PL", "CZ"), "cells", 0.12),  # EU anti-subsidy duty on cells
    (("US",), ("CN",), "all", 0.15),  # retaliation
    (tuple(c for c in COUNTRIES if c != "BR"), ("BR",), "all", 0.16),  # Brazil import duty
)

#: lanes up to this length (km) go by truck, longer ones by sea or rail
SHORT_HAUL = 3000.0
#: every market is served from every hub within this many km, and from its nearest hubs
#: until hubs in MIN_HUB_COUNTRIES countries serve it (so that it survives losing a country)
MARKET_RADIUS = 2500.0
MIN_HUB_COUNTRIES = 2
#: factor on long-haul lane cost and CO2 for cells (dangerous goods, heavy)
CELLS_SURCHARGE = 1.6


def write_csv_folder(frames: dict[str, pd.DataFrame], folder: Path) -> list[Path]:
    """Write one ``<table>.csv`` per frame into ``folder`` as the example generators do (whole
    float columns as integers, others to 4 decimals, ``\\n`` line ends); the paths written."""
    paths = []
    for name, df in frames.items():
        out = df.copy()
        for col in df.select_dtypes("float").columns:
            whole = bool(np.isfinite(df[col]).all() and (df[col] % 1 == 0).all())
            out[col] = df[col].astype("int64") if whole else df[col].round(4)
        path = folder / f"{name}.csv"
        out.to_csv(path, index=False, lineterminator="\n")
        paths.append(path)
    return paths


def great_circle_km(lat1: np.ndarray | float, lon1: np.ndarray | float, lat2: np.ndarray | float,
                    lon2: np.ndarray | float) -> np.ndarray:
    """Haversine distance in km on a sphere of radius 6371 km."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi, dlam = p2 - p1, np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlam / 2) ** 2
    return 2 * 6371.0 * np.arcsin(np.sqrt(a))


def _lane_cost(km: float, outbound: bool) -> tuple[float, float]:
    """(money, CO2) per unit over ``km``: trucks up to SHORT_HAUL, then ship or rail."""
    if outbound:  # last-mile trucks; intercontinental deliveries fly
        if km <= SHORT_HAUL:
            return 1.5 + 0.004 * km, 0.0009 * km
        return 6.0 + 0.0015 * km, 0.0006 * km
    if km <= SHORT_HAUL:
        return 0.8 + 0.0012 * km, 0.0009 * km
    return 2.0 + 0.00035 * km, 0.0002 * km


def electronics_frames(seed: int = 7) -> dict[str, pd.DataFrame]:
    """The tables (docs/data.md) of the electronics network; the same ``seed`` gives the same data.

    Capacities are sized from demand so that the policies of
    ``examples/electronics/policies.yaml`` are feasible: each non-Asian country group can make
    90% of its own markets' demand of every product (Europe, North America, Mexico, Brazil,
    China and the Pacific allies), and East Asia adds export capacity up to twice the total
    demand, so that no single country holds more than half of any product's capacity.
    """
    rng = np.random.default_rng(seed)
    countries = pd.DataFrame([(c, r, b) for c, (r, b) in COUNTRIES.items()],
                             columns=["country", "region", "bloc"])
    products = pd.DataFrame({"product": list(PRODUCTS), "unit": "pieces",
                             "unit_value": [v[0] for v in PRODUCTS.values()]})

    # demand: every market wants 2-3 products; Brazil buys no chips (Manaus cannot make them)
    rows = []
    for market, (country, _, _, size) in MARKETS.items():
        wanted = list(PRODUCTS)
        if country == "BR":
            wanted.remove("chips")
        elif rng.random() < 0.3:
            wanted.pop(int(rng.integers(len(wanted))))
        for p in wanted:
            rows.append((market, p, round(PRODUCTS[p][2] * size * rng.uniform(0.7, 1.3), -1)))
    demand = pd.DataFrame(rows, columns=["market", "product", "demand"])

    suppliers = pd.DataFrame(
        [(s, c, round(fixed * 1000 * rng.uniform(0.9, 1.1), -3), status, lat, lon)
         for s, (c, lat, lon, _, status, fixed) in SUPPLIERS.items()],
        columns=["supplier", "country", "fixed_cost", "status", "lat", "lon"])
    supplier_products = _supplier_products(demand, rng)

    hubs = pd.DataFrame(
        [(h, c, round(fixed * 1000 * rng.uniform(0.9, 1.1), -3), handling, status, lat, lon)
         for h, (c, lat, lon, fixed, handling, status) in HUBS.items()],
        columns=["hub", "country", "fixed_cost", "handling_cost", "status", "lat", "lon"])
    total = float(demand["demand"].sum())
    hubs.insert(3, "capacity", [round(total * rng.uniform(0.35, 0.55), -3) for _ in HUBS])

    markets = pd.DataFrame([(m, c, lat, lon) for m, (c, lat, lon, _) in MARKETS.items()],
                           columns=["market", "country", "lat", "lon"])
    lanes = _lanes(suppliers, hubs, markets)
    tariffs = pd.DataFrame([(o, d, p, rate) for origins, dests, p, rate in TARIFFS
                            for o in origins for d in dests],
                           columns=["origin_country", "destination_country", "product", "rate"])
    disruptions = pd.DataFrame([
        ("taiwan_strait", "country", "TW", 0.02),
        ("ningde_fire", "supplier", "S_CN_Ningde", 0.03),
        ("la_port_strike", "hub", "H_Los_Angeles", 0.05),
        ("korea_typhoon", "hub", "H_Busan", 0.04),
        ("korea_typhoon", "supplier", "S_KR_Ochang", 0.04),
    ], columns=["scenario", "kind", "element", "probability"])
    return {"countries": countries, "products": products, "suppliers": suppliers,
            "supplier_products": supplier_products, "hubs": hubs, "markets": markets,
            "demand": demand, "lanes": lanes, "tariffs": tariffs, "disruptions": disruptions}


def _group(country: str) -> str:
    """The country group whose own demand a supplier's home capacity is sized for."""
    if country in ("TW", "KR", "JP"):
        return "pacific"
    if country in ("DE", "FR", "PL", "CZ"):
        return "Europe"
    if country in ("US", "CA"):
        return "North America"
    return country


def _supplier_products(demand: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Capacity, purchase cost and CO2 of every (supplier, product)."""
    market_group = {m: _group(c) for m, (c, *_rest) in MARKETS.items()}
    need = demand.assign(group=demand["market"].map(market_group)).groupby(
        ["group", "product"])["demand"].sum()
    total = demand.groupby("product")["demand"].sum()
    rows = []
    for p in PRODUCTS:
        makers = [(s, c) for s, (c, _, _, made, status, _) in SUPPLIERS.items()
                  if p in made and status != "closed"]
        weight = {s: rng.uniform(0.6, 1.4) for s, _ in makers}
        home: dict[str, float] = {}
        for g in {_group(c) for _, c in makers}:
            members = [s for s, c in makers if _group(c) == g]
            share = 0.9 * float(need.get((g, p), 0.0)) + 0.04 * float(total[p])
            for s in members:
                home[s] = share * weight[s] / sum(weight[m] for m in members)
        exporters = [s for s, c in makers if COUNTRIES[c][0] == "Asia"]
        spare = max(2.0 * float(total[p]) - sum(home.values()), 0.0)
        boost = {s: weight[s] * (2.0 if (p, SUPPLIERS[s][0]) == ("chips", "TW") else 1.0)
                 for s in exporters}
        for s, c in makers:
            cap = home[s] + (spare * boost[s] / sum(boost.values()) if s in boost else 0.0)
            cost_index, grid = COST_INDEX[c]
            _, base_cost, _, co2 = PRODUCTS[p]
            rows.append((s, p, round(cap, -2), round(base_cost * cost_index * rng.uniform(0.95, 1.05), 2),
                         round(co2 * grid * rng.uniform(0.9, 1.1), 2)))
        for s, (c, _, _, made, status, _) in SUPPLIERS.items():
            if p in made and status == "closed":  # still listed: it is the data, not the policy
                rows.append((s, p, round(0.3 * float(total[p]), -2),
                             round(PRODUCTS[p][1] * COST_INDEX[c][0] * 0.9, 2),
                             round(PRODUCTS[p][3] * COST_INDEX[c][1], 2)))
    out = pd.DataFrame(rows, columns=["supplier", "product", "capacity", "unit_cost", "co2"])
    return out.sort_values(["supplier", "product"]).reset_index(drop=True)


def _lanes(suppliers: pd.DataFrame, hubs: pd.DataFrame, markets: pd.DataFrame,
           makes: dict[str, tuple[str, ...]] | None = None) -> pd.DataFrame:
    """Lanes with costs from great-circle distance (see :func:`_lane_cost`).

    Inbound: to hubs of the supplier's region, within SHORT_HAUL km, or GATEWAYS; cells pay
    CELLS_SURCHARGE on long-haul lanes (a product-specific row overriding the ``all`` row).
    Outbound: from hubs within MARKET_RADIUS km and the nearest hubs of a second country.
    ``makes``: supplier -> the products it makes (default: those of SUPPLIERS).
    """
    made = makes if makes is not None else {s: v[3] for s, v in SUPPLIERS.items()}
    region = {c: r for c, (r, _) in COUNTRIES.items()}
    rows = []
    for s in suppliers.itertuples():
        km = great_circle_km(s.lat, s.lon, hubs["lat"].to_numpy(), hubs["lon"].to_numpy())
        for h, d in zip(hubs.itertuples(), km, strict=True):
            if region[s.country] == region[h.country] or d <= SHORT_HAUL or h.hub in GATEWAYS:
                cost, co2 = _lane_cost(float(d), outbound=False)
                rows.append((s.supplier, h.hub, "all", round(cost, 2), round(co2, 3)))
                if d > SHORT_HAUL and "cells" in made[s.supplier]:
                    rows.append((s.supplier, h.hub, "cells", round(cost * CELLS_SURCHARGE, 2),
                                 round(co2 * CELLS_SURCHARGE, 3)))
    for m in markets.itertuples():
        km = great_circle_km(m.lat, m.lon, hubs["lat"].to_numpy(), hubs["lon"].to_numpy())
        near, seen = set(np.flatnonzero(km <= MARKET_RADIUS)), set()
        for i in np.argsort(km, kind="stable"):  # and the nearest hubs until two countries serve it
            if len(seen | set(hubs["country"].iloc[sorted(near)])) >= MIN_HUB_COUNTRIES:
                break
            near.add(i)
            seen.add(hubs["country"].iloc[i])
        for i in sorted(near):
            cost, co2 = _lane_cost(float(km[i]), outbound=True)
            rows.append((hubs["hub"].iloc[i], m.market, "all", round(cost, 2), round(co2, 3)))
    return pd.DataFrame(rows, columns=["origin", "destination", "product", "unit_cost", "co2"])


# ---- the roadmap variant (examples/electronics_roadmap) ----------------------------------------

#: the planning periods of the roadmap; weight = 1 / (1 + DISCOUNT) ** position
PERIODS: tuple[str, ...] = ("2026", "2027", "2028", "2029", "2030")
DISCOUNT = 0.05

#: today's network: the suppliers and hubs of the cost-optimal plan of ``electronics_frames(7)``
#: (``resilient_sc.solve(examples.electronics())``: ``plan.supplier_ids``, ``plan.hub_ids``),
#: listed here so that generating the data needs no solver. The candidates among them become
#: ``existing``; the three ``open`` suppliers stay ``open``.
TODAY_SUPPLIERS: tuple[str, ...] = (
    "S_CN_Ningde", "S_CN_Shenzhen", "S_CN_Wuxi", "S_TW_Hsinchu", "S_TW_Tainan", "S_KR_Pyeongtaek",
    "S_KR_Ochang", "S_VN_BacNinh", "S_PL_Wroclaw", "S_US_Austin", "S_MX_Guadalajara",
    "S_MX_Monterrey", "S_BR_Manaus")
TODAY_HUBS: tuple[str, ...] = ("H_Lodz", "H_Monterrey", "H_Sao_Paulo", "H_Busan")

#: near-shore plants that are not in the one-period example: supplier -> (country, lat, lon,
#: {product: capacity}, fixed cost, purchase cost index); CO2 from the country's grid (CZ: PL's)
NEW_SUPPLIERS: dict[str, tuple[str, float, float, dict[str, float], float, float]] = {
    "S_CZ_Ostrava": ("CZ", 49.82, 18.26, {"displays": 6000.0}, 12000.0, 1.14),
    "S_CA_Bromont": ("CA", 45.32, -72.65, {"chips": 4000.0, "displays": 5000.0}, 16000.0, 1.24),
    "S_MX_Tijuana": ("MX", 32.51, -117.04, {"displays": 7000.0}, 10000.0, 1.08),
}

#: transition costs as multiples of the fixed cost: suppliers' opening (qualification and
#: tooling; chip makers 2x) and closing (contract exit fee); hubs' opening (fit-out) and closing
#: (lease break and severance)
SUPPLIER_OPENING, CHIPS_OPENING, SUPPLIER_CLOSING = 1.5, 2.0, 0.75
HUB_OPENING, HUB_CLOSING = 1.0, 1.0

#: lead times in periods: a candidate supplier qualifies in a year, a chip maker or a plant that
#: is not built yet in two; a candidate hub opens in a year
LEAD_TIME, SLOW_LEAD_TIME, HUB_LEAD_TIME = 1, 2, 1

#: cells demand in North America grows by this much a year from the second period
CELLS_GROWTH = ("North America", 0.08)

#: announced US duties on Chinese goods: period -> (rate on all products, rate on chips); the
#: periods not listed keep the rates of the one-period example (25%, chips 50%)
CN_US_DUTIES: dict[str, tuple[float, float]] = {
    "2027": (0.35, 0.60), "2028": (0.35, 0.60), "2029": (0.50, 1.00), "2030": (0.50, 1.00)}


def electronics_roadmap_frames(seed: int = 7) -> dict[str, pd.DataFrame]:
    """The tables of the electronics roadmap (2026-2030): :func:`electronics_frames` plus periods.

    Today's network (TODAY_SUPPLIERS, TODAY_HUBS, chosen for ``seed=7``) is ``existing`` with a
    closing cost; every other candidate may start after its lead time, paying an opening cost;
    NEW_SUPPLIERS add near-shore plants in Czechia, Canada and Mexico. Periods are weighted by a
    5% discount rate, North American cells demand grows 8% a year (period rows from 2027) and US
    duties on Chinese goods rise in 2027 and 2029 (period rows).

    >>> frames = electronics_roadmap_frames()
    >>> frames["periods"]["weight"].tolist()
    [1.0, 0.9524, 0.907, 0.8638, 0.8227]
    >>> frames["suppliers"]["status"].value_counts().to_dict()
    {'candidate': 11, 'existing': 10, 'open': 3, 'closed': 1}
    """
    frames = electronics_frames(seed)
    frames["periods"] = pd.DataFrame({"period": list(PERIODS),
                                      "weight": [round(1 / (1 + DISCOUNT) ** t, 4)
                                                 for t in range(len(PERIODS))]})
    made = {s: v[3] for s, v in SUPPLIERS.items()} | {s: tuple(v[3]) for s, v in NEW_SUPPLIERS.items()}

    new = pd.DataFrame([(s, c, fixed, "candidate", lat, lon)
                        for s, (c, lat, lon, _, fixed, _) in NEW_SUPPLIERS.items()],
                       columns=frames["suppliers"].columns)
    suppliers = pd.concat([frames["suppliers"], new], ignore_index=True)
    today = suppliers["supplier"].isin(TODAY_SUPPLIERS)
    suppliers.loc[today & (suppliers["status"] == "candidate"), "status"] = "existing"
    candidate = suppliers["status"] == "candidate"
    chips = suppliers["supplier"].map(lambda s: "chips" in made[s])
    slow = chips | suppliers["supplier"].isin(list(NEW_SUPPLIERS))
    suppliers["opening_cost"] = (candidate * suppliers["fixed_cost"]
                                 * np.where(chips, CHIPS_OPENING, SUPPLIER_OPENING)).round(-3)
    suppliers["closing_cost"] = ((suppliers["status"] == "existing") * suppliers["fixed_cost"]
                                 * SUPPLIER_CLOSING).round(-3)
    suppliers["lead_time"] = np.where(candidate, np.where(slow, SLOW_LEAD_TIME, LEAD_TIME), 0)
    frames["suppliers"] = suppliers

    hubs = frames["hubs"]
    hubs.loc[hubs["hub"].isin(TODAY_HUBS) & (hubs["status"] == "candidate"), "status"] = "existing"
    hubs["opening_cost"] = ((hubs["status"] == "candidate") * hubs["fixed_cost"] * HUB_OPENING).round(-3)
    hubs["closing_cost"] = ((hubs["status"] == "existing") * hubs["fixed_cost"] * HUB_CLOSING).round(-3)
    hubs["lead_time"] = np.where(hubs["status"] == "candidate", HUB_LEAD_TIME, 0)

    grid = {c: COST_INDEX.get(c, COST_INDEX["PL"])[1] for c in COUNTRIES}
    rows = [(s, p, cap, round(PRODUCTS[p][1] * index, 2), round(PRODUCTS[p][3] * grid[c], 2))
            for s, (c, _, _, caps, _, index) in NEW_SUPPLIERS.items() for p, cap in caps.items()]
    made_by = frames["supplier_products"]
    made_by = pd.concat([made_by, pd.DataFrame(rows, columns=made_by.columns)], ignore_index=True)
    frames["supplier_products"] = made_by.sort_values(["supplier", "product"]).reset_index(drop=True)

    lanes = frames["lanes"]
    inbound = lanes["origin"].isin(suppliers["supplier"])
    frames["lanes"] = pd.concat([lanes.loc[inbound], _lanes(new, hubs, frames["markets"].iloc[:0], made),
                                 lanes.loc[~inbound]], ignore_index=True)

    demand = frames["demand"].assign(period="")
    region, growth = CELLS_GROWTH
    grows = (demand["product"] == "cells") & demand["market"].map(
        lambda m: COUNTRIES[MARKETS[m][0]][0] == region)
    later = [demand.loc[grows].assign(demand=(demand.loc[grows, "demand"] * (1 + growth) ** t).round(-1),
                                      period=period)
             for t, period in enumerate(PERIODS) if t]
    frames["demand"] = pd.concat([demand, *later], ignore_index=True)

    tariffs = frames["tariffs"].assign(period="")
    rises = [("CN", "US", product, rate, period) for period, rates in CN_US_DUTIES.items()
             for product, rate in zip(("all", "chips"), rates, strict=True)]
    frames["tariffs"] = pd.concat([tariffs, pd.DataFrame(rises, columns=tariffs.columns)], ignore_index=True)
    return {name: frames[name] for name in ("periods", *(n for n in frames if n != "periods"))}
