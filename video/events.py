"""The control channel's messages (``/ws/video``, JSON): what the room tells the console,
the wall's video tiles and the bridge points. Frozen, documented, one ``type`` each.
Times are ms since the epoch on the server's clock."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict


class _Event(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class LinkStats(_Event):
    """A publishing point's link, from our own counters where aiortc has none."""

    bitrate_kbps: float
    fps: float
    packet_loss_pct: float | None
    jitter_ms: float | None
    rtt_ms: float | None  # STUN round trip on the point's WHIP link (see VideoRoom)
    frames_forwarded: int
    keyframes: int


class PointStatus(_Event):
    """One bridge point as the roster shows it."""

    id: str
    name_vi: str
    name_en: str
    kind: str
    lat: float
    lon: float
    online: bool  # a signalling session exists
    in_call: bool  # connected, and its frames reach the centre (one within media_timeout_s)
    no_media: bool = False  # connected, but no frame for media_timeout_s (camera/mic stalled)
    muted: bool
    recording: bool = False  # its call is being recorded (video.recordings): ĐANG GHI · REC
    video_codec: str | None
    subscribers: int
    stats: LinkStats | None


class Roster(_Event):
    """Everything at once: sent first on every control connection."""

    type: Literal["roster"] = "roster"
    points: list[PointStatus]
    program: str
    active_speaker: str | None
    pins: dict[str, str]
    ts: float


class Joined(_Event):
    """A point's media reaches the centre."""

    type: Literal["joined"] = "joined"
    point: str
    ts: float


class Left(_Event):
    """A point left the call: ``hangup`` (it said so), ``replaced`` (it posted a new
    session), ``ended_by_console``, or ``link_lost``."""

    type: Literal["left"] = "left"
    point: str
    reason: Literal["hangup", "replaced", "ended_by_console", "link_lost"]
    ts: float


class Muted(_Event):
    """The console muted or unmuted a point (its sound reaches nobody while muted)."""

    type: Literal["muted"] = "muted"
    point: str
    muted: bool
    by: str
    ts: float


class ActiveSpeaker(_Event):
    """The loudest unmuted publisher changed (``None``: nobody has spoken yet)."""

    type: Literal["active_speaker"] = "active_speaker"
    point: str | None
    ts: float


class ProgramChanged(_Event):
    """What the points see: the room, or one point chosen on the console."""

    type: Literal["program"] = "program"
    source: str
    by: str
    ts: float


class Pinned(_Event):
    """A wall tile now shows ``source`` (``None``: back to its preset's own source)."""

    type: Literal["pinned"] = "pinned"
    tile: str
    source: str | None
    by: str
    ts: float


class PointChanged(_Event):
    """A point's status changed without joining or leaving: its media stalled
    (``in_call`` false, ``no_media`` true) or came back."""

    type: Literal["point"] = "point"
    status: PointStatus
    ts: float


class LinkStatsEvent(_Event):
    """A publishing point's link statistics, every few seconds."""

    type: Literal["link_stats"] = "link_stats"
    point: str
    stats: LinkStats
    ts: float


RoomEvent = (
    Roster
    | Joined
    | Left
    | Muted
    | ActiveSpeaker
    | ProgramChanged
    | Pinned
    | PointChanged
    | LinkStatsEvent
)
EVENT_TYPES: tuple[type[_Event], ...] = (
    Roster,
    Joined,
    Left,
    Muted,
    ActiveSpeaker,
    ProgramChanged,
    Pinned,
    PointChanged,
    LinkStatsEvent,
)
