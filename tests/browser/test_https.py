"""The wall over HTTPS in real Chromium, off localhost: inside the test's network namespace
(tests/netns.py) the server listens on 10.77.0.1 with ``--tls-cert``/``--tls-key`` (a
certificate made here, which Chromium trusts by its SPKI hash and nothing else). The
duty officer signs in and the console's Bokeh page runs over HTTPS and WSS; a bridge point
opens its page with the camera on (a secure context, so getUserMedia works) and goes live
over WHIP; signing out posts the console's form and ends at the sign-in page. The console
without a session sends the browser to the sign-in page first."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from chromiumsupport import fresh_chromium
from netns import NetNamespace
from playwright.async_api import BrowserContext
from tlssupport import MadeCertificate, make_certificate
from videosupport import open_point
from wallprocess import WallProcess
from wallsupport import WALL_2X2, wait_until

HOST = "10.77.0.1"


@pytest.fixture
def certificate(netns: NetNamespace, tmp_path: Path) -> MadeCertificate:
    return make_certificate(tmp_path / "tls", addresses=netns.addresses)


@pytest.fixture
def tls_wall(
    netns: NetNamespace, tmp_path: Path, certificate: MadeCertificate
) -> Iterator[WallProcess]:
    wall = WallProcess(
        data_dir=tmp_path / "data",
        wall_file=WALL_2X2,
        launcher=netns.wrap([]),
        extra=[
            *("--host", HOST, "--no-simulator"),
            *("--tls-cert", str(certificate.cert), "--tls-key", str(certificate.key)),
        ],
    )
    wall.start()
    try:
        yield wall
    finally:
        wall.stop()


@pytest.fixture
async def tls_browser(
    netns: NetNamespace, fake_camera: Path, certificate: MadeCertificate
) -> AsyncIterator[BrowserContext]:
    """Chromium inside ``netns`` (fake camera) trusting exactly the test's certificate."""
    trusted = f"--ignore-certificate-errors-spki-list={certificate.spki_sha256}"
    launcher = str(netns.chromium_launcher())
    async with fresh_chromium(launcher, [*netns.chromium_args(fake_camera), trusted]) as context:
        yield context


async def test_console_and_bridge_page_over_https_off_localhost(
    tls_wall: WallProcess, tls_browser: BrowserContext, artifacts: Path
) -> None:
    assert tls_wall.url == f"https://{HOST}:{tls_wall.port}"
    name, password = tls_wall.users["duty_officer"]

    console = await tls_browser.new_page()
    # Not signed in: the console sends the browser to the sign-in page (a script file,
    # since the page's CSP runs no inline script the server did not stamp).
    await console.goto(f"{tls_wall.url}/console")
    await console.wait_for_url(f"{tls_wall.url}/login?next=%2Fconsole")
    await console.fill("input[name=username]", name)
    await console.fill("input[name=password]", password)
    await console.click("button[type=submit]")
    await console.wait_for_url(f"{tls_wall.url}/console")
    sign_out = console.get_by_role("button", name="Đăng xuất")
    await sign_out.wait_for(timeout=30_000)
    assert await console.evaluate("() => window.isSecureContext && location.protocol")
    cookies = await tls_browser.cookies(tls_wall.url)
    session = next(c for c in cookies if c["name"] == "cc_session")
    assert session["secure"] and session["httpOnly"]
    await console.screenshot(path=artifacts / "console-https.png")

    url = tls_wall.bridges["hue"]
    assert url.startswith(f"https://{HOST}:")
    point = await open_point(tls_browser, url)
    await wait_until(
        lambda: point.evaluate("() => document.querySelector('.self-video').videoWidth > 0"),
        within=20,
        what="the camera's own picture on the bridge page",
    )
    assert await point.evaluate("() => window.isSecureContext")
    await point.screenshot(path=artifacts / "bridge-https.png")

    # Sign-out is the console's POST form; it ends at the sign-in page, cookie gone.
    await sign_out.click()
    await console.wait_for_url(f"{tls_wall.url}/login")
    assert not [c for c in await tls_browser.cookies(tls_wall.url) if c["name"] == "cc_session"]
