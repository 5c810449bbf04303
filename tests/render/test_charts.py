import numpy as np
import warnings

import matplotlib.pyplot as plt
from PIL import Image

from conftest import CONTENT
from mnistreport.website.words import load_words

from mnistreport.render import charts as figures
from mnistreport.render.style import CLASS_COLOURS, hex_to_rgb


def test_tint_puts_full_ink_in_the_class_colour_and_paper_white():
    images = np.array([[[0, 255]]], np.uint8)
    rgb = figures.tint(images, np.array([3]))
    assert np.allclose(rgb[0, 0, 0], 1.0)
    assert np.allclose(rgb[0, 0, 1], hex_to_rgb(CLASS_COLOURS[3]))


def test_tile_places_cells_row_by_row_with_gaps():
    cells = np.arange(6, dtype=np.float32)[:, None, None] * np.ones((6, 2, 3), np.float32)
    canvas = figures.tile(cells, 2, 3, gap=1, background=-1)
    assert canvas.shape == (2 * 2 + 1, 3 * 3 + 2)
    assert canvas[0, 0] == 0 and canvas[0, 4] == 1 and canvas[3, 0] == 3 and canvas[2, 0] == -1


def test_save_pixels_scales_without_blurring(tmp_path):
    picture = np.array([[0.0, 1.0]], np.float32)
    size = figures.save_pixels(picture, tmp_path / "p.png", 4)
    assert size == (8, 4)
    data = np.asarray(Image.open(tmp_path / "p.png"))
    assert set(np.unique(data)) == {0, 255}


def missing_glyph_warnings(draw) -> list[str]:
    """The 'Glyph ... missing from font' warnings matplotlib gives while drawing ``draw()`` to a PNG."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = draw()
        fig.canvas.draw()
        plt.close(fig)
    return [str(w.message) for w in caught if "missing from" in str(w.message)]


def test_japanese_chart_words_come_from_the_words_file_and_every_glyph_is_in_the_font(tmp_path):
    words = load_words(CONTENT, "ja")["chart"]
    with figures.style_context():
        fig = figures.label_distribution_chart([1] * 10, [1] * 10, words)
        assert fig.axes[0].get_xlabel() == words["digit"] and fig.axes[0].get_ylabel() == words["share"]
        width, height = figures.save_chart(fig, tmp_path / "c.png")
        assert width > 300 and height > 200
        assert missing_glyph_warnings(lambda: figures.label_distribution_chart([1] * 10, [1] * 10, words)) == []

    def without_the_japanese_font():  # the check itself can fail: DejaVu Sans has no kana
        fig = figures.label_distribution_chart([1] * 10, [1] * 10, words)
        fig.axes[0].xaxis.label.set_fontfamily("DejaVu Sans")
        return fig

    with figures.style_context():
        assert missing_glyph_warnings(without_the_japanese_font)


def test_every_figure_starts_from_the_same_style_whatever_was_changed_before(tmp_path):
    def drawn(path):
        with figures.style_context():
            fig = figures.label_distribution_chart(list(range(1, 11)), [1] * 10, {"train": "a", "test": "b",
                                                                                  "digit": "d", "share": "s"})
            figures.save_chart(fig, path)
        return path.read_bytes()

    first = drawn(tmp_path / "1.png")
    with plt.rc_context({"font.size": 30, "axes.facecolor": "red", "lines.linewidth": 9}):  # a leaking figure
        second = drawn(tmp_path / "2.png")
        assert plt.rcParams["font.size"] == 30  # and leaving the style restores what was there
    assert first == second
    plt.rcParams["font.size"] = 30  # control: the same change outside the style context shows in a figure
    try:
        fig = figures.label_distribution_chart(list(range(1, 11)), [1] * 10, {"train": "a", "test": "b",
                                                                               "digit": "d", "share": "s"})
        figures.save_chart(fig, tmp_path / "3.png")
    finally:
        plt.rcdefaults()
    assert (tmp_path / "3.png").read_bytes() != first

