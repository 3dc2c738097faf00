"""The single-source facility location driver: LP relaxation, a Lagrangian bound with exact
0-1 knapsacks warm-started at its duals, assignment heuristics and local search, then HiGHS on
the compact model restricted to the hubs and pairs the bound allows below a target, raising the
target until a plan is proven optimal."""

from __future__ import annotations

import dataclasses
import math
import time
from typing import TYPE_CHECKING

import highspy
import numpy as np
import scipy.sparse as sp

from ..base import SolveOptions, SolverResult, Status, Trace, log_step
from ..highs import log_to_stderr, new_highs, pass_matrix
from ..projection import Projection
from .compact import solve_compact
from .heuristics import ss_local_search, ss_polish, ss_repair
from .lagrangian import Ascent, SingleSourceBound, ascend, probe_hubs
from .problem import FacilityProblem, cardinality_cut, fractions

if TYPE_CHECKING:
    from ...model.linear import LinearModel


def solve_single_source(lm: LinearModel, fl: FacilityProblem, projection: Projection,
                        options: SolveOptions, deadline: float, trace: Trace) -> SolverResult:
    """Single-source CFLP: LP relaxation (of the model with the flows substituted out by
    ``projection``), Lagrangian bound (0-1 knapsacks) warm-started at the LP duals, assignment
    heuristics, then HiGHS on the compact model restricted to the hubs and pairs the bound allows
    below a target, the best plan as MIP start in the last round."""
    t0 = time.perf_counter()
    ao = options.accelerate_options
    proj, keep = projection
    col_lo, col_up, row_lo, row_up, _ = lm.bounds()
    cut = cardinality_cut(fl, fl.up)
    fewest = float(cut[1][0])  # hubs needed to cover the demand
    a_full = sp.vstack([lm.matrix(), cut[0]]).tocsr()
    a_proj = (a_full @ proj).tocsr()
    rlo, rup = np.concatenate([row_lo, cut[1]]), np.concatenate([row_up, cut[2]])
    log_step(options, "the LP relaxation, for the Lagrangian bound's start")
    h = new_highs(SolveOptions(threads=options.threads, seed=options.seed))
    pass_matrix(h, a_proj, proj.T @ lm.objective(), col_lo[keep], col_up[keep], rlo, rup,
                 np.zeros(len(keep), bool))
    with log_to_stderr(h):
        h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        trace.notes.append("LP relaxation not solved: the compact model instead")
        return solve_compact(fl, options, deadline)
    pi = np.asarray(h.getSolution().row_dual)
    assert fl.demand_rows is not None and fl.single_rows is not None
    u = pi[fl.demand_rows] * fl.d + pi[fl.single_rows]
    best: list[tuple[float, np.ndarray]] = []
    tried: set[bytes] = set()

    def offer(value: float, hub_of: np.ndarray) -> None:
        if not best or value < best[0][0]:
            frac = np.zeros(fl.cost.shape)
            frac[hub_of, np.arange(len(hub_of))] = 1.0
            best[:] = [(value, frac)]

    def visit(p: Ascent) -> float:
        opened = (p.o > 0.5) | (fl.lo > 0.5)
        for i in np.argsort(fl.per_capacity(p.v), kind="stable"):
            if fl.s[opened].sum() >= 1.05 * fl.d.sum():
                break
            opened[i] |= fl.up[i] > 0.5
        if opened.tobytes() not in tried:
            tried.add(opened.tobytes())
            hub_of = ss_repair(fl, opened, lb.hubs(p.u)[1])
            if hub_of is not None:
                offer(*ss_local_search(fl, hub_of, deadline, ao.swap_in))
        return best[0][0] if best else math.inf

    lb = SingleSourceBound(fl)
    a = ascend(lb, u, fl.lo, fl.up, math.inf, 0.0, 1, 0.1)
    ub = visit(a)
    tol = max(options.mip_gap, ao.close_enough) * abs(ub) if math.isfinite(ub) else 0.0
    a = ascend(lb, u, fl.lo, fl.up, ub, tol, 100, 0.1, patience=10, min_step=1e-3, visit=visit,
                every=ao.visit_every)
    ub = visit(a)
    if ub - a.bound > 2e-3 * abs(ub):  # a gap worth more iterations
        a = ascend(lb, a.u, fl.lo, fl.up, ub, tol, 200, a.step, patience=10, visit=visit,
                    every=ao.visit_every, min_step=1e-3)
        visit(a)
    ub = best[0][0] if best else math.inf
    closed, opened_b = probe_hubs(lb, a, fl.lo, fl.up)
    with_open = np.where(np.isnan(opened_b), a.bound, opened_b)
    with_pair = with_open[:, None] + lb.forced_in(a.u) - a.v[:, None]
    if best:  # re-assign the best plan over the pairs that may be in a cheaper one
        got = ss_polish(fl, np.argmax(best[0][1], axis=0), with_pair < ub, options, deadline)
        if got is not None and got[0] < ub:
            offer(*ss_local_search(fl, got[1], deadline, ao.swap_in))
            ub = best[0][0]
    lower = a.bound
    log_step(options, f"Lagrangian bound {a.bound:,.2f} (0-1 knapsacks), best plan {ub:,.2f}")
    for delta in ao.targets:
        # every plan cheaper than the target T lies in the model restricted by the bound:
        # solve that; a plan ≤ T is optimal, none proves the optimum above T
        target = min(ub, a.bound + delta * abs(a.bound))
        final = target >= ub
        cutoff = target - options.mip_gap * abs(target) if math.isfinite(target) else math.inf
        lo, up = fl.lo.copy(), fl.up.copy()
        lo[closed > cutoff] = 1.0
        up[opened_b > cutoff] = 0.0
        banned = (with_pair > cutoff) | (up < 0.5)[:, None]
        if not (lo <= up).all():  # nothing below the target
            lower = max(lower, cutoff)
            if final:
                break
            continue
        log_step(options, f"HiGHS on the hubs and assignments the bound allows below {target:,.2f}")
        result = solve_compact(fl, options, deadline, lo, up, banned, fewest,
                               best[0][1] if best and final else None, target, dict(ao.round_options))
        trace.lp_solves += 1  # rounds
        trace.nodes += result.nodes or 0
        if result.status is Status.OPTIMAL and result.x is not None and result.objective <= target:
            # plans outside the restricted model cost more than the cutoff
            bound = min(result.bound, cutoff)
            return dataclasses.replace(result, bound=bound, gap=max(0.0, (result.objective - bound)
                                                                   / max(abs(result.objective), 1e-10)),
                                       solve_time=time.perf_counter() - t0, nodes=trace.nodes,
                                       iterations=trace.lp_solves)
        if result.x is not None and result.objective < ub:
            best[:] = [(result.objective, fractions(fl, result.x))]
            ub = result.objective
        if result.status not in (Status.OPTIMAL, Status.INFEASIBLE):
            break  # out of time
        lower = max(lower, cutoff)
        if final:
            break
    if not best:
        return SolverResult(Status.INFEASIBLE if lower == math.inf else Status.TIME_LIMIT, None, math.nan,
                            lower, math.inf, time.perf_counter() - t0, "no plan", nodes=trace.nodes,
                            iterations=trace.lp_solves)
    ub, frac = best[0]
    proven = lower >= ub - options.mip_gap * abs(ub)
    bound = min(ub, lower)
    return SolverResult(Status.OPTIMAL if proven else Status.TIME_LIMIT,
                        fl.plan((frac.sum(axis=1) > 0.5) | (fl.lo > 0.5), frac), ub, bound,
                        max(0.0, (ub - bound) / max(abs(ub), 1e-10)), time.perf_counter() - t0, "",
                        nodes=trace.nodes, iterations=trace.lp_solves)

