"""pandera schemas of the parsed and the tidy score tables, checked at the boundary (store.validate).

Kept apart from store.py so that reading results/ does not import pandera when no check is due (see memo.py)."""

from __future__ import annotations

import pandera.pandas as pa

from .store import DATE, SCORE_COLUMNS

_str = pa.Column(str, nullable=False)

_finite = pa.Check(lambda s: s.notna() & ~s.isin([float("inf"), float("-inf")]), error="finite")
# A parsed score may be NaN: the upstream cell is blank ('N/A'); such a row is never written, it keeps the previous one.
_finite_or_blank = pa.Check(lambda s: ~s.isin([float("inf"), float("-inf")]), error="finite or blank")
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
    "model_release_date": pa.Column(str, pa.Check.str_matches(r"^(\d{4}(-\d{2}(-\d{2})?)?)?$")),  # precision kept
}

PARSED_SCHEMA = pa.DataFrameSchema(
    {**_COMMON, "score": pa.Column(float, _finite_or_blank, nullable=True),
     "benchmark_key": pa.Column(str, pa.Check.str_length(min_value=1))}, strict=True, ordered=False)

_SCORES_ONLY = {
    "model_id": _str,
    "derivation": pa.Column(str, pa.Check.isin(["alias", "name", "finetune", "unmatched", "ignored"])),
    "benchmark_id": pa.Column(str, pa.Check.str_length(min_value=1)),
    "unit": _str,
    "source_id": _str,
}
SCORES_SCHEMA = pa.DataFrameSchema({c: {**_COMMON, **_SCORES_ONLY}[c] for c in SCORE_COLUMNS}, strict=True, ordered=True)
