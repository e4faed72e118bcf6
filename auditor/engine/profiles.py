"""Load, check and merge profiles: criteria as JSON Schemas over the Facts document.

A profile is data (schemas/profile.schema.json). Loading validates it against that meta-schema,
resolves `extends` (bundled id or a path relative to the file), applies `remove` and per-code
overrides, expands the dotted-path shorthand into plain JSON Schema and compiles every condition
once, so evaluating a record is only validator calls. Reading a file and its meta-schema check:
profiles_file; what a condition names: profiles_check; overlapping conditions: profiles_overlap.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditor import derived
from auditor.engine.conditions import compile_condition
from auditor.engine.messages import Variant, paths, template, texts
from auditor.engine.profiles_check import key_problem, ref_problem
from auditor.engine.profiles_file import read
from auditor.engine.profiles_overlap import overlap
from auditor.engine.profiles_overlap import warning as overlap_warning
from auditor.errors import InputError
from auditor.facts import BLANK
from auditor.resources import profiles_dir
from auditor.vocabulary import Severity

DEFAULT_PROFILE = "ho2022-cnslbp"
_CONDITIONS = ("applies_when", "met_when", "not_met_when")
_REQUIRED_NEW = ("name", "group", "severity", "facts", "met_when")


@dataclass(frozen=True)
class Criterion:
    code: str
    name: str
    group: str
    severity: Severity
    recommendation: str
    source: str
    fix: str | None
    facts: tuple[str, ...]
    messages: dict[str, Any]  # as written in the profile: a template or a list of variants, by status
    conditions: dict[str, dict[str, Any]]  # expanded JSON Schemas, by condition name
    validators: dict[str, Any]  # compiled, by condition name
    variants: dict[str, tuple[Variant, ...]] = field(default_factory=dict)  # compiled messages, by status
    fix_variants: tuple[Variant, ...] = ()


@dataclass(frozen=True)
class Profile:
    id: str
    title: str
    version: str | None
    citation: str | None
    description: str | None
    criteria: tuple[Criterion, ...]
    origin: str
    gap_map: tuple[str, ...] = ()  # criterion codes of the evidence-gap map (the review's priorities)
    warnings: tuple[str, ...] = ()  # what loads but is probably a mistake (profiles_overlap), in words

    def criterion(self, code_or_name: str) -> Criterion | None:
        wanted = code_or_name.strip()
        for crit in self.criteria:
            if wanted.upper() == crit.code or wanted.lower() == crit.name:
                return crit
        return None


def bundled_ids() -> list[str]:
    return sorted(p.stem for p in profiles_dir().glob("*.json"))


def load(ref: str = DEFAULT_PROFILE) -> Profile:
    """A profile by bundled id or by file path (JSON or YAML)."""
    path = Path(ref)
    if path.suffix.lower() in (".json", ".yaml", ".yml") or path.exists():
        return _load_file(str(path.resolve()))
    if ref in bundled_ids():
        return _load_file(str(profiles_dir() / f"{ref}.json"))
    raise InputError(ref, f"no such profile; bundled profiles: {', '.join(bundled_ids())}")


@functools.cache
def _load_file(path: str) -> Profile:
    raw, _ = _resolve(Path(path), ())
    criteria = tuple(_compile(c, path) for c in sorted(raw["criteria"], key=lambda c: c["code"]))
    overlaps = ((c.code, overlap(c.conditions, c.validators)) for c in criteria)
    return Profile(id=raw["id"], title=raw["title"], version=raw.get("version"), citation=raw.get("citation"),
                   description=raw.get("description"), criteria=criteria, origin=path,
                   gap_map=tuple(raw.get("gap_map", ())),
                   warnings=tuple(overlap_warning(code, facts) for code, facts in overlaps if facts))


def _schema_problem(schema: Any) -> str | None:
    """check_schema's message for a schema that is no valid JSON Schema, else None; that a schema
    passes is kept across runs (auditor.derived: a failure is never kept)."""
    if derived.memo("check_schema", schema, _passes, schema, keep=bool):
        return None
    import jsonschema

    try:
        jsonschema.Draft202012Validator.check_schema(schema)
    except jsonschema.SchemaError as exc:
        return str(exc.message)
    return None


def _passes(schema: Any) -> bool:
    import jsonschema

    try:
        jsonschema.Draft202012Validator.check_schema(schema)
    except jsonschema.SchemaError:
        return False
    return True


def _resolve(path: Path, seen: tuple[str, ...]) -> tuple[dict[str, Any], tuple[str, ...]]:
    """The profile with its parents merged in: parents first, overrides by code, `remove` applied."""
    if str(path) in seen:
        raise InputError(str(path), "profile extends itself: " + " -> ".join(seen + (str(path),)))
    doc = read(path)
    seen = seen + (str(path),)
    if "extends" not in doc:
        missing = [(c["code"], k) for c in doc["criteria"] for k in _REQUIRED_NEW if k not in c]
        if missing:
            raise InputError(str(path), f"criterion {missing[0][0]} lacks {missing[0][1]!r}")
        return doc, seen
    parent_ref = doc["extends"]
    parent_path = path.parent / parent_ref
    if not parent_path.exists():
        if parent_ref not in bundled_ids():
            raise InputError(str(path), f"extends unknown profile {parent_ref!r}", where="/extends")
        parent_path = profiles_dir() / f"{parent_ref}.json"
    parent, seen = _resolve(parent_path.resolve(), seen)
    merged = {c["code"]: dict(c) for c in parent["criteria"]}
    for code in doc.get("remove", []):
        if code not in merged:
            raise InputError(str(path), f"remove names unknown criterion {code!r}", where="/remove")
        del merged[code]
    for crit in doc["criteria"]:
        if crit["code"] in merged:
            merged[crit["code"]].update(crit)
        else:
            lacking = [k for k in _REQUIRED_NEW if k not in crit]
            if lacking:
                raise InputError(str(path), f"criterion {crit['code']} lacks {lacking[0]!r}")
            merged[crit["code"]] = dict(crit)
    return {**parent, **{k: v for k, v in doc.items() if k not in ("extends", "remove")},
            "criteria": list(merged.values())}, seen


def expand(schema: Any) -> Any:
    """Turn `{"a.b": S}` into `{"properties": {"a": {"properties": {"b": S}, "required": ["b"]}}, "required": ["a"]}`."""
    if isinstance(schema, list):
        return [expand(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    plain: dict[str, Any] = {}
    nested: list[dict[str, Any]] = []
    for key, value in schema.items():
        if "." in key:
            node: dict[str, Any] = expand(value)
            for part in reversed(key.split(".")):
                node = {"type": "object", "properties": {part: node}, "required": [part]}
            nested.append(node)
        elif key in ("anyOf", "allOf", "oneOf", "not", "contains", "items", "if", "then", "else"):
            plain[key] = expand(value)
        else:
            plain[key] = value
    if not nested:
        return plain
    if plain:
        nested.insert(0, plain)
    return nested[0] if len(nested) == 1 else {"allOf": nested}


def _known_fact(path: str) -> bool:
    node: Any = BLANK
    for key in path.split("."):
        if not isinstance(node, dict) or key not in node:
            return False
        node = node[key]
    return True


def _compile(raw: dict[str, Any], origin: str) -> Criterion:
    unknown = [f for f in raw["facts"] if not _known_fact(f)]
    if unknown:
        raise InputError(origin, f"criterion {raw['code']} reads unknown fact {unknown[0]!r} "
                                 "(see `trial-audit schema facts`)")
    conditions = {name: _checked(raw[name], f"criterion {raw['code']} {name}", origin)
                  for name in _CONDITIONS if name in raw}
    validators = {name: compile_condition(schema) for name, schema in conditions.items()}
    messages = raw.get("messages", {})
    variants = {status: _variants(value, raw["code"], f"messages.{status}", origin) for status, value in messages.items()}
    fixes = _variants(raw.get("fix"), raw["code"], "fix", origin)
    return Criterion(code=raw["code"], name=raw["name"], group=raw["group"], severity=raw["severity"],
                     recommendation=raw.get("recommendation", ""), source=raw.get("source", ""),
                     fix=_general(raw.get("fix")), facts=tuple(raw["facts"]), messages=messages,
                     conditions=conditions, validators=validators, variants=variants, fix_variants=fixes)


def _checked(raw: Any, what: str, origin: str) -> Any:
    """The condition expanded, once it names only facts and keywords, is a valid JSON Schema and
    its `$ref`s resolve; else exit 2 naming the profile, the criterion and what to change."""
    problem = key_problem(raw)
    if problem is not None:
        raise InputError(origin, f"{what} {problem}" if problem.startswith("names") else f"{what}: {problem}")
    schema = expand(raw)
    problem = _schema_problem(schema)
    if problem is not None:
        raise InputError(origin, f"{what} is not a valid JSON Schema: {problem}")
    problem = ref_problem(schema)
    if problem is not None:
        raise InputError(origin, f"{what}: {problem}")
    return schema


def _general(raw: Any) -> str | None:
    """The fix as one text (SARIF rule help, `explain`): the variant without placeholders, else the last."""
    items = [text for text, _ in texts(raw)]
    return next((t for t in items if not paths(template(t))), items[-1] if items else None)


def _variants(raw: Any, code: str, what: str, origin: str) -> tuple[Variant, ...]:
    out = []
    for text, when in texts(raw):
        parts = template(text)
        unknown = [p for p in paths(parts) if not _known_fact(p)]
        if unknown:
            raise InputError(origin, f"criterion {code} {what} names unknown fact {unknown[0]!r}")
        check = None
        if when is not None:
            check = compile_condition(_checked(when, f"criterion {code} {what} `when`", origin))
        out.append(Variant(parts, paths(parts), check))
    return tuple(out)
