"""What start-up derives from the rule data and the profiles, kept across runs in the user's cache folder.

Reading trigger words and first characters off ~300 rule patterns (`extract/regex_shape`), and
checking a profile's ~60 condition schemas against the JSON Schema meta-schema, is work that gives
the same answer on every run, yet it was most of a one-file `check`. As a .pyc file keeps compiled
code, `memo(kind, key, compute)` keeps each answer in one JSON file:

- where: `$TRIAL_AUDIT_CACHE_DIR`, else `$XDG_CACHE_HOME/trial-audit`, else `~/.cache/trial-audit`;
  `TRIAL_AUDIT_CACHE_DIR=off` (or empty) keeps nothing;
- trusted only when it was written by exactly this code: the file carries a fingerprint of the
  source of every module and rule file in `auditor/extract/` (the code that computes the answers),
  the profile meta-schema, the installed jsonschema, Python and the package version, and a digest
  of its entries. A file with another fingerprint, a wrong digest, or that cannot be parsed is
  ignored (and replaced);
- keys are the whole inputs (a pattern's source and flags, a schema), never a hash of them, so two
  inputs can never share an answer; values are JSON (the caller turns lists back into tuples), and
  a call whose input is no JSON value is computed and not kept;
- written once, at exit, when a run computed something new, through a temporary file and a rename,
  so a reader never sees half a file. A folder that cannot be written is no error: nothing is kept.

Nothing here changes an answer: with or without the file, `memo` returns what `compute()` returns,
as JSON reads it back (tests/test_derived.py holds it, with a stale and a corrupt file). An error
(a bad pattern, an invalid schema) is raised by `compute` and never kept, so it is raised every run.
"""

from __future__ import annotations

import atexit
import hashlib
import importlib.util
import json
import math
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

_PACKAGE = Path(__file__).resolve().parent
_EXTRACT = _PACKAGE / "extract"
# Installed libraries whose behaviour an answer depends on (jsonschema checks the schemas).
_LIBRARIES = ("jsonschema", "jsonschema_specifications", "referencing")
MAX_ENTRIES = 4096  # per kind; the bundled rules and profiles need ~400
STALE_SECONDS = 7 * 24 * 3600  # another version's file not written this long is removed


class _State:
    entries: dict[str, dict[str, Any]] | None = None  # kind -> key -> value; None: not loaded yet
    dirty = False
    fingerprint: str | None = None
    registered = False


_state = _State()


def cache_dir() -> Path | None:
    """The folder of the cache file, or None when caching is off."""
    given = os.environ.get("TRIAL_AUDIT_CACHE_DIR")
    if given is not None:
        return None if given.strip() in ("", "off", "0", "none") else Path(given)
    base = os.environ.get("XDG_CACHE_HOME")
    if not base:
        home = os.path.expanduser("~")
        if home.startswith("~"):  # no home folder known: keep nothing rather than a "~" folder here
            return None
        base = os.path.join(home, ".cache")
    return Path(base) / "trial-audit"


def fingerprint() -> str:
    """A digest of everything an answer depends on (see the module's docstring)."""
    if _state.fingerprint is None:
        from auditor import __version__
        from auditor.resources import schemas_dir

        h = hashlib.sha256(f"{__version__}\0{sys.version}\0{sys.implementation.cache_tag}\0".encode())
        files = sorted([*_EXTRACT.rglob("*.py"), *_EXTRACT.glob("*.yaml"), *(_EXTRACT / "rules").glob("*")])
        for path in [*files, schemas_dir() / "profile.schema.json"]:
            if path.is_file():
                h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
        for name in _LIBRARIES:
            h.update(_library(name).encode() + b"\0")
        _state.fingerprint = h.hexdigest()
    return _state.fingerprint


def _library(name: str) -> str:
    """The installed distribution of a library (its dist-info folder's name), without importing it."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.origin:
        return f"{name}: absent"
    package = Path(spec.origin).parent
    found = sorted(p.name for p in package.parent.glob(f"{name}-*.dist-info"))
    if found:
        return " ".join(found)
    stat = package.stat()  # no metadata beside it: the folder itself, as a last resort
    return f"{package} {stat.st_mtime_ns} {stat.st_size}"


def _path() -> Path | None:
    folder = cache_dir()
    return None if folder is None else folder / f"derived-{fingerprint()[:16]}.json"


def _digest(entries: dict[str, dict[str, Any]]) -> str:
    return hashlib.sha256(json.dumps(entries, sort_keys=True, ensure_ascii=True).encode()).hexdigest()


def _load() -> dict[str, dict[str, Any]]:
    path = _path()
    if path is None:
        return {}
    try:
        doc = json.loads(path.read_bytes())
        entries = doc["entries"]
        if doc["fingerprint"] != fingerprint() or doc["digest"] != _digest(entries) or not isinstance(entries, dict) \
                or not all(isinstance(v, dict) for v in entries.values()):
            return {}
        return entries
    except (OSError, ValueError, KeyError, TypeError, RecursionError):
        return {}  # missing, unreadable, truncated or foreign: computed afresh


def memo(kind: str, key: Any, compute: Callable[..., Any], *args: Any, keep: Callable[[Any], bool] | None = None) -> Any:
    """compute(*args), or the answer an earlier run of this same code kept for (kind, key); `key`
    is the whole input (a string, or a JSON value: written out, so two inputs never share a key).
    With `keep`, only the answers it accepts are kept (a profile that fails its check is not, nor
    parsed YAML that is not plain JSON: `plain`); the others are returned as computed."""
    if _state.entries is None:
        _state.entries = _load()
        if not _state.registered:
            atexit.register(save)
            _state.registered = True
    name = key if isinstance(key, str) else _key(key)  # None: no JSON value, computed and not kept
    table = _state.entries.setdefault(kind, {})
    if name is not None and name in table:
        return table[name]
    value = compute(*args)
    if keep is not None and not keep(value):
        return value  # not kept: as computed
    # As it reads back from the file (tuples as lists), so a run with the file and one without it
    # hand the caller the same value.
    value = json.loads(json.dumps(value))
    if name is not None:
        if len(table) >= MAX_ENTRIES:  # bounded: a long-edited profile does not grow the file forever
            table.clear()
        table[name] = value
        _state.dirty = True
    return value
    value = json.loads(json.dumps(value))
    if len(table) >= MAX_ENTRIES:  # bounded: a long-edited profile does not grow the file forever
        table.clear()
    table[key] = value
    _state.dirty = True
    return value


def _key(value: Any) -> str | None:
    """The JSON text of a key made of JSON's own types (a date, a tuple, an integer key: None)."""
    try:
        return json.dumps(value, ensure_ascii=True, allow_nan=False) if plain(value) else None
    except RecursionError:
        return None


def plain(value: Any) -> bool:
    """Whether `value` is made of JSON's own types only, so its JSON text names it alone."""
    if value is None or type(value) in (str, int, bool):
        return True
    if type(value) is float:
        return math.isfinite(value)
    if type(value) is list:
        return all(plain(v) for v in value)
    if type(value) is dict:
        return all(type(k) is str and plain(v) for k, v in value.items())
    return False


def save() -> None:
    """Write the cache file when this run computed something new (at exit; errors are ignored)."""
    path = _path()
    if not _state.dirty or _state.entries is None or path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        doc = {"fingerprint": fingerprint(), "digest": _digest(_state.entries), "entries": _state.entries}
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".derived-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                # Key order is part of a value (a rule file's categories are tried in file order):
                # never sorted here; the digest sorts for itself.
                json.dump(doc, fh, ensure_ascii=True)
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        _state.dirty = False
        _prune(path)
    except OSError:
        pass  # a read-only or full disk: nothing is kept, nothing changes


def _prune(kept: Path) -> None:
    """Remove the files of other versions not written for a week (another install may still read its own)."""
    cutoff = time.time() - STALE_SECONDS
    for other in kept.parent.glob("derived-*.json"):
        try:
            if other != kept and other.stat().st_mtime < cutoff:
                other.unlink()
        except OSError:
            pass


def reset() -> None:
    """Forget what was loaded (tests point the cache elsewhere and read it again)."""
    _state.entries, _state.dirty, _state.fingerprint = None, False, None
