"""Chapter 4, perplexity: the same digits embedded at nine perplexities."""

from __future__ import annotations

from mnistreport.analysis import embedding, sample_maps as maps
from mnistreport.render import charts as figures, tables
from mnistreport.declare import Chapter, Figure, Step, Table


def _sweep(i) -> maps.PerplexitySweep:
    tsne, labels = i.config.tsne, i.data.train_labels
    indices = embedding.sample_indices(labels, min(i.config.perplexity.n, len(labels)), tsne.seed)
    found = embedding.perplexity_sweep(i.data.train_images[indices], labels[indices], i.config.perplexity.values,
                                       pca_components=min(tsne.pca_components, len(indices)), seed=tsne.seed,
                                       n_jobs=i.jobs)
    return maps.PerplexitySweep(indices=indices, maps=found)


SWEEP = Step("perplexity sweep", "perplexity_sweep", _sweep, config=("perplexity", "tsne"))

CHAPTER = Chapter(
    "perplexity",
    steps=(SWEEP,),
    figures=(Figure("perplexity-panel", figures.perplexity_panel, (SWEEP,)),),
    tables=(Table("perplexity", tables.perplexity),),
)
