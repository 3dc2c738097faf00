"""Golden tests: one tiny network per cost component, its optimum worked out by hand.

Each docstring enumerates the alternatives and shows the arithmetic (docs/formulation.md §4):
supplier fixed + hub fixed + units · (purchase + inbound lane + handling) + units ·
(outbound lane + tariff) (+ co2_price · CO2).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import resilient_sc as rsc


def table(columns: str, *rows: tuple) -> pd.DataFrame:
    """A DataFrame from space-separated column names and row tuples."""
    return pd.DataFrame(list(rows), columns=columns.split())


def network(suppliers: pd.DataFrame, supplier_products: pd.DataFrame, hubs: pd.DataFrame,
            lanes: pd.DataFrame, demand: pd.DataFrame, **more: pd.DataFrame) -> rsc.Network:
    """A network with one country ``A`` (region ``R``) and one market ``M`` unless given."""
    more.setdefault("countries", table("country region", ("A", "R")))
    more.setdefault("markets", table("market country", ("M", "A")))
    return rsc.Network.from_frames(source="test", suppliers=suppliers,
                                   supplier_products=supplier_products, hubs=hubs, lanes=lanes,
                                   demand=demand, **more)


def costs(plan: rsc.Plan) -> dict[str, float]:
    """The non-zero entries of the cost breakdown."""
    return {k: float(v) for k, v in plan.breakdown.items() if v != 0}


def flows(df: pd.DataFrame, *cols: str) -> dict[tuple, float]:
    """Total ``quantity`` of a flow table (``plan.inbound``, ``plan.outbound``) by ``cols``."""
    return {(k if isinstance(k, tuple) else (k,)): float(v)
            for k, v in df.groupby(list(cols))["quantity"].sum().items()}


@pytest.mark.parametrize(("units", "expected", "chosen"), [(100, 1400.0, "S2"), (200, 2000.0, "S1")])
def test_supplier_fixed_cost_against_purchase_cost(units: float, expected: float, chosen: str) -> None:
    """(a) S1: fixed 1000, 5/unit; S2: fixed 200, 12/unit; both can make 300; lanes and hub free.

    One supplier suffices (a second only adds its fixed cost), so the cost of d units is
    S1: 1000 + 5d, S2: 200 + 12d (break-even at d = 800/7 ≈ 114.3).
    d = 100: S1 = 1000 + 500 = 1500, S2 = 200 + 1200 = 1400  -> S2, 1400.
    d = 200: S1 = 1000 + 1000 = 2000, S2 = 200 + 2400 = 2600 -> S1, 2000.
    """
    net = network(
        table("supplier country fixed_cost", ("S1", "A", 1000.0), ("S2", "A", 200.0)),
        table("supplier capacity unit_cost", ("S1", 300.0, 5.0), ("S2", 300.0, 12.0)),
        table("hub country", ("H", "A")),
        table("origin destination unit_cost", ("S1", "H", 0.0), ("S2", "H", 0.0), ("H", "M", 0.0)),
        table("market demand", ("M", units)),
    )
    plan = rsc.solve(net)
    assert plan.objective == pytest.approx(expected, rel=1e-9)
    fixed = {"S1": 1000.0, "S2": 200.0}[chosen]
    assert costs(plan) == pytest.approx({"supplier_fixed": fixed, "purchase": expected - fixed})
    assert plan.supplier_ids == [chosen]


@pytest.mark.parametrize(("units", "expected", "chosen"), [(50, 350.0, "H2"), (100, 500.0, "H1")])
def test_hub_fixed_cost_and_handling_per_inbound_unit(units: float, expected: float, chosen: str) -> None:
    """(b) H1: fixed 300, handling 2/unit; H2: fixed 100, handling 5/unit; all else free.

    One hub suffices, so d units cost H1: 300 + 2d, H2: 100 + 5d.
    d = 50:  H1 = 300 + 100 = 400, H2 = 100 + 250 = 350 -> H2, 350 (hub_fixed 100, handling 250).
    d = 100: H1 = 300 + 200 = 500, H2 = 100 + 500 = 600 -> H1, 500 (hub_fixed 300, handling 200).
    """
    net = network(
        table("supplier country", ("S", "A")),
        table("supplier capacity", ("S", 1000.0)),
        table("hub country fixed_cost handling_cost", ("H1", "A", 300.0, 2.0), ("H2", "A", 100.0, 5.0)),
        table("origin destination unit_cost", ("S", "H1", 0.0), ("S", "H2", 0.0), ("H1", "M", 0.0),
              ("H2", "M", 0.0)),
        table("market demand", ("M", units)),
    )
    plan = rsc.solve(net)
    assert plan.objective == pytest.approx(expected, rel=1e-9)
    fixed = {"H1": 300.0, "H2": 100.0}[chosen]
    assert costs(plan) == pytest.approx({"hub_fixed": fixed, "handling": expected - fixed})
    assert plan.hub_ids == [chosen]
    assert plan.hubs["throughput"].tolist() == pytest.approx([units])


def test_inbound_and_outbound_transport() -> None:
    """(c) Purchase S1 10, S2 13; lanes S1→H1 2, S1→H2 6, S2→H1 5, S2→H2 1, H1→M 4, H2→M 3.

    Per unit along each path (purchase + inbound + outbound):
    S1-H1-M = 10 + 2 + 4 = 16;  S1-H2-M = 10 + 6 + 3 = 19;
    S2-H1-M = 13 + 5 + 4 = 22;  S2-H2-M = 13 + 1 + 3 = 17.
    10 units via S1-H1-M: 160 = purchase 100 + transport 10 · (2 + 4) = 60.
    """
    net = network(
        table("supplier country", ("S1", "A"), ("S2", "A")),
        table("supplier capacity unit_cost", ("S1", 100.0, 10.0), ("S2", 100.0, 13.0)),
        table("hub country", ("H1", "A"), ("H2", "A")),
        table("origin destination unit_cost", ("S1", "H1", 2.0), ("S1", "H2", 6.0), ("S2", "H1", 5.0),
              ("S2", "H2", 1.0), ("H1", "M", 4.0), ("H2", "M", 3.0)),
        table("market demand", ("M", 10.0)),
    )
    plan = rsc.solve(net)
    assert plan.objective == pytest.approx(160.0, rel=1e-9)
    assert costs(plan) == pytest.approx({"purchase": 100.0, "transport": 60.0})
    assert flows(plan.inbound, "supplier", "hub") == pytest.approx({("S1", "H1"): 10.0})
    assert flows(plan.outbound, "hub", "market") == pytest.approx({("H1", "M"): 10.0})


def test_tariff_by_origin_through_a_hub_in_a_third_country() -> None:
    """(d) Chinese and German goods reach a US market through a Mexican hub.

    Products: widget (unit_value 100), gadget (unit_value 50); 10 of each demanded in US.
    S_CN makes both at 10/unit, S_DE both at 17/unit; lanes and hub are free.
    Tariffs: CN→US all 0.05, CN→US widget 0.10 (overrides the all row), MX→US all 0.50
    (the hub's country: does not apply, rules of origin). DE, MX and US share bloc "west".
    widget: CN 10 + 0.10 · 100 = 20, DE 17 + 0 = 17           -> DE, 10 · 17 = 170.
    gadget: CN 10 + 0.05 · 50 = 12.5, DE 17                   -> CN, 10 · 12.5 = 125.
    Total 295 = purchase 170 + 100 = 270 + tariffs 10 · 2.5 = 25.
    (Wrong readings: the all row for widget gives CN 15 < 17, total 275; the hub's
    country MX→US gives gadget CN 35 > 17, total 340.) Shares: widget all allied (DE),
    gadget none; nothing is local (no supplier in North America).
    """
    net = network(
        table("supplier country", ("S_CN", "CN"), ("S_DE", "DE")),
        table("supplier product capacity unit_cost", ("S_CN", "widget", 100.0, 10.0),
              ("S_CN", "gadget", 100.0, 10.0), ("S_DE", "widget", 100.0, 17.0),
              ("S_DE", "gadget", 100.0, 17.0)),
        table("hub country", ("H_MX", "MX")),
        table("origin destination unit_cost", ("S_CN", "H_MX", 0.0), ("S_DE", "H_MX", 0.0),
              ("H_MX", "M_US", 0.0)),
        table("market product demand", ("M_US", "widget", 10.0), ("M_US", "gadget", 10.0)),
        countries=table("country region bloc", ("CN", "Asia", ""), ("DE", "Europe", "west"),
                        ("MX", "Latin America", "west"), ("US", "North America", "west")),
        markets=table("market country", ("M_US", "US")),
        products=table("product unit_value", ("widget", 100.0), ("gadget", 50.0)),
        tariffs=table("origin_country destination_country product rate", ("CN", "US", "all", 0.05),
                      ("CN", "US", "widget", 0.10), ("MX", "US", "all", 0.50)),
    )
    plan = rsc.solve(net)
    assert plan.objective == pytest.approx(295.0, rel=1e-9)
    assert costs(plan) == pytest.approx({"purchase": 270.0, "tariffs": 25.0})
    assert flows(plan.outbound, "product", "origin") == pytest.approx(
        {("widget", "DE"): 10.0, ("gadget", "CN"): 10.0})
    shares = plan.shares.set_index("product")
    assert shares["allied_share"].to_dict() == pytest.approx({"widget": 1.0, "gadget": 0.0})
    assert shares["local_share"].to_dict() == pytest.approx({"widget": 0.0, "gadget": 0.0})
    assert shares["top_foreign_country"].to_dict() == {"widget": "DE", "gadget": "CN"}


def test_co2_price_counts_supplier_and_lane_co2_but_not_hubs() -> None:
    """(e) S1: 10/unit, co2 3; S2: 11/unit, co2 1. Lanes S1→H 1 (co2 0.5), S2→H 1 (co2 1.5),
    H→M 1 (co2 0.25). The hub has handling 0 and no CO2 column; 10 units demanded.

    Without a price: S1 = 10 + 1 + 1 = 12 < S2 = 13 -> 120, emissions 10 · 3.75 = 37.5.
    co2_price 2: S1 = 12 + 2 · (3 + 0.5 + 0.25) = 12 + 7.5 = 19.5;
                 S2 = 13 + 2 · (1 + 1.5 + 0.25) = 13 + 5.5 = 18.5 -> S2,
    185 = purchase 110 + transport 20 + co2 2 · 27.5 = 55; emissions 27.5.
    """
    net = network(
        table("supplier country", ("S1", "A"), ("S2", "A")),
        table("supplier capacity unit_cost co2", ("S1", 100.0, 10.0, 3.0), ("S2", 100.0, 11.0, 1.0)),
        table("hub country", ("H", "A")),
        table("origin destination unit_cost co2", ("S1", "H", 1.0, 0.5), ("S2", "H", 1.0, 1.5),
              ("H", "M", 1.0, 0.25)),
        table("market demand", ("M", 10.0)),
    )
    base = rsc.solve(net)
    assert base.objective == pytest.approx(120.0, rel=1e-9)
    assert base.emissions == pytest.approx(37.5, rel=1e-9)
    assert flows(base.inbound, "supplier") == pytest.approx({("S1",): 10.0})
    plan = rsc.solve(net, rsc.Policy(co2_price=2.0))
    assert plan.objective == pytest.approx(185.0, rel=1e-9)
    assert costs(plan) == pytest.approx({"purchase": 110.0, "transport": 20.0, "co2": 55.0})
    assert plan.emissions == pytest.approx(27.5, rel=1e-9)
    assert flows(plan.inbound, "supplier") == pytest.approx({("S2",): 10.0})


def test_hub_capacity_forces_a_second_hub() -> None:
    """(f) 80 units; H1: fixed 100, capacity 60, path cost 1 + 1 = 2; H2: fixed 150, capacity 50,
    path 1 + 2 = 3; H3: fixed 400, unlimited, path 1 + 1 = 2.

    No capacity-50/60 hub alone carries 80.  H3 alone: 400 + 80 · 2 = 560.
    H1 + H2: 250 + 60 · 2 + 20 · 3 = 250 + 120 + 60 = 430 (H1 full: it is the cheaper path).
    H1 + H3: 500 + 160 = 660; H2 + H3 and all three cost more.  -> H1 + H2, 430.
    """
    net = network(
        table("supplier country", ("S", "A")),
        table("supplier capacity", ("S", 1000.0)),
        table("hub country fixed_cost capacity", ("H1", "A", 100.0, 60.0), ("H2", "A", 150.0, 50.0),
              ("H3", "A", 400.0, math.inf)),
        table("origin destination unit_cost", ("S", "H1", 1.0), ("S", "H2", 1.0), ("S", "H3", 1.0),
              ("H1", "M", 1.0), ("H2", "M", 2.0), ("H3", "M", 1.0)),
        table("market demand", ("M", 80.0)),
    )
    plan = rsc.solve(net)
    assert plan.objective == pytest.approx(430.0, rel=1e-9)
    assert costs(plan) == pytest.approx({"hub_fixed": 250.0, "transport": 180.0})
    assert plan.hub_ids == ["H1", "H2"]
    assert flows(plan.outbound, "hub") == pytest.approx({("H1",): 60.0, ("H2",): 20.0})


def test_supplier_capacity_forces_a_split() -> None:
    """(g) 80 units; S1: fixed 50, capacity 60, 5/unit; S2: fixed 50, capacity 100, 8/unit.

    S1 alone cannot (60 < 80).  S2 alone: 50 + 80 · 8 = 690.
    S1 + S2: 100 + 60 · 5 + 20 · 8 = 100 + 300 + 160 = 560 -> both, S1 at capacity.
    """
    net = network(
        table("supplier country fixed_cost", ("S1", "A", 50.0), ("S2", "A", 50.0)),
        table("supplier capacity unit_cost", ("S1", 60.0, 5.0), ("S2", 100.0, 8.0)),
        table("hub country", ("H", "A")),
        table("origin destination unit_cost", ("S1", "H", 0.0), ("S2", "H", 0.0), ("H", "M", 0.0)),
        table("market demand", ("M", 80.0)),
    )
    plan = rsc.solve(net)
    assert plan.objective == pytest.approx(560.0, rel=1e-9)
    assert costs(plan) == pytest.approx({"supplier_fixed": 100.0, "purchase": 460.0})
    assert plan.supplier_ids == ["S1", "S2"]
    assert flows(plan.inbound, "supplier") == pytest.approx({("S1",): 60.0, ("S2",): 20.0})
    shares = plan.supplier_shares.set_index("supplier")["share"].to_dict()
    assert shares == pytest.approx({"S1": 0.75, "S2": 0.25})


def test_product_specific_lane_overrides_the_all_lane() -> None:
    """(h) Products a, b, c, 10 units each; purchase, hubs free. Lanes:
    S→H1 all 4, S→H1 b 1, S→H1 c 9, H1→M all 2; S→H2 all 5, H2→M all 2, H2→M c 1.5.

    a: H1 4 + 2 = 6,  H2 5 + 2 = 7            -> H1, 60.
    b: H1 1 + 2 = 3,  H2 5 + 2 = 7            -> H1, 30.
    c: H1 9 + 2 = 11, H2 5 + 1.5 = 6.5        -> H2, 65.     Total 155.
    (Wrong readings: ignoring the product rows 60 + 60 + 60 = 180; the cheaper of the two
    rows 60 + 30 + 60 = 150; both rows added 60 + 70 + 85 = 215.)
    """
    net = network(
        table("supplier country", ("S", "A")),
        table("supplier product capacity", ("S", "a", 100.0), ("S", "b", 100.0), ("S", "c", 100.0)),
        table("hub country", ("H1", "A"), ("H2", "A")),
        table("origin destination product unit_cost", ("S", "H1", "all", 4.0), ("S", "H1", "b", 1.0),
              ("S", "H1", "c", 9.0), ("H1", "M", "all", 2.0), ("S", "H2", "all", 5.0),
              ("H2", "M", "all", 2.0), ("H2", "M", "c", 1.5)),
        table("market product demand", ("M", "a", 10.0), ("M", "b", 10.0), ("M", "c", 10.0)),
    )
    plan = rsc.solve(net)
    assert plan.objective == pytest.approx(155.0, rel=1e-9)
    assert costs(plan) == pytest.approx({"transport": 155.0})
    assert flows(plan.outbound, "hub", "product") == pytest.approx(
        {("H1", "a"): 10.0, ("H1", "b"): 10.0, ("H2", "c"): 10.0})


def test_open_supplier_is_paid_even_unused_and_closed_supplier_is_never_used() -> None:
    """(i) 10 units; S_open (status open): fixed 500, 20/unit; S_closed (status closed): fixed 0,
    1/unit; S_cand: fixed 50, 10/unit; lanes and hub free.

    S_closed is out (it alone would give 500 + 10 = 510). S_open is contracted in any case:
    S_open only: 500 + 10 · 20 = 700;  S_open + S_cand: 500 + 50 + 10 · 10 = 650
    -> 650, S_open contracted but carrying nothing (supplier_fixed 550, purchase 100).
    """
    net = network(
        table("supplier country fixed_cost status", ("S_open", "A", 500.0, "open"),
              ("S_closed", "A", 0.0, "closed"), ("S_cand", "A", 50.0, "candidate")),
        table("supplier capacity unit_cost", ("S_open", 100.0, 20.0), ("S_closed", 100.0, 1.0),
              ("S_cand", 100.0, 10.0)),
        table("hub country", ("H", "A")),
        table("origin destination unit_cost", ("S_open", "H", 0.0), ("S_closed", "H", 0.0),
              ("S_cand", "H", 0.0), ("H", "M", 0.0)),
        table("market demand", ("M", 10.0)),
    )
    plan = rsc.solve(net)
    assert plan.objective == pytest.approx(650.0, rel=1e-9)
    assert costs(plan) == pytest.approx({"supplier_fixed": 550.0, "purchase": 100.0})
    assert sorted(plan.supplier_ids) == ["S_cand", "S_open"]
    volume = plan.tables()["suppliers_contracted"].set_index("supplier")["volume (units of default)"]
    assert volume.to_dict() == pytest.approx({"S_open": 0.0, "S_cand": 10.0})
    assert "S_closed" not in set(plan.inbound["supplier"])


def test_open_hub_is_paid_even_unused_and_closed_hub_is_never_used() -> None:
    """(i, hubs) 10 units; H_open (status open): fixed 70, handling 100; H_closed (closed): free;
    H: fixed 30, handling 1; supplier and lanes free.

    H_closed is out (it would cost 0). H_open is opened in any case:
    H_open only: 70 + 10 · 100 = 1070;  H_open + H: 70 + 30 + 10 · 1 = 110 -> 110.
    """
    net = network(
        table("supplier country", ("S", "A")),
        table("supplier capacity", ("S", 100.0)),
        table("hub country fixed_cost handling_cost status", ("H_open", "A", 70.0, 100.0, "open"),
              ("H_closed", "A", 0.0, 0.0, "closed"), ("H", "A", 30.0, 1.0, "candidate")),
        table("origin destination unit_cost", ("S", "H_open", 0.0), ("S", "H_closed", 0.0),
              ("S", "H", 0.0), ("H_open", "M", 0.0), ("H_closed", "M", 0.0), ("H", "M", 0.0)),
        table("market demand", ("M", 10.0)),
    )
    plan = rsc.solve(net)
    assert plan.objective == pytest.approx(110.0, rel=1e-9)
    assert costs(plan) == pytest.approx({"hub_fixed": 100.0, "handling": 10.0})
    assert sorted(plan.hub_ids) == ["H", "H_open"]
    assert set(plan.outbound["hub"]) == {"H"}


def test_two_products_share_hub_throughput() -> None:
    """(j) Products a (30 units) and b (40 units); H1: capacity 50 for both together, path
    1 + 1 = 2; H2: unlimited, path 3 + 3 = 6; supplier and hubs otherwise free.

    70 units > 50: H1 carries 50 (either product), H2 the other 20:
    50 · 2 + 20 · 6 = 100 + 120 = 220.  (Capacity per product would allow 70 · 2 = 140.)
    """
    net = network(
        table("supplier country", ("S", "A")),
        table("supplier product capacity", ("S", "a", 100.0), ("S", "b", 100.0)),
        table("hub country capacity", ("H1", "A", 50.0), ("H2", "A", math.inf)),
        table("origin destination unit_cost", ("S", "H1", 1.0), ("S", "H2", 3.0), ("H1", "M", 1.0),
              ("H2", "M", 3.0)),
        table("market product demand", ("M", "a", 30.0), ("M", "b", 40.0)),
    )
    plan = rsc.solve(net)
    assert plan.objective == pytest.approx(220.0, rel=1e-9)
    assert costs(plan) == pytest.approx({"transport": 220.0})
    assert flows(plan.inbound, "hub") == pytest.approx({("H1",): 50.0, ("H2",): 20.0})
    hubs = plan.hubs.set_index("hub")
    assert hubs.loc["H1", "throughput"] == pytest.approx(50.0)
    assert hubs.loc["H1", "utilisation"] == pytest.approx(1.0)
    shares = plan.shares.set_index("product")["delivered"].to_dict()
    assert shares == pytest.approx({"a": 30.0, "b": 40.0})


def _priced_network() -> rsc.Network:
    """M needs 30 kWh of a and 4 t of b; S makes both at 10 a unit through H (lanes 1 + 1): a
    unit delivered costs 12 whatever the product."""
    return network(
        table("supplier country", ("S", "A")),
        table("supplier product capacity unit_cost", ("S", "a", 100.0, 10.0), ("S", "b", 100.0, 10.0)),
        table("hub country", ("H", "A")),
        table("origin destination unit_cost", ("S", "H", 1.0), ("H", "M", 1.0)),
        table("market product demand", ("M", "a", 30.0), ("M", "b", 4.0)),
    )


def test_a_shortfall_penalty_per_product() -> None:
    """(k) π = {a: 5, b: 500} (products in different units: a price per unit of each): a unit of a
    costs 12 delivered against 5 short, so all 30 go short; b is delivered (12 < 500):
    30 · 5 + 4 · 12 = 150 + 48 = 198. One number, π = 5, leaves both short: 34 · 5 = 170."""
    net = _priced_network()
    plan = rsc.solve(net, rsc.Policy(shortfall_penalty={"a": 5.0, "b": 500.0}))
    assert plan.objective == pytest.approx(198.0, rel=1e-9)
    assert costs(plan) == pytest.approx({"purchase": 40.0, "transport": 8.0, "shortfall": 150.0})
    assert plan.delivery().set_index("product")["shortfall"].to_dict() == pytest.approx({"a": 30.0, "b": 0.0})
    assert rsc.solve(net, rsc.Policy(shortfall_penalty=5.0)).objective == pytest.approx(170.0, rel=1e-9)


def test_a_shortfall_penalty_mapping_prices_every_product() -> None:
    """A product without a price could not be told from one that may never go short: refused."""
    with pytest.raises(rsc.ValidationError, match="shortfall_penalty names no money per unit short of "
                                                  "product 'b': a mapping prices every product"):
        rsc.solve(_priced_network(), rsc.Policy(shortfall_penalty={"a": 5.0}))
    with pytest.raises(rsc.ValidationError, match=r"shortfall_penalty \{\} prices no product"):
        rsc.Policy(shortfall_penalty={})  # it read as no penalty at all: every unit to be delivered



def test_a_tie_for_the_top_foreign_country_goes_to_the_first_in_name_order() -> None:
    """CN and DE each deliver half of M_US's demand; an LP's round-off (1e-10 more from DE) picked
    DE against the documented name order (analyses audit: Vancouver's displays in the example,
    US and VN at 695 each, named VN)."""
    from resilient_sc.results import market_shares

    net = network(
        table("supplier country", ("S_CN", "CN"), ("S_DE", "DE")),
        table("supplier product capacity", ("S_CN", "default", 10.0), ("S_DE", "default", 10.0)),
        table("hub country", ("H_US", "US")),
        table("origin destination unit_cost", ("S_CN", "H_US", 1.0), ("S_DE", "H_US", 1.0),
              ("H_US", "M_US", 1.0)),
        table("market product demand", ("M_US", "default", 10.0)),
        markets=table("market country", ("M_US", "US")),
        countries=table("country region", ("CN", "Asia"), ("DE", "Europe"), ("US", "North America")))
    s = rsc.build_model(net).sets
    origin = s.flows_table.frame()["origin"]
    at = np.array([origin.tolist().index("CN"), origin.tolist().index("DE")])
    for extra in (0.0, 1e-10):
        shares, _ = market_shares(s, at, np.array([5.0, 5.0 + extra]))
        assert shares.loc[0, "top_foreign_country"] == "CN"
        assert shares.loc[0, "top_foreign_share"] == pytest.approx(0.5)
