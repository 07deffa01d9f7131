"""What the hub tells the history about what its screens are shown (history_writer.py).

Called on the loop, synchronously, and never blocking: the writer only queues."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from command_center.protocol import BannersMessage, LayoutMessage


class HistoryTap(Protocol):
    def switched(self, layouts: Mapping[str, LayoutMessage]) -> None:
        """These screens were given these layouts (a switch, or a resync)."""
        ...

    def data(self, tile: str, data: dict[str, Any], ts: float) -> None:
        """New data for ``tile`` (every screen showing it gets it)."""
        ...

    def banners(self, screen: str, message: BannersMessage) -> None:
        """``screen``'s banners are now these."""
        ...


class NoHistory:
    """The tap of a hub whose history is off: nothing kept."""

    def switched(self, layouts: Mapping[str, LayoutMessage]) -> None:
        pass

    def data(self, tile: str, data: dict[str, Any], ts: float) -> None:
        pass

    def banners(self, screen: str, message: BannersMessage) -> None:
        pass


NO_HISTORY = NoHistory()
