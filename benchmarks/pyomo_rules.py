"""The base model written the way a typical pyomo user writes it: the baseline of bench_build.py.

``resilient_sc.solvers.pyomo.model_to_pyomo`` converts the already built sparse arrays to
pyomo; this module instead builds the same formulation (docs/formulation.md §2–4, the families of
``resilient_sc/model/base.py`` under ``Policy()``, strong links on) from scratch, as in a
pyomo textbook: a ``ConcreteModel`` with ``Set``s of tuples, ``Param``s initialised from
dicts, ``Var``s over those sets, one ``Constraint`` per family whose Python rule sums over
adjacency dicts prepared beforehand (one pass per table, so no rule scans a whole set),
and an ``Objective`` written as ``sum(...)``.

The lane expansion, tariffs and pruning are taken from ``build_sets``; turning its
DataFrames into Python dicts is part of the build, as it is for a user reading tables.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pandas as pd
import pyomo.environ as pyo

from resilient_sc.model.sets import Sets


def _keys(df: pd.DataFrame, cols: list[str]) -> list[Any]:
    """The rows of ``df`` on ``cols``: strings for one column, else tuples of strings."""
    if len(cols) == 1:
        return df[cols[0]].tolist()
    return list(zip(*(df[c].tolist() for c in cols), strict=True))


def _column_dict(df: pd.DataFrame, cols: list[str], value: str) -> dict[Any, Any]:
    """``{key: value}`` of a table, the key a string or a tuple of strings."""
    return dict(zip(_keys(df, cols), df[value].tolist(), strict=True))


def build_pyomo_rules(sets: Sets) -> pyo.ConcreteModel:
    """The base model of ``sets`` (built under ``Policy()``) as a rule-based pyomo ``ConcreteModel``.

    Names follow the library: variables ``supplier_contracted``, ``hub_opened``,
    ``inbound_flow``, ``outbound_flow``; constraints ``demand``, ``origin_balance``,
    ``supplier_capacity``, ``hub_capacity``, ``hub_link``; objective ``total_cost``.
    """
    # --- data: plain Python from the tables --------------------------------------------------
    suppliers = sets.suppliers["supplier"].tolist()
    hubs = sets.hubs["hub"].tolist()
    open_suppliers = set(sets.suppliers.loc[sets.suppliers["status"] == "open", "supplier"])
    open_hubs = set(sets.hubs.loc[sets.hubs["status"] == "open", "hub"])
    supplier_fixed = _column_dict(sets.suppliers, ["supplier"], "fixed_cost")
    hub_fixed = _column_dict(sets.hubs, ["hub"], "fixed_cost")
    hub_cap = _column_dict(sets.hubs, ["hub"], "capacity")
    handling = _column_dict(sets.hubs, ["hub"], "handling_cost")
    demand = _column_dict(sets.demand, ["market", "product"], "demand")
    supply_cap = _column_dict(sets.supply, ["supplier", "product"], "capacity")
    unit_cost = _column_dict(sets.supply, ["supplier", "product"], "unit_cost")
    inbound_lane = _column_dict(sets.inbound, ["supplier", "hub", "product"], "lane_cost")
    outbound_lane = _column_dict(sets.outbound, ["hub", "market", "product"], "lane_cost")
    tariff = _column_dict(sets.flows, ["hub", "market", "product", "origin"], "tariff")
    country = _column_dict(sets.suppliers, ["supplier"], "country")
    origins = _keys(sets.origins, ["hub", "product", "origin"])

    # adjacency: the terms of each constraint row, one pass per table
    x_of_supply: dict[tuple[str, str], list[str]] = defaultdict(list)  # (s,p) -> hubs
    x_of_hub: dict[str, list[tuple[str, str]]] = defaultdict(list)  # h -> (s,p)
    x_of_origin: dict[tuple[str, str, str], list[str]] = defaultdict(list)  # (h,p,c) -> suppliers
    for s, h, p in inbound_lane:
        x_of_supply[s, p].append(h)
        x_of_hub[h].append((s, p))
        x_of_origin[h, p, country[s]].append(s)
    y_of_demand: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)  # (m,p) -> (h,c)
    y_of_origin: dict[tuple[str, str, str], list[str]] = defaultdict(list)  # (h,p,c) -> markets
    y_of_outbound: dict[tuple[str, str, str], list[str]] = defaultdict(list)  # (h,m,p) -> origins
    for h, mk, p, c in tariff:
        y_of_demand[mk, p].append((h, c))
        y_of_origin[h, p, c].append(mk)
        y_of_outbound[h, mk, p].append(c)
    total_demand: dict[str, float] = defaultdict(float)
    for (_, p), d in demand.items():
        total_demand[p] += d
    reachable: dict[str, float] = defaultdict(float)  # demand a hub can reach: its big-M if unlimited
    for h, mk, p in outbound_lane:
        reachable[h] += demand[mk, p]

    # --- model -------------------------------------------------------------------------------
    m = pyo.ConcreteModel(name="resilient_sc base (pyomo rules)")
    m.S = pyo.Set(initialize=suppliers)
    m.H = pyo.Set(initialize=hubs)
    m.MP = pyo.Set(initialize=list(demand), dimen=2)
    m.SP = pyo.Set(initialize=[k for k in supply_cap if k in x_of_supply], dimen=2)
    m.X = pyo.Set(initialize=list(inbound_lane), dimen=3)
    m.Y = pyo.Set(initialize=list(tariff), dimen=4)
    m.O = pyo.Set(initialize=origins, dimen=3)
    m.L = pyo.Set(initialize=list(outbound_lane), dimen=3)

    m.supplier_fixed_cost = pyo.Param(m.S, initialize=supplier_fixed)
    m.hub_fixed_cost = pyo.Param(m.H, initialize=hub_fixed)
    m.hub_cap = pyo.Param(m.H, initialize={h: min(hub_cap[h], reachable[h]) for h in hubs})
    m.handling_cost = pyo.Param(m.H, initialize=handling)
    m.demand_units = pyo.Param(m.MP, initialize=demand)
    m.supply_cap = pyo.Param(m.SP, initialize={(s, p): min(supply_cap[s, p], total_demand[p])
                                               for s, p in m.SP})
    m.unit_cost = pyo.Param(m.SP, initialize={k: unit_cost[k] for k in m.SP})
    m.inbound_lane_cost = pyo.Param(m.X, initialize=inbound_lane)
    m.outbound_lane_cost = pyo.Param(m.L, initialize=outbound_lane)
    m.tariff = pyo.Param(m.Y, initialize=tariff)

    m.supplier_contracted = pyo.Var(m.S, within=pyo.Binary,
                                    bounds=lambda m, s: (1 if s in open_suppliers else 0, 1))
    m.hub_opened = pyo.Var(m.H, within=pyo.Binary, bounds=lambda m, h: (1 if h in open_hubs else 0, 1))
    m.inbound_flow = pyo.Var(m.X, within=pyo.NonNegativeReals)
    m.outbound_flow = pyo.Var(m.Y, within=pyo.NonNegativeReals)

    def demand_rule(m: pyo.ConcreteModel, mk: str, p: str) -> Any:
        return sum(m.outbound_flow[h, mk, p, c] for h, c in y_of_demand[mk, p]) == m.demand_units[mk, p]

    def origin_balance_rule(m: pyo.ConcreteModel, h: str, p: str, c: str) -> Any:
        return (sum(m.inbound_flow[s, h, p] for s in x_of_origin[h, p, c])
                - sum(m.outbound_flow[h, mk, p, c] for mk in y_of_origin[h, p, c]) == 0)

    def supplier_capacity_rule(m: pyo.ConcreteModel, s: str, p: str) -> Any:
        return (sum(m.inbound_flow[s, h, p] for h in x_of_supply[s, p])
                <= m.supply_cap[s, p] * m.supplier_contracted[s])

    def hub_capacity_rule(m: pyo.ConcreteModel, h: str) -> Any:
        return sum(m.inbound_flow[s, h, p] for s, p in x_of_hub[h]) <= m.hub_cap[h] * m.hub_opened[h]

    def hub_link_rule(m: pyo.ConcreteModel, h: str, mk: str, p: str) -> Any:
        return (sum(m.outbound_flow[h, mk, p, c] for c in y_of_outbound[h, mk, p])
                <= m.demand_units[mk, p] * m.hub_opened[h])

    m.demand = pyo.Constraint(m.MP, rule=demand_rule)
    m.origin_balance = pyo.Constraint(m.O, rule=origin_balance_rule)
    m.supplier_capacity = pyo.Constraint(m.SP, rule=supplier_capacity_rule)
    m.hub_capacity = pyo.Constraint(m.H, rule=hub_capacity_rule)
    m.hub_link = pyo.Constraint(m.L, rule=hub_link_rule)

    m.total_cost = pyo.Objective(sense=pyo.minimize, expr=(
        sum(m.supplier_fixed_cost[s] * m.supplier_contracted[s] for s in m.S)
        + sum(m.hub_fixed_cost[h] * m.hub_opened[h] for h in m.H)
        + sum((m.unit_cost[s, p] + m.handling_cost[h] + m.inbound_lane_cost[s, h, p])
              * m.inbound_flow[s, h, p] for s, h, p in m.X)
        + sum((m.outbound_lane_cost[h, mk, p] + m.tariff[h, mk, p, c]) * m.outbound_flow[h, mk, p, c]
              for h, mk, p, c in m.Y)))
    return m

