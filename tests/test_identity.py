"""Registry ids: every spelling of one id becomes one canonical id; sponsors' numbers are not ids."""

from __future__ import annotations

import pytest

from auditor import identity
from auditor.identity import record_ids, registry_ids, registry_url


@pytest.mark.parametrize(("text", "expected"), [
    ("NCT01234567", ["NCT01234567"]),
    ("nct 01234567", ["NCT01234567"]),
    ("EUCTR2020-001234-56-DE", ["EUCTR2020-001234-56"]),
    ("EudraCT number: 2020-001234-56", ["EUCTR2020-001234-56"]),
    ("2020-001234-56", ["EUCTR2020-001234-56"]),
    ("2023-501234-12-00", ["CTIS2023-501234-12-00"]),
    ("ISRCTN 12345678", ["ISRCTN12345678"]),
    ("ACTRN12620000123456", ["ACTRN12620000123456"]),
    ("ChiCTR2000029975", ["ChiCTR2000029975"]), ("ChiCTR-TRC-12002345", ["ChiCTR-TRC-12002345"]),
    ("DRKS00012345", ["DRKS00012345"]),
    ("JPRN-UMIN000040188", ["UMIN000040188"]), ("UMIN000040188", ["UMIN000040188"]),
    ("JPRN-jRCT2031190123", ["jRCT2031190123"]),
    ("CTRI/2020/04/024000", ["CTRI/2020/04/024000"]),
    ("IRCT20200402046981N1", ["IRCT20200402046981N1"]),
    ("NCT01234567; EudraCT 2019-000111-22", ["NCT01234567", "EUCTR2019-000111-22"]),
    ("R01 HL123456", []), ("Protocol 1", []), ("15-2433", []),
])
def test_registry_ids_are_recognised_and_written_one_way(text: str, expected: list[str]) -> None:
    assert registry_ids(text) == expected


def test_record_ids_keep_the_primary_id_first_and_an_unknown_primary_id_too() -> None:
    assert record_ids("NCT01234567", ["ABC-001", "EudraCT 2019-000111-22", "NCT01234567"]) == [
        "NCT01234567", "EUCTR2019-000111-22"]
    assert record_ids("my trial 7", ["R01 HL1"]) == ["MYTRIAL7"]
    assert record_ids(None, []) == []


def test_registry_urls() -> None:
    assert registry_url("NCT01234567") == "https://clinicaltrials.gov/study/NCT01234567"
    assert registry_url("ChiCTR2000029975") == "https://trialsearch.who.int/Trial2.aspx?TrialID=ChiCTR2000029975"
    assert registry_url("MYTRIAL7") is None


@pytest.mark.parametrize(("trial_id", "registry"), [
    ("NCT01234567", "ClinicalTrials.gov"), (" isrctn12345678", "ISRCTN"), ("EUCTR2020-001234-56-DE", "EU CTR"),
    ("CTIS2023-501234-12-00", "CTIS"), ("ACTRN12620000123456", "ANZCTR"), ("ChiCTR2000012345", "ChiCTR"),
    ("Protocol 7", None), ("PERF-01", None), ("NTR-local", None), ("", None), (None, None),
])
def test_registry_of_names_the_registry_as_its_own_reader_does(trial_id: str | None, registry: str | None) -> None:
    assert identity.registry_of(trial_id) == registry
