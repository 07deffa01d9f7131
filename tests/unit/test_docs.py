"""Docs are tested: a route, a flag or a message that the README does not name fails here."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from command_center.cli import parser
from command_center.messages import BUS_MESSAGES
from command_center.protocol import MESSAGE_TYPES
from command_center.server.api import API_ROUTES

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("route", [r for r, _ in API_ROUTES], ids=lambda r: r)
def test_every_api_route_is_documented(route: str) -> None:
    # The regex group of a path parameter is written <name> in the README.
    readable = re.sub(r"\(.*?\)", "<", route).split("<")[0]
    assert readable.replace("/api/v1", "") in README, f"README does not name {route}"


def _flags() -> list[str]:
    serve = parser()._subparsers._group_actions[0].choices["serve"]  # type: ignore[union-attr]
    return [
        opt
        for action in serve._actions
        for opt in action.option_strings
        if opt.startswith("--") and opt != "--help"
    ]


@pytest.mark.parametrize("flag", _flags())
def test_every_server_flag_is_documented(flag: str) -> None:
    assert f"`{flag}" in README or f"{flag}`" in README or f"{flag}," in README


@pytest.mark.parametrize("message", [*MESSAGE_TYPES, *BUS_MESSAGES], ids=lambda m: m.__name__)
def test_every_message_is_documented(message: type) -> None:
    assert message.__doc__ and message.__doc__.strip(), f"{message.__name__} has no docstring"
    assert f"`{message.__name__}`" in README, f"README does not list {message.__name__}"
