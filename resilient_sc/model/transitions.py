"""Transitions: starting and stopping suppliers and hubs between periods (docs/formulation.md §9).

For each supplier (hub) e and period t, with ``z[e,t]`` operating (``supplier_contracted``,
``hub_opened``; 0 where the period has no column for e: removed, or unable to carry flow)::

    <kind>_start[e,t]: started[e,t] ≥ z[e,t] − z[e,t−1]
    <kind>_stop[e,t]:  stopped[e,t] ≥ z[e,t−1] − z[e,t]

``z[e,−1]`` is 1 for ``open`` and ``existing`` elements (in operation before the first period)
and 0 otherwise; ``started``, ``stopped`` ∈ [0, 1]. The costs are
``opening = Σ weight_t · opening_cost[e] · started[e,t]`` and
``closing = Σ weight_t · closing_cost[e] · stopped[e,t]``.

Without a ``periods`` table the one period gets these costs from the family
:func:`add_transitions` (with t = 0 only, started[e] = z[e] for a candidate and stopped[e] = 1 − z[e]
for an existing element); a roadmap gets the rows for every element from :func:`add_links` on the
stacked model.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .context import Context, local
from .linear import LinearModel, VarBlock
from .table import by_id

#: the design variable block of each kind of element
DESIGN = {"supplier": "supplier_contracted", "hub": "hub_opened"}
#: statuses in operation before the first period
BEFORE = ("open", "existing")


def elements(table: pd.DataFrame, kind: str) -> pd.DataFrame:
    """The suppliers (hubs) of a network table that may ever operate (not closed): id, status,
    opening_cost, closing_cost; in id order, as the model's (:func:`~.table.by_id`)."""
    keep = table["status"] != "closed"
    items = table.loc[keep, [kind, "status", "opening_cost", "closing_cost"]]
    return by_id(items, kind).reset_index(drop=True)


def add_links(lm: LinearModel, kind: str, items: pd.DataFrame, z: np.ndarray,
              periods: pd.DataFrame) -> None:
    """Blocks ``<kind>_started[e,t]`` and ``<kind>_stopped[e,t]``, their rows and costs.

    ``items`` are :func:`elements`; ``z[e, t]`` is the global column of ``z[e,t]`` in ``lm``
    (−1: no column, z = 0); ``periods`` holds the label columns of each period (one row per
    period, possibly no columns) and ``weight``.
    """
    n_e, n_t = z.shape
    e = np.repeat(np.arange(n_e), n_t)
    t = np.tile(np.arange(n_t), n_e)
    labels = items[[kind]].iloc[e].reset_index(drop=True)
    for col in periods.columns.drop("weight"):
        labels[col] = periods[col].to_numpy(object)[t]
    before = items["status"].isin(BEFORE).to_numpy(float)
    now = z.ravel()  # row k = (e, t)
    prev = np.where(t > 0, np.concatenate([[-1], now[:-1]]), -1)
    prev_const = np.where(t == 0, before[e], 0.0)
    weight = periods["weight"].to_numpy(float)[t]
    for var, row, sign, cost, component in (("started", "start", 1.0, "opening_cost", "opening"),
                                            ("stopped", "stop", -1.0, "closing_cost", "closing")):
        block = lm.add_variables(f"{kind}_{var}", labels, upper=1.0)
        # started − z_t + z_{t−1} ≥ 0 and stopped + z_t − z_{t−1} ≥ 0, constants to the bound
        lm.add_constraints(f"{kind}_{row}", labels, [
            (local(len(e)), block, local(len(e)), 1.0),
            *_terms(now, -sign), *_terms(prev, sign),
        ], lower=-sign * prev_const)
        lm.add_cost(component, block, weight * items[cost].to_numpy(float)[e])


def _terms(cols: np.ndarray, coef: float) -> list[tuple[np.ndarray, VarBlock, np.ndarray, float]]:
    """The terms ``coef · column`` of the rows whose column exists (global columns, so they are
    given against a block starting at column 0)."""
    rows = np.flatnonzero(cols >= 0)
    return [(rows, _GLOBAL, cols[rows], coef)] if len(rows) else []


#: a stand-in block at column 0, so that terms can name global columns
_GLOBAL = VarBlock("", pd.DataFrame(), 0, np.empty(0), np.empty(0), False)


def add_transitions(ctx: Context) -> None:
    """Opening and closing costs of the one period of a network without a ``periods`` table
    (none: nothing added). A candidate starts exactly when it operates (z0 = 0), so its opening
    cost is a cost on z itself: opening = Σ opening_cost[e] · z[e]. An ``existing`` element with
    a closing cost gets ``<kind>_stopped[e]`` ∈ [0, 1] and the row ``<kind>_stop[e]``:
    stopped[e] + z[e] ≥ 1; closing = Σ closing_cost[e] · stopped[e] (an ``open`` element is
    never stopped, and a candidate has nothing to stop)."""
    if not ctx.transitions:
        return
    for kind, table in (("supplier", ctx.network.suppliers), ("hub", ctx.network.hubs)):
        table = by_id(table, kind)  # rows in id order, as the model's
        block = ctx.lm.variables[DESIGN[kind]]
        at = pd.Index(block.index[kind]).get_indexer(table[kind])
        opening = table["opening_cost"].to_numpy(float)
        new = (table["status"] == "candidate").to_numpy() & (opening > 0) & (at >= 0)
        if new.any():
            ctx.lm.add_cost("opening", block, opening[new], local=at[new])
        existing = table.loc[(table["status"] == "existing") & (table["closing_cost"] > 0), kind]
        if not len(existing):
            continue
        items = table.loc[existing.index, [kind, "closing_cost"]].reset_index(drop=True)
        where = pd.Index(block.index[kind]).get_indexer(items[kind])
        stopped = ctx.lm.add_variables(f"{kind}_stopped", items[[kind]], upper=1.0)
        rows = local(len(items))
        has = where >= 0
        ctx.lm.add_constraints(f"{kind}_stop", items[[kind]], [
            (rows, stopped, rows, 1.0), (rows[has], block, where[has], 1.0)], lower=1.0)
        ctx.lm.add_cost("closing", stopped, items["closing_cost"].to_numpy(float))
