"""What the real-browser tests (and benchmarks/explorer_frames.py) share: Debian's Chromium,
a quiet local web server and a record of what a page did.

A folder is served on 127.0.0.1 (the site under ``/mnistreport/``, as GitHub Pages serves a
project site) and opened in Chromium through Playwright. pytest and Playwright are imported
only where they are needed, so the benchmark can use the server without pytest.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SUB_PATH = "mnistreport"
MISSING_IN_CI = "CI needs Debian's chromium for the browser tests (.ci/run installs it)"
MISSING = "chromium is not installed (apt-get install chromium)"

# A minimal page of the site at /mnistreport/<lang>/NAME.html around one widget: the site's style from ../assets/.
WIDGET_PAGE = """<!doctype html>
<html lang="{{ lang }}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<link rel="icon" href="../assets/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="../assets/css/style.css">
</head><body><main id="main"><article><h1>{{ title }}</h1>
{{ widget }}
</article></main></body></html>
"""


def have_chromium() -> bool:
    return Path(CHROMIUM).exists()


def require_chromium() -> None:
    """Chromium and Playwright, or else a RuntimeError in CI and a skip elsewhere.

    Called while a test module is imported, the skip covers the whole module.
    """
    import pytest

    if not have_chromium():
        if os.environ.get("CI"):
            raise RuntimeError(MISSING_IN_CI)
        pytest.skip(MISSING, allow_module_level=True)
    pytest.importorskip("playwright.sync_api")


def browser_only(test):
    """A real-browser test in a module that also has others: marked "browser", skipped where
    Chromium is missing outside CI (in CI the ``browser`` fixture's require_chromium() fails)."""
    import pytest

    skip = pytest.mark.skipif(not have_chromium() and not os.environ.get("CI"), reason=MISSING)
    return pytest.mark.browser(skip(test))


def widget_page(lang: str, title: str, widget: str) -> str:
    """WIDGET_PAGE around ``widget``, HTML already rendered (and escaped) by its template; lang and title escaped."""
    import jinja2
    import markupsafe

    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    return env.from_string(WIDGET_PAGE).render(lang=lang, title=title, widget=markupsafe.Markup(widget))


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """SimpleHTTPRequestHandler without a log line per request."""

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@contextlib.contextmanager
def serve(directory: str | os.PathLike) -> Iterator[str]:
    """Serve ``directory`` on 127.0.0.1 (a free port, a daemon thread); yields "http://127.0.0.1:PORT/"."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(directory)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


@contextlib.contextmanager
def launch_chromium():
    """Debian's Chromium through Playwright, headless with CHROMIUM_ARGS; closed on exit."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


class PageWatch:
    """What a page did: errors (console errors, page errors, failed requests, HTTP >= 400)
    and every URL it requested."""

    def __init__(self, page) -> None:
        self.errors: list[str] = []
        self.urls: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.errors.append(f"console: {m.text}"))
        page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        page.on("requestfailed", lambda r: self.errors.append(f"failed: {r.url} {r.failure}"))
        page.on("response", lambda r: r.status >= 400 and self.errors.append(f"HTTP {r.status}: {r.url}"))
        page.on("request", lambda r: self.urls.append(r.url))

    @property
    def hosts(self) -> set[str]:
        """The hosts requested (the scheme for a URL without one, such as file: or blob:)."""
        return {urlsplit(u).hostname or urlsplit(u).scheme for u in self.urls}

    def fetched(self, name: str) -> bool:
        return any(u.endswith(name) for u in self.urls)


def open_page(browser, url: str, *, width: int = 1280, height: int = 900, **options):
    """A new context (viewport width x height, further new_context options) and page at ``url``,
    watched from before it loads: (context, page, watch). The caller closes the context."""
    context = browser.new_context(viewport={"width": width, "height": height}, **options)
    page = context.new_page()
    watch = PageWatch(page)
    page.goto(url, wait_until="load")
    return context, page, watch


# The explorer's test hook (static/explorer/hook.js) is loaded only on pages opened with this init script.
EXPLORER_HOOK = "window.mnistExplorerTestHook = true;"


def open_explorer_page(browser, url: str, *, width: int = 1280, height: int = 900, **options):
    """open_page with the explorer's test hook switched on: (context, page, watch)."""
    context = browser.new_context(viewport={"width": width, "height": height}, **options)
    context.add_init_script(EXPLORER_HOOK)
    page = context.new_page()
    watch = PageWatch(page)
    page.goto(url, wait_until="load")
    return context, page, watch
