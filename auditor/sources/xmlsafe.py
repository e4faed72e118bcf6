"""XML parsing that is safe on hostile input, with errors as one-line InputErrors.

Registry exports are downloaded from the web and passed around by e-mail; an entity-expansion
("billion laughs") or external-entity file must fail fast with a clear message, not hang or read
local files. defusedxml refuses entity declarations and external references outright.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING, cast
from xml.etree.ElementTree import Element, ParseError
from xml.parsers.expat import errors as expat_errors

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from auditor.errors import CUT_SHORT, InputError

if TYPE_CHECKING:
    from auditor.sources.spool import Content

_PROLOG = re.compile(rb"^(?:\s+|<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>\[]*(?:\[.*?\])?\s*>)*", re.S)
_ROOT = re.compile(rb"<([A-Za-z_][\w.:-]*)")
# expat's errors that only the end of the input raises: an element, token or character left open.
_ENDED_EARLY = {expat_errors.codes[m] for m in (expat_errors.XML_ERROR_NO_ELEMENTS, expat_errors.XML_ERROR_UNCLOSED_TOKEN,
                                               expat_errors.XML_ERROR_PARTIAL_CHAR)}


def root_tag(head: bytes) -> str | None:
    """The document element's name from the first bytes (after BOM, declaration, comments, doctype).

    Sniffing by root rather than by substring keeps a README that *mentions* ``<clinical_study>``
    from being taken for a study.
    """
    body = head.removeprefix(b"\xef\xbb\xbf")
    prolog = cast(re.Match[bytes], _PROLOG.match(body))  # every part is optional: it always matches
    match = _ROOT.match(body, prolog.end())
    return match.group(1).decode("ascii", "replace") if match else None


def _error(origin: str, exc: Exception) -> InputError:
    if isinstance(exc, DefusedXmlException):
        return InputError(origin, f"refused unsafe XML ({type(exc).__name__}: entity declarations "
                                  "and external references are not allowed)")
    if isinstance(exc, ParseError) and exc.code in _ENDED_EARLY:
        return InputError(origin, f"not well-formed XML: the file ends before the XML does ({exc}), {CUT_SHORT}")
    return InputError(origin, f"not well-formed XML: {exc}")


def parse(data: bytes, origin: str) -> Element:
    """The root element of a whole document."""
    try:
        return SafeET.fromstring(data)
    except (ParseError, DefusedXmlException) as exc:
        raise _error(origin, exc) from None


def iter_children(data: Content, origin: str, tag: str) -> Iterator[tuple[str, Element]]:
    """(root tag, element) for each top-level ``tag`` element, streaming from bytes or from a
    ``spool.Spool``'s file: each top-level element is cleared and dropped from the root once
    the caller moves on, so memory stays flat however many there are. The parser is defusedxml's
    (entity declarations and external references refused, as `parse`).

    A parse error after some records were yielded still raises, so the caller reports how far the
    file got instead of silently stopping.
    """
    root: Element | None = None
    depth = 0
    with _opened(data) as source:
        try:
            for event, element in SafeET.iterparse(source, events=("start", "end")):
                if event == "start":
                    depth += 1
                    if root is None:
                        root = element
                    continue
                depth -= 1
                if depth != 1:
                    continue
                if element.tag == tag:
                    yield cast(Element, root).tag, element  # root: set at the first start event
                element.clear()  # any top-level element: its content is never looked at again
                cast(Element, root).remove(element)  # the last child (later siblings are not parsed yet)
        except (ParseError, DefusedXmlException) as exc:
            raise _error(origin, exc) from None


def _opened(data: Content) -> IO[bytes]:
    return io.BytesIO(data) if isinstance(data, bytes) else data.open()
