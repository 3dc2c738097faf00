"""Exact aggregation of origin countries that no row or cost tells apart.

The flows ``y[h,m,p,c]`` carry their origin country ``c`` only so that tariffs and the origin
policies (local, allied, country and region shares) can see it; the network design itself does
not. Two origins ``c``, ``c'`` reaching hub ``h`` with product ``p`` are *indistinguishable*
when, for every market ``m``, the columns ``y[h,m,p,c]`` and ``y[h,m,p,c']`` both exist and are
identical outside ``origin_balance`` (same rows, coefficients, cost and bounds). Merging such a
class ``K`` — one column ``y[h,m,p,K]`` per market and one balance row
``Σ_{s∈K} x[s,h,p] = Σ_m y[h,m,p,K]`` — is exact in both directions:

* any plan of the full model sums to a plan of the merged one with the same cost;
* a merged plan splits back by inflow, ``y[h,m,p,c] = y[h,m,p,K] · in(h,p,c) / in(h,p,K)``
  with ``in(h,p,c) = Σ_{s∈c} x[s,h,p]``: each balance row holds, and every other row and the
  cost see the same sums, since their coefficients agree across the class.

Classes are found on the assembled matrix, not from the data, so the rule holds for any
extension of the model: a row of your own that tells two origins apart keeps them apart. On the
issue-14 ladder (24 countries, tariffs on a few origins) the base model loses nine tenths of its
columns. Every merged plan is split back and certified against the full model by the caller.

>>> from resilient_sc import build_model, examples
>>> model = build_model(examples.electronics())
>>> agg = recognise(model.lm)
>>> agg.lm.n_cols < model.lm.n_cols, agg.lm.n_rows < model.lm.n_rows
(True, True)
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..model.linear import ConBlock, LinearModel, VarBlock
from ..model.table import Table

#: the blocks the aggregation reads (docs/formulation.md §2–3)
FLOWS, BALANCE = "outbound_flow", "origin_balance"


@dataclass(frozen=True, eq=False)
class Aggregation:
    """The merged model ``lm`` and what splits its plans back: ``keep`` (full column of each
    merged column), ``twin`` (per full ``y`` column, the merged column it was folded into),
    ``origin_row`` (per full ``y`` column, its balance row), ``merged_row`` (per balance row,
    its merged row) and ``inflow`` (balance rows × full columns: the ``x`` side of each row)."""

    lm: LinearModel
    keep: np.ndarray
    twin: np.ndarray
    origin_row: np.ndarray
    merged_row: np.ndarray
    inflow: sp.csr_matrix
    y_start: int

    def expand(self, x: np.ndarray, n_cols: int) -> np.ndarray:
        """The full model's column vector of a merged plan ``x``: kept columns copied, each
        merged flow split over its class by inflow."""
        full = np.zeros(n_cols)
        full[self.keep] = x
        inflow = np.maximum(self.inflow @ full, 0.0)  # in(h,p,c) per balance row
        class_in = np.bincount(self.merged_row, inflow, minlength=self.merged_row.max(initial=-1) + 1)
        total = class_in[self.merged_row[self.origin_row]]
        share = np.divide(inflow[self.origin_row], total, out=np.zeros_like(total), where=total > 0)
        full[self.y_start + np.arange(len(self.twin))] = x[self.twin] * share
        return full


def _hash(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.uniform(1.0, 2.0, n)


@dataclass(frozen=True)
class FlowBalance:
    """The flows ``y`` of ``lm`` and their balance rows: ``ay`` (every row × the flow columns),
    ``in_bal`` (per entry of ``ay``: in a balance row), ``origin_row`` (per flow, its balance
    row, counted in the block) and ``inflow`` (balance rows × all columns: the ``x`` side)."""

    yb: VarBlock
    bal: ConBlock
    ay: sp.csc_matrix
    in_bal: np.ndarray
    origin_row: np.ndarray
    inflow: sp.csr_matrix
    #: per entry of ``ay``, its flow
    col_of: np.ndarray


def flow_balance(lm: LinearModel) -> FlowBalance | None:
    """``lm``'s flows and balance rows; None unless the model has ``outbound_flow`` and
    ``origin_balance`` blocks of the expected shape (each flow in one balance row with
    coefficient −1, balance rows ``= 0`` with nonnegative inflows)."""
    yb, bal = lm.variables.get(FLOWS), lm.constraints.get(BALANCE)
    if yb is None or bal is None or yb.size == 0 or yb.integer:
        return None
    a = lm.matrix(by_column=True)
    col_lo, _, row_lo, row_up, _ = lm.bounds()
    ny, nb, r0 = yb.size, bal.size, bal.start
    if (row_lo[r0:r0 + nb] != 0).any() or (row_up[r0:r0 + nb] != 0).any():
        return None
    ay = a[:, yb.start:yb.start + ny]
    col_of = np.repeat(np.arange(ny), np.diff(ay.indptr))
    in_bal = (ay.indices >= r0) & (ay.indices < r0 + nb)
    if (np.bincount(col_of[in_bal], minlength=ny) != 1).any() or (ay.data[in_bal] != -1.0).any():
        return None
    inflow = a[r0:r0 + nb].tocsr()
    outside = (inflow.indices < yb.start) | (inflow.indices >= yb.start + ny)
    inflow.data = np.where(outside, inflow.data, 0.0)
    inflow.eliminate_zeros()
    if (inflow.data < 0).any() or (col_lo[inflow.indices] < 0).any():
        return None
    return FlowBalance(yb, bal, ay, in_bal, ay.indices[in_bal] - r0, inflow, col_of)


def recognise(lm: LinearModel) -> Aggregation | None:
    """The aggregation of ``lm``'s indistinguishable origins; None when the model has no flows
    and balance rows of the expected shape (:func:`flow_balance`) or nothing merges."""
    fb = flow_balance(lm)
    if fb is None:
        return None
    yb, bal, ay, in_bal, origin_row, col_of = fb.yb, fb.bal, fb.ay, fb.in_bal, fb.origin_row, fb.col_of
    col_lo, col_up, _, _, _ = lm.bounds()
    ny, nb = yb.size, bal.size

    # a signature per flow column (its rows outside the balance, cost and bounds), then per
    # origin row (its flows' signatures weighted by their (hub, market, product) lane)
    rng = np.random.default_rng(0)
    cost = lm.objective()[yb.start:yb.start + ny]
    lo, up = col_lo[yb.start:yb.start + ny], col_up[yb.start:yb.start + ny]
    rows, vals, cols = ay.indices[~in_bal], ay.data[~in_bal], col_of[~in_bal]
    column = (np.bincount(cols, _hash(rng, lm.n_rows)[rows] * vals, minlength=ny)
              + cost * 1.37 + np.where(np.isfinite(up), up, -7.0) * 0.61 + lo * 0.29)
    lane = lanes(yb)
    weight = _hash(rng, lane.max(initial=-1) + 1)
    signature = np.column_stack([np.bincount(origin_row, weight[lane] * (1.0 + column), minlength=nb),
                                 np.bincount(origin_row, weight[lane], minlength=nb),
                                 np.bincount(origin_row, minlength=nb)])
    _, first, merged_row = np.unique(signature, axis=0, return_index=True, return_inverse=True)
    merged_row = merged_row.ravel()
    if len(first) == nb:
        return None
    rep_row = first[merged_row]  # per balance row, the row standing for its class

    # pair each flow with the flow of its class's representative on the same lane, and check
    # the pair is identical outside the balance (exactly, not by signature)
    key = rep_row[origin_row].astype(np.int64) * (lane.max() + 1) + lane
    is_rep = rep_row[origin_row] == origin_row
    rep_cols = np.flatnonzero(is_rep)
    order = np.argsort(key[rep_cols], kind="stable")
    at = np.searchsorted(key[rep_cols][order], key)
    at = np.minimum(at, len(rep_cols) - 1)
    partner = rep_cols[order][at]
    if (key[partner] != key).any() or not _identical(ay, in_bal, partner, cost, lo, up):
        return None

    keep_y = np.zeros(ny, bool)
    keep_y[rep_cols] = True
    keep = np.concatenate([np.arange(yb.start), yb.start + rep_cols, np.arange(yb.start + ny, lm.n_cols)])
    new_col = np.full(lm.n_cols, -1, np.int64)
    new_col[keep] = np.arange(len(keep))
    merged = _merged_model(lm, new_col, yb, rep_cols, bal, merged_row, first)
    twin = new_col[yb.start + partner]
    return Aggregation(merged, keep, twin, origin_row, merged_row, fb.inflow, yb.start)


def lanes(yb: VarBlock) -> np.ndarray:
    """Per flow column, a code of its (hub, market, product) and any other label but the origin
    (a roadmap's period); all 0 without those labels: then only the column signatures pair
    flows, and the exact check still guards the merge."""
    labels = yb.labels
    columns = labels.columns if isinstance(labels, Table) else {n: labels[n].to_numpy() for n in labels}
    if not {"hub", "market", "product"} <= set(columns):
        return np.zeros(yb.size, np.int64)
    # numbered in order of first appearance, from each label's integer codes: a groupby of the
    # labels as text took 0.68 s and 247 MB on ladder XL (3.1M flows), this 0.05 s
    key = np.zeros(yb.size, np.int64)
    for name, column in columns.items():
        if name != "origin":
            codes, size = _codes(column)
            key = pd.factorize(key * (size + 1) + codes + 1)[0].astype(np.int64)  # (a -1 code: missing)
    return key


def _codes(column: np.ndarray | tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, int]:
    """A label column's integer codes and how many values they number."""
    if isinstance(column, tuple):  # (values, codes) of a Table
        return column[1], len(column[0])
    codes, values = pd.factorize(column, use_na_sentinel=False)
    return codes, len(values)


def _identical(ay: sp.csc_matrix, in_bal: np.ndarray, partner: np.ndarray, cost: np.ndarray,
               lo: np.ndarray, up: np.ndarray) -> bool:
    """Every flow column equals its ``partner`` outside the balance rows (rows, coefficients,
    cost, bounds)."""
    if (cost != cost[partner]).any() or (lo != lo[partner]).any() or (up != up[partner]).any():
        return False
    return bool(same_outside(ay, in_bal, partner).all())


def same_outside(ay: sp.csc_matrix, in_bal: np.ndarray, partner: np.ndarray) -> np.ndarray:
    """Per flow column, whether it has its ``partner``'s rows and coefficients outside the
    balance rows."""
    outside = sp.csc_matrix((ay.data * ~in_bal, ay.indices, ay.indptr), shape=ay.shape)
    outside.eliminate_zeros()
    counts = np.diff(outside.indptr)
    same = counts == counts[partner]
    entry_col = np.repeat(np.arange(len(counts)), counts)
    mine = np.flatnonzero(same[entry_col])
    col = entry_col[mine]
    theirs = outside.indptr[partner[col]] + (mine - outside.indptr[col])
    differs = ((outside.indices[mine] != outside.indices[theirs])
               | (outside.data[mine] != outside.data[theirs]))
    same[col[differs]] = False
    return same


def _merged_model(lm: LinearModel, new_col: np.ndarray, yb: VarBlock, rep_cols: np.ndarray,
                  bal: ConBlock, merged_row: np.ndarray, first: np.ndarray) -> LinearModel:
    """``lm`` with the non-representative flows dropped and the balance rows of a class summed."""
    out = LinearModel()
    for block in lm.variables.values():
        if block is yb:
            block = replace(yb, labels=yb.index.iloc[rep_cols].reset_index(drop=True),
                            lower=yb.lower[rep_cols], upper=yb.upper[rep_cols])
        out.variables[block.name] = replace(block, start=out.n_cols)
        out.n_cols += block.size
    for block in lm.constraints.values():
        cols = new_col[block.cols]
        ok = cols >= 0
        rows = block.rows[ok]
        lower, upper, labels = block.lower, block.upper, block.labels
        if block is bal:
            rows = merged_row[rows].astype(rows.dtype)
            labels = bal.index.iloc[first].reset_index(drop=True)
            lower, upper = np.zeros(len(first)), np.zeros(len(first))
        cols = cols[ok].astype(block.cols.dtype)
        out.constraints[block.name] = ConBlock(block.name, labels, out.n_rows, rows, cols, block.vals[ok],
                                               lower, upper)
        out.n_rows += len(labels)
    for name, parts in lm.costs.items():
        out.costs[name] = [(new_col[c][new_col[c] >= 0], v[new_col[c] >= 0]) for c, v in parts]
    return out
