"""The problems of a protocol file that its schema cannot state: dates that are not real dates,
and a file that disagrees with itself (per-arm sizes vs the target and the arms, the latest
assessment vs the treatment length), each worded and placed as protocol_check's schema problems.

Each check runs once the fields it reads have no problem of their own.
"""

from __future__ import annotations

import calendar
import datetime
import re
from typing import Any, cast

from auditor.sources.protocol_check import Problems, field_name, is_number, say, shown

DATE_FIELDS = {"/registration/date": ("YYYY-MM-DD", "2025-01-10"),
               "/registration/planned_start": ("YYYY-MM-DD or YYYY-MM", "2025-03-01")}


def dates(doc: dict[str, Any], found: Problems) -> None:
    """`registration.date` and `planned_start` that are not real dates."""
    registration = doc.get("registration")
    if not isinstance(registration, dict):
        return
    for ptr, (form, example) in DATE_FIELDS.items():
        value = registration.get(ptr.rpartition("/")[2])
        if not isinstance(value, str):
            continue  # absent, or a type error the schema reports
        name = field_name(ptr)
        match = re.fullmatch(r"(\d{4})-(\d{2})(?:-(\d{2}))?(?:T[0-9:.]+)?", value.strip())
        if not match or (match.group(3) is None and "-DD or" not in form):
            found.add(ptr, say("not_a_date", field=name, form=form, example=example, value=shown(value)))
            continue
        reason = _impossible(int(match.group(1)), int(match.group(2)), int(match.group(3) or 1))
        if reason:
            found.add(ptr, say("impossible_date", field=name, value=value, reason=reason))


def consistency(doc: dict[str, Any], found: Problems) -> None:
    """Sizes against the target and the arms, and the latest assessment against the treatment."""
    size, design = _section(doc, "sample_size"), _section(doc, "design")
    per_arm, target = size.get("per_arm"), size.get("target")
    arms = _items(design, "arms")
    if isinstance(per_arm, list) and per_arm and all(_count(n) for n in per_arm):
        if _count(target) and sum(per_arm) != target:
            found.add("/sample_size/per_arm", say("per_arm_vs_target", total=sum(per_arm), target=target))
        if arms and len(per_arm) != len(arms):
            found.add("/sample_size/per_arm", say("per_arm_vs_arms", sizes=len(per_arm), arms=len(arms)))
    _follow_up_vs_treatment(doc, arms, found)


def _follow_up_vs_treatment(doc: dict[str, Any], arms: list[Any], found: Problems) -> None:
    durations = [(i, a.get("label"), a["duration_weeks"]) for i, a in enumerate(arms)
                 if isinstance(a, dict) and is_number(a.get("duration_weeks"))]
    outcomes = _items(doc, "outcomes")
    if any("/time_points" in p.where or "/duration_weeks" in p.where for p in found.found if p.where):
        return  # a time point or duration with its own problem: the latest assessment is not known
    points = [(f"/outcomes/{i}/time_points/{j}/weeks", tp.get("weeks"), tp.get("from", "baseline"))
              for i, o in enumerate(outcomes) if isinstance(o, dict) and isinstance(o.get("time_points"), list)
              for j, tp in enumerate(o["time_points"]) if isinstance(tp, dict)]
    if not durations or not points or any(anchor == "end_of_treatment" for _, _, anchor in points):
        return
    from_start = [(ptr, float(cast(float, w))) for ptr, w, anchor in points
                  if anchor in ("baseline", "treatment_start") and is_number(w)]
    if not from_start:
        return
    ptr, latest = max(from_start, key=lambda p: p[1])
    _, label, longest = max(durations, key=lambda d: d[2])
    if latest < longest:
        found.add(ptr, say("assessment_before_end_of_treatment", latest=f"{latest:g}", duration=f"{longest:g}",
                           arm=f"`{label}`" if label else "1"))


def _section(doc: dict[str, Any], key: str) -> dict[str, Any]:
    value = doc.get(key)
    return value if isinstance(value, dict) else {}


def _items(doc: dict[str, Any], key: str) -> list[Any]:
    value = doc.get(key)
    return value if isinstance(value, list) else []


def _count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _impossible(year: int, month: int, day: int) -> str | None:
    if not 1 <= month <= 12:
        return f"there is no month {month}"
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        return f"{calendar.month_name[month]} {year} has {last} days"
    try:
        datetime.date(year, month, day)
    except ValueError as exc:  # year 0 and the like
        return str(exc)
    return None
