"""The textbook strong CFLP formulation, built directly with highspy: the comparison baseline.

Independent of the library: its own reader of the instance files (:func:`read_instance`, the
layouts of OR-Library's capinfo.html and of Holmberg's files, described again in the data
folder's SOURCE.md when it is there) and nothing of ``resilient_sc``, so that a fault in
the library's reader or model cannot be on both sides of a comparison.

For an :class:`Instance` with m facilities and n customers:
``x[i,j]`` ∈ [0,1] the fraction of customer j served by facility i (binary when
single-sourced), ``y[i]`` ∈ {0,1} facility i open;

    min  Σ_i f_i y_i + Σ_ij c_ij x_ij
    s.t. Σ_i x_ij = 1                     (every customer served)
         Σ_j d_j x_ij ≤ s_i y_i           (capacity)
         x_ij ≤ y_i                        (strong links)

Column order: ``y`` (m), then ``x`` row-major by facility (``x[i,j]`` at m + i·n + j).
"""

from __future__ import annotations

import math
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import highspy
import numpy as np
import scipy.sparse as sp


@dataclass(frozen=True)
class Instance:
    """A capacitated facility location instance as its file gives it."""

    capacity: np.ndarray  # (m,) units
    fixed_cost: np.ndarray  # (m,) money
    demand: np.ndarray  # (n,) units
    allocation_cost: np.ndarray  # (m, n) money for serving all of customer j from facility i


def read_instance(path: Path, capacity: float | None = None) -> Instance:
    """An OR-Library ``cap*.txt`` file (the word ``capacity`` in capa/b/c: ``capacity`` given) or
    a Holmberg ``p<k>`` file (customers' demands in one block, then the costs facility by facility);
    NUL padding and carriage returns dropped, numbers past the instance's ignored (p47)."""
    tokens = path.read_bytes().replace(b"\0", b" ").decode("ascii").split()
    m, n = int(tokens[0]), int(tokens[1])
    head = tokens[2:2 + 2 * m]
    cap = np.array([capacity if t == "capacity" else float(t) for t in head[0::2]], dtype=float)
    fixed = np.array(head[1::2], dtype=float)
    rest = np.array(tokens[2 + 2 * m:2 + 2 * m + n + m * n], dtype=float)
    if path.name.startswith("p"):  # Holmberg: demands, then m rows of n costs
        demand, cost = rest[:n], rest[n:].reshape(m, n)
    else:  # OR-Library: per customer its demand, then its m costs
        per_customer = rest.reshape(n, m + 1)
        demand, cost = per_customer[:, 0], per_customer[:, 1:].T
    return Instance(cap, fixed, demand, np.ascontiguousarray(cost))


@contextmanager
def _stdout_to_stderr() -> Iterator[None]:
    """File descriptor 1 pointed at 2 meanwhile (HiGHS writes its banner there)."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        os.dup2(2, 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


@dataclass(frozen=True)
class TextbookResult:
    """Outcome of one textbook solve."""

    status: str
    objective: float
    bound: float
    gap: float
    build_time: float
    solve_time: float


def build_textbook(inst: Instance, single_source: bool = False,
                   threads: int | None = 1, time_limit: float | None = None,
                   mip_gap: float = 1e-6) -> highspy.Highs:
    """A HiGHS object holding the textbook strong formulation of ``inst``."""
    m, n = inst.allocation_cost.shape
    nx = m * n
    i_idx = np.repeat(np.arange(m), n)  # facility of x column k
    j_idx = np.tile(np.arange(n), m)  # customer of x column k
    xcol = m + np.arange(nx)
    # rows: n assignment, m capacity, m·n links
    rows = np.concatenate([j_idx, n + i_idx, n + np.arange(m), n + m + np.arange(nx),
                           n + m + np.arange(nx)])
    cols = np.concatenate([xcol, xcol, np.arange(m), xcol, i_idx])
    vals = np.concatenate([np.ones(nx), inst.demand[j_idx], -inst.capacity, np.ones(nx), -np.ones(nx)])
    a = sp.csr_matrix((vals, (rows, cols)), shape=(n + m + nx, m + nx))
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = m + nx, n + m + nx
    lp.col_cost_ = np.concatenate([inst.fixed_cost, inst.allocation_cost.ravel()])
    lp.col_lower_ = np.zeros(m + nx)
    lp.col_upper_ = np.ones(m + nx)
    lp.row_lower_ = np.concatenate([np.ones(n), np.full(m + nx, -highspy.kHighsInf)])
    lp.row_upper_ = np.concatenate([np.ones(n), np.zeros(m + nx)])
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_ = a.indptr.astype(np.int32)
    lp.a_matrix_.index_ = a.indices.astype(np.int32)
    lp.a_matrix_.value_ = a.data.astype(float)
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = m + nx, n + m + nx
    kind = highspy.HighsVarType
    lp.integrality_ = [kind.kInteger] * m + [kind.kInteger if single_source else kind.kContinuous] * nx
    with _stdout_to_stderr():  # the HiGHS banner
        h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("mip_rel_gap", mip_gap)
    h.setOptionValue("mip_abs_gap", 1e-9)
    h.setOptionValue("random_seed", 0)
    if threads is not None:
        h.setOptionValue("threads", threads)
    if time_limit is not None:
        h.setOptionValue("time_limit", float(time_limit))
    h.passModel(lp)
    return h


def solve_textbook(inst: Instance, single_source: bool = False, threads: int | None = 1,
                   time_limit: float | None = None) -> TextbookResult:
    """Build and solve the textbook model; times in seconds."""
    start = time.perf_counter()
    h = build_textbook(inst, single_source, threads, time_limit)
    built = time.perf_counter()
    with _stdout_to_stderr():
        h.run()
    solved = time.perf_counter()
    info = h.getInfo()
    ok = info.primal_solution_status == 2
    return TextbookResult(h.modelStatusToString(h.getModelStatus()),
                          float(info.objective_function_value) if ok else math.nan,
                          float(info.mip_dual_bound), float(info.mip_gap) if ok else math.inf,
                          built - start, solved - built)
