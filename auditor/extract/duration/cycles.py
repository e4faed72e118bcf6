"""Courses counted in cycles: "Treatment repeats every 21 days for 6 courses", "up to four 4-week
cycles", "4 cycles of 28 days" (the course is count x cycle length); and cycles repeated with no
count ("Courses repeat every 28 days in the absence of disease progression"), where a length no
longer than the repeat interval is one course, not the course.
"""

from __future__ import annotations

import re

from auditor.extract.duration.patterns import _CYCLES, _NOT_COURSE_NOUN, _OPEN_REPEAT
from auditor.extract.duration.reading import Candidate, _lowered, _sentence
from auditor.extract.record_cache import per_record
from auditor.extract.text import number, unit_of, weeks

_PHASES = re.compile(r"\b(?:phases|stages|blocks)\b")
# More cycles than this is no count of a course's cycles (a dose, a year).
_MAX_CYCLES = 52


@per_record(maxsize=4096)
def _cycle_candidates(value: str) -> tuple[Candidate, ...]:
    low = _lowered(value)
    if not any(word in low for word in ("cycle", "course", "phase", "block", "stage")):
        return ()
    out: list[Candidate] = []
    for pattern in _CYCLES:
        for m in pattern.finditer(low):
            # Phases, stages or blocks may include follow-up ("2 phases of 12 weeks: treatment and
            # follow-up"): not when the sentence names a no-course period (not_course_nouns).
            if _PHASES.search(m.group()) and _NOT_COURSE_NOUN.search(_sentence(value, m.start(), m.end())):
                continue
            count = number(m.group("c"))
            unit = unit_of(m.group("u"))
            if not 1 <= count <= _MAX_CYCLES or unit in ("minute", "hour"):
                continue
            w = round(count * weeks(number(m.group("n2") or m.group("n")), unit), 2)
            said = value[m.start():m.end()]
            out.append((w, m.start(), m.end(), f"{said!r}: {count:g} cycles = {w:g} weeks"))
    return tuple(out)


@per_record(maxsize=4096)
def _open_repeat_weeks(value: str) -> float | None:
    """The longest repeat interval of cycles repeated with no count, if the text has one."""
    low = _lowered(value)
    if "repeat" not in low:
        return None
    found = [weeks(number(m.group("n2") or m.group("n")), unit_of(m.group("u"))) for m in _OPEN_REPEAT.finditer(low)]
    return max(found) if found else None
