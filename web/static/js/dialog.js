// Modal dialogs on the native <dialog> element (focus trapped, Esc closes, focus returns): confirm,
// a text prompt (rename) and a free dialog (share). Every string goes in as text.
import { h } from "./dom.js";

function open(content, { label }) {
  const dialog = h("dialog", { class: "dialog", "aria-label": label }, h("div", { class: "dialog-body" }, content));
  document.body.append(dialog);
  dialog.addEventListener("close", () => dialog.remove());
  dialog.showModal();
  return dialog;
}

/** Resolve true when the person confirms. */
export function confirmDialog(title, message, confirmLabel = "Delete") {
  return new Promise((resolve) => {
    let answer = false;
    const yes = h("button", { type: "button", class: "btn btn-danger" }, confirmLabel);
    const no = h("button", { type: "button", class: "btn btn-secondary" }, "Cancel");
    const dialog = open([h("h2", {}, title), h("p", {}, message), h("div", { class: "dialog-actions" }, no, yes)], { label: title });
    yes.addEventListener("click", () => { answer = true; dialog.close(); });
    no.addEventListener("click", () => dialog.close());
    dialog.addEventListener("close", () => resolve(answer));
    no.focus();
  });
}

/** Resolve the text entered, or null when cancelled. */
export function promptDialog(title, label, value = "", maxLength = 200) {
  return new Promise((resolve) => {
    let answer = null;
    const input = h("input", { type: "text", value, maxlength: maxLength, "aria-label": label, required: true });
    const form = h("form", { method: "dialog" }, h("h2", {}, title), input,
      h("div", { class: "dialog-actions" },
        h("button", { type: "button", class: "btn btn-secondary", value: "cancel" }, "Cancel"),
        h("button", { type: "submit", class: "btn btn-primary" }, "Save")));
    const dialog = open(form, { label: title });
    form.querySelector("[value=cancel]").addEventListener("click", () => dialog.close());
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      if (!input.value.trim()) return;
      answer = input.value.trim();
      dialog.close();
    });
    dialog.addEventListener("close", () => resolve(answer));
    input.select();
  });
}

/** A dialog with any content and a Close button; returns the <dialog>. */
export function showDialog(title, content) {
  const close = h("button", { type: "button", class: "btn btn-secondary" }, "Close");
  const dialog = open([h("h2", {}, title), content, h("div", { class: "dialog-actions" }, close)], { label: title });
  close.addEventListener("click", () => dialog.close());
  return dialog;
}
