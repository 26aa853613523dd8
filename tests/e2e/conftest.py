"""Fixtures of the browser tests: Debian's Chromium driven by Playwright, and two real servers shared by
the whole session (each on a free loopback port, over a snapshot imported from the shared data):

- ``offline_server``: the offline analyst (``verity`` streams its prose a word every 25 ms, so an
  answer can be watched and stopped; ``verity-offline`` answers at full speed);
- ``scripted_server``: a scripted model for what the offline analyst never writes: hostile text in
  an answer and in a document, a model that is down, a stream of numbered markers for timing.

Pages are opened in fresh browser contexts (own cookies). Every page records console errors, page
errors, requests that left the origin, and Content-Security-Policy violations (``watch``).
Screenshots and the performance figures go to ``test-artifacts/`` (gitignored), written on every run.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage

from copilot.config import Settings
from copilot.errors import LLMUnavailableError
from copilot.model_registry import DEFAULT_MODEL, ModelInfo
from copilot.services import build_services
from copilot.turn_fields import repair_of
from tests.conftest import SHARED_DATA
from tests.e2e.server import PacedAnalyst, PacedScriptedModel, SendLog, Served, served
from tests.fakes import tool_calls
from tools.importer import import_snapshot
from web.app import create_app

CHROMIUM = Path(os.environ.get("VERITY_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
SNAPSHOT_SOURCES = ("prices", "fundamentals", "corpus/sec_filings/index.csv")
MARKERS = 80  # numbered words the timing answer streams
MARKER_PACE = 0.03


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's chromium (Playwright's own browser download cannot work on these machines).

    One per module, not per session: Playwright's sync API keeps an event loop running in this
    thread while it is open, and the asyncio tests that follow the browser tests need the thread free.
    """
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("e2e-market") / "snapshot"
    import_snapshot([SHARED_DATA / part for part in SNAPSHOT_SOURCES], dest)
    return dest


def server_settings(data_dir: Path, snapshot: Path) -> Settings:
    return Settings(
        data_dir=data_dir,
        shared_data=SHARED_DATA,
        market_data=f"snapshot:{snapshot}",
        llm="offline",
        rate_limit_user="1000/minute",
        rate_limit_anonymous="1000/minute",
        rate_limit_login="1000/minute",
        _env_file=None,  # type: ignore[call-arg]
    )


@pytest.fixture(scope="session")
def offline_server(snapshot: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    settings = server_settings(tmp_path_factory.mktemp("e2e-offline"), snapshot)

    def build() -> Any:
        services = build_services(settings, model_factory=lambda _settings: PacedAnalyst())
        # the registry labels any default factory but its own as an LLM; this one is the offline
        # analyst (paced), and the page must say so as it does for `make run`
        services.models._info[DEFAULT_MODEL] = ModelInfo(DEFAULT_MODEL, "the offline analyst", True)
        return create_app(settings, services)

    with served(build) as server:
        yield server


# --- the scripted server ----------------------------------------------------------------------

HOSTILE_DOCUMENT = """# Quarterly outlook <img src=x onerror="window.__pwned='document title'">

Revenue grew 12 percent in the quarter <script>window.__pwned='document script'</script> while
margins held at 30 percent. <img src=x onerror="window.__pwned='document image'">
See [the filing](javascript:window.__pwned='document-link') for details.
"""
HOSTILE_ANSWER = (
    "Revenue grew 12 percent [1]. <script>window.__pwned='answer script'</script>\n\n"
    "<img src=x onerror=\"window.__pwned='answer image'\">\n\n"
    "See [the filing](javascript:window.__pwned='answer-link') or "
    "<a href=\"javascript:window.__pwned='answer anchor'\">this one</a>."
)


def marker_answer() -> str:
    return " ".join(f"w{i:03d}" for i in range(1, MARKERS + 1))


UNVERIFIED_ANSWER = "Revenue grew 15 percent [1] in the quarter."


def _question(messages: list[BaseMessage]) -> tuple[str, bool, bool]:
    """The last question, whether a tool answered since it was asked, and whether it is the
    verifier's repair request (not a person's question)."""
    for index in range(len(messages) - 1, -1, -1):
        if isinstance(messages[index], HumanMessage):
            later = messages[index + 1 :]
            answered = any(isinstance(m, ToolMessage) for m in later)
            return str(messages[index].content), answered, repair_of(messages[index]) is not None
    return "", False, False


def scripted_reply(messages: list[BaseMessage]) -> AIMessage:
    """What the scripted server's model says to each test question."""
    question, answered, repair = _question(messages)
    if repair:  # the one question whose answer fails verification: the repair fails too
        return AIMessage(content=UNVERIFIED_ANSWER)
    if "unverified figure" in question:
        if not answered:
            return tool_calls(("search_documents", {"query": "quarterly outlook revenue margins"}))
        return AIMessage(content=UNVERIFIED_ANSWER)
    if "stream markers" in question:
        return AIMessage(content=marker_answer())
    if "model down" in question:
        raise LLMUnavailableError("the model endpoint did not answer (scripted outage)")
    if "hostile document" in question:
        if not answered:
            return tool_calls(("search_documents", {"query": "quarterly outlook revenue margins"}))
        return AIMessage(content=HOSTILE_ANSWER)
    if "unknown ticker" in question and not answered:
        return tool_calls(("get_quote", {"symbol": "ZZZZQ"}))
    return AIMessage(content="I could not find that.")


@dataclass
class ScriptedServer:
    url: str
    log: SendLog
    model: PacedScriptedModel = field(repr=False)


@pytest.fixture(scope="session")
def scripted_server(snapshot: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ScriptedServer]:
    data_dir = tmp_path_factory.mktemp("e2e-scripted")
    settings = server_settings(data_dir, snapshot)
    document = data_dir / "quarterly-outlook.md"
    document.write_text(HOSTILE_DOCUMENT, encoding="utf-8")
    from copilot.knowledge import build_knowledge_base

    build_knowledge_base(settings).add([document], publisher="Hostile Research <b>Inc</b>")
    model = PacedScriptedModel(responder=scripted_reply, chunk_size=5, pace=MARKER_PACE)
    holder: dict[str, SendLog] = {}

    def build() -> Any:
        services = build_services(settings, model_factory=lambda _settings: model)
        holder["log"] = SendLog(create_app(settings, services))
        return holder["log"]

    with served(build) as server:
        yield ScriptedServer(server.url, holder["log"], model)


# --- pages ------------------------------------------------------------------------------------

# Runs before the page's own scripts (Playwright injects it over the DevTools protocol, so the
# page's CSP does not apply to it): collects CSP violations and times when marker words appear.
WATCH_SCRIPT = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
  (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
window.__seen = {};
new MutationObserver(() => {
  const now = performance.timeOrigin + performance.now();
  for (const body of document.querySelectorAll('.answer-body')) {
    for (const word of body.textContent.match(/\\bw\\d{3}\\b/g) || []) {
      if (!(word in window.__seen)) window.__seen[word] = now;
    }
  }
}).observe(document, {subtree: true, childList: true, characterData: true});
"""


@dataclass
class Watched:
    """What a page did that it should not have: console errors, uncaught errors, off-origin requests."""

    origin: str
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def clean(self, page: Any, allow_console: tuple[str, ...] = ()) -> None:
        """Assert the page ran clean: no uncaught error, no CSP violation, nothing off the origin."""
        errors = [e for e in self.console_errors if not any(a in e for a in allow_console)]
        assert self.page_errors == [], self.page_errors
        assert errors == [], errors
        assert self.foreign_requests == [], self.foreign_requests
        assert self.dialogs == [], self.dialogs
        assert page.evaluate("window.__csp") == []


def watch(page: Any, origin: str) -> Watched:
    watched = Watched(origin)
    page.add_init_script(WATCH_SCRIPT)
    page.on("console", lambda m: watched.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: watched.page_errors.append(str(e)))
    page.on(
        "request",
        lambda r: (
            watched.foreign_requests.append(r.url)
            if not r.url.startswith((origin, "data:", "blob:"))
            else None
        ),
    )

    def on_dialog(dialog: Any) -> None:
        watched.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    return watched


@pytest.fixture()
def new_page(browser: Any) -> Iterator[Any]:
    """new_page(url, **context options) -> (page, watched); contexts close after the test."""
    contexts: list[Any] = []

    def make(origin: str, **options: Any) -> tuple[Any, Watched]:
        options.setdefault("viewport", {"width": 1280, "height": 860})
        context = browser.new_context(base_url=origin, **options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        return page, watch(page, origin)

    yield make
    for context in contexts:
        context.close()
