"""`trial-audit check PATH...` and `trial-audit config`: audit a few inputs with the effective settings.

Settings come from `[tool.trial-audit]` in pyproject.toml or a `.trial-audit.toml` (see
`auditor.cli.settings`); options given on the command line override them.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from auditor.cli.common import (
    EXIT_ERROR,
    EXIT_GAPS,
    EXIT_OK,
    check_correction_codes,
    fail,
    load_corrections,
    split,
    warn,
)
from auditor.errors import InputError
from auditor.vocabulary import ANNOTATING, FAIL_LEVELS, OUTPUT_FORMATS, READER_NAMES, SEVERITIES

if TYPE_CHECKING:
    from auditor.cli.settings import Config
    from auditor.engine.profiles import Profile

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
    warn(profile)
    return cfg, profile


def _by_profile(paths: tuple[str, ...], cfg: Config, profile: Profile) -> list[tuple[Profile, list[str]]]:
    """Input paths grouped by their effective profile (per-path settings), in input order."""
    from auditor.cli import settings
    from auditor.engine.selection import filtered
    from auditor.sources.walker import walk

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


class _Output:
    """Where the report goes, piece by piece: stdout, or the -o file (written as a hidden `.tmp`
    beside it, which no input walk reads, and renamed into place when complete). A write that fails
    (a missing or read-only folder, a full disk, a closed pipe) is one line and exit 2."""

    def __init__(self, output: str | None):
        self.name = output or "<stdout>"
        self.path = Path(output) if output else None
        self.tmp: Path | None = None
        self.fh: Any = None
        if self.path is not None:
            direct = self.path.exists() and not self.path.is_file()  # /dev/stdout, a pipe: write in place
            self.tmp = None if direct else self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
            try:
                self.fh = open(self.tmp or self.path, "w", encoding="utf-8")  # noqa: SIM115 - closed in finish/abort
            except OSError as exc:
                self._fail(exc)

    def write(self, text: str) -> None:
        if not text:
            return
        try:
            if self.fh is not None:
                self.fh.write(text)
            else:
                click.echo(text, nl=False)
        except OSError as exc:
            self._fail(exc)

    def finish(self) -> None:
        try:
            if self.fh is not None:
                self.fh.close()
                self.fh = None
                if self.tmp is not None and self.path is not None:
                    os.replace(self.tmp, self.path)
            else:
                sys.stdout.flush()
        except OSError as exc:
            self._fail(exc)

    def abort(self) -> None:
        """Remove the half-written file (the target is left as it was)."""
        if self.fh is not None:
            with contextlib.suppress(OSError):
                self.fh.close()
            self.fh = None
        if self.tmp is not None:
            with contextlib.suppress(OSError):
                self.tmp.unlink()

    def _fail(self, exc: OSError) -> None:
        self.abort()
        if exc.errno == errno.EPIPE:
            # The reader closed the pipe (`check ... | head`): quiet, as Unix tools are, but exit 2, as
            # the report was not delivered whole. stdout goes to /dev/null so that Python's own flush
            # at exit does not print a second broken-pipe error.
            if self.path is None:
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(EXIT_ERROR)
        fail(f"{self.name}: cannot write the report: {exc.strerror or exc}")


def _audit_piece(item: Any, stream: Any) -> str:
    return str(stream.audit(item))


class _JobSummary:
    """In GitHub Actions (`--format github`), the markdown report also goes to the job summary:
    GitHub shows only the first few annotations of a step, the summary has every finding."""

    def __init__(self, fmt: str, profile: Profile):
        from auditor.report import stream

        self.path = os.environ.get("GITHUB_STEP_SUMMARY") if fmt == "github" else None
        self.stream = stream("markdown", profile) if self.path else None
        self.fh: Any = None
        if self.path:
            try:
                self.fh = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 - closed in write's failure or tail
            except OSError as exc:
                self._warn(exc)

    def write(self, piece: Callable[[Any], str]) -> None:
        if self.fh is None:
            return
        try:
            self.fh.write(piece(self.stream))
        except OSError as exc:
            self._warn(exc)

    def close(self) -> None:
        if self.fh is not None:
            with contextlib.suppress(OSError):
                self.fh.close()
            self.fh = None

    def _warn(self, exc: OSError) -> None:
        click.echo(f"trial-audit: cannot write the job summary {self.path}: {exc.strerror or exc}", err=True)
        self.close()


@click.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help="Write the report here instead of stdout.")
@click.option("--corrections", "corrections_path", type=click.Path(dir_okay=False), default=None,
              help="A reviewer's corrections.yaml: corrected facts replace the extracted ones and the facts computed from them follow (or `corrections` in the settings).")
@click.option("--as-registered", is_flag=True,
              help="Audit each record as it stood when enrolment started (needs `fetch --history`; exit 2 without it).")
@config_options
def check(paths: tuple[str, ...], output: str | None, corrections_path: str | None, as_registered: bool,
          **opts: Any) -> None:
    """Audit each record in PATHS (files, folders, archives, or - for stdin).

    Settings come from `[tool.trial-audit]` in pyproject.toml or a `.trial-audit.toml` (the nearest
    one above the current folder); options given here override them. See `trial-audit config`.

    Exit codes: 0 no gap (not met or unclear) at or above --fail-on, 1 gaps found, 2 an input
    could not be audited (each named on stderr; the others are still reported) or a bad option,
    profile or settings file.
    """
    from auditor import pipeline
    from auditor.engine.selection import union as union_profiles
    from auditor.findings import TrialAudit
    from auditor.report import safe, stream
    from auditor.report.locate import violations
    from auditor.sources.protocol import ProtocolInvalid

    cfg, base = _configure(opts)
    fail_on, fmt = cfg["fail-on"], cfg["format"]
    groups = _by_profile(paths, cfg, base)
    corrections = load_corrections(corrections_path or cfg["corrections"])
    check_correction_codes(corrections, [g[0] for g in groups], base)
    shown = groups[0][0] if len(groups) == 1 else union_profiles([g[0] for g in groups], base)
    extra = {"min_severity": cfg["min-severity"]} if fmt in ANNOTATING else {"fail_on": fail_on} if fmt == "json" else {}
    # The report is written as records are audited: memory does not grow with the input.
    writer, summary, out = stream(fmt, shown, **extra), _JobSummary(fmt, shown), _Output(output)
    tally, errors = pipeline.Tally(fail_on), []
    # Nothing audited: a text report on the terminal would only repeat the errors below, so it waits.
    head: str | None = writer.head()
    if head is not None and (output or fmt != "text"):
        out.write(head)
        head = None
    summary.write(lambda s: s.head())
    seen: set[str] | None = set() if corrections is not None and len(groups) > 1 else None
    try:
        for prof, group in groups:
            for item in pipeline.audits(group, prof, cfg["input-format"], corrections, seen=seen,
                                        as_registered=as_registered):
                if not isinstance(item, TrialAudit):
                    errors.append(item)
                    continue
                tally.add(item)
                if head is not None:
                    out.write(head)
                    head = None
                out.write(writer.audit(item))
                summary.write(partial(_audit_piece, item))
    except BaseException:  # Ctrl-C, SIGTERM: no half-written report is left behind
        out.abort()
        summary.close()
        raise
    if corrections is not None and seen is not None:  # per-path groups: trials not in any of them
        errors += corrections.unmatched(seen)
    report = tally.report([], [pipeline.problem(e) for e in errors], shown)
    summary.write(lambda s: s.tail(report))
    summary.close()
    if fmt in ANNOTATING:
        # Annotate every schema violation on its own line, not only the first (totals unchanged).
        report.errors = violations(report.errors)
    if head is None:
        out.write(writer.tail(report))
    out.finish()
    for err in errors:
        details = err.details if isinstance(err, ProtocolInvalid) else [err.one_line()]
        for line in details:
            click.echo(f"trial-audit: {safe.line(line)}", err=True)
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
