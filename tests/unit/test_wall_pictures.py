"""The perceptual comparison of wall pictures (``tests/wallpictures.py``) can fail: a tile
moved or recoloured is over the tolerance, a clock's digit or an age's number is not; and
the committed references are the size the audit makes and small enough to keep."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from PIL import Image, ImageDraw, ImageFont
from wallpictures import REFERENCES, SCALE, check_against_reference, compare, save_reference

from layouts import DEFAULT_WALL_FILE, presets_dir_for
from layouts.loader import load_wall

# A wall picture as the audit stitches one at 1/4 scale: 2 × 4 screens of 480 × 270 with
# bezels of 1 px, a dark page, tiles with big values and small lines, a clock top right.
SIZE = (1924, 541)
BACKGROUND = (11, 16, 26)
TILE = (22, 32, 48)
FONT_BIG = ImageFont.load_default(size=44)
FONT = ImageFont.load_default(size=13)


def wall_picture(
    clock: str = "03:06:07",
    age: str = "cập nhật 21 giờ trước",
    moved: int = 0,
    tile_colour: tuple[int, int, int] = TILE,
    gone: bool = False,
) -> Image.Image:
    picture = Image.new("RGB", SIZE, BACKGROUND)
    draw = ImageDraw.Draw(picture)
    for col, x in enumerate((10, 250, 490, 730, 970, 1210)):
        for row, y in enumerate((80, 320)):
            if gone and (col, row) == (1, 0):
                continue
            dx = moved if (col, row) == (1, 0) else 0
            colour = tile_colour if (col, row) == (1, 0) else TILE
            draw.rectangle((x + dx, y, x + dx + 220, y + 200), fill=colour)
            draw.text((x + dx + 12, y + 40), "2.014,2", font=FONT_BIG, fill=(255, 176, 32))
            draw.text((x + dx + 12, y + 110), "Thu ngân sách (lũy kế)", font=FONT, fill="white")
            draw.text((x + dx + 12, y + 170), age, font=FONT, fill=(150, 160, 170))
    draw.text((1700, 12), clock, font=FONT_BIG, fill=(255, 200, 40))
    for x in (480, 961, 1442):  # the vertical bezels
        draw.line((x, 0, x, SIZE[1]), fill="black", width=1)
    draw.line((0, 270, SIZE[0], 270), fill="black", width=1)
    return picture


def test_the_same_picture_does_not_differ() -> None:
    assert compare("overview", wall_picture(), wall_picture()).changed_pct == 0.0


@pytest.mark.parametrize(
    "changed",
    [
        wall_picture(clock="03:06:08"),
        wall_picture(clock="03:07:59"),
        wall_picture(age="cập nhật 22 giờ trước"),
    ],
    ids=["a clock digit", "two clock digits", "an age"],
)
def test_a_clock_or_an_age_that_moved_on_is_within_the_tolerance(changed: Image.Image) -> None:
    assert changed.tobytes() != wall_picture().tobytes(), "the pictures do differ"
    difference = compare("overview", changed, wall_picture())
    assert difference.within, str(difference)


@pytest.mark.parametrize(
    "changed",
    [
        wall_picture(moved=60),
        wall_picture(tile_colour=(200, 40, 40)),
        wall_picture(gone=True),
    ],
    ids=["a tile moved", "a tile recoloured", "a tile gone"],
)
def test_a_tile_moved_or_recoloured_is_over_the_tolerance(changed: Image.Image) -> None:
    difference = compare("overview", changed, wall_picture())
    assert not difference.within
    assert "overview:" in str(difference) and "over the tolerance of 1.00 %" in str(difference)


def test_the_failure_names_the_picture_and_writes_the_diff(tmp_path: Path) -> None:
    references, artifacts = tmp_path / "references", tmp_path / "artifacts"
    artifacts.mkdir()
    wall_picture().save(tmp_path / "run.png")
    save_reference(tmp_path / "run.png", "overview", references)
    wall_picture(moved=60).save(tmp_path / "moved.png")
    difference = check_against_reference("overview", tmp_path / "moved.png", artifacts, references)
    assert not difference.within
    with Image.open(artifacts / "overview.diff.png") as diff:
        # Red where the tile's value was, nothing red in the untouched corner.
        assert (255, 0, 0) in {
            colour for _, colour in diff.crop((262, 125, 300, 160)).getcolors(4096) or []
        }
        assert diff.getpixel((20, 500)) != (255, 0, 0)


def test_a_reference_in_256_colours_still_matches_its_picture(tmp_path: Path) -> None:
    wall_picture().save(tmp_path / "run.png")
    saved = save_reference(tmp_path / "run.png", "overview", tmp_path)
    with Image.open(saved) as reference:
        assert reference.mode == "P"
        assert compare("overview", wall_picture(), reference.convert("RGB")).changed_pct == 0.0


def test_a_picture_of_another_size_is_refused_naming_both_sizes() -> None:
    with pytest.raises(
        ValueError, match=r"overview: the picture is 962 × 270 but its reference is 1924 × 541"
    ):
        compare("overview", wall_picture().resize((962, 270)), wall_picture())


def test_a_missing_reference_says_how_to_add_it(tmp_path: Path) -> None:
    wall_picture().save(tmp_path / "run.png")
    with pytest.raises(FileNotFoundError, match=r"no reference picture .*--update-references"):
        check_against_reference("overview", tmp_path / "run.png", tmp_path, tmp_path / "none")


def test_every_shipped_preset_has_a_small_reference_of_the_audits_size() -> None:
    wall = load_wall(DEFAULT_WALL_FILE)
    presets = [path.stem for path in sorted(presets_dir_for(wall.id).glob("*.yaml"))]
    assert presets, "the default wall ships presets"
    expected = (round(wall.width * SCALE), round(wall.height * SCALE))
    for preset in presets:
        path = REFERENCES / f"{preset}.png"
        assert path.is_file(), f"{preset}: no reference picture in docs/wall"
        assert path.stat().st_size < 400_000, f"{path.name}: {path.stat().st_size} bytes"
        with Image.open(path) as picture:
            assert picture.size == expected, f"{path.name}: {picture.size}, not {expected}"


def test_the_wall_pictures_page_shows_every_preset_by_its_names() -> None:
    page = (REFERENCES / "README.md").read_text(encoding="utf-8")
    wall = load_wall(DEFAULT_WALL_FILE)
    for path in sorted(presets_dir_for(wall.id).glob("*.yaml")):
        name = yaml.safe_load(path.read_text(encoding="utf-8"))["name"]
        caption = f"{name['vi']} · {name['en']}"
        assert f"![{caption}]({path.stem}.png)" in page, f"docs/wall/README.md: no {caption}"
    readme = (REFERENCES.parents[1] / "README.md").read_text(encoding="utf-8")
    assert "](docs/wall/overview.png)" in readme, "the README's top shows the overview"
