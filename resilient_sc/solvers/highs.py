"""HiGHS plumbing: a silent HiGHS object with the options set, the one-call hand-over of the
sparse model, a run translated into a :class:`~.base.SolverResult`, and a MIP start."""

from __future__ import annotations

import dataclasses
import math
import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Protocol

import highspy
import numpy as np
import pandas as pd
import scipy.sparse as sp

from .base import SolveOptions, SolverResult, Status

if TYPE_CHECKING:
    from ..model.linear import LinearModel

#: guards the process-wide file descriptors 1 and 2 while they are redirected
_fd_lock = threading.Lock()
_redirected = 0  # how many stdout_to_stderr blocks are open (threads may nest or overlap)
_saved_stdout: int | None = None


@contextmanager
def stdout_to_stderr() -> Iterator[None]:
    """Send C-level output (HiGHS banner and log) to stderr, keeping stdout for results.

    Safe across threads: overlapping blocks share one redirection, undone when the last ends.
    """
    global _redirected, _saved_stdout
    sys.stdout.flush()
    with _fd_lock:
        if _redirected == 0:
            try:
                _saved_stdout = os.dup(1)
                os.dup2(2, 1)
            except OSError:  # no usable stdout or stderr at all
                _saved_stdout = None
        _redirected += 1
    try:
        yield
    finally:
        with _fd_lock:
            _redirected -= 1
            if _redirected == 0 and _saved_stdout is not None:
                sys.stdout.flush()
                os.dup2(_saved_stdout, 1)
                os.close(_saved_stdout)
                _saved_stdout = None


@contextmanager
def _c_output_silenced() -> Iterator[None]:
    """C-level stdout and stderr to the null device, for a moment (a HiGHS constructor)."""
    sys.stdout.flush()
    sys.stderr.flush()
    with _fd_lock:
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            saved = os.dup(1), os.dup(2)
        except OSError:
            yield
            return
        try:
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
            yield
        finally:
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            for fd in (*saved, devnull):
                os.close(fd)


def new_highs(options: SolveOptions) -> highspy.Highs:
    """An empty HiGHS object with ``options`` set.

    HiGHS prints a banner (``Running HiGHS 1.x ...``) when it is created; it goes to stderr
    with the rest of the log when ``options.log`` is True, and nowhere otherwise (a log file
    gets HiGHS's log without it): a solve is silent unless a log is asked for.
    """
    if options.log is True:
        with stdout_to_stderr():
            h = highspy.Highs()
    else:
        with _c_output_silenced():
            h = highspy.Highs()
    _set_options(h, options)
    return h


def pass_matrix(h: highspy.Highs, a: sp.spmatrix, cost: np.ndarray, col_lo: np.ndarray,
                col_up: np.ndarray, row_lo: np.ndarray, row_up: np.ndarray, integer: np.ndarray) -> None:
    """Hand ``min cost·x, row_lo ≤ a x ≤ row_up, col_lo ≤ x ≤ col_up`` (``integer``: bool per
    column) to ``h`` in one ``passModel`` call of numpy arrays; a CSC ``a`` goes in as is (HiGHS
    stores columns), any other sparse matrix by rows."""
    by_column = sp.isspmatrix_csc(a)
    a = a if by_column else sp.csr_matrix(a)
    fmt = highspy.MatrixFormat.kColwise if by_column else highspy.MatrixFormat.kRowwise
    h.passModel(a.shape[1], a.shape[0], a.nnz, int(fmt), int(highspy.ObjSense.kMinimize), 0.0,
                np.asarray(cost, float), col_lo, col_up, row_lo, row_up,
                a.indptr.astype(np.int32, copy=False), a.indices.astype(np.int32, copy=False),
                a.data.astype(float, copy=False), np.asarray(integer).astype(np.int32))


def make_highs(lm: LinearModel, options: SolveOptions, names: bool = False) -> highspy.Highs:
    """A HiGHS object holding ``lm``, passed in one ``passModel`` call of numpy arrays.

    ``names`` also passes the ``family(i,j)`` column and row names (for LP/MPS files).
    """
    h = new_highs(options)
    pass_matrix(h, lm.matrix(by_column=True), lm.objective(), *lm.bounds())
    if names:
        for i, name in enumerate(lm.column_names()):
            h.passColName(i, name)
        for i, name in enumerate(lm.row_names()):
            h.passRowName(i, name)
    return h


_scheduler_threads: int | None = None


def _set_options(h: highspy.Highs, options: SolveOptions) -> None:
    log = options.log
    h.setOptionValue("output_flag", bool(log))
    if log and log is not True:
        h.setOptionValue("log_file", str(log))
        h.setOptionValue("log_to_console", False)
    if options.time_limit is not None:
        h.setOptionValue("time_limit", float(options.time_limit))
    h.setOptionValue("mip_rel_gap", float(options.mip_gap))
    h.setOptionValue("mip_abs_gap", 1e-9)
    h.setOptionValue("random_seed", int(options.seed))
    if options.threads is not None:
        global _scheduler_threads
        if _scheduler_threads != int(options.threads):
            # HiGHS's thread scheduler is global: another thread count needs a reset first
            highspy.Highs.resetGlobalScheduler(True)
            _scheduler_threads = int(options.threads)
        h.setOptionValue("threads", int(options.threads))


def tune(h: highspy.Highs, options: SolveOptions) -> None:
    """Set the HiGHS options that suit network models
    (``options.accelerate_options.network_options``) when ``options`` accelerate."""
    if options.accelerate and options.backend == "highs":
        for name, value in options.accelerate_options.network_options:
            h.setOptionValue(name, value)


def until(options: SolveOptions, deadline: float) -> SolveOptions:
    """``options`` with the time left before ``deadline`` (``time.perf_counter()`` seconds) as
    the time limit, at least 1 ms; ``options`` itself when there is no deadline."""
    left = deadline - time.perf_counter()
    if not math.isfinite(left):
        return options
    return dataclasses.replace(options, time_limit=max(left, 1e-3))


#: HiGHS's model status -> Status (anything else is an error)
STATUS = {
    highspy.HighsModelStatus.kOptimal: Status.OPTIMAL,
    highspy.HighsModelStatus.kInfeasible: Status.INFEASIBLE,
    highspy.HighsModelStatus.kUnboundedOrInfeasible: Status.INFEASIBLE,
    highspy.HighsModelStatus.kTimeLimit: Status.TIME_LIMIT,
    highspy.HighsModelStatus.kInterrupt: Status.INTERRUPTED,
    highspy.HighsModelStatus.kSolutionLimit: Status.INTERRUPTED,
    highspy.HighsModelStatus.kIterationLimit: Status.INTERRUPTED,
}


def run_highs(h: highspy.Highs, is_mip: bool) -> SolverResult:
    """Run HiGHS and translate its outcome."""
    start = time.perf_counter()
    with stdout_to_stderr():
        h.run()
    elapsed = time.perf_counter() - start
    ms = h.getModelStatus()
    info = h.getInfo()
    status = STATUS.get(ms, Status.ERROR)
    has_solution = info.primal_solution_status == 2  # kSolutionStatusFeasible
    x = np.asarray(h.getSolution().col_value) if has_solution else None
    objective = float(info.objective_function_value) if has_solution else math.nan
    if is_mip:
        bound = float(info.mip_dual_bound)
        gap = float(info.mip_gap) if has_solution else math.inf
    else:
        bound, gap = objective, 0.0
    if status is Status.OPTIMAL:
        bound = objective if not math.isfinite(bound) else bound
        gap = max(0.0, gap) if math.isfinite(gap) else 0.0
    nodes = int(info.mip_node_count) if is_mip and info.mip_node_count >= 0 else None
    iterations = int(info.simplex_iteration_count) if info.simplex_iteration_count >= 0 else None
    return SolverResult(status, x, objective, bound, gap, elapsed, h.modelStatusToString(ms),
                        nodes=nodes, iterations=iterations)


class Design(Protocol):
    """A plan's design, as a MIP start: contracted suppliers, opened hubs, hub-market pairs
    used (a :class:`~resilient_sc.results.Plan` is one)."""

    @property
    def suppliers(self) -> pd.DataFrame: ...  # column supplier

    @property
    def hubs(self) -> pd.DataFrame: ...  # column hub

    @property
    def outbound(self) -> pd.DataFrame: ...  # columns hub, market


def set_start(h: highspy.Highs, lm: LinearModel, start: Design) -> None:
    """Hand HiGHS the design of ``start`` (suppliers, hubs, assignments) as a partial MIP
    start; HiGHS completes the flows itself and drops the start if it is infeasible."""
    picks = [("supplier_contracted", ["supplier"], start.suppliers),
             ("hub_opened", ["hub"], start.hubs),
             ("assign", ["hub", "market"], start.outbound[["hub", "market"]].drop_duplicates())]
    cols, vals = [], []
    for name, keys, chosen in picks:
        block = lm.variables.get(name)
        if block is None:
            continue
        on = pd.MultiIndex.from_frame(block.index[keys]).isin(pd.MultiIndex.from_frame(chosen[keys]))
        cols.append(block.columns)
        vals.append(on.astype(float))
    if cols:
        idx = np.concatenate(cols).astype(np.int32)
        h.setSolution(len(idx), idx, np.concatenate(vals))
