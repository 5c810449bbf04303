"""Chapter 2, a first look: the tinted mosaic and each class's mean and spread (also on the digit pages)."""

from __future__ import annotations

from mnistreport.analysis import describe as dataset
from mnistreport.render import charts as figures, tables
from mnistreport.declare import Chapter, Figure, Step, Table


def _samples(i) -> dataset.Samples:
    look = i.config.first_look
    return dataset.draw_samples(i.data.train_labels, mosaic_rows=look.mosaic_rows, mosaic_cols=look.mosaic_cols,
                                per_digit=look.digit_samples, seed=i.config.sampling.seed)


SAMPLES = Step("samples", "samples", _samples, config=("first_look", "sampling"))
CLASS_IMAGES = Step("class images", "class_images",
                    lambda i: dataset.class_images(i.data.train_images, i.data.train_labels))

CHAPTER = Chapter(
    "first-look",
    steps=(SAMPLES, CLASS_IMAGES),
    figures=(
        Figure("mosaic", figures.mosaic, (SAMPLES,), scale=2),
        Figure("class-statistics", figures.class_statistics_of, (CLASS_IMAGES,), scale=4),
        Figure("digit-{digit}-samples", figures.digit_samples, (SAMPLES,), scale=2),
        Figure("digit-{digit}-statistics", figures.digit_statistics_of, (CLASS_IMAGES,), scale=6),
    ),
    tables=(Table("digit-counts", tables.digit_counts),),
)
