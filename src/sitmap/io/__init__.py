"""Reading what people bring and writing what they take away.

Imports (:mod:`.imports`): a layer in any supported format, recognised by content, read in
a bounded, network-less process (:mod:`._sandbox`) within :mod:`.limits`, reprojected to
WGS84. Corridor files for the command line (:mod:`.corridorfile`). Exports of measured
corridors as GeoJSON, KML and GeoPackage (:mod:`.exports`), and of the situation's
layers as shown, with their provenance (:mod:`.layerexports`).
"""

from sitmap.io.corridorfile import CorridorInput, read_corridor_file
from sitmap.io.exports import (
    EXTENSIONS,
    MEDIA_TYPES,
    ExportFormat,
    ExportItem,
    export_bytes,
)
from sitmap.io.formats import ImportFormat
from sitmap.io.imports import ImportedLayer, read_path, read_upload
from sitmap.io.layerexports import layers_bytes, shown_records
from sitmap.io.limits import ImportLimits

__all__ = [
    "EXTENSIONS",
    "MEDIA_TYPES",
    "CorridorInput",
    "ExportFormat",
    "ExportItem",
    "ImportFormat",
    "ImportLimits",
    "ImportedLayer",
    "export_bytes",
    "layers_bytes",
    "read_corridor_file",
    "read_path",
    "read_upload",
    "shown_records",
]
