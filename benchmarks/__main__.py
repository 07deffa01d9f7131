"""``python -m benchmarks [fanout] [switch] [alerts] [ingest] [video] [map] [hostile] [failover] [history] [recording] [soak] [--short]``:
prints each benchmark's figures. ``soak`` runs only when named (``make soak``): it takes
``--minutes`` (30 by default, 1.5 with ``--short``)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Iterable

from benchmarks import (
    alerts,
    choropleth,
    failover,
    failover_redis,
    failover_video,
    fanout,
    history,
    hostile,
    ingest,
    recording,
    soak,
    switch,
    video,
)

BENCHMARKS = (
    "fanout",
    "switch",
    "alerts",
    "ingest",
    "video",
    "map",
    "hostile",
    "failover",
    "history",
    "recording",
)
# Named only: a soak is long by nature (make soak).
ON_REQUEST = ("soak", "failover_screens", "failover_redis", "failover_video")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks")
    ap.add_argument(
        "which",
        nargs="*",
        help="fanout, switch, alerts, ingest, video, map, hostile, failover, history, "
        "recording (default: these); "
        "failover_screens, failover_redis, failover_video (a part of failover alone), soak",
    )
    ap.add_argument("--short", action="store_true", help="small and quick, as in CI")
    ap.add_argument("--screens", type=int, default=None)
    ap.add_argument("--tiles", type=int, default=None)
    ap.add_argument("--rate", type=int, default=None, help="updates per second (fanout)")
    ap.add_argument(
        "--post-rate",
        type=int,
        default=None,
        help="API posts per second, one observation each (fanout's API mode)",
    )
    ap.add_argument(
        "--fanout-source",
        choices=("bus", "api", "both"),
        default="both",
        help="fanout: updates injected on the bus, posted through the API, or both",
    )
    ap.add_argument("--seconds", type=float, default=None)
    ap.add_argument("--switches", type=int, default=None)
    ap.add_argument(
        "--kills",
        type=int,
        default=None,
        help="kill -9 rounds: of the kiosks' server, of the Redis primary, of a point's "
        "wall process (failover and its parts)",
    )
    ap.add_argument("--minutes", type=float, default=None, help="how long the soak runs")
    ap.add_argument(
        "--posts",
        type=int,
        nargs=3,
        default=None,
        metavar=("SINGLE", "HUNDREDS", "TEN_THOUSANDS"),
        help="posts of 1, 100 and 10,000 observations (ingest)",
    )
    args = ap.parse_args(argv)
    which = args.which or list(BENCHMARKS)
    unknown = set(which) - set(BENCHMARKS) - set(ON_REQUEST)
    if unknown:
        ap.error(
            f"unknown benchmark(s): {', '.join(sorted(unknown))}; "
            f"choose {', '.join(BENCHMARKS + ON_REQUEST)}"
        )
    screens = args.screens or (4 if args.short else 16)
    if "fanout" in which:
        # The fan-out's wall and window, the same for both sources; each has its own rate.
        tiles = args.tiles or (48 if args.short else 200)
        seconds = args.seconds or (3.0 if args.short else 10.0)
        if args.fanout_source in ("bus", "both"):
            rate = args.rate or (200 if args.short else 2000)
            show(asyncio.run(fanout.run(screens, tiles, rate, seconds)).lines())
        if args.fanout_source in ("api", "both"):
            rate = args.post_rate or (20 if args.short else 100)
            show(asyncio.run(fanout.run_api(screens, tiles, rate, seconds)).lines())
    if "switch" in which:
        switches = args.switches or (4 if args.short else 20)
        show(asyncio.run(switch.run(screens=screens, switches=switches)).lines())
    if "alerts" in which:
        rounds = args.switches or (4 if args.short else 20)
        show(asyncio.run(alerts.run(screens=screens, rounds=rounds)).lines())
    if "ingest" in which:
        posts = args.posts or ([50, 10, 1] if args.short else [2000, 200, 5])
        show(ingest.run(dict(zip((1, 100, 10_000), posts, strict=True))).lines())
    if "video" in which:
        vid = video.run(
            subscribers=(1, 2, 4) if args.short else (1, 2, 4, 8),
            seconds=args.seconds or (4.0 if args.short else 10.0),
            frames=30 if args.short else 60,
        )
        show(vid.lines())
        # Where users are: a closed network (a namespace with no route out), beside loopback.
        show(video.run_closed(10 if args.short else 30))
        if not args.short:  # 25 bridge points at once, as at the launch: full mode only
            show(video.run_points(25))
    if "map" in which:
        show(choropleth.run(rounds=20 if args.short else 200, loads=3 if args.short else 10))
    if "hostile" in which:
        show(hostile.main(args.short))
    # failover (issue 11 pt 9): the screens, Redis and video parts, each over its own kills.
    if "failover" in which:
        which = [*which, "failover_screens", "failover_redis", "failover_video"]
    kills = args.kills or (2 if args.short else 10)
    if "failover_screens" in which:
        show(asyncio.run(failover.run(kills=kills)).lines())
    if "failover_redis" in which:
        show(failover_redis.run(kills).lines())
    if "failover_video" in which:
        show(failover_video.run(kills))
    if "history" in which:
        show(history.run(args.short))
    if "recording" in which:  # a minute of call in CI, an hour for the note
        minutes = args.minutes or (1.0 if args.short else 60.0)
        show(recording.run(minutes * 60, segment_s=20.0 if args.short else 300.0))
        show(recording.run_live(8.0 if args.short else 30.0, pairs=3 if args.short else 6))
    if "soak" in which:
        lines = soak.run(
            screens=args.screens or 8,
            minutes=args.minutes or (1.5 if args.short else 30.0),
            interval=10.0 if args.short else 30.0,
        )
        show(lines)
    return 0


def show(lines: Iterable[str]) -> None:
    """A benchmark's figures, printed as soon as it ends (the next may take minutes)."""
    print("\n".join(lines), flush=True)


if __name__ == "__main__":
    sys.exit(main())
