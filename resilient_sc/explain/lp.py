"""Small linear programs over a built model, whose bounds hold for every plan."""

from __future__ import annotations

import dataclasses
import math
import time
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, NamedTuple

import highspy
import numpy as np
import pandas as pd

from ..model.table import Table
from ..solvers.base import SolveOptions, SolverResult, Status
from ..solvers.highs import new_highs, pass_matrix, run_highs
from .words import TOL, field_of, policy_fields

if TYPE_CHECKING:
    from ..model.build import NetworkModel

#: the ``time.perf_counter()`` by which an explanation ends (the solve's time limit; inf: none)
DEADLINE: ContextVar[float] = ContextVar("explanation_deadline", default=math.inf)


class OutOfTime(Exception):
    """The explanation's time (:data:`DEADLINE`) ran out before it found its reasons."""


def timed_highs(seconds: float = math.inf) -> highspy.Highs:
    """An empty HiGHS object whose runs stop at ``seconds`` and at :data:`DEADLINE`;
    :class:`OutOfTime` if that has passed."""
    deadline = DEADLINE.get()
    left = deadline - time.perf_counter()
    if left <= 0:
        raise OutOfTime
    limit = min(seconds, left)
    h = new_highs(SolveOptions(time_limit=limit if math.isfinite(limit) else None))
    h.deadline = deadline
    return h


def in_time(result: SolverResult) -> SolverResult:
    """``result``, or :class:`OutOfTime` when its run stopped at :data:`DEADLINE`."""
    if result.status in (Status.TIME_LIMIT, Status.INTERRUPTED) and time.perf_counter() >= DEADLINE.get():
        raise OutOfTime
    return result


# ---- small linear programs over the model ---------------------------------------------------
def with_copies(model: NetworkModel) -> NetworkModel | None:
    """``model`` with every failure copy in it: as it is, or, built without them (``solve``
    builds them on demand), with them added; None when there are too many to hold at once."""
    deferred = getattr(model, "deferred", None)
    if deferred is None:
        return model
    whole = deferred.whole(model.lm)
    return None if whole is None else dataclasses.replace(model, lm=whole, deferred=None)


def family_rows(model: NetworkModel, families: list[str] | tuple[str, ...]) -> np.ndarray:
    """Global row numbers of every row of the given families."""
    blocks = [b for name, b in model.lm.constraints.items() if name in families]
    return np.concatenate([np.arange(b.start, b.start + b.size) for b in blocks] or [np.zeros(0, np.int64)])


#: seconds the MIP of :func:`least_whole` may take (its bound, proven or not, holds)
WHOLE_SECONDS = 10.0


def family_labels(model: NetworkModel, family: str) -> pd.DataFrame:
    """Every row of ``family``: its labels (market, product, ...) and ``_row``, the global row."""
    b = model.lm.constraints[family]
    local = np.arange(b.size)
    labels = b.labels.frame(local) if isinstance(b.labels, Table) else b.index.reset_index(drop=True)
    return labels.assign(_row=b.start + local)


def solve_lp(model: NetworkModel, cost: np.ndarray | None = None, free: np.ndarray | None = None,
        elastic: np.ndarray | None = None,
        groups: np.ndarray | None = None) -> tuple[float, np.ndarray] | None:
    """Minimise over the LP relaxation of ``model``: ``cost``·x with the rows ``free`` dropped
    and each row of ``elastic`` softened by a shortfall (added below a lower bound, taken off
    an upper bound), plus the sum of the shortfalls or, with ``groups`` (a code per elastic
    row), the largest total shortfall of a group. Returns (minimum, solution), or None if
    even that is infeasible. The minimum bounds every plan (integer decisions only add rows)."""
    result = in_time(run_highs(_elastic(model, cost, free, elastic, groups, whole=False), False))
    if result.status is not Status.OPTIMAL or result.x is None:
        return None
    return result.objective, result.x


class Whole(NamedTuple):
    """:func:`least_whole`'s answer: the ``bound`` proven, and the slack of each elastic row in a
    plan at that bound (``slack``; None unless one was proven: which rows the least goes to)."""

    bound: float
    slack: np.ndarray | None


def least_whole(model: NetworkModel, cost: np.ndarray | None = None, free: np.ndarray | None = None,
                elastic: np.ndarray | None = None, seconds: float = WHOLE_SECONDS) -> Whole | None:
    """As :func:`solve_lp` with the model's whole-number decisions (suppliers contracted, hubs
    opened, markets assigned) kept whole: the bound HiGHS proves in ``seconds``, valid for every
    plan and never below the LP's (an LP relaxation counts a hub opened at 0.3 as a third of
    its capacity); None when it proves none or finds the problem infeasible."""
    if not model.lm.bounds()[4].any():
        return None
    result = in_time(run_highs(_elastic(model, cost, free, elastic, None, whole=True, seconds=seconds), True))
    if result.status is Status.INFEASIBLE or not np.isfinite(result.bound):
        return None
    n, k = model.lm.n_cols, 0 if elastic is None else len(elastic)
    proven = result.status is Status.OPTIMAL and result.x is not None
    return Whole(float(result.bound), result.x[n:n + k] if proven else None)


def highest_level(model: NetworkModel, free: np.ndarray, rows: np.ndarray,
                  demand: np.ndarray) -> float | None:
    """The highest β ≤ 1 with each row of ``rows`` (Σ_h y^f[h,m,p] ≥ β·demand[m,p]: survive's,
    ``demand`` at each) met in the LP relaxation of ``model`` with the rows ``free`` dropped: no
    plan serves a uniform service level above it. None when even β = 0 has no LP solution."""
    import scipy.sparse as sp

    a, col_lo, col_up, row_lo, row_up, _ = _without(model, free)
    row_lo[rows] = 0.0  # Σ y - β·demand ≥ 0
    level = sp.csc_matrix((-np.asarray(demand, float), (rows, np.zeros(len(rows), int))),
                          shape=(a.shape[0], 1))
    # maximise w·β, w the largest demand as a power of two: with w = 1 the rows' duals fell below
    # HiGHS's (absolute) dual tolerance for demands of 1e5 and up, and it stopped short of the
    # optimum (0.3167 advised where 0.5018 has a plan: audit)
    w = 2.0 ** math.ceil(math.log2(max(float(np.max(demand, initial=1.0)), 1.0)))
    h = timed_highs(math.inf)
    pass_matrix(h, sp.hstack([a, level], format="csc"), np.r_[np.zeros(a.shape[1]), -w], np.r_[col_lo, 0.0],
                np.r_[col_up, 1.0], row_lo, row_up, np.zeros(a.shape[1] + 1, dtype=bool))
    result = in_time(run_highs(h, False))
    return -result.objective / w if result.status is Status.OPTIMAL else None


def _without(model: NetworkModel, free: np.ndarray | None) -> tuple[Any, ...]:
    """``model``'s matrix (by column), column bounds, row bounds (copies) with the rows ``free``
    dropped (bounds ±inf), and integrality."""
    import scipy.sparse as sp

    col_lo, col_up, row_lo, row_up, integer = model.lm.bounds()
    row_lo, row_up = row_lo.copy(), row_up.copy()
    if free is not None and len(free):
        row_lo[free], row_up[free] = -np.inf, np.inf
    return sp.csc_matrix(model.lm.matrix(by_column=True)), col_lo, col_up, row_lo, row_up, integer


def _elastic(model: NetworkModel, cost: np.ndarray | None, free: np.ndarray | None,
             elastic: np.ndarray | None, groups: np.ndarray | None, whole: bool,
             seconds: float = np.inf) -> highspy.Highs:
    """The HiGHS model of :func:`solve_lp` (with ``whole``, of :func:`least_whole`)."""
    import scipy.sparse as sp

    a, col_lo, col_up, row_lo, row_up, integer = _without(model, free)
    elastic = np.zeros(0, np.int64) if elastic is None else np.asarray(elastic, np.int64)
    m, n = a.shape
    k = len(elastic)
    sign = np.where(np.isfinite(row_lo[elastic]), 1.0, -1.0)
    cols = [a, sp.csc_matrix((sign, (elastic, np.arange(k))), shape=(m, k))]
    lo, up = [col_lo, np.zeros(k)], [col_up, np.full(k, np.inf)]
    costs = [np.zeros(n) if cost is None else np.asarray(cost, float),
             np.ones(k) if groups is None else np.zeros(k)]
    rlo, rup = [row_lo], [row_up]
    if groups is not None:  # t >= the shortfall of each group; minimise t
        codes, names = pd.factorize(pd.Series(np.asarray(groups)))
        g = len(names)
        cols.append(sp.csc_matrix((m, 1)))
        lo.append(np.zeros(1))
        up.append(np.full(1, np.inf))
        costs.append(np.ones(1))
        extra = sp.csc_matrix((np.r_[np.ones(k), -np.ones(g)],
                               (np.r_[codes, np.arange(g)], np.r_[n + np.arange(k), np.full(g, n + k)])),
                              shape=(g, n + k + 1))
        matrix = sp.vstack([sp.hstack(cols, format="csc"), extra], format="csc")
        rlo.append(np.full(g, -np.inf))
        rup.append(np.zeros(g))
    else:
        matrix = sp.hstack(cols, format="csc")
    h = timed_highs(seconds if whole else math.inf)
    kinds = np.zeros(matrix.shape[1], dtype=bool)
    kinds[:n] = integer if whole else False
    pass_matrix(h, matrix, np.concatenate(costs), np.concatenate(lo), np.concatenate(up),
                np.concatenate(rlo), np.concatenate(rup), kinds)
    return h


def unrelated_rows(model: NetworkModel, iis: dict[str, pd.DataFrame]) -> np.ndarray:
    """The rows of the policy fields with no row in the conflict: left out of the LPs, so that
    another conflict elsewhere does not hide this one (leaving rows out keeps every bound valid)."""
    fields = set(policy_fields(iis))
    return family_rows(model, [name for name in model.lm.constraints
                                if field_of(name) is not None and field_of(name) not in fields])


def demand_total(model: NetworkModel) -> float:
    """All demand, every product's units summed (as hub capacity counts them)."""
    return float(np.sum(model.sets.demand_table["demand"]))


def easing(model: NetworkModel, fields: list[str], short: float, free: np.ndarray, elastic: np.ndarray,
           groups: np.ndarray | None = None) -> list[str]:
    """The ``fields`` whose rows, dropped beside ``free``, leave less than ``short`` undelivered:
    a field is named, and its relaxing advised, only if relaxing it helps (HiGHS's conflict may
    hold fields that play no part: max_hubs beside a survive that fails with any hub count)."""
    out = []
    for field in fields:
        rows = family_rows(model, [f for f in model.lm.constraints if field_of(f) == field])
        without = solve_lp(model, free=np.concatenate([rows, free]), elastic=elastic, groups=groups)
        if without is None or without[0] < short * (1 - TOL) - TOL:
            out.append(field)
    return out
