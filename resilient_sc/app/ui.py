"""The page (five tabs, one per step) and the server; a new :class:`~.state.Session` per tab."""

from __future__ import annotations

from pathlib import Path

from . import compare_page, data_page, export, policy_page, solve_page
from .state import Session

STEPS = ("1 Data", "2 Policy", "3 Solve", "4 Compare", "5 Export")
#: how long a tab whose connection dropped (a laptop asleep, a Wi-Fi change, a busy server) keeps its session
RECONNECT_SECONDS = 60.0


def page(session: Session) -> None:
    """The page of one tab over ``session``: a tab per step (what the root page and the tests build)."""
    from nicegui import context, ui

    context.client.on_delete(session.close)  # the tab gone: its jobs stopped, its downloads removed
    ui.label("resilient_sc — the planner's workbench").classes("text-xl font-bold")
    with ui.tabs().classes("w-full") as tabs:
        tab = {name: ui.tab(name) for name in STEPS}
    with ui.tab_panels(tabs, value=tab[STEPS[0]]).classes("w-full"):
        policy_changed = [lambda: None]  # the solve panel's, once built
        with ui.tab_panel(tab[STEPS[1]]):
            reset_policy = policy_page.build(session, lambda: policy_changed[0]())
        with ui.tab_panel(tab[STEPS[3]]):
            refresh_premiums = compare_page.build(session)
        with ui.tab_panel(tab[STEPS[2]]):
            reset_solve, policy_changed[0] = solve_page.build(session, refresh_premiums)
        with ui.tab_panel(tab[STEPS[0]]):
            data_page.build(session, lambda: (reset_policy(), reset_solve(), refresh_premiums(True)))
        with ui.tab_panel(tab[STEPS[4]]):
            export.build(session)


def serve(data: str | Path | None, port: int, open_browser: bool, welcome: bool = True) -> None:
    """Run the server until stopped; every visit of ``/`` opens ``data`` in a session of its own.

    A tab whose connection drops keeps its session for :data:`RECONNECT_SECONDS` (NiceGUI's
    default, 3 s, reloads the page and loses the session's edits and plans when the server or
    the browser is busy a few seconds, e.g. drawing a large plan on a loaded machine).
    """
    from nicegui import ui

    @ui.page("/")
    def index() -> None:
        page(Session.open(data))  # per tab: no state is shared between tabs

    ui.run(host="127.0.0.1", port=port, show=open_browser, reload=False, title="resilient_sc",
           show_welcome_message=welcome, favicon="🔗", reconnect_timeout=RECONNECT_SECONDS)
