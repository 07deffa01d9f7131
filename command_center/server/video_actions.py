"""The console's video actions (mute, end a call, program, pins), each audited with who did it.

One place for both doors: the JSON routes (``video_routes``, for scripts) and the console's
Bokeh callbacks (``console_guard``) call these after authorising the caller, so an action
leaves the same audit row whichever door it came through.
"""

from __future__ import annotations

from typing import Any

from command_center.audit import audit
from command_center.auth import Principal
from command_center.store import Store
from video.room import VideoRoom


async def _audit(
    store: Store, who: Principal, action: str, target: str, detail: dict[str, Any]
) -> None:
    await audit(store, who, action, target, detail)


async def mute(
    room: VideoRoom, store: Store, who: Principal, point: str, muted: bool
) -> dict[str, Any]:
    status = await room.control.set_muted(point, muted, who.name)
    await _audit(store, who, "video_mute" if muted else "video_unmute", point, {"muted": muted})
    return status.model_dump()


async def end_call(room: VideoRoom, store: Store, who: Principal, point: str) -> dict[str, Any]:
    room.point(point)
    await room.end_publisher(point, "ended_by_console")
    await _audit(store, who, "video_end", point, {})
    return {"ended": point}


async def program(room: VideoRoom, store: Store, who: Principal, source: str) -> dict[str, Any]:
    before = room.program
    await room.control.set_program(source, who.name)
    await _audit(store, who, "video_program", source, {"from": before})
    return {"program": room.program}


async def pin(
    room: VideoRoom, store: Store, who: Principal, tile: str, source: str | None
) -> dict[str, Any]:
    pins = await room.control.pin(tile, source, who.name)
    await _audit(store, who, "video_pin", tile, {"source": source})
    return {"pins": pins}


async def room_publishing(store: Store, who: Principal, started: bool, session: str) -> None:
    """The room's own camera went on (or off) the call from the console."""
    action = "video_room_publish" if started else "video_room_stop"
    await _audit(store, who, action, "room", {"session": session})


async def refused(store: Store, who: Principal, action: str, target: str, exc: Exception) -> None:
    """A person's video action that was refused (``detail.refused`` says why)."""
    await _audit(store, who, action, target, {"refused": str(exc)})
