"""``YahooReplay`` that also answers Yahoo's fundamentals-timeseries endpoint from its recordings.

The recorded AAPL exchanges (``fundamentalsTimeSeries-AAPL-all-annual.json`` and ``-quarterly``,
2025-02-21) hold every statement line Yahoo had; a request gets the recorded series of the types
it names (yfinance asks for its own list of types, node-yahoo-finance2 recorded another), in
Yahoo's shape. A symbol without a recording gets Yahoo's empty answer.
"""

from __future__ import annotations

import copy
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import requests

from tests.unit.market.yahoo_replay import EMPTY_TIMESERIES, YahooReplay


class StatementReplay(YahooReplay):
    """Recorded Yahoo exchanges, statements included."""

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        url = urlsplit(request.url or "")
        path = unquote(url.path)
        if "/fundamentals-timeseries/" not in path or self.fail_with is not None or self.fail_status:
            return super().send(request, **kwargs)
        self.calls.append(request.url or "")
        symbol = path.rsplit("/", 1)[1]
        types = parse_qs(url.query).get("type", [""])[0].split(",")
        return self._response(request, 200, self.timeseries(symbol, [t for t in types if t]))

    def timeseries(self, symbol: str, types: list[str]) -> dict[str, Any]:
        """The recorded series of ``types`` for ``symbol`` (Yahoo's empty answer when unrecorded)."""
        scale = "annual" if types and types[0].startswith("annual") else "quarterly"
        recorded = self.fixtures.get(f"fundamentalsTimeSeries-{symbol}-all-{scale}.json")
        if recorded is None or not types:
            return EMPTY_TIMESERIES
        wanted = set(types)
        results = recorded["response"]["bodyJson"]["timeseries"]["result"]
        kept = [copy.deepcopy(r) for r in results if r["meta"]["type"][0] in wanted]
        return {"timeseries": {"result": kept, "error": None}}
