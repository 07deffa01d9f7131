"""ICE server URLs from the command line: the accepted forms, and each mistake named."""

from __future__ import annotations

import pytest

from video.ice import Endpoint, IceServer, aiortc_servers, endpoint, parse_ice_server


@pytest.mark.parametrize(
    "text, expected",
    [
        ("stun:stun.centre.gov.vn", IceServer("stun:stun.centre.gov.vn")),
        ("stun:10.0.0.9:3478", IceServer("stun:10.0.0.9:3478")),
        (
            "turn:tau:b1mat@turn.centre.gov.vn:3478?transport=udp",
            IceServer("turn:turn.centre.gov.vn:3478?transport=udp", "tau", "b1mat"),
        ),
        (
            "turns:tau:b1mat@turn.centre.gov.vn:5349?transport=tcp",
            IceServer("turns:turn.centre.gov.vn:5349?transport=tcp", "tau", "b1mat"),
        ),
        ("  stun:[fd00::9]:3478 ", IceServer("stun:[fd00::9]:3478")),
    ],
    ids=["stun-host", "stun-port", "turn-udp", "turns-tcp", "ipv6-trimmed"],
)
def test_accepted_forms(text: str, expected: IceServer) -> None:
    assert parse_ice_server(text) == expected


@pytest.mark.parametrize(
    "text, message",
    [
        ("stun.centre.gov.vn", "not a URL of the form"),
        ("http://stun.centre.gov.vn", "not a URL of the form"),
        ("stuns:stun.centre.gov.vn", r"scheme must be one of stun, turn, turns \(got 'stuns'\)"),
        ("turn:turn.centre.gov.vn:3478", "needs credentials"),
        ("stun:a:b@stun.centre.gov.vn", "takes no credentials"),
        ("stun:stun.centre.gov.vn:70000", "port must be 1-65535"),
        ("turn:a:b@h:3478?transport=sctp", "not a URL of the form"),
        ("stun:h:3478?transport=udp", r"takes no \?transport="),
    ],
    ids=[
        "no-scheme",
        "http",
        "stuns",
        "turn-without-credentials",
        "stun-with-credentials",
        "port-range",
        "bad-transport",
        "stun-with-transport",
    ],
)
def test_mistakes_are_named(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_ice_server(text)


def test_browser_entry_carries_credentials_only_for_turn() -> None:
    turn = parse_ice_server("turn:tau:b1mat@10.0.0.9:3478")
    assert turn.for_browser() == {
        "urls": "turn:10.0.0.9:3478",
        "username": "tau",
        "credential": "b1mat",
    }
    assert parse_ice_server("stun:10.0.0.9").for_browser() == {"urls": "stun:10.0.0.9"}


def test_no_servers_is_an_empty_list_never_none() -> None:
    # None would make aiortc fall back to its public STUN server.
    assert aiortc_servers(()) == []


@pytest.mark.parametrize(
    "text, expected",
    [
        ("stun:10.0.0.9", Endpoint("10.0.0.9", 3478, "udp")),
        ("turn:a:b@turn.centre.gov.vn", Endpoint("turn.centre.gov.vn", 3478, "udp")),
        ("turn:a:b@10.0.0.9:3479?transport=tcp", Endpoint("10.0.0.9", 3479, "tcp")),
        ("turns:a:b@10.0.0.9", Endpoint("10.0.0.9", 5349, "tcp")),
    ],
    ids=["stun-default-port", "turn-default-udp", "turn-tcp", "turns-default"],
)
def test_where_the_watch_probes(text: str, expected: Endpoint) -> None:
    """The probe goes where aiortc itself would go (its defaults: 3478/5349, turns: TCP)."""
    assert endpoint(parse_ice_server(text)) == expected
