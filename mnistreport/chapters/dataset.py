"""The dataset chapter (``dataset``): label counts, the IDX headers, memory, the first image, the files read."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mnistreport.analysis import describe
from mnistreport.engine.nodes import Chapter
from mnistreport.render import charts
from mnistreport.render.formats import share
from mnistreport.render.tables import TableWords
from mnistreport.sources.mnist import IdxHeader, MnistData

dataset = Chapter("dataset")


@dataset.step
def train_counts(data: MnistData) -> list[int]:
    return describe.label_counts(data.train_labels)


@dataset.step
def test_counts(data: MnistData) -> list[int]:
    return describe.label_counts(data.test_labels)


@dataset.step
def memory(data: MnistData) -> describe.MemoryFootprint:
    return describe.memory_footprint(*data.arrays())


@dataset.fact
def n_train(data: MnistData) -> int:
    return len(data.train_labels)


@dataset.fact
def n_test(data: MnistData) -> int:
    return len(data.test_labels)


@dataset.fact
def ranked_digits(train_counts: list[int]) -> list[int]:
    """Digits from the most to the least common in the training set."""
    return sorted(range(10), key=train_counts.__getitem__, reverse=True)  # stable: equal counts, smaller digit first


@dataset.fact
def headers(data: MnistData) -> dict[str, IdxHeader]:
    """The IDX header of each file read, by the start of its name ("train-images", "t10k-labels", ...)."""
    found: dict[str, IdxHeader] = {}
    for name, header in sorted(data.headers.items()):
        found.setdefault("-".join(name.split("-")[:2]), header)
    return found


@dataset.figure("first-image", scale=10)
def first_image(data: MnistData) -> np.ndarray:
    return charts.first_image(data.train_images[0])


@dataset.figure("label-distribution")
def label_distribution(train_counts: list[int], test_counts: list[int], words: charts.ChartWords):
    return charts.label_distribution_chart(train_counts, test_counts, words)


@dataset.table("label-counts")
def label_counts(train_counts: list[int], test_counts: list[int], words: TableWords) -> pd.DataFrame:
    """Count and share of every digit in the training and test sets, with totals."""
    w, train, test = words, train_counts, test_counts
    rows = [[str(d), f"{train[d]:,}", share(train[d], sum(train)), f"{test[d]:,}", share(test[d], sum(test))]
            for d in range(10)]
    rows.append([w["total"], f"{sum(train):,}", "100.00 %", f"{sum(test):,}", "100.00 %"])
    columns = [w["digit"], f"{w['train']} {w['count']}", f"{w['train']} {w['share']}", f"{w['test']} {w['count']}",
               f"{w['test']} {w['share']}"]
    return pd.DataFrame(rows, columns=columns)


@dataset.table("idx-header")
def idx_header(data: MnistData, words: TableWords, *, file: str) -> pd.DataFrame:
    """The header bytes of one IDX file as the build read them, with their meaning."""
    header = data.headers[file]
    raw = header.raw
    rows = [["0-3", raw[0:4].hex(" "), f"0x{header.magic:08X}", words["magic"]]]
    for i, size in enumerate(header.shape):
        start = 4 + 4 * i
        rows.append([f"{start}-{start + 3}", raw[start : start + 4].hex(" "), f"{size:,}", words["dim"].format(i=i)])
    return pd.DataFrame(rows, columns=[words["offset"], words["hex"], words["value"], words["meaning"]])


@dataset.table("memory")
def memory_table(memory: describe.MemoryFootprint, words: TableWords) -> pd.DataFrame:
    """The measured memory cost of the same data in three forms."""
    forms = [(words["uint8"], memory.uint8_bytes), (words["csv"], memory.csv_bytes),
             (words["pandas"].format(dtypes=", ".join(memory.pandas_dtypes)), memory.pandas_bytes)]
    rows = [[name, f"{size:,}", f"{size / 2**20:,.1f}"] for name, size in forms]
    return pd.DataFrame(rows, columns=[words["form"], words["bytes"], words["mib"]])


@dataset.table("checksums")
def checksums(data: MnistData, words: TableWords) -> pd.DataFrame:
    """Every data file the build read, with the SHA-256 of its decompressed bytes."""
    rows = [[f.name, f"{f.size:,}", f.sha256] for f in data.files]
    return pd.DataFrame(rows, columns=[words["file"], words["size"], words["sha256"]])


@dataset.table("digit-counts")
def digit_counts(train_counts: list[int], test_counts: list[int], words: TableWords, digit: int) -> pd.DataFrame:
    """One digit's count and share in each set (the digit pages)."""
    rows = [[name, f"{counts[digit]:,}", share(counts[digit], sum(counts))]
            for name, counts in ((words["train"], train_counts), (words["test"], test_counts))]
    return pd.DataFrame(rows, columns=[words["set"], words["count"], words["share"]])


@dataset.summary
def summary(data: MnistData, train_counts: list[int], test_counts: list[int],
            memory: describe.MemoryFootprint) -> dict:
    return {
        "data": {"source": data.source, "origin": data.origin, "checksum": data.checksum,
                 "train_counts": train_counts, "test_counts": test_counts,
                 "files": [{"name": f.name, "sha256": f.sha256, "bytes": f.size} for f in data.files]},
        "memory": memory.summary(),
    }
