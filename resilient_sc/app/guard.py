"""Who may use the app's server: the planner who started it, and no one else.

The server listens on 127.0.0.1, which every local user of the machine can reach, and which
any web page the planner has open can reach by DNS rebinding (a name of the attacker's that
resolves to 127.0.0.1: an audit read the planner's data from such a page). So every request,
HTTP or websocket, must

- name the server as the planner's browser does (``Host`` 127.0.0.1 or localhost at its port;
  an ``Origin``, where given, the same): a rebound name or another site is refused;
- carry the server's token: the address printed at start (``/?token=…``) sets it as a cookie of
  this port, then the address without it is shown (as Jupyter does). Another local user, who
  cannot read the planner's terminal, has no token.
"""

from __future__ import annotations

import secrets
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs, urlencode

#: what a refused request is told (status 403): how to reach the app as its planner does
REFUSED = ("refused: open the address resilient-sc app printed when it started (with its token); this "
           "server answers only its planner's browser at {address}")


def new_token() -> str:
    """A token no one can guess (192 bits)."""
    return secrets.token_urlsafe(24)


class LocalOnly:
    """ASGI middleware that lets through only requests at ``port`` on this machine that carry
    ``token`` (as a cookie, or once in the query, which sets the cookie)."""

    def __init__(self, app: Any, port: int, token: str) -> None:
        self.app, self.token = app, token
        self.hosts = {f"127.0.0.1:{port}", f"localhost:{port}"}
        self.origins = {f"http://{h}" for h in self.hosts}
        self.cookie = f"resilient_sc_{port}"  # a cookie is the host's, whatever its port: one per server
        self.address = f"http://127.0.0.1:{port}"

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        local = (headers.get("host", "").lower() in self.hosts
                 and headers.get("origin", self.address) in self.origins)
        cookies = SimpleCookie()
        try:
            cookies.load(headers.get("cookie", ""))
        except Exception:  # a malformed cookie header: as none
            cookies = SimpleCookie()
        own = self.cookie in cookies and secrets.compare_digest(cookies[self.cookie].value, self.token)
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        given = query.pop("token", [""])[-1]
        if local and not own and scope["type"] == "http" and secrets.compare_digest(given, self.token):
            await self._enter(scope, query, send)  # the printed address: its cookie set, the token dropped
        elif local and own:
            await self.app(scope, receive, send)
        elif scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
        else:
            await _answer(send, 403, REFUSED.format(address=self.address).encode())

    async def _enter(self, scope: dict[str, Any], query: dict[str, list[str]], send: Any) -> None:
        rest = urlencode(query, doseq=True)
        target = scope.get("path", "/") + (f"?{rest}" if rest else "")
        cookie = f"{self.cookie}={self.token}; Path=/; HttpOnly; SameSite=Strict"
        await _answer(send, 303, b"", [(b"location", target.encode("latin-1")),
                                       (b"set-cookie", cookie.encode("latin-1"))])


async def _answer(send: Any, status: int, body: bytes,
                  headers: list[tuple[bytes, bytes]] | None = None) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()), *(headers or [])]})
    await send({"type": "http.response.body", "body": body})
