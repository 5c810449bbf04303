import logging

import pytest

from mnistreport import cache as cache_module
from mnistreport import config as some_module
from mnistreport.cache import Cache


def run(cache, params, counter, data="d1"):
    def compute():
        counter.append(1)
        return {"value": len(counter)}

    return cache.run("step", compute, params=params, data_checksum=data, modules=[some_module])


def test_hit_after_miss(tmp_path):
    calls = []
    cache = Cache(tmp_path)
    first, record1 = run(cache, {"a": 1}, calls)
    second, record2 = run(cache, {"a": 1}, calls)
    assert first == second and len(calls) == 1
    assert not record1.cached and record2.cached


def test_parameter_and_data_changes_miss(tmp_path):
    calls = []
    cache = Cache(tmp_path)
    run(cache, {"a": 1}, calls)
    run(cache, {"a": 2}, calls)
    run(cache, {"a": 1}, calls, data="d2")
    assert len(calls) == 3


def test_code_change_misses(tmp_path, monkeypatch):
    calls = []
    cache = Cache(tmp_path)
    run(cache, {}, calls)
    monkeypatch.setattr(cache_module, "code_fingerprint", lambda modules: "other code")
    run(cache, {}, calls)
    assert len(calls) == 2


def test_corrupt_entry_is_recomputed_with_a_warning(tmp_path, caplog):
    calls = []
    cache = Cache(tmp_path)
    run(cache, {}, calls)
    (entry,) = list(tmp_path.rglob("*.pkl"))
    entry.write_bytes(entry.read_bytes()[:5])
    with caplog.at_level(logging.WARNING):
        value, record = run(cache, {}, calls)
    assert value == {"value": 2} and not record.cached
    assert "cannot be read" in caplog.text
    assert run(cache, {}, calls)[1].cached  # the rewritten entry is good


def test_force_recomputes_and_clear_empties(tmp_path):
    calls = []
    run(Cache(tmp_path), {}, calls)
    run(Cache(tmp_path, force=True), {}, calls)
    assert len(calls) == 2
    assert Cache(tmp_path).clear() == 1
    assert not list(tmp_path.rglob("*.pkl"))


def test_failed_computation_writes_nothing(tmp_path):
    def boom():
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        Cache(tmp_path).run("step", boom, params={}, data_checksum="d", modules=[some_module])
    assert not list(tmp_path.rglob("*"))
