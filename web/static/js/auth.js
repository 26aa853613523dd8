// Who is logged in (rendered by the server into the page), logging out, and the login state other
// parts show: the deep-research slot says "Log in to order deep research reports" to anonymous visitors.
import { h, pageData, toast } from "./dom.js";
import { auth } from "./api.js";

/** The logged-in user {email}, or null for an anonymous visitor. */
export function currentUser() {
  return pageData().user || null;
}

/** A same-site path to go to after logging in (anything else goes home). */
export function safeNext(value) {
  return typeof value === "string" && /^\/(?!\/)[\w\-./?=&%]*$/.test(value) ? value : "/";
}

/** Wire the top bar's "Log out" button (every page calls this). */
export function initAccountMenu() {
  const button = document.getElementById("logout");
  if (!button) return;
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      await auth.logout();
      window.location.assign("/");
    } catch (error) {
      toast(`Cannot log out: ${error.message}`);
      button.disabled = false;
    }
  });
}

/** Fill the deep-research slot for this login state (the server renders it too; pages that change
 *  the state without a reload call this). */
export function renderDeepResearchSlot(slot, user = currentUser()) {
  if (!slot) return;
  const title = slot.querySelector("h2");
  slot.replaceChildren(title || h("h2", { class: "deep-research-title" }, "Deep research"));
  if (user) {
    slot.append(h("p", { class: "deep-research-text" }, "Multi-section research notes with charts, every claim verified."),
      h("a", { class: "btn btn-secondary btn-block", href: "/research", id: "deep-research-link" }, "Order a research report"));
  } else {
    slot.append(h("p", { class: "deep-research-text" },
      h("a", { href: "/login?next=/research", id: "deep-research-login" }, "Log in to order deep research reports")));
  }
}

/** Log in or register (mode "login" | "register"); resolves to the session (with its CSRF token). */
export function signIn(mode, email, password) {
  return mode === "register" ? auth.register(email, password) : auth.login(email, password);
}
