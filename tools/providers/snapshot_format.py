"""The files of a snapshot directory (format version 2, docs/snapshot-format.md) and their parsing.

Shared by the importer and recorder (which write snapshots), the snapshot provider (which reads
them) and the cache store (which keeps bars in the same CSV form). Version 2 added, per day, the
dividend-adjusted close (``adj_close``, empty where unknown) and whether the prices are the ones
traded (``traded``, 1 or 0); version 1 files are refused with a "re-import" message.
"""

from __future__ import annotations

import io
from dataclasses import fields
from urllib.parse import quote

import numpy as np
import pandas as pd

from copilot.errors import CorruptDataError
from tools.providers.base import SERIES_COLUMNS, Fundamentals

FORMAT = "verity-snapshot"
FORMAT_VERSION = 2
MANIFEST = "manifest.json"
PRICES_DIR = "prices"
FUNDAMENTALS_FILE = "fundamentals.json"
NAMES_FILE = "names.csv"
NAMES_COLUMNS = ("symbol", "name", "kind", "exchange", "aliases")
FUNDAMENTAL_FIELDS = tuple(
    f.name
    for f in fields(Fundamentals)
    if f.name not in {"symbol", "provider", "as_of", "url", "retrieved_at", "stale", "age_seconds"}
)
_PRICES = ("open", "high", "low", "close")


def price_file_name(symbol: str) -> str:
    """The file of one symbol's bars inside ``prices/`` (URL-quoted: safe for ^, /, = ...)."""
    return f"{quote(symbol, safe='')}.csv"


def bars_to_csv(bars: pd.DataFrame) -> bytes:
    """The CSV bytes of a bars frame as the snapshot stores them (floats round-trip exactly).

    ``adj_close`` is an empty field where unknown; ``traded`` is written as 1 or 0.
    """
    frame = bars.loc[:, list(SERIES_COLUMNS)]
    # numpy formats the dates in one pass; pandas' date_format calls strftime per row (10x slower)
    days = np.datetime_as_string(pd.DatetimeIndex(frame.index).to_numpy(dtype="datetime64[D]"), unit="D")
    values = frame.to_numpy(dtype="float64")
    if len(values) == 0 or np.isnan(values[:, :5]).any():  # pandas writes NaN as an empty field
        return frame.set_axis(pd.Index(days, name="date"), axis=0).to_csv().encode()
    # Python's repr is the shortest round-trip text of a float, as pandas writes it, 2x faster
    columns: list[object] = [map(repr, column) for column in values[:, :5].T.tolist()]
    adjusted = values[:, 5].tolist()
    columns.append("" if v != v else repr(v) for v in adjusted)  # v != v: NaN, unknown
    columns.append("1" if v else "0" for v in values[:, 6].tolist())
    lines = map(",".join, zip(days.tolist(), *columns, strict=True))
    return ("date," + ",".join(SERIES_COLUMNS) + "\n" + "\n".join(lines) + "\n").encode()


def read_bars(data: bytes, label: str) -> pd.DataFrame:
    """Parse one symbol file; ``CorruptDataError`` naming ``label`` if it is not valid bars."""
    try:
        frame = pd.read_csv(io.BytesIO(data))
        if tuple(frame.columns) != ("date", *SERIES_COLUMNS):
            raise CorruptDataError(f"corrupt snapshot file {label}: columns {list(frame.columns)}")
        # checks and conversion on numpy arrays: a few ms per 10 years of bars
        days = frame["date"].to_numpy(dtype="datetime64[D]")
        values = frame.loc[:, list(SERIES_COLUMNS)].to_numpy(dtype="float64")
    except (ValueError, TypeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise CorruptDataError(f"corrupt snapshot file {label}: {first_line(exc)}") from None
    if len(days) == 0:
        raise CorruptDataError(f"corrupt snapshot file {label}: no rows")
    if np.isnan(values[:, : len(_PRICES)]).any():
        raise CorruptDataError(f"corrupt snapshot file {label}: missing prices")
    traded = values[:, SERIES_COLUMNS.index("traded")]
    if not np.isin(traded, (0.0, 1.0)).all():
        raise CorruptDataError(f"corrupt snapshot file {label}: traded must be 1 or 0")
    if not (np.diff(days) > np.timedelta64(0, "D")).all():
        raise CorruptDataError(f"corrupt snapshot file {label}: dates not ascending and unique")
    index = pd.DatetimeIndex(days.astype("datetime64[ns]"), name="date")
    return pd.DataFrame(values, index=index, columns=list(SERIES_COLUMNS))


def first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
