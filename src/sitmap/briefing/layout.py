"""The briefing's paper: sizes, margins and where the map, legend and notes sit on page 1.

Every page is landscape. Sizes are CSS pixels (1/96 inch), the unit WeasyPrint lays
out in and the one Leaflet styles are written in, so a 3 px line is 3 px on paper too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal, get_args

__all__ = [
    "FOOTER_PX",
    "HEADER_PX",
    "PAPERS",
    "PX_PER_MM",
    "Paper",
    "PaperLayout",
    "paper_layout",
]

Paper = Literal["a4", "letter"]
"""The paper sizes a briefing comes in (both landscape)."""

PAPERS: Final[dict[str, tuple[float, float]]] = {"a4": (297.0, 210.0), "letter": (279.4, 215.9)}
"""Landscape page width and height of each paper, mm."""

PX_PER_MM: Final = 96 / 25.4
MARGIN_MM: Final = 9.0
HEADER_PX: Final = 62.0
"""Title (up to two lines) and the line saying date, range, language and layers."""
FOOTER_PX: Final = 58.0
"""The disclaimer under the map."""
LEGEND_PX: Final = 250.0
GAP_PX: Final = 10.0


@dataclass(frozen=True)
class PaperLayout:
    """Page 1 of a briefing on one paper: page size (CSS ``size``) and boxes, px."""

    paper: Paper
    css_size: str
    content_width: float
    content_height: float
    map_width: float
    map_height: float

    @property
    def legend_left(self) -> float:
        """Where the legend column starts, px from the content's left edge."""
        return self.map_width + GAP_PX

    @property
    def margin_px(self) -> float:
        """The page margin, px."""
        return MARGIN_MM * PX_PER_MM


def paper_layout(paper: str, /) -> PaperLayout:
    """The layout of a paper size; ValueError names the sizes there are."""
    if paper not in PAPERS:
        msg = f"unknown paper {paper!r}; choose one of {', '.join(get_args(Paper))}"
        raise ValueError(msg)
    width_mm, height_mm = PAPERS[paper]
    width = (width_mm - 2 * MARGIN_MM) * PX_PER_MM
    height = (height_mm - 2 * MARGIN_MM) * PX_PER_MM - 2  # rounding never spills a page
    css = "A4 landscape" if paper == "a4" else "letter landscape"
    return PaperLayout(
        paper,  # type: ignore[arg-type]
        css,
        width,
        height,
        map_width=width - LEGEND_PX - GAP_PX,
        map_height=height - HEADER_PX - FOOTER_PX,
    )
