"""Browser tests: Debian's Chromium, driven by Playwright, against ``streamlit run``.

Every test under tests/e2e gets the ``e2e`` marker (``pytest -m "not e2e"`` skips them).

Fixtures:

- ``start_app(app="app.py", env=None) -> AppServer`` (session): starts
  ``streamlit run <app> --server.port <free port> --server.headless true`` from the
  repository root (so ``.streamlit/config.toml`` applies), waits for
  ``/_stcore/health``, and kills the process group at the end of the session. One server
  per distinct (app, env); ``env`` adds variables (e.g. ``SITMAP_SITUATION``, ``SITMAP_DB``).
  The launcher and Chromium's arguments are in ``tests/e2e/server.py``, shared with bench.
- ``browser`` (session): Chromium from /usr/bin/chromium. Skipped when it is missing,
  unless ``CI`` is set: then the run fails.
- ``page_log`` / ``page`` (per test): a fresh context and page; ``page_log`` holds every
  request URL (including websockets), failed requests, HTTP errors, console errors and
  page errors. Requests to any host but localhost are *aborted* and recorded, so a
  machine with internet behaves like one without. ``page_log.assert_offline()`` and
  ``page_log.assert_clean()`` check them. A failing test leaves
  ``test-artifacts/<test>-failure.png`` and ``-log.txt``.
- ``st_map`` (per test): the ``st_folium`` iframe; ``st_map.wait(min_layers=...)`` waits
  for ``.leaflet-container`` and drawn layers and returns a FrameLocator.
- ``screenshot(name) -> Path`` (per test): full-page PNG in ``test-artifacts/``.

Usage::

    page.goto(start_app("tests/e2e/apps/offline_probe.py").url)
    expect(st_map.wait(min_layers=1).locator(".leaflet-draw-toolbar")).to_be_visible()
    page_log.assert_offline()

Static files and apps outside the repository root: Streamlit serves ``static/`` next
to the *app file*, not next to the working directory. ``app.py`` sits at the root beside
``static/``. Test apps live in ``tests/e2e/apps/``, which holds a committed relative
symlink ``static -> ../../../static``; Streamlit resolves it (realpath) and serves the
same ``static/vendor``. So every test app is a plain script run exactly like the real
one, without wrappers. ``start_app`` fails early, with the fix, when an app's folder has
no ``static/vendor``; note that Streamlit also disables static serving for the whole run
when the folder is missing at start-up.

Assertions wait through Playwright's ``expect`` (timeout raised to 30 s for a 2-core
machine); nothing here sleeps for a fixed time.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import subprocess
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Frame,
    FrameLocator,
    Locator,
    Page,
    Request,
    Response,
    Route,
    WebSocket,
    expect,
    sync_playwright,
)

from sitmap.page.texts import MAP_FIRST, NAME_LABEL
from tests.e2e.server import (
    CHROMIUM,
    CHROMIUM_ARGS,
    REPO,
    free_port,
    start_streamlit,
    stop,
    wait_healthy,
)

E2E_DIR = Path(__file__).resolve().parent
ARTIFACTS = REPO / "test-artifacts"
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
START_TIMEOUT_S = 60.0
EXPECT_TIMEOUT_MS = 30_000
ST_FOLIUM_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
# Leaflet layers a person can see: SVG vector paths and marker icons.
DRAWN_LAYERS = ".leaflet-overlay-pane path, .leaflet-marker-pane .leaflet-marker-icon"
# Any URL that does not start with a local host; data: and blob: URLs are never routed.
_NON_LOCAL = re.compile(r"^(?!(?:https?|wss?)://(?:127\.0\.0\.1|localhost|\[::1\])(?::\d+)?/)")

expect.set_options(timeout=EXPECT_TIMEOUT_MS)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test under tests/e2e as ``e2e``."""
    for item in items:
        if E2E_DIR in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> object:
    """Keep each phase's report on the item, so fixtures can tell a test failed."""
    report = yield
    setattr(item, f"_report_{report.when}", report)
    return report


def _failed(request: pytest.FixtureRequest) -> bool:
    report = getattr(request.node, "_report_call", None)
    return bool(report is not None and report.failed)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-")[:150]


def is_local_request(url: str) -> bool:
    """Tell whether a request URL stays on this machine."""
    parts = urlsplit(url)
    if parts.scheme in {"data", "blob", "about", "chrome-error"}:
        return True
    return parts.hostname in LOCAL_HOSTS


# --- the app server --------------------------------------------------------------------


@dataclass(frozen=True)
class AppServer:
    """A running ``streamlit run``: where it listens and where its output goes."""

    app: Path
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def url(self) -> str:
        """The app's root URL, ``http://127.0.0.1:<port>/``."""
        return f"http://127.0.0.1:{self.port}/"

    def output(self, last: int = 60) -> str:
        """The server's last lines of stdout/stderr."""
        lines = self.log.read_text(encoding="utf-8", errors="replace").splitlines()
        return "\n".join(lines[-last:])


class StartApp(Protocol):
    """Signature of the ``start_app`` fixture."""

    def __call__(
        self, app: str | Path = "app.py", env: Mapping[str, str] | None = None
    ) -> AppServer: ...


def _launch(app: Path, env: Mapping[str, str]) -> AppServer:
    static = app.parent / "static" / "vendor" / "leaflet" / "leaflet.js"
    if not static.is_file():
        fix = (
            "run `make assets`"
            if app.parent == REPO
            else f"link {app.parent / 'static'} to the repository's static/ (see conftest)"
        )
        pytest.fail(f"{static} is missing, so the map would be blank: {fix}")
    port = free_port()
    ARTIFACTS.mkdir(exist_ok=True)
    env_tag = "-" + hashlib.sha1(repr(sorted(env.items())).encode()).hexdigest()[:8] if env else ""
    log = ARTIFACTS / f"server-{_slug(app.stem)}{env_tag}.log"  # overwritten by the next run
    process = start_streamlit(app, port=port, env={**os.environ, **env}, log=log)
    server = AppServer(app=app, port=port, process=process, log=log)
    reason = wait_healthy(process, port, timeout_s=START_TIMEOUT_S)
    if reason is not None:
        pytest.fail(
            f"streamlit run {app.relative_to(REPO)} {reason}; its output:\n{server.output()}"
        )
    return server


@pytest.fixture(scope="session")
def start_app() -> Iterator[StartApp]:
    """Factory: start (or reuse) a Streamlit server for an app file and env overrides."""
    servers: dict[tuple[Path, tuple[tuple[str, str], ...]], AppServer] = {}

    def start(app: str | Path = "app.py", env: Mapping[str, str] | None = None) -> AppServer:
        path = (REPO / app).resolve()
        if not path.is_file():
            pytest.fail(f"no app file {path}")
        key = (path, tuple(sorted((env or {}).items())))
        if key not in servers:
            servers[key] = _launch(path, dict(env or {}))
        return servers[key]

    yield start
    for server in servers.values():
        stop(server.process)


# --- the browser and its pages ---------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless and with every background download switched off."""
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing; install it with `make chromium`"
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(f"CI is set but {reason}")
        pytest.skip(reason)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@dataclass
class PageLog:
    """What one page asked for and what went wrong, in order."""

    requests: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    http_errors: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def external_requests(self) -> list[str]:
        """Every request (blocked or not) to a host that is not this machine."""
        return [url for url in self.requests if not is_local_request(url)]

    def assert_offline(self) -> None:
        """No request left 127.0.0.1/localhost."""
        external = self.external_requests()
        assert external == [], f"{len(external)} requests left this machine: {external}"

    def assert_clean(self, *, ignore_console: str | None = None) -> None:
        """Offline, and no failed request, HTTP error, console error or page error.

        ``ignore_console`` is a regex of console errors to tolerate.
        """
        self.assert_offline()
        assert self.failed == [], f"failed requests: {self.failed}"
        assert self.http_errors == [], f"HTTP errors: {self.http_errors}"
        console = [
            text
            for text in self.console_errors
            if not (ignore_console and re.search(ignore_console, text))
        ]
        assert console == [], f"console errors: {console}"
        assert self.page_errors == [], f"uncaught errors in the page: {self.page_errors}"

    def summary(self) -> str:
        """Everything recorded, for a failure artifact."""
        parts = [
            f"{name} ({len(values)}):\n" + "\n".join(f"  {v}" for v in values)
            for name, values in vars(self).items()
        ]
        return "\n".join(parts) + "\n"


@pytest.fixture
def page_log() -> PageLog:
    """The record of the test's page (filled by the ``page`` fixture)."""
    return PageLog()


@pytest.fixture
def page(browser: Browser, page_log: PageLog, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh context and page that records traffic and errors into ``page_log``."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(EXPECT_TIMEOUT_MS)

    def block(route: Route) -> None:
        route.abort("internetdisconnected")

    def on_request(req: Request) -> None:
        page_log.requests.append(req.url)

    def on_failed(req: Request) -> None:
        if req.failure == "net::ERR_ABORTED" and req.url.endswith("/favicon.png"):
            return  # a reload or navigation cancels the page's own favicon fetch: not a fault
        page_log.failed.append(f"{req.method} {req.url}: {req.failure}")

    def on_response(resp: Response) -> None:
        if resp.status >= 400:
            page_log.http_errors.append(f"{resp.status} {resp.request.method} {resp.url}")

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            where = message.location.get("url", "")
            page_log.console_errors.append(f"{message.text} ({where})")

    def on_websocket(socket_: WebSocket) -> None:
        page_log.requests.append(socket_.url)

    context.route(_NON_LOCAL, block)
    context.on("request", on_request)
    context.on("requestfailed", on_failed)
    context.on("response", on_response)
    new_page = context.new_page()
    new_page.on("console", on_console)  # includes the component iframes
    new_page.on("pageerror", lambda error: page_log.page_errors.append(str(error)))
    new_page.on("websocket", on_websocket)
    yield new_page
    if _failed(request):
        ARTIFACTS.mkdir(exist_ok=True)
        stem = ARTIFACTS / _slug(request.node.nodeid)
        with contextlib.suppress(Exception):
            new_page.screenshot(path=f"{stem}-failure.png", full_page=True)
        Path(f"{stem}-log.txt").write_text(page_log.summary(), encoding="utf-8")
    context.close()


@dataclass(frozen=True)
class StMap:
    """The map(s) ``st_folium`` draws in a Streamlit page, one iframe each."""

    page: Page

    def frame(self, index: int = 0) -> FrameLocator:
        """The ``index``-th st_folium iframe's content, for locators and ``expect``."""
        return self.page.locator(ST_FOLIUM_IFRAME).nth(index).content_frame

    def wait(self, *, min_layers: int = 1, index: int = 0) -> FrameLocator:
        """Wait until the map is visible with at least ``min_layers`` drawn layers
        (SVG paths and marker icons; canvas-rendered layers do not count)."""
        frame = self.frame(index)
        expect(frame.locator(".leaflet-container")).to_be_visible()
        if min_layers > 0:
            expect(frame.locator(DRAWN_LAYERS).nth(min_layers - 1)).to_be_attached()
        return frame

    def wait_whole_page(self) -> None:
        """Wait until the page is built around the map: a session's first run sends the
        map alone (``app.map_first_view``), then the whole page runs again, and the
        first run's caption goes once that run has finished."""
        sidebar = self.page.get_by_test_id("stSidebarContent")
        expect(sidebar.get_by_role("heading", name="Layers", exact=True)).to_be_visible()
        expect(sidebar.get_by_text(MAP_FIRST)).to_have_count(0)

    def until_shown(self, act: Callable[[], None], shown: Locator, *, tries: int = 5) -> None:
        """Do ``act`` (a hover, a click on a feature) until ``shown`` is visible. Just after
        loading, the map may settle on its view or draw its features again once (the
        whole page's run), which takes away a tooltip or popup opened a moment before."""
        for _ in range(tries - 1):
            act()
            try:
                expect(shown).to_be_visible(timeout=4_000)
            except AssertionError:
                continue
            return
        act()
        expect(shown).to_be_visible()

    def draw_polyline(self, points: Sequence[tuple[float, float]], *, index: int = 0) -> None:
        """Draw a line with leaflet.draw's polyline tool, as a person would.

        ``points`` are fractions (x, y) of the map's width and height. The line is
        finished the leaflet.draw way, by clicking its last vertex again. leaflet.draw
        ignores a click that comes within 50 ms of the previous vertex, so each click is
        repeated until the vertex count shows it was taken (no fixed sleeps).
        """
        frame = self.frame(index)
        frame.locator(".leaflet-draw-draw-polyline").click()
        box = frame.locator(".leaflet-container").bounding_box()
        assert box is not None, "the map has no size"
        vertices = frame.locator(".leaflet-marker-pane .leaflet-editing-icon")
        spots = [(box["x"] + fx * box["width"], box["y"] + fy * box["height"]) for fx, fy in points]
        for count, (x, y) in enumerate(spots, start=1):
            self._click_until(x, y, lambda n=count: expect(vertices).to_have_count(n, timeout=250))
        x, y = spots[-1]
        self._click_until(x, y, lambda: expect(vertices).to_have_count(0, timeout=250))

    def _click_until(self, x: float, y: float, taken: Callable[[], None]) -> None:
        """Click at (x, y) until ``taken()`` stops raising AssertionError (20 tries)."""
        for _attempt in range(19):
            self.page.mouse.click(x, y)
            try:
                taken()
            except AssertionError:
                continue
            return
        self.page.mouse.click(x, y)
        taken()

    def frame_handle(self, index: int = 0) -> Frame:
        """The iframe as a Frame, for ``evaluate`` and ``wait_for_function``."""
        handle = self.page.locator(ST_FOLIUM_IFRAME).nth(index).element_handle()
        frame = handle.content_frame()
        assert frame is not None, "the st_folium iframe has no content"
        return frame


UPLOADER = "[data-testid='stFileUploaderDropzoneInput']"
"""The sidebar's file input (a layer upload)."""


def type_name(page: Page, name: str = "Dana") -> None:
    """Type a reader's name in the sidebar, as one must before saving or uploading, and
    wait until the page has taken it (the upload control is enabled then)."""
    field_ = page.get_by_label(NAME_LABEL)
    field_.fill(name)
    field_.press("Enter")
    expect(page.locator(UPLOADER)).to_be_enabled()


@pytest.fixture
def st_map(page: Page) -> StMap:
    """Helpers for the page's st_folium map."""
    return StMap(page)


class Screenshot(Protocol):
    """Signature of the ``screenshot`` fixture."""

    def __call__(self, name: str) -> Path: ...


@pytest.fixture
def screenshot(page: Page) -> Screenshot:
    """Write a full-page PNG to ``test-artifacts/<name>.png`` and return its path."""

    def take(name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{_slug(name)}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
