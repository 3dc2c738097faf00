"""Wording of the explanations: shares, lists, policy fields, failures, labels."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..format import and_first, and_list, field_text, quantity, summed_units

if TYPE_CHECKING:
    from ..data import Network
    from ..model.build import NetworkModel
    from ..policy import Policy

# ---- explanations of a conflict ---------------------------------------------------------------
#: the share requirements and caps, explained market by market (max_region_share: across
#: markets, per product; a market's own limits leave its region caps out, an upper bound)
SHARES = ("min_local_share", "min_allied_share", "max_country_share", "max_supplier_share",
          "max_region_share")
#: rows that only keep the books (flow balances, links); never named to a planner
INTERNAL = ("origin_balance", "hub_link", "assign_flow", "assign_open", "survive_balance")
#: relative tolerance of the comparisons of units
TOL = 1e-6


# ---- wording ----------------------------------------------------------------------------------
def quantity_of(network: Network, product: str) -> str:
    """What a quantity of ``product`` is counted in, named: ``units of 'chips'``, ``t of 'steel'``
    (the products table's ``unit``)."""
    return f"{network.unit_of(product)} of {product!r}"


def units_of(products: list[str], network: Network) -> str:
    """:func:`~resilient_sc.format.summed_units` of ``products`` in ``network``."""
    return summed_units(products, network.unit_of)


def capacity_units(network: Network) -> str:
    """What a hub's capacity counts: its products' one unit (``pallets``), else ``units of all
    products together`` (a same-unit network's capacities were said in 'units' beside its
    'pallets': units audit)."""
    units = set(network.units().values())
    return units.pop() if len(units) == 1 else "units of all products together"


def cannot_text(fields: list[str]) -> str:
    """``X cannot be met`` / ``X and Y cannot both hold`` / ``X, Y and Z cannot all hold``."""
    if len(fields) == 1:
        return f"{fields[0]} cannot be met"
    return f"{and_list(fields)} cannot {'both' if len(fields) == 2 else 'all'} hold"


def labels_of(df: pd.DataFrame) -> list[str]:
    """``market/product/...`` for each row of ``df`` (labels and ``_row``)."""
    columns = [c for c in df.columns if c != "_row"]
    if not columns:
        return [""] * len(df)
    out = df[columns[0]].astype(str)
    for c in columns[1:]:
        out = out + "/" + df[c].astype(str)
    return out.tolist()


def _label(row: pd.Series) -> str:
    return "/".join(str(v) for k, v in row.items() if k != "_row")


def field_of(family: str) -> str | None:
    """The policy field behind a constraint family (None: data, not policy)."""
    if family.startswith("survive_"):
        return "survive"
    return {"co2_cap": "co2_cap", "hub_count": "hub_count", "single_source": "single_sourcing",
            "assign_capacity": "single_sourcing", "min_suppliers": "min_suppliers",
            **{f: f for f in SHARES}}.get(family)


#: the order in which policy fields are named: requirements first, then caps
_ORDER = ("min_local_share", "min_allied_share", "co2_cap", "survive", "hub_count", "single_sourcing",
          "min_suppliers", "max_region_share", "max_country_share", "max_supplier_share")


def policy_fields(iis: dict[str, pd.DataFrame], leave: tuple[str, ...] = ()) -> list[str]:
    """The policy fields whose rows are in the conflict, requirements first, without ``leave``."""
    fields = {field_of(family) for family in iis} - {None, *leave}
    return sorted(fields, key=lambda f: _ORDER.index(f) if f in _ORDER else len(_ORDER))  # type: ignore


def field_names(policy: Policy, fields: list[str]) -> list[str]:
    """The bare names of policy fields (``hub_count`` is min_hubs and/or max_hubs)."""
    out = []
    for f in fields:
        out += ([k for k in ("min_hubs", "max_hubs") if getattr(policy, k) is not None]
                if f == "hub_count" else [f])
    return out


def failure_text(name: str) -> str:
    """``hub:H1`` -> ``hub 'H1'``."""
    kind, _, element = str(name).partition(":")
    return f"{kind} '{element}'"


def failures_text(names: list[str]) -> str:
    """``hub:H1``, ``hub:H2``, ``country:CN`` -> ``hubs 'H1' or 'H2' or country 'CN'``."""
    by_kind: dict[str, list[str]] = {}
    for name in names:
        kind, _, element = str(name).partition(":")
        by_kind.setdefault(kind, []).append(f"'{element}'")
    parts = []
    for kind, elements in by_kind.items():
        plural = {"country": "countries"}.get(kind, kind + "s") if len(elements) > 1 else kind
        parts.append(f"{plural} {and_first(elements, 6, 'or')}")
    return and_list(parts, "or")


def market_product(market: object, product: object) -> str:
    return f"market '{market}' (product '{product}')"


# ---- anything else: the requirements in plain words ----------------------------------------
def _plain(policy: Policy, family: str, r: pd.Series, hub_capacity: Mapping[str, float],
           unit: str) -> str:
    """Row ``r`` of the IIS rows of ``family`` in words; a hub capacity in ``unit``
    (:func:`capacity_units`: '21,000 units, every product's summed' stood beside '28,000 pieces')."""
    get = lambda k: r.get(k, "")  # noqa: E731
    held = hub_capacity.get(get("hub"), np.inf)
    hub = f"the capacity of hub '{get('hub')}'" + (f" ({quantity(held)} {unit})" if np.isfinite(held) else "")
    if family.startswith("survive_"):
        after = f"after losing {failure_text(get('failure'))}, "
        rest = {"survive_demand": lambda: market_product(get("market"), get("product")),
                "survive_supplier_capacity": lambda: f"the capacity of supplier '{get('supplier')}' "
                                                     f"(product '{get('product')}')",
                "survive_hub_capacity": lambda: hub}.get(family)
        return f"survive: {after}{rest()}" if rest else f"survive ({_label(r)})"
    words = {
        "demand": lambda: f"the demand of {market_product(get('market'), get('product'))}",
        "supplier_capacity": lambda: f"the capacity of supplier '{get('supplier')}' "
                                     f"(product '{get('product')}')",
        "hub_capacity": lambda: hub,
        "assign_capacity": lambda: f"single_sourcing through hub '{get('hub')}' (its capacity)",
        "single_source": lambda: f"single_sourcing for market '{get('market')}'",
        "hub_count": lambda: field_text(policy, "hub_count"),
        "co2_cap": lambda: field_text(policy, "co2_cap"),
        "min_suppliers": lambda: f"min_suppliers for product '{get('product')}'",
        "max_supplier_share": lambda: f"max_supplier_share for supplier '{get('supplier')}' "
                                      f"(product '{get('product')}')",
        "max_country_share": lambda: f"max_country_share for {market_product(get('market'), get('product'))} "
                                     f"from country {get('origin')}",
        "max_region_share": lambda: f"max_region_share for {market_product(get('market'), get('product'))} "
                                    f"from region {get('region')}",
        "min_local_share": lambda: f"min_local_share for {market_product(get('market'), get('product'))}",
        "min_allied_share": lambda: f"min_allied_share for {market_product(get('market'), get('product'))}",
    }.get(family)
    label = _label(r)
    return words() if words else family + (f" ({label})" if label else "")


def excluded_in_effect(model: NetworkModel, families: Iterable[str] = ()) -> list[str]:
    """The excluded countries that left out a supplier or hub (an exclusion of a country with
    neither changes nothing, and is never named); with ``families`` (of rows in conflict) that
    name a capacity, only those that left out a supplier or hub of that kind (a supplier left out
    is no reason for a hub short of capacity)."""
    s, families = model.sets, set(families)
    kinds = {"supplier_capacity": s.removed_suppliers, "hub_capacity": s.removed_hubs}
    gone = pd.concat([df for family, df in kinds.items() if family in families or not families & set(kinds)],
                     ignore_index=True)
    return sorted(set(gone.loc[gone["reason"] == "excluded country", "country"].astype(str)))


def explain_plainly(model: NetworkModel, iis: dict[str, pd.DataFrame], missing: str = "") -> list[str]:
    """The requirements in conflict in plain words, policy first, when no other explanation
    applies; ``missing``: what demand cannot be delivered, in words ('' when unknown)."""
    groups: dict[bool, list[str]] = {True: [], False: []}
    hubs = model.sets.hubs_table
    held = dict(zip(np.asarray(hubs["hub"], object), np.asarray(hubs["capacity"], float), strict=True))
    unit = capacity_units(model.network)
    for family, df in iis.items():
        if family in INTERNAL or family.startswith("disruption_"):
            continue
        items = [_plain(model.policy, family, r, held, unit)
                 for _, r in df.head(3).iterrows()]
        more = f" and {len(df) - 3} more" if len(df) > 3 else ""
        groups[family not in ("demand", "supplier_capacity", "hub_capacity")].append(and_list(items) + more)
    if not groups[True] and not groups[False]:
        return ["the data and policy have no plan, but the conflict lies in flow balances only"]
    if not groups[True]:  # the data alone, or as the countries excluded leave it: no row of the policy's
        excluded = excluded_in_effect(model, iis)
        whatever = (", whatever the policy" if any(field_of(f) for f in model.lm.constraints)
                    else "")  # relaxing a field of it cannot help
        head, fix = ((f"with excluded_countries {', '.join(excluded)} the data have no plan{whatever}",
                      "lift an exclusion, ") if excluded else (f"the data have no plan{whatever}", ""))
        return [f"{head}: {'; '.join(groups[False])} cannot all hold" + (f" ({missing})" if missing else "")
                + f"; {fix}add capacity or lanes where named"]
    text = "these requirements cannot all hold together: " + "; ".join(groups[True])
    if groups[False]:
        text += "; given " + "; ".join(groups[False])
    text += f" ({missing})" if missing else ""
    return [text + "; relax one of the policy requirements named, or add capacity or lanes where named"]
