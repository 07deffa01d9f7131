"""A WebSocket that pings its peer and caps what the peer may send in one frame: the base
of the screen link and the video channel.

A kiosk that loses power sends no FIN: without pings its link stays open until TCP gives up
(minutes). Pinged every 4 s and closed after an unanswered ping, a silent peer is gone within
15 s (measured for a screen: about 12 s). Tornado closes the link (1009) on a frame over
``frame_limit`` before buffering it whole.
"""

from __future__ import annotations

from tornado.websocket import WebSocketHandler

PING_INTERVAL_S = 4.0
PING_TIMEOUT_S = 4.0  # Tornado caps it at the interval


class PingedSocket(WebSocketHandler):
    frame_limit: int  # bytes, set by each subclass

    @property
    def ping_interval(self) -> float:
        return PING_INTERVAL_S

    @property
    def ping_timeout(self) -> float:
        return PING_TIMEOUT_S

    @property
    def max_message_size(self) -> int:
        return self.frame_limit
