"""Tests for mnistreport.analysis.embedding on tiny synthetic data (Gaussian blobs, fake digits)."""

from __future__ import annotations

import json
import pickle

import numpy as np
import pytest

from mnistreport.analysis import embedding as emb
from mnistreport.analysis.embedding import MapResult, embed_digits, pca, perplexity_sweep, sample_indices, separation_ratio, tsne_map


def _blobs(spread: float, n_per: int = 50, dims: int = 20, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Three Gaussian blobs in ``dims`` dimensions; centres 10 apart, standard deviation ``spread``."""
    rng = np.random.default_rng(seed)
    centres = 10.0 * np.eye(3, dims)
    labels = np.repeat(np.arange(3), n_per)
    points = centres[labels] + spread * rng.standard_normal((len(labels), dims))
    return points.astype(np.float32), labels


def _fake_digits(n: int = 120, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """uint8 'images' of 3 classes: a bright bar in a class-specific row, plus noise."""
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % 3
    images = rng.integers(0, 40, size=(n, 28, 28)).astype(np.uint8)
    for k in range(3):
        images[labels == k, 5 + 8 * k: 9 + 8 * k, :] = 230
    return images, labels


@pytest.fixture(scope="module")
def separated_map() -> MapResult:
    points, labels = _blobs(spread=1.0)
    return tsne_map(points, labels, perplexity=30.0, seed=0, n_jobs=1)


def test_pca_shape_and_variance() -> None:
    points, _ = _blobs(spread=1.0)
    result = pca(points, n_components=5, seed=0)
    # the kept mean and components reproduce the features (the drawing page projects with them)
    np.testing.assert_allclose((points - result.mean) @ result.components.T, result.features, atol=1e-4)
    assert result.features.shape == (150, 5)
    assert result.features.dtype == np.float32
    ratios = result.explained_variance_ratio
    assert ratios.shape == (5,)
    assert np.all(np.diff(ratios) <= 1e-12) and 0 < ratios.sum() <= 1
    # two blob directions carry most of the variance
    assert ratios[:2].sum() > 0.7  # about 0.79: blob spread vs 20 noise dimensions
    np.testing.assert_array_equal(pca(points, 5, seed=0).features, result.features)
    assert result.summary()["n_components"] == 5


def test_sample_indices() -> None:
    labels = np.arange(1000) % 10
    a = sample_indices(labels, 250, seed=3)
    assert len(a) == 250 and len(np.unique(a)) == 250
    assert a.min() >= 0 and a.max() < 1000
    np.testing.assert_array_equal(a, sample_indices(labels, 250, seed=3))
    assert not np.array_equal(a, sample_indices(labels, 250, seed=4))
    assert not np.all(np.diff(a) > 0)  # draw order, not sorted
    with pytest.raises(ValueError):
        sample_indices(labels, 1001, seed=0)


def test_map_is_scaled_and_good(separated_map: MapResult) -> None:
    coords = separated_map.coords
    assert coords.shape == (150, 2) and coords.dtype == np.float32
    assert coords.min() >= 0.0 and coords.max() <= 1.0
    # per-axis min-max: both axes span the full [0, 1]
    np.testing.assert_allclose(coords.min(axis=0), 0.0, atol=1e-6)
    np.testing.assert_allclose(coords.max(axis=0), 1.0, atol=1e-6)
    assert separated_map.knn_accuracy > 0.95
    assert separated_map.trustworthiness > 0.85
    assert separated_map.separation > 2.0
    assert separated_map.n == 150 and separated_map.trust_points == 150
    assert separated_map.seconds > 0
    assert "openTSNE" in separated_map.method


def test_same_seed_same_map(separated_map: MapResult) -> None:
    points, labels = _blobs(spread=1.0)
    again = tsne_map(points, labels, perplexity=30.0, seed=0, n_jobs=1)
    np.testing.assert_array_equal(again.coords, separated_map.coords)
    assert again.trustworthiness == separated_map.trustworthiness


def test_separation_larger_for_separated_blobs(separated_map: MapResult) -> None:
    points, labels = _blobs(spread=12.0)
    overlapping = tsne_map(points, labels, perplexity=30.0, seed=0, n_jobs=1)
    assert separated_map.separation > overlapping.separation
    assert separated_map.knn_accuracy > overlapping.knn_accuracy


def test_separation_ratio_by_hand() -> None:
    # two classes at x = 0 (two points) and x = 1 (one point):
    # within-class pairs (0,1),(1,0) at distance 0.5; between-class distances 1 and 0.5
    coords = np.array([[0.0, 0.0], [0.5, 0.0], [1.0, 0.0]])
    labels = np.array([0, 0, 1])
    assert separation_ratio(coords, labels, chunk=2) == pytest.approx(0.75 / 0.5)
    assert np.isnan(separation_ratio(coords, np.zeros(3)))


def test_embed_digits_with_and_without_pca() -> None:
    images, labels = _fake_digits()
    with_pca = embed_digits(images, labels, pca_components=10, perplexity=20.0, seed=1, n_jobs=1)
    raw = embed_digits(images, labels, pca_components=None, perplexity=20.0, seed=1, n_jobs=1)
    for result in (with_pca, raw):
        assert result.coords.shape == (120, 2)
        assert result.knn_accuracy > 0.9
    assert with_pca.method.startswith("PCA 10 ->")
    assert raw.method.startswith("raw pixels ->")


def test_trustworthiness_subsample_for_large_maps(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(emb, "TRUST_MAX_POINTS", 60)
    points, labels = _blobs(spread=1.0, n_per=40)
    features, coords = points, points[:, :2]
    trust, knn, sep, used = emb.map_quality(features, coords, labels, seed=0)
    assert used == 60
    assert 0.0 <= trust <= 1.0 and knn > 0.9 and sep > 1.0


def test_a_perplexity_too_large_for_the_data_is_lowered_by_opentsne_and_recorded() -> None:
    images, labels = _fake_digits(n=40)
    result = perplexity_sweep(images, labels, perplexities=(50,), pca_components=8, seed=0, n_jobs=1)[0]
    assert result.perplexity < 50 and result.perplexity <= (40 - 1) / 3
    assert f"perplexity {result.perplexity:g}" in result.method and result.gradient == "bh"


def test_perplexity_sweep_and_summary() -> None:
    images, labels = _fake_digits(n=90)
    results = perplexity_sweep(images, labels, perplexities=(5, 15), pca_components=8, seed=0, n_jobs=1)
    assert [r.perplexity for r in results] == [5.0, 15.0]
    summary = results[0].summary()
    assert set(summary) == {"n", "perplexity", "trustworthiness", "knn_accuracy", "separation", "seconds", "method"}
    assert json.loads(json.dumps(summary)) == summary
    assert all(type(v) in (int, float) for k, v in summary.items() if k != "method")
    again = pickle.loads(pickle.dumps(results[1]))
    np.testing.assert_array_equal(again.coords, results[1].coords)


def test_neighbour_class_pairs_finds_the_classes_that_touch():
    from mnistreport.analysis.embedding import neighbour_class_pairs

    rng = np.random.default_rng(0)
    centres = {0: (0.0, 0.0), 1: (0.3, 0.0), 2: (5.0, 5.0)}  # 0 and 1 overlap, 2 far away
    labels = np.repeat([0, 1, 2], 50)
    coords = np.array([centres[c] for c in labels]) + rng.normal(0, 0.2, (150, 2))
    pairs = neighbour_class_pairs(coords, labels, k=10, top=3)
    assert pairs[0][:2] == (0, 1) and pairs[0][2] > 0.9
    assert abs(sum(share for _, _, share in pairs) - 1.0) < 1e-9
