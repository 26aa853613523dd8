// The API keys page: create a key (its secret shown once, with Copy), list keys, revoke one.
import { h, clear, copyText, toast } from "./dom.js";
import { keys } from "./api.js";
import { initAccountMenu } from "./auth.js";
import { confirmDialog } from "./dialog.js";
import { formatWhen } from "./format.js";

const rows = document.getElementById("key-rows");
const form = document.getElementById("key-create");
const error = document.getElementById("key-error");
const fresh = document.getElementById("new-key");
const secret = document.getElementById("new-key-secret");

function row(key) {
  const revoke = h("button", { type: "button", class: "btn btn-quiet btn-small", "aria-label": `Revoke ${key.name}` }, "Revoke");
  revoke.addEventListener("click", async () => {
    if (!(await confirmDialog("Revoke key", `Revoke “${key.name}” (${key.prefix}…)? Programs using it stop working at once.`, "Revoke"))) return;
    try {
      await keys.revoke(key.id);
      toast("Key revoked");
      await load();
    } catch (problem) {
      toast(`Cannot revoke: ${problem.message}`);
    }
  });
  return h("tr", { class: key.revoked ? "revoked" : null, dataset: { key: key.id } },
    h("td", {}, key.name), h("td", {}, h("code", {}, `${key.prefix}…`)),
    h("td", {}, formatWhen(key.created_at)), h("td", {}, key.revoked ? "revoked" : formatWhen(key.last_used_at)),
    h("td", {}, key.revoked ? "" : revoke));
}

async function load() {
  try {
    const list = await keys.list();
    clear(rows);
    if (!list.length) rows.append(h("tr", {}, h("td", { colspan: 5, class: "muted" }, "No keys yet.")));
    else rows.append(...list.map(row));
  } catch (problem) {
    clear(rows).append(h("tr", {}, h("td", { colspan: 5 }, problem.message)));
  }
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const name = form.name.value.trim() || "default";
  error.hidden = true;
  try {
    const created = await keys.create(name);
    secret.textContent = created.key;
    for (const slot of document.querySelectorAll("#api-example .key-value")) slot.textContent = created.key;
    fresh.hidden = false;
    fresh.focus();
    form.reset();
    await load();
  } catch (problem) {
    error.textContent = problem.message;
    error.hidden = false;
  }
});
document.getElementById("copy-key").addEventListener("click", async () => {
  if (await copyText(secret.textContent)) toast("Key copied");
});
for (const origin of document.querySelectorAll("#api-example .origin")) origin.textContent = window.location.origin;

initAccountMenu();
load();
