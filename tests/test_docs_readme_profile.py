"""The README's "Writing a profile" example does what it says: a follow-up threshold of 26 weeks,
with every message, the fix and the recommendation worded for it (a key given in an extending
profile replaces the parent's whole, so an example that gives only `met_when` judged 30 weeks met
and said "(>= 52)")."""

from __future__ import annotations

import re
from pathlib import Path

import orjson

from auditor import pipeline
from auditor.engine import profiles

ROOT = Path(__file__).resolve().parents[1]


def _example() -> dict:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Writing a profile\n", 1)[1].split("\n## ", 1)[0]
    return orjson.loads(re.search(r"```json\n(.*?)\n```", section, re.S).group(1))


def test_the_example_profile_speaks_of_its_own_threshold(tmp_path: Path) -> None:
    path = tmp_path / "my-review.json"
    path.write_bytes(orjson.dumps(_example()))
    profile = profiles.load(str(path))
    assert "IN01" not in [c.code for c in profile.criteria]
    # A protocol whose latest assessment is 32 weeks after 8 weeks of treatment: met at 26, not at 52.
    protocol = (ROOT / "examples" / "protocols" / "gappy.yaml").read_text(encoding="utf-8")
    assert "- {weeks: 26}" in protocol
    target = tmp_path / "protocol.yaml"
    target.write_text(protocol.replace("- {weeks: 26}", "- {weeks: 40}").replace("8 weeks and 26 weeks", "8 weeks and 40 weeks"),
                      encoding="utf-8")
    audit = next(iter(pipeline.audits([str(target)], profile)))
    fu01 = next(f for f in audit.findings if f.code == "FU01")
    assert fu01.status == "met", fu01.message
    assert "32 weeks after the end of treatment (>= 26)" in fu01.message
    raw = next(c for c in _example()["criteria"] if c["code"] == "FU01")
    assert "52" not in orjson.dumps(raw).decode() and "12 months" not in orjson.dumps(raw).decode()


def test_the_readme_input_formats_table_names_every_reader() -> None:
    """The README listed 7 of the 11 readers (no EU CTR, CTIS or ctrdata), though `batch` reads them all."""
    from auditor.vocabulary import READER_NAMES

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Input formats\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    named = set(re.findall(r"`([a-z0-9-]+)`", " ".join(line.split("|")[1] for line in rows)))
    assert named == set(READER_NAMES)
