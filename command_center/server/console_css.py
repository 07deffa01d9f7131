"""The console's look: a duty desk read at about 60 cm, so body text 17 px and headings
larger (the wall's 5 m rule does not apply here), one dark-on-light palette, panels boxed.
Panel draws each pane in its own shadow root: these sheets go to every pane and widget."""

from __future__ import annotations

CSS = """
:host { font-family: "Noto Sans", "DejaVu Sans", sans-serif; font-size: 17px; color: #1d2733; }
h1.console-title { font-size: 28px; margin: 8px 0 2px; }
p.centre { font-size: 17px; margin: 0 0 6px; color: #3d4a59; }
h2 { font-size: 21px; margin: 10px 0 4px; color: #12324f; }
table.cc { border-collapse: collapse; width: 100%; font-size: 16px; }
table.cc th, table.cc td { border-bottom: 1px solid #d7dde4; padding: 5px 8px; text-align: left;
  vertical-align: top; }
table.cc th { background: #eef2f6; font-weight: 600; }
table.audit td.when { white-space: nowrap; }
.ok { color: #0a7d32; font-weight: 600; } .bad { color: #b3261e; font-weight: 600; }
.muted { color: #5d6875; }
p.now { font-size: 19px; margin: 4px 0; } .now-name { font-weight: 700; }
p.last-switch { margin: 2px 0; }
ul.alerts { list-style: none; margin: 0; padding: 0; }
ul.alerts li { padding: 8px 10px; margin: 0 0 6px; border-radius: 6px; background: #fbeaea;
  border-left: 6px solid #b3261e; }
ul.alerts.quiet li { background: #e8f5ec; border-left-color: #0a7d32; }
.session-ended { background: #b3261e; color: #fff; padding: 12px 16px; font-size: 18px; }
.session-ended a { color: #fff; }
form.sign-out { display: inline; }
form.sign-out button { font: inherit; font-size: 17px; cursor: pointer; padding: 6px 14px; }
.console-message { font-size: 17px; }
.thumb { position: relative; border-radius: 6px; overflow: hidden; outline: 3px solid transparent; }
.thumb.is-chosen { outline-color: #f2a900; }
.thumb svg, .preview-frame svg { display: block; width: 100%; height: auto; }
.on-wall { position: absolute; left: 6px; top: 6px; background: #0a7d32; color: #fff;
  font-size: 14px; font-weight: 700; padding: 1px 8px; border-radius: 10px; }
.card-en { font-size: 15px; color: #5d6875; margin: 0 2px; }
.preview-frame { outline: 4px dashed #f2a900; border-radius: 4px; }
p.previewing { font-size: 18px; margin: 8px 0; } .preview-name { font-weight: 700; }
p.choose { margin: 8px 0; }
"""

# Widgets (buttons, selects, inputs): the same size as the text around them.
WIDGET_CSS = """
:host { --font-size: 17px; font-size: 17px; }
.bk-btn, .bk-input, select, input, label { font-size: 17px; }
.bk-btn { min-height: 38px; }
:host(.preset-card-button) .bk-btn { font-weight: 600; white-space: normal; text-align: left; }
"""
