"""Readers, one module per input format, chosen by looking at the content.

Every reader module exposes:

- ``NAME``: a short stable name (``ctgov-v2``), shown in reports and accepted by ``--format-in``;
- ``DESCRIPTION``: one line for ``trial-audit formats``;
- ``sniff(head: bytes, name: str) -> bool``: whether the first bytes (and, as a hint only, the file
  name) look like this format;
- ``read(data: bytes, origin: str) -> Iterator[TrialRecord | RecordError]``: the records of one
  file. A file that cannot be read at all raises ``InputError``; one record that cannot be mapped is
  yielded as a ``RecordError`` so the rest of the file goes on.
- optionally ``STREAMS = True``: `read` also accepts a ``containers.Spool`` (a file larger than
  TRIAL_AUDIT_STREAM_BYTES, left on disk) and reads it piece by piece; other readers get its bytes.

To add a format, add a module here and list it in ``READERS`` (order matters: the first reader
whose ``sniff`` accepts the content wins, so put specific formats before general ones).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from types import ModuleType

from auditor.errors import InputError, RecordError
from auditor.model import TrialRecord
from auditor.sources import (
    containers,
    ctgov_classic,
    ctgov_v2,
    ctgov_xml,
    ctis,
    ctrdata,
    ctrdata_db,
    euctr_text,
    ictrp_csv,
    ictrp_xml,
    protocol,
    spreadsheet,
)

READERS: dict[str, ModuleType] = {
    ctrdata_db.NAME: ctrdata_db,  # binary database files: their header says so
    ctrdata.NAME: ctrdata,  # before ctgov-v2 / ctis: a ctrdata document of any register names it (ctrname)
    ctgov_v2.NAME: ctgov_v2,
    ctgov_classic.NAME: ctgov_classic,
    ctgov_xml.NAME: ctgov_xml,
    ctis.NAME: ctis,
    euctr_text.NAME: euctr_text,
    ictrp_xml.NAME: ictrp_xml,
    ictrp_csv.NAME: ictrp_csv,
    spreadsheet.NAME: spreadsheet,
    protocol.NAME: protocol,
}

Item = TrialRecord | RecordError


def detect(head: bytes, name: str) -> ModuleType:
    """The reader for a file, or an InputError that says what the file looks like."""
    for reader in READERS.values():
        if reader.sniff(head, name):
            return reader
    raise InputError(name, f"unknown input format ({containers.describe(head)}); "
                           f"known formats: {', '.join(READERS)}")


def read_blob(data: containers.Content, origin: str, reader_name: str | None = None) -> Iterator[Item]:
    """Records of one file's content. Whatever a reader raises becomes one InputError naming the file."""
    data = _utf8(data, origin)
    if not (data.strip() if isinstance(data, bytes) else not data.is_blank()):
        raise InputError(origin, "file is empty")
    if reader_name is not None:
        try:
            reader = READERS[reader_name]
        except KeyError:
            raise InputError(origin, f"unknown reader {reader_name!r}; known: {', '.join(READERS)}") from None
    else:
        reader = detect(data[:65536], origin)
    if isinstance(data, containers.Spool) and not getattr(reader, "STREAMS", False):
        data = data.read_all()
    try:
        yield from reader.read(data, origin)
    except InputError:
        raise
    except RecursionError:
        raise InputError(origin, "nesting too deep to read") from None
    except Exception as exc:  # noqa: BLE001 - a library's error on a broken file (openpyxl, XML, ...)
        lines = str(exc).strip().splitlines()
        raise InputError(origin, f"cannot read: {type(exc).__name__}: {lines[0] if lines else ''}".rstrip(": ")) from None


_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
         (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))


_XML_ENCODING = re.compile(rb"^(<\?xml[^>]*?encoding\s*=\s*)[\"'][^\"']*[\"']")


def _utf8(data: containers.Content, origin: str) -> containers.Content:
    """Text with a byte-order mark (UTF-8 with BOM, UTF-16, UTF-32) as plain UTF-8 for the readers."""
    if isinstance(data, containers.Spool):
        head = data[:4]
        if head.startswith(_BOMS[0][0]):
            return data.skip(len(_BOMS[0][0]))  # UTF-8 already: read on from after the mark
        if not any(head.startswith(bom) for bom, _ in _BOMS):
            return data
        data = data.read_all()  # UTF-16/32 text is re-encoded whole
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom):].decode(encoding).encode("utf-8")
                return _XML_ENCODING.sub(b'\\1"UTF-8"', text, count=1) if text.startswith(b"<?xml") else text
            except UnicodeDecodeError as exc:
                raise InputError(origin, f"not valid {encoding.upper()} text (byte {exc.start})") from None
    return data


def read_paths(paths: Iterable[str], reader_name: str | None = None) -> Iterator[Item | InputError]:
    """Every record under the given paths; a file that cannot be read is yielded as its InputError."""
    for origin, data in containers.expand(paths):
        if isinstance(data, InputError):
            yield data
            continue
        try:
            yield from read_blob(data, origin, reader_name)
        except InputError as err:
            yield err
