"""The ``resilient-sc`` console command. A stop signal is answered from the first instant:
also while the library is still being imported (1-2 s: numpy, pandas, scipy, HiGHS), the
command stops at once and prints its ``interrupted`` outcome, as :func:`resilient_sc.cli.main`
does once it runs. Standard library only, up to the import of :mod:`resilient_sc.cli`."""

from __future__ import annotations

import atexit
import json
import os
import shutil
import signal
import sys
import tempfile

from .stopping import SIGNALS, interrupted_texts, keep_ignored, std_streams, stop_signals


def _stop(signum: int, frame: object) -> None:
    """Print the interrupted outcome and end the process from the handler itself: nothing has
    been read or written yet. An exception raised here instead surfaced inside whatever was
    being imported, where C extensions turned it into another error (numpy's "bad install"
    ImportError) or swallowed it (the command ran on and exited 0)."""
    for s in SIGNALS:
        signal.signal(s, signal.SIG_IGN)
    code, err, out = interrupted_texts(signum, "--json" in sys.argv[1:])
    _write([(2, err), (1, out)])
    os._exit(code)


def _write(texts: list[tuple[int, str]]) -> None:
    """Each text written whole to its file descriptor, as far as its reader lets it."""
    for fd, text in texts:
        raw = text.encode()
        try:
            while raw:
                raw = raw[os.write(fd, raw):]
        except OSError:  # the reader is gone
            pass


def _matplotlib_folder() -> None:
    """A folder of its own for matplotlib where its own is not writable (a read-only HOME in a
    container): matplotlib then makes a temporary one too, but says so on stderr in two lines
    of advice on MPLCONFIGDIR, which a planner read as the command's. Set MPLCONFIGDIR, or a
    writable home, and this does nothing."""
    if "MPLCONFIGDIR" in os.environ:
        return
    home = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    folder = os.path.join(home, "matplotlib")
    while not os.path.exists(folder) and os.path.dirname(folder) != folder:
        folder = os.path.dirname(folder)  # matplotlib makes what is missing: its parent must be writable
    try:  # tried, not os.access: root passes that check on a read-only file system
        with tempfile.TemporaryFile(dir=folder):
            return
    except OSError:
        pass
    try:
        made = tempfile.mkdtemp(prefix="resilient_sc-matplotlib-")
    except OSError:  # no temporary folder either: matplotlib's own words then
        return
    os.environ["MPLCONFIGDIR"] = made
    atexit.register(shutil.rmtree, made, ignore_errors=True)


def main() -> int:
    """Run ``resilient-sc`` with ``sys.argv``; return the exit code."""
    keep_ignored()
    std_streams()
    _matplotlib_folder()
    for s in stop_signals():
        signal.signal(s, _stop)
    try:
        from . import cli  # the slow import, under the handlers above
    except MemoryError:
        reason = "out of memory while starting (the library could not be loaded): free memory"
        _write([(2, f"error: {reason}\n")] + [(1, json.dumps({"status": "error", "reason": reason}, indent=2)
                                                + "\n")] * ("--json" in sys.argv[1:]))
        return 1

    for s in SIGNALS:  # cli.main answers signals from here; the handlers it restores at its end,
        signal.signal(s, signal.SIG_IGN)  # after the outcome is printed, ignore a late one
    return cli.main()


if __name__ == "__main__":  # python -m resilient_sc.console, as python -m resilient_sc
    raise SystemExit(main())
