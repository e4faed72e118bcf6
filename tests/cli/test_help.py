"""`--help` of every command: each option says what it does, and the commands a script or CI job
runs say what their exit codes mean."""

from __future__ import annotations

import click
import pytest

from auditor.cli import main


def _commands() -> list[tuple[str, click.Command]]:
    found: list[tuple[str, click.Command]] = []

    def walk(group: click.Group, prefix: str) -> None:
        ctx = click.Context(group)
        for name in group.list_commands(ctx):
            command = group.get_command(ctx, name)
            assert command is not None
            found.append((f"{prefix}{name}", command))
            if isinstance(command, click.Group):
                walk(command, f"{prefix}{name} ")

    walk(main, "")
    return found


@pytest.mark.parametrize(("name", "command"), _commands(), ids=[n for n, _ in _commands()])
def test_every_option_has_a_help_text(name: str, command: click.Command) -> None:
    bare = [p.opts[0] for p in command.params if isinstance(p, click.Option) and not p.hidden and not p.help]
    assert bare == [], f"{name}: options without help: {bare}"


@pytest.mark.parametrize("name", ["check", "batch", "fetch"])
def test_commands_run_by_scripts_state_their_exit_codes(name: str) -> None:
    ctx = click.Context(main)
    command = main.get_command(ctx, name)
    assert command is not None
    text = " ".join(command.get_help(click.Context(command, info_name=name)).split())
    assert "Exit codes: 0 " in text and " 2 " in text, text
