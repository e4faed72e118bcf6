"""The reviewer's report (issue 14) without a browser: the review's numbers, compliance shares of the
trials a criterion applies to, the gap map's scale, axis titles, names in words, registry links,
the trial panel's quotes, figures/ matching summary.json, and the one-record page."""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

import orjson
import pytest
from click.testing import CliRunner

from auditor import batch
from auditor.cli import main
from auditor.engine import profiles
from auditor.report import charts, trialview
from auditor.report.labels import category, criterion_title, registry_link
from tests.batch.data import study, write_corpus

PAYLOAD = '<img src=x onerror="document.body.dataset.xss=1">'


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("pages")
    write_corpus(root / "in", files=4, per_file=3)
    (root / "in" / "old.json").write_bytes(orjson.dumps({"studies": [study("NCT77777770", start="2012-05", title=PAYLOAD)]}))
    batch.run([str(root / "in")], root / "out", profiles.load(), jobs=1)
    return root / "out"


def _summary(out: Path) -> dict[str, Any]:
    return orjson.loads((out / "summary.json").read_bytes())


def test_the_review_numbers_come_first(out: Path) -> None:
    store = _summary(out)["store"]
    assert store["trials"] == 13 and store["registries"] == 1
    assert store["start_years"] == {"first": 2012, "last": 2019, "unknown": 0}
    page = (out / "report.html").read_text(encoding="utf-8")
    numbers = page.index("The review's numbers")
    assert numbers < page.index("Compliance per criterion") and "2012–2019" in page and "<b>13</b>trials" in page


def test_compliance_bars_are_shares_of_the_trials_it_applies_to() -> None:
    crit = [{"code": "AE03", "name": "safety.results-reported", "met": 3, "not_met": 1, "unclear": 0,
             "not_applicable": 96}]
    svg = str(charts.compliance_svg(crit))
    widths = [float(w) for w in re.findall(r'<rect x="[\d.]+" y="\d+" width="([\d.]+)" height="16" fill', svg)]
    assert widths == [pytest.approx(470 * 3 / 4, abs=0.1), pytest.approx(470 / 4, abs=0.1)]  # n/a is not drawn
    assert "75% met of 4 · n/a 96" in svg and ">75%<" in svg
    row = charts.compliance_rows(crit)[0]
    assert row["applicable"] == 4 and row["met_share"] == 0.75 and row["criterion"] == "AEs reported with results"


def test_gap_map_scale_makes_gaps_stand_out_and_cells_carry_counts(out: Path) -> None:
    def darkness(color: str) -> int:
        return 765 - sum(int(color[i:i + 2], 16) for i in (1, 3, 5))

    assert darkness(charts.gap_color(0.0)[0]) > darkness(charts.gap_color(0.5)[0]) > darkness(charts.gap_color(1.0)[0])
    page = (out / "report.html").read_text(encoding="utf-8")
    gap = page[page.index('id="gap-map"'):page.index('id="hist-enrollment"')]
    assert "Cognitive behavioural therapy" in gap and "0 / 13</b> (0%)" in gap  # FU01: nobody 12 months after
    assert list(_summary(out)["gap_map"]["codes"]) == ["FU01", "QL01", "AE01", "SS02"]  # the profile's gap_map
    assert '<td>Cognitive behavioural therapy <small class="muted">cognitive_behavioural_therapy</small>' in gap


def test_distributions_have_axis_titles(out: Path) -> None:
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "Registered sample size (participants)</text>" in page and ">Trials</text>" in page
    assert "Latest assessment after the end of treatment (weeks)</text>" in page


def test_names_in_words_with_codes_beside() -> None:
    assert category("cognitive_behavioural_therapy") == "Cognitive behavioural therapy"
    assert category("new_kind") == "New kind"
    assert criterion_title({"code": "FU01", "name": "follow-up.long-term"}).startswith("Follow-up ≥ 12 months")
    assert criterion_title({"code": "XX01", "name": "my-group.some-thing"}) == "Some thing"


def test_registry_links_are_plain_http_addresses_or_none() -> None:
    assert registry_link("https://clinicaltrials.gov/study/NCT01234567") == "https://clinicaltrials.gov/study/NCT01234567"
    for bad in ("javascript:alert(1)", 'https://x.org/"onmouseover="a', "//evil", "data:text/html,x", "", None):
        assert registry_link(bad) is None


def test_trial_panel_quotes_carry_their_field_and_note_once() -> None:
    ev = {"at": "/protocolSection/designModule/enrollmentInfo/count", "quote": "41", "line": None, "note": "registered enrollment"}
    found = [{"code": "SS02", "status": "not_met", "severity": "error", "message": "20.5 per arm", "fix": "recruit", "evidence": [ev]},
             {"code": "SS01", "status": "not_met", "severity": "error", "message": "20.5 per arm", "fix": "recruit",
              "evidence": [ev, ev]},
             {"code": "SC02", "status": "met", "severity": "error", "message": "Allocation is randomised.", "fix": "x",
              "evidence": []}]
    view = trialview.findings(found, order=["SC02", "SS01", "SS02"])
    assert [f["code"] for f in view] == ["SC02", "SS01", "SS02"]
    assert view[0]["fix"] == "" and view[0]["why_label"] == "Why met" and view[1]["why_label"] == "Why not met"
    assert view[1]["quotes"] == [{"field": "`count`", "quote": "41", "note": "registered enrollment", "same_as": ""}]
    assert view[2]["quotes"] == [{"field": "`count`", "quote": "", "note": "registered enrollment", "same_as": "SS01"}]


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_figures_csvs_match_the_summary(out: Path) -> None:
    doc = _summary(out)
    figures = out / "figures"
    for name in ("compliance", "gap_map", "enrollment", "follow_up"):
        assert (figures / f"{name}.svg").read_text(encoding="utf-8").startswith("<?xml")
    comp = {r["code"]: r for r in _rows(figures / "compliance.csv")}
    for c in doc["criteria"]:
        for s in ("met", "not_met", "unclear", "not_applicable", "applicable"):
            assert int(comp[c["code"]][s]) == c[s], (c["code"], s)
    gap = _rows(figures / "gap_map.csv")
    expected = [(r["category"], code, r["cells"][code]["met"]) for r in doc["gap_map"]["rows"] for code in doc["gap_map"]["codes"]]
    assert [(r["category"], r["code"], int(r["met"])) for r in gap] == expected
    hist = _rows(figures / "enrollment.csv")
    assert [(r["bin"], int(r["trials"])) for r in hist] == [(b["bin"], b["count"]) for b in doc["distributions"]["enrollment"]]


def test_check_format_html_is_the_per_trial_view(tmp_path: Path) -> None:
    record = tmp_path / "evil.json"
    record.write_bytes(orjson.dumps({"studies": [study("NCT77777771", title=PAYLOAD)]}))
    result = CliRunner().invoke(main, ["check", str(record), "--format", "html", "-o", str(tmp_path / "t.html")])
    assert result.exit_code == 1, result.output
    page = (tmp_path / "t.html").read_text(encoding="utf-8")
    assert "<img" not in page and "&lt;img src=x" in page  # registry text stays text
    assert "<script" not in page and 'href="https://clinicaltrials.gov/study/NCT77777771"' in page
    assert "Why not met</b>:" in page and "from `count`" in page and "Fix:" in page
    assert "SS01 ≥ 50 per arm" in page and "(the same text as quoted under SS01)" in page


@pytest.mark.parametrize(("conflicts", "errors", "expected"), [
    (1, 1, "1 trial whose copies disagree somewhere (table <code>conflicts</code>). "
           "1 record or file could not be read (errors.csv). Run "),
    (3, 2, "3 trials whose copies disagree somewhere (table <code>conflicts</code>). "
           "2 records or files could not be read (errors.csv). Run "),
    (0, 2, "2 records or files could not be read (errors.csv). Run ")])
def test_the_numbers_paragraph_keeps_its_sentences_apart(out: Path, conflicts: int, errors: int, expected: str) -> None:
    from auditor.report import html

    doc = _summary(out)
    doc["store"] = {**doc["store"], "trials_with_conflicts": conflicts, "errors": errors}
    page = html.render(doc, doc["profile"], doc["run"], [])
    numbers = page.split('<section id="numbers">', 1)[1].split("</section>", 1)[0]
    assert expected in " ".join(numbers.split())


def test_a_subgroup_page_says_it_is_a_subgroup(out: Path, tmp_path: Path) -> None:
    """`report --where` wrote a page that looked like the whole review's ("The review's numbers: 1 trials")."""
    from auditor.batch import review

    review.report(out, tmp_path / "sub", ["start_year < 2015", "enrollment > 0"], 100)
    page = (tmp_path / "sub" / "report.html").read_text(encoding="utf-8")
    assert "<title>trial-audit batch report (subgroup):" in page
    note = page.split('id="subgroup"', 1)[1].split("</p>", 1)[0]
    assert "<code>start_year &lt; 2015 and enrollment &gt; 0</code>" in note and "counts these trials only" in note
    assert 'id="subgroup"' not in (out / "report.html").read_text(encoding="utf-8")
