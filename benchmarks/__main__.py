"""``python -m benchmarks [fanout] [switch] [ingest] [--short]``: prints each benchmark's figures."""

from __future__ import annotations

import argparse
import asyncio
import sys

from benchmarks import fanout, ingest, switch

BENCHMARKS = ("fanout", "switch", "ingest")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks")
    ap.add_argument("which", nargs="*", help="fanout, switch, ingest (default: all)")
    ap.add_argument("--short", action="store_true", help="small and quick, as in CI")
    ap.add_argument("--screens", type=int, default=None)
    ap.add_argument("--tiles", type=int, default=None)
    ap.add_argument("--rate", type=int, default=None, help="updates per second (fanout)")
    ap.add_argument("--seconds", type=float, default=None)
    ap.add_argument("--switches", type=int, default=None)
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
    unknown = set(which) - set(BENCHMARKS)
    if unknown:
        ap.error(
            f"unknown benchmark(s): {', '.join(sorted(unknown))}; choose {', '.join(BENCHMARKS)}"
        )
    screens = args.screens or (4 if args.short else 16)
    if "fanout" in which:
        result = asyncio.run(
            fanout.run(
                screens=screens,
                tiles=args.tiles or (48 if args.short else 200),
                rate=args.rate or (200 if args.short else 2000),
                seconds=args.seconds or (3.0 if args.short else 10.0),
            )
        )
        print("\n".join(result.lines()), flush=True)
    if "switch" in which:
        sw = asyncio.run(
            switch.run(screens=screens, switches=args.switches or (4 if args.short else 20))
        )
        print("\n".join(sw.lines()), flush=True)
    if "ingest" in which:
        posts = args.posts or ([50, 10, 1] if args.short else [2000, 200, 5])
        plan = dict(zip((1, 100, 10_000), posts, strict=True))
        print("\n".join(ingest.run(plan).lines()), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
