"""The certificate every route's answer passes: the column vector satisfies every bound, row and
integrality of the model as built, at HiGHS's tolerances scaled by each row's largest
coefficient."""

from __future__ import annotations

import dataclasses
import math
import time
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

from ..format import CERTIFY_TOLERANCE
from .base import UNCERTIFIED, UNPROVEN, SolverResult, Status, log_step
from .highs import Solution, make_highs, run_highs, set_start, solve_fixed, until

if TYPE_CHECKING:
    from ..model.linear import LinearModel
    from .base import SolveOptions

#: primal feasibility and integrality tolerance (as HiGHS's)
TOLERANCE = CERTIFY_TOLERANCE


def row_scale(a: sp.spmatrix) -> np.ndarray:
    """Largest |coefficient| of each row, at least 1: violations are measured relative to it."""
    return np.maximum(1.0, abs(a).max(axis=1).toarray().ravel()) if a.shape[0] else np.ones(0)


def is_feasible(lm: LinearModel, x: np.ndarray, tol: float = TOLERANCE) -> bool:
    """``x`` satisfies every bound, row and integrality of ``lm`` (rows scaled by
    :func:`row_scale`; bounds and integrality absolute), each within ``tol``."""
    col_lo, col_up, row_lo, row_up, integer = lm.bounds()
    a = lm.matrix()
    scale = row_scale(a)
    ax = a @ x
    rows = np.maximum(ax - row_up, row_lo - ax) / scale
    cols = np.maximum(x - col_up, col_lo - x)
    frac = np.abs(x[integer] - np.round(x[integer]))
    return bool(rows.max(initial=0.0) <= tol and cols.max(initial=0.0) <= tol
                and frac.max(initial=0.0) <= tol)


def rounded(lm: LinearModel, x: np.ndarray, up: bool = False) -> np.ndarray:
    """``x`` with its integer columns whole (``up``: every one above 1e-12 rounded up) and every
    column within its bounds."""
    col_lo, col_up, _, _, integer = lm.bounds()
    out = np.array(x, float)
    out[integer] = np.ceil(out[integer] - 1e-12) if up else np.round(out[integer])
    return np.clip(out, col_lo, col_up)


class _Rows:
    """The rows of ``lm`` as the exact checks read them, built once: its matrix by column, split
    into integer and continuous columns, and what each row's size is made of."""

    def __init__(self, lm: LinearModel) -> None:
        self.col_lo, self.col_up, self.row_lo, self.row_up, self.integer = lm.bounds()
        self.cost = lm.objective()
        self.matrix = lm.matrix(by_column=True)
        self.whole, self.continuous = self.matrix[:, self.integer], self.matrix[:, ~self.integer]
        self.scale = (row_scale(self.continuous.tocsr()) if self.continuous.shape[1]
                      else np.ones(lm.n_rows))
        self.full_scale = row_scale(self.matrix.tocsr())

    def terms(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per row: its integer columns' term and its whole activity."""
        fixed = self.whole @ x[self.integer]
        return fixed, fixed + self.continuous @ x[~self.integer]

    def size(self, fixed: np.ndarray, rows: np.ndarray | slice = slice(None)) -> np.ndarray:
        """The size of ``rows`` with integer term ``fixed``: the largest of 1, their continuous
        columns' |coefficients| and that term."""
        return np.maximum.reduce([np.ones(len(fixed)), np.abs(fixed), self.scale[rows]])

    def exact(self, x: np.ndarray, tol: float) -> bool:
        """``x`` (:func:`rounded`) meets every row within ``tol`` of its size: the largest
        of 1, its continuous columns' |coefficients| and its integer columns' term (whole now).

        Never looser than :func:`is_feasible`, and stricter where it matters: a binary at 2.8e-8
        times a capacity of 6e5 passes HiGHS's integrality tolerance with 0.017 units flowing
        through a supplier whose fixed cost is not paid; rounded, that row is off by 0.017 units
        against a size of 1.
        """
        fixed, ax = self.terms(x)
        strict = np.maximum(ax - self.row_up, self.row_lo - ax) <= tol * self.size(fixed)
        loose = np.maximum(ax - self.row_up, self.row_lo - ax) <= tol * self.full_scale  # the certificate's
        within = np.maximum(x - self.col_up, self.col_lo - x) <= tol
        whole = np.abs(x[self.integer] - np.round(x[self.integer])) <= tol
        return bool(strict.all() and loose.all() and within.all() and whole.all())


def pruned(lm: LinearModel, x: np.ndarray, tol: float = TOLERANCE, rows: _Rows | None = None) -> np.ndarray:
    """Exact ``x`` with every integer column at 1 that costs something, may be 0 and that no row
    needs set to 0, one at a time, dearest first (the plan staying :meth:`_Rows.exact`).

    HiGHS returned a supplier with a fixed cost of 1e12 contracted and nothing through it, called
    optimal (its bound, at its tolerances, above the real optimum, 1e6 times cheaper).
    """
    r = rows if rows is not None else _Rows(lm)
    c = r.cost
    columns = np.flatnonzero(r.integer & (r.col_lo <= 0.0))  # an open supplier's stays at 1
    out = x.copy()
    while True:
        on = columns[(out[columns] == 1.0) & (c[columns] > 0)]
        if not len(on):
            return out
        fixed, ax = r.terms(out)
        col = r.matrix[:, on].tocsc()
        at, j = col.indices, np.repeat(np.arange(len(on)), np.diff(col.indptr))
        after = ax[at] - col.data
        size = tol * r.size(fixed[at] - col.data, at)
        breaks = (after > r.row_up[at] + size) | (after < r.row_lo[at] - size)
        free = on[np.bincount(j, breaks, minlength=len(on)) == 0]
        if not len(free):
            return out
        candidate = out.copy()
        candidate[free[np.argmax(c[free])]] = 0.0  # one at a time: two may need the same row
        if not r.exact(candidate, tol):  # its size allows what the certificate does not
            return out
        out = candidate


#: seconds the LP of :func:`exact` may take past the deadline (a plan found in time is not lost),
#: at most this share of the time limit
EXACT_GRACE, EXACT_GRACE_SHARE = 30.0, 0.1


def with_grace(options: SolveOptions, deadline: float) -> float:
    """``deadline`` put off by :data:`EXACT_GRACE` seconds (at most :data:`EXACT_GRACE_SHARE` of
    the time limit), from now if it has passed: for an LP that completes a plan already found."""
    limit = options.time_limit
    grace = EXACT_GRACE if limit is None else min(EXACT_GRACE, EXACT_GRACE_SHARE * limit)
    return max(deadline, time.perf_counter() + grace)


def exact(lm: LinearModel, x: np.ndarray, options: SolveOptions, deadline: float) -> np.ndarray | None:
    """The plan of a certified answer ``x`` (:func:`is_feasible`), exact: ``x`` :func:`rounded`
    when that is exact (:meth:`_Rows.exact`) and its continuous columns cost no more than in ``x``
    (to 1e-9 relative); else its design (the rounded integer columns; if that admits no exact
    plan, rounded up) fixed and the flows solved again as an LP, the design's cheapest; then
    :func:`pruned` (what no row needs, not paid for). None when neither is exact (or the LP finds
    none within the grace past ``deadline``: :func:`with_grace`).

    A flow at -7.8e-7 units on a lane costing 2.2e9 a unit is within HiGHS's bounds tolerance;
    clipped to 0 it made the plan 3.8e-5 dearer than the optimum HiGHS reported (gap 0). A
    supplier contracted at 3.1e-10 carried 1.55e-4 units, half a market's demand under a
    country cap of 0.5: rounded down, no flows serve the market; rounded up, they do.
    """
    rows = _Rows(lm)
    whole = rounded(lm, x)
    c, integer = rows.cost, rows.integer
    before, after = c[~integer] @ x[~integer], c[~integer] @ whole[~integer]
    if after - before <= 1e-9 * max(1.0, abs(before)) and rows.exact(whole, TOLERANCE):
        return pruned(lm, whole, rows=rows)
    grace = with_grace(options, deadline)
    for up in (False, True):
        design = {name: block.values(rounded(lm, x, up)) for name, block in lm.variables.items()
                  if block.integer}
        lp = solve_fixed(lm, design, options, grace)
        polished = None if lp is None else rounded(lm, lp.x)
        if polished is not None and rows.exact(polished, TOLERANCE):
            return pruned(lm, polished, rows=rows)
    return None


def costed(lm: LinearModel, result: SolverResult, options: SolveOptions) -> SolverResult:
    """``result`` with its objective the cost of its plan and the gap counted from it: a plan
    dearer than HiGHS said is optimal only within ``options.mip_gap`` (else an error status); a
    bound above the plan's cost (HiGHS's, at its tolerances, over a plan made exact) is that cost."""
    cost = float(lm.objective() @ result.x)
    bound = min(result.bound, cost)
    gap = max(0.0, cost - bound) / max(abs(cost), 1e-10)
    proven = result.status is not Status.OPTIMAL or gap <= options.mip_gap
    status = result.status if proven else Status.ERROR
    message = result.message if proven else f"{result.message}, but the plan's cost is not within the gap"
    return dataclasses.replace(result, objective=cost, bound=bound, gap=gap, status=status, message=message)


def costs_as_said(lm: LinearModel, result: SolverResult) -> bool:
    """Whether ``result``'s objective is the cost of its plan, ``c · x`` (to 1e-9 relative)."""
    if result.x is None or not math.isfinite(result.objective):
        return True
    cost = float(lm.objective() @ result.x)
    return abs(cost - result.objective) <= 1e-9 * max(1.0, abs(cost), abs(result.objective))


#: HiGHS's feasibility tolerances when its answer, made exact, is not within the gap
TIGHT_TOLERANCES = (("mip_feasibility_tolerance", 1e-9), ("primal_feasibility_tolerance", 1e-9))


def _below(result: SolverResult, options: SolveOptions) -> bool:
    """Whether ``result``'s plan costs less than its bound by more than the gap: the proof was off
    (less is the round-off of HiGHS's tolerances)."""
    cost = float(result.objective)
    return cost < result.bound - options.mip_gap * abs(result.bound) - 1e-12 * abs(cost)


def _tight(lm: LinearModel, start: SolverResult | None, options: SolveOptions, deadline: float,
           is_mip: bool) -> SolverResult | None:
    """Plain HiGHS at :data:`TIGHT_TOLERANCES` from ``start``'s plan, made :func:`exact` and
    :func:`costed` (its bound as HiGHS said, before the cost caps it); None without a plan."""
    h = make_highs(lm, until(options, deadline))
    for name, value in TIGHT_TOLERANCES:
        h.setOptionValue(name, value)
    if start is not None:
        set_start(h, lm, Solution(lm, start.x), options, deadline)
    again = run_highs(h, is_mip)
    y = None if again.x is None else exact(lm, again.x, options, deadline)
    if y is None:
        return None
    plan = dataclasses.replace(again, x=y, objective=float(lm.objective() @ y))
    return plan if _below(plan, options) else costed(lm, plan, options)


def made_exact(lm: LinearModel, result: SolverResult, options: SolveOptions, deadline: float,
               is_mip: bool, notes: list[str]) -> SolverResult:
    """``result`` with its plan :func:`exact`, costed (:func:`costed`). A plan HiGHS proved
    optimal at its tolerances that, exact, is no longer within ``options.mip_gap`` (or cannot be
    made exact) is solved again by plain HiGHS at :data:`TIGHT_TOLERANCES` from that plan,
    before ``deadline`` (past it: a time-limit status, the plan kept), and so is one that costs
    less than HiGHS's bound once exact (:func:`pruned`: HiGHS's proof was off); what is still not
    proven is an error status (the plan kept: ``allow_nonoptimal`` returns it), what is not exact
    an uncertified one. ``notes`` says what was done.

    A binary at 2.8e-8 times a capacity of 6e5 cost 1.7e9 less than the plan it allowed, 34%
    on a country-capped model: at feasibility tolerance 1e-9 HiGHS finds the optimum."""
    x = exact(lm, result.x, options, deadline)
    done = None if x is None else dataclasses.replace(result, x=x)
    done = done if done is None or costs_as_said(lm, done) else costed(lm, done, options)
    below = done is not None and _below(dataclasses.replace(done, bound=result.bound), options)
    unproven = result.status is Status.OPTIMAL and (done is None or done.status is Status.ERROR or below)
    what = ("could not be made exact" if done is None else "costs less than HiGHS's bound once made exact"
            if below else "is not within the gap once made exact")
    bound_known = not below  # HiGHS's bound over a plan that costs less proves nothing
    if unproven and done is not None:  # not proven until a re-solve proves it
        done = dataclasses.replace(done, status=Status.ERROR)
    if unproven and time.perf_counter() < deadline:
        notes.append(f"the answer {what} (binaries whole, flows within bounds): solved again by plain "
                     "HiGHS at feasibility tolerance 1e-9")
        log_step(options, notes[-1])
        tight = _tight(lm, done, options, deadline, is_mip)
        if tight is not None and _below(tight, options):  # its proof off again
            tight = dataclasses.replace(tight, status=Status.ERROR)
        if tight is not None and (done is None or tight.objective <= done.objective):
            done = dataclasses.replace(tight, solve_time=result.solve_time + tight.solve_time)
            bound_known = not _below(tight, options)
        elif tight is not None and tight.status is Status.OPTIMAL:  # its bound may prove the cheaper plan
            proved = dataclasses.replace(done, bound=tight.bound, status=Status.OPTIMAL)
            if not _below(proved, options):
                done, bound_known = costed(lm, proved, options), True
        if done is not None and done.status is not Status.OPTIMAL:
            notes.append("still not proven within the gap")
    elif unproven and done is not None:  # no time left to solve again: the plan, not proven
        notes.append(f"the answer {what}: no time left to solve again")
        done = dataclasses.replace(done, status=Status.TIME_LIMIT)
    if done is not None and done.status is not Status.OPTIMAL and unproven:
        message = result.message + UNPROVEN
        unknown = {} if bound_known else {"bound": -math.inf, "gap": math.inf}
        done = dataclasses.replace(done, message=message, **unknown)
    if done is None:
        notes.append("the answer could not be made exact (its binaries whole, its flows within bounds)")
        return dataclasses.replace(result, message=UNCERTIFIED, status=Status.ERROR)
    return done
