"""The classed colour scale: breaks from the values, colours by direction, colour-blind safe."""

from __future__ import annotations

import pytest

from geo.choropleth import MAX_CLASSES, MIN_CLASSES, class_of, palette, quantile_breaks, scale_for

VALUES = {f"{i:02d}": float(v) for i, v in enumerate(range(10, 44), start=1)}  # 34 values


def test_quantile_breaks_give_classes_of_about_equal_size() -> None:
    scale = scale_for(VALUES, "higher_better", classes=5, decimals=1)
    assert scale.classes == 5
    assert list(scale.breaks) == sorted(scale.breaks)
    sizes = [0] * scale.classes
    for value in VALUES.values():
        sizes[scale.class_of(value)] += 1
    assert min(sizes) >= 6 and max(sizes) <= 8, sizes


def test_breaks_are_rounded_to_the_indicator_decimals() -> None:
    values = [1.234, 2.345, 3.456, 4.567, 5.678, 6.789]
    breaks = quantile_breaks(values, 3, decimals=0)
    assert all(b == round(b) for b in breaks)


@pytest.mark.parametrize(
    "values, classes",
    [([], 1), ([5.0], 1), ([5.0, 5.0, 5.0], 1), ([1.0, 1.0, 1.0, 9.0], 2)],
    ids=["none", "one", "all-equal", "mostly-equal"],
)
def test_few_distinct_values_give_fewer_classes(values: list[float], classes: int) -> None:
    scale = scale_for({f"{i:02d}": v for i, v in enumerate(values)}, "neutral", 5, 1)
    assert scale.classes == classes
    for v in values:
        assert 0 <= scale.class_of(v) < scale.classes


def test_lowest_and_highest_values_take_the_end_classes() -> None:
    scale = scale_for(VALUES, "higher_better", 5, 1)
    assert scale.class_of(min(VALUES.values())) == 0
    assert scale.class_of(max(VALUES.values())) == scale.classes - 1


def test_good_is_blue_whichever_way_the_indicator_runs() -> None:
    up = scale_for(VALUES, "higher_better", 5, 1)
    down = scale_for(VALUES, "lower_better", 5, 1)
    high, low = max(VALUES.values()), min(VALUES.values())
    assert up.colour_of(high) == down.colour_of(low) == "#2c7bb6"  # the best, dark blue
    assert up.colour_of(low) == down.colour_of(high) == "#d7191c"  # the worst, red


def test_neutral_and_band_use_a_sequential_scale() -> None:
    assert palette("neutral", 5) == palette("band", 5)
    assert palette("neutral", 5) != palette("higher_better", 5)


@pytest.mark.parametrize("classes", range(MIN_CLASSES, MAX_CLASSES + 1))
def test_every_palette_has_distinct_colours(classes: int) -> None:
    for reading in ("higher_better", "lower_better", "neutral"):
        colours = palette(reading, classes)
        assert len(colours) == len(set(colours)) == classes


@pytest.mark.parametrize("classes", [0, 1, 8])
def test_a_class_count_out_of_range_is_refused(classes: int) -> None:
    with pytest.raises(ValueError, match=r"classes must be 2\.\.7"):
        palette("neutral", classes)


def test_class_of_counts_breaks_at_or_below() -> None:
    assert [class_of(v, (10.0, 20.0)) for v in (5, 10, 15, 20, 25)] == [0, 1, 1, 2, 2]
