"""The console's JSON API under ``/api/v1`` and the public ``/health``.

Reading needs ``view_wall``; switching needs ``switch_layout``. Tokens come from
``POST /api/v1/sessions`` (username and password) and go in ``Authorization: Bearer``.
"""

from __future__ import annotations

import time
from typing import Any

from command_center.auth import Permission, issue_session
from command_center.errors import NotFoundError, RequestError
from command_center.server.http_base import JsonHandler
from command_center.server.hub import ScreenHub
from command_center.server.keys import Keys
from command_center.server.sign_in import SignInGate
from command_center.store import Store


class ApiHandler(JsonHandler):
    def initialize(self, hub: ScreenHub, store: Store, keys: Keys, session_ttl_s: float) -> None:
        self.hub = hub
        self.store = store
        self.keys = keys
        self.session_ttl_s = session_ttl_s


class HealthHandler(ApiHandler):
    """Liveness for monitoring: no secrets, no authentication."""

    def get(self) -> None:
        snap = self.hub.snapshot()
        online = sum(1 for s in snap["screens"] if s["online"])
        self.write_json(
            {
                "status": "ok",
                "preset": snap["preset"],
                "version": snap["version"],
                "screens_online": online,
                "screens_total": len(snap["screens"]),
                "server_time": time.time() * 1000.0,
            }
        )


class SessionsHandler(ApiHandler):
    def initialize(  # type: ignore[override]
        self, sign_in_gate: SignInGate, **common: Any
    ) -> None:
        super().initialize(**common)
        self.gate = sign_in_gate

    async def post(self) -> None:
        body = self.json_body()
        username, password = body.get("username"), body.get("password")
        if not isinstance(username, str) or not isinstance(password, str):
            raise RequestError(
                "body must have string fields 'username' and 'password'",
                [{"field": "username/password", "expected": "string"}],
            )
        principal = await self.gate.sign_in(self.store, username, password, self.request.remote_ip)
        now = time.time()
        token = issue_session(self.keys.session, principal, now, self.session_ttl_s)
        self.write_json(
            {
                "token": token,
                "username": principal.name,
                "role": str(principal.role),
                "expires_at": (now + self.session_ttl_s) * 1000.0,
            },
            201,
        )


class PresetsHandler(ApiHandler):
    def get(self) -> None:
        self.require(Permission.VIEW_WALL)
        self.write_json({"presets": [preset_summary(p) for p in self.hub.presets.values()]})


def preset_summary(preset: Any) -> dict[str, Any]:
    return {
        "id": preset.id,
        "name_vi": preset.name_vi,
        "name_en": preset.name_en,
        "description_vi": preset.description_vi,
        "description_en": preset.description_en,
        "tiles": len(preset.tiles),
    }


class StateHandler(ApiHandler):
    def get(self) -> None:
        self.require(Permission.VIEW_WALL)
        self.write_json(self.hub.snapshot())


class SwitchHandler(ApiHandler):
    async def post(self) -> None:
        principal = self.require(Permission.SWITCH_LAYOUT)
        body = self.json_body()
        preset = body.get("preset")
        if not isinstance(preset, str) or not preset:
            raise RequestError(
                f"field 'preset' must be a preset id (got {preset!r})",
                [{"field": "preset", "allowed": sorted(self.hub.presets)}],
            )
        unknown = sorted(set(body) - {"preset"})
        if unknown:
            raise RequestError(f"unknown field(s): {', '.join(unknown)}; allowed: preset")
        report = await self.hub.switch(preset, principal)
        self.set_header("Location", f"/api/v1/switches/{report.switch_id}")
        self.write_json(report.as_dict(), 202)


class SwitchReportHandler(ApiHandler):
    def get(self, switch_id: str) -> None:
        self.require(Permission.VIEW_WALL)
        report = self.hub.reports.get(switch_id)
        if report is None:
            raise NotFoundError(f"no recent switch '{switch_id}'")
        self.write_json(report.as_dict())


class ScreensHandler(ApiHandler):
    def get(self) -> None:
        self.require(Permission.VIEW_WALL)
        self.write_json({"screens": self.hub.snapshot()["screens"]})


class AuditHandler(ApiHandler):
    async def get(self) -> None:
        self.require(Permission.VIEW_WALL)
        raw = self.get_query_argument("limit", "100")
        if not raw.isdigit() or not 1 <= int(raw) <= 1000:
            raise RequestError(f"'limit' must be a whole number from 1 to 1000 (got '{raw}')")
        entries = await self.store.audit(int(raw))
        self.write_json({"entries": [e.model_dump() for e in entries]})


API_ROUTES: list[tuple[str, type[ApiHandler]]] = [
    (r"/health", HealthHandler),
    (r"/api/v1/sessions", SessionsHandler),
    (r"/api/v1/presets", PresetsHandler),
    (r"/api/v1/state", StateHandler),
    (r"/api/v1/switch", SwitchHandler),
    (r"/api/v1/switches/([0-9a-f]{1,32})", SwitchReportHandler),
    (r"/api/v1/screens", ScreensHandler),
    (r"/api/v1/audit", AuditHandler),
]
