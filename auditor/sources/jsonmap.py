"""Build TrialRecord values (Text/Number with JSON pointers) from one parsed JSON record.

Shared by the JSON readers (ClinicalTrials.gov v2 and classic), whose nesting differs but whose
values are all "a key path inside one study object".
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Callable, Iterator
from typing import IO, Any

import orjson

from auditor.errors import CUT_SHORT, InputError, RecordError
from auditor.model import Number, Text, TrialRecord
from auditor.sources.spool import Content, Spool

# Above this size a JSON array of studies is parsed incrementally: orjson builds the whole tree
# first (~6x the file in memory), ijson's C backend (yajl2_c) one study at a time. A file larger
# than TRIAL_AUDIT_STREAM_BYTES arrives as a Spool and is parsed from disk: never held whole.
STREAM_BYTES = 4 << 20
# Where the readers' studies sit (ijson prefix -> JSON pointer of the array): a plain array, an API
# v2 page, a classic FullStudiesResponse.
ARRAYS = {"item": "", "studies.item": "/studies", "FullStudiesResponse.FullStudies.item": "/FullStudiesResponse/FullStudies"}
_SCAN_EVENTS = 64  # a document whose study array does not start within these events is parsed whole


_AT = re.compile(r":? line (\d+) column (\d+) \(char \d+\)$")  # where orjson's message says it stopped
_CUT_SHORT = ("unexpected end of data", "premature EOF", "Incomplete JSON")  # orjson's and ijson's words


def problem(message: str, after: str = "") -> str:
    """A JSON parser's message as one line that says what to do: a document that ends early was cut
    short (the usual broken export: an interrupted download or copy); anything else is corrected where
    the parser stopped."""
    first = message.strip().splitlines()[0].strip() if message.strip() else "malformed"
    if any(words in first for words in _CUT_SHORT):
        return f"not valid JSON{after}: the file ends before the JSON does, {CUT_SHORT}"
    at = _AT.search(first)
    what = (first[: at.start()] if at else first).rstrip(".")
    where = f" at line {at[1]} column {at[2]}" if at else ""
    return f"not valid JSON{after}{where}: {what}; correct the file there (or download it again)"


def _source(data: Content) -> IO[bytes]:
    return data.open() if isinstance(data, Spool) else io.BytesIO(data)


def streamed(data: Content, origin: str) -> Iterator[tuple[str, Any]] | None:
    """(pointer, study) for each study of a large document, parsed incrementally; None when the
    document is not an array of studies (a single study is parsed whole)."""
    import ijson  # only large files need it

    prefix = None
    try:
        with _source(data) as fh:
            for n, (path, event, _) in enumerate(ijson.parse(fh)):
                if event == "start_array" and f"{path}.item".lstrip(".") in ARRAYS:
                    prefix = f"{path}.item".lstrip(".")
                    break
                if n >= _SCAN_EVENTS:
                    return None
    except ijson.JSONError:
        return None  # orjson names the error
    if prefix is None:
        return None
    return _items(data, origin, prefix)


def _items(data: Content, origin: str, prefix: str) -> Iterator[tuple[str, Any]]:
    import ijson

    base = ARRAYS[prefix]
    index = 0
    try:
        with _source(data) as fh:
            for index, study in enumerate(ijson.items(fh, prefix, use_float=True)):
                yield f"{base}/{index}", study
    except ijson.JSONError as exc:
        raise InputError(origin, problem(str(exc), f" after study {index}")) from None


def study_digest(study: Any) -> str:
    """Identity of a study's content wherever it sits (a file of its own, or any place in an API page)."""
    return hashlib.blake2b(orjson.dumps(study), digest_size=16).hexdigest()


def dig(obj: Any, *keys: str | int) -> Any:
    for key in keys:
        if isinstance(key, int):
            obj = obj[key] if isinstance(obj, list) and key < len(obj) else None
        else:
            obj = obj.get(key) if isinstance(obj, dict) else None
        if obj is None:
            return None
    return obj


def plain(value: Any) -> str | None:
    """A JSON value as the text a record keeps: None for null, objects, arrays and blank text;
    true/false as JSON spells them; numbers as Python writes them."""
    if value is None or isinstance(value, (dict, list)):
        return None
    if not isinstance(value, str):
        value = str(value).lower() if isinstance(value, bool) else str(value)
    return value if value and not value.isspace() else None  # = value.strip(), without the copy


def text_of(value: Any, at: str) -> Text | None:
    """The Text of a JSON value found at pointer `at` (see `plain`), or None."""
    value = plain(value)
    return None if value is None else Text(value=value, at=at)


def number_of(value: Any, at: str) -> Number | None:
    """The Number of a JSON value found at `at`: a number, or text Python reads as one (kept)."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        real = float(value)
    except (TypeError, ValueError):
        return None
    return Number(value=real, at=at, text=None if isinstance(value, (int, float)) else str(value))


class JsonMapper:
    """Builds Text/Number values with JSON pointers relative to one study."""

    def __init__(self, study: Any, base: str):
        self.study = study
        self.base = base

    def at(self, *keys: str | int) -> JsonMapper:
        """The mapper of a nested object (values below it keep their full pointers): a record's
        fields sit 3-5 keys deep, and digging from the top for each costs more than the rest."""
        return JsonMapper(dig(self.study, *keys), self.pointer(*keys))

    def text(self, *keys: str | int) -> Text | None:
        value = plain(dig(self.study, *keys))
        return None if value is None else Text(value=value, at=self.pointer(*keys))

    def texts(self, *keys: str | int) -> list[Text]:
        items = dig(self.study, *keys)
        if not isinstance(items, list):
            return []
        return [t for i in range(len(items)) if (t := self.text(*keys, i)) is not None]

    def number(self, *keys: str | int) -> Number | None:
        value = dig(self.study, *keys)
        return None if isinstance(value, bool) or value is None else number_of(value, self.pointer(*keys))

    def items(self, *keys: str) -> list[tuple[int, dict[str, Any]]]:
        items = dig(self.study, *keys)
        if not isinstance(items, list):
            return []
        return [(i, item) for i, item in enumerate(items) if isinstance(item, dict)]

    def pointer(self, *keys: str | int) -> str:
        return f"{self.base}/{'/'.join(map(str, keys))}" if keys else self.base


def read_studies(data: Content, origin: str, entries: Callable[[Any, str], Iterator[tuple[str, Any]]],
                 required: tuple[str, ...], id_path: tuple[str, ...], what: str,
                 build: Callable[[Any, str, int], TrialRecord]) -> Iterator[TrialRecord | RecordError]:
    """Parse a JSON document and map each study `entries` finds in it; a study that lacks the
    `required` object or cannot be mapped is yielded as a RecordError, and the rest go on. A large
    array of studies (a website download, an API page) is parsed study by study (`streamed`)."""
    studies = streamed(data, origin) if len(data) > STREAM_BYTES else None
    if studies is None:
        try:
            doc = orjson.loads(data.read_all() if isinstance(data, Spool) else data)
        except orjson.JSONDecodeError as exc:
            raise InputError(origin, problem(str(exc))) from None
        studies = entries(doc, origin)
    for index, (base, study) in enumerate(studies):
        if not isinstance(dig(study, *required), dict):
            yield RecordError(origin, f"not a {what} (no {'.'.join(required)} object)", where=base or "/", index=index)
            continue
        try:
            yield build(study, base, index)
        except (TypeError, ValueError, AttributeError) as exc:
            ident = dig(study, *id_path)
            yield RecordError(origin, f"cannot map study: {exc}", where=base or "/", index=index,
                              record_id=ident if isinstance(ident, str) else None)
