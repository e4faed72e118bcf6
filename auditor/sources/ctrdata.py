"""Trial records as the R package ctrdata stores them: one JSON document per record.

ctrdata downloads records from five registers and keeps each as a JSON document with fields of its
own added: ``_id`` (the record's id; with a member-state suffix for EU CTR), ``ctrname`` (the
register) and ``record_last_import``. The register's own fields are kept, so each document is read
by the mapping of its register:

| ``ctrname`` | document | mapped by |
|---|---|---|
| ``EUCTR`` | one member-state record, keys named after the EU CTR sections (``e51_primary_end_points``), IMPs in ``dimp[]``; with results: ``endPoints``, ``adverseEvents``, ``trialInformation`` | :mod:`auditor.sources.euctr` |
| ``CTIS`` | the CTIS full record (public retrieve JSON) plus search-API summary fields | :mod:`auditor.sources.ctis` |
| ``ISRCTN`` | the ISRCTN API's ``<trial>`` XML as JSON (``isrctn``, ``trialDescription``, ...) | :mod:`auditor.sources.isrctn` |
| ``CTGOV`` | the legacy ClinicalTrials.gov XML as JSON (``id_info``, ``primary_outcome``, ``@attributes``) | rebuilt as ``<clinical_study>`` and mapped by :mod:`auditor.sources.ctgov_xml` (``at`` is that XPath) |
| ``CTGOV2`` | a ClinicalTrials.gov API v2 study | :mod:`auditor.sources.ctgov_v2` |

A file may hold one document or a JSON array of them; ctrdata's ``meta-info`` document (the
queries that filled a collection, exported beside the records) holds no trial record and is read as none. Databases: see
:mod:`auditor.sources.ctrdata_db`. Detected by a ``"ctrname"`` key naming one of the registers, or
the first fields of an ISRCTN (``{"isrctn": "…``) or EU CTR (``"a2_eudract_number"``) document.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any
from xml.etree.ElementTree import Element, SubElement

from auditor.errors import InputError, RecordError
from auditor.model import SourceRef, TrialRecord
from auditor.sources import ctgov_v2, ctgov_xml, ctis, euctr, ids, isrctn
from auditor.sources.jsonmap import dig, read_studies, study_digest
from auditor.sources.spool import Content

NAME = "ctrdata"
DESCRIPTION = "records stored by ctrdata (R): EUCTR, CTIS, ISRCTN, CTGOV, CTGOV2 JSON documents (ctrname)"
STREAMS = True  # a large JSON array arrives as a spool.Spool, parsed study by study
REGISTERS = ("EUCTR", "CTIS", "ISRCTN", "CTGOV", "CTGOV2")

# A ctrdata document names its register (ctrname), starts as an ISRCTN record or holds an EUCTR field.
# Each key is looked for as plain bytes first: one pattern of all three, tried at every position of
# a 64 KiB head, took ~1 ms a file.
_CTRNAME = re.compile(rb'"ctrname"\s*:\s*"(?:EUCTR|CTIS|ISRCTN|CTGOV2?)"')
_ISRCTN = re.compile(rb'\s*\[?\s*\{\s*"isrctn"\s*:\s*"\d')
_EUCTR = re.compile(rb'"a2_eudract_number"\s*:')
_META = re.compile(rb'^\s*\{\s*"queries"\s*:\s*\[\s*\{\s*"query-timestamp"')


def sniff(head: bytes, name: str) -> bool:
    return ((b'"ctrname"' in head and _CTRNAME.search(head) is not None) or _ISRCTN.match(head) is not None
            or (b'"a2_eudract_number"' in head and _EUCTR.search(head) is not None) or _META.match(head) is not None)


def read(data: Content, origin: str) -> Iterator[TrialRecord | RecordError]:
    if _META.match(data[:256]):
        return iter(())  # ctrdata's bookkeeping (the queries that filled a collection): no trial records
    return read_studies(data, origin, _entries, (), ("_id",), "ctrdata document",
                        lambda doc, base, index: map_document(doc, base, SourceRef(
                            path=origin, format=NAME, index=index, digest=study_digest(doc))))


def _entries(doc: Any, origin: str) -> Iterator[tuple[str, Any]]:
    if isinstance(doc, list):
        yield from ((f"/{i}", d) for i, d in enumerate(doc))
    elif isinstance(doc, dict):
        yield "", doc
    else:
        raise InputError(origin, "JSON is neither a ctrdata document nor an array of them")


def register_of(doc: dict[str, Any]) -> str | None:
    """The register of a ctrdata document: its ``ctrname``, else what its fields show."""
    name = doc.get("ctrname")
    if name in REGISTERS:
        return str(name)
    if "isrctn" in doc and "trialDescription" in doc:
        return "ISRCTN"
    if "a2_eudract_number" in doc:
        return "EUCTR"
    if "protocolSection" in doc:
        return "CTGOV2"
    if "id_info" in doc:
        return "CTGOV"
    if "ctNumber" in doc:
        return "CTIS"
    return None


def map_document(doc: Any, base: str, source: SourceRef, row_id: str | None = None) -> TrialRecord:
    """One ctrdata document as a TrialRecord; `row_id`: the database row's ``_id`` when the
    document does not repeat it (EU CTR: it holds the member-state code)."""
    if not isinstance(doc, dict):
        raise TypeError("document is not a JSON object")
    register = register_of(doc)
    row_id = row_id or (doc.get("_id") if isinstance(doc.get("_id"), str) else None)
    if register == "EUCTR":
        code = row_id.rsplit("-", 1)[-1] if row_id and ids.eudract(row_id) and row_id.count("-") == 3 else None
        return euctr.to_record(euctr.Fields.from_json(doc, base), source, doc, base, member_state_code=code)
    if register == "CTIS":
        return ctis.to_record(doc, base, source)
    if register == "ISRCTN":
        return isrctn.to_record(doc, base, source)
    if register == "CTGOV2":
        return ctgov_v2.map_study(doc, base, source)
    if register == "CTGOV":
        return ctgov_xml.map_element(as_element("clinical_study", doc), source)
    raise ValueError(f"not a document of a register ctrdata supports ({', '.join(REGISTERS)}): "
                     f"ctrname is {doc.get('ctrname')!r}")


def as_element(tag: str, value: Any) -> Element:
    """ctrdata's JSON of an XML document back as XML: keys are child elements, lists repeat them,
    ``@attributes`` are attributes; text is unescaped (ctrdata keeps ``&apos;``, ``&#xD;``)."""
    root = Element(tag)
    _fill(root, value)
    return root


def _fill(el: Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            if key == "@attributes" and isinstance(child, dict):
                el.attrib.update({k: html.unescape(str(v)) for k, v in child.items()})
            elif key in ("ctrname", "record_last_import", "_id"):
                continue
            else:
                for item in child if isinstance(child, list) else [child]:
                    _fill(SubElement(el, key), item)
    elif value is not None:
        el.text = html.unescape(str(value)).replace("\r", "")


__all__ = ["DESCRIPTION", "NAME", "as_element", "dig", "map_document", "read", "register_of", "sniff", "study_digest"]
