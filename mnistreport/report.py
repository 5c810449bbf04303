"""The build: the chapters' graph computed through the store, then the whole site written and published.

``compute`` runs every step (``engine/run.py``) with the data, the provenance and the
settings; ``write`` draws the figures and assets (``site/outputs.py``), renders every
page and ``data/results.json`` into a staging folder, indexes it for search, and swaps
it into place (``site/publish.py``). Nothing reaches the output folder before all of it exists.
"""

from __future__ import annotations

import concurrent.futures
import functools
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from mnistreport import __version__
from mnistreport.chapters import all_chapters
from mnistreport.config import Config, section_types
from mnistreport.engine.graph import Graph
from mnistreport.engine.keys import fingerprint, key
from mnistreport.engine.run import (BuildInfo, Computed, Inputs, StepRecord, compute as run_steps, compute_facts,
                                    node_key, plan, summaries)
from mnistreport.engine.store import TEMPLATES, Store
from mnistreport.website.content import Page, check_content_parity, find_pages, read_content
from mnistreport.website.outputs import FigureFile, write_outputs
from mnistreport.website.pages import SiteInputs, SiteRenderer
from mnistreport.website.publish import write_json, write_new, write_site
from mnistreport.website.search import SEARCH_DIR, build_search_index, index_inputs_digest, merge_indexes
from mnistreport.website.words import load_all_words
from mnistreport.sources.mnist import MnistData
from mnistreport.sources.qmnist import Provenance

REPO_ROOT = Path(__file__).resolve().parent.parent


@functools.lru_cache(maxsize=None)
def report_graph() -> Graph:
    """The graph of every chapter's nodes."""
    return Graph(all_chapters(), section_types())


def compute(data: MnistData, config: Config, store: Store, *, provenance: Provenance | None = None,
            quick: bool = False, jobs: int = 2, graph: Graph | None = None,
            report: Callable[[StepRecord], None] = lambda record: None,
            on_start: Callable[[str], None] = lambda name: None) -> Computed:
    """Run every step through the store (``--quick``: the preview's smaller settings)."""
    if quick:
        config = config.quick()
    inputs = Inputs(builtins={"data": data, "provenance": provenance},
                    builtin_keys={"data": data.checksum,
                                  "provenance": provenance.checksum if provenance is not None else "none"},
                    settings=config.sections(), jobs=jobs)
    computed = run_steps(graph or report_graph(), store, inputs, on_start=on_start, report=report)
    compute_facts(computed, build=BuildInfo(tuple(computed.records), config.as_dict(), quick))
    return computed


def planned_keys(config: Config, data_checksum: str, provenance_checksum: str = "provenance") -> dict[str, str]:
    """Every step's and asset's key for this code, these settings and data, without computing anything
    (with provenance, so that every node has one)."""
    graph = report_graph()
    inputs = Inputs({"data": None, "provenance": provenance_checksum},
                    {"data": data_checksum, "provenance": provenance_checksum}, config.sections())
    computed = Computed(graph, inputs, keys=plan(graph, inputs))
    found = {f"step {name}": step_key for name, step_key in computed.keys.items()}
    found.update({f"asset {node.name}": node_key(node, computed) for node in graph.of_kind("asset")})
    return found


@dataclass(frozen=True)
class SitePaths:
    """Where the site's sources are (defaults: this repository)."""

    content: Path = REPO_ROOT / "content"
    templates: Path = REPO_ROOT / "templates"
    static: Path = REPO_ROOT / "static"


def banners_for(computed: Computed) -> list[str]:
    """The notices every page must carry for this build."""
    build: BuildInfo = computed.inputs.builtins["build"]
    banners = []
    if computed.inputs.builtins["data"].source == "sample":
        banners.append("sample_banner")
    if build.quick:
        banners.append("quick_banner")
    return banners


def results_json(computed: Computed) -> dict[str, Any]:
    """The numbers of the site as plain JSON (``data/results.json``): every chapter's summary, and the build's."""
    build: BuildInfo = computed.inputs.builtins["build"]
    return {"generator": f"mnistreport {__version__}", "quick": build.quick, **summaries(computed),
            "parameters": build.parameters, "versions": computed.facts.get("versions", {}),
            "steps": [{"name": r.name, "seconds": round(r.seconds, 3), "libraries": r.libraries}
                      for r in build.records]}


def write_search_index(site_dir: Path, langs: tuple[str, ...], store: Store) -> bool:
    """The Pagefind index of the written pages: one per language, side by side, each through the store
    (keyed on that language's pages, the search code and Pagefind's release), merged into one bundle.
    Returns True if every language's index came from the store."""
    code = fingerprint(build_search_index, "search index")

    def one(lang: str) -> tuple[Path, bool]:
        index_key = key(f"search index {lang}", pages=index_inputs_digest(site_dir, (lang,)), code=code.code,
                        libraries=code.libraries)
        entry = store.get_or_make(index_key, "folder", lambda tmp: build_search_index(site_dir, (lang,), tmp),
                                  libraries=code.libraries)
        return entry.path, entry.hit

    with concurrent.futures.ThreadPoolExecutor(max_workers=len(langs)) as pool:
        indexes = list(pool.map(one, langs))
    merge_indexes([folder for folder, _ in indexes], site_dir / SEARCH_DIR)
    return all(hit for _, hit in indexes)


@dataclass
class Published:
    """What a build published and what the preview needs to re-render its pages without recomputing."""

    computed: Computed
    figures: dict[tuple[str, str], FigureFile]
    out_dir: Path
    langs: tuple[str, ...]
    paths: SitePaths
    site_url: str
    fronts: dict[Path, dict[str, str]] = field(default_factory=dict)  # each content file's front matter


def content_sources(content_dir: Path, langs: tuple[str, ...]) -> dict[str, str]:
    """Each written page (``en/digit-3.html``) and the content file it is rendered from (``content/en/digit.md``)."""
    return {page.path(lang): f"{content_dir.name}/{lang}/{page.source}.md"
            for lang in langs for page in find_pages(content_dir, langs[0])}


def front_matter(content_dir: Path, langs: tuple[str, ...]) -> dict[Path, dict[str, str]]:
    """Every content file's front matter (titles and order: what every page's navigation shows)."""
    return {path: read_content(path).meta for lang in langs for path in sorted((content_dir / lang).glob("*.md"))}


def _render_pages(published: Published, store: Store, staging: Path,
                  only: Callable[[Page, str], bool] | None = None) -> None:
    """Every page (or those ``only`` picks), the static files and results.json into ``staging``."""
    computed, paths, langs = published.computed, published.paths, published.langs
    check_content_parity(paths.content, langs)
    words = load_all_words(paths.content, langs)
    builtins = computed.inputs.builtins
    context = {"data": builtins["data"], "provenance": builtins["provenance"],
               "config": Config(**computed.inputs.settings), "quick": builtins["build"].quick,
               "steps": builtins["build"].records}
    renderer = SiteRenderer(SiteInputs(computed, published.figures, words, context),
                            content_dir=paths.content, templates_dir=paths.templates, langs=langs,
                            banners=banners_for(computed), site_url=published.site_url,
                            compiled_dir=store.root / TEMPLATES if store.enabled else None)
    renderer.render_all(staging, only)
    shutil.rmtree(staging / "assets", ignore_errors=True)  # replaced, never written through (see publish.write_new)
    shutil.copytree(paths.static, staging / "assets")
    write_new(staging / ".nojekyll", "")
    write_json(staging / "data" / "results.json", results_json(computed))


def write(computed: Computed, out_dir: Path, *, langs: tuple[str, ...], store: Store,
          paths: SitePaths = SitePaths(), site_url: str = "", jobs: int = 1,
          report: Callable[[StepRecord], None] = lambda record: None) -> Published:
    """Draw figures and assets, render every page and results.json, and publish them to ``out_dir`` atomically."""
    check_content_parity(paths.content, langs)
    words = load_all_words(paths.content, langs)
    published = Published(computed, {}, out_dir, langs, paths, site_url, front_matter(paths.content, langs))

    def write_pages(staging: Path) -> None:
        started = time.perf_counter()
        written = write_outputs(computed, staging, store, words, langs, jobs)
        published.figures.update(written.figures)
        report(StepRecord(f"figures and assets ({written.hits}/{written.files} from cache)",
                          time.perf_counter() - started, cached=written.hits == written.files))
        started = time.perf_counter()
        _render_pages(published, store, staging)
        report(StepRecord("pages", time.perf_counter() - started, cached=False))
        started = time.perf_counter()
        hit = write_search_index(staging, langs, store)
        report(StepRecord("search index", time.perf_counter() - started, cached=hit))

    write_site(out_dir, write_pages=write_pages, sources=content_sources(paths.content, langs))
    return published


def rerender(published: Published, store: Store, changed: list[Path]) -> None:
    """The preview's quick path after an edit of content, templates or static files only: the pages
    re-rendered (only the edited pages when just their text changed) and published at once; the search
    index follows in a second publish (:func:`reindex`), so the reader's page reloads without waiting for it."""
    content = published.paths.content.resolve()
    edited = {(path.parent.name, path.stem) for path in changed
              if path.suffix == ".md" and path.resolve().parent.parent == content}
    fronts = front_matter(published.paths.content, published.langs)
    just_text = bool(edited) and len(edited) == len(changed) and fronts == published.fronts  # no title or order

    def only(page: Page, lang: str) -> bool:
        return (lang, page.source) in edited

    sources = content_sources(published.paths.content, published.langs)
    rewritten = {path for path, source in sources.items() if (path.split("/")[0], Path(source).stem) in edited}

    def changed_page(path: str) -> bool:  # the edited pages, and the two pages every render writes
        return not just_text or path in rewritten or "/" not in path

    published.fronts = fronts
    write_site(published.out_dir, write_pages=lambda staging: _render_pages(published, store, staging,
                                                                             only if just_text else None),
               start_from_published=True, sources=sources, changed=changed_page)


def reindex(published: Published, store: Store) -> None:
    """The search index of the published pages made again and published (after :func:`rerender`)."""

    def write_index(staging: Path) -> None:
        shutil.rmtree(staging / SEARCH_DIR, ignore_errors=True)
        write_search_index(staging, published.langs, store)

    write_site(published.out_dir, write_pages=write_index, start_from_published=True)
