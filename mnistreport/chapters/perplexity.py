"""The perplexity chapter (``perplexity``): the same digits embedded at nine perplexities."""

from __future__ import annotations

import pandas as pd

from mnistreport.analysis import embedding
from mnistreport.analysis.sample_maps import PerplexitySweep
from mnistreport.config import Perplexity, Tsne
from mnistreport.engine.nodes import Chapter
from mnistreport.render import charts
from mnistreport.render.tables import TableWords, map_columns, map_row
from mnistreport.sources.mnist import MnistData

perplexity_chapter = Chapter("perplexity")


@perplexity_chapter.step
def perplexity_sweep(data: MnistData, settings: Perplexity, tsne_settings: Tsne, jobs: int) -> PerplexitySweep:
    """Up to ``n`` training digits, PCA once, then one t-SNE map per perplexity (all with the same seed)."""
    labels = data.train_labels
    indices = embedding.sample_indices(labels, min(settings.n, len(labels)), tsne_settings.seed)
    found = embedding.perplexity_sweep(data.train_images[indices], labels[indices], settings.values,
                                       pca_components=tsne_settings.pca_components,
                                       seed=tsne_settings.seed, n_jobs=jobs)
    return PerplexitySweep(indices=indices, maps=found)


@perplexity_chapter.figure("perplexity-panel")
def perplexity_panel(perplexity_sweep: PerplexitySweep, data: MnistData, words: charts.ChartWords):
    return charts.perplexity_panel_chart(perplexity_sweep.maps, data.train_labels[perplexity_sweep.indices], words)


@perplexity_chapter.table("perplexity")
def perplexity_table(perplexity_sweep: PerplexitySweep, words: TableWords) -> pd.DataFrame:
    """The measured quality of the map at each perplexity."""
    rows = [[f"{m.perplexity:g}"] + map_row(m)[1:] for m in perplexity_sweep.maps]
    return pd.DataFrame(rows, columns=[words["perplexity"]] + map_columns(words)[1:])


@perplexity_chapter.summary
def summary(perplexity_sweep: PerplexitySweep) -> dict:
    return {"perplexity_sweep": [m.summary() for m in perplexity_sweep.maps]}
