// The deep-research page: order a report (a topic and an optional analysis date; a retried click
// orders once: the form's Idempotency-Key) and list one's reports with where each stands. Anonymous
// visitors see "Log in to order deep research reports" instead (rendered by the server).
import { h, pageData } from "./dom.js";
import { ApiError, csrfToken } from "./api.js";
import { initAccountMenu } from "./auth.js";
import { formatDay } from "./format.js";

const STATES = { queued: "Queued", running: "Being written", done: "Finished", failed: "Failed", cancelled: "Cancelled" };
const form = document.getElementById("order-form");
const list = document.getElementById("report-list");
// crypto.randomUUID needs a secure context; getRandomValues works on plain http too
const newKey = () => Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
let orderKey = newKey();

function reportItem(job) {
  const running = job.status === "queued" || job.status === "running";
  return h("li", { class: `report-item is-${job.status}` },
    h("a", { class: "report-link", href: job.links.page },
      h("span", { class: "report-item-title" }, job.title),
      h("span", { class: "report-item-meta muted" },
        [STATES[job.status] || job.status, job.claims ? job.claims.summary : null,
          job.published ? "published" : null, `ordered ${formatDay(job.created_at)}`].filter(Boolean).join(" · "))),
    running ? h("progress", { max: "100", value: String(job.percent), "aria-label": `${job.title}: ${job.percent}%` }) : null);
}

async function refresh() {
  if (!list) return;
  try {
    const response = await fetch("/api/research?limit=50", { credentials: "same-origin", headers: { Accept: "application/json" } });
    const jobs = response.ok ? await response.json() : [];
    list.replaceChildren(...jobs.map(reportItem));
    document.getElementById("reports-empty").hidden = jobs.length > 0;
    if (jobs.some((job) => job.status === "queued" || job.status === "running")) setTimeout(refresh, 2000);
  } finally {
    list.setAttribute("aria-busy", "false");
  }
}

async function order(event) {
  event.preventDefault();
  const error = document.getElementById("order-error");
  const button = document.getElementById("order");
  const topic = form.topic.value.trim();
  error.hidden = true;
  if (!topic) {
    error.textContent = "Name what the report is about: an index, a sector, a fund or a company.";
    error.hidden = false;
    form.topic.focus();
    return;
  }
  button.disabled = true;
  try {
    const response = await fetch("/api/research", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRF-Token": csrfToken(), "Idempotency-Key": orderKey },
      body: JSON.stringify({ topic, ...(form.as_of.value ? { as_of: form.as_of.value } : {}) }),
    });
    const body = await response.json();
    if (!response.ok) throw new ApiError(response.status, body.error, body.message);
    window.location.assign(body.links.page);
  } catch (failure) {
    error.textContent = failure.message || "The report could not be ordered.";
    error.hidden = false;
    if (failure instanceof ApiError && failure.status !== 429) orderKey = newKey(); // a changed request
    button.disabled = false;
  }
}

initAccountMenu();
if (form) {
  form.addEventListener("submit", order);
  form.topic.addEventListener("input", () => { orderKey = newKey(); });
  form.as_of.addEventListener("change", () => { orderKey = newKey(); });
  form.topic.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); form.requestSubmit(); }
  });
}
if (pageData().user) refresh();
