r"""One LP snapshot per constraint family (as Calliope keeps ``tests/math``).

For every family of :data:`resilient_sc.model.build.FAMILIES`, ``REGISTRY`` names a tiny
hand-made network and a policy that activate it, and every block it creates. The model is built
with ``build_model``; what the family added (its rows, the columns they touch, its cost terms;
tests/lp_text.py) is compared with ``tests/lp/<family>.lp``, where a comment at the top quotes
the family's docstring formula next to the rows it produces. That header (the comment lines
above ``Minimize``) is not compared: a docstring edit does not fail the test.

After a change to a family, read the diff the failure shows; if the new rows are what the
formula says, write the files again with::

    pytest tests/test_lp_snapshots.py --update-lp

and review ``git diff tests/lp`` before committing.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from resilient_sc import Network, Policy, examples
from resilient_sc.model.build import FAMILIES
from resilient_sc.model.redundancy import add_recourse

from .lp_text import docstring, family_text, record_families

LP = Path(__file__).resolve().parent / "lp"
#: the one-letter names of the docstrings' formulas
LEGEND = ["x = inbound_flow, y = outbound_flow, z = supplier_contracted, o = hub_opened,",
          "u = shortfall, a = assign; x^f, y^f, u^f: the recourse blocks of failure f"]


def table(columns: str, *rows: tuple) -> pd.DataFrame:
    """A DataFrame from space-separated column names and row tuples."""
    return pd.DataFrame(list(rows), columns=columns.split())


# ---- networks -----------------------------------------------------------------------------
def two_hubs() -> Network:
    """Paris (FR) needs 80 of one product (unit value 20) through H1 (FR, capacity 50, fixed 100,
    handling 1) or H2 (FR, unlimited, fixed 150, handling 2). S_FR (open, capacity 60) and
    S_FR2 (capacity 40, lane to H1 only) in France, S_CN (capacity 100) in China. Tariff CN→FR
    5% (1 per unit); CO2 per unit made 1 (S_FR), 0 (S_FR2), 2 (S_CN), 0.5 per unit on S_CN's
    lanes."""
    return Network.from_frames(
        source="two_hubs",
        countries=table("country region bloc", ("FR", "Europe", "EU"), ("CN", "Asia", "")),
        products=table("product unit_value", ("default", 20.0)),
        suppliers=table("supplier country fixed_cost status", ("S_FR", "FR", 500.0, "open"),
                        ("S_FR2", "FR", 300.0, "candidate"), ("S_CN", "CN", 200.0, "candidate")),
        supplier_products=table("supplier capacity unit_cost co2", ("S_FR", 60.0, 10.0, 1.0),
                                ("S_FR2", 40.0, 12.0, 0.0), ("S_CN", 100.0, 6.0, 2.0)),
        hubs=table("hub country fixed_cost capacity handling_cost", ("H1", "FR", 100.0, 50.0, 1.0),
                   ("H2", "FR", 150.0, float("inf"), 2.0)),
        markets=table("market country", ("Paris", "FR")),
        demand=table("market demand", ("Paris", 80.0)),
        lanes=table("origin destination unit_cost co2", ("S_FR", "H1", 1.0, 0.0), ("S_FR", "H2", 2.0, 0.0),
                    ("S_FR2", "H1", 1.5, 0.0), ("S_CN", "H1", 3.0, 0.5), ("S_CN", "H2", 4.0, 0.5),
                    ("H1", "Paris", 2.0, 0.0), ("H2", "Paris", 1.0, 0.0)),
        tariffs=table("origin_country destination_country rate", ("CN", "FR", 0.05)),
    )


def origins() -> Network:
    """Paris (FR, Europe, bloc EU) needs 100 and Shanghai (CN, Asia) 50 of one product, both
    through H1. One supplier (capacity 100) per country: FR and DE (Europe, EU), CH (Europe, no
    bloc), CN and VN (Asia, no bloc). For Paris, FR, DE, CH are local and FR, DE allied; for
    Shanghai, CN, VN are local and CN alone allied."""
    countries = ["FR", "DE", "CH", "CN", "VN"]
    return Network.from_frames(
        source="origins",
        countries=table("country region bloc", ("FR", "Europe", "EU"), ("DE", "Europe", "EU"),
                        ("CH", "Europe", ""), ("CN", "Asia", ""), ("VN", "Asia", "")),
        suppliers=table("supplier country", *((f"S_{c}", c) for c in countries)),
        supplier_products=table("supplier capacity", *((f"S_{c}", 100.0) for c in countries)),
        hubs=table("hub country", ("H1", "FR")),
        markets=table("market country", ("Paris", "FR"), ("Shanghai", "CN")),
        demand=table("market demand", ("Paris", 100.0), ("Shanghai", 50.0)),
        lanes=table("origin destination unit_cost", *((f"S_{c}", "H1", 1.0) for c in countries),
                    ("H1", "Paris", 1.0), ("H1", "Shanghai", 1.0)),
    )


def two_products() -> Network:
    """Paris (60 of a, 20 of b) and Lyon (20 of a, 30 of b), both in FR, through H1 (capacity
    100) or H2 (unlimited): demand of a 80, of b 50; Paris 80 in all, Lyon 50. S_FR makes a,
    S_CN a and b, S_DE b (capacity 100 each); every supplier reaches both hubs."""
    return Network.from_frames(
        source="two_products",
        countries=table("country region bloc", ("FR", "Europe", "EU"), ("DE", "Europe", "EU"),
                        ("CN", "Asia", "")),
        suppliers=table("supplier country", ("S_FR", "FR"), ("S_CN", "CN"), ("S_DE", "DE")),
        supplier_products=table("supplier product capacity", ("S_FR", "a", 100.0), ("S_CN", "a", 100.0),
                                ("S_CN", "b", 100.0), ("S_DE", "b", 100.0)),
        hubs=table("hub country capacity", ("H1", "FR", 100.0), ("H2", "FR", float("inf"))),
        markets=table("market country", ("Paris", "FR"), ("Lyon", "FR")),
        demand=table("market product demand", ("Paris", "a", 60.0), ("Paris", "b", 20.0),
                     ("Lyon", "a", 20.0), ("Lyon", "b", 30.0)),
        lanes=table("origin destination unit_cost",
                    *((s, h, 1.0) for s in ("S_FR", "S_CN", "S_DE") for h in ("H1", "H2")),
                    *((h, m, 1.0) for h in ("H1", "H2") for m in ("Paris", "Lyon"))),
    )


def tiny() -> Network:
    """``examples.tiny()``: Paris (FR) needs 80 through H1 (FR, unlimited, fixed 100, handling
    1) from S_FR (FR, capacity 100, unit 10, lane 1) or S_CN (CN, capacity 100, unit 6, lane 3);
    lane H1→Paris 2."""
    return examples.tiny()


def tiny_disrupted() -> Network:
    """``examples.tiny()`` with two scenarios: cn_down (country CN, probability 0.1) and
    fr_supplier (supplier S_FR, probability 0.05). Unit costs: x[S_FR,H1] 10 + 1 + 1 = 12,
    x[S_CN,H1] 6 + 3 + 1 = 10, y[H1,Paris] 2."""
    f = examples.tiny().frames()
    f["disruptions"] = table("scenario kind element probability", ("cn_down", "country", "CN", 0.1),
                             ("fr_supplier", "supplier", "S_FR", 0.05))
    return Network.from_frames(**f)


def transitions() -> Network:
    """``two_hubs()`` with S_FR2 ``existing`` (closing it costs 50), S_CN's contract costing 80 to
    open and H2 30 to open: one period, so started = z for candidates and stopped = 1 − z for
    existing elements."""
    f = two_hubs().frames()
    f["suppliers"] = f["suppliers"].assign(status=["open", "existing", "candidate"],
                                           opening_cost=[0.0, 0.0, 80.0], closing_cost=[0.0, 50.0, 0.0])
    f["hubs"] = f["hubs"].assign(opening_cost=[0.0, 30.0])
    return Network.from_frames(**f)


# ---- the registry -------------------------------------------------------------------------
@dataclass(frozen=True)
class Case:
    """A network and a policy under which a family adds ``blocks`` (variable and constraint
    blocks, and ``cost:<component>`` for the cost components it adds terms to)."""

    network: Callable[[], Network]
    policy: dict
    blocks: tuple[str, ...]
    #: a helper whose docstring gives the formula of the blocks (the recourse families)
    see: Callable | None = None


SURVIVE = tuple(f"survive_{b}" for b in ("inbound", "outbound", "demand", "balance", "supplier_capacity",
                                         "hub_capacity"))
DISRUPTION = ("disruption_inbound", "disruption_outbound", "disruption_shortfall", "disruption_demand",
              "disruption_balance", "disruption_supplier_capacity", "disruption_hub_capacity",
              "cost:disruption")

#: family (its function's name without ``add_``) -> the case that activates all its blocks
REGISTRY: dict[str, Case] = {
    "variables": Case(two_hubs, {"shortfall_penalty": 1000.0},
                      ("supplier_contracted", "hub_opened", "inbound_flow", "outbound_flow", "shortfall")),
    "demand": Case(two_hubs, {"shortfall_penalty": 1000.0}, ("demand",)),
    "origin_balance": Case(two_hubs, {}, ("origin_balance",)),
    "supplier_capacity": Case(two_hubs, {}, ("supplier_capacity",)),
    "hub_capacity": Case(two_hubs, {}, ("hub_capacity",)),
    "hub_links": Case(two_hubs, {}, ("hub_link",)),
    "costs": Case(two_hubs, {"shortfall_penalty": 1000.0},
                  tuple(f"cost:{c}" for c in ("supplier_fixed", "hub_fixed", "purchase", "handling",
                                               "transport", "tariffs", "shortfall"))),
    "co2": Case(two_hubs, {"co2_price": 2.0, "co2_cap": 500.0}, ("co2_cap", "cost:co2")),
    "min_suppliers": Case(two_products, {"min_suppliers": {"a": 2, "b": 1}}, ("min_suppliers",)),
    "max_supplier_share": Case(two_products, {"max_supplier_share": 0.6}, ("max_supplier_share",)),
    "max_country_share": Case(origins, {"max_country_share": 0.3}, ("max_country_share",)),
    "min_local_share": Case(origins, {"min_local_share": 0.5}, ("min_local_share",)),
    "min_allied_share": Case(origins, {"min_allied_share": 0.5}, ("min_allied_share",)),
    "max_region_share": Case(origins, {"max_region_share": 0.4}, ("max_region_share",)),
    "single_sourcing": Case(two_products, {"single_sourcing": True},
                            ("assign", "single_source", "assign_flow", "assign_capacity", "assign_open")),
    "hub_count": Case(two_hubs, {"min_hubs": 1, "max_hubs": 2}, ("hub_count",)),
    "survive": Case(tiny, {"survive": ["supplier"], "service_level": 0.5}, SURVIVE, add_recourse),
    "disruptions": Case(tiny_disrupted, {"shortfall_penalty": 1000.0, "disruption_weight": 2.0}, DISRUPTION,
                        add_recourse),
    "transitions": Case(transitions, {}, ("supplier_stopped", "supplier_stop", "cost:opening",
                                          "cost:closing")),
}

FAMILY = {f.__name__.removeprefix("add_"): f for f in FAMILIES}


def snapshot(name: str) -> str:
    """The canonical text of family ``name`` under its case, with the explanatory header."""
    case = REGISTRY[name]
    family = FAMILY[name]
    model, added = record_families(case.network(), Policy.from_dict(case.policy))
    mine = added[family.__name__]
    found = (*mine.variables, *mine.constraints, *(f"cost:{c}" for c in mine.costs))
    assert sorted(found) == sorted(case.blocks), f"{name}: the case activates {found}, not {case.blocks}"
    header = [f"LP snapshot of {family.__module__}.{family.__name__} (tests/test_lp_snapshots.py;",
              "regenerate with: pytest tests/test_lp_snapshots.py --update-lp, then read the diff)", "",
              "Formula (the family's docstring):",
              *(f"  {line}" for line in docstring(family)), "",
              *([f"Formula of the blocks ({case.see.__name__}):",
                 *(f"  {line}" for line in docstring(case.see)), ""] if case.see else []),
              f"Legend: {LEGEND[0]}", *(f"        {line}" for line in LEGEND[1:]), "",
              f"Network {case.network.__name__}():",
              *(f"  {line}" for line in docstring(case.network)),
              f"Policy: {json.dumps(case.policy, sort_keys=True)}",
              f"Blocks: {', '.join(case.blocks)}"]
    return family_text(model, mine, header)


def content(text: str) -> list[str]:
    """The compared lines: all but the header (the comment lines above ``Minimize``)."""
    lines = text.splitlines()
    return lines[next((i for i, line in enumerate(lines) if not line.startswith("\\")), len(lines)):]


# ---- the tests ----------------------------------------------------------------------------
def test_every_family_has_a_snapshot_case() -> None:
    assert sorted(FAMILY) == sorted(REGISTRY), "add a Case to REGISTRY for each new family"
    stale = sorted({p.stem for p in LP.glob("*.lp")} - set(REGISTRY))
    assert not stale, f"snapshots of no family: {stale}"


@pytest.mark.parametrize("name", list(REGISTRY))
def test_lp_snapshot(name: str, update_lp: bool) -> None:
    path = LP / f"{name}.lp"
    text = snapshot(name)
    if update_lp:
        LP.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    assert path.is_file(), f"no snapshot {path.name}: run pytest tests/test_lp_snapshots.py --update-lp"
    expected, actual = content(path.read_text(encoding="utf-8")), content(text)
    if expected != actual:
        diff = "\n".join(difflib.unified_diff(expected, actual, f"tests/lp/{name}.lp", "built now",
                                              lineterm=""))
        pytest.fail(f"the rows of {name} changed (check them against the formula, then "
                    f"--update-lp):\n{diff}", pytrace=False)
