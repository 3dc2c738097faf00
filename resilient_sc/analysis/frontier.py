"""Premium frontiers: cost and resilience as one policy field sweeps over values."""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import Executor
from numbers import Real
from typing import Any

import numpy as np
import pandas as pd

from ..data import Network
from ..exceptions import (
    InfeasiblePolicyError,
    NotOptimalError,
    RunWarning,
    ValidationError,
    check_switch,
    warn,
)
from ..format import field_text
from ..mapping_files import shown
from ..model.build import given_policy
from ..optimize import model_for, solve, solve_model
from ..policies import check_policies
from ..policy import POLICY_FIELDS, Policy
from ..results import Plan
from ..solvers.base import SolveOptions, given_options
from .parallel import Progress, check_parallel, named, run_all, run_lazily
from .premium import design_columns
from .stress import DEFAULT, failure_kinds, stress_test

#: one solved point: (plan or None, status without a plan, reason, wall seconds, stress summary)
Point = tuple[Plan | None, str, str, float, dict[str, Any]]


def _point(network: Network, policy: Policy, options: SolveOptions | None, start: Plan | None,
           failures: tuple[str, ...]) -> Point:
    """Solve one point of the sweep and stress-test its design (a picklable unit of work, so a
    cold sweep's workers run the stress tests too): (plan or None, ``infeasible`` or
    ``not_solved`` when there is none, the reasons one per line, wall seconds of build and solve,
    the stress summary)."""
    t = time.perf_counter()
    try:
        options = given_options(options)
        plan = solve_model(model_for(network, policy, options), options, start)
    except InfeasiblePolicyError as exc:
        return None, "infeasible", "\n".join(r.strip(" -") for r in exc.reasons), time.perf_counter() - t, {}
    except NotOptimalError as exc:  # stopped with no plan, or one not proven optimal and not kept
        return None, "not_solved", str(exc), time.perf_counter() - t, {}
    seconds = time.perf_counter() - t
    # at the default penalties, every point alike: what each design guarantees (at a point's own
    # shortfall_penalty a design able to serve all read as serving none)
    summary = (stress_test(network, plan, failures, scenarios=False, penalty=DEFAULT).summary() if failures
               else {})
    return plan, "", "", seconds, summary


def _row(field: str, value: Any, point: Point, base: Plan) -> dict[str, Any]:
    plan, status, reason, seconds, summary = point
    row: dict[str, Any] = {field: value, "status": status if plan is None else plan.status.value}
    if plan is None:
        return {**row, "cost": math.nan, "premium": math.nan, "premium_pct": math.nan,
                "network_cost": math.nan, "network_premium_pct": math.nan, "intact_served": math.nan,
                "worst_served": math.nan, "gap": math.nan,
                "time": seconds, "reason": reason}
    return {**row, **design_columns(plan, base, summary), "gap": plan.gap, "time": seconds,
            "solve_time": plan.solve_time, "reason": ""}


def values_to_sweep(name: str, values: Any) -> list[Any]:
    """``values`` of field ``name`` as a list, read once (a generator or ``np.arange`` is swept,
    not used up by the checks), each value once (a repeat is warned of: it would be solved
    again), numbers in ascending order (a frontier is a curve: given as 0.9, 0, 0.75, its figure
    went back and forth and its 'largest step' jumped over values); text (``"country"``) or no
    values is a :class:`ValidationError`.

    >>> values_to_sweep("min_local_share", [0.9, 0, 0.75]), values_to_sweep("survive", [["hub"], []])
    ([0, 0.75, 0.9], [['hub'], []])
    """
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise ValidationError([f"(values) | {values!r}: the values of {name} to sweep are a list"])
    out: list[Any] = []
    read: list[Any] = []  # each as the policy reads it: [CN, VN] and [VN, CN], yes and true, are one
    for v in values:
        if (seen := _repeats(as_set := _as_policy_reads(name, v), read)) is not None:
            twice = ("is given twice" if _repeats(v, [out[seen]]) is not None
                     else f"is the same policy as {shown(out[seen])}")
            warn(f"(values) | {name} {shown(v)} {twice}: swept once", RunWarning)
        else:
            out.append(v)
            read.append(as_set)
    if not out:
        raise ValidationError([f"(values) | no values of {name} to sweep"])
    if all(isinstance(v, Real) and not isinstance(v, bool) and v == v for v in out):
        out.sort()
    return out


def _as_policy_reads(name: str, value: Any) -> Any:
    """``value`` of the field ``name`` as a :class:`Policy` holds it (``value`` itself where the
    policy refuses it: said when the point is solved)."""
    try:
        return getattr(Policy(**{name: value}), name)
    except Exception:  # any refusal is the point's to say, when it is solved
        return value


def _repeats(value: Any, earlier: list[Any]) -> int | None:
    """The position of the first of ``earlier`` that ``value`` equals, or None (an array or NA,
    which has no truth value, is compared by its items, and never equals what cannot be compared:
    checked later)."""
    for i, other in enumerate(earlier):
        try:
            same = bool(value == other)
        except (TypeError, ValueError):  # an array: all its items, in the same shape
            same = isinstance(value, np.ndarray) and np.array_equal(value, other)
        if same:
            return i
    return None


def frontier(network: Network, field: str, values: Iterable[Any], policy: Policy | None = None,
             options: SolveOptions | None = None, warm_start: bool = True,
             failures: Iterable[str] = ("country",), workers: int | None = None,
             executor: Executor | Any | None = None,
             progress: Progress | None = None) -> pd.DataFrame:
    """Cost, premium over ``policy`` and worst-case served fraction as ``field`` sweeps.

    With ``warm_start`` the points are solved in order, each starting HiGHS from the
    previous design (``setSolution``); without it they are independent solves, run in
    parallel through ``workers`` (None: one process per CPU; 1: in this process) or
    ``executor``, each worker stress-testing its own design: on more
    than one core the faster sweep once a point takes seconds (ladder M, seven points: 161 s cold
    on two workers against 243 s warm; docs/benchmarks.md). ``worst_served`` is the fraction of
    demand that every market and product is still guaranteed under the worst single failure of
    the kinds in ``failures`` (country by default; the disruption scenarios are not replayed), from
    :func:`stress_test`. An unknown
    ``field``, or a value that does not fit it or the network, is a :class:`ValidationError`
    before anything is solved (the points are named ``field=value``); a ``policy`` without a
    plan is an :class:`InfeasiblePolicyError` naming it the reference. A point without a plan has
    ``status`` ``infeasible`` or ``not_solved`` (stopped at a limit with no plan, or with one not
    proven optimal that ``allow_nonoptimal`` does not keep) and its ``reason``,
    the reasons one per line.

    :returns: one row per value, in their order (numbers ascending: :func:`values_to_sweep`).
        Columns: ``field`` (the value), ``status``,
        ``cost``, ``premium`` (money over ``policy``'s plan), ``premium_pct`` (% of that plan's cost),
        ``network_cost`` and ``network_premium_pct`` (without the shortfall and
        disruption-scenario cost, as :func:`~resilient_sc.analysis.premium.premium`'s),
        ``intact_served`` (the fraction of demand delivered with nothing failed, at the point's
        own penalty), ``worst_served`` and ``worst_failure`` (above; at the default penalties),
        ``local_share``, ``allied_share`` (fractions, weighted by :meth:`Plan.share_weights`),
        ``n_suppliers``, ``n_hubs``, ``gap``, ``time`` (s: the point's build and solve, wall
        clock), ``solve_time`` (s: the solve alone, :attr:`Plan.solve_time`), ``reason``.
    """
    check_switch("warm_start", warm_start, "points in order, each from the previous design",
                 "independent, in parallel")
    policy = given_policy(network, policy)  # {} or a DataFrame is an error, not the base
    Policy.check_field(field)
    values = values_to_sweep(field, values)
    fails = failure_kinds(failures)
    check_parallel(workers, executor, progress)
    policies = policy.sweep(field, values)
    names = [f"{field}={shown(v)}" for v in values]
    check_policies(dict(zip(names, policies, strict=True)), network)
    try:
        base = named("the starting policy", solve, network, policy, options)
    except InfeasiblePolicyError as exc:  # the reference of every premium: say it is the one at fault
        # not 'whatever the values': a point replaces the policy's own value of the field, and a
        # shortfall_penalty relaxes demand, so the points may have plans (audits); said once, before
        # the reasons, the advice to sweep without the field only where it is among their causes
        cause = any(field in r for r in exc.reasons)
        own = (f"; it sets {field_text(policy, field)} itself, which each point replaces: sweep from a "
               f"starting policy without {field}") if cause and field in policy.to_dict() else ""
        if cause and not own and not math.isnan(unset := POLICY_FIELDS[field].unset):  # service_level: 1
            loosest = values[0] if POLICY_FIELDS[field].strictest == "max" else values[-1]
            own = (f"; it leaves {field} at {unset:g}, its value when not set, which each point replaces: "
                   f"set {field} in the starting policy, e.g. to the loosest value swept ({shown(loosest)})")
        raise InfeasiblePolicyError([f"the starting policy, the reference of the premiums, has no plan, so "
                                     f"no premium can be computed{own}; why:", *exc.reasons]) from exc
    except NotOptimalError as exc:  # named, its status and plan kept (a time limit's words named none)
        raise NotOptimalError(f"the starting policy, the reference of the premiums, has no plan kept, so no "
                              f"premium can be computed: {exc}", exc.plan, exc.status) from exc
    if warm_start and (executor is not None or (workers or 1) > 1):
        warn("(warm_start) | the points are solved in order in this process, each from the last "
             "design: the executor and workers are not used; pass warm_start=False (CLI: "
             "--no-warm-start) to solve them in parallel", RunWarning)
    if warm_start:
        def in_order() -> Iterator[Any]:  # each point from the last design found, as it is asked for
            previous = base
            for pol, name in zip(policies, names, strict=True):
                point = named(name, _point, network, pol, options, previous, fails)
                previous = point[0] or previous
                yield point

        points = run_lazily(in_order(), len(policies), progress)
    else:
        tasks = [(network, pol, options, None, fails) for pol in policies]
        points = run_all(_point, tasks, workers, executor, progress, names)
    columns = list(_row(field, None, (base, "", "", 0.0, {}), base))  # a point with a plan has them all:
    # the same columns in the same order whichever points have none (an infeasible first point moved
    # them, and a sweep of none lost them: API audit)
    table = pd.DataFrame([_row(field, v, point, base) for v, point in zip(values, points, strict=True)],
                         columns=columns)
    table.attrs["failures"] = fails  # what worst_served was replayed under, for the words of a report
    table.attrs["settings"] = base.report.settings  # how it was solved, for the report's words
    return table
