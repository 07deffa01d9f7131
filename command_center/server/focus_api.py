"""``/api/v1/focus``: the duty console points the wall's maps at one province, or back.

``POST {"province": "48"}`` (a GSO code of the 34-unit list) or ``{"province": null}`` (the
whole country), by a duty officer or an admin: audited like a switch, then announced on the
bus (``MapFocusChanged``) so every server process's screens follow. ``GET`` tells the focus.
"""

from __future__ import annotations

import time
from typing import Any

from command_center.audit import audit
from command_center.auth import Permission
from command_center.bus import Bus
from command_center.errors import RequestError
from command_center.messages import MapFocusChanged
from command_center.server.http_base import JsonHandler
from command_center.server.keys import Keys
from command_center.server.map_feed import MapFeed, focus_json
from command_center.spec_problems import did_you_mean
from command_center.store import Store
from geo import CodeList, codes


def check_province(raw: object) -> str | None:
    """None (the whole country) or a code of the 34-unit list; RequestError otherwise."""
    if raw is None:
        return None
    known = codes(CodeList.NEW_34)
    if isinstance(raw, str) and raw in known:
        return raw
    raise RequestError(
        f"field 'province' must be a GSO code of the 34-unit list or null "
        f"(got {raw!r}; {did_you_mean(raw, known)})",
        [{"field": "province", "expected": "gso-34 code or null", "got": raw}],
    )


async def focus(
    store: Store, bus: Bus, province: str | None, actor: str, role: str
) -> dict[str, Any]:
    """Audit and announce a focus change; the answer describes the new focus."""
    now = time.time() * 1000.0
    detail = {"code_list": CodeList.NEW_34.value} if province else {}
    await audit(store, actor, "focus_map", province or "VN", detail, role=role, at_ms=now)
    await bus.publish(MapFocusChanged(province=province, actor=actor, ts=now))
    return {"focus": focus_json(province, actor, now)}


async def last_focus(store: Store) -> MapFocusChanged | None:
    """The focus as the console last set it, from the audit log (every change is audited
    before it is announced): what a starting or resynchronising process shows."""
    rows = await store.audit_entries(limit=1, action="focus_map")
    if not rows:
        return None
    row = rows[0]
    province = None if row.target == "VN" else row.target
    return MapFocusChanged(province=province, actor=row.actor, ts=row.at)


class FocusHandler(JsonHandler):
    def initialize(self, store: Store, bus: Bus, keys: Keys, maps: MapFeed) -> None:
        self.store = store
        self.bus = bus
        self.keys = keys
        self.maps = maps

    async def post(self) -> None:
        principal = await self.require(Permission.SWITCH_LAYOUT)
        body = self.json_body()
        unknown = sorted(set(body) - {"province"})
        if unknown or "province" not in body:
            raise RequestError(
                'body must be {"province": <gso-34 code or null>} and nothing else',
                [{"field": "province", "expected": "gso-34 code or null", "got": sorted(body)}],
            )
        province = check_province(body["province"])
        answer = await focus(self.store, self.bus, province, principal.name, str(principal.role))
        self.write_json(answer, 202)

    async def get(self) -> None:
        await self.require(Permission.VIEW_WALL)
        self.write_json({"focus": self.maps.focus})


FOCUS_ROUTES: list[tuple[str, type[FocusHandler]]] = [(r"/api/v1/focus", FocusHandler)]
