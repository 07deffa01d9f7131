"""Bus messages: what one part of the centre tells the others. Frozen, documented, listed.

Every message crossing the bus (in memory or Redis pub/sub) is one of ``BUS_MESSAGES``;
it travels as JSON with its ``type``. Producers: feeds (tile data), the wall (switches),
video (bridge-point state). Consumers: the screen hub, other server processes.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter


class BusMessage(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class TileDataChanged(BusMessage):
    """New data for one tile (only the keys that changed). ``ts`` is when it reached the
    centre (ms since the epoch), so every screen can say how old it is."""

    type: Literal["tile_data"] = "tile_data"
    tile: str
    data: dict[str, Any]
    ts: float


class LayoutSwitched(BusMessage):
    """The wall now shows ``preset`` (state version ``version``); screens swap at ``swap_at``.
    With ``zone``, only that zone of the wall file does (the rest keeps its layout); without,
    the whole wall does and every zone's own preset is dropped."""

    type: Literal["layout_switched"] = "layout_switched"
    preset: str
    version: int
    switch_id: str
    swap_at: float
    actor: str
    zone: str | None = None


class ScreenSwapped(BusMessage):
    """A screen reports the instant (server clock) it showed switch ``switch_id``."""

    type: Literal["screen_swapped"] = "screen_swapped"
    screen: str
    switch_id: str
    at: float


class ScreenPresence(BusMessage):
    """Screen ``screen``'s link to server process ``process`` is up (at connect and with
    each health report) or down: the process that switches then expects the screens
    connected to the others too. ``at`` is when it was seen (ms since the epoch)."""

    type: Literal["screen_presence"] = "screen_presence"
    screen: str
    process: str
    online: bool
    at: float


class ObservationsAccepted(BusMessage):
    """A batch the ingestion API has stored durably: only the observations new to the store
    (duplicates left out), each a ``feeds.observations.Observation`` as a plain dict (the
    contracts import nothing of ours). ``ts`` is when it was accepted (ms since the epoch).
    A large batch comes as several of these with the same ``ts`` (at most 500 each)."""

    type: Literal["observations_accepted"] = "observations_accepted"
    agency: str
    observations: list[dict[str, Any]]
    ts: float


class BridgePointState(BusMessage):
    """A bridge point's presence as the video module sees it: ``online`` (its signalling
    session is up) and ``in_call`` (its media reaches the centre), with where it is so a map
    can place it without importing ``video``. ``ts`` is when the state changed (ms)."""

    type: Literal["bridge_point_state"] = "bridge_point_state"
    point: str
    name_vi: str
    name_en: str
    kind: Literal["province", "rescue_centre", "ship", "ministry", "room"]
    lat: float
    lon: float
    online: bool
    in_call: bool
    muted: bool = False
    # Its call is being recorded (video/recordings.py): every screen shows ĐANG GHI · REC.
    recording: bool = False
    ts: float
    # The process that says so (its video room's id; "" from older versions): the others
    # show a point held elsewhere as that process reports it.
    node: str = ""


class IncidentsAccepted(BusMessage):
    """Search-and-rescue incidents the incidents API has stored durably (new ones and new
    states of known ones), each a ``feeds.incidents.Incident`` as a plain dict. ``ts`` is when
    they were accepted (ms since the epoch)."""

    type: Literal["incidents_accepted"] = "incidents_accepted"
    agency: str
    incidents: list[dict[str, Any]]
    ts: float


class MapFocusChanged(BusMessage):
    """The duty console focused the wall's maps on a province (GSO code of the 34-unit list)
    or went back to the whole country (``province`` None). ``ts``: when (ms)."""

    type: Literal["map_focus_changed"] = "map_focus_changed"
    province: str | None
    actor: str
    ts: float


class VideoControlChanged(BusMessage):
    """The console changed the video program, a pin or a mute on process ``node``. The state
    itself is in the store (``video.shared_state``): the other processes re-read it and tell
    their screens, consoles and points. ``by``: who did it; ``ts``: when (ms)."""

    type: Literal["video_control_changed"] = "video_control_changed"
    node: str
    by: str
    ts: float


class AlertChanged(BusMessage):
    """An alert was raised, cleared, came back, ended, acknowledged or snoozed, or the wall
    was locked or unlocked (``alert`` "" then). The alerts themselves are in the control
    store: consoles re-read them, the evaluator wakes. ``ts``: when (ms)."""

    type: Literal["alert_changed"] = "alert_changed"
    alert: str
    rule: str
    what: Literal[
        "raised", "cleared", "returned", "ended", "acknowledged", "snoozed", "locked", "unlocked"
    ]
    ts: float


class BannersChanged(BusMessage):
    """The banners (announcements, alerts' banners) changed in the control store: a hint;
    every process re-reads them from the store and tells its screens. ``by``: who; ``ts``: ms."""

    type: Literal["banners_changed"] = "banners_changed"
    by: str
    ts: float


_Union = (
    TileDataChanged
    | LayoutSwitched
    | ScreenSwapped
    | ScreenPresence
    | ObservationsAccepted
    | BridgePointState
    | IncidentsAccepted
    | MapFocusChanged
    | VideoControlChanged
    | AlertChanged
    | BannersChanged
)
AnyBusMessage = Annotated[_Union, Field(discriminator="type")]
BUS_MESSAGE: TypeAdapter[_Union] = TypeAdapter(AnyBusMessage)
BUS_MESSAGES: tuple[type[BusMessage], ...] = (
    TileDataChanged,
    LayoutSwitched,
    ScreenSwapped,
    ScreenPresence,
    ObservationsAccepted,
    BridgePointState,
    IncidentsAccepted,
    MapFocusChanged,
    VideoControlChanged,
    AlertChanged,
    BannersChanged,
)
