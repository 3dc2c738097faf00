"""Every input table and column, declared once as data (the data contract, docs/data.md).

Loading, defaults, validation, the ``init`` template and the data-format docs are all
driven from :data:`TABLES`.

>>> TABLES["suppliers"].column("fixed_cost").default
0.0
>>> [t.name for t in TABLES.values() if t.required][:3]
['countries', 'suppliers', 'supplier_products']
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

#: Column kinds: ``id`` a non-empty name; ``text`` free text; ``number`` a finite float
#: >= 0; ``capacity`` like number but blank/``inf``/``unlimited`` mean unlimited; ``share`` a
#: number in [0, 1]; ``status`` one of STATUSES; ``lat``/``lon`` degrees; ``kind`` a failure kind.
KINDS = ("id", "text", "number", "capacity", "share", "status", "lat", "lon", "kind")

STATUSES = ("candidate", "open", "closed", "existing")
FAILURE_KINDS = ("supplier", "hub", "country")
#: the single failures a stress test replays unless told, widest first (the order of its tables)
STRESS_FAILURES = ("country", "hub", "supplier")
DEFAULT_PRODUCT = "default"
#: the facility-location files :mod:`resilient_sc.orlib` reads, by name: OR-Library's capacitated
#: files are cap*, Holmberg's p1 ... p71 (here, not there: the command line's parser needs them
#: without numpy)
ORLIB_FORMATS = ("orlib", "holmberg")
ALL_PRODUCTS = "all"


@dataclass(frozen=True)
class Column:
    """One column of an input table."""

    name: str
    kind: str
    description: str
    unit: str = ""
    required: bool = True
    default: object = None


@dataclass(frozen=True)
class Table:
    """One input table: its columns, the columns that identify a row, and whether it is required."""

    name: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    required: bool = True

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


def _opt(name: str, kind: str, default: object, description: str, unit: str = "") -> Column:
    return Column(name, kind, description, unit, required=False, default=default)


#: the ``period`` column of demand, supplier_products and tariffs (docs/formulation.md §9)
_PERIOD = _opt("period", "id", "",
               "blank: every period; a period id: this row overrides the blank row in that period")
_TRANSITIONS = (
    _opt("opening_cost", "number", 0.0, "one-off cost when it starts operating", "money"),
    _opt("closing_cost", "number", 0.0, "one-off cost when it stops operating", "money"),
    _opt("lead_time", "number", 0.0,
         "a whole number: a candidate operates only from the period at this position on "
         "(0 = the first)", "periods"),
)
_LAT = _opt("lat", "lat", math.nan, "latitude, for maps", "degrees north")
_LON = _opt("lon", "lon", math.nan, "longitude, for maps", "degrees east")

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "countries",
            "Every country named anywhere, with its region (near-shoring) and bloc (friend-shoring).",
            (
                Column("country", "id", "country id"),
                Column("region", "id", "region; markets count supply from their region as local "
                       "('none', 'n/a', 0 or FALSE is refused)"),
                _opt("bloc", "text", "", "trade bloc; countries sharing a non-empty bloc are allies "
                     "(blank: none; 'none', 'n/a', 0 or FALSE is refused)"),
            ),
            key=("country",),
        ),
        Table(
            "products",
            "Products, their customs value and unit; absent means the products used in the data.",
            (
                Column("product", "id", "product id ('all', in any case, is reserved)"),
                _opt("unit_value", "number", 0.0, "customs value, the base of ad-valorem tariffs",
                     "money/unit"),
                _opt("unit", "text", "units", "what one unit of the product is (t, pieces, kWh), as "
                     "outputs say its quantities"),
            ),
            key=("product",),
            required=False,
        ),
        Table(
            "suppliers",
            "Candidate suppliers; a contract costs fixed_cost.",
            (
                Column("supplier", "id", "supplier id"),
                Column("country", "id", "country the supplier makes its goods in (origin)"),
                _opt("fixed_cost", "number", 0.0, "cost of contracting the supplier", "money"),
                _opt("status", "status", "candidate",
                     "candidate, open (must be contracted), closed (may not be used) or existing "
                     "(contracted today, may be ended)"),
                _LAT,
                _LON,
                *_TRANSITIONS,
            ),
            key=("supplier",),
        ),
        Table(
            "supplier_products",
            "What each supplier can make: capacity, purchase cost and CO2 per unit.",
            (
                Column("supplier", "id", "supplier id"),
                _opt("product", "id", DEFAULT_PRODUCT, "product id"),
                Column("capacity", "number", "units the supplier can make; 0 means cannot make",
                       "units"),
                _opt("unit_cost", "number", 0.0, "purchase price", "money/unit"),
                _opt("co2", "number", 0.0, "production emissions", "CO2/unit"),
                _PERIOD,
            ),
            key=("supplier", "product", "period"),
        ),
        Table(
            "hubs",
            "Candidate hubs (warehouses, distribution centres); opening costs fixed_cost.",
            (
                Column("hub", "id", "hub id"),
                Column("country", "id", "country the hub is in"),
                _opt("fixed_cost", "number", 0.0, "cost of opening the hub", "money"),
                _opt("capacity", "capacity", math.inf,
                     "throughput, inbound units of all products summed (so count the products a "
                     "hub with a capacity handles in one unit, e.g. tonnes); blank, inf or unlimited = "
                     "unlimited",
                     "units"),
                _opt("handling_cost", "number", 0.0, "cost per inbound unit", "money/unit"),
                _opt("status", "status", "candidate",
                     "candidate, open (an existing hub that stays open), closed or existing "
                     "(open today, may be closed)"),
                _LAT,
                _LON,
                *_TRANSITIONS,
            ),
            key=("hub",),
        ),
        Table(
            "markets",
            "Demand points.",
            (
                Column("market", "id", "market id"),
                Column("country", "id", "country the market is in"),
                _LAT,
                _LON,
            ),
            key=("market",),
        ),
        Table(
            "demand",
            "Units each market requires of each product; zero rows are ignored, and a demand up to 1e-4 "
            "units is warned of (the solver meets a row within 1e-6 units: 1% of a demand of 1e-4, more "
            "of a smaller one, or of a share asked of it, may be left unshipped); a demand or capacity over "
            "1e10 units is warned of too (below the solver's precision at that size: give a larger unit).",
            (
                Column("market", "id", "market id"),
                _opt("product", "id", DEFAULT_PRODUCT, "product id"),
                Column("demand", "number", "units required", "units"),
                _PERIOD,
            ),
            key=("market", "product", "period"),
        ),
        Table(
            "lanes",
            "Transport links supplier->hub and hub->market; an unlisted link does not exist.",
            (
                Column("origin", "id", "supplier (inbound lane) or hub (outbound lane)"),
                Column("destination", "id", "hub (inbound lane) or market (outbound lane)"),
                _opt("product", "id", ALL_PRODUCTS,
                     "product carried; 'all' (or blank) for every product"),
                Column("unit_cost", "number", "transport cost", "money/unit"),
                _opt("co2", "number", 0.0, "transport emissions", "CO2/unit"),
            ),
            key=("origin", "destination", "product"),
        ),
        Table(
            "tariffs",
            "Ad-valorem duties by country of origin (where goods are made) and of destination.",
            (
                Column("origin_country", "id", "country where the goods are made"),
                Column("destination_country", "id", "country of the market"),
                _opt("product", "id", ALL_PRODUCTS, "product; 'all' (or blank) for every product"),
                Column("rate", "number", "duty as a fraction of unit_value", "fraction"),
                _PERIOD,
            ),
            key=("origin_country", "destination_country", "product", "period"),
            required=False,
        ),
        Table(
            "disruptions",
            "Disruption scenarios for stress tests and disruption-aware design.",
            (
                Column("scenario", "id", "scenario name; its rows fail together"),
                Column("kind", "kind", "supplier, hub or country"),
                Column("element", "id", "the supplier, hub or country lost"),
                Column("probability", "share", "probability of the scenario", "fraction"),
            ),
            key=("scenario", "kind", "element"),
            required=False,
        ),
        Table(
            "periods",
            "The planning periods of a roadmap, in order; absent means one period (today).",
            (
                Column("period", "id", "period id, e.g. 2027"),
                _opt("weight", "number", 1.0,
                     "multiplies every cost of the period (a discount factor)", "factor"),
            ),
            key=("period",),
            required=False,
        ),
    )
}

REQUIRED_TABLES = tuple(name for name, t in TABLES.items() if t.required)
#: columns whose blank (a cost 0: free; CO2 0; a weight 1; a hub's capacity unlimited) beside rows
#: that give one is warned of (a quote not yet in; a period row written for its capacity alone; a
#: failed lookup saved blank); the table's attribute holding their blank cells (``coerce_table``)
BLANK_SUSPECT = {"suppliers": ("fixed_cost",), "supplier_products": ("unit_cost", "co2"),
                 "hubs": ("fixed_cost", "handling_cost", "capacity"), "lanes": ("co2",),
                 "periods": ("weight",)}
BLANKS = "blank_cells"


def mentioned_table(name: str) -> str | None:
    """The table a sheet or file name that is not a table's own names in its words (singular or
    plural, any case; the table of most words wins), or None: a planner's 'Tariffs 2025',
    'tariff rates' or 'tariffs - Copy' is not read, and the plan would go without it.

    >>> [mentioned_table(n) for n in ("Tariffs 2025", "Supplier products (v2)", "demand_2024", "notes")]
    ['tariffs', 'supplier_products', 'demand', None]
    """
    words = [_singular(w) for w in re.findall(r"[a-z]+", name.lower())]
    best: tuple[int, str] | None = None
    for table in TABLES:
        key = [_singular(w) for w in table.split("_")]
        found = any(words[i:i + len(key)] == key for i in range(len(words)))
        if found and (best is None or len(key) > best[0]):
            best = (len(key), table)
    return best[1] if best else None


def misspelt_table(name: str, present: Callable[[str], bool],
                   holds: Callable[[str], bool] = lambda table: False) -> str | None:
    """The table a sheet or file named ``name`` (no table's own name) is taken to misspell: one not
    ``present`` whose name is close (difflib's ratio 0.75 or more) and very close (0.85: 'tarrifs',
    'disruptons'), or named by its words ('country'), or whose columns its first row ``holds``
    ('Tarif', 'Produkte'); else None, and it is no table ('Instructions' is not 'disruptions', nor
    'Projects' 'products', nor 'demand (2)' beside demand: spreadsheets audit).

    >>> names = ("Tarrifs", "country", "Instructions", "demand (2)", "Tarif")
    >>> [misspelt_table(n, lambda t: t == "demand", lambda t: n == "Tarif") for n in names]
    ['tariffs', 'countries', None, None, 'tariffs']
    """
    key = name.strip().lower()
    close = difflib.get_close_matches(key, list(TABLES), n=1, cutoff=0.75)
    if not close or present(close[0]):
        return None
    near = difflib.SequenceMatcher(None, key, close[0]).ratio() >= 0.85
    return close[0] if near or mentioned_table(name) == close[0] or holds(close[0]) else None


def names_columns(cells: Iterable[object], table: str) -> bool:
    """Whether a first row of ``cells`` names two or more of ``table``'s columns (it is a header
    of that table, not a title or a note)."""
    return sum(str(c).strip().strip('"').strip().lower() in TABLES[table].names
               for c in cells if c is not None) > 1


def _singular(word: str) -> str:
    if word.endswith("ies"):
        return word[:-3] + "y"
    return word[:-1] if word.endswith("s") and len(word) > 3 else word
