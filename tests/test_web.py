"""``rmpair web``: the app in a browser, for the person who started it only.

Each test starts the real command on a free port of 127.0.0.1 and talks to it as a
browser would: plain HTTP and WebSocket clients for the locks, and a real headless
Chromium, driven through its DevTools protocol, for the app itself. Nothing leaves the
loopback interface.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from http.client import HTTPConnection
from pathlib import Path

import aiohttp
import pytest

from rmpair.journal import Journal
from rmpair.model.records import Category, Role
from rmpair.store.home import Home

TOPIC = "Prompting for board papers"
HOME = ">1 Home<"  # the app's navigation line, which only the app draws
# A server that stops answering fails a test instead of hanging it.
LIMIT = aiohttp.ClientTimeout(total=90)
ANSI = re.compile(rb"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[@-Z\\-_])")


@dataclass
class Served:
    process: subprocess.Popen[bytes]
    url: str
    port: int
    key: str

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def socket_url(self, key: str | None = None) -> str:
        return f"ws://127.0.0.1:{self.port}/ws/{key or self.key}?width=100&height=30"


def screen_text(data: bytes) -> str:
    """What a terminal shows of ``data``, roughly: escape sequences taken out."""
    return ANSI.sub(b"", data).decode("utf-8", errors="replace")


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    home = Home(tmp_path / "home")
    folder = tmp_path / "journal"
    journal = Journal.init(
        folder,
        me="Dana Keller",
        role=Role.MENTEE,
        partner="Sam Okafor",
        start=dt.date(2026, 11, 2),
        home=home,
        tz="Europe/Berlin",
    )
    journal.backlog.add_topic(TOPIC, category=Category.TECHNOLOGY)
    journal.close()
    env = {**os.environ, "RMPAIR_HOME": str(tmp_path / "home"), "NO_COLOR": "1"}
    env.pop("RMPAIR_JOURNAL", None)
    # Started as the person starts it (no faketime wrapper, which Ctrl-C would kill
    # first): nothing below depends on the date, only on the names and the topic.
    process = subprocess.Popen(
        [sys.executable, "-m", "rmpair", "--journal", str(folder), "web", "--no-browser"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        start_new_session=True,  # its own process group: the test can see what is left
    )
    assert process.stdout is not None
    line = process.stdout.readline().decode()
    found = re.search(r"http://127\.0\.0\.1:(\d+)/\?key=(\S+)", line)
    assert found, line + (process.stderr.read().decode() if process.stderr else "")
    try:
        yield Served(process, found.group(0), int(found.group(1)), found.group(2))
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def status_of(url: str, headers: dict[str, str] | None = None) -> int:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


def status_with_host(served: Served, path: str, host: str) -> int:
    connection = HTTPConnection("127.0.0.1", served.port, timeout=20)
    connection.request("GET", path, headers={"Host": host})
    return connection.getresponse().status


async def socket_status(url: str, origin: str | None) -> int:
    """The HTTP status a WebSocket handshake gets (101 when it is accepted)."""
    headers = {"Origin": origin} if origin else {}
    async with aiohttp.ClientSession(timeout=LIMIT) as session:
        try:
            async with session.ws_connect(url, headers=headers) as socket:
                await socket.close()
                return 101
        except aiohttp.WSServerHandshakeError as error:
            return error.status


async def read_screen(socket: aiohttp.ClientWebSocketResponse, wanted: str, timeout: float) -> str:
    seen = b""
    deadline = time.monotonic() + timeout
    while wanted not in screen_text(seen) and time.monotonic() < deadline:
        try:
            message = await socket.receive(timeout=deadline - time.monotonic())
        except TimeoutError:
            break
        if message.type == aiohttp.WSMsgType.BINARY:
            seen += message.data
        elif message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED):
            break
    return screen_text(seen)


def listening_addresses(port: int) -> list[str]:
    """The local addresses a socket listens on at ``port`` (Linux's /proc/net)."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table, encoding="ascii") as lines:
            next(lines)
            for row in lines:
                local, state = row.split()[1], row.split()[3]
                address, _sep, hex_port = local.partition(":")
                if int(hex_port, 16) == port and state == "0A":
                    found.append(address)
    return found


def ctrl_c(served: Served) -> None:
    """What Ctrl-C in its terminal does: SIGINT to the whole foreground process group."""
    os.killpg(served.process.pid, signal.SIGINT)


def descendants(pid: int) -> set[int]:
    """Every process below ``pid`` now (from /proc)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        children = {child for child, parent in parents.items() if parent in frontier}
        frontier = children - found
        found |= children
    return found


def alive(pids: set[int]) -> set[int]:
    living = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            living.add(pid)
    return living


def test_it_listens_on_this_computer_only(served: Served) -> None:
    # 0100007F is 127.0.0.1 as the kernel writes it; no IPv6 or wildcard socket.
    assert listening_addresses(served.port) == ["0100007F"]


def test_without_the_key_nothing_opens(served: Served) -> None:
    base = served.origin
    assert status_of(served.url) == 200
    assert status_of(f"{base}/") == 403
    assert status_of(f"{base}/?key=not-the-key") == 403
    assert status_of(f"{base}/?key={served.key[:-1]}") == 403
    assert asyncio.run(socket_status(served.socket_url("not-the-key"), served.origin)) == 403
    # The secret is printed for the person, never logged by the server.
    ctrl_c(served)
    out, err = served.process.communicate(timeout=30)
    assert served.key.encode() not in out.split(b"\n", 1)[1] + err


def test_a_foreign_host_name_is_refused(served: Served) -> None:
    """A DNS-rebinding page reaches the port under its own name: refused."""
    path = f"/?key={served.key}"
    assert status_with_host(served, path, f"127.0.0.1:{served.port}") == 200
    assert status_with_host(served, path, f"localhost:{served.port}") == 200
    assert status_with_host(served, path, f"attacker.example:{served.port}") == 403
    assert status_with_host(served, path, "127.0.0.1:1") == 403
    assert status_with_host(served, "/static/css/xterm.css", "attacker.example") == 403


def test_the_socket_accepts_only_its_own_page(served: Served) -> None:
    """Another site's page may open a WebSocket to localhost: its Origin gives it away."""
    url = served.socket_url()
    assert asyncio.run(socket_status(url, "https://attacker.example")) == 403
    assert asyncio.run(socket_status(url, f"http://127.0.0.1:{served.port + 1}")) == 403
    assert asyncio.run(socket_status(url, None)) == 403
    assert asyncio.run(socket_status(url, served.origin)) == 101


def test_one_browser_session_at_a_time(served: Served) -> None:
    async def scenario() -> tuple[str, int, int]:
        headers = {"Origin": served.origin}
        async with (
            aiohttp.ClientSession(timeout=LIMIT) as session,
            session.ws_connect(served.socket_url(), headers=headers) as first,
        ):
            shown = await read_screen(first, "Sam Okafor", 60)
            second = await socket_status(served.socket_url(), served.origin)
            page = await asyncio.to_thread(status_of, served.url)
            await first.close()
        return shown, second, page

    shown, second, page = asyncio.run(scenario())
    assert HOME in shown and "Sam Okafor" in shown and "Dana Keller" in shown
    assert second == 409 and page == 409


def test_ctrl_c_stops_the_server_and_its_app(served: Served) -> None:
    async def open_app() -> set[int]:
        async with aiohttp.ClientSession(timeout=LIMIT) as session:
            headers = {"Origin": served.origin}
            async with session.ws_connect(served.socket_url(), headers=headers) as socket:
                shown = await read_screen(socket, "Sam Okafor", 60)
                assert HOME in shown and "Sam Okafor" in shown  # the app, with the journal
                running = descendants(served.process.pid)
                ctrl_c(served)  # while the app runs
                await read_screen(socket, "\0never", 30)  # until the server closes it
                return running

    running = asyncio.run(open_app())
    assert running  # the app process the server started for the browser
    out, _err = served.process.communicate(timeout=30)
    assert served.process.returncode == 0
    assert b"rmpair web stopped." in out
    assert alive(running) == set()  # no app process outlives the server


# -- a real browser -------------------------------------------------------------------


def find_chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    if os.environ.get("CI"):
        pytest.fail("chromium is not installed (CI: apt-get install -y chromium)")
    pytest.skip("chromium is not installed")


class DevTools:
    """A page of headless Chromium, driven through the DevTools protocol."""

    def __init__(self, socket: aiohttp.ClientWebSocketResponse) -> None:
        self.socket = socket
        self.next_id = 0
        self.frames = b""

    async def call(self, method: str, **params: object) -> dict[str, object]:
        self.next_id += 1
        wanted = self.next_id
        await self.socket.send_json({"id": wanted, "method": method, "params": params})
        while True:
            message = json.loads(await self.socket.receive_str(timeout=60))
            self.note(message)
            if message.get("id") == wanted:
                result: dict[str, object] = message.get("result", {})
                return result

    def note(self, message: dict[str, object]) -> None:
        """Keep what the page's WebSocket received: the app's screen, as the page got it."""
        if message.get("method") == "Network.webSocketFrameReceived":
            response = message["params"]["response"]  # type: ignore[index]
            if response["opcode"] == 2:
                self.frames += base64.b64decode(response["payloadData"])

    async def wait_for(self, text: str, after: int = 0, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while text not in screen_text(self.frames[after:]) and time.monotonic() < deadline:
            try:
                raw = await self.socket.receive_str(timeout=deadline - time.monotonic())
            except TimeoutError:
                break
            self.note(json.loads(raw))
        return screen_text(self.frames[after:])

    async def press(self, key: str) -> None:
        for kind in ("keyDown", "char", "keyUp"):
            await self.call(
                "Input.dispatchKeyEvent", type=kind, key=key, text=key, code=f"Digit{key}"
            )


async def drive_chromium(chromium: str, profile: Path, url: str) -> tuple[str, str, str]:
    process = await asyncio.create_subprocess_exec(
        chromium,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--window-size=1280,800",
        # Anything but this computer cannot even be looked up.
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
        "--remote-debugging-address=127.0.0.1",
        "--remote-debugging-port=0",
        f"--user-data-dir={profile}",
        "about:blank",
        stderr=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.DEVNULL,
    )
    try:
        assert process.stderr is not None
        browser_url = ""
        while not browser_url:
            line = (await asyncio.wait_for(process.stderr.readline(), 60)).decode()
            assert line, "Chromium ended before it opened its DevTools port"
            if "DevTools listening on" in line:
                browser_url = line.split("DevTools listening on", 1)[1].strip()
        port = re.search(r":(\d+)/", browser_url)
        assert port
        async with aiohttp.ClientSession(timeout=LIMIT) as session:
            targets = await (await session.get(f"http://127.0.0.1:{port.group(1)}/json")).json()
            page = next(t for t in targets if t["type"] == "page")
            async with session.ws_connect(page["webSocketDebuggerUrl"], max_msg_size=0) as ws:
                tools = DevTools(ws)
                await tools.call("Network.enable")
                await tools.call("Page.enable")
                await tools.call("Page.navigate", url=url)
                home = await tools.wait_for("Dana Keller")
                body = await tools.call(
                    "Runtime.evaluate", expression="document.body.className", returnByValue=True
                )
                await tools.call(
                    "Runtime.evaluate",
                    expression="document.querySelector('.xterm-helper-textarea').focus()",
                )
                mark = len(tools.frames)
                await tools.press("2")  # the backlog
                backlog = await tools.wait_for(TOPIC, after=mark)
                classes = str(body.get("result", {}).get("value", ""))  # type: ignore[union-attr]
                return home, backlog, classes
    finally:
        process.kill()
        await process.wait()


def test_the_app_in_a_real_chromium(served: Served, tmp_path: Path) -> None:
    chromium = find_chromium()
    home, backlog, classes = asyncio.run(drive_chromium(chromium, tmp_path / "profile", served.url))
    assert HOME in home and "Sam Okafor" in home and "Dana Keller" in home  # home, the pair
    assert "-first-byte" in classes  # the page's terminal drew what arrived
    assert ">2 Backlog<" in backlog  # the key reached the app: the backlog is on screen
    assert TOPIC in backlog
