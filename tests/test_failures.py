"""Failure generation for N-1 survival (:mod:`resilient_sc.solvers.failures`): the same optimum
as the whole model in plain HiGHS, with only the binding failures in the last master."""

from __future__ import annotations

import numpy as np
import pytest

from resilient_sc import InfeasiblePolicyError, Policy, SolveOptions, build_model, examples, solve
from resilient_sc.solvers import failures
from resilient_sc.verify import verify_plan

PLAIN = SolveOptions(accelerate=False)


@pytest.fixture(scope="module")
def electronics():
    return examples.electronics()


@pytest.mark.parametrize("policy", [
    Policy(survive=("supplier",)),
    Policy(survive=("country",), service_level=0.8),
    Policy(survive=("hub", "supplier"), service_level=0.7, min_local_share=0.3),
])
def test_same_optimum_as_the_whole_model(electronics, policy):
    fast = solve(electronics, policy)
    plain = solve(electronics, policy, PLAIN)
    assert fast.report.route == "failure-generation"
    assert fast.objective == pytest.approx(plain.objective, rel=1e-6)
    assert verify_plan(fast, policy) == []
    used, total = (int(n) for n in fast.report.note.split("failure generation: ")[1].split(" failures")[0]
                   .split(" of "))
    assert 0 < used < total  # some failures bind, not all


def test_recognise_reads_every_recourse_block(electronics):
    model = build_model(electronics, Policy(survive=("country",), service_level=0.8))
    fails = failures.recognise(model.lm)
    assert fails is not None
    assert set(fails.names) == set(model.lm.constraints["survive_demand"].index["failure"])
    recourse = [b for n, b in model.variables.items() if n.startswith("survive_")]
    assert (fails.column >= 0).sum() == sum(b.size for b in recourse)
    assert failures.recognise(build_model(electronics).lm) is None  # no survive: no route


def test_master_without_failures_is_the_base_model(electronics):
    model = build_model(electronics, Policy(survive=("supplier",)))
    fails = failures.recognise(model.lm)
    sub, _ = failures.restricted(model.lm, fails, np.zeros(len(fails.names), bool))
    base = build_model(electronics).lm
    assert (sub.n_cols, sub.n_rows) == (base.n_cols, base.n_rows)
    assert np.array_equal(sub.objective(), base.objective())


def test_infeasible_stays_explained(electronics):
    """Every country lost at full service without the Asian suppliers: a planner's explanation,
    as without the route."""
    policy = Policy(survive=("country",), excluded_countries=("CN", "TW", "KR", "JP", "VN"))
    with pytest.raises(InfeasiblePolicyError):
        solve(electronics, policy)
