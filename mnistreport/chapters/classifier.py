"""Chapter 7, the classifier: the NumPy network, its mistakes, the CNN beside it, and drawing a digit."""

from __future__ import annotations

from mnistreport.render import browser_files as assets, charts as figures, tables
from mnistreport.analysis import cnn, comparison, mlp
from mnistreport.declare import Asset, Chapter, Figure, Step, Table
from mnistreport.chapters.tsne import MAIN_MAP

MLP = Step("classifier", "mlp",
           lambda i: mlp.run_mlp(i.data.train_images, i.data.train_labels, i.data.test_images, i.data.test_labels,
                                 i.config.mlp),
           config=("mlp",))
CNN = Step("CNN", "cnn",
           lambda i: cnn.run_cnn(i.data.train_images, i.data.train_labels, i.data.test_images, i.data.test_labels,
                                 i.config.cnn),
           config=("cnn",))
COMPARISON = Step("MLP and CNN compared", "comparison",
                  lambda i: comparison.compare(i.data.test_labels, i[MLP].predictions, i[CNN].predictions,
                                               "MLP", "CNN"),
                  uses=(MLP, CNN))

CHAPTER = Chapter(
    "classifier",
    steps=(MLP, CNN, COMPARISON),
    figures=(
        Figure("mlp-confusion", figures.mlp_confusion, (MLP,)),
        Figure("mlp-mistakes", figures.mlp_mistakes, (MLP,)),
        Figure("digit-{digit}-mistakes", figures.digit_mistakes, (MLP,)),
        Figure("cnn-confusion", figures.cnn_confusion, (CNN,)),
        Figure("only-mlp-wrong", figures.only_mlp_wrong, (COMPARISON, MLP, CNN)),
        Figure("only-cnn-wrong", figures.only_cnn_wrong, (COMPARISON, MLP, CNN)),
        Figure("both-wrong", figures.both_wrong, (COMPARISON, MLP, CNN)),
        Figure("digit-{digit}-both-wrong", figures.digit_both_wrong, (COMPARISON, MLP, CNN)),
    ),
    tables=(
        Table("mlp-per-digit", tables.mlp_per_digit),
        Table("digit-mistakes", tables.digit_mistakes),
        Table("classifiers", tables.classifiers),
        Table("classifiers-per-digit", tables.classifiers_per_digit),
        Table("disagreements", tables.disagreements),
        Table("digit-classifiers", tables.digit_classifiers),
    ),
    assets=(Asset("data/draw", assets.draw_data, (MLP, MAIN_MAP), config=("tsne", "sampling")),),
)
