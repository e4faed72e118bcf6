"""`fetch --history`: each study's registry versions, from the website's internal endpoints.

Undocumented, so defensive and failing soft: `GET {api}/../int/studies/{nctId}?history=true`
lists `history.changes[]` (`version` from 0, `date`, `status`), and
`GET {api}/../int/studies/{nctId}/history/{version}` gives `{"studyVersion": n, "study": {...}}`.
Per study, `FOLDER/.history/{nctId}.json` keeps the version list, the version in force when
enrolment started (the last one dated on or before the start date; a start given as a month
counts from its first day) and the latest version:

    {"nctId", "fetched", "start_date", "changes": [...],
     "at_start": {"version", "date", "study"} | null,   # null: nothing was registered before the start
     "latest": {"version", "date", "study"}}

The folder is hidden so that readers (batch, check) do not take the versions for more records.
A study whose history cannot be had is counted and skipped; three failures in a row stop the
history phase (the endpoint is probably not there) without failing the fetch.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import orjson

from auditor.fetch import folder as fetch_folder
from auditor.fetch.client import Client
from auditor.fetch.errors import FetchError

HISTORY_DIR = ".history"
GIVE_UP_AFTER = 3


def history_path(folder: Path, nct: str) -> Path:
    return folder / HISTORY_DIR / f"{nct}.json"


def start_date(study: dict[str, Any]) -> str | None:
    """The study's start date as YYYY-MM-DD (a month as its first day), or None."""
    try:
        value = study["protocolSection"]["statusModule"]["startDateStruct"]["date"]
    except (KeyError, TypeError):
        return None
    if not isinstance(value, str) or len(value) not in (7, 10):
        return None
    return value if len(value) == 10 else f"{value}-01"


def changes_of(doc: Any) -> list[dict[str, Any]]:
    """The version list, sorted by version; FetchError when the answer has none."""
    changes = doc.get("history", {}).get("changes") if isinstance(doc, dict) else None
    if not isinstance(changes, list):
        raise FetchError("answer has no history.changes list")
    good = [c for c in changes if isinstance(c, dict) and isinstance(c.get("version"), int)
            and isinstance(c.get("date"), str)]
    if not good:
        raise FetchError("history.changes lists no dated version")
    return sorted(good, key=lambda c: c["version"])


def in_force_at(changes: list[dict[str, Any]], day: str | None) -> dict[str, Any] | None:
    """The last version dated on or before `day`; None if every version is later (or no day)."""
    if day is None:
        return None
    before = [c for c in changes if c["date"][:10] <= day]
    return before[-1] if before else None


def _version(client: Client, nct: str, change: dict[str, Any]) -> dict[str, Any]:
    _, doc = client.get(f"../int/studies/{nct}/history/{change['version']}")
    study = doc.get("study") if isinstance(doc, dict) else None
    if not isinstance(study, dict):
        raise FetchError(f"version {change['version']}: answer has no study")
    return {"version": change["version"], "date": change["date"], "study": study}


def fetch_one(client: Client, nct: str, study: dict[str, Any], fetched: str) -> dict[str, Any]:
    _, doc = client.get(f"../int/studies/{nct}", {"history": "true"})
    changes = changes_of(doc)
    day = start_date(study)
    start = in_force_at(changes, day)
    latest = _version(client, nct, changes[-1])
    at_start = None if start is None else latest if start["version"] == latest["version"] \
        else _version(client, nct, start)
    return {"nctId": nct, "fetched": fetched, "start_date": day, "changes": changes,
            "at_start": at_start, "latest": latest}


def studies_in(folder: Path, doc: dict[str, Any]) -> Iterable[tuple[str, dict[str, Any]]]:
    for entry in fetch_folder.page_entries(doc):
        page = orjson.loads((folder / entry["file"]).read_bytes())
        for study in page.get("studies") or []:
            if (nct := fetch_folder.study_id(study)) is not None:
                yield nct, study


def fetch_all(client: Client, folder: Path, doc: dict[str, Any], refresh: set[str], fetched: str,
              note: Any = None) -> dict[str, int]:
    """History for every study in the folder that has none yet, and again for those in `refresh`
    (just updated). Returns counts: fetched, kept (already there), failed, skipped (not tried once
    the endpoints stopped answering)."""
    counts = {"fetched": 0, "kept": 0, "failed": 0, "skipped": 0}
    in_a_row, gave_up = 0, False
    for nct, study in studies_in(folder, doc):
        path = history_path(folder, nct)
        if path.exists() and nct not in refresh:
            counts["kept"] += 1
            continue
        if gave_up:
            counts["skipped"] += 1
            continue
        try:
            record = fetch_one(client, nct, study, fetched)
        except FetchError as exc:
            counts["failed"] += 1
            in_a_row += 1
            if note is not None:
                note(f"no history for {nct}: {exc}")
            if in_a_row >= GIVE_UP_AFTER and counts["fetched"] == 0:
                if note is not None:
                    note("history endpoints do not answer; skipping the history of the other studies")
                gave_up = True
            continue
        in_a_row = 0
        fetch_folder.write_page(folder, str(path.relative_to(folder)), orjson.dumps(record))
        counts["fetched"] += 1
    return counts
