"""EU Clinical Trials Register full-text download (the register's "Download full trial details" text).

The file holds one block per member-state record, each opening with ``Summary`` / ``EudraCT Number:``
and then the protocol sections ``A. Protocol Information`` ... ``P. End of Trial``, one field a line:
``E.5.1 Primary end point(s): <text>``, a national-language copy as ``E.5.1 Primary end point(s) (es):``,
and long texts running on over the following lines. Each field becomes the key ctrdata gives it
(section code without dots + the label in lower case, punctuation dropped, spaces as ``_``:
``e51_primary_end_points``), so the mapping in :mod:`auditor.sources.euctr` (which holds the field
table) serves both. ``at`` is the section code, ``line`` the line the field starts on.

Rules of the layout the parser follows:

- a field line starts with a section code (``E.8.1.1``, ``N.``, ``D.IMP``) and has a ``label:``;
  a code line without a colon is a heading (``E.5 End points``) and ends the field before it;
- any other line continues the field above (criteria lists, regions, multi-line end points);
- the first value of a field wins (the English text; national copies come after it); a field given
  only in a national language is kept;
- ``D.IMP: n`` starts the n-th investigational product; D-section fields after it belong to it;
- Summary fields have no code and get ctrdata's ``x1``-``x7`` keys; the Summary ``Link`` gives the
  member-state code (``.../2022-002568-62/ES/``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from auditor.errors import InputError, RecordError
from auditor.model import SourceRef, TrialRecord
from auditor.sources import euctr
from auditor.sources.euctr import Fields

NAME = "euctr-text"
DESCRIPTION = "EU Clinical Trials Register full-text download (member-state records, sections A.-P.)"

_START = re.compile(r"^Summary\s*\r?\n\s*EudraCT Number\s*:", re.MULTILINE)
_CODE = r"(?:[A-HNP](?:\.(?:\d+|IMP))+|[A-HNP]\.)"
_FIELD = re.compile(rf"^(?P<code>{_CODE})\s*(?P<label>[^:\n]*?)\s*(?:\((?P<lang>[a-z]{{2}})\))?\s*:[ \t]?(?P<value>.*)$")
_HEADING = re.compile(rf"^{_CODE}\s+\S")
_SUMMARY = {"eudract_number": "x1", "sponsors_protocol_code_number": "x2", "national_competent_authority": "x3",
            "clinical_trial_type": "x4", "trial_status": "x5",
            "date_on_which_this_record_was_first_entered_in_the_eudract_database": "x6", "link": "x7"}
_LINK_STATE = re.compile(r"/trial/[^/\s]+/([A-Z]{2}|3RD)/?\s*$")
_NOT_KEY = re.compile(r"[^a-z0-9 ]")


def sniff(head: bytes, name: str) -> bool:
    text = head[:4096].decode("utf-8", "replace").replace("\r\n", "\n")
    return _START.search(text) is not None and "A. Protocol Information" in head.decode("utf-8", "replace")


def key(code: str, label: str) -> str:
    """ctrdata's name for a field: ``E.5.1`` + ``Primary end point(s)`` -> ``e51_primary_end_points``."""
    words = _NOT_KEY.sub("", label.replace("\t", " ").lower()).strip().replace(" ", "_")
    compact = code.lower().replace(".", "")
    return f"{compact}_{words}" if words else compact


def read(data: bytes, origin: str) -> Iterator[TrialRecord | RecordError]:
    text = data.decode("utf-8-sig", "replace").replace("\r\n", "\n")
    starts = [m.start() for m in _START.finditer(text)]
    if not starts:
        raise InputError(origin, "EU CTR text without any 'Summary / EudraCT Number:' record")
    for index, (begin, end) in enumerate(zip(starts, starts[1:] + [len(text)])):
        first_line = text.count("\n", 0, begin) + 1
        fields, state = _parse(text[begin:end], first_line)
        source = SourceRef(path=origin, format=NAME, index=index)
        try:
            yield euctr.to_record(fields, source, member_state_code=state)
        except (ValueError, TypeError, AttributeError) as exc:
            yield RecordError(origin, f"cannot map EU CTR record: {exc}", where=f"line {first_line}", index=index,
                              record_id=fields.value("x1_eudract_number"))


def _parse(block: str, first_line: int) -> tuple[Fields, str | None]:
    out = Fields()
    current: Fields = out
    last: tuple[Fields, str] | None = None
    in_summary = True
    for offset, line in enumerate(block.split("\n")):
        lineno = first_line + offset
        stripped = line.strip()
        match = _FIELD.match(stripped)
        if stripped == "A. Protocol Information":
            in_summary = False
        if in_summary and ":" in stripped and offset > 0:
            label, _, value = stripped.partition(":")
            name = _SUMMARY.get(key("", label).lstrip("_"))
            if name:
                last = _put(out, f"{name}_{key('', label).lstrip('_')}", value, "Summary", lineno)
                continue
        if match:
            code = match.group("code").rstrip(".") or match.group("code")
            if code == "D.IMP":
                current = Fields()
                out.imps.append(current)
                last = None
                continue
            if not code.startswith("D"):
                current = out
            target = current if code.startswith("D") else out
            last = _put(target, key(code.rstrip("."), match.group("label")), match.group("value"),
                        match.group("code"), lineno, translated=bool(match.group("lang")))
        elif _HEADING.match(stripped) or stripped == "Summary":
            last = None
        elif last is not None and stripped:
            owner, name = last
            value, at, start = owner.values[name]
            owner.values[name] = (f"{value}\n{line.rstrip()}" if value else line.rstrip(), at, start)
    link = out.value("x7_link")
    state = _LINK_STATE.search(link) if link else None
    return out, state.group(1) if state else None


def _put(target: Fields, name: str, value: str, at: str, line: int,
         translated: bool = False) -> tuple[Fields, str] | None:
    """Store a field's first value; later copies (national languages, repeats) are not continued."""
    if name in target.values:
        existing = target.values[name]
        if not translated and existing[0] == "" and value.strip():
            target.values[name] = (value.rstrip(), existing[1], existing[2])
            return target, name
        return None
    target.values[name] = (value.rstrip(), at.rstrip(".") if at != "Summary" else "Summary", line)
    return target, name
