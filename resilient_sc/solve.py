"""Solving with HiGHS: options, status, and the one-call hand-over of the sparse model."""

from __future__ import annotations

import enum
import math
import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import highspy
import numpy as np
import pandas as pd
import scipy.sparse as sp

from .exceptions import InfeasiblePolicyError, NotOptimalError, ValidationError

if TYPE_CHECKING:
    from .data import Network
    from .model.build import NetworkModel
    from .model.linear import LinearModel
    from .policy import Policy
    from .results import Plan


class Status(str, enum.Enum):
    """How a solve ended."""

    OPTIMAL = "optimal"
    INFEASIBLE = "infeasible"
    TIME_LIMIT = "time_limit"
    INTERRUPTED = "interrupted"
    ERROR = "error"


@dataclass(frozen=True)
class SolveOptions:
    """How to solve.

    ``time_limit`` in seconds (None = none); ``mip_gap`` the relative optimality gap at
    which HiGHS may stop (default 1e-6, i.e. proven optimal); ``threads`` for HiGHS
    (None = HiGHS's choice); ``log`` True for the solver log on stderr, or a file path;
    ``allow_nonoptimal`` returns a time-limited plan (with its gap and bound) instead of
    raising; ``strong_links`` adds the y ≤ demand·o rows (tighter, larger model);
    ``backend`` is ``"highs"`` (direct highspy) or ``"pyomo"`` (the pyomo model, solved by
    pyomo's HiGHS interface); ``accelerate`` routes HiGHS solves through the exact
    accelerations of :mod:`resilient_sc.accelerate` (same optimum, much faster on facility
    location structure; False = HiGHS on the model as built).
    """

    time_limit: float | None = None
    mip_gap: float = 1e-6
    threads: int | None = None
    log: bool | str | Path = False
    allow_nonoptimal: bool = False
    strong_links: bool = True
    seed: int = 0
    backend: str = "highs"
    accelerate: bool = True

    def check(self) -> None:
        problems = []
        if self.time_limit is not None and not self.time_limit > 0:
            problems.append(f"time_limit == {self.time_limit!r}, must be > 0 seconds")
        if not 0 <= self.mip_gap < 1:
            problems.append(f"mip_gap == {self.mip_gap!r}, must be in [0, 1)")
        if self.threads is not None and self.threads < 1:
            problems.append(f"threads == {self.threads!r}, must be >= 1")
        if self.backend not in ("highs", "pyomo"):
            problems.append(f"backend == {self.backend!r}, must be 'highs' or 'pyomo'")
        if problems:
            raise ValidationError([f"(options) | {p}" for p in problems])


@dataclass(frozen=True)
class SolverResult:
    """The raw outcome of one HiGHS run."""

    status: Status
    x: np.ndarray | None
    objective: float
    bound: float
    gap: float
    solve_time: float
    message: str


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


def run_highs(h: highspy.Highs, is_mip: bool) -> SolverResult:
    """Run HiGHS and translate its outcome."""
    start = time.perf_counter()
    with stdout_to_stderr():
        h.run()
    elapsed = time.perf_counter() - start
    ms = h.getModelStatus()
    info = h.getInfo()
    S = highspy.HighsModelStatus
    status = {
        S.kOptimal: Status.OPTIMAL,
        S.kInfeasible: Status.INFEASIBLE,
        S.kUnboundedOrInfeasible: Status.INFEASIBLE,
        S.kTimeLimit: Status.TIME_LIMIT,
        S.kInterrupt: Status.INTERRUPTED,
        S.kSolutionLimit: Status.INTERRUPTED,
        S.kIterationLimit: Status.INTERRUPTED,
    }.get(ms, Status.ERROR)
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
    return SolverResult(status, x, objective, bound, gap, elapsed, h.modelStatusToString(ms))


def solve_model(model: NetworkModel, options: SolveOptions | None = None,
                start: Plan | None = None) -> Plan:
    """Solve a built model; raise unless optimal (see ``SolveOptions.allow_nonoptimal``)."""
    from .results import Plan

    options = options or SolveOptions()
    options.check()
    if options.backend == "pyomo":
        from .pyomo_model import solve_pyomo

        return solve_pyomo(model, options)
    lm = model.lm
    if options.accelerate and start is None:
        from .accelerate import solve_accelerated

        result, _ = solve_accelerated(model, options)
    else:
        h = make_highs(lm, options)
        if start is not None:
            set_start(model, h, start)
        _, _, _, _, integer = lm.bounds()
        result = run_highs(h, bool(integer.any()))
    if result.status is Status.INFEASIBLE:
        from .explain import explain_infeasibility

        raise InfeasiblePolicyError(explain_infeasibility(model, make_highs(lm, options)))
    plan = Plan.from_solution(model, result) if result.x is not None else None
    if result.status is not Status.OPTIMAL:
        what = {Status.TIME_LIMIT: "the time limit was reached"}.get(
            result.status, f"HiGHS stopped ({result.message})")
        if plan is None:
            raise NotOptimalError(f"no plan: {what} before any feasible plan was found; "
                                  "raise SolveOptions.time_limit")
        if not options.allow_nonoptimal:
            raise NotOptimalError(
                f"not proven optimal: {what} with gap {result.gap:.4%} (cost "
                f"{result.objective:,.2f}, bound {result.bound:,.2f}); pass "
                "SolveOptions(allow_nonoptimal=True) (CLI: --allow-nonoptimal) to accept this "
                "plan, or raise time_limit", plan)
    assert plan is not None
    return plan


def set_start(model: NetworkModel, h: highspy.Highs, start: Plan) -> None:
    """Hand HiGHS the design of ``start`` (suppliers, hubs, assignments) as a partial MIP
    start; HiGHS completes the flows itself and drops the start if it is infeasible."""
    lm = model.lm
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


def solve(network: Network, policy: Policy | None = None,
          options: SolveOptions | None = None, start: Plan | None = None) -> Plan:
    """Build and solve: the cheapest plan for ``network`` that honours ``policy``.

    Chooses which suppliers to contract and which hubs to open and routes every product
    supplier → hub → market at minimum total cost: fixed costs of suppliers and hubs,
    purchase, handling, transport and tariffs (plus the CO2 price, shortfall penalty and
    expected disruption cost when the policy sets them). The model is the formulation of
    docs/formulation.md, built by :func:`~resilient_sc.model.build.build_model` and solved by
    HiGHS; the solve prints nothing unless ``options.log`` asks for the solver log.

    Units are those of the data: money in the data's one currency, quantities in units of
    each product, CO2 in the data's CO2 units, shares as fractions in [0, 1]
    (docs/conventions.md §8.14).

    :param network: the validated data, from :func:`~resilient_sc.data.read_network` (a CSV
        folder or an .xlsx workbook), :meth:`~resilient_sc.data.Network.from_frames` (pandas
        DataFrames) or :mod:`resilient_sc.examples`.
    :param policy: the resilience requirements (:class:`~resilient_sc.policy.Policy`); None
        or ``Policy()`` gives the cost-optimal base design.
    :param options: how to solve (:class:`SolveOptions`: time limit, MIP gap, threads, solver
        log, backend); None for the defaults (proven optimal, no time limit, silent).
    :param start: a plan whose design (suppliers, hubs, assignments) is handed to HiGHS as a
        MIP start, e.g. the plan of a slightly looser policy.
    :returns: a :class:`~resilient_sc.results.Plan`: ``status`` (:class:`Status`),
        ``objective`` (total cost, money), ``bound`` and ``gap``, ``breakdown`` (money per cost
        component), ``emissions``, the contracted ``suppliers`` (with their ``volume`` in
        units) and opened ``hubs`` (throughput, utilisation), the flows ``inbound`` (supplier,
        hub, product, quantity) and ``outbound`` (hub, market, product, origin country,
        quantity), ``shares`` (per market and product: demand, delivered, shortfall, local,
        allied and top foreign shares), ``country_shares`` and ``supplier_shares``, and
        ``summary()``, ``tables()``, ``save(folder)``, ``to_excel(path)`` and ``verify()``.
    :raises ValidationError: ``policy`` or ``options`` break the data contract (a share
        outside [0, 1], a mapping key that is neither a region nor a product, a negative
        time limit, ...); ``problems`` lists every one.
    :raises InfeasiblePolicyError: no plan meets the data and the policy; ``reasons`` says
        why in a planner's terms (market, product, missing units, or the policy fields of
        HiGHS's irreducible infeasible subset).
    :raises NotOptimalError: HiGHS stopped before proving optimality (time limit, interrupt,
        numerical trouble); ``plan`` holds the best plan found, if any. Pass
        ``SolveOptions(allow_nonoptimal=True)`` to get that plan returned instead.

    The tiny example (one market, two candidate suppliers) and the bundled electronics
    network with a near-shoring policy:

    >>> from resilient_sc import Policy, examples
    >>> plan = solve(examples.tiny())
    >>> plan.status.value, round(plan.objective, 2)
    ('optimal', 1260.0)
    >>> net = examples.electronics()          # or read_network("examples/electronics")
    >>> plan = solve(net, Policy(min_local_share=0.5, min_suppliers=2))
    >>> plan
    Plan(optimal, cost=12,228,393.05, 14 suppliers, 4 hubs)
    >>> bool((plan.shares["local_share"] >= 0.5 - 1e-9).all())
    True

    A policy that cannot be met:

    >>> from resilient_sc import InfeasiblePolicyError
    >>> try:
    ...     solve(examples.tiny(), Policy(min_suppliers=3))
    ... except InfeasiblePolicyError as exc:
    ...     print(exc.reasons[0])
    min_suppliers 3 cannot be met for product 'default': only 2 supplier(s) can deliver it (S_CN, S_FR)
    """
    from .model.build import build_model

    options = options or SolveOptions()
    options.check()
    return build_model(network, policy, strong_links=options.strong_links).solve(options, start)
