"""`trial-audit profiles | explain | schema | formats | init`: what the tool knows, and a template.

None of these reads a record, so none imports the readers, the extractors or the report formats.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from auditor.cli.check import DEFAULT_PROFILE
from auditor.cli.common import fail, load_profile
from auditor.errors import InputError
from auditor.resources import schema_names


@click.command()
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="Overwrite existing files.")
@click.option("--with-schema", is_flag=True,
              help="Also write protocol.schema.json beside it, which the template's first line points editors at.")
def init(path: str, force: bool, with_schema: bool) -> None:
    """Write a commented protocol-file template to PATH (`-`: to stdout), ready to fill in and audit."""
    from auditor.cli import template

    if path == "-":  # as `check -` reads stdin, `init -` writes to stdout
        if with_schema:
            fail("-: --with-schema needs a file to write the schema beside; give a path such as protocol.yaml")
        click.echo(template.template(), nl=False)
        return
    try:
        written = template.write(Path(path), force=force, with_schema=with_schema)
    except InputError as err:
        fail(err.one_line())
    click.echo(f"wrote {', '.join(map(str, written))}; fill it in, then run: trial-audit check {path}")
    if Path(path).suffix.lower() == ".json":
        click.echo("JSON has no comments: the optional fields, with an example of each, are in the YAML template "
                   "(trial-audit init protocol.yaml) and in the schema (trial-audit schema protocol)")


@click.command("profiles")
@click.option("--criteria", "criteria_of", metavar="PROFILE", default=None,
              help="Print this profile's criteria as a Markdown table instead (docs/criteria.md is this output).")
def list_profiles(criteria_of: str | None) -> None:
    """List the bundled profiles."""
    from auditor.engine import profiles

    if criteria_of is not None:
        from auditor.report import criteria

        click.echo(criteria.render(load_profile(criteria_of)), nl=False)
        return
    for ident in profiles.bundled_ids():
        profile = profiles.load(ident)
        click.echo(f"{profile.id:<16} {len(profile.criteria):>2} criteria  {profile.title}")


@click.command()
@click.argument("code")
@click.option("--profile", "profile_ref", default=DEFAULT_PROFILE, show_default=True,
              help="Bundled profile id or path to a profile file: explain the criterion as that profile "
                   "states it (a profile that extends another shows the merged criterion).")
def explain(code: str, profile_ref: str) -> None:
    """Explain a criterion by code (FU01) or name (follow-up.long-term), or every criterion of a group (follow-up) or code prefix (FU)."""
    import orjson

    profile = load_profile(profile_ref)
    crit = profile.criterion(code)
    # As --select/--ignore: a group (follow-up) or a code prefix (FU) means every criterion in it.
    wanted = code.strip()
    chosen = [crit] if crit is not None else [c for c in profile.criteria if wanted.lower() == c.group or (
        wanted.isalpha() and c.code.startswith(wanted.upper()))]
    if not chosen:
        near = _near(profile, wanted)
        hint = f"did you mean {' or '.join(near)}? " if near else ""
        fail(f"no criterion {code!r} in profile {profile.id}; {hint}codes: {', '.join(c.code for c in profile.criteria)}")
    pages = []
    for crit in chosen:
        lines = [f"{crit.code} {crit.name} ({crit.severity}, group {crit.group})", "",
                 crit.recommendation, "", f"Source: {crit.source}", f"Reads facts: {', '.join(crit.facts)}"]
        for name, schema in crit.conditions.items():
            lines.append(f"{name}: {orjson.dumps(schema).decode()}")
        if crit.fix:
            lines += ["", f"Fix: {crit.fix}"]
        pages.append("\n".join(lines))
    click.echo("\n\n".join(pages))


def _near(profile: Any, wanted: str) -> list[str]:
    """The criteria a near miss probably means: FU1 -> FU01; long-term -> every `*.long-term`; else difflib's."""
    import difflib
    import re

    number = re.fullmatch(r"([A-Za-z]+)0*(\d+)", wanted)
    if number and profile.criterion(f"{number[1].upper()}{int(number[2]):02d}"):
        return [f"{number[1].upper()}{int(number[2]):02d}"]
    names = [c.name for c in profile.criteria]
    tails = [n for n in names if n.partition(".")[2] == wanted.lower()]
    return tails or difflib.get_close_matches(wanted.lower(), names, n=2, cutoff=0.6)


@click.command()
@click.argument("name", type=click.Choice(schema_names()))
def schema(name: str) -> None:
    """Print a bundled JSON Schema (facts, profile, protocol, report)."""
    import orjson

    from auditor.resources import load_schema

    click.echo(orjson.dumps(load_schema(name), option=orjson.OPT_INDENT_2).decode())


@click.command("formats")
def list_formats() -> None:
    """List the input formats that are detected automatically."""
    from auditor.sources import READERS

    for name, module in READERS.items():
        click.echo(f"{name:<16} {module.DESCRIPTION}")
