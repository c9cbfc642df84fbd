"""Small pure helpers shared by parsers."""

from __future__ import annotations

import io
import json
from typing import Any

import pandas as pd

from ..errors import ParseError
from ..fetch import RawFile


def read_csv(source: str, f: RawFile, **kw: Any) -> pd.DataFrame:
    """CSV bytes -> DataFrame of strings; a file that is not CSV text is a ParseError naming the file."""
    try:
        text = f.data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ParseError(source, f.name, f"not UTF-8 text (byte {exc.start})") from None
    if not text.strip():
        raise ParseError(source, f.name, "empty file")
    try:
        return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, **kw)
    except (pd.errors.ParserError, ValueError) as exc:
        raise ParseError(source, f.name, f"not a readable CSV ({str(exc).splitlines()[0]})") from None


def read_json(source: str, f: RawFile) -> Any:
    try:
        return json.loads(f.data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ParseError(source, f.name, f"not valid JSON ({exc})") from None


def require_columns(source: str, f: RawFile, df: pd.DataFrame, columns: list[str]) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ParseError(source, f.name, f"missing column(s) {missing}; found {list(df.columns)[:12]}")


def to_number(source: str, f: RawFile, values: pd.Series, what: str) -> pd.Series:
    """Strings -> floats; blanks and 'N/A' become NaN, anything else non-numeric is a ParseError."""
    s = values.astype(str).str.strip().str.rstrip("%").str.replace(",", "", regex=False)
    blank = s.isin(["", "N/A", "NA", "n/a", "nan", "NaN", "None", "null", "-"])
    num = pd.to_numeric(s.where(~blank), errors="coerce")
    bad = num.isna() & ~blank
    if bad.any():
        i = int(bad.idxmax())
        raise ParseError(source, f.name, f"{what}: expected a number, got {values.loc[i]!r}", row=i + 2)
    return num.astype("float64")


def iso_date(value: Any) -> str:
    """Any date-like value -> 'YYYY-MM-DD' or '' when absent or unreadable."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or str(value).strip() == "":
        return ""
    ts = pd.to_datetime(str(value).strip(), errors="coerce", utc=True)
    return "" if pd.isna(ts) else ts.strftime("%Y-%m-%d")
