"""Policy: the resilience requirements of a design (docs/formulation.md §5), a frozen value object.

A ``Policy()`` with nothing set is the cost-optimal base. Values are checked when the
policy is used (:meth:`Policy.check`), with messages such as
``max_country_share == 1.4, must be in [0, 1]``.

>>> Policy(min_local_share=0.5, survive=("country",)).to_dict()
{'min_local_share': 0.5, 'survive': ['country']}
>>> Policy.from_dict({"min_allied_share": {"Europe": 0.7}}).min_allied_share
{'Europe': 0.7}
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .exceptions import ValidationError
from .schema import FAILURE_KINDS

Share = float | Mapping[str, float] | None

#: fields whose mapping keys are regions or products (docs/formulation.md §5, docs/conventions.md §8.4)
_REGION_OR_PRODUCT = ("max_country_share", "min_local_share", "min_allied_share", "service_level")
#: fields whose mapping keys are products only
_PRODUCT_ONLY = ("min_suppliers", "max_supplier_share")


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
        """A policy from a ``.yaml``/``.yml`` or ``.json`` file of field: value pairs."""
        return cls.from_dict(load_mapping(path, "policy"))

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
        """Raise :class:`ValidationError` listing every out-of-range or ill-typed field."""
        problems: list[str] = []

        def scalar(name: str, value: Any, lo: float, hi: float, integer: bool = False) -> None:
            ok_type = isinstance(value, int | float) and not isinstance(value, bool)
            if not ok_type or (integer and float(value) != int(value)):
                kind = "a whole number" if integer else "a number"
                problems.append(f"(policy) | {name} == {value!r}, must be {kind}")
            elif not (lo <= value <= hi) or math.isnan(value):
                upper = "inf" if math.isinf(hi) else f"{hi:g}"
                problems.append(f"(policy) | {name} == {value:g}, must be in [{lo:g}, {upper}]")

        def share_or_map(name: str, lo: float, hi: float, keys: str, integer: bool = False) -> None:
            value = getattr(self, name)
            if value is None:
                return
            if isinstance(value, Mapping):
                for key, v in value.items():
                    scalar(f"{name}[{key!r}]", v, lo, hi, integer)
                    problems.extend(_key_problems(name, str(key), keys, regions, products))
            else:
                scalar(name, value, lo, hi, integer)

        share_or_map("min_suppliers", 0, math.inf, "product", integer=True)
        share_or_map("max_supplier_share", 0, 1, "product")
        for name in _REGION_OR_PRODUCT:
            share_or_map(name, 0, 1, "region or product")
        for name in ("co2_cap", "shortfall_penalty"):
            if getattr(self, name) is not None:
                scalar(name, getattr(self, name), 0, math.inf)
        scalar("co2_price", self.co2_price, 0, math.inf)
        scalar("disruption_weight", self.disruption_weight, 0, math.inf)
        for name in ("min_hubs", "max_hubs"):
            if getattr(self, name) is not None:
                scalar(name, getattr(self, name), 0, math.inf, integer=True)
        if self.min_hubs is not None and self.max_hubs is not None and self.min_hubs > self.max_hubs:
            problems.append(f"(policy) | min_hubs == {self.min_hubs} exceeds max_hubs == "
                            f"{self.max_hubs}")
        for kind in self.survive:
            if kind not in FAILURE_KINDS:
                problems.append(f"(policy) | survive contains {kind!r}, must be a subset of "
                                f"{', '.join(FAILURE_KINDS)}")
        if not isinstance(self.single_sourcing, bool):
            problems.append(f"(policy) | single_sourcing == {self.single_sourcing!r}, must be "
                            "true or false")
        if problems:
            raise ValidationError(problems)

    # ---- resolution of scalars and mappings to (market, product) ----------------------
    def per_market_product(self, name: str, market_region: pd.Series, product: pd.Series,
                           strictest: str, default: float = math.nan) -> np.ndarray:
        """Field ``name`` resolved for each (market, product) row; ``default`` where no key applies.

        ``market_region`` and ``product`` are aligned Series (the region of each row's
        market and its product). ``strictest`` is ``"max"`` for lower bounds, ``"min"``
        for upper bounds: when several keys match, the strictest binds (docs/conventions.md §8.4).
        """
        value = getattr(self, name)
        n = len(product)
        if value is None:
            return np.full(n, default, dtype=float)
        if not isinstance(value, Mapping):
            return np.full(n, float(value), dtype=float)
        out = np.full(n, np.nan)
        reduce = np.fmax if strictest == "max" else np.fmin
        regions = market_region.to_numpy()
        prods = product.to_numpy()
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


def _key_problems(name: str, key: str, allowed: str, regions: set[str] | None,
                  products: set[str] | None) -> list[str]:
    if regions is None or products is None:
        return []
    is_region, is_product = key in regions, key in products
    if allowed == "product":
        return [] if is_product else [f"(policy) | {name} key {key!r} is not a product"]
    if is_region and is_product:
        return [f"(policy) | {name} key {key!r} is both a region and a product; rename one"]
    if not is_region and not is_product:
        return [f"(policy) | {name} key {key!r} is neither a region nor a product"]
    return []


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
