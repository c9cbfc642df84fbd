"""The tidy tables in results/: their schemas, checked at the boundary, and atomic, deterministic writes."""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from .errors import StoreError

DATE = r"^\d{4}-\d{2}-\d{2}$"

# What a collector's parse() returns: one row per score, upstream names and keys, raw values.
PARSED_COLUMNS: dict[str, str] = {
    "source_model_name": "str",
    "benchmark_key": "str",
    "setting": "str",
    "score": "float64",
    "ci_lower": "float64",
    "ci_upper": "float64",
    "as_of": "str",
    "source_url": "str",
    "self_reported": "bool",
    "is_system": "bool",
    "upstream_org": "str",
    "base_model_name": "str",
    "model_release_date": "str",
}

# What results/scores.csv holds: parsed rows normalised to the benchmark catalog and resolved to models.
SCORE_COLUMNS: list[str] = [
    "model_id", "derivation", "source_model_name", "benchmark_id", "setting", "score", "unit", "ci_lower", "ci_upper",
    "source_id", "source_url", "as_of", "self_reported", "is_system", "upstream_org", "base_model_name",
    "model_release_date",
]

_str = pa.Column(str, nullable=False)

_finite = pa.Check(lambda s: s.notna() & ~s.isin([float("inf"), float("-inf")]), error="finite")
# Columns both tables share, with their checks.
_COMMON = {
    "source_model_name": pa.Column(str, pa.Check.str_length(min_value=1)),
    "setting": _str,
    "score": pa.Column(float, _finite),
    "ci_lower": pa.Column(float, nullable=True),
    "ci_upper": pa.Column(float, nullable=True),
    "as_of": pa.Column(str, pa.Check.str_matches(DATE)),
    "source_url": pa.Column(str, pa.Check.str_matches(r"^https?://")),
    "self_reported": pa.Column(bool),
    "is_system": pa.Column(bool),
    "upstream_org": _str,
    "base_model_name": _str,
    "model_release_date": pa.Column(str, pa.Check.str_matches(r"^(\d{4}-\d{2}-\d{2})?$")),
}

PARSED_SCHEMA = pa.DataFrameSchema(
    {**_COMMON, "benchmark_key": pa.Column(str, pa.Check.str_length(min_value=1))}, strict=True, ordered=False)

_SCORES_ONLY = {
    "model_id": _str,
    "derivation": pa.Column(str, pa.Check.isin(["alias", "name", "finetune", "unmatched", "ignored"])),
    "benchmark_id": pa.Column(str, pa.Check.str_length(min_value=1)),
    "unit": _str,
    "source_id": _str,
}
SCORES_SCHEMA = pa.DataFrameSchema({c: {**_COMMON, **_SCORES_ONLY}[c] for c in SCORE_COLUMNS}, strict=True, ordered=True)

SCORE_SORT = ["benchmark_id", "source_id", "source_model_name", "setting", "as_of", "score"]


def empty_parsed() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in PARSED_COLUMNS.items()})


def finish_parsed(rows: list[dict] | pd.DataFrame) -> pd.DataFrame:
    """Give parser output the parsed-table columns and dtypes (defaults for what a source lacks)."""
    df = pd.DataFrame(rows) if not isinstance(rows, pd.DataFrame) else rows.copy()
    if df.empty:
        return empty_parsed()
    defaults = {"setting": "", "ci_lower": float("nan"), "ci_upper": float("nan"), "self_reported": False,
                "is_system": False, "upstream_org": "", "base_model_name": "", "model_release_date": ""}
    for col, val in defaults.items():
        if col not in df.columns:
            df[col] = val
    for col, t in PARSED_COLUMNS.items():
        if col not in df.columns:
            raise KeyError(f"parser output lacks column {col!r}")
        if t == "str":
            df[col] = df[col].fillna("").astype(str).str.strip()
        elif t == "bool":
            df[col] = df[col].fillna(False).astype(bool)
        else:
            df[col] = pd.to_numeric(df[col], errors="coerce").astype("float64")
    return df[list(PARSED_COLUMNS)].reset_index(drop=True)


def validate(df: pd.DataFrame, schema: pa.DataFrameSchema, what: str) -> pd.DataFrame:
    try:
        return schema.validate(df, lazy=False)
    except (pa.errors.SchemaError, pa.errors.SchemaErrors) as exc:
        first = str(exc).splitlines()[0][:300]
        raise StoreError(f"{what} does not match its schema: {first}") from None


# --- atomic, deterministic writes --------------------------------------------------------------------------


def atomic_write_bytes(path: Path, data: bytes) -> bool:
    """Write via a temporary file in the same folder + rename. Returns False (and writes nothing) if unchanged."""
    path = Path(path)
    if path.exists() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


def csv_bytes(df: pd.DataFrame, float_format: str = "%.4f") -> bytes:
    buf = io.StringIO()
    df.to_csv(buf, index=False, float_format=float_format, lineterminator="\n")
    return buf.getvalue().encode("utf-8")


def write_csv(path: Path, df: pd.DataFrame, sort: list[str] | None = None, float_format: str = "%.4f") -> bool:
    if sort:
        df = df.sort_values(sort, kind="mergesort").reset_index(drop=True)
    return atomic_write_bytes(path, csv_bytes(df, float_format))


def read_scores(path: Path) -> pd.DataFrame:
    if not path.exists():
        return pd.DataFrame({c: pd.Series(dtype="float64" if c in ("score", "ci_lower", "ci_upper") else "str") for c in SCORE_COLUMNS}).astype(
            {"self_reported": bool, "is_system": bool}
        )
    try:  # every cell as text (pyarrow's reader: several times faster than pandas' own on this table)
        df = pd.read_csv(path, dtype=str, keep_default_na=False, engine="pyarrow")
    except (ValueError, pd.errors.ParserError) as exc:
        raise StoreError(f"{path} is not a readable CSV ({str(exc).splitlines()[0][:200]})") from None
    missing = [c for c in SCORE_COLUMNS if c not in df.columns]
    if missing:
        raise StoreError(f"{path} lacks column(s) {missing}")
    for c in ("self_reported", "is_system"):
        df[c] = df[c].str.lower().eq("true")
    for c in ("score", "ci_lower", "ci_upper"):
        df[c] = pd.to_numeric(df[c].replace("", None), errors="coerce").astype("float64")
    return validate(df[SCORE_COLUMNS], SCORES_SCHEMA, str(path))


def write_scores(path: Path, df: pd.DataFrame) -> bool:
    df = validate(df[SCORE_COLUMNS].reset_index(drop=True), SCORES_SCHEMA, str(path))
    return write_csv(path, df, SCORE_SORT)
