// The JSON API and the chat stream, for every page. Errors are ApiError {status, code, message};
// cookie-session writes carry the CSRF token (the readable verity_csrf cookie) in X-CSRF-Token.
import { readEventBatches } from "./sse.js";

export class ApiError extends Error {
  constructor(status, code, message, retryAfter = null) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }
}

export function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)verity_csrf=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

async function errorOf(response) {
  let body = null;
  try { body = await response.json(); } catch { /* not JSON: keep the status line */ }
  const message = (body && (body.message || body.detail)) || `The server answered ${response.status} ${response.statusText}.`;
  const retry = Number(response.headers.get("Retry-After")) || null;
  return new ApiError(response.status, (body && body.error) || `http_${response.status}`, message, retry);
}

async function send(path, { method = "GET", body, signal, headers = {} } = {}) {
  const init = { method, signal, credentials: "same-origin", headers: { Accept: "application/json", ...headers } };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  if (method !== "GET" && method !== "HEAD" && csrfToken()) init.headers["X-CSRF-Token"] = csrfToken();
  let response;
  try {
    response = await fetch(path, init);
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new ApiError(0, "network", "The server cannot be reached. Check the connection and try again.");
  }
  if (!response.ok) throw await errorOf(response);
  return response;
}

/** A JSON request; resolves to the parsed body (null for 204). */
export async function request(path, options = {}) {
  const response = await send(path, options);
  return response.status === 204 ? null : response.json();
}

const TERMINAL = new Set(["done", "error"]);
const RECONNECTS = 4;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Ask a question and stream its run: onEvents(batch) gets [{id, event, data}, ...] as they arrive;
 * onRun({runId, conversationId}) as soon as the run exists. A dropped connection is resumed with
 * Last-Event-ID (every missed event once). Resolves when the run ends (done or error).
 */
export async function streamChat(body, onEvents, { signal, onRun } = {}) {
  const response = await send("/api/chat", { method: "POST", body, signal, headers: { Accept: "text/event-stream" } });
  const runId = response.headers.get("X-Run-Id");
  if (onRun) onRun({ runId, conversationId: response.headers.get("X-Conversation-Id") });
  return follow(response, runId, 0, onEvents, signal);
}

/** Follow a run that already exists from after event `after` (e.g. a page reloaded mid-answer). */
export async function followRun(runId, after, onEvents, { signal } = {}) {
  const response = await openRun(runId, after, signal);
  return follow(response, runId, after, onEvents, signal);
}

function openRun(runId, after, signal) {
  return send(`/api/chat/runs/${encodeURIComponent(runId)}/events`, {
    signal, headers: { Accept: "text/event-stream", "Last-Event-ID": String(after) },
  });
}

async function follow(response, runId, after, onEvents, signal) {
  let last = after;
  for (let attempt = 0; ; attempt += 1) {
    try {
      for await (const batch of readEventBatches(response)) {
        const numbered = batch.filter((frame) => typeof frame.id === "number" && frame.id > last);
        if (!numbered.length) continue;
        last = numbered[numbered.length - 1].id;
        onEvents(numbered);
        if (numbered.some((frame) => TERMINAL.has(frame.event))) return;
      }
    } catch (error) {
      if (signal && signal.aborted) throw error;
    }
    if (signal && signal.aborted) throw new DOMException("stopped", "AbortError");
    if (!runId || attempt >= RECONNECTS) {
      throw new ApiError(0, "network", "The connection to the server was lost before the answer was finished.");
    }
    await sleep(250 * (attempt + 1));
    try { response = await openRun(runId, last, signal); } catch (error) { if (error.name === "AbortError") throw error; }
  }
}

export const chat = {
  cancel: (runId) => request(`/api/chat/runs/${encodeURIComponent(runId)}/cancel`, { method: "POST" }),
  run: (runId) => request(`/api/chat/runs/${encodeURIComponent(runId)}`),
  models: () => request("/api/models"),
};

const id = encodeURIComponent;

export const conversations = {
  list: (q = "", limit = 30, offset = 0) =>
    request(`/api/conversations?${new URLSearchParams({ ...(q ? { q } : {}), limit, offset })}`),
  get: (conversationId) => request(`/api/conversations/${id(conversationId)}`),
  rename: (conversationId, title) => request(`/api/conversations/${id(conversationId)}`, { method: "PATCH", body: { title } }),
  remove: (conversationId) => request(`/api/conversations/${id(conversationId)}`, { method: "DELETE" }),
  share: (conversationId) => request(`/api/conversations/${id(conversationId)}/share`, { method: "POST" }),
  revokeShare: (token) => request(`/api/shares/${id(token)}`, { method: "DELETE" }),
  shared: (token) => request(`/api/shared/${id(token)}`),
  feedback: (conversationId, turnId, rating, comment = "") =>
    request(`/api/conversations/${id(conversationId)}/turns/${id(turnId)}/feedback`, { method: "POST", body: { rating, comment } }),
};

export const auth = {
  me: () => request("/api/me"),
  login: (email, password) => request("/api/auth/login", { method: "POST", body: { email, password } }),
  register: (email, password) => request("/api/auth/register", { method: "POST", body: { email, password } }),
  logout: () => request("/api/auth/logout", { method: "POST" }),
};

export const keys = {
  list: () => request("/api/keys"),
  create: (name) => request("/api/keys", { method: "POST", body: { name } }),
  revoke: (keyId) => request(`/api/keys/${id(keyId)}`, { method: "DELETE" }),
};

const query = (params) => new URLSearchParams(Object.entries(params).filter(([, v]) => v !== null && v !== undefined && v !== ""));

export const market = {
  /** A price with its 50/200-day averages up to asOf (a Chart: {key, kind, title, unit, series, note}). */
  priceChart: (symbol, asOf, signal) => request(`/api/market/chart/price?${query({ symbol, as_of: asOf })}`, { signal }),
  /** Several symbols rebased to 100 at the last close on or before start. */
  relativeChart: (symbols, start, asOf, signal) => {
    const params = query({ start, as_of: asOf });
    for (const symbol of symbols) params.append("symbols", symbol);
    return request(`/api/market/chart/relative?${params}`, { signal });
  },
};

export const documents = {
  /** The whole text of a cited passage (a document source's details.chunk_id). */
  passage: (documentId, chunkId) => request(`/api/documents/${id(documentId)}/passages/${id(chunkId)}`),
};
