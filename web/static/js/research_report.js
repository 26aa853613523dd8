// A report's page: while it is written, its progress live — the percentage, each step as it starts and
// ends, each section as it is finished — from the job's event stream (resumed with Last-Event-ID when
// the connection drops: every event once); then the report itself, its exports, and the owner's
// actions (cancel, publish or make private, delete).
import { h, announce, pageData, toast } from "./dom.js";
import { ApiError, request } from "./api.js";
import { readEventBatches } from "./sse.js";
import { renderMarkdown } from "./markdown.js";
import { SourcePopover, linkCitations } from "./citations.js";
import { confirmDialog } from "./dialog.js";
import { icon } from "./icons.js";
import { initAccountMenu } from "./auth.js";
import { formatDay } from "./format.js";
import { renderReport } from "./research_view.js";

const page = pageData();
let job = page.job;
const base = `/api/research/${encodeURIComponent(job.id)}`;
const el = (id) => document.getElementById(id);
const article = el("report");
const preview = el("report-preview");
const steps = new Map();
const RUNNING = new Set(["queued", "running"]);
const STATES = { queued: "Queued", running: "Being written", done: "Finished", failed: "Failed", cancelled: "Cancelled" };
const FORMATS = [["md", "Markdown"], ["html", "HTML"], ["pdf", "PDF"], ["json", "JSON"]];
const popover = new SourcePopover();
popover.attach(article);

function showState() {
  el("job-state").textContent = STATES[job.status] || job.status;
  el("job-title").textContent = job.title;
  document.title = `${job.title} · Verity research`;
  const bits = [job.report_as_of || job.as_of ? `as of ${formatDay(job.report_as_of || job.as_of)}` : "latest data",
    `ordered ${formatDay(job.created_at)}`];
  if (job.claims) bits.push(job.claims.summary);
  if (job.published) bits.push("published");
  el("job-meta").textContent = bits.join(" · ");
  el("job-progress").hidden = !RUNNING.has(job.status);
  const error = el("job-error");
  error.hidden = !job.error || job.status === "cancelled";
  if (job.error) error.replaceChildren(h("strong", {}, "The report failed. "), job.error.message);
  showActions();
}

function setPercent(percent, stage) {
  el("job-percent").value = percent;
  el("job-percent").textContent = `${percent}%`;
  el("job-percent-text").textContent = `${percent}%`;
  if (stage) el("job-stage").textContent = stage;
}

// --- actions ----------------------------------------------------------------------------------
function showActions() {
  const actions = [];
  if (["done", "failed", "cancelled"].includes(job.status)) {
    actions.push(h("span", { class: "export-label" }, "Export:"),
      ...FORMATS.map(([fmt, label]) => h("a", { class: "btn btn-secondary btn-small", href: `${base}/report.${fmt}`, download: "" }, label)));
  }
  if (job.mine && RUNNING.has(job.status)) {
    actions.push(h("button", { type: "button", class: "btn btn-danger btn-small", id: "cancel", onclick: cancel }, "Cancel"));
  }
  if (job.mine && job.status === "done") {
    actions.push(h("button", { type: "button", class: "btn btn-primary btn-small", id: "publish", onclick: publish },
      job.published ? "Make private" : "Publish as a note"));
    if (job.published) actions.push(h("a", { class: "btn btn-quiet btn-small", href: `/notes/${encodeURIComponent(job.id)}`, id: "note-link" }, "Open the public note"));
  }
  if (job.mine) {
    actions.push(h("button", { type: "button", class: "btn btn-quiet btn-small", id: "delete", onclick: remove }, "Delete"));
  }
  el("job-actions").replaceChildren(...actions);
}

async function cancel() {
  try {
    job = await request(`${base}/cancel`, { method: "POST" });
    announce("Cancelling the report.");
  } catch (error) {
    toast(`Cannot cancel: ${error.message}`);
  }
}

async function publish() {
  try {
    job = await request(`${base}/publish`, { method: "POST", body: { published: !job.published } });
    showState();
    toast(job.published ? "Published: anyone with the link can read the note" : "The report is private again");
  } catch (error) {
    toast(`Cannot publish: ${error.message}`);
  }
}

async function remove() {
  if (!(await confirmDialog("Delete this report?", "The report, its exports and its public note are removed for good."))) return;
  try {
    await request(base, { method: "DELETE" });
    window.location.assign("/research");
  } catch (error) {
    toast(`Cannot delete: ${error.message}`);
  }
}

// --- progress ---------------------------------------------------------------------------------
const words = (key) => key.replace(/_/g, " ");

/** What a step says: "Planning", "Gathering: quote of Apple Inc.", "Wrote technicals (claims verified 9/9)". */
function stepText(event) {
  const [kind, key = ""] = event.name.split(":");
  const done = event.status === "done";
  if (kind === "plan") return done ? `Planned: ${event.detail}` : "Planning the sections";
  if (kind === "gather") return `${done ? "Gathered" : "Gathering"}: ${event.detail || words(key)}`;
  if (kind === "write") return done ? `Wrote ${words(key)}${event.detail ? ` (${event.detail})` : ""}` : `Writing ${words(key)}`;
  if (kind === "assemble") return done ? `Assembled: ${event.detail}` : "Numbering sources, drawing charts";
  return event.detail || event.name;
}

function stepItem(event) {
  let item = steps.get(event.name);
  if (!item) {
    item = h("li", { class: "step is-running" }, h("span", { class: "step-state" }), h("span", { class: "step-text" }));
    steps.set(event.name, item);
    el("job-step-list").append(item);
  }
  const state = { started: "is-running", retried: "is-running", done: "is-done", failed: "is-failed" }[event.status];
  item.className = `step ${state}`;
  const mark = { done: icon("check"), failed: icon("cross") }[event.status];
  item.querySelector(".step-state").replaceChildren(...(mark ? [mark] : []));
  const error = event.error
    ? [h("span", { class: "step-error" }, event.status === "retried" ? `retrying: ${event.error}` : event.error)]
    : [];
  item.querySelector(".step-text").replaceChildren(stepText(event), ...error);
  const finished = [...steps.values()].filter((s) => !s.classList.contains("is-running")).length;
  el("job-steps-count").textContent = `${finished} of ${steps.size} steps`;
}

function restart(event) {
  // queued again after its worker stopped: it is written again from the start
  steps.clear();
  el("job-step-list").replaceChildren();
  preview.replaceChildren();
  setPercent(0, event.message);
}

function previewSection(section) {
  // citation numbers in a preview are the run's own: chips show them, the finished report links them
  const body = h("div", { class: "answer-body" }, renderMarkdown(section.body || ""));
  linkCitations(body, () => false);
  preview.append(h("section", { class: "report-section is-preview", dataset: { key: section.key } },
    h("h2", {}, section.title), body,
    h("p", { class: "section-summary muted" }, section.verification.summary)));
}

async function handle(frames) {
  for (const { event, data } of frames) {
    if (event === "job") {
      job = { ...job, status: data.status };
      if (data.status === "queued" && data.attempt === 0 && steps.size) restart(data);
      else el("job-stage").textContent = data.message;
      showState();
    } else if (event === "started") {
      job = { ...job, status: "running", report_as_of: data.as_of };
      showState();
    } else if (event === "step") {
      setPercent(data.percent, stepText(data));
      stepItem(data);
    } else if (event === "section") {
      setPercent(data.percent);
      previewSection(data.section);
      announce(`Section finished: ${data.section.title}`);
    } else if (event === "done" || event === "failed") {
      await finish(event, data);
    }
  }
}

async function finish(event, data) {
  try {
    job = await request(base);
  } catch { /* keep what the stream said */ }
  showState();
  preview.replaceChildren();
  if (data.report) {
    await renderReport(article, data.report, { withHeader: false, partial: event === "failed" });
  } else {
    article.setAttribute("aria-busy", "false");
  }
  announce(event === "done" ? `Report finished: ${data.report.verification.summary}` : `The report ended: ${data.message}`);
}

async function follow() {
  let last = 0;
  for (let attempt = 0; attempt < 20; attempt += 1) {
    try {
      const response = await fetch(`${base}/events`, {
        credentials: "same-origin", headers: { Accept: "text/event-stream", "Last-Event-ID": String(last) },
      });
      if (!response.ok) throw new ApiError(response.status, "http", `The server answered ${response.status}.`);
      for await (const batch of readEventBatches(response)) {
        const fresh = batch.filter((frame) => typeof frame.id === "number" && frame.id > last);
        if (!fresh.length) continue;
        last = fresh[fresh.length - 1].id;
        await handle(fresh);
        if (fresh.some((frame) => frame.event === "done" || frame.event === "failed")) return;
      }
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 300 * (attempt + 1))));
  }
  throw new Error("the connection to the server keeps dropping; reload the page to follow the report");
}

async function load() {
  showState();
  try {
    if (RUNNING.has(job.status)) {
      await follow();
      return;
    }
    const report = await request(`${base}/report.json`);
    await renderReport(article, report, { withHeader: false, partial: job.status !== "done" });
  } catch (error) {
    article.setAttribute("aria-busy", "false");
    const missing = error instanceof ApiError && error.status === 404;
    article.replaceChildren(h("p", { class: "muted" }, missing ? "This report has no content yet." : error.message));
  }
}

initAccountMenu();
load();
