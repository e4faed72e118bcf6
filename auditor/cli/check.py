"""`trial-audit check PATH...` and `trial-audit config`: audit a few inputs with the effective settings.

Settings come from `[tool.trial-audit]` in pyproject.toml or a `.trial-audit.toml` (see
`auditor.cli.settings`); options given on the command line override them.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from auditor.cli.common import EXIT_ERROR, EXIT_GAPS, EXIT_OK, fail, load_corrections, split
from auditor.errors import InputError
from auditor.vocabulary import ANNOTATING, FAIL_LEVELS, OUTPUT_FORMATS, READER_NAMES, SEVERITIES

if TYPE_CHECKING:
    from auditor.cli.settings import Config
    from auditor.engine.profiles import Profile
    from auditor.findings import Report

DEFAULT_PROFILE = "ho2022-cnslbp"  # auditor.engine.profiles.DEFAULT_PROFILE (a test keeps them equal)


def _severity_overrides(values: tuple[str, ...]) -> dict[str, str] | None:
    overrides: dict[str, str] = {}
    for item in values:
        selector, sep, level = item.partition("=")
        if not sep or level.strip() not in SEVERITIES:
            fail(f"--severity {item!r}: expected CODE=LEVEL with LEVEL one of {', '.join(SEVERITIES)}")
        overrides[selector.strip()] = level.strip()
    return overrides or None


def config_options(command: Callable[..., None]) -> Callable[..., None]:
    """Options shared by `check` and `config`: each overrides the configuration file."""
    options = [
        click.option("--profile", "profile_ref", default=None,
                     help=f"Bundled profile id or path to a profile file.  [default: {DEFAULT_PROFILE}]"),
        click.option("--format", "fmt", type=click.Choice(sorted(OUTPUT_FORMATS)), default=None,
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
        click.option("--input-format", "reader", type=click.Choice(sorted(READER_NAMES)), default=None,
                     help="Skip detection and read every input with this reader."),
        click.option("--config", "config_path", type=click.Path(dir_okay=False), default=None,
                     help="Read settings from this file (.trial-audit.toml or pyproject.toml) instead of searching."),
        click.option("--isolated", is_flag=True, help="Ignore configuration files."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _configure(opts: dict[str, Any]) -> tuple[Config, Profile]:
    """The effective configuration and the (unfiltered) profile it names; exit 2 on any mistake."""
    from auditor.cli import settings
    from auditor.engine import profiles

    cli_values = {"profile": opts["profile_ref"], "format": opts["fmt"], "fail-on": opts["fail_on"],
                  "min-severity": opts["min_severity"], "input-format": opts["reader"],
                  "select": split(opts["select"]), "ignore": split(opts["ignore"]),
                  "severity": _severity_overrides(opts["severity"])}
    if opts["isolated"] and opts["config_path"]:
        fail("--isolated and --config exclude each other")
    try:
        cfg = settings.load(cli_values, opts["config_path"], formats=OUTPUT_FORMATS, readers=READER_NAMES,
                            isolated=opts["isolated"])
        profile = profiles.load(cfg["profile"])
        settings.check_selectors(cfg, profile)
    except InputError as err:
        fail(err.one_line())
    return cfg, profile


def _by_profile(paths: tuple[str, ...], cfg: Config, profile: Profile) -> list[tuple[Profile, list[str]]]:
    """Input paths grouped by their effective profile (per-path settings), in input order."""
    from auditor.cli import settings
    from auditor.engine.selection import filtered
    from auditor.sources.containers import walk

    if not cfg.per_path:
        return [(filtered(profile, cfg["select"], cfg["ignore"], cfg["severity"]), list(paths))]
    groups: dict[tuple[str, ...], tuple[Profile, list[str]]] = {}
    for raw in paths:
        folder = Path(raw)
        # Per-path patterns name files, so a folder is matched file by file (the files `check` reads).
        files = [str(p) for p in walk(folder)] if raw != "-" and folder.is_dir() else []
        for path in files or [raw]:
            prof = settings.profile_for(cfg, profile, path)
            key = tuple(f"{c.code}:{c.severity}" for c in prof.criteria)
            groups.setdefault(key, (prof, []))[1].append(path)
    return list(groups.values())


def _github_summary(fmt: str, report: Report, profile: Profile) -> None:
    """In GitHub Actions, also add the markdown report to the job summary: GitHub shows only the
    first few annotations of a step, the summary has every finding."""
    from auditor.report import REPORTERS

    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if fmt != "github" or not summary:
        return
    try:
        with open(summary, "a", encoding="utf-8") as fh:
            fh.write(REPORTERS["markdown"](report, profile))
    except OSError as exc:
        click.echo(f"trial-audit: cannot write the job summary {summary}: {exc.strerror or exc}", err=True)


@click.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help="Write the report here instead of stdout.")
@click.option("--corrections", "corrections_path", type=click.Path(dir_okay=False), default=None,
              help="A reviewer's corrections.yaml, applied after extraction (or `corrections` in the settings).")
@click.option("--as-registered", is_flag=True,
              help="Audit each record as it stood when enrolment started (needs `fetch --history`; exit 2 without it).")
@config_options
def check(paths: tuple[str, ...], output: str | None, corrections_path: str | None, as_registered: bool,
          **opts: Any) -> None:
    """Audit each record in PATHS (files, folders, archives, or - for stdin).

    Settings come from `[tool.trial-audit]` in pyproject.toml or a `.trial-audit.toml` (the nearest
    one above the current folder); options given here override them. See `trial-audit config`.
    """
    from auditor import pipeline
    from auditor.engine.selection import union as union_profiles
    from auditor.report import REPORTERS
    from auditor.report.locate import violations
    from auditor.sources.protocol import ProtocolInvalid

    cfg, base = _configure(opts)
    fail_on, fmt = cfg["fail-on"], cfg["format"]
    audits, problems, errors = [], [], []
    groups = _by_profile(paths, cfg, base)
    corrections = load_corrections(corrections_path or cfg["corrections"])
    seen: set[str] | None = set() if corrections is not None and len(groups) > 1 else None
    for prof, group in groups:
        partial, errs = pipeline.check(group, prof, fail_on, cfg["input-format"], corrections, seen=seen,
                                       as_registered=as_registered)
        audits += partial.audits
        problems += partial.errors
        errors += errs
    if corrections is not None and seen is not None:  # per-path groups: trials not in any of them
        unmatched = corrections.unmatched(seen)
        errors += unmatched
        problems += [pipeline.problem(e) for e in unmatched]
    shown = groups[0][0] if len(groups) == 1 else union_profiles([g[0] for g in groups], base)
    report = pipeline.build_report(audits, problems, shown, fail_on)
    extra = {}
    if fmt in ANNOTATING:
        extra["min_severity"] = cfg["min-severity"]
        # Annotate every schema violation on its own line, not only the first (totals unchanged).
        report.errors = violations(report.errors)
    text = REPORTERS[fmt](report, shown, **extra)
    _github_summary(fmt, report, shown)
    if output:
        Path(output).write_text(text, encoding="utf-8")
    elif audits or fmt != "text":
        # Nothing audited: a text report would only repeat the errors below (header, error, totals).
        click.echo(text, nl=False)
    for err in errors:
        details = err.details if isinstance(err, ProtocolInvalid) else [err.one_line()]
        for line in details:
            click.echo(f"trial-audit: {line}", err=True)
    if errors:
        sys.exit(EXIT_ERROR)
    sys.exit(EXIT_GAPS if report.totals.gaps_at_fail_level else EXIT_OK)


@click.command("config")
@config_options
def show_config(**opts: Any) -> None:
    """Show the effective configuration and where each value comes from."""
    from auditor.cli import settings

    cfg, profile = _configure(opts)
    click.echo(settings.describe(cfg, profile), nl=False)
