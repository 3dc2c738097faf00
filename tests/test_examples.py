"""Every script in examples/ runs end to end and prints its result."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

#: script -> text its output must contain
EXPECTED = {
    "01_first_solve.py": ["status      optimal", "near-shoring costs 2.6% more", "plan workbook:"],
    "02_policy_comparison.py": ["near_shoring", "friend_shoring", "4.2%"],
    "03_premium_frontier.py": ["premium table", "frontier of min_local_share", "0.75"],
    "04_stress_test.py": ["failures replayed", "hub:H_Monterrey"],
    "05_pyomo_extension.py": ["solved by pyomo: optimal", "China-made 20.0%"],
    "06_scale_out.py": ["co2_price", "optimal"],
}


#: scripts that take more than ~10 s (several solves with stress tests, or process start-up)
SLOW = {"03_premium_frontier.py", "06_scale_out.py"}


def test_every_script_is_tested() -> None:
    assert sorted(p.name for p in EXAMPLES.glob("[0-9]*.py")) == sorted(EXPECTED)


@pytest.mark.parametrize("script", [pytest.param(s, marks=pytest.mark.slow) if s in SLOW else s
                                    for s in sorted(EXPECTED)])
def test_example_runs(script: str, tmp_path: Path) -> None:
    args = [sys.executable, str(EXAMPLES / script)]
    if script == "01_first_solve.py":
        args.append(str(tmp_path / "plan.xlsx"))
    done = subprocess.run(args, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    for text in EXPECTED[script]:
        assert text in done.stdout, f"{text!r} not in the output of {script}:\n{done.stdout}"
    if script == "01_first_solve.py":
        assert (tmp_path / "plan.xlsx").is_file()
