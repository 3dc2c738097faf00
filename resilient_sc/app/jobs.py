"""Long work off the page: each solve or stress test runs in a process of its own.

HiGHS's stop request (:mod:`resilient_sc.solvers.highs`) is process-wide, so in a server shared
by several tabs it would stop every tab's solve; a process per job is stopped alone
(:meth:`Job.stop` terminates it) and never blocks the page, whose handler only waits on a pipe
in a thread. Processes come from a fork server that has imported the library once (Linux), so
a job starts in milliseconds. Results come back as ``(kind, value)``: ``("ok", result)``,
``("infeasible", reasons)``, ``("invalid", problems)``, ``("not_optimal", message)``,
``("error", message)`` or ``("stopped", "")``.

>>> job = Job(sum, [[1, 2, 3]])
>>> job.wait()
('ok', 6)
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable
from typing import Any

from ..exceptions import InfeasiblePolicyError, NotOptimalError, ValidationError


def _context() -> Any:
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" in methods:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["resilient_sc", "resilient_sc.app.jobs"])
        return ctx
    return multiprocessing.get_context("spawn")


def _child(conn: Any, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
    try:
        out: tuple[str, Any] = ("ok", fn(*args))
    except InfeasiblePolicyError as exc:
        out = ("infeasible", list(exc.reasons))
    except ValidationError as exc:
        out = ("invalid", list(exc.problems))
    except NotOptimalError as exc:
        out = ("not_optimal", str(exc))
    except Exception as exc:
        out = ("error", f"{type(exc).__name__}: {exc}")
    conn.send(out)
    conn.close()


class Job:
    """``fn(*args)`` running in a process of its own; :meth:`wait` blocks (call it in a thread)."""

    def __init__(self, fn: Callable[..., Any], args: list[Any] | tuple[Any, ...]):
        ctx = _context()
        self._recv, send = ctx.Pipe(duplex=False)
        self.started = time.monotonic()
        self.stopped = False
        self.process = ctx.Process(target=_child, args=(send, fn, tuple(args)), daemon=True)
        self.process.start()
        send.close()

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def wait(self) -> tuple[str, Any]:
        try:
            out = self._recv.recv()
        except (EOFError, OSError):
            out = ("stopped", "") if self.stopped else ("error", "the solver process ended unexpectedly")
        self.process.join()
        self._recv.close()
        return out

    def stop(self) -> None:
        """End the job now (its :meth:`wait` returns ``("stopped", "")``)."""
        self.stopped = True
        if self.process.is_alive():
            self.process.terminate()

    @property
    def running(self) -> bool:
        return self.process.is_alive()
