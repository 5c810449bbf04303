"""mnistreport.render.explorer: the explorer's points bundle, sprite sheets and table; its words and template."""

from __future__ import annotations

import re

import jinja2
import markupsafe
import numpy as np
import pytest
from PIL import Image

from mnistreport.render.bundle import decode_bundle
from mnistreport.website.words import load_words  # noqa: E402
from mnistreport.analysis.neighbours import exact_neighbours
from mnistreport.render.explorer import all_digits_table, neighbour_files, points_bundle, quantise, sprite_sheets, tile_of, write_neighbours, write_sprite_sheets, writer_ranks, writers_bundle
from mnistreport.render.style import CLASS_COLOURS

from conftest import REPO  # noqa: E402


@pytest.fixture
def digits():
    """40 digits (30 train, 10 test) with distinct random images, map positions including the edges."""
    rng = np.random.default_rng(3)
    n = 40
    coords = rng.random((n, 2))
    coords[0] = (0.0, 0.0)
    coords[1] = (1.0, 1.0)
    coords[2] = (0.5, 1.0)
    images = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, n).astype(np.uint8)
    mlp = np.where(np.arange(n) % 7 == 3, (labels + 1) % 10, labels).astype(np.uint8)
    cnn = np.where(np.arange(n) % 11 == 5, (labels + 2) % 10, labels).astype(np.uint8)
    cells = rng.permutation(7 * 6)[:n]
    return {"coords": coords, "images": images, "labels": labels, "mlp": mlp, "cnn": cnn, "cells": cells,
            "shape": (7, 6), "n_train": 30}


def test_quantise_scales_to_uint16_and_rejects_what_is_not_a_scaled_map():
    x, y = quantise(np.array([[0.0, 1.0], [0.5, 0.25], [1.0, 0.0]]))
    assert x.dtype == np.uint16 and y.dtype == np.uint16
    assert x.tolist() == [0, 32768, 65535] and y.tolist() == [65535, 16384, 0]
    for bad in ([[1.2, 0.3]], [[-0.1, 0.3]], [[np.nan, 0.3]]):
        with pytest.raises(ValueError):
            quantise(np.array(bad))
    with pytest.raises(ValueError, match="shape"):
        quantise(np.zeros((3, 3)))


@pytest.mark.parametrize("tiles", [1, 7, 10, 16])
def test_tile_of_follows_the_documented_integer_rule(tiles):
    rng = np.random.default_rng(tiles)
    x = np.concatenate([[0, 65535, 65535, 0, 32768], rng.integers(0, 65536, 500)]).astype(np.uint16)
    y = np.concatenate([[0, 65535, 0, 65535, 32767], rng.integers(0, 65536, 500)]).astype(np.uint16)
    expected = [min(tiles - 1, (int(b) * tiles) >> 16) * tiles + min(tiles - 1, (int(a) * tiles) >> 16) for a, b in zip(x, y)]
    assert tile_of(x, y, tiles).tolist() == expected
    assert tile_of(np.array([65535], np.uint16), np.array([65535], np.uint16), tiles)[0] == tiles * tiles - 1


def test_sprite_sheets_hold_each_digit_at_its_slot_in_id_order(digits):
    x, y = quantise(digits["coords"])
    tiles, cols = 3, 4
    sheets = sprite_sheets(digits["images"], x, y, tiles, cols)
    tile = tile_of(x, y, tiles)
    assert sorted(sheets) == sorted(set(tile.tolist())), "one sheet per non-empty tile"
    for t, picture in sheets.items():
        members = np.flatnonzero(tile == t)  # ascending ids
        assert picture.dtype == np.uint8
        assert picture.shape == (-(-len(members) // cols) * 28, cols * 28)
        for k, i in enumerate(members):
            r, c = divmod(k, cols)
            assert np.array_equal(picture[r * 28:(r + 1) * 28, c * 28:(c + 1) * 28], digits["images"][i])
        unused = np.zeros_like(picture, dtype=bool)
        for k in range(len(members), picture.shape[0] // 28 * cols):
            r, c = divmod(k, cols)
            unused[r * 28:(r + 1) * 28, c * 28:(c + 1) * 28] = True
        assert not picture[unused].any(), "empty slots are background"


def test_write_sprite_sheets_writes_greyscale_pngs_that_read_back_exactly(digits, tmp_path):
    x, y = quantise(digits["coords"])
    sheets = sprite_sheets(digits["images"], x, y, 2, 5)
    total = write_sprite_sheets(sheets, tmp_path / "sheets")
    files = sorted(p.name for p in (tmp_path / "sheets").iterdir())
    assert files == sorted(f"{t}.png" for t in sheets)
    assert total == sum(p.stat().st_size for p in (tmp_path / "sheets").iterdir())
    for t, picture in sheets.items():
        with Image.open(tmp_path / "sheets" / f"{t}.png") as image:
            assert image.mode == "L"
            assert np.array_equal(np.asarray(image), picture)


def test_points_bundle_round_trips(digits):
    data = points_bundle(digits["coords"], digits["labels"], digits["mlp"], digits["n_train"],
                         cnn_predictions=digits["cnn"], cells=digits["cells"], grid_shape=digits["shape"], tiles=4, sheet_cols=8)
    meta, arrays = decode_bundle(data)
    x, y = quantise(digits["coords"])
    assert set(arrays) == {"x", "y", "label", "mlp", "cnn", "cell"}
    assert arrays["x"].dtype == np.uint16 and arrays["cell"].dtype == np.uint32 and arrays["label"].dtype == np.uint8
    assert np.array_equal(arrays["x"], x) and np.array_equal(arrays["y"], y)
    for name, key in (("label", "labels"), ("mlp", "mlp"), ("cnn", "cnn"), ("cell", "cells")):
        assert np.array_equal(arrays[name], digits[key]), name
    assert meta == {"n_train": 30, "n_test": 10, "tiles": 4, "sheet_cols": 8, "grid": {"rows": 7, "cols": 6},
                    "colours": list(CLASS_COLOURS)}


def test_points_bundle_without_cnn_or_grid(digits):
    meta, arrays = decode_bundle(points_bundle(digits["coords"], digits["labels"], digits["mlp"], 40))
    assert set(arrays) == {"x", "y", "label", "mlp"}
    assert meta["grid"] is None and meta["n_test"] == 0 and meta["tiles"] == 10 and meta["sheet_cols"] == 32


def test_points_bundle_rejects_inconsistent_inputs(digits):
    args = (digits["coords"], digits["labels"], digits["mlp"], 30)
    with pytest.raises(ValueError, match="grid_shape"):
        points_bundle(*args, cells=digits["cells"])
    with pytest.raises(ValueError, match="share"):
        points_bundle(*args, cells=np.zeros(40, int), grid_shape=(7, 6))
    with pytest.raises(ValueError, match="0..41"):
        points_bundle(*args, cells=np.arange(40) + 10, grid_shape=(7, 6))
    with pytest.raises(ValueError, match="classes 0-9"):
        points_bundle(digits["coords"], digits["labels"] + 10, digits["mlp"], 30)
    with pytest.raises(ValueError, match="expected 40"):
        points_bundle(digits["coords"], digits["labels"], digits["mlp"][:5], 30)
    with pytest.raises(ValueError, match="n_train"):
        points_bundle(digits["coords"], digits["labels"], digits["mlp"], 41)


def test_all_digits_table_matches_the_inputs(digits):
    table = all_digits_table(digits["coords"], digits["labels"], digits["mlp"], digits["n_train"],
                             cnn_predictions=digits["cnn"], cells=digits["cells"], grid_shape=digits["shape"])
    assert list(table.columns) == ["set", "index", "label", "x", "y", "mlp_prediction", "cnn_prediction", "grid_row", "grid_col"]
    assert table["set"].tolist() == ["train"] * 30 + ["test"] * 10
    assert table["index"].tolist() == list(range(30)) + list(range(10))
    assert table["label"].tolist() == digits["labels"].tolist()
    assert table["mlp_prediction"].tolist() == digits["mlp"].tolist()
    assert table["cnn_prediction"].tolist() == digits["cnn"].tolist()
    np.testing.assert_allclose(table[["x", "y"]].to_numpy(), digits["coords"], atol=1e-5)
    x, _ = quantise(digits["coords"])
    assert np.array_equal(table["x"].to_numpy(), np.round(x / 65535, 6)), "the positions the explorer shows"
    assert (table["grid_row"] * 6 + table["grid_col"]).tolist() == digits["cells"].tolist()
    assert table["grid_row"].between(0, 6).all() and table["grid_col"].between(0, 5).all()
    csv = table.to_csv(index=False)
    assert re.search(r"^test,9,\d,0\.\d{1,6},", csv.splitlines()[-1])


def test_all_digits_table_without_optional_columns(digits):
    table = all_digits_table(digits["coords"], digits["labels"], digits["mlp"], 30)
    assert list(table.columns) == ["set", "index", "label", "x", "y", "mlp_prediction"]


# ----------------------------------------------------------------------------- nearest neighbours








def test_neighbour_files_are_chunks_of_bundles(tmp_path):
    import json

    ids = exact_neighbours(np.random.default_rng(2).normal(size=(130, 3)).astype(np.float32), 4)
    files = neighbour_files(ids, chunk=50, method="exact")
    assert sorted(files) == ["0.bin", "1.bin", "2.bin", "meta.json"]
    assert json.loads(files["meta.json"]) == {"k": 4, "chunk": 50, "n": 130, "method": "exact"}
    meta, arrays = decode_bundle(files["2.bin"])
    assert meta == {"first": 100, "count": 30, "k": 4}
    assert arrays["ids"].dtype == np.uint32 and arrays["ids"].shape == (30, 4)
    np.testing.assert_array_equal(arrays["ids"], ids[100:])
    assert write_neighbours(ids, tmp_path / "n", chunk=50) == sum(len(b) for b in files.values()) - len(files["meta.json"]) + len(
        (tmp_path / "n" / "meta.json").read_bytes())
    assert len(files["0.bin"]) < 50 * 4 * 4 + 200, "compact: the ids and a short header"
    with pytest.raises(ValueError):
        neighbour_files(np.array([[0, 5]]))


# ----------------------------------------------------------------------------- words and template

WORDS = {lang: load_words(REPO / "content", lang)["explorer"] for lang in ("en", "ja")}


def test_every_word_the_component_uses_exists():
    template = (REPO / "templates" / "widgets" / "explorer.html").read_text(encoding="utf-8")
    script = "".join(p.read_text(encoding="utf-8") for p in sorted((REPO / "static" / "explorer").glob("*.js")))
    used = set(re.findall(r"words\.(\w+)", template)) | set(re.findall(r"\b(?:w|words|this\.words|self\.words)\.(\w+)", script))
    used |= {f"model_{m}" for m in ("mlp", "cnn")}
    used |= set(re.findall(r'"(colour_key_\w+)"', script))
    used -= {"js", "toml"}  # words.js, words.toml named in comments
    assert used - set(WORDS["en"]) == set()
    unused = set(WORDS["en"]) - used
    assert not unused, f"words never used: {unused}"


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_template_renders_with_strict_undefined(lang):
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(REPO / "templates"), autoescape=True,
                             undefined=jinja2.StrictUndefined)
    html = env.get_template("widgets/explorer.html").render(
        data="../data/explore/points.bin", sheets="../data/explore/sheets/", assets="../assets/", words=WORDS[lang],
        lang=lang, layout="grid", id="ex1", table_href="../data/all-digits.csv.gz")
    assert '<script type="module" src="../assets/explorer/explore.js"></script>' in html
    assert '<link rel="stylesheet" href="../assets/explorer/explore.css">' in html
    assert 'href="../data/all-digits.csv.gz"' in html
    assert 'id="ex1"' in html and 'data-layout="grid"' in html
    assert str(markupsafe.escape(WORDS[lang]["summary_grid"])) in html
    assert "python3 -m http.server --directory site" in html
    assert "<built-in" not in html


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_widget_survives_markdown_as_one_html_block(lang):
    """Pages render Markdown after Jinja: the widget's HTML must come out of it unchanged."""
    import markdown

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(REPO / "templates" / "widgets"), autoescape=True,
                             undefined=jinja2.StrictUndefined)
    html = env.get_template("explorer.html").render(
        data="../data/explore/points.bin", sheets="../data/explore/sheets/", assets="../assets/", words=WORDS[lang],
        lang=lang, layout="map", id="explorer-1", table_href="../data/all-digits.csv.gz").strip()
    assert "\n\n" not in html and html.startswith("<section") and html.endswith("</section>")
    out = markdown.Markdown(extensions=["tables", "attr_list", "md_in_html"]).convert(f"Before.\n\n{html}\n\nAfter.")
    assert html in out


# ----------------------------------------------------------------------------- writers


def test_writer_ranks_count_each_writers_digits_in_qmnist_order():
    writer = np.array([7, 3, 7, 7, 3, 9])
    index = np.array([5, 2, 1, 5, 0, 4])  # writer 7: index 1 first, then the two 5s by position
    assert writer_ranks(writer, index).tolist() == [1, 1, 0, 2, 0, 0]
    assert writer_ranks(np.zeros(0, int), np.zeros(0, int)).tolist() == []
    with pytest.raises(ValueError, match="two equal"):
        writer_ranks(writer, index[:3])


def test_writers_bundle_round_trips():
    rng = np.random.default_rng(5)
    writer = rng.integers(0, 2600, 500)
    series = np.where(writer >= 2100, 4, writer % 4)
    index = rng.integers(0, 130, 500)
    meta, arrays = decode_bundle(writers_bundle(series, writer, index))
    assert meta == {"available": True, "n": 500, "writers": len(np.unique(writer)), "student_series": 4}
    assert (arrays["series"].dtype, arrays["writer"].dtype, arrays["rank"].dtype) == (np.uint8, np.uint16, np.uint16)
    assert arrays["series"].tolist() == series.tolist() and arrays["writer"].tolist() == writer.tolist()
    assert arrays["rank"].tolist() == writer_ranks(writer, index).tolist()
    # every writer's ranks are 0 .. count - 1
    for w in np.unique(writer)[:20]:
        assert sorted(arrays["rank"][writer == w].tolist()) == list(range(int((writer == w).sum())))


def test_writers_bundle_without_provenance_says_so_and_rejects_bad_values():
    meta, arrays = decode_bundle(writers_bundle(None))
    assert meta == {"available": False} and arrays == {}
    with pytest.raises(ValueError, match="writer: expected 0..65535"):
        writers_bundle(np.zeros(3, int), np.array([1, -2, 3]), np.zeros(3, int))
    with pytest.raises(ValueError, match="writer: expected 2 values"):
        writers_bundle(np.zeros(2, int), np.array([1, 2, 3]), np.zeros(3, int))
