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
    assert log.read_text().strip()


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
