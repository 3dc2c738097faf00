"""What a stop signal means to a command, in the standard library only: the console command
(:mod:`resilient_sc.console`) answers a signal with these words also before the library is
imported, and :mod:`resilient_sc.cli` once it runs.

>>> interrupted(2)
(130, {'status': 'interrupted', 'reason': 'interrupted by SIGINT', 'signal': 'SIGINT'})
"""

from __future__ import annotations

import json
import os
import signal
import sys
from typing import Any

#: the signals that stop a command (SIGINT, SIGTERM, SIGHUP where the platform has them)
SIGNALS = tuple(getattr(signal, n) for n in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, n))
_kept_ignored: set[int] = set()


def keep_ignored() -> None:
    """Note the stop signals the process was started with ignored, which then stay ignored
    (:func:`stop_signals`): ``nohup`` ignores SIGHUP and a script's background job SIGINT so that
    the run outlives the terminal, as Python leaves an ignored SIGINT (a handler put back ended
    such a run at logout, exit 129 and nothing written: audit). The console command calls it first."""
    _kept_ignored.update(s for s in SIGNALS if signal.getsignal(s) is signal.SIG_IGN)


def stop_signals() -> tuple[int, ...]:
    """:data:`SIGNALS` less those :func:`keep_ignored` noted."""
    return tuple(s for s in SIGNALS if s not in _kept_ignored)


#: a command stopped by a signal exits with this + the signal's number (130 for Ctrl-C)
EXIT_SIGNAL = 128


def interrupted(signum: int) -> tuple[int, dict[str, Any]]:
    """The exit code and ``--json`` answer of a command stopped by the signal ``signum``."""
    name = signal.Signals(signum).name
    return EXIT_SIGNAL + signum, {"status": "interrupted", "reason": f"interrupted by {name}", "signal": name}


def interrupted_texts(signum: int, as_json: bool) -> tuple[int, str, str]:
    """:func:`interrupted` as printed before the library can be: the exit code, stderr's line
    and stdout's text (the JSON object with ``as_json``, else nothing).

    >>> interrupted_texts(15, False)
    (143, 'error: interrupted by SIGTERM\\n', '')
    """
    code, data = interrupted(signum)
    return code, f"error: {data['reason']}\n", json.dumps(data, indent=2) + "\n" if as_json else ""


def std_streams() -> None:
    """Standard input, output and error opened on the null device where the command was started
    with them closed (``resilient-sc solve ... >&-``): else Python holds ``sys.stdout`` as None
    (an AttributeError at the first print), and the first file opened takes descriptor 1, where
    HiGHS's log and the results would be written. Text the streams' encoding cannot hold is
    written escaped (``M\\xfcnchen`` to an ASCII stream), never a traceback."""
    try:
        for fd in (0, 1, 2):
            try:
                os.fstat(fd)
            except OSError:
                null = os.open(os.devnull, os.O_RDWR)  # the lowest free descriptor: fd itself
                if null != fd:
                    os.dup2(null, fd)
                    os.close(null)
        for name, fd, mode in (("stdout", 1, "w"), ("stderr", 2, "w"), ("stdin", 0, "r")):
            if getattr(sys, name) is None:
                setattr(sys, name, open(fd, mode, closefd=False))  # noqa: SIM115 (the process's own)
    except OSError:  # no null device (a bare container): as Python left them
        pass
    for stream in (sys.stdout, sys.stderr):  # an ASCII or cp1252 stream and an id 'München': not a
        if hasattr(stream, "reconfigure"):  # UnicodeEncodeError after the plan was written, but \xfc
            stream.reconfigure(errors="backslashreplace")
