"""Turn command-line inputs (files, folders, archives, ``-``) into (origin, content) pairs.

`walk` is the one folder walker: `check`, `batch` and per-path settings all see the same files.

Content is bytes, or a `Spool` when it is larger than TRIAL_AUDIT_STREAM_BYTES (64 MB): a file on
disk (the input itself, or a temporary file holding a large gzip's or zip member's content) that
the readers that can stream (JSON arrays, spreadsheets) read piece by piece, so a 900 MB website
download is never held in memory. Other readers get its bytes (`Spool.read_all`).
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
import os
import stat
import sys
import tempfile
import weakref
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, overload

from auditor import limits
from auditor.errors import InputError
from auditor.sources import remote, xmlsafe


def setting(name: str) -> int:
    """A whole-number TRIAL_AUDIT_* setting; its default when the value is bad."""
    try:
        return limits.env_int(name)
    except InputError:  # the command line refuses it before any work (limits.check_environment)
        return limits.INTEGERS[name][0]


# A registry export of 100,000 studies is ~2 GB as one JSON file; a single file above this is
# far more likely a mistake (or a decompression bomb) than a record set. The archive limits hold
# for everything unpacked from one input, across nesting levels (auditor/limits.py has the variables).
MAX_FILE_BYTES = setting("TRIAL_AUDIT_MAX_FILE_BYTES")
MAX_ARCHIVE_BYTES = setting("TRIAL_AUDIT_MAX_ARCHIVE_BYTES")
MAX_ARCHIVE_MEMBERS = setting("TRIAL_AUDIT_MAX_ARCHIVE_MEMBERS")
MAX_ARCHIVE_DEPTH = setting("TRIAL_AUDIT_MAX_ARCHIVE_DEPTH")
# Content above this stays on disk (a Spool) and is read piece by piece.
STREAM_BYTES = setting("TRIAL_AUDIT_STREAM_BYTES")
# Files no registry export consists of: operating-system litter, and what trial-audit itself writes
# beside the inputs (`init --with-schema` writes protocol.schema.json next to the protocol file).
SKIP_NAMES = frozenset({".DS_Store", "Thumbs.db", "desktop.ini", "protocol.schema.json", "trial-audit-fetch.json"})
SKIP_SUFFIXES = (".sarif", ".tmp")  # `check --format sarif -o x.sarif`; half-written files
# A folder holding this file is a `batch` results folder (its tables are outputs, not inputs).
RESULTS_MARKER = "audit.duckdb"


def skipped(name: str) -> bool:
    """Whether a file or folder name is never an input: hidden, litter, or written by the tool."""
    return name.startswith(".") or name in SKIP_NAMES or name.endswith(SKIP_SUFFIXES) or name == "__MACOSX"


def walk(root: Path, skip: Iterable[Path] = (), _above: frozenset[Path] = frozenset()) -> Iterator[Path]:
    """The input files under a folder, in a stable order (by name, folder by folder), one directory
    listing in memory at a time. Skips hidden files and folders (`.git`, `.venv`), the names above,
    `batch` results folders and the folders in `skip` (the results folder of the running batch).
    A folder it cannot list, a symbolic link back to a folder above it, and an entry that is neither
    file nor folder (a dangling link) are yielded as they are: reading them gives their error."""
    skip_dirs = {p.resolve() for p in skip}
    try:
        real = root.resolve()
        with os.scandir(root) as it:
            entries = sorted(it, key=lambda e: e.name)
    except (OSError, RuntimeError):
        yield root
        return
    above = _above | {real}
    for entry in entries:
        if skipped(entry.name):
            continue
        try:
            is_dir, is_file = entry.is_dir(), entry.is_file()
        except OSError:
            is_dir = is_file = False
        if is_dir:
            folder = Path(entry.path)
            try:
                target = folder.resolve()
                if (folder / RESULTS_MARKER).exists() or (skip_dirs and target in skip_dirs):
                    continue
            except (OSError, RuntimeError):
                yield folder
                continue
            if target in above:  # a symbolic link loop: reading it names the loop
                yield folder
                continue
            yield from walk(folder, skip_dirs, above)
        elif is_file or entry.is_symlink() or not is_dir:
            yield Path(entry.path)


def describe(head: bytes) -> str:
    """A few words on what unknown bytes look like, for error messages."""
    if head[:4] == b"PK\x03\x04":
        return "an Office document or zip archive"
    if b"\x00" in head[:1024]:
        return "binary data"
    text = head.lstrip()[:1]
    if text == b"<":
        root = xmlsafe.root_tag(head)
        return f"XML with root <{root}>" if root else "XML or HTML"
    return {b"{": "a JSON object", b"[": "a JSON array"}.get(text, "text")


def is_office_document(names: list[str]) -> bool:
    """An XLSX/DOCX is a zip too, but one document: read whole, not member by member."""
    return "[Content_Types].xml" in names and any(n.startswith(("xl/", "word/")) for n in names)


STDIN = "<stdin>"


def read_stdin() -> bytes:
    """Standard input's bytes (at most MAX_FILE_BYTES): a batch task carries them to its worker,
    which may be on another machine."""
    with _reading_stdin() as stream:
        return _limited(STDIN, stream)


def spool_stdin() -> Content:
    """Standard input as `check` reads it: more than STREAM_BYTES goes to a temporary file (a Spool)
    as it arrives, so a large pipe is read record by record like a large file."""
    with _reading_stdin() as stream:
        buffer = io.BytesIO()
        while buffer.tell() <= STREAM_BYTES and (chunk := stream.read(min(1 << 20, STREAM_BYTES + 1 - buffer.tell()))):
            buffer.write(chunk)
        if buffer.tell() <= STREAM_BYTES:
            return _checked(STDIN, buffer.getvalue(), MAX_FILE_BYTES)
        return _spool_stream(STDIN, stream, MAX_FILE_BYTES, MAX_FILE_BYTES, first=buffer.getvalue())


@contextlib.contextmanager
def _reading_stdin() -> Iterator[IO[bytes]]:
    stream = sys.stdin.buffer if sys.stdin is not None else None
    if stream is None:
        raise InputError(STDIN, "standard input is closed")
    try:
        yield stream
    except (OSError, ValueError) as exc:  # closed (`<&-`) or unreadable
        raise InputError(STDIN, f"cannot read standard input: {getattr(exc, 'strerror', None) or exc}") from None


def _limited(origin: str, stream: io.BufferedIOBase | io.RawIOBase | IO[bytes], size: int | None = None,
             cap: int | None = None) -> bytes:
    """The stream's bytes, refusing more than `cap` (default MAX_FILE_BYTES). `size`: what the
    stream is expected to hold; read(n) allocates n bytes up front, so asking a small file for the
    whole limit costs a 1 GB mmap and munmap each time (~35 us a file). Bytes are gathered in one
    buffer, never joined from parts, so refusing a bomb costs at most the limit."""
    limit = MAX_FILE_BYTES if cap is None else min(cap, MAX_FILE_BYTES)
    if size is not None:
        data = stream.read(min(size, limit) + 1)
        if len(data) <= size or len(data) > limit:  # the usual case, or more than allowed
            return _checked(origin, data, limit)
        buffer = io.BytesIO()
        buffer.write(data)  # it grew since we looked: read on in bounded steps
    else:
        buffer = io.BytesIO()
    total = buffer.tell()
    while total <= limit and (chunk := stream.read(min(1 << 20, limit + 1 - total))):
        buffer.write(chunk)
        total += len(chunk)
    return _checked(origin, buffer.getvalue(), limit)


def _checked(origin: str, data: bytes, limit: int) -> bytes:
    if len(data) > limit:
        raise _too_big(origin, limit)
    return data


class Spool:
    """Content too large to hold in memory: `size` bytes of a file on disk from `offset` on (the
    input file itself, or a temporary file this module wrote and removes on `close`). Sliced like
    bytes for sniffing (`spool[:4]`), opened for reading in pieces, or read whole (`read_all`) by a
    reader that cannot stream."""

    def __init__(self, path: str | Path, size: int, offset: int = 0, temporary: bool = False):
        self.path, self.size, self.offset = str(path), size, offset
        self._cleanup = weakref.finalize(self, _remove, self.path) if temporary else None

    def __len__(self) -> int:
        return self.size

    @overload
    def __getitem__(self, key: slice) -> bytes: ...
    @overload
    def __getitem__(self, key: int) -> int: ...
    def __getitem__(self, key: slice | int) -> bytes | int:
        if isinstance(key, int):
            return self[key:key + 1][0]
        start, stop, step = key.indices(self.size)
        if step != 1 or stop <= start:
            return b"" if stop <= start else self.read_all()[key]
        with self.open() as fh:
            fh.seek(start, os.SEEK_CUR)
            return fh.read(stop - start)

    def open(self) -> IO[bytes]:
        fh = open(self.path, "rb")  # noqa: SIM115 - the caller closes it
        if self.offset:
            fh.seek(self.offset)
        return fh

    def skip(self, count: int) -> Spool:
        """The same content without its first `count` bytes (a byte-order mark)."""
        other = Spool(self.path, self.size - count, self.offset + count)
        other._cleanup = self._cleanup  # the temporary file lives as long as either view
        return other

    def read_all(self) -> bytes:
        """The whole content, for a reader that cannot stream (at most MAX_FILE_BYTES)."""
        with self.open() as fh:
            return _limited(self.path, fh, self.size)

    def chunks(self, size: int = 1 << 20) -> Iterator[bytes]:
        with self.open() as fh:
            left = self.size
            while left > 0 and (chunk := fh.read(min(size, left))):
                left -= len(chunk)
                yield chunk

    def is_blank(self) -> bool:
        return not any(chunk.strip() for chunk in self.chunks())

    def close(self) -> None:
        if self._cleanup is not None:
            self._cleanup()


def _remove(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


Content = bytes | Spool


def digest(data: Content) -> str:
    """blake2b-128 of the content, as `auditor.batch.rows.digest` of its bytes, read in pieces for a Spool."""
    if not isinstance(data, Spool):
        return hashlib.blake2b(data, digest_size=16).hexdigest()
    h = hashlib.blake2b(digest_size=16)
    for chunk in data.chunks():
        h.update(chunk)
    return h.hexdigest()


def _spool_stream(origin: str, stream: io.BufferedIOBase | IO[bytes], size: int, cap: int,
                  first: bytes = b"") -> Spool:
    """A stream's content (about `size` bytes, at most `cap`) copied to a temporary file in pieces;
    `first`: bytes already read from it."""
    fd, path = tempfile.mkstemp(prefix="trial-audit-", suffix=".spool")
    spool = Spool(path, 0, temporary=True)
    total = len(first)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(first)
            while total <= cap and (chunk := stream.read(min(1 << 20, cap + 1 - total))):
                out.write(chunk)
                total += len(chunk)
    except BaseException:
        spool.close()
        raise
    if total > cap:
        spool.close()
        raise _too_big(origin, cap)
    spool.size = total
    return spool


class Budget:
    """What one input may still unpack, across nesting levels: bytes, members, depth."""

    def __init__(self) -> None:
        self.bytes_left = MAX_ARCHIVE_BYTES
        self.members_left = MAX_ARCHIVE_MEMBERS

    def cap(self) -> int:
        return min(MAX_FILE_BYTES, self.bytes_left)

    def spend(self, origin: str, size: int) -> None:
        self.bytes_left -= size
        if self.bytes_left < 0:
            raise InputError(origin, f"archive expands to more than {MAX_ARCHIVE_BYTES} bytes in all "
                                     "(set TRIAL_AUDIT_MAX_ARCHIVE_BYTES to allow it)")


def origin_name(path: str) -> str:
    """A path as origin text: undecodable bytes of a file name (kept by Python as lone surrogates)
    become `\\xNN`, so the name can be printed and written to UTF-8 tables."""
    if not any("\ud800" <= ch <= "\udfff" for ch in path):
        return path
    return "".join(f"\\x{ord(ch) - 0xDC00:02x}" if "\udc80" <= ch <= "\udcff"
                   else f"\\u{ord(ch):04x}" if "\ud800" <= ch <= "\udfff" else ch for ch in path)


def expand_bytes(origin: str, data: Content, budget: Budget | None = None,
                 depth: int = 0) -> Iterator[tuple[str, Content | InputError]]:
    """The blobs in one file's content: the file itself, or its gzip content / zip members, unpacked
    no deeper than MAX_ARCHIVE_DEPTH and within one Budget for the whole input. Unpacked content
    larger than STREAM_BYTES goes to a temporary file (a Spool), removed once the consumer moves on."""
    budget = budget or Budget()
    magic = data[:4]
    if (magic[:2] == b"\x1f\x8b" or magic == b"PK\x03\x04") and depth >= MAX_ARCHIVE_DEPTH:
        yield origin, InputError(origin, f"archives nested more than {MAX_ARCHIVE_DEPTH} deep "
                                         "(set TRIAL_AUDIT_MAX_ARCHIVE_DEPTH to allow it)")
        return
    if magic[:2] == b"\x1f\x8b":
        try:
            size = _gzip_size(data, budget.cap())  # a bomb is refused without holding its content
            if size > budget.cap():
                raise _too_big(origin, budget.cap())
            with _opened(data) as raw, gzip.GzipFile(fileobj=raw) as gz:
                inner: Content = (_limited(origin, gz, size, cap=budget.cap()) if size <= STREAM_BYTES
                                  else _spool_stream(origin, gz, size, budget.cap()))
            budget.spend(origin, len(inner))
        except InputError as err:  # a gzip bomb: small on disk, over the limit inside
            yield origin, err
            return
        except (OSError, EOFError, zlib.error) as exc:
            yield origin, InputError(origin, f"broken gzip file: {exc}")
            return
        try:
            yield from expand_bytes(origin.removesuffix(".gz"), inner, budget, depth + 1)
        finally:
            if isinstance(inner, Spool):
                inner.close()
    elif magic == b"PK\x03\x04":
        yield from _from_zip(origin, data, budget, depth)
    else:
        yield origin, data


def _opened(data: Content) -> IO[bytes]:
    return data.open() if isinstance(data, Spool) else io.BytesIO(data)


def _too_big(origin: str, limit: int) -> InputError:
    if limit < MAX_FILE_BYTES:
        return InputError(origin, f"archive expands to more than {MAX_ARCHIVE_BYTES} bytes in all "
                                  "(set TRIAL_AUDIT_MAX_ARCHIVE_BYTES to allow it)")
    return InputError(origin, f"larger than {MAX_FILE_BYTES} bytes (set TRIAL_AUDIT_MAX_FILE_BYTES to allow it)")


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
        yield origin, InputError(origin, f"broken zip archive: {exc}")
        return
    with raw, archive:
        if is_office_document([m.filename for m in members]):
            yield origin, data
            return
        budget.members_left -= len(members)
        if budget.members_left < 0:  # fan-out: refused before anything is unpacked
            yield origin, InputError(origin, f"archive holds more than {MAX_ARCHIVE_MEMBERS} members in all "
                                             "(set TRIAL_AUDIT_MAX_ARCHIVE_MEMBERS to allow it)")
            return
        for member in sorted(members, key=lambda m: m.filename):
            name = f"{origin}!{member.filename}"
            if any(skipped(part) for part in Path(member.filename).parts):
                continue
            if member.file_size > MAX_FILE_BYTES:
                yield name, InputError(name, f"archive member larger than {MAX_FILE_BYTES} bytes")
                continue
            try:
                budget.spend(name, 0 if member.file_size <= budget.bytes_left else member.file_size)
                with archive.open(member) as fh:
                    inner: Content = (_limited(name, fh, member.file_size, cap=budget.cap())
                                      if member.file_size <= STREAM_BYTES
                                      else _spool_stream(name, fh, member.file_size, budget.cap()))
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
            try:
                yield from expand_bytes(name, inner, budget, depth + 1)
            finally:
                if isinstance(inner, Spool):
                    inner.close()


def folder_problem(path: Path) -> str | None:
    """Why a folder cannot be read as input: a symbolic link back to a folder above it (a loop), or
    a listing the system refuses. None for a readable folder."""
    try:
        parent = path.parent.resolve()
        if path.is_symlink() and path.resolve() in {parent, *parent.parents}:
            return "symbolic link loop (points to a folder above it)"
        with os.scandir(path):
            return None
    except PermissionError:
        return "cannot list folder: permission denied"
    except (OSError, RuntimeError) as exc:  # RuntimeError: pathlib's own symlink loop
        return f"cannot list folder: {getattr(exc, 'strerror', None) or exc}"


def expand(paths: Iterable[str]) -> Iterator[tuple[str, Content | InputError]]:
    for raw in paths:
        if raw == "-":
            try:
                yield from expand_bytes(STDIN, spool_stdin())
            except InputError as err:
                yield STDIN, err
            continue
        if remote.is_url(raw):
            yield from _read_urls(raw)
            continue
        path = Path(raw)
        if path.is_dir():
            if problem := folder_problem(path):
                yield origin_name(raw), InputError(origin_name(raw), problem)
                continue
            empty = True
            for file in walk(path):
                empty = False
                yield from _read_file(file)
            if empty:
                yield origin_name(raw), InputError(origin_name(raw), "folder contains no files")
        else:
            yield from _read_file(path)


def url_inputs(url: str) -> Iterator[tuple[str, int]]:
    """(URL, size) of each input file at a URL (fsspec): the object, or the files under a prefix,
    chosen as `walk` chooses them."""
    try:
        yield from remote.listing(url, skipped, RESULTS_MARKER)
    except InputError:
        yield url, 0  # reading it says what is missing (fsspec, s3fs, ...)


def _read_urls(url: str) -> Iterator[tuple[str, Content | InputError]]:
    for file, _ in url_inputs(url):
        try:
            data = remote.read(file, MAX_FILE_BYTES)
        except InputError as err:
            yield file, err
            continue
        yield from expand_bytes(file, data)


def _read_file(path: Path) -> Iterator[tuple[str, Content | InputError]]:
    origin = origin_name(str(path))
    try:
        if path.is_dir():  # the walker hands over folders it could not list, and loops
            yield origin, InputError(origin, folder_problem(path) or "is a folder")
            return
        with path.open("rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if size > MAX_FILE_BYTES:  # refused before a byte is read
                raise InputError(origin, f"larger than {MAX_FILE_BYTES} bytes (set TRIAL_AUDIT_MAX_FILE_BYTES to allow it)")
            # A large regular file stays where it is, read piece by piece (a pipe has no size: read).
            regular = stat.S_ISREG(os.fstat(fh.fileno()).st_mode)
            data: Content = Spool(path, size) if regular and size > STREAM_BYTES else _limited(origin, fh, size or None)
    except FileNotFoundError:
        yield origin, InputError(origin, "no such file or folder")
        return
    except IsADirectoryError:
        yield origin, InputError(origin, "is a folder")
        return
    except PermissionError:
        yield origin, InputError(origin, "permission denied")
        return
    except InputError as err:
        yield origin, err
        return
    except (OSError, RuntimeError) as exc:
        yield origin, InputError(origin, f"cannot read: {getattr(exc, 'strerror', None) or exc}")
        return
    yield from expand_bytes(origin, data)
