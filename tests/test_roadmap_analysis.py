"""Analyses of roadmaps (resilient_sc.analysis.roadmap): premiums of policy paths, the end-year
frontier, stress tests per period, the myopic path and the roadmap figure.

Hand-solved numbers use :func:`tests.test_roadmap.paris` (see its module docstring): the base
path keeps S_CN, 160 a period; the glide path ``min_local_share {2027: 1}`` switches to S_FR in
2027: 200 fixed + 300 opening + 10 · 8 + closing S_CN 50 = 630.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import math
import re
import warnings
from pathlib import Path

import pandas as pd
import pytest

from resilient_sc import DataWarning, InfeasiblePolicyError, Network, Policy, ValidationError, solve
from resilient_sc.analysis import (
    end_year_frontier,
    myopic_path,
    planning_value,
    roadmap_outcomes,
    roadmap_premium,
    roadmap_stress,
    roadmap_stress_table,
    stress_test,
)
from resilient_sc.analysis.roadmap import at_last_period, period_network, roadmap_premium_table
from resilient_sc.analysis.roadmap_report import (
    premium_columns,
    roadmap_premium_sentences,
    roadmap_stress_sentences,
)
from resilient_sc.format import signed_pct_points
from resilient_sc.periods import in_period
from resilient_sc.roadmap import solve_roadmap
from resilient_sc.solvers.base import Status

from .test_roadmap import in_turn, paris, random_roadmap, table

GLIDE = Policy(min_local_share={"2027": 1.0})
SUPPLIERS = "supplier country fixed_cost status opening_cost closing_cost lead_time"


def both_suppliers_now() -> Network:
    """paris() with S_FR available from 2026 (lead time 0)."""
    return paris(suppliers=table(SUPPLIERS, ("S_CN", "CN", 100.0, "existing", 30.0, 50.0, 0),
                                 ("S_FR", "FR", 200.0, "candidate", 300.0, 0.0, 0)))


# ---- premium of policy paths ------------------------------------------------------------
def test_premium_of_a_glide_path():
    """Base 160 + 160 = 320; glide 160 + 630 = 790: premium 470, (790 − 320) / 320 = 146.875 %;
    2027 alone (630 − 160) / 160 = 293.75 %. min_local_share {2026: 1} has no path (S_FR's lead
    time keeps it out of 2026)."""
    df = roadmap_premium(paris(), {"glide": GLIDE, "now": Policy(min_local_share={"2026": 1.0})},
                         workers=2)
    assert df["policy"].tolist() == ["base", "glide", "now"]
    base, glide, now = (df.iloc[i] for i in range(3))
    assert (base["cost"], base["premium_pct"]) == (320.0, 0.0)
    assert glide["cost"] == pytest.approx(790.0)
    assert glide["premium"] == pytest.approx(470.0)
    assert glide["premium_pct"] == pytest.approx(100 * (790 - 320) / 320)
    assert (glide["cost 2026"], glide["cost 2027"]) == pytest.approx((160.0, 630.0))
    assert (glide["premium_pct 2026"], glide["premium_pct 2027"]) == pytest.approx((0.0, 293.75))
    assert (glide["n_suppliers_started"], glide["n_suppliers_stopped"]) == (1, 1)
    assert (glide["local_share"], glide["allied_share"]) == pytest.approx((1.0, 1.0))
    assert (glide["top_country"], glide["top_country_share"]) == ("FR", pytest.approx(1.0))
    assert (base["top_country"], base["local_share"]) == ("CN", 0.0)
    assert now["status"] == "infeasible" and "S_FR (lead_time 1)" in now["reason"]
    assert math.isnan(now["cost"])


def test_premium_weights_and_outcomes():
    """Weights (1, 0.5): base 160 + 80 = 240, glide 160 + 315 = 475; the outcomes keep the
    roadmaps."""
    outcomes = roadmap_outcomes(paris(weights=(1.0, 0.5)), {"glide": GLIDE}, workers=1)
    assert [o.roadmap.objective for o in outcomes] == pytest.approx([240.0, 475.0])
    df = roadmap_premium(paris(weights=(1.0, 0.5)), {"glide": GLIDE}, workers=1)
    assert df["premium_pct"].iloc[1] == pytest.approx(100 * (475 - 240) / 240)
    assert df["cost 2027"].iloc[1] == pytest.approx(630.0)  # per period: unweighted


def test_premium_base_without_a_path_raises():
    with pytest.raises(InfeasiblePolicyError, match="base path"):
        roadmap_premium(paris(), {}, base=Policy(min_local_share={"2026": 1.0}), workers=1)


def test_premium_checks_every_policy_first():
    with pytest.raises(ValidationError, match="policy 'bad'"):
        roadmap_premium(paris(), {"bad": Policy(min_local_share={"2031": 1.0})}, workers=1)


# ---- end-year frontier ------------------------------------------------------------------
def test_end_year_frontier():
    """min_local_share in 2027 only: 0 is the base path (320), 1 the glide path (790)."""
    df = end_year_frontier(paris(), "min_local_share", [0.0, 1.0], workers=1)
    assert df["min_local_share"].tolist() == [0.0, 1.0]
    assert df["cost"].tolist() == pytest.approx([320.0, 790.0])
    assert df["premium_pct"].tolist() == pytest.approx([0.0, 100 * 470 / 320])
    assert df["local_share"].tolist() == pytest.approx([0.0, 1.0])
    assert df["cost 2026"].tolist() == pytest.approx([160.0, 160.0])
    # a mapping cannot be one period's value (it said "min_local_share['2027'] == {...}, must be a number")
    said = r"\(values\) \| min_local_share \{'Europe': 0.5\}: the end-year frontier sets one number in "
    with pytest.raises(ValidationError, match=said + r"the last period \('2027'\)"):
        end_year_frontier(paris(), "min_local_share", [{"Europe": 0.5}], workers=1)


def test_an_end_year_frontier_says_what_its_costs_count_and_which_keys_still_bind():
    """Penalty 100 a unit, swept in 2027 over 5 and 1000: at 5, stopping S_CN (closing 50) and
    leaving the 10 units short (50) costs 100 < 160: the path 260, of which 50 shortfall, its
    network 210 (-34.4% against the 320 of the cost-optimal path, premium -18.75%); the table
    and sentences showed only the premium. A product key ({default: 100}) still binds in 2027:
    5 and 1000 then tie at 320, which the sentences say (a "step" read as a threshold)."""
    from resilient_sc.analysis.end_year_report import end_year_frontier_sentences, frontier_columns

    df = end_year_frontier(paris(), "shortfall_penalty", [5.0, 1000.0], Policy(shortfall_penalty=100.0),
                           workers=1)
    assert df["cost"].tolist() == pytest.approx([260.0, 320.0])
    assert df["network_premium_pct"].tolist() == pytest.approx([100 * (210 - 320) / 320, 0.0])
    assert "network_premium_pct" in frontier_columns(df, "shortfall_penalty", "2027")
    said = end_year_frontier_sentences(df, "shortfall_penalty", "2027")
    assert "without them the network's premium goes from -34.38% to 0.00%." in " ".join(said)
    assert not any("name no period" in s for s in said)
    keyed = end_year_frontier(paris(), "shortfall_penalty", [5.0, 1000.0],
                              Policy(shortfall_penalty={"default": 100.0}), workers=1)
    assert keyed["cost"].tolist() == pytest.approx([320.0, 320.0]) and keyed.attrs["kept_keys"] == {
        "default": 100.0}
    said = " ".join(end_year_frontier_sentences(keyed, "shortfall_penalty", "2027"))
    assert "The starting policy's keys that name no period (shortfall_penalty {default: 100}) hold in 2027 " \
           "too, the stricter binding" in said


def test_a_shortfall_penalty_mapping_names_the_period_it_leaves_unpriced():
    """Period keys for 2026 only on the two-period network: every product is priced there, none
    in 2027, and the message says so (it named the products alone)."""
    with pytest.raises(ValidationError) as err:
        solve_roadmap(paris(), Policy(shortfall_penalty={"2026": 50.0}))
    assert err.value.problems == ("(policy) | shortfall_penalty names no money per unit short of product "
                                  "'default' in 2027: a mapping prices every product in every period (one "
                                  "number prices them all alike)",)


def test_an_end_year_frontier_of_the_penalty_needs_one_to_start_from():
    """Without a penalty in the starting policy only the last period would have a price: one
    message says so (it was one per product and value, about mappings the user never gave)."""
    with pytest.raises(ValidationError) as err:
        end_year_frontier(paris(), "shortfall_penalty", [10.0, 100.0], workers=1)
    assert err.value.problems == ("(policy) | shortfall_penalty: the starting policy sets none, so the "
                                  "periods before '2027' would have no price of a unit short; set one in "
                                  "the starting policy (the frontier then sweeps the last period's)",)


def test_end_year_frontier_one_period():
    """Without a periods table the one period is the last: S_FR (lead time 1) never operates, so
    a local share of 1 has no plan."""
    with pytest.warns(DataWarning, match="lead_time 1 is past the last period"):
        net = paris(())
    df = end_year_frontier(net, "min_local_share", [0.0, 1.0], workers=1)
    assert df["status"].tolist() == ["optimal", "infeasible"]
    assert df["cost"].iloc[0] == pytest.approx(160.0) and df["reason"].iloc[1]


def test_at_last_period_keeps_the_glide_path():
    ids = ["2026", "2027", "2028"]
    glide = Policy(min_local_share={"2026": 0.1, "2028": 0.5, "Europe": 0.2})
    assert at_last_period(glide, "min_local_share", 0.9, ids).min_local_share == {
        "2026": 0.1, "Europe": 0.2, "2028": 0.9}
    assert at_last_period(Policy(min_local_share=0.3), "min_local_share", 0.9, ids).min_local_share == {
        "2026": 0.3, "2027": 0.3, "2028": 0.9}
    assert at_last_period(Policy(), "max_country_share", 0.4, ids).max_country_share == {"2028": 0.4}
    assert at_last_period(Policy(min_local_share={2028: 0.5}), "min_local_share", None,
                          ids).min_local_share is None


@pytest.mark.parametrize("field", ["co2_cap", "survive", "min_hubs"])
def test_end_year_frontier_refuses_a_field_without_mapping(field):
    with pytest.raises(ValidationError, match=field):
        end_year_frontier(paris(), field, [1], workers=1)


# ---- stress tests per period ------------------------------------------------------------
def test_roadmap_stress_is_the_stress_test_of_each_period():
    """survive supplier keeps both suppliers in both periods: losing S_CN re-routes 10 units to
    S_FR at 8 instead of 6 a unit (+20), all served; losing the hub H serves nothing."""
    net = both_suppliers_now()
    r = solve_roadmap(net, Policy(survive=("supplier",)))
    results = roadmap_stress(r)
    assert list(results) == ["2026", "2027"]
    for period, result in results.items():
        direct = stress_test(in_period(net, period), r.plans[period])
        pd.testing.assert_frame_equal(result.failures, direct.failures)
        f = result.failures.set_index("failure")
        assert f.loc["supplier:S_CN", "worst_served"] == 1.0
        assert f.loc["supplier:S_CN", "extra_cost"] == pytest.approx(20.0)
        assert f.loc["hub:H", "worst_served"] == 0.0
    summary = roadmap_stress_table(results)
    assert summary["period"].tolist() == ["2026", "2027"] and (summary["worst_served"] == 0.0).all()
    text = roadmap_stress_sentences(r, results)  # losing FR loses H: the same floor and impact
    assert "the worst is hub:H (tied with country:FR): some market gets none" in text[2]
    stopped = dataclasses.replace(r, status=Status.TIME_LIMIT, gap=0.01)  # kept with allow_nonoptimal
    assert roadmap_stress_sentences(stopped, results)[1] == (
        "The roadmap is the best found within the limits of the solve (not proven optimal: time limit, gap "
        "1.0000%): cheaper designs may exist.")


def test_roadmap_stress_counts_a_candidate_past_its_lead_time():
    """The glide path's 2027 design is S_FR (lead time 1) and H: its stress test is the one of
    the same data with S_FR available, and S_FR's failure is replayed."""
    r = solve_roadmap(paris(), GLIDE)
    result = roadmap_stress(r, failures=("supplier",))["2027"]
    assert result.failures["failure"].tolist() == ["supplier:S_FR"]
    net = both_suppliers_now()
    direct = stress_test(in_period(net, "2027"), r.plans["2027"], ("supplier",))
    pd.testing.assert_frame_equal(result.failures, direct.failures)


# ---- the myopic path --------------------------------------------------------------------
def test_myopic_equals_the_roadmap_when_nothing_is_to_foresee():
    for net, policy, total in ((paris(), Policy(), 320.0), (paris(), GLIDE, 790.0)):
        m = myopic_path(net, policy)
        assert m.objective == pytest.approx(total)
        assert m.objective == pytest.approx(solve_roadmap(net, policy).objective)
    myopic = myopic_path(paris(), GLIDE)
    assert myopic.table()["suppliers_started"].tolist() == ["", "S_FR"]
    with pytest.raises(ValueError, match="verify needs the roadmap's model, and this roadmap has none"):
        myopic.verify()  # was a bare AssertionError (gone under python -O)


def test_a_myopic_path_is_saved_and_said_as_a_roadmap(tmp_path):
    """Its to_dict, readme, save and workbook failed on its missing model (the free-restart
    warning read the opening costs there): API audit."""
    from resilient_sc.workbook import write_workbook

    myopic = myopic_path(paris(), GLIDE)
    assert myopic.path_warnings == () and myopic.to_dict()["objective"] == pytest.approx(790.0)
    assert "roadmap_design.csv" in myopic.readme()
    assert (myopic.save(tmp_path / "path") / "roadmap.json").is_file()
    assert write_workbook(tmp_path / "path.xlsx", roadmap=myopic).is_file()


@pytest.mark.parametrize(("opening", "roadmap", "myopic"), [(30.0, 400.0, 400.0), (60.0, 420.0, 430.0)])
def test_myopic_stops_what_the_roadmap_keeps(opening, roadmap, myopic):
    """No demand in 2027. Seeing 2027 alone, S_CN is stopped (closing 50 < fixed 100) and
    started again in 2028 (opening): 160 + 50 + 160 + opening. The roadmap keeps it when
    50 + opening > 100: at 60 it pays 160 + 100 + 160 = 420, 10 less than the myopic 430."""
    net = paris(("2026", "2027", "2028"),
                suppliers=table(SUPPLIERS, ("S_CN", "CN", 100.0, "existing", opening, 50.0, 0),
                                ("S_FR", "FR", 200.0, "candidate", 300.0, 0.0, 1)),
                demand=table("market demand period", ("Paris", 0.0, "2027")))
    m = myopic_path(net)
    assert m.costs["total"].tolist() == pytest.approx([160.0, 50.0, 160.0 + opening])
    assert m.objective == pytest.approx(myopic)
    value = planning_value(net).set_index("period")
    assert value.loc["total (Σ weight × cost)", "roadmap"] == pytest.approx(roadmap)
    assert value.loc["total (Σ weight × cost)", "value"] == pytest.approx(myopic - roadmap)


@pytest.mark.parametrize("seed", range(4))
def test_myopic_is_never_cheaper(seed):
    net, policy = random_roadmap(seed)
    m, r = myopic_path(net, policy), solve_roadmap(net, policy)
    assert m.objective >= r.objective * (1 - 1e-6) - 1e-6
    assert m.objective == pytest.approx(in_turn(net, policy, myopic=True), rel=1e-6)
    assert m.costs["weighted"].sum() == pytest.approx(m.objective)
    assert len(m.timeline()) >= 1 and list(m.plans) == r.period_ids


def test_period_network_moves_statuses_and_lead_times():
    net = period_network(paris(), "2027", 1, before={"S_FR", "H"})
    s = net.suppliers.set_index("supplier")
    assert s.loc["S_FR", "status"] == "existing" and s.loc["S_CN", "status"] == "candidate"
    assert s["lead_time"].tolist() == [0, 0]
    assert net.hubs["status"].tolist() == ["open"]


def test_myopic_names_the_period_without_a_plan():
    with pytest.raises(InfeasiblePolicyError, match="in period 2026"):
        myopic_path(paris(), Policy(min_local_share={"2026": 1.0}))


# ---- the figure -------------------------------------------------------------------------
def test_roadmap_figure(tmp_path):
    pytest.importorskip("matplotlib")
    from resilient_sc.analysis.figures import save_figure
    from resilient_sc.analysis.roadmap_figure import roadmap_figure

    r = solve_roadmap(paris(), GLIDE)
    fig = roadmap_figure(r)
    top, bottom, keys, share_keys = fig.axes
    labels = [t.get_text() for t in top.get_yticklabels()]
    assert labels == ["suppliers", "S_CN (CN)", "S_FR (FR)", "hubs", "H (FR)"]  # the country a second cue
    assert [t.get_text() for t in keys.get_legend().get_texts()] == ["CN", "FR"]  # countries
    markers = [a for a in keys.artists if a is not keys.get_legend()]
    assert [t.get_text() for t in markers[0].get_texts()] == ["started (opening cost)",
                                                              "stopped (closing cost)"]
    assert len(top.patches) == 4  # S_CN in 2026, S_FR in 2027, H in both
    assert [t.get_text() for t in share_keys.get_legend().get_texts()] == [
        "local (market's region)", "allied (country or bloc)", "top origin country"]
    assert "790" in fig._suptitle.get_text()
    assert [t.get_text() for t in bottom.get_xticklabels()] == ["2026\n160\n× 1", "2027\n630\n× 1"]
    assert "demand-weighted" in bottom.get_ylabel() or "value-weighted" in bottom.get_ylabel()
    assert save_figure(fig, tmp_path / "roadmap.png").stat().st_size > 0
    # a country keeps its colour in every roadmap of the network: FR's also where it is alone
    candidates = paris(suppliers=table(SUPPLIERS, ("S_CN", "CN", 100.0, "candidate", 30.0, 50.0, 0),
                                       ("S_FR", "FR", 200.0, "candidate", 300.0, 0.0, 0)))
    alone = roadmap_figure(solve_roadmap(candidates, Policy(min_local_share=1.0)))
    rows = [t.get_text() for t in alone.axes[0].get_yticklabels()]
    assert rows == ["suppliers", "S_FR (FR)", "hubs", "H (FR)"]
    assert alone.axes[0].patches[0].get_facecolor() == top.patches[1].get_facecolor()
    assert "not proven" not in fig._suptitle.get_text()
    stopped = dataclasses.replace(r, status=Status.TIME_LIMIT, bound=700.0, gap=90 / 790)
    title = roadmap_figure(stopped)._suptitle.get_text()
    assert " ".join(title.split()).endswith("; not proven optimal (time_limit, gap 11.3924%)")
    long = roadmap_figure(stopped, "Roadmap under a_policy_file_with_a_rather_long_name_2026.yaml")
    lines = long._suptitle.get_text().splitlines()  # wrapped to the figure, not cut off at its edges
    assert len(lines) > 1 and max(map(len, lines)) <= long.get_figwidth() * 9.5


def test_a_supplier_kept_to_spare_its_closing_cost_is_idle_not_operating():
    """Closing S_CN costs 1,000 here, its fixed cost 100: under the glide path (all local in
    2027) it stays contracted in 2027 but buys nothing, 160 + (100 + 200 + 300 + 80) = 840. It read
    'operating' in the timeline and as a full bar of China (roadmap audit): it is 'idle' there,
    hatched in the figure."""
    keep = paris(suppliers=table(SUPPLIERS, ("S_CN", "CN", 100.0, "existing", 30.0, 1000.0, 0),
                                 ("S_FR", "FR", 200.0, "candidate", 300.0, 0.0, 1)))
    r = solve_roadmap(keep, GLIDE)
    assert r.objective == pytest.approx(840.0)
    cn = r.design.loc[r.design["id"] == "S_CN"]
    assert cn["operating"].tolist() == [True, True] and cn["carrying"].tolist() == [True, False]
    timeline = r.timeline().set_index("id")
    assert timeline.loc["S_CN", ["2026", "2027"]].tolist() == ["operating", "idle"]
    assert timeline.loc["S_FR", ["2026", "2027"]].tolist() == ["", "started"]
    pytest.importorskip("matplotlib")
    from resilient_sc.analysis.roadmap_figure import roadmap_figure

    fig = roadmap_figure(r)
    hatched = [p for p in fig.axes[0].patches if p.get_hatch()]
    assert len(hatched) == 1 and hatched[0].get_x() == pytest.approx(0.5)  # 2027 of S_CN
    legend = [t.get_text() for t in fig.axes[2].artists[0].get_texts()]
    assert legend[-1] == "idle: operating,\ncarrying nothing"


def test_end_year_frontier_chart_has_no_service_in_its_legend():
    """The roadmap frontier draws the last period's shares where the one-period frontier draws
    worst-case service; its legend named 'worst-case guaranteed service' too, in the style of
    the local share's line."""
    pytest.importorskip("matplotlib")
    from resilient_sc.analysis.end_year_report import _frontier_chart

    df = end_year_frontier(paris(), "min_local_share", [0.0, 1.0], workers=1)
    fig = _frontier_chart(df, "min_local_share", "2027")
    (legend,) = fig.legends
    texts = [t.get_text() for t in legend.get_texts()]
    assert texts == ["premium", "local share in 2027", "allied share in 2027"]
    assert all(ax.get_legend() is None for ax in fig.axes)  # below the axes: no point hidden


def test_premium_of_a_path_that_leaves_demand_short():
    """Shortfall at 10 a unit is cheaper than S_CN (fixed 100 + 6 a unit): the path ends S_CN in
    2026 (closing 50) and leaves Paris short in both periods, 50 + 2 · 10 · 10 = 250 against the
    base's 320: a premium of (250 − 320) / 320 = −21.875 %, but its network alone (the closing,
    50) costs (50 − 320) / 320 = −84.375 % against the base's."""
    outcomes = roadmap_outcomes(paris(), {"short": Policy(shortfall_penalty=10.0)}, workers=1)
    df = roadmap_premium_table(outcomes)
    base, short = df.iloc[0], df.iloc[1]
    assert (base["network_cost"], base["network_premium_pct"]) == (320.0, 0.0)
    assert (short["cost"], short["network_cost"]) == pytest.approx((250.0, 50.0))
    assert short["premium_pct"] == pytest.approx(-21.875)
    assert short["network_premium_pct"] == pytest.approx(-84.375)
    assert "network_premium_pct" in premium_columns(df)[0]
    assert any("network premium leaves them out" in s for s in roadmap_premium_sentences(outcomes, df))


def test_a_path_that_leaves_demand_short_says_its_network_cost_in_its_figure_and_json():
    """The path above (250, of which the closing, 50, is its network): roadmap.png's 'total cost
    250' and each period's cost read as what the network costs; roadmap.json had no network cost."""
    pytest.importorskip("matplotlib")
    from resilient_sc.analysis.roadmap_figure import roadmap_figure

    short = solve_roadmap(paris(), Policy(shortfall_penalty=10.0))
    fig = roadmap_figure(short)
    assert " ".join(fig._suptitle.get_text().split()).endswith(
        "total cost 250 (Σ weight × period cost, money, of which the network 50 and the rest shortfall and "
        "disruption-scenario cost)")
    assert "with opening and closing, shortfall and disruption-scenario cost" in " ".join(
        fig.axes[1].get_xlabel().split())
    said = short.to_dict()
    assert said["network_cost"] == pytest.approx(50.0)
    assert [p["network_cost"] for p in said["periods"]] == pytest.approx([50.0, 0.0])
    plain = roadmap_figure(solve_roadmap(paris(), GLIDE))
    assert "network" not in plain._suptitle.get_text() and "shortfall" not in plain.axes[1].get_xlabel()


def test_paths_that_tie_are_said_to_cost_the_same():
    """Two policies that the cost-optimal path already meets tie with it and with each other: the
    sentences say so, never that one costs most and the same one least, nor "0.00% less"."""
    loose = Policy(max_country_share={"2027": 1.0})
    outcomes = roadmap_outcomes(paris(), {"a": loose, "b": loose}, workers=1)
    said = roadmap_premium_sentences(outcomes, roadmap_premium_table(outcomes))
    assert said[1] == ("The policy paths all cost the same to the shown 0.01% (+0.00% over the "
                       "cost-optimal path).")
    assert said[2].startswith("a costs the same as the cost-optimal path (within 0.00005%)")


def test_frontier_sentences_of_one_point_and_of_tiny_steps():
    """One feasible value reads as one point, not a range from it to itself; the largest step is
    given in the table's two decimals, and none when it reads +0.00."""
    from resilient_sc.analysis.frontier_report import frontier_sentences
    df = pd.DataFrame({"min_local_share": [0.6, 0.4], "status": ["optimal", "infeasible"],
                       "reason": ["", "no"], "cost": [100.0, math.nan], "premium_pct": [0.1, math.nan]})
    assert frontier_sentences(df, "min_local_share")[0] == (
        "Only min_local_share = 0.6 gives a feasible design: it costs 100.00 (premium 0.10%).")
    tiny = pd.DataFrame({"min_local_share": [0.002, 0.004, 0.006], "status": "optimal",
                         "cost": [100.0, 100.001, 100.002], "premium_pct": [0.28, 0.282, 0.284]})
    said = frontier_sentences(tiny, "min_local_share")
    assert said == ["As min_local_share goes from 0.002 to 0.006, the cost goes from 100.00 to 100.00 "
                    "(premium 0.28% to 0.28%)."]
    steps = tiny.assign(premium_pct=[0.0, 2.63, 4.58])  # 0 → 0.5 by 2.63, then 0.5 → 0.75 by 1.95
    assert frontier_sentences(steps, "min_local_share")[-1] == (
        "The largest step in premium is from 0.002 to 0.004: +2.63 percentage points.")


def test_a_one_period_function_on_a_roadmap_names_the_roadmap_ones():
    """``solve``, ``stress_test`` or ``premium`` on data with a periods table: the error names
    what to call instead (the roadmap's solve and analyses, or one period's network)."""
    net = paris()
    plan = solve_roadmap(net).plans["2027"]
    for call in (lambda: solve(net), lambda: stress_test(net, plan)):
        with pytest.raises(ValidationError) as exc:
            call()
        text = str(exc.value)
        assert "solve_roadmap" in text and "roadmap_stress" in text and "in_period(network, period)" in text


def test_path_premiums_over_a_base_path_not_proven_optimal_say_so():
    """A base path stopped at its time limit is 'the best path found … not proven optimal', never
    'the cost-optimal path' in the first sentence, and a path not proven optimal says its gap."""
    from resilient_sc.solvers.base import Status

    def unproven(outcome, gap, name):
        stopped = dataclasses.replace(outcome.roadmap, status=Status.TIME_LIMIT, gap=gap)
        return dataclasses.replace(outcome, name=name, roadmap=stopped)

    (base,) = roadmap_outcomes(paris(), {}, workers=1)
    outcomes = [unproven(base, 0.01, "base"), unproven(base, 0.02, "local")]
    first, *rest = roadmap_premium_sentences(outcomes, roadmap_premium_table(outcomes))
    assert first.startswith("The best path found for the base (not proven optimal: time limit, gap 1.0000%) "
                            "costs ")
    assert first.endswith("the premiums below are over it, not over a proven optimum.")
    assert rest[-1].startswith("local (not proven optimal: time limit, gap 2.0000%) costs ")


def test_path_premiums_over_a_base_path_with_a_policy_name_it(tmp_path):
    """A base path with a policy of its own (``base: ...`` in a policies file) is the premiums'
    reference, named as such; it was called 'the cost-optimal path' everywhere. Here the glide
    path is the base (790) and the cost-optimal path (320) costs (320 − 790) / 790 = −59.49%."""
    from resilient_sc.analysis.roadmap_report import (
        premium_legend,
        reference_path,
        write_roadmap_premium_report,
    )

    outcomes = roadmap_outcomes(paris(), {"free": Policy()}, base=GLIDE, workers=1)
    table = roadmap_premium_table(outcomes)
    assert table["premium_pct"].iloc[1] == pytest.approx(100 * (320 - 790) / 790)
    reference = reference_path(outcomes[0])
    assert reference == "the base path 'base'"
    first, *rest = roadmap_premium_sentences(outcomes, table)
    assert first.startswith("The base path 'base' (") and "not the cost-optimal path) costs 790.00 " in first
    assert rest[-1].startswith("free costs 59.49% less than the base path 'base'")
    assert "base path 'base':" in rest[-1] and "cost-optimal" not in rest[-1]
    assert "over the cost of the base path 'base' (%)" in premium_legend("2027", reference)
    write_roadmap_premium_report(tmp_path / "r", paris(), outcomes, table, figures=False)
    from resilient_sc.workbook import write_workbook  # its README said a plan's premium table's words

    book = write_workbook(tmp_path / "p.xlsx", roadmap=outcomes[0].roadmap, premium_table=table)
    said = pd.read_excel(book, sheet_name="README").dropna().set_index("sheet")["what it holds"]
    assert said["premium"].startswith("one row per policy path: cost (Σ weight × period cost)")
    report = (tmp_path / "r" / "report.md").read_text(encoding="utf-8")
    assert "cost-optimal path (no resilience policy)" not in report
    assert "its **premium** is over the base path 'base' (min" in report
    # each path's periods a table with headers, not column-aligned text in a code block (which a screen
    # reader read line by line: accessibility audit); its total, line for line, as the summary's
    assert "```" not in report and report.count("| period | weight | cost (money) | suppliers | hubs |") == 2
    head = [line.split(maxsplit=1 if line.startswith(("status", "policy")) else 2)
            for line in outcomes[0].roadmap.summary().splitlines()[:3]]
    assert f"- total cost: {head[2][2]}" in report and f"- status: {head[0][1]}" in report
    # the files' note weighs the shares as the report does (it said 'value-weighted' whatever they
    # were): without a unit value, by demand
    unvalued = paris(products=pd.DataFrame({"product": ["default"], "unit_value": [0.0]}))
    outcomes = roadmap_outcomes(unvalued, {"free": Policy()}, workers=1)
    write_roadmap_premium_report(tmp_path / "u", unvalued, outcomes, roadmap_premium_table(outcomes),
                                 figures=False)
    notes = " ".join((tmp_path / "u" / "report.md").read_text(encoding="utf-8").split())
    assert "of the last period only (shares: fractions of demand, demand-weighted; top_country: the" in notes
    (base,) = roadmap_outcomes(paris(), {}, workers=1)
    assert reference_path(base) == "the cost-optimal path"
    pytest.importorskip("matplotlib")
    from resilient_sc.analysis.roadmap_report import _premium_chart

    chart = _premium_chart(table, reference)  # its title named the base path off the figure's edge
    title = chart.axes[0].get_title()
    assert "over the base path 'base'" in " ".join(title.split())
    assert max(map(len, title.splitlines())) <= chart.get_figwidth() * 9.5


def test_end_year_frontier_sentences_of_roadmaps_not_proven_optimal():
    """Targets stopped at the limits with a roadmap are roadmaps (the sentences said 'No target …
    gives a roadmap' beside a table of them), each with its gap; the cost-optimal path stopped at
    its limits is said to be the premiums' reference all the same; a target stopped without a
    roadmap is 'not solved', not infeasible."""
    from resilient_sc.analysis.end_year_report import end_year_frontier_sentences

    df = end_year_frontier(paris(), "min_local_share", [0.0, 1.0], workers=1)
    assert df.attrs["reference"] == {"status": "optimal", "gap": 0.0, "cost": 320.0}
    assert not any("proven" in s for s in end_year_frontier_sentences(df, "min_local_share", "2027"))
    df.loc[:, ["status", "gap"]] = [["time_limit", 0.01], ["time_limit", 0.02]]
    df.attrs["reference"] = {"status": "time_limit", "gap": 0.005, "cost": 320.0}
    stopped = df.iloc[[0]].assign(min_local_share=0.5, status="not_solved", cost=math.nan,
                                  reason="the solve stopped at its time limit without a plan")
    sentences = end_year_frontier_sentences(pd.concat([df, stopped]), "min_local_share", "2027")
    assert sentences[0].startswith("As the target in 2027 goes from 0 to 1, the path's cost goes from 320.00")
    assert ("At the targets 0 (gap 1.0000%), 1 (gap 2.0000%) the roadmap is the best found within the limits"
            in sentences[-3])
    assert sentences[-2].startswith("The cost-optimal path is the best found within the limits (not proven "
                                    "optimal: time limit, gap 0.5000%)")
    assert sentences[-1] == ("Not solved within the limits (no roadmap kept) with the target in 2027 at 0.5: "
                             "the solve stopped at its time limit without a plan.")


def test_a_premium_paid_in_one_period_and_recovered_in_another_says_both():
    """The glide path pays +293.75% in 2027; were 2026 cheaper than the base path (set here on
    the table, as a path that stops a supplier early is), the sentence said 'paid in 2027 alone'.
    Of the 2027 premium, (300 + 50) / 160 = 218.75% is S_FR's opening and S_CN's closing, paid
    once (the sentence read as the lasting cost of the 2027 design)."""
    outcomes = roadmap_outcomes(paris(), {"glide": GLIDE}, workers=1)
    table = roadmap_premium_table(outcomes)
    assert " alone (+293.75%" in roadmap_premium_sentences(outcomes, table)[1]
    table.loc[1, "premium_pct 2026"] = -10.0
    table.loc[1, "cost 2026"] = 0.9 * table.loc[0, "cost 2026"]
    said = roadmap_premium_sentences(outcomes, table)[1]
    assert ("paid in 2027 (+293.75% over the cost of the cost-optimal path that period, of which +218.75% "
            "one-off opening and closing), partly recovered in 2026 (-10.00% that period)") in said


def no_demand_in_2029() -> Network:
    """The roadmap example with no demand in 2029 (a row of 0 for each market and product)."""
    from resilient_sc import examples

    frames = examples.electronics_roadmap().frames()
    demand = frames["demand"]
    in_2029 = demand["period"] == "2029"
    demand.loc[in_2029, "demand"] = 0.0  # its own rows, and a row of 0 for each blank-period one
    given = set(zip(demand.loc[in_2029, "market"], demand.loc[in_2029, "product"], strict=True))
    keys = zip(demand["market"], demand["product"], strict=True)
    blank = demand.loc[(demand["period"].fillna("") == "").to_numpy() & [k not in given for k in keys]]
    frames["demand"] = pd.concat([demand, blank.assign(period="2029", demand=0.0)], ignore_index=True)
    return Network.from_frames(**frames)


def test_a_period_without_demand_is_said_not_stress_tested():
    """roadmap_stress leaves out a period without demand (a warning on stderr): the report and
    its table dropped it without a word."""
    net = no_demand_in_2029()
    roadmap = solve_roadmap(net)
    with pytest.warns(DataWarning, match="period 2029 has no demand above 0"):
        results = roadmap_stress(roadmap, failures=("hub",), scenarios=False)
    assert "2029" not in results
    assert ("Not stress-tested: 2029 (no demand above 0: no failure can leave a market short then)."
            in roadmap_stress_sentences(roadmap, results))
    # the gap in the figure's share lines is said (it read as missing data)
    from resilient_sc.analysis.roadmap_figure import roadmap_figure

    shares = roadmap_figure(roadmap).axes[1]
    assert [(t.get_text(), t.get_position()[0]) for t in shares.texts if t.get_text() == "no demand"] == [
        ("no demand", 3)]


def test_the_period_that_pays_most_of_a_premium_is_the_one_that_pays_most_money():
    """A period without demand costs the base path little (its fixed costs), so a small premium
    there is a large %: 'most in 2029: +5.65%' named a period that held 5% of the premium in
    money, where 2030 held 52% (roadmap audit). Ranked by weight × the money of each period; a
    period of weight 0 pays nothing."""
    glide = Policy(max_country_share={"2027": 0.6, "2028": 0.4, "2029": 0.4, "2030": 0.4},
                   min_local_share={"2028": 0.3, "2029": 0.4, "2030": 0.5})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        outcomes = roadmap_outcomes(no_demand_in_2029(), {"glide": glide}, workers=1)
    # 2029's empty block of share rows failed pandas 2.2's factorize, and the lazy-caps route with it
    assert not [w for w in caught if "please report it" in str(w.message)]
    table = roadmap_premium_table(outcomes)
    row, ref = table.iloc[1], table.iloc[0]
    weight = outcomes[0].roadmap.costs.set_index("period")["weight"]
    money = {p: weight[p] * (row[f"cost {p}"] - ref[f"cost {p}"]) for p in weight.index}
    pct = {p: row[f"premium_pct {p}"] for p in weight.index}
    assert max(pct, key=pct.get) == "2029" and max(money, key=money.get) == "2030"  # the case itself
    said = roadmap_premium_sentences(outcomes, table)[1]
    assert f"(most in 2030: {signed_pct_points(pct['2030'])} over the cost of" in said


def test_a_probability_of_an_element_not_in_a_periods_design_names_the_period():
    """S_FR operates from 2027 on: its probability was refused with 'no failure replayed on the
    design has a probability above 0', no period named (roadmap analyses audit)."""
    roadmap = solve_roadmap(paris(), GLIDE)
    assert "S_FR" not in roadmap.plans["2026"].supplier_ids and "S_FR" in roadmap.plans["2027"].supplier_ids
    with pytest.raises(ValidationError) as err:
        roadmap_stress(roadmap, probabilities={"supplier:S_FR": 0.1})
    assert err.value.problems == (
        "(probabilities) | in period 2026: no failure replayed on the design has a probability above 0; "
        "supplier:S_FR: not in the design (its suppliers and hubs, the countries that hold them)",)
    # a kind not replayed is said as such ('not in it' of the design's own country: review audit)
    with pytest.raises(ValidationError, match=r"country:FR: country failures are not replayed \(add"):
        roadmap_stress(roadmap, failures=["supplier"], probabilities={"country:FR": 0.1})


def test_a_premium_paid_where_the_reference_costs_nothing_is_said_in_money():
    """No demand in 2026 (weight 0.5) and nothing fixed to pay: the cost-optimal path costs 0 then,
    so that period has no premium_pct. Local supply in 2027 opens S_FR (300) in 2026, at half the
    weight: most of the premium (150 of 170 money) is paid in 2026, which the sentence left out
    ('paid in 2027 alone'; roadmap analyses audit)."""
    suppliers = table("supplier country fixed_cost status opening_cost closing_cost lead_time",
                      ("S_CN", "CN", 0.0, "existing", 0.0, 0.0, 0),
                      ("S_FR", "FR", 0.0, "candidate", 300.0, 0.0, 0))
    net = paris(weights=(0.5, 1.0), suppliers=suppliers,
                demand=table("market demand period", ("Paris", 0.0, "2026")))
    outcomes = roadmap_outcomes(net, {"local": Policy(min_local_share={"2027": 1.0})}, workers=1)
    table_ = roadmap_premium_table(outcomes)
    row = table_.set_index("policy").loc["local"]
    assert row["cost 2026"] == pytest.approx(300.0) and math.isnan(row["premium_pct 2026"])
    assert row["premium"] == pytest.approx(0.5 * 300 + 1.0 * (8 - 6) * 10)
    said = roadmap_premium_sentences(outcomes, table_)[1]
    assert ("paid in 2 periods (most in 2026: +300.00 money, where the cost-optimal path costs nothing that "
            "period") in said, said


def test_a_roadmap_says_what_it_leaves_short():
    """Shortfall priced at 100 a unit in 2026 and 5 in 2027: in 2026 S_CN serves (160 < 10 × 100);
    in 2027 stopping S_CN (closing 50) and leaving the 10 units short (10 × 5 = 50) costs 100 < 160:
    260 in all. The roadmap's table, summary, JSON and the premium sentence say the 10 units short
    (they read as a roadmap serving everything, the shortfall only inside the cost)."""
    policy = Policy(shortfall_penalty={"2026": 100.0, "2027": 5.0})
    r = solve_roadmap(paris(), policy)
    assert r.objective == pytest.approx(260.0)
    assert r.table()["short"].tolist() == ["", "default 0 of 10 units delivered (10 short)"]
    assert "short in 2027: default 0 of 10 units delivered (10 short)" in r.summary().splitlines()
    assert "short in 2026" not in r.summary()
    delivered = [p["delivered"]["default"] for p in r.to_dict()["periods"]]
    assert delivered == [{"demand": 10.0, "delivered": 10.0, "shortfall": 0.0, "unit": "units"},
                         {"demand": 10.0, "delivered": 0.0, "shortfall": 10.0, "unit": "units"}]
    outcomes = roadmap_outcomes(paris(), {"cheap short": policy}, workers=1)
    sentences = roadmap_premium_sentences(outcomes, roadmap_premium_table(outcomes))
    said = next(s for s in sentences if s.startswith("cheap short"))
    assert said.startswith("cheap short costs 18.75% less than the cost-optimal path (-60.00 money), "
                           "saved in 2027 (-37.50% that period)")  # nothing paid: nothing to recover
    assert said.endswith("; it leaves demand unmet, in 2027: default 0 of 10 units delivered (10 short).")
    assert "unmet" not in sentences[0]  # the cost-optimal path serves all
    if importlib.util.find_spec("matplotlib"):
        from resilient_sc.analysis.roadmap_figure import roadmap_figure

        bottom = roadmap_figure(r).axes[1]
        assert [t.get_text() for t in bottom.get_xticklabels()] == [
            "2026\n160\n× 1", "2027\n100\n× 1\nshort:\ndefault 10"]
        label = " ".join(bottom.get_xlabel().split())
        assert label.endswith("and what is left unmet of each product (short: default in units)")


def test_a_period_plan_is_stress_tested_with_its_candidates_past_their_lead_time():
    """survive supplier in 2027: S_CN (existing) and S_FR (candidate, lead time 1) both serve, each
    able to carry the 10 units alone. stress_test of the 2027 plan on that period's network read
    S_FR as unusable (its lead time counted from the replay's own first period): losing S_CN left
    0 served where the roadmap proved all; roadmap_stress zeroed the lead times itself."""
    r = solve_roadmap(paris(), Policy(survive=("supplier",), service_level={"2026": 0.0, "2027": 1.0}))
    plan = r.plans["2027"]
    assert plan.supplier_ids == ["S_CN", "S_FR"] and r.verify() == []
    for network in (in_period(paris(), "2027"), plan.model.network):
        served = stress_test(network, plan, ["supplier"], scenarios=False).failures
        worst = served.set_index("failure")["worst_served"].to_dict()
        assert worst == {"supplier:S_CN": 1.0, "supplier:S_FR": 1.0}


def test_a_roadmap_whose_total_counts_penalties_says_its_network_cost():
    """Review: the plan's summary and workbook said the network cost beside a total that counts
    shortfall cost, a roadmap's did not; Σ weight × (period cost − its penalties), by hand."""
    from resilient_sc import examples
    from resilient_sc.workbook import roadmap_sheets

    net = examples.electronics_roadmap()
    roadmap = solve_roadmap(net, Policy(shortfall_penalty=60))
    c = roadmap.costs
    by_hand = float((c["weight"] * (c["total"] - c["shortfall"] - c.get("disruption", 0.0))).sum())
    assert roadmap.network_cost() == pytest.approx(by_hand) and by_hand < roadmap.objective
    assert f"network     {by_hand:,.2f} (design and flows" in roadmap.summary()
    items = roadmap_sheets(roadmap)["summary"].set_index("item")["value"]
    network = float(items["network cost (the total without shortfall and disruption cost)"])
    assert network == pytest.approx(by_hand)


def test_starts_and_stops_at_no_cost_are_said_so():
    """A stop and restart the data price at 0 is the optimum's free choice: counted beside the
    paid ones, it read as restructuring paid for (a rung-S path stopped and restarted a hub
    twice at no cost; roadmap audit)."""
    from resilient_sc import examples
    from resilient_sc.analysis.roadmap import roadmap_outcomes, roadmap_premium_table
    from resilient_sc.analysis.roadmap_report import roadmap_premium_sentences

    net = examples.electronics_roadmap()
    policy = Policy.from_file(Path(__file__).resolve().parents[1] / "examples" / "electronics_roadmap"
                              / "policy.yaml")
    said = []
    for opening in (None, 0.0):  # the example's costs, then every supplier's at 0
        n = net if opening is None else net.replace(
            suppliers=net.suppliers.assign(opening_cost=opening, closing_cost=opening))
        outcomes = roadmap_outcomes(n, {"glide": policy}, workers=1)
        said.append(roadmap_premium_sentences(outcomes, roadmap_premium_table(outcomes))[1])
    assert "; 7 supplier starts and 2 stops over the path." in said[0]
    assert re.search(r"(\d+) supplier starts and (\d+) stops \(\1 and \2 of them at no opening or closing "
                     r"cost\) over the path", said[1]), said[1]


def test_an_end_year_frontier_has_its_columns_whichever_targets_fail():
    """As frontier's: a target without a roadmap first, or only such targets, changed or lost the
    columns (14 of them): API audit."""
    from resilient_sc import examples

    net = examples.tiny()  # two suppliers: min_suppliers 3 has no roadmap
    tables = [end_year_frontier(net, "min_suppliers", v, workers=1) for v in ([1, 2], [3, 1], [3])]
    assert [list(t.columns) for t in tables[1:]] == [list(tables[0].columns)] * 2
    assert tables[2]["n_suppliers"].isna().all()
