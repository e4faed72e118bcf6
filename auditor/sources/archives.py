"""Archive expanders: the blobs in one file's content, unpacked from gzip and zip.

Everything unpacked from one input shares one `Budget` (bytes, members) and is unpacked no deeper
than MAX_ARCHIVE_DEPTH, so a bomb or a fan-out is refused before it costs memory or disk. Unpacked
content larger than STREAM_BYTES goes to a temporary file (a Spool), removed once the consumer
moves on. An Office document (XLSX, DOCX) is a zip too, but one document: it is passed on whole.
"""

from __future__ import annotations

import gzip
import io
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from auditor.errors import CUT_SHORT, InputError
from auditor.sources import sizes
from auditor.sources.spool import Content, Spool, read_limited, spool_stream
from auditor.sources.walker import skipped


class Budget:
    """What one input may still unpack, across nesting levels: bytes, members, depth."""

    def __init__(self) -> None:
        self.bytes_left = sizes.MAX_ARCHIVE_BYTES
        self.members_left = sizes.MAX_ARCHIVE_MEMBERS

    def cap(self) -> int:
        return min(sizes.MAX_FILE_BYTES, self.bytes_left)

    def spend(self, origin: str, size: int) -> None:
        self.bytes_left -= size
        if self.bytes_left < 0:
            raise sizes.archive_too_big(origin)


def unsafe(member: str) -> str | None:
    """Why a zip member's path is unsafe, or None: a `..` part climbs out of the folder it would be
    unpacked into, and an absolute path or drive ignores it (the zip specification allows neither).
    Nothing is unpacked to disk here, but such a member is a forged or broken archive: refused."""
    parts = member.replace("\\", "/").split("/")
    if ".." in parts:
        return "a '..' part climbs out of the archive"
    if member.startswith(("/", "\\")) or (len(member) > 1 and member[1] == ":" and member[0].isalpha()):
        return "an absolute path"
    return None


def is_office_document(names: list[str]) -> bool:
    """An XLSX/DOCX is a zip too, but one document: read whole, not member by member."""
    return "[Content_Types].xml" in names and any(n.startswith(("xl/", "word/")) for n in names)


# A zip file starts with its first member's local header, or, when it has no member at all, with the
# end-of-central-directory record (an empty archive is an archive: "contains no files", not "binary data").
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")


def expand_bytes(origin: str, data: Content, budget: Budget | None = None,
                 depth: int = 0) -> Iterator[tuple[str, Content | InputError]]:
    """The blobs in one file's content: the file itself, or its gzip content / zip members, unpacked
    no deeper than MAX_ARCHIVE_DEPTH and within one Budget for the whole input. Unpacked content
    larger than STREAM_BYTES goes to a temporary file (a Spool), removed once the consumer moves on."""
    budget = budget or Budget()
    magic = data[:4]
    if (magic[:2] == b"\x1f\x8b" or magic in ZIP_MAGIC) and depth >= sizes.MAX_ARCHIVE_DEPTH:
        yield origin, InputError(origin, f"archives nested more than {sizes.MAX_ARCHIVE_DEPTH} deep "
                                         "(set TRIAL_AUDIT_MAX_ARCHIVE_DEPTH to allow it)")
        return
    if magic[:2] == b"\x1f\x8b":
        try:
            size = _gzip_size(data, budget.cap())  # a bomb is refused without holding its content
            if size > budget.cap():
                raise sizes.too_big(origin, budget.cap())
            with _opened(data) as raw, gzip.GzipFile(fileobj=raw) as gz:
                inner = _unpacked(origin, gz, size, budget.cap())
            budget.spend(origin, len(inner))
        except InputError as err:  # a gzip bomb: small on disk, over the limit inside
            yield origin, err
            return
        except EOFError:  # gzip's "Compressed file ended before the end-of-stream marker was reached"
            yield origin, InputError(origin, f"broken gzip file: it ends before its compressed data does, {CUT_SHORT}")
            return
        except (OSError, zlib.error) as exc:
            yield origin, InputError(origin, f"broken gzip file: {exc}")
            return
        yield from _expand_unpacked(origin.removesuffix(".gz"), inner, budget, depth + 1)
    elif magic in ZIP_MAGIC:
        yield from _from_zip(origin, data, budget, depth)
    else:
        yield origin, data


def _unpacked(origin: str, stream: io.BufferedIOBase | IO[bytes], size: int, cap: int) -> Content:
    """An archive's content or member (`size` bytes by its header, at most `cap`): in memory, or
    above STREAM_BYTES a temporary file."""
    return read_limited(origin, stream, size, cap=cap) if size <= sizes.STREAM_BYTES else spool_stream(origin, stream, size, cap)


def _expand_unpacked(origin: str, inner: Content, budget: Budget, depth: int) -> Iterator[tuple[str, Content | InputError]]:
    """The blobs in unpacked content; its temporary file, if any, is removed once they are consumed."""
    try:
        yield from expand_bytes(origin, inner, budget, depth)
    finally:
        if isinstance(inner, Spool):
            inner.close()


def _opened(data: Content) -> IO[bytes]:
    return data.open() if isinstance(data, Spool) else io.BytesIO(data)


def _gzip_size(data: Content, cap: int) -> int:
    """The decompressed size of gzip data, counted up to `cap` + 1 without keeping the bytes."""
    total = 0
    with _opened(data) as raw, gzip.GzipFile(fileobj=raw) as gz:
        while total <= cap and (chunk := gz.read(1 << 20)):
            total += len(chunk)
    return total


def _from_zip(origin: str, data: Content, budget: Budget, depth: int) -> Iterator[tuple[str, Content | InputError]]:
    raw = _opened(data)
    try:
        archive = zipfile.ZipFile(raw)
        members = [m for m in archive.infolist() if not m.is_dir()]
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raw.close()
        # A zip's table of contents is at its end: a file that starts as a zip without one was cut short.
        cut = isinstance(exc, zipfile.BadZipFile) and str(exc) == "File is not a zip file"
        yield origin, InputError(origin, "broken zip archive: " + (f"its table of contents (at the end of a zip) is "
                                                                  f"missing, {CUT_SHORT}" if cut else str(exc)))
        return
    with raw, archive:
        if is_office_document([m.filename for m in members]):
            yield origin, data
            return
        budget.members_left -= len(members)
        if budget.members_left < 0:  # fan-out: refused before anything is unpacked
            yield origin, InputError(origin, f"archive holds more than {sizes.MAX_ARCHIVE_MEMBERS} members in all "
                                             "(set TRIAL_AUDIT_MAX_ARCHIVE_MEMBERS to allow it)")
            return
        hidden = 0
        for member in sorted(members, key=lambda m: m.filename):
            name = f"{origin}!{member.filename}"
            if why := unsafe(member.filename):  # refused, not skipped: the reader sees it was there
                yield name, InputError(name, f"unsafe path in archive: refused ({why})")
                continue
            if any(skipped(part) for part in Path(member.filename).parts):
                hidden += 1
                continue
            if member.file_size > sizes.MAX_FILE_BYTES:
                yield name, InputError(name, f"archive member larger than {sizes.MAX_FILE_BYTES} bytes")
                continue
            try:
                budget.spend(name, 0 if member.file_size <= budget.bytes_left else member.file_size)
                with archive.open(member) as fh:
                    inner = _unpacked(name, fh, member.file_size, budget.cap())
                budget.spend(name, len(inner))
            except InputError as err:
                yield name, err
                if budget.bytes_left <= 0:
                    return  # the budget is spent: the rest of the archive is not unpacked
                continue
            except (zipfile.BadZipFile, OSError, RuntimeError, EOFError, ValueError, zlib.error,
                    NotImplementedError) as exc:
                yield name, InputError(name, f"cannot extract: {exc}")
                continue
            yield from _expand_unpacked(name, inner, budget, depth + 1)
        if hidden == len(members):  # as an empty folder or one of hidden files: nothing to audit is an error
            yield origin, InputError(origin, "archive contains no files" if not hidden else
                                     f"archive has no input files: its {hidden} member(s) are hidden or system "
                                     "files (such as .DS_Store, __MACOSX/), which are skipped")
