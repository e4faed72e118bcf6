"""The one folder walker: `check`, `batch` and per-path settings all see the same files.

Also what is never an input (hidden files, operating-system litter, what trial-audit itself
writes) and why a folder cannot be read; archive members and URL listings are skipped by the same
names (`skipped`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

# Files no registry export consists of: operating-system litter, and what trial-audit itself writes
# beside the inputs (`init --with-schema` writes protocol.schema.json next to the protocol file).
SKIP_NAMES = frozenset({".DS_Store", "Thumbs.db", "desktop.ini", "protocol.schema.json", "trial-audit-fetch.json"})
SKIP_SUFFIXES = (".sarif", ".tmp")  # `check --format sarif -o x.sarif`; half-written files
# A folder holding this file is a `batch` results folder (its tables are outputs, not inputs).
RESULTS_MARKER = "audit.duckdb"


def skipped(name: str) -> bool:
    """Whether a file or folder name is never an input: hidden, litter, or written by the tool."""
    return name.startswith(".") or name in SKIP_NAMES or name.endswith(SKIP_SUFFIXES) or name == "__MACOSX"


def walk(root: Path, skip: Iterable[Path] = (), _above: frozenset[Path] = frozenset()) -> Iterator[Path]:
    """The input files under a folder, in a stable order (by name, folder by folder), one directory
    listing in memory at a time. Skips hidden files and folders (`.git`, `.venv`), the names above,
    `batch` results folders and the folders in `skip` (the results folder of the running batch).
    A folder it cannot list, a symbolic link back to a folder above it, and an entry that is neither
    file nor folder (a dangling link) are yielded as they are: reading them gives their error."""
    skip_dirs = {p.resolve() for p in skip}
    try:
        real = root.resolve()
        with os.scandir(root) as it:
            entries = sorted(it, key=lambda e: e.name)
    except (OSError, RuntimeError):
        yield root
        return
    above = _above | {real}
    for entry in entries:
        if skipped(entry.name):
            continue
        try:
            is_dir, is_file = entry.is_dir(), entry.is_file()
        except OSError:
            is_dir = is_file = False
        if is_dir:
            folder = Path(entry.path)
            try:
                target = folder.resolve()
                if (folder / RESULTS_MARKER).exists() or (skip_dirs and target in skip_dirs):
                    continue
            except (OSError, RuntimeError):
                yield folder
                continue
            if target in above:  # a symbolic link loop: reading it names the loop
                yield folder
                continue
            yield from walk(folder, skip_dirs, above)
        elif is_file or entry.is_symlink() or not is_dir:
            yield Path(entry.path)


def results_folder(path: Path) -> str | None:
    """Why a folder named as an input is not read: it is a `batch` results folder (left out when met
    inside an input; named, its tables would be read as review sheets). None for another folder."""
    if (path / RESULTS_MARKER).exists():
        return ("a trial-audit batch results folder: its tables are the audit's results, not records; "
                "name the folders of the records instead")
    return None


def folder_problem(path: Path) -> str | None:
    """Why a folder cannot be read as input: a symbolic link back to a folder above it (a loop), or
    a listing the system refuses. None for a readable folder."""
    try:
        parent = path.parent.resolve()
        if path.is_symlink() and path.resolve() in {parent, *parent.parents}:
            return "symbolic link loop (points to a folder above it)"
        with os.scandir(path):
            return None
    except PermissionError:
        return "cannot list folder: permission denied"
    except (OSError, RuntimeError) as exc:  # RuntimeError: pathlib's own symlink loop
        return f"cannot list folder: {getattr(exc, 'strerror', None) or exc}"
