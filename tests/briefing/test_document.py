"""The briefing: map page and tables as PDF (A4, Letter) and PNG, offline, searchable,
Arabic and Hebrew shaped and in logical order."""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
import socket
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from sitmap.analysis.timeline import claim_groups, valid_at
from sitmap.briefing import briefing_bytes, briefing_html, html_to_pdf, paper_layout, pdf_to_png
from sitmap.briefing.layout import HEADER_PX
from sitmap.briefing.render import PNG_DPI
from sitmap.escaping import esc
from sitmap.mapview.styles import legend_entries
from sitmap.page.workbench import MeasuredCorridors
from sitmap.situation import Situation

from .conftest import pdf_text, request_for, squash, words


@pytest.fixture(scope="module")
def arabic_pdf(rafah: Situation, measured: MeasuredCorridors) -> bytes:
    return briefing_bytes(rafah, request_for(rafah, measured, language="ar"), fmt="pdf")


def test_the_pdf_holds_the_disclaimer_the_sources_and_the_arabic_names_as_text(
    rafah: Situation, arabic_pdf: bytes, tmp_path: Path
) -> None:
    assert arabic_pdf.startswith(b"%PDF-")
    text = pdf_text(arabic_pdf, tmp_path)
    flat = words(text)
    assert words(rafah.manifest.disclaimer) in flat
    assert "No endorsement." in flat
    # Jenina's Arabic name in logical order (first letter first), as a reader searches it
    assert "الجنينة" in text
    assert "ةنينجلا" not in text  # not the reversed, visual order
    jenina = rafah.layer("neighbourhoods").frame
    arabic = [n for n in jenina["name_ar"] if isinstance(n, str)]
    assert sum(name in text for name in arabic) >= 3
    for title in ("Legend", "Corridor comparison", "Who says what", "Events", "Sources cited"):
        assert title in text
    cited = squash(re.findall(r"Sources cited(.*)", flat)[-1])
    enclave = rafah.layer("control").frame.set_index("id")
    for ident in enclave.loc[enclave["kind"] == "tunnel_enclave", "source"].iloc[0]:
        assert squash(rafah.sources[ident].title) in cited


def test_the_sources_listed_are_those_cited_by_what_is_shown(
    rafah: Situation, measured: MeasuredCorridors
) -> None:
    day = dt.date(2025, 10, 20)
    request = request_for(rafah, measured, layers=frozenset({"context", "control"}), as_of=day)
    html = briefing_html(rafah, request)
    listed = html.split("<h2>Sources cited</h2>", 1)[1]
    expected: set[str] = set()
    for layer_id in ("context", "control"):
        frame = rafah.layer(layer_id).frame
        for ids in frame[valid_at(frame, day) & frame.geometry.notna()]["source"]:
            expected.update(ids)
    events = rafah.layer("events").frame
    for time, ids in zip(events["time"], events["source"], strict=True):
        if time.date() <= day:
            expected.update(ids)
    expected.update(row.source for group in claim_groups(rafah, day) for row in group.rows)
    for ids in rafah.layer("corridors").frame["source"]:
        expected.update(ids)  # every option is compared
    for ident, source in rafah.sources.items():
        shown = f'<td dir="auto">{esc(source.title)}</td>' in listed
        assert shown == (ident in expected), ident


@pytest.mark.parametrize(("paper", "size_pt"), [("a4", (842, 595)), ("letter", (792, 612))])
def test_both_papers_are_landscape_and_the_map_page_fits_one_page(
    rafah: Situation,
    measured: MeasuredCorridors,
    paper: str,
    size_pt: tuple[int, int],
    tmp_path: Path,
) -> None:
    request = request_for(rafah, measured, paper=paper, language="he")
    pdf = html_to_pdf(briefing_html(rafah, request))
    text = pdf_text(pdf, tmp_path)  # writes tmp_path / "briefing.pdf"
    assert "עברית" in text  # "Names in עברית (Hebrew)": Hebrew in logical order
    assert "תירבע" not in text
    path = tmp_path / "briefing.pdf"
    info = subprocess.run(["pdfinfo", "-l", "99", str(path)], capture_output=True, check=True)
    sizes = re.findall(r"Page +\d+ size: +([\d.]+) x ([\d.]+) pts", info.stdout.decode())
    assert len(sizes) >= 3  # the map page, then the tables
    assert {(round(float(w)), round(float(h))) for w, h in sizes} == {size_pt}
    layout = paper_layout(paper)
    assert layout.map_width > 2.5 * (layout.content_width - layout.map_width)


def test_the_png_is_a_drawn_page_with_its_legend(
    rafah: Situation, measured: MeasuredCorridors, arabic_pdf: bytes
) -> None:
    png = pdf_to_png(arabic_pdf, first_page_only=True)
    image = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    width = image.shape[1]
    layout = paper_layout("a4")
    assert abs(width - 297 / 25.4 * PNG_DPI) < 2
    assert image.std() > 20  # not blank
    scale = PNG_DPI / 96
    left = round((layout.margin_px + layout.legend_left) * scale)
    top = round((layout.margin_px + HEADER_PX) * scale)
    legend = image[top : top + round(layout.map_height * scale), left:]
    assert (legend.sum(axis=2) < 600).mean() > 0.01  # words and symbols, not blank paper
    drawn = {e.title: e.style for e in legend_entries(rafah)}
    for title in ("Tunnel enclave (estimate)", "Yellow line: army withdrawal line (estimate)"):
        colour = drawn[title]["color"]
        rgb = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)])
        near = (np.abs(legend - rgb).sum(axis=2) < 40).sum()
        assert near > 20, f"the legend's {title} symbol is not in the PNG"


def test_a_png_briefing_stacks_every_page(
    rafah: Situation, measured: MeasuredCorridors, arabic_pdf: bytes
) -> None:
    png = pdf_to_png(arabic_pdf, dpi=40)
    image = Image.open(io.BytesIO(png))
    page_height = round(210 / 25.4 * 40)
    assert image.height > 2 * page_height  # the tables follow the map page


def test_a_briefing_loads_nothing_from_outside(
    rafah: Situation,
    measured: MeasuredCorridors,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    html = briefing_html(rafah, request_for(rafah, measured))
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "url(" not in html
    poisoned = '<p>map</p><img src="https://example.org/x.png"><img src="file:///etc/hostname">'
    asked: list[object] = []
    monkeypatch.setattr(socket.socket, "connect", lambda *a: asked.append(a))
    with caplog.at_level(logging.WARNING):
        assert html_to_pdf(poisoned).startswith(b"%PDF-")  # the images refused, not fetched
    assert asked == []
    assert caplog.text.count("a briefing loads nothing from outside") == 2
