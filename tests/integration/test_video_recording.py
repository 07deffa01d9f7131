"""Recording a bridge call without re-encoding (issue 15, point 5): real aiortc peers over
127.0.0.1, the recorder as one more subscriber of the relay, the files read back with
Debian's ``ffprobe`` and PyAV's demuxer.

The relay's forwarded frames are captured by a tap on the same ``MediaSource`` the
recorder subscribes to: the recorded video packets must be those bytes, in order.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import time
from pathlib import Path
from typing import Any

import av
import httpx
import pytest
from relaysupport import LOOPBACK, client_process, publisher, video_runtime
from wallprocess import WallProcess, video_pair
from wallsupport import WALL_2X2, login, wait_until

from command_center.auth import Role
from command_center.server.runtime import WallRuntime
from video.aiortc_hooks import EncodedFrame
from video.media import EncodedClip, EncodedLoopTrack, ToneTrack, encode_clip
from video.recorder import CallRecorder
from video.recording_index import Recording, save
from video.whip_client import publish

POINT = "quang-ninh"
RECORD_ALL = ["--no-simulator", "--record-calls", "--recording-segment-s", "1"]


class Tap:
    """Every frame the relay forwards from one source (a subscriber like a track)."""

    def __init__(self) -> None:
        self.frames: list[EncodedFrame] = []
        self.frames_sent = 0  # the link statistics add it up

    def offer(self, frame: EncodedFrame, stream: object) -> None:
        self.frames.append(frame)
        self.frames_sent += 1

    def set_keyframe_callback(self, callback: Any) -> None:
        pass

    def need_keyframe(self) -> None:
        pass


def ffprobe(path: Path) -> dict[str, Any]:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_streams", "-show_format", "-of", "json", str(path)],
        capture_output=True,
        check=True,
        text=True,
    )
    return json.loads(out.stdout)  # type: ignore[no-any-return]


def packets_of(path: Path, kind: str = "video") -> list[tuple[bytes, float]]:
    with av.open(str(path)) as container:
        stream = (container.streams.video if kind == "video" else container.streams.audio)[0]
        return [
            (bytes(p), float(p.pts * p.time_base))
            for p in container.demux(stream)
            if p.size and p.pts is not None
        ]


async def _recorded_call(
    rt: WallRuntime, clip: EncodedClip, seconds: float, heard: Tap | None = None
) -> tuple[Any, Tap]:
    """Publish ``POINT`` with audio, record ``seconds`` of it through the API, stop; the
    video frames forwarded meanwhile (and the audio ones into ``heard``)."""
    assert rt.video is not None and rt.recordings is not None
    tap = Tap()
    async with (
        publisher(rt, POINT, clip, audio=True),
        httpx.AsyncClient(base_url=rt.url) as client,
    ):
        await wait_until(lambda: POINT in rt.video.publishers, what="the publisher")  # type: ignore[union-attr]
        session = rt.video.publishers[POINT]
        session.sources["video"].attach(tap)  # type: ignore[arg-type]
        if heard is not None:
            session.sources["audio"].attach(heard)  # type: ignore[arg-type]
        officer = await login(client, rt, Role.DUTY_OFFICER)
        r = await client.post(f"/api/v1/recordings/{POINT}/start", headers=officer)
        assert r.status_code == 200, r.text
        assert rt.video.status(POINT).recording, "the roster says the point is recorded"
        _, recorder = rt.recordings.active[POINT]
        await wait_until(
            lambda: recorder.frames["video"] >= seconds * clip.fps,
            within=seconds * 6 + 10,
            what=f"{seconds} s recorded",
        )
        r = await client.post(f"/api/v1/recordings/{POINT}/stop", headers=officer)
        assert r.status_code == 200, r.text
        assert not rt.video.status(POINT).recording
        assert recorder.writer is not None
        recorder.writer.join(10)
        listing = (await client.get("/api/v1/recordings", headers=officer)).json()
    return listing, tap


async def test_recorded_call_is_the_forwarded_bytes_in_segments(
    tmp_path: Path, clip: EncodedClip
) -> None:
    heard = Tap()
    async with video_runtime(tmp_path, settings={"recording_segment_s": 1.0}) as rt:
        listing, tap = await _recorded_call(rt, clip, 4.0, heard)
        rows = [(e.action, e.target, e.actor) for e in await rt.store.audit(50)]
    [recording] = listing["recordings"]
    assert recording["point"] == POINT and recording["ended_at"] is not None
    assert (recording["video_codec"], recording["audio_codec"]) == ("vp8", "opus")
    assert ("recording_start", POINT, "truc-ban") in rows
    assert ("recording_stop", POINT, "truc-ban") in rows
    segments = recording["segments"]
    assert len(segments) >= 3, "1 s segments over 4 s of call"
    folder = tmp_path / "recordings" / POINT / recording["id"]
    recorded: list[bytes] = []
    sound: list[bytes] = []
    total = 0.0
    for segment in segments:
        path = folder / f"{segment['index']}.webm"
        sound += [data for data, _ in packets_of(path, "audio")]
        probe = ffprobe(path)
        codecs = sorted(s["codec_name"] for s in probe["streams"])
        assert codecs == ["opus", "vp8"], f"segment {segment['index']}: {codecs}"
        packets = packets_of(path)
        assert av.open(str(path)).streams.video[0] is not None
        first = packets[0][0]
        assert first in clip.frames and not first[0] & 0x01, "every segment opens on a keyframe"
        # Duration: the frames in the file at 30 fps, within one frame.
        span = packets[-1][1] - packets[0][1] + 1 / clip.fps
        assert abs(span - len(packets) / clip.fps) <= 1 / clip.fps + 1e-6
        total += span
        recorded += [data for data, _ in packets]
    forwarded = [f.data for f in tap.frames]
    start = forwarded.index(recorded[0])
    assert recorded == forwarded[start : start + len(recorded)], (
        "the recorded video packets are the forwarded bytes, in order (no re-encode)"
    )
    # The whole call's length: its frames at 30 fps, within one frame.
    assert abs(total - len(recorded) / clip.fps) <= 1 / clip.fps + 1e-6
    # Sound too: the forwarded Opus packets, none lost at the segment boundaries.
    voiced = [f.data for f in heard.frames]
    first = next(i for i, data in enumerate(voiced) if data == sound[0])
    assert sound == voiced[first : first + len(sound)], "every Opus packet, as forwarded"


def nal_units(annex_b: bytes) -> list[bytes]:
    """The NAL units of an Annex B frame (as the relay forwards H.264)."""
    units, at = [], annex_b.find(b"\x00\x00\x01")
    while at >= 0:
        following = annex_b.find(b"\x00\x00\x01", at + 3)
        end = len(annex_b) if following < 0 else following
        units.append(annex_b[at + 3 : end].rstrip(b"\x00"))
        at = following
    return units


def length_prefixed(packet: bytes) -> list[bytes]:
    """The NAL units of a Matroska H.264 packet (4-byte lengths, ISO 14496-15)."""
    units, at = [], 0
    while at + 4 <= len(packet):
        size = int.from_bytes(packet[at : at + 4], "big")
        units.append(packet[at + 4 : at + 4 + size])
        at += 4 + size
    return units


async def test_h264_call_is_kept_as_h264_in_mkv(tmp_path: Path) -> None:
    """H.264 goes into .mkv; Matroska stores its NAL units length-prefixed instead of
    after start codes, so the units themselves are compared: the same bytes."""
    clip = encode_clip(frames=60, width=320, height=180, gop=30, codec="H264")
    async with video_runtime(tmp_path, settings={"recording_segment_s": 1.0}) as rt:
        listing, tap = await _recorded_call(rt, clip, 3.0)
    [recording] = listing["recordings"]
    assert (recording["video_codec"], recording["audio_codec"]) == ("h264", "opus")
    folder = tmp_path / "recordings" / POINT / recording["id"]
    recorded: list[bytes] = []
    for segment in recording["segments"]:
        path = folder / f"{segment['index']}.mkv"
        streams = {s["codec_type"]: s for s in ffprobe(path)["streams"]}
        assert streams["video"]["codec_name"] == "h264" and streams["audio"]["codec_name"] == "opus"
        assert (streams["video"]["width"], streams["video"]["height"]) == (320, 180)
        recorded += [b"".join(length_prefixed(data)) for data, _ in packets_of(path)]
    forwarded = [b"".join(nal_units(f.data)) for f in tap.frames]
    start = forwarded.index(recorded[0])
    assert recorded == forwarded[start : start + len(recorded)], "the NAL units as forwarded"


async def test_segment_download_serves_ranges_to_managers_only(
    tmp_path: Path, clip: EncodedClip
) -> None:
    async with video_runtime(tmp_path) as rt:
        listing, _ = await _recorded_call(rt, clip, 1.0)
        [recording] = listing["recordings"]
        url = recording["segments"][0]["url"]
        async with httpx.AsyncClient(base_url=rt.url) as client:
            admin = await login(client, rt, Role.ADMIN)
            viewer = await login(client, rt, Role.VIEWER)
            whole = await client.get(url, headers=admin)
            assert whole.status_code == 200
            assert whole.headers["content-type"] == "video/webm"
            assert "filename=" in whole.headers["content-disposition"]
            part = await client.get(url, headers={**admin, "Range": "bytes=100-199"})
            assert part.status_code == 206 and part.content == whole.content[100:200]
            assert part.headers["content-range"] == f"bytes 100-199/{len(whole.content)}"
            for path in ("/api/v1/recordings", url):
                assert (await client.get(path, headers=viewer)).status_code == 403
                assert (await client.get(path)).status_code == 401
            start = f"/api/v1/recordings/{POINT}/start"
            assert (await client.post(start, headers=viewer)).status_code == 403
            assert (await client.post(start)).status_code == 401
            # Not in a call any more: nothing to record.
            assert (await client.post(start, headers=admin)).status_code == 409
            r = await client.get("/api/v1/recordings?from=yesterday", headers=admin)
            assert r.status_code == 400 and "'from'" in r.text


async def test_record_calls_records_every_call(tmp_path: Path, clip: EncodedClip) -> None:
    async with video_runtime(tmp_path, settings={"record_calls": True}) as rt:
        assert rt.recordings is not None and rt.video is not None
        async with publisher(rt, POINT, clip, audio=True):
            await wait_until(lambda: POINT in rt.recordings.active, within=20, what="recording")  # type: ignore[union-attr]
            await wait_until(lambda: rt.video.status(POINT).recording, what="REC")  # type: ignore[union-attr]
        await wait_until(lambda: POINT not in rt.recordings.active, within=20, what="call end")
        rows = [(e.action, e.actor, e.detail.get("reason")) for e in await rt.store.audit(50)]
    assert ("recording_start", "system:record_calls", None) in rows
    assert ("recording_stop", "system:call_ended", "call_ended") in rows


async def test_retention_deletes_recordings_past_it(tmp_path: Path) -> None:
    async with video_runtime(tmp_path, settings={"recording_days": 30.0}) as rt:
        assert rt.recordings is not None
        root = rt.recordings.config.root
        await wait_until(lambda: rt.recordings.retention_rounds, what="the round at start")  # type: ignore[union-attr]
        day = 86_400.0
        old = Recording("old-1", POINT, "Quảng Ninh", "Quang Ninh", time.time() - 40 * day)
        old.ended_at = old.started_at + 60
        recent = Recording("recent-1", POINT, "Quảng Ninh", "Quang Ninh", time.time() - day)
        recent.ended_at = recent.started_at + 60
        save(root, old)
        save(root, recent)
        assert await rt.recordings.enforce_retention() == ["old-1"]
        assert not (root / POINT / "old-1").exists()
        assert (root / POINT / "recent-1" / "index.json").exists()


async def ended(process: asyncio.subprocess.Process) -> None:
    """Stop the headless client (SIGTERM; SIGKILL if it lingers over its hang-up)."""
    if process.returncode is not None:
        return
    process.terminate()
    try:
        await asyncio.wait_for(process.communicate(), 20)
    except TimeoutError:
        process.kill()
        await process.communicate()


async def test_kill_9_leaves_the_finished_segments_playable(tmp_path: Path) -> None:
    """A wall recording every call (1 s segments) is killed mid-segment: every segment
    its index lists as finished is a whole file that ffmpeg decodes without an error."""
    data = tmp_path / "data"
    wall = WallProcess(
        data,
        wall_file=WALL_2X2,
        extra=[*RECORD_ALL, "--ice-address", "127.0.0.1"],
    ).start()
    client = await client_process(wall.url, "hue", wall.token("bridge", "hue"))
    root = data / "recordings" / "hue"

    def finished() -> list[Path]:
        done = []
        for index in root.glob("*/index.json"):
            segments = json.loads(index.read_text(encoding="utf-8"))["segments"]
            done += [index.parent / s["file"] for s in segments if s["ended_at"] is not None]
        return done if len(done) >= 2 else []

    try:
        await wait_until(finished, within=60, what="two finished segments")
        wall.stop(kill=True)  # kill -9, mid-way through the next segment
        await ended(client)
        [index] = root.glob("*/index.json")
        assert json.loads(index.read_text(encoding="utf-8"))["ended_at"] is None
        wall.start()  # the next start closes what the killed one left open

        def closed() -> bool:
            return json.loads(index.read_text(encoding="utf-8"))["ended_at"] is not None

        await wait_until(closed, within=20, what="the interrupted recording closed")
    finally:
        await ended(client)
        wall.stop()
    for segment in finished():
        assert sorted(s["codec_name"] for s in ffprobe(segment)["streams"]) == ["opus", "vp8"]
        decoded = await asyncio.to_thread(
            subprocess.run,
            ["ffmpeg", "-v", "error", "-i", str(segment), "-f", "null", "-"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert decoded.returncode == 0 and not decoded.stderr.strip(), decoded.stderr


async def test_a_stuck_disk_drops_packets_and_never_holds_the_relay(
    tmp_path: Path, clip: EncodedClip
) -> None:
    """The first segment's file is a FIFO nobody reads yet: the writer thread blocks in it
    as on a stuck disk. The recorder keeps taking frames (each call returns), drops what
    its queue cannot hold, counts it, and asks for a keyframe to resume on; once the
    "disk" moves again the recording ends normally."""
    recording = Recording("stuck", POINT, "Quảng Ninh", "Quang Ninh", time.time())
    folder = recording.folder(tmp_path)
    folder.mkdir(parents=True)
    os.mkfifo(folder / "0.webm")

    class Source:
        def attach(self, tap: Any) -> None: ...
        def detach(self, tap: Any) -> None: ...

    sources: Any = {"video": Source(), "audio": Source()}
    recorder = CallRecorder(tmp_path, recording, sources, {"video"}, 300.0, capacity=10)
    asked: list[int] = []
    recorder._taps["video"].want_keyframe = lambda: asked.append(1)
    now = time.time()
    for n in range(120):
        data, key = clip.frames[n % len(clip.frames)], clip.keyframes[n % len(clip.frames)]
        recorder.on_frame("video", EncodedFrame("VP8", data, n * 3000, key, now + n / 30))
    assert recorder.writer is not None
    assert recorder.writer.dropped > 0 and recorder.resyncs > 0 and asked

    def drain() -> None:
        with open(folder / "0.webm", "rb") as fifo:
            while fifo.read(65536):
                pass

    reader = asyncio.create_task(asyncio.to_thread(drain))
    recorder.close()
    await asyncio.to_thread(recorder.writer.join, 10)
    await reader
    saved = json.loads((folder / "index.json").read_text(encoding="utf-8"))
    assert saved["ended_at"] is not None and saved["dropped"] == recorder.writer.dropped


@pytest.mark.redis
async def test_the_other_process_shows_the_recording(tmp_path: Path, clip: EncodedClip) -> None:
    """Two wall processes on one Redis: a call published to A and recorded there is
    ``recording`` in B's roster too (B's screens show ĐANG GHI · REC), and not after stop."""
    with video_pair(tmp_path) as (a, b):
        track = EncodedLoopTrack(clip, record=True)
        link = await publish(
            a.url,
            POINT,
            a.token("bridge", POINT),
            [track, ToneTrack()],  # type: ignore[list-item]
            host_addresses=LOOPBACK,
            on_keyframe=track.request_keyframe,
        )
        try:
            async with (
                httpx.AsyncClient(base_url=a.url) as on_a,
                httpx.AsyncClient(base_url=b.url) as on_b,
            ):
                officer_a = await signed_in(on_a, a, "duty_officer")
                viewer_b = await signed_in(on_b, a, "viewer")  # users: one store

                async def recorded_on_b() -> bool | None:
                    roster = (await on_b.get("/api/v1/video/roster", headers=viewer_b)).json()
                    [point] = [p for p in roster["points"] if p["id"] == POINT]
                    return point["in_call"] and point["recording"]  # type: ignore[no-any-return]

                async def started() -> bool:
                    r = await on_a.post(f"/api/v1/recordings/{POINT}/start", headers=officer_a)
                    return r.status_code == 200

                await wait_until(started, within=20, what="the call to record on A")
                await wait_until(recorded_on_b, within=20, what="B to show the recording")
                r = await on_a.post(f"/api/v1/recordings/{POINT}/stop", headers=officer_a)
                assert r.status_code == 200
                await wait_until(
                    lambda: not_(recorded_on_b()), within=20, what="B to show it stopped"
                )
        finally:
            await link.close()


async def signed_in(client: httpx.AsyncClient, wall: WallProcess, role: str) -> dict[str, str]:
    name, password = wall.users[role]
    r = await client.post("/api/v1/sessions", json={"username": name, "password": password})
    assert r.status_code == 201, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


async def not_(check: Any) -> bool:
    return not await check
