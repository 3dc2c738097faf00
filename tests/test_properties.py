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
