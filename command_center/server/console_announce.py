"""The console's "Thông báo · Announcements" panel: the active announcements for everyone
who may read the console, and for duty officers and admins a form (Vietnamese and English
text, severity, how long, whole wall or a zone) and a withdraw button per announcement.

Every button hands the console a typed action (``console_guard``): the session and the role
are checked again when it runs, and the texts are checked as the API checks them
(``announcements_api.parse_announcement``). Viewers get the list only, no widgets.
"""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable
from typing import Any

import panel as pn

from command_center.protocol import Banner
from command_center.server.announcements_api import MAX_TEXT
from command_center.server.i18n import Lang, pick
from layouts.model import WallSpec

Act = Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]
Listed = list[tuple[Banner, tuple[str, ...]]]

# How long, as the officer picks it: seconds (None: until withdrawn).
DURATIONS: list[tuple[str, float | None]] = [
    ("15 phút · 15 min", 15 * 60),
    ("1 giờ · 1 h", 3600),
    ("4 giờ · 4 h", 4 * 3600),
    ("Đến khi gỡ · until withdrawn", None),
]
SEVERITY_LABELS = {
    "info": ("Thông tin", "Information"),
    "warning": ("Chú ý", "Warning"),
    "critical": ("Khẩn cấp", "Critical"),
}
WORDS = {
    "text_vi": ("Nội dung tiếng Việt", "Vietnamese text"),
    "text_en": ("Nội dung tiếng Anh", "English text"),
    "severity": ("Mức độ", "Severity"),
    "duration": ("Thời hạn", "For"),
    "where": ("Hiển thị trên", "Show on"),
    "whole": ("Toàn bộ tường", "The whole wall"),
    "post": ("Đăng thông báo", "Announce"),
    "withdraw": ("Gỡ", "Withdraw"),
    "none": ("Không có thông báo nào trên tường", "No announcement on the wall"),
    "until": ("đến khi gỡ", "until withdrawn"),
}


def _w(key: str, lang: Lang) -> str:
    return pick(WORDS[key], lang)


class AnnouncePanel:
    """The panel's widgets; ``refresh(listed, lang, fmt_time)`` redraws the list when it
    changed. ``act`` is the console's (every action through its guard)."""

    def __init__(self, wall: WallSpec, act: Act, may_operate: bool, stylesheets: list[str]) -> None:
        self._wall, self._act, self.may_operate = wall, act, may_operate
        self._stylesheets = stylesheets
        self._shown: tuple[Any, ...] | None = None
        self.rows = pn.Column(sizing_mode="stretch_width", css_classes=["announcements"])
        self.form: pn.Column | None = None
        if not may_operate:
            return
        self.text_vi = pn.widgets.TextInput(max_length=MAX_TEXT, stylesheets=stylesheets)
        self.text_en = pn.widgets.TextInput(max_length=MAX_TEXT, stylesheets=stylesheets)
        self.severity = pn.widgets.Select(stylesheets=stylesheets, name="severity")
        self.duration = pn.widgets.Select(
            options={label: i for i, (label, _) in enumerate(DURATIONS)},
            value=0,
            stylesheets=stylesheets,
            name="duration",
        )
        self.zone = pn.widgets.Select(stylesheets=stylesheets, name="zone")
        self.post = pn.widgets.Button(button_type="primary", stylesheets=stylesheets)
        self.post.on_click(self._on_post)
        self.form = pn.Column(
            self.text_vi,
            self.text_en,
            pn.Row(self.severity, self.duration, self.zone),
            self.post,
            sizing_mode="stretch_width",
            css_classes=["announce-form"],
        )
        self.set_lang("vi")

    def objects(self) -> list[Any]:
        return [self.rows] if self.form is None else [self.form, self.rows]

    def set_lang(self, lang: Lang) -> None:
        self._shown = None  # the list is redrawn in the new language at the next refresh
        if self.form is None:
            return
        self.text_vi.name = _w("text_vi", lang)
        self.text_en.name = _w("text_en", lang)
        self.severity.name = _w("severity", lang)
        self.severity.options = {pick(v, lang): k for k, v in SEVERITY_LABELS.items()}
        self.duration.name = _w("duration", lang)
        self.zone.name = _w("where", lang)
        zones = {
            (z.name_vi if lang == "vi" else z.name_en): z.id for z in self._wall.zones.values()
        }
        self.zone.options = {_w("whole", lang): "", **zones}
        self.post.name = _w("post", lang)

    async def _on_post(self, _: Any) -> None:
        assert self.form is not None
        answer = await self._act(
            {
                "action": "announce",
                "text_vi": self.text_vi.value or "",
                "text_en": self.text_en.value or "",
                "severity": self.severity.value,
                "expires_in_s": DURATIONS[int(self.duration.value)][1],
                "zone": self.zone.value or None,
            }
        )
        if answer.get("ok"):
            self.text_vi.value = ""
            self.text_en.value = ""

    def refresh(self, listed: Listed, lang: Lang, fmt_time: Callable[[Any], str]) -> None:
        key = (lang, tuple(b.id for b, _ in listed))
        if key == self._shown:
            return
        self._shown = key
        if not listed:
            self.rows.objects = [
                pn.pane.HTML(
                    f"<p class='muted'>{_w('none', lang)}</p>", stylesheets=self._stylesheets
                )
            ]
            return
        rows: list[Any] = []
        for banner, screens in listed:
            line = pn.pane.HTML(
                self._describe(banner, screens, lang, fmt_time),
                stylesheets=self._stylesheets,
                sizing_mode="stretch_width",
                css_classes=["announcement", f"is-{banner.severity}"],
            )
            if self.may_operate:
                button = pn.widgets.Button(
                    name=_w("withdraw", lang), stylesheets=self._stylesheets, width=90
                )
                button.on_click(self._withdrawer(banner.id))
                rows.append(pn.Row(line, button, sizing_mode="stretch_width"))
            else:
                rows.append(line)
        self.rows.objects = rows

    def _withdrawer(self, ident: str) -> Callable[[Any], Awaitable[None]]:
        async def withdraw(_: Any) -> None:
            await self._act({"action": "withdraw_announcement", "id": ident})

        return withdraw

    def _describe(
        self, banner: Banner, screens: tuple[str, ...], lang: Lang, fmt_time: Callable[[Any], str]
    ) -> str:
        zone = next((z for z in self._wall.zones.values() if z.screens == screens), None)
        where = (
            _w("whole", lang)
            if screens == self._wall.zone_screens(None)
            else ((zone.name_vi if lang == "vi" else zone.name_en) if zone else ", ".join(screens))
        )
        until = _w("until", lang) if banner.expires_at is None else fmt_time(banner.expires_at)
        first, second = (banner.text_vi, banner.text_en)[:: 1 if lang == "vi" else -1]
        return (
            f"<b>{html.escape(first)}</b> · {html.escape(second)}<br>"
            f"<small>{pick(SEVERITY_LABELS[banner.severity], lang)} · {html.escape(where)} · "
            f"→ {html.escape(until)}</small>"
        )
