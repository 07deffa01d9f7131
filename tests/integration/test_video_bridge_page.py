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
        token = point_token(rt.keys.device, "hue")

        asked = await client.get("/bridge/hue")
        assert asked.status_code == 200
        assert 'name="token"' in asked.text and "UBND thành phố Huế" in asked.text

        wrong = await client.get("/bridge/hue", params={"token": "not-the-token"})
        assert wrong.status_code == 401
        assert "Mã truy cập không đúng" in wrong.text and "Wrong access token" in wrong.text
        assert "bridge.js" not in wrong.text

        # Another point's token does not open this point.
        other = await client.get(
            "/bridge/hue", params={"token": point_token(rt.keys.device, "quang-ninh")}
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
        assert json.loads(config.group(1)) == {
            "point": "hue",
            "name_vi": "UBND thành phố Huế",
            "name_en": "Huế City People's Committee",
            "token": token,
            "lang": "vi",
        }
        assert '<html lang="vi">' in page.text and "Rời phiên · Leave" in page.text
        english = await client.get("/bridge/hue", params={"lang": "en"})
        assert english.status_code == 200 and '<html lang="en">' in english.text
        assert 'class="bridge lang-en"' in english.text
        assert ">Leave<" in english.text and "Rời phiên" not in english.text
        assert "<b>Huế City People&#x27;s Committee</b>" in english.text
        # The page's modules are served by the static route.
        for asset in ("bridge.js", "whip.js", "control.js", "quality.js", "bridge.css"):
            assert (await client.get(f"/assets/video/{asset}")).status_code == 200
