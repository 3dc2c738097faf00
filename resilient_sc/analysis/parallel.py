"""Running independent solves through any ``concurrent.futures``-style executor.

A local process pool by default; pass ``executor=`` a Dask ``distributed.Client`` (or
anything with ``submit`` returning futures with ``result()``) to run on a cluster.
Results come back in submission order, so parallel and serial runs are identical.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from typing import Any, TypeVar

from ..exceptions import ValidationError
from ..solvers.base import is_number

T = TypeVar("T")


def reset_solver_threads() -> None:
    """Initializer of pool workers: drop the HiGHS thread pool inherited through ``fork``.

    A process forked after HiGHS has run a MIP in its parent (any earlier solve) inherits a
    scheduler whose threads were not copied, and its first MIP would wait on them forever.
    Pass it to your own pool: ``ProcessPoolExecutor(initializer=reset_solver_threads)``.
    """
    import highspy

    highspy.Highs.resetGlobalScheduler(False)


def default_workers(n_tasks: int) -> int:
    """Worker processes for ``n_tasks`` independent solves on this machine."""
    return max(1, min(n_tasks, os.cpu_count() or 1))


def check_workers(workers: Any) -> None:
    """``workers`` is None (one per core) or a whole number ≥ 1; else a :class:`ValidationError`,
    raised before anything is solved."""
    if workers is not None and (not is_number(workers, whole=True) or workers < 1):
        raise ValidationError([f"(workers) | {workers!r}, must be a whole number >= 1 (None: one per "
                               "core)"])


def run_all(fn: Callable[..., T], tasks: Sequence[tuple[Any, ...]], workers: int | None = None,
            executor: Executor | Any | None = None,
            progress: Callable[[Iterable[Any], int], Iterable[Any]] | None = None) -> list[T]:
    """``[fn(*task) for task in tasks]``, in parallel unless ``workers == 1``.

    ``progress`` wraps the iteration over finished tasks (e.g. ``tqdm``), given the
    iterable and the total.
    """
    check_workers(workers)
    wrap = progress or (lambda it, total: it)
    if executor is None and (workers == 1 or len(tasks) <= 1):
        return [fn(*task) for task in wrap(tasks, len(tasks))]
    own = executor is None
    pool = executor or ProcessPoolExecutor(max_workers=workers or default_workers(len(tasks)),
                                           initializer=reset_solver_threads)
    try:
        futures = [pool.submit(fn, *task) for task in tasks]
        return [f.result() for f in wrap(futures, len(futures))]
    except BaseException:  # Ctrl-C or a failed task: end our workers, wait for no task
        if own:  # (the pool's processes are not public; without them exit waits for every task)
            workers = list((getattr(pool, "_processes", None) or {}).values())
            pool.shutdown(wait=False, cancel_futures=True)
            for process in workers:
                process.terminate()
        raise
    finally:
        if own:
            pool.shutdown()
