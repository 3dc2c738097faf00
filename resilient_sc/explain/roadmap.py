"""Why a roadmap has no plan, in a planner's terms: the periods that have none alone, with the
reasons of :func:`~resilient_sc.explain.explain_infeasibility`, and the candidates whose lead
times keep a period from having one (:func:`lead_time_hint`)."""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING

import numpy as np

from ..exceptions import InfeasiblePolicyError
from ..model.build import NetworkModel, build_period
from ..solvers.base import SolveOptions, Status
from ..solvers.routes import ROUTES, solve_linear
from . import explain_infeasibility

if TYPE_CHECKING:
    from ..data import Network
    from ..model.roadmap import RoadmapModel
    from ..policy import Policy

#: plain HiGHS on the model as built: a period's feasibility, not its optimum
PLAIN = tuple(r for r in ROUTES if r.name == "highs")


def explain_roadmap(model: RoadmapModel, deadline: float = math.inf) -> list[str]:
    """Why a roadmap has no plan, in a planner's terms, by ``deadline`` (a ``time.perf_counter()``
    time): :func:`explain_periods` of its periods."""
    ids = model.periods["period"].tolist()
    periods = [(period, t, m) for t, (period, m) in enumerate(zip(ids, model.models, strict=True))]
    return (explain_periods(periods, len(ids), deadline)
            or ["the roadmap has no plan, although every period has one alone"])


def explain_periods(periods: list[tuple[str, int, NetworkModel]], n_periods: int,
                    deadline: float = math.inf) -> list[str]:
    """Of ``periods`` (each period, its position of ``n_periods`` and its model), those without a
    plan alone, each with the reasons of :func:`~resilient_sc.explain.explain_infeasibility`
    (headed ``in period P:``) and :func:`lead_time_hint`; the periods not checked by
    ``deadline`` are named (the whole call's time limit bounds the explanation too: audit)."""
    reasons: list[str] = []
    unchecked = []
    for period, t, m in periods:
        has_plan = _has_plan(m, deadline)
        if has_plan is None:
            unchecked.append(period)
        elif not has_plan:
            reasons += [f"in period {period}: {r}" for r in explain_infeasibility(m, deadline)]
            reasons += lead_time_hint(m.network, m.policy, period, t, n_periods, deadline)
    if unchecked:
        one = len(unchecked) == 1
        reasons.append(f"the time limit ran out before period{'' if one else 's'} {', '.join(unchecked)} "
                       f"{'was' if one else 'were'} checked alone, which may have no plan either: raise "
                       "SolveOptions.time_limit (CLI: --time-limit), or solve without one, to see")
    return reasons


def in_period_order(reasons: list[str], ids: list[str]) -> list[str]:
    """``reasons`` headed ``in period P:`` (or ``in period P (position t)``) in the order of the
    periods ``ids``, the rest after them, each group as given.

    >>> in_period_order(["in period 2030: a", "in period 2028 (position 2): b", "c"], ["2028", "2030"])
    ['in period 2028 (position 2): b', 'in period 2030: a', 'c']
    """
    heads = [(f"in period {p}:", f"in period {p} (") for p in ids]
    return sorted(reasons, key=lambda line: next((t for t, head in enumerate(heads) if line.startswith(head)),
                                                 len(ids)))


#: lead_time_hint looks for a minimal set (none can be left out) among at most this many waiting
#: candidates
HINT_CANDIDATES = 24


def lead_time_hint(network: Network, policy: Policy, period: str, position: int,
                   n_periods: int, deadline: float = math.inf) -> list[str]:
    """When lead times are why period ``period`` (at ``position`` of ``n_periods``) has no plan:
    the candidates it would need, a set none of which can be left out (each one left out in
    turn, kept out when the period still has a plan without it, while ``deadline`` allows);
    nothing when the period has no plan even with every candidate available, or that is not
    known by ``deadline``."""
    waiting = []
    for kind in ("supplier", "hub"):
        t = getattr(network, f"{kind}s")
        late = t.loc[(t["status"] == "candidate") & (t["lead_time"] > position)]
        waiting += [(kind, i, int(n)) for i, n in zip(late[kind], late["lead_time"], strict=True)]
    if not waiting or not _feasible_with(network, policy, position, waiting, deadline):
        return []
    needed = list(waiting)
    if len(waiting) <= HINT_CANDIDATES:
        for item in waiting:
            if len(needed) > 1 and _feasible_with(network, policy, position,
                                                  [w for w in needed if w != item], deadline):
                needed.remove(item)
    shown = ", ".join(f"{kind} {i} (lead_time {n})" for kind, i, n in needed)
    which = "it" if len(needed) == 1 else "them"
    never = [i for _, i, n in needed if n >= n_periods]  # positions 0 .. n_periods - 1: never in the horizon
    every = "the only period" if n_periods == 1 else f"all {n_periods} periods"
    until = (f"out of {every}" if len(never) == len(needed) else
             f"out until a later period ({', '.join(never)}: out of {every})" if never else
             "out until a later period")
    more = " or add periods" if never else ""
    return [f"in period {period} (position {position}): it would have a plan if, for example, {shown} "
            f"could operate then; lead_time keeps {which} {until} (shorten the lead time{more}, or relax "
            "the policy in this period)"]


def _feasible_with(network: Network, policy: Policy, position: int,
                   available: list[tuple[str, str, int]], deadline: float) -> bool:
    """The period at ``position`` has a plan when the candidates ``available`` operate at once
    (lead time 0) and the others still waiting stay out (False when not known by ``deadline``)."""
    if time.perf_counter() >= deadline:
        return False
    ids = {kind: {i for k, i, _ in available if k == kind} for kind in ("supplier", "hub")}
    tables = {}
    for kind in ("supplier", "hub"):
        t = getattr(network, f"{kind}s")
        now = t[kind].isin(ids[kind]).to_numpy()
        tables[f"{kind}s"] = t.assign(lead_time=np.where(now, 0, t["lead_time"]))
    try:
        m = build_period(network._derived(**tables), policy, position=position,
                         transitions=False)
    except InfeasiblePolicyError:
        return False
    return bool(_has_plan(m, deadline))


def _has_plan(model: NetworkModel, deadline: float = math.inf) -> bool | None:
    """Whether ``model`` has a feasible plan (HiGHS stops at a gap of 99%: about the first plan
    found); None when that is not known by ``deadline``."""
    left = deadline - time.perf_counter()
    if left <= 0:
        return None
    options = SolveOptions(mip_gap=0.99, allow_nonoptimal=True,
                           time_limit=left if math.isfinite(left) else None)
    result = solve_linear(model, options, routes=PLAIN)[0]
    if result.status is Status.INFEASIBLE:
        return False
    return True if result.x is not None else None
