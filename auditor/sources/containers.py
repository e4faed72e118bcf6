"""Turn command-line inputs (files, folders, archives, ``-``) into (origin, bytes) pairs.

`walk` is the one folder walker: `check`, `batch` and per-path settings all see the same files.
"""

from __future__ import annotations

import gzip
import io
import os
import sys
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from auditor.errors import InputError
from auditor.sources import remote, xmlsafe

# A registry export of 100,000 studies is ~2 GB as one JSON file; a single file above this is
# far more likely a mistake (or a decompression bomb) than a record set.
MAX_FILE_BYTES = int(os.environ.get("TRIAL_AUDIT_MAX_FILE_BYTES", str(1 << 30)))
# Files no registry export consists of: operating-system litter, and what trial-audit itself writes
# beside the inputs (`init --with-schema` writes protocol.schema.json next to the protocol file).
SKIP_NAMES = frozenset({".DS_Store", "Thumbs.db", "desktop.ini", "protocol.schema.json", "trial-audit-fetch.json"})
SKIP_SUFFIXES = (".sarif", ".tmp")  # `check --format sarif -o x.sarif`; half-written files
# A folder holding this file is a `batch` results folder (its tables are outputs, not inputs).
RESULTS_MARKER = "audit.duckdb"


def skipped(name: str) -> bool:
    """Whether a file or folder name is never an input: hidden, litter, or written by the tool."""
    return name.startswith(".") or name in SKIP_NAMES or name.endswith(SKIP_SUFFIXES) or name == "__MACOSX"


def walk(root: Path, skip: Iterable[Path] = ()) -> Iterator[Path]:
    """The input files under a folder, in a stable order (by name, folder by folder), one directory
    listing in memory at a time. Skips hidden files and folders (`.git`, `.venv`), the names above,
    `batch` results folders and the folders in `skip` (the results folder of the running batch)."""
    skip_dirs = {p.resolve() for p in skip}
    with os.scandir(root) as it:
        entries = sorted(it, key=lambda e: e.name)
    for entry in entries:
        if skipped(entry.name):
            continue
        if entry.is_dir():
            folder = Path(entry.path)
            if (folder / RESULTS_MARKER).exists() or (skip_dirs and folder.resolve() in skip_dirs):
                continue
            yield from walk(folder, skip_dirs)
        elif entry.is_file():
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
    return _limited(STDIN, sys.stdin.buffer)


def _limited(origin: str, stream: io.BufferedIOBase | io.RawIOBase | IO[bytes], size: int | None = None) -> bytes:
    """The stream's bytes, refusing more than MAX_FILE_BYTES. `size`: what the stream is expected
    to hold; read(n) allocates n bytes up front, so asking a small file for MAX_FILE_BYTES + 1
    costs a 1 GB mmap and munmap each time (~35 us a file)."""
    if size is not None:
        data = stream.read(min(size, MAX_FILE_BYTES) + 1)
        if len(data) <= size or len(data) > MAX_FILE_BYTES:  # the usual case, or more than allowed
            return _checked(origin, data)
        parts = [data]  # it grew since we looked: read on in bounded steps
    else:
        parts = []
    total = sum(map(len, parts))
    while total <= MAX_FILE_BYTES and (chunk := stream.read(min(1 << 20, MAX_FILE_BYTES + 1 - total))):
        parts.append(chunk)
        total += len(chunk)
    return _checked(origin, b"".join(parts))


def _checked(origin: str, data: bytes) -> bytes:
    if len(data) > MAX_FILE_BYTES:
        raise InputError(origin, f"larger than {MAX_FILE_BYTES} bytes (set TRIAL_AUDIT_MAX_FILE_BYTES to allow it)")
    return data


def expand_bytes(origin: str, data: bytes) -> Iterator[tuple[str, bytes | InputError]]:
    """The blobs in one file's bytes: the file itself, or its gzip content / zip members."""
    if data[:2] == b"\x1f\x8b":
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(data)) as gz:
                inner = _limited(origin, gz)
        except InputError as err:  # a gzip bomb: small on disk, over the limit inside
            yield origin, err
            return
        except (OSError, EOFError) as exc:
            yield origin, InputError(origin, f"broken gzip file: {exc}")
            return
        yield from expand_bytes(origin.removesuffix(".gz"), inner)
    elif data[:4] == b"PK\x03\x04":
        yield from _from_zip(origin, data)
    else:
        yield origin, data


def _from_zip(origin: str, data: bytes) -> Iterator[tuple[str, bytes | InputError]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = [m for m in archive.infolist() if not m.is_dir()]
    except zipfile.BadZipFile as exc:
        yield origin, InputError(origin, f"broken zip archive: {exc}")
        return
    if is_office_document([m.filename for m in members]):
        yield origin, data
        return
    for member in sorted(members, key=lambda m: m.filename):
        name = f"{origin}!{member.filename}"
        if any(skipped(part) for part in Path(member.filename).parts):
            continue
        if member.file_size > MAX_FILE_BYTES:
            yield name, InputError(name, f"archive member larger than {MAX_FILE_BYTES} bytes")
            continue
        try:
            with archive.open(member) as fh:
                inner = _limited(name, fh, member.file_size)
        except InputError as err:
            yield name, err
            continue
        except (zipfile.BadZipFile, OSError, RuntimeError) as exc:
            yield name, InputError(name, f"cannot extract: {exc}")
            continue
        yield from expand_bytes(name, inner)


def expand(paths: Iterable[str]) -> Iterator[tuple[str, bytes | InputError]]:
    for raw in paths:
        if raw == "-":
            try:
                yield from expand_bytes(STDIN, read_stdin())
            except InputError as err:
                yield STDIN, err
            continue
        if remote.is_url(raw):
            yield from _read_urls(raw)
            continue
        path = Path(raw)
        if path.is_dir():
            empty = True
            for file in walk(path):
                empty = False
                yield from _read_file(file)
            if empty:
                yield raw, InputError(raw, "folder contains no files")
        else:
            yield from _read_file(path)


def url_inputs(url: str) -> Iterator[tuple[str, int]]:
    """(URL, size) of each input file at a URL (fsspec): the object, or the files under a prefix,
    chosen as `walk` chooses them."""
    try:
        yield from remote.listing(url, skipped, RESULTS_MARKER)
    except InputError:
        yield url, 0  # reading it says what is missing (fsspec, s3fs, ...)


def _read_urls(url: str) -> Iterator[tuple[str, bytes | InputError]]:
    for file, _ in url_inputs(url):
        try:
            data = remote.read(file, MAX_FILE_BYTES)
        except InputError as err:
            yield file, err
            continue
        yield from expand_bytes(file, data)


def _read_file(path: Path) -> Iterator[tuple[str, bytes | InputError]]:
    origin = str(path)
    try:
        with path.open("rb") as fh:
            data = _limited(origin, fh, os.fstat(fh.fileno()).st_size)
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
    except OSError as exc:
        yield origin, InputError(origin, f"cannot read: {exc.strerror or exc}")
        return
    yield from expand_bytes(origin, data)
