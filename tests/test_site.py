"""Content parsing, strict checks, link checking and the atomic swap of site/."""

import shutil
from pathlib import Path

import pytest

from conftest import CONTENT  # noqa: E402
from mnistreport import site
from mnistreport.site import SiteError

REPO = Path(__file__).resolve().parent.parent


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_front_matter_is_parsed_and_line_numbers_are_kept(tmp_path):
    page = write(tmp_path / "p.md", "---\ntitle: Hello\nnav: Hi\n---\nline five\n")
    content = site.read_content(page)
    assert content.meta == {"title": "Hello", "nav": "Hi"}
    assert content.body.split("\n")[4] == "line five"


@pytest.mark.parametrize(
    "text, where",
    [
        ("no front matter\n", ":1: front matter missing"),
        ("---\ntitle: x\n", ":1: front matter not closed"),
        ("---\ntitle: x\nthis is not a key\n---\n", ":3: malformed front matter"),
        ("---\ntitle: x\ntitle: y\n---\n", ":3: front matter key 'title' given twice"),
        ("---\nnav: x\n---\n", ":1: front matter has no 'title'"),
    ],
)
def test_malformed_front_matter_names_file_and_line(tmp_path, text, where):
    page = write(tmp_path / "bad.md", text)
    with pytest.raises(SiteError, match="bad.md" + where):
        site.read_content(page)


def test_a_page_in_one_language_only_is_an_error(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(REPO / "content", content)
    write(content / "en" / "extra.md", "---\ntitle: x\n---\n")
    with pytest.raises(SiteError, match="extra.md: exists in en but not in ja"):
        site.check_content_parity(content, site.LANGS)
    (content / "en" / "extra.md").unlink()
    (content / "ja" / "about.md").unlink()
    with pytest.raises(SiteError, match=r"en/about.md: exists in en but not in ja"):
        site.check_content_parity(content, site.LANGS)


def test_repository_content_has_the_same_pages_in_both_languages():
    site.check_content_parity(REPO / "content", site.LANGS)


def test_link_check_finds_broken_links_images_and_absolute_paths(tmp_path):
    write(tmp_path / "en" / "a.html", '<a href="b.html#x">ok</a><img src="../figures/f.png"><a href="https://example.org">ext</a>')
    write(tmp_path / "en" / "b.html", '<a href="missing.html">x</a>\n<img src="/figures/f.png"><a href="../../outside.html">o</a>')
    write(tmp_path / "figures" / "f.png", "png")
    problems = site.check_links(tmp_path)
    assert len(problems) == 3
    assert any("en/b.html:1: broken link 'missing.html'" in p for p in problems)
    assert any("absolute link '/figures/f.png'" in p for p in problems)
    assert any("outside.html" in p for p in problems)


def test_failed_write_leaves_the_previous_site_untouched(tmp_path):
    out = tmp_path / "site"
    write(out / "index.html", "old site")

    def broken(staging: Path) -> None:
        write(staging / "index.html", "half new")
        raise RuntimeError("failure half-way")

    with pytest.raises(RuntimeError):
        site.write_site(out, write_pages=broken)
    assert (out / "index.html").read_text() == "old site"
    assert [p.name for p in tmp_path.iterdir()] == ["site"]  # no staging folder left behind


def test_broken_links_stop_the_publish(tmp_path):
    out = tmp_path / "site"
    write(out / "index.html", "old site")
    with pytest.raises(SiteError, match="broken link"):
        site.write_site(out, write_pages=lambda staging: write(staging / "index.html", '<a href="nowhere.html">x</a>'))
    assert (out / "index.html").read_text() == "old site"


def test_successful_write_replaces_the_site(tmp_path):
    out = tmp_path / "site"
    write(out / "stale.html", "old")
    site.write_site(out, write_pages=lambda staging: write(staging / "index.html", "new"))
    assert (out / "index.html").read_text() == "new"
    assert not (out / "stale.html").exists()


def test_every_page_has_previous_and_next_in_reading_order():
    pages = site.find_pages(CONTENT)
    assert pages[0].slug == "index" and pages[-1].slug == "about"
    assert [p.slug for p in pages if p.kind == "digit"] == [f"digit-{d}" for d in range(10)]
    assert len({p.slug for p in pages}) == len(pages)


def test_japanese_line_breaks_inside_a_paragraph_are_joined_without_a_space():
    text = "最初の行です。\n次の行です。\n\n## 見出し\n- 項目\n- 項目\nEnglish line\n続き"
    joined = site.join_cjk_lines(text)
    assert "最初の行です。次の行です。" in joined
    assert "\n\n## 見出し\n- 項目\n- 項目\nEnglish line\n続き" in joined


def test_results_json_is_strict_json(tmp_path):
    site.write_json(tmp_path / "r.json", {"a": float("nan"), "b": [1.0, float("inf")], "c": {"d": 2}})
    assert (tmp_path / "r.json").read_text() .replace(" ", "").replace("\n", "") == '{"a":null,"b":[1.0,null],"c":{"d":2}}'
