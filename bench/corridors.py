"""Benchmark corridor measurement: sitmap's vectorised measure_many against a naive loop.

Run from the repository root: ``.venv/bin/python bench/corridors.py [--count 1000]``.

Both sides measure the same seeded random corridors (2-6 vertices, 1-8 km, inside the
Rafah view frame) against the same situation, in the same process, best of 3 runs each:

- sitmap: :func:`sitmap.analysis.corridors.measure_many` (STRtree, shapely array functions, one
  pyproj call per measure), with the situation's index already built (as in the app);
- naive: for each corridor, for each feature: scalar shapely calls, ``Geod.inv`` once per
  segment in Python, crossings per control-line feature, nearest places point by point.

It prints the timings, the ratio and the largest disagreement in lengths (metres); it
asserts nothing (a benchmark reports; the targets are <= 1 s per 1,000 and >= 10x).
"""

from __future__ import annotations

import argparse
import itertools
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry import LineString, Point
from shapely.ops import nearest_points

from sitmap.analysis import corridors
from sitmap.analysis.geodesy import GEOD
from sitmap.situation import Situation, load_situation

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SITUATION = ROOT / "geodata" / "rafah-2025-11"


def random_corridors(situation: Situation, count: int, *, seed: int = 20251128) -> list[LineString]:
    """Seeded random corridors: 2-6 vertices, 1-8 km in all, every vertex in the view frame."""
    frame = situation.manifest.view.frame
    rng = np.random.default_rng(seed)
    out: list[LineString] = []
    while len(out) < count:
        vertices = int(rng.integers(2, 7))
        total_m = rng.uniform(1_000, 8_000)
        steps = rng.dirichlet(np.ones(vertices - 1)) * total_m
        lon = [rng.uniform(frame.west, frame.east)]
        lat = [rng.uniform(frame.south, frame.north)]
        heading = rng.uniform(0, 360)
        for step in steps:
            heading += rng.normal(0, 45)
            x, y, _ = GEOD.fwd(lon[-1], lat[-1], heading, step)
            lon.append(float(x))
            lat.append(float(y))
        xs, ys = np.array(lon), np.array(lat)
        if (
            xs.min() >= frame.west
            and xs.max() <= frame.east
            and ys.min() >= frame.south
            and ys.max() <= frame.north
        ):
            out.append(LineString(zip(lon, lat, strict=True)))
    return out


def _naive_length(geom: Any) -> float:
    """Geodesic length, one Geod.inv call per segment (metres)."""
    total = 0.0
    for part in getattr(geom, "geoms", [geom]):
        if part.geom_type not in ("LineString", "LinearRing"):
            continue
        coords = list(part.coords)
        for (x1, y1), (x2, y2) in itertools.pairwise(coords):
            _, _, dist = GEOD.inv(x1, y1, x2, y2)
            total += dist
    return total


def naive_measure(lines: list[LineString], situation: Situation) -> list[dict[str, Any]]:
    """Measure corridors the straightforward way: per corridor, per feature, per segment."""
    analysis = situation.manifest.analysis
    areas = []
    for layer_id in analysis.area_layers:
        frame = situation.layer(layer_id).frame
        for name, geom in zip(frame["name"], frame.geometry, strict=True):
            if geom is not None and geom.geom_type in ("Polygon", "MultiPolygon"):
                areas.append((name, geom))
    every = situation.features()
    held = every[every["kind"].isin(analysis.controlled_area_kinds)]
    controlled = shapely.union_all(list(held.geometry))
    control = list(every[every["kind"].isin(analysis.control_line_kinds)].geometry)
    crossing_places = every[every["kind"].isin(analysis.crossing_kinds)]
    sensitive = every[every["kind"].isin(analysis.sensitive_kinds)]
    out = []
    for line in lines:
        length = _naive_length(line)
        start, end = Point(line.coords[0]), Point(line.coords[-1])
        start_in = [name for name, geom in areas if geom.intersects(start)]
        end_in = [name for name, geom in areas if geom.intersects(end)]
        through = []
        for name, geom in areas:
            metres = _naive_length(line.intersection(geom))
            if metres > 0:
                through.append((name, metres))
        inside = _naive_length(line.intersection(controlled))
        crossings = 0
        for ctrl in control:
            contact = line.intersection(ctrl)
            crossings += len(getattr(contact, "geoms", [contact])) if not contact.is_empty else 0
        nearest = None
        for name, geom in zip(crossing_places["name"], crossing_places.geometry, strict=True):
            a, b = nearest_points(line, geom)
            _, _, dist = GEOD.inv(a.x, a.y, b.x, b.y)
            if nearest is None or dist < nearest[1]:
                nearest = (name, dist)
        near_sensitive = []
        for name, geom in zip(sensitive["name"], sensitive.geometry, strict=True):
            a, b = nearest_points(line, geom)
            _, _, dist = GEOD.inv(a.x, a.y, b.x, b.y)
            near_sensitive.append((dist, name))
        out.append(
            {
                "length_m": length,
                "length_in_controlled_m": inside,
                "start_in": start_in,
                "end_in": end_in,
                "through": through,
                "crossings": crossings,
                "nearest": nearest,
                "nearest_sensitive": sorted(near_sensitive)[:3],
            }
        )
    return out


def best_of(runs: int, work: Callable[[], Any]) -> tuple[float, Any]:
    """The shortest wall time (s) of ``runs`` calls, and the last result."""
    best = float("inf")
    result = None
    for _ in range(runs):
        start = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1_000, help="corridors (default 1000)")
    parser.add_argument("--runs", type=int, default=3, help="runs per side, best kept")
    parser.add_argument(
        "--situation",
        default=os.environ.get("SITMAP_SITUATION", str(DEFAULT_SITUATION)),
        help="situation folder",
    )
    args = parser.parse_args()
    situation = load_situation(args.situation)
    lines = random_corridors(situation, args.count)
    cold_start = time.perf_counter()
    corridors.area_index(situation)
    index_s = time.perf_counter() - cold_start
    fast_s, fast = best_of(args.runs, lambda: corridors.measure_many(lines, situation))
    naive_s, naive = best_of(args.runs, lambda: naive_measure(lines, situation))
    lengths = np.array([r.length_m for r in fast])
    length_diff = np.abs(lengths - [n["length_m"] for n in naive]).max()
    inside = np.array([r.length_in_controlled_m for r in fast])
    inside_diff = np.abs(inside - [n["length_in_controlled_m"] for n in naive]).max()
    crossings_differ = sum(
        r.control_line_crossings != n["crossings"] for r, n in zip(fast, naive, strict=True)
    )
    km = lengths / 1000
    print(f"{args.count} corridors, {km.min():.1f}-{km.max():.1f} km (median {np.median(km):.1f})")
    print(f"{'':34}{'seconds':>10}{'per corridor':>16}")
    print(f"{'index build (once per situation)':34}{index_s:>10.3f}")
    for label, seconds in (("sitmap measure_many", fast_s), ("naive loop", naive_s)):
        print(f"{label:34}{seconds:>10.3f}{seconds / args.count * 1e3:>13.3f} ms")
    print(f"ratio naive / sitmap: {naive_s / fast_s:.1f}x (best of {args.runs})")
    print(f"max |length_m difference|: {length_diff:.2e} m")
    print(f"max |length_in_controlled_m difference|: {inside_diff:.2e} m")
    print(f"corridors whose crossing counts differ: {crossings_differ}")


if __name__ == "__main__":
    main()
