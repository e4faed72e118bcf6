"""How the fetcher talks to the server (no HTTP import here: the CLI reads the defaults cheaply)."""

from __future__ import annotations

from dataclasses import dataclass

PUBLIC_API = "https://clinicaltrials.gov/api/v2"
MAX_PAGE_SIZE = 1000  # the API coerces larger page sizes down to this


@dataclass(frozen=True)
class Settings:
    """How the client talks to the server; every field is a `fetch` option."""

    api_url: str = PUBLIC_API
    rate: float = 1.5  # requests per second at most (0: no pacing)
    retries: int = 6  # further attempts after the first
    timeout: float = 60.0  # seconds per read (connect: at most 15)
    backoff: float = 2.0  # first backoff in seconds, doubling up to max_wait
    max_wait: float = 300.0  # longest single wait, also for a Retry-After
