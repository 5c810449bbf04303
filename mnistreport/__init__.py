"""mnistreport: builds a bilingual static website that explains MNIST.

The layers, lowest first (``tests/test_layers.py`` checks that imports only go down):
``errors`` · ``sources/`` (MNIST, QMNIST) · ``analysis/`` (the numerics) · ``config`` ·
``engine/`` (nodes, graph, keys, store, run) · ``render/`` (pictures, charts, tables, browser
data) · ``chapters/`` (one module per chapter: its nodes) · ``website/`` (content, pages, links,
publish, search, preview) · ``report`` (the build) · ``cli`` (the command line).
"""

__version__ = "0.1.0"
