"""Docs are tested, both ways: a route served, a flag of any command or a message that the
README does not name fails here, and so does a flag the README names that no command takes."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from command_center.cli import parser
from command_center.messages import BUS_MESSAGES
from command_center.protocol import MESSAGE_TYPES
from command_center.server.api import API_ROUTES
from command_center.server.openapi import served_routes

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "route", sorted({r for r, _ in [*API_ROUTES, *served_routes()]}), ids=lambda r: r
)
def test_every_served_route_is_documented(route: str) -> None:
    # The regex group of a path parameter is written <name> in the README.
    readable = re.sub(r"\(.*?\)", "<", route).split("<")[0]
    assert readable.replace("/api/v1", "") in README, f"README does not name {route}"


def _commands() -> dict[str, argparse.ArgumentParser]:
    return dict(parser()._subparsers._group_actions[0].choices)  # type: ignore[union-attr]


def _flags_of(command: argparse.ArgumentParser) -> set[str]:
    return {
        opt
        for action in command._actions
        for opt in action.option_strings
        if opt.startswith("--") and opt != "--help"
    }


def _commands_table() -> dict[str, str]:
    """The README's Commands table: ``run_wall.py`` subcommand (``serve`` for the bare
    command) -> the text of its row."""
    rows: dict[str, str] = {}
    for line in README.split("## Commands", 1)[1].split("\n## ", 1)[0].splitlines():
        m = re.match(r"\| `python run_wall\.py ?([a-z-]*)", line)
        if m:
            rows[m.group(1) or "serve"] = line
        elif line.startswith("| every command above |"):
            rows[""] = line  # the flags every command takes
    return rows


@pytest.mark.parametrize(
    "command, flag",
    sorted((name, flag) for name, sub in _commands().items() for flag in _flags_of(sub)),
)
def test_every_flag_of_every_command_is_documented(command: str, flag: str) -> None:
    row = _commands_table().get(command, "")
    assert row, f"the README's Commands table has no row for `run_wall.py {command}`"
    named = re.findall(r"--[a-z][a-z0-9-]*", row)
    common = re.findall(r"--[a-z][a-z0-9-]*", _commands_table().get("", ""))
    assert flag in named or flag in common, (
        f"`run_wall.py {command}` takes {flag} but the README's row does not name it"
    )


@pytest.mark.parametrize("command", sorted(set(_commands_table()) - {""}))
def test_every_flag_the_readme_names_is_taken(command: str) -> None:
    taken = _flags_of(_commands()[command]) if command in _commands() else set()
    assert command in _commands(), f"the README lists `run_wall.py {command}`: no such command"
    named = set(re.findall(r"--[a-z][a-z0-9-]*", _commands_table()[command]))
    assert named <= taken, f"the README names {sorted(named - taken)} for {command}"


@pytest.mark.parametrize("message", [*MESSAGE_TYPES, *BUS_MESSAGES], ids=lambda m: m.__name__)
def test_every_message_is_documented(message: type) -> None:
    assert message.__doc__ and message.__doc__.strip(), f"{message.__name__} has no docstring"
    assert f"`{message.__name__}`" in README, f"README does not list {message.__name__}"
