"""On-disk cache for the expensive analyses.

A cached result is keyed on the step's name, its parameters, the checksum of the
data it reads and the source code of the modules that compute it, so editing
Markdown or a template never invalidates it, while editing ``grid.py`` does.
Entries are pickles written atomically (temporary file, then ``os.replace``);
one that cannot be read is recomputed with a warning, never a crash.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import pickle
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Iterable, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

CACHE_FORMAT = 1  # bump when the layout of entries changes


@functools.lru_cache(maxsize=None)
def _module_digest(name: str, path: str) -> bytes:
    """SHA-256 of one module's source, read once per process: the code that is running."""
    return hashlib.sha256(name.encode() + b"\0" + Path(path).read_bytes()).digest()


def code_fingerprint(modules: Iterable[ModuleType]) -> str:
    """SHA-256 over the source files of ``modules``: changes when their code changes."""
    digest = hashlib.sha256()
    for module in sorted(modules, key=lambda m: m.__name__):
        digest.update(_module_digest(module.__name__, module.__file__ or ""))
    return digest.hexdigest()


def cache_key(step: str, params: Any, data_checksum: str, code: str) -> str:
    """The entry name for one computation (parameters must be JSON-able)."""
    blob = json.dumps(
        {"format": CACHE_FORMAT, "step": step, "params": params, "data": data_checksum, "code": code},
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(blob.encode()).hexdigest()[:32]


def step_key(step: str, params: Any, data_checksum: str, modules: Iterable[ModuleType]) -> str:
    """The cache key of one step: its name, parameters, the data and the code of ``modules``."""
    return cache_key(step, params, data_checksum, code_fingerprint(modules))


@dataclass(frozen=True)
class StepRecord:
    """How one step of the build went: for the end-of-build table and the about page."""

    name: str
    seconds: float
    cached: bool
    key: str = ""  # the cache key of the step's result; figures drawn from it are keyed on it


class Cache:
    """Pickled step results under ``root/results`` and drawn figures under ``root/figures``.

    ``enabled=False`` turns it into a pass-through; ``force=True`` recomputes and overwrites.
    """

    def __init__(self, root: Path, *, enabled: bool = True, force: bool = False) -> None:
        self.root = root
        self.enabled = enabled
        self.force = force

    def _path(self, step: str, key: str) -> Path:
        return self.root / "results" / step.replace(" ", "-") / f"{key}.pkl"

    def _read(self, path: Path) -> tuple[bool, Any]:
        """Return (found, value); an unreadable entry counts as not found and is removed."""
        if not path.exists():
            return False, None
        try:
            with path.open("rb") as fh:
                return True, pickle.load(fh)
        except Exception as exc:  # truncated file, other library version, ...
            log.warning("cache entry %s cannot be read (%s: %s); recomputing it", path, type(exc).__name__, exc)
            path.unlink(missing_ok=True)
            return False, None

    def _write(self, path: Path, value: Any) -> None:
        """Write atomically, so a crash or a second build never sees half an entry."""
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".pkl")
        try:
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def run(
        self,
        step: str,
        compute: Callable[[], T],
        *,
        params: Any,
        data_checksum: str,
        modules: Iterable[ModuleType],
    ) -> tuple[T, StepRecord]:
        """Return the cached result of ``compute`` for this key, computing it on a miss."""
        started = time.perf_counter()
        key = step_key(step, params, data_checksum, modules)
        path = self._path(step, key)
        if self.enabled and not self.force:
            found, value = self._read(path)
            if found:
                return value, StepRecord(step, time.perf_counter() - started, cached=True, key=key)
        value = compute()
        if self.enabled:
            self._write(path, value)
        return value, StepRecord(step, time.perf_counter() - started, cached=False, key=key)

    def file(self, key: str, suffix: str, make: Callable[[Path], None]) -> tuple[Path, bool]:
        """A cached file (a drawn figure): ``make(path)`` writes it on a miss. Returns (path, hit)."""
        path = self.root / "figures" / f"{key}{suffix}"
        if self.enabled and not self.force and path.is_file():
            return path, True
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=suffix)
        os.close(fd)
        try:
            make(Path(tmp))
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return path, False

    def folder(self, key: str, make: Callable[[Path], None]) -> tuple[Path, bool]:
        """A cached folder of files (an asset): ``make(folder)`` fills it on a miss. Returns (folder, hit)."""
        path = self.root / "assets" / key
        if self.enabled and not self.force and path.is_dir():
            return path, True
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=path.parent, prefix=".tmp-"))
        try:
            make(tmp)
            if path.exists():  # --force, or a cache turned off: replace the old entry
                shutil.rmtree(path)
            os.replace(tmp, path)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return path, False

    def clear(self) -> int:
        """Remove every cached result and figure; return how many files were removed."""
        removed = 0
        for folder in (self.root / "results", self.root / "figures", self.root / "assets", self.root / "templates"):
            if folder.exists():
                removed += sum(1 for p in folder.rglob("*") if p.is_file())
                shutil.rmtree(folder)
        return removed
