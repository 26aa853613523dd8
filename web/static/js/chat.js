// The chat page: ask (streamed answer), stop, regenerate, edit and ask again, feedback; open, rename,
// share and delete conversations; the URL follows the conversation (/c/{id}), so a reload finds it.
import { h, announce, copyText, pageData, toast } from "./dom.js";
import { ApiError, chat, conversations, streamChat } from "./api.js";
import { SourcePopover } from "./citations.js";
import { TurnView } from "./turn.js";
import { ChatBox } from "./chatbox.js";
import { ConversationSidebar } from "./sidebar.js";
import { initAccountMenu } from "./auth.js";
import { shareDialog } from "./share.js";

const page = pageData();
const thread = document.getElementById("thread");
const emptyState = document.getElementById("empty-state");
const bar = document.getElementById("conversation-bar");
const titleEl = document.getElementById("conversation-title");

const state = { conversationId: null, title: "", turns: [], running: null };

const popover = new SourcePopover();
popover.attach(thread);
const box = new ChatBox(document.getElementById("composer"), { onSend: (request) => ask(request), onStop: () => stop() });
const sidebar = new ConversationSidebar({
  onOpen: (id) => openConversation(id, true),
  onNew: () => newChat(true),
  onRenamed: (id, title) => { if (id === state.conversationId) setTitle(title); },
  onDeleted: (id) => { if (id === state.conversationId) newChat(true); },
});

const actions = {
  onCopy: async (text) => { if (await copyText(text)) toast("Copied"); },
  onEdit: (view) => { box.value = view.question; box.focus(); },
  onRegenerate: (view) => ask(view.request || { message: view.question }),
  onRetry: (view) => { removeTurn(view); ask(view.request || { message: view.question }); },
  onFeedback: async (view, rating) => {
    if (!state.conversationId || !view.result || view.result.turn_id == null) return;
    try {
      await conversations.feedback(state.conversationId, view.result.turn_id, rating);
      toast(rating > 0 ? "Thanks: marked as a good answer" : "Thanks: marked as a bad answer");
    } catch (error) {
      toast(`Feedback not saved: ${error.message}`);
    }
  },
};

// --- the thread ------------------------------------------------------------------------------
function nearBottom() {
  return thread.scrollHeight - thread.scrollTop - thread.clientHeight < 120;
}

function scrollToEnd(force = false) {
  if (force || nearBottom()) thread.scrollTop = thread.scrollHeight;
}

function addTurn(view) {
  emptyState.hidden = true;
  state.turns.forEach((turn) => turn.setLast(false));
  state.turns.push(view);
  thread.append(view.element);
  view.setLast(true);
}

function removeTurn(view) {
  state.turns = state.turns.filter((turn) => turn !== view);
  view.element.remove();
  state.turns.at(-1)?.setLast(true);
}

function setTitle(title) {
  state.title = title || "";
  titleEl.textContent = state.title || "New conversation";
  bar.hidden = !state.conversationId;
  document.title = state.title ? `${state.title} · Verity` : "Verity · chat";
}

function resetThread() {
  for (const turn of state.turns) turn.element.remove();
  state.turns = [];
  emptyState.hidden = false;
}

// --- asking ----------------------------------------------------------------------------------
async function ask(request) {
  if (state.running) return;
  const body = { message: request.message };
  if (state.conversationId) body.conversation_id = state.conversationId;
  if (request.as_of) body.as_of = request.as_of;
  if (request.model) body.model = request.model;
  const view = new TurnView({ question: request.message, actions });
  view.request = { message: request.message, as_of: request.as_of || null, model: request.model || null };
  addTurn(view);
  view.start();
  scrollToEnd(true);
  box.clear();
  box.setBusy(true);
  const running = { view, abort: new AbortController(), runId: null, stopping: false };
  state.running = running;
  const isNew = !state.conversationId;
  try {
    await streamChat(body, (batch) => {
      const stick = nearBottom();
      view.handleBatch(batch);
      if (stick) scrollToEnd(true);
    }, {
      signal: running.abort.signal,
      onRun: ({ runId, conversationId }) => {
        running.runId = runId;
        if (running.stopping) { // stopped before the run was known: cancel it now, then close
          chat.cancel(runId).catch(() => {}).finally(() => running.abort.abort());
        }
        if (conversationId && conversationId !== state.conversationId) {
          state.conversationId = conversationId;
          window.history.pushState({ conversationId }, "", `/c/${encodeURIComponent(conversationId)}`);
          setTitle(request.message.slice(0, 80));
        }
      },
    });
    if (view.result) announce(`Answer ready: ${view.verification ? view.verification.summary : "done"}.`);
  } catch (error) {
    if (error.name === "AbortError") view.stopped();
    else view.failed(error instanceof ApiError ? error.code : "error", error.message);
  } finally {
    if (view.outcome === "failed") {
      announce("No answer: the question is back in the box.");
      if (!box.value) box.value = request.message; // nothing is lost
    }
    if (state.running === running) state.running = null;
    box.setBusy(false);
    if (isNew || view.result) sidebar.refresh().then(() => syncTitle());
  }
}

/** Stop the running answer: the run is cancelled on the server and the stream closed at once. */
function stop() {
  const running = state.running;
  if (!running || running.stopping) return;
  running.stopping = true;
  announce("Stopped.");
  if (running.runId) {
    chat.cancel(running.runId).catch(() => {});
    running.abort.abort();
  } else {
    // the server has not named the run yet: onRun cancels it; close anyway if it never answers
    setTimeout(() => running.abort.abort(), 3000);
  }
}

function syncTitle() {
  const item = sidebar.items.find((conversation) => conversation.id === state.conversationId);
  if (item) setTitle(item.title);
  sidebar.setActive(state.conversationId);
}

// --- conversations ---------------------------------------------------------------------------
async function openConversation(id, push) {
  if (state.running) stop();
  let conversation;
  try {
    conversation = await conversations.get(id);
  } catch (error) {
    resetThread();
    state.conversationId = null;
    setTitle("");
    const missing = error.status === 404 || error.status === 401;
    thread.prepend(h("p", { class: "answer-error", role: "alert" },
      missing ? "This conversation does not exist, or it is not yours. " : `Cannot open the conversation: ${error.message} `,
      missing && !page.user ? h("a", { href: `/login?next=${encodeURIComponent(window.location.pathname)}` }, "Log in to see your conversations.") : null));
    return;
  }
  thread.querySelectorAll(":scope > .answer-error").forEach((el) => el.remove());
  resetThread();
  state.conversationId = conversation.id;
  if (push) window.history.pushState({ conversationId: id }, "", `/c/${encodeURIComponent(id)}`);
  for (const turn of conversation.turns) {
    const view = new TurnView({ question: turn.question, actions });
    view.request = { message: turn.question, as_of: turn.as_of || null, model: turn.model || null };
    addTurn(view);
    view.showStored(turn);
  }
  setTitle(conversation.title);
  sidebar.setActive(conversation.id);
  // a follow-up stays on the analysis date the conversation was last asked at (latest: none)
  const last = conversation.turns[conversation.turns.length - 1];
  if (last) box.asOf = last.as_of || null;
  scrollToEnd(true);
  if (!conversation.turns.length) emptyState.hidden = false;
}

function newChat(push) {
  if (state.running) stop();
  resetThread();
  state.conversationId = null;
  setTitle("");
  sidebar.setActive(null);
  if (push) window.history.pushState({}, "", "/");
  box.focus();
}

window.addEventListener("popstate", () => {
  const match = window.location.pathname.match(/^\/c\/([\w-]+)$/);
  if (match) openConversation(decodeURIComponent(match[1]), false);
  else newChat(false);
});

document.getElementById("share-conversation").addEventListener("click", () => {
  if (state.conversationId) shareDialog(state.conversationId);
});
for (const button of document.querySelectorAll(".suggestion")) {
  button.addEventListener("click", () => ask({ message: button.dataset.question, as_of: box.asOf, model: box.model ? box.model.value : null }));
}

initAccountMenu();
sidebar.refresh();
if (page.conversation_id) openConversation(page.conversation_id, false);
else box.focus();
