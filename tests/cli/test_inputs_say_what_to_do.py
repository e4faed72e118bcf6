"""Acceptance tests: inputs the readers cannot use say what they are and what to do (one line, exit 2),
and ISRCTN / EU CTR enrolment text that holds no number is quoted, as ICTRP's is."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import orjson
import pytest

from tests.conftest import REPO, run_cli

EURO = REPO / "tests" / "sources" / "fixtures" / "euro"


def test_an_empty_zip_archive_is_named_as_one(tmp_path: Path) -> None:
    zipfile.ZipFile(tmp_path / "export.zip", "w").close()  # 22 bytes: only the end-of-directory record
    result = run_cli("check", str(tmp_path / "export.zip"), "--isolated")
    assert result.exit_code == 2
    assert result.stderr.strip() == f"trial-audit: {tmp_path / 'export.zip'}: archive contains no files"
    batch = run_cli("batch", str(tmp_path / "export.zip"), "--out", str(tmp_path / "out"), "--jobs", "1", "--isolated")
    assert f"could not read {tmp_path / 'export.zip'}: archive contains no files" in batch.output


def test_a_sheet_with_its_own_column_names_says_how_to_map_them(tmp_path: Path) -> None:
    sheet = tmp_path / "extraction.csv"
    sheet.write_text("Study,Name,Participants\nX-1,Back pain trial,120\n", encoding="utf-8")
    result = run_cli("check", str(sheet), "--isolated")
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"trial-audit: {sheet}: a table whose columns (Study, Name, "
                                                   "Participants) are not column names")
    assert "TRIAL_AUDIT_COLUMN_MAP" in lines[0] and "--input-format spreadsheet" in lines[0]
    assert "unknown input format" not in result.stderr


def _enrolment(tmp_path: Path, doc: dict) -> dict:
    path = tmp_path / "record.json"
    path.write_bytes(orjson.dumps(doc))
    result = run_cli("check", str(path), "--select", "SS03", "--format", "json", "--isolated")
    (audit,) = json.loads(result.stdout)["audits"]
    return next(f for f in audit["findings"] if f["code"] == "SS03")


@pytest.mark.parametrize(("registry", "value"), [("isrctn", "To be confirmed"), ("euctr", "not known yet")])
def test_enrolment_text_without_a_number_is_quoted_for_isrctn_and_eu_ctr(tmp_path: Path, registry: str,
                                                                          value: str) -> None:
    if registry == "isrctn":
        doc = json.loads((EURO / "isrctn_ctrdata.json").read_text(encoding="utf-8"))
        doc["participants"]["targetEnrolment"] = value
    else:
        doc = {"ctrname": "EUCTR", "a2_eudract_number": "2019-000111-22", "a1_member_state_concerned": "Italy - AIFA",
               "a3_full_title_of_the_trial": "A randomised trial", "f422_in_the_whole_clinical_trial": value}
    finding = _enrolment(tmp_path, doc)
    assert finding["status"] == "unclear"
    assert [e["quote"] for e in finding["evidence"]] == [value]
    assert "not a number" in finding["evidence"][0]["note"]


@pytest.mark.parametrize("studies", [3, 400])  # parsed whole, and study by study (a website download)
def test_a_json_file_cut_short_says_so_and_what_to_do(tmp_path: Path, studies: int) -> None:
    from tests.batch.data import study

    whole = orjson.dumps([study(f"NCT9{i:07d}", title="x" * 12_000) for i in range(studies)])
    cut = tmp_path / "ctg-studies.json"
    cut.write_bytes(whole[: len(whole) - 100])
    result = run_cli("check", str(cut), "--isolated")
    assert result.exit_code == 2
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(f"trial-audit: {cut}: not valid JSON"), last
    assert "ends before the JSON does" in last and "download or copy it again" in last, last


def test_a_json_syntax_error_says_where_to_correct_it(tmp_path: Path) -> None:
    broken = tmp_path / "study.json"
    broken.write_text('{"protocolSection": {"identificationModule": {"nctId": "NCT01234567",}}}', encoding="utf-8")
    result = run_cli("check", str(broken), "--isolated")
    assert result.exit_code == 2
    assert result.stderr.strip() == (f"trial-audit: {broken}: not valid JSON at line 1 column 69: trailing comma is "
                                     "not allowed; correct the file there (or download it again)")


def _cut(data: bytes, keep: float) -> bytes:
    return data[: int(len(data) * keep)]


@pytest.mark.parametrize(("name", "make", "what"), [
    ("NCT00001177.xml", lambda d: _cut(d, 0.5), "not well-formed XML"),
    ("studies.zip", lambda d: _cut(_zipped(d), 0.5), "broken zip archive"),
    ("study.json.gz", lambda d: _cut(__import__("gzip").compress(d), 0.5), "broken gzip file"),
])
def test_an_export_cut_short_says_so_and_what_to_do(tmp_path: Path, name: str, make, what: str) -> None:
    xml = (REPO / "tests" / "sources" / "fixtures").rglob("*.xml")
    source = next(p for p in xml if b"<clinical_study" in p.read_bytes()[:2000])
    path = tmp_path / name
    path.write_bytes(make(source.read_bytes()))
    result = run_cli("check", str(path), "--isolated")
    assert result.exit_code == 2
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(f"trial-audit: {path}: {what}: "), last
    assert "cut short" in last and "download or copy it again" in last, last


def _zipped(data: bytes) -> bytes:
    import io

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for n in range(3):
            archive.writestr(f"NCT{n}.xml", data)
    return buf.getvalue()


def test_a_file_read_with_the_wrong_input_format_says_what_it_looks_like(tmp_path: Path) -> None:
    """--input-format ctgov-v2 on a legacy XML file said 'not valid JSON ... correct the file there': the
    file is fine, the option is wrong."""
    xml = next(p for p in (REPO / "tests" / "sources" / "fixtures").rglob("*.xml")
               if b"<clinical_study" in p.read_bytes()[:2000])
    result = run_cli("check", str(xml), "--input-format", "ctgov-v2", "--isolated")
    assert result.exit_code == 2
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"trial-audit: {xml}: it looks like ctgov-xml, not ctgov-v2 (--input-format): leave "
                           "--input-format out or give ctgov-xml; read as ctgov-v2: not valid JSON"), line
