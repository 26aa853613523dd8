// Small DOM helpers every page uses. Text always goes in as text nodes (never as HTML), so untrusted
// strings (answers, titles, passages) cannot become markup here.

/** An element: h("a", {href, class: "x", dataset: {n: 1}, onclick}, "text", child). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (value === true) el.setAttribute(key, "");
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

/** Append children: strings become text nodes, arrays are flattened, null is skipped. */
export function append(parent, children) {
  for (const child of [children].flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

export function clear(node) {
  while (node.firstChild) node.firstChild.remove();
  return node;
}

/** Say something to screen readers through the page's polite live region. */
export function announce(text) {
  const region = document.getElementById("live-status");
  if (!region) return;
  region.textContent = "";
  // a fresh text node after a tick makes screen readers announce a repeated message too
  setTimeout(() => { region.textContent = text; }, 30);
}

/** A short message at the bottom of the page (copied, shared...). */
export function toast(text, ms = 2200) {
  let area = document.querySelector(".toast-area");
  if (!area) area = document.body.appendChild(h("div", { class: "toast-area", "aria-hidden": "true" }));
  const item = area.appendChild(h("div", { class: "toast" }, text));
  announce(text);
  setTimeout(() => item.remove(), ms);
}

/** Copy text to the clipboard (the Clipboard API on a secure origin, a hidden textarea otherwise). */
export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = h("textarea", { class: "visually-hidden", "aria-hidden": "true" });
    area.value = text;
    document.body.append(area);
    area.select();
    const ok = document.execCommand("copy");
    area.remove();
    return ok;
  }
}

/** The JSON the server rendered into the page (#page-data). */
export function pageData() {
  const node = document.getElementById("page-data");
  return node ? JSON.parse(node.textContent || "{}") : {};
}

/** Call fn after the user stopped for `ms`. */
export function debounce(fn, ms) {
  let timer = null;
  return (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), ms); };
}
