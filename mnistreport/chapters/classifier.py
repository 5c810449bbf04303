"""Chapter 7, the classifier: the NumPy network, its accuracy and its mistakes."""

from __future__ import annotations

import dataclasses

from .. import figures, mlp, tables
from ..declare import Chapter, Figure, Step, Table

MLP = Step("classifier", "mlp",
           lambda i: mlp.run_mlp(i.data.train_images, i.data.train_labels, i.data.test_images, i.data.test_labels,
                                 i.config.mlp),
           params=lambda config: dataclasses.asdict(config.mlp), modules=(mlp,))

CHAPTER = Chapter(
    "classifier",
    steps=(MLP,),
    figures=(
        Figure("mlp-confusion", figures.mlp_confusion, (MLP,)),
        Figure("mlp-mistakes", figures.mlp_mistakes, (MLP,)),
        Figure("digit-{digit}-mistakes", figures.digit_mistakes, (MLP,)),
    ),
    tables=(Table("mlp-per-digit", tables.mlp_per_digit), Table("digit-mistakes", tables.digit_mistakes)),
)
