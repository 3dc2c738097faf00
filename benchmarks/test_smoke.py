"""Smoke run of every registered benchmark at its smallest size (``pytest benchmarks``, in CI).

Checks that each script runs end to end and writes its JSON and Markdown results; the numbers
are not timed here (timings belong to the full runs, see ``run.py``).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import run


@pytest.mark.parametrize("name", run.QUICK)
def test_quick_run_writes_results(name: str, tmp_path: Path) -> None:
    assert run.run(name, True, tmp_path) == 0
    if name.startswith("orlib") and not (Path(run.__file__).parents[2] / "shared" / "data").is_dir():
        pytest.skip("../shared/data is not present")
    written = {p.name for p in tmp_path.iterdir()}
    stem = {"orlib-cap": "orlib_quick"}.get(name, f"{name}_quick")
    assert {f"{stem}.json", f"{stem}.md"} <= written
    data = json.loads((tmp_path / f"{stem}.json").read_text(encoding="utf-8"))
    assert data["machine"]["cpus"] >= 1
    if name == "orlib-cap":
        assert data["summary"]["ours_optimal"] == data["summary"]["instances"]
        assert data["summary"]["disagreements"] == []
        assert "textbook" in run.summary(tmp_path)


def test_rule_based_pyomo_baseline_is_the_same_model() -> None:
    """The build benchmark's pyomo baseline reaches our optimum on the example and a dense network."""
    import pyomo.environ as pyo
    from bench_build import dense_network
    from pyomo.contrib.solver.common.factory import SolverFactory
    from pyomo_rules import build_pyomo_rules

    from resilient_sc import Policy, build_model, examples, solve_model

    for network in (examples.electronics(), dense_network(4, 5, 12, 2, 3, seed=2)):
        ours = build_model(network, Policy())
        rules = build_pyomo_rules(ours.sets)
        result = SolverFactory("highs").solve(rules)
        assert result.termination_condition.name == "convergenceCriteriaSatisfied"
        assert pyo.value(rules.total_cost) == pytest.approx(solve_model(ours).objective, rel=1e-6)
        assert rules.nvariables() == ours.lm.n_cols
