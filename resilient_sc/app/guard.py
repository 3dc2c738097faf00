"""Who may use the app's server: the planner who started it, and no one else.

The server listens on 127.0.0.1, which every local user of the machine can reach, and which
any web page the planner has open can reach by DNS rebinding (a name of the attacker's that
resolves to 127.0.0.1: an audit read the planner's data from such a page). So every request,
HTTP or websocket, must

- name the server as the planner's browser does (``Host`` 127.0.0.1, localhost or [::1]; an
  ``Origin``, where given, the same name and port): a rebound name or another site is refused;
- carry the server's token: the address printed at start (``/?token=…``) sets it as a cookie of
  this port, then the address without it is shown (as Jupyter does). Another local user, who
  cannot read the planner's terminal, has no token.

A browser keeps a cookie per machine name, not per port: a page of another web server on
127.0.0.1 that the planner opens in the same browser gets the cookie with its own requests (an
audit read it so). docs/app.md says so, and how to keep the app in a browser profile of its own.
"""

from __future__ import annotations

import html
import os
import secrets
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlencode

#: what a refused request is told (status 403): how to reach the app as its planner does
REFUSED = ("refused: open the address resilient-sc app printed when it started (with its token); this "
           "server answers only its planner's browser at {address}")


def new_token() -> str:
    """A token no one can guess (192 bits)."""
    return secrets.token_urlsafe(24)


class LocalOnly:
    """ASGI middleware that lets through only requests to this machine by name (127.0.0.1,
    localhost or [::1], at any port: an SSH tunnel's too), from no other origin than that name,
    that carry ``token`` (the cookie of ``port``, or once in the query, which sets the cookie)."""

    def __init__(self, app: Any, port: int, token: str) -> None:
        self.app, self.token = app, token.encode()
        self.cookie = f"resilient_sc_{port}"  # a cookie is the host's, whatever its port: one per server
        self.address = f"http://127.0.0.1:{port}"

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        from starlette.requests import cookie_parser  # as browsers send them (http.cookies gave up at
        # the first cookie of another local app it did not like, and with it ours)

        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        host = headers.get("host", "").lower()
        local = (host.rpartition(":")[0] or host) in LOCAL_NAMES and headers.get("origin", f"http://{host}") \
            == f"http://{host}"
        own = _same(cookie_parser(headers.get("cookie", "")).get(self.cookie, ""), self.token)
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        given = query.pop("token", None)
        if local and given is not None and scope["type"] == "http" and (own or _same(given[-1], self.token)):
            await self._enter(scope, query, send)  # the printed address: its cookie set, the token dropped
        elif local and own:
            await self.app(scope, receive, send)
        elif scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
        else:
            await _answer(send, 403, REFUSED.format(address=self.address).encode())

    async def _enter(self, scope: dict[str, Any], query: dict[str, list[str]], send: Any) -> None:
        rest = urlencode(query, doseq=True).encode("ascii")
        # the path as sent (percent-encoded: a line break in it raised, 'é' came back as 'Ã©'), and
        # this server's own: '//evil.example/x' is another site's address (an open redirect)
        path = scope.get("raw_path") or quote(scope.get("path", "/")).encode("ascii")
        target = b"/" + path.lstrip(b"/\\") + (b"?" + rest if rest else b"")
        cookie = f"{self.cookie}={self.token.decode()}; Path=/; HttpOnly; SameSite=Strict"
        await _answer(send, 303, b"", [(b"location", target),
                                       (b"set-cookie", cookie.encode("latin-1"))])


#: the names of this machine a browser may give in its Host header (a DNS-rebound name is none)
LOCAL_NAMES = frozenset({"127.0.0.1", "localhost", "[::1]"})


def _same(given: str, token: bytes) -> bool:
    """Whether ``given`` is ``token``, in constant time (any text: '%C3%A9' raised a TypeError)."""
    return secrets.compare_digest(given.encode("utf-8", "replace"), token)


def opener(address: str, folder: Path) -> Path:
    """A page in ``folder``, readable by its owner alone, that sends the browser on to ``address``:
    the browser is started on it, not on the address (a command line, where the token was, is
    every local user's to read with ``ps``; Jupyter does the same)."""
    fd, name = tempfile.mkstemp(prefix="open-", suffix=".html", dir=folder)
    with os.fdopen(fd, "w", encoding="utf-8") as page:
        page.write(f'<!doctype html><meta http-equiv="refresh" content="0; url={html.escape(address)}">'
                   f'<a href="{html.escape(address)}">resilient_sc</a>\n')
    return Path(name)


async def _answer(send: Any, status: int, body: bytes,
                  headers: list[tuple[bytes, bytes]] | None = None) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()), *(headers or [])]})
    await send({"type": "http.response.body", "body": body})
