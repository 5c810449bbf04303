"""The build in two phases: compute every result first, then write the whole site.

``compute`` runs every step the chapters declare (``mnistreport/chapters/``),
in order, through the on-disk cache, and collects their values in one
``Results``; ``write`` draws the declared figures and assets, renders every
page and ``results.json`` into a staging folder and swaps it into place.
Nothing is written to the output folder before every result exists.
"""

from __future__ import annotations

import concurrent.futures
import shutil
import time
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Callable

from mnistreport.engine.store import Cache, StepRecord, cache_key
from mnistreport.chapters import CHAPTERS
from mnistreport.config import Config
from mnistreport.sources.mnist import MnistData
from mnistreport.declare import Chapter, ConfigView, DataView, DeclarationError, Step, StepInputs, config_parts
from mnistreport.engine.keys import UnkeyableError, function_fingerprint, module_closure, modules_digest
from mnistreport.outputs import OutputWriter, asset_key
from mnistreport.results import Results
from mnistreport.site.search import SEARCH_DIR, build_search_index, index_inputs_digest, merge_indexes
from mnistreport.site.pages import SiteInputs, SiteRenderer, check_content_parity, write_json, write_site
from mnistreport.site.words import load_all_words

REPO_ROOT = Path(__file__).resolve().parent.parent


class PipelineError(DeclarationError):
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


def step_code(step: Step) -> str:
    """The fingerprint of the code a step's compute function can reach; a step it reads must be declared."""
    try:
        return function_fingerprint(step.compute, f"step {step.field!r}",
                                    allowed_objects=lambda value: value in step.uses)
    except UnkeyableError as exc:
        raise PipelineError(str(exc)) from exc


def step_key(step: Step, config: Config, data_checksum: str, used_keys: list[str]) -> str:
    """A step's cache key: its field, its config sections, the data, the steps it uses and its code."""
    return cache_key(f"step {step.field}", {
        "config": config_parts(config, step.config, f"step {step.field!r}"),
        "data": data_checksum, "uses": used_keys, "code": step_code(step)})


def data_part(step: Step, data_checksum: str, provenance_checksum: str) -> str:
    """The data part of a step's key: MNIST's checksum, and the provenance's when the step reads it."""
    return f"{data_checksum} provenance {provenance_checksum}" if step.provenance else data_checksum


def planned_keys(config: Config, data_checksum: str, chapters: tuple[Chapter, ...] = CHAPTERS,
                 provenance_checksum: str = "none") -> dict[str, str]:
    """Every step's and asset's cache key for this code, config and data, without computing anything."""
    keys: dict[str, str] = {}
    step_keys: dict[str, str] = {}
    for step in declared_steps(chapters):
        step_keys[step.field] = step_key(step, config, data_part(step, data_checksum, provenance_checksum),
                                         [step_keys[u.field] for u in step.uses])
        keys[f"step {step.field}"] = step_keys[step.field]
    for chapter in chapters:
        for asset in chapter.assets:
            keys[f"asset {asset.path} {asset.write.__name__}"] = asset_key(asset, step_keys, config, data_checksum)
    return keys


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
        owner = f"step {step.field!r}"
        inputs = StepInputs(DataView(data, owner, step.provenance), ConfigView(config, step.config, owner), jobs,
                            {used: values[used] for used in step.uses}, owner)
        key = step_key(step, config, data_part(step, data.checksum, data.provenance_checksum),
                       [records[used].key for used in step.uses])
        value, hit, seconds = cache.run(step.field, lambda: step.compute(inputs), key=key)
        values[step] = value
        records[step] = StepRecord(step.name, seconds, cached=hit, key=key, field=step.field)
        report(records[step])
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


def write_search_index(site_dir: Path, langs: tuple[str, ...], cache: Cache) -> bool:
    """The Pagefind index of the written pages: one per language, run side by side, each through the
    cache (keyed on that language's pages and the search code), merged into one bundle. Returns True
    if every language's index came from the cache (an edit in one language re-indexes only that one)."""
    code = modules_digest(module_closure("mnistreport.site.search"))

    def one(lang: str) -> tuple[Path, bool]:
        key = cache_key(f"search index {lang}", {"pages": index_inputs_digest(site_dir, (lang,)), "code": code})
        return cache.folder(key, lambda tmp: build_search_index(site_dir, (lang,), tmp))

    with concurrent.futures.ThreadPoolExecutor(max_workers=len(langs)) as pool:
        indexes = list(pool.map(one, langs))
    merge_indexes([folder for folder, _ in indexes], site_dir / SEARCH_DIR)
    return all(hit for _, hit in indexes)


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
        started = time.perf_counter()
        hit = write_search_index(staging, langs, cache)
        report(StepRecord("search index", time.perf_counter() - started, cached=hit))

    write_site(out_dir, write_pages=write_pages)
