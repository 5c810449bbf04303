"""The first-look chapter (``first-look``): the tinted mosaic and each class's mean and spread (also on the digit pages)."""

from __future__ import annotations

import numpy as np

from mnistreport.analysis import describe
from mnistreport.config import FirstLook, Sampling
from mnistreport.engine.nodes import Chapter
from mnistreport.render import charts
from mnistreport.sources.mnist import MnistData

first_look = Chapter("first-look")


@first_look.step
def samples(data: MnistData, look: FirstLook, sampling: Sampling) -> describe.Samples:
    return describe.draw_samples(data.train_labels, mosaic_rows=look.mosaic_rows, mosaic_cols=look.mosaic_cols,
                                 per_digit=look.digit_samples, seed=sampling.seed)


@first_look.step
def class_images(data: MnistData) -> describe.ClassImages:
    return describe.class_images(data.train_images, data.train_labels)


@first_look.figure("mosaic", scale=2)
def mosaic(samples: describe.Samples, data: MnistData) -> np.ndarray:
    chosen = samples.mosaic
    return charts.tinted_tile(data.train_images[chosen], data.train_labels[chosen], *samples.mosaic_shape)


@first_look.figure("class-statistics", scale=4)
def class_statistics(class_images: describe.ClassImages) -> np.ndarray:
    return charts.class_statistics(class_images.mean, class_images.std, class_images.overall_mean)


@first_look.figure("digit-{digit}-samples", scale=2)
def digit_samples(samples: describe.Samples, data: MnistData, digit: int) -> np.ndarray:
    chosen = samples.per_digit[digit]
    side = int(round(len(chosen) ** 0.5))
    return charts.tinted_tile(data.train_images[chosen], data.train_labels[chosen], side, side, gap=1)


@first_look.figure("digit-{digit}-statistics", scale=6)
def digit_statistics(class_images: describe.ClassImages, digit: int) -> np.ndarray:
    return charts.digit_statistics(class_images.mean[digit], class_images.std[digit])


@first_look.summary
def summary(class_images: describe.ClassImages) -> dict:
    return {"class_images": class_images.summary()}
