"""Step 2, the policy: controls for the main fields of :class:`~resilient_sc.Policy`, and policy
files loaded with :meth:`Policy.from_file` and saved as YAML.

The controls hold plain values (a share of None is "off"); :func:`policy_of` builds the policy
and keeps the fields the controls do not show, and per-region or per-product mappings of a
loaded file while their switch is off. Each field of :data:`KEYED` also has a small grid, one
optional value per region and per product of the data (:func:`key_rows`): a value given there
makes the field a mapping (:data:`~resilient_sc.policy.POLICY_FIELDS` keys), which replaces the
single value; markets whose region and product no value covers get no requirement from the
field, and when both a market's region and its product have one, the stricter binds.

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

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from ..policy import POLICY_FIELDS, Policy
from ..schema import FAILURE_KINDS

if TYPE_CHECKING:
    from .state import Session

#: the share fields shown as sliders with an on/off switch
SHARES = ("min_local_share", "min_allied_share", "max_country_share")
#: the fields with a value per region or product (a grid of optional values)
KEYED = (*SHARES, "service_level")
#: every field the page has a control for
CONTROLLED = (*SHARES, "excluded_countries", "survive", "service_level", "single_sourcing")


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


def key_rows(regions: list[str], products: list[str], mapping: Mapping[str, float]) -> list[dict[str, Any]]:
    """The grid of one field: a row per region, then per product, with its value (None: none).

    >>> key_rows(["Asia"], ["chips"], {"chips": 0.4})
    [{'key': 'Asia', 'kind': 'region', 'value': None}, {'key': 'chips', 'kind': 'product', 'value': 0.4}]
    """
    return [{"key": k, "kind": kind, "value": mapping.get(k)}
            for kind, keys in (("region", regions), ("product", products)) for k in keys]


def network_keys(session: Session) -> tuple[list[str], list[str]]:
    """The regions (of the countries table, in order of appearance) and products of the data."""
    regions = [str(r) for r in dict.fromkeys(session.network.countries["region"].dropna())]
    return regions, [str(p) for p in session.network.products["product"]]


def policy_yaml(policy: Policy) -> str:
    """The policy as a YAML file that :meth:`Policy.from_file` reads back."""
    data = policy.to_dict()
    return yaml.safe_dump(data, sort_keys=False) if data else "{}\n"


def load_policy(content: bytes, name: str, workdir: Path) -> Policy:
    """A policy from an uploaded file, read by :meth:`Policy.from_file` (same limits and errors)."""
    path = workdir / f"uploaded-policy{Path(name).suffix.lower()}"
    path.write_bytes(content)
    return Policy.from_file(path)


def build(session: Session, on_change: Callable[[], None]) -> Callable[[], None]:
    """The policy panel; returns a function that resets the controls from ``session.policy``."""
    from nicegui import events, ui

    controls: dict[str, Any] = {}
    switches: dict[str, Any] = {}
    keyed: dict[str, dict[str, Any]] = {name: {} for name in KEYED}  # field → key → number input

    muted = [False]

    def changed(*_: Any) -> None:
        if muted[0]:
            return
        values: dict[str, Any] = {}
        for n in (*SHARES, "service_level"):
            given = {k: box.value for k, box in keyed[n].items() if box.value is not None}
            values[n] = given or (controls[n].value if switches[n].value else {})
        values.update({n: controls[n].value for n in ("excluded_countries", "survive", "single_sourcing")})
        session.policy = policy_of(values, session.policy)
        summary.text = f"Policy: {session.policy.to_dict() or 'base (cost-optimal, nothing required)'}"
        on_change()

    @ui.refreshable
    def per_key(name: str) -> None:
        regions, products = network_keys(session)
        current = controls_of(session.policy)["per_key"][name]
        keyed[name] = {}
        with ui.grid(columns=4).classes("gap-x-4 gap-y-0"):
            for row in key_rows(regions, products, current):
                box = ui.number(f"{row['key']} ({row['kind']})", value=row["value"], min=0, max=1,
                                step=0.05, on_change=changed)
                box.props(f"dense clearable data-testid=key-{name}-{row['key']}").classes("w-48")
                keyed[name][row["key"]] = box

    with ui.column().classes("w-full gap-1"):
        for name in (*SHARES, "service_level"):
            f = POLICY_FIELDS[name]
            with ui.row().classes("items-center w-full no-wrap"):
                switches[name] = ui.switch(name, on_change=changed).props(f"data-testid=switch-{name}")
                controls[name] = ui.slider(min=0, max=1, step=0.05, value=0.5 if name != "service_level"
                                           else 0.9, on_change=changed).classes("w-64")
                controls[name].props(f"label-always data-testid=slider-{name}")
                ui.label(f.description).classes("text-xs text-gray-600")
            with ui.expansion(f"{name} per region or product", icon="tune").classes("w-full text-sm").props(
                    f"dense data-testid=per-key-{name}"):
                ui.label("A value here replaces the single value above for this field: markets of a region "
                         "or product given a value get it, the others no requirement"
                         + (" (a service level of 1)" if name == "service_level" else "")
                         + "; when a market's region and its product both have one, the stricter binds. "
                         f"Values are the {f.unit}.").classes("text-xs text-gray-600")
                per_key(name)
        controls["excluded_countries"] = ui.select(session.countries(), multiple=True,
                                                   label="excluded_countries", on_change=changed)
        controls["excluded_countries"].classes("w-96").props("use-chips")
        controls["survive"] = ui.select(list(FAILURE_KINDS), multiple=True, label="survive (N-1)",
                                        on_change=changed).classes("w-96").props("use-chips")
        controls["single_sourcing"] = ui.checkbox("single_sourcing: every market served by one hub",
                                                  on_change=changed)
        summary = ui.label().classes("font-mono text-sm").props("data-testid=policy-summary")

        async def upload(e: events.UploadEventArguments) -> None:
            try:
                session.policy = load_policy(await e.file.read(), e.file.name, session.workdir)
            except Exception as exc:  # a PolicyError names the file and every problem
                ui.notify(str(exc), type="negative", multi_line=True, timeout=0, close_button=True)
                return
            reset()
            ui.notify(f"policy loaded from {e.file.name}")

        with ui.row().classes("items-center"):
            ui.upload(label="Load a policy file (.yaml, .yml, .json)", auto_upload=True,
                      on_upload=upload).props("accept=.yaml,.yml,.json")
            ui.button("Save policy (YAML)", icon="download",
                      on_click=lambda: ui.download.content(policy_yaml(session.policy), "policy.yaml"))

    def reset() -> None:
        values = controls_of(session.policy)
        muted[0] = True
        per_key.refresh()
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
