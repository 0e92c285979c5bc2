"""Pure measures over a situation: geodesy, corridors and their reports, the timeline.

Geodesic lengths and areas on the WGS84 ellipsoid (:mod:`.geodesy`); the index of a
situation's areas, lines and places (:mod:`.areas`); corridors measured, checked and
compared (:mod:`.corridors`, :mod:`.lines`, :mod:`._overlay`) into reports
(:mod:`.reports`); what the situation looked like as of a day (:mod:`.timeline`).
"""

from sitmap.analysis.areas import AreaIndex, NamedArea, area_index
from sitmap.analysis.corridors import CompareBy, ComparisonRow, compare, measure, measure_many
from sitmap.analysis.lines import corridor_problems
from sitmap.analysis.reports import (
    CLI_KEYS,
    AreaLength,
    Assumptions,
    CorridorReport,
    NearestPlace,
    report_rows,
    reports_json,
)

__all__ = [
    "CLI_KEYS",
    "AreaIndex",
    "AreaLength",
    "Assumptions",
    "CompareBy",
    "ComparisonRow",
    "CorridorReport",
    "NamedArea",
    "NearestPlace",
    "area_index",
    "compare",
    "corridor_problems",
    "measure",
    "measure_many",
    "report_rows",
    "reports_json",
]
