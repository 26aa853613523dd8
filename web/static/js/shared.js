// A shared conversation, read-only: the same answers, chips, cards, badges and charts, no actions.
import { h, pageData } from "./dom.js";
import { conversations } from "./api.js";
import { SourcePopover } from "./citations.js";
import { TurnView } from "./turn.js";
import { initAccountMenu } from "./auth.js";

const thread = document.getElementById("thread");
const title = document.getElementById("shared-title");

async function show() {
  const popover = new SourcePopover();
  popover.attach(thread);
  try {
    const conversation = await conversations.shared(pageData().share_token);
    title.textContent = conversation.title || "Shared conversation";
    document.title = `${title.textContent} · Verity`;
    for (const turn of conversation.turns) {
      const view = new TurnView({ question: turn.question, readOnly: true });
      thread.append(view.element);
      view.showStored(turn);
    }
  } catch (error) {
    title.textContent = "This link does not open a conversation";
    thread.append(h("p", { class: "muted" },
      error.status === 404 ? "It may have been revoked, or the conversation deleted." : error.message));
  } finally {
    thread.setAttribute("aria-busy", "false");
  }
}

initAccountMenu();
show();
