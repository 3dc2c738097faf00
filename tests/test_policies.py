"""Every policy family of docs/formulation.md §5 on tiny networks, binding and slack, costs by hand.

The tiny network (``examples.tiny``): Paris (FR) needs 80 units through hub H1 (FR, fixed
100, handling 1, lane to Paris 2). S_FR (FR, fixed 500, unit 10, lane 1) or S_CN (CN, fixed
200, unit 6, lane 3). Per unit via S_FR: 10+1+1+2 = 14; via S_CN: 6+3+1+2 = 12.
Base: S_CN alone = 200 + 100 + 80·12 = 1260. S_FR alone = 500 + 100 + 80·14 = 1720.
Both contracted: fixed 800 + flows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from resilient_sc import DataWarning, InfeasiblePolicyError, Network, Policy, ValidationError, examples, solve
from resilient_sc.model.build import build_model
from resilient_sc.verify import verify_plan

BASE = 1260.0


def solved(net: Network, policy: Policy) -> float:
    plan = solve(net, policy)
    assert verify_plan(plan, policy) == []
    return plan.objective


@pytest.mark.parametrize(("policy", "expected"), [
    # local share 1: all from Europe -> S_FR alone = 1720
    (Policy(min_local_share=1.0), 1720.0),
    # local 0.5: S_FR alone 1720 beats both (800 + 40·14 + 40·12 = 1840)
    (Policy(min_local_share=0.5), 1720.0),
    # allied: FR is Paris's own country
    (Policy(min_allied_share=0.5), 1720.0),
    # CN capped at 40 units: S_FR alone 1720 < both 1840
    (Policy(max_country_share=0.5), 1720.0),
    # two suppliers contracted, S_CN carries all: fixed 500 + 200 + 100, flows 80·12 = 1760
    (Policy(min_suppliers=2), 500 + 200 + 100 + 80 * 12.0),
    # each supplier at most 48 units: 800 + 48·12 + 32·14 = 1824
    (Policy(max_supplier_share=0.6), 800 + 48 * 12.0 + 32 * 14.0),
    # losing either supplier must leave 80 units: both contracted
    (Policy(survive=("supplier",)), 1760.0),
    (Policy(survive=("supplier",), service_level=0.5), 1760.0),
    (Policy(excluded_countries=("CN",)), 1720.0),
    # 5 per unit short is cheaper than delivering at 12 + fixed costs: nothing delivered
    (Policy(shortfall_penalty=5.0), 400.0),
    (Policy(shortfall_penalty=100.0), BASE),
])
def test_binding(tiny, policy, expected):
    assert solved(tiny, policy) == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("policy", [
    Policy(),
    Policy(min_local_share=0.0),
    Policy(min_allied_share=0.0),
    Policy(max_country_share=1.0),
    Policy(min_suppliers=1),
    Policy(max_supplier_share=1.0),
    Policy(excluded_countries=()),
    Policy(min_local_share={"Asia": 1.0}),  # no market in Asia
    Policy(max_hubs=1, min_hubs=1),
    Policy(single_sourcing=True),
    Policy(co2_cap=0.0),  # nothing emits
])
def test_slack(tiny, policy):
    assert solved(tiny, policy) == pytest.approx(BASE, rel=1e-9)


def test_mapping_keys_product_and_region(tiny):
    assert solved(tiny, Policy(min_local_share={"Europe": 1.0})) == pytest.approx(1720.0)
    assert solved(tiny, Policy(min_local_share={"default": 1.0})) == pytest.approx(1720.0)
    assert solved(tiny, Policy(min_suppliers={"default": 2})) == pytest.approx(1760.0)


def two_hub_network(hub_fixed: float = 0.0) -> Network:
    """Market M needs 10 of product a and 10 of b. H1 ships a at 1 and b at 5; H2 the reverse.
    One supplier S (free) reaches both hubs at cost 0."""
    return Network.from_frames(
        countries=pd.DataFrame({"country": ["X"], "region": ["R"]}),
        suppliers=pd.DataFrame({"supplier": ["S"], "country": ["X"]}),
        supplier_products=pd.DataFrame({"supplier": ["S", "S"], "product": ["a", "b"],
                                        "capacity": [100.0, 100.0]}),
        hubs=pd.DataFrame({"hub": ["H1", "H2"], "country": ["X", "X"],
                           "fixed_cost": [hub_fixed, hub_fixed]}),
        markets=pd.DataFrame({"market": ["M"], "country": ["X"]}),
        demand=pd.DataFrame({"market": ["M", "M"], "product": ["a", "b"], "demand": [10.0, 10.0]}),
        lanes=pd.DataFrame({
            "origin": ["S", "S", "H1", "H1", "H2", "H2"],
            "destination": ["H1", "H2", "M", "M", "M", "M"],
            "product": ["all", "all", "a", "b", "a", "b"],
            "unit_cost": [0.0, 0.0, 1.0, 5.0, 5.0, 1.0]}),
    )


def test_single_sourcing():
    """Split: 10·1 + 10·1 = 20. One hub for both products: 10·1 + 10·5 = 60."""
    net = two_hub_network()
    assert solved(net, Policy()) == pytest.approx(20.0)
    assert solved(net, Policy(single_sourcing=True)) == pytest.approx(60.0)


def test_hub_count():
    """Hubs cost 7: both = 14 + 20 = 34; one = 7 + 60 = 67."""
    net = two_hub_network(hub_fixed=7.0)
    assert solved(net, Policy()) == pytest.approx(34.0)
    assert solved(net, Policy(max_hubs=1)) == pytest.approx(67.0)
    assert solved(net, Policy(min_hubs=2)) == pytest.approx(34.0)


def country_network(with_de_supplier: bool = False) -> Network:
    """The tiny network plus hub H2 in DE (fixed 100, handling 1); lanes to both hubs."""
    base = examples.tiny().frames()
    base["countries"] = pd.DataFrame({"country": ["FR", "CN", "DE"],
                                      "region": ["Europe", "Asia", "Europe"],
                                      "bloc": ["EU", "", "EU"]})
    base["hubs"] = pd.DataFrame({"hub": ["H1", "H2"], "country": ["FR", "DE"],
                                 "fixed_cost": [100.0, 100.0], "handling_cost": [1.0, 1.0]})
    base["lanes"] = pd.DataFrame({
        "origin": ["S_FR", "S_FR", "S_CN", "S_CN", "H1", "H2"],
        "destination": ["H1", "H2", "H1", "H2", "Paris", "Paris"],
        "unit_cost": [1.0, 1.0, 3.0, 3.0, 2.0, 2.0]})
    return Network.from_frames(**base)


def test_survive_country():
    """Losing FR loses S_FR and H1: S_CN must reach Paris through H2. Losing CN: S_FR must
    carry it. Losing DE loses H2: H1 is needed too. So S_FR, S_CN, H1 and H2:
    500 + 200 + 100 + 100 + 80·12 = 1860."""
    net = country_network()
    plan = solve(net, Policy(survive=("country",)))
    assert plan.objective == pytest.approx(1860.0)
    assert plan.hub_ids == ["H1", "H2"]
    assert sorted(plan.supplier_ids) == ["S_CN", "S_FR"]
    assert solve(net, Policy(survive=("hub",))).objective == pytest.approx(1260.0 + 100.0)


def test_survive_country_infeasible_names_country_and_product():
    net = examples.tiny()
    with pytest.raises(InfeasiblePolicyError) as err:
        solve(net, Policy(survive=("country",)))
    assert "survive" in str(err.value) and "'FR'" in str(err.value) and "'default'" in str(err.value)


def test_survive_only_country_making_a_product():
    """Chips come only from TW: losing TW cannot be survived; the message says so.

    Without the policy: S_TW's chips reach Paris only through H2, so H2 carries everything:
    fixed 200 (S_CN) + 10 (S_TW) + 100 (H2), 80 units at 12 and 20 chips at 0 + 1 + 1 + 2:
    310 + 960 + 80 = 1350."""
    f = country_network().frames()
    del f["products"]  # derived from the data; chips is new
    f["countries"] = pd.concat([f["countries"], pd.DataFrame(
        {"country": ["TW"], "region": ["Asia"], "bloc": [""]})])
    f["suppliers"] = pd.concat([f["suppliers"], pd.DataFrame(
        {"supplier": ["S_TW"], "country": ["TW"], "fixed_cost": [10.0], "status": ["candidate"]})])
    f["supplier_products"] = pd.concat([f["supplier_products"], pd.DataFrame(
        {"supplier": ["S_TW"], "product": ["chips"], "capacity": [50.0]})])
    f["demand"] = pd.concat([f["demand"], pd.DataFrame(
        {"market": ["Paris"], "product": ["chips"], "demand": [20.0]})])
    f["lanes"] = pd.concat([f["lanes"], pd.DataFrame(
        {"origin": ["S_TW"], "destination": ["H2"], "unit_cost": [1.0]})])
    net = Network.from_frames(**f)
    assert solve(net).objective == pytest.approx(1350.0)
    with pytest.raises(InfeasiblePolicyError) as err:
        solve(net, Policy(survive=("country",), service_level=0.5))
    message = str(err.value)
    assert "'TW'" in message and "'chips'" in message and "survive" in message


@pytest.mark.parametrize(("policy", "words"), [
    # Paris out of reach with FR excluded: said once, as demand, not as a share no lowering meets
    (Policy(min_local_share=1.0, excluded_countries=("FR",)), ["demand", "Paris", "excluded"]),
    (Policy(min_suppliers=3), ["min_suppliers", "'default'"]),
    (Policy(max_supplier_share=0.3), ["max_supplier_share", "'default'"]),
    (Policy(max_country_share=0.3, excluded_countries=("FR",)), ["demand", "Paris", "excluded"]),
    (Policy(min_allied_share=1.0, excluded_countries=("FR",)), ["demand", "Paris", "excluded"]),
    (Policy(min_local_share=1.0, shortfall_penalty=1e4, excluded_countries=("FR",)),
     ["min_local_share", "Paris"]),  # short at a penalty: the share is what has no plan
    (Policy(excluded_countries=("FR",)), ["demand", "Paris"]),
])
def test_infeasible_messages_name_field_and_place(tiny, policy, words):
    with pytest.raises(InfeasiblePolicyError) as err:
        solve(tiny, policy)
    for w in words:
        assert w in str(err.value)


def test_local_share_message_quantifies_missing_capacity():
    """S_FR can make 30 but Paris needs 0.6·80 = 48 local units: 18 missing."""
    f = examples.tiny().frames()
    f["supplier_products"].loc[0, "capacity"] = 30.0
    net = Network.from_frames(**f)
    with pytest.raises(InfeasiblePolicyError) as err:
        solve(net, Policy(min_local_share=0.6))
    message = str(err.value)
    assert "min_local_share 0.6" in message and "'Paris'" in message
    assert ("at most 30 of the 48 units it requires (60% of the 80 units of demand; missing 18 units)"
            in message)


def test_open_supplier_in_excluded_country(tiny):
    f = tiny.frames()
    f["suppliers"].loc[1, "status"] = "open"
    with pytest.raises(InfeasiblePolicyError, match=r"S_CN.*open.*excluded"):
        solve(Network.from_frames(**f), Policy(excluded_countries=("CN",)))


def test_iis_explains_co2_cap():
    """A cap no plan can meet is caught by HiGHS; the IIS names the co2_cap family."""
    f = examples.tiny().frames()
    f["supplier_products"]["co2"] = [1.0, 2.0]
    with pytest.raises(InfeasiblePolicyError, match="co2_cap"):
        solve(Network.from_frames(**f), Policy(co2_cap=10.0))


@pytest.mark.parametrize(("kwargs", "text"), [
    ({"max_country_share": 1.4}, "max_country_share == 1.4, must be in [0, 1]"),
    ({"min_suppliers": 1.5}, "min_suppliers == 1.5, must be a whole number"),
    ({"survive": ("planet",)}, "survive contains 'planet'"),
    ({"min_local_share": {"Mars": 0.5}}, "'Mars' is neither a region nor a product"),
    ({"min_hubs": 3, "max_hubs": 1}, "min_hubs == 3 exceeds max_hubs == 1"),
])
def test_policy_validation(tiny, kwargs, text):
    with pytest.raises(ValidationError) as err:
        solve(tiny, Policy(**kwargs))
    assert text in str(err.value)


def test_policy_unknown_key_lists_known():
    with pytest.raises(ValidationError, match=r"unknown field .local_share.*min_local_share"):
        Policy.from_dict({"local_share": 0.5})


def test_policy_files(tmp_path):
    (tmp_path / "p.yaml").write_text("min_local_share: 0.5\nsurvive: [country]\n", encoding="utf-8")
    (tmp_path / "p.json").write_text('{"min_allied_share": {"Europe": 0.7}}', encoding="utf-8")
    assert Policy.from_file(tmp_path / "p.yaml") == Policy(min_local_share=0.5, survive=("country",))
    assert Policy.from_file(tmp_path / "p.json").min_allied_share == {"Europe": 0.7}


def test_a_plan_record_given_as_a_policy_file_is_said_to_be_one(tmp_path):
    """plan.json given as --policy was refused field by field ('unknown field bound', each with
    the list of every field): one line says what the file is and where its policy is."""
    from resilient_sc import examples

    solve(examples.tiny(), Policy(min_local_share=0.5)).save(tmp_path / "plan")
    with pytest.raises(ValidationError) as exc:
        Policy.from_file(tmp_path / "plan" / "plan.json")
    assert list(exc.value.problems) == [
        "(policy) | plan.json is the record of a plan or roadmap, not a policy file: its 'policy' object "
        "holds the fields it was solved under; save that object alone as a .json or .yaml file"]


def test_policy_shares_reported():
    plan = solve(country_network(), Policy(min_local_share=0.5))
    row = plan.shares.iloc[0]
    assert row["local_share"] >= 0.5 - 1e-9
    assert row["allied_share"] >= row["local_share"] - 1e-9


def test_a_product_short_everywhere_is_named_before_the_markets_it_leaves_out(electronics):
    """Excluding CN, TW and KR leaves 17 markets unreachable and the displays short of 2,810
    units (57,200 makeable, 60,010 needed): the product's line comes first, never hidden behind
    "... and 9 more markets"."""
    with pytest.raises(InfeasiblePolicyError) as err:
        solve(electronics, Policy(excluded_countries=("CN", "TW", "KR")))
    reasons = [r for r in err.value.reasons if r.startswith(("demand:", "..."))]  # after the exclusions'
    demand = electronics.demand.loc[electronics.demand["product"] == "displays", "demand"].sum()
    assert reasons[0] == (f"demand: product 'displays': usable suppliers can make at most 57,200 pieces but "
                          f"markets need {demand:,.0f} (missing {demand - 57_200:,.0f} pieces of capacity; "
                          "left out of the plan: S_CN_Shenzhen, S_CN_Wuxi, S_KR_Pyeongtaek and S_TW_Tainan "
                          "(country excluded)); add capacity, lift the exclusion or set shortfall_penalty")
    assert any(r.startswith("... and") and r.endswith("more markets") for r in reasons)
    assert all(" pieces) cannot be served" in r for r in reasons if r.startswith("demand: market"))


def test_min_hubs_names_the_hubs_left_out(electronics):
    """min_hubs 7 with the US excluded: 'only 6 usable hubs exist', without naming the two hubs the
    exclusion left out or a fix (suppliers left out are named so; audit)."""
    with pytest.raises(InfeasiblePolicyError) as err:
        build_model(electronics, Policy(min_hubs=7, excluded_countries=("US",)))
    assert err.value.reasons[-1:] == (
        "min_hubs 7 cannot be met: only 6 usable hubs exist (left out of the plan: H_Los_Angeles and "
        "H_Memphis (country excluded)); to resolve it: lift the exclusion, add hubs or lower min_hubs to 6",)


def test_min_hubs_asks_for_as_many_hubs_back_as_it_needs(electronics):
    """Two hubs closed, min_hubs two above the usable ones: 'reopen one' was the fix, and one was
    not enough; three above: reopening both is not enough, so only adding hubs is (review audit)."""
    hubs = electronics.hubs
    closed = hubs["hub"].iloc[:2].tolist()
    status = hubs["status"].where(~hubs["hub"].isin(closed), "closed")
    net, usable = electronics.replace(hubs=hubs.assign(status=status)), len(hubs) - 2
    for extra, fix in ((1, "reopen one, add hubs"),
                       (2, "bring back at least 2 of them (reopening), add hubs"), (3, "add hubs")):
        with pytest.raises(InfeasiblePolicyError) as err:
            build_model(net, Policy(min_hubs=usable + extra))
        said = err.value.reasons[-1]
        assert said.endswith(f"(status closed)); to resolve it: {fix} or lower min_hubs to {usable}"), said


def test_bringing_back_a_supplier_is_offered_only_when_it_is_enough():
    """S_FR makes 100, S_CN (100) is closed: for 250 units 'reopen one' was offered as a fix on its
    own, and after reopening 50 were still missing (infeasibility audit); S_CN is named with what
    it makes. For 150, reopening it is enough, and offered."""
    net = examples.tiny()
    net = net.replace(suppliers=net.suppliers.assign(status=["candidate", "closed"]))
    left = "; left out of the plan: S_CN (status closed)"
    for demand, fixes in ((250.0, f"{left}, which makes only 100 units of the 150 missing); add capacity or "
                                  "set shortfall_penalty"),
                          (150.0, f"{left}); add capacity, reopen one or set shortfall_penalty")):
        with pytest.raises(InfeasiblePolicyError) as err:
            solve(net.replace(demand=net.demand.assign(demand=demand)))
        assert err.value.reasons[0] == (f"demand: product 'default': usable suppliers can make at most 100 "
                                        f"units but markets need {demand:,.0f} (missing {demand - 100:,.0f} "
                                        f"units of capacity{fixes}")


def test_a_product_no_supplier_makes_is_said_once_not_per_market(electronics):
    """Cells made only in excluded countries: the product's line, then 8 lines of markets that
    cannot be served and '... and 115 more markets' on a ladder network (an audit): its markets
    are not listed one by one."""
    makers = electronics.supplier_products
    countries = electronics.suppliers.set_index("supplier")["country"]
    excluded = tuple(sorted(set(countries[makers.loc[makers["product"] == "cells", "supplier"]])))
    with pytest.raises(InfeasiblePolicyError) as err:
        solve(electronics, Policy(excluded_countries=excluded))
    said = [r for r in err.value.reasons if "'cells'" in r]
    assert len(said) == 1
    assert said[0].startswith("demand: product 'cells': usable suppliers can make at most 0")


# ---- a hub opened for a count or an assignment alone (MODEL.md §5: o[h] for every hub) ----------
def one_supplier(hubs: pd.DataFrame, lanes: pd.DataFrame, supplier_country: str = "A") -> Network:
    return Network.from_frames(
        countries=pd.DataFrame({"country": ["A", "B"], "region": "R"}),
        suppliers=pd.DataFrame({"supplier": ["S1"], "country": [supplier_country]}),
        supplier_products=pd.DataFrame({"supplier": ["S1"], "capacity": [10.0], "unit_cost": [1.0]}),
        hubs=hubs.assign(country="A"), markets=pd.DataFrame({"market": ["M1"], "country": ["A"]}),
        demand=pd.DataFrame({"market": ["M1"], "demand": [10.0]}), lanes=lanes.assign(unit_cost=0.0))


def test_min_hubs_counts_a_hub_that_carries_nothing():
    """S1 (10 units at 1) reaches M1 (10) through H1 (fixed cost 10); H2 (fixed cost 5) has a
    lane from S1 but none to a market, H3 (fixed cost 50) reaches M1. min_hubs 2: H1 and H2,
    10 + 10 + 5 = 25. H2 was left out of the model as it can carry no flow: min_hubs 2 opened
    H1 and H3 (70), and without H3 was called infeasible ('only 1 usable hub exists'); the
    roadmap of the same data (every hub kept) gave 25. Found by a fuzzing audit against an
    independent MILP written from MODEL.md."""
    net = one_supplier(pd.DataFrame({"hub": ["H1", "H2", "H3"], "fixed_cost": [10.0, 5.0, 50.0]}),
                       pd.DataFrame({"origin": ["S1", "H1", "S1", "S1", "H3"],
                                     "destination": ["H1", "M1", "H2", "H3", "M1"]}))
    plan = solve(net, Policy(min_hubs=2))
    assert plan.objective == pytest.approx(25.0) and sorted(plan.hub_ids) == ["H1", "H2"]
    assert verify_plan(plan) == []


@pytest.mark.parametrize(("excluded", "cost"), [((), 55.0), (("B",), 55.0)])
def test_single_sourcing_with_a_penalty_may_assign_a_market_to_a_hub_that_cannot_reach_it(excluded, cost):
    """M1 (10 units) is reached only through H_near (fixed cost 100); H_far (fixed cost 5) has
    no lane to it. Single sourcing at a shortfall penalty of 5: M1's one hub may be H_far
    (a[h,m] for every hub, MODEL.md §5), M1 left short: 5 + 10 · 5 = 55, against H_near at 100
    + 10 bought = 110 (the library's answer while only hubs with a lane to M1 could be
    assigned). With S1's country excluded nothing can be bought: 55 again (it was called
    infeasible: 'no single hub has lanes to it for all of its products')."""
    net = one_supplier(pd.DataFrame({"hub": ["H_near", "H_far"], "fixed_cost": [100.0, 5.0]}),
                       pd.DataFrame({"origin": ["S1", "H_near", "S1"],
                                     "destination": ["H_near", "M1", "H_far"]}),
                       supplier_country="B" if excluded else "A")
    plan = solve(net, Policy(single_sourcing=True, shortfall_penalty=5.0, excluded_countries=excluded))
    assert plan.objective == pytest.approx(cost) and plan.hub_ids == ["H_far"]
    assert verify_plan(plan) == []


def test_single_sourcing_with_a_penalty_leaves_the_product_its_hub_lacks_short():
    """M1 wants 10 of P1 and 10 of P2 (unit cost 1 each from S1); H1 reaches M1 for P1 only, H2
    for P2 only (fixed cost 10 each). At a penalty of 5: one hub, one product delivered, the
    other short: 10 + 10 + 10 · 5 = 70 (it was called infeasible)."""
    net = Network.from_frames(
        countries=pd.DataFrame({"country": ["A"], "region": ["R"]}),
        suppliers=pd.DataFrame({"supplier": ["S1"], "country": ["A"]}),
        supplier_products=pd.DataFrame({"supplier": "S1", "product": ["P1", "P2"], "capacity": 10.0,
                                        "unit_cost": 1.0}),
        hubs=pd.DataFrame({"hub": ["H1", "H2"], "country": "A", "fixed_cost": 10.0}),
        markets=pd.DataFrame({"market": ["M1"], "country": ["A"]}),
        demand=pd.DataFrame({"market": "M1", "product": ["P1", "P2"], "demand": 10.0}),
        lanes=pd.DataFrame({"origin": ["S1", "S1", "H1", "H2"], "destination": ["H1", "H2", "M1", "M1"],
                            "product": ["", "", "P1", "P2"], "unit_cost": 0.0}))
    plan = solve(net, Policy(single_sourcing=True, shortfall_penalty=5.0))
    assert plan.objective == pytest.approx(70.0) and len(plan.hub_ids) == 1
    assert verify_plan(plan) == []


def test_a_market_left_out_names_why_each_supplier_or_hub_is_gone() -> None:
    """The tiny network with S_CN a candidate of lead time 1 and S_FR closed: Paris cannot be
    served in the first period, and the message says why each supplier is gone (it said
    "removed by exclusions or status closed" of a supplier waiting for its lead time)."""
    frames = examples.tiny().frames()
    frames["suppliers"] = frames["suppliers"].assign(
        status=["closed", "candidate"], lead_time=[0, 1])
    with pytest.warns(DataWarning, match="lead_time 1 is past the last period"):
        net = Network.from_frames(**{k: v for k, v in frames.items() if len(v)})
    with pytest.raises(InfeasiblePolicyError) as err:
        solve(net)
    line = next(r for r in err.value.reasons if "cannot be served" in r)
    assert line.endswith("(left out of the plan: S_FR (status closed); S_CN (lead_time not yet reached)); to "
                         "resolve it: reopen one, shorten a lead_time, add lanes to it from a hub that a "
                         "supplier of the product reaches or set shortfall_penalty")


def test_a_product_short_is_advised_only_what_undoes_its_own_removals():
    """S_CN closed and S_FR at 30 units: reopening S_CN is the way out, and no exclusion was made
    ('lift exclusions' was advised whatever had left the suppliers out; explanation audit)."""
    f = examples.tiny().frames()
    f["suppliers"] = f["suppliers"].assign(status=np.where(f["suppliers"]["supplier"] == "S_CN", "closed",
                                                           "candidate"))
    f["supplier_products"]["capacity"] = np.where(f["supplier_products"]["supplier"] == "S_FR", 30.0, 100.0)
    with pytest.raises(InfeasiblePolicyError) as err:
        solve(Network.from_frames(**f), Policy())
    assert err.value.reasons[0].endswith("(missing 50 units of capacity; left out of the plan: S_CN (status "
                                         "closed)); add capacity, reopen one or set shortfall_penalty")
    f["countries"] = f["countries"].assign(bloc="")  # S_CN closed in an excluded country: both undone
    f["hubs"] = f["hubs"].assign(country="FR")
    with pytest.raises(InfeasiblePolicyError) as err:
        solve(Network.from_frames(**f), Policy(excluded_countries=("CN",)))
    assert err.value.reasons[0].endswith("(missing 50 units of capacity; left out of the plan: S_CN (status "
                                         "closed, country excluded)); add capacity, reopen one and lift the "
                                         "exclusion or set shortfall_penalty")


def test_a_survive_capacity_shortfall_says_how_to_resolve_it():
    """The precheck's survive line gave the numbers and no remedy (an audit of infeasible policies)."""
    from resilient_sc import examples

    tiny = examples.tiny()
    supply = tiny.supplier_products.drop(columns="_row")
    small = tiny.replace(supplier_products=supply.assign(capacity=[30.0, 100.0]))  # S_FR makes 30
    with pytest.raises(InfeasiblePolicyError) as err:
        solve(small, Policy(survive=("supplier",)))
    # 30 of the 80 units survive: a service level of 0.375 would fit (the remedies audit: 0.38 does not)
    assert err.value.reasons[0].endswith("(missing 50 units); to resolve it: add capacity of 'default' "
                                         "at other suppliers or lower service_level for 'default' to at most "
                                         "0.375")


def test_a_survive_remedy_fits_the_loss_and_names_an_exclusion_only_where_it_plays_a_part():
    """Losing the tiny network's one hub leaves no capacity: more supplier capacity cannot help,
    other hubs can (the line said 'add capacity elsewhere'); lifting an exclusion is advised only
    where a supplier of the product is left out by it (it was whenever a country was excluded)."""
    tiny = examples.tiny()
    with pytest.raises(InfeasiblePolicyError) as err:
        build_model(tiny, Policy(survive=("hub",)))
    assert err.value.reasons[0].endswith("to resolve it: add lanes from suppliers of 'default' to other "
                                         "hubs or lower service_level for 'default' to at most 0")
    f = tiny.frames()
    f["supplier_products"] = f["supplier_products"].assign(capacity=[30.0, 100.0])  # S_FR makes 30
    f["countries"] = pd.concat([f["countries"], pd.DataFrame({"country": ["US"], "region": ["America"]})])
    f["hubs"] = pd.concat([f["hubs"], pd.DataFrame({"hub": ["H_US"], "country": ["US"]})])
    with pytest.raises(InfeasiblePolicyError) as err:
        build_model(Network.from_frames(**f), Policy(survive=("supplier",), excluded_countries=("US",)))
    assert all("exclusion" not in r for r in err.value.reasons)
    with pytest.raises(InfeasiblePolicyError) as err:
        build_model(tiny, Policy(survive=("supplier",), excluded_countries=("CN",)))
    assert ", lift an exclusion (a supplier of 'default' is left out) or" in err.value.reasons[0]
