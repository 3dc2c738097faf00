"""Premium frontiers: cost and resilience as one policy field sweeps over values."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor
from typing import Any

import pandas as pd

from ..data import Network
from ..exceptions import InfeasiblePolicyError, NotOptimalError
from ..optimize import model_for, solve, solve_model
from ..policy import Policy, check_policies
from ..results import Plan
from ..solvers.base import SolveOptions
from .parallel import run_all
from .premium import design_columns
from .stress import stress_test


def _point(network: Network, policy: Policy, options: SolveOptions | None, start: Plan | None,
           failures: tuple[str, ...]) -> tuple[Plan | None, str, float, dict[str, Any]]:
    """Solve one point of the sweep and stress-test its design (a picklable unit of work, so a
    cold sweep's workers run the stress tests too): (plan or None, reason, wall seconds of build
    and solve, the stress summary)."""
    t = time.perf_counter()
    try:
        options = options or SolveOptions()
        plan = solve_model(model_for(network, policy, options), options, start)
    except (InfeasiblePolicyError, NotOptimalError) as exc:
        reasons = getattr(exc, "reasons", None) or [str(exc)]
        return None, "; ".join(r.strip(" -") for r in reasons), time.perf_counter() - t, {}
    seconds = time.perf_counter() - t
    summary = stress_test(network, plan, failures, scenarios=False).summary() if failures else {}
    return plan, "", seconds, summary


def _row(field: str, value: Any, point: tuple[Plan | None, str, float, dict[str, Any]],
         base: Plan) -> dict[str, Any]:
    plan, reason, seconds, summary = point
    row: dict[str, Any] = {field: value, "status": "infeasible" if plan is None else plan.status.value}
    if plan is None:
        return {**row, "cost": math.nan, "premium": math.nan, "premium_pct": math.nan,
                "network_cost": math.nan, "network_premium_pct": math.nan, "worst_served": math.nan,
                "time": seconds, "reason": reason}
    return {**row, **design_columns(plan, base, summary), "time": seconds,
            "solve_time": plan.solve_time, "reason": ""}


def frontier(network: Network, field: str, values: Sequence[Any], policy: Policy | None = None,
             options: SolveOptions | None = None, warm_start: bool = True,
             failures: Iterable[str] = ("country",), workers: int | None = 1,
             executor: Executor | Any | None = None,
             progress: Callable[..., Any] | None = None) -> pd.DataFrame:
    """Cost, premium over ``policy`` and worst-case served fraction as ``field`` sweeps.

    With ``warm_start`` the points are solved in order, each starting HiGHS from the
    previous design (``setSolution``); without it they are independent solves, run in
    parallel through ``workers``/``executor``, each worker stress-testing its own design: on more
    than one core the faster sweep once a point takes seconds (ladder M, seven points: 161 s cold
    on two workers against 243 s warm; docs/benchmarks.md). ``worst_served`` is the fraction of
    demand that every market and product is still guaranteed under the worst single failure of
    the kinds in ``failures`` (country by default), from :func:`stress_test`. An unknown
    ``field``, or a value that does not fit it or the network, is a :class:`ValidationError`
    before anything is solved (the points are named ``field=value``).
    """
    policy = policy or Policy()
    Policy.check_field(field)
    policies = policy.sweep(field, values)
    check_policies({f"{field}={v}": pol for v, pol in zip(values, policies, strict=True)}, network)
    fails = tuple(failures)
    base = solve(network, policy, options)
    if warm_start:
        points, previous = [], base
        wrap = progress or (lambda it, total: it)
        for pol in wrap(policies, len(policies)):
            points.append(_point(network, pol, options, previous, fails))
            previous = points[-1][0] or previous
    else:
        tasks = [(network, pol, options, None, fails) for pol in policies]
        points = run_all(_point, tasks, workers, executor, progress)
    return pd.DataFrame([_row(field, v, point, base) for v, point in zip(values, points, strict=True)])
