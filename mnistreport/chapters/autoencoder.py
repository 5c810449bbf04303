"""Chapter 6, the autoencoder: its codes, k-means on them and two baselines, what the clusters gather."""

from __future__ import annotations

from mnistreport.analysis import autoencoder, clustering, describe as dataset, embedding
from mnistreport.render import charts as figures, tables
from mnistreport.declare import Chapter, Figure, Step, Table


def _kmeans(i, features) -> clustering.ClusterResult:
    k = i.config.kmeans
    return clustering.cluster_scores(features, i.data.train_labels, k=k.k, seed=k.seed, n_init=k.n_init)


def _pca_components(i) -> int:
    return min(i.config.kmeans.pca_components, len(i.data.train_labels))


AUTOENCODER = Step("autoencoder", "autoencoder",
                   lambda i: autoencoder.train_autoencoder(i.data.train_images, i.data.test_images,
                                                           i.data.test_labels, i.config.autoencoder),
                   config=("autoencoder",))
KMEANS_CODES = Step("k-means on codes", "kmeans_codes", lambda i: _kmeans(i, i[AUTOENCODER].codes_train),
                    config=("kmeans",), uses=(AUTOENCODER,))
KMEANS_PIXELS = Step("k-means on pixels", "kmeans_pixels",
                     lambda i: _kmeans(i, dataset.scale_pixels(i.data.train_images)),
                     config=("kmeans",))
KMEANS_PCA = Step("k-means on PCA", "kmeans_pca",
                  lambda i: _kmeans(i, embedding.pca(dataset.scale_pixels(i.data.train_images), _pca_components(i),
                                                     i.config.kmeans.seed).features),
                  config=("kmeans",))
CLUSTER_STYLE = Step("cluster styles", "cluster_style",
                     lambda i: clustering.cluster_style(i[KMEANS_CODES], i.data.train_images, i.data.train_labels,
                                                        i.config.kmeans.seed),
                     config=("kmeans",), uses=(KMEANS_CODES,))

CHAPTER = Chapter(
    "autoencoder",
    steps=(AUTOENCODER, KMEANS_CODES, KMEANS_PIXELS, KMEANS_PCA, CLUSTER_STYLE),
    figures=(
        Figure("loss-curves", figures.loss_curves, (AUTOENCODER,)),
        Figure("autoencoder-examples", figures.autoencoder_examples_of, (AUTOENCODER,), scale=3),
        Figure("cluster-confusion", figures.cluster_confusion, (KMEANS_CODES,)),
        Figure("cluster-examples", figures.cluster_examples, (CLUSTER_STYLE, KMEANS_CODES), scale=3),
    ),
    tables=(
        Table("clustering-scores", tables.clustering_scores),
        Table("clusters", tables.clusters),
        Table("digit-clusters", tables.digit_clusters),
    ),
)
