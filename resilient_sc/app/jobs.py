"""Long work off the page: each solve or stress test runs in a process of its own.

HiGHS's stop request (:mod:`resilient_sc.solvers.highs`) is process-wide, so in a server shared
by several tabs it would stop every tab's solve; a process per job is stopped alone
(:meth:`Job.stop` terminates it) and never blocks the page, whose handler only waits on a pipe
in a thread. Processes come from a fork server that has imported the library once (Linux), so
a job starts in milliseconds. Results come back as ``(kind, value)``: ``("ok", result)``,
``("infeasible", reasons)``, ``("invalid", problems)``, ``("not_optimal", message)``,
``("error", message)`` or ``("stopped", "")``; the warnings the work gave (data and run
warnings: a glide path that skips a period, a free restart) in :attr:`Job.warnings`, which a
process of its own would otherwise print on the server's terminal alone.

>>> job = Job(sum, [[1, 2, 3]])
>>> job.wait(), job.warnings
(('ok', 6), [])
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import threading
import time
import warnings
from collections.abc import Callable
from typing import Any

from ..analysis.parallel import as_worker
from ..exceptions import DataWarning, InfeasiblePolicyError, NotOptimalError, RunWarning, ValidationError


def _context() -> Any:
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" in methods:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["resilient_sc", "resilient_sc.app.jobs"])
        return ctx
    return multiprocessing.get_context("spawn")


#: the most warnings a job sends back (each distinct; 20,000 came back whole)
MOST_WARNINGS = 1000


def _child(conn: Any, fn: Callable[..., Any], args: tuple[Any, ...], server: int) -> None:
    as_worker()  # Ctrl-C is the server's to handle: it stops the jobs
    if os.name == "posix":  # os.kill(pid, 0) is a Ctrl-C to the process group on Windows
        threading.Thread(target=_end_with, args=(server,), daemon=True).start()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
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
    ours: dict[str, None] = {}  # distinct, in order
    for w in caught:
        if issubclass(w.category, (DataWarning, RunWarning)):
            ours.setdefault(str(w.message))
        else:  # another library's (numpy's, pandas'): on the server's terminal, as before
            warnings.showwarning(w.message, w.category, w.filename, w.lineno)
    conn.send((*out, list(ours)[:MOST_WARNINGS]))
    conn.close()


def _end_with(server: int) -> None:
    """End this job's process once the server (pid ``server``) is gone: killed (kill -9, the
    out-of-memory killer), it stopped no job, and the fork server, the job's parent, outlives it
    (a solve ran on for as long as it took, at full CPU, for no one)."""
    while True:
        time.sleep(0.5)
        try:
            os.kill(server, 0)
        except OSError:  # no such process, or another user's: the server's pid reused
            os._exit(1)


class Job:
    """``fn(*args)`` running in a process of its own; :meth:`wait` blocks (call it in a thread)."""

    def __init__(self, fn: Callable[..., Any], args: list[Any] | tuple[Any, ...]):
        ctx = _context()
        self._recv, send = ctx.Pipe(duplex=False)
        self.started = time.monotonic()
        self.stopped = False
        self.warnings: list[str] = []  # what the work warned of, once it ended
        self.process = ctx.Process(target=_child, args=(send, fn, tuple(args), os.getpid()), daemon=True)
        self.process.start()
        send.close()

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def wait(self) -> tuple[str, Any]:
        try:
            kind, value, self.warnings = self._recv.recv()
            out = (kind, value)
        except (EOFError, OSError):
            out = ("stopped", "") if self.stopped else ("error", "the solver process ended unexpectedly")
        self.process.join()
        self._recv.close()
        return out

    async def result(self) -> tuple[str, Any]:
        """:meth:`wait`, awaited from the page: in a thread of its own, not the server's shared pool
        (six jobs running held every thread of it, and a new tab waited for one to end), and a
        daemon one, which never holds up the server's exit."""
        loop = asyncio.get_running_loop()
        done: asyncio.Future[tuple[str, Any]] = loop.create_future()

        def wait() -> None:
            out = self.wait()
            with contextlib.suppress(RuntimeError):  # the server's loop closed meanwhile
                loop.call_soon_threadsafe(lambda: done.done() or done.set_result(out))

        threading.Thread(target=wait, name="resilient_sc-job", daemon=True).start()
        return await done

    def stop(self) -> None:
        """End the job now (its :meth:`wait` returns ``("stopped", "")``)."""
        self.stopped = True
        if self.process.is_alive():
            self.process.terminate()

    @property
    def running(self) -> bool:
        return self.process.is_alive()
