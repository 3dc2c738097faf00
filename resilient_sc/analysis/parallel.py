"""Running independent solves through any ``concurrent.futures``-style executor.

A local process pool by default; pass ``executor=`` a Dask ``distributed.Client`` (or
anything with ``submit`` returning futures with ``result()``) to run on a cluster.
Results come back in submission order, so parallel and serial runs are identical.
"""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import BrokenExecutor, Executor, Future, ProcessPoolExecutor
from typing import Any, TypeVar

from ..exceptions import ResilientSCError, ValidationError
from ..solvers.base import available_cpus, is_number

T = TypeVar("T")


def _ignore_interrupts() -> None:
    """Initializer of the library's pool workers: Ctrl-C (sent to the whole process group by a
    terminal) is the parent's to handle -- it ends the workers -- so an idle worker prints no
    traceback of its own. (The HiGHS threads a forked worker inherits are dropped by
    :mod:`resilient_sc.solvers.highs`'s fork hook, in any pool.)"""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def default_workers(n_tasks: int) -> int:
    """Worker processes for ``n_tasks`` independent solves on this machine: one per CPU this
    process may use (its affinity mask), at most one per task."""
    return max(1, min(n_tasks, available_cpus()))


def check_workers(workers: Any) -> None:
    """``workers`` is None (one per CPU) or a whole number from 1 to the CPUs this process may
    use; else a :class:`ValidationError`, raised before anything is solved."""
    cpus = available_cpus()
    if workers is not None and (not is_number(workers, whole=True) or not 1 <= workers <= cpus):
        raise ValidationError([f"(workers) | {workers!r}, must be a whole number from 1 to {cpus} (the CPUs "
                               "this process may use; None: one per CPU)"], "in the arguments")


def _run_in_order(fn: Callable[..., T], tasks: Sequence[tuple[Any, ...]],
                  futures: list[Future[T]]) -> Iterator[Future[T]]:
    """Each task run in turn as it is asked for, a finished future appended to ``futures`` and
    yielded (what ``progress`` is given without a pool)."""
    for task in tasks:
        done: Future[T] = Future()
        done.set_result(fn(*task))
        futures.append(done)
        yield done


def run_all(fn: Callable[..., T], tasks: Sequence[tuple[Any, ...]], workers: int | None = None,
            executor: Executor | Any | None = None,
            progress: Callable[[Iterable[Any], int], Iterable[Any]] | None = None) -> list[T]:
    """``[fn(*task) for task in tasks]``, in parallel unless ``workers == 1``.

    ``progress`` is given the futures of the tasks and their number and is iterated to show
    progress (``tqdm``, or ``concurrent.futures.as_completed``): it may yield them in any order,
    the results are always in the order of ``tasks``. A failed task, or Ctrl-C, cancels every
    task not started, in any executor.
    """
    check_workers(workers)
    shown = progress or (lambda it, total: it)
    futures: list[Future[T]] = []
    if executor is None and (workers == 1 or len(tasks) <= 1):
        ran = _run_in_order(fn, tasks, futures)
        for _ in shown(ran, len(tasks)):
            pass
        for _ in ran:  # the tasks a progress that stopped early left
            pass
        return [f.result() for f in futures]
    own = executor is None
    pool = executor or ProcessPoolExecutor(max_workers=min(workers or default_workers(len(tasks)),
                                                           len(tasks)), initializer=_ignore_interrupts)
    try:
        futures = [pool.submit(fn, *task) for task in tasks]
        for _ in shown(list(futures), len(futures)):
            pass
        return [f.result() for f in futures]
    except BaseException as exc:  # Ctrl-C or a failed task: end our workers, start no other task
        for f in futures:
            f.cancel()
        if own:  # (the pool's processes are not public; without them exit waits for every task)
            processes = list((getattr(pool, "_processes", None) or {}).values())
            pool.shutdown(wait=False, cancel_futures=True)
            for process in processes:
                process.terminate()
        if isinstance(exc, BrokenExecutor):
            raise ResilientSCError("a worker process ended while solving (killed, or out of memory: each "
                                   "holds a model of its own); use fewer workers, or workers=1 (CLI: "
                                   "--workers 1) to see which task it was") from exc
        raise
    finally:
        if own:
            pool.shutdown()
