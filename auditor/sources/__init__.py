"""Readers, one module per input format, chosen by looking at the content.

Every reader module exposes:

- ``NAME``: a short stable name (``ctgov-v2``), shown in reports and accepted by ``--format-in``;
- ``DESCRIPTION``: one line for ``trial-audit formats``;
- ``sniff(head: bytes, name: str) -> bool``: whether the first bytes (and, as a hint only, the file
  name) look like this format;
- ``read(data: bytes, origin: str) -> Iterator[TrialRecord | RecordError]``: the records of one
  file. A file that cannot be read at all raises ``InputError``; one record that cannot be mapped is
  yielded as a ``RecordError`` so the rest of the file goes on.
- optionally ``STREAMS = True``: `read` also accepts a ``spool.Spool`` (a file larger than
  TRIAL_AUDIT_STREAM_BYTES, left on disk) and reads it piece by piece; other readers get its bytes.

To add a format, add a module here and list it in ``_ORDER`` (order matters: the first reader
whose ``sniff`` accepts the content wins, so put specific formats before general ones). ``READERS``
imports a reader when it is looked up, and detection skips (without importing) a reader whose
cheap pre-test says its sniff would refuse the file.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from types import ModuleType

from auditor.errors import InputError, RecordError
from auditor.model import TrialRecord
from auditor.sources import containers, xmlsafe
from auditor.sources.spool import Content, Spool


def first_byte(head: bytes) -> bytes:
    """`head.lstrip()[:1]` without copying the whole head (up to 64 KiB) to read one byte: a short
    prefix holds the first non-blank byte unless it is all blank."""
    return head[:256].lstrip()[:1] or head.lstrip()[:1]


def _json_like(head: bytes) -> bool:
    return first_byte(head) in (b"{", b"[")


def _has(*words: bytes) -> Callable[[bytes], bool]:
    return lambda head: any(w in head for w in words)


# ctrdata's ISRCTN documents and its bookkeeping document start with their key ("isrctn",
# "queries": its sniff matches `\s*[?\s*{\s*"isrctn"` and `\s*{\s*"queries"` at the start), so
# they are looked for there, not in the whole head: two scans of a 64 KiB head instead of four
# (~35 us of a ClinicalTrials.gov study's ~430 us read). bytes.lstrip strips what `\s` matches.
def _ctrdata_like(head: bytes) -> bool:
    if b'"ctrname"' in head or b'"a2_eudract_number"' in head:
        return True
    lead = head.lstrip()
    if lead[:1] == b"[":
        lead = lead[1:].lstrip()
    return lead[:1] == b"{" and lead[1:].lstrip().startswith((b'"isrctn"', b'"queries"'))


# Detection order (the first reader whose `sniff` accepts the content wins): name, module, and a
# cheap test that every head the reader's sniff accepts passes (None: no such test, always sniffed).
# A reader whose test fails is not even imported: a YAML protocol file, last in the order, is
# detected without the registry readers it is not. Each test restates the first condition of the
# reader's own sniff (tests/sources/test_lazy_detection.py holds every test to its sniff).
_ORDER: tuple[tuple[str, str, Callable[[bytes], bool] | None], ...] = (
    ("ctrdata-db", "ctrdata_db", lambda head: head.startswith(b"SQLite format 3\x00") or head[8:12] == b"DUCK"),
    # before ctgov-v2 / ctis: a ctrdata document of any register names it (ctrname)
    ("ctrdata", "ctrdata", _ctrdata_like),
    ("ctgov-v2", "ctgov_v2", _json_like),
    ("ctgov-classic", "ctgov_classic", _json_like),
    ("ctgov-xml", "ctgov_xml", _has(b"<clinical_study", b"<rss")),
    ("ctis", "ctis", _json_like),
    ("euctr-text", "euctr_text", _has(b"A. Protocol Information")),
    ("ictrp-xml", "ictrp_xml", _has(b"<Trials_downloaded_from_ICTRP")),
    ("ictrp-csv", "ictrp_csv", None),
    ("spreadsheet", "spreadsheet", None),
    ("protocol", "protocol", None),
)


class _Readers(Mapping[str, ModuleType]):
    """Reader modules by name, in detection order, each imported when it is first looked up."""

    def __init__(self) -> None:
        self._loaded: dict[str, ModuleType] = {}  # detection looks a reader up per file: import_module once

    def __getitem__(self, name: str) -> ModuleType:
        if (loaded := self._loaded.get(name)) is not None:
            return loaded
        for known, module, _ in _ORDER:
            if known == name:
                loaded = self._loaded[name] = importlib.import_module(f"auditor.sources.{module}")
                return loaded
        raise KeyError(name)

    def __iter__(self) -> Iterator[str]:
        return (name for name, _, _ in _ORDER)

    def __len__(self) -> int:
        return len(_ORDER)


READERS: Mapping[str, ModuleType] = _Readers()

Item = TrialRecord | RecordError


# How much of a file detection looks at (sniffs and the words of an unknown-format error).
HEAD_BYTES = 65536


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


_TABLE_SUFFIXES = (".csv", ".tsv", ".tab")


def _table_columns(head: bytes, name: str) -> str | None:
    """The first column names of a delimited table (a .csv/.tsv file, or two lines cut into the same
    three or more cells by one delimiter), for the error of a sheet no reader recognised; else None."""
    if b"\x00" in head[:1024] or first_byte(head) in (b"{", b"[", b"<"):
        return None
    lines = head.decode("utf-8-sig", "replace").splitlines()[:2]
    if not lines:
        return None
    for delimiter in ("\t", ";", ","):
        cells = [c.strip().strip('"') for c in lines[0].split(delimiter)]
        named = name.lower().endswith(_TABLE_SUFFIXES)
        shaped = len(cells) >= 3 and len(lines) == 2 and lines[1].count(delimiter) == len(cells) - 1
        if (named and len(cells) >= 2) or shaped:
            return ", ".join(cells[:4]) + (", ..." if len(cells) > 4 else "")
    return None


def _broken_json(head: bytes) -> str | None:
    """Why a whole file (shorter than the head) that looks like JSON is not JSON; None if it is,
    or if the head is only the start of a longer file."""
    if len(head) >= HEAD_BYTES or first_byte(head) not in (b"{", b"["):
        return None
    import orjson  # an error path only

    try:
        orjson.loads(head)
    except orjson.JSONDecodeError as exc:
        return str(exc)
    return None


def detect(head: bytes, name: str) -> ModuleType:
    """The reader for a file, or an InputError that says what the file looks like."""
    for reader_name, _, may_accept in _ORDER:
        if may_accept is not None and not may_accept(head):
            continue  # its sniff would say no: not imported
        reader = READERS[reader_name]
        if reader.sniff(head, name):
            return reader
    if (broken := _broken_json(head)) is not None:  # a truncated export is not an unknown format
        from auditor.sources.jsonmap import problem

        raise InputError(name, problem(broken))
    if (columns := _table_columns(head, name)) is not None:  # a review sheet with its own column names
        raise InputError(name, f"a table whose columns ({columns}) are not column names the spreadsheet reader "
                               "knows: map them in a column mapping file and set TRIAL_AUDIT_COLUMN_MAP to it "
                               "(docs/formats.md, 'Reviewer spreadsheets'), or give --input-format spreadsheet")
    raise InputError(name, f"unknown input format ({describe(head)}); "
                           f"known formats: {', '.join(READERS)}")


def read_blob(data: Content, origin: str, reader_name: str | None = None) -> Iterator[Item]:
    """Records of one file's content. Whatever a reader raises becomes one InputError naming the file."""
    data = _utf8(data, origin)
    # isspace, not strip: the same ASCII blanks, without copying the whole file to test it
    if (not data or data.isspace()) if isinstance(data, bytes) else data.is_blank():
        raise InputError(origin, "file is empty")
    if reader_name is not None:
        try:
            reader = READERS[reader_name]
        except KeyError:
            raise InputError(origin, f"unknown reader {reader_name!r}; known: {', '.join(READERS)}") from None
    else:
        reader = detect(data[:HEAD_BYTES], origin)
    if isinstance(data, Spool) and not getattr(reader, "STREAMS", False):
        data = data.read_all()
    try:
        yield from reader.read(data, origin)
    except InputError as err:
        raise err if reader_name is None else _forced(err, data, reader_name) from None
    except RecursionError:
        raise InputError(origin, "nesting too deep to read") from None
    except Exception as exc:  # noqa: BLE001 - a library's error on a broken file (openpyxl, XML, ...)
        lines = str(exc).strip().splitlines()
        raise InputError(origin, f"cannot read: {type(exc).__name__}: {lines[0] if lines else ''}".rstrip(": ")) from None


def _forced(err: InputError, data: Content, reader_name: str) -> InputError:
    """The error of a reader that --input-format chose, naming the format detection sees in the file
    when that is another one: then the option, not the file, is what to change."""
    try:
        looks = detect(data[:HEAD_BYTES], err.origin)
    except InputError:
        return err
    name = next((n for n, module in READERS.items() if module is looks), reader_name)
    if name == reader_name:
        return err
    return InputError(err.origin, f"it looks like {name}, not {reader_name} (--input-format): leave --input-format "
                                  f"out or give {name}; read as {reader_name}: {err.message}",
                      where=err.where, line=err.line, column=err.column)


_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
         (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))


_XML_ENCODING = re.compile(rb"^(<\?xml[^>]*?encoding\s*=\s*)[\"'][^\"']*[\"']")


def _utf8(data: Content, origin: str) -> Content:
    """Text with a byte-order mark (UTF-8 with BOM, UTF-16, UTF-32) as plain UTF-8 for the readers."""
    if isinstance(data, Spool):
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
