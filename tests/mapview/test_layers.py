"""The map, built without a browser: offline, escaped, stable between reruns, filtered by date."""

from __future__ import annotations

import datetime as dt
import json
import re

import streamlit_folium

from sitmap.analysis.timeline import day_cutoff_ms, day_start_ms, valid_at
from sitmap.mapview import (
    ExtraLayer,
    ViewState,
    base_map,
    default_layers,
    events_payload,
    feature_collection,
    full_map,
    layer_geojson,
    view_groups,
)
from sitmap.situation import load_situation
from tests.mapview.conftest import view

HOSTILE = "<img src=x onerror=alert(1)>"
TEMPLATE = "{{ 7*7 }}{% if true %}ran{% endif %}{{ cycler.__init__.__globals__.os.getpid() }}"


def test_every_default_layer_is_in_the_view(rafah) -> None:
    groups = view_groups(rafah, view(rafah))
    names = [g.layer_name for g in groups]
    for layer in rafah.layers.values():
        if layer.spec.kind.value != "events" and layer.spec.visible:
            assert layer.spec.title in names


def test_unchecked_layers_are_left_out(rafah) -> None:
    all_names = {g.layer_name for g in view_groups(rafah, view(rafah))}
    fewer = {g.layer_name for g in view_groups(rafah, view(rafah, layers={"places"}))}
    assert rafah.layer("control").spec.title in all_names
    assert rafah.layer("control").spec.title not in fewer
    assert rafah.layer("places").spec.title in fewer


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


def test_each_feature_carries_the_days_it_is_shown(rafah) -> None:
    """The map holds every feature; timeline.js shows those with _from <= cutoff < _until,
    which on every day are the features valid that day."""
    data = layer_geojson(rafah, "control", dt.date(2025, 10, 18))
    spans = {f["properties"]["_id"]: f["properties"] for f in data["features"]}
    assert spans["army_held_area_2025-10-19"]["_from"] == day_start_ms(dt.date(2025, 10, 19))
    frame = rafah.layer("control").frame
    for day in (dt.date(2025, 10, 18), dt.date(2025, 10, 19), rafah.manifest.end):
        cutoff = day_cutoff_ms(day)
        shown = {
            ident
            for ident, p in spans.items()
            if p.get("_from", cutoff) <= cutoff and cutoff < p.get("_until", cutoff + 1)
        }
        assert shown == set(frame[valid_at(frame, day).to_numpy()]["id"]), day
    assert shown == set(spans)  # the enclave too, by the last day


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


def view_options(html: str) -> dict:
    """What the page tells the map on this rerun (window.sitmapView's argument)."""
    found = re.search(r"window\.sitmapView\((\{.*?\})\)", html)
    assert found is not None, "the view script is not in the page"
    return json.loads(found.group(1))


def test_events_follow_the_time_range(rafah) -> None:
    chosen = ViewState(
        default_layers(rafah), dt.date(2025, 11, 20), since=dt.date(2025, 11, 1), selected="jenina"
    )
    options = view_options(full_map(rafah, chosen).get_root().render())
    end = int(dt.datetime(2025, 11, 21, tzinfo=dt.UTC).timestamp()) - 1
    start = int(dt.datetime(2025, 11, 1, tzinfo=dt.UTC).timestamp())
    assert options == {
        "cutoff_ms": end * 1000,
        "since_ms": start * 1000,
        "events_visible": True,
        "focus": "jenina",
        "seq": 0,
    }


def test_events_hidden_when_their_layer_is_off(rafah) -> None:
    html = full_map(rafah, view(rafah, layers={"places"})).get_root().render()
    assert view_options(html)["events_visible"] is False


def test_features_appear_when_first_reported(rafah) -> None:
    """A feature reported after the day shown is on the page (a step shows it with no
    rerun), dated after the map's cutoff, so the map's script leaves it off."""
    before = full_map(rafah, view(rafah, day="2025-10-10"))
    cutoff = view_options(before.get_root().render())["cutoff_ms"]
    data = layer_geojson(rafah, "corridors", dt.date(2025, 10, 10))
    spans = {f["properties"]["_id"]: f["properties"] for f in data["features"]}
    assert spans["corridor_exit_outside_held_area"]["_from"] > cutoff
    enclave = layer_geojson(rafah, "control", dt.date(2025, 10, 10))["features"]
    assert [
        f["properties"]["_from"] > cutoff
        for f in enclave
        if f["properties"]["_id"] == "tunnel_enclave_jenina"
    ] == [True]


def test_drawn_outlines_stay_within_a_few_metres_of_the_data(rafah) -> None:
    import shapely
    from shapely.geometry import shape

    from sitmap.analysis import geodesy

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


def test_a_selected_id_from_a_link_never_runs_as_a_template(rafah) -> None:
    chosen = ViewState(default_layers(rafah), dt.date(2025, 11, 28), selected="{{ 7*7 }}</script>")
    html = full_map(rafah, chosen).get_root().render()
    options = re.search(r"window\.sitmapView\((\{.*?\})\)", html)
    assert options is not None
    assert json.loads(options.group(1))["focus"] == "{{ 7*7 }}</script>"  # data, as typed
    assert "{{ 7*7 }}" not in html and '</script>"' not in html


def test_layer_data_reaches_the_browser_as_data_in_what_streamlit_folium_sends(rafah) -> None:
    """The string streamlit-folium sends for a rerun's layers (its own function, as
    ``st_folium`` calls it): data cannot close the script or run as a template, and
    reads back as it was."""
    raw = "</script><script>alert(1)</script>{{ 7*7 }}{% if true %}ran{% endif %}"
    upload = ExtraLayer(
        "upload:x",
        "Uploaded",
        feature_collection(
            [
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [34.25, 31.28]},
                    "properties": {"_id": "x", "note": raw},
                }
            ]
        ),
    )
    chosen = view(rafah, layers={"places", "upload:x"})
    m = base_map(rafah)
    sent = "\n".join(
        streamlit_folium._get_feature_group_string(group, m, i)
        for i, group in enumerate(view_groups(rafah, chosen, extra=[upload]))
    )
    assert "</script>" not in sent and "{{ 7*7 }}" not in sent and "{% if" not in sent
    data = re.findall(r"\.addData\((\{.*?\})\);", sent)
    assert len(data) == 2  # the places layer and the upload
    (note,) = [f["properties"]["note"] for f in json.loads(data[1])["features"]]
    assert note == raw
