"""Attacks on sessions, accounts and the audit trail (issue 9, points 2 and 9), one per test.

Each was possible before server-side sessions: a token outlived sign-out, a password reset,
a role change and disabling; a token minted with the signing key was as good as a real one;
the console page's token could switch the wall; an edited or deleted audit row went
unnoticed. Two server processes share a private Redis where revocation must cross
processes; the ``users`` and ``audit`` commands run as real processes.
"""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
import redis
from wallprocess import WallProcess, arun_cli, private_redis, started_pair
from wallsupport import WALL_2X2, password_of, running_wall, wait_until

from command_center.auth import Principal, Role, issue_session
from command_center.server.runtime import WallRuntime
from command_center.sessions import SCOPE_VIEW
from command_center.store.embedded import FILENAME

# The issue's bound: an ended session stops working everywhere within 5 s.
REVOKED_WITHIN_S = 5.0


async def sign_in(base: str, username: str, password: str) -> dict[str, str]:
    async with httpx.AsyncClient(base_url=base) as client:
        r = await client.post("/api/v1/sessions", json={"username": username, "password": password})
    assert r.status_code == 201, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


async def status(base: str, headers: dict[str, str], path: str = "/api/v1/state") -> int:
    async with httpx.AsyncClient(base_url=base) as client:
        return (await client.get(path, headers=headers)).status_code


async def refused_everywhere(bases: list[str], headers: dict[str, str], what: str) -> None:
    for base in bases:

        async def refused(base: str = base) -> bool:
            return await status(base, headers) == 401

        await wait_until(refused, within=REVOKED_WITHIN_S, interval=0.1, what=f"{what} on {base}")


# --- two processes sharing Redis -------------------------------------------------------


class Pair:
    def __init__(self, a: WallProcess, b: WallProcess, redis_url: str) -> None:
        self.a, self.b, self.redis_url = a, b, redis_url
        self.bases = [a.url, b.url]

    async def users(self, *args: str) -> subprocess.CompletedProcess[str]:
        result = await arun_cli("users", *args, "--redis", self.redis_url)
        assert result.returncode == 0, result.stderr
        return result

    async def new_user(self, name: str, role: str) -> str:
        out = (await self.users("add", name, "--role", role)).stdout
        return out.strip().rsplit(" ", 1)[1]

    async def signed_in_on_both(self, name: str, password: str) -> list[dict[str, str]]:
        tokens = [await sign_in(base, name, password) for base in self.bases]
        for base in self.bases:
            for headers in tokens:
                assert await status(base, headers) == 200
        return tokens


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    root = tmp_path_factory.mktemp("pair")
    with private_redis() as url:
        a = WallProcess(data_dir=root / "a", wall_file=WALL_2X2, extra=["--redis", url])
        b = WallProcess(data_dir=root / "b", wall_file=WALL_2X2, extra=["--redis", url])
        with started_pair(a, b):
            yield Pair(a, b, url)


@pytest.mark.redis
async def test_bearer_token_after_sign_out_is_refused_on_every_process(pair: Pair) -> None:
    password = await pair.new_user("signout-api", "duty_officer")
    headers = await sign_in(pair.a.url, "signout-api", password)
    assert await status(pair.b.url, headers) == 200
    async with httpx.AsyncClient(base_url=pair.a.url) as client:
        r = await client.delete("/api/v1/sessions/current", headers=headers)
    assert r.status_code == 200 and r.json() == {"ended": True, "username": "signout-api"}
    assert await status(pair.a.url, headers) == 401  # at once where it ended
    await refused_everywhere(pair.bases, headers, "the signed-out token refused")


@pytest.mark.redis
async def test_stolen_cookie_after_logout_is_refused(pair: Pair) -> None:
    password = await pair.new_user("signout-cookie", "viewer")
    async with httpx.AsyncClient(base_url=pair.a.url) as client:
        r = await client.post("/login", data={"username": "signout-cookie", "password": password})
        assert r.status_code == 302
        stolen = {"Cookie": f"cc_session={r.cookies['cc_session']}"}
        assert await status(pair.b.url, stolen) == 200
        # The owner signs out (POST, from the wall's own page); the thief kept a copy.
        await client.post("/logout", headers={"Origin": pair.a.url})
    await refused_everywhere(pair.bases, stolen, "the copied cookie refused")


@pytest.mark.redis
async def test_sessions_end_when_the_password_is_reset(pair: Pair) -> None:
    password = await pair.new_user("reset-me", "duty_officer")
    tokens = await pair.signed_in_on_both("reset-me", password)
    out = (await pair.users("reset-password", "reset-me")).stdout
    for headers in tokens:
        await refused_everywhere(pair.bases, headers, "a session from before the reset")
    new_password = out.strip().rsplit(" ", 1)[1]
    assert new_password != password
    await sign_in(pair.b.url, "reset-me", new_password)


@pytest.mark.redis
async def test_sessions_end_when_the_role_is_lowered(pair: Pair) -> None:
    password = await pair.new_user("demote-me", "duty_officer")
    tokens = await pair.signed_in_on_both("demote-me", password)
    await pair.users("set-role", "demote-me", "viewer")
    for headers in tokens:
        await refused_everywhere(pair.bases, headers, "a duty officer's session after demotion")
    viewer = await sign_in(pair.a.url, "demote-me", password)
    async with httpx.AsyncClient(base_url=pair.b.url) as client:
        r = await client.post("/api/v1/switch", json={"preset": "calibration"}, headers=viewer)
    assert r.status_code == 403


@pytest.mark.redis
async def test_a_disabled_user_is_out_and_stays_out(pair: Pair) -> None:
    password = await pair.new_user("disable-me", "viewer")
    tokens = await pair.signed_in_on_both("disable-me", password)
    await pair.users("disable", "disable-me")
    for headers in tokens:
        await refused_everywhere(pair.bases, headers, "a disabled user's session")
    async with httpx.AsyncClient(base_url=pair.a.url) as client:
        r = await client.post(
            "/api/v1/sessions", json={"username": "disable-me", "password": password}
        )
    assert r.status_code == 401
    await pair.users("enable", "disable-me")
    await sign_in(pair.a.url, "disable-me", password)


@pytest.mark.redis
async def test_reset_password_clears_the_lock_on_the_name(pair: Pair) -> None:
    await pair.new_user("locked-out", "duty_officer")
    stranger = httpx.AsyncHTTPTransport(local_address="127.0.0.3")
    async with httpx.AsyncClient(base_url=pair.a.url, transport=stranger) as client:
        for _ in range(6):  # a stranger locks the name
            await client.post("/api/v1/sessions", json={"username": "locked-out", "password": "x"})
    owner = httpx.AsyncHTTPTransport(local_address="127.0.0.2")
    async with httpx.AsyncClient(base_url=pair.b.url, transport=owner) as client:
        body = {"username": "locked-out", "password": "x"}
        # The stranger's lock does not reach the owner's address...
        assert (await client.post("/api/v1/sessions", json=body)).status_code == 401
        for _ in range(5):  # ...but the owner's own forgotten password does
            await client.post("/api/v1/sessions", json=body)
        assert (await client.post("/api/v1/sessions", json=body)).status_code == 429
        out = (await pair.users("reset-password", "locked-out")).stdout
        body["password"] = out.strip().rsplit(" ", 1)[1]
        r = await client.post("/api/v1/sessions", json=body)
    assert r.status_code == 201, r.text


# --- one process -----------------------------------------------------------------------


@pytest.fixture
async def rt(tmp_path: Path) -> AsyncIterator[WallRuntime]:
    async with running_wall(tmp_path, session_idle_min=0.02) as runtime:  # 1.2 s idle
        yield runtime


def base_of(rt: WallRuntime) -> str:
    return f"http://127.0.0.1:{rt.port}"


async def test_an_idle_session_ends(rt: WallRuntime) -> None:
    headers = await sign_in(base_of(rt), *password_of(rt, Role.DUTY_OFFICER))
    assert await status(base_of(rt), headers) == 200
    async with httpx.AsyncClient(base_url=base_of(rt)) as client:

        async def ended() -> bool:
            return (await client.get("/api/v1/state", headers=headers)).status_code == 401

        # Polling itself is a use: poll more slowly than the idle limit, as a person away.
        await wait_until(ended, within=10, interval=1.5, what="the idle session ended")
        r = await client.get("/api/v1/state", headers=headers)
    assert r.status_code == 401


async def test_a_token_minted_with_the_signing_key_is_worthless(rt: WallRuntime) -> None:
    # Whoever read the session key could sign any session before; now a session is a
    # record the server keeps, and a signed text is none.
    forged = issue_session(rt.keys.session, Principal("admin", Role.ADMIN), time.time())
    headers = {"Authorization": f"Bearer {forged}"}
    async with httpx.AsyncClient(base_url=base_of(rt)) as client:
        r = await client.post("/api/v1/switch", json={"preset": "calibration"}, headers=headers)
    assert r.status_code == 401


async def test_the_console_pages_token_cannot_switch(rt: WallRuntime) -> None:
    assert rt.sessions is not None
    duty = Principal(*password_of(rt, Role.DUTY_OFFICER)[:1], Role.DUTY_OFFICER)
    page_token = rt.sessions.scoped_token(duty, SCOPE_VIEW, 300)
    headers = {"Authorization": f"Bearer {page_token}"}
    async with httpx.AsyncClient(base_url=base_of(rt)) as client:
        r = await client.post("/api/v1/switch", json={"preset": "calibration"}, headers=headers)
    assert r.status_code == 401
    assert rt.hub.state.preset != "calibration"


async def test_the_console_pages_token_only_watches_the_call(rt: WallRuntime) -> None:
    """The view-only token in page JavaScript cannot put the room on the call, even when it
    was made for a duty officer; it still reads the roster."""
    assert rt.sessions is not None
    duty = Principal(*password_of(rt, Role.DUTY_OFFICER)[:1], Role.DUTY_OFFICER)
    headers = {"Authorization": f"Bearer {rt.sessions.scoped_token(duty, SCOPE_VIEW, 300)}"}
    offer = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
    async with httpx.AsyncClient(base_url=base_of(rt)) as client:
        r = await client.post(
            "/whip/room", content=offer, headers={**headers, "Content-Type": "application/sdp"}
        )
        assert r.status_code == 403, r.text
        roster = await client.get("/api/v1/video/roster", headers=headers)
    assert roster.status_code in (200, 401)  # the JSON API takes sessions, not page tokens


async def test_sign_ins_and_outs_are_audited_with_the_address(rt: WallRuntime) -> None:
    name, password = password_of(rt, Role.ADMIN)
    async with httpx.AsyncClient(base_url=base_of(rt)) as client:
        await client.post("/api/v1/sessions", json={"username": name, "password": "wrong"})
        headers = await sign_in(base_of(rt), name, password)
        refused = await client.get(
            "/api/v1/audit", params={"action": "sign_in_refused"}, headers=headers
        )
        signed = await client.get(
            "/api/v1/audit", params={"actor": name, "action": "sign_in"}, headers=headers
        )
    [row] = refused.json()["entries"]
    assert row["actor"] == name and row["detail"]["address"] == "127.0.0.1"
    assert row["detail"]["reason"] == "wrong username or password"
    [row] = signed.json()["entries"]
    assert row["role"] == "admin" and row["detail"]["address"] == "127.0.0.1"
    reader = await sign_in(base_of(rt), name, password)
    async with httpx.AsyncClient(base_url=base_of(rt)) as client:
        assert (await client.delete("/api/v1/sessions/current", headers=headers)).is_success
        out = await client.get("/api/v1/audit", params={"action": "sign_out"}, headers=reader)
    [row] = out.json()["entries"]
    assert row["actor"] == name and row["target"] == "api"


# --- the audit trail, checked by the real command ----------------------------------------


def tamper_sqlite(path: Path, how: str) -> None:
    with sqlite3.connect(path) as conn:
        if how == "edited":
            conn.execute("UPDATE audit SET target = 'someone-else' WHERE seq = 2")
        elif how == "deleted":
            conn.execute("DELETE FROM audit WHERE seq = 2")
        elif how == "last-deleted":
            conn.execute("DELETE FROM audit WHERE seq = (SELECT MAX(seq) FROM audit)")
        elif how == "reordered":
            # Rows 2 and 3 trade places (every column but seq).
            cols = "at, actor, role, action, target, detail, prev, hash"
            two = conn.execute(f"SELECT {cols} FROM audit WHERE seq = 2").fetchone()
            three = conn.execute(f"SELECT {cols} FROM audit WHERE seq = 3").fetchone()
            sets = ", ".join(f"{c} = ?" for c in cols.split(", "))
            conn.execute(f"UPDATE audit SET {sets} WHERE seq = 2", three)
            conn.execute(f"UPDATE audit SET {sets} WHERE seq = 3", two)


async def audited_history(*where: str) -> None:
    """Four audited changes, made through the users command."""
    for args in (
        ("add", "a1", "--role", "viewer"),
        ("set-role", "a1", "duty_officer"),
        ("disable", "a1"),
        ("enable", "a1"),
    ):
        result = await arun_cli("users", *args, *where)
        assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    "how, expected",
    [
        ("edited", "row 2 (user_role_set by cli:"),
        ("deleted", "row 2 (user_disabled by cli:"),
        ("last-deleted", "after row 3: the last row(s) were deleted"),
        ("reordered", "row 2 (user_disabled by cli:"),
    ],
    ids=["edited", "deleted", "last-deleted", "reordered"],
)
async def test_audit_verify_finds_a_tampered_row(tmp_path: Path, how: str, expected: str) -> None:
    where = ("--data-dir", str(tmp_path))
    await audited_history(*where)
    intact = await arun_cli("audit", "verify", *where)
    assert intact.returncode == 0 and "4 row(s): chain intact" in intact.stdout
    await asyncio.to_thread(tamper_sqlite, tmp_path / FILENAME, how)
    broken = await arun_cli("audit", "verify", *where)
    assert broken.returncode == 1
    assert expected in broken.stderr.splitlines()[0], broken.stderr


@pytest.mark.redis
async def test_audit_verify_finds_a_row_deleted_from_redis(
    tmp_path: Path, redis_url: str, redis_prefix: str
) -> None:
    # The commands use the default prefix, so this runs on a private Redis.
    with private_redis() as url:
        where = ("--redis", url, "--data-dir", str(tmp_path))
        await audited_history(*where)
        assert (await arun_cli("audit", "verify", *where)).returncode == 0
        with redis.Redis.from_url(url) as client:
            ids = [entry_id for entry_id, _ in client.xrange("cc:audit")]
            client.xdel("cc:audit", ids[1])
        broken = await arun_cli("audit", "verify", *where)
    assert broken.returncode == 1
    assert "row 2" in broken.stderr.splitlines()[0] and "deleted" in broken.stderr
