"""A third-party WHIP client, unchanged: Debian's ``simple-whip-client`` (GStreamer, binary
``whip-client``) publishes a test pattern as a bridge point into the centre, and a wall
screen's ``video`` tile plays it. Inside a network namespace (tests/netns.py): neither
libnice nor Chromium offers loopback candidates.

Debian 12's package cannot start as shipped: ``whip-client`` links libsoup 2, while
GStreamer's ICE (libnice -> libgupnp-igd -> libgupnp -> libsoup 3) pulls in libsoup 3, and
libsoup aborts when both are in one process ("libsoup2 symbols detected"). libnice uses
gupnp-igd only to ask a home router for UPnP port mappings and carries on without it when
``gupnp_simple_igd_thread_new`` returns NULL; so the test runs the client with a stand-in
``libgupnp-igd-1.0.so.4`` (built here with gcc) first on ``LD_LIBRARY_PATH``. The client,
GStreamer, webrtcbin and libnice are Debian's, unchanged.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
from pathlib import Path

import pytest
from netns import NetNamespace
from playwright.async_api import BrowserContext
from videosupport import frames_advance, open_screen, point_credential, stop_process
from wallprocess import WallProcess

WHIP_CLIENT = shutil.which("whip-client")
GCC = shutil.which("gcc") or shutil.which("cc")
NO_UPNP = """
#include <stddef.h>
void *gupnp_simple_igd_thread_new(void) { return NULL; }
unsigned long gupnp_simple_igd_get_type(void) { return 0; }
void gupnp_simple_igd_add_port(void *s, const char *p, unsigned short e, const char *l,
                               unsigned short lp, unsigned int t, const char *d) {}
void gupnp_simple_igd_remove_port_local(void *s, const char *p, const char *l,
                                        unsigned short lp) {}
"""
POINT = "quang-ninh"
VIDEO = (
    "videotestsrc is-live=true pattern=ball ! video/x-raw,width=640,height=360,framerate=30/1"
    " ! videoconvert ! queue ! vp8enc deadline=1 ! rtpvp8pay pt=96 ssrc=2 ! queue"
    " ! application/x-rtp,media=video,encoding-name=VP8,payload=96"
)
AUDIO = (
    "audiotestsrc is-live=true wave=red-noise volume=0.2 ! audioconvert ! audioresample"
    " ! queue ! opusenc ! rtpopuspay pt=100 ssrc=1 ! queue"
    " ! application/x-rtp,media=audio,encoding-name=OPUS,payload=100"
)


@pytest.fixture
def whip_client_env(tmp_path: Path) -> dict[str, str]:
    """The environment the client runs in: the UPnP stand-in first on the library path."""
    if WHIP_CLIENT is None:
        pytest.skip("whip-client missing: apt-get install simple-whip-client (make system-deps)")
    if GCC is None:
        pytest.skip("gcc missing: needed to build the libgupnp-igd stand-in (make system-deps)")
    libdir = tmp_path / "no-upnp"
    libdir.mkdir()
    (libdir / "no_upnp.c").write_text(NO_UPNP)
    subprocess.run(
        [
            GCC,
            *("-shared", "-fPIC", "-O2", "-Wl,-soname,libgupnp-igd-1.0.so.4"),
            *("-o", str(libdir / "libgupnp-igd-1.0.so.4"), str(libdir / "no_upnp.c")),
        ],
        check=True,
        timeout=60,
    )
    return {**os.environ, "LD_LIBRARY_PATH": str(libdir)}


async def test_simple_whip_client_publishes_to_a_wall_tile(
    netns: NetNamespace,
    netns_browser: BrowserContext,
    video_wall: WallProcess,
    artifacts: Path,
    tmp_path: Path,
    whip_client_env: dict[str, str],
) -> None:
    screen = await open_screen(netns_browser, video_wall, "right-top")
    token = await point_credential(video_wall, POINT)
    log = (tmp_path / "whip-client.log").open("w")
    url = f"{video_wall.url}/whip/{POINT}"
    client = await asyncio.create_subprocess_exec(
        *netns.wrap(
            [str(WHIP_CLIENT), "-n", "-o", "-u", url, "-t", token, "-V", VIDEO, "-A", AUDIO]
        ),
        stdout=log,
        stderr=subprocess.STDOUT,
        env=whip_client_env,
    )
    try:
        await frames_advance(screen, by=30, point=POINT)
        await screen.screenshot(path=artifacts / "whip-client-tile.png")
    finally:
        await stop_process(client, signal.SIGINT)  # Ctrl+C: it DELETEs its WHIP session
        log.close()
        shutil.copy(tmp_path / "whip-client.log", artifacts / "whip-client.log")
