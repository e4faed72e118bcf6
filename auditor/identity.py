"""Trial identity: registry ids normalised, so that copies of one trial can be linked.

A record states its primary id (`TrialRecord.trial_id`) and the secondary ids it lists (ICTRP
`SecondaryIDs`, CT.gov `secondaryIdInfos` / `orgStudyIdInfo`, EudraCT and CTIS numbers, ...).
`record_ids` turns them into canonical registry ids, primary first:

- an id is recognised by its registry's pattern anywhere in the text (`"EudraCT 2020-001234-56"`,
  `"nct 01234567"`, ICTRP's `EUCTR2020-001234-56-DE` with its member-state suffix) and written the
  one way (`EUCTR2020-001234-56`, `NCT01234567`, `UMIN000012345` with or without `JPRN-`);
- the primary id is kept even when no pattern knows it (upper-cased, spaces removed), so two copies
  of a spreadsheet row still link; an unrecognised *secondary* id is not used for linking: sponsors'
  protocol numbers ("001", "Protocol 1") are not unique across sponsors.

Records that share a canonical id are one trial, transitively (`auditor.batch.trials`).
Imports nothing of the package: `check` and the batch worker both use it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# (canonical prefix, pattern); group "id" is the canonical id's body after the prefix. Order
# matters only where patterns overlap: CTIS numbers (YYYY-5NNNNN-NN-NN) before EudraCT ones.
_PATTERNS: tuple[tuple[str, str], ...] = (
    ("NCT", r"\bNCT[\s-]*(?P<id>\d{8})\b"),
    ("CTIS", r"(?:\bCTIS[\s:-]*|\b)(?P<id>(?:19|20)\d{2}-5\d{5}-\d{2}-\d{2})\b"),
    ("EUCTR", r"(?:\bEUCTR[\s:-]*|\bEudraCT[\s:#-]*(?:n(?:o|umber)\.?[\s:]*)?|\b)(?P<id>(?:19|20)\d{2}-\d{6}-\d{2})"
              r"(?!-\d)(?:-[A-Z]{2,3}\b)?"),
    ("ISRCTN", r"\bISRCTN[\s-]*(?P<id>\d{8})\b"),
    ("ACTRN", r"\bACTRN[\s-]*(?P<id>\d{14})\b"),
    ("ChiCTR", r"\bChiCTR(?P<id>(?:-[A-Z]{2,4})*-?\d{8,10})\b"),
    ("DRKS", r"\bDRKS[\s-]*(?P<id>\d{8})\b"),
    ("CTRI/", r"\bCTRI/(?P<id>\d{4}/\d{2,3}/\d{6})\b"),
    ("IRCT", r"\bIRCT(?P<id>\d{6,}N\d+|\d{8,})\b"),
    ("UMIN", r"\b(?:JPRN-)?UMIN(?P<id>\d{9})\b"),
    ("jRCT", r"\b(?:JPRN-)?jRCT(?P<id>[sb]\d{9}|\d{10})\b"),  # jRCTs031190226, jRCT2071210009
    ("JapicCTI-", r"\b(?:JPRN-)?JapicCTI-(?P<id>\d{6})\b"),
    ("KCT", r"\bKCT(?P<id>\d{7})\b"),
    ("PACTR", r"\bPACTR(?P<id>\d{15,16})\b"),
    ("NTR", r"\bNTR(?P<id>\d{1,5})\b"),
    ("NL", r"\bNL(?P<id>\d{4,5})\b"),
    ("NL-OMON", r"\bNL-OMON(?P<id>\d+)\b"),
    ("TCTR", r"\bTCTR(?P<id>\d{11})\b"),
    ("RBR-", r"\bRBR-(?P<id>[0-9a-z]{6,8})\b"),
    ("RPCEC", r"\bRPCEC(?P<id>\d{8})\b"),
    ("PER-", r"\bPER-(?P<id>\d{3}-\d{2})\b"),
    ("SLCTR/", r"\bSLCTR/(?P<id>\d{4}/\d{3})\b"),
    ("LBCTR", r"\bLBCTR(?P<id>\d{10})\b"),
    ("ITMCTR", r"\bITMCTR(?P<id>\d{10,})\b"),
)
_COMPILED = tuple((prefix, re.compile(pattern, re.IGNORECASE)) for prefix, pattern in _PATTERNS)
# Every pattern but these two needs its prefix in the text (case aside); CTIS and EudraCT numbers
# are also recognised bare. An id text usually names one registry, so in ASCII text (where
# lower() is exactly re.IGNORECASE's folding) a pattern whose prefix is absent is not tried:
# 24 searches per id were ~40 us a record in `batch`, where every record's ids are computed.
_BARE = ("CTIS", "EUCTR")
_NEEDS = tuple(None if prefix in _BARE else prefix.lower() for prefix, _ in _PATTERNS)
_CASE_KEPT = ("RBR-",)  # ReBec ids are case-sensitive base-36 strings
_LOWER = ("jRCT",)  # jRCT writes its letter small (jRCTs031190226), as its pages' addresses do

_URLS = (
    ("NCT", "https://clinicaltrials.gov/study/{id}"),
    ("ISRCTN", "https://www.isrctn.com/{id}"),
    ("EUCTR", "https://www.clinicaltrialsregister.eu/ctr-search/search?query={body}"),
    ("CTIS", "https://euclinicaltrials.eu/search-for-clinical-trials/?lang=en&EUCT={body}"),
    ("ACTRN", "https://www.anzctr.org.au/TrialSearch.aspx?searchTxt={id}"),
    ("DRKS", "https://drks.de/search/en/trial/{id}"),
    ("jRCT", "https://jrct.niph.go.jp/latest-detail/{id}"),  # the address ICTRP's web_address gives
)
ICTRP_URL = "https://trialsearch.who.int/Trial2.aspx?TrialID={id}"
# The register a trial id belongs to, by its prefix, in the names ICTRP gives registers (its
# exports without a Source_Register column, and spreadsheet rows without a registry column).
REGISTER_PREFIXES = (
    ("NCT", "ClinicalTrials.gov"), ("ChiCTR", "ChiCTR"), ("ISRCTN", "ISRCTN"), ("ACTRN", "ANZCTR"),
    ("EUCTR", "EU Clinical Trials Register"), ("CTIS", "Clinical Trials Information System"),
    ("IRCT", "IRCT"), ("JPRN", "JPRN"), ("DRKS", "German Clinical Trials Register"), ("NTR", "Netherlands Trial Register"),
    ("NL-OMON", "NL-OMON"), ("TCTR", "TCTR"), ("KCT", "CRIS"), ("CTRI", "CTRI"), ("PACTR", "PACTR"),
    ("SLCTR", "SLCTR"), ("RBR", "ReBec"), ("RPCEC", "RPCEC"), ("PER", "REPEC"), ("LBCTR", "LBCTR"),
    ("ITMCTR", "ITMCTR"),
)
# Registers trial-audit reads directly: the registry name their own readers give records, so that a
# spreadsheet row of NCT01234567 counts under ClinicalTrials.gov beside the registry's records.
OWN_READER_NAMES = {"EU Clinical Trials Register": "EU CTR", "Clinical Trials Information System": "CTIS"}


def _canonical(prefix: str, body: str) -> str:
    if prefix in _LOWER:
        body = body.lower()
    elif prefix not in _CASE_KEPT:
        body = body.upper()
    return prefix + body.replace(" ", "")


def registry_ids(text: str) -> list[str]:
    """Every registry id recognised in `text`, canonical, in order of appearance, without repeats."""
    found: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []
    low = text.lower() if text.isascii() else None
    for (prefix, pattern), needs in zip(_COMPILED, _NEEDS, strict=True):
        if low is not None and needs is not None and needs not in low:
            continue  # cannot match: the prefix it starts with is not in the text
        for m in pattern.finditer(text):
            span = m.span()
            if any(span[0] < end and start < span[1] for start, end in taken):
                continue  # a CTIS number is not also an EudraCT number
            taken.append(span)
            found.append((span[0], _canonical(prefix, m["id"])))
    return list(dict.fromkeys(i for _, i in sorted(found)))


def _plain(value: str) -> str:
    return re.sub(r"\s+", "", value).upper()


def record_ids(trial_id: str | None, secondary_ids: Iterable[str]) -> list[str]:
    """A record's canonical ids, its primary id first (see the module docstring)."""
    ids: list[str] = []
    if trial_id and trial_id.strip():
        ids += registry_ids(trial_id) or [_plain(trial_id)]
    for text in secondary_ids:
        ids += registry_ids(text)
    return list(dict.fromkeys(ids))


def register_of(trial_id: str) -> str | None:
    """The register a trial id belongs to, by its prefix, in ICTRP's names (None if unknown)."""
    upper = trial_id.strip().upper()
    return next((register for prefix, register in REGISTER_PREFIXES if upper.startswith(prefix.upper())), None)


def registry_of(trial_id: str | None) -> str | None:
    """The registry a record of `trial_id` would have if read from the registry itself; None unless a
    registry's id pattern knows the id (a sheet's local "PERF-01" is no Peruvian REPEC number)."""
    register = register_of(trial_id) if trial_id and registry_ids(trial_id) else None
    return OWN_READER_NAMES.get(register, register) if register else None


def registry_url(canonical_id: str | None) -> str | None:
    """The registry page of a canonical id (the WHO ICTRP search portal for other registries)."""
    if not canonical_id:
        return None
    for prefix, template in _URLS:
        if canonical_id.startswith(prefix):
            return template.format(id=canonical_id, body=canonical_id[len(prefix):])
    if any(canonical_id.startswith(prefix) for prefix, _ in _PATTERNS):
        return ICTRP_URL.format(id=canonical_id)
    return None
