"""The trialist's protocol file (YAML or JSON), defined by `schemas/protocol.schema.json`.

The file is checked first (`protocol_check`: the schema, real dates, cross-field consistency);
every problem is reported on one line with its line and column, so a trialist can fix them all in
one pass. Mapping (pointer in the file -> TrialRecord):

| protocol file | TrialRecord |
|---|---|
| /trial/{id,acronym,title,secondary_ids,status} | trial_id, acronym, title, secondary_ids, status |
| /registration/{registry,id,date,planned_start} | registry, trial_id (if /trial/id absent), dates.registered, dates.start |
| /population/{condition(s),eligibility,min_pain_duration_weeks} | conditions, eligibility, pain_duration_weeks |
| /design/{type,allocation,model} | design.study_type, design.allocation, design.intervention_model |
| /design/masking/{participants,...,outcome_assessors} | design.who_masked (PARTICIPANT, ..., OUTCOMES_ASSESSOR) for the true flags; design.masking NONE when no flag is true, else MASKED |
| /design/arms[] | arms[] with components, sessions, duration_weeks |
| /sample_size/* | enrollment.count (target), enrollment.per_arm, sample_size.* |
| /outcomes[] | outcomes[] (primary flag -> kind; domain, instrument, time_frame, time_points) |
| /safety/* | safety.* |
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterator
from typing import Any, cast

import yaml

from auditor.errors import InputError, RecordError
from auditor.model import (
    Arm,
    Dates,
    Design,
    Enrollment,
    Number,
    Outcome,
    SafetyPlan,
    SampleSizePlan,
    SourceRef,
    Text,
    TimePoint,
    TrialRecord,
)
from auditor.sources import dates, protocol_check, protocol_syntax, yamlpos

NAME = "protocol"
DESCRIPTION = "trial-audit protocol file (YAML or JSON), see `trial-audit schema protocol`"

# A YAML comment after a value ("outcome_assessors: true   # blinded"): not the trialist's value.
_COMMENT = re.compile(r"\s+#.*$")
# The template's placeholders (`trial-audit init`): "TODO: inclusion and exclusion criteria" is a
# field not yet written, so it maps to nothing; read as text it would be eligibility that sets no
# pain-duration requirement (SC01 not met) or an arm that delivers "other" (IN01 not met).
_PLACEHOLDER = re.compile(r"\s*TODO\b")
# A protocol file is a few kilobytes; the YAML parser takes seconds a megabyte, so a file far larger
# than any protocol is refused before it is parsed.
MAX_BYTES = 2 * 1024 * 1024
# The protocol file's sections besides `trial` (schemas/protocol.schema.json): a file with one of
# them is a protocol file without its `trial` section, not some other YAML file.
_SECTIONS = frozenset({"registration", "population", "design", "sample_size", "outcomes", "safety"})
# A JSON protocol file without its "trial" key (misspelt, left out) is still recognised by them.
_JSON_SECTIONS = re.compile(rb'"(?:registration|population|sample_size)"\s*:')
_MASKED = {"participants": "PARTICIPANT", "care_providers": "CARE_PROVIDER",
           "investigators": "INVESTIGATOR", "outcome_assessors": "OUTCOMES_ASSESSOR"}


def sniff(head: bytes, name: str) -> bool:
    lowered = name.lower()
    if b"\x00" in head[:1024]:
        return False
    text = head.decode("utf-8", "replace")
    # A protocol file has a top-level `trial:` mapping (YAML) or "trial" key (JSON); the file
    # name is only a hint so that a YAML protocol with another name is still recognised, and a
    # .json file with the protocol's own sections but no "trial" is told what it lacks.
    if lowered.endswith((".yaml", ".yml")):
        return True
    json_protocol = '"trial"' in text or (lowered.endswith(".json") and bool(_JSON_SECTIONS.search(head)))
    return "\ntrial:" in "\n" + text or (json_protocol and '"protocolSection"' not in text)


def read(data: bytes, origin: str) -> Iterator[TrialRecord | RecordError]:
    if len(data) > MAX_BYTES:
        raise InputError(origin, f"too large for a protocol file: {len(data) / 1e6:.1f} MB (a protocol file is a few "
                                 f"kB; the limit is {MAX_BYTES // 2**20} MiB)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # Where an editor shows it, and what the byte probably was (Windows-1252, the usual culprit).
        start = data.rfind(b"\n", 0, exc.start) + 1
        guess = data[exc.start:exc.start + 1].decode("cp1252", "replace")
        raise SyntaxProblem(origin, f"not UTF-8 text: a character saved in another encoding (“{guess}” in "
                                    f"Windows-1252?); save the file as UTF-8", line=data.count(b"\n", 0, exc.start) + 1,
                            column=len(data[start:exc.start].decode("utf-8", "replace")) + 1) from None
    try:
        doc, positions = yamlpos.load(_json_tabs_as_spaces(text))
    except yamlpos.TooManyValues as exc:
        aliases = " once its aliases (`*name`) are expanded (alias expansion)" if "&" in text else ""
        raise InputError(origin, f"too large for a protocol file: {exc}{aliases}; a protocol file has hundreds") from None
    except yaml.YAMLError as exc:
        message, line, column = protocol_syntax.syntax_problem(exc, text)
        raise SyntaxProblem(origin, message, line=line, column=column) from None
    if doc is None:
        raise InputError(origin, "holds no fields (only comments or blank lines); `trial-audit init FILE` writes a "
                                 "template to start from")
    if not isinstance(doc, dict):
        what = "a list" if isinstance(doc, list) else "a single value"
        raise InputError(origin, f"a protocol file is a mapping of sections (`trial:`, `design:`, ...), not {what}; "
                                 "`trial-audit init FILE` writes a template to start from")
    if "trial" not in doc:
        _no_trial(doc, positions, origin)
    _validate(doc, positions, origin)
    yield _Builder(doc, positions, origin, text.splitlines()).record()


def _no_trial(doc: dict[str, Any], positions: yamlpos.Positions, origin: str) -> None:
    """Raise what a file without a `trial` section is: a misspelt one, a protocol file without one,
    or (any YAML file reaches this reader) no protocol file at all, rather than list schema errors."""
    misspelt = next((k for k in map(str, doc) if difflib.get_close_matches(k.lower(), ["trial"], cutoff=0.6)), None)
    if misspelt is not None:
        line, column = positions.get(f"/{misspelt}", (None, None))
        raise SyntaxProblem(origin, f"`{misspelt}` at the top: did you mean `trial`?", line=line, column=column)
    if set(map(str, doc)) & _SECTIONS:
        raise InputError(origin, "no `trial` section, which every protocol file has (the trial's `title` and "
                                 "`status`): add it at the top; `trial-audit init FILE` writes a template")
    keys = ", ".join(list(map(str, doc))[:4]) or "none"
    raise InputError(origin, f"not a trial-audit protocol file: no top-level `trial:` section (top-level keys: {keys})")


def _json_tabs_as_spaces(text: str) -> str:
    """JSON allows tabs between tokens (editors and json.dump(indent="\\t") indent with them), YAML
    does not. In valid JSON a tab is only ever such whitespace (a string holds `\\t`), so it
    becomes a space: same lines and columns."""
    if "\t" not in text or not text.lstrip().startswith(("{", "[")):
        return text
    try:
        json.loads(text)
    except ValueError:
        return text  # not JSON: the YAML error says where the tab is
    return text.replace("\t", " ")


def _validate(doc: dict[str, Any], positions: yamlpos.Positions, origin: str) -> None:
    found = protocol_check.problems(doc, positions, origin)
    if found:
        raise ProtocolInvalid(origin, found)


class SyntaxProblem(InputError):
    """A file that is not valid YAML/JSON: one line, `file:line:column: what to do` like every other
    problem of a protocol file (editors jump to it)."""

    def one_line(self) -> str:
        if self.line is None or self.column is None:
            return super().one_line()
        return f"{self.origin}:{self.line}:{self.column}: {self.message}"


class ProtocolInvalid(InputError):
    """A protocol file with problems (schema, dates, consistency): every one, each with its line."""

    def __init__(self, origin: str, violations: list[InputError]):
        self.violations = violations
        first = violations[0]
        more = f" (and {len(violations) - 1} more)" if len(violations) > 1 else ""
        super().__init__(origin, first.message + more, first.where, first.line, first.column)

    @property
    def details(self) -> list[str]:
        """One line per problem, `file:line:column: message` (editors jump to it), then one that says
        the file could not be audited."""
        lines = [f"{v.origin}:{v.line}:{v.column}: {v.message}" for v in self.violations]
        return lines + [protocol_check.messages()["could_not_audit"].format(origin=self.origin, count=len(lines))]


class _Builder:
    def __init__(self, doc: dict[str, Any], positions: yamlpos.Positions, origin: str, lines: list[str]):
        self.doc = doc
        self.positions = positions
        self.origin = origin
        self.lines = lines

    def _value(self, pointer: str) -> Any:
        obj: Any = self.doc
        for part in pointer.strip("/").split("/"):
            if isinstance(obj, list):
                obj = obj[int(part)] if int(part) < len(obj) else None
            elif isinstance(obj, dict):
                obj = obj.get(part)
            if obj is None:
                return None
        return obj

    def text(self, pointer: str, code: Any = None) -> Text | None:
        """The value at `pointer`, or `code` made of it (then quoted by the file's own lines)."""
        value = self._value(pointer) if code is None else code
        if value is None or (isinstance(value, str) and (not value.strip() or _PLACEHOLDER.match(value))):
            return None
        line, column = self.positions.get(pointer, (None, None))
        source = self._value(pointer)
        # The file's words for a code mapped from them (a flag, a block, a lower-case word); none
        # for a code inferred from a number (a target size is ESTIMATED: there is no word to quote).
        mapped = code is not None and code != source and (isinstance(source, bool) or not isinstance(source, int | float))
        original = self._words(pointer) if mapped else None
        return Text(value=str(value), at=pointer, line=line, column=column, original=original)

    def _words(self, pointer: str) -> str | None:
        """The file's lines that hold `pointer`'s value (a block: the key's line to its last
        item's), so that evidence quotes what the trialist wrote, not the code made of it."""
        line, column = self.positions.get(pointer, (None, None))
        if line is None or column is None or line > len(self.lines):
            return None
        last = max((end for p, (end, _) in self.positions.items() if p.startswith(pointer + "/")), default=line)
        block = [self.lines[line - 1][column - 1:], *self.lines[line:last]]
        parts = [_COMMENT.sub("", part).strip() for part in block]
        return "\n".join(part for part in parts if part) or None

    def texts(self, pointer: str) -> list[Text]:
        items = self._value(pointer) or []
        return [t for i in range(len(items)) if (t := self.text(f"{pointer}/{i}"))]

    def number(self, pointer: str) -> Number | None:
        value = self._value(pointer)
        if value is None or isinstance(value, bool):
            return None
        line, column = self.positions.get(pointer, (None, None))
        return Number(value=float(value), at=pointer, line=line, column=column)

    def record(self) -> TrialRecord:
        d = self.doc
        trial_id = self._value("/trial/id") or self._value("/registration/id")
        start = self.text("/registration/planned_start")
        registered = self.text("/registration/date")
        start_parsed, precision = dates.parse_iso(start.value) if start else (None, None)
        masking = d.get("design", {}).get("masking") or {}
        conditions = self.texts("/population/conditions")
        if cond := self.text("/population/condition"):
            conditions.insert(0, cond)
        return TrialRecord(
            source=SourceRef(path=self.origin, format=NAME),
            registry="protocol",
            trial_id=str(trial_id) if trial_id else None,
            secondary_ids=[str(x) for x in d["trial"].get("secondary_ids", [])],
            title=self.text("/trial/title"),
            acronym=d["trial"].get("acronym"),
            status=self.text("/trial/status"),
            conditions=conditions,
            eligibility=self.text("/population/eligibility"),
            pain_duration_weeks=self.number("/population/min_pain_duration_weeks"),
            design=Design(
                study_type=self.text("/design/type", (d.get("design", {}).get("type") or "").upper() or None),
                allocation=self.text("/design/allocation"),
                intervention_model=self.text("/design/model"),
                masking=self.text("/design/masking", "MASKED" if any(masking.values()) else "NONE") if masking else None,
                who_masked=[t for key, code in _MASKED.items() if masking.get(key)
                            if (t := self.text(f"/design/masking/{key}", code))],
            ),
            enrollment=Enrollment(
                count=self.number("/sample_size/target"),
                type=self.text("/sample_size/target", "ESTIMATED") if "target" in d.get("sample_size", {}) else None,
                per_arm=[n for i in range(len(d.get("sample_size", {}).get("per_arm", [])))
                         if (n := self.number(f"/sample_size/per_arm/{i}"))],
            ),
            sample_size=SampleSizePlan(
                target=self.number("/sample_size/target"),
                calculation=self.text("/sample_size/calculation"),
                power=self.number("/sample_size/power"),
                alpha=self.number("/sample_size/alpha"),
                effect_size=self.text("/sample_size/target_difference"),
                standard_deviation=self.number("/sample_size/standard_deviation"),
                attrition=self.number("/sample_size/attrition"),
            ),
            arms=[self._arm(f"/design/arms/{i}") for i in range(len(d.get("design", {}).get("arms", [])))],
            outcomes=[self._outcome(f"/outcomes/{i}") for i in range(len(d.get("outcomes", [])))],
            safety=SafetyPlan(definition=self.text("/safety/definition"),
                              collection_method=self.text("/safety/collection_method"),
                              time_frame=self.text("/safety/time_frame"),
                              assessed_by=self.text("/safety/assessed_by")),
            dates=Dates(start=start, registered=registered, start_parsed=start_parsed, start_precision=precision,
                        registered_parsed=dates.parse_iso(registered.value)[0] if registered else None),
            positions=self.positions,
        )

    def _arm(self, at: str) -> Arm:
        return Arm(label=self.text(f"{at}/label"), type=self.text(f"{at}/type"),
                   description=self.text(f"{at}/description"), components=self.texts(f"{at}/components"),
                   sessions=self.number(f"{at}/sessions"), duration_weeks=self.number(f"{at}/duration_weeks"))

    def _outcome(self, at: str) -> Outcome:
        item = self._value(at)
        # The schema (checked before mapping) requires every time point's `weeks`, as a number.
        points = [TimePoint(weeks=cast(Number, self.number(f"{at}/time_points/{i}/weeks")),
                            anchor=tp.get("from", "baseline"))
                  for i, tp in enumerate(item.get("time_points", []))]
        return Outcome(kind="primary" if item.get("primary") else "secondary",
                       measure=self.text(f"{at}/measure"), description=self.text(f"{at}/description"),
                       time_frame=self.text(f"{at}/time_frame"), domain=self.text(f"{at}/domain"),
                       instrument=self.text(f"{at}/instrument"), time_points=points)
