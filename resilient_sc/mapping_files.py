"""YAML and JSON files that hold one mapping (policy files), read within limits: the file's
size, and for YAML the number of aliases, the nesting depth and the number of values once
aliases are expanded, so that an alias bomb is refused before it is built (and never printed);
every other problem is one line naming the file, never the document."""

from __future__ import annotations

import datetime
import json
import re
import reprlib
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .exceptions import ValidationError
from .limits import Limits, current, read_bytes
from .wording import clip


def typed(value: Any, width: int = 20) -> str:
    """``value`` as a policy file's author typed it: a date YAML read as its text
    (``2027-01-01``), anything else :func:`shown`.

    >>> import datetime
    >>> typed(datetime.date(2027, 1, 1)), typed(datetime.datetime(2027, 1, 1, 8)), typed(2027)
    ('2027-01-01', '2027-01-01 08:00:00', '2027')
    """
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    return value.isoformat() if isinstance(value, datetime.date) else shown(value, width)


class _Shown(reprlib.Repr):
    """Python's repr, but YAML's dates and binary values as a policy file's reader wrote them
    (``2024-01-01 (a date)``, not ``datetime.date(2024, 1, 1)``)."""

    def repr_date(self, value: Any, level: int) -> str:
        return f"{typed(value)} (a date)"

    def repr_datetime(self, value: Any, level: int) -> str:
        return f"{typed(value)} (a date and time)"

    def repr_bytes(self, value: Any, level: int) -> str:
        return f"binary data ({len(value):,} bytes)"


_REPR = _Shown()
_REPR.maxstring = _REPR.maxother = 40
_REPR.maxlist = _REPR.maxtuple = _REPR.maxdict = _REPR.maxset = 4
_REPR.maxlevel = 3
_REPR.maxlong = 40


def shown(value: Any, width: int = 60) -> str:
    """``repr(value)`` bounded in time and length (a YAML alias bomb is never expanded).

    >>> import datetime
    >>> shown(datetime.date(2024, 1, 1)), shown(b"hello"), shown([0.5, "EU"])
    ('2024-01-01 (a date)', 'binary data (5 bytes)', "[0.5, 'EU']")
    """
    text = _REPR.repr(value)
    return text if len(text) <= width else text[:width - 1] + "…"



def load_mapping(path: str | Path, what: str, limits: Limits | None = None,
                 holds: str = "field: value (min_local_share: 0.5)") -> dict[str, Any]:
    """A mapping (of ``holds``, as the error says) read from a YAML or JSON file, with a clear
    one-line error for anything else.

    The file is read within ``limits`` (:mod:`resilient_sc.limits`): its size, and for YAML the
    number of aliases, the nesting depth and the number of values once aliases are expanded, so
    an alias bomb is refused before it is built (and never printed).
    """
    path = Path(path)
    limits = current(limits)
    raw = read_bytes(path, what, limits.policy_bytes, "policy_kb", limits)
    is_json = path.suffix.lower() == ".json"
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError([f"({what}) | {path.name} is not UTF-8 text (byte 0x{raw[exc.start]:02x} "
                               f"at offset {exc.start})"]) from exc
    data = _load_text(text, is_json, f"({what}) | {path.name}", limits)
    if data is None:
        return {}
    if not isinstance(data, dict):
        got = "a list" if isinstance(data, list) else shown(data)
        hint = "" if is_json or not isinstance(data, str) else _yaml_hint(text)  # every line glued: one text
        raise ValidationError([f"({what}) | {path.name} must hold a mapping of {holds}, not {got}{hint}"])
    return data


def load_yaml_text(text: str, what: str, limits: Limits | None = None) -> Any:
    """``text`` (e.g. a command-line value) as YAML within ``limits``, as :func:`load_mapping`
    reads a file: any problem is one :class:`ValidationError` starting with ``what``."""
    return _load_text(text, False, what, current(limits))


def _load_text(text: str, is_json: bool, what: str, limits: Limits) -> Any:
    try:
        return _load_json(text, limits) if is_json else _load_yaml(text, limits)
    except _TooBig as exc:
        raise ValidationError([f"{what} {exc}"]) from exc
    except RecursionError as exc:
        raise ValidationError([f"{what} has more than {limits.describe('yaml_depth')}"]) from exc
    except Exception as exc:  # json and yaml raise their own error kinds
        kind = "JSON" if is_json else "YAML"
        hint = "" if is_json else _yaml_hint(text)
        raise ValidationError([f"{what} is not valid {kind}: {_parse_error(exc)}{hint}"]) from exc


class _TooBig(Exception):
    """A policy file over one of the limits; the message says which."""


def _parse_error(exc: Exception) -> str:
    """One line: where and what, never the document."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None)
    if isinstance(exc, json.JSONDecodeError):
        return f"line {exc.lineno}, column {exc.colno}: {exc.msg}"
    if mark is not None and problem:
        return f"line {mark.line + 1}, column {mark.column + 1}: {clip(str(problem))}"
    if isinstance(exc, ValueError) and "integer string conversion" in str(exc):  # (it advised sys.set_…)
        return f"a number of more than {sys.get_int_max_str_digits():,} digits (no policy value needs one)"
    return clip(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)


def _yaml_hint(text: str) -> str:
    r"""What a hand-written YAML file's likely slip is, where PyYAML's words do not say it (a
    missing space read 'min_local_share:0.5' as text and blamed the next line; a tab 'cannot start
    any token': spreadsheets audit); "" when none is seen.

    >>> _yaml_hint("min_local_share:0.5\nmin_suppliers: 2\n")
    " (line 1: put a space after the colon, 'min_local_share: 0.5')"
    >>> _yaml_hint("min_local_share: 0.5\nmin_suppliers 2\n")  # PyYAML blamed line 3 of two
    " (line 2 has no colon: 'min_suppliers: 2')"
    """
    for n, line in enumerate(text.splitlines(), start=1):
        if "\t" in line:
            return f" (line {n} holds a tab: YAML takes spaces only, replace it with spaces)"
        glued = re.match(r"\s*([A-Za-z_][\w-]*):(\S.*)$", line)
        if glued and not glued.group(2).startswith(("/", ":")):
            return f" (line {n}: put a space after the colon, '{glued.group(1)}: {clip(glued.group(2), 40)}')"
        bare = re.match(r"\s*([A-Za-z_][\w-]*)\s+([^\s#][^:#]*?)\s*$", line)
        if bare and ":" not in line:
            return f" (line {n} has no colon: '{bare.group(1)}: {clip(bare.group(2), 40)}')"
    return ""


def _repeated(items: Sequence[Any]) -> Any:
    """The first item of ``items`` seen before."""
    seen: set[Any] = set()
    for item in items:
        if item in seen:
            return item
        seen.add(item)
    return None


def _load_json(text: str, limits: Limits) -> Any:
    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out = dict(items)
        if len(out) < len(items):
            raise _TooBig(f"names {shown(_repeated([k for k, _ in items]))} twice in one object; keep one")
        return out

    data = json.loads(text, object_pairs_hook=pairs)
    # bound what JSON holds as YAML's composer does (no aliases: a walk of the values)
    count, stack = 0, [(data, 1)]
    while stack:
        value, depth = stack.pop()
        count += 1
        if depth > limits.yaml_depth:
            raise _TooBig(f"has more than {limits.describe('yaml_depth')}")
        if count > limits.yaml_nodes:
            raise _TooBig(f"has more than {limits.describe('yaml_nodes')}")
        children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
        stack += [(v, depth + 1) for v in children]
    return data


#: plain numbers: ``10``, ``010`` (10, not YAML 1.1's octal 8), ``-0.5``, ``1.5e3``, ``.inf``;
#: never YAML 1.1's ``1:30`` (90, base 60), ``1_0`` (10), ``0b10`` (2) or ``0x1``, which turn a
#: typo into another number: they stay text, and a policy says it is not one. A float has a dot,
#: as in YAML 1.1, so that an id such as ``2E5`` stays text
_CORE_INT = r"^[-+]?[0-9]+$"
_CORE_FLOAT = (r"^(?:[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)(?:[eE][-+]?[0-9]+)?"
               r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$")


#: booleans as YAML 1.2 spells them: never YAML 1.1's ``yes``/``no``/``on``/``off``, which read
#: Norway's code ``NO`` as false (``excluded_countries: [NO]``, a key ``NO:``); a switch takes
#: those words as text (:data:`SWITCH_WORDS`)
_CORE_BOOL = r"^(?:true|True|TRUE|false|False|FALSE)$"
#: the words a switch (``single_sourcing``) takes from a file, in lower case
SWITCH_WORDS = {"true": True, "yes": True, "on": True, "false": False, "no": False, "off": False}


def _core_numbers(loader: Any) -> None:
    """``loader`` (a SafeLoader subclass) resolving and building numbers as :data:`_CORE_INT` and
    :data:`_CORE_FLOAT` say, and booleans as :data:`_CORE_BOOL`."""
    import re

    import yaml

    core_tags = {"tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool"}
    loader.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag not in core_tags]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}
    loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(_CORE_BOOL), list("tTfF"))
    loader.add_implicit_resolver("tag:yaml.org,2002:int", re.compile(_CORE_INT), list("-+0123456789"))
    loader.add_implicit_resolver("tag:yaml.org,2002:float", re.compile(_CORE_FLOAT), list("-+.0123456789"))
    loader.add_constructor("tag:yaml.org,2002:int", lambda self, node: int(self.construct_scalar(node)))
    loader.add_constructor("tag:yaml.org,2002:float", lambda self, node: _core_float(
        str(self.construct_scalar(node))))


def _core_float(text: str) -> float:
    """A float of :data:`_CORE_FLOAT`'s text (``.inf``, ``-.Inf`` and ``.NaN`` as YAML writes them)."""
    return float(text.lower().replace(".inf", "inf").replace(".nan", "nan"))


def dump_yaml(data: Any) -> str:
    """``data`` as YAML that :func:`load_mapping` reads back as it was: text that this module's
    loader would read as a number or a boolean (``08``, ``-.5``, ``1.5E3``) is quoted, as is
    text YAML 1.1 would (``yes``, ``0x1``); PyYAML quotes only the latter, so a product ``08``
    saved bare came back as the number 8."""
    import re

    import yaml

    class Dumper(yaml.SafeDumper):
        pass

    for tag, pattern, first in (("bool", _CORE_BOOL, "tTfF"), ("int", _CORE_INT, "-+0123456789"),
                                ("float", _CORE_FLOAT, "-+.0123456789")):
        Dumper.add_implicit_resolver(f"tag:yaml.org,2002:{tag}", re.compile(pattern), list(first))
    return yaml.dump(data, Dumper=Dumper, sort_keys=False, allow_unicode=True)


def _load_yaml(text: str, limits: Limits) -> Any:
    """``text`` as YAML (safe tags only) within ``limits``.

    Aliases are counted as the document is composed, and the composed graph is measured with
    every alias expanded before any Python object is built: an alias bomb (nine levels of
    ``&a [*z, *z, ...]``: a 300-byte file, billions of values) is refused in milliseconds.
    Anchors and aliases stay allowed, within the limits, because a file of several policies
    may share settings (``base: &base {...}``, ``strict: {<<: *base, ...}``).
    """
    import yaml

    class Loader(yaml.SafeLoader):
        aliases = 0
        depth = 0
        nodes = 0

        def compose_node(self, parent: Any, index: Any) -> Any:
            self.nodes += 1
            if self.nodes > limits.yaml_nodes:
                raise _TooBig(f"has more than {limits.describe('yaml_nodes')}")
            if self.check_event(yaml.AliasEvent):
                self.aliases += 1
                if self.aliases > limits.yaml_aliases:
                    raise _TooBig(f"has more than {limits.describe('yaml_aliases')}")
            self.depth += 1
            try:
                if self.depth > limits.yaml_depth:
                    raise _TooBig(f"has more than {limits.describe('yaml_depth')}")
                return super().compose_node(parent, index)
            finally:
                self.depth -= 1

    _core_numbers(Loader)
    loader = Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _measure(node, limits)
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _key_value(node: Any) -> Any:
    """The value a scalar key ``node`` becomes (as :func:`_core_numbers` builds it), so that keys
    spelt apart but one in Python (``010`` and ``10``; ``NULL`` and ``~``; ``1`` and ``1.0``) are
    seen as one: PyYAML keeps the last of them and drops the others without a word."""
    kind, text = node.tag.rsplit(":", 1)[-1], str(node.value)
    try:
        if kind == "int":
            return int(text)
        if kind == "float":
            value = _core_float(text)
            return "nan" if value != value else value  # NaN equals no NaN: .nan and .NaN were two keys
    except ValueError:  # a tag the text does not fit ('!!int 0x10'): said when the value is built
        return (node.tag, text)
    if kind == "bool":
        return text.lower() == "true"
    if kind == "null":
        return None
    return (node.tag, text)


def _unique_keys(node: Any) -> None:
    """Raise :class:`_TooBig` when the mapping ``node`` names a key twice, also as two spellings
    of one value (:func:`_key_value`)."""
    import yaml

    written: dict[Any, tuple[str, Any]] = {}  # the value a key becomes -> (as first written, value)
    for k, _ in node.value:
        if not isinstance(k, yaml.ScalarNode) or k.tag == "tag:yaml.org,2002:merge":
            continue
        key = _key_value(k)
        if key in written:
            first, key = written[key]
            read = "null" if key is None else str(key).lower() if isinstance(key, bool) else key
            twice = (f"{shown(k.value)} twice" if first == k.value
                     else f"one key twice, as {shown(first)} and {shown(k.value)} (both read as {read})")
            raise _TooBig(f"names {twice} in the mapping at line {node.start_mark.line + 1}; keep one")
        written[key] = (k.value, key)


def _measure(root: Any, limits: Limits) -> None:
    """Raise :class:`_TooBig` when the YAML node graph ``root``, aliases expanded, holds more
    values or deeper nesting than ``limits``, or refers to itself; also when a mapping names a
    key twice. Each node is measured once (memoised), the walk never deeper than the limit."""
    import yaml

    sizes: dict[int, tuple[int, int]] = {}
    open_: set[int] = set()

    def walk(node: Any, level: int) -> tuple[int, int]:
        if id(node) in sizes:
            count, depth = sizes[id(node)]
            if level + depth - 1 > limits.yaml_depth:
                raise _TooBig(f"has more than {limits.describe('yaml_depth')}")
            return count, depth
        if id(node) in open_:
            raise _TooBig("has an alias that refers to itself")
        if level > limits.yaml_depth:
            raise _TooBig(f"has more than {limits.describe('yaml_depth')}")
        open_.add(id(node))
        count, depth = 1, 1
        if isinstance(node, yaml.MappingNode):
            children = [n for pair in node.value for n in pair]
            _unique_keys(node)
        elif isinstance(node, yaml.SequenceNode):
            children = node.value
        else:
            children = []
        for child in children:
            c, d = walk(child, level + 1)
            count += c
            depth = max(depth, d + 1)
            if count > limits.yaml_nodes:
                raise _TooBig(f"has more than {limits.describe('yaml_nodes')}")
        open_.discard(id(node))
        sizes[id(node)] = (count, depth)
        return count, depth

    walk(root, 1)
