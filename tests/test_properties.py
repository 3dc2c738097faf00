"""Properties of policies on small random networks (hypothesis)."""

from __future__ import annotations

from functools import cache

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from resilient_sc import InfeasiblePolicyError, Network, Plan, Policy, solve
from resilient_sc.verify import verify_plan

from .random_networks import random_network

SETTINGS = settings(max_examples=8, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])

#: (field, neutral value, (looser, stricter) value strategy)
SHARE = st.floats(0.0, 1.0).map(lambda v: round(v, 2))
FIELDS = {
    "min_local_share": (0.0, SHARE),
    "min_allied_share": (0.0, SHARE),
    "max_country_share": (1.0, SHARE),
    "max_supplier_share": (1.0, SHARE),
    "min_suppliers": (1, st.integers(1, 4)),
}
#: a larger value is stricter for these fields
STRICTER_IF_LARGER = {"min_local_share", "min_allied_share", "min_suppliers"}


@cache
def network(seed: int) -> Network:
    return random_network(seed)


@cache
def base_cost(seed: int) -> float:
    return solve(network(seed)).objective


def solved(seed: int, policy: Policy) -> Plan | None:
    try:
        plan = solve(network(seed), policy)
    except InfeasiblePolicyError:
        return None
    assert verify_plan(plan, policy) == [], policy
    return plan


seeds = st.integers(0, 30)


@SETTINGS
@given(seed=seeds, field=st.sampled_from(sorted(FIELDS)), data=st.data())
def test_policy_never_below_base_and_verifies(seed, field, data):
    value = data.draw(FIELDS[field][1])
    plan = solved(seed, Policy(**{field: value}))
    assume(plan is not None)
    assert plan.objective >= base_cost(seed) * (1 - 1e-9) - 1e-6


@SETTINGS
@given(seed=seeds, field=st.sampled_from(sorted(FIELDS)))
def test_neutral_value_gives_base(seed, field):
    plan = solved(seed, Policy(**{field: FIELDS[field][0]}))
    assert plan is not None
    assert plan.objective == pytest.approx(base_cost(seed), rel=1e-7)


@SETTINGS
@given(seed=seeds, field=st.sampled_from(sorted(FIELDS)), data=st.data())
def test_stricter_never_cheaper(seed, field, data):
    a, b = sorted([data.draw(FIELDS[field][1]), data.draw(FIELDS[field][1])])
    loose, strict = (a, b) if field in STRICTER_IF_LARGER else (b, a)
    loose_plan = solved(seed, Policy(**{field: loose}))
    strict_plan = solved(seed, Policy(**{field: strict}))
    if loose_plan is None:
        assert strict_plan is None, "a stricter policy cannot be feasible when a looser one is not"
        return
    if strict_plan is not None:
        assert strict_plan.objective >= loose_plan.objective * (1 - 1e-7) - 1e-6


@SETTINGS
@given(seed=seeds, kind=st.sampled_from(["supplier", "hub", "country"]),
       level=st.sampled_from([0.0, 0.5, 1.0]))
def test_survive_verified_by_stress_test(seed, kind, level):
    """A design that is N-1 safe at service level β still guarantees ≥ β of every market's
    demand of every product under every single failure of that kind, re-checked by the
    stress test's LP of the guaranteed fraction; β = 0 is neutral."""
    from resilient_sc import stress_test

    plan = solved(seed, Policy(survive=(kind,), service_level=level))
    if level == 0.0:
        assert plan is not None and plan.objective == pytest.approx(base_cost(seed), rel=1e-7)
    assume(plan is not None)
    result = stress_test(network(seed), plan, failures=(kind,), scenarios=False)
    assert (result.failures["worst_served"] >= level - 1e-6).all()


#: policy fields drawn two or three at a time by the combined-policies test below
COMBINED = {
    "min_local_share": st.sampled_from([0.2, 0.5]),
    "min_allied_share": st.sampled_from([0.3, 0.6]),
    "max_country_share": st.sampled_from([0.5, 0.8]),
    "max_supplier_share": st.sampled_from([0.5, 0.8]),
    "max_region_share": st.sampled_from([0.7, 0.9]),
    "min_suppliers": st.sampled_from([2, 3]),
    "min_hubs": st.just(2),
    "survive": st.sampled_from([("supplier",), ("hub",), ("country",)]),
    "single_sourcing": st.just(True),
    "co2_price": st.sampled_from([5.0, 50.0]),
    "shortfall_penalty": st.sampled_from([20.0, 200.0]),
}


@settings(SETTINGS, max_examples=20)
@given(seed=seeds, fields=st.lists(st.sampled_from(sorted(COMBINED)), min_size=2, max_size=3, unique=True),
       data=st.data())
def test_combined_policies_every_route_gives_plain_highs_optimum(seed, fields, data):
    """Policies of two or three fields at once: the accelerated routes (merged origins, lazy
    caps, failure generation, the projection) give the optimum of plain HiGHS on the extensive
    form, and call the same policies infeasible (a wider sweep: docs/reliability.md, Solver
    routes)."""
    from resilient_sc import SolveOptions

    values = {f: data.draw(COMBINED[f]) for f in fields}
    if "survive" in values:
        values["service_level"] = data.draw(st.sampled_from([0.5, 1.0]))
    policy = Policy(**values)
    answers = []
    for accelerate in (True, False):
        try:
            plan = solve(network(seed), policy, SolveOptions(threads=1, accelerate=accelerate))
        except InfeasiblePolicyError:
            answers.append(None)
            continue
        assert verify_plan(plan, policy) == [], policy
        answers.append(plan.objective)
    if None in answers:
        assert answers == [None, None], policy
    else:
        assert answers[0] == pytest.approx(answers[1], rel=2e-6), policy
