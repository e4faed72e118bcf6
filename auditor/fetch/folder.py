"""A fetch folder: raw API pages, written as they arrive, and the manifest that makes it resumable.

```
FOLDER/
  trial-audit-fetch.json        the manifest (readers skip it by name)
  pages/round-001/page-00001.json   the API's response bytes, unchanged
  pages/round-002/...           a later `--update` / `--since` round
  history/NCT....json           version history (`fetch --history`)
  .trial-audit-fetch.lock       held (flock) while a fetch writes the folder: one fetch at a time
```

Every file is written to a hidden temporary name and renamed into place, and the manifest is
saved after the page it lists, so a kill at any moment leaves either the old or the new state;
a re-run asks again for the first page the manifest does not list (and overwrites a page written
just before the kill), so nothing is listed twice.

Superseding: when a study appears in more than one page (an update round fetched a newer copy, or
the data changed while paging), one copy stays: the newest, in the place of the oldest. Pages of
earlier rounds keep their size (a batch re-audits a changed file as a whole and keeps no stale
rows); the pages just fetched lose the copies that moved (one left empty is deleted). Pages that
need no change stay byte-identical to what the API sent.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from auditor.fetch.errors import FetchError

MANIFEST = "trial-audit-fetch.json"
LOCK = ".trial-audit-fetch.lock"  # hidden: readers, and the "folder is not empty" test, skip it
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


@contextlib.contextmanager
def locked(folder: Path) -> Iterator[None]:
    """One fetch at a time in a folder. Two at once would each save the manifest it read, so the
    later save drops the other's pages (still on disk, then read twice by `batch`). The lock is
    the kernel's (flock): a killed fetch leaves none behind. Not POSIX: no lock."""
    try:
        import fcntl
    except ImportError:  # Windows
        yield
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle = (folder / LOCK).open("a+b")
    except OSError as exc:
        raise FetchError(f"{folder}: cannot write: {exc.strerror or exc}") from None
    with handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise FetchError(f"{folder}: another `trial-audit fetch` is writing this folder; "
                             "let it finish (or stop it), then run again") from None
        yield


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


def place_page(folder: Path, relative: str, part: Path) -> None:
    """Move a page downloaded beside its place (`Client.download`) into it."""
    try:
        os.replace(part, folder / relative)
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
    """Keep one copy of each study across all pages: the newest copy, put where its oldest copy
    was. Pages of earlier rounds thus keep their number of studies (a `batch` that audited them
    re-audits the changed file and is left with no stale rows); only pages of the round just
    fetched lose studies, and one left empty is deleted. Returns how many copies went.

    Idempotent and safe to kill: first every page that receives a newer copy is written, then
    the pages that lose one, so a newest copy is on disk in its new place before it goes from
    its old one; running it again finishes the job."""
    pages: list[tuple[dict[str, Any], dict[str, Any]]] = []
    first: dict[str, tuple[int, int]] = {}
    newest: dict[str, tuple[int, int]] = {}
    for i, entry in enumerate(page_entries(doc)):
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
                first.setdefault(nct, (i, j))
                newest[nct] = (i, j)
    moves = {nct: (first[nct], at) for nct, at in newest.items() if at != first[nct]}
    gains: dict[int, dict[int, Any]] = {}
    drops: dict[int, set[int]] = {}
    for (fi, fj), (ni, nj) in moves.values():
        gains.setdefault(fi, {})[fj] = pages[ni][1]["studies"][nj]
        drops.setdefault(ni, set()).add(nj)
    # copies between the oldest and the newest (a study sent three times) go too
    for i, (_, page) in enumerate(pages):
        for j, study in enumerate(page.get("studies") or []):
            nct = study_id(study)
            if nct is not None and (i, j) not in (first[nct], newest[nct]):
                drops.setdefault(i, set()).add(j)
    for i, replaced in gains.items():
        page = pages[i][1]
        page["studies"] = [replaced.get(j, s) for j, s in enumerate(page["studies"])]
        write_page(folder, pages[i][0]["file"], orjson.dumps(page))
    removed = 0
    for i, gone in drops.items():
        entry, page = pages[i]
        keep = [s for j, s in enumerate(page["studies"]) if j not in gone]
        removed += len(gone)
        entry["superseded"] = entry.get("superseded", 0) + len(gone)
        if keep:
            page["studies"] = keep
            write_page(folder, entry["file"], orjson.dumps(page))
        else:
            (folder / entry["file"]).unlink(missing_ok=True)
            entry["file"] = None
    for entry, page in pages:
        entry["studies"] = len(page.get("studies") or []) if entry.get("file") else 0
    return removed


def current_studies(doc: dict[str, Any]) -> int:
    return sum(entry.get("studies", 0) for entry in page_entries(doc))
