"""Generators of hostile inputs, one function per class of issue 11 (all built in tmp_path).

Each returns what it wrote; `hostile_folder` mixes every class with good records for the batch test.
"""

from __future__ import annotations

import gzip
import io
import os
import warnings
import zipfile
from pathlib import Path

import orjson

from tests.batch.data import study

# Registry text that attacks its reader: formula, HTML, markdown, terminal escapes, workflow
# commands, bidi override, newlines.
HOSTILE_TEXTS = (
    "=HYPERLINK(\"http://evil.example\",\"x\")",
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1)) **bold** | cell",
    "title\x1b]0;owned\x07\x1b[31mred\x1b[0m",
    "line one\n::error file=x::injected\r\nline two",
    "abc\u202eevil\u2066",
)


def hostile_study(nct: str, text: str) -> dict:
    doc = study(nct, title=text)
    doc["protocolSection"]["outcomesModule"]["primaryOutcomes"][0]["measure"] = text + " pain (NRS)"
    return doc


def nested_zip(depth: int, payload: bytes, name: str = "s.json") -> bytes:
    """A zip inside a zip ... `depth` levels deep, the innermost holding `payload`."""
    data = payload
    for level in range(depth):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr(name if level == 0 else f"l{level}.zip", data)
        data = buf.getvalue()
    return data


def fan_out_zip(members: int, payload: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for i in range(members):
            z.writestr(f"m{i:05d}.json", payload)
    return buf.getvalue()


def gzip_bomb(size: int) -> bytes:
    return gzip.compress(b" " * size, compresslevel=9)


def csv_dialects() -> dict[str, bytes]:
    """Review sheets in the dialects the reader must get right, and one ragged sheet."""
    header = "NCT ID,Title,Enrollment\n"
    return {
        "rfc4180.csv": (header + 'NCT90000001,"Pain, ""chronic"" and CBT",120\n'
                        'NCT90000002,"Two\nlines",80\n').encode(),
        "semicolon.csv": b"NCT ID;Title;Enrollment\nNCT90000003;CBT, mindfulness;60\n",
        "tab.tsv": b"NCT ID\tTitle\tEnrollment\nNCT90000004\tCBT\t70\n",
        "bom.csv": b"\xef\xbb\xbf" + (header + "NCT90000005,CBT,90\n").encode(),
        "utf16.csv": (header + "NCT90000006,CBT é,90\n").encode("utf-16"),
        "ragged.csv": (header + 'NCT90000007,"unclosed, 40\nNCT90000008,CBT,40,extra\n').encode(),
    }


def huge_numbers() -> dict[str, bytes]:
    return {
        "huge_enrollment.json": orjson.dumps(_with_enrollment(study("NCT90000009"), 1e30)),
        "digits.yaml": b"trial:\n  title: x\n  enrollment: " + b"9" * 5000 + b"\n",
    }


def _with_enrollment(doc: dict, value: float) -> dict:
    doc["protocolSection"]["designModule"]["enrollmentInfo"]["count"] = value
    return doc


def broken_documents() -> dict[str, bytes]:
    truncated = io.BytesIO()
    with zipfile.ZipFile(truncated, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook")
        z.writestr("xl/worksheets/sheet1.xml", "<worksheet><sheetData><row")
    return {
        "unknown_encoding.xml": b'<?xml version="1.0" encoding="x-bogus"?><clinical_study/>',
        "truncated.xlsx": truncated.getvalue(),
        "truncated.json": orjson.dumps([study("NCT90000010")])[:-40],
    }


def file_names(root: Path) -> list[Path]:
    """Names with separators, control characters and bytes that are not UTF-8."""
    payload = orjson.dumps(study("NCT90000011"))
    names = [b"latin1-\xe9t\xe9.json", b"invalid-\xff\xfe.json", b"new\nline.json", b"tab\tand ,comma;.json",
             b"esc\x1b[31m.json", b"quote'\"`.json"]
    written = []
    for i, raw in enumerate(names):
        path = os.path.join(os.fsencode(root), raw)
        data = orjson.dumps(study(f"NCT9100{i:04d}")) if i else payload
        with open(path, "wb") as fh:
            fh.write(data)
        written.append(Path(os.fsdecode(path)))
    return written


# The blob identities the folder's `identity/` part gives (files.input_path name, member, member_dup).
IDENTITY_STUDIES = ("NCT95000001", "NCT95000002", "NCT95000003", "NCT95000004", "NCT95000005", "NCT95000006")


def identity_names(root: Path) -> list[Path]:
    """Names that only a structured blob identity tells apart: `!` in file and member names (the
    origin separator), two zip members of one name, and `x.json` beside `x.json.gz`."""
    root.mkdir(parents=True, exist_ok=True)
    one, two, three, four, five, six = (orjson.dumps(study(n)) for n in IDENTITY_STUDIES)
    (root / "bang!name.json").write_bytes(one)
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # zipfile warns about the duplicate name: that is the point
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("same.json", two)
            z.writestr("same.json", three)
            z.writestr("in!side.json", four)
    (root / "dup!members.zip").write_bytes(buf.getvalue())
    (root / "x.json").write_bytes(five)
    (root / "x.json.gz").write_bytes(gzip.compress(six))
    return sorted(root.iterdir())


def hostile_folder(root: Path) -> Path:
    """A folder mixing every class with good records."""
    root.mkdir(parents=True, exist_ok=True)
    good = root / "good"
    good.mkdir()
    for i in range(3):
        (good / f"good{i}.json").write_bytes(orjson.dumps(study(f"NCT9200{i:04d}")))
    text = root / "text"
    text.mkdir()
    (text / "page.json").write_bytes(orjson.dumps(
        {"studies": [hostile_study(f"NCT9300{i:04d}", t) for i, t in enumerate(HOSTILE_TEXTS)]}))
    names = root / "names"
    names.mkdir()
    file_names(names)
    archives = root / "archives"
    archives.mkdir()
    payload = orjson.dumps(study("NCT94000001"))
    (archives / "deep600.zip").write_bytes(nested_zip(600, payload))
    (archives / "deep3.zip").write_bytes(nested_zip(3, orjson.dumps(study("NCT94000002"))))
    (archives / "fanout.zip").write_bytes(fan_out_zip(300, payload))
    (archives / "bomb.json.gz").write_bytes(gzip_bomb(8 << 20))
    sheets = root / "sheets"
    sheets.mkdir()
    for group in (csv_dialects(), huge_numbers(), broken_documents()):
        for name, data in group.items():
            (sheets / name).write_bytes(data)
    identity_names(root / "identity")
    links = root / "links"
    links.mkdir()
    (links / "loop").symlink_to(links)
    (links / "self").symlink_to(links / "self")
    (links / "dangling.json").symlink_to(root / "missing.json")
    return root


ICTRP_TRIAL = ("<Trial><TrialID>ChiCTR2{i:09d}</TrialID><Public_title>Exercise for back pain {i}</Public_title>"
               "<Source_Register>ChiCTR</Source_Register><Target_size>Experimental group:30;Control group:30;"
               "</Target_size><Study_design>Parallel</Study_design><Condition>chronic low back pain</Condition>"
               "<Primary_outcome>pain intensity;disability;</Primary_outcome>"
               "<Public_Contact_Address>{pad}</Public_Contact_Address></Trial>\n")
ICTRP_HEADER = "TrialID,Public title,Source Register,Target size,Study design,Condition,Primary outcome,Contact Address\n"
ICTRP_ROW = ('ChiCTR2{i:09d},"Caf\u00e9, exercise for back pain {i}",ChiCTR,Experimental group:30;Control group:30;,'
             'Parallel,chronic low back pain,"pain intensity;\ndisability;","{pad}"\n')


def write_ictrp(path: Path, count: int, pad_kb: int = 10) -> None:
    """An ICTRP export (XML, or the portal CSV with a header row) of `count` copies of one small
    record, each padded with `pad_kb` KB of contact address (a dropped field)."""
    pad = "Room 1, Building 2, " * (pad_kb * 51)
    with path.open("w", encoding="utf-8", newline="") as fh:
        if path.suffix == ".xml":
            fh.write("<?xml version='1.0' encoding='UTF-8'?>\n<Trials_downloaded_from_ICTRP>\n")
            fh.writelines(ICTRP_TRIAL.format(i=i, pad=pad) for i in range(count))
            fh.write("</Trials_downloaded_from_ICTRP>\n")
        else:
            fh.write(ICTRP_HEADER)
            fh.writelines(ICTRP_ROW.format(i=i, pad=pad) for i in range(count))
