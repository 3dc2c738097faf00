"""The pyomo model matches the direct HiGHS model; LP/MPS export reads back to the same optimum."""

from __future__ import annotations

import functools
import re
import subprocess
import sys
import warnings

import highspy
import numpy as np
import pandas as pd
import pyomo.environ as pyo
import pytest
from pyomo.contrib.solver.common.factory import SolverFactory

from resilient_sc import (
    DataWarning,
    InfeasiblePolicyError,
    Network,
    NetworkModel,
    NotOptimalError,
    Policy,
    ResilientSCError,
    RunWarning,
    SolveOptions,
    ValidationError,
    build_model,
    examples,
    solve,
    solve_roadmap,
)
from resilient_sc.export import write_model, write_network_model
from resilient_sc.optimize import plan_from_pyomo, solve_model, solve_pyomo, solver_seconds
from resilient_sc.roadmap import roadmap_from_pyomo
from resilient_sc.solvers.highs import make_highs, run_highs
from resilient_sc.solvers.pyomo import highs_options, model_to_pyomo, to_pyomo

from .random_networks import random_network

SEEDS = range(20)
REL = 1e-6


@functools.cache
def network(seed: int | None) -> Network:
    """Random network ``seed``, or the tiny example for None (each validated once)."""
    return examples.tiny() if seed is None else random_network(seed)


@functools.cache
def built(seed: int | None) -> NetworkModel:
    return build_model(network(seed))


def direct_objective(model: NetworkModel) -> float:
    """The optimum of the direct path (make_highs + run_highs)."""
    result = run_highs(make_highs(model.lm, SolveOptions()), True)
    assert result.status.value == "optimal"
    return result.objective


@functools.cache
def direct_optimum(seed: int) -> float:
    return direct_objective(built(seed))


def pyomo_objective(m: pyo.ConcreteModel) -> float:
    """Solve ``m`` with pyomo's HiGHS interface and return total_cost."""
    results = SolverFactory("highs").solve(m)
    assert results.termination_condition.name == "convergenceCriteriaSatisfied"
    return pyo.value(m.total_cost)


def test_tiny_named_components():
    m = model_to_pyomo(built(None))
    for name in ("supplier_contracted", "hub_opened", "inbound_flow", "outbound_flow", "demand",
                 "origin_balance", "supplier_capacity", "hub_capacity", "hub_link", "total_cost",
                 "cost_supplier_fixed", "cost_hub_fixed", "cost_purchase", "cost_transport",
                 "demand_index", "outbound_flow_index"):
        assert m.component(name) is not None, name
    assert m.hub_opened["H1"].domain is pyo.Binary
    assert m.inbound_flow["S_CN", "H1", "default"].domain is pyo.NonNegativeReals
    demand = m.demand["Paris", "default"]
    assert demand.equality and demand.upper == 80
    assert {v.name for v in demand.body.args} == {"outbound_flow[H1,Paris,default,CN]",
                                                   "outbound_flow[H1,Paris,default,FR]"}
    assert m.hub_link["H1", "Paris", "default"].lower is None
    assert pyomo_objective(m) == pytest.approx(1260.0)
    assert pyo.value(m.cost_supplier_fixed) == pytest.approx(200.0)
    plan = plan_from_pyomo(m)
    assert plan.objective == pytest.approx(1260.0)
    assert plan.supplier_ids == ["S_CN"] and plan.status.value == "optimal"


def test_backend_option_solves_through_pyomo():
    plan = solve_model(built(None), SolveOptions(backend="pyomo"))
    assert plan.objective == pytest.approx(1260.0)
    assert plan.bound == pytest.approx(1260.0) and plan.gap == pytest.approx(0.0, abs=1e-9)
    assert plan.breakdown["purchase"] == pytest.approx(480.0)
    with pytest.raises(ValidationError, match="backend"):
        SolveOptions(backend="gurobi").check()


@pytest.mark.parametrize("seed", SEEDS)
def test_random_networks_same_optimum(seed):
    model = built(seed)
    m = model_to_pyomo(model)
    n_vars = sum(len(v) for v in m.component_objects(pyo.Var))
    n_rows = sum(len(c) for c in m.component_objects(pyo.Constraint))
    assert (n_vars, n_rows) == (model.lm.n_cols, model.lm.n_rows)
    assert pyomo_objective(m) == pytest.approx(direct_optimum(seed), rel=REL)


@pytest.mark.parametrize("seed", [0])
def test_policy_families_appear_and_match(seed):
    base = solve_pyomo(built(seed))
    assert base.objective == pytest.approx(direct_optimum(seed), rel=REL)
    policy = Policy(co2_cap=0.8 * base.emissions, co2_price=0.5, shortfall_penalty=500.0,
                    max_hubs=2)
    model = build_model(network(seed), policy)
    m = model_to_pyomo(model)
    for name in model.lm.variables:
        assert isinstance(m.component(name), pyo.Var), name
    for name in model.lm.constraints:
        assert isinstance(m.component(name), pyo.Constraint), name
    for name in model.lm.costs:
        assert isinstance(m.component(f"cost_{name}"), pyo.Expression), name
    assert not m.co2_cap.is_indexed()  # a one-row family without index columns is scalar
    assert m.shortfall.is_indexed()
    assert pyomo_objective(m) == pytest.approx(direct_objective(model), rel=REL)
    plan = plan_from_pyomo(m)
    assert plan.emissions <= 0.8 * base.emissions * (1 + 1e-6) + 1e-6


@pytest.mark.parametrize("policy", [
    Policy(survive=("hub",), service_level=0.5),
    Policy(min_suppliers=2, max_country_share=0.8),
    Policy(single_sourcing=True, min_hubs=1, max_hubs=2),
], ids=["survive", "sourcing", "single_sourcing"])
def test_resilience_families_match(policy):
    model = build_model(network(1), policy)
    m = model_to_pyomo(model)
    assert all(isinstance(m.component(name), pyo.Constraint) for name in model.lm.constraints)
    assert pyomo_objective(m) == pytest.approx(direct_objective(model), rel=REL)


def test_user_constraints_on_the_pyomo_model():
    seed = next(s for s in SEEDS if len(solve_pyomo(built(s)).hubs) >= 2)
    m = to_pyomo(network(seed))
    base = pyomo_objective(m)
    hub = next(h for h in solve_pyomo(m).hub_ids if h != "H1")  # H1 alone can serve everyone
    m.hub_opened[hub].fix(0)  # forbid a hub the optimum uses
    results = pyo.SolverFactory("highs").solve(m)  # the legacy interface a user would type
    assert str(results.solver.termination_condition) == "optimal"
    plan = plan_from_pyomo(m)
    assert hub not in plan.hub_ids
    assert plan.objective >= base * (1 - REL)
    m.hub_opened[hub].unfix()
    m.one_hub = pyo.Constraint(expr=sum(m.hub_opened[h] for h in m.hub_opened_index) <= 1)
    plan = solve_pyomo(m)
    assert len(plan.hubs) == 1 and plan.objective >= base * (1 - REL)


def test_blocks_added_later_appear_and_infeasibility_raises():
    model = build_model(network(None))  # a fresh model: this test extends it
    o = model.variables["hub_opened"]
    model.lm.add_constraints("no_hubs", pd.DataFrame(index=range(1)),
                             [(np.zeros(o.size, np.int64), o, np.arange(o.size), 1.0)], upper=0.0)
    m = model_to_pyomo(model)
    assert m.no_hubs.upper == 0
    with pytest.raises(InfeasiblePolicyError):
        solve_pyomo(model)
    # left as built (the block is the model's): explained as solve explains it, where it read
    # 'it may have been changed since it was built, so no further explanation is given'
    with pytest.raises(InfeasiblePolicyError, match="these requirements cannot all hold together: no_hubs"):
        solve_pyomo(m)
    with pytest.raises(InfeasiblePolicyError):
        solve_model(model, SolveOptions(backend="pyomo"))
    m = to_pyomo(examples.tiny())
    m.none = pyo.Constraint(expr=sum(m.hub_opened.values()) <= 0)  # a row of the user's own: named
    said = ("reports the pyomo model infeasible; it was changed since it was built (1 row added (none)): "
            "solve the network and policy without the changes for the library's explanation")
    with pytest.raises(InfeasiblePolicyError, match=re.escape(f"- HiGHS (pyomo backend) {said}")):
        solve_pyomo(m)
    results = pyo.SolverFactory("highs").solve(m, load_solutions=False)
    with pytest.raises(InfeasiblePolicyError, match=re.escape(f"- the solver {said}")):
        plan_from_pyomo(m, results=results)


def test_import_does_not_load_pyomo():
    code = ("import sys, resilient_sc, resilient_sc.optimize, resilient_sc.solvers.routes; "
            "print('pyomo' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# ---- export ---------------------------------------------------------------------------------
def read_back(path) -> highspy.Highs:
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    assert h.readModel(str(path)) == highspy.HighsStatus.kOk
    h.run()
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    return h


@pytest.mark.parametrize("suffix", [".lp", ".mps"])
@pytest.mark.parametrize("seed", [None, 3])
def test_write_model_reads_back(tmp_path, suffix, seed):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # HiGHS keeps every readable name
        if seed is None:
            path = write_model(network(None), None, tmp_path / f"model{suffix}")
        else:
            path = write_network_model(built(seed), tmp_path / f"model{suffix}")
    model = built(seed)
    assert path.exists() and not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
    h = read_back(path)
    optimum = 1260.0 if seed is None else direct_optimum(seed)
    assert h.getInfo().objective_function_value == pytest.approx(optimum, rel=REL)
    assert h.getNumCol() == model.lm.n_cols and h.getNumRow() == model.lm.n_rows
    assert h.getColName(0)[1] == model.lm.column_names()[0]
    assert h.getRowName(0)[1] == model.lm.row_names()[0]
    if suffix == ".lp":
        assert "demand(" in path.read_text(encoding="utf-8")


def test_awkward_ids_stay_valid_lp_names(tmp_path):
    frames = network(None).frames()
    odd = "Île-de-France / Paris: 2"
    frames["markets"]["market"] = odd
    frames["demand"]["market"] = odd
    frames["lanes"]["destination"] = frames["lanes"]["destination"].replace("Paris", odd)
    model = build_model(Network.from_frames(**frames))
    assert model.lm.row_names()[0] == "demand(_le_de_France___Paris__2,default)"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        path = write_network_model(model, tmp_path / "odd.lp")
    assert read_back(path).getInfo().objective_function_value == pytest.approx(1260.0)


def test_write_model_rejects_other_suffixes(tmp_path):
    with pytest.raises(ValidationError, match=r"\.lp or \.mps"):
        write_model(network(None), None, tmp_path / "model.txt")


def tiny_with_an_open_contract() -> Network:
    """The tiny example with S_FR an existing contract (status open): S_FR is then paid for and
    used (1720, tests/test_policies.py), where the optimum without it is 1260 with S_CN alone."""
    frames = {k: v.drop(columns=[c for c in v if c.startswith("_")])
              for k, v in examples.tiny().frames().items() if v is not None}
    frames["suppliers"].loc[frames["suppliers"]["supplier"] == "S_FR", "status"] = "open"
    return Network.from_frames(**frames)


def test_a_bound_the_user_changes_is_the_one_read_back():
    """Ending the existing contract in pyomo (its lower bound 1 -> 0) solves to 1260 without S_FR;
    the plan read back clipped S_FR into the bounds as built (contracted, cost 1760, 'optimal',
    gap 0 against a bound of 1260): it is now the solver's plan."""
    m = to_pyomo(tiny_with_an_open_contract())
    assert pyomo_objective(m) == pytest.approx(1720.0)
    m.supplier_contracted["S_FR"].setlb(0)
    results = pyo.SolverFactory("highs").solve(m)
    for plan in (plan_from_pyomo(m, results=results), solve_pyomo(m)):
        assert plan.objective == pytest.approx(1260.0) and plan.supplier_ids == ["S_CN"]
        assert plan.gap == 0.0 and plan.bound == pytest.approx(1260.0)


def test_a_cost_term_the_user_adds_is_in_the_plans_cost():
    """A decision of the user's own, at least 100 and in the objective: the plan cost 1260 (the
    model as built) beside a bound of 1360 and gap 0; now 1360, the 100 its own breakdown line."""
    m = to_pyomo(examples.tiny())
    m.extra = pyo.Var(domain=pyo.NonNegativeReals)
    m.need = pyo.Constraint(expr=m.extra >= 100)
    m.total_cost.expr = m.total_cost.expr + m.extra
    results = pyo.SolverFactory("highs").solve(m)
    for plan in (plan_from_pyomo(m, results=results), solve_pyomo(m)):
        assert plan.objective == pytest.approx(1360.0) and plan.breakdown["extension"] == pytest.approx(100.0)
        assert plan.breakdown.sum() == pytest.approx(plan.objective) and plan.gap == 0.0


def test_a_relaxations_values_are_not_read_back_as_a_plan():
    """Every binary made continuous (pyomo's core.relax_integer_vars) read back as an 'optimal'
    plan with S_BR_Manaus 0.749 contracted, flows from suppliers not listed as contracted and a
    fractional fixed cost: a relaxation's values are refused, naming them."""
    m = to_pyomo(examples.electronics())
    pyo.TransformationFactory("core.relax_integer_vars").apply_to(m)
    results = pyo.SolverFactory("highs").solve(m)
    said = r"whole variables hold fractional values \(supplier_contracted\[S_BR_Manaus\] = 0\.7"
    with pytest.raises(ResilientSCError, match=said + r".*a relaxation's values are no network design"):
        plan_from_pyomo(m, results=results)
    m = to_pyomo(examples.electronics())  # a binary off by a solver's tolerance (Gurobi's 1e-5) is a plan
    results = pyo.SolverFactory("highs").solve(m)
    opened = next(k for k, v in m.hub_opened.items() if v.value > 0.5)
    m.hub_opened[opened].value = 1 - 5e-6
    assert plan_from_pyomo(m, results=results).hub_ids


def test_an_objective_of_ones_own_is_named_and_not_read_as_the_cost():
    """Minimising CO2 (869,500 CO2 units on the bundled example) read 'total cost 869,500.06',
    an 'extension' line of -13M and 'cost-optimal': the plan costs what the model as built says
    (its breakdown), with no bound on that cost, and its note names the objective solved.
    Maximising local supply under a budget at a 5% gap was refused through pyomo's legacy
    interface, whose bounds of a maximisation are the other way round."""
    net = examples.electronics()
    m = to_pyomo(net)
    m.total_cost.deactivate()
    m.min_co2 = pyo.Objective(expr=m.emissions)
    plan = plan_from_pyomo(m, results=pyo.SolverFactory("highs").solve(m, options={"mip_rel_gap": 1e-6}))
    assert pyo.value(m.emissions) == pytest.approx(869_500.06)
    assert plan.objective == pytest.approx(plan.breakdown.sum()) and "extension" not in plan.breakdown
    assert plan.objective == pytest.approx(13_954_960.60) and np.isnan(plan.bound)
    assert "objective replaced by 'min_co2' (minimised)" in plan.report.note
    assert "policy      no resilience policy\n" in plan.summary()
    assert "(no bound on this cost: solved for another objective, below)" in plan.summary()

    base = solve_pyomo(to_pyomo(net)).objective
    region = dict(zip(net.countries["country"], net.countries["region"], strict=True))
    markets = net.markets
    area = {mk: region[c] for mk, c in zip(markets["market"], markets["country"], strict=True)}
    m = to_pyomo(net)
    m.budget = pyo.Constraint(expr=m.total_cost.expr <= 1.01 * base)
    m.total_cost.deactivate()
    local = [k for k in m.outbound_flow if region[k[3]] == area[k[1]]]
    m.local = pyo.Objective(expr=sum(m.outbound_flow[k] for k in local), sense=pyo.maximize)
    results = pyo.SolverFactory("highs").solve(m, options={"mip_rel_gap": 0.05})
    with pytest.warns(RunWarning, match="proved this plan within a gap of"):
        plan = plan_from_pyomo(m, results=results)
    assert "objective replaced by 'local' (maximised)" in plan.report.note
    assert plan.objective == pytest.approx(plan.breakdown.sum()) and plan.objective <= 1.01 * base + 1e-3


def test_an_objective_of_ones_own_stopped_by_a_limit_says_whose_gap():
    """A pyomo model minimising CO2, stopped by its time limit, was refused as 'not proven
    optimal: ... with gap nan% (cost ..., bound nan)': the solver's gap is the objective's own,
    and the plan's cost has no bound."""
    import dataclasses

    from resilient_sc.optimize import accepted, pyomo_solution, with_objective
    from resilient_sc.results import Plan
    from resilient_sc.solvers.base import Status
    from resilient_sc.solvers.pyomo import network_model_of

    m = to_pyomo(examples.electronics())
    m.total_cost.deactivate()
    m.min_co2 = pyo.Objective(expr=m.emissions)
    result, values = pyomo_solution(m, network_model_of(m), None,
                                    pyo.SolverFactory("highs").solve(m, options={"mip_rel_gap": 1e-6}))
    result = dataclasses.replace(result, status=Status.TIME_LIMIT, gap=0.0123)
    plan = with_objective(Plan.from_values(network_model_of(m), values, result, None), result, replaced=True)
    with pytest.raises(NotOptimalError) as caught:
        accepted(plan, result, SolveOptions())
    assert "nan" not in str(caught.value)
    said = "on the model's own objective, gap 1.2300% on it (this plan's cost 13,954,960.60, no bound on it)"
    assert said in str(caught.value)


def test_a_solve_at_the_solvers_own_gap_reads_back_with_its_gap():
    """HiGHS through pyomo stops at its own gap (1e-4) unless told the library's: example 05's China
    cap on electronics ends 'optimal' with its bound 5e-5 below; the plan read back said gap 0
    and bound = cost. Now the solver's bound and gap, and a warning; at 1e-6 neither."""
    def capped():
        m = to_pyomo(examples.electronics())
        total = float(examples.electronics().demand["demand"].sum())
        m.china_cap = pyo.Constraint(expr=sum(m.outbound_flow[k] for k in m.outbound_flow if k[3] == "CN")
                                     <= 0.2 * total)
        return m

    m = capped()
    results = pyo.SolverFactory("highs").solve(m)
    bound = float(results.problem.lower_bound)
    if pyomo_objective(m) - bound <= 1e-6 * pyomo_objective(m):
        pytest.skip("HiGHS closed the gap below 1e-6 at its own tolerance this time")
    with pytest.warns(RunWarning, match=r"within a gap of .* only .* not the library's 1e-06"):
        plan = plan_from_pyomo(m, results=results)
    assert plan.bound == pytest.approx(bound)
    assert plan.gap == pytest.approx((plan.objective - bound) / plan.objective)
    m = capped()
    results = pyo.SolverFactory("highs").solve(m, options={"mip_rel_gap": 1e-6})
    with warnings.catch_warnings():
        warnings.simplefilter("error", RunWarning)
        plan = plan_from_pyomo(m, results=results)
    assert plan.gap <= 1e-6 and plan.objective == pytest.approx(solve_pyomo(capped()).objective, rel=1e-6)


def test_a_cost_the_user_adds_to_the_linear_model_is_its_own_line():
    """``build_model(...).lm.add_cost`` under a new name: HiGHS minimised it, but the plan's cost and
    breakdown left it out (cost 12.2M below its own bound of 16.2M, gap 0)."""
    model = build_model(examples.electronics())
    model.lm.add_cost("hub_surcharge", model.lm.variables["hub_opened"], 1e6)
    plan = solve_model(model)
    assert plan.breakdown["hub_surcharge"] == pytest.approx(1e6 * len(plan.hub_ids))
    assert plan.objective == pytest.approx(plan.bound, rel=1e-6) == pytest.approx(plan.breakdown.sum())


def test_a_co2_budget_of_ones_own_on_the_emissions_expression_is_co2_cap():
    """There was no CO2 expression unless co2_cap was set (a budget meant rebuilding the
    coefficients by hand): ``m.emissions`` is the plan's CO2, and a budget on it is co2_cap."""
    net = examples.electronics()
    base = solve_model(build_model(net))
    m = to_pyomo(net)
    cap = 0.9 * base.emissions
    m.budget = pyo.Constraint(expr=m.emissions <= cap)
    plan = solve_pyomo(m)
    reference = solve_model(build_model(net, Policy(co2_cap=cap)))
    assert plan.objective == pytest.approx(reference.objective, rel=REL)
    assert plan.emissions == pytest.approx(pyo.value(m.emissions)) and plan.emissions <= cap * (1 + 1e-9)


def test_a_model_without_a_plan_is_said_so_not_read_back():
    """Infeasible (solved with load_solutions=False, as pyomo's own error advises): pyomo's raw
    'No value for uninitialized VarData'; solved before and then made infeasible: the stale plan
    came back; never solved: a plan of zeros; unbounded: 'infeasible'."""
    m = to_pyomo(examples.tiny())
    with pytest.raises(NotOptimalError, match="holds no solution"):
        plan_from_pyomo(m)
    pyomo_objective(m)
    m.no_hub = pyo.Constraint(expr=m.hub_opened["H1"] <= 0)  # H1 is tiny's only hub
    results = pyo.SolverFactory("highs").solve(m, load_solutions=False)
    with pytest.raises(InfeasiblePolicyError, match="the solver reports the pyomo model infeasible;"):
        plan_from_pyomo(m, results=results)
    m = to_pyomo(examples.tiny())
    m.rebate = pyo.Var(domain=pyo.NonNegativeReals)  # a negative cost without a bound
    m.total_cost.expr = m.total_cost.expr - m.rebate
    with pytest.raises(InfeasiblePolicyError, match="infeasible or unbounded"):
        solve_pyomo(m)


def test_a_roadmaps_pyomo_model_reads_back_as_a_roadmap():
    """to_pyomo of data with periods solved by pyomo is the roadmap solve_roadmap finds; the
    one-period readers say where to go (an AttributeError after the solve)."""
    net = examples.electronics_roadmap()
    m = to_pyomo(net)
    results = pyo.SolverFactory("highs").solve(m, options={"mip_rel_gap": 1e-6})
    roadmap = roadmap_from_pyomo(m, results=results)
    assert roadmap.objective == pytest.approx(solve_roadmap(net).objective, rel=REL)
    assert roadmap.period_ids == list(net.periods["period"])
    for read in (plan_from_pyomo, solve_pyomo):
        with pytest.raises(ValidationError, match="roadmap_from_pyomo"):
            read(m)


def test_an_unavailable_pyomo_backend_is_an_error_not_plain_highs(monkeypatch):
    """SolveOptions(backend='pyomo') without pyomo's HiGHS interface fell back to plain HiGHS
    with a 'please report it' warning; the time limit counts the conversion to pyomo."""
    from pyomo.contrib.solver.solvers import highs as pyomo_highs

    from resilient_sc import ResilientSCError, solve

    missing = pyomo_highs.Availability.NotFound
    monkeypatch.setattr(pyomo_highs.Highs, "available", lambda self, *a, **k: missing)
    with pytest.raises(ResilientSCError, match="needs pyomo's HiGHS interface"):
        solve(examples.tiny(), None, SolveOptions(backend="pyomo"))


def test_the_pyomo_backend_gets_the_time_left(monkeypatch):
    """HiGHS under pyomo got the whole time limit after the conversion to pyomo had used some;
    a fault of the pyomo route is raised, never solved again by plain HiGHS."""
    from pyomo.contrib.solver.solvers import highs as pyomo_highs

    from resilient_sc import solve

    given = []
    real = pyomo_highs.Highs.solve
    monkeypatch.setattr(pyomo_highs.Highs, "solve",
                        lambda self, m, **kw: given.append(kw["time_limit"]) or real(self, m, **kw))
    solve(examples.electronics(), None, SolveOptions(backend="pyomo", time_limit=100.0))
    assert 0 < given[0] < 100.0  # the conversion's time counted

    def broken(self, m, **kw):
        raise RuntimeError("pyomo's interface broke")

    monkeypatch.setattr(pyomo_highs.Highs, "solve", broken)
    with pytest.raises(RuntimeError, match="pyomo's interface broke"):
        solve(examples.tiny(), None, SolveOptions(backend="pyomo"))


def test_a_legacy_interfaces_stopped_solve_is_interrupted_not_an_error():
    from types import SimpleNamespace

    from resilient_sc.solvers.base import Status
    from resilient_sc.solvers.pyomo import status_of

    for name, status in (("maxIterations", Status.INTERRUPTED), ("userInterrupt", Status.INTERRUPTED),
                         ("globallyOptimal", Status.OPTIMAL), ("feasible", Status.INTERRUPTED),
                         ("maxTimeLimit", Status.TIME_LIMIT), ("infeasibleOrUnbounded", Status.INFEASIBLE)):
        legacy = SimpleNamespace(solver=SimpleNamespace(termination_condition=SimpleNamespace(name=name)))
        assert status_of(legacy)[0] is status


def test_a_roadmap_stopped_at_its_limit_reads_back_without_a_false_warning():
    """A roadmap not proven optimal has its starts recounted: compared with that, every time-limited
    read-back warned of 'a term added to the objective' that nobody added; a RoadmapModel given
    to solve_pyomo is pointed to solve_roadmap_model."""
    from resilient_sc.model.roadmap import build_roadmap

    m = to_pyomo(examples.electronics_roadmap())
    results = pyo.SolverFactory("highs").solve(m, timelimit=0.3, load_solutions=False)
    if str(results.solver.termination_condition) != "maxTimeLimit":
        pytest.skip("solved within 0.3 s: no time-limited roadmap to read back")
    try:
        m.solutions.load_from(results)
    except ValueError:  # a loaded machine: stopped before any plan (pyomo: 'bad status: aborted')
        pytest.skip("stopped at 0.3 s before any plan was found: no time-limited roadmap to read back")
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        roadmap = roadmap_from_pyomo(m, results=results)
    assert roadmap.status.value == "time_limit"
    with pytest.raises(ValidationError, match=r"solve it with resilient_sc.roadmap.solve_roadmap_model"):
        solve_pyomo(build_roadmap(examples.electronics_roadmap()))


def test_values_left_from_an_earlier_solve_are_not_read_back_as_this_ones():
    """Solved with load_solutions=False and not loaded, the values are the last solve's: read
    back, they made a plan 'optimal' above its own bound that broke the row just added."""
    m = to_pyomo(examples.electronics())
    opt = pyo.SolverFactory("highs")
    opt.solve(m, options={"mip_rel_gap": 1e-6})
    total = float(examples.electronics().demand["demand"].sum())
    china = sum(m.outbound_flow[k] for k in m.outbound_flow if k[3] == "CN")
    m.china = pyo.Constraint(expr=china <= 0.2 * total)
    results = opt.solve(m, options={"mip_rel_gap": 1e-6}, load_solutions=False)
    with pytest.raises(NotOptimalError, match=r"values are not this solve's: they cost 11,914,791.20, the "
                                              r"solver's plan 12,010,051.22: .*load_from\(results\)"):
        plan_from_pyomo(m, results=results)
    m.solutions.load_from(results)
    assert plan_from_pyomo(m, results=results).objective == pytest.approx(12_010_051.22)


def test_a_plan_of_a_changed_pyomo_model_says_so_and_is_certified_only_if_it_holds_every_row(tmp_path):
    """The policy line of a plan read back from an extended model read 'no resilience policy
    (cost-optimal)' with nothing to say a row was added; solve_pyomo's report said certified."""
    m = to_pyomo(examples.tiny())
    assert solve_pyomo(m).report.note == "read back from a pyomo model"
    m.cap = pyo.Constraint(expr=m.supplier_contracted["S_CN"] <= 0)  # stricter: every row still holds
    plan = solve_pyomo(m)
    assert plan.objective == pytest.approx(1720.0) and plan.report.certified
    assert "changed since it was built (1 row added (cap))" in plan.summary()
    m.cap.deactivate()
    m.demand["Paris", "default"].deactivate()  # looser: nothing shipped breaks the row as built
    m.hub_opened["H1"].setub(0)
    loose = solve_pyomo(m)
    assert loose.objective == 0 and not loose.report.certified
    assert loose.report.note == ("read back from a pyomo model changed since it was built (1 row of the "
                                 "model deactivated; 1 variable with other bounds): the policy shown is not "
                                 "all it was solved under; its plan breaks rows of the model as built: not "
                                 "certified")
    # the files handed on say it too: a workbook's summary read 'optimal', gap 0 and the policy
    # the plan breaks, and the folder's README nothing (plan.json alone had the note)
    from resilient_sc.workbook import summary_table

    said = f"this plan was {loose.report.note}"
    items = dict(zip(summary_table(loose)["item"], summary_table(loose)["value"], strict=True))
    assert items["note"] == said and "note" not in set(summary_table(solve(examples.tiny()))["item"])
    assert f"**Note:** {said}." in loose.save(tmp_path / "plan").joinpath("README.md").read_text(
        encoding="utf-8")
    m = to_pyomo(examples.electronics())  # changes that keep every count: a row swapped, a hub fixed
    m.hub_capacity["H_Hamburg"].deactivate()
    m.no_busan = pyo.Constraint(expr=m.hub_opened["H_Busan"] <= 0)
    m.hub_opened["H_Memphis"].fix(1)
    row = m.supplier_capacity["S_CN_Wuxi", "chips"]
    row.set_value((None, row.body, 10))
    other = m.supplier_capacity["S_TW_Hsinchu", "chips"]
    other.set_value((None, 2 * other.body, other.upper))  # its capacity halved by a coefficient
    m.hub_opened["H_Lodz"].domain = pyo.UnitInterval
    del m.hub_link[next(iter(m.hub_link))]
    note = solve_pyomo(m).report.note
    assert note.startswith("read back from a pyomo model changed since it was built (1 row added "
                           "(no_busan); 2 rows of the model deactivated; 1 row of the model with other "
                           "bounds; 1 row of the model with other coefficients; 1 variable fixed; 1 whole "
                           "variable made continuous)")
    assert m.hub_opened["H_Memphis"].fixed and m.hub_opened["H_Memphis"].value == 1  # left as it was


def test_a_term_added_to_a_roadmaps_objective_leaves_its_bound_below_its_cost():
    net = examples.electronics_roadmap()
    m = to_pyomo(net)
    m.total_cost.expr = m.total_cost.expr + 100_000 * sum(m.hub_opened[k] for k in m.hub_opened)
    results = pyo.SolverFactory("highs").solve(m, options={"mip_rel_gap": 1e-6})
    with pytest.warns(RunWarning, match="its bound is the solver's less that term"):
        roadmap = roadmap_from_pyomo(m, results=results)
    assert roadmap.bound <= roadmap.objective * (1 + 1e-9)
    assert ("read back from a pyomo model changed since it was built (terms added to or changed in "
            "total_cost)") in roadmap.report.note


def test_ctrl_c_stops_a_pyomo_solve():
    """Ctrl-C during solve_pyomo was reported as a solver error ('see the solver's log')."""
    code = ("import os, signal, threading, time\n"
            "from resilient_sc import Policy, SolveOptions, examples\n"
            "from resilient_sc.optimize import solve_pyomo\n"
            "from resilient_sc.solvers.pyomo import to_pyomo\n"
            "m = to_pyomo(examples.electronics(), Policy(survive=['hub', 'country'], service_level=0.9,\n"
            "                                             max_supplier_share=0.15))\n"
            "signal.signal(signal.SIGINT, signal.default_int_handler)  # as from a terminal\n"
            "threading.Timer(1.0, os.kill, (os.getpid(), signal.SIGINT)).start()\n"
            "t = time.perf_counter()\n"
            "try:\n"
            "    solve_pyomo(m, SolveOptions(time_limit=60))\n"
            "    print('finished')\n"
            "except KeyboardInterrupt:\n"
            "    print(f'interrupted {time.perf_counter() - t:.1f}')\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.startswith("interrupted"), out.stdout + out.stderr[-2000:]


def test_a_plan_read_back_takes_the_solvers_seconds_or_says_it_has_none():
    """plan_from_pyomo without ``solve_time`` read 'solve 0.000 s' as if timed: pyomo's newer
    interface reports its wall time, taken; the legacy one none, said in the note."""
    m = to_pyomo(examples.electronics())
    plan = plan_from_pyomo(m, results=SolverFactory("highs").solve(m))
    assert plan.solve_time > 0 and "solve time" not in plan.report.note
    m = to_pyomo(examples.electronics())
    legacy = pyo.SolverFactory("highs").solve(m, options={"mip_rel_gap": 1e-6})
    plan = plan_from_pyomo(m, results=legacy)
    if solver_seconds(legacy) is None:  # pyomo 6.10's legacy HiGHS results have no time (6.9's had)
        assert plan.solve_time == 0 and "solve time not given (0 s shown)" in plan.summary()
    else:
        assert plan.solve_time == solver_seconds(legacy) and "solve time" not in plan.report.note
    assert plan_from_pyomo(m, solve_time=2.5).solve_time == 2.5


def test_an_objective_of_ones_own_in_large_units_is_scaled_as_its_own():
    """The pyomo backend scaled the costs HiGHS gets by the model's costs, not the objective
    solved: CO2 in megatonnes (coefficients about 1e-8) was solved unscaled, under HiGHS's
    tolerances, and its plan emitted more than the one in tonnes."""
    def least_co2(per: float) -> float:
        m = to_pyomo(examples.electronics())
        m.total_cost.deactivate()
        m.min_co2 = pyo.Objective(expr=m.emissions * per)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RunWarning)
            solve_pyomo(m)
        return pyo.value(m.emissions)

    assert least_co2(1e-9) == pytest.approx(least_co2(1.0), rel=1e-9)


def test_pyomo_solves_in_threads_at_once_end_with_their_plans():
    """Two solves with the pyomo backend in two threads at once hung (pyomo's capture of the
    output is the process's) or left sys.stdout closed: they now take turns."""
    from concurrent.futures import ThreadPoolExecutor

    net = examples.tiny()
    reference = solve(net).objective
    out = sys.stdout
    with ThreadPoolExecutor(3) as pool:
        plans = list(pool.map(lambda _: solve(net, options=SolveOptions(backend="pyomo")), range(3)))
    assert [p.objective for p in plans] == pytest.approx([reference] * 3) and sys.stdout is out


def test_the_pyomo_backend_takes_any_thread_count_after_other_solves():
    """HiGHS keeps one thread pool per calling thread and refuses another count once it is made:
    the pyomo backend with threads=1 after a solve at the default count stopped with 'no plan:
    HiGHS stopped (unknown, pyomo backend)' (pyomo audit); the direct path resets the pool."""
    net = examples.tiny()
    want = solve(net).objective
    for threads in (1, 2, 1):
        plan = solve(net, options=SolveOptions(backend="pyomo", threads=threads))
        assert plan.status.value == "optimal" and plan.objective == pytest.approx(want, rel=1e-9)


def test_the_documented_recipe_solves_as_the_library_does():
    """``SolverFactory("highs").solve(m, options=highs_options(m))``: the library's gap and its
    scaling of costs (money in billions: costs of 1e-8, under HiGHS's tolerances; with the gap
    alone the recipe returned a plan 2.7e-5 dearer on such data, said optimal)."""
    from resilient_sc.solvers.pyomo import highs_options

    f = examples.electronics().frames()
    for table, cols in {"suppliers": ["fixed_cost"], "supplier_products": ["unit_cost"],
                        "lanes": ["unit_cost"], "hubs": ["fixed_cost", "handling_cost"],
                        "products": ["unit_value"]}.items():
        f[table][cols] = f[table][cols] * 1e-9
    net = Network.from_frames(f)
    policy = Policy(min_local_share=0.5)
    m = to_pyomo(net, policy)
    options = highs_options(m)
    assert options["user_objective_scale"] > 0 and options["mip_rel_gap"] == SolveOptions().mip_gap
    plan = plan_from_pyomo(m, results=pyo.SolverFactory("highs").solve(m, options=options))
    assert plan.objective == pytest.approx(solve(net, policy).objective, rel=1e-9)


def test_values_of_a_solve_before_the_model_changed_are_refused_not_read_back():
    """Read back without solving again after a change, the earlier solve's values made a plan
    'optimal' and certified that delivered 64,400 China-made units under a cap of 1,000 added
    after the solve; with a hub's bound set to 0 after the solve, one whose hub was missing from
    its hubs while 51,790 units went through it (its fixed cost booked as an 'extension')."""
    m = to_pyomo(examples.electronics())
    results = pyo.SolverFactory("highs").solve(m, options=highs_options(m))
    m.cn_cap = pyo.Constraint(expr=sum(m.outbound_flow[k] for k in m.outbound_flow if k[3] == "CN") <= 1000)
    for given in (results, None):
        with pytest.raises(NotOptimalError, match=r"values break 1 row it holds \(cn_cap: 64,400 > 1,000\): "
                                                  r"an earlier solve's\? solve the model again"):
            plan_from_pyomo(m, results=given)
    m.cn_cap.deactivate()
    assert plan_from_pyomo(m, results=results).objective == pytest.approx(11_914_791.2)  # as it was solved
    m.hub_opened["H_Busan"].setub(0)
    with pytest.raises(NotOptimalError, match=r"outside the bounds of its variables \(hub_opened\[H_Busan\] "
                                              r"= 1 \(bounds 0 to 0\)\): an earlier solve's\?"):
        plan_from_pyomo(m, results=results)
    m.hub_opened["H_Busan"].setub(1)
    m.hub_opened["H_Busan"].fix(0)  # its value now 0: the solver's plan costs other than the values
    with pytest.raises(NotOptimalError, match=r"values are not this solve's: .* an earlier solve's\? solve"):
        plan_from_pyomo(m, results=results)
    with pytest.raises(NotOptimalError, match=r"values break 17 rows it holds \(hub_capacity\[H_Busan\]: "):
        plan_from_pyomo(m)  # no results to compare costs with: the rows the values break say it


def test_what_a_user_adds_to_the_objective_is_named_and_verified_beside_its_own_line():
    """An unbounded variable of the user's own subtracted from the cost was explained as 'a
    roadmap's model' with nothing named as changed; a term added to total_cost went unnamed in
    the note, and verify_plan said the cost differed (by the extension line)."""
    from resilient_sc.verify import verify_plan

    m = to_pyomo(examples.electronics())
    m.rebate = pyo.Var(domain=pyo.NonNegativeReals)
    m.total_cost.expr = m.total_cost.expr - m.rebate
    with pytest.raises(InfeasiblePolicyError, match=r"unbounded.*changed since it was built \(1 variable "
                                                    r"added \(rebate\); terms added to or changed in "
                                                    r"total_cost\); a cost unbounded below comes of such a"):
        solve_pyomo(m)
    m = to_pyomo(examples.electronics())
    cn = [k for k in m.outbound_flow if k[3] == "CN"]
    m.total_cost.expr = m.total_cost.expr + 3 * sum(m.outbound_flow[k] for k in cn)
    plan = solve_pyomo(m)
    assert "(terms added to or changed in total_cost)" in plan.report.note
    assert plan.breakdown["extension"] > 0 and verify_plan(plan) == []
    assert "`extension`: what the terms added" in plan.file_words()["cost_breakdown.csv"]


def test_mistakes_in_reading_back_are_errors_that_say_what_to_do():
    m = to_pyomo(examples.tiny())
    pyo.SolverFactory("highs").solve(m, options=highs_options(m))
    with pytest.raises(ValidationError, match=r"\(network_model\) \| 'x' is a str, not a NetworkModel"):
        plan_from_pyomo(m, network_model="x")
    m.mine = pyo.Objective(expr=m.supplier_contracted["S_CN"])
    with pytest.raises(ValidationError, match=r"2 active objectives \(mine, total_cost\); one is solved: "
                                              r"deactivate the others \(m.total_cost.deactivate\(\)"):
        solve_pyomo(m)


def test_the_rows_stale_values_break_are_said_with_the_bound_they_pass():
    from resilient_sc.solvers.pyomo import broken_rows, network_model_of

    m = to_pyomo(examples.tiny())
    pyo.SolverFactory("highs").solve(m, options=highs_options(m))
    assert broken_rows(m, network_model_of(m)) == []  # as built: the certificate's to judge
    m.eq = pyo.Constraint(expr=m.supplier_contracted["S_CN"] == 0)  # both bounds 0: above the upper one
    m.ge = pyo.Constraint(expr=m.supplier_contracted["S_FR"] >= 1)
    assert broken_rows(m, network_model_of(m)) == ["eq: 1 > 0", "ge: 0 < 1"]


@pytest.mark.parametrize(("status", "cost"), [("open", 100.0), ("candidate", 0.0)])
def test_a_network_with_nothing_to_decide_solves_as_on_the_direct_path(status, cost):
    """Every demand 0: HiGHS gets an empty model ('kModelEmpty'), which pyomo reports as 'unknown'
    with no solution: the pyomo backend raised NotOptimalError where the direct path returns the
    one plan (ships nothing; an open hub's fixed cost, 100, is all it costs; with the hub a
    candidate the model has no variable at all, and was said 'not solved')."""
    f = examples.tiny().frames()
    f["demand"]["demand"] = 0.0
    f["hubs"]["status"] = status
    with pytest.warns(DataWarning):
        net = Network.from_frames(**f)
    direct = solve(net)
    via_pyomo = solve(net, options=SolveOptions(backend="pyomo"))
    assert via_pyomo.status.value == "optimal" and via_pyomo.objective == pytest.approx(direct.objective)
    assert direct.objective == pytest.approx(cost) and via_pyomo.report.certified
