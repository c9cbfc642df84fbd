"""results/scores.csv is checked when read: a damaged file is the project's own error, never a wrong table."""

from __future__ import annotations

import pytest

from aggregator.errors import StoreError
from aggregator.store import SCORE_COLUMNS, read_scores

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
