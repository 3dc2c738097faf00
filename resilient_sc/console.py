"""The ``resilient-sc`` console command. A stop signal is answered from the first instant:
also while the library is still being imported (1-2 s: numpy, pandas, scipy, HiGHS), the
command stops at once and prints its ``interrupted`` outcome, as :func:`resilient_sc.cli.main`
does once it runs. Standard library only, up to the import of :mod:`resilient_sc.cli`."""

from __future__ import annotations

import json
import os
import signal
import sys

from .stopping import SIGNALS, interrupted


def _stop(signum: int, frame: object) -> None:
    """Print the interrupted outcome and end the process from the handler itself: nothing has
    been read or written yet. An exception raised here instead surfaced inside whatever was
    being imported, where C extensions turned it into another error (numpy's "bad install"
    ImportError) or swallowed it (the command ran on and exited 0)."""
    for s in SIGNALS:
        signal.signal(s, signal.SIG_IGN)
    code, data = interrupted(signum)
    out = [(2, f"error: {data['reason']}\n")]
    if "--json" in sys.argv[1:]:
        out.append((1, json.dumps(data, indent=2) + "\n"))
    for fd, text in out:
        raw = text.encode()
        try:
            while raw:
                raw = raw[os.write(fd, raw):]
        except OSError:  # the reader is gone
            pass
    os._exit(code)


def main() -> int:
    """Run ``resilient-sc`` with ``sys.argv``; return the exit code."""
    for s in SIGNALS:
        signal.signal(s, _stop)
    from . import cli  # the slow import, under the handlers above

    for s in SIGNALS:  # cli.main answers signals from here; the handlers it restores at its end,
        signal.signal(s, signal.SIG_IGN)  # after the outcome is printed, ignore a late one
    return cli.main()
