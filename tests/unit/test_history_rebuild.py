"""The history's reducer and rebuild: pure functions, a table of message runs."""

from __future__ import annotations

import json
from typing import Any

import pytest

from command_center.history.rebuild import (
    apply,
    empty_state,
    messages,
    preset,
    rebuild,
    rebuild_rows,
)


def layout(name: str, tiles: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {
        "type": "layout",
        "version": 1,
        "preset": name,
        "name_vi": name,
        "name_en": name,
        "tiles": [
            {"id": t, "kind": "text", "params": {}, "rect": {}, "data": d} for t, d in tiles.items()
        ],
        "switch_id": None,
        "swap_at": None,
    }


def data(tile: str, **values: Any) -> dict[str, Any]:
    return {"type": "data", "tiles": {tile: values}, "ts": {tile: 5.0}, "sent": 6.0}


def banners(*ids: str) -> dict[str, Any]:
    return {"type": "banners", "banners": [{"id": i} for i in ids]}


RUN: list[tuple[float, dict[str, Any]]] = [
    (10.0, layout("overview", {"a": {"v": 1}, "b": {}})),
    (11.0, data("a", v=2, late=False)),
    (12.0, data("zzz", v=9)),  # not on the layout: dropped
    (13.0, banners("storm")),
    (14.0, data("a", late=True)),
    (15.0, layout("calibration", {"c": {}})),
    (16.0, data("c", v=3)),
    (17.0, {"type": "server_state", "status": "degraded", "reasons": []}),
    (18.0, banners()),
]


def shown(msgs: list[dict[str, Any]]) -> tuple[str | None, dict[str, Any], list[Any]]:
    """What a kiosk shows after ``msgs`` (as assets/wall does: a layout replaces all, data
    merges into its tile, banners replace banners)."""
    name, tiles, shown_banners = None, {}, []
    for m in msgs:
        if m["type"] == "layout":
            name, tiles = m["preset"], {t["id"]: dict(t["data"]) for t in m["tiles"]}
        elif m["type"] == "data":
            for t, patch in m["tiles"].items():
                if t in tiles:
                    tiles[t].update(patch)
        elif m["type"] == "banners":
            shown_banners = m["banners"]
    return name, tiles, shown_banners


@pytest.mark.parametrize(
    "at, expected",
    [
        (9.0, None),
        (10.0, ("overview", {"a": {"v": 1}, "b": {}}, [])),
        (11.5, ("overview", {"a": {"v": 2, "late": False}, "b": {}}, [])),
        (14.0, ("overview", {"a": {"v": 2, "late": True}, "b": {}}, [{"id": "storm"}])),
        (15.0, ("calibration", {"c": {}}, [{"id": "storm"}])),
        (17.5, ("calibration", {"c": {"v": 3}}, [{"id": "storm"}])),
        (99.0, ("calibration", {"c": {"v": 3}}, [])),
    ],
    ids=["before", "layout", "merged", "banner", "switch", "no-health", "end"],
)
def test_rebuild_shows_what_the_messages_left(at: float, expected: Any) -> None:
    state = rebuild(None, RUN, at)
    if expected is None:
        assert state is None
        return
    assert state is not None
    assert shown(messages(state)) == expected
    assert shown(messages(state)) == shown([m for t, m in RUN if t <= at])
    assert preset(state) == expected[0]


@pytest.mark.parametrize("cut", range(len(RUN) + 1))
def test_any_snapshot_plus_the_rest_equals_the_whole_run(cut: int) -> None:
    snapshot = rebuild(None, RUN[:cut], float("inf"))
    if snapshot is not None:  # a snapshot is stored as JSON
        snapshot = json.loads(json.dumps(snapshot))
    for at in (12.5, 15.5, 99.0):
        if cut and RUN[cut - 1][0] > at:
            continue  # a snapshot is only used for instants after it
        whole = rebuild(None, RUN, at)
        assert whole is not None
        again = rebuild(snapshot, RUN[cut:], at)
        assert again is not None
        assert messages(again) == messages(whole)


def test_the_shortest_list_is_layout_then_one_data_then_banners() -> None:
    state = rebuild(None, RUN, 14.0)
    assert state is not None
    out = messages(state)
    assert [m["type"] for m in out] == ["layout", "data", "banners"]
    assert out[1]["tiles"] == {"a": {"v": 2, "late": True}}
    assert out[1]["ts"] == {"a": 5.0} and out[1]["sent"] == 14.0
    assert state["changed_at"] == 14.0


def test_rebuild_leaves_its_snapshot_alone() -> None:
    snapshot = rebuild(None, RUN[:2], 99.0)
    assert snapshot is not None
    before = json.dumps(snapshot, sort_keys=True)
    rebuild(snapshot, [(20.0, data("a", v=7))], 99.0)
    assert json.dumps(snapshot, sort_keys=True) == before


def test_messages_that_show_nothing_change_nothing() -> None:
    state = empty_state()
    apply(state, 1.0, {"type": "pong", "t0": 0, "ts": 1})
    apply(state, 2.0, data("a", v=1))  # no layout yet: no tile to put it in
    assert state == empty_state()


@pytest.mark.parametrize("at", [9.0, 11.5, 14.0, 17.5, 99.0])
def test_rebuild_over_stored_rows_is_rebuild(at: float) -> None:
    from command_center.history.model import chunk_of

    # As the writer records them: a data message's "sent" is its own time.
    run = [(t, {**m, "sent": t} if m["type"] == "data" else m) for t, m in RUN]
    rows = chunk_of("s", run).rows()
    assert any(len(row) == 4 for row in rows), "data rows are stored compact"
    assert chunk_of("s", run).events() == run
    assert rebuild_rows(None, rows, at) == rebuild(None, run, at)
