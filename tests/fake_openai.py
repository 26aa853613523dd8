"""A fake OpenAI-compatible server on 127.0.0.1: the real ChatOpenAI client path, without a network.

openai 3.x sends through httpx2, which respx cannot intercept, so tests talk to this loopback
server instead. It serves ``POST /v1/chat/completions`` both as SSE chunks (``stream: true``,
including ``tool_calls`` deltas) and as one JSON body, replying from a script of ``Reply``s and
recording every request body.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    """One scripted completion: text, tool calls ``(name, raw JSON arguments)``, or a failure."""

    content: str = ""
    tool_calls: list[tuple[str, str]] = field(default_factory=list)
    delay: float = 0.0  # seconds before the first byte
    status: int = 200  # e.g. 500 for a server error


def text(content: str) -> Reply:
    return Reply(content=content)


def calls(*pairs: tuple[str, dict[str, Any] | str]) -> Reply:
    """Tool calls; a dict is sent as JSON, a string is sent as is (to send malformed arguments)."""
    return Reply(
        tool_calls=[(name, args if isinstance(args, str) else json.dumps(args)) for name, args in pairs]
    )


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # a client that timed out closes its socket while a slow reply is still being written
        pass


class FakeOpenAI:
    """The server: ``url`` for OPENAI_BASE_URL, ``enqueue`` replies, read ``requests`` afterwards."""

    def __init__(self, api_key: str = "test", chunk_chars: int = 7) -> None:
        self.api_key = api_key
        self.chunk_chars = chunk_chars
        self.script: list[Reply] = []
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._server = _QuietServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def enqueue(self, *replies: Reply) -> FakeOpenAI:
        with self._lock:
            self.script.extend(replies)
        return self

    def __enter__(self) -> FakeOpenAI:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _next(self, body: dict[str, Any]) -> Reply:
        with self._lock:
            self.requests.append(body)
            return self.script.pop(0) if self.script else Reply(content="(no scripted reply)")

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"  # one request per connection; the body ends when we close

            def log_message(self, format: str, *args: Any) -> None:  # quiet test output
                pass

            def do_POST(self) -> None:
                if self.path != "/v1/chat/completions":
                    return self._json(404, {"error": {"message": f"no route {self.path}"}})
                if self.headers.get("Authorization") != f"Bearer {fake.api_key}":
                    return self._json(401, {"error": {"message": "bad key", "type": "invalid_request_error"}})
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                reply = fake._next(body)
                time.sleep(reply.delay)
                if reply.status != 200:
                    return self._json(reply.status, {"error": {"message": "scripted failure"}})
                if body.get("stream"):
                    return self._stream(body, reply)
                return self._json(200, _completion(body, reply))

            def _json(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _stream(self, body: dict[str, Any], reply: Reply) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                for chunk in _chunks(body, reply, fake.chunk_chars):
                    self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                    self.wfile.flush()
                self.wfile.write(b"data: [DONE]\n\n")

        return Handler


def _envelope(body: dict[str, Any], delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": 1767916800,
        "model": body.get("model", "fake"),
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}],
    }


def _chunks(body: dict[str, Any], reply: Reply, size: int) -> Iterator[dict[str, Any]]:
    yield _envelope(body, {"role": "assistant", "content": ""})
    for start in range(0, len(reply.content), size):
        yield _envelope(body, {"content": reply.content[start : start + size]})
    for index, (name, arguments) in enumerate(reply.tool_calls):
        head = {
            "index": index,
            "id": f"call_{index}",
            "type": "function",
            "function": {"name": name, "arguments": ""},
        }
        yield _envelope(body, {"tool_calls": [head]})
        for start in range(0, len(arguments), size):  # arguments arrive in pieces, as real servers send them
            piece = {"index": index, "function": {"arguments": arguments[start : start + size]}}
            yield _envelope(body, {"tool_calls": [piece]})
    yield _envelope(body, {}, "tool_calls" if reply.tool_calls else "stop")


def _completion(body: dict[str, Any], reply: Reply) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": reply.content or None}
    if reply.tool_calls:
        message["tool_calls"] = [
            {"id": f"call_{i}", "type": "function", "function": {"name": name, "arguments": arguments}}
            for i, (name, arguments) in enumerate(reply.tool_calls)
        ]
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": 1767916800,
        "model": body.get("model", "fake"),
        "choices": [
            {"index": 0, "message": message, "finish_reason": "tool_calls" if reply.tool_calls else "stop"}
        ],
        "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
    }
