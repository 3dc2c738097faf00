"""The restricted master LP: the LP relaxation of a model over a growing subset of its columns
(priced in, Farkas pricing when infeasible) and of its lazy rows (separated when violated).

Knows only the arrays of a :class:`~resilient_sc.model.linear.LinearModel`; which rows are lazy
and which columns are the design is the caller's to say.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import highspy
import numpy as np
import scipy.sparse as sp

from ..base import SolveOptions, Status
from ..certify import row_scale
from ..highs import log_to_stderr, new_highs, pass_matrix

if TYPE_CHECKING:
    from ...model.linear import LinearModel

FEAS = 1e-6  # primal feasibility / integrality tolerance (as HiGHS)
DUAL = 1e-7  # reduced cost below which a column prices out


@dataclass(eq=False)
class Full:
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
    def of(cls, lm: LinearModel, lazy_rows: np.ndarray, design: np.ndarray,
           col_lo: np.ndarray | None = None, col_up: np.ndarray | None = None,
           cuts: tuple[sp.csr_matrix, np.ndarray, np.ndarray] | None = None) -> Full:
        """``lazy_rows`` may be left out while they hold (rows implied for integer designs);
        ``design`` the columns of the design decisions (rounded by the heuristic, flipped by the
        local search); ``col_lo``/``col_up`` override the model's bounds (columns fixed at 0
        never enter); ``cuts`` are valid extra rows (matrix, lower, upper) kept from the start."""
        a = lm.matrix().tocsr()
        lo0, up0, row_lo, row_up, integer = lm.bounds()
        if cuts is not None:
            a = sp.vstack([a, cuts[0]]).tocsr()
            row_lo, row_up = np.concatenate([row_lo, cuts[1]]), np.concatenate([row_up, cuts[2]])
        col_lo = lo0 if col_lo is None else col_lo
        col_up = up0 if col_up is None else col_up
        lazy = np.zeros(a.shape[0], bool)
        lazy[lazy_rows] = True
        scale = row_scale(a)
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


class Master:
    """The LP relaxation over a growing subset of the columns and rows of the full model.

    Missing columns sit at 0 (their lower bound) and enter when they price out negative;
    missing lazy rows enter when violated. ``solve`` returns only when neither happens, so
    its optimum is that of the LP over all columns with the rows in force.
    """

    def __init__(self, f: Full, options: SolveOptions, cols: np.ndarray) -> None:
        self.f = f
        n, m = len(f.cost), len(f.row_lo)
        self.col_pos = np.full(n, -1, np.int64)
        self.row_pos = np.full(m, -1, np.int64)
        self.cols = np.empty(0, np.int64)
        self.rows = np.empty(0, np.int64)
        self.h = new_highs(SolveOptions(threads=options.threads, seed=options.seed))
        self.h.setOptionValue("presolve", "off")
        self.solves = 0
        self.farkas_batch = options.accelerate_options.farkas_batch
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

    def row_duals(self) -> np.ndarray:
        """The dual of every row of the full model (0 for rows not in the master)."""
        pi = np.zeros(len(self.f.row_lo))
        pi[self.rows] = self.h.getSolution().row_dual
        return pi

    def reduced_costs(self) -> np.ndarray:
        return self.f.cost - self.f.csc.T @ self.row_duals()

    def objective(self) -> float:
        return float(self.h.getInfo().objective_function_value)

    def solve(self, deadline: float) -> Status:
        """The LP optimum over all columns: OPTIMAL; INFEASIBLE; TIME_LIMIT when ``deadline``
        passes; ERROR for any other HiGHS outcome."""
        f = self.f
        while True:
            t = time.perf_counter()
            if t > deadline:
                return Status.TIME_LIMIT
            with log_to_stderr(self.h):
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
                    return Status.INFEASIBLE
                # the cheapest first: the LP may need only a few of them to become feasible
                keep = max(self.farkas_batch, len(new) // 4)
                self.add_cols(new[np.argsort(f.cost[new], kind="stable")[:keep]])
                continue
            if ms != highspy.HighsModelStatus.kOptimal:
                return Status.ERROR
            new_cols = np.flatnonzero(inactive & (self.reduced_costs() < -DUAL))
            new_rows = np.empty(0, np.int64)
            missing = np.flatnonzero(f.lazy & (self.row_pos < 0))
            if len(missing):
                new_rows = missing[f.violation(self.x(), missing) > FEAS]
            if not len(new_cols) and not len(new_rows):
                return Status.OPTIMAL
            if len(new_cols):
                self.add_cols(new_cols)
                # the lazy rows of the new columns come along: their duals steer the pricing
                with_new = np.unique(f.csc[:, new_cols].tocoo().row)
                new_rows = np.union1d(new_rows, with_new[f.lazy[with_new] & (self.row_pos[with_new] < 0)])
            if len(new_rows):
                self.add_rows(new_rows)


def initial_columns(f: Full, per_row: int = 5, extra: np.ndarray | None = None) -> np.ndarray:
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
