"""Roadmaps (docs/formulation.md §9): hand-solved two- and three-period networks, one per
mechanism, and properties on random networks.

The hand-solved network (:func:`paris`): Paris (FR) needs 10 units a period through the hub H
(FR, open, free). S_CN (CN, fixed 100 a period, unit cost 5, lane 1: 6 a unit) is ``existing``,
closing it costs 50 and opening it again 30. S_FR (FR, fixed 200, unit cost 8, lane 0: 8 a unit)
is a candidate with opening cost 300 and lead time 1 (available from the second period). Both
make 100. FR is in Europe, CN in Asia: S_FR is local to Paris, S_CN is not.
"""

from __future__ import annotations

import importlib.util
import itertools
import warnings

import numpy as np
import pandas as pd
import pytest

from resilient_sc import DataWarning, InfeasiblePolicyError, Network, Policy, RunWarning, examples, solve
from resilient_sc.model.roadmap import build_roadmap
from resilient_sc.periods import in_period
from resilient_sc.roadmap import solve_roadmap, solve_roadmap_model
from resilient_sc.solvers.base import SolveOptions


def table(columns: str, *rows: tuple) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=columns.split())


def paris(periods: tuple[str, ...] = ("2026", "2027"), weights: tuple[float, ...] | None = None,
          **changes: pd.DataFrame) -> Network:
    """The network of the module docstring over ``periods`` (weights 1 unless given); tables in
    ``changes`` replace or add to it."""
    frames = {
        "countries": table("country region", ("FR", "Europe"), ("CN", "Asia")),
        "products": table("product unit_value", ("default", 10.0)),
        "suppliers": table("supplier country fixed_cost status opening_cost closing_cost lead_time",
                           ("S_CN", "CN", 100.0, "existing", 30.0, 50.0, 0),
                           ("S_FR", "FR", 200.0, "candidate", 300.0, 0.0, 1)),
        "supplier_products": table("supplier capacity unit_cost", ("S_CN", 100.0, 5.0),
                                   ("S_FR", 100.0, 8.0)),
        "hubs": table("hub country status", ("H", "FR", "open")),
        "markets": table("market country", ("Paris", "FR")),
        "demand": table("market demand", ("Paris", 10.0)),
        "lanes": table("origin destination unit_cost", ("S_CN", "H", 1.0), ("S_FR", "H", 0.0),
                       ("H", "Paris", 0.0)),
    }
    if periods:
        frames["periods"] = table("period weight", *zip(periods, weights or (1.0,) * len(periods),
                                                        strict=True))
    for name, df in changes.items():
        add = name in frames and "period" in df
        frames[name] = pd.concat([frames[name], df], ignore_index=True) if add else df
    return Network.from_frames(**frames)


def costs(roadmap) -> list[float]:
    return [round(c, 6) for c in roadmap.costs["total"]]


def operating(roadmap, element: str) -> list[bool]:
    d = roadmap.design
    return d.loc[d["id"] == element, "operating"].tolist()


def test_base_path_keeps_the_existing_supplier():
    """Keeping S_CN costs 100 + 10 · 6 = 160 a period; switching to S_FR in 2027 costs
    200 + 300 + 80 + 50 = 630 there. Optimum 160 + 160 = 320."""
    r = solve_roadmap(paris())
    assert r.objective == pytest.approx(320.0)
    assert costs(r) == [160.0, 160.0]
    assert operating(r, "S_CN") == [True, True] and operating(r, "S_FR") == [False, False]
    assert not r.design["started"].any() and not r.design["stopped"].any()
    assert r.verify() == []


def test_glide_path_and_weights():
    """min_local_share {2027: 1}: 2026 keeps S_CN (160); 2027 needs S_FR: 200 + 300 opening +
    10 · 8, and S_CN is stopped (closing 50 < fixed 100): 630. Weights (1, 0.5):
    160 + 0.5 · 630 = 475."""
    policy = Policy(min_local_share={"2027": 1.0})
    r = solve_roadmap(paris(weights=(1.0, 0.5)), policy)
    assert costs(r) == [160.0, 630.0]
    assert r.objective == pytest.approx(475.0)
    b = r.plans["2027"].breakdown
    assert (b["opening"], b["closing"], b["supplier_fixed"]) == (300.0, 50.0, 200.0)
    assert operating(r, "S_FR") == [False, True] and operating(r, "S_CN") == [True, False]
    t = r.table()
    assert t["suppliers_started"].tolist() == ["", "S_FR"] and t["suppliers_stopped"].tolist() == ["", "S_CN"]
    assert t["n_suppliers"].tolist() == [1, 1]  # a count, as in the premium tables
    # ids holding a comma and a space read back whole (they were joined by ', '), and counted so
    odd = {"S_FR": "S, FR", "S_CN": "-S_CN"}
    net = paris(weights=(1.0, 0.5))
    net = net.replace(**{k: getattr(net, k).replace(odd) for k in ("suppliers", "supplier_products",
                                                                     "lanes")})
    moved = solve_roadmap(net, policy)
    t = moved.table()
    assert t["suppliers_started"].tolist() == ["", '"S, FR"']
    assert t["suppliers_stopped"].tolist() == ["", '"-S_CN"']
    assert any(line.startswith("2027") and " 1 +1 -1 " in line for line in moved.summary().splitlines())
    assert r.shares()["local_share"].tolist() == pytest.approx([0.0, 1.0])
    assert r.verify() == []
    text = r.plans["2027"].summary()  # a period's plan says which period it is
    assert "total cost  630.00  (period 2027 of a roadmap, unweighted; no bound" in text
    with pytest.warns(DataWarning, match="lead_time 1 is past the last period"):
        plain = solve(paris(()))  # no periods: a plan, not a period
    assert r.plans["2027"].to_dict()["period"] == "2027" and "period" not in plain.to_dict()


def test_a_period_key_from_yaml_is_a_number():
    """YAML reads ``{2027: 1.0}`` with an integer key: it names the period all the same."""
    r = solve_roadmap(paris(weights=(1.0, 0.5)), Policy(min_local_share={2027: 1.0}))
    assert r.objective == pytest.approx(475.0)


def test_a_period_key_reads_as_the_planner_wrote_it():
    """In its period a period key holds for every region: said as the one value written, not as
    a mapping of every region (whose order followed a set's, another in each run)."""
    from resilient_sc import examples
    from resilient_sc.periods import policy_in

    net = examples.electronics_roadmap()
    policy = Policy(max_country_share={"2026": 0.3}, min_local_share={"2026": 0.2, "Europe": 0.5})
    held = policy_in(policy, net, "2026")
    assert held.max_country_share == 0.3
    regions = list(dict.fromkeys(net.countries["region"]))  # the table's order, every run
    assert list(held.min_local_share) == ["Europe", *[r for r in regions if r != "Europe"]]
    assert held.min_local_share["Europe"] == 0.5 and policy_in(policy, net, "2027").max_country_share is None


def test_a_period_that_delivers_nothing_is_not_said_to_have_no_demand():
    """A shortfall cheaper than any supply: each period has demand and delivers nothing; its top
    country is none because nothing is delivered, not because nothing is wanted (roadmap audit)."""
    r = solve_roadmap(paris(weights=(1.0, 0.5)), Policy(shortfall_penalty=0.01))
    assert r.plans["2026"].shares["delivered"].sum() == 0
    lines = [ln for ln in r.summary().splitlines() if ln.startswith(("2026", "2027"))]
    assert len(lines) == 2 and all(ln.endswith("none (nothing delivered)") for ln in lines)


def test_open_cannot_be_stopped_existing_can():
    """As the glide path, but S_CN ``open``: it stays contracted in 2027 at its fixed 100 instead
    of closing: 2027 costs 200 + 300 + 80 + 100 = 680; total 160 + 680 = 840."""
    f = {"suppliers": table("supplier country fixed_cost status opening_cost closing_cost lead_time",
                            ("S_CN", "CN", 100.0, "open", 30.0, 50.0, 0),
                            ("S_FR", "FR", 200.0, "candidate", 300.0, 0.0, 1))}
    r = solve_roadmap(paris(**f), Policy(min_local_share={"2027": 1.0}))
    assert costs(r) == [160.0, 680.0]
    assert operating(r, "S_CN") == [True, True]


def test_period_demand_override():
    """Paris needs 20 in 2027 (a period row overrides the blank row): 160 + 100 + 20 · 6 = 380."""
    r = solve_roadmap(paris(demand=table("market demand period", ("Paris", 20.0, "2027"))))
    assert costs(r) == [160.0, 220.0]
    assert r.plans["2027"].shares["demand"].tolist() == [20.0]


def test_period_capacity_override():
    """S_CN makes only 15 in 2027 and Paris needs 20: S_CN + S_FR costs 100 + 90 + 200 + 300 + 40
    = 730; S_FR alone 200 + 300 + 160 + closing S_CN 50 = 710. Total 160 + 710 = 870."""
    r = solve_roadmap(paris(demand=table("market demand period", ("Paris", 20.0, "2027")),
                            supplier_products=table("supplier capacity unit_cost period",
                                                    ("S_CN", 15.0, 5.0, "2027"))))
    assert costs(r) == [160.0, 710.0]
    assert operating(r, "S_CN") == [True, False]


def test_period_tariff_override():
    """A 50 % duty on CN goods in 2027 (5 a unit at unit value 10): keeping S_CN costs
    100 + 10 · 11 = 210, switching 630. Total 160 + 210 = 370."""
    r = solve_roadmap(paris(tariffs=table("origin_country destination_country rate period",
                                          ("CN", "FR", 0.5, "2027"))))
    assert costs(r) == [160.0, 210.0]
    assert r.plans["2027"].breakdown["tariffs"] == pytest.approx(50.0)
    assert r.plans["2026"].breakdown["tariffs"] == 0.0


@pytest.mark.parametrize(("opening", "expected", "kept"), [(30.0, [160.0, 50.0, 190.0], False),
                                                          (60.0, [160.0, 100.0, 160.0], True)])
def test_stop_and_start_again(opening, expected, kept):
    """No demand in 2027: keeping S_CN costs its fixed 100; stopping it costs closing 50 and
    opening it again in 2028 ``opening``. At 30: 50 + 30 = 80 < 100, it stops and restarts
    (160, 50, 160 + 30); at 60: 110 > 100, it is kept (160, 100, 160)."""
    f = {"suppliers": table("supplier country fixed_cost status opening_cost closing_cost lead_time",
                            ("S_CN", "CN", 100.0, "existing", opening, 50.0, 0),
                            ("S_FR", "FR", 200.0, "candidate", 300.0, 0.0, 1)),
         "demand": table("market demand period", ("Paris", 0.0, "2027"))}
    r = solve_roadmap(paris(("2026", "2027", "2028"), **f))
    assert costs(r) == expected
    assert operating(r, "S_CN") == [True, kept, True]
    assert r.verify() == []
    shares = r.shares().set_index("period")  # no demand in 2027: no share, not 0% local
    assert shares.loc["2027", ["local_share", "allied_share", "top_country_share"]].isna().all()
    assert shares.loc["2027", "top_country"] == "" and shares.loc["2026", "top_country"] == "CN"
    assert "n/a     n/a  none (no demand)" in r.summary().splitlines()[5]
    assert "local share n/a   allied share n/a" in r.plans["2027"].summary()
    tables = r.tables()  # 2027 buys and ships nothing: 0 units, not blank cells
    hubs = tables["hubs_opened"].set_index("period")
    assert hubs.loc["2027", "throughput (units of default)"] == 0.0
    assert not tables["suppliers_contracted"].isna().any().any()


def test_lead_time_makes_a_target_unreachable():
    """min_local_share {2026: 1}: only S_FR is local and it operates from 2027 on."""
    with pytest.raises(InfeasiblePolicyError) as exc:
        solve_roadmap(paris(), Policy(min_local_share={"2026": 1.0}))
    text = "\n".join(exc.value.reasons)
    assert "in period 2026" in text and "S_FR (lead_time 1)" in text and "2027" not in text


def test_every_period_without_a_plan_is_named_in_order():
    """max_region_share {2028: 0} has no plan in 2028 (found by the solver), max_country_share
    {2030: 0.1} none in 2030 (found by the precheck): with both, only 2030 was named, and 2028 on
    the next run, once 2030 was fixed (infeasibility audit)."""
    policy = Policy(max_region_share={"2028": 0.0}, max_country_share={"2030": 0.1})
    with pytest.raises(InfeasiblePolicyError) as exc:
        solve_roadmap(examples.electronics_roadmap(), policy)
    periods = [r.split(":")[0].split(" (")[0] for r in exc.value.reasons]
    assert periods == sorted(periods) and set(periods) == {"in period 2028", "in period 2030"}
    assert any(r.startswith("in period 2028: max_region_share 0 cannot be met") for r in exc.value.reasons)


def test_the_explanation_of_a_roadmap_keeps_to_the_time_limit():
    """A roadmap's explanation is bounded by the call's time limit as one period's is (it took
    3 to 5 s after time_limit=0.5): the periods not checked alone by then are named."""
    import time

    from resilient_sc.explain.roadmap import explain_roadmap
    from resilient_sc.model.roadmap import build_roadmap

    model = build_roadmap(paris())
    assert explain_roadmap(model, deadline=time.perf_counter()) == [
        "the time limit ran out before periods 2026, 2027 were checked alone, which may have no plan "
        "either: raise SolveOptions.time_limit (CLI: --time-limit), or solve without one, to see"]
    assert explain_roadmap(model) == ["the roadmap has no plan, although every period has one alone"]


def test_survive_per_period():
    """survive supplier: each period needs both suppliers (S_FR with lead time 0): 100 + 200 +
    10 · 6 = 360 a period, plus S_FR's opening 300 in 2026: 660 + 360 = 1020."""
    f = {"suppliers": table("supplier country fixed_cost status opening_cost closing_cost lead_time",
                            ("S_CN", "CN", 100.0, "existing", 30.0, 50.0, 0),
                            ("S_FR", "FR", 200.0, "candidate", 300.0, 0.0, 0))}
    r = solve_roadmap(paris(**f), Policy(survive=("supplier",)))
    assert costs(r) == [660.0, 360.0]
    assert r.verify() == []


def test_one_period_without_a_periods_table():
    """Without a periods table the network is one period, ``today``: S_FR is unavailable
    (lead time 1) and S_CN kept: 160. solve() gives the same, and charges opening and closing
    costs: excluding CN closes S_CN (50) and S_FR cannot operate, so the policy is infeasible."""
    with pytest.warns(DataWarning, match="lead_time 1 is past the last period"):
        net = paris(())
    r = solve_roadmap(net)
    assert r.period_ids == ["today"] and r.objective == pytest.approx(160.0)
    assert solve(net).objective == pytest.approx(160.0)
    with pytest.raises(InfeasiblePolicyError):
        solve(net, Policy(excluded_countries=("CN",)))


def test_one_period_opening_and_closing_costs():
    """One period, S_FR without lead time and min_local_share 1: S_FR costs 200 + 300 + 80 and
    S_CN's closing 50: 630, from solve() and from solve_roadmap() alike."""
    f = {"suppliers": table("supplier country fixed_cost status opening_cost closing_cost lead_time",
                            ("S_CN", "CN", 100.0, "existing", 30.0, 50.0, 0),
                            ("S_FR", "FR", 200.0, "candidate", 300.0, 0.0, 0))}
    net = paris((), **f)
    policy = Policy(min_local_share=1.0)
    plan = solve(net, policy)
    assert plan.objective == pytest.approx(630.0)
    assert (plan.breakdown["opening"], plan.breakdown["closing"]) == (300.0, 50.0)
    assert solve_roadmap(net, policy).objective == pytest.approx(630.0)


def test_pyomo_agrees():
    pytest.importorskip("pyomo")
    model = build_roadmap(paris(weights=(1.0, 0.5)), Policy(min_local_share={"2027": 1.0}))
    r = solve_roadmap_model(model, SolveOptions(backend="pyomo"))
    assert r.objective == pytest.approx(475.0)
    assert r.report is not None and r.report.route == "pyomo"


def test_the_model_has_a_period_index():
    model = build_roadmap(paris(weights=(1.0, 0.5)), Policy(min_local_share={"2027": 1.0}))
    assert list(model.lm.variables["inbound_flow"].index.columns) == ["supplier", "hub", "product", "period"]
    assert model.lm.constraints["min_local_share"].index["period"].tolist() == ["2027"]
    assert model.lm.variables["supplier_started"].index.columns.tolist() == ["supplier", "period"]


def test_in_period_applies_overrides():
    net = paris(demand=table("market demand period", ("Paris", 20.0, "2027")))
    assert in_period(net, "2026").demand["demand"].tolist() == [10.0]
    assert in_period(net, "2027").demand["demand"].tolist() == [20.0]
    assert len(in_period(net, "2027").periods) == 0


# ---- properties on random networks ------------------------------------------------------
def random_roadmap(seed: int, n_periods: int = 3) -> tuple[Network, Policy]:
    """A small random network over ``n_periods`` periods: 3 countries in 2 regions, 4 suppliers
    (one existing, random lead times and opening/closing costs), 2 hubs, 3 markets whose demand
    grows by period, and a local-share glide path from 0 to 0.5."""
    rng = np.random.default_rng(seed)
    periods = [str(2026 + t) for t in range(n_periods)]
    countries = table("country region", ("FR", "Europe"), ("DE", "Europe"), ("CN", "Asia"))
    sup = [(f"S{i}", c, float(rng.integers(50, 200)), "existing" if i == 0 else "candidate",
            float(rng.integers(0, 300)), float(rng.integers(0, 100)),
            int(rng.integers(0, n_periods)) if i % 2 else 0)
           for i, c in enumerate(["CN", "CN", "FR", "DE"])]
    suppliers = table("supplier country fixed_cost status opening_cost closing_cost lead_time", *sup)
    sp = table("supplier capacity unit_cost", *[(s[0], 200.0, float(rng.uniform(1, 10))) for s in sup])
    hubs = table("hub country fixed_cost opening_cost closing_cost", ("H1", "FR", 80.0, 40.0, 10.0),
                 ("H2", "DE", 60.0, 20.0, 5.0))
    markets = table("market country", ("M1", "FR"), ("M2", "DE"), ("M3", "CN"))
    demand = table("market demand period", *[(m, float(rng.integers(5, 30)) * (1 + 0.2 * t), p)
                                             for m in ("M1", "M2", "M3") for t, p in enumerate(periods)])
    lanes = table("origin destination unit_cost",
                  *[(s[0], h, float(rng.uniform(0, 4))) for s in sup for h in ("H1", "H2")],
                  *[(h, m, float(rng.uniform(0, 3))) for h in ("H1", "H2") for m in ("M1", "M2", "M3")])
    net = Network.from_frames(countries=countries, suppliers=suppliers, supplier_products=sp, hubs=hubs,
                              markets=markets, demand=demand, lanes=lanes,
                              periods=table("period weight", *[(p, 0.9 ** t) for t, p in enumerate(periods)]))
    glide = {p: round(0.5 * t / max(n_periods - 1, 1), 3) for t, p in enumerate(periods)}
    return net, Policy(min_local_share=glide)


def period_alone(net: Network, period: str, t: int, before: set[str] | None = None,
                 free: bool = False) -> Network:
    """Period ``period`` (at position ``t``) of ``net`` as a network of its own: lead times
    counted from it; with ``before``, what operated in the period before is ``existing`` and the
    rest ``candidate`` (open and closed stay); ``free``: no opening or closing costs."""
    f = in_period(net, period).frames()
    for kind in ("suppliers", "hubs"):
        df, col = f[kind], kind[:-1]
        if before is not None:
            movable = ~df["status"].isin(("open", "closed"))
            df.loc[movable, "status"] = np.where(df.loc[movable, col].isin(before), "existing", "candidate")
        df["lead_time"] = np.maximum(df["lead_time"] - t, 0)
        if free:
            df[["opening_cost", "closing_cost"]] = 0.0
    with warnings.catch_warnings():  # lead times past the one period are meant here
        warnings.simplefilter("ignore", DataWarning)
        return Network.from_frames(**f)


def in_turn(net: Network, policy: Policy, myopic: bool) -> float:
    """Σ weight × cost of each period solved on its own: ``myopic``, knowing the design of the
    period before and charged its transitions; else alone, without opening and closing costs."""
    ids = list(net.periods["period"])
    regions, products = set(net.countries["region"]), set(net.products["product"])
    before: set[str] | None = None
    total = 0.0
    for t, (period, weight) in enumerate(zip(ids, net.periods["weight"], strict=True)):
        plan = solve(period_alone(net, period, t, before, free=not myopic),
                     policy.in_period(period, ids, regions, products))
        total += weight * plan.objective
        before = set(plan.supplier_ids) | set(plan.hub_ids) if myopic else None
    return total


@pytest.mark.parametrize("seed", range(6))
def test_roadmap_between_periods_alone_and_the_myopic_path(seed):
    net, policy = random_roadmap(seed)
    r = solve_roadmap(net, policy)
    assert r.verify() == []
    assert in_turn(net, policy, myopic=False) <= r.objective * (1 + 1e-6) + 1e-6
    assert r.objective <= in_turn(net, policy, myopic=True) * (1 + 1e-6) + 1e-6


@pytest.mark.parametrize("seed", range(4))
def test_one_period_roadmap_is_todays_model(seed):
    """A periods table of one period gives the model of the same data without one."""
    net, policy = random_roadmap(seed, n_periods=1)
    one = policy.in_period("2026", ["2026"], {"Europe", "Asia"}, {"default"})
    today = solve(period_alone(net, "2026", 0), one)
    assert solve_roadmap(net, policy).objective == pytest.approx(today.objective, rel=1e-6)


def test_labels_are_unique_per_period():
    model = build_roadmap(*random_roadmap(0))
    for block in itertools.chain(model.lm.variables.values(), model.lm.constraints.values()):
        index = block.index
        if len(index.columns) > 1:
            assert not index.duplicated().any(), block.name


# ---- command line and outputs -------------------------------------------------------------
def write_folder(net: Network, folder) -> None:
    folder.mkdir()
    for name, df in net.frames().items():
        if len(df) or name == "periods":
            df.to_csv(folder / f"{name}.csv", index=False)


def test_cli_solve_prints_the_roadmap_and_json_has_periods(tmp_path, capsys):
    import json

    from openpyxl import load_workbook

    from resilient_sc.cli import main

    write_folder(paris(weights=(1.0, 0.5)), tmp_path / "data")
    (tmp_path / "glide.yaml").write_text("min_local_share: {2027: 1.0}\n", encoding="utf-8")
    args = ["solve", str(tmp_path / "data"), "--policy", str(tmp_path / "glide.yaml")]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "475.00" in out and "2027" in out and "S_FR" not in out.split("2027")[0].split("\n")[-1]
    assert main([*args, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["objective"] == pytest.approx(475.0)
    p2027 = data["periods"][1]
    assert (p2027["period"], p2027["cost"], p2027["suppliers_started"], p2027["suppliers_stopped"]) == (
        "2027", pytest.approx(630.0), ["S_FR"], ["S_CN"])
    assert main([*args, "--out", str(tmp_path / "roadmap.xlsx")]) == 0
    book = load_workbook(tmp_path / "roadmap.xlsx")
    sheets = {"summary", "roadmap", "roadmap_costs", "roadmap_timeline", "suppliers_contracted"}
    assert sheets <= set(book.sheetnames)
    header = [c.value for c in book["suppliers_contracted"][1]]
    assert header[0] == "period"
    assert main([*args, "--out", str(tmp_path / "folder")]) == 0
    saved = json.loads((tmp_path / "folder" / "roadmap.json").read_text(encoding="utf-8"))
    assert [p["period"] for p in saved["periods"]] == ["2026", "2027"]
    table = pd.read_csv(tmp_path / "folder" / "roadmap.csv", dtype={"period": str})
    assert table["cost"].tolist() == pytest.approx([160.0, 630.0])


def test_write_model_and_pyomo_take_a_roadmap(tmp_path):
    pytest.importorskip("pyomo")
    from resilient_sc.export import write_model
    from resilient_sc.solvers.pyomo import to_pyomo

    net = paris(weights=(1.0, 0.5))
    text = write_model(net, Policy(min_local_share={"2027": 1.0}),
                       tmp_path / "m.lp").read_text(encoding="utf-8")
    assert "supplier_start(S_FR,2027)" in text and "min_local_share(Paris,default,2027)" in text
    m = to_pyomo(net)
    assert m.find_component("supplier_stopped") is not None


@pytest.mark.parametrize("seed", range(3))
def test_fast_routes_agree_with_plain_highs_on_roadmaps(seed):
    """Merged origins read the stacked matrix (periods included) as they read one period's; plain
    HiGHS on the whole stacked model reaches the same optimum."""
    net, policy = random_roadmap(seed)
    policy = policy.replace(max_country_share={"2027": 0.7, "2028": 0.6})
    fast = solve_roadmap(net, policy)
    plain = solve_roadmap(net, policy, SolveOptions(accelerate=False))
    assert plain.report.route == "highs"
    assert fast.objective == pytest.approx(plain.objective, rel=1e-6)
    assert fast.verify() == []


def test_time_limit_covers_the_start_and_the_path(monkeypatch):
    """The periods solved alone for the MIP start share the time limit with the whole path:
    every solve is handed at most what is left of the one limit (recorded, not timed)."""
    import resilient_sc.roadmap as roadmap_module

    limits = []
    real = roadmap_module.solve_linear

    def recording(model, options=None, *args, **kwargs):
        limits.append(options.time_limit)
        return real(model, options, *args, **kwargs)

    monkeypatch.setattr(roadmap_module, "solve_linear", recording)
    net, policy = random_roadmap(1)
    r = solve_roadmap(net, policy, SolveOptions(time_limit=30.0))
    assert len(limits) == 4  # three periods alone, then the path
    assert all(0 < limit <= 30.0 for limit in limits)
    assert limits[0] <= 30.0 / 6 + 1e-9  # half of the time spread over the three periods
    assert r.verify() == []


@pytest.mark.parametrize("seed", range(3))
def test_pyomo_agrees_on_random_roadmaps(seed):
    pytest.importorskip("pyomo")
    net, policy = random_roadmap(seed)
    ours = solve_roadmap(net, policy)
    theirs = solve_roadmap_model(build_roadmap(net, policy), SolveOptions(backend="pyomo"))
    assert theirs.objective == pytest.approx(ours.objective, rel=1e-6)
    assert theirs.verify() == []


def test_the_roadmap_time_limit_counts_the_build(monkeypatch):
    """As for ``solve``: the seconds spent building the roadmap are taken from the solver's."""
    import time

    import resilient_sc.roadmap as roadmap
    from resilient_sc import examples
    given = []
    monkeypatch.setattr(roadmap, "build_roadmap",
                        lambda *a, **k: time.sleep(0.5) or build_roadmap(*a, **k))
    monkeypatch.setattr(roadmap, "solve_roadmap_model", lambda model, options: given.append(options))
    solve_roadmap(examples.tiny(), None, SolveOptions(time_limit=10.0))
    assert 9.0 < given[0].time_limit <= 9.5


def test_the_saved_timeline_reads_as_words_in_a_spreadsheet(tmp_path):
    """The glide path of :func:`paris` switches from S_CN to S_FR in 2027: the timeline says so
    in words (``+``/``-`` would be read as formulas and written escaped as ``'+``)."""
    roadmap = solve_roadmap(paris(), Policy(min_local_share={"2027": 1.0}))
    timeline = pd.read_csv(roadmap.save(tmp_path / "out") / "roadmap_timeline.csv",
                           keep_default_na=False).set_index("id")
    assert timeline.loc["S_CN", ["2026", "2027"]].tolist() == ["operating", "stopped"]
    assert timeline.loc["S_FR", ["2026", "2027"]].tolist() == ["", "started"]


def test_a_period_weight_reads_with_its_four_decimals_in_the_workbook(tmp_path):
    """A discount factor 1/1.05 = 0.9524 shows as 0.9524 in the roadmap sheet, not 0.95."""
    from openpyxl import load_workbook

    from resilient_sc.workbook import write_workbook

    roadmap = solve_roadmap(paris(weights=(1.0, 1 / 1.05)))
    book = load_workbook(write_workbook(tmp_path / "r.xlsx", roadmap=roadmap))
    sheet = book["roadmap"]
    column = [c.value for c in sheet[1]].index("weight")
    cell = sheet.cell(row=3, column=column + 1)
    assert cell.value == pytest.approx(1 / 1.05) and cell.number_format == "0.0000"



def test_the_workbook_holds_what_the_folder_holds(tmp_path):
    """A roadmap's workbook has a sheet per CSV of its folder, with the same columns (the cost
    breakdown's share of total and the design included), and a product with no demand in a
    period has 0 units there, not a blank cell."""
    from openpyxl import load_workbook

    from resilient_sc.workbook import write_workbook

    f = {"demand": table("market demand period", ("Paris", 0.0, "2027"))}
    roadmap = solve_roadmap(paris(("2026", "2027", "2028"), **f))
    folder = roadmap.save(tmp_path / "out")
    book = load_workbook(write_workbook(tmp_path / "r.xlsx", roadmap=roadmap), read_only=True)
    csvs = {p.stem: pd.read_csv(p, nrows=0).columns.tolist() for p in folder.glob("*.csv")
            if p.name != "timings.csv"}  # the seconds: a sheet of their own, as the file is
    sheets = {name: [c.value for c in next(book[name].iter_rows(max_row=1))] for name in book.sheetnames}
    assert sheets.pop("README") == ["sheet", "what it holds"] and sheets.pop("summary")
    assert sheets.pop("timings") == ["sheet", "what", "seconds"] and sheets == csvs
    said = pd.read_excel(tmp_path / "r.xlsx", sheet_name="README").dropna().set_index("sheet")
    said = said["what it holds"]
    assert set(said.index) == {"summary", "timings", *csvs} and said.str.len().gt(40).all()
    hubs = pd.read_excel(tmp_path / "r.xlsx", sheet_name="hubs_opened").set_index("period")
    assert hubs.loc[2027, "throughput (units of default)"] == 0.0


def test_a_plan_not_proven_optimal_counts_only_the_starts_that_happen():
    """``started ≥ z_t − z_{t−1}`` lets a plan the solver stopped on count a start that did not
    happen (started = 1 with z unchanged). The roadmap recounts the cost from the design, and
    its gap and the not-optimal message use that cost: one cost everywhere. Glide path of
    :func:`test_glide_path_and_weights` (475), with a phantom restart of S_CN in 2027 (weight
    0.5 × opening 30 = 15 more in the solver's objective) and a bound of 380."""
    import dataclasses

    from resilient_sc import NotOptimalError
    from resilient_sc.optimize import accepted
    from resilient_sc.roadmap import Roadmap
    from resilient_sc.solvers.base import Status
    from resilient_sc.solvers.routes import ROUTES, solve_linear

    model = build_roadmap(paris(weights=(1.0, 0.5)), Policy(min_local_share={"2027": 1.0}))
    exact, _ = solve_linear(model, routes=ROUTES[-1:])  # type: ignore[arg-type]  # plain HiGHS
    started = model.lm.variables["supplier_started"]
    phantom = started.start + int(np.flatnonzero(  # S_CN, 2027: stopped in fact
        (started.index["supplier"] == "S_CN") & (started.index["period"] == "2027"))[0])
    x = exact.x.copy()
    assert x[phantom] == pytest.approx(0.0)
    x[phantom] = 1.0
    assert model.lm.objective() @ x == pytest.approx(490.0)
    stopped = dataclasses.replace(exact, x=x, objective=490.0, bound=380.0, gap=110.0 / 490.0,
                                  status=Status.TIME_LIMIT)
    r = Roadmap.from_solution(model, stopped)
    assert r.objective == pytest.approx(475.0) and r.gap == pytest.approx(95.0 / 475.0)
    with pytest.raises(NotOptimalError, match=r"gap 20\.0000% \(cost 475\.00, bound 380\.00\)"):
        accepted(r, stopped, SolveOptions())


def test_a_period_without_demand_has_no_share_weighting():
    """No product has a unit value: the shares are demand-weighted, and a period of demand 0
    weighs nothing, so it is not named as weighted otherwise (it said 'value-weighted': every
    unit value of no row is positive; roadmap audit)."""
    frames = paris(("2026", "2027", "2028")).frames()
    frames["products"] = table("product", ("default",))
    frames["demand"] = table("market demand period", ("Paris", 10.0, ""), ("Paris", 0.0, "2027"))
    r = solve_roadmap(Network.from_frames(**frames), Policy())
    assert list(r.shares()["weighting"]) == ["demand-weighted", "no demand", "demand-weighted"]
    assert r.share_weighting() == "demand-weighted"
    assert "shares are demand-weighted over all markets" in r.summary()


def test_a_period_without_demand_is_warned_of():
    """Demand rows for 2026 and 2028 but none for 2027 (forgotten): the roadmap plans 2027
    empty, stopping the supplier and hub to start them again; validation says so, naming it.
    A row of demand 0 for the period says there is none on purpose: no warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataWarning)
        frames = paris(("2026", "2027", "2028")).frames()  # the blank-period row holds in every period
    frames["demand"] = table("market demand period", ("Paris", 10.0, "2026"), ("Paris", 10.0, "2028"))
    with pytest.warns(DataWarning, match=r"\(demand\) \| no row of demand holds in period '2027': the "
                                         r"plan serves nothing there"):
        Network.from_frames(**frames)
    frames["demand"] = table("market demand period", ("Paris", 10.0, ""), ("Paris", 0.0, "2027"))
    with warnings.catch_warnings():  # demand 0 in 2027: none on purpose
        warnings.simplefilter("error", DataWarning)
        Network.from_frames(**frames)


def test_a_glide_path_that_skips_a_period_is_warned_of():
    """Period keys 2026 and 2028 but none for 2027: min_local_share asks nothing in 2027 (a key
    holds in its period only), so the plan dips there; the roadmap says so, naming the field and
    the period; so is a last key before the last period. Keys from a period to the last, or every
    period keyed, are no warning."""
    net = paris(("2026", "2027", "2028"))
    with pytest.warns(DataWarning, match=r"min_local_share has period keys '2026' and '2028' but none for "
                                         r"'2027' between them"):
        build_roadmap(net, Policy(min_local_share={"2026": 0.0, "2028": 0.0}))
    # a target for 2027 alone asks nothing in 2028: 'local by 2027' was a one-year detour, silently
    with pytest.warns(DataWarning, match=r"min_local_share has no period key after '2027': a period key "
                                         r"holds in its period only, so in '2028' min_local_share asks"):
        build_roadmap(net, Policy(min_local_share={"2027": 0.0}))
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataWarning)
        build_roadmap(net, Policy(min_local_share={"2028": 0.0}))
        build_roadmap(net, Policy(min_local_share={"2026": 0.0, "2027": 0.0, "2028": 0.0, "Europe": 0.0}))


def restart_network() -> Network:
    """Three periods (weights 0.5, 1.2, 0.8), one product, markets M0 (1) and M1 (124), five
    suppliers and two hubs with opening, closing and fixed costs; S2 has no capacity in 2027,
    S3 none in 2028 (found by a fuzzing audit against an independent MILP)."""
    from io import StringIO

    tables = {
        "countries": "country,region,bloc\nDE,Europe,eu\nFR,Europe,eu\nCN,Asia,\nVN,Asia,\nUS,America,na\n"
                     "MX,America,na",
        "demand": "market,product,demand,period\nM0,p,1,\nM1,p,124,",
        "hubs": "hub,country,fixed_cost,capacity,handling_cost,status,opening_cost,closing_cost,lead_time\n"
                "H0,MX,2305,300,0,existing,1089,1824,0\nH1,US,1309,800,1,closed,1649,577,0",
        "lanes": "origin,destination,product,unit_cost,co2\nS1,H1,all,8,0\nS2,H0,all,1,0\nS3,H0,all,7,3\n"
                 "S4,H0,all,8,3\nS4,H1,all,2,3\nH0,M0,all,6,1\nH0,M1,all,4,0\nH1,M0,all,6,3\nH1,M1,all,4,3",
        "markets": "market,country\nM0,MX\nM1,US",
        "periods": "period,weight\n2026,0.5\n2027,1.2\n2028,0.8",
        "products": "product,unit_value\np,50",
        "supplier_products": "supplier,product,capacity,unit_cost,co2,period\nS0,p,315,32,1,\n"
                             "S2,p,535,23,0,\nS2,p,0,53,0,2027\nS3,p,238,19,5,\nS3,p,0,28,1,2028\n"
                             "S4,p,439,54,5,",
        "suppliers": "supplier,country,fixed_cost,status,opening_cost,closing_cost,lead_time\n"
                     "S0,CN,272,candidate,1191,3115,0\nS1,MX,503,open,2639,1806,0\n"
                     "S2,US,1636,candidate,3442,1926,0\nS3,CN,2021,candidate,1693,2778,0\n"
                     "S4,MX,1041,existing,3433,10,0",
    }
    return Network.from_frames(**{name: pd.read_csv(StringIO(text), dtype=str, keep_default_na=False)
                                  for name, text in tables.items()})


def test_a_roadmap_is_never_its_mip_start_said_to_be_optimal():
    """HiGHS 1.16, given the myopic path as a MIP start, reported the optimum 31,865.65 but
    returned the start's values, a plan costing 40,225.15 (S2 started, stopped and started again),
    which came out as "optimal, gap 0%". The optimum 31,865.65 is an independent MILP's written
    from MODEL.md §9, and HiGHS's on the same model without the start; the plan's cost is its
    own c · x."""
    net = restart_network()
    policy = Policy(max_country_share={"2026": 1.0, "2027": 0.9, "2028": 0.8},
                    min_local_share={"2027": 0.05, "2028": 0.1},
                    min_suppliers={"2026": 1, "2027": 2, "2028": 1}, co2_price=1.5)
    roadmap = solve_roadmap(net, policy)
    assert roadmap.status.value == "optimal" and roadmap.objective == pytest.approx(31_865.65, abs=1e-6)
    assert roadmap.verify(policy) == []
    if importlib.util.find_spec("pyomo") is not None:  # the pyomo model takes no start
        pyomo = solve_roadmap(net, policy, SolveOptions(backend="pyomo"))
        assert pyomo.objective == pytest.approx(roadmap.objective, rel=1e-9)


def test_the_share_weighting_names_the_periods_weighted_otherwise():
    """A product without a unit value demanded only in 2028 weighs that period's products
    equally; the summary said 'value-weighted' for every period (the first period's)."""
    from types import SimpleNamespace

    from resilient_sc.roadmap import Roadmap

    def fake(*weightings: str) -> SimpleNamespace:
        return SimpleNamespace(plans={str(2026 + i): SimpleNamespace(share_weighting=lambda w=w: w)
                                      for i, w in enumerate(weightings)})

    assert Roadmap.share_weighting(fake("value-weighted", "value-weighted")) == "value-weighted"
    assert Roadmap.share_weighting(fake("value-weighted", "value-weighted", "products weighted equally")) == (
        "value-weighted (2028: products weighted equally)")


def test_a_period_that_weighs_next_to_nothing_is_warned_of():
    """Weights 1e-6 and 1e6 side by side: the path was proven within 1e-6 while 2027's own plan
    was 5.8% dearer than it need be, a hub opened and closed for nothing, and nothing said. The
    bundled glide path's own weights (0.95 a year) say nothing."""
    f = examples.electronics_roadmap().frames()
    f["periods"]["weight"] = f["periods"]["weight"] * [1, 1e-6, 1, 1e6, 1]
    with pytest.warns(RunWarning, match=r"period 2027 weighs 9\.5e-07 .* so its starts and stops may buy "
                                        r"nothing; no gap a solver proves gets it that close"):
        solve_roadmap(Network.from_frames(**f))
    with warnings.catch_warnings():
        warnings.simplefilter("error", RunWarning)
        solve_roadmap(examples.electronics_roadmap())


def test_a_periods_row_is_its_row_in_the_stack():
    """``RoadmapModel.period_rows``: each row of a period's model is the stacked model's row it
    names, with the same coefficients on that period's columns and the same bounds."""
    net, policy = random_roadmap(1)
    model = build_roadmap(net, policy.replace(max_country_share={"2027": 0.7, "2028": 0.6}))
    stacked, (_, _, lo, up, _) = model.lm.matrix().tocsr(), model.lm.bounds()
    for t, m in enumerate(model.models):
        columns = np.empty(m.lm.n_cols, np.int64)
        for name, block in m.lm.variables.items():
            columns[block.start:block.start + block.size] = model.starts[name][t] + np.arange(block.size)
        rows = model.period_rows(t)
        assert len(np.unique(rows)) == m.lm.n_rows
        assert (stacked[rows][:, columns] != m.lm.matrix().tocsr()).nnz == 0
        _, _, m_lo, m_up, _ = m.lm.bounds()
        assert np.array_equal(lo[rows], m_lo) and np.array_equal(up[rows], m_up)


def test_a_roadmaps_lazy_caps_start_from_the_caps_its_periods_fill():
    """A roadmap with dependence caps takes the lazy-caps route, its first master with the caps
    that the periods solved alone (its MIP start) fill; plain HiGHS on the whole stacked model
    reaches the same optimum. (From no caps, the caps kept breaking round after round.)"""
    from resilient_sc.roadmap import periods_alone
    from resilient_sc.solvers import lazy

    net, policy = random_roadmap(0)
    policy = policy.replace(max_country_share={"2027": 0.7, "2028": 0.6})
    model = build_roadmap(net, policy)
    start = periods_alone(model, SolveOptions())
    assert start is not None and start.filled_caps is not None and len(start.filled_caps) > 0
    assert np.isin(start.filled_caps, lazy.lazy_rows(model.lm)).all()
    fast = solve_roadmap(net, policy)
    assert fast.report.route == "lazy-caps"
    assert f"after 1 round ({len(start.filled_caps)})" in fast.report.note
    plain = solve_roadmap(net, policy, SolveOptions(accelerate=False))
    assert fast.objective == pytest.approx(plain.objective, rel=1e-6)
    assert fast.verify() == []


def test_a_roadmap_under_single_sourcing_takes_its_caps_whole():
    """Under single sourcing the first master's plan broke caps in most tiny ladder roadmaps and
    its MIP was time lost: a roadmap with assignments keeps every cap from the start."""
    net, policy = random_roadmap(0)
    policy = policy.replace(max_country_share={"2027": 0.7, "2028": 0.6}, single_sourcing=True)
    fast = solve_roadmap(net, policy)
    assert fast.report.route != "lazy-caps" and "lazy caps" not in fast.report.note
    plain = solve_roadmap(net, policy, SolveOptions(accelerate=False))
    assert fast.objective == pytest.approx(plain.objective, rel=1e-6)


@pytest.mark.parametrize("kind", ["supplier", "hub"])
def test_an_n_minus_1_roadmap_generates_its_failures(kind):
    """A roadmap with an N-1 policy and no dependence caps takes failure generation (the
    failures that bind join the stacked model round by round); plain HiGHS on the whole
    stacked model reaches the same optimum."""
    net, policy = random_roadmap(2)
    policy = policy.replace(survive=(kind,), service_level=0.5)
    fast = solve_roadmap(net, policy)
    assert fast.report.route == "failure-generation"
    plain = solve_roadmap(net, policy, SolveOptions(accelerate=False))
    assert fast.objective == pytest.approx(plain.objective, rel=1e-6)
    assert fast.verify() == []


def test_a_supplier_closed_for_a_year_and_reopened_for_nothing_is_warned_of():
    """No demand in 2027: S_CN (existing, opening_cost 0, closing_cost 0) stops then and starts
    again in 2028 for nothing, 160 + 0 + 160 = 320; the roadmap showed '+1 started' as a new
    contract, without a word (roadmap audit)."""
    net = paris(periods=("2026", "2027", "2028"),
                suppliers=table("supplier country fixed_cost status opening_cost closing_cost lead_time",
                                ("S_CN", "CN", 100.0, "existing", 0.0, 0.0, 0),
                                ("S_FR", "FR", 200.0, "candidate", 300.0, 0.0, 1)),
                demand=table("market demand period", ("Paris", 0.0, "2027")))
    with pytest.warns(RunWarning, match=r"1 supplier or hub stops and starts again at no opening cost: "
                                        r"S_CN \(2028\) .*its opening_cost is 0"):
        r = solve_roadmap(net)
    assert r.objective == pytest.approx(320.0)
    assert r.timeline().set_index("id").loc["S_CN", ["2026", "2027", "2028"]].tolist() == [
        "operating", "stopped", "started"]
    # kept with the roadmap's files (said on stderr alone, lost to whoever opened the folder)
    assert r.path_warnings[0].startswith("(roadmap) | 1 supplier or hub stops and starts again")
    assert r.to_dict()["warnings"] == list(r.path_warnings)
    assert f"## Warnings of the solve\n\nGiven when the results were solved:\n\n- {r.path_warnings[0]}" in (
        r.readme())
    with warnings.catch_warnings():  # a restart that pays its opening cost is no surprise
        warnings.simplefilter("error", RunWarning)
        solve_roadmap(net.replace(suppliers=net.suppliers.assign(opening_cost=[30.0, 300.0])))



def test_the_data_warnings_go_with_the_saved_roadmap_and_plan(tmp_path):
    """A period of weight 0 is planned at random: the warning was printed when the data were read,
    and the folder and workbook sent on said nothing of it (roadmap audit)."""
    import json

    from resilient_sc.workbook import write_workbook

    with pytest.warns(DataWarning, match="weight 0"):
        net = paris(weights=(1.0, 0.0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RunWarning)
        r = solve_roadmap(net)
    (said,) = [w for w in net.warnings if "weight 0" in w]
    folder = r.save(tmp_path / "roadmap")
    assert f"## Warnings of the data\n\nGiven when the data were read; the results above stand on them:\n\n" \
           f"- {said}\n" in (folder / "README.md").read_text(encoding="utf-8")
    assert json.loads((folder / "roadmap.json").read_text(encoding="utf-8"))["warnings"] == list(net.warnings)
    readme = pd.read_excel(write_workbook(tmp_path / "r.xlsx", roadmap=r), sheet_name="README")
    warned = readme.loc[readme["sheet"] == "warning of the data", "what it holds"]
    assert warned.tolist() == list(net.warnings)
    plan = r.plans["2026"]  # a period's plan: its JSON is the roadmap's part, without the warnings again
    assert plan.data_warnings == net.warnings and "warnings" not in plan.to_dict()
    alone = solve(in_period(net, "2026"))  # a plan of its own says them as a roadmap does
    assert alone.data_warnings == net.warnings and alone.to_dict()["warnings"] == list(net.warnings)
    assert f"- {said}\n" in (alone.save(tmp_path / "plan") / "README.md").read_text(encoding="utf-8")


def test_a_summary_with_weights_shown_rounded_says_the_total_uses_them_as_given():
    """Weights of 1 / 1.05^t shown as 0.9524, … times the period costs shown gave a total 634
    below the one printed (55.8M): the total line says the weights are used as given."""
    from resilient_sc import examples

    f = examples.electronics_roadmap().frames()
    f["periods"]["weight"] = [1 / 1.05 ** i for i in range(len(f["periods"]))]
    line = solve_roadmap(Network.from_frames(**f)).summary().splitlines()[2]
    assert "(Σ weight × period cost, the weights as given (shown rounded below); bound" in line
    assert "as given" not in solve_roadmap(examples.electronics_roadmap()).summary()  # 4 decimals: exact
    # the policy said, as a plan's summary says it (it said none: policies audit)
    assert solve_roadmap(examples.electronics_roadmap(), Policy(max_hubs=4)).summary().splitlines()[1] == (
        "policy      max_hubs 4")


def test_a_period_a_glide_path_skips_is_kept_with_the_roadmaps_files():
    """max_country_share keyed 2026 and 2028 asks nothing in 2027: warned at the solve, but not kept
    with the roadmap (its folder, workbook and the app's exports said nothing of it)."""
    net = paris(periods=("2026", "2027", "2028"))
    policy = Policy(max_country_share={"2026": 1.0, "2028": 1.0})
    with pytest.warns(DataWarning, match="none for '2027'"):
        r = solve_roadmap(net, policy)
    assert [w for w in r.path_warnings if "'2027'" in w] == policy.skipped_periods(["2026", "2027", "2028"])
    assert r.to_dict()["warnings"] == list(r.path_warnings)
    assert policy.skipped_periods(r.period_ids)[0] in r.readme()
