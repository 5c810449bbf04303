"""The explorer: all 70,000 digits on one t-SNE map, with both classifiers' predictions."""

from __future__ import annotations

import dataclasses

import numpy as np

from .. import assets, cnn, embedding, mlp
from ..declare import Asset, Chapter, Step
from .classifier import CNN, MLP


def _all_map(i) -> embedding.MapResult:
    e = i.config.explore
    images = np.concatenate([i.data.train_images, i.data.test_images])
    labels = np.concatenate([i.data.train_labels, i.data.test_labels])
    schedule = embedding.TsneSchedule(early_iter=e.early_iterations, main_iter=e.iterations, neighbours="annoy")
    return embedding.embed_digits(images, labels, pca_components=min(e.pca_components, len(labels)),
                                  perplexity=e.perplexity, seed=e.seed, n_jobs=i.jobs, schedule=schedule)


def _all_predictions(i) -> dict[str, np.ndarray]:
    images = np.concatenate([i.data.train_images, i.data.test_images])
    return {"mlp": mlp.predict(i[MLP].weights, images),
            "cnn": cnn.predict_scores(i[CNN], images).argmax(axis=1).astype(np.uint8)}


ALL_MAP = Step("t-SNE map of all digits", "all_map", _all_map, modules=(embedding,),
               params=lambda config: dataclasses.asdict(config.explore))
ALL_PREDICTIONS = Step("classifiers on all digits", "all_predictions", _all_predictions, modules=(mlp, cnn),
                       uses=(MLP, CNN))

CHAPTER = Chapter(
    "explore",
    steps=(ALL_MAP, ALL_PREDICTIONS),
    assets=(
        Asset("data/explore", assets.explorer_data, (ALL_MAP, ALL_PREDICTIONS)),
        Asset("data", assets.all_digits_table, (ALL_MAP, ALL_PREDICTIONS)),
    ),
)
