"""Sets of named policies, as a premium table or a frontier compares them: the base first,
every policy checked against the network, a policies file read whole (the problems of all its
policies in one error naming the file)."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from pathlib import Path

from .data import Network
from .exceptions import DataWarning, PolicyError, ValidationError, check_path, warn
from .limits import Limits
from .mapping_files import load_mapping, shown
from .policy import POLICY_FIELDS, POLICY_SUFFIXES, Policy, without_value
from .wording import INVISIBLE, clip

#: the name of the reference policy of a premium table (an entry of that name in a policies
#: mapping or file is the base)
BASE = "base"


def with_base(policies: Mapping[str, Policy], base: Policy | None = None) -> dict[str, Policy]:
    """``{"base": base, **policies}``: the base first (no policy by default; an entry ``base`` in
    ``policies`` is the base, given once), names as text, every value a :class:`Policy`; anything
    else is one :class:`ValidationError`."""
    if not isinstance(policies, Mapping):
        raise ValidationError([f"(policies) | expected a mapping of name to Policy, not "
                               f"{type(policies).__name__}"])
    problems = [f"(policies) | name {k!r} is not text; name each policy with a string"
                for k in policies if not isinstance(k, str)]
    problems += [f"(policy {k!r}) | {shown(v)} is a {type(v).__name__}, not a Policy (build one: "
                 "Policy(**fields) or Policy.from_dict(fields))"
                 for k, v in policies.items() if not isinstance(v, Policy)]
    if base is not None and not isinstance(base, Policy):
        problems.append(f"(base) | {shown(base)} is a {type(base).__name__}, not a Policy")
    problems += _name_problems([k for k in policies if isinstance(k, str)])
    if BASE in policies and base is not None and policies[BASE] != base:
        problems.append(f"(policies) | the base is given twice, as the entry {BASE!r} and as base=; "
                        "give it once")
    if problems:
        raise ValidationError(problems)
    return {BASE: base or policies.get(BASE) or Policy(), **{k: v for k, v in policies.items() if k != BASE}}


def _name_problems(names: list[str]) -> list[str]:
    """Policy names that would print wrong: a control or invisible character (an escape sequence
    coloured the console and planted a link; a newline split a report's table row; a right-to-left
    override turned a line round), or two names that read alike ('near' and 'near ', 'Café' in two
    spellings, 'base ' beside the base: two rows no reader tells apart)."""
    problems = [f"(policy {k!r}) | its name holds a control or invisible character; a policy's name is "
                "printable text" for k in names if INVISIBLE.search(k)]
    problems += [f"(policy {k!r}) | an empty name: a table row and a report heading without one; name "
                 "each policy" for k in names if not k.strip()]
    keys: dict[str, str] = {}
    for k in [BASE, *names]:  # NFKC and spaces only: 'Near' and 'near', a ZWJ's emoji, read apart
        other = keys.setdefault(" ".join(unicodedata.normalize("NFKC", k).split()), k)
        if other != k:
            problems.append(f"(policy {k!r}) | its name {k!a} reads as {other!a}: two policies "
                            "a reader cannot tell apart; rename one")
    return problems


def check_policies(policies: Mapping[str, Policy], network: Network) -> None:
    """Every policy checked against the regions, products and countries of ``network``; one
    :class:`ValidationError` listing the problems of all of them, each labelled with its name
    (a :class:`PolicyError` naming the file when they all come from one)."""
    problems: list[str] = []
    for name, policy in policies.items():
        try:
            policy.check_network(network)
        except ValidationError as exc:
            problems += [p.replace("(policy)", f"(policy {name!r})", 1) for p in exc.problems]
    if problems:
        sources = {p.source for p in policies.values()}
        if len(sources) == 1 and "" not in sources:
            raise PolicyError(problems, sources.pop(), "policies file")
        raise ValidationError(problems)


def load_policies(path: str | Path, limits: Limits | None = None) -> dict[str, Policy]:
    """The policies in ``path``: a YAML/JSON mapping of name -> policy fields; the problems
    of all of them in one :class:`PolicyError` naming the file, each labelled with its name."""
    check_path("path", path, "a YAML or JSON file of policies")
    path = Path(path)
    if path.suffix.lower() not in POLICY_SUFFIXES:
        raise PolicyError([f"(policies) | {path.name}: expected a {', '.join(POLICY_SUFFIXES)} file"],
                          str(path), "policies file")
    policies: dict[str, Policy] = {}
    problems: list[str] = []
    try:
        mapping = load_mapping(path, "policies", limits,
                               "name: policy (near_shoring: {min_local_share: 0.5})")
    except ValidationError as exc:
        raise PolicyError(exc.problems, str(path), "policies file") from exc
    if mapping and set(map(str, mapping)) <= set(POLICY_FIELDS) and not any(  # one policy's fields
            isinstance(v, Mapping) and set(map(str, v)) <= set(POLICY_FIELDS) for v in mapping.values()):
        fields = ", ".join(map(str, mapping))
        raise PolicyError([f"(policies) | {path.name} holds one policy's fields ({clip(fields, 120)}); a "
                           "policies file names each policy: near: {min_local_share: 0.5} (one policy goes "
                           "in a policy file: CLI --policy)"], str(path), "policies file")
    named: set[str] = set()
    for place, (name, data) in enumerate(mapping.items(), 1):
        if name is None or isinstance(name, bool):  # '~:' and 'true:' became None and True, printed so
            problems.append(f"(policies) | the name of policy {place} (of {len(mapping)}) is read as "
                            f"{str(name).lower().replace('none', 'null')} "
                            "(YAML reads ~, null and a blank name as null, true and false as switches): "
                            "write the name as text, in quotes if need be ('true': ...)")
            continue
        if str(name) in named:  # YAML keys 1 and '1': one name, as text
            problems.append(f"(policies) | policy name {shown(str(name))} is given twice; keep one")
            continue
        named.add(str(name))
        label = f"(policy {shown(str(name))})"
        try:
            if data is not None and not isinstance(data, Mapping):
                raise ValueError(f"expected a mapping of field: value, got {shown(data)}")
            if said := without_value(data, path):
                raise ValidationError(said)
            policy = Policy.from_dict(data)
            if policy.is_base and str(name) != "base":  # 'near:' left empty read as a 0.00% premium
                warn(f"{label} | sets no field: it is the base policy; give its fields, e.g. "
                     f"{shown(str(name))}: {{min_local_share: 0.5}}",
                     DataWarning)
            object.__setattr__(policy, "_source", str(path))
            policies[str(name)] = policy
        except ValidationError as exc:
            problems += [p.replace("(policy)", label, 1) for p in exc.problems]
        except (TypeError, ValueError) as exc:
            problems.append(f"{label} | {path.name}: {clip(str(exc), 200)}")
        else:
            continue
        if str(name) in POLICY_FIELDS:  # 'unknown field Europe' alone left the planner guessing
            problems.append(f"{label} | {name} is a policy field too: at the top of a policies file it names "
                            "a policy; a field goes under a policy's name, on the next line indented by two "
                            f"spaces ('near:', then '  {name}: ...')")
    problems += _name_problems(list(policies))
    if problems:
        raise PolicyError(problems[:50], str(path), "policies file")
    return policies
