"""The site's tables, built from results on the tiny build, with both languages' words."""

import numpy as np
import pytest

from conftest import CONTENT
from mnistreport.render import tables
from mnistreport.chapters import CHAPTERS
from mnistreport.site.words import load_all_words

WORDS = load_all_words(CONTENT, ("en", "ja"))
DECLARED = {table.name: table for chapter in CHAPTERS for table in chapter.tables}


@pytest.fixture(scope="module")
def results(tiny_site):
    return tiny_site[0]


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_every_declared_table_builds_with_headers_in_the_language(results, lang):
    for name, table in DECLARED.items():
        options = {"digit": 3} if table.per_digit else {}
        if name == "idx-header":
            options["file"] = next(iter(results.data.headers), None)
            if options["file"] is None:
                continue
        if results.provenance is None and table.build.__name__.startswith(("writers_", "digit_writers", "provenance")):
            continue  # shown only when the build found who wrote the digits (the tiny data has no writers)
        frame = table.build(results, WORDS[lang]["table"], **options)
        empty_ok = name == "checksums" and not results.data.files  # the tiny data was read from no file
        assert (len(frame) >= 1 or empty_ok) and all(frame.columns), name
        if lang == "ja":
            assert any(any("\u3040" <= ch <= "\u9fff" for ch in column) for column in frame.columns), name


def test_checksum_table_heads_its_byte_column_bytes_not_images(results):
    # Defect: the words defined "size" twice and the later ("Images") won for the checksums.
    for lang, heading in (("en", "Bytes (decompressed)"), ("ja", "バイト数 (展開後)")):
        frame = tables.checksums(results, WORDS[lang]["table"])
        assert list(frame.columns)[1] == heading
        assert [row[1] for row in frame.values] == [f"{f.size:,}" for f in results.data.files]
    clusters = tables.clusters(results, WORDS["en"]["table"])
    assert "Images" in clusters.columns


def test_label_counts_add_up_and_shares_come_from_the_counts(results):
    frame = tables.label_counts(results, WORDS["en"]["table"])
    assert frame.iloc[-1, 1] == f"{sum(results.train_counts):,}"
    three = frame.iloc[3]
    assert three.iloc[1] == f"{results.train_counts[3]:,}"
    assert three.iloc[2] == f"{100 * results.train_counts[3] / sum(results.train_counts):.2f} %"


def test_digit_mistakes_lists_only_other_digits_most_frequent_first(results):
    frame = tables.digit_mistakes(results, WORDS["en"]["table"], digit=4)
    confusion = results.mlp.confusion
    counts = [int(c.replace(",", "")) for c in frame.iloc[:, 1]]
    if counts != [0]:
        assert "4" not in list(frame.iloc[:, 0])
        assert counts == sorted(counts, reverse=True)
        assert sum(counts) == confusion[4].sum() - confusion[4, 4]


def test_pixel_table_shades_cells_and_keeps_text_readable():
    image = np.array([[0, 255]], np.uint8)
    html = tables.pixel_table(image, "cap", 1, "Table", "r \\ c")
    assert "background:rgb(255,255,255);color:#000000" in html
    assert "background:rgb(0,0,0);color:#ffffff" in html
