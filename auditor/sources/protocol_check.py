"""Problems in a protocol file, each on one line at the line and column of the offending key or value,
in words a trialist can act on (templates in protocol_messages.yaml).

Three passes: the JSON Schema (`schemas/protocol.schema.json`), with each kind of violation
rephrased (a misspelt field gets "did you mean" from difflib, a wrong type says what is expected),
here; dates that are not real dates and cross-field consistency (per-arm sizes vs the target, the
arms vs per-arm sizes, the latest assessment vs the treatment length of the arms), in
protocol_consistency.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from importlib import resources
from typing import TYPE_CHECKING, Any

import yaml

from auditor.errors import InputError
from auditor.resources import load_schema
from auditor.sources.yamlpos import Positions

if TYPE_CHECKING:
    import jsonschema

_MONTHS = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*months?\s*$", re.IGNORECASE)
_PERCENT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*%\s*$")
_LONGEST_EXAMPLE = 60  # a section's whole example (`trial`, `design`) would drown the message


@functools.cache
def messages() -> dict[str, Any]:
    text = resources.files("auditor.sources").joinpath("protocol_messages.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


@functools.cache
def _validator() -> jsonschema.Draft202012Validator:
    """Built once per process: a batch may read thousands of protocol files."""
    import jsonschema

    return jsonschema.Draft202012Validator(load_schema("protocol"))


@functools.cache
def _valid() -> Callable[[Any], bool]:
    """Whether a file has no schema violation, without jsonschema (imported only to word the
    violations of a file that has some): the schema as a generated predicate (auditor.engine.
    predicates), when every keyword in it means there what it means to jsonschema; else jsonschema."""
    from auditor.engine.conditions import draft7_compatible
    from auditor.engine.predicates import predicate

    schema = load_schema("protocol")
    core = {k: v for k, v in _without_format(schema).items() if k not in ("$schema", "$id")}
    if draft7_compatible(core):
        return predicate(core)
    return lambda doc: bool(_validator().is_valid(doc))


def _without_format(schema: Any) -> Any:
    """The schema without `format`: an annotation only to a validator without a format checker."""
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "format":
            continue
        if key in ("properties", "patternProperties") and isinstance(value, dict):
            out[key] = {name: _without_format(sub) for name, sub in value.items()}
        elif key in ("items", "contains", "additionalProperties", "propertyNames", "if", "then", "else", "not"):
            out[key] = _without_format(value)
        elif key in ("allOf", "anyOf", "oneOf") and isinstance(value, list):
            out[key] = [_without_format(sub) for sub in value]
        else:
            out[key] = value
    return out


def pointer(path: Any) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def _closest(word: str, choices: list[str], cutoff: float) -> str | None:
    """The most similar choice (ties: the first in the schema's order), as difflib measures it."""
    import difflib  # only for a misspelt field: not at start-up (~3 ms)

    scored = [(difflib.SequenceMatcher(None, word.lower(), c.lower()).ratio(), -i, c) for i, c in enumerate(choices)]
    best = max(scored, default=None)
    return best[2] if best and best[0] >= cutoff else None


def say(kind: str, **values: Any) -> str:
    return str(messages()[kind]).format(**values)


def field_name(ptr: str) -> str:
    """The field as written in the file: its key, or `key` item N for a list item."""
    parts = [p.replace("~1", "/").replace("~0", "~") for p in ptr.strip("/").split("/") if p]
    if not parts:
        return "the file"
    if parts[-1].isdigit():
        owner = next((p for p in reversed(parts) if not p.isdigit()), "list")
        return f"{owner}` item `{int(parts[-1]) + 1}"
    return parts[-1]


def shown(value: Any) -> str:
    if isinstance(value, str):
        return f"“{value}”" if value.strip() else "empty text"
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return "a section" if isinstance(value, dict) else "a list"
    return str(value)


def _example(schema: dict[str, Any]) -> str:
    examples = schema.get("examples") or []
    first = examples[0] if examples else None
    if isinstance(first, (int, float, str)) and not isinstance(first, bool):
        return f", e.g. {first}"
    if isinstance(first, (list, dict)):  # the form to write: `per_arm` e.g. [150, 150], a time point
        flow = yaml.safe_dump(first, default_flow_style=True, sort_keys=False, allow_unicode=True, width=1000).strip()
        return f", e.g. {flow}" if len(flow) <= _LONGEST_EXAMPLE else ""
    return ""


def _percent(value: Any, schema: dict[str, Any]) -> str:
    """A fraction (power, alpha, attrition) written as a percentage: `20` or `90%` -> " (20% is 0.2)"."""
    if schema.get("maximum") != 1:
        return ""
    match = _PERCENT.match(value) if isinstance(value, str) else None
    number = float(match.group(1)) if match else value
    if not is_number(number) or not 1 < number <= 100:
        return ""
    return say("percent_as_fraction", percent=number, fraction=number / 100)


def _suggest(name: str, value: str, allowed: list[str]) -> str | None:
    """The allowed value a trialist meant: their usual word for it (`synonyms`), else the closest spelling."""
    key = re.sub(r"[\s_-]+", " ", value.strip().lower())
    meant = messages()["synonyms"].get(name.rpartition("`")[2], {}).get(key)
    return meant if meant in allowed else _closest(value, allowed, 0.5)


def _expected(schema: dict[str, Any], name: str) -> str:
    kinds = schema.get("type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    words = " or ".join(messages()["types"].get(k, str(k)) for k in kinds if k)
    unit = messages()["units"].get(name)
    if unit and set(kinds) & {"number", "integer"}:
        words += f" of {unit}"
    return words or "something else"


class Problems:
    def __init__(self, origin: str, positions: Positions):
        self.origin = origin
        self.positions = positions
        self.found: list[InputError] = []
        self.in_other_units: set[str] = set()  # items with weeks given in another unit ({months: 3})

    def add(self, ptr: str, text: str) -> None:
        line, column = self.positions.get(ptr, (None, None))
        while line is None and ptr:  # a value the file does not have: its nearest section
            ptr = ptr.rpartition("/")[0]
            line, column = self.positions.get(ptr, (None, None))
        self.found.append(InputError(self.origin, text, where=ptr or "/", line=line or 1, column=column or 1))

    def schema_error(self, err: jsonschema.ValidationError) -> None:
        ptr = pointer(err.absolute_path)
        name = field_name(ptr)
        schema = err.schema if isinstance(err.schema, dict) else {}
        kind = err.validator
        if kind == "additionalProperties":
            allowed = sorted(schema.get("properties", {}))
            for extra in sorted(set(err.instance) - set(allowed)):
                close = _closest(extra, allowed, 0.6)
                per = messages()["weeks_per_unit"].get(extra) if "weeks" in allowed else None
                if per and is_number(err.instance[extra]):
                    weeks = round(err.instance[extra] * per)
                    text = say("other_unit_field", field=extra, section=name, value=err.instance[extra], weeks=weeks)
                    self.in_other_units.add(ptr)
                elif close:
                    text = say("unknown_field", field=extra, suggestion=close)
                else:
                    template = "unknown_top_level_field" if not ptr else "unknown_field_no_match"
                    text = say(template, field=extra, section=name, allowed=", ".join(allowed))
                self.add(f"{ptr}/{extra}", text)
        elif kind == "type":
            match = _MONTHS.match(err.instance) if isinstance(err.instance, str) else None
            if match and name.endswith("weeks"):
                months = float(match.group(1))
                self.add(ptr, say("months_as_weeks", field=name, expected=_expected(schema, name),
                                   value=shown(err.instance), months=f"{months:g}", weeks=round(months * 52 / 12)))
            else:
                text = say("wrong_type", field=name, expected=_expected(schema, name),
                            example=_example(schema), value=shown(err.instance))
                if isinstance(err.instance, bool) and "string" in str(schema.get("type")):
                    text += say("boolean_for_text")
                elif is_number(err.instance) and schema.get("type") == "string":
                    text += say("number_for_text")
                self.add(ptr, text + _percent(err.instance, schema))
        elif kind == "enum":
            allowed = [str(v) for v in err.validator_value]
            close = _suggest(name, str(err.instance), allowed)
            template = "not_allowed_value" if close else "not_allowed_value_no_match"
            self.add(ptr, say(template, field=name, value=shown(err.instance),
                               suggestion=close or "", allowed=", ".join(allowed)))
        elif kind == "required":
            missing = str(err.message).split("'")[1] if "'" in err.message else str(err.validator_value)
            self.add(ptr, say("missing_required", section=name if ptr else "the file", field=missing))
        elif kind in ("minimum", "exclusiveMinimum"):
            self.add(ptr, say("too_small", field=name, limit=err.validator_value, value=shown(err.instance)))
        elif kind in ("maximum", "exclusiveMaximum"):
            self.add(ptr, say("too_large", field=name, limit=err.validator_value, example=_example(schema),
                               value=shown(err.instance)) + _percent(err.instance, schema))
        elif kind in ("minItems", "minLength"):
            self.add(ptr, say("too_short", field=name))
        else:
            self.add(ptr, say("other", field=name, detail=err.message))


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def problems(doc: dict[str, Any], positions: Positions, origin: str) -> list[InputError]:
    """Every problem of the file, in file order (line, column)."""
    found = Problems(origin, positions)
    if not _valid()(doc):
        for err in _validator().iter_errors(doc):
            found.schema_error(err)
    # The passes over what the schema cannot say import this module's wording: imported here.
    from auditor.sources import protocol_consistency

    protocol_consistency.dates(doc, found)
    protocol_consistency.consistency(doc, found)
    # `{months: 3}` lacks `weeks` because it gives them in months: one problem, the one that says so.
    kept = [p for p in found.found if not (p.where in found.in_other_units and p.message == say(
        "missing_required", section=field_name(p.where), field="weeks"))]
    unique = {(p.line, p.column, p.message): p for p in kept}
    return sorted(unique.values(), key=lambda p: (p.line or 0, p.column or 0, p.message))
