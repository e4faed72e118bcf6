"""The one error type of the fetcher: a query, option, folder or server the fetch cannot use."""

from __future__ import annotations


class FetchError(Exception):
    """Rendered as one line; `trial-audit fetch` exits with code 2."""
