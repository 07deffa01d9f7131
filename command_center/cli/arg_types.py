"""Parsing one flag's value: each refuses a bad value with what was expected and what
arrived (argparse prints it beside the flag's name)."""

from __future__ import annotations

import argparse
from collections.abc import Callable


def server_url(text: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/"):
        raise argparse.ArgumentTypeError(
            f"a server is http(s)://HOST:PORT with no path (got {text!r})"
        )
    return text.rstrip("/")


def metrics_bind(text: str) -> str:
    from command_center.server.metrics import parse_bind

    return _accepted(parse_bind, text)


def redis_url(text: str) -> str:
    from command_center.redis_client import parse_redis_url

    return _accepted(parse_redis_url, text)


def ice_server(text: str) -> str:
    from video.ice import parse_ice_server

    return _accepted(parse_ice_server, text).strip()


def agency_pair(text: str) -> tuple[str, str]:
    agency, sep, where = text.partition("=")
    if not sep or not agency.strip() or not where.strip():
        raise argparse.ArgumentTypeError(f"must be AGENCY=URL or AGENCY=FOLDER (got {text!r})")
    return agency.strip(), where.strip()


def positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be a number above 0 (got {text!r})")
    return value


def trusted_proxy(text: str) -> str:
    from command_center.server.client_address import parse_proxy

    return _accepted(parse_proxy, text).strip()


def whole_positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1 (got '{text}')")
    return value


def _accepted(parse: Callable[[str], object], text: str) -> str:
    """``text`` when ``parse`` takes it; else argparse's error with ``parse``'s message."""
    try:
        parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text
