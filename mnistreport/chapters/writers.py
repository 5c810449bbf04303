"""Chapter 2, the writers: who wrote MNIST's digits, from QMNIST's provenance labels.

Every step gives None when the build found no provenance (the page then says how to get it).
The steps run after the classifiers and the explorer's map, which they measure; the
chapter is read second (its Markdown's ``order:``).
"""

from __future__ import annotations

import numpy as np

from mnistreport.render import browser_files as assets, charts as figures, tables
from mnistreport.analysis import writers
from mnistreport.declare import Asset, Chapter, Figure, Step, Table
from mnistreport.chapters.classifier import CNN, MLP
from mnistreport.chapters.explore import ALL_GRID, ALL_MAP, ALL_PREDICTIONS

PROVENANCE = Step("provenance (who wrote each digit)", "provenance", lambda i: i.data.provenance,
                  provenance=True)


def _who(i) -> writers.Who | None:
    p = i[PROVENANCE]
    return None if p is None else writers.who(p.train.series, p.train.writer, p.test.series, p.test.writer)


def _errors(i) -> writers.ErrorReport | None:
    p = i[PROVENANCE]
    if p is None:
        return None
    truth = i.data.test_labels
    return writers.error_report(p.test.series, p.test.writer,
                                {"mlp": i[MLP].predictions != truth, "cnn": i[CNN].predictions != truth})


def _means(i) -> writers.SeriesMeans | None:
    p = i[PROVENANCE]
    return None if p is None else writers.series_means(i.data.train_images, i.data.train_labels, p.train.series)


def _map(i) -> writers.MapStyle | None:
    p = i[PROVENANCE]
    if p is None:
        return None
    labels = np.concatenate([i.data.train_labels, i.data.test_labels])
    return writers.map_style(i[ALL_MAP].coords, labels, np.concatenate([p.train.writer, p.test.writer]))


WHO = Step("writers: who", "writers", _who, uses=(PROVENANCE,))
ERRORS = Step("writers: errors", "writer_errors", _errors, uses=(PROVENANCE, MLP, CNN))
MEANS = Step("writers: mean digits", "series_means", _means, uses=(PROVENANCE,))
MAP = Step("writers: style on the map", "writer_map", _map, uses=(PROVENANCE, ALL_MAP))

CHAPTER = Chapter(
    "writers",
    steps=(PROVENANCE, WHO, ERRORS, MEANS, MAP),
    figures=(
        Figure("writers-per-writer", figures.writers_per_writer, (WHO,)),
        Figure("writers-series-means", figures.writers_series_means, (MEANS,), scale=3),
        Figure("writer-first", figures.writer_first, (PROVENANCE,), scale=2),
        Figure("writers-hands-employees", figures.writers_hands_employees, (PROVENANCE, ERRORS, MLP, CNN), scale=2),
        Figure("writers-hands-students", figures.writers_hands_students, (PROVENANCE, ERRORS, MLP, CNN), scale=2),
        Figure("writers-hardest", figures.writers_hardest, (PROVENANCE, ERRORS, MLP, CNN), scale=2),
        Figure("writers-error-per-writer", figures.writers_error_per_writer, (ERRORS,)),
        Figure("writers-map", figures.writers_map, (PROVENANCE, ALL_MAP)),
        Figure("digit-{digit}-writers", figures.digit_writers, (PROVENANCE,), scale=2),
    ),
    tables=(
        Table("writers-per-series", tables.writers_per_series),
        Table("writers-claims", tables.writers_claims),
        Table("writers-errors", tables.writers_errors),
        Table("writers-map-style", tables.writers_map_style),
        Table("provenance-files", tables.provenance_files),
        Table("digit-writers", tables.digit_writers),
    ),
    # The explorer's table of all digits, declared here because it gains the writers' columns.
    assets=(Asset("data", assets.all_digits_table, (ALL_MAP, ALL_GRID, ALL_PREDICTIONS, PROVENANCE)),
            # Who wrote each digit, fetched by the explorer only when a digit is selected or the series shown.
            Asset("data/explore-writers", assets.explorer_writers, (PROVENANCE,))),
)
