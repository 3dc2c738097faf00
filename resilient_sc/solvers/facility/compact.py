"""HiGHS on the facility location problem alone (the compact model): hub columns o[i] and the
fraction a[i,j] of market j served by hub i, instead of the model's supplier, flow and per-product
columns, which follow from ``a`` (:meth:`~.problem.FacilityProblem.plan`)."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import scipy.sparse as sp

from ..base import SolveOptions, SolverResult
from ..highs import new_highs, pass_matrix, run_highs, until
from .problem import FacilityProblem


def solve_compact(fl: FacilityProblem, options: SolveOptions, deadline: float,
                  lo: np.ndarray | None = None, up: np.ndarray | None = None,
                  banned: np.ndarray | None = None, fewest: float = 0.0,
                  start: np.ndarray | None = None, cutoff: float = math.inf,
                  extra: Mapping[str, Any] | None = None) -> SolverResult:
    """HiGHS on the facility location problem alone: ``o[i]`` and the fraction ``a[i,j]`` of
    market j served by hub i (binary under single sourcing) on the pairs with a lane; rows
    Σ_i a[i,j] = 1, Σ_j d[j] a[i,j] ≤ s[i] o[i] (finite capacities), a[i,j] ≤ o[i] and, with
    ``fewest`` > 0, Σ_i o[i] ≥ fewest. The supplier, its flows and the per-product flows follow
    from ``a`` (:meth:`FacilityProblem.plan`).

    ``lo``/``up`` override the hub bounds, ``banned[i,j]`` leaves pairs out, ``start[i,j]`` is a
    plan's fractions handed over as a MIP start, ``cutoff`` prunes plans that cost more (both
    with the constant), ``extra`` are HiGHS options.
    """
    m, n = fl.shape
    lo = fl.lo if lo is None else lo
    up = fl.up if up is None else up
    allowed = np.isfinite(fl.cost) & (up > 0.5)[:, None]
    if banned is not None:
        allowed &= ~banned
    hub, market = np.nonzero(allowed)
    k = len(hub)
    a = m + np.arange(k)  # the a columns
    fin = np.flatnonzero(np.isfinite(fl.s))
    cap_row = np.full(m, -1)
    cap_row[fin] = n + np.arange(len(fin))
    has_cap = np.flatnonzero(cap_row[hub] >= 0)
    link = n + len(fin) + np.arange(k)
    count = n + len(fin) + k  # the Σ o ≥ fewest row
    rows = np.concatenate([market, cap_row[hub[has_cap]], cap_row[fin], link, link, np.full(m, count)])
    cols = np.concatenate([a, a[has_cap], fin, a, hub, np.arange(m)])
    vals = np.concatenate([np.ones(k), fl.d[market[has_cap]], -fl.s[fin], np.ones(k), -np.ones(k),
                           np.ones(m)])
    matrix = sp.csc_matrix((vals, (rows, cols)), shape=(count + 1, m + k))
    row_lo = np.concatenate([np.ones(n), np.full(len(fin) + k, -np.inf), [fewest]])
    row_up = np.concatenate([np.ones(n), np.zeros(len(fin) + k), [np.inf]])
    h = new_highs(until(options, deadline))
    pass_matrix(h, matrix, np.concatenate([fl.f, fl.cost[hub, market]]),
                np.concatenate([lo, np.zeros(k)]), np.concatenate([up, np.ones(k)]),
                row_lo, row_up, np.concatenate([np.ones(m, bool), np.full(k, fl.single)]))
    for name, value in (extra or {}).items():
        h.setOptionValue(name, value)
    if math.isfinite(cutoff):
        h.setOptionValue("objective_bound", float(cutoff - fl.constant))
    if start is not None:
        h.setSolution(m + k, np.arange(m + k, dtype=np.int32),
                      np.concatenate([((start.sum(axis=1) > 0.5) | (lo > 0.5)).astype(float),
                                      start[hub, market]]))
    result = run_highs(h, True)
    result = dataclasses.replace(result, bound=result.bound + fl.constant)
    if result.x is None:
        return result
    frac = np.zeros(fl.shape)
    frac[hub, market] = np.clip(result.x[m:], 0.0, 1.0)
    x = fl.plan(result.x[:m] > 0.5, np.round(frac) if fl.single else frac)
    objective = result.objective + fl.constant
    gap = max(0.0, (objective - result.bound) / max(abs(objective), 1e-10))
    return dataclasses.replace(result, x=x, objective=objective, gap=gap)
