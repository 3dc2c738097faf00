"""Independent solves run by ``analysis.parallel.run_all`` (docs/conventions.md §8.20): results in
the order of the tasks whatever order they finish in, any process pool safe after a solve in the
parent, a failed task cancelling the others in any executor, a dead worker said plainly."""

from __future__ import annotations

import contextlib
import io
import os
import pickle
import re
import subprocess
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from resilient_sc import Policy, ResilientSCError, ValidationError, build_model, examples, premium, solve
from resilient_sc.analysis import parallel
from resilient_sc.analysis.parallel import run_all
from resilient_sc.analysis.premium import premium_outcomes
from resilient_sc.analysis.roadmap import roadmap_outcomes
from resilient_sc.analysis.stress import stress_test
from resilient_sc.model.build import NetworkModel
from resilient_sc.model.roadmap import build_roadmap


def late_first(i: int, n: int) -> int:
    """Task ``i`` of ``n`` ends after task ``i + 1``: the first finishes last."""
    time.sleep(0.15 * (n - i))
    return i


def completion_order(futures, total):
    """A progress that reports tasks as they finish (tqdm(as_completed(...)), a common wrapper)."""
    return as_completed(list(futures))


@pytest.mark.parametrize("workers", [1, 2])
def test_results_keep_the_tasks_order_whatever_order_progress_reports(workers):
    """A progress yielding the futures as they finish put the first task's result on the last
    row (a frontier's 0.9 point showed the unconstrained plan); results are in task order."""
    tasks = [(i, 4) for i in range(4)]
    assert run_all(late_first, tasks, workers=workers, progress=completion_order) == [0, 1, 2, 3]
    shown = []
    assert run_all(late_first, tasks, workers=workers,
                   progress=lambda it, total: (shown.append(total) or f for f in it)) == [0, 1, 2, 3]
    assert shown == [4] * 4


def base_cost(_: int) -> float:
    return solve(examples.electronics()).objective


def test_a_pool_of_your_own_forked_after_a_solve_does_not_hang():
    """A worker forked after a MIP in its parent waited forever on HiGHS threads that were not
    copied unless its pool had the library's initializer; the fork hook drops them in any pool.
    (Its processes are ended here whatever happens: a regression fails, it does not hang.)"""
    solve(examples.electronics(), Policy(min_local_share=0.5))  # a branch and bound in the parent
    pool = ProcessPoolExecutor(max_workers=2)
    try:
        futures = [pool.submit(base_cost, i) for i in range(2)]
        assert [f.result(timeout=120) for f in futures] == [pytest.approx(11_914_791.2)] * 2
    finally:
        processes = list((pool._processes or {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.terminate()


def test_a_failed_task_cancels_the_tasks_not_started_in_any_executor():
    """A user's executor ran all seven other solves after the first had failed (8.6 s)."""
    started = []

    def task(i: int) -> int:
        started.append(i)
        if i == 0:
            raise RuntimeError("the first task fails")
        time.sleep(0.2)
        return i

    with ThreadPoolExecutor(max_workers=1) as pool, pytest.raises(RuntimeError, match="the first task fails"):
        run_all(task, [(i,) for i in range(8)], executor=pool)
    # the pool's one thread may take the next task before the failure is seen (it did once in CI's
    # run on the lowest versions): none after it
    assert started in ([0], [0, 1])


def test_a_task_that_fails_at_once_raises_before_the_tasks_submitted_before_it_end():
    """Waited for in submission order, a task failing at once was raised only after every task
    before it had ended (8.5 s for a failure at 0.2 s), the later tasks run meanwhile (executors
    audit): with no progress, tasks are waited for as they end."""
    import threading

    release, later = threading.Event(), []

    def task(i: int) -> int:
        if i == 0:
            release.wait(30)  # the first task: still running when the second fails
        elif i == 1:
            raise RuntimeError("the second task fails")
        else:
            later.append(i)
        return i

    with ThreadPoolExecutor(max_workers=2) as pool:
        try:
            with pytest.raises(RuntimeError, match="the second task fails"):
                run_all(task, [(i,) for i in range(6)], executor=pool)
            assert not release.is_set() and later in ([], [2])  # raised while the first still ran
        finally:
            release.set()


@pytest.mark.parametrize(("kwargs", "said"), [
    ({"executor": 5}, "(executor) | 5 has no submit(): give a concurrent.futures executor"),
    ({"progress": 5}, "(progress) | 5 is not callable"),
    ({"workers": 0}, "(workers) | 0, must be a whole number >= 1"),
])
def test_an_executor_or_progress_that_cannot_run_is_refused_before_anything_is_solved(kwargs, said):
    """They failed with Python's own errors ('int' object has no attribute 'submit') after the
    base solve, minutes into a large network (executors audit)."""
    from resilient_sc import premium

    with pytest.raises(ValidationError, match=re.escape(said)):
        premium(examples.electronics(), {"near": Policy(min_local_share=0.5)}, **kwargs)
    for pool in (ThreadPoolExecutor(max_workers=1), ProcessPoolExecutor(max_workers=1)):
        pool.shutdown()
        with pytest.raises(ValidationError, match=r"\(executor\) \| .* is closed or shut down: give an open"):
            premium(examples.electronics(), {"near": Policy(min_local_share=0.5)}, executor=pool)


def die(i: int) -> int:
    if i == 1:
        os._exit(1)  # as the out-of-memory killer would end it
    return i


def test_a_worker_that_dies_is_said_plainly():
    with pytest.raises(ResilientSCError, match=r"a worker process ended while solving \(killed, or out of"):
        run_all(die, [(0,), (1,)], workers=2)


def test_a_worker_that_dies_is_named_among_the_tasks_it_may_have_run():
    """A pool's dead worker named no policy: finding it took a rerun of every solve, one at a time
    (faults audit); a figure's process said to be a solve's, with advice to use --workers 1."""
    with pytest.raises(ResilientSCError, match=r"ended while solving one of near, n-1 \(killed") as err:
        run_all(die_late, [(0,), (1,), (2,)], workers=2, names=["near", "n-1", "n-2"])  # n-2 never started
    assert str(err.value).endswith("use fewer workers, or workers=1 (CLI: --workers 1) to see which task "
                                   "it was")
    with pytest.raises(ResilientSCError, match=r"ended while drawing the report's figures \(killed") as err:
        run_all(die, [(0,), (1,)], workers=2, doing=parallel.DRAWING)
    assert str(err.value).endswith("give it more memory, or write the report without its figures "
                                   "(figures=False)")


def die_late(i: int) -> int:
    time.sleep(0.5 if i == 1 else 3.0)  # task 0 still running when task 1's process dies
    if i == 1:
        os._exit(1)
    return i


def test_a_pool_never_starts_more_processes_than_tasks(monkeypatch):
    """workers=64 for two tasks started 64 processes; the default followed os.cpu_count(), not
    the CPUs this process may use (its affinity mask)."""
    with pytest.raises(ValidationError, match=r"must be a whole number >= 1"):
        run_all(late_first, [(0, 1)], workers=0)
    made = []
    real = parallel.ProcessPoolExecutor
    monkeypatch.setattr(parallel, "ProcessPoolExecutor",
                        lambda max_workers, **kw: made.append(max_workers) or real(max_workers, **kw))
    assert run_all(late_first, [(0, 2), (1, 2)], workers=64) == [0, 1]
    assert made == [2]
    monkeypatch.setattr(parallel, "available_cpus", lambda: 1)
    assert parallel.default_workers(8) == 1


def test_a_warm_frontier_takes_the_same_progress_as_a_cold_one():
    """A warm frontier gave its progress the policies, a cold one futures: as_completed, which
    the docs offer, failed on the warm one."""
    from resilient_sc import frontier

    net = examples.tiny()
    warm = frontier(net, "min_suppliers", [1, 2], failures=(), progress=completion_order)
    cold = frontier(net, "min_suppliers", [1, 2], failures=(), warm_start=False, workers=1,
                    progress=completion_order)
    assert warm["cost"].tolist() == cold["cost"].tolist() == [pytest.approx(1260.0), pytest.approx(1760.0)]


def test_a_progress_bar_moves_as_tasks_end():
    """tqdm(as_completed(futures)) ticked only once every task had ended (the futures were given
    as a generator that waited on each): it ticks as each ends."""
    ticks, start = [], time.perf_counter()

    def timed(futures, total):
        for f in as_completed(futures):
            ticks.append(time.perf_counter() - start)
            yield f

    assert run_all(late_first, [(i, 4) for i in range(4)], workers=2, progress=timed) == [0, 1, 2, 3]
    assert ticks[0] < ticks[-1] - 0.1, ticks


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl(PR_SET_PDEATHSIG) is Linux's")
def test_the_workers_end_when_their_parent_is_killed(tmp_path):
    """A kill -9 of the parent (or the out-of-memory killer) left a premium's two workers running
    for good, 100 MB each; they now end with it."""
    script = tmp_path / "pool.py"
    script.write_text("import time\nfrom resilient_sc.analysis.parallel import run_all\n"
                      "run_all(time.sleep, [(60,), (60,)], workers=2)\n", encoding="utf-8")
    parent = subprocess.Popen([sys.executable, str(script)])
    try:
        deadline = time.monotonic() + 60
        while len(workers := _children(parent.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(workers) == 2
    finally:
        parent.kill()
        parent.wait()
    deadline = time.monotonic() + 10
    while any(_running(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_running(pid) for pid in workers)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a death signal is Linux only")
def test_a_worker_whose_parent_died_before_it_started_ends_at_once():
    """A parent killed between a worker's fork and its initializer (the CI's load hit it: the
    death signal asked for too late, both workers waited for tasks for good): the worker sees
    that its parent is not the one that started the pool and ends."""
    code = "from resilient_sc.analysis.parallel import as_worker; as_worker({}); print('ran on')"
    gone = subprocess.run([sys.executable, "-c", code.format(1)], capture_output=True, text=True)
    assert (gone.returncode, gone.stdout) == (1, "")  # its parent is this test, not pid 1
    kept = subprocess.run([sys.executable, "-c", code.format("__import__('os').getppid()")],
                          capture_output=True, text=True)
    assert (kept.returncode, kept.stdout) == (0, "ran on\n")


def _children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (from /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            fields = stat.read_text(encoding="utf-8").rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                found.append(int(stat.parent.name))
    return found


def _running(pid: int) -> bool:
    """Whether ``pid`` is alive and not a zombie."""
    try:
        return Path(f"/proc/{pid}/stat").read_text(encoding="utf-8").rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


_BIG_RESULTS = """
import os, signal, sys, threading, time
from resilient_sc.analysis.parallel import run_all

def big(i):
    time.sleep(0.3)
    return b"x" * 200_000_000  # a result that takes a while to send

if __name__ == "__main__":
    # Ctrl-C as from a terminal: a test run started in the background (nohup ... &) hands its
    # children SIGINT ignored, and the signal below was lost
    signal.signal(signal.SIGINT, signal.default_int_handler)
    threading.Timer(float(sys.argv[1]), os.kill, (os.getpid(), signal.SIGINT)).start()
    try:
        run_all(big, [(i,) for i in range(4)], workers=2)
    except KeyboardInterrupt:
        print("interrupted", flush=True)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="timed on Linux's fork and pipes")
def test_ctrl_c_while_a_worker_sends_its_result_never_hangs_the_exit(tmp_path):
    """Ctrl-C as a worker sent a large result: its process was killed mid-message, the pool's
    thread waited for the rest for ever and the interpreter's exit with it (the CLI printed
    'interrupted' and never ended; 6 of 6 premiums with --workers 2)."""
    script = tmp_path / "big.py"
    script.write_text(_BIG_RESULTS, encoding="utf-8")
    for at in (0.6, 0.62, 0.65):  # around the sends (the old code hung at most of these)
        done = subprocess.run([sys.executable, str(script), str(at)], capture_output=True, text=True,
                              timeout=60)
        assert done.stdout.strip() == "interrupted", done.stderr[-2000:]


def fails_on_two(i: int) -> int:
    if i == 2:
        raise KeyError("no such supplier")  # a bug, or anything a task did not expect
    return i


@pytest.mark.parametrize("workers", [1, 2])
def test_a_failed_task_is_named(workers):
    """A sweep's failed task came back bare (KeyError: 'no such supplier'): which of the policies
    failed was left to guess; its error now notes it, and the command line says the note."""
    from resilient_sc.cli import failure

    with pytest.raises(KeyError) as err:
        run_all(fails_on_two, [(1,), (2,), (3,)], workers=workers, names=["near", "n-1", "friends"])
    assert err.value.__notes__ == ["while solving n-1"]
    assert failure(err.value).error == ("internal error: KeyError: 'no such supplier' (while solving n-1) "
                                        "(rerun with --debug for the traceback)")


def test_a_progress_that_returns_nothing_is_said_as_the_arguments_fault(capsys):
    """``progress=print`` (typed as any callable) ended in 'NoneType' object is not iterable, a
    raw TypeError deep in the sweep; ``progress`` is now typed as what it is, and refused so."""
    said = (r"^1 problem in the arguments:\n  - \(progress\) \| <built-in function print> gave 'NoneType' "
            r"object is not iterable: give a function of the futures and their number that returns them")
    with pytest.raises(ValidationError, match=said):
        premium(examples.tiny(), {"a": Policy()}, workers=1, progress=print)  # type: ignore[arg-type]


def _process_mark() -> str:
    from resilient_sc.analysis import parallel
    return parallel._PROCESS


def test_a_forked_worker_is_told_apart_by_a_mark_not_its_pid():
    """A task knows it runs in another process than the caller by a mark each process draws
    (new in a forked child), not by the pid: a Dask worker in another container can have the
    caller's pid, and its warnings were then raised there, never reaching the caller."""
    import multiprocessing

    from resilient_sc.analysis import parallel

    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
        assert pool.submit(_process_mark).result() != parallel._PROCESS


def test_a_worker_sends_each_plan_back_with_its_model_as_a_recipe():
    """A premium's or frontier's plans came back from the workers with their models' arrays (131-154
    MB a plan on ladder L: seven plans, a gigabyte in the caller); a model comes back as its
    network, policy and build options, built again here only if used: the same model."""
    net, near = examples.electronics(), Policy(min_local_share=0.5)
    outcomes = premium_outcomes(net, {"near": near, "survive": Policy(survive=("supplier",))},
                                failures=["country"], workers=2)
    base, sent = outcomes[0], outcomes[1]  # the base is solved here, the others in the workers
    assert "lm" not in vars(sent.plan.model) and "lm" in vars(base.plan.model)
    assert len(pickle.dumps(sent)) < len(pickle.dumps(base)) / 3
    fresh = build_model(net, near)
    assert (sent.plan.model.lm.matrix() != fresh.lm.matrix()).nnz == 0
    assert np.array_equal(sent.plan.model.lm.objective(), fresh.lm.objective())
    pd.testing.assert_frame_equal(stress_test(net, sent.plan, ["country"]).failures, sent.stress.failures)


def test_a_model_sent_as_its_recipe_keeps_its_deferred_failures_and_refuses_a_changed_network():
    model = build_model(examples.electronics(), Policy(survive=("supplier",)), defer_failures=0)
    buffer = io.BytesIO()
    parallel._Pickler(buffer).dump(model)
    loaded = pickle.loads(buffer.getvalue())
    assert list(loaded.deferred.names) == list(model.deferred.names) and len(loaded.deferred.names) > 1
    assert loaded.build_time == model.build_time
    flows = model.sets.flows_table  # the DataFrame a table caches is not pickled: built again on use
    size = len(pickle.dumps(flows))
    assert len(flows.whole) and len(pickle.dumps(flows)) == size
    assert not pickle.loads(pickle.dumps(flows))["lane_cost"].flags.writeable  # read-only, as built
    loaded, seen = pickle.loads(buffer.getvalue()), []  # two threads at once: built once, for both
    threads = [threading.Thread(target=lambda: seen.append(loaded.lm)) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:  # (one got KeyError: 'shape', an audit found)
        t.join()
    assert len(seen) == 2 and seen[0] is seen[1]
    assert NetworkModel(model.network, model.policy, model.sets, model.lm, 0.0).recipe is None  # as before
    loaded = pickle.loads(buffer.getvalue())
    loaded.network.hubs.loc[0, "capacity"] = 1.0
    with pytest.raises(ValidationError, match=r"\(hubs\) \| the table was changed after the network was"):
        loaded.lm  # noqa: B018 (built on first use)


def test_a_roadmap_from_a_worker_is_stacked_again_from_its_period_models():
    """A roadmap outcome came back with its stacked model (2.2 MB on electronics_roadmap, 0.15 MB
    as its recipe); stacked again on use from the period models the plans hold (itself building
    them: a lock taken twice hung it), the same model as one built here."""
    net, policy = examples.electronics_roadmap(), Policy(max_hubs=6)
    sent = roadmap_outcomes(net, {"six": policy, "seven": Policy(max_hubs=7)}, workers=2)[1].roadmap
    assert "lm" not in vars(sent.model) and not any("lm" in vars(m) for m in sent.model.models)
    first = next(iter(sent.plans.values()))
    assert first.model is sent.model.models[0]
    built = []
    stacking = threading.Thread(target=lambda: built.append(sent.model.lm), daemon=True)
    stacking.start()
    stacking.join(120)
    assert built, "stacking the roadmap again did not end in 120 s"
    fresh = build_roadmap(net, policy)
    assert (built[0].matrix() != fresh.lm.matrix()).nnz == 0
    assert all(np.array_equal(sent.model.starts[k], v) for k, v in fresh.starts.items())


class _FakeDaskClient:
    """A ``distributed.Client`` as :func:`parallel.check_parallel` sees it: ``run`` calls its
    function on each worker; here the workers fail to import, or run another version."""

    __module__ = "distributed.client"

    def __init__(self, answer):
        self.answer = answer

    def submit(self, *args, **kwargs):
        raise AssertionError("nothing is submitted to workers that cannot run it")

    def scheduler_info(self):
        return {"workers": {"tcp://w1": {}, "tcp://w2": {}}}

    def run(self, fn, *args):
        if isinstance(self.answer, Exception):
            raise self.answer
        return {"tcp://w1": self.answer, "tcp://w2": parallel._version()} if fn is parallel._version else {}


@pytest.mark.parametrize(("answer", "said"), [
    (ModuleNotFoundError("No module named 'resilient_sc'"),
     r"\(executor\) \| the Dask workers cannot import resilient_sc \(ModuleNotFoundError: No module named "
     r"'resilient_sc'\): install resilient_sc 0\.1\.0 on every worker"),
    ("0.0.9", r"\(executor\) \| Dask workers run resilient_sc 0\.0\.9, this process 0\.1\.0: install "
              r"resilient_sc 0\.1\.0 on every worker"),
])
def test_dask_workers_that_cannot_run_the_library_are_refused_before_anything_is_solved(answer, said):
    """Workers without the package died unpickling each task, the cluster lost them all and the
    sweep waited for ever, without a word (executors audit); another version could give other
    plans. Both are said before anything is solved."""
    with pytest.raises(ValidationError, match=said):
        premium(examples.tiny(), {"a": Policy(min_suppliers=2)}, executor=_FakeDaskClient(answer))


def test_dask_workers_that_run_the_library_pass_the_check():
    distributed = pytest.importorskip("distributed")
    with distributed.Client(processes=False, n_workers=1, threads_per_worker=1,
                            dashboard_address=None) as client:
        parallel.check_parallel(None, client)


def test_a_dask_cluster_without_workers_is_said_not_waited_for(monkeypatch):
    """A cluster of no worker (or one scaled to none) made a sweep wait for ever, without a word
    (faults audit): a worker is waited for DASK_NO_WORKER_WAIT seconds, then said missing."""
    distributed = pytest.importorskip("distributed")
    monkeypatch.setattr(parallel, "DASK_NO_WORKER_WAIT", 1.0)
    with distributed.LocalCluster(n_workers=0, processes=False, dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client, \
            pytest.raises(ValidationError, match=r"the Dask cluster has no worker \(none joined within 1 "
                                                 r"s\): start workers"):
        premium(examples.tiny(), {"a": Policy(min_suppliers=2)}, executor=client)


def test_a_dask_cluster_left_without_workers_mid_sweep_is_said_not_waited_for(monkeypatch):
    distributed = pytest.importorskip("distributed")
    monkeypatch.setattr(parallel, "DASK_NO_WORKER_WAIT", 1.0)
    with distributed.LocalCluster(n_workers=1, processes=False, dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        client.wait_for_workers(1)
        futures = [client.submit(time.sleep, 30, pure=False)]
        cluster.scale(0)  # an allocation ending, an autoscaler
        with pytest.raises(ResilientSCError, match=r"has had no worker for 1 s with 1 task left"):
            list(parallel._completed(futures))


def test_a_dask_cluster_whose_workers_are_all_paused_is_said_not_waited_for(monkeypatch):
    """Workers paused at their memory limit (importing the library took 158 of their 191 MiB) took
    no task, and the sweep waited for ever without a word: counted as present (faults audit)."""
    distributed = pytest.importorskip("distributed")
    monkeypatch.setattr(parallel, "DASK_NO_WORKER_WAIT", 1.0)
    with distributed.LocalCluster(n_workers=1, processes=False, dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        futures = [client.submit(time.sleep, 4, pure=False)]
        monkeypatch.setattr(client, "scheduler_info", lambda **_: {"workers": {"w": {"status": "paused"}}})
        with pytest.raises(ResilientSCError, match=r"has had no worker running for 1 s with 1 task left: "
                                                   r"every worker is paused at its memory limit"):
            list(parallel._completed(futures))
        # a paused worker still running a task finishes it: waited for, not cancelled (review audit)
        busy = {"workers": {"w": {"status": "paused", "metrics": {"executing": 1}}}}
        monkeypatch.setattr(client, "scheduler_info", lambda **_: busy)
        assert len(list(parallel._completed([client.submit(time.sleep, 3, pure=False)]))) == 1


def test_a_worker_of_another_version_that_joined_after_the_check_refuses_its_task():
    """The version check passed on the workers connected at the start; one joining later ran the
    sweep with another version, without a word (faults audit): each task compares its caller's."""
    caller = parallel._Caller("another process", 0, ("x.py", 1, "main"), version="0.0.1")
    with pytest.raises(ResilientSCError, match=rf"a worker runs resilient_sc {parallel._version()}, the "
                                               r"caller 0\.0\.1: install resilient_sc 0\.0\.1 on every"):
        parallel._in_worker(caller, "a", sum, [1, 2])


class KilledWorker(Exception):
    """Dask's error when each try of a task lost its worker (``distributed.scheduler``)."""

    __module__ = "distributed.scheduler"


class FutureCancelledError(Exception):
    """Dask's error of a task whose cluster closed under it (``distributed.client``)."""

    __module__ = "distributed.client"


def dask_error(i: int, error: type[Exception]) -> int:
    if i == 1:
        raise error("_in_worker-d087: Dask's own words")
    return i


@pytest.mark.parametrize(("error", "said"), [
    (KilledWorker, r"^a Dask worker ended while solving, at each try"),
    (FutureCancelledError, r"^the Dask cluster cancelled the tasks while solving")])
def test_a_dask_error_is_said_plainly_naming_the_task(error, said):
    """Dask's own KilledWorker came through, naming an internal task key, where a local pool's
    dead worker is said in a planner's words; a cluster closed under a sweep came through as
    Dask's internal error, or the closed client's own 'cannot send cancel-keys' from the clean-up,
    naming no task (faults audit)."""
    with ThreadPoolExecutor(2) as pool, pytest.raises(ResilientSCError, match=said) as err:
        run_all(dask_error, [(0, error), (1, error)], executor=pool, names=["near", "n-1"])
    assert err.value.__notes__ == ["while solving n-1"]


def test_workers_beside_an_executor_are_said_unused():
    """workers=2 beside an executor did nothing without a word (API audit)."""
    from concurrent.futures import ThreadPoolExecutor

    from resilient_sc import RunWarning
    from resilient_sc.analysis.parallel import check_parallel

    with ThreadPoolExecutor(1) as pool, pytest.warns(RunWarning, match=r"workers=2 is not used"):
        check_parallel(2, pool)


class _Odd(Exception):
    """An exception that does not travel between processes: its constructor takes two arguments
    (it pickles but does not unpickle, unless tblib, which distributed installs, rebuilds it), and
    it holds a lock (which does not pickle at all)."""

    def __init__(self, a, b):
        super().__init__(f"odd {a}")
        self.b, self.lock = b, threading.Lock()


def _raise_odd(i: int) -> int:
    if i == 1:
        raise _Odd("x", "y")
    return i


def test_an_error_a_worker_cannot_send_back_is_said_not_read_as_a_killed_worker():
    """It broke the pool, and the sweep said a worker was 'killed, or out of memory', naming no
    task (faults audit): a worker sends back its type and message, the task named."""
    caller = parallel._Caller("another process", 0, ("x.py", 1, "main"))
    with pytest.raises(ResilientSCError, match=r"^_Odd: odd x$"):  # run_all's note names the task
        parallel._in_worker(caller, "odd one", _raise_odd, 1)
    assert not parallel._travels(_Odd("x", "y")) and parallel._travels(ValueError("fine"))


def test_a_script_without_the_main_guard_is_told_so_by_its_spawned_workers(tmp_path: Path) -> None:
    """A spawned worker (macOS, Windows) runs the script again: without the guard each solved the
    base once more, then died on Python's bootstrapping error, and the parent named being killed
    or out of memory first (portability audit)."""
    script = tmp_path / "sweep.py"
    script.write_text("import multiprocessing\nfrom resilient_sc import Policy, examples, premium\n"
                      "multiprocessing.set_start_method('spawn', force=True)\n"
                      "premium(examples.tiny(), {'a': Policy(max_hubs=1), 'b': Policy(min_suppliers=1)}, "
                      "failures=(), workers=2)\n", encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300,
                          cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])})
    assert done.returncode == 1
    assert done.stderr.count(f"ResilientSCError: {parallel.NO_MAIN_GUARD}") >= 1, done.stderr[-2000:]
    assert done.stderr.rstrip().splitlines()[-1].startswith(
        "resilient_sc.exceptions.ResilientSCError: a worker process ended while solving one of a, b (a "
        "script whose "
        "calls are not under if __name__ == '__main__':")
