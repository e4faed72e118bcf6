"""`trial-audit fetch QUERY... --out FOLDER`: ClinicalTrials.gov API v2 pages into a folder that
`batch` reads like any other input.

Exit codes: 0 fetched (or already complete), 2 a bad query or option, an unusable folder or a
server that cannot be reached or refuses the query (one line on stderr), 130 interrupted (run the
same command again to resume).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from auditor.fetch import query as fetch_query
from auditor.fetch.errors import FetchError
from auditor.fetch.settings import MAX_PAGE_SIZE, PUBLIC_API, Settings

AUDITED_BY_BATCH = "trial-audit.fetch-for-batch"  # click context meta: `batch --fetch` invoked the fetch

if TYPE_CHECKING:
    from auditor.fetch.paging import Result

EXIT_ERROR, EXIT_INTERRUPTED = 2, 130


class _Bar:
    """A rich progress bar over the studies on stderr when it is a terminal; otherwise retries
    and other notes are printed as lines. Implements auditor.fetch.paging.Progress."""

    def __init__(self) -> None:
        from rich.console import Console

        self.console = Console(stderr=True)
        self.bar: Any = None
        self.task: Any = None

    def start(self, total: int | None, done: int) -> None:
        if not self.console.is_terminal:
            return
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        if self.bar is None:
            self.bar = Progress(TextColumn("fetching"), BarColumn(), MofNCompleteColumn(), TextColumn("studies  ETA"),
                                TimeRemainingColumn(), console=self.console, transient=True)
            self.bar.start()
            self.task = self.bar.add_task("fetch", total=total, completed=done)
        else:
            self.bar.update(self.task, total=total, completed=done)

    def advance(self, studies: int) -> None:
        if self.bar is not None:
            self.bar.advance(self.task, studies)

    def note(self, message: str) -> None:
        if self.bar is not None:
            self.bar.console.print(f"[dim]{message}[/dim]", highlight=False)
        else:
            click.echo(f"trial-audit: {message}", err=True)

    def stop(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None



def _fail(message: str) -> None:
    click.echo(f"trial-audit: {message}", err=True)
    sys.exit(EXIT_ERROR)


@click.command("fetch", epilog=fetch_query.supported())
@click.argument("queries", nargs=-1, metavar="QUERY...")
@click.option("--out", "out", type=click.Path(file_okay=False), help="Folder for the pages and the manifest.")
@click.option("--update", "update", type=click.Path(file_okay=False),
              help="Fetch the studies updated since this folder's last fetch (its own query) and supersede their older copies.")
@click.option("--since", metavar="DATE", help="Only studies whose last update was posted on or after DATE (YYYY-MM-DD).")
@click.option("--api-url", envvar="TRIAL_AUDIT_CTGOV_API", default=PUBLIC_API, show_default=True,
              help="ClinicalTrials.gov API v2 base URL (env TRIAL_AUDIT_CTGOV_API).")
@click.option("--page-size", type=click.IntRange(1, MAX_PAGE_SIZE), default=MAX_PAGE_SIZE,
              show_default=True, help="Studies per page.")
@click.option("--rate", type=click.FloatRange(0), default=Settings.rate, show_default=True,
              help="At most this many requests per second (0: no pacing).")
@click.option("--retries", type=click.IntRange(0), default=Settings.retries, show_default=True,
              help="Further attempts after a failed request (429, 403, 5xx, connection errors).")
@click.option("--timeout", type=click.FloatRange(1), default=Settings.timeout, show_default=True,
              help="Seconds to wait for a response.")
@click.option("--backoff", type=click.FloatRange(0), default=Settings.backoff, show_default=True,
              help="First wait in seconds before a retry (doubling; a Retry-After from the server wins).")
@click.option("--history", is_flag=True,
              help="Also fetch each study's version history (the version in force at the start and the latest) "
                   "into FOLDER/.history/ from the website's undocumented endpoints; failures are skipped.")
@click.option("--count", "count_only", is_flag=True, help="Only print how many studies the query matches.")
def fetch_command(queries: tuple[str, ...], out: str | None, update: str | None, since: str | None, api_url: str,
                  page_size: int, rate: float, retries: int, timeout: float, backoff: float, history: bool,
                  count_only: bool) -> None:
    """Fetch the ClinicalTrials.gov studies matching QUERY into --out FOLDER.

    QUERY is API parameters ('query.cond=low back pain' 'filter.overallStatus=COMPLETED') or a
    search URL pasted from clinicaltrials.gov. The fetch counts first, then writes each page of
    up to 1,000 studies as it arrives; run the same command again after an interruption and it
    resumes; a completed fetch is not repeated. Audit the folder with `trial-audit batch FOLDER`.

    Exit codes: 0 fetched (or already complete), 2 a bad query or option, an unusable folder, or a
    server that cannot be reached or refuses the query, 130 interrupted (run it again to resume).
    """
    from auditor.fetch import folder as fetch_folder
    from auditor.fetch import paging

    settings = Settings(api_url=api_url, rate=rate, retries=retries, timeout=timeout, backoff=backoff)
    try:
        if since is not None:
            fetch_query.check_date(since)
        if update is not None:
            if queries:
                raise FetchError("--update reuses the folder's own query; give no QUERY with it")
            if out is not None and Path(out).resolve() != Path(update).resolve():
                raise FetchError("--update FOLDER fetches into FOLDER; --out must be left out or the same")
            out = update
            doc = fetch_folder.load(Path(update))
            if doc is None:
                raise FetchError(f"{update}: no {fetch_folder.MANIFEST} to update; run a fetch into it first")
            params = doc["query"]
        else:
            params = fetch_query.parse(queries)
        if count_only:
            total = paging.count(params, settings, since)
            click.echo("unknown" if total is None else str(total))
            return
        if out is None:
            raise FetchError("--out FOLDER is required (or --update FOLDER)")
        bar = _Bar()
        result = paging.fetch(Path(out), params, settings, since=since, update=update is not None,
                       page_size=page_size, progress=bar, history=history)
    except FetchError as err:
        _fail(str(err))
        return
    except KeyboardInterrupt:
        click.echo(f"trial-audit: interrupted; run the same command again to resume into {out}", err=True)
        sys.exit(EXIT_INTERRUPTED)
    for note in result.notes:
        click.echo(f"trial-audit: {note}", err=True)
    # `batch --fetch` audits the folder itself: telling its user to run batch on it would mislead.
    _report(result, hint=not click.get_current_context().meta.get(AUDITED_BY_BATCH))
    if history and (h := result.round.get("history")):
        click.echo(f"history: {h['fetched']:,} studies in {Path(result.folder) / h['folder']}"
                   + (f", {h['failed']:,} without (see above)" if h["failed"] else "")
                   + (f", {h['skipped']:,} not tried (the history endpoints stopped answering; run again to "
                      "try them)" if h.get("skipped") else ""))


def _report(result: Result, hint: bool = True) -> None:
    r = result.round
    pages = len(r["pages"])
    data = f"ClinicalTrials.gov data of {r.get('dataTimestamp') or 'unknown date'}, API {r.get('apiVersion')}"
    if result.status == "up-to-date":
        click.echo(f"{result.folder}: already complete ({result.studies:,} studies, {data}); "
                   f"nothing fetched. Use --update {result.folder} for the changes since.")
        return
    received = sum(p["studies"] + p.get("superseded", 0) for p in r["pages"])
    what = "update" if r.get("since") else "fetch"
    superseded = f", {result.superseded:,} older copies superseded" if result.superseded else ""
    done = "resumed and complete" if result.status == "resumed" else "complete"
    click.echo(f"{what} {done}: {received:,} studies in {pages:,} page{'' if pages == 1 else 's'} (round {r['round']}, {data})"
               f"{superseded}; {result.folder} holds {result.studies:,} studies."
               + (f" Audit them with: trial-audit batch {result.folder} --out AUDIT_DIR" if hint else ""))
