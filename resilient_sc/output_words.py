"""What each table of an analysis holds, in what units: one source for a report folder's
README.md (:mod:`resilient_sc.analysis.report`) and a result workbook's README sheet
(:mod:`resilient_sc.workbook`). A plan's and a roadmap's own tables are said in
:data:`PLAN_FILES` and :data:`resilient_sc.roadmap.ROADMAP_FILES`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .format import money

#: what each file of a saved plan holds, in what units (its folder's README.md)
PLAN_FILES = {
    "plan.json": "status, cost (`objective`, money), `bound` and `gap`, suppliers and hubs, the cost "
                 "breakdown, emissions (CO2 units), delivery per product (units of that product), shares "
                 "and the policy, how the solver got there (`report`) and the data's `warnings` when it has "
                 "some (also under this file list)",
    "cost_breakdown.csv": "each cost component (money) and `share_of_total` (a fraction of the plan's cost)",
    "suppliers_contracted.csv": "each supplier contracted: country, `fixed_cost` (money), `status` (the "
                                "data's: candidate, existing or open; every one listed is contracted), and "
                                "the volume bought of each product (units of that product)",
    "hubs_opened.csv": "each hub opened: country, `fixed_cost` (money), `status` (the data's; every one "
                       "listed is open), the throughput of each "
                       "product (units of that product), then the throughput of all products and the "
                       "capacity, both counting every product's units summed, and `utilisation` (a "
                       "fraction)",
    "inbound_flows.csv": "supplier → hub flows: `quantity` (in the product's `unit`)",
    "outbound_flows.csv": "hub → market flows by `origin` country: `quantity` (in the product's `unit`)",
    "market_shares.csv": "per market and product: `demand`, `delivered`, `shortfall` (in the "
                         "product's `unit`); `local_share` (made in the market's region), `allied_share` "
                         "(made in the market's own country or its allies, docs/conventions.md §8.1) and "
                         "`top_foreign_share` (made in `top_foreign_country`, the largest foreign origin), "
                         "each a fraction of the demand, not of what is delivered",
    "country_shares.csv": "per market, product and origin country: `quantity` (in the product's `unit`) and "
                          "`share`, a fraction of the market's demand of the product",
    "supplier_shares.csv": "per supplier and product: `quantity` bought (in the product's `unit`) and "
                           "`share`, a fraction of the product's total demand",
    "timings.csv": "the seconds of each step (`build_time`: the model; `solve_time`: the whole solve, split "
                   "in `report.*`: the route's choice and solver model, the solver, the certificate, a MIP "
                   "start): the one file that differs between two runs of the same inputs",
}


def one_unit(product: str, name: str = "units") -> str:
    """One unit of ``product``, as a price per unit names it (``name``: the products table's unit).

    >>> one_unit("pump"), one_unit("steel", "t")
    ('unit of pump', 'unit of steel (t)')
    """
    return f"unit of {product}" + (f" ({name})" if name != "units" else "")


#: a hub's capacity and throughput count inbound quantities of all products together (the data
#: contract): in the unit all products share, else in units of every product summed (:func:`hub_totals`)
HUB_CAPACITY = "capacity, all products ({} summed over products)"
HUB_THROUGHPUT = "throughput, all products ({}, summed as the hub capacity counts them)"


def hub_totals(units: Mapping[str, str]) -> dict[str, str]:
    """The headers of a hub's ``throughput`` and ``capacity`` of all products, whose units are
    ``units`` (each product's): in the unit they all share, else in units summed.

    >>> hub_totals({"a": "t", "b": "t"})["capacity"]
    'capacity, all products (t summed over products)'
    >>> hub_totals({"a": "t", "b": "m3"})["throughput"]
    'throughput, all products (units, summed as the hub capacity counts them)'
    """
    shared = set(units.values())
    unit = shared.pop() if len(shared) == 1 else "units"
    return {"throughput": HUB_THROUGHPUT.format(unit), "capacity": HUB_CAPACITY.format(unit)}

#: the stress test's default penalty per unit of a product short: its unit value plus this multiple of
#: the dearest supplier→hub→market path for it (:func:`~resilient_sc.analysis.stress.default_penalties`)
PATH_MULTIPLE = 10
#: that default, in words
DEFAULT_PENALTY = f"unit_value + {PATH_MULTIPLE} × its dearest supplier→hub→market path"
#: what the stress test's default penalties are, and are not
DEFAULT_PRICE_WORDS = ("set so that every unit the design can deliver is delivered, not an estimate of what "
                       "a unit short costs")


#: the units of a report's stress tables
FRACTIONS = "fractions, 0-1"
COSTS = "extra_cost, shortfall_cost and impact (money)"
#: a stress test's tables beside its failures (``stress_<key>``), after "per failure"
STRESS_ROWS = {"products": " and product: demand and shortfall (units of that product), served (fraction), "
                           "shortfall_cost (money)",
               "shortfalls": ", market and product: demand, shortfall (units), served (fraction)"}
#: a premium table (``premium.csv``, the workbook's ``premium``)
PREMIUM_TABLE = ("one row per policy: cost, premium and network_cost (money), premium_pct and "
                 f"network_premium_pct (% of the base's cost), served fractions and shares ({FRACTIONS}: "
                 "intact_served with nothing failed, worst_served under the worst of every failure "
                 "replayed, expected_value_served given what expected_conditional_on says; "
                 "max_foreign_share: the largest share of one foreign country in one market's demand of "
                 "one product, what max_country_share caps); expected_shortfall_cost at each design's "
                 f"stress test prices: by default {DEFAULT_PRICE_WORDS}")


def penalty_prices(stress: Any) -> str:
    """Each product's penalty per unit short of a StressResult, in its unit: ``797.70 per unit of
    cells (kWh)``."""
    return ", ".join(f"{money(v)} per {one_unit(p, stress.units.get(p, 'units'))}"
                     for p, v in stress.penalties.items())


def prices_words(stress: Any) -> str:
    """What a stress test's shortfall costs are priced at: the penalties given, or the defaults
    and what they are not (a planner took 72 million of default-priced shortfall for money at
    risk)."""
    if stress.priced:
        return f"the penalties given, {penalty_prices(stress)}"
    return f"the stress test's default prices ({penalty_prices(stress)}; {DEFAULT_PRICE_WORDS})"


def path_premium_words(weighting: str) -> str:
    """What a premium table of roadmap paths holds (``weighting``: how its shares weigh markets)."""
    return ("one row per policy path: cost (Σ weight × period cost) and premium (money), premium_pct (% of "
            "the reference path's cost); per period, cost <period> (money, unweighted) and premium_pct "
            "<period> (already in %); starts and stops over the path; n_suppliers, n_hubs, shares and "
            f"top_country of the last period only (shares: fractions of demand{', ' * bool(weighting)}"
            f"{weighting}; "
            "top_country: the origin country of the largest share of all demand, its own markets "
            "included; top_country_share: that share)")


def path_frontier_words(weighting: str) -> str:
    """What an end-year frontier table holds (``weighting``: how its shares weigh markets)."""
    return ("one row per target of the field in the last period (the earlier periods' targets kept): "
            "status and gap, cost (Σ weight × period cost) and premium (money), premium_pct (% of the "
            "cost-optimal path's cost); per period, cost <period> (money, unweighted) and premium_pct "
            "<period> (already in %); starts and stops over the path; n_suppliers, n_hubs, shares and "
            f"top_country of the last period only (shares: fractions of demand{', ' * bool(weighting)}"
            f"{weighting}); reason: why a target has no path")


def is_path_table(df: Any) -> bool:
    """Whether a premium or frontier table (a DataFrame) is of roadmap paths (it has a ``cost
    <period>`` column).

    >>> import pandas as pd
    >>> is_path_table(pd.DataFrame(columns=["policy", "cost", "cost 2027"])), is_path_table(pd.DataFrame())
    (True, False)
    """
    return any(str(c).startswith("cost ") for c in df.columns)


def stress_failures_words(guarantee: str = "guaranteed") -> str:
    """What a stress test's failures table holds; ``guarantee``: what its worst_served is."""
    return (f"worst_served ({guarantee}) and value_served ({FRACTIONS}), {COSTS}; probability: a "
            "disruption scenario's, from the data (blank for a single failure), expectation_weight: "
            "the failure's weight in the expected figures (fraction, summing to 1 over the failures; a "
            "roadmap's over each period's)")


def frontier_words(served: str = "") -> str:
    """What a frontier table holds; ``served``: its worst_served column, said, when it has one."""
    return ("one row per value: status and gap (a plan not proven optimal: its cost is within "
            "that fraction of the best possible), cost, premium and network_cost (money), "
            "premium_pct and network_premium_pct (% of the reference's cost), intact_served "
            "(the demand delivered with nothing failed, weighted as the shares; fraction, "
            f"0-1){served}, local_share and allied_share (fractions of demand), n_suppliers, "
            "n_hubs, worst_failure")
