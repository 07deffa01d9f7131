"""Sessions on a real embedded store, with a clock the test moves: lifetimes, idle ends,
the cross-process cache, scoped tokens, and a table of tokens that must be refused."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from command_center.auth import Principal, Role
from command_center.errors import AuthError
from command_center.sessions import SCOPE_VIEW, SessionPolicy, Sessions, session_id
from command_center.store import Store, open_store

SECRET = b"k" * 32
DUTY = Principal("truc-ban", Role.DUTY_OFFICER)
VIEWER = Principal("xem", Role.VIEWER)
POLICY = SessionPolicy(absolute_s=12 * 3600, idle_s=30 * 60, touch_every_s=30, cache_s=1)


class Clock:
    def __init__(self) -> None:
        self.now = 1_764_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    async with open_store(tmp_path, None) as opened:
        yield opened


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sessions(store: Store, clock: Clock) -> Sessions:
    return Sessions(store, SECRET, POLICY, clock)


async def test_issue_then_check(sessions: Sessions, store: Store) -> None:
    token = await sessions.issue(DUTY, "10.0.0.7")
    assert token.startswith("ses.") and len(token) > 40
    assert await sessions.check(token) == DUTY
    record = await store.get_session(session_id(token))
    assert record is not None and record.address == "10.0.0.7"
    assert await store.get_session(token) is None  # only the hash is a key


async def test_the_store_never_holds_the_token(
    sessions: Sessions, store: Store, tmp_path: Path
) -> None:
    token = await sessions.issue(DUTY, None)
    await store.close()
    files = await asyncio.to_thread(
        lambda: b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.is_file())
    )
    assert token.encode() not in files
    assert session_id(token).encode() in files


async def test_end_stops_the_session_at_once(sessions: Sessions) -> None:
    token = await sessions.issue(DUTY, None)
    await sessions.check(token)
    await sessions.end(token)
    with pytest.raises(AuthError, match="session ended or unknown"):
        await sessions.check(token)


async def test_end_user_ends_every_session_of_that_user_only(sessions: Sessions) -> None:
    first, second = await sessions.issue(DUTY, None), await sessions.issue(DUTY, None)
    other = await sessions.issue(VIEWER, None)
    assert await sessions.end_user("truc-ban") == 2
    for token in (first, second):
        with pytest.raises(AuthError):
            await sessions.check(token)
    assert await sessions.check(other) == VIEWER


async def test_another_process_sees_an_end_once_its_cache_lapses(
    store: Store, clock: Clock
) -> None:
    here, there = Sessions(store, SECRET, POLICY, clock), Sessions(store, SECRET, POLICY, clock)
    token = await here.issue(DUTY, None)
    assert await there.check(token) == DUTY  # cached in "there" now
    await here.end(token)
    clock.now += POLICY.cache_s
    with pytest.raises(AuthError, match="session ended"):
        await there.check(token)


async def test_idle_session_ends(sessions: Sessions, clock: Clock, store: Store) -> None:
    token = await sessions.issue(DUTY, None)
    clock.now += POLICY.idle_s
    with pytest.raises(AuthError, match=r"unused for 30 min \(limit 30 min\)"):
        await sessions.check(token)
    assert await store.get_session(session_id(token)) is None


async def test_use_keeps_a_session_alive_until_its_absolute_end(
    sessions: Sessions, clock: Clock
) -> None:
    token = await sessions.issue(DUTY, None)
    for _ in range(int(POLICY.absolute_s // (20 * 60)) - 1):
        clock.now += 20 * 60
        assert await sessions.check(token) == DUTY
    clock.now += 20 * 60
    with pytest.raises(AuthError, match="session expired at"):
        await sessions.check(token)


async def test_last_seen_is_written_at_most_every_touch_period(
    sessions: Sessions, clock: Clock, store: Store
) -> None:
    token = await sessions.issue(DUTY, None)
    issued = clock.now
    clock.now += POLICY.touch_every_s - 1
    await sessions.check(token)
    record = await store.get_session(session_id(token))
    assert record is not None and record.last_seen == issued
    clock.now += 2
    await sessions.check(token)
    record = await store.get_session(session_id(token))
    assert record is not None and record.last_seen == clock.now


async def test_a_check_that_is_not_a_use_lets_the_session_go_idle(
    sessions: Sessions, clock: Clock
) -> None:
    token = await sessions.issue(DUTY, None)
    view = sessions.scoped_token(DUTY, SCOPE_VIEW, 300, session=token)
    for _ in range(5):  # a console watching its session, a preview reconnecting
        clock.now += POLICY.idle_s / 6
        assert await sessions.check(token, use=False) == DUTY
        view = sessions.scoped_token(DUTY, SCOPE_VIEW, 300, session=token)
        assert await sessions.check_scoped(view, SCOPE_VIEW) == DUTY
    clock.now += POLICY.idle_s / 6
    with pytest.raises(AuthError, match="unused for 30 min"):
        await sessions.check(token, use=False)


async def test_scoped_token_works_for_its_scope_only(sessions: Sessions) -> None:
    parent = await sessions.issue(DUTY, None)
    token = sessions.scoped_token(DUTY, SCOPE_VIEW, 300, session=parent)
    assert token.startswith("scp.")
    assert await sessions.check_scoped(token, SCOPE_VIEW) == DUTY
    assert await sessions.identify(token) == DUTY
    with pytest.raises(AuthError, match="token is for 'view', not 'switch'"):
        await sessions.check_scoped(token, "switch")
    with pytest.raises(AuthError, match="not a session token"):
        await sessions.check(token)  # never a session: the API refuses it


async def test_scoped_token_expires(sessions: Sessions, clock: Clock) -> None:
    token = sessions.scoped_token(DUTY, SCOPE_VIEW, 60)
    clock.now += 60
    with pytest.raises(AuthError, match="scoped token expired"):
        await sessions.check_scoped(token, SCOPE_VIEW)


async def test_scoped_token_dies_with_its_session(sessions: Sessions) -> None:
    parent = await sessions.issue(DUTY, None)
    token = sessions.scoped_token(DUTY, SCOPE_VIEW, 300, session=parent)
    await sessions.end(parent)
    with pytest.raises(AuthError, match="session ended"):
        await sessions.check_scoped(token, SCOPE_VIEW)


@pytest.mark.parametrize("ttl", [0, -1, 301, 12 * 3600])
def test_scoped_tokens_live_at_most_five_minutes(sessions: Sessions, ttl: float) -> None:
    with pytest.raises(ValueError, match=r"ttl must be in \(0, 300\]"):
        sessions.scoped_token(DUTY, SCOPE_VIEW, ttl)


def _forged_role(sessions: Sessions) -> str:
    # A viewer's token with the payload of a duty officer's and the viewer's signature.
    viewer = sessions.scoped_token(VIEWER, SCOPE_VIEW, 60).split(".")
    duty = sessions.scoped_token(DUTY, SCOPE_VIEW, 60).split(".")
    return f"scp.{duty[1]}.{viewer[2]}"


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda s: "", "not a session token"),
        (lambda s: "ses.", "session ended or unknown"),
        (lambda s: "ses.guessed-token", "session ended or unknown"),
        (lambda s: "scp.nodot", "malformed scoped token"),
        (lambda s: "scp.e30.AAAA", "bad signature"),
        (_forged_role, "bad signature"),
        (
            lambda s: Sessions(s._store, b"other", POLICY).scoped_token(VIEWER, SCOPE_VIEW, 60),
            "bad signature",
        ),
    ],
    ids=[
        "empty",
        "prefix-only",
        "guessed",
        "scoped-malformed",
        "scoped-unsigned",
        "scoped-role-swapped",
        "scoped-other-server",
    ],
)
async def test_refused_tokens(sessions: Sessions, make: object, message: str) -> None:
    token = make(sessions)  # type: ignore[operator]
    with pytest.raises(AuthError, match=message):
        await sessions.identify(token)
