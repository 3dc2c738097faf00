"""What every solver route shares: the options, how a solve ended, its raw result and its report.

Imports only the package's errors and words, so the model, the results and every solver may import it.
"""

from __future__ import annotations

import enum
import logging
import math
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import MISSING, asdict, dataclass, field, fields, replace
from numbers import Integral, Real
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from ..exceptions import RunWarning, ValidationError, warn
from ..format import BREAKS_THE_MODEL
from ..keywords import fields_signature, unknown_keywords
from ..wording import brief

if TYPE_CHECKING:
    import numpy as np


class Status(str, enum.Enum):
    """How a solve ended; prints as its value (``f"{plan.status}"`` is ``optimal``, as in
    ``plan.to_dict()``; Python 3.11 printed ``Status.OPTIMAL``)."""

    OPTIMAL = "optimal"
    INFEASIBLE = "infeasible"
    TIME_LIMIT = "time_limit"
    INTERRUPTED = "interrupted"
    ERROR = "error"

    def __str__(self) -> str:
        return str(self.value)

    __format__ = str.__format__


class _NamedOptions:
    """Options whose misspelt keyword names the option meant (Python said only 'unexpected
    keyword argument')."""

    def __new__(cls, *args: Any, **given: Any) -> Any:
        if unknown := unknown_keywords(given, [f.name for f in fields(cls)], f"option of {cls.__name__}"):
            raise TypeError(unknown)
        return super().__new__(cls)


@dataclass(frozen=True)
class AccelerateOptions(_NamedOptions):
    """Thresholds and tuning of the exact accelerations (:mod:`resilient_sc.solvers.routes`).

    None of them changes the optimum; they decide which route runs and how its work is split.
    ``min_kernel_size``: (hub, market) pairs from which a multi-source facility location model
    goes to the Lagrangian + branch-and-price kernel (below: HiGHS on the compact model);
    ``ss_kernel_size``: the same for single sourcing (Holmberg's instances under it, up to 2,100
    pairs, are faster by HiGHS on the compact model alone); ``nearest``: transportation LPs start with each
    market's this many cheapest open hubs; ``farkas_batch``: Farkas pricing adds at least this
    many of the columns that touch the dual ray at a time; ``targets``: single sourcing, targets
    above the Lagrangian bound tried in turn (relative), then the best plan; ``heur_every``:
    multi-source branch and bound, local search from the node's LP at the root and every this
    many levels (0: root only); ``visit_every``: single sourcing, subgradient iterations between
    two Lagrangian heuristic plans; ``round_options``: single sourcing, HiGHS options of the
    rounds (the heuristics have found the plans, HiGHS proves); ``close_enough``: single
    sourcing, the ascent stops once the bound is this close to the best plan (relative);
    ``swap_in``: local search, closed hubs tried in place of a hub that closes;
    ``polish_nodes``: branch-and-bound nodes allowed to the HiGHS run that re-assigns the best
    plan's markets; ``network_options``: HiGHS options of the plain-HiGHS, merged-origins and
    projected routes (no restarts: the network models' root gaps are small);
    ``flow_options``: also, for models without hub-market assignments, HiGHS's sub-MIP
    heuristics, which there cost more than they find (2.9–6× faster on the issue-14 ladder,
    benchmarks/bench_ideas.py; the reduced-cost sub-MIP: S base 1.5 → 0.4 s, near-shoring
    5.3 → 2.9 s). Single sourcing keeps them: they find its plans (ladder S 5.5 s against 25 s
    without the reduced-cost sub-MIP; ladder M proven in 49 s with RINS and RENS, 129–139 s with
    one of them, not in 300 s with neither). ``assignment_options``: instead, for models with
    hub-market assignments (single sourcing), HiGHS's lifting of rows by the implications its
    probing finds on binaries (``mip_lifting_for_probing``, off by default): ladder M single
    sourcing proven in 1,690, 2,967 and 2,214 nodes at HiGHS's random seeds 0, 1 and 2 (131,
    176 and 127 s), against 6,133, 3,382 and 2,692 nodes without it (300, 201 and 152 s), run
    two at a time; in benchmarks/bench_ladder.py 98.2, 122.5 and 100.0 s, against 317.1 (194.4
    in another run), 126.2 and 91.2 s before (then the origin mixes of :mod:`.mix`: 49.0, 45.8
    and 39.4 s). ``ipm_root_rows``: a lazy-caps or
    failure-generation master of more rows solves its root LP by the interior-point method
    (HiGHS's ``mip_lp_solver`` "ipm"), not dual simplex: ladder XL friend-shoring's first
    master (334k rows, 560k columns) has its root LP in 240 s and a plan within 0.12% in 252 s,
    where dual simplex had not solved that LP in 540 s, and its plan needs time left to be
    re-routed within the caps; XL survive supplier's first master (the base model, 322k rows)
    has a plan within 0.09% at 331 s, where dual simplex had not solved its root LP at 400 s,
    and its plan needs time left for the check of 500 failures. Not for the other
    routes: on ladder XL it moved their gaps by less than 0.01 points and, with the root LP done
    sooner, ran more of HiGHS's root cut rounds, which do not check the time limit (one took
    94 s): disruption-aware design took 703 s at a 600 s limit. ``on_demand_columns``: a
    survive model whose failure copies would hold more recourse columns (or more than the
    ``recourse_columns`` limit, :mod:`resilient_sc.limits`) is built without them, and failure
    generation builds the copies of the failures that bind only, checking the others against
    one copy (:class:`~.failures.OnDemand`). The default, 0, builds every survive model so: as
    fast or faster and smaller on every ladder case measured (S survive supplier 1.0 s and
    219 MB → 0.6 s and 150 MB, S survive country 2.3 → 2.1 s, M survive country 20.0 → 19.1 s
    and 340 → 262 MB, M survive supplier 7.2 → 3.7 s and 725 → 221 MB, L survive supplier
    141 → 79 s and 5.3 → 0.75 GB, XL survive supplier refused → a plan); a larger value keeps
    the copies of smaller models in the model, to inspect them. ``links_on_demand_coefficients``:
    a MIP of at most this many matrix coefficients (0: none) goes to HiGHS with only the strong
    links (``hub_link``) its LP relaxation needs, found by LP rounds before it runs
    (:mod:`.links`): ladder L base (371k coefficients, origins merged) 99 → 47 s, near-shoring
    (642k) 528 → 192 s, disruption-aware (861k) 272 → 227 s, M base 3.6 → 2.6 s, survive country
    20.8 → 16.0 s, the other M cases unchanged within the machine's noise. Not larger ones: their
    LPs are too slow for the rounds, which then end in their quarter of the time with every link
    kept (XL near-shoring, 2.7M: no plan at 600 s, where the route of before has one within
    0.127%; L friend-shoring's whole model, 3.6M: gap 3.0e-5 against 2.3e-5). Single sourcing's
    projected model counts its own coefficients (ladder M: HiGHS random seeds 0-5 in 68-150 s,
    median 95 s, against a median of about 170 s with every link; XL, 2.1M, keeps every link).
    """

    min_kernel_size: int = 20_000
    ss_kernel_size: int = 2_500
    nearest: int = 4
    farkas_batch: int = 200
    targets: tuple[float, ...] = (0.0025, 0.005, 0.01, 0.02, math.inf)
    heur_every: int = 4
    visit_every: int = 10
    round_options: tuple[tuple[str, Any], ...] = (("mip_heuristic_effort", 0.0),
                                                   ("mip_heuristic_run_rins", False),
                                                   ("mip_heuristic_run_rens", False))
    close_enough: float = 0.001
    swap_in: int = 3
    polish_nodes: int = 200
    network_options: tuple[tuple[str, Any], ...] = (("mip_allow_restart", False),)
    flow_options: tuple[tuple[str, Any], ...] = (("mip_heuristic_run_rins", False),
                                                  ("mip_heuristic_run_rens", False),
                                                  ("mip_heuristic_run_root_reduced_cost", False))
    assignment_options: tuple[tuple[str, Any], ...] = (("mip_lifting_for_probing", 3),)
    ipm_root_rows: int = 200_000
    on_demand_columns: int = 0
    links_on_demand_coefficients: int = 1_500_000

    def problems(self) -> list[str]:
        """What breaks the options' contract (empty when nothing)."""
        least = {**dict.fromkeys(("min_kernel_size", "ss_kernel_size", "heur_every", "swap_in",
                                  "polish_nodes", "ipm_root_rows", "on_demand_columns",
                                  "links_on_demand_coefficients"), 0),
                 **dict.fromkeys(("nearest", "farkas_batch", "visit_every"), 1)}
        out = []
        for name, low in least.items():
            v = getattr(self, name)
            if not is_number(v, whole=True) or v < low:
                out.append(f"{name} == {v!r}, must be a whole number >= {low}")
        targets = self.targets if isinstance(self.targets, tuple) else ()
        if not targets or any(not is_number(t) or not t >= 0 for t in targets):
            out.append(f"targets == {self.targets!r}, must be a non-empty tuple of values >= 0")
        if not is_number(self.close_enough) or not self.close_enough >= 0:
            out.append(f"close_enough == {self.close_enough!r}, must be >= 0")
        return out


def is_number(value: Any, whole: bool = False) -> bool:
    """Whether ``value`` is a number (a whole one with ``whole``), numpy's included and True and
    False not: the type check of every numeric argument."""
    return not isinstance(value, bool) and isinstance(value, Integral if whole else Real)


def _log_problems(log: Any) -> list[str]:
    """What is wrong with a ``log`` option: a bool or a file path whose folder exists (an int
    would be taken for a file descriptor and closed after the solve)."""
    if isinstance(log, bool) or log == "":
        return []
    if not isinstance(log, str | os.PathLike):
        return [f"log == {log!r}, must be True, False or a file path"]
    path = Path(log)
    if path.is_dir():
        return [f"log == {str(log)!r} is a folder; give a file path"]
    if not path.parent.is_dir():
        return [f"log == {str(log)!r}: its folder {str(path.parent)!r} does not exist"]
    return []


def available_cpus() -> int:
    """The CPUs this process may run on (its affinity mask where the OS has one): the most
    solver threads or worker processes that can run at once."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


#: why a survive model whose failure copies are built on demand has no plan when its route gives up
UNCHECKED = ("the survive failures could not be checked on their copies, built on demand (a master's "
             "answer was not certified, or a recourse LP failed); rescale the data (very large and very "
             "small numbers side by side), or solve with SolveOptions(accelerate=False)")
#: the end of the message of a plan HiGHS proved optimal at its tolerances that, made exact, is not
#: proven (:func:`~.certify.made_exact`)
UNPROVEN = " at HiGHS's tolerances"
#: the message of an answer failing the certificate even from plain HiGHS (refused by ``accepted``)
UNCERTIFIED = f"HiGHS's answer {BREAKS_THE_MODEL}, so it is not certified"

@dataclass(frozen=True)
class SolveOptions(_NamedOptions):
    """How to solve.

    ``time_limit`` in seconds for the whole call, the build included (None = none; HiGHS
    checks it between steps, and on models of 300k rows one root cut round can take a minute
    or more); ``mip_gap`` the relative optimality gap at
    which HiGHS may stop (default 1e-6, i.e. proven optimal); ``threads`` for HiGHS
    (None = HiGHS's choice; at most :func:`available_cpus`, a larger count is refused; a MIP's
    tree search stays on one worker unless ``("parallel", "on")`` joins
    ``AccelerateOptions.network_options``, which on the issue-14 ladder found plans sooner but
    proved no faster: docs/benchmarks.md);
    ``seed`` HiGHS's random seed (0 to 2³¹−1): it can pick among plans of equal cost, or of
    costs within the gap (docs/reliability.md); ``log`` True for the solver log on stderr, or
    a file path (HiGHS's log, with the library's steps, :func:`log_step`, before the HiGHS runs
    they start);
    ``allow_nonoptimal`` returns a time-limited plan (with its gap and bound) instead of
    raising; ``strong_links`` adds the y ≤ demand·o rows (tighter, larger model);
    ``backend`` is ``"highs"`` (direct highspy) or ``"pyomo"`` (the pyomo model, solved by
    pyomo's HiGHS interface); ``accelerate`` lets the route table of
    :mod:`resilient_sc.solvers.routes` try the exact accelerations (same optimum, much faster
    on facility location structure; False = HiGHS on the model as built);
    ``accelerate_options`` their thresholds (:class:`AccelerateOptions`).
    """

    time_limit: float | None = None
    mip_gap: float = 1e-6
    threads: int | None = None
    log: bool | str | Path = False
    allow_nonoptimal: bool = False
    strong_links: bool = True
    seed: int = 0
    backend: Literal["highs", "pyomo"] = "highs"
    accelerate: bool = True
    accelerate_options: AccelerateOptions = field(default_factory=AccelerateOptions)

    def __repr__(self) -> str:
        """The options set only: ``SolveOptions(time_limit=60)``, ``SolveOptions()`` for the defaults
        (the accelerations' thresholds, when changed, as ``accelerate_options=...``)."""
        changed = [f"{f.name}={'...' if f.name == 'accelerate_options' else repr(getattr(self, f.name))}"
                   for f in fields(self) if getattr(self, f.name) != (
                       f.default_factory() if f.default is MISSING else f.default)]  # type: ignore[misc]
        return f"SolveOptions({', '.join(changed)})"

    def settings(self) -> dict[str, Any]:
        """What may pick among equally cheap plans, for a plan's record: ``mip_gap``, HiGHS's
        random ``seed`` and ``threads``; with threads None (HiGHS's choice, which follows them)
        ``cpus``, the CPUs this process may use (with threads set, the same on every machine)."""
        chosen = {"mip_gap": self.mip_gap, "seed": self.seed, "threads": self.threads}
        return chosen if self.threads is not None else chosen | {"cpus": available_cpus()}

    def check(self) -> None:
        """One :class:`ValidationError` listing every option of the wrong type or out of range
        (a log file is checked before the solve: its folder must exist, and it is no folder)."""
        problems = []

        def number(name: str, whole: bool = False) -> bool:
            v = getattr(self, name)
            if not is_number(v, whole):
                problems.append(f"{name} == {v!r}, must be a {'whole number' if whole else 'number'}")
                return False
            return True

        if self.time_limit is not None and number("time_limit") and not self.time_limit > 0:
            problems.append(f"time_limit == {self.time_limit!r}, must be > 0 seconds")
        if number("mip_gap") and not 0 <= self.mip_gap < 1:
            problems.append(f"mip_gap == {self.mip_gap!r}, must be in [0, 1)")
        cpus = available_cpus()
        if self.threads is not None and number("threads", whole=True) and not 1 <= self.threads <= cpus:
            problems.append(f"threads == {self.threads!r}, must be between 1 and {cpus} (the CPUs this "
                            "process may use)")
        if number("seed", whole=True) and not 0 <= self.seed <= 2**31 - 1:
            problems.append(f"seed == {self.seed!r}, must be between 0 and 2147483647 (HiGHS's random_seed)")
        problems += [f"{name} == {getattr(self, name)!r}, must be True or False"
                     for name in ("allow_nonoptimal", "strong_links", "accelerate")
                     if not isinstance(getattr(self, name), bool)]
        problems += _log_problems(self.log)
        if self.backend not in ("highs", "pyomo"):
            problems.append(f"backend == {self.backend!r}, must be 'highs' or 'pyomo'")
        if not isinstance(self.accelerate_options, AccelerateOptions):
            problems.append(f"accelerate_options == {self.accelerate_options!r}, must be an "
                            "AccelerateOptions")
        else:
            problems += [f"accelerate_options.{p}" for p in self.accelerate_options.problems()]
        if problems:
            raise ValidationError([f"(options) | {p}" for p in problems])

    def deadline(self) -> float:
        """The ``time.perf_counter()`` by which a solve that starts now must end (inf without a
        time limit)."""
        return time.perf_counter() + (math.inf if self.time_limit is None else self.time_limit)


def given_options(options: Any) -> SolveOptions:
    """``options``, or the defaults for None; anything but a :class:`SolveOptions` is a
    :class:`ValidationError` (a dict of options is not read silently as something else)."""
    if options is None:
        return SolveOptions()
    if not isinstance(options, SolveOptions):
        raise ValidationError([f"(options) | {brief(options)} is a {type(options).__name__}, not a "
                               "SolveOptions; build one: SolveOptions(time_limit=60, ...)"])
    return options


AccelerateOptions.__signature__ = fields_signature(AccelerateOptions)  # type: ignore[attr-defined]
SolveOptions.__signature__ = fields_signature(SolveOptions)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class SolverResult:
    """The raw outcome of one solver run: ``x`` the column vector (None without a plan),
    ``objective``, ``bound`` and relative ``gap``, ``solve_time`` (s), the solver's
    ``message``; ``nodes`` and ``iterations`` (LP solves or rounds) when the solver counts them,
    and a ``note`` on anything the route did that the numbers do not show."""

    status: Status
    x: np.ndarray | None
    objective: float
    bound: float
    gap: float
    solve_time: float
    message: str
    nodes: int | None = None
    iterations: int | None = None
    note: str = ""


def plan_gap(plan: SolverResult, bound: float) -> float:
    """The relative gap of ``plan`` to ``bound`` (:func:`gap_of`).

    >>> plan_gap(SolverResult(Status.OPTIMAL, None, 1.2e-5, 0.0, 0.0, 0.0, ""), 1.19e-5) > 1e-3
    True
    """
    return gap_of(plan.objective, bound)


def gap_of(objective: float, bound: float) -> float:
    """The relative gap of a plan of cost ``objective`` to ``bound``: (objective − bound) /
    |objective|, ≥ 0 (0 within round-off, 1e-12 of the larger). Relative whatever the cost's
    size: with |objective| floored at 1, a cost of 1.2e-5 (money in millions of millions) 0.23%
    above its bound read as a gap of 2.8e-8, within 1e-6."""
    excess = objective - bound
    if not math.isfinite(excess):  # no bound (-inf): nothing proven
        return math.inf if excess > 0 else 0.0
    if excess <= 1e-12 * max(abs(objective), abs(bound)):  # round-off, of a plan of cost 0 too
        return 0.0
    return excess / abs(objective) if objective else math.inf


@dataclass(frozen=True)
class SolveReport:
    """How a model was solved: the ``route`` that gave the plan (a name of
    :data:`resilient_sc.solvers.routes.ROUTES`), the seconds spent choosing the route and
    building the solver's model (``build_time``), running it (``solve_time``) and checking the
    answer against every row (``certify_time``), branch-and-bound ``nodes`` and ``iterations``
    (simplex iterations, LP solves or rounds, as the route counts them) when known, the
    ``bound`` proven, a ``note`` (e.g. a route skipped for a MIP start, or an answer
    rejected by the certificate and solved again by plain HiGHS), and whether the answer kept
    passed the certificate (``certified``: False only for one kept with ``allow_nonoptimal``
    whose every solve broke a row, status error), and the ``settings`` that may pick among
    equally cheap plans (:meth:`SolveOptions.settings`: the same data and settings give the same
    plan)."""

    route: str
    build_time: float
    solve_time: float
    certify_time: float
    nodes: int | None
    bound: float
    iterations: int | None = None
    note: str = ""
    certified: bool = True
    settings: dict[str, Any] = field(default_factory=dict)
    #: seconds spent finding a MIP start before the route ran (a roadmap's periods solved
    #: alone), counted in a roadmap's solve time but not in the route's times
    start_time: float = 0.0

    @property
    def total_time(self) -> float:
        """Build, solve and certificate time together, in seconds."""
        return self.build_time + self.solve_time + self.certify_time

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: every field, a non-finite bound as None."""
        out = asdict(self)
        out["bound"] = self.bound if math.isfinite(self.bound) else None
        return out

    def line(self) -> str:
        """One line: ``solved by <route> in <s> s (build, solve, certify; nodes)``, the seconds of
        a MIP start found before, and the note."""
        plural = lambda n, word: f"{n:,} {word}" + ("" if n == 1 else "s")  # noqa: E731
        counts = [plural(self.nodes, "node")] if self.nodes is not None else []
        counts += [plural(self.iterations, "iteration")] if self.iterations is not None else []
        text = (f"solved by {self.route} in {self.total_time:.3f} s (build {self.build_time:.3f}, "
                f"solve {self.solve_time:.3f}, certify {self.certify_time:.3f}"
                + "".join(f"; {c}" for c in counts) + ")")
        text += f", after {self.start_time:.3f} s finding a MIP start" if self.start_time else ""
        return f"{text}; {self.note}" if self.note else text


class Declined(Exception):
    """A route found no answer and hands the model to plain HiGHS; the message says why."""


@dataclass
class Trace:
    """What an accelerated route did, filled in as it runs (for its :class:`SolveReport`):
    branch-and-bound ``nodes`` solved, ``lp_solves``, and ``notes`` for the report's note."""

    lp_solves: int = 0
    nodes: int = 0
    notes: list[str] = field(default_factory=list)


@dataclass
class MasterWork:
    """What a relaxation route's masters did, summed over them: the ``seconds`` of their solves
    and of the LPs between them (the route's solve time; building the masters is its build
    time), their branch-and-bound ``nodes`` and ``iterations``."""

    seconds: float = 0.0
    nodes: int | None = None
    iterations: int | None = None

    def add(self, master: SolverResult) -> None:
        self.seconds += master.solve_time
        if master.nodes is not None:
            self.nodes = (self.nodes or 0) + master.nodes
        if master.iterations is not None:
            self.iterations = (self.iterations or 0) + master.iterations

    def totals(self) -> dict[str, Any]:
        """The fields of a :class:`SolverResult` these sums replace."""
        return {"solve_time": self.seconds, "nodes": self.nodes, "iterations": self.iterations}


def relaxation_answer(result: SolverResult, best: SolverResult | None, lower: float, note: str,
                      work: MasterWork, status: Status | None = None) -> SolverResult:
    """A relaxation route's answer: the last master's ``result`` with the plan ``best`` (a plan of
    the whole model, or None), the bound ``lower`` and ``status``, by default ``result``'s (a
    time limit if that is optimal: a relaxation's proof is not the model's). Without ``best``,
    the master's status (time limit, infeasible) and bound stand for the whole model; its plan
    does not. Time, nodes and iterations are those of every master (``work``)."""
    if best is None:
        return replace(result, x=None, objective=math.nan, gap=math.inf, bound=lower, note=note,
                       **work.totals())
    if status is None:
        status = Status.TIME_LIMIT if result.status is Status.OPTIMAL else result.status
    return replace(result, status=status, x=best.x, objective=best.objective, bound=lower,
                   gap=plan_gap(best, lower), note=note, **work.totals())


#: the library's logger: each solve's report line at INFO (the route, its times and nodes) and its
#: steps at DEBUG, for an application's own logging (``logging.getLogger("resilient_sc")``; silent
#: unless configured)
logger = logging.getLogger("resilient_sc")
#: the mark of the library's own steps in the solver log, among HiGHS's lines
STEP_MARK = "resilient_sc: "
_step_depth: ContextVar[int] = ContextVar("resilient_sc_step_depth", default=0)


def log_line(text: str, options: SolveOptions, warn_unwritable: bool = True) -> None:
    """``text`` as a line where the solver log goes (stderr, or appended to the log file); a file
    that cannot be written is warned of unless ``warn_unwritable`` is False (a roadmap's marks between its
    solves: its report line says it once)."""
    if options.log is True:
        print(text, file=sys.stderr, flush=True)
    elif options.log:
        try:
            with open(options.log, "a", encoding="utf-8") as log:
                log.write(text + "\n")
        except OSError as exc:  # the plan is kept: a log that cannot be written costs no solve
            if not warn_unwritable:
                return
            warn(f"(log) | could not write the solver log {options.log}: {exc.strerror or exc}; the "
                 "plan is kept", RunWarning)


def log_step(options: SolveOptions, text: str) -> None:
    """A step of a solve as it begins, as a line of the solver log (:data:`STEP_MARK`, indented two
    spaces per master the step runs in), so that the HiGHS log which follows says what it solves;
    and to :data:`logger` at DEBUG. A file that cannot be written is left to the report line to say."""
    line = "  " * _step_depth.get() + text
    logger.debug(line)
    if options.log:
        log_line(STEP_MARK + line, options, warn_unwritable=False)


@contextmanager
def steps_within() -> Iterator[None]:
    """The steps logged inside (a master of a route, a route's own routes) indented one level more."""
    token = _step_depth.set(_step_depth.get() + 1)
    try:
        yield
    finally:
        _step_depth.reset(token)
