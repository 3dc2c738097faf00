"""Exact aggregation of the origin mix of lanes whose origins differ in cost alike.

After the origins that nothing tells apart are merged (:mod:`.aggregate`), a lane (h, m, p) may
still carry several origin classes c, told apart by their balance rows and their costs only (a
tariff depends on the origin and the market's country). When a lane's flows ``y[h,m,p,c]`` are
identical outside the balance rows but for their cost, with lower bound 0 and no upper bound,
and their costs differ by the same amounts ``δ[c]`` on every lane of a *mix group* G (one hub,
product and set of classes, and the same ``δ``, cost component by component: on the issue-14
ladder, the markets of one country), the lane needs only its total ``t = Σ_c y[h,m,p,c]`` and
the group one column per class, ``w[G,c] = Σ_{lanes of G} y[h,m,p,c]``::

    cost     Σ_c cost[h,m,p,c]·y[h,m,p,c] = cost[h,m,p,c₀]·t + Σ_c δ[c]·w[G,c]   (δ[c₀] = 0)
    rows     the lane's rows outside the balance see t; balance row (h,p,c) sees w[G,c]
    link     Σ_c w[G,c] = Σ_{lanes of G} t

A lane whose flows are not all identical outside the balance rows mixes by *parts*: the flows
with the same rows and coefficients outside them, each part a lane of its own above. A share row
tells the local origins of a lane from the others (near-shoring; friend-shoring's allies), a cap
(``max_country_share``) one origin from the rest, and each part mixes on its own: ladder M
near-shoring 37,939 -> 25,978 columns, friend-shoring's first lazy-caps master 28,001 -> 22,617.

Exact both ways, for the LP relaxation too: a plan sums to one with the same cost, and a plan
splits back by dealing each group's mix out to its lanes (any split with the lanes' totals and the
mix's classes costs the same: :meth:`Mix.expand`). A group is mixed when that saves columns (L
lanes of n classes: L·n flows become L + n columns and a row).

Under single sourcing the lane total is then ``demand · assign`` (:mod:`.projection`): ladder M
single sourcing, 12,662 flows of lanes with several origins become 1,301 mix columns, and its
MIP shrinks from 20,006 to 8,645 columns, its LP relaxation tighter (56,338,910 against
56,337,650: each product's total is pinned to its demand, not only the lane's).

>>> from resilient_sc import build_model, examples
>>> model = build_model(examples.electronics())
>>> reduced = reduce(model.lm)
>>> reduced.lm.n_cols < model.lm.n_cols
True
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Protocol

import numpy as np
import pandas as pd

from ..model.linear import INDEX, ConBlock, LinearModel
from . import aggregate

#: the blocks of the mix columns and of their link rows
MIX, LINK = "origin_mix", "origin_mix_link"
#: cost differences equal in their first this many bits (about 10 significant digits) count as
#: equal: the ladder's tariffs, added to lanes' costs, differ by 1e-15 relative from market to
#: market; relative to the difference itself, not to the model's largest cost (a 'big-M' lane at
#: 1e9 a unit made duties below 1e-3 a unit equal, and a plan dearer than the optimum)
COST_BITS = 34


class Reduction(Protocol):
    """A smaller model ``lm`` and the map of its plans back to the model it stands for."""

    lm: LinearModel

    def expand(self, x: np.ndarray, n_cols: int) -> np.ndarray: ...


@dataclass(frozen=True)
class Mix:
    """The mixed model ``lm`` and what splits its plans back: ``keep`` (the column of the
    model it stands for of each of its columns before the mix columns; a lane total its lane's
    first flow), ``flow`` (the mixed flows), ``lane`` and ``mix`` (per mixed flow, its lane's
    number and its mix column), ``total`` and ``lane_group`` (per mixed lane, its total's column
    and its group) and ``group`` (per mix column, its group)."""

    lm: LinearModel
    keep: np.ndarray
    flow: np.ndarray
    lane: np.ndarray
    mix: np.ndarray
    total: np.ndarray
    lane_group: np.ndarray
    group: np.ndarray

    def expand(self, x: np.ndarray, n_cols: int) -> np.ndarray:
        """The column vector of the model this one stands for of a plan ``x`` of this one.

        Each group's mix is dealt out to its lanes in order (the north-west corner rule: lane
        after lane takes the classes in order until its total is met), so that a plan has at
        most L + n − 1 flows in a group of L lanes and n classes, a vertex's count, where a
        split in proportion would give every lane every class."""
        full = np.zeros(n_cols)
        full[self.keep] = x[:len(self.keep)]
        t = np.maximum(x[self.total], 0.0)
        w = np.maximum(x[len(self.keep):], 0.0)
        t_in, w_in = np.bincount(self.lane_group, t), np.bincount(self.group, w)
        w = w * np.divide(t_in, w_in, out=np.zeros_like(t_in), where=w_in > 0)[self.group]  # Σw = Σt
        t_end, w_end = _ends(t, self.lane_group), _ends(w, self.group)
        c = self.mix - len(self.keep)
        low = np.maximum(t_end[self.lane] - t[self.lane], w_end[c] - w[c])
        full[self.flow] = np.maximum(np.minimum(t_end[self.lane], w_end[c]) - low, 0.0)
        return full


def _ends(v: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Per element, the sum of ``v`` over the elements of its group up to it (in order)."""
    order = np.argsort(group, kind="stable")
    ends = np.empty_like(v)
    ends[order] = np.cumsum(v[order])
    first = np.searchsorted(group[order], group)  # where each element's group starts in ``order``
    before = np.cumsum(np.r_[0.0, v[order]])[first]
    return ends - before


@dataclass(frozen=True)
class Chain:
    """Reductions one after the other: ``steps[0]`` of the model, each next of the one before."""

    steps: tuple[Reduction, ...]
    sizes: tuple[int, ...]  # the column count of the model each step stands for

    @property
    def lm(self) -> LinearModel:
        return self.steps[-1].lm

    def expand(self, x: np.ndarray, n_cols: int) -> np.ndarray:
        for step, size in zip(reversed(self.steps), reversed(self.sizes), strict=True):
            x = step.expand(x, size)
        return x


def reduce(lm: LinearModel) -> Chain | None:
    """``lm`` with its indistinguishable origins merged (:func:`.aggregate.recognise`), then the
    origin mix of its lanes aggregated (:func:`recognise`); None when neither applies."""
    steps: list[Reduction] = []
    sizes: list[int] = []
    for find in (aggregate.recognise, recognise):
        inner = steps[-1].lm if steps else lm
        step = find(inner)
        if step is not None:
            steps.append(step)
            sizes.append(inner.n_cols)
    return Chain(tuple(steps), tuple(sizes)) if steps else None


def recognise(lm: LinearModel) -> Mix | None:
    """The mix aggregation of ``lm``'s lanes; None when the model has no flows and balance rows
    of the expected shape (:func:`.aggregate.flow_balance`) or no group saves columns."""
    fb = aggregate.flow_balance(lm)
    if fb is None:
        return None
    yb, ny = fb.yb, fb.yb.size
    col_lo, col_up, _, _, _ = lm.bounds()
    costs = _component_costs(lm, yb.start, ny)
    lo, up = col_lo[yb.start:yb.start + ny], col_up[yb.start:yb.start + ny]

    # the flows of each lane's part by balance row; its first flow stands for the part
    lane = _parts(fb, aggregate.lanes(yb))
    order = np.lexsort((fb.origin_row, lane))
    starts = np.flatnonzero(np.r_[True, lane[order][1:] != lane[order][:-1]])
    size = np.diff(np.r_[starts, ny])
    lane_of = np.repeat(np.arange(len(starts)), size)  # per position in ``order``
    first = np.empty(ny, np.int64)
    first[order] = order[starts][lane_of]
    alike = aggregate.same_outside(fb.ay, fb.in_bal, first) & (lo == 0) & np.isposinf(up)
    ok = (np.bincount(lane_of, ~alike[order], minlength=len(starts)) == 0) & (size > 1)

    # a code per flow (its balance row and each cost component above the lane's first flow's),
    # per lane their sequence
    steps = [part for c in costs.values() for part in _rounded(c - c[first])]
    code = row_codes([fb.origin_row, *steps])
    rng = np.random.default_rng(0)
    weight = rng.uniform(1.0, 2.0, (code.max(initial=-1) + 1, 2))
    signature = np.column_stack([np.bincount(lane_of, weight[code[order], 0]),
                                 np.bincount(lane_of, weight[code[order], 1]), size])
    ok_lanes = np.flatnonzero(ok)
    _, head, group = np.unique(signature[ok_lanes], axis=0, return_index=True, return_inverse=True)
    group = group.ravel()
    lanes_in = np.bincount(group)
    classes = size[ok_lanes][head]
    saves = lanes_in * classes > lanes_in + classes
    if not saves.any():
        return None
    lane_group = np.full(len(starts), -1)
    lane_group[ok_lanes] = np.where(saves[group], group, -1)
    # exactly, not by signature: each mixed lane's codes are its group's first lane's, in order
    mixed = np.flatnonzero(lane_group >= 0)
    lane_group[mixed] = np.unique(lane_group[mixed], return_inverse=True)[1].ravel()
    head = mixed[np.unique(lane_group[mixed], return_index=True)[1]]  # per group, its first lane
    at = _positions(starts[mixed], size[mixed])
    theirs = _positions(starts[head[lane_group[mixed]]], size[mixed])
    if (code[order[at]] != code[order[theirs]]).any():
        return None
    return _mixed_model(lm, fb, costs, order, starts, size, lane_group, head)


def _parts(fb: aggregate.FlowBalance, lane: np.ndarray) -> np.ndarray:
    """Per flow, a code of its lane's *part*: the flows of its lane with the same rows and
    coefficients outside the balance rows (by two random sums of them, which
    :func:`.aggregate.same_outside` then checks exactly)."""
    ay = fb.ay
    outside = ~fb.in_bal
    rng = np.random.default_rng(1)
    weight = rng.uniform(1.0, 2.0, (ay.shape[0], 2))
    rows, cols, vals = ay.indices[outside], fb.col_of[outside], ay.data[outside]
    sig = [np.bincount(cols, weight[rows, k] * vals, minlength=ay.shape[1]) for k in range(2)]
    count = np.bincount(cols, minlength=ay.shape[1])
    return row_codes([lane, count, *sig])


def row_codes(columns: list[np.ndarray]) -> np.ndarray:
    """A code per row of ``columns`` (equal rows, equal codes, numbered in order of first
    appearance), as ``pd.factorize`` of their MultiIndex gives them, one column at a time: without
    a Python tuple per row (0.29 of mix.reduce's 0.66 s on ladder L: time audit).

    >>> row_codes([np.array([3, 1, 3, 1]), np.array([0.5, 2.0, 0.5, 0.7])])
    array([0, 1, 0, 2])
    """
    code = np.zeros(len(columns[0]), np.int64)
    for column in columns:
        part, distinct = pd.factorize(column, use_na_sentinel=False)
        code = pd.factorize(code * len(distinct) + part)[0]  # < rows², then renumbered: no overflow
    return code.astype(np.int64)


def _rounded(v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``v`` to :data:`COST_BITS` significant bits, as (mantissa, exponent) integers."""
    mantissa, exponent = np.frexp(v)
    return np.round(mantissa * 2.0 ** COST_BITS).astype(np.int64), exponent.astype(np.int64)


def _component_costs(lm: LinearModel, start: int, n: int) -> dict[str, np.ndarray]:
    """Each cost component's coefficients of the columns ``start .. start + n − 1``."""
    out = {}
    for name, parts in lm.costs.items():
        c = np.zeros(lm.n_cols)
        for cols, coef in parts:
            np.add.at(c, cols, coef)
        out[name] = c[start:start + n]
    return out


def _positions(starts: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """``starts[k], …, starts[k] + sizes[k] − 1`` for each k, one after the other."""
    return np.repeat(starts - np.cumsum(np.r_[0, sizes[:-1]]), sizes) + np.arange(sizes.sum())


def _mixed_model(lm: LinearModel, fb: aggregate.FlowBalance, costs: dict[str, np.ndarray], order: np.ndarray,
                 starts: np.ndarray, size: np.ndarray, lane_group: np.ndarray, head: np.ndarray) -> Mix:
    """``lm`` with each mixed lane's flows replaced by its total (its first flow's column, out of
    the balance rows) and, after every other column, a mix column per class of each group."""
    yb, ny = fb.yb, fb.yb.size
    mixed = np.flatnonzero(lane_group >= 0)
    flow = order[_positions(starts[mixed], size[mixed])]  # the mixed flows, lane by lane
    lane_total = order[starts[mixed]]  # per mixed lane, the flow kept as its total
    head_flow = order[_positions(starts[head], size[head])]  # the mix columns' flows
    mix_start = np.r_[0, np.cumsum(size[head])]

    dropped = np.zeros(ny, bool)
    dropped[flow] = True
    dropped[lane_total] = False
    keep = np.flatnonzero(np.r_[np.ones(yb.start, bool), ~dropped, np.ones(lm.n_cols - yb.start - ny, bool)])
    new_col = np.full(lm.n_cols, -1, np.int64)
    new_col[keep] = np.arange(len(keep))
    n_kept, n_mix = len(keep), len(head_flow)
    mix_cols = n_kept + np.arange(n_mix)

    out = LinearModel()
    for block in lm.variables.values():
        if block is yb:
            kept = np.flatnonzero(~dropped)
            block = replace(yb, labels=yb.index.iloc[kept].reset_index(drop=True),
                            lower=yb.lower[kept], upper=yb.upper[kept])
        out.variables[block.name] = replace(block, start=out.n_cols)
        out.n_cols += block.size
    labels = yb.index.iloc[head_flow].drop(columns="market", errors="ignore").reset_index(drop=True)
    labels.insert(0, "group", np.repeat(np.arange(len(head)), size[head]))
    out.add_variables(MIX, labels)
    is_total = np.zeros(lm.n_cols, bool)
    is_total[yb.start + lane_total] = True
    for block in lm.constraints.values():
        ok = new_col[block.cols] >= 0
        if block is fb.bal:  # a lane total is in no balance row: its group's mix columns are
            ok &= ~is_total[block.cols]
        rows, cols, vals = block.rows[ok], new_col[block.cols[ok]], block.vals[ok]
        if block is fb.bal:
            rows, cols = np.r_[rows, fb.origin_row[head_flow]], np.r_[cols, mix_cols]
            vals = np.r_[vals, -np.ones(n_mix)]
        out.constraints[block.name] = ConBlock(block.name, block.labels, out.n_rows, rows.astype(INDEX),
                                               cols.astype(INDEX), vals, block.lower, block.upper)
        out.n_rows += block.size
    # Σ_c w[G,c] − Σ_{lanes of G} t = 0
    n_groups = len(head)
    rows = np.r_[labels["group"].to_numpy(), lane_group[mixed]]
    cols = np.r_[mix_cols, new_col[yb.start + lane_total]]
    vals = np.r_[np.ones(n_mix), -np.ones(len(mixed))]
    out.constraints[LINK] = ConBlock(LINK, pd.DataFrame({"group": np.arange(n_groups)}), out.n_rows,
                                     rows.astype(INDEX), cols.astype(INDEX), vals, np.zeros(n_groups),
                                     np.zeros(n_groups))
    out.n_rows += n_groups
    for name, parts in lm.costs.items():
        out.costs[name] = [(new_col[c][new_col[c] >= 0], v[new_col[c] >= 0]) for c, v in parts]
    group_first = np.repeat(head_flow[mix_start[:-1]], size[head])
    for name, cost in costs.items():  # a class's cost above the first's, component by component
        out.costs[name].append((mix_cols, cost[head_flow] - cost[group_first]))
    lane_of_flow = np.repeat(np.arange(len(mixed)), size[mixed])
    offset = np.arange(len(flow)) - np.repeat(np.r_[0, np.cumsum(size[mixed])[:-1]], size[mixed])
    mix_of_flow = n_kept + mix_start[lane_group[mixed]][lane_of_flow] + offset
    return Mix(out, keep, yb.start + flow, lane_of_flow, mix_of_flow, new_col[yb.start + lane_total],
               lane_group[mixed], labels["group"].to_numpy())
