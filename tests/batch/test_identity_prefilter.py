"""identity.registry_ids skips a pattern whose prefix is not in the text: the same ids as trying them all."""

from __future__ import annotations

import re

import pytest

from auditor import identity
from tests.conftest import real_data_dir

ODD = ["nct 01234567", "EudraCT 2020-001234-56", "EUCTR2020-001234-56-DE", "2021-500123-45-00", "jprn-umin000012345",
       "JapicCTI-123456", "ChiCTR-IOR-17012345", "CTRI/2019/05/019245", "IRCT20190101042123N1", "NL-OMON12345 NL1234",
       "RBR-3xyz9k", "per-012-34", "SLCTR/2018/012", "ISRCTN 12345678; DRKS00012345", "ACTRN12619000123456",
       "KCT0001234 TCTR20190101001", "PACTR201901123456789 LBCTR2019010101 ITMCTR2021000001 RPCEC00000123",
       "ſome NCT01234567", "Kelvin \u212aCT0001234", "isrctn\u00a012345678", "ntr123 jrcts031190123", ""]


def _all_patterns(text: str) -> list[str]:
    """registry_ids as it was: every pattern tried."""
    found, taken = [], []
    for prefix, pattern in identity._COMPILED:
        for m in pattern.finditer(text):
            span = m.span()
            if any(span[0] < end and start < span[1] for start, end in taken):
                continue
            taken.append(span)
            found.append((span[0], identity._canonical(prefix, m["id"])))
    return list(dict.fromkeys(i for _, i in sorted(found)))


def _real_id_texts() -> list[str]:
    real = real_data_dir() / "ctgov-v2"
    texts: list[str] = []
    for path in sorted(real.glob("*.json")):
        texts += re.findall(r'"(?:nctId|id|secondaryId|orgStudyId)":\s*"([^"]*)"', path.read_text(encoding="utf-8"))
    return texts


@pytest.mark.parametrize("text", ODD)
def test_the_same_ids_as_trying_every_pattern(text: str) -> None:
    assert identity.registry_ids(text) == _all_patterns(text)


def test_the_same_ids_on_the_real_records() -> None:
    texts = _real_id_texts()
    if not texts:
        pytest.skip("real data not present")
    assert [identity.registry_ids(t) for t in texts] == [_all_patterns(t) for t in texts]


def test_every_pattern_with_a_prefix_needs_it() -> None:
    """The prefilter's premise, read off the pattern sources: outside the bare-number registries
    every alternative of a pattern spells its prefix."""
    for (prefix, source), needs in zip(identity._PATTERNS, identity._NEEDS, strict=True):
        if needs is None:
            assert prefix in identity._BARE
            continue
        assert prefix in source and r"|\b)" not in source, prefix
