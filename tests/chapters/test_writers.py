"""The writers chapter's nodes: its steps with provenance, skipped without it, and the explorer's writers file."""

from types import SimpleNamespace

import numpy as np
import pytest

from mnistreport.chapters import all_chapters, writers as chapter
from mnistreport.config import section_types
from mnistreport.engine.graph import Graph
from mnistreport.render.bundle import decode_bundle
from mnistreport.sources import mnist as d
from mnistreport.sources import qmnist as p


def test_the_steps_measure_the_writers_and_are_skipped_without_provenance():
    labels = np.array([0, 1, 2, 3], dtype=np.uint8)
    images = np.zeros((4, 28, 28), np.uint8)
    data = d.MnistData(images, labels, images[:2], labels[:2], source="custom", origin="tiny")
    table = np.zeros((4, 8), np.int32)
    table[:, 0], table[:, 1], table[:, 2] = labels, [4, 4, 0, 0], [2100, 2100, 7, 8]
    prov = p.from_tables({p.QMNIST_TRAIN: table, p.QMNIST_TEST: table}, data, origin="tiny")
    predictions = SimpleNamespace(predictions=np.array([0, 0], np.uint8))
    who = chapter.writers(provenance=prov)
    assert (who.train.n_writers, who.test.n_writers, who.overlap.n_shared) == (3, 1, 1)
    errors = chapter.writer_errors(provenance=prov, data=data, mlp=predictions, cnn=predictions)
    assert errors.by_collection["mlp"].a.errors == 1 and errors.galleries["students"].hardest == 2100
    skipped = {n.name for n in Graph(all_chapters(), section_types()).skipped(["provenance"])}
    assert {"writers", "writer_errors", "series_means", "writer_map", "writers-map", "digit-writers"} <= skipped
    assert not {"data", "data/explore-writers", "all_map", "mlp"} & skipped  # they do without provenance


@pytest.mark.parametrize("available", [True, False])
def test_the_explorers_writers_file_holds_the_provenance_or_says_there_is_none(tmp_path, available):
    def part(series, writer, index):
        return SimpleNamespace(series=np.array(series, np.int8), writer=np.array(writer, np.int16),
                               writer_index=np.array(index, np.int16))

    provenance = (SimpleNamespace(train=part([4, 0, 4], [2154, 12, 2154], [9, 3, 2]), test=part([1], [700], [0]))
                  if available else None)
    chapter.explorer_writers(provenance=provenance, folder=tmp_path)
    meta, arrays = decode_bundle((tmp_path / "writers.bin").read_bytes())
    assert meta["available"] is available
    if available:
        assert arrays["writer"].tolist() == [2154, 12, 2154, 700] and arrays["series"].tolist() == [4, 0, 4, 1]
        assert arrays["rank"].tolist() == [1, 0, 0, 0]
