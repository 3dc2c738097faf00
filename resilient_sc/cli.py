"""The ``resilient-sc`` command line: a thin layer over the API.

Every subcommand is a :class:`Command` in :data:`COMMANDS` (help text, a function that
adds its arguments, a function that runs it and returns an :class:`Outcome`); :func:`main`
parses, runs, maps errors to exit codes and prints. Exit codes:

* 0 -- success (for ``solve``: an optimal plan; for ``stress``, ``premium`` and ``frontier``:
  the base design solved -- infeasible policies and sweep points are rows of the table);
* 1 -- no optimal plan: infeasible, time limit (or an internal error);
* 2 -- bad input: invalid data, a missing file, a bad policy, bad arguments or an output path
  that would overwrite an input or cannot be written (:func:`check_paths`, before any work);
* 128 + the signal's number -- stopped by a signal: 130 SIGINT (Ctrl-C), 143 SIGTERM, 129 SIGHUP
  (status ``interrupted``; a running solve stops within a fraction of a second).

With ``--json`` exactly one JSON object reaches stdout, whatever the outcome; warnings,
errors and the solver log go to stderr (``--help`` and ``--version`` too: ``{"status": "help",
"text": ...}``). Tracebacks are shown only with ``--debug``.
Folder outputs appear whole or not at all and replace an existing folder only with
``--force`` (:func:`resilient_sc.io.atomic_folder`); see docs/reliability.md.

>>> main(["validate", "no/such/folder"])
2
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import multiprocessing
import os
import signal
import sys
import threading
import traceback
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import app as _app  # light: the web framework is imported only when `app` runs
from . import cli_inputs, cli_roadmap, exceptions
from .cli_args import (
    DEFAULT_FAILURES,
    FRONTIER_FAILURES,
    Parser,
    UsageError,
    add_threads_option,
    analysis_options,
    check_scenarios,
    failure_kinds,
    gap,
    path_text,
    penalty,
    seconds,
    single_failure_kinds,
    stress_arguments,
    sweep_values,
    whole,
)
from .cli_inputs import add_force_option, load_network
from .cli_outcome import (
    EXIT_BAD_INPUT,
    EXIT_NOT_SOLVED,
    EXIT_OK,
    Outcome,
    cli_words,
    failure,
    in_cli_words,
    untouched,
)
from .cli_paths import check_paths, empty_log, stamp, writing
from .format import frame_text, not_proven_optimal, status_and_gap
from .output_words import DEFAULT_PENALTY
from .solvers.base import available_cpus
from .solvers.stops import real_stdout, stop_on_signals
from .stopping import SIGNALS, interrupted_texts, stop_signals
from .wording import printable

if TYPE_CHECKING:
    from .policy import Policy

@dataclass(frozen=True)
class Command:
    """One subcommand: its help line, how to add its arguments, and how to run it."""

    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], Outcome]
    description: str = ""
    #: a server, stopped by its signals as its normal end (uvicorn's graceful shutdown): no
    #: stop-on-signal guard nor deadline of its own
    serves: bool = False


@dataclass
class _Warnings:
    """Warnings raised while a command runs: printed to stderr at once and kept for --json."""

    messages: list[str] = field(default_factory=list)

    def show(self, message: Warning | str, category: type[Warning], filename: str = "", *args: Any,
             **kwargs: Any) -> None:
        ours = issubclass(category, exceptions.OWN_WARNINGS)  # numpy's, even from the library's code, is
        text = cli_words(str(message) if ours else f"{category.__name__}: {message}")  # not: its kind first
        self.messages.append(text)
        with contextlib.suppress(OSError):  # stderr full or its reader gone: kept for --json all the same
            print(f"warning: {text}", file=sys.stderr, flush=True)


# ---- shared options ---------------------------------------------------------------------
def add_output_options(parser: argparse.ArgumentParser) -> None:
    """``--json`` and ``--debug``, shared by every subcommand."""
    parser.add_argument("--json", action="store_true",
                        help="print exactly one JSON object on stdout, whatever the outcome")
    parser.add_argument("--debug", action="store_true", help="show full tracebacks on errors")


def add_data_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("data", metavar="DATA", type=path_text,
                        help="a folder of CSV files or an .xlsx workbook (tables as in docs/data.md)")


# ---- validate ---------------------------------------------------------------------------
def _configure_validate(parser: argparse.ArgumentParser) -> None:
    add_data_argument(parser)


def _run_validate(args: argparse.Namespace) -> Outcome:
    from .schema import TABLES

    network = load_network(args.data)
    rows = {name: len(getattr(network, name)) for name in TABLES}  # in use: demand rows above 0 or per period
    return Outcome(EXIT_OK, {"status": "valid", "network": repr(network), "rows": rows,
                             "warnings": list(network.warnings)}, text=f"valid: {network!r}")


# ---- solve ------------------------------------------------------------------------------
def _configure_solve(parser: argparse.ArgumentParser) -> None:
    add_data_argument(parser)
    parser.add_argument("--policy", metavar="FILE", type=path_text,
                        help="policy file (.yaml, .yml or .json) of field: value pairs (default: none, the "
                             "cost-optimal base)")
    parser.add_argument("--out", metavar="PATH", type=path_text,
                        help="write the plan: a folder (plan.json + CSV tables + timings.csv + README.md, "
                             "what each file holds; a roadmap: roadmap.json, CSV tables, timings.csv, "
                             "README.md and roadmap.png) or a .xlsx workbook")
    parser.add_argument("--time-limit", metavar="S", type=seconds,
                        help="time limit in seconds (building the model counts; default: none)")
    parser.add_argument("--gap", metavar="G", type=gap,
                        help="relative MIP gap at which to stop: a plan within it is called optimal "
                             "(default 1e-6)")
    add_threads_option(parser)
    parser.add_argument("--log", metavar="FILE", type=path_text,
                        help="write the solver log to FILE, replacing it ('-' for stderr): HiGHS's, "
                             "each step of the library marked 'resilient_sc:' before the HiGHS run it starts")
    parser.add_argument("--allow-nonoptimal", action="store_true",
                        help="accept a plan not proven optimal (exit code 1, plan still written)")
    add_force_option(parser, "an existing plan folder, or a workbook the library did not write as a result")


def load_policy(path: Path | None) -> Policy:
    """The policy in ``path`` (None: the cost-optimal base)."""
    from .policy import Policy

    return Policy() if path is None else Policy.from_file(path)


def _run_solve(args: argparse.Namespace) -> Outcome:
    from . import io
    from .optimize import solve
    from .periods import has_periods
    from .roadmap import solve_roadmap
    from .solvers.base import SolveOptions
    from .workbook import write_workbook

    workbook = args.out is not None and args.out.suffix.lower() == ".xlsx"
    check_paths(args, args.out, folder=not workbook, workbook=True)
    log = None if args.log in (None, Path("-")) else args.log
    if log is not None and log.is_file():  # emptied first: a run that fails leaves no earlier run's log
        empty_log(log)
    policy = load_policy(args.policy)
    network = load_network(args.data)
    if policy is not None:
        policy.check_network(network)
    if log is not None and not log.is_file():  # made only once the input is valid: bad input creates nothing
        empty_log(log)
    given = {"time_limit": args.time_limit, "mip_gap": args.gap, "threads": args.threads}
    options = SolveOptions(
        **{k: v for k, v in given.items() if v is not None},
        log=True if args.log == Path("-") else (str(args.log) if args.log else False),
        allow_nonoptimal=args.allow_nonoptimal,
    )
    # a network with a periods table is a roadmap: a plan per period (docs/formulation.md §9)
    roadmap = has_periods(network)
    result = (solve_roadmap if roadmap else solve)(network, policy, options)
    data = result.to_dict()
    text = result.summary()
    if args.out is not None:
        with writing(args.out, results=(data, text)):
            if workbook:
                written = write_workbook(args.out, **{"roadmap" if roadmap else "plan": result},
                                         force=args.force)
            elif roadmap:  # with roadmap.png
                written = cli_roadmap.save(args, result)
            else:
                with io.atomic_folder(args.out, force=args.force, flag="--force") as tmp:
                    result.save(tmp)
                written = args.out
        data["out"] = str(written)
        text += f"\n{'roadmap' if roadmap else 'plan'} written to {printable(str(written))}"
    if reason := not_proven_optimal("the plan", result):  # accepted with --allow-nonoptimal
        data["reason"] = reason
        return Outcome(EXIT_NOT_SOLVED, data, text, warning=reason)
    return Outcome(EXIT_OK, data, text)


# ---- analyses ---------------------------------------------------------------------------
def add_report_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", metavar="DIR", type=path_text,
                        help="write a report folder: CSV tables, PNG figures and report.md")
    parser.add_argument("--no-figures", dest="figures", action="store_const", const=False, default=None,
                        help="write the report folder without its PNG figures (drawing them takes most of "
                             "a large report's time; default: drawn when matplotlib is installed)")
    add_force_option(parser, "an existing report folder")


def add_limit_options(parser: argparse.ArgumentParser) -> None:
    """``--time-limit`` and ``--allow-nonoptimal`` for each solve of an analysis."""
    parser.add_argument("--time-limit", metavar="S", type=seconds,
                        help="time limit in seconds for each solve (building its model counts; default: "
                             "none)")
    parser.add_argument("--allow-nonoptimal", action="store_true",
                        help="keep a plan stopped at the time limit (its gap in the status and the words) "
                             "instead of counting it as not solved")
    add_threads_option(parser)


def add_workers_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--workers", metavar="N", type=whole("worker processes", available_cpus()),
                        help="parallel solver processes (default: one per CPU; 1 runs serially)")


def progress_bar(args: argparse.Namespace, desc: str) -> Callable[..., Any] | None:
    """A tqdm wrapper on stderr, or None with --json or when stderr is not a terminal."""
    if args.json or not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return lambda it, total: tqdm(it, total=total, desc=desc, unit="solve", file=sys.stderr, leave=False)


def _records(df: Any) -> list[dict[str, Any]]:
    from .io import counts_whole

    return counts_whole(df).to_dict("records")


def _report_outcome(data: dict[str, Any], text: str, written: list[Path] | None) -> Outcome:
    """The outcome of a report; its ``reason`` (a design not proven optimal, kept with
    ``--allow-nonoptimal``) and the rows of its table not proven optimal are warned of, as
    ``solve`` does."""
    if written:
        data["out"] = str(written[-1].parent)
        data["files"] = [p.name for p in written]
        text += f"\nreport written to {printable(str(written[-1]))}"
    if rows := _rows_not_proven(data):  # in --json too: a program reads no stderr
        data["warnings"] = [*data.get("warnings", []), rows]
    return Outcome(EXIT_OK, data, text, warning="; ".join(filter(None, (data.get("reason", ""), rows))))


def _rows_not_proven(data: dict[str, Any]) -> str:
    """A premium's or frontier's rows that are neither optimal nor infeasible, in words ('' when
    none).

    >>> _rows_not_proven({"table": [{"policy": "base", "status": "optimal"},
    ...                             {"policy": "redundant", "status": "time_limit", "gap": 0.0034}]})
    '1 row not proven optimal, said in its status: redundant (time_limit, gap 0.3400%)'
    >>> _rows_not_proven({"field": "min_local_share", "table": [{"status": "not_solved", "gap": None}]})
    '1 row not proven optimal, said in its status: min_local_share None (not_solved)'
    """
    rows = [r for r in data.get("table", []) if r.get("status") not in ("optimal", "infeasible", None)]
    if not rows:
        return ""
    field = data.get("field", "")
    said = [(f"{r['policy']}" if "policy" in r else f"{field} {r.get(field)}")
            + f" ({status_and_gap(r['status'], r.get('gap'))})" for r in rows]
    return (f"{len(rows)} row{'s' * (len(rows) > 1)} not proven optimal, said in its status: "
            + ", ".join(said))


def _configure_stress(parser: argparse.ArgumentParser) -> None:
    add_data_argument(parser)
    parser.add_argument("--policy", metavar="FILE", type=path_text,
                        help="policy of the design to test (.yaml, .yml or .json; default: the base)")
    parser.add_argument("--failures", metavar="KINDS", type=failure_kinds,
                        default=DEFAULT_FAILURES,
                        help="comma-separated failure kinds to replay, 'scenario' for the disruptions "
                             f"table's scenarios (default: {','.join(DEFAULT_FAILURES)})")
    parser.add_argument("--penalty", metavar="P", type=penalty,
                        help="money per unit short: one number for every product, or a YAML mapping "
                             "product → money, a price of its own for each product (for products counted "
                             "in different units), e.g. '{cells: 60, chips: 2000, displays: 300}' (default: "
                             "the policy's shortfall_penalty, else "
                             f"per product its {DEFAULT_PENALTY})")
    add_limit_options(parser)
    add_report_option(parser)


def _run_stress(args: argparse.Namespace) -> Outcome:
    from .analysis import stress_test
    from .analysis.report import design_title, stress_sentences, unlisted, write_stress_report
    from .analysis.stress import check_penalty
    from .optimize import solve
    from .periods import has_periods

    check_paths(args, args.out, folder=True)
    policy = load_policy(args.policy)
    network = load_network(args.data)
    if args.penalty is not None:  # a product misspelt costs no solve
        check_penalty(network.products["product"], args.penalty)
    check_scenarios(args.failures, len(network.disruptions), given=args.failures is not DEFAULT_FAILURES)
    if has_periods(network):
        return _report_outcome(*cli_roadmap.stress(args, network, policy, writing))
    plan = solve(network, policy, analysis_options(args))
    stress = stress_test(network, plan, penalty=args.penalty, **stress_arguments(args.failures))
    data = {"status": "ok", "plan": plan.to_dict(), **stress.to_dict()}
    worst = stress.worst_table(10, affected_only=True)
    columns = ["failure", "worst_served", "worst_market", "worst_product",
               *[f"served {p}" for p in stress.products], "value_served", "extra_cost", "shortfall_cost",
               "impact"]
    text = "\n".join([f"# Stress test of {design_title(policy)}", "", *stress_sentences(plan, stress), "",
                      *([frame_text(worst, columns).rstrip()] if len(worst) else []),
                      *unlisted(stress, len(worst), "the stress_failures.csv that --out writes"), "",
                      f"worst_served ({stress.floor_name}): {stress.floor_words}; "
                      "worst_market/product: where that floor binds; served <product>: fraction of its "
                      "demand; value_served: weighted by unit_value; extra_cost: change in flow cost (money) "
                      "against the design's replay with nothing failed, next to the shortfall_cost of the "
                      "units short; impact: their sum, less any shortfall cost with nothing failed."])
    if reason := not_proven_optimal("the design stress-tested", plan):
        data["reason"] = reason
    written = None
    if args.out is not None:
        with writing(args.out, results=(data, text)):
            written = write_stress_report(args.out, network, plan, stress, force=args.force,
                                          figures=args.figures)
    return _report_outcome(data, text, written)


def _configure_premium(parser: argparse.ArgumentParser) -> None:
    add_data_argument(parser)
    parser.add_argument("--policies", metavar="FILE", type=path_text, required=True,
                        help="YAML/JSON mapping of name -> policy fields; an entry 'base' is the base")
    add_limit_options(parser)
    add_report_option(parser)
    add_workers_option(parser)


def _run_premium(args: argparse.Namespace) -> Outcome:
    from .analysis import premium_outcomes, premium_table
    from .analysis.premium import INTACT_WORDS, floor_caveat, shown_columns
    from .analysis.report import expected_basis, premium_sentences, write_premium_report
    from .exceptions import PolicyError
    from .periods import has_periods
    from .policies import load_policies

    check_paths(args, args.out, folder=True)
    policies = load_policies(args.policies)
    base = policies.pop("base", None)
    if not policies:
        raise PolicyError([f"(policies) | {args.policies.name} names no policy to compare with the base "
                           "(an entry 'base' is the base); add one, e.g. 'near_shoring: "
                           "{min_local_share: 0.5}'"], str(args.policies), "policies file")
    network = load_network(args.data)
    if has_periods(network):
        return _report_outcome(*cli_roadmap.premium(args, network, policies, base,
                                                    progress_bar(args, "policies"), writing))
    outcomes = premium_outcomes(network, policies, base, analysis_options(args), workers=args.workers,
                                progress=progress_bar(args, "policies"))
    table = premium_table(outcomes)
    columns = shown_columns(["policy", "status", "cost", "premium_pct", "worst_served",
                             "expected_value_served", "n_suppliers", "n_hubs"], table)
    stressed = [o for o in outcomes if o.stress is not None]
    legend = ((INTACT_WORDS + "; " if "intact_served" in columns else "")
              + "worst_served: the fraction of demand every market and product still gets under the "
              f"design's worst failure replayed (rounded down){floor_caveat(stressed)}" + (
                  f"; expected_value_served: the fraction of the demand's value served, "
                  f"{expected_basis(stressed, network)}" if stressed else "") + ".")
    text = "\n".join([frame_text(table, columns), "", legend, "", *premium_sentences(outcomes, table)])
    data = {"status": "ok", "table": _records(table)}
    written = None
    if args.out is not None:
        with writing(args.out, results=(data, text)):
            written = write_premium_report(args.out, network, outcomes, table, force=args.force,
                                           figures=args.figures)
    return _report_outcome(data, text, written)


def _configure_frontier(parser: argparse.ArgumentParser) -> None:
    add_data_argument(parser)
    parser.add_argument("--field", metavar="F", required=True,
                        help="the policy field to sweep, e.g. min_local_share")
    parser.add_argument("--values", metavar="V,...", type=sweep_values, required=True,
                        help="values (numbers swept ascending): comma-separated (0,0.25,0.5,0.75) or a "
                             "YAML list when values hold commas ('[{Europe: 0.5}, {Europe: 0.8}]')")
    parser.add_argument("--policy", metavar="FILE", type=path_text,
                        help="policy the sweep starts from (.yaml, .yml or .json; default: the base)")
    parser.add_argument("--no-warm-start", dest="warm_start", action="store_false",
                        help="solve the points independently, in parallel (--workers), instead of each "
                             "starting from the previous design: faster on more than one core once a "
                             "point takes seconds (a roadmap's points always are independent)")
    parser.add_argument("--failures", metavar="KINDS", type=single_failure_kinds, default=FRONTIER_FAILURES,
                        help="comma-separated failure kinds replayed on each point's design, "
                             "worst_served being the worst of them (default: country; stress and "
                             "premium replay country,hub,supplier and the scenarios); not for a roadmap")
    add_limit_options(parser)
    add_report_option(parser)
    add_workers_option(parser)


def _run_frontier(args: argparse.Namespace) -> Outcome:
    from .analysis import frontier
    from .analysis.frontier_report import frontier_reference, frontier_sentences, write_frontier_report
    from .analysis.premium import INTACT_WORDS, shown_columns
    from .analysis.stress import replayed_kinds, single_failures_words
    from .periods import has_periods
    from .policy import Policy

    check_paths(args, args.out, folder=True)
    Policy.check_field(args.field, "--field")
    policy = load_policy(args.policy)
    network = load_network(args.data)
    if has_periods(network):
        return _report_outcome(*cli_roadmap.frontier(args, network, policy, progress_bar(args, args.field),
                                                     writing))
    policy.sweep(args.field, args.values, "--values")  # frontier() checks the points on the network
    df = frontier(network, args.field, args.values, policy, analysis_options(args),
                  warm_start=args.warm_start, failures=args.failures, workers=args.workers,
                  progress=progress_bar(args, args.field))
    columns = shown_columns([args.field, "status", "cost", "premium_pct", "worst_served", "worst_failure",
                             "n_suppliers", "n_hubs"], df)
    legend = [INTACT_WORDS] if "intact_served" in columns else []
    if replayed_kinds(df):
        legend.append("worst_served: the fraction of demand every market and product still gets under the "
                      f"design's worst {single_failures_words(replayed_kinds(df))} replayed (rounded down)")
    text = "\n".join([frame_text(df, columns), "", *(["; ".join(legend) + ".", ""] if legend else []),
                      f"Premiums are over {frontier_reference(args.field, policy)}.",
                      *frontier_sentences(df, args.field)])
    data = {"status": "ok", "field": args.field, "table": _records(df)}
    written = None
    if args.out is not None:
        with writing(args.out, results=(data, text)):
            written = write_frontier_report(args.out, df, args.field, force=args.force, policy=policy,
                                            figures=args.figures)
    return _report_outcome(data, text, written)


COMMANDS: dict[str, Command] = {
    "init": Command("write an input template (CSV folder or .xlsx) with an example row per table "
                    "(periods: header only), or DATA's own tables in the other form (--from DATA)",
                    cli_inputs.configure_init, lambda args: Outcome(EXIT_OK, *cli_inputs.run_init(args))),
    "validate": Command("check a data folder or workbook against the data contract",
                        _configure_validate, _run_validate),
    "solve": Command("design the cheapest network that honours a policy", _configure_solve, _run_solve),
    "orlib": Command("convert an OR-Library / Holmberg instance into a CSV data folder",
                     cli_inputs.configure_orlib, lambda args: Outcome(EXIT_OK, *cli_inputs.run_orlib(args))),
    "stress": Command("replay every single failure on a design: guaranteed service, shortfall, costs",
                      _configure_stress, _run_stress),
    "premium": Command("what each policy costs over the cost-optimal base, and what it survives",
                       _configure_premium, _run_premium),
    "frontier": Command("cost and worst-case service as one policy field sweeps over values",
                        _configure_frontier, _run_frontier),
    "app": Command("the planner's workbench: a local web app (pip install '.[app]' in the source folder)",
                   _app.add_arguments, lambda args: Outcome(_app.run(args), {"status": "stopped"}),
                   serves=True),
}


def build_parser() -> argparse.ArgumentParser:
    """The argument parser: one subparser per entry of :data:`COMMANDS`."""
    from . import __version__

    parser = Parser(prog="resilient-sc", description="Resilient supply chain network design on HiGHS.",
                     allow_abbrev=False)  # --js is no --json: one spelling, which --json's outcome depends on
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    parser.commands = {}
    for name, command in COMMANDS.items():
        on_roadmap = cli_roadmap.ON_ROADMAP.get(name)
        description = command.description or command.help
        if on_roadmap:
            description += f". On a roadmap (data with a periods table): {on_roadmap}."
        p = parser.commands[name] = sub.add_parser(name, help=command.help, description=description,
                                                   allow_abbrev=False)
        command.configure(p)
        add_output_options(p)
    return parser


# ---- errors and output --------------------------------------------------------------------
#: seconds a stopped console command has to print its outcome before :class:`_Deadline` does
STOP_GRACE = 0.75
_printing = threading.Lock()  # held while an outcome is printed, so that it is printed once


def main(argv: list[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); return the exit code.

    In the main thread, SIGINT, SIGTERM and SIGHUP stop the command (a solve usually within
    0.1 s, :func:`resilient_sc.solvers.stops.stop_on_signals`) and its outcome is still
    printed: status ``interrupted``, exit code 128 + the signal's number. Run as the console
    command (``argv`` None), the process also ends within :data:`STOP_GRACE` s of the signal
    wherever the work is (:class:`_Deadline`).
    """
    console, argv = argv is None, sys.argv[1:] if argv is None else list(argv)
    as_json = "--json" in argv
    serves = bool(argv) and argv[0] in COMMANDS and COMMANDS[argv[0]].serves
    deadline = _Deadline(as_json) if console and not serves else None
    in_main = threading.current_thread() is threading.main_thread()
    if serves and in_main:  # the server's own handlers stop it, then pass the signal on to these
        guard: contextlib.AbstractContextManager[Any] = _handled(stop_signals(), _stopped)
    else:
        guard = stop_on_signals(stop_signals(), deadline) if in_main else contextlib.nullcontext()
    in_main = in_main and not serves
    with guard:
        try:
            try:
                result = _outcome(argv, as_json)
            except KeyboardInterrupt as exc:  # a signal between the command's end and here
                result = failure(exc), as_json
            finally:  # from here on, signals are ignored: the outcome is printed whole
                for s in SIGNALS if in_main else ():
                    signal.signal(s, signal.SIG_IGN)
            return result if isinstance(result, int) else _emit(*result)  # int: --help, --version
        finally:
            if deadline is not None:
                deadline.done.set()


def _stopped(signum: int, frame: object) -> None:
    """The app's answer to a stop signal: SIGINT and SIGTERM end the work (the server's own handlers
    take them while it serves, then pass them on); another (SIGHUP) is sent on as SIGTERM, which the
    server answers (a KeyboardInterrupt raised inside its event loop was a traceback: audit)."""
    if signum not in (signal.SIGINT, signal.SIGTERM):
        os.kill(os.getpid(), signal.SIGTERM)
        return
    raise KeyboardInterrupt


@contextlib.contextmanager
def _handled(signals: Sequence[int], handler: Callable[[int, Any], Any]) -> Iterator[None]:
    """``handler`` for ``signals`` while the block runs, the handlers before it put back after
    (``main(["app", "--help"])`` in a process of one's own left them changed)."""
    before = {s: signal.getsignal(s) for s in signals}
    for s in signals:
        signal.signal(s, handler)
    try:
        yield
    finally:
        for s, h in before.items():
            signal.signal(s, h)


class _Deadline:
    """The console command's answer to a stop signal, called in a thread of its own: if the
    command has not printed its outcome within :data:`STOP_GRACE` s (HiGHS does not poll for
    interrupts everywhere, e.g. not in its sub-MIP heuristics), print the interrupted outcome,
    end the worker processes, remove the temporaries being written and exit at once."""

    def __init__(self, as_json: bool):
        self.as_json = as_json
        self.done = threading.Event()

    def __call__(self, signum: int) -> None:
        if self.done.wait(STOP_GRACE) or not _printing.acquire(blocking=False):
            return
        try:
            outcome = failure(KeyboardInterrupt())
            code, (err, out) = outcome.code, _render(outcome, self.as_json)
        except Exception:  # the main thread inside an import of what rendering uses: the words alone
            code, err, out = interrupted_texts(signum, self.as_json)
        with real_stdout() as stdout:
            for fd, text in ((2, err), (stdout, out)):
                raw = text.encode()
                with contextlib.suppress(OSError):
                    while raw:
                        raw = raw[os.write(fd, raw):]
        for child in multiprocessing.active_children():
            child.terminate()
        with contextlib.suppress(Exception):  # as the rendering: io may be half imported
            from .io import remove_temporaries

            remove_temporaries()
        os._exit(code)


def _outcome(argv: list[str], want_json: bool) -> tuple[Outcome, bool] | int:
    """Parse ``argv`` and run the command: its outcome and whether ``--json`` was given, or
    the exit code of ``--help``/``--version``."""
    printed = StringIO()
    try:
        with contextlib.redirect_stdout(printed) if want_json else contextlib.nullcontext():
            args = build_parser().parse_args(argv)
    except SystemExit as exc:  # --help, --version: with --json, their text in the one JSON object
        code = exc.code if isinstance(exc.code, int) else EXIT_OK
        return (Outcome(code, {"status": "help", "text": printed.getvalue()}), True) if want_json else code
    except UsageError as exc:
        sys.stderr.write(exc.usage)
        said = {"status": "invalid_input", "reason": str(exc), "problems": exc.problems}
        return Outcome(EXIT_BAD_INPUT, said, error=str(exc)), want_json
    except (Exception, KeyboardInterrupt) as exc:
        return failure(exc), want_json
    seen = _Warnings()
    with warnings.catch_warnings():
        for kind in exceptions.OWN_WARNINGS:
            warnings.simplefilter("always", kind)
        warnings.showwarning = seen.show
        from .worded import files_worded

        out = getattr(args, "out", None) or getattr(args, "target", None)  # init writes its target
        before = stamp(out)
        try:
            with files_worded(cli_words):  # the files it writes name its flags, as it prints
                outcome = COMMANDS[args.command].run(args)
        except (Exception, KeyboardInterrupt) as exc:
            if args.debug:
                traceback.print_exc(file=sys.stderr)
            outcome = failure(exc, args.debug)
            if before is not None and stamp(out) == before:  # there before, and not written since
                outcome = untouched(outcome, out)
    if seen.messages:  # beside any the command gave (validate's own, rows not proven)
        outcome.data["warnings"] = list(dict.fromkeys([*outcome.data.get("warnings", []), *seen.messages]))
    return outcome, args.json


def _render(outcome: Outcome, as_json: bool) -> tuple[str, str]:
    """What ``outcome`` prints: (stderr, stdout)."""
    outcome = in_cli_words(outcome)
    notes = (("error", outcome.error), ("warning", outcome.warning))
    err = "".join(f"{kind}: {text}\n" for kind, text in notes if text)
    if as_json:
        from .plain_json import to_json  # no numpy nor pandas: at a signal or out of memory

        return err, to_json(outcome.data) + "\n"
    return err, f"{outcome.text}\n" if outcome.text else ""


def _emit(outcome: Outcome, as_json: bool) -> int:
    err, out = _render(outcome, as_json)
    with _printing:
        for stream, text in ((sys.stderr, err), (sys.stdout, out)):  # apart: a full stderr loses no result
            try:
                stream.write(text)
                stream.flush()
            except OSError as exc:  # the reader closed the pipe, the terminal is gone (SIGHUP), a full disk
                cut = stream is sys.stdout and exc.errno not in (errno.EPIPE, errno.EIO)  # a result not whole
                said = f"error: the output was not written whole: {exc.strerror or exc}\n"
                with contextlib.suppress(OSError):
                    os.dup2(os.open(os.devnull, os.O_WRONLY), stream.fileno())
                    if cut:
                        os.write(2, said.encode())
                if cut:
                    return outcome.code or EXIT_NOT_SOLVED
    return outcome.code


if __name__ == "__main__":
    raise SystemExit(main())
