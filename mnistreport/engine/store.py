"""The on-disk store of results: one API for a value, a file or a folder.

An entry is named by its key (``keys.key``: what it was made from), so entries for
other code, settings or library releases stay where they are and going back finds
them. :meth:`Store.get_or_make` returns the stored entry or makes it; every entry is
written under a temporary name, moved into place (``os.replace``), then recorded in a
``<key>.json`` beside it: its size and SHA-256, how long it took to make, the library
versions that made it and when. An entry whose record is missing or does not match is
reported, removed and made again, never used. The folder carries a marker file, and
:meth:`Store.clear` removes only what this code wrote, and only from a folder with it.
"""

from __future__ import annotations

import contextlib
import datetime
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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Literal

from mnistreport.errors import ReportError

log = logging.getLogger(__name__)

STORE_FORMAT = 4  # bump when the layout of entries changes (4: one entry kind, records with libraries)
MARKER = "mnistreport-cache.json"
LOCK = "build.lock"  # taken by the command line while it builds (cli.build_lock)
ENTRIES = "entries"
TEMPLATES = "templates"  # Jinja's compiled content templates (see site/pages.py)
# the names this code gives entries, records and Jinja's compiled templates
_ENTRY = re.compile(r"^([0-9a-f]{32}(\.[a-z]+)?|__jinja2_[0-9a-f]+\.cache)$")
_TEMPORARY = ".tmp-"

Form = Literal["value", "file", "folder"]
_SUFFIX = {"value": ".pkl", "file": ".png", "folder": ""}


class CacheError(ReportError):
    """A cache folder that is not ours to change (named in the message)."""


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


@dataclass(frozen=True)
class Record:
    """How one entry was made: how long it took, with which libraries, when; and its size and checksum."""

    seconds: float
    libraries: dict[str, str] = field(default_factory=dict)
    made: str = ""  # UTC, ISO 8601
    sums: Any = None


@dataclass(frozen=True)
class Entry:
    """A stored result: its value (for a value) or its path (a file or folder), and whether it was stored."""

    value: Any
    path: Path
    hit: bool
    record: Record


def _file_sum(path: Path) -> dict[str, Any]:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return {"bytes": path.stat().st_size, "sha256": digest.hexdigest()}


def _sums(path: Path) -> Any:
    if path.is_dir():
        return {p.relative_to(path).as_posix(): _file_sum(p) for p in sorted(path.rglob("*")) if p.is_file()}
    return _file_sum(path)


def _record_path(entry: Path) -> Path:
    return entry.with_name(entry.name.split(".")[0] + ".json")


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


class Store:
    """Entries under ``root/entries``. ``enabled=False`` makes it a pass-through; ``force=True`` remakes."""

    def __init__(self, root: Path, *, enabled: bool = True, force: bool = False) -> None:
        self.root = root
        self.enabled = enabled
        self.force = force

    def path(self, key: str, form: Form) -> Path:
        return self.root / ENTRIES / key[:2] / f"{key}{_SUFFIX[form]}"

    # --- reading ----------------------------------------------------------------

    def lookup(self, key: str, form: Form) -> Entry | None:
        """The valid stored entry for ``key``, or None (a damaged one is reported and removed)."""
        if not self.enabled or self.force:
            return None
        path = self.path(key, form)
        record_path = _record_path(path)
        if not path.exists():
            record_path.unlink(missing_ok=True)
            return None
        try:
            raw = json.loads(record_path.read_text(encoding="utf-8"))
            record = Record(**raw)
            found = _sums(path)
        except (OSError, ValueError, TypeError) as exc:
            record, found = None, None
            expected: Any = f"a readable record ({type(exc).__name__})"
        else:
            expected = record.sums
        if record is None or expected != found:
            log.warning("cache entry %s does not match its record (expected %s, found %s); recomputing it",
                        path, _short(expected), _short(found))
            self._discard(path)
            return None
        value = None
        if form == "value":
            try:
                with path.open("rb") as handle:
                    value = pickle.load(handle)
            except Exception as exc:  # an entry pickled by code that no longer loads it
                log.warning("cache entry %s cannot be read (%s: %s); recomputing it", path, type(exc).__name__, exc)
                self._discard(path)
                return None
        return Entry(value, path, True, record)

    # --- writing ----------------------------------------------------------------

    def get_or_make(self, key: str, form: Form, make: Callable[..., Any],
                    libraries: dict[str, str] | None = None) -> Entry:
        """The stored entry for ``key``, or one made now and stored.

        ``make()`` returns the value (form "value"); ``make(path)`` writes the file or fills the
        folder ``path`` (forms "file", "folder"). ``libraries`` are recorded with the entry.
        """
        found = self.lookup(key, form)
        if found is not None:
            return found
        started = time.perf_counter()
        if form == "value":
            value = make()
            seconds = time.perf_counter() - started
            if not self.enabled:
                return Entry(value, self.path(key, form), False, Record(seconds, libraries or {}))
            blob = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
            return self.adopt(key, form, lambda tmp: tmp.write_bytes(blob), seconds, libraries, value=value)
        return self.adopt(key, form, make, None, libraries, started=started)

    def put(self, key: str, value: Any, seconds: float, libraries: dict[str, str] | None = None) -> Entry:
        """Store a value computed elsewhere (a worker process), recording how long it took there."""
        if not self.enabled:
            return Entry(value, self.path(key, "value"), False, Record(round(seconds, 3), dict(libraries or {})))
        blob = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        return self.adopt(key, "value", lambda tmp: tmp.write_bytes(blob), seconds, libraries, value=value)

    def temporary(self, key: str, form: Form) -> Path:
        """A fresh temporary path beside where ``key``'s entry goes (for a maker in another process)."""
        self._claim()
        target = self.path(key, form)
        target.parent.mkdir(parents=True, exist_ok=True)
        if form == "folder":
            return Path(tempfile.mkdtemp(dir=target.parent, prefix=_TEMPORARY))
        fd, name = tempfile.mkstemp(dir=target.parent, prefix=_TEMPORARY, suffix=target.suffix)
        os.close(fd)
        return Path(name)

    def adopt(self, key: str, form: Form, make: Callable[[Path], Any] | None, seconds: float | None,
              libraries: dict[str, str] | None, *, value: Any = None, made: Path | None = None,
              started: float | None = None) -> Entry:
        """Store an entry: ``make(tmp)`` writes it (or ``made`` is a temporary path already written),
        then it is moved into place and recorded. Nothing half-written is ever left under its key."""
        tmp = made if made is not None else self.temporary(key, form)
        path = self.path(key, form)
        try:
            if make is not None:
                make(tmp)
            if seconds is None:
                seconds = time.perf_counter() - (started or time.perf_counter())
            _record_path(path).unlink(missing_ok=True)  # no record while the entry changes
            if form == "folder" and path.exists():
                shutil.rmtree(path)
            os.replace(tmp, path)
        except BaseException:
            _remove(tmp)
            raise
        record = Record(round(seconds, 3), dict(libraries or {}),
                        datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"), _sums(path))
        self._atomic_text(_record_path(path), json.dumps(record.__dict__, sort_keys=True))
        return Entry(value, path, False, record)

    # --- integrity and housekeeping ---------------------------------------------

    def check_ours(self) -> None:
        """Raise CacheError for a folder that exists, is not empty and is not a mnistreport cache."""
        if (self.root / MARKER).is_file() or not self.root.exists():
            return
        if not self.root.is_dir():
            raise CacheError(f"{self.root}: --cache-dir must be a folder, found a file")
        others = [p.name for p in self.root.iterdir() if p.name not in (ENTRIES, TEMPLATES, LOCK)]
        if others:
            raise CacheError(f"{self.root} is not empty and is not a mnistreport cache (no {MARKER}); "
                             "choose another --cache-dir")

    def _claim(self) -> None:
        """Create the cache folder with its marker (refusing a non-empty folder that is not a cache)."""
        if (self.root / MARKER).is_file():
            return
        self.check_ours()
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / MARKER).write_text(json.dumps({"mnistreport cache format": STORE_FORMAT}) + "\n", encoding="utf-8")

    def _discard(self, entry: Path) -> None:
        _record_path(entry).unlink(missing_ok=True)
        _remove(entry)

    @staticmethod
    def _atomic_text(path: Path, text: str) -> None:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=_TEMPORARY)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)

    def remove_stale_temporaries(self) -> int:
        """Remove ``.tmp-*`` files left by a killed build; call only while holding the build lock."""
        removed = 0
        for kind in (ENTRIES, TEMPLATES):
            folder = self.root / kind
            if not folder.is_dir():
                continue
            for path in folder.rglob(f"{_TEMPORARY}*"):
                _remove(path)
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
        for kind in (ENTRIES, TEMPLATES):
            folder = self.root / kind
            if not folder.is_dir():
                continue
            for path in sorted(folder.rglob("*"), key=lambda p: len(p.parts), reverse=True):
                if not path.exists() or not (_ENTRY.match(path.name) or path.name.startswith(_TEMPORARY)):
                    continue
                if path.is_dir():
                    removed += sum(1 for p in path.rglob("*") if p.is_file())
                    shutil.rmtree(path)
                else:
                    path.unlink()
                    removed += 1
            for empty in sorted(folder.rglob("*"), key=lambda p: len(p.parts), reverse=True) + [folder]:
                if empty.is_dir() and not any(empty.iterdir()):
                    empty.rmdir()
        return removed


def _short(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, default=str) if not isinstance(value, str) else value
    return text if len(text) <= 120 else text[:117] + "..."
