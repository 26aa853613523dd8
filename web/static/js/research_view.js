// A research report drawn from its JSON (copilot.research.report.ResearchReport), for the report page
// and the note page: title and date, the related stocks strip, each section (Markdown with citation
// chips that open source cards, unverified figures marked, its "claims verified X/Y" badge, what it
// had to go without), the charts beside the sections they illustrate, the numbered sources, the notes
// and the disclaimer. Every figure shown was computed and verified by the server; nothing here computes.
import { append, h } from "./dom.js";
import { renderMarkdown } from "./markdown.js";
import { linkCitations, setCitationContext, sourcesList } from "./citations.js";
import { markUnverified, verificationBadge } from "./badge.js";
import { renderChart } from "./charts.js";
import { formatDay, formatFact, formatNumber } from "./format.js";

// which section a chart illustrates (the rest go after the last section)
const CHART_AFTER = { relative: "market_performance", price: "technicals", sectors: "breadth" };

/** A section's checked figures in the shape the verification badge reads. */
export function sectionVerification(section) {
  const figures = section.verification.figures || [];
  return {
    total: section.verification.total,
    verified: section.verification.verified,
    verified_figures: figures.filter((f) => f.verified),
    unverified: figures.filter((f) => !f.verified),
    repaired: section.repaired,
  };
}

/** The related stocks: symbol, name, last price or level, day change, each as of the report's date. */
export function relatedStrip(related) {
  if (!related || !related.length) return null;
  const strip = h("ul", { class: "related-strip", "aria-labelledby": "related-title" }, related.map((quote) => {
    const change = typeof quote.change_pct === "number" ? quote.change_pct : null;
    const direction = change === null ? "" : change >= 0 ? "is-up" : "is-down";
    return h("li", { class: `related-item ${direction}` },
      h("span", { class: "related-symbol" }, quote.symbol),
      h("span", { class: "related-name" }, quote.name),
      h("span", { class: "related-last" }, formatFact({ value: quote.last, unit: quote.unit, precision: 2 })),
      change === null ? null : h("span", { class: "related-change" }, `${change >= 0 ? "+" : ""}${formatNumber(change)}%`),
      quote.as_of ? h("span", { class: "related-date" }, formatDay(quote.as_of)) : null);
  }));
  return h("section", { class: "related" }, h("h2", { class: "related-title", id: "related-title" }, "Related Stocks"), strip);
}

/** One section: heading (linkable), body, badge, notes. */
export function sectionBlock(section, sources) {
  const body = h("div", { class: "answer-body section-body" });
  body.append(renderMarkdown(section.body || ""));
  const check = sectionVerification(section);
  markUnverified(body, check.unverified);
  linkCitations(body, (n) => sources.some((s) => s.n === n));
  const [badge, panel] = verificationBadge(check, null, sources);
  badge.setAttribute("aria-label", `${section.title}: ${section.verification.summary}`);
  const notes = (section.notes || []).length
    ? h("ul", { class: "section-notes" }, section.notes.map((note) => h("li", {}, note)))
    : null;
  return h("section", { class: "report-section", id: `section-${section.key}`, "aria-labelledby": `heading-${section.key}` },
    h("h2", { id: `heading-${section.key}` },
      h("a", { class: "section-anchor", href: `#section-${section.key}`, "aria-label": `Link to ${section.title}` }, "#"),
      section.title),
    section.body ? body : h("p", { class: "muted" }, "This section could not be written from the data gathered."),
    h("div", { class: "section-meta" }, badge, panel),
    notes);
}

/** The whole report into `article` (its header first when `withHeader`). Resolves when charts are drawn. */
export async function renderReport(article, report, { withHeader = true, partial = false } = {}) {
  const sources = report.sources || [];
  const figures = report.sections.flatMap((s) => s.verification.figures || []);
  setCitationContext(article, { sources, figures });
  article.replaceChildren();
  if (withHeader) {
    article.append(h("header", { class: "report-header" },
      h("p", { class: "eyebrow" }, partial ? "Partial report" : "Research note"),
      h("h1", {}, report.title),
      h("p", { class: "report-meta muted" },
        `As of ${formatDay(report.as_of)} · written ${formatDay(report.created_at)} · `,
        report.mode === "offline research" ? "offline research writer" : report.mode),
    ));
  }
  const totals = report.verification;
  article.append(h("p", { class: `report-claims ${totals.verified === totals.total ? "is-complete" : "is-partial"}` },
    totals.summary, totals.total ? ` across ${report.sections.length} sections` : ""));
  if (partial) {
    article.append(h("p", { class: "answer-error" }, h("strong", {}, "Partial report. "),
      "The report stopped before it was finished; these are the sections it completed."));
  }
  append(article, relatedStrip(report.related));
  const charts = new Map();
  for (const chart of report.charts || []) {
    const after = CHART_AFTER[chart.key] || "";
    charts.set(after, [...(charts.get(after) || []), chart]);
  }
  const drawn = [];
  for (const section of report.sections) {
    article.append(sectionBlock(section, sources));
    for (const chart of charts.get(section.key) || []) drawn.push(renderChart(article, chart));
    charts.delete(section.key);
  }
  for (const rest of charts.values()) for (const chart of rest) drawn.push(renderChart(article, chart));
  append(article, sourcesList(sources));
  const notes = report.notes || [];
  if (notes.length) {
    article.append(h("section", { class: "report-notes", "aria-label": "Notes" },
      h("h2", {}, "Notes"), h("ul", {}, notes.map((note) => h("li", {}, note)))));
  }
  if (report.disclaimer) article.append(h("p", { class: "report-disclaimer muted" }, report.disclaimer));
  article.setAttribute("aria-busy", "false");
  await Promise.allSettled(drawn);
}
