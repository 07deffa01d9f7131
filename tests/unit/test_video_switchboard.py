"""The switchboard's decisions on plain data: who each watcher sees and hears, how voices
are ranked and when a new voice rewires, and how a process's control state moves to the
store's. No aiortc, no peers, no clock (test_layering keeps the module that way)."""

from __future__ import annotations

import pytest

from video.registry import ACTIVE, PROGRAM, ROOM
from video.shared_state import ControlState
from video.switchboard import (
    VOICE_REWIRE_S,
    ControlChanges,
    Floor,
    audio_points,
    control_changes,
    rank,
    video_point,
    voice_rewires,
)

QUIET = Floor(program=ROOM, speaker=None, ranked=())
HUE_ON_PROGRAM = Floor(program="hue", speaker=None, ranked=())
DA_NANG_SPEAKS = Floor(program="hue", speaker="da-nang", ranked=("da-nang", "room", "hue"))


@pytest.mark.parametrize(
    "source, floor, seen",
    [
        ("csb-8003", DA_NANG_SPEAKS, "csb-8003"),
        (PROGRAM, QUIET, ROOM),
        (PROGRAM, HUE_ON_PROGRAM, "hue"),
        (PROGRAM, DA_NANG_SPEAKS, "hue"),
        (ACTIVE, DA_NANG_SPEAKS, "da-nang"),
        (ACTIVE, HUE_ON_PROGRAM, "hue"),
    ],
    ids=[
        "a point is that point",
        "program, nothing chosen: the room",
        "program: the chosen point",
        "program ignores the speaker",
        "active: the speaker",
        "active, nobody speaking: the program",
    ],
)
def test_who_a_watcher_sees(source: str, floor: Floor, seen: str) -> None:
    assert video_point(source, floor) == seen


def test_one_audio_track_hears_the_floor_but_never_itself() -> None:
    assert audio_points(PROGRAM, "hue", [None], QUIET) == [ROOM]
    assert audio_points(PROGRAM, "hue", [None], DA_NANG_SPEAKS) == ["da-nang"]
    assert audio_points(PROGRAM, "da-nang", [None], DA_NANG_SPEAKS) == [None]
    assert audio_points(ACTIVE, None, [None], DA_NANG_SPEAKS) == ["da-nang"]


def test_a_point_watched_directly_is_heard_on_the_first_track_only() -> None:
    assert audio_points("csb-8003", None, [None], DA_NANG_SPEAKS) == ["csb-8003"]
    assert audio_points("csb-8003", None, [None, None, None], QUIET) == ["csb-8003", None, None]


def test_a_bridge_point_with_several_tracks_hears_room_and_program_first() -> None:
    floor = Floor(program="hue", speaker="quang-ninh", ranked=("quang-ninh", "room", "hue"))
    heard = audio_points(PROGRAM, "da-nang", [None, None, None], floor)
    assert heard[:2] == [ROOM, "hue"]
    assert heard[2] == "quang-ninh"


def test_the_room_itself_hears_the_latest_speakers_not_itself() -> None:
    floor = Floor(program="hue", speaker="hue", ranked=("hue", "room", "da-nang"))
    assert audio_points(PROGRAM, ROOM, [None, None], floor) == ["hue", "da-nang"]


def test_a_voice_keeps_its_slot_when_another_joins() -> None:
    before = Floor(program=ROOM, speaker=None, ranked=("room", "hue"))
    first = audio_points(PROGRAM, ROOM, [None, None, None], before)
    assert first == ["hue", None, None]
    after = Floor(program=ROOM, speaker="da-nang", ranked=("da-nang", "room", "hue"))
    assert audio_points(PROGRAM, ROOM, first, after) == ["hue", "da-nang", None]


def test_a_silent_point_is_not_on_the_floor() -> None:
    # The program's point publishes no audio (not ranked): the slot goes to a speaker.
    floor = Floor(program="hue", speaker=None, ranked=("room", "da-nang"))
    assert audio_points(PROGRAM, "quang-ninh", [None, None], floor) == [ROOM, "da-nang"]


def test_ranking_puts_the_latest_speaker_first_then_the_order_of_joining() -> None:
    spoke = {"hue": 10.0, "da-nang": 12.5}
    assert rank(["room", "hue", "da-nang", "quang-ninh"], spoke) == (
        "da-nang",
        "hue",
        "room",
        "quang-ninh",
    )
    assert rank([], spoke) == ()


def test_a_new_voice_low_in_the_ranking_rewires_at_most_every_interval() -> None:
    ranked = ("room", "hue", "da-nang", "quang-ninh")
    assert voice_rewires("quang-ninh", ranked, 3, now=10.0, last_rewire=0.0)
    assert not voice_rewires(
        "quang-ninh", ranked, 3, now=10.0, last_rewire=10.0 - VOICE_REWIRE_S / 2
    )
    assert voice_rewires("quang-ninh", ranked, 3, now=10.0, last_rewire=10.0 - 1.5 * VOICE_REWIRE_S)
    # Ranked among the first slots - 1: everyone already hears it.
    assert not voice_rewires("room", ranked, 3, now=10.0, last_rewire=0.0)
    assert voice_rewires("newcomer", ranked, 3, now=10.0, last_rewire=0.0)


POINTS = ("room", "hue", "da-nang", "quang-ninh")


def test_control_changes_name_what_differs_and_only_that() -> None:
    target = ControlState(
        program="hue", pins={"v1": "da-nang", "v2": PROGRAM}, muted=frozenset({"da-nang"})
    )
    changes = control_changes(ROOM, {"v2": PROGRAM, "v3": "hue"}, {"hue"}, target, POINTS)
    assert changes == ControlChanges(
        program="hue",
        pins=[("v1", "da-nang"), ("v3", None)],
        mutes=[("da-nang", True), ("hue", False)],
    )


def test_control_already_in_step_changes_nothing() -> None:
    target = ControlState(program="hue", pins={"v1": "hue"}, muted=frozenset({"hue"}))
    assert control_changes("hue", {"v1": "hue"}, {"hue"}, target, POINTS) == ControlChanges()


def test_control_naming_an_unknown_point_is_ignored() -> None:
    target = ControlState(program="gone", muted=frozenset({"gone"}))
    assert control_changes(ROOM, {}, set(), target, POINTS) == ControlChanges()
