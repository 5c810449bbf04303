"""The chapters' tables, built from the tiny build's results, with both languages' words."""

import pytest

from conftest import CONTENT
from mnistreport.engine.run import call
from mnistreport.website.words import load_all_words

WORDS = load_all_words(CONTENT, ("en", "ja"))


@pytest.fixture(scope="module")
def computed(tiny_site):
    return tiny_site[0]


def table(computed, name, lang="en", **options):
    node = computed.graph.node("table", name)
    return call(node, computed, words=WORDS[lang]["table"], **options)


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_every_declared_table_builds_with_headers_in_the_language(computed, lang):
    data = computed.inputs.builtins["data"]
    for node in computed.graph.of_kind("table"):
        if node in computed.skipped:
            continue  # shown only when the build found who wrote the digits (the tiny data has no writers)
        options = {"digit": 3} if node.per_digit else {}
        if node.name == "idx-header":
            options["file"] = next(iter(data.headers), None)
            if options["file"] is None:
                continue
        frame = table(computed, node.name, lang, **options)
        empty_ok = node.name == "checksums" and not data.files  # the tiny data was read from no file
        assert (len(frame) >= 1 or empty_ok) and all(frame.columns), node.name
        if lang == "ja":
            assert any(any("\u3040" <= ch <= "\u9fff" for ch in column) for column in frame.columns), node.name


def test_the_writers_tables_are_skipped_without_provenance(computed):
    skipped = {n.name for n in computed.skipped if n.kind == "table"}
    assert {"writers-per-series", "writers-errors", "digit-writers"} <= skipped


def test_checksum_table_heads_its_byte_column_bytes_not_images(computed):
    # Defect: the words defined "size" twice and the later ("Images") won for the checksums.
    data = computed.inputs.builtins["data"]
    for lang, heading in (("en", "Bytes (decompressed)"), ("ja", "バイト数 (展開後)")):
        frame = table(computed, "checksums", lang)
        assert list(frame.columns)[1] == heading
        assert [row[1] for row in frame.values] == [f"{f.size:,}" for f in data.files]
    assert "Images" in table(computed, "clusters").columns


def test_label_counts_add_up_and_shares_come_from_the_counts(computed):
    counts = computed.values["train_counts"]
    frame = table(computed, "label-counts")
    assert frame.iloc[-1, 1] == f"{sum(counts):,}"
    three = frame.iloc[3]
    assert three.iloc[1] == f"{counts[3]:,}"
    assert three.iloc[2] == f"{100 * counts[3] / sum(counts):.2f} %"


def test_digit_mistakes_lists_only_other_digits_most_frequent_first(computed):
    frame = table(computed, "digit-mistakes", digit=4)
    confusion = computed.values["mlp"].confusion
    counts = [int(c.replace(",", "")) for c in frame.iloc[:, 1]]
    if counts != [0]:
        assert "4" not in list(frame.iloc[:, 0])
        assert counts == sorted(counts, reverse=True)
        assert sum(counts) == confusion[4].sum() - confusion[4, 4]


def test_the_about_page_names_the_library_releases_that_computed_each_step(computed):
    frame = table(computed, "steps")
    tsne_row = frame[frame.iloc[:, 0] == WORDS["en"]["table"]["step_tsne"]].iloc[0]
    assert "openTSNE" in tsne_row.iloc[2] and "keras" not in tsne_row.iloc[2]
