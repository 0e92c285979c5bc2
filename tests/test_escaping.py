"""No markup from data anywhere: every class of hostile string comes out inert on every path.

Payload classes: HTML, Markdown image/link/autolink/e-mail, Jinja, bidirectional overrides
and terminal escapes. Paths: the escaping functions themselves, the corridor report card
and the comparison rows (with an uploaded area's name and file name), the map's popups and
tooltips, the events payload's script, and the command line's output.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sitmap.analysis import compare
from sitmap.cli import main
from sitmap.escaping import (
    BIDI_CONTROLS,
    REPLACEMENT,
    WORD_JOINER,
    esc,
    md_escape,
    plain_text,
    script_safe,
    terminal_safe,
)
from sitmap.mapview.popups import popup_html, tooltip_html, upload_popup_html
from sitmap.page import tables
from sitmap.page.workspace import open_workspace
from sitmap.situation import load_situation
from sitmap.store import SketchDraft, open_store
from tests.conftest import RAFAH, collection

PAYLOADS: dict[str, str] = {
    "html": "<img src=x onerror=alert(1)>",
    "script": "<script>alert('x')</script>",
    "markdown image": "![x](http://host.example/beacon.png)",
    "markdown link": "[click me](http://host.example/phish)",
    "autolink": "see http://host.example/x now",
    "angle autolink": "<http://host.example/y>",
    "www autolink": "www.host.example/z",
    "email autolink": "mail spy@host.example please",
    "jinja": "{{7*7}} {% if 1 %}x{% endif %} {# c #}",
    "bidi override": "report\u202etxt.csv",
    "bidi isolate": "a\u2067b\u2069c\u202bd\u202c",
    "bidi mark": "exe.\u200ftxt",
    "terminal escape": "\x1b[31mred\x1b[0m \x1b]0;title\x07 \x9b2J",
    "colour directive": ":red[alarm] :material/warning:",
    "latex": "$\\frac{1}{0}$",
}

# The GFM autolink literals Streamlit's Markdown finds in text after escapes are resolved
# (mdast-util-gfm-autolink-literal, as bundled in streamlit/static: StreamlitMarkdown.*.js).
GFM_URL = re.compile(r"(https?://|www(?=\.))([-.\w]+)([^ \t\r\n]*)", re.IGNORECASE)
GFM_EMAIL = re.compile(r"([-.\w+]+)@([-\w]+(?:\.[-\w]+)+)")
PUNCTUATION = set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
EMBEDDINGS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
TERMINAL_CONTROLS = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f]")


def resolved(markdown: str) -> str:
    """The text CommonMark shows for backslash-escaped Markdown (escapes resolved)."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown)


def assert_inert_markdown(markdown: str) -> None:
    """No Markdown construct can start: every ASCII punctuation character is escaped, no
    autolink literal is found in the shown text, and no bidirectional control is left.
    """
    i = 0
    while i < len(markdown):
        ch = markdown[i]
        if ch == "\\":
            assert i + 1 < len(markdown) and markdown[i + 1] in PUNCTUATION, markdown
            i += 2
            continue
        assert ch not in PUNCTUATION, f"unescaped {ch!r} in {markdown!r}"
        i += 1
    shown = resolved(markdown)
    assert not GFM_URL.search(shown), shown
    assert not GFM_EMAIL.search(shown), shown
    assert not BIDI_CONTROLS.intersection(shown.replace("\u200f", "")), shown


def assert_inert_html(html: str) -> None:
    """Only fixed markup: no tag, attribute, template or bidi control from the payloads."""
    for raw in ("<img", "<script", "{{", "{%", "{#", "<http"):
        assert raw not in html, (raw, html)
    assert not BIDI_CONTROLS.intersection(html), html


def assert_inert_terminal(text: str) -> None:
    assert not TERMINAL_CONTROLS.search(text.replace("\n", "")), text
    assert not BIDI_CONTROLS.intersection(text), text


# --- the escaping functions ------------------------------------------------------------


@pytest.mark.parametrize("name", list(PAYLOADS))
def test_every_payload_is_inert_markdown(name: str) -> None:
    out = md_escape(PAYLOADS[name])
    assert_inert_markdown(out)
    shown = resolved(out).replace(WORD_JOINER, "")
    assert shown == plain_text(PAYLOADS[name]), "shown as typed, but for neutralised controls"


@pytest.mark.parametrize("name", list(PAYLOADS))
def test_every_payload_is_inert_html(name: str) -> None:
    out = esc(PAYLOADS[name])
    assert "<" not in out and ">" not in out and "{" not in out
    assert not BIDI_CONTROLS.intersection(out)


@pytest.mark.parametrize("name", list(PAYLOADS))
def test_every_payload_is_inert_in_a_script(name: str) -> None:
    text = json.dumps({"name": PAYLOADS[name]}, ensure_ascii=False, separators=(",", ":"))
    out = script_safe(text)
    assert "</script" not in out.lower() and "<" not in out
    assert not re.search(r"\{[{%#]", out)
    value = json.loads(out)["name"]
    assert not EMBEDDINGS.intersection(value)
    # marks (LRM/RLM/ALM) cannot reorder letters: the map's script data keeps them
    assert value == "".join(REPLACEMENT if ch in EMBEDDINGS else ch for ch in PAYLOADS[name])


@pytest.mark.parametrize("name", list(PAYLOADS))
def test_every_payload_is_inert_on_a_terminal(name: str) -> None:
    out = terminal_safe(PAYLOADS[name])
    assert_inert_terminal(out)
    as_json = terminal_safe(json.dumps([PAYLOADS[name]], ensure_ascii=False))
    assert json.loads(as_json) == [PAYLOADS[name]], "JSON stays JSON with the same value"


def test_an_override_shows_in_stored_order_with_a_visible_mark() -> None:
    assert plain_text("report\u202etxt.csv") == f"report{REPLACEMENT}txt.csv"
    assert md_escape("report\u202etxt.csv") == f"report{REPLACEMENT}txt\\.csv"
    assert esc("a\u2066b") == f"a{REPLACEMENT}b"
    # a mark is kept where right-to-left text needs it, neutralised where it can only spoof
    assert plain_text("رفح\u200f (estimate)") == "رفح\u200f (estimate)"
    assert plain_text("exe.\u200ftxt") == f"exe.{REPLACEMENT}txt"
    # an override hidden in a JSON escape is caught as well, an escaped backslash is not one
    assert json.loads(script_safe('{"a":"x\\u202Ey"}'))["a"] == f"x{REPLACEMENT}y"
    assert json.loads(script_safe('{"a":"x\\\\u202ey"}'))["a"] == "x\\u202ey"


@given(st.text())
def test_markdown_escaping_leaves_nothing_active(text: str) -> None:
    assert_inert_markdown(md_escape(text))


@given(st.text())
def test_terminal_escaping_leaves_no_control_and_keeps_json(text: str) -> None:
    out = terminal_safe(json.dumps(text, ensure_ascii=False))
    assert_inert_terminal(out)
    assert json.loads(out) == text


# --- the report card, the comparison rows, the popups ------------------------------------

HOSTILE_AREA = " ".join(PAYLOADS[k] for k in ("markdown image", "markdown link", "autolink"))
HOSTILE_FILE = "report\u202egeojson.<img src=x>{{7*7}}.geojson"
HOSTILE_NAME = " ".join(PAYLOADS[k] for k in ("html", "jinja", "bidi override", "www autolink"))
LINE = {"type": "LineString", "coordinates": [[34.279, 31.2725], [34.26, 31.30]]}
SQUARE = [[34.27, 31.265], [34.29, 31.265], [34.29, 31.28], [34.27, 31.28], [34.27, 31.265]]


@pytest.fixture(scope="module")
def hostile_workspace(tmp_path_factory: pytest.TempPathFactory):
    """A saved corridor with a hostile name, starting in an uploaded area with a hostile
    name, from a file with a hostile name."""
    sketches = open_store(str(tmp_path_factory.mktemp("store") / "s.sqlite3"))
    area = {
        "type": "Feature",
        "properties": {"name": HOSTILE_AREA, "note": PAYLOADS["email autolink"]},
        "geometry": {"type": "Polygon", "coordinates": [SQUARE]},
    }
    for kind, name, content in (
        ("corridor", HOSTILE_NAME, LINE),
        ("layer", HOSTILE_FILE, collection(area)),
    ):
        draft = SketchDraft(kind=kind, name=name, content=content, situation="rafah-2025-11")
        sketches.save(draft, base_revision=None, author=PAYLOADS["markdown link"])
    return open_workspace(load_situation(RAFAH), sketches, author="dana")


def test_the_report_card_shows_uploaded_names_as_text(hostile_workspace) -> None:
    (saved,) = hostile_workspace.saved
    report = hostile_workspace.measured.reports[saved.sketch_id]
    card = tables.report_card(report)
    assert any(HOSTILE_AREA in value for value in card["Value"]), "the name is there"
    shown = tables.markdown_cells(card)
    assert shown.columns.tolist() == ["Value"]
    cells = [*shown["Value"], *shown.index]
    for cell in cells:
        assert_inert_markdown(cell)
    texts = [resolved(cell).replace(WORD_JOINER, "") for cell in shown["Value"]]
    assert texts == [plain_text(v) for v in card["Value"]], "shown as typed"
    for row in ("Starts in", "Passes through"):
        assert row in [resolved(label) for label in shown.index]


def test_the_comparison_rows_and_picker_show_names_in_stored_order(hostile_workspace) -> None:
    ws = hostile_workspace
    reports = [ws.measured.reports[item.id] for item in ws.measured.measured()]
    rows = tables.comparison_table(
        compare(reports, by="length_m"),
        by="length_m",
        origins={},
        analysis=ws.situation.manifest.analysis,
    )
    for row in tables.plain_rows(rows):
        for value in row.values():
            assert not (isinstance(value, str) and BIDI_CONTROLS.intersection(value))
    frame = tables.plain_cells(pd.DataFrame(rows))
    assert not frame.map(lambda v: isinstance(v, str) and bool(BIDI_CONTROLS & set(v))).any().any()


def test_the_map_popups_and_tooltips_are_inert(hostile_workspace) -> None:
    ws = hostile_workspace
    for layer in ws.extra:
        for feature in layer.features["features"]:
            for key, value in feature["properties"].items():
                if key in ("_popup", "_tooltip"):
                    assert_inert_html(value)
    props = {
        "id": "x",
        "name": HOSTILE_NAME,
        "name_ar": PAYLOADS["bidi isolate"],
        "kind": "crossing",
        "description": PAYLOADS["markdown image"] + PAYLOADS["script"],
        "status": PAYLOADS["jinja"],
        "claims": [
            {
                "about": PAYLOADS["html"],
                "by": PAYLOADS["bidi override"],
                "says": PAYLOADS["jinja"],
                "source": "nope",
                "date": pd.Timestamp("2025-11-09").date(),
            }
        ],
    }
    assert_inert_html(popup_html(props, {}))
    assert_inert_html(tooltip_html(props))
    assert_inert_html(upload_popup_html(HOSTILE_FILE, list(PAYLOADS.items())))


# --- the command line ----------------------------------------------------------------------


def test_the_cli_prints_hostile_names_as_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    names = [PAYLOADS["terminal escape"], PAYLOADS["bidi override"], PAYLOADS["html"]]
    lines = [
        [[34.25, 31.28], [34.26, 31.29]],
        [[34.2, 31.25], [34.22, 31.23]],
        [[34.279, 31.2725], [34.26, 31.30]],
    ]
    features = [
        {
            "type": "Feature",
            "id": f"{name}-id",
            "properties": {"name": name},
            "geometry": {"type": "LineString", "coordinates": coords},
        }
        for name, coords in zip(names, lines, strict=True)
    ]
    path = tmp_path / "hostile\x1b[2J.geojson"
    path.write_text(json.dumps(collection(*features)), encoding="utf-8")
    assert main(["measure", str(path), "--format", "table"]) == 0
    table = capsys.readouterr().out
    assert_inert_terminal(table)
    assert "\\u001b[31mred" in table and "report\\u202etxt.csv" in table
    assert main(["measure", str(path)]) == 0
    out = capsys.readouterr().out
    assert_inert_terminal(out)
    assert [o["id"] for o in json.loads(out)] == [f"{name}-id" for name in names]
    broken = tmp_path / "broken\x1b]0;pwned\x07.geojson"
    broken.write_text("{oops", encoding="utf-8")
    assert main(["measure", str(broken)]) == 1
    assert_inert_terminal(capsys.readouterr().err)


def test_the_cli_import_output_is_inert_and_still_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    feature = {
        "type": "Feature",
        "properties": {
            "name": PAYLOADS["terminal escape"],
            "\x1b[2Jkey": PAYLOADS["bidi override"],
        },
        "geometry": {"type": "Point", "coordinates": [34.25, 31.28]},
    }
    path = tmp_path / "layer\x1b[2J\u202e.geojson"
    path.write_text(json.dumps(collection(feature)), encoding="utf-8")
    assert main(["import", str(path), "--check"]) == 0
    assert_inert_terminal(capsys.readouterr().out)
    assert main(["import", str(path)]) == 0
    out = capsys.readouterr().out
    assert_inert_terminal(out)
    (props,) = [f["properties"] for f in json.loads(out)["features"]]
    assert props["name"] == PAYLOADS["terminal escape"], "the same value, escaped only on screen"
