import numpy as np
import pandas as pd
import pytest

from mnistreport.analysis import describe as dataset


def test_label_counts_include_missing_digits():
    assert dataset.label_counts(np.array([0, 0, 3], np.uint8)) == [2, 0, 0, 1, 0, 0, 0, 0, 0, 0]


def test_class_images_mean_and_std():
    images = np.zeros((4, 2, 2), np.uint8)
    images[0, 0, 0] = 255  # digit 0: one image with ink, one without
    labels = np.array([0, 0, 1, 1], np.uint8)
    stats = dataset.class_images(images, labels)
    assert stats.mean[0, 0, 0] == 0.5 and stats.std[0, 0, 0] == 0.5
    assert stats.mean[1].sum() == 0
    assert np.isclose(stats.overall_mean[0, 0], 0.25)


def test_samples_are_reproducible_and_of_the_right_digit(tiny_mnist):
    labels = tiny_mnist.train_labels
    a = dataset.draw_samples(labels, mosaic_rows=3, mosaic_cols=4, per_digit=9, seed=1)
    b = dataset.draw_samples(labels, mosaic_rows=3, mosaic_cols=4, per_digit=9, seed=1)
    assert np.array_equal(a.mosaic, b.mosaic) and a.mosaic.shape == (12,)
    assert a.per_digit.shape == (10, 9)
    for digit in range(10):
        assert (labels[a.per_digit[digit]] == digit).all()


def test_memory_footprint_matches_a_direct_measurement(tiny_mnist):
    d = tiny_mnist
    m = dataset.memory_footprint(d.train_images, d.train_labels, d.test_images, d.test_labels)
    assert m.uint8_bytes == d.train_images.nbytes + d.train_labels.nbytes + d.test_images.nbytes + d.test_labels.nbytes
    rows = len(d.train_labels) + len(d.test_labels)
    # pandas reads 785 int64 columns: 8 bytes per value plus a small index per frame.
    assert rows * 785 * 8 <= m.pandas_bytes <= rows * 785 * 8 + 1000
    assert m.pandas_dtypes == ("int64",)
    assert m.ratio > 7.9


def test_stroke_features_measure_ink_and_slant():
    upright = np.zeros((1, 28, 28), np.uint8)
    upright[0, 4:24, 13:15] = 255  # a vertical bar, two pixels wide
    leaning = np.zeros((1, 28, 28), np.uint8)
    for row in range(4, 24):  # a bar whose top is further right: "/"
        leaning[0, row, 20 - (row - 4) // 2] = 255
    ink, slant = dataset.stroke_features(np.concatenate([upright, leaning]))
    assert ink[0] == 40 and ink[1] == 20
    assert abs(slant[0]) < 1e-9
    assert 0.4 < slant[1] < 0.6  # moves half a pixel right per pixel up


def test_scale_pixels() -> None:
    images = np.array([[[0, 255], [51, 102]]], dtype=np.uint8)
    x = dataset.scale_pixels(images)
    assert x.dtype == np.float32 and x.shape == (1, 4)
    np.testing.assert_allclose(x[0], [0.0, 1.0, 0.2, 0.4], rtol=1e-6)
    with pytest.raises(ValueError):
        dataset.scale_pixels(images.astype(np.float32))
