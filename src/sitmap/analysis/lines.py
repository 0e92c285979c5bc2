"""Say why geometries cannot be measured as corridors (WGS84 lon/lat degrees).

:func:`corridor_problems` checks, on arrays, that each geometry is a LineString or
MultiLineString with finite coordinates, inside the situation's extent and with at
least 2 distinct points; messages are built only for the geometries that fail.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry

from sitmap.errors import Problem
from sitmap.schema import Extent
from sitmap.settings import import_limit

__all__ = ["LINE_TYPES", "corridor_problems"]

LINE_TYPES: Final = frozenset({"LineString", "MultiLineString"})


def corridor_problems(
    lines: Sequence[Any] | NDArray[np.object_],
    /,
    *,
    extent: Extent,
    labels: Sequence[str] | None = None,
    file: str = "corridor",
    max_vertices: int | None = None,
) -> list[Problem]:
    """Every reason the given geometries cannot be measured as corridors (empty when none).

    Each must be a LineString or MultiLineString with at least 2 distinct points, finite
    coordinates, and every vertex inside ``extent`` (WGS84 degrees). Checks run on arrays;
    messages are built only for the geometries that fail. A corridor may have at most
    ``max_vertices`` vertices (None: the import limit, ``SITMAP_IMPORT_MAX_VERTICES``), so
    a line sent from a browser costs no more than an imported one.
    """
    if max_vertices is None:
        max_vertices = int(import_limit("max_vertices"))
    arr = np.empty(len(lines), dtype=object)
    arr[:] = list(lines)
    names = [str(i) for i in range(len(arr))] if labels is None else [str(x) for x in labels]
    ok_input = np.asarray(shapely.is_valid_input(arr), dtype=bool)
    geoms = arr.copy()
    geoms[~ok_input] = None
    type_ids = shapely.get_type_id(geoms)
    is_line = np.isin(
        type_ids, [shapely.GeometryType.LINESTRING, shapely.GeometryType.MULTILINESTRING]
    )
    usable = is_line & ~shapely.is_empty(geoms)
    geoms[~usable] = None
    coords, owner = shapely.get_coordinates(geoms, return_index=True)
    finite = np.isfinite(coords).all(axis=1)
    inside = (
        finite
        & (coords[:, 0] >= extent.west)
        & (coords[:, 0] <= extent.east)
        & (coords[:, 1] >= extent.south)
        & (coords[:, 1] <= extent.north)
    )
    n = len(arr)
    bad_finite = np.bincount(owner, weights=~finite, minlength=n) > 0
    outside = np.bincount(owner, weights=~inside, minlength=n) > 0
    first = np.searchsorted(owner, np.arange(n))
    first = np.minimum(first, max(len(coords) - 1, 0))
    if len(coords):
        differs = np.any(coords != coords[first[owner]], axis=1)
        distinct = np.bincount(owner, weights=differs, minlength=n) > 0
    else:
        distinct = np.zeros(n, dtype=bool)
    vertices = np.bincount(owner, minlength=n)
    too_many = vertices > max_vertices
    bad = ~usable | bad_finite | outside | ~distinct | too_many
    problems: list[Problem] = []
    for i in np.flatnonzero(bad):
        if too_many[i]:  # said before anything else: nothing of it is measured
            problem = (
                f"has {int(vertices[i]):,} vertices; the limit is {max_vertices:,} per "
                "corridor (SITMAP_IMPORT_MAX_VERTICES), as for imports"
            )
        else:
            problem = _line_problem(arr[i], coords[owner == i], extent)
        problems.append(Problem(file, names[i], problem))
    return problems


def _line_problem(geom: Any, xy: NDArray[np.float64], extent: Extent) -> str:
    """Say why one geometry is not a measurable corridor (called only for failures)."""
    if geom is None:
        return "no geometry; a corridor is a LineString"
    if not isinstance(geom, BaseGeometry):
        return f"{type(geom).__name__} is not a geometry; a corridor is a LineString"
    if geom.geom_type not in LINE_TYPES:
        return f"not a LineString ({geom.geom_type}); a corridor is a line"
    if geom.is_empty:
        return f"empty {geom.geom_type}; a corridor needs at least 2 distinct points"
    finite = np.isfinite(xy).all(axis=1)
    if not finite.all():
        x, y = (float(v) for v in xy[~finite][0])
        return f"coordinate ({x!r}, {y!r}) is not a finite number"
    out = ~(
        (xy[:, 0] >= extent.west)
        & (xy[:, 0] <= extent.east)
        & (xy[:, 1] >= extent.south)
        & (xy[:, 1] <= extent.north)
    )
    if out.any():
        x, y = xy[out][0]
        box = f"lon {extent.west}..{extent.east}, lat {extent.south}..{extent.north}"
        swapped = xy[:, ::-1]
        if np.all(
            (swapped[:, 0] >= extent.west)
            & (swapped[:, 0] <= extent.east)
            & (swapped[:, 1] >= extent.south)
            & (swapped[:, 1] <= extent.north)
        ):
            return (
                f"corridor leaves the situation extent at lon {x:.6g}, lat {y:.6g}; its "
                "coordinates look like [lat, lon]: GeoJSON order is [lon, lat]"
            )
        return f"corridor leaves the situation extent at lon {x:.6g}, lat {y:.6g} ({box})"
    return "needs at least 2 distinct points (all its points coincide)"
