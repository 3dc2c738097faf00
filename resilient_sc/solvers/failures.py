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
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..model.linear import LinearModel
from .base import SolveOptions, Status
from .highs import new_highs, pass_matrix, run_highs

PREFIX, DEMAND = "survive_", "survive_demand"
#: a failure is violated when its least shortfall exceeds this (units, relative to its demand)
SHORTFALL_TOL = 1e-7


@dataclass(frozen=True, eq=False)
class Failures:
    """The failure of each column and row of a model (-1: not a recourse column or row)."""

    names: np.ndarray
    column: np.ndarray
    row: np.ndarray


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
    others = a[:, column >= 0].tocsr()[row < 0]
    if others.nnz:
        return None
    return Failures(np.asarray(names, dtype=object), column, row)


def restricted(lm: LinearModel, fails: Failures, active: np.ndarray) -> tuple[LinearModel, np.ndarray]:
    """``lm`` with the recourse of the failures not ``active`` (bool per failure) left out, and
    the full column of each of its columns."""
    keep_col = (fails.column < 0) | active[np.maximum(fails.column, 0)]
    keep_row = (fails.row < 0) | active[np.maximum(fails.row, 0)]
    return lm.subset(keep_col, keep_row), np.flatnonzero(keep_col)


def violated(lm: LinearModel, fails: Failures, x: np.ndarray, options: SolveOptions
             ) -> tuple[np.ndarray, np.ndarray | None]:
    """Per failure, its least total shortfall with the columns outside the recourse fixed at
    ``x`` (full columns), and the recourse flows (None if the LP failed)."""
    a = lm.matrix(by_column=True)
    col_lo, col_up, row_lo, row_up, _ = lm.bounds()
    rec_col, rec_row = np.flatnonzero(fails.column >= 0), np.flatnonzero(fails.row >= 0)
    fixed = a[:, fails.column < 0] @ x[fails.column < 0]
    sub = a[rec_row][:, rec_col]
    demand = lm.constraints[DEMAND]
    d_rows = np.searchsorted(rec_row, demand.start + np.arange(demand.size))
    n_u = len(d_rows)
    slack = sp.csc_matrix((np.ones(n_u), (d_rows, np.arange(n_u))), shape=(len(rec_row), n_u))
    h = new_highs(dataclasses.replace(options, log=False))
    pass_matrix(h, sp.hstack([sub, slack], format="csc"),
                np.concatenate([np.zeros(len(rec_col)), np.ones(n_u)]),
                np.concatenate([col_lo[rec_col], np.zeros(n_u)]),
                np.concatenate([col_up[rec_col], np.full(n_u, math.inf)]),
                row_lo[rec_row] - fixed[rec_row], row_up[rec_row] - fixed[rec_row],
                np.zeros(len(rec_col) + n_u))
    result = run_highs(h, False)
    if result.status is not Status.OPTIMAL or result.x is None:
        return np.full(len(fails.names), math.inf), None
    u = result.x[len(rec_col):]
    rows = slice(demand.start, demand.start + demand.size)
    short = np.bincount(fails.row[rows], u, minlength=len(fails.names))
    need = np.bincount(fails.row[rows], np.maximum(row_lo[rows], 0), minlength=len(fails.names))
    return short / np.maximum(need, 1.0), result.x[:len(rec_col)]


def complete(x_master: np.ndarray, columns: np.ndarray, fails: Failures, recourse: np.ndarray,
             n_cols: int) -> np.ndarray:
    """The full column vector: the master's columns, then every failure's recourse flows."""
    full = np.zeros(n_cols)
    full[columns] = x_master
    full[fails.column >= 0] = recourse
    return full


def generation_note(rounds: list[int], n: int) -> str:
    """What the generation did, for the report's note."""
    return (f"failure generation: {rounds[-1]} of {n} failures in the model after {len(rounds)} "
            f"round{'s' * (len(rounds) > 1)} ({' → '.join(map(str, rounds))})")
