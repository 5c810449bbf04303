"""The store: hits and misses by key, integrity records with time and libraries, old entries kept, clearing
only what it wrote. (The key recipe itself is tested in test_keys.py.)"""

import logging

import pytest

from mnistreport.engine.store import MARKER, CacheError, Store


def run(store, key, counter):
    def compute():
        counter.append(1)
        return {"value": len(counter)}

    entry = store.get_or_make(key, "value", compute)
    return entry.value, entry.hit


def test_hit_after_miss_and_a_new_key_misses(tmp_path):
    calls = []
    cache = Store(tmp_path)
    assert run(cache, "a" * 32, calls) == ({"value": 1}, False)
    assert run(cache, "a" * 32, calls) == ({"value": 1}, True)
    assert run(cache, "b" * 32, calls) == ({"value": 2}, False)
    assert len(calls) == 2


def test_going_back_to_an_old_key_finds_the_old_value_not_the_newer_one(tmp_path):
    # two versions of the code (two keys) never overwrite each other: reverting is a hit with the first value
    calls = []
    cache = Store(tmp_path)
    first, _ = run(cache, "1" * 32, calls)
    run(cache, "2" * 32, calls)
    again, hit = run(cache, "1" * 32, calls)
    assert hit and again == first == {"value": 1}


def test_truncated_entry_is_recomputed_with_a_warning(tmp_path, caplog):
    calls = []
    cache = Store(tmp_path)
    run(cache, "a" * 32, calls)
    (entry,) = list(tmp_path.rglob("*.pkl"))
    entry.write_bytes(entry.read_bytes()[:5])
    with caplog.at_level(logging.WARNING):
        assert run(cache, "a" * 32, calls) == ({"value": 2}, False)
    assert "does not match its record" in caplog.text
    assert run(cache, "a" * 32, calls)[1]  # the rewritten entry is good


def test_same_size_corruption_and_a_missing_record_are_caught(tmp_path):
    calls = []
    cache = Store(tmp_path)
    run(cache, "a" * 32, calls)
    (entry,) = list(tmp_path.rglob("*.pkl"))
    data = bytearray(entry.read_bytes())
    data[-2] ^= 0xFF
    entry.write_bytes(bytes(data))
    assert not run(cache, "a" * 32, calls)[1]
    entry.with_suffix(".json").unlink()
    assert not run(cache, "a" * 32, calls)[1]
    assert len(calls) == 3


def test_a_truncated_figure_is_redrawn_not_published(tmp_path):
    cache = Store(tmp_path)
    drawn = []

    def make(path):
        drawn.append(1)
        path.write_bytes(b"\x89PNG" + b"x" * 100)

    entry = cache.get_or_make("c" * 32, "file", make)
    assert not entry.hit
    entry.path.write_bytes(entry.path.read_bytes()[:20])
    entry = cache.get_or_make("c" * 32, "file", make)
    assert not entry.hit and len(drawn) == 2 and entry.path.stat().st_size == 104


def test_a_changed_asset_folder_is_rewritten(tmp_path):
    cache = Store(tmp_path)
    made = []

    def make(folder):
        made.append(1)
        (folder / "sheets").mkdir()
        (folder / "sheets" / "0.png").write_bytes(b"sheet")
        (folder / "points.bin").write_bytes(b"points")

    folder = cache.get_or_make("d" * 32, "folder", make).path
    assert cache.get_or_make("d" * 32, "folder", make).hit
    (folder / "sheets" / "0.png").unlink()
    entry = cache.get_or_make("d" * 32, "folder", make)
    assert not entry.hit and (entry.path / "sheets" / "0.png").read_bytes() == b"sheet" and len(made) == 2


def test_force_recomputes(tmp_path):
    calls = []
    run(Store(tmp_path), "a" * 32, calls)
    assert not run(Store(tmp_path, force=True), "a" * 32, calls)[1]
    assert len(calls) == 2


def test_failed_computation_writes_no_entry(tmp_path):
    def boom():
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        Store(tmp_path).get_or_make("a" * 32, "value", boom)
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]


def test_clear_removes_only_what_the_cache_wrote(tmp_path):
    calls = []
    cache = Store(tmp_path)
    run(cache, "a" * 32, calls)
    cache.get_or_make("c" * 32, "file", lambda p: p.write_bytes(b"png"))
    mine = tmp_path / "entries" / "holiday.jpg"
    mine.write_bytes(b"a user's file")
    assert cache.clear() == 4  # the result, the figure and their two records
    assert mine.read_bytes() == b"a user's file"
    assert not list(tmp_path.rglob("*.pkl")) and (tmp_path / MARKER).exists()


def test_clear_refuses_a_folder_that_is_not_a_cache(tmp_path):
    (tmp_path / "entries").mkdir()
    (tmp_path / "entries" / "0123456789abcdef0123456789abcdef.png").write_bytes(b"a user's file")
    with pytest.raises(CacheError, match="is not a mnistreport cache"):
        Store(tmp_path).clear()
    assert (tmp_path / "entries" / "0123456789abcdef0123456789abcdef.png").exists()


def test_the_cache_will_not_write_into_someone_elses_folder(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(CacheError, match="not a mnistreport cache"):
        run(Store(tmp_path), "a" * 32, [])


def test_stale_temporary_files_are_removed(tmp_path):
    cache = Store(tmp_path)
    run(cache, "a" * 32, [])
    stale = cache.path("a" * 32, "value").parent / ".tmp-abc.pkl"
    stale.write_bytes(b"half")
    (tmp_path / "entries" / "dd").mkdir()
    (tmp_path / "entries" / "dd" / ".tmp-xyz").mkdir()
    assert cache.remove_stale_temporaries() == 2
    assert not stale.exists() and not (tmp_path / "entries" / "dd" / ".tmp-xyz").exists()
    assert run(cache, "a" * 32, [])[1]


def test_a_folder_holding_only_the_build_lock_becomes_a_cache(tmp_path):
    (tmp_path / "build.lock").write_text("")
    assert run(Store(tmp_path), "a" * 32, []) == ({"value": 1}, False)


def test_a_hit_reports_the_time_and_the_libraries_recorded_when_it_ran(tmp_path):
    import time

    cache = Store(tmp_path)
    made = cache.get_or_make("a" * 32, "value", lambda: time.sleep(0.05) or 1, libraries={"numpy": "2.0"})
    assert not made.hit and made.record.seconds >= 0.05 and made.record.made
    found = Store(tmp_path).get_or_make("a" * 32, "value", lambda: 2, libraries={"numpy": "9.9"})
    assert found.hit and found.value == 1
    assert (found.record.seconds, found.record.libraries, found.record.made) == (made.record.seconds, {"numpy": "2.0"},
                                                                                made.record.made)


def test_an_entry_made_in_another_process_is_adopted_with_its_record(tmp_path):
    cache = Store(tmp_path)
    temporary = cache.temporary("e" * 32, "file")
    temporary.write_bytes(b"drawn elsewhere")
    entry = cache.adopt("e" * 32, "file", None, 1.5, {"matplotlib": "3.9"}, made=temporary)
    assert not temporary.exists() and entry.path.read_bytes() == b"drawn elsewhere"
    again = cache.lookup("e" * 32, "file")
    assert again is not None and again.hit and again.record.libraries == {"matplotlib": "3.9"}
