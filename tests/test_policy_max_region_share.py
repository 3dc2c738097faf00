"""``max_region_share``: no foreign region supplies more than ρ of a market's demand for a product.

Market M (country US, region America) needs 100 units through hub H; every lane is free and
nothing has a fixed cost. Purchase costs: S_CN (China, Asia) 1, S_VN (Vietnam, Asia) 2, S_US
(USA, America) 5 per unit; each can make 100.

- base: all from S_CN, 100 · 1 = 100;
- max_country_share 0.5: 50 from S_CN and 50 from S_VN, 50 + 100 = 150 (Asia is not capped);
- max_region_share 0.5: at most 50 from Asia (the cheapest, S_CN), the rest from S_US:
  50 + 50 · 5 = 300;
- max_country_share 0.3 and max_region_share 0.5: S_CN 30, S_VN 20, S_US 50: 30 + 40 + 250 = 320;
- keyed by M's region {America: 0.5}: 300; by product {default: 0.4}: S_CN 40 and S_US 60,
  40 + 60 · 5 = 340;
- max_region_share 0: everything from S_US, 500.
"""

from __future__ import annotations

import pandas as pd
import pytest

from resilient_sc import InfeasiblePolicyError, Network, Policy, SolveOptions, ValidationError, solve
from resilient_sc.verify import verify_plan


def three_country_network() -> Network:
    return Network.from_frames(
        countries=pd.DataFrame({"country": ["CN", "VN", "US"], "region": ["Asia", "Asia", "America"]}),
        suppliers=pd.DataFrame({"supplier": ["S_CN", "S_VN", "S_US"], "country": ["CN", "VN", "US"]}),
        supplier_products=pd.DataFrame({"supplier": ["S_CN", "S_VN", "S_US"], "capacity": 100.0,
                                        "unit_cost": [1.0, 2.0, 5.0]}),
        hubs=pd.DataFrame({"hub": ["H"], "country": ["US"]}),
        markets=pd.DataFrame({"market": ["M"], "country": ["US"]}),
        demand=pd.DataFrame({"market": ["M"], "demand": [100.0]}),
        lanes=pd.DataFrame({"origin": ["S_CN", "S_VN", "S_US", "H"], "destination": ["H", "H", "H", "M"],
                            "unit_cost": 0.0}),
    )


@pytest.mark.parametrize(("policy", "cost"), [
    (Policy(), 100.0),
    (Policy(max_country_share=0.5), 150.0),
    (Policy(max_region_share=0.5), 300.0),
    (Policy(max_country_share=0.3, max_region_share=0.5), 320.0),
    (Policy(max_region_share={"America": 0.5}), 300.0),
    (Policy(max_region_share={"default": 0.4}), 340.0),
    (Policy(max_region_share=0.0), 500.0),
])
def test_max_region_share_hand_solved(policy, cost):
    net = three_country_network()
    plan = solve(net, policy)
    assert plan.objective == pytest.approx(cost)
    assert verify_plan(plan, policy) == []
    assert solve(net, policy, SolveOptions(backend="pyomo")).objective == pytest.approx(cost)


def test_the_own_region_is_not_capped():
    """All from S_US (America, M's own region) meets any cap: with only S_US, ρ = 0 costs 500."""
    net = three_country_network()
    rows = solve(net, Policy(max_region_share=0.5)).model.lm.constraints["max_region_share"]
    assert rows.index[["market", "product", "region"]].values.tolist() == [["M", "default", "Asia"]]
    assert rows.upper.tolist() == [50.0]


def test_verify_flags_a_plan_over_the_cap():
    net = three_country_network()
    base = solve(net)
    assert verify_plan(base, Policy(max_region_share=0.5)) == [
        "max_region_share[M,default,Asia]: 1.0000 > 0.5000"]


def test_checked_like_every_share_and_infeasible_without_local_capacity():
    net = three_country_network()
    with pytest.raises(ValidationError, match=r"max_region_share == 1.5, must be in \[0, 1\]"):
        solve(net, Policy(max_region_share=1.5))
    with pytest.raises(ValidationError, match="neither a region nor a product"):
        solve(net, Policy(max_region_share={"Mars": 0.5}))
    frames = net.frames()
    frames["supplier_products"].loc[2, "capacity"] = 10.0  # S_US makes only 10
    with pytest.raises(InfeasiblePolicyError, match="max_region_share"):
        solve(Network.from_frames(**frames), Policy(max_region_share=0.5))
