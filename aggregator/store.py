"""The tidy tables in results/: their columns, reads checked against schemas.py, and atomic, deterministic writes."""

from __future__ import annotations

import io
import os
import re
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa

from . import memo
from .errors import StoreError
from .transaction import new_temp

if TYPE_CHECKING:
    import pandera.pandas

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


# what a passed check of scores.csv depends on besides the file's bytes (memo key)
_SCHEMA_ID = (f"scores {version('pandera')} {pd.__version__}".encode() + Path(__file__).read_bytes()
              + Path(__file__).with_name("schemas.py").read_bytes())

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


def validate(df: pd.DataFrame, schema: pandera.pandas.DataFrameSchema, what: str) -> pd.DataFrame:
    """The table, checked against a schema of schemas.py; StoreError naming `what` and the first failure."""
    import pandera.errors

    try:
        return schema.validate(df, lazy=False)
    except (pandera.errors.SchemaError, pandera.errors.SchemaErrors) as exc:
        first = str(exc).splitlines()[0][:300]
        raise StoreError(f"{what} does not match its schema: {first}") from None


# --- atomic, deterministic writes --------------------------------------------------------------------------


def atomic_write_bytes(path: Path, data: bytes) -> bool:
    """Write via a temporary file in the same folder + rename. Returns False (and writes nothing) if unchanged."""
    path = Path(path)
    if path.exists() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = new_temp(path.parent, path.name)
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


_NEEDS_QUOTES = '[,"\n]'  # what Python's csv writer (QUOTE_MINIMAL, lineterminator "\n") quotes a field for


def _quoted(cells: pa.ChunkedArray | pa.Array) -> pa.Array:
    """Text cells as the csv module writes them: a cell holding a comma, a quote or a newline in quotes, quotes doubled."""
    import pyarrow.compute as pc

    cells = pa.chunked_array([cells]) if isinstance(cells, pa.Array) else cells
    cells = (cells.combine_chunks() if cells.num_chunks != 1 else cells.chunk(0)).cast(pa.large_string())
    need = pc.match_substring_regex(cells, _NEEDS_QUOTES)
    if not pc.any(need).as_py():
        return cells
    quote, empty = pa.scalar('"', pa.large_string()), pa.scalar("", pa.large_string())
    wrapped = pc.binary_join_element_wise(quote, pc.replace_substring(cells, '"', '""'), quote, empty)
    return pc.if_else(need, wrapped, cells)


def _cells(col: pd.Series, float_format: str) -> pa.Array | None:
    """A column's CSV cells as DataFrame.to_csv(na_rep="", float_format) writes them; None for a dtype not handled
    here (then the whole table goes through pandas)."""
    dtype = col.dtype
    if dtype == "float64":
        values = col.to_numpy()
        fmt, text = float_format.__mod__, np.full(len(values), "", dtype=object)
        ok = ~np.isnan(values)
        text[ok] = [fmt(v) for v in values[ok].tolist()]
        return pa.array(text, type=pa.large_string())
    if dtype == "bool":
        import pyarrow.compute as pc

        return pc.if_else(pa.array(col.to_numpy()), pa.scalar("True", pa.large_string()), pa.scalar("False", pa.large_string()))
    if dtype == "int64":
        return pa.array(col.to_numpy()).cast(pa.large_string())
    if isinstance(dtype, pd.StringDtype) or (dtype.kind == "O" and pd.api.types.infer_dtype(col, skipna=True) in ("string", "empty")):
        arr = getattr(col.array, "_pa_array", None)
        cells = arr if arr is not None else pa.array(col.to_numpy(dtype=object), type=pa.string(), from_pandas=True)
        return _quoted(cells.fill_null(""))
    return None


def written(values: np.ndarray, decimals: int = 4) -> np.ndarray:
    """Floats as `decimals`-place text gives them back: float("%.4f" % x) for every x, exactly (-0.0 kept: it is
    written '-0.0000'). Rounded in numpy where the result is certain, by the text itself where x is near a tie."""
    x = np.asarray(values, dtype="float64")
    scale = 10.0**decimals
    with np.errstate(invalid="ignore", over="ignore"):
        y = x * scale
        frac = np.abs(y - np.floor(y) - 0.5)
    sure = np.isfinite(x) & (np.abs(x) < 1e9) & (frac > 0.01)  # fl(y) errs by < 0.001 here: rint(y) is the true rounding
    out = np.copysign(np.rint(y) / scale, x)
    unsure = ~sure & np.isfinite(x)
    if unsure.any():
        fmt = f"%.{decimals}f".__mod__
        out[unsure] = [float(fmt(v)) for v in x[unsure].tolist()]
    out[~np.isfinite(x)] = x[~np.isfinite(x)]
    return out


CHUNK_ROWS = 200_000  # rows formatted at a time: the text of one chunk is in memory, not of the whole table


def csv_bytes(df: pd.DataFrame, float_format: str = "%.4f", order: np.ndarray | None = None) -> bytearray:
    """The table (its rows at the positions `order`, when given) as `DataFrame.to_csv(index=False, float_format=...,
    lineterminator="\n")` writes it, UTF-8 encoded, byte for byte, built column by column in Arrow a chunk of rows at
    a time (several times faster, and the text is held once: a bytearray, not copied into bytes); tables with a
    column of another dtype (nullable, dates, mixed objects) or of one column go through pandas."""
    import pyarrow.compute as pc

    comma, newline = pa.scalar(",", pa.large_string()), pa.scalar("\n", pa.large_string())
    empty = pa.scalar("", pa.large_string())
    rows = np.arange(len(df)) if order is None else np.asarray(order)
    out = bytearray()
    for start in range(0, max(len(rows), 1), CHUNK_ROWS):
        part = df.iloc[rows[start: start + CHUNK_ROWS]] if order is not None or len(df) > CHUNK_ROWS else df
        cols = [_cells(part.iloc[:, i], float_format) for i in range(df.shape[1])] if df.shape[1] > 1 else [None]
        if any(c is None for c in cols):
            buf = io.StringIO()
            (df.iloc[rows] if order is not None else df).to_csv(buf, index=False, float_format=float_format, lineterminator="\n")
            return bytearray(buf.getvalue().encode("utf-8"))
        if not out:
            header = [_quoted(pa.array([str(c)])) for c in df.columns]
            _append(out, pc.binary_join_element_wise(*header[:-1], pc.binary_join_element_wise(header[-1], empty, newline), comma))
        if len(part):
            cols[-1] = pc.binary_join_element_wise(cols[-1], empty, newline)  # each line ends with its newline
            _append(out, pc.binary_join_element_wise(*cols, comma))
    return out


def _append(out: bytearray, lines: pa.Array) -> None:
    """The text of every line, appended straight from the array's own buffer."""
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int64)[lines.offset: lines.offset + len(lines) + 1]
    out += memoryview(lines.buffers()[2])[int(offsets[0]): int(offsets[-1])]


def write_csv(path: Path, df: pd.DataFrame, sort: list[str] | None = None, float_format: str = "%.4f") -> bool:
    if sort:
        df = df.sort_values(sort, kind="mergesort").reset_index(drop=True)
    return atomic_write_bytes(path, csv_bytes(df, float_format))


# --- checked reads of results/ (a damaged file is a StoreError naming it and the fix, never a traceback) ----------

_MARKERS = (b"<<<<<<< ", b"=======", b">>>>>>> ")  # what git leaves in a file whose merge conflicted
_MARKER_LINE = re.compile(rb"^(<<<<<<< |=======\r?$|>>>>>>> )", re.MULTILINE)
_FIX = "resolve it, restore it (git checkout -- <file>) or delete it to rebuild it"


def check_text(data: bytes, where: str) -> str:
    """The text of a results/ file: UTF-8, without merge-conflict markers (a merge of results/ gone wrong)."""
    if m := _MARKER_LINE.search(data):
        line = data.count(b"\n", 0, m.start()) + 1
        raise StoreError(f"{where}, line {line}: merge-conflict marker {m.group(1).strip().decode()!r}: {_FIX}")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise StoreError(f"{where}, line {line}: not UTF-8 text (byte {exc.start}): {_FIX}") from None


def read_text(path: Path) -> str:
    """A results/ text file (CHANGES.md), checked; '' when absent."""
    return check_text(path.read_bytes(), str(path)) if path.exists() else ""


def read_table(data: bytes | None, where: str, columns: list[str], whole: tuple[str, ...] = ()) -> pd.DataFrame:
    """A results/ table as text cells with at least `columns`, checked (the `whole` columns hold whole numbers); an
    empty table of them when there is none."""
    if not data:
        return pd.DataFrame({c: pd.Series(dtype=str) for c in columns})
    df = read_text_csv(data, where)
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise StoreError(f"{where} lacks column(s) {missing}: {_FIX}")
    for c in whole:
        if not df[c].str.fullmatch(r"\d+").all():
            raise StoreError(f"{where}: {c!r} must be whole numbers: {_FIX}")
    return df


def read_text_csv(source: Path | bytes, where: str = "") -> pd.DataFrame:
    """Every cell as text, read by pyarrow's reader (several times faster than pandas' own on results tables), which
    refuses a row wider or narrower than the header; a damaged file is a StoreError naming it (`where`).
    Columns come back as one contiguous array each: row filters on the reader's many chunks cost several times more."""
    where = where or str(source if isinstance(source, Path) else "a results table")
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    if any(m in data for m in _MARKERS):
        check_text(data, where)
    try:
        df = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, engine="pyarrow")
    except (ValueError, pd.errors.ParserError) as exc:  # pyarrow.ArrowInvalid is a ValueError
        raise StoreError(f"{where} is not a readable CSV ({str(exc).splitlines()[0][:200]}): {_FIX}") from None
    for c in df.columns:
        arr = df[c].array
        if getattr(arr, "_pa_array", None) is not None and arr._pa_array.num_chunks > 1:
            df[c] = pd.Series(type(arr)(arr._pa_array.combine_chunks()), index=df.index, dtype=df[c].dtype)
    return df


def _floats(text: pd.Series) -> pd.Series:
    """Text -> float64, empty -> NaN. pyarrow's cast when every cell parses (ten times faster); otherwise pandas',
    which turns what does not parse into NaN for the schema check to report."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = getattr(text.array, "_pa_array", None)
    if arr is not None:
        try:
            parsed = pc.cast(pc.if_else(pc.equal(arr, ""), None, arr), pa.float64())
            return pd.Series(parsed.to_numpy(zero_copy_only=False), index=text.index, dtype="float64")
        except pa.ArrowInvalid:
            pass
    return pd.to_numeric(text.replace("", None), errors="coerce").astype("float64")


def read_scores(path: Path) -> pd.DataFrame:
    if not path.exists():
        return pd.DataFrame({c: pd.Series(dtype="float64" if c in ("score", "ci_lower", "ci_upper") else "str") for c in SCORE_COLUMNS}).astype(
            {"self_reported": bool, "is_system": bool}
        )
    raw = path.read_bytes()
    df = read_table(raw, str(path), SCORE_COLUMNS)
    for c in ("self_reported", "is_system"):
        df[c] = df[c].str.lower().eq("true")
    for c in ("score", "ci_lower", "ci_upper"):
        df[c] = _floats(df[c])
    df = df[SCORE_COLUMNS]
    # The schema check is skipped only for bytes that passed it before, under the same code (memo.py)
    folder, k = memo.folder_for(path.parent), memo.key(_SCHEMA_ID, raw)
    if memo.get(folder, k) != "valid":
        from .schemas import SCORES_SCHEMA

        df = validate(df, SCORES_SCHEMA, str(path))
        memo.put(folder, k, "valid")
    return df


def write_scores(path: Path, df: pd.DataFrame) -> bool:
    from .schemas import SCORES_SCHEMA

    df = validate(df[SCORE_COLUMNS].reset_index(drop=True), SCORES_SCHEMA, str(path))
    return write_csv(path, df, SCORE_SORT)
