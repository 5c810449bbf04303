"""End to end: tiny synthetic data in, a complete bilingual site out."""

import json
import re
import shutil
from pathlib import Path

import pytest

from mnistreport import report
from mnistreport.engine.store import Store
from mnistreport.config import config_from_dict
from mnistreport.website.content import LANGS, SiteError, find_pages

from conftest import CONTENT, REPO, TINY_CONFIG


@pytest.fixture(scope="module")
def built(tiny_site):
    return tiny_site


def test_every_page_exists_in_both_languages(built):
    _, out = built
    for lang in LANGS:
        for page in find_pages(CONTENT):
            html = (out / lang / f"{page.slug}.html").read_text(encoding="utf-8")
            assert f'<html lang="{lang}">' in html
            assert re.search(r"<title>[^<]+</title>", html)
    assert (out / "index.html").exists() and (out / ".nojekyll").exists()


def test_on_every_page_the_language_switch_and_the_reading_order_links_are_right(built):
    from html.parser import HTMLParser

    class Links(HTMLParser):
        def __init__(self):
            super().__init__()
            self.found: dict[str, str] = {}

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if tag == "a" and ("lang-switch" in (a.get("class") or "") or a.get("rel") in ("next", "prev")):
                self.found["switch" if a.get("rel") is None else a["rel"]] = a["href"]

    _, out = built
    slugs = [p.slug for p in find_pages(CONTENT)]
    for lang in LANGS:
        other = next(x for x in LANGS if x != lang)
        for i, slug in enumerate(slugs):
            links = Links()
            links.feed((out / lang / f"{slug}.html").read_text(encoding="utf-8"))
            assert links.found.get("switch") == f"../{other}/{slug}.html", (lang, slug)
            assert links.found.get("prev") == (f"{slugs[i - 1]}.html" if i else None), (lang, slug)
            assert links.found.get("next") == (f"{slugs[i + 1]}.html" if i + 1 < len(slugs) else None), (lang, slug)


def test_every_published_picture_decodes(built):
    from PIL import Image

    _, out = built
    pictures = sorted(out.rglob("*.png"))
    assert len(pictures) > 50
    for path in pictures:
        with Image.open(path) as image:
            image.load()  # raises on a truncated or corrupt file
            assert image.width > 0 and image.height > 0


def test_numbers_in_the_text_come_from_the_results(built):
    computed, out = built
    digit = 3
    count = computed.values["train_counts"][digit]
    for lang in LANGS:
        html = (out / lang / f"digit-{digit}.html").read_text(encoding="utf-8")
        assert f"<strong>{count:,}</strong>" in html
    dataset_html = (out / "en" / "dataset.html").read_text(encoding="utf-8")
    assert f"{computed.values['memory'].ratio:,.1f} times" in dataset_html


def test_figures_have_alt_text_in_the_page_language(built):
    _, out = built
    ja = (out / "ja" / "first-look.html").read_text(encoding="utf-8")
    alts = re.findall(r'<img[^>]+alt="([^"]*)"', ja)
    assert alts and all(re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", alt) for alt in alts)
    assert "figures/ja/label-distribution.png" in (out / "ja" / "dataset.html").read_text(encoding="utf-8")


def test_results_json_holds_the_numbers(built, tiny_mnist):
    computed, out = built
    payload = json.loads((out / "data" / "results.json").read_text())
    assert payload["data"]["source"] == "custom"
    assert payload["data"]["train_counts"] == [int((tiny_mnist.train_labels == d).sum()) for d in range(10)]
    assert len(payload["data"]["test_counts"]) == 10
    assert payload["memory"]["uint8_bytes"] == computed.values["memory"].uint8_bytes
    assert payload["steps"][0]["libraries"]["python"]  # each result names the releases that computed it


def test_a_custom_edition_says_where_its_data_came_from(built):
    _, out = built
    assert "synthetic test data" in (out / "en" / "about.html").read_text(encoding="utf-8")


def test_a_rebuild_takes_every_step_from_the_cache_and_a_changed_setting_misses_only_its_readers(
        built, tiny_mnist, tiny_cache):
    config = config_from_dict(TINY_CONFIG)
    again = report.compute(tiny_mnist, config, tiny_cache)
    assert all(s.cached for s in again.records)
    assert [s.seconds for s in again.records] == [s.seconds for s in built[0].records]  # times of the computing build
    reseeded = report.compute(tiny_mnist, config_from_dict(dict(TINY_CONFIG, sampling={"seed": 7})), tiny_cache)
    assert {name for name, key in reseeded.keys.items() if key != again.keys[name]} == {"samples"}  # its reader


def test_a_write_from_the_cache_publishes_the_same_bytes_as_one_from_an_empty_cache(built, tmp_path):
    computed, out = built
    fresh = tmp_path / "site"
    report.write(computed, fresh, langs=LANGS, store=Store(tmp_path / "empty-cache"), jobs=2)
    files = sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(fresh) for p in fresh.rglob("*") if p.is_file())
    different = [str(f) for f in files if (out / f).read_bytes() != (fresh / f).read_bytes()]
    assert different == []


def content_with_line_added(tmp_path: Path, page: str, line: str) -> Path:
    """A copy of the repository's content with ``line`` appended to ``page`` (e.g. 'en/index.md')."""
    content = tmp_path / "content"
    shutil.copytree(REPO / "content", content)
    target = content / page
    target.write_text(target.read_text(encoding="utf-8") + "\n" + line + "\n", encoding="utf-8")
    return content


def test_undefined_result_in_markdown_fails_and_keeps_the_old_site(built, tmp_path, tiny_cache):
    computed, _ = built
    content = content_with_line_added(tmp_path, "en/first-look.md", "{{ no_such_result }}")
    out = tmp_path / "site"
    out.mkdir()
    (out / "marker").write_text("old")
    paths = report.SitePaths(content=content)
    with pytest.raises(SiteError, match=r"first-look.md:\d+: 'no_such_result' is undefined"):
        report.write(computed, out, langs=LANGS, store=tiny_cache, paths=paths)
    assert [p.name for p in out.iterdir()] == ["marker"]


def test_unknown_figure_name_is_an_error(built, tmp_path, tiny_cache):
    computed, _ = built
    content = content_with_line_added(tmp_path, "ja/index.md", '{{ figure("nope", "x") }}')
    with pytest.raises(SiteError, match=r"ja/index.md:\d+: figure 'nope' does not exist"):
        report.write(computed, tmp_path / "site", langs=LANGS, store=tiny_cache,
                     paths=report.SitePaths(content=content))


def test_publishing_files_404_and_page_metadata(built):
    # Without --site-url: no sitemap and no absolute-only metadata (tests/test_site.py builds with one).
    _, out = built
    assert "404" in (out / "404.html").read_text(encoding="utf-8")
    assert not (out / "sitemap.xml").exists()
    html = (out / "ja" / "grid.html").read_text(encoding="utf-8")
    for needle in ('property="og:title"', 'property="og:description"', 'class="toc"', 'href="#top"', 'rel="icon"'):
        assert needle in html, needle
    assert re.search(r'<img [^>]*width="\d+" height="\d+" loading="lazy"', html)


def test_the_site_names_no_local_path_of_the_builder(built, tmp_path, tiny_cache):
    # Data read from a local folder: the pages name it neutrally, never by its path.
    import dataclasses

    from mnistreport.sources.mnist import load_dir, write_idx

    computed, _ = built
    folder = tmp_path / "home" / "someone" / "mnist-copy"
    folder.mkdir(parents=True)
    for name, array in zip(("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                            "t10k-labels-idx1-ubyte"), computed.inputs.builtins["data"].arrays()):
        write_idx(folder / name, array)
    local = load_dir(folder, verify=False)
    out = tmp_path / "site"
    inputs = dataclasses.replace(computed.inputs, builtins={**computed.inputs.builtins, "data": local})
    report.write(dataclasses.replace(computed, inputs=inputs), out, langs=LANGS, store=tiny_cache)
    assert "the original MNIST IDX files" in (out / "en" / "index.html").read_text(encoding="utf-8")
    leaks = [str(p.relative_to(out)) for p in out.rglob("*") if p.is_file() and p.suffix in (".html", ".json", ".xml", ".js")
             and (str(tmp_path) in p.read_text(encoding="utf-8") or "someone" in p.read_text(encoding="utf-8"))]
    assert leaks == []


def test_pages_come_from_the_content_folder_in_front_matter_order(tmp_path):

    pages = find_pages(CONTENT)
    assert [p.slug for p in pages][:2] == ["index", "dataset"] and pages[-1].slug == "about"
    chapters = [p.chapter for p in pages if p.kind == "chapter"]
    assert chapters == list(range(1, len(chapters) + 1)) and len(chapters) >= 8
    assert [p.slug for p in pages if p.kind == "digit"] == [f"digit-{d}" for d in range(10)]
    assert "explore" in [p.slug for p in pages if p.kind == "page"]
    content = tmp_path / "content"
    shutil.copytree(REPO / "content", content)
    for lang in LANGS:  # a new chapter is one Markdown file per language
        (content / lang / "extra.md").write_text("---\nkind: chapter\norder: 98\ntitle: Extra\n---\nText.\n",
                                                 encoding="utf-8")
    assert [p.slug for p in find_pages(content) if p.kind == "chapter"][-1] == "extra"
    (content / "ja" / "extra.md").write_text("---\nkind: chapter\norder: 99\ntitle: Extra\n---\n", encoding="utf-8")
    with pytest.raises(SiteError, match=r"ja/extra.md: kind/order"):
        from mnistreport.website.content import check_content_parity

        check_content_parity(content, LANGS)


# --- keys are derived from the code, the settings and the data: proved on a copy of the package ---

KEYS_SCRIPT = """
import json, sys
from mnistreport import report
from mnistreport.config import config_from_dict
print(json.dumps(report.planned_keys(config_from_dict(json.loads(sys.argv[1])), "data")))
"""


@pytest.fixture()
def package_copy(tmp_path):
    """A copy of the package to edit, and a function giving its planned keys (in a fresh process)."""
    import subprocess
    import sys

    shutil.copytree(REPO / "mnistreport", tmp_path / "mnistreport", ignore=shutil.ignore_patterns("__pycache__"))

    def keys(config: dict | None = None) -> dict[str, str]:
        done = subprocess.run([sys.executable, "-c", KEYS_SCRIPT, json.dumps(config or {})], cwd=tmp_path,
                              capture_output=True, text=True, env={"PYTHONPATH": str(tmp_path), "PATH": ""})
        if done.returncode:
            raise RuntimeError(done.stderr.strip().splitlines()[-1])
        return json.loads(done.stdout)

    return tmp_path / "mnistreport", keys


def changed(before: dict[str, str], after: dict[str, str]) -> set[str]:
    return {name for name in before if before[name] != after[name]}


def test_editing_a_module_reached_only_through_an_import_misses_and_reverting_hits(package_copy):
    package, keys = package_copy
    first = keys()
    module = package / "analysis" / "autoencoder.py"  # the CNN step calls cnn.run_cnn, and cnn.py imports it
    original = module.read_text(encoding="utf-8")
    module.write_text(original + "\n# edited\n", encoding="utf-8")
    edited = keys()
    assert {"step autoencoder", "step cnn", "step all_predictions", "asset data/explore"} <= changed(first, edited)
    assert "step tsne" not in changed(first, edited)
    module.write_text(original, encoding="utf-8")
    assert keys() == first  # the old entries are found again


def test_the_bundle_format_is_in_the_assets_keys(package_copy):
    package, keys = package_copy
    first = keys()
    bundle = package / "render" / "bundle.py"
    bundle.write_text(bundle.read_text() + "\n# new format\n")
    assert changed(first, keys()) == {"asset data/explore", "asset data/draw", "asset data",
                                      "asset data/explore-neighbours", "asset data/explore-writers"}


def test_a_setting_read_by_an_asset_is_in_its_key(package_copy):
    _, keys = package_copy
    first = keys()
    assert changed(first, keys({"sampling": {"seed": 1}})) == {"step samples", "asset data/draw"}


def test_adding_a_figure_to_a_chapter_recomputes_none_of_its_steps(package_copy):
    package, keys = package_copy
    first = keys()
    chapter = package / "chapters" / "tsne.py"
    chapter.write_text(chapter.read_text() + '''

@tsne_chapter.figure("tsne-again")
def tsne_again(tsne: SampleMap, data: MnistData):
    return charts.map_scatter(tsne.map.coords, tsne.labels(data))
''')
    assert keys() == first


def test_a_step_reading_a_global_no_key_covers_fails_the_build(package_copy):
    package, keys = package_copy
    chapter = package / "chapters" / "dataset.py"
    chapter.write_text(chapter.read_text().replace(
        "    return describe.memory_footprint(*data.arrays())",
        "    return describe.memory_footprint(*data.arrays()) if LIMITS else None\n\n\nLIMITS = [1]"))
    with pytest.raises(RuntimeError, match=r"step 'memory' .* reads the global 'LIMITS' \(list\)"):
        keys()
