"""WHO ICTRP XML export (``<Trials_downloaded_from_ICTRP><Trial>...``), 2020 and 2024 field sets.

Each ``<Trial>``'s child elements are one record's fields; the field-by-field mapping is shared with
the CSV export and documented in :mod:`auditor.sources.ictrp`. ``at`` is an XPath:
``/Trials_downloaded_from_ICTRP/Trial[3]/Primary_outcome``.

The file is parsed as a stream (one ``<Trial>`` in memory at a time) with defusedxml, so exports of
100,000 trials stay small in memory and entity bombs are refused with an InputError. A file larger
than TRIAL_AUDIT_STREAM_BYTES arrives as a ``spool.Spool`` and is parsed from disk (`STREAMS`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from auditor.errors import InputError, RecordError
from auditor.model import SourceRef, TrialRecord
from auditor.sources import ictrp, xmlsafe
from auditor.sources.spool import Content

NAME = "ictrp-xml"
DESCRIPTION = "WHO ICTRP XML export (<Trials_downloaded_from_ICTRP>, 2020 and 2024 field sets)"
ROOT = "Trials_downloaded_from_ICTRP"
STREAMS = True  # a large export arrives as a spool.Spool, parsed from disk Trial by Trial


def sniff(head: bytes, name: str) -> bool:
    return xmlsafe.root_tag(head) == ROOT


def read(data: Content, origin: str) -> Iterator[TrialRecord | RecordError]:
    index = -1
    for index, (root_tag, trial) in enumerate(xmlsafe.iter_children(data, origin, "Trial")):
        base = f"/{root_tag}/Trial[{index + 1}]"
        values: dict[str, str | None] = {}
        for child in trial:
            # A field repeated inside one Trial is joined as a list, the way ICTRP joins with ';'.
            text = (child.text or "").strip()
            values[child.tag] = f"{values[child.tag]};{text}" if values.get(child.tag) else text

        def locate(field: str, b: str = base) -> dict[str, Any]:
            return {"at": f"{b}/{field}"}

        yield ictrp.to_record(values, locate, SourceRef(path=origin, format=NAME, index=index), base)
    if index < 0:
        raise InputError(origin, f"<{ROOT}> export without any <Trial> element")
