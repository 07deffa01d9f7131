"""Bad schedule files: one row per mistake, each problem naming file, line and key, with a
"did you mean" where a near miss was probably meant; and the shipped schedules load."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from command_center.errors import SpecError
from layouts import SCHEDULES_DIR, WALLS_DIR, presets_dir_for
from layouts.schedule_check import load_schedule

PRESETS = {"overview", "map-national", "area-view", "socio-economic"}

HEAD = "timezone: Asia/Ho_Chi_Minh\nslots:\n"  # the first slot starts on line 3
SLOT = (
    "  - id: sang\n"  # line 3
    '    title: {vi: "Giao ban", en: "Briefing"}\n'  # 4
    "    days: [mon, tue]\n"  # 5
    '    from: "07:30"\n'  # 6
    '    to: "08:30"\n'  # 7
    "    preset: socio-economic\n"  # 8
)
SECOND = (
    "  - id: chieu\n"  # line 9 when second
    '    title: {vi: "Chiều", en: "Afternoon"}\n'
    "    days: [tue]\n"  # 11
    '    from: "08:00"\n'  # 12
    '    to: "09:00"\n'
    "    preset: overview\n"
)
ROTATION = "rotation:\n  every_s: 60\n  presets: [overview, map-national]\n"

BAD = [
    (
        HEAD + SLOT.replace("preset: socio-economic", "preset: socio-economc"),
        "slots[0].preset",
        8,
        r"unknown preset 'socio-economc' \(did you mean 'socio-economic'\?\)",
    ),
    (
        HEAD + SLOT.replace("[mon, tue]", "[mon, tues]"),
        "slots[0].days[1]",
        5,
        r"unknown day 'tues' \(did you mean 'tue'\?\)",
    ),
    (
        HEAD + SLOT.replace('to: "08:30"', 'to: "07:00"'),
        "slots[0].to",
        7,
        r"'to' \(07:00\) must be after 'from' \(07:30\)",
    ),
    (
        HEAD + SLOT.replace('to: "08:30"', 'to: "07:30"'),
        "slots[0].to",
        7,
        r"'to' \(07:30\) must be after 'from' \(07:30\)",
    ),
    (
        HEAD + SLOT.replace('from: "07:30"', "from: 7:30"),
        "slots[0].from",
        6,
        r'a time must be quoted, e.g. "07:30" \(got the number 450\)',
    ),
    (
        HEAD + SLOT.replace('from: "07:30"', 'from: "7h30"'),
        "slots[0].from",
        6,
        r"expected a time \"HH:MM\" \(got '7h30'\)",
    ),
    (
        HEAD + SLOT.replace('from: "07:30"', 'from: "24:00"'),
        "slots[0].from",
        6,
        r"no such time '24:00' \(allowed: 00:00 to 23:59\)",
    ),
    (
        HEAD + SLOT.replace("from:", "form:"),
        "slots[0].form",
        6,
        r"unknown key \(did you mean 'from'\?\)",
    ),
    (
        HEAD + SLOT + SECOND,
        "slots[1].from",
        12,
        r"slot 'chieu' \(08:00–09:00\) overlaps slot 'sang' \(07:30–08:30, slots\[0\]\) on tue",
    ),
    (
        HEAD + SLOT + SLOT.replace("[mon, tue]", "[sat]"),
        "slots[1].id",
        9,
        r"slot id 'sang' is used twice",
    ),
    (
        "timezone: Asia/Ho_Chi_Mihn\n",
        "timezone",
        1,
        r"unknown time zone 'Asia/Ho_Chi_Mihn' \(did you mean 'Asia/Ho_Chi_Minh'\?\)",
    ),
    (ROTATION.replace("60", "5"), "rotation.every_s", 2, r"greater than or equal to 10 \(got 5\)"),
    (
        ROTATION.replace("60", "100000"),
        "rotation.every_s",
        2,
        r"less than or equal to 86400 \(got 100000\)",
    ),
    (
        ROTATION.replace("map-national", "map-nationl"),
        "rotation.presets[1]",
        3,
        r"unknown preset 'map-nationl' \(did you mean 'map-national'\?\)",
    ),
    (ROTATION.replace(", map-national", ""), "rotation.presets", 3, r"at least 2 items"),
    ("rotaton: {}\n", "rotaton", 1, r"unknown key \(did you mean 'rotation'\?\)"),
]


@pytest.mark.parametrize(
    "text, key, line, message",
    BAD,
    ids=[
        "unknown-preset",
        "bad-day",
        "to-before-from",
        "empty-slot",
        "unquoted-time",
        "not-a-time",
        "from-24",
        "misspelt-key",
        "overlap",
        "same-id",
        "timezone",
        "rotation-too-fast",
        "rotation-too-slow",
        "rotation-unknown-preset",
        "rotation-one-preset",
        "misspelt-rotation",
    ],
)
def test_each_mistake_is_named_with_file_line_and_key(
    tmp_path: Path, text: str, key: str, line: int, message: str
) -> None:
    path = tmp_path / "default.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        load_schedule(path, PRESETS)
    found = [p for p in caught.value.problems if p.key == key]
    assert found, f"no problem at {key}: {caught.value}"
    assert found[0].line == line
    assert re.search(message, str(found[0])), str(found[0])
    assert str(found[0]).startswith(f"{path}:{line}: {key}: ")


def test_every_problem_of_a_file_at_once(tmp_path: Path) -> None:
    text = HEAD + SLOT.replace("[mon, tue]", "[mon, tues]").replace("economic", "x")
    path = tmp_path / "s.yaml"
    path.write_text(text + ROTATION.replace("60", "5"), encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        load_schedule(path, PRESETS)
    keys = {p.key for p in caught.value.problems}
    assert {"slots[0].days[1]", "slots[0].preset", "rotation.every_s"} <= keys


def test_a_good_file_and_an_empty_one(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(HEAD + SLOT + SECOND.replace("[tue]", "[wed]") + ROTATION, encoding="utf-8")
    schedule = load_schedule(path, PRESETS)
    assert [s.id for s in schedule.slots] == ["sang", "chieu"]
    assert schedule.slots[0].start_min == 450 and schedule.slots[0].end_min == 510
    assert schedule.rotation is not None and schedule.rotation.every_s == 60
    path.write_text("", encoding="utf-8")
    assert load_schedule(path, PRESETS).slots == ()


def test_until_midnight_is_24_00(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(HEAD + SLOT.replace('"08:30"', '"24:00"'), encoding="utf-8")
    assert load_schedule(path, PRESETS).slots[0].end_min == 24 * 60


@pytest.mark.parametrize("path", sorted(SCHEDULES_DIR.glob("*.yaml")), ids=lambda p: p.name)
def test_every_shipped_schedule_loads_against_its_walls_presets(path: Path) -> None:
    assert (WALLS_DIR / path.name).exists(), f"{path.name}: no wall of that id"
    presets = {p.stem for p in presets_dir_for(path.stem).glob("*.yaml")}
    schedule = load_schedule(path, presets)
    assert schedule.rotation is None, "a shipped rotation would switch the wall unasked"
