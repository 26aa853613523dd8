// Markdown to safe DOM: marked renders it (raw HTML in the text is escaped, never passed through),
// then DOMPurify keeps only plain formatting tags and http(s)/mailto/same-site links. Answers,
// document passages and report sections are untrusted text: this is the one way they become markup.
import { Marked } from "../vendor/marked/marked.esm.js";
import DOMPurify from "../vendor/dompurify/purify.es.mjs";

const ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
export const escapeHtml = (text) => String(text).replace(/[&<>"']/g, (c) => ESCAPES[c]);

const marked = new Marked({ gfm: true, breaks: false, async: false });
marked.use({
  renderer: {
    html: ({ text }) => escapeHtml(text), // "<script>" in an answer is shown as text
    image: ({ text }) => escapeHtml(text || ""), // an answer draws no remote image (nor tracks anyone)
  },
});

const purify = DOMPurify(window); // our own instance: its hooks do not reach other users of DOMPurify
const SETTINGS = {
  ALLOWED_TAGS: ["p", "br", "hr", "strong", "b", "em", "i", "del", "s", "code", "pre", "blockquote", "ul", "ol",
    "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "a", "span", "sup", "sub"],
  ALLOWED_ATTR: ["href", "title", "start", "colspan", "rowspan", "align"],
  ALLOW_DATA_ATTR: false,
  ALLOWED_URI_REGEXP: /^(?:https?:|mailto:|\/(?!\/)|#)/i,
  RETURN_DOM_FRAGMENT: true,
};
purify.addHook("afterSanitizeAttributes", (node) => {
  if (node.tagName !== "A") return;
  const href = node.getAttribute("href") || "";
  node.setAttribute("rel", "noopener noreferrer nofollow");
  if (/^https?:/i.test(href)) node.setAttribute("target", "_blank");
});

/** Markdown text -> a sanitised DocumentFragment (insert it with append/replaceChildren). */
export function renderMarkdown(text) {
  const html = marked.parse(String(text || ""));
  return purify.sanitize(html, SETTINGS);
}

/** Any HTML string -> a sanitised fragment, with the same rules (for callers that have HTML). */
export function sanitize(html) {
  return purify.sanitize(String(html || ""), SETTINGS);
}
