"""QUERY arguments of `trial-audit fetch` -> ClinicalTrials.gov API v2 `/studies` parameters.

A QUERY is either `NAME=VALUE` with an API parameter name (`query.cond=low back pain`) or a URL
pasted from the website (`https://clinicaltrials.gov/search?cond=...&intr=...`), translated with
`WEBSITE` below. An API URL (`.../api/v2/studies?query.cond=...`) is read as API parameters.
Anything else is refused by name: a search that silently drops a filter fetches the wrong trials.
"""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import parse_qsl, urlsplit

from auditor.fetch.errors import FetchError

# API parameters passed through unchanged (spec ctg-oas-v2_2.0.5.yaml, GET /studies).
API_PARAMS = (
    "query.cond", "query.term", "query.locn", "query.titles", "query.intr", "query.outc", "query.spons",
    "query.lead", "query.id", "query.patient",
    "filter.overallStatus", "filter.geo", "filter.ids", "filter.advanced", "filter.synonyms",
    "postFilter.overallStatus", "postFilter.geo", "postFilter.ids", "postFilter.advanced", "postFilter.synonyms",
    "aggFilters", "geoDecay", "sort",
)
# API parameters the fetcher sets itself or that would make the pages unreadable for the audit.
REFUSED_API = {
    "format": "the pages are always JSON",
    "markupFormat": "the audit reads the default markdown text",
    "fields": "the audit needs whole studies",
    "pageSize": "use --page-size",
    "pageToken": "the fetcher pages by itself",
    "countTotal": "the fetcher counts by itself",
}

# Website search parameter -> API parameter.
WEBSITE = {
    "cond": "query.cond", "term": "query.term", "intr": "query.intr", "titles": "query.titles",
    "outc": "query.outc", "spons": "query.spons", "lead": "query.lead", "id": "query.id",
    "locStr": "query.locn", "aggFilters": "aggFilters",
}
# Website date-range parameters (`start=2020-01-01_2021-12-31`, either end may be empty) ->
# the API field they filter, as `filter.advanced=AREA[field]RANGE[from,to]`.
WEBSITE_DATES = {
    "start": "StartDate", "primComp": "PrimaryCompletionDate", "studyComp": "CompletionDate",
    "firstPost": "StudyFirstPostDate", "resFirstPost": "ResultsFirstPostDate", "lastUpdPost": "LastUpdatePostDate",
}
# Website parameters that only change the display (or are implied by `locStr`): ignored.
WEBSITE_IGNORED = {"page", "limit", "viewType", "rank", "sort", "tab", "country", "state", "city"}

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
Params = dict[str, str]


def supported() -> str:
    """One paragraph for --help and error messages."""
    return (f"API parameters: {', '.join(API_PARAMS)}. Website search parameters: "
            f"{', '.join(list(WEBSITE) + list(WEBSITE_DATES))} (display-only {', '.join(sorted(WEBSITE_IGNORED))} "
            f"are ignored).")


def parse(queries: tuple[str, ...] | list[str]) -> Params:
    """The API parameters of all QUERY arguments together; FetchError names the first bad one."""
    params: Params = {}
    for given in queries:
        arg = given.strip()
        if re.match(r"https?://", arg):
            pairs = _from_url(arg)
        else:
            name, sep, value = arg.partition("=")
            if not sep or not name.strip():
                raise FetchError(f"query {arg!r}: expected NAME=VALUE (e.g. 'query.cond=low back pain') "
                                 "or a clinicaltrials.gov search URL")
            pairs = [(_api_name(name.strip()), value.strip())]
        for name, value in pairs:
            _add(params, name, value)
    if not params:
        raise FetchError("no query: give API parameters (e.g. 'query.cond=low back pain') or a search URL")
    return dict(sorted(params.items()))


def _api_name(name: str) -> str:
    if name in REFUSED_API:
        raise FetchError(f"query parameter {name!r} is not accepted: {REFUSED_API[name]}")
    if name not in API_PARAMS:
        import difflib  # a misspelt parameter only

        near = [f"query.{name}"] if f"query.{name}" in API_PARAMS else difflib.get_close_matches(name, API_PARAMS, n=1)
        hint = f" (did you mean {near[0]!r}?)" if near else ""
        raise FetchError(f"unknown API parameter {name!r}{hint}; supported: {', '.join(API_PARAMS)}")
    return name


def _add(params: Params, name: str, value: str) -> None:
    if not value:
        return
    if name == "filter.advanced" and name in params:  # several date ranges: all of them must hold
        params[name] = and_advanced(params[name], value)
    elif name in params and params[name] != value:
        raise FetchError(f"query parameter {name!r} is given twice ({params[name]!r} and {value!r})")
    else:
        params[name] = value


def _from_url(url: str) -> list[tuple[str, str]]:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host != "clinicaltrials.gov" and not host.endswith(".clinicaltrials.gov"):
        raise FetchError(f"URL {url!r}: not a clinicaltrials.gov search URL")
    if study := re.fullmatch(r"/study/(NCT\d{8})/?", parts.path, flags=re.IGNORECASE):
        raise FetchError(f"URL {url!r} is a study's page, not a search: give "
                         f"'filter.ids={study[1].upper()}' to fetch that study")
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    if "/api/" in parts.path:
        return [(_api_name(k), v) for k, v in pairs]
    out: list[tuple[str, str]] = []
    for key, value in pairs:
        if key in WEBSITE:
            out.append((WEBSITE[key], value))
        elif key in WEBSITE_DATES:
            if value:
                out.append(("filter.advanced", _range(key, WEBSITE_DATES[key], value)))
        elif key not in WEBSITE_IGNORED:
            raise FetchError(f"website search parameter {key!r} is not supported; supported: "
                             f"{', '.join(list(WEBSITE) + list(WEBSITE_DATES))} (or give API parameters)")
    return out


def _range(key: str, field: str, value: str) -> str:
    low, sep, high = value.partition("_")
    for end in (low, high):
        if end and not _DATE.match(end):
            raise FetchError(f"website search parameter {key}={value!r}: expected FROM_TO dates as YYYY-MM-DD")
    if not sep and not low:
        raise FetchError(f"website search parameter {key}={value!r}: expected FROM_TO dates as YYYY-MM-DD")
    return f"AREA[{field}]RANGE[{low or 'MIN'},{high or 'MAX'}]"


def and_advanced(left: str, right: str) -> str:
    """Two `filter.advanced` expressions that must both hold (Essie syntax)."""
    return f"({left}) AND ({right})"


def check_date(value: str, option: str = "--since") -> str:
    """A YYYY-MM-DD date, or FetchError."""
    try:
        date.fromisoformat(value)
    except ValueError:
        raise FetchError(f"{option} {value!r}: expected a date as YYYY-MM-DD") from None
    if not _DATE.match(value):
        raise FetchError(f"{option} {value!r}: expected a date as YYYY-MM-DD")
    return value


def with_since(params: Params, since: str | None) -> Params:
    """The query restricted to studies whose last update was posted on or after `since`."""
    if since is None:
        return dict(params)
    clause = f"AREA[LastUpdatePostDate]RANGE[{since},MAX]"
    out = dict(params)
    out["filter.advanced"] = and_advanced(out["filter.advanced"], clause) if "filter.advanced" in out else clause
    return out
