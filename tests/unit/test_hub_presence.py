"""Screens held by other server processes: their presence messages make the switching
process expect them, until they say they left or fall silent past the TTL."""

from __future__ import annotations

from bussupport import listening
from wallsupport import RecordingLink, wait_until

from command_center.auth import Principal, Role
from command_center.messages import ScreenPresence
from command_center.server.hub import ScreenHub
from command_center.server.presence import REMOTE_PRESENCE_TTL_MS

DUTY = Principal("duty", Role.DUTY_OFFICER)


async def test_screens_of_other_processes_are_expected_while_present(hub: ScreenHub) -> None:
    now = hub._clock()
    hub._on_bus(ScreenPresence(screen="r1c1", process="other", online=True, at=now))
    hub._on_bus(ScreenPresence(screen="r1c2", process="other", online=False, at=now))
    stale = now - REMOTE_PRESENCE_TTL_MS - 1
    hub._on_bus(ScreenPresence(screen="r1c3", process="other", online=True, at=stale))
    hub._on_bus(ScreenPresence(screen="no-such-screen", process="other", online=True, at=now))
    # Its own messages (back from Redis) are not another process's.
    hub._on_bus(ScreenPresence(screen="r2c1", process=hub.process, online=True, at=now))
    report = await hub.switch("calibration", DUTY)
    assert report.expected == {"r1c1"}
    assert report.missing == ["r1c1"]


async def test_a_screen_announces_itself_and_its_leaving(hub: ScreenHub) -> None:
    async with listening(hub._bus, ScreenPresence) as seen:
        link = RecordingLink("r1c1")
        await hub.attach(link, None)
        hub.detach(link)
        await wait_until(lambda: len(seen) >= 2, within=5, what="presence up and down")
    assert [(m.screen, m.online, m.process) for m in seen[:2]] == [
        ("r1c1", True, hub.process),
        ("r1c1", False, hub.process),
    ]
