"""Load YAML (and JSON) keeping the line and column of every value, keyed by JSON pointer.

A value inside a mapping is located at its key; a sequence item at the item.

PyYAML's composer gives nodes with marks; we build plain Python data from them ourselves so that
positions survive. Only the safe subset is built: scalars, mappings and sequences; tags that would
construct objects are rejected by the safe resolver's scalar handling.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

import yaml

Positions = dict[str, tuple[int, int]]

_constructor = yaml.SafeLoader(b"")  # used only for its scalar construction rules


def _escape(key: object) -> str:
    return str(key).replace("~", "~0").replace("/", "~1")


MAX_NODES = 200_000  # a protocol file has hundreds; more means alias expansion
# PyYAML keeps a "\ud83d\ude00" escape (JSON's way, and json.dump's, to write a character beyond
# the BMP) as two surrogates, which no UTF-8 output can write: they are joined into the character.
_SURROGATE = re.compile("[\ud800-\udfff]")


class TooManyValues(yaml.YAMLError):
    """More than MAX_NODES values: not a syntax error, a file far larger than its kind."""


def _build(node: yaml.Node, pointer: str, positions: Positions, depth: int, mark: yaml.Mark | None = None) -> Any:
    if len(positions) > MAX_NODES:
        raise TooManyValues(f"more than {MAX_NODES} values")
    if depth > 200:
        raise _at(node, "nesting deeper than 200 levels")
    mark = mark or node.start_mark
    positions[pointer] = (mark.line + 1, mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        lines: dict[str, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise _at(key_node, "complex mapping key")
            key = key_node.value
            if key in out:
                raise _at(key_node, f"`{key}` is given twice (first at line {lines[key]}): keep one, with what both hold")
            lines[key] = key_node.start_mark.line + 1
            # A mapping value is located at its key: that is the line a person reads and edits,
            # and a block value would otherwise point at the line below its key.
            out[key] = _build(value_node, f"{pointer}/{_escape(key)}", positions, depth + 1, key_node.start_mark)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, f"{pointer}/{i}", positions, depth + 1) for i, item in enumerate(node.value)]
    try:
        value = _constructor.construct_object(node, deep=True)
    except ValueError:  # 2026-02-30 looks like a timestamp but is no date: keep the text, the reader says why
        return node.value
    if isinstance(value, str) and _SURROGATE.search(value):
        return _joined(value, node)
    # Dates stay text: the record keeps what the file said, readers parse it.
    return value.isoformat() if isinstance(value, (datetime.date, datetime.datetime)) else value


def _joined(value: str, node: yaml.Node) -> str:
    try:
        return value.encode("utf-16-le", "surrogatepass").decode("utf-16-le")
    except UnicodeDecodeError as exc:
        half = value[exc.start // 2]
        raise _at(node, f"“\\u{ord(half):04x}” is half of a character (a UTF-16 surrogate escape without its "
                        "pair): write the character itself, or both of its escapes") from None


def load(text: str) -> tuple[Any, Positions]:
    """The document and a map pointer -> (line, column); raises yaml.YAMLError."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
    except RecursionError:  # PyYAML's composer recurses once per nesting level
        raise yaml.YAMLError("nesting too deep") from None
    finally:
        loader.dispose()
    positions: Positions = {}
    if node is None:
        return None, positions
    # Aliases come back from the composer as shared nodes; _build counts what it expands so a
    # billion-laughs document fails fast instead of filling memory.
    return _build(node, "", positions, 0), positions


def _at(node: yaml.Node, problem: str) -> yaml.MarkedYAMLError:
    """A problem at a node, marked like PyYAML's own errors, so that it is reported as
    `file:line: ...` (the line and column where the node starts) like every other problem."""
    return yaml.MarkedYAMLError(problem=problem, problem_mark=node.start_mark)
