r"""Show text from data as text: one rule for HTML, Markdown, map scripts and terminals.

Every string that comes from a file, an upload, a user or a claim goes through one of
these before it is shown: :func:`esc` for HTML (Leaflet popups and tooltips),
:func:`md_escape` for Markdown (every Streamlit message, label, button and table cell that
renders Markdown), :func:`plain_text` for widgets that show plain text (select boxes,
``st.dataframe`` cells), :func:`script_safe` for JSON placed in a map's script and
:func:`terminal_safe` for what the command line prints.

All of them neutralise bidirectional controls (:func:`plain_text`; the map's script
data: embeddings, overrides and isolates): the override U+202E in ``report\u202etxt.csv``
would show the name as "reportvsc.txt"; it is shown as U+FFFD instead, so the name reads
in its stored order and the reader sees that something odd was in it.
"""

from __future__ import annotations

import html
import re
import string
import unicodedata
from typing import Any, Final

__all__ = [
    "BIDI_CONTROLS",
    "REPLACEMENT",
    "WORD_JOINER",
    "esc",
    "md_escape",
    "plain_text",
    "script_safe",
    "terminal_safe",
]

REPLACEMENT: Final = "\ufffd"
"""What a neutralised control character is shown as."""

WORD_JOINER: Final = "\u2060"
"""Invisible, no line break: placed inside ``://``, ``www.`` and ``@`` so that no
Markdown renderer turns the text into a link (GFM autolink literals are found in the text
after backslash escapes are resolved, so escaping alone does not stop them)."""

_EMBEDDINGS: Final = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_MARKS: Final = frozenset("\u200e\u200f\u061c")
BIDI_CONTROLS: Final = _EMBEDDINGS | _MARKS
"""Embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069) and the marks
LRM, RLM and ALM (U+200E, U+200F, U+061C)."""

_RTL: Final = frozenset({"R", "AL"})


def _has_rtl_letters(text: str) -> bool:
    return any(unicodedata.bidirectional(ch) in _RTL for ch in text if ch not in _MARKS)


def plain_text(value: Any) -> str:
    """The text with bidirectional controls neutralised (shown as U+FFFD).

    Embeddings, overrides and isolates always are: they reorder what follows them. The
    marks LRM/RLM/ALM are kept in text that has right-to-left letters (Arabic, Hebrew),
    where they place punctuation, and neutralised elsewhere, where they can only spoof.
    """
    text = "" if value is None else str(value)
    if not BIDI_CONTROLS.intersection(text):
        return text
    spoofing = _EMBEDDINGS if _has_rtl_letters(text) else BIDI_CONTROLS
    return "".join(REPLACEMENT if ch in spoofing else ch for ch in text)


_BRACES = str.maketrans({"{": "&#123;", "}": "&#125;"})


def esc(value: Any) -> str:
    """Text safe to place in HTML content or a quoted attribute, and inert in templates.

    Braces become character references too: folium's branca re-reads rendered map
    scripts as Jinja templates, so ``{{ ... }}`` in data would run on the server.
    Bidirectional controls are neutralised (:func:`plain_text`).
    """
    return html.escape(plain_text(value), quote=True).translate(_BRACES)


_MARKDOWN_SPECIALS: Final = frozenset(string.punctuation)
_AUTOLINK = re.compile(r"(?i)(?<=:)(?=//)|(?<=@)|(?<=www)(?=\.)")


def md_escape(value: Any) -> str:
    """Text that Streamlit's Markdown shows literally: no HTML, links, images, autolinks,
    emphasis, headings, lists, tables, LaTeX or colour directives.

    Every ASCII punctuation character is backslash-escaped (CommonMark shows an escaped
    punctuation character as itself), a word joiner (U+2060, invisible) breaks ``://``,
    ``www.`` and ``@`` so that no address becomes a link, and bidirectional controls are
    neutralised (:func:`plain_text`).
    """
    text = _AUTOLINK.sub(WORD_JOINER, plain_text(value))
    return "".join("\\" + ch if ch in _MARKDOWN_SPECIALS else ch for ch in text)


_JINJA_OPENER = re.compile(r"\{(?=[{%#])")
_ESCAPED_EMBEDDING = re.compile(r"\\u(?:202[a-eA-E]|206[6-9])")


def _unless_escaped(match: re.Match[str]) -> str:
    r"""'\ufffd' for a JSON escape of an embedding; as it is when its backslash is itself
    escaped (the text holds a backslash and the letters).
    """
    text, at = match.string, match.start() - 1
    while at >= 0 and text[at] == "\\":
        at -= 1
    return match.group() if (match.start() - 1 - at) % 2 else "\\ufffd"


def _json_bidi_safe(text: str) -> str:
    r"""Compact JSON with every embedding, override and isolate in its strings neutralised
    (as '\ufffd'), written as a character or as a JSON escape: in JSON such characters
    occur only inside strings. The marks (LRM, RLM, ALM) are left to the browser's
    ``dir="auto"`` elements: they cannot reorder letters, and deciding per string whether
    a mark is needed would cost more than the whole payload.
    """
    for ch in _EMBEDDINGS:
        if ch in text:
            text = text.replace(ch, "\\ufffd")
    if "\\u202" in text or "\\u206" in text:
        text = _ESCAPED_EMBEDDING.sub(_unless_escaped, text)
    return text


def script_safe(text: str) -> str:
    r"""A piece of compact JSON made safe inside a <script> element (no '</script>' or
    '<!--' breakout) and inert as a Jinja template: branca wraps rendered scripts in a new
    ``Template``, so a '{{', '{%' or '{#' from the data would run on the server. Compact
    JSON has those only inside strings, where '\u007b' reads back as '{'. Embeddings,
    overrides and isolates in its strings are neutralised, as '\ufffd'.
    """
    text = _json_bidi_safe(text)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return _JINJA_OPENER.sub(r"\\u007b", text)


_TERMINAL_UNSAFE = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]"
)


def terminal_safe(text: str) -> str:
    r"""Text a terminal prints as text: control characters (C0 but the newline, DEL, C1,
    so no escape sequence), bidirectional controls and line/paragraph separators become
    ``\uXXXX``. The escapes are JSON's, so JSON text stays valid JSON with the same value.
    """
    return _TERMINAL_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
