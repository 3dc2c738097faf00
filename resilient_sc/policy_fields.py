"""What the library knows about each policy field, declared once: its range, whole numbers or
not, what the keys of a mapping may name, which value binds when several keys match, unit,
symbol and description (:data:`POLICY_FIELDS`), and the checks of a value against them
(:meth:`PolicyField.problems`). :class:`~resilient_sc.policy.Policy` is checked, resolved per
(market, product), labelled in figures and tabled in the docs from it."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import MISSING, dataclass
from typing import Any

from .format import as_given
from .limits import current
from .mapping_files import shown, typed
from .schema import FAILURE_KINDS
from .wording import listing, number_hint, suggest

#: the type of a share field spelled out (for the docs)
SHARE_TYPE = "float | Mapping[str, float] | None"


@dataclass(frozen=True)
class PolicyField:
    """Everything the library knows about one :class:`Policy` field besides its constraint family.

    * ``range``: the closed interval of its numbers (None: not a number);
    * ``integer``: whole numbers only;
    * ``keys``: what the keys of a mapping value may name, ``("product",)`` or
      ``("region", "product")`` (a region stands for the markets in it); ``()``: no mapping;
    * ``strictest``: the value that binds when several keys match one (market, product),
      ``"max"`` for a lower bound and ``"min"`` for a cap (docs/conventions.md §8.4); ``""``
      for a field that takes no mapping;
    * ``unit``: of its values, for axis labels and the docs (``""``: none);
    * ``symbol``: as in the formulas of the constraint families (``""``: the field's name);
    * ``description``: one line;
    * ``choices``: the allowed members of a tuple field (empty: any);
    * ``members``: what the members of a tuple field name in the data (``"country"``; ``""``: nothing);
    * ``unset``: the value of a (market, product) that neither the field nor any key of its
      mapping covers (NaN: no requirement; ``service_level``: 1, docs/conventions.md §8.4);
    * ``needs``: the field without which this one does nothing (``""``: none); setting it alone
      is an error, never silently ignored.

    The python type and the default are the annotation and default of the field on :class:`Policy`.
    """

    name: str
    range: tuple[float, float] | None
    integer: bool
    keys: tuple[str, ...]
    strictest: str
    unit: str
    symbol: str
    description: str
    choices: tuple[str, ...] = ()
    unset: float = math.nan
    members: str = ""
    needs: str = ""

    @property
    def type(self) -> str:
        """The annotation of the field on :class:`Policy`, with ``Share`` spelled out."""
        return str(self.__dict__["declared"].type).replace("Share", SHARE_TYPE)

    @property
    def default(self) -> Any:
        """The default of the field on :class:`Policy`."""
        default = self.__dict__["declared"].default  # (set by policy.py: Policy's dataclass field)
        return None if default is MISSING else default

    def problems(self, value: Any, regions: set[str] | None = None,
                 products: set[str] | None = None, countries: set[str] | None = None,
                 periods: set[str] | None = None) -> list[str]:
        """What is wrong with ``value`` for this field (empty: nothing); mapping keys are checked
        against ``regions``, ``products`` (and ``periods``, when the data has a ``periods``
        table) when regions and products are given, the members of a country field against
        ``countries`` when given. Values are quoted short: a huge one is never echoed."""
        if self.range is not None:
            if value is None and self.default is None:
                return []
            if self.keys and isinstance(value, Mapping):
                out: list[str] = []
                for key, v in value.items():
                    out += self._number(f"{self.name}[{shown(key)}]", v)
                    out += self._key(key, regions, products, periods)
                return out
            return self._number(self.name, value)
        if self.choices or self.members:
            return self._members(value, countries)
        if self.type == "bool" and not isinstance(value, bool):
            return [f"(policy) | {self.name} == {shown(value)}, must be true or false"]
        return []

    def _members(self, value: Any, countries: set[str] | None) -> list[str]:
        out: list[str] = []
        for v in value:
            if self.choices and v not in self.choices:
                listed = isinstance(v, str) and "," in v and {w.strip() for w in v.split(",")} <= set(
                    self.choices)  # 'survive: country, hub' is one text
                out.append(f"(policy) | {self.name} contains {shown(v)}, must be a subset of "
                           f"{', '.join(self.choices)}" + (f": write a list, [{v}]" if listed
                                                           else suggest(v, self.choices)))
            elif not isinstance(v, str):
                known = "" if countries is None else f"; {self.members} ids are: {listing(countries)}"
                out.append(f"(policy) | {self.name} contains {shown(v)}, must be {self.members} ids "
                           f"(text){known}")
            elif self.members == "country" and countries is not None and v not in countries:
                out.append(f"(policy) | {self.name} contains {shown(v)}, not a country of the data"
                           f"{suggest(v, countries)}; countries are: {listing(countries)}")
        return out

    def _number(self, label: str, value: Any) -> list[str]:
        assert self.range is not None
        lo, hi = self.range
        kind = "a whole number" if self.integer else "a number"
        if not isinstance(value, int | float) or isinstance(value, bool):
            exponent = isinstance(value, str) and re.fullmatch(r"[-+]?\d+[eE][-+]?\d+", value.strip())
            hint = (" (a policy file reads a number with an exponent only with a dot: 1.0e6)"
                    if exponent else number_hint(value, fraction=hi <= 1) if isinstance(value, str) else "")
            if isinstance(value, str) and not hint and re.fullmatch(r"\s*[-+]?(\d+\.?\d*|\.\d+)\s*", value):
                hint = f"; {shown(value)} is text (in quotes): write {value.strip()} without quotes"
            if isinstance(value, Mapping):  # a period's or region's value given keys of its own
                hint = (f": {self.name} takes no keys (in a roadmap it holds in every period)"
                        if not self.keys else ": keys do not nest (a period key's value holds for every "
                        "region and product)" if label != self.name else "")
            elif (self.keys and isinstance(value, list) and value  # '- Europe: 0.5' lines: a list of them
                  and all(isinstance(v, Mapping) and len(v) == 1 for v in value)):
                pairs = ", ".join(f"{typed(k)}: {typed(v)}" for m in value[:3] for k, v in m.items())
                hint = (f", or a mapping without the dashes: {self.name}: {{{pairs}"
                        f"{', ...' if len(value) > 3 else ''}}}")
            return [f"(policy) | {label} == {shown(value)}, must be {kind}{hint}"]
        upper = "inf" if math.isinf(hi) else f"{hi:g}"
        if (isinstance(value, float) and math.isnan(value)) or not (lo <= value <= hi):
            percent = (f"; a share is a fraction: {value / 100:g} for {value:g}%"  # 50 for 50%: sheets audit
                       if hi == 1 and 5 <= value <= 100 else "")
            return [f"(policy) | {label} == {_num(value)}, must be in [{lo:g}, {upper}]{percent}"]
        if isinstance(value, float) and math.isinf(value):
            return [f"(policy) | {label} == inf, must be finite (leave {self.name} out for no limit)"]
        limits = current()
        if abs(value) > limits.magnitude:
            return [f"(policy) | {label} == {_num(value)} is over the limit of "
                    f"{limits.describe('magnitude')}"]
        if self.integer and isinstance(value, float) and not value.is_integer():
            return [f"(policy) | {label} == {shown(value)}, must be {kind}"]
        return []

    def _key(self, key: Any, regions: set[str] | None, products: set[str] | None,
             periods: set[str] | None = None) -> list[str]:
        kinds = self.keys + (("period",) if periods else ())
        if not isinstance(key, str):
            return [f"(policy) | {self.name} key {shown(key)} must be a {' or '.join(kinds)} name "
                    f"(text: quote it, '{typed(key)}')"]
        if regions is None or products is None:
            return []
        known = {"region": regions, "product": products, "period": periods or set()}
        hits = [kind for kind in kinds if key in known[kind]]
        listed = "; ".join(f"{kind}s are: {listing(known[kind])}" for kind in kinds)
        close = suggest(key, set().union(*(known[kind] for kind in kinds)))
        if len(kinds) == 1:
            return [] if hits else [f"(policy) | {self.name} key {shown(key)} is not a "
                                    f"{kinds[0]}{close}; {listed}"]
        if len(hits) > 1:
            return [f"(policy) | {self.name} key {shown(key)} is both a {' and a '.join(hits)}; "
                    "rename one"]
        if not hits:
            return [f"(policy) | {self.name} key {shown(key)} is neither a {' nor a '.join(kinds)}"
                    f"{close}; {listed}"]
        return []


def _num(value: float | int) -> str:
    return as_given(value) if isinstance(value, float) else shown(value)


_SHARE = (0.0, 1.0)
_AT_LEAST_0 = (0.0, math.inf)
_PRODUCT = ("product",)
_REGION_OR_PRODUCT = ("region", "product")
_DEMAND = "fraction of demand"

#: Every field of :class:`Policy`, in field order (docs/formulation.md §5, docs/conventions.md §8.4).
#: Columns: name, range, integer, keys, strictest, unit, symbol, description (choices, unset).
POLICY_FIELDS: dict[str, PolicyField] = {f.name: f for f in (
    PolicyField("min_suppliers", _AT_LEAST_0, True, _PRODUCT, "max", "suppliers per product", "k",
                "at least k contracted suppliers able to deliver each product"),
    PolicyField("max_supplier_share", _SHARE, False, _PRODUCT, "min", _DEMAND, "σ",
                "no supplier delivers more than σ of the total demand for a product"),
    PolicyField("max_country_share", _SHARE, False, _REGION_OR_PRODUCT, "min", _DEMAND, "κ",
                "no foreign country supplies more than κ of a market's demand for a product"),
    PolicyField("min_local_share", _SHARE, False, _REGION_OR_PRODUCT, "max", _DEMAND, "L",
                "at least L of a market's demand for a product comes from its own region"),
    PolicyField("min_allied_share", _SHARE, False, _REGION_OR_PRODUCT, "max", _DEMAND, "A",
                "at least A of a market's demand for a product comes from its own country or bloc"),
    PolicyField("excluded_countries", None, False, (), "", "", "",
                "no supplier or hub in these countries is used", members="country"),
    PolicyField("survive", None, False, (), "", "", "",
                "the design survives every single failure of these kinds (N-1)",
                choices=FAILURE_KINDS),
    PolicyField("service_level", _SHARE, False, _REGION_OR_PRODUCT, "max", _DEMAND, "β",
                "fraction of demand still served after each failure of survive (default 1)",
                unset=1.0, needs="survive"),
    PolicyField("co2_cap", _AT_LEAST_0, False, (), "", "CO2 units", "",
                "total CO2 of the plan at most this (of each period, in a roadmap)"),
    PolicyField("co2_price", _AT_LEAST_0, False, (), "", "money per CO2 unit", "",
                "CO2 priced into the objective"),
    PolicyField("single_sourcing", None, False, (), "", "", "",
                "every market is served by exactly one hub"),
    PolicyField("min_hubs", _AT_LEAST_0, True, (), "", "hubs", "",
                "at least this many hubs opened"),
    PolicyField("max_hubs", _AT_LEAST_0, True, (), "", "hubs", "",
                "at most this many hubs opened"),
    PolicyField("shortfall_penalty", _AT_LEAST_0, False, _PRODUCT, "max", "money per unit short", "π",
                "demand may go unmet at π per unit short (a mapping prices every product)"),
    PolicyField("disruption_weight", _AT_LEAST_0, False, (), "", "weight of the scenarios", "w",
                "weight w of the expected cost of the disruption scenarios in the objective",
                needs="shortfall_penalty"),
    PolicyField("max_region_share", _SHARE, False, _REGION_OR_PRODUCT, "min", _DEMAND, "ρ",
                "no foreign region supplies more than ρ of a market's demand for a product"),
)}
