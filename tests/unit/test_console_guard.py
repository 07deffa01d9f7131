"""The console's guard, on a real embedded store: who is asked at the moment an action runs,
what is refused and audited, and what a malformed message gets (one row per case)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from command_center.auth import Principal, Role
from command_center.errors import AuthError, NotFoundError
from command_center.server.console_admin import CredentialsPanel, credentials_table
from command_center.server.console_guard import (
    MAX_AUDITED_REFUSALS,
    ConsoleAction,
    ConsoleGuard,
    SwitchAction,
)
from command_center.store import Store, open_store

OFFICER = Principal("truc-ban", Role.DUTY_OFFICER)
VIEWER = Principal("xem", Role.VIEWER)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    async with open_store(tmp_path, None) as opened:
        yield opened


def now_is(who: Principal | None) -> Any:
    """A session check answering ``who`` (None: the session has ended)."""

    async def check() -> Principal:
        if who is None:
            raise AuthError("session ended (signed out)")
        return who

    return check


class Performed:
    def __init__(self) -> None:
        self.actions: list[tuple[ConsoleAction, Principal]] = []

    async def __call__(self, action: ConsoleAction, who: Principal) -> str:
        if isinstance(action, SwitchAction) and action.preset == "nope":
            raise NotFoundError("unknown preset 'nope'")
        self.actions.append((action, who))
        return f"done {action.action}"


CASES = [
    # (page opened as, session now, message, performed?, refusal audited as, message has)
    (OFFICER, OFFICER, {"action": "switch", "preset": "overview"}, True, None, "done switch"),
    (VIEWER, VIEWER, {"action": "switch", "preset": "overview"}, False, "switch_layout", "lacks"),
    (VIEWER, VIEWER, {"action": "mute", "point": "hue", "muted": True}, False, "video_mute", ""),
    (OFFICER, None, {"action": "end", "point": "hue"}, False, "video_end", "session ended"),
    # The role changed since the page was opened: the fresh principal decides.
    (OFFICER, VIEWER, {"action": "pin", "tile": "t", "source": None}, False, "video_pin", ""),
    # A viewer is refused before the message is even read.
    (VIEWER, VIEWER, {"action": "format-disk"}, False, "console_action", "lacks"),
    (OFFICER, OFFICER, {"action": "format-disk"}, False, None, "malformed console action"),
    (OFFICER, OFFICER, {"action": "switch"}, False, None, "preset"),
    (OFFICER, OFFICER, {"action": "switch", "preset": "nope"}, False, None, "unknown preset"),
    (OFFICER, OFFICER, "not an object", False, None, "malformed"),
]


@pytest.mark.parametrize(
    "opened_as, now, message, performed, audited_as, says",
    CASES,
    ids=[
        "officer-switches",
        "viewer-switch",
        "viewer-mute",
        "ended-session-end-call",
        "demoted-pin",
        "viewer-unknown-action",
        "officer-unknown-action",
        "officer-switch-without-preset",
        "officer-unknown-preset",
        "not-an-object",
    ],
)
async def test_guard(
    store: Store,
    opened_as: Principal,
    now: Principal | None,
    message: object,
    performed: bool,
    audited_as: str | None,
    says: str,
) -> None:
    perform = Performed()
    guard = ConsoleGuard(store, now_is(now), opened_as)
    outcome = await guard.run(message, perform)
    assert outcome.ok is performed
    assert says in outcome.message
    assert bool(perform.actions) is performed
    rows = await store.audit(10)
    if audited_as is None:
        assert rows == []
        return
    assert outcome.refused
    [row] = rows
    assert row.action == audited_as and row.detail["refused"]
    assert row.actor == (now or opened_as).name and row.role == str((now or opened_as).role)


async def test_the_watch_is_its_own_check(store: Store) -> None:
    guard = ConsoleGuard(store, now_is(OFFICER), OFFICER, watch=now_is(None))
    with pytest.raises(AuthError):
        await guard.watch()
    assert (await guard.run({"action": "switch", "preset": "x"}, Performed())).ok


async def test_admin_credentials_panel_lists_what_the_source_gives() -> None:
    rows: list[dict[str, Any]] = [
        {
            "kind": "screen",
            "id": "left-top",
            "last_used_at": 1_796_000_000_000,
            "address": "10.0.0.7",
        },
        {"kind": "agency", "id": "gso", "last_used_at": None, "address": None},
    ]

    async def source() -> list[dict[str, Any]]:
        return rows

    panel = CredentialsPanel(source, lambda ms: "—" if ms is None else f"t{ms}")
    await panel.refresh()
    text = str(panel.table.object)
    assert text.index("data-credential='agency:gso'") < text.index("screen:left-top")
    assert "10.0.0.7" in text and "t1796000000000" in text
    assert "Lần dùng cuối" in text and "Địa chỉ" in text
    english = credentials_table(rows, "en", str)
    assert "Last use" in english and "<script" not in credentials_table(
        [{"kind": "<script>", "id": "x"}], "vi", str
    )


async def test_a_flood_of_refusals_is_recorded_up_to_a_cap(store: Store) -> None:
    guard = ConsoleGuard(store, now_is(VIEWER), VIEWER)
    for _ in range(MAX_AUDITED_REFUSALS + 10):
        outcome = await guard.run({"action": "switch", "preset": "overview"}, Performed())
        assert outcome.refused
    rows = await store.audit(100)
    assert len(rows) == MAX_AUDITED_REFUSALS + 1
    assert rows[0].action == "console_refusals_capped"
