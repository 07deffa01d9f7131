"""The video room's JSON API: the roster, the console's actions and the server list.

    GET  /api/v1/video/roster                 every point's status, program, pins (viewer up)
    POST /api/v1/video/points/<point>/mute    {muted}            (duty officer, admin)
    POST /api/v1/video/points/<point>/end     end the point's call
    POST /api/v1/video/program                {source}
    POST /api/v1/video/pins                   {tile, source|null}
    GET  /api/v1/video/servers                every wall server, in failover order

Each action is audited (``video_actions``), a refusal to a person included.
"""

from __future__ import annotations

from command_center.auth import Role
from command_center.errors import ForbiddenError, RequestError
from command_center.server import video_actions
from command_center.server.http_base import JsonHandler
from command_center.server.video_handler import VideoHandler


class RosterHandler(VideoHandler):
    async def get(self) -> None:
        caller = await self.caller()
        if caller.role not in (Role.ADMIN, Role.DUTY_OFFICER, Role.VIEWER):
            raise ForbiddenError(f"role '{caller.role}' may not read the roster")
        self.write_json(self.room.roster().model_dump(exclude={"type"}))


class MuteHandler(VideoHandler):
    async def post(self, point_id: str) -> None:
        who = await self.person("video_mute", point_id)
        muted = self.json_body().get("muted")
        if not isinstance(muted, bool):
            raise RequestError(
                "'muted' must be true or false", [{"field": "muted", "got": repr(muted)}]
            )
        self.write_json(await video_actions.mute(self.room, self.store, who, point_id, muted))


class EndCallHandler(VideoHandler):
    async def post(self, point_id: str) -> None:
        who = await self.person("video_end", point_id)
        self.write_json(await video_actions.end_call(self.room, self.store, who, point_id))


class ProgramHandler(VideoHandler):
    async def post(self) -> None:
        who = await self.person("video_program", "program")
        source = self.json_body().get("source")
        if not isinstance(source, str):
            raise RequestError("'source' must be 'room' or a point id")
        self.write_json(await video_actions.program(self.room, self.store, who, source))


class PinHandler(VideoHandler):
    async def post(self) -> None:
        who = await self.person("video_pin", "pins")
        body = self.json_body()
        tile, source = body.get("tile"), body.get("source")
        if not isinstance(tile, str) or not (source is None or isinstance(source, str)):
            raise RequestError("body must be {tile: string, source: string or null}")
        self.write_json(await video_actions.pin(self.room, self.store, who, tile, source))


class ServersHandler(VideoHandler):
    """Every wall server's URL in failover order (``--server``), for a bridge point that
    must publish again elsewhere when its server is lost. Any video credential reads it."""

    async def get(self) -> None:
        await self.caller()
        self.write_json({"servers": list(self.parts.servers)})


VIDEO_API_ROUTES: list[tuple[str, type[JsonHandler]]] = [
    (r"/api/v1/video/roster", RosterHandler),
    (r"/api/v1/video/points/([a-z0-9-]{1,48})/mute", MuteHandler),
    (r"/api/v1/video/points/([a-z0-9-]{1,48})/end", EndCallHandler),
    (r"/api/v1/video/program", ProgramHandler),
    (r"/api/v1/video/pins", PinHandler),
]
# Registered with the server list (``video_routes(..., servers)``).
SERVERS_ROUTES: list[tuple[str, type[JsonHandler]]] = [(r"/api/v1/video/servers", ServersHandler)]
