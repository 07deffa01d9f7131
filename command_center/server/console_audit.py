"""The audit log in sentences: "Chuyển bố cục sang 'Kinh tế – xã hội'", not
``switch_layout socio-economic``. The codes stay in the store and the API (scripts filter
on them); the console says what happened, to what, in the reader's language."""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from typing import Any

from command_center.auth import ROLE_LABELS, Role
from command_center.server.console_names import Names, Pair, pick
from command_center.server.i18n import Lang
from command_center.store import AuditEntry

# Each action: (vi, en) templates; {t} is the target's name, already quoted where needed.
ACTIONS: Mapping[str, Pair] = {
    "switch_layout": ("Chuyển bố cục sang {t}", "Switched the layout to {t}"),
    "switch_completed": ("Mọi màn hình đã chuyển sang {t}", "Every screen switched to {t}"),
    "switch_incomplete": ("Chuyển sang {t} chưa đủ màn hình", "Switch to {t} incomplete"),
    "focus_map": ("Tập trung bản đồ vào {t}", "Focused the maps on {t}"),
    "announce": ("Đăng thông báo {t}", "Announced {t}"),
    "withdraw_announcement": ("Gỡ thông báo {t}", "Withdrew announcement {t}"),
    "banner_expired": ("Thông báo {t} hết hạn", "Announcement {t} expired"),
    "sign_in": ("Đăng nhập", "Signed in"),
    "sign_in_refused": ("Đăng nhập bị từ chối", "Sign-in refused"),
    "sign_out": ("Đăng xuất", "Signed out"),
    "user_added": ("Thêm người dùng {t}", "Added user {t}"),
    "user_disabled": ("Khoá người dùng {t}", "Disabled user {t}"),
    "user_enabled": ("Mở khoá người dùng {t}", "Enabled user {t}"),
    "user_role_set": ("Đổi vai trò của {t}", "Changed the role of {t}"),
    "password_reset": ("Đặt lại mật khẩu của {t}", "Reset the password of {t}"),
    "video_mute": ("Tắt micrô của {t}", "Muted {t}"),
    "video_unmute": ("Bật micrô của {t}", "Unmuted {t}"),
    "video_end": ("Kết thúc cuộc gọi với {t}", "Ended the call with {t}"),
    "video_program": ("Phát hình chương trình từ {t}", "Programme feed from {t}"),
    "video_pin": ("Ghim điểm cầu vào ô {t}", "Pinned a bridge point to tile {t}"),
    "video_room_publish": ("Bật camera phòng điều hành", "Room camera on the call"),
    "video_room_stop": ("Tắt camera phòng điều hành", "Room camera off the call"),
    "console_refusals_capped": (
        "Quá nhiều thao tác bị từ chối từ một bảng điều khiển",
        "Too many refused actions from one console",
    ),
    "console_action": ("Thao tác trên bảng điều khiển", "Console action"),
}
VIA: Mapping[str, Pair] = {"console": ("bảng điều khiển", "console"), "api": ("API", "API")}


def action_label(action: str, lang: Lang) -> str:
    """The action's name for the filter: its sentence without a target."""
    vi, en = ACTIONS.get(action, (action, action))
    text = pick((vi, en), lang).replace(" {t}", "").replace("{t}", "")
    return text


def role_label(role: str, lang: Lang) -> str:
    try:
        return pick(ROLE_LABELS[Role(role)], lang)
    except ValueError:
        return {"cli": pick(("dòng lệnh", "command line"), lang)}.get(role, role)


def _target(entry: AuditEntry, names: Names, lang: Lang) -> str:
    action, target = entry.action, entry.target
    if action.startswith("switch_"):
        return f"“{names.preset(target, lang)}”"
    if action == "focus_map":
        return names.province(target, lang)
    if action == "video_pin":
        return f"“{names.tile(target, lang)}”"
    if action.startswith("video_"):
        return names.point(target, lang)
    if action in ("sign_in", "sign_in_refused", "sign_out"):
        return pick(VIA.get(target, (target, target)), lang)
    return f"“{target}”"


_DETAILS: Mapping[str, Callable[[dict[str, Any], Names, Lang], str]] = {
    "announce": lambda d, n, lang: (
        f"“{pick((str(d.get('text_vi')), str(d.get('text_en'))), lang)}”"
    ),
    "video_pin": lambda d, n, lang: f"→ {n.point(d.get('source'), lang)}",
    "user_role_set": lambda d, n, lang: f"→ {role_label(str(d.get('to', '')), lang)}",
    "user_added": lambda d, n, lang: f"({role_label(str(d.get('role', '')), lang)})",
    "switch_layout": lambda d, n, lang: (
        f"({pick(('vùng', 'zone'), lang)} {n.zone(str(d['zone']), lang)})" if d.get("zone") else ""
    ),
    "switch_incomplete": lambda d, n, lang: (
        pick(("thiếu", "missing"), lang) + f": {', '.join(d.get('missing') or []) or '—'}"
    ),
}


def describe(entry: AuditEntry, names: Names, lang: Lang, fmt_ms: Callable[[Any], str]) -> str:
    """The row's "what" cell (HTML-escaped): sentence, target, detail, a refusal's reason."""
    vi, en = ACTIONS.get(entry.action, (entry.action + " {t}", entry.action + " {t}"))
    text = pick((vi, en), lang)
    if "{t}" in text:
        text = text.replace("{t}", _target(entry, names, lang))
    elif entry.action.startswith("sign_"):
        text += f" ({_target(entry, names, lang)})"
    extra = _DETAILS.get(entry.action)
    more = extra(entry.detail, names, lang) if extra is not None else ""
    if more:
        text += " " + more
    out = html.escape(text)
    if "skew_ms" in entry.detail:
        skew = pick(("độ lệch", "skew"), lang)
        out += f" <span class='muted'>({skew} {fmt_ms(entry.detail.get('skew_ms'))})</span>"
    if entry.detail.get("refused"):
        word = pick(("bị từ chối", "refused"), lang)
        out += f" <span class='bad'>— {word}: {html.escape(str(entry.detail['refused']))}</span>"
    return out
