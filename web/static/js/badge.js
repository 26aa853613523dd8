// The verification badge ("7/7 figures verified · covers all 3 parts") and what it opens: every
// checked figure with the fact it matched (or why it could not be verified) and how the answer
// covers each part of the question. Unverified figures are also marked in the answer's own text.
import { h } from "./dom.js";
import { icon } from "./icons.js";
import { linkCitations } from "./citations.js";

const MARK = "(⚠ unverified)";
let uid = 0;

function badgeText(verification, coverage) {
  const { total = 0, verified = 0 } = verification;
  const figures = total ? `${verified}/${total} figure${total === 1 ? "" : "s"} verified` : "No figures to check";
  if (!coverage || !coverage.parts || !coverage.parts.length) return [figures, ""];
  const parts = coverage.covered === coverage.total
    ? (coverage.total === 1 ? "covers the question" : `covers all ${coverage.total} parts`)
    : `covers ${coverage.covered} of ${coverage.total} parts`;
  return [figures, parts];
}

/** "[1] ^RUT:price_return_ytd" -> "Price return YTD (^RUT) [1]", with the fact's label when the source is known. */
function refText(ref, sources) {
  const match = /^\[(\d+)\] (?:(.+):)?(.+)$/.exec(ref);
  if (!match) return ref;
  const [, n, symbol, key] = match;
  const cited = sources.find((s) => s.n === Number(n));
  const fact = cited && (cited.source.facts || []).find((f) => f.key === key && (f.symbol || undefined) === symbol);
  const name = fact ? fact.label : key;
  return `${name}${symbol && !name.includes(symbol) ? ` (${symbol})` : ""} [${n}]`;
}

function figureItem(figure, ok, sources) {
  let detail;
  if (!ok) detail = figure.reason || "no cited source holds this figure";
  else if (figure.matched_fact) detail = `matches ${refText(figure.matched_fact, sources)}`;
  else if (figure.derived_from && figure.derived_from.length) {
    const from = figure.derived_from.map((ref) => refText(ref, sources)).join(" and ");
    detail = `derived from ${from}${figure.formula ? `: ${figure.formula}` : ""}`;
  } else detail = "verified";
  return h("li", {},
    h("span", { class: ok ? "figure-ok" : "figure-bad" }, icon(ok ? "check" : "warn")),
    h("span", {}, h("span", { class: "figure-text" }, figure.text), h("span", { class: "figure-detail" }, detail)));
}

const STATUS = { covered: "covered", declined: "said it could not be answered", missing: "not answered" };

function coverageItem(part) {
  const ok = part.status === "covered";
  const cites = (part.sources || []).map((n) => `[${n}]`).join("");
  return h("li", { class: `status-${part.status}` },
    h("span", {}, icon(ok ? "check" : "warn")),
    h("span", {}, h("span", {}, part.label, cites ? ` ${cites}` : ""),
      h("span", { class: "figure-detail" }, part.reason || STATUS[part.status] || part.status)));
}

/**
 * The badge button and its panel (place both in a wrapping flex row; the panel takes a full line).
 * verification: {total, verified, unverified, verified_figures, repaired}; coverage: {parts, total, covered};
 * sources: the cited [{n, source}] (to name the facts the figures matched).
 */
export function verificationBadge(verification, coverage = null, sources = []) {
  const [figures, parts] = badgeText(verification, coverage);
  const complete = !(verification.unverified || []).length && (!coverage || !coverage.parts || coverage.covered === coverage.total);
  const id = `badge-panel-${(uid += 1)}`;
  const button = h("button", {
    type: "button", class: `badge ${verification.total ? (complete ? "" : "is-partial") : "is-empty"}`,
    "aria-expanded": "false", "aria-controls": id,
  }, icon(complete ? "checkCircle" : "warn"), h("span", {}, figures),
  parts ? h("span", { class: "badge-coverage" }, `· ${parts}`) : null);

  const checked = [
    ...(verification.verified_figures || []).map((f) => figureItem(f, true, sources)),
    ...(verification.unverified || []).map((f) => figureItem(f, false, sources)),
  ];
  const panel = h("div", { class: "badge-panel", id, hidden: true, role: "region", "aria-label": "Checked figures" },
    h("h3", {}, "Figures checked against their sources"),
    checked.length ? h("ul", { class: "figure-list" }, checked)
      : h("p", { class: "muted" }, verification.total ? `${verification.verified} of ${verification.total} figures matched a fact of the source they cite.` : "This answer states no figure."),
    coverage && coverage.parts && coverage.parts.length ? [
      h("h3", {}, "Parts of the question"),
      h("ul", { class: "figure-list coverage-list" }, coverage.parts.map(coverageItem)),
    ] : null,
    verification.repaired ? h("p", { class: "muted" }, "A repair round fixed figures the first draft could not support.") : null);
  linkCitations(panel);
  button.addEventListener("click", () => {
    panel.hidden = !panel.hidden;
    button.setAttribute("aria-expanded", String(!panel.hidden));
  });
  return [button, panel];
}

/**
 * Mark each "(⚠ unverified)" the server wrote after a figure: the figure is highlighted and the
 * mark becomes a button that shows why it could not be verified. unverified: in order of appearance.
 */
export function markUnverified(root, unverified = []) {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const nodes = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) if (node.data.includes(MARK)) nodes.push(node);
  let index = 0;
  for (const node of nodes) {
    const pieces = node.data.split(MARK);
    const out = [];
    pieces.forEach((piece, i) => {
      if (i === pieces.length - 1) { out.push(piece); return; }
      const figure = unverified[index] || {};
      index += 1;
      const text = (figure.text || "").trim();
      const head = text && piece.trimEnd().endsWith(text) ? piece.trimEnd() : null;
      if (head) out.push(head.slice(0, head.length - text.length), h("mark", { class: "unverified-figure" }, text), piece.slice(head.length));
      else out.push(piece);
      const reasonId = `unverified-${(uid += 1)}`;
      const reason = h("span", { class: "unverified-reason", id: reasonId, hidden: true },
        `Not verified: ${figure.reason || "no cited source holds this figure"}.`);
      const mark = h("button", { type: "button", class: "unverified-mark", "aria-expanded": "false", "aria-controls": reasonId,
        title: figure.reason || "not verified" }, icon("warn"), "unverified");
      mark.addEventListener("click", () => {
        reason.hidden = !reason.hidden;
        mark.setAttribute("aria-expanded", String(!reason.hidden));
      });
      out.push(mark, reason);
    });
    node.replaceWith(...out);
  }
}
