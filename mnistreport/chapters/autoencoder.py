"""The autoencoder chapter (``autoencoder``): its codes, k-means on them and two baselines, what the clusters gather."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mnistreport.analysis import clustering, describe, embedding
from mnistreport.analysis.autoencoder import AutoencoderParams, AutoencoderResult, train_autoencoder
from mnistreport.analysis.clustering import ClusterResult, ClusterStyle
from mnistreport.config import Kmeans
from mnistreport.engine.nodes import Chapter
from mnistreport.render import charts
from mnistreport.render.tables import TableWords
from mnistreport.sources.mnist import MnistData

autoencoder_chapter = Chapter("autoencoder")


def kmeans_of(features: np.ndarray, labels: np.ndarray, settings: Kmeans) -> ClusterResult:
    """k-means with the chapter's settings on ``features``, scored against ``labels``."""
    return clustering.cluster_scores(features, labels, k=settings.k, seed=settings.seed, n_init=settings.n_init)


def cluster_order(kmeans_codes: ClusterResult) -> np.ndarray:
    """Clusters sorted by the digit they are named after (the order of the chapter's table)."""
    return np.argsort(kmeans_codes.cluster_names, kind="stable")


@autoencoder_chapter.step
def autoencoder(data: MnistData, params: AutoencoderParams) -> AutoencoderResult:
    """The autoencoder trained on the training images (early stopping on a held-out part), tested on the test images."""
    return train_autoencoder(data.train_images, data.test_images, data.test_labels, params)


@autoencoder_chapter.step
def kmeans_codes(autoencoder: AutoencoderResult, data: MnistData, settings: Kmeans) -> ClusterResult:
    """k-means on the autoencoder's codes of the training images."""
    return kmeans_of(autoencoder.codes_train, data.train_labels, settings)


@autoencoder_chapter.step
def kmeans_pixels(data: MnistData, settings: Kmeans) -> ClusterResult:
    """The first baseline: k-means on the raw pixels."""
    return kmeans_of(describe.scale_pixels(data.train_images), data.train_labels, settings)


@autoencoder_chapter.step
def kmeans_pca(data: MnistData, settings: Kmeans) -> ClusterResult:
    """The second baseline: k-means on the pixels' PCA components."""
    features = embedding.pca(describe.scale_pixels(data.train_images), settings.pca_components, settings.seed).features
    return kmeans_of(features, data.train_labels, settings)


@autoencoder_chapter.step
def cluster_style(kmeans_codes: ClusterResult, data: MnistData, settings: Kmeans) -> ClusterStyle:
    """What each cluster of the codes holds: size, purity, mean ink and slant, five examples."""
    return clustering.cluster_style(kmeans_codes, data.train_images, data.train_labels, settings.seed)


@autoencoder_chapter.fact
def clusters(kmeans_codes: ClusterResult, kmeans_pixels: ClusterResult,
             kmeans_pca: ClusterResult) -> dict[str, ClusterResult]:
    """k-means on the autoencoder codes and its two baselines, in the order the pages list them."""
    return {"codes": kmeans_codes, "pixels": kmeans_pixels, "pca": kmeans_pca}


@autoencoder_chapter.figure("loss-curves")
def loss_curves(autoencoder: AutoencoderResult, words: charts.ChartWords):
    return charts.loss_curves_chart(autoencoder.loss, autoencoder.val_loss, autoencoder.test_loss, words)


@autoencoder_chapter.figure("autoencoder-examples", scale=3)
def autoencoder_examples(autoencoder: AutoencoderResult, data: MnistData) -> np.ndarray:
    ae = autoencoder
    return charts.autoencoder_examples(data.test_images[ae.example_indices], ae.example_codes,
                                       ae.example_reconstructions)


@autoencoder_chapter.figure("cluster-confusion")
def cluster_confusion(kmeans_codes: ClusterResult, words: charts.ChartWords):
    """True digit against cluster, each cluster's column labelled 'cluster→its digit'."""
    order = cluster_order(kmeans_codes)
    ticks = [f"{c}→{kmeans_codes.cluster_names[c]}" for c in order]
    return charts.count_heatmap(kmeans_codes.confusion[:, order], words["true"], words["cluster"], ticks)


@autoencoder_chapter.figure("cluster-examples", scale=3)
def cluster_examples(cluster_style: ClusterStyle, kmeans_codes: ClusterResult, data: MnistData) -> np.ndarray:
    """One row per cluster (in the table's order) of its example images, tinted by true digit; blanks stay white."""
    examples = cluster_style.examples[cluster_order(kmeans_codes)]
    cells = np.ones((examples.size, 28, 28, 3), np.float32)
    valid = examples.ravel() >= 0
    chosen = examples.ravel()[valid]
    cells[valid] = charts.tint(data.train_images[chosen], data.train_labels[chosen])
    return charts.tile(cells, examples.shape[0], examples.shape[1], gap=2)


@autoencoder_chapter.table("clustering-scores")
def clustering_scores(clusters: dict[str, ClusterResult], params: AutoencoderParams, settings: Kmeans,
                      words: TableWords) -> pd.DataFrame:
    """k-means on the codes beside the two baselines."""
    w = words
    names = {"codes": w["codes"].format(d=params.code_size), "pixels": w["pixels"],
             "pca": w["pca"].format(d=settings.pca_components)}
    rows = [[names[key], f"{c.accuracy:.3f}", f"{c.nmi:.3f}", f"{c.ari:.3f}", f"{c.seconds:.1f}"]
            for key, c in clusters.items()]
    return pd.DataFrame(rows, columns=[w["features"], w["accuracy"], w["nmi"], w["ari"], w["seconds"]])


@autoencoder_chapter.table("clusters")
def clusters_table(kmeans_codes: ClusterResult, cluster_style: ClusterStyle, words: TableWords) -> pd.DataFrame:
    """Every cluster of the codes: its name, size, purity, ink and slant."""
    codes, style, w = kmeans_codes, cluster_style, words
    rows = []
    for c in cluster_order(codes):
        name = int(codes.cluster_names[c])
        rows.append([str(c), str(name), f"{style.sizes[c]:,}", f"{style.purity[c]:.1%}",
                     f"{style.ink[c]:.0f} ({style.digit_ink[name]:.0f})",
                     f"{style.slant[c]:+.2f} ({style.digit_slant[name]:+.2f})"])
    return pd.DataFrame(rows, columns=[w["cluster"], w["named"], w["images"], w["purity"], w["ink"], w["slant"]])


@autoencoder_chapter.table("digit-clusters")
def digit_clusters(kmeans_codes: ClusterResult, words: TableWords, digit: int) -> pd.DataFrame:
    """Which clusters of the autoencoder codes this digit's training images fall into (the digit pages)."""
    codes = kmeans_codes
    row = codes.confusion[digit]
    total = max(int(row.sum()), 1)
    rows = [[str(c), str(int(codes.cluster_names[c])), f"{row[c]:,}", f"{row[c] / total:.1%}"]
            for c in np.argsort(-row, kind="stable") if row[c]]
    return pd.DataFrame(rows, columns=[words["cluster"], words["named"], words["images"], words["share"]])


@autoencoder_chapter.summary
def summary(autoencoder: AutoencoderResult, kmeans_codes: ClusterResult, kmeans_pixels: ClusterResult,
            kmeans_pca: ClusterResult) -> dict:
    return {"autoencoder": dict(autoencoder.summary(), kmeans=kmeans_codes.summary(),
                                baselines={"pixels": kmeans_pixels.summary(), "pca": kmeans_pca.summary()})}
