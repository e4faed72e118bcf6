"""Load, check and merge profiles: criteria as JSON Schemas over the Facts document.

A profile is data (schemas/profile.schema.json). Loading validates it against that meta-schema,
resolves `extends` (bundled id or a path relative to the file), applies `remove` and per-code
overrides, expands the dotted-path shorthand into plain JSON Schema and compiles every condition
once, so evaluating a record is only validator calls.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
import yaml

from auditor import derived
from auditor.engine.conditions import compile_condition
from auditor.engine.messages import Variant, paths, template, texts
from auditor.errors import InputError
from auditor.facts import BLANK, nearest_fact
from auditor.resources import load_schema, profiles_dir
from auditor.vocabulary import Severity

if TYPE_CHECKING:
    from collections.abc import Iterator

    import jsonschema

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
    return Profile(id=raw["id"], title=raw["title"], version=raw.get("version"), citation=raw.get("citation"),
                   description=raw.get("description"), criteria=criteria, origin=path,
                   gap_map=tuple(raw.get("gap_map", ())))


def _read(path: Path) -> dict[str, Any]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(str(path), f"cannot read profile: {exc.strerror or exc}") from None
    kind = path.suffix.lstrip(".").upper() or "JSON"
    # Only the path and the reason: a profile (or an `extends`) may name any file, and its content
    # must not be echoed into the message (no parser excerpt, no offending value).
    try:
        doc = orjson.loads(data) if path.suffix.lower() == ".json" else yaml.safe_load(data)
    except (orjson.JSONDecodeError, yaml.YAMLError, ValueError, RecursionError) as exc:
        mark: Any = getattr(exc, "problem_mark", None) or getattr(exc, "lineno", None)
        at = f" at line {mark.line + 1}" if hasattr(mark, "line") else f" at line {mark}" if mark else ""
        raise InputError(str(path), f"profile is not valid {kind}{at}") from None
    try:
        errors = [] if derived.memo("valid_profile", doc, _valid, doc, keep=bool) else _errors(doc)
    except RecursionError:
        raise InputError(str(path), "profile is nested too deeply") from None
    if errors:
        err = errors[0]
        where = "/" + "/".join(str(p) for p in err.absolute_path)
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise InputError(str(path), f"invalid profile: {_reason(err)}{more}", where=where)
    return doc


# jsonschema is imported only when a check is not known to pass: most runs never import it.
def _valid(doc: Any) -> bool:
    import jsonschema

    return bool(jsonschema.Draft202012Validator(load_schema("profile")).is_valid(doc))


def _errors(doc: Any) -> list[jsonschema.ValidationError]:
    import jsonschema

    return sorted(jsonschema.Draft202012Validator(load_schema("profile")).iter_errors(doc),
                  key=lambda e: [str(p) for p in e.absolute_path])


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


def _reason(err: jsonschema.ValidationError) -> str:
    """A schema violation in words of the schema, never of the (possibly foreign) file's content."""
    expected = err.validator_value
    if err.validator == "type":
        return f"expected {expected}" if not err.absolute_path else f"expected a value of type {expected}"
    if err.validator == "required":
        return f"lacks a required key (needs {', '.join(map(str, expected))})"
    if err.validator == "enum":
        return f"must be one of {', '.join(map(str, expected))}"
    if err.validator == "pattern":
        return f"does not match the pattern {expected}"
    if err.validator in ("minimum", "maximum", "minLength", "maxLength", "minItems", "maxItems"):
        return f"breaks {err.validator} {expected}"
    if err.validator == "additionalProperties":
        return "has a key the profile format does not know"
    return f"fails the schema's {err.validator!r} rule"


def _resolve(path: Path, seen: tuple[str, ...]) -> tuple[dict[str, Any], tuple[str, ...]]:
    """The profile with its parents merged in: parents first, overrides by code, `remove` applied."""
    if str(path) in seen:
        raise InputError(str(path), "profile extends itself: " + " -> ".join(seen + (str(path),)))
    doc = _read(path)
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


_COMBINATORS = ("anyOf", "allOf", "oneOf", "not", "contains", "items", "if", "then", "else")  # hold conditions


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
        elif key in _COMBINATORS:
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


def _condition_paths(schema: Any) -> Iterator[str]:
    """The dotted fact paths a condition names (its shorthand keys), through anyOf, not, ..."""
    if isinstance(schema, list):
        for item in schema:
            yield from _condition_paths(item)
    elif isinstance(schema, dict):
        for key, value in schema.items():
            if "." in key:
                yield key  # its value is a schema of the fact's value: paths in it are not facts
            elif key in _COMBINATORS:
                yield from _condition_paths(value)


def _did_you_mean(path: str) -> str:
    near = nearest_fact(path)
    return f"did you mean {near!r}? " if near else ""


def _compile(raw: dict[str, Any], origin: str) -> Criterion:
    unknown = [f for f in raw["facts"] if not _known_fact(f)]
    if unknown:
        raise InputError(origin, f"criterion {raw['code']} reads unknown fact {unknown[0]!r} "
                                 "(see `trial-audit schema facts`)")
    for name in _CONDITIONS:
        # A condition on a fact that does not exist never holds: the criterion would silently never be met.
        if bad := next((p for p in _condition_paths(raw.get(name)) if not _known_fact(p)), None):
            raise InputError(origin, f"criterion {raw['code']} {name} names unknown fact {bad!r} "
                                     f"({_did_you_mean(bad)}see `trial-audit schema facts`)")
    conditions = {name: expand(raw[name]) for name in _CONDITIONS if name in raw}
    validators = {}
    for name, schema in conditions.items():
        problem = _schema_problem(schema)
        if problem is not None:
            raise InputError(origin, f"criterion {raw['code']} {name} is not a valid JSON Schema: {problem}")
        validators[name] = compile_condition(schema)
    messages = raw.get("messages", {})
    variants = {status: _variants(value, raw["code"], f"messages.{status}", origin) for status, value in messages.items()}
    fixes = _variants(raw.get("fix"), raw["code"], "fix", origin)
    return Criterion(code=raw["code"], name=raw["name"], group=raw["group"], severity=raw["severity"],
                     recommendation=raw.get("recommendation", ""), source=raw.get("source", ""),
                     fix=_general(raw.get("fix")), facts=tuple(raw["facts"]), messages=messages,
                     conditions=conditions, validators=validators, variants=variants, fix_variants=fixes)


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
            schema = expand(when)
            problem = _schema_problem(schema)
            if problem is not None:
                raise InputError(origin, f"criterion {code} {what} `when` is not a valid JSON Schema: {problem}")
            check = compile_condition(schema)
        out.append(Variant(parts, paths(parts), check))
    return tuple(out)
