// The conversations sidebar: new chat, the list (newest first, text search, more on demand), and per
// conversation rename, share and delete. On narrow screens it is a drawer behind the menu button.
import { h, clear, debounce, toast } from "./dom.js";
import { icon } from "./icons.js";
import { conversations, csrfToken } from "./api.js";
import { confirmDialog, promptDialog } from "./dialog.js";
import { shareDialog } from "./share.js";

const PAGE = 30;

export class ConversationSidebar {
  /** onOpen(id), onNew(), onRenamed(id, title), onDeleted(id): what the page does about it. */
  constructor({ onOpen, onNew, onRenamed, onDeleted }) {
    this.root = document.getElementById("sidebar");
    this.list = document.getElementById("conversation-list");
    this.search = document.getElementById("conversation-search");
    this.toggle = document.getElementById("sidebar-toggle");
    this.backdrop = document.getElementById("sidebar-backdrop");
    Object.assign(this, { onOpen, onNew, onRenamed, onDeleted });
    this.activeId = null;
    this.items = [];
    this.search.addEventListener("input", debounce(() => this.refresh(), 250));
    document.getElementById("new-chat").addEventListener("click", () => { this.closeDrawer(); this.onNew(); });
    this.toggle?.addEventListener("click", () => (this.root.classList.contains("is-open") ? this.closeDrawer() : this.openDrawer()));
    this.backdrop.addEventListener("click", () => this.closeDrawer());
    this.root.addEventListener("keydown", (e) => { if (e.key === "Escape" && this.root.classList.contains("is-open")) this.closeDrawer(true); });
  }

  openDrawer() {
    this.root.classList.add("is-open");
    this.backdrop.hidden = false;
    this.toggle?.setAttribute("aria-expanded", "true");
    this.search.focus();
  }

  closeDrawer(returnFocus = false) {
    if (!this.root.classList.contains("is-open")) return;
    this.root.classList.remove("is-open");
    this.backdrop.hidden = true;
    this.toggle?.setAttribute("aria-expanded", "false");
    if (returnFocus) this.toggle?.focus();
  }

  /** Reload the list (the first page, with the current search). */
  async refresh() {
    if (!csrfToken()) { // no session yet (a first visit): nothing to list, nothing to ask
      this.items = [];
      this.render(false);
      this.list.setAttribute("aria-busy", "false");
      return;
    }
    this.list.setAttribute("aria-busy", "true");
    try {
      this.items = await conversations.list(this.search.value.trim(), PAGE, 0);
      this.render(this.items.length === PAGE);
    } catch (error) {
      this.items = [];
      this.render(false, error.status === 401 ? null : error.message); // a session that expired: nothing
    } finally {
      this.list.setAttribute("aria-busy", "false");
    }
  }

  async more(button) {
    button.disabled = true;
    try {
      const next = await conversations.list(this.search.value.trim(), PAGE, this.items.length);
      this.items.push(...next);
      this.render(next.length === PAGE);
    } catch (error) {
      toast(error.message);
      button.disabled = false;
    }
  }

  render(hasMore, problem = null) {
    clear(this.list);
    if (!this.items.length) {
      const text = problem || (this.search.value.trim() ? "No conversation matches." : "Your conversations will be listed here.");
      this.list.append(h("p", { class: "empty" }, text));
      return;
    }
    this.list.append(h("ul", { class: "conversation-items", role: "list" }, this.items.map((item) => this.row(item))));
    if (hasMore) {
      const button = h("button", { type: "button", class: "btn btn-quiet btn-small more-results" }, "Show more");
      button.addEventListener("click", () => this.more(button));
      this.list.append(button);
    }
  }

  row(item) {
    const active = item.id === this.activeId;
    const title = item.title || "Untitled conversation";
    return h("li", { class: `conversation-item${active ? " is-active" : ""}`, dataset: { id: item.id } },
      h("button", { type: "button", class: "conversation-open", "aria-current": active ? "page" : null, title,
        onclick: () => { this.closeDrawer(); this.onOpen(item.id); } }, title),
      h("span", { class: "conversation-actions" },
        h("button", { type: "button", class: "icon-btn", "aria-label": `Rename “${title}”`, title: "Rename", onclick: () => this.rename(item) }, icon("pencil")),
        h("button", { type: "button", class: "icon-btn", "aria-label": `Share “${title}”`, title: "Share", onclick: () => shareDialog(item.id) }, icon("share")),
        h("button", { type: "button", class: "icon-btn", "aria-label": `Delete “${title}”`, title: "Delete", onclick: () => this.remove(item) }, icon("trash"))));
  }

  setActive(id) {
    this.activeId = id;
    for (const row of this.list.querySelectorAll(".conversation-item")) {
      const active = row.dataset.id === id;
      row.classList.toggle("is-active", active);
      const open = row.querySelector(".conversation-open");
      if (active) open.setAttribute("aria-current", "page"); else open.removeAttribute("aria-current");
    }
  }

  async rename(item) {
    const title = await promptDialog("Rename conversation", "Title", item.title || "");
    if (title === null || title === item.title) return;
    try {
      const summary = await conversations.rename(item.id, title);
      item.title = summary.title;
      this.render(this.items.length % PAGE === 0 && this.items.length > 0);
      this.onRenamed(item.id, summary.title);
    } catch (error) {
      toast(`Cannot rename: ${error.message}`);
    }
  }

  async remove(item) {
    const title = item.title || "this conversation";
    if (!(await confirmDialog("Delete conversation", `Delete “${title}” with its answers and share links? This cannot be undone.`))) return;
    try {
      await conversations.remove(item.id);
      this.items = this.items.filter((other) => other.id !== item.id);
      this.render(false);
      this.onDeleted(item.id);
      toast("Conversation deleted");
    } catch (error) {
      toast(`Cannot delete: ${error.message}`);
    }
  }
}
