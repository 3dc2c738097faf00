"""Exceptions and warnings raised by resilient_sc."""

from __future__ import annotations

import os
import re
import sys
import threading
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, NoReturn

from .wording import brief, printable

if TYPE_CHECKING:
    from .results import Plan
    from .roadmap import Roadmap


class ResilientSCError(Exception):
    """Base class of every error raised on purpose by resilient_sc."""


#: a line that counts the problems not listed (:func:`~resilient_sc.wording.each_row`'s rows, a
#: header's or a policy field's problems)
_MORE_ROWS = re.compile(r"\| … and ([\d,]+) more (?:rows where|problems with)")


class ValidationError(ResilientSCError, ValueError):
    """Input data or options break the data contract; ``problems`` lists every one found.

    Each problem reads ``(table, row N 'id') | message``; row numbers are spreadsheet
    rows (the header is row 1, the first data row is row 2). Problems all of a policy
    (``(policy) | ...``, ``(policy 'name') | ...``) are headed "in the policy", all of a set of
    policies (``(policies) | ...`` too) "in the policies".

    >>> print(ValidationError(["(policy) | min_hubs == -1, must be at least 0"]))
    1 problem in the policy:
      - (policy) | min_hubs == -1, must be at least 0
    >>> ValidationError(["(policy 'local') | min_hubs == -1, must be at least 0"]).about
    "in the policy 'local'"
    >>> ValidationError(["(policies) | name 3 is not text", "(policy 'x') | 1 is an int"]).about
    'in the policies'
    """

    def __init__(self, problems: Sequence[str], about: str = "in the input data"):
        self.problems = tuple(problems)
        if about == "in the input data" and self.problems:  # the data may be fine: say what to change
            about = _policy_words(self.problems) or _argument_words(self.problems) or about
        self.about = about
        # a line counting the rows not listed (wording.each_row) counts as those rows: 10 listed and
        # '… and 15,990 more rows' read '11 problems' (large-inputs audit)
        #: how many problems there are: those listed and those a line counts
        self.n_problems = n = sum(int(m[1].replace(",", "")) if (m := _MORE_ROWS.search(p)) else 1
                                  for p in self.problems)
        head = f"{n:,} problem{'s' if n != 1 else ''} {about}:"
        super().__init__("\n".join([head, *(f"  - {printable(p)}" for p in self.problems)]))  # a line each

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled with its problems (a process pool's error reads as raised; unpickled from its
        message, each character of it was a problem)."""
        return (type(self), (self.problems, self.about))

    @property
    def messages(self) -> tuple[str, ...]:
        """The problems without their place: what a form next to the field shows.

        >>> ValidationError(["(policy) | min_hubs == -1, must be at least 0"]).messages
        ('min_hubs == -1, must be at least 0',)
        """
        return tuple(p.split("| ", 1)[-1] for p in self.problems)


#: the places of problems with a function's arguments, not with the data
ARGUMENTS = frozenset(f"({name})" for name in (
    "options", "model", "path", "period", "roadmap", "network", "plan", "penalty", "failures", "workers",
    "start", "field", "values", "probabilities", "base", "stress", "premium_table", "frontier", "force",
    "warm_start", "scenarios", "strong_links", "source", "progress", "executor", "limits", "log", "folder",
    "defer_failures", "stress_test", "write_workbook", "column", "frames", "tables"))


def _argument_words(problems: Sequence[str]) -> str:
    """"in the arguments" when every problem is of an argument (:data:`ARGUMENTS`: a negative
    time limit is not a problem 'in the input data'); else ''.

    >>> ValidationError(["(options) | time_limit == -1, must be above 0"]).about
    'in the arguments'
    """
    return "in the arguments" if {p.split(" | ", 1)[0] for p in problems} <= ARGUMENTS else ""


def _policy_words(problems: Sequence[str]) -> str:
    """"in the policy" when every problem is of one policy (``(policy)`` or ``(policy 'name')``,
    then named), "in the policies" when every one is of policies; else ''."""
    places = {p.split(" | ", 1)[0] for p in problems}
    named = [re.fullmatch(r"\(policy(?: (.+))?\)", p) for p in places]
    if not all(m is not None or p == "(policies)" for m, p in zip(named, places, strict=True)):
        return ""
    if len(places) == 1 and named[0] is not None:
        return " ".join(filter(None, ("in the policy", named[0].group(1))))
    return "in the policies"


class PolicyError(ValidationError):
    """A :class:`ValidationError` in a policy file: the message is headed by the file, not by
    "problems in the input data"; ``path`` is the file, ``what`` says which kind."""

    def __init__(self, problems: Sequence[str], path: str, what: str = "policy file"):
        super().__init__(problems)
        self.path, self.what = path, what
        n = len(self.problems)
        head = f"{what} {path}: {n} problem{'s' if n != 1 else ''}:"
        self.args = ("\n".join([head, *(f"  - {p}" for p in self.problems)]),)

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.problems, self.path, self.what))


class InfeasiblePolicyError(ResilientSCError):
    """No network meets the data and the policy; ``reasons`` says why, in planner's terms."""

    def __init__(self, reasons: Sequence[str]):
        self.reasons = tuple(reasons)
        super().__init__(
            "no plan meets the data and policy:\n" + "\n".join(f"  - {r}" for r in self.reasons)
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.reasons,))


class NotOptimalError(ResilientSCError):
    """The solver stopped before proving optimality (time limit, interrupt, numerical trouble).

    ``plan`` holds the best plan found, if any; ``status`` how the solve ended (``time_limit``,
    ``interrupted``, ``error``: the value of a :class:`~resilient_sc.solvers.base.Status`, equal to it
    by ``==``).
    """

    def __init__(self, message: str, plan: Plan | Roadmap | None = None, status: str = "time_limit"):
        self.plan, self.status = plan, status
        super().__init__(message)

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.args[0], self.plan, self.status))


class DataWarning(UserWarning):
    """Suspicious but legal input data (for instance capacity below demand)."""


class RunWarning(RuntimeWarning):
    """The library's word about a run whose result stands: a solver log not written, a temporary
    folder not removed, figures skipped, an accelerated route's own fault (solved another way)."""


#: the place a solve's warnings name: ``solve``, or within an analysis's task ``solve of <task>``
#: (a context variable: each thread of a thread pool its own)
_NO_TASK = "solve"
SOLVING: ContextVar[str] = ContextVar("resilient_sc_solving", default=_NO_TASK)


#: where a sweep was asked for (file, line, module), for the warnings of its tasks that run in
#: other threads of this process (a thread pool, a Dask client of threads): their own stack ends
#: in the executor's code, not at the user's line
CALLER: ContextVar[tuple[str, int, str] | None] = ContextVar("resilient_sc_caller", default=None)

_PACKAGE = __file__.rsplit(os.sep, 1)[0] + os.sep


def user_stacklevel() -> int:
    """The ``stacklevel`` of :func:`warnings.warn`, called here, that names the first caller
    outside this package (a warning points at the user's line, however deep the library's calls)."""
    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        frame, level = frame.f_back, level + 1
    return level


def caller_site() -> tuple[str, int, str]:
    """The file, line and module name of the first caller outside this package (``CALLER``)."""
    frame = sys._getframe(1)
    while frame.f_back is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        frame = frame.f_back
    return frame.f_code.co_filename, frame.f_lineno, str(frame.f_globals.get("__name__", "__main__"))


def warn(message: str | Warning, category: type[Warning]) -> None:
    """:func:`warnings.warn` at the first caller's line outside this package, however deep the
    library's calls (a warning of a sweep's task run in another thread: at the line that asked for
    the sweep, ``CALLER``); a text raised within a sweep's task names it (``… (in the solve of
    near)``) unless it does already."""
    if _SILENT.get():
        return
    task = SOLVING.get()
    if isinstance(message, str) and task != _NO_TASK and f"({task})" not in message:
        message = f"{message} (in the {task})"
    site = CALLER.get()
    if site is None:
        warnings.warn(message, category, stacklevel=user_stacklevel())
        return
    filename, line, module = site
    home = sys.modules.get(module)
    globals_ = vars(home) if home is not None else {}
    warnings.warn_explicit(message, category, filename, line, module=module,
                           registry=globals_.setdefault("__warningregistry__", {}), module_globals=globals_)


#: the library's own warning kinds: its words, printed without their kind
OWN_WARNINGS = (DataWarning, RunWarning)


def add_note(exc: BaseException, note: str) -> None:
    """``exc.add_note(note)``, once, on Python 3.10 too (the ``__notes__`` that 3.11 fills, which
    :func:`resilient_sc.cli_outcome.failure` reads)."""
    if note in getattr(exc, "__notes__", ()):
        return
    if hasattr(exc, "add_note"):
        exc.add_note(note)
    else:
        exc.__notes__ = [*getattr(exc, "__notes__", ()), note]  # type: ignore[attr-defined]


def no_attribute(owner: object, name: str, replaced: Mapping[str, str]) -> NoReturn:
    """Raise Python's AttributeError for ``owner.name``, naming what replaced an attribute of an
    earlier version (docs/changelog.md; Python's 'Did you mean' still follows); for a property of
    ``owner``'s class, the AttributeError raised within it (said 'no attribute' of the property).

    >>> no_attribute(1.5, "to_excel", {"to_excel": "write_workbook(path, plan)"})
    Traceback (most recent call last):
    AttributeError: 'float' object has no attribute 'to_excel': write_workbook(path, plan) replaced it \
(docs/changelog.md)
    """
    if any(name in klass.__dict__ for klass in type(owner).__mro__):
        object.__getattribute__(owner, name)  # a property's own error, raised again where it arose
    text = f"{type(owner).__name__!r} object has no attribute {name!r}"
    if name in replaced:
        text += f": {replaced[name]} replaced it (docs/changelog.md)"
    raise AttributeError(text, name=name, obj=owner)


def check_path(name: str, value: Any, what: str) -> None:
    """A :class:`ValidationError` unless ``value`` is a path (text or ``os.PathLike``): pathlib's
    TypeError ('expected str, bytes or os.PathLike object, not Plan') said nothing of which
    argument or what to give; ``what`` says it (``a folder to write the plan to``)."""
    if not isinstance(value, str | os.PathLike):
        raise ValidationError([f"({name}) | {brief(value)} ({type(value).__name__}) is not a path: "
                               f"give {what}"])
    if "\0" in os.fsdecode(os.fspath(value)):  # the system's calls raise a bare ValueError
        raise ValidationError([f"({name}) | {brief(value)} holds a NUL character, which no path may hold: "
                               f"give {what}"])


def check_switch(name: str, value: Any, true: str = "", false: str = "") -> None:
    """A :class:`ValidationError` unless ``value`` is a bool (numpy's too): any text or number is
    true in Python, so ``force="no"`` would act as True. ``true``/``false`` say what each does."""
    import numpy as np  # here: the command line's parser imports this module, and numpy takes 0.1 s

    if not isinstance(value, bool | np.bool_):
        what = (f" ({true})" if true else "") + " or False" + (f" ({false})" if false else "")
        raise ValidationError([f"({name}) | {value!r:.40} is a {type(value).__name__}: give True{what}"])


_QUIET = threading.RLock()
#: within :func:`own_warnings_silenced` in this thread or task: :func:`warn` says nothing
_SILENT: ContextVar[bool] = ContextVar("_SILENT", default=False)


@contextmanager
def warnings_ignored(module: str) -> Iterator[None]:
    """The warnings raised in ``module`` (a package: openpyxl's of unsupported extensions)
    ignored within the block, one such block at a time in a process. Never a blanket 'ignore':
    :func:`warnings.catch_warnings` is the process's, not thread-safe before Python 3.14, and
    pandas' own in another thread left one in force for good (a later solve's warnings never
    seen); a filter of one package left so is that package's alone."""
    with _QUIET, warnings.catch_warnings():
        warnings.filterwarnings("ignore", module=module)
        yield


@contextmanager
def own_warnings_silenced() -> Iterator[None]:
    """The library's own warnings (:func:`warn`) unsaid within the block, in this thread or task
    only: no process-wide filter to leave behind."""
    token = _SILENT.set(True)
    try:
        yield
    finally:
        _SILENT.reset(token)
