"""The briefing as one HTML document: a landscape map page, then the tables.

Page 1: title; the date, range, names' language and layers; the map (shapes as SVG, the
page's labels as HTML over it, a north arrow and a scale bar); the legend made from the
page's style table (only the symbols drawn); the situation's no-endorsement disclaimer.
Then: the corridor comparison, the claims grouped by question, the events of the range
and the sources cited by what is shown. Every string from data is escaped; Arabic and
Hebrew carry ``lang`` and ``dir`` so the text engine shapes and orders them.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from sitmap.analysis import CompareBy
from sitmap.analysis.timeline import claim_groups
from sitmap.briefing import mapdraw
from sitmap.briefing.content import (
    DEFAULT_RANK,
    Comparison,
    cited_sources,
    comparison,
    corridor_sources,
)
from sitmap.briefing.layout import FOOTER_PX, HEADER_PX, PaperLayout, paper_layout
from sitmap.briefing.maplabels import LABEL_FONT_PX, label_html, place_labels
from sitmap.briefing.projection import MapFrame, fit_frame, frame_at, scale_bar
from sitmap.escaping import esc
from sitmap.mapview import ExtraLayer, ViewState
from sitmap.mapview.basemap import swatch_svg
from sitmap.mapview.labels import ESTIMATE_MARK, LANGUAGES
from sitmap.mapview.styles import legend_entries
from sitmap.page import tables, texts
from sitmap.page.workbench import MeasuredCorridors
from sitmap.schema import Source
from sitmap.situation import Situation

__all__ = ["BriefingRequest", "briefing_html"]

_FONTS = '"Noto Sans", "DejaVu Sans", sans-serif'
_CSS = """
@page { size: %(size)s; margin: %(margin).1fpx;
  @bottom-left { content: "%(footer)s"; font-size: 8px; color: #555; font-family: %(fonts)s; }
  @bottom-right { content: "page " counter(page) " of " counter(pages); font-size: 8px;
    color: #555; font-family: %(fonts)s; } }
* { box-sizing: border-box; }
body { margin: 0; font-family: %(fonts)s; font-size: 10px; color: #1a1a1a; }
:lang(ar) { font-family: "Noto Sans Arabic", "Noto Naskh Arabic", %(fonts)s; }
:lang(he) { font-family: "Noto Sans Hebrew", %(fonts)s; }
.mappage { position: relative; width: %(cw).1fpx; height: %(ch).1fpx; page-break-after: always; }
.mappage header { position: absolute; left: 0; top: 0; width: 100%%; height: %(hh).0fpx; }
h1 { font-size: 15px; margin: 0 0 3px; line-height: 1.2; }
.sub { margin: 0; color: #333; font-size: 10px; }
.map { position: absolute; left: 0; top: %(hh).0fpx; width: %(mw).1fpx; height: %(mh).1fpx;
  border: 1px solid #777; overflow: hidden; }
.map svg.map-shapes { position: absolute; left: 0; top: 0; }
.map-label { position: absolute; font-size: %(lf).1fpx; line-height: 1.35; font-weight: 600;
  white-space: nowrap; }
.map-label span { background: rgba(255,255,255,0.72); border-radius: 3px; padding: 0 2px; }
.map-label.est { font-style: italic; }
.map svg.map-events { position: absolute; left: 0; top: 0; }
.north { position: absolute; right: 8px; top: 8px; width: 30px; text-align: center;
  background: rgba(255,255,255,0.85); border-radius: 3px; padding: 2px 0; font-weight: 700; }
.scale { position: absolute; left: 8px; bottom: 8px; background: rgba(255,255,255,0.85);
  border-radius: 3px; padding: 3px 6px 2px; font-size: 9px; }
.legend { position: absolute; left: %(ll).1fpx; top: %(hh).0fpx; width: %(lw).0fpx;
  font-size: 9px; }
.legend h2 { font-size: 12px; margin: 0 0 4px; }
.legend .row { margin: 0 0 2px; line-height: 14px; }
.legend svg { vertical-align: middle; margin-right: 5px; }
.legend .mark { display: inline-block; width: 30px; margin-right: 5px; font-weight: 600;
  font-style: italic; }
.legend .note { color: #444; margin-top: 6px; }
.disclaimer { position: absolute; left: 0; bottom: 0; width: 100%%; height: %(fh).0fpx;
  margin: 0; padding: 4px 6px; font-size: 9px; background: #fff8e1; border: 1px solid #e0c36b; }
h2 { font-size: 13px; margin: 10px 0 4px; page-break-after: avoid; }
h3 { font-size: 11px; margin: 8px 0 3px; page-break-after: avoid; }
table { border-collapse: collapse; width: 100%%; margin-bottom: 6px; }
th, td { border: 1px solid #bbb; padding: 2px 4px; vertical-align: top; text-align: start; }
th { background: #eee; }
tr { page-break-inside: avoid; }
.note { color: #444; }
"""


@dataclass(frozen=True)
class BriefingRequest:
    """What a briefing shows: the view (layers, date, range, language), the corridors to
    compare (None: every measured one) and what they rank on, the paper.
    """

    view: ViewState
    measured: MeasuredCorridors
    corridors: Collection[str] | None = None
    paper: str = "a4"
    by: CompareBy = DEFAULT_RANK
    extra: Sequence[ExtraLayer] = ()


def _css(layout: PaperLayout, footer: str) -> str:
    """The stylesheet for one paper; ``footer`` (identifiers and dates only) on every page."""
    return _CSS % {
        "footer": footer.replace("\\", "").replace('"', ""),
        "size": layout.css_size,
        "margin": layout.margin_px,
        "fonts": _FONTS,
        "cw": layout.content_width,
        "ch": layout.content_height,
        "hh": HEADER_PX,
        "mw": layout.map_width,
        "mh": layout.map_height,
        "ll": layout.legend_left,
        "lw": layout.content_width - layout.legend_left,
        "fh": FOOTER_PX,
        "lf": LABEL_FONT_PX,
    }


def _decorations(frame: MapFrame) -> str:
    """North arrow (the map is north-up) and a scale bar at the centre latitude."""
    bar = scale_bar(frame, max_px=frame.width * 0.22)
    half = bar.pixels / 2
    north = (
        '<div class="north"><svg width="14" height="18" viewBox="0 0 14 18">'
        '<path d="M7 0L14 18L7 13L0 18Z" fill="#1a1a1a"/></svg><div>N</div></div>'
    )
    scale = (
        f'<div class="scale"><svg width="{bar.pixels + 2:.1f}" height="8">'
        f'<rect x="1" y="1" width="{half:.1f}" height="6" fill="#1a1a1a" stroke="#1a1a1a"/>'
        f'<rect x="{1 + half:.1f}" y="1" width="{half:.1f}" height="6" fill="#fff" '
        'stroke="#1a1a1a"/></svg>'
        f"<div>0 \u2013 {esc(bar.label)} (at the map's centre)</div></div>"
    )
    return north + scale


def _legend(situation: Situation, keys: set[str]) -> str:
    rows = ['<aside class="legend"><h2>Legend</h2>']
    for entry in legend_entries(situation):
        if keys & set(entry.keys):
            rows.append(f'<div class="row">{swatch_svg(entry)}{esc(entry.title)}</div>')
    rows.append(
        f'<div class="row"><span class="mark">{esc(ESTIMATE_MARK)}Name</span>'
        "Label of an estimate (italic, marked)</div>"
    )
    rows.append(
        '<div class="note">Dashed = estimate; dotted = illustration. Lines and areas are '
        "drawn from the sources listed at the end.</div></aside>"
    )
    return "".join(rows)


def _table(columns: Sequence[str], rows: Sequence[Mapping[str, object]]) -> str:
    head = "".join(f"<th>{esc(c)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f'<td dir="auto">{esc(row.get(c, ""))}</td>' for c in columns) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _comparison_html(found: Comparison) -> str:
    if not found.rows:
        return "<h2>Corridor comparison</h2><p class='note'>No corridor chosen.</p>"
    return (
        f"<h2>Corridor comparison</h2><p class='note'>Ranked on {esc(found.ranked_on)}; rank 1 "
        f"is the smallest. {esc(texts.COMPARISON_NOTE)}</p>{_table(found.columns, found.rows)}"
    )


def _claims_html(situation: Situation, view: ViewState) -> str:
    out = [f"<h2>Who says what</h2><p class='note'>{esc(texts.CLAIMS_NOTE)}</p>"]
    for claim in tables.claim_tables(situation, view.as_of):
        out.append(f'<h3 dir="auto">{esc(claim.about)}</h3>')
        out.append(_table(list(claim.frame.columns), claim.frame.to_dict("records")))
    return "".join(out)


def _events_html(situation: Situation, view: ViewState) -> str:
    events = tables.events_table(situation, view.as_of, since=view.since)
    out = [f"<h2>Events</h2><p class='note'>{esc(events.note)}.</p>"]
    if len(events.frame):
        columns = ["Date", "Event", "Actors", "Source"]
        out.append(_table(columns, events.frame.to_dict("records")))
    return "".join(out)


def _sources_html(sources: Sequence[Source]) -> str:
    rows = [
        {
            "Publisher": s.publisher,
            "Title": s.title,
            "Date": s.date.isoformat(),
            "Address": s.url or "",
        }
        for s in sources
    ]
    return (
        "<h2>Sources cited</h2><p class='note'>Every source cited by the features drawn, the "
        "corridors compared, and the claims and events listed.</p>"
        + _table(["Publisher", "Title", "Date", "Address"], rows)
    )


def _header(situation: Situation, request: BriefingRequest) -> str:
    view = request.view
    manifest = situation.manifest
    titles = [layer.spec.title for layer in situation.layers.values() if layer.id in view.layers]
    titles += [own.title for own in request.extra if own.id in view.layers]
    language = LANGUAGES.get(view.language, "English")
    sub = (
        f"{mapdraw.as_of_text(view, manifest.start)}. Names in {language}. "
        f"Layers: {'; '.join(titles) or 'none'}."
    )
    return f'<header><h1>{esc(manifest.title)}</h1><p class="sub">{esc(sub)}</p></header>'


def _frame(situation: Situation, view: ViewState, layout: PaperLayout) -> MapFrame:
    """The page's centre and zoom when the view has them, else the situation's frame."""
    size = {"width": layout.map_width, "height": layout.map_height}
    if view.centre is not None and view.zoom is not None:
        lat, lon = view.centre
        return frame_at(lon, lat, view.zoom, **size)
    box = situation.manifest.view.frame
    return fit_frame(box.west, box.south, box.east, box.north, **size)


def briefing_html(situation: Situation, request: BriefingRequest, /) -> str:
    """The whole briefing as an HTML document for WeasyPrint (no external resource)."""
    view = request.view
    layout = paper_layout(request.paper)
    frame = _frame(situation, view, layout)
    shapes = mapdraw.draw_map(situation, view, frame, extra=request.extra)
    labels = place_labels(
        situation,
        view.layers,
        view.as_of,
        frame,
        language=view.language,
        avoid=shapes.event_boxes,
    )
    compared = comparison(situation, request.measured, corridors=request.corridors, by=request.by)
    events = mapdraw.shown_events(situation, view)
    claims = [row.source for group in claim_groups(situation, view.as_of) for row in group.rows]
    compared_ids = [str(row["id"]) for row in compared.rows]
    sources = cited_sources(
        situation,
        [
            *shapes.sources,
            *corridor_sources(situation, compared_ids),
            *mapdraw.event_sources(events),
            *claims,
        ],
    )
    disclaimer = situation.manifest.disclaimer
    since = (view.since or situation.manifest.start).isoformat()
    footer = (
        f"{situation.id} \u00b7 map as of {view.as_of.isoformat()}, events from {since} "
        "\u00b7 lines imply no endorsement"
    )
    page_one = (
        f'<section class="mappage">{_header(situation, request)}'
        f'<div class="map">{shapes.svg}{label_html(labels)}{shapes.events_svg}'
        f"{_decorations(frame)}</div>"
        f"{_legend(situation, shapes.legend_keys)}"
        f'<p class="disclaimer"><b>No endorsement.</b> {esc(" ".join(disclaimer.split()))}</p>'
        "</section>"
    )
    rest = (
        _comparison_html(compared)
        + _claims_html(situation, view)
        + _events_html(situation, view)
        + _sources_html(sources)
    )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{esc(situation.manifest.title)}</title><style>{_css(layout, footer)}</style>"
        "</head>"
        f"<body>{page_one}<section>{rest}</section></body></html>"
    )
