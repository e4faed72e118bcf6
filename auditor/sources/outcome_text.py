"""Registry outcome text holding several outcomes, split into one Outcome per item.

ICTRP (and the registers that feed it) give all primary (or all secondary) outcomes as one text.
It is split into one Outcome per item when items are clearly separate: ``;`` (ICTRP's list separator, outside brackets),
or, failing that, numbered/bulleted lines ("1)", "2.", "•", "*", "-"). EU CTR / CTIS texts are
labelled sections ("Main Objective:", "Primary end point(s):", "Timepoint(s) of evaluation of this
end point:"): each end point is an Outcome whose time_frame is the timepoint section and whose
description is the objectives. Within an item, a time frame is separated when the registry marks
it ("[Time frame: ...]", a trailing "[...]" on its own line as in ANZCTR, IRCT's "Timepoint: ...").
The reader does not judge whether other text names a time: "... at weeks 35 and 66" stays the
measure, with no time_frame, and auditor/extract (followup, timeframes.named_times) reads the
times named in the measure of an outcome without a time frame.

Every Outcome made from one text points at that text (same ``at``): a finding quotes the field.
"""

from __future__ import annotations

import re
from typing import Any

from auditor.model import Outcome, OutcomeKind, Text
from auditor.sources import fields

_SECTION = re.compile(r"(?:^|;|\n)\s*(Main Objective|Secondary Objective|Primary end point\(s\)|"
                      r"Secondary end point\(s\)|Timepoint\(s\) of evaluation of this end point)\s*:\s*", re.I)
_LIST_LINE = re.compile(r"^\s*(?:\d{1,2}\s*[.)]|[•*\-])\s*")
_BRACKET_TIME = re.compile(r"(\n\s*)?\[\s*(time\s*frame\s*:?\s*)?([^\[\]]+?)\s*\]\s*$", re.I)
_TIMEPOINT = re.compile(r"[.;,]?\s*Time ?points?\s*:\s*(.+?)\s*(?:\.\s*Method of measurement\s*:\s*(.*))?$", re.I | re.S)
_LIST_HEADING = re.compile(r"outcome|end ?point|measure|analys|objective", re.I)
_CONTINUES = re.compile(r"(?:[,:(\-]|\b(?:and|or|of|the|in|with|to|for|by|at|from))\s*$", re.I)


def split(whole: Text, kind: OutcomeKind) -> list[Outcome]:
    """The Outcomes in one registry text holding all primary (or secondary) outcomes."""
    where = {"at": whole.at, "line": whole.line}
    if _SECTION.search(whole.value):
        return _sectioned(whole.value, kind, where)
    items = fields.split_list(whole.value)
    if len(items) < 2 and not _BRACKET_TIME.search(whole.value):
        items = _lines(whole.value) or items
    return [_outcome(item, kind, where) for item in items]


def _lines(value: str) -> list[str]:
    """Outcomes given one per line: bulleted/numbered lines, or unpunctuated lines of measures.

    A line that continues the previous one (it ends in a comma or a connecting word, or the next
    starts in lower case) is joined to it; a heading line ending in ``:`` prefixes the items under
    it. Lines of prose sentences (ending in ``.``) are one outcome, not a list.
    """
    lines = [ln.strip() for ln in value.split("\n") if ln.strip()]
    if len(lines) < 2:
        return []
    marked = sum(bool(_LIST_LINE.match(ln)) for ln in lines) >= 2
    items: list[str] = []
    heading, under_heading = "", 0
    for line in lines:
        is_marked = bool(_LIST_LINE.match(line))
        body = _LIST_LINE.sub("", line).strip() if is_marked else line
        if not is_marked and items and (_CONTINUES.search(items[-1]) or body[:1].islower() or (marked
                                        and not line.endswith(":"))):
            items[-1] += " " + body
        elif not is_marked and line.endswith(":"):
            if not _LIST_HEADING.search(line):
                return []  # "... (7-point scale):" followed by its categories, not a list of outcomes
            heading = f"{heading} {body}" if heading and not under_heading else body
            under_heading = 0
        else:
            items.append(f"{heading} {body}" if heading else body)
            under_heading += 1
    if not marked and any(item.endswith(".") for item in items[:-1]):
        return []
    return items if len(items) >= 2 else []


def _outcome(item: str, kind: OutcomeKind, where: dict[str, Any], description: str | None = None) -> Outcome:
    measure, time_frame, method = item, None, None
    bracket = _BRACKET_TIME.search(item)
    timepoint = _TIMEPOINT.search(item)
    # Only what the registry marks as a time frame is one: a "[Time frame: ...]" label, ANZCTR's
    # bracket on a line of its own, a "Timepoint(s):" label. Times named in the outcome itself
    # ("Pain at 6 months", "VAS [6 months]") stay in the measure: whether they are time points is
    # for auditor/extract to judge (followup reads an outcome's measure when it has no time frame).
    if bracket and bracket.start() > 0 and (bracket.group(1) or bracket.group(2)):
        measure, time_frame = item[:bracket.start()].strip(), bracket.group(3)
    elif timepoint and timepoint.start() > 0:
        measure, time_frame, method = item[:timepoint.start()].strip(), timepoint.group(1), timepoint.group(2)
    notes = "\n".join(p for p in (description, method) if p)
    return Outcome(kind=kind, measure=fields.text(measure, **where), time_frame=fields.text(time_frame, **where),
                   description=fields.text(notes, **where) if notes else None)


def _sectioned(value: str, kind: OutcomeKind, where: dict[str, Any]) -> list[Outcome]:
    """EU CTR / CTIS labelled sections, in any order: each end point section is one Outcome.

    Its time frame is the matching timepoint section (paired in order when there are as many, else
    the single timepoint applies to every end point); the objectives become the description. An end
    point section is not split further: its inner lists are often a scale's categories.
    """
    marks = list(_SECTION.finditer(value))
    sections = [(m.group(1).lower(), value[m.end():(marks[i + 1].start() if i + 1 < len(marks) else len(value))]
                 .strip(" ;\n")) for i, m in enumerate(marks)]
    lead = value[:marks[0].start()].strip(" ;\n")
    objectives = "\n".join(f"{label.capitalize()}: {text}" for label, text in sections if "objective" in label)
    timepoints = [text for label, text in sections if label.startswith("timepoint") and text]
    endpoints = ([lead] if lead else []) + [text for label, text in sections
                                            if "end point" in label and not label.startswith("timepoint") and text]
    description = fields.text(objectives, **where) if objectives else None
    if not endpoints:
        return [Outcome(kind=kind, time_frame=fields.text("\n".join(timepoints), **where), description=description)] \
            if timepoints or description else []
    paired = timepoints if len(timepoints) == len(endpoints) else ["\n".join(timepoints)] * len(endpoints)
    return [Outcome(kind=kind, measure=fields.text(measure, **where), time_frame=fields.text(time, **where),
                    description=description) for measure, time in zip(endpoints, paired)]
