"""Replay the recorded Yahoo Finance exchanges (shared/data/yahoo_wire) to yfinance, offline.

``YahooReplay`` is a ``requests`` transport adapter: mounted on a ``requests.Session`` that is
injected into yfinance, it answers each request from the recorded JSON files of
``yahoo_finance2_http_fixtures.tar.gz`` (real responses recorded 2025-02/03; the ``*.fake.json``
files hand-edited upstream are skipped):

- ``/v1/test/getcrumb``            -> getCrumb-getcrumb.json (the recorded crumb text)
- ``/v8/finance/chart/SYM``         -> the recorded daily chart of SYM whose window overlaps the
                                       request, rows trimmed to the requested window (as Yahoo does);
                                       a window with no rows -> that chart with its rows removed
                                       (Yahoo's empty answer); a symbol never recorded -> 404 in
                                       the shape of Yahoo's chart error
- ``/v10/finance/quoteSummary/SYM`` -> quoteSummary-all-SYM.json cut to the requested modules;
                                       never recorded -> a recorded 404 quoteSummary body
- ``/v7/finance/quote``             -> quote-SYM.json
- ``/v1/finance/search``            -> search-<q>.json
- anything else (fc.yahoo.com cookie, trailing-PEG time series) -> 404 / an empty time series.

``calls`` records every URL, so tests can count HTTP round trips. ``fail_with`` makes every
request raise (e.g. ``requests.exceptions.ReadTimeout``) to simulate an unreachable Yahoo;
``fail_status`` answers every request with that status (429: rate limited).
"""

from __future__ import annotations

import copy
import json
import tarfile
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import requests
import yfinance as yf
import yfinance.base as yf_base
import yfinance.cache as yf_cache
from requests.adapters import HTTPAdapter
from requests.structures import CaseInsensitiveDict
from yfinance.data import SingletonMeta, YfData

NOT_FOUND_CHART = {
    "chart": {
        "result": None,
        "error": {"code": "Not Found", "description": "No data found, symbol may be delisted"},
    }
}
EMPTY_TIMESERIES = {"timeseries": {"result": [], "error": None}}


@lru_cache(maxsize=2)
def load_fixtures(tar_path: Path) -> dict[str, dict[str, Any]]:
    """Every real recorded exchange in the tar, by file name (``http/`` stripped)."""
    out: dict[str, dict[str, Any]] = {}
    with tarfile.open(tar_path) as archive:
        for member in archive.getmembers():
            name = member.name.removeprefix("http/")
            if not member.isfile() or name.endswith(".fake.json") or not name.endswith(".json"):
                continue
            handle = archive.extractfile(member)
            if handle is not None:
                out[name] = json.load(handle)
    return out


class YahooReplay(HTTPAdapter):
    """A transport adapter that serves recorded Yahoo responses instead of the network."""

    def __init__(self, fixtures: Mapping[str, dict[str, Any]]) -> None:
        super().__init__()
        self.fixtures = fixtures
        self.calls: list[str] = []
        self.fail_with: Exception | None = None
        self.fail_status: int | None = None  # e.g. 429: every request answered with that status
        self._charts: dict[str, list[dict[str, Any]]] = {}
        for exchange in fixtures.values():
            url = urlsplit(exchange["request"]["url"])
            query = parse_qs(url.query)
            if "/v8/finance/chart/" in url.path and query.get("interval") == ["1d"] and "period1" in query:
                symbol = unquote(url.path.rsplit("/", 1)[1])
                self._charts.setdefault(symbol, []).append(exchange)

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        self.calls.append(request.url or "")
        if self.fail_with is not None:
            raise self.fail_with
        if self.fail_status is not None:
            return self._response(request, self.fail_status, text="Too Many Requests")
        url = urlsplit(request.url or "")
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        path = unquote(url.path)
        if path.endswith("/v1/test/getcrumb"):
            return self._response(
                request, 200, text=self.fixtures["getCrumb-getcrumb.json"]["response"]["bodyText"]
            )
        if "/v8/finance/chart/" in path:
            status, body = self._chart(path.rsplit("/", 1)[1], query)
            return self._response(request, status, body)
        if "/v10/finance/quoteSummary/" in path:
            status, body = self._quote_summary(path.rsplit("/", 1)[1], query.get("modules", ""))
            return self._response(request, status, body)
        if path.endswith("/v7/finance/quote"):
            recorded = self.fixtures.get(f"quote-{query.get('symbols', '')}.json")
            body = (
                recorded["response"]["bodyJson"]
                if recorded
                else {"quoteResponse": {"result": [], "error": None}}
            )
            return self._response(request, 200, body)
        if path.endswith("/v1/finance/search"):
            recorded = self.fixtures.get(f"search-{query.get('q', '')}.json")
            if recorded is None:
                return self._response(request, 404, {"finance": {"result": None, "error": "not recorded"}})
            return self._response(request, 200, recorded["response"]["bodyJson"])
        if "/fundamentals-timeseries/" in path:
            return self._response(request, 200, EMPTY_TIMESERIES)
        return self._response(request, 404, text="")

    def _chart(self, symbol: str, query: dict[str, str]) -> tuple[int, dict[str, Any]]:
        recorded = self._charts.get(symbol)
        if not recorded:
            return 404, NOT_FOUND_CHART
        if "period1" not in query:  # yfinance asks range=1d for the exchange time zone: any chart has it
            return 200, recorded[0]["response"]["bodyJson"]
        lo, hi = int(query["period1"]), int(query["period2"])
        best = max(recorded, key=lambda exchange: _overlap(exchange, lo, hi))
        body = copy.deepcopy(best["response"]["bodyJson"])
        result = body["chart"]["result"][0]
        stamps = result.get("timestamp", [])
        keep = [i for i, t in enumerate(stamps) if lo <= t < hi]
        if keep:
            result["timestamp"] = [stamps[i] for i in keep]
            for block in ("quote", "adjclose"):
                for series in result["indicators"].get(block, []):
                    for key, values in series.items():
                        series[key] = [values[i] for i in keep]
        else:  # Yahoo's answer for a window without trading days: meta only
            result.pop("timestamp", None)
            result["indicators"] = {"quote": [{}], "adjclose": [{}]}
        return 200, body

    def _quote_summary(self, symbol: str, modules: str) -> tuple[int, dict[str, Any]]:
        recorded = self.fixtures.get(f"quoteSummary-all-{symbol}.json")
        if recorded is None or recorded["response"]["status"] != 200:
            return 404, self.fixtures["quoteSummary-assetProfile-ADH.json"]["response"]["bodyJson"]
        body = copy.deepcopy(recorded["response"]["bodyJson"])
        wanted = set(modules.split(","))
        result = body["quoteSummary"]["result"][0]
        body["quoteSummary"]["result"][0] = {k: v for k, v in result.items() if k in wanted}
        return 200, body

    @staticmethod
    def _response(
        request: requests.PreparedRequest, status: int, body: Any = None, text: str | None = None
    ) -> requests.Response:
        response = requests.Response()
        response.status_code = status
        response._content = (text if text is not None else json.dumps(body)).encode()
        response.headers = CaseInsensitiveDict({"content-type": "application/json;charset=utf-8"})
        response.encoding = "utf-8"
        response.url = request.url or ""
        response.request = request
        response.reason = "OK" if status < 400 else "Not Found"
        return response


def _overlap(exchange: dict[str, Any], lo: int, hi: int) -> int:
    query = parse_qs(urlsplit(exchange["request"]["url"]).query)
    start, end = int(query["period1"][0]), int(query["period2"][0])
    return min(end, hi) - max(start, lo)


def replay_session(adapter: YahooReplay) -> requests.Session:
    """A ``requests.Session`` whose every http(s) request goes to ``adapter``."""
    session = requests.Session()
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


def reset_yfinance(cache_dir: Path | str) -> None:
    """Forget yfinance's process-wide state: session, crumb, response memo, sqlite caches.

    yfinance keeps one ``YfData`` (session + crumb + an lru memo of past-range answers), opens its
    time-zone/cookie/ISIN sqlite caches once per process and counts time-zone fallbacks globally.
    """
    YfData.cache_get.cache_clear()
    SingletonMeta._instances.pop(YfData, None)
    yf.set_tz_cache_location(str(cache_dir))
    yf_cache._TzCacheManager._tz_cache = None
    yf_cache._CookieCacheManager._Cookie_cache = None
    yf_cache._ISINCacheManager._isin_cache = None
    yf_base._tz_info_fetch_ctr = 0


def yfinance_cache_location() -> str:
    """Where yfinance's sqlite caches live now (to restore after a test)."""
    return str(yf_cache._TzDBManager.get_location())
