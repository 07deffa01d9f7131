"""The replay tests' helpers: what real kiosk pages received, and the history API's JSON
(contract.md) built from it, for a server that has no history routes yet.

``Received`` listens to each kiosk page's screen socket and keeps every message with the
moment it arrived. ``answer_history(page, received)`` makes the replay page's requests to
``/api/v1/history*`` answer from those messages, exactly in the contract's shape; the
tests use the server's own routes once they exist (``has_history_api``).
"""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
from playwright.async_api import Page, Route, WebSocket

from feeds.periods import TIME_ZONE

# What a screen is sent that changes what it shows (the rest is the link's own talk).
SHOWN = frozenset({"layout", "data", "banners"})


def iso(ms: float) -> str:
    return dt.datetime.fromtimestamp(ms / 1000, TIME_ZONE).isoformat(timespec="milliseconds")


def parse(text: str) -> float:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000


def now_ms() -> float:
    return time.time() * 1000


@dataclass
class Received:
    """Per screen, [(epoch ms, message)] in the order the page received them."""

    messages: dict[str, list[tuple[float, dict[str, Any]]]] = field(default_factory=dict)

    def listen(self, page: Page, screen: str) -> None:
        kept = self.messages.setdefault(screen, [])

        def on_socket(ws: WebSocket) -> None:
            if "/ws/screen" not in ws.url:
                return

            def on_frame(payload: str | bytes) -> None:
                msg = json.loads(payload)
                if msg.get("type") in SHOWN:
                    kept.append((now_ms(), msg))

            ws.on("framereceived", on_frame)

        page.on("websocket", on_socket)

    def oldest(self) -> float | None:
        times = [t for kept in self.messages.values() for t, _ in kept]
        return min(times) if times else None

    def state(self, at: float, screen: str | None) -> dict[str, Any]:
        screens = {}
        for sid, kept in self.messages.items():
            if screen and sid != screen:
                continue
            before = [(t, m) for t, m in kept if t <= at]
            layouts = [i for i, (_, m) in enumerate(before) if m["type"] == "layout"]
            if not layouts:
                continue
            since = before[layouts[-1] :]
            banners = [m for _, m in before if m["type"] == "banners"]
            messages = [m for _, m in since if m["type"] != "banners"]
            if banners:
                messages.append(banners[-1])
            screens[sid] = {
                "preset": since[0][1]["preset"],
                "changed_at": iso(before[-1][0]),
                "messages": messages,
            }
        oldest = self.oldest()
        return {"at": iso(at), "oldest": iso(oldest) if oldest else None, "screens": screens}

    def events(self, start: float, end: float, screen: str | None) -> dict[str, Any]:
        events = [
            {"t": t, "screen": sid, "message": m}
            for sid, kept in self.messages.items()
            if not screen or sid == screen
            for t, m in kept
            if start < t <= end
        ]
        events.sort(key=lambda e: e["t"])
        return {"from": iso(start), "to": iso(end), "events": events, "truncated": False}

    def marks(self, start: float, end: float) -> dict[str, Any]:
        marks = {}
        for kept in self.messages.values():
            for t, m in kept:
                if m["type"] == "layout" and m.get("switch_id") and start <= t <= end:
                    marks.setdefault(
                        m["switch_id"],
                        {
                            "t": iso(t),
                            "kind": "switch",
                            "label_vi": m["name_vi"],
                            "label_en": m["name_en"],
                            "screen": None,
                        },
                    )
        return {"marks": sorted(marks.values(), key=lambda m: m["t"])}


async def answer_history(page: Page, received: Received) -> None:
    """The page's history requests answered from ``received`` (contract.md's JSON)."""

    async def handle(route: Route) -> None:
        url = urlparse(route.request.url)
        q = {k: v[0] for k, v in parse_qs(url.query).items()}
        screen = q.get("screen")
        if url.path == "/api/v1/history":
            body = received.state(parse(q["at"]), screen)
        elif url.path == "/api/v1/history/events":
            body = received.events(parse(q["from"]), parse(q["to"]), screen)
        elif url.path == "/api/v1/history/marks":
            body = received.marks(parse(q["from"]), parse(q["to"]))
        else:
            await route.continue_()
            return
        await route.fulfill(status=200, content_type="application/json", body=json.dumps(body))

    await page.route("**/api/v1/history**", handle)


async def has_history_api(base_url: str, headers: dict[str, str]) -> bool:
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        r = await client.get("/api/v1/history", params={"at": iso(now_ms())}, headers=headers)
        return r.status_code != 404 or r.json().get("error", {}).get("code") != "not_found"
