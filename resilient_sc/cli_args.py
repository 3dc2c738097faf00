"""The argument types of the command line: each parses one option's text or raises
``argparse.ArgumentTypeError`` with what to give instead (a usage error, exit code 2).

>>> seconds("2.5"), whole("solver threads")("3")
(2.5, 3)
"""

from __future__ import annotations

import argparse
import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

from .wording import closest

#: ``--failures``'s word for the scenarios of the disruptions table, beside the failure kinds
SCENARIO = "scenario"
#: what ``stress --failures`` replays unless told: every kind, and the scenarios where there are some
DEFAULT_FAILURES = ("country", "hub", "supplier", SCENARIO)
#: what ``frontier --failures`` replays on each point's design unless told (told apart from a
#: ``--failures country`` given by identity: a roadmap's frontier refuses either)
FRONTIER_FAILURES = ("country",)


def single_failure_kinds(text: str) -> tuple[str, ...]:
    """The failure kinds of a frontier's ``--failures``: single failures only (no scenarios)."""
    from .schema import FAILURE_KINDS

    kinds = failure_kinds(text)
    if SCENARIO in kinds:
        raise argparse.ArgumentTypeError(f"{text!r}: a frontier replays single failures only: give a "
                                         f"comma-separated subset of {','.join(FAILURE_KINDS)}")
    return kinds


def failure_kinds(text: str) -> tuple[str, ...]:
    """The failure kinds of ``--failures``, and :data:`SCENARIO` for the disruptions scenarios."""
    from .schema import FAILURE_KINDS

    kinds = tuple(k.strip() for k in text.split(",") if k.strip())
    bad = [k for k in kinds if k not in (*FAILURE_KINDS, SCENARIO)]
    if bad or not kinds:
        raise argparse.ArgumentTypeError(f"{text!r}: give a comma-separated subset of "
                                         f"{','.join(FAILURE_KINDS)},{SCENARIO}")
    return kinds


def check_scenarios(kinds: tuple[str, ...], scenarios: int, given: bool = True) -> None:
    """A usage error where ``--failures`` asks for the disruptions table's scenarios alone and
    the data has none (``scenarios``: its rows): said before any solve, as bad arguments; a
    warning where it names them beside failure kinds (``given``: not the default, which holds
    them for the data that has some), which are replayed alone (they were, without a word: audit)."""
    from .exceptions import RunWarning, ValidationError, warn

    if SCENARIO not in kinds or scenarios:
        return
    why = f"(--failures) | {SCENARIO!r} replays the disruptions table's scenarios, but the data has none"
    if kinds == (SCENARIO,):
        raise ValidationError([f"{why}: add a disruptions table, or name country, hub or supplier"])
    if given:
        warn(f"{why}: the failures of {', '.join(k for k in kinds if k != SCENARIO)} are replayed alone",
             RunWarning)


def stress_arguments(kinds: tuple[str, ...]) -> dict[str, object]:
    """``stress_test``'s ``failures`` and ``scenarios`` of ``--failures`` kinds."""
    return {"failures": tuple(k for k in kinds if k != SCENARIO), "scenarios": SCENARIO in kinds}


def number(ok: Callable[[float], bool], want: str) -> Callable[[str], float]:
    """An argument type: a float passing ``ok`` (NaN never does), else a usage error asking for ``want``."""
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if math.isnan(value) or not ok(value):
            raise argparse.ArgumentTypeError(f"{text!r}: give {want}")
        return value
    return parse


non_negative = number(lambda v: 0 <= v < math.inf, "a finite number >= 0")
positive = number(lambda v: 0 < v < math.inf, "a finite number > 0")
seconds = number(lambda v: v > 0, "a number of seconds > 0 (inf: no limit)")
gap = number(lambda v: 0 <= v < 1, "a relative gap in [0, 1), e.g. 0.01")


def path_text(text: str) -> Path:
    """A path; an empty one is a usage error (``--out ""`` would be the current folder)."""
    if not text.strip():
        raise argparse.ArgumentTypeError(f"{text!r}: give a path (an empty one would be the current folder)")
    return Path(text)


def whole(what: str, most: int | None = None) -> Callable[[str], int]:
    """A type for a whole number of ``what`` from 1 to ``most`` (None: no upper limit here)."""
    def parse(text: str) -> int:
        top = f" from 1 to {most} (the CPUs this process may use)" if most is not None else " >= 1"
        if not text.strip().isdecimal() or not 1 <= int(text) <= (most or math.inf):
            raise argparse.ArgumentTypeError(f"{text!r}: give a whole number of {what}{top}")
        return int(text)
    return parse


def sweep_values(text: str) -> list[Any]:
    """``--values``: comma-separated values (``0,0.25,0.5``), or a YAML list when the values
    hold commas themselves (``[{Europe: 0.5}, {Europe: 0.8}]``, ``[[DE], [DE, FR]]``); read within the
    limits of policy files (:mod:`resilient_sc.limits`: an alias bomb is refused)."""
    from .exceptions import ValidationError
    from .mapping_files import load_yaml_text
    from .wording import clip

    example = ("give comma-separated values, e.g. 0,0.25,0.5, or a YAML list, e.g. "
               "'[{Europe: 0.5}, {Europe: 0.8}]'")
    whole = text.strip().startswith("[")
    items = [text] if whole else [t.strip() for t in text.split(",")]
    if not text.strip() or "" in items:
        raise argparse.ArgumentTypeError(f"{clip(text, 40)!r}: {example}")
    values = []
    for item in items:
        try:
            values.append(load_yaml_text(item, f"{clip(item, 40)!r}"))
        except ValidationError as exc:
            raise argparse.ArgumentTypeError(f"{exc.problems[0]}: {example}") from exc
    if whole and (not isinstance(values[0], list) or not values[0]):
        raise argparse.ArgumentTypeError(f"{clip(text, 40)!r} is not a YAML list of values: {example}")
    return values[0] if whole else values


def penalty(text: str) -> float | dict[str, Any]:
    """``--penalty``: money per unit short, one finite number >= 0 for every product, or a YAML
    mapping product → money (``'{cells: 60, chips: 2000, displays: 300}'``, every product priced)
    for products counted in different units (read within the limits of policy files; the
    products are checked by the stress test)."""
    from .exceptions import ValidationError
    from .mapping_files import load_yaml_text
    from .wording import clip

    example = ("give a number >= 0 for every product, or a YAML mapping, e.g. "
               "'{cells: 60, chips: 2000, displays: 300}'")
    if not text.strip().startswith("{"):
        if ":" in text:  # a mapping without its braces
            raise argparse.ArgumentTypeError(f"{clip(text, 40)!r}: {example} (in braces)")
        return non_negative(text)
    try:
        value = load_yaml_text(text, f"{clip(text, 40)!r}")
    except ValidationError as exc:
        raise argparse.ArgumentTypeError(f"{exc.problems[0]}: {example}") from exc
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError(f"{clip(text, 40)!r} is not a YAML mapping: {example}")
    if not value:
        raise argparse.ArgumentTypeError(f"{clip(text, 40)!r} names no product: {example}")
    return {str(k): _number_or_text(v) for k, v in value.items()}


def _number_or_text(value: Any) -> Any:
    """A YAML value as a number where it reads as one (YAML reads ``1e3`` as text), else as is."""
    try:
        return float(value) if isinstance(value, str) else value
    except ValueError:
        return value


def add_threads_option(parser: argparse.ArgumentParser) -> None:
    """``--threads``: HiGHS's threads for each solve (the same plan on machines with other CPU
    counts; an analysis had none, and its reports changed with the machine: reproducibility audit)."""
    from .solvers.base import available_cpus

    parser.add_argument("--threads", metavar="N", type=whole("solver threads", available_cpus()),
                        help="solver threads (at most the CPUs this process may use; default: HiGHS's "
                             "choice, which follows the CPUs: give it for the same plans on every machine)")


def analysis_options(args: argparse.Namespace) -> Any:
    """The SolveOptions of each solve of an analysis (``--time-limit``, ``--allow-nonoptimal``,
    ``--threads``); None: the defaults."""
    from .solvers.base import SolveOptions

    if args.time_limit is None and not args.allow_nonoptimal and args.threads is None:
        return None
    return SolveOptions(time_limit=args.time_limit, allow_nonoptimal=args.allow_nonoptimal,
                        threads=args.threads)


# ---- the parser ----------------------------------------------------------------------
def _given(value: Any) -> str:
    return ",".join(map(str, value)) if isinstance(value, list | tuple) else str(value)


class _Once(argparse._StoreAction):
    """An option that takes a value, given once: given twice (``--policy a.yaml --policy
    b.yaml``), argparse kept the last without a word, and the run solved one policy of two."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        if getattr(self, "_seen", None) is namespace:
            raise argparse.ArgumentError(self, f"given twice ({_given(getattr(namespace, self.dest))} and "
                                               f"{_given(values)}): give it once")
        self._seen = namespace
        super().__call__(parser, namespace, values, option_string)


class UsageError(Exception):
    """Bad command-line arguments (raised instead of argparse's exit); ``problems``: each as
    ``(--flag) | what is wrong``, as every other invalid input lists them.

    >>> UsageError("resilient-sc solve", "argument --gap: '-1': give a relative gap", "").problems
    ["(--gap) | '-1': give a relative gap"]
    >>> UsageError("resilient-sc premium", "the following arguments are required: --policies", "").problems
    ['(--policies) | required: give it']
    """

    def __init__(self, prog: str, message: str, usage: str):
        super().__init__(f"{prog}: {message}")
        self.usage = usage
        argument = re.match(r"argument (\S+?): (.*)", message, re.DOTALL)
        required = re.match(r"the following arguments are required: (.*)", message)
        if argument:  # '-g/--gap' names the option by its long name
            self.problems = [f"({argument.group(1).split('/')[-1]}) | {argument.group(2)}"]
        elif required:
            self.problems = [f"({name}) | required: give it" for name in required.group(1).split(", ")]
        else:
            self.problems = [f"({prog}) | {message}"]


class Parser(argparse.ArgumentParser):
    """argparse's parser, its errors raised (:class:`UsageError`), with a hint: the command or
    option meant, or where an option goes; an unknown option is said with its command's usage."""

    #: the subcommands' parsers, by name (the top-level parser's)
    commands: dict[str, argparse.ArgumentParser]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.register("action", None, _Once)
        self.register("action", "store", _Once)

    def error(self, message: str) -> NoReturn:
        choice = re.match(r"argument COMMAND: invalid choice: '(.*?)' \(choose", message)
        if choice and (hit := closest(choice.group(1), getattr(self, "commands", {}))):
            message += f" (did you mean {hit!r}?)"
        raise UsageError(self.prog, message, self.format_usage())

    def parse_args(self, args: Any = None, namespace: Any = None) -> Any:  # type: ignore[override]
        parsed, extra = self.parse_known_args(args, namespace)
        if extra:
            command = getattr(self, "commands", {}).get(getattr(parsed, "command", ""), self)
            options = [s for action in command._actions for s in action.option_strings]
            first = extra[0].split("=", 1)[0]
            prefixed = [o for o in options if o.startswith(first) and len(first) > 2]  # --tim, not --t
            meant = prefixed[0] if len(prefixed) == 1 else None
            meant = meant or (closest(first, options) if first.startswith("--") else None)
            hint = (f" (an option of {command.prog!r} goes after the command: {command.prog} … {first})"
                    if first in options else f" (did you mean {meant}?)" if meant else "")
            command.error(f"unrecognized arguments: {' '.join(extra)}{hint}")
        return parsed
