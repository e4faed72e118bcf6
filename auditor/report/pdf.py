"""report.pdf: the batch page printed by headless Chromium (its print stylesheet lays the document
out: charts whole, the table paginated with its header repeated, the trial panel on its own page).
The browser does the layout; nothing here measures or paginates."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from auditor.errors import InputError

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def browser() -> str | None:
    """The headless browser: $TRIAL_AUDIT_CHROMIUM, else the first of BROWSERS on PATH."""
    given = os.environ.get("TRIAL_AUDIT_CHROMIUM")
    if given:
        return given
    return next((exe for name in BROWSERS if (exe := shutil.which(name))), None)


def write(page: Path, target: Path, timeout: float = 300) -> Path:
    """Print `page` (an HTML file) to `target` (PDF); InputError when no browser is installed or it fails."""
    exe = browser()
    if exe is not None and exe == os.environ.get("TRIAL_AUDIT_CHROMIUM") and shutil.which(exe) is None:
        raise InputError(str(target), f"TRIAL_AUDIT_CHROMIUM is {exe!r}, which is not an executable: set it to a "
                                      "Chrome/Chromium executable, or unset it to use chromium from PATH")
    if exe is None:
        raise InputError(str(target), "printing to PDF needs Chromium (Debian: apt-get install chromium; "
                                      "or set TRIAL_AUDIT_CHROMIUM to a Chrome/Chromium executable)")
    tmp = target.with_name(target.name + ".tmp")
    with tempfile.TemporaryDirectory(prefix="trial-audit-chromium-") as profile_dir:
        try:
            done = subprocess.run([exe, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                                   "--disable-extensions", "--disable-background-networking", "--disable-sync",
                                   f"--user-data-dir={profile_dir}", "--no-pdf-header-footer",
                                   f"--print-to-pdf={tmp}", page.resolve().as_uri()],
                                  capture_output=True, text=True, timeout=timeout, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise InputError(str(target), f"{exe} could not print the page: {exc}") from None
    if done.returncode != 0 or not tmp.is_file() or tmp.stat().st_size == 0:
        tmp.unlink(missing_ok=True)
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise InputError(str(target), f"{exe} could not print the page (exit {done.returncode}): {last}")
    tmp.replace(target)
    return target
