"""The independent textbook model (``textbook_frames``, built from the raw frames) against the library.

Every ladder policy on the tiny rung must solve to the same optimum on both sides (both at gap
1e-6); what the textbook does not model must raise ``NotImplementedError``; unreachable demand
must make it infeasible, and a hub of unlimited capacity must still be opened to carry recourse.
"""

from __future__ import annotations

import pandas as pd
import pytest
import textbook_frames
from ladder import POLICIES, ladder_network

from resilient_sc import Network, Policy, SolveOptions, solve

OPTIONS = SolveOptions(mip_gap=1e-6, threads=1)


@pytest.fixture(scope="module")
def tiny() -> Network:
    return ladder_network("tiny")


def _two_hubs() -> Network:
    """One supplier, two hubs of unlimited capacity (blank), two markets each reached by both hubs."""
    lanes = [("s1", "h1", 1.0), ("s1", "h2", 2.0), ("h1", "m1", 1.0), ("h2", "m1", 1.5), ("h1", "m2", 1.0),
             ("h2", "m2", 3.0)]
    return Network.from_frames(
        countries=pd.DataFrame({"country": ["A", "B"], "region": ["R", "R"]}),
        suppliers=pd.DataFrame({"supplier": ["s1"], "country": ["A"], "fixed_cost": [10.0]}),
        supplier_products=pd.DataFrame({"supplier": ["s1"], "capacity": [100.0], "unit_cost": [3.0]}),
        hubs=pd.DataFrame({"hub": ["h1", "h2"], "country": ["A", "B"], "fixed_cost": [50.0, 70.0]}),
        markets=pd.DataFrame({"market": ["m1", "m2"], "country": ["A", "B"]}),
        demand=pd.DataFrame({"market": ["m1", "m2"], "demand": [10.0, 5.0]}),
        lanes=pd.DataFrame(lanes, columns=["origin", "destination", "unit_cost"]))


@pytest.mark.parametrize("name", list(POLICIES))
def test_textbook_matches_library_on_tiny(tiny: Network, name: str) -> None:
    plan = solve(tiny, POLICIES[name], OPTIONS)
    textbook = textbook_frames.solve(tiny.frames(), POLICIES[name], threads=1)
    assert (str(plan.status), textbook["status"]) == ("optimal", "optimal")
    assert textbook["objective"] == pytest.approx(plan.objective, rel=2e-6)


@pytest.mark.parametrize(("policy", "field"), [
    (Policy(co2_price=10.0), "co2_price"), (Policy(co2_cap=1e6), "co2_cap"), (Policy(max_hubs=3), "max_hubs"),
    (Policy(min_suppliers=2), "min_suppliers"), (Policy(max_supplier_share=0.5), "max_supplier_share"),
    (Policy(excluded_countries=("AS1",)), "excluded_countries"),
    (Policy(min_local_share={"Europe": 0.5}), "min_local_share")])
def test_unmodelled_policy_field_raises(tiny: Network, policy: Policy, field: str) -> None:
    with pytest.raises(NotImplementedError, match=field):
        textbook_frames.build(tiny.frames(), policy)


@pytest.mark.parametrize(("table", "column", "value"), [
    ("hubs", "status", "closed"), ("suppliers", "status", "open"), ("suppliers", "lead_time", 1.0)])
def test_unmodelled_data_raises(tiny: Network, table: str, column: str, value: object) -> None:
    frames = tiny.frames()
    frames[table].loc[0, column] = value
    with pytest.raises(NotImplementedError, match=f"{table}.{column}"):
        textbook_frames.build(frames, Policy())


def test_unreachable_demand_is_infeasible(tiny: Network) -> None:
    frames = tiny.frames()
    market = frames["demand"]["market"].iloc[0]
    frames["lanes"] = frames["lanes"][frames["lanes"]["destination"] != market]
    assert textbook_frames.solve(frames, Policy())["status"] == "infeasible"


@pytest.mark.parametrize("policy", [Policy(), Policy(survive=("hub",)), Policy(shortfall_penalty=100.0),
                                    Policy(survive=("hub",), service_level=0.5)])
def test_unlimited_hub_capacity(policy: Policy) -> None:
    network = _two_hubs()
    assert network.frames()["hubs"]["capacity"].tolist() == [float("inf")] * 2
    plan = solve(network, policy, OPTIONS)
    textbook = textbook_frames.solve(network.frames(), policy)
    assert textbook["status"] == "optimal"
    assert textbook["objective"] == pytest.approx(plan.objective, rel=2e-6)
    if policy.to_dict().get("survive"):  # both hubs must be opened (fixed costs 50 + 70)
        assert textbook["objective"] >= 10.0 + 50.0 + 70.0
