"""Writing the declared figures and assets into the site, through the cache.

A figure or asset is keyed on the cache keys of the steps it is drawn from,
the code that draws it and, for a chart with words, those words; so a
Markdown edit reuses every file, and a new parameter redraws only what depends
on it.
"""

from __future__ import annotations

import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping

import numpy as np
from PIL import Image

from . import figures, style
from .cache import Cache, cache_key, code_fingerprint
from .declare import DIGITS, Asset, Figure
from .results import Results

FIGURE_DIR = "figures"


@dataclass(frozen=True)
class FigureFile:
    """A written figure: its path relative to the site root and its pixel size."""

    path: str
    width: int
    height: int
    bytes: int


def _save(drawn: Any, path: Path, scale: int = 1, shrink: int = 1, palette: bool = False) -> tuple[int, int]:
    """Write what a draw function returned: pixels (an array) or a matplotlib figure."""
    if isinstance(drawn, np.ndarray):
        return figures.save_pixels(drawn, path, scale=scale, shrink=shrink, palette=palette)
    return figures.save_chart(drawn, path)


class OutputWriter:
    """Writes figures under ``site_dir/figures`` and assets under their folders, reusing cached files."""

    def __init__(self, site_dir: Path, cache: Cache, results: Results, words: Mapping[str, Mapping[str, Any]],
                 langs: tuple[str, ...]) -> None:
        self.site_dir, self.cache, self.results, self.words, self.langs = site_dir, cache, results, words, langs
        self.step_keys = {record.name: record.key for record in results.steps}
        self.figures: dict[tuple[str, str], FigureFile] = {}  # (lang, name) -> file
        self.hits = 0
        self.written = 0

    def _code(self, function: Callable) -> str:
        return code_fingerprint([figures, style, sys.modules[__name__], sys.modules[function.__module__]])

    def _key(self, what: str, steps, code: str, extra: Any = None) -> str:
        return cache_key(what, {"steps": [self.step_keys[s.name] for s in steps], "extra": extra}, "", code)

    def _copy_file(self, key: str, make: Callable[[Path], None], relative: str) -> Path:
        cached, hit = self.cache.file(key, ".png", make)
        self.hits += hit
        self.written += 1
        target = self.site_dir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(cached, target)
        return target

    def _register(self, name: str, relative: str, langs: tuple[str, ...]) -> None:
        target = self.site_dir / relative
        with Image.open(target) as image:
            width, height = image.size
        info = FigureFile(relative, width, height, target.stat().st_size)
        for lang in langs:
            self.figures[(lang, name)] = info

    def figure(self, figure: Figure) -> None:
        """Draw (or reuse) one declared figure: per digit and per language as it declares."""
        code = self._code(figure.draw)
        for digit in (DIGITS if figure.per_digit else (None,)):
            name = figure.name.format(digit=digit) if digit is not None else figure.name
            args: tuple = (self.results,) if digit is None else (self.results, digit)
            if figure.per_language:
                for lang in self.langs:
                    chart_words = self.words[lang]["chart"]
                    relative = f"{FIGURE_DIR}/{lang}/{name}.png"
                    key = self._key(f"figure {name} {lang}", figure.steps, code, chart_words)
                    self._copy_file(key, lambda path, a=args, w=chart_words: _save(figure.draw(*a, words=w), path),
                                    relative)
                    self._register(name, relative, (lang,))
            elif figure.preview:
                drawn: list[Any] = []

                def picture(a: tuple = args) -> Any:
                    if not drawn:
                        drawn.append(figure.draw(*a))
                    return drawn[0]

                full = f"{FIGURE_DIR}/{name}-full.png"
                self._copy_file(self._key(f"figure {name} full", figure.steps, code),
                                lambda path: _save(picture(), path, palette=True), full)
                self._register(f"{name}-full", full, self.langs)
                small = f"{FIGURE_DIR}/{name}.png"
                self._copy_file(self._key(f"figure {name} preview", figure.steps, code, figure.preview),
                                lambda path: _save(picture(), path, shrink=figure.preview, palette=True), small)
                self._register(name, small, self.langs)
            else:
                relative = f"{FIGURE_DIR}/{name}.png"
                key = self._key(f"figure {name}", figure.steps, code, figure.scale)
                self._copy_file(key, lambda path, a=args: _save(figure.draw(*a), path, scale=figure.scale), relative)
                self._register(name, relative, self.langs)

    def asset(self, asset: Asset) -> None:
        """Write (or reuse) one declared asset folder."""
        key = self._key(f"asset {asset.path}", asset.steps, self._code(asset.write))
        folder, hit = self.cache.folder(key, lambda path: asset.write(self.results, path))
        self.hits += hit
        self.written += 1
        shutil.copytree(folder, self.site_dir / asset.path, dirs_exist_ok=True)
