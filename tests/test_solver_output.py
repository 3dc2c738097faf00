"""Solves are silent: HiGHS's banner and log reach the terminal only when a log is asked for.

HiGHS prints its banner when the first solver object of a process is created, so each case
runs in a fresh process.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    """``resilient-sc ARGS`` in a fresh process, from the root of the checkout."""
    script = shutil.which("resilient-sc", path=str(Path(sys.executable).parent))
    command = [script] if script else [sys.executable, "-m", "resilient_sc.cli"]
    return subprocess.run([*command, *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_solve_prints_no_solver_banner() -> None:
    done = cli("solve", "examples/electronics")
    assert done.returncode == 0, done.stderr
    assert "status      optimal" in done.stdout
    assert "HiGHS" not in done.stdout
    assert "HiGHS" not in done.stderr


def test_solve_log_shows_the_solver_log() -> None:
    done = cli("solve", "examples/electronics", "--log", "-")
    assert done.returncode == 0, done.stderr
    assert "HiGHS" in done.stderr  # the log goes to stderr ...
    assert "HiGHS" not in done.stdout  # ... and stdout keeps the results only
    assert "status      optimal" in done.stdout


def test_log_file_gets_the_log_and_the_terminal_nothing(tmp_path: Path) -> None:
    log = tmp_path / "highs.log"
    done = cli("solve", "examples/electronics", "--log", str(log))
    assert done.returncode == 0, done.stderr
    assert "HiGHS" not in done.stdout + done.stderr
    assert log.read_text(encoding="utf-8").strip()


def test_analyses_print_no_solver_output() -> None:
    """Stress tests and premiums (whose policies are solved in worker processes) are silent too."""
    code = """
from resilient_sc import Policy, examples, premium, solve, stress_test
net = examples.tiny()
stress_test(net, solve(net))
table = premium(net, {"eu": Policy(min_local_share=0.5), "two": Policy(min_suppliers=2)}, workers=2)
print(len(table), "rows")
"""
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "3 rows"
    assert "HiGHS" not in done.stderr


def test_a_solve_in_a_thread_leaves_the_other_threads_stdout_alone() -> None:
    """A program printing its results on stdout while a thread solves: every line reaches
    stdout. Every HiGHS run used to point the process's stdout at stderr (and each new HiGHS
    object both at /dev/null for a moment), log or not: 1,207 of 2,000 lines went to stderr."""
    code = """
import threading
from resilient_sc import Policy, examples, solve
net = examples.electronics()
solve(net)  # HiGHS's banner: the first object of the process
done = threading.Event()
def work():
    for _ in range(3):
        solve(net, Policy(survive=("country",), service_level=0.8))
    done.set()
threading.Thread(target=work).start()
n = 0
while not done.is_set() or n < 100:
    print(f"result {n}", flush=True)
    n += 1
print(f"printed {n}", flush=True)
"""
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    printed = int(lines[-1].split()[1])
    assert lines[:-1] == [f"result {i}" for i in range(printed)]
    assert "result" not in done.stderr
