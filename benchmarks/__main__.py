"""``python -m benchmarks [fanout] [switch] [--short]``: prints each benchmark's figures."""

from __future__ import annotations

import argparse
import asyncio
import sys

from benchmarks import fanout, switch


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks")
    ap.add_argument("which", nargs="*", help="fanout, switch (default: both)")
    ap.add_argument("--short", action="store_true", help="small and quick, as in CI")
    ap.add_argument("--screens", type=int, default=None)
    ap.add_argument("--tiles", type=int, default=None)
    ap.add_argument("--rate", type=int, default=None, help="updates per second (fanout)")
    ap.add_argument("--seconds", type=float, default=None)
    ap.add_argument("--switches", type=int, default=None)
    args = ap.parse_args(argv)
    which = args.which or ["fanout", "switch"]
    unknown = set(which) - {"fanout", "switch"}
    if unknown:
        ap.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}; choose fanout, switch")
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
