"""Best-first LP branch and bound over the integer columns of a :class:`~.master.Master`, with
reduced-cost fixing at every node, a rounding + local-search heuristic on the design columns,
and optional probing (a caller's bound with a column forced either way) to fix and to branch."""

from __future__ import annotations

import heapq
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..base import SolveOptions, Status, Trace, log_step
from .master import FEAS, Full, Master


@dataclass(eq=False)
class Incumbent:
    """The best plan so far: its ``objective`` and column vector ``x``; a route may keep its own
    description of the plan in ``design`` (facility location: open hubs and served fractions)."""

    objective: float = math.inf
    x: np.ndarray | None = None
    design: Any = None


def integral(f: Full, x: np.ndarray) -> bool:
    ints = f.integer
    return bool(np.abs(x[ints] - np.round(x[ints])).max(initial=0.0) <= FEAS)


def price_design(master: Master, pattern: np.ndarray, deadline: float) -> tuple[float, np.ndarray] | None:
    """The cheapest plan with the design columns fixed to ``pattern`` (None if not integral)."""
    f = master.f
    master.set_bounds(f.design, pattern, pattern)
    if master.solve(deadline) is not Status.OPTIMAL:
        return None
    x = master.x()
    if not integral(f, x):
        return None
    x[f.design] = pattern
    return master.objective(), x


def local_search(master: Master, x_lp: np.ndarray, lo: np.ndarray, up: np.ndarray,
                 inc: Incumbent, deadline: float, drop: bool = True) -> None:
    """Round the LP design up, then close elements one at a time (least used first) while it pays.

    ``lo``/``up`` are the design bounds in force; they are restored afterwards.
    """
    f = master.f
    val = x_lp[f.design]
    pattern = np.where(val > FEAS, up, lo)
    best = price_design(master, pattern, deadline)
    if best is not None and drop:
        for k in np.argsort(val, kind="stable"):
            if time.perf_counter() > deadline:
                break
            if pattern[k] == lo[k]:
                continue
            trial = pattern.copy()
            trial[k] = lo[k]
            got = price_design(master, trial, deadline)
            if got is not None and got[0] < best[0] - 1e-9 * max(1.0, abs(best[0])):
                best, pattern = got, trial
        if best[0] < inc.objective:
            inc.objective, inc.x = best
    master.set_bounds(f.design, lo, up)


def fix_by_reduced_cost(x: np.ndarray, rc: np.ndarray, lo: np.ndarray, up: np.ndarray,
                        slack: float) -> tuple[np.ndarray, np.ndarray, int]:
    """Integer bounds that keep every solution within ``slack`` of the LP bound.

    A column at its lower bound with reduced cost r > slack cannot move (likewise at the upper
    bound with −r > slack). ``x``, ``rc``, ``lo``, ``up`` are over the integer columns.
    """
    lo, up = lo.copy(), up.copy()
    down = (x <= lo + FEAS) & (rc > slack) & (up > lo)
    upw = (x >= up - FEAS) & (-rc > slack) & (up > lo)
    up[down] = lo[down]
    lo[upw] = up[upw]
    return lo, up, int(down.sum() + upw.sum())


@dataclass(order=True)
class _Node:
    bound: float
    dive: int  # minus the depth: among equal bounds the deepest node first
    seq: int
    lo: np.ndarray = field(compare=False)
    up: np.ndarray = field(compare=False)
    depth: int = field(compare=False, default=0)


#: seconds between branch and bound's progress lines in the solver log
PROGRESS_EVERY = 10.0


def progress(trace: Trace, open_nodes: int, lower: float, inc: Incumbent) -> str:
    """Branch and bound's progress line: nodes solved and open, bound, best plan and their gap.

    >>> progress(Trace(nodes=1200), 35, 99.0, Incumbent(100.0))
    'branch and bound: 1,200 nodes solved, 35 open; bound 99.00, best plan 100.00, gap 1.0000%'
    >>> progress(Trace(), 1, -math.inf, Incumbent())
    'branch and bound: 0 nodes solved, 1 open; bound none yet, best plan none yet, gap —'
    """
    best = inc.objective
    known = math.isfinite(best) and math.isfinite(lower)
    gap = f"{(best - lower) / max(abs(best), 1e-10):.4%}" if known else "—"
    return (f"branch and bound: {trace.nodes:,} nodes solved, {open_nodes:,} open; bound {_amount(lower)}, "
            f"best plan {_amount(best)}, gap {gap}")


def _amount(value: float) -> str:
    return f"{value:,.2f}" if math.isfinite(value) else "none yet"


def tolerance(ub: float, options: SolveOptions) -> float:
    """The absolute gap at which a bound counts as closing on ``ub``."""
    return max(1e-9, options.mip_gap * abs(ub)) if math.isfinite(ub) else 0.0


#: ``probe(master, ints, lo, up)``: lower bounds with each integer column forced to its lower /
#: upper bound (nan where it has no say), e.g. from a Lagrangian bound at the LP duals
Prober = Callable[[Master, np.ndarray, np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


def branch_and_bound(master: Master, inc: Incumbent, options: SolveOptions, deadline: float,
                     trace: Trace, probe: Prober | None = None) -> tuple[Status, float]:
    """Best-first LP branch and bound over the integer columns; returns status and bound.

    With ``probe``, columns whose forced alternative exceeds the incumbent are fixed, and the
    branching column maximises the product of the two probed bound gains (else: the most
    fractional column).
    """
    f = master.f
    heur_every = options.accelerate_options.heur_every
    ints = np.flatnonzero(f.integer & ~f.dead)
    is_design = np.isin(ints, f.design)
    seq = 0
    heap = [_Node(-math.inf, 0, seq, f.col_lo[ints].copy(), f.col_up[ints].copy())]
    next_line = time.perf_counter() + PROGRESS_EVERY
    while heap:
        lower = heap[0].bound
        if options.log and time.perf_counter() >= next_line:
            log_step(options, progress(trace, len(heap), lower, inc))
            next_line = time.perf_counter() + PROGRESS_EVERY
        if inc.objective - lower <= tolerance(inc.objective, options):
            return Status.OPTIMAL, min(lower, inc.objective)
        if time.perf_counter() > deadline:
            return Status.TIME_LIMIT, lower
        node = heapq.heappop(heap)
        if node.bound >= inc.objective - tolerance(inc.objective, options):
            continue
        trace.nodes += 1
        master.set_bounds(ints, node.lo, node.up)
        state = master.solve(deadline)
        if state is Status.INFEASIBLE:
            continue
        if state is not Status.OPTIMAL:
            heapq.heappush(heap, node)
            if state is Status.TIME_LIMIT:
                continue
            return Status.ERROR, lower
        obj = master.objective()
        if obj >= inc.objective - tolerance(inc.objective, options):
            continue
        x = master.x()
        xi = x[ints]
        frac = np.abs(xi - np.round(xi))
        if frac.max(initial=0.0) <= FEAS:
            inc.objective, inc.x = obj, x
            continue
        lo, up = node.lo, node.up
        if math.isfinite(inc.objective):
            lo, up, _ = fix_by_reduced_cost(xi, master.reduced_costs()[ints], lo, up,
                                            inc.objective - obj)
        if is_design.all() and (node.depth == 0 or (heur_every and node.depth % heur_every == 0)):
            local_search(master, x, lo[is_design], up[is_design], inc, deadline,
                         drop=node.depth == 0)
            master.set_bounds(ints, lo, up)
        child = (obj, obj)
        j = int(np.argmax(np.minimum(frac, 1.0 - frac) - 2.0 * (frac <= FEAS)))
        if probe is not None:
            down, upb = probe(master, ints, lo, up)
            cut = inc.objective - tolerance(inc.objective, options)
            lo, up = lo.copy(), up.copy()
            lo[down > cut] = up[down > cut]
            up[upb > cut] = lo[upb > cut]
            if not (lo <= up).all():
                continue
            cand = np.flatnonzero((frac > FEAS) & (up > lo))
            if not len(cand):
                heapq.heappush(heap, _Node(obj, -node.depth, seq := seq + 1, lo, up, node.depth))
                continue
            score = (np.maximum(np.nan_to_num(down[cand], nan=obj) - obj, 1e-6)
                     * np.maximum(np.nan_to_num(upb[cand], nan=obj) - obj, 1e-6))
            j = int(cand[np.argmax(score)])
            child = (max(obj, np.nan_to_num(down[j], nan=obj)), max(obj, np.nan_to_num(upb[j], nan=obj)))
        for bound, child_lo, child_up in ((child[0], lo[j], math.floor(xi[j])),
                                          (child[1], math.ceil(xi[j]), up[j])):
            clo, cup = lo.copy(), up.copy()
            clo[j], cup[j] = child_lo, child_up
            seq += 1
            heapq.heappush(heap, _Node(bound, -(node.depth + 1), seq, clo, cup, node.depth + 1))
    return Status.OPTIMAL, inc.objective
