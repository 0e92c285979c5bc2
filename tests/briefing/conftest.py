"""Briefings of the Rafah situation, made once per module: their HTML, PDF text and PNG."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from sitmap.briefing import BriefingRequest
from sitmap.mapview import ViewState, default_layers
from sitmap.page.workbench import MeasuredCorridors, candidates, measure_corridors
from sitmap.situation import Situation, load_situation
from tests.conftest import RAFAH

BIDI_CONTROLS = dict.fromkeys(
    map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
)


@pytest.fixture(scope="session")
def rafah() -> Situation:
    return load_situation(RAFAH)


@pytest.fixture(scope="session")
def measured(rafah: Situation) -> MeasuredCorridors:
    return measure_corridors(rafah, candidates(rafah))


def request_for(
    situation: Situation, measured: MeasuredCorridors, *, language: str = "en", **kwargs
) -> BriefingRequest:
    view = ViewState(
        layers=kwargs.pop("layers", default_layers(situation)),
        as_of=kwargs.pop("as_of", situation.manifest.as_of),
        since=kwargs.pop("since", None),
        language=language,
    )
    return BriefingRequest(view=view, measured=measured, **kwargs)


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    """pdftotext's text of a PDF, without the bidi controls it adds around RTL runs."""
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext is missing: run `make briefing-tools` (poppler-utils)")
    path = tmp_path / "briefing.pdf"
    path.write_bytes(pdf)
    done = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True)
    return done.stdout.decode("utf-8").translate(BIDI_CONTROLS)


def words(text: str) -> str:
    """Text with every run of blanks one space (cells and lines wrap)."""
    return " ".join(text.split())


def squash(text: str) -> str:
    """Text without any blank: a long token may wrap anywhere in a table cell."""
    return "".join(text.split())
