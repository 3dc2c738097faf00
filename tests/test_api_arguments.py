"""The Python API misused: each wrong argument is one ValidationError naming it and saying what
to pass, before anything is solved; nothing the caller holds changes a plan or a policy later."""

from __future__ import annotations

import copy
import dataclasses
import math
import pickle
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from resilient_sc import (
    InfeasiblePolicyError,
    Network,
    Policy,
    RunWarning,
    SolveOptions,
    ValidationError,
    build_model,
    examples,
    frontier,
    premium,
    solve,
    stress_test,
)
from resilient_sc.analysis import end_year_frontier, myopic_path, roadmap_premium, roadmap_stress
from resilient_sc.exceptions import no_attribute
from resilient_sc.model.roadmap import build_roadmap
from resilient_sc.solvers.base import AccelerateOptions

DOCS = Path(__file__).resolve().parents[1] / "docs"


@pytest.fixture(scope="module")
def tiny():
    return examples.tiny()


def problem(call) -> str:
    """The one problem ``call()`` raises."""
    with pytest.raises(ValidationError) as info:
        call()
    assert len(info.value.problems) == 1, info.value.problems
    return info.value.problems[0]


def test_arguments_of_the_wrong_type_name_what_to_pass(tiny):
    assert problem(lambda: solve(tiny, {"min_local_share": 0.5})).startswith(
        "(policy) | {'min_local_share': 0.5} is a dict, not a Policy; build one: Policy(**fields)")
    assert problem(lambda: solve("examples/electronics")).startswith(
        "(network) | 'examples/electronics' is a str, not a Network; read one with read_network(path)")
    # the sweeps too (they failed on 'DataFrame' object has no attribute 'countries', and a policy
    # {} or [] was solved as the base); a table is never shown by its repr
    table = tiny.demand
    for call in (lambda: premium(table, {}), lambda: frontier(table, "min_suppliers", [1]),
                 lambda: roadmap_premium(table, {}), lambda: end_year_frontier(table, "min_local_share", [1]),
                 lambda: myopic_path(table)):
        assert problem(call).startswith("(network) | a DataFrame was given, not a Network; read one with")
    for call in (lambda: frontier(tiny, "min_suppliers", [1], {}), lambda: myopic_path(tiny, [])):
        assert problem(call).endswith("not a Policy; build one: Policy(**fields) or Policy.from_dict(fields)")
    assert problem(lambda: frontier(tiny, [1, 2], "min_suppliers")).startswith(  # swapped: unhashable
        "(field) | unknown policy field [1, 2]")
    assert problem(lambda: build_model(tiny, None, "no")).startswith("(strong_links) | 'no' is a str")
    assert problem(lambda: stress_test(tiny, solve(tiny), scenarios="no")).startswith("(scenarios) | 'no'")
    assert Network.from_frames(tiny.frames()).frames().keys() == tiny.frames().keys()  # a mapping, as typed
    assert problem(lambda: Network.from_frames(tiny.frames()["demand"])).startswith(  # a table by position
        "(tables) | a DataFrame was given: pass a mapping of table names to DataFrames")
    assert problem(lambda: Network.from_frames("label", **tiny.frames())) == (  # type: ignore[arg-type]
        "(source) | 'label' was given by position: give the source by name, Network.from_frames(tables, "
        "source=...)")
    assert problem(lambda: Network.from_frames(tiny.frames(), demand=tiny.demand)) == (
        "(tables) | demand given both in the mapping and by name: give each table once")
    assert problem(lambda: solve(tiny, None, {"time_limit": 5})).startswith(
        "(options) | {'time_limit': 5} is a dict, not a SolveOptions")
    assert problem(lambda: premium(tiny, [Policy()])) == (
        "(policies) | expected a mapping of name to Policy, not list")
    assert problem(lambda: premium(tiny, {"a": None})).startswith(
        "(policy 'a') | None is a NoneType, not a Policy")
    assert problem(lambda: premium(tiny, {1: Policy()})) == (
        "(policies) | name 1 is not text; name each policy with a string")
    assert problem(lambda: roadmap_stress(solve(tiny))).startswith(
        "(roadmap) | roadmap_stress needs a Roadmap from solve_roadmap(), not Plan")
    assert problem(lambda: Policy.from_dict({"survive": 5})) == (
        "(policy) | survive == 5, must be one of supplier, hub, country, or a list of them")


@pytest.mark.parametrize(("options", "said"), [
    ({"threads": 0}, "threads == 0, must be between 1 and"),  # was an UnboundLocalError
    ({"threads": 1.5}, "threads == 1.5, must be a whole number"),
    ({"time_limit": "10"}, "time_limit == '10', must be a number"),
    ({"mip_gap": None}, "mip_gap == None, must be a number"),
    ({"seed": -1}, "seed == -1, must be between 0 and 2147483647"),  # HiGHS would drop it silently
    ({"strong_links": "no"}, "strong_links == 'no', must be True or False"),
    ({"accelerate_options": None}, "accelerate_options == None, must be an AccelerateOptions"),
    ({"accelerate_options": AccelerateOptions(nearest="4")}, "accelerate_options.nearest == '4', must be"),
    ({"log": 1}, "log == 1, must be True, False or a file path"),  # an fd: closed after the solve
    ({"log": "/nonexistent/x.log"}, "log == '/nonexistent/x.log': its folder '/nonexistent' does not exist"),
])
def test_solve_options_are_checked_before_the_solve(tiny, options, said):
    assert problem(lambda: solve(tiny, None, SolveOptions(**options))).startswith(f"(options) | {said}")


def test_a_log_given_as_a_number_leaves_stdout_open(tiny):
    with pytest.raises(ValidationError):
        solve(tiny, None, SolveOptions(log=1))
    print("stdout still open", file=sys.stdout, flush=True)


def test_stress_test_refuses_a_plan_of_other_data_and_wrong_probabilities(tiny):
    net = examples.electronics()
    assert problem(lambda: stress_test(net, solve(tiny))) == (
        "(stress_test) | the plan's design uses H1, S_CN, not in this network: stress-test a plan on the "
        "network it was solved on")
    plan = solve(net)

    def given(probabilities):
        return problem(lambda: stress_test(net, plan, ["country"], probabilities, scenarios=False))

    assert given({"country:CN": -0.5, "country:US": 1.0}) == (
        "(probabilities) | 'country:CN': -0.5, must be a number >= 0")
    assert given({"country:CNN": 0.5}) == ("(probabilities) | 'country:CNN' names no country, hub, supplier "
                                           "or failure of the network (did you mean 'country:CN'?)")
    assert given({"CN": 0.0}) == (
        "(probabilities) | no failure replayed on the design has a probability above 0")
    assert given({"CN": "x"}) == "(probabilities) | 'CN': 'x', must be a number >= 0"


def test_failures_values_and_workers_are_read_as_meant(tiny):
    one = stress_test(tiny, solve(tiny), "country")  # one kind as text, not its letters
    assert set(one.failures["failure"]) == {"country:CN", "country:FR"}
    assert problem(lambda: premium(tiny, {"a": Policy()}, failures="contry")) == (
        "(failures) | 'contry' is no failure kind (did you mean 'country'?); use supplier, hub, country")
    swept = frontier(tiny, "min_suppliers", (v for v in [1, 2]), failures=())  # a generator, swept once
    assert swept["min_suppliers"].tolist() == [1, 2]
    assert frontier(tiny, "min_suppliers", np.arange(1, 3), failures=())["status"].tolist() == ["optimal"] * 2
    assert problem(lambda: frontier(tiny, "survive", "country")) == (
        "(values) | 'country': the values of survive to sweep are a list")
    assert problem(lambda: frontier(tiny, "min_suppliers", [])) == (
        "(values) | no values of min_suppliers to sweep")
    arrays = [np.array(["CN"]), np.array(["FR"]), np.array(["CN"])]  # no truth value: compared by items
    with pytest.warns(RunWarning, match="is given twice"):
        assert len(frontier(tiny, "excluded_countries", arrays, failures=())) == 2
    based = problem(lambda: premium(tiny, {"a": Policy()}, base={"min_local_share": 0.5}))
    assert based.startswith("(base) |")
    with pytest.warns(RunWarning, match=r"^\(values\) \| min_suppliers 2.0 is given twice: swept once$"):
        twice = frontier(tiny, "min_suppliers", [1, 2, 2.0], failures=())  # it was solved twice
    assert twice["min_suppliers"].tolist() == [1, 2]
    # one policy written two ways was solved twice, two rows alike (policies audit)
    with pytest.warns(RunWarning, match=r"excluded_countries \['FR', 'CN'\] is the same policy as "
                                        r"\['CN', 'FR'\]: swept once"):
        assert len(frontier(tiny, "excluded_countries", [["CN", "FR"], ["FR", "CN"], []], failures=())) == 2
    assert problem(lambda: premium(tiny, {"a": Policy()}, workers=-1)) == (
        "(workers) | -1, must be a whole number >= 1 (None: one per CPU)")


def test_an_entry_base_is_the_base_never_dropped(tiny):
    table = premium(tiny, {"base": Policy(min_suppliers=2)}, failures=(), workers=1)
    assert table["cost"].tolist() == [1760.0]  # both suppliers (see tests/test_policies.py), not 1260
    assert problem(lambda: premium(tiny, {"base": Policy(min_suppliers=2)}, base=Policy())).startswith(
        "(policies) | the base is given twice")


def test_a_policy_and_a_plan_never_change_with_what_the_caller_holds(tiny):
    shares = {"Europe": 0.5}
    policy = Policy(min_local_share=shares, min_suppliers=np.int64(1))
    shares["Europe"] = 0.0
    assert policy.min_local_share == {"Europe": 0.5} and type(policy.min_suppliers) is int
    assert Policy(min_local_share={}).is_base  # an empty mapping requires nothing
    assert problem(lambda: Policy(co2_cap={}).check()) == (
        "(policy) | co2_cap == {}, must be a number: co2_cap takes no keys (in a roadmap it holds in every "
        "period)")
    assert problem(lambda: Policy(min_local_share={"2030": {"Europe": 0.5}}).check()) == (
        "(policy) | min_local_share['2030'] == {'Europe': 0.5}, must be a number: keys do not nest (a period "
        "key's value holds for every region and product)")
    assert problem(lambda: Policy(min_local_share="50%").check()) == (  # a spreadsheet's way, as in the data
        "(policy) | min_local_share == '50%', must be a number; type 0.5 for 50% (shares and rates are "
        "fractions)")
    assert problem(lambda: Policy(co2_price="€1,000").check()) == (
        "(policy) | co2_price == '€1,000', must be a number; type 1000 (without the currency sign and "
        "without thousands separators), or 1 if the comma is a decimal comma")
    assert problem(lambda: Policy(co2_cap="5%").check()) == "(policy) | co2_cap == '5%', must be a number"
    assert problem(lambda: Policy.from_dict({"excluded_countries": {"2028": ["VN"]}})).endswith(
        "must be a country id, or a list of them (it takes no period keys: it holds in every period of a "
        "roadmap; a supplier stops in a period with capacity 0 in that period's supplier_products rows)")
    plan = solve(tiny, policy)
    inbound = plan.tables()["inbound_flows"]
    inbound.loc[:, "quantity"] = -1.0
    assert (plan.inbound["quantity"] > 0).all()


def test_analysis_and_output_arguments_name_what_to_pass(tiny, tmp_path):
    """Each was an AttributeError, TypeError or a raw ValueError from deep inside (or, for
    ``start`` and ``penalty='5'``, silently taken)."""
    from resilient_sc import disruption_design
    from resilient_sc.verify import verify_plan
    from resilient_sc.workbook import write_workbook

    plan = solve(tiny)
    assert problem(lambda: stress_test(None, plan)).startswith("(network) | None is a NoneType, not a")
    assert problem(lambda: stress_test(tiny, plan, failures=None)).startswith(
        "(failures) | None is a NoneType; give failure kinds among")
    for penalty in ("5", True, float("inf"), 1e300, -1.0, [1.0]):
        assert problem(lambda p=penalty: stress_test(tiny, plan, penalty=p)).startswith(
            f"(penalty) | {penalty!r} is not money per unit short; give a number from 0 to 1e+15")
    with pytest.raises(ValidationError) as info:
        stress_test(tiny, plan, penalty={"x": 1.0})
    assert info.value.problems == ("(penalty) | 'x' is no product; products are default",
                                   "(penalty) | no money per unit short for product default")
    assert stress_test(tiny, plan, penalty={"default": 3}).penalties.tolist() == [3.0]
    assert problem(lambda: solve(tiny, start="x")).startswith("(start) | 'x' is a str, not a Plan")
    assert problem(lambda: disruption_design("x", Policy())).startswith("(network) | 'x' is a str")
    assert problem(lambda: disruption_design(tiny, {"shortfall_penalty": 1})).startswith(
        "(policy) | {'shortfall_penalty': 1} is a dict, not a Policy")
    assert verify_plan(plan) == verify_plan(plan, plan.policy) == []  # the plan's own policy by default
    assert problem(lambda: verify_plan(None)).startswith("(plan) | None is no plan from solve()")
    assert problem(lambda: verify_plan(plan, {})).startswith("(policy) | {} is a dict, not a Policy")
    assert problem(lambda: write_workbook(tmp_path / "plan.csv", plan)).startswith(
        "(path) | ") and not (tmp_path / "plan.csv").exists()
    assert problem(lambda: write_workbook(tmp_path / "p.xlsx", "plan")).startswith(
        "(plan) | 'plan' is a str, not a Plan from solve()")
    assert problem(lambda: write_workbook(tmp_path / "p.xlsx", stress="s")).startswith("(stress) | give a")
    assert problem(lambda: plan.tables("default")).startswith("(plan) | products 'default': give a list")
    assert problem(lambda: plan.tables(["nope"])).startswith("(plan) | products ['nope']: give a list")
    assert problem(lambda: frontier(tiny, "min_local_share", [0.1], warm_start="no")).startswith(
        "(warm_start) | 'no' is a str: give True")
    assert list(plan.tables(np.array(["default"]))["suppliers_contracted"].columns) == list(
        plan.tables()["suppliers_contracted"].columns)


def test_a_table_changed_after_validation_is_an_error_not_a_hang(tiny):
    net = dataclasses.replace(tiny, lanes=tiny.lanes.assign(unit_cost=np.nan))
    assert problem(lambda: solve(net)).startswith("(network) | built without validation")


def test_a_table_edited_in_place_after_validation_is_refused_by_every_model():
    net = examples.tiny()
    plan = solve(net)
    net.lanes.loc[0, "unit_cost"] = -50.0  # a negative cost, which validation refuses, set afterwards
    for build in (lambda: solve(net), lambda: build_model(net), lambda: build_roadmap(net),
                  lambda: stress_test(net, plan)):
        assert problem(build).startswith("(lanes) | the table was changed after the network was validated")
    net.demand.loc[0, "demand"] += 1
    assert net.changed_tables() == ["demand", "lanes"]
    with pytest.raises(ValidationError, match=r"\(lanes, row 2 .*\) \| unit_cost -50 must be >= 0"):
        Network.from_frames(**net.frames())  # validated again, the negative cost is named
    assert examples.tiny().changed_tables() == []


def test_a_network_built_without_validation_is_refused_and_replace_validates_again():
    """``dataclasses.replace`` made a Network of unchecked tables that every model took: a hub
    fixed cost of -1e6 was solved to a plan costing -1,002,920."""
    import dataclasses

    net = examples.tiny()
    bad_hubs = net.hubs.assign(fixed_cost=-1e6)
    unchecked = dataclasses.replace(net, hubs=bad_hubs)
    assert not unchecked.validated and net.validated
    for build in (lambda: solve(unchecked), lambda: build_model(unchecked), lambda: build_roadmap(unchecked)):
        assert problem(build).startswith("(network) | built without validation")
    with pytest.raises(ValidationError, match=r"\(hubs, row 2 .*\) \| fixed_cost -1e\+06 must be >= 0"):
        net.replace(hubs=bad_hubs)
    doubled = net.replace(demand=net.demand.assign(demand=2 * net.demand["demand"]))
    assert doubled.validated and doubled.demand["demand"].tolist() == [160.0]
    assert net.demand["demand"].tolist() == [80.0] and not net.changed_tables()  # not modified


def test_a_pyomo_plan_stopped_at_its_time_limit_says_so():
    pyo = pytest.importorskip("pyomo.environ")
    from pyomo.common.errors import ApplicationError

    from resilient_sc.optimize import plan_from_pyomo
    from resilient_sc.solvers.pyomo import to_pyomo

    model = to_pyomo(examples.electronics(), Policy(survive=("country",), service_level=0.8))
    try:
        results = pyo.SolverFactory("highs").solve(model, timelimit=0.5)
    except ApplicationError:
        pytest.skip("pyomo's HiGHS interface is not available")
    plan = plan_from_pyomo(model, results=results)
    if str(results.solver.termination_condition) == "optimal":
        pytest.skip("solved to optimality within the limit on this machine")
    assert plan.status.value == "time_limit" and plan.gap > 0 and plan.bound < plan.objective


def test_an_end_year_frontier_checks_its_arguments_before_solving():
    from resilient_sc.analysis import end_year_frontier

    tiny = examples.tiny()
    assert problem(lambda: end_year_frontier(tiny, "min_local_share", [0.5], workers=0)) == (
        "(workers) | 0, must be a whole number >= 1 (None: one per CPU)")
    swept = end_year_frontier(tiny, "min_local_share", (v for v in [0.0, 0.5]), workers=1)
    assert swept["min_local_share"].tolist() == [0.0, 0.5]


def test_a_premium_report_without_stress_tests_claims_none(tmp_path):
    from resilient_sc.analysis.premium import premium_outcomes, premium_table
    from resilient_sc.analysis.report import write_premium_report

    tiny = examples.tiny()
    outcomes = premium_outcomes(tiny, {"two": Policy(min_suppliers=2)}, failures=(), workers=1)
    text = write_premium_report(tmp_path, tiny, outcomes,
                                premium_table(outcomes))[-1].read_text(encoding="utf-8")
    assert "No design is stress-tested." in text and "is replayed with re-routed" not in text
    assert "averaged over each design's own failures" not in text


def test_a_base_not_solved_within_the_limits_is_not_called_infeasible(monkeypatch):
    """No premium can be computed over a base stopped without a plan, but it is not infeasible:
    the error is a NotOptimalError saying so, not 'no plan meets the policy'."""
    import importlib

    from resilient_sc import NotOptimalError

    premium_module = importlib.import_module("resilient_sc.analysis.premium")

    def stopped(*_):
        raise NotOptimalError("no plan: the time limit was reached before any feasible plan was found")

    monkeypatch.setattr(premium_module, "solve", stopped)
    with pytest.raises(NotOptimalError, match=r"the base policy was not solved within the limits of the "
                                              r"solve \(no plan kept\), so no premium can be computed over "
                                              "it: no plan"):
        premium(examples.tiny(), {"a": Policy()}, workers=1)


def test_reprs_are_short_and_saving_takes_a_true_force(tiny, tmp_path):
    """Policy's repr listed all 16 fields, StressResult's dumped its tables (6 kB); force="no"
    replaced a result folder (any text is true)."""
    assert repr(Policy()) == "Policy()"
    policy = Policy(min_local_share={"Europe": 0.5}, survive=("country",))
    assert repr(policy) == "Policy(min_local_share={'Europe': 0.5}, survive=('country',))"
    assert eval(repr(policy)) == policy  # the repr is the constructor call
    plan = solve(tiny)
    result = stress_test(tiny, plan, "country")
    worst = result.summary()["worst_served"]  # a percentage rounded down, as every view gives it
    assert repr(result) == (f"StressResult(2 failures, worst {result.summary()['worst_failure']} "
                            f"(guaranteed {math.floor(worst * 1000 + 1e-4) / 10:.1f}%), 1 product)")
    assert repr(plan) == "Plan(optimal, cost=1,260.00, 1 supplier, 1 hub)"
    plan.save(tmp_path / "plan")
    assert problem(lambda: plan.save(tmp_path / "plan", force="no")) == (
        "(force) | 'no' is a str: give True (replace a result folder) or False")


def test_a_start_plan_of_other_data_is_warned_of() -> None:
    """A start plan names suppliers and hubs of its own data: of other data, its design starts
    HiGHS from nothing it can use, which was never said; the plan returned is still optimal."""
    from resilient_sc import RunWarning, examples, solve
    other = solve(examples.tiny())
    net = examples.electronics()
    words = r"start plan names 2 supplier\(s\) or hub\(s\) this network does not have \(supplier 'S_CN', hub "
    with pytest.warns(RunWarning, match=words + r"'H1'\): it is a plan of other data") as said:
        plan = solve(net, start=other)
    assert said[0].filename == __file__  # the caller's line, not the library's
    assert plan.objective == pytest.approx(solve(net).objective, rel=1e-9)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        solve(net, start=plan)  # its own data: no word


def test_the_api_audit_of_session_32_arguments_that_read_wrong_or_deep():
    """A period the roadmap has not read as the blank-period rows (2026's demand under '2030'); a
    policy key the data has not made verify report no violation; wrong types ended in an
    AttributeError or TypeError deep inside."""
    from resilient_sc import read_network, solve_model, solve_roadmap
    from resilient_sc.analysis.roadmap_figure import roadmap_figure
    from resilient_sc.periods import in_period
    from resilient_sc.verify import verify_plan

    rn = examples.electronics_roadmap()
    assert problem(lambda: in_period(rn, 2030)) == ("(period) | 2030 is no period of the data (did you mean "
                                                    "'2030'?); its periods are 2026, 2027, 2028, 2029, 2030")
    assert problem(lambda: in_period(rn, "2031")).startswith("(period) | '2031' is no period of the data")
    assert problem(lambda: in_period(rn, " 2030")).startswith("(period) | ' 2030' is no period of the data "
                                                              "(did you mean '2030'?)")
    assert in_period(rn, "2030").demand["demand"].sum() > in_period(rn, "2026").demand["demand"].sum()
    net = examples.electronics()
    plan = solve(net)
    assert verify_plan(plan, Policy(min_local_share={"Europe": 0.9}))  # violations: the check holds
    assert "Europa" in problem(lambda: verify_plan(plan, Policy(min_local_share={"Europa": 0.9})))
    roadmap = solve_roadmap(rn, Policy(min_local_share={"2030": 0.5}))
    assert roadmap.verify() == []
    assert "'T2'" in problem(lambda: roadmap.verify(Policy(min_local_share={"T2": 0.9})))
    assert problem(lambda: roadmap.verify({"min_local_share": 0.9})).endswith("is a dict, not a Policy")
    assert problem(lambda: solve_model(net)).startswith("(model) | 'Network(")
    assert problem(lambda: read_network(None)).startswith("(path) | None (NoneType) is not a path")
    assert problem(lambda: roadmap_figure(plan)).startswith("(roadmap) | 'Plan(")


def test_errors_read_the_same_after_pickling():
    """A process pool's worker raises, the parent reads the same message: each error pickles with
    its own arguments (unpickled from its message, each character was a problem)."""
    import pickle

    from resilient_sc.exceptions import NotOptimalError, PolicyError
    from resilient_sc.model.roadmap import PeriodsInfeasible
    from resilient_sc.policy import PolicyArgumentError

    errors = [ValidationError(["(suppliers, row 2 'S1') | bad", "(lanes) | worse"]),
              ValidationError(["(options) | time_limit == -1"]), InfeasiblePolicyError(["short", "shorter"]),
              NotOptimalError("stopped", None, "interrupted"), PolicyError(["(policy) | x"], "p.yaml"),
              PeriodsInfeasible(["2027 short"], []), PolicyArgumentError("survive == 5, must be one of …")]
    for error in errors:
        again = pickle.loads(pickle.dumps(error))
        assert type(again) is type(error) and str(again) == str(error) and again.args == error.args
    assert pickle.loads(pickle.dumps(errors[1])).about == "in the arguments"
    assert pickle.loads(pickle.dumps(errors[3])).status == "interrupted"


def test_a_policy_is_a_value():
    """Fields by name only; set-like fields sorted without repeats (the same policy, the same
    hash, whatever the order given); mapping fields read-only (a cached policy stays found); a
    pandas Series read as the mapping it is; the status prints as its value."""
    import pickle

    import pandas as pd
    import yaml

    from resilient_sc.solvers.base import Status

    with pytest.raises(TypeError):
        Policy(0.5)  # type: ignore[misc]
    a = Policy(excluded_countries=["TW", "CN", "TW"], survive=("hub", "country", "hub"))
    b = Policy(excluded_countries=("CN", "TW"), survive=["country", "hub"])
    assert a == b and hash(a) == hash(b) and a.excluded_countries == ("CN", "TW")
    local = Policy(min_local_share={"Europe": 0.5})
    cache = {local: 1}
    with pytest.raises(TypeError, match="cannot be changed"):
        local.min_local_share["Europe"] = 0.9  # type: ignore[index]
    assert cache[Policy(min_local_share={"Europe": 0.5})] == 1
    assert pickle.loads(pickle.dumps(local)) == local
    assert local.to_dict() == {"min_local_share": {"Europe": 0.5}}
    assert Policy(min_local_share=pd.Series({"Europe": 0.5})) == local
    assert Policy(excluded_countries=pd.Series(["TW", "CN"]), survive=pd.Series(["hub"])) == Policy(
        excluded_countries=["CN", "TW"], survive=["hub"])
    assert yaml.safe_load(yaml.safe_dump(local.min_local_share)) == {"Europe": 0.5}
    assert f"{Status.OPTIMAL}" == str(Status.TIME_LIMIT).replace("time_limit", "optimal") == "optimal"


def test_a_share_column_and_the_products_of_a_table_are_checked(tiny):
    """overall_share('demand') returned a value-weighted mean of demand as if a share; a set of
    products gave the tables' columns in hash order; a wrong argument to premium was headed
    'in the input data', where a planner would look in the CSVs."""
    plan = solve(examples.electronics())
    assert problem(lambda: plan.overall_share("demand")) == (  # type: ignore[arg-type]
        "(column) | 'demand': give a share column, one of local_share, allied_share, top_foreign_share")
    suppliers = plan.tables({"displays", "cells"})["suppliers_contracted"]
    volumes = [c for c in suppliers if c.startswith("volume")]
    assert volumes == ["volume (pieces of cells)", "volume (pieces of displays)"]  # the plan's order
    with pytest.raises(ValidationError) as err:
        premium(tiny, {"a": Policy()}, base="x", workers=1)  # type: ignore[arg-type]
    assert str(err.value).startswith("1 problem in the arguments:")


def test_paths_limits_and_policy_fields_of_the_wrong_kind_are_named(tiny, tmp_path):
    """Each gave a TypeError or AttributeError from deep inside (pathlib's 'expected str, bytes
    or os.PathLike object, not Plan'; "'int' object has no attribute 'file_bytes'"; dataclasses'
    'unexpected keyword argument'; "'float' object is not iterable")."""
    from resilient_sc import read_network
    from resilient_sc.io import write_network
    from resilient_sc.policies import load_policies
    from resilient_sc.workbook import write_workbook

    plan = solve(tiny)
    assert problem(lambda: write_workbook(plan, tmp_path / "a.xlsx")).startswith(  # type: ignore[arg-type]
        "(path) | Plan(optimal, cost=1,260.00, 1 supplier, 1 hub) (Plan) is not a path: give the .xlsx file")
    assert problem(lambda: plan.save(None)).startswith(  # type: ignore[arg-type]
        "(folder) | None (NoneType) is not a path")
    # a NUL byte or a name too long: Python's bare ValueError and OSError before
    assert problem(lambda: plan.save(str(tmp_path / "p\0x"))).startswith(
        "(folder) | '") and "holds a NUL character, which no path may hold" in problem(
        lambda: read_network(str(tmp_path / "p\0x")))
    assert problem(lambda: read_network(str(tmp_path / ("a" * 300)))).endswith(
        "cannot be read: File name too long")
    assert problem(lambda: Policy.from_file(123)).startswith("(path) | 123 (int) is not a path")  # type: ignore[arg-type]
    assert problem(lambda: load_policies(123)).startswith("(path) | 123 (int) is not a path")  # type: ignore[arg-type]
    assert problem(lambda: write_network([tiny], tmp_path / "n")).startswith(  # type: ignore[arg-type]
        "(frames) | [Network(") and problem(lambda: write_network([tiny], tmp_path / "n")).endswith(
        "is no network: give a Network or its frames()")
    write_network(tiny, tmp_path / "n")  # a Network itself: its frames
    assert read_network(tmp_path / "n").frames().keys() == tiny.frames().keys()
    assert problem(lambda: read_network(tmp_path, limits=5)).startswith(  # type: ignore[arg-type]
        "(limits) | 5 (int) is not a Limits")
    assert problem(lambda: Policy().replace(min_local_shar=0.1)) == (
        "(policy) | 'min_local_shar' is no policy field (did you mean 'min_local_share'?)")
    assert problem(lambda: Policy().sweep("min_local_share", 0.5)) == (  # type: ignore[arg-type]
        "(values) | 0.5: the values of min_local_share to sweep are a list")


#: annotations that name what their module cannot import at runtime: a Plan in the exceptions
#: every module imports (a cycle), numpy in the solver's base the command line's parser loads,
#: matplotlib's Figure (an optional extra: a report without it writes its tables)
UNRESOLVED = {"resilient_sc.exceptions.NotOptimalError.__init__", "resilient_sc.solvers.base.SolverResult",
              "resilient_sc.solvers.base.SolverResult.__init__",
              "resilient_sc.analysis.roadmap_figure.roadmap_figure"}


def _documented_modules() -> set[str]:
    """The modules of the objects docs/ renders (``::: resilient_sc.x.Name``) and of the package."""
    import importlib

    found = {"resilient_sc"}
    for page in DOCS.glob("*.md"):
        for line in page.read_text(encoding="utf-8").splitlines():
            if line.startswith("::: resilient_sc"):
                dotted = line.split()[1]
                while dotted:  # the longest importable prefix
                    try:
                        importlib.import_module(dotted)
                        break
                    except ImportError:
                        dotted = dotted.rpartition(".")[0]
                found.add(dotted)
    return found


def test_every_public_annotation_resolves_at_runtime():
    """Tools that read annotations at runtime (``typing.get_type_hints``: typer, pydantic, docs
    generators) resolve every public function and class of the modules the docs render, and
    their methods: no name imported for type checking only (Plan, solve and Policy.fitted named
    Network and Policy that way; verify_plan, write_workbook, to_pyomo and five more did: audit)."""
    import importlib
    import inspect
    import typing

    unresolved = set()
    for module_name in sorted(_documented_modules()):
        module = importlib.import_module(module_name)
        own = [n for n, v in vars(module).items() if getattr(v, "__module__", None) == module_name]
        for name in getattr(module, "__all__", own):
            obj = getattr(module, name)
            if not (inspect.isfunction(obj) or inspect.isclass(obj)) or name.startswith("_"):
                continue
            methods = {k: getattr(v, "fget", None) or getattr(v, "__func__", v)
                       for k, v in (vars(obj).items() if inspect.isclass(obj) else ())
                       if k == "__init__" or not k.startswith("_")}
            targets = [(name, obj), *((f"{name}.{k}", v) for k, v in methods.items() if callable(v))]
            for label, target in targets:
                try:
                    typing.get_type_hints(target)
                except NameError as exc:
                    unresolved.add(f"{obj.__module__}.{label}")
                    assert f"{obj.__module__}.{label}" in UNRESOLVED, exc
    assert unresolved == UNRESOLVED  # a fixed one leaves the list


def test_a_name_the_docs_give_by_its_module_is_exported_by_it():
    """``resilient_sc.policy.POLICY_FIELDS`` (docs/api.md) was imported there from policy_fields
    and not exported: mypy --strict and pyright refused the import the docs show (audit)."""
    import importlib
    import re

    for page in DOCS.glob("*.md"):
        for dotted in set(re.findall(r"resilient_sc(?:\.\w+)+", page.read_text(encoding="utf-8"))):
            module_name, _, name = dotted.rpartition(".")
            try:
                module = importlib.import_module(module_name)
            except ImportError:
                continue  # a deeper name (a method of a class): the class is the checked one
            obj = getattr(module, name, None)
            if obj is None or isinstance(obj, type(module)) or module.__file__ is None:
                continue
            if name not in _defined_in(Path(module.__file__)):  # imported there: exported by __all__ only
                assert name in getattr(module, "__all__", ()), f"{page.name}: {dotted} is not in __all__"


def _defined_in(source: Path) -> set[str]:
    """The names a module's own top-level statements bind (functions, classes, assignments)."""
    import ast

    names: set[str] = set()
    for node in ast.parse(source.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
    return names


def test_a_numpy_array_for_one_share_is_refused_by_check_not_by_numpy(tiny):
    """np.linspace given where one share goes: repr, to_dict and solve raised numpy's 'truth
    value of an array is ambiguous'; now the array's values are the field's, refused by check."""
    policy = Policy(min_local_share=np.linspace(0.1, 0.5, 3))
    assert repr(policy) == "Policy(min_local_share=[0.1, 0.30000000000000004, 0.5])"
    assert "min_local_share == [0.1, 0.30000000000000004, 0.5], must be a number" in problem(
        lambda: solve(tiny, policy))
    assert Policy(min_local_share=np.array(0.5)) == Policy(min_local_share=0.5)
    assert Policy(excluded_countries=np.array(["TW", "CN"])).excluded_countries == ("CN", "TW")
    assert Policy(excluded_countries={"TW", "CN"}).excluded_countries == ("CN", "TW")  # a set, as typed


def test_argument_mistakes_of_the_analyses_are_validation_errors(tiny):
    """``except ValidationError`` (or ValueError) catches them: they were the base ResilientSCError."""
    net = examples.electronics()
    plan = solve(net)
    swapped = problem(lambda: stress_test(plan, net))
    assert "(plan) | stress_test needs a plan from solve(), not Network" in swapped
    assert "(failures) | stress_test has no failure to replay" in problem(
        lambda: stress_test(net, plan, failures=[], scenarios=False))
    from resilient_sc import disruption_design

    assert "(policy) | disruption-aware design needs shortfall_penalty" in problem(
        lambda: disruption_design(net, Policy()))
    assert "(disruptions) | the network has no disruptions table" in problem(
        lambda: disruption_design(tiny, Policy(shortfall_penalty=1.0)))
    assert "(supplier) | unknown table (did you mean 'suppliers'?)" in problem(lambda: tiny.table("supplier"))
    assert "(warnings) | unknown table;" in problem(lambda: tiny.table("warnings"))  # an attribute, no table


def test_a_roadmap_warning_points_at_the_callers_line():
    """The period-key warning of solve_roadmap pointed at resilient_sc/model/roadmap.py (and so
    showed once per process, whoever called)."""
    from resilient_sc import solve_roadmap

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        solve_roadmap(examples.electronics_roadmap(), Policy(min_local_share={"2028": 0.1, "2030": 0.2}))
    assert caught and {w.filename for w in caught} == {__file__}


def test_a_misspelt_policy_field_names_the_field_meant():
    """``Policy(min_local_shar=0.5)`` said only 'unexpected keyword argument', where from_dict
    and replace named the field meant; it is a ValidationError and still a TypeError."""
    with pytest.raises(TypeError):
        Policy(min_local_shar=0.5)
    assert problem(lambda: Policy(min_local_shar=0.5)) == (
        "(policy) | 'min_local_shar' is no policy field (did you mean 'min_local_share'?)")


def test_a_misspelt_option_names_the_option_meant_and_help_shows_the_fields():
    """``SolveOptions(timelimit=60)`` said only 'unexpected keyword argument'; ``help(Policy)``
    showed ``Policy(*args, **fields_given)`` (the __new__ that checks names), not its fields."""
    import inspect

    with pytest.raises(TypeError, match=r"^'timelimit' is no option of SolveOptions \(did you mean "
                                        r"'time_limit'\?\); 'gap' is no option of SolveOptions$"):
        SolveOptions(timelimit=60, gap=0.01, seed=3)
    with pytest.raises(TypeError, match=r"'nearst' is no option of AccelerateOptions \(did you mean"):
        AccelerateOptions(nearst=2)
    assert SolveOptions(time_limit=60, seed=3).time_limit == 60
    for cls in (Policy, SolveOptions, AccelerateOptions):
        given = list(inspect.signature(cls).parameters)
        assert given == [f.name for f in dataclasses.fields(cls)], cls
    assert "min_local_share" in inspect.signature(Policy).parameters
    assert problem(lambda: Policy().replace(survive_=["hub"])) == (
        "(policy) | 'survive_' is no policy field (did you mean 'survive'?)")


def test_a_plans_design_edited_in_place_is_not_stress_tested():
    """Rows dropped from plan.suppliers in place: stress_test replayed 8 of 13 suppliers without
    a word (worst case 10.7% served, 90.9% for the design solved; API audit)."""
    net = examples.electronics()
    plan = solve(net)
    copy = plan.suppliers.copy()
    copy.drop(copy.index[:5], inplace=True)  # a copy may be edited: the plan is untouched
    stress_test(net, plan, failures=["hub"], scenarios=False)
    plan.suppliers.sort_values("supplier", ascending=False, inplace=True)  # the same design, sorted
    stress_test(net, plan, failures=["hub"], scenarios=False)
    plan.suppliers.drop(plan.suppliers.index[:5], inplace=True)
    said = problem(lambda: stress_test(net, plan))
    assert said.startswith("(plan) | plan.suppliers was changed in place since the plan was solved (13 rows, "
                           "now 8): analyses replay the design solved;")


def test_an_attribute_an_earlier_version_had_names_what_replaced_it(tiny):
    """Plan.to_excel and StressResult.penalty gave Python's bare AttributeError although
    docs/changelog.md names their replacements (upgrade audit); a plan and a stress result still
    pickle and copy, and other missing names keep Python's message."""
    plan = solve(tiny)
    with pytest.raises(AttributeError, match=r"'to_excel': resilient_sc\.workbook\.write_workbook\(path, "
                                             r"plan\) replaced it \(docs/changelog\.md\)"):
        plan.to_excel("plan.xlsx")
    result = stress_test(tiny, plan, "country")
    with pytest.raises(AttributeError, match=r"'penalty': penalties \(a mapping product -> money per unit\)"):
        getattr(result, "penalty")  # noqa: B009
    with pytest.raises(AttributeError) as info:
        getattr(plan, "objectiv")  # noqa: B009
    assert str(info.value) == "'Plan' object has no attribute 'objectiv'" and info.value.name == "objectiv"
    assert pickle.loads(pickle.dumps(plan)).objective == copy.deepcopy(plan).objective == plan.objective
    assert pickle.loads(pickle.dumps(result)).failures.equals(result.failures)

    class Odd:  # a property's own AttributeError is raised as it arose, not as 'no attribute caveat' (review)
        @property
        def caveat(self):
            return self.inner

        def __getattr__(self, name):
            no_attribute(self, name, {})

    with pytest.raises(AttributeError, match="'Odd' object has no attribute 'inner'"):
        getattr(Odd(), "caveat")  # noqa: B009


def test_one_product_for_units_and_a_plan_without_its_model_are_named(tiny):
    """Plan.units('phone') gave the units of 'p', 'h', 'o', 'n', 'e'; stress_test of a Plan
    without its model blamed the order of the arguments, which was right (audit)."""
    plan = solve(tiny)
    product = plan.delivery()["product"].iloc[0]
    with pytest.raises(ValidationError, match=r"takes a list of products, not one: units\(\["):
        plan.units(product)
    assert plan.units([product]) == {product: plan.unit_of(product)}
    with pytest.raises(ValidationError, match="needs the plan's model, and this plan has none"):
        stress_test(tiny, dataclasses.replace(plan, model=None))
