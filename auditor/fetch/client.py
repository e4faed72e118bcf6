"""HTTP client for the ClinicalTrials.gov API v2: httpx with timeouts, polite pacing, and tenacity
retries that honour `Retry-After`.

Retried: connection problems (refused, reset, dropped mid-response, timeouts), 429, 403 (the
registry's answer to clients it thinks too fast) and 5xx, with exponential backoff and jitter, or
exactly the server's `Retry-After` (seconds or an HTTP date, capped at `max_wait`). Not retried:
other 4xx (a bad query stays bad); they become one-line FetchErrors quoting the server's message.

Pages of studies (up to 1,000 studies, tens of MB) are not held in memory: `download` streams the
body to a file beside the page's place and reads what the fetch needs (how many studies, their ids,
the next page token) from it with an incremental parser (ijson), which also proves it whole JSON.
"""

from __future__ import annotations

import contextlib
import email.utils
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

import httpx
import orjson
import tenacity
from tenacity.wait import wait_base

from auditor import __version__
from auditor.fetch.errors import FetchError
from auditor.fetch.settings import Settings

USER_AGENT = f"trial-audit/{__version__} (clinical-trial registry auditor; python-httpx)"
RETRY_STATUS = frozenset({403, 429, 500, 502, 503, 504})


@dataclass
class Page:
    """A page of studies written to `path` (not yet in its place), and what the fetch needs of it."""

    path: Path
    bytes: int
    is_object: bool = False  # the top level is a JSON object
    has_studies: bool = False  # its `studies` is a list
    studies: int = 0
    ids: list[str] = field(default_factory=list)
    next_page_token: Any = None
    total_count: Any = None


def page_summary(path: Path) -> Page:
    """Read a page file with ijson, holding one value at a time; ijson.JSONError if it is not JSON."""
    import ijson

    page = Page(path, path.stat().st_size)
    values = {"start_map", "start_array", "string", "number", "boolean", "null"}
    with path.open("rb") as fh:
        for prefix, event, value in ijson.parse(fh, use_float=True):
            if prefix == "" and event == "start_map":
                page.is_object = True
            elif prefix == "studies" and event == "start_array":
                page.has_studies = True
            elif prefix == "studies.item" and event in values:
                page.studies += 1
            elif prefix == "studies.item.protocolSection.identificationModule.nctId" and event == "string":
                page.ids.append(value)
            elif prefix == "nextPageToken" and event in values:
                page.next_page_token = {"start_map": {}, "start_array": []}.get(event, value)
            elif prefix == "totalCount" and event in values:
                page.total_count = value
    return page


class Retryable(Exception):
    """A response worth asking again for; `retry_after` is the server's wish in seconds, if any."""

    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """`Retry-After` as seconds: a number of seconds or an HTTP date; None if absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class _WaitRetryAfter(wait_base):
    """The server's Retry-After when it sent one, else the fallback backoff; never above `cap`."""

    def __init__(self, fallback: wait_base, cap: float):
        self.fallback, self.cap = fallback, cap

    def __call__(self, retry_state: tenacity.RetryCallState) -> float:
        exc = retry_state.outcome.exception() if retry_state.outcome else None
        if isinstance(exc, Retryable) and exc.retry_after is not None:
            return min(exc.retry_after, self.cap)
        return min(float(self.fallback(retry_state)), self.cap)


class Client:
    """GET JSON from one v2 API base URL. `on_retry(message, seconds)` hears about every retry."""

    def __init__(self, settings: Settings, on_retry: Callable[[str, float], None] | None = None,
                 transport: httpx.BaseTransport | None = None):
        self.settings = settings
        self.base = settings.api_url.rstrip("/")
        self.on_retry = on_retry
        timeout = httpx.Timeout(settings.timeout, connect=min(15.0, settings.timeout))
        self.http = httpx.Client(timeout=timeout, headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
                                 follow_redirects=True, transport=transport)
        self._lock = threading.Lock()
        self._next = 0.0

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def url(self, path: str) -> str:
        """`path` relative to the API base; `../int/...` resolves beside it (the history endpoints)."""
        base = self.base
        while path.startswith("../"):
            base, path = base.rsplit("/", 1)[0], path[3:]
        return f"{base}/{path.lstrip('/')}"

    def get(self, path: str, params: dict[str, str] | None = None) -> tuple[bytes, Any]:
        """(raw body, parsed JSON) of a GET, after retries; FetchError when it cannot be had."""
        url = self.url(path)
        result: tuple[bytes, Any] = self._retried(url, self._once, url, params or {})
        return result

    def download(self, path: str, params: dict[str, str], target: Path) -> Page:
        """A GET streamed to a hidden file beside `target` (the caller moves it into place or
        removes it), after retries, summarised (`page_summary`); FetchError when it cannot be had."""
        url = self.url(path)
        page: Page = self._retried(url, self._download_once, url, params, target)
        return page

    def _retried(self, url: str, once: Callable[..., Any], *args: Any) -> Any:
        """once(*args), retried on a retryable answer or a transport error; FetchError when it gives up."""
        retrying = tenacity.Retrying(
            stop=tenacity.stop_after_attempt(self.settings.retries + 1),
            wait=_WaitRetryAfter(tenacity.wait_exponential(multiplier=self.settings.backoff, max=self.settings.max_wait)
                                 + tenacity.wait_random(0, self.settings.backoff), self.settings.max_wait),
            retry=tenacity.retry_if_exception_type((Retryable, httpx.TransportError)),
            before_sleep=self._before_sleep, reraise=True)
        try:
            return retrying(once, *args)
        except Retryable as exc:
            raise FetchError(f"{url}: {exc} (gave up after {self.settings.retries + 1} attempts)") from None
        except httpx.TransportError as exc:
            raise FetchError(f"cannot reach {url}: {_describe(exc)} (gave up after "
                             f"{self.settings.retries + 1} attempts)") from None

    def _download_once(self, url: str, params: dict[str, str], target: Path) -> Page:
        import ijson

        self._pace()
        part = target.with_name(f".{target.name}.part")
        try:
            part.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise FetchError(f"{part.parent}: cannot write: {exc.strerror or exc}") from None
        with self.http.stream("GET", url, params=params) as response:
            status = response.status_code
            if status in RETRY_STATUS:
                raise Retryable(f"HTTP {status}", retry_after_seconds(response.headers.get("Retry-After")))
            if status >= 400:
                response.read()
                text = " ".join(response.text.split())[:300] or response.reason_phrase
                what = "not found (is --api-url a ClinicalTrials.gov v2 API?)" if status == 404 else text
                raise FetchError(f"{url}: HTTP {status}: {what}")
            try:
                with part.open("wb") as fh:
                    for chunk in response.iter_bytes(1 << 20):
                        fh.write(chunk)
                    fh.flush()
                    os.fsync(fh.fileno())
            except OSError as exc:
                with contextlib.suppress(OSError):
                    part.unlink()
                raise FetchError(f"{target}: cannot write: {exc.strerror or exc}") from None
            except BaseException:
                with contextlib.suppress(OSError):
                    part.unlink()
                raise
        try:
            return page_summary(part)
        except ijson.JSONError:
            size = part.stat().st_size
            part.unlink()
            # A truncated or garbled body is a transport problem more often than a server bug.
            raise Retryable(f"HTTP {status} with a body that is not JSON ({size} bytes)") from None

    def _before_sleep(self, state: tenacity.RetryCallState) -> None:
        if self.on_retry is None or state.outcome is None:
            return
        exc = state.outcome.exception()
        wait = state.next_action.sleep if state.next_action else 0.0
        self.on_retry(str(exc) if isinstance(exc, Retryable) else _describe(exc), float(wait))

    def _pace(self) -> None:
        if self.settings.rate <= 0:
            return
        with self._lock:
            delay = self._next - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            self._next = time.monotonic() + 1.0 / self.settings.rate

    def _once(self, url: str, params: dict[str, str]) -> tuple[bytes, Any]:
        self._pace()
        response = self.http.get(url, params=params)
        status = response.status_code
        if status in RETRY_STATUS:
            raise Retryable(f"HTTP {status}", retry_after_seconds(response.headers.get("Retry-After")))
        if status >= 400:
            text = " ".join(response.text.split())[:300] or response.reason_phrase
            what = "not found (is --api-url a ClinicalTrials.gov v2 API?)" if status == 404 else text
            raise FetchError(f"{url}: HTTP {status}: {what}")
        body = response.content
        try:
            return body, orjson.loads(body)
        except orjson.JSONDecodeError:
            # A truncated or garbled body is a transport problem more often than a server bug.
            raise Retryable(f"HTTP {status} with a body that is not JSON ({len(body)} bytes)") from None


def _describe(exc: BaseException | None) -> str:
    if exc is None:
        return "unknown error"
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
