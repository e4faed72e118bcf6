"""What every command shares: exit codes, the one-line failure, profile loading, option parsing.

Imports stay light here: a command imports the layers it needs when it runs, so `trial-audit
schema facts` does not load the readers, the extractors or the report formats.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, NoReturn

import click

from auditor.errors import InputError

if TYPE_CHECKING:
    from auditor.corrections import Corrections
    from auditor.engine.profiles import Profile

EXIT_OK, EXIT_GAPS, EXIT_ERROR, EXIT_INTERRUPTED = 0, 1, 2, 130
# report.html of `batch` and `report`: trials whose details the page embeds (auditor.report.html.DEFAULT_LIMIT),
# and the most a user may ask for (a page with more trials than this no browser opens).
HTML_LIMIT, MAX_HTML_LIMIT = 2000, 100_000
CONTEXT = {"help_option_names": ["-h", "--help"]}


def fail(message: str) -> NoReturn:
    """Exit 2 with one line on stderr: the tool could not do its job."""
    from auditor.report.safe import line  # imports nothing else: `schema` stays fast

    click.echo(f"trial-audit: {line(message)}", err=True)
    sys.exit(EXIT_ERROR)


def load_profile(ref: str) -> Profile:
    from auditor.engine import profiles

    try:
        profile = profiles.load(ref)
    except InputError as err:
        fail(err.one_line())
    warn(profile)
    return profile


def warn(profile: Profile) -> None:
    """A profile's warnings on stderr, one line each naming its file; the exit code is unchanged."""
    if not profile.warnings:
        return
    from auditor.report.safe import line  # only then: `explain` does not import the report package

    for warning in profile.warnings:
        click.echo(f"trial-audit: warning: {line(profile.origin)}: {line(warning)}", err=True)


def load_corrections(path: str | None) -> Corrections | None:
    """A reviewer's corrections.yaml (None when none is given); a bad file is exit 2 naming its line."""
    if path is None:
        return None
    from auditor import corrections

    try:
        return corrections.load(path)
    except InputError as err:
        fail(err.one_line())


def check_correction_codes(corrections: Corrections | None, checked: list[Profile], full: Profile) -> None:
    """Exit 2 when a status correction names a criterion no profile of the run checks (`full`: the
    profile before --select/--ignore, so a criterion left out is named as such)."""
    if corrections is None:
        return
    codes = tuple(dict.fromkeys(c.code for p in checked for c in p.criteria))
    try:
        corrections.check_codes(codes, full.id, tuple(c.code for c in full.criteria if c.code not in codes))
    except InputError as err:
        fail(err.one_line())


def split(values: tuple[str, ...]) -> list[str] | None:
    """`--select A,B --select C` -> [A, B, C]; None when the option was not given."""
    items = [s.strip() for v in values for s in v.split(",") if s.strip()]
    return items or None
