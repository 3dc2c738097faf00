"""Running independent solves through any ``concurrent.futures``-style executor.

A local process pool by default; pass ``executor=`` a Dask ``distributed.Client`` (or
anything with ``submit`` returning futures with ``result()``) to run on a cluster.
Results come back in submission order, so parallel and serial runs are identical.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import importlib
import io
import multiprocessing
import os
import pickle
import signal
import sys
import threading
import time
import uuid
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import BrokenExecutor, Executor, Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import Any, TypeVar

from ..exceptions import (
    CALLER,
    SOLVING,
    ResilientSCError,
    RunWarning,
    ValidationError,
    add_note,
    caller_site,
    warn,
)
from ..format import count
from ..model.build import NetworkModel, sent_as_recipe
from ..model.roadmap import RoadmapModel
from ..solvers.base import available_cpus, is_number
from ..solvers.stops import SIGNAL_WATCHER
from ..wording import brief

T = TypeVar("T")
#: prctl's option: the signal a process gets when its parent dies (linux/prctl.h)
PR_SET_PDEATHSIG = 1


def as_worker(parent: int | None = None) -> None:
    """Initializer of the library's pool workers (and the app's jobs): Ctrl-C (sent to the whole
    process group by a terminal) is the parent's to handle -- it ends the workers -- so an idle
    worker prints no traceback of its own; on Linux a worker ends when its parent dies (a kill -9
    or the out-of-memory killer left both workers of a premium running, 100 MB each, for good),
    and ends at once when its ``parent`` (a pid) died before it asked for that (a parent killed
    just after the fork: its workers waited for tasks for good).
    (The HiGHS threads a forked worker inherits are dropped by
    :mod:`resilient_sc.solvers.highs`'s fork hook, in any pool.)"""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if parent is not None and os.getppid() != parent:
            os._exit(1)


def fork_is_safe() -> bool:
    """Whether this process may fork workers that inherit what they need (no pickling): on
    Linux, from the main thread, with no other thread running but the library's signal watcher,
    which the fork hooks of :mod:`resilient_sc.solvers.highs` leave behind soundly (a fork
    copies only the calling thread: a lock another thread held stays held in the child)."""
    others = [t for t in threading.enumerate() if t is not threading.current_thread()]
    return (sys.platform.startswith("linux") and threading.current_thread() is threading.main_thread()
            and all(t.name == SIGNAL_WATCHER for t in others))


def default_workers(n_tasks: int) -> int:
    """Worker processes for ``n_tasks`` independent solves on this machine: one per CPU this
    process may use (its affinity mask), at most one per task."""
    return max(1, min(n_tasks, available_cpus()))


#: a spawned worker (macOS, Windows) imports the main script again: a script whose calls are not
#: under the guard starts the sweep again in each worker, which cannot start workers of its own
NO_MAIN_GUARD = ("this script starts worker processes (a premium, frontier or roadmap sweep) from calls "
                 "not under if __name__ == '__main__':, and a worker started by 'spawn' (macOS, Windows) "
                 "runs the script again: put the script's calls under that guard, or pass workers=1")


def check_parallel(workers: Any, executor: Any = None, progress: Any = None) -> None:
    """One :class:`ValidationError`, raised before anything is solved, unless ``workers`` is None
    (one per CPU) or a whole number ≥ 1 (more than the CPUs is allowed, and slow; the pool never
    starts more processes than tasks; the CLI's ``--workers`` refuses more than the CPUs),
    ``executor`` None or an open executor (``submit``; not shut down, nor a closed Dask client:
    they failed only after the base solve, with their own errors) and ``progress`` None or
    callable."""
    if getattr(multiprocessing.current_process(), "_inheriting", False) and workers != 1 and executor is None:
        raise ResilientSCError(NO_MAIN_GUARD)  # before this worker solves the base a second time
    problems = []
    if workers is not None and (not is_number(workers, whole=True) or workers < 1):
        problems.append(f"(workers) | {workers!r}, must be a whole number >= 1 (None: one per CPU)")
    if executor is not None and not callable(getattr(executor, "submit", None)):
        problems.append(f"(executor) | {brief(executor)} has no submit(): give a concurrent.futures executor "
                        "or a Dask distributed.Client, or None for a local process pool")
    elif executor is not None and (getattr(executor, "status", None) == "closed"  # a Dask client
                                   or getattr(executor, "_shutdown", None) is True  # a thread pool
                                   or getattr(executor, "_shutdown_thread", None) is True):  # a process pool
        problems.append(f"(executor) | {brief(executor)} is closed or shut down: give an open one")
    elif executor is not None and _is_dask(executor):
        problems += _dask_workers_problems(executor)
    if progress is not None and not callable(progress):
        problems.append(f"(progress) | {brief(progress)} is not callable: give a function of the futures and "
                        "their number, such as lambda futures, n: tqdm(futures, total=n)")
    if problems:
        raise ValidationError(problems, "in the arguments")
    if executor is not None and workers is not None:  # workers=2 beside a Dask client did nothing, unsaid
        warn(f"(workers) | workers={workers} is not used: the executor given runs the tasks on its own "
             "workers", RunWarning)


def _is_dask(obj: Any) -> bool:
    return type(obj).__module__.startswith("distributed")


def _version() -> str:
    from .. import __version__

    return __version__


#: how long a Dask sweep waits for a worker while its cluster has none (seconds): at the start (a
#: cluster of no worker waited for ever, silently) and while tasks are left (one scaled to none)
DASK_NO_WORKER_WAIT = 60.0


def _dask_workers_problems(client: Any) -> list[str]:
    """What keeps a Dask client's workers from running the library's tasks: none within
    :data:`DASK_NO_WORKER_WAIT`, a worker that cannot import it (its tasks died unpickled, the
    cluster lost every worker, and the sweep waited for ever), or runs another version of it (its
    plans could differ from this process's; a worker joining later is checked by its tasks:
    :func:`_in_worker`)."""
    install = f"install resilient_sc {_version()} on every worker"
    try:
        if not client.scheduler_info().get("workers"):
            client.wait_for_workers(1, timeout=DASK_NO_WORKER_WAIT)
        client.run(importlib.import_module, __name__)
        theirs = client.run(_version)
    except (TimeoutError, asyncio.TimeoutError):  # one class from Python 3.11 on, two before
        return [f"(executor) | the Dask cluster has no worker (none joined within {DASK_NO_WORKER_WAIT:g} "
                "s): start workers (dask worker SCHEDULER-ADDRESS) or scale the cluster"]
    except Exception as exc:  # (what the worker raised, or the client's own error)
        return [f"(executor) | the Dask workers cannot import resilient_sc ({type(exc).__name__}: {exc}): "
                f"{install}"]
    other = {str(v) for v in theirs.values()} - {_version()}
    return [f"(executor) | Dask workers run resilient_sc {', '.join(sorted(other))}, this process "
            f"{_version()}: {install}"] if other else []


def _completed(futures: list[Any]) -> Iterable[Any]:
    """``futures`` as they end, so that a failed task raises at once (waited for in order, one
    failing at once was raised only after every task before it had ended, the later ones run
    meanwhile): a ``concurrent.futures`` pool's or a Dask client's; others in their order."""
    if all(isinstance(f, Future) for f in futures):
        return as_completed(futures)
    if futures and _is_dask(futures[0]):
        return _dask_completed(futures)
    return futures


def _dask_completed(futures: list[Any]) -> Iterator[Any]:
    """Dask ``futures`` as they end; a cluster left with no worker for :data:`DASK_NO_WORKER_WAIT`
    while tasks wait is a :class:`ResilientSCError` (scaled to none mid-sweep, the sweep waited
    for ever, silently)."""
    import distributed

    client, pending, alone = futures[0].client, list(futures), None
    while pending:
        try:
            done, left = distributed.wait(pending, timeout=min(5.0, DASK_NO_WORKER_WAIT),
                                          return_when="FIRST_COMPLETED")
        except (TimeoutError, asyncio.TimeoutError):  # one class from Python 3.11 on, two before
            workers = client.scheduler_info().get("workers") or {}
            # paused at its memory limit, a worker takes no task, but finishes those it runs (review)
            paused = bool(workers) and all(w.get("status") == "paused" and not w.get("metrics", {}).get(
                "executing") for w in workers.values())
            if workers and not paused:
                alone = None
            elif (alone := alone or time.monotonic()) + DASK_NO_WORKER_WAIT < time.monotonic():
                raise ResilientSCError(  # paused at their memory limit, they took no task, silently (audit)
                    f"the Dask cluster has had no worker{' running' if paused else ''} for "
                    f"{DASK_NO_WORKER_WAIT:g} s with {count(len(pending), 'task')} left: " + (
                        "every worker is paused at its memory limit (each solve holds a model of its own); "
                        "give the workers more memory, or fewer threads each" if paused else
                        "start workers or scale the cluster, then run the sweep again")) from None
            continue
        yield from (f for f in pending if f in done)
        pending = list(left)


#: a sweep's progress display: a function of the futures and their number that yields them,
#: such as ``lambda futures, n: tqdm(futures, total=n)``
Progress = Callable[[Iterable[Any], int], Iterable[Any]]


def follow(futures: Iterable[Any], total: int, progress: Progress | None) -> None:
    """Wait for the tasks of ``futures`` (a pool's, or a generator running each task as it is
    asked for), ``progress`` shown over them: each future it yields is waited for before the
    next (a bar moves as tasks end, a failed task raises at once); without ``progress`` as they
    end (:func:`_completed`); those it did not ask for (it stopped early) are waited for after it."""
    in_order = progress or (lambda it, n: _completed(it) if isinstance(it, list) else it)
    try:
        shown = iter(in_order(futures, total))
    except TypeError as exc:  # print, or a callback returning None: said as the argument's fault
        raise ValidationError([f"(progress) | {brief(progress)} gave {exc}: give a function of the futures "
                               "and their number that returns them, such as lambda futures, n: "
                               "tqdm(futures, total=n)"], "in the arguments") from exc
    for f in shown:
        f.result()
    for f in futures:
        f.result()


def run_lazily(results: Iterator[T], total: int,
               progress: Progress | None = None) -> list[T]:
    """The ``total`` results of ``results`` (each computed in this process as it is asked for),
    in their order, ``progress`` shown over them as the finished futures a pool would give."""
    done: list[Future[T]] = []

    def finished() -> Iterator[Future[T]]:
        for result in results:
            done.append(Future())
            done[-1].set_result(result)
            yield done[-1]

    follow(finished(), total, progress)
    return [f.result() for f in done]


def _end_workers(processes: dict[int, Any] | None, calls: Any, results: Any) -> None:
    """Terminate a process pool's workers without ever hanging the exit of this process: the
    task being written to a worker (``calls``, the pool's call queue) is not waited for, and a
    result a worker was killed while sending (the pool's thread blocked reading its rest for
    ever, and exit with it) ends at the pipe closed (``results``, its result queue)."""
    if calls is not None:
        calls.cancel_join_thread()
    workers = list((processes or {}).values())
    for process in workers:
        process.terminate()
    for process in workers:
        process.join(5.0)
    writer = getattr(results, "_writer", None)
    if writer is not None:  # no worker left to write: a reader waiting for more bytes gets EOF
        writer.close()


def _task_name(names: Sequence[str] | None, i: int) -> str | None:
    return names[i] if names is not None and i < len(names) else None


def _name(exc: BaseException, names: Sequence[str] | None, i: int) -> None:
    """Note on ``exc`` the task it came from (``names[i]``), once."""
    name = _task_name(names, i)
    if name:
        add_note(exc, f"while solving {name}")


#: what a sweep's tasks do, said when a worker ends under them; with the advice that fits
SOLVES = ("solving", "use fewer workers, or workers=1 (CLI: --workers 1) to see which task it was")
#: a report's figures, drawn in processes of their own (:mod:`.report_kit`)
DRAWING = ("drawing the report's figures", "give it more memory, or write the report without its figures "
           "(figures=False)")


def _running(futures: list[Any], names: Sequence[str] | None, size: int) -> str:
    """The tasks a pool of ``size`` processes that broke may have been running, in words (``' one
    of near, n-1'``): the first ``size`` not ended before (a pool takes its tasks in order), or
    '' when unnamed (a dead worker named none: a rerun of every solve, one at a time, found it).

    >>> from concurrent.futures import Future
    >>> done, broken = Future(), Future()
    >>> done.set_result(1); broken.set_exception(BrokenExecutor())
    >>> _running([done, broken, broken, broken], ["a", "b", "c", "d"], 2)
    ' one of b, c'
    """
    ended = [f.done() and not f.cancelled() and f.exception() is None for f in futures]
    said = [n for i, ok in enumerate(ended) if not ok and (n := _task_name(names, i))][:size]
    return "" if not said else f" {said[0]}" if len(said) == 1 else f" one of {', '.join(said)}"


def named(name: str | None, fn: Callable[..., T], *args: Any) -> T:
    """``fn(*args)``, the warnings of its solves naming ``name`` (``(solve of near) | …``, not a
    bare ``(solve)`` for each of a premium's policies); a picklable unit of work."""
    token = SOLVING.set(f"solve of {name}") if name else None
    try:
        return fn(*args)
    finally:
        if token is not None:
            SOLVING.reset(token)


#: this process's mark, new in every forked child: a pid alone can be another machine's or
#: container's (a Dask worker elsewhere)
_PROCESS = uuid.uuid4().hex


def _new_process_mark() -> None:
    global _PROCESS
    _PROCESS = uuid.uuid4().hex


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_new_process_mark)


@dataclass(frozen=True)
class _Sent:
    """A task's result pickled in a worker process by :class:`_Pickler`, and the warnings it
    raised there, as (category, text)."""

    data: bytes
    said: list[tuple[type[Warning], str]]


class _Pickler(pickle.Pickler):
    """Pickles each model built by the library (a network's or a roadmap's) as its recipe, built
    again in the caller only if used (:func:`~resilient_sc.model.build.sent_as_recipe`): a
    premium's or frontier's plans came back with 131-154 MB of arrays each on ladder L, seven
    plans a gigabyte in the caller."""

    def reducer_override(self, obj: Any) -> Any:
        sent = sent_as_recipe(obj) if type(obj) in (NetworkModel, RoadmapModel) else None
        return NotImplemented if sent is None else sent


@dataclass(frozen=True)
class _Caller:
    """Who asked for a sweep: its process (a mark, not a pid), its thread, and its line
    (:func:`~resilient_sc.exceptions.caller_site`)."""

    process: str
    thread: int
    site: tuple[str, int, str]
    version: str = field(default_factory=_version)


def _in_worker(caller: _Caller, name: str | None, fn: Callable[..., T], *args: Any) -> T | _Sent:
    """:func:`named` as a task of a pool: in another process than the ``caller``'s its result is
    sent back pickled by :class:`_Pickler`, with its warnings (each once, in order) for
    :func:`_unwrapped` to raise in the caller (a worker's own stderr printed them past the
    caller: a program's filters and the command's ``--json`` never saw them). In the caller's
    process (a thread pool, a Dask client of threads) they are raised there and then, as
    :mod:`warnings` is not per thread, at the caller's line (``CALLER``: not the executor's)."""
    if caller.process == _PROCESS:
        if threading.get_ident() == caller.thread:
            return named(name, fn, *args)
        token = CALLER.set(caller.site)
        try:
            return named(name, fn, *args)
        finally:
            CALLER.reset(token)
    if caller.version != _version():  # a Dask worker that joined after the check
        raise ResilientSCError(f"a worker runs resilient_sc {_version()}, the caller {caller.version}: "
                               f"install resilient_sc {caller.version} on every worker")
    caught: list[warnings.WarningMessage] = []
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")  # the caller's filters decide, once they are raised there
            result = named(name, fn, *args)
    except BaseException as exc:
        for w in caught:  # a failed task's warnings: printed here, as before (its error is what returns)
            warnings.showwarning(w.message, w.category, w.filename, w.lineno)
        if isinstance(exc, Exception) and not _travels(exc):  # it broke the pool ('killed?')
            raise ResilientSCError(f"{type(exc).__name__}: {exc}") from None
        raise
    buffer = io.BytesIO()
    _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(result)
    return _Sent(buffer.getvalue(), list(dict.fromkeys((w.category, str(w.message)) for w in caught)))


def _travels(exc: Exception) -> bool:
    """Whether ``exc`` comes back from a worker process as it is: pickled and unpickled (one whose
    constructor takes other arguments than its message did not, and broke the pool)."""
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        return False
    return True


def _unwrapped(result: T | _Sent) -> T:
    """The result of :func:`_in_worker`, the warnings it brought back raised here, at the
    caller's first line outside this package, as in a serial run (not at this function: a
    program's filter by module or file saw them as the library's)."""
    if not isinstance(result, _Sent):
        return result
    for category, text in result.said:
        try:
            message = category(text)
        except TypeError:  # a category whose constructor takes other arguments
            message = RuntimeWarning(f"{category.__name__}: {text}")
        warn(message, category)
    loaded: T = pickle.loads(result.data)
    return loaded


def run_all(fn: Callable[..., T], tasks: Sequence[tuple[Any, ...]], workers: int | None = None,
            executor: Executor | Any | None = None,
            progress: Progress | None = None,
            names: Sequence[str] | None = None,
            start: str | None = None, doing: tuple[str, str] = SOLVES) -> list[T]:
    """``[fn(*task) for task in tasks]``, in parallel unless ``workers == 1``.

    ``progress`` is given the futures of the tasks and their number and is iterated to show
    progress (``lambda fs, n: tqdm(fs, total=n)``, or ``lambda fs, n: as_completed(fs)``, not
    ``as_completed`` itself, whose second argument is a timeout; with a ``distributed.Client``
    its futures are Dask's: ``distributed.as_completed``): it may yield them in any order,
    the results are always in the order of ``tasks``. A failed task, or Ctrl-C, cancels every
    task not started, in any executor; the error of a failed task gets a note naming it, from
    ``names`` (one per task: a policy's name). The warnings a task raises in a worker process
    are raised in the caller once every task has ended, in the order of ``tasks``. ``start``: the
    local pool's start method (``"fork"``: its workers inherit this process's memory); ``doing``:
    what the tasks do and the advice when a worker process ends under them (:data:`SOLVES`,
    :data:`DRAWING`: a figure's process killed was said to be a solve's, 'use --workers 1').
    """
    check_parallel(workers, executor, progress)
    if executor is None and (workers == 1 or len(tasks) <= 1):
        def in_turn() -> Iterator[T]:
            for i, task in enumerate(tasks):
                try:
                    yield named(_task_name(names, i), fn, *task)
                except Exception as exc:
                    _name(exc, names, i)
                    raise
        return run_lazily(in_turn(), len(tasks), progress)
    futures: list[Any] = []
    own = executor is None
    context = None if start is None else multiprocessing.get_context(start)
    size = min(workers or default_workers(len(tasks)), len(tasks))
    pool = executor or ProcessPoolExecutor(max_workers=size, mp_context=context, initializer=as_worker,
                                           initargs=(os.getpid(),))
    try:
        caller = _Caller(_PROCESS, threading.get_ident(), caller_site())
        futures = [pool.submit(_in_worker, caller, _task_name(names, i), fn, *task)
                   for i, task in enumerate(tasks)]
        follow(list(futures), len(futures), progress)
        return [_unwrapped(f.result()) for f in futures]
    except BaseException as exc:  # Ctrl-C or a failed task: end our workers, start no other task
        failed = [i for i, f in enumerate(futures) if f.done() and not f.cancelled() and f.exception() is exc]
        if failed:
            _name(exc, names, failed[0])
        if not own:
            for f in futures:
                with contextlib.suppress(Exception):  # a closed Dask client cannot cancel: hid the error
                    f.cancel()
        else:  # (the pool's internals are not public; without them exit waits for every task)
            inner = [getattr(pool, name, None) for name in ("_processes", "_call_queue", "_result_queue")]
            pool.shutdown(wait=False, cancel_futures=True)  # its own thread cancels what has not started
            _end_workers(*inner)  # (taken before: shutdown drops them)
        if _is_dask(exc) and type(exc).__name__ == "KilledWorker":  # each try of the task lost its worker
            lost = ResilientSCError("a Dask worker ended while solving, at each try (killed, or out of "
                                    "memory: each holds a model of its own); give the workers more memory, "
                                    "or fewer threads each")
            if failed:
                _name(lost, names, failed[0])
            raise lost from exc
        if _is_dask(exc) and "Cancelled" in type(exc).__name__:  # the cluster closed under the sweep
            gone = ResilientSCError("the Dask cluster cancelled the tasks while solving (closed, or its "
                                    "scheduler restarted); run the sweep again on a running cluster")
            if failed:
                _name(gone, names, failed[0])
            raise gone from exc
        if isinstance(exc, BrokenExecutor):
            spawned = multiprocessing.get_start_method() != "fork"  # a worker imports the main script
            running = _running(futures, names, size if own else getattr(pool, "_max_workers", size))
            raise ResilientSCError(f"a worker process ended while {doing[0]}{running} (" + (
                                       "a script whose calls are not under if __name__ == '__main__':, "
                                       "which a spawned worker runs again (its error, above, says so); "
                                       "or " if spawned else "") + "killed, or out of memory: each holds "
                                   f"a model of its own); {doing[1]}") from exc
        raise
    finally:
        if own:
            pool.shutdown()
