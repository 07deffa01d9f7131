"""The admin's panel of device credentials: kind, id, last use and the address it came from.

The list comes from a ``CredentialSource`` the server wires (the device-credentials part
keeps them); this module only draws it, for admins, refreshed with the rest of the console.
"""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable
from typing import Any

import panel as pn

from command_center.server.i18n import Lang, t

# [{kind, id, last_used_at (epoch ms or None), address (or None)}], any order.
CredentialSource = Callable[[], Awaitable[list[dict[str, Any]]]]


def credentials_table(
    rows: list[dict[str, Any]], lang: Lang, fmt_time: Callable[[Any], str]
) -> str:
    head = "".join(f"<th>{t(k, lang)}</th>" for k in ("kind", "ident", "last_use", "address"))
    body = "".join(
        f"<tr data-credential='{html.escape(str(r.get('kind', '')))}:"
        f"{html.escape(str(r.get('id', '')))}'>"
        f"<td>{html.escape(str(r.get('kind', '—')))}</td>"
        f"<td>{html.escape(str(r.get('id', '—')))}</td>"
        f"<td>{fmt_time(r.get('last_used_at'))}</td>"
        f"<td>{html.escape(str(r.get('address') or '—'))}</td></tr>"
        for r in sorted(rows, key=lambda r: (str(r.get("kind")), str(r.get("id"))))
    )
    return f"<table class='cc credentials'><tr>{head}</tr>{body}</table>"


class CredentialsPanel:
    """A heading and the table; ``refresh`` re-reads the source."""

    def __init__(
        self, source: CredentialSource, fmt_time: Callable[[Any], str], lang: Lang = "vi"
    ) -> None:
        self.source = source
        self.fmt_time = fmt_time
        self.lang: Lang = lang
        self.heading = pn.pane.Markdown(f"### {t('credentials', lang)}")
        self.table = pn.pane.HTML(sizing_mode="stretch_width", css_classes=["credentials"])

    async def refresh(self) -> None:
        self.table.object = credentials_table(await self.source(), self.lang, self.fmt_time)

    def objects(self) -> list[Any]:
        return [self.heading, self.table]
