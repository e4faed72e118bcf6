"""A protocol file that is not valid YAML/JSON: PyYAML's error as what to do, at its line and column
(templates: `syntax` in protocol_messages.yaml)."""

from __future__ import annotations

from typing import Any

from auditor.sources.protocol_check import messages


def syntax_problem(exc: Any, text: str) -> tuple[str, int | None, int | None]:
    """A PyYAML error as what to do (protocol_messages.yaml `syntax`), with its line and column.
    A JSON file gets JSON's own words for what PyYAML does not word (a trailing comma)."""
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context = getattr(exc, "context", None) or ""
    mark, begun = getattr(exc, "problem_mark", None), getattr(exc, "context_mark", None)
    kind = "JSON" if text.lstrip().startswith(("{", "[")) else "YAML/JSON"
    lines = text.splitlines()
    before = lines[mark.line][:mark.column] if mark is not None and mark.line < len(lines) else ""
    first_on_line = ":" not in before  # the colon PyYAML stopped at is the line's first: a field name
    for entry in messages()["syntax"]:
        if problem.startswith(entry.get("problem", "")) and context.startswith(entry.get("context", "")) \
                and first_on_line >= entry.get("first_on_line", False):
            at = begun if entry.get("at") == "context" and begun is not None else mark
            words = entry["say"].format(line=begun.line + 1 if begun is not None else "?")
            return f"not valid {kind}: {words}", *_line_column(at)
    return f"not valid {kind}: {problem}", *_line_column(mark)


def _line_column(mark: Any) -> tuple[int | None, int | None]:
    return (mark.line + 1, mark.column + 1) if mark is not None else (None, None)

