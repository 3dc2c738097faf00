"""The roadmap model (docs/formulation.md §9): every period planned at once.

Each period's model is the one-period model of the network and policy as they stand in that
period (:func:`resilient_sc.periods.in_period`, :meth:`Policy.in_period`, lead times counted
from the period's position). The periods are stacked into one :class:`LinearModel` in which the
period is one more index of every block (``inbound_flow[s,h,p,t]``, ``demand[m,p,t]``, ...),
each period's costs multiplied by its weight, and linked by the start and stop rows of
:mod:`.transitions`. ``to_pyomo`` and ``write_model`` read it like any other model.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..data import Network
from ..exceptions import DataWarning, InfeasiblePolicyError, ValidationError, warn
from ..periods import has_periods, in_period, period_ids, policy_in, weights
from ..policy import Policy
from .build import BuiltOnUse, NetworkModel, build_model, build_period, check_shape, given_policy
from .linear import INDEX, ConBlock, LinearModel, VarBlock
from .table import Table
from .transitions import DESIGN, add_links, elements


class PeriodsInfeasible(InfeasiblePolicyError):
    """Periods of a roadmap that fail a necessary condition (:mod:`.precheck`): ``failed`` holds
    each one's (period, position, network, policy) as it stands in that period; ``built`` each
    other period's (period, position, model), which may have no plan alone either."""

    def __init__(self, reasons: list[str], failed: list[tuple[str, int, Network, Policy]],
                 built: list[tuple[str, int, NetworkModel]] | None = None):
        super().__init__(reasons)
        self.failed = failed
        self.built = built or []

    def __reduce__(self) -> tuple[Any, ...]:  # the built models stay behind: a pickle's size is the data's
        return (type(self), (list(self.reasons), self.failed))


@dataclass(eq=False)
class RoadmapModel:
    """A built roadmap: the period models (each with its own sets and column layout) and their
    stack ``lm``, whose block ``name`` holds period ``t``'s part from column ``starts[name][t]``
    (−1: the period has no such block).
    """

    network: Network
    policy: Policy
    periods: pd.DataFrame  # period, weight
    models: tuple[NetworkModel, ...]
    lm: LinearModel = BuiltOnUse()  # type: ignore[assignment]  # noqa: RUF009 (a descriptor)
    starts: dict[str, np.ndarray] = BuiltOnUse()  # type: ignore[assignment]  # noqa: RUF009
    build_time: float

    @property
    def variables(self) -> dict[str, VarBlock]:
        return self.lm.variables

    def _can_build_again(self) -> bool:
        return True

    def _build_again(self) -> None:
        """``lm`` and ``starts`` of a roadmap loaded from its recipe (:func:`.build.sent_as_recipe`),
        stacked again from its period models (themselves built again on use)."""
        lm, starts = _stacked(self.network, list(self.models), self.periods)
        check_shape(self, lm)
        vars(self).update(lm=lm, starts=starts)

    def period_values(self, x: np.ndarray, t: int) -> dict[str, np.ndarray]:
        """The values of period ``t``'s variable blocks in the stacked solution ``x``."""
        out = {}
        for name, block in self.models[t].lm.variables.items():
            start = self.starts[name][t]
            out[name] = x[start:start + block.size]
        return out

    def period_rows(self, t: int) -> np.ndarray:
        """Per row of period ``t``'s model, its row in the stack ``lm`` (each block holds the
        periods' rows one period after another, :func:`stack`)."""
        lm = self.models[t].lm
        out = np.empty(lm.n_rows, np.int64)
        for name, block in lm.constraints.items():
            before = sum(m.lm.constraints[name].size for m in self.models[:t] if name in m.lm.constraints)
            first = self.lm.constraints[name].start + before
            out[block.start:block.start + block.size] = first + np.arange(block.size)
        return out

    def __repr__(self) -> str:
        return (f"RoadmapModel({len(self.models)} periods, {self.lm.n_cols} columns, "
                f"{self.lm.n_rows} rows)")


def build_roadmap(network: Network, policy: Policy | None = None,
                  strong_links: bool = True) -> RoadmapModel:
    """The MILP of docs/formulation.md §9 for ``network`` (with or without a ``periods`` table:
    without, one period ``today``) under ``policy``, without solving it.

    Raises :class:`InfeasiblePolicyError` naming the period when a period fails a necessary
    condition (:mod:`.precheck`).
    """
    policy = given_policy(network, policy)
    start = time.perf_counter()
    policy.check_network(network)
    ids = period_ids(network)
    for message in policy.skipped_periods(ids):  # a glide path with a year forgotten asks nothing then
        warn(message, DataWarning)
    periods = pd.DataFrame({"period": list(ids), "weight": weights(network)})
    models: list[NetworkModel] = []
    reasons: list[str] = []
    failed: list[tuple[str, int, Network, Policy]] = []
    for t, period in enumerate(ids):
        net_t, policy_t = in_period(network, period), policy_in(policy, network, period)
        try:
            models.append(build_period(net_t, policy_t, strong_links, position=t, transitions=False))
        except InfeasiblePolicyError as exc:
            reasons += [f"in period {period}: {r}" for r in exc.reasons]
            failed.append((period, t, net_t, policy_t))
        except ValidationError as exc:  # e.g. the period's failure copies over a size limit
            raise ValidationError([p.replace(" | ", f" | in period {period}: ", 1) for p in exc.problems],
                                  exc.about) from exc
    if reasons:
        done = [t for t in range(len(ids)) if t not in {f[1] for f in failed}]
        raise PeriodsInfeasible(reasons, failed, [(ids[t], t, m) for t, m in zip(done, models, strict=True)])
    lm, starts = _stacked(network, models, periods)
    return RoadmapModel(network, policy, periods, tuple(models), lm, starts,
                        time.perf_counter() - start)


def _stacked(network: Network, models: list[NetworkModel],
             periods: pd.DataFrame) -> tuple[LinearModel, dict[str, np.ndarray]]:
    """The period models stacked (:func:`stack`) and linked by the start and stop rows of
    :mod:`.transitions`, and each variable block's start column per period."""
    lm, starts = stack([m.lm for m in models], periods)
    for kind, design in DESIGN.items():
        items = elements(getattr(network, f"{kind}s"), kind)
        z = np.full((len(items), len(models)), -1, np.int64)
        for t, m in enumerate(models):
            block = m.lm.variables[design]
            at = pd.Index(block.index[kind]).get_indexer(items[kind])
            z[:, t] = np.where(at >= 0, starts[design][t] + at, -1)
        add_links(lm, kind, items, z, periods)
    return lm, starts


def build_any(network: Network, policy: Policy | None = None,
              strong_links: bool = True) -> NetworkModel | RoadmapModel:
    """The model of ``network``: its roadmap when it has a ``periods`` table, else the one-period
    model of :func:`~resilient_sc.model.build.build_model`."""
    policy = given_policy(network, policy)
    if has_periods(network):
        return build_roadmap(network, policy, strong_links)
    return build_model(network, policy, strong_links)


def stack(models: list[LinearModel], periods: pd.DataFrame) -> tuple[LinearModel, dict[str, np.ndarray]]:
    """One model of the period models ``models``: each block the periods' blocks of that name
    one after another, labelled with one more column ``period``, period ``t``'s costs times
    ``periods.weight[t]``. Returns it and, per variable block, each period's start column."""
    out = LinearModel()
    ids = periods["period"].to_numpy(object)
    moved = [np.empty(m.n_cols, np.int64) for m in models]  # old column -> new, per period
    starts: dict[str, np.ndarray] = {}
    for name in dict.fromkeys(n for m in models for n in m.variables):
        parts = [(t, m.variables[name]) for t, m in enumerate(models) if name in m.variables]
        block = out.add_variables(name, _labels([b.labels for _, b in parts], ids, [t for t, _ in parts]),
                                  np.concatenate([b.lower for _, b in parts]),
                                  np.concatenate([b.upper for _, b in parts]), parts[0][1].integer)
        starts[name] = np.full(len(models), -1, np.int64)
        at = block.start
        for t, b in parts:
            starts[name][t] = at
            moved[t][b.start:b.start + b.size] = np.arange(at, at + b.size)
            at += b.size
    for name in dict.fromkeys(n for m in models for n in m.constraints):
        parts_c = [(t, m.constraints[name]) for t, m in enumerate(models) if name in m.constraints]
        offsets = np.cumsum([0] + [b.size for _, b in parts_c])
        cat = np.concatenate
        labels = _labels([b.labels for _, b in parts_c], ids, [t for t, _ in parts_c])
        out.constraints[name] = ConBlock(
            name, labels, out.n_rows,
            cat([b.rows + off for (_, b), off in zip(parts_c, offsets, strict=False)]).astype(INDEX),
            cat([moved[t][b.cols] for t, b in parts_c]).astype(INDEX),
            cat([b.vals for _, b in parts_c]), cat([b.lower for _, b in parts_c]),
            cat([b.upper for _, b in parts_c]))
        out.n_rows += int(offsets[-1])
    weight = periods["weight"].to_numpy(float)
    for t, m in enumerate(models):
        for component, parts in m.costs.items():
            for cols, coef in parts:
                out.costs.setdefault(component, []).append((moved[t][cols], weight[t] * coef))
    return out, starts


def _labels(parts: list[pd.DataFrame | Table], ids: np.ndarray, periods: list[int]) -> Table:
    """The labels of the period blocks ``parts`` one after another, with a ``period`` column."""
    tables = [p if isinstance(p, Table) else Table({c: p[c].to_numpy() for c in p.columns})
              for p in parts]
    sizes = [len(p) for p in parts]  # a Table of no columns has no length: a DataFrame's counts
    columns: dict[str, np.ndarray | tuple[np.ndarray, np.ndarray]] = {}
    for name in tables[0].columns:
        cols = [t.columns[name] for t in tables]
        if all(isinstance(c, tuple) for c in cols):
            shift = np.cumsum([0] + [len(c[0]) for c in cols[:-1]])
            columns[name] = (np.concatenate([c[0] for c in cols]),
                             np.concatenate([c[1] + s for c, s in zip(cols, shift, strict=True)]))
        else:
            columns[name] = np.concatenate([t[name] for t in tables])
    columns["period"] = (ids, np.repeat(np.asarray(periods, np.int64), sizes))
    return Table(columns)
