"""`trial-audit batch INPUT... --out DIR`: audit many records into a results folder.

Exit codes: 0 when the run completed (records that could not be read are rows in `errors`, not a
failure of the run: the summary names the first few and counts the rest), 2 for bad options, an unwritable out dir, a bad profile or a locked store,
130 when interrupted with Ctrl-C (what was audited is kept; run again to resume).
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from auditor.cli.check import DEFAULT_PROFILE
from auditor.cli.common import (
    EXIT_ERROR,
    EXIT_INTERRUPTED,
    EXIT_OK,
    HTML_LIMIT,
    MAX_HTML_LIMIT,
    check_correction_codes,
    fail,
    load_corrections,
)
from auditor.errors import InputError
from auditor.vocabulary import READER_NAMES, STATUSES, share

if TYPE_CHECKING:
    from rich.console import Console

    from auditor.batch import Outcome
# DuckDB, Arrow, Jinja and rich load only when `batch` runs: `check` in a pre-commit hook stays fast.
MAX_JOBS = 64  # more processes than this only add memory and queue contention


class _Bar:
    """A rich progress bar on stderr (bytes drive the bar and ETA, records/s beside it); silent when
    stderr is not a terminal (CI logs, pipes). Implements auditor.batch.progress.ProgressSink."""

    def __init__(self, console: Console):
        self.console = console
        self.bar: Any = None
        self.task: Any = None

    def start(self, total_bytes: int) -> None:
        if not self.console.is_terminal:
            return
        from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn

        rate = TextColumn("{task.fields[records]:,} records  {task.fields[rate]:,.0f} rec/s", style="progress.data.speed")
        self.bar = Progress(TextColumn("auditing"), BarColumn(), TaskProgressColumn(), rate,
                            TextColumn("ETA"), TimeRemainingColumn(), console=self.console, transient=True)
        self.bar.start()
        self.task = self.bar.add_task("audit", total=max(total_bytes, 1), records=0, rate=0.0)

    def update(self, records: int, done_bytes: int) -> None:
        if self.bar is not None:
            elapsed = self.bar.tasks[0].elapsed or 0
            self.bar.update(self.task, completed=done_bytes, records=records,
                            rate=records / elapsed if elapsed > 0 else 0.0)

    def stop(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None


def _cpus() -> int:
    """CPUs this process may run on (a container's affinity mask, not the host's count)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _print_summary(console: Console, outcome: Outcome) -> None:
    from rich.markup import escape
    from rich.table import Table

    doc = outcome.summary
    store = doc["store"]
    table = Table(title=f"Compliance ({store['trials']:,} trials; {store['records']:,} records, "
                        f"{store['copies_merged']:,} copies of the same trial merged)", title_justify="left")
    for col, justify in (("criterion", "left"), ("met", "right"), ("not met", "right"), ("unclear", "right"),
                         ("n/a", "right"), ("% met", "right")):
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    for crit in doc["criteria"]:
        pct = share(crit)
        table.add_row(escape(f"{crit['code']} {crit['name']}"), *(f"{crit[s]:,}" for s in STATUSES),
                      "–" if pct is None else f"{pct:.0%}")
    console.print(table)
    gap = doc["gap_map"]
    if gap["codes"]:
        grid = Table(title="Evidence-gap map (met / applicable)", title_justify="left")
        grid.add_column("intervention category")
        grid.add_column("trials", justify="right")
        for code in gap["codes"]:
            grid.add_column(code, justify="right")
        for row in gap["rows"]:
            cells = [row["cells"][c] for c in gap["codes"]]
            grid.add_row(escape(row["category"]), f"{row['trials']:,}",
                         *(f"{c['met']:,}/{sum(c[s] for s in STATUSES if s != 'not_applicable'):,}" for c in cells))
        console.print(grid)


@click.command()
@click.argument("inputs", nargs=-1)
@click.option("--fetch", "fetch_queries", multiple=True, metavar="QUERY",
              help="First fetch these ClinicalTrials.gov API parameters (or a pasted search URL) into OUT/fetch, "
                   "then audit that folder too; again later, it fetches only what changed (as `fetch --update`).")
@click.option("--api-url", envvar="TRIAL_AUDIT_CTGOV_API", default=None,
              help="ClinicalTrials.gov API v2 base URL for --fetch (env TRIAL_AUDIT_CTGOV_API).")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Results folder: audit.duckdb, trials/findings CSV + Parquet, summary.json, report.html.")
@click.option("--profile", "profile_ref", default=None,
              help=f"Bundled profile id or path to a profile file.  [default: {DEFAULT_PROFILE}]")
@click.option("--select", multiple=True, metavar="CRITERIA",
              help="Check only these criteria (as `check`). Replaces the configured `select`.")
@click.option("--ignore", multiple=True, metavar="CRITERIA",
              help="Skip these criteria (as `check`). Replaces the configured `ignore`.")
@click.option("--severity", "severity", multiple=True, metavar="CRITERIA=LEVEL",
              help="Override a criterion's or group's severity, e.g. FU02=error.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), default=None,
              help="Read settings from this file (.trial-audit.toml or pyproject.toml) instead of searching.")
@click.option("--isolated", is_flag=True, help="Ignore configuration files.")
@click.option("--corrections", "corrections_path", type=click.Path(dir_okay=False), default=None,
              help="A reviewer's corrections.yaml: corrected facts replace the extracted ones and the facts computed from them follow (or `corrections` in the settings).")
@click.option("--jobs", "-j", type=click.IntRange(min=1, max=MAX_JOBS), default=None,
              help=f"Worker processes, at most {MAX_JOBS} [default: CPU count] (local executor; on Dask the cluster decides).")
@click.option("--executor", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="Where the audits run: worker processes here, or a Dask distributed cluster (see --scheduler).")
@click.option("--scheduler", metavar="tcp://HOST:PORT", envvar="TRIAL_AUDIT_DASK_SCHEDULER", default=None,
              help="The Dask scheduler's address for --executor dask (or TRIAL_AUDIT_DASK_SCHEDULER).")
@click.option("--force", is_flag=True, help="Clear stored results and audit everything again.")
@click.option("--input-format", "reader", type=click.Choice(sorted(READER_NAMES)), default=None,
              help="Skip detection and read every input with this reader.")
@click.option("--html-limit", type=click.IntRange(min=0, max=MAX_HTML_LIMIT), default=HTML_LIMIT, show_default=True,
              help="Most trials whose details report.html embeds (charts always cover all).")
def batch_command(inputs: tuple[str, ...], out_dir: Path, jobs: int | None, force: bool, html_limit: int,
                  corrections_path: str | None, executor: str, scheduler: str | None, fetch_queries: tuple[str, ...],
                  api_url: str | None, **opts: Any) -> None:
    """Audit many records (files, folders, archives, s3:// gs:// file:// URLs) in parallel into a
    resumable results store.

    Settings come from the configuration file exactly as for `check` (profile, select, ignore,
    severity, input-format, corrections); `per-path` settings apply to `check` only.

    Exit codes: 0 the run completed (unreadable records are listed in errors.csv), 2 bad options,
    an input path that does not exist, profile or results folder, 130 interrupted (run the same command again to resume)."""
    import duckdb
    from rich.console import Console

    from auditor import batch as runner
    from auditor.batch import review
    from auditor.cli.check import _configure
    from auditor.engine.selection import filtered

    err = Console(stderr=True)
    if not str(out_dir).strip():
        fail("--out: give a results folder (an empty name would write into the current folder)")
    if fetch_queries:
        inputs = (*inputs, _fetched(fetch_queries, out_dir / "fetch", api_url))
    if not inputs:
        fail("give the inputs to audit (files, folders, archives, URLs) or --fetch QUERY")
    _refuse_missing(inputs, out_dir)
    _refuse_out_as_input(inputs, out_dir)
    cfg, full = _configure({**opts, "fmt": None, "fail_on": None, "min_severity": None})
    profile = filtered(full, cfg["select"], cfg["ignore"], cfg["severity"])
    corrections = load_corrections(corrections_path or cfg["corrections"])
    check_correction_codes(corrections, [profile], full)
    settings = {k: cfg[k] for k in ("profile", "select", "ignore", "severity")} | {"config": cfg.file}
    # SIGTERM (a scheduler, `kill`) stops like Ctrl-C: committed work is kept and the exit says so.
    signal.signal(signal.SIGTERM, lambda signum, frame: signal.raise_signal(signal.SIGINT))
    bar = _Bar(err)
    before = review.stored_records(out_dir)
    try:
        outcome = runner.run(list(inputs), out_dir, profile, jobs=jobs or _cpus(), force=force,
                             reader=cfg["input-format"], progress=bar, html_limit=html_limit,
                             corrections=corrections, options=settings, executor=executor, scheduler=scheduler)
    except InputError as exc:
        bar.stop()
        fail(exc.one_line())
    except (runner.BatchError, runner.WorkerDied) as exc:
        bar.stop()
        fail(str(exc))
    except duckdb.Error as exc:  # the store failed under us (a full disk: IOException)
        bar.stop()
        fail(f"{out_dir}: the results store failed: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}")
    except OSError as exc:  # a full disk or a vanished folder during the audit or the export
        bar.stop()
        fail(f"{out_dir}: {exc.strerror or exc}; run the same command again to resume")
    except KeyboardInterrupt:  # a second Ctrl-C, or one outside the audit loop: committed work is kept
        bar.stop()
        click.echo("trial-audit: interrupted; run the same command again to resume", err=True)
        sys.exit(EXIT_INTERRUPTED)
    bar.stop()
    out = Console()

    def say(message: str) -> None:  # plain lines: no wrapping (logs, grep), no markup or control characters
        from auditor.report.safe import line

        out.print(line(message), soft_wrap=True, markup=False, highlight=False)

    if outcome.reset_reason:
        say(f"Stored results were cleared because {outcome.reset_reason}.")
    if outcome.status == "completed":
        _print_summary(out, outcome)
    t = outcome.totals
    rate = (t.audited + t.failed) / outcome.seconds if outcome.seconds > 0 else 0
    say(f"Run {outcome.run_id} {outcome.status} in {outcome.seconds:.1f}s: {t.seen:,} records seen = "
              f"{t.audited:,} audited + {t.failed:,} failed to read + {t.skipped:,} unchanged (skipped)"
              f" · {rate:,.0f} rec/s")
    dropped = before - outcome.summary["store"]["records"] if before is not None and outcome.summary else 0
    if t.skipped and not t.audited and not t.failed and dropped > 0:
        # Nothing was read anew, yet the store holds fewer records: inputs named before were left out.
        say(f"No input changed, but {dropped:,} records of inputs not named in this run were dropped "
            "(a run reflects its inputs: name them again to bring them back).")
    elif t.skipped and not t.audited and not t.failed:
        say("Nothing changed since the last run: every record was already in the store.")
    elif t.skipped:
        say(f"Incremental run: {t.skipped:,} records were unchanged and kept from earlier runs.")
    if t.failed:
        _print_failures(say, out_dir, outcome.run_id, t.failed)
    if outcome.status == "completed" and (earlier := _earlier_failures(out_dir, outcome.run_id)):
        # Unchanged inputs are skipped, broken ones too: they still cannot be read, and say so.
        say(f"  {earlier:,} unchanged input(s) still cannot be read (as in an earlier run): "
            f"every one with its reason in {out_dir / 'errors.csv'}")
    if outcome.status == "completed":
        say(f"Results in {out_dir}: audit.duckdb, trials/records/findings/conflicts/errors .csv + .parquet, "
            "summary.json, report.html")
    else:
        say("Interrupted: everything audited so far is stored; run the same command again to resume.")
        sys.exit(EXIT_INTERRUPTED)
    # Which trials are in the inputs is known only once they are read: the run and the corrections
    # that matched are kept, and exit 2 says the corrections file still needs fixing.
    from auditor.report.safe import line

    for problem in outcome.correction_errors:
        click.echo(f"trial-audit: {line(problem.one_line())}: this correction was not applied "
                   "(the run and the other corrections are stored); fix or remove it", err=True)
    misplaced, partial = review.misplaced_corrections(out_dir, corrections) if corrections is not None else ([], [])
    for message in misplaced + partial:  # a partly reached trial is corrected: a note, not an error
        click.echo(f"trial-audit: {line(message)}", err=True)
    sys.exit(EXIT_ERROR if outcome.correction_errors or misplaced else EXIT_OK)


def _refuse_missing(inputs: tuple[str, ...], out_dir: Path) -> None:
    """A named local path that does not exist is a misspelt argument: a run reflects its inputs, so
    auditing on would drop every stored record of the input meant (exit 0, a report of nothing).
    What is missing inside a folder stays an error row; URLs are looked at when they are read."""
    from auditor.sources.remote import is_url

    for raw in inputs:
        if raw != "-" and not is_url(raw) and not os.path.lexists(raw):
            fail(f"{raw}: no such file or folder; nothing was audited and {out_dir} is unchanged")


def _refuse_out_as_input(inputs: tuple[str, ...], out_dir: Path) -> None:
    """The results folder must not be an input folder itself: the walker leaves a results folder out
    only below an input, so the next run would read trials.csv, findings.csv, ... as records."""
    from auditor.sources.remote import is_url

    out = out_dir.resolve()
    if any(raw != "-" and not is_url(raw) and Path(raw).resolve() == out for raw in inputs):
        fail(f"--out {out} is also an input folder: the results would be read as records by the next run; "
             f"give another folder (e.g. {out / 'audit'})")


FAILURES_SHOWN = 5  # the rest are in errors.csv; a console is no place for 10,000 reasons


def _print_failures(say: Callable[[str], None], out_dir: Path, run_id: int, failed: int) -> None:
    """Name the first inputs this run could not read (with where and why) and point to the rest."""
    import duckdb

    with duckdb.connect(str(out_dir / "audit.duckdb"), read_only=True) as con:
        rows = con.execute("SELECT source_path, source_index, line, reason FROM errors WHERE run_id = ? "
                           "ORDER BY source_path, source_index NULLS FIRST LIMIT ?", [run_id, FAILURES_SHOWN]).fetchall()
    for path, index, line, reason in rows:
        where = f":{line}" if line is not None else f" (record {index + 1})" if index is not None else ""
        say(f"  could not read {path}{where}: {reason}")
    more = f"; {failed - len(rows):,} more" if failed > len(rows) else ""
    say(f"  {failed:,} failed to read{more}: every one with its reason in {out_dir / 'errors.csv'}")


def _earlier_failures(out_dir: Path, run_id: int) -> int:
    """Unreadable inputs recorded by earlier runs and kept because they are unchanged."""
    import duckdb

    with duckdb.connect(str(out_dir / "audit.duckdb"), read_only=True) as con:
        (count,) = con.execute("SELECT count(*) FROM errors WHERE run_id <> ?", [run_id]).fetchone()  # type: ignore[misc]
    return int(count)


def _fetched(queries: tuple[str, ...], folder: Path, api_url: str | None) -> str:
    """Fetch `queries` into `folder` with the `fetch` command (its messages, errors and exit codes);
    a folder fetched before is brought up to date instead, so a living review re-runs one command."""
    from auditor.cli.fetch import AUDITED_BY_BATCH, fetch_command
    from auditor.fetch import folder as fetch_folder
    from auditor.fetch import query as fetch_query
    from auditor.fetch.errors import FetchError

    options: dict[str, Any] = {} if api_url is None else {"api_url": api_url}
    click.get_current_context().meta[AUDITED_BY_BATCH] = True
    earlier = fetch_folder.load(folder)
    if earlier is not None:
        try:
            same = earlier.get("query") == fetch_query.parse(queries)
        except FetchError as err:
            fail(str(err))
        if not same:
            fail(f"{folder} holds the fetch of another query; give another --out for this one")
        click.get_current_context().invoke(fetch_command, update=str(folder), **options)
    else:
        click.get_current_context().invoke(fetch_command, queries=queries, out=str(folder), **options)
    return str(folder)


batch_command.name = "batch"
batch = batch_command  # what auditor/cli/__init__.py registers
