"""The README stays honest: every command, option and make target it tells a newcomer to use exists."""

from __future__ import annotations

import re

import typer.main
from conftest import ROOT

from aggregator.cli import app

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _command_block() -> list[tuple[str, set[str]]]:
    """(command, options) for each `aggregator <command>` line of the README's "The command" block (a line starting
    with spaces continues the one above)."""
    block = README.split("## The command", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    out: list[tuple[str, set[str]]] = []
    for line in block.splitlines():
        text = line.split("#", 1)[0]
        if m := re.match(r"aggregator (\w[\w-]*)", text):
            out.append((m[1], set(re.findall(r"--[a-z][a-z-]*", text))))
        elif line.startswith(" ") and out:
            out[-1][1].update(re.findall(r"--[a-z][a-z-]*", text))
    return out


def test_readme_commands_and_options_exist():
    group = typer.main.get_command(app)
    listed = _command_block()
    assert len(listed) >= 8, "why: the block lists every subcommand; fewer means the parser lost it"
    for name, options in listed:
        assert name in group.commands, f"README names `aggregator {name}`, which the CLI does not have"
        known = {o for p in group.commands[name].params for o in (*p.opts, *p.secondary_opts)}
        assert options <= known, f"`aggregator {name}`: README options {sorted(options - known)} do not exist"
    assert {n for n, _ in listed} == set(group.commands), "why: every subcommand is documented, and only those"


def test_readme_make_targets_exist():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([a-z][\w-]*):", makefile, re.M))
    named = set(re.findall(r"(?:^|`|&& )make ([a-z][\w-]*)", README, re.M))
    assert {"install", "report", "test"} <= named, "why: the two set-up commands are in the README"
    assert named <= targets, f"README names make targets the Makefile lacks: {sorted(named - targets)}"
