"""Lazy caps: the dependence caps join the model only where a plan breaks them.

A cap on one origin's share (``max_country_share[m,p,c]``: Σ_h y[h,m,p,c] ≤ κ·demand[m,p], and
``max_region_share``) names its origin, so it keeps that origin apart from every other one and
the origins no longer merge (:mod:`.aggregate`); yet at an optimum few caps bind. So: solve with
the caps of ``R`` only (at first none), check every cap left out on the plan, add the broken
ones to ``R`` and repeat. The model without some rows is a relaxation: the first plan that
breaks none is optimal for the whole model (and certified on every row by the caller).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ..model.linear import LinearModel

#: the constraint blocks that may wait until a plan breaks them
LAZY = ("max_country_share", "max_region_share")
#: masters with some caps left out before the next one takes them all (ladder M friend-shoring:
#: each round broke a hundred more caps and split the merged origins further)
ROUNDS = 3
#: a master whose merged origins keep more than this share of the whole model's columns is not
#: worth its round: the next master takes every cap (ladder M friend-shoring: after the 457
#: caps of round one the merged master kept 76% of the columns; rounds two and three took 97 s
#: and the whole model with their best plan as MIP start 55 s, where the whole model alone
#: takes 67 s)
SPLIT = 0.5
#: a cap is broken when it is exceeded by more than this (relative to its bound, at least 1)
TOL = 1e-7


def lazy_rows(lm: LinearModel) -> np.ndarray | None:
    """The rows of ``lm`` in :data:`LAZY` blocks that are upper bounds only (None: no such row)."""
    rows = [b.start + np.arange(b.size) for n, b in lm.constraints.items()
            if n in LAZY and np.isneginf(b.lower).all()]
    return np.concatenate(rows) if rows else None


def caps(lm: LinearModel, rows: np.ndarray) -> tuple[sp.csr_matrix, np.ndarray]:
    """The matrix rows and upper bounds of the caps ``rows``, assembled once per solve."""
    return lm.matrix()[rows], lm.bounds()[3][rows]


def broken(cap: tuple[sp.csr_matrix, np.ndarray], x: np.ndarray) -> np.ndarray:
    """Which caps (from :func:`caps`) the column vector ``x`` breaks."""
    a, upper = cap
    return a @ x - upper > TOL * np.maximum(1.0, np.abs(upper))


def note(rounds: list[int], n: int) -> str:
    """What the generation did, for the report's note."""
    return (f"lazy caps: {rounds[-1]} of {n} cap rows in the model after {len(rounds)} "
            f"round{'s' * (len(rounds) > 1)} ({' → '.join(map(str, rounds))})")
