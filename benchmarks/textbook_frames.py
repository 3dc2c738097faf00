"""An independent textbook extensive form of the resilient_sc model, built from the raw tables.

It reads only the data frames of a network (``network.frames()``: a dict of pandas DataFrames)
and the fields of a policy (``policy.to_dict()``); nothing of ``resilient_sc`` is imported, so
its lanes, tariffs, origin expansion and pruning are a second reading of the contract
(../shared/MODEL.md) against which the library's own model can be checked.

What it models (MODEL.md sections 1-5b with the conventions of section 8):

* decisions (§2): binaries ``z[s]`` (supplier contracted), ``o[h]`` (hub opened); flows
  ``x[s,h,p]`` and origin-tracked ``y[h,m,p,c]``, created only where lanes, capacity and demand
  let them carry flow (``c`` ranges over the supplier countries that reach hub ``h`` with ``p``);
* base (§3): ``Σ y[.,m,p,.] (+ u[m,p]) = demand[m,p]``; origin balance per (h, p, c);
  ``Σ_h x[s,h,p] ≤ capacity[s,p]·z[s]``; ``Σ x[.,h,.] ≤ capacity[h]·o[h]`` (no row when the
  capacity is unlimited); strong links ``Σ_c y[h,m,p,c] ≤ demand[m,p]·o[h]``;
* objective (§4): fixed costs + (unit cost + inbound lane + handling)·x
  + (outbound lane + tariff rate·unit_value)·y + shortfall_penalty·u; a lane or tariff row
  for a product overrides the ``all`` row (§8.9); a missing tariff is 0 (§8.10);
* policy (§5, scalars only): ``min_local_share``, ``min_allied_share``, ``max_country_share``,
  ``single_sourcing``, and ``survive`` with ``service_level``: one recourse block per single
  failure, ``x^f, y^f`` through the surviving design delivering ≥ β·demand at no cost (§8.5);
* disruption-aware design (§5b): with ``shortfall_penalty`` π and a ``disruptions`` table,
  one recourse block per scenario with shortfall ``u^f``, costing
  ``disruption_weight · probability · (flow cost + π·Σu^f)`` (tariffs ignored in recourse).

Recourse flows are tied to the design by supplier capacity·z and hub capacity·o; through a
hub of unlimited capacity by ``y^f[h,m,p] ≤ demand[m,p]·o[h]`` instead (valid: a feasible
recourse can always be thinned to at most the demand on each lane).

Demand that no lane can reach stays in the model, whose demand row is then infeasible (or
met by shortfall). Everything else raises ``NotImplementedError`` naming the field: other
policy fields (co2, min/max hubs, supplier counts and shares, region shares, excluded
countries), mappings as policy values, periods, statuses other than ``candidate``, and
opening/closing costs or lead times.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import highspy
import numpy as np
import pandas as pd

INF = highspy.kHighsInf
SUPPORTED_FIELDS = frozenset({"min_local_share", "min_allied_share", "max_country_share", "survive",
                              "service_level", "single_sourcing", "shortfall_penalty", "disruption_weight"})
FAILURE_KINDS = ("supplier", "hub", "country")
STATUS = {highspy.HighsModelStatus.kOptimal: "optimal", highspy.HighsModelStatus.kInfeasible: "infeasible",
          highspy.HighsModelStatus.kTimeLimit: "time_limit"}

Key = tuple[str, ...]


def _blank(values: pd.Series) -> pd.Series:
    return values.isna() | (values.astype("string").str.strip() == "")


def _lookup(frame: pd.DataFrame, keys: str | list[str], value: str) -> dict[Any, Any]:
    """``{key: value}`` over the rows of ``frame`` (tuple keys for several key columns)."""
    if (duplicated := frame.duplicated(keys)).any():
        raise ValueError(f"duplicate rows for {keys}: {frame[duplicated].head(3).to_dict('records')}")
    return frame.set_index(keys)[value].to_dict()


def _expand(frame: pd.DataFrame, keys: list[str], value: str, products: list[str]) -> dict[Key, float]:
    """Per-product values: an ``all`` row holds for every product, a product's own row overrides it."""
    general = frame[frame["product"] == "all"]
    result = {(*key, p): float(v) for key, v in _lookup(general, keys, value).items() for p in products}
    specific = frame[frame["product"] != "all"]
    return result | {key: float(v) for key, v in _lookup(specific, [*keys, "product"], value).items()}


def _reject_unmodelled_data(frames: Mapping[str, pd.DataFrame]) -> None:
    if len(frames["periods"]):
        raise NotImplementedError("periods: multi-period roadmaps (MODEL.md §9) are not modelled")
    for name, frame in frames.items():
        if "period" in frame and not _blank(frame["period"]).all():
            raise NotImplementedError(f"{name}.period: period-specific rows are not modelled")
    for name in ("suppliers", "hubs"):
        frame = frames[name]
        if statuses := set(frame["status"]) - {"candidate"}:
            raise NotImplementedError(f"{name}.status {sorted(statuses)}: only 'candidate' is modelled")
        for column in ("opening_cost", "closing_cost", "lead_time"):
            if (frame[column] != 0).any():
                raise NotImplementedError(f"{name}.{column}: non-zero values are not modelled")


@dataclass
class Data:
    """The network's tables as dictionaries, with 'all' rows expanded and zero rows dropped."""

    products: list[str]
    unit_value: dict[str, float]
    region: dict[str, str]
    bloc: dict[str, str]
    supplier_country: dict[str, str]
    hub_country: dict[str, str]
    market_country: dict[str, str]
    fixed_cost: dict[str, float]  # suppliers and hubs
    hub_capacity: dict[str, float]
    handling_cost: dict[str, float]
    capacity: dict[Key, float]  # (supplier, product), > 0 only
    unit_cost: dict[Key, float]
    demand: dict[Key, float]  # (market, product), > 0 only
    lane_cost: dict[Key, float]  # (origin, destination, product)
    tariff_rate: dict[Key, float]  # (origin country, destination country, product)
    scenarios: list[tuple[float, set[str], set[str]]] = field(default_factory=list)  # (prob, lost s, lost h)

    def lost_in(self, country: str) -> tuple[set[str], set[str]]:
        return ({s for s, c in self.supplier_country.items() if c == country},
                {h for h, c in self.hub_country.items() if c == country})


def read_frames(frames: Mapping[str, pd.DataFrame]) -> Data:
    """The tables of ``frames`` (as ``network.frames()`` gives them: every column present, blanks
    filled) as a :class:`Data`; raises ``NotImplementedError`` for data features not modelled."""
    _reject_unmodelled_data(frames)
    supply, demand = frames["supplier_products"], frames["demand"]
    suppliers, hubs = frames["suppliers"], frames["hubs"]
    unit_value = {p: float(v) for p, v in _lookup(frames["products"], "product", "unit_value").items()}
    products = list(unit_value)
    data = Data(
        products=products, unit_value=unit_value,
        region=_lookup(frames["countries"], "country", "region"),
        bloc=_lookup(frames["countries"].fillna({"bloc": ""}), "country", "bloc"),
        supplier_country=_lookup(suppliers, "supplier", "country"),
        hub_country=_lookup(hubs, "hub", "country"),
        market_country=_lookup(frames["markets"], "market", "country"),
        fixed_cost=_lookup(suppliers, "supplier", "fixed_cost") | _lookup(hubs, "hub", "fixed_cost"),
        hub_capacity=_lookup(hubs.fillna({"capacity": math.inf}), "hub", "capacity"),  # blank = unlimited
        handling_cost=_lookup(hubs, "hub", "handling_cost"),
        capacity=_lookup(supply[supply["capacity"] > 0], ["supplier", "product"], "capacity"),
        unit_cost=_lookup(supply, ["supplier", "product"], "unit_cost"),
        demand=_lookup(demand[demand["demand"] > 0], ["market", "product"], "demand"),
        lane_cost=_expand(frames["lanes"], ["origin", "destination"], "unit_cost", products),
        tariff_rate=_expand(frames["tariffs"], ["origin_country", "destination_country"], "rate", products))
    for name, rows in frames["disruptions"].groupby("scenario", sort=False):
        if rows["probability"].nunique() != 1:
            raise ValueError(f"scenario {name!r} has several probabilities")
        lost_suppliers: set[str] = set()
        lost_hubs: set[str] = set()
        for kind, element in rows[["kind", "element"]].itertuples(index=False):
            if kind not in FAILURE_KINDS:
                raise ValueError(f"disruption kind {kind!r} is not one of {FAILURE_KINDS}")
            in_country = data.lost_in(element) if kind == "country" else (set(), set())
            lost_suppliers |= {element} if kind == "supplier" else in_country[0]
            lost_hubs |= {element} if kind == "hub" else in_country[1]
        data.scenarios.append((float(rows["probability"].iloc[0]), lost_suppliers, lost_hubs))
    return data


class _Builder:
    """Columns and rows of a MIP, gathered one at a time and handed to HiGHS in one piece."""

    def __init__(self) -> None:
        self.cost: list[float] = []
        self.binary: list[bool] = []
        self.bounds: tuple[list[float], list[float]] = ([], [])
        self.starts: list[int] = []  # compressed rows
        self.indices: list[int] = []
        self.values: list[float] = []

    def column(self, cost: float, binary: bool = False) -> int:
        self.cost.append(cost)
        self.binary.append(binary)
        return len(self.cost) - 1

    def row(self, coefficients: Mapping[int, float], lower: float, upper: float) -> None:
        self.starts.append(len(self.indices))
        self.indices.extend(coefficients)
        self.values.extend(coefficients.values())
        self.bounds[0].append(lower)
        self.bounds[1].append(upper)

    def to_highs(self) -> highspy.Highs:
        highs = highspy.Highs()
        highs.setOptionValue("output_flag", False)
        n = len(self.cost)
        no_entries = np.zeros(0, dtype=np.int32)
        highs.addCols(n, np.array(self.cost), np.zeros(n), np.where(self.binary, 1.0, INF), 0, no_entries,
                      no_entries, np.zeros(0))
        highs.changeColsIntegrality(n, np.arange(n, dtype=np.int32), np.array(
            [highspy.HighsVarType.kInteger if b else highspy.HighsVarType.kContinuous for b in self.binary]))
        highs.addRows(len(self.starts), np.array(self.bounds[0]), np.array(self.bounds[1]), len(self.indices),
                      np.array(self.starts, dtype=np.int32), np.array(self.indices, dtype=np.int32),
                      np.array(self.values, dtype=float))
        return highs


def _grouped(items: Iterable[tuple[Key, int]], *positions: int) -> dict[Key, dict[int, float]]:
    """Sum-rows: the columns of ``items`` grouped by the key entries at ``positions``, coefficient 1."""
    groups: dict[Key, dict[int, float]] = defaultdict(dict)
    for key, col in items:
        groups[tuple(key[i] for i in positions)][col] = 1.0
    return groups


def _policy_fields(policy: Any) -> dict[str, Any]:
    fields = {name: value for name, value in policy.to_dict().items() if value is not None}
    for name, value in fields.items():
        if name not in SUPPORTED_FIELDS:
            raise NotImplementedError(f"policy field {name!r} is not modelled")
        if isinstance(value, Mapping):
            raise NotImplementedError(f"policy field {name!r} as a mapping is not modelled (scalars only)")
    if unknown := set(fields.get("survive", ())) - set(FAILURE_KINDS):
        raise ValueError(f"survive: unknown failure kinds {sorted(unknown)}")
    return fields


def build(frames: Mapping[str, pd.DataFrame], policy: Any) -> highspy.Highs:
    """The extensive form of ``policy`` on the network's ``frames``, loaded into a HiGHS instance."""
    fields = _policy_fields(policy)
    return _Textbook(read_frames(frames), fields).mip.to_highs()


class _Textbook:
    """The design (§2-5) and its recourse blocks (§5 survive, §5b), written into ``self.mip``."""

    def __init__(self, data: Data, fields: Mapping[str, Any]) -> None:
        self.data, self.fields, self.mip = data, fields, _Builder()
        mip, d = self.mip, data.demand
        self.z = {s: mip.column(data.fixed_cost[s], binary=True) for s in data.supplier_country}
        self.o = {h: mip.column(data.fixed_cost[h], binary=True) for h in data.hub_country}
        self.x = {(s, h, p): mip.column(data.unit_cost[s, p] + cost + data.handling_cost[h])
                  for (s, h, p), cost in data.lane_cost.items() if (s, p) in data.capacity and h in self.o}
        origins: dict[Key, set[str]] = defaultdict(set)  # (hub, product) -> supplier countries reaching it
        for s, h, p in self.x:
            origins[h, p].add(data.supplier_country[s])
        self.y = {(h, m, p, c): mip.column(cost + data.unit_value[p]
                                           * data.tariff_rate.get((c, data.market_country[m], p), 0.0))
                  for (h, m, p), cost in data.lane_cost.items() if (m, p) in d for c in sorted(origins[h, p])}
        self.outbound = sorted({(h, m, p) for h, m, p, _ in self.y})
        penalty = fields.get("shortfall_penalty")
        delivered = _grouped(self.y.items(), 1, 2)
        for key, amount in d.items():
            shortfall = {mip.column(penalty): 1.0} if penalty is not None else {}
            mip.row(delivered.get(key, {}) | shortfall, amount, amount)  # unreachable: empty row, infeasible
        balance: dict[Key, dict[int, float]] = defaultdict(dict)
        for (s, h, p), col in self.x.items():
            balance[h, p, data.supplier_country[s]][col] = 1.0
        for (h, _, p, c), col in self.y.items():
            balance[h, p, c][col] = -1.0
        for coefficients in balance.values():
            mip.row(coefficients, 0.0, 0.0)
        self.capacity_rows(self.x)
        for (h, m, p), cols in _grouped(self.y.items(), 0, 1, 2).items():  # strong links
            mip.row(cols | {self.o[h]: -d[m, p]}, -INF, 0.0)
        self.share_rows()
        if fields.get("single_sourcing"):
            self.single_sourcing()
        for kind in fields.get("survive", ()):
            for lost_suppliers, lost_hubs in self.failures(kind):
                self.recourse(lost_suppliers, lost_hubs, service_level=fields.get("service_level", 1.0))
        if penalty is not None:
            for probability, lost_suppliers, lost_hubs in data.scenarios:
                self.recourse(lost_suppliers, lost_hubs, penalty=penalty,
                              weight=fields.get("disruption_weight", 1.0) * probability)

    def capacity_rows(self, x: Mapping[Key, int]) -> set[str]:
        """Supplier capacity·z per (s, p) and hub throughput·o per hub of finite capacity, for flows
        ``x`` keyed (s, h, p); returns the hubs of unlimited capacity (no row: they need links)."""
        for (s, p), cols in _grouped(x.items(), 0, 2).items():
            self.mip.row(cols | {self.z[s]: -self.data.capacity[s, p]}, -INF, 0.0)
        unlimited = set()
        for (h,), cols in _grouped(x.items(), 1).items():
            if math.isfinite(capacity := self.data.hub_capacity[h]):
                self.mip.row(cols | {self.o[h]: -capacity}, -INF, 0.0)
            else:
                unlimited.add(h)
        return unlimited

    def share_rows(self) -> None:
        """§5 shares per (market, product) over origin countries c (§8.1-8.3)."""
        data, fields = self.data, self.fields
        flows: dict[Key, list[tuple[str, int]]] = defaultdict(list)
        for (_, m, p, c), col in self.y.items():
            flows[m, p].append((c, col))
        for (m, p), amount in data.demand.items():
            home = data.market_country[m]
            if (local := fields.get("min_local_share")) is not None:
                local_flows = {col: 1.0 for c, col in flows[m, p] if data.region[c] == data.region[home]}
                self.mip.row(local_flows, local * amount, INF)
            if (allied := fields.get("min_allied_share")) is not None:
                bloc = data.bloc[home]  # "" is no bloc (§8.1)
                allies = {home} | {c for c, b in data.bloc.items() if bloc and b == bloc}
                self.mip.row({col: 1.0 for c, col in flows[m, p] if c in allies}, allied * amount, INF)
            if (cap := fields.get("max_country_share")) is not None:
                for cols in _grouped((((c,), col) for c, col in flows[m, p] if c != home), 0).values():
                    self.mip.row(cols, -INF, cap * amount)

    def single_sourcing(self) -> None:
        """Each market served by one hub: Σ_h a[h,m] = 1, Σ_{p,c} y ≤ (Σ_p demand)·a, a ≤ o."""
        total: dict[str, float] = defaultdict(float)
        for (m, _), amount in self.data.demand.items():
            total[m] += amount
        served = _grouped(self.y.items(), 0, 1)
        assign = {(h, m): self.mip.column(0.0, binary=True) for h, m in served}
        hubs_of = _grouped(assign.items(), 1)
        for m in total:
            self.mip.row(hubs_of.get((m,), {}), 1.0, 1.0)  # empty when no hub reaches m: infeasible
        for (h, m), cols in served.items():
            self.mip.row(cols | {assign[h, m]: -total[m]}, -INF, 0.0)
            self.mip.row({assign[h, m]: 1.0, self.o[h]: -1.0}, -INF, 0.0)

    def failures(self, kind: str) -> list[tuple[set[str], set[str]]]:
        """The single failures of ``kind`` (§8.5) that lose at least one element able to carry flow."""
        data = self.data
        if kind == "supplier":
            failures = [({s}, set()) for s in data.supplier_country]
        elif kind == "hub":
            failures = [(set(), {h}) for h in data.hub_country]
        else:
            countries = set(data.supplier_country.values()) | set(data.hub_country.values())
            failures = [data.lost_in(c) for c in sorted(countries)]
        carrying_suppliers, carrying_hubs = {s for s, _, _ in self.x}, {h for _, h, _ in self.x}
        return [(s, h) for s, h in failures if s & carrying_suppliers or h & carrying_hubs]

    def recourse(self, lost_suppliers: set[str], lost_hubs: set[str], *, service_level: float = 1.0,
                 penalty: float | None = None, weight: float = 0.0) -> None:
        """Recourse flows x^f, y^f (no origin tracking) through the design without the lost elements.

        N-1 survival: deliver ≥ ``service_level``·demand, at no cost. Scenario (``penalty`` π set):
        deliver demand − u^f, costing ``weight`` · (flow cost + π·u^f)."""
        mip, data, costed = self.mip, self.data, penalty is not None
        x_f = {(s, h, p): mip.column(weight * mip.cost[col] if costed else 0.0)
               for (s, h, p), col in self.x.items() if s not in lost_suppliers and h not in lost_hubs}
        y_f = {(h, m, p): mip.column(weight * data.lane_cost[h, m, p] if costed else 0.0)
               for h, m, p in self.outbound if h not in lost_hubs}
        balance: dict[Key, dict[int, float]] = defaultdict(dict)
        for (_, h, p), col in x_f.items():
            balance[h, p][col] = 1.0
        for (h, _, p), col in y_f.items():
            balance[h, p][col] = -1.0
        for coefficients in balance.values():
            mip.row(coefficients, 0.0, 0.0)
        unlimited = self.capacity_rows(x_f)
        for (h, m, p), col in y_f.items():
            if h in unlimited:  # no throughput row ties this hub to o[h]: link its lanes instead
                mip.row({col: 1.0, self.o[h]: -data.demand[m, p]}, -INF, 0.0)
        delivered = _grouped(y_f.items(), 1, 2)
        for key, amount in data.demand.items():
            if penalty is not None:
                mip.row(delivered.get(key, {}) | {mip.column(weight * penalty): 1.0}, amount, amount)
            else:
                mip.row(delivered.get(key, {}), service_level * amount, INF)


def solve(frames: Mapping[str, pd.DataFrame], policy: Any, time_limit: float = 300.0, threads: int = 1,
          mip_gap: float = 1e-6) -> dict[str, Any]:
    """Build and solve; ``status`` is ``optimal``, ``infeasible``, ``time_limit`` or HiGHS's own word."""
    highs = build(frames, policy)
    for option, value in {"mip_rel_gap": mip_gap, "time_limit": float(time_limit), "threads": int(threads),
                          "random_seed": 0}.items():
        highs.setOptionValue(option, value)
    # HiGHS keeps one thread pool per calling thread and refuses a run asking another size: renew it
    highspy.Highs.resetGlobalScheduler(True)
    if highs.run() == highspy.HighsStatus.kError:
        raise RuntimeError(f"HiGHS failed: {highs.modelStatusToString(highs.getModelStatus())}")
    info, status = highs.getInfo(), highs.getModelStatus()
    found = info.primal_solution_status == highspy.SolutionStatus.kSolutionStatusFeasible
    return {"status": STATUS.get(status, highs.modelStatusToString(status)),
            "objective": float(info.objective_function_value) if found else math.inf,
            "bound": float(info.mip_dual_bound), "gap": float(info.mip_gap) if found else math.inf}
