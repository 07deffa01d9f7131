"""A screen's state from its messages: the pure heart of the history (no I/O, no clock).

A screen's state is what its messages left it showing, as plain JSON (a snapshot stores it
as is)::

    {"layout": <layout message> | None,       the last layout (preset, tiles, their data then)
     "data": {tile: {...}},                   each tile's data since, merged as the kiosk does
     "ts": {tile: epoch ms},                  (``Object.assign`` in assets/wall/layer.js)
     "data_at": epoch ms | None,
     "banners": <banners message> | None,
     "changed_at": epoch ms | None}           the last change

``messages`` turns it back into the shortest list of protocol messages that brings a freshly
opened screen there: its layout, one data message with every tile's newest data, its banners.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

State = dict[str, Any]
# The messages that change what a screen shows; the rest (welcome, pong, server_state,
# restarting, errors) are the link's, not the picture's.
SHOWN_TYPES = frozenset({"layout", "data", "banners"})


def empty_state() -> State:
    return {
        "layout": None,
        "data": {},
        "ts": {},
        "data_at": None,
        "banners": None,
        "changed_at": None,
    }


def tile_ids(state: State) -> list[str]:
    layout = state["layout"]
    return [] if layout is None else [str(tile["id"]) for tile in layout["tiles"]]


def apply(state: State, t: float, message: dict[str, Any]) -> None:
    """Apply one message sent at ``t`` to ``state`` (in place: the writer keeps one state
    per screen up to date this way; ``rebuild`` works on its own copy)."""
    kind = message.get("type")
    if kind == "layout":
        state["layout"] = message
        state["data"] = {}
        state["ts"] = {}
        state["data_at"] = None
    elif kind == "data":
        stamps = message.get("ts", {})
        for tile, patch in message.get("tiles", {}).items():
            apply_data(state, t, tile, patch, stamps.get(tile))
        return
    elif kind == "banners":
        state["banners"] = message
    else:
        return
    state["changed_at"] = t


def apply_data(state: State, t: float, tile: str, patch: dict[str, Any], ts: float | None) -> None:
    """``apply`` of a data message's one tile (the writer's hot path calls it directly)."""
    have = state["data"]
    if tile not in have:
        if tile not in tile_ids(state):
            return  # not on this screen's layout: the kiosk drops it too
        have[tile] = {}
    have[tile].update(patch)
    if ts is not None:
        state["ts"][tile] = ts
    state["data_at"] = state["changed_at"] = t


def copy_state(state: State) -> State:
    """A copy that ``apply`` may change without touching ``state`` (layouts and banners
    are replaced whole, never changed in place, so they are shared)."""
    return {
        **state,
        "data": {tile: dict(values) for tile, values in state["data"].items()},
        "ts": dict(state["ts"]),
    }


def rebuild(
    snapshot: State | None, events: Iterable[tuple[float, dict[str, Any]]], at: float
) -> State | None:
    """The state at ``at``: ``snapshot`` (taken at or before ``at``; None: none) with the
    ``events`` after it, in order, up to and including ``at``. None: nothing was shown."""
    state = empty_state() if snapshot is None else copy_state(snapshot)
    seen = snapshot is not None
    for t, message in events:
        if t > at:
            break
        apply(state, t, message)
        seen = True
    return state if seen else None


def rebuild_rows(snapshot: State | None, rows: Iterable[list[Any]], at: float) -> State | None:
    """``rebuild`` over rows in their stored form (``model.data_row``, ``model.message_row``):
    the same result without making a message of each data row (the ``at=`` hot path).
    ``snapshot`` is used as is: pass a freshly unpacked one."""
    state = empty_state() if snapshot is None else snapshot
    seen = snapshot is not None
    for row in rows:
        t = row[0]
        if t > at:
            break
        if len(row) == 4:
            apply_data(state, t, row[1], row[2], row[3])
        else:
            apply(state, t, row[1])
        seen = True
    return state if seen else None


def messages(state: State) -> list[dict[str, Any]]:
    """The shortest ordered list of messages that brings a fresh screen to ``state``."""
    out: list[dict[str, Any]] = []
    if state["layout"] is not None:
        out.append(state["layout"])
        if state["data"]:
            out.append(
                {
                    "type": "data",
                    "tiles": state["data"],
                    "ts": state["ts"],
                    "sent": state["data_at"],
                }
            )
    if state["banners"] is not None:
        out.append(state["banners"])
    return out


def preset(state: State) -> str | None:
    layout = state["layout"]
    return None if layout is None else str(layout["preset"])
