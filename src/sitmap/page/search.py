"""Find a place by name: English, Arabic or Hebrew, and the spellings sources use.

A name matches when the query, folded, is part of it (``jneina`` in "al-Jneina"), or when
their consonant skeletons match (Jenina, Jneina and Geneina share ``jnn``: Arabic names
are transliterated with or without vowels, and with g or j for the same letter). Arabic is
folded without its article, diacritics and letter variants; Hebrew without points.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Final

import pandas as pd

from sitmap.schema import LayerKind
from sitmap.situation import Situation

__all__ = ["Match", "find_places", "fold"]

NAME_KEYS: Final = ("name", "name_ar", "name_he", "title")
"""The properties a feature is found by, besides ``aliases`` (a list of other spellings)."""

MAX_MATCHES: Final = 8

_ARABIC_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ى": "ي", "ة": "ه", "ـ": None})
_ARTICLE_WORDS = frozenset({"al", "el", "ad", "an", "ar", "as", "at", "ash", "az", "ال"})
_ARTICLES = re.compile(r"^ال(?=..)")
_VOWELS = str.maketrans(dict.fromkeys("aeiouyw"))
_LETTERS = str.maketrans({"g": "j", "q": "k", "c": "k"})


@dataclass(frozen=True)
class Match:
    """A feature found by name: its id, the name that matched, and its layer."""

    id: str
    name: str
    layer: str


def fold(text: str, /) -> str:
    """Text as names are compared: no case, accents, points, articles or punctuation."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    kept = kept.translate(_ARABIC_FOLD)
    words = [
        _ARTICLES.sub("", word)
        for word in re.split(r"[\s\-'’ʼ`]+", kept)
        if word and word not in _ARTICLE_WORDS
    ]
    return "".join(ch for word in words for ch in word if ch.isalnum())


def _skeleton(folded: str) -> str:
    """The consonants of a Latin name (Jenina, Jneina, Geneina: 'jnn')."""
    return folded.translate(_VOWELS).translate(_LETTERS)


def _names(row: pd.Series) -> list[str]:
    names = [str(row[k]) for k in NAME_KEYS if k in row and isinstance(row[k], str)]
    aliases = row.get("aliases")
    if isinstance(aliases, list):
        names += [str(a) for a in aliases if isinstance(a, str)]
    return names


def _score(wanted: str, sound: str, name: str) -> int | None:
    """How well a name matches (0 best), None when it does not: the whole name or one of
    its parts (a spelling in brackets) equals the query; the main name holds it; another
    part holds it; then the same, by consonants.
    """
    pieces = [fold(part) for part in re.split(r"[(),;]", name) if fold(part)]
    if not pieces:
        return None
    if wanted in pieces:
        return 0
    if wanted in pieces[0]:
        return 1
    if any(wanted in piece for piece in pieces[1:]):
        return 2
    if len(sound) < 2:
        return None
    sounds = [_skeleton(piece) for piece in pieces]
    if sound in sounds:
        return 3
    return 4 if any(sound in piece for piece in sounds) else None


def find_places(situation: Situation, query: str, /, *, limit: int = MAX_MATCHES) -> list[Match]:
    """Features whose names match ``query``, best first (see :func:`_score`)."""
    wanted = fold(query)
    if len(wanted) < 2:
        return []
    sound = _skeleton(wanted)
    scored: dict[str, tuple[int, Match]] = {}
    for layer in situation.layers.values():
        if layer.spec.kind is LayerKind.EVENTS:
            continue
        for _, row in layer.frame.drop(columns="geometry").iterrows():
            ident = str(row["id"])
            for name in _names(row):
                score = _score(wanted, sound, name)
                if score is None:
                    continue
                label = str(row.get("name") or name)
                if ident not in scored or score < scored[ident][0]:
                    scored[ident] = (score, Match(ident, label, layer.id))
    ranked = sorted(scored.values(), key=lambda item: (item[0], item[1].name))
    return [match for _, match in ranked[:limit]]
