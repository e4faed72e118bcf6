"""Turn command-line inputs (files, folders, archives, URLs, ``-``) into (origin, content) pairs.

What each input is made of lives beside this module: `walker` (the one folder walker, and the names
that are never inputs), `archives` (gzip and zip, within one budget), `spool` (content, a large file
left on disk as a Spool; standard input), `sizes` (the size limits), `remote` (URLs through fsspec).
The batch layer reaches the pieces it needs through this module (`__all__`).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path

from auditor.errors import InputError
from auditor.sources import remote, sizes
from auditor.sources.archives import expand_bytes
from auditor.sources.sizes import setting
from auditor.sources.spool import STDIN, Content, Spool, digest, read_limited, read_stdin, spool_stdin
from auditor.sources.walker import RESULTS_MARKER, folder_problem, results_folder, skipped, walk

__all__ = ["STDIN", "Content", "digest", "expand", "expand_bytes", "origin_name", "read_stdin", "remote",
           "results_folder", "setting", "url_inputs", "walk"]


def origin_name(path: str) -> str:
    """A path as origin text: undecodable bytes of a file name (kept by Python as lone surrogates)
    become `\\xNN`, so the name can be printed and written to UTF-8 tables."""
    if path.isascii() or not any("\ud800" <= ch <= "\udfff" for ch in path):  # isascii: one C call per file
        return path
    return "".join(f"\\x{ord(ch) - 0xDC00:02x}" if "\udc80" <= ch <= "\udcff"
                   else f"\\u{ord(ch):04x}" if "\ud800" <= ch <= "\udfff" else ch for ch in path)


def _first_time(path: Path, done: set[Path]) -> bool:
    """Whether `path` is met for the first time (inputs that overlap: `folder/ folder/a.json`)."""
    try:
        key = path.resolve()
    except (OSError, RuntimeError):  # a loop: reading it names the problem
        return True
    if key in done:
        return False
    done.add(key)
    return True


def expand(paths: Iterable[str]) -> Iterator[tuple[str, Content | InputError]]:
    done: set[Path] = set()  # a file named twice is read once, as batch reads it
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
            if problem := folder_problem(path) or results_folder(path):
                yield origin_name(raw), InputError(origin_name(raw), problem)
                continue
            empty = True
            for file in walk(path):
                empty = False
                if _first_time(file, done):
                    yield from _read_file(file)
            if empty:
                yield origin_name(raw), InputError(origin_name(raw), "folder contains no files")
        elif _first_time(path, done):
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
            data = remote.read(file, sizes.MAX_FILE_BYTES)
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
            if size > sizes.MAX_FILE_BYTES:  # refused before a byte is read
                raise sizes.file_too_big(origin)
            # A large regular file stays where it is, read piece by piece (a pipe has no size: read).
            regular = stat.S_ISREG(os.fstat(fh.fileno()).st_mode)
            data: Content = (Spool(path, size) if regular and size > sizes.STREAM_BYTES
                             else read_limited(origin, fh, size or None))
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
