"""The map, built without a browser: offline, escaped, stable between reruns, filtered by date."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
import streamlit_folium

from sitmap import assets
from sitmap.mapview import (
    ViewState,
    base_map,
    decode_events_payload,
    default_layers,
    events_payload,
    full_map,
    layer_geojson,
    view_groups,
)
from sitmap.situation import load_situation
from tests.conftest import RAFAH

HOSTILE = "<img src=x onerror=alert(1)>"
TEMPLATE = "{{ 7*7 }}{% if true %}ran{% endif %}{{ cycler.__init__.__globals__.os.getpid() }}"


@pytest.fixture(scope="module")
def rafah():
    assets.use_local_assets()
    return load_situation(RAFAH)


def view(situation, day: str = "2025-11-28", layers=None) -> ViewState:
    chosen = default_layers(situation) if layers is None else frozenset(layers)
    return ViewState(layers=chosen, as_of=dt.date.fromisoformat(day))


def test_the_rendered_page_names_no_remote_url(rafah) -> None:
    html = full_map(rafah, view(rafah)).get_root().render()
    assert assets.external_urls(html) == []
    assert "/app/static/vendor/leaflet/leaflet.js" in html
    assert "/app/static/sitmap/sitmap.js" in html


def test_online_tiles_only_when_asked(rafah) -> None:
    offline = full_map(rafah, view(rafah)).get_root().render()
    online = full_map(rafah, ViewState(default_layers(rafah), dt.date(2025, 11, 28), "osm"))
    assert "tile.openstreetmap.org" not in offline
    assert assets.external_urls(online.get_root().render()) == [
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    ]


def test_every_default_layer_is_in_the_view(rafah) -> None:
    groups = view_groups(rafah, view(rafah))
    names = [g.layer_name for g in groups]
    for layer in rafah.layers.values():
        if layer.spec.kind.value != "events":
            assert layer.spec.title in names


def test_unchecked_layers_are_left_out(rafah) -> None:
    all_names = {g.layer_name for g in view_groups(rafah, view(rafah))}
    fewer = {g.layer_name for g in view_groups(rafah, view(rafah, layers={"places"}))}
    assert rafah.layer("control").spec.title in all_names
    assert rafah.layer("control").spec.title not in fewer
    assert rafah.layer("places").spec.title in fewer


def test_base_map_js_is_identical_between_reruns(rafah) -> None:
    m1, m2 = base_map(rafah), base_map(rafah)
    m1.render()
    m2.render()
    assert streamlit_folium.generate_js_hash(
        streamlit_folium._get_map_string(m1)
    ) == streamlit_folium.generate_js_hash(streamlit_folium._get_map_string(m2))


def test_base_map_does_not_depend_on_the_view(rafah) -> None:
    """Layers and date travel in feature groups, so the component never remounts."""
    m = base_map(rafah)
    m.render()
    js = streamlit_folium._get_map_string(m)
    assert "sitmap-layer-control" not in js  # no situation layer in the base map


def test_popups_show_sources_accuracy_and_claims(rafah) -> None:
    data = layer_geojson(rafah, "control", dt.date(2025, 11, 28))
    enclave = next(f for f in data["features"] if "Tunnel enclave" in f["properties"]["_tooltip"])
    popup = enclave["properties"]["_popup"]
    assert "Source" in popup and "Okaz" in popup and "2025-11-07" in popup
    assert "\u00b1" in popup and "approximate: an estimate, not a survey" in popup
    assert "Israeli defence sources" in popup and "civilians" in popup
    assert "(approximate)" in enclave["properties"]["_tooltip"]


def test_claims_after_the_date_are_hidden_and_counted(rafah) -> None:
    early = layer_geojson(rafah, "control", dt.date(2025, 11, 8))
    enclave = next(f for f in early["features"] if "Tunnel enclave" in f["properties"]["_tooltip"])
    popup = enclave["properties"]["_popup"]
    assert "closer to 100" in popup  # 2025-11-07
    assert "between 60 and 80" not in popup  # 2025-11-28
    assert re.search(r"\d+ later claim\(s\) hidden: after 2025-11-08", popup)


def test_features_outside_their_validity_are_hidden(rafah) -> None:
    before = layer_geojson(rafah, "control", dt.date(2025, 10, 9))
    after = layer_geojson(rafah, "control", dt.date(2025, 10, 10))
    assert len(after["features"]) == len(before["features"]) + 2  # army-held area, yellow line


def test_hostile_names_are_escaped_everywhere(situation_copy) -> None:
    for name in ("places.geojson", "events.geojson"):
        path = situation_copy / name
        doc = json.loads(path.read_text())
        located = [f for f in doc["features"] if f["geometry"]]
        props = located[0]["properties"]
        for key in ("name", "title", "description"):
            if key in props:
                props[key] = HOSTILE
        if "claims" in props or name == "events.geojson":
            props["claims"] = [
                {
                    "about": HOSTILE,
                    "by": HOSTILE,
                    "says": "</script><script>alert(2)</script>",
                    "source": props["source"][0],
                    "date": "2025-10-01",
                }
            ]
        path.write_text(json.dumps(doc))
    situation = load_situation(situation_copy)
    html = full_map(situation, view(situation)).get_root().render()
    assert HOSTILE not in html
    assert "</script><script>alert(2)" not in html
    places = layer_geojson(situation, "places", dt.date(2025, 11, 28))
    assert any(
        "&lt;img src=x onerror=alert(1)&gt;" in f["properties"]["_tooltip"]
        for f in places["features"]
    )
    payload = events_payload(situation)
    assert "<" not in payload
    assert "\\u003cimg src=x" in payload


def test_events_payload_has_only_located_events(rafah) -> None:
    payload = decode_events_payload(events_payload(rafah))
    events = rafah.layer("events").frame
    located = events[events.geometry.notna()]
    assert len(payload["lon"]) == len(located) > 0
    assert all(34.1 < x < 34.6 for x in payload["lon"])  # [lon, lat], not swapped
    assert all(31.1 < y < 31.7 for y in payload["lat"])
    expected = sorted(int(t.timestamp() * 1000) for t in located["time"])
    assert sorted(payload["t"]) == expected  # epoch milliseconds, UTC
    assert dt.datetime.fromtimestamp(expected[0] / 1000, dt.UTC).year == 2025


def test_events_cutoff_follows_the_date(rafah) -> None:
    m = full_map(rafah, view(rafah, day="2025-11-20"))
    html = m.get_root().render()
    cutoff = int(dt.datetime(2025, 11, 21, tzinfo=dt.UTC).timestamp()) - 1
    assert f"setView({cutoff} * 1000" in html


def test_events_hidden_when_their_layer_is_off(rafah) -> None:
    html = full_map(rafah, view(rafah, layers={"places"})).get_root().render()
    assert re.search(r"setView\(\d+ \* 1000,\s*false\)", html)


def test_static_js_is_committed_with_the_library() -> None:
    assert (Path(assets.own_dir()) / "sitmap.js").is_file()


def test_events_payload_reads_back_as_the_events(rafah) -> None:
    payload = decode_events_payload(events_payload(rafah))
    events = rafah.layer("events").frame
    located = events[events.geometry.notna()].reset_index(drop=True)
    assert payload["title"] == list(located["title"])
    assert payload["kind"] == list(located["kind"])
    assert payload["acc"] == [int(a) for a in located["accuracy_m"]]
    assert payload["when"] == [
        f"{t.date().isoformat()} (to the {p})"
        for t, p in zip(located["time"], located["time_precision"], strict=True)
    ]
    texts = [[payload["sources"][i] for i in ids] for ids in payload["src"]]
    assert [len(t) for t in texts] == [len(s) for s in located["source"]]
    assert payload["lon"] == pytest.approx(list(located.geometry.x), abs=1e-6)


def test_columns_take_their_shortest_layout() -> None:
    import pandas as pd

    from sitmap.mapview import _encode

    assert _encode(pd.Series(["same"] * 50)) == {"v": ["same"]}
    coded = _encode(pd.Series(["a long repeated kind", "another long kind"] * 25))
    assert coded["v"] == ["a long repeated kind", "another long kind"]
    assert list(coded["i"]) == [0, 1] * 25
    assert list(_encode(pd.Series([f"title {i}" for i in range(50)]))["a"]) == [
        f"title {i}" for i in range(50)
    ]


def test_events_travel_deflated_and_inert(situation_copy) -> None:
    import base64
    import zlib

    path = situation_copy / "events.geojson"
    doc = json.loads(path.read_text())
    located = next(f for f in doc["features"] if f["geometry"])
    located["properties"]["title"] = "{{ 7*7 }} {% if 1 %}x{% endif %} </script><!--"
    path.write_text(json.dumps(doc))
    situation = load_situation(situation_copy)
    html = full_map(situation, view(situation)).get_root().render()
    blob = re.search(r'new SitmapPoints\(\s*"([A-Za-z0-9+/=]*)"', html)
    assert blob is not None, "the events payload is not in the page as base64"
    text = zlib.decompress(base64.b64decode(blob.group(1))).decode("utf-8")
    assert text == events_payload(situation)
    assert "{{" not in text and "{%" not in text and "<" not in text
    titles = decode_events_payload(text)["title"]
    assert "{{ 7*7 }} {% if 1 %}x{% endif %} </script><!--" in titles  # shown as typed
    assert "49" not in " ".join(titles)


def test_drawn_outlines_stay_within_a_few_metres_of_the_data(rafah) -> None:
    import shapely
    from shapely.geometry import shape

    from sitmap import geodesy

    data = layer_geojson(rafah, "boundaries", dt.date(2025, 11, 28))
    drawn = [shape(f["geometry"]) for f in data["features"]]
    frame = rafah.layer("boundaries").frame
    original = list(frame.geometry)
    assert sum(len(shapely.get_coordinates(g)) for g in drawn) < 0.8 * sum(
        len(shapely.get_coordinates(g)) for g in original
    )
    metric = geodesy.to_metric(shapely.from_wkb(shapely.to_wkb(original)))
    shown = geodesy.to_metric(shapely.from_wkb(shapely.to_wkb(drawn)))
    assert shapely.is_valid(drawn).all()
    assert max(shapely.hausdorff_distance(metric, shown)) < 5.0  # metres; data accuracy >= 25 m


def test_template_syntax_in_data_never_runs_on_the_server(situation_copy) -> None:
    """branca re-reads rendered scripts as Jinja templates: data must stay inert."""
    path = situation_copy / "places.geojson"
    doc = json.loads(path.read_text())
    props = doc["features"][0]["properties"]
    props["name"] = TEMPLATE
    props["description"] = TEMPLATE
    props["claims"] = [
        {
            "about": TEMPLATE,
            "by": TEMPLATE,
            "says": TEMPLATE,
            "source": props["source"][0],
            "date": "2025-10-01",
        }
    ]
    path.write_text(json.dumps(doc))
    events = situation_copy / "events.geojson"
    edoc = json.loads(events.read_text())
    located = next(f for f in edoc["features"] if f["geometry"])
    located["properties"]["title"] = TEMPLATE
    events.write_text(json.dumps(edoc))
    situation = load_situation(situation_copy)
    html = full_map(situation, view(situation)).get_root().render()
    assert "49ran" not in html  # what the template would have produced
    assert f"ran{__import__('os').getpid()}" not in html
    assert "#123;#123; 7*7 #125;#125;" in html.replace("\\u0026", "").replace("&", "")
