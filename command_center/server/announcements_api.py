"""``/api/v1/announcements``: the duty officer's banners on the wall (issue 14, point 8).

``POST {text_vi, text_en, severity, expires_in_s, zone}`` by a duty officer or an admin puts a
banner on every screen (``zone`` null) or on a zone's (the wall file's ``zones``), until
``expires_in_s`` passes (null: until withdrawn); ``DELETE /api/v1/announcements/<id>`` takes
it down. ``GET`` (viewer and up) lists the active ones. Each is audited; ``WallBanners`` keeps
them in the control store and on the screens of every server process.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from command_center.audit import audit
from command_center.auth import Permission, Principal
from command_center.errors import ConflictError, NotFoundError, RequestError
from command_center.protocol import Banner
from command_center.server.banners import WallBanners
from command_center.server.http_base import JsonHandler
from command_center.server.keys import Keys
from command_center.spec_problems import did_you_mean
from command_center.store import Store
from layouts.model import WallSpec

MAX_BODY = 8 * 1024  # two texts of MAX_TEXT characters, even \u-escaped, and the rest
MAX_TEXT = 200  # one line on a screen at the wall's smallest text
MAX_ACTIVE = 20  # announcements at once: a wall covered in banners tells nobody anything
MIN_EXPIRY_S = 1
MAX_EXPIRY_S = 7 * 24 * 3600
SEVERITIES = ("info", "warning", "critical")
FIELDS = ("text_vi", "text_en", "severity", "expires_in_s", "zone")
# Ids are "ann-" and 12 hex digits; the route takes any slug and answers 404 to the rest.
ID_PATTERN = r"[a-z0-9-]{1,64}"


class TooManyAnnouncements(ConflictError):
    code = "too_many_announcements"


def _bad(field: str, expected: str, got: object) -> RequestError:
    return RequestError(
        f"field '{field}' must be {expected} (got {got!r})",
        [{"field": field, "expected": expected, "got": got}],
    )


def _text(body: dict[str, Any], field: str) -> str:
    raw = body.get(field)
    expected = f"a one-line text of 1 to {MAX_TEXT} characters"
    if not isinstance(raw, str):
        raise _bad(field, expected, raw)
    text = raw.strip()
    if not text or len(text) > MAX_TEXT or any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise _bad(field, expected, raw if len(raw) <= 40 else raw[:40] + "…")
    return text


def parse_announcement(body: dict[str, Any], wall: WallSpec) -> dict[str, Any]:
    """The checked fields of a POST body; RequestError naming the first bad field."""
    unknown = sorted(set(body) - set(FIELDS))
    if unknown:
        raise RequestError(
            f"unknown field(s): {', '.join(unknown)}; allowed: {', '.join(FIELDS)}",
            [{"field": f, "problem": "unknown", "allowed": list(FIELDS)} for f in unknown],
        )
    severity = body.get("severity")
    if severity not in SEVERITIES:
        raise _bad("severity", "one of " + ", ".join(SEVERITIES), severity)
    expires = body.get("expires_in_s")
    if expires is not None and (
        isinstance(expires, bool)
        or not isinstance(expires, int | float)
        or not MIN_EXPIRY_S <= expires <= MAX_EXPIRY_S
    ):
        raise _bad(
            "expires_in_s", f"seconds from {MIN_EXPIRY_S} to {MAX_EXPIRY_S}, or null", expires
        )
    zone = body.get("zone")
    if zone is not None and (not isinstance(zone, str) or zone not in wall.zones):
        hint = did_you_mean(zone, wall.zones) or "this wall has no zones"
        raise _bad("zone", f"a zone of the wall or null ({hint})", zone)
    return {
        "text_vi": _text(body, "text_vi"),
        "text_en": _text(body, "text_en"),
        "severity": severity,
        "expires_in_s": expires,
        "zone": zone,
    }


def announcement_json(banner: Banner, screens: tuple[str, ...], wall: WallSpec) -> dict[str, Any]:
    zone = next((z.id for z in wall.zones.values() if z.screens == screens), None)
    whole = screens == wall.zone_screens(None)
    return {
        **banner.model_dump(exclude={"source"}),
        "screens": list(screens),
        "zone": None if whole else zone,
    }


class _Announcements(JsonHandler):
    body_limit = MAX_BODY

    def initialize(self, banners: WallBanners, store: Store, keys: Keys, wall: WallSpec) -> None:
        self.banners = banners
        self.store = store
        self.keys = keys
        self.wall = wall


def announcements(banners: WallBanners) -> list[tuple[Banner, tuple[str, ...]]]:
    """The announcements on the wall now (alerts' banners left out), most serious first."""
    return [(b, s) for b, s in banners.active() if b.source == "announcement"]


async def announce(
    banners: WallBanners, store: Store, wall: WallSpec, fields: dict[str, Any], who: Principal
) -> tuple[Banner, tuple[str, ...]]:
    """Put an announcement (``parse_announcement``'s fields) on the wall for ``who``, who
    has just been authorised: within the bound, audited first, as a switch is."""
    if len(announcements(banners)) >= MAX_ACTIVE:
        raise TooManyAnnouncements(
            f"at most {MAX_ACTIVE} announcements at once; withdraw one first",
            [{"field": "announcements", "limit": MAX_ACTIVE}],
        )
    now = time.time() * 1000.0
    expires = fields["expires_in_s"]
    banner = Banner(
        id=f"ann-{uuid.uuid4().hex[:12]}",
        text_vi=fields["text_vi"],
        text_en=fields["text_en"],
        severity=fields["severity"],
        source="announcement",
        expires_at=None if expires is None else now + expires * 1000.0,
        since=now,
    )
    screens = wall.zone_screens(fields["zone"])
    detail = {
        "text_vi": banner.text_vi,
        "text_en": banner.text_en,
        "severity": banner.severity,
        "expires_at": banner.expires_at,
        "zone": fields["zone"],
    }
    await audit(store, who, "announce", banner.id, detail, at_ms=now)
    await banners.put(banner, screens, who.name)
    return banner, screens


async def withdraw(banners: WallBanners, store: Store, ident: str, who: Principal) -> None:
    """Take an announcement down for ``who`` (authorised); NotFoundError if none is up."""
    if ident not in {b.id for b, _ in announcements(banners)}:
        raise NotFoundError(f"no active announcement '{ident}'")
    await audit(store, who, "withdraw_announcement", ident)
    if not await banners.withdraw(ident, who.name):
        raise NotFoundError(f"announcement '{ident}' has just expired or gone")


class AnnouncementsHandler(_Announcements):
    async def get(self) -> None:
        await self.require(Permission.VIEW_WALL)
        listed = [announcement_json(b, s, self.wall) for b, s in announcements(self.banners)]
        self.write_json({"announcements": listed})

    async def post(self) -> None:
        principal = await self.require(Permission.SWITCH_LAYOUT)
        fields = parse_announcement(self.json_body(), self.wall)
        banner, screens = await announce(self.banners, self.store, self.wall, fields, principal)
        self.set_header("Location", f"/api/v1/announcements/{banner.id}")
        self.write_json(announcement_json(banner, screens, self.wall), 201)


class AnnouncementHandler(_Announcements):
    async def delete(self, announcement_id: str) -> None:
        principal = await self.require(Permission.SWITCH_LAYOUT)
        await withdraw(self.banners, self.store, announcement_id, principal)
        self.write_json({"withdrawn": announcement_id})


ANNOUNCEMENT_ROUTES: list[tuple[str, type[_Announcements]]] = [
    (r"/api/v1/announcements", AnnouncementsHandler),
    (rf"/api/v1/announcements/({ID_PATTERN})", AnnouncementHandler),
]
