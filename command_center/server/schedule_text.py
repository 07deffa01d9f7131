"""The duty desk's line about the schedule: when the wall next changes by itself and to
what, by name ("Lần chuyển tiếp theo · Next change: 07:30 Thứ Hai → Giao ban kinh tế - xã
hội"), in the schedule's time zone."""

from __future__ import annotations

import html
from datetime import datetime
from zoneinfo import ZoneInfo

from command_center.server.console_names import Names
from command_center.server.i18n import Lang
from layouts.schedule_model import WEEKDAY_NAMES, WEEKDAYS, Schedule
from layouts.schedule_plan import Decision

LABEL = {"vi": "Lần chuyển tiếp theo · Next change", "en": "Next change"}
NONE = {"vi": "không có · none", "en": "none"}


def next_change_line(
    schedule: Schedule, ahead: tuple[datetime, Decision] | None, names: Names, lang: Lang
) -> str:
    """HTML: the label, then the time, the weekday and what will show (or "none")."""
    if ahead is None:
        return f"<p class='schedule-next'>{LABEL[lang]}: {NONE[lang]}</p>"
    when, decision = ahead
    local = when.astimezone(ZoneInfo(schedule.timezone))
    vi, en = WEEKDAY_NAMES[WEEKDAYS[local.weekday()]]
    slot = schedule.slot(decision.why or "")
    if slot is not None:
        what = slot.title_vi if lang == "vi" else slot.title_en
    else:
        what = names.preset(decision.preset or "", lang)
    day = vi if lang == "vi" else en
    text = f"{local:%H:%M} {day} → {what}"
    return f"<p class='schedule-next'>{LABEL[lang]}: <b>{html.escape(text)}</b></p>"
