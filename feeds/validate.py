"""``python -m feeds.validate [CATALOGUE AGENCIES]``: list every problem, exit 1 if any."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from feeds import AGENCIES_FILE, CATALOGUE_FILE
from feeds.loader import check_feeds_files


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) not in (0, 2):
        print("usage: python -m feeds.validate [CATALOGUE.yaml AGENCIES.yaml]", file=sys.stderr)
        return 2
    catalogue, agencies = (args[0], args[1]) if args else (CATALOGUE_FILE, AGENCIES_FILE)
    problems = check_feeds_files(catalogue, agencies)
    for problem in problems:
        print(problem)
    if not problems:
        print(f"ok: {catalogue}, {agencies}")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
