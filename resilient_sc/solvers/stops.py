"""The stop request every solver run obeys (Ctrl-C, or a signal under :func:`stop_on_signals`)
and the C-level stdout plumbing around HiGHS (its log to stderr, results to stdout), in the
standard library only: the command line sets them up before it imports any solver, so that
``resilient-sc --help`` stays light. :mod:`resilient_sc.solvers.highs` polls the request."""

from __future__ import annotations

import functools
import os
import signal
import socket
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from ..stopping import SIGNALS, stop_signals

#: guards the process-wide file descriptors 1 and 2 while they are redirected
_fd_lock = threading.Lock()
_redirected = 0  # how many stdout_to_stderr blocks are open (threads may nest or overlap)
_saved_stdout: int | None = None


@contextmanager
def stdout_to_stderr() -> Iterator[None]:
    """Send C-level output (HiGHS banner and log) to stderr, keeping stdout for results.

    Safe across threads: overlapping blocks share one redirection, undone when the last ends.
    """
    global _redirected, _saved_stdout
    sys.stdout.flush()
    with _fd_lock:
        if _redirected == 0:
            try:
                _saved_stdout = os.dup(1)
                os.dup2(2, 1)
            except OSError:  # no usable stdout or stderr at all
                _saved_stdout = None
        _redirected += 1
    try:
        yield
    finally:
        with _fd_lock:
            _redirected -= 1
            if _redirected == 0 and _saved_stdout is not None:
                sys.stdout.flush()
                os.dup2(_saved_stdout, 1)
                os.close(_saved_stdout)
                _saved_stdout = None


@contextmanager
def c_output_silenced() -> Iterator[None]:
    """C-level stdout and stderr to the null device, for a moment (a HiGHS constructor)."""
    sys.stdout.flush()
    sys.stderr.flush()
    with _fd_lock:
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            saved = os.dup(1), os.dup(2)
        except OSError:
            yield
            return
        try:
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
            yield
        finally:
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            for fd in (*saved, devnull):
                os.close(fd)


@contextmanager
def real_stdout() -> Iterator[int]:
    """The file descriptor of the process's stdout, also while :func:`stdout_to_stderr` points
    fd 1 at stderr (held steady for the block; fd 1 after 2 s without the lock: a stop's last
    words are never held up for ever)."""
    held = _fd_lock.acquire(timeout=2.0)
    try:
        yield _saved_stdout if _redirected and _saved_stdout is not None else 1
    finally:
        if held:
            _fd_lock.release()


# ---- stop requests ----------------------------------------------------------------------


class _StopRequest:
    """The stop request every HiGHS run polls in its interrupt callbacks (:class:`StoppableHighs`)."""

    def __init__(self) -> None:
        self.event = threading.Event()
        self.signum: int | None = None  # the signal that asked, when one did
        self.raised = False  # KeyboardInterrupt raised for it (later signals are ignored)
        self.main_runs = 0  # HiGHS runs under way in the main thread: a handler must not raise
        self.wakeup: socket.socket | None = None  # the wakeup socket's write end (stop_on_signals)
        self.pid = os.getpid()  # the process whose handlers are set (stop_on_signals)

    def ask(self, signum: int | None) -> None:
        if self.signum is None:
            self.signum = signum
        self.event.set()

    def reset(self) -> None:
        self.event.clear()
        self.signum, self.raised = None, False


stop_request = _StopRequest()


#: functions run around a fork (logging's ``os.register_at_fork`` hooks, this package's): an
#: exception raised in one is printed ('Exception ignored in: <function _releaseLock>') and
#: dropped, and the hook left half done (a lock taken before the fork never released: the next
#: print waited for it for ever)
_FORK_HOOKS = frozenset({"_acquireLock", "_releaseLock", "_before_fork", "_after_fork_in_parent",
                         "_reset_in_child", "_new_process_mark"})


def on_stop_signal(signum: int, frame: Any) -> None:
    """Ask every HiGHS run to stop; raise KeyboardInterrupt once, unless HiGHS is running in
    the main thread (then :meth:`StoppableHighs.run` raises it as soon as HiGHS has stopped). Later
    signals are ignored, so that clean-up code runs to its end. A signal landing in a fork hook
    (a worker process being started) is sent again a moment later, out of it."""
    if os.getpid() != stop_request.pid:  # a forked child before its fork hook undid this handler:
        if signum != signal.SIGINT:  # its parent ends it (SIGTERM), and handles Ctrl-C itself
            signal.signal(signum, signal.SIG_DFL)
            signal.raise_signal(signum)
        return
    stop_request.ask(signum)
    if not stop_request.raised and stop_request.main_runs == 0:
        if getattr(getattr(frame, "f_code", None), "co_name", "") in _FORK_HOOKS:
            threading.Timer(0.01, signal.raise_signal, (signum,)).start()
            return
        stop_request.raised = True
        raise KeyboardInterrupt


def _swallowed(previous: Callable[[Any], Any], unraisable: Any) -> None:
    """``sys.unraisablehook`` within :func:`stop_on_signals`: the KeyboardInterrupt of a stop
    raised where Python cannot raise (a weakref callback, a ``__del__``: 'Exception ignored in
    ...') is raised again a moment later, out of it; the stop was otherwise lost, the work ran on
    and later signals were ignored. Anything else goes to ``previous``."""
    if (isinstance(unraisable.exc_value, KeyboardInterrupt) and stop_request.raised
            and stop_request.signum is not None):
        stop_request.raised = False
        threading.Timer(0.01, signal.raise_signal, (stop_request.signum,)).start()
        return
    previous(unraisable)


def stop_signal() -> int | None:
    """The number of the signal that asked for the stop under way (None: no stop, or Ctrl-C
    outside :func:`stop_on_signals`)."""
    return stop_request.signum if stop_request.event.is_set() else None


def _watch(reader: socket.socket, wanted: frozenset[int], on_signal: Callable[[int], None] | None) -> None:
    """Set the stop request the moment a signal arrives, even while the main thread is inside
    HiGHS or other C code (Python runs its handlers only between bytecodes): the C-level
    handler writes the signal's number to the wakeup fd. Calls ``on_signal`` for the first."""
    first = True
    while chunk := reader.recv(64):
        for signum in chunk:
            if signum in wanted:
                stop_request.ask(signum)
                if first and on_signal is not None:
                    first = False
                    on_signal(signum)


#: the name of :func:`stop_on_signals`' thread, which a fork may leave behind (:func:`_reset_in_child`)
SIGNAL_WATCHER = "resilient_sc-signals"


@contextmanager
def stop_on_signals(signums: Iterable[int] = (),
                    on_signal: Callable[[int], None] | None = None) -> Iterator[None]:
    """Within the block, ``signums`` (default: :func:`~resilient_sc.stopping.stop_signals`) stop
    the work: Python code gets KeyboardInterrupt at once; a HiGHS run stops at its next interrupt callback
    (usually within 0.1 s), raises KeyboardInterrupt, and every later run raises it at once.
    :func:`stop_signal` says which signal it was. ``on_signal(signum)`` is called at the first
    signal, in a thread of its own (e.g. to enforce a deadline). Main thread only."""
    wanted = list(signums) or list(stop_signals())
    stop_request.reset()
    stop_request.pid = os.getpid()
    # a socket pair, not a pipe: Windows takes only a socket as the wakeup fd (and had no
    # os.set_blocking for a pipe before Python 3.12: every CLI command failed there)
    reader, writer = socket.socketpair()
    writer.setblocking(False)
    previous = {s: signal.signal(s, on_stop_signal) for s in wanted}
    unraisable = sys.unraisablehook
    sys.unraisablehook = functools.partial(_swallowed, unraisable)
    old_wakeup = signal.set_wakeup_fd(writer.fileno(), warn_on_full_buffer=False)
    stop_request.wakeup = writer
    watcher = threading.Thread(target=_watch, args=(reader, frozenset(wanted), on_signal),
                               name=SIGNAL_WATCHER, daemon=True)
    watcher.start()
    try:
        yield
    finally:
        sys.unraisablehook = unraisable
        signal.set_wakeup_fd(old_wakeup)
        stop_request.wakeup = None
        for s, handler in previous.items():
            signal.signal(s, handler)
        writer.close()  # the watcher reads the end of the stream and returns
        watcher.join()
        reader.close()
        stop_request.reset()


def _before_fork() -> None:
    """No thread holds the file descriptors' lock across a fork (a child copied it held, and a
    premium's workers waited on it forever while another thread was creating a HiGHS)."""
    _fd_lock.acquire()


def _after_fork_in_parent() -> None:
    _fd_lock.release()


def _reset_in_child() -> None:
    """A forked child (a worker process, of any pool) drops the runs and redirections of the
    parent's other threads (its own stdout back), and gets
    the default signal handling back: SIGTERM ends it (the parent's clean-up terminates its
    workers) and its signals are not written into the parent's wakeup socket."""
    global _fd_lock, _redirected, _saved_stdout
    _fd_lock = threading.Lock()
    if _redirected and _saved_stdout is not None:
        os.dup2(_saved_stdout, 1)
        os.close(_saved_stdout)
    _redirected, _saved_stdout = 0, None
    stop_request.pid = os.getpid()  # this process's handlers from now on (a HiGHS run's Ctrl-C)
    if stop_request.wakeup is None or threading.current_thread() is not threading.main_thread():
        return
    signal.set_wakeup_fd(-1)
    # the child's copy of the socket's write end, closed: else the parent's watcher (which ends when
    # the parent closes its own end) waits for every worker to end, and a stop could hang
    stop_request.wakeup.close()
    stop_request.wakeup = None
    for s in SIGNALS:
        if signal.getsignal(s) is on_stop_signal:
            signal.signal(s, signal.default_int_handler if s == signal.SIGINT else signal.SIG_DFL)
    stop_request.reset()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(before=_before_fork, after_in_parent=_after_fork_in_parent,
                        after_in_child=_reset_in_child)
