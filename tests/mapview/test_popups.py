"""Escaping: every data string reaches HTML or markdown as text."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from sitmap.escaping import WORD_JOINER, esc, md_escape, plain_text
from sitmap.mapview.popups import popup_html, tooltip_html, upload_popup_html
from sitmap.schema import Source

SOURCES = {
    "s": Source(
        id="s",
        publisher="<b>Pub</b>",
        title='T & "q"',
        date=dt.date(2025, 11, 10),
        url="https://example.org/?a=1&b=<x>",
    )
}


@given(st.text())
def test_esc_leaves_no_markup_and_no_template_syntax(text: str) -> None:
    out = esc(text)
    assert "<" not in out and ">" not in out and '"' not in out
    assert "{" not in out and "}" not in out


@given(st.text())
def test_md_escape_round_trips_to_the_same_characters(text: str) -> None:
    out = md_escape(text).replace(WORD_JOINER, "")
    assert out.replace("\\", "") == plain_text(text).replace(WORD_JOINER, "").replace("\\", "")


def test_popup_escapes_every_field_and_names_the_source() -> None:
    props = {
        "id": "x",
        "name": "<img src=x onerror=alert(1)>",
        "name_ar": "<b>رفح</b>",
        "kind": "cross<ing",
        "source": ["s", "missing"],
        "as_of": dt.date(2025, 11, 10),
        "accuracy_m": 200,
        "approximate": True,
        "description": "<script>alert(2)</script>",
        "claims": [
            {
                "about": "<i>q</i>",
                "by": "<u>A</u>",
                "says": "<s>x</s>",
                "source": "s",
                "date": dt.date(2025, 11, 9),
            }
        ],
    }
    html = popup_html(props, SOURCES, as_of=dt.date(2025, 11, 28))
    for raw in ("<img", "<script", "<b>Pub", "<i>q", "<u>A", "<s>x", "<b>رفح"):
        assert raw not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "missing (not in sources.toml)" in html
    assert "\u00b1200 m" in html
    assert 'href="https://example.org/?a=1&amp;b=&lt;x&gt;"' in html
    assert 'dir="auto" lang="ar"' in tooltip_html(props)
    assert "(approximate)" in tooltip_html(props)


def test_upload_popup_cuts_long_values_and_escapes_keys() -> None:
    html = upload_popup_html("<f>.kml", [("<k>", "v" * 600), ("empty", None)])
    assert "&lt;k&gt;" in html and "&lt;f&gt;.kml" in html
    assert "v" * 499 + "\u2026" in html
    assert "empty" not in html
