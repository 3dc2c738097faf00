"""Lazy caps: the dependence caps join the model only where a plan breaks them.

A cap on one origin's share (``max_country_share[m,p,c]``: Σ_h y[h,m,p,c] ≤ κ·demand[m,p], and
``max_region_share``) names its origin, so it keeps that origin apart from every other one and
the origins no longer merge (:mod:`.aggregate`); yet at an optimum few caps bind. So: solve with
the caps of ``R`` only (at first none), check every cap left out on the plan, add the broken
ones to ``R`` and repeat. The model without some rows is a relaxation: the first plan that
breaks none is optimal for the whole model (and certified on every row by the caller).

A master's plan re-routed within every cap (its design fixed) is a plan of the whole model; the
caps it fills to their bound (:func:`tight`) on a (market, product) demand whose cap the plan
broke join ``R`` too: the re-routing moved what one cap cut off to the next cheapest origin,
whose cap the next master's plan would break. Ladder L friend-shoring: the first master's plan
broke 1,077 caps; with the 877 more its re-routing filled on those demands the second master's
bound was 2.2e-6 below the optimum, and a third master proved it (434 s, where the rounds of the
broken caps alone ended at gap 3e-5 in 600 s). Every cap its re-routing filled (4,657) made the
second master 34% larger and 70% slower, and its bound lower; on S they were 511 caps more than
the 54 the plan broke (3.8 s against 2.2 s).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..model.linear import ConBlock, LinearModel

#: the constraint blocks that may wait until a plan breaks them
LAZY = ("max_country_share", "max_region_share")
#: masters with some caps left out before the next one takes them all
ROUNDS = 6
#: a master whose reduction (:func:`.mix.reduce`) keeps more than this share of the whole
#: model's columns is not worth its round: the next master takes every cap. Ladder M
#: friend-shoring's second master keeps 38% (39,739 of 104,185 columns), and it and a third took
#: 22 and 27 s where the whole model, with the first master's plan as its start, takes 44 s; L's
#: keeps 23% (180,652 of 769,659) and took 162 s, where the whole model had not ended its root in
#: 414 s
SPLIT = 0.3
#: a cap is broken when it is exceeded by more than this (relative to its bound, at least 1)
TOL = 1e-7


def _blocks(lm: LinearModel) -> list[ConBlock]:
    """``lm``'s :data:`LAZY` blocks that are upper bounds only, of one row or more (a period
    without demand has none: its empty block failed pandas 2.2's factorize, the route with it)."""
    return [b for n, b in lm.constraints.items() if n in LAZY and b.size and np.isneginf(b.lower).all()]


def lazy_rows(lm: LinearModel) -> np.ndarray | None:
    """The rows of ``lm`` in :data:`LAZY` blocks that are upper bounds only (None: no such row)."""
    rows = [b.start + np.arange(b.size) for b in _blocks(lm)]
    return np.concatenate(rows) if rows else None


def demands(lm: LinearModel) -> np.ndarray:
    """Per row of :func:`lazy_rows`, a code of the (market, product) whose demand it caps a share
    of (and its period, in a roadmap)."""
    blocks = _blocks(lm)
    keys = ["market", "product", *(["period"] if "period" in blocks[0].index else [])]
    both = pd.concat([b.index[keys] for b in blocks], ignore_index=True)
    return pd.MultiIndex.from_frame(both).factorize()[0]


def first_caps(rows: np.ndarray, start: object) -> np.ndarray:
    """Which caps ``rows`` (from :func:`lazy_rows`) the first master takes: those a MIP start
    names as filled by its plan (its ``filled_caps``, rows of the model: a roadmap's periods
    solved alone), else none."""
    filled = getattr(start, "filled_caps", None)
    return np.zeros(len(rows), bool) if filled is None else np.isin(rows, filled)


def master(lm: LinearModel, rows: np.ndarray, active: np.ndarray) -> LinearModel:
    """``lm`` without the caps ``rows`` (from :func:`lazy_rows`) that are not ``active``."""
    keep = np.ones(lm.n_rows, bool)
    keep[rows[~active]] = False
    return lm.subset(np.ones(lm.n_cols, bool), keep)


def caps(lm: LinearModel, rows: np.ndarray) -> tuple[sp.csr_matrix, np.ndarray]:
    """The matrix rows and upper bounds of the caps ``rows``, assembled once per solve."""
    return lm.matrix()[rows], lm.bounds()[3][rows]


def _excess(cap: tuple[sp.csr_matrix, np.ndarray], x: np.ndarray) -> np.ndarray:
    """How far the column vector ``x`` exceeds each cap (from :func:`caps`), relative to its
    bound (at least 1)."""
    a, upper = cap
    return (a @ x - upper) / np.maximum(1.0, np.abs(upper))


def broken(cap: tuple[sp.csr_matrix, np.ndarray], x: np.ndarray) -> np.ndarray:
    """Which caps (from :func:`caps`) the column vector ``x`` breaks."""
    return _excess(cap, x) > TOL


def tight(cap: tuple[sp.csr_matrix, np.ndarray], x: np.ndarray) -> np.ndarray:
    """Which caps (from :func:`caps`) the column vector ``x`` fills to their bound (or breaks)."""
    return _excess(cap, x) > -TOL


def note(rounds: list[int], n: int) -> str:
    """What the generation did, for the report's note."""
    return (f"lazy caps: {rounds[-1]} of {n} cap rows in the model after {len(rounds)} "
            f"round{'s' * (len(rounds) > 1)} ({' → '.join(map(str, rounds))})")
