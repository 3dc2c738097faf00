"""The planner's workbench: ``resilient-sc app [DATA]``, a local web app over the API (issue 16).

Why NiceGUI (the ``app`` extra, ``pip install '.[app]'``): the app is plain Python
on FastAPI/uvicorn with a page function per browser tab, so every tab gets its own
:class:`~.state.Session` without any global state, and a page is never re-run from the top as
in Streamlit (no caching tricks to keep a solved plan); ``run.io_bound`` waits for a long solve
in a thread while the page keeps answering (elapsed time, a stop button); it ships AG Grid for
editable tables, Plotly for an interactive map, uploads and downloads; it is MIT-licensed,
released every few weeks, and installs from wheels with no Node.js build step. Dash and Panel
would need callbacks or a server-side session store for the per-tab state; Shiny for Python
is younger and has no editable grid of this kind.

Layout: :mod:`.state` (a tab's session), :mod:`.jobs` (solves and stress tests in a process of
their own, so that one tab's stop does not stop another's), one module per step —
:mod:`.data_page`, :mod:`.policy_page`, :mod:`.solve_page`, :mod:`.compare_page`,
:mod:`.export` — the views of a plan (:mod:`.plan_view`) and of a roadmap (:mod:`.roadmap_view`,
for data with periods), and :mod:`.ui` (the page and the server). The web framework is imported only
when the app runs, so the library and its tests never need the extra.
"""

from __future__ import annotations

import argparse
import contextlib
import socket
import sys
from pathlib import Path

from ..cli_args import path_text
from ..exceptions import ResilientSCError, ValidationError

#: the message when the extra is missing
MISSING = "the app needs the 'app' extra: pip install '.[app]' in the resilient_sc source folder"
DEFAULT_PORT = 8765


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of ``resilient-sc app``."""
    parser.add_argument("data", metavar="DATA", type=path_text, nargs="?",
                        help="a folder of CSV files or an .xlsx workbook (default: the bundled example)")
    parser.add_argument("--port", type=port_number, default=DEFAULT_PORT,
                        help=f"port on 127.0.0.1, 1-65535 (default {DEFAULT_PORT})")
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser tab")


def port_number(text: str) -> int:
    """A TCP port, 1-65535 (a usage error otherwise: 99999 would be served on another port)."""
    try:
        port = int(text)
    except ValueError:
        port = 0
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r}: give a port number from 1 to 65535")
    return port


def run(args: argparse.Namespace) -> int:
    """``resilient-sc app``: :func:`main` with the command's arguments; 0 once the server stops
    (Ctrl-C, or SIGTERM: its normal end). With ``--json`` nothing but the outcome is printed on
    stdout (the address goes to stderr)."""
    with contextlib.suppress(KeyboardInterrupt):  # the server shut down on the signal, then passed it on
        main(args.data, args.port, not args.no_browser, quiet=args.json)
    return 0


def main(data: str | Path | None = None, port: int = DEFAULT_PORT, open_browser: bool = True,
         quiet: bool = False) -> None:
    """Serve the app on ``127.0.0.1:port`` until stopped (Ctrl-C); ``data`` is opened in every
    new tab (the bundled example when None). The data and the port are checked before the
    server starts, so that a bad DATA or a port in use is a clean error on the command line. The
    address printed carries the server's token, which it asks of every request (another local
    user, or a web page reaching 127.0.0.1 by DNS rebinding, has none: :mod:`.guard`);
    ``quiet``: the address on stderr, stdout kept for the outcome."""
    try:
        import nicegui  # noqa: F401
        import plotly  # noqa: F401
    except ImportError as exc:
        raise ResilientSCError(MISSING) from exc
    from .guard import new_token
    from .state import Session, remove_stale_folders
    from .ui import serve

    Session.open(data).close()  # raises ValidationError for bad data, before the server starts
    with socket.socket() as probe:  # with SO_REUSEADDR, as uvicorn binds: a port in TIME_WAIT is free
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError as exc:
            raise ValidationError([f"(--port) | port {port} on 127.0.0.1 cannot be used ({exc.strerror}): "
                                   "another app may be running there; pass another --port"],
                                  "with the options") from exc
    token = new_token()
    address = f"http://127.0.0.1:{port}/?token={token}"  # the only way in (resilient_sc.app.guard)
    print(f"serving on {address} (Ctrl-C stops it)", file=sys.stderr if quiet else sys.stdout, flush=True)
    remove_stale_folders()  # a killed server's downloads
    serve(data, port, address if open_browser else None, token)
