"""The multi-source facility location driver: a Lagrangian bound (demand rows relaxed,
subgradient ascent) with transportation-LP heuristics gives a near-optimal plan and fixes the
hubs whose forced alternative costs more; an LP branch and bound over the remaining hubs
finishes, pricing flow columns in and separating the lazy rows (implied for integer designs, so
any subset keeps the optimum), with Lagrangian probing for fixing and branching and reduced-cost
fixing at every node."""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING

import numpy as np

from ..base import Declined, SolveOptions, SolverResult, Status, Trace, log_step
from ..mip.branch_and_bound import Incumbent, Prober, branch_and_bound
from ..mip.master import Full, Master, initial_columns
from .heuristics import Transport, complete, improve, offer
from .lagrangian import Ascent, MultiSourceBound, ascend, probe_hubs
from .problem import FacilityProblem, cardinality_cut

if TYPE_CHECKING:
    from ...model.linear import LinearModel


def prober(fl: FacilityProblem, lb: MultiSourceBound) -> Prober:
    """Hub probing with the Lagrangian bound at the node LP's demand duals."""
    assert fl.demand_rows is not None

    def probe(master: Master, ints: np.ndarray, lo: np.ndarray, up: np.ndarray
              ) -> tuple[np.ndarray, np.ndarray]:
        pi = master.row_duals()
        u = pi[fl.demand_rows] * fl.d
        pos = np.searchsorted(ints, fl.o_cols)
        pos = np.minimum(pos, len(ints) - 1)
        present = ints[pos] == fl.o_cols
        hlo, hup = np.zeros(len(fl.f)), np.zeros(len(fl.f))
        hlo[present], hup[present] = lo[pos[present]], up[pos[present]]
        v, _, _ = lb.hubs(u)
        kv, o = lb.knapsack(v, hlo, hup)
        down, upb = np.full(len(ints), np.nan), np.full(len(ints), np.nan)
        if math.isfinite(kv):
            closed, opened = probe_hubs(lb, Ascent(float(u.sum()) + kv, u, v, o, 0.0), hlo, hup)
            down[pos[present]], upb[pos[present]] = closed[present], opened[present]
        return down, upb

    return probe


def solve_multi_source(lm: LinearModel, fl: FacilityProblem, options: SolveOptions, deadline: float,
                       trace: Trace) -> SolverResult:
    """Multi-source CFLP: Lagrangian bound, heuristics and hub fixing, then LP branch and price
    over the hubs left open to choice; raises ``Declined`` when the heuristics find
    no plan (HiGHS decides)."""
    t0 = time.perf_counter()
    lb = MultiSourceBound(fl)
    transport = Transport(fl, options)
    inc = Incumbent()
    m = len(fl.f)

    def visit(p: Ascent) -> float:
        offer(inc, transport, complete(lb, (p.o > 0.5) | (fl.lo > 0.5), p.v, fl.up))
        return inc.objective

    def tol() -> float:
        return max(1e-9, options.mip_gap * abs(inc.objective)) if math.isfinite(inc.objective) else 0.0

    log_step(options, "Lagrangian bound (demand rows relaxed) by subgradient ascent, plans by heuristics")
    u0 = np.sort(fl.cost, axis=0)
    u = np.where(np.isfinite(u0[min(1, m - 1)]), u0[min(1, m - 1)], u0[0])
    a = ascend(lb, u, fl.lo, fl.up, inc.objective, tol(), 150, 2.0, visit=visit, every=25)
    if not math.isfinite(a.bound):
        return SolverResult(Status.INFEASIBLE, None, math.nan, math.inf, math.inf, 0.0, "infeasible")
    visit(a)
    a = ascend(lb, a.u, fl.lo, fl.up, inc.objective, tol(), 600, a.step, visit=visit, every=20)
    improve(lb, transport, inc, a.v, t0 + 0.25 * max(deadline - t0, 0.0))
    if inc.design is None:  # no plan found: let HiGHS decide
        raise Declined("the Lagrangian heuristics found no plan")
    inc.x = fl.plan(*inc.design)
    log_step(options, f"Lagrangian bound {a.bound:,.2f}, best plan {inc.objective:,.2f}")
    closed, opened = probe_hubs(lb, a, fl.lo, fl.up)
    lo, up = fl.lo.copy(), fl.up.copy()
    lo[closed > inc.objective - tol()] = 1.0
    up[opened > inc.objective - tol()] = 0.0
    if a.bound >= inc.objective - tol() or not (lo <= up).all():
        bound = min(inc.objective, max(a.bound, inc.objective - tol()))
        return SolverResult(Status.OPTIMAL, inc.x, inc.objective, bound,
                            (inc.objective - bound) / max(abs(inc.objective), 1e-10),
                            time.perf_counter() - t0, "optimal", nodes=0)
    col_lo, col_up, *_ = lm.bounds()
    col_lo[fl.o_cols], col_up[fl.o_cols] = lo, up
    shut = up < 0.5
    col_up[fl.x_cols[shut]] = 0.0
    ys = fl.y_cols[shut]
    col_up[ys[ys >= 0]] = 0.0
    assert fl.lazy_rows is not None and fl.design_cols is not None
    f = Full.of(lm, fl.lazy_rows, fl.design_cols, col_lo, col_up, cardinality_cut(fl, up))
    lb.restrict(up > 0.5)
    _, fill, _ = lb.hubs(a.u)
    support = fl.y_cols[lb.hub[fill], lb.mk[fill]]
    master = Master(f, options, initial_columns(f, extra=support[support >= 0]))
    log_step(options, f"branch and price over the {int((up > lo).sum()):,} hubs the bound leaves open to "
                      "choice")

    status, bound = branch_and_bound(master, inc, options, deadline, trace, prober(fl, lb))
    trace.lp_solves = master.solves
    x = inc.x
    assert x is not None
    gap = max(0.0, (inc.objective - bound) / max(abs(inc.objective), 1e-10))
    return SolverResult(status, x, inc.objective, bound, gap, time.perf_counter() - t0, status.value,
                        nodes=trace.nodes, iterations=master.solves)
