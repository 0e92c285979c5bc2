"""Every check of a situation or a layer, collecting all problems before refusing.

One place backs ``sitmap validate``, the situation loader, uploads and corridor files:
bytes and JSON (:mod:`._jsonfile`), RFC 7946 structure and coordinates (:mod:`._geometry`),
properties against the pydantic schema (:mod:`.layer`, in bulk by :mod:`._propertycolumns`),
a whole situation folder and its references (:mod:`.folder`).
"""

from sitmap.validation._geometry import inside_extent, invalid_reasons, range_problem
from sitmap.validation._jsonfile import parse_geojson, read_json_bytes
from sitmap.validation.checkedlayer import CheckedLayer
from sitmap.validation.folder import (
    SituationCheck,
    ValidationSummary,
    check_situation,
    load_manifest,
    load_sources,
    validate_path,
)
from sitmap.validation.layer import (
    check_collection,
    check_geojson_file,
    feature_label,
    model_problems,
    pydantic_problems,
)

__all__ = [
    "CheckedLayer",
    "SituationCheck",
    "ValidationSummary",
    "check_collection",
    "check_geojson_file",
    "check_situation",
    "feature_label",
    "inside_extent",
    "invalid_reasons",
    "load_manifest",
    "load_sources",
    "model_problems",
    "parse_geojson",
    "pydantic_problems",
    "range_problem",
    "read_json_bytes",
    "validate_path",
]
