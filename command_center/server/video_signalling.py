"""The video bridge's signalling routes, WHIP to publish and WHEP to watch.

    POST   /whip/<point>              offer -> 201 answer, Location /whip/<point>/<session>
    PATCH  /whip/<point>/<session>    trickle ICE (application/trickle-ice-sdpfrag) -> 204
    DELETE /whip/<point>/<session>    leave -> 200
    POST   /whep/<source>             (and PATCH/DELETE on its Location) to watch
    OPTIONS on an endpoint            200, Accept-Post: application/sdp; other methods 405

As RFC 9725 (WHIP; WHEP follows it) asks: a PATCH names its ICE session with ``If-Match``;
an ICE restart (new ufrag/pwd) is 422, since aiortc cannot restart ICE (a client posts a
new offer instead). Every refusal is the JSON error envelope; a refused offer changes
nothing for anyone.
"""

from __future__ import annotations

from aiortc import RTCPeerConnection

from command_center.auth import Principal
from command_center.errors import ForbiddenError
from command_center.server import video_actions
from command_center.server.video_credentials import Caller
from command_center.server.video_handler import SDP, SDPFRAG, VideoHandler
from video.peers import add_candidates
from video.registry import ROOM


class WhipHandler(VideoHandler):
    """``/whip/<point>``: a bridge point (or the console, as the room) publishes."""

    ALLOWED = ("OPTIONS", "POST")
    whip = True

    async def post(self, point_id: str) -> None:
        self.room.point(point_id)  # 404 before anything else: the URL names no point
        caller = await self.caller(whip_point=point_id)
        try:
            self._check_may_publish(caller, point_id)
        except ForbiddenError as exc:
            if caller.holder.startswith("user:"):  # a person tried the room's slot: on record
                who = Principal(caller.holder.partition(":")[2], caller.role)
                await video_actions.refused(self.store, who, "video_room_publish", point_id, exc)
            raise
        offer = self.body_of(SDP)
        session_id, answer = await self.room.publish(point_id, caller.holder, offer)
        if caller.holder.startswith("user:"):
            who = Principal(caller.holder.partition(":")[2], caller.role)
            await video_actions.room_publishing(self.store, who, True, session_id)
        self.write_sdp(answer, f"/whip/{point_id}/{session_id}")

    def _check_may_publish(self, caller: Caller, point_id: str) -> None:
        if caller.point == point_id:
            return
        if point_id == ROOM and caller.may_operate():
            return
        raise ForbiddenError(
            f"{caller.holder} may not publish as '{point_id}' "
            f"(only that point's token{', or a duty officer or admin' if point_id == ROOM else ''})"
        )


class _SessionHandler(VideoHandler):
    """A WHIP or WHEP session (the offer's ``Location``): its holder, or an operator, trickles
    candidates into it and ends it."""

    ALLOWED = ("PATCH", "DELETE")

    @staticmethod
    def check_holder(caller: Caller, holder: str) -> None:
        if caller.holder != holder and not caller.may_operate():
            raise ForbiddenError(f"this session belongs to {holder}, not {caller.holder}")

    async def trickle(
        self, caller: Caller, holder: str, session_id: str, pc: RTCPeerConnection
    ) -> None:
        """The PATCH: the fragment's candidates into the session's ``pc``, then 204."""
        self.check_holder(caller, holder)
        fragment = self.body_of(SDPFRAG)
        self.check_if_match(session_id)
        await add_candidates(pc, fragment)
        self.set_status(204)
        self.finish()


class WhipSessionHandler(_SessionHandler):
    whip = True

    async def patch(self, point_id: str, session_id: str) -> None:
        self.room.point(point_id)
        caller = await self.caller(whip_point=point_id)
        session = self.room.publisher_session(point_id, session_id)
        await self.trickle(caller, session.holder, session_id, session.pc)

    async def delete(self, point_id: str, session_id: str) -> None:
        self.room.point(point_id)
        caller = await self.caller(whip_point=point_id)
        session = self.room.publisher_session(point_id, session_id)
        self.check_holder(caller, session.holder)
        await self.room.end_publisher(point_id, "hangup", session_id)
        if caller.holder.startswith("user:"):
            who = Principal(caller.holder.partition(":")[2], caller.role)
            await video_actions.room_publishing(self.store, who, False, session_id)
        self.write_json({"ended": point_id})


class WhepHandler(VideoHandler):
    """``/whep/<source>``: screens, the console and bridge points watch."""

    ALLOWED = ("OPTIONS", "POST")

    def check_path(self) -> None:
        self.room.check_source(self.path_args[0])

    async def authenticate(self) -> None:
        self.check_path()
        await self.caller(node_point=self.path_args[0])

    async def post(self, source: str) -> None:
        self.room.check_source(source)
        caller = await self.caller(node_point=source)
        offer = self.body_of(SDP)
        session_id, answer = await self.room.watch(source, caller.holder, caller.point, offer)
        self.write_sdp(answer, f"/whep/{source}/{session_id}")


class WhepSessionHandler(_SessionHandler):
    async def authenticate(self) -> None:
        await self.caller(node_point=self.path_args[0])

    async def patch(self, source: str, session_id: str) -> None:
        caller = await self.caller(node_point=source)
        session = self.room.watcher_session(source, session_id)
        await self.trickle(caller, session.viewer, session_id, session.pc)

    async def delete(self, source: str, session_id: str) -> None:
        caller = await self.caller(node_point=source)
        session = self.room.watcher_session(source, session_id)
        self.check_holder(caller, session.viewer)
        await self.room.end_watcher(session_id)
        self.write_json({"ended": session_id})


SIGNALLING_ROUTES: list[tuple[str, type[VideoHandler]]] = [
    (r"/whip/([^/]+)", WhipHandler),
    (r"/whip/([^/]+)/([^/]+)", WhipSessionHandler),
    (r"/whep/([^/]+)", WhepHandler),
    (r"/whep/([^/]+)/([^/]+)", WhepSessionHandler),
]
