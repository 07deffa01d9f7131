"""The switchboard's decisions: who each watcher sees and hears, and how the control state
(program, pins, mutes) moves from what a process has to what the store says.

Plain data in, decisions out: no aiortc, no sessions, no clock. The room (``video.room``)
gathers the facts (who publishes, who spoke last, what each track carries now), asks here
which point should feed each track, and does the attaching.

    video        a watcher of a point sees that point; of ``program`` the program (the
                 room or the point the console chose); of ``active`` the speaker, else
                 the program
    audio        one track: the floor (the speaker, else the room), never one's own voice;
                 several tracks (``audio_slots``): for a bridge point the room and the
                 program first, then the latest speakers (``speaker.audio_floor``), each
                 voice kept on the slot it already has (``speaker.assign_slots``)
    ranking      unmuted publishers with audio, the latest speaker first; a new voice
                 ranked below the first ``audio_slots - 1`` rewires at most every
                 ``VOICE_REWIRE_S``
    control      the differences between this process's program, pins and mutes and the
                 store's, as a list of changes to apply and tell
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from video.registry import ACTIVE, PROGRAM, ROOM
from video.shared_state import ControlState
from video.speaker import assign_slots, audio_floor

VOICE_REWIRE_S = 0.2  # a new voice joins the multi-track subscribers' floor within this


@dataclass(frozen=True)
class Floor:
    """What every watcher's wiring is decided from."""

    program: str  # ROOM or a point
    speaker: str | None  # the active speaker
    ranked: tuple[str, ...]  # unmuted publishers with audio, latest speaker first


def video_point(source: str, floor: Floor) -> str:
    """The point whose video a watcher of ``source`` (a point, PROGRAM or ACTIVE) sees."""
    if source not in (PROGRAM, ACTIVE):
        return source
    if source == ACTIVE and floor.speaker is not None:
        return floor.speaker
    return floor.program


def audio_points(
    source: str, viewer_point: str | None, heard: Sequence[str | None], floor: Floor
) -> list[str | None]:
    """The point each of a watcher's audio tracks should carry (None: silence).
    ``heard`` is what each track carries now, one entry per track: a voice that stays
    on the floor keeps its slot."""
    slots = len(heard)
    points: list[str | None]
    if source not in (PROGRAM, ACTIVE):
        points = [source]
    elif slots == 1:  # one track: the floor, never one's own voice
        speaking = floor.speaker or ROOM
        points = [None if speaking == viewer_point else speaking]
    else:
        always = [ROOM, floor.program] if viewer_point not in (None, ROOM) else []
        always = [p for p in always if p in floor.ranked]
        chosen = audio_floor(list(floor.ranked), viewer_point, always, slots)
        points = list(assign_slots(list(heard), chosen))
    return [points[i] if i < len(points) else None for i in range(slots)]


def rank(heard: Iterable[str], spoke_at: Mapping[str, float]) -> tuple[str, ...]:
    """``heard`` (in the order they joined) with the latest speaker first."""
    return tuple(sorted(heard, key=lambda p: -spoke_at.get(p, float("-inf"))))


def voice_rewires(
    point: str, ranked: Sequence[str], audio_slots: int, now: float, last_rewire: float
) -> bool:
    """A voice ranked below the first ``audio_slots - 1`` may be missing from someone's
    floor: rewire for it, at most every VOICE_REWIRE_S (three voices at once would
    otherwise rewire on every packet). Above that, everyone already hears it."""
    place = ranked.index(point) if point in ranked else len(ranked)
    return place >= audio_slots - 1 and now - last_rewire >= VOICE_REWIRE_S


@dataclass(frozen=True)
class ControlChanges:
    """What differs between a process's control state and the store's."""

    program: str | None = None  # the new program, if it changed
    pins: list[tuple[str, str | None]] = field(default_factory=list)  # (tile, source|None)
    mutes: list[tuple[str, bool]] = field(default_factory=list)  # (point, muted)


def control_changes(
    program: str,
    pins: Mapping[str, str],
    muted: set[str],
    target: ControlState,
    points: Iterable[str],
) -> ControlChanges:
    """From (``program``, ``pins``, ``muted``) to ``target``; a program or mute naming a
    point outside ``points`` (the registry) is ignored, pins are taken as they are."""
    known = set(points)
    new_program = target.program if target.program != program and target.program in known else None
    pin_changes = [
        (tile, target.pins.get(tile))
        for tile in sorted(set(pins) | set(target.pins))
        if pins.get(tile) != target.pins.get(tile)
    ]
    mutes = [(p, p in target.muted) for p in sorted(muted ^ target.muted) if p in known]
    return ControlChanges(new_program, pin_changes, mutes)
