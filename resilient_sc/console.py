"""The ``resilient-sc`` console command. A stop signal is answered from the first instant:
also while the library is still being imported (1-2 s: numpy, pandas, scipy, HiGHS), the
command stops at once and prints its ``interrupted`` outcome, as :func:`resilient_sc.cli.main`
does once it runs. Standard library only, up to the import of :mod:`resilient_sc.cli`."""

from __future__ import annotations

import json
import signal
import sys

from .stopping import SIGNALS, interrupted


class _StoppedWhileStarting(BaseException):
    """A stop signal that arrived while the command was being imported (not an Exception, so
    no library's ``except Exception`` around an optional import swallows it)."""

    def __init__(self, signum: int):
        self.signum = signum


def _stop(signum: int, frame: object) -> None:
    raise _StoppedWhileStarting(signum)


def main() -> int:
    """Run ``resilient-sc`` with ``sys.argv``; return the exit code."""
    for s in SIGNALS:
        signal.signal(s, _stop)
    try:
        from . import cli  # the slow import, under the handlers above

        return cli.main()  # whose own handlers replace them at its start
    except _StoppedWhileStarting as stopped:
        for s in SIGNALS:
            signal.signal(s, signal.SIG_IGN)
        code, data = interrupted(stopped.signum)
        sys.stderr.write(f"error: {data['reason']}\n")
        if "--json" in sys.argv[1:]:
            sys.stdout.write(json.dumps(data, indent=2) + "\n")
        return code
