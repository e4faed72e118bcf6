"""Extraction knowledge as data: one YAML file per rule family in this folder.

A methodologist teaches the tool a new phrasing by adding a line to one of these files (and a case
to `tests/extract/cases/<family>.yaml`); the extractor modules in `auditor/extract/` hold only the
mechanism that applies them. `load(name)` parses a family once per process.

Patterns in the files may use `{macros}` (see `expand`): `{num}` a number in digits or words, `{unit}`
any time unit, and any vocabulary named in `units.yaml`, so a unit or number word is defined once.
"""

from __future__ import annotations

import functools
import re
from importlib import resources
from typing import Any

import yaml


class RuleError(ValueError):
    """A rule file that cannot be used (named in the message with the offending entry)."""


@functools.cache
def load(name: str) -> dict[str, Any]:
    """The parsed rule family `name` (`auditor/extract/rules/<name>.yaml`)."""
    from auditor import derived

    # Parsed once and kept across runs as JSON (`derived`: its fingerprint covers the rule files'
    # content, so the name is key enough); YAML that is not plain JSON is parsed every run.
    data = derived.memo("rules.load", name, _parse, name, keep=derived.plain)
    if not isinstance(data, dict):
        raise RuleError(f"rules/{name}.yaml: expected a mapping at the top")
    return data


def _parse(name: str) -> Any:
    text = resources.files(__name__).joinpath(f"{name}.yaml").read_text("utf-8")
    # libyaml when present: the pure-Python loader costs more than all the rule patterns at start-up.
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def alternation(words: list[str]) -> str:
    """A regex alternation of literal phrases, longest first (so "weeks" wins over "week").

    A space in a phrase matches any run of whitespace or a hyphen ("follow up", "follow-up")."""
    parts = sorted({re.escape(w).replace(r"\ ", r"[\s-]+") for w in words}, key=lambda s: (-len(s), s))
    return "(?:" + "|".join(parts) + ")"


_MACRO = re.compile(r"\{([a-z_]+)\}")


def expand(pattern: str, macros: dict[str, str], where: str = "") -> str:
    """Replace `{name}` in a rule pattern by the regex fragment `macros[name]`.

    Regex repetition braces (`{0,3}`) are left alone: macro names are lower-case words only."""
    def sub(m: re.Match[str]) -> str:
        if m.group(1) not in macros:
            raise RuleError(f"{where}: unknown macro {{{m.group(1)}}} (known: {', '.join(sorted(macros))})")
        return macros[m.group(1)]
    return _MACRO.sub(sub, pattern)


def compile_rule(pattern: str, macros: dict[str, str], where: str, flags: int = re.I) -> re.Pattern[str]:
    """The rule compiled (a bad one is a RuleError here, where it is defined); the pattern object
    compiles on first use, and that the pattern compiles at all is kept across runs (`derived`)."""
    from auditor.extract.fast_patterns import check_compiles, lazy_compile

    source = expand(pattern, macros, where)
    try:
        check_compiles(source, flags)
    except re.error as exc:
        raise RuleError(f"{where}: bad pattern {pattern!r}: {exc}") from exc
    return lazy_compile(source, flags)
