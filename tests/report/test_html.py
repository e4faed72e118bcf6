"""report.html: self-contained, escaped, and it renders in a real browser without errors."""

from __future__ import annotations

import html as html_lib
import os
import re
import shutil
import subprocess
from pathlib import Path

import orjson
import pytest

from auditor import batch
from auditor.engine import profiles
from auditor.errors import InputError
from auditor.report import pdf
from auditor.report.html import script_json
from tests.batch.data import study, write_corpus

PAYLOAD = '</script><img src=x onerror="document.body.dataset.xss=1"><script>document.body.dataset.xss=2</script>\u2028&amp;'


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("html")
    write_corpus(root / "in", files=8, per_file=3)
    # Record text that tries to break out of the page, in several trials so the sample holds some.
    # Their sample sizes are wide numbers, which the table must show whole (not "159…" for 15,967).
    evil = [study(f"NCT6666666{i}", title=PAYLOAD, enrollment=n) for i, n in enumerate((15967, 123456, 1234567, 99999999))]
    (root / "in" / "evil.json").write_bytes(orjson.dumps({"studies": evil}))
    outcome = batch.run([str(root / "in")], root / "out", profiles.load(), jobs=1, html_limit=20)
    assert outcome.totals.audited == 28
    return root / "out"


def test_script_json_cannot_close_the_script_element() -> None:
    text = str(script_json({"t": "</script><!-- & \u2028\u2029 >"}))
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text and "\u2029" not in text
    assert orjson.loads(text) == {"t": "</script><!-- & \u2028\u2029 >"}


def test_page_is_self_contained_and_says_it_shows_a_sample(report_dir: Path) -> None:
    page = (report_dir / "report.html").read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page), "the page must not load anything"
    assert "<svg" in page and "Content-Security-Policy" in page
    assert "shows a sample of <b>20</b> of <b>28</b> trials" in page
    assert "<img src=x" not in page and "dataset.xss=2</script>" not in page
    data = page.split('<script type="application/json" id="data">', 1)[1].split("</script>", 1)[0]
    trials = orjson.loads(data)["trials"]
    assert len(trials) == 20 and any(t["title"] == PAYLOAD for t in trials)


def _chromium(*args: str, profile_dir: Path) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if exe is None:
        pytest.skip("chromium is not installed (Debian: apt-get install -y chromium)")
    return subprocess.run([exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                           "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions",
                           f"--user-data-dir={profile_dir}", *args], capture_output=True, text=True, timeout=120, check=False)


def test_page_renders_in_headless_chromium_without_errors(report_dir: Path, tmp_path: Path) -> None:
    url = (report_dir / "report.html").resolve().as_uri()
    dom = _chromium("--enable-logging=stderr", "--v=0", "--dump-dom", url, profile_dir=tmp_path / "chrome")
    assert dom.returncode == 0, dom.stderr[-2000:]
    console = [line for line in dom.stderr.splitlines() if ":CONSOLE" in line]
    assert not console, "console output: " + "\n".join(console)
    body = re.search(r"<body[^>]*>", dom.stdout)
    assert body and 'data-rendered="ok"' in body.group(0), "the page script did not finish"
    assert "data-errors" not in dom.stdout and "data-xss" not in dom.stdout
    assert len(re.findall(r"<tr data-i=", dom.stdout)) == 20  # the table rows were built by the script
    assert "Trial detail: " in dom.stdout  # and the first trial's findings shown
    assert dom.stdout.count("<svg") >= 3  # compliance bars and two histograms

    shot = tmp_path / "report.png"
    result = _chromium(f"--screenshot={shot}", "--window-size=1440,2600", url, profile_dir=tmp_path / "chrome")
    assert result.returncode == 0 and shot.stat().st_size > 30_000  # a blank page is a few KB
    if os.environ.get("TRIAL_AUDIT_SCREENSHOT"):  # the README's screenshot: TRIAL_AUDIT_SCREENSHOT=docs/report-overview.png
        shutil.copyfile(shot, os.environ["TRIAL_AUDIT_SCREENSHOT"])


def _layout(dom: str) -> dict[str, int]:
    body = re.search(r"<body[^>]*>", dom)
    assert body, "no body"
    found = re.search(r'data-layout="([^"]*)"', body.group(0))
    assert found, body.group(0)
    return orjson.loads(html_lib.unescape(found.group(1)))


@pytest.mark.parametrize("size", [(1440, 900), (390, 844)])
def test_layout_fits_the_screen_with_legend_text_statuses_and_links(report_dir: Path, tmp_path: Path,
                                                                     size: tuple[int, int]) -> None:
    url = (report_dir / "report.html").resolve().as_uri()
    dom = _chromium("--enable-logging=stderr", "--v=0", f"--window-size={size[0]},{size[1]}", "--dump-dom", url,
                    profile_dir=tmp_path / "chrome")
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert not [line for line in dom.stderr.splitlines() if ":CONSOLE" in line]
    layout = _layout(dom.stdout)
    # Headless Chromium's window is at least 500 px wide: at 390 the page is checked at its narrowest.
    assert layout["viewport"] == max(size[0], 500) or layout["viewport"] == size[0]
    assert layout["page"] <= layout["viewport"], layout  # no horizontal overflow of the page
    if size[0] == 1440:
        assert layout["table"] <= layout["viewport"], layout  # the whole trial table is on screen
    assert layout["clipped"] == 0, layout  # no number in the table is cut short by an ellipsis
    page = dom.stdout
    assert 'id="legend"' in page and "not met" in page.split('id="legend"', 1)[1][:600]
    statuses = re.findall(r'<td class="s (\w+)"[^>]*><span aria-hidden="true">(.)</span><span class="sr"> ([a-z/ ]+)</span>', page)
    assert len(statuses) == 20 * len(profiles.load().criteria) and {(s, sym, text) for s, sym, text in statuses} <= {
        ("met", "✓", "met"), ("not_met", "✗", "not met"), ("unclear", "?", "unclear"), ("not_applicable", "–", "n/a")}
    links = re.findall(r'<a href="([^"]*)"', page)
    assert len(links) >= 21  # the table's trial ids and the detail heading
    assert all(re.fullmatch(r"https://clinicaltrials\.gov/study/NCT\d{8}", link) for link in links), links
    detail = page.split('id="detail"', 1)[1]
    assert "from `" in detail and "Why " in detail  # quotes carry their field, findings their reason
    assert "data-xss" not in page and "<img src=x" not in page.replace("&lt;img src=x", "")


def _pdf_pages(path: Path) -> list[str]:
    exe = shutil.which("pdftotext")
    if exe is None:
        pytest.skip("pdftotext is not installed (Debian: apt-get install -y poppler-utils)")
    text = subprocess.run([exe, "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")


def test_pdf_keeps_charts_whole_and_the_full_table(report_dir: Path, tmp_path: Path) -> None:
    if pdf.browser() is None:
        pytest.skip("chromium is not installed (Debian: apt-get install -y chromium)")
    target = pdf.write(report_dir / "report.html", tmp_path / "report.pdf")
    pages = _pdf_pages(target)
    # Each chart's heading and its last line are on one page.
    for head, tail in (("Compliance per criterion", "not in the share"), ("Evidence-gap map", "100% met"),
                       ("Registered sample size", "Registered sample size (participants)"),
                       ("Follow-up after the end of treatment", "after the end of treatment (weeks)")):
        on = [i for i, p in enumerate(pages) if head in p]
        assert on and tail in pages[on[0]], (head, on)
    sample = orjson.loads(html_lib.unescape((report_dir / "report.html").read_text(encoding="utf-8")
                                            .split('id="data">', 1)[1].split("</script>", 1)[0]))["trials"]
    text = "".join(pages)
    missing = [t["id"] for t in sample if t["id"] not in text]
    assert not missing, f"trials not in the PDF's table: {missing}"


@pytest.mark.parametrize("given", ["/nonexistent/chromium", ""])
def test_report_pdf_without_a_browser_says_how_to_get_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                           given: str) -> None:
    """A TRIAL_AUDIT_CHROMIUM that names no executable said '/nonexistent/chromium could not print the
    page: [Errno 2] ...'; it names the setting and what to set it to, as a missing Chromium does."""
    monkeypatch.setenv("TRIAL_AUDIT_CHROMIUM", given)
    monkeypatch.setenv("PATH", str(tmp_path))  # no chromium on PATH either
    page = tmp_path / "report.html"
    page.write_text("<html><body>x</body></html>", encoding="utf-8")
    with pytest.raises(InputError) as err:
        pdf.write(page, tmp_path / "report.pdf")
    expected = ("TRIAL_AUDIT_CHROMIUM is '/nonexistent/chromium', which is not an executable: set it to a "
                "Chrome/Chromium executable, or unset it to use chromium from PATH") if given else (
                "printing to PDF needs Chromium (Debian: apt-get install chromium; or set TRIAL_AUDIT_CHROMIUM "
                "to a Chrome/Chromium executable)")
    assert err.value.message == expected
