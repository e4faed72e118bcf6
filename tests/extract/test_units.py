"""Every spelling of a time quantity in tests/extract/cases/units.yaml converts to the stated weeks."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from auditor.extract.text import NUM, UNIT_ALL, number, unit_of, weeks

CASES: list[dict[str, Any]] = yaml.safe_load((Path(__file__).parent / "cases" / "units.yaml").read_text("utf-8"))
QUANTITY = re.compile(rf"(?P<n>{NUM})\s*-?\s*(?P<u>{UNIT_ALL})\b", re.I)


@pytest.mark.parametrize("case", CASES, ids=[c["text"] for c in CASES])
def test_quantity(case: dict[str, Any]) -> None:
    m = QUANTITY.fullmatch(case["text"])
    assert m, case["text"]
    assert weeks(number(m.group("n")), unit_of(m.group("u"))) == pytest.approx(case["weeks"], abs=0.01)


def test_unknown_unit_is_an_error() -> None:
    with pytest.raises(ValueError):
        unit_of("lightyears")


def test_lowered_matches_like_ignorecase() -> None:
    """A lower-case ASCII letter matches lowered(c) exactly when re.IGNORECASE matches it to c."""
    from auditor.extract.text import lowered

    chars = [chr(i) for i in range(0x20, 0x250)] + [chr(i) for i in range(0x370, 0x400)] + ["\u212a", "\u2126"]
    for letter in "abcdefghijklmnopqrstuvwxyz":
        ignorecase = re.compile(letter, re.IGNORECASE)
        for c in chars:
            assert (lowered(c) == letter) is bool(ignorecase.fullmatch(c)), (letter, c)
    assert lowered("SİX WEEKS of ſessions") == "six weeks of sessions"
    assert len(lowered("İstanbul")) == len("İstanbul")
