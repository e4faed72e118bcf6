"""`trial-audit report DIR` and `trial-audit corrections template DIR`: a reviewer's work on a
finished results folder, without re-auditing."""

from __future__ import annotations

from pathlib import Path

import click

from auditor.cli.common import EXIT_OK, HTML_LIMIT, MAX_HTML_LIMIT, fail
from auditor.errors import InputError

_DIR = click.Path(exists=True, file_okay=False, path_type=Path)


@click.command("report")
@click.argument("store_dir", type=_DIR)
@click.option("--where", multiple=True, metavar="SQL",
              help="Keep only trials for which this SQL condition over the `trials` columns holds (repeatable, "
                   "all must hold), e.g. \"low_back_pain\", \"start_year >= 2015\", \"category_mindfulness\", "
                   "\"CAST(json_extract(facts_json, '$.treatment.duration_weeks') AS DOUBLE) >= 8\".")
@click.option("--out", "to_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where summary.json and report.html go  [default: STORE_DIR, or STORE_DIR/subgroup with --where].")
@click.option("--html-limit", type=click.IntRange(min=0, max=MAX_HTML_LIMIT), default=HTML_LIMIT, show_default=True,
              help="Most trials whose details report.html embeds.")
@click.option("--pdf", "--format-pdf", "pdf", is_flag=True,
              help="Also print report.html to report.pdf (headless Chromium; its print layout).")
def report(store_dir: Path, where: tuple[str, ...], to_dir: Path | None, html_limit: int, pdf: bool) -> None:
    """Re-render summary.json, report.html and figures/ from a batch results folder, for all trials or a subgroup."""
    from auditor.batch import review

    target = to_dir or (store_dir / "subgroup" if where else store_dir)
    try:
        doc = review.report(store_dir, target, list(where), html_limit)
        if pdf:
            from auditor.report import pdf as pdf_report

            pdf_report.write(target / "report.html", target / "report.pdf")
    except InputError as exc:
        fail(exc.one_line())
    store = doc["store"]
    if where and not store["trials"]:  # a typo in a value selects nothing rather than failing
        click.echo("trial-audit: no trial matches --where; a criterion's column (e.g. FU01) holds 'met', "
                   "'not_met', 'unclear' or 'not_applicable' (text is compared exactly)", err=True)
    click.echo(f"{store['trials']:,} trials ({store['records']:,} records, {store['copies_merged']:,} copies merged)"
               f"{' where ' + ' and '.join(where) if where else ''}: {target / 'summary.json'}, {target / 'report.html'}"
               f"{', ' + str(target / 'report.pdf') if pdf else ''}, {target / 'figures'}/")
    raise SystemExit(EXIT_OK)


@click.group("corrections")
def corrections() -> None:
    """A reviewer's corrections.yaml: facts and statuses set by hand, with reasons."""


@corrections.command("template")
@click.argument("store_dir", type=_DIR)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write here instead of standard output.")
def template(store_dir: Path, output: Path | None) -> None:
    """Write a corrections.yaml listing the unclear findings of a batch, for a reviewer to fill in."""
    from auditor.batch import review

    try:
        text = review.corrections_template(store_dir)
    except InputError as exc:
        fail(exc.one_line())
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        fail(f"{output}: cannot write: {exc.strerror or exc}")
