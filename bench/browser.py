"""Headless Chromium timings: standalone map pages and the running app.

Chromium is Debian's (/usr/bin/chromium), launched as the e2e tests launch it (same
arguments, from :mod:`tests.e2e.server`). Times are wall-clock seconds from ``page.goto``
to a condition checked in the page (polled on animation frames), in a fresh browser
context each time (nothing cached).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import json
import os
import signal
import socketserver
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Frame, Page, sync_playwright
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.e2e.server import CHROMIUM, CHROMIUM_ARGS, free_port

REPO = Path(__file__).resolve().parents[1]
VIEWPORT = {"width": 1280, "height": 900}
ST_FOLIUM_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
SITMAP_DRAWN = "() => !!(window.sitmapEvents && window.sitmapEvents.drawnCount() > 0)"


def naive_drawn(count: int) -> str:
    """JS: every marker of the naive page is in the DOM (Leaflet adds all, in view or not)."""
    return f"() => document.querySelectorAll('.leaflet-marker-icon').length >= {count}"


@contextlib.contextmanager
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def serve(pages: Path) -> Iterator[str]:
    """Serve the folder ``pages`` on localhost, with the repository's static/ at
    /app/static (a symlink, as Streamlit serves it); yields the base URL."""
    (pages / "app").mkdir(parents=True, exist_ok=True)
    link = pages / "app" / "static"
    if not link.exists():
        link.symlink_to(REPO / "static", target_is_directory=True)
    handler = functools.partial(_QuietHandler, directory=str(pages))
    socketserver.TCPServer.allow_reuse_address = True
    server = socketserver.ThreadingTCPServer(("127.0.0.1", free_port()), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def time_to(
    browser: Browser, url: str, condition: str, *, timeout_s: float, close: bool = True
) -> float | None:
    """Seconds from navigation until ``condition`` holds in the page; None past the
    timeout (or if the page crashed). ``close=False`` leaves the context open (closing
    waits for a renderer that may be stuck)."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    try:
        start = time.perf_counter()
        page.goto(url, wait_until="commit", timeout=timeout_s * 1000)
        left = timeout_s - (time.perf_counter() - start)
        page.wait_for_function(condition, timeout=max(left, 0.001) * 1000)
        return time.perf_counter() - start
    except (PlaywrightTimeout, PlaywrightError):
        return None
    finally:
        if close:
            with contextlib.suppress(PlaywrightError):
                context.close()


def time_to_isolated(url: str, condition: str, *, timeout_s: float) -> float | None:
    """``time_to`` in a child process with its own Chromium, killed (with its browser)
    when it overruns: a page that hangs the renderer (130 MB of markers) cannot hang the
    benchmark."""
    command = [sys.executable, "-m", "bench.browser", url, condition, str(timeout_s)]
    process = subprocess.Popen(
        command, cwd=REPO, stdout=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        out, _ = process.communicate(timeout=timeout_s + 20)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        return None
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # Chromium left behind, if any
    value = json.loads(out.strip().splitlines()[-1]) if out.strip() else None
    return float(value) if value is not None else None


def map_frame(page: Page, *, timeout_s: float) -> Frame:
    """The st_folium iframe's frame, once it exists."""
    deadline = time.perf_counter() + timeout_s
    while time.perf_counter() < deadline:
        handle = page.query_selector(ST_FOLIUM_IFRAME)
        frame = handle.content_frame() if handle else None
        if frame is not None:
            return frame
        time.sleep(0.02)
    msg = f"no map iframe after {timeout_s} s"
    raise TimeoutError(msg)


def app_time_to_drawn(page: Page, url: str, *, timeout_s: float) -> float:
    """Seconds from navigation to the app's events canvas having drawn points."""
    start = time.perf_counter()
    page.goto(url, wait_until="commit")
    frame = map_frame(page, timeout_s=timeout_s)
    left = timeout_s - (time.perf_counter() - start)
    frame.wait_for_function(SITMAP_DRAWN, timeout=max(left, 0.001) * 1000)
    return time.perf_counter() - start


_ARM = """([selector, target]) => {
    window.__sitmapDoneAt = 0;
    const check = () => {
        if (document.querySelectorAll(selector).length === target) {
            window.__sitmapDoneAt = Date.now();
            observer.disconnect();
        }
    };
    const observer = new MutationObserver(check);
    observer.observe(document.body, {childList: true, subtree: true, attributes: true});
}"""
_LISTEN = """() => {
    window.__sitmapClickAt = 0;
    if (!window.__sitmapListening) {
        document.addEventListener("click", () => { window.__sitmapClickAt = Date.now(); }, true);
        window.__sitmapListening = true;
    }
}"""


def toggle_latency(
    page: Page, frame: Frame, *, label: str, selector: str, target: int, timeout_s: float = 120
) -> float:
    """Seconds from a click on the sidebar checkbox ``label`` until the map holds
    ``target`` elements matching ``selector``, both stamped in the page itself
    (``Date.now()``: a click listener in the page, a MutationObserver in the map)."""
    frame.evaluate(_ARM, [selector, target])
    page.evaluate(_LISTEN)
    page.get_by_text(label, exact=False).first.click()
    frame.wait_for_function("() => window.__sitmapDoneAt > 0", timeout=timeout_s * 1000)
    done = frame.evaluate("() => window.__sitmapDoneAt")
    clicked = page.evaluate("() => window.__sitmapClickAt")
    return (done - clicked) / 1000


def print_figures(
    doc: str, *, option: str, default: int, figures: Callable[[int], dict[str, Any]]
) -> None:
    """A bench module's command: ``--option N`` (default ``default``), then print
    ``figures(N)`` a line each; ``doc`` (the module's docstring) gives the description."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument(f"--{option}", type=int, default=default)
    for key, value in figures(getattr(parser.parse_args(), option)).items():
        print(f"{key}: {value}")


def count(frame: Frame, selector: str) -> int:
    return int(frame.evaluate("(s) => document.querySelectorAll(s).length", selector))


def chromium_version(browser: Browser) -> str:
    return browser.version


def environ_without_proxies() -> dict[str, str]:
    """This environment, with no proxy for localhost."""
    env = dict(os.environ)
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    return env


def main() -> None:
    """``URL CONDITION TIMEOUT_S``: print the seconds to the condition (JSON; null if not)."""
    _, url, condition, timeout_s = sys.argv
    with chromium() as browser:
        seconds = time_to(browser, url, condition, timeout_s=float(timeout_s), close=False)
        print(json.dumps(seconds), flush=True)
        os._exit(0)  # no waiting for a renderer that may still be busy: the parent cleans up


if __name__ == "__main__":
    main()
