"""Publishing: the site written into a staging folder, checked, then swapped into place in one step.

A failed build leaves the previous site untouched; ``--out`` replaces only a folder this
program wrote (it carries :data:`SITE_MARKER`), and builds writing the same folder take turns.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import json
import logging
import math
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any, Callable, Mapping

from mnistreport.engine.store import file_lock
from mnistreport.website.content import SiteError
from mnistreport.website.links import check_links

log = logging.getLogger(__name__)

def _json_safe(value: Any) -> Any:
    """NaN and infinities (a measure that does not apply) become null: strict JSON has no NaN."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    return value


def write_new(path: Path, text: str) -> None:
    """Write ``path`` as a new file (its folder created): a hard link to a published file is replaced, never
    written through, so the preview's staging folder never changes the site being served."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    path.write_text(text, encoding="utf-8")


def write_json(path: Path, payload: Any) -> None:
    """Write strict JSON with a trailing newline, creating the folder."""
    write_new(path, json.dumps(_json_safe(payload), indent=2, ensure_ascii=False, allow_nan=False) + "\n")


#: The file every site this program writes carries at its top: ``--out`` replaces only a folder that has it.
SITE_MARKER = ".mnistreport-site"
_MARKER_TEXT = "Written by mnistreport (python build.py). The next build replaces this whole folder.\n"
#: What a site written before the marker existed always holds: such a folder is ours too.
_LEGACY_SITE_FILES = (".nojekyll", "sitemap.xml", "data/results.json")


def check_out_dir(out_dir: Path) -> None:
    """Raise SiteError unless ``out_dir`` is absent, empty, or a site this program wrote (it has SITE_MARKER).

    A build replaces the whole output folder, so a folder of anything else (a clone, a home
    folder given by mistake) is refused before a single file is touched.
    """
    if not out_dir.exists() and not out_dir.is_symlink():
        return
    if not out_dir.is_dir():
        raise SiteError(f"{out_dir}: --out must be a folder for the site, found a file")
    if (out_dir / SITE_MARKER).is_file() or all((out_dir / name).is_file() for name in _LEGACY_SITE_FILES):
        return
    if next(out_dir.iterdir(), None) is not None:
        raise SiteError(f"{out_dir}: expected an empty folder or a site written by this program (with "
                        f"{SITE_MARKER}), found other files; nothing was changed: choose another --out")


def _staging_prefix(out_dir: Path) -> str:
    return f".{out_dir.name}.building-"


def staging_dir(out_dir: Path) -> Path:
    """A fresh folder beside ``out_dir`` (same file system, so publishing is a rename)."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=_staging_prefix(out_dir), dir=out_dir.parent))


def remove_stale_staging(out_dir: Path) -> list[Path]:
    """Remove staging folders that killed builds left beside ``out_dir``; return them.

    Call it only while holding :func:`out_lock`: every build keeps its staging folder
    inside that lock, so any staging folder found then belongs to no running build.
    """
    stale = sorted(out_dir.parent.glob(_staging_prefix(out_dir) + "*"))
    for folder in stale:
        log.info("removing %s, left by an interrupted build", folder)
        shutil.rmtree(folder, ignore_errors=True)
    return stale


def out_lock(out_dir: Path) -> contextlib.AbstractContextManager[None]:
    """One writer at a time per output folder (a lock file beside it), whatever cache each build uses."""
    return file_lock(out_dir.parent / f".{out_dir.name}.lock", f"another build is writing {out_dir}; waiting for it to finish")


_AT_FDCWD = -100
_RENAME_EXCHANGE = 2  # Linux renameat2 flag
_RENAME_SWAP = 2  # macOS renamex_np flag


def _exchange(first: Path, second: Path) -> bool:
    """Swap two existing paths in one atomic step; False where the system has no call for it.

    Linux: ``renameat2(..., RENAME_EXCHANGE)`` (kernel 3.15, glibc 2.28); macOS: ``renamex_np(...,
    RENAME_SWAP)``. A file system without support (EINVAL, ENOTSUP, ENOSYS) also gives False.
    """
    libc = ctypes.CDLL(None, use_errno=True)
    a, b = os.fsencode(first), os.fsencode(second)
    if sys.platform.startswith("linux") and hasattr(libc, "renameat2"):
        status = libc.renameat2(ctypes.c_int(_AT_FDCWD), a, ctypes.c_int(_AT_FDCWD), b, ctypes.c_uint(_RENAME_EXCHANGE))
    elif sys.platform == "darwin" and hasattr(libc, "renamex_np"):
        status = libc.renamex_np(a, b, ctypes.c_uint(_RENAME_SWAP))
    else:
        return False
    if status == 0:
        return True
    error = ctypes.get_errno()
    if error in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(error, os.strerror(error), str(second))


def publish(staging: Path, out_dir: Path) -> None:
    """Put the finished staging folder in place of ``out_dir`` in one step: there is always a ``site/``.

    When ``out_dir`` exists, the two folders are exchanged atomically (``_exchange``:
    renameat2 RENAME_EXCHANGE on Linux, renamex_np RENAME_SWAP on macOS), so a reader or
    web server sees either the whole old site or the whole new one, never a missing or
    half-written folder; the old site, now at the staging path, is then deleted. ``out_dir``
    stays a real folder (not a symlink), so tools that upload or serve it need no care.
    Where no exchange call exists, the old folder is renamed away and the new one renamed in,
    two renames a moment apart. A first build renames the staging folder into place.
    """
    if not out_dir.exists():
        os.rename(staging, out_dir)
        return
    if _exchange(staging, out_dir):
        shutil.rmtree(staging, ignore_errors=True)
        return
    old = out_dir.with_name(f"{_staging_prefix(out_dir)}old-{os.getpid()}")
    os.replace(out_dir, old)
    os.replace(staging, out_dir)
    shutil.rmtree(old, ignore_errors=True)


def link_tree(source: Path, target: Path) -> None:
    """``target`` filled with hard links to every file of ``source`` (a copy in no time, on one file system)."""
    for path in source.rglob("*"):
        destination = target / path.relative_to(source)
        if path.is_dir():
            destination.mkdir(parents=True, exist_ok=True)
        else:
            destination.parent.mkdir(parents=True, exist_ok=True)
            os.link(path, destination)


def readable_by_all(folder: Path) -> None:
    """Folders 0755 and files 0644, whatever the umask or ``mkdtemp`` gave: a host serving a copy as
    another user (nginx after ``cp -a``) must be able to read every file."""
    os.chmod(folder, 0o755)
    for path in folder.rglob("*"):
        if not path.is_symlink():
            os.chmod(path, 0o755 if path.is_dir() else 0o644)


def write_site(out_dir: Path, *, write_pages: Callable[[Path], None], start_from_published: bool = False,
               sources: Mapping[str, str] | None = None, changed: Callable[[str], bool] | None = None) -> None:
    """Run ``write_pages`` into a staging folder, check its links, then publish it.

    ``sources`` maps written pages to their content files, so a broken link names the Markdown it came from.
    ``start_from_published`` fills the staging folder first with hard links to the published
    site's files (the preview's re-render of a few pages), so ``write_pages`` replaces only what changed;
    ``changed`` then picks the pages it rewrote (by path), whose links alone are checked again (the others
    were checked when they were published).
    Holds :func:`out_lock` throughout, so builds writing the same folder take turns and any
    staging folder found at the start was left by a killed build (it is removed). On any
    error the staging folder is removed and ``out_dir`` stays as it was; an OSError (a full
    disk) becomes a SiteError naming the file.
    """
    out_dir = out_dir.resolve()  # a symlinked --out: the folder it points to is the one replaced
    with out_lock(out_dir):
        remove_stale_staging(out_dir)
        staging = staging_dir(out_dir)
        try:
            if start_from_published and out_dir.is_dir():
                link_tree(out_dir, staging)
            write_pages(staging)
            problems = check_links(staging, sources, changed if start_from_published else None)
            if problems:
                raise SiteError("broken internal links or images:\n  " + "\n  ".join(problems))
            (staging / SITE_MARKER).unlink(missing_ok=True)
            (staging / SITE_MARKER).write_text(_MARKER_TEXT, encoding="utf-8")
            readable_by_all(staging)
            check_out_dir(out_dir)  # again under the lock: what is there now is what gets replaced
            publish(staging, out_dir)
        except OSError as exc:
            shutil.rmtree(staging, ignore_errors=True)
            at = f" (writing {exc.filename})" if exc.filename else ""
            raise SiteError(f"{out_dir}: cannot write the site: {exc.strerror or exc}{at}; it was left as it was") from exc
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
