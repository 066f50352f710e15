// Building DOM nodes without HTML strings: text always goes in as text nodes, so
// customer and agent text can never become markup.

/** The first element matching a CSS selector in the page. */
export const $ = (selector) => document.querySelector(selector);

/** An element with attributes ({class, dataset, on<event>, ...}) and children. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  append(node, children);
  return node;
}

/** Replace a node's children. */
export function fill(node, ...children) {
  node.replaceChildren();
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** "12:03:09" in the browser's time zone and the page's language. */
export function clockTime(iso) {
  const date = new Date(iso);
  const lang = document.documentElement.lang || undefined;
  return date.toLocaleTimeString(lang, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

/** The date and time of ``iso`` in the browser's time zone and the page's language
 * ("" for none). */
export function dateTime(iso) {
  if (!iso) return "";
  const lang = document.documentElement.lang || undefined;
  return new Date(iso).toLocaleString(lang);
}
