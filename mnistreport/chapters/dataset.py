"""Chapter 1, the dataset: label counts, the IDX headers, memory, the first image."""

from __future__ import annotations

from mnistreport.analysis import describe as dataset
from mnistreport.render import charts as figures, tables
from mnistreport.declare import Chapter, Figure, Step, Table

TRAIN_COUNTS = Step("training label counts", "train_counts",
                    lambda i: dataset.label_counts(i.data.train_labels))
TEST_COUNTS = Step("test label counts", "test_counts",
                   lambda i: dataset.label_counts(i.data.test_labels))
MEMORY = Step("memory footprint", "memory",
              lambda i: dataset.memory_footprint(*i.data.arrays()))

CHAPTER = Chapter(
    "dataset",
    steps=(TRAIN_COUNTS, TEST_COUNTS, MEMORY),
    figures=(
        Figure("first-image", figures.first_training_image, (TRAIN_COUNTS,), scale=10),
        Figure("label-distribution", figures.label_distribution, (TRAIN_COUNTS, TEST_COUNTS)),
    ),
    tables=(
        Table("label-counts", tables.label_counts),
        Table("idx-header", tables.idx_header),
        Table("memory", tables.memory),
        Table("checksums", tables.checksums),
    ),
)
