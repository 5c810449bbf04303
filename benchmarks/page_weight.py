"""Page weight of a built site, measured in a real browser (Debian's Chromium via Playwright).

Serves SITE (default: site/) on 127.0.0.1, opens every page at 1280 px, waits until
the network is idle and prints the bytes transferred: on first load (lazy images
below the fold not yet loaded, as for a reader who has not scrolled) and after
every image on the page was loaded (a reader who scrolled to the end). Target: every
page, the explorer's included (its points bundle is part of its first load), at most
2 MB on first load. Scripts' data fetched later (sprite sheets when zooming in, the
drawing pad's model when drawing starts) is not part of the first load.

    python benchmarks/page_weight.py [SITE]
"""

from __future__ import annotations

import functools
import http.server
import sys
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


from mnistreport.website.content import LANGS, find_pages  # noqa: E402

LIMIT = 2 * 2**20

# Bytes transferred for the page and everything it loaded, from the browser's Performance API.
TRANSFERRED = """() => [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')]
  .reduce((sum, entry) => sum + (entry.transferSize || entry.encodedBodySize || 0), 0)"""


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002
        pass


def main() -> int:
    site = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "site"
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}/"
    failed = 0
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                             args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        print(f"{'page':<22} {'first load KiB':>14} {'all images KiB':>14}")
        for lang in LANGS:
            for page_info in find_pages(REPO / "content"):
                context = browser.new_context(viewport={"width": 1280, "height": 900})
                page = context.new_page()
                page.goto(base + page_info.path(lang), wait_until="networkidle")
                total = page.evaluate(TRANSFERRED)
                page.evaluate("Promise.all([...document.images].map(i => { i.loading = 'eager'; return i.decode().catch(() => 0); }))")
                page.wait_for_load_state("networkidle")
                everything = page.evaluate(TRANSFERRED)
                over = total > LIMIT
                failed += over
                print(f"{lang}/{page_info.slug:<19} {total / 1024:14.0f} {everything / 1024:14.0f}"
                      f"{'  OVER 2 MB' if over else ''}")
                context.close()
        browser.close()
    httpd.shutdown()
    print("PASS" if not failed else f"FAIL: {failed} page(s) over 2 MB")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
