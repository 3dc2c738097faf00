"""Step 2, the policy: controls for the main fields of :class:`~resilient_sc.Policy`, and policy
files loaded with :meth:`Policy.from_file` and saved as YAML.

The controls hold plain values (a share of None is "off"); :func:`policy_of` builds the policy
and keeps the fields the controls do not show, and per-region or per-product mappings of a
loaded file while their switch is off. Each field of :data:`KEYED` also has a small grid, one
optional value per region and per product of the data, and per period when the data has
periods (:func:`key_rows`): a value given there makes the field a mapping
(:data:`~resilient_sc.policy.POLICY_FIELDS` keys; period keys make a glide path, docs/formulation.md
§9), which replaces the single value; markets whose region, product and period no value covers
get no requirement from the field (service_level: 1, the strictest), and when several values cover
one, the strictest binds.

>>> policy_of({"min_local_share": 0.5, "max_country_share": None, "survive": ["country"]}).to_dict()
{'min_local_share': 0.5, 'survive': ['country']}
>>> loaded = Policy(min_local_share={"Europe": 0.7})
>>> controls_of(loaded)["min_local_share"] is None, policy_of({"min_local_share": None}, loaded) == loaded
(True, True)
>>> controls_of(loaded)["per_key"]["min_local_share"]
{'Europe': 0.7}
>>> policy_of({"min_local_share": {"Europe": 0.7, "Asia": None, "chips": 0.4}}).min_local_share
{'Europe': 0.7, 'chips': 0.4}
>>> policy_of({"min_local_share": {"Asia": None}}, loaded).min_local_share is None
True
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..exceptions import ValidationError
from ..format import settings
from ..limits import current
from ..mapping_files import dump_yaml
from ..policy import POLICY_FIELDS, Policy
from ..schema import FAILURE_KINDS
from ..wording import number_hint
from . import access
from .refused import limit_uploads, on_refused, refused_text
from .state import upload_path, user_words

if TYPE_CHECKING:
    from .state import Session

#: the share fields shown as sliders with an on/off switch
SHARES = ("min_local_share", "min_allied_share", "max_country_share")
#: the fields with a value per region or product (a grid of optional values)
KEYED = (*SHARES, "service_level")
#: what the page says of a file the uploader refused (:func:`.refused.refused_text` names it and why)
REJECTED = ("the file was not read: expected a policy file (.yaml, .yml or .json) of at most {kb:g} KB (the "
            "server's limit: whoever runs it can raise it with RESILIENT_SC_MAX_POLICY_KB)")


def policy_of(values: Mapping[str, Any], base: Policy | None = None) -> Policy:
    """The policy of the controls' ``values`` (fields not given keep ``base``'s value)."""
    base = base or Policy()
    changes: dict[str, Any] = {}
    for name in (*SHARES, "service_level"):
        v = values.get(name)
        if isinstance(v, Mapping):  # the grid: the values given, none at all is no requirement
            changes[name] = {str(k): float(x) for k, x in v.items() if x is not None and x != ""} or None
        elif name in values and not (v is None and isinstance(getattr(base, name), Mapping)):
            changes[name] = None if v is None else float(v)
    for name in ("excluded_countries", "survive"):
        if name in values:
            changes[name] = tuple(values[name] or ())
    if "single_sourcing" in values:
        changes["single_sourcing"] = bool(values["single_sourcing"])
    return base.replace(**changes)


def controls_of(policy: Policy) -> dict[str, Any]:
    """What each control shows for ``policy``: a mapping value shows as None on the slider and
    as its values in the grid (``per_key``: field → {region or product: value})."""
    out: dict[str, Any] = {"per_key": {}}
    for name in (*SHARES, "service_level"):
        v = getattr(policy, name)
        out[name] = v if isinstance(v, int | float) else None
        out["per_key"][name] = {str(k): float(x) for k, x in v.items()} if isinstance(v, Mapping) else {}
    out["excluded_countries"] = list(policy.excluded_countries)
    out["survive"] = list(policy.survive)
    out["single_sourcing"] = policy.single_sourcing
    return out


def key_rows(regions: list[str], products: list[str], mapping: Mapping[str, float],
             periods: list[str] | tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """The grid of one field: a row per region, then per product, then per period of a roadmap
    (a glide path), with its value (None: none).

    >>> key_rows(["Asia"], ["chips"], {"chips": 0.4})
    [{'key': 'Asia', 'kind': 'region', 'value': None}, {'key': 'chips', 'kind': 'product', 'value': 0.4}]
    >>> key_rows([], [], {"2028": 0.3}, ["2027", "2028"])
    [{'key': '2027', 'kind': 'period', 'value': None}, {'key': '2028', 'kind': 'period', 'value': 0.3}]
    """
    return [{"key": k, "kind": kind, "value": mapping.get(k)}
            for kind, keys in (("region", regions), ("product", products), ("period", periods)) for k in keys]


#: a number as typed in a policy box: digits with a decimal point, an exponent at most
TYPED = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def key_value(name: str, key: str, typed: Any) -> tuple[float | None, str | None]:
    """The value ``typed`` for ``key`` in the grid of field ``name`` (None: blank) and what is
    wrong with it in the library's words (:meth:`~resilient_sc.policy.PolicyField.problems`;
    None: nothing). Read as text, so that ``0,1`` is refused as the data grid refuses it: a
    number box read it as ``01``, and the policy solved held 1, not the 0.1 typed (app audit).

    >>> key_value("min_local_share", "Europe", "1.5")
    (1.5, "min_local_share['Europe'] == 1.5, must be in [0, 1]")
    >>> key_value("min_local_share", "Europe", "0,1")
    (None, "min_local_share['Europe']: '0,1' is not a number; type 0.1 (with a decimal point)")
    >>> key_value("service_level", "chips", " 0.9 "), key_value("service_level", "chips", None)
    ((0.9, None), (None, None))
    """
    value, wrong = typed_number(typed)
    if wrong is not None:
        return None, f"{name}[{key!r}]: {wrong}"
    if value is None:
        return None, None
    problems = ValidationError(POLICY_FIELDS[name].problems({key: value})).messages
    return value, problems[0] if problems else None


#: a number a decimal-comma locale writes for a thousand or more (``1.200``): read as 1.2 it was
#: 1000 times too small, unsaid (localisation audit: a time limit of '1.200' ran 1.2 s)
DOT_THOUSANDS = re.compile(r"[+-]?[1-9]\d{0,2}\.\d{3}")


def typed_number(typed: Any) -> tuple[float | None, str | None]:
    """A box's text as a number (None: blank) and, when it is none, why (``'0,1' is not a
    number; type 0.1 …``): the policy boxes', the time limit's and the frontier's one reading.
    A dot before three digits after one to three digits is refused: it may be a thousands dot.

    >>> typed_number("1.200")[1], typed_number("1.000")[1][-15:]
    ("'1.200' may be 1200 (a dot for thousands) or 1.2: type 1200, or 1.2", 'type 1000, or 1')
    >>> typed_number("2.125")[1], typed_number("0.125"), typed_number("12.5")
    ("'2.125' may be 2125 (a dot for thousands) or 2.125: type 2125, or 2.1250", (0.125, None), (12.5, None))
    """
    text = "" if typed is None else str(typed).strip()
    if not text:
        return None, None
    if not TYPED.fullmatch(text):
        return None, f"{text!r} is not a number{number_hint(text)}"
    if DOT_THOUSANDS.fullmatch(text):
        whole, small = text.replace(".", ""), f"{float(text):g}"
        small = f"{float(text):.4f}" if len(small.partition(".")[2]) == 3 else small  # 2.125: 2.1250
        return None, (f"{text!r} may be {whole} (a dot for thousands) or {float(text):g}: type {whole}, "
                      f"or {small}")
    return float(text), None


def field_problems(policy: Policy) -> list[str]:
    """What :meth:`Policy.check <resilient_sc.policy.Policy.check>` finds wrong with ``policy``
    on its own (a field set without the one it needs), in the library's words.

    >>> field_problems(Policy(service_level=0.9))
    ['service_level == 0.9 does nothing without survive; set survive too, or leave service_level out']
    >>> field_problems(Policy(survive=("country",), service_level=0.9))
    []
    """
    try:
        policy.check()
    except ValidationError as exc:
        return list(exc.messages)
    return []


def key_help(name: str, unit: str, periods: bool) -> str:
    """What the grid of field ``name`` means (``periods``: the data is a roadmap)."""
    kinds = "region, product or period" if periods else "region or product"
    # service_level: the others are held in full, the strictest level, not 'no requirement' (app audit)
    text = (f"A value here replaces the single value above for this field: markets of a {kinds} given a "
            "value get it, the others " + ("a service level of 1 (all their demand after every failure)"
                                           if name == "service_level" else "no requirement")
            + f"; when several values cover a market{', product and period' if periods else ' and product'}, "
            "the strictest binds.")
    if periods:
        text += (" A period's value applies to every market in that period only: a glide path lists each "
                 "period from its first target on.")
    return f"{text} Values are the {unit}."


def network_keys(session: Session) -> tuple[list[str], list[str]]:
    """The regions (of the countries table, in order of appearance) and products of the data."""
    regions = [str(r) for r in dict.fromkeys(session.network.countries["region"].dropna())]
    return regions, [str(p) for p in session.network.products["product"]]


def policy_yaml(policy: Policy) -> str:
    """The policy as a YAML file that :meth:`Policy.from_file` reads back."""
    data = policy.to_dict()
    return dump_yaml(data) if data else "{}\n"


def load_policy(content: bytes, name: str, workdir: Path) -> Policy:
    """A policy from an uploaded file, read by :meth:`Policy.from_file` (same limits and errors);
    its copy removed once read."""
    path = upload_path(name, workdir)  # its own name: the messages name the user's file
    try:
        path.write_bytes(content)
        return Policy.from_file(path)
    finally:
        shutil.rmtree(path.parent, ignore_errors=True)


def build(session: Session, on_change: Callable[[], None]) -> Callable[[], None]:
    """The policy panel; returns a function that resets the controls from ``session.policy``."""
    from nicegui import events, run, ui

    controls: dict[str, Any] = {}
    switches: dict[str, Any] = {}
    # field → key → value of the grids: the page's own copy, since a grid is rebuilt after reset() returns
    per_values: dict[str, dict[str, float]] = {name: {} for name in KEYED}
    expansions: dict[str, Any] = {}

    muted = [False]
    # (field, key) → what is wrong with the value typed there: such a value is not used
    invalid: dict[tuple[str, str], str] = {}

    def changed(*_: Any) -> None:
        if muted[0]:
            return
        values: dict[str, Any] = {}
        for n in (*SHARES, "service_level"):  # a slider whose switch is off is greyed and shows no value
            controls[n].set_enabled(bool(switches[n].value))
            if switches[n].value:
                controls[n].props("label-always")
            else:
                controls[n].props(remove="label-always")
        for n in (*SHARES, "service_level"):
            values[n] = dict(per_values[n]) or (controls[n].value if switches[n].value else {})
        values.update({n: controls[n].value for n in ("excluded_countries", "survive", "single_sourcing")})
        session.policy = policy_of(values, session.policy)
        session.policy_problems = list(invalid.values()) + field_problems(session.policy)
        summary.text = f"Policy: {settings(session.policy.to_dict())}"  # words, not a Python dict
        problems.text = ("Correct it to solve: " + "; ".join(session.policy_problems)
                         if session.policy_problems else "")
        on_change()

    @ui.refreshable
    def per_key(name: str) -> None:
        regions, products = network_keys(session)
        periods = session.period_ids()
        ui.label(key_help(name, POLICY_FIELDS[name].unit, bool(periods))).classes("text-xs text-gray-600")
        rows = key_rows(regions, products, per_values[name], periods)
        for kind in ("region", "product", "period"):
            if not any(r["kind"] == kind for r in rows):
                continue
            with ui.row().classes("gap-x-4 gap-y-0 items-center"):
                for row in (r for r in rows if r["kind"] == kind):
                    # text, not a number box: the browser read 0,1 as 01 (key_value); no min and
                    # max either: NiceGUI clamped a value out of range without a word
                    shown = "" if row["value"] is None else f"{row['value']:.10g}"
                    box = ui.input(f"{row['key']} ({kind})", value=shown,
                                   validation=lambda v, key=row["key"]: key_value(name, key, v)[1],
                                   on_change=lambda e, key=row["key"]: key_changed(name, key, e.value,
                                                                                  e.sender))
                    box.props("dense clearable").classes("w-44")
                    # set, not parsed: a props text of a region's id ran ':x="…"' as JavaScript
                    box.props["data-testid"] = f"key-{name}-{row['key']}"
                    # its field in its name: the four grids' boxes were each 'Europe (region)' to a screen
                    # reader, which field they set unsaid (accessibility audit)
                    box.props["aria-label"] = f"{name}: {row['key']} ({kind})"

    def key_changed(name: str, key: str, typed: Any, box: Any = None) -> None:
        value, problem = key_value(name, key, typed)
        if problem is not None:
            invalid[(name, key)] = problem
        else:
            invalid.pop((name, key), None)
        if box is not None:  # its message is read once, as it appears: a box tabbed back to says it is wrong
            box.props["aria-invalid"] = "true" if problem is not None else "false"
            box.update()
        if value is None or problem is not None:
            per_values[name].pop(key, None)
        else:
            per_values[name][key] = value
        changed()

    with ui.column().classes("w-full gap-1"):
        for name in (*SHARES, "service_level"):
            f = POLICY_FIELDS[name]
            with ui.row().classes("items-center w-full no-wrap mt-5"):  # room for the slider's label
                switches[name] = ui.switch(name, on_change=changed).props(f"data-testid=switch-{name}")
                controls[name] = ui.slider(min=0, max=1, step=0.05, value=0.5 if name != "service_level"
                                           else 0.9, on_change=changed).classes("w-64")
                controls[name].props(f"label-always data-testid=slider-{name} aria-label={name}")
                ui.label(f.description).classes("text-xs text-gray-600")
            expansions[name] = ui.expansion(icon="tune").classes("w-full text-sm").props(
                f"dense data-testid=per-key-{name}")
            with expansions[name]:
                per_key(name)
        controls["excluded_countries"] = ui.select(session.countries(), multiple=True,
                                                   label="excluded_countries", on_change=changed)
        controls["excluded_countries"].classes("w-96").props("use-chips")
        controls["survive"] = ui.select(list(FAILURE_KINDS), multiple=True, label="survive (N-1)",
                                        on_change=changed).classes("w-96").props("use-chips")
        controls["single_sourcing"] = ui.checkbox("single_sourcing: every market served by one hub",
                                                  on_change=changed)
        summary = ui.label().classes("font-mono text-sm").props("data-testid=policy-summary")
        problems = access.status(ui.label().classes("text-red-700 font-bold").props(
            "data-testid=policy-problems"))

        async def upload(e: events.UploadEventArguments) -> None:
            # emptied, as the data's: the same file loaded again (back to it after edits) was refused
            # by the browser as 'duplicate', with the size and kind words (scale audit)
            uploader.reset()
            client = ui.context.client
            try:  # a name the data does not have is refused, never kept where no control shows it
                # off the server's loop: a policy of 371 KB parsed there held every tab for 2.4 s
                policy = await run.io_bound(load_policy, await e.file.read(), e.file.name, session.workdir)
                if client.is_deleted:
                    return
                policy.check_network(session.network)
                session.policy = policy
            except Exception as exc:  # a PolicyError names the file and every problem: a line each
                file_problems.text = user_words(str(exc), session.workdir)  # a notification ran them on
                ui.notify(f"the policy file {e.file.name} was not used: its problems are listed under it",
                          type="negative")
                return
            file_problems.text = ""
            reset()
            empty = (": it sets no field, so it is the base policy (every setting cleared)"
                     if policy.is_base else "")
            ui.notify(f"policy loaded from {e.file.name}{empty}", type="warning" if empty else "info")

        def rejected(refused: list[tuple[str, str]]) -> None:  # the problems listed are of another file
            file_problems.text = ""
            ui.notify(refused_text(REJECTED.format(kb=current().policy_kb), refused), type="negative",
                      multi_line=True)

        file_problems = access.status(ui.label().classes("text-red-700 text-sm whitespace-pre-line").props(
            "data-testid=policy-file-problems"))
        with ui.row().classes("items-center"):
            words = "Load a policy file (.yaml, .yml, .json)"
            uploader = ui.upload(label=words, auto_upload=True, on_upload=upload,
                                 max_file_size=current().policy_bytes).props(
                "accept=.yaml,.yml,.json data-testid=upload-policy").props(f'data-label="{words}"')
            on_refused(uploader, rejected)
            limit_uploads(uploader, current().policy_bytes, current().describe("policy_kb"))
            ui.button("Save policy (YAML)", icon="download",
                      on_click=lambda: ui.download.content(policy_yaml(session.policy), "policy.yaml"))

    def reset() -> None:
        values = controls_of(session.policy)
        muted[0] = True
        invalid.clear()
        for name in KEYED:
            per_values[name] = dict(values["per_key"][name])
        per_key.refresh()  # runs after this returns (NiceGUI 3): the grids read per_values
        kinds = "region, product or period (a glide path)" if session.is_roadmap else "region or product"
        for name, expansion in expansions.items():
            expansion.text = f"{name} per {kinds}"
            if per_values[name]:  # show the values a loaded policy gives
                expansion.set_value(True)
        controls["excluded_countries"].set_options(session.countries())
        for name in (*SHARES, "service_level"):
            switches[name].set_value(values[name] is not None)
            if values[name] is not None:
                controls[name].set_value(values[name])
        for name in ("excluded_countries", "survive", "single_sourcing"):
            controls[name].set_value(values[name])
        muted[0] = False
        changed()

    reset()
    return reset
