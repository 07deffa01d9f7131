"""``/console``: the duty staff's page. One Panel session per open console.

Laid out for a 1920 × 1080 duty desk read at arm's length (16–18 px type): the wall's
live miniature large (and the schedule's next change under it), the presets as cards that
preview before they switch (``console_presets``), alerts, announcements (``console_announce``)
and the audit log in their own panel beside it, screen health and the bridge points below.
Every name is in the reader's language (``console_names``). Every action (switch, map focus,
announcements, alerts, the video roster's) goes through the console's ``ConsoleGuard``, which
re-reads the session and the permission when the action runs; viewers get no control widgets at all. A console whose session has ended
closes itself to a bilingual banner within ``SESSION_WATCH_MS``. The JSON API offers the
same actions to scripts.
"""

from __future__ import annotations

import html
import time
from dataclasses import dataclass, field
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
from command_center.server.alerts import WallAlerts
from command_center.server.announcements_api import (
    announce,
    announcements,
    parse_announcement,
    withdraw,
)
from command_center.server.audit_view import AuditView
from command_center.server.banners import WallBanners
from command_center.server.console_admin import CredentialSource, CredentialsPanel
from command_center.server.console_alerts import AlertDesk, alert_verb
from command_center.server.console_announce import AnnouncePanel
from command_center.server.console_css import CSS, WIDGET_CSS
from command_center.server.console_guard import (
    AckAlertAction,
    AnnounceAction,
    ConsoleAction,
    ConsoleGuard,
    EndAction,
    FocusAction,
    LockAction,
    MuteAction,
    PinAction,
    ProgramAction,
    RecordAction,
    SnoozeAlertAction,
    SwitchAction,
    WithdrawAction,
)
from command_center.server.console_names import Names
from command_center.server.console_presets import PresetCards
from command_center.server.console_tables import (
    alerts_list,
    audit_table,
    ended_banner,
    fmt_time,
    screens_table,
    sign_out_form,
    switch_summary,
)
from command_center.server.focus_api import check_province, focus
from command_center.server.hub import ScreenHub
from command_center.server.i18n import Lang, t
from command_center.server.keys import Keys
from command_center.server.schedule_text import next_change_line
from command_center.server.scheduler import Scheduler
from command_center.server.screen_view import WallPreview
from command_center.server.video_roster import VideoRoster, video_tiles
from command_center.sessions import SCOPE_VIEW, Sessions
from command_center.store import Store
from video.recordings import Recordings
from video.room import VideoRoom

REFRESH_MS = 1000
# How often an open console re-reads its session: an ended one closes within this (< 5 s).
SESSION_WATCH_MS = 2000
# The page's view-only token (preview, video) lives 5 min and is renewed well before.
VIEW_TOKEN_TTL_S = 300.0
VIEW_TOKEN_RENEW_S = 120.0
AUDIT_ROWS = 15
# What the officer reads after a video action (names are in the roster beside it).
DONE = {
    "mute": ("Đã đổi micrô của điểm cầu", "Bridge point's microphone changed"),
    "end": ("Đã kết thúc cuộc gọi", "Call ended"),
    "program": ("Đã đổi hình chương trình", "Programme feed changed"),
    "pin": ("Đã đổi ô ghim", "Pinned tile changed"),
    "record": ("Đã đổi trạng thái ghi hình", "Recording changed"),
    "announce": ("Đã đăng thông báo", "Announcement on the wall"),
    "withdraw_announcement": ("Đã gỡ thông báo", "Announcement withdrawn"),
}
# The desk's two columns at 1920 px: the wall and presets, and alerts with the audit log.
LEFT_WIDTH = 1150
SIDE_WIDTH = 690
MINIATURE_MAX_HEIGHT = 420


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
    # Presets, tiles, points and provinces by name (pages.routes builds them once).
    names: Names = field(default_factory=Names)
    # The rules' alerts and the wall lock; None: the desk shows none.
    alerts: WallAlerts | None = None
    # The wall's banners (announcements); None: no announcements panel.
    banners: WallBanners | None = None
    # The wall's schedule: the desk shows its next change. None: no schedule.
    scheduler: Scheduler | None = None
    # Recorded bridge calls (start and stop from the roster); None: no recording.
    recordings: Recordings | None = None


def miniature_width(wall_width: float, wall_height: float) -> int:
    """As wide as the left column allows, but never so tall that the presets below it
    leave the first screenful (a 2 × 2 wall is far taller for its width than 2 × 4)."""
    return int(min(LEFT_WIDTH - 20, MINIATURE_MAX_HEIGHT * wall_width / wall_height))


class Console:
    """One console session's widgets and callbacks."""

    def __init__(self, deps: ConsoleDeps, principal: Principal, session_token: str) -> None:
        self.deps = deps
        self.hub, self.store, self.principal = deps.hub, deps.store, principal
        self.names = deps.names
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
            width=miniature_width(wall.width, wall.height),
        )
        self.lang_pick = pn.widgets.RadioButtonGroup(
            options={"Tiếng Việt": "vi", "English": "en"},
            value="vi",
            name="lang",
            stylesheets=[WIDGET_CSS],
        )
        # Viewers get no control widgets at all (a disabled one is only decoration).
        self.cards: PresetCards | None = None
        if self.may_operate:
            self.cards = PresetCards(
                hub.presets, wall, self.names, self._switch_to, self._previewing, [CSS, WIDGET_CSS]
            )
            self.cards.preview.width = self.preview.width
        self.message = pn.pane.HTML(
            "" if self.may_operate else t("no_permission", "vi"),
            css_classes=["console-message"],
            stylesheets=[CSS],
        )
        self.summary = pn.pane.HTML(stylesheets=[CSS], sizing_mode="stretch_width")
        # The schedule's next change (nothing without a schedule).
        self.schedule = pn.pane.HTML(stylesheets=[CSS], sizing_mode="stretch_width")
        self.screens = pn.pane.HTML(stylesheets=[CSS], sizing_mode="stretch_width")
        self.alerts = pn.pane.HTML(stylesheets=[CSS], sizing_mode="stretch_width")
        # The rules' alerts: acknowledge, snooze, lock (alerts.js); read-only for viewers.
        self.alert_desk = AlertDesk(
            may_operate=self.may_operate, stylesheets=[CSS], sizing_mode="stretch_width"
        )
        self.alert_desk.sink = self.act
        # The audit log with its actor / action filters (audit_view.py), in its own box.
        self.audit_view = AuditView(
            deps.store,
            lambda entries, lang: audit_table(entries, lang, self.names),
            AUDIT_ROWS,
            stylesheets=[CSS],
            sizing_mode="stretch_width",
            css_classes=["audit-box"],
        )
        self.audit = self.audit_view.table
        for widget in (self.audit_view.actor, self.audit_view.action):
            widget.stylesheets = [WIDGET_CSS]
        # Bridge points: live from the video control channel; read-only for viewers.
        self.video = VideoRoster(
            token=token,
            may_operate=self.may_operate,
            tiles=video_tiles(hub.presets, self.names),
            sizing_mode="stretch_width",
        )
        # Whatever a page sends goes through the guard, a viewer's page included.
        self.preview.sink = self.act
        self.video.sink = self.act
        self.admin: CredentialsPanel | None = None
        if deps.credentials is not None and Permission.MANAGE_USERS in _permissions(principal):
            self.admin = CredentialsPanel(deps.credentials, fmt_time)
        self.announce: AnnouncePanel | None = None
        if deps.banners is not None:
            self.announce = AnnouncePanel(wall, self.act, self.may_operate, [CSS, WIDGET_CSS])
        self.sign_out = pn.pane.HTML(sign_out_form("vi"), stylesheets=[CSS])
        self.headings = {
            k: pn.pane.HTML(stylesheets=[CSS], sizing_mode="stretch_width", margin=(4, 10))
            for k in (
                "title",
                "wall",
                "presets",
                "alerts",
                "announcements",
                "screens",
                "video",
                "audit",
            )
        }
        self.layout = pn.Column(sizing_mode="stretch_width", margin=(0, 16))
        self._callbacks: list[Any] = []
        self._ended = False
        self.lang_pick.param.watch(self._on_lang, "value")

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
        """The action itself, for a principal the guard has just authorised; the answer is
        the sentence the officer reads (names, not codes)."""
        store, lang, names = self.store, self.lang, self.names
        if isinstance(action, SwitchAction):
            report = await self.hub.switch(action.preset, who)
            said = ("Đã chuyển bố cục sang", "Switched the layout to")[0 if lang == "vi" else 1]
            return f"{said} “{names.preset(report.preset, lang)}”"
        if isinstance(action, FocusAction):
            province = check_province(action.province)
            await focus(store, self.deps.bus, province, who.name, str(who.role))
            return f"{t('focus', lang)}: {names.province(province, lang)}"
        if isinstance(action, AckAlertAction | SnoozeAlertAction | LockAction):
            return await alert_verb(self.deps.alerts, action, who, lang)
        done = DONE.get(action.action, ("Đã thực hiện", "Done"))[0 if lang == "vi" else 1]
        banners = self.deps.banners
        if isinstance(action, AnnounceAction | WithdrawAction) and banners is None:
            raise RequestError("this server shows no announcements")
        if isinstance(action, AnnounceAction) and banners is not None:
            fields = parse_announcement(action.model_dump(exclude={"action"}), self.hub.wall)
            await announce(banners, store, self.hub.wall, fields, who)
            return done
        if isinstance(action, WithdrawAction) and banners is not None:
            await withdraw(banners, store, action.id, who)
            return done
        if isinstance(action, RecordAction) and self.deps.recordings is not None:
            act = self.deps.recordings.start if action.on else self.deps.recordings.stop
            await act(action.point, who)
            return done
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
        return done

    async def _switch_to(self, preset_id: str) -> None:
        self.message.object = t("switching", self.lang)
        await self.act({"action": "switch", "preset": preset_id})

    def _previewing(self, on: bool) -> None:
        """While a preset is previewed, the miniature shows it instead of the live wall."""
        self.preview.visible = not on

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
        if self.cards is not None:
            self.cards.set_lang(self.lang)
            self.message.object = ""  # the last answer was in the other language
        else:
            self.message.object = t("no_permission", self.lang)
        self.video.lang = self.lang
        self.alert_desk.lang = self.lang
        if self.announce is not None:
            self.announce.set_lang(self.lang)
        self.sign_out.object = sign_out_form(self.lang)
        self._headings()

    def _headings(self) -> None:
        vi, en = ROLE_LABELS[self.principal.role]
        role = vi if self.lang == "vi" else en
        self.headings["title"].object = (
            f"<h1 class='console-title'>{t('title', self.lang)}</h1>"
            f"<p class='centre'>{t('centre', self.lang)} · {t('signed_in', self.lang)} "
            f"<b>{html.escape(self.principal.name)}</b> ({role})</p>"
        )
        for key in ("wall", "presets", "alerts", "announcements", "screens", "video", "audit"):
            self.headings[key].object = f"<h2>{t(key, self.lang)}</h2>"

    async def refresh(self) -> None:
        if self._ended:
            return
        snap = self.hub.snapshot()
        now = time.time() * 1000
        self.summary.object = switch_summary(snap, self.names, self.lang)
        if (scheduler := self.deps.scheduler) is not None:
            self.schedule.object = next_change_line(
                scheduler.schedule, scheduler.ahead(), self.names, self.lang
            )
        self.screens.object = screens_table(snap, self.lang, now)
        self.alerts.object = alerts_list(snap, self.names, self.lang, now)
        await self.alert_desk.feed(self.deps.alerts)
        if self.cards is not None:
            self.cards.set_current(snap["preset"])
        if self.announce is not None and self.deps.banners is not None:
            self.announce.refresh(announcements(self.deps.banners), self.lang, fmt_time)
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
        header = pn.Row(
            self.headings["title"], self.lang_pick, self.sign_out, sizing_mode="stretch_width"
        )
        # Left: what the wall shows (or the preset being previewed) and the presets;
        # right: alerts and the audit log. The common tasks fit 1920 × 1080 unscrolled.
        wall: list[Any] = [self.headings["wall"], self.summary, self.schedule, self.preview]
        if self.cards is not None:
            wall += [self.cards.preview, self.cards.bar, self.message]
            wall += [self.headings["presets"], self.cards.cards]
        else:
            wall.append(self.message)
        side = [
            self.headings["alerts"],
            self.alert_desk,
            self.alerts,
            self.headings["audit"],
            self.audit_view.filters,
            self.audit,
        ]
        desk = pn.FlexBox(
            pn.Column(*wall, width=LEFT_WIDTH, css_classes=["desk-wall"]),
            pn.Column(*side, width=SIDE_WIDTH, css_classes=["desk-side", "panel-box"]),
            flex_wrap="wrap",
            gap="16px",
            sizing_mode="stretch_width",
        )
        # Announcements are occasional: below the desk, which keeps the common tasks (the
        # wall, presets, alerts, the audit) on one 1920 × 1080 screen.
        announcing = (
            [self.headings["announcements"], *self.announce.objects()]
            if self.announce is not None
            else []
        )
        objects: list[Any] = [
            header,
            desk,
            *announcing,
            self.headings["screens"],
            self.screens,
            self.headings["video"],
            self.video,
        ]
        if self.admin is not None:
            objects += self.admin.objects()
        self.layout.objects = objects
        return self.layout


def _permissions(principal: Principal) -> frozenset[Permission]:
    return ROLE_PERMISSIONS[principal.role]
