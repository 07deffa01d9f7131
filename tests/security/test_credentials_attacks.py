"""Attacks on device credentials and secrets at rest, one test (or row) per attack, each
against a real server, the real CLI and a real Redis."""

from __future__ import annotations

import asyncio
import json
import os
import stat
import subprocess
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import redis
import redis.asyncio as aioredis
from wallprocess import arun_cli, private_redis, run_cli
from wallsupport import WALL_2X2, running_wall, screen_client, wait_until

from command_center.credentials import DeviceKind, secret_bytes
from command_center.messages import TileDataChanged
from command_center.server.runtime import WallRuntime


@pytest.fixture
async def rt(tmp_path: Path) -> AsyncIterator[WallRuntime]:
    async with running_wall(tmp_path / "data") as runtime:
        yield runtime


async def agency_status(rt: WallRuntime, agency: str, token: str) -> int:
    async with httpx.AsyncClient(base_url=rt.url) as client:
        r = await client.post(
            "/api/v1/observations",
            json={"observations": []},
            headers={"Authorization": f"Bearer {agency}:{token}"},
        )
    return r.status_code


async def screen_accepts(rt: WallRuntime, screen: str, token: str) -> bool:
    async with screen_client(rt, screen, token) as client:
        first = await client.recv()
    return bool(first["type"] == "welcome")


async def bridge_page_status(rt: WallRuntime, point: str, token: str) -> int:
    async with httpx.AsyncClient(base_url=rt.url) as client:
        r = await client.get(f"/bridge/{point}", params={"token": token})
    return r.status_code


# --- a token of one kind used as another ---------------------------------------------


async def test_screen_token_is_no_agency_credential(rt: WallRuntime) -> None:
    agency = rt.feeds.agencies.ids[0]
    assert await agency_status(rt, agency, rt.keys.devices.issue("agency", agency)) != 401
    assert await agency_status(rt, agency, rt.keys.devices.issue("screen", agency)) == 401
    assert await agency_status(rt, agency, rt.keys.devices.issue("bridge", agency)) == 401


async def test_agency_token_opens_no_screen(rt: WallRuntime) -> None:
    assert await screen_accepts(rt, "left-top", rt.keys.devices.issue("screen", "left-top"))
    assert not await screen_accepts(rt, "left-top", rt.keys.devices.issue("agency", "left-top"))
    assert not await screen_accepts(rt, "left-top", rt.keys.devices.issue("bridge", "left-top"))


async def test_screen_token_opens_no_bridge_page(rt: WallRuntime) -> None:
    # The right token is swapped for the page's cookie (303 to the clean URL).
    assert await bridge_page_status(rt, "hue", rt.keys.devices.issue("bridge", "hue")) == 303
    assert await bridge_page_status(rt, "hue", rt.keys.devices.issue("screen", "hue")) == 401


# --- revocation and rotation reach a running server ------------------------------------


async def test_revoked_agency_token_refused_within_5_s_others_keep_working(
    rt: WallRuntime,
) -> None:
    stolen, other = rt.feeds.agencies.ids[:2]
    stolen_token = rt.keys.devices.issue("agency", stolen)
    other_token = rt.keys.devices.issue("agency", other)
    screen_token = rt.keys.devices.issue("screen", "left-top")
    assert await agency_status(rt, stolen, stolen_token) != 401
    data = ["--data-dir", str(rt.settings.data_dir), "--wall", str(WALL_2X2)]
    done = await arun_cli("credentials", "revoke", "agency", stolen, *data)
    assert done.returncode == 0, done.stderr
    revoked_at = time.monotonic()

    async def refused() -> bool:
        return await agency_status(rt, stolen, stolen_token) == 401

    await wait_until(refused, within=5, interval=0.2, what="the revoked token refused")
    assert time.monotonic() - revoked_at < 5
    assert await agency_status(rt, other, other_token) != 401
    assert await screen_accepts(rt, "left-top", screen_token)
    # Audited, by the person at the command line, in milliseconds.
    (entry,) = [e for e in await rt.store.audit() if e.action == "revoke_credential"]
    assert entry.target == f"agency:{stolen}" and entry.actor.startswith("cli:")
    assert entry.at > 1e12
    # The explicit command prints no token for it any more, and says why.
    printed = await arun_cli("agency-tokens", "--agency", stolen, *data)
    assert printed.returncode == 0 and printed.stdout == ""
    assert f"agency '{stolen}' is revoked" in printed.stderr
    # A reissue prints a new token that works; the stolen one stays dead.
    again = await arun_cli("credentials", "reissue", "agency", stolen, *data)
    assert again.returncode == 0, again.stderr
    new_token = again.stdout.strip().split("\t")[1].split(":", 1)[1]

    async def reissued() -> bool:
        return await agency_status(rt, stolen, new_token) != 401

    await wait_until(reissued, within=5, interval=0.2, what="the reissued token accepted")
    assert await agency_status(rt, stolen, stolen_token) == 401


async def test_rotated_kind_kills_its_old_tokens_only(rt: WallRuntime) -> None:
    agency = rt.feeds.agencies.ids[0]
    old = rt.keys.devices.issue("agency", agency)
    screen_token = rt.keys.devices.issue("screen", "left-top")
    data = ["--data-dir", str(rt.settings.data_dir), "--wall", str(WALL_2X2)]
    done = await arun_cli("rotate-keys", "--kind", "agency", *data)
    assert done.returncode == 0, done.stderr
    lines = dict(line.split("\t") for line in done.stdout.splitlines() if "\t" in line)
    new = lines[agency].split(":", 1)[1]  # printed this once

    async def rotated() -> bool:
        return await agency_status(rt, agency, old) == 401

    await wait_until(rotated, within=5, interval=0.2, what="old agency tokens refused")
    assert await agency_status(rt, agency, new) != 401
    assert await screen_accepts(rt, "left-top", screen_token)
    assert new not in (await arun_cli("credentials", "list", *data)).stdout  # never printed again


# --- secrets at rest -------------------------------------------------------------------


@pytest.mark.parametrize("name", ["keys.json", "wall.sqlite3", "wall.sqlite3-wal"])
async def test_world_readable_key_material_refuses_to_start(tmp_path: Path, name: str) -> None:
    data = tmp_path / "data"
    async with running_wall(data):
        pass
    (data / name).touch()  # SQLite removes its -wal at a clean close; a crash leaves it
    (data / name).chmod(0o644)
    done = await arun_cli(
        "--data-dir", str(data), "--wall", str(WALL_2X2), "--port", "0", "--no-browser"
    )
    assert done.returncode == 1
    assert str(data / name) in done.stderr
    assert f"chmod 600 {data / name}" in done.stderr
    assert "Ready" not in done.stdout


async def test_data_folder_is_private_after_a_start(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    (data / "left-over.txt").write_text("x")
    (data / "left-over.txt").chmod(0o644)
    async with running_wall(data):
        files = sorted(p.name for p in data.iterdir())
        assert "wall.sqlite3-wal" in files and "keys.json" in files
        assert stat.S_IMODE(data.stat().st_mode) == 0o700
        for path in data.iterdir():
            if path.is_file():
                assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


@pytest.mark.redis
async def test_keys_never_in_redis_and_old_ones_moved_out(tmp_path: Path) -> None:
    with private_redis() as url:
        client = redis.Redis.from_url(url)
        client.set("cc:secret:device", b"d" * 32)  # as an older version left it
        try:
            async with running_wall(tmp_path / "data", redis_url=url) as rt:
                ring = rt.keys.file.current()
                secrets = [secret_bytes(ring.session), secret_bytes(ring.bus)]
                secrets += [k.key() for k in ring.kinds.values()]
                dump = b""
                for key in client.scan_iter(match="*"):
                    dump += key + b"\n" + (client.dump(key) or b"")
                assert b"cc:secret:" not in dump
                for secret in secrets:
                    assert secret not in dump
                assert ring.session.encode() not in dump and ring.bus.encode() not in dump
                # The migrated key still opens the screens it opened before.
                assert ring.kinds[DeviceKind.SCREEN].legacy
        finally:
            client.close()


@pytest.mark.redis
async def test_forged_bus_message_is_dropped_and_counted(tmp_path: Path) -> None:
    with private_redis() as url:
        async with running_wall(tmp_path / "data", redis_url=url) as rt:
            forged = {
                "type": "layout_switched",
                "preset": "calibration",
                "version": 99,
                "switch_id": "forged",
                "swap_at": time.time() * 1000,
                "actor": "attacker",
            }
            port = url.rsplit(":", 1)[1].split("/")[0]
            done = await asyncio.to_thread(
                subprocess.run,
                ["redis-cli", "-p", port, "PUBLISH", "cc:bus", json.dumps(forged)],
                capture_output=True,
                text=True,
                timeout=30,
            )
            assert done.returncode == 0 and done.stdout.strip() != "0", done.stdout

            async with httpx.AsyncClient(base_url=rt.url) as client:

                async def counted() -> bool:
                    health = (await client.get("/health")).json()
                    return bool(health["bus_rejected"] >= 1)

                await wait_until(counted, within=10, what="the forged message counted")
                health = (await client.get("/health")).json()
            assert health["preset"] != "calibration" and health["version"] != 99


@pytest.mark.redis
async def test_replayed_bus_message_is_dropped_and_counted(tmp_path: Path) -> None:
    with private_redis() as url:
        async with running_wall(tmp_path / "data", redis_url=url) as rt:
            listener = aioredis.Redis.from_url(url)
            pubsub = listener.pubsub()
            try:
                await pubsub.subscribe("cc:bus")
                await rt.bus.publish(TileDataChanged(tile="nowhere", data={"v": 1}, ts=1.0))

                async def captured() -> bytes | None:
                    reply = await pubsub.get_message(ignore_subscribe_messages=True, timeout=0.1)
                    return None if reply is None else bytes(reply["data"])

                payload = await wait_until(captured, what="the signed message on Redis")
                before = rt.bus.rejected
                await listener.publish("cc:bus", payload)  # the attacker replays it as is
                await wait_until(lambda: rt.bus.rejected == before + 1, what="replay counted")
            finally:
                await pubsub.aclose()
                await listener.aclose()


def test_private_umask_in_the_cli(tmp_path: Path) -> None:
    # The CLI's own files (the key file, the store) are created 0600 whatever the caller's umask.
    old = os.umask(0o022)
    try:
        done = run_cli("bridge-tokens", "--data-dir", str(tmp_path / "data"))
    finally:
        os.umask(old)
    assert done.returncode == 0, done.stderr
    for path in (tmp_path / "data").iterdir():
        if path.is_file():
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
