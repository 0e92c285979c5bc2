"""Open zip uploads safely (KMZ, zipped Shapefile): check every entry first, count real bytes.

Refused before anything is unpacked: too many entries, absolute or climbing paths, NUL
characters, symbolic links, encryption, and a declared size or compression ratio past the
limits (the ratio is checked past 1 MB). While unpacking, real bytes are counted against the
same limits, whatever the archive declares. Entries are written under fresh names only.
"""

from __future__ import annotations

import contextlib
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from sitmap.errors import NO_FEATURE, ImportRefusedError, Problem
from sitmap.io._gdal import read_gdal
from sitmap.io._readcontext import Part, ReadContext
from sitmap.io.formats import SHAPEFILE_PARTS, ImportFormat
from sitmap.io.limits import ImportLimits

__all__ = [
    "Archive",
    "read_shapefiles",
]

_RATIO_FLOOR_BYTES = 1_000_000


@dataclass
class Archive:
    """A zip upload whose entries were all checked; unpacks them one by one, counting bytes.

    ``size`` is the archive's size in bytes; ``unzipped`` counts the bytes unpacked so far,
    across entries, against the limits. ``entries`` are its files, without folders and
    macOS clutter (``__MACOSX/``, ``._*``, ``.DS_Store``).
    """

    reader: ReadContext
    zip: zipfile.ZipFile
    infos: list[zipfile.ZipInfo]
    size: int
    unzipped: int = 0

    @classmethod
    def open(cls, reader: ReadContext, data: bytes) -> Archive:
        """A zip archive, checked entry by entry before anything is unpacked."""
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
            infos = archive.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as err:
            reader.fail(f"a damaged zip archive ({err})")
        opened = cls(reader, archive, infos, len(data))
        opened.check()
        return opened

    @property
    def entries(self) -> list[zipfile.ZipInfo]:
        return [i for i in self.infos if not i.is_dir() and not _zip_junk(i.filename)]

    def check(self) -> None:
        """Entry count, unsafe names, links, encryption, declared size and ratio: all at once."""
        limits, infos, size = self.reader.limits, self.infos, self.size
        if len(infos) > limits.zip_max_entries:
            self.reader.fail(
                f"zip archive holds {len(infos)} entries; the limit is {limits.zip_max_entries} "
                "(SITMAP_IMPORT_ZIP_MAX_ENTRIES)"
            )
        problems = []
        for info in infos:
            if problem := _zip_entry_problem(info):
                problems.append(
                    Problem(self.reader.file, f"entry {info.filename[:200]!r}", problem)
                )
        declared = sum(i.file_size for i in infos)
        if declared > limits.zip_max_bytes:
            problems.append(
                Problem(
                    self.reader.file,
                    NO_FEATURE,
                    f"zip archive would unpack to {declared / 1e6:,.0f} MB; the limit is "
                    f"{limits.zip_max_uncompressed_mb:g} MB "
                    "(SITMAP_IMPORT_ZIP_MAX_UNCOMPRESSED_MB)",
                )
            )
        elif declared > _RATIO_FLOOR_BYTES and declared > limits.zip_max_ratio * size:
            problems.append(
                Problem(self.reader.file, NO_FEATURE, _ratio_problem(declared, size, limits))
            )
        if problems:
            raise ImportRefusedError(problems)

    def unzip(self, info: zipfile.ZipInfo) -> bytes:
        """One entry's bytes, streamed and counted: stops past the limits, whatever it declares."""
        return self.unzip_to(info, None)

    def unzip_to(self, info: zipfile.ZipInfo, target: Path | None) -> bytes:
        """Stream one entry into ``target`` (or memory), counting real bytes against the limits."""
        limit = min(self.reader.limits.zip_max_bytes - self.unzipped, info.file_size)
        chunks: list[bytes] = []
        written = 0
        label = f"entry {info.filename[:200]!r}"
        try:
            with (
                self.zip.open(info) as source,
                target.open("wb") if target else contextlib.nullcontext() as sink,
            ):
                while chunk := source.read(1 << 20):
                    written += len(chunk)
                    if written > limit:
                        self.reader.fail(
                            "unpacks to more than its declared size or the zip limits; "
                            "refused as a likely zip bomb",
                            label,
                        )
                    if (
                        self.unzipped + written > self.reader.limits.zip_max_ratio * self.size
                        and self.unzipped + written > _RATIO_FLOOR_BYTES
                    ):
                        self.reader.fail(
                            _ratio_problem(self.unzipped + written, self.size, self.reader.limits),
                            label,
                        )
                    if sink is None:
                        chunks.append(chunk)
                    else:
                        sink.write(chunk)
        except ImportRefusedError:
            raise
        except NotImplementedError as err:
            self.reader.fail(
                f"uses a compression method sitmap cannot unpack ({err}); re-zip it", label
            )
        except RuntimeError as err:  # encrypted
            self.reader.fail(f"cannot be unpacked ({err})", label)
        except (zipfile.BadZipFile, EOFError, OSError, ValueError) as err:
            self.reader.fail(f"is damaged ({err})", label)
        self.unzipped += written
        return b"".join(chunks)


def read_shapefiles(archive: Archive, shps: list[zipfile.ZipInfo]) -> list[Part]:
    """Each .shp with its .shx and .dbf (and .prj, .cpg), unpacked under fresh names."""
    reader = archive.reader
    by_name = {i.filename.lower(): i for i in archive.entries}
    problems: list[Problem] = []
    sets = []
    for shp in shps:
        stem = shp.filename[:-4]
        found = {ext: by_name.get(stem.lower() + ext) for ext in SHAPEFILE_PARTS}
        missing = [ext for ext in (".shx", ".dbf") if found[ext] is None]
        if missing:
            base = PurePosixPath(shp.filename).name
            problems.append(
                Problem(
                    reader.file,
                    f"entry {shp.filename[:200]!r}",
                    f"Shapefile {base!r} has no {' or '.join(missing)} beside it in the zip; "
                    "a Shapefile needs its .shp, .shx and .dbf files together "
                    "(and .prj for its coordinate system)",
                )
            )
        sets.append((shp, found))
    if problems:
        raise ImportRefusedError(problems)
    parts: list[Part] = []
    for shp, found in sets:
        target = reader.path(".shp")
        archive.unzip_to(shp, target)
        for ext, info in found.items():
            if info is not None:
                archive.unzip_to(info, target.with_suffix(ext))
        name = PurePosixPath(shp.filename).stem
        hint = "add its .prj file to the zip, or export it as EPSG:4326"
        layer = name if len(shps) > 1 else None
        parts += read_gdal(
            reader, target, fmt=ImportFormat.SHAPEFILE_ZIP, hint=hint, layer_name=layer
        )
    return parts


def _zip_entry_problem(info: zipfile.ZipInfo) -> str | None:
    name = info.filename.replace("\\", "/")
    if name.startswith("/") or re.match(r"[A-Za-z]:", name):
        return "zip entry has an absolute path; refused"
    if ".." in name.split("/"):
        return "zip entry climbs out of the archive ('..' in its path); refused"
    if "\x00" in name:
        return "zip entry name holds a NUL character; refused"
    if info.create_system == 3 and (info.external_attr >> 16) & 0o170000 == 0o120000:
        return "zip entry is a symbolic link; refused"
    if info.flag_bits & 0x1:
        return "zip entry is encrypted (password-protected); upload it without a password"
    return None


def _ratio_problem(unpacked: int, size: int, limits: ImportLimits) -> str:
    return (
        f"zip archive expands {unpacked / max(size, 1):,.0f} times ({size:,} bytes to "
        f"{unpacked / 1e6:,.1f} MB); the limit is {limits.zip_max_ratio:g} "
        "(SITMAP_IMPORT_ZIP_MAX_RATIO): refused as a likely zip bomb"
    )


def _zip_junk(name: str) -> bool:
    base = PurePosixPath(name).name
    return name.startswith("__MACOSX/") or base.startswith("._") or base == ".DS_Store"
