"""A reviewer's corrections (`corrections.yaml`), applied after extraction, with an audit trail.

```yaml
NCT01234567:
  facts:
    treatment.duration_weeks: {value: 8, reason: "8 weekly sessions, per the protocol paper", by: EH}
  status:
    SC01: {value: met, reason: "pain > 3 months per the protocol paper", by: EH}
```

Keys are trial ids in any form `auditor.identity` recognises. A correction reaches every record
whose own ids (`record_ids`: its primary and secondary ids) include the key, not every copy of the
trial: it is applied inside the audit of one record (`auditor.pipeline`, in the worker processes),
because a fact correction must take effect where extraction writes the fact, while which records are
copies of one trial is known only after every record of the inputs is audited (`batch/trials.py`
links them transitively, in the parent, and a later run may add a copy to a trial already audited).
Applying it per trial would need a second audit pass over the copies of every corrected trial; until
then a copy that does not state the key keeps its extracted values (its own rows in `conflicts`), and
`batch` names a key that reaches no trial's preferred record (exit 2) and one that reaches the trial
but not all its copies (a note; `review.misplaced_corrections`). The key that reaches the trial is
its `trial_key` (the corrections template writes it).

A fact correction replaces the derived fact and its evidence ("set by reviewer: <reason>") where extraction writes it, so the facts computed from it (per-arm
size from enrollment and arms, weeks after treatment from the treatment length) are computed from
the corrected value and quote the correction too; then the profile judges; a status correction replaces a
criterion's verdict after. Every mistake is an `InputError` naming the file and line: a fact path
the Facts schema does not have, a value of the wrong type, an unknown status or criterion code,
and (`unmatched`) a trial that is not in the inputs.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import yaml

from auditor.engine.evaluate import Assessment, Judgement
from auditor.errors import InputError
from auditor.facts import Evidence, FactSheet, lookup, nearest_fact
from auditor.identity import record_ids
from auditor.resources import load_schema
from auditor.sources import yamlpos
from auditor.vocabulary import STATUSES

KINDS = ("facts", "status")
_ENTRY_KEYS = {"value", "reason", "by"}


@dataclass(frozen=True)
class Correction:
    trial: str  # canonical id
    kind: str  # facts | status
    key: str  # fact path or criterion code
    value: Any
    reason: str
    by: str | None
    line: int
    trial_line: int = 0  # the line of the trial's key

    def evidence(self, origin: str) -> Evidence:
        return Evidence(at=f"{origin}:{self.line}", quote=orjson.dumps(self.value).decode(), line=self.line,
                        note=f"set by reviewer: {self.reason}" + (f" ({self.by})" if self.by else ""))


@dataclass
class Corrections:
    origin: str
    items: list[Correction] = field(default_factory=list)
    digest: str = ""  # of the entries; "" when there are none (as good as no corrections)

    def for_ids(self, ids: list[str]) -> list[Correction]:
        wanted = set(ids)
        return [c for c in self.items if c.trial in wanted]

    def check_codes(self, codes: tuple[str, ...], profile_id: str = "", left_out: tuple[str, ...] = ()) -> None:
        """Every status correction names a criterion the profile checks; `left_out`: the profile's
        criteria that the selection leaves out, named as such."""
        for c in self.items:
            if c.kind == "status" and c.key in left_out:
                raise InputError(self.origin, f"{c.key!r} is not checked in this run (--select, --ignore or the "
                                              "settings leave it out): check it, or remove this correction", line=c.line)
            if c.kind == "status" and c.key not in codes:
                of = f"profile {profile_id}" if profile_id else "the profile"
                raise InputError(self.origin, f"{c.key!r} is not a criterion of {of}", line=c.line)

    def unmatched(self, seen: set[str]) -> list[InputError]:
        """One error per trial the corrections name that no record of the inputs has."""
        lines: dict[str, int] = {}
        for c in self.items:
            lines.setdefault(c.trial, c.trial_line or c.line)
        return [InputError(self.origin, f"{trial} is not in the inputs", line=line)
                for trial, line in lines.items() if trial not in seen]


def _fact_schema(path: str) -> dict[str, Any] | None:
    node: dict[str, Any] | None = load_schema("facts")
    for key in path.split("."):
        props = (node or {}).get("properties")
        node = props.get(key) if isinstance(props, dict) else None
    return None if node is None or "properties" in node else node


def load(path: str | Path) -> Corrections:
    origin = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(origin, f"cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    return load_text(text, origin)


def load_text(text: str, origin: str) -> Corrections:
    """Corrections from YAML text; `origin` names the file in errors."""
    try:
        doc, positions = yamlpos.load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError(origin, f"not valid YAML: {getattr(exc, 'problem', None) or exc}",
                         line=mark.line + 1 if mark else None) from None
    out = Corrections(origin)
    if doc is None:
        return out

    def fail(pointer: str, message: str) -> InputError:
        return InputError(origin, message, line=positions.get(pointer, (None, None))[0])

    if not isinstance(doc, dict):
        raise fail("", "expected a mapping of trial ids")
    for trial, body in doc.items():
        at = f"/{yamlpos._escape(trial)}"
        ids = record_ids(str(trial), [])
        if body is None:
            continue
        if not ids or not isinstance(body, dict) or not set(body) <= set(KINDS):
            raise fail(at, f"{trial}: expected a trial id with `facts:` and/or `status:`")
        for kind, entries in body.items():
            if entries is None:
                continue  # a template's section whose entries are all still commented out
            if not isinstance(entries, dict):
                raise fail(f"{at}/{kind}", f"{trial}.{kind}: expected a mapping")
            for key, entry in entries.items():
                where = f"{at}/{kind}/{yamlpos._escape(key)}"
                item = _entry(ids[0], kind, str(key), entry, lambda m, w=where: fail(w, m),
                              positions.get(where, (0, 0))[0])
                out.items.append(dataclasses.replace(item, trial_line=positions.get(at, (0, 0))[0]))
    # What stored results depend on (the entries, their lines and the file's name, all quoted in
    # evidence), not the text: a comment or a template's commented-out entries change nothing.
    if out.items:
        entries = [dataclasses.astuple(c) for c in out.items]
        out.digest = hashlib.blake2b(orjson.dumps([origin, entries]), digest_size=16).hexdigest()
    return out


def _entry(trial: str, kind: str, key: str, entry: Any, fail: Any, line: int) -> Correction:
    if not isinstance(entry, dict) or "value" not in entry or "reason" not in entry or set(entry) - _ENTRY_KEYS:
        raise fail(f"{key}: expected {{value: ..., reason: ..., by: ...}}")
    # The audit trail is the point of a correction: the template writes `reason: "", by: ""`, and a
    # reviewer who only uncomments a line must not record a verdict that says nothing of why or who.
    if entry["reason"] is None or not str(entry["reason"]).strip():
        raise fail(f"{key}: `reason` is empty: say why the value is right (e.g. \"per the protocol paper\")")
    if "by" in entry and (entry["by"] is None or not str(entry["by"]).strip()):
        raise fail(f"{key}: `by` is empty: give who made the correction (e.g. your initials), or leave `by` out")
    value = entry["value"]
    if kind == "facts":
        schema = _fact_schema(key)
        if schema is None:
            near = nearest_fact(key)
            hint = f"did you mean {near!r}? " if near else ""
            raise fail(f"{key!r} is not a fact of the Facts schema ({hint}trial-audit schema facts)")
        import jsonschema  # only when a reviewer sets a fact: a plain check starts without it

        try:
            jsonschema.validate(value, schema)
        except jsonschema.ValidationError as exc:
            raise fail(f"{key}: {exc.message}") from None
    elif value not in STATUSES:
        # `value: yes` arrives as True: say why the reviewer's word reads back as another.
        shown = (f"{str(value).lower()} (YAML reads an unquoted yes, no, on or off as true or false)"
                 if isinstance(value, bool) else repr(value))
        raise fail(f"{key}: status {shown} is not one of {', '.join(STATUSES)}")
    return Correction(trial, kind, key, value, str(entry["reason"]), None if entry.get("by") is None
                      else str(entry["by"]), line)


@dataclass(frozen=True)
class Applied:
    """One correction as applied to one record: what was extracted and what the reviewer set."""

    correction: Correction
    original: Any

    def as_dict(self) -> dict[str, Any]:
        c = self.correction
        return {"kind": c.kind, "key": c.key, "original": self.original, "value": c.value, "reason": c.reason,
                "by": c.by, "line": c.line}


def fact_values(items: list[Correction], origin: str) -> dict[str, tuple[Any, Evidence]]:
    """The fact corrections of `items` as `derive(record, corrections=...)` takes them: fact path ->
    (value, evidence quoting the correction). A later entry for the same fact wins, as in set_facts."""
    return {c.key: (c.value, c.evidence(origin)) for c in items if c.kind == "facts"}


def applied_facts(extracted: FactSheet, items: list[Correction]) -> list[Applied]:
    """The audit trail of the fact corrections: each with the value extraction gave (`extracted`,
    the sheet derived without corrections)."""
    return [Applied(c, lookup(extracted.facts, c.key)) for c in items if c.kind == "facts"]


def set_facts(sheet: FactSheet, items: list[Correction], origin: str) -> list[Applied]:
    """Set the corrected facts on a derived sheet (only those: the facts computed from them are
    not recomputed; the pipeline passes corrections to derive() instead)."""
    applied = []
    for c in items:
        if c.kind == "facts":
            applied.append(Applied(c, lookup(sheet.facts, c.key)))
            sheet.set(c.key, c.value)
            sheet.evidence[c.key] = [c.evidence(origin)]
    return applied


def set_statuses(judgement: Judgement, codes: tuple[str, ...], items: list[Correction],
                 origin: str) -> tuple[Judgement, list[Applied]]:
    by_code = {c.key: c for c in items if c.kind == "status"}
    if not by_code:
        return judgement, []
    applied, assessments = [], []
    for code, found in zip(codes, judgement.assessments, strict=True):
        c = by_code.get(code)
        if c is None:
            assessments.append(found)
            continue
        applied.append(Applied(c, found.status))
        assessments.append(Assessment(c.value, f"Set by reviewer: {c.reason}", found.fix, found.values,
                                      [c.evidence(origin), *found.evidence]))
    counts = dict.fromkeys(STATUSES, 0)
    for a in assessments:
        counts[a.status] += 1
    return Judgement(assessments, counts), applied  # type: ignore[arg-type]
