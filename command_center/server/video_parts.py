"""What every video route needs from the runtime, in one object: ``open_runtime`` builds it
once, ``video_routes`` hands it to each handler (the HTTP ones on ``video_handler`` and the
control channel ``video_socket``), and both ask it who a credential belongs to."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from command_center.server.keys import Keys
from command_center.server.link_limits import LinkLimits
from command_center.server.sibling_origins import sibling_origins
from command_center.server.video_credentials import Caller, identify
from command_center.sessions import Sessions
from command_center.store import Store
from video.room import VideoRoom


@dataclass(frozen=True)
class VideoParts:
    room: VideoRoom
    keys: Keys
    screens: frozenset[str]  # the wall's screen ids (a screen's credential names one)
    sessions: Sessions
    store: Store
    links: LinkLimits = field(default_factory=LinkLimits)
    # Every wall server in failover order (this one alone when not configured).
    servers: tuple[str, ...] = ()

    @cached_property
    def peer_origins(self) -> frozenset[str]:
        """The other wall servers' page origins, whose requests the routes accept."""
        return sibling_origins(self.servers)

    async def identify(
        self,
        credential: str,
        address: str | None,
        whip_point: str | None = None,
        node_point: str | None = None,
    ) -> Caller:
        """The caller behind ``credential`` (``video_credentials.identify``) on this wall."""
        return await identify(
            credential,
            self.keys,
            self.sessions,
            self.room.registry,
            self.screens,
            whip_point,
            address,
            node_point,
        )
