"""Escaped HTML for tooltips, popups and the legend: every data string goes through ``esc``.

Leaflet renders popup and tooltip strings as HTML, so nothing from a file, an upload or
a user may reach them unescaped. The markup here is fixed; only escaped text is spliced
in. Non-Latin names carry ``dir="auto"`` so Arabic and Hebrew read right to left.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from typing import Any, Final

from sitmap.analysis.timeline import claims_until
from sitmap.escaping import esc
from sitmap.schema import Source

__all__ = [
    "OPTIONAL_ROWS",
    "POPUP_TEXT",
    "esc",
    "popup_html",
    "source_text",
    "tooltip_html",
    "upload_popup_html",
]

MAX_VALUE_CHARS = 500
"""Longest property value shown in an upload's popup, characters."""

POPUP_TEXT: Final[dict[str, str]] = {
    "what": "What",
    "source": "Source",
    "reported": "Reported",
    "when": "When",
    "to_the": "to the",
    "accuracy": "Accuracy",
    "geometry": "Geometry",
    "approximate": "approximate: an estimate, not a survey",
    "sourced": "as sourced",
    "actors": "Actors",
    "link": "link",
    "claims": "Claims (attributed, not facts)",
    "who": "Who",
    "says": "Says",
    "source_date": "Source, date",
    "later": "later claim(s) hidden: after",
    "here": "here (places, then events, newest first):",
}
"""The fixed words of a popup, defined once: the Python popups use them, and the events
payload carries them to the browser's event popup (``static/sitmap/sitmap.js``), so both
read the same."""

OPTIONAL_ROWS: Final[tuple[tuple[str, str], ...]] = (
    ("status", "Status"),
    ("proposed_by", "Proposed by"),
    ("destination", "Destination"),
    ("mode", "Mode"),
    ("valid_from", "Valid from"),
    ("valid_to", "Valid to"),
    ("dating", "How dated"),
)
"""(property, label) rows shown after Geometry when a feature has them, in this order."""


def _present(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, float) and math.isnan(value):
        return False
    return not (isinstance(value, str) and not value.strip())


def source_text(source_id: str, sources: Mapping[str, Source]) -> str:
    """'Publisher, "Title", date' for a source id (plain text, not yet escaped)."""
    source = sources.get(source_id)
    if source is None:
        return f"{source_id} (not in sources.toml)"
    return f"{source.publisher}, \u201c{source.title}\u201d, {source.date.isoformat()}"


def _source_html(source_id: str, sources: Mapping[str, Source]) -> str:
    text = esc(source_text(source_id, sources))
    source = sources.get(source_id)
    if source is not None and source.url and source.url.startswith(("https://", "http://")):
        href = esc(source.url)
        link = POPUP_TEXT["link"]
        return f'{text} <a href="{href}" target="_blank" rel="noopener noreferrer">{link}</a>'
    return text


def _names(props: Mapping[str, Any]) -> str:
    parts = [f'<b dir="auto">{esc(props.get("name") or props.get("title") or props["id"])}</b>']
    for key, lang in (("name_ar", "ar"), ("name_he", "he")):
        if _present(props.get(key)):
            parts.append(f'<span dir="auto" lang="{lang}">{esc(props[key])}</span>')
    return " \u00b7 ".join(parts)


def tooltip_html(props: Mapping[str, Any]) -> str:
    """Name (with Arabic/Hebrew), and '(approximate)' when the geometry is an estimate."""
    flag = ' <i class="sitmap-approx">(approximate)</i>' if props.get("approximate") else ""
    return f"{_names(props)}{flag}"


def _row(label: str, value_html: str) -> str:
    return f"<tr><th>{esc(label)}</th><td>{value_html}</td></tr>"


def _claims_html(claims: Any, sources: Mapping[str, Source], as_of: dt.date | None) -> str:
    if as_of is None:
        kept, later = (claims if isinstance(claims, list) else []), 0
    else:
        kept, later = claims_until(claims, as_of)
    if not kept and not later:
        return ""
    by_question: dict[str, list[dict[str, Any]]] = {}
    for claim in kept:
        by_question.setdefault(claim["about"], []).append(claim)
    t = POPUP_TEXT
    out = [f'<div class="sitmap-claims"><div class="sitmap-h">{t["claims"]}</div>']
    head = f"<tr><th>{t['who']}</th><th>{t['says']}</th><th>{t['source_date']}</th></tr>"
    for about, rows in by_question.items():
        out.append(f'<div class="sitmap-about" dir="auto">{esc(about)}</div>')
        out.append(f"<table>{head}")
        for claim in rows:
            src = esc(source_text(claim["source"], sources))
            out.append(
                f'<tr><td dir="auto">{esc(claim["by"])}</td>'
                f'<td dir="auto">{esc(claim["says"])}</td>'
                f"<td>{src}; {esc(claim['date'].isoformat())}</td></tr>"
            )
        out.append("</table>")
    if later:
        out.append(f'<div class="sitmap-note">{later} {t["later"]} {as_of}</div>')
    out.append("</div>")
    return "".join(out)


def popup_html(
    props: Mapping[str, Any],
    sources: Mapping[str, Source],
    *,
    as_of: dt.date | None = None,
) -> str:
    """What a feature is, who says so, when, how precisely, and every claim side by side.

    Events use the same rows, in the same order, in the browser (``SitmapPoints``).
    """
    t = POPUP_TEXT
    rows = [_row(t["what"], esc(str(props.get("kind", "")).replace("_", " ")))]
    source_ids = props.get("source") or []
    if isinstance(source_ids, str):
        source_ids = [source_ids]
    rows.append(_row(t["source"], "<br>".join(_source_html(s, sources) for s in source_ids)))
    if _present(props.get("as_of")):
        rows.append(_row(t["reported"], esc(props["as_of"])))
    if _present(props.get("time")):
        precision = props.get("time_precision") or "day"
        when = f"{esc(str(props['time'])[:10])} ({t['to_the']} {esc(precision)})"
        rows.append(_row(t["when"], when))
    if _present(props.get("accuracy_m")):
        rows.append(_row(t["accuracy"], f"\u00b1{esc(int(props['accuracy_m']))} m"))
    geometry = t["approximate"] if props.get("approximate") else t["sourced"]
    rows.append(_row(t["geometry"], esc(geometry)))
    for key, label in OPTIONAL_ROWS:
        if _present(props.get(key)):
            rows.append(_row(label, f'<span dir="auto">{esc(props[key])}</span>'))
    if _present(props.get("actors")):
        rows.append(_row(t["actors"], esc(", ".join(map(str, props["actors"])))))
    parts = [f'<div class="sitmap-popup"><div class="sitmap-title">{_names(props)}</div>']
    if props.get("illustrative"):
        parts.append('<div class="sitmap-warn">Illustrative line: not a route anyone agreed.</div>')
    parts.append(f"<table>{''.join(rows)}</table>")
    if _present(props.get("description")):
        parts.append(f'<div class="sitmap-desc" dir="auto">{esc(props["description"])}</div>')
    parts.append(_claims_html(props.get("claims"), sources, as_of))
    parts.append("</div>")
    return "".join(parts)


def upload_popup_html(filename: str, props: Iterable[tuple[str, Any]]) -> str:
    """An uploaded feature: every property as escaped text, labelled unverified."""
    rows = []
    for key, value in props:
        if not _present(value):
            continue
        text = str(value)
        if len(text) > MAX_VALUE_CHARS:
            text = text[: MAX_VALUE_CHARS - 1] + "\u2026"
        rows.append(f'<tr><th dir="auto">{esc(key)}</th><td dir="auto">{esc(text)}</td></tr>')
    return (
        '<div class="sitmap-popup"><div class="sitmap-warn">Uploaded, unverified: '
        f"{esc(filename)}</div><table>{''.join(rows)}</table></div>"
    )
