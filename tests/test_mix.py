"""Origin mixes (:mod:`resilient_sc.solvers.mix`): lanes whose origins differ in cost alike carry
their total and their group's mix; exact in both directions, and a lane that any row of its own
tells apart stays whole."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from resilient_sc import Network, Policy, SolveOptions, build_model, examples, solve, solve_model
from resilient_sc.solvers import mix
from resilient_sc.solvers.certify import is_feasible
from resilient_sc.solvers.highs import make_highs, run_highs
from resilient_sc.verify import verify_plan

from .random_networks import random_network

PLAIN = SolveOptions(accelerate=False)


def three_markets() -> Network:
    """Suppliers S_A, S_B, S_C in countries A, B, C (60, 60 and 100 units at 5, 6 and 7); one hub
    H in A (fixed 10); markets M1, M2, M3 in A wanting 30 each, reached at 1, 2 and 3 per unit;
    inbound lanes 1 per unit. Duties into A on a unit value of 10: 5% from B (0.5 per unit), 20%
    from C (2 per unit), so no two origins merge and each lane carries three.

    Per unit delivered at H: A 5 + 1 = 6, B 6 + 1 + 0.5 = 7.5, C 7 + 1 + 2 = 10: 60 from A and 30
    from B, 60·6 + 30·7.5 = 585; outbound 30·(1 + 2 + 3) = 180; the hub 10: **775**.
    """
    countries = ["A", "B", "C"]
    markets = ["M1", "M2", "M3"]
    return Network.from_frames(
        source="three markets",
        countries=pd.DataFrame({"country": countries, "region": ["R"] * 3, "bloc": [""] * 3}),
        products=pd.DataFrame({"product": ["p"], "unit_value": [10.0]}),
        suppliers=pd.DataFrame({"supplier": [f"S_{c}" for c in countries], "country": countries,
                                "fixed_cost": [0.0] * 3}),
        supplier_products=pd.DataFrame({"supplier": [f"S_{c}" for c in countries], "product": ["p"] * 3,
                                        "capacity": [60.0, 60.0, 100.0], "unit_cost": [5.0, 6.0, 7.0]}),
        hubs=pd.DataFrame({"hub": ["H"], "country": ["A"], "fixed_cost": [10.0], "handling_cost": [0.0]}),
        markets=pd.DataFrame({"market": markets, "country": ["A"] * 3}),
        demand=pd.DataFrame({"market": markets, "product": ["p"] * 3, "demand": [30.0] * 3}),
        lanes=pd.DataFrame({"origin": ["S_A", "S_B", "S_C", "H", "H", "H"],
                            "destination": ["H", "H", "H", *markets],
                            "unit_cost": [1.0, 1.0, 1.0, 1.0, 2.0, 3.0]}),
        tariffs=pd.DataFrame({"origin_country": ["B", "C"], "destination_country": ["A", "A"],
                              "product": ["p", "p"], "rate": [0.05, 0.2]}),
    )


def _mix(lm) -> mix.Mix | None:
    reduced = mix.reduce(lm)
    return next((s for s in reduced.steps if isinstance(s, mix.Mix)), None) if reduced else None


def test_hand_solved_mix_and_split():
    net = three_markets()
    model = build_model(net)
    assert model.variables["outbound_flow"].size == 9
    found = _mix(model.lm)
    assert found is not None
    # 9 flows: 3 lane totals and 3 mix columns (one group), one link row
    assert found.lm.variables["outbound_flow"].size == 3
    assert found.lm.variables[mix.MIX].size == 3
    assert found.lm.constraints[mix.LINK].size == 1
    plan = solve(net)
    assert plan.report.route == "merged-origins"
    assert plan.objective == pytest.approx(775.0, rel=1e-9)
    assert plan.objective == pytest.approx(solve(net, options=PLAIN).objective, rel=1e-9)
    by_origin = plan.outbound.groupby("origin")["quantity"].sum()
    assert by_origin[by_origin > 1e-9].to_dict() == pytest.approx({"A": 60.0, "B": 30.0})
    # dealt out lane after lane (north-west corner): each market served from one origin, as a
    # vertex of the full model would, not every market 2/3 from A and 1/3 from B
    used = plan.outbound[plan.outbound["quantity"] > 1e-9]
    assert used.set_index("market")["origin"].to_dict() == {"M1": "A", "M2": "A", "M3": "B"}
    assert verify_plan(plan, Policy()) == []


def test_a_row_of_your_own_keeps_its_lane_whole():
    """At most 10 units of B's origin into M1: that lane's origins are told apart, M2 and M3
    (two lanes of three origins: 6 flows, 2 totals and 3 mix columns) still mix. M1 takes 10
    from B and 20 from A; 40 from A and 20 from B go to M2 and M3: the same 775."""
    model = build_model(three_markets())
    y = model.variables["outbound_flow"]
    pick = np.flatnonzero((y.index["market"].to_numpy() == "M1") & (y.index["origin"].to_numpy() == "B"))
    model.lm.add_constraints("cap_B_M1", pd.DataFrame({"market": ["M1"]}),
                             [(np.zeros(len(pick), np.int64), y, pick, 1.0)], upper=10.0)
    found = _mix(model.lm)
    assert found is not None
    assert found.lm.variables["outbound_flow"].size == 3 + 2  # M1's three flows and two totals
    plan = solve_model(model)
    assert plan.objective == pytest.approx(775.0, rel=1e-9)
    m1 = plan.outbound[plan.outbound["market"] == "M1"].groupby("origin")["quantity"].sum()
    assert m1.get("B", 0.0) <= 10.0 + 1e-9


def test_a_share_row_mixes_each_part_of_a_lane_on_its_own():
    """B moved to region R2 and a local share of 0.8 in every market: each lane's origins are
    told apart by its market's local-share row into the local A and C and the foreign B. The
    local parts of the three lanes mix (3 totals and 2 mix columns), B's flows stay (3).

    Each market takes at least 24 of its 30 from A or C: A's 60 (6 a unit delivered at H), then 12
    from C (10), 18 from B (7.5): 360 + 120 + 135 = 615, outbound 180, the hub 10: **805**."""
    net = three_markets()
    countries = net.countries.assign(region=["R1", "R2", "R1"])
    shored = Network.from_frames(source="two regions", **{**net.frames(), "countries": countries})
    policy = Policy(min_local_share=0.8)
    model = build_model(shored, policy)
    found = _mix(model.lm)
    assert found is not None
    labels = found.lm.variables["outbound_flow"].index
    assert len(labels) == 6 and (labels["origin"] == "B").sum() == 3
    assert found.lm.variables[mix.MIX].size == 2
    plan = solve(shored, policy)
    assert plan.objective == pytest.approx(805.0, rel=1e-9)
    assert plan.objective == pytest.approx(solve(shored, policy, PLAIN).objective, rel=1e-9)
    local = plan.outbound[plan.outbound["origin"] != "B"].groupby("market")["quantity"].sum()
    assert (local >= 24.0 - 1e-9).all() and len(local) == 3
    assert verify_plan(plan, policy) == []


def test_lanes_whose_costs_differ_otherwise_do_not_mix():
    """A 5% duty from B into M2's country only: M2's lane differs from M1's and M3's, which
    (two lanes of three origins) still save a column and mix; M2 stays whole."""
    net = three_markets()
    countries = pd.concat([net.countries, pd.DataFrame({"country": ["D"], "region": ["R"], "bloc": [""]})])
    markets = net.markets.assign(country=["A", "D", "A"])
    tariffs = pd.concat([net.tariffs, pd.DataFrame({"origin_country": ["C"], "destination_country": ["D"],
                                                    "product": ["p"], "rate": [0.2]})])
    other = Network.from_frames(source="four countries", **{**net.frames(), "countries": countries,
                                                             "markets": markets, "tariffs": tariffs})
    model = build_model(other)
    found = _mix(model.lm)
    assert found is not None
    labels = found.lm.variables["outbound_flow"].index
    assert sorted(labels.loc[labels["market"] == "M2", "origin"]) == ["A", "B", "C"]
    assert found.lm.variables[mix.MIX].size == 3
    assert solve(other).objective == pytest.approx(solve(other, options=PLAIN).objective, rel=1e-9)


@pytest.mark.parametrize("policy", [Policy(), Policy(single_sourcing=True),
                                    Policy(survive=("country",), service_level=0.5)])
def test_mixed_lp_optimum_splits_back_onto_every_row(policy):
    """The LP optimum of the reduced electronics model, split back, satisfies every row of the
    full model and costs the same."""
    model = build_model(examples.electronics(), policy)
    reduced = mix.reduce(model.lm)
    assert reduced is not None and _mix(model.lm) is not None
    lp = _lp(reduced.lm)
    full = reduced.expand(lp.x, model.lm.n_cols)
    relaxed = replace(model.lm, variables={k: replace(b, integer=False) for k, b in model.variables.items()})
    assert is_feasible(relaxed, full)
    assert model.lm.objective() @ full == pytest.approx(lp.objective, rel=1e-9)
    parts, again = model.lm.component_values(full), reduced.lm.component_values(lp.x)
    assert again == pytest.approx(parts, rel=1e-9, abs=1e-6)  # each cost component too
    assert _lp(model.lm).objective == pytest.approx(lp.objective, rel=1e-9)  # the same LP


def _lp(lm):
    """The LP relaxation of ``lm``, solved."""
    h = make_highs(lm, SolveOptions())
    n = lm.n_cols
    h.changeColsIntegrality(n, np.arange(n, dtype=np.int32), np.zeros(n, dtype=np.uint8))
    return run_highs(h, False)


#: random networks (tests/random_networks.py) with lanes that mix under single sourcing
MIXING = [0, 6, 7, 16, 32, 40]


@pytest.mark.parametrize("seed", MIXING)
def test_random_networks_reach_plain_highs_optimum(seed):
    """Random networks with lanes that mix: the optimum of plain HiGHS on the model as built, with
    single sourcing (where the lane totals are then substituted out), without, and with a
    survive policy, and the plans verify."""
    net = random_network(seed)
    assert _mix(build_model(net, Policy(single_sourcing=True)).lm) is not None
    _as_plain_highs(net, Policy(single_sourcing=True), Policy(),
                    Policy(survive=("supplier",), service_level=0.5))


def _as_plain_highs(net: Network, *policies: Policy) -> None:
    """Under each policy, the optimum of plain HiGHS on the model as built (or the same error),
    and the plan verifies."""
    for policy in policies:
        try:
            plain = solve(net, policy, PLAIN)
        except Exception as exc:
            with pytest.raises(type(exc)):
                solve(net, policy)
            continue
        fast = solve(net, policy)
        assert fast.objective == pytest.approx(plain.objective, rel=1e-6), policy
        assert verify_plan(fast, policy) == [], policy


#: random networks whose lanes mix by parts under a local or allied share (found by search)
SHARES = [(26, Policy(min_local_share=0.3)), (26, Policy(min_allied_share=0.2)),
          (32, Policy(min_local_share=0.3)), (45, Policy(min_local_share=0.3)),
          (85, Policy(min_allied_share=0.2)), (92, Policy(min_allied_share=0.2))]


@pytest.mark.parametrize(("seed", "policy"), SHARES)
def test_share_rows_reach_plain_highs_optimum(seed, policy):
    """Random networks under near- and friend-shoring, whose share rows split lanes into parts
    that mix on their own, with a country cap beside and single sourcing too: the optimum of
    plain HiGHS, and the plans verify."""
    net = random_network(seed)
    assert _mix(build_model(net, policy).lm) is not None
    _as_plain_highs(net, policy, replace(policy, max_country_share=0.6),
                    replace(policy, single_sourcing=True))


def test_a_dear_lane_elsewhere_does_not_blur_small_duties():
    """Duties of 4e-4 and 2e-4 a unit (rates of 4% and 2% on a unit value of 0.01) tell markets in
    A from markets in D apart, beside an unused lane at 1e9 a unit: two groups, not one charged
    the first lane's duties. M1 and M2 (in A) take A's 2e6 units, duty-free at home; M3 and M4 (in
    D) take B's, duty-free into D (C pays 2% everywhere). Each unit costs 3e-3 (purchase and two
    lanes): 4e6 × 3e-3 = 12,000, no duty paid (plain HiGHS agrees)."""
    countries, markets = ["A", "B", "C", "D"], ["M1", "M2", "M3", "M4"]
    net = Network.from_frames(
        source="small duties",
        countries=pd.DataFrame({"country": countries, "region": ["R"] * 4, "bloc": [""] * 4}),
        products=pd.DataFrame({"product": ["p"], "unit_value": [0.01]}),
        suppliers=pd.DataFrame({"supplier": ["S_A", "S_B", "S_C"], "country": ["A", "B", "C"],
                                "fixed_cost": [0.0] * 3}),
        supplier_products=pd.DataFrame({"supplier": ["S_A", "S_B", "S_C"], "product": ["p"] * 3,
                                        "capacity": [2e6, 2e6, 4e6], "unit_cost": [1e-3] * 3}),
        hubs=pd.DataFrame({"hub": ["H", "H2"], "country": ["A", "A"], "fixed_cost": [0.0, 0.0],
                           "handling_cost": [0.0, 0.0]}),
        markets=pd.DataFrame({"market": markets, "country": ["A", "A", "D", "D"]}),
        demand=pd.DataFrame({"market": markets, "product": ["p"] * 4, "demand": [1e6] * 4}),
        lanes=pd.DataFrame({"origin": ["S_A", "S_B", "S_C", "H", "H", "H", "H", "S_A", "H2"],
                            "destination": ["H", "H", "H", *markets, "H2", "M1"],
                            "unit_cost": [1e-3] * 8 + [1e9]}),
        tariffs=pd.DataFrame({"origin_country": ["B", "C", "C"], "destination_country": ["A", "A", "D"],
                              "product": ["p"] * 3, "rate": [0.04, 0.02, 0.02]}),
    )
    found = _mix(build_model(net).lm)
    assert found is not None and found.lm.constraints[mix.LINK].size == 2
    plan = solve(net)
    assert plan.objective == pytest.approx(12_000.0, rel=1e-9)
    assert plan.objective == pytest.approx(solve(net, options=PLAIN).objective, rel=1e-9)
