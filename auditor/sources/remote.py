"""Inputs named by URL (``s3://``, ``gs://``, ``file://``, any fsspec protocol): open one URL's bytes,
list the files under a prefix. Everything after the bytes (detection, gzip and zip members, hashing)
is what a local file gets, in `auditor.sources.containers`.

fsspec (and the protocol's package: s3fs, gcsfs) is an optional extra (``pip install
'trial-audit[cloud]'``); credentials and endpoints come from the usual places (AWS/GCP environment
and config files) or from fsspec's own configuration, e.g. ``FSSPEC_S3_ENDPOINT_URL`` for an S3
service other than AWS.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from auditor.errors import InputError

# scheme://... with a scheme of two or more letters (so that C:\\ on Windows is a path, not a URL).
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+://")


def is_url(raw: str) -> bool:
    return bool(_URL.match(raw))


def _filesystem(url: str) -> tuple[Any, str]:
    """(fsspec filesystem, path within it) for a URL, or an InputError naming what to install."""
    try:
        import fsspec
    except ImportError:
        raise InputError(url, "reading URLs needs fsspec: pip install 'trial-audit[cloud]'") from None
    try:
        fs, path = fsspec.core.url_to_fs(url)
    except ImportError as exc:  # the protocol's package (s3fs, gcsfs) is missing
        raise InputError(url, f"cannot read this kind of URL: {exc}") from None
    except ValueError as exc:  # an unknown protocol
        raise InputError(url, f"cannot read this kind of URL: {exc}") from None
    return fs, path


def _unparse(fs: Any, path: str) -> str:
    """A listed path as a URL again (`fs.unstrip_protocol` gives s3://bucket/key, file:///abs/path)."""
    return str(fs.unstrip_protocol(path))


def _name_ok(rel: str, skipped: Any) -> bool:
    return not any(skipped(part) for part in rel.split("/") if part)


def listing(url: str, skipped: Any, results_marker: str) -> Iterator[tuple[str, int]]:
    """(URL, size) of each input file at a URL: the object itself, or every object under a prefix
    (sorted by key; names `walker.skipped` rejects and `batch` results folders left out). An
    empty or missing prefix is yielded as itself with size 0 (reading it then says why)."""
    fs, root = _filesystem(url)
    try:
        info = fs.info(root)
        if info.get("type") != "directory":
            yield url, int(info.get("size") or 0)
            return
        found = fs.find(root, detail=True)
    except OSError:  # FileNotFoundError included: reading it says so
        yield url, 0
        return
    base = root.rstrip("/") + "/"
    results = {key[: -len(results_marker)] for key in found if key.endswith("/" + results_marker)}
    empty = True
    for key in sorted(found):
        rel = key[len(base):] if key.startswith(base) else key
        if not _name_ok(rel, skipped) or any(key.startswith(r) for r in results):
            continue
        empty = False
        yield _unparse(fs, key), int(found[key].get("size") or 0)
    if empty:
        yield url, 0


def read(url: str, limit: int) -> bytes:
    """The bytes of the object at a URL (at most `limit`), or an InputError saying why not."""
    fs, path = _filesystem(url)
    try:
        info = fs.info(path)
        if info.get("type") == "directory":
            raise InputError(url, "folder contains no files")  # a prefix with files is listed, never read
        size = info.get("size")
        if size is not None and size > limit:
            raise InputError(url, f"larger than {limit} bytes (set TRIAL_AUDIT_MAX_FILE_BYTES to allow it)")
        with fs.open(path, "rb") as fh:
            data = fh.read(limit + 1)
    except FileNotFoundError:
        raise InputError(url, "no such file or object") from None
    except PermissionError:
        raise InputError(url, "permission denied") from None
    except OSError as exc:
        raise InputError(url, f"cannot read: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise InputError(url, f"larger than {limit} bytes (set TRIAL_AUDIT_MAX_FILE_BYTES to allow it)")
    return bytes(data)
