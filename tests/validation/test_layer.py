"""One bad input per check: the message names the file, the feature and the problem."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitmap.errors import ValidationError
from sitmap.validation import validate_path
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


@pytest.mark.parametrize(
    ("about", "match"),
    [
        ("no_such_feature", "about 'no_such_feature': no feature of this situation has that id"),
        ("jenina_per_wafa_reuters", "about 'jenina_per_wafa_reuters': that is itself a version"),
    ],
)
def test_a_rival_version_must_be_about_a_feature_of_the_situation(
    situation_copy, about: str, match: str
) -> None:
    path = situation_copy / "versions_wikipedia.geojson"
    doc = json.loads(path.read_text())
    version = doc["features"][0]["properties"]
    version["about"] = about
    path.write_text(json.dumps(doc))
    assert f"{path}: {version['id']}: {match}" in problems_of(situation_copy)


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
    assert summary.layers == 10  # the historic 2024 zone and two rival versions (issue 12)
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


# --- The bulk and streaming fast paths give exactly what the per-feature path gives ------

_ODD_VALUES = [
    None,
    True,
    False,
    0,
    5,
    -1,
    2**63,
    1.5,
    float("nan"),
    "",
    " ",
    "ok",
    " padded ",
    " lead",
    "trail\n",
    "\x1cx",
    "x\u00a0",
    "\ud800",
    "Ω μέγα",
    "x" * 2_000,
    "x" * 2_001,
    "abc_1.2:3",
    "-abc",
    "day",
    "Day",
    "month",
    "proposed",
    "2025-11-10",
    "2025-13-01",
    "20251110",
    "2025-11-10T21:00:00Z",
    "2025-11-10T21:00:00",
    "2025-11-10T21:00:00+02:00",
    "2025-11-10T21:00:00.123456789Z",
    "2025-11-10 21:00:00Z",
    [],
    ["wikipedia_rafah"],
    ["wikipedia_rafah", "no_such_source"],
    ["Israeli army", " "],
    "wikipedia_rafah",
    [1],
    {"a": 1},
    [[]],
]
_FIELDS = [
    "id",
    "name",
    "kind",
    "source",
    "as_of",
    "accuracy_m",
    "approximate",
    "description",
    "name_ar",
    "name_he",
    "valid_from",
    "valid_to",
    "claims",
    "title",
    "time",
    "time_precision",
    "dating",
    "actors",
    "proposed_by",
    "status",
    "destination",
    "mode",
    "illustrative",
]
_GOOD_EVENT = {
    "id": "ev1",
    "title": "An event",
    "kind": "strike",
    "time": "2025-11-10T21:00:00Z",
    "time_precision": "day",
    "dating": "Reported the same day.",
    "actors": ["Israeli army"],
    "source": ["wikipedia_rafah"],
    "as_of": "2025-11-10",
    "accuracy_m": 100,
    "approximate": False,
}
_GOOD_PLACE = point_feature()["properties"]
_GOOD_CORRIDOR = {
    **_GOOD_PLACE,
    "proposed_by": "Mediators",
    "status": "discussed",
    "destination": "Egypt",
    "mode": "on foot",
    "illustrative": True,
}
_GEOMETRIES = [
    None,
    ...,
    {"type": "Point", "coordinates": [34.25, 31.28]},
    {"type": "Point", "coordinates": [34, 31]},
    {"type": "Point", "coordinates": [34.25, 31.28, 5.0]},
    {"type": "Point", "coordinates": [31.28, 34.25]},
    {"type": "Point", "coordinates": [3_000_000.0, 31.28]},
    {"type": "Point", "coordinates": [True, 31.28]},
    {"type": "Point", "coordinates": [10**400, 31.28]},
    {"type": "LineString", "coordinates": [[34.25, 31.28], [34.26, 31.29]]},
]


def _props(base: dict, changes: dict) -> dict:
    props = dict(base)
    for key, value in changes.items():
        if value is ...:
            props.pop(key, None)
        else:
            props[key] = value
    return props


_feature_strategy = st.builds(
    lambda base, changes, geometry: {
        "type": "Feature",
        "properties": _props(base, changes),
        **({} if geometry is ... else {"geometry": geometry}),
    },
    base=st.sampled_from([_GOOD_EVENT, _GOOD_PLACE, _GOOD_CORRIDOR]),
    changes=st.dictionaries(
        st.sampled_from([*_FIELDS, "extra", "_private", "model_x", "bad key"]),
        st.sampled_from([..., *_ODD_VALUES]),
        max_size=3,
    ),
    geometry=st.sampled_from(_GEOMETRIES),
)


def _same(a, b) -> bool:
    """Equal, NaN equal to NaN, and of the same type (True is not 1)."""
    if isinstance(a, float) and isinstance(b, float) and a != a and b != b:
        return True
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


def _summary(layer) -> tuple:
    indices, columns = layer.valid_columns()
    shapes = {k: (None if v is None else v.wkb) for k, v in layer.shapes.items()}
    return (
        [str(p) for p in layer.problems],
        layer.labels,
        indices,
        columns,
        shapes,
        layer.geometry_types,
        layer.has_z,
    )


def _per_feature_only(monkeypatch) -> None:
    from sitmap.validation import _propertycolumns as bulkcheck
    from sitmap.validation import layer as validation

    monkeypatch.setattr(bulkcheck, "_specs", lambda model: None)
    monkeypatch.setattr(bulkcheck, "_flat", lambda props: False)
    # validation's own name: where the per-feature checks look it up
    monkeypatch.setattr(validation, "plain_points", lambda features, extent: ([], None))


def _compare_paths(features: list) -> None:
    """Every layer kind: the checks with their bulk paths and without them agree."""
    from sitmap.schema import Extent, LayerKind
    from sitmap.validation import check_collection

    extent = Extent(west=34.1, south=31.15, east=34.6, north=31.65)
    kinds = (None, *LayerKind)

    def run() -> dict:
        return {
            kind: _summary(
                check_collection(collection(*features), file="f", kind=kind, extent=extent)
            )
            for kind in kinds
        }

    with pytest.MonkeyPatch.context() as patch:
        fast = run()
        _per_feature_only(patch)
        reference = run()
    for kind in kinds:
        got, want = fast[kind], reference[kind]
        assert got[:3] == want[:3], kind
        assert got[3].keys() == want[3].keys(), kind
        for name in want[3]:
            assert _same(got[3][name], want[3][name]), (kind, name)
        assert got[4:] == want[4:], kind


def test_every_single_odd_value_gives_what_the_per_feature_checks_give() -> None:
    features = [
        {
            "type": "Feature",
            "properties": _props(base, {name: value}),
            "geometry": geometry,
        }
        for base in (_GOOD_EVENT, _GOOD_PLACE, _GOOD_CORRIDOR)
        for name in [*_FIELDS, "extra", "_private", "model_x", "bad key"]
        for value in [..., *_ODD_VALUES]
        for geometry in (None, {"type": "Point", "coordinates": [34.25, 31.28]})
    ]
    _compare_paths(features)


@settings(max_examples=300, deadline=None)
@given(features=st.lists(_feature_strategy, max_size=8))
def test_bulk_checks_give_what_the_per_feature_checks_give(features) -> None:
    _compare_paths(features)


def test_bulk_checks_are_used_for_plain_events() -> None:
    from sitmap.schema import LayerKind
    from sitmap.validation import check_collection

    features = [
        {
            "type": "Feature",
            "properties": {**_GOOD_EVENT, "id": f"ev{i}"},
            "geometry": {"type": "Point", "coordinates": [34.25, 31.28]},
        }
        for i in range(50)
    ]
    layer = check_collection(collection(*features), file="f", kind=LayerKind.EVENTS, extent=None)
    assert layer.problems == []
    assert layer.models == {}  # no per-feature model was built
    assert sum(len(rows.rows) for rows in layer.bulk) == 50
    assert layer.props[7].id == "ev7"  # built on demand, same as before


_TEXTS = [
    '{"type": "FeatureCollection", "features": []}',
    '  {"features": [], "type": "FeatureCollection"}  \n',
    '\ufeff{"type": "FeatureCollection", "features": [ ] }',
    '{"type": "FeatureCollection", "features": [FEATURE , FEATURE]}',
    '{"features": [FEATURE,FEATURE], "type": "FeatureCollection", "crs": {}}',
    '{"type": "Feature", "features": [FEATURE]}',
    '{"type": "FeatureCollection", "features": [FEATURE], "features": []}',
    '{"type": "FeatureCollection", "features": {"a": 1}}',
    '{"type": "FeatureCollection"}',
    '{"type": "FeatureCollection", "features": [FEATURE,]}',
    '{"type": "FeatureCollection", "features": [FEATURE] } extra',
    '{"type": "FeatureCollection", "features": [FEATURE, NaN]}',
    '{"type": "FeatureCollection", "features": [FEATURE, {"type": "Feature", "x": [}]}',
    '{"type": "FeatureCollection", "features": [FEATURE',
    "[FEATURE]",
    "{}",
    '{"type" "FeatureCollection"}',
]


@pytest.mark.parametrize("chunk", [7, 64, 1 << 22])
@pytest.mark.parametrize("template", _TEXTS)
def test_a_file_read_in_chunks_gives_what_the_whole_document_gives(
    tmp_path, monkeypatch, template: str, chunk: int
) -> None:
    from sitmap.validation import _jsonfile as geojsonfiles
    from sitmap.validation import layer as validation

    monkeypatch.setattr(geojsonfiles, "_CHUNK_BYTES", chunk)
    monkeypatch.setattr(validation, "_BATCH", 2)
    feature = json.dumps(
        {
            "type": "Feature",
            "properties": {**_GOOD_EVENT, "title": "Ωμέγα \u0627\u0644 12.5", "accuracy_m": 12345},
            "geometry": {"type": "Point", "coordinates": [34.25, 31.28]},
        },
        ensure_ascii=False,
    )
    path = tmp_path / "events.geojson"
    path.write_text(template.replace("FEATURE", feature), encoding="utf-8")
    _same_as_whole_document(path)


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b" \n ",
        '{"type": "FeatureCollection", "features": []}'.encode("utf-16"),
        b'{"type": "FeatureCollection", "features": [], "x": "caf\xe9"}',
        b"[" * 100_000 + b"]" * 100_000,
        b'{"type": "FeatureCollection", "features": [' + b"[" * 100_000 + b"]" * 100_000 + b"]}",
        b'{"type": "FeatureCollection", "features": [1' + b"0" * 5_000 + b"]}",
    ],
)
def test_unreadable_files_give_the_same_messages(tmp_path, monkeypatch, content: bytes) -> None:
    from sitmap.validation import _jsonfile as geojsonfiles

    monkeypatch.setattr(geojsonfiles, "_CHUNK_BYTES", 16)
    path = tmp_path / "events.geojson"
    path.write_bytes(content)
    _same_as_whole_document(path)


def test_a_file_over_the_limit_gives_the_same_message(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SITMAP_MAX_LAYER_MB", "0.00001")
    path = tmp_path / "events.geojson"
    path.write_text(json.dumps(collection(point_feature())), encoding="utf-8")
    _same_as_whole_document(path)
    _same_as_whole_document(tmp_path / "missing.geojson")
    _same_as_whole_document(tmp_path)


def _same_as_whole_document(path: Path) -> None:
    from sitmap.schema import LayerKind
    from sitmap.validation import (
        check_collection,
        check_geojson_file,
        parse_geojson,
        read_json_bytes,
    )

    def outcome(work):
        try:
            return _summary(work())
        except ValidationError as err:
            return [str(p) for p in err.problems]

    for kind in (None, LayerKind.EVENTS):
        whole = outcome(
            lambda kind=kind: check_collection(
                parse_geojson(read_json_bytes(path, file="f"), file="f"),
                file="f",
                kind=kind,
                extent=None,
            )
        )
        streamed = outcome(
            lambda kind=kind: check_geojson_file(path, file="f", kind=kind, extent=None)
        )
        assert streamed == whole


def test_batches_cover_every_feature(tmp_path, monkeypatch) -> None:
    from sitmap.schema import LayerKind
    from sitmap.validation import layer as validation

    monkeypatch.setattr(validation, "_BATCH", 3)
    features = [
        {
            "type": "Feature",
            "properties": {**_GOOD_EVENT, "id": f"ev{i}", **({"title": " "} if i == 7 else {})},
            "geometry": {"type": "Point", "coordinates": [34.25, 31.28]},
        }
        for i in range(10)
    ]
    path = tmp_path / "events.geojson"
    path.write_text(json.dumps(collection(*features)), encoding="utf-8")
    layer = validation.check_geojson_file(path, file="f", kind=LayerKind.EVENTS, extent=None)
    assert layer.labels == [f"ev{i}" for i in range(10)]
    assert [p.feature for p in layer.problems] == ["ev7"]
    assert layer.valid_indices() == [i for i in range(10) if i != 7]
    assert sorted(layer.shapes) == list(range(10))


def _frame_as_before(path: Path, layer) -> object:
    """A layer frame the way the loader made it before the bulk paths: a pyogrio read whose
    schema columns are replaced by each feature's validated model_dump()."""
    import pandas as pd
    import pyogrio

    frame = pyogrio.read_dataframe(path)
    props = [p for p in layer.props if p is not None]
    dumped = pd.DataFrame.from_records([p.model_dump() for p in props], index=frame.index)
    for column in dumped.columns:
        frame[column] = dumped[column]
    return frame


def _assert_same_frame(got, want) -> None:
    import pandas as pd

    assert list(got.columns) == list(want.columns)
    assert dict(got.dtypes) == dict(want.dtypes)
    pd.testing.assert_frame_equal(
        pd.DataFrame(got.drop(columns="geometry")), pd.DataFrame(want.drop(columns="geometry"))
    )
    assert all(
        (a is None and b is None) or a.equals_exact(b, 0)
        for a, b in zip(got.geometry, want.geometry, strict=True)
    )
    assert got.crs == want.crs


def test_loaded_frames_are_what_a_pyogrio_read_gave(situation_copy) -> None:
    from sitmap.situation import load_situation
    from sitmap.validation import check_situation

    # an extra property on some features, a feature with claims, both geometry paths
    path = situation_copy / "events.geojson"
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["features"][3]["properties"]["casualties_reported"] = 4
    doc["features"][-1]["properties"]["claims"] = [
        {
            "about": "who",
            "by": "someone",
            "says": "something",
            "source": doc["features"][-1]["properties"]["source"][0],
            "date": "2025-11-01",
        }
    ]
    path.write_text(json.dumps(doc), encoding="utf-8")
    situation = load_situation(situation_copy)
    check = check_situation(situation_copy)
    for layer_id, layer in situation.layers.items():
        expected = _frame_as_before(layer.path, check.layers[layer_id])
        _assert_same_frame(layer.frame, expected)


def test_a_layer_with_heights_keeps_them(situation_copy) -> None:
    from sitmap.situation import load_situation

    path = situation_copy / "places.geojson"
    doc = json.loads(path.read_text(encoding="utf-8"))
    point = next(f for f in doc["features"] if f["geometry"]["type"] == "Point")
    point["geometry"]["coordinates"] = [*point["geometry"]["coordinates"][:2], 12.5]
    path.write_text(json.dumps(doc), encoding="utf-8")
    frame = load_situation(situation_copy).layer("places").frame
    assert frame.geometry.has_z.any()
