"""Command line: `trial-audit check|profiles|explain|schema|formats`.

Exit codes: 0 no gap at or above the fail level, 1 gaps found, 2 the tool could not do its job
(unreadable or invalid input, bad profile, bad option). Input problems are one line on stderr
that names the file; no traceback for anything the input caused.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
import orjson

from auditor import __version__, profiles
from auditor.errors import InputError
from auditor.report import REPORTERS
from auditor.resources import load_schema, schema_names
from auditor.runner import FAIL_LEVELS, check as run_check
from auditor.sources import READERS
from auditor.sources.protocol import ProtocolInvalid

EXIT_OK, EXIT_GAPS, EXIT_ERROR = 0, 1, 2


def _fail(message: str) -> None:
    click.echo(f"trial-audit: {message}", err=True)
    sys.exit(EXIT_ERROR)


def _load_profile(ref: str) -> profiles.Profile:
    try:
        return profiles.load(ref)
    except InputError as err:
        _fail(err.one_line())
        raise  # unreachable: _fail exits


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="trial-audit")
def main() -> None:
    """Audit clinical-trial records and protocol files against review-derived quality profiles."""


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--profile", "profile_ref", default=profiles.DEFAULT_PROFILE, show_default=True,
              help="Bundled profile id or path to a profile file.")
@click.option("--format", "fmt", type=click.Choice(sorted(REPORTERS)), default="text", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help="Write the report here instead of stdout.")
@click.option("--fail-on", type=click.Choice(FAIL_LEVELS), default="error", show_default=True,
              help="Lowest severity of a gap (not met or unclear) that makes the exit code 1.")
@click.option("--input-format", "reader", type=click.Choice(sorted(READERS)), default=None,
              help="Skip detection and read every input with this reader.")
def check(paths: tuple[str, ...], profile_ref: str, fmt: str, output: str | None, fail_on: str, reader: str | None) -> None:
    """Audit each record in PATHS (files, folders, archives, or - for stdin)."""
    profile = _load_profile(profile_ref)
    report, errors = run_check(paths, profile, fail_on, reader)
    text = REPORTERS[fmt](report, profile)
    if output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)
    for err in errors:
        details = err.details if isinstance(err, ProtocolInvalid) else [err.one_line()]
        for line in details:
            click.echo(f"trial-audit: {line}", err=True)
    if errors:
        sys.exit(EXIT_ERROR)
    sys.exit(EXIT_GAPS if report.totals.gaps_at_fail_level else EXIT_OK)


@main.command("profiles")
def list_profiles() -> None:
    """List the bundled profiles."""
    for ident in profiles.bundled_ids():
        profile = profiles.load(ident)
        click.echo(f"{profile.id:<16} {len(profile.criteria):>2} criteria  {profile.title}")


@main.command()
@click.argument("code")
@click.option("--profile", "profile_ref", default=profiles.DEFAULT_PROFILE, show_default=True)
def explain(code: str, profile_ref: str) -> None:
    """Explain a criterion by code (FU01) or name (follow-up.long-term)."""
    profile = _load_profile(profile_ref)
    crit = profile.criterion(code)
    if crit is None:
        _fail(f"no criterion {code!r} in profile {profile.id}; codes: {', '.join(c.code for c in profile.criteria)}")
    assert crit is not None
    lines = [f"{crit.code} {crit.name} ({crit.severity}, group {crit.group})", "",
             crit.recommendation, "", f"Source: {crit.source}", f"Reads facts: {', '.join(crit.facts)}"]
    for name, schema in crit.conditions.items():
        lines.append(f"{name}: {orjson.dumps(schema).decode()}")
    if crit.fix:
        lines += ["", f"Fix: {crit.fix}"]
    click.echo("\n".join(lines))


@main.command()
@click.argument("name", type=click.Choice(schema_names()))
def schema(name: str) -> None:
    """Print a bundled JSON Schema (facts, profile, protocol, report)."""
    click.echo(orjson.dumps(load_schema(name), option=orjson.OPT_INDENT_2).decode())


@main.command("formats")
def list_formats() -> None:
    """List the input formats that are detected automatically."""
    for name, module in READERS.items():
        click.echo(f"{name:<16} {module.DESCRIPTION}")
