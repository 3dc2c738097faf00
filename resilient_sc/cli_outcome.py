"""What a console command ends with: its exit code, its ``--json`` answer, the text it prints,
and the outcome of a command that raised (one line each, never a traceback)."""

from __future__ import annotations

import re
import signal
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .cli_paths import RESULTS
from .exceptions import InfeasiblePolicyError, NotOptimalError, ResilientSCError, ValidationError
from .solvers.stops import stop_signal
from .stopping import interrupted
from .wording import printable

EXIT_OK = 0
EXIT_NOT_SOLVED = 1
EXIT_BAD_INPUT = 2

#: the library's advice names its Python option and the flag, 'SolveOptions.time_limit (CLI:
#: --time-limit)', 'kind='orlib' or 'holmberg' (CLI: --format)': on the command line, the flag
_OPTION_AND_FLAG = re.compile(r"(?:\S+=\S+ or )?\S+ \(CLI: ([^)]*)\)")  # 'workers, or workers=1': one
_SAID = ("reason", "warnings", "problems", "reasons")  # the keys of an outcome's data that hold words


def cli_words(text: str) -> str:
    """``text`` as the command line says it: each Python option with its flag named by the flag.

    >>> cli_words("raise SolveOptions.time_limit (CLI: --time-limit) or pass workers=1 (CLI: --workers 1)")
    'raise --time-limit or pass --workers 1'
    >>> cli_words("use fewer workers, or workers=1 (CLI: --workers 1)")
    'use fewer workers, or --workers 1'
    """
    return _OPTION_AND_FLAG.sub(r"\1", text)


@dataclass(frozen=True)
class Outcome:
    """What a command produced: exit code, JSON payload, text for stdout, error or warning for stderr."""

    code: int
    data: dict[str, Any]
    text: str = ""
    error: str = ""
    warning: str = ""


def failure(exc: BaseException, debug: bool = False) -> Outcome:
    """The outcome of a command that raised ``exc`` (``debug``: its traceback printed already);
    results it could not write (:func:`~resilient_sc.cli_paths.writing`) are in it all the same."""
    outcome = _failure(exc, debug)
    if (results := getattr(exc, RESULTS, None)) is None:
        return outcome
    data, text = results
    said = f"{outcome.error}\nthe results are printed (stdout) but were not written to a file"
    return replace(outcome, data={**data, **outcome.data, "written": False}, text=text, error=said)


def _failure(exc: BaseException, debug: bool) -> Outcome:
    if isinstance(exc, ValidationError):
        if exc.about == "in the input data" and all(p.startswith(("(--", "(init)")) for p in exc.problems):
            exc = ValidationError(exc.problems, "in the command's arguments")
        return Outcome(EXIT_BAD_INPUT, {"status": "invalid_input", "reason": str(exc),
                                        "problems": list(exc.problems)}, error=str(exc))
    if isinstance(exc, InfeasiblePolicyError):
        return Outcome(EXIT_NOT_SOLVED, {"status": "infeasible", "reason": str(exc),
                                         "reasons": list(exc.reasons)}, error=str(exc))
    if isinstance(exc, NotOptimalError):
        plan: Any = exc.plan
        data = plan.to_dict() if plan is not None else {}
        data.update(status=plan.status.value if plan is not None else exc.status, reason=str(exc))
        return Outcome(EXIT_NOT_SOLVED, data, error=str(exc))
    if isinstance(exc, KeyboardInterrupt):
        code, data = interrupted(stop_signal() or signal.SIGINT)
        data["reason"] += "".join(f": {note}" for note in getattr(exc, "__notes__", ()))
        return Outcome(code, data, error=data["reason"])
    if isinstance(exc, OSError):
        reason = f"{exc.strerror or exc}: {exc.filename}" if exc.filename else str(exc)
        status = "invalid_input" if isinstance(exc, FileNotFoundError) else "error"
        return Outcome(EXIT_BAD_INPUT, {"status": status, "reason": reason}, error=reason)
    if isinstance(exc, MemoryError):
        reason = "out of memory: free memory, raise the limit, or solve a smaller network or policy"
        return Outcome(EXIT_NOT_SOLVED, {"status": "error", "reason": reason}, error=reason)
    said = str(exc) + "".join(f" ({note})" for note in getattr(exc, "__notes__", ()))  # a sweep's task named
    if isinstance(exc, ResilientSCError):
        return Outcome(EXIT_NOT_SOLVED, {"status": "error", "reason": said}, error=said)
    reason = f"internal error: {type(exc).__name__}: {said}"
    return Outcome(EXIT_NOT_SOLVED, {"status": "error", "reason": reason},
                   error=reason if debug else f"{reason} (rerun with --debug for the traceback)")


def in_cli_words(outcome: Outcome) -> Outcome:
    """``outcome`` with its error, warning, text and the words of its data, at any depth (a
    premium table's rows' reasons), in :func:`cli_words`."""
    def said(value: Any, words: bool) -> Any:
        if isinstance(value, dict):
            return {k: said(v, k in _SAID) for k, v in value.items()}
        if isinstance(value, list):
            return [said(v, words) for v in value]
        return cli_words(value) if words and isinstance(value, str) else value

    return replace(outcome, data=said(outcome.data, False), text=cli_words(outcome.text),
                   error=cli_words(outcome.error), warning=cli_words(outcome.warning))


def untouched(outcome: Outcome, out: Path) -> Outcome:
    """``outcome`` of a command that failed, saying that its ``--out``, there before the run
    and not written since, is not this run's (a plan workbook of an earlier run read as one)."""
    note = f"nothing was written to {printable(str(out))}: what is there was there before this run"
    return replace(outcome, data={**outcome.data, "out_untouched": str(out)},
                               error=f"{outcome.error}\n{note}" if outcome.error else note)
