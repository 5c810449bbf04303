"""Reading and fetching MNIST and QMNIST: IDX, npz and CSV files, checksums, downloads."""
