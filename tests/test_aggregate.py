"""Merged origins (:mod:`resilient_sc.solvers.aggregate`): exact in both directions, and origins
kept apart by any row or cost that tells them apart, the library's or the user's."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from resilient_sc import Network, Policy, SolveOptions, build_model, examples, solve, solve_model
from resilient_sc.solvers import aggregate
from resilient_sc.solvers.certify import is_feasible
from resilient_sc.solvers.highs import make_highs, run_highs
from resilient_sc.verify import verify_plan

from .random_networks import random_network

PLAIN = SolveOptions(accelerate=False)


def three_origins(tariff_b: float = 0.0) -> Network:
    """Suppliers S_A, S_B, S_C in countries A, B, C (one region, no bloc), 60 units each at 5, 6
    and 7; one hub H (fixed 10) and one market M in A wanting 100; every lane costs 1.

    Without tariffs: 60 from S_A and 40 from S_B, 60·5 + 40·6 + 100·(1 + 1) + 10 = 750.
    A 50% duty on B into A (unit value 10: 5 per unit) makes S_B cost 11 > S_C's 7:
    60·5 + 40·7 + 200 + 10 = 790.
    """
    countries = ["A", "B", "C"]
    return Network.from_frames(
        source="three origins",
        countries=pd.DataFrame({"country": countries, "region": ["R"] * 3, "bloc": [""] * 3}),
        products=pd.DataFrame({"product": ["p"], "unit_value": [10.0]}),
        suppliers=pd.DataFrame({"supplier": [f"S_{c}" for c in countries], "country": countries,
                                "fixed_cost": [0.0] * 3}),
        supplier_products=pd.DataFrame({"supplier": [f"S_{c}" for c in countries], "product": ["p"] * 3,
                                        "capacity": [60.0] * 3, "unit_cost": [5.0, 6.0, 7.0]}),
        hubs=pd.DataFrame({"hub": ["H"], "country": ["A"], "fixed_cost": [10.0], "handling_cost": [0.0]}),
        markets=pd.DataFrame({"market": ["M"], "country": ["A"]}),
        demand=pd.DataFrame({"market": ["M"], "product": ["p"], "demand": [100.0]}),
        lanes=pd.DataFrame({"origin": ["S_A", "S_B", "S_C", "H"], "destination": ["H", "H", "H", "M"],
                            "unit_cost": [1.0] * 4}),
        tariffs=pd.DataFrame({"origin_country": ["B"], "destination_country": ["A"], "product": ["p"],
                              "rate": [tariff_b / 10.0]}),
    )


def _merged_flows(model) -> int:
    agg = aggregate.recognise(model.lm)
    return model.variables["outbound_flow"].size if agg is None else agg.lm.variables["outbound_flow"].size


@pytest.mark.parametrize(("tariff", "flows", "cost", "split"), [
    (0.0, 1, 750.0, {"A": 60.0, "B": 40.0}),   # nothing tells A, B, C apart: one class
    (5.0, 2, 790.0, {"A": 60.0, "C": 40.0}),   # the duty on B: classes {A, C} and {B}
])
def test_hand_solved_classes_and_split(tariff, flows, cost, split):
    net = three_origins(tariff)
    model = build_model(net)
    assert model.variables["outbound_flow"].size == 3
    assert _merged_flows(model) == flows
    plan = solve(net)
    assert plan.report.route == "merged-origins"
    assert plan.objective == pytest.approx(cost, rel=1e-9)
    by_origin = plan.outbound.groupby("origin")["quantity"].sum()
    assert by_origin[by_origin > 1e-9].to_dict() == pytest.approx(split)
    assert verify_plan(plan, Policy()) == []


def test_a_row_of_your_own_keeps_origins_apart():
    """At most 20 units of A's origin: A is told apart from B and C (which stay merged);
    20·5 + 60·6 + 20·7 + 200 + 10 = 810."""
    model = build_model(three_origins())
    y = model.variables["outbound_flow"]
    a = np.flatnonzero(y.index["origin"].to_numpy() == "A")
    model.lm.add_constraints("cap_A", pd.DataFrame({"origin": ["A"]}),
                             [(np.zeros(len(a), np.int64), y, a, 1.0)], upper=20.0)
    assert _merged_flows(model) == 2
    plan = solve_model(model)
    assert plan.objective == pytest.approx(810.0, rel=1e-9)
    assert plan.outbound.groupby("origin")["quantity"].sum()["A"] == pytest.approx(20.0)


def test_merged_plan_splits_back_onto_every_row():
    """The LP optimum of the merged electronics model, split back by inflow, satisfies every row
    of the full model and costs the same."""
    model = build_model(examples.electronics(), Policy(min_local_share=0.5))
    agg = aggregate.recognise(model.lm)
    assert agg is not None and agg.lm.n_cols < model.lm.n_cols
    h = make_highs(agg.lm, SolveOptions())
    h.changeColsIntegrality(agg.lm.n_cols, np.arange(agg.lm.n_cols, dtype=np.int32),
                            np.zeros(agg.lm.n_cols, dtype=np.uint8))
    merged = run_highs(h, False)
    full = agg.expand(merged.x, model.lm.n_cols)
    relaxed = replace(model.lm, variables={k: replace(b, integer=False) for k, b in model.variables.items()})
    assert is_feasible(relaxed, full)
    assert model.lm.objective() @ full == pytest.approx(merged.objective, rel=1e-9)


POLICIES = [Policy(), Policy(min_local_share=0.5), Policy(min_allied_share=0.5),
            Policy(max_region_share=0.7), Policy(max_country_share=0.6), Policy(single_sourcing=True),
            Policy(survive=("supplier",), service_level=0.5), Policy(shortfall_penalty=500.0),
            Policy(co2_cap=None, co2_price=2.0)]


@pytest.mark.parametrize("seed", range(6))
def test_same_optimum_as_plain_highs(seed):
    """Every family on random networks: the accelerated routes (merged origins where any merge)
    reach plain HiGHS's optimum, and the plan verifies."""
    net = random_network(seed)
    for policy in POLICIES:
        try:
            plain = solve(net, policy, PLAIN)
        except Exception as exc:  # an infeasible policy must be infeasible both ways
            with pytest.raises(type(exc)):
                solve(net, policy)
            continue
        fast = solve(net, policy)
        assert fast.objective == pytest.approx(plain.objective, rel=1e-6), (seed, policy)
        assert verify_plan(fast, policy) == [], (seed, policy)
