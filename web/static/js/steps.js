// The tool steps of an answer as they happen: "Fetching the IWM quote…", ticked when done, with
// the error when a tool failed; collapsed once the answer is written.
import { h } from "./dom.js";
import { icon } from "./icons.js";

const list = (value) => (Array.isArray(value) ? value : [value]).filter(Boolean).join(", ");
const PERIODS = { "1d": "today", "5d": "over 5 days", "1m": "over a month", "3m": "over 3 months", "6m": "over 6 months",
  "1y": "over a year", ytd: "year to date", mtd: "month to date", qtd: "quarter to date" };
const period = (args) => (args.start ? `from ${args.start}${args.end ? ` to ${args.end}` : ""}` : PERIODS[args.period] || args.period || "");

// [while running, once done] for each tool the agent calls
const LABELS = {
  get_quote: (a) => [`Fetching the ${a.symbol} quote`, `Fetched the ${a.symbol} quote`],
  get_price_history: (a) => [`Reading ${a.symbol} prices ${a.date ? `on ${a.date}` : period(a)}`, `Read ${a.symbol} prices ${a.date ? `on ${a.date}` : period(a)}`],
  compare_performance: (a) => [`Computing returns of ${list(a.symbols)} ${period(a)}`, `Computed returns of ${list(a.symbols)} ${period(a)}`],
  get_technicals: (a) => [`Computing ${a.symbol} technicals`, `Computed ${a.symbol} technicals`],
  get_valuation: (a) => [`Reading ${a.symbol} valuation`, `Read ${a.symbol} valuation`],
  get_financials: (a) => [`Reading ${a.symbol} ${a.statement || "income"} statements`, `Read ${a.symbol} ${a.statement || "income"} statements`],
  get_analyst_targets: (a) => [`Reading analyst targets for ${a.symbol}`, `Read analyst targets for ${a.symbol}`],
  get_market_valuation: () => ["Reading the S&P 500 P/E and CAPE", "Read the S&P 500 P/E and CAPE"],
  sector_performance: (a) => [`Ranking sectors ${period({ period: a.period || "1d" })}`, `Ranked sectors ${period({ period: a.period || "1d" })}`],
  lookup_symbol: (a) => [`Looking up “${a.query}”`, `Looked up “${a.query}”`],
  search_documents: (a) => [`Searching ${a.kind ? `${a.kind} documents` : "documents"} for “${a.query}”`, `Searched ${a.kind ? `${a.kind} documents` : "documents"} for “${a.query}”`],
};

/** What a step says while it runs (done false) and once it ran (done true). */
export function stepLabel(name, args = {}, done = false) {
  const labels = LABELS[name];
  if (!labels) return done ? `Ran ${name}` : `Running ${name}`;
  return labels(args || {})[done ? 1 : 0].replace(/\s+/g, " ").trim();
}

/** The steps of one answer: start(tool_call), finish(tool_result), phase(status), settle(). */
export class StepList {
  constructor() {
    this.items = new Map();
    this.summary = h("summary", {}, h("span", { class: "steps-count" }, "Working…"), h("span", { class: "phase" }));
    this.list = h("ol", { class: "step-list" });
    this.element = h("details", { class: "steps", open: true, hidden: true }, this.summary, this.list);
  }

  start(call) {
    const item = h("li", { class: "step is-running" }, h("span", { class: "step-state" }),
      h("span", { class: "step-text" }, `${stepLabel(call.name, call.arguments)}…`));
    this.items.set(call.id, { item, call });
    this.list.append(item);
    this.element.hidden = false;
    this.count();
  }

  finish(result) {
    const entry = this.items.get(result.id);
    if (!entry) return;
    const { item, call } = entry;
    item.className = `step ${result.ok ? "is-done" : "is-failed"}`;
    item.replaceChildren(
      h("span", { class: "step-state", "aria-label": result.ok ? "done" : "failed" }, icon(result.ok ? "check" : "cross")),
      h("span", { class: "step-text" }, stepLabel(call.name, call.arguments, true),
        result.ok ? null : h("span", { class: "step-error" }, result.error || "failed")));
    this.count();
  }

  /** A status phase (verifying, repairing) shown beside the count while the answer is checked. */
  phase(message) {
    this.summary.querySelector(".phase").textContent = message ? `· ${message}…` : "";
  }

  count() {
    const all = this.items.size;
    const done = [...this.items.values()].filter(({ item }) => !item.classList.contains("is-running")).length;
    this.summary.querySelector(".steps-count").textContent = done < all ? `Step ${done + 1} of ${all}` : `${all} step${all === 1 ? "" : "s"}`;
  }

  /** The answer is written: collapse the steps (still one click away). */
  settle() {
    this.phase("");
    for (const { item } of this.items.values()) {
      if (item.classList.contains("is-running")) item.className = "step is-failed";
    }
    this.count();
    this.element.open = false;
  }
}
