"""Stress tests against hand-solved networks and an independent LP of the guaranteed fraction.

The guaranteed fraction t* of a failure is re-computed here with scipy's ``linprog`` from the
raw network tables (lanes, capacities, the design's suppliers and hubs less the lost ones),
without the library's sets or model: a design built with ``survive`` at level β must show
``worst_served ≥ β``, and the library's t* must equal the independent one.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

from resilient_sc import (
    DataWarning,
    Network,
    Plan,
    Policy,
    ResilientSCError,
    ValidationError,
    examples,
    solve,
    stress_test,
)
from resilient_sc.analysis import figures as fg
from resilient_sc.analysis.stress import NOTHING_FAILED
from resilient_sc.format import served_fraction

from .random_networks import random_network


def guaranteed_fraction(net: Network, plan: Plan, lost: set[str]) -> float:
    """max t: recourse flows through the plan's suppliers and hubs not in ``lost`` (ids or
    countries) give every (market, product) at least t·demand; lanes, supplier capacity per
    product, hub throughput and balance per (hub, product)."""
    sup = net.suppliers.set_index("supplier")["country"]
    hub = net.hubs.set_index("hub")
    live_s = {s for s in plan.supplier_ids if s not in lost and sup[s] not in lost}
    live_h = {h for h in plan.hub_ids if h not in lost and hub.loc[h, "country"] not in lost}
    demand = net.demand.loc[net.demand["demand"] > 0]
    products = sorted(set(demand["product"]))
    lanes = net.lanes

    def has_lane(a: str, b: str, p: str) -> bool:
        rows = lanes.loc[(lanes["origin"] == a) & (lanes["destination"] == b)]
        return bool(((rows["product"] == p) | (rows["product"] == "all")).any())

    cap = net.supplier_products.set_index(["supplier", "product"])["capacity"]
    x = [(s, h, p) for s in sorted(live_s) for h in sorted(live_h) for p in products
         if (s, p) in cap.index and cap[(s, p)] > 0 and has_lane(s, h, p)]
    y = [(h, m, p) for h in sorted(live_h) for m, p in zip(demand["market"], demand["product"], strict=True)
         if has_lane(h, m, p)]
    n = len(x) + len(y) + 1  # t last
    a_ub, b_ub, a_eq = [], [], []
    for m, p, d in zip(demand["market"], demand["product"], demand["demand"], strict=True):
        row = np.zeros(n)  # t·d − Σ_h y ≤ 0
        row[-1] = d
        for k, (_, mm, pp) in enumerate(y):
            if (mm, pp) == (m, p):
                row[len(x) + k] = -1.0
        a_ub.append(row)
        b_ub.append(0.0)
    for s in sorted(live_s):
        for p in products:
            row = np.array([1.0 if (ss, pp) == (s, p) else 0.0 for ss, _, pp in x] + [0.0] * (len(y) + 1))
            if row.any():
                a_ub.append(row)
                b_ub.append(float(cap[(s, p)]))
    for h in sorted(live_h):
        row = np.array([1.0 if hh == h else 0.0 for _, hh, _ in x] + [0.0] * (len(y) + 1))
        if row.any() and np.isfinite(hub.loc[h, "capacity"]):
            a_ub.append(row)
            b_ub.append(float(hub.loc[h, "capacity"]))
        for p in products:  # balance
            row = np.array([1.0 if (hh, pp) == (h, p) else 0.0 for _, hh, pp in x]
                           + [-1.0 if (hh, pp) == (h, p) else 0.0 for hh, _, pp in y] + [0.0])
            if row.any():
                a_eq.append(row)
    res = linprog(np.eye(n)[-1] * -1, A_ub=np.array(a_ub), b_ub=b_ub,
                  A_eq=np.array(a_eq) if a_eq else None, b_eq=np.zeros(len(a_eq)) if a_eq else None,
                  bounds=[(0, None)] * (n - 1) + [(0, 1)], method="highs")
    assert res.status == 0, res.message
    return float(res.x[-1])


#: seeded random networks on which these survive policies are feasible
SURVIVE_CASES = [(0, "supplier", 0.6), (1, "supplier", 0.6), (1, "hub", 1.0), (4, "supplier", 0.6),
                 (7, "hub", 1.0), (8, "country", 0.5), (8, "hub", 0.5), (9, "country", 0.5),
                 (11, "hub", 0.5), (12, "country", 0.8), (12, "supplier", 0.6), (14, "hub", 1.0)]


@pytest.mark.parametrize(("seed", "kind", "level"), SURVIVE_CASES)
def test_survive_designs_show_their_service_level_and_the_independent_lp_agrees(seed, kind, level):
    net = random_network(seed)
    plan = solve(net, Policy(survive=(kind,), service_level=level))
    result = stress_test(net, plan, failures=(kind,), scenarios=False)
    assert len(result.failures)
    assert (result.failures["worst_served"] >= level - 1e-6).all()
    for row in result.failures.itertuples():
        assert row.worst_served == pytest.approx(guaranteed_fraction(net, plan, {row.elements}), abs=1e-6)
        short = result.shortfalls.loc[result.shortfalls["failure"] == row.failure]
        assert short["served"].min() == pytest.approx(row.worst_served, abs=1e-6)  # the floor holds
        if len(short):  # and the worst row is the worst said, to the digit (it was 1e-7 above it)
            assert row.worst_served == short["served"].min()


def test_base_designs_guaranteed_fraction_matches_the_independent_lp():
    """Also below any service level: the cost-optimal design, every single failure."""
    for seed in (1, 7):
        net = random_network(seed)
        plan = solve(net)
        result = stress_test(net, plan, scenarios=False)
        for row in result.failures.itertuples():
            assert row.worst_served == pytest.approx(guaranteed_fraction(net, plan, {row.elements}),
                                                     abs=1e-6), row.failure


@pytest.mark.parametrize("seed", [0, 1, 4, 7, 12])  # 0 and 4: lanes that mix (solvers.mix)
def test_the_replay_lp_gives_what_the_whole_model_gives(seed, monkeypatch):
    """The replay runs on the merged and mixed model less the flows the design closes (``replay_lp``):
    every figure of every failure is the one the whole model's LP gives (the market at the floor
    may be another one at the same floor: optimal flows are not unique)."""
    from resilient_sc.analysis import replay

    net = random_network(seed)
    plan = solve(net)
    sizes, reduce = [], replay.replay_lp

    def measured(lm, z_on, o_on):
        small = reduce(lm, z_on, o_on)
        sizes.append((lm.n_cols, small.n_cols))
        return small

    monkeypatch.setattr(replay, "replay_lp", measured)
    fast = stress_test(net, plan).failures
    monkeypatch.setattr(replay, "replay_lp", lambda lm, z_on, o_on: lm)
    whole = stress_test(net, plan).failures
    assert sizes and all(small < big for big, small in sizes)
    numbers = ["worst_served", "value_served", "extra_cost", "shortfall_cost", "impact"]
    pd.testing.assert_frame_equal(fast[numbers], whole[numbers], rtol=1e-7, atol=1e-6)
    assert fast["failure"].tolist() == whole["failure"].tolist()


def shared_hub_network() -> Network:
    """Pumps (value 1200) and kits (value 40) from supplier S. Market M1 wants 10 of each and
    reaches hub H1 only (capacity 15); market M2 wants 10 kits and reaches hub H2 only
    (capacity 5). The base design serves 15 of M1's 20 units and 5 of M2's 10 (shortfall
    penalised), so both hubs are opened.

    Losing H2: M2 gets nothing, so t* = 0; H1's 15 units then go to the dearer product first
    (at the default penalties, unit_value + 10 × the dearest path: 1,720 a pump, 70 a kit):
    M1 gets its 10 pumps and 5 kits (value served (12000 + 200) / (12000 + 800)). One flat
    penalty for both products would be indifferent, and the cheaper kits would fill H1.
    Losing H1: t* = 0 (M1 gets nothing) and H2 still carries M2's 5 kits.
    """
    return Network.from_frames(
        countries=pd.DataFrame({"country": ["X"], "region": ["R"]}),
        products=pd.DataFrame({"product": ["pump", "kit"], "unit_value": [1200.0, 40.0]}),
        suppliers=pd.DataFrame({"supplier": ["S"], "country": ["X"]}),
        supplier_products=pd.DataFrame({"supplier": "S", "product": ["pump", "kit"], "capacity": 100.0,
                                        "unit_cost": [50.0, 1.0]}),
        hubs=pd.DataFrame({"hub": ["H1", "H2"], "country": "X", "capacity": [15.0, 5.0]}),
        markets=pd.DataFrame({"market": ["M1", "M2"], "country": "X"}),
        demand=pd.DataFrame({"market": ["M1", "M1", "M2"], "product": ["pump", "kit", "kit"],
                             "demand": [10.0, 10.0, 10.0]}),
        lanes=pd.DataFrame({"origin": ["S", "S", "H1", "H2"], "destination": ["H1", "H2", "M1", "M2"],
                            "unit_cost": 1.0}),
    )


def test_scarce_shared_capacity_goes_to_the_dearer_product_above_the_floor():
    net = shared_hub_network()
    plan = solve(net, Policy(shortfall_penalty=10_000.0))
    assert plan.hub_ids == ["H1", "H2"]
    result = stress_test(net, plan, failures=("hub",), scenarios=False,
                         penalty={"pump": 1_720.0, "kit": 70.0})
    f = result.failures.set_index("failure")
    served = result.shortfalls.set_index(["failure", "market", "product"])["served"]
    assert f.loc["hub:H2", "worst_served"] == pytest.approx(0.0)
    assert (f.loc["hub:H2", "worst_market"], f.loc["hub:H2", "worst_product"]) == ("M2", "kit")
    assert served[("hub:H2", "M1", "pump")] == pytest.approx(1.0)
    assert served[("hub:H2", "M1", "kit")] == pytest.approx(0.5)
    assert f.loc["hub:H2", "value_served"] == pytest.approx((12000 + 200) / (12000 + 800))
    by_product = result.by_product.set_index(["failure", "product"])["served"]
    assert by_product[("hub:H2", "pump")] == pytest.approx(1.0)
    assert by_product[("hub:H2", "kit")] == pytest.approx(5 / 20)
    assert f.loc["hub:H1", "worst_served"] == pytest.approx(0.0)
    assert served[("hub:H1", "M2", "kit")] == pytest.approx(0.5)
    assert result.penalties["pump"] > result.penalties["kit"] and result.penalties["pump"] >= 1200.0


def test_penalty_per_product_or_flat():
    net = shared_hub_network()
    plan = solve(net, Policy(shortfall_penalty=10_000.0))
    flat = stress_test(net, plan, failures=("hub",), scenarios=False, penalty=100.0)
    assert (flat.penalties == 100.0).all()
    mapped = stress_test(net, plan, failures=("hub",), scenarios=False, penalty={"pump": 5.0, "kit": 9.0})
    short = mapped.by_product.set_index(["failure", "product"])
    # kits (9 per unit short) beat their path (1 + 1 + 1): H1 carries M1's 10 kits, M2's 10 are
    # short; a pump costs 52 to deliver against 5 to miss, so none is delivered
    assert short.loc[("hub:H2", "kit"), "shortfall_cost"] == pytest.approx(9.0 * 10)
    assert short.loc[("hub:H2", "pump"), "shortfall_cost"] == pytest.approx(5.0 * 10)
    with pytest.raises(Exception, match="pump"):
        stress_test(net, plan, failures=("hub",), penalty={"kit": 1.0})


def test_expectations_say_what_they_are_conditional_on():
    net = random_network(2)
    result = stress_test(net, solve(net), scenarios=False)
    s = result.summary()
    assert "equally likely" in s["conditional_on"] and str(len(result.failures)) in s["conditional_on"]
    assert set(s["expected_served_by_product"]) == set(result.products)
    weighted = stress_test(net, solve(net), scenarios=False,
                           probabilities={result.failures["failure"].iloc[0]: 0.1})
    assert "given for 1 of" in weighted.summary()["conditional_on"]
    assert weighted.summary()["expected_extra_cost"] == pytest.approx(weighted.failures["extra_cost"].iloc[0])


# ---- hand-solved ----------------------------------------------------------------------------
def backup_network() -> Network:
    """Market M (country X) needs 30 of product a and 40 of b through hub H; every lane costs 1.
    SA alone makes a (unit cost 2). SB1 and SB2 each can make 100 of b: SB1 at 5 per unit, SB2
    at 8 under an existing contract (status open). No fixed costs.

    Base: SA, SB1 and SB2 contracted, b from SB1: 30·(2+1+1) + 40·(5+1+1) = 120 + 280 = 400.
    Losing SA: the 30 units of a cannot be made (0% of a, 40/70 of all demand served), and
    the flow cost falls by 120. Losing SB1: SB2 makes the 40 units of b at 8 instead of 5:
    everything served at an extra 40·(8 − 5) = 120. Losing SB2: nothing changes.
    """
    return Network.from_frames(
        countries=pd.DataFrame({"country": ["X"], "region": ["R"]}),
        suppliers=pd.DataFrame({"supplier": ["SA", "SB1", "SB2"], "country": "X",
                                "status": ["candidate", "candidate", "open"]}),
        supplier_products=pd.DataFrame({"supplier": ["SA", "SB1", "SB2"], "product": ["a", "b", "b"],
                                        "capacity": 100.0, "unit_cost": [2.0, 5.0, 8.0]}),
        hubs=pd.DataFrame({"hub": ["H"], "country": ["X"]}),
        markets=pd.DataFrame({"market": ["M"], "country": ["X"]}),
        demand=pd.DataFrame({"market": "M", "product": ["a", "b"], "demand": [30.0, 40.0]}),
        lanes=pd.DataFrame({"origin": ["SA", "SB1", "SB2", "H"], "destination": ["H", "H", "H", "M"],
                            "unit_cost": 1.0}),
    )



def test_served_matrix_markets_in_alphabetical_order_whatever_their_accents():
    """The heatmap's markets read alphabetically: 'São Paulo' beside 'Seoul', not after 'Shanghai'
    (code-point order; localisation audit), and 'seoul' by 'Seoul' whatever its case."""
    names = ["Shanghai", "seoul", "São Paulo", "Austin"]
    net = Network.from_frames(
        countries=pd.DataFrame({"country": ["X"], "region": ["R"]}),
        suppliers=pd.DataFrame({"supplier": ["S"], "country": ["X"]}),
        supplier_products=pd.DataFrame({"supplier": ["S"], "product": ["a"], "capacity": 1000.0,
                                        "unit_cost": 1.0}),
        hubs=pd.DataFrame({"hub": ["H"], "country": ["X"]}),
        markets=pd.DataFrame({"market": names, "country": "X"}),
        demand=pd.DataFrame({"market": names, "product": "a", "demand": 10.0}),
        lanes=pd.DataFrame({"origin": ["S", *["H"] * 4], "destination": ["H", *names], "unit_cost": 1.0}))
    result = stress_test(net, solve(net), failures=("supplier",))
    assert list(result.served_matrix("a").columns) == ["Austin", "São Paulo", "seoul", "Shanghai"]
    assert list(result.served_matrix().columns) == ["Austin", "São Paulo", "seoul", "Shanghai"]
    assert result.conditional_on == "the one single failure happening"  # not 'one of the 1' (audit)


def test_stress_losing_the_only_supplier_of_a_product():
    net = backup_network()
    plan = solve(net)
    assert plan.objective == pytest.approx(400.0)
    result = stress_test(net, plan, failures=("supplier",), penalty=1000.0)
    row = result.failures.set_index("failure").loc["supplier:SA"]
    assert row["worst_served"] == 0.0  # none of product a can be made
    assert (row["worst_market"], row["worst_product"]) == ("M", "a")
    assert row["shortfall_cost"] == pytest.approx(30_000.0)
    assert row["extra_cost"] == pytest.approx(-120.0)
    assert row["impact"] == pytest.approx(30_000.0 - 120.0)
    by_product = result.by_product.set_index(["failure", "product"])
    assert by_product.loc[("supplier:SA", "a"), "shortfall"] == pytest.approx(30.0)
    assert by_product.loc[("supplier:SA", "a"), "served"] == pytest.approx(0.0)
    assert by_product.loc[("supplier:SA", "b"), "served"] == pytest.approx(1.0)
    summary = result.summary()
    assert summary["worst_failure"] == "supplier:SA" and summary["worst_served"] == 0.0
    assert summary["hurt"] == 1
    assert result.served_matrix("a").loc["supplier:SA", "M"] == pytest.approx(0.0)
    assert result.served_matrix("b").loc["supplier:SA", "M"] == pytest.approx(1.0)
    assert result.served_matrix().loc["supplier:SA", "M"] == pytest.approx(0.0)  # lowest over products
    entry = next(e for e in result.to_dict()["failures"] if e["failure"] == "supplier:SA")
    assert entry["served_by_product"] == {"a": 0.0, "b": 1.0}
    assert entry["shortfalls"] == [{"market": "M", "product": "a", "demand": 30.0, "shortfall": 30.0,
                                  "unit": "units"}]
    assert entry["probability"] is None  # strict JSON: a single failure's probability was NaN (API audit)
    json.dumps(result.to_dict(), allow_nan=False)


def test_worst_market_is_where_the_floor_binds_not_where_a_low_penalty_sheds():
    """S1 (unit cost 1) serves markets A (100) and B (10) through H1; S2 (unit cost 50, an
    existing contract) reaches only A, through H2 (open); every lane costs 1. Losing S1, B gets
    nothing whatever the re-routing (t* = 0, B's floor binds) while A could be served whole
    through S2 at 52 a unit. At a penalty of 10 a unit the cheapest re-routing sheds A too, and
    A (the larger demand) was named as the worst though only B lacks capacity."""
    net = Network.from_frames(
        countries=pd.DataFrame({"country": ["X"], "region": ["R"]}),
        suppliers=pd.DataFrame({"supplier": ["S1", "S2"], "country": "X", "status": ["candidate", "open"]}),
        supplier_products=pd.DataFrame({"supplier": ["S1", "S2"], "product": "a", "capacity": 200.0,
                                        "unit_cost": [1.0, 50.0]}),
        hubs=pd.DataFrame({"hub": ["H1", "H2"], "country": "X", "status": ["candidate", "open"]}),
        markets=pd.DataFrame({"market": ["A", "B"], "country": "X"}),
        demand=pd.DataFrame({"market": ["A", "B"], "product": "a", "demand": [100.0, 10.0]}),
        lanes=pd.DataFrame({"origin": ["S1", "S2", "H1", "H1", "H2"],
                            "destination": ["H1", "H2", "A", "B", "A"], "unit_cost": 1.0}),
    )
    plan = solve(net)
    assert plan.objective == pytest.approx(110 * 3.0)
    for penalty, a_short in ((10.0, 100.0), (1000.0, 0.0)):
        result = stress_test(net, plan, failures=("supplier",), penalty=penalty)
        row = result.failures.set_index("failure").loc["supplier:S1"]
        assert row["worst_served"] == 0.0 and row["worst_market"] == "B"
        short = result.shortfalls.set_index(["failure", "market"])["shortfall"]
        assert short[("supplier:S1", "A")] == pytest.approx(a_short, abs=1e-6)


def short_by_policy() -> tuple[Network, Plan]:
    """Markets A (100) and B (10) are served by S1 (unit cost 1) through H1, A also by S2 (unit
    cost 50, an existing contract) through H2 (open); C (5) only by S3 at 100 through H3; lanes
    cost 1; S3 and H3 have a fixed cost of 1. At a shortfall penalty of 20 the design leaves C
    short (102 > 20), contracting no S3 and opening no H3 (which C alone uses): cost
    110 · 3 + 5 · 20 = 430."""
    net = Network.from_frames(
        countries=pd.DataFrame({"country": ["X"], "region": ["R"]}),
        suppliers=pd.DataFrame({"supplier": ["S1", "S2", "S3"], "country": "X", "fixed_cost": [0.0, 0.0, 1.0],
                                "status": ["candidate", "open", "candidate"]}),
        supplier_products=pd.DataFrame({"supplier": ["S1", "S2", "S3"], "product": "a", "capacity": 200.0,
                                        "unit_cost": [1.0, 50.0, 100.0]}),
        hubs=pd.DataFrame({"hub": ["H1", "H2", "H3"], "country": "X", "fixed_cost": [0.0, 0.0, 1.0],
                           "status": ["candidate", "open", "candidate"]}),
        markets=pd.DataFrame({"market": ["A", "B", "C"], "country": "X"}),
        demand=pd.DataFrame({"market": ["A", "B", "C"], "product": "a", "demand": [100.0, 10.0, 5.0]}),
        lanes=pd.DataFrame({"origin": ["S1", "S2", "S3", "H1", "H1", "H2", "H3"],
                            "destination": ["H1", "H2", "H3", "A", "B", "A", "C"], "unit_cost": 1.0}),
    )
    plan = solve(net, Policy(shortfall_penalty=20.0))
    assert plan.objective == pytest.approx(430.0)
    return net, plan


def test_a_design_short_by_its_own_policy_is_the_first_row_of_the_served_heatmap():
    """Every failure of :func:`short_by_policy` leaves C short, so the heatmap showed each one
    red at C; now a first row shows the design with nothing failed, and only the failures that
    serve some market less than it (S1 and H1: B gets nothing) are rows."""
    net, plan = short_by_policy()
    result = stress_test(net, plan, failures=("supplier", "hub"))
    assert result.short_intact() and result.short_intact("a")
    assert (result.failures["worst_served"] == 0.0).all()  # C is short under every failure
    assert result.worse_than_intact() == result.worse_than_intact("a") == ["supplier:S1", "hub:H1"]
    served = result.served_matrix("a")
    assert served.index[0] == NOTHING_FAILED and served.iloc[0].tolist() == pytest.approx([1.0, 1.0, 0.0])
    fig = fg.served_heatmap(result)
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == [NOTHING_FAILED, "supplier:S1", "hub:H1"]
    caption = " ".join(fig._supxlabel.get_text().split())  # as read, whatever the line breaks
    # re-routed at the policy's own penalty, which is what the design itself does
    assert "First row: nothing failed, re-routed at these prices, which leaves some demand short" in caption
    assert "2 of 4 failures serve some market less than that" in caption
    assert "Grey" not in caption  # every market has demand: no grey cell to explain


def test_a_design_served_in_full_but_short_at_the_prices_given_says_the_prices_did_it():
    """Solved without a penalty the design of :func:`short_by_policy` serves C; replayed at 20 a
    unit short, C's units are cheaper left short (served from the opened H3 at more than 20), so
    the heatmap's first row leaves C short -- the caption says the prices did that, not the design."""
    net, _ = short_by_policy()
    plan = solve(net)
    assert (plan.shares["shortfall"] == 0).all()
    result = stress_test(net, plan, failures=("supplier", "hub"), penalty=20.0)
    assert result.priced and result.short_intact("a")
    caption = " ".join(fg.served_heatmap(result)._supxlabel.get_text().split())
    assert "First row: nothing failed, re-routed at these prices, which leaves some demand short" in caption
    assert "the design with nothing failed" not in caption
    assert "penalties given for a unit short (20.00 per unit of a)" in caption  # money per unit of a product


def test_stress_backup_supplier_serves_everything_at_extra_cost():
    net = backup_network()
    result = stress_test(net, solve(net), failures=("supplier",))
    f = result.failures.set_index("failure")
    assert f.loc["supplier:SB1", "worst_served"] == 1.0
    assert f.loc["supplier:SB1", "extra_cost"] == pytest.approx(40 * (8 - 5))
    assert f.loc["supplier:SB1", "worst_market"] == ""  # nothing short, no floor binds
    assert f.loc["supplier:SB2", "worst_served"] == 1.0
    assert f.loc["supplier:SB2", "extra_cost"] == pytest.approx(0.0, abs=1e-9)
    # each failure alike in the expected figures: a weight, no probability (1/3 read as a 33% chance)
    assert f["expectation_weight"].tolist() == pytest.approx([1 / 3] * 3) and f["probability"].isna().all()


def test_a_failure_felt_in_cost_alone_is_listed_and_said():
    """Losing SB1 serves everything at 120 more (backup_network): it was left out of every table
    of the worst failures (those that leave demand short) and counted with the failures of no
    effect; the JSON's worst named it, the text did not."""
    from resilient_sc.analysis.report import stress_sentences, unlisted

    net = backup_network()
    plan = solve(net)
    result = stress_test(net, plan, failures=("supplier",))
    s = result.summary()
    assert (s["hurt"], s["costlier"]) == (1, 1) and s["intact_flow_cost"] == pytest.approx(400.0)
    assert result.worst_table(affected_only=True)["failure"].tolist() == ["supplier:SA", "supplier:SB1"]
    text = " ".join(stress_sentences(plan, result))
    assert ("1 failure leaves no more demand short but raises the flow cost; the dearest is supplier:SB1: "
            "its re-routed flows cost 120.00 more than the design's replay with nothing failed.") in text
    assert "whose flows cost" not in text  # the replay is the plan: nothing to say
    assert unlisted(result, 2) == ["1 other failure leaves no more demand short and costs no more than the "
                                   "design with nothing failed, and is not listed."]


def test_a_failures_change_in_flow_cost_says_it_is_against_the_replay_not_the_plan():
    """At most half of b from one supplier the plan buys 20 of b from SB1 and 20 from SB2: its
    flows cost 30·4 + 20·7 + 20·10 = 460. The replay holds no share: with nothing failed b
    comes from SB1 alone, 400. Losing SB1: 30·4 + 40·10 = 520, 120 more than the replay (60
    more than the plan), and losing SB2 changes nothing in the replay; the text read 'than the
    design's flows with nothing failed', which cost 460."""
    from resilient_sc.analysis.report import stress_sentences

    net = backup_network()
    plan = solve(net, Policy(max_supplier_share={"b": 0.5}))
    flows = sum(plan.breakdown[c] for c in ("purchase", "handling", "transport", "tariffs", "co2"))
    assert flows == pytest.approx(460.0)
    result = stress_test(net, plan, failures=("supplier",))
    f = result.failures.set_index("failure")["extra_cost"]
    assert f["supplier:SB1"] == pytest.approx(120.0) and f["supplier:SB2"] == pytest.approx(0.0, abs=1e-9)
    assert result.summary()["intact_flow_cost"] == pytest.approx(400.0)
    text = " ".join(stress_sentences(plan, result))
    assert ("Each failure's change in flow cost is against the design's replay with nothing failed, whose "
            "flows cost 400.00 where the plan's own flows cost 460.00: the replay re-routes without the "
            "policy's rules on flows (shares, caps, single sourcing, a CO2 limit).") in text


def test_a_design_that_contracts_nothing_guarantees_nothing():
    """At 10 a unit short, leaving Paris's 80 units short (800, less any closing) is cheaper than
    any supplier (tests/test_disruption.py: S_CN alone costs 1260): the plan contracts nothing,
    no failure touches it, and its summary says it guarantees 0%, not 100%."""
    from .test_disruption import disrupted_tiny

    net = disrupted_tiny()
    plan = solve(net, Policy(shortfall_penalty=10.0))
    assert plan.supplier_ids == [] and plan.hub_ids == []
    summary = stress_test(net, plan, scenarios=False).summary()
    assert summary["failures"] == 0
    assert summary["worst_served"] == 0.0
    assert np.isnan(summary["expected_value_served"])  # the tiny network has no unit values
    assert set(summary["expected_served_by_product"].values()) == {0.0}
    # its scenarios touch nothing it has: none is its worst failure (one was named)
    summary = stress_test(net, plan, failures=(), scenarios=True).summary()
    assert summary["failures"] > 0 and summary["hurt"] == 0 and summary["worst_failure"] == ""


def test_impact_is_what_a_failure_adds_to_what_is_short_with_nothing_failed(electronics):
    """At 50 a unit short the bundled design leaves most demand short with nothing failed: the
    replay at the plan's own penalty is the plan (its shortfall cost 7,538,500, the plan's). A
    failure's impact is what it adds: never negative (a failure only takes away), and 0 for a
    failure that touches nothing the design uses, not the intact shortfall again; the sentences
    say so first."""
    from resilient_sc.analysis.report import stress_sentences

    plan = solve(electronics, Policy(shortfall_penalty=50.0))
    result = stress_test(electronics, plan)
    intact, f = result.intact["shortfall_cost"], result.failures
    assert intact == pytest.approx(plan.breakdown["shortfall"]) and result.intact["worst_served"] == 0.0
    added = f["extra_cost"] + f["shortfall_cost"] - intact
    assert f["impact"].to_numpy() == pytest.approx(added.to_numpy())
    assert f["impact"].min() == pytest.approx(0.0, abs=1e-3) and (f["impact"] > -1e-3).all()
    said = stress_sentences(plan, result)
    assert said[1].startswith("With nothing failed the design already leaves demand short")
    assert f"shortfall cost of {intact:,.2f}" in said[1]


def test_disruption_probabilities_of_zero_weigh_every_failure_alike(electronics):
    net = electronics.replace(disruptions=electronics.disruptions.assign(probability=0.0))
    result = stress_test(net, solve(net))
    n = len(result.failures)
    assert result.conditional_on == (f"one of the {n} failures happening, each equally likely (the "
                                     "disruption scenarios' probabilities are all 0)")
    assert result.weights() == pytest.approx(np.full(n, 1 / n))
    named = stress_test(net, solve(net), probabilities={"scenario:korea_typhoon": 0.04, "country:CN": 0.01})
    assert "given for 2 of" in named.conditional_on  # failures, not the scenario's rows


def test_a_design_short_with_nothing_failed_counts_only_the_failures_that_add_to_it():
    """electronics with a shortfall penalty of 50 a unit (cheaper than serving most demand): the
    plan delivers about 8% of the demand's value, and so does the replay of its design at its
    own penalty. Replayed at 1,000 a unit short its design serves about 29%. A failure hurts
    when it leaves more short than with nothing failed, and the words say both figures where
    they differ."""
    from resilient_sc import examples
    from resilient_sc.analysis.report import stress_sentences

    net = examples.electronics()
    plan = solve(net, Policy(shortfall_penalty=50.0))
    result = stress_test(net, plan)
    hurt = result.hurt()
    short = result.intact["shortfall_cost"]
    assert 0 < hurt.sum() < len(result.failures) == result.summary()["failures"]
    assert (result.failures.loc[~hurt, "shortfall_cost"] <= short * (1 + 1e-7)).all()
    assert result.summary()["hurt"] == hurt.sum()
    text = " ".join(stress_sentences(plan, result))
    assert f"Of {len(result.failures)} failures replayed, {hurt.sum()} leave more demand short than with " \
           "nothing failed." in text
    own = plan.value_served()
    assert result.intact["value_served"] == pytest.approx(own) and "its plan delivers" not in text
    dearer = stress_test(net, plan, penalty=1_000.0)
    assert own < dearer.intact["value_served"] - 0.1
    assert (f"its plan delivers {served_fraction(own)} at its policy's shortfall penalty"
            in " ".join(stress_sentences(plan, dearer)))


def test_lp_noise_in_the_guaranteed_fraction_decides_no_order():
    """Two failures whose floors differ by 1e-16 (LP round-off) are ranked by impact, and named
    as tied only when their impacts agree too; four more tied read "and 1 more", not "and others"."""
    from resilient_sc.analysis.report import tied_with
    from resilient_sc.analysis.stress import StressResult

    floors = [0.9015388805665258, 0.9015388805665259, 0.5, 0.5, 0.5, 0.5, 0.5]
    impacts = [5.79e6, 8.70e6, 1.0, 1.0, 1.0, 1.0, 1.0]
    f = pd.DataFrame({"failure": list("abcdefg"), "worst_served": floors, "impact": impacts})
    result = StressResult(f, pd.DataFrame(), pd.DataFrame(), pd.Series(dtype=float), "")
    assert result.ranked()["failure"].tolist() == ["c", "d", "e", "f", "g", "b", "a"]
    assert tied_with(f, f.iloc[2]) == " (tied with d, e, f and 1 more)"
    assert tied_with(f, f.iloc[0]) == ""  # same floor to the LP's tolerance, another impact


def test_a_replay_at_the_policys_penalty_with_nothing_failed_is_the_plan():
    """The tiny network with a second market Far (80 units) behind a lane of 50 a unit: at a
    penalty of 30 the plan serves Paris and leaves Far short (shortfall 80 · 30 = 2,400). The
    replay at that penalty held the guaranteed floor (62.5% everywhere), so with nothing failed it
    served Far in part and Paris short (shortfall cost 1,800), and every failure seemed to save
    600. The policy's prices alone now choose the re-routing: the intact replay is the plan."""
    from resilient_sc import examples

    f = examples.tiny().frames()
    f["markets"] = pd.DataFrame({"market": ["Paris", "Far"], "country": "FR"})
    f["demand"] = pd.DataFrame({"market": ["Paris", "Far"], "demand": 80.0})
    f["lanes"] = pd.concat([f["lanes"], pd.DataFrame({"origin": ["H1"], "destination": ["Far"],
                                                       "unit_cost": [50.0]})], ignore_index=True)
    net = Network.from_frames(**f)
    plan = solve(net, Policy(shortfall_penalty=30.0))
    assert plan.breakdown["shortfall"] == pytest.approx(2_400.0)
    result = stress_test(net, plan)
    assert result.penalties.tolist() == [30.0]
    assert result.intact["shortfall_cost"] == pytest.approx(2_400.0)
    served = result.intact_shortfalls.set_index("market")["served"]
    assert served.to_dict() == pytest.approx({"Paris": 1.0, "Far": 0.0})
    assert (result.failures["impact"] >= -1e-6).all()


def test_a_failure_that_cuts_one_product_where_another_is_short_intact_is_a_row():
    """Market M wants 100 of A (SA makes 50) and 100 of B (SB1 and SB2 make 60 each), through H.
    Losing SB1 or SB2 cuts B to 60%; compared as the lowest over the products (A's 50% intact),
    those failures were missed by the heatmap's rows."""
    with pytest.warns(DataWarning, match="capacity 50 is below total demand 100"):
        net = short_of_a()
    result = stress_test(net, solve(net, Policy(shortfall_penalty=1_000.0)), failures=("supplier",))
    assert result.worse_than_intact("B") == ["supplier:SB1", "supplier:SB2"]
    assert result.worse_than_intact() == ["supplier:SA", "supplier:SB1", "supplier:SB2"]


def short_of_a() -> Network:
    return Network.from_frames(
        countries=pd.DataFrame({"country": ["X"], "region": ["R"]}),
        suppliers=pd.DataFrame({"supplier": ["SA", "SB1", "SB2"], "country": "X"}),
        supplier_products=pd.DataFrame({"supplier": ["SA", "SB1", "SB2"], "product": ["A", "B", "B"],
                                        "capacity": [50.0, 60.0, 60.0], "unit_cost": 1.0}),
        hubs=pd.DataFrame({"hub": ["H"], "country": ["X"]}),
        markets=pd.DataFrame({"market": ["M"], "country": ["X"]}),
        demand=pd.DataFrame({"market": "M", "product": ["A", "B"], "demand": 100.0}),
        lanes=pd.DataFrame({"origin": ["SA", "SB1", "SB2", "H"], "destination": ["H", "H", "H", "M"],
                            "unit_cost": 1.0}))


@pytest.mark.parametrize("penalty", [None, 40.0])
def test_a_failure_row_agrees_with_its_own_served_figures(penalty):
    """worst_served is the least fraction any market gets of any product in the re-routing shown
    -- by default t* (the floor held), at a low penalty of 40 a unit what those prices serve (the
    row said 100% beside chips 0% served); no shortfall is LP noise (1.5e-8 of cost, 6e-13
    units), value served stays in [0, 1] and extra cost 0 is 0."""
    net = examples.electronics()
    plan = solve(net, Policy(survive=("country",), service_level=0.8))
    result = stress_test(net, plan, failures=("country", "hub"), penalty=penalty)
    f, s = result.failures.set_index("failure"), result.shortfalls
    least = s.groupby("failure")["served"].min()
    assert np.allclose(f["worst_served"], least.reindex(f.index), atol=1e-6)
    assert (s.loc[s["served"] <= least.reindex(s["failure"]).to_numpy() + 1e-6]
            .groupby("failure").size() > 0).all()
    assert ((s["shortfall"] == 0) | (s["shortfall"] > 1e-7 * s["demand"])).all()
    short = s.groupby("failure")["shortfall"].sum().reindex(f.index)
    assert ((f["shortfall_cost"] > 0) == (short > 0)).all()
    assert f["value_served"].between(0.0, 1.0).all()
    assert ((f["extra_cost"] == 0) | (f["extra_cost"].abs() > 1e-6)).all()
    if penalty is not None:
        assert (f["worst_served"] < 1).all()  # 40 a unit is below what serving costs


def test_the_default_penalty_prices_the_dearest_path_not_two_legs_of_different_paths():
    """S1 -> H1 costs 50 + 1 (purchase, lane), H1 -> M 1; S2 -> H2 1 + 1, H2 -> M 50: the dearest
    path costs 52 either way, so π = unit value 0 + 10 × 52 = 520; the dearest inbound leg (51)
    and outbound leg (50) of different paths added made 1,010."""
    from resilient_sc.analysis.stress import default_penalties
    from resilient_sc.model.build import build_model

    net = Network.from_frames(
        countries=pd.DataFrame({"country": ["A"], "region": ["R"]}),
        suppliers=pd.DataFrame({"supplier": ["S1", "S2"], "country": "A"}),
        supplier_products=pd.DataFrame({"supplier": ["S1", "S2"], "capacity": 100.0, "unit_cost": 1.0}),
        hubs=pd.DataFrame({"hub": ["H1", "H2"], "country": "A"}),
        markets=pd.DataFrame({"market": ["M"], "country": ["A"]}),
        demand=pd.DataFrame({"market": ["M"], "demand": [10.0]}),
        lanes=pd.DataFrame({"origin": ["S1", "S2", "H1", "H2"], "destination": ["H1", "H2", "M", "M"],
                            "unit_cost": [50.0, 1.0, 1.0, 50.0]}))
    assert default_penalties(build_model(net)).tolist() == [pytest.approx(520.0)]


@pytest.mark.parametrize("per_unit", [1.0, 1e-3, 1e-6])
def test_the_default_penalty_scales_with_the_unit_of_its_product(per_unit):
    """The same network counted in thousands, pieces or millionths: every cost per unit ×
    per_unit, quantities ÷ per_unit, so π = 10 × (2 + 3) × per_unit = 50 × per_unit per unit and
    the shortfall cost of a failure the same money (a floor of 0.1 per unit priced a piece of
    1e-3 at 1, twenty times its 0.05); a network that prices nothing gets 1 per unit."""
    from resilient_sc.analysis.stress import default_penalties
    from resilient_sc.model.build import build_model

    def network(k: float) -> Network:
        return Network.from_frames(
            countries=pd.DataFrame({"country": ["A", "B"], "region": ["R", "R"]}),
            suppliers=pd.DataFrame({"supplier": ["S1", "S2"], "country": ["A", "B"]}),
            supplier_products=pd.DataFrame({"supplier": ["S1", "S2"], "capacity": [60 / per_unit] * 2,
                                            "unit_cost": 2.0 * k}),
            hubs=pd.DataFrame({"hub": ["H"], "country": "A"}),
            markets=pd.DataFrame({"market": ["M"], "country": ["A"]}),
            demand=pd.DataFrame({"market": ["M"], "demand": [100 / per_unit]}),
            lanes=pd.DataFrame({"origin": ["S1", "S2", "H"], "destination": ["H", "H", "M"],
                                "unit_cost": [1.0 * k, 1.0 * k, 2.0 * k]}))

    net = network(per_unit)
    assert default_penalties(build_model(net)).tolist() == [pytest.approx(50.0 * per_unit)]
    short = stress_test(net, solve(net), ["country"]).failures.set_index("failure")
    assert short.loc["country:B", "shortfall_cost"] == pytest.approx(40 * 50.0)  # 40 (thousand) units
    assert default_penalties(build_model(network(0.0))).tolist() == [1.0]


def test_an_element_named_in_probabilities_weighs_its_single_failure_only():
    """{"H_Busan": 0.1} also weighed the scenario korea_typhoon (H_Busan and S_KR_Ochang) through
    its first row, where {"S_KR_Ochang": 0.1} did not: an element stands for its single failure."""
    net = examples.electronics()
    plan = solve(net)
    for element, failure in (("H_Busan", "hub:H_Busan"), ("S_KR_Ochang", "supplier:S_KR_Ochang")):
        result = stress_test(net, plan, probabilities={element: 0.1})
        weighed = result.failures.loc[result.failures["probability"] > 0, "failure"].tolist()
        assert weighed == [failure]
        assert result.failures.loc[result.failures["expectation_weight"] > 0, "failure"].tolist() == [failure]
        assert "given for 1 of the" in result.conditional_on
    with pytest.raises(ValidationError, match="no failure replayed on the design has a probability above 0"):
        stress_test(net, plan, failures=("country",), probabilities={"H_Busan": 0.1})  # in a scenario only


def test_a_priced_replay_spreads_what_its_prices_leave_short_evenly():
    """S1 and S2 (100 units each, cost 1) feed H, which serves A and B (100 each) at the same
    cost. Losing S2 leaves 100 units for 200: at a penalty of 1,000 a unit every re-routing that
    delivers 100 is cheapest, and the LP's corner served A all and B nothing (least served 0%,
    for a design that can give each half). Of the cheapest re-routings the evenest is reported:
    50% each, as the default penalties' floor t* says."""
    net = Network.from_frames(
        countries=pd.DataFrame({"country": ["X"], "region": ["R"]}),
        suppliers=pd.DataFrame({"supplier": ["S1", "S2"], "country": "X"}),
        supplier_products=pd.DataFrame({"supplier": ["S1", "S2"], "capacity": 100.0, "unit_cost": 1.0}),
        hubs=pd.DataFrame({"hub": ["H"], "country": "X"}),
        markets=pd.DataFrame({"market": ["A", "B"], "country": "X"}),
        demand=pd.DataFrame({"market": ["A", "B"], "demand": 100.0}),
        lanes=pd.DataFrame({"origin": ["S1", "S2", "H", "H"], "destination": ["H", "H", "A", "B"],
                            "unit_cost": 1.0}))
    plan = solve(net)
    for penalty in (None, 1000.0):
        result = stress_test(net, plan, failures=("supplier",), penalty=penalty)
        row = result.failures.set_index("failure").loc["supplier:S2"]
        assert row["worst_served"] == pytest.approx(0.5, abs=1e-6)
        served = result.shortfalls.loc[result.shortfalls["failure"] == "supplier:S2", "served"]
        assert served.tolist() == pytest.approx([0.5, 0.5], abs=1e-6)
        assert row["shortfall_cost"] == pytest.approx(100 * result.penalties.iloc[0])


def test_nothing_to_replay_is_said_not_reported_as_no_failure():
    """``--failures scenario`` on data without a disruptions table replayed nothing and reported
    "No failure was replayed."; now the caller is told what to name."""
    net, plan = short_by_policy()
    with pytest.raises(ResilientSCError, match="no failure kind was named and the data has no disruptions"):
        stress_test(net, plan, failures=(), scenarios=True)
    with pytest.raises(ResilientSCError, match="no failure to replay: no failure kind was named; name one"):
        stress_test(net, plan, failures=(), scenarios=False)


def test_a_product_served_whole_reads_served_in_the_first_row_beside_one_short():
    """:func:`short_by_policy` with a second product b (10 units at A from S2, the open
    contract, through H2): the heatmap's panels share their rows, and b's first row, nothing
    failed, was blank (grey: "no demand") though b is served whole; it reads 100 at A."""
    net, _ = short_by_policy()
    f = net.frames()
    f["supplier_products"] = pd.concat([f["supplier_products"], pd.DataFrame(
        {"supplier": ["S2"], "product": ["b"], "capacity": [200.0], "unit_cost": [1.0]})])
    f["demand"] = pd.concat([f["demand"],
                             pd.DataFrame({"market": ["A"], "product": ["b"], "demand": [10.0]})])
    f.pop("products")  # the products of the rows then
    net = Network.from_frames(**{k: v for k, v in f.items() if len(v)})
    result = stress_test(net, solve(net, Policy(shortfall_penalty=20.0)), failures=("supplier", "hub"))
    assert result.short_intact() and not result.short_intact("b")
    served = result.served_matrix("b")
    assert served.index[0] == NOTHING_FAILED and served.loc[NOTHING_FAILED, "A"] == pytest.approx(1.0)
    fig = fg.served_heatmap(result)
    assert fig.axes[0].get_yticklabels()[0].get_text() == NOTHING_FAILED  # rows shared with b's panel
    panel = next(ax for ax in fig.axes if ax.get_title().startswith("b "))
    column = [t.get_text() for t in panel.get_xticklabels()].index("A")
    first_row = [t.get_text() for t in panel.texts if t.get_position() == (column, 0)]
    assert first_row == ["100"]


def _quantities_times(net: Network, k: float) -> Network:
    """``net`` with its demands, capacities and fixed costs times ``k`` (the same designs, k times
    the cost)."""
    return net.replace(demand=net.demand.assign(demand=net.demand["demand"] * k),
                       supplier_products=net.supplier_products.assign(
                           capacity=net.supplier_products["capacity"] * k),
                       hubs=net.hubs.assign(capacity=net.hubs["capacity"] * k,
                                            fixed_cost=net.hubs["fixed_cost"] * k),
                       suppliers=net.suppliers.assign(fixed_cost=net.suppliers["fixed_cost"] * k))


@pytest.mark.filterwarnings(r"ignore:\(stress_test\) \| the network differs")
def test_the_guaranteed_fraction_does_not_depend_on_the_units_of_quantities():
    """The example with demands, capacities and fixed costs times 1000 (demands up to 7e7 units)
    has the same design under survive country 0.8 and the same worst served fraction per
    failure as at its own scale (80.7% for Taiwan; the floor rows once written in units left the
    duals of such demands within HiGHS's tolerance: 61.2%), never below the service level; the
    base design replayed at a million times (demands up to 4.7e9: a floor coefficient 1/demand
    below HiGHS's smallest, 1e-9, was dropped and every failure read 100% served) gives the same
    as at its own scale."""
    net = examples.electronics()
    big = _quantities_times(net, 1000.0)
    policy = Policy(min_suppliers=2, survive=["country"], service_level=0.8)
    plans = [solve(n, policy) for n in (net, big)]
    assert plans[1].supplier_ids == plans[0].supplier_ids and plans[1].hub_ids == plans[0].hub_ids
    base = solve(net)
    networks, designs = (net, big, net, _quantities_times(net, 1e6)), (*plans, base, base)
    served = [stress_test(n, p, failures=("country",)).failures.set_index("failure")["worst_served"]
              for n, p in zip(networks, designs, strict=True)]
    assert served[1].to_dict() == pytest.approx(served[0].to_dict(), abs=1e-6)
    assert served[3].to_dict() == pytest.approx(served[2].to_dict(), abs=1e-6)
    assert served[3]["country:TW"] == pytest.approx(0.8075, abs=1e-4) and served[3]["country:BR"] == 0.0
    assert served[0]["country:TW"] == pytest.approx(0.807484, abs=1e-6)
    assert (served[1] >= 0.8 - 1e-9).all()


def test_a_plan_stress_tested_on_other_data_says_so():
    """One of the plan's hubs closed in the data given: the design was replayed without it (value
    served 90.0% -> 70.8%) without a word (an audit of round trips). The same data read again, or
    its frames validated again, is the same network: no warning."""
    import warnings

    from resilient_sc import RunWarning

    net = examples.electronics()
    plan = solve(net, Policy(min_local_share=0.5))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        stress_test(examples.electronics(), plan)
        stress_test(Network.from_frames(net.frames()), plan)  # empty tables typed as absent ones
        reordered = {k: v.iloc[::-1] for k, v in net.frames().items()}  # rows and their numbers differ
        stress_test(Network.from_frames(reordered), plan)
    frames = net.frames()
    frames["hubs"].loc[frames["hubs"]["hub"] == plan.hub_ids[0], "status"] = "closed"
    said = r"^\(stress_test\) \| the network differs from the one the plan was solved on \(in hubs\)"
    with pytest.warns(RunWarning, match=said + r": its design is replayed on this network's data"):
        stress_test(Network.from_frames(frames), plan)


def test_a_misspelt_product_is_refused_not_read_as_served():
    """worse_than_intact('cell') was [] ('no failure is worse') where 'cells' has five; served_matrix
    had no column and short_intact said False (API audit)."""
    net = examples.electronics()
    result = stress_test(net, solve(net), failures=("country",))
    for method in (result.worse_than_intact, result.served_matrix, result.short_intact):
        with pytest.raises(ValidationError, match=r"'cell' is no product of the stress test \(did you mean "
                                                  r"'cells'\?\); its products are cells, chips, displays"):
            method("cell")
    assert result.worse_than_intact("cells")


def test_a_design_built_for_levels_by_region_says_the_replay_holds_one_floor_not_those_levels():
    """service_level {Europe: 0.9, Asia: 0.7} asks 1 of the Americas (conventions §8.4): the
    replay's one floor for every market showed Chicago at 90.15% under country:CN, read as the
    guarantee broken, where the design serves the Americas in full (docs audit, checked by an
    independent LP); the legends now say what the figure is and is not."""
    from resilient_sc.analysis.premium import PolicyOutcome, floor_caveat
    from resilient_sc.analysis.report import stress_method

    net = examples.electronics()
    levels = Policy(survive=("country",), service_level={"Europe": 0.9, "Asia": 0.7})
    plan = solve(net, levels)
    result = stress_test(net, plan, failures=["country"], scenarios=False)
    region = net.markets["country"].map(net.countries.set_index("country")["region"])
    americas = set(net.markets.loc[region.isin(["North America", "Latin America"]), "market"])
    cn = result.shortfalls.query("failure == 'country:CN'")
    assert (cn.loc[cn["market"].isin(americas), "served"] < 0.95).any()  # below their level of 1
    assert result.levels == "{Europe: 0.9, Asia: 0.7}, 1 elsewhere"
    said = ("the policy's own service levels, {Europe: 0.9, Asia: 0.7}, 1 elsewhere, are not replayed, so a "
            "market may show less than its level where another re-routing serves it that level")
    assert said in result.floor_words and said in " ".join(stress_method(result))
    assert "(service levels by region or product) it is one floor" in floor_caveat(
        [PolicyOutcome("levels", levels, plan, result)])
    uniform = stress_test(net, solve(net, Policy(survive=("country",), service_level=0.8)),
                          failures=["country"], scenarios=False)
    assert uniform.levels == "" and "not replayed" not in uniform.floor_words
