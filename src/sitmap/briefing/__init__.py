"""Briefings for people who will not open the app: the current view on paper.

A briefing is the page's view (layers, time range, chosen corridors, names' language)
drawn offline: a landscape map page with the page's styles and labels, legend, scale bar,
north arrow, dates and the no-endorsement disclaimer, then the corridor comparison, the
claims by question, the events of the range and the sources cited. One module per
concern: :mod:`.projection` (Web Mercator onto paper), :mod:`.mapdraw` (shapes as SVG),
:mod:`.maplabels` (labels as HTML), :mod:`.content` (the page's tables), :mod:`.layout`
(paper), :mod:`.document` (the HTML), :mod:`.render` (PDF with WeasyPrint, PNG with
pdftoppm), :mod:`.commands` (``sitmap brief``, ``export-map``, ``export-layers``).
"""

from sitmap.briefing.document import BriefingRequest, briefing_html
from sitmap.briefing.layout import PAPERS, Paper, paper_layout
from sitmap.briefing.render import (
    BRIEFING_MEDIA_TYPES,
    BriefingFormat,
    briefing_bytes,
    html_to_pdf,
    pdf_to_png,
)

__all__ = [
    "BRIEFING_MEDIA_TYPES",
    "PAPERS",
    "BriefingFormat",
    "BriefingRequest",
    "Paper",
    "briefing_bytes",
    "briefing_html",
    "html_to_pdf",
    "paper_layout",
    "pdf_to_png",
]
