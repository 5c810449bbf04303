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


#: The sweep's measures, each better when larger, in the order the page names them, with the decimals the
#: table shows them with (``map_row``): values equal there are ties in the text too.
MEASURES = {"trustworthiness": 3, "knn_accuracy": 3, "separation": 2}


@perplexity_chapter.fact
def perplexity_findings(perplexity_sweep: PerplexitySweep, tsne_settings: Tsne) -> dict:
    """What the sweep's table says, for the text: per measure the best and worst perplexities (every one tied
    for it at the table's precision) with their values, and the rank of the report's default perplexity (the tsne section's, 1 = best,
    None when it is not swept); ``verdict``: is the default best on "all", "some" or "none" of the measures
    ("absent": not swept), with ``default_best`` those it is best on; the perplexities at or above a class's
    size in the sample (n / 10), and the range of t-SNE times (the time column is not a finding). A perplexity
    appears once in each list (openTSNE lowers one above (n - 1) / 3 to that, so two settings can share it)."""
    maps = perplexity_sweep.maps
    n = maps[0].n
    default = float(tsne_settings.perplexity)
    swept = [float(m.perplexity) for m in maps]
    measures: dict[str, dict] = {}
    for measure in MEASURES:
        values = [round(float(getattr(m, measure)), MEASURES[measure]) for m in maps]
        high, low = max(values), min(values)
        rank = None
        if default in swept:
            mine = values[swept.index(default)]
            rank = 1 + sum(v > mine for v in values)
        measures[measure] = {
            "best": _unique(p for p, v in zip(swept, values) if v == high), "best_value": high,
            "worst": _unique(p for p, v in zip(swept, values) if v == low), "worst_value": low,
            "default_rank": rank,
        }
    best_on = [m for m in MEASURES if measures[m]["default_rank"] == 1]
    if default not in swept:
        verdict = "absent"
    else:
        verdict = "all" if len(best_on) == len(MEASURES) else "some" if best_on else "none"
    seconds = [float(m.seconds) for m in maps]
    return {
        "n": n, "count": len(maps), "default": default, "measures": measures,
        "verdict": verdict, "default_best": best_on,
        "class_size": n / 10, "above_class": _unique(p for p in swept if p >= n / 10),
        "seconds_min": min(seconds), "seconds_max": max(seconds),
    }


def _unique(values) -> list[float]:
    """``values`` in order, each once."""
    return list(dict.fromkeys(values))
