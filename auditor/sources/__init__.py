"""Readers, one module per input format, chosen by looking at the content.

Every reader module exposes:

- ``NAME``: a short stable name (``ctgov-v2``), shown in reports and accepted by ``--format-in``;
- ``DESCRIPTION``: one line for ``trial-audit formats``;
- ``sniff(head: bytes, name: str) -> bool``: whether the first bytes (and, as a hint only, the file
  name) look like this format;
- ``read(data: bytes, origin: str) -> Iterator[TrialRecord | RecordError]``: the records of one
  file. A file that cannot be read at all raises ``InputError``; one record that cannot be mapped is
  yielded as a ``RecordError`` so the rest of the file goes on.

To add a format, add a module here and list it in ``READERS`` (order matters: the first reader
whose ``sniff`` accepts the content wins, so put specific formats before general ones).
"""

from __future__ import annotations

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


def read_blob(data: bytes, origin: str, reader_name: str | None = None) -> Iterator[Item]:
    """Records of one file's bytes."""
    if not data.strip():
        raise InputError(origin, "file is empty")
    if reader_name is not None:
        try:
            reader = READERS[reader_name]
        except KeyError:
            raise InputError(origin, f"unknown reader {reader_name!r}; known: {', '.join(READERS)}") from None
    else:
        reader = detect(data[:65536], origin)
    yield from reader.read(data, origin)


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
