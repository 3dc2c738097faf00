"""Policy: the resilience requirements of a design (docs/formulation.md §5), a frozen value object.

A ``Policy()`` with nothing set is the cost-optimal base. Values are checked when the
policy is used (:meth:`Policy.check`), with messages such as
``max_country_share == 1.4, must be in [0, 1]``.

What the library knows about each field (range, whole numbers or not, what the keys of a
mapping may name, which value binds when several keys match, unit, symbol, description) is
declared once, in :data:`POLICY_FIELDS`; checking, resolution per (market, product), figure
labels and the docs' field table are driven from it.

>>> Policy(min_local_share=0.5, survive=("country",)).to_dict()
{'min_local_share': 0.5, 'survive': ['country']}
>>> Policy.from_dict({"min_allied_share": {"Europe": 0.7}}).min_allied_share
{'Europe': 0.7}
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import MISSING, dataclass, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .exceptions import ValidationError
from .schema import FAILURE_KINDS

if TYPE_CHECKING:
    from .data import Network

Share = float | Mapping[str, float] | None
#: the type ``Share`` spelled out (for the docs)
SHARE_TYPE = "float | Mapping[str, float] | None"
#: the suffixes of a policy file
POLICY_SUFFIXES = (".yaml", ".yml", ".json")


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
    * ``unset``: the value of a (market, product) that neither the field nor any key of its
      mapping covers (NaN: no requirement; ``service_level``: 1, docs/conventions.md §8.4).

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

    @property
    def type(self) -> str:
        """The annotation of the field on :class:`Policy`, with ``Share`` spelled out."""
        return str(Policy.__dataclass_fields__[self.name].type).replace("Share", SHARE_TYPE)

    @property
    def default(self) -> Any:
        """The default of the field on :class:`Policy`."""
        default = Policy.__dataclass_fields__[self.name].default
        return None if default is MISSING else default

    def problems(self, value: Any, regions: set[str] | None = None,
                 products: set[str] | None = None) -> list[str]:
        """What is wrong with ``value`` for this field (empty: nothing); mapping keys are checked
        against ``regions`` and ``products`` when both are given."""
        if self.range is not None:
            if value is None and self.default is None:
                return []
            if self.keys and isinstance(value, Mapping):
                out: list[str] = []
                for key, v in value.items():
                    out += self._number(f"{self.name}[{key!r}]", v)
                    out += self._key(str(key), regions, products)
                return out
            return self._number(self.name, value)
        if self.choices:
            return [f"(policy) | {self.name} contains {v!r}, must be a subset of {', '.join(self.choices)}"
                    for v in value if v not in self.choices]
        if self.type == "bool" and not isinstance(value, bool):
            return [f"(policy) | {self.name} == {value!r}, must be true or false"]
        return []

    def _number(self, label: str, value: Any) -> list[str]:
        assert self.range is not None
        lo, hi = self.range
        if (not isinstance(value, int | float) or isinstance(value, bool)
                or (self.integer and float(value) != int(value))):
            kind = "a whole number" if self.integer else "a number"
            return [f"(policy) | {label} == {value!r}, must be {kind}"]
        if not (lo <= value <= hi) or math.isnan(value):
            upper = "inf" if math.isinf(hi) else f"{hi:g}"
            return [f"(policy) | {label} == {value:g}, must be in [{lo:g}, {upper}]"]
        return []

    def _key(self, key: str, regions: set[str] | None, products: set[str] | None) -> list[str]:
        if regions is None or products is None:
            return []
        known = {"region": regions, "product": products}
        hits = [kind for kind in self.keys if key in known[kind]]
        if len(self.keys) == 1:
            return [] if hits else [f"(policy) | {self.name} key {key!r} is not a {self.keys[0]}"]
        if len(hits) > 1:
            return [f"(policy) | {self.name} key {key!r} is both a {' and a '.join(self.keys)}; rename one"]
        if not hits:
            return [f"(policy) | {self.name} key {key!r} is neither a {' nor a '.join(self.keys)}"]
        return []


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
                "no supplier or hub in these countries is used"),
    PolicyField("survive", None, False, (), "", "", "",
                "the design survives every single failure of these kinds (N-1)",
                choices=FAILURE_KINDS),
    PolicyField("service_level", _SHARE, False, _REGION_OR_PRODUCT, "max", _DEMAND, "β",
                "fraction of demand still served after each failure of survive (default 1)",
                unset=1.0),
    PolicyField("co2_cap", _AT_LEAST_0, False, (), "", "CO2 units", "",
                "total CO2 of the plan at most this"),
    PolicyField("co2_price", _AT_LEAST_0, False, (), "", "money per CO2 unit", "",
                "CO2 priced into the objective"),
    PolicyField("single_sourcing", None, False, (), "", "", "",
                "every market is served by exactly one hub"),
    PolicyField("min_hubs", _AT_LEAST_0, True, (), "", "hubs", "",
                "at least this many hubs opened"),
    PolicyField("max_hubs", _AT_LEAST_0, True, (), "", "hubs", "",
                "at most this many hubs opened"),
    PolicyField("shortfall_penalty", _AT_LEAST_0, False, (), "", "money per unit short", "π",
                "demand may go unmet at π per unit short"),
    PolicyField("disruption_weight", _AT_LEAST_0, False, (), "", "weight of the scenarios", "w",
                "weight w of the expected cost of the disruption scenarios in the objective"),
    PolicyField("max_region_share", _SHARE, False, _REGION_OR_PRODUCT, "min", _DEMAND, "ρ",
                "no foreign region supplies more than ρ of a market's demand for a product"),
)}


@dataclass(frozen=True)
class Policy:
    """Resilience requirements; every field is optional (see docs/policies.md and docs/formulation.md §5).

    Shares are fractions in [0, 1]; ``co2_cap`` is in CO2 units; ``co2_price`` in money per
    CO2 unit; ``shortfall_penalty`` in money per unit of unmet demand.
    """

    min_suppliers: int | Mapping[str, int] | None = None
    max_supplier_share: Share = None
    max_country_share: Share = None
    min_local_share: Share = None
    min_allied_share: Share = None
    excluded_countries: tuple[str, ...] = ()
    survive: tuple[str, ...] = ()
    service_level: Share = None
    co2_cap: float | None = None
    co2_price: float = 0.0
    single_sourcing: bool = False
    min_hubs: int | None = None
    max_hubs: int | None = None
    shortfall_penalty: float | None = None
    disruption_weight: float = 1.0
    max_region_share: Share = None

    def __post_init__(self) -> None:
        # accept lists for the tuple fields (YAML and JSON give lists); no other logic here
        for name in ("excluded_countries", "survive"):
            value = getattr(self, name)
            if isinstance(value, str):
                object.__setattr__(self, name, (value,))
            elif not isinstance(value, tuple):
                object.__setattr__(self, name, tuple(value))

    # ---- construction -------------------------------------------------------------
    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> Policy:
        """A policy from a mapping of field -> value; unknown keys are an error."""
        data = dict(data or {})
        unknown = sorted(set(data) - set(cls.field_names()))
        if unknown:
            raise ValidationError([f"(policy) | unknown field '{k}'; known fields are: "
                                   f"{', '.join(cls.field_names())}" for k in unknown])
        return cls(**data)

    @classmethod
    def from_file(cls, path: str | Path) -> Policy:
        """A policy from a ``.yaml``/``.yml`` or ``.json`` file of field: value pairs; any
        problem with the file or its values is a :class:`ValidationError`."""
        path = Path(path)
        if path.suffix.lower() not in POLICY_SUFFIXES:
            raise ValidationError([f"(policy) | {path.name}: expected a {', '.join(POLICY_SUFFIXES)} file"])
        try:
            return cls.from_dict(load_mapping(path, "policy"))
        except ValidationError:
            raise
        except (TypeError, ValueError) as exc:  # e.g. survive: 5
            raise ValidationError([f"(policy) | {path.name}: {exc}"]) from exc

    def to_dict(self) -> dict[str, Any]:
        """The fields that differ from the defaults (JSON-ready)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value != f.default:
                out[f.name] = list(value) if isinstance(value, tuple) else (
                    dict(value) if isinstance(value, Mapping) else value)
        return out

    def replace(self, **changes: Any) -> Policy:
        """A copy with some fields changed."""
        return replace(self, **changes)

    @property
    def is_base(self) -> bool:
        """True when nothing is required: the cost-optimal base."""
        return not self.to_dict()

    # ---- checks ---------------------------------------------------------------------
    def check(self, regions: set[str] | None = None, products: set[str] | None = None) -> None:
        """Raise :class:`ValidationError` listing every out-of-range or ill-typed field (the rules
        of :data:`POLICY_FIELDS`, field by field), with mapping keys checked against ``regions``
        and ``products`` when both are given."""
        problems: list[str] = []
        for row in POLICY_FIELDS.values():
            problems += row.problems(getattr(self, row.name), regions, products)
        if self.min_hubs is not None and self.max_hubs is not None and self.min_hubs > self.max_hubs:
            problems.append(f"(policy) | min_hubs == {self.min_hubs} exceeds max_hubs == "
                            f"{self.max_hubs}")
        if problems:
            raise ValidationError(problems)

    @staticmethod
    def check_field(name: str, where: str = "field") -> PolicyField:
        """The row of :data:`POLICY_FIELDS` for field ``name``; a :class:`ValidationError`
        (labelled ``where``) naming the valid fields when there is none."""
        if name not in POLICY_FIELDS:
            raise ValidationError([f"({where}) | unknown policy field {name!r}; fields are: "
                                   f"{', '.join(POLICY_FIELDS)}"])
        return POLICY_FIELDS[name]

    def sweep(self, name: str, values: Iterable[Any], where: str = "values") -> list[Policy]:
        """Copies of this policy with field ``name`` set to each of ``values`` in turn; a value
        the field cannot hold (``survive = 5``) is a :class:`ValidationError` labelled ``where``."""
        out = []
        for v in values:
            try:
                out.append(self.replace(**{name: v}))
            except (TypeError, ValueError) as exc:
                raise ValidationError([f"({where}) | {name} = {v!r}: {exc}"]) from exc
        return out

    # ---- resolution of scalars and mappings to (market, product) ----------------------
    def per_market_product(self, name: str, market_region: pd.Series | np.ndarray,
                           product: pd.Series | np.ndarray, *,
                           default: float | None = None) -> np.ndarray:
        """Field ``name`` resolved for each (market, product) row; ``default`` (None: the field's
        ``unset`` in :data:`POLICY_FIELDS`, NaN but for ``service_level``) where no key applies.

        ``market_region`` and ``product`` are aligned (the region of each row's market and its
        product). When several keys match, the strictest binds (docs/conventions.md §8.4): the
        largest for a lower bound, the smallest for a cap, as the field's ``strictest`` says.
        The model resolves each field once per demand row (``Sets.requirements``).
        """
        if default is None:
            default = POLICY_FIELDS[name].unset
        value = getattr(self, name)
        n = len(product)
        if value is None:
            return np.full(n, default, dtype=float)
        if not isinstance(value, Mapping):
            return np.full(n, float(value), dtype=float)
        out = np.full(n, np.nan)
        reduce = np.fmax if POLICY_FIELDS[name].strictest == "max" else np.fmin
        regions = np.asarray(market_region)
        prods = np.asarray(product)
        for key, v in value.items():
            hit = (regions == key) | (prods == key)
            out = np.where(hit, reduce(out, float(v)), out)
        return np.where(np.isnan(out), default, out)

    def per_product(self, name: str, products: pd.Series) -> np.ndarray:
        """A product-keyed field resolved per product (NaN where not set)."""
        value = getattr(self, name)
        if value is None:
            return np.full(len(products), np.nan)
        if not isinstance(value, Mapping):
            return np.full(len(products), float(value))
        return products.map(lambda p: float(value[p]) if p in value else np.nan).to_numpy(float)


def check_policies(policies: Mapping[str, Policy], network: Network) -> None:
    """Every policy checked against the regions and products of ``network``; one
    :class:`ValidationError` listing the problems of all of them, each labelled with its name."""
    regions, products = set(network.countries["region"]), set(network.products["product"])
    problems: list[str] = []
    for name, policy in policies.items():
        try:
            policy.check(regions, products)
        except ValidationError as exc:
            problems += [p.replace("(policy)", f"(policy {name!r})", 1) for p in exc.problems]
    if problems:
        raise ValidationError(problems)


def load_policies(path: str | Path) -> dict[str, Policy]:
    """The policies in ``path``: a YAML/JSON mapping of name -> policy fields; the problems
    of all of them in one :class:`ValidationError`, each labelled with its name."""
    path = Path(path)
    if path.suffix.lower() not in POLICY_SUFFIXES:
        raise ValidationError([f"(policies) | {path.name}: expected a {', '.join(POLICY_SUFFIXES)} file"])
    policies: dict[str, Policy] = {}
    problems: list[str] = []
    for name, data in load_mapping(path, "policies").items():
        try:
            if data is not None and not isinstance(data, Mapping):
                raise ValueError("expected a mapping of field: value")
            policies[str(name)] = Policy.from_dict(data)
        except ValidationError as exc:
            problems += [p.replace("(policy)", f"(policy {name!r})", 1) for p in exc.problems]
        except (TypeError, ValueError) as exc:
            problems.append(f"(policy {name!r}) | {path.name}: {exc}")
    if problems:
        raise ValidationError(problems)
    return policies


def load_mapping(path: str | Path, what: str) -> dict[str, Any]:
    """A mapping read from a YAML or JSON file, with a clear error for anything else."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ValidationError([f"({what}) | cannot read {path}: {exc.strerror}"]) from exc
    try:
        if path.suffix.lower() == ".json":
            data = json.loads(text)
        else:
            import yaml

            data = yaml.safe_load(text)
    except Exception as exc:  # json and yaml raise their own error kinds
        raise ValidationError([f"({what}) | {path.name} is not valid "
                               f"{'JSON' if path.suffix.lower() == '.json' else 'YAML'}: {exc}"
                               ]) from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ValidationError([f"({what}) | {path.name} must hold a mapping of field: value"])
    return data
