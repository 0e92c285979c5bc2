"""The map as text: tables a screen reader can use, every cell escaped, rows follow the view."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser

import pytest

from sitmap.mapview import ExtraLayer, default_layers
from sitmap.page import textview
from sitmap.page.workbench import candidates, measure_corridors
from sitmap.situation import Situation, load_situation
from tests.conftest import RAFAH, collection, point_feature

DAY = dt.date(2025, 11, 28)
HOSTILE = "<script>alert(1)</script> **bold** [x](https://evil.example) {{ 7*7 }}"


@pytest.fixture(scope="module")
def rafah() -> Situation:
    return load_situation(RAFAH)


def by_caption(tables: list[textview.TextTable], start: str) -> textview.TextTable:
    return next(t for t in tables if t.caption.startswith(start))


def test_features_have_every_column_the_map_explains(rafah: Situation) -> None:
    table = textview.features_table(rafah, default_layers(rafah), DAY)
    assert table.columns == textview.FEATURE_COLUMNS
    rows = {row[0]: dict(zip(table.columns, row, strict=True)) for row in table.rows}
    jenina = next(row for name, row in rows.items() if name.startswith("Jenina"))
    assert jenina["Kind"] == "Neighbourhood (estimate)"
    assert jenina["Layer"].startswith("Neighbourhoods")
    assert jenina["Approximate"] == "yes, an estimate"
    assert jenina["Accuracy"].startswith("\u00b1") and jenina["Accuracy"].endswith(" m")
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", jenina["As of"])
    assert "\u201c" in jenina["Source"]  # 'Publisher, "Title", date'
    assert rows["Rafah crossing (to Egypt)"]["Approximate"] == "no"


def test_rows_follow_the_view(rafah: Situation) -> None:
    before = textview.features_table(rafah, default_layers(rafah), dt.date(2025, 10, 10))
    after = textview.features_table(rafah, default_layers(rafah), DAY)
    assert "Tunnel enclave" not in {row[1] for row in before.rows}  # not yet reported
    assert "Tunnel enclave (estimate)" in {row[1] for row in after.rows}
    only_places = textview.features_table(rafah, {"places"}, DAY)
    assert {row[2] for row in only_places.rows} == {rafah.layer("places").spec.title}
    layers = textview.layers_table(rafah, {"places"}, DAY)
    shown = {row[0]: row[3] for row in layers.rows}
    assert shown[rafah.layer("places").spec.title] == "shown"
    assert shown[rafah.layer("control").spec.title] == "hidden"


def test_every_table_of_the_view(rafah: Situation) -> None:
    measured = measure_corridors(rafah, candidates(rafah), as_of=DAY)
    tables = textview.text_view_tables(
        rafah, shown=default_layers(rafah), as_of=DAY, measured=measured
    )
    captions = [t.caption for t in tables]
    assert captions[0].startswith("Layers")
    assert captions[1].startswith("Features")
    assert captions[2].startswith("Events: ")
    assert any(c.startswith("Who says what: ") for c in captions)
    corridors = by_caption(tables, "Corridors")
    assert len(corridors.rows) == 3
    assert all(re.search(r"\d", row[2]) for row in corridors.rows)  # a length each
    events = by_caption(tables, "Events")
    assert events.rows and all(row[1][:4] == "2025" for row in events.rows)


class _Table(HTMLParser):
    """What a screen reader is told: caption, header cells with their scope, data cells."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_is_semantic_and_escaped(write_places, situation_copy) -> None:
    write_places(
        collection(point_feature("evil", name=HOSTILE, source=["wikipedia_rafah"])),
    )
    situation = load_situation(situation_copy)
    html = textview.text_view_html(
        textview.text_view_tables(situation, shown={"places"}, as_of=DAY)
    )
    assert "<script>" not in html and "{{" not in html
    parser = _Table()
    parser.feed(html)
    tags = [tag for tag, _ in parser.tags]
    assert {"table", "caption", "thead", "tbody", "th", "td"} <= set(tags)
    assert "a" not in tags and "script" not in tags
    scopes = {attrs.get("scope") for tag, attrs in parser.tags if tag == "th"}
    assert scopes == {"col", "row"}
    text = "".join(parser.text)
    assert "<script>alert(1)</script> **bold** [x](https://evil.example) {{ 7*7 }}" in text


def test_an_empty_table_says_so() -> None:
    table = textview.TextTable("Corridors (0)", ("Corridor",), (), empty="No corridor.")
    assert textview.table_html(table) == "<p><strong>Corridors (0)</strong>: No corridor.</p>"


def test_readers_layers_come_last_and_follow_each_run(rafah: Situation) -> None:
    shown = default_layers(rafah) | {"sketches"}
    none = textview.text_view_tables(rafah, shown=shown, as_of=DAY)[0]
    one = ExtraLayer("sketches", "Saved corridors", {"features": [{"type": "Feature"}]})
    layers = textview.text_view_tables(rafah, shown=shown, as_of=DAY, extra=[one])[0]
    assert layers.rows[:-1] == none.rows  # the situation's rows, from the cache
    assert layers.rows[-1] == ("Saved corridors", "added by readers", "1", "shown")
    assert layers.caption == f"Layers ({len(none.rows) + 1})"
