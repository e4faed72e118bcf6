"""The engine: a profile's criteria (JSON Schemas over the Facts document) judged against one record's facts.

- `profiles`: load a profile, resolve `extends` / `remove` / overrides, compile its conditions;
- `selection`: keep or drop criteria and override severities (`--select`, `--ignore`, `--severity`);
- `conditions` and `predicates`: a condition compiled once into a fast yes/no check;
- `evaluate`: the only place a status is decided (`assess` one criterion, `judge` a whole profile);
- `messages`: a criterion's message and fix templates filled with the record's facts.

The engine reads Facts and writes verdicts; it knows nothing about registries, files or formats.
"""

from auditor.engine.evaluate import Assessment, Judgement, assess, judge, status_of
from auditor.engine.profiles import Criterion, Profile

__all__ = ["Assessment", "Criterion", "Judgement", "Profile", "assess", "judge", "status_of"]
