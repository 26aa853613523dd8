// One question and its answer, live from the chat stream or from a stored turn: tool steps, the
// streaming preview, then the authoritative answer with citation chips, unverified marks, the
// verification badge, the as-of date and model, a chart, the cited sources and the actions.
import { append, h } from "./dom.js";
import { icon } from "./icons.js";
import { renderMarkdown } from "./markdown.js";
import { linkCitations, setCitationContext, sourcesList } from "./citations.js";
import { markUnverified, verificationBadge } from "./badge.js";
import { chartPlan, loadChart, renderChart } from "./charts.js";
import { StepList } from "./steps.js";
import { formatDay } from "./format.js";

const HINTS = {
  llm_unavailable: "The language model is not answering. Your conversation is kept: ask again in a moment.",
  provider_unavailable: "Market data cannot be reached right now. Your conversation is kept: ask again in a moment.",
  rate_limited: "That was a lot of questions in a short time. Wait a moment, then ask again.",
  network: "The connection to Verity was lost. Your conversation is kept: ask again.",
};

const modeLabel = (mode) => (!mode || mode === "offline" ? "Offline analyst" : mode);

export class TurnView {
  /**
   * question: the text asked; readOnly: no actions (a shared conversation);
   * actions: {onRetry, onRegenerate, onEdit, onFeedback(view, rating), onCopy(text)}.
   */
  constructor({ question, readOnly = false, actions = {} }) {
    this.question = question;
    this.readOnly = readOnly;
    this.actions = actions;
    this.preview = "";
    this.attempt = 1;
    this.toolSources = new Map();
    this.result = null; // the done event (or the stored turn, in its shape)
    this.outcome = null; // "answered", "stopped" or "failed" once the turn ended
    this.verification = null;
    this.chart = null;
    this.steps = new StepList();
    this.body = h("div", { class: "answer-body", "aria-live": "polite", "aria-busy": "false" });
    this.meta = h("div", { class: "answer-meta" });
    this.extras = h("div", { class: "answer-extras" });
    this.footer = h("div", { class: "answer-footer" });
    this.element = h("article", { class: "turn", "aria-label": `Answer to: ${question}` },
      this.questionBlock(question),
      h("div", { class: "turn-answer" }, this.steps.element, this.body, this.meta, this.extras, this.footer));
    setCitationContext(this.element, { sources: [], figures: [] });
  }

  questionBlock(question) {
    const block = h("div", { class: "turn-question" });
    if (!this.readOnly) {
      block.append(h("div", { class: "question-actions" },
        h("button", { type: "button", class: "icon-btn edit-question", "aria-label": "Edit and ask again", title: "Edit and ask again",
          onclick: () => this.actions.onEdit?.(this) }, icon("edit")),
        h("button", { type: "button", class: "icon-btn", "aria-label": "Copy the question", title: "Copy",
          onclick: () => this.actions.onCopy?.(question) }, icon("copy"))));
    }
    block.append(h("div", { class: "question-text" }, question));
    return block;
  }

  /** Only the last turn offers "edit and ask again" and "regenerate". */
  setLast(last) {
    this.element.classList.toggle("is-last", last);
    for (const el of this.element.querySelectorAll(".edit-question, .regenerate")) el.hidden = !last;
  }

  // --- live ---------------------------------------------------------------------------------
  start() {
    this.body.classList.add("is-streaming");
    this.body.setAttribute("aria-busy", "true");
    this.body.replaceChildren(h("p", { class: "muted answer-placeholder" }, "Reading the question…"));
  }

  /** Apply a batch of SSE frames ({event, data}) and draw once. */
  handleBatch(frames) {
    let dirty = false;
    for (const { event, data } of frames) dirty = this.apply(event, data) || dirty;
    if (dirty && !this.result) this.drawPreview();
  }

  apply(event, data) {
    switch (event) {
      case "status":
        if (data.phase !== "started") this.steps.phase(data.message);
        return false;
      case "tool_call":
        this.steps.start(data);
        return false;
      case "tool_result":
        this.steps.finish(data);
        for (const cited of data.sources || []) this.toolSources.set(cited.n, cited);
        return false;
      case "token":
        if (data.attempt !== this.attempt) { this.attempt = data.attempt; this.preview = ""; }
        this.preview += data.text;
        return true;
      case "verification":
        this.verification = data;
        return false;
      case "done":
        this.finish(data, this.verification);
        return false;
      case "error":
        if (data.code === "cancelled") this.stopped();
        else this.failed(data.code, data.message);
        return false;
      default:
        return false;
    }
  }

  drawPreview() {
    const sources = [...this.toolSources.values()];
    setCitationContext(this.element, { sources, figures: [] });
    this.body.replaceChildren(renderMarkdown(this.preview));
    linkCitations(this.body, (n) => this.toolSources.has(n));
  }

  // --- finished -----------------------------------------------------------------------------
  /** Show the authoritative answer (a done event, or a stored turn mapped to its shape). */
  finish(done, verification) {
    this.result = done;
    this.outcome = "answered";
    this.steps.settle();
    this.body.classList.remove("is-streaming");
    this.body.setAttribute("aria-busy", "false");
    const checked = verification || { total: 0, verified: 0, unverified: [], verified_figures: [] };
    const sources = done.sources || [];
    const known = new Set(sources.map((s) => s.n));
    setCitationContext(this.element, { sources, figures: [...(checked.verified_figures || []), ...(checked.unverified || [])] });
    this.body.replaceChildren(renderMarkdown(done.answer));
    linkCitations(this.body, (n) => known.has(n));
    markUnverified(this.body, checked.unverified || []);
    const [badge, panel] = verificationBadge(checked, done.coverage || checked.coverage || null, sources);
    this.meta.replaceChildren();
    append(this.meta, [
      badge,
      done.as_of ? h("span", { class: "meta-tag as-of-tag", title: "Nothing after this day's close was used" }, `Data as of ${formatDay(done.as_of)}`) : null,
      h("span", { class: "meta-tag model-tag" }, modeLabel(done.mode)),
      panel]); // the panel opens under the row
    this.extras.replaceChildren();
    const list = sourcesList(sources);
    const plan = chartPlan(sources, done.as_of);
    if (plan) this.drawChart(plan);
    if (list) this.extras.append(list);
    if (!this.readOnly) this.footer.replaceChildren(this.actionRow());
  }

  async drawChart(plan) {
    const slot = h("div", { class: "answer-chart" });
    this.extras.prepend(slot);
    try {
      const chart = await loadChart(plan);
      this.chart = await renderChart(slot, chart);
    } catch (error) {
      slot.append(h("p", { class: "chart-error" }, `No chart: ${error.message}`));
    }
  }

  actionRow() {
    const rate = (rating) => (event) => {
      const row = event.currentTarget.parentElement;
      for (const button of row.querySelectorAll("[data-rating]")) button.setAttribute("aria-pressed", String(button === event.currentTarget));
      this.actions.onFeedback?.(this, rating);
    };
    return h("div", { class: "answer-actions" },
      h("button", { type: "button", class: "icon-btn", "aria-label": "Copy the answer", title: "Copy",
        onclick: () => this.actions.onCopy?.(this.result.answer) }, icon("copy")),
      h("button", { type: "button", class: "icon-btn regenerate", "aria-label": "Regenerate", title: "Ask again",
        hidden: !this.element.classList.contains("is-last"), onclick: () => this.actions.onRegenerate?.(this) }, icon("refresh")),
      h("button", { type: "button", class: "icon-btn", "aria-label": "Good answer", title: "Good answer", "aria-pressed": "false",
        dataset: { rating: "1" }, onclick: rate(1) }, icon("thumbUp")),
      h("button", { type: "button", class: "icon-btn", "aria-label": "Bad answer", title: "Bad answer", "aria-pressed": "false",
        dataset: { rating: "-1" }, onclick: rate(-1) }, icon("thumbDown")));
  }

  /** A stored turn ({question, answer, sources, verification, mode, as_of, id}). */
  showStored(turn) {
    const verification = turn.verification || {};
    this.finish({
      answer: turn.answer, sources: turn.sources, mode: turn.mode, model: turn.model, as_of: turn.as_of,
      turn_id: turn.id, coverage: verification.coverage || null,
    }, verification);
  }

  // --- ended otherwise ----------------------------------------------------------------------
  stopped() {
    if (this.result) return;
    this.outcome = "stopped";
    this.steps.settle();
    this.body.classList.remove("is-streaming");
    this.body.classList.add("is-stopped");
    this.body.setAttribute("aria-busy", "false");
    if (!this.preview) this.body.replaceChildren();
    this.footer.replaceChildren(h("p", { class: "stopped-note" },
      "Stopped. ", this.preview ? "The partial text above was not checked against its sources." : "No answer was written.",
      this.readOnly ? null : h("button", { type: "button", class: "link-btn", onclick: () => this.actions.onRetry?.(this) }, " Ask again")));
  }

  failed(code, message) {
    if (this.result) return;
    this.outcome = "failed";
    this.steps.settle();
    this.body.classList.remove("is-streaming");
    this.body.setAttribute("aria-busy", "false");
    if (!this.preview) this.body.replaceChildren();
    this.footer.replaceChildren(h("div", { class: "answer-error", role: "alert" },
      h("strong", {}, "No answer. "), message || "Something went wrong.",
      HINTS[code] ? h("p", { class: "muted" }, HINTS[code]) : null,
      this.readOnly ? null : h("button", { type: "button", class: "btn btn-secondary btn-small", onclick: () => this.actions.onRetry?.(this) },
        icon("refresh"), "Ask again")));
  }
}
