"""What a briefing says besides its map, as plain data: the page's own tables for the view.

The corridor comparison is the page's (:func:`sitmap.page.tables.comparison_table`,
ranked the way the workbench ranks), the claims are grouped by question
(:func:`~sitmap.page.tables.claim_tables`), the events are those of the time range
(:func:`~sitmap.page.tables.events_table`); the sources listed are exactly those cited by
what the briefing shows: the features drawn, the events and claims listed and the
corridors compared.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from sitmap.analysis import CompareBy, compare
from sitmap.page import tables
from sitmap.page.workbench import MeasuredCorridors
from sitmap.schema import LayerKind, Source
from sitmap.situation import Situation

__all__ = ["DEFAULT_RANK", "Comparison", "cited_sources", "comparison", "corridor_sources"]

DEFAULT_RANK: CompareBy = "length_in_controlled_m"
"""What the comparison ranks on unless told otherwise (the workbench's first choice)."""


@dataclass(frozen=True)
class Comparison:
    """The corridor comparison: its rows (the page's), columns shown and what it ranks on."""

    rows: list[dict[str, object]]
    columns: list[str]
    ranked_on: str


def comparison(
    situation: Situation,
    measured: MeasuredCorridors,
    /,
    *,
    corridors: Collection[str] | None = None,
    by: CompareBy = DEFAULT_RANK,
) -> Comparison:
    """The page's comparison rows for the chosen corridors (None: every measured one)."""
    analysis = situation.manifest.analysis
    items = [i for i in measured.measured() if corridors is None or i.id in corridors]
    ranked = compare([measured.reports[item.id] for item in items], by=by)
    origins = {item.id: item.origin for item in items}
    rows = tables.comparison_table(ranked, by=by, origins=origins, analysis=analysis)
    glance, _details = tables.comparison_columns(analysis)
    names = {value: label for label, value in tables.rank_choices(analysis).items()}
    columns = [*glance, "Kind", "Ends in", "Nearest crossing"]
    return Comparison(rows, columns, names.get(by, by))


def corridor_sources(situation: Situation, ids: Collection[str], /) -> list[str]:
    """Source ids of the situation's corridor options among ``ids``."""
    found: list[str] = []
    for layer in situation.layers_of(LayerKind.CORRIDORS):
        frame = layer.frame[layer.frame["id"].astype(str).isin(list(ids))]
        for value in frame["source"]:
            found.extend([value] if isinstance(value, str) else list(value))
    return found


def cited_sources(situation: Situation, ids: Iterable[str], /) -> list[Source]:
    """The sources of ``ids`` (cited by what is shown), once each, oldest first."""
    found = [situation.sources[i] for i in dict.fromkeys(ids) if i in situation.sources]
    return sorted(found, key=lambda s: (s.date, s.publisher, s.title))
