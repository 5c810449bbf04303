"""The chapters' declarations, in build order: each module's ``CHAPTER`` lists its steps,
figures, tables and assets (see ``mnistreport/declare.py``).

To add a chapter: a module here with its ``CHAPTER``, one entry in ``CHAPTERS``, and one
Markdown file per language in ``content/<lang>/``. A step may use the steps of
chapters listed before its own.
"""

from __future__ import annotations

from mnistreport.declare import Chapter
from mnistreport.chapters import about, autoencoder, classifier, dataset, explore, first_look, grid, perplexity, tsne, writers

# Build order, not reading order: the writers chapter is read second (its Markdown's order:) but
# measures the classifiers and the explorer's map, so its steps run after theirs.
CHAPTERS: tuple[Chapter, ...] = tuple(
    module.CHAPTER for module in (dataset, first_look, tsne, perplexity, grid, autoencoder, classifier, explore,
                                  writers, about)
)
