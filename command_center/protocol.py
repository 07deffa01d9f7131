"""The screen link: typed messages between a wall screen's page and the server.

One WebSocket per screen at ``/ws/screen``, JSON text frames, each with a ``type``.
Times are milliseconds since the Unix epoch; ``ts``/``at`` fields are on the *server's*
clock (a screen converts with its estimated offset: server = local + offset).

    screen → server   hello, ping, swapped, health
    server → screen   welcome, pong, layout, data, server_state, banners, restarting, error

A switch is one ``layout`` message per screen carrying ``swap_at``: every screen prepares
the new layout off-screen at once and shows it at that agreed instant, then reports
``swapped`` with the instant it really did.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter


class Message(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Rect(Message):
    """A rectangle in pixels."""

    x: float
    y: float
    w: float
    h: float


# ---- screen → server -------------------------------------------------------------------


class Hello(Message):
    """First frame after (re)connecting. ``layout_version`` is what the screen still shows,
    so the server can skip resending an unchanged layout."""

    type: Literal["hello"] = "hello"
    screen: str = Field(min_length=1, max_length=64)
    token: str = Field(min_length=1, max_length=256)
    layout_version: int | None = None
    preview: bool = False


class Ping(Message):
    """Clock probe; ``t0`` on the screen's clock."""

    type: Literal["ping"] = "ping"
    t0: float


class Swapped(Message):
    """The screen showed layout ``switch_id`` at ``at`` (server clock, by its estimate)."""

    type: Literal["swapped"] = "swapped"
    switch_id: str
    at: float
    late_ms: float = 0.0


class Health(Message):
    """Sent every few seconds: what the console shows for the screen."""

    type: Literal["health"] = "health"
    offset_ms: float
    rtt_ms: float
    latency_p50_ms: float | None = None
    latency_p99_ms: float | None = None
    memory_mb: float | None = None
    width: int
    height: int
    applied: int = 0


ScreenMessage = Annotated[Hello | Ping | Swapped | Health, Field(discriminator="type")]
SCREEN_MESSAGE: TypeAdapter[Hello | Ping | Swapped | Health] = TypeAdapter(ScreenMessage)


# ---- server → screen -------------------------------------------------------------------


class ScreenInfo(Message):
    """One physical screen: id, resolution and its part of the wall."""

    id: str
    width: int
    height: int
    # This screen's part of the wall, in wall pixels (bezel gaps included).
    viewport: Rect
    wall_width: float
    wall_height: float
    # The wall's legibility rule in CSS pixels (layouts/legibility.py): the smallest text and
    # the smallest value its tiles may draw. None: the wall names no viewing distance.
    min_text_px: int | None = None
    min_value_px: int | None = None


class Welcome(Message):
    """First answer to ``hello``: which screen this is, its place on the wall, the server's time."""

    type: Literal["welcome"] = "welcome"
    screen: ScreenInfo
    server_time: float
    lang: Literal["vi", "en"] = "vi"


class Pong(Message):
    """Answer to ``ping``: ``ts`` is the server's time when it answered."""

    type: Literal["pong"] = "pong"
    t0: float
    ts: float


class TileView(Message):
    """One tile as a screen draws it: ``rect`` is the tile's full rectangle relative to the
    screen's top-left corner (it may reach beyond the screen; the screen clips it)."""

    id: str
    kind: str
    params: dict[str, Any]
    rect: Rect
    data: dict[str, Any] = {}


class LayoutMessage(Message):
    """The tiles this screen shows. ``swap_at`` None means show at once (reconnect, first load)."""

    type: Literal["layout"] = "layout"
    version: int
    preset: str
    name_vi: str
    name_en: str
    tiles: list[TileView]
    switch_id: str | None = None
    swap_at: float | None = None


class DataMessage(Message):
    """Coalesced tile data since the last flush: per tile, only the keys that changed.
    ``ts`` per tile is when the newest of its changes reached the server."""

    type: Literal["data"] = "data"
    tiles: dict[str, dict[str, Any]]
    ts: dict[str, float]
    sent: float


class ServerState(Message):
    """The server's health as ``/health`` says it, on attach and whenever it changes: while
    ``degraded`` (Redis or the disk out, say) the screen shows a discreet "data delayed"
    marker, not the link-lost banner; the link itself is fine. ``reasons`` names the
    dependencies that are not ok (store, bus, video, loop_lag)."""

    type: Literal["server_state"] = "server_state"
    status: Literal["ok", "degraded", "down"]
    reasons: list[str] = []


class Banner(Message):
    """One banner over the layout: an announcement from the console or an alert's. Vietnamese
    first, English second. ``expires_at`` (epoch ms, None: until withdrawn) lets the screen
    take it down on time even if the server's next message is late; ``since``: when it began."""

    id: str
    text_vi: str
    text_en: str
    severity: Literal["info", "warning", "critical"]
    source: Literal["announcement", "alert"]
    expires_at: float | None
    since: float


class BannersMessage(Message):
    """Every banner this screen must show now, replacing what it showed: sent on attach and
    whenever the set for this screen changes (an empty list takes them all down)."""

    type: Literal["banners"] = "banners"
    banners: list[Banner]


class Restarting(Message):
    """The server is shutting down (SIGTERM) and will be back, or another takes over: the
    screen reconnects as usual but shows no link-lost banner for ``grace_ms`` (a planned
    restart is not a fault the room should see)."""

    type: Literal["restarting"] = "restarting"
    grace_ms: int = 10_000


class ErrorMessage(Message):
    """Why the server refuses or closes the link; the page shows it on its banner."""

    type: Literal["error"] = "error"
    code: str
    message: str


MESSAGE_TYPES: tuple[type[Message], ...] = (
    Hello,
    Ping,
    Swapped,
    Health,
    Welcome,
    Pong,
    LayoutMessage,
    DataMessage,
    ServerState,
    BannersMessage,
    Restarting,
    ErrorMessage,
)
