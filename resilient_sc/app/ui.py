"""The page (five tabs, one per step) and the server; a new :class:`~.state.Session` per tab."""

from __future__ import annotations

import webbrowser
from pathlib import Path
from typing import Any

from ..exceptions import ResilientSCError
from . import access, compare_page, data_page, export, policy_page, solve_page
from .refused import UPLOAD_LIMITS
from .state import Session, process_folder, stop_every_job

STEPS = ("1 Data", "2 Policy", "3 Solve", "4 Compare", "5 Export")
#: a reload, the back button or closing the tab asks first (the browser's own words): a tab's data,
#: policies, plans and scenarios live in its session, which a new page does not have (a browser asks
#: only once the page has been used)
LEAVE_WARNING = ("<script>window.addEventListener('beforeunload', e => { e.preventDefault(); "
                 "e.returnValue = ''; });</script>")
#: an uploader's file input named by its label (Quasar leaves it "Choose File", both uploads alike)
UPLOAD_NAMES = ("<script>new MutationObserver(() => document.querySelectorAll("
                "'.q-uploader[data-label] input[type=file]:not([aria-label])').forEach(i => i.setAttribute("
                "'aria-label', i.closest('.q-uploader').dataset.label))).observe(document.documentElement, "
                "{childList: true, subtree: true});</script>")
#: the tab closed or reloaded (not a connection lost): its jobs stopped at once (:func:`tab_closed`),
#: where the server would stop them only once the reconnect window ran out
CLOSED_PATH = "/_resilient_sc/closed/"
TAB_CLOSED = ("<script>window.addEventListener('pagehide', () => { if (window.clientId) "
              f"navigator.sendBeacon('{CLOSED_PATH}' + window.clientId); }});</script>")
#: the page's server gone for good (restarted: its new token refuses this tab; its session is gone
#: anyway): the box "Trying to reconnect..." said so for ever; checked every 5 s while it shows
SERVER_GONE = ("<script>setInterval(async () => { const box = document.getElementById('popup'); "
               "if (!box || box.getAttribute('aria-hidden') !== 'false' || box.dataset.gone) return; "
               "try { if ((await fetch(location.pathname, {cache: 'no-store', redirect: 'manual'})).status "
               "!== 403) return; } catch (e) { return; } "  # (down: no answer, or back: reconnecting)
               "box.dataset.gone = '1'; box.setAttribute('role', 'alert'); box.textContent = "
               "'The app was restarted: this tab\\'s data, plans and scenarios are gone. Open the address "
               "resilient-sc app printed when it started (with its token).'; }, 5000);</script>")
#: the session of each tab by its NiceGUI client id, for :func:`tab_closed`
TABS: dict[str, Session] = {}
#: the buttons' colour: white text on it reads at 6.7:1 (NiceGUI's light blue gave 3.1:1, under the
#: 4.5:1 WCAG asks of text)
PRIMARY = "#1d4ed8"
#: how long a tab whose connection dropped (a laptop asleep, a Wi-Fi change, a busy server) keeps its session
RECONNECT_SECONDS = 60.0


def page(session: Session) -> None:
    """The page of one tab over ``session``: a tab per step (what the root page and the tests build)."""
    from nicegui import context, ui

    client = context.client
    TABS[client.id] = session

    def gone() -> None:  # the tab deleted: its jobs stopped, its downloads removed
        TABS.pop(client.id, None)
        session.close()

    client.on_delete(gone)
    ui.colors(primary=PRIMARY)
    access.heading(ui.label("resilient_sc — the planner's workbench").classes("text-xl font-bold"), 1)
    with ui.tabs().classes("w-full") as tabs:
        tab = {name: ui.tab(name) for name in STEPS}
    with ui.tab_panels(tabs, value=tab[STEPS[0]]).classes("w-full"):
        policy_changed = [lambda: None]  # the solve panel's, once built
        with ui.tab_panel(tab[STEPS[1]]):
            reset_policy = policy_page.build(session, lambda: policy_changed[0]())
        with ui.tab_panel(tab[STEPS[3]]):
            pending_banner(session, "compare")
            refresh_premiums = compare_page.build(session)
        with ui.tab_panel(tab[STEPS[2]]):
            pending_banner(session, "solve")
            reset_solve, policy_changed[0] = solve_page.build(session, refresh_premiums)
        with ui.tab_panel(tab[STEPS[0]]):
            data_page.build(session, lambda: (reset_policy(), reset_solve(), refresh_premiums(True)))
        with ui.tab_panel(tab[STEPS[4]]):
            pending_banner(session, "export")
            export.build(session)


def pending_words(last: str) -> str:
    """What a step past the data says while edits of the data are not in use (empty: none are).
    The plan shown and exported stayed the data's in use, read as the edited data's (app audit).

    >>> pending_words("hubs, row 3 capacity").split(" are ")[0], pending_words("")
    ('Pending edits of the data (last: hubs, row 3 capacity)', '')
    """
    return (f"Pending edits of the data (last: {last}) are not in use: what this step shows is of the "
            "data in use without them; click Use edits (step 1) to use them." if last else "")


def pending_banner(session: Session, step: str) -> None:
    """The :func:`pending_words` of ``session``, kept up to date on a step's panel."""
    from nicegui import ui

    access.status(ui.label().classes("text-orange-700 font-bold").props(
        f"data-testid=pending-{step}")).bind_text_from(session, "pending_edits", backward=pending_words)


#: room for the multipart form's own bytes around an uploaded file
FORM_BYTES = 1 << 16


def upload_limit(path: str) -> tuple[int, str] | None:
    """The byte limit of an upload to ``path`` (NiceGUI's ``…/upload/…``) and its words: the
    uploader's own (:data:`.refused.UPLOAD_LIMITS`), else the file size limit
    (:mod:`resilient_sc.limits`); None when ``path`` is no upload's.

    >>> upload_limit("/"), upload_limit("/_nicegui/client/abc/upload/7")[1]
    (None, '256 MB per input file (set RESILIENT_SC_MAX_FILE_MB to raise it)')
    """
    from ..limits import current

    if "/upload/" not in path:
        return None
    return UPLOAD_LIMITS.get(path) or (current().file_bytes, current().describe("file_mb"))


def upload_too_large(path: str, length: str | None) -> bool:
    """Whether a request to ``path`` is an upload that declares no length or more than its limit
    (:func:`upload_limit`) allows: refused before the server spools it (the uploader's own limit is
    the browser's word only; a 300 MB POST straight to the address was read whole).

    >>> upload_too_large("/_nicegui/client/abc/upload/7", "1000"), upload_too_large("/", None)
    (False, False)
    >>> upload_too_large("/_nicegui/client/abc/upload/7", None)
    True
    """
    limit = upload_limit(path)
    if limit is None:
        return False
    return length is None or not length.isdigit() or int(length) > limit[0] + FORM_BYTES


def tab_closed(client_id: str) -> None:
    """The tab ``client_id`` was closed or reloaded (its page's ``pagehide`` beacon): its running
    solves, stress tests and frontiers stopped now (a closed tab's frontier ran on at full CPU
    for the minute a dropped connection is waited for); the rest goes when NiceGUI deletes it."""
    session = TABS.get(client_id)
    if session is not None:
        session.stop_jobs()


def serve(data: str | Path | None, port: int, browser: str | None, token: str) -> None:
    """Run the server until stopped; every visit of ``/`` opens ``data`` in a session of its own.
    Only requests at this port of this machine that carry ``token`` are answered (:mod:`.guard`);
    ``browser``: the address to open in a browser once it runs (with the token), or None.

    A tab whose connection drops keeps its session for :data:`RECONNECT_SECONDS` (NiceGUI's
    default, 3 s, reloads the page and loses the session's edits and plans when the server or
    the browser is busy a few seconds, e.g. drawing a large plan on a loaded machine).
    """
    from nicegui import app, ui
    from starlette.requests import ClientDisconnect
    from starlette.responses import PlainTextResponse

    from .guard import LocalOnly, opener

    app.add_middleware(LocalOnly, port=port, token=token)
    if browser is not None:  # through a page of the process's folder: a command line is every user's to read
        app.on_startup(lambda: webbrowser.open(opener(browser, process_folder()).as_uri()))

    @app.middleware("http")
    async def refuse_large_uploads(request: Any, call_next: Any) -> Any:
        length = request.headers.get("content-length")
        if upload_too_large(request.url.path, length):
            if length is None or not length.isdigit():  # 411 Length Required
                return PlainTextResponse("an upload must say its length", status_code=411)
            _, words = upload_limit(request.url.path) or (0, "")
            return PlainTextResponse(f"the file is larger than the limit of {words}", status_code=413)
        try:
            return await call_next(request)
        except ClientDisconnect:  # the page left mid-upload: nothing to answer, nothing to log
            return PlainTextResponse("", status_code=400)

    @app.post(CLOSED_PATH + "{client_id}")
    async def closed(client_id: str) -> PlainTextResponse:
        tab_closed(client_id)
        return PlainTextResponse("")

    @ui.page("/")
    async def index(client: Any) -> None:
        """Per tab a session of its own, its data read off the server's loop (a large network
        read on the loop froze every other tab while a new one opened)."""
        from nicegui import run

        reading = ui.label(f"Reading {data or 'the bundled example'} …")
        await client.connected()
        if client.is_deleted:  # a request that never connected (a prefetch, a tab closed while loading)
            return
        try:
            session = await run.io_bound(Session.open, data)
        except ResilientSCError as exc:  # the data changed on disk since the server started
            if not client.is_deleted:
                reading.text = f"Cannot read {data}: {exc}"
            return
        if session is None:  # the server stopping (run.io_bound gives None then): 40 tracebacks at Ctrl-C
            return
        if client.is_deleted:  # gone while its data was read
            session.close()
            return
        reading.delete()
        page(session)

    app.on_shutdown(stop_every_job)  # Ctrl-C, SIGTERM: a solve running must not hold the server up
    # in every page's head as served (a page built once its tab connects adds head HTML as inert text)
    ui.add_head_html(LEAVE_WARNING + UPLOAD_NAMES + TAB_CLOSED + SERVER_GONE + access.GRID_TAB
                     + access.SLIDER_NAMES + access.CHIP_NAMES, shared=True)
    ui.add_css(access.CSS, shared=True)
    ui.run(host="127.0.0.1", port=port, show=False, reload=False, title="resilient_sc",
           show_welcome_message=False, favicon="🔗", reconnect_timeout=RECONNECT_SECONDS,
           language="en-US")  # the page's lang, which screen readers read it in
