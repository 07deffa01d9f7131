"""How one bridge point is doing, as the roster and the ``point`` event show it.

Three places a point's media can be: published to this process (its session), pulled
here from the process that holds it (a ``Pull``), or published elsewhere and only
reported (the other process's ``BridgePointState``). Each gives one ``PointStatus``;
``presence`` is what this process tells the bus of a point.
"""

from __future__ import annotations

from command_center.messages import BridgePointState
from video.events import LinkStats, PointStatus
from video.pull import Pull
from video.registry import BridgePoint
from video.sessions import PublisherSession
from video.source import MediaSource


def local_status(point: BridgePoint, session: PublisherSession | None, muted: bool) -> PointStatus:
    """Published here (or nowhere: ``session`` None, offline)."""
    if session is None:
        return _status(point, muted, online=False, in_call=False, connected=False)
    return _status(
        point,
        muted,
        online=True,
        in_call=session.in_call,
        connected=session.connected,
        video=session.sources["video"],
        stats=session.stats,
        recording=session.recording,
    )


def pulled_status(
    point: BridgePoint, pull: Pull, muted: bool, remote: BridgePointState | None = None
) -> PointStatus:
    """Published elsewhere and pulled here: the pull's link and media say (and whether
    it is recorded, the process that holds it)."""
    linked = pull.link is not None
    return _status(
        point,
        muted,
        online=linked,
        in_call=pull.in_call,
        connected=linked,
        video=pull.sources["video"],
        recording=remote is not None and remote.recording,
    )


def remote_status(point: BridgePoint, remote: BridgePointState, muted: bool) -> PointStatus:
    """Published to another process, as that process reports it."""
    return _status(
        point,
        muted,
        online=remote.online,
        in_call=remote.in_call,
        connected=remote.online,
        recording=remote.recording,
    )


def _status(
    point: BridgePoint,
    muted: bool,
    *,
    online: bool,
    in_call: bool,
    connected: bool,
    video: MediaSource | None = None,
    stats: LinkStats | None = None,
    recording: bool = False,
) -> PointStatus:
    """The point's identity with how its media is doing (``video``: the source its video
    goes out from here); connected but not in the call is ``no_media``."""
    return PointStatus(
        id=point.id,
        name_vi=point.name_vi,
        name_en=point.name_en,
        kind=point.kind.value,
        lat=point.location.lat,
        lon=point.location.lon,
        online=online,
        in_call=in_call,
        no_media=connected and not in_call,
        muted=muted,
        recording=recording,
        video_codec=video.codec if video is not None else None,
        subscribers=len(video.subscribers) if video is not None else 0,
        stats=stats,
    )


def presence(point: BridgePoint, status: PointStatus, ts: float, node: str) -> BridgePointState:
    """A point's ``BridgePointState`` as process ``node`` announces it on the bus."""
    return BridgePointState(
        point=point.id,
        name_vi=point.name_vi,
        name_en=point.name_en,
        kind=point.kind.value,
        lat=point.location.lat,
        lon=point.location.lon,
        online=status.online,
        in_call=status.in_call,
        muted=status.muted,
        recording=status.recording,
        ts=ts,
        node=node,
    )
