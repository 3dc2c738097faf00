"""The one place that decides how a model is solved: an ordered table of routes.

:func:`solve_linear` tries the routes of :data:`ROUTES` in order; the first whose ``applies``
says yes solves the model. Every answer with a plan is certified against every bound, row and
integrality of the model as built (:func:`~.certify.is_feasible`); an answer that fails, or a
route that declines (finds no plan), hands the model to plain HiGHS, and the report says so.
The answer kept is then made exact (:func:`~.certify.made_exact`: binaries whole, flows within
bounds, re-solved when that breaks a row or its gap).

| route | applies to | how |
|---|---|---|
| `pyomo` | `SolveOptions(backend="pyomo")` | pyomo's HiGHS interface on the pyomo model |
| `facility-multi` | plain multi-source CFLP, ≥ `min_kernel_size` pairs | Lagrangian + branch and price |
| `facility-single` | plain single-source CFLP, ≥ `ss_kernel_size` pairs | Lagrangian + compact rounds |
| `facility-compact` | the smaller plain CFLPs | HiGHS on hubs and assignments only |
| `failure-generation` | N-1 survival (``survive``) | the next routes on the binding failures only (1) |
| `lazy-caps` | country and region caps | the next routes, caps added where a plan breaks them |
| `merged-origins` | origins that no row or cost tells apart (3) | the next routes, on the merged model |
| `projected` | other single-sourced, no shortfall | flows substituted, links (2), relax and fix, HiGHS |
| `strong-links` | smaller MIPs with strong links (2) | HiGHS with the links an LP needs |
| `highs` | everything | HiGHS on the model as built |

(1) their copies built on demand when the model was built without them (``solve`` does so
above ``on_demand_columns`` recourse columns, by default always, :class:`~.base.AccelerateOptions`).
(2) ``hub_link`` rows, and at most ``links_on_demand_coefficients`` matrix coefficients (the
projected model's, for `projected`).
(3) then lanes whose origins differ in cost alike carry their total and their group's origin mix
(:mod:`.mix`).

A plain CFLP (capacitated facility location problem) has one supplier, one product and no
policy field but ``single_sourcing`` (:func:`~.facility.problem.recognise`); "pairs" are its
(hub, market) pairs; the single-source kernel also needs integer demands and knapsack tables of
sane size, and both single-source routes flows that substitute out. The accelerated routes need
``SolveOptions(accelerate=True)`` (the default); their thresholds are fields of
:class:`~.base.AccelerateOptions`. A MIP start (``start``) goes through failure generation,
lazy caps, merged origins and the projection to HiGHS; the facility location kernels, whose
reformulations cannot take it, are not tried, and the pyomo backend ignores it; the report's
note says which.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np

from ..exceptions import ResilientSCError, RunWarning, ValidationError, warn
from ..model.build import NetworkModel
from ..model.linear import LinearModel
from ..model.redundancy import DeferredFailures
from . import aggregate, base, failures, lazy, links, mix, projection
from .base import (
    Declined,
    SolveOptions,
    SolveReport,
    SolverResult,
    Status,
    Trace,
    given_options,
    log_step,
    plan_gap,
    steps_within,
)
from .certify import costed, made_exact, with_grace
from .clock import Clock
from .facility import problem
from .facility.compact import solve_compact
from .facility.lagrangian import SingleSourceBound
from .facility.multi_source import solve_multi_source
from .facility.single_source import solve_single_source
from .highs import Design, Solution, make_highs, run_highs, set_start, solve_fixed, tune, until


@dataclass(frozen=True)
class Route:
    """One way to solve a model: ``applies(model, options)`` says whether it fits,
    ``solve(model, options, deadline)`` solves it (``deadline`` in ``time.perf_counter()``
    seconds; ``inf`` without a time limit) or raises :class:`~.base.Declined`. ``start`` says
    what the route does with a MIP start: ``"use"`` (``solve`` takes it as a fourth argument),
    ``"ignore"``, or ``"skip"`` (the route is not tried when a start is given)."""

    name: str
    applies: Callable[[NetworkModel, SolveOptions], bool]
    solve: Callable[..., SolverResult]
    start: Literal["use", "ignore", "skip"] = "skip"
    #: what the route does, for the solver log's line as it begins (:func:`~.base.log_step`)
    what: str = ""


#: share of the time limit (at most :data:`RESERVE_CAP` seconds) that a relaxation's master
#: keeps back for making its plan one of the whole model: the N-1 check of failure generation,
#: the re-routing within every cap of lazy caps (ladder L friend-shoring at 120 s: the master
#: used every second, the re-routing LP got 1 ms, and the solve returned no plan)
RESERVE = 0.1
RESERVE_CAP = 60.0
#: share of the time limit (no cap) that a lazy-caps master above ``ipm_root_rows`` rows keeps
#: back: HiGHS's root cut rounds there do not check the time limit (one took 94 s on ladder XL
#: near-shoring), and ladder XL friend-shoring's master, its 60 s reserve eaten on a shared
#: machine, left its re-routing (15 s alone) no time and the solve no plan
LARGE_RESERVE = 0.25


def _reserve(options: SolveOptions, large: bool = False) -> float:
    """Seconds a relaxation's master keeps back at least: :data:`RESERVE` of
    ``options.time_limit`` (the whole route's), at most :data:`RESERVE_CAP`, or for a ``large``
    master :data:`LARGE_RESERVE` of it; none without a time limit."""
    if options.time_limit is None:
        return 0.0
    return LARGE_RESERVE * options.time_limit if large else min(RESERVE * options.time_limit, RESERVE_CAP)


# ---- what the routes ask about a model, computed once per solve_linear call ----------------
_memo: ContextVar[dict[tuple[int, str], Any] | None] = ContextVar("resilient_sc_route_memo", default=None)


@contextmanager
def _remembering() -> Iterator[None]:
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def _once(kind: str, model: NetworkModel, compute: Callable[[NetworkModel], Any]) -> Any:
    memo = _memo.get()
    if memo is None:
        return compute(model)
    key = (id(model), kind)
    if key not in memo:
        memo[key] = compute(model)
    return memo[key]


def _is_mip(model: NetworkModel) -> bool:
    return _once("mip", model, lambda m: bool(m.lm.bounds()[4].any()))


def _facility(model: NetworkModel) -> problem.FacilityProblem | None:
    return _once("facility", model, lambda m: problem.recognise(m) if _is_mip(m) else None)


def _projection(model: NetworkModel) -> projection.Projection | None:
    return _once("projection", model, lambda m: projection.recognise(m) if _is_mip(m) else None)


def _aggregation(model: NetworkModel) -> mix.Chain | None:
    return _once("aggregate", model, lambda m: mix.reduce(m.lm))


def _failures(model: NetworkModel) -> failures.Failures | None:
    return _once("failures", model, lambda m: failures.recognise(m.lm) if _is_mip(m) else None)


def _accelerating(options: SolveOptions) -> bool:
    return options.accelerate and options.backend == "highs"


# ---- the routes ------------------------------------------------------------------------
def _pyomo_applies(model: NetworkModel, options: SolveOptions) -> bool:
    return options.backend == "pyomo"


def _pyomo_solve(model: NetworkModel, options: SolveOptions, deadline: float) -> SolverResult:
    from . import pyomo  # pyomo loads only when asked for

    return pyomo.solve(model, options, deadline)


def _multi_applies(model: NetworkModel, options: SolveOptions) -> bool:
    if not _accelerating(options) or (fl := _facility(model)) is None:
        return False
    return not fl.single and fl.cost.size >= options.accelerate_options.min_kernel_size


def _multi_solve(model: NetworkModel, options: SolveOptions, deadline: float) -> SolverResult:
    fl = _facility(model)
    return solve_multi_source(model.lm, fl, options, deadline, Trace())


def _single_applies(model: NetworkModel, options: SolveOptions) -> bool:
    if not _accelerating(options) or (fl := _facility(model)) is None or not fl.single:
        return False
    return (SingleSourceBound.applies(fl) and _projection(model) is not None
            and fl.cost.size >= options.accelerate_options.ss_kernel_size)


def _single_solve(model: NetworkModel, options: SolveOptions, deadline: float) -> SolverResult:
    trace = Trace()
    result = solve_single_source(model.lm, _facility(model), _projection(model), options, deadline, trace)
    return dataclasses.replace(result, note="; ".join(trace.notes)) if trace.notes else result


def _compact_applies(model: NetworkModel, options: SolveOptions) -> bool:
    if not _accelerating(options) or (fl := _facility(model)) is None:
        return False
    ao = options.accelerate_options
    if not fl.single:
        return fl.cost.size < ao.min_kernel_size
    return (SingleSourceBound.applies(fl) and _projection(model) is not None
            and fl.cost.size < ao.ss_kernel_size)


def _compact_solve(model: NetworkModel, options: SolveOptions, deadline: float) -> SolverResult:
    # small facility location models: HiGHS proves these at the root
    return solve_compact(_facility(model), options, deadline)


def _deferred(model: NetworkModel) -> DeferredFailures | None:
    """The failures whose copies ``model`` was built without (a roadmap has none)."""
    return getattr(model, "deferred", None)


def _generation_applies(model: NetworkModel, options: SolveOptions) -> bool:
    return _accelerating(options) and (_deferred(model) is not None or _failures(model) is not None)


def _generation_solve(model: NetworkModel, options: SolveOptions, deadline: float,
                      start: Design | None = None) -> SolverResult:
    """Failure generation (:mod:`.failures`): masters by the routes after this one, with the
    failures found violated added round by round, their copies taken from the model
    (:class:`~.failures.InModel`) or, for a model built without them, built on demand
    (:class:`~.failures.OnDemand`). Each master keeps time back for checking its plan
    (:func:`_check_reserve`); the cheapest plan found to survive every failure is the next
    master's MIP start and the answer when time runs out. The caller certifies the final plan
    (the failures built on demand: the check certifies each on its copy's rows)."""
    deferred = _deferred(model)
    gen: failures.InModel | failures.OnDemand
    if deferred is not None:
        gen = failures.OnDemand(model.lm, deferred)
    else:
        fails = _failures(model)
        assert fails is not None
        gen = failures.InModel(model.lm, fails)
    later = ROUTES[ROUTES.index(GENERATION) + 1:]
    active = np.zeros(len(gen.names), bool)
    rounds: list[int] = []
    best: SolverResult | None = None  # the cheapest plan that survives every failure
    lower, check, work = -math.inf, None, base.MasterWork()
    sub = gen.master(active)
    how = "" if deferred is None else "; copies built on demand"
    extra = {} if deferred is None else {"deferred": None}  # a master holds its copies
    while True:
        rounds.append(int(active.sum()))
        first = gen.start(best.x) if best is not None else start if len(rounds) == 1 else None
        began = time.perf_counter()
        kept = deadline - _check_reserve(options, deadline, check)  # the check's time stays the check's
        limit = _root_by_ipm(until(options, kept), sub)
        log_step(options, f"failure generation, round {len(rounds)}: a master with {rounds[-1]:,} of the "
                          f"{len(gen.names):,} failures")
        result, _ = solve_linear(replace(model, lm=sub, **extra), limit, first, routes=later, master=True)
        exact_notes: list[str] = []
        if deferred is not None and result.x is not None and result.message != base.UNCERTIFIED:
            # the design made whole on the master's copies before the others are checked with it (a
            # hub at 6.4e-8 carried a failure's recourse; rounded after, the plan did not survive)
            result = made_exact(sub, result, options, kept, _is_mip(model), exact_notes)
        if result.message == base.UNCERTIFIED:  # the failures in the master are checked by its rows alone
            raise Declined("a master's answer fails the certificate")
        work.add(result)
        note = "; ".join(filter(None, [failures.generation_note(rounds, len(gen.names)) + how, result.note,
                                       *exact_notes]))
        if math.isfinite(result.bound):  # every master is a relaxation: its bound holds for all
            lower = max(lower, result.bound)
        if result.x is None:
            if result.status is Status.TIME_LIMIT and options.time_limit is not None and deadline > kept:
                had, left = (max(0.0, t - began) for t in (kept, deadline))
                digits = 0 if left >= 10 else 1  # never "-0 s of the -0 s"
                note += (f"; the master had {had:.{digits}f} s of the {left:.{digits}f} s left, the rest "
                         "kept for checking its plan on the failures")
            return base.relaxation_answer(result, best, lower, note, work)
        t = time.perf_counter()
        short, plan = gen.check(gen.full(result.x), options, deadline)
        check = max(check or 0.0, time.perf_counter() - t)
        work.seconds += time.perf_counter() - t
        if plan is None and time.perf_counter() < deadline:
            raise Declined("a failure's recourse LP failed")
        if plan is None:
            why = "; the time limit was reached checking the failures"
            return base.relaxation_answer(result, best, lower, note + why, work)
        bad = short > failures.SHORTFALL_TOL
        log_step(options, f"its plan checked on all {len(gen.names):,} failures: {int(bad.sum()):,} not "
                          "survived")
        if (bad & active).any():
            raise Declined("a failure in the master is violated again (numerical trouble)")
        if not bad.any() and (best is None or result.objective < best.objective):
            best = dataclasses.replace(result, x=plan)
        optimal = result.status is Status.OPTIMAL
        if best is not None and ((optimal and not bad.any()) or plan_gap(best, lower) <= options.mip_gap):
            return base.relaxation_answer(result, best, lower, note, work, Status.OPTIMAL)
        # a master's plan not proven at HiGHS's tolerances (extreme data) still names failures to add
        more = _time_for_a_master(options, deadline, check)
        unproven = result.message.endswith(base.UNPROVEN) and bool(bad.any())
        goes_on = (result.status is Status.TIME_LIMIT and more) or (
            unproven and (more or options.time_limit is None))
        if not optimal and not goes_on:
            return base.relaxation_answer(result, best, lower, note, work)
        if bad.any():  # else the same master again, from the plan that survives
            active |= bad
            sub = gen.master(active)


#: the share of the time left that failure generation keeps back for checking its first
#: master's plan, before any check has been timed (ladder XL survive country 0.8, 600 s: the
#: first master's plan came at 534 s, and the check of 24 country failures was cut off 57 s later)
FIRST_CHECK = 1 / 3


def _check_reserve(options: SolveOptions, deadline: float, check: float | None) -> float:
    """Seconds a master of failure generation keeps back from ``deadline`` for checking its plan
    on every failure: :data:`FIRST_CHECK` of the time left before the first check, then twice
    the longest check so far, and at least :data:`RESERVE` of the time limit (at most
    :data:`RESERVE_CAP`); none without a time limit."""
    if options.time_limit is None:
        return 0.0
    if check is None:
        return max(_reserve(options), FIRST_CHECK * (deadline - time.perf_counter()))
    return max(_reserve(options), 2 * check)


def _time_for_a_master(options: SolveOptions, deadline: float, check: float | None) -> bool:
    """Whether another master of failure generation gets at least :data:`RESERVE` of the time
    limit after keeping its time for the check (never without a time limit)."""
    left = deadline - time.perf_counter() - _check_reserve(options, deadline, check)
    return options.time_limit is not None and left >= RESERVE * options.time_limit


def _lazy(model: NetworkModel) -> np.ndarray | None:
    return _once("lazy", model, lambda m: lazy.lazy_rows(m.lm))


def _lazy_applies(model: NetworkModel, options: SolveOptions) -> bool:
    return _accelerating(options) and _lazy(model) is not None


def _lazy_solve(model: NetworkModel, options: SolveOptions, deadline: float,
                start: Design | None = None) -> SolverResult:
    """Lazy caps (:mod:`.lazy`): the model without the caps no plan has broken yet, by the routes
    after this one, round by round. Each master's design re-routed within every cap
    (:func:`_rerouted`) is a plan of the whole model: the best one is the next master's MIP start
    and the answer when its cost is within the gap of the master's bound, or when time runs out;
    the next master takes the caps the plan broke and those its re-routing filled on the same
    (market, product) demands (:mod:`.lazy`).
    A master with caps left out keeps time back (:func:`_reserve`), so that its plan can
    still be re-routed when time runs out. The caller certifies the final plan."""
    with links.remembered():  # the masters differ in their caps only
        return _lazy_rounds(model, options, deadline, start)


def _lazy_rounds(model: NetworkModel, options: SolveOptions, deadline: float,
                 start: Design | None) -> SolverResult:
    rows, lm = _lazy(model), model.lm
    assert rows is not None
    later = ROUTES[ROUTES.index(LAZY_CAPS) + 1:]
    active = lazy.first_caps(rows, start)
    rounds, cap, demand = [], lazy.caps(lm, rows), lazy.demands(lm)
    best: SolverResult | None = None
    master, lower, work = lazy.master(lm, rows, active), -math.inf, base.MasterWork()
    while True:
        rounds.append(int(active.sum()))
        first = start if best is None else Solution(lm, best.x)
        final = bool(active.all())
        limit = _master_options(options, deadline, master, final)
        log_step(options, f"lazy caps, round {len(rounds)}: a master with {rounds[-1]:,} of the "
                          f"{len(rows):,} caps")
        with links.settled() if final else nullcontext():  # the whole model: no LP rounds for links
            result, _ = solve_linear(replace(model, lm=master), limit, first, routes=later, master=True)
        work.add(result)
        note = "; ".join(filter(None, [lazy.note(rounds, len(rows)), result.note]))
        if result.status is Status.INFEASIBLE or (result.x is None and best is None):
            return dataclasses.replace(result, note=note, **work.totals())
        if math.isfinite(result.bound):  # every master is a relaxation: its bound holds for all
            lower = max(lower, result.bound)
        bad = None if result.x is None else lazy.broken(cap, result.x) & ~active
        keeps = bad is not None and not bad.any()  # the master's plan keeps every cap
        if bad is not None:
            log_step(options, "its plan keeps every cap" if keeps else
                     f"its plan breaks {int(bad.sum()):,} of the caps left out: re-routed within every cap")
        if keeps:
            plan: SolverResult | None = result
        else:
            t = time.perf_counter()
            plan = None if result.x is None else _rerouted(model, result.x, options, deadline)
            work.seconds += time.perf_counter() - t
        if plan is not None and (best is None or plan.objective < best.objective):
            best = plan
        gap = math.inf if best is None else plan_gap(best, lower)
        if best is not None and (keeps or gap <= options.mip_gap or result.status is not Status.OPTIMAL):
            how = "" if best is result else "; flows re-routed within the caps"
            return base.relaxation_answer(result, best, lower, note + how, work,
                                          Status.OPTIMAL if gap <= options.mip_gap else result.status)
        if result.status is not Status.OPTIMAL or bad is None:
            return base.relaxation_answer(result, None, lower, note, work)
        active |= bad
        if plan is not None and plan is not result:  # the caps its re-routing filled, of the
            active |= lazy.tight(cap, plan.x) & np.isin(demand, demand[bad])  # demands it broke
        master = lazy.master(lm, rows, active)
        # the caps keep breaking, or they split the origins apart: all of them in the next master
        if len(rounds) >= lazy.ROUNDS or not _merges(master, lm.n_cols):
            active[:], master = True, lm


def _master_options(options: SolveOptions, deadline: float, master: LinearModel, final: bool) -> SolveOptions:
    """The options of a lazy-caps ``master``: the time before ``deadline`` less the master's
    reserve (none for the ``final`` master, which has every cap; the large reserve for a master
    above ``ipm_root_rows`` rows, :func:`_root_by_ipm`)."""
    large = master.n_rows > options.accelerate_options.ipm_root_rows
    return _root_by_ipm(until(options, deadline - (0.0 if final else _reserve(options, large))), master)


def _root_by_ipm(options: SolveOptions, master: LinearModel) -> SolveOptions:
    """``options`` for a relaxation's ``master`` (lazy caps, failure generation): above
    ``ipm_root_rows`` rows (:class:`~.base.AccelerateOptions`) its root LP by interior point."""
    ao = options.accelerate_options
    if master.n_rows <= ao.ipm_root_rows:
        return options
    ipm = (*ao.network_options, ("mip_lp_solver", "ipm"))
    return dataclasses.replace(options, accelerate_options=dataclasses.replace(ao, network_options=ipm))


def _merges(master: LinearModel, n_cols: int) -> bool:
    """Whether merging and mixing the origins of ``master`` (:func:`.mix.reduce`) leaves at most
    :data:`.lazy.SPLIT` of the whole model's ``n_cols`` columns (else its round costs about as
    much as the whole model)."""
    agg = mix.reduce(master)
    return agg is not None and agg.lm.n_cols <= lazy.SPLIT * n_cols


def _rerouted(model: NetworkModel, x: np.ndarray, options: SolveOptions,
              deadline: float) -> SolverResult | None:
    """A plan of the whole model from a relaxation's plan ``x``: its design fixed and every row
    in, by the first of three LPs, each larger than the one before, that has a plan: the
    outbound flows free on the (hub, market, product) lanes ``x`` uses, with its inbound flows
    fixed, then with them free; then every flow free (the whole model's LP). None when none has
    a plan before ``deadline`` and its grace (:func:`~.certify.with_grace`: a plan found in time is
    not lost to the LP that re-routes it). (Ladder XL friend-shoring, its first master's plan breaking
    4,008 caps: the first LP has none, the second, on 248k of the 3.1M columns, re-routes it in
    13 s at +0.004%; the whole LP was not solved in 900 s.)"""
    lm = model.lm
    if aggregate.FLOWS not in lm.variables or "inbound_flow" not in lm.variables:
        return None
    design = {n: np.round(b.values(x)) for n, b in lm.variables.items() if b.integer}
    yb = lm.variables[aggregate.FLOWS]
    lane = aggregate.lanes(yb)
    used = np.bincount(lane, yb.values(x), minlength=lane.max(initial=-1) + 1) > 0
    small = np.ones(lm.n_cols, bool)
    small[yb.start:yb.start + yb.size] = used[lane]
    inbound = {"inbound_flow": lm.variables["inbound_flow"].values(x)}
    deadline = with_grace(options, deadline)
    return (solve_fixed(lm, design | inbound, options, deadline, small)
            or solve_fixed(lm, design, options, deadline, small)
            or solve_fixed(lm, design, options, deadline))


def _merged_applies(model: NetworkModel, options: SolveOptions) -> bool:
    return _accelerating(options) and _aggregation(model) is not None


def _merged_solve(model: NetworkModel, options: SolveOptions, deadline: float,
                  start: Design | None = None) -> SolverResult:
    """The merged model (:mod:`.aggregate`) by the routes after this one, its plan split back
    over the merged origins; the caller certifies it against the full model."""
    agg = _aggregation(model)
    assert agg is not None
    inner = dataclasses.replace(model, lm=agg.lm)
    result, report = solve_linear(inner, until(options, deadline), start,
                                  routes=ROUTES[ROUTES.index(MERGED) + 1:], master=True)
    x = None if result.x is None else agg.expand(result.x, model.lm.n_cols)
    note = (f"origins merged: {model.lm.n_cols:,} columns and {model.lm.n_rows:,} rows solved as "
            f"{agg.lm.n_cols:,} and {agg.lm.n_rows:,} by {report.route}")
    return dataclasses.replace(result, x=x, note="; ".join(filter(None, [note, result.note])))


def _projected_applies(model: NetworkModel, options: SolveOptions) -> bool:
    return _accelerating(options) and _projection(model) is not None


def _projected_solve(model: NetworkModel, options: SolveOptions, deadline: float,
                     start: Design | None = None) -> SolverResult:
    result = projection.solve_projected(model, until(options, deadline), _projection(model), start,
                                        deadline)
    if result.status in (Status.INFEASIBLE, Status.ERROR):  # with flows substituted and extreme
        # coefficients, HiGHS called a feasible model infeasible or unbounded
        raise Declined(f"no plan of the projected model: {result.message}")
    return result


def _links(model: NetworkModel) -> np.ndarray | None:
    return _once("links", model, lambda m: links.link_rows(m.lm))


def _links_applies(model: NetworkModel, options: SolveOptions) -> bool:
    small = model.lm.n_coefficients <= options.accelerate_options.links_on_demand_coefficients
    return _accelerating(options) and small and _is_mip(model) and _links(model) is not None


def _links_solve(model: NetworkModel, options: SolveOptions, deadline: float,
                 start: Design | None = None) -> SolverResult:
    """HiGHS on the model with only the strong links its LP relaxation needs (:mod:`.links`),
    or with every link when they are not found in time; the caller certifies every row."""
    rows = _links(model)
    assert rows is not None
    found = links.needed_rows(model.lm, rows, options, deadline)
    note = links.ALL_KEPT if found is None else found[1]
    if found is not None:
        model = dataclasses.replace(model, lm=model.lm.subset(np.ones(model.lm.n_cols, bool), found[0]))
    result = _highs_solve(model, options, deadline, start)
    return dataclasses.replace(result, note="; ".join(filter(None, [note, result.note])))


def _highs_applies(model: NetworkModel, options: SolveOptions) -> bool:
    return True


def _highs_solve(model: NetworkModel, options: SolveOptions, deadline: float,
                 start: Design | None = None) -> SolverResult:
    """HiGHS on the model as built, the time left before ``deadline`` as its limit; ``start``
    as a MIP start (:func:`~.highs.set_start`)."""
    h = make_highs(model.lm, until(options, deadline))
    tune(h, options, "assign" in model.lm.variables)
    if start is not None:
        set_start(h, model.lm, start, options, deadline)
    return run_highs(h, _is_mip(model))


#: plain HiGHS: the last route, and the one an answer that fails its certificate falls back to
HIGHS = Route("highs", _highs_applies, _highs_solve, start="use", what="HiGHS on the model as built")
#: the pyomo backend, when asked for (``SolveOptions(backend="pyomo")``)
PYOMO = Route("pyomo", _pyomo_applies, _pyomo_solve, start="ignore",
              what="pyomo's HiGHS interface on the pyomo model")

#: failure generation: N-1 models solved on the failures that bind
GENERATION = Route("failure-generation", _generation_applies, _generation_solve, start="use",
                   what="masters with the failures added round by round where a plan does not survive "
                        "them")

#: lazy caps: country and region caps added where a plan breaks them
LAZY_CAPS = Route("lazy-caps", _lazy_applies, _lazy_solve, start="use",
                  what="masters with the country and region caps added round by round where a plan "
                       "breaks them")

#: merged origins: the model with indistinguishable origin countries merged, by the later routes
MERGED = Route("merged-origins", _merged_applies, _merged_solve, start="use",
               what="the origins that no row or cost tells apart merged")

#: every route, in the order they are tried; the first that applies solves the model
ROUTES: tuple[Route, ...] = (
    PYOMO,
    Route("facility-multi", _multi_applies, _multi_solve,
          what="a multi-source facility location: Lagrangian bound, then branch and price"),
    Route("facility-single", _single_applies, _single_solve,
          what="a single-source facility location: Lagrangian bound, then compact MIPs"),
    Route("facility-compact", _compact_applies, _compact_solve,
          what="a facility location: HiGHS on its hubs and assignments only"),
    GENERATION,
    LAZY_CAPS,
    MERGED,
    Route("projected", _projected_applies, _projected_solve, start="use",
          what="the single-sourced flows substituted out, relax and fix, then HiGHS"),
    Route("strong-links", _links_applies, _links_solve, start="use",
          what="HiGHS with only the strong links its LP needs"),
    HIGHS,
)


def solve_linear(model: NetworkModel, options: SolveOptions | None = None, start: Design | None = None,
                 routes: Sequence[Route] | None = None,
                 master: bool = False) -> tuple[SolverResult, SolveReport]:
    """Solve ``model`` by the first route of ``routes`` (default :data:`ROUTES`) that applies;
    certify the answer.

    ``start`` is a plan whose design (suppliers, hubs, assignments) plain HiGHS takes as a
    partial MIP start. Returns the solver's result (``solve_time``: every second spent here,
    from choosing the route to the certificate) and the :class:`~.base.SolveReport` of the
    route that gave it. Statuses are the solver's: an infeasible model or a time limit is a
    result here, not an error; but an answer that fails the certificate even from plain HiGHS
    has the message :data:`~.base.UNCERTIFIED` and status error (a route's ``master``: its own status,
    for the route to decide: a relaxation's plan is certified again on the whole model).
    """
    options = given_options(options)
    options.check()
    routes = ROUTES if routes is None else routes
    if _deferred(model) is not None and not _generation_applies(model, options):
        raise ValidationError([f"(policy) survive {list(model.policy.survive)} | the model was built "
                               "without its failure copies (build_model(..., defer_failures=...)): "
                               "only SolveOptions(accelerate=True, backend='highs') builds them on "
                               "demand"], "with the options")
    t0 = time.perf_counter()
    deadline = options.deadline()
    clock = Clock()
    notes: list[str] = []
    # plain HiGHS is the fallback, but not for a model without its failure copies
    fallback = "" if _deferred(model) is not None else ": solved by plain HiGHS"
    with _remembering():
        # the routes that would apply but take no start are passed over (and said so)
        skipped = ([r.name for r in routes if r.start == "skip" and r.applies(model, options)]
                   if start is not None else [])
        if skipped and _accelerating(options):
            notes.append(f"MIP start: {', '.join(skipped)} not tried (they take no start)")
        route = next((r for r in routes if r.name not in skipped and r.applies(model, options)), HIGHS)
        clock.build += time.perf_counter() - t0
        if start is not None and route.start == "ignore":
            notes.append(f"MIP start ignored by {route.name}")
        log_step(options, f"route {route.name}: {route.what} ({model.lm.n_rows:,} rows, "
                          f"{model.lm.n_cols:,} columns)")
        try:
            with steps_within():
                result: SolverResult | None = clock.run(route, model, options, deadline, start)
        except Declined as exc:
            notes.append(f"{route.name} declined ({exc}){fallback}")
            log_step(options, notes[-1])
            result = None
        except (ResilientSCError, MemoryError):  # said on purpose, or out of memory: to the caller
            raise
        except Exception as exc:  # an accelerated route's own fault never costs the plan
            if isinstance(exc, RuntimeError) and "Resource temporarily unavailable" in str(exc):
                raise ResilientSCError("HiGHS could not start its threads (Resource temporarily unavailable: "
                                       "a limit on memory or processes); free memory, or solve with "
                                       "threads=1 (CLI: --threads 1)") from exc
            if route is HIGHS or route is PYOMO:  # a backend asked for is not swapped for another
                raise
            notes.append(f"{route.name} failed ({type(exc).__name__}: {exc}){fallback}")
            log_step(options, notes[-1])
            warn(f"route {route.name} failed ({type(exc).__name__}: {exc}){fallback or ''}; "
                 "please report it", RunWarning)
            result = None
        assert result is None or isinstance(result, SolverResult)
        if result is not None and result.note:
            notes.append(result.note)
        again = (start is not None or route is not HIGHS) and _deferred(model) is None
        checked = result if again and result is not None and clock.costs_what_it_says(model, result) else None
        if again and result is not None and checked is None:
            # HiGHS 1.16 can return its MIP start's values beside the optimum's cost (presolve on):
            # a dearer plan said to be optimal (a 3-period roadmap: 40,225.15 for 31,865.65)
            notes.append(f"{route.name} returned a plan whose cost is not the one it reported: solved again "
                         "by plain HiGHS" + (" without the MIP start" if start is not None else ""))
            log_step(options, notes[-1])
            route, first = HIGHS, result
            result = clock.run(HIGHS, model, options, deadline, None)
            if result.x is None and first.x is not None and clock.certified(model, first.x):
                # no time left for the re-solve: the first plan, at its own cost and not proven
                notes.append("no plan in the time left: the first one is kept at its own cost")
                kept = costed(model.lm, first, options)  # optimal still when within the gap
                result = kept if kept.status is Status.OPTIMAL else dataclasses.replace(
                    kept, status=result.status)
        if result is not None and result.x is not None and clock.certified(model, result.x):
            if result.message == base.UNCERTIFIED:  # a master's, inside the route: its plan certified here
                result = dataclasses.replace(result, message="")
        elif result is not None and result.x is not None:
            if route is HIGHS:
                notes.append("the answer fails the certificate (a row, bound or integrality off by "
                             "more than 1e-6, scaled)")
                result = replace(result, message=base.UNCERTIFIED,  # a route's master: the route decides
                                 status=result.status if master else Status.ERROR)
            else:
                notes.append(f"{route.name}'s answer failed the certificate{fallback}")
                log_step(options, notes[-1])
                result = None
        if result is None and _deferred(model) is not None:  # plain HiGHS has no copies to solve
            notes.append("no plan: the failures could not be checked")
            result = SolverResult(Status.ERROR, None, math.nan, -math.inf, math.inf, 0.0, base.UNCHECKED)
        if result is None:
            route = HIGHS
            result = clock.run(HIGHS, model, options, deadline, None)
            if result.x is not None and not clock.certified(model, result.x):
                notes.append("plain HiGHS's answer fails the certificate too")
                result = replace(result, message=base.UNCERTIFIED,  # a route's master: the route decides
                                 status=result.status if master else Status.ERROR)
        if result is not checked and not clock.costs_what_it_says(model, result):  # c·x once a result
            notes.append("the plan's cost is not the one HiGHS reported: its gap is counted from the plan's")
            result = costed(model.lm, result, options)
        # made exact (a model without its failure copies: by failure generation, on each master)
        if not master and result.x is not None and result.message != base.UNCERTIFIED and fallback:
            result = clock.exact(model, result, options, deadline, _is_mip(model), notes)
    report = SolveReport(route.name, clock.build, clock.solve, clock.certify, result.nodes, result.bound,
                         result.iterations, "; ".join(notes), result.message != base.UNCERTIFIED,
                         options.settings())
    return dataclasses.replace(result, solve_time=time.perf_counter() - t0, note=report.note), report
