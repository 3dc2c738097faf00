"""HiGHS plumbing: a silent HiGHS object with the options set, the one-call hand-over of the
sparse model, a run translated into a :class:`~.base.SolverResult` and a MIP start; every run
obeys the stop request of :mod:`resilient_sc.solvers.stops`."""

from __future__ import annotations

import dataclasses
import math
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Protocol

import highspy
import numpy as np
import pandas as pd
import scipy.sparse as sp

from .base import SolveOptions, SolverResult, Status, gap_of
from .stops import c_output_silenced, on_stop_signal, stdout_to_stderr, stop_request

if TYPE_CHECKING:
    from ..model.linear import LinearModel

def _poll(event: highspy.cb.HighsCallbackEvent) -> None:
    if stop_request.event.is_set() or time.perf_counter() > event.user_data.deadline:
        event.interrupt()


#: the oldest highspy the library runs on: its event callbacks (1.8), the MIP options it sets
#: (1.12) and bounds unscaled after ``user_objective_scale`` (1.16)
MIN_HIGHSPY = "1.16"


def highspy_version() -> str:
    """The installed highspy's version (HiGHS's own, as pip names it)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("highspy")
    except PackageNotFoundError:
        return "version unknown"


class StoppableHighs(highspy.Highs):
    """``highspy.Highs`` whose :meth:`run` obeys stop requests: it raises KeyboardInterrupt
    when a stop was asked before or during the run (HiGHS then stops at its next simplex, IPM
    or MIP interrupt callback). Outside :func:`~.stops.stop_on_signals`, Ctrl-C in the main thread
    during a run is such a request, for that run only."""

    def __init__(self) -> None:
        super().__init__()
        #: the ``time.perf_counter()`` past which a run or an IIS is interrupted (a status, not a
        #: KeyboardInterrupt): HiGHS's time limit is a run's, not an IIS's
        self.deadline = math.inf
        for event in (self.cbSimplexInterrupt, self.cbIpmInterrupt, self.cbMipInterrupt):
            event.subscribe(_poll, self)

    def setOptionValue(self, name: str, value: Any) -> highspy.HighsStatus:
        """HiGHS's option ``name`` set, or a clear error: HiGHS returns an error status for an option
        it does not know or a value out of its range, and solves on without it (an older highspy
        skipped the cost scaling and returned a plan 0.05% dear as optimal)."""
        status = super().setOptionValue(name, value)
        if status == highspy.HighsStatus.kError:
            from ..exceptions import ResilientSCError

            raise ResilientSCError(f"HiGHS refuses its option {name!r} = {value!r}: an option this highspy "
                                   f"({highspy_version()}) does not know, or a value out of its range "
                                   f"(resilient_sc is tested on highspy {MIN_HIGHSPY} and later)")
        return status

    def run(self) -> highspy.HighsStatus:
        return self._obeying_stops(super().run)

    def getIis(self) -> Any:
        """HiGHS's irreducible infeasible subset, obeying stop requests as :meth:`run` does: it
        solves LPs too (a Ctrl-C raised inside its callbacks crashed the process, or was lost)."""
        return self._obeying_stops(super().getIis)

    def _obeying_stops(self, call: Callable[[], Any]) -> Any:
        main = threading.current_thread() is threading.main_thread()
        # Python's own Ctrl-C handler would raise inside a callback, which HiGHS reports as a
        # solve error: for the run, Ctrl-C becomes a stop request instead
        own = main and signal.getsignal(signal.SIGINT) is signal.default_int_handler
        previous = None
        stop_request.main_runs += main
        try:
            if own:
                previous = signal.signal(signal.SIGINT, on_stop_signal)
            result = call() if not stop_request.event.is_set() else highspy.HighsStatus.kError
        finally:
            if previous is not None:
                signal.signal(signal.SIGINT, previous)
            stop_request.main_runs -= main
        if stop_request.event.is_set():
            if own:
                stop_request.reset()
            else:
                stop_request.raised = True
            raise KeyboardInterrupt
        return result


#: HiGHS prints its banner (``Running HiGHS 1.x ...``) when the first object of a process is made
_first_made = threading.Lock()
_banner_done = False


def new_highs(options: SolveOptions) -> highspy.Highs:
    """An empty HiGHS object with ``options`` set, whose runs obey stop requests (:class:`StoppableHighs`).

    HiGHS prints a banner when the first object of a process is made; it goes to stderr when
    ``options.log`` is True, and nowhere otherwise (a log file gets HiGHS's log without it): a
    solve is silent unless a log is asked for. Later objects are made without touching the
    process's output (another thread's prints stay where they go).
    """
    global _banner_done
    with _first_made:
        if _banner_done:
            h = StoppableHighs()
        else:
            with stdout_to_stderr() if options.log is True else c_output_silenced():
                h = StoppableHighs()
            _banner_done = True
    _set_options(h, options)
    return h


def option_value(h: highspy.Highs, name: str) -> Any:
    """The value of HiGHS option ``name`` (highspy 1.16 gives ``(status, value)``)."""
    value = h.getOptionValue(name)
    return value[-1] if isinstance(value, tuple) else value


@contextmanager
def log_to_stderr(h: highspy.Highs) -> Iterator[None]:
    """While ``h`` runs: its console log, when it writes one, to stderr (stdout keeps results:
    :func:`~.stops.stdout_to_stderr`). Without a console log nothing is redirected, so the
    prints of other threads go where they always do."""
    if option_value(h, "output_flag") and option_value(h, "log_to_console"):
        with stdout_to_stderr():
            yield
    else:
        yield


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
    if not np.any(integer):  # an LP without integrality: all zeros made HiGHS warn "No semi-integer/integer
        lp = h.getLp()  # variables" (passModel's array form reads an empty one out of bounds; a
        lp.integrality_ = []  # HighsLp's arrays set from numpy took 0.6 s for 3M coefficients, this 0.1 s)
        h.passModel(lp)
    scale = objective_scale(cost)
    h.setOptionValue("user_objective_scale", scale)
    h.setOptionValue("mip_abs_gap", MIP_ABS_GAP * 2.0 ** -scale)  # on the scaled costs: tighter, never looser


#: HiGHS's absolute MIP gap (1e-6 by default)
MIP_ABS_GAP = 1e-9


def objective_scale(cost: np.ndarray) -> int:
    """The power of two by which HiGHS scales the costs (its ``user_objective_scale``; it reports
    every value unscaled): the largest cost brought up to at least 1 where all are below 1.
    Money in millions made each cost per piece about 1e-8, under HiGHS's dual tolerance
    (1e-7): the plan returned was up to 10% dearer than the optimum, said optimal at gap 0.

    >>> objective_scale(np.array([2e-8, 0.0, 3e-9])), objective_scale(np.array([0.5, 1e4]))
    (26, 0)
    """
    top = float(np.abs(cost).max()) if len(cost) else 0.0
    return -math.floor(math.log2(top)) if 0 < top < 1 else 0


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


#: the thread count of the calling thread's HiGHS scheduler, if this module set it (HiGHS keeps
#: one scheduler per calling thread: each thread of a program resets its own)
_scheduler = threading.local()


def _reset_in_child() -> None:
    """A forked child (a worker process, of any pool) drops the HiGHS thread pool it inherited:
    a scheduler whose threads were not copied, on which its first MIP would wait forever."""
    _scheduler.threads = None
    highspy.Highs.resetGlobalScheduler(False)


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_in_child)


def _set_options(h: highspy.Highs, options: SolveOptions) -> None:
    log = options.log
    h.setOptionValue("output_flag", bool(log))
    if log and log is not True:
        h.setOptionValue("log_file", str(log))
        h.setOptionValue("log_to_console", False)
    if options.time_limit is not None:
        h.setOptionValue("time_limit", float(options.time_limit))
    h.setOptionValue("mip_rel_gap", float(options.mip_gap))
    h.setOptionValue("mip_abs_gap", MIP_ABS_GAP)
    h.setOptionValue("random_seed", int(options.seed))
    use_threads(int(options.threads or 0))
    if options.threads is not None:
        h.setOptionValue("threads", int(options.threads))


def use_threads(threads: int) -> None:
    """Make the calling thread's HiGHS scheduler one of ``threads`` threads (0: HiGHS's own
    count, made by the run) before a run asks for that many: HiGHS refuses another count once its
    scheduler is made ("scheduler has already been initialized"), and its run then stops with no
    plan; and a run that asks for no count uses the scheduler there is (a default solve after one
    of ``threads=1`` ran on one thread, another plan than the same call before it: API audit)."""
    if getattr(_scheduler, "threads", None) != threads:
        highspy.Highs.resetGlobalScheduler(True)
        _scheduler.threads = threads


def tune(h: highspy.Highs, options: SolveOptions, assignments: bool) -> None:
    """Set the HiGHS options that suit network models when ``options`` accelerate:
    ``network_options``, then ``assignment_options`` for a model with hub-market
    ``assignments``, else ``flow_options`` (single sourcing needs the reduced-cost sub-MIP to
    find its plans)."""
    if options.accelerate and options.backend == "highs":
        ao = options.accelerate_options
        for name, value in ao.network_options + (ao.assignment_options if assignments else ao.flow_options):
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
    with log_to_stderr(h):
        h.run()
    elapsed = time.perf_counter() - start
    ms = h.getModelStatus()
    if ms == highspy.HighsModelStatus.kModelEmpty:  # no columns (no demand): nothing to decide, optimal
        offset = float(h.getLp().offset_)
        return SolverResult(Status.OPTIMAL, np.zeros(h.getNumCol()), offset, offset, 0.0, elapsed,
                            h.modelStatusToString(ms))
    info = h.getInfo()
    status = STATUS.get(ms, Status.ERROR)
    has_solution = info.primal_solution_status == 2  # kSolutionStatusFeasible
    x = np.asarray(h.getSolution().col_value) if has_solution else None
    objective = float(info.objective_function_value) if has_solution else math.nan
    message = h.modelStatusToString(ms)
    if is_mip:
        bound = float(info.mip_dual_bound)
        gap = float(info.mip_gap) if has_solution else math.inf
        allowed = option_value(h, "mip_rel_gap")
        if status is Status.TIME_LIMIT and 0 <= gap <= allowed:
            status = Status.OPTIMAL  # the gap closed as time ran out: proven ("not proven ... gap 0%")
        own = gap_of(objective, bound) if has_solution else math.inf
        # told an objective_bound, HiGHS says optimal with its bound past it when nothing is cheaper,
        # whatever plan it keeps: an answer, not trouble (it read as one, and the single-sourcing
        # route stopped after its first round with a dearer plan, 'time limit reached': audit)
        cut = float(option_value(h, "objective_bound"))
        past = math.isfinite(cut) and bound >= cut - 1e-9 * max(1.0, abs(cut))
        if status is Status.OPTIMAL and own > max(10 * allowed, 1e-5) and not past:
            # HiGHS's own gap read 0 where its bound was 4.7% below the plan it kept, having
            # rejected its optimum in postsolve
            # (quantities of 1e11: a violation of 3.8e-6 units, 4e-16 of the row)
            status, gap = Status.ERROR, own
            message = (f"HiGHS said optimal, but its plan is {own:.2%} above its bound (numerical trouble: "
                       "quantities or costs too large or too small for its tolerances)")
    else:
        bound, gap = objective, 0.0
    if status is Status.OPTIMAL:
        bound = objective if not math.isfinite(bound) else bound
        gap = max(0.0, gap) if math.isfinite(gap) else 0.0
    nodes = int(info.mip_node_count) if is_mip and info.mip_node_count >= 0 else None
    iterations = int(info.simplex_iteration_count) if info.simplex_iteration_count >= 0 else None
    return SolverResult(status, x, objective, bound, gap, elapsed, message,
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


@dataclasses.dataclass(frozen=True)
class Solution:
    """A whole plan: column vector ``x`` of ``lm``, as a MIP start. A model with the same columns
    as ``lm`` (``lm`` with rows left out) takes every value, so HiGHS need not solve an LP to
    complete it (ladder L friend-shoring: 32 s, not counted in HiGHS's time limit); any other
    takes its design (:class:`Design`)."""

    lm: LinearModel
    x: np.ndarray

    def _on(self, name: str, keys: list[str]) -> pd.DataFrame:
        block = self.lm.variables.get(name)
        if block is None:
            return pd.DataFrame(columns=keys)
        keys = keys + ["period"] * ("period" in block.index)  # a roadmap's design, per period
        return block.index.loc[block.values(self.x) > 0.5, keys]

    @property
    def suppliers(self) -> pd.DataFrame:
        return self._on("supplier_contracted", ["supplier"])

    @property
    def hubs(self) -> pd.DataFrame:
        return self._on("hub_opened", ["hub"])

    @property
    def outbound(self) -> pd.DataFrame:
        return self._on("assign", ["hub", "market"])

    def columns_of(self, lm: LinearModel) -> bool:
        """Whether ``lm`` has the columns of this plan's model, block by block."""
        def layout(m: LinearModel) -> list[tuple[str, int, int]]:
            return [(n, b.start, b.size) for n, b in m.variables.items()]
        return layout(lm) == layout(self.lm)


def set_start(h: highspy.Highs, lm: LinearModel, start: Design, options: SolveOptions,
              deadline: float, columns: np.ndarray | None = None) -> None:
    """Hand HiGHS ``start`` as a MIP start, a value for every column of ``lm``: a
    :class:`Solution`'s own values when ``lm`` has its columns; else its design (suppliers, hubs,
    assignments) fixed and the flows from an LP solved here before ``deadline``, after which
    ``h`` gets the time that is left. Given the design only, HiGHS would solve that LP itself,
    outside its time limit (32 s on ladder L friend-shoring). No start when the design admits no
    plan of ``lm`` or the LP runs out of time; the design alone when it leaves some integer
    column of ``lm`` open. HiGHS drops a start that is infeasible. ``columns``: ``h``'s column
    of each column of ``lm`` (-1: none, e.g. a flow substituted out); by default the same."""
    found = _start_values(lm, start, options, deadline)
    if math.isfinite(deadline):
        h.setOptionValue("time_limit", max(deadline - time.perf_counter(), 1e-3))
    if found is None:
        return
    idx, values = found
    if columns is not None:
        mapped = columns[idx]
        idx, values = mapped[mapped >= 0], values[mapped >= 0]
    h.setSolution(len(idx), idx.astype(np.int32), values)


def _start_values(lm: LinearModel, start: Design, options: SolveOptions, deadline: float
                  ) -> tuple[np.ndarray, np.ndarray] | None:
    """The columns of ``lm`` and their values in the MIP start ``start`` (:func:`set_start`)."""
    if isinstance(start, Solution) and start.columns_of(lm):
        return np.arange(lm.n_cols), np.asarray(start.x, float)
    design = _design(lm, start)
    if not design:  # a model of the user's own without design columns
        return None
    if not all(name in design for name, b in lm.variables.items() if b.integer):
        idx = np.concatenate([lm.variables[n].columns for n in design])
        return idx, np.concatenate(list(design.values()))
    lp = solve_fixed(lm, design, options, deadline)
    return None if lp is None else (np.arange(lm.n_cols), lp.x)


def solve_fixed(lm: LinearModel, values: dict[str, np.ndarray], options: SolveOptions, deadline: float,
                columns: np.ndarray | None = None) -> SolverResult | None:
    """The LP of ``lm`` with the blocks in ``values`` fixed (and only the ``columns`` kept, the
    others at 0), solved before ``deadline``: its optimal result with ``x`` over every column
    of ``lm``, or None (no such plan, or time ran out: past ``deadline`` nothing is built, which
    on ladder XL takes tens of seconds)."""
    if time.perf_counter() >= deadline:
        return None
    kept = np.ones(lm.n_cols, bool) if columns is None else columns
    lp = run_highs(make_highs(lm.fixed(values).subset(kept, np.ones(lm.n_rows, bool)),
                              until(options, deadline)), False)
    if lp.x is None or lp.status is not Status.OPTIMAL:
        return None
    full = np.zeros(lm.n_cols)
    full[kept] = lp.x
    return dataclasses.replace(lp, x=full)


def _design(lm: LinearModel, start: Design) -> dict[str, np.ndarray]:
    """The 0/1 value of every design column of ``lm`` (contracted, opened, assigned) in
    ``start``, by block, within the column's bounds."""
    picks = [("supplier_contracted", ["supplier"], start.suppliers),
             ("hub_opened", ["hub"], start.hubs),
             ("assign", ["hub", "market"], start.outbound[["hub", "market"]].drop_duplicates())]
    out = {}
    for name, keys, chosen in picks:
        block = lm.variables.get(name)
        if block is None:
            continue
        keys += [c for c in block.index.columns if c not in keys and c in chosen]  # e.g. period
        on = pd.MultiIndex.from_frame(block.index[keys]).isin(pd.MultiIndex.from_frame(chosen[keys]))
        out[name] = np.clip(on.astype(float), block.lower, block.upper)  # e.g. an open hub stays
    return out
