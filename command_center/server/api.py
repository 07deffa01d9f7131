"""The console's JSON API under ``/api/v1`` and the public ``/health``.

Reading needs ``view_wall``; switching needs ``switch_layout``. Tokens come from
``POST /api/v1/sessions`` (username and password) and go in ``Authorization: Bearer``.
"""

from __future__ import annotations

import time
from typing import Any

from command_center.audit import audit
from command_center.auth import Permission
from command_center.errors import AuthError, NotFoundError, RequestError
from command_center.server.body_limit import MAX_SIGN_IN_BODY
from command_center.server.health import HealthMonitor
from command_center.server.http_base import SESSION_COOKIE, JsonHandler
from command_center.server.hub import ScreenHub
from command_center.server.keys import Keys
from command_center.server.loop_lag import LoopLag
from command_center.server.sign_in import SignInGate
from command_center.store import Store

RECENT_LAG_S = 10.0


class ApiHandler(JsonHandler):
    def initialize(
        self,
        hub: ScreenHub,
        store: Store,
        keys: Keys,
        session_ttl_s: float,
        loop_lag: LoopLag | None = None,
        health: HealthMonitor | None = None,
    ) -> None:
        self.hub = hub
        self.store = store
        self.keys = keys
        self.session_ttl_s = session_ttl_s
        self.loop_lag = loop_lag
        self.health = health


class HealthHandler(ApiHandler):
    """Liveness for monitoring: no secrets, no authentication. 200 while ``ok`` or
    ``degraded`` (the wall still shows), 503 while ``down`` (shutting down)."""

    served_while_closing = True

    async def get(self) -> None:
        status: str = "ok"
        dependencies: dict[str, dict[str, Any]] = {}
        if self.health is not None:
            status, dependencies = await self.health.report()
        snap = self.hub.snapshot()
        online = sum(1 for s in snap["screens"] if s["online"])
        self.write_json(
            {
                "status": status,
                # Each dependency: {"status": ok|degraded|down, "since", "detail"}.
                "dependencies": dependencies,
                "preset": snap["preset"],
                # Zone id -> the preset its screens show instead of "preset".
                "zones": snap["zones"],
                "version": snap["version"],
                "screens_online": online,
                "screens_total": len(snap["screens"]),
                # The whole wall: this process's screens and those other processes (on the
                # same Redis) announced within the presence TTL.
                "screens_on_wall": len(self.hub.screens_online()),
                "screens_elsewhere": self.hub.screens_elsewhere(),
                "server_time": time.time() * 1000.0,
                # Messages on the Redis bus with a missing or wrong signature, dropped.
                "bus_rejected": self.hub.bus_rejected,
                "bus": self.hub.bus_health(),
                # How late the event loop (every screen's) ran what was due, last minute,
                # and the last 10 s (a stall now, not diluted by a quiet minute).
                "loop_lag": self._loop_lag(),
                # Open previews and video channels; links dropped for not reading.
                "links": self.hub.links.snapshot(),
            },
            503 if status == "down" else 200,
        )

    def _loop_lag(self) -> dict[str, object] | None:
        if self.loop_lag is None:
            return None
        return self.loop_lag.snapshot() | {"last_10s": self.loop_lag.snapshot(RECENT_LAG_S)}


class SessionsHandler(ApiHandler):
    open_body = True  # sign-in: small, and read before anyone is known
    body_limit = MAX_SIGN_IN_BODY

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
        address = self.request.remote_ip
        try:
            principal = await self.gate.sign_in(self.store, username, password, address)
        except AuthError as exc:
            detail = {"address": address, "reason": exc.message}
            await audit(self.store, username, "sign_in_refused", "api", detail)
            raise
        now = time.time()
        token = await self.sessions.issue(principal, address)
        await audit(self.store, principal, "sign_in", "api", {"address": address})
        self.write_json(
            {
                "token": token,
                "username": principal.name,
                "role": str(principal.role),
                "expires_at": self.sessions.expires_at(now) * 1000.0,
                "idle_timeout_s": self.sessions.policy.idle_s,
            },
            201,
        )


class CurrentSessionHandler(ApiHandler):
    """``DELETE /api/v1/sessions/current``: sign out; the session ends on every server."""

    async def delete(self) -> None:
        principal = await self.principal()
        token = self.session_token()
        if principal is None or token is None:
            raise AuthError("authentication required: no session to end")
        await self.sessions.end(token)
        await audit(self.store, principal, "sign_out", "api", {"address": self.request.remote_ip})
        self.clear_cookie(SESSION_COOKIE, path="/")
        self.write_json({"ended": True, "username": principal.name})


class PresetsHandler(ApiHandler):
    async def get(self) -> None:
        await self.require(Permission.VIEW_WALL)
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
    async def get(self) -> None:
        await self.require(Permission.VIEW_WALL)
        self.write_json(self.hub.snapshot())


class SwitchHandler(ApiHandler):
    async def post(self) -> None:
        principal = await self.require(Permission.SWITCH_LAYOUT)
        body = self.json_body()
        preset = body.get("preset")
        if not isinstance(preset, str) or not preset:
            raise RequestError(
                f"field 'preset' must be a preset id (got {preset!r})",
                [{"field": "preset", "allowed": sorted(self.hub.presets)}],
            )
        zone = body.get("zone")
        if zone is not None and (not isinstance(zone, str) or not zone):
            raise RequestError(
                f"field 'zone' must be a zone id of the wall, or absent for the whole wall "
                f"(got {zone!r})",
                [{"field": "zone", "allowed": sorted(self.hub.wall.zones)}],
            )
        unknown = sorted(set(body) - {"preset", "zone"})
        if unknown:
            raise RequestError(f"unknown field(s): {', '.join(unknown)}; allowed: preset, zone")
        report = await self.hub.switch(preset, principal, zone)
        self.set_header("Location", f"/api/v1/switches/{report.switch_id}")
        self.write_json(report.as_dict(), 202)


class SwitchReportHandler(ApiHandler):
    async def get(self, switch_id: str) -> None:
        await self.require(Permission.VIEW_WALL)
        report = self.hub.reports.get(switch_id)
        if report is None:
            raise NotFoundError(f"no recent switch '{switch_id}'")
        self.write_json(report.as_dict())


class ScreensHandler(ApiHandler):
    async def get(self) -> None:
        await self.require(Permission.VIEW_WALL)
        self.write_json({"screens": self.hub.snapshot()["screens"]})


class AuditHandler(ApiHandler):
    async def get(self) -> None:
        await self.require(Permission.VIEW_WALL)
        raw = self.get_query_argument("limit", "100")
        if not raw.isdigit() or not 1 <= int(raw) <= 1000:
            raise RequestError(f"'limit' must be a whole number from 1 to 1000 (got '{raw}')")
        filters = {}
        for name in ("actor", "action"):
            value = self.get_query_argument(name, "")
            if len(value) > MAX_FILTER:
                raise RequestError(f"'{name}' is at most {MAX_FILTER} characters")
            filters[name] = value or None
        entries = await self.store.audit_entries(int(raw), **filters)
        self.write_json({"entries": [e.model_dump() for e in entries]})


MAX_FILTER = 128


API_ROUTES: list[tuple[str, type[ApiHandler]]] = [
    (r"/health", HealthHandler),
    (r"/api/v1/sessions", SessionsHandler),
    (r"/api/v1/sessions/current", CurrentSessionHandler),
    (r"/api/v1/presets", PresetsHandler),
    (r"/api/v1/state", StateHandler),
    (r"/api/v1/switch", SwitchHandler),
    (r"/api/v1/switches/([0-9a-f]{1,32})", SwitchReportHandler),
    (r"/api/v1/screens", ScreensHandler),
    (r"/api/v1/audit", AuditHandler),
]
