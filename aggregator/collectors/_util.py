"""Small pure helpers shared by parsers."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

import pandas as pd

from ..errors import ParseError
from ..fetch import RawFile
from ..limits import MAX_CELL_CHARS, MAX_ROWS_PER_FILE


def read_csv(source: str, f: RawFile, **kw: Any) -> pd.DataFrame:
    """CSV bytes -> DataFrame of strings; a file that is not CSV text is a ParseError naming the file."""
    try:
        text = f.data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ParseError(source, f.name, f"not UTF-8 text (byte {exc.start})", row=f.data.count(b"\n", 0, exc.start) + 1) from None
    if not text.strip():
        raise ParseError(source, f.name, "empty file")
    if "\x00" in text:
        raise ParseError(source, f.name, f"NUL byte at character {text.index(chr(0))}: binary data, not CSV text")
    header = check_rows(source, f, text)
    try:
        df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, **kw)
    except (csv.Error, pd.errors.ParserError, ValueError) as exc:
        raise ParseError(source, f.name, f"not a readable CSV ({str(exc).splitlines()[0]})") from None
    named = [h for h in header if h.strip()]
    dup = sorted({h for h in named if named.count(h) > 1})
    if dup and "header" not in kw:  # why: pandas would rename the second 'x' to 'x.1' and a parser read the wrong one
        raise ParseError(source, f.name, f"duplicate column name(s) {dup[:5]} in the header")
    return df


def check_rows(source: str, f: RawFile, text: str) -> list[str]:
    """The header of CSV text whose every row has the header's width and no cell or row count over the limits;
    else a ParseError naming the row (pandas would pad a cut last row, `model,12`, into a score of 12)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    n = 0  # rows read so far, the header being row 1 (parsers name rows so)
    try:
        header = next(reader, [])
        n = 1
        for n, r in enumerate(filter(None, reader), start=2):
            if len(r) != len(header):
                raise ParseError(source, f.name, f"{len(r)} fields where the header has {len(header)}: the row is cut "
                                                 "or damaged", row=n)
            if max(map(len, r)) > MAX_CELL_CHARS:
                raise ParseError(source, f.name, f"a cell of {max(map(len, r)):,} characters, over the limit of "
                                                 f"{MAX_CELL_CHARS:,}", row=n)
            if n > MAX_ROWS_PER_FILE + 1:
                raise ParseError(source, f.name, f"over {MAX_ROWS_PER_FILE:,} rows, the limit per file", row=n)
    except csv.Error as exc:
        problem = (f"a cell over the limit of {MAX_CELL_CHARS:,} characters" if "field limit" in str(exc)
                   else f"not a readable CSV ({exc})")
        raise ParseError(source, f.name, problem, row=n + 1) from None
    return header


def read_json(source: str, f: RawFile) -> Any:
    try:
        text = f.data.decode("utf-8-sig")
        doc = json.loads(text)
        if re.search(r"\\u[dD][89a-fA-F]", text):  # a lone surrogate escape would break every UTF-8 write later
            json.dumps(doc, ensure_ascii=False).encode("utf-8")
        return doc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ParseError(source, f.name, f"not valid JSON ({exc})") from None
    except UnicodeEncodeError:
        raise ParseError(source, f.name, "not valid JSON text (a \\u escape names a lone surrogate, not a character)") from None


def require_columns(source: str, f: RawFile, df: pd.DataFrame, columns: list[str]) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ParseError(source, f.name, f"missing column(s) {missing}; found {list(df.columns)[:12]}")


def to_number(source: str, f: RawFile, values: pd.Series, what: str, percent: bool = False) -> pd.Series:
    """Strings -> floats; blanks and 'N/A' become NaN, anything else non-numeric is a ParseError. A trailing '%' is
    read only in a column whose unit is percent (`percent`): '85%' in an Elo column is an error, not 85."""
    s = values.astype(str).str.strip().str.replace(",", "", regex=False)
    if percent:
        s = s.str.removesuffix("%").str.rstrip()
    blank = s.isna() | s.isin(["", "N/A", "NA", "n/a", "nan", "NaN", "None", "null", "-"])  # pandas 3 keeps NaN in astype(str)
    num = pd.to_numeric(s.where(~blank), errors="coerce")
    bad = (num.isna() | num.isin([float("inf"), float("-inf")])) & ~blank
    if bad.any():
        i = int(bad.idxmax())
        why = " (a percent sign where the unit is not percent)" if str(values.loc[i]).strip().endswith("%") else ""
        raise ParseError(source, f.name, f"{what}: expected a number, got {values.loc[i]!r}{why}", row=i + 2)
    return num.astype("float64")


def iso_date(value: Any) -> str:
    """Any date-like value -> 'YYYY-MM-DD' or '' when absent or unreadable."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or str(value).strip() == "":
        return ""
    ts = pd.to_datetime(str(value).strip(), errors="coerce", utc=True)
    return "" if pd.isna(ts) else ts.strftime("%Y-%m-%d")


def iso_dates(values: pd.Series) -> pd.Series:
    """Vectorised iso_date: ISO-8601 date/time strings -> 'YYYY-MM-DD', '' when absent or unreadable."""
    ts = pd.to_datetime(values.astype(str).str.strip(), errors="coerce", utc=True, format="ISO8601")
    return ts.dt.strftime("%Y-%m-%d").fillna("").astype(str)


def hf_org(links: pd.Series) -> pd.Series:
    """'https://huggingface.co/<org>/<repo>' -> '<org>'; '' for any other link (datasets/spaces included)."""
    org = links.astype(str).str.extract(r"^https?://huggingface\.co/(?!datasets/|spaces/)([^/\s?#]+)/[^/\s?#]+",
                                        expand=False)
    return org.fillna("").astype(str)


_BLANK = {"", "n/a", "na", "nan", "none", "null", "-", "--"}


def as_float(source: str, f: RawFile, value: Any, what: str, row: int | str | None = None, percent: bool = False) -> float:
    """One JSON/YAML scalar -> float. None and blanks ('', 'N/A', '-') are NaN (no score); a bool, a non-numeric
    string or any other type is a ParseError naming the file, row and field. '85%' is read only with `percent`."""
    if value is None:
        return float("nan")
    if isinstance(value, int | float) and not isinstance(value, bool):
        out = float(value)
    elif isinstance(value, str):
        s = value.strip().replace(",", "")
        s = s.removesuffix("%").rstrip() if percent else s
        if s.casefold() in _BLANK:
            return float("nan")
        try:
            out = float(s)
        except ValueError:
            why = " (a percent sign where the unit is not percent)" if s.endswith("%") else ""
            raise ParseError(source, f.name, f"{what}: expected a number, got {value!r}{why}", row=row) from None
    else:
        raise ParseError(source, f.name, f"{what}: expected a number, got {type(value).__name__} {value!r}", row=row)
    if out in (float("inf"), float("-inf")):
        raise ParseError(source, f.name, f"{what}: expected a finite number, got {value!r}", row=row)
    return out


def setting_value(text: Any) -> str:
    """Free text made safe as the value of a 'k=v' setting pair (no ';' or '=', single spaces)."""
    s = " ".join(str(text if text is not None else "").split())
    return s.replace(";", ",").replace("=", ":")


def day_date(value: Any) -> str:
    """'YYYY-MM-DD' only when the value states a full day (an ISO date or datetime); partial dates give ''."""
    s = str(value).strip() if value is not None else ""
    return iso_date(s) if re.match(r"^\d{4}-\d{2}-\d{2}(?:$|[T ])", s) else ""


def with_formats(df: pd.DataFrame, formats: list[str], warnings: list[str] | None = None) -> pd.DataFrame:
    """Parser output labelled with the upstream format(s) it recognised (and what it skipped, with why), for
    collection.csv and the refresh log. Kept in DataFrame.attrs, which the parse cache (parquet) preserves."""
    df.attrs["formats"] = list(dict.fromkeys(formats))
    if warnings:
        df.attrs["warnings"] = list(warnings)
    return df
