"""A loopback ClinicalTrials.gov API v2 for the fetch tests (pytest-httpserver; no internet).

`Registry` serves `/api/v2/version` and `/api/v2/studies` over a list of studies, the way the API
does: `pageSize`, `countTotal` on the first page only, opaque `nextPageToken`s (their length
changes from page to page), no token on the last page, `filter.advanced` with
`AREA[LastUpdatePostDate]RANGE[DATE,MAX]` honoured. Faults are scripted per page and attempt:
`429` (with `Retry-After`), `503`, `drop` (the connection is closed without a response), and
`empty_after` inserts an empty page with a token in the middle of the sequence.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import orjson
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

API = "/api/v2"
_SINCE = re.compile(r"AREA\[LastUpdatePostDate\]RANGE\[(\d{4}-\d{2}-\d{2}),MAX\]")


def study_id(study: dict[str, Any]) -> str:
    return study["protocolSection"]["identificationModule"]["nctId"]


def last_update(study: dict[str, Any]) -> str:
    status = study["protocolSection"].get("statusModule", {})
    return str(status.get("lastUpdatePostDateStruct", {}).get("date", "1900-01-01"))


def token_for(page: int) -> str:
    """Opaque, and not of one length: the fetcher must not assume anything about tokens."""
    return f"{page:x}" + "Zq9" * (page % 4) + "=" * (page % 3)


@dataclass
class Registry:
    studies: list[dict[str, Any]]
    page_size_cap: int = 1000
    data_timestamp: str = "2026-01-15T09:00:00"
    faults: dict[tuple[int, int], str] = field(default_factory=dict)  # (page, attempt) -> 429|503|drop
    empty_after: int | None = None  # an empty page (with a token) follows this page index
    retry_after: str = "1"
    hold: int | None = None  # page index whose answer waits until `release` is set
    log: list[tuple[str, dict[str, str], float]] = field(default_factory=list)
    reached: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    # nctId -> [(date, study)], version 0 first: served by the internal history endpoints
    histories: dict[str, list[tuple[str, dict[str, Any]]]] = field(default_factory=dict)
    _attempts: dict[int, int] = field(default_factory=dict)
    _tokens: dict[str, int] = field(default_factory=dict)

    def install(self, server: HTTPServer) -> str:
        server.expect_request(f"{API}/version").respond_with_handler(self._version)
        server.expect_request(f"{API}/studies").respond_with_handler(self._studies)
        server.expect_request(re.compile(r"/api/int/studies/.*")).respond_with_handler(self._history)
        return server.url_for(API)

    def _history(self, request: Request) -> Response:
        self.log.append((request.path, dict(request.args), time.monotonic()))
        parts = request.path.split("/")  # /api/int/studies/NCT.../history/N
        versions = self.histories.get(parts[4])
        if versions is None:
            return Response("Not Found", status=404)
        if len(parts) == 5 and request.args.get("history") == "true":
            changes = [{"version": v, "date": d, "status": "RECRUITING"} for v, (d, _) in enumerate(versions)]
            return _json({"protocolSection": versions[-1][1]["protocolSection"], "history": {"changes": changes}})
        if len(parts) == 7 and parts[5] == "history" and parts[6].isdigit() and int(parts[6]) < len(versions):
            return _json({"studyVersion": int(parts[6]), "study": versions[int(parts[6])][1]})
        return Response("Not Found", status=404)

    def studies_requests(self) -> list[dict[str, str]]:
        return [q for path, q, _ in self.log if path.endswith("/studies")]

    def _version(self, request: Request) -> Response:
        self.log.append((request.path, dict(request.args), time.monotonic()))
        return _json({"apiVersion": "2.0.5", "dataTimestamp": self.data_timestamp})

    def _pages(self, args: dict[str, str], size: int) -> list[list[dict[str, Any]]]:
        selected = self.studies
        since = _SINCE.search(args.get("filter.advanced", ""))
        if since:
            selected = [s for s in selected if last_update(s) >= since.group(1)]
        pages = [selected[i:i + size] for i in range(0, len(selected), size)] or [[]]
        if self.empty_after is not None and self.empty_after < len(pages) - 1:
            pages.insert(self.empty_after + 1, [])
        return pages

    def _studies(self, request: Request) -> Response:
        args = dict(request.args)
        self.log.append((request.path, args, time.monotonic()))
        size = min(int(args.get("pageSize") or 10), self.page_size_cap)
        token = args.get("pageToken")
        if token is not None and token not in self._tokens:
            return Response("invalid pageToken", status=400, content_type="text/plain")
        index = self._tokens.get(token, 0) if token is not None else 0
        attempt = self._attempts[index] = self._attempts.get(index, 0) + 1
        fault = self.faults.get((index, attempt))
        if fault == "429":
            return Response("Too Many Requests", status=429, headers={"Retry-After": self.retry_after})
        if fault == "503":
            return Response("Service Unavailable", status=503)
        if fault == "drop":
            sock = request.environ.get("werkzeug.socket")
            if isinstance(sock, socket.socket):
                sock.shutdown(socket.SHUT_RDWR)
            return Response(b"", status=200)
        if self.hold == index:
            self.reached.set()
            self.release.wait(30)
        pages = self._pages(args, size)
        body: dict[str, Any] = {"studies": pages[index]}
        if index == 0 and args.get("countTotal") == "true":
            body = {"totalCount": sum(map(len, pages)), **body}
        if index + 1 < len(pages):
            following = token_for(index + 1)
            self._tokens[following] = index + 1
            body["nextPageToken"] = following
        return _json(body)


def _json(doc: Any) -> Response:
    return Response(orjson.dumps(doc), status=200, content_type="application/json")


def hand_made(n: int, updated: str = "2025-06-01") -> list[dict[str, Any]]:
    """`n` small v2 studies written for these tests (no real data needed)."""
    from tests.batch.data import study

    out = []
    for i in range(n):
        s = study(f"NCT9{i:07d}", title=f"Hand-made study {i}", enrollment=30 + 10 * i)
        s["protocolSection"]["statusModule"]["lastUpdatePostDateStruct"] = {"date": updated, "type": "ACTUAL"}
        out.append(s)
    return out
