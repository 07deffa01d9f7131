"""The headless client's command line: a token that begins with '-' (one in 64 of the
base64url tokens do) is still the token, written ``--token T`` as the docs show."""

from __future__ import annotations

import pytest

from video.client import attach_values, parser

BASE = ["--url", "http://10.0.0.5:5006", "--point", "hue"]


@pytest.mark.parametrize(
    "token",
    ["abc_DEF-123", "-Zk1t0kenStartingWithDash", "--double-dash-token", "-", "-9"],
    ids=["plain", "dash", "two-dashes", "only-dash", "negative-number-like"],
)
def test_the_token_is_taken_whatever_it_begins_with(token: str) -> None:
    ap = parser()
    args = ap.parse_args(attach_values(ap, [*BASE, "--token", token, "--tone", "0"]))
    assert args.token == token
    assert args.tone == 0.0 and args.point == "hue"


def test_already_attached_and_other_words_are_left_alone() -> None:
    ap = parser()
    words = [*BASE, "--token=-abc", "--size", "320x180"]
    assert attach_values(ap, words) == words


def test_a_forgotten_token_is_still_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    ap = parser()
    with pytest.raises(SystemExit):
        ap.parse_args(attach_values(ap, ["--token", *BASE]))
    assert "--token: expected one argument" in capsys.readouterr().err


def test_run_wall_bridge_client_takes_a_dash_token_too() -> None:
    from command_center.cli import command_words
    from command_center.cli import parser as wall_parser

    words = ["bridge-client", *BASE, "--token", "-Zk1t0ken", "--tone", "0"]
    args = wall_parser().parse_args(command_words(words))
    assert args.command == "bridge-client" and args.token == "-Zk1t0ken"
    assert command_words(["validate", "--token", "-x"]) == ["validate", "--token", "-x"]
