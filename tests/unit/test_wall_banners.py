"""WallBanners on a real embedded control store, audit store and in-memory bus: each screen
gets its banners through the hub, a zone's banner only there, withdraw and expiry take them
down (expiry on a fake clock and fake timers the test advances: nothing waits), and another
process's change arrives by re-reading the store."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from timersupport import FakeTimers
from wallsupport import RecordingLink, wait_until

from command_center.bus import MemoryBus
from command_center.control_store import ControlStore, open_control_store
from command_center.protocol import Banner, BannersMessage
from command_center.server.banners import WallBanners
from command_center.server.composition import build_registry
from command_center.server.hub import ScreenHub
from command_center.store import Store, open_store
from layouts import DEFAULT_WALL_FILE, presets_dir_for
from layouts.loader import load_presets, load_wall

START_MS = 1_700_000_000_000.0


class Parts:
    def __init__(self, hub: ScreenHub, store: Store, control: ControlStore, bus: MemoryBus) -> None:
        self.hub, self.store, self.control, self.bus = hub, store, control, bus
        self.timers = FakeTimers()
        self.banners = self.service()

    def clock(self) -> float:
        return START_MS + (self.timers.time() - 1000.0) * 1000.0

    def service(self) -> WallBanners:
        return WallBanners(
            self.control, self.bus, self.hub, self.clock, audit_store=self.store, timers=self.timers
        )


@pytest.fixture
async def parts(tmp_path: Path) -> AsyncIterator[Parts]:
    wall = load_wall(DEFAULT_WALL_FILE)
    presets = load_presets(presets_dir_for(wall.id), wall, build_registry())
    async with (
        open_store(tmp_path, None) as store,
        open_control_store(tmp_path, None) as control,
    ):
        bus = MemoryBus()
        hub = ScreenHub(wall, presets, store, bus, flush_hz=0.01)
        await hub.start()
        made = Parts(hub, store, control, bus)
        await made.banners.start()
        yield made
        await made.banners.stop()
        await hub.stop()
        await bus.close()


def banner(ident: str, severity: str = "info", expires_at: float | None = None) -> Banner:
    return Banner.model_validate(
        {
            "id": ident,
            "text_vi": f"Thông báo {ident}",
            "text_en": f"Notice {ident}",
            "severity": severity,
            "source": "announcement",
            "expires_at": expires_at,
            "since": START_MS,
        }
    )


def last_banners(link: RecordingLink) -> list[str]:
    sent = [m for m in link.sent if isinstance(m, BannersMessage)]
    assert sent, f"{link.screen} got no banners message"
    return [b.id for b in sent[-1].banners]


async def test_a_zone_banner_reaches_only_the_zone_and_withdraw_takes_it_down(
    parts: Parts,
) -> None:
    links = {s: RecordingLink(s) for s in parts.hub.wall.screen_ids()}
    for link in links.values():
        await parts.hub.attach(link, None)
    assert all(last_banners(link) == [] for link in links.values())  # the greeting has none
    zone = parts.hub.wall.zone_screens("trai")
    await parts.banners.put(banner("a"), zone, "duty")
    for screen, link in links.items():
        assert last_banners(link) == (["a"] if screen in zone else []), screen
    right = links["r1c4"]
    count = len(right.sent)
    await parts.banners.put(banner("b", "critical"), parts.hub.wall.zone_screens(None), "duty")
    # Most serious first; a screen whose set did not change gets no message.
    assert last_banners(links["r1c1"]) == ["b", "a"]
    assert last_banners(right) == ["b"] and len(right.sent) == count + 1
    assert await parts.banners.withdraw("a", "duty") is True
    assert await parts.banners.withdraw("a", "duty") is False
    assert last_banners(links["r1c1"]) == ["b"]
    assert [b.id for b, _ in parts.banners.active()] == ["b"]
    assert await parts.control.get("banner", "a") is None


async def test_a_banner_expires_by_itself_once_audited(parts: Parts) -> None:
    link = RecordingLink("r2c3")
    await parts.hub.attach(link, None)
    await parts.banners.put(banner("soon", expires_at=START_MS + 2000), ["r2c3"], "duty")
    await parts.banners.put(banner("later", expires_at=START_MS + 60_000), ["r2c3"], "duty")
    assert last_banners(link) == ["later", "soon"]  # same since: by id
    parts.timers.advance(1.9)
    assert last_banners(link) == ["later", "soon"]
    parts.timers.advance(0.2)  # past the first expiry: the timer fires

    async def gone() -> bool:
        return await parts.control.get("banner", "soon") is None

    await wait_until(gone, what="the expired banner deleted from the store")
    assert last_banners(link) == ["later"]
    rows = await parts.store.audit_entries(limit=5, action="banner_expired")
    assert [(r.target, r.detail["source"]) for r in rows] == [("soon", "announcement")]


async def test_another_process_change_arrives_through_the_store(parts: Parts) -> None:
    other = parts.service()  # a second process's service on the same store and bus
    link = RecordingLink("r1c1")
    await parts.hub.attach(link, None)
    await other.put(banner("from-b"), ["r1c1"], "duty-b")  # other.start() never ran
    await wait_until(lambda: last_banners(link) == ["from-b"], what="the hint re-read")
    # What a process starting later shows comes from the store.
    fresh = parts.service()
    await fresh.reload()
    assert [b.id for b, _ in fresh.active()] == ["from-b"]


async def test_unknown_screens_are_refused(parts: Parts) -> None:
    with pytest.raises(ValueError, match="unknown: \\['r9c9'\\]"):
        await parts.banners.put(banner("x"), ["r9c9"], "duty")
    with pytest.raises(ValueError, match="none given"):
        await parts.banners.put(banner("x"), [], "duty")
