"""What a stop signal means to a command, in the standard library only: the console command
(:mod:`resilient_sc.console`) answers a signal with these words also before the library is
imported, and :mod:`resilient_sc.cli` once it runs.

>>> interrupted(2)
(130, {'status': 'interrupted', 'reason': 'interrupted by SIGINT', 'signal': 'SIGINT'})
"""

from __future__ import annotations

import signal
from typing import Any

#: the signals that stop a command (SIGINT, SIGTERM, SIGHUP where the platform has them)
SIGNALS = tuple(getattr(signal, n) for n in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, n))
#: a command stopped by a signal exits with this + the signal's number (130 for Ctrl-C)
EXIT_SIGNAL = 128


def interrupted(signum: int) -> tuple[int, dict[str, Any]]:
    """The exit code and ``--json`` answer of a command stopped by the signal ``signum``."""
    name = signal.Signals(signum).name
    return EXIT_SIGNAL + signum, {"status": "interrupted", "reason": f"interrupted by {name}", "signal": name}
