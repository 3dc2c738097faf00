"""Step 2, the policy: controls for the main fields of :class:`~resilient_sc.Policy`, and policy
files loaded with :meth:`Policy.from_file` and saved as YAML.

The controls hold plain values (a share of None is "off"); :func:`policy_of` builds the policy
and keeps the fields the controls do not show, and per-region or per-product mappings of a
loaded file while their switch is off.

>>> policy_of({"min_local_share": 0.5, "max_country_share": None, "survive": ["country"]}).to_dict()
{'min_local_share': 0.5, 'survive': ['country']}
>>> loaded = Policy(min_local_share={"Europe": 0.7})
>>> controls_of(loaded)["min_local_share"] is None, policy_of({"min_local_share": None}, loaded) == loaded
(True, True)
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
#: every field the page has a control for
CONTROLLED = (*SHARES, "excluded_countries", "survive", "service_level", "single_sourcing")


def policy_of(values: Mapping[str, Any], base: Policy | None = None) -> Policy:
    """The policy of the controls' ``values`` (fields not given keep ``base``'s value)."""
    base = base or Policy()
    changes: dict[str, Any] = {}
    for name in (*SHARES, "service_level"):
        if name in values and not (values[name] is None and isinstance(getattr(base, name), Mapping)):
            changes[name] = None if values[name] is None else float(values[name])
    for name in ("excluded_countries", "survive"):
        if name in values:
            changes[name] = tuple(values[name] or ())
    if "single_sourcing" in values:
        changes["single_sourcing"] = bool(values["single_sourcing"])
    return base.replace(**changes)


def controls_of(policy: Policy) -> dict[str, Any]:
    """What each control shows for ``policy`` (a mapping value shows as None: not editable here)."""
    out: dict[str, Any] = {}
    for name in (*SHARES, "service_level"):
        v = getattr(policy, name)
        out[name] = v if isinstance(v, int | float) else None
    out["excluded_countries"] = list(policy.excluded_countries)
    out["survive"] = list(policy.survive)
    out["single_sourcing"] = policy.single_sourcing
    return out


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

    muted = [False]

    def changed(*_: Any) -> None:
        if muted[0]:
            return
        values = {n: (controls[n].value if switches[n].value else None) for n in (*SHARES, "service_level")}
        values.update({n: controls[n].value for n in ("excluded_countries", "survive", "single_sourcing")})
        session.policy = policy_of(values, session.policy)
        summary.text = f"Policy: {session.policy.to_dict() or 'base (cost-optimal, nothing required)'}"
        on_change()

    with ui.column().classes("w-full gap-1"):
        for name in (*SHARES, "service_level"):
            f = POLICY_FIELDS[name]
            with ui.row().classes("items-center w-full no-wrap"):
                switches[name] = ui.switch(name, on_change=changed).props(f"data-testid=switch-{name}")
                controls[name] = ui.slider(min=0, max=1, step=0.05, value=0.5 if name != "service_level"
                                           else 0.9, on_change=changed).classes("w-64")
                controls[name].props(f"label-always data-testid=slider-{name}")
                ui.label(f.description).classes("text-xs text-gray-600")
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
