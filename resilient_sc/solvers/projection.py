"""Single-source flow substitution: under single sourcing without shortfall, every flow
y[h,m,p,c] whose (h,m,p) has one origin c equals demand[m,p] · assign[h,m] in every plan (and in
the LP relaxation), so HiGHS solves the model with those columns substituted out."""

from __future__ import annotations

import dataclasses
import math
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .base import SolveOptions, SolverResult, Trace
from .certify import row_scale
from .highs import Design, new_highs, pass_matrix, run_highs, set_start, tune

if TYPE_CHECKING:
    from ..model.build import NetworkModel

#: ``x = P @ x_kept`` and the kept columns
Projection = tuple[sp.csr_matrix, np.ndarray]


def recognise(model: NetworkModel) -> Projection | None:
    """``(P, keep)`` with ``x = P x_kept`` for the substitutable flows of ``model`` (variable
    blocks ``assign`` and ``outbound_flow``, no ``shortfall``); None when nothing qualifies."""
    lm, s = model.lm, getattr(model, "sets", None)
    if s is None or "assign" not in lm.variables or "shortfall" in lm.variables:
        return None  # (a roadmap has no one Sets: each of its periods has its own)
    yb, ab = lm.variables["outbound_flow"], lm.variables["assign"]
    flows = yb.index[["hub", "market", "product"]].reset_index(drop=True)
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


def snap(v: np.ndarray) -> np.ndarray:
    """Round values within 1e-9 (relative) of an integer: (c/d)·d is integral again."""
    r = np.round(v)
    return np.where(np.abs(v - r) <= 1e-9 * np.maximum(1.0, np.abs(v)), r, v)


def solve_projected(model: NetworkModel, options: SolveOptions, projection: Projection, trace: Trace,
                    start: Design | None = None, deadline: float = math.inf) -> SolverResult:
    """HiGHS on the model with the determined columns substituted out (``x = proj @ x_kept``);
    ``start`` as a MIP start (:func:`~.highs.set_start`, its values of the kept columns)."""
    proj, keep = projection
    lm = model.lm
    col_lo, col_up, row_lo, row_up, integer = lm.bounds()
    full = lm.matrix()
    scale = row_scale(full)
    a = (full @ proj).tocsr()
    a.data[np.abs(a.data) <= 1e-9 * np.repeat(scale, np.diff(a.indptr))] = 0.0
    a.eliminate_zeros()
    rows = np.flatnonzero((np.diff(a.indptr) > 0) | (row_lo > 0) | (row_up < 0))
    h = new_highs(options)
    tune(h, options, True)
    pass_matrix(h, a[rows], snap(proj.T @ lm.objective()), col_lo[keep], col_up[keep],
                row_lo[rows], row_up[rows], integer[keep])
    trace.columns = len(keep)
    if start is not None:
        position = np.full(lm.n_cols, -1)
        position[keep] = np.arange(len(keep))
        set_start(h, lm, start, options, deadline, position)
    result = run_highs(h, True)
    x = None if result.x is None else proj @ result.x
    return dataclasses.replace(result, x=x)
