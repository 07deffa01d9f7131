"""Device credentials from the command line: the kiosk command lines with their screen
tokens, agencies' and bridge points' tokens, rotating a kind's key, and listing, revoking or
reissuing one credential (every change audited as ``cli:<os user>``)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import shlex
import subprocess
import sys
import time
from collections.abc import Iterable

from command_center.cli.actor import audit_as_cli
from command_center.credentials import DeviceKind
from command_center.server.keys import Keys

CHROMIUM_FLAGS = [
    "--kiosk",
    "--noerrdialogs",
    "--disable-infobars",
    "--no-first-run",
    "--disable-session-crashed-bubble",
    "--disable-features=Translate",
    "--autoplay-policy=no-user-gesture-required",
    "--check-for-update-interval=31536000",
]


async def _keys(args: argparse.Namespace) -> Keys:
    from command_center.server.keys import key_file_path, load_keys
    from command_center.store import open_store

    async with open_store(args.data_dir, args.redis_url) as store:
        return await load_keys(store, key_file_path(args.data_dir, args.keys_file))


def _current_token(keys: Keys, kind: str, ident: str) -> str | None:
    """The credential's token, or None (and a word on stderr) when it is revoked."""
    try:
        return keys.devices.issue(kind, ident)
    except ValueError:
        print(
            f"{kind} '{ident}' is revoked (run_wall.py credentials reissue {kind} {ident})",
            file=sys.stderr,
        )
        return None


def _wanted(asked: list[str] | None, known: Iterable[str], what: str) -> set[str] | None:
    """The ids asked for (every known one when none), or None once the unknown ones are
    named on stderr."""
    ids = set(known)
    wanted = set(asked or ids)
    unknown = wanted - ids
    if unknown:
        print(f"unknown {what}: {', '.join(sorted(unknown))}", file=sys.stderr)
        return None
    return wanted


def kiosk(args: argparse.Namespace) -> int:
    from layouts import DEFAULT_WALL_FILE
    from layouts.loader import load_wall

    wall = load_wall(args.wall_file or DEFAULT_WALL_FILE)
    keys = asyncio.run(_keys(args))
    wanted = _wanted(args.screen, [s.id for s in wall.screens], "screen(s)")
    if wanted is None:
        return 2
    for screen in wall.screens:
        if screen.id not in wanted:
            continue
        token = _current_token(keys, "screen", screen.id)
        if token is None:
            continue
        url = f"{args.url.rstrip('/')}/wall/{screen.id}?token={token}"
        cmd = [
            args.chromium,
            *CHROMIUM_FLAGS,
            f"--user-data-dir=/var/tmp/wall-{screen.id}",
            f"--window-size={screen.width},{screen.height}",
            # Place each browser on its own output when one machine drives several screens.
            f"--window-position={screen.col * screen.width},{screen.row * screen.height}",
            url,
        ]
        print(f"# {screen.id} ({screen.width}×{screen.height})")
        print(shlex.join(cmd))
        if args.launch:
            subprocess.Popen(cmd, start_new_session=True)
    return 0


def agency_tokens(args: argparse.Namespace) -> int:
    """One line per agency: its id, then the whole ``Authorization: Bearer`` credential."""
    from command_center.credentials import DeviceKind
    from feeds.loader import load_feeds

    registry = load_feeds().agencies
    wanted = _wanted(args.agency, registry.ids, "agency id(s)")
    if wanted is None:
        return 2
    keys = asyncio.run(_keys(args))
    for agency in registry:
        if agency.id in wanted:
            token = _current_token(keys, DeviceKind.AGENCY, agency.id)
            if token is not None:
                print(f"{agency.id}\t{agency.id}:{token}")
    return 0


def bridge_tokens(args: argparse.Namespace) -> int:
    """One line per bridge point: its id, then its token (WHIP ``Authorization: Bearer``;
    ``point:<id>:<token>`` for WHEP and the control channel)."""
    from video.registry import load_bridge_points

    registry = load_bridge_points()
    wanted = _wanted(args.point, registry.ids, "bridge point id(s)")
    if wanted is None:
        return 2
    keys = asyncio.run(_keys(args))
    for point in registry:
        token = _current_token(keys, "bridge", point.id) if point.id in wanted else None
        if token is not None:
            print(f"{point.id}\t{token}")
    return 0


def known_credentials(args: argparse.Namespace) -> dict[DeviceKind, list[str]]:
    """Every credential the registries name, by kind (the wall's screens, the agencies,
    the bridge points but the room itself)."""
    from command_center.server.credentials_api import known_credentials as known
    from feeds.loader import load_feeds
    from layouts import DEFAULT_WALL_FILE
    from layouts.loader import load_wall
    from video.registry import load_bridge_points

    wall = load_wall(args.wall_file or DEFAULT_WALL_FILE)
    return known(wall, load_feeds(), load_bridge_points())


def _credential_line(kind: str, ident: str, token: str, url: str) -> str:
    if kind == "screen":
        return f"{ident}\t{url.rstrip('/')}/wall/{ident}?token={token}"
    if kind == "agency":
        return f"{ident}\t{ident}:{token}"
    return f"{ident}\t{token}"


async def rotate_keys(args: argparse.Namespace) -> int:
    """A new key for one kind; prints that kind's new credentials, this once."""
    from command_center.server.keys import key_file_path, load_keys
    from command_center.store import open_store

    kind = DeviceKind(args.kind)
    known = known_credentials(args)[kind]
    async with open_store(args.data_dir, args.redis_url) as store:
        keys = await load_keys(store, key_file_path(args.data_dir, args.keys_file))
        keys.devices.rotate(kind)
        kid = keys.file.current().kinds[kind].kid
        await audit_as_cli(store, "rotate_keys", kind, {"kid": kid})
    print(f"# {kind}: new key {kid}; every older {kind} token is refused from now on")
    for ident in known:
        with contextlib.suppress(ValueError):  # a revoked credential stays revoked
            token = keys.devices.issue(kind, ident)
            print(_credential_line(kind, ident, token, args.url))
    return 0


async def credentials(args: argparse.Namespace) -> int:
    from command_center.credentials import credential_rows
    from command_center.server.keys import key_file_path, load_keys
    from command_center.store import open_store

    known = known_credentials(args)
    kind = DeviceKind(args.kind) if args.action != "list" else DeviceKind.SCREEN
    if args.action != "list" and args.ident not in known[kind]:
        print(f"unknown {kind} '{args.ident}' (known: {', '.join(known[kind])})", file=sys.stderr)
        return 2
    async with open_store(args.data_dir, args.redis_url) as store:
        keys = await load_keys(store, key_file_path(args.data_dir, args.keys_file))
        if args.action == "list":
            rows = await credential_rows(keys.file.current(), store, known)
            print("kind\tid\tkid\tgeneration\tstate\tlast_used\taddress")
            for row in rows:
                used = (
                    time.strftime("%d/%m/%Y %H:%M:%S", time.localtime(row["last_used_at"] / 1000))
                    if row["last_used_at"]
                    else "-"
                )
                print(
                    f"{row['kind']}\t{row['id']}\t{row['kid']}\t{row['generation']}\t"
                    f"{row['state']}\t{used}\t{row['last_address'] or '-'}"
                )
            return 0
        if args.action == "revoke":
            keys.devices.revoke(kind, args.ident)
            await audit_as_cli(store, "revoke_credential", f"{kind}:{args.ident}", {})
            print(f"{kind} '{args.ident}' revoked; reissue it to give it a new token")
            return 0
        token = keys.devices.reissue(kind, args.ident)
        generation = keys.file.current().credential(kind, args.ident).generation
        await audit_as_cli(
            store, "reissue_credential", f"{kind}:{args.ident}", {"generation": generation}
        )
    print(_credential_line(kind, args.ident, token, args.url))
    return 0
