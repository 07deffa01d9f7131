"""How one bridge point is doing, as the roster and the ``point`` event show it.

Three places a point's media can be: published to this process (its session), pulled
here from the process that holds it (a ``Pull``), or published elsewhere and only
reported (the other process's ``BridgePointState``). Each gives one ``PointStatus``;
``presence`` is what this process tells the bus of a point.
"""

from __future__ import annotations

from command_center.messages import BridgePointState
from video.events import PointStatus
from video.pull import Pull
from video.registry import BridgePoint
from video.sessions import PublisherSession


def local_status(point: BridgePoint, session: PublisherSession | None, muted: bool) -> PointStatus:
    """Published here (or nowhere: ``session`` None, offline)."""
    video = session.sources["video"] if session else None
    return PointStatus(
        id=point.id,
        name_vi=point.name_vi,
        name_en=point.name_en,
        kind=point.kind.value,
        lat=point.location.lat,
        lon=point.location.lon,
        online=session is not None,
        in_call=bool(session and session.in_call),
        no_media=bool(session and session.connected and not session.in_call),
        muted=muted,
        video_codec=video.codec if video else None,
        subscribers=len(video.subscribers) if video else 0,
        stats=session.stats if session else None,
    )


def pulled_status(point: BridgePoint, pull: Pull, muted: bool) -> PointStatus:
    """Published elsewhere and pulled here: the pull's link and media say."""
    video = pull.sources["video"]
    return PointStatus(
        id=point.id,
        name_vi=point.name_vi,
        name_en=point.name_en,
        kind=point.kind.value,
        lat=point.location.lat,
        lon=point.location.lon,
        online=pull.link is not None,
        in_call=pull.in_call,
        no_media=pull.link is not None and not pull.in_call,
        muted=muted,
        video_codec=video.codec,
        subscribers=len(video.subscribers),
        stats=None,
    )


def remote_status(point: BridgePoint, remote: BridgePointState, muted: bool) -> PointStatus:
    """Published to another process, as that process reports it."""
    return PointStatus(
        id=point.id,
        name_vi=point.name_vi,
        name_en=point.name_en,
        kind=point.kind.value,
        lat=point.location.lat,
        lon=point.location.lon,
        online=remote.online,
        in_call=remote.in_call,
        no_media=remote.online and not remote.in_call,
        muted=muted,
        video_codec=None,
        subscribers=0,
        stats=None,
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
        ts=ts,
        node=node,
    )
