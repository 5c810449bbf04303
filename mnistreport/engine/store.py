"""On-disk cache for the expensive analyses, the drawn figures and the written assets.

An entry's key is derived (see ``pipeline.py`` and ``outputs.py``): a stable
identity (a step's field, a figure's name), the config sections it declares,
the data checksum, the keys of the steps it uses and the fingerprint of the
code it can reach (``fingerprint.py``). Entries for other code or settings
stay where they are, so going back to old code finds its old entries.

Every entry is written atomically (a temporary name, then ``os.replace``) and
recorded with its size and SHA-256 in a ``.sum`` file written after it; an
entry whose record is missing or does not match is reported, removed and
recomputed, never used. The cache folder carries a marker file, and ``clear``
removes only what this code wrote, and only from a folder with that marker.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import pickle
import re
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

CACHE_FORMAT = 3  # bump when the layout of entries changes (3: a result stored with its compute time)
MARKER = "mnistreport-cache.json"
LOCK = "build.lock"  # taken by the command line while it builds (cli.build_lock)
_KINDS = ("results", "figures", "assets", "templates")
# the names this code gives entries (and Jinja's compiled templates, see site.py)
_ENTRY = re.compile(r"^([0-9a-f]{32}(\.[a-z]+)?|__jinja2_[0-9a-f]+\.cache)$")
_TEMPORARY = ".tmp-"


@contextlib.contextmanager
def file_lock(path: Path, busy: str) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (created with its folder); if another process holds it, log
    ``busy`` once and wait. Used for one build per cache folder and one writer per site folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.warning("%s", busy)
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class CacheError(Exception):
    """A cache folder that is not ours to change (named in the message)."""


def cache_key(identity: str, parts: Any) -> str:
    """The entry name for one computation: its identity and everything it depends on (JSON-able)."""
    blob = json.dumps({"format": CACHE_FORMAT, "identity": identity, "parts": parts}, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class StepRecord:
    """How one step of the build went: for the end-of-build table and the about page."""

    name: str
    seconds: float  # how long the computation took when it ran (for a cached step, in the build that ran it)
    cached: bool
    key: str = ""  # the cache key of the step's result; figures drawn from it are keyed on it
    field: str = ""  # the step's identity (its Results field)


def _file_sum(path: Path) -> dict[str, Any]:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return {"bytes": path.stat().st_size, "sha256": digest.hexdigest()}


def _folder_sums(folder: Path) -> dict[str, Any]:
    return {p.relative_to(folder).as_posix(): _file_sum(p) for p in sorted(folder.rglob("*")) if p.is_file()}


def _sum_path(entry: Path) -> Path:
    return entry.with_name(entry.name.split(".")[0] + ".sum")


class Cache:
    """Pickled step results under ``root/results``, figures under ``root/figures``, assets under ``root/assets``.

    ``enabled=False`` turns it into a pass-through; ``force=True`` recomputes and overwrites.
    """

    def __init__(self, root: Path, *, enabled: bool = True, force: bool = False) -> None:
        self.root = root
        self.enabled = enabled
        self.force = force

    # --- integrity --------------------------------------------------------------

    def _claim(self) -> None:
        """Create the cache folder with its marker (refusing a non-empty folder that is not a cache)."""
        marker = self.root / MARKER
        if marker.is_file():
            return
        if self.root.exists():
            others = [p.name for p in self.root.iterdir() if p.name not in (*_KINDS, LOCK)]
            if others and not any((self.root / kind).is_dir() for kind in _KINDS):
                raise CacheError(f"{self.root} is not empty and is not a mnistreport cache (no {MARKER}); "
                                 "choose another --cache-dir")
        self.root.mkdir(parents=True, exist_ok=True)
        marker.write_text(json.dumps({"mnistreport cache format": CACHE_FORMAT}) + "\n", encoding="utf-8")

    def _valid(self, entry: Path, sums: Callable[[Path], Any]) -> bool:
        """True if ``entry`` exists and matches its recorded sums; a mismatch is removed with a warning."""
        record = _sum_path(entry)
        if not entry.exists():
            record.unlink(missing_ok=True)
            return False
        try:
            expected = json.loads(record.read_text(encoding="utf-8"))
            found = sums(entry)
        except (OSError, ValueError) as exc:
            expected, found = f"a readable record ({type(exc).__name__})", None
        if expected == found:
            return True
        log.warning("cache entry %s does not match its record (expected %s, found %s); recomputing it",
                    entry, _short(expected), _short(found))
        self._remove(entry)
        return False

    def _record(self, entry: Path, sums: Callable[[Path], Any]) -> None:
        self._atomic_text(_sum_path(entry), json.dumps(sums(entry), sort_keys=True))

    @staticmethod
    def _atomic_text(path: Path, text: str) -> None:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=_TEMPORARY)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)

    @staticmethod
    def _remove(entry: Path) -> None:
        _sum_path(entry).unlink(missing_ok=True)
        if entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)

    # --- entries ----------------------------------------------------------------

    def result_path(self, field: str, key: str) -> Path:
        return self.root / "results" / field / f"{key}.pkl"

    def run(self, field: str, compute: Callable[[], T], *, key: str) -> tuple[T, bool, float]:
        """The cached value for ``key`` (of the step filling ``field``), computed on a miss.

        Returns (value, hit, seconds): ``seconds`` is how long the computation took when it ran,
        stored with the value, so a cached build reports the same times as the build that computed.
        """
        path = self.result_path(field, key)
        if self.enabled and not self.force and self._valid(path, _file_sum):
            try:
                with path.open("rb") as handle:
                    entry = pickle.load(handle)
                return entry["value"], True, entry["seconds"]
            except Exception as exc:  # another library version, ...
                log.warning("cache entry %s cannot be read (%s: %s); recomputing it", path, type(exc).__name__, exc)
                self._remove(path)
        started = time.perf_counter()
        value = compute()
        seconds = time.perf_counter() - started
        if self.enabled:
            entry = pickle.dumps({"value": value, "seconds": seconds}, protocol=pickle.HIGHEST_PROTOCOL)
            self._write(path, lambda tmp: tmp.write_bytes(entry), _file_sum)
        return value, False, seconds

    def _write(self, path: Path, make: Callable[[Path], None], sums: Callable[[Path], Any],
               folder: bool = False) -> None:
        """Make an entry under a temporary name, move it into place, then record its sums."""
        self._claim()
        path.parent.mkdir(parents=True, exist_ok=True)
        if folder:
            tmp = Path(tempfile.mkdtemp(dir=path.parent, prefix=_TEMPORARY))
        else:
            fd, name = tempfile.mkstemp(dir=path.parent, prefix=_TEMPORARY, suffix=path.suffix)
            os.close(fd)
            tmp = Path(name)
        try:
            make(tmp)
            _sum_path(path).unlink(missing_ok=True)  # no record while the entry changes
            if folder and path.exists():
                shutil.rmtree(path)
            os.replace(tmp, path)
        except BaseException:
            if tmp.is_dir():
                shutil.rmtree(tmp, ignore_errors=True)
            else:
                tmp.unlink(missing_ok=True)
            raise
        self._record(path, sums)

    def file(self, key: str, suffix: str, make: Callable[[Path], None]) -> tuple[Path, bool]:
        """A cached file (a drawn figure): ``make(path)`` writes it on a miss. Returns (path, hit)."""
        path = self.root / "figures" / f"{key}{suffix}"
        if self.enabled and not self.force and self._valid(path, _file_sum):
            return path, True
        self._write(path, make, _file_sum)
        return path, False

    def folder(self, key: str, make: Callable[[Path], None]) -> tuple[Path, bool]:
        """A cached folder of files (an asset): ``make(folder)`` fills it on a miss. Returns (folder, hit)."""
        path = self.root / "assets" / key
        if self.enabled and not self.force and self._valid(path, _folder_sums):
            return path, True
        self._write(path, make, _folder_sums, folder=True)
        return path, False

    # --- housekeeping -----------------------------------------------------------

    def remove_stale_temporaries(self) -> int:
        """Remove ``.tmp-*`` files left by a killed build; call only while holding the build lock."""
        removed = 0
        for kind in _KINDS:
            folder = self.root / kind
            if not folder.is_dir():
                continue
            for path in folder.rglob(f"{_TEMPORARY}*"):
                if path.is_dir():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)
                removed += 1
        return removed

    def clear(self) -> int:
        """Remove every entry this code wrote; return how many files were removed.

        Refuses a folder without the cache marker, and leaves any file whose name
        is not one this code gives entries.
        """
        if not self.root.exists():
            return 0
        if not (self.root / MARKER).is_file():
            raise CacheError(f"{self.root} is not a mnistreport cache (no {MARKER}); nothing was removed")
        removed = 0
        for kind in _KINDS:
            folder = self.root / kind
            if not folder.is_dir():
                continue
            for path in sorted(folder.rglob("*"), key=lambda p: len(p.parts), reverse=True):
                if not (_ENTRY.match(path.name) or path.name.startswith(_TEMPORARY)):
                    continue
                if path.is_dir():
                    removed += sum(1 for p in path.rglob("*") if p.is_file())
                    shutil.rmtree(path)
                elif path.exists():
                    path.unlink()
                    removed += 1
            for empty in sorted(folder.rglob("*"), key=lambda p: len(p.parts), reverse=True) + [folder]:
                if empty.is_dir() and not any(empty.iterdir()):
                    empty.rmdir()
        return removed


def _short(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, default=str) if not isinstance(value, str) else value
    return text if len(text) <= 120 else text[:117] + "..."

