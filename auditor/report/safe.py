"""Output sanitising: the one place that makes registry text (titles, quotes, ids, file names,
error reasons) harmless for whoever reads what trial-audit writes.

Registry records and file names are attacker-controlled text. Every renderer and every printed
line goes through one of these:

- `line(text)`: a single printed line (text and github formats, error lines on stderr, batch
  messages): control characters (C0, DEL, C1: terminal escapes such as OSC/CSI, bells, carriage
  returns), Unicode bidirectional overrides and line/paragraph separators are removed or become a
  space, and `::` (the start of a GitHub Actions workflow command) is broken with a zero-width
  space so no line of the log can become a command.
- `markdown(text)`: registry text inside markdown: HTML is escaped (`<img onerror=...>` renders as
  text) and markdown punctuation that builds links, images, emphasis or tables is backslash-escaped.
- `code(text)`: text inside a markdown code span.
- `csv_cell(text)` / `csv_sql(column)`: the OWASP rule against CSV formula injection: a cell that
  starts with `=`, `+`, `-`, `@`, tab or carriage return is prefixed with `'`, so a spreadsheet shows
  it as text instead of evaluating it.
- `data(value)`: `text` on every string of a JSON-like value (report.html's embedded trials).
- `surrogates(text)`: file names that are not valid UTF-8 (Python keeps their bytes as lone
  surrogates) as `\\xNN` escapes, so they can be written to UTF-8 files, tables and terminals.

- `html_value(value)`: the `finalize` of the HTML pages' Jinja environments (report.html,
  `check --format html`): control characters removed from every printed value, then autoescaping.

JSON outputs (json, sarif, summary.json) need no more than their encoder (orjson escapes every
control character) and `json_document`; report.html is autoescaped (see auditor/report/html.py),
its embedded JSON goes through `data` and `json_document`, and its SVG charts through `line` before `escape`.
"""

from __future__ import annotations

import re
from typing import Any

# C0 controls except tab/newline, DEL, C1 controls (0x80-0x9f: 8-bit CSI/OSC), bidi embeddings,
# overrides and isolates (Trojan Source), and the BOM / zero-width no-break space.
_DROP = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufeff]")
_BREAKS = re.compile("[\t\n\r\u0085\u2028\u2029]+")
_SURROGATE = re.compile("[\ud800-\udfff]")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")
_MD_LEADING = re.compile(r"^([#>+\-=])")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def surrogates(text: str) -> str:
    """Lone surrogates (undecodable bytes of a file name, via surrogateescape) as `\\xNN`."""
    if not _SURROGATE.search(text):
        return text
    return _SURROGATE.sub(lambda m: _escape_surrogate(m.group()), text)


def _escape_surrogate(char: str) -> str:
    code = ord(char)
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}"


def text(value: object) -> str:
    """Multi-line text without control characters (newlines kept)."""
    return _DROP.sub("", surrogates(str(value)))


def line(value: object) -> str:
    """One printable line: no control characters, no line breaks, no workflow command."""
    cleaned = _BREAKS.sub(" ", text(value))
    return cleaned.replace("::", ":\u200b:")


def markdown(value: object) -> str:
    """Registry text inside markdown prose or a table cell: one line, HTML and markdown escaped."""
    return _MD_LEADING.sub(r"\\\1", _md_escape(" ".join(line(value).split())))


def _md_escape(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))


_CODE_SPAN = re.compile(r"`([^`]+)`")


def markdown_with_code(value: object) -> str:
    """The tool's own words around code spans it wrote (`weeks` of time_points item 5): the spans stay
    code spans, everything else is escaped as `markdown` escapes registry text. A span's content has
    no backtick, so it ends where the tool ended it; a stray backtick outside spans is escaped."""
    parts = _CODE_SPAN.split(" ".join(line(value).split()))
    text = "".join(f"`{code(part)}`" if i % 2 else _md_escape(part) for i, part in enumerate(parts))
    return _MD_LEADING.sub(r"\\\1", text)


def code(value: object) -> str:
    """Text inside a markdown code span: one line, no backtick that could close the span."""
    return line(value).replace("`", "'")


_JSON_INVISIBLE = re.compile("[\u0080-\u009f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff]")


def json_document(encoded: str) -> str:
    """A JSON document (as orjson writes it) with C1 controls, bidi controls and line separators
    written as `\\uXXXX` escapes: the same data when parsed, nothing invisible in the file."""
    return _JSON_INVISIBLE.sub(lambda m: f"\\u{ord(m.group()):04x}", encoded)


def html_value(value: object) -> object:
    """Jinja's `finalize` for the HTML pages: every text a template prints loses its control
    characters before autoescaping; markup built by the renderer (SVG, script JSON) is kept as is,
    it was sanitised where it was built."""
    if isinstance(value, str) and not hasattr(value, "__html__"):
        return _page_text(value)
    return value


def _page_text(value: str) -> str:
    return text(value).replace("\r\n", "\n").replace("\r", "\n")  # a line break stays one, as \n


def csv_cell(value: str) -> str:
    """The OWASP rule: a cell a spreadsheet would evaluate as a formula is prefixed with `'`."""
    return "'" + value if value.startswith(FORMULA_START) else value


# `_DROP` in RE2 syntax (DuckDB's regexp_replace), for the CSV exports written by SQL.
_DROP_RE2 = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x{9f}\x{202a}-\x{202e}\x{2066}-\x{2069}\x{feff}]"


def csv_sql(column: str) -> str:
    """`csv_cell(text(value))` as a DuckDB expression over a VARCHAR column (for COPY ... TO csv):
    control characters and bidi overrides dropped (`cat errors.csv` must not run a terminal escape),
    then formulas neutralised. The store and the Parquet files keep the registry's text as it is."""
    cleaned = f"regexp_replace({column}, '{_DROP_RE2}', '', 'g')"
    return (f"CASE WHEN left({cleaned}, 1) IN ('=', '+', '-', '@', chr(9), chr(13)) "
            f"THEN '''' || {cleaned} ELSE {cleaned} END")


def data(value: Any) -> Any:
    """`text()` on every string of a JSON-like value (dicts, lists): registry text that a page's
    script inserts into the document (report.html's embedded trials) loses its control characters
    and bidi overrides, as the values the template prints do (`html_value`)."""
    if isinstance(value, str):
        return _page_text(value)
    if isinstance(value, dict):
        return {_page_text(k) if isinstance(k, str) else k: data(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [data(v) for v in value]
    return value
