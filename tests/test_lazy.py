"""Lazy caps (:mod:`resilient_sc.solvers.lazy`): country and region caps join the model where a
plan breaks them; the optimum is the whole model's, and every cap holds in the plan."""

from __future__ import annotations

import pytest

from resilient_sc import Policy, SolveOptions, build_model, examples, solve
from resilient_sc.solvers import lazy
from resilient_sc.verify import verify_plan

PLAIN = SolveOptions(accelerate=False)


@pytest.mark.parametrize("policy", [
    Policy(max_country_share=0.4),
    Policy(min_allied_share=0.6, max_country_share=0.4),
    Policy(max_region_share=0.5, survive=("supplier",), service_level=0.7),
    Policy(max_country_share={"chips": 0.3}, single_sourcing=True),
])
def test_same_optimum_as_the_whole_model(policy):
    net = examples.electronics()
    fast = solve(net, policy)
    plain = solve(net, policy, PLAIN)
    assert "lazy caps:" in fast.report.note
    assert fast.objective == pytest.approx(plain.objective, rel=1e-6)
    assert verify_plan(fast, policy) == []


def test_lazy_rows_are_the_caps():
    lm = build_model(examples.electronics(), Policy(max_country_share=0.4, min_local_share=0.3)).lm
    rows = lazy.lazy_rows(lm)
    cap = lm.constraints["max_country_share"]
    assert rows is not None and list(rows) == list(range(cap.start, cap.start + cap.size))
    assert lazy.lazy_rows(build_model(examples.electronics()).lm) is None


def test_a_master_that_would_not_merge_takes_every_cap(monkeypatch):
    """With SPLIT = 0 no master with some caps is worth its round: the second takes them all."""
    net, policy = examples.electronics(), Policy(min_allied_share=0.6, max_country_share=0.4)
    rows = lazy.lazy_rows(build_model(net, policy).lm)
    monkeypatch.setattr(lazy, "SPLIT", 0.0)
    plan = solve(net, policy)
    assert f"after 2 rounds (0 → {len(rows)})" in plan.report.note
    assert plan.objective == pytest.approx(solve(net, policy, PLAIN).objective, rel=1e-6)
    assert verify_plan(plan, policy) == []
