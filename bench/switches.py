"""A layer switched off and on in the browser alone: the legend's rows, timed in the map.

A legend row is a switch (``static/sitmap/sitmap.js``, ``legendSwitches``): the browser
hides what it stands for with no rerun. This opens ``app.py`` under ``streamlit run``,
waits for the map, then clicks the corridors' legend row ``--clicks`` times (off, on,
off, ...). Each time is stamped in the map's own page: from the click event's time
(``event.timeStamp``) to the first animation frame at which every corridor path has the
new visibility (``performance.now()``), so Playwright's round trips are not counted.

``python -m bench.switches [--clicks 20]`` prints the figures; ``bench/run.py`` adds them
to ``bench/RESULTS.md`` (target: ≤ 50 ms).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Any

from playwright.sync_api import Frame, Locator

from bench.appserver import running_app
from bench.browser import REPO, SITMAP_DRAWN, VIEWPORT, chromium, map_frame, print_figures

OUT = REPO / "bench" / "out"
LAYER_PATHS = "path.sitmap-layer-corridors"
ROW_TEXT = "Corridor option, discussed"
TIMEOUT_S = 120.0

_HIDDEN = """[...document.querySelectorAll(el.dataset.hides)].filter(
        (p) => p.tagName.toLowerCase() === "path")"""
_PATHS = f"(el) => {_HIDDEN}.length"
_ARM = f"""(el, hidden) => {{
    window.__sitmapSwitch = null;
    const paths = {_HIDDEN};
    if (!paths.length) throw new Error("the legend row hides no path");
    const done = () => paths.every((p) => (getComputedStyle(p).display === "none") === hidden);
    el.addEventListener("click", (event) => {{
        const clicked = event.timeStamp;
        const check = () => {{
            if (done()) window.__sitmapSwitch = performance.now() - clicked;
            else requestAnimationFrame(check);
        }};
        requestAnimationFrame(check);
    }}, {{capture: true, once: true}});
}}"""


@dataclass(frozen=True)
class Switches:
    """Milliseconds from a click on a legend row to the map redrawn, off and on."""

    off_ms: list[float]
    on_ms: list[float]
    paths: int

    @property
    def median_ms(self) -> float:
        """The median of every click, off and on."""
        return statistics.median(self.off_ms + self.on_ms)


def _row(frame: Frame) -> Locator:
    """The corridors' legend row (the switch timed)."""
    return frame.locator(".sitmap-legend-row", has_text=ROW_TEXT)


def _switch(frame: Frame, *, hidden: bool) -> float:
    row = _row(frame)
    row.evaluate(_ARM, hidden)
    row.click()
    frame.wait_for_function("() => window.__sitmapSwitch !== null", timeout=TIMEOUT_S * 1000)
    return float(frame.evaluate("() => window.__sitmapSwitch"))


def measure(*, clicks: int = 20, env: dict[str, str] | None = None) -> Switches:
    """Open the app once and time ``clicks`` switches of the corridors' legend row."""
    OUT.mkdir(parents=True, exist_ok=True)
    with running_app(env or {}, log=OUT / "switches.log") as app, chromium() as browser:
        context = browser.new_context(viewport=VIEWPORT)
        try:
            page = context.new_page()
            page.goto(app.url)
            frame = map_frame(page, timeout_s=TIMEOUT_S)
            frame.wait_for_function(SITMAP_DRAWN, timeout=TIMEOUT_S * 1000)
            frame.wait_for_selector(LAYER_PATHS, timeout=TIMEOUT_S * 1000)
            paths = _row(frame).evaluate(_PATHS)
            off: list[float] = []
            on: list[float] = []
            for i in range(clicks):
                (off if i % 2 == 0 else on).append(_switch(frame, hidden=i % 2 == 0))
        finally:
            context.close()
    return Switches(off, on, paths)


def describe(result: Switches) -> dict[str, Any]:
    """The figures, rounded, for printing and for RESULTS.md."""
    return {
        "median_ms": round(result.median_ms, 1),
        "off_median_ms": round(statistics.median(result.off_ms), 1),
        "on_median_ms": round(statistics.median(result.on_ms), 1),
        "max_ms": round(max(result.off_ms + result.on_ms), 1),
        "paths": result.paths,
    }


def main() -> None:
    print_figures(
        __doc__, option="clicks", default=20, figures=lambda n: describe(measure(clicks=n))
    )


if __name__ == "__main__":
    main()
