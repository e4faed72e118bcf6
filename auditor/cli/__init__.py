"""Command line: `trial-audit check|config|batch|report|corrections|init|profiles|explain|schema|formats`.

One module per command family: `check` (check, config), `batch`, `info` (profiles, explain,
schema, formats, init); `common` holds the exit codes and the one-line failure, `settings` the
configuration file. Exit codes: 0 no gap at or above the fail level, 1 gaps found, 2 the tool
could not do its job (unreadable or invalid input, bad profile, bad option). Input problems are
one line on stderr that names the file; no traceback for anything the input caused.

Commands import the layers they need when they run, so a command that reads no record starts
without the readers, extractors and report formats; and the command modules themselves are
imported only when their command is looked up (`trial-audit check` does not import `batch`).
"""

from __future__ import annotations

import importlib

import click

from auditor import __version__
from auditor.cli.common import CONTEXT, fail
from auditor.errors import InputError

# name -> (module in auditor.cli, attribute): imported when the command is looked up.
COMMANDS: dict[str, tuple[str, str]] = {
    "check": ("check", "check"),
    "config": ("check", "show_config"),
    "batch": ("batch", "batch"),
    "report": ("review", "report"),
    "corrections": ("review", "corrections"),
    "fetch": ("fetch", "fetch_command"),
    "init": ("info", "init"),
    "profiles": ("info", "list_profiles"),
    "explain": ("info", "explain"),
    "schema": ("info", "schema"),
    "formats": ("info", "list_formats"),
}


class _LazyGroup(click.Group):
    """A group whose commands are imported on first lookup (help and output are click's own)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands:
            # An unknown name loads them all: click's "Did you mean" reads the loaded commands.
            for name in [cmd_name] if cmd_name in COMMANDS else [n for n in COMMANDS if n not in self.commands]:
                module, attr = COMMANDS[name]
                self.add_command(getattr(importlib.import_module(f"auditor.cli.{module}"), attr), name)
        return self.commands.get(cmd_name)


@click.group(cls=_LazyGroup, context_settings=CONTEXT)
@click.version_option(__version__, prog_name="trial-audit")
def main() -> None:
    """Audit clinical-trial records and protocol files against review-derived quality profiles."""
    from auditor.limits import check_environment

    try:
        check_environment()  # a bad TRIAL_AUDIT_* value: one line, exit 2, before any work
    except InputError as err:
        fail(err.one_line())
