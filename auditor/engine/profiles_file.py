"""Read a profile file (JSON or YAML) and check it against the profile meta-schema
(schemas/profile.schema.json), in words of the schema, never of the file's content.

That a document passes is kept across runs (auditor.derived), so most runs never import jsonschema.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
import yaml

from auditor import derived
from auditor.errors import InputError
from auditor.resources import load_schema

if TYPE_CHECKING:
    import jsonschema


def read(path: Path) -> dict[str, Any]:
    """The profile document of one file (its `extends` not resolved); exit 2 naming the file."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(str(path), f"cannot read profile: {exc.strerror or exc}") from None
    kind = path.suffix.lstrip(".").upper() or "JSON"
    data = data.removeprefix(b"\xef\xbb\xbf")  # a BOM, as Windows Notepad saves UTF-8
    if not data.strip():  # YAML reads it as null, JSON not at all: neither says "empty"
        raise InputError(str(path), "profile file is empty; `trial-audit schema profile` describes what it holds")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(str(path), f"profile is not UTF-8 text (line {line}); save it as UTF-8") from None
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
        allowed = sorted(err.schema.get("properties", {})) if isinstance(err.schema, dict) else []
        return "has a key the profile format does not know" + (
            f"; the keys allowed here are {', '.join(allowed)}" if allowed else "")
    return f"fails the schema's {err.validator!r} rule"
