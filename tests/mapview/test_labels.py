"""Labels: chosen by the situation's priority, in the reader's language, only for what
the map shows at the chosen date, placed at sensible points, and never markup."""

from __future__ import annotations

import datetime as dt
import json

import folium
import pytest
import shapely

from sitmap.analysis.timeline import day_cutoff_ms, day_start_ms
from sitmap.mapview import default_layers
from sitmap.mapview.labels import (
    ESTIMATE_MARK,
    LabelsView,
    label_text,
    labels_group,
    labels_payload,
    short_label,
)
from sitmap.schema import LabelsSpec, Manifest
from sitmap.situation import load_situation
from tests.conftest import RAFAH

AS_OF = dt.date(2025, 11, 28)
HOSTILE = "<img src=x onerror=alert(1)>{{ 7*7 }}</script>"


@pytest.fixture(scope="module")
def rafah():
    return load_situation(RAFAH)


def payload(situation, layers=None, as_of=AS_OF):
    chosen = default_layers(situation) if layers is None else frozenset(layers)
    return labels_payload(situation, chosen, as_of=as_of)


def by_id(data) -> dict:
    return {label["id"]: label for label in data["labels"]}


def geometry(situation, feature_id):
    frame = situation.features()
    return frame[frame["id"] == feature_id].geometry.iloc[0]


def test_key_features_are_labelled_in_the_situations_priority_order(rafah) -> None:
    labels = payload(rafah)["labels"]
    ids = [label["id"] for label in labels]
    for key in (
        "tunnel_enclave_jenina",
        "jenina",
        "army_held_area_2025-10-19",
        "yellow_line_2025-10-19",
        "rafah_crossing",
        "kerem_shalom_crossing",
        "corridor_exit_outside_held_area",
        "bani_suhaila",
    ):
        assert key in ids
    assert ids[0] == "tunnel_enclave_jenina"
    priority = rafah.manifest.labels.priority
    assert [label["p"] for label in labels] == sorted(label["p"] for label in labels)
    assert all(label["p"] == priority[label["k"]] for label in labels)
    # Jenina (an area) goes before the neighbourhoods that are only points.
    assert ids.index("jenina") < ids.index("tel_al_sultan")


def test_kinds_without_a_priority_get_no_label(rafah) -> None:
    kinds = {label["k"] for label in payload(rafah)["labels"]}
    assert kinds <= set(rafah.manifest.labels.priority)
    assert "municipality" not in kinds


def test_labels_of_hidden_layers_are_not_sent(rafah) -> None:
    layers = default_layers(rafah) - {"control"}
    ids = set(by_id(payload(rafah, layers)))
    assert "tunnel_enclave_jenina" not in ids
    assert "yellow_line_2025-10-19" not in ids
    assert "jenina" in ids
    assert payload(rafah, []) == {"v": 1, "labels": []}


def test_features_not_on_the_map_of_the_day_are_not_labelled(rafah) -> None:
    early = set(by_id(payload(rafah, as_of=dt.date(2025, 10, 1))))
    late = set(by_id(payload(rafah)))
    assert "army_held_area_2025-10-19" in late
    assert "army_held_area_2025-10-19" not in early  # valid from 2025-10-10
    assert early < late


def test_the_maps_labels_carry_the_days_they_are_shown(rafah) -> None:
    """The map gets every label of its layers, each with its feature's span of days, and
    the labels of a day (labels.js: f <= cutoff < u) are the briefing's of that day."""
    every = payload(rafah, as_of=None)["labels"]
    held = by_id({"labels": every})["army_held_area_2025-10-19"]
    assert held["f"] == day_start_ms(dt.date(2025, 10, 19))
    first, last = rafah.manifest.start, rafah.manifest.end
    for day in (first + dt.timedelta(days=n) for n in range((last - first).days + 1)):
        cutoff = day_cutoff_ms(day)
        drawn = {
            label["id"]
            for label in every
            if label.get("f", cutoff) <= cutoff and cutoff < label.get("u", cutoff + 1)
        }
        assert drawn == set(by_id(payload(rafah, as_of=day))), day


def test_short_labels_drop_qualifiers_and_mark_estimates() -> None:
    assert short_label("Jenina (al-Jneina) neighbourhood (estimate)", approximate=True) == (
        ESTIMATE_MARK + "Jenina neighbourhood"
    )
    assert short_label("Rafah crossing (to Egypt)", approximate=False) == "Rafah crossing"
    long = short_label(
        "Option A: exit to Palestinian territory outside the area", approximate=False
    )
    assert len(long) <= 34 and long.endswith("…") and long.startswith("Option A: exit")
    assert short_label("(only a qualifier)", approximate=False) == "(only a qualifier)"


def test_estimates_are_marked_in_every_language(rafah) -> None:
    jenina = by_id(payload(rafah))["jenina"]
    assert jenina["e"] is True
    for lang in ("en", "ar", "he"):
        assert jenina["t"][lang][0].startswith(ESTIMATE_MARK)
    assert by_id(payload(rafah))["rafah_crossing"]["e"] is False


def test_language_picks_the_name_and_sets_its_direction() -> None:
    props = {
        "id": "x",
        "name": "Rafah crossing (to Egypt)",
        "name_ar": "معبر رفح",
        "name_he": "מעבר רפיח",
        "approximate": False,
    }
    english = label_text(props, "en")
    assert (english.text, english.lang, english.dir) == ("Rafah crossing", "en", "ltr")
    arabic = label_text(props, "ar")
    assert (arabic.text, arabic.lang, arabic.dir) == ("معبر رفح", "ar", "rtl")
    hebrew = label_text(props, "he")
    assert (hebrew.text, hebrew.lang, hebrew.dir) == ("מעבר רפיח", "he", "rtl")


def test_a_missing_translation_falls_back_to_english_left_to_right() -> None:
    props = {"id": "x", "name": "Tunnel enclave (estimate)", "approximate": True}
    for lang in ("ar", "he"):
        text = label_text(props, lang)
        assert (text.text, text.lang, text.dir) == ("~Tunnel enclave", "en", "ltr")


def test_a_short_label_in_the_data_wins() -> None:
    props = {
        "id": "x",
        "name": "A very long official name (with notes)",
        "label": "Short",
        "name_ar": "اسم طويل",
        "label_ar": "قصير",
        "approximate": False,
    }
    assert label_text(props, "en").text == "Short"
    assert label_text(props, "ar").text == "قصير"


def test_payload_carries_every_language_with_fallbacks(rafah) -> None:
    labels = by_id(payload(rafah))
    assert labels["jenina"]["t"]["ar"] == ["~الجنينة", "ar", "rtl"]
    assert labels["tunnel_enclave_jenina"]["t"]["he"][1:] == ["en", "ltr"]


def test_areas_are_labelled_inside_and_clear_of_more_important_areas(rafah) -> None:
    labels = by_id(payload(rafah))
    for feature_id in ("tunnel_enclave_jenina", "jenina", "army_held_area_2025-10-19"):
        area = geometry(rafah, feature_id)
        lat, lon = labels[feature_id]["a"][0]
        assert area.contains(shapely.Point(lon, lat)), feature_id
    lat, lon = labels["jenina"]["a"][0]
    assert not geometry(rafah, "tunnel_enclave_jenina").contains(shapely.Point(lon, lat))


def test_lines_are_labelled_along_them(rafah) -> None:
    line = geometry(rafah, "yellow_line_2025-10-19")
    anchors = by_id(payload(rafah))["yellow_line_2025-10-19"]["a"]
    assert len(anchors) > 3
    for lat, lon in anchors:
        assert line.distance(shapely.Point(lon, lat)) < 1e-6
    assert by_id(payload(rafah))["yellow_line_2025-10-19"]["s"] == "line"


def test_label_text_is_data_never_markup(situation_copy) -> None:
    path = situation_copy / "places.geojson"
    data = json.loads(path.read_text(encoding="utf-8"))
    for feature in data["features"]:
        if feature["properties"]["id"] == "rafah_crossing":
            feature["properties"]["name"] = HOSTILE
            feature["properties"]["name_ar"] = HOSTILE
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    situation = load_situation(situation_copy)
    labels = by_id(payload(situation))
    assert labels["rafah_crossing"]["t"]["ar"][0].startswith("<img")  # the text, kept as text
    group = labels_group(situation, default_layers(situation), language="ar")
    m = folium.Map()
    group.add_to(m)
    html = m.get_root().render()
    assert "<img src=x" not in html
    assert "</script>" not in html.split("setData(", 1)[1].split(");", 1)[0]
    assert "{{" not in html.split("setData(", 1)[1].split(");", 1)[0]
    script = html.split("setData(", 1)[1].rsplit(', "ar")', 1)[0]
    decoded = json.loads(script)
    assert by_id(decoded)["rafah_crossing"]["t"]["en"][0].startswith("<img")


def test_unknown_language_falls_back_to_english(rafah) -> None:
    view = LabelsView(payload(rafah), language="fr")  # type: ignore[arg-type]
    assert view.language == "en"


def test_the_manifest_validates_label_priorities() -> None:
    assert LabelsSpec().priority == {}
    LabelsSpec(priority={"tunnel_enclave": 1})
    for bad in ({"tunnel_enclave": 0}, {"tunnel_enclave": "1"}, {"bad kind!": 1}):
        with pytest.raises(ValueError, match="validation error"):
            LabelsSpec(priority=bad)
    assert "labels" in Manifest.model_fields
