"""Stress tests: replay failures on a fixed design with re-routed flows and penalised shortfall
(MODEL.md §6).

One LP is built for the design (its suppliers and hubs fixed, integrality dropped); each
failure only changes the bounds of the lost suppliers' and hubs' design columns on the live
HiGHS object (their capacity rows then force their flows to 0), so nothing is rebuilt.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

import highspy
import numpy as np
import pandas as pd

from ..data import Network
from ..exceptions import ResilientSCError
from ..model.build import NetworkModel, build_model
from ..model.redundancy import single_failures
from ..policy import Policy
from ..results import Plan
from ..schema import FAILURE_KINDS
from ..solve import SolveOptions, make_highs, stdout_to_stderr

#: cost components that vary with the flows (money)
FLOW_COMPONENTS = ("purchase", "handling", "transport", "tariffs", "co2")


@dataclass(frozen=True, eq=False)
class StressResult:
    """Per failure: served fraction, extra cost, shortfall; plus the shortfall by market."""

    failures: pd.DataFrame  # failure, kind, elements, probability, served_fraction, ...
    shortfalls: pd.DataFrame  # failure, market, product, demand, shortfall
    penalty: float  # money per unit short, used to re-route and to price shortfall

    def summary(self) -> dict[str, object]:
        """Worst case, probability-weighted expectation and the failures that hurt most."""
        f = self.failures
        if f.empty:
            return {"failures": 0, "worst_served_fraction": 1.0, "expected_served_fraction": 1.0,
                    "expected_shortfall_cost": 0.0, "expected_extra_cost": 0.0, "worst": []}
        w = f["probability"].to_numpy(float)
        w = w / w.sum() if w.sum() > 0 else np.full(len(f), 1.0 / len(f))
        worst = f.sort_values(["served_fraction", "shortfall_cost"], ascending=[True, False])
        return {
            "failures": len(f),
            "worst_served_fraction": float(f["served_fraction"].min()),
            "worst_failure": str(worst["failure"].iloc[0]),
            "expected_served_fraction": float(w @ f["served_fraction"].to_numpy()),
            "expected_shortfall_cost": float(w @ f["shortfall_cost"].to_numpy()),
            "expected_extra_cost": float(w @ f["extra_cost"].to_numpy()),
            "worst": worst["failure"].head(3).tolist(),
        }

    def served_matrix(self) -> pd.DataFrame:
        """Served fraction per failure (rows) and market (columns), for heatmaps."""
        s = self.shortfalls.groupby(["failure", "market"])[["demand", "shortfall"]].sum()
        served = (1 - s["shortfall"] / s["demand"]).unstack("market")
        return served.reindex(self.failures["failure"]).fillna(1.0)


def _design_failures(plan: Plan, net: Network, kinds: Iterable[str],
                     scenarios: bool) -> pd.DataFrame:
    """Failures touching the design: (failure, kind, element, probability)."""
    assert plan.model is not None
    kinds = tuple(kinds)
    bad = [k for k in kinds if k not in FAILURE_KINDS]
    if bad:
        raise ResilientSCError(f"failures {bad} unknown; use {', '.join(FAILURE_KINDS)}")
    s = plan.model.sets
    sub = replace(s, suppliers_table=s.suppliers_table.take(
                      np.flatnonzero(np.isin(s.suppliers_table["supplier"], plan.supplier_ids))),
                  hubs_table=s.hubs_table.take(np.flatnonzero(np.isin(s.hubs_table["hub"], plan.hub_ids))))
    single = single_failures(sub, kinds).assign(probability=np.nan)
    parts = [single]
    if scenarios and len(net.disruptions):
        d = net.disruptions
        parts.append(pd.DataFrame({"failure": "scenario:" + d["scenario"], "kind": d["kind"],
                                   "element": d["element"], "probability": d["probability"]}))
    return pd.concat(parts, ignore_index=True)


def emergency_penalty(model: NetworkModel) -> float:
    """Default shortfall penalty: 10 × the dearest supplier→hub→market path (money/unit),
    so re-routing is always preferred to shortfall when the capacity exists."""
    c = model.lm.objective()
    x, y = model.lm.variables["inbound_flow"], model.lm.variables["outbound_flow"]
    top = (x.values(c).max() if x.size else 0.0) + (y.values(c).max() if y.size else 0.0)
    return float(max(1.0, 10.0 * top))


def stress_test(network: Network, plan: Plan,
                failures: Iterable[str] = ("country", "hub", "supplier"),
                probabilities: Mapping[str, float] | None = None,
                penalty: float | None = None, scenarios: bool = True) -> StressResult:
    """Replay every single failure of the given kinds (and every ``disruptions`` scenario)
    on ``plan``'s fixed design, re-routing flows with shortfall penalised at ``penalty``.

    ``probabilities`` maps a failure name (``"country:CN"``) or element (``"CN"``) to its
    probability; unnamed failures get 0. Without a mapping, the ``disruptions`` table's
    probabilities weight the expectation (single failures weigh 0), or, with no such table,
    single failures are equally likely.
    """
    if plan.model is None:
        raise ResilientSCError("stress_test needs a plan from solve()")
    # no disruption recourse blocks: scenarios are replayed one by one below
    penalty_policy = Policy(shortfall_penalty=1.0, co2_price=plan.policy.co2_price, disruption_weight=0.0)
    model = build_model(network, penalty_policy)
    pi = float(penalty) if penalty is not None else emergency_penalty(model)
    u = model.lm.variables["shortfall"]
    model.lm.costs["shortfall"] = [(u.columns, np.full(u.size, pi))]
    table = _design_failures(plan, network, failures, scenarios)
    table["probability"] = _probabilities(table, probabilities)
    runner = _Replay(model, plan)
    base = runner.run(set(), set())
    rows, shorts = [], []
    names = table["failure"].drop_duplicates().tolist()
    for name in names:
        part = table.loc[table["failure"] == name]
        lost_s, lost_h = _lost_elements(model, part)
        res = runner.run(lost_s, lost_h)
        dem = res["demand"]
        rows.append({
            "failure": name, "kind": part["kind"].iloc[0] if len(part) == 1 else "scenario",
            "elements": ", ".join(part["element"].astype(str)),
            "probability": float(part["probability"].iloc[0]),
            "served_fraction": 1.0 - dem["shortfall"].sum() / dem["demand"].sum(),
            "worst_market": res["worst_market"], "worst_market_served": res["worst_served"],
            "shortfall": float(dem["shortfall"].sum()),
            "extra_cost": res["flow_cost"] - base["flow_cost"],
            "shortfall_cost": pi * float(dem["shortfall"].sum()),
        })
        rows[-1]["impact"] = rows[-1]["extra_cost"] + rows[-1]["shortfall_cost"]
        shorts.append(dem.assign(failure=name))
    cols = ["failure", "market", "product", "demand", "shortfall"]
    shortfalls = pd.concat(shorts, ignore_index=True)[cols] if shorts else pd.DataFrame(columns=cols)
    return StressResult(pd.DataFrame(rows, columns=[
        "failure", "kind", "elements", "probability", "served_fraction", "worst_market",
        "worst_market_served", "shortfall", "extra_cost", "shortfall_cost", "impact"]), shortfalls, pi)


def _probabilities(table: pd.DataFrame, probabilities: Mapping[str, float] | None) -> np.ndarray:
    given = table["probability"].to_numpy(float)
    if probabilities is None:
        single = np.isnan(given)
        if not single.all():  # the disruptions table's probabilities make the expectation
            return np.where(single, 0.0, given)
        return np.full(len(given), 1.0 / len(given)) if len(given) else given
    mapped = table["failure"].map(probabilities).fillna(table["element"].map(probabilities))
    return mapped.fillna(0.0).to_numpy(float)


def _lost_elements(model: NetworkModel, part: pd.DataFrame) -> tuple[set[str], set[str]]:
    s = model.sets
    lost_s: set[str] = set()
    lost_h: set[str] = set()
    for kind, element in zip(part["kind"], part["element"], strict=True):
        if kind == "supplier":
            lost_s.add(element)
        elif kind == "hub":
            lost_h.add(element)
        else:
            lost_s |= set(s.suppliers.loc[s.suppliers["country"] == element, "supplier"])
            lost_h |= set(s.hubs.loc[s.hubs["country"] == element, "hub"])
    return lost_s, lost_h


class _Replay:
    """One live HiGHS LP of a fixed design; failures change design-column bounds only."""

    def __init__(self, model: NetworkModel, plan: Plan):
        self.model = model
        lm = model.lm
        self.h: highspy.Highs = make_highs(lm, SolveOptions())
        n = lm.n_cols
        self.h.changeColsIntegrality(n, np.arange(n, dtype=np.int32), np.zeros(n, dtype=np.uint8))
        self.z, self.o = lm.variables["supplier_contracted"], lm.variables["hub_opened"]
        self.z_on = model.sets.suppliers["supplier"].isin(plan.supplier_ids).to_numpy(float)
        self.o_on = model.sets.hubs["hub"].isin(plan.hub_ids).to_numpy(float)

    def _fix(self, block, on: np.ndarray) -> None:
        idx = block.columns.astype(np.int32)
        self.h.changeColsBounds(len(idx), idx, on, on)

    def run(self, lost_s: set[str], lost_h: set[str]) -> dict[str, object]:
        s, lm = self.model.sets, self.model.lm
        self._fix(self.z, np.where(s.suppliers["supplier"].isin(lost_s), 0.0, self.z_on))
        self._fix(self.o, np.where(s.hubs["hub"].isin(lost_h), 0.0, self.o_on))
        with stdout_to_stderr():
            self.h.run()
        if self.h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            status = self.h.modelStatusToString(self.h.getModelStatus())
            raise ResilientSCError(f"stress test LP failed: {status}")
        x = np.asarray(self.h.getSolution().col_value)
        parts = lm.component_values(x)
        dem = s.demand[["market", "product", "demand"]].assign(
            shortfall=np.clip(lm.variables["shortfall"].values(x), 0.0, None))
        by_market = dem.groupby("market")[["demand", "shortfall"]].sum()
        served = 1.0 - by_market["shortfall"] / by_market["demand"]
        return {"flow_cost": float(sum(parts.get(c, 0.0) for c in FLOW_COMPONENTS)),
                "demand": dem, "worst_market": str(served.idxmin()), "worst_served": float(served.min())}
