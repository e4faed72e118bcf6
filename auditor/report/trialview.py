"""One trial's findings as a reader sees them, shared by the batch page's trial panel and the
one-record page (`trial-audit check RECORD --format html`): each finding with its status as symbol
and words, why it has that status, each quote with the field it came from and the tool's note
(a quote already shown for an earlier criterion is referred to, not repeated), and the fix.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from auditor.report.common import field_label
from auditor.report.labels import criterion_title
from auditor.vocabulary import GAPS, LABEL, SYMBOL

QUOTE_CHARS = 400  # in a page; the store keeps the full quotes
WHY = {"met": "Why met", "not_met": "Why not met", "unclear": "Why unclear", "not_applicable": "Why n/a"}


def field(ev: Mapping[str, Any]) -> str:
    """The field a quote came from, in words (`timeFrame` of primaryOutcomes item 1, line 12)."""
    name = field_label(str(ev.get("at") or ""))
    return f"{name}, line {ev['line']}" if ev.get("line") is not None else name


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1] + "…"


def findings(found: Iterable[Mapping[str, Any]], names: Mapping[str, Mapping[str, Any]] | None = None,
             order: Sequence[str] = ()) -> list[dict[str, Any]]:
    """The view of one trial's findings (dicts with code, status, severity, message, fix, evidence;
    evidence items with at, quote, line, note), in `order` of codes when given."""
    rank = {c: i for i, c in enumerate(order)}
    rows = sorted(found, key=lambda f: (rank.get(f["code"], len(rank)), f["code"]))
    seen: dict[tuple[str, str], str] = {}
    out = []
    for f in rows:
        quotes, own = [], set()
        for ev in f.get("evidence") or ():
            text = _clip(str(ev.get("quote") or ""))
            key = (str(ev.get("at") or ""), text)
            if key in own:
                continue
            own.add(key)
            first = seen.setdefault(key, f["code"])
            quotes.append({"field": field(ev), "quote": text if first == f["code"] else "",
                           "note": ev.get("note") or "", "same_as": "" if first == f["code"] else first})
        crit = {"code": f["code"], "name": f.get("name") or (names or {}).get(f["code"], {}).get("name", "")}
        status = f["status"]
        out.append({"code": f["code"], "title": criterion_title(crit), "name": crit["name"], "status": status,
                    "symbol": SYMBOL.get(status, "?"), "label": LABEL.get(status, status),
                    "severity": f.get("severity") or "", "why_label": WHY.get(status, "Why"),
                    "why": f.get("message") or "", "fix": (f.get("fix") or "") if status in GAPS else "",
                    "quotes": quotes})
    return out
