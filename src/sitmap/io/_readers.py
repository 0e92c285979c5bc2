"""Read one upload in the reading process: recognise its format, read it, check the result.

The format is recognised by content (:mod:`.formats`) and read by its reader
(:mod:`._geojson`, :mod:`._kml`, :mod:`._zipfiles`, :mod:`._gdal`, :mod:`._csvpoints`);
then every part is reprojected to EPSG:4326 (WGS 84 lon/lat degrees) and checked
(vertices per feature, finite and in-range coordinates, validity, swapped axes) and its
properties cleaned (:mod:`._cleaning`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyproj
import shapely

from sitmap.errors import NO_FEATURE, ImportRefusedError, Problem
from sitmap.io._cleaning import Cleaner, counted, merge_columns
from sitmap.io._csvpoints import read_csv
from sitmap.io._gdal import read_gpkg
from sitmap.io._geojson import read_geojson
from sitmap.io._kml import read_kml, read_xml
from sitmap.io._moreformats import read_flatgeobuf, read_geoparquet
from sitmap.io._readcontext import Part, ReadContext
from sitmap.io._repair import clamp_near_limits, offending_vertex_problem, repair_invalid
from sitmap.io._zipfiles import Archive, read_shapefiles
from sitmap.io.crs import WGS84, crs_label, is_wgs84
from sitmap.io.formats import (
    BINARY_EXTENSIONS,
    DATA_EXTENSIONS,
    FGB_MAGIC,
    OTHER_MAGIC,
    PARQUET_MAGIC,
    SHAPEFILE_PARTS,
    SHP_MAGIC,
    SQLITE_MAGIC,
    SUPPORTED,
    ZIP_MAGIC,
    ImportFormat,
    extension,
    looks_like,
    text_encoding,
)
from sitmap.validation import inside_extent

__all__ = [
    "Reader",
]

_FIX_HINT = " (repair it, e.g. QGIS 'Fix geometries', and upload again)"


class Reader(ReadContext):
    """Reads one upload inside the reading process: recognises, reads, checks, assembles."""

    def read(self, data: bytes, *, name: str, depth: int) -> tuple[ImportFormat, list[Part]]:
        """Recognise the format of ``data`` by content and read it."""
        ext = extension(name)
        if not data:
            self.fail("file is empty (0 bytes)")
        if data.startswith(ZIP_MAGIC):
            if depth:
                self.fail(f"{name!r} inside the zip is itself a zip; unzip it first")
            return self.read_zip(data, ext=ext)
        if (binary := self.read_binary(data)) is not None:
            return binary
        if data.startswith(SHP_MAGIC) or ext in SHAPEFILE_PARTS:
            self.fail(
                "a Shapefile part on its own; zip the .shp, .shx, .dbf and .prj files "
                "together and upload the zip"
            )
        for magic, what in OTHER_MAGIC:
            if data.startswith(magic):
                self.fail(f"is {what}, not a map layer; {SUPPORTED}")
        encoding, bom = text_encoding(data)
        head = data[len(bom) : len(bom) + 4096].decode(encoding or "utf-8", errors="ignore")
        head = head.lstrip()
        looks_json = head.startswith(("{", "["))
        looks_xml = head.startswith("<")
        if ext in BINARY_EXTENSIONS and not (looks_json or looks_xml):
            self.fail(
                f"named {ext} but is not {BINARY_EXTENSIONS[ext]}: {looks_like(data, encoding)}"
            )
        if encoding is None:
            self.fail(f"{looks_like(data, encoding)}; {SUPPORTED}")
        if encoding != "utf-8":
            unmarked = "" if bom else " without a byte-order mark"
            self.note(f"text was {encoding.upper()}{unmarked}; converted to UTF-8")
        if ext in BINARY_EXTENSIONS:
            kind = "GeoJSON" if looks_json else "XML"
            self.note(f"named {ext} but holds {kind} text; read as such")
        if looks_xml or ext in (".kml", ".gpx"):
            return read_xml(self, data)
        if looks_json or ext in (".geojson", ".json"):
            return ImportFormat.GEOJSON, [read_geojson(self, self.utf8(data, encoding, bom))]
        return ImportFormat.CSV, [read_csv(self, self.text(data, encoding, bom))]

    def read_binary(self, data: bytes) -> tuple[ImportFormat, list[Part]] | None:
        """GeoPackage, FlatGeobuf or GeoParquet by their magic numbers; None: none of them."""
        if data.startswith(SQLITE_MAGIC):
            return ImportFormat.GEOPACKAGE, read_gpkg(self, data)
        if data.startswith(FGB_MAGIC):
            return ImportFormat.FLATGEOBUF, read_flatgeobuf(self, data)
        if data.startswith(PARQUET_MAGIC):
            return ImportFormat.GEOPARQUET, read_geoparquet(self, data)
        return None

    def utf8(self, data: bytes, encoding: str, bom: bytes) -> bytes:
        """UTF-8 bytes of text in another Unicode encoding (noted); UTF-8 passes through."""
        if encoding == "utf-8":
            return data
        return self.text(data, encoding, bom).encode("utf-8")

    def text(self, data: bytes, encoding: str, bom: bytes) -> str:
        """Decode text, refusing undecodable bytes with their offset."""
        try:
            text = data[len(bom) :].decode(encoding)
        except UnicodeDecodeError as err:
            offset = err.start + len(bom)
            self.fail(
                f"not {encoding.upper()} text (byte 0x{data[offset]:02x} at offset {offset}); "
                "save the file as UTF-8"
            )
        return text

    def read_zip(self, data: bytes, *, ext: str) -> tuple[ImportFormat, list[Part]]:
        """A zip archive, checked entry by entry before anything is unpacked."""
        archive = Archive.open(self, data)
        entries = archive.entries
        kml = [i for i in entries if extension(i.filename) == ".kml"]
        shp = [i for i in entries if extension(i.filename) == ".shp"]
        if kml and (ext == ".kmz" or not shp):
            chosen = next((i for i in kml if i.filename.lower() == "doc.kml"), kml[0])
            if len(kml) > 1:
                self.note(f"KMZ holds {len(kml)} KML files; read {chosen.filename!r} only")
            return ImportFormat.KMZ, read_kml(self, archive.unzip(chosen))
        if ext == ".kmz":
            self.fail("named .kmz but the archive holds no .kml file")
        if shp:
            return ImportFormat.SHAPEFILE_ZIP, read_shapefiles(archive, shp)
        data_entries = [i for i in entries if extension(i.filename) in DATA_EXTENSIONS]
        if len(data_entries) == 1:
            entry = data_entries[0]
            self.note(f"read {entry.filename!r} from the zip archive")
            return self.read(archive.unzip(entry), name=entry.filename, depth=1)
        held = ", ".join(repr(i.filename) for i in entries[:8]) or "nothing"
        more = f" (+{len(entries) - 8} more)" if len(entries) > 8 else ""
        return self.fail(
            f"a zip archive with no Shapefile (.shp) or KML (.kml) inside; it holds {held}{more}"
        )

    def assemble(self, fmt: ImportFormat, parts: list[Part]) -> dict[str, Any]:
        """Reproject, check and clean every part; the answer for the parent (geometries as is)."""
        problems = [problem for part in parts for problem in self.to_wgs84(part)]
        if problems:
            raise ImportRefusedError(problems)
        problems = [problem for part in parts for problem in self.geometry_problems(part)]
        if problems:
            raise ImportRefusedError(problems)
        geoms = np.concatenate([p.geoms for p in parts]) if parts else np.empty(0, dtype=object)
        self.check_swap(geoms)
        located = ~shapely.is_missing(geoms)
        if any(p.source_crs is None and not p.checked for p in parts) and located.any():
            self.note(
                "no CRS declared; coordinates are longitude/latitude degrees: read as EPSG:4326"
            )
        if missing := int((~located).sum()):
            self.note(
                f"{counted(missing, 'feature')} without geometry (null or empty): kept as "
                "attribute-only rows, not drawn"
            )
        columns = merge_columns(parts)
        if len(columns) > self.limits.max_fields:
            self.fail(self.too_many_fields(len(columns)))
        return {
            "format": fmt.value,
            "source_crs": "; ".join(dict.fromkeys(p.source_crs for p in parts if p.source_crs))
            or None,
            "reprojected": any(p.reprojected for p in parts),
            "columns": list(Cleaner(self).columns(columns).items()),
            "geoms": geoms,
            "notes": self.notes,
        }

    def to_wgs84(self, part: Part) -> list[Problem]:
        """Reproject a part from its declared CRS; empty geometries become None; Z dropped."""
        if not len(part.geoms):
            return []
        if not part.checked:
            part.geoms[shapely.is_empty(part.geoms)] = None
            if shapely.has_z(part.geoms).any():
                z = shapely.get_coordinates(part.geoms, include_z=True)[:, 2]
                if np.any(np.nan_to_num(z) != 0):
                    self.note("Z (height) values dropped")
            part.geoms = shapely.force_2d(part.geoms)
        if part.crs is None:
            return []
        part.source_crs = crs_label(part.crs)
        if is_wgs84(part.crs):
            return []
        try:
            transformer = pyproj.Transformer.from_crs(part.crs, WGS84, always_xy=True)
        except pyproj.exceptions.ProjError as err:
            problem = (
                f"declares the CRS {part.source_crs}, which cannot be converted to EPSG:4326 "
                f"({err})"
            )
            return [Problem(self.file, NO_FEATURE, problem)]

        def project(xy: np.ndarray) -> np.ndarray:
            return np.column_stack(transformer.transform(xy[:, 0], xy[:, 1], errcheck=False))

        part.geoms = shapely.transform(part.geoms, project)
        part.reprojected = True
        self.note(f"reprojected from {part.source_crs} to EPSG:4326")
        return []

    def geometry_problems(self, part: Part) -> list[Problem]:
        """Vertices per feature; finite, in-range coordinates and validity (validation's checks)."""
        geoms = part.geoms
        present = np.flatnonzero(~shapely.is_missing(geoms))
        if not len(present):
            return []
        problems: dict[int, str] = {}
        counts = shapely.get_num_coordinates(geoms[present])
        over = counts > self.limits.max_vertices
        for index, count in zip(present[over], counts[over], strict=True):
            problems[int(index)] = (
                f"has {int(count):,} vertices; the limit is {self.limits.max_vertices:,} per "
                "feature (SITMAP_IMPORT_MAX_VERTICES): simplify it"
            )
        if part.checked:
            return self.as_problems(part, problems)
        clamp_near_limits(geoms, part.labels, self.note)
        coords, owner = shapely.get_coordinates(geoms[present], return_index=True)
        owner = present[owner]
        finite = np.isfinite(coords).all(axis=1)
        bad_number = (
            "could not be reprojected to EPSG:4326 (outside the area its CRS covers?)"
            if part.reprojected
            else "has a coordinate that is not a finite number (NaN or infinity)"
        )
        for index in np.unique(owner[~finite]):
            problems.setdefault(int(index), bad_number)
        good = coords[finite]
        if not part.reprojected and len(good) and np.abs(good).max() > 360:
            x, y = good[np.abs(good).max(axis=1) > 360][0]
            problem = f"coordinates look projected (e.g. {x:.0f}, {y:.0f})"
            if part.source_crs is None:
                problem += f" and the file declares no CRS; {part.projected_hint}"
            else:
                problem += (
                    f", yet the file declares {part.source_crs}, in degrees; export the layer "
                    "again with its real CRS"
                )
            return [Problem(self.file, NO_FEATURE, problem)]
        out_of_range = finite & ((np.abs(coords[:, 0]) > 180) | (np.abs(coords[:, 1]) > 90))
        for index in np.unique(owner[out_of_range]):
            xy = coords[(owner == index) & finite]
            if found := offending_vertex_problem(xy):
                problems.setdefault(int(index), found)
        rest = [int(i) for i in present if int(i) not in problems]
        for index, problem in repair_invalid(geoms, part.labels, rest, self.note).items():
            problems[index] = problem + _FIX_HINT
        return self.as_problems(part, problems)

    def as_problems(self, part: Part, problems: dict[int, str]) -> list[Problem]:
        return [Problem(self.file, part.labels[i], problems[i]) for i in sorted(problems)]

    def check_swap(self, geoms: np.ndarray) -> None:
        """Refuse a layer that lies outside the situation but would fall in it swapped."""
        if self.extent is None or not len(geoms):
            return
        xy = shapely.get_coordinates(geoms[~shapely.is_missing(geoms)])
        if (
            not len(xy)
            or inside_extent(xy, self.extent)
            or not inside_extent(xy[:, ::-1], self.extent)
        ):
            return
        self.fail(
            f"longitude and latitude look swapped: every coordinate (e.g. {xy[0, 0]:.6g}, "
            f"{xy[0, 1]:.6g}) lies outside the situation, and all fall inside it when swapped; "
            "the file has them the wrong way round"
        )
