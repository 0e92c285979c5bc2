"""What the page remembers between reruns of one browser session, behind one typed object.

:class:`PageSession` wraps the page's state mapping (``st.session_state`` in the app, a
dict in tests): every key is named here once, with its type. No Streamlit import.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import Any, Final

from sitmap.access import Person
from sitmap.store import Revision

__all__ = ["PageSession", "UploadOutcome"]

MAP_KEY: Final = "situation_map"
LAYER_KEY_PREFIX: Final = "layer:"
AS_OF_KEY: Final = "as_of"
TILES_KEY: Final = "tiles_online"
AUTHOR_KEY: Final = "author"
UPLOAD_KEY: Final = "upload"
UPLOAD_AS_KEY: Final = "upload_as"
RANK_KEY: Final = "rank_by"
RANGE_KEY: Final = "time_range"
LANGUAGE_KEY: Final = "language"
SEARCH_KEY: Final = "find_place"
EVENTS_TABLE_KEY: Final = "events_table"
COMPARISON_KEY: Final = "comparison_table"
TAB_KEY: Final = "tab"
MAP_DRAWN_KEY: Final = "map_drawn"
_SELECTED: Final = "selected"
_CENTRE: Final = "centre"
_ZOOM: Final = "zoom"
_DRAW_GENERATION: Final = "draw_generation"
_LAYERS_SEEN: Final = "layers_seen"
_UPLOADS_DONE: Final = "uploads_done"
_EDITING: Final = "editing"
_FLASH: Final = "flash"
_MOUNTED_AT: Final = "mounted_at"
_DRAWINGS_SEEN: Final = "drawings_seen"
_PERSON: Final = "signed_in_person"
_TIME_SEQ: Final = "time_seq"
PAGE_RANGE_STEP: Final = 1_000
"""How far the number of the range jumps when the page changes it itself (its slider):
past any report the map has in flight, so the map takes the page's range."""


@dataclass(frozen=True)
class UploadOutcome:
    """What became of one uploaded file: added (``message`` says what) or refused
    (``message`` names the file, ``problems`` lists every problem, as text).
    """

    message: str
    problems: tuple[str, ...] = ()


class PageSession:
    """Typed access to one session's state; widget keys are the ``*_KEY`` constants."""

    def __init__(self, state: MutableMapping[Any, Any]) -> None:
        """Wrap ``state`` (kept by the caller between reruns)."""
        self._state: MutableMapping[Any, Any] = state

    @property
    def author(self) -> str:
        """Who saves sketches and uploads in this session: the signed-in person's identity,
        else the name typed in the sidebar (one-person mode).
        """
        if (person := self.person) is not None:
            return person.id
        return self.typed_name

    @property
    def typed_name(self) -> str:
        """The name typed in the sidebar (one-person mode only)."""
        return str(self._state.get(AUTHOR_KEY, "")).strip()

    @property
    def person(self) -> Person | None:
        """Who signed in with the identity provider in this session (None: nobody)."""
        found = self._state.get(_PERSON)
        return found if isinstance(found, Person) else None

    @person.setter
    def person(self, person: Person | None) -> None:
        self._state[_PERSON] = person

    @property
    def signed_in(self) -> bool:
        """Whether someone signed in with the identity provider (the name box is gone)."""
        return self.person is not None

    @property
    def editing(self) -> Revision | None:
        """The saved corridor being edited, if any."""
        found = self._state.get(_EDITING)
        return found if isinstance(found, Revision) else None

    @editing.setter
    def editing(self, revision: Revision | None) -> None:
        self._state[_EDITING] = revision

    @property
    def map_key(self) -> str:
        """The map widget's key: a new one after a save clears the drawings."""
        return f"{MAP_KEY}-{self._state.get(_DRAW_GENERATION, 0)}"

    @property
    def map_drawn(self) -> bool:
        """Whether this session's map has been drawn in the browser: it reported its view
        once (``st_folium`` puts a ``center`` in its value only then). Until then the page
        sends the map alone, so the browser draws it before anything else; it stays true
        for the session (a new map after a save does not hide the page again).
        """
        if self._state.get(MAP_DRAWN_KEY):
            return True
        reported = self._state.get(self.map_key)
        if isinstance(reported, dict) and reported.get("center"):
            self._state[MAP_DRAWN_KEY] = True
            return True
        return False

    @property
    def map_tags(self) -> Any:
        """What the map last reported as its ``selected_tags`` (the range it stepped to,
        ``static/sitmap/timeline.js``); None before it reported any.
        """
        reported = self._state.get(self.map_key)
        return reported.get("selected_tags") if isinstance(reported, dict) else None

    @property
    def time_seq(self) -> int:
        """The number of the range the page holds: the map's last report taken, or more
        once the page changed the range itself (:meth:`range_moved`).
        """
        return int(self._state.get(_TIME_SEQ, 0))

    @time_seq.setter
    def time_seq(self, seq: int) -> None:
        self._state[_TIME_SEQ] = seq

    def range_moved(self) -> None:
        """The reader moved the range under the map: the map takes it over its own."""
        self.time_seq += PAGE_RANGE_STEP

    def clear_drawings(self) -> None:
        """Start the next run with a fresh map (no drawings left on it)."""
        self._state[_DRAW_GENERATION] = int(self._state.get(_DRAW_GENERATION, 0)) + 1

    def flash(self, message: str, *, where: str = "workbench") -> None:
        """Keep a message to show once, on the next run, next to the control ``where``."""
        self._state[f"{_FLASH}:{where}"] = message

    def take_flash(self, *, where: str = "workbench") -> str | None:
        """The message kept for this run at ``where``, forgotten once taken."""
        message = self._state.pop(f"{_FLASH}:{where}", None)
        return str(message) if message is not None else None

    def notice(self, *, where: str = "workbench") -> str | None:
        """The message kept at ``where``, left in place: it stays through the reruns the
        map itself asks for (a remounted map reports its view) until :meth:`clear_notice`.
        """
        message = self._state.get(f"{_FLASH}:{where}")
        return str(message) if message is not None else None

    def clear_notice(self, *, where: str = "workbench") -> None:
        """Forget the message kept at ``where`` (the person moved on: a new drawing)."""
        self._state.pop(f"{_FLASH}:{where}", None)

    def first_layer_run(self) -> bool:
        """True on this session's first run (the URL decides the layers then), once."""
        first = _LAYERS_SEEN not in self._state
        self._state[_LAYERS_SEEN] = True
        return first

    def layer_key(self, layer_id: str) -> str:
        """The key of one layer's checkbox."""
        return LAYER_KEY_PREFIX + layer_id

    def default_widget(self, key: str, value: Any) -> None:
        """Give a widget its first value, unless it already has one."""
        if key not in self._state:
            self._state[key] = value

    @property
    def selected(self) -> str | None:
        """The id of the feature, event or corridor to zoom to and open (None: none)."""
        found = self._state.get(_SELECTED)
        return str(found) if found else None

    @selected.setter
    def selected(self, ident: str | None) -> None:
        self._state[_SELECTED] = ident

    @property
    def centre(self) -> tuple[float, float] | None:
        """The map's last centre, (lat, lon) degrees (None: the situation's own view)."""
        found = self._state.get(_CENTRE)
        return (float(found[0]), float(found[1])) if found else None

    @property
    def zoom(self) -> int | None:
        """The map's last zoom level (None: the situation's own view)."""
        found = self._state.get(_ZOOM)
        return int(found) if found is not None else None

    def moved(self, centre: tuple[float, float] | None, zoom: int | None) -> None:
        """Remember where the map is, (lat, lon) degrees and zoom, as the map reported it."""
        if centre is not None:
            self._state[_CENTRE] = centre
        if zoom is not None:
            self._state[_ZOOM] = zoom

    def mount_view(self) -> tuple[tuple[float, float] | None, int | None]:
        """The (centre, zoom) the current map widget was first drawn at, fixed for its life.

        The map is handed this same view on every run, so it never jumps back to a centre
        it reported a moment ago while the reader pans or a popup pans it into sight;
        a new map (after :meth:`clear_drawings`) starts where the last one was.
        """
        key = f"{_MOUNTED_AT}:{self.map_key}"
        if key not in self._state:
            self._state[key] = (self.centre, self.zoom)
        centre, zoom = self._state[key]
        return centre, zoom

    def new_drawings(self, drawings: object) -> bool:
        """True when the map's drawings differ from those of the last run (a line was
        drawn, changed or removed; no drawings and none reported yet are the same): the
        page then opens the workbench to measure it.
        """
        # Lines only: a point or an area drawn is an annotation (the notes tab), which must
        # not be switched away from while it is described.
        lines = [
            d
            for d in (drawings if isinstance(drawings, list) else [])
            if isinstance(d, dict) and (d.get("geometry") or {}).get("type") == "LineString"
        ]
        seen = repr(lines)
        changed = seen != self._state.get(_DRAWINGS_SEEN, repr([]))
        self._state[_DRAWINGS_SEEN] = seen
        return changed

    def upload_outcome(self, file_id: str) -> UploadOutcome | None:
        """What became of the uploaded file ``file_id``; None while it is not yet read. It
        is shown beside the uploader on every run while that file sits there, so the
        reruns the map asks for (a view reported) do not take it away.
        """
        done: dict[str, UploadOutcome] = self._state.get(_UPLOADS_DONE, {})
        return done.get(file_id)

    def keep_upload_outcome(self, file_id: str, outcome: UploadOutcome) -> None:
        """Remember what became of ``file_id`` (it is read once per session)."""
        self._state.setdefault(_UPLOADS_DONE, {})[file_id] = outcome
