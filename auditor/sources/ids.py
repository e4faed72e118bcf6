"""Registry ids in one spelling each, so that copies of a trial can be linked by id.

| id | normalised form | accepted spellings |
|---|---|---|
| EudraCT number | ``2022-002568-62`` | ``EUCTR2022-002568-62``, ``EudraCT 2022-002568-62``, ``2022-002568-62-ES`` (member-state copy) |
| EU CT (CTIS) number | ``2023-505613-24-00`` | ``CTIS2023-505613-24-00``, ``EU CT 2023-505613-24-00`` |
| ISRCTN | ``ISRCTN96912679`` | ``96912679``, ``ISRCTN 96912679`` |
| ClinicalTrials.gov | ``NCT01727609`` | ``nct01727609`` |

A member-state copy of an EU CTR record is named ``EUCTR<EudraCT number>-<country code>``, the form
WHO ICTRP uses for it (``EUCTR2021-000037-14-ES``). Placeholders registries print for "none"
(``Nil known``, ``N/A``) are no id.
"""

from __future__ import annotations

import re

_EUDRACT = re.compile(r"(?<!\d)(\d{4}-\d{6}-\d{2})(?!-\d{2})(?:-([A-Z]{2}|3RD))?(?![\d-])")
_CTIS = re.compile(r"(?<!\d)(\d{4}-5\d{5}-\d{2}-\d{2})(?!\d)")
_ISRCTN = re.compile(r"^\s*(?:ISRCTN\s*)?(\d{8})\s*$", re.IGNORECASE)
_NCT = re.compile(r"\bNCT\s*(\d{8})\b", re.IGNORECASE)
_NONE = re.compile(r"^\s*(?:nil\s*known|n/?a|none|not\s+applicable|-+|\.)?\s*$", re.IGNORECASE)

# EU CTR names member states "Spain - AEMPS"; its links and ctrdata's ids use these codes
# (EU CTR writes GR for Greece and GB for the United Kingdom; "Outside EU/EEA" is 3RD).
MEMBER_STATES = {
    "austria": "AT", "belgium": "BE", "bulgaria": "BG", "croatia": "HR", "cyprus": "CY", "czech republic": "CZ",
    "czechia": "CZ", "denmark": "DK", "estonia": "EE", "finland": "FI", "france": "FR", "germany": "DE",
    "greece": "GR", "hungary": "HU", "iceland": "IS", "ireland": "IE", "italy": "IT", "latvia": "LV",
    "liechtenstein": "LI", "lithuania": "LT", "luxembourg": "LU", "malta": "MT", "netherlands": "NL",
    "norway": "NO", "poland": "PL", "portugal": "PT", "romania": "RO", "slovakia": "SK", "slovenia": "SI",
    "spain": "ES", "sweden": "SE", "united kingdom": "GB", "outside eu/eea": "3RD",
}


def placeholder(value: str) -> bool:
    """Whether a registry id field says "none" rather than giving an id."""
    return _NONE.match(value) is not None


def eudract(value: str) -> str | None:
    """The EudraCT number in a text (``EUCTR2022-002568-62-ES`` -> ``2022-002568-62``)."""
    match = _EUDRACT.search(value)
    return match.group(1) if match else None


def ctis(value: str) -> str | None:
    match = _CTIS.search(value)
    return match.group(1) if match else None


def isrctn(value: str) -> str | None:
    match = _ISRCTN.match(value)
    return f"ISRCTN{match.group(1)}" if match else None


def nct(value: str) -> str | None:
    match = _NCT.search(value)
    return f"NCT{match.group(1)}" if match else None


def member_state_code(name: str) -> str | None:
    """``Spain - AEMPS`` -> ``ES``; None for a name not in the list."""
    country = name.split(" - ")[0].strip().lower()
    return MEMBER_STATES.get(country)


def copy_id(number: str, code: str | None) -> str | None:
    """The id of one member-state copy of an EU CTR trial, as ICTRP spells it."""
    return f"EUCTR{number}-{code}" if code else None


def normalise(value: str) -> str | None:
    """One id in its normalised form (CTIS before EudraCT: a CTIS number contains an EudraCT-like
    prefix); an unknown kind of id is kept as written, a placeholder is dropped."""
    if placeholder(value):
        return None
    return ctis(value) or eudract(value) or isrctn(value) or nct(value) or value.strip()


def unique(values: list[str | None], exclude: str | None = None) -> list[str]:
    """Normalised ids in order of appearance, without repeats, placeholders or the record's own id."""
    seen: list[str] = []
    for value in values:
        if not value:
            continue
        norm = normalise(value)
        if norm and norm != exclude and norm not in seen:
            seen.append(norm)
    return seen
