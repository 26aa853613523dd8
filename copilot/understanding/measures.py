"""What a question asks of its subjects: a measure (price, return, indicator, valuation field,
statement line, analyst view, document topic ...) read from its words, in English, Spanish and
Chinese. One table: adding a measure or a word is one line here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Measure = Literal[
    "price",  # a quote, or the close on a day / over a range
    "return",  # performance over a period
    "technicals",  # indicators (fields narrow it: rsi, sma, macd, bollinger, levels, volatility)
    "valuation",  # multiples (fields: pe, forward_pe, pb, ps, ev_ebitda, peg, dividend_yield, market_cap)
    "financials",  # statement lines (fields: revenue, net_income, eps, gross_margin, ...)
    "targets",  # analyst price targets and rating
    "market_valuation",  # the S&P 500's P/E and CAPE
    "sectors",  # the sector ranking
    "documents",  # what a document says
    "composite",  # "is the market overheated?": a labelled set of gauges
    "lookup",  # the ticker of a name
    "unsupported",  # what Verity has no data for (options, transcripts, crypto, advice, forecast, screener)
]


def _words(*patterns: str) -> re.Pattern[str]:
    """Case-insensitive whole-word alternation (CJK patterns are matched anywhere)."""
    latin = [p for p in patterns if p.isascii() or re.search(r"[a-zà-ÿ]", p)]
    other = [p for p in patterns if p not in latin]
    parts = []
    if latin:
        parts.append(r"(?<![A-Za-z0-9_^])(?:" + "|".join(latin) + r")(?![A-Za-z0-9_])")
    if other:
        parts.append("(?:" + "|".join(other) + ")")
    return re.compile("|".join(parts), re.IGNORECASE)


@dataclass(frozen=True)
class FieldWords:
    """A narrower thing asked within a measure ("rsi" within technicals)."""

    name: str
    pattern: re.Pattern[str]


# "is tesla a buy", "worth buying": advice; "which stocks are up": a screen of the whole market
_BUY_WORDS = (
    r"(?:a )?good (?:buy|investment|time to buy)",
    r"worth buying",
    r"buy (?:it )?now",
    r"(?:is|are) \S+(?: \S+)? a (?:good |strong )?(?:buy|sell)",
)
_SCREENER_WORDS = (
    r"(?:which|what) (?:stocks|companies|shares)",
    r"top (?:gainers|losers|movers|stocks)",
    r"biggest (?:gainers|losers|movers)",
    r"(?:best|worst)[- ]performing (?:stocks|companies|shares)",
    r"stock screener",
    r"screen(?:er)? for stocks",
)

MEASURE_WORDS: dict[Measure, re.Pattern[str]] = {
    "unsupported": _words(
        r"implied vol(?:atility)?",
        r"iv",
        r"volatilidad impl[ií]cita",
        r"隐含波动率",
        r"options?(?: chain| prices?| flow)?",
        r"puts?",
        r"calls? options?",
        r"open interest",
        r"greeks",
        r"(?:earnings|conference) calls?",
        r"transcripts?",
        r"bitcoin",
        r"btc",
        r"ethereum",
        r"ether",
        r"crypto(?:currenc(?:y|ies))?",
        r"dogecoin",
        r"solana",
        r"why (?:did|is|was|has|have|are|were|do|does)",
        r"what caused",
        r"reasons? (?:for|behind)",
        r"por ?qu[eé]",
        r"为什么",
        r"dividends? (?:paid|payments?|history|per share|payouts?|distributions?|amounts?)",
        r"pa(?:y|ys|id|ying) (?:out )?(?:in )?dividends?",
        r"(?:ex-?dividend|dividend) dates?",
        r"how much (?:is|was) (?:the|its) dividend",
        r"should (?:i|we)",
        r"buy or sell",
        *_BUY_WORDS,
        *_SCREENER_WORDS,
        r"我应该买",
        r"该买",
        r"值得买",
        r"ser[aá]",
        r"pr[oó]ximo año",
        r"明年",
        r"会涨",
        r"会跌",
        r"(?:is it|would it be) (?:a )?(?:good|wise|smart) (?:time )?to (?:buy|sell|invest)",
        r"what should (?:i|we)",
        r"recommend(?:ation)?s?",
        r"predict(?:ion|ions)?",
        r"forecast (?:the )?price",
        r"where will .{1,30} be",
        r"debería comprar",
        r"期权",
        r"比特币",
        r"加密货币",
        r"该不该买",
    ),
    "lookup": _words(
        r"tickers?(?: symbol)? (?:for|of)",
        r"symbol (?:for|of)",
        r"what(?:'s| is) the ticker",
        r"(?:which|what) company is",
        r"symbol",
        r"ticker",
        r"股票代码",
    ),
    "composite": _words(
        r"overheated",
        r"over-?heating",
        r"frothy",
        r"froth",
        r"bubble",
        r"stretched",
        r"too hot",
        r"euphori[ac]",
        r"market (?:temperature|health|sentiment)",
        r"is the market overbought",
        r"sobrecalentad[oa]",
        r"过热",
        r"泡沫",
    ),
    "market_valuation": _words(r"cape", r"shiller(?: p/?e)?", r"pe10", r"cyclically adjusted"),
    "targets": _words(
        r"analysts?",
        r"price targets?",
        r"target price",
        r"ratings?",
        r"consensus",
        r"upgrades?",
        r"downgrades?",
        r"wall street",
        r"street expect\w*",
        r"precio objetivo",
        r"analistas",
        r"目标价",
        r"分析师",
    ),
    "financials": _words(
        r"revenues?",
        r"sales",
        r"top line",
        r"net income",
        r"profits?",
        r"earnings(?! per share)(?! yield)",
        r"(?:diluted )?eps",
        r"earnings per share",
        r"gross (?:margin|profit)",
        r"operating (?:income|margin|profit)",
        r"net margin",
        r"profit margin",
        r"margins",
        r"free cash flow",
        r"fcf",
        r"cash flow",
        r"(?:total )?debt",
        r"cash(?: and equivalents)?",
        r"balance sheet",
        r"income statement",
        r"financials",
        r"results",
        r"ingresos",
        r"ventas",
        r"beneficios?",
        r"ganancias netas",
        r"营收",
        r"收入",
        r"净利润",
        r"利润",
        r"每股收益",
        r"现金流",
        r"负债",
        r"财报",
    ),
    "valuation": _words(
        r"expensive",
        r"cheap(?:er|est)?",
        r"valuations?",
        r"valued",
        r"overvalued",
        r"undervalued",
        r"p\s*/\s*e",
        r"pe(?: ratio)?",
        r"price[- ]to[- ](?:earnings|book|sales)",
        r"multiples?",
        r"p\s*/\s*b",
        r"p\s*/\s*s",
        r"ev\s*/\s*ebitda",
        r"peg",
        r"dividend(?: yield)?",
        r"market cap(?:italization)?",
        r"fcf yield",
        r"valoraci[oó]n",
        r"caro",
        r"cara",
        r"barat[oa]",
        r"(?-i:PER)",
        r"el per",
        r"市盈率",
        r"估值",
        r"市值",
    ),
    "technicals": _words(
        r"rsis?",
        r"relative strength",
        r"moving averages?",
        r"sma",
        r"ema",
        r"\d+[- ]day(?: moving)? averages?",
        r"\d+[- ]?(?:dma|sma|ema)",
        r"(?:20|50|100|200)(?: and (?:50|100|200))?[- ]day",
        r"macd",
        r"bollinger(?: bands?)?",
        r"support",
        r"resistance",
        r"overbought",
        r"oversold",
        r"technicals?",
        r"momentum",
        r"trend(?:ing)?",
        r"atr",
        r"volatil(?:e|ity)",
        r"drawdown",
        r"indicators?",
        r"breakout",
        r"media m[oó]vil",
        r"soporte",
        r"resistencia",
        r"sobrecompra",
        r"均线",
        r"移动平均",
        r"相对强弱",
        r"超买",
        r"超卖",
        r"支撑",
        r"阻力",
        r"波动率",
    ),
    "sectors": _words(
        r"sectors?", r"sector rotation", r"industr(?:y|ies) groups?", r"sectores", r"板块", r"行业"
    ),
    "documents": _words(
        r"fed",
        r"fomc",
        r"federal reserve",
        r"powell",
        r"waller",
        r"bowman",
        r"barr",
        r"jefferson",
        r"cook",
        r"kugler",
        r"miran",
        r"statements?",
        r"minutes",
        r"speech(?:es)?",
        r"spoke",
        r"remarks",
        r"projections",
        r"dot plot",
        r"sep",
        r"documents?",
        r"filings?",
        r"10-?k",
        r"10-?q",
        r"20-?f",
        r"annual report",
        r"quarterly report",
        r"(?:did|does|do) .{1,40} say",
        r"said",
        r"says",
        r"according to",
        r"central bank",
        r"monetary policy",
        r"rate (?:decision|cut|cuts|hike|hikes)",
        r"(?:fomc |fed |policy |the \w+ )?meeting",
        r"do with rates",
        r"说了什么",
        r"沃勒",
        r"鲍威尔",
        r"鲍曼",
        r"reserva federal",
        r"la fed",
        r"actas",
        r"comunicado",
        r"美联储",
        r"议息",
        r"会议纪要",
        r"声明",
        r"讲话",
    ),
    "return": _words(
        r"perform(?:ance|ed|ing)?",
        r"how (?:did|does|do|has|have|is|are)\b.{1,60}?\b(?:do|fared?|go|gone|going)",
        r"fared?",
        r"returns?",
        r"returned",
        r"done",
        r"doing",
        r"gain(?:ed|s)?",
        r"lost",
        r"rall(?:y|ied)",
        r"ytd",
        r"mtd",
        r"qtd",
        r"year[- ]to[- ]date",
        r"outperform(?:ed|ing)?",
        r"underperform(?:ed|ing)?",
        r"beat(?:en|ing)?",
        r"lagg?(?:ed|ing)?",
        r"up",
        r"down",
        r"move[sd]?",
        r"change[sd]?",
        r"drop(?:ped|s)?",
        r"f[ea]ll(?:s|en)?",
        r"rose",
        r"rise",
        r"jump(?:ed|s)?",
        r"(?:did|do|doing|performed|perform) better",
        r"better performer",
        r"rendimiento",
        r"rentabilidad",
        r"desempeño",
        r"subi[oó]",
        r"baj[oó]",
        r"表现",
        r"涨幅",
        r"跌幅",
        r"涨了",
        r"跌了",
        r"回报",
        r"收益率",
        r"走势",
    ),
    "price": _words(
        r"price",
        r"quote",
        r"trading",
        r"trade[sd]? at",
        r"clos(?:e|es|ed|ing)",
        r"last (?:price|close)",
        r"how much",
        r"worth",
        r"volume",
        r"52[- ]?(?:week|wk|w)",
        r"all[- ]time high",
        r"high and low",
        r"highs? and lows?",
        r"highest",
        r"lowest",
        r"level",
        r"(?:day'?s?|daily|intraday) (?:high|low|range)",
        r"precio",
        r"cotiza\w*",
        r"cotizaci[oó]n",
        r"cierre",
        r"cerr[oó]",
        r"股价",
        r"价格",
        r"收盘",
        r"报价",
        r"成交量",
    ),
}

# "margins" with no kind named: gross, operating and net
_ANY_MARGINS = r"(?<!gross )(?<!operating )(?<!net )(?<!profit )margins"

FIELD_WORDS: dict[Measure, tuple[FieldWords, ...]] = {
    "price": (
        FieldWords(
            "low_52w",
            _words(
                r"52[- ]?(?:week|wk|w) lows?", r"(?:from|off) (?:its|the) (?:52[- ]?(?:week|wk|w) )?lows?"
            ),
        ),
        FieldWords(
            "high_52w",
            _words(
                r"52[- ]?(?:week|wk|w) highs?",
                r"(?:from|off) (?:its|the) (?:52[- ]?(?:week|wk|w) )?highs?",
            ),
        ),
        FieldWords("all_time_high", _words(r"all[- ]time highs?", r"record highs?", r"ath")),
        FieldWords(
            "closes",
            _words(
                r"(?:highest|lowest|record|best|worst) clos(?:e|es|ing(?: price)?)",
                r"clos(?:e|ing) (?:high|low)s?",
            ),
        ),
        FieldWords("avg_volume", _words(r"(?:average|avg\.?) (?:daily )?volume", r"volume average")),
        FieldWords("volume", _words(r"volume", r"shares traded", r"how many shares", r"成交量")),
    ),
    "technicals": (
        FieldWords(
            "rsi",
            _words(r"rsis?", r"relative strength", r"overbought", r"oversold", r"相对强弱", r"超买", r"超卖"),
        ),
        FieldWords(
            "averages",
            _words(
                r"moving averages?",
                r"sma",
                r"ema",
                r"\d+[- ]day(?: moving)? averages?",
                r"\d+[- ]?dma",
                r"(?:20|50|100|200)(?: and (?:50|100|200))?[- ]day",
                r"均线",
                r"media m[oó]vil",
            ),
        ),
        FieldWords("macd", _words(r"macd")),
        FieldWords("bollinger", _words(r"bollinger(?: bands?)?")),
        FieldWords(
            "levels",
            _words(r"support", r"resistance", r"breakout", r"soporte", r"resistencia", r"支撑", r"阻力"),
        ),
        FieldWords("volatility", _words(r"volatil(?:e|ity)", r"atr", r"drawdown", r"波动率")),
    ),
    "valuation": (
        FieldWords("forward_pe", _words(r"forward (?:p\s*/\s*e|pe|earnings)")),
        FieldWords(
            "pe", _words(r"p\s*/\s*e", r"pe(?: ratio)?", r"price[- ]to[- ]earnings", r"per", r"市盈率")
        ),
        FieldWords("pb", _words(r"p\s*/\s*b", r"price[- ]to[- ]book", r"book value")),
        FieldWords("ps", _words(r"p\s*/\s*s", r"price[- ]to[- ]sales")),
        FieldWords("ev_ebitda", _words(r"ev\s*/\s*ebitda")),
        FieldWords("dividend_yield", _words(r"dividend(?: yield)?")),
        FieldWords("market_cap", _words(r"market cap(?:italization)?", r"市值")),
        FieldWords("fcf_yield", _words(r"fcf yield", r"free cash flow yield")),
    ),
    "financials": (
        FieldWords(
            "revenue", _words(r"revenues?", r"sales", r"top line", r"ingresos", r"ventas", r"营收", r"收入")
        ),
        FieldWords(
            "net_income",
            _words(r"net income", r"profits?", r"earnings(?! per share)", r"beneficios?", r"净利润", r"利润"),
        ),
        FieldWords("eps", _words(r"(?:diluted )?eps", r"earnings per share", r"每股收益")),
        FieldWords("gross_margin", _words(r"gross (?:margin|profit)", _ANY_MARGINS)),
        FieldWords("operating_income", _words(r"operating (?:income|profit)")),
        FieldWords("operating_margin", _words(r"operating margin", _ANY_MARGINS)),
        FieldWords("net_margin", _words(r"net margin", r"profit margin", _ANY_MARGINS)),
        FieldWords("free_cash_flow", _words(r"free cash flow", r"fcf", r"cash flow", r"现金流")),
        FieldWords("debt", _words(r"(?:total )?debt", r"负债")),
        FieldWords("cash", _words(r"cash(?! flow)(?: and equivalents)?")),
    ),
    "unsupported": (
        FieldWords(
            "options",
            _words(
                r"implied vol(?:atility)?",
                r"iv",
                r"options?(?: chain| prices?| flow)?",
                r"puts?",
                r"calls? options?",
                r"open interest",
                r"greeks",
                r"期权",
            ),
        ),
        FieldWords("transcripts", _words(r"(?:earnings|conference) calls?", r"transcripts?")),
        FieldWords(
            "crypto",
            _words(
                r"bitcoin",
                r"btc",
                r"ethereum",
                r"ether",
                r"crypto(?:currenc(?:y|ies))?",
                r"dogecoin",
                r"solana",
                r"比特币",
                r"加密货币",
            ),
        ),
        FieldWords(
            "causes",
            _words(
                r"why (?:did|is|was|has|have|are|were|do|does)",
                r"what caused",
                r"reasons? (?:for|behind)",
                r"por ?qu[eé]",
                r"为什么",
            ),
        ),
        FieldWords(
            "dividends",
            _words(
                r"dividends? (?:paid|payments?|history|per share|payouts?|distributions?|amounts?)",
                r"pa(?:y|ys|id|ying) (?:out )?(?:in )?dividends?",
                r"(?:ex-?dividend|dividend) dates?",
                r"how much (?:is|was) (?:the|its) dividend",
            ),
        ),
        FieldWords(
            "forecast", _words(r"predict(?:ion|ions)?", r"forecast (?:the )?price", r"where will .{1,30} be")
        ),
        FieldWords(
            "screener",
            _words(*_SCREENER_WORDS),
        ),
        FieldWords(
            "advice",
            _words(
                *_BUY_WORDS,
                r"should (?:i|we)",
                r"buy or sell",
                r"(?:is it|would it be) (?:a )?(?:good|wise|smart) (?:time )?to (?:buy|sell|invest)",
                r"what should (?:i|we)",
                r"recommend(?:ation)?s?",
                r"debería comprar",
                r"该不该买",
            ),
        ),
    ),
}


def measures_in(text: str) -> list[Measure]:
    """The measures the words of ``text`` name, in the table's order of precedence."""
    return [measure for measure, pattern in MEASURE_WORDS.items() if pattern.search(text)]


def fields_in(measure: Measure, text: str) -> tuple[str, ...]:
    """The narrower fields of ``measure`` the text names ("rsi", "revenue" ...), in table order."""
    return tuple(f.name for f in FIELD_WORDS.get(measure, ()) if f.pattern.search(text))
