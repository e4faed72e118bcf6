"""A fetch folder: raw API pages, written as they arrive, and the manifest that makes it resumable.

```
FOLDER/
  trial-audit-fetch.json        the manifest (readers skip it by name)
  pages/round-001/page-00001.json   the API's response bytes, unchanged
  pages/round-002/...           a later `--update` / `--since` round
  history/NCT....json           version history (`fetch --history`)
```

Every file is written to a hidden temporary name and renamed into place, and the manifest is
saved after the page it lists, so a kill at any moment leaves either the old or the new state;
a re-run asks again for the first page the manifest does not list (and overwrites a page written
just before the kill), so nothing is listed twice.

Superseding: when a study appears in more than one page (an update round fetched a newer copy, or
the data changed while paging), only its newest copy stays; older pages are rewritten without it
(a page left without studies is deleted). Pages that need no change stay byte-identical.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from auditor.fetch.errors import FetchError

MANIFEST = "trial-audit-fetch.json"
FORMAT = 1


def page_path(round_no: int, page_no: int) -> str:
    return f"pages/round-{round_no:03d}/page-{page_no:05d}.json"


def write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def load(folder: Path) -> dict[str, Any] | None:
    """The folder's manifest, None for a new or empty folder; FetchError for anything else."""
    path = folder / MANIFEST
    if not path.exists():
        if folder.is_dir() and any(p for p in folder.iterdir() if not p.name.startswith(".")):
            raise FetchError(f"{folder}: folder is not empty and holds no {MANIFEST}; choose a new or empty --out")
        if folder.exists() and not folder.is_dir():
            raise FetchError(f"{folder}: is a file, not a folder")
        return None
    try:
        doc = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError) as exc:
        raise FetchError(f"{path}: unreadable manifest: {exc}") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT or not isinstance(doc.get("rounds"), list):
        raise FetchError(f"{path}: not a trial-audit fetch manifest (format {FORMAT})")
    return doc


def save(folder: Path, doc: dict[str, Any]) -> None:
    try:
        write_atomic(folder / MANIFEST, orjson.dumps(doc, option=orjson.OPT_INDENT_2) + b"\n")
    except OSError as exc:
        raise FetchError(f"{folder / MANIFEST}: cannot write: {exc.strerror or exc}") from None


def write_page(folder: Path, relative: str, data: bytes) -> None:
    try:
        write_atomic(folder / relative, data)
    except OSError as exc:
        raise FetchError(f"{folder / relative}: cannot write: {exc.strerror or exc}") from None


def study_id(study: Any) -> str | None:
    try:
        ident = study["protocolSection"]["identificationModule"]["nctId"]
    except (KeyError, TypeError):
        return None
    return ident if isinstance(ident, str) else None


def page_entries(doc: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every listed page entry that has a file, oldest round first."""
    for round_ in doc["rounds"]:
        for entry in round_["pages"]:
            if entry.get("file"):
                yield entry


def supersede(folder: Path, doc: dict[str, Any]) -> int:
    """Keep only the newest copy of each study across all pages; returns how many copies went.
    Idempotent: a kill half-way is repaired by running it again."""
    entries = list(page_entries(doc))
    pages: list[tuple[dict[str, Any], dict[str, Any]]] = []
    newest: dict[str, tuple[int, int]] = {}
    for i, entry in enumerate(entries):
        path = folder / entry["file"]
        try:
            page = orjson.loads(path.read_bytes())
        except FileNotFoundError:  # emptied by an earlier pass that was killed before saving
            page = {"studies": []}
        except (OSError, orjson.JSONDecodeError) as exc:
            raise FetchError(f"{path}: unreadable page: {exc}") from None
        pages.append((entry, page))
        for j, study in enumerate(page.get("studies") or []):
            if (nct := study_id(study)) is not None:
                newest[nct] = (i, j)
    removed = 0
    for i, (entry, page) in enumerate(pages):
        studies = page.get("studies") or []
        keep = [s for j, s in enumerate(studies) if (nct := study_id(s)) is None or newest[nct] == (i, j)]
        entry["studies"] = len(keep)
        if keep and len(keep) == len(studies):
            continue
        removed += len(studies) - len(keep)
        entry["superseded"] = entry.get("superseded", 0) + len(studies) - len(keep)
        if keep:
            page["studies"] = keep
            write_page(folder, entry["file"], orjson.dumps(page))
        else:
            (folder / entry["file"]).unlink(missing_ok=True)
            entry["file"] = None
    return removed


def current_studies(doc: dict[str, Any]) -> int:
    return sum(entry.get("studies", 0) for entry in page_entries(doc))
