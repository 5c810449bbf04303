"""The chapters' figures and assets, written into the site through the store.

Each output file has its own key (``engine.run.node_key``): the node's code and
libraries, with the saving code of ``render/charts.py``; the keys of the steps it is
drawn from; the settings it reads; and what tells its files apart (the digit, the
language's chart words, the scale). So a Markdown edit reuses every file and a new
parameter redraws only what depends on it. Figures that must be drawn are drawn in
worker processes, ``jobs`` at a time (forked, so they read the computed values
without copying them), each in a fresh matplotlib style.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import multiprocessing
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from PIL import Image

from mnistreport.engine.nodes import DIGITS, Node
from mnistreport.engine.run import Computed, call, node_fingerprint, node_key
from mnistreport.engine.keys import fingerprint, key
from mnistreport.engine.store import Store
from mnistreport.render import charts

FIGURE_DIR = "figures"
SAVING_CODE = ("mnistreport.render.charts",)  # the code that turns what a figure function returns into bytes
#: Widths of the smaller copies a large figure gets (``<name>-<width>w.png``), for ``srcset``:
#: about one and two times a phone's column.
VARIANT_WIDTHS = (400, 800)


@dataclass(frozen=True)
class FigureFile:
    """A written figure: its path relative to the site root, its pixel size, and its smaller copies."""

    path: str
    width: int
    height: int
    bytes: int
    variants: tuple[tuple[str, int, int], ...] = ()  # (path, width, height), narrowest first


@dataclass(frozen=True)
class Output:
    """One PNG of a figure: where it goes, its key, how it is saved and the names pages know it by."""

    relative: str
    key: str
    options: dict[str, Any]
    name: str  # the name pages ask for (``digit-3-map``, ``grid-full``)
    langs: tuple[str, ...]
    variants: bool = True


@dataclass(frozen=True)
class Drawing:
    """One call of a figure function (for one digit, one language) and the files it is saved to."""

    node: Node
    given: dict[str, Any]  # digit, words
    outputs: tuple[Output, ...]


@dataclass
class Written:
    """What the writing produced: every figure by (language, name), and how many files came from the store."""

    figures: dict[tuple[str, str], FigureFile] = field(default_factory=dict)
    hits: int = 0
    files: int = 0


def drawings(computed: Computed, words: Mapping[str, Mapping[str, Any]], langs: tuple[str, ...]) -> list[Drawing]:
    """Every figure file the chapters declare, per digit and per language as each declares."""
    found = []
    for node in computed.graph.of_kind("figure"):
        if node in computed.skipped:
            continue
        for digit in (DIGITS if node.per_digit else (None,)):
            name = node.name.format(digit=digit) if digit is not None else node.name
            given: dict[str, Any] = {} if digit is None else {"digit": digit}
            if node.per_language:
                for lang in langs:
                    chart_words = dict(words[lang]["chart"])
                    relative = f"{FIGURE_DIR}/{lang}/{name}.png"
                    output = Output(relative, node_key(node, computed, [digit, lang, chart_words], SAVING_CODE),
                                    {}, name, (lang,))
                    found.append(Drawing(node, dict(given, words=chart_words), (output,)))
            elif node.preview:
                full = Output(f"{FIGURE_DIR}/{name}-full.png", node_key(node, computed, [digit, "full"], SAVING_CODE),
                              {"palette": True}, f"{name}-full", langs, variants=False)
                small = Output(f"{FIGURE_DIR}/{name}.png",
                               node_key(node, computed, [digit, "preview", node.preview], SAVING_CODE),
                               {"shrink": node.preview, "palette": True}, name, langs)
                found.append(Drawing(node, given, (full, small)))
            else:
                output = Output(f"{FIGURE_DIR}/{name}.png", node_key(node, computed, [digit, node.scale], SAVING_CODE),
                                {"scale": node.scale}, name, langs)
                found.append(Drawing(node, given, (output,)))
    return found


# The work of the forked drawing processes: set before the pool starts, read by _draw_in_worker.
_WORK: tuple[Computed, list[tuple[Drawing, list[Path]]]] | None = None


def _draw(computed: Computed, drawing: Drawing, paths: list[Path]) -> float:
    started = time.perf_counter()
    charts.draw_and_save(lambda: call(drawing.node, computed, **drawing.given),
                         [(path, output.options) for path, output in zip(paths, drawing.outputs)])
    return time.perf_counter() - started


def _draw_in_worker(index: int) -> float:
    assert _WORK is not None
    computed, work = _WORK
    drawing, paths = work[index]
    return _draw(computed, drawing, paths)


def draw_missing(computed: Computed, store: Store, todo: list[Drawing], jobs: int) -> None:
    """Draw every figure in ``todo`` into the store: in ``jobs`` forked processes when there are several."""
    global _WORK
    work = [(drawing, [store.temporary(o.key, "file") for o in drawing.outputs]) for drawing in todo]
    if jobs > 1 and len(work) > 1:
        _WORK = (computed, work)
        try:
            context = multiprocessing.get_context("fork")
            with concurrent.futures.ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
                seconds = list(pool.map(_draw_in_worker, range(len(work))))
        finally:
            _WORK = None
    else:
        seconds = [_draw(computed, drawing, paths) for drawing, paths in work]
    for (drawing, paths), took in zip(work, seconds):
        libraries = node_fingerprint(drawing.node, SAVING_CODE).libraries
        for output, path in zip(drawing.outputs, paths):
            store.adopt(output.key, "file", None, took / len(paths), libraries, made=path)


_VARIANT_CODE = fingerprint(charts.shrink_png, "figure variants")


def _variants(site_dir: Path, relative: str, width: int, store: Store, written: Written) -> tuple[tuple[str, int, int], ...]:
    """Smaller copies of a written figure at the VARIANT_WIDTHS well below its own, keyed on its bytes."""
    target = site_dir / relative
    digest = hashlib.sha256(target.read_bytes()).hexdigest()
    made = []
    for small in VARIANT_WIDTHS:
        if small * 1.25 > width:
            continue
        variant = f"{relative.removesuffix('.png')}-{small}w.png"
        variant_key = key(f"figure variant {variant}", png=digest, width=small, code=_VARIANT_CODE.code,
                          libraries=_VARIANT_CODE.libraries)
        entry = store.get_or_make(variant_key, "file", lambda path, w=small: charts.shrink_png(target, path, w),
                                  libraries=_VARIANT_CODE.libraries)
        _copy(entry.path, site_dir / variant, entry.hit, written)
        with Image.open(site_dir / variant) as image:
            made.append((variant, image.width, image.height))
    return tuple(made)


def _copy(source: Path, target: Path, hit: bool, written: Written) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    written.hits += hit
    written.files += 1


def write_figures(computed: Computed, site_dir: Path, store: Store, words: Mapping[str, Mapping[str, Any]],
                  langs: tuple[str, ...], jobs: int, written: Written) -> None:
    """Every declared figure into ``site_dir/figures``, from the store or drawn now."""
    planned = drawings(computed, words, langs)
    found = {o.key: store.lookup(o.key, "file") for d in planned for o in d.outputs}
    todo = [d for d in planned if any(found[o.key] is None for o in d.outputs)]
    draw_missing(computed, store, todo, jobs)
    for drawing in planned:
        for output in drawing.outputs:
            entry = found[output.key] or store.lookup(output.key, "file")
            assert entry is not None, output.relative
            _copy(entry.path, site_dir / output.relative, found[output.key] is not None, written)
            with Image.open(site_dir / output.relative) as image:
                width, height = image.size
            variants = _variants(site_dir, output.relative, width, store, written) if output.variants else ()
            info = FigureFile(output.relative, width, height, (site_dir / output.relative).stat().st_size, variants)
            for lang in output.langs:
                written.figures[(lang, output.name)] = info


def write_assets(computed: Computed, site_dir: Path, store: Store, written: Written) -> None:
    """Every declared asset folder into the site, from the store or written now."""
    for node in computed.graph.of_kind("asset"):
        if node in computed.skipped:
            continue
        entry = store.get_or_make(node_key(node, computed), "folder",
                                  lambda folder, n=node: call(n, computed, folder=folder),
                                  libraries=node_fingerprint(node).libraries)
        shutil.copytree(entry.path, site_dir / node.name, dirs_exist_ok=True)
        written.hits += entry.hit
        written.files += 1


def write_outputs(computed: Computed, site_dir: Path, store: Store, words: Mapping[str, Mapping[str, Any]],
                  langs: tuple[str, ...], jobs: int = 1) -> Written:
    """Figures and assets of every chapter into ``site_dir``."""
    written = Written()
    write_figures(computed, site_dir, store, words, langs, jobs, written)
    write_assets(computed, site_dir, store, written)
    return written
