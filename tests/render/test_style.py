"""The report's colours: text on every class colour is readable (WCAG AA, 4.5:1)."""

import pytest

from mnistreport.render.style import CLASS_COLOURS, CLASS_TEXT_COLOURS, contrast_ratio, text_colour_on


def test_contrast_ratio_matches_the_wcag_extremes_and_a_known_pair():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#777777") == pytest.approx(1.0)
    assert contrast_ratio("#ffffff", "#bcbd22") == pytest.approx(2.01, abs=0.01)  # the badge the issue measured


def test_text_colour_is_the_one_that_contrasts_more():
    assert text_colour_on("#bcbd22") == "#000000"
    assert text_colour_on("#1f77b4") == "#ffffff"


@pytest.mark.parametrize("digit", range(10))
def test_every_digit_badge_text_reaches_4_5_to_1(digit):
    assert contrast_ratio(CLASS_TEXT_COLOURS[digit], CLASS_COLOURS[digit]) >= 4.5
