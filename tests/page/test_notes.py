"""Annotations, comments and histories as the page keeps and shows them."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest

from sitmap.errors import PermissionDeniedError, StoreError
from sitmap.page import notes
from sitmap.page.workspace import open_workspace
from sitmap.situation import Situation
from sitmap.store import SketchDraft, SQLiteSketchStore
from tests.conftest import REPO

POINT = {"type": "Point", "coordinates": [34.25, 31.29]}
LINE = {"type": "LineString", "coordinates": [[34.25, 31.29], [34.27, 31.31]]}


@pytest.fixture(scope="module")
def situation() -> Situation:
    from sitmap.situation import load_situation

    return load_situation(REPO / "geodata" / "rafah-2025-11")


def test_the_last_drawn_point_line_or_area_is_the_annotations_geometry() -> None:
    drawings = [
        {"type": "Feature", "geometry": LINE},
        {"type": "Feature", "geometry": POINT},
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [float("nan"), 1]}},
        "junk",
    ]
    assert notes.drawn_geometry(drawings) == POINT
    assert notes.drawn_geometry(None) is None
    assert notes.drawn_geometry([{"geometry": {"type": "Circle", "coordinates": [1, 2]}}]) is None


def test_annotation_and_comment_drafts_refuse_empty_text() -> None:
    with pytest.raises(StoreError, match="needs a note"):
        notes.annotation_draft(POINT, note=" ", time=None, source="", situation_id="s")
    with pytest.raises(StoreError, match="comment is empty"):
        notes.comment_draft("feature:x", "  ", situation_id="s")
    long = "x" * (notes.MAX_NOTE_CHARS + 1)
    with pytest.raises(StoreError, match=rf"the note has {len(long)} characters; at most"):
        notes.annotation_draft(POINT, note=long, time=None, source="", situation_id="s")
    with pytest.raises(StoreError, match=rf"the comment has {len(long)} characters"):
        notes.comment_draft("feature:x", f"  {long}  ", situation_id="s")


def test_annotations_comments_and_history_in_a_workspace(
    situation: Situation, tmp_path: Path
) -> None:
    store = SQLiteSketchStore(tmp_path / "s.sqlite3")
    store.enrol("carol@example.org", admin=True)
    store.enrol("alice@example.org")
    ws = open_workspace(situation, store, author="alice@example.org")
    added = ws.add_annotation(
        POINT,
        note="Crowd at the <b>gate</b>",
        time=dt.date(2025, 11, 10),
        source="WAFA",
        author="alice@example.org",
    )
    assert notes.annotation_status(added) == "by alice@example.org, unverified"
    with pytest.raises(PermissionDeniedError):
        ws.mark_checked(added, author="alice@example.org")
    checked = ws.mark_checked(added, author="carol@example.org")
    assert notes.annotation_status(checked) == (
        "by alice@example.org, checked by carol@example.org"
    )
    said = ws.add_comment(f"sketch:{added.sketch_id}", "Seen too", author="carol@example.org")
    ws = open_workspace(situation, store, author="alice@example.org")
    assert [a.sketch_id for a in ws.annotations] == [added.sketch_id]
    assert [c.sketch_id for c in ws.comments] == [said.sketch_id]
    assert ws.extra[-1].id == "annotations"
    (feature,) = ws.extra[-1].features["features"]
    assert "&lt;b&gt;gate&lt;/b&gt;" in feature["properties"]["_tooltip"]
    assert "checked by carol@example.org" in feature["properties"]["_tooltip"]
    targets = notes.comment_targets(ws.situation, ws.annotations)
    assert targets[f"sketch:{added.sketch_id}"].endswith("(annotation)")
    assert any(key.startswith("feature:") for key in targets)
    assert notes.comments_on(ws.comments, f"sketch:{added.sketch_id}") == list(ws.comments)
    assert notes.authors((*ws.annotations, *ws.comments)) == [
        "alice@example.org",
        "carol@example.org",
    ]
    assert notes.only_by(ws.comments, "alice@example.org") == []
    rows = ws.history(ws.annotations[0])
    assert [(r.who, r.what) for r in rows] == [
        ("carol@example.org", "revision 2: marked checked by carol@example.org"),
        ("alice@example.org", "created \u201cCrowd at the <b>gate</b>\u201d (revision 1)"),
    ]


def test_history_tells_renames_notes_and_deletes(tmp_path: Path) -> None:
    store = SQLiteSketchStore(tmp_path / "s.sqlite3")
    first = store.save(
        SketchDraft(kind="corridor", name="North", content=LINE), base_revision=None, author="ana"
    )
    second = store.save(
        replace(first.draft(), name="North 2", notes="wider"), base_revision=1, author="dana"
    )
    store.save(second.draft(), base_revision=2, author="dana")
    store.delete(first.sketch_id, base_revision=3, author="ana")
    rows = notes.history_rows(store.history(first.sketch_id))
    assert [r.what for r in rows] == [
        "deleted \u201cNorth 2\u201d (revision 4; kept here)",
        "revision 3: saved again, nothing changed",
        "revision 2: renamed \u201cNorth\u201d \u2192 \u201cNorth 2\u201d; notes \u201c\u201d \u2192 \u201cwider\u201d",
        "created \u201cNorth\u201d (revision 1)",
    ]
    assert [r.who for r in rows] == ["ana", "dana", "dana", "ana"]
