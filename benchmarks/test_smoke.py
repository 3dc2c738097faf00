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
    stem = {"orlib-cap": "orlib_quick", "premium-ladder": "premium_ladder_quick",
            "frontier-ladder": "frontier_ladder_quick",
            "ideas": "ablation_tiny_quick"}.get(name, f"{name}_quick")
    assert {f"{stem}.json", f"{stem}.md"} <= written
    data = json.loads((tmp_path / f"{stem}.json").read_text(encoding="utf-8"))
    assert data["machine"]["cpus"] >= 1
    if name == "orlib-cap":
        assert data["summary"]["ours_optimal"] == data["summary"]["instances"]
        assert data["summary"]["disagreements"] == []
        assert "textbook" in run.summary(tmp_path)
    if name == "decomposition":  # the L-shaped method proves the extensive form's optimum
        ls = data["lshaped"]
        assert ls["optimal"] and ls["objective"] == pytest.approx(ls["extensive"]["objective"], rel=1e-6)


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


def test_ladder_merge_keeps_the_rows_not_run_again(tmp_path: Path) -> None:
    """``bench_ladder.py --merge``: a re-run policy replaces its row, the others keep theirs and
    the machine line and time limit of the run that made them."""
    import bench_ladder
    from machine import machine_info
    earlier = {**machine_info(), "date": "2026-01-01 00:00 UTC"}
    rows = [{"policy": p, "ours": {"status": "optimal", "wall_s": 1.0}, "textbook": {"status": "not run"},
             "agree": None} for p in ("single sourcing", "base")]
    saved = {"machine": earlier, "time_limit": 600.0, "rows": rows}
    (tmp_path / "ladder_S.json").write_text(json.dumps(saved), encoding="utf-8")
    now = machine_info()
    new = [{"policy": "base", "ours": {"status": "optimal", "wall_s": 0.5}, "textbook": {"status": "not run"},
            "agree": None, "machine": now, "time_limit": 300.0}]
    out = bench_ladder.merged(tmp_path / "ladder_S.json", new, now)
    assert [r["policy"] for r in out] == ["base", "single sourcing"]  # POLICIES order
    assert out[0]["ours"]["wall_s"] == 0.5 and out[1]["machine"]["date"] == "2026-01-01 00:00 UTC"
    text = bench_ladder.markdown("S", out, now, 300.0)
    assert "- single sourcing: 2026-01-01 00:00 UTC" in text and "time limit 300 or 600 s" in text
    assert "HiGHS's random seed 0 on both sides" in text
    assert bench_ladder.markdown("S", out, now, 300.0, seed=2).startswith(
        "# Ladder rung S: 60 suppliers × 12 hubs × 150 markets × 3 products, HiGHS's random seed 2")


def test_the_textbook_is_independent_of_the_library_and_reads_the_files_as_it_does() -> None:
    """benchmarks/textbook.py imports nothing of resilient_sc (it took the library's reader and
    stdout plumbing: a fault there would have been on both sides); its own reader gives the
    library's arrays on each layout's quirks (capa/b/c's 'capacity', Holmberg's NUL padding and
    CRLF in p2, the stray numbers of p47)."""
    import ast
    import warnings

    import numpy as np
    import textbook
    import textbook_frames

    for module in (textbook, textbook_frames):  # textbook_frames's independence was said, not checked
        tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
        imported = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        imported += [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
        assert not [m for m in imported if m.startswith("resilient_sc")], module.__name__
    data = Path(run.__file__).parents[2] / "shared" / "data" / "orlib"
    if not data.is_dir():
        pytest.skip("../shared/data is not present")
    from resilient_sc.orlib import read_instance

    for name, capacity in [("cap41.txt", None), ("capb.txt", 8000.0), ("holmberg/p2", None),
                           ("holmberg/p47", None)]:
        ours = textbook.read_instance(data / name, capacity)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # (p47's stray numbers, said by the library)
            theirs = read_instance(data / name, capacity)
        for field in ("capacity", "fixed_cost", "demand", "allocation_cost"):
            assert np.array_equal(getattr(ours, field), getattr(theirs, field)), (name, field)
