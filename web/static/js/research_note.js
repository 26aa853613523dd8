// The public note page: the published report (title, date, related stocks, sections with citation
// chips and source cards, charts, verification per section, sources) and, below it, a chat about the
// note. Each question is sent with the note's id, so an answer may cite the note's sections as sources
// (their cards link back to the section); the chat asks as of the note's date unless the reader picks
// another. Anyone may read and ask; a visitor's first question opens an anonymous session.
import { h, announce, pageData, toast } from "./dom.js";
import { ApiError, chat, request, streamChat } from "./api.js";
import { SourcePopover } from "./citations.js";
import { TurnView } from "./turn.js";
import { ChatBox } from "./chatbox.js";
import { initAccountMenu } from "./auth.js";
import { renderReport } from "./research_view.js";

const job = pageData().job;
const article = document.getElementById("report");
const thread = document.getElementById("thread");
const popover = new SourcePopover();
popover.attach(article);
popover.attach(thread);
const state = { conversationId: null, running: null };
const box = new ChatBox(document.getElementById("composer"), { onSend: (r) => ask(r), onStop: () => stop() });
box.text.placeholder = "Ask about this note: its figures, its sources, what it means…";

async function showNote() {
  try {
    const report = await request(`/api/research/${encodeURIComponent(job.id)}/report.json`);
    box.asOf = report.as_of; // the chat reads the data the note read
    await renderReport(article, report);
    if (window.location.hash) document.getElementById(window.location.hash.slice(1))?.scrollIntoView();
  } catch (error) {
    article.setAttribute("aria-busy", "false");
    article.append(h("p", { class: "muted" }, `The note cannot be shown: ${error.message}`));
  }
}

async function ask(req) {
  if (state.running) return;
  const body = { message: req.message, note_id: job.id };
  if (state.conversationId) body.conversation_id = state.conversationId;
  if (req.as_of) body.as_of = req.as_of;
  if (req.model) body.model = req.model;
  const view = new TurnView({ question: req.message, actions: { onCopy: () => {} } });
  thread.append(view.element);
  view.setLast(true);
  view.start();
  box.clear();
  box.setBusy(true);
  const running = { view, abort: new AbortController(), runId: null };
  state.running = running;
  try {
    await streamChat(body, (batch) => view.handleBatch(batch), {
      signal: running.abort.signal,
      onRun: ({ runId, conversationId }) => {
        running.runId = runId;
        state.conversationId = conversationId || state.conversationId;
      },
    });
    if (view.result) announce(`Answer ready: ${view.verification ? view.verification.summary : "done"}.`);
  } catch (error) {
    if (error.name === "AbortError") view.stopped();
    else view.failed(error instanceof ApiError ? error.code : "error", error.message);
    if (view.outcome === "failed" && !box.value) box.value = req.message; // nothing is lost
  } finally {
    state.running = null;
    box.setBusy(false);
  }
}

function stop() {
  const running = state.running;
  if (!running) return;
  if (running.runId) chat.cancel(running.runId).catch(() => toast("The answer could not be stopped"));
  running.abort.abort();
}

initAccountMenu();
showNote();
