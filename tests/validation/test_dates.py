"""Reported dates and access dates: a fact is never reported after the situation's end."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from sitmap.errors import ValidationError
from sitmap.schema import Source
from sitmap.validation import check_situation, load_sources, validate_path
from tests.conftest import collection, point_feature

CLAIM = {
    "about": "Where it is",
    "by": "A source",
    "says": "here",
    "source": "wikipedia_rafah",
    "date": "2025-11-10",
}


def test_a_reported_date_after_the_end_names_file_feature_and_date(write_layer) -> None:
    path = write_layer(
        "places.geojson", collection(point_feature("ok"), point_feature("late", as_of="2026-11-25"))
    )
    with pytest.raises(
        ValidationError,
        match=rf"{path}: late: reported date as_of 2026-11-25 is after the situation's end "
        r"2025-11-30 \(situation.toml\); a date the source was looked up goes in 'accessed'",
    ) as err:
        validate_path(path.parent)
    assert not [p for p in err.value.problems if p.feature == "ok"]


def test_a_claim_reported_after_the_end_is_refused(write_layer) -> None:
    late = point_feature("p1", claims=[CLAIM, {**CLAIM, "by": "Later", "date": "2026-01-11"}])
    path = write_layer("places.geojson", collection(late))
    with pytest.raises(
        ValidationError,
        match=rf"{path}: p1: reported date claim 2 \(Later\) date 2026-01-11 is after the "
        r"situation's end 2025-11-30",
    ):
        validate_path(path)  # a lone file inside a situation is checked against it


def test_the_end_day_itself_is_accepted(write_places) -> None:
    path = write_places(collection(point_feature("p1", as_of="2025-11-30")))
    assert str(validate_path(path.parent)).startswith("ok: ")


@pytest.mark.parametrize(
    "feature",
    [
        point_feature("bulk", accessed="2026-11-25"),  # no claims: checked in bulk
        point_feature("one", accessed="2026-11-25", claims=[{**CLAIM, "accessed": "2026-11-25"}]),
    ],
)
def test_accessed_may_be_after_the_end(write_places, feature: dict) -> None:
    path = write_places(collection(feature))
    check = check_situation(path.parent)
    assert not check.problems
    (props,) = check.layers["places"].props
    assert props is not None and props.accessed == dt.date(2026, 11, 25)


def test_accessed_must_be_a_real_date(write_layer) -> None:
    path = write_layer("places.geojson", collection(point_feature("p1", accessed="2025-11-31")))
    with pytest.raises(
        ValidationError, match=rf"{path}: p1: .*'2025-11-31' is not a real ISO date"
    ):
        validate_path(path.parent)


def test_sources_take_an_access_date(situation_copy: Path) -> None:
    sources, problems = load_sources(situation_copy)
    assert not problems
    assert sources["wikipedia_rafah"].accessed == dt.date(2025, 11, 25)
    source = Source(id="s", publisher="P", title="T", date="2025-10-10", accessed="2026-01-01")
    assert source.accessed == dt.date(2026, 1, 1)
    toml = situation_copy / "sources.toml"
    toml.write_text(
        toml.read_text() + '\n[[sources]]\nid = "x"\npublisher = "P"\ntitle = "T"\n'
        'date = "2025-10-10"\naccessed = "soon"\n'
    )
    with pytest.raises(ValidationError, match=r"sources.toml: x: .*'soon' is not a real ISO date"):
        validate_path(situation_copy)
