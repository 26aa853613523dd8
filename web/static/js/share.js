// Sharing a conversation: a read-only link anyone can open (/shared/{token}), copied or revoked here.
import { h, copyText, toast } from "./dom.js";
import { conversations } from "./api.js";
import { showDialog } from "./dialog.js";

/** Make a share link for the conversation and show it with Copy and Revoke. */
export async function shareDialog(conversationId) {
  let share;
  try {
    share = await conversations.share(conversationId);
  } catch (error) {
    toast(`Cannot share: ${error.message}`);
    return null;
  }
  const url = `${window.location.origin}/shared/${encodeURIComponent(share.token)}`;
  const input = h("input", { type: "text", readonly: true, value: url, "aria-label": "Share link", id: "share-url" });
  const copy = h("button", { type: "button", class: "btn btn-primary" }, "Copy link");
  const revoke = h("button", { type: "button", class: "btn btn-quiet", id: "revoke-share" }, "Revoke link");
  const status = h("p", { class: "muted", role: "status" }, "Anyone with this link can read the conversation; nobody can write in it.");
  const dialog = showDialog("Share this conversation", [h("div", { class: "share-link" }, input, copy), status, revoke]);
  copy.addEventListener("click", async () => { if (await copyText(url)) toast("Link copied"); });
  revoke.addEventListener("click", async () => {
    try {
      await conversations.revokeShare(share.token);
      input.value = "";
      input.placeholder = "revoked";
      copy.disabled = true;
      revoke.disabled = true;
      status.textContent = "The link is revoked: it no longer opens the conversation.";
    } catch (error) {
      status.textContent = `Cannot revoke: ${error.message}`;
    }
  });
  input.select();
  return { dialog, url, token: share.token };
}
