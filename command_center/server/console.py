"""``/console``: the duty staff's page. One Panel session per open console.

It shows the live miniature of the wall, the preset picker, the last switch's skew, each
screen's health and the audit log. Switching calls the hub directly (the session is
already authenticated by its cookie); the JSON API offers the same to scripts.
"""

from __future__ import annotations

import datetime as dt
import html
import time
from typing import Any
from zoneinfo import ZoneInfo

import panel as pn

from command_center.auth import (
    ROLE_LABELS,
    ROLE_PERMISSIONS,
    Permission,
    Principal,
    issue_session,
)
from command_center.errors import WallError
from command_center.server.hub import ScreenHub
from command_center.server.i18n import Lang, t
from command_center.server.keys import Keys
from command_center.server.screen_view import WallPreview
from command_center.server.video_roster import VideoRoster, video_tiles
from command_center.store import Store

VN = ZoneInfo("Asia/Ho_Chi_Minh")
REFRESH_MS = 1000
AUDIT_ROWS = 15
CSS = """
:host { font-family: "Noto Sans", "DejaVu Sans", sans-serif; }
table.cc { border-collapse: collapse; width: 100%; font-size: 13px; }
table.cc th, table.cc td { border-bottom: 1px solid #ddd; padding: 3px 6px; text-align: left; }
.ok { color: #0a7d32; font-weight: 600; } .bad { color: #b3261e; font-weight: 600; }
.muted { color: #666; }
"""


def fmt_time(ms: float | None) -> str:
    if ms is None:
        return "—"
    return dt.datetime.fromtimestamp(ms / 1000, VN).strftime("%d/%m/%Y %H:%M:%S")


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


def audit_table(entries: list[Any], lang: Lang) -> str:
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


class Console:
    """One console session's widgets and callbacks."""

    def __init__(
        self, hub: ScreenHub, store: Store, keys: Keys, principal: Principal, ttl_s: float
    ) -> None:
        self.hub, self.store, self.principal = hub, store, principal
        self.lang: Lang = "vi"
        wall = hub.wall
        vps = [(s.id, wall.viewport(s.id)) for s in wall.screens]
        self.preview = WallPreview(
            screens=[{"id": i, "x": v.x, "y": v.y, "w": v.w, "h": v.h} for i, v in vps],
            wall_width=wall.width,
            wall_height=wall.height,
            token=issue_session(keys.session, principal, time.time(), ttl_s),
            sizing_mode="stretch_width",
        )
        self.lang_pick = pn.widgets.RadioButtonGroup(
            options={"Tiếng Việt": "vi", "English": "en"}, value="vi", name="lang"
        )
        self.picker = pn.widgets.Select(
            name=t("preset", "vi"), options=self._preset_options(), css_classes=["preset-picker"]
        )
        self.picker.value = hub.state.preset
        may_switch = Permission.SWITCH_LAYOUT in _permissions(principal)
        self.switch_btn = pn.widgets.Button(
            name=t("switch", "vi"), button_type="primary", disabled=not may_switch
        )
        self.message = pn.pane.HTML("" if may_switch else t("no_permission", "vi"))
        self.summary = pn.pane.HTML(stylesheets=[CSS], sizing_mode="stretch_width")
        self.screens = pn.pane.HTML(stylesheets=[CSS], sizing_mode="stretch_width")
        self.audit = pn.pane.HTML(stylesheets=[CSS], sizing_mode="stretch_width")
        # Bridge points: live from the video control channel; read-only for viewers.
        self.video = VideoRoster(
            token=self.preview.token,
            may_operate=may_switch,
            tiles=video_tiles(hub.presets),
            sizing_mode="stretch_width",
        )
        self.headings = {
            k: pn.pane.Markdown(sizing_mode="stretch_width")
            for k in ("title", "wall", "screens", "video", "audit")
        }
        self.switch_btn.on_click(self._on_switch)
        self.lang_pick.param.watch(self._on_lang, "value")

    def _preset_options(self) -> dict[str, str]:
        return {
            (p.name_vi if self.lang == "vi" else p.name_en): pid
            for pid, p in sorted(self.hub.presets.items())
        }

    async def _on_switch(self, _event: object) -> None:
        preset = self.picker.value
        self.switch_btn.disabled = True
        self.message.object = t("switching", self.lang)
        try:
            report = await self.hub.switch(preset, self.principal)
            self.message.object = f"✓ {html.escape(report.preset)} · {report.switch_id}"
        except WallError as exc:
            self.message.object = f"<span class='bad'>{html.escape(exc.message)}</span>"
        finally:
            self.switch_btn.disabled = False
        await self.refresh()

    def _on_lang(self, event: Any) -> None:
        self.lang = event.new
        current = self.picker.value
        self.picker.options = self._preset_options()
        self.picker.value = current
        self.switch_btn.name = t("switch", self.lang)
        self.picker.name = t("preset", self.lang)
        if self.switch_btn.disabled:
            self.message.object = t("no_permission", self.lang)
        self.video.lang = self.lang
        self._headings()

    def _headings(self) -> None:
        vi, en = ROLE_LABELS[self.principal.role]
        role = vi if self.lang == "vi" else en
        self.headings["title"].object = (
            f"## {t('title', self.lang)}\n{t('centre', self.lang)} · "
            f"{t('signed_in', self.lang)} **{self.principal.name}** ({role})\n\n"
            # Sign-out is a POST (a link would let any page sign the officer out).
            '<form method="post" action="/logout" class="logout">'
            f'<button type="submit">{t("logout", self.lang)}</button></form>'
        )
        for key in ("wall", "screens", "video", "audit"):
            self.headings[key].object = f"### {t(key, self.lang)}"

    async def refresh(self) -> None:
        snap = self.hub.snapshot()
        now = time.time() * 1000
        self.summary.object = switch_summary(snap, self.hub, self.lang)
        self.screens.object = screens_table(snap, self.lang, now)
        self.audit.object = audit_table(await self.store.audit(AUDIT_ROWS), self.lang)

    def view(self) -> pn.viewable.Viewable:
        self._headings()
        pn.state.onload(self.refresh)
        pn.state.add_periodic_callback(self.refresh, period=REFRESH_MS)  # type: ignore[arg-type]
        controls = pn.Row(self.picker, self.switch_btn, self.lang_pick, self.message)
        return pn.Column(
            self.headings["title"],
            controls,
            self.summary,
            self.headings["wall"],
            self.preview,
            self.headings["screens"],
            self.screens,
            self.headings["video"],
            self.video,
            self.headings["audit"],
            self.audit,
            sizing_mode="stretch_width",
            margin=(0, 20),
        )


def _permissions(principal: Principal) -> frozenset[Permission]:
    return ROLE_PERMISSIONS[principal.role]
