"""The headless bridge point: ``python -m video.client --url URL --point ID --token T``
(also ``python run_wall.py bridge-client …``).

Publishes a test pattern (with a tone), a video file or a camera over WHIP, optionally
watches the room (``--watch program``) over WHEP, and reconnects when the link drops. A
refusal (wrong token, unknown point, codec…) is final: it exits with 2. Used by a ship's
mast camera, by the operations room without a browser, and by tests.

With several wall servers (``--server URL``, repeatable, in failover order; or the list
the first server gives, ``GET /api/v1/video/servers``) a lost server is left for the next
one at once: a new WHIP POST there (aiortc has no ICE restart). A server is lost when its
end of the link has sent nothing (RTCP, STUN) for ``LINK_LOST_S``, long before ICE
consent (~30 s) would say so. Once every server has been tried, it waits (backoff).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import signal
import sys
import time
from collections.abc import Sequence
from urllib.parse import urlsplit

from aiortc.mediastreams import MediaStreamTrack
from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest

from command_center.tasks import wait_for_event
from video.aiortc_hooks import EncodedFrame, Liveness, ice_round_trip, watch_liveness
from video.ice import IceServer, parse_ice_server
from video.media import TestPatternTrack, ToneTrack
from video.whip_client import Link, SignallingError, publish, watch

log = logging.getLogger("video.client")
FINAL = {400, 401, 403, 404, 406, 415}  # refusals a retry cannot fix
LINK_LOST_S = 2.0  # the server's end silent this long (it sends RTCP about every second)
PROBE_S = 0.5  # how often the link is checked (and probed over STUN)


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="video.client", description="Điểm cầu không người · headless bridge point"
    )
    add_arguments(ap)
    return ap


def add_arguments(ap: argparse.ArgumentParser) -> None:
    ap.add_argument("--url", default=None, help="the centre, e.g. http://10.0.0.5:5006")
    ap.add_argument(
        "--server",
        dest="servers",
        action="append",
        default=None,
        help="a wall server's URL (repeatable, in failover order); default: --url, and the "
        "servers it lists",
    )
    ap.add_argument("--point", required=True, help="bridge point id (room: the operations room)")
    ap.add_argument(
        "--token",
        required=True,
        help="the point's token (run_wall.py bridge-tokens); one may begin with '-'",
    )
    ap.add_argument(
        "--source",
        default="testsrc",
        help="testsrc (pattern + tone), a video file, or a camera device (/dev/video0)",
    )
    ap.add_argument("--size", default="1280x720", help="test pattern size WxH")
    ap.add_argument("--no-audio", action="store_true", help="publish video only")
    ap.add_argument(
        "--tone",
        type=float,
        default=0.3,
        help="testsrc's tone amplitude, 0-1 (0: silence; the loudest point is the speaker)",
    )
    ap.add_argument(
        "--watch", default=None, help="also watch this source (program, active, a point)"
    )
    ap.add_argument(
        "--ice-address",
        action="append",
        default=None,
        help="gather ICE candidates on this address only (repeatable; default: all but loopback)",
    )
    ap.add_argument(
        "--ice-server",
        action="append",
        default=None,
        type=_ice_server,
        help="a STUN or TURN server, e.g. turn:USER:PASSWORD@HOST:3478 (repeatable; "
        "default none: host candidates only, as on the centre's LAN)",
    )
    ap.add_argument("--duration", type=float, default=None, help="stop after this many seconds")


def _ice_server(text: str) -> IceServer:
    try:
        return parse_ice_server(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _tracks(source: str, size: str, audio: bool, tone: float = 0.3) -> list[MediaStreamTrack]:
    if source == "testsrc":
        width, _, height = size.partition("x")
        tracks: list[MediaStreamTrack] = [TestPatternTrack(int(width), int(height))]
        return [*tracks, ToneTrack(tone)] if audio else tracks
    from aiortc.contrib.media import MediaPlayer

    if source.startswith("/dev/video"):
        player = MediaPlayer(source, format="v4l2", options={"video_size": size})
    else:
        player = MediaPlayer(source, loop=True)
    found = [t for t in (player.video, player.audio if audio else None) if t is not None]
    if not found:
        raise SystemExit(f"{source}: no video or audio track")
    return found


AUDIO_SLOTS = 3  # hear up to three publishers at once (the room: whoever is unmuted)


class Counter:
    def __init__(self) -> None:
        self.frames: dict[str, int] = {}

    def __call__(self, tag: str, frame: EncodedFrame) -> None:
        self.frames[tag] = self.frames.get(tag, 0) + 1


async def run(args: argparse.Namespace, stop: asyncio.Event) -> int:
    addresses = tuple(args.ice_address) if args.ice_address else None
    ice_servers = tuple(args.ice_server or ())
    credential = f"point:{args.point}:{args.token}"
    servers = await server_list(args, credential)
    backoff = 1.0
    counter = Counter()
    turn = 0  # servers tried since the last link that held
    index = 0
    while not stop.is_set():
        url = servers[index]
        links: list[Link] = []
        try:
            links.append(
                await publish(
                    url,
                    args.point,
                    args.token,
                    _tracks(args.source, args.size, not args.no_audio, args.tone),
                    addresses,
                    ice_servers=ice_servers,
                )
            )
            if args.watch:
                links.append(
                    await watch(
                        url,
                        args.watch,
                        credential,
                        counter,
                        addresses,
                        audio_slots=AUDIO_SLOTS,
                        ice_servers=ice_servers,
                    )
                )
            log.info("publishing as %s to %s", args.point, url)
            backoff, turn = 1.0, 0
            watchers = [asyncio.ensure_future(_until_lost(link)) for link in links]
            try:
                await _until_any(stop, *(link.closed for link in links))
            finally:
                for watcher in watchers:
                    watcher.cancel()
            if not stop.is_set():
                log.warning("link to %s lost; reconnecting (publishing again)", url)
        except SignallingError as exc:
            if exc.status in FINAL:
                log.error("refused: %s", exc)
                return 2
            log.warning("server %s: %s", url, exc)
        except OSError as exc:
            log.warning("cannot reach %s (%s)", url, exc)
        finally:
            for link in links:
                await _hang_up(link)
        if stop.is_set():
            break
        # The next server at once; once all have failed in a row, wait before the round.
        index, turn = (index + 1) % len(servers), turn + 1
        if turn >= len(servers):
            log.info("no server took the call; trying again in %.0f s", backoff)
            await wait_for_event(stop, backoff)
            backoff, turn = min(backoff * 2, 10.0), 0
    if args.watch:
        log.info("watched %s: %s", args.watch, counter.frames)
    return 0


async def server_list(args: argparse.Namespace, credential: str) -> list[str]:
    """``--server`` as given; else ``--url`` first, then the other servers it lists."""
    if args.servers:
        return [u.rstrip("/") for u in args.servers]
    if not args.url:
        raise SystemExit("video.client: give --url or --server")
    first = args.url.rstrip("/")
    try:
        response = await AsyncHTTPClient().fetch(
            HTTPRequest(
                f"{first}/api/v1/video/servers",
                headers={"Authorization": f"Bearer {credential}"},
                request_timeout=5.0,
            )
        )
        listed = [str(u).rstrip("/") for u in json.loads(response.body)["servers"]]
    except (HTTPClientError, OSError, ValueError, KeyError, TypeError) as exc:
        log.info("no server list from %s (%s): this server only", first, exc)
        return [first]
    return [first, *(u for u in listed if u != first and urlsplit(u).scheme in ("http", "https"))]


async def _until_lost(link: Link) -> None:
    """Close ``link`` once the server's end has been silent for ``LINK_LOST_S``."""
    liveness: Liveness = watch_liveness(link.pc)
    started = time.monotonic()
    while not link.closed.is_set():
        await asyncio.sleep(PROBE_S)
        if await ice_round_trip(link.pc) is not None:
            liveness.heard()
        heard = liveness.heard_at if liveness.heard_at is not None else started
        if time.monotonic() - heard > LINK_LOST_S:
            link.closed.set()


async def _hang_up(link: Link) -> None:
    """Leave, without waiting long on a server that is gone."""
    with contextlib.suppress(Exception):
        await asyncio.wait_for(link.close(), 1.0)
    await link.pc.close()
    link.closed.set()


async def _until_any(*events: asyncio.Event) -> None:
    waiters = [asyncio.ensure_future(e.wait()) for e in events]
    try:
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()


async def main_async(args: argparse.Namespace, install_signals: bool = True) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    if install_signals:
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, stop.set)
    if args.duration is not None:
        loop.call_later(args.duration, stop.set)
    return await run(args, stop)


def attach_values(ap: argparse.ArgumentParser, argv: Sequence[str]) -> list[str]:
    """``--token T`` as ``--token=T``. A token is base64url, so one in 64 begins with '-'
    and argparse would take it for an option ("--token: expected one argument"). A next
    word that is one of ``ap``'s own options is left alone (the token was forgotten)."""
    options = set(ap._option_string_actions)
    out: list[str] = []
    words = iter(argv)
    for word in words:
        value = next(words, None) if word == "--token" else None
        if value is None:
            out.append(word)
        elif value.split("=", 1)[0] in options:
            out += [word, value]
        else:
            out.append(f"{word}={value}")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = parser()
    args = ap.parse_args(attach_values(ap, sys.argv[1:] if argv is None else argv))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    started = time.monotonic()
    code = asyncio.run(main_async(args))
    log.info("stopped after %.0f s", time.monotonic() - started)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
