"""``/console``: the duty staff's page. One Panel session per open console.

It shows the live miniature of the wall, the preset picker, the last switch's skew, each
screen's health and the audit log. Every action (switch, map focus, the video roster's) goes
through the console's ``ConsoleGuard``, which re-reads the session and the permission when
the action runs; viewers get no control widgets at all. A console whose session has ended
closes itself to a bilingual banner within ``SESSION_WATCH_MS``. The JSON API offers the
same actions to scripts.
"""

from __future__ import annotations

import datetime as dt
import html
import time
from dataclasses import dataclass
from typing import Any

import panel as pn

from command_center.auth import (
    ROLE_LABELS,
    ROLE_PERMISSIONS,
    Permission,
    Principal,
)
from command_center.bus import Bus
from command_center.errors import AuthError, RequestError
from command_center.server import video_actions
from command_center.server.audit_view import AuditView
from command_center.server.console_admin import CredentialSource, CredentialsPanel
from command_center.server.console_guard import (
    ConsoleAction,
    ConsoleGuard,
    EndAction,
    FocusAction,
    MuteAction,
    PinAction,
    ProgramAction,
    SwitchAction,
)
from command_center.server.focus_api import check_province, focus
from command_center.server.hub import ScreenHub
from command_center.server.i18n import Lang, t
from command_center.server.keys import Keys
from command_center.server.screen_view import WallPreview
from command_center.server.video_roster import VideoRoster, video_tiles
from command_center.sessions import SCOPE_VIEW, Sessions
from command_center.store import AuditEntry, Store
from feeds.periods import TIME_ZONE
from video.room import VideoRoom

REFRESH_MS = 1000
# How often an open console re-reads its session: an ended one closes within this (< 5 s).
SESSION_WATCH_MS = 2000
# The page's view-only token (preview, video) lives 5 min and is renewed well before.
VIEW_TOKEN_TTL_S = 300.0
VIEW_TOKEN_RENEW_S = 120.0
AUDIT_ROWS = 15
CSS = """
:host { font-family: "Noto Sans", "DejaVu Sans", sans-serif; }
table.cc { border-collapse: collapse; width: 100%; font-size: 13px; }
table.cc th, table.cc td { border-bottom: 1px solid #ddd; padding: 3px 6px; text-align: left; }
.ok { color: #0a7d32; font-weight: 600; } .bad { color: #b3261e; font-weight: 600; }
.muted { color: #666; }
.session-ended { background: #b3261e; color: #fff; padding: 12px 16px; font-size: 16px; }
.session-ended a { color: #fff; }
form.sign-out { display: inline; } form.sign-out button { font: inherit; cursor: pointer; }
"""


def fmt_time(ms: float | None) -> str:
    if ms is None:
        return "—"
    return dt.datetime.fromtimestamp(ms / 1000, TIME_ZONE).strftime("%d/%m/%Y %H:%M:%S")


def fmt_num(value: float | None, unit: str = "", decimals: int = 1) -> str:
    """Vietnamese style: 1.234,5."""
    if value is None:
        return "—"
    text = f"{value:,.{decimals}f}".replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return f"{text} {unit}".strip()


def age(ms: float | None, now_ms: float, lang: Lang) -> str:
    if ms is None:
        return "—"
    s = max(0, int((now_ms - ms) / 1000))
    if s < 60:
        return f"{s} giây trước" if lang == "vi" else f"{s} s ago"
    if s < 3600:
        return f"{s // 60} phút trước" if lang == "vi" else f"{s // 60} min ago"
    return f"{s // 3600} giờ trước" if lang == "vi" else f"{s // 3600} h ago"


def screens_table(snapshot: dict[str, Any], lang: Lang, now_ms: float) -> str:
    rows = []
    for s in snapshot["screens"]:
        state = (
            f'<span class="ok">{t("online", lang)}</span>'
            if s["online"]
            else f'<span class="bad">{t("offline", lang)}</span>'
        )
        p50, p99 = s["latency_p50_ms"], s["latency_p99_ms"]
        rows.append(
            f"<tr data-screen='{html.escape(s['id'])}'><td>{html.escape(s['id'])}</td>"
            f"<td>{state}</td><td>{age(s['last_seen'], now_ms, lang)}</td>"
            f"<td>{fmt_num(p50, 'ms', 0)} / {fmt_num(p99, 'ms', 0)}</td>"
            f"<td>{fmt_num(s['offset_ms'], 'ms')}</td><td>{fmt_num(s['memory_mb'], 'MB')}</td>"
            f"<td>{s['resolution'] or '—'}</td></tr>"
        )
    head = "".join(
        f"<th>{t(k, lang)}</th>"
        for k in ("screen", "online", "heartbeat", "latency", "offset", "memory")
    )
    return f"<table class='cc screens'><tr>{head}<th>px</th></tr>{''.join(rows)}</table>"


def switch_summary(snapshot: dict[str, Any], hub: ScreenHub, lang: Lang) -> str:
    preset = hub.presets[snapshot["preset"]]
    name = preset.name_vi if lang == "vi" else preset.name_en
    out = (
        f"<p class='now'><b>{t('now_showing', lang)}:</b> {html.escape(name)} "
        f"<span class='muted'>(v{snapshot['version']}, {fmt_time(snapshot['switched_at'])}"
        f"{' ' + t('by', lang) + ' ' + html.escape(snapshot['switched_by']) if snapshot['switched_by'] else ''})"
        "</span></p>"
    )
    last = snapshot["last_switch"]
    if last:
        missing = ", ".join(last["missing"]) or "—"
        out += (
            f"<p class='last-switch' data-skew='{last['skew_ms']}' data-complete='{last['complete']}'>"
            f"<b>{t('last_switch', lang)}:</b> {html.escape(last['preset'])} · "
            f"{t('skew', lang)}: <b class='skew'>{fmt_num(last['skew_ms'], 'ms')}</b> · "
            f"{t('duration', lang)}: {fmt_num(last['duration_ms'], 'ms', 0)} · "
            f"{t('missing', lang)}: {html.escape(missing)}</p>"
        )
    return out


def audit_table(entries: list[AuditEntry], lang: Lang) -> str:
    head = "".join(f"<th>{t(k, lang)}</th>" for k in ("when", "who", "what", "target"))
    rows = "".join(
        f"<tr><td>{fmt_time(e.at)}</td><td>{html.escape(e.actor)} "
        f"<span class='muted'>({html.escape(e.role)})</span></td>"
        f"<td>{html.escape(e.action)}</td><td>{html.escape(e.target)}"
        + (
            f" <span class='muted'>skew {fmt_num(e.detail.get('skew_ms'), 'ms')}</span>"
            if "skew_ms" in e.detail
            else ""
        )
        + "</td></tr>"
        for e in entries
    )
    return f"<table class='cc audit'><tr>{head}</tr>{rows}</table>"


@dataclass(frozen=True)
class ConsoleDeps:
    """What every console session needs from the server (one per runtime)."""

    hub: ScreenHub
    store: Store
    bus: Bus
    keys: Keys
    sessions: Sessions
    room: VideoRoom | None = None
    # The admin's list of device credentials; None: the panel is not shown.
    credentials: CredentialSource | None = None


def sign_out_form(lang: Lang) -> str:
    """Sign-out is a POST (a GET /logout must not end anything)."""
    return (
        "<form class='sign-out' method='post' action='/logout'>"
        f"<button type='submit'>{t('logout', lang)}</button></form>"
    )


def ended_banner(reason: str) -> str:
    return (
        "<div class='session-ended' role='alert'>"
        "<b>Phiên đăng nhập đã kết thúc · Your session has ended</b><br>"
        f"{html.escape(reason)}<br>"
        "<a href='/login?next=/console'>Đăng nhập lại · Sign in again</a></div>"
    )


class Console:
    """One console session's widgets and callbacks."""

    def __init__(self, deps: ConsoleDeps, principal: Principal, session_token: str) -> None:
        self.deps = deps
        self.hub, self.store, self.principal = deps.hub, deps.store, principal
        # The session token stays on the server: the page gets only a view-only token.
        self._session_token = session_token

        async def check() -> Principal:
            return await deps.sessions.principal_now(session_token)

        async def watch() -> Principal:
            # Watching is not a use: an unattended console still goes idle.
            return await deps.sessions.check(session_token, use=False)

        self.guard = ConsoleGuard(deps.store, check, principal, watch)
        self.lang: Lang = "vi"
        self.may_operate = Permission.SWITCH_LAYOUT in _permissions(principal)
        hub = deps.hub
        wall = hub.wall
        vps = [(s.id, wall.viewport(s.id)) for s in wall.screens]
        token = self._view_token()
        self.preview = WallPreview(
            screens=[{"id": i, "x": v.x, "y": v.y, "w": v.w, "h": v.h} for i, v in vps],
            wall_width=wall.width,
            wall_height=wall.height,
            token=token,
            may_focus=self.may_operate,
            sizing_mode="stretch_width",
        )
        self.lang_pick = pn.widgets.RadioButtonGroup(
            options={"Tiếng Việt": "vi", "English": "en"}, value="vi", name="lang"
        )
        # Viewers get no control widgets at all (a disabled one is only decoration).
        self.picker: pn.widgets.Select | None = None
        self.switch_btn: pn.widgets.Button | None = None
        if self.may_operate:
            self.picker = pn.widgets.Select(
                name=t("preset", "vi"),
                options=self._preset_options(),
                css_classes=["preset-picker"],
            )
            self.picker.value = hub.state.preset
            self.switch_btn = pn.widgets.Button(name=t("switch", "vi"), button_type="primary")
            self.switch_btn.on_click(self._on_switch)
        self.message = pn.pane.HTML(
            "" if self.may_operate else t("no_permission", "vi"), css_classes=["console-message"]
        )
        self.summary = pn.pane.HTML(stylesheets=[CSS], sizing_mode="stretch_width")
        self.screens = pn.pane.HTML(stylesheets=[CSS], sizing_mode="stretch_width")
        # The audit log with its actor / action filters (audit_view.py).
        self.audit_view = AuditView(
            deps.store, audit_table, AUDIT_ROWS, stylesheets=[CSS], sizing_mode="stretch_width"
        )
        self.audit = self.audit_view.table
        # Bridge points: live from the video control channel; read-only for viewers.
        self.video = VideoRoster(
            token=token,
            may_operate=self.may_operate,
            tiles=video_tiles(hub.presets),
            sizing_mode="stretch_width",
        )
        # Whatever a page sends goes through the guard, a viewer's page included.
        self.preview.sink = self.act
        self.video.sink = self.act
        self.admin: CredentialsPanel | None = None
        if deps.credentials is not None and Permission.MANAGE_USERS in _permissions(principal):
            self.admin = CredentialsPanel(deps.credentials, fmt_time)
        self.sign_out = pn.pane.HTML(sign_out_form("vi"), stylesheets=[CSS])
        self.headings = {
            k: pn.pane.Markdown(sizing_mode="stretch_width")
            for k in ("title", "wall", "screens", "video", "audit")
        }
        self.layout = pn.Column(sizing_mode="stretch_width", margin=(0, 20))
        self._callbacks: list[Any] = []
        self._ended = False
        self.lang_pick.param.watch(self._on_lang, "value")

    def _preset_options(self) -> dict[str, str]:
        return {
            (p.name_vi if self.lang == "vi" else p.name_en): pid
            for pid, p in sorted(self.hub.presets.items())
        }

    # --- actions: every one through the guard ----------------------------------------------

    async def act(self, raw: object) -> dict[str, Any]:
        """Run one action a page sent (or a widget made); the answer goes back to the page."""
        outcome = await self.guard.run(raw, self._perform)
        mark = "✓" if outcome.ok else "✗"
        css = "" if outcome.ok else " class='bad'"
        self.message.object = f"<span{css}>{mark} {html.escape(outcome.message)}</span>"
        if outcome.refused:
            await self._watch()  # a refusal may mean the session ended: close at once
        else:
            await self.refresh()
        return {"ok": outcome.ok, "message": outcome.message, "refused": outcome.refused}

    async def _perform(self, action: ConsoleAction, who: Principal) -> str:
        """The action itself, for a principal the guard has just authorised."""
        store = self.store
        if isinstance(action, SwitchAction):
            report = await self.hub.switch(action.preset, who)
            return f"{report.preset} · {report.switch_id}"
        if isinstance(action, FocusAction):
            province = check_province(action.province)
            await focus(store, self.deps.bus, province, who.name, str(who.role))
            return f"{t('focus', self.lang)}: {province or 'VN'}"
        room = self.deps.room
        if room is None:
            raise RequestError("this server runs no video bridge")
        if isinstance(action, MuteAction):
            await video_actions.mute(room, store, who, action.point, action.muted)
        elif isinstance(action, EndAction):
            await video_actions.end_call(room, store, who, action.point)
        elif isinstance(action, ProgramAction):
            await video_actions.program(room, store, who, action.source)
        elif isinstance(action, PinAction):
            await video_actions.pin(room, store, who, action.tile, action.source)
        return action.action

    async def _on_switch(self, _event: object) -> None:
        if self.picker is None or self.switch_btn is None:
            return
        self.switch_btn.disabled = True
        self.message.object = t("switching", self.lang)
        try:
            await self.act({"action": "switch", "preset": self.picker.value})
        finally:
            self.switch_btn.disabled = False

    # --- the session's end -------------------------------------------------------------------

    async def _watch(self) -> None:
        """Re-read the session; an ended one closes the console to a banner."""
        if self._ended:
            return
        try:
            await self.guard.watch()
        except AuthError as exc:
            self.close(exc.message)

    def close(self, reason: str) -> None:
        self._ended = True
        for callback in self._callbacks:
            callback.stop()
        self._callbacks = []
        # Every control, preview and the roster go: what is left cannot act or watch.
        self.layout.objects = [
            pn.pane.HTML(ended_banner(reason), stylesheets=[CSS], css_classes=["ended"])
        ]

    def _view_token(self) -> str:
        return self.deps.sessions.scoped_token(
            self.principal, SCOPE_VIEW, VIEW_TOKEN_TTL_S, session=self._session_token
        )

    def _renew_token(self) -> None:
        if self._ended:
            return
        token = self._view_token()
        self.preview.token = token
        self.video.token = token

    # --- drawing ---------------------------------------------------------------------------

    def _on_lang(self, event: Any) -> None:
        self.lang = event.new
        if self.picker is not None and self.switch_btn is not None:
            current = self.picker.value
            self.picker.options = self._preset_options()
            self.picker.value = current
            self.switch_btn.name = t("switch", self.lang)
            self.picker.name = t("preset", self.lang)
        else:
            self.message.object = t("no_permission", self.lang)
        self.video.lang = self.lang
        self.sign_out.object = sign_out_form(self.lang)
        self._headings()

    def _headings(self) -> None:
        vi, en = ROLE_LABELS[self.principal.role]
        role = vi if self.lang == "vi" else en
        self.headings["title"].object = (
            f"## {t('title', self.lang)}\n{t('centre', self.lang)} · "
            f"{t('signed_in', self.lang)} **{self.principal.name}** ({role})"
        )
        for key in ("wall", "screens", "video", "audit"):
            self.headings[key].object = f"### {t(key, self.lang)}"

    async def refresh(self) -> None:
        if self._ended:
            return
        snap = self.hub.snapshot()
        now = time.time() * 1000
        self.summary.object = switch_summary(snap, self.hub, self.lang)
        self.screens.object = screens_table(snap, self.lang, now)
        await self.audit_view.refresh(self.lang)
        if self.admin is not None:
            await self.admin.refresh()

    def view(self) -> pn.viewable.Viewable:
        self._headings()
        pn.state.onload(self.refresh)
        self._callbacks = [
            pn.state.add_periodic_callback(self.refresh, period=REFRESH_MS),  # type: ignore[arg-type]
            pn.state.add_periodic_callback(self._watch, period=SESSION_WATCH_MS),  # type: ignore[arg-type]
            pn.state.add_periodic_callback(
                self._renew_token, period=int(VIEW_TOKEN_RENEW_S * 1000)
            ),
        ]
        controls: list[Any] = [self.picker, self.switch_btn] if self.may_operate else []
        objects: list[Any] = [
            self.headings["title"],
            pn.Row(*controls, self.lang_pick, self.sign_out, self.message),
            self.summary,
            self.headings["wall"],
            self.preview,
            self.headings["screens"],
            self.screens,
            self.headings["video"],
            self.video,
            self.headings["audit"],
            self.audit_view.filters,
            self.audit,
        ]
        if self.admin is not None:
            objects += self.admin.objects()
        self.layout.objects = objects
        return self.layout


def _permissions(principal: Principal) -> frozenset[Permission]:
    return ROLE_PERMISSIONS[principal.role]
