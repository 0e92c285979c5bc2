"""One bad input per check: the message names the file, the feature and the problem."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitmap.errors import ValidationError
from sitmap.situation import validate_path
from tests.conftest import collection, point_feature


def problems_of(path: Path) -> list[str]:
    with pytest.raises(ValidationError) as info:
        validate_path(path)
    return [str(p) for p in info.value.problems]


def only_problem(path: Path, *, feature: str, match: str) -> str:
    lines = problems_of(path)
    hits = [line for line in lines if line.startswith(f"{path}: {feature}: ")]
    assert hits, f"no problem for feature {feature!r} in {lines}"
    assert any(re.search(match, h) for h in hits), hits
    return hits[0]


@pytest.mark.parametrize(
    ("content", "match"),
    [
        (b"", "file is empty"),
        (b"  \n ", "only whitespace"),
        (b"not json at all", r"not valid JSON: Expecting value \(line 1, column 1\)"),
        (b'{"type": "FeatureCollection", "features": [', "ends too early.*truncated"),
        ('{"type": "FeatureCollection"}'.encode("utf-16"), "UTF-16 or UTF-32.*must be UTF-8"),
        (b'{"type": "FeatureCollection", "features": [], "x": "caf\xe9"}', r"not UTF-8.*0xe9"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b'["a", "b"]', "top level must be a GeoJSON object, not list"),
        (b'{"type": "Feature"}', "top level must be a FeatureCollection, not 'Feature'"),
        (b'{"type": "FeatureCollection", "features": {}}', "needs a 'features' array"),
    ],
)
def test_file_level_problems_name_the_file(write_layer, content: bytes, match: str) -> None:
    path = write_layer("places.geojson", content)
    only_problem(path, feature="-", match=match)


def test_oversized_file_is_refused_before_reading(write_layer, monkeypatch) -> None:
    path = write_layer("places.geojson", collection(*[point_feature(f"p{i}") for i in range(50)]))
    monkeypatch.setenv("SITMAP_MAX_LAYER_MB", "0.001")
    only_problem(
        path, feature="-", match=r"file is 0\.0 MB, over the 0 MB limit.*SITMAP_MAX_LAYER_MB"
    )


def test_legacy_crs_member_is_named(write_layer) -> None:
    doc = collection(point_feature("p1"))
    doc["crs"] = {"type": "name", "properties": {"name": "EPSG:4326"}}
    path = write_layer("places.geojson", doc)
    only_problem(path, feature="-", match="legacy 'crs' member")


GEOMETRY_CASES = [
    ({"type": "Blob", "coordinates": [1, 2]}, "unknown geometry type 'Blob'"),
    ({"type": "Point", "coordinates": [34.2]}, r"nested 0 levels above \[lon, lat\]"),
    ({"type": "Point", "coordinates": [34.2, "31.3"]}, "coordinate '31.3' is not a number"),
    ({"type": "Point", "coordinates": [34.2, float("nan")]}, "not a finite number"),
    ({"type": "LineString", "coordinates": [[34.2, 31.3]]}, "at least 2 positions"),
    ({"type": "LineString", "coordinates": []}, "empty LineString"),
    (
        {
            "type": "Polygon",
            "coordinates": [[[34.2, 31.3], [34.3, 31.3], [34.3, 31.2], [34.2, 31.25]]],
        },
        "ring is not closed",
    ),
    (
        {"type": "Polygon", "coordinates": [[[34.2, 31.3], [34.3, 31.3], [34.2, 31.3]]]},
        "at least 4",
    ),
    (
        {
            "type": "Polygon",
            "coordinates": [
                [[34.20, 31.20], [34.30, 31.30], [34.30, 31.20], [34.20, 31.30], [34.20, 31.20]]
            ],
        },
        r"self-intersection near lon 34\.25, lat 31\.25",
    ),
    ({"type": "Point", "coordinates": [3812345.0, 3467891.0]}, "look projected.*EPSG:4326"),
    ({"type": "Point", "coordinates": [31.28, 34.25]}, r"look like \[lat, lon\]: swapped"),
    ({"type": "Point", "coordinates": [2.35, 48.85]}, "outside the situation extent"),
    ({"type": "Point", "coordinates": [34.25, 131.28]}, "latitude out of range.*lat, lon"),
    ("POINT (1 2)", "geometry must be an object or null, not str"),
]


@pytest.mark.parametrize(("geometry", "match"), GEOMETRY_CASES)
def test_geometry_problems_name_the_feature(write_layer, geometry, match: str) -> None:
    feature = point_feature("bad_place")
    feature["geometry"] = geometry
    path = write_layer("places.geojson", collection(point_feature("good_place"), feature))
    only_problem(path, feature="bad_place", match=match)
    assert not [p for p in problems_of(path) if ": good_place: " in p]


PROPERTY_CASES = [
    ({"as_of": "2025-02-30"}, r"'2025-02-30' is not a real ISO date"),
    ({"as_of": 20251110}, "expected an ISO date as text"),
    ({"accuracy_m": -5}, "property 'accuracy_m': Input should be greater than or equal to 0"),
    ({"accuracy_m": 12.5}, "property 'accuracy_m': Input should be a valid integer"),
    ({"approximate": "yes"}, "property 'approximate': Input should be a valid boolean"),
    ({"name": ...}, "missing required property 'name'"),
    ({"source": []}, "must name at least one source id"),
    ({"source": ["no_such_source"]}, r"unknown source id 'no_such_source' \(not in sources.toml\)"),
    ({"approximate": True}, "approximate geometry needs a description"),
    ({"valid_from": "2025-11-10", "valid_to": "2025-11-01"}, "valid_from 2025-11-10 is after"),
    (
        {
            "claims": [
                {"about": "x", "says": "y", "source": "wikipedia_rafah", "date": "2025-11-10"}
            ]
        },
        "missing required property 'claims.0.by'",
    ),
    (
        {
            "claims": [
                {"about": "x", "by": "z", "says": "y", "source": "nope", "date": "2025-11-10"}
            ]
        },
        "unknown source id 'nope'",
    ),
    ({"claims": "civilians"}, "property 'claims': Input should be a valid list"),
    ({"note": float("inf")}, "property 'note' holds inf, which is not a JSON number"),
]


@pytest.mark.parametrize(("override", "match"), PROPERTY_CASES)
def test_property_problems_name_the_feature(write_layer, override, match: str) -> None:
    path = write_layer("places.geojson", collection(point_feature("bad_place", **override)))
    only_problem(path, feature="bad_place", match=match)


def test_feature_without_id_is_named_by_index(write_layer) -> None:
    feature = point_feature("x")
    del feature["properties"]["id"]
    path = write_layer("places.geojson", collection(point_feature("a"), feature))
    only_problem(path, feature="#1", match="missing required property 'id'")


def test_duplicate_ids_across_files_are_named(situation_copy, write_layer) -> None:
    path = write_layer("places.geojson", collection(point_feature("jenina")))
    lines = problems_of(situation_copy)
    assert any(
        line.startswith(f"{path}: jenina: duplicate id 'jenina' (also in ") for line in lines
    ), lines


def test_events_need_time_precision_and_a_zone(situation_copy) -> None:
    path = situation_copy / "events.geojson"
    doc = json.loads(path.read_text())
    first, second = doc["features"][0], doc["features"][1]
    first["properties"]["time_precision"] = "hour"
    second["properties"]["time"] = "2025-11-10T10:00:00"
    path.write_text(json.dumps(doc))
    lines = problems_of(situation_copy)
    first_id, second_id = first["properties"]["id"], second["properties"]["id"]
    assert any(f": {first_id}: property 'time_precision'" in x and "'day'" in x for x in lines)
    assert any(f": {second_id}: property 'time'" in x and "no time zone" in x for x in lines)


def test_located_event_needs_accuracy(situation_copy) -> None:
    path = situation_copy / "events.geojson"
    doc = json.loads(path.read_text())
    located = next(f for f in doc["features"] if f["geometry"])
    del located["properties"]["accuracy_m"]
    path.write_text(json.dumps(doc))
    only = [x for x in problems_of(situation_copy) if located["properties"]["id"] in x]
    assert only == [
        f"{path}: {located['properties']['id']}: missing required property "
        "'accuracy_m' (the event has a place)"
    ]


def test_corridor_status_must_be_known(situation_copy) -> None:
    path = situation_copy / "corridors.geojson"
    doc = json.loads(path.read_text())
    doc["features"][0]["properties"]["status"] = "imposed"
    path.write_text(json.dumps(doc))
    ident = doc["features"][0]["properties"]["id"]
    assert any(
        x.startswith(f"{path}: {ident}: property 'status'") and "'discussed'" in x
        for x in problems_of(situation_copy)
    )


def test_all_problems_are_reported_together(write_layer) -> None:
    bad = [point_feature(f"b{i}", accuracy_m=-1) for i in range(5)]
    path = write_layer("places.geojson", collection(*bad))
    assert len(problems_of(path)) == 5


def test_manifest_problems_name_situation_toml(situation_copy) -> None:
    manifest = situation_copy / "situation.toml"
    manifest.write_text(
        manifest.read_text().replace('file = "places.geojson"', 'file = "gone.geojson"')
    )
    (situation_copy / "sources.toml").write_text("[[sources]]\nid = 'x'\n")
    lines = problems_of(situation_copy)
    assert f"{manifest}: places: layer 'places': file 'gone.geojson' does not exist" in lines
    assert any(
        x.startswith(f"{situation_copy / 'sources.toml'}: x: missing required property 'publisher'")
        for x in lines
    )


def test_broken_toml_is_named(situation_copy) -> None:
    (situation_copy / "situation.toml").write_text("title = [unclosed\n")
    lines = problems_of(situation_copy)
    assert any("situation.toml: -: not valid TOML" in x for x in lines), lines


def test_control_characters_never_break_lines(write_layer) -> None:
    path = write_layer("places.geojson", collection(point_feature("a\nb", accuracy_m=-1)))
    lines = problems_of(path)
    assert all("\n" not in x for x in lines)


def test_the_real_situation_validates(situation_copy) -> None:
    summary = validate_path(situation_copy)
    assert str(summary).startswith("ok: ")
    assert summary.layers == 7
    assert summary.features >= 40


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                ["type", "features", "geometry", "properties", "coordinates", "id", "crs"]
            )
            | st.text(max_size=5),
            children,
            max_size=5,
        )
    ),
    max_leaves=30,
)


@settings(
    max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None
)
@given(doc=json_values)
def test_arbitrary_json_never_raises_anything_but_validation(tmp_path_factory, doc) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "any.geojson"
    path.write_text(json.dumps(doc, allow_nan=True))
    try:
        validate_path(path)
    except ValidationError as err:
        assert err.problems
        assert all(str(p).startswith(f"{path}: ") for p in err.problems)


@settings(max_examples=200, deadline=None)
@given(
    features=st.lists(
        st.fixed_dictionaries(
            {
                "type": st.just("Feature"),
                "properties": st.dictionaries(st.text(max_size=6), json_values, max_size=4),
                "geometry": st.one_of(
                    st.none(),
                    st.fixed_dictionaries(
                        {
                            "type": st.sampled_from(
                                [
                                    "Point",
                                    "LineString",
                                    "Polygon",
                                    "MultiPolygon",
                                    "GeometryCollection",
                                ]
                            ),
                            "coordinates": json_values,
                        }
                    ),
                ),
            }
        ),
        max_size=5,
    )
)
def test_arbitrary_features_never_raise(features) -> None:
    from sitmap.schema import LayerKind
    from sitmap.validation import check_collection

    for kind in (None, *LayerKind):
        check_collection(collection(*features), file="f.geojson", kind=kind, extent=None)
