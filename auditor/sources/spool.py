"""Content: bytes, or a `Spool` when it is larger than TRIAL_AUDIT_STREAM_BYTES (64 MB).

A Spool is a file on disk (the input itself, or a temporary file holding a large gzip's or zip
member's content, or a large standard input) that the readers that can stream (JSON arrays,
spreadsheets) read piece by piece, so a 900 MB website download is never held in memory. Other
readers get its bytes (`Spool.read_all`). Here too: reading a stream within the size limit, and
standard input.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import sys
import tempfile
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import IO, overload

from auditor.errors import InputError
from auditor.sources import sizes


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
            return read_limited(self.path, fh, self.size)

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


def read_limited(origin: str, stream: io.BufferedIOBase | io.RawIOBase | IO[bytes], size: int | None = None,
                 cap: int | None = None) -> bytes:
    """The stream's bytes, refusing more than `cap` (default MAX_FILE_BYTES). `size`: what the
    stream is expected to hold; read(n) allocates n bytes up front, so asking a small file for the
    whole limit costs a 1 GB mmap and munmap each time (~35 us a file). Bytes are gathered in one
    buffer, never joined from parts, so refusing a bomb costs at most the limit."""
    limit = sizes.MAX_FILE_BYTES if cap is None else min(cap, sizes.MAX_FILE_BYTES)
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
        raise sizes.too_big(origin, limit)
    return data


def spool_stream(origin: str, stream: io.BufferedIOBase | IO[bytes], size: int, cap: int,
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
        raise sizes.too_big(origin, cap)
    spool.size = total
    return spool


STDIN = "<stdin>"


def read_stdin() -> bytes:
    """Standard input's bytes (at most MAX_FILE_BYTES): a batch task carries them to its worker,
    which may be on another machine."""
    with _reading_stdin() as stream:
        return read_limited(STDIN, stream)


def spool_stdin() -> Content:
    """Standard input as `check` reads it: more than STREAM_BYTES goes to a temporary file (a Spool)
    as it arrives, so a large pipe is read record by record like a large file."""
    with _reading_stdin() as stream:
        buffer = io.BytesIO()
        while buffer.tell() <= sizes.STREAM_BYTES and (
                chunk := stream.read(min(1 << 20, sizes.STREAM_BYTES + 1 - buffer.tell()))):
            buffer.write(chunk)
        if buffer.tell() <= sizes.STREAM_BYTES:
            return _checked(STDIN, buffer.getvalue(), sizes.MAX_FILE_BYTES)
        return spool_stream(STDIN, stream, sizes.MAX_FILE_BYTES, sizes.MAX_FILE_BYTES, first=buffer.getvalue())


@contextlib.contextmanager
def _reading_stdin() -> Iterator[IO[bytes]]:
    stream = sys.stdin.buffer if sys.stdin is not None else None
    if stream is None:
        raise InputError(STDIN, "standard input is closed")
    try:
        yield stream
    except (OSError, ValueError) as exc:  # closed (`<&-`) or unreadable
        raise InputError(STDIN, f"cannot read standard input: {getattr(exc, 'strerror', None) or exc}") from None
