"""Writing the declared figures and assets into the site, through the cache.

A figure or asset is keyed on its name, the cache keys of the steps it is
drawn from, the config sections it declares, the fingerprint of the code that
draws and saves it (``fingerprint.py``) and, for a chart with words, those
words; so a Markdown edit reuses every file, and a new parameter redraws only
what depends on it. Each function sees only what it declares (a
``ResultsView``), and each figure is drawn inside its own matplotlib style
context, so no state leaks from one figure to the next.
"""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping

import numpy as np
from PIL import Image

from mnistreport.render import charts as figures
from mnistreport.engine.store import Cache, cache_key
from mnistreport.declare import DIGITS, Asset, DeclarationError, Figure, ResultsView, config_parts
from mnistreport.engine.keys import UnkeyableError, function_fingerprint
from mnistreport.results import Results

FIGURE_DIR = "figures"
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


def shrink_png(source: Path, target: Path, width: int) -> None:
    """Write ``source`` reduced to ``width`` pixels wide (Lanczos), a palette PNG staying one."""
    with Image.open(source) as image:
        palette = image.mode == "P"
        small = image.convert("RGB" if palette else image.mode)
        small = small.resize((width, max(1, round(image.height * width / image.width))), Image.Resampling.LANCZOS)
    if palette:
        small = small.quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    small.save(target, optimize=True)


def _save(drawn: Any, path: Path, scale: int = 1, shrink: int = 1, palette: bool = False) -> tuple[int, int]:
    """Write what a draw function returned: pixels (an array) or a matplotlib figure."""
    if isinstance(drawn, np.ndarray):
        return figures.save_pixels(drawn, path, scale=scale, shrink=shrink, palette=palette)
    return figures.save_chart(drawn, path)


def _draw_and_save(draw: Callable[[], Any], path: Path, **options: Any) -> tuple[int, int]:
    """Draw and save one figure inside a fresh chart style (nothing inherited from earlier figures)."""
    with figures.style_context():
        return _save(draw(), path, **options)


def code_of(function: Callable, owner: str) -> str:
    """What the function can reach, and this module's saving code (see ``fingerprint.py``)."""
    try:
        return function_fingerprint(function, owner, with_closure_of=(__name__,))
    except UnkeyableError as exc:
        raise DeclarationError(str(exc)) from exc


def declared_key(what: str, declared: Figure | Asset, code: str, step_keys: Mapping[str, str], config: Any,
                 data_checksum: str, extra: Any = None) -> str:
    """The cache key of one figure file or asset folder: its steps' keys, config sections, code and extras."""
    missing = [s.field for s in declared.steps if s.field not in step_keys]
    if missing:
        raise DeclarationError(f"{what} is drawn from step(s) {missing}, which the build did not run")
    return cache_key(what, {"steps": [step_keys[s.field] for s in declared.steps], "extra": extra,
                            "config": config_parts(config, declared.config, what), "code": code,
                            "data": data_checksum})


def asset_key(asset: Asset, step_keys: Mapping[str, str], config: Any, data_checksum: str) -> str:
    """The cache key of one asset folder."""
    what = f"asset {asset.path} {asset.write.__name__}"
    return declared_key(what, asset, code_of(asset.write, what), step_keys, config, data_checksum)


class OutputWriter:
    """Writes figures under ``site_dir/figures`` and assets under their folders, reusing cached files."""

    def __init__(self, site_dir: Path, cache: Cache, results: Results, words: Mapping[str, Mapping[str, Any]],
                 langs: tuple[str, ...]) -> None:
        self.site_dir, self.cache, self.results, self.words, self.langs = site_dir, cache, results, words, langs
        self.step_keys = {record.field: record.key for record in results.steps}
        self.figures: dict[tuple[str, str], FigureFile] = {}  # (lang, name) -> file
        self.hits = 0
        self.written = 0
        self.variant_code = code_of(shrink_png, "figure variants")

    def _key(self, what: str, declared: Figure | Asset, code: str, extra: Any = None) -> str:
        return declared_key(what, declared, code, self.step_keys, self.results.config, self.results.data.checksum,
                            extra)

    def _view(self, declared: Figure | Asset, owner: str) -> ResultsView:
        return ResultsView(self.results, tuple(s.field for s in declared.steps), declared.config, owner)

    def _copy_file(self, key: str, make: Callable[[Path], None], relative: str) -> Path:
        cached, hit = self.cache.file(key, ".png", make)
        self.hits += hit
        self.written += 1
        target = self.site_dir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(cached, target)
        return target

    def _variants(self, relative: str, width: int) -> tuple[tuple[str, int, int], ...]:
        """Smaller copies of a written figure at the VARIANT_WIDTHS well below its own, keyed on its bytes."""
        target = self.site_dir / relative
        digest = hashlib.sha256(target.read_bytes()).hexdigest()
        made = []
        for small in VARIANT_WIDTHS:
            if small * 1.25 > width:
                continue
            variant = f"{relative.removesuffix('.png')}-{small}w.png"
            key = cache_key(f"figure variant {variant}", {"png": digest, "width": small, "code": self.variant_code})
            path = self._copy_file(key, lambda path, w=small: shrink_png(target, path, w), variant)
            with Image.open(path) as image:
                made.append((variant, image.width, image.height))
        return tuple(made)

    def _register(self, name: str, relative: str, langs: tuple[str, ...], variants: bool = True) -> None:
        target = self.site_dir / relative
        with Image.open(target) as image:
            width, height = image.size
        info = FigureFile(relative, width, height, target.stat().st_size,
                          self._variants(relative, width) if variants else ())
        for lang in langs:
            self.figures[(lang, name)] = info

    def figure(self, figure: Figure) -> None:
        """Draw (or reuse) one declared figure: per digit and per language as it declares."""
        owner = f"figure {figure.name!r}"
        code = code_of(figure.draw, owner)
        view = self._view(figure, owner)
        for digit in (DIGITS if figure.per_digit else (None,)):
            name = figure.name.format(digit=digit) if digit is not None else figure.name
            args: tuple = (view,) if digit is None else (view, digit)
            if figure.per_language:
                for lang in self.langs:
                    chart_words = self.words[lang]["chart"]
                    relative = f"{FIGURE_DIR}/{lang}/{name}.png"
                    key = self._key(f"figure {name} {lang}", figure, code, chart_words)
                    self._copy_file(key, lambda path, a=args, w=chart_words:
                                    _draw_and_save(lambda: figure.draw(*a, words=w), path), relative)
                    self._register(name, relative, (lang,))
            elif figure.preview:
                drawn: list[Any] = []

                def picture(a: tuple = args) -> Any:
                    if not drawn:
                        drawn.append(figure.draw(*a))  # drawn once (in the first save's style), saved twice
                    return drawn[0]

                full = f"{FIGURE_DIR}/{name}-full.png"
                self._copy_file(self._key(f"figure {name} full", figure, code),
                                lambda path: _draw_and_save(picture, path, palette=True), full)
                self._register(f"{name}-full", full, self.langs, variants=False)
                small = f"{FIGURE_DIR}/{name}.png"
                self._copy_file(self._key(f"figure {name} preview", figure, code, figure.preview),
                                lambda path: _draw_and_save(picture, path, shrink=figure.preview, palette=True), small)
                self._register(name, small, self.langs)
            else:
                relative = f"{FIGURE_DIR}/{name}.png"
                key = self._key(f"figure {name}", figure, code, figure.scale)
                self._copy_file(key, lambda path, a=args: _draw_and_save(lambda: figure.draw(*a), path,
                                                                          scale=figure.scale), relative)
                self._register(name, relative, self.langs)

    def asset(self, asset: Asset) -> None:
        """Write (or reuse) one declared asset folder."""
        key = asset_key(asset, self.step_keys, self.results.config, self.results.data.checksum)
        view = self._view(asset, f"asset {asset.path!r} ({asset.write.__name__})")
        folder, hit = self.cache.folder(key, lambda path: asset.write(view, path))
        self.hits += hit
        self.written += 1
        shutil.copytree(folder, self.site_dir / asset.path, dirs_exist_ok=True)
