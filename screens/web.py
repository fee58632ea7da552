"""``rmpair web``: the app in the browser, for the person who started it and nobody else.

``textual-serve`` runs the Textual app as a process of its own and relays its screen
to xterm.js in the page over a WebSocket. Around it this module puts what a server
on a laptop needs, because any page the leader visits may try ``localhost`` too:

- it listens on 127.0.0.1 only;
- the page needs the secret of this start (``secrets.token_urlsafe``) in its URL, the
  WebSocket the same secret in its path; both are compared in constant time and
  refused (403) without it; the secret is never logged or written to a file;
- every request must name this server in ``Host`` (127.0.0.1 or localhost with its
  port), which defeats DNS rebinding; the WebSocket must come from the server's own
  ``Origin``, which defeats cross-site WebSocket hijacking;
- one browser session drives the journal at a time; a second one is told so.

The app process is the ordinary app (``python -m rmpair``), with the same
one-writer-at-a-time rules as the terminal app and the commands.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import secrets
import shlex
import signal
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from string import Template
from typing import TYPE_CHECKING, Any

from rmpair.i18n import _, current_language

if TYPE_CHECKING:
    from aiohttp import web

HOST = "127.0.0.1"
# How long the app processes get to save and close after a stop, before they are killed.
STOP_GRACE_S = 10.0


def app_command(journal: Path | None) -> str:
    """The shell command that runs the app on ``journal`` (``exec``: no shell is left
    between the server and the app, so stopping one stops the other)."""
    words = [sys.executable, "-m", "rmpair"]
    if journal is not None:
        words += ["--journal", str(journal)]
    return "exec " + shlex.join(words)


def same(given: str, secret: str) -> bool:
    """Whether ``given`` is the secret, in time that does not depend on where they differ."""
    return hmac.compare_digest(given.encode("utf-8"), secret.encode("utf-8"))


@dataclass
class Gate:
    """Who may come in: the secret, and the names and origins of this server."""

    secret: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    port: int = 0

    @property
    def hosts(self) -> tuple[str, ...]:
        return (f"{HOST}:{self.port}", f"localhost:{self.port}")

    @property
    def origins(self) -> tuple[str, ...]:
        return tuple(f"http://{host}" for host in self.hosts)

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/?key={self.secret}"

    def host_ok(self, host: str | None) -> bool:
        return host in self.hosts

    def origin_ok(self, origin: str | None) -> bool:
        return origin in self.origins


def page_html(socket_url: str, font_size: int) -> str:
    """The page that holds the terminal, in the interface language."""
    text = resources.files("rmpair.screens").joinpath("web_page.html").read_text(encoding="utf-8")
    return Template(text).substitute(
        lang=current_language(),
        socket=socket_url,
        font_size=font_size,
        opening=_("Opening your journal…"),
        ended=_(
            "This browser session has ended. Reload the page to open the journal again, "
            "or start 'rmpair web' once more if you stopped it."
        ),
    )


def busy_html() -> str:
    return (
        "<!DOCTYPE html><meta charset='utf-8'><title>rmpair</title><p>"
        + _(
            "rmpair is already open in another browser window or tab. Close that one first, "
            "then reload this page."
        )
        + "</p>"
    )


class LockedServer:
    """The aiohttp application: the page, the WebSocket, downloads and static files,
    each behind the gate."""

    def __init__(self, command: str, gate: Gate) -> None:
        from textual_serve.server import Server

        # textual-serve's own server supplies the static files, the message loop and
        # downloads; its routes and page are replaced by the ones below.
        self.serve = Server(command, host=HOST, port=gate.port, title="rmpair")
        self.command = command
        self.gate = gate
        self.active = 0
        self.services: list[Any] = []

    def make_app(self) -> web.Application:
        from aiohttp import web

        app = web.Application(middlewares=[self.check_host])
        app.add_routes(
            [
                web.get("/", self.handle_page),
                web.get("/ws/{key}", self.handle_socket),
                web.get("/download/{key}", self.serve.handle_download),
                web.static("/static", self.serve.statics_path),
            ]
        )
        return app

    @property
    def check_host(self) -> Callable[..., Awaitable[web.StreamResponse]]:
        from aiohttp import web

        @web.middleware
        async def middleware(
            request: web.Request,
            handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
        ) -> web.StreamResponse:
            if not self.gate.host_ok(request.headers.get("Host")):
                raise web.HTTPForbidden(text=_("This server answers only on this computer."))
            return await handler(request)

        return middleware

    async def handle_page(self, request: web.Request) -> web.StreamResponse:
        from aiohttp import web

        if not same(request.query.get("key", ""), self.gate.secret):
            raise web.HTTPForbidden(text=_("This address needs the key rmpair web printed."))
        if self.active:
            return web.Response(text=busy_html(), status=409, content_type="text/html")
        try:
            font_size = max(8, min(40, int(request.query.get("fontsize", "16"))))
        except ValueError:
            font_size = 16
        host = request.headers["Host"]
        page = page_html(f"ws://{host}/ws/{self.gate.secret}", font_size)
        return web.Response(
            text=page,
            content_type="text/html",
            headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
        )

    async def handle_socket(self, request: web.Request) -> web.StreamResponse:
        from aiohttp import web
        from textual_serve.app_service import AppService

        if not same(request.match_info["key"], self.gate.secret):
            raise web.HTTPForbidden(text=_("This address needs the key rmpair web printed."))
        if not self.gate.origin_ok(request.headers.get("Origin")):
            raise web.HTTPForbidden(text=_("Only the page this server gave out may connect."))
        if self.active:
            raise web.HTTPConflict(text=busy_html(), content_type="text/html")
        self.active += 1
        socket = web.WebSocketResponse(heartbeat=15)
        service = None
        try:
            await socket.prepare(request)

            async def close() -> None:
                await socket.close()

            service = AppService(
                self.command,
                write_bytes=socket.send_bytes,
                write_str=socket.send_str,
                close=close,
                download_manager=self.serve.download_manager,
                debug=False,
            )
            self.services.append(service)
            width, height = _size(request.query.get("width"), request.query.get("height"))
            await service.start(width, height)
            try:
                await self.serve._process_messages(socket, service)
            finally:
                await service.stop()
        except asyncio.CancelledError:
            await socket.close()
        finally:
            self.active -= 1
            if service is not None:
                await service.stop()
                self.services.remove(service)
        return socket

    async def stop_apps(self) -> None:
        """Ask every app to quit (it saves and closes its journal), then make sure."""
        for service in list(self.services):
            with contextlib.suppress(TimeoutError, ProcessLookupError):
                await asyncio.wait_for(service.stop(), STOP_GRACE_S)
            process = getattr(service, "_process", None)
            if process is not None and process.returncode is None:
                process.kill()
                await process.wait()


def _size(width: str | None, height: str | None) -> tuple[int, int]:
    def number(text: str | None, default: int) -> int:
        try:
            return max(10, min(1000, int(text or default)))
        except ValueError:
            return default

    return number(width, 80), number(height, 24)


def serve(journal: Path | None, port: int, on_ready: Callable[[str], None]) -> None:
    """Serve until Ctrl-C (the command line's entry point hands this to ``rmpair web``)."""
    asyncio.run(run(journal, port, on_ready))


async def run(
    journal: Path | None,
    port: int,
    on_ready: Callable[[str], None],
    gate: Gate | None = None,
) -> None:
    """Serve until SIGINT or SIGTERM, then stop the apps and return.

    ``on_ready`` gets the address with the secret once the port is bound (port 0 takes
    any free one)."""
    import os

    from aiohttp import web

    gate = gate or Gate()
    from rmpair import WEB_SESSION_ENV

    # The app processes inherit it (textual-serve copies this environment).
    os.environ[WEB_SESSION_ENV] = "1"
    server = LockedServer(app_command(journal), gate)
    # No access log: it would write every address, the secret in it.
    runner = web.AppRunner(server.make_app(), access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, HOST, port)
    await site.start()
    gate.port = int(runner.addresses[0][1])
    server.serve.port = gate.port
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    on_ready(gate.url)
    try:
        await stop.wait()
    finally:
        await server.stop_apps()
        await runner.cleanup()
