"""`python build.py serve`: answers on 127.0.0.1, rebuilds after a content change, reloads pages."""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from mnistreport.serve import RELOAD_SCRIPT, snapshot

REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read().decode("utf-8")


def wait_for(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            value = condition()
            if value:
                return value
        except OSError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def test_snapshot_sees_new_and_changed_files(tmp_path):
    (tmp_path / "a.md").write_text("1")
    before = snapshot([tmp_path])
    (tmp_path / "b.md").write_text("2")
    assert snapshot([tmp_path]) != before


def test_serve_rebuilds_after_a_content_change(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(REPO / "content", content)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "MNIST_DATA_DIR"}
    proc = subprocess.Popen(
        [sys.executable, "build.py", "serve", "--no-download", "--quick", "--port", str(port), "--content", str(content),
         "--out", str(tmp_path / "site"), "--cache-dir", str(tmp_path / "cache"),
         "--data-cache", str(tmp_path / "no-data")],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        page = wait_for(lambda: fetch(f"{base}/en/about.html"), 300, "the first build to be served")
        assert RELOAD_SCRIPT.strip() in page
        assert "__mnistreport_status" not in (tmp_path / "site" / "en" / "about.html").read_text()
        first = wait_for(lambda: fetch(f"{base}/__mnistreport_status"), 10, "status")
        about = content / "en" / "about.md"
        about.write_text(about.read_text(encoding="utf-8") + "\nA sentence added while serving.\n", encoding="utf-8")
        wait_for(lambda: fetch(f"{base}/__mnistreport_status") != first, 120, "the rebuild")
        assert "A sentence added while serving." in fetch(f"{base}/en/about.html")
    finally:
        proc.terminate()
        output = proc.communicate(timeout=10)[0]
    assert "serving" in output
