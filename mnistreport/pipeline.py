"""The build in two phases: compute every result first, then write the whole site.

``compute`` runs every step the chapters declare (``mnistreport/chapters/``),
in order, through the on-disk cache, and collects their values in one
``Results``; ``write`` draws the declared figures and assets, renders every
page and ``results.json`` into a staging folder and swaps it into place.
Nothing is written to the output folder before every result exists.
"""

from __future__ import annotations

import hashlib
import inspect
import shutil
import sys
import time
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Callable

from .cache import Cache, StepRecord, step_key
from .chapters import CHAPTERS
from .config import Config
from .data import MnistData
from .declare import Chapter, Step, StepInputs
from .outputs import OutputWriter
from .results import Results
from .site import SiteInputs, SiteRenderer, check_content_parity, write_json, write_site
from .words import load_all_words

REPO_ROOT = Path(__file__).resolve().parent.parent


class PipelineError(Exception):
    """The chapters' declarations do not fit together (a programming error, named precisely)."""


def declared_steps(chapters: tuple[Chapter, ...] = CHAPTERS) -> list[Step]:
    """Every step in build order, checked: unique names and fields, inputs declared before use."""
    steps: list[Step] = []
    for chapter in chapters:
        for step in chapter.steps:
            for used in step.uses:
                if used not in steps:
                    raise PipelineError(f"step {step.name!r} ({chapter.name}) uses {used.name!r}, "
                                        "which no earlier chapter declares")
            if any(s.name == step.name or s.field == step.field for s in steps):
                raise PipelineError(f"step {step.name!r} ({chapter.name}): its name or field {step.field!r} is taken")
            steps.append(step)
    return steps


def compute_source(function: Callable, seen: set | None = None) -> str:
    """The source of a step's compute function and of the functions of its own module that it calls.

    Part of the step's cache key: editing what a step computes recomputes it, while adding a
    figure or a table to the same chapter module does not.
    """
    seen = set() if seen is None else seen
    seen.add(function)
    parts = [inspect.getsource(function)]
    module = sys.modules[function.__module__]
    for name in function.__code__.co_names:
        called = getattr(module, name, None)
        if inspect.isfunction(called) and called.__module__ == module.__name__ and called not in seen:
            parts.append(compute_source(called, seen))
    return "\n".join(parts)


def compute(data: MnistData, config: Config, cache: Cache, *, quick: bool = False, jobs: int = 2,
            report: Callable[[StepRecord], None] = lambda record: None,
            on_start: Callable[[str], None] = lambda step: None,
            chapters: tuple[Chapter, ...] = CHAPTERS) -> Results:
    """Run every declared step (through the cache) and collect the results.

    ``on_start(step)`` and ``report(record)`` are called as each step begins and ends (for progress).
    """
    if quick:
        config = config.quick()
    values: dict[Step, Any] = {}
    records: dict[Step, StepRecord] = {}
    for step in declared_steps(chapters):
        on_start(step.name)
        inputs = StepInputs(data, config, jobs, {used: values[used] for used in step.uses})
        params = {"params": step.params(config), "uses": [records[used].key for used in step.uses],
                  "compute": hashlib.sha256(compute_source(step.compute).encode()).hexdigest()}
        modules = step.modules
        if step.cached:
            value, record = cache.run(step.name, lambda: step.compute(inputs), params=params,
                                      data_checksum=data.checksum, modules=modules)
        else:
            started = time.perf_counter()
            value = step.compute(inputs)
            record = StepRecord(step.name, time.perf_counter() - started, cached=False,
                                key=step_key(step.name, params, data.checksum, modules))
        values[step], records[step] = value, record
        report(record)
    expected = {f.name for f in fields(Results)} - {"data", "config", "quick", "versions", "steps"}
    declared = {step.field for step in values}
    if declared != expected:
        raise PipelineError(f"Results fields without a step: {sorted(expected - declared)}; "
                            f"steps without a Results field: {sorted(declared - expected)}")
    return Results(data=data, config=config, quick=quick, steps=list(records.values()),
                   **{step.field: value for step, value in values.items()})


@dataclass(frozen=True)
class SitePaths:
    """Where the site's sources are (defaults: this repository)."""

    content: Path = REPO_ROOT / "content"
    templates: Path = REPO_ROOT / "templates"
    static: Path = REPO_ROOT / "static"


def banners_for(results: Results) -> list[str]:
    """The notices every page must carry for this build."""
    banners = []
    if results.data.source == "sample":
        banners.append("sample_banner")
    if results.quick:
        banners.append("quick_banner")
    return banners


def write(results: Results, out_dir: Path, *, langs: tuple[str, ...], cache: Cache, paths: SitePaths = SitePaths(),
          site_url: str = "", report: Callable[[StepRecord], None] = lambda record: None,
          chapters: tuple[Chapter, ...] = CHAPTERS) -> None:
    """Draw figures and assets, render every page and results.json, and publish them to ``out_dir`` atomically."""
    check_content_parity(paths.content, langs)
    words = load_all_words(paths.content, langs)

    def write_pages(staging: Path) -> None:
        started = time.perf_counter()
        writer = OutputWriter(staging, cache, results, words, langs)
        for chapter in chapters:
            for figure in chapter.figures:
                writer.figure(figure)
            for asset in chapter.assets:
                writer.asset(asset)
        report(StepRecord(f"figures and assets ({writer.hits}/{writer.written} from cache)",
                          time.perf_counter() - started, cached=writer.hits == writer.written))
        started = time.perf_counter()
        declared_tables = {table.name: table for chapter in chapters for table in chapter.tables}
        renderer = SiteRenderer(SiteInputs(results, writer.figures, declared_tables, words),
                                content_dir=paths.content, templates_dir=paths.templates, langs=langs,
                                banners=banners_for(results), site_url=site_url,
                                compiled_dir=cache.root / "templates" if cache.enabled else None)
        renderer.render_all(staging)
        shutil.copytree(paths.static, staging / "assets")
        (staging / ".nojekyll").write_text("", encoding="utf-8")
        write_json(staging / "data" / "results.json", results.summary())
        report(StepRecord("pages", time.perf_counter() - started, cached=False))

    write_site(out_dir, write_pages=write_pages)
