"""The one lexicon: companies, indices, sectors and funds, months and quarters, in several languages.

Every part that reads names or calendar words uses this table: ``tools.symbols`` (resolution and
mention finding), the knowledge base (tagging chunks, reading queries), question understanding,
the offline analyst and the verifier. Nothing else keeps a list of company names or month words.

Per entry, the kinds of text:
- ``aliases``: accepted by ``resolve`` only (bare generic words such as "energy" or "tech");
- ``phrases``: found in running text in any case ("small caps", "S&P 500");
- ``names``: proper names, found in documents only when capitalised ("Apple", not "apple"); in
  questions in any case, except the ``wordlike`` ones ("Meta", "Block", "Visa", "Target");
- ``foreign``: names in other languages ("苹果", "manzana" is not one: only names people use);
- ``titles``: how filing names spell the company (``JOHNSON_JOHNSON_2022_10K``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["index", "etf", "equity", "other"]


@dataclass(frozen=True)
class Entry:
    """One security and every way people write it."""

    symbol: str
    display_name: str
    kind: Kind
    aliases: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    foreign: tuple[str, ...] = ()
    titles: tuple[str, ...] = ()
    wordlike: bool = False  # its name is an everyday word: only capitalised, or as its ticker


def _sector(
    symbol: str,
    name: str,
    aliases: tuple[str, ...],
    phrases: tuple[str, ...] = (),
    foreign: tuple[str, ...] = (),
    yahoo: str = "",
) -> Entry:
    """A GICS sector and its SPDR ETF; in text only "<sector> sector/stocks" or distinctive phrases."""
    words = (name.lower(), *aliases)
    in_text = tuple(f"{w} {suffix}" for w in words for suffix in ("sector", "stocks"))
    extra = (yahoo,) if yahoo else ()
    return Entry(
        symbol,
        name,
        "etf",
        aliases=(name, *aliases, *extra),
        phrases=(*in_text, *phrases),
        names=(f"{name} Select Sector SPDR",),
        foreign=foreign,
    )


INDEXES = (
    Entry(
        "^GSPC",
        "S&P 500",
        "index",
        aliases=("s and p 500", "sp 500", "large caps", "large cap", "large cap stocks", "big caps"),
        phrases=("S&P 500", "S&P500", "S&P", "SPX", "Standard & Poor's 500", "Standard and Poor's 500"),
        related=("SPY", "VOO", "IVV"),
        foreign=("标普500", "标普", "標普500", "el S&P 500"),
    ),
    Entry(
        "^IXIC",
        "Nasdaq Composite",
        "index",
        aliases=("ixic", "composite", "nasdaq"),
        phrases=("Nasdaq Composite", "Nasdaq Composite Index", "IXIC"),
        names=("Nasdaq",),
        related=("QQQ",),
        foreign=("纳斯达克", "納斯達克", "纳指"),
    ),
    Entry(
        "^NDX",
        "Nasdaq-100",
        "index",
        aliases=("ndx",),
        phrases=("Nasdaq-100", "Nasdaq 100", "NDX"),
        related=("QQQ",),
        foreign=("纳斯达克100",),
    ),
    Entry(
        "^DJI",
        "Dow Jones Industrial Average",
        "index",
        aliases=("dow", "dji", "dow 30"),
        phrases=("Dow Jones Industrial Average", "Dow Jones", "DJIA", "DJI"),
        names=("Dow",),
        related=("DIA",),
        foreign=("道琼斯", "道瓊斯", "道指"),
    ),
    Entry(
        "^RUT",
        "Russell 2000",
        "index",
        aliases=("rut", "small cap", "small caps", "small cap stocks", "russell"),
        names=("Russell",),
        phrases=("Russell 2000", "Russell2000", "small caps", "small-caps", "small-cap", "small cap", "RUT"),
        related=("IWM",),
        foreign=("罗素2000", "羅素2000", "小盘股", "pequeñas empresas", "small caps"),
    ),
    Entry(
        "^VIX",
        "CBOE Volatility Index",
        "index",
        aliases=("vix", "volatility index", "fear gauge", "fear index"),
        phrases=("Cboe Volatility Index", "VIX", "fear gauge"),
        related=("VXX",),
        foreign=("恐慌指数",),
    ),
    Entry(
        "^TNX",
        "10-Year Treasury Yield",
        "index",
        aliases=("tnx", "10 year yield", "10y yield", "ten year yield", "10 year treasury"),
        phrases=(
            "10-year Treasury yield",
            "10-year yield",
            "ten-year Treasury yield",
            "10-year Treasury",
            "10-year note",
            "10 year yield",
            "10 yr yield",
            "10yr yield",
            "10y yield",
            "10y treasury",
            "ten year yield",
            "10 year treasury",
            "TNX",
        ),
        related=("IEF",),
        foreign=("十年期美债收益率", "美国十年期国债收益率"),
    ),
    Entry(
        "^SOX",
        "PHLX Semiconductor Index",
        "index",
        aliases=("sox", "semiconductor", "semiconductors", "semis", "chip stocks"),
        phrases=("Philadelphia Semiconductor Index", "PHLX Semiconductor", "semiconductor index", "SOX"),
        related=("SMH", "SOXX"),
        foreign=("费城半导体指数", "半导体指数"),
    ),
)

# Cboe's Treasury yield indexes (13-week, 5-, 10- and 30-year), quoted in percent: 4.17 is 4.17%
YIELD_INDEXES = frozenset({"^IRX", "^FVX", "^TNX", "^TYX"})

SECTORS = (
    _sector(
        "XLK",
        "Technology",
        ("tech", "information technology"),
        ("IT sector", "IT stocks"),
        ("科技股", "科技板块", "sector tecnológico", "tecnología"),
        yahoo="Technology",
    ),
    _sector(
        "XLF",
        "Financials",
        ("financial", "financial services", "finance"),
        ("financial stocks",),
        ("金融股", "金融板块", "sector financiero"),
        yahoo="Financial Services",
    ),
    _sector(
        "XLV",
        "Health Care",
        ("healthcare", "health"),
        ("healthcare stocks", "health-care stocks"),
        ("医疗股", "医疗板块", "sector salud"),
        yahoo="Healthcare",
    ),
    _sector(
        "XLE", "Energy", ("oil and gas",), (), ("能源股", "能源板块", "sector energético"), yahoo="Energy"
    ),
    _sector("XLI", "Industrials", ("industrial",), (), ("工业股", "工业板块"), yahoo="Industrials"),
    _sector(
        "XLY",
        "Consumer Discretionary",
        ("discretionary", "consumer cyclical", "consumer cyclicals"),
        ("consumer discretionary",),
        ("可选消费",),
        yahoo="Consumer Cyclical",
    ),
    _sector(
        "XLP",
        "Consumer Staples",
        ("staples", "consumer defensive", "consumer defensives"),
        ("consumer staples", "consumer defensive"),
        ("必需消费",),
        yahoo="Consumer Defensive",
    ),
    _sector("XLU", "Utilities", ("utility",), (), ("公用事业",), yahoo="Utilities"),
    _sector(
        "XLB",
        "Materials",
        ("basic materials", "material"),
        (),
        ("原材料",),
        yahoo="Basic Materials",
    ),
    _sector(
        "XLRE",
        "Real Estate",
        ("reit", "reits", "realestate"),
        ("REITs",),
        ("房地产股", "房地产板块", "sector inmobiliario"),
        yahoo="Real Estate",
    ),
    _sector(
        "XLC",
        "Communication Services",
        ("communications", "communication", "telecom", "telecommunications"),
        ("communication services",),
        ("通信服务",),
        yahoo="Communication Services",
    ),
)

SECTOR_SYMBOLS = tuple(entry.symbol for entry in SECTORS)

FUNDS = (
    Entry("SPY", "SPDR S&P 500 ETF Trust", "etf", names=("SPDR S&P 500 ETF",), related=("^GSPC",)),
    Entry("VOO", "Vanguard S&P 500 ETF", "etf", related=("^GSPC",)),
    Entry("IVV", "iShares Core S&P 500 ETF", "etf", related=("^GSPC",)),
    Entry("QQQ", "Invesco QQQ Trust", "etf", names=("Invesco QQQ",), related=("^NDX", "^IXIC")),
    Entry("IWM", "iShares Russell 2000 ETF", "etf", names=("iShares Russell 2000",), related=("^RUT",)),
    Entry("DIA", "SPDR Dow Jones Industrial Average ETF", "etf", related=("^DJI",)),
    Entry("SMH", "VanEck Semiconductor ETF", "etf", related=("^SOX",)),
    Entry("TLT", "iShares 20+ Year Treasury Bond ETF", "etf"),
    Entry("GLD", "SPDR Gold Shares", "etf", aliases=("gold",)),
    Entry("EEM", "iShares MSCI Emerging Markets ETF", "etf", aliases=("emerging markets",)),
    Entry("XBI", "SPDR S&P Biotech ETF", "etf", aliases=("biotech", "biotechnology")),
)


def _company(
    symbol: str,
    name: str,
    *names: str,
    related: tuple[str, ...] = (),
    foreign: tuple[str, ...] = (),
    titles: tuple[str, ...] = (),
    wordlike: bool = False,
) -> Entry:
    return Entry(
        symbol,
        name,
        "equity",
        names=(name, *names),
        related=related,
        foreign=foreign,
        titles=titles,
        wordlike=wordlike,
    )


# The large caps of the shared data, then the companies of the FinanceBench filings.
COMPANIES = (
    _company("AAPL", "Apple Inc.", "Apple", foreign=("苹果", "蘋果", "苹果公司")),
    _company("MSFT", "Microsoft Corporation", "Microsoft", foreign=("微软", "微軟")),
    _company("NVDA", "NVIDIA Corporation", "NVIDIA", "Nvidia", foreign=("英伟达", "輝達", "英偉達")),
    _company("AMZN", "Amazon.com, Inc.", "Amazon", "Amazon.com", foreign=("亚马逊", "亞馬遜")),
    # Alphabet has two share classes; the class C shares (GOOG) are primary, GOOGL related
    _company(
        "GOOG", "Alphabet Inc.", "Alphabet", "Google", related=("GOOGL",), foreign=("谷歌", "字母表公司")
    ),
    _company("META", "Meta Platforms, Inc.", "Meta Platforms", "Meta", "Facebook", foreign=("脸书",)),
    _company("TSLA", "Tesla, Inc.", "Tesla", foreign=("特斯拉",)),
    _company("AVGO", "Broadcom Inc.", "Broadcom", foreign=("博通",)),
    _company("BRK-B", "Berkshire Hathaway Inc.", "Berkshire Hathaway", "Berkshire", foreign=("伯克希尔",)),
    _company("COST", "Costco Wholesale Corporation", "Costco", foreign=("好市多", "开市客")),
    _company("HD", "The Home Depot, Inc.", "Home Depot", foreign=("家得宝",)),
    _company("INTC", "Intel Corporation", "Intel", foreign=("英特尔",)),
    _company("AMD", "Advanced Micro Devices, Inc.", "Advanced Micro Devices", "AMD", foreign=("超威",)),
    _company("ISRG", "Intuitive Surgical, Inc.", "Intuitive Surgical"),
    _company(
        "JNJ",
        "Johnson & Johnson",
        "J&J",
        "Johnson and Johnson",
        "JnJ",
        foreign=("强生",),
        titles=("JOHNSON_JOHNSON",),
    ),
    _company(
        "KO", "The Coca-Cola Company", "Coca-Cola", "Coca Cola", "CocaCola", "Coke", foreign=("可口可乐",)
    ),
    _company("LLY", "Eli Lilly and Company", "Eli Lilly", "Lilly", foreign=("礼来",)),
    _company("MCD", "McDonald's Corporation", "McDonald's", "McDonalds", foreign=("麦当劳",)),
    _company("MU", "Micron Technology, Inc.", "Micron Technology", "Micron", foreign=("美光",)),
    _company("PEP", "PepsiCo, Inc.", "PepsiCo", "Pepsi", foreign=("百事",)),
    _company("PG", "The Procter & Gamble Company", "Procter & Gamble", "Procter and Gamble", "P&G"),
    _company(
        "TSM", "Taiwan Semiconductor Manufacturing", "Taiwan Semiconductor", "TSMC", foreign=("台积电",)
    ),
    _company("UNH", "UnitedHealth Group Incorporated", "UnitedHealth", "UnitedHealth Group", "United Health"),
    _company("WMT", "Walmart Inc.", "Walmart", "Wal-Mart", foreign=("沃尔玛",)),
    _company("ABBV", "AbbVie Inc.", "AbbVie"),
    _company("AZN", "AstraZeneca PLC", "AstraZeneca", foreign=("阿斯利康",)),
    _company("COIN", "Coinbase Global, Inc.", "Coinbase"),
    _company("HOOD", "Robinhood Markets, Inc.", "Robinhood"),
    _company("CRCL", "Circle Internet Group, Inc.", "Circle Internet", "Circle", wordlike=True),
    _company("SNDK", "Sandisk Corporation", "Sandisk", "SanDisk"),
    _company("JPM", "JPMorgan Chase & Co.", "JPMorgan Chase", "JPMorgan", "JP Morgan", "J.P. Morgan"),
    _company("NFLX", "Netflix, Inc.", "Netflix", foreign=("奈飞", "网飞")),
    _company("ORCL", "Oracle Corporation", "Oracle", wordlike=True),
    _company("CRM", "Salesforce, Inc.", "Salesforce"),
    _company("BAC", "Bank of America Corporation", "Bank of America"),
    _company("XOM", "Exxon Mobil Corporation", "Exxon Mobil", "ExxonMobil", "Exxon"),
    _company("BABA", "Alibaba Group Holding Limited", "Alibaba", foreign=("阿里巴巴",)),
    _company("SPOT", "Spotify Technology S.A.", "Spotify"),
    _company("MMM", "3M Company", "3M", "Minnesota Mining"),
    _company("AES", "The AES Corporation", "AES", wordlike=True),
    _company(
        "ATVI",
        "Activision Blizzard, Inc.",
        "Activision Blizzard",
        "Activision",
        titles=("ACTIVSIONBLIZZARD",),
    ),
    _company("ADBE", "Adobe Inc.", "Adobe"),
    _company("AMCR", "Amcor plc", "Amcor"),
    _company("AXP", "American Express Company", "American Express", "Amex"),
    _company("AWK", "American Water Works Company, Inc.", "American Water Works", "American Water"),
    _company("BBY", "Best Buy Co., Inc.", "Best Buy"),
    _company("SQ", "Block, Inc.", "Block", "Square", wordlike=True),
    _company("BA", "The Boeing Company", "Boeing"),
    _company("CVS", "CVS Health Corporation", "CVS Health", "CVS"),
    _company("GLW", "Corning Incorporated", "Corning"),
    _company("FDX", "FedEx Corporation", "FedEx"),
    _company("FL", "Foot Locker, Inc.", "Foot Locker", "Footlocker"),
    _company("GIS", "General Mills, Inc.", "General Mills"),
    _company("KHC", "The Kraft Heinz Company", "Kraft Heinz", "Kraft"),
    _company("LMT", "Lockheed Martin Corporation", "Lockheed Martin", "Lockheed"),
    _company("MGM", "MGM Resorts International", "MGM Resorts", "MGM", wordlike=True),
    _company("NKE", "NIKE, Inc.", "Nike"),
    _company("PCG", "PG&E Corporation", "PG&E", "Pacific Gas and Electric", titles=("PG_E",)),
    _company("PYPL", "PayPal Holdings, Inc.", "PayPal"),
    _company("PFE", "Pfizer Inc.", "Pfizer"),
    _company("ULTA", "Ulta Beauty, Inc.", "Ulta Beauty", "Ulta"),
    _company("VZ", "Verizon Communications Inc.", "Verizon"),
    _company("EBAY", "eBay Inc.", "eBay"),
    _company("V", "Visa Inc.", "Visa", wordlike=True),
    _company("MA", "Mastercard Incorporated", "Mastercard"),
    _company("TGT", "Target Corporation", "Target", wordlike=True),
)

ENTRIES: tuple[Entry, ...] = (*INDEXES, *SECTORS, *FUNDS, *COMPANIES)

# Upper-case words of prose that are also tickers somewhere: never a mention without a $cashtag.
_STOP_TEXT = (
    "A I AI ALL AN AND ARE AS AT BE BIG BY CAN CEO CFO CPI DD EPS ETF EV FED FOMC FOR GDP GO HAS IT "
    "IPO NEW NOW ON ONE OR OUT PE Q SO TV US USA UK EU YOY YTD MTD QTD TTM RSI SMA EMA MACD ATR"
)
STOPWORDS = frozenset(_STOP_TEXT.split())

# Tickers that are everyday words in lower case: never read as tickers unless written in capitals.
WORDLIKE_TICKERS = frozenset(
    {"cost", "hood", "coin", "spot", "pep", "meta", "dia", "gld", "low", "now", "gis", "aes", "mgm", "crm"}
)

# -- the calendar -------------------------------------------------------------------------------

MONTHS: dict[str, int] = {
    word: number
    for number, words in enumerate(
        (
            ("january", "jan", "enero", "janvier", "januar", "一月", "1月"),
            ("february", "feb", "febrero", "février", "fevrier", "februar", "二月", "2月"),
            ("march", "mar", "marzo", "mars", "märz", "marz", "三月", "3月"),
            ("april", "apr", "abril", "avril", "四月", "4月"),
            ("may", "mayo", "mai", "五月", "5月"),
            ("june", "jun", "junio", "juin", "juni", "六月", "6月"),
            ("july", "jul", "julio", "juillet", "juli", "七月", "7月"),
            ("august", "aug", "agosto", "août", "aout", "八月", "8月"),
            ("september", "sep", "sept", "septiembre", "septembre", "九月", "9月"),
            ("october", "oct", "octubre", "octobre", "oktober", "十月", "10月"),
            ("november", "nov", "noviembre", "novembre", "十一月", "11月"),
            ("december", "dec", "diciembre", "décembre", "decembre", "dezember", "十二月", "12月"),
        ),
        start=1,
    )
    for word in words
}
_MONTH_NAMES_TEXT = "January February March April May June July August September October November December"
MONTH_NAMES = tuple(_MONTH_NAMES_TEXT.split())

QUARTER_WORDS: dict[str, int] = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4,
    "primer": 1, "primero": 1, "segundo": 2, "tercer": 3, "tercero": 3, "cuarto": 4,
    "premier": 1, "deuxième": 2, "troisième": 3, "quatrième": 4,
    "第一": 1, "第二": 2, "第三": 3, "第四": 4, "一": 1, "二": 2, "三": 3, "四": 4,
}  # fmt: skip
QUARTER_NOUNS = ("quarter", "trimestre", "季度", "quartal")

# Fed speakers' names as Chinese readers write them.
FED_SPEAKER_NAMES = {
    "沃勒": "Waller", "鲍威尔": "Powell", "鲍曼": "Bowman", "巴尔": "Barr", "杰斐逊": "Jefferson",
    "库克": "Cook", "库格勒": "Kugler", "米兰": "Miran", "威廉姆斯": "Williams",
}  # fmt: skip
# Members of the Federal Reserve Board and Reserve Bank presidents whose speeches people ask about.
FED_SPEAKERS = (
    "Powell", "Jefferson", "Barr", "Bowman", "Cook", "Kugler", "Waller", "Miran", "Williams",
    "Logan", "Goolsbee", "Musalem", "Hammack", "Daly", "Kashkari", "Bostic", "Schmid", "Collins",
    "Harker", "Barkin", "Mester", "Brainard", "Clarida", "Quarles", "Yellen",
)  # fmt: skip
