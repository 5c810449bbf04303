// The report's pages in Firefox, used as a reader would: the browser half of benchmarks/firefox_check.py
// (which serves the site and prints the table; see its docstring for how to install and run both).
//
//   node benchmarks/firefox_check.mjs BASE_URL [--firefox PATH] [--pages a,b] [--langs en,ja] [--widths 1280,390]
//                                             [--screenshots DIR]
//
// BASE_URL is the site's root as served, e.g. http://127.0.0.1:PORT/mnistreport/. Drives Firefox through
// puppeteer-core over WebDriver BiDi (mouse, wheel and keyboard as input actions; no test hook) and writes one
// JSON line per page and viewport to stdout: {page, lang, viewport, problems: [...], notes: [...]}; progress
// goes to stderr. puppeteer-core is found from this file's folder (benchmarks/node_modules) or PUPPETEER_CORE,
// the path of its folder.

import path from "node:path";
import { pathToFileURL } from "node:url";

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const BASE = args[0];
if (!BASE || !BASE.endsWith("/")) {
  console.error("usage: node firefox_check.mjs BASE_URL/ [--firefox PATH] [--pages ...] [--langs ...] [--widths ...]");
  process.exit(2);
}
const FIREFOX = option("--firefox", "/usr/bin/firefox-esr");
const PAGES = option("--pages", "index,grid,explore,classifier,digit-3").split(",");
const LANGS = option("--langs", "en,ja").split(",");
const VIEWPORTS = { 1280: { width: 1280, height: 900 }, 390: { width: 390, height: 844 } };
const WIDTHS = option("--widths", "1280,390").split(",");
const SHOTS = option("--screenshots", ""); // a folder: a PNG of each page's first screen after its checks
const SEARCHES = { en: ["lapjv", "grid"], ja: ["自己符号化器", "autoencoder"] };
const HOST = new URL(BASE).hostname;

async function loadPuppeteer() {
  const where = process.env.PUPPETEER_CORE;
  const module = where
    ? await import(pathToFileURL(path.join(where, "lib/esm/puppeteer/puppeteer-core.js")).href)
    : await import("puppeteer-core");
  return module.default;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Wait until `fn` (evaluated in the page) is truthy; false after `timeout` ms instead of throwing. */
async function until(page, fn, arg, timeout = 15000) {
  try {
    await page.waitForFunction(fn, { timeout, polling: 100 }, arg);
    return true;
  } catch {
    return false;
  }
}

/** What the page did, recorded from before it loads: errors and every URL requested. */
function watch(page) {
  const seen = { errors: [], urls: [] };
  page.on("console", (m) => { if (m.type() === "error") seen.errors.push(`console: ${m.text()}`); });
  page.on("pageerror", (e) => seen.errors.push(`page error: ${e.message || e}`));
  page.on("requestfailed", (r) => seen.errors.push(`failed: ${r.url()} ${r.failure()?.errorText ?? ""}`));
  page.on("response", (r) => { if (r.status() >= 400) seen.errors.push(`HTTP ${r.status()}: ${r.url()}`); });
  page.on("request", (r) => seen.urls.push(r.url()));
  return seen;
}

/** The reader scrolls through the whole page (lazy images and the lazy explorer start), then back to the top. */
async function readThrough(page) {
  for (let i = 0; i < 60; i++) {
    const more = await page.evaluate(() => {
      const before = scrollY;
      scrollBy(0, innerHeight * 0.8);
      return scrollY > before;
    });
    if (!more) break;
    await sleep(120);
  }
  await sleep(300);
  await page.evaluate(() => scrollTo(0, 0));
}

const DECODE_ALL_IMAGES = async () => {
  const images = [...document.images];
  for (const img of images) img.loading = "eager";
  const widths = await Promise.all(images.map((img) => img.decode().then(() => img.naturalWidth, () => 0)));
  return images.map((img, i) => [img.getAttribute("src"), widths[i]]);
};

/** How many distinct colours a canvas shows (sampled): a drawn map has many, a blank one one or two. */
const CANVAS_COLOURS = (selector) => {
  const c = document.querySelector(selector);
  if (!c || !c.width) return 0;
  const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
  const seen = new Set();
  for (let i = 0; i < d.length; i += 4 * 97) seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
  return seen.size;
};

const box = (page, selector) => page.$eval(selector, (e) => {
  const r = e.getBoundingClientRect();
  return { x: r.left, y: r.top, width: r.width, height: r.height };
});

// ----------------------------------------------------------------------------- the checks of one page

/** Typing in the header's search box lists the chapter among the first three results, in the page's language. */
async function checkSearch(page, lang, seen, problems) {
  const [query, chapter] = SEARCHES[lang];
  if (seen.urls.some((u) => u.includes("/pagefind/"))) problems.push("search: the index was fetched before the reader typed");
  await page.click("#search-input");
  await page.keyboard.type(query, { delay: 30 });
  const typed = await page.$eval("#search-input", (e) => e.value);
  if (typed !== query) problems.push(`search: typed ${JSON.stringify(query)}, the box holds ${JSON.stringify(typed)}`);
  if (!(await until(page, () => document.querySelectorAll(".search-results li a").length > 0))) {
    const status = await page.$eval(".search-status", (e) => e.textContent).catch(() => "?");
    problems.push(`search: no result for ${query} (status: ${JSON.stringify(status)})`);
    return;
  }
  const hrefs = await page.$$eval(".search-results li a", (els) => els.map((e) => e.href));
  const want = `${BASE}${lang}/${chapter}.html`;
  if (!hrefs.slice(0, 3).includes(want)) problems.push(`search: ${query} does not list ${lang}/${chapter}.html first: ${hrefs.join(" ")}`);
  if (!hrefs.every((h) => h.startsWith(`${BASE}${lang}/`))) problems.push(`search: results outside ${lang}/: ${hrefs.join(" ")}`);
  await page.keyboard.press("Escape");
  return `search ${query} -> ${hrefs.length} results`;
}

/** The explorer: loads and draws, the wheel scrolls the page over the unengaged map, a click selects, then the wheel zooms. */
async function checkExplorer(page, problems, notes) {
  const root = "#explorer-1";
  const words = JSON.parse(await page.$eval(`${root} .explorer-words`, (e) => e.textContent));
  const loaded = await until(page, (r) => {
    const el = document.querySelector(r);
    return el.querySelector(".explorer-loading").hidden && el.querySelector(".explorer-count").textContent.trim() !== ""
      && el.querySelector(".explorer-summary-count").textContent.trim() !== "";
  }, root, 30000);
  if (!loaded) {
    const note = await page.$eval(`${root} .explorer-note`, (e) => (e.hidden ? "" : e.textContent));
    problems.push(`explorer: the points did not load${note ? ` (note: ${note})` : ""}`);
    return;
  }
  notes.push(await page.$eval(`${root} .explorer-count`, (e) => e.textContent.trim()));
  await sleep(300);
  const colours = await page.evaluate(CANVAS_COLOURS, `${root} .explorer-canvas`);
  if (colours <= 5) problems.push(`explorer: the canvas is blank (${colours} colours)`);

  // 1. The wheel over the map, not engaged: the page scrolls, the map stays, a hint says how to zoom.
  await page.evaluate((r) => {
    document.activeElement?.blur();
    const c = document.querySelector(`${r} .explorer-canvas`).getBoundingClientRect();
    scrollBy(0, c.top - 80); // the top of the map 80 px below the top of the window
  }, root);
  await sleep(300);
  const canvas = await box(page, `${root} .explorer-canvas`);
  const viewport = page.viewport();
  const x = canvas.x + canvas.width / 2;
  const y = Math.min(canvas.y + canvas.height / 2, viewport.height - 40);
  await page.mouse.move(x, y, { steps: 3 });
  const before = await page.evaluate(() => [scrollY, location.hash]);
  await page.mouse.wheel({ deltaY: 300 });
  const scrolled = await until(page, (y0) => scrollY > y0, before[0], 3000);
  await sleep(900); // the explorer writes a changed view into the address a moment after it settles
  const after = await page.evaluate((r) => [scrollY, location.hash, !document.querySelector(`${r} .explorer-hint`).hidden], root);
  if (!scrolled) problems.push("explorer: the wheel over the unengaged map did not scroll the page");
  if (after[1].includes("zoom=")) problems.push(`explorer: the wheel over the unengaged map zoomed it (${after[1]})`);
  if (!after[2]) problems.push("explorer: no hint on how to zoom after the wheel over the map");
  if (scrolled) notes.push(`wheel: page scrolled ${Math.round(after[0] - before[0])} px, map not zoomed`);

  // 2. A click on a digit selects it: hover until the tooltip names one, then click there.
  await page.evaluate((r) => document.querySelector(`${r} .explorer-view`).scrollIntoView({ block: "center" }), root);
  await sleep(300);
  const view = await box(page, `${root} .explorer-canvas`);
  let target = null;
  const top = Math.max(view.y, 0), bottom = Math.min(view.y + view.height, viewport.height);
  search: for (const fy of [0.5, 0.4, 0.6, 0.3, 0.7]) {
    for (const fx of [0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8]) {
      const p = { x: view.x + fx * view.width, y: top + fy * (bottom - top) };
      await page.mouse.move(p.x, p.y, { steps: 2 });
      if (await until(page, (r) => !document.querySelector(`${r} .explorer-tooltip`).hidden, root, 400)) { target = p; break search; }
    }
  }
  if (!target) {
    problems.push("explorer: hovering over the map never showed a digit's tooltip");
    return;
  }
  const tip = await page.$eval(`${root} .explorer-tooltip`, (e) => e.innerText.replace(/\s+/g, " ").trim());
  await page.mouse.click(target.x, target.y);
  const selected = await until(page, ([r, none]) => {
    const el = document.querySelector(r);
    const info = el.querySelector(".explorer-selected-info").textContent;
    return info && info !== none && !el.querySelector(".explorer-selected-img").hidden
      && !el.querySelector(".explorer-selected-actions").hidden;
  }, [root, words.none_selected], 5000);
  if (!selected) problems.push(`explorer: a click on a digit (tooltip: ${tip}) did not fill the selected-digit panel`);
  else notes.push(`selected: ${await page.$eval(`${root} .explorer-selected-info`, (e) => e.textContent.trim())}`);

  // 3. Now engaged (clicked): the wheel zooms the map and the page stays.
  const y0 = await page.evaluate(() => scrollY);
  await page.mouse.wheel({ deltaY: -300 });
  const zoomed = await until(page, () => location.hash.includes("zoom="), null, 4000);
  const y1 = await page.evaluate(() => scrollY);
  if (!zoomed) problems.push("explorer: the wheel over the engaged (clicked) map did not zoom it");
  if (y1 !== y0) problems.push(`explorer: the wheel over the engaged map scrolled the page (${y0} -> ${y1})`);
  if (zoomed && y1 === y0) notes.push("engaged: the wheel zooms");

  // 4. The keyboard on the focused map: 0 shows the whole map, Escape unselects, Enter picks the digit at the centre.
  const focused = await page.evaluate((r) => document.activeElement === document.querySelector(`${r} .explorer-canvas`), root);
  if (!focused) problems.push("explorer: the map is not focused after a click on it");
  await page.keyboard.press("0");
  if (!(await until(page, () => !location.hash.includes("zoom="), null, 4000))) problems.push("explorer: the 0 key did not show the whole map");
  await page.keyboard.press("Escape");
  const info = (none) => document.querySelector("#explorer-1 .explorer-selected-info").textContent === none;
  if (!(await until(page, info, words.none_selected, 3000))) problems.push("explorer: Escape did not unselect the digit");
  await page.keyboard.press("Enter");
  if (!(await until(page, (none) => !(document.querySelector("#explorer-1 .explorer-selected-info").textContent === none), words.none_selected, 3000))) {
    problems.push("explorer: Enter on the focused map did not select the digit at its centre");
  } else notes.push("keys 0, Escape, Enter");
}

/** The drawing pad: a stroke drawn with the mouse gives a prediction. */
async function checkDraw(page, problems, notes) {
  const words = JSON.parse(await page.$eval("[data-draw]", (e) => e.dataset.words));
  const pattern = "^" + words.prediction.replace(/[.*+?^$()[\]\\|]/g, "\\$&")
    .replace("{digit}", "\\d").replace("{percent}", "[\\d.]+") + "$";
  await page.evaluate(() => document.querySelector(".draw-canvas").scrollIntoView({ block: "center" }));
  await sleep(300);
  const pad = await box(page, ".draw-canvas");
  const x = pad.x + pad.width / 2;
  await page.mouse.move(x, pad.y + 0.15 * pad.height);
  await page.mouse.down();
  await page.mouse.move(x, pad.y + 0.5 * pad.height, { steps: 10 });
  await page.mouse.move(x, pad.y + 0.85 * pad.height, { steps: 10 });
  await page.mouse.up();
  const ok = await until(page, (p) => new RegExp(p).test(document.querySelector("[data-role=status]").textContent.trim())
    && document.querySelector(".draw-bars li.draw-top") !== null, pattern, 20000);
  const status = await page.$eval("[data-role=status]", (e) => e.textContent.trim());
  if (!ok) problems.push(`draw: no prediction after a stroke (status: ${JSON.stringify(status)})`);
  else notes.push(`stroke: ${status}`);
}

/** The grid chapter's embedded explorer, loaded once the reader scrolled to it. */
async function checkEmbeddedExplorer(page, problems, notes) {
  if (!(await page.$("#explorer-1"))) return;
  await page.evaluate(() => document.querySelector("#explorer-1").scrollIntoView());
  const loaded = await until(page, () => {
    const el = document.querySelector("#explorer-1");
    return el.querySelector(".explorer-loading").hidden && el.querySelector(".explorer-count").textContent.trim() !== "";
  }, null, 30000);
  if (!loaded) problems.push("embedded explorer: the points did not load");
  else if ((await page.evaluate(CANVAS_COLOURS, "#explorer-1 .explorer-canvas")) <= 5) problems.push("embedded explorer: the canvas is blank");
  else notes.push("embedded explorer drawn");
  await page.evaluate(() => scrollTo(0, 0));
}

async function checkPage(browser, lang, name, width) {
  const viewport = VIEWPORTS[width];
  const problems = [], notes = [];
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  const seen = watch(page);
  try {
    await page.setViewport(viewport);
    await page.goto(`${BASE}${lang}/${name}.html`, { waitUntil: "load", timeout: 30000 });
    if (name === "index") {
      const note = await checkSearch(page, lang, seen, problems);
      if (note) notes.push(note);
    }
    await readThrough(page);
    const images = await page.evaluate(DECODE_ALL_IMAGES);
    const broken = images.filter(([, w]) => !(w > 0)).map(([src]) => src);
    if (broken.length) problems.push(`images not decoded: ${broken.join(", ")}`);
    notes.push(`${images.length} images`);
    const extra = await page.evaluate(() => document.documentElement.scrollWidth - innerWidth);
    if (extra > 0) problems.push(`horizontal overflow: ${extra} px wider than the ${viewport.width} px window`);
    if (name === "explore") await checkExplorer(page, problems, notes);
    if (name === "classifier") await checkDraw(page, problems, notes);
    if (name === "grid") await checkEmbeddedExplorer(page, problems, notes);
    await page.waitForNetworkIdle({ idleTime: 500, timeout: 15000 }).catch(() => notes.push("network not idle after 15 s"));
    if (SHOTS) await page.screenshot({ path: path.join(SHOTS, `${lang}-${name}-${viewport.width}.png`) });
  } catch (error) {
    problems.push(`check stopped: ${error.message || error}`);
  } finally {
    await context.close().catch(() => {});
  }
  problems.push(...seen.errors);
  const away = [...new Set(seen.urls.map((u) => {
    const url = new URL(u);
    return url.hostname || url.protocol;
  }))].filter((h) => h !== HOST && h !== "data:" && h !== "blob:");
  if (away.length) problems.push(`requests to other hosts: ${away.join(", ")}`);
  return { page: `${lang}/${name}`, viewport: `${viewport.width}x${viewport.height}`, problems, notes };
}

const puppeteer = await loadPuppeteer();
const browser = await puppeteer.launch({
  browser: "firefox",
  protocol: "webDriverBiDi",
  executablePath: FIREFOX,
  headless: true,
  extraPrefsFirefox: { "network.dns.disablePrefetch": true, "network.prefetch-next": false },
});
process.stderr.write(`${await browser.version()}\n`);
let failed = 0;
try {
  for (const lang of LANGS) {
    for (const name of PAGES) {
      for (const width of WIDTHS) {
        const started = Date.now();
        const result = await checkPage(browser, lang, name, width);
        result.seconds = (Date.now() - started) / 1000;
        failed += result.problems.length > 0;
        process.stderr.write(`  ${result.page} ${result.viewport}: ${result.problems.length ? "FAIL" : "ok"} (${result.seconds.toFixed(1)} s)\n`);
        process.stdout.write(JSON.stringify(result) + "\n");
      }
    }
  }
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
