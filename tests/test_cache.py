"""The cache: hits and misses by key, integrity records, old entries kept, clearing only what it wrote."""

import logging

import pytest

from mnistreport.engine.store import MARKER, Cache, CacheError, cache_key


def run(cache, key, counter, field="step"):
    def compute():
        counter.append(1)
        return {"value": len(counter)}

    return cache.run(field, compute, key=key)[:2]


def test_hit_after_miss_and_a_new_key_misses(tmp_path):
    calls = []
    cache = Cache(tmp_path)
    assert run(cache, "a" * 32, calls) == ({"value": 1}, False)
    assert run(cache, "a" * 32, calls) == ({"value": 1}, True)
    assert run(cache, "b" * 32, calls) == ({"value": 2}, False)
    assert len(calls) == 2


def test_keys_depend_on_identity_and_every_part():
    base = cache_key("step tsne", {"config": {"tsne": {"seed": 0}}, "code": "x"})
    assert base == cache_key("step tsne", {"code": "x", "config": {"tsne": {"seed": 0}}})  # order-free
    assert base != cache_key("step tsne", {"config": {"tsne": {"seed": 1}}, "code": "x"})
    assert base != cache_key("step tsne", {"config": {"tsne": {"seed": 0}}, "code": "y"})
    assert base != cache_key("step all_map", {"config": {"tsne": {"seed": 0}}, "code": "x"})


def test_going_back_to_an_old_key_finds_the_old_value_not_the_newer_one(tmp_path):
    # two versions of the code (two keys) never overwrite each other: reverting is a hit with the first value
    calls = []
    cache = Cache(tmp_path)
    first, _ = run(cache, "1" * 32, calls)
    run(cache, "2" * 32, calls)
    again, hit = run(cache, "1" * 32, calls)
    assert hit and again == first == {"value": 1}


def test_truncated_entry_is_recomputed_with_a_warning(tmp_path, caplog):
    calls = []
    cache = Cache(tmp_path)
    run(cache, "a" * 32, calls)
    (entry,) = list(tmp_path.rglob("*.pkl"))
    entry.write_bytes(entry.read_bytes()[:5])
    with caplog.at_level(logging.WARNING):
        assert run(cache, "a" * 32, calls) == ({"value": 2}, False)
    assert "does not match its record" in caplog.text
    assert run(cache, "a" * 32, calls)[1]  # the rewritten entry is good


def test_same_size_corruption_and_a_missing_record_are_caught(tmp_path):
    calls = []
    cache = Cache(tmp_path)
    run(cache, "a" * 32, calls)
    (entry,) = list(tmp_path.rglob("*.pkl"))
    data = bytearray(entry.read_bytes())
    data[-2] ^= 0xFF
    entry.write_bytes(bytes(data))
    assert not run(cache, "a" * 32, calls)[1]
    entry.with_suffix(".sum").unlink()
    assert not run(cache, "a" * 32, calls)[1]
    assert len(calls) == 3


def test_a_truncated_figure_is_redrawn_not_published(tmp_path):
    cache = Cache(tmp_path)
    drawn = []

    def make(path):
        drawn.append(1)
        path.write_bytes(b"\x89PNG" + b"x" * 100)

    path, hit = cache.file("c" * 32, ".png", make)
    assert not hit
    path.write_bytes(path.read_bytes()[:20])
    path, hit = cache.file("c" * 32, ".png", make)
    assert not hit and len(drawn) == 2 and path.stat().st_size == 104


def test_a_changed_asset_folder_is_rewritten(tmp_path):
    cache = Cache(tmp_path)
    made = []

    def make(folder):
        made.append(1)
        (folder / "sheets").mkdir()
        (folder / "sheets" / "0.png").write_bytes(b"sheet")
        (folder / "points.bin").write_bytes(b"points")

    folder, _ = cache.folder("d" * 32, make)
    assert cache.folder("d" * 32, make)[1]
    (folder / "sheets" / "0.png").unlink()
    folder, hit = cache.folder("d" * 32, make)
    assert not hit and (folder / "sheets" / "0.png").read_bytes() == b"sheet" and len(made) == 2


def test_force_recomputes(tmp_path):
    calls = []
    run(Cache(tmp_path), "a" * 32, calls)
    assert not run(Cache(tmp_path, force=True), "a" * 32, calls)[1]
    assert len(calls) == 2


def test_failed_computation_writes_no_entry(tmp_path):
    def boom():
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        Cache(tmp_path).run("step", boom, key="a" * 32)
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]


def test_clear_removes_only_what_the_cache_wrote(tmp_path):
    calls = []
    cache = Cache(tmp_path)
    run(cache, "a" * 32, calls)
    cache.file("c" * 32, ".png", lambda p: p.write_bytes(b"png"))
    mine = tmp_path / "figures" / "holiday.jpg"
    mine.write_bytes(b"a user's file")
    assert cache.clear() == 4  # the result, the figure and their two records
    assert mine.read_bytes() == b"a user's file"
    assert not list(tmp_path.rglob("*.pkl")) and (tmp_path / MARKER).exists()


def test_clear_refuses_a_folder_that_is_not_a_cache(tmp_path):
    (tmp_path / "figures").mkdir()
    (tmp_path / "figures" / "0123456789abcdef0123456789abcdef.png").write_bytes(b"a user's file")
    with pytest.raises(CacheError, match="is not a mnistreport cache"):
        Cache(tmp_path).clear()
    assert (tmp_path / "figures" / "0123456789abcdef0123456789abcdef.png").exists()


def test_the_cache_will_not_write_into_someone_elses_folder(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(CacheError, match="not a mnistreport cache"):
        run(Cache(tmp_path), "a" * 32, [])


def test_stale_temporary_files_are_removed(tmp_path):
    cache = Cache(tmp_path)
    run(cache, "a" * 32, [])
    stale = tmp_path / "results" / "step" / ".tmp-abc.pkl"
    stale.write_bytes(b"half")
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / ".tmp-xyz").mkdir()
    assert cache.remove_stale_temporaries() == 2
    assert not stale.exists() and not (tmp_path / "assets" / ".tmp-xyz").exists()
    assert run(cache, "a" * 32, [])[1]


def test_a_folder_holding_only_the_build_lock_becomes_a_cache(tmp_path):
    (tmp_path / "build.lock").write_text("")
    assert run(Cache(tmp_path), "a" * 32, []) == ({"value": 1}, False)


def test_a_hit_reports_the_time_the_computation_took_when_it_ran(tmp_path):
    import time

    cache = Cache(tmp_path)
    _, hit, seconds = cache.run("step", lambda: time.sleep(0.05) or 1, key="a" * 32)
    assert not hit and seconds >= 0.05
    assert cache.run("step", lambda: 2, key="a" * 32) == (1, True, seconds)
