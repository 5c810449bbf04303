// Site search in the header: Pagefind's index of the page's language (built by the build into
// pagefind/, beside assets/), loaded with lib/words.js only once the reader types. No request leaves the site.

const form = document.querySelector("form.search");
const MAX_RESULTS = 8;

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
  const root = new URL("../../", import.meta.url);
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
    const words = import("../lib/words.js");
    try {
      const [module, { fill }] = await Promise.all([load(), words]);
      const search = await module.debouncedSearch(query, {}, 150);
      if (search === null || query !== input.value.trim()) return; // a newer query is on its way
      const data = await Promise.all(search.results.slice(0, MAX_RESULTS).map((result) => result.data()));
      if (query !== input.value.trim()) return;
      list.replaceChildren(...data.map(resultItem));
      status.textContent = fill(search.results.length ? form.dataset.results : form.dataset.none, { n: search.results.length, query });
    } catch (error) {
      pagefind = null;
      list.replaceChildren();
      const reason = error.message || error;
      status.textContent = await words.then(({ fill }) => fill(form.dataset.failed, { error: reason }), () => reason);
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
