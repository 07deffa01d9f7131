"""Console labels: Vietnamese first, English second."""

from __future__ import annotations

from typing import Literal

Lang = Literal["vi", "en"]

LABELS: dict[str, tuple[str, str]] = {
    "title": ("Bảng điều khiển trực ban", "Duty console"),
    "centre": (
        "Trung tâm Thông tin, chỉ đạo, điều hành của Chính phủ",
        "Government Information, Direction and Operations Centre",
    ),
    "wall": ("Toàn cảnh tường màn hình", "The whole wall"),
    "preset": ("Bố cục", "Layout"),
    "presets": ("Bố cục sẵn có", "Layouts"),
    "alerts": ("Cảnh báo", "Alerts"),
    "announcements": ("Thông báo", "Announcements"),
    "switch": ("Chuyển bố cục", "Switch layout"),
    "switching": ("Đang chuyển…", "Switching…"),
    "no_permission": (
        "Vai trò của bạn không được chuyển bố cục",
        "Your role may not switch layouts",
    ),
    "now_showing": ("Đang hiển thị", "Now showing"),
    "last_switch": ("Lần chuyển gần nhất", "Last switch"),
    "skew": ("Độ lệch giữa các màn hình", "Skew between screens"),
    "duration": ("Thời gian chuyển", "Switch time"),
    "missing": ("Màn hình chưa báo", "Screens not reporting"),
    "screens": ("Tình trạng màn hình", "Screen health"),
    "video": ("Điểm cầu truyền hình", "Video bridge points"),
    "screen": ("Màn hình", "Screen"),
    "online": ("Trực tuyến", "Online"),
    "offline": ("Mất kết nối", "Offline"),
    "heartbeat": ("Tín hiệu cuối", "Last heartbeat"),
    "latency": ("Độ trễ cập nhật p50/p99", "Update latency p50/p99"),
    "offset": ("Lệch đồng hồ", "Clock offset"),
    "memory": ("Bộ nhớ trang", "Page memory"),
    "audit": ("Nhật ký thao tác", "Audit log"),
    "when": ("Thời điểm", "When"),
    "who": ("Người thực hiện", "Who"),
    "what": ("Thao tác", "Action"),
    "target": ("Đối tượng", "Target"),
    "logout": ("Đăng xuất", "Sign out"),
    "signed_in": ("Đăng nhập", "Signed in as"),
    "login_needed": ("Cần đăng nhập", "Sign-in required"),
    "by": ("bởi", "by"),
    # console part (issue 9)
    "focus": ("Tập trung bản đồ", "Map focus"),
    "credentials": ("Thông tin xác thực thiết bị", "Device credentials"),
    "kind": ("Loại", "Kind"),
    "ident": ("Mã", "Id"),
    "last_use": ("Lần dùng cuối", "Last use"),
    "address": ("Địa chỉ", "Address"),
}


def pick(words: tuple[str, str], lang: Lang) -> str:
    """One language of a (vi, en) pair: every panel's word table reads through this."""
    vi, en = words
    return vi if lang == "vi" else en


def t(key: str, lang: Lang) -> str:
    return pick(LABELS[key], lang)


def both(key: str) -> str:
    """Both languages, Vietnamese first: for places that must read either way."""
    vi, en = LABELS[key]
    return f"{vi} · {en}"
