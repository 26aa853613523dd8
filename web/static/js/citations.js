// Citations: [n] in rendered text becomes a chip; a chip (or an item of the sources list) opens the
// source card in one shared popover, on hover, focus+Enter or tap. A card shows the source's title,
// provider and as-of date, and for market data its facts (cited ones first, formula and inputs on
// demand), for a document the whole cited passage with the cited figures highlighted and its link.
import { h, clear } from "./dom.js";
import { icon } from "./icons.js";
import { formatDay, formatFact } from "./format.js";
import { documents } from "./api.js";

const CITATION = /\[(\d{1,3})\]/g;
const HAS_CITATION = /\[\d{1,3}\]/;
const NOT_IN = new Set(["CODE", "PRE", "A", "BUTTON"]);
const KINDS = { market_data: "Market data", document: "Document", computation: "Computation" };
const FACTS_SHOWN = 8;
const contexts = new WeakMap();
let uid = 0;

/** A citation chip for source n (a button; `known` false when no source has that number). */
export function citeChip(n, known = true) {
  return h("button", {
    type: "button", class: known ? "cite" : "cite is-unknown", dataset: { cite: n },
    "aria-label": `Source ${n}`, "aria-haspopup": known ? "dialog" : null, "aria-expanded": known ? "false" : null,
    disabled: !known,
  }, String(n));
}

/** Replace every [n] in the text under root (outside code and links) with a chip. */
export function linkCitations(root, isKnown = () => true) {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const found = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (HAS_CITATION.test(node.data) && !insideSkipped(node, root)) found.push(node);
  }
  for (const node of found) {
    const parts = [];
    let cursor = 0;
    for (const match of node.data.matchAll(CITATION)) {
      if (match.index > cursor) parts.push(node.data.slice(cursor, match.index));
      const n = Number(match[1]);
      parts.push(citeChip(n, isKnown(n)));
      cursor = match.index + match[0].length;
    }
    if (cursor < node.data.length) parts.push(node.data.slice(cursor));
    node.replaceWith(...parts);
  }
  return root;
}

function insideSkipped(node, root) {
  for (let el = node.parentNode; el && el !== root; el = el.parentNode) if (NOT_IN.has(el.nodeName)) return true;
  return false;
}

/**
 * Tell the chips under `container` what they point to: {sources: [{n, source}], figures: [checked
 * figures, as the verification event lists them]}. The nearest registered ancestor of a chip wins.
 */
export function setCitationContext(container, context) {
  contexts.set(container, context);
}

function contextOf(el) {
  for (let node = el; node; node = node.parentElement) {
    const context = contexts.get(node);
    if (context) return context;
  }
  return null;
}

/** The facts a verified figure matched in source n, as "SYMBOL:key" or "key". */
function citedRefs(n, figures = []) {
  const prefix = `[${n}] `;
  const refs = new Set();
  for (const figure of figures) {
    for (const ref of [figure.matched_fact, ...(figure.derived_from || [])]) {
      if (ref && ref.startsWith(prefix)) refs.add(ref.slice(prefix.length));
    }
  }
  return refs;
}

const refOf = (fact) => (fact.symbol ? `${fact.symbol}:${fact.key}` : fact.key);

function factRow(fact, cited) {
  const value = h("td", { class: "fact-value" }, formatFact(fact));
  const label = h("td", {}, fact.label, fact.symbol ? h("span", { class: "fact-symbol" }, fact.symbol) : null);
  if (fact.formula) {
    const inputs = Object.entries(fact.inputs || {})
      .map(([name, v]) => `${name} = ${Number(v).toLocaleString("en-US", { maximumFractionDigits: Math.abs(v) >= 1 ? 2 : 4 })}`)
      .join(", ");
    const detail = h("span", { class: "fact-formula", hidden: true }, fact.formula, inputs ? ` (${inputs})` : "");
    const how = h("button", { type: "button", class: "fact-how", "aria-expanded": "false" }, "how?");
    how.addEventListener("click", () => {
      detail.hidden = !detail.hidden;
      how.setAttribute("aria-expanded", String(!detail.hidden));
    });
    label.append(how, detail);
  }
  return h("tr", { class: cited ? "is-cited" : null }, label, value);
}

function factsTable(source, refs) {
  const facts = [...(source.facts || [])];
  if (!facts.length) return null;
  facts.sort((a, b) => Number(refs.has(refOf(b))) - Number(refs.has(refOf(a))));
  const rows = facts.map((fact) => factRow(fact, refs.has(refOf(fact))));
  const shown = Math.max(FACTS_SHOWN, facts.filter((f) => refs.has(refOf(f))).length);
  const table = h("table", { class: "fact-table" }, h("tbody", {}, rows.slice(0, shown)));
  if (rows.length <= shown) return table;
  const more = h("details", { class: "more-facts" }, h("summary", {}, `All ${rows.length} figures`),
    h("table", { class: "fact-table" }, h("tbody", {}, rows.slice(shown))));
  return h("div", {}, table, more);
}

/** The passage with each cited figure (as the passage writes it) highlighted. */
export function highlighted(text, phrases) {
  const spans = [];
  for (const phrase of phrases) {
    if (!phrase) continue;
    for (let at = text.indexOf(phrase); at >= 0; at = text.indexOf(phrase, at + phrase.length)) {
      spans.push([at, at + phrase.length]);
    }
  }
  spans.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const parts = [];
  let cursor = 0;
  for (const [start, end] of spans) {
    if (start < cursor) continue;
    parts.push(text.slice(cursor, start), h("mark", {}, text.slice(start, end)));
    cursor = end;
  }
  parts.push(text.slice(cursor));
  return parts;
}

function passageBlock(source, refs) {
  const phrases = (source.facts || []).filter((f) => refs.has(refOf(f))).map((f) => f.label);
  const block = h("blockquote", { class: "passage" }, highlighted(source.snippet || "", phrases));
  const chunk = source.details && source.details.chunk_id;
  if (source.document_id && chunk) {
    // the source keeps the passage's first lines; the card shows it whole (when the viewer may read it)
    documents.passage(source.document_id, chunk)
      .then((passage) => block.replaceChildren(...highlighted(passage.text, phrases).map((p) => (typeof p === "string" ? document.createTextNode(p) : p))))
      .catch(() => block.append(" …"));
  }
  return block;
}

function metaLine(source) {
  const bits = [source.provider];
  if (source.kind === "document" && source.published) bits.push(`published ${formatDay(source.published)}`);
  else if (source.as_of) bits.push(`as of ${formatDay(source.as_of)}`);
  if (source.page) bits.push(`page ${source.page}`);
  if (source.section) bits.push(source.section);
  const meta = h("p", { class: "source-meta" }, bits.filter(Boolean).join(" · "));
  if (source.stale) meta.append(" · ", h("span", { class: "source-stale" }, "stale data"));
  return meta;
}

function callLine(source) {
  const args = Object.entries(source.arguments || {})
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(",") : v}`).join(", ");
  return source.tool && args ? h("p", { class: "source-call", title: "The call that produced this source" }, `${source.tool}(${args})`) : null;
}

/** The card of one cited source {n, source}; figures: the checked figures (to mark what is cited). */
export function sourceCard({ n, source }, { figures = [], onClose = null } = {}) {
  const titleId = `source-title-${(uid += 1)}`;
  const refs = citedRefs(n, figures);
  const body = [];
  if (source.kind === "document") {
    body.push(passageBlock(source, refs));
  } else {
    body.push(factsTable(source, refs));
  }
  if (source.url && /^https?:\/\//i.test(source.url)) {
    body.push(h("a", { class: "source-link", href: source.url, target: "_blank", rel: "noopener noreferrer nofollow" },
      source.kind === "document" ? "Open the document" : "Open the provider's page", icon("external")));
  }
  const notes = (source.notes || []).filter(Boolean);
  if (notes.length) body.push(h("ul", { class: "source-notes" }, notes.map((note) => h("li", {}, note))));
  body.push(callLine(source));
  const close = onClose
    ? h("button", { type: "button", class: "icon-btn source-card-close", "aria-label": "Close", onclick: onClose }, icon("close"))
    : null;
  return h("article", { class: "source-card", "aria-labelledby": titleId },
    h("div", { class: "source-card-head" },
      h("span", { class: "cite", "aria-hidden": "true" }, String(n)),
      h("div", { class: "source-card-name" },
        h("span", { class: "source-kind" }, KINDS[source.kind] || source.kind),
        h("h3", { class: "source-card-title", id: titleId }, source.title)),
      close),
    metaLine(source),
    body);
}

/** The list under an answer: only the sources it cites, each opening its card. */
export function sourcesList(sources) {
  if (!sources || !sources.length) return null;
  return h("section", { class: "sources", "aria-label": "Sources" },
    h("h3", { class: "sources-title" }, "Sources"),
    h("ol", { class: "source-list" }, sources.map(({ n, source }) => h("li", {},
      h("button", { type: "button", class: "source-item", dataset: { cite: n }, "aria-haspopup": "dialog", "aria-expanded": "false" },
        h("span", { class: "cite", "aria-hidden": "true" }, String(n)),
        h("span", {},
          h("span", { class: "source-item-title" }, source.title),
          h("span", { class: "source-item-meta" },
            [source.provider, source.as_of ? formatDay(source.as_of) : null].filter(Boolean).join(" · ")))))))); 
}

/**
 * The one popover of a page. attach(root) makes every [data-cite] under root open it: hover (mouse),
 * click or tap (pinned), Enter or Space on a focused chip; Esc or a click elsewhere closes it.
 */
export class SourcePopover {
  constructor() {
    this.el = h("div", { class: "source-popover", id: "source-popover", role: "dialog", "aria-label": "Source", hidden: true });
    document.body.append(this.el);
    this.anchor = null;
    this.pinned = false;
    this.timer = null;
    this.el.addEventListener("pointerenter", () => clearTimeout(this.timer));
    this.el.addEventListener("pointerleave", (e) => { if (e.pointerType === "mouse" && !this.pinned) this.later(() => this.close()); });
    document.addEventListener("keydown", (e) => { if (e.key === "Escape" && !this.el.hidden) { e.stopPropagation(); this.close(true); } }, true);
    document.addEventListener("pointerdown", (e) => {
      if (!this.el.hidden && !this.el.contains(e.target) && !(this.anchor && this.anchor.contains(e.target))) this.close();
    });
    window.addEventListener("resize", () => this.place());
    document.addEventListener("scroll", () => this.place(), true);
  }

  attach(root) {
    root.addEventListener("click", (e) => {
      const anchor = e.target.closest("[data-cite]");
      if (!anchor || anchor.disabled) return;
      e.preventDefault();
      if (this.anchor === anchor && this.pinned) this.close(true);
      else this.open(anchor, true);
    });
    root.addEventListener("pointerover", (e) => {
      const anchor = e.target.closest(".cite[data-cite]");
      if (!anchor || e.pointerType !== "mouse" || this.pinned || anchor.disabled) return;
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.open(anchor, false), 120);
    });
    root.addEventListener("pointerout", (e) => {
      const anchor = e.target.closest(".cite[data-cite]");
      if (!anchor || e.pointerType !== "mouse") return;
      clearTimeout(this.timer);
      if (!this.pinned && this.anchor === anchor) this.later(() => this.close());
    });
  }

  later(fn) {
    clearTimeout(this.timer);
    this.timer = setTimeout(fn, 220);
  }

  open(anchor, pinned) {
    const context = contextOf(anchor);
    const n = Number(anchor.dataset.cite);
    const cited = context && context.sources.find((s) => s.n === n);
    if (!cited) return;
    if (this.anchor && this.anchor !== anchor) this.anchor.setAttribute("aria-expanded", "false");
    this.anchor = anchor;
    this.pinned = pinned;
    this.el.setAttribute("aria-label", `Source ${n}: ${cited.source.title}`);
    this.el.replaceChildren(sourceCard(cited, { figures: context.figures, onClose: () => this.close(true) }));
    this.el.hidden = false;
    anchor.setAttribute("aria-expanded", "true");
    this.place();
    if (pinned) this.el.querySelector(".source-card-close")?.focus({ preventScroll: true });
  }

  close(returnFocus = false) {
    clearTimeout(this.timer);
    if (this.el.hidden) return;
    this.el.hidden = true;
    clear(this.el);
    const anchor = this.anchor;
    this.anchor = null;
    this.pinned = false;
    if (anchor) {
      anchor.setAttribute("aria-expanded", "false");
      if (returnFocus && anchor.isConnected) anchor.focus({ preventScroll: true });
    }
  }

  place() {
    if (this.el.hidden || !this.anchor) return;
    if (!this.anchor.isConnected) { this.close(); return; }
    if (window.matchMedia("(max-width: 600px)").matches) return; // a bottom sheet (CSS)
    const box = this.anchor.getBoundingClientRect();
    const width = this.el.offsetWidth;
    const height = this.el.offsetHeight;
    const left = Math.min(Math.max(8, box.left - 12), window.innerWidth - width - 8);
    const below = box.bottom + 8;
    const top = below + height > window.innerHeight - 8 && box.top - height - 8 > 8 ? box.top - height - 8 : below;
    this.el.style.left = `${left}px`;
    this.el.style.top = `${Math.max(8, Math.min(top, window.innerHeight - height - 8))}px`;
  }
}
