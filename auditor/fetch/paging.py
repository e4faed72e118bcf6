"""Fetch a query into a folder: count first, page at up to 1,000 studies with `pageToken`, write
each page as it arrives, resume after a kill, and update later (`since`).

A *round* is one paged download of the query (the first fetch, then one per update). Paging
stops when a page has no `nextPageToken` (not on an empty page: the API may send an empty page in
the middle). The manifest records per round the parameters sent, `apiVersion` and
`dataTimestamp` from `/version`, the `totalCount` of the first page, every page (file, studies,
bytes) and the start and end times.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from auditor import __version__
from auditor.fetch import folder as fetch_folder
from auditor.fetch import history as fetch_history
from auditor.fetch.client import Client, page_summary
from auditor.fetch.errors import FetchError
from auditor.fetch.query import Params, with_since
from auditor.fetch.settings import MAX_PAGE_SIZE, Settings

MAX_EMPTY_PAGES = 50  # consecutive empty pages with a token: the server is looping


class Progress(Protocol):
    def start(self, total: int | None, done: int) -> None: ...
    def advance(self, studies: int) -> None: ...
    def note(self, message: str) -> None: ...
    def stop(self) -> None: ...


class Silent:
    def start(self, total: int | None, done: int) -> None: ...
    def advance(self, studies: int) -> None: ...
    def note(self, message: str) -> None: ...
    def stop(self) -> None: ...


@dataclass
class Result:
    folder: Path
    status: str  # fetched | resumed | up-to-date
    round: dict[str, Any]
    studies: int  # studies in the folder now (each once)
    superseded: int = 0
    notes: list[str] = field(default_factory=list)


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def fetch(out: Path, query: Params, settings: Settings, *, since: str | None = None, update: bool = False,
          page_size: int = MAX_PAGE_SIZE, progress: Progress | None = None, history: bool = False,
          on_round: Callable[[dict[str, Any]], None] | None = None) -> Result:
    """Fetch `query` into `out` (or finish an interrupted fetch there). A completed folder is not
    fetched again unless `since` or `update` asks for the studies updated since."""
    # A file, a folder of something else, or nothing to update is refused before anything is made.
    if fetch_folder.load(out) is None and update:
        raise _nothing_to_update(out)
    with fetch_folder.locked(out):
        return _fetch(out, query, settings, since=since, update=update, page_size=page_size, progress=progress,
                      history=history, on_round=on_round)


def _fetch(out: Path, query: Params, settings: Settings, *, since: str | None, update: bool, page_size: int,
           progress: Progress | None, history: bool, on_round: Callable[[dict[str, Any]], None] | None) -> Result:
    progress = progress or Silent()
    doc = fetch_folder.load(out)  # again, under the lock: what the previous fetch left
    if doc is None:
        if update:
            raise _nothing_to_update(out)
        doc = {"format": fetch_folder.FORMAT, "tool": f"trial-audit {__version__}", "query": query,
               "created": now(), "rounds": []}
    elif not update and doc["query"] != query:
        raise FetchError(f"{out} holds a fetch of another query ({_show(doc['query'])}); "
                         f"choose another --out, or --update {out}")
    query = doc["query"]
    rounds: list[dict[str, Any]] = doc["rounds"]
    last = rounds[-1] if rounds else None
    if last is not None and last["status"] != "complete":
        status = "resumed"
        current = last
    elif last is not None and since is None and not update:
        if history:
            _history(out, doc, last, settings, set(), progress)
        return Result(out, "up-to-date", last, fetch_folder.current_studies(doc))
    else:
        status = "fetched"
        if update and since is None:
            since = _since_last(rounds)
        current = {"round": len(rounds) + 1, "since": since, "api_url": settings.api_url,
                   "params": with_since(query, since), "status": "paging", "started": now(),
                   "pages": [], "next_page_token": None, "paged": False}
        rounds.append(current)
    notes: list[str] = []
    with Client(settings, on_retry=lambda msg, wait: progress.note(f"{msg}; retrying in {wait:.1f} s")) as client:
        _version(client, current, notes)
        fetch_folder.save(out, doc)
        if not current["paged"]:
            _page(client, out, doc, current, min(page_size, MAX_PAGE_SIZE), progress)
    current["status"] = "superseding"
    fetch_folder.save(out, doc)
    removed = fetch_folder.supersede(out, doc)
    current["superseded"] = current.get("superseded", 0) + removed
    current["status"], current["finished"] = "complete", now()
    doc["studies"] = fetch_folder.current_studies(doc)
    received = sum(p["studies"] + p.get("superseded", 0) for p in current["pages"])
    if current.get("count") is not None and received != current["count"]:
        notes.append(f"the server counted {current['count']} studies but sent {received} "
                     "(the registry changed while paging?)")
    fetch_folder.save(out, doc)
    if history:
        refresh = {nct for entry in current["pages"] if entry.get("file")
                   for nct in _ids(out / entry["file"])} if current.get("since") else set()
        _history(out, doc, current, settings, refresh, progress)
    if on_round is not None:
        on_round(current)
    if status == "resumed" and (update or (since is not None and since != current.get("since"))):
        # the interrupted round is finished; now the update that was asked for
        later = _fetch(out, query, settings, since=since, update=update, page_size=page_size, progress=progress,
                      history=history, on_round=on_round)
        later.notes[:0] = notes
        return later
    return Result(out, status, current, doc["studies"], removed, notes)


def _nothing_to_update(out: Path) -> FetchError:
    return FetchError(f"{out}: no {fetch_folder.MANIFEST} to update; run a fetch into it first")


def _ids(page: Path) -> list[str]:
    return page_summary(page).ids  # read with ijson: a page is never held whole


def _history(out: Path, doc: dict[str, Any], round_: dict[str, Any], settings: Settings, refresh: set[str],
             progress: Progress) -> None:
    with Client(settings, on_retry=lambda msg, wait: progress.note(f"{msg}; retrying in {wait:.1f} s")) as client:
        counts = fetch_history.fetch_all(client, out, doc, refresh, now(), progress.note)
    previous = round_.get("history") or {}
    round_["history"] = {"fetched": previous.get("fetched", 0) + counts["fetched"],
                         "failed": counts["failed"], "skipped": counts["skipped"], "folder": fetch_history.HISTORY_DIR}
    fetch_folder.save(out, doc)


def _show(params: Params) -> str:
    return " ".join(f"{k}={v!r}" for k, v in params.items())


def _since_last(rounds: list[dict[str, Any]]) -> str:
    """The day of the latest completed round's data: studies updated from then on (an overlap of
    up to a day is harmless, superseding keeps one copy)."""
    stamp = rounds[-1].get("dataTimestamp") or rounds[-1].get("started") or ""
    day = str(stamp)[:10]
    if len(day) != 10:
        raise FetchError("the manifest's last round has no dataTimestamp; give --since DATE")
    return day


def _version(client: Client, current: dict[str, Any], notes: list[str]) -> None:
    _, version = client.get("version")
    if not isinstance(version, dict) or "apiVersion" not in version:
        raise FetchError(f"{client.url('version')}: not a ClinicalTrials.gov v2 /version answer")
    stamp = version.get("dataTimestamp")
    if "apiVersion" not in current:
        current["apiVersion"], current["dataTimestamp"] = version["apiVersion"], stamp
    elif stamp != current.get("dataTimestamp"):
        current.setdefault("resumed_with_dataTimestamp", []).append(stamp)
        notes.append(f"the registry data changed since this fetch began ({current.get('dataTimestamp')} -> {stamp}); "
                     "run `trial-audit fetch --update` afterwards to pick up the changes")


def _page(client: Client, out: Path, doc: dict[str, Any], current: dict[str, Any], page_size: int,
          progress: Progress) -> None:
    params = dict(current["params"])
    if current["pages"]:  # resuming: the bar starts where the last run stopped
        progress.start(current.get("count"), sum(p["studies"] + p.get("superseded", 0) for p in current["pages"]))
    empty_run = 0
    try:
        while True:
            first = not current["pages"]
            token = current["next_page_token"]
            request = {**params, "format": "json", "pageSize": str(page_size)}
            if first:
                request["countTotal"] = "true"
            else:
                request["pageToken"] = token
            number = len(current["pages"]) + 1
            file = fetch_folder.page_path(current["round"], number)
            page = client.download("studies", request, out / file)  # streamed to disk, never held whole
            if not page.is_object or not page.has_studies:
                page.path.unlink(missing_ok=True)
                raise FetchError(f"{client.url('studies')}: answer has no `studies` list")
            studies = page.studies
            if first:
                count = page.total_count
                current["count"] = count if isinstance(count, int) and not isinstance(count, bool) else None
                progress.start(current["count"], 0)
            entry: dict[str, Any] = {"page": number, "file": None, "studies": studies, "bytes": page.bytes}
            if studies:  # an empty page is listed, not written: it holds no record to read
                entry["file"] = file
                fetch_folder.place_page(out, file, page.path)
            else:
                page.path.unlink(missing_ok=True)
            following = page.next_page_token
            if following is not None and not isinstance(following, str):
                raise FetchError(f"{client.url('studies')}: nextPageToken is not a string")
            if following and following == token:
                raise FetchError(f"{client.url('studies')}: the server sent the same page token twice")
            empty_run = 0 if studies else empty_run + 1
            if empty_run > MAX_EMPTY_PAGES:
                raise FetchError(f"{client.url('studies')}: {empty_run} empty pages in a row; giving up")
            current["pages"].append(entry)
            current["next_page_token"] = following or None
            current["paged"] = not following
            fetch_folder.save(out, doc)
            progress.advance(studies)
            if not following:
                return
    finally:
        progress.stop()


def count(query: Params, settings: Settings, since: str | None = None) -> int | None:
    """How many studies the query matches (one small request), without fetching them."""
    with Client(settings) as client:
        _, body = client.get("studies", {**with_since(query, since), "format": "json", "pageSize": "1",
                                         "countTotal": "true", "fields": "NCTId"})
    total = body.get("totalCount") if isinstance(body, dict) else None
    return total if isinstance(total, int) else None
