"""``/bridge/<point-id>``: the page a bridge point opens. Without a token it asks for one;
a wrong token and an unknown point are refused with a page that says so; the right token is
exchanged for the page's cookie (303 to the clean URL), which then gets the call page: it
names the point and loads the WebRTC module."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
from wallsupport import running_wall

from video.tokens import point_token


async def test_bridge_page_asks_refuses_and_admits(tmp_path: Path) -> None:
    async with running_wall(tmp_path) as rt, httpx.AsyncClient(base_url=rt.url) as client:
        token = point_token(rt.keys.devices, "hue")

        asked = await client.get("/bridge/hue")
        assert asked.status_code == 200
        assert 'name="token"' in asked.text and "UBND thành phố Huế" in asked.text

        wrong = await client.get("/bridge/hue", params={"token": "not-the-token"})
        assert wrong.status_code == 401
        assert "Mã truy cập không đúng" in wrong.text and "Wrong access token" in wrong.text
        assert "bridge.js" not in wrong.text

        # Another point's token does not open this point.
        other = await client.get(
            "/bridge/hue", params={"token": point_token(rt.keys.devices, "quang-ninh")}
        )
        assert other.status_code == 401

        unknown = await client.get("/bridge/hanoi-typo", params={"token": token})
        assert unknown.status_code == 404
        assert "Không có điểm cầu này" in unknown.text and "hanoi-typo" in unknown.text

        # The token is exchanged once for the page's cookie, then the URL is clean.
        swap = await client.get("/bridge/hue", params={"token": token, "lang": "vi"})
        assert swap.status_code == 303 and swap.headers["Location"] == "/bridge/hue?lang=vi"
        cookie = swap.headers["Set-Cookie"]
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/bridge/hue" in cookie
        page = await client.get("/bridge/hue")
        assert page.status_code == 200
        assert page.headers["Referrer-Policy"] == "no-referrer"
        assert page.headers["Cache-Control"] == "no-store"
        assert '<script type="module" src="/assets/video/bridge.js">' in page.text
        config = re.search(r'id="bridge-config">(.*?)</script>', page.text)
        assert config is not None
        given = json.loads(config.group(1))
        credential = given.pop("credential")
        assert given == {
            "point": "hue",
            "name_vi": "UBND thành phố Huế",
            "name_en": "Huế City People's Committee",
            "credential_url": "/bridge/hue/credential",
            "credential_ttl_s": 600.0,
            "lang": "vi",
            "ice_servers": [],  # none unless --ice-server: no public STUN server
            "servers": [rt.url],  # every wall server to fail over to: this one alone here
        }
        # The page holds a short-lived pass, never the point's token (that stays in the
        # HttpOnly cookie); the pass works where the token does, and a new one comes from
        # the page's own path with the cookie.
        assert token not in page.text and credential.startswith("pass.")
        roster = await client.get(
            "/api/v1/video/roster", headers={"Authorization": f"Bearer point:hue:{credential}"}
        )
        assert roster.status_code == 403  # identified as the point, which may not read it
        renewed = await client.get("/bridge/hue/credential")
        assert renewed.status_code == 200 and renewed.json()["credential"].startswith("pass.")
        async with httpx.AsyncClient(base_url=rt.url) as stranger:
            refused = await stranger.get("/bridge/hue/credential")
        assert refused.status_code == 401 and refused.json()["error"]["code"] == "unauthenticated"
        assert '<html lang="vi">' in page.text and "Rời phiên · Leave" in page.text
        english = await client.get("/bridge/hue", params={"lang": "en"})
        assert english.status_code == 200 and '<html lang="en">' in english.text
        assert 'class="bridge lang-en"' in english.text
        assert ">Leave<" in english.text and "Rời phiên" not in english.text
        assert "<b>Huế City People&#x27;s Committee</b>" in english.text
        # The page's modules are served by the static route.
        for asset in (
            "bridge.js",
            "whip.js",
            "control.js",
            "quality.js",
            "credential.js",
            "bridge.css",
        ):
            assert (await client.get(f"/assets/video/{asset}")).status_code == 200
