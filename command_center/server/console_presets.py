"""The console's presets: one card per preset (a thumbnail drawn from its tiles, the
Vietnamese name first, the English second), and a preview before anything goes live.

Choosing a card shows that preset on the miniature (its tiles and their names) in place
of the live wall, with "Chuyển bố cục · Switch" and "Huỷ · Cancel": the wall changes only
when the officer confirms. Built for duty officers and admins only (viewers get no cards:
``console.py``).
"""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import panel as pn

from command_center.server.console_names import Names
from command_center.server.i18n import Lang, pick, t
from command_center.server.preset_picture import preset_svg
from layouts.model import PresetSpec, WallSpec

CARD_WIDTH = 216
WORDS = {  # (vi, en)
    "cancel": ("Huỷ xem trước", "Cancel preview"),
    "preview": ("Xem trước", "Preview"),
    "not_live": ("chưa hiển thị trên tường", "not on the wall yet"),
    "on_wall": ("Đang trên tường", "On the wall"),
    "choose": (
        "Chọn một bố cục để xem trước, rồi bấm “Chuyển bố cục”",
        "Choose a layout to preview it, then press “Switch layout”",
    ),
}


def _w(key: str, lang: Lang) -> str:
    return pick(WORDS[key], lang)


class PresetCards:
    """Cards, the preview pane and its confirm bar; ``switch(preset_id)`` does the switch
    (through the console's guard), ``on_preview(previewing)`` hides or shows the live
    miniature."""

    def __init__(
        self,
        presets: Mapping[str, PresetSpec],
        wall: WallSpec,
        names: Names,
        switch: Callable[[str], Awaitable[Any]],
        on_preview: Callable[[bool], None],
        stylesheets: list[str],
    ) -> None:
        self._presets, self._wall, self._names = presets, wall, names
        self._switch, self._on_preview = switch, on_preview
        self.lang: Lang = "vi"
        self.chosen: str | None = None
        self._current: str | None = None
        self._thumbs: dict[str, pn.pane.HTML] = {}
        self._buttons: dict[str, pn.widgets.Button] = {}
        cards = []
        for pid in self._order():
            thumb = pn.pane.HTML(stylesheets=stylesheets, width=CARD_WIDTH, margin=0)
            button = pn.widgets.Button(
                name=presets[pid].name_vi,
                css_classes=["preset-card-button"],
                stylesheets=stylesheets,
                width=CARD_WIDTH,
                margin=(2, 0),
            )
            button.on_click(self._chooser(pid))
            self._thumbs[pid], self._buttons[pid] = thumb, button
            english = pn.pane.HTML(
                f"<div class='card-en'>{html.escape(presets[pid].name_en)}</div>",
                stylesheets=stylesheets,
                width=CARD_WIDTH,
                margin=0,
            )
            cards.append(
                pn.Column(
                    thumb, button, english, css_classes=["preset-card"], margin=(0, 12, 12, 0)
                )
            )
        self.cards = pn.FlexBox(*cards, css_classes=["preset-picker"], sizing_mode="stretch_width")
        # As wide as the live miniature it stands in for (the console sets the width).
        self.preview = pn.pane.HTML(
            visible=False, css_classes=["preset-preview"], stylesheets=stylesheets
        )
        self.caption = pn.pane.HTML(stylesheets=stylesheets, sizing_mode="stretch_width")
        self.switch_btn = pn.widgets.Button(
            name=t("switch", "vi"),
            button_type="primary",
            disabled=True,
            css_classes=["switch-button"],
            stylesheets=stylesheets,
            width=240,
        )
        self.switch_btn.on_click(self._confirm)
        self.cancel_btn = pn.widgets.Button(
            name=_w("cancel", "vi"),
            visible=False,
            css_classes=["cancel-button"],
            stylesheets=stylesheets,
            width=200,
        )
        self.cancel_btn.on_click(lambda _e: self.choose(None))
        self.bar = pn.Row(
            self.caption,
            self.switch_btn,
            self.cancel_btn,
            css_classes=["confirm-bar"],
            sizing_mode="stretch_width",
        )
        self._draw()

    def _order(self) -> list[str]:
        return sorted(self._presets, key=lambda pid: self._presets[pid].name_vi)

    def _chooser(self, preset_id: str) -> Callable[[object], None]:
        return lambda _event: self.choose(preset_id)

    def choose(self, preset_id: str | None) -> None:
        """Preview ``preset_id`` on the miniature (None: back to the live wall)."""
        self.chosen = preset_id
        self._on_preview(preset_id is not None)
        self._draw()

    async def _confirm(self, _event: object) -> None:
        chosen = self.chosen
        if chosen is None:
            return
        self.switch_btn.disabled = True
        try:
            await self._switch(chosen)
        finally:
            self.choose(None)

    def set_lang(self, lang: Lang) -> None:
        self.lang = lang
        self.switch_btn.name = t("switch", lang)
        self.cancel_btn.name = _w("cancel", lang)
        self._draw()

    def set_current(self, preset_id: str) -> None:
        if preset_id != self._current:
            self._current = preset_id
            self._draw()

    def _draw(self) -> None:
        lang, names = self.lang, self._names
        for pid, thumb in self._thumbs.items():
            preset = self._presets[pid]
            badge = (
                f"<span class='on-wall'>{_w('on_wall', lang)}</span>"
                if pid == self._current
                else ""
            )
            mark = " is-chosen" if pid == self.chosen else ""
            thumb.object = (
                f"<div class='thumb{mark}' data-preset='{html.escape(pid)}'>"
                f"{preset_svg(preset, self._wall)}{badge}</div>"
            )
        chosen = self.chosen
        self.switch_btn.disabled = chosen is None
        self.cancel_btn.visible = chosen is not None
        self.preview.visible = chosen is not None
        if chosen is None:
            self.caption.object = f"<p class='muted choose'>{_w('choose', lang)}</p>"
            self.preview.object = ""
            return
        preset = self._presets[chosen]
        self.caption.object = (
            f"<p class='previewing'><b>{_w('preview', lang)}:</b> "
            f"<span class='preview-name'>{html.escape(preset.name_vi)}</span> · "
            f"{html.escape(preset.name_en)} <span class='muted'>({_w('not_live', lang)})</span></p>"
        )
        self.preview.object = (
            f"<div class='preview-frame' data-preset='{html.escape(chosen)}'>"
            f"{preset_svg(preset, self._wall, names, lang)}</div>"
        )
