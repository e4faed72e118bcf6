"""Command line: `trial-audit check|config|init|profiles|explain|schema|formats`.

Exit codes: 0 no gap at or above the fail level, 1 gaps found, 2 the tool could not do its job
(unreadable or invalid input, bad profile, bad option). Input problems are one line on stderr
that names the file; no traceback for anything the input caused.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import orjson

from auditor import __version__, config, profiles
from auditor import init as init_module
from auditor.audit import SEVERITIES, Report
from auditor.errors import InputError
from auditor.report import ANNOTATING, REPORTERS
from auditor.report.locate import violations
from auditor.resources import load_schema, schema_names
from auditor.runner import FAIL_LEVELS, build_report, check as run_check
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


def _split(values: tuple[str, ...]) -> list[str] | None:
    """`--select A,B --select C` -> [A, B, C]; None when the option was not given."""
    items = [s.strip() for v in values for s in v.split(",") if s.strip()]
    return items or None


def _severity_overrides(values: tuple[str, ...]) -> dict[str, str] | None:
    overrides: dict[str, str] = {}
    for item in values:
        selector, sep, level = item.partition("=")
        if not sep or level.strip() not in SEVERITIES:
            _fail(f"--severity {item!r}: expected CODE=LEVEL with LEVEL one of {', '.join(SEVERITIES)}")
        overrides[selector.strip()] = level.strip()
    return overrides or None


def config_options(command: Callable[..., None]) -> Callable[..., None]:
    """Options shared by `check` and `config`: each overrides the configuration file."""
    options = [
        click.option("--profile", "profile_ref", default=None,
                     help=f"Bundled profile id or path to a profile file.  [default: {profiles.DEFAULT_PROFILE}]"),
        click.option("--format", "fmt", type=click.Choice(sorted(REPORTERS)), default=None,
                     help="Output format.  [default: text; github when GITHUB_ACTIONS=true]"),
        click.option("--fail-on", type=click.Choice(FAIL_LEVELS), default=None,
                     help="Lowest severity of a gap (not met or unclear) that makes the exit code 1.  [default: error]"),
        click.option("--min-severity", type=click.Choice(SEVERITIES), default=None,
                     help="Lowest severity of a gap shown as a SARIF result or GitHub annotation.  [default: info]"),
        click.option("--select", multiple=True, metavar="CRITERIA",
                     help="Check only these criteria: codes, names, groups or code prefixes, comma-separated. "
                          "Replaces the configured `select`."),
        click.option("--ignore", multiple=True, metavar="CRITERIA",
                     help="Skip these criteria (same selectors as --select). Replaces the configured `ignore`."),
        click.option("--severity", "severity", multiple=True, metavar="CRITERIA=LEVEL",
                     help="Override a criterion's or group's severity, e.g. FU02=error."),
        click.option("--input-format", "reader", type=click.Choice(sorted(READERS)), default=None,
                     help="Skip detection and read every input with this reader."),
        click.option("--config", "config_path", type=click.Path(dir_okay=False), default=None,
                     help="Read settings from this file (.trial-audit.toml or pyproject.toml) instead of searching."),
        click.option("--isolated", is_flag=True, help="Ignore configuration files."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _configure(opts: dict[str, Any]) -> tuple[config.Config, profiles.Profile]:
    """The effective configuration and the (unfiltered) profile it names; exit 2 on any mistake."""
    cli_values = {"profile": opts["profile_ref"], "format": opts["fmt"], "fail-on": opts["fail_on"],
                  "min-severity": opts["min_severity"], "input-format": opts["reader"],
                  "select": _split(opts["select"]), "ignore": _split(opts["ignore"]),
                  "severity": _severity_overrides(opts["severity"])}
    if opts["isolated"] and opts["config_path"]:
        _fail("--isolated and --config exclude each other")
    try:
        cfg = config.load(cli_values, opts["config_path"], formats=tuple(REPORTERS), readers=tuple(READERS),
                          isolated=opts["isolated"])
        profile = profiles.load(cfg["profile"])
        config.check_selectors(cfg, profile)
    except InputError as err:
        _fail(err.one_line())
        raise  # unreachable: _fail exits
    return cfg, profile


def _by_profile(paths: tuple[str, ...], cfg: config.Config, profile: profiles.Profile) -> list[tuple[profiles.Profile, list[str]]]:
    """Input paths grouped by their effective profile (per-path settings), in input order."""
    if not cfg.per_path:
        return [(config.filtered(profile, cfg["select"], cfg["ignore"], cfg["severity"]), list(paths))]
    groups: dict[tuple[str, ...], tuple[profiles.Profile, list[str]]] = {}
    for raw in paths:
        folder = Path(raw)
        # Per-path patterns name files, so a folder is matched file by file.
        files = sorted(str(p) for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".")) \
            if raw != "-" and folder.is_dir() else []
        for path in files or [raw]:
            prof = config.profile_for(cfg, profile, path)
            key = tuple(f"{c.code}:{c.severity}" for c in prof.criteria)
            groups.setdefault(key, (prof, []))[1].append(path)
    return list(groups.values())


def _github_summary(fmt: str, report: Report, profile: profiles.Profile) -> None:
    """In GitHub Actions, also add the markdown report to the job summary: GitHub shows only the
    first few annotations of a step, the summary has every finding."""
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if fmt != "github" or not summary:
        return
    try:
        with open(summary, "a", encoding="utf-8") as fh:
            fh.write(REPORTERS["markdown"](report, profile))
    except OSError as exc:
        click.echo(f"trial-audit: cannot write the job summary {summary}: {exc.strerror or exc}", err=True)


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help="Write the report here instead of stdout.")
@config_options
def check(paths: tuple[str, ...], output: str | None, **opts: Any) -> None:
    """Audit each record in PATHS (files, folders, archives, or - for stdin).

    Settings come from `[tool.trial-audit]` in pyproject.toml or a `.trial-audit.toml` (the nearest
    one above the current folder); options given here override them. See `trial-audit config`.
    """
    cfg, base = _configure(opts)
    fail_on, fmt = cfg["fail-on"], cfg["format"]
    audits, problems, errors = [], [], []
    groups = _by_profile(paths, cfg, base)
    for prof, group in groups:
        partial, errs = run_check(group, prof, fail_on, cfg["input-format"])
        audits += partial.audits
        problems += partial.errors
        errors += errs
    shown = groups[0][0] if len(groups) == 1 else config.union([g[0] for g in groups], base)
    report = build_report(audits, problems, shown, fail_on)
    extra = {}
    if fmt in ANNOTATING:
        extra["min_severity"] = cfg["min-severity"]
        # Annotate every schema violation on its own line, not only the first (totals unchanged).
        report.errors = violations(report.errors)
    text = REPORTERS[fmt](report, shown, **extra)
    _github_summary(fmt, report, shown)
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


@main.command("config")
@config_options
def show_config(**opts: Any) -> None:
    """Show the effective configuration and where each value comes from."""
    cfg, profile = _configure(opts)
    click.echo(config.describe(cfg, profile), nl=False)


@main.command()
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="Overwrite existing files.")
@click.option("--with-schema", is_flag=True,
              help="Also write protocol.schema.json beside it, which the template's first line points editors at.")
def init(path: str, force: bool, with_schema: bool) -> None:
    """Write a commented protocol-file template to PATH, ready to fill in and audit."""
    try:
        written = init_module.write(Path(path), force=force, with_schema=with_schema)
    except InputError as err:
        _fail(err.one_line())
        return
    click.echo(f"wrote {', '.join(map(str, written))}; fill it in, then run: trial-audit check {path}")


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


from auditor.cli_batch import batch  # noqa: E402  (the `batch` command lives in its own module)
main.add_command(batch)
from auditor.cli_fetch import fetch_command  # noqa: E402  (the `fetch` command lives in its own module)
main.add_command(fetch_command)
