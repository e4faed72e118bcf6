"""Registry versions beside a ClinicalTrials.gov v2 record: `FOLDER/.history/{nctId}.json`.

`trial-audit fetch --history` keeps, per study, the version in force when enrolment started and
the latest (see `auditor/fetch/history.py` for the file). The ctgov-v2 reader calls `attach` for
every record it maps: when the record's file lies in a fetch folder (a folder holding
`trial-audit-fetch.json`, the file at most a few levels below it) and that folder's `.history/`
has the study, the record gets `TrialRecord.history`. A history file given directly as input is
read as its latest version, with the history attached from the same document.

Readers map, never judge: this copies the versions' dates and primary outcomes (measure,
description, time frame) with pointers `{history file}#/at_start/study/...`; comparing them is
`auditor/extract/history.py`'s job. A history file that cannot be used is ignored (the record
is audited without history, as one fetched without `--history`).
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any

import orjson

from auditor.model import History, Outcome, OutcomeKind, RegisteredVersion, Text, TrialRecord
from auditor.sources.jsonmap import JsonMapper, dig, text_of

MANIFEST = "trial-audit-fetch.json"  # auditor.fetch.folder.MANIFEST (sources do not import fetch)
HISTORY_DIR = ".history"  # auditor.fetch.history.HISTORY_DIR
_LEVELS = 4  # FOLDER/pages/round-001/page-00001.json: the manifest sits three levels up

OUTCOME_LISTS: tuple[tuple[OutcomeKind, str], ...] = (
    ("primary", "primaryOutcomes"), ("secondary", "secondaryOutcomes"), ("other", "otherOutcomes"))


def study_outcomes(m: JsonMapper, kinds: tuple[OutcomeKind, ...] = ("primary", "secondary", "other")) -> list[Outcome]:
    """The outcome lists of one v2 study (`m` is the mapper of the study object)."""
    return outcomes_of(dig(m.study, "protocolSection", "outcomesModule"), m.pointer("protocolSection", "outcomesModule"),
                       kinds)


def outcomes_of(module: Any, at: str, kinds: tuple[OutcomeKind, ...] = ("primary", "secondary", "other")) -> list[Outcome]:
    """The outcome lists of a v2 `outcomesModule` found at pointer `at` (jsonmap's Text
    values and a kind)."""
    outcomes: list[Outcome] = []
    if not isinstance(module, dict):
        return outcomes
    for kind, key in OUTCOME_LISTS:
        items = module.get(key)
        if kind not in kinds or not isinstance(items, list):
            continue
        for i, o in enumerate(items):
            if isinstance(o, dict):
                where = f"{at}/{key}/{i}"
                outcomes.append(Outcome(kind=kind, measure=_text(o, "measure", where),
                                        description=_text(o, "description", where),
                                        time_frame=_text(o, "timeFrame", where)))
    return outcomes


def _text(obj: dict[str, Any], key: str, at: str) -> Text | None:
    value = obj.get(key)
    if value is None:
        return None
    if type(value) is str:  # the common case of text_of
        # isspace, not strip: the same blanks, without copying a long description to test it
        return Text(value=value, at=f"{at}/{key}") if value and not value.isspace() else None
    return text_of(value, f"{at}/{key}")


def is_history(doc: Any) -> bool:
    """Whether a parsed JSON document is a history file written by `fetch --history`."""
    return isinstance(doc, dict) and isinstance(doc.get("latest"), dict) and "at_start" in doc \
        and isinstance(doc.get("changes"), list)


_FOLDERS: dict[str, Path] = {}  # directory -> its fetch folder; only hits are kept (a folder may become one)


def fetch_folder(directory: str) -> Path | None:
    """The fetch folder a file in `directory` belongs to (up to a few levels up), or None."""
    if (known := _FOLDERS.get(directory)) is not None:
        return known
    for here, manifest in _candidates(directory):
        if os.path.isfile(manifest):  # the manifest's path as text: no Path method per record
            if len(_FOLDERS) < 4096:
                _FOLDERS[directory] = here
            return here
    return None


@functools.lru_cache(maxsize=4096)  # one per directory: the folders of a batch's files
def _candidates(directory: str) -> tuple[tuple[Path, str], ...]:
    """(folder, its manifest path) for `directory` and the levels above it that may hold a manifest."""
    here, found = Path(directory), []
    for _ in range(_LEVELS):
        found.append((here, str(here / MANIFEST)))
        if here.parent == here:
            break
        here = here.parent
    return tuple(found)


def folder_of(origin: str) -> Path | None:
    """The fetch folder of a file read from `origin` (a path on disk), or None."""
    if not origin or origin == "-":
        return None
    # Path(origin).parent as text, without building a Path per record (_candidates builds one per folder)
    return fetch_folder(os.path.dirname(origin))


def history_file(folder: Path | None, nct: str) -> Path | None:
    """`FOLDER/.history/{nct}.json`, when it exists."""
    if folder is None or not nct.isalnum():
        return None
    path = folder / HISTORY_DIR / f"{nct}.json"
    return path if path.is_file() else None


def load(path: Path) -> dict[str, Any] | None:
    try:
        doc = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None
    return doc if is_history(doc) else None


def _version(entry: Any, where: str, outcomes: bool = True) -> RegisteredVersion | None:
    if not isinstance(entry, dict) or not isinstance(entry.get("version"), int) \
            or not isinstance(entry.get("date"), str):
        return None
    study = entry.get("study")
    primary = study_outcomes(JsonMapper(study, f"{where}/study"), ("primary",)) \
        if outcomes and isinstance(study, dict) else []
    return RegisteredVersion(version=entry["version"], date=entry["date"][:10], primary_outcomes=primary)


def _precision(latest: Any) -> Any:
    value = dig(latest, "study", "protocolSection", "statusModule", "startDateStruct", "date")
    return {10: "day", 7: "month", 4: "year"}.get(len(value)) if isinstance(value, str) else None


def history_of(doc: dict[str, Any], path: str) -> History | None:
    """The History a history-file document describes (`path` names the file in pointers)."""
    latest = _version(doc.get("latest"), f"{path}#/latest")
    if latest is None or not isinstance(doc.get("latest", {}).get("study"), dict):
        return None
    changes = sorted((c for c in doc["changes"] if isinstance(c, dict) and isinstance(c.get("version"), int)),
                     key=lambda c: c["version"])
    start = doc.get("start_date")
    return History(path=path, start_date=start if isinstance(start, str) else None,
                   start_precision=_precision(doc["latest"]),
                   first=_version(changes[0], "", outcomes=False) if changes else None,
                   at_start=_version(doc.get("at_start"), f"{path}#/at_start"), latest=latest)


def attach(record: TrialRecord, folder: Path | None, doc: dict[str, Any] | None = None,
           origin: str = "") -> TrialRecord:
    """The record with its registry versions, when a history file is given (`doc`, read directly
    from `origin`) or lies in the fetch folder of the record's file; the record unchanged otherwise."""
    nct = record.trial_id
    path = origin
    if doc is None:
        file = history_file(folder, nct) if nct else None
        doc = load(file) if file is not None else None
        path = str(file)
    if doc is None or (nct is not None and doc.get("nctId") not in (None, nct)):
        return record
    record.history = history_of(doc, path)
    return record
