"""The pieces of ``bench_decomposition.py``'s knapsack separation, against enumeration."""

from __future__ import annotations

import itertools

import numpy as np
from bench_decomposition import best_plan, fenchel_cut


def _plans(weight: np.ndarray, capacity: int) -> list[np.ndarray]:
    n = len(weight)
    return [np.array(bits, bool) for bits in itertools.product([0, 1], repeat=n)
            if weight @ np.array(bits) <= capacity]


def test_best_plan_is_the_best_knapsack_plan() -> None:
    rng = np.random.default_rng(3)
    for _ in range(100):
        weight, capacity, price = rng.integers(1, 10, 7), int(rng.integers(4, 25)), rng.random(7)
        value, plan = best_plan(price, weight, capacity)
        assert weight @ plan <= capacity and price @ plan == value
        assert value == max(price @ p for p in _plans(weight, capacity))


def test_fenchel_cut_holds_for_every_plan_and_cuts_off_the_point() -> None:
    """A point outside the knapsack polytope: every item at 0.6 where at most two fit."""
    weight, capacity = np.array([3, 3, 3, 3]), 7
    point = np.full(4, 0.6)
    pi, pi0, violation = fenchel_cut(point, 1.0, weight, capacity)
    assert violation > 0.05
    assert pi @ point - pi0 > 0.05
    assert all(pi @ p <= pi0 + 1e-9 for p in _plans(weight, capacity))
