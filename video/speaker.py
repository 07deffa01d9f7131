"""Who is speaking, and who is heard: pure state, no media.

``SpeakerTracker``: the loudest unmuted publisher, from RFC 6464 audio levels, fed
``(point, level, now)``; it says when the speaker changes. Levels come from the
``ssrc-audio-level`` RTP header extension (Chromium and aiortc's encoder attach it; they
offer it in their SDP), or, for a publisher that sends none, from ``PacketActivity``
(Opus packet sizes). ``audio_floor`` and ``assign_slots`` choose which publishers a
subscriber with several audio tracks hears, forwarded side by side (never mixed).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

FRESH_S = 0.5  # a level older than this is silence


@dataclass
class SpeakerTracker:
    speech_level: int  # -dBov below this is speech (0 loudest, 127 silence)
    hold_s: float  # a challenger must lead this long before it takes the floor
    current: str | None = None
    _levels: dict[str, tuple[float, float]] = field(default_factory=dict)  # point -> (ema, at)
    _challenger: tuple[str, float] | None = None

    def update(self, point: str, level: int, now: float, eligible: set[str]) -> str | None:
        """Record a level; return the new speaker when the floor changes, else None."""
        previous = self._levels.get(point)
        if previous is not None and now - previous[1] < FRESH_S:
            ema = 0.7 * previous[0] + 0.3 * level
        else:  # first level, or after a silence: no history to smooth with
            ema = float(level)
        self._levels[point] = (ema, now)
        loudest = self._loudest(now, eligible)
        if loudest is None or loudest == self.current:
            self._challenger = None
            return None
        if self.current is None or self.current not in eligible:
            return self._switch(loudest)
        if self._challenger is None or self._challenger[0] != loudest:
            self._challenger = (loudest, now)
            return None
        if now - self._challenger[1] >= self.hold_s:
            return self._switch(loudest)
        return None

    def forget(self, point: str) -> bool:
        """A point left: drop its levels; True if it held the floor (now nobody does)."""
        self._levels.pop(point, None)
        if self.current == point:
            self.current = None
            return True
        return False

    def _loudest(self, now: float, eligible: set[str]) -> str | None:
        speaking = [
            (ema, point)
            for point, (ema, at) in self._levels.items()
            if point in eligible and now - at < FRESH_S and ema < self.speech_level
        ]
        return min(speaking)[1] if speaking else None

    def _switch(self, point: str) -> str:
        self.current = point
        self._challenger = None
        return point


# --- a level without the header extension: Opus packet sizes -----------------------------

SILENT_BYTES = 12  # an Opus packet of silence or comfort noise is 1-10 bytes (DTX: none)
FLOOR_WINDOW_S = 20  # the stream's own quiet size: its smallest packets of the last 20 s
LOUDER_THAN_FLOOR = 1.8  # speech makes packets this much bigger than the stream's quiet ones
THRESHOLD_CAP = 60  # bytes; so a stream that never pauses (a tone, music) still counts


@dataclass
class PacketActivity:
    """A stand-in audio level from encoded Opus packet sizes, for a publisher that sends
    no ``ssrc-audio-level`` extension (GStreamer's webrtcbin by default, a relay of
    pre-encoded audio). Needs no decoding: a VBR Opus encoder spends few bytes on silence
    (1-10 bytes a packet, none at all with DTX) and many on sound. ``level`` answers in
    RFC 6464 terms (0 loudest, 127 silence) so the ``SpeakerTracker`` takes both alike:
    a packet clearly bigger than both ``SILENT_BYTES`` and the stream's own recent quiet
    size counts as sound, the bigger the louder. It tells sound from silence, not speech
    from steady noise: a constant-bitrate sender is never seen as speaking."""

    speech_level: int
    _ema: float | None = None
    _minima: dict[int, int] = field(default_factory=dict)  # whole second -> smallest packet

    def level(self, size: int, now: float) -> int:
        self._ema = float(size) if self._ema is None else 0.6 * self._ema + 0.4 * size
        second = int(now)
        self._minima[second] = min(size, self._minima.get(second, size))
        for old in [s for s in self._minima if s <= second - FLOOR_WINDOW_S]:
            del self._minima[old]
        floor = min(self._minima.values())
        threshold = max(float(SILENT_BYTES), min(LOUDER_THAN_FLOOR * floor, THRESHOLD_CAP))
        if self._ema <= threshold:
            return 127
        # 20 dB louder for every tenfold size above the threshold, like a level meter.
        over = 20 * math.log10(self._ema / threshold)
        return max(0, self.speech_level - 1 - int(over))


# --- the audio floor: which publishers a multi-track subscriber hears ------------------------


def audio_floor(ranked: list[str], viewer: str | None, always: list[str], slots: int) -> list[str]:
    """Who a subscriber with ``slots`` audio tracks hears: ``always`` first (the room and
    the program, for a bridge point), then the most recent speakers of ``ranked``; never
    the subscriber's own point."""
    chosen: list[str] = []
    for point in [*always, *ranked]:
        if point != viewer and point not in chosen:
            chosen.append(point)
        if len(chosen) == slots:
            break
    return chosen


def assign_slots(current: list[str | None], wanted: list[str]) -> list[str | None]:
    """Give each wanted publisher a slot, leaving those already placed where they are (a
    slot that changes source restarts its stream; a reshuffle would glitch every voice)."""
    keep = [point if point in wanted else None for point in current]
    free = iter(point for point in wanted if point not in keep)
    return [point if point is not None else next(free, None) for point in keep]
