"""A built model that is a capacitated facility location problem (CFLP), as arrays.

:func:`recognise` is the one place of the solver that reads policy fields and block names: it
returns a :class:`FacilityProblem` for a plain (optionally single-sourced) facility location
model, None for anything more. Everything else in :mod:`resilient_sc.solvers.facility` works on
the arrays of the problem only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import scipy.sparse as sp

if TYPE_CHECKING:
    from ...model.build import NetworkModel

#: the families of a plain (capacitated, optionally single-source) facility location model
VARIABLES = {"supplier_contracted", "hub_opened", "inbound_flow", "outbound_flow", "assign"}
CONSTRAINTS = {"demand", "origin_balance", "supplier_capacity", "hub_capacity", "hub_link",
               "single_source", "assign_flow", "assign_capacity", "assign_open"}
#: the only policy field a plain facility location model may set
POLICY_FIELDS = {"single_sourcing"}
#: constraint families implied by the rest of the model for integer designs: any subset keeps
#: the optimum exact, so the branch and price separates them on demand
LAZY_FAMILIES = ("hub_link",)
#: blocks of design decisions that the heuristic rounds and the local search flips
DESIGN_BLOCKS = ("hub_opened", "supplier_contracted")


@dataclass(eq=False)
class FacilityProblem:
    """A model that is a capacitated facility location problem (CFLP), as arrays.

    Hub i: fixed cost ``f[i]``, capacity ``s[i]``, bounds ``lo[i] ≤ o[i] ≤ up[i]``; market j:
    demand ``d[j]``; ``cost[i, j]`` serves all of j from i (inf without a lane); plans pay
    ``constant`` on top (the one supplier's fixed cost). The ``*_cols`` and ``*_rows`` say where
    the problem sits in the model: hub columns ``o_cols``, inbound flow per hub ``x_cols``, the
    supplier ``z_col``, flows ``y_cols[i, j]`` and assignments ``a_cols[i, j]`` (-1 where none),
    the demand rows and single-source rows per market, the rows that may be left out while they
    hold (``lazy_rows``) and the design columns (``design_cols``).
    """

    f: np.ndarray
    s: np.ndarray
    d: np.ndarray
    cost: np.ndarray
    lo: np.ndarray
    up: np.ndarray
    constant: float
    single: bool
    n_cols: int
    o_cols: np.ndarray  # (m,)
    x_cols: np.ndarray  # (m,) inbound flow into each hub
    z_col: int
    y_cols: np.ndarray  # (m, n), -1 where no lane
    a_cols: np.ndarray | None  # (m, n) assign columns (single sourcing), -1 where none
    demand_rows: np.ndarray | None = None  # (n,)
    single_rows: np.ndarray | None = None  # (n,) single_source rows (single sourcing)
    lazy_rows: np.ndarray | None = None
    design_cols: np.ndarray | None = None

    @property
    def shape(self) -> tuple[int, int]:
        return self.cost.shape  # type: ignore[return-value]

    def per_capacity(self, v: np.ndarray, hubs: np.ndarray | slice = slice(None)) -> np.ndarray:
        """``v / s`` of ``hubs``: a hub's value per unit of capacity, +inf for a hub of none (the
        last a greedy opening picks, where 0/0 was NaN and a negative value -inf)."""
        s = self.s[hubs]
        return np.divide(v, s, out=np.full(len(s), np.inf), where=s > 0)

    def plan(self, opened: np.ndarray, frac: np.ndarray) -> np.ndarray:
        """The model's column vector of the plan with hubs ``opened`` serving fraction
        ``frac[i, j]`` of market j from hub i."""
        x = np.zeros(self.n_cols)
        served = frac * self.d[None, :]
        x[self.o_cols] = opened.astype(float)
        x[self.x_cols] = served.sum(axis=1)
        x[self.z_col] = 1.0
        has = self.y_cols >= 0
        x[self.y_cols[has]] = served[has]
        if self.a_cols is not None:
            has = self.a_cols >= 0
            x[self.a_cols[has]] = np.round(frac[has])
        return x


def recognise(model: NetworkModel) -> FacilityProblem | None:
    """The CFLP inside ``model``, or None when the model is anything more (policies, products...)."""
    lm, s = model.lm, model.sets
    if set(model.policy.to_dict()) - POLICY_FIELDS:
        return None
    if set(lm.variables) - VARIABLES or set(lm.constraints) - CONSTRAINTS:
        return None
    if len(s.suppliers) != 1 or s.demand["product"].nunique() != 1 or len(s.inbound) != len(s.hubs):
        return None
    d = s.demand_table["demand"]
    # the supplier holds all demand: a sum in another order may be an ulp below (1e-12 relative)
    if s.supply["capacity"].min() < d.sum() * (1 - 1e-12) or (s.demand["demand"] <= 0).any():
        return None
    flows = s.flows
    if flows[["hub", "market"]].duplicated().any():
        return None
    c = lm.objective()
    ob, xb, yb, zb = (lm.variables[k] for k in ("hub_opened", "inbound_flow", "outbound_flow",
                                                 "supplier_contracted"))
    m, n = len(s.hubs), len(s.demand)
    hub_pos = pd.Index(s.hubs["hub"]).get_indexer(flows["hub"])
    mk_pos = pd.Index(s.demand["market"]).get_indexer(flows["market"])
    x_hub = pd.Index(s.hubs["hub"]).get_indexer(s.inbound["hub"])
    if (hub_pos < 0).any() or (mk_pos < 0).any() or (np.sort(x_hub) != np.arange(m)).any():
        return None
    x_cols = np.empty(m, np.int64)
    x_cols[x_hub] = xb.columns
    y_cols = np.full((m, n), -1, np.int64)
    y_cols[hub_pos, mk_pos] = yb.columns
    unit = np.full((m, n), np.inf)
    unit[hub_pos, mk_pos] = c[yb.columns] + c[x_cols[hub_pos]]
    if not np.isfinite(unit).any(axis=0).all():
        return None
    cap = np.minimum(s.hubs_table["capacity"], d.sum())
    a_cols = None
    if "assign" in lm.variables:
        ab = lm.variables["assign"]
        a_cols = np.full((m, n), -1, np.int64)
        a_cols[pd.Index(s.hubs["hub"]).get_indexer(ab.index["hub"]),
               pd.Index(s.demand["market"]).get_indexer(ab.index["market"])] = ab.columns
    rows = {name: b.start + np.arange(b.size) for name, b in lm.constraints.items()}
    lazy = [rows[name] for name in LAZY_FAMILIES if name in rows]
    design = np.concatenate([lm.variables[name].columns for name in DESIGN_BLOCKS if name in lm.variables]
                            or [np.empty(0, np.int64)])
    return FacilityProblem(c[ob.columns].copy(), cap, d, unit * d[None, :], ob.lower.copy(), ob.upper.copy(),
                           float(c[zb.columns].sum()), a_cols is not None, lm.n_cols, ob.columns, x_cols,
                           int(zb.columns[0]), y_cols, a_cols,
                           demand_rows=lm.constraints["demand"].start + np.arange(n),
                           single_rows=(lm.constraints["single_source"].start + np.arange(n)
                                        if "single_source" in lm.constraints else None),
                           lazy_rows=np.concatenate(lazy) if lazy else np.empty(0, np.int64),
                           design_cols=design)


def fractions(fl: FacilityProblem, x: np.ndarray) -> np.ndarray:
    """The served fractions frac[i, j] of a model solution."""
    frac = np.zeros(fl.cost.shape)
    has = fl.y_cols >= 0
    frac[has] = x[fl.y_cols[has]] / np.broadcast_to(fl.d[None, :], fl.cost.shape)[has]
    return frac


def cardinality_cut(fl: FacilityProblem, up: np.ndarray) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray]:
    """Σ_i o_i ≥ k: the fewest hubs (largest capacities first) whose capacity covers the demand."""
    caps = np.sort(fl.s[up > 0.5])[::-1]
    k = int(np.searchsorted(np.cumsum(caps), fl.d.sum() * (1 - 1e-9)) + 1)
    m = len(fl.o_cols)
    row = sp.csr_matrix((np.ones(m), (np.zeros(m, np.int64), fl.o_cols)), shape=(1, fl.n_cols))
    return row, np.array([float(min(k, len(caps)))]), np.array([np.inf])
