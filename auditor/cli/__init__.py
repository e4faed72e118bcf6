"""Command line: `trial-audit check|config|batch|report|corrections|init|profiles|explain|schema|formats`.

One module per command family: `check` (check, config), `batch`, `info` (profiles, explain,
schema, formats, init); `common` holds the exit codes and the one-line failure, `settings` the
configuration file. Exit codes: 0 no gap at or above the fail level, 1 gaps found, 2 the tool
could not do its job (unreadable or invalid input, bad profile, bad option). Input problems are
one line on stderr that names the file; no traceback for anything the input caused.

Commands import the layers they need when they run, so a command that reads no record starts
without the readers, extractors and report formats.
"""

from __future__ import annotations

import click

from auditor import __version__
from auditor.cli.batch import batch
from auditor.cli.check import check, show_config
from auditor.cli.common import CONTEXT
from auditor.cli.fetch import fetch_command
from auditor.cli.info import explain, init, list_formats, list_profiles, schema
from auditor.cli.review import corrections, report


@click.group(context_settings=CONTEXT)
@click.version_option(__version__, prog_name="trial-audit")
def main() -> None:
    """Audit clinical-trial records and protocol files against review-derived quality profiles."""


for command in (check, show_config, batch, report, corrections, fetch_command, init, list_profiles, explain, schema,
                list_formats):
    main.add_command(command)
