"""The entry point: parse the command line, then run one command (``serve`` by default).

A full disk or store ends a command with one clear line and ``EX_TEMPFAIL`` (75), not a
traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import errno
import logging
import sys

from command_center.cli.arguments import parser
from command_center.cli.devices import agency_tokens, bridge_tokens, credentials, kiosk, rotate_keys
from command_center.cli.serve import run_server
from command_center.cli.users import audit_verify, reset_password, unlock, users_command
from command_center.cli.validate import validate
from command_center.errors import StoreFull


def command_words(words: list[str]) -> list[str]:
    """The command line as argparse should read it: a bridge point's token may begin with
    '-', so ``bridge-client``'s ``--token T`` becomes ``--token=T``."""
    if words[:1] != ["bridge-client"]:
        return words
    from video.client import attach_values
    from video.client import parser as client_parser

    return ["bridge-client", *attach_values(client_parser(), words[1:])]


def main(argv: list[str] | None = None) -> int:
    from command_center.private_files import private_umask

    private_umask()  # every file this process writes (keys, stores) is its user's alone
    args = parser().parse_args(command_words(sys.argv[1:] if argv is None else argv))
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    from command_center.server.access_log import install_token_masking

    install_token_masking()
    command = args.command or "serve"
    try:
        return _run(command, args)
    except OSError as exc:
        if exc.errno != errno.ENOSPC:
            raise
        return _cannot(command, f"the disk is full ({exc.filename or exc})")
    except StoreFull as exc:
        return _cannot(command, exc.message)


def _cannot(command: str, why: str) -> int:
    """A clear line instead of a traceback when the centre's disk or store is at fault."""
    print(f"run_wall.py {command}: {why}", file=sys.stderr)
    return 75  # EX_TEMPFAIL: try again once there is room


def _run(command: str, args: argparse.Namespace) -> int:
    if command == "validate":
        return validate(args.files, args.wall_file)
    if command == "kiosk":
        return kiosk(args)
    if command == "agency-tokens":
        return agency_tokens(args)
    if command == "bridge-tokens":
        return bridge_tokens(args)
    if command == "bridge-client":
        from video.client import main_async

        return asyncio.run(main_async(args))
    if command == "reset-password":
        return asyncio.run(reset_password(args))
    if command == "rotate-keys":
        return asyncio.run(rotate_keys(args))
    if command == "credentials":
        return asyncio.run(credentials(args))
    if command == "users":
        return asyncio.run(users_command(args))
    if command == "audit":
        return asyncio.run(audit_verify(args))
    if command == "unlock":
        return asyncio.run(unlock(args))
    return run_server(args)
