"""Generate a plain Python predicate from a JSON Schema (the keywords draft-07 and 2020-12 share).

A criterion's condition is checked once per record, and most checks fail. Validators that report
why a value fails (jsonschema, fastjsonschema) build an error each time: ~2.5 us a check, most of
the engine's time. A condition only needs yes or no, so each (sub)schema here becomes a function
of straight-line tests that returns False at the first failed keyword (~0.3 us).

Every value taken from the schema (property names, constants, patterns, bounds) is passed in as a
named constant, never written into the generated source, so no schema text is ever executed.
Semantics follow JSON Schema, not Python: true is not 1, 1.0 is an integer, a keyword about one kind
of value (minimum, required, items, ...) lets every other kind through.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from fractions import Fraction
from typing import Any

Predicate = Callable[[Any], bool]


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _is_integer(v: Any) -> bool:
    return (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, float) and v.is_integer())


def equal(a: Any, b: Any) -> bool:
    """JSON equality: true is not 1, 1 is 1.0, containers compare item by item."""
    if type(a) is str:  # the common case (a text fact), settled before the other kinds are tried
        return type(b) is str and a == b
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(equal(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(equal(a[k], b[k]) for k in a)
    if _is_number(a) and _is_number(b):
        return bool(a == b)
    return type(a) is type(b) and bool(a == b)


def _multiple_of(v: float, m: float) -> bool:
    # As jsonschema decides it: a float divisor by the quotient, exact fractions when that overflows.
    if isinstance(m, float):
        try:
            q = v / m
            return int(q) == q
        except OverflowError:
            return Fraction(v) % Fraction(m) == 0
    return not v % m


def _unique(items: list[Any]) -> bool:
    return not any(equal(items[i], items[j]) for i in range(len(items)) for j in range(i + 1, len(items)))


# Type tests written out (no call per test): what _is_integer and _is_number decide.
_TYPE_TESTS = {
    "null": "{v} is None", "boolean": "isinstance({v}, bool)",
    "integer": "((isinstance({v}, int) and not isinstance({v}, bool)) or (isinstance({v}, float) and {v}.is_integer()))",
    "number": "(isinstance({v}, (int, float)) and not isinstance({v}, bool))", "string": "isinstance({v}, str)",
    "array": "isinstance({v}, list)", "object": "isinstance({v}, dict)",
}


class _Generator:
    """Source of one function per (sub)schema that is applied to a value of its own (items,
    allOf ...); the subschema of a property is written inline, on a variable of its own, into
    the function of the object that holds it: a profile's dotted paths expand to objects nested
    three deep, and a call per level was most of a check's cost."""

    def __init__(self) -> None:
        self.functions: list[str] = []
        self.constants: dict[str, Any] = {}
        self.variables = 0

    def const(self, value: Any) -> str:
        name = f"c{len(self.constants)}"
        self.constants[name] = value
        return name

    def function(self, schema: Any) -> str:
        """The name of a generated function for `schema` (True/False schemas included)."""
        name = f"s{len(self.functions)}"
        self.functions.append("")  # reserve the slot: subschemas get later numbers
        body = self._body(schema, "v") if isinstance(schema, dict) else []
        if schema is False:
            body = ["return False"]
        lines = [f"def {name}(v):"] + ["    " + line for line in body] + ["    return True"]
        self.functions[int(name[1:])] = "\n".join(lines)
        return name

    def _body(self, s: dict[str, Any], v: str) -> list[str]:
        """Lines that `return False` when the value in variable `v` fails `s` (and fall through
        when it passes)."""
        out: list[str] = []
        kinds: list[str] = []
        if "type" in s:
            kinds = [s["type"]] if isinstance(s["type"], str) else list(s["type"])
            out.append(f"if not ({' or '.join(_TYPE_TESTS[k].format(v=v) for k in kinds)}): return False")
        if "const" in s:
            out.append(f"if not {self._equals(s['const'], v)}: return False")
        if "enum" in s:
            values = list(s["enum"])
            if values and all(type(e) is str for e in values):  # text only: what `equal` decides, by a set
                out.append(f"if not (type({v}) is str and {v} in {self.const(frozenset(values))}): return False")
            else:
                out.append(f"if not any(equal({v}, e) for e in {self.const(values)}): return False")
        number = [(k, op) for k, op in (("minimum", "<"), ("maximum", ">"), ("exclusiveMinimum", "<="),
                                         ("exclusiveMaximum", ">=")) if k in s]
        if number or "multipleOf" in s:
            out.append(f"if {_TYPE_TESTS['number'].format(v=v)}:")
            out += [f"    if {v} {op} {self.const(s[k])}: return False" for k, op in number]
            if "multipleOf" in s:
                out.append(f"    if not _multiple_of({v}, {self.const(s['multipleOf'])}): return False")
        text = [f"    if len({v}) < {self.const(s['minLength'])}: return False"] if "minLength" in s else []
        text += [f"    if len({v}) > {self.const(s['maxLength'])}: return False"] if "maxLength" in s else []
        text += [f"    if {self.const(re.compile(s['pattern']))}.search({v}) is None: return False"] if "pattern" in s else []
        if text:
            out += [f"if isinstance({v}, str):"] + text
        out += self._guarded(f"isinstance({v}, list)", self._array(s, v), kinds == ["array"])
        out += self._guarded(f"isinstance({v}, dict)", self._object(s, v), kinds == ["object"])
        for key, joiner in (("allOf", " and "), ("anyOf", " or ")):
            if key in s:
                calls = [f"{self.function(sub)}({v})" for sub in s[key]]
                out.append(f"if not ({joiner.join(calls)}): return False")
        if "oneOf" in s:
            calls = [f"{self.function(sub)}({v})" for sub in s["oneOf"]]
            out.append(f"if sum(({', '.join(calls)},)) != 1: return False")
        if "not" in s:
            out.append(f"if {self.function(s['not'])}({v}): return False")
        if "if" in s and ("then" in s or "else" in s):
            cond = self.function(s["if"])
            then, other = self.function(s.get("then", True)), self.function(s.get("else", True))
            out.append(f"if not ({then}({v}) if {cond}({v}) else {other}({v})): return False")
        return out

    @staticmethod
    def _guarded(test: str, lines: list[str], known: bool) -> list[str]:
        """`lines` (indented for a block) under `if test:`; dedented when the type test before
        has already made sure of it (`known`)."""
        if not lines:
            return []
        return [line[4:] for line in lines] if known else [f"if {test}:"] + lines

    def _equals(self, value: Any, v: str) -> str:
        """A test that `v` equals the constant `value` as `equal` decides it, written out for the
        constants conditions use (a text, true/false, null): no call for the commonest checks."""
        if type(value) is str:
            return f"(type({v}) is str and {v} == {self.const(value)})"
        if value is None or type(value) is bool:
            return f"({v} is {self.const(value)})"  # null, true and false are singletons
        return f"equal({v}, {self.const(value)})"

    def _array(self, s: dict[str, Any], v: str) -> list[str]:
        out: list[str] = []
        if "minItems" in s:
            out.append(f"    if len({v}) < {self.const(s['minItems'])}: return False")
        if "maxItems" in s:
            out.append(f"    if len({v}) > {self.const(s['maxItems'])}: return False")
        if s.get("uniqueItems") is True:
            out.append(f"    if not _unique({v}): return False")
        if "items" in s:
            out += [f"    for x in {v}:", f"        if not {self.function(s['items'])}(x): return False"]
        if "contains" in s:
            out.append(f"    if not any({self.function(s['contains'])}(x) for x in {v}): return False")
        return out

    def _object(self, s: dict[str, Any], v: str) -> list[str]:
        out: list[str] = []
        for key in s.get("required", []):
            out.append(f"    if {self.const(key)} not in {v}: return False")
        if "minProperties" in s:
            out.append(f"    if len({v}) < {self.const(s['minProperties'])}: return False")
        if "maxProperties" in s:
            out.append(f"    if len({v}) > {self.const(s['maxProperties'])}: return False")
        props = s.get("properties", {})
        for key, sub in props.items():
            k = self.const(key)
            if sub is False:
                out.append(f"    if {k} in {v}: return False")
            elif isinstance(sub, dict) and (body := self._body(sub, w := self._variable())):
                out += [f"    if {k} in {v}:", f"        {w} = {v}[{k}]"] + ["        " + line for line in body]
        patterns = [(self.const(re.compile(p)), self.function(sub)) for p, sub in s.get("patternProperties", {}).items()]
        for pattern, check in patterns:
            out += [f"    for k, x in {v}.items():", f"        if {pattern}.search(k) and not {check}(x): return False"]
        if "additionalProperties" in s:
            known = self.const(frozenset(props))
            listed = " or ".join(f"{p}.search(k)" for p, _ in patterns) or "False"
            check = self.function(s["additionalProperties"])
            out += [f"    for k, x in {v}.items():",
                    f"        if k not in {known} and not ({listed}) and not {check}(x): return False"]
        if "propertyNames" in s:
            out += [f"    for k in {v}:", f"        if not {self.function(s['propertyNames'])}(k): return False"]
        return out

    def _variable(self) -> str:
        self.variables += 1
        return f"v{self.variables}"


def predicate(schema: dict[str, Any] | bool) -> Predicate:
    """A function telling whether a value is valid against `schema` (draft-07-compatible keywords)."""
    gen = _Generator()
    entry = gen.function(schema)
    # A module name of their own: pickling the generated functions (cloudpickle, by value, to Dask
    # workers) then skips a search of every loaded module for each of them.
    namespace: dict[str, Any] = {"__name__": f"{__name__}.generated", "equal": equal, "_is_number": _is_number,
                                 "_is_integer": _is_integer, "_multiple_of": _multiple_of, "_unique": _unique,
                                 **gen.constants}
    exec(compile("\n\n".join(gen.functions), "<condition>", "exec"), namespace)
    return namespace[entry]  # type: ignore[no-any-return]
