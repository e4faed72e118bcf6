"""SQLite's binary JSON (JSONB, SQLite >= 3.45) decoded in Python, for SQLite builds that predate it.

ctrdata stores each record as a JSONB blob; Python's bundled sqlite3 is often older than 3.45 and
cannot turn it back into JSON text. The format is documented and stable
(https://sqlite.org/jsonb.html): every element is a header and a payload. The header's first byte
holds the element type (low 4 bits) and the payload size (high 4 bits: 0-11 the size itself; 12, 13,
14, 15: the size follows in 1, 2, 4 or 8 big-endian bytes).

| type | code | payload |
|---|---|---|
| NULL, TRUE, FALSE | 0, 1, 2 | none |
| INT, INT5 | 3, 4 | the integer as text (INT5: JSON5, e.g. hexadecimal) |
| FLOAT, FLOAT5 | 5, 6 | the number as text (FLOAT5: JSON5, e.g. ``Infinity``, ``.5``) |
| TEXT, TEXTRAW | 7, 10 | UTF-8 text, used as is |
| TEXTJ, TEXT5 | 8, 9 | UTF-8 text with JSON (JSON5) escapes |
| ARRAY | 11 | the elements, one after the other |
| OBJECT | 12 | label, value, label, value, ... |

Codes 13-15 are reserved; a blob that uses them, or whose sizes overrun it, is not JSONB.
"""

from __future__ import annotations

import json
import re
from typing import Any


class NotJsonb(ValueError):
    """The bytes are not a well-formed JSONB element."""


_JSON5_ESCAPE = re.compile(r"\\(x[0-9a-fA-F]{2}|'|\r\n|[\r\n\u2028\u2029]|0(?![0-9])|v)")


def decode(blob: bytes) -> Any:
    """The JSON value of one JSONB blob."""
    value, end = _element(blob, 0, len(blob))
    if end != len(blob):
        raise NotJsonb(f"{len(blob) - end} bytes after the top-level element")
    return value


def _header(blob: bytes, pos: int, limit: int) -> tuple[int, int, int]:
    """(type, payload start, payload end) of the element at pos."""
    first = blob[pos]
    kind, size = first & 0x0F, first >> 4
    start = pos + 1
    if size >= 12:
        width = 1 << (size - 12)
        if start + width > limit:
            raise NotJsonb(f"header at byte {pos} runs past its container")
        size = int.from_bytes(blob[start:start + width], "big")
        start += width
    if start + size > limit:
        raise NotJsonb(f"element at byte {pos} runs past its container")
    return kind, start, start + size


def _element(blob: bytes, pos: int, limit: int) -> tuple[Any, int]:
    if pos >= limit:
        raise NotJsonb(f"element expected at byte {pos}")
    kind, start, end = _header(blob, pos, limit)
    if kind <= 2:
        return (None, True, False)[kind], end
    if kind == 11:
        items = []
        while start < end:
            item, start = _element(blob, start, end)
            items.append(item)
        return items, end
    if kind == 12:
        obj: dict[str, Any] = {}
        while start < end:
            key, start = _element(blob, start, end)
            if not isinstance(key, str):
                raise NotJsonb(f"object label at byte {start} is not text")
            obj[key], start = _element(blob, start, end)
        return obj, end
    if kind > 12:
        raise NotJsonb(f"reserved element type {kind} at byte {pos}")
    try:
        text = blob[start:end].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NotJsonb(f"text at byte {start} is not UTF-8: {exc}") from None
    return _scalar(kind, text, pos), end


def _scalar(kind: int, text: str, pos: int) -> Any:
    try:
        if kind == 3:
            return int(text)
        if kind == 4:
            return int(text, 0)
        if kind in (5, 6):
            return float(text) if kind == 6 else json.loads(text)
        if kind in (7, 10):
            return text
        if kind == 9:
            text = _JSON5_ESCAPE.sub(_json5_escape, text)
        return json.loads(f'"{text}"')
    except ValueError as exc:
        raise NotJsonb(f"element at byte {pos}: {exc}") from None


def _json5_escape(match: re.Match[str]) -> str:
    """JSON5 escapes that plain JSON lacks, rewritten as JSON escapes (or dropped: line continuations)."""
    esc = match.group(1)
    if esc.startswith("x"):
        return f"\\u00{esc[1:]}"
    return {"'": "'", "0": "\\u0000", "v": "\\u000b"}.get(esc, "")
