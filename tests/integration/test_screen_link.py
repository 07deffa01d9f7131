"""The screen link over a real WebSocket: auth, layout, clock probes, switch, coalesced data."""

from __future__ import annotations

import asyncio
import time

import pytest
import websockets
from wallsupport import screen_client, screen_token, wait_until

from command_center.auth import Principal, Role
from command_center.messages import TileDataChanged
from command_center.server.runtime import WallRuntime

DUTY = Principal("test-duty", Role.DUTY_OFFICER)


async def test_wrong_token_is_refused_with_a_reason(rt: WallRuntime) -> None:
    async with screen_client(rt, "left-top", token=screen_token(rt, "right-top")) as screen:
        err = await screen.recv("error")
        assert err["code"] == "unauthenticated"
        assert "left-top" in err["message"]
    assert rt.hub.status["left-top"].online == 0


async def test_unknown_screen_and_missing_hello_are_refused(rt: WallRuntime) -> None:
    async with screen_client(rt, "middle", token="x") as screen:
        err = await screen.recv("error")
        assert err["code"] == "unknown_screen"
        assert "left-top" in err["message"]  # lists the known ids
    async with screen_client(rt, "left-top", hello=False) as screen:
        await screen.send(type="ping", t0=1.0)
        err = await screen.recv("error")
        assert err["code"] == "hello_first"


async def test_a_frame_over_64_kb_closes_the_link(rt: WallRuntime) -> None:
    async with screen_client(rt, "left-top") as screen:
        await screen.recv("welcome")
        await screen.ws.send("x" * (65 * 1024))
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(screen.ws.recv(), 10)  # layouts may come first: read on
            while True:
                await asyncio.wait_for(screen.ws.recv(), 10)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009  # message too big


async def test_screen_gets_its_part_of_the_wall(rt: WallRuntime) -> None:
    async with screen_client(rt, "right-top") as screen:
        welcome = await screen.recv("welcome")
        assert welcome["screen"]["id"] == "right-top"
        assert welcome["screen"]["viewport"]["x"] > 1920  # right of r1c1 and the bezel
        layout = await screen.recv("layout")
        assert layout["preset"] == "overview"
        assert layout["swap_at"] is None
        assert layout["tiles"], "the overview shows something on every screen"
        for tile in layout["tiles"]:
            rect = tile["rect"]
            # Every tile sent overlaps this screen.
            assert rect["x"] < 1920 and rect["x"] + rect["w"] > 0
            assert rect["y"] < 1080 and rect["y"] + rect["h"] > 0
        await wait_until(lambda: rt.hub.status["right-top"].online == 1, what="screen online")
        t0 = time.time() * 1000
        await screen.send(type="ping", t0=t0)
        pong = await screen.recv("pong")
        assert pong["t0"] == t0
        assert abs(pong["ts"] - t0) < 5000
    await wait_until(lambda: rt.hub.status["right-top"].online == 0, what="screen offline")


async def test_switch_reaches_every_screen_with_one_instant_and_reports_skew(
    rt: WallRuntime,
) -> None:
    async with (
        screen_client(rt, "left-top") as a,
        screen_client(rt, "right-bottom") as b,
    ):
        for s in (a, b):
            await s.recv("layout")
        report = await rt.hub.switch("calibration", DUTY)
        assert report.expected == {"left-top", "right-bottom"}
        la, lb = await a.recv("layout"), await b.recv("layout")
        assert la["preset"] == lb["preset"] == "calibration"
        assert la["swap_at"] == lb["swap_at"] == report.swap_at
        assert la["switch_id"] == report.switch_id
        await a.send(type="swapped", switch_id=report.switch_id, at=report.swap_at + 1.0)
        await b.send(type="swapped", switch_id=report.switch_id, at=report.swap_at + 4.5)
        await wait_until(lambda: report.complete, what="both screens reported")
        assert report.skew_ms == pytest.approx(3.5)


async def test_tile_data_is_coalesced_per_screen(rt: WallRuntime) -> None:
    async with screen_client(rt, "left-top") as screen:
        layout = await screen.recv("layout")
        tile = layout["tiles"][0]["id"]
        # A burst far faster than the flush rate arrives as one message with the last value.
        for i in range(200):
            await rt.bus.publish(
                TileDataChanged(tile=tile, data={"vi": f"giá trị {i}"}, ts=time.time() * 1000)
            )
        received: list[dict[str, object]] = []
        while True:
            msg = await screen.recv("data")
            received.append(msg)
            if msg["tiles"][tile]["vi"] == "giá trị 199":
                break
        assert len(received) < 20, f"{len(received)} messages for one burst"
        assert received[-1]["ts"][tile] <= received[-1]["sent"]


async def test_data_for_tiles_a_screen_does_not_show_is_not_sent(rt: WallRuntime) -> None:
    async with screen_client(rt, "left-top") as screen:
        await screen.recv("layout")
        await rt.bus.publish(TileDataChanged(tile="no-such-tile", data={"x": 1}, ts=0.0))
        with pytest.raises((AssertionError, asyncio.TimeoutError)):
            await screen.recv("data", within=0.5)
