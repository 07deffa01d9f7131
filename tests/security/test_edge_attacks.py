"""Attacks on the wall's edge, one test (or row) each, tried against the real server as an
outsider would: a stranger locking the duty officer out, a burst of guesses, a spoofed
X-Forwarded-For, a cross-site form, a sign-out link, open redirects, tokens in the logs,
missing browser headers, a flood of password checks."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import websockets
from wallsupport import login, password_of, running_wall
from websockets.exceptions import InvalidStatus

from command_center.auth import Role
from command_center.server.client_address import ProxyTrust, rate_key
from command_center.server.login import safe_next
from command_center.server.runtime import WallRuntime
from video.registry import ROOM
from video.tokens import point_token

SECRET_FREE = "token=***"
ROOT = Path(__file__).resolve().parents[2]


def client_from(rt: WallRuntime, address: str = "127.0.0.1") -> httpx.AsyncClient:
    """An HTTP client whose connections really come from ``address`` (a loopback alias)."""
    return httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{rt.port}",
        transport=httpx.AsyncHTTPTransport(local_address=address),
    )


async def sign_in(client: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    return await client.post("/api/v1/sessions", json={"username": username, "password": password})


@pytest.fixture
async def rt(tmp_path: Path) -> AsyncIterator[WallRuntime]:
    async with running_wall(tmp_path) as runtime:
        yield runtime


# --- sign-in that strangers cannot block -------------------------------------------------------


async def test_a_stranger_cannot_lock_the_duty_officer_out(rt: WallRuntime) -> None:
    name, password = password_of(rt, Role.DUTY_OFFICER)
    async with client_from(rt, "127.0.0.66") as stranger, client_from(rt, "127.0.0.5") as desk:
        for _ in range(8):
            await sign_in(stranger, name, "guess")
        assert (await sign_in(stranger, name, password)).status_code == 429
        r = await sign_in(desk, name, password)
        assert r.status_code == 201, r.text  # her own desk: at most slowed, never locked


async def test_a_concurrent_burst_is_counted_exactly(tmp_path: Path) -> None:
    # Enough password-check slots for the whole burst: only the count may stop it.
    async with running_wall(tmp_path, verify_workers=50) as rt:
        name, password = password_of(rt, Role.DUTY_OFFICER)
        async with client_from(rt) as client:
            answers = await asyncio.gather(*(sign_in(client, name, "guess") for _ in range(50)))
            codes = sorted(r.status_code for r in answers)
            assert codes == [401] * 5 + [429] * 45
            assert rt.sign_in is not None
            counts = await rt.sign_in.limiter.failures(name, "127.0.0.1")
            assert counts["pair"] == 5
            assert (await sign_in(client, name, password)).status_code == 429


async def test_an_address_spraying_many_names_is_locked(rt: WallRuntime) -> None:
    async with client_from(rt, "127.0.0.66") as sprayer, client_from(rt, "127.0.0.5") as desk:
        for i in range(20):
            assert (await sign_in(sprayer, f"user{i}", "guess")).status_code == 401
        name, password = password_of(rt, Role.VIEWER)
        assert (await sign_in(sprayer, name, password)).status_code == 429
        assert (await sign_in(desk, name, password)).status_code == 201


async def test_x_forwarded_for_from_an_untrusted_peer_is_ignored(rt: WallRuntime) -> None:
    name, password = password_of(rt, Role.ADMIN)
    async with client_from(rt) as client:
        for i in range(5):
            r = await client.post(
                "/api/v1/sessions",
                json={"username": name, "password": "guess"},
                headers={"X-Forwarded-For": f"198.51.100.{i}"},
            )
            assert r.status_code == 401
        assert rt.sign_in is not None
        assert (await rt.sign_in.limiter.failures(name, "127.0.0.1"))["pair"] == 5
        r = await client.post(
            "/api/v1/sessions",
            json={"username": name, "password": password},
            headers={"X-Forwarded-For": "198.51.100.99"},
        )
        assert r.status_code == 429  # a fresh claimed address does not get fresh tries


@pytest.mark.parametrize(
    ("peer", "forwarded", "client"),
    [
        ("203.0.113.9", "198.51.100.1", "203.0.113.9"),  # not a proxy: header ignored
        ("10.0.0.2", "198.51.100.1", "198.51.100.1"),  # our proxy: its hop believed
        ("10.0.0.2", "6.6.6.6, 198.51.100.1", "198.51.100.1"),  # client's own part ignored
        ("10.0.0.2", "198.51.100.1, 10.0.0.3", "198.51.100.1"),  # two proxies of ours
        ("10.0.0.2", "garbage", "10.0.0.2"),
        ("10.0.0.2", "10.0.0.4, 10.0.0.3", "10.0.0.4"),
        ("10.0.0.2", "[2001:db8::1]", "2001:db8::1"),
    ],
    ids=["untrusted", "trusted", "spoofed-left", "chain", "garbage", "all-trusted", "ipv6"],
)
def test_the_client_is_the_rightmost_untrusted_hop(peer: str, forwarded: str, client: str) -> None:
    assert ProxyTrust.from_texts(["10.0.0.0/8"]).client_address(peer, forwarded) == client


def test_ipv6_clients_are_limited_by_their_64() -> None:
    assert rate_key("2001:db8:1:2:aaaa::1") == rate_key("2001:db8:1:2:bbbb::2")
    assert rate_key("2001:db8:1:3::1") != rate_key("2001:db8:1:2::1")
    assert rate_key("::ffff:192.0.2.7") == "192.0.2.7"


async def test_a_flood_of_password_checks_gets_a_quick_503(rt: WallRuntime) -> None:
    name, password = password_of(rt, Role.ADMIN)
    assert rt.sign_in is not None
    pool = rt.sign_in.pool
    async with pool.slot(), pool.slot(), client_from(rt) as client:
        r = await sign_in(client, name, password)
        assert r.status_code == 503, r.text
        assert r.json()["error"]["code"] == "busy"
        assert r.headers["Retry-After"] == "1"
        page = await client.post("/login", data={"username": name, "password": password})
        assert page.status_code == 503
        assert page.headers["Retry-After"] == "1"
    assert (await rt.sign_in.limiter.failures(name, "127.0.0.1"))["pair"] == 0
    async with client_from(rt) as client:
        assert (await sign_in(client, name, password)).status_code == 201


# --- cross-site requests, sign-out, redirects --------------------------------------------------


@contextlib.asynccontextmanager
async def cookie_client(rt: WallRuntime, role: Role) -> AsyncIterator[httpx.AsyncClient]:
    """A browser-like client signed in through ``/login`` (the session cookie)."""
    async with client_from(rt) as client:
        name, password = password_of(rt, role)
        r = await client.post("/login", data={"username": name, "password": password})
        assert r.status_code == 302, r.text
        assert "cc_session" in client.cookies
        yield client


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site", "Origin": "http://evil.example"},
        {"Sec-Fetch-Site": "same-site"},
        {"Origin": "http://evil.example"},
        {"Origin": "null"},
    ],
    ids=["cross-site", "same-site-sibling", "foreign-origin", "null-origin"],
)
async def test_a_cross_site_post_with_the_cookie_is_refused(
    rt: WallRuntime, headers: dict[str, str]
) -> None:
    async with cookie_client(rt, Role.DUTY_OFFICER) as client:
        r = await client.post("/api/v1/switch", json={"preset": "calibration"}, headers=headers)
        assert r.status_code == 403, r.text
        assert r.json()["error"]["code"] == "cross_site"
        assert rt.hub.snapshot()["preset"] != "calibration"
        r = await client.post("/logout", headers=headers)
        assert r.status_code == 403
        # From the wall's own page the same request goes through.
        own = {"Sec-Fetch-Site": "same-origin", "Origin": f"http://127.0.0.1:{rt.port}"}
        r = await client.post("/api/v1/switch", json={"preset": "calibration"}, headers=own)
        assert r.status_code == 202, r.text


async def test_sign_out_is_post_only(rt: WallRuntime) -> None:
    async with cookie_client(rt, Role.VIEWER) as client:
        r = await client.get("/logout")
        assert r.status_code == 405
        r = await client.post("/logout", headers={"Sec-Fetch-Site": "same-origin"})
        assert r.status_code == 302
        assert r.headers["Location"] == "/login"
        assert "cc_session" not in client.cookies


@pytest.mark.parametrize(
    "target",
    [
        "/\\evil.com",
        "\\\\evil.com",
        "//evil.com",
        "///evil.com",
        "/\t/evil.com",
        "/\n/evil.com",
        "/console\x00",
        "https://evil.com",
        "javascript:alert(1)",
        "http:evil.com",
        "evil.com",
        "",
    ],
    ids=[
        "slash-backslash",
        "backslashes",
        "scheme-relative",
        "triple-slash",
        "tab",
        "newline",
        "nul",
        "absolute",
        "javascript",
        "scheme-no-slashes",
        "bare-host",
        "empty",
    ],
)
def test_the_redirect_after_sign_in_stays_on_the_wall(target: str) -> None:
    assert safe_next(target) == "/console"


def test_a_path_of_the_wall_is_kept_as_next() -> None:
    assert safe_next("/console?lang=en") == "/console?lang=en"


async def test_the_login_form_does_not_redirect_to_a_backslash_host(rt: WallRuntime) -> None:
    name, password = password_of(rt, Role.VIEWER)
    async with client_from(rt) as client:
        r = await client.post(
            "/login", data={"username": name, "password": password, "next": "/\\evil.com"}
        )
        assert r.status_code == 302
        assert r.headers["Location"] == "/console"


# --- tokens in logs ----------------------------------------------------------------------------


async def test_tokens_are_masked_in_the_access_log(
    rt: WallRuntime, caplog: pytest.LogCaptureFixture
) -> None:
    screen = rt.wall.screens[0].id
    screen_token = rt.keys.devices.issue("screen", screen)
    assert rt.video is not None
    point = next(p.id for p in rt.video.registry if p.id != ROOM)
    bridge = point_token(rt.keys.devices, point)
    caplog.set_level(logging.INFO, logger="tornado.access")
    async with client_from(rt) as client:
        await client.get(f"/wall/{screen}?token={screen_token}")
        await client.get(f"/bridge/{point}?lang=en&token={bridge}")
        await client.get(f"/bridge/{point}?token=wrong-{bridge}")
    lines = [r.getMessage() for r in caplog.records if r.name == "tornado.access"]
    assert len([line for line in lines if SECRET_FREE in line]) == 3, lines
    assert not any(screen_token in line or bridge in line for line in lines), lines


def test_tokens_are_masked_in_every_log_line() -> None:
    import io

    from command_center.server.access_log import install_token_masking

    out = io.StringIO()
    handler = logging.StreamHandler(out)
    install_token_masking([handler])
    bokeh = logging.getLogger("bokeh.server.views.ws")
    bokeh.addHandler(handler)
    try:
        bokeh.error("Refusing websocket connection to %s", "/wall/s1/ws?token=SECRET123")
    finally:
        bokeh.removeHandler(handler)
    assert "token=***" in out.getvalue()
    assert "SECRET123" not in out.getvalue()


# --- browser headers ---------------------------------------------------------------------------


def page_paths(rt: WallRuntime) -> dict[str, str]:
    screen = rt.wall.screens[0].id
    assert rt.video is not None
    point = next(p.id for p in rt.video.registry if p.id != ROOM)
    return {
        "login": "/login",
        "bridge": f"/bridge/{point}?token={point_token(rt.keys.devices, point)}",
        "kiosk": f"/wall/{screen}?token={rt.keys.devices.issue('screen', screen)}",
        "console": "/console",
        "assets": "/assets/wall/screen.js",
        "bokeh-static": "/static/js/bokeh.min.js",
        "api": "/api/v1/presets",
    }


@pytest.mark.parametrize(
    "page", ["login", "bridge", "kiosk", "console", "assets", "bokeh-static", "api"]
)
async def test_every_answer_carries_the_hardening_headers(rt: WallRuntime, page: str) -> None:
    async with cookie_client(rt, Role.VIEWER) as client:
        # A ?token= page swaps the token for its cookie first (303): both answers count.
        r = await client.get(page_paths(rt)[page], follow_redirects=True)
    assert r.status_code == 200, r.text[:200]
    for answer in [*r.history, r]:
        assert "frame-ancestors 'none'" in answer.headers["Content-Security-Policy"]
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        assert answer.headers["Referrer-Policy"] == "no-referrer"
    csp = r.headers["Content-Security-Policy"]
    assert "object-src 'none'" in csp
    script = next(d for d in csp.split(";") if d.strip().startswith("script-src")).split()
    if page in ("login", "bridge", "assets", "api"):
        assert script == ["script-src", "'self'"]  # no inline script at all
    if page in ("console", "kiosk"):
        # Panel's own inline scripts run by this response's nonce, nothing inline else.
        nonce = next(s for s in script if s.startswith("'nonce-"))[len("'nonce-") : -1]
        assert "'unsafe-inline'" not in script
        tags = r.text.split("<script")[1:]
        assert tags and all(f'nonce="{nonce}"' in t.split(">", 1)[0] for t in tags)


async def test_the_plain_pages_hold_no_inline_script(rt: WallRuntime) -> None:
    async with client_from(rt) as client:
        for page in ("login", "bridge"):
            text = (await client.get(page_paths(rt)[page])).text
            for tag in text.split("<script")[1:]:
                opening = tag.split(">", 1)[0]
                assert "src=" in opening or 'type="application/json"' in opening, opening


async def test_https_public_url_brings_hsts_and_secure_cookies(tmp_path: Path) -> None:
    async with running_wall(tmp_path, public_url="https://wall.example.gov.vn") as rt:
        name, password = password_of(rt, Role.VIEWER)
        async with client_from(rt) as client:
            r = await client.get("/login")
            assert r.headers["Strict-Transport-Security"] == "max-age=31536000"
            r = await client.post("/login", data={"username": name, "password": password})
            cookie = r.headers["Set-Cookie"]
            assert "cc_session=" in cookie
            assert "Secure" in cookie and "HttpOnly" in cookie
    async with running_wall(tmp_path) as rt, client_from(rt) as client:
        assert "Strict-Transport-Security" not in (await client.get("/login")).headers


async def test_an_admin_unlocks_a_user_and_it_is_audited(tmp_path: Path) -> None:
    async with running_wall(tmp_path) as rt:
        name, password = password_of(rt, Role.DUTY_OFFICER)
        async with client_from(rt, "127.0.0.66") as stranger:
            for _ in range(5):
                await sign_in(stranger, name, "guess")
            assert (await sign_in(stranger, name, password)).status_code == 429
            before = time.time() * 1000
            # The admin's command, a process of its own beside the running server.
            proc = await asyncio.create_subprocess_exec(
                *(sys.executable, str(ROOT / "run_wall.py"), "unlock", name),
                *("--data-dir", str(tmp_path)),
                cwd=ROOT,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
            out, err = await proc.communicate()
            assert proc.returncode == 0, err.decode()
            assert "unlocked" in out.decode()
            assert (await sign_in(stranger, name, password)).status_code == 201
        async with client_from(rt) as admin:
            headers = await login(admin, rt, Role.ADMIN)
            rows = (await admin.get("/api/v1/audit?limit=20", headers=headers)).json()
        entries = rows["entries"] if isinstance(rows, dict) else rows
        unlock = next(e for e in entries if e["action"] == "unlock")
        assert unlock["target"] == name
        assert before <= unlock["at"] <= time.time() * 1000  # epoch milliseconds


async def test_a_cross_site_page_cannot_open_the_console_sockets(rt: WallRuntime) -> None:
    # Tornado's own Origin check already refuses this; the row guards it (a proxy that
    # rewrote Host, or a check_origin that returned True, would reopen it).
    async with cookie_client(rt, Role.DUTY_OFFICER) as client:
        cookie = f"cc_session={client.cookies['cc_session']}"
    for path in ("/ws/video", "/ws/screen"):
        with pytest.raises(InvalidStatus) as refused:
            async with websockets.connect(
                f"ws://127.0.0.1:{rt.port}{path}",
                origin="http://evil.example",  # type: ignore[arg-type]
                additional_headers={"Cookie": cookie},
            ):
                pass
        assert refused.value.response.status_code == 403


async def test_what_the_plain_pages_link_is_served_with_its_own_type(rt: WallRuntime) -> None:
    # With nosniff a browser refuses a stylesheet or script served as anything else
    # (a missing file's HTML 404 included).
    async with client_from(rt) as client:
        for page in ("login", "bridge"):
            text = (await client.get(page_paths(rt)[page])).text
            for kind, link in re.findall(r'<(link|script)[^>]*(?:href|src)="(/[^"]+)"', text):
                r = await client.get(link)
                assert r.status_code == 200, link
                wanted = "text/css" if kind == "link" else "javascript"
                assert wanted in r.headers["Content-Type"], (link, r.headers["Content-Type"])
