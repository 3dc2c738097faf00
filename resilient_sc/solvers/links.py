"""Strong links on demand: the ``hub_link`` rows an LP relaxation needs, found before HiGHS runs.

``hub_link[h,m,p]``: Σ_c y[h,m,p,c] ≤ demand[m,p] · o[h] holds in every plan whose o is whole:
at o = 0 ``hub_capacity[h]`` bounds the hub's inflow, and so its outflow, by 0; at o = 1 the
demand row bounds the flow by demand[m,p]. The links only tighten the LP relaxation, yet they
are most of a network model's rows (ladder L near-shoring, origins merged: 60k of 73k) and
much of the time of its LPs. So the relaxation is solved without them, the links its plan
breaks are added and it is solved again, warm started, until it breaks none: its bound is then
the whole relaxation's. HiGHS gets the MIP with those links only (ladder M near-shoring: 577
of 11,712), whose integer plans are the whole model's (the caller certifies every row).
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import numpy as np
import scipy.sparse as sp

from ..model.linear import LinearModel
from .base import SolveOptions, Status, log_step
from .highs import new_highs, pass_matrix, run_highs

#: the rows that may wait, and the rows that make them implied for whole designs
FAMILY, IMPLIED_BY = "hub_link", "hub_capacity"
#: LP rounds before every link is kept after all
ROUNDS = 50
#: the share of the time left before the deadline that the rounds may take
SHARE = 0.25
#: the note when the rounds did not end and every link stayed
ALL_KEPT = "strong links: all in the model (not found in time)"
#: a link is broken when its flow exceeds demand · o by more than this (units of the product)
TOL = 1e-7


#: within :func:`remembered`, the links the last rounds found (one mask over the link rows)
_last: ContextVar[list[np.ndarray] | None] = ContextVar("links_found_last", default=None)
#: within :func:`settled`: the links remembered are taken as they are
_settled: ContextVar[bool] = ContextVar("links_settled", default=False)
#: why the links remembered stayed when the rounds did not end
OUT_OF_TIME = "its LP rounds not ended in their time or number"


@contextmanager
def remembered() -> Iterator[None]:
    """Within it, the rounds of :func:`needed` add the links the rounds before found after their
    first LP, when the model has as many link rows: for masters that differ in other rows only
    (lazy caps' rounds: 2-3 LP rounds a master, not 7-9; see :func:`_remembered_only` for when
    they run out of time)."""
    token = _last.set([])
    try:
        yield
    finally:
        _last.reset(token)


@contextmanager
def settled() -> Iterator[None]:
    """Within it (and :func:`remembered`), a model takes the links the rounds before found as they
    are, without LP rounds: for lazy caps' last master, the whole model, whose MIP solves its root
    LP anyway. Ladder M friend-shoring at HiGHS's seeds 0, 1 and 2: 52.3, 47.9 and 49.4 s against
    54.3, 61.9 and 58.1 s with the rounds (4.5 s of LPs on 104k columns for 51 more links). Not
    for the masters before it, whose bound decides whether another round is needed: L
    friend-shoring so took four masters, not three (541 s against 466 s)."""
    token = _settled.set(True)
    try:
        yield
    finally:
        _settled.reset(token)


def link_rows(lm: LinearModel) -> np.ndarray | None:
    """The rows of ``lm``'s ``hub_link`` block (None: no such block, or no ``hub_capacity``)."""
    block = lm.constraints.get(FAMILY)
    if block is None or not block.size or IMPLIED_BY not in lm.constraints:
        return None
    return block.start + np.arange(block.size)


def needed_rows(lm: LinearModel, links: np.ndarray, options: SolveOptions,
                deadline: float) -> tuple[np.ndarray, str] | None:
    """``(rows to keep, note)``: every row of ``lm`` but the ``links`` its LP relaxation
    does not need, found round by round as above; when the rounds do not end (in :data:`ROUNDS`
    rounds and the :data:`SHARE` of the time left) or an LP is not solved, those found so far
    (:func:`_remembered_only`), and None when none was: then every link stays."""
    col_lo, col_up, row_lo, row_up, _ = lm.bounds()
    return needed(lm.matrix(), lm.objective(), col_lo, col_up, row_lo, row_up, links, options, deadline)


def needed(a: sp.csr_matrix, cost: np.ndarray, col_lo: np.ndarray, col_up: np.ndarray, row_lo: np.ndarray,
           row_up: np.ndarray, links: np.ndarray, options: SolveOptions,
           deadline: float) -> tuple[np.ndarray, str] | None:
    """:func:`needed_rows` for the LP ``min cost·x, row_lo ≤ a x ≤ row_up, col_lo ≤ x ≤ col_up``
    (a model as arrays: the projected model of single sourcing)."""
    t = time.perf_counter()
    memory = _last.get()
    added = np.zeros(len(links), bool)
    # the links the rounds before found join after the first LP, which is far faster without
    # them (ladder M friend-shoring's whole model: 1.8 s, then 2.7 s warm with them, against 8.4 s
    # for one LP with them from the start)
    known = memory[0] if memory and len(memory[0]) == len(links) else np.zeros(len(links), bool)
    keep = np.ones(a.shape[0], bool)
    keep[links] = False
    if known.any() and _settled.get():
        return _remembered_only(keep, links, known, memory, "no LP rounds for the last master")
    stop = t + SHARE * (deadline - t) if math.isfinite(deadline) else math.inf
    h = new_highs(options)
    pass_matrix(h, a[keep], cost, col_lo, col_up, row_lo[keep], row_up[keep], np.zeros(a.shape[1], bool))
    link, upper = a[links], row_up[links]
    for rounds in range(1, ROUNDS + 1):
        if math.isfinite(stop):
            h.setOptionValue("time_limit", max(stop - time.perf_counter(), 1e-3))
        log_step(options, f"strong links: LP round {rounds}, {int(added.sum()):,} of {len(links):,} links in")
        lp = run_highs(h, False)
        if lp.status is not Status.OPTIMAL or lp.x is None:
            return _remembered_only(keep, links, added | known, memory, OUT_OF_TIME)
        broken = np.flatnonzero(((link @ lp.x - upper > TOL) | (known & (rounds == 1))) & ~added)
        if not len(broken):
            keep[links[added]] = True
            if memory is not None:
                memory[:] = [added.copy()]
            return keep, (f"strong links: {int(added.sum()):,} of {len(links):,} in the model, found by "
                          f"{rounds} LP round{'s' * (rounds > 1)}")
        added[broken] = True
        rows = link[broken]
        h.addRows(len(broken), np.full(len(broken), -np.inf), upper[broken], rows.nnz,
                  rows.indptr[:-1].astype(np.int32), rows.indices.astype(np.int32), rows.data)
    return _remembered_only(keep, links, added | known, memory, OUT_OF_TIME)


def _remembered_only(keep: np.ndarray, links: np.ndarray, added: np.ndarray,
                     memory: list[np.ndarray] | None, why: str) -> tuple[np.ndarray, str] | None:
    """When the rounds did not end or were not run (``why``): the links remembered and added so far
    (``keep``), else None (none found: every link stays). Ladder L friend-shoring's third master,
    204k columns: its first LP was not solved in the quarter of the time left, and the MIP with
    all 64,288 links did not end its root, where 2,246 were the second master's. Without a master
    before, the links its rounds found (large-inputs audit: ladder XL base at 180 s
    had no plan with all 302,967 links, and a plan at gap 0.15% with the 5,760 found; L at 30 s,
    gaps 0.053% against 0.041% with all, neither proven)."""
    if not added.any():
        return None
    keep[links[added]] = True
    source = "as the model before needed them" if memory else "those its rounds found"
    return keep, f"strong links: {int(added.sum()):,} of {len(links):,} in the model, {source} ({why})"
