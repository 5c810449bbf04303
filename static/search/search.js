// Site search in the header: Pagefind's index of the page's language (built by the build into
// ../pagefind/, beside assets/), loaded only once the reader types. No request leaves the site.

const form = document.querySelector("form.search");
const MAX_RESULTS = 8;

/** Fill "{name}" placeholders of a words template. */
function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

/** One result as a list item: the page's title as a link, then the excerpt with its <mark>s. */
function resultItem(data) {
  const item = document.createElement("li");
  const link = document.createElement("a");
  link.href = data.url;
  link.textContent = data.meta?.title || data.url;
  const excerpt = document.createElement("p");
  excerpt.innerHTML = data.excerpt; // Pagefind's excerpt: the page's text, escaped, with <mark> around the matches
  item.append(link, excerpt);
  return item;
}

function setUp(form) {
  const input = form.querySelector("input");
  const panel = form.querySelector(".search-results");
  const status = panel.querySelector(".search-status");
  const list = panel.querySelector("ol");
  const root = new URL("../../", import.meta.url); // the site: assets/search/ is two folders down
  let pagefind = null;

  /** Pagefind's module, imported on first use, with result URLs under the site's own path. */
  async function load() {
    if (!pagefind) {
      pagefind = import(new URL("pagefind/pagefind.js", root).href).then(async (module) => {
        await module.options({ baseUrl: root.pathname });
        await module.init();
        return module;
      });
    }
    return pagefind;
  }

  function close() {
    panel.hidden = true;
  }

  async function run() {
    const query = input.value.trim();
    if (!query) {
      list.replaceChildren();
      status.textContent = "";
      close();
      return;
    }
    panel.hidden = false;
    try {
      const module = await load();
      const search = await module.debouncedSearch(query, {}, 150);
      if (search === null || query !== input.value.trim()) return; // a newer query is on its way
      const data = await Promise.all(search.results.slice(0, MAX_RESULTS).map((result) => result.data()));
      if (query !== input.value.trim()) return;
      list.replaceChildren(...data.map(resultItem));
      const words = search.results.length ? form.dataset.results : form.dataset.none;
      status.textContent = fill(words, { n: search.results.length, query });
    } catch (error) {
      pagefind = null;
      list.replaceChildren();
      status.textContent = fill(form.dataset.failed, { error: error.message || error });
    }
  }

  input.addEventListener("input", run);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    list.querySelector("a")?.click();
  });
  form.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      close();
      input.focus();
    }
  });
  input.addEventListener("focus", () => {
    if (input.value.trim()) panel.hidden = false;
  });
  document.addEventListener("click", (event) => {
    if (!form.contains(event.target)) close();
  });
}

// The page shows the box (class has-search, set in its <head>) unless it was opened from disk,
// where the browser refuses to load the index.
if (form && document.documentElement.classList.contains("has-search")) setUp(form);
