"""The route table: which route solves which model (read back from ``plan.report.route``), the
thresholds as options, the MIP start, and the certificate that sends a bad answer to plain HiGHS.
Every accelerated route gives the optimum of HiGHS on the model as built."""

from __future__ import annotations

import dataclasses
import math
import time

import numpy as np
import pandas as pd
import pytest

from resilient_sc import Policy, ResilientSCError, SolveOptions, ValidationError, examples, solve, solve_model
from resilient_sc.model.build import build_model
from resilient_sc.orlib import FacilityInstance, read_instance
from resilient_sc.solvers import routes
from resilient_sc.solvers.base import AccelerateOptions, Declined, SolverResult, Status
from resilient_sc.solvers.certify import is_feasible
from resilient_sc.solvers.highs import Solution, make_highs, run_highs, set_start
from resilient_sc.solvers.routes import ROUTES, Route, solve_linear
from resilient_sc.verify import verify_plan

from .published import PUBLISHED
from .random_networks import random_network

ONE = SolveOptions(threads=1)
#: the facility location kernels even on small models
KERNEL = SolveOptions(threads=1, accelerate_options=AccelerateOptions(min_kernel_size=0, ss_kernel_size=0))
PLAIN = SolveOptions(threads=1, accelerate=False)


def _model(orlib_dir, name: str):
    single = name.startswith("p")
    path = orlib_dir / "holmberg" / name if single else orlib_dir / f"{name}.txt"
    return build_model(read_instance(path).to_network(), Policy(single_sourcing=single))


def _random_instance(seed: int) -> FacilityInstance:
    """A small random CFLP: equal or unequal capacities, tight or loose, integer demands."""
    rng = np.random.default_rng(seed)
    m, n = int(rng.integers(2, 9)), int(rng.integers(3, 16))
    demand = rng.integers(1, 30, n).astype(float)
    slack = rng.uniform(1.05, 3.0)
    spread = np.ones(m) if rng.random() < 0.5 else rng.uniform(0.6, 1.6, m)
    cap = demand.sum() * slack / m * spread
    cap = np.maximum(np.round(cap), demand.max())
    if cap.sum() < demand.sum():
        cap[0] += demand.sum() - cap.sum()
    xy = rng.uniform(0, 100, (m + n, 2))
    dist = np.hypot(*(xy[:m, None, :] - xy[None, m:, :]).transpose(2, 0, 1))
    return FacilityInstance(f"r{seed}", cap, rng.uniform(50, 800, m).round(), demand,
                            (dist * demand[None, :] * rng.uniform(0.5, 1.5)).round(1))


def _certified(model, result) -> None:
    """The answer passes the certificate and costs what the model charges for it."""
    assert is_feasible(model.lm, result.x)
    assert model.lm.objective() @ result.x == pytest.approx(result.objective, rel=1e-9)


def test_route_table_order():
    assert [r.name for r in ROUTES] == ["pyomo", "facility-multi", "facility-single", "facility-compact",
                                        "failure-generation", "lazy-caps", "merged-origins", "projected",
                                        "strong-links", "highs"]


def test_tiny_same_optimum():
    fast = solve(examples.tiny(), options=SolveOptions(accelerate=True))
    plain = solve(examples.tiny(), options=SolveOptions(accelerate=False))
    assert fast.objective == pytest.approx(plain.objective, rel=1e-9) == 1260.0
    assert plain.report.route == "highs"  # two suppliers: no facility location
    assert fast.report.route == "merged-origins"  # two origin countries, neither tariffed


@pytest.mark.parametrize(("name", "route"), [("cap41", "facility-multi"), ("cap71", "facility-multi"),
                                             ("p1", "facility-single")])
def test_kernel_matches_plain(orlib_dir, name, route):
    model = _model(orlib_dir, name)
    fast, report = solve_linear(model, KERNEL)
    assert report.route == route and report.note == ""
    plain = solve_model(model, PLAIN)
    assert plain.report.route == "highs"
    assert fast.status.value == "optimal" and fast.gap <= 1e-6
    assert fast.objective == pytest.approx(plain.objective, rel=1e-6)
    assert fast.objective == pytest.approx(PUBLISHED[name], rel=1e-6)
    _certified(model, fast)


@pytest.mark.parametrize("name", ["cap41", "p1"])
def test_default_path_plan_verifies(orlib_dir, name):
    plan = solve_model(_model(orlib_dir, name), ONE)
    assert plan.report.route == "facility-compact"
    assert plan.objective == pytest.approx(PUBLISHED[name], rel=1e-6)
    assert verify_plan(plan, plan.policy) == []


@pytest.mark.parametrize("name", ["cap41", "cap71", "p1"])
def test_compact_matches_published(orlib_dir, name):
    """Small facility location models go to the compact model (o and a only)."""
    model = _model(orlib_dir, name)
    fast, report = solve_linear(model, ONE)
    assert report.route == "facility-compact"
    assert fast.status.value == "optimal" and fast.gap <= 1e-6
    assert fast.objective == pytest.approx(PUBLISHED[name], rel=1e-6)
    _certified(model, fast)


@pytest.mark.parametrize("single", [False, True])
@pytest.mark.parametrize("seed", range(15))
def test_compact_matches_plain_on_random_instances(seed, single):
    model = build_model(_random_instance(seed).to_network(), Policy(single_sourcing=single))
    plain = solve_model(model, PLAIN)
    fast, report = solve_linear(model, ONE)
    assert report.route == "facility-compact"
    assert fast.objective == pytest.approx(plain.objective, rel=1e-6)
    assert fast.bound <= fast.objective + 1e-6 * abs(fast.objective)
    _certified(model, fast)


@pytest.mark.parametrize("single", [False, True])
@pytest.mark.parametrize("seed", range(15))
def test_kernel_matches_plain_on_random_instances(seed, single):
    """The facility location kernels and plain HiGHS agree on random small instances."""
    model = build_model(_random_instance(seed).to_network(), Policy(single_sourcing=single))
    plain = solve_model(model, PLAIN)
    fast, report = solve_linear(model, KERNEL)
    assert report.route == ("facility-single" if single else "facility-multi")
    assert fast.status.value == "optimal"
    assert fast.objective == pytest.approx(plain.objective, rel=1e-6)
    assert is_feasible(model.lm, fast.x)
    assert fast.bound <= plain.objective * (1 + 1e-6)


@pytest.mark.parametrize(("policy", "route"), [
    (Policy(), "strong-links"),                            # several suppliers: no facility location
    (Policy(single_sourcing=True), "projected"),           # single-sourced: flows substituted out
    (Policy(single_sourcing=True, shortfall_penalty=1e4), "strong-links"),  # shortfall: no substitution
])
def test_other_models(policy, route):
    net = random_network(2)  # its origins neither merge nor mix (seed 0's mix: merged-origins first)
    plan = solve(net, policy, SolveOptions(threads=1))
    assert plan.report.route == route
    assert plan.objective == pytest.approx(solve(net, policy, PLAIN).objective, rel=1e-6)


def test_accelerate_off_and_thresholds_choose_the_route(orlib_dir):
    model = _model(orlib_dir, "cap41")  # 16 hubs × 50 markets = 800 pairs
    assert solve_linear(model, PLAIN)[1].route == "highs"
    assert solve_linear(model, ONE)[1].route == "facility-compact"
    options = SolveOptions(threads=1, accelerate_options=AccelerateOptions(min_kernel_size=800))
    assert solve_linear(model, options)[1].route == "facility-multi"


def test_a_start_passes_the_facility_kernels_over_and_says_so(orlib_dir):
    """A MIP start switches the facility location kernels off (the single-source instance goes
    to the projection, which takes it), and the report says so."""
    model = _model(orlib_dir, "p1")
    first = solve_model(model, ONE)
    again = solve_model(model, ONE, start=first)
    assert again.report.route == "projected"
    assert "MIP start" in again.report.note and "facility-compact" in again.report.note
    assert again.objective == pytest.approx(first.objective, rel=1e-9)


def _bad_answer(model, options, deadline):
    x = np.zeros(model.lm.n_cols)  # serves no demand
    return SolverResult(Status.OPTIMAL, x, 0.0, 0.0, 0.0, 0.0, "made up")


def _no_answer(model, options, deadline):
    raise Declined("nothing found")


def _wrong_cost(model, options, deadline):
    """The optimal plan (1260) said to cost 1000, as HiGHS said of its MIP start's values."""
    result, _ = solve_linear(model, options)
    return dataclasses.replace(result, objective=1000.0, bound=1000.0, note="")


@pytest.mark.parametrize(("solve_fn", "words"), [(_bad_answer, "failed the certificate"),
                                                 (_no_answer, "declined (nothing found)"),
                                                 (_wrong_cost, "returned a plan whose cost is not the one "
                                                               "it reported: solved again by plain HiGHS")])
def test_certificate_and_declining_fall_back_to_plain_highs(solve_fn, words):
    model = build_model(examples.tiny())
    route = Route("made-up", lambda model, options: True, solve_fn)
    result, report = solve_linear(model, ONE, routes=(route, *ROUTES))
    assert report.route == "highs" and report.note.startswith("made-up") and words in report.note
    assert result.status is Status.OPTIMAL and result.objective == pytest.approx(1260.0)
    _certified(model, result)


def _crashes(model, options, deadline):
    raise ValueError("shape mismatch")


def _says_no(model, options, deadline):
    raise ValidationError(["(policy) | on purpose"])


def test_a_route_that_crashes_falls_back_to_plain_highs_and_says_so():
    """An accelerated route's own fault (the facility-multi kernel once crashed on a shape
    mismatch) costs no plan: plain HiGHS solves the model, the note and a RuntimeWarning say
    which route failed; an error a route raises on purpose (a library error) still reaches the caller."""
    model = build_model(examples.tiny())
    route = Route("made-up", lambda model, options: True, _crashes)
    with pytest.warns(RuntimeWarning, match=r"route made-up failed \(ValueError: shape mismatch\): solved by "
                                            r"plain HiGHS; please report it"):
        result, report = solve_linear(model, ONE, routes=(route, *ROUTES))
    assert report.route == "highs" and report.note.startswith("made-up failed (ValueError: shape mismatch)")
    assert result.status is Status.OPTIMAL and result.objective == pytest.approx(1260.0)
    with pytest.raises(ValidationError, match="on purpose"):
        solve_linear(model, ONE, routes=(Route("made-up", lambda model, options: True, _says_no), *ROUTES))


def _no_threads(model, options, deadline):
    raise RuntimeError("Resource temporarily unavailable")


def test_threads_that_cannot_start_are_said_with_what_to_do():
    """Under a memory limit HiGHS could not start its threads: a route's 'failed (RuntimeError:
    Resource temporarily unavailable) ... please report it', then an internal error."""
    with pytest.raises(ResilientSCError, match=r"HiGHS could not start its threads .* solve with threads=1 "
                                              r"\(CLI: --threads 1\)"):
        solve_linear(build_model(examples.tiny()), ONE,
                     routes=(Route("made-up", lambda model, options: True, _no_threads), *ROUTES))


def test_options_check_the_thresholds():
    with pytest.raises(ValidationError, match=r"accelerate_options.min_kernel_size == -1"):
        SolveOptions(accelerate_options=AccelerateOptions(min_kernel_size=-1)).check()


@pytest.mark.parametrize(("policy", "solver"), [
    (Policy(max_country_share=0.4), "ipm"), (Policy(max_country_share=0.4, single_sourcing=True), "ipm"),
    (Policy(survive=("supplier",)), "ipm"), (Policy(), "choose"), (Policy(single_sourcing=True), "choose")])
def test_a_relaxations_master_above_ipm_root_rows_solves_its_root_lp_by_interior_point(monkeypatch, policy,
                                                                                      solver):
    """Above ``ipm_root_rows`` rows the HiGHS runs of a lazy-caps or failure-generation master
    get ``mip_lp_solver`` "ipm" (the other routes never do), and the first keeps at least
    ``LARGE_RESERVE`` of the time limit back; the optimum is the same."""
    model = build_model(examples.electronics(), policy)
    tune, seen, limits = routes.tune, [], []

    def recorded(h, options, assignments):
        tune(h, options, assignments)
        seen.append(h.getOptionValue("mip_lp_solver")[1])
        limits.append(options.time_limit)

    monkeypatch.setattr(routes, "tune", recorded)
    monkeypatch.setattr(routes.projection, "tune", recorded)
    ipm = SolveOptions(threads=1, time_limit=60.0, accelerate_options=AccelerateOptions(ipm_root_rows=0))
    fast = solve_model(model, ipm)
    assert seen and set(seen) == {solver}
    assert solver == "choose" or limits[0] <= 60.0 * (1 - routes.LARGE_RESERVE)
    assert fast.objective == pytest.approx(solve_model(model, PLAIN).objective, rel=1e-6)


class _Recorder:
    """Stands in for ``highspy.Highs``: records the MIP start and the time limit set."""

    def setSolution(self, n, idx, vals):  # highspy's names
        self.n, self.idx, self.vals = n, np.asarray(idx), np.asarray(vals)

    def setOptionValue(self, name, value):
        setattr(self, name, value)


def test_the_fixed_design_lp_past_its_deadline_builds_nothing(monkeypatch):
    """Past its deadline :func:`~.highs.solve_fixed` answers None at once: building the LP of a
    large model takes long (ladder XL friend-shoring: the re-routing ran 72 s past the limit)."""
    from resilient_sc.solvers import highs
    model = build_model(examples.electronics(), Policy(max_country_share=0.4))
    design = {"supplier_contracted": np.ones(model.lm.variables["supplier_contracted"].size)}
    assert highs.solve_fixed(model.lm, design, PLAIN, math.inf) is not None
    monkeypatch.setattr(highs, "make_highs", lambda *a: pytest.fail("built past the deadline"))
    assert highs.solve_fixed(model.lm, design, PLAIN, time.perf_counter()) is None


def test_a_design_fixed_at_whole_values_leaves_an_lp():
    """Fixing every binary at 0 or 1 leaves an LP: HiGHS runs its LP solver, not its MIP set-up
    (110 s before the root LP of ladder XL friend-shoring with its 560 binaries fixed); a block
    fixed at a fractional value stays integer (and HiGHS finds no plan)."""
    lm = build_model(examples.electronics(), Policy(max_country_share=0.4)).lm
    design = {n: np.ones(b.size) for n, b in lm.variables.items() if b.integer}
    fixed = lm.fixed(design)
    assert design and not fixed.bounds()[4].any() and lm.bounds()[4].any()
    h = make_highs(fixed, PLAIN)
    assert all(int(kind) == 0 for kind in h.getLp().integrality_)  # continuous, every column
    assert run_highs(h, False).status is Status.OPTIMAL and h.getInfo().mip_node_count < 0
    name = next(iter(design))
    assert lm.fixed({name: np.full(lm.variables[name].size, 0.5)}).variables[name].integer


def test_a_start_gives_every_column_a_value():
    """A MIP start hands HiGHS a value for every column: a :class:`Solution`'s own where the
    model has its columns (the lazy-caps masters: rows left out), else the design with the flows
    of an LP solved within the time limit (HiGHS would solve it outside); HiGHS then starts from
    the plan and proves it optimal."""
    policy = Policy(max_country_share=0.4)
    model = build_model(examples.electronics(), policy)
    lm = model.lm
    best, _ = solve_linear(model, PLAIN)
    plan = solve_model(model, PLAIN)
    start = Solution(lm, best.x)
    whole, fewer_rows = _Recorder(), lm.subset(np.ones(lm.n_cols, bool), np.arange(lm.n_rows) % 2 == 0)
    set_start(whole, fewer_rows, start, PLAIN, math.inf)
    assert whole.n == lm.n_cols and np.array_equal(whole.vals, best.x)
    fewer = lm.subset(np.arange(lm.n_cols) != lm.variables["outbound_flow"].start, np.ones(lm.n_rows, bool))
    for given in (start, plan):  # a plan of a model with other columns, or a Plan: its design
        completed = _Recorder()
        set_start(completed, fewer, given, SolveOptions(time_limit=30.0), time.perf_counter() + 30.0)
        assert completed.n == fewer.n_cols and is_feasible(fewer, completed.vals)
        assert 0 < completed.time_limit <= 30.0  # what the LP left
    h = make_highs(lm, PLAIN)
    set_start(h, lm, plan, PLAIN, math.inf)
    again = run_highs(h, True)
    assert again.objective == pytest.approx(best.objective, rel=1e-9)


def test_the_projection_takes_a_start(monkeypatch):
    """A single-sourcing model given a MIP start is still solved with its determined flows
    substituted out (before, a start sent it to plain HiGHS on every flow: ladder M single
    sourcing 81 s alone, 223 s given its own optimum), and HiGHS gets the start's value of every
    column it keeps: the plan's own optimum, found again."""
    from resilient_sc.solvers import projection
    model = build_model(examples.electronics(), Policy(single_sourcing=True))
    best, _ = solve_linear(model, ONE)
    given = []
    monkeypatch.setattr(projection, "set_start", lambda h, lm, start, o, d, columns: given.append(
        (lm, columns)) or set_start(h, lm, start, o, d, columns))
    again, report = solve_linear(model, ONE, Solution(model.lm, best.x))
    assert "by projected" in report.note and "not tried" not in report.note
    (lm, columns), = given
    kept = columns >= 0
    assert 0 < kept.sum() < lm.n_cols  # the determined flows have no column to start
    recorded = _Recorder()
    set_start(recorded, lm, Solution(lm, np.arange(lm.n_cols, dtype=float)), PLAIN, math.inf, columns)
    assert recorded.n == kept.sum() and np.array_equal(recorded.vals[columns[kept]], np.flatnonzero(kept))
    assert again.objective == pytest.approx(best.objective, rel=1e-9)


def test_a_start_that_leaves_an_integer_column_open_gives_its_design():
    """A model extended with an integer column of the user's own: the start's design only
    (HiGHS completes it)."""
    model = build_model(examples.electronics())
    plan = solve_model(model, PLAIN)
    model.lm.add_variables("my_switch", pd.DataFrame({"k": [0]}), upper=1.0, integer=True)
    design = _Recorder()
    set_start(design, model.lm, plan, PLAIN, math.inf)
    assert design.n == model.lm.variables["hub_opened"].size + model.lm.variables["supplier_contracted"].size
    assert set(np.unique(design.vals)) <= {0.0, 1.0}


@pytest.mark.parametrize("policy, route", [
    (Policy(max_country_share=0.4), "lazy caps"),  # round one's design re-routes within the caps
    (Policy(survive=("supplier",), service_level=0.5), "failure generation"),  # one round
])
def test_a_master_that_runs_out_of_time_still_gives_a_plan(monkeypatch, policy, route):
    """A relaxation's master that uses all its time leaves ``RESERVE`` of the time limit for
    making its plan one of the whole model (re-routed within the caps; checked on every
    failure): the answer is that plan, within the time limit."""
    model = build_model(examples.electronics(), policy)
    solve_linear, masters = routes.solve_linear, []

    def slow_master(m, options, start=None, routes=None, master=False):  # the master runs until its limit
        t0 = time.perf_counter()
        result, report = solve_linear(m, options, start, routes, master)
        masters.append(options.time_limit)
        time.sleep(max(0.0, options.time_limit - (time.perf_counter() - t0)))
        return dataclasses.replace(result, status=Status.TIME_LIMIT, bound=-math.inf), report  # no proof

    monkeypatch.setattr(routes, "solve_linear", slow_master)
    t0 = time.perf_counter()
    result, _ = solve_linear(model, SolveOptions(time_limit=3.0))
    assert time.perf_counter() - t0 < 3.0 + 0.5
    assert route in result.note and masters[0] <= 3.0 * (1 - routes.RESERVE) + 1e-6
    assert result.status is Status.TIME_LIMIT and result.x is not None
    assert is_feasible(model.lm, result.x)  # every cap holds, every failure survived


def test_failure_generation_goes_on_from_a_plan_that_survives(monkeypatch):
    """Under a time limit, failure generation's first master keeps ``FIRST_CHECK`` of the time
    for checking its plan. A plan that survives every failure from a master stopped short is the
    next master's whole MIP start, and the answer is that master's proven plan; without a time
    limit one master, proven, is enough."""
    model = build_model(examples.electronics(), Policy(survive=("supplier",), service_level=0.5))
    solve_linear, masters = routes.solve_linear, []

    def first_stops_short(m, options, start=None, routes=None, master=False):
        result, report = solve_linear(m, options, start, routes, master)
        if not routes or routes[0].name != "lazy-caps":  # not a master of failure generation
            return result, report
        masters.append((options.time_limit, start))
        if len(masters) == 1:  # stopped by its limit before proving its plan
            result = dataclasses.replace(result, status=Status.TIME_LIMIT, bound=-math.inf)
        return result, report

    monkeypatch.setattr(routes, "solve_linear", first_stops_short)
    result, _ = solve_linear(model, SolveOptions(time_limit=60.0))
    (limit, _), (_, start) = masters
    assert limit <= 60.0 * (1 - routes.FIRST_CHECK) + 1e-6 and isinstance(start, Solution)
    assert result.status is Status.OPTIMAL and is_feasible(model.lm, result.x)
    masters.clear()
    assert solve_linear(model, SolveOptions())[0].status is Status.TIME_LIMIT and len(masters) == 1


def test_a_plan_in_hand_is_kept_when_its_re_solve_has_no_time_left():
    """A route's plan whose cost is not the one it reported is solved again; with the time limit
    spent the re-solve found none and the feasible plan in hand was dropped ('no plan: the time
    limit was reached before any feasible plan was found'). It is kept, at its own cost."""
    model = build_model(examples.electronics(), Policy(min_local_share=0.3))
    right, _ = solve_linear(model, ONE)

    def late_and_wrong(model, options, deadline):
        time.sleep(max(0.0, deadline - time.perf_counter()) + 0.05)  # the whole limit used
        low = 0.9 * right.objective
        return dataclasses.replace(right, objective=low, bound=low, note="")

    route = Route("made-up", lambda model, options: True, late_and_wrong)
    result, report = solve_linear(model, dataclasses.replace(ONE, time_limit=0.3), routes=(route, *ROUTES))
    assert result.x is not None and result.objective == pytest.approx(right.objective)
    assert result.status is Status.TIME_LIMIT  # not proven: its bound is the route's
    assert "the first one is kept at its own cost" in report.note
    _certified(model, result)
