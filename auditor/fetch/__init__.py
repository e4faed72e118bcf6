"""Registry clients: ClinicalTrials.gov API v2 into a resumable, updatable fetch folder.

- `query`: QUERY arguments and pasted website URLs -> API parameters (unsupported ones refused);
- `client`: httpx + tenacity (timeouts, pacing, retries honouring Retry-After);
- `folder`: the folder layout, the manifest, atomic writes, superseding older copies;
- `paging`: count, page with pageToken, resume, update rounds.

`trial-audit fetch` (auditor/cli_fetch.py) is the command line over `paging.fetch`.
"""

from auditor.fetch.client import PUBLIC_API, Settings
from auditor.fetch.errors import FetchError
from auditor.fetch.folder import MANIFEST
from auditor.fetch.paging import Result, fetch
from auditor.fetch.query import parse as parse_query

__all__ = ["MANIFEST", "PUBLIC_API", "FetchError", "Result", "Settings", "fetch", "parse_query"]
