"""What the browser tests do on a page (ask, wait for the answer), and the independent references
they check the page's figures against (plain pandas on the shared CSVs)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
from playwright.sync_api import expect

from tests.conftest import SHARED_DATA

INDICES = SHARED_DATA / "prices" / "indices_daily_2016_2026.csv.gz"
LARGE_CAPS = SHARED_DATA / "prices" / "us_large_caps_daily_2016_2026.csv.gz"
ANSWER_TIMEOUT = 30_000
OWN_BUDGET = 150 * 1024  # bytes of a page's own JS and CSS (vendored libraries apart)


def closes(path: Any, symbol: str) -> pd.Series:
    """Daily closes of one symbol from a shared price file, by date."""
    frame = pd.read_csv(path, parse_dates=["date"])
    return frame[frame["symbol"] == symbol].set_index("date")["close"].sort_index()


def close_on_or_before(series: pd.Series, day: date) -> float:
    return float(series.loc[: pd.Timestamp(day)].iloc[-1])


def set_as_of(page: Any, day: str) -> None:
    """Pick the analysis date with the "As of" control."""
    page.click("#as-of-chip")
    expect(page.locator("#as-of-panel")).to_be_visible()
    page.fill("#as-of-date", day)
    page.click("#as-of-done")


def ask(page: Any, question: str) -> None:
    page.fill("#question", question)
    page.press("#question", "Enter")


def wait_for_answer(page: Any, index: int = -1) -> Any:
    """The turn once its verified answer is shown (the badge is drawn with the final answer)."""
    turns = page.locator(".turn")
    expect(turns.first).to_be_attached(timeout=ANSWER_TIMEOUT)
    # a fixed position (not "the last one", which moves when another question is asked)
    turn = turns.nth(turns.count() - 1 if index == -1 else index)
    expect(turn.locator(".badge")).to_be_visible(timeout=ANSWER_TIMEOUT)
    return turn


def percent(value: float) -> str:
    """A return as the answers write it: +5.73%."""
    return f"{value:+.2f}%"


PASSWORD = "a long enough password"


def register(page: Any, email: str) -> None:
    page.goto("/login?mode=register")
    expect(page.locator("#auth-title")).to_have_text("Create your account")
    page.fill("#auth-email", email)
    page.fill("#auth-password", PASSWORD)
    page.click("#auth-submit")
    expect(page.locator(".account-email")).to_have_text(email)
    page.wait_for_load_state("load")  # the page's modules run before its load event


def log_in(page: Any, email: str, password: str = PASSWORD) -> None:
    page.goto("/login")
    page.fill("#auth-email", email)
    page.fill("#auth-password", password)
    page.click("#auth-submit")
    page.wait_for_load_state("load")
