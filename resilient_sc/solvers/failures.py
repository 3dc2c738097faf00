"""Failure generation for N-1 survival: solve with the failures that bind, not all of them.

Under ``survive``, every single failure ``f`` adds a copy of the flow network (blocks
``survive_*[f, ...]``) that only the design (``z``, ``o``) links to the rest, at no cost. The
model without some failures is a relaxation; if its optimal design also survives every failure
left out, it is optimal for the whole model. So:

1. solve the master with the failures of ``F`` (at first none);
2. with the master's design fixed, solve every failure's recourse LP at once, each demand row
   allowed a shortfall ``u ≥ 0`` at cost 1 per unit: the failures whose least shortfall is
   positive are violated (the copies share no column, so each failure's least shortfall is its
   own);
3. none violated: the master's plan with the recourse flows of step 2 is the full model's
   plan (certified on every row by the caller); else add them to ``F`` and repeat.

The master's bound bounds the whole model, so a time limit still returns a proven bound. On the
issue-14 ladder a few countries or suppliers of the dozens bind (benchmarks/bench_ladder.py).
"""

from __future__ import annotations

import dataclasses
import math
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import highspy
import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..model.linear import LinearModel
from .base import SolveOptions, Status
from .certify import TOLERANCE, row_scale
from .highs import Solution, new_highs, pass_matrix, run_highs, until

if TYPE_CHECKING:
    from ..model.redundancy import DeferredFailures

PREFIX, DEMAND = "survive_", "survive_demand"
#: a failure is violated when its least shortfall exceeds this (units, relative to its demand)
SHORTFALL_TOL = 1e-7


@dataclass(frozen=True, eq=False)
class Failures:
    """The failure of each column and row of a model (-1: not a recourse column or row), and
    the model's constraint matrix (by column), assembled once for every round's check."""

    names: np.ndarray
    column: np.ndarray
    row: np.ndarray
    matrix: sp.csc_matrix
    #: per column and row, the id of its key without the failure (the same lane or row in every
    #: failure's copy has one id; -1 outside the recourse or when a key has no id)
    shared_column: np.ndarray
    shared_row: np.ndarray


def recognise(lm: LinearModel) -> Failures | None:
    """The failures of ``lm``'s ``survive_*`` blocks; None without them, or when a recourse
    column costs something or appears in a row of another block (then no relaxation drops it)."""
    variables = [b for n, b in lm.variables.items() if n.startswith(PREFIX)]
    constraints = [b for n, b in lm.constraints.items() if n.startswith(PREFIX)]
    if not variables or DEMAND not in lm.constraints or any(
            "failure" not in b.index.columns for b in (*variables, *constraints)):
        return None
    labels = pd.concat([b.index["failure"] for b in (*variables, *constraints)], ignore_index=True)
    codes, names = pd.factorize(labels)
    column, row = np.full(lm.n_cols, -1), np.full(lm.n_rows, -1)
    at = 0
    for block, out in [(b, column) for b in variables] + [(b, row) for b in constraints]:
        out[block.start:block.start + block.size] = codes[at:at + block.size]
        at += block.size
    if lm.objective()[column >= 0].any():
        return None
    a = lm.matrix(by_column=True)
    # a recourse column in a row of no failure (checked on the arrays: a copy of the recourse
    # columns was most of the peak memory on ladder L survive supplier)
    if (np.repeat(column >= 0, np.diff(a.indptr)) & (row < 0)[a.indices]).any():
        return None
    return Failures(np.asarray(names, dtype=object), column, row, a,
                    _shared_keys(variables, lm.n_cols), _shared_keys(constraints, lm.n_rows))


def _shared_keys(blocks: list, n: int) -> np.ndarray:
    """Per position of ``blocks`` (of a model with ``n`` of them), the id of its key without
    the failure column; -1 elsewhere."""
    out, at = np.full(n, -1), 0
    for b in blocks:
        keys = b.index.drop(columns="failure")
        codes = (pd.MultiIndex.from_frame(keys).factorize()[0] if keys.shape[1] and len(keys)
                 else np.zeros(b.size, int))  # (an empty MultiIndex's factorize raises before pandas 3)
        out[b.start:b.start + b.size] = np.where(codes >= 0, at + codes, -1)
        at += int(codes.max(initial=-1)) + 1
    return out


def restricted(lm: LinearModel, fails: Failures, active: np.ndarray) -> tuple[LinearModel, np.ndarray]:
    """``lm`` with the recourse of the failures not ``active`` (bool per failure) left out, and
    the full column of each of its columns."""
    keep_col = (fails.column < 0) | active[np.maximum(fails.column, 0)]
    keep_row = (fails.row < 0) | active[np.maximum(fails.row, 0)]
    return lm.subset(keep_col, keep_row), np.flatnonzero(keep_col)


def violated(lm: LinearModel, fails: Failures, x: np.ndarray, options: SolveOptions, deadline: float
             ) -> tuple[np.ndarray, np.ndarray | None]:
    """Per failure, its least total shortfall relative to its demand with the columns outside
    the recourse fixed at ``x`` (full columns), and the recourse flows (None if an LP failed or
    ``deadline``, in ``time.perf_counter()`` seconds, passed).

    One small LP per failure (the copies share no column): on ladder M, 120 supplier failures
    take seconds where the one block-diagonal LP took a minute. When the copies are one network
    less each failure's elements (:class:`_SharedLP`), the LPs are one LP whose bounds change
    from failure to failure, each solve starting from the last one's basis."""
    a = fails.matrix
    col_lo, col_up, row_lo, row_up, _ = lm.bounds()
    outside = fails.column < 0
    rhs = a[:, outside] @ x[outside]
    row_lo, row_up = row_lo - rhs, row_up - rhs
    demand = lm.constraints[DEMAND]
    is_demand = np.zeros(lm.n_rows, bool)
    is_demand[demand.start:demand.start + demand.size] = True
    cols_of, rows_of = _members(fails.column, len(fails.names)), _members(fails.row, len(fails.names))
    short = np.zeros(len(fails.names))
    recourse = _base_flows(lm, x)
    activity = a @ recourse
    tol = 1e-9 * np.maximum(1.0, np.abs(np.where(np.isfinite(row_lo), row_lo, 0.0)))
    holds = (activity >= row_lo - tol) & (activity <= row_up + tol)
    # the plan's own flows, less the failed elements', survive the failures not to do
    todo = [f for f in range(len(fails.names)) if not holds[rows_of[f]].all()]
    shared = _SharedLP.of(fails, todo, cols_of, rows_of, (col_lo, col_up, row_lo, row_up), is_demand,
                          options)
    for k, f in enumerate(todo):
        cols, rows = cols_of[f], rows_of[f]
        d = np.flatnonzero(is_demand[rows])
        need = np.maximum(row_lo[rows[d]] + rhs[rows[d]], 0).sum()
        if time.perf_counter() >= deadline:
            return np.full(len(fails.names), math.inf), None
        flows, lacking = (None, math.inf) if shared is None else shared.solve(k, until(options, deadline))
        if flows is None:  # no shared LP, or its solve failed: the failure's own LP, cold
            sub = a[:, cols].tocsr()[rows].tocsc()
            slack = sp.csc_matrix((np.ones(len(d)), (d, np.arange(len(d)))), shape=(len(rows), len(d)))
            h = new_highs(dataclasses.replace(until(options, deadline), log=False))
            pass_matrix(h, sp.hstack([sub, slack], format="csc"),
                        np.concatenate([np.zeros(len(cols)), np.ones(len(d))]),
                        np.concatenate([col_lo[cols], np.zeros(len(d))]),
                        np.concatenate([col_up[cols], np.full(len(d), math.inf)]),
                        row_lo[rows], row_up[rows], np.zeros(len(cols) + len(d)))
            result = run_highs(h, False)
            if result.status is not Status.OPTIMAL or result.x is None:
                return np.full(len(fails.names), math.inf), None
            flows, lacking = result.x[:len(cols)], float(result.x[len(cols):].sum())
        short[f], recourse[cols] = lacking / max(need, 1.0), flows
    return short, recourse[fails.column >= 0]


class _SharedLP:
    """The failures' recourse LPs as one: the union of their copies, keyed by lane and row
    without the failure (:attr:`Failures.shared_column`), each demand row with a shortfall
    column at cost 1. Failure ``f``'s LP is the union with the columns outside its copy fixed
    at 0 and the rows outside it free; :meth:`of` checks that every copy is exactly that
    (same coefficients, bounds and right-hand sides wherever a key recurs)."""

    def __init__(self, h: highspy.Highs, cols: list[np.ndarray], rows: list[np.ndarray],
                 bounds: tuple[np.ndarray, ...], slack: list[np.ndarray]) -> None:
        self.h, self.cols, self.rows, self.bounds, self.slack = h, cols, rows, bounds, slack

    @classmethod
    def of(cls, fails: Failures, todo: list[int], cols_of: list[np.ndarray], rows_of: list[np.ndarray],
           bounds: tuple[np.ndarray, ...], is_demand: np.ndarray, options: SolveOptions
           ) -> _SharedLP | None:
        """The shared LP of the failures ``todo`` (their positions ``cols_of``, ``rows_of``;
        ``bounds``: column and row bounds, the rows' less the design's terms); None when fewer
        than two or a copy is not the union less its failure's elements."""
        if len(todo) < 2:
            return None
        col_lo, col_up, row_lo, row_up = bounds
        pc = np.concatenate([cols_of[f] for f in todo])
        pr = np.concatenate([rows_of[f] for f in todo])
        uc, ur = fails.shared_column[pc], fails.shared_row[pr]
        if (uc < 0).any() or (ur < 0).any():
            return None
        nc, nr = int(uc.max()) + 1, int(ur.max()) + 1
        u_bounds = []
        for at, pos, n, values in ((uc, pc, nc, col_lo), (uc, pc, nc, col_up),
                                   (ur, pr, nr, row_lo), (ur, pr, nr, row_up)):
            u = np.zeros(n)
            u[at] = values[pos]
            if not np.array_equal(u[at], values[pos]):  # a key with two bounds
                return None
            u_bounds.append(u)
        union = _union(fails, [cols_of[f] for f in todo], nc)
        if union is None:
            return None
        keys, values, nnz = union
        u_rows, u_cols = keys // nc, keys % nc
        cols, rows = [], []
        for f in todo:
            fc, fr = fails.shared_column[cols_of[f]], fails.shared_row[rows_of[f]]
            in_c, in_r = np.zeros(nc, bool), np.zeros(nr, bool)
            in_c[fc], in_r[fr] = True, True
            if (len(np.unique(fc)) < len(fc) or len(np.unique(fr)) < len(fr)
                    or int((in_r[u_rows] & in_c[u_cols]).sum()) != nnz[f]):
                return None  # the copy misses a coefficient the union has
            cols.append(fc)
            rows.append(fr)
        union = sp.csr_matrix((values, (u_rows, u_cols)), shape=(nr, nc))
        # the columns the design closes (a contracted-nothing supplier's, a closed hub's) are
        # left out of the LP: the warm-started solves skip presolve (ladder L: 79k columns)
        live = ~forced_zero(union, *u_bounds)
        at = np.cumsum(live) - 1
        n_live = int(live.sum())
        demand = np.zeros(nr, bool)
        demand[ur[is_demand[pr]]] = True
        d = np.flatnonzero(demand)
        slack_of = np.full(nr, -1)
        slack_of[d] = n_live + np.arange(len(d))
        h = _shortfall_lp(union[:, live], d, np.full(nr, -math.inf), np.full(nr, math.inf), options)
        slack = [slack_of[fr[is_demand[rows_of[f]]]] for f, fr in zip(todo, rows, strict=True)]
        col_lo, col_up = (b[live] for b in u_bounds[:2])
        return cls(h, [np.where(live[fc], at[fc], -1) for fc in cols], rows,
                   (col_lo, col_up, *u_bounds[2:]), slack)

    def solve(self, k: int, options: SolveOptions) -> tuple[np.ndarray | None, float]:
        """The ``k``-th failure's recourse flows (its copy's columns in order; None if the LP
        failed) and least total shortfall (units)."""
        col_lo, col_up, row_lo, row_up = self.bounds
        fc, fr, h = self.cols[k], self.rows[k], self.h
        on = fc[fc >= 0]  # the copy's columns in the LP (the others are 0)
        lo, up = np.zeros(len(col_lo)), np.zeros(len(col_lo))
        lo[on], up[on] = col_lo[on], col_up[on]
        rlo, rup = np.full(len(row_lo), -math.inf), np.full(len(row_lo), math.inf)
        rlo[fr], rup[fr] = row_lo[fr], row_up[fr]
        h.changeColsBounds(len(lo), np.arange(len(lo), dtype=np.int32), lo, up)
        h.changeRowsBounds(len(rlo), np.arange(len(rlo), dtype=np.int32), rlo, rup)
        if options.time_limit is not None:  # HiGHS's limit counts the run time of every solve
            h.setOptionValue("time_limit", h.getRunTime() + float(options.time_limit))
        result = run_highs(h, False)
        if result.status is not Status.OPTIMAL or result.x is None:
            return None, math.inf
        return (np.where(fc >= 0, result.x[np.maximum(fc, 0)], 0.0),
                float(result.x[self.slack[k]].sum()))


def _shortfall_lp(a: sp.spmatrix, demand: np.ndarray, row_lo: np.ndarray, row_up: np.ndarray,
                  options: SolveOptions) -> highspy.Highs:
    """HiGHS holding ``min Σ u, row_lo ≤ a·x + S·u ≤ row_up, x ≥ 0 (upper bounds 0 until set),
    u ≥ 0``, one shortfall column ``u`` per row of ``demand`` (after the columns of ``a``), for
    solves that change bounds and start from the last basis."""
    nr, nc, nd = a.shape[0], a.shape[1], len(demand)
    shortfall = sp.csc_matrix((np.ones(nd), (demand, np.arange(nd))), shape=(nr, nd))
    h = new_highs(dataclasses.replace(options, log=False))
    # primal simplex: a failure's bounds leave the last basis primal infeasible in a few
    # columns only; ladder L's 24 country failures 36 s → 12 s (dual simplex, the default)
    h.setOptionValue("simplex_strategy", 4)
    pass_matrix(h, sp.hstack([a, shortfall], format="csc"), np.concatenate([np.zeros(nc), np.ones(nd)]),
                np.zeros(nc + nd), np.concatenate([np.zeros(nc), np.full(nd, math.inf)]),
                row_lo, row_up, np.zeros(nc + nd))
    return h


def _union(fails: Failures, copies: list[np.ndarray], nc: int, chunk: int = 4_000_000
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """The coefficients of the union of the failures' copies (their columns ``copies``): the
    keys ``shared_row · nc + shared_column`` (sorted), their values, and the number of
    coefficients of each failure; None when a copy's column is in another failure's row or a
    key's coefficient differs between copies. Read about ``chunk`` coefficients at a time (all
    at once: about 60 bytes per coefficient of every copy, 2.4 GB on ladder L survive supplier)."""
    a, per_col = fails.matrix, np.diff(fails.matrix.indptr)
    keys, values = np.empty(0, np.int64), np.empty(0)
    nnz = np.zeros(len(fails.names), np.int64)
    size = np.array([per_col[c].sum() for c in copies])
    ends = np.flatnonzero(np.diff(np.cumsum(size) // chunk, append=-1)) + 1
    for lo, hi in zip(np.concatenate([[0], ends[:-1]]), ends, strict=True):
        pc = np.concatenate(copies[lo:hi])
        block = a[:, pc].tocoo()
        if (fails.row[block.row] != fails.column[pc[block.col]]).any():
            return None  # a column in another failure's row
        nnz += np.bincount(fails.row[block.row], minlength=len(nnz))
        entry = fails.shared_row[block.row].astype(np.int64) * nc + fails.shared_column[pc][block.col]
        new, first = np.unique(entry, return_index=True)
        v = block.data
        if not np.array_equal(v, v[first[np.searchsorted(new, entry)]]):
            return None  # a coefficient that differs between copies
        seen = np.zeros(len(new), bool)
        if len(keys):  # the keys of earlier chunks: the same coefficient again
            at = np.minimum(np.searchsorted(keys, new), len(keys) - 1)
            seen = keys[at] == new
            if not np.array_equal(values[at[seen]], v[first[seen]]):
                return None
        keys, values = np.concatenate([keys, new[~seen]]), np.concatenate([values, v[first[~seen]]])
        order = np.argsort(keys, kind="stable")
        keys, values = keys[order], values[order]
    return keys, values, nnz


def forced_zero(a: sp.csr_matrix, col_lo: np.ndarray, col_up: np.ndarray, row_lo: np.ndarray,
                row_up: np.ndarray, tol: float = 1e-9) -> np.ndarray:
    """The columns (of ``a``, with their bounds and the rows') that every solution keeps at 0:
    an upper bound ≤ 0 over a lower bound 0, or a column of a forcing row, one whose columns
    not yet known to be 0 are non-negative and all of one sign with that side's bound 0
    (``Σ a·x ≤ 0``, a > 0: a supplier not contracted, a hub not opened), repeated while the set
    grows (a closed hub's inflow is 0, so its outflow is). ``tol`` (units): a bound within it of
    0 counts as 0."""
    zero = (col_lo == 0) & (col_up <= tol)
    positive, negative = a.multiply(a > 0).tocsr(), (-a).multiply(a < 0).tocsr()
    signed = abs(a) @ (col_lo < 0).astype(float) > 0  # rows with a column that may be negative
    while True:
        open_ = (~zero).astype(float)
        pos, neg = positive @ open_, negative @ open_
        forcing = ~signed & (((neg == 0) & (pos > 0) & (row_up <= tol))
                             | ((pos == 0) & (neg > 0) & (row_lo >= -tol)))
        new = (np.asarray(abs(a[forcing]).sum(axis=0)).ravel() > 0) & ~zero
        if not new.any():
            return zero
        zero |= new


def _base_flows(lm: LinearModel, x: np.ndarray) -> np.ndarray:
    """The plan ``x``'s flows copied into every failure's recourse columns of the same
    (supplier, hub, product) or (hub, market, product) lane (outbound summed over origins):
    a candidate recourse that holds for every failure whose elements the plan does not use."""
    out = np.zeros(lm.n_cols)
    for base, copy, keys in (("inbound_flow", "survive_inbound", ["supplier", "hub", "product"]),
                             ("outbound_flow", "survive_outbound", ["hub", "market", "product"])):
        b, c = lm.variables.get(base), lm.variables.get(copy)
        if b is None or c is None or not set(keys) <= set(b.index.columns) & set(c.index.columns):
            continue
        both = pd.concat([b.index[keys], c.index[keys]], ignore_index=True)  # one numbering of the lanes
        code = both.groupby(keys, sort=False, dropna=False).ngroup().to_numpy(np.int64)
        flow = np.bincount(code[:b.size], b.values(x), minlength=int(code.max()) + 1)  # 0: not a base lane
        out[c.start:c.start + c.size] = flow[code[b.size:]]
    return out


def _members(code: np.ndarray, n: int) -> list[np.ndarray]:
    """Per failure 0..n-1, the positions whose ``code`` it is, in order."""
    order = np.argsort(code, kind="stable")
    bounds = np.searchsorted(code[order], np.arange(n + 1))
    return [order[bounds[k]:bounds[k + 1]] for k in range(n)]


class InModel:
    """Failure generation over a model that holds every failure's copy: a master is the model
    with the copies of the failures not active left out (:func:`restricted`)."""

    def __init__(self, lm: LinearModel, fails: Failures) -> None:
        self.lm, self.fails, self.names = lm, fails, fails.names
        self.sub, self.columns = lm, np.arange(lm.n_cols)

    def master(self, active: np.ndarray) -> LinearModel:
        """The model with the copies of the failures ``active`` only (bool per failure)."""
        self.sub, self.columns = restricted(self.lm, self.fails, active)
        return self.sub

    def start(self, x: np.ndarray) -> Solution:
        """A plan ``x`` of the model as a whole MIP start of the last master."""
        return Solution(self.sub, x[self.columns])

    def full(self, x_master: np.ndarray) -> np.ndarray:
        x = np.zeros(self.lm.n_cols)
        x[self.columns] = x_master
        return x

    def check(self, x: np.ndarray, options: SolveOptions, deadline: float
              ) -> tuple[np.ndarray, np.ndarray | None]:
        """Per failure, its least relative shortfall, and the plan ``x`` completed by the recourse
        flows (None when an LP failed or time ran out)."""
        short, recourse = violated(self.lm, self.fails, x, options, deadline)
        if recourse is None:
            return short, None
        out = x.copy()
        out[self.fails.column >= 0] = recourse
        return short, out


class OnDemand:
    """Failure generation over a model built without its survive copies
    (:class:`~resilient_sc.model.redundancy.DeferredFailures`, as ``solve`` builds them, whose
    copies may be too many to hold: 167M columns on ladder XL): a master is the model with the
    copies of the active failures built; a plan is checked on every failure against one
    *template*, the copy of the network with nothing failed, each failure's LP being the
    template with the lanes it removes closed (the copy :func:`add_recourse
    <resilient_sc.model.redundancy.add_recourse>` builds: the surviving lanes, the same rows).
    Each failure found survived is certified on every row of its copy, as the model's own rows
    are by the caller; one whose recourse fails the certificate counts as violated and joins
    the master, where HiGHS solves its copy whole."""

    def __init__(self, lm: LinearModel, deferred: DeferredFailures) -> None:
        self.lm, self.deferred, self.names = lm, deferred, deferred.names
        self.template = deferred.copies(lm, ["intact"])
        fails = recognise(self.template)
        assert fails is not None and len(fails.names) == 1
        self.copy_cols = np.flatnonzero(fails.column == 0)
        self.copy_rows = np.flatnonzero(fails.row == 0)
        xin, yout = self.template.variables["survive_inbound"], self.template.variables["survive_outbound"]
        first = self.copy_cols[0]
        assert np.array_equal(self.copy_cols, np.arange(first, yout.start + yout.size)) and xin.start == first
        lost_in, lost_out = deferred.lost_lanes()
        code = pd.Index(self.names)
        at = np.concatenate([lost_in["_arc"].to_numpy(np.int64) + xin.start - first,
                             lost_out["_arc"].to_numpy(np.int64) + yout.start - first])
        of = np.concatenate([code.get_indexer(lost_in["failure"]), code.get_indexer(lost_out["failure"])])
        self.lost = [at[m] for m in _members(of, len(self.names))]
        self.active = np.zeros(len(self.names), bool)
        # what every check reads and no plan changes: the matrix, the copy's part of it and its
        # bounds, its demand rows, and the small re-routing LPs' view of it
        self.matrix = fails.matrix
        self.sub = self.matrix[:, self.copy_cols].tocsr()[self.copy_rows].tocsc()
        self.scale = row_scale(self.sub)
        col_lo, col_up, self.row_lo, self.row_up, _ = self.template.bounds()
        self.col_lo, self.col_up = col_lo[self.copy_cols], col_up[self.copy_cols]
        demand = self.template.constraints["survive_demand"]
        rows = self.copy_rows
        self.demand_rows = np.flatnonzero((rows >= demand.start) & (rows < demand.start + demand.size))
        self.reroute = _Reroute(self.template, rows, self.sub, self.scale)

    def master(self, active: np.ndarray) -> LinearModel:
        """The model with the copies of the failures ``active`` (bool per failure) built."""
        self.active = active.copy()
        return self.deferred.copies(self.lm, self.names[active]) if active.any() else self.lm

    def start(self, x: np.ndarray) -> Solution:
        """A plan ``x`` of the model as a MIP start (its design) of the next master."""
        return Solution(self.lm, x)

    def full(self, x_master: np.ndarray) -> np.ndarray:
        return x_master[:self.lm.n_cols]  # the copies come after the model's columns

    def check(self, x: np.ndarray, options: SolveOptions, deadline: float
              ) -> tuple[np.ndarray, np.ndarray | None]:
        """Per failure, its least relative shortfall with the design and flows of ``x`` (a plan
        of the model) fixed, ``inf`` for one whose recourse fails its certificate; and ``x``
        (None when an LP failed or time ran out). The failures of the last master are not
        checked (its plan holds their copies, certified with it); of the others, the plan's own
        flows less the lanes a failure removes are tried first, then those with the inbound
        lanes of the balances they leave short re-solved (:class:`_Reroute`), then one LP each,
        from the last one's basis."""
        t, cols, rows, sub, scale, d = (self.template, self.copy_cols, self.copy_rows, self.sub,
                                        self.scale, self.demand_rows)
        xt = np.zeros(t.n_cols)
        xt[:len(x)] = x  # the copy's columns (after the model's) at 0: the design's terms only
        rhs = (self.matrix @ xt)[rows]
        lo, up = self.row_lo[rows] - rhs, self.row_up[rows] - rhs
        need = max(float(np.maximum(lo[d], 0).sum()), 1.0)

        def holds(flows: np.ndarray, lost: np.ndarray) -> bool:
            act = sub @ flows
            rows_hold = (np.maximum(act - up, lo - act) / scale).max(initial=0.0) <= TOLERANCE
            return bool(rows_hold and flows.min(initial=0.0) >= -TOLERANCE
                        and np.abs(flows[lost]).max(initial=0.0) <= TOLERANCE)

        own = _base_flows(t, xt)[cols]
        short = np.zeros(len(self.names))
        todo = []
        for f, lost in enumerate(self.lost):
            if time.perf_counter() >= deadline:
                return np.full(len(self.names), math.inf), None
            if self.active[f]:
                continue
            flows = own.copy()
            flows[lost] = 0.0
            if holds(flows, lost):
                continue
            flows = self.reroute(flows, lost, lo, up, options)
            if flows is None or not holds(flows, lost):
                todo.append(f)
        if not todo:
            return short, x
        live = ~forced_zero(sub, self.col_lo, self.col_up, lo, up)
        where = np.full(len(cols), -1)
        where[live] = np.arange(int(live.sum()))
        h = _shortfall_lp(sub[:, live], d, lo, up, options)
        n_live, upper = int(live.sum()), self.col_up[live]
        h.changeColsBounds(n_live, np.arange(n_live, dtype=np.int32), np.zeros(n_live), upper)
        closed = np.empty(0, np.int64)
        for f in todo:
            if time.perf_counter() >= deadline:
                return np.full(len(self.names), math.inf), None
            h.changeColsBounds(len(closed), closed.astype(np.int32), np.zeros(len(closed)), upper[closed])
            closed = where[self.lost[f]]
            closed = closed[closed >= 0]
            h.changeColsBounds(len(closed), closed.astype(np.int32), np.zeros(len(closed)),
                               np.zeros(len(closed)))
            if options.time_limit is not None:  # HiGHS's limit counts the run time of every solve
                h.setOptionValue("time_limit", h.getRunTime() + max(deadline - time.perf_counter(), 1e-3))
            result = run_highs(h, False)
            if result.status is not Status.OPTIMAL or result.x is None:
                return np.full(len(self.names), math.inf), None
            lacking = float(result.x[n_live:].sum())
            flows = np.zeros(len(cols))
            flows[live] = result.x[:n_live]
            certified = lacking > SHORTFALL_TOL * need or holds(flows, self.lost[f])
            short[f] = lacking / need if certified else math.inf
        return short, x


class _Reroute:
    """A failure's recourse from the plan's own flows less the lanes it removes, when only
    (hub, product) balances are left short (a supplier lost): the inbound lanes into those
    balances re-solved by a small LP with every other flow fixed (a few hundred columns, where
    the failure's LP has the whole copy)."""

    def __init__(self, t: LinearModel, rows: np.ndarray, sub: sp.csc_matrix, scale: np.ndarray) -> None:
        self.sub, self.rows_of, self.scale = sub, sub.tocsr(), scale
        self.inbound = np.zeros(sub.shape[1], bool)
        self.inbound[:t.variables["survive_inbound"].size] = True  # the copy's first block
        balance = t.constraints["survive_balance"]
        self.balance = (rows >= balance.start) & (rows < balance.start + balance.size)

    def __call__(self, flows: np.ndarray, lost: np.ndarray, lo: np.ndarray, up: np.ndarray,
                 options: SolveOptions) -> np.ndarray | None:
        """``flows`` (the plan's less the ``lost`` lanes) re-routed within the copy's rows
        ``lo ≤ A·flows ≤ up``, or None when more than balances are short or no plan exists."""
        act = self.sub @ flows
        short = np.maximum(act - up, lo - act) / self.scale > TOLERANCE
        if not short.any() or not self.balance[short].all():
            return None
        free = self.inbound & (abs(self.rows_of[short]).sum(axis=0).A1 > 0)
        free[lost] = False
        fixed = flows.copy()
        fixed[free] = 0.0
        rest = self.sub @ fixed
        a = self.sub[:, free]
        touched = abs(a).sum(axis=1).A1 > 0
        h = new_highs(dataclasses.replace(options, log=False, time_limit=None))
        n = int(free.sum())
        pass_matrix(h, a[touched], np.zeros(n), np.zeros(n), np.full(n, math.inf),
                    lo[touched] - rest[touched], up[touched] - rest[touched], np.zeros(n))
        result = run_highs(h, False)
        if result.status is not Status.OPTIMAL or result.x is None:
            return None
        fixed[free] = result.x
        return fixed


def generation_note(rounds: list[int], n: int) -> str:
    """What the generation did, for the report's note."""
    return (f"failure generation: {rounds[-1]} of {n} failures in the model after {len(rounds)} "
            f"round{'s' * (len(rounds) > 1)} ({' → '.join(map(str, rounds))})")
