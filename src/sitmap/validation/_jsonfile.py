"""Read GeoJSON layer files: whole (bytes, text, document), or streamed in chunks.

The whole-file path names everything wrong with a file (size, encoding, JSON syntax). The
streamed path (:func:`stream_collection`) reads a plain FeatureCollection chunk by chunk
and hands its features on in batches; anything else it refuses with
:class:`NotStreamable`, for the whole-file path to read and name.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

from sitmap.errors import NO_FEATURE, Problem, ValidationError
from sitmap.settings import max_layer_bytes

__all__ = [
    "NotStreamable",
    "parse_geojson",
    "read_json_bytes",
    "stream_collection",
]


def read_json_bytes(path: Path, /, *, file: str, max_bytes: int | None = None) -> bytes:
    """Read a file's bytes, refusing a missing, unreadable or oversized file."""
    max_bytes = max_layer_bytes() if max_bytes is None else max_bytes
    try:
        size = path.stat().st_size
        if size > max_bytes:
            problem = (
                f"file is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB limit for a layer"
                " (set SITMAP_MAX_LAYER_MB to raise it)"
            )
            raise ValidationError([Problem(file, NO_FEATURE, problem)])
        return path.read_bytes()
    except FileNotFoundError:
        raise ValidationError([Problem(file, NO_FEATURE, "file does not exist")]) from None
    except IsADirectoryError:
        problem = "is a directory without a situation.toml, not a GeoJSON file"
        raise ValidationError([Problem(file, NO_FEATURE, problem)]) from None
    except OSError as err:
        problem = f"cannot be read: {err.strerror or err}"
        raise ValidationError([Problem(file, NO_FEATURE, problem)]) from None


def _decode(data: bytes, file: str) -> str:
    def refuse(problem: str) -> ValidationError:
        return ValidationError([Problem(file, NO_FEATURE, problem)])

    if not data.strip():
        msg = "file is empty" if not data else "file holds only whitespace"
        raise refuse(msg)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(data) > 1 and b"\x00" in data[:4]):
        msg = "file is UTF-16 or UTF-32 encoded; GeoJSON must be UTF-8 (RFC 8259)"
        raise refuse(msg)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        byte = data[err.start]
        problem = (
            f"not UTF-8 text (byte 0x{byte:02x} at offset {err.start}); "
            "GeoJSON must be UTF-8 (RFC 8259); re-save the file as UTF-8"
        )
        raise refuse(problem) from None


def parse_geojson(data: bytes, /, *, file: str) -> Any:
    """Decode and parse GeoJSON bytes; raise ValidationError naming what is wrong."""
    return _parse_text(_decode(data, file), file)


def _parse_text(text: str, file: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        where = f"line {err.lineno}, column {err.colno}"
        if err.pos >= len(text.rstrip()):
            problem = f"not valid JSON: the file ends too early ({where}); is it truncated?"
        else:
            problem = f"not valid JSON: {err.msg} ({where})"
        raise ValidationError([Problem(file, NO_FEATURE, problem)]) from None
    except RecursionError:
        problem = "not usable JSON: nested too deeply to parse (thousands of levels)"
        raise ValidationError([Problem(file, NO_FEATURE, problem)]) from None
    except ValueError:  # an integer longer than Python's limit (4300 digits)
        problem = "not usable JSON: a number has thousands of digits"
        raise ValidationError([Problem(file, NO_FEATURE, problem)]) from None


_DECODER = json.JSONDecoder()
_SCAN_ONCE = cast("Callable[[str, int], tuple[Any, int]]", vars(_DECODER)["scan_once"])
"""The decoder's scanner (set in ``JSONDecoder.__init__``; typeshed does not declare it)."""
_WHITESPACE = re.compile(r"[ \t\n\r]*")  # JSON's, as json.decoder.WHITESPACE
_CHUNK_BYTES = 1 << 22
"""Bytes read from a layer file at a time (4 MiB)."""


def _skip_whitespace(text: str, at: int) -> int:
    """The index of the first non-whitespace character at or after ``at``."""
    found = _WHITESPACE.match(text, at)
    return found.end() if found else at


class NotStreamable(Exception):  # noqa: N818 (a signal, not an error)
    """Not a plain JSON object with a 'features' array, or not readable as one: let the
    whole-file path read it and name what is wrong.
    """


class _Reader:
    """JSON text read from a binary file in chunks; ``buf[i:]`` is still to be parsed."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.decoder = codecs.getincrementaldecoder("utf-8-sig")("strict")
        self.buf = ""
        self.i = 0
        self.eof = False
        first = stream.read(_CHUNK_BYTES)
        if first.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in first[:4]:
            raise NotStreamable  # UTF-16/32: named by _decode
        self._add(first)

    def _add(self, data: bytes) -> None:
        try:
            text = self.decoder.decode(data, final=not data)
        except UnicodeDecodeError:
            raise NotStreamable from None
        self.eof = not data
        self.buf = self.buf[self.i :] + text
        self.i = 0

    def more(self) -> bool:
        """Read on (at least as much as is left, so a long value is re-read few times);
        False at the end of the file.
        """
        if self.eof:
            return False
        self._add(self.stream.read(max(_CHUNK_BYTES, len(self.buf) - self.i)))
        return True

    def skip_space(self) -> str:
        """Skip whitespace; the next character ('' at the end)."""
        while True:
            self.i = _skip_whitespace(self.buf, self.i)
            if self.i < len(self.buf) or not self.more():
                return self.buf[self.i : self.i + 1]

    def take(self, char: str) -> None:
        """The next character, after whitespace, must be ``char``."""
        if self.skip_space() != char:
            raise NotStreamable
        self.i += 1

    def value(self) -> Any:
        """The next JSON value (whitespace before it skipped)."""
        self.skip_space()
        while True:
            try:
                value, end = _SCAN_ONCE(self.buf, self.i)
            except (StopIteration, ValueError):  # cut by the chunk's end, or broken
                if self.more():
                    continue
                raise NotStreamable from None
            except RecursionError:
                raise NotStreamable from None
            if end == len(self.buf) and self.more():  # a number may go on
                continue
            self.i = end
            return value

    def key(self) -> str:
        """The next object key (a string, then ':')."""
        if self.skip_space() != '"':
            raise NotStreamable
        while True:
            try:
                key, end = json.decoder.scanstring(self.buf, self.i + 1, True)  # type: ignore[attr-defined]
            except ValueError:
                if self.more():
                    continue
                raise NotStreamable from None
            self.i = end
            self.take(":")
            return key


def stream_collection(
    path: Path, on_batch: Callable[[list[Any], int], None], *, batch_size: int
) -> dict[str, Any]:
    """Read a layer file's top-level JSON object in chunks, handing its 'features' array
    to ``on_batch`` in batches of ``batch_size`` (the features, and the index of the first);
    the object's members, 'features' given as [].

    Raises NotStreamable for a file to read whole instead: too large or unreadable, not
    UTF-8, broken JSON, or not a plain object with one 'features' array.
    """
    try:
        if path.stat().st_size > max_layer_bytes():
            raise NotStreamable
        stream = path.open("rb")
    except OSError:
        raise NotStreamable from None
    members: dict[str, Any] = {}
    with stream:
        reader = _Reader(stream)
        reader.take("{")
        if reader.skip_space() == "}":
            raise NotStreamable
        while True:
            key = reader.key()
            if key in members:  # json keeps a repeated key's last value
                raise NotStreamable
            if key == "features" and reader.skip_space() == "[":
                reader.i += 1
                _stream_features(reader, on_batch, batch_size)
                members[key] = []
            else:
                members[key] = reader.value()
            following = reader.skip_space()
            reader.i += 1
            if following == "}":
                break
            if following != ",":
                raise NotStreamable
        if reader.skip_space() != "":  # anything after the object
            raise NotStreamable
    if members.get("features") != []:  # missing, or given as something else
        raise NotStreamable
    return members


def _stream_features(
    reader: _Reader, on_batch: Callable[[list[Any], int], None], batch_size: int
) -> None:
    """Parse the features array, from just after its '[' to just after its ']', handing
    it on in batches.
    """
    batch: list[Any] = []
    offset = 0
    if reader.skip_space() == "]":
        reader.i += 1
        return
    while True:
        batch.append(reader.value())
        if len(batch) == batch_size:
            on_batch(batch, offset)
            offset += len(batch)
            batch = []
        following = reader.skip_space()
        reader.i += 1
        if following == "]":
            break
        if following != ",":
            raise NotStreamable
    if batch:
        on_batch(batch, offset)
