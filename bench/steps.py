"""A step of the timeline in the browser alone: the map's own back and next buttons, timed.

The map holds every feature of the period with the days it is shown, and its control
(``static/sitmap/timeline.js``) draws a day with no rerun; the page follows afterwards.
This opens ``app.py`` under ``streamlit run`` on 5 Nov 2025 (the day the tunnel enclave
is first reported), waits for the whole page, then clicks "Day before" and "Next day" in
turn, ``--steps`` times. Each step is stamped in the map's own page: from the click
event's time (``event.timeStamp``) to the first animation frame at which the enclave's
path is gone (back to 4 Nov) or back (5 Nov), so Playwright's round trips are not
counted. Before the next click the bench waits for the page to follow (its URL names the
day): that is timed too, by the wall clock, as what a reader waits for the tables.

``python -m bench.steps [--steps 20]`` prints the figures; ``bench/run.py`` adds them to
``bench/RESULTS.md`` (target: ≤ 50 ms in the browser).
"""

from __future__ import annotations

import re
import statistics
import time
from dataclasses import dataclass
from typing import Any

from playwright.sync_api import Frame, Page

from bench.appserver import running_app
from bench.browser import REPO, VIEWPORT, chromium, map_frame, print_figures

OUT = REPO / "bench" / "out"
SHOWN_ON = "2025-11-05"
BEFORE = "2025-11-04"
ENCLAVE = "path.sitmap-fid-tunnel_enclave_jenina"
TIMEOUT_S = 120.0

_ARM = f"""([button, present]) => {{
    window.__sitmapStep = null;
    const el = document.querySelector(button);
    const done = () => (document.querySelectorAll("{ENCLAVE}").length > 0) === present;
    if (done()) throw new Error("the enclave is already as the step should leave it");
    el.addEventListener("click", (event) => {{
        const clicked = event.timeStamp;
        const check = () => {{
            if (done()) window.__sitmapStep = performance.now() - clicked;
            else requestAnimationFrame(check);
        }};
        requestAnimationFrame(check);
    }}, {{capture: true, once: true}});
}}"""


@dataclass(frozen=True)
class Steps:
    """Milliseconds from a click on the map's day buttons to the map of that day drawn,
    and seconds until the page followed (its URL names the day)."""

    back_ms: list[float]
    next_ms: list[float]
    follow_s: list[float]

    @property
    def median_ms(self) -> float:
        """The median of every step, back and on."""
        return statistics.median(self.back_ms + self.next_ms)


def _step(page: Page, frame: Frame, *, back: bool) -> tuple[float, float]:
    button = ".sitmap-time-back" if back else ".sitmap-time-next"
    frame.evaluate(_ARM, [button, not back])
    started = time.perf_counter()
    frame.locator(button).click()
    frame.wait_for_function("() => window.__sitmapStep !== null", timeout=TIMEOUT_S * 1000)
    drawn = float(frame.evaluate("() => window.__sitmapStep"))
    day = BEFORE if back else SHOWN_ON
    page.wait_for_url(re.compile(f"to={day}"), timeout=TIMEOUT_S * 1000)
    return drawn, time.perf_counter() - started


def measure(*, steps: int = 20, env: dict[str, str] | None = None) -> Steps:
    """Open the app once and time ``steps`` steps of the map's day, back and on in turn."""
    OUT.mkdir(parents=True, exist_ok=True)
    with running_app(env or {}, log=OUT / "steps.log") as app, chromium() as browser:
        context = browser.new_context(viewport=VIEWPORT)
        try:
            page = context.new_page()
            page.goto(f"{app.url}?to={SHOWN_ON}")
            frame = map_frame(page, timeout_s=TIMEOUT_S)
            frame.wait_for_selector(ENCLAVE, timeout=TIMEOUT_S * 1000)
            page.get_by_role("heading", name="Layers", exact=True).wait_for(
                timeout=TIMEOUT_S * 1000
            )
            back: list[float] = []
            on: list[float] = []
            follow: list[float] = []
            for i in range(steps):
                drawn, followed = _step(page, frame, back=i % 2 == 0)
                (back if i % 2 == 0 else on).append(drawn)
                follow.append(followed)
        finally:
            context.close()
    return Steps(back, on, follow)


def describe(result: Steps) -> dict[str, Any]:
    """The figures, rounded, for printing and for RESULTS.md."""
    return {
        "median_ms": round(result.median_ms, 1),
        "back_median_ms": round(statistics.median(result.back_ms), 1),
        "next_median_ms": round(statistics.median(result.next_ms), 1),
        "max_ms": round(max(result.back_ms + result.next_ms), 1),
        "page_follows_median_s": round(statistics.median(result.follow_s), 3),
    }


def main() -> None:
    print_figures(__doc__, option="steps", default=20, figures=lambda n: describe(measure(steps=n)))


if __name__ == "__main__":
    main()
