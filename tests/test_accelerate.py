"""The accelerated solve path gives the same optimum as HiGHS on the model as built."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from resilient_sc import Policy, SolveOptions, examples, solve
from resilient_sc import accelerate as acc
from resilient_sc.model.build import build_model
from resilient_sc.orlib import FacilityInstance, read_instance

PUBLISHED = {"cap41": 1040444.375, "cap71": 932615.750, "p1": 8848.0}
ONE = SolveOptions(threads=1)


def _model(orlib_dir, name: str):
    single = name.startswith("p")
    path = orlib_dir / "holmberg" / name if single else orlib_dir / f"{name}.txt"
    return build_model(read_instance(path).to_network(), Policy(single_sourcing=single))


def test_tiny_same_optimum():
    fast = solve(examples.tiny(), options=SolveOptions(accelerate=True))
    plain = solve(examples.tiny(), options=SolveOptions(accelerate=False))
    assert fast.objective == pytest.approx(plain.objective, rel=1e-9) == 1260.0


@pytest.mark.parametrize("name", ["cap41", "cap71", "p1"])
def test_kernel_matches_plain(orlib_dir, monkeypatch, name):
    monkeypatch.setattr(acc, "MIN_KERNEL_SIZE", 0)  # the facility location kernels even when small
    monkeypatch.setattr(acc, "SS_KERNEL_SIZE", 0)
    model = _model(orlib_dir, name)
    fast, report = acc.solve_accelerated(model, ONE)
    assert report.method == "facility-location"
    plain = model.solve(SolveOptions(threads=1, accelerate=False))
    assert fast.status.value == "optimal" and fast.gap <= 1e-6
    assert fast.objective == pytest.approx(plain.objective, rel=1e-6)
    assert fast.objective == pytest.approx(PUBLISHED[name], rel=1e-6)
    assert acc._feasible(model.lm, fast.x)
    assert model.lm.objective() @ fast.x == pytest.approx(fast.objective, rel=1e-9)


@pytest.mark.parametrize("name", ["cap41", "p1"])
def test_default_path_plan_verifies(orlib_dir, name):
    plan = _model(orlib_dir, name).solve(ONE)
    assert plan.objective == pytest.approx(PUBLISHED[name], rel=1e-6)
    assert plan.verify() == []


def test_multi_source_start_and_bound(orlib_dir):
    """The heuristic's plan is feasible and costs at least the optimum; the bound at most."""
    model = _model(orlib_dir, "cap41")
    fl = acc._facility(model)
    lb = acc._MultiSourceBound(fl)
    transport = acc._Transport(fl, ONE)
    inc = acc._MSIncumbent()
    a = acc._ascend(lb, np.sort(fl.cost, axis=0)[1], fl.lo, fl.up, np.inf, 0.0, 100, 2.0)
    inc.offer(transport, acc._complete(lb, a.o > 0.5, a.v, fl.up))
    x = fl.plan(inc.opened, inc.frac)
    assert acc._feasible(model.lm, x)
    assert model.lm.objective() @ x == pytest.approx(inc.value, rel=1e-9)
    assert inc.value >= PUBLISHED["cap41"] * (1 - 1e-9)
    assert a.bound <= PUBLISHED["cap41"] * (1 + 1e-9)


def _single_source_x(fl, hub_of: np.ndarray) -> np.ndarray:
    frac = np.zeros(fl.cost.shape)
    frac[hub_of, np.arange(len(hub_of))] = 1.0
    return fl.plan(frac.sum(axis=1) > 0.5, frac)


def test_single_source_heuristics_and_bound(orlib_dir):
    """Lagrangian repair, local search and the GAP polish give feasible plans whose values are
    what the model charges, never below the optimum; the Lagrangian bound never above it."""
    model = _model(orlib_dir, "p1")
    fl = acc._facility(model)
    lb = acc._SingleSourceBound(fl)
    a = acc._ascend(lb, np.sort(fl.cost, axis=0)[1], fl.lo, fl.up, math.inf, 0.0, 100, 2.0)
    assert a.bound <= PUBLISHED["p1"] + 1e-6
    hub_of = acc._ss_repair(fl, np.ones(len(fl.f), bool), lb.hubs(a.u)[1])
    assert hub_of is not None
    searched = acc._ss_local_search(fl, hub_of, np.inf)
    polished = acc._ss_polish(fl, searched[1], np.ones(fl.cost.shape, bool), ONE, np.inf)
    assert polished is not None and polished[0] <= searched[0] + 1e-9
    for value, plan in [searched, polished]:
        x = _single_source_x(fl, plan)
        assert acc._feasible(model.lm, x)
        assert model.lm.objective() @ x == pytest.approx(value, rel=1e-9)
        assert value >= PUBLISHED["p1"] - 1e-6


def test_knapsack_tables_exact():
    """The batched 0-1 knapsack DP (and its forced-item values) against enumeration."""
    rng = np.random.default_rng(3)
    m, n = 3, 7
    d = rng.integers(1, 6, n).astype(float)
    fl = acc._Facility(f=rng.uniform(5, 10, m), s=np.array([7.0, 9.0, 12.0]), d=d,
                       cost=rng.uniform(1, 9, (m, n)), lo=np.zeros(m), up=np.ones(m), constant=0.0,
                       single=True, n_cols=0, o_cols=np.zeros(m, np.int64), x_cols=np.zeros(m, np.int64),
                       z_col=0, y_cols=np.zeros((m, n), np.int64), a_cols=None)
    lb = acc._SingleSourceBound(fl)
    u = rng.uniform(3, 10, n)
    v, chosen = lb.hubs(u)
    forced = lb.forced_in(u)
    for i in range(m):
        best, best_with = 0.0, np.full(n, -np.inf)
        for pick in itertools.product([0, 1], repeat=n):
            a = np.array(pick, bool)
            if d[a].sum() <= fl.s[i]:
                gain = (u - fl.cost[i])[a].sum()
                best = max(best, gain)
                best_with[a] = np.maximum(best_with[a], gain)
        assert v[i] == pytest.approx(fl.f[i] - best)
        assert (u - fl.cost[i])[chosen[i]].sum() == pytest.approx(best)
        fits = np.isfinite(best_with)
        assert forced[i, fits] == pytest.approx(fl.f[i] - best_with[fits])


def _random_instance(seed: int) -> FacilityInstance:
    """A small random CFLP: equal or unequal capacities, tight or loose, integer demands."""
    rng = np.random.default_rng(seed)
    m, n = int(rng.integers(2, 9)), int(rng.integers(3, 16))
    demand = rng.integers(1, 30, n).astype(float)
    slack = rng.uniform(1.05, 3.0)
    spread = np.ones(m) if rng.random() < 0.5 else rng.uniform(0.6, 1.6, m)
    cap = demand.sum() * slack / m * spread
    cap = np.maximum(np.round(cap), demand.max())
    if cap.sum() < demand.sum():
        cap[0] += demand.sum() - cap.sum()
    xy = rng.uniform(0, 100, (m + n, 2))
    dist = np.hypot(*(xy[:m, None, :] - xy[None, m:, :]).transpose(2, 0, 1))
    return FacilityInstance(f"r{seed}", cap, rng.uniform(50, 800, m).round(), demand,
                            (dist * demand[None, :] * rng.uniform(0.5, 1.5)).round(1))


@pytest.mark.parametrize("name", ["cap41", "cap71", "p1"])
def test_compact_matches_published(orlib_dir, name):
    """Small facility location models go to the compact model (o and a only)."""
    model = _model(orlib_dir, name)
    fast, report = acc.solve_accelerated(model, ONE)
    assert report.method == "compact"
    assert fast.status.value == "optimal" and fast.gap <= 1e-6
    assert fast.objective == pytest.approx(PUBLISHED[name], rel=1e-6)
    assert acc._feasible(model.lm, fast.x)
    assert model.lm.objective() @ fast.x == pytest.approx(fast.objective, rel=1e-9)


@pytest.mark.parametrize("single", [False, True])
@pytest.mark.parametrize("seed", range(15))
def test_compact_matches_plain_on_random_instances(seed, single):
    model = build_model(_random_instance(seed).to_network(), Policy(single_sourcing=single))
    plain = model.solve(SolveOptions(threads=1, accelerate=False))
    fast, report = acc.solve_accelerated(model, ONE)
    assert report.method == "compact"
    assert fast.objective == pytest.approx(plain.objective, rel=1e-6)
    assert fast.bound <= fast.objective + 1e-6 * abs(fast.objective)
    assert acc._feasible(model.lm, fast.x)
    assert model.lm.objective() @ fast.x == pytest.approx(fast.objective, rel=1e-9)


@pytest.mark.parametrize("single", [False, True])
@pytest.mark.parametrize("seed", range(15))
def test_kernel_matches_plain_on_random_instances(monkeypatch, seed, single):
    """The facility location kernel and plain HiGHS agree on random small instances."""
    monkeypatch.setattr(acc, "MIN_KERNEL_SIZE", 0)
    monkeypatch.setattr(acc, "SS_KERNEL_SIZE", 0)
    model = build_model(_random_instance(seed).to_network(), Policy(single_sourcing=single))
    plain = model.solve(SolveOptions(threads=1, accelerate=False))
    fast, report = acc.solve_accelerated(model, ONE)
    assert report.method == "facility-location"
    assert fast.status.value == "optimal"
    assert fast.objective == pytest.approx(plain.objective, rel=1e-6)
    assert acc._feasible(model.lm, fast.x)
    assert fast.bound <= plain.objective * (1 + 1e-6)
