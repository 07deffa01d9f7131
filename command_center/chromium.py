"""Debian's Chromium (``/usr/bin/chromium``; browsers cannot be downloaded on the centre's
network), as the server's picture export and the tests and benchmarks start it: headless,
with no network chatter of its own (the centre has no route out)."""

from __future__ import annotations

import shutil

QUIET_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def chromium_path() -> str:
    return shutil.which("chromium") or "/usr/bin/chromium"
