"""First view against the floor: sitmap's page and the plainest st_folium page, same run.

``app.py`` and ``bench/floor_app.py`` (one ``folium.GeoJson`` per layer shown at first, no
labels, popups, timeline or tables) run side by side under ``streamlit run``. Each is
first opened once and left to settle, to count what its map draws (SVG paths and markers
in the map's panes; for sitmap also its events canvas). Then visits alternate, sitmap,
floor, sitmap, ..., each in a fresh browser context (nothing cached in the browser; the
server keeps what it keeps between visitors, as for any reader), timed from navigation
until the map holds that many drawn parts. The ratio of the medians is the figure.

``python -m bench.firstview [--visits 7]`` prints the figures; ``bench/run.py`` adds them
to ``bench/RESULTS.md``.
"""

from __future__ import annotations

import shutil
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Frame

from bench.appserver import running_app
from bench.browser import REPO, SITMAP_DRAWN, VIEWPORT, chromium, map_frame, print_figures

OUT = REPO / "bench" / "out"
PARTS = ".leaflet-overlay-pane path, .leaflet-marker-pane > *"
SETTLE_S = 3.0
TIMEOUT_S = 120.0


@dataclass(frozen=True)
class FirstView:
    """Seconds from navigation to the map drawn, one list per page, and what was counted."""

    sitmap_s: list[float]
    floor_s: list[float]
    sitmap_parts: int
    floor_parts: int

    @property
    def ratio(self) -> float:
        """sitmap's median over the floor's median (1.0: as fast as the floor)."""
        return statistics.median(self.sitmap_s) / statistics.median(self.floor_s)


def _count(frame: Frame) -> int:
    return int(frame.evaluate("(s) => document.querySelectorAll(s).length", PARTS))


def _settled_parts(browser: Browser, url: str, *, events: bool) -> int:
    """Open ``url`` once and count its map's drawn parts once the count holds still."""
    context = browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        page.goto(url)
        frame = map_frame(page, timeout_s=TIMEOUT_S)
        if events:
            frame.wait_for_function(SITMAP_DRAWN, timeout=TIMEOUT_S * 1000)
        frame.wait_for_function(
            "(s) => document.querySelectorAll(s).length > 0", arg=PARTS, timeout=TIMEOUT_S * 1000
        )
        last, still_since = -1, time.perf_counter()
        while time.perf_counter() - still_since < SETTLE_S:
            now = _count(frame)
            if now != last:
                last, still_since = now, time.perf_counter()
            time.sleep(0.1)
        return last
    finally:
        context.close()


def _time_to_drawn(browser: Browser, url: str, *, parts: int, events: bool) -> float:
    """Seconds from navigation until the map holds ``parts`` drawn parts (and events)."""
    context = browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        start = time.perf_counter()
        page.goto(url, wait_until="commit")
        frame = map_frame(page, timeout_s=TIMEOUT_S)
        condition = f"() => document.querySelectorAll({PARTS!r}).length >= {parts}"
        if events:
            condition += f" && ({SITMAP_DRAWN})()"
        frame.wait_for_function(condition, timeout=TIMEOUT_S * 1000, polling="raf")
        return time.perf_counter() - start
    finally:
        context.close()


def _floor_page(folder: Path) -> Path:
    """The floor page in ``folder`` beside a link to the repository's ``static/``:
    Streamlit serves ``static/`` from beside the page it runs, and the floor must get
    Leaflet from the same local files as sitmap."""
    page = folder / "floor_app.py"
    shutil.copyfile(REPO / "bench" / "floor_app.py", page)
    (folder / "static").symlink_to(REPO / "static", target_is_directory=True)
    return page


def measure(*, visits: int = 7, env: dict[str, str] | None = None) -> FirstView:
    """Run both pages and time ``visits`` first views of each, alternating."""
    OUT.mkdir(parents=True, exist_ok=True)
    env = env or {}
    with (
        tempfile.TemporaryDirectory(prefix="sitmap-floor-") as tmp,
        running_app(env, log=OUT / "firstview-sitmap.log") as app,
        running_app(env, log=OUT / "firstview-floor.log", app=_floor_page(Path(tmp))) as floor,
        chromium() as browser,
    ):
        sitmap_parts = _settled_parts(browser, app.url, events=True)
        floor_parts = _settled_parts(browser, floor.url, events=False)
        sitmap_s: list[float] = []
        floor_s: list[float] = []
        for _ in range(visits):
            sitmap_s.append(_time_to_drawn(browser, app.url, parts=sitmap_parts, events=True))
            floor_s.append(_time_to_drawn(browser, floor.url, parts=floor_parts, events=False))
    return FirstView(sitmap_s, floor_s, sitmap_parts, floor_parts)


def describe(result: FirstView) -> dict[str, Any]:
    """The figures, rounded, for printing and for RESULTS.md."""
    return {
        "sitmap_median_s": round(statistics.median(result.sitmap_s), 3),
        "floor_median_s": round(statistics.median(result.floor_s), 3),
        "ratio": round(result.ratio, 2),
        "sitmap_parts": result.sitmap_parts,
        "floor_parts": result.floor_parts,
        "sitmap_s": [round(s, 3) for s in result.sitmap_s],
        "floor_s": [round(s, 3) for s in result.floor_s],
    }


def main() -> None:
    print_figures(
        __doc__, option="visits", default=7, figures=lambda n: describe(measure(visits=n))
    )


if __name__ == "__main__":
    main()
