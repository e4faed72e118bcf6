"""`batch`: many records, parallel workers, a resumable DuckDB results store, tables, summary, HTML.

- `runner`: orchestration (`run`): walk the inputs, feed the workers, commit chunks, write outputs;
- `pool` and `worker`: worker processes; a worker reads, derives, judges and returns Arrow chunks;
- `columns`: the tables' columns (shared by worker and store; the worker never loads DuckDB);
- `store`: the DuckDB file (`load` reads it back as pandas DataFrames, for notebooks);
- `export`: CSV/Parquet twins of the tables; `summary`: aggregates and the evidence-gap map;
- `progress`: what `run` reports while it goes.

`auditor.batch.run` and `auditor.batch.load` are the Python API; they are imported on first use,
so a worker that imports `auditor.batch.worker` does not load DuckDB.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from auditor.batch.pool import WorkerDied
    from auditor.batch.runner import BatchError, Outcome, Totals, run
    from auditor.batch.store import load

_EXPORTS = {"run": "runner", "BatchError": "runner", "Outcome": "runner", "Totals": "runner",
            "load": "store", "WorkerDied": "pool"}
__all__ = ["BatchError", "Outcome", "Totals", "WorkerDied", "load", "run"]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"auditor.batch.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module 'auditor.batch' has no attribute {name!r}")
