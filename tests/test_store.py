"""results/scores.csv is checked when read: a damaged file is the project's own error, never a wrong table."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aggregator import store
from aggregator.errors import StoreError
from aggregator.store import SCORE_COLUMNS, csv_bytes, read_scores, written

ROW = {"model_id": "m", "derivation": "name", "source_model_name": "M", "benchmark_id": "b", "setting": "",
       "score": "1.5", "unit": "percent", "ci_lower": "", "ci_upper": "", "source_id": "s",
       "source_url": "https://example.org/x.csv", "as_of": "2025-01-01", "self_reported": "False", "is_system": "False",
       "upstream_org": "", "base_model_name": "", "model_release_date": ""}


def _write(tmp_path, row: dict, columns=SCORE_COLUMNS):
    p = tmp_path / "scores.csv"
    p.write_text(",".join(columns) + "\n" + ",".join(row.get(c, "") for c in columns) + "\n", encoding="utf-8")
    return p


def test_round_trip_types(tmp_path):
    df = read_scores(_write(tmp_path, ROW))
    assert df["score"].tolist() == [1.5] and df["ci_lower"].isna().all() and df["self_reported"].tolist() == [False]


@pytest.mark.parametrize("change,needle", [
    ({"score": "abc"}, "schema"),
    ({"as_of": "yesterday"}, "schema"),
    ({"source_url": "javascript:x"}, "schema"),
])
def test_damaged_cells(tmp_path, change, needle):
    with pytest.raises(StoreError, match=needle):
        read_scores(_write(tmp_path, ROW | change))


def test_missing_column(tmp_path):
    with pytest.raises(StoreError, match="lacks column"):
        read_scores(_write(tmp_path, ROW, [c for c in SCORE_COLUMNS if c != "unit"]))


# --- csv_bytes writes what DataFrame.to_csv writes, byte for byte ----------------------------------------------

TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12) | st.sampled_from(
    ["", ",", '"', "\n", "a,b", 'say "hi"', "x\r\ny", " lead", "é中", "None", "nan"])
FLOAT = st.floats(allow_nan=True, allow_infinity=True) | st.sampled_from([0.5, -0.0, 1.23455, 2.00005, -1e-5, 1e16])


def _pandas(df: pd.DataFrame, float_format: str) -> bytes:
    buf = io.StringIO()
    df.to_csv(buf, index=False, float_format=float_format, lineterminator="\n")
    return buf.getvalue().encode("utf-8")


@settings(max_examples=150, deadline=None)
@given(rows=st.lists(st.tuples(TEXT | st.none(), FLOAT, st.booleans(), st.integers(-10**12, 10**12), TEXT), max_size=8),
       text_dtype=st.sampled_from(["str", "object"]), float_format=st.sampled_from(["%.4f", "%.6g"]),
       seed=st.integers(0, 2**32 - 1), chunk=st.sampled_from([2, 3, 200_000]))
def test_csv_bytes_equals_pandas(rows, text_dtype, float_format, seed, chunk):
    df = pd.DataFrame(rows, columns=["a, \"quoted\"", "f", "b", "i", "t"]).astype(
        {"a, \"quoted\"": text_dtype, "f": "float64", "b": bool, "i": "int64", "t": text_dtype})
    order = np.random.default_rng(seed).permutation(len(df))
    saved, store.CHUNK_ROWS = store.CHUNK_ROWS, chunk  # why: several chunks on a few rows
    try:
        assert csv_bytes(df, float_format) == _pandas(df, float_format)
        assert csv_bytes(df, float_format, order=order) == _pandas(df.iloc[order], float_format)
    finally:
        store.CHUNK_ROWS = saved


@settings(max_examples=60, deadline=None)
@given(st.lists(FLOAT, max_size=20))
def test_written_floats_are_what_the_text_reads_back(values):
    x = np.array(values, dtype="float64")
    back = np.array([float(f"{v:.4f}") for v in values], dtype="float64")  # "%.4f" % v, as pandas writes
    got = written(x)
    num = ~np.isnan(back)  # NaN is written '' whatever its sign
    assert np.array_equal(got, back, equal_nan=True) and np.array_equal(np.signbit(got[num]), np.signbit(back[num]))


def test_csv_bytes_falls_back_to_pandas_for_other_dtypes():
    df = pd.DataFrame({"a": ["x", "y"], "n": pd.array([True, None], dtype="boolean"), "m": [1, "two"]})
    assert csv_bytes(df) == _pandas(df, "%.4f") and csv_bytes(df[["a"]]) == _pandas(df[["a"]], "%.4f")
