"""The benchmark command: sitmap against naive folium at 1k, 10k and 100k events.

Run from the repository root::

    .venv/bin/python -m bench            # everything: about 7 minutes on 2 cores
    .venv/bin/python -m bench --quick    # without the naive 100k page: about 2 minutes

Prints one table and writes ``bench/RESULTS.md`` (date, machine, versions, every row:
what, sitmap, naive or baseline, ratio, target, met?). Everything is measured in this
run, side by side, on this machine; nothing asserts (a benchmark reports).

Events are the demo's SYNTHETIC events (``sitmap.demo``) in the Rafah view frame. The
naive map is the same page with the events as one ``folium.Marker`` + ``folium.Popup``
each (``bench/mapbuild.py``). Browser times are headless Chromium, from navigation to the
events drawn (sitmap: ``window.sitmapEvents.drawnCount() > 0``; naive: every marker in the
DOM), ">60 s" when not done within 60 s. The running app is ``app.py`` under ``streamlit
run``; a layer toggle is timed in the page from the click (a listener in the page) to the
map holding the new number of that layer's paths (a MutationObserver in the map).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import importlib.metadata
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # `python bench/run.py`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psutil

from bench import firstview, mapbuild, steps, switches, uploadload
from bench.appserver import PeakRss, running_app
from bench.browser import (
    SITMAP_DRAWN,
    VIEWPORT,
    app_time_to_drawn,
    chromium,
    count,
    map_frame,
    naive_drawn,
    serve,
    time_to,
    time_to_isolated,
    toggle_latency,
)
from sitmap import caching, situation
from sitmap.demo import write_demo_situation
from sitmap.mapview import assets

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "bench" / "out"
RESULTS = REPO / "bench" / "RESULTS.md"
SIZES = (1_000, 10_000, 100_000)
BROWSER_TIMEOUT_S = 60
NAIVE_BUILD_TIMEOUT_S = 900
TOGGLES = 10
FIRST_VIEWS = 7
SWITCHES = 20
TOGGLE_LABEL = "Control: army-held area"  # a sidebar checkbox of the Rafah situation
TOGGLE_PATHS = "path.sitmap-layer-control"


@dataclass
class Row:
    what: str
    sitmap: str
    baseline: str = "—"
    ratio: str = "—"
    target: str = "—"
    met: str = "—"


ROWS: list[Row] = []


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def add(row: Row) -> None:
    ROWS.append(row)
    say(f"  {row.what}: {row.sitmap} | {row.baseline} | {row.ratio} | {row.met}")


def secs(value: float | None, *, limit: float | None = None) -> str:
    if value is None:
        return f">{limit:.0f} s" if limit else "n/a"
    return f"{value:.3f} s" if value < 10 else f"{value:.1f} s"


def size(n_bytes: int) -> str:
    return f"{n_bytes / 1e6:.2f} MB" if n_bytes >= 100_000 else f"{n_bytes / 1e3:.1f} kB"


def met(ok: bool) -> str:
    return "yes" if ok else "**no**"


def timed(work: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = work()
    return time.perf_counter() - start, result


# --- machine -------------------------------------------------------------------------------


def machine() -> dict[str, str]:
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    versions = ", ".join(
        f"{name} {importlib.metadata.version(name)}"
        for name in (
            "streamlit",
            "streamlit-folium",
            "folium",
            "geopandas",
            "shapely",
            "pandas",
            "numpy",
            "pyarrow",
            "pydantic",
            "playwright",
        )
    )
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "ram": f"{psutil.virtual_memory().total / 2**30:.1f} GiB",
        "os": platform.platform(),
        "python": platform.python_version(),
        "versions": versions,
        "load": ", ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


# --- steps ---------------------------------------------------------------------------------


@contextlib.contextmanager
def per_feature_checks() -> Iterator[None]:
    """Within it, loading checks every feature one by one: the bulk paths (property
    columns, plain points) are switched off. The naive baseline of ``step_load``."""
    from sitmap.validation import _propertycolumns as bulkcheck
    from sitmap.validation import layer  # where the layer checks call plain_points

    saved = (bulkcheck._specs, bulkcheck._flat, layer.plain_points)
    bulkcheck._specs = lambda _model: None  # type: ignore[assignment]
    bulkcheck._flat = lambda _props: False  # type: ignore[assignment]
    layer.plain_points = lambda _features, _extent: ([], None)  # type: ignore[assignment]
    try:
        yield
    finally:
        bulkcheck._specs, bulkcheck._flat, layer.plain_points = saved


def step_load(folders: dict[int, Path]) -> None:
    """Loading (validation + frames) of the 100k situation, cold and cached, against the
    per-feature checks (bulk paths off)."""
    folder = folders[SIZES[-1]]
    caching.clear_all()
    cold, _ = timed(lambda: situation.load_situation(folder))
    cached, _ = timed(lambda: situation.load_situation(folder))
    with per_feature_checks():
        caching.clear_all()
        slow, _ = timed(lambda: situation.load_situation(folder))
    caching.clear_all()
    n = f"{SIZES[-1] // 1000}k"
    add(
        Row(
            f"load a {n}-event situation: validate + frame (cold)",
            secs(cold),
            f"{secs(slow)} (per-feature checks)",
            f"{slow / cold:.1f}x faster",
        )
    )
    add(Row(f"load the {n}-event situation again (cached by file times)", secs(cached)))


def step_build(folders: dict[int, Path], *, quick: bool) -> dict[str, int]:
    """Map page HTML, sitmap (in this process) against naive (one child process each)."""
    sizes: dict[str, int] = {}
    for n in SIZES:
        loaded = situation.load_situation(folders[n])
        build_s, page = timed(lambda loaded=loaded: mapbuild.sitmap_page(loaded))
        data = page.encode("utf-8")
        (OUT / f"sitmap-{n}.html").write_bytes(data)
        sizes[f"sitmap-{n}"] = len(data)
        naive = None if quick and n == SIZES[-1] else _naive_build(n)
        label = f"{n // 1000}k" if n >= 1000 else str(n)
        if naive is None:
            add(Row(f"map build, {label} events", secs(build_s), "not built (--quick)"))
            add(Row(f"page HTML, {label} events", size(len(data)), "not built (--quick)"))
            continue
        naive_s, naive_bytes = naive
        sizes[f"naive-{n}"] = naive_bytes
        add(
            Row(
                f"map build, {label} events (Python, to HTML)",
                secs(build_s),
                secs(naive_s, limit=NAIVE_BUILD_TIMEOUT_S),
                f"{naive_s / build_s:.0f}x faster" if naive_s else "—",
            )
        )
        if naive_bytes:
            share = len(data) / naive_bytes
            is_target = n == SIZES[-1]
            add(
                Row(
                    f"page HTML, {label} events",
                    size(len(data)),
                    size(naive_bytes),
                    f"1/{1 / share:.0f} of naive",
                    "≤ 1/10 of naive" if is_target else "—",
                    met(share <= 0.1) if is_target else "—",
                )
            )
    return sizes


def _naive_build(n: int) -> tuple[float | None, int]:
    """(seconds, bytes) of the naive page, built in a child process; (None, 0) past the
    time limit."""
    out = OUT / f"naive-{n}.html"
    say(f"  building the naive page for {n} events (a child process)...")
    try:
        done = subprocess.run(
            [sys.executable, "-m", "bench.mapbuild", "naive", str(n), str(out)],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=NAIVE_BUILD_TIMEOUT_S,
            check=True,
        )
    except subprocess.TimeoutExpired:
        return None, 0
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return float(result["seconds"]), int(result["bytes"])


def step_browser(sizes: dict[str, int]) -> None:
    """Navigation to drawn, standalone pages, headless Chromium (median of 3 for sitmap)."""
    with serve(OUT) as base, chromium() as browser:
        for n in SIZES:
            label = f"{n // 1000}k"
            runs = [
                time_to(browser, f"{base}sitmap-{n}.html", SITMAP_DRAWN, timeout_s=60)
                for _ in range(3)
            ]
            ok_runs = [r for r in runs if r is not None]
            mine = statistics.median(ok_runs) if ok_runs else None
            naive = None
            if f"naive-{n}" in sizes:
                say(f"  naive page, {n} events, in Chromium (up to {BROWSER_TIMEOUT_S} s)...")
                naive = time_to_isolated(
                    f"{base}naive-{n}.html", naive_drawn(n), timeout_s=BROWSER_TIMEOUT_S
                )
            is_target = n == SIZES[-1]
            ratio = "—"
            if mine and naive:
                ratio = f"{naive / mine:.0f}x faster"
            elif mine and f"naive-{n}" in sizes:
                ratio = f">{BROWSER_TIMEOUT_S / mine:.0f}x faster"
            add(
                Row(
                    f"browser: navigation to events drawn, {label} (page file)",
                    secs(mine),
                    secs(naive, limit=BROWSER_TIMEOUT_S)
                    if f"naive-{n}" in sizes
                    else "not built (--quick)",
                    ratio,
                    "≤ 3 s" if is_target else "—",
                    met(mine is not None and mine <= 3) if is_target else "—",
                )
            )


def step_corridors(rafah: Path) -> None:
    """Corridor analysis: measure_many against the naive loop of bench/corridors.py."""
    try:
        from bench import corridors as corridor_bench
        from sitmap.analysis import corridors
    except ImportError as err:  # the corridor work is not merged yet
        add(Row("corridor analysis, 1,000 corridors", f"not measured ({err})"))
        return
    loaded = situation.load_situation(rafah)
    lines = corridor_bench.random_corridors(loaded, 1_000)
    corridors.area_index(loaded)
    fast_s, _ = corridor_bench.best_of(3, lambda: corridors.measure_many(lines, loaded))
    naive_s, _ = corridor_bench.best_of(1, lambda: corridor_bench.naive_measure(lines, loaded))
    ratio = naive_s / fast_s
    add(
        Row(
            "corridor analysis, 1,000 corridors (measure_many)",
            f"{secs(fast_s)} ({1000 / fast_s:,.0f}/s)",
            f"{secs(naive_s)} (naive loop)",
            f"{ratio:.0f}x faster",
            "≤ 1 s per 1,000; ≥ 10x",
            met(fast_s <= 1 and ratio >= 10),
        )
    )


@contextlib.contextmanager
def _app_page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=VIEWPORT)
    try:
        yield context.new_page()
    finally:
        context.close()


def _app_runs(
    name: str, env: dict[str, str], *, rss_target_mb: float | None, app_file: Path | None = None
) -> None:
    log = OUT / f"app-{name}.log"
    with (
        running_app(env, log=log, app=app_file or REPO / "app.py") as app,
        PeakRss(app.process.pid) as rss,
        chromium() as browser,
    ):
        with _app_page(browser) as page:
            cold = app_time_to_drawn(page, app.url, timeout_s=300)
        with _app_page(browser) as page:
            warm = app_time_to_drawn(page, app.url, timeout_s=300)
            frame = map_frame(page, timeout_s=30)
            shown = count(frame, TOGGLE_PATHS)
            offs, ons = [], []
            for _ in range(TOGGLES):
                offs.append(
                    toggle_latency(page, frame, label=TOGGLE_LABEL, selector=TOGGLE_PATHS, target=0)
                )
                ons.append(
                    toggle_latency(
                        page, frame, label=TOGGLE_LABEL, selector=TOGGLE_PATHS, target=shown
                    )
                )
    add(Row(f"app, {name}: first visit, navigation to events drawn", secs(cold)))
    add(Row(f"app, {name}: next visit (situation cached)", secs(warm)))
    off, on = statistics.median(offs), statistics.median(ons)
    is_target = rss_target_mb is None
    add(
        Row(
            f"app, {name}: uncheck a layer → map updated, median of {TOGGLES}",
            secs(off),
            f"check again: {secs(on)}",
            "—",
            "≤ 0.3 s" if is_target else "—",
            met(off <= 0.3) if is_target else "—",
        )
    )
    if rss_target_mb is not None:
        peak_mb = rss.peak / 1e6
        add(
            Row(
                f"app, {name}: peak memory (RSS, server and children)",
                f"{peak_mb:.0f} MB",
                "—",
                "—",
                f"≤ {rss_target_mb:.0f} MB",
                met(peak_mb <= rss_target_mb),
            )
        )


def step_first_view() -> None:
    """sitmap's first view against the floor page, alternating visits (bench/firstview.py)."""
    result = firstview.measure(visits=FIRST_VIEWS)
    figures = firstview.describe(result)
    add(
        Row(
            f"app, Rafah situation: navigation to map drawn, median of {FIRST_VIEWS} visits",
            secs(figures["sitmap_median_s"]),
            f"floor page: {secs(figures['floor_median_s'])}",
            f"{figures['ratio']:.2f}x the floor",
            "≤ 1.2x the floor",
            met(result.ratio <= 1.2),
        )
    )


def browser_alone_row(what: str, median_ms: float, detail: str) -> Row:
    """A row for a change the map draws by itself, in ms (target ≤ 50 ms, issue 11 item 9)."""
    return Row(
        f"app, Rafah situation: {what} (browser alone), median of {SWITCHES}",
        f"{median_ms:.1f} ms",
        detail,
        "—",
        "≤ 50 ms",
        met(median_ms <= 50),
    )


def step_switches() -> None:
    """A legend row switched off and on in the browser alone (bench/switches.py)."""
    figures = switches.describe(switches.measure(clicks=SWITCHES))
    add(
        browser_alone_row(
            "legend row clicked → map redrawn",
            figures["median_ms"],
            f"slowest of {SWITCHES}: {figures['max_ms']:.1f} ms",
        )
    )


def step_timeline_steps() -> None:
    """A step of the timeline in the browser alone, back and on (bench/steps.py)."""
    figures = steps.describe(steps.measure(steps=SWITCHES))
    add(
        browser_alone_row(
            "the map's 'day before'/'next day' clicked → map of that day drawn",
            figures["median_ms"],
            f"slowest: {figures['max_ms']:.1f} ms; the page follows in "
            f"{secs(figures['page_follows_median_s'])}",
        )
    )


def step_upload_load() -> None:
    """A second reader's page while a first holds the largest upload (bench/uploadload.py)."""
    result = uploadload.measure(visits=FIRST_VIEWS)
    figures = uploadload.describe(result)
    add(
        Row(
            f"app, largest upload held by another reader: navigation to map drawn, "
            f"median of {FIRST_VIEWS}",
            secs(figures["held_median_s"]),
            f"idle server: {secs(figures['idle_median_s'])}",
            f"{figures['load_ratio']:.2f}x idle",
            "≤ 1.5x idle",
            met(result.load_ratio <= 1.5),
        )
    )
    add(
        Row(
            "app, memory (RSS) once the upload's session ended",
            f"{figures['rss_after_mb']:.0f} MB (peak {figures['rss_peak_mb']:.0f} MB)",
            f"before the upload: {figures['rss_baseline_mb']:.0f} MB",
            f"{figures['rss_ratio']:.2f}x",
            "≤ 1.2x",
            met(result.rss_ratio <= 1.2),
        )
    )


def step_app(folders: dict[int, Path]) -> None:
    _app_runs("Rafah situation", {}, rss_target_mb=None)
    big = folders[SIZES[-1]]
    _app_runs(f"{SIZES[-1] // 1000}k events", {"SITMAP_SITUATION": str(big)}, rss_target_mb=400)


# --- output --------------------------------------------------------------------------------


def table() -> str:
    head = "| what | sitmap | naive / baseline | ratio | target | met? |"
    rule = "|---|---|---|---|---|---|"
    lines = [
        f"| {r.what} | {r.sitmap} | {r.baseline} | {r.ratio} | {r.target} | {r.met} |" for r in ROWS
    ]
    return "\n".join([head, rule, *lines])


def write_results(info: dict[str, str], elapsed_s: float, command: str) -> None:
    text = f"""# sitmap benchmark results

Written by `{command}` (bench/run.py); every figure below was measured in that one run,
sitmap and the naive way side by side.

- **Date:** {info["date"]} (whole run: {elapsed_s / 60:.1f} min)
- **Machine:** {info["cpu"]}, {info["cores"]} cores, {info["ram"]} RAM; {info["os"]}
- **Load average at start:** {info["load"]}
- **Python {info["python"]}:** {info["versions"]}; Chromium {info.get("chromium", "?")}

Events are SYNTHETIC (``sitmap.demo``: uniform in the Rafah view frame, times across the
situation's period). "Naive" is the same map page with every event as one
`folium.Marker` with a `folium.Popup` showing the same fields as sitmap's popup. Browser
times are headless Chromium (software rendering), navigation to events drawn; ">60 s"
means not drawn within 60 s. The app rows run `app.py` under `streamlit run` as it is in
the repository at the time of the run. The *floor* is `bench/floor_app.py`, the plainest
Streamlit page with the same situation layers (one `folium.GeoJson` each in `st_folium`,
Leaflet served locally); first-view rows alternate visits to both pages, each in a fresh
browser context, timed from navigation until the map holds every part it draws when
settled (and, for sitmap, its events). The upload rows (`bench/uploadload.py`) time the
same first view on a server where another reader holds the largest upload the import
limits accept, against an idle server, alternating, and read that server's memory before
the upload and once the uploader's session has ended.

{table()}
"""
    RESULTS.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the naive 100k page")
    args = parser.parse_args()
    started = time.perf_counter()
    OUT.mkdir(parents=True, exist_ok=True)
    assets.use_local_assets()
    info = machine()
    say(f"sitmap benchmark, {info['date']}, {info['cpu']} x{info['cores']}")
    say("demo situations...")
    folders = {n: write_demo_situation(n) for n in SIZES}
    say("loading...")
    step_load(folders)
    say("map pages...")
    sizes = step_build(folders, quick=args.quick)
    caching.clear_all()
    say("browser...")
    step_browser(sizes)
    say("corridors...")
    step_corridors(REPO / "geodata" / "rafah-2025-11")
    say("the running app...")
    step_first_view()
    step_switches()
    step_timeline_steps()
    step_upload_load()
    step_app(folders)
    with chromium() as browser:
        info["chromium"] = browser.version
    command = ".venv/bin/python -m bench" + (" --quick" if args.quick else "")
    elapsed = time.perf_counter() - started
    write_results(info, elapsed, command)
    print(table())
    say(f"wrote {RESULTS.relative_to(REPO)} ({elapsed / 60:.1f} min)")


if __name__ == "__main__":
    main()
