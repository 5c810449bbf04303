"""Tests for mnistreport.analysis.clustering on small synthetic blobs."""

import json
import pickle

import numpy as np
import pytest

from mnistreport.analysis import clustering


@pytest.fixture
def blobs():
    """Ten tight, far-apart Gaussian blobs in 5-D; blob d has label (d + 3) % 10."""
    rng = np.random.default_rng(0)
    centres = rng.normal(0, 20, (10, 5))
    blob = np.repeat(np.arange(10), 30)
    features = centres[blob] + rng.normal(0, 0.5, (300, 5))
    return features, (blob + 3) % 10


def test_separated_blobs_are_recovered(blobs):
    features, labels = blobs
    result = clustering.cluster_scores(features, labels, k=10, seed=0)
    assert result.accuracy == pytest.approx(1.0)
    assert result.nmi == pytest.approx(1.0)
    assert result.ari == pytest.approx(1.0)
    assert sorted(result.cluster_names.tolist()) == list(range(10))
    assert result.confusion.shape == (10, 10) and result.confusion.sum() == 300
    np.testing.assert_array_equal(result.cluster_names[result.clusters], labels)


def test_name_clusters_majority_and_empty():
    # Three clusters over digits 0..2; the middle one is empty.
    confusion = np.array([[5, 0, 1], [3, 0, 4], [0, 0, 2]])
    names = clustering.name_clusters(confusion)
    assert names.tolist() == [0, -1, 1]


def test_random_labels_score_low(blobs):
    features, _ = blobs
    labels = np.random.default_rng(1).integers(0, 10, len(features))
    result = clustering.cluster_scores(features, labels, k=10, seed=0)
    assert result.ari < 0.1
    assert result.accuracy < 0.5
    # accuracy counts, per cluster, the majority label
    assert result.accuracy == pytest.approx(result.confusion.max(axis=0).sum() / len(labels))


def test_k_other_than_ten(blobs):
    features, labels = blobs
    result = clustering.cluster_scores(features, labels, k=4, seed=0)
    assert result.confusion.shape == (10, 4)
    assert result.clusters.max() < 4
    assert result.accuracy <= 0.4 + 1e-9  # 4 names can cover at most 4 of 10 equal classes


def test_deterministic(blobs):
    features, labels = blobs
    features = features + np.random.default_rng(5).normal(0, 15, features.shape)  # make it ambiguous
    a = clustering.cluster_scores(features, labels, seed=7)
    b = clustering.cluster_scores(features, labels, seed=7)
    np.testing.assert_array_equal(a.clusters, b.clusters)
    assert a.nmi == b.nmi


def test_examples_per_cluster(blobs):
    features, labels = blobs
    result = clustering.cluster_scores(features, labels, seed=0)
    examples = clustering.examples_per_cluster(result, n=5, seed=1)
    assert examples.shape == (10, 5)
    for c in range(10):
        assert (result.clusters[examples[c]] == c).all()
        assert len(set(examples[c].tolist())) == 5
    np.testing.assert_array_equal(examples, clustering.examples_per_cluster(result, n=5, seed=1))
    padded = clustering.examples_per_cluster(result, n=40, seed=1)
    assert (padded[:, 30:] == -1).all() and (padded[:, :30] >= 0).all()


def test_summary_json_and_pickle(blobs):
    features, labels = blobs
    result = clustering.cluster_scores(features, labels, seed=0)
    summary = json.loads(json.dumps(result.summary()))
    assert {"accuracy", "nmi", "ari"} <= set(summary)
    assert sum(summary["cluster_sizes"]) == 300
    assert pickle.loads(pickle.dumps(result)).accuracy == result.accuracy


def test_cluster_style_describes_each_cluster():
    from mnistreport.analysis.clustering import cluster_style

    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(10), 6).astype(np.uint8)
    images = np.zeros((60, 28, 28), np.uint8)
    for i, label in enumerate(labels):
        images[i, 4:24, 10 : 12 + label] = 255  # thicker strokes for larger digits
    features = labels[:, None].astype(float) + rng.normal(0, 0.01, (60, 1))
    result = clustering.cluster_scores(features, labels, k=10, seed=0)
    style = cluster_style(result, images, labels, seed=0)
    assert style.sizes.sum() == 60 and (style.purity == 1.0).all()
    order = np.argsort(result.cluster_names)
    assert np.all(np.diff(style.ink[order]) > 0)  # ink grows with the digit, as drawn
    assert np.allclose(style.digit_ink, 20 * (2 + np.arange(10)))
    assert style.examples.shape == (10, 5)
