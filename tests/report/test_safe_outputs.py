"""Issue 11: every output format neutralises hostile registry text (and hostile file names)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import orjson
import pytest

from auditor import pipeline
from auditor.engine import profiles
from auditor.report import REPORTERS, safe
from tests.hostile import HOSTILE_TEXTS, hostile_study

CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("hostile")
    page = {"studies": [hostile_study(f"NCT9300{i:04d}", t) for i, t in enumerate(HOSTILE_TEXTS)]}
    (root / "page\x1b[2J.json").write_bytes(orjson.dumps(page))
    (root / "broken\n::error::x.json").write_bytes(b"{")
    profile = profiles.load()
    rep, _ = pipeline.check([str(root)], profile, "error")
    return rep, profile


@pytest.mark.parametrize("fmt", sorted(REPORTERS))
def test_no_format_passes_control_characters(report, fmt: str) -> None:
    rep, profile = report
    text = REPORTERS[fmt](rep, profile)
    assert not CONTROL.search(text.replace("\n", "").replace("\t", ""))
    assert "\x1b" not in text


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_no_line_starts_a_workflow_command(report, fmt: str) -> None:
    rep, profile = report
    assert not [line for line in REPORTERS[fmt](rep, profile).splitlines() if line.lstrip().startswith("::")]


def test_github_annotations_are_one_line_each(report) -> None:
    rep, profile = report
    for line in REPORTERS["github"](rep, profile).splitlines():
        assert line.startswith("::") or " audited" in line
    assert "\n::error file=x::injected" not in REPORTERS["github"](rep, profile)


def test_markdown_escapes_html_and_links(report) -> None:
    rep, profile = report
    text = REPORTERS["markdown"](rep, profile)
    assert "<img" not in text and "&lt;img src=x onerror=alert(1)&gt;" in text
    assert "[click](javascript" not in text


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_json_formats_keep_text_as_data(report, fmt: str) -> None:
    rep, profile = report
    doc = json.loads(REPORTERS[fmt](rep, profile))
    assert doc  # valid JSON: control characters escaped by the encoder


def test_csv_cells_and_sql_follow_the_owasp_rule() -> None:
    for text in ("=1+1", "+1", "-1", "@x", "\tx", "\rx"):
        assert safe.csv_cell(text) == "'" + text
    assert safe.csv_cell("ok =1") == "ok =1"


def test_html_report_escapes_registry_text(tmp_path: Path) -> None:
    from auditor import batch

    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "page.json").write_bytes(orjson.dumps(
        {"studies": [hostile_study(f"NCT9300{i:04d}", t) for i, t in enumerate(HOSTILE_TEXTS)]}))
    (inputs / "broken\x1b[31m\u202e.json").write_bytes(b"{")
    batch.run([str(inputs)], tmp_path / "out", profiles.load(), jobs=1)
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "<img src=x" not in page
    findings = (tmp_path / "out" / "findings.csv").read_text(encoding="utf-8")
    assert not re.search(r"(^|,)[=+@]", findings, re.MULTILINE)
    # The page's script inserts the embedded trials into the document: no control character or
    # bidi override may travel in them (escaped in the JSON text is not enough).
    embedded = json.loads(re.search(r'<script type="application/json" id="data">(.*?)</script>', page, re.S)[1])
    assert "NCT93000000" in json.dumps(embedded)
    assert not [text for text in _strings(embedded) if CONTROL.search(text.replace("\n", ""))]
    for name in ("records", "trials", "findings", "errors"):
        exported = (tmp_path / "out" / f"{name}.csv").read_text(encoding="utf-8")
        assert not CONTROL.search(exported.replace("\n", "").replace("\r", "")), name
    assert "broken[31m.json" in (tmp_path / "out" / "errors.csv").read_text(encoding="utf-8")


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (*_strings(k), *_strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def test_error_lines_on_stderr_are_one_line(tmp_path: Path) -> None:
    from tests.conftest import run_cli

    bad = tmp_path / "bad\n::error::x\x1b[2J.json"
    bad.write_bytes(b"{")
    result = run_cli("check", str(bad))
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if line]
    assert len(lines) == 1 and "\x1b" not in lines[0] and not lines[0].startswith("::")


def test_the_csv_exports_drop_exactly_what_text_drops() -> None:
    import duckdb

    # Every code point of the ranges the two patterns name, and their neighbours.
    chars = "".join(chr(c) for c in [*range(0x250), *range(0x2000, 0x2100), *range(0xFEF0, 0xFF10)])
    (exported,) = duckdb.connect().execute(f"SELECT {safe.csv_sql('x')} FROM (SELECT ? AS x)", ["a" + chars]).fetchone()
    assert exported == safe.csv_cell(safe.text("a" + chars))


@pytest.mark.parametrize("text, shown", [
    ("line 3, `weeks` of time_points item 2", "line 3, `weeks` of time\\_points item 2"),
    ("`a`b` of <img src=x> [x](javascript:1)", "`a`b\\` of &lt;img src=x&gt; \\[x\\](javascript:1)"),
    ("# `x` ``", "\\# `x` \\`\\`"),
    ("`a|b\x1b[2J`", "`a|b[2J`"),
])
def test_markdown_code_spans_of_the_tool_stay_code_and_nothing_else_is_markup(text: str, shown: str) -> None:
    assert safe.markdown_with_code(text) == shown
