// The words of the pages' scripts (the explorer, the drawing pad, the search box): one way to read them, fill their
// templates and format numbers in the page's language.
//
// A widget's words are the [<widget>] section of content/<lang>/words.toml, rendered into its
// markup as JSON: in a <script type="application/json"> child or a data-words attribute.

/** The words of a widget's root element: its data-words attribute, or the JSON script `selector` inside it. */
export function readWords(root, selector = "script[type='application/json']") {
  if (root.dataset.words) return JSON.parse(root.dataset.words);
  const script = root.querySelector(selector);
  return script ? JSON.parse(script.textContent) : {};
}

/** The page's language for a widget: its data-lang, else the document's, else "en". */
export function langOf(root) {
  return root.dataset.lang || document.documentElement.lang || "en";
}

/** `template` with each {name} replaced by values[name]; unknown names are left as they are. */
export function fill(template, values) {
  return String(template).replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

const formats = new Map();

/** A function formatting numbers in `lang` (Intl.NumberFormat options), e.g. 12,345 or 0.93. */
export function formatter(lang, options = {}) {
  const key = `${lang} ${JSON.stringify(options)}`;
  if (!formats.has(key)) {
    const format = new Intl.NumberFormat(lang, options);
    formats.set(key, (n) => format.format(n));
  }
  return formats.get(key);
}
