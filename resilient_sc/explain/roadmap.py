"""Why a roadmap has no plan, in a planner's terms: the periods that have none alone, with the
reasons of :func:`~resilient_sc.explain.explain_infeasibility`, and the candidates whose lead
times keep a period from having one (:func:`lead_time_hint`)."""

from __future__ import annotations

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


def explain_roadmap(model: RoadmapModel) -> list[str]:
    """Why a roadmap has no plan, in a planner's terms: the periods that have none alone, each
    with the reasons of :func:`~resilient_sc.explain.explain_infeasibility`, and
    :func:`lead_time_hint`."""
    reasons: list[str] = []
    ids = model.periods["period"].tolist()
    for t, (period, m) in enumerate(zip(ids, model.models, strict=True)):
        if _has_plan(m):
            continue
        reasons += [f"in period {period}: {r}" for r in explain_infeasibility(m)]
        reasons += lead_time_hint(m.network, m.policy, period, t, len(ids))
    return reasons or ["the roadmap has no plan, although every period has one alone"]


#: lead_time_hint looks for a minimal set (none can be left out) among at most this many waiting
#: candidates
HINT_CANDIDATES = 24


def lead_time_hint(network: Network, policy: Policy, period: str, position: int,
                   n_periods: int) -> list[str]:
    """When lead times are why period ``period`` (at ``position`` of ``n_periods``) has no plan:
    the candidates it would need, a set none of which can be left out (each one left out in
    turn, kept out when the period still has a plan without it); nothing when the period has no
    plan even with every candidate available."""
    waiting = []
    for kind in ("supplier", "hub"):
        t = getattr(network, f"{kind}s")
        late = t.loc[(t["status"] == "candidate") & (t["lead_time"] > position)]
        waiting += [(kind, i, int(n)) for i, n in zip(late[kind], late["lead_time"], strict=True)]
    if not waiting or not _feasible_with(network, policy, position, waiting):
        return []
    needed = list(waiting)
    if len(waiting) <= HINT_CANDIDATES:
        for item in waiting:
            if len(needed) > 1 and _feasible_with(network, policy, position,
                                                  [w for w in needed if w != item]):
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
                   available: list[tuple[str, str, int]]) -> bool:
    """The period at ``position`` has a plan when the candidates ``available`` operate at once
    (lead time 0) and the others still waiting stay out."""
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
    return _has_plan(m)


def _has_plan(model: NetworkModel) -> bool:
    """``model`` has a feasible plan (HiGHS stops at a gap of 99%: about the first plan found)."""
    options = SolveOptions(mip_gap=0.99, allow_nonoptimal=True)
    return solve_linear(model, options, routes=PLAIN)[0].status is not Status.INFEASIBLE
