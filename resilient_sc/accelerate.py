"""Exact accelerations of the solve: same optimum as HiGHS on the model as built, faster.

:func:`solve_accelerated` picks a route by the model's structure:

* **plain multi-source facility location** (one supplier, one product, no policy) with at
  least ``MIN_KERNEL_SIZE`` hub-market pairs (smaller ones: HiGHS on the compact model, hubs
  and assignment fractions only, which it proves at the root node): a Lagrangian bound
  (demand rows relaxed, subgradient ascent) with transportation-LP heuristics gives a
  near-optimal plan and fixes the hubs whose forced alternative costs more; an LP branch and
  bound over the remaining hubs finishes, pricing flow columns in and separating the
  ``hub_link`` rows lazily (they are implied for integer designs, so any subset keeps the
  optimum), with Lagrangian probing for fixing and branching and reduced-cost fixing at
  every node;
* **single-sourced facility location** with at least ``SS_KERNEL_SIZE`` pairs (smaller
  ones: HiGHS on the compact model, binary assignments): the Lagrangian bound with exact 0-1
  knapsacks, assignment heuristics and local search, then HiGHS on the compact model
  restricted to the hubs and pairs the bound allows below a target, raising the target until
  a plan is proven optimal;
* **other single-sourced models**: HiGHS on the model with the determined flows substituted
  out; **everything else**: HiGHS on the model as built.

Every plan is checked against every row of the model before it is returned; a plan that
fails is dropped and HiGHS solves the model as built. Measurements: ``benchmarks/results/orlib_*.md``.
"""

from __future__ import annotations

import dataclasses
import heapq
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import highspy
import numpy as np
import pandas as pd
import scipy.sparse as sp

from .solve import SolveOptions, SolverResult, Status, new_highs, pass_matrix, run_highs, stdout_to_stderr

if TYPE_CHECKING:
    from .model.build import NetworkModel
    from .model.linear import LinearModel

#: constraint families implied by the rest of the model for integer designs: any subset keeps
#: the optimum exact, so they are separated on demand against the LP relaxation
LAZY_FAMILIES = ("hub_link",)
#: blocks of design decisions that the heuristic rounds and the local search flips
DESIGN_BLOCKS = ("hub_opened", "supplier_contracted")
#: the multi-source kernel pays from about this many (hub, market) pairs on; below, HiGHS
MIN_KERNEL_SIZE = 20_000
#: transportation LPs start with each market's this many cheapest open hubs
NEAREST = 4
#: Farkas pricing adds at least this many of the columns that touch the dual ray at a time
FARKAS_BATCH = 200
#: single sourcing: targets above the Lagrangian bound tried in turn (relative), then the best plan
TARGETS = (0.0025, 0.005, 0.01, 0.02, math.inf)
#: multi-source branch and bound: local search from the node's LP at the root and every this
#: many levels (0: root only)
HEUR_EVERY = 4
#: single sourcing: iterations of the subgradient ascent between two Lagrangian heuristic plans
VISIT_EVERY = 10
#: single sourcing: HiGHS options of the rounds; the Lagrangian heuristics and the polish have
#: found the plans, HiGHS proves (its own heuristics cost a fifth of the round on p57)
ROUND_OPTIONS: dict[str, object] = {"mip_heuristic_effort": 0.0, "mip_heuristic_run_rins": False,
                                    "mip_heuristic_run_rens": False}
#: single sourcing: the ascent stops once the bound is this close to the best plan (relative)
CLOSE_ENOUGH = 0.001
#: local search: closed hubs tried in place of a hub that closes
SWAP_IN = 3
#: branch and bound nodes allowed to the HiGHS run that re-assigns the best plan's markets
POLISH_NODES = 200
#: single sourcing: the Lagrangian route pays from about this many (hub, market) pairs on
#: (Holmberg p1-p55, up to 2,000 pairs, are faster by HiGHS on the compact model alone)
SS_KERNEL_SIZE = 2_500
_FEAS = 1e-6  # primal feasibility / integrality tolerance (as HiGHS)
_DUAL = 1e-7  # reduced cost below which a column prices out


@dataclass
class AccelerationReport:
    """What the accelerated solve did (for benchmarks and logs)."""

    method: str = ""
    columns: int = 0
    active_columns: int = 0
    lazy_added: int = 0
    lp_solves: int = 0
    lp_bound: float = math.nan
    start_objective: float = math.nan
    fixed: int = 0
    nodes: int = 0
    times: dict[str, float] = field(default_factory=dict)


def _row_scale(a: sp.spmatrix) -> np.ndarray:
    """Largest |coefficient| of each row, at least 1: violations are measured relative to it."""
    return np.maximum(1.0, abs(a).max(axis=1).toarray().ravel()) if a.shape[0] else np.ones(0)


@dataclass(eq=False)
class _Full:
    """The whole model as arrays: the master LP draws its columns and rows from here."""

    csr: sp.csr_matrix
    csc: sp.csc_matrix
    cost: np.ndarray
    col_lo: np.ndarray
    col_up: np.ndarray
    row_lo: np.ndarray
    row_up: np.ndarray
    integer: np.ndarray  # bool per column
    lazy: np.ndarray  # bool per row
    priceable: np.ndarray  # bool per column: continuous with lower bound 0, may start inactive
    design: np.ndarray  # global columns of the integer design blocks
    row_scale: np.ndarray  # largest |coefficient| per row (for scaled violations)
    dead: np.ndarray  # bool per column: fixed at 0, left out of the master

    @classmethod
    def of(cls, lm: LinearModel, lazy_families: tuple[str, ...], col_lo: np.ndarray | None = None,
           col_up: np.ndarray | None = None,
           cuts: tuple[sp.csr_matrix, np.ndarray, np.ndarray] | None = None) -> _Full:
        """``col_lo``/``col_up`` override the model's bounds (columns fixed at 0 never enter);
        ``cuts`` are valid extra rows (matrix, lower, upper) kept from the start."""
        a = lm.matrix().tocsr()
        lo0, up0, row_lo, row_up, integer = lm.bounds()
        if cuts is not None:
            a = sp.vstack([a, cuts[0]]).tocsr()
            row_lo, row_up = np.concatenate([row_lo, cuts[1]]), np.concatenate([row_up, cuts[2]])
        col_lo = lo0 if col_lo is None else col_lo
        col_up = up0 if col_up is None else col_up
        lazy = np.zeros(a.shape[0], bool)
        for name in lazy_families:
            b = lm.constraints.get(name)
            if b is not None:
                lazy[b.start:b.start + b.size] = True
        design = np.concatenate([lm.variables[n].columns for n in DESIGN_BLOCKS if n in lm.variables]
                                or [np.empty(0, np.int64)])
        scale = _row_scale(a)
        dead = (col_lo == 0) & (col_up == 0)
        return cls(a, a.tocsc(), lm.objective(), col_lo, col_up, row_lo, row_up, integer, lazy,
                   ~integer & (col_lo == 0), np.sort(design[integer[design] & ~dead[design]]), scale, dead)

    def violation(self, x: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
        """Scaled violation of each row (or of ``rows``) at ``x``."""
        a = self.csr if rows is None else self.csr[rows]
        lo = self.row_lo if rows is None else self.row_lo[rows]
        up = self.row_up if rows is None else self.row_up[rows]
        sc = self.row_scale if rows is None else self.row_scale[rows]
        ax = a @ x
        return np.maximum(0.0, np.maximum(ax - up, lo - ax)) / sc


class _Master:
    """The LP relaxation over a growing subset of the columns and rows of the full model.

    Missing columns sit at 0 (their lower bound) and enter when they price out negative;
    missing lazy rows enter when violated. ``solve`` returns only when neither happens, so
    its optimum is that of the LP over all columns with the rows in force.
    """

    def __init__(self, f: _Full, options: SolveOptions, cols: np.ndarray) -> None:
        self.f = f
        n, m = len(f.cost), len(f.row_lo)
        self.col_pos = np.full(n, -1, np.int64)
        self.row_pos = np.full(m, -1, np.int64)
        self.cols = np.empty(0, np.int64)
        self.rows = np.empty(0, np.int64)
        self.h = new_highs(SolveOptions(threads=options.threads, seed=options.seed))
        self.h.setOptionValue("presolve", "off")
        self.solves = 0
        self._set_cols(np.unique(cols))
        base = np.flatnonzero(~f.lazy)
        c = self.cols
        pass_matrix(self.h, f.csr[base][:, c], f.cost[c], f.col_lo[c], f.col_up[c], f.row_lo[base],
                    f.row_up[base], np.zeros(len(c), bool))
        self._set_rows(base)
        touched = np.unique(f.csc[:, self.cols[f.priceable[self.cols]]].tocoo().row)
        lazy = touched[f.lazy[touched]]
        if len(lazy):
            self.add_rows(lazy)

    def _set_cols(self, cols: np.ndarray) -> None:
        self.col_pos[cols] = np.arange(len(self.cols), len(self.cols) + len(cols))
        self.cols = np.concatenate([self.cols, cols])

    def _set_rows(self, rows: np.ndarray) -> None:
        self.row_pos[rows] = np.arange(len(self.rows), len(self.rows) + len(rows))
        self.rows = np.concatenate([self.rows, rows])

    def add_cols(self, cols: np.ndarray) -> None:
        f = self.f
        sub = f.csc[:, cols].tocoo()
        pos = self.row_pos[sub.row]
        keep = pos >= 0
        m = sp.csc_matrix((sub.data[keep], (pos[keep], sub.col[keep])), shape=(len(self.rows), len(cols)))
        self.h.addCols(len(cols), f.cost[cols], f.col_lo[cols], f.col_up[cols], m.nnz,
                       m.indptr[:-1].astype(np.int32), m.indices.astype(np.int32), m.data.astype(float))
        self._set_cols(cols)

    def add_rows(self, rows: np.ndarray) -> None:
        f = self.f
        sub = f.csr[rows].tocoo()
        pos = self.col_pos[sub.col]
        keep = pos >= 0
        m = sp.csr_matrix((sub.data[keep], (sub.row[keep], pos[keep])), shape=(len(rows), len(self.cols)))
        self.h.addRows(len(rows), f.row_lo[rows], f.row_up[rows], m.nnz,
                       m.indptr[:-1].astype(np.int32), m.indices.astype(np.int32), m.data.astype(float))
        self._set_rows(rows)

    def set_bounds(self, cols: np.ndarray, lo: np.ndarray, up: np.ndarray) -> None:
        """Bounds of active ``cols`` (global ids)."""
        pos = self.col_pos[cols]
        assert (pos >= 0).all()
        self.h.changeColsBounds(len(cols), pos.astype(np.int32), np.asarray(lo, float), np.asarray(up, float))

    def x(self) -> np.ndarray:
        x = np.zeros(len(self.f.cost))
        x[self.cols] = self.h.getSolution().col_value
        return x

    def reduced_costs(self) -> np.ndarray:
        pi = np.zeros(len(self.f.row_lo))
        pi[self.rows] = self.h.getSolution().row_dual
        return self.f.cost - self.f.csc.T @ pi

    def objective(self) -> float:
        return float(self.h.getInfo().objective_function_value)

    def solve(self, deadline: float) -> str:
        """LP optimum over all columns: 'optimal', 'infeasible', 'time' or HiGHS's status."""
        f = self.f
        while True:
            t = time.perf_counter()
            if t > deadline:
                return "time"
            with stdout_to_stderr():
                self.h.run()
            self.solves += 1
            ms = self.h.getModelStatus()
            inactive = f.priceable & ~f.dead & (self.col_pos < 0)
            if ms == highspy.HighsModelStatus.kInfeasible:
                # Farkas pricing: columns that touch the ray may restore feasibility
                _, has_ray, ray = self.h.getDualRay()
                if has_ray:
                    y = np.zeros(len(f.row_lo))
                    y[self.rows] = ray
                    new = np.flatnonzero(inactive & (np.abs(f.csc.T @ y) > 1e-9))
                else:
                    new = np.flatnonzero(inactive)
                if not len(new):
                    return "infeasible"
                # the cheapest first: the LP may need only a few of them to become feasible
                keep = max(FARKAS_BATCH, len(new) // 4)
                self.add_cols(new[np.argsort(f.cost[new], kind="stable")[:keep]])
                continue
            if ms != highspy.HighsModelStatus.kOptimal:
                return self.h.modelStatusToString(ms)
            new_cols = np.flatnonzero(inactive & (self.reduced_costs() < -_DUAL))
            new_rows = np.empty(0, np.int64)
            missing = np.flatnonzero(f.lazy & (self.row_pos < 0))
            if len(missing):
                new_rows = missing[f.violation(self.x(), missing) > _FEAS]
            if not len(new_cols) and not len(new_rows):
                return "optimal"
            if len(new_cols):
                self.add_cols(new_cols)
                # the lazy rows of the new columns come along: their duals steer the pricing
                with_new = np.unique(f.csc[:, new_cols].tocoo().row)
                new_rows = np.union1d(new_rows, with_new[f.lazy[with_new] & (self.row_pos[with_new] < 0)])
            if len(new_rows):
                self.add_rows(new_rows)


def _initial_columns(f: _Full, per_row: int = 5, extra: np.ndarray | None = None) -> np.ndarray:
    """Columns that must be present, the ``per_row`` cheapest priceable columns of each row and
    ``extra`` (e.g. the support of a Lagrangian solution)."""
    base = f.csr[np.flatnonzero(~f.lazy)].tocoo()
    pick = f.priceable[base.col] & ~f.dead[base.col]
    rows, cols = base.row[pick], base.col[pick]
    order = np.lexsort((f.cost[cols], rows))
    rows, cols = rows[order], cols[order]
    first = np.searchsorted(rows, rows, side="left")
    rank = np.arange(len(rows)) - first
    out = np.union1d(np.flatnonzero(~f.priceable & ~f.dead), cols[rank < per_row])
    if extra is not None:
        out = np.union1d(out, extra[~f.dead[extra]])
    return out


@dataclass(eq=False)
class _Incumbent:
    objective: float = math.inf
    x: np.ndarray | None = None


def _integral(f: _Full, x: np.ndarray) -> bool:
    ints = f.integer
    return bool(np.abs(x[ints] - np.round(x[ints])).max(initial=0.0) <= _FEAS)


def _price_design(master: _Master, pattern: np.ndarray, deadline: float) -> tuple[float, np.ndarray] | None:
    """The cheapest plan with the design columns fixed to ``pattern`` (None if not integral)."""
    f = master.f
    master.set_bounds(f.design, pattern, pattern)
    if master.solve(deadline) != "optimal":
        return None
    x = master.x()
    if not _integral(f, x):
        return None
    x[f.design] = pattern
    return master.objective(), x


def _local_search(master: _Master, x_lp: np.ndarray, lo: np.ndarray, up: np.ndarray,
                  inc: _Incumbent, deadline: float, drop: bool = True) -> None:
    """Round the LP design up, then close elements one at a time (least used first) while it pays.

    ``lo``/``up`` are the design bounds in force; they are restored afterwards.
    """
    f = master.f
    val = x_lp[f.design]
    pattern = np.where(val > _FEAS, up, lo)
    best = _price_design(master, pattern, deadline)
    if best is not None and drop:
        for k in np.argsort(val, kind="stable"):
            if time.perf_counter() > deadline:
                break
            if pattern[k] == lo[k]:
                continue
            trial = pattern.copy()
            trial[k] = lo[k]
            got = _price_design(master, trial, deadline)
            if got is not None and got[0] < best[0] - 1e-9 * max(1.0, abs(best[0])):
                best, pattern = got, trial
        if best[0] < inc.objective:
            inc.objective, inc.x = best
    master.set_bounds(f.design, lo, up)


def _fix_by_reduced_cost(x: np.ndarray, rc: np.ndarray, lo: np.ndarray, up: np.ndarray,
                         slack: float) -> tuple[np.ndarray, np.ndarray, int]:
    """Integer bounds that keep every solution within ``slack`` of the LP bound.

    A column at its lower bound with reduced cost r > slack cannot move (likewise at the upper
    bound with −r > slack). ``x``, ``rc``, ``lo``, ``up`` are over the integer columns.
    """
    lo, up = lo.copy(), up.copy()
    down = (x <= lo + _FEAS) & (rc > slack) & (up > lo)
    upw = (x >= up - _FEAS) & (-rc > slack) & (up > lo)
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


def _tolerance(ub: float, options: SolveOptions) -> float:
    return max(1e-9, options.mip_gap * abs(ub)) if math.isfinite(ub) else 0.0


#: ``probe(master, ints, lo, up)``: lower bounds with each integer column forced to its lower /
#: upper bound (nan where it has no say), e.g. from a Lagrangian bound at the LP duals
Prober = Callable[[_Master, np.ndarray, np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


def _branch_and_bound(master: _Master, inc: _Incumbent, options: SolveOptions, deadline: float,
                      rep: AccelerationReport, probe: Prober | None = None) -> tuple[Status, float]:
    """Best-first LP branch and bound over the integer columns; returns status and bound.

    With ``probe``, columns whose forced alternative exceeds the incumbent are fixed, and the
    branching column maximises the product of the two probed bound gains (else: the most
    fractional column).
    """
    f = master.f
    ints = np.flatnonzero(f.integer & ~f.dead)
    is_design = np.isin(ints, f.design)
    seq = 0
    heap = [_Node(-math.inf, 0, seq, f.col_lo[ints].copy(), f.col_up[ints].copy())]
    while heap:
        lower = heap[0].bound
        if inc.objective - lower <= _tolerance(inc.objective, options):
            return Status.OPTIMAL, min(lower, inc.objective)
        if time.perf_counter() > deadline:
            return Status.TIME_LIMIT, lower
        node = heapq.heappop(heap)
        if node.bound >= inc.objective - _tolerance(inc.objective, options):
            continue
        rep.nodes += 1
        t = time.perf_counter()
        master.set_bounds(ints, node.lo, node.up)
        state = master.solve(deadline)
        rep.times["node_lp"] = rep.times.get("node_lp", 0.0) + time.perf_counter() - t
        if state == "infeasible":
            continue
        if state != "optimal":
            heapq.heappush(heap, node)
            if state == "time":
                continue
            return Status.ERROR, lower
        obj = master.objective()
        if obj >= inc.objective - _tolerance(inc.objective, options):
            continue
        x = master.x()
        xi = x[ints]
        frac = np.abs(xi - np.round(xi))
        if frac.max(initial=0.0) <= _FEAS:
            inc.objective, inc.x = obj, x
            continue
        lo, up = node.lo, node.up
        if math.isfinite(inc.objective):
            lo, up, _ = _fix_by_reduced_cost(xi, master.reduced_costs()[ints], lo, up,
                                             inc.objective - obj)
        if is_design.all() and (node.depth == 0 or (HEUR_EVERY and node.depth % HEUR_EVERY == 0)):
            t = time.perf_counter()
            _local_search(master, x, lo[is_design], up[is_design], inc, deadline,
                          drop=node.depth == 0)
            master.set_bounds(ints, lo, up)
            rep.times["node_heur"] = rep.times.get("node_heur", 0.0) + time.perf_counter() - t
        child = (obj, obj)
        j = int(np.argmax(np.minimum(frac, 1.0 - frac) - 2.0 * (frac <= _FEAS)))
        if probe is not None:
            t = time.perf_counter()
            down, upb = probe(master, ints, lo, up)
            rep.times["probe"] = rep.times.get("probe", 0.0) + time.perf_counter() - t
            cut = inc.objective - _tolerance(inc.objective, options)
            lo, up = lo.copy(), up.copy()
            lo[down > cut] = up[down > cut]
            up[upb > cut] = lo[upb > cut]
            if not (lo <= up).all():
                continue
            cand = np.flatnonzero((frac > _FEAS) & (up > lo))
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


def _single_source_projection(model: NetworkModel) -> tuple[sp.csr_matrix, np.ndarray] | None:
    """``x = P x_kept``: under single sourcing without shortfall every flow y[h,m,p,c] whose
    (h,m,p) has one origin c equals demand[m,p] · assign[h,m] in every plan (and in the LP
    relaxation), so those columns are substituted out. None when nothing qualifies.
    """
    lm, s = model.lm, model.sets
    if "assign" not in lm.variables or "shortfall" in lm.variables:
        return None
    yb, ab = lm.variables["outbound_flow"], lm.variables["assign"]
    flows = s.flows[["hub", "market", "product"]].reset_index(drop=True)
    single = ~flows.duplicated(keep=False).to_numpy()
    pair = pd.MultiIndex.from_frame(ab.index[["hub", "market"]]).get_indexer(
        pd.MultiIndex.from_frame(flows[["hub", "market"]]))
    d = pd.MultiIndex.from_frame(s.demand[["market", "product"]]).get_indexer(
        pd.MultiIndex.from_frame(flows[["market", "product"]]))
    sub = single & (pair >= 0) & (d >= 0)
    if not sub.any():
        return None
    n = lm.n_cols
    gone = np.zeros(n, bool)
    gone[yb.start + np.flatnonzero(sub)] = True
    keep = np.flatnonzero(~gone)
    new = np.full(n, -1, np.int64)
    new[keep] = np.arange(len(keep))
    rows = np.concatenate([keep, yb.start + np.flatnonzero(sub)])
    cols = np.concatenate([new[keep], new[ab.start + pair[sub]]])
    vals = np.concatenate([np.ones(len(keep)), s.demand_table["demand"][d[sub]]])
    return sp.csr_matrix((vals, (rows, cols)), shape=(n, len(keep))), keep


def _snap(v: np.ndarray) -> np.ndarray:
    """Round values within 1e-9 (relative) of an integer: (c/d)·d is integral again."""
    r = np.round(v)
    return np.where(np.abs(v - r) <= 1e-9 * np.maximum(1.0, np.abs(v)), r, v)


def _solve_projected(model: NetworkModel, options: SolveOptions, proj: sp.csr_matrix, keep: np.ndarray,
                     rep: AccelerationReport) -> SolverResult:
    """HiGHS on the model with the determined columns substituted out (``x = proj @ x_kept``)."""
    lm = model.lm
    col_lo, col_up, row_lo, row_up, integer = lm.bounds()
    full = lm.matrix()
    scale = _row_scale(full)
    a = (full @ proj).tocsr()
    a.data[np.abs(a.data) <= 1e-9 * np.repeat(scale, np.diff(a.indptr))] = 0.0
    a.eliminate_zeros()
    rows = np.flatnonzero((np.diff(a.indptr) > 0) | (row_lo > 0) | (row_up < 0))
    h = new_highs(options)
    pass_matrix(h, a[rows], _snap(proj.T @ lm.objective()), col_lo[keep], col_up[keep],
                 row_lo[rows], row_up[rows], integer[keep])
    rep.columns = len(keep)
    result = run_highs(h, True)
    x = None if result.x is None else proj @ result.x
    return dataclasses.replace(result, x=x)


# ---- the facility location kernel ---------------------------------------------------------

def _solve_compact(fl: _Facility, options: SolveOptions, deadline: float, rep: AccelerationReport,
                   lo: np.ndarray | None = None, up: np.ndarray | None = None,
                   banned: np.ndarray | None = None, fewest: float = 0.0,
                   start: np.ndarray | None = None, cutoff: float = math.inf,
                   extra: dict[str, object] | None = None) -> SolverResult:
    """HiGHS on the facility location problem alone: ``o[i]`` and the fraction ``a[i,j]`` of
    market j served by hub i (binary under single sourcing) on the pairs with a lane; rows
    Σ_i a[i,j] = 1, Σ_j d[j] a[i,j] ≤ s[i] o[i] (finite capacities), a[i,j] ≤ o[i] and, with
    ``fewest`` > 0, Σ_i o[i] ≥ fewest. The supplier, its flows and the per-product flows follow
    from ``a`` (:meth:`_Facility.plan`).

    ``lo``/``up`` override the hub bounds, ``banned[i,j]`` leaves pairs out, ``start[i,j]`` is a
    plan's fractions handed over as a MIP start, ``cutoff`` prunes plans that cost more (both
    with the constant), ``extra`` are HiGHS options.
    """
    m, n = fl.shape
    lo = fl.lo if lo is None else lo
    up = fl.up if up is None else up
    allowed = np.isfinite(fl.cost) & (up > 0.5)[:, None]
    if banned is not None:
        allowed &= ~banned
    hub, market = np.nonzero(allowed)
    k = len(hub)
    a = m + np.arange(k)  # the a columns
    fin = np.flatnonzero(np.isfinite(fl.s))
    cap_row = np.full(m, -1)
    cap_row[fin] = n + np.arange(len(fin))
    has_cap = np.flatnonzero(cap_row[hub] >= 0)
    link = n + len(fin) + np.arange(k)
    count = n + len(fin) + k  # the Σ o ≥ fewest row
    rows = np.concatenate([market, cap_row[hub[has_cap]], cap_row[fin], link, link, np.full(m, count)])
    cols = np.concatenate([a, a[has_cap], fin, a, hub, np.arange(m)])
    vals = np.concatenate([np.ones(k), fl.d[market[has_cap]], -fl.s[fin], np.ones(k), -np.ones(k),
                           np.ones(m)])
    matrix = sp.csc_matrix((vals, (rows, cols)), shape=(count + 1, m + k))
    row_lo = np.concatenate([np.ones(n), np.full(len(fin) + k, -np.inf), [fewest]])
    row_up = np.concatenate([np.ones(n), np.zeros(len(fin) + k), [np.inf]])
    left = deadline - time.perf_counter()
    h = new_highs(_with_limit(options, left) if math.isfinite(left) else options)
    pass_matrix(h, matrix, np.concatenate([fl.f, fl.cost[hub, market]]),
                np.concatenate([lo, np.zeros(k)]), np.concatenate([up, np.ones(k)]),
                row_lo, row_up, np.concatenate([np.ones(m, bool), np.full(k, fl.single)]))
    rep.columns = m + k
    for name, value in (extra or {}).items():
        h.setOptionValue(name, value)
    if math.isfinite(cutoff):
        h.setOptionValue("objective_bound", float(cutoff - fl.constant))
    if start is not None:
        h.setSolution(m + k, np.arange(m + k, dtype=np.int32),
                      np.concatenate([((start.sum(axis=1) > 0.5) | (lo > 0.5)).astype(float),
                                      start[hub, market]]))
    result = run_highs(h, True)
    result = dataclasses.replace(result, bound=result.bound + fl.constant)
    if result.x is None:
        return result
    frac = np.zeros(fl.shape)
    frac[hub, market] = np.clip(result.x[m:], 0.0, 1.0)
    x = fl.plan(result.x[:m] > 0.5, np.round(frac) if fl.single else frac)
    objective = result.objective + fl.constant
    gap = max(0.0, (objective - result.bound) / max(abs(objective), 1e-10))
    return dataclasses.replace(result, x=x, objective=objective, gap=gap)



#: the families of a plain (capacitated, optionally single-source) facility location model
_FL_VARIABLES = {"supplier_contracted", "hub_opened", "inbound_flow", "outbound_flow", "assign"}
_FL_CONSTRAINTS = {"demand", "origin_balance", "supplier_capacity", "hub_capacity", "hub_link",
                   "single_source", "assign_flow", "assign_capacity", "assign_open"}


@dataclass(eq=False)
class _Facility:
    """A model that is a capacitated facility location problem (CFLP), as arrays.

    Hub i: fixed cost ``f[i]``, capacity ``s[i]``, bounds ``lo[i] ≤ o[i] ≤ up[i]``; market j:
    demand ``d[j]``; ``cost[i, j]`` serves all of j from i (inf without a lane); plans pay
    ``constant`` on top (the one supplier's fixed cost).
    """

    f: np.ndarray
    s: np.ndarray
    d: np.ndarray
    cost: np.ndarray
    lo: np.ndarray
    up: np.ndarray
    constant: float
    single: bool
    n_cols: int
    o_cols: np.ndarray  # (m,)
    x_cols: np.ndarray  # (m,) inbound flow into each hub
    z_col: int
    y_cols: np.ndarray  # (m, n), -1 where no lane
    a_cols: np.ndarray | None  # (m, n) assign columns (single sourcing), -1 where none

    @property
    def shape(self) -> tuple[int, int]:
        return self.cost.shape  # type: ignore[return-value]

    def plan(self, opened: np.ndarray, frac: np.ndarray) -> np.ndarray:
        """The model's column vector of the plan with hubs ``opened`` serving fraction
        ``frac[i, j]`` of market j from hub i."""
        x = np.zeros(self.n_cols)
        served = frac * self.d[None, :]
        x[self.o_cols] = opened.astype(float)
        x[self.x_cols] = served.sum(axis=1)
        x[self.z_col] = 1.0
        has = self.y_cols >= 0
        x[self.y_cols[has]] = served[has]
        if self.a_cols is not None:
            has = self.a_cols >= 0
            x[self.a_cols[has]] = np.round(frac[has])
        return x


def _facility(model: NetworkModel) -> _Facility | None:
    """The CFLP inside ``model``, or None when the model is anything more (policies, products...)."""
    lm, s = model.lm, model.sets
    if set(model.policy.to_dict()) - {"single_sourcing"}:
        return None
    if set(lm.variables) - _FL_VARIABLES or set(lm.constraints) - _FL_CONSTRAINTS:
        return None
    if len(s.suppliers) != 1 or s.demand["product"].nunique() != 1 or len(s.inbound) != len(s.hubs):
        return None
    d = s.demand_table["demand"]
    if s.supply["capacity"].min() < d.sum() or (s.demand["demand"] <= 0).any():
        return None
    flows = s.flows
    if flows[["hub", "market"]].duplicated().any():
        return None
    c = lm.objective()
    ob, xb, yb, zb = (lm.variables[k] for k in ("hub_opened", "inbound_flow", "outbound_flow",
                                                 "supplier_contracted"))
    m, n = len(s.hubs), len(s.demand)
    hub_pos = pd.Index(s.hubs["hub"]).get_indexer(flows["hub"])
    mk_pos = pd.Index(s.demand["market"]).get_indexer(flows["market"])
    x_hub = pd.Index(s.hubs["hub"]).get_indexer(s.inbound["hub"])
    if (hub_pos < 0).any() or (mk_pos < 0).any() or (np.sort(x_hub) != np.arange(m)).any():
        return None
    x_cols = np.empty(m, np.int64)
    x_cols[x_hub] = xb.columns
    y_cols = np.full((m, n), -1, np.int64)
    y_cols[hub_pos, mk_pos] = yb.columns
    unit = np.full((m, n), np.inf)
    unit[hub_pos, mk_pos] = c[yb.columns] + c[x_cols[hub_pos]]
    if not np.isfinite(unit).any(axis=0).all():
        return None
    cap = np.minimum(s.hubs_table["capacity"], d.sum())
    a_cols = None
    if "assign" in lm.variables:
        ab = lm.variables["assign"]
        a_cols = np.full((m, n), -1, np.int64)
        a_cols[pd.Index(s.hubs["hub"]).get_indexer(ab.index["hub"]),
               pd.Index(s.demand["market"]).get_indexer(ab.index["market"])] = ab.columns
    return _Facility(c[ob.columns].copy(), cap, d, unit * d[None, :], ob.lower.copy(), ob.upper.copy(),
                     float(c[zb.columns].sum()), a_cols is not None, lm.n_cols, ob.columns, x_cols,
                     int(zb.columns[0]), y_cols, a_cols)


class _Transport:
    """The exact cost of the best plan with a given set of open hubs (an LP; multi-sourcing)."""

    def __init__(self, fl: _Facility, options: SolveOptions) -> None:
        self.fl = fl
        self.options = SolveOptions(threads=options.threads, seed=options.seed)
        self.cache: dict[bytes, tuple[float, np.ndarray | None]] = {}
        self.cols: list[tuple[np.ndarray, np.ndarray]] = []

    def __call__(self, opened: np.ndarray) -> tuple[float, np.ndarray | None]:
        """Plan cost and fractions ``frac[i, j]``; (inf, None) when infeasible."""
        key = opened.tobytes()
        if key not in self.cache:
            self.cache[key] = self._solve(opened)
        return self.cache[key]

    def _solve(self, opened: np.ndarray) -> tuple[float, np.ndarray | None]:
        """The transportation LP over the open hubs, by column generation: each market starts
        with its ``NEAREST`` cheapest open hubs; pairs that price out negative join until none
        does (all pairs at once if the restricted LP is infeasible)."""
        fl = self.fl
        m, n = fl.shape
        hubs = np.flatnonzero(opened)
        if fl.s[hubs].sum() < fl.d.sum() * (1 - 1e-12):
            return math.inf, None
        sub = fl.cost[hubs]
        near = np.argsort(sub, axis=0)[:NEAREST]
        pick = np.zeros(sub.shape, bool)
        np.put_along_axis(pick, near, True, axis=0)
        pick &= np.isfinite(sub)
        h = new_highs(self.options)
        rows = len(hubs) + n
        h.passModel(highspy.HighsLp())
        inf = highspy.kHighsInf
        h.addRows(rows, np.concatenate([np.ones(n), np.full(len(hubs), -inf)]),
                  np.concatenate([np.ones(n), fl.s[hubs]]), 0, np.zeros(rows, np.int32),
                  np.zeros(0, np.int32), np.zeros(0))
        have = np.zeros(sub.shape, bool)
        while True:
            i, j = np.nonzero(pick & ~have)
            k = len(i)
            if k:
                starts = np.arange(0, 2 * k, 2, dtype=np.int32)
                index = np.column_stack([j, n + i]).ravel().astype(np.int32)
                value = np.column_stack([np.ones(k), fl.d[j]]).ravel()
                h.addCols(k, sub[i, j], np.zeros(k), np.ones(k), 2 * k, starts, index, value)
                have[i, j] = True
                self.cols.append((i, j))
            with stdout_to_stderr():
                h.run()
            status = h.getModelStatus()
            if status == highspy.HighsModelStatus.kInfeasible and (~have & np.isfinite(sub)).any():
                pick = np.isfinite(sub)
                continue
            if status != highspy.HighsModelStatus.kOptimal:
                return math.inf, None
            dual = np.asarray(h.getSolution().row_dual)
            rc = sub - dual[None, :n] - fl.d[None, :] * dual[n:, None]
            pick = ~have & np.isfinite(sub) & (rc < -1e-9 * np.maximum(1.0, np.abs(sub)))
            if not pick.any():
                break
        i = np.concatenate([c[0] for c in self.cols])
        j = np.concatenate([c[1] for c in self.cols])
        self.cols.clear()
        frac = np.zeros((m, n))
        frac[hubs[i], j] = np.clip(np.asarray(h.getSolution().col_value), 0.0, 1.0)
        used = (frac.sum(axis=1) > _FEAS) | (fl.lo > 0.5)
        frac[~used] = 0.0
        value = float(fl.f[used].sum() + (np.where(frac > 0, fl.cost, 0.0) * frac).sum() + fl.constant)
        return value, frac


class _HubChoice:
    """The hub part of a Lagrangian bound: which hubs to open given each hub's value v."""

    def __init__(self, fl: _Facility) -> None:
        self.fl = fl
        self.total = float(fl.d.sum())
        self.equal = bool(np.all(fl.s == fl.s[0]))

    def knapsack(self, v: np.ndarray, lo: np.ndarray, up: np.ndarray) -> tuple[float, np.ndarray]:
        """min Σ v_i o_i s.t. Σ s_i o_i ≥ total demand, lo ≤ o ≤ up (exact or LP)."""
        s = self.fl.s
        o = lo.astype(float)
        free = up > lo
        o[free & (v < 0)] = 1.0
        short = self.total - float(s @ o)
        if short > 0:
            cand = np.flatnonzero(free & (o == 0))
            cand = cand[np.argsort(v[cand] / s[cand], kind="stable")]
            for i in cand:
                if short <= 0:
                    break
                t = 1.0 if self.equal else min(1.0, short / s[i])
                o[i] = t
                short -= t * s[i]
            if short > 1e-9 * self.total:
                return math.inf, o
        return float(v @ o), o


class _MultiSourceBound(_HubChoice):
    """Lagrangian bound of the multi-source CFLP with the demand rows relaxed.

    For multipliers u (money per market), hub i's best use is a continuous knapsack,
    v_i = f_i + min{Σ_j (c_ij − u_j) x_j : Σ_j d_j x_j ≤ s_i, 0 ≤ x ≤ 1}, and
    L(u) = Σ_j u_j + min{Σ_i v_i o_i : Σ_i s_i o_i ≥ Σ_j d_j, bounds on o} is a valid lower
    bound for every u (the knapsack is exact for equal capacities, its LP otherwise).
    """

    def __init__(self, fl: _Facility) -> None:
        super().__init__(fl)
        hub, mk = np.nonzero(np.isfinite(fl.cost))
        self.hub, self.mk = hub, mk  # allowed pairs, hub-major
        self.c = fl.cost[hub, mk]
        self.w = fl.d[mk]

    def restrict(self, alive: np.ndarray) -> None:
        """Forget the pairs of hubs that are closed for good (their v becomes f)."""
        keep = alive[self.hub]
        self.hub, self.mk, self.c, self.w = self.hub[keep], self.mk[keep], self.c[keep], self.w[keep]

    def hubs(self, u: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """v per hub and the knapsack fill (pair ids, fractions) at multipliers u."""
        fl = self.fl
        r = self.c - u[self.mk]
        idx = np.flatnonzero(r < 0)
        h = self.hub[idx]
        order = np.lexsort((r[idx] / self.w[idx], h))
        idx, h = idx[order], h[order]
        w = self.w[idx]
        cum = np.cumsum(w)
        start = np.concatenate([[0.0], cum])[np.searchsorted(h, np.arange(len(fl.f)))]
        frac = np.clip((fl.s[h] - (cum - w - start[h])) / w, 0.0, 1.0)
        v = fl.f + np.bincount(h, r[idx] * frac, minlength=len(fl.f))
        return v, idx, frac

    def evaluate(self, u: np.ndarray, lo: np.ndarray, up: np.ndarray
                 ) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
        """L(u), v, the chosen o and a subgradient (1 − Σ_i served fraction per market)."""
        v, idx, frac = self.hubs(u)
        kv, o = self.knapsack(v, lo, up)
        served = np.bincount(self.mk[idx], frac * o[self.hub[idx]], minlength=len(u))
        return float(u.sum()) + kv, v, o, 1.0 - served


@dataclass
class _Ascent:
    """The best point of a subgradient ascent."""

    bound: float
    u: np.ndarray
    v: np.ndarray
    o: np.ndarray
    step: float


def _ascend(lb: _MultiSourceBound | _SingleSourceBound, u: np.ndarray, lo: np.ndarray, up: np.ndarray,
            ub: float, tol: float, iters: int, step: float, patience: int = 20,
            visit: Callable[[_Ascent], float] | None = None, every: int = 25,
            min_step: float = 1e-5) -> _Ascent:
    """Subgradient ascent on L(u) (Polyak steps towards ``ub``; the step halves after
    ``patience`` iterations without improvement); stops early once L ≥ ub − tol.

    Every ``every`` iterations ``visit(point)`` may turn the Lagrangian solution into a plan and
    returns the (possibly improved) ``ub``.
    """
    best: _Ascent | None = None
    stall = 0
    for k in range(iters):
        value, v, o, g = lb.evaluate(u, lo, up)
        if not math.isfinite(value):
            return _Ascent(math.inf, u, v, o, step)
        if visit is not None and k % every == every - 1:
            ub = visit(_Ascent(value, u, v, o, step))
        if best is None or value > best.bound:
            best = _Ascent(value, u, v, o, step)
            stall = 0
        else:
            stall += 1
            if stall >= patience:
                step, stall = step / 2, 0
        best.step = step
        norm = float(g @ g)
        if best.bound >= ub - tol or norm < 1e-12 or step < min_step:
            break
        target = ub if math.isfinite(ub) else best.bound + 0.05 * abs(best.bound) + 1.0
        u = u + step * max(target - value, 1e-9 * abs(target)) / norm * g
    assert best is not None
    return best


def _probe_hubs(lb: _HubChoice, a: _Ascent, lo: np.ndarray, up: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray]:
    """Lagrangian bounds (at the ascent's best u) with each free hub forced closed / open."""
    base = float(a.u.sum())
    closed, opened = np.full(len(lo), np.nan), np.full(len(lo), np.nan)
    for i in np.flatnonzero(up > lo):
        up_i = up.copy()
        up_i[i] = lo[i]
        closed[i] = base + lb.knapsack(a.v, lo, up_i)[0]
        lo_i = lo.copy()
        lo_i[i] = up[i]
        opened[i] = base + lb.knapsack(a.v, lo_i, up)[0]
    return closed, opened


@dataclass(eq=False)
class _MSIncumbent:
    value: float = math.inf
    opened: np.ndarray | None = None
    frac: np.ndarray | None = None

    def offer(self, transport: _Transport, opened: np.ndarray) -> bool:
        value, frac = transport(opened)
        if value < self.value - 1e-9 * max(1.0, abs(value)):
            assert frac is not None
            self.value, self.frac = value, frac
            self.opened = (frac.sum(axis=1) > _FEAS) | (transport.fl.lo > 0.5)
            return True
        return False


def _complete(lb: _MultiSourceBound, opened: np.ndarray, v: np.ndarray, up: np.ndarray) -> np.ndarray:
    """``opened`` plus the cheapest (by v per unit capacity) allowed hubs until demand fits."""
    fl = lb.fl
    opened = opened.copy()
    for i in np.argsort(v / fl.s, kind="stable"):
        if fl.s[opened].sum() >= lb.total:
            break
        if up[i] > 0.5:
            opened[i] = True
    return opened


def _improve(lb: _MultiSourceBound, transport: _Transport, inc: _MSIncumbent, v: np.ndarray,
             deadline: float, width: int = 8) -> None:
    """Local search on the open set: drop a hub, add one, or swap one for one of the ``width``
    closed hubs with the smallest Lagrangian v, first improvement, until none pays."""
    fl = lb.fl
    improved = True
    while improved and inc.opened is not None and time.perf_counter() < deadline:
        improved = False
        cur = inc.opened.copy()
        shut = np.flatnonzero(~cur & (fl.up > 0.5))
        best_closed = shut[np.argsort(v[shut], kind="stable")[:width]]
        opened_free = np.flatnonzero(cur & (fl.lo < 0.5))
        moves: list[tuple[list[int], list[int]]] = [([i], []) for i in opened_free]
        moves += [([], [k]) for k in best_closed]
        moves += [([i], [k]) for i in opened_free for k in best_closed]
        for out, into in moves:
            if time.perf_counter() > deadline:
                return
            trial = cur.copy()
            trial[out] = False
            trial[into] = True
            if inc.offer(transport, trial):
                improved = True
                break


class _SingleSourceBound(_HubChoice):
    """Lagrangian bound of the single-source CFLP with the assignment rows relaxed.

    For multipliers u, hub i's best use is a 0-1 knapsack, v_i = f_i − max{Σ_j (u_j − c_ij) a_j :
    Σ_j d_j a_j ≤ s_i}, solved exactly by dynamic programming over integer capacities (all
    hubs at once), and L(u) = Σ_j u_j + min{Σ_i v_i o_i : Σ_i s_i o_i ≥ Σ_j d_j, bounds on o}.
    """

    def __init__(self, fl: _Facility) -> None:
        super().__init__(fl)
        self.w = np.round(fl.d).astype(np.int64)
        self.cap = np.floor(np.minimum(fl.s, fl.d.sum()) + 1e-9).astype(np.int64)
        self.size = int(self.cap.max()) + 1
        self.rows = np.arange(len(fl.f))

    @staticmethod
    def applies(fl: _Facility) -> bool:
        """Integer demands and a DP table of sane size."""
        d = fl.d
        cap = np.minimum(fl.s, d.sum())
        return bool(np.all(d == np.round(d)) and len(fl.f) * (cap.max() + 1) * len(d) <= 5e7)

    def hubs(self, u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """v per hub and each hub's knapsack (bool (m, n)); the DP touches only the hubs for
        which an item is profitable."""
        p = u[None, :] - self.fl.cost
        dp = np.zeros((len(p), self.size))
        takes: list[tuple[np.ndarray, np.ndarray] | None] = []
        items, hubs = np.nonzero((p > 0).T)  # by item, then hub
        bounds = np.searchsorted(items, np.arange(p.shape[1] + 1))
        for j in range(p.shape[1]):
            w = int(self.w[j])
            rows = hubs[bounds[j]:bounds[j + 1]]
            if w >= self.size or not len(rows):
                takes.append(None)
                continue
            sub = dp[rows]
            cand = sub[:, :self.size - w] + p[rows, j][:, None]
            better = cand > sub[:, w:]
            sub[:, w:] = np.where(better, cand, sub[:, w:])
            dp[rows] = sub
            takes.append((rows, better))
        c = self.cap.copy()
        a = np.zeros(p.shape, bool)
        for j in range(p.shape[1] - 1, -1, -1):
            t = takes[j]
            if t is not None:
                rows, better = t
                w = int(self.w[j])
                cr = c[rows]
                took = (cr >= w) & better[np.arange(len(rows)), np.maximum(cr - w, 0)]
                a[rows[took], j] = True
                c[rows[took]] -= w
        return self.fl.f - dp[self.rows, self.cap], a

    def evaluate(self, u: np.ndarray, lo: np.ndarray, up: np.ndarray
                 ) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
        """L(u), v, the chosen o and a subgradient (1 − Σ_i o_i a_ij per market)."""
        v, a = self.hubs(u)
        kv, o = self.knapsack(v, lo, up)
        return float(u.sum()) + kv, v, o, 1.0 - (o[:, None] * a).sum(axis=0)

    def forced_in(self, u: np.ndarray) -> np.ndarray:
        """v_i if hub i had to serve market j: f_i − (best knapsack holding j), shape (m, n)."""
        p = u[None, :] - self.fl.cost
        m, n = p.shape
        back = [np.zeros((m, self.size))]
        for j in range(n - 1, 0, -1):  # back[k] = table over items j+1..n-1 for j = n-1-k
            dp = back[-1].copy()
            w = int(self.w[j])
            if w < self.size and (p[:, j] > 0).any():
                if w:
                    dp[:, w:] = np.maximum(dp[:, w:], back[-1][:, :-w] + p[:, j:j + 1])
                else:
                    dp = np.maximum(dp, back[-1] + p[:, j:j + 1])
            back.append(dp)
        grid = np.arange(self.size)
        out = np.full((m, n), np.inf)
        fwd = np.zeros((m, self.size))
        for j in range(n):
            bj = back[n - 1 - j]
            room = self.cap - int(self.w[j])
            ok = room >= 0
            idx = room[:, None] - grid[None, :]
            valid = (idx >= 0) & ok[:, None]
            both = np.where(valid, fwd + np.take_along_axis(bj, np.clip(idx, 0, None), 1), -np.inf)
            best = both.max(axis=1) + p[:, j]
            out[:, j] = np.where(ok & np.isfinite(best), self.fl.f - best, np.inf)
            w = int(self.w[j])
            if w < self.size and (p[:, j] > 0).any():
                if w:
                    fwd[:, w:] = np.maximum(fwd[:, w:], fwd[:, :-w] + p[:, j:j + 1])
                else:
                    fwd = np.maximum(fwd, fwd + p[:, j:j + 1])
        return out


def _ss_repair(fl: _Facility, opened: np.ndarray, chosen: np.ndarray) -> np.ndarray | None:
    """A single-source plan (``hub_of[j]`` serves market j) from the Lagrangian knapsacks
    ``chosen`` (bool (m, n)) of the hubs ``opened``: a market chosen by exactly one open hub
    stays there, the others go, largest demand first, to the cheapest open hub with room.
    None when a market finds no room."""
    m, _ = fl.shape
    mine = chosen & opened[:, None]
    once = mine.sum(axis=0) == 1
    hub_of = np.where(once, np.argmax(mine, axis=0), -1)
    room = np.where(opened, fl.s, -np.inf) - np.bincount(hub_of[once], fl.d[once], minlength=m)
    cost = np.where(opened[:, None], fl.cost, np.inf)
    rest = np.flatnonzero(~once)
    for j in rest[np.argsort(-fl.d[rest], kind="stable")]:
        cand = np.where(room >= fl.d[j] - 1e-9, cost[:, j], np.inf)
        i = int(np.argmin(cand))
        if not np.isfinite(cand[i]):
            return None
        hub_of[j] = i
        room[i] -= fl.d[j]
    return hub_of


def _ss_polish(fl: _Facility, hub_of: np.ndarray, allowed: np.ndarray, options: SolveOptions,
               deadline: float) -> tuple[float, np.ndarray] | None:
    """Re-assign every market among the hubs that ``hub_of`` opens, over the ``allowed`` pairs
    (bool (m, n)) and the current ones: the assignment problem (a GAP) by HiGHS from the
    current plan, stopped after ``POLISH_NODES`` nodes (deterministic) or at ``deadline``.
    Returns the value and the new ``hub_of``, None if HiGHS finds nothing."""
    m, n = fl.shape
    hubs = np.unique(hub_of)
    ok = (allowed[hubs] | (hubs[:, None] == hub_of[None, :])) & np.isfinite(fl.cost[hubs])
    i, j = np.nonzero(ok)
    k = len(i)
    a = sp.csr_matrix((np.concatenate([np.ones(k), fl.d[j]]),
                       (np.concatenate([j, n + i]), np.tile(np.arange(k), 2))), shape=(n + len(hubs), k))
    left = deadline - time.perf_counter()
    h = new_highs(SolveOptions(threads=options.threads, seed=options.seed, mip_gap=options.mip_gap,
                               time_limit=max(left, 0.05) if math.isfinite(left) else None))
    h.setOptionValue("mip_max_nodes", POLISH_NODES)
    cost = fl.cost[hubs[i], j]
    pass_matrix(h, a, cost, np.zeros(k), np.ones(k),
                np.concatenate([np.ones(n), np.full(len(hubs), -highspy.kHighsInf)]),
                np.concatenate([np.ones(n), fl.s[hubs]]), np.ones(k, bool))
    start = (hubs[i] == hub_of[j]).astype(float)
    h.setSolution(k, np.arange(k, dtype=np.int32), start)
    result = run_highs(h, True)
    if result.x is None:
        return None
    chosen = np.round(result.x) > 0.5
    new = hub_of.copy()
    new[j[chosen]] = hubs[i[chosen]]
    used = (np.bincount(new, fl.d, minlength=m) > 0) | (fl.lo > 0.5)
    return float(fl.f[used].sum() + fl.cost[new, np.arange(n)].sum() + fl.constant), new


def _solve_fl_single(model: NetworkModel, fl: _Facility, options: SolveOptions, deadline: float,
                     rep: AccelerationReport) -> SolverResult:
    """Single-source CFLP: LP relaxation, Lagrangian bound (0-1 knapsacks) warm-started at the LP
    duals, assignment heuristics, then HiGHS on the compact model restricted to the hubs and
    pairs the bound allows below a target, the best plan as MIP start in the last round."""
    t0 = time.perf_counter()
    rep.method = "facility-location"
    lm = model.lm
    projection = _single_source_projection(model)
    if projection is None:
        return _plain(model, options, deadline)
    proj, keep = projection
    if fl.cost.size < SS_KERNEL_SIZE:
        rep.method = "compact"
        return _solve_compact(fl, options, deadline, rep)
    col_lo, col_up, row_lo, row_up, _ = lm.bounds()
    cut = _cardinality_cut(fl, fl.up)
    fewest = float(cut[1][0])  # hubs needed to cover the demand
    a_full = sp.vstack([lm.matrix(), cut[0]]).tocsr()
    a_proj = (a_full @ proj).tocsr()
    rlo, rup = np.concatenate([row_lo, cut[1]]), np.concatenate([row_up, cut[2]])
    h = new_highs(SolveOptions(threads=options.threads, seed=options.seed))
    pass_matrix(h, a_proj, proj.T @ lm.objective(), col_lo[keep], col_up[keep], rlo, rup,
                 np.zeros(len(keep), bool))
    with stdout_to_stderr():
        h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return _solve_compact(fl, options, deadline, rep)
    pi = np.asarray(h.getSolution().row_dual)
    dem = lm.constraints["demand"].start + np.arange(len(fl.d))
    one = lm.constraints["single_source"].start + np.arange(len(fl.d))
    u = pi[dem] * fl.d + pi[one]
    rep.times["lp"] = time.perf_counter() - t0
    best: list[tuple[float, np.ndarray]] = []
    tried: set[bytes] = set()

    def offer(value: float, hub_of: np.ndarray) -> None:
        if not best or value < best[0][0]:
            frac = np.zeros(fl.cost.shape)
            frac[hub_of, np.arange(len(hub_of))] = 1.0
            best[:] = [(value, frac)]

    def visit(p: _Ascent) -> float:
        opened = (p.o > 0.5) | (fl.lo > 0.5)
        for i in np.argsort(p.v / fl.s, kind="stable"):
            if fl.s[opened].sum() >= 1.05 * fl.d.sum():
                break
            opened[i] |= fl.up[i] > 0.5
        if opened.tobytes() not in tried:
            tried.add(opened.tobytes())
            hub_of = _ss_repair(fl, opened, lb.hubs(p.u)[1])
            if hub_of is not None:
                offer(*_ss_local_search(fl, hub_of, deadline))
        return best[0][0] if best else math.inf

    lb = _SingleSourceBound(fl)
    a = _ascend(lb, u, fl.lo, fl.up, math.inf, 0.0, 1, 0.1)
    ub = visit(a)
    tol = max(options.mip_gap, CLOSE_ENOUGH) * abs(ub) if math.isfinite(ub) else 0.0
    a = _ascend(lb, u, fl.lo, fl.up, ub, tol, 100, 0.1, patience=10, min_step=1e-3, visit=visit,
                every=VISIT_EVERY)
    ub = visit(a)
    if ub - a.bound > 2e-3 * abs(ub):  # a gap worth more iterations
        a = _ascend(lb, a.u, fl.lo, fl.up, ub, tol, 200, a.step, patience=10, visit=visit,
                    every=VISIT_EVERY, min_step=1e-3)
        visit(a)
    ub = best[0][0] if best else math.inf
    rep.lp_bound, rep.start_objective = a.bound, ub
    rep.times["lagrangian"] = time.perf_counter() - t0
    closed, opened_b = _probe_hubs(lb, a, fl.lo, fl.up)
    with_open = np.where(np.isnan(opened_b), a.bound, opened_b)
    with_pair = with_open[:, None] + lb.forced_in(a.u) - a.v[:, None]
    if best:  # re-assign the best plan over the pairs that may be in a cheaper one
        t1 = time.perf_counter()
        got = _ss_polish(fl, np.argmax(best[0][1], axis=0), with_pair < ub, options, deadline)
        if got is not None and got[0] < ub:
            offer(*_ss_local_search(fl, got[1], deadline))
            ub = best[0][0]
        rep.times["polish"] = time.perf_counter() - t1
    lower = a.bound
    for delta in TARGETS:
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
        rep.fixed = int((lo == up).sum() - (fl.lo == fl.up).sum()) + int(banned.sum())
        t1 = time.perf_counter()
        result = _solve_compact(fl, options, deadline, rep, lo, up, banned, fewest,
                                best[0][1] if best and final else None, target, ROUND_OPTIONS)
        rep.nodes += 1
        rep.times[f"T{delta:g}"] = time.perf_counter() - t1
        if result.status is Status.OPTIMAL and result.x is not None and result.objective <= target:
            # plans outside the restricted model cost more than the cutoff
            bound = min(result.bound, cutoff)
            return dataclasses.replace(result, bound=bound, gap=max(0.0, (result.objective - bound)
                                                                   / max(abs(result.objective), 1e-10)),
                                       solve_time=time.perf_counter() - t0)
        if result.x is not None and result.objective < ub:
            best[:] = [(result.objective, _fractions(fl, result.x))]
            ub = result.objective
        if result.status not in (Status.OPTIMAL, Status.INFEASIBLE):
            break  # out of time
        lower = max(lower, cutoff)
        if final:
            break
    rep.times["rounds"] = time.perf_counter() - t0
    if not best:
        return SolverResult(Status.INFEASIBLE if lower == math.inf else Status.TIME_LIMIT, None, math.nan,
                            lower, math.inf, time.perf_counter() - t0, "no plan")
    ub, frac = best[0]
    proven = lower >= ub - options.mip_gap * abs(ub)
    bound = min(ub, lower)
    return SolverResult(Status.OPTIMAL if proven else Status.TIME_LIMIT,
                        fl.plan((frac.sum(axis=1) > 0.5) | (fl.lo > 0.5), frac), ub, bound,
                        max(0.0, (ub - bound) / max(abs(ub), 1e-10)), time.perf_counter() - t0, "")


def _fractions(fl: _Facility, x: np.ndarray) -> np.ndarray:
    """The served fractions frac[i, j] of a model solution."""
    frac = np.zeros(fl.cost.shape)
    has = fl.y_cols >= 0
    frac[has] = x[fl.y_cols[has]] / np.broadcast_to(fl.d[None, :], fl.cost.shape)[has]
    return frac


def _cardinality_cut(fl: _Facility, up: np.ndarray) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray]:
    """Σ_i o_i ≥ k: the fewest hubs (largest capacities first) whose capacity covers the demand."""
    caps = np.sort(fl.s[up > 0.5])[::-1]
    k = int(np.searchsorted(np.cumsum(caps), fl.d.sum() * (1 - 1e-9)) + 1)
    m = len(fl.o_cols)
    row = sp.csr_matrix((np.ones(m), (np.zeros(m, np.int64), fl.o_cols)), shape=(1, fl.n_cols))
    return row, np.array([float(min(k, len(caps)))]), np.array([np.inf])


def _fl_prober(fl: _Facility, lb: _MultiSourceBound, demand_rows: np.ndarray) -> Prober:
    """Hub probing with the Lagrangian bound at the node LP's demand duals."""

    def probe(master: _Master, ints: np.ndarray, lo: np.ndarray, up: np.ndarray
              ) -> tuple[np.ndarray, np.ndarray]:
        pi = np.zeros(len(master.f.row_lo))
        pi[master.rows] = master.h.getSolution().row_dual
        u = pi[demand_rows] * fl.d
        pos = np.searchsorted(ints, fl.o_cols)
        pos = np.minimum(pos, len(ints) - 1)
        present = ints[pos] == fl.o_cols
        hlo, hup = np.zeros(len(fl.f)), np.zeros(len(fl.f))
        hlo[present], hup[present] = lo[pos[present]], up[pos[present]]
        v, _, _ = lb.hubs(u)
        kv, o = lb.knapsack(v, hlo, hup)
        down, upb = np.full(len(ints), np.nan), np.full(len(ints), np.nan)
        if math.isfinite(kv):
            closed, opened = _probe_hubs(lb, _Ascent(float(u.sum()) + kv, u, v, o, 0.0), hlo, hup)
            down[pos[present]], upb[pos[present]] = closed[present], opened[present]
        return down, upb

    return probe


def _solve_fl_multi(model: NetworkModel, fl: _Facility, options: SolveOptions, deadline: float,
                    rep: AccelerationReport) -> SolverResult:
    """Multi-source CFLP: Lagrangian bound, heuristics and hub fixing, then LP branch and price
    over the hubs left open to choice."""
    t0 = time.perf_counter()
    rep.method = "facility-location"
    lb = _MultiSourceBound(fl)
    transport = _Transport(fl, options)
    inc = _MSIncumbent()
    m = len(fl.f)

    def visit(p: _Ascent) -> float:
        inc.offer(transport, _complete(lb, (p.o > 0.5) | (fl.lo > 0.5), p.v, fl.up))
        return inc.value

    def tol() -> float:
        return max(1e-9, options.mip_gap * abs(inc.value)) if math.isfinite(inc.value) else 0.0

    u0 = np.sort(fl.cost, axis=0)
    u = np.where(np.isfinite(u0[min(1, m - 1)]), u0[min(1, m - 1)], u0[0])
    a = _ascend(lb, u, fl.lo, fl.up, inc.value, tol(), 150, 2.0, visit=visit, every=25)
    if not math.isfinite(a.bound):
        return SolverResult(Status.INFEASIBLE, None, math.nan, math.inf, math.inf, 0.0, "infeasible")
    visit(a)
    a = _ascend(lb, a.u, fl.lo, fl.up, inc.value, tol(), 600, a.step, visit=visit, every=20)
    _improve(lb, transport, inc, a.v, t0 + 0.25 * max(deadline - t0, 0.0))
    rep.lp_bound, rep.start_objective = a.bound, inc.value
    rep.times["lagrangian"] = time.perf_counter() - t0
    if inc.opened is None or inc.frac is None:  # no plan found: let HiGHS decide
        return _plain(model, options, deadline)
    start = _Incumbent(inc.value, fl.plan(inc.opened, inc.frac))
    closed, opened = _probe_hubs(lb, a, fl.lo, fl.up)
    lo, up = fl.lo.copy(), fl.up.copy()
    lo[closed > inc.value - tol()] = 1.0
    up[opened > inc.value - tol()] = 0.0
    rep.fixed = int((lo == up).sum() - (fl.lo == fl.up).sum())
    if a.bound >= inc.value - tol() or not (lo <= up).all():
        bound = min(inc.value, max(a.bound, inc.value - tol()))
        return SolverResult(Status.OPTIMAL, start.x, start.objective, bound,
                            (start.objective - bound) / max(abs(start.objective), 1e-10),
                            time.perf_counter() - t0, "optimal")
    col_lo, col_up, *_ = model.lm.bounds()
    col_lo[fl.o_cols], col_up[fl.o_cols] = lo, up
    shut = up < 0.5
    col_up[fl.x_cols[shut]] = 0.0
    ys = fl.y_cols[shut]
    col_up[ys[ys >= 0]] = 0.0
    f = _Full.of(model.lm, LAZY_FAMILIES, col_lo, col_up, _cardinality_cut(fl, up))
    lb.restrict(up > 0.5)
    _, fill, _ = lb.hubs(a.u)
    support = fl.y_cols[lb.hub[fill], lb.mk[fill]]
    master = _Master(f, options, _initial_columns(f, extra=support[support >= 0]))
    demand_rows = model.lm.constraints["demand"].start + np.arange(len(fl.d))

    t1 = time.perf_counter()
    status, bound = _branch_and_bound(master, start, options, deadline, rep, _fl_prober(fl, lb, demand_rows))
    rep.times["branch"] = time.perf_counter() - t1
    rep.lp_solves, rep.active_columns = master.solves, len(master.cols)
    rep.lazy_added = int((master.row_pos[f.lazy] >= 0).sum())
    x = start.x
    assert x is not None
    gap = max(0.0, (start.objective - bound) / max(abs(start.objective), 1e-10))
    return SolverResult(status, x, start.objective, bound, gap, time.perf_counter() - t0, status.value)


def _plain(model: NetworkModel, options: SolveOptions, deadline: float) -> SolverResult:
    """HiGHS on the model as built (the remaining time as its limit)."""
    from .solve import make_highs

    left = deadline - time.perf_counter()
    h = make_highs(model.lm, _with_limit(options, left) if math.isfinite(left) else options)
    return run_highs(h, True)


def _with_limit(options: SolveOptions, seconds: float) -> SolveOptions:
    return dataclasses.replace(options, time_limit=max(seconds, 1e-3))


def solve_accelerated(model: NetworkModel, options: SolveOptions) -> tuple[SolverResult, AccelerationReport]:
    """Solve ``model`` exactly, by the fastest route measured for its structure.

    A plain facility location model (one supplier, one product, no policy beyond single
    sourcing) goes to the facility location kernel (small ones to HiGHS on the compact
    model); other single-source models to HiGHS on the projected model; everything else to
    HiGHS as built. The plan is checked against every row of the model before it is returned.
    """
    t0 = time.perf_counter()
    deadline = t0 + (math.inf if options.time_limit is None else options.time_limit)
    rep = AccelerationReport(method="highs")
    lm = model.lm
    _, _, _, _, integer = lm.bounds()
    result: SolverResult | None = None
    fl = _facility(model) if integer.any() else None
    if fl is not None and not fl.single and fl.cost.size >= MIN_KERNEL_SIZE:
        result = _solve_fl_multi(model, fl, options, deadline, rep)
    elif fl is not None and not fl.single:
        # small multi-source facility location: HiGHS proves these at the root
        rep.method = "compact"
        result = _solve_compact(fl, options, deadline, rep)
    elif fl is not None and fl.single and _SingleSourceBound.applies(fl):
        result = _solve_fl_single(model, fl, options, deadline, rep)
    elif integer.any() and (proj := _single_source_projection(model)) is not None:
        rep.method = "projected"
        result = _solve_projected(model, options, *proj, rep)
    if result is not None and result.x is not None and not _feasible(lm, result.x):
        rep.method += " (rejected)"
        result = None
    if result is None:
        result = _plain(model, options, deadline)
    rep.times["total"] = time.perf_counter() - t0
    return dataclasses.replace(result, solve_time=time.perf_counter() - t0), rep


def _feasible(lm: LinearModel, x: np.ndarray) -> bool:
    """``x`` satisfies every bound, row and integrality of ``lm`` (HiGHS's tolerances, scaled)."""
    col_lo, col_up, row_lo, row_up, integer = lm.bounds()
    a = lm.matrix()
    scale = _row_scale(a)
    ax = a @ x
    rows = np.maximum(ax - row_up, row_lo - ax) / scale
    cols = np.maximum(x - col_up, col_lo - x)
    frac = np.abs(x[integer] - np.round(x[integer]))
    return bool(rows.max(initial=0.0) <= 1e-6 and cols.max(initial=0.0) <= 1e-6
                and frac.max(initial=0.0) <= 1e-6)


def _ss_local_search(fl: _Facility, hub_of: np.ndarray, deadline: float) -> tuple[float, np.ndarray]:
    """Improve a single-source plan (``hub_of[j]`` serves market j): best shift of one market,
    best swap of two, closing one hub (its markets to their cheapest hubs with room) or opening
    one (taking the markets it serves cheaper), until no move pays. Returns value and hub_of."""
    m, n = fl.cost.shape
    c, d, s, f = fl.cost, fl.d, fl.s, fl.f
    hub_of = hub_of.copy()
    cols = np.arange(n)

    def loads() -> np.ndarray:
        return np.bincount(hub_of, d, minlength=m)

    def value() -> float:
        used = (loads() > 0) | (fl.lo > 0.5)
        return float(f[used].sum() + c[hub_of, cols].sum() + fl.constant)

    allowed = fl.up > 0.5
    eps = 1e-9 * max(1.0, float(np.abs(c[np.isfinite(c)]).max(initial=1.0)))
    while time.perf_counter() < deadline:
        load = loads()
        used = (load > 0) | (fl.lo > 0.5)
        cur = c[hub_of, cols]
        # shift market j to hub i
        empties = (load[hub_of] - d <= 0) & (fl.lo[hub_of] < 0.5)
        gain = cur[None, :] - c - np.where(used, 0.0, f)[:, None] + np.where(empties, f[hub_of], 0.0)[None, :]
        gain[(load[:, None] + d[None, :] > s[:, None] + 1e-9) | ~allowed[:, None]] = -np.inf
        gain[hub_of, cols] = -np.inf
        i, j = np.unravel_index(np.argmax(gain), gain.shape)
        if gain[i, j] > eps:
            hub_of[j] = i
            continue
        # swap markets j and k between their hubs
        hj = hub_of
        cross = c[hj[None, :], cols[:, None]]  # cross[j, k] = cost of j at k's hub
        sw = cur[:, None] + cur[None, :] - cross - cross.T
        room_k = load[hj][None, :] - d[None, :] + d[:, None] <= s[hj][None, :] + 1e-9
        sw[~(room_k & room_k.T) | (hj[:, None] == hj[None, :])] = -np.inf
        j, k = np.unravel_index(np.argmax(sw), sw.shape)
        if sw[j, k] > eps:
            hub_of[j], hub_of[k] = hub_of[k], hub_of[j]
            continue
        # close a hub or open one (greedy reassignment), best first
        best_gain, best_plan = eps, None
        for i in np.flatnonzero(used & (fl.lo < 0.5)):
            mine = np.flatnonzero(hub_of == i)
            mine = mine[np.argsort(-d[mine])]
            # close i, its markets to the cheapest hubs with room: among the open ones, or
            # with one closed hub k opened in its place (the few that serve them cheapest)
            shut = np.flatnonzero(~used & allowed)
            shut = shut[np.argsort(f[shut] + c[np.ix_(shut, mine)].sum(axis=1), kind="stable")]
            for k_new in [-1, *shut[:SWAP_IN]]:
                room = np.where(used & allowed, s - load, -np.inf)
                if k_new >= 0:
                    room[k_new] = s[k_new]
                room[i] = -np.inf
                plan = hub_of.copy()
                for j in mine:
                    cand = np.where(room >= d[j] - 1e-9, c[:, j], np.inf)
                    k = int(np.argmin(cand))
                    if not np.isfinite(cand[k]):
                        break
                    plan[j] = k
                    room[k] -= d[j]
                else:
                    opened = ~used & (np.bincount(plan, d, minlength=m) > 0)
                    g = f[i] + (cur - c[plan, cols]).sum() - f[opened].sum()
                    if g > best_gain:
                        best_gain, best_plan = g, plan
        for i in np.flatnonzero(~used & allowed):
            saving = cur - c[i]
            order = np.argsort(-saving / d)
            take = order[saving[order] > 0]
            take = take[np.cumsum(d[take]) <= s[i] + 1e-9]
            if len(take):
                plan = hub_of.copy()
                plan[take] = i
                left = np.bincount(plan, d, minlength=m)
                freed = used & (left == 0) & (fl.lo < 0.5)
                g = saving[take].sum() - f[i] + f[freed].sum()
                if g > best_gain:
                    best_gain, best_plan = g, plan
        if best_plan is None:
            break
        hub_of = best_plan
    return value(), hub_of
