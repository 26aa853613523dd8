// Server-sent events read from a fetch() response (EventSource cannot POST a question or send
// headers): frames of `id:`, `event:` and `data:` lines, separated by a blank line.

/** Parse one frame's text into {id, event, data}; data is JSON when it parses, else the raw text. */
export function parseFrame(text) {
  const frame = { id: null, event: "message", data: null };
  const data = [];
  for (const line of text.split(/\r?\n/)) {
    if (!line || line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "id") frame.id = /^\d+$/.test(value) ? Number(value) : value;
    else if (field === "event") frame.event = value;
    else if (field === "data") data.push(value);
  }
  if (!data.length) return null;
  const raw = data.join("\n");
  try { frame.data = JSON.parse(raw); } catch { frame.data = raw; }
  return frame;
}

/**
 * The frames of a streaming response, in batches: every frame that arrived in one network read.
 * A page renders once per batch instead of once per frame.
 */
export async function* readEventBatches(response) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      const parts = buffer.split(/\r?\n\r?\n/);
      buffer = parts.pop();
      const batch = parts.map(parseFrame).filter(Boolean);
      if (batch.length) yield batch;
    }
    const tail = parseFrame(buffer + decoder.decode());
    if (tail) yield [tail];
  } finally {
    reader.releaseLock();
  }
}
