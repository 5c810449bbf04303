"""mnistreport: builds a bilingual static website that explains MNIST.

The build reads everything first (data, then every analysis), then renders the
whole site in one pass. See ``mnistreport.pipeline`` for the order of steps.
"""

__version__ = "0.1.0"
