"""Roadmaps: a restructuring path over several periods, solved at once (docs/formulation.md §9).

:func:`solve_roadmap` builds the roadmap model (:func:`~resilient_sc.model.roadmap.build_roadmap`),
solves it with HiGHS (or pyomo), certifies the answer against every row and reads it back as a
:class:`Roadmap`: one :class:`~resilient_sc.results.Plan` per period, which elements operate,
start and stop in each, and the costs of each period.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .data import Network
from .escaping import id_list, ids_in
from .exceptions import InfeasiblePolicyError, RunWarning, ValidationError, warn
from .explain.roadmap import explain_periods, explain_roadmap, in_period_order, lead_time_hint
from .format import count, fraction, money, money_digits, quantity, relative_gap, settings, weight
from .model.roadmap import PeriodsInfeasible, RoadmapModel, build_roadmap
from .model.table import by_id
from .model.transitions import BEFORE
from .optimize import accepted, log_report, pyomo_report, pyomo_solution
from .output_words import PLAN_FILES
from .period_rows import TIMELINE_KEYS
from .periods import period_ids, policy_in
from .policy import Policy
from .result_folders import save_result
from .results import (
    COMPONENTS,
    NETWORK_WORDS,
    NO_DEMAND,
    Plan,
    network_beside,
    network_cost,
    plan_products,
    readme,
)
from .solvers import lazy
from .solvers.base import SolveOptions, SolveReport, SolverResult, Status, given_options, log_line
from .solvers.highs import until
from .solvers.routes import ROUTES, Route, solve_linear
from .verify import checked_policy, verify_plan
from .wording import listing

__all__ = ["Roadmap", "roadmap_from_pyomo", "solve_roadmap", "solve_roadmap_model"]

#: what starts the line marking each MIP of a roadmap's solve in its log (the app reads them)
LOG_MARK = "roadmap: "
#: the relative gap at which each period is solved alone for the MIP start (a start need not be
#: optimal; the roadmap's own solve proves optimality)
START_GAP = 0.01
#: the routes every roadmap may take: pyomo (``backend="pyomo"``), merged origins (found on the
#: matrix, periods included) and plain HiGHS; see :func:`_routes` for the others
_ROUTES = tuple(r for r in ROUTES if r.name in ("pyomo", "merged-origins", "highs"))


def _routes(model: RoadmapModel, start: _Design | None) -> tuple[Route, ...]:
    """The routes of roadmap ``model`` given its MIP ``start``: :data:`_ROUTES`, and

    * failure generation when it has no dependence caps (whose lazy route its masters would
      take unseeded): ladder S's roadmap under survive hub 0.8 in 16.3 s and 506 MB against
      253.2 s and 1,375 MB by merged origins on the stacked model with every failure copy, four
      tiny ones in 2.4-6.0 s against 5.1-31.9 s (docs/benchmarks.md);
    * lazy caps when ``start`` names the caps its periods' plans fill and there is no single
      sourcing. From no caps, the caps kept breaking round after round (ladder S glide path:
      0 -> 777 -> 1,422 -> all 25,599 rows, 246 s against 168 s without lazy caps); from the
      1,347 its periods' plans fill, the first master's plan re-routed within every cap is within
      the gap of its bound: 65.1 s against 157.7 s. Under single sourcing the first master's plan
      broke caps in 4 of 5 tiny ladder roadmaps and its MIP was time lost: 125.9 s against 86.7 s.
    """
    if lazy.lazy_rows(model.lm) is None:
        extra = ("failure-generation",)
    elif start is not None and start.filled_caps is not None and "assign" not in model.lm.variables:
        extra = ("lazy-caps",)
    else:
        extra = ()
    return tuple(r for r in ROUTES if r in _ROUTES or r.name in extra)


#: what each file of a saved roadmap holds (its folder's README.md): its own tables, then each
#: plan table of the periods, a ``period`` column first
ROADMAP_FILES = {
    "roadmap.json": "status, cost (`objective`: Σ weight × each period's cost, money), `bound` and `gap`, "
                    "each period's summary (`periods`: cost, breakdown, emissions, delivery, suppliers and "
                    "hubs, shares), the policy, how the solver got there (`report`) and the data's "
                    "`warnings` when it has some (also under this file list)",
    "roadmap.csv": "per period: `weight` (the factor of every cost of the period, e.g. a discount), `cost` "
                   "(money, the period's own, unweighted), `emissions` (CO2 units), demand left `short`, "
                   "the number of suppliers and hubs operating (`n_suppliers`, `n_hubs`) and the ids of "
                   "those started and stopped (`suppliers_started`, `suppliers_stopped`, ...: separated by "
                   "spaces, an id holding a space in double quotes), "
                   "`local_share` and `allied_share` (fractions of demand, weighted as the plan's shares), "
                   "`top_country` (the origin country of the largest share of demand, weighted as the "
                   "shares, its own markets included) and `top_country_share` (that share)",
    "roadmap_costs.csv": "per period: `weight`, each cost component (money, unweighted), `total` and "
                         "`weighted` (weight × total)",
    "roadmap_design.csv": "per supplier or hub and period: `operating`, `carrying` (operating and buying "
                          "or handling some flow: one kept as a backup or to spare its closing cost carries "
                          "nothing), `started` (operating, not in the period before) and `stopped` (not "
                          "operating, operating in the period before), each True or False; one operating "
                          "in the last period pays no closing cost: the roadmap ends there",
    "roadmap_timeline.csv": "per supplier or hub, a column per period: started, stopped, operating, idle "
                            "(operating, carrying nothing), or blank (not operating)",
    **{name: f"as a plan's, each row of a `period`: {words}" for name, words in PLAN_FILES.items()
       if name.endswith(".csv") and name != "timings.csv"},
    "timings.csv": PLAN_FILES["timings.csv"],
}


@dataclass(frozen=True, eq=False)
class Roadmap:
    """A restructuring path: a plan per period and the transitions between them.

    Money in the data's currency. ``objective`` = Σ_t weight_t · cost_t, where cost_t (the
    ``total`` column of :attr:`costs`) is period t's plan cost including the opening and
    closing costs of the elements started and stopped in it. ``design`` has one row per
    supplier or hub and period: ``operating``, ``started`` (operating now, not in the period
    before; before the first period: status open or existing), ``stopped``.
    """

    status: Status
    objective: float
    bound: float
    gap: float
    solve_time: float
    build_time: float
    periods: pd.DataFrame  # period, weight
    plans: dict[str, Plan]
    costs: pd.DataFrame  # period, weight, each component, total, weighted (money)
    design: pd.DataFrame  # kind, id, country, status, period, operating, carrying, started, stopped
    policy: Policy
    model: RoadmapModel | None = field(default=None, repr=False)
    report: SolveReport | None = field(default=None, repr=False)

    @classmethod
    def from_solution(cls, model: RoadmapModel, result: SolverResult,
                      report: SolveReport | None = None) -> Roadmap:
        """Read a solution vector of the roadmap model back into a plan per period."""
        assert result.x is not None
        x = np.clip(result.x, 0.0, None)
        ids = model.periods["period"].tolist()
        raw = {p: Plan.from_values(m, model.period_values(x, t), result, report)
               for t, (p, m) in enumerate(zip(ids, model.models, strict=True))}
        design = design_table(model.network, ids, raw)
        plans: dict[str, Plan] = {}
        for period in ids:
            plan = raw[period]
            here = design.loc[design["period"] == period]
            breakdown = plan.breakdown.copy()
            breakdown["opening"] = float(here.loc[here["started"], "opening_cost"].sum())
            breakdown["closing"] = float(here.loc[here["stopped"], "closing_cost"].sum())
            plans[period] = dataclasses.replace(plan, breakdown=breakdown, objective=float(breakdown.sum()),
                                                bound=math.nan, gap=math.nan, period=period)
        costs = period_costs(plans, model.periods["weight"].to_numpy(float))
        objective, gap = float(costs["weighted"].sum()), result.gap
        if result.status is not Status.OPTIMAL and math.isfinite(result.bound) and objective:
            # a plan not proven optimal may count starts that did not happen (started ≥ Δ
            # operating): its cost is recounted above, and so is its gap
            gap = max(0.0, objective - result.bound) / abs(objective)
        return cls(result.status, objective, result.bound, gap,
                   result.solve_time, model.build_time, model.periods.copy(), plans, costs,
                   design.drop(columns=["opening_cost", "closing_cost"]), model.policy, model, report)

    # ---- views ---------------------------------------------------------------------
    @property
    def period_ids(self) -> list[str]:
        """The periods in order (one named ``today`` without a periods table)."""
        return self.periods["period"].tolist()

    def verify(self, policy: Policy | None = None, tol: float = 1e-6) -> list[str]:
        """Violations of ``policy`` (default: the roadmap's) by every period's plan, each headed
        ``period P:`` (:func:`~resilient_sc.verify.verify_plan` with the policy as it holds in
        the period, the elements operating in the period before and the lead times), and of
        the total = Σ weight × period cost; empty when none. ``survive`` and the disruption
        scenarios are replayed by :func:`~resilient_sc.analysis.roadmap.roadmap_stress`, not here."""
        if self.model is None:  # a myopic path (analysis.myopic_path) is built period by period
            raise ValidationError(["(roadmap) | verify needs the roadmap's model, and this roadmap has none "
                                   "(a myopic path: each period's plan was checked on every row of its own "
                                   "model when solved)"])
        net, ids = self.model.network, self.period_ids
        policy = checked_policy(self.policy if policy is None else policy, net)
        out: list[str] = []
        before: set[str] | None = None
        for t, period in enumerate(ids):
            plan = self.plans[period]
            out += [f"period {period}: {v}" for v in
                    verify_plan(plan, policy_in(policy, net, period), tol, before, t)]
            before = set(plan.supplier_ids) | set(plan.hub_ids)
        total = float(sum(w * self.plans[p].objective for p, w in zip(ids, self.periods["weight"],
                                                                         strict=True)))
        if abs(total - self.objective) > tol * max(1.0, abs(total)) * 10:
            out.append(f"total: Σ weight × period cost {total:,.6f} differs from {self.objective:,.6f}")
        return out

    def shares(self) -> pd.DataFrame:
        """Per period: the local and allied shares, and the largest share of any one origin
        country over all markets (with that country), each weighted as the period plan's
        :meth:`~resilient_sc.results.Plan.share_weighting` says."""
        rows = []
        for period, plan in self.plans.items():
            country, top = top_country(plan)
            rows.append({"period": period, "local_share": plan.overall_share("local_share"),
                         "allied_share": plan.overall_share("allied_share"),
                         "top_country": country, "top_country_share": top,
                         "weighting": plan.share_weighting()})
        return pd.DataFrame(rows)

    def timeline(self) -> pd.DataFrame:
        """One row per supplier or hub that operates in some period, one column per period:
        ``started``, ``stopped``, ``operating``, ``idle`` (operating, carrying nothing), or blank
        (not operating). Words, not ``+``/``-``: a spreadsheet would read those as formulas (and
        the CSV writer escapes them)."""
        d = self.design
        mark = np.where(d["started"], "started", np.where(d["stopped"], "stopped", np.where(
            d["carrying"], "operating", np.where(d["operating"], "idle", ""))))
        keys = list(TIMELINE_KEYS)  # no period is named so (validation)
        wide = d.assign(mark=mark).pivot(index=keys, columns="period", values="mark")
        used = d.groupby(keys)["operating"].any() | d.groupby(keys)["stopped"].any()
        wide = wide.loc[used.reindex(wide.index).to_numpy(), self.period_ids]
        wide.columns.name = None
        return wide.reset_index()

    def table(self) -> pd.DataFrame:
        """The roadmap table: per period its weight, cost (money, unweighted: the total is
        Σ weight × cost), emissions (CO2 units: a ``co2_cap`` holds in each period), what it
        leaves short (per product in its units, blank when nothing: a policy with a shortfall
        penalty may leave demand unmet), suppliers and hubs operating, started and stopped, and
        shares."""
        d = self.design
        rows = []
        shares = self.shares().set_index("period")
        for period in self.period_ids:
            here = d.loc[d["period"] == period]
            row: dict[str, Any] = {"period": period,
                                   "weight": float(self.periods.set_index("period").loc[period, "weight"]),
                                   "cost": float(self.costs.set_index("period").loc[period, "total"]),
                                   "emissions": float(self.plans[period].emissions),
                                   "short": self.plans[period].short_words()}
            for kind in ("supplier", "hub"):
                operating, started, stopped = _members(here, kind)
                row[f"n_{kind}s"] = len(operating)
                row[f"{kind}s_started"] = id_list(started)
                row[f"{kind}s_stopped"] = id_list(stopped)
            row.update(shares.loc[period, ["local_share", "allied_share", "top_country",
                                           "top_country_share"]].to_dict())
            rows.append(row)
        return pd.DataFrame(rows)

    def share_weighting(self) -> str:
        """How the periods' shares weigh markets and products (:meth:`Plan.share_weighting
        <resilient_sc.results.Plan.share_weighting>`): the weighting of most periods, and the
        periods weighted otherwise (``value-weighted (2028: products weighted equally)``, when a
        product without a unit value has demand only in 2028); a period without demand is not
        named (its shares are blank)."""
        each = {period: w for period, plan in self.plans.items()
                if (w := plan.share_weighting()) != NO_DEMAND}
        if not each:
            return NO_DEMAND
        usual = max(dict.fromkeys(each.values()), key=list(each.values()).count)
        other = [f"{period}: {w}" for period, w in each.items() if w != usual]
        return f"{usual} ({'; '.join(other)})" if other else usual

    def network_cost(self) -> float:
        """The path's cost without its penalties (:func:`~resilient_sc.results.network_cost` of each
        period's plan), money: Σ_t weight_t · (cost_t − shortfall_t − disruption_t)."""
        weights = zip(self.period_ids, self.periods["weight"], strict=True)
        return float(sum(w * network_cost(self.plans[p]) for p, w in weights))

    def summary(self) -> str:
        """A short human-readable report: the total, then one line per period."""
        head, rows, tail = self.summary_parts()
        lines = [f"{label:<12}{text}" for label, text in head]
        lines.append(f"{'period':<10}{'weight':>7}{'cost':>17}  {'suppliers':<22}{'hubs':<16}"
                     f"{'local':>7}{'allied':>8}  top country")
        lines += [f"{r.period:<10}{r.weight:>7}{r.cost:>17}  {r.suppliers:<22}{r.hubs:<16}{r.local:>7}"
                  f"{r.allied:>8}  {r.top_country}" for r in rows.itertuples()]
        lines += tail
        if self.report is not None:
            lines.append(self.report.line())
        return "\n".join(lines)

    def summary_parts(self) -> tuple[list[tuple[str, str]], pd.DataFrame, list[str]]:
        """What :meth:`summary` says, in parts: the total's lines as (label, text), a row per period
        (its cells as text: period, weight, cost, suppliers, hubs, local, allied, top_country; a
        report shows them as a table), and the lines after."""
        d = money_digits(self.objective)  # cents, or four significant digits of a total below 1
        # weights of 1/1.05^t shown as 0.9524 times the costs shown missed the total by 634 of 55.8M
        cut = any(float(weight(w)) != w for w in self.periods["weight"])
        given = ", the weights as given (shown rounded below)" if cut else ""
        head = [("status", self.status.value),
                ("policy", settings(self.policy.to_dict())),  # as a plan's says it
                ("total cost", f"{self.objective:,.{d}f}  (Σ weight × period cost{given}; bound "
                               f"{self.bound:,.{d}f}, gap {relative_gap(self.gap)})"),
                *([("network", f"{n:,.{d}f} ({NETWORK_WORDS})")]
                  if (n := network_beside(self.objective, self.network_cost())) is not None else [])]
        table = self.table()
        rows = pd.DataFrame([{
            "period": str(row.period), "weight": weight(row.weight), "cost": f"{row.cost:,.{d}f}",
            "suppliers": _moves(row.n_suppliers, row.suppliers_started, row.suppliers_stopped),
            "hubs": _moves(row.n_hubs, row.hubs_started, row.hubs_stopped),
            "local": fraction(row.local_share), "allied": fraction(row.allied_share),
            "top_country": (f"{row.top_country} {fraction(row.top_country_share)}" if row.top_country
                            else "none (nothing delivered)" if self.plans[row.period].shares["demand"].any()
                            else "none (no demand)")} for row in table.itertuples()],
            columns=["period", "weight", "cost", "suppliers", "hubs", "local", "allied", "top_country"])
        tail = [f"short in {r.period}: {r.short}" for r in table.itertuples() if r.short]
        cap = self.policy.co2_cap
        if cap is not None or self.policy.co2_price:
            tail.append("emissions (CO2 units): " + "; ".join(
                f"{r.period} {quantity(r.emissions)}" for r in table.itertuples())
                + (f" (cap {quantity(cap)} in each period)" if cap is not None else ""))
        tail.append(f"cost: the period's own (money, unweighted; the total is Σ weight × cost); shares are "
                    f"{self.share_weighting()} over all markets; top country: the origin country of the "
                    "largest share of demand, weighted as the shares, its own markets included "
                    "(max_country_share caps each market's foreign countries); started/stopped "
                    "counted against the period before")
        return head, rows, tail

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: status, objective, bound, gap, ``network_cost`` (:meth:`network_cost`), times,
        and a ``periods`` list (weight, cost and its ``network_cost``, breakdown, emissions,
        delivered per product, suppliers and hubs operating, started and stopped, shares)."""
        finite = lambda v: v if math.isfinite(v) else None  # noqa: E731
        shares = self.shares().set_index("period")
        periods = []
        for period, plan in self.plans.items():
            here = self.design.loc[self.design["period"] == period]
            entry: dict[str, Any] = {
                "period": period,
                "weight": float(self.periods.set_index("period").loc[period, "weight"]),
                "cost": plan.objective,
                "network_cost": network_cost(plan),
                "breakdown": {k: float(v) for k, v in plan.breakdown.items()},
                "emissions": plan.emissions,
                "delivered": plan.delivered_dict()}
            for kind in ("supplier", "hub"):
                (entry[f"{kind}s"], entry[f"{kind}s_started"],
                 entry[f"{kind}s_stopped"]) = _members(here, kind)
            s = shares.loc[period]
            entry["shares"] = {"local": float(s["local_share"]), "allied": float(s["allied_share"]),
                               "top_country": s["top_country"],
                               "top_country_share": float(s["top_country_share"]),
                               "weighting": s["weighting"]}
            periods.append(entry)
        return {"status": self.status.value, "objective": finite(self.objective),
                "bound": finite(self.bound), "gap": finite(self.gap),
                "network_cost": finite(self.network_cost()), "solve_time": self.solve_time,
                "build_time": self.build_time, "policy": self.policy.to_dict(), "periods": periods,
                "report": None if self.report is None else self.report.to_dict()} | (
                    {"warnings": list(w)} if (w := self.data_warnings + self.path_warnings) else {})

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every result table by file name: ``roadmap`` (:meth:`table`), ``roadmap_costs``,
        ``roadmap_design``, ``roadmap_timeline``, and each plan table of the periods stacked
        with a ``period`` column first; copies, as :meth:`Plan.tables
        <resilient_sc.results.Plan.tables>` gives (an edit of them changed the roadmap: API audit)."""
        out = {"roadmap": self.table(), "roadmap_costs": self.costs.copy(),
               "roadmap_design": self.design.copy(), "roadmap_timeline": self.timeline()}
        products = plan_products(*self.plans.values())  # a product without demand in a period: 0
        per = [plan.tables(products) for plan in self.plans.values()]
        for name in per[0]:
            out[name] = pd.concat([t[name].assign(period=p)[["period", *t[name].columns]]
                                   for p, t in zip(self.plans, per, strict=True)], ignore_index=True)
        return out

    def units(self) -> dict[str, str]:
        """Each product's unit (:meth:`Plan.unit_of <resilient_sc.results.Plan.unit_of>`)."""
        plans = list(self.plans.values())
        return plans[0].units(plan_products(*plans))

    def save(self, folder: str | Path, force: bool = False) -> Path:
        """Write ``roadmap.json``, one CSV per table and ``README.md`` (:data:`ROADMAP_FILES`) as
        the folder ``folder``, atomically as a whole (as :meth:`Plan.save
        <resilient_sc.results.Plan.save>`)."""
        return save_result(folder, self.tables(), "roadmap.json", self.to_dict(), self.data_location,
                              force, self.readme())

    @property
    def data_warnings(self) -> tuple[str, ...]:
        """The warnings given when its data were read (:attr:`Network.warnings
        <resilient_sc.data.Network.warnings>`: a period of weight 0, a lead time past the last
        period)."""
        return tuple(self.model.network.warnings) if self.model is not None else ()

    @property
    def path_warnings(self) -> tuple[str, ...]:
        """What the path itself warns of, kept with its files (said on stderr alone, it was lost to
        whoever opened the folder): the periods its policy's period keys skip
        (:meth:`Policy.skipped_periods <resilient_sc.policy.Policy.skipped_periods>`, where it asks
        nothing) and :func:`free_restarts`."""
        return tuple(filter(None, [*self.policy.skipped_periods(self.period_ids), free_restarts(self)]))

    def readme(self, files: Mapping[str, str] | None = None) -> str:
        """The README.md of its folder: what each of ``files`` (default :data:`ROADMAP_FILES`)
        holds, the warnings of its data (:attr:`data_warnings`) and its own (:attr:`path_warnings`)."""
        return readme("Roadmap", ROADMAP_FILES if files is None else files, self.units(),
                      warnings=self.data_warnings, solved=self.path_warnings)

    @property
    def data_location(self) -> str:
        """The absolute path of the data the roadmap was solved from ('' when not read from disk)."""
        return self.model.network.location if self.model is not None else ""

    def __repr__(self) -> str:
        return (f"Roadmap({self.status.value}, cost={self.objective:,.2f}, "
                f"{count(len(self.plans), 'period')}: {', '.join(self.plans)})")


def period_costs(plans: dict[str, Plan], weights: np.ndarray) -> pd.DataFrame:
    """Per period (money): ``weight``, each cost component of its plan, ``total`` (the plan's
    cost, unweighted) and ``weighted`` (weight × total); a component the model as built has not
    (an extension's) after the library's own."""
    components = list(dict.fromkeys([*COMPONENTS, *(c for p in plans.values() for c in p.breakdown.index)]))
    rows = [{"period": period, "weight": float(w),
             **{c: float(plan.breakdown.get(c, 0.0)) for c in components},
             "total": plan.objective, "weighted": float(w) * plan.objective}
            for (period, plan), w in zip(plans.items(), weights, strict=True)]
    return pd.DataFrame(rows, columns=["period", "weight", *components, "total", "weighted"])


def _members(here: pd.DataFrame, kind: str) -> tuple[list[str], list[str], list[str]]:
    """The ids of ``kind`` operating, started and stopped in one period's rows of ``design``."""
    k = here.loc[here["kind"] == kind]
    return (k.loc[k["operating"], "id"].tolist(), k.loc[k["started"], "id"].tolist(),
            k.loc[k["stopped"], "id"].tolist())


def _moves(n: int, started: str, stopped: str) -> str:
    plus, minus = len(ids_in(started)), len(ids_in(stopped))
    return f"{n}" + (f" +{plus}" if plus else "") + (f" -{minus}" if minus else "")


def top_country(plan: Plan) -> tuple[str, float]:
    """The origin country with the largest share of demand over all markets and products of
    ``plan`` (each (market, product) weighted as :meth:`Plan.share_weights`), and that share."""
    w = pd.Series(plan.share_weights(), index=pd.MultiIndex.from_frame(plan.shares[["market", "product"]]))
    if not len(plan.country_shares) or not w.sum():
        return "", math.nan
    cs = plan.country_shares
    weight = w.reindex(pd.MultiIndex.from_frame(cs[["market", "product"]])).to_numpy(float)
    by = pd.Series(cs["share"].to_numpy(float) * weight).groupby(cs["country"].to_numpy()).sum() / w.sum()
    return str(by.idxmax()), float(by.max())


def design_table(net: Network, ids: list[str], plans: dict[str, Plan]) -> pd.DataFrame:
    """Per supplier and hub (sorted by id, as the model's) and period: operating, carrying
    (operating and buying or handling some flow: an element kept under contract to spare its
    closing cost, or as a backup, carries nothing), started, stopped (with the element's opening
    and closing costs)."""
    frames = []
    for kind in ("supplier", "hub"):
        table = by_id(getattr(net, f"{kind}s"), kind)
        n = len(table)
        operating = np.zeros((n, len(ids)), bool)
        carrying = np.zeros((n, len(ids)), bool)
        for t, p in enumerate(ids):
            chosen = plans[p].supplier_ids if kind == "supplier" else plans[p].hub_ids
            operating[:, t] = table[kind].isin(chosen).to_numpy()
            volume = plans[p].inbound.groupby(kind)["quantity"].sum()
            carrying[:, t] = operating[:, t] & (table[kind].map(volume).fillna(0.0).to_numpy(float) > 1e-9)
        before = table["status"].isin(BEFORE).to_numpy()
        prev = np.column_stack([before, operating[:, :-1]])
        frames.append(pd.DataFrame({
            "kind": kind, "id": np.repeat(table[kind].to_numpy(object), len(ids)),
            "country": np.repeat(table["country"].to_numpy(object), len(ids)),
            "status": np.repeat(table["status"].to_numpy(object), len(ids)),
            "period": np.tile(np.asarray(ids, object), n),
            "operating": operating.ravel(), "carrying": carrying.ravel(),
            "started": (operating & ~prev).ravel(), "stopped": (prev & ~operating).ravel(),
            "opening_cost": np.repeat(table["opening_cost"].to_numpy(float), len(ids)),
            "closing_cost": np.repeat(table["closing_cost"].to_numpy(float), len(ids))}))
    return pd.concat(frames, ignore_index=True)


def solve_roadmap_model(model: RoadmapModel, options: SolveOptions | None = None) -> Roadmap:
    """Solve a built roadmap model (possibly extended with blocks of your own); raise unless
    optimal, as :func:`~resilient_sc.optimize.solve_model` does."""
    options = given_options(options)
    options.check()
    t0 = time.perf_counter()
    deadline = options.deadline()
    start = None if options.backend == "pyomo" else periods_alone(model, options, deadline)
    seconds = time.perf_counter() - t0
    log_line(f"{LOG_MARK}every period at once", options, warn_unwritable=False)
    result, report = solve_linear(model, until(options, deadline), start,  # type: ignore[arg-type]
                                  routes=_routes(model, start))
    # the periods' own solves: in the solve time, and said apart on the report's line (a timing,
    # not in its note: two runs of the same inputs write the same roadmap.json)
    note = "MIP start: each period solved alone first" if start is not None else ""
    report = dataclasses.replace(report, start_time=seconds,
                                 note="; ".join(filter(None, (note, report.note))))
    result = dataclasses.replace(result, solve_time=result.solve_time + seconds, note=report.note)
    log_report(report, options)
    if result.status is Status.INFEASIBLE:
        raise InfeasiblePolicyError(explain_roadmap(model, deadline))
    roadmap = Roadmap.from_solution(model, result, report) if result.x is not None else None
    roadmap = accepted(roadmap, result, options)  # type: ignore[arg-type, assignment]
    _warn_of_light_periods(roadmap, options)  # type: ignore[arg-type]
    if said := free_restarts(roadmap):  # type: ignore[arg-type]
        warn(said, RunWarning)
    return roadmap  # type: ignore[return-value]


def free_restarts(roadmap: Roadmap) -> str:
    """The suppliers and hubs that stop and start again at no opening cost, in words ('' when
    none): a year without demand closed the whole network and reopened it the next year for
    nothing, existing elements having ``opening_cost`` 0 (roadmap audit: '+10 started' read as
    ten new contracts). A myopic path (no roadmap model) reads the opening costs from its first
    period's network, which keeps them."""
    models = [roadmap.model, *(p.model for p in roadmap.plans.values())]
    network = next((m.network for m in models if m is not None), None)
    if network is None:
        return ""
    d = roadmap.design
    opening = pd.concat([getattr(network, f"{kind}s").set_index(kind)["opening_cost"]
                         for kind in ("supplier", "hub")])
    order = {p: t for t, p in enumerate(roadmap.period_ids)}
    t = d["period"].map(order)
    first_stop = t.where(d["stopped"]).groupby([d["kind"], d["id"]]).transform("min")
    again = d.loc[d["started"] & (d["id"].map(opening).fillna(0.0) <= 0) & (first_stop < t)]
    if not len(again):
        return ""
    restarts = [f"{e} ({p})" for e, p in zip(again["id"], again["period"], strict=True)]
    one = len(again) == 1
    return (f"(roadmap) | {count(len(again), 'supplier or hub', 'suppliers or hubs')} "
            f"{'stops and starts' if one else 'stop and start'} again at no opening cost: "
            f"{listing(restarts)} (started again that period); {'its' if one else 'their'} "
            "opening_cost is 0, so closing for a while costs only the closing: give opening_cost "
            "what reopening costs (a lease, a requalification)")


#: a period weighing less than this share of the path's cost is one the gap may leave far off
LIGHT_PERIOD = 0.01


def _warn_of_light_periods(roadmap: Roadmap, options: SolveOptions) -> None:
    """Warn when the gap, judged on the path's weighted cost, leaves a period that weighs little
    (under :data:`LIGHT_PERIOD` of that cost) off by more than the gap on its own cost: a weight
    of 1e-6 left a period's plan 5.8% dearer than it need be, with a hub opened and closed for
    nothing, the path proven within 1e-6."""
    slack = roadmap.objective - roadmap.bound
    if not math.isfinite(slack) or slack <= 1e-9 * abs(roadmap.objective):
        return
    costs = roadmap.costs.set_index("period")
    weighted = costs["weight"] * costs["total"].abs()
    weighted = weighted[weighted > 0]  # a weight of 0 is warned of with the data
    if weighted.empty:
        return
    share = weighted / weighted.sum()
    light = share.idxmin()
    own = slack / float(weighted[light])
    if share[light] >= LIGHT_PERIOD or own <= options.mip_gap:
        return
    tighter = float(f"{options.mip_gap * share[light] * 0.95:.1e}")
    advice = (f"for each period that close, solve with mip_gap={tighter:g} (CLI: --gap {tighter:g})"
              if tighter >= 1e-9 else "no gap a solver proves gets it that close: give the periods weights "
              "nearer each other, or plan that period on its own")
    warn(f"(solve) | period {light} weighs {weight(float(costs.loc[light, 'weight']))} "
         f"({float(share[light]):.2g} of the path's weighted cost): the gap of "
         f"{relative_gap(roadmap.gap)} on the path leaves its own plan within "
         f"{money(slack / float(costs.loc[light, 'weight']))} of its best (a gap of "
         f"{relative_gap(own)} on its own cost), so its starts and stops may buy nothing; {advice}",
         RunWarning)


def roadmap_from_pyomo(pyomo_model: Any, solve_time: float | None = None, results: Any = None) -> Roadmap:
    """A :class:`Roadmap` from the pyomo model of a roadmap
    (:func:`~resilient_sc.solvers.pyomo.to_pyomo` of data with periods) solved by any pyomo
    solver: statuses, bounds and errors as :func:`~resilient_sc.optimize.plan_from_pyomo`'s. Its
    cost is that of the model as built, each period's own (a term you added to the objective
    is not in it: a warning says how much it leaves out)."""
    from .solvers import pyomo as pyomo_solver

    model = pyomo_solver.network_model_of(pyomo_model)
    if not isinstance(model, RoadmapModel):
        raise ValidationError(["(model) | this pyomo model is one period's: read it back with "
                               "resilient_sc.optimize.plan_from_pyomo"], "in the model given")
    changed = pyomo_solver.edits(pyomo_model, model)  # once: the values' check and the note
    result, values = pyomo_solution(pyomo_model, model, solve_time, results, changed)
    x = pyomo_solver.column_vector(model, values)
    # against the model's own cost of x: a plan not proven optimal has its starts recounted
    left_out = result.objective - float(model.lm.objective() @ x)
    if pyomo_solver.replaced_objective(pyomo_model):  # its bound is the objective's, not the cost's
        result = dataclasses.replace(result, bound=math.nan, gap=math.nan)
    elif abs(left_out) > 1e-9 * max(1.0, abs(result.objective)):
        warn(f"the pyomo model's objective is {result.objective:,.2f}, {left_out:+,.2f} beyond the "
             "roadmap's cost (a term added to the objective, which the roadmap's cost leaves out); "
             "its bound is the solver's less that term, so that its gap is the solver's",
             RunWarning)
        result = dataclasses.replace(result, bound=result.bound - left_out)
    report = pyomo_report(pyomo_model, model, x, result, changed)
    return Roadmap.from_solution(model, dataclasses.replace(result, x=x), report)


@dataclass(frozen=True)
class _Design:
    """A roadmap design as a MIP start: suppliers, hubs and hub-market pairs, each with a period;
    ``filled_caps``: the roadmap's dependence caps (rows of its model) that the periods' plans
    fill to their bound, which the first master of lazy caps takes (:func:`.lazy.first_caps`)."""

    suppliers: pd.DataFrame
    hubs: pd.DataFrame
    outbound: pd.DataFrame
    filled_caps: np.ndarray | None = None


def periods_alone(model: RoadmapModel, options: SolveOptions,
                  deadline: float = math.inf) -> _Design | None:
    """The design of each period solved alone, without opening and closing costs (by the fast
    routes of :func:`~resilient_sc.solvers.routes.solve_linear`): a plan of every period that
    the roadmap takes as its MIP start (its transitions are whatever they cost). Each period
    may use a share of the time left before ``deadline`` (``time.perf_counter()`` seconds): half
    of it spread over the periods still to solve. None when a period has no plan in that time
    (the roadmap's solve then says why)."""
    parts: dict[str, list[pd.DataFrame]] = {"suppliers": [], "hubs": [], "outbound": []}
    filled: list[np.ndarray] = []
    alone = dataclasses.replace(options, allow_nonoptimal=True, mip_gap=max(options.mip_gap, START_GAP))
    n = len(model.models)
    for k, (period, m) in enumerate(zip(model.periods["period"], model.models, strict=True)):
        log_line(f"{LOG_MARK}period {period} solved alone, for the roadmap's MIP start", options,
                 warn_unwritable=False)
        share = time.perf_counter() + (deadline - time.perf_counter()) / (2 * (n - k))
        result, _ = solve_linear(m, until(alone, share))
        if result.x is None:
            return None
        plan = Plan.from_solution(m, result)
        for name, keys in (("suppliers", ["supplier"]), ("hubs", ["hub"]), ("outbound", ["hub", "market"])):
            parts[name].append(getattr(plan, name)[keys].assign(period=period))
        caps = lazy.lazy_rows(m.lm)
        if caps is not None:
            filled.append(model.period_rows(k)[caps[lazy.tight(lazy.caps(m.lm, caps), result.x)]])
    return _Design(**{k: pd.concat(v, ignore_index=True) for k, v in parts.items()},
                   filled_caps=np.concatenate(filled) if filled else None)


def solve_roadmap(network: Network, policy: Policy | None = None,
                  options: SolveOptions | None = None) -> Roadmap:
    """Build and solve the roadmap of ``network`` (docs/formulation.md §9): every period at
    once, at minimum Σ_t weight_t · (costs of period t + opening and closing costs).

    A network without a ``periods`` table is one period, ``today``. A policy mapping may name
    periods: ``min_local_share: {"2027": 0.3, "2029": 0.5}`` is a glide path. Raises as
    :func:`~resilient_sc.optimize.solve` does; an infeasible roadmap names the period (and the
    candidates whose lead time keeps them out of it, when that is the reason).

    >>> from resilient_sc import examples
    >>> roadmap = solve_roadmap(examples.tiny())
    >>> roadmap
    Roadmap(optimal, cost=1,260.00, 1 period: today)
    """
    options = given_options(options)
    options.check()
    deadline = options.deadline()  # the time limit is the whole call's: the build counts
    try:
        model = build_roadmap(network, policy, strong_links=options.strong_links)
    except PeriodsInfeasible as exc:
        n = max(1, len(network.periods))
        hints = [h for period, t, net, pol in exc.failed
                 for h in lead_time_hint(net, pol, period, t, n, deadline)]
        # the periods past the precheck may have no plan alone either: named now, not on the next
        # run once the first are fixed (infeasibility audit)
        others = explain_periods(exc.built, n, deadline)
        raise InfeasiblePolicyError(in_period_order([*exc.reasons, *hints, *others],
                                                    list(period_ids(network)))) from None
    return solve_roadmap_model(model, until(options, deadline))
