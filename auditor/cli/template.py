"""`trial-audit init PATH`: start a protocol file from the commented template.

The template (auditor/cli/templates/protocol.yaml) is valid as written, with TODO placeholders for
the few fields a draft needs and every other field commented out with an example value. Audited
as is, it shows the gaps a fresh draft has; uncommenting everything gives a trial that meets the
default profile (tests hold the template to both).
"""

from __future__ import annotations

import re
from pathlib import Path

import orjson

from auditor.errors import InputError
from auditor.resources import load_schema

TEMPLATE = Path(__file__).resolve().parent / "templates" / "protocol.yaml"
SCHEMA_NAME = "protocol.schema.json"
_COMMENTED = re.compile(r"^(\s*)# ?")


def template() -> str:
    return TEMPLATE.read_text(encoding="utf-8")


def uncommented(text: str) -> str:
    """The template with every optional field switched on: all comments after the header block."""
    lines = text.splitlines()
    body = next(i for i, line in enumerate(lines) if line.strip() and not line.lstrip().startswith("#"))
    return "\n".join(lines[:body] + [_COMMENTED.sub(r"\1", line, count=1) for line in lines[body:]]) + "\n"


def as_json(text: str) -> bytes:
    """The template's fields as a JSON protocol file, with the `$schema` key JSON editors read (JSON
    has no comments, so the commented-out fields and their guidance stay in the YAML template)."""
    from auditor.sources import yamlpos

    doc, _ = yamlpos.load(text)
    return orjson.dumps({"$schema": f"./{SCHEMA_NAME}", **doc}, option=orjson.OPT_INDENT_2) + b"\n"


def _refuse(path: Path, force: bool) -> None:
    if path.exists() and not force:
        raise InputError(str(path), "already exists; use --force to overwrite it")
    if path.exists() and path.is_dir():
        raise InputError(str(path), "is a folder")
    if not path.parent.is_dir():
        raise InputError(str(path), f"folder {path.parent} does not exist: create it first")


def write(path: Path, force: bool = False, with_schema: bool = False) -> list[Path]:
    """Write the template (and the schema editors read, when asked); returns the files written.

    Nothing is written unless every file can be: a refused schema must not leave a half-done init.
    """
    targets = [path] + ([path.parent / SCHEMA_NAME] if with_schema else [])
    for target in targets:
        _refuse(target, force)
    try:
        if path.suffix.lower() == ".json":
            path.write_bytes(as_json(template()))
        else:
            path.write_text(template(), encoding="utf-8")
        if with_schema:
            schema = orjson.dumps(load_schema("protocol"), option=orjson.OPT_INDENT_2)
            targets[1].write_bytes(schema + b"\n")
    except OSError as exc:
        raise InputError(str(path), f"cannot write: {exc.strerror or exc}") from None
    return targets
