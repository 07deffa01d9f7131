"""The console's read-only panels as HTML: what the wall shows now, each screen's health,
the alerts and the audit log. Numbers as Vietnamese readers write them (1.234,5), times
dd/mm/yyyy in Vietnam time, every name in the reader's language."""

from __future__ import annotations

import datetime as dt
import html
from typing import Any
from urllib.parse import quote

from command_center.server.console_audit import describe, role_label
from command_center.server.console_names import Names, pick
from command_center.server.i18n import Lang, t
from command_center.store import AuditEntry
from feeds.periods import TIME_ZONE


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


def latency_cell(s: dict[str, Any], lang: Lang) -> str:
    """p50 / p99 of data updates once the screen has applied some; until then, say so and
    give the link's round trip (which the screen measures from its first second)."""
    p50, p99 = s["latency_p50_ms"], s["latency_p99_ms"]
    if p50 is not None and p99 is not None:
        return f"{fmt_num(p50, '', 0)} / {fmt_num(p99, 'ms', 0)}"
    if not s["online"]:
        return "—"
    waiting = pick(("chưa có cập nhật số liệu", "no data update yet"), lang)
    rtt = s.get("rtt_ms")
    if rtt is None:
        return f"<span class='muted'>{waiting}</span>"
    trip = pick(("khứ hồi", "round trip"), lang)
    return f"<span class='muted'>{waiting}; {trip} {fmt_num(rtt, 'ms', 0)}</span>"


def screens_table(snapshot: dict[str, Any], lang: Lang, now_ms: float) -> str:
    rows = []
    for s in snapshot["screens"]:
        state = (
            f'<span class="ok">{t("online", lang)}</span>'
            if s["online"]
            else f'<span class="bad">{t("offline", lang)}</span>'
        )
        rows.append(
            f"<tr data-screen='{html.escape(s['id'])}'><td>{html.escape(s['id'])}</td>"
            f"<td>{state}</td><td>{age(s['last_seen'], now_ms, lang)}</td>"
            f"<td class='latency'>{latency_cell(s, lang)}</td>"
            f"<td>{fmt_num(s['offset_ms'], 'ms')}</td><td>{fmt_num(s['memory_mb'], 'MB')}</td>"
            f"<td>{s['resolution'] or '—'}</td></tr>"
        )
    head = "".join(
        f"<th>{t(k, lang)}</th>"
        for k in ("screen", "online", "heartbeat", "latency", "offset", "memory")
    )
    px = pick(("Độ phân giải", "Resolution"), lang)
    return f"<table class='cc screens'><tr>{head}<th>{px}</th></tr>{''.join(rows)}</table>"


def switch_summary(snapshot: dict[str, Any], names: Names, lang: Lang) -> str:
    name = names.preset(snapshot["preset"], lang)
    by = snapshot["switched_by"]
    out = (
        f"<p class='now'><b>{t('now_showing', lang)}:</b> <span class='now-name'>"
        f"{html.escape(name)}</span>{_zones_shown(snapshot, names, lang)} "
        f"<span class='muted'>({pick(('phiên bản', 'version'), lang)} {snapshot['version']}, "
        f"{fmt_time(snapshot['switched_at'])}"
        f"{' ' + t('by', lang) + ' ' + html.escape(by) if by else ''})</span></p>"
    )
    last = snapshot["last_switch"]
    if last:
        missing = ", ".join(last["missing"]) or "—"
        out += (
            f"<p class='last-switch' data-skew='{last['skew_ms']}' data-complete='{last['complete']}'>"
            f"<b>{t('last_switch', lang)}:</b> {html.escape(names.preset(last['preset'], lang))}"
            f"{_on_zone(last.get('zone'), names, lang)} · "
            f"{t('skew', lang)}: <b class='skew'>{fmt_num(last['skew_ms'], 'ms')}</b> · "
            f"{t('duration', lang)}: {fmt_num(last['duration_ms'], 'ms', 0)} · "
            f"{t('missing', lang)}: {html.escape(missing)}</p>"
        )
    return out


def _zones_shown(snapshot: dict[str, Any], names: Names, lang: Lang) -> str:
    """The zones showing a preset of their own (a zone switch): " · Nửa trái: Bản đồ"."""
    return "".join(
        f" · <span class='zone-shows' data-zone='{html.escape(zone)}'>"
        f"{html.escape(names.zone(zone, lang))}: {html.escape(names.preset(preset, lang))}</span>"
        for zone, preset in snapshot.get("zones", {}).items()
    )


def _on_zone(zone: str | None, names: Names, lang: Lang) -> str:
    if not zone:
        return ""
    return f" ({pick(('vùng', 'zone'), lang)} {html.escape(names.zone(zone, lang))})"


def alerts_list(snapshot: dict[str, Any], names: Names, lang: Lang, now_ms: float) -> str:
    """What needs the duty officer now: screens off the wall, a switch not every screen
    made. Quiet is said in words, so it cannot be mistaken for a broken panel."""
    items = []
    for s in snapshot["screens"]:
        if not s["online"]:
            never = pick(("chưa kết nối lần nào", "never connected"), lang)
            since = age(s["last_seen"], now_ms, lang) if s["last_seen"] else never
            text = pick(("Màn hình {s} mất kết nối", "Screen {s} offline"), lang)
            seen = pick(("tín hiệu cuối", "last heard"), lang)
            items.append(
                f"<li class='bad' data-alert='screen' data-screen='{html.escape(s['id'])}'>"
                f"{html.escape(text.format(s=s['id']))} <span class='muted'>({seen}: {since})"
                "</span></li>"
            )
    last = snapshot["last_switch"]
    if last and not last["complete"] and last["missing"]:
        text = pick(("Chuyển sang “{p}” chưa đủ màn hình", "Switch to “{p}” incomplete"), lang)
        items.append(
            f"<li class='bad' data-alert='switch'>"
            f"{html.escape(text.format(p=names.preset(last['preset'], lang)))}: "
            f"{html.escape(', '.join(last['missing']))}</li>"
        )
    if not items:
        quiet = pick(
            ("Không có cảnh báo: mọi màn hình trực tuyến", "No alerts: every screen online"), lang
        )
        return f"<ul class='alerts quiet'><li class='ok'>{quiet}</li></ul>"
    return f"<ul class='alerts'>{''.join(items)}</ul>"


def replay_href(ms: float) -> str:
    """The replay page at that instant (ISO 8601, Vietnam time, to the millisecond)."""
    at = dt.datetime.fromtimestamp(ms / 1000, TIME_ZONE).isoformat(timespec="milliseconds")
    return "/replay?at=" + quote(at, safe="")


def replay_link(lang: Lang) -> str:
    """The console's way to the replay page (a new tab: the console stays live)."""
    text = pick(("Phát lại tường màn hình", "Replay the wall"), lang)
    return f"<a class='replay-open' href='/replay' target='_blank' rel='noopener'>{text} ↗</a>"


def audit_table(entries: list[AuditEntry], lang: Lang, names: Names) -> str:
    """Each row's time opens the replay page at that moment."""
    head = "".join(f"<th>{t(k, lang)}</th>" for k in ("when", "who", "what"))
    title = html.escape(pick(("Xem tường màn hình lúc đó", "See the wall at that moment"), lang))
    rows = "".join(
        f"<tr data-action='{html.escape(e.action)}'><td class='when'>"
        f"<a class='replay-at' href='{replay_href(e.at)}' target='_blank' rel='noopener' "
        f"title='{title}'>{fmt_time(e.at)}</a></td>"
        f"<td>{html.escape(e.actor)}{_role(e.role, lang)}</td>"
        f"<td>{describe(e, names, lang, lambda v: fmt_num(v, 'ms'))}</td></tr>"
        for e in entries
    )
    # The way to the replay page, above the rows (each row's time goes to its moment).
    caption = f"<caption>{replay_link(lang)}</caption>"
    return f"<table class='cc audit'>{caption}<tr>{head}</tr>{rows}</table>"


def _role(role: str, lang: Lang) -> str:
    label = role_label(role, lang) if role else ""
    return f" <span class='muted'>({html.escape(label)})</span>" if label else ""


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
