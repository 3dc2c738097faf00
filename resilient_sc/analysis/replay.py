"""The LP a fixed design's failures are replayed on (:func:`~resilient_sc.analysis.stress.stress_test`):
the design's model less the flows it closes, one live HiGHS object whose design bounds each
failure changes, and each failure's outcome (its guaranteed fraction, cost and shortfalls)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import highspy
import numpy as np
import pandas as pd

from ..exceptions import ResilientSCError
from ..model.build import NetworkModel
from ..model.linear import LinearModel
from ..results import Plan
from ..solvers import mix
from ..solvers.base import SolveOptions
from ..solvers.failures import forced_zero
from ..solvers.highs import log_to_stderr, make_highs

#: cost components that vary with the flows (money)
FLOW_COMPONENTS = ("purchase", "handling", "transport", "tariffs", "co2")
#: a fraction this close to 1 counts as fully served (LP tolerances)
SERVED_TOL = 1e-7


def weighs_value(unit_value: Any) -> bool:
    """Whether a value served can be weighed: every product has a ``unit_value`` > 0 (one without
    would silently drop out of the value)."""
    return bool((np.asarray(unit_value, float) > 0).all())


def excess(cost: float, reference: float) -> float:
    """``cost − reference`` (money), 0 where it is floating-point noise (1e-9 of either, far below
    any solver gap): a premium of -1.55e-14% is none.

    >>> excess(12228393.05, 12228393.049999999), excess(110.0, 100.0)
    (0.0, 10.0)
    """
    d = cost - reference
    return 0.0 if abs(d) <= 1e-9 * max(abs(cost), abs(reference)) else d


def premium_pct(cost: float, reference: float, base: float | None = None) -> float:
    """The premium of ``cost`` over ``reference`` in % of ``base`` (default ``reference``):
    100 · :func:`excess` / base; NaN over a base of 0.

    >>> premium_pct(110.0, 100.0), premium_pct(5.0, 5.0 + 1e-12), premium_pct(1.0, 0.0)
    (10.0, 0.0, nan)
    """
    base = reference if base is None else base
    return 100.0 * excess(cost, reference) / base if base else math.nan


@dataclass(frozen=True)
class Outcome:
    """One replayed failure: t*, flow cost, and demand with shortfall per (market, product)."""

    guaranteed: float
    flow_cost: float
    demand: pd.DataFrame  # market, product, demand, shortfall, served
    by_product: pd.DataFrame  # product, demand, shortfall, served, shortfall_cost
    values: np.ndarray  # unit value per demand row
    binding: np.ndarray  # per demand row: its floor row bounds t* (a nonzero dual in stage 1)

    def figures(self, intact: Outcome) -> dict[str, Any]:
        """This failure's row, its changes in cost against the ``intact`` design's replay."""
        d = self.demand
        # the worst is a (market, product) at the floor, ties to one short for want of capacity
        # (its floor row bounds t*), not by choice (a penalty below its re-routing cost), then to
        # the largest demand by value; units of different products are never compared (without
        # unit values the data's first is named)
        at_stake = self.values * d["demand"].to_numpy(float)
        at_stake = at_stake if np.isfinite(at_stake).all() else np.zeros(len(d))
        served = d["served"].to_numpy(float)
        at_floor = served <= max(self.guaranteed, served.min()) + 1e-6
        order = np.lexsort((-at_stake, ~self.binding, ~at_floor))
        worst = d.iloc[order[0]]
        short = self.guaranteed < 1.0  # where the floor binds; nowhere when all is served
        value_total = float(self.values @ d["demand"].to_numpy())
        served_value = float(self.values @ (d["demand"] - d["shortfall"]).to_numpy())
        extra = excess(self.flow_cost, intact.flow_cost)
        short_cost = float(self.by_product["shortfall_cost"].sum())
        more_short = short_cost - float(intact.by_product["shortfall_cost"].sum())
        return {"worst_served": self.guaranteed, "worst_market": str(worst["market"]) if short else "",
                "worst_product": str(worst["product"]) if short else "",
                "value_served": min(max(served_value / value_total, 0.0), 1.0) if value_total > 0 else np.nan,
                "extra_cost": extra, "shortfall_cost": short_cost, "impact": extra + more_short}


#: the replay's variable blocks that stay whole: the design, whose bounds each failure sets, and
#: the shortfall, which the floor rows read
KEPT = ("supplier_contracted", "hub_opened", "shortfall")


def replay_lp(lm: LinearModel, z_on: np.ndarray, o_on: np.ndarray) -> LinearModel:
    """The LP a design's failures are replayed on, exact for its flows, shortfall and costs:
    ``lm`` reduced by :func:`~resilient_sc.solvers.mix.reduce` (origins that no row or cost
    tells apart merged, the origin mix of lanes whose origins differ in cost alike aggregated,
    each cost component kept apart), less the flows the design ``z_on``, ``o_on`` (0/1 per
    supplier and hub) keeps at 0 (a supplier not contracted, a hub not opened:
    :func:`~resilient_sc.solvers.failures.forced_zero`); a failure only closes more. Ladder M
    base, 24 country failures and 3 scenarios: 195 s on the whole model, 20 s on this one (dual
    simplex; :class:`Replay` runs primal); its ``stress_test`` (every country, hub and supplier
    failure and the scenarios) 18.4 s with origins merged, 14.3 s mixed too, every figure the
    same to 1e-11."""
    reduced = mix.reduce(lm)
    lm = reduced.lm if reduced is not None else lm
    col_lo, col_up, row_lo, row_up, _ = lm.fixed({"supplier_contracted": z_on, "hub_opened": o_on}).bounds()
    keep = ~forced_zero(lm.matrix(), col_lo, col_up, row_lo, row_up)
    for name in KEPT:
        block = lm.variables[name]
        keep[block.start:block.start + block.size] = True
    return lm.subset(keep, np.ones(lm.n_rows, bool))


class Replay:
    """One live HiGHS LP of a fixed design (:func:`replay_lp`); a failure changes design-column
    bounds only.

    An extra column t and rows ``s · (u[m,p] / demand[m,p] + t) ≤ s`` (u the shortfall; ``u ≤ 0``
    where the demand is 0; ``s = max(1, √demand)``) make the floor: stage 1 maximises t, stage 2
    fixes t at t* and minimises the cost. Written as fractions of the demand: as ``u + demand · t
    ≤ demand`` the duals of demands of 1e6 units fell within HiGHS's dual tolerance and stage 1
    stopped short of t* (the example at 1000 times its quantities: 61.2% for 80.7%); scaled by
    s, no coefficient falls below HiGHS's smallest (1e-9: ``u / demand`` of demands above 1e9
    were dropped, and every failure read 100% served). Demands of 1e10 units and more are
    beyond the solver's precision: such an LP fails, saying to give quantities in a larger unit.
    """

    def __init__(self, model: NetworkModel, plan: Plan, penalties: pd.Series, sheds_by_choice: bool = False):
        self.model = model
        s = model.sets
        self.z_on = np.isin(s.suppliers_table["supplier"], plan.supplier_ids).astype(float)
        self.o_on = np.isin(s.hubs_table["hub"], plan.hub_ids).astype(float)
        lm = replay_lp(model.lm, self.z_on, self.o_on)
        self.h: highspy.Highs = make_highs(lm, SolveOptions())
        n = lm.n_cols
        self.h.changeColsIntegrality(n, np.arange(n, dtype=np.int32), np.zeros(n, dtype=np.uint8))
        # primal simplex: a failure's bounds leave the last basis primal infeasible in a few
        # places only (ladder M base, 27 failures: 8.1 s against 20.2 s by dual simplex)
        self.h.setOptionValue("simplex_strategy", 4)
        self.z, self.o = lm.variables["supplier_contracted"], lm.variables["hub_opened"]
        self.u = lm.variables["shortfall"]
        demand = np.asarray(s.demand_table["demand"], float)
        products = s.demand_table["product"]
        self.penalty = penalties.reindex(products).to_numpy(float)
        self.products = penalties.index.rename("product")
        self.product_at = self.products.get_indexer(products)  # per demand row, its product's position
        unit_value = np.asarray(s.products_table["unit_value"], float)
        unit_value = unit_value if weighs_value(unit_value) else np.zeros(len(unit_value))
        self.values = pd.Series(unit_value, index=s.products_table["product"]).reindex(
            products).to_numpy(float)
        self.cost = lm.objective()
        self.cost[self.u.columns] = self.penalty  # the model's own cost arrays stay as built
        self.flow_parts = [lm.costs.get(c, []) for c in FLOW_COMPONENTS]
        # the floor: column t (index n) and one row per demand row
        self.t = n
        self.h.addCol(0.0, 0.0, 1.0, 0, np.empty(0, np.int32), np.empty(0))
        nd = len(demand)
        starts = np.arange(nd, dtype=np.int32) * 2
        index = np.column_stack([self.u.columns, np.full(nd, n)]).ravel().astype(np.int32)
        positive = demand > 0
        scale = np.maximum(1.0, np.sqrt(demand))
        value = np.column_stack([scale / np.where(positive, demand, 1.0), scale * positive]).ravel()
        # penalties of the caller's may be below a re-routing's cost: a unit left short by choice
        self.sheds_by_choice = sheds_by_choice
        self.floor_rows = slice(lm.n_rows, lm.n_rows + nd)
        upper = scale * positive
        self.h.addRows(nd, np.full(nd, -highspy.kHighsInf), upper, len(index), starts, index, value)
        self.all_cols = np.arange(n + 1, dtype=np.int32)
        self.stage1 = np.zeros(n + 1)
        self.stage1[n] = -max(1.0, float(demand.max(initial=0.0)))  # duals of a unit of flow near 1
        self.stage2 = np.append(self.cost, 0.0)
        self.frame = s.demand_table.select(["market", "product", "demand"]).frame().copy()
        if sheds_by_choice:  # stage 3's row: the cost of the re-routing, at most stage 2's optimum
            priced = np.flatnonzero(self.cost).astype(np.int32)
            self.cost_row = self.h.getNumRow()
            self.h.addRow(-highspy.kHighsInf, highspy.kHighsInf, len(priced), priced, self.cost[priced])

    def _fix(self, block, on: np.ndarray) -> None:
        idx = block.columns.astype(np.int32)
        self.h.changeColsBounds(len(idx), idx, on, on)

    def _solve(self, what: str) -> np.ndarray:
        with log_to_stderr(self.h):
            self.h.run()
            if self.h.getModelStatus() != highspy.HighsModelStatus.kOptimal:  # once more, from no basis
                self.h.clearSolver()
                self.h.run()
        if self.h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            status = self.h.modelStatusToString(self.h.getModelStatus())
            largest = float(self.frame["demand"].max()) if len(self.frame) else 0.0
            hint = (f" (demands up to {largest:.2g} units are beyond the solver's precision, which meets "
                    "rows within 1e-7 units: give demand and capacities in a larger unit, e.g. thousands)"
                    if largest > 1e9 else "")
            raise ResilientSCError(f"stress test LP ({what}) failed: {status}{hint}")
        return np.asarray(self.h.getSolution().col_value)

    def evenest(self, x: np.ndarray) -> np.ndarray:
        """Stage 3 at prices given: of the re-routings as cheap as ``x`` (to 1e-9 of its cost), one
        that gives every market and product the largest fraction t of its demand at once. The
        shortfall the prices leave is then spread as evenly as they allow, not piled on one market
        at 0% by the LP's corner where any split costs the same."""
        cheapest = float(self.cost @ x)
        self.h.changeRowBounds(self.cost_row, -highspy.kHighsInf, cheapest + 1e-9 * max(1.0, abs(cheapest)))
        t = np.array([self.t], dtype=np.int32)
        self.h.changeColsBounds(1, t, np.zeros(1), np.ones(1))
        self.h.changeColsCost(len(self.all_cols), self.all_cols, self.stage1)
        return self._solve("evenest cheapest re-routing")[:-1]

    def _by_product(self, demand: np.ndarray, short: np.ndarray) -> pd.DataFrame:
        """Per product (of :attr:`products`, NaN for one without demand rows): demand, shortfall,
        shortfall_cost (money) and served, summed by position, not by a groupby per failure (a
        third of a small network's stress test: time audit)."""
        n, at = len(self.products), self.product_at
        rows = np.bincount(at, minlength=n) > 0
        sums = (("demand", demand), ("shortfall", short), ("shortfall_cost", short * self.penalty))
        total = {k: np.where(rows, np.bincount(at, v, minlength=n), np.nan) for k, v in sums}
        with np.errstate(divide="ignore", invalid="ignore"):
            served = 1.0 - total["shortfall"] / total["demand"]
        return pd.DataFrame({"product": self.products, **total, "served": served})

    def run(self, lost_s: set[str], lost_h: set[str]) -> Outcome:
        s = self.model.sets
        self._fix(self.z, np.where(np.isin(s.suppliers_table["supplier"], list(lost_s)), 0.0, self.z_on))
        self._fix(self.o, np.where(np.isin(s.hubs_table["hub"], list(lost_h)), 0.0, self.o_on))
        t = np.array([self.t], dtype=np.int32)
        if self.sheds_by_choice:  # the last failure's stage-3 bound off; its basis kept as the start
            # (cleared, each failure's LPs started cold: a disruption-aware design's replays at its own
            # penalty, ladder S, 23.0 s → 2.9 s, the same figures to 2e-5)
            self.h.changeRowBounds(self.cost_row, -highspy.kHighsInf, highspy.kHighsInf)
        self.h.changeColsBounds(1, t, np.zeros(1), np.ones(1))
        self.h.changeColsCost(len(self.all_cols), self.all_cols, self.stage1)
        guaranteed = float(np.clip(self._solve("best guaranteed fraction")[self.t], 0.0, 1.0))
        # rows whose floor bounds t* (a nonzero dual): short for want of capacity, not by choice;
        # the default penalties re-route every unit that can be: a row at the floor cannot do better
        binding = (np.abs(np.asarray(self.h.getSolution().row_dual)[self.floor_rows]) > 1e-9
                   if self.sheds_by_choice else np.ones(self.floor_rows.stop - self.floor_rows.start, bool))
        # the default penalties re-route every unit they can, holding the floor; prices of the
        # caller's or the policy's choose the re-routing alone (the floor held would make the
        # replay with nothing failed serve more than the plan, and a failure seem to save)
        floor = np.array([0.0 if self.sheds_by_choice else max(0.0, guaranteed - SERVED_TOL)])
        self.h.changeColsBounds(1, t, floor, floor)
        self.h.changeColsCost(len(self.all_cols), self.all_cols, self.stage2)
        x = self._solve("cheapest re-routing")[:-1]
        if self.sheds_by_choice:
            x = self.evenest(x)
        demand = self.frame["demand"].to_numpy(float)
        short = self.u.values(x)
        # LP noise: 1e-11 units short is none, a market served 1.5e-9 of its demand gets none
        short = np.where(short <= SERVED_TOL * demand, 0.0, np.where(short >= (1 - SERVED_TOL) * demand,
                                                                      demand, short))
        served = np.where(demand > 0, 1.0 - short / np.where(demand > 0, demand, 1.0), 1.0)
        d = pd.DataFrame({"market": self.frame["market"], "product": self.frame["product"], "demand": demand,
                          "shortfall": short, "served": np.clip(served, 0.0, 1.0)})  # no -6.7e-16
        if self.sheds_by_choice:  # what the re-routing at those prices serves, not what it could
            guaranteed = float(d["served"].min()) if len(d) else 1.0
        elif len(d):  # the re-routing holds the floor up to SERVED_TOL: the worst row as served
            guaranteed = min(guaranteed, float(d["served"].min()))
        if guaranteed <= SERVED_TOL or guaranteed >= 1.0 - SERVED_TOL:  # 1e-16 is 0 (and no -0)
            guaranteed = float(round(guaranteed))
        p = self._by_product(demand, short)
        flow_cost = float(sum(coef @ x[cols] for parts in self.flow_parts for cols, coef in parts))
        return Outcome(guaranteed, flow_cost, d, p, self.values, binding)
