"""The build engine: nodes, their keys, the store, the run. Knows nothing of MNIST or HTML."""
