// The chat box: a growing text area (Enter asks, Shift+Enter is a new line), the analysis-date
// picker ("As of"), the model (when there is a choice), and Ask / Stop (Esc stops, anywhere).
import { formatDay } from "./format.js";

export class ChatBox {
  /** form: the #composer form; onSend({message, as_of, model}); onStop(). */
  constructor(form, { onSend, onStop }) {
    this.form = form;
    this.onSend = onSend;
    this.onStop = onStop;
    this.text = form.querySelector("textarea");
    this.send = form.querySelector("#send");
    this.stop = form.querySelector("#stop");
    this.model = form.querySelector("#model-select");
    this.asOfBox = form.querySelector("#as-of");
    this.asOfChip = form.querySelector("#as-of-chip");
    this.asOfPanel = form.querySelector("#as-of-panel");
    this.asOfInput = form.querySelector("#as-of-date");
    this.asOfValue = form.querySelector("#as-of-value");
    this.busy = false;

    form.addEventListener("submit", (e) => { e.preventDefault(); this.submit(); });
    this.text.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); this.submit(); }
    });
    this.text.addEventListener("input", () => this.fit());
    this.stop.addEventListener("click", () => this.onStop());
    document.addEventListener("keydown", (e) => {
      if (e.key !== "Escape") return;
      if (!this.asOfPanel.hidden) { this.closeAsOf(true); return; }
      if (this.busy) { e.preventDefault(); this.onStop(); }
    });
    this.asOfChip.addEventListener("click", () => (this.asOfPanel.hidden ? this.openAsOf() : this.closeAsOf(true)));
    this.asOfInput.addEventListener("change", () => this.showAsOf());
    form.querySelector("#as-of-latest").addEventListener("click", () => { this.asOf = null; this.closeAsOf(true); });
    form.querySelector("#as-of-done").addEventListener("click", () => this.closeAsOf(true));
    document.addEventListener("pointerdown", (e) => {
      if (!this.asOfPanel.hidden && !this.asOfBox.contains(e.target)) this.closeAsOf(false);
    });
  }

  submit() {
    const message = this.text.value.trim();
    if (!message || this.busy) return;
    this.onSend({ message, as_of: this.asOf, model: this.model ? this.model.value : null });
  }

  /** While an answer streams: Stop replaces Ask. */
  setBusy(busy) {
    this.busy = busy;
    this.send.hidden = busy;
    this.stop.hidden = !busy;
    // back to the box for the next question, unless the person moved elsewhere meanwhile
    const idle = !document.activeElement || document.activeElement === document.body || this.form.contains(document.activeElement);
    if (!busy && idle) this.text.focus({ preventScroll: true });
  }

  get value() { return this.text.value; }
  set value(text) { this.text.value = text; this.fit(); }
  clear() { this.value = ""; }
  focus() { this.text.focus(); this.text.setSelectionRange(this.text.value.length, this.text.value.length); }

  fit() {
    this.text.style.height = "auto";
    this.text.style.height = `${Math.min(this.text.scrollHeight, window.innerHeight * 0.4)}px`;
  }

  /** The analysis date (YYYY-MM-DD) or null for the latest data. */
  get asOf() { return this.asOfInput.value || null; }
  set asOf(day) { this.asOfInput.value = day || ""; this.showAsOf(); }

  showAsOf() {
    const day = this.asOf;
    this.asOfValue.textContent = day ? formatDay(day) : "latest data";
    this.asOfBox.classList.toggle("is-set", Boolean(day));
  }

  openAsOf() {
    this.asOfPanel.hidden = false;
    this.asOfChip.setAttribute("aria-expanded", "true");
    this.asOfInput.focus();
  }

  closeAsOf(returnFocus) {
    this.asOfPanel.hidden = true;
    this.asOfChip.setAttribute("aria-expanded", "false");
    this.showAsOf();
    if (returnFocus) this.asOfChip.focus();
  }
}
