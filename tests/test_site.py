"""Content parsing, strict checks, link checking and the atomic swap of site/."""

import os
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


def old_site(out: Path) -> Path:
    """A site an earlier build published: its index page and our marker."""
    write(out / site.SITE_MARKER, "")
    return write(out / "index.html", "old site")


def left_beside(out: Path) -> list[str]:
    """What is beside ``out`` apart from it and its lock file."""
    return sorted(p.name for p in out.parent.iterdir() if p.name not in (out.name, f".{out.name}.lock"))


def test_failed_write_leaves_the_previous_site_untouched(tmp_path):
    out = tmp_path / "site"
    old_site(out)

    def broken(staging: Path) -> None:
        write(staging / "index.html", "half new")
        raise RuntimeError("failure half-way")

    with pytest.raises(RuntimeError):
        site.write_site(out, write_pages=broken)
    assert (out / "index.html").read_text() == "old site"
    assert left_beside(out) == []  # no staging folder left behind


def test_broken_links_stop_the_publish(tmp_path):
    out = tmp_path / "site"
    old_site(out)
    with pytest.raises(SiteError, match="broken link"):
        site.write_site(out, write_pages=lambda staging: write(staging / "index.html", '<a href="nowhere.html">x</a>'))
    assert (out / "index.html").read_text() == "old site"


def test_successful_write_replaces_the_site(tmp_path):
    out = tmp_path / "site"
    write(out / site.SITE_MARKER, "")
    write(out / "stale.html", "old")
    site.write_site(out, write_pages=lambda staging: write(staging / "index.html", "new"))
    assert (out / "index.html").read_text() == "new"
    assert not (out / "stale.html").exists()
    assert (out / site.SITE_MARKER).is_file()  # the next build may replace it


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


# --- what must not be lost ------------------------------------------------------------


def test_an_out_folder_this_program_did_not_write_is_refused_untouched(tmp_path):
    out = tmp_path / "clone"
    write(out / ".git" / "HEAD", "ref: refs/heads/main")
    write(out / "notes.txt", "uncommitted work")
    with pytest.raises(SiteError) as caught:
        site.write_site(out, write_pages=lambda staging: write(staging / "index.html", "new"))
    message = str(caught.value)
    assert message.startswith(f"{out}: expected an empty folder or a site written by this program") and "\n" not in message
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*")) == [".git", ".git/HEAD", "notes.txt"]
    assert (out / "notes.txt").read_text() == "uncommitted work"
    assert left_beside(out) == []
    write(tmp_path / "a-file", "x")
    with pytest.raises(SiteError, match="a-file: --out must be a folder"):
        site.check_out_dir(tmp_path / "a-file")


def test_an_empty_out_folder_or_a_site_from_before_the_marker_is_replaced(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    site.write_site(empty, write_pages=lambda staging: write(staging / "index.html", "new"))
    assert (empty / "index.html").read_text() == "new"
    legacy = tmp_path / "legacy"
    for name in (".nojekyll", "sitemap.xml", "data/results.json", "index.html"):
        write(legacy / name, "")
    site.check_out_dir(legacy)


def test_staging_folders_of_killed_builds_are_removed(tmp_path):
    out = tmp_path / "site"
    old_site(out)
    killed = write(tmp_path / ".site.building-abc123" / "en" / "index.html", "half written").parent.parent
    other = write(tmp_path / ".other.building-xyz" / "keep", "another out folder's").parent
    site.write_site(out, write_pages=lambda staging: write(staging / "index.html", "new"))
    assert not killed.exists() and other.exists()
    assert (out / "index.html").read_text() == "new"


def test_publishing_never_leaves_a_moment_without_the_site(tmp_path, monkeypatch):
    out = tmp_path / "site"
    old_site(out)
    seen = []
    for name in ("replace", "rename"):
        real = getattr(os, name)

        def spy(src, dst, real=real):
            real(src, dst)
            seen.append((out / "index.html").is_file())

        monkeypatch.setattr(site.os, name, spy)
    site.write_site(out, write_pages=lambda staging: write(staging / "index.html", "new"))
    assert (out / "index.html").read_text() == "new"
    assert all(seen)
    assert left_beside(out) == []


def test_publishing_without_an_exchange_call_still_replaces_the_site(tmp_path, monkeypatch):
    monkeypatch.setattr(site, "_exchange", lambda first, second: False)
    out = tmp_path / "site"
    old_site(out)
    site.write_site(out, write_pages=lambda staging: write(staging / "index.html", "new"))
    assert (out / "index.html").read_text() == "new"
    assert left_beside(out) == []


def test_two_builds_of_one_out_folder_take_turns(tmp_path, caplog):
    import threading
    import time

    out = tmp_path / "site"
    events: list[str] = []
    first_inside = threading.Event()

    def pages(name: str):
        def write_pages(staging: Path) -> None:
            events.append(f"{name} starts")
            first_inside.set()
            time.sleep(0.5)
            assert staging.is_dir()  # the other build did not take it for a killed build's
            write(staging / "index.html", name)
            events.append(f"{name} ends")
        return write_pages

    first = threading.Thread(target=site.write_site, args=(out,), kwargs={"write_pages": pages("first")})
    first.start()
    first_inside.wait(5)
    site.write_site(out, write_pages=pages("second"))
    first.join()
    assert events == ["first starts", "first ends", "second starts", "second ends"]
    assert (out / "index.html").read_text() == "second"
    assert "another build is writing" in caplog.text


def test_a_full_disk_names_the_file_keeps_the_cause_and_the_old_site(tmp_path):
    import errno

    out = tmp_path / "site"
    old_site(out)

    def full(staging: Path) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(staging / "figures" / "map.png"))

    with pytest.raises(SiteError) as caught:
        site.write_site(out, write_pages=full)
    message = str(caught.value)
    assert "figures/map.png: cannot write the site: No space left on device" in message and "\n" not in message
    assert isinstance(caught.value.__cause__, OSError)
    assert (out / "index.html").read_text() == "old site" and left_beside(out) == []


# --- errors while rendering ---------------------------------------------------------


def make_renderer(tmp_path: Path, page_text: str, body: str = "Text.") -> site.SiteRenderer:
    """A renderer over a two-page content folder with ``page_text`` as templates/page.html."""
    content = tmp_path / "content"
    for lang in site.LANGS:
        write(content / lang / "index.md", f"---\ntitle: Home\nkind: home\norder: 0\n---\n{body}\n")
        write(content / lang / "about.md", "---\ntitle: About\nkind: about\norder: 1\n---\nAbout.\n")
    templates = tmp_path / "templates"
    shutil.copytree(REPO / "templates", templates)
    write(templates / "page.html", page_text)
    words = {lang: {"ui": {}, "table": {}} for lang in site.LANGS}
    inputs = site.SiteInputs(results=object(), figures={}, tables={}, words=words)  # type: ignore[arg-type]
    renderer = site.SiteRenderer(inputs, content_dir=content, templates_dir=templates, langs=("en",), banners=[])
    renderer._context = lambda lang, page, helpers: {}  # the results are not needed here
    return renderer


@pytest.mark.parametrize("page_text, where, what", [
    ("<p>\n{% if %}\n</p>", ":2: ", "Expected an expression"),
    ("<p>\n\n{{ no_such_thing.title }}</p>", ":3: ", "'no_such_thing' is undefined"),
])
def test_a_template_error_in_page_html_names_the_file_and_line(tmp_path, page_text, where, what):
    renderer = make_renderer(tmp_path, page_text)
    with pytest.raises(SiteError) as caught:
        renderer.render_all(tmp_path / "out")
    message = str(caught.value)
    assert message.startswith(str(tmp_path / "templates" / "page.html") + where) and what in message
    assert "\n" not in message and caught.value.__cause__ is not None


def test_an_exception_raised_by_the_markdown_names_the_file_and_line(tmp_path):
    renderer = make_renderer(tmp_path, "{{ body }}", body="One.\n\n{{ 1 // 0 }}")
    with pytest.raises(SiteError) as caught:
        renderer.render_all(tmp_path / "out")
    assert str(caught.value) == f"{tmp_path / 'content' / 'en' / 'index.md'}:8: ZeroDivisionError: integer division or modulo by zero"
    assert isinstance(caught.value.__cause__, ZeroDivisionError)
