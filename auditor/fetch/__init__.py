"""Registry clients: ClinicalTrials.gov API v2 into a resumable, updatable fetch folder.

- `query`: QUERY arguments and pasted website URLs -> API parameters (unsupported ones refused);
- `settings`: the client's settings and defaults (no HTTP import);
- `client`: httpx + tenacity (timeouts, pacing, retries honouring Retry-After);
- `folder`: the folder layout, the manifest, atomic writes, superseding older copies;
- `paging`: count, page with pageToken, resume, update rounds;
- `history`: `--history`, the version in force at the start and the latest.

Nothing is imported here, so `import auditor.fetch.query` stays cheap; `trial-audit fetch`
(auditor/cli/fetch.py) imports `paging` (and with it httpx) only when it runs.
"""
