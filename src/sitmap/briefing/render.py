"""The briefing's HTML made into a PDF (WeasyPrint) or a PNG (the PDF's pages, pdftoppm).

WeasyPrint lays the text out with Pango and HarfBuzz, which shape Arabic and Hebrew and
order them right to left, and writes a PDF whose text layer holds every name and title
in logical order. It is handed a fetcher that refuses every URL: a briefing is drawn
offline from what the document holds. The PNG is each page at ``PNG_DPI`` (Debian's
poppler-utils ``pdftoppm``), stacked top to bottom.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any, Final, Literal

from sitmap.briefing.document import BriefingRequest, briefing_html
from sitmap.errors import SitmapError
from sitmap.situation import Situation

__all__ = [
    "BRIEFING_MEDIA_TYPES",
    "PNG_DPI",
    "BriefingFormat",
    "briefing_bytes",
    "html_to_pdf",
    "pdf_to_png",
]

BriefingFormat = Literal["pdf", "png"]
"""The formats a briefing comes in."""

BRIEFING_MEDIA_TYPES: Final[dict[str, str]] = {"pdf": "application/pdf", "png": "image/png"}
"""Media type of each briefing format, for download buttons."""

PNG_DPI: Final = 120
"""Resolution of the PNG's pages: 9 px labels stay legible."""

SETUP_HINT: Final = "install Debian's poppler-utils and fonts-noto-core (`make briefing-tools`)"
_PAGE_GAP_PX: Final = 12
_TIMEOUT_S: Final = 120


def _offline_fetcher() -> Any:
    """WeasyPrint's URL fetcher that fetches nothing, ever: the document holds it all."""
    import weasyprint

    class Offline(weasyprint.URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:  # noqa: ARG002 (its signature)
            msg = f"a briefing loads nothing from outside: {url[:60]!r} refused"
            raise ValueError(msg)

    return Offline()


def html_to_pdf(html: str, /) -> bytes:
    """The document as PDF bytes (WeasyPrint; nothing fetched)."""
    import weasyprint  # here: the page loads it only when a briefing is asked for

    document = weasyprint.HTML(string=html, url_fetcher=_offline_fetcher())
    pdf: bytes = document.write_pdf()
    return pdf


def _stack(pages: list[Path]) -> bytes:
    from PIL import Image

    images = [Image.open(page).convert("RGB") for page in pages]
    width = max(image.width for image in images)
    height = sum(image.height for image in images) + _PAGE_GAP_PX * (len(images) - 1)
    sheet = Image.new("RGB", (width, height), (150, 150, 150))
    top = 0
    for image in images:
        sheet.paste(image, ((width - image.width) // 2, top))
        top += image.height + _PAGE_GAP_PX
    out = io.BytesIO()
    sheet.save(out, format="PNG", compress_level=6)
    return out.getvalue()


def pdf_to_png(pdf: bytes, /, *, dpi: int = PNG_DPI, first_page_only: bool = False) -> bytes:
    """The PDF's pages as one PNG, top to bottom (or page 1 alone), at ``dpi``."""
    tool = shutil.which("pdftoppm")
    if tool is None:
        msg = f"no pdftoppm: {SETUP_HINT}"
        raise SitmapError(msg, file="briefing")
    with tempfile.TemporaryDirectory(prefix="sitmap-brief-") as folder:
        source = Path(folder) / "briefing.pdf"
        source.write_bytes(pdf)
        command = [tool, "-png", "-r", str(dpi), str(source), str(Path(folder) / "page")]
        if first_page_only:
            command[1:1] = ["-f", "1", "-l", "1"]
        done = subprocess.run(command, capture_output=True, timeout=_TIMEOUT_S, check=False)
        pages = sorted(Path(folder).glob("page-*.png"))
        if done.returncode != 0 or not pages:
            why = done.stderr.decode("utf-8", "replace").strip()[:200] or "no page"
            msg = f"pdftoppm failed: {why}"
            raise SitmapError(msg, file="briefing")
        return _stack(pages)


def briefing_bytes(situation: Situation, request: BriefingRequest, /, *, fmt: str) -> bytes:
    """The briefing of ``request`` as PDF or PNG bytes."""
    if fmt not in BRIEFING_MEDIA_TYPES:
        problem = f"unknown briefing format {fmt!r}; choose pdf or png"
        raise SitmapError(problem, file="briefing")
    pdf = html_to_pdf(briefing_html(situation, request))
    return pdf if fmt == "pdf" else pdf_to_png(pdf)
