"""Benchmark: verify_figures on a 2,000-word answer citing 40 facts (goal: well under 10 ms).

The peer, measured in the same run, is the straightforward approach: a regex for numbers and a
Python double loop over every pair of cited facts for each figure. Prints the median time of each
and the ratio.
"""

from __future__ import annotations

import re
import statistics
import time
from collections.abc import Callable
from itertools import permutations

from copilot.citations import SourceLedger
from copilot.schemas import Fact, Source
from copilot.verify import verify_figures

SYMBOLS = ["^RUT", "^GSPC", "^IXIC", "IWM"]


def _ledger() -> SourceLedger:
    ledger = SourceLedger()
    for i, symbol in enumerate(SYMBOLS):
        facts = [
            Fact(key=f"return_{p}", label=f"{symbol} {p}", value=1.1 + i + j * 0.731, unit="%", symbol=symbol)
            for j, p in enumerate(("1d", "5d", "1m", "3m", "6m", "1y", "ytd"))
        ]
        facts += [
            Fact(key="last_price", label="price", value=250.25 + 11 * i, unit="USD", symbol=symbol),
            Fact(key="volume", label="volume", value=24_970_000 + i * 1e6, unit="shares", symbol=symbol),
            Fact(key="trailing_pe", label="P/E", value=18.11 + i, unit="x", symbol=symbol),
        ]
        ledger.add(Source(kind="market_data", title=f"{symbol} data", provider="bench", facts=facts))
    return ledger


def _answer() -> str:
    sentence = (
        "The {s} rose {r:.2f}% this year while trading at ${p:,.2f} with volume of {v:.2f} million "
        "shares and a P/E of {pe:.2f}x, which is {ratio:.1f}x the gain of its peer and an "
        "unverified {bad:.2f}% move since 2026-01-09 according to the 50-day trend [{n}]. "
    )
    parts = []
    for k in range(20):
        i = k % 4
        parts.append(
            sentence.format(
                s=SYMBOLS[i],
                r=1.1 + i + (k % 7) * 0.731,
                p=250.25 + 11 * i,
                v=(24_970_000 + i * 1e6) / 1e6,
                pe=18.11 + i,
                ratio=(1.1 + i + 6 * 0.731) / (1.1 + i),
                bad=97.13 + k,
                n=i + 1,
            )
        )
        parts.append("Analysts see a broad rotation into smaller companies as rates fall further. " * 5)
    return "".join(parts)


_NUMBER = re.compile(r"[-+]?\$?\d[\d,]*(?:\.\d+)?%?x?")


def naive_verify(answer: str, ledger: SourceLedger) -> int:
    """The peer: every number against every fact and every ordered pair of facts, in Python."""
    facts = [f.value for _, s in ledger.items() for f in s.facts]
    verified = 0
    for match in _NUMBER.finditer(answer):
        token = match.group().strip("$%x+").replace(",", "")
        try:
            value = float(token)
        except ValueError:
            continue
        if any(abs(value - f) < 0.005 for f in facts):
            verified += 1
            continue
        for a, b in permutations(facts, 2):
            if b and (abs(value - a / b) < 0.05 or abs(value - (a - b)) < 0.005):
                verified += 1
                break
    return verified


def _timings_ms(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """(best, median) of ``repeat`` runs: the machine is shared, so the best is the steadier figure."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return min(times), statistics.median(times)


def main() -> None:
    ledger, answer = _ledger(), _answer()
    report = verify_figures(answer, ledger)
    words = len(answer.split())
    ours, ours_median = _timings_ms(lambda: verify_figures(answer, ledger), repeat=40)
    peer, peer_median = _timings_ms(lambda: naive_verify(answer, ledger), repeat=8)
    print(
        f"answer: {words} words, {len(ledger)} sources, 40 facts, {report.total} figures ({report.summary})"
    )
    print(f"verify_figures: best {ours:.2f} ms, median {ours_median:.2f} ms (goal < 10 ms)")
    print(f"naive regex + pair loop peer: best {peer:.2f} ms, median {peer_median:.2f} ms")
    print(f"ratio verify_figures / peer (best): {ours / peer:.3f}")
    if ours >= 10:
        raise SystemExit("verify_figures is over the 10 ms goal")


if __name__ == "__main__":
    main()
