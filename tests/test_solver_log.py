"""The solver log says what each HiGHS run that follows belongs to: the library's steps, marked
``resilient_sc:`` and indented by the master they run in, are written as they begin."""

from __future__ import annotations

import logging

import numpy as np
import pytest
import scipy.sparse as sp

from resilient_sc import Policy, examples, solve
from resilient_sc.model.build import build_model
from resilient_sc.solvers.base import STEP_MARK, AccelerateOptions, SolveOptions
from resilient_sc.solvers.highs import new_highs, pass_matrix, run_highs
from resilient_sc.solvers.mip import branch_and_bound
from resilient_sc.solvers.routes import solve_linear

SURVIVE = Policy(survive=("supplier",), service_level=0.8)


def _index(lines: list[str], text: str, after: int = -1) -> int:
    """The first line after line ``after`` that holds ``text``."""
    return next(k for k, line in enumerate(lines) if k > after and text in line)


def test_steps_come_before_the_highs_runs_they_start(tmp_path):
    """Failure generation's electronics solve: the route, its first master's round, the master's own
    route one level in, HiGHS's log of that master, then the check of its plan, the report last."""
    log = tmp_path / "solve.log"
    plan = solve(examples.electronics(), SURVIVE, SolveOptions(log=log))
    lines = log.read_text(encoding="utf-8").splitlines()
    route = _index(lines, f"{STEP_MARK}route failure-generation: masters with the failures added")
    first = _index(lines, f"{STEP_MARK}  failure generation, round 1: a master with 0 of the 21 failures",
                   route)
    inner = _index(lines, f"{STEP_MARK}  route merged-origins:", first)
    highs = _index(lines, "MIP has", inner)
    checked = _index(lines, f"{STEP_MARK}  its plan checked on all 21 failures:", highs)
    assert lines[-1].startswith(f"solved by {plan.report.route} in") and checked < len(lines) - 1
    assert all(line.startswith(STEP_MARK) or STEP_MARK not in line for line in lines)


def test_steps_go_to_stderr_and_the_logger_not_without_a_log(capsys, caplog):
    with caplog.at_level(logging.DEBUG, logger="resilient_sc"):
        solve(examples.tiny())
    assert capsys.readouterr().err == ""  # no log asked for: silent
    steps = [r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG]
    assert steps[0].startswith("route merged-origins: ") and steps[1].startswith("  route ")
    solve(examples.tiny(), options=SolveOptions(log=True))
    assert f"{STEP_MARK}route merged-origins: " in capsys.readouterr().err


def test_single_sourcing_says_relax_and_fix_then_the_projected_mip(tmp_path):
    log = tmp_path / "solve.log"
    solve(examples.electronics(), Policy(single_sourcing=True), SolveOptions(log=log))
    lines = log.read_text(encoding="utf-8").splitlines()
    lp = _index(lines, "relax and fix: the LP relaxation, by interior point")
    fixed = _index(lines, "relax and fix: LP bound ", lp)
    assert "markets its LP assigns whole fixed" in lines[fixed]
    mip = _index(lines, "HiGHS on the projected model, beside relax and fix's plan ", fixed)
    assert _index(lines, "MIP has", mip) > mip


def test_branch_and_bound_writes_its_progress(orlib_dir, monkeypatch, capsys):
    """The facility kernel's own branch and bound (no HiGHS log of its LPs) says its progress
    every PROGRESS_EVERY seconds; every one here."""
    from resilient_sc.orlib import read_instance

    monkeypatch.setattr(branch_and_bound, "PROGRESS_EVERY", 0.0)
    model = build_model(read_instance(orlib_dir / "cap41.txt").to_network(), Policy())
    kernel = AccelerateOptions(min_kernel_size=0, ss_kernel_size=0)
    result, report = solve_linear(model, SolveOptions(log=True, threads=1, accelerate_options=kernel))
    err = capsys.readouterr().err
    assert report.route == "facility-multi" and result.objective == pytest.approx(1040444.375)
    assert f"{STEP_MARK}  Lagrangian bound 1,039,137.71, best plan " in err
    assert f"{STEP_MARK}  branch and bound: 0 nodes solved, 1 open; bound none yet, best plan " in err


def test_an_lp_goes_to_highs_without_integrality(capfd):
    """An all-zero integrality made HiGHS warn 'No semi-integer/integer variables in model with
    non-empty integrality' on every LP of the log; min x0 + 2 x1, 1 ≤ x0 + x1 ≤ 2, -0.5 ≤ x0 − x1
    ≤ 0.5, 0 ≤ x ≤ 1: x = (0.75, 0.25), cost 1.25, by rows and by columns."""
    a = np.array([[1.0, 1.0], [1.0, -1.0]])
    for matrix in (sp.csr_matrix(a), sp.csc_matrix(a)):
        h = new_highs(SolveOptions(log=True))
        pass_matrix(h, matrix, np.array([1.0, 2.0]), np.zeros(2), np.ones(2), np.array([1.0, -0.5]),
                    np.array([2.0, 0.5]), np.zeros(2, bool))
        assert len(h.getLp().integrality_) == 0
        result = run_highs(h, False)
        assert result.objective == pytest.approx(1.25) and result.x == pytest.approx([0.75, 0.25])
    assert "No semi-integer" not in capfd.readouterr().err
