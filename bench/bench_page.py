"""Benchmark: the chat page in a real browser (Debian's chromium), each figure against a peer measured
in the same run on the same server.

1. First contentful paint of the chat page against a bare page (one heading and the base stylesheet)
   served by the same app. Goal: the chat page under 500 ms.
2. A streamed token from the server's socket to the page's text: the chat page (Markdown, sanitiser,
   citation chips) against a peer that appends the same stream's raw text to a div. Goal: p95 < 50 ms.
3. The chat page's own JS and CSS (vendored libraries aside) against its budget of 150 KB.

The app runs under uvicorn in a thread of this process with a scripted model that streams 80 numbered
words, 30 ms apart, over a snapshot of the real index data.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from copilot.services import build_services
from tests.conftest import SHARED_DATA
from tests.e2e.conftest import (
    CHROMIUM,
    CHROMIUM_FLAGS,
    MARKER_PACE,
    MARKERS,
    WATCH_SCRIPT,
    scripted_reply,
    server_settings,
)
from tests.e2e.server import PacedScriptedModel, SendLog, served
from tools.importer import import_snapshot
from web.app import create_app

PAINT_RUNS = 10
OWN_BUDGET = 150 * 1024
PEER_PAGE = (
    b'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>peer</title>'
    b'<link rel="stylesheet" href="/static/css/base.css"></head><body><h1>Verity</h1>'
    b'<div class="answer-body"></div></body></html>'
)
# the peer reader: the same request and stream, its text appended raw (no Markdown, no sanitiser)
PEER_READER = """async () => {
  const out = document.querySelector('.answer-body');
  const response = await fetch('/api/chat', {method: 'POST', headers: {'Content-Type': 'application/json'},
    body: JSON.stringify({message: 'stream markers'})});
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const {value, done} = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, {stream: true});
    const frames = buffer.split('\\n\\n');
    buffer = frames.pop();
    for (const frame of frames) {
      const data = frame.split('\\n').find((line) => line.startsWith('data: '));
      if (frame.includes('event: token') && data) out.textContent += JSON.parse(data.slice(6)).text;
    }
  }
}"""
PAINT = """() => new Promise((resolve) => new PerformanceObserver((list) => {
  const entry = list.getEntries().find((e) => e.name === 'first-contentful-paint');
  if (entry) resolve(entry.startTime);
}).observe({type: 'paint', buffered: true}))"""


def with_peer(app: Any) -> Any:
    """The app, plus /bench/peer: the bare page the chat page is compared with."""

    async def wrapped(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"] == "/bench/peer":
            headers = [(b"content-type", b"text/html; charset=utf-8")]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": PEER_PAGE})
            return
        await app(scope, receive, send)

    return wrapped


def first_paints(browser: Any, url: str) -> list[float]:
    paints = []
    for _ in range(PAINT_RUNS):
        context = browser.new_context(viewport={"width": 1280, "height": 860})
        page = context.new_page()
        page.goto(url, wait_until="load")
        paints.append(float(page.evaluate(PAINT)))
        context.close()
    return paints


def token_delays(browser: Any, url: str, log: SendLog, peer: bool) -> list[float]:
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    page = context.new_page()
    page.add_init_script(WATCH_SCRIPT)
    started = len(log.frames)
    if peer:
        page.goto(f"{url}/bench/peer")
        page.evaluate(PEER_READER)
    else:
        page.goto(url)
        page.fill("#question", "stream markers")
        page.press("#question", "Enter")
        page.locator(".turn .badge").wait_for(timeout=30_000)
    seen: dict[str, float] = page.evaluate("window.__seen")
    sent: dict[str, float] = {}
    for frame in log.frames[started:]:
        if frame.event == "token":
            for word in frame.data["text"].split():
                sent.setdefault(word, frame.at * 1000.0)
    context.close()
    assert len(sent) == MARKERS and set(seen) == set(sent), (len(sent), len(seen))
    return sorted(seen[word] - sent[word] for word in sent)


def own_bytes(browser: Any, url: str) -> int:
    context = browser.new_context()
    page = context.new_page()
    page.goto(url, wait_until="networkidle")
    sizes = page.evaluate(
        "() => performance.getEntriesByType('resource')"
        ".filter(e => /\\/static\\/(js|css)\\//.test(e.name)).map(e => e.decodedBodySize)"
    )
    context.close()
    return int(sum(sizes))


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[round(0.95 * (len(ordered) - 1))]


def main() -> None:
    if not CHROMIUM.exists():
        sys.exit(f"{CHROMIUM} not found: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        import_snapshot([SHARED_DATA / "prices" / "indices_daily_2016_2026.csv.gz"], root / "snapshot")
        settings = server_settings(root / "data", root / "snapshot")
        model = PacedScriptedModel(responder=scripted_reply, chunk_size=5, pace=MARKER_PACE)
        holder: dict[str, SendLog] = {}

        def build() -> Any:
            services = build_services(settings, model_factory=lambda _settings: model)
            holder["log"] = SendLog(create_app(settings, services))
            return with_peer(holder["log"])

        with served(build) as server, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
            chat_paint = first_paints(browser, f"{server.url}/")
            peer_paint = first_paints(browser, f"{server.url}/bench/peer")
            chat_tokens = token_delays(browser, server.url, holder["log"], peer=False)
            peer_tokens = token_delays(browser, server.url, holder["log"], peer=True)
            size = own_bytes(browser, f"{server.url}/")
            browser.close()

    chat, peer = statistics.median(chat_paint), statistics.median(peer_paint)
    print(
        f"first contentful paint: chat page p50 {chat:.0f} ms (max {max(chat_paint):.0f}) vs bare page "
        f"p50 {peer:.0f} ms (max {max(peer_paint):.0f}): {chat / peer:.2f}x; goal < 500 ms: "
        f"{'ok' if chat < 500 else 'MISSED'}"
    )
    print(
        f"token to page text: chat page p50 {statistics.median(chat_tokens):.2f} ms, p95 "
        f"{p95(chat_tokens):.2f} ms, max {max(chat_tokens):.2f} ms vs raw-text peer p50 "
        f"{statistics.median(peer_tokens):.2f} ms, p95 {p95(peer_tokens):.2f} ms: "
        f"{p95(chat_tokens) / p95(peer_tokens):.2f}x at p95; goal p95 < 50 ms: "
        f"{'ok' if p95(chat_tokens) < 50 else 'MISSED'}"
    )
    print(
        f"chat page's own JS + CSS: {size / 1024:.1f} KB of {OWN_BUDGET / 1024:.0f} KB "
        f"({size / OWN_BUDGET:.2f} of the budget)"
    )


if __name__ == "__main__":
    main()
