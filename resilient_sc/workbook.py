"""The plan workbook a planner can hand on: summary, suppliers, hubs, flows, shares, and
optionally the premium table, stress-test failures and a frontier, one sheet each.

Sheets have a bold frozen header with filters, fitted column widths, money and quantities
with thousands separators and fractions as percentages (:func:`resilient_sc.io.write_excel`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from . import io

if TYPE_CHECKING:
    from .analysis.stress import StressResult
    from .results import Plan


def _cell(value: Any) -> Any:
    """A summary value as one spreadsheet cell: numbers stay numbers, the rest becomes text."""
    if isinstance(value, bool) or value is None:
        return str(value).lower() if isinstance(value, bool) else ""
    if isinstance(value, int | float):
        return value if math.isfinite(value) else ""
    if isinstance(value, Mapping | list | tuple):
        return json.dumps(value if isinstance(value, Mapping) else list(value))
    return str(value)


def summary_table(plan: Plan) -> pd.DataFrame:
    """Item/value rows: status, cost, gap, shares, every cost component and the policy."""
    s = plan.shares
    source = plan.model.network.source if plan.model is not None else ""
    rows: list[tuple[str, Any]] = [
        ("status", plan.status.value),
        ("total cost", plan.objective),
        ("bound", plan.bound),
        ("gap (%)", 100 * plan.gap),
        ("suppliers contracted", len(plan.suppliers)),
        ("hubs opened", len(plan.hubs)),
        ("demand (units)", float(s["demand"].sum())),
        ("delivered (units)", float(s["delivered"].sum())),
        ("shortfall (units)", float(s["shortfall"].sum())),
        ("local share (%)", 100 * plan.overall_share("local_share")),
        ("allied share (%)", 100 * plan.overall_share("allied_share")),
        ("emissions (CO2)", plan.emissions),
        *((f"cost: {k}", float(v)) for k, v in plan.breakdown.items()),
    ]
    policy = plan.policy.to_dict()
    rows += [(f"policy: {k}", v) for k, v in policy.items()] or [("policy", "none (cost-optimal base)")]
    rows += [("data", source), ("build time (s)", plan.build_time), ("solve time (s)", plan.solve_time)]
    return pd.DataFrame({"item": [r[0] for r in rows], "value": [_cell(r[1]) for r in rows]},
                        dtype=object)


def plan_sheets(plan: Plan) -> dict[str, pd.DataFrame]:
    """The sheets of a plan: ``summary`` and the tables of :meth:`Plan.tables` (CSV names)."""
    tables = plan.tables()
    cost = tables["cost_breakdown"]
    total = cost["cost"].sum()
    tables["cost_breakdown"] = cost.assign(share_of_total=cost["cost"] / total if total else 0.0)
    return {"summary": summary_table(plan), **tables}


def stress_sheets(stress: StressResult | pd.DataFrame) -> dict[str, pd.DataFrame]:
    """``stress_failures`` (worst served first) and, for a StressResult, ``stress_shortfalls``
    (the markets left short under each failure)."""
    failures = stress if isinstance(stress, pd.DataFrame) else stress.failures
    if "served_fraction" in failures:
        failures = failures.sort_values("served_fraction", kind="stable")
    sheets = {"stress_failures": failures.reset_index(drop=True)}
    if not isinstance(stress, pd.DataFrame):
        short = stress.shortfalls
        sheets["stress_shortfalls"] = short.loc[short["shortfall"] > 1e-6].reset_index(drop=True)
    return sheets


def write_workbook(path: str | Path, plan: Plan | None = None, premium_table: pd.DataFrame | None = None,
                   stress: StressResult | pd.DataFrame | None = None,
                   frontier: pd.DataFrame | None = None) -> Path:
    """Write one ``.xlsx`` workbook, atomically, with the sheets of whatever is given:

    * ``plan``: ``summary`` (status, cost, gap, shares, cost components, policy),
      ``cost_breakdown``, ``suppliers_contracted``, ``hubs_opened``, ``inbound_flows``,
      ``outbound_flows``, ``market_shares`` (local, allied and top foreign country per
      market and product), ``country_shares``, ``supplier_shares``;
    * ``premium_table`` (from :func:`resilient_sc.premium`): ``premium``;
    * ``stress`` (a :class:`~resilient_sc.analysis.StressResult` or its ``failures``):
      ``stress_failures`` and ``stress_shortfalls``;
    * ``frontier`` (from :func:`resilient_sc.frontier`): ``frontier``.
    """
    path = Path(path)
    sheets: dict[str, pd.DataFrame] = {}
    if plan is not None:
        sheets.update(plan_sheets(plan))
    if premium_table is not None:
        sheets["premium"] = premium_table
    if stress is not None:
        sheets.update(stress_sheets(stress))
    if frontier is not None:
        sheets["frontier"] = frontier
    if not sheets:
        raise ValueError("write_workbook needs a plan, a premium table, a stress test or a frontier")
    io.write_excel(path, sheets)
    return path
