"""The console's audit log, filtered by actor and action (the same filters as
``GET /api/v1/audit?actor=&action=``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import panel as pn

from command_center.server.console_audit import action_label
from command_center.server.i18n import Lang, pick
from command_center.store import AuditEntry, Store

# What the wall and the call write today (the filter offers these; the API takes any).
KNOWN_ACTIONS = (
    "switch_layout",
    "switch_completed",
    "switch_incomplete",
    "focus_map",
    "sign_in",
    "sign_in_refused",
    "sign_out",
    "user_added",
    "user_disabled",
    "user_enabled",
    "user_role_set",
    "password_reset",
    "video_mute",
    "video_unmute",
    "video_end",
    "video_program",
    "video_pin",
)
LABELS = {  # (vi, en)
    "actor": ("Người thực hiện", "Actor"),
    "action": ("Hành động", "Action"),
    "all": ("Tất cả", "All"),
    "anyone": ("mọi người", "anyone"),
}
MAX_ACTOR = 128


def _t(key: str, lang: Lang) -> str:
    return pick(LABELS[key], lang)


class AuditView:
    """Two filter widgets above the table; ``refresh(lang)`` re-reads the store."""

    def __init__(
        self,
        store: Store,
        render: Callable[[list[AuditEntry], Lang], str],
        rows: int,
        **table: Any,
    ) -> None:
        self._store, self._render, self._rows = store, render, rows
        self.actor = pn.widgets.TextInput(
            name=_t("actor", "vi"),
            placeholder=_t("anyone", "vi"),
            max_length=MAX_ACTOR,
            css_classes=["audit-actor"],
        )
        self.action = pn.widgets.Select(
            name=_t("action", "vi"), options=self._options("vi"), css_classes=["audit-action"]
        )
        self.table = pn.pane.HTML(**table)
        self.filters = pn.Row(self.actor, self.action)
        self._lang: Lang = "vi"

    @staticmethod
    def _options(lang: Lang) -> dict[str, str]:
        # Named in the reader's language; the value stays the code the store filters on.
        return {_t("all", lang): "", **{action_label(a, lang): a for a in KNOWN_ACTIONS}}

    async def refresh(self, lang: Lang) -> None:
        if lang != self._lang:
            self._lang = lang
            chosen = self.action.value
            self.actor.name, self.action.name = _t("actor", lang), _t("action", lang)
            self.actor.placeholder = _t("anyone", lang)
            self.action.options = self._options(lang)
            self.action.value = chosen
        entries = await self._store.audit_entries(
            self._rows,
            actor=(self.actor.value or "").strip()[:MAX_ACTOR] or None,
            action=self.action.value or None,
        )
        self.table.object = self._render(entries, lang)
