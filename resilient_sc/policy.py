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

import contextlib
import unicodedata
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from .data import Network
from .exceptions import PolicyError, ValidationError, check_path
from .format import and_list
from .keywords import fields_signature, unknown_keywords
from .limits import Limits
from .mapping_files import SWITCH_WORDS, load_mapping, shown
from .policy_fields import POLICY_FIELDS, PolicyField
from .wording import SHOWN, brief, clip, listing, suggest

__all__ = ["POLICY_FIELDS", "POLICY_SUFFIXES", "Policy", "PolicyArgumentError", "PolicyField"]

Share = float | Mapping[str, float] | None
#: the suffixes of a policy file
POLICY_SUFFIXES = (".yaml", ".yml", ".json")


def _is_whole(key: Any) -> bool:
    """A whole number key (a period 2027), numpy's too; never a bool."""
    return isinstance(key, int | np.integer) and not isinstance(key, bool)


def _number(value: Any, whole: bool) -> Any:
    """A numpy number as Python's; a whole float as an int for a field of ``whole`` numbers
    (``max_hubs: 1.0`` from YAML counts hubs as ``1`` does); anything else as given (checked later)."""
    if isinstance(value, np.generic):
        value = value.item()
    if whole and isinstance(value, float) and value.is_integer() and abs(value) < 2 ** 53:  # exact as int
        return int(value)
    return value


def _spelled(name: Any) -> Any:
    """A key or member as the network spells its ids: whole numbers as text, names in NFC."""
    if _is_whole(name):
        return str(name)
    # str() of a str subclass (numpy's str_ from an array of ids) is a plain str: dumped as YAML
    return unicodedata.normalize("NFC", str(name)) if isinstance(name, str) else name


class _Frozen(dict):  # type: ignore[type-arg]
    """A policy field's mapping: read-only, as the policy that hashes it (a cached policy
    changed through ``policy.min_local_share["Europe"] = 0.9`` was no longer found)."""

    def _refused(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError("a policy's mapping cannot be changed: make another with policy.replace(...)")

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = _refused  # type: ignore[assignment]
    __ior__ = _refused  # type: ignore[assignment]

    def __reduce__(self) -> tuple[Any, ...]:
        return (_Frozen, (dict(self),))


for _dumper in (yaml.SafeDumper, yaml.Dumper):  # dumped as the mapping it is (else: 'cannot represent')
    _dumper.add_representer(_Frozen, yaml.representer.SafeRepresenter.represent_dict)


@dataclass(frozen=True, kw_only=True)
class Policy:
    """Resilience requirements; every field is optional and given by name (see docs/policies.md
    and docs/formulation.md §5).

    Shares are fractions in [0, 1]; ``co2_cap`` is in CO2 units; ``co2_price`` in money per
    CO2 unit; ``shortfall_penalty`` in money per unit of unmet demand. A mapping field is
    read-only (the policy is hashable); ``excluded_countries`` and ``survive`` are sets in
    meaning, kept sorted without repeats (the same policy, whatever the order given).
    """

    min_suppliers: int | Mapping[str, int] | None = None
    max_supplier_share: Share = None
    max_country_share: Share = None
    min_local_share: Share = None
    min_allied_share: Share = None
    excluded_countries: Collection[str] = ()  # a tuple once made (lists, sets and one id accepted)
    survive: Collection[str] = ()
    service_level: Share = None
    co2_cap: float | None = None
    co2_price: float = 0.0
    single_sourcing: bool = False
    min_hubs: int | None = None
    max_hubs: int | None = None
    shortfall_penalty: Share = None
    disruption_weight: float = 1.0
    max_region_share: Share = None

    def __new__(cls, *args: Any, **fields_given: Any) -> Policy:
        """A name that is no field is a :class:`ValidationError` (and a TypeError, as Python's
        own) with the nearest field: ``Policy(min_local_shar=0.5)`` said only 'unexpected
        keyword argument', where :meth:`from_dict` and :meth:`replace` name the field meant."""
        if unknown := unknown_keywords(fields_given, POLICY_FIELDS, "policy field"):
            raise PolicyArgumentError(unknown)
        return super().__new__(cls)

    def __post_init__(self) -> None:
        # accept lists for the tuple fields (YAML and JSON give lists), whole-number mapping
        # keys as text (YAML reads the period key 2027 as a number), and one spelling of each
        # name (NFC, as the network's ids: an NFD 'München' from macOS matches); no other logic
        # numpy numbers as Python's (np.arange sweeps), and a mapping copied: a policy never
        # changes with the caller's dict after it is made
        for f in fields(self):
            value = getattr(self, f.name)
            whole = f.name in POLICY_FIELDS and POLICY_FIELDS[f.name].integer  # 2.0 as 2: a count
            if isinstance(value, pd.Series):  # its values, or a mapping of key -> value (never its truth)
                value = value.tolist() if f.name in ("excluded_countries", "survive") else value.to_dict()
            elif isinstance(value, np.ndarray):  # its values (np.linspace given for one share: a list,
                value = value.tolist()  # refused by check), never its truth, which raised in repr
                object.__setattr__(self, f.name, value)
            if isinstance(value, np.generic | float):
                object.__setattr__(self, f.name, _number(value, whole))
            elif isinstance(value, Mapping):  # an empty per-key mapping requires nothing: as unset
                copied = {_spelled(k): _number(v, whole) for k, v in value.items()}
                if len(copied) < len(value):  # 2027 and '2027', or 'Région' in NFC and in NFD
                    twice = next(k for k in copied if sum(_spelled(j) == k for j in value) > 1)
                    raise PolicyArgumentError(
                        f"{f.name} has the key {shown(twice)} twice, spelt differently "
                        f"({', '.join(ascii(j) for j in value if _spelled(j) == twice)}); keep one")
                if not copied and f.name == "shortfall_penalty":  # {} is no "nothing may go short"
                    raise PolicyArgumentError("shortfall_penalty {} prices no product: give one number, "
                                              "or a price per product")
                keyed = f.name in POLICY_FIELDS and bool(POLICY_FIELDS[f.name].keys)
                object.__setattr__(self, f.name, None if keyed and not copied else _Frozen(copied))
        if isinstance(self.single_sourcing, str) and self.single_sourcing.strip().lower() in SWITCH_WORDS:
            object.__setattr__(self, "single_sourcing", SWITCH_WORDS[self.single_sourcing.strip().lower()])
        for name in ("excluded_countries", "survive"):
            value = getattr(self, name)
            if isinstance(value, str):
                object.__setattr__(self, name, (value,))
            elif not isinstance(value, Iterable) or isinstance(value, Mapping | bytes | bytearray):
                # a mapping was read as its keys ({CN: false} excluded CN), bytes as numbers
                row = POLICY_FIELDS[name]
                one = f"one of {', '.join(row.choices)}" if row.choices else f"a {row.members} id"
                keyed = (" (it takes no period keys: it holds in every period of a roadmap; a supplier stops "
                         "in a period with capacity 0 in that period's supplier_products rows)"
                         if isinstance(value, Mapping) and name == "excluded_countries" else "")
                raise PolicyArgumentError(f"{name} == {shown(value)}, must be {one}, or a list of "
                                          f"them{keyed}")
            else:  # sorted without repeats: ('TW', 'CN') is ('CN', 'TW'); a list in it is refused by check
                members = [_spelled(v) for v in value]
                with contextlib.suppress(TypeError):
                    members = sorted(dict.fromkeys(members), key=str)
                object.__setattr__(self, name, tuple(members))

    def __hash__(self) -> int:
        """Hashable though mapping fields are dicts (``{Policy(min_local_share={"EU": 0.5})}``)."""
        return hash(tuple(tuple(sorted(v.items(), key=str)) if isinstance(v, Mapping) else v
                          for v in (getattr(self, f.name) for f in fields(self))))

    def __repr__(self) -> str:
        """The fields set only: ``Policy(min_local_share=0.5)``, ``Policy()`` for the base."""
        return f"Policy({', '.join(f'{k}={getattr(self, k)!r}' for k in self.to_dict())})"

    # ---- construction -------------------------------------------------------------
    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        """Every policy field, in the order of the class."""
        return tuple(f.name for f in fields(cls))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> Policy:
        """A policy from a mapping of field -> value; unknown keys are an error."""
        if data is not None and not isinstance(data, Mapping):
            raise ValidationError([f"(policy) | {shown(data)} is a {type(data).__name__}, not a mapping of "
                                   "field: value"])
        data = dict(data or {})
        names = cls.field_names()
        unknown = sorted((k for k in data if k not in names), key=str)
        if unknown and len(unknown) == len(data) and all(isinstance(data[k], Mapping) for k in unknown) and (
                any(set(map(str, data[k])) & set(names) for k in unknown)  # a name like 'single sourcing'
                or not any(suggest(str(k), names) for k in unknown)):  # lost the words (scale audit)
            names_given = [shown(k) for k in data]  # in the file's order (review)
            listed = (and_list(names_given) if len(names_given) <= SHOWN else
                      f"{', '.join(names_given[:SHOWN])} and {len(names_given) - SHOWN:,} more")
            return cls._with_problems({}, [  # not a field misspelt (review): one problem, not one a name
                f"(policy) | {listed} read as named policies, each with its fields: one policy is its "
                "fields alone (min_local_share: 0.5); named policies are compared with load_policies "
                "(CLI: resilient-sc premium DATA --policies FILE)"])
        problems = [f"(policy) | unknown field {shown(k)}{suggest(k, names)}" for k in unknown[:SHOWN]]
        plain = next((i for i, k in enumerate(unknown[:SHOWN]) if not suggest(k, names)), None)
        if plain is not None:  # the fields listed once, where no 'did you mean' says (not on every line)
            problems[plain] += f"; known fields are: {', '.join(names)}"
        if len(unknown) > SHOWN:  # the header counted them all: 20 said '10 problems'
            problems.append(f"(policy) | … and {len(unknown) - SHOWN:,} more unknown fields")
        return cls._with_problems({k: v for k, v in data.items() if k in names}, problems)

    @classmethod
    def _with_problems(cls, given: dict[str, Any], problems: list[str]) -> Policy:
        """The policy of the fields ``given``; when anything is wrong (``problems`` found before, or
        a field that takes no such value: survive: 5 names the field and the value itself) one
        :class:`ValidationError` with every problem, the others' ranges and rules too (:meth:`check`):
        they came one kind a run, a typo first, then a value out of range (policies audit)."""
        try:
            policy = cls(**given)
        except PolicyArgumentError:
            wrong = {}
            for k, v in given.items():
                try:
                    cls(**{k: v})
                except PolicyArgumentError as exc:
                    wrong[k] = exc.message
            problems = [*problems, *(f"(policy) | {m}" for m in wrong.values())]
            policy = cls(**{k: v for k, v in given.items() if k not in wrong})
        if problems:
            try:
                policy.check()
            except ValidationError as exc:
                problems += list(exc.problems)
            raise ValidationError(problems)
        return policy

    @classmethod
    def from_file(cls, path: str | Path, limits: Limits | None = None) -> Policy:
        """A policy from a ``.yaml``/``.yml`` or ``.json`` file of field: value pairs; any
        problem with the file or its values is a :class:`PolicyError` naming the file (also
        when :meth:`check` finds it later). The file is read within ``limits``
        (:mod:`resilient_sc.limits`: size, YAML aliases, nesting and values)."""
        check_path("path", path, "a YAML or JSON file of policy fields")
        path = Path(path)
        try:
            if path.suffix.lower() not in POLICY_SUFFIXES:
                raise ValidationError([f"(policy) | {path.name}: expected a "
                                       f"{', '.join(POLICY_SUFFIXES)} file"])
            try:
                given = load_mapping(path, "policy", limits)
                if {"status", "objective", "policy"} <= set(given):  # a plan.json or roadmap.json
                    raise ValidationError([f"(policy) | {path.name} is the record of a plan or roadmap, not "
                                           "a policy file: its 'policy' object holds the fields it was "
                                           "solved under; save that object alone as a .json or .yaml file"])
                said = without_value(given, path)  # said with the other fields' problems, not before them
                try:
                    policy = cls.from_dict({k: v for k, v in given.items() if v is not None} if said
                                           else given)
                except ValidationError as exc:
                    raise ValidationError([*said, *exc.problems]) from None
                if said:
                    try:
                        policy.check()
                    except ValidationError as exc:
                        said = [*said, *exc.problems]
                    raise ValidationError(said)
            except (TypeError, ValueError) as exc:  # e.g. survive: 5
                if isinstance(exc, ValidationError):
                    raise
                raise ValidationError([f"(policy) | {path.name}: {clip(str(exc), 200)}"]) from exc
        except ValidationError as exc:
            raise PolicyError(exc.problems, str(path)) from exc
        object.__setattr__(policy, "_source", str(path))
        return policy

    @property
    def source(self) -> str:
        """The file the policy was read from (``""``: built in code, or changed since)."""
        return str(self.__dict__.get("_source", ""))

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
        """A copy with some fields changed; a name that is no field is a :class:`ValidationError`
        with the nearest field (dataclasses said only 'unexpected keyword argument')."""
        return replace(self, **changes)  # Policy() checks the names

    @property
    def is_base(self) -> bool:
        """True when nothing is required: the cost-optimal base."""
        return not self.to_dict()

    # ---- checks ---------------------------------------------------------------------
    def check(self, regions: set[str] | None = None, products: set[str] | None = None,
              countries: set[str] | None = None, periods: set[str] | None = None) -> None:
        """Raise :class:`ValidationError` listing every out-of-range or ill-typed field (the rules
        of :data:`POLICY_FIELDS`, field by field), with mapping keys checked against ``regions``
        and ``products`` when both are given and country names against ``countries`` when given
        (:meth:`check_network` gives all three). A policy read from a file raises a
        :class:`PolicyError` naming it."""
        problems: list[str] = []
        for row in POLICY_FIELDS.values():
            found = row.problems(getattr(self, row.name), regions, products, countries, periods)
            problems += found[:SHOWN]
            if len(found) > SHOWN:
                problems.append(f"(policy) | … and {len(found) - SHOWN:,} more problems with {row.name}")
        if (isinstance(self.min_hubs, int | float) and isinstance(self.max_hubs, int | float)
                and self.min_hubs > self.max_hubs):
            problems.append(f"(policy) | min_hubs == {self.min_hubs} exceeds max_hubs == "
                            f"{self.max_hubs}")
        problems += self._unpriced(products, periods)
        given = self.to_dict()
        problems += [f"(policy) | {row.name} == {shown(given[row.name])} does nothing without "
                     f"{row.needs}; set {row.needs} too, or leave {row.name} out"
                     for row in POLICY_FIELDS.values() if row.needs and row.name in given
                     and row.needs not in given]
        if problems:
            raise PolicyError(problems, self.source) if self.source else ValidationError(problems)

    def _unpriced(self, products: set[str] | None, periods: set[str] | None) -> list[str]:
        """A shortfall_penalty mapping must price every product in every period, by the product's
        key or the period's: a product without a price could not be told apart from one that may
        never go short."""
        value = self.shortfall_penalty
        if not isinstance(value, Mapping) or products is None:
            return []
        unkeyed = sorted((periods or set()) - set(value))  # periods where product keys must do
        missing = sorted(products - set(value)) if unkeyed or not periods else []
        when = f" in {listing(unkeyed)}" if unkeyed and len(unkeyed) < len(periods or ()) else ""
        return [f"(policy) | shortfall_penalty names no money per unit short of product {shown(p)}{when}: "
                f"a mapping prices every product{' in every period' * bool(periods)} (one number prices "
                "them all alike)" for p in missing]

    def check_network(self, network: Network) -> None:
        """:meth:`check` against the regions, products and countries of ``network``: every name
        in the policy (``excluded_countries: [cn]``, a region key) must be one of the data."""
        self.check(regions=set(network.countries["region"]), products=set(network.products["product"]),
                   countries=set(network.countries["country"]), periods=set(network.periods["period"]))

    def fitted(self, network: Network) -> tuple[Policy, list[str]]:
        """This policy without the names ``network`` does not have (mapping keys, excluded
        countries; a field left with nothing is unset), and what was left out, one line per
        field: for a policy kept across new data (the app), what no longer applies is said, not
        kept hidden. A policy that still does not fit (a field that needs one left out) is the base.

        >>> from resilient_sc import examples
        >>> policy = Policy(min_local_share={"Europe": 0.5, "Mars": 0.2}, excluded_countries=("CN", "XX"))
        >>> fitted, left_out = policy.fitted(examples.electronics())
        >>> fitted.to_dict(), left_out
        ({'min_local_share': {'Europe': 0.5}, 'excluded_countries': ['CN']}, \
["min_local_share: key 'Mars' left out", "excluded_countries: 'XX' left out"])
        """
        names = {"regions": set(network.countries["region"]), "products": set(network.products["product"]),
                 "countries": set(network.countries["country"]), "periods": set(network.periods["period"])}
        changes: dict[str, Any] = {}
        dropped: list[str] = []
        for row in POLICY_FIELDS.values():
            value = getattr(self, row.name)
            if not row.problems(value, **names):
                continue
            if isinstance(value, Mapping):
                kept = {k: v for k, v in value.items() if not row.problems({k: v}, **names)}
                gone = [k for k in value if k not in kept]
                dropped.append(f"{row.name}: {'key' if len(gone) == 1 else 'keys'} "
                               f"{', '.join(shown(k) for k in gone)} left out")
                changes[row.name] = kept or row.default
            elif isinstance(value, tuple):
                kept_items = tuple(v for v in value if not row.problems((v,), **names))
                dropped.append(f"{row.name}: {', '.join(shown(v) for v in value if v not in kept_items)} "
                               "left out")
                changes[row.name] = kept_items
            else:
                dropped.append(f"{row.name} = {shown(value)} left out")
                changes[row.name] = row.default
        fitted = self.replace(**changes) if changes else self
        try:
            fitted.check_network(network)
        except ValidationError as exc:
            return Policy(), [*dropped, *exc.messages, "so the policy is the base"]
        return fitted, dropped

    @staticmethod
    def check_field(name: str, where: str = "field") -> PolicyField:
        """The row of :data:`POLICY_FIELDS` for field ``name``; a :class:`ValidationError`
        (labelled ``where``) naming the valid fields when there is none."""
        if not isinstance(name, str) or name not in POLICY_FIELDS:  # [1, 2]: the values, out of place
            raise ValidationError([f"({where}) | unknown policy field {shown(name)}"
                                   f"{suggest(name, POLICY_FIELDS)}; fields are: {', '.join(POLICY_FIELDS)}"])
        return POLICY_FIELDS[name]

    def sweep(self, name: str, values: Iterable[Any], where: str = "values") -> list[Policy]:
        """Copies of this policy with field ``name`` set to each of ``values`` in turn; a value
        the field cannot hold (``survive = 5``) is a :class:`ValidationError` labelled ``where``."""
        if isinstance(values, str) or not isinstance(values, Iterable):
            raise ValidationError([f"({where}) | {brief(values)}: the values of {name} to sweep are a list"])
        out = []
        for v in values:
            try:
                out.append(self.replace(**{name: v}))
            except PolicyArgumentError as exc:  # names the field and the value itself
                raise ValidationError([f"({where}) | {exc.message}"]) from exc
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

    def in_period(self, period: str, periods: Iterable[str], regions: Iterable[str],
                  products: Iterable[str]) -> Policy:
        """This policy as it holds in ``period`` (docs/formulation.md §9): a mapping key naming
        ``period`` applies to every market and product (it becomes a key for each region, or
        each product for a product-keyed field, the strictest binding where one exists), a key
        naming another period applies to nothing; region and product keys stay. A mapping left
        empty asks nothing.

        >>> p = Policy(min_local_share={"2027": 0.3, "2029": 0.5, "EU": 0.4})
        >>> p.in_period("2027", ["2027", "2029"], ["EU", "NA"], ["chips"]).min_local_share
        {'EU': 0.4, 'NA': 0.3}
        >>> p.in_period("2029", ["2027", "2029"], ["EU", "NA"], ["chips"]).min_local_share
        0.5
        """
        periods = set(periods)
        changes: dict[str, Any] = {}
        for row in POLICY_FIELDS.values():
            value = getattr(self, row.name)
            if not (row.keys and isinstance(value, Mapping)) or not periods & set(value):
                continue
            kept = {k: v for k, v in value.items() if k not in periods}
            members = list(regions if "region" in row.keys else products)
            if period in value:
                pick = max if row.strictest == "max" else min
                for member in members:
                    kept[member] = pick(kept[member], value[period]) if member in kept else value[period]
            one = set(kept.values())  # every member at one value is that value, as the planner wrote it
            changes[row.name] = (one.pop() if kept.keys() == set(members) and len(one) == 1 else kept or None)
        return replace(self, **changes) if changes else self

    def skipped_periods(self, periods: Iterable[str]) -> list[str]:
        """A message per mapping field whose period keys skip a period between its first and
        last: a key holds in its period only, so there the field asks nothing of the period
        keys (a glide path with a year forgotten); region and product keys still hold.

        >>> Policy(min_local_share={"2028": 0.4, "2030": 0.5}).skipped_periods(["2028", "2029", "2030"])
        ["(policy) | min_local_share has period keys '2028' and '2030' but none for '2029' between them: \
a period key holds in its period only, so there min_local_share asks nothing; give each period its value"]
        """
        order = list(periods)
        out = []
        for row in POLICY_FIELDS.values():
            value = getattr(self, row.name)
            if not (row.keys and isinstance(value, Mapping)):
                continue
            keyed = [i for i, p in enumerate(order) if p in value]
            skipped = [order[i] for i in range(keyed[0], keyed[-1]) if order[i] not in value] if keyed else []
            after = order[keyed[-1] + 1:] if keyed else []  # a target "by 2028" dropped in 2029 and 2030
            keyed_too = set(value) - set(order)  # region or product keys: they hold in every period
            others = f" holds only its {' and '.join(row.keys)} keys" if keyed_too else " asks nothing"
            if skipped:
                named = [shown(order[i]) for i in keyed]
                keys = ", ".join(named[:-1]) + f" and {named[-1]}"  # a period skipped: two keys at least
                out.append(f"(policy) | {row.name} has period keys {keys} but none for "
                           f"{', '.join(map(shown, skipped))} between them: a period key holds in its period "
                           f"only, so there {row.name}{others}; give each period its value")
            if after:
                last, later = shown(order[keyed[-1]]), ", ".join(map(shown, after))
                out.append(f"(policy) | {row.name} has no period key after {last}: a period key holds in its "
                           f"period only, so in {later} {row.name}{others}; give each period its value")
        return out

    def per_product(self, name: str, products: pd.Series) -> np.ndarray:
        """A product-keyed field resolved per product (NaN where not set)."""
        value = getattr(self, name)
        if not isinstance(value, Mapping):
            return np.full(len(products), np.nan if value is None else float(value))
        return products.map(lambda p: float(value[p]) if p in value else np.nan).to_numpy(float)


for _row in POLICY_FIELDS.values():  # each row's annotation and default (policy_fields cannot import Policy)
    object.__setattr__(_row, "declared", Policy.__dataclass_fields__[_row.name])

Policy.__signature__ = fields_signature(Policy)  # type: ignore[attr-defined]  # help(Policy): its fields

class PolicyArgumentError(ValidationError, TypeError):
    """A :class:`Policy` made with a name that is no field, a tuple field (``survive``,
    ``excluded_countries``) given something that is neither text nor a list, or a mapping with
    one key twice (spelt differently): a ValidationError of the policy (``Policy(survive=5)``),
    and a TypeError as Python's own for a wrong argument, whose ``message`` names the field,
    the value and what it takes."""

    def __init__(self, message: str):
        self.message = message
        super().__init__([f"(policy) | {message}"])

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.message,))


def without_value(given: Mapping[Any, Any] | None, path: Path) -> list[str]:
    """The fields a YAML policy file at ``path`` names with no value (a line ``min_local_share:``
    alone), each a problem: read as unset, the policy solved without the share meant, said only
    in the policy's line (spreadsheets audit). A JSON file's ``null`` is written, not left out:
    unset."""
    if not isinstance(given, Mapping) or path.suffix.lower() == ".json":
        return []
    return [f"(policy) | {k} has no value: give one, or delete the line to leave {k} unset"
            for k, v in given.items() if v is None and k in POLICY_FIELDS]
