"""Find the bundled `schemas/` folder in a source checkout and in an installed wheel."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import orjson

_HERE = Path(__file__).resolve().parent


@functools.cache
def schemas_dir() -> Path:
    # A wheel carries the folder inside the package (see pyproject force-include);
    # a checkout or editable install has it beside the package.
    for candidate in (_HERE / "_schemas", _HERE.parent / "schemas"):
        if (candidate / "facts.schema.json").is_file():
            return candidate
    raise RuntimeError("trial-audit is installed without its schemas/ folder")


@functools.cache
def load_schema(name: str) -> dict[str, Any]:
    """A bundled schema by short name: facts, report, profile, protocol."""
    return orjson.loads((schemas_dir() / f"{name}.schema.json").read_bytes())


def schema_names() -> list[str]:
    return sorted(p.name.removesuffix(".schema.json") for p in schemas_dir().glob("*.schema.json"))


def profiles_dir() -> Path:
    return schemas_dir() / "profiles"
