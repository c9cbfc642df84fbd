"""Epoch AI 'Data on AI Models': model metadata (not scores), one row per Epoch model name.

Live: notable_ai_models.csv, large_scale_ai_models.csv, all_ai_models.csv. Mirror: the same exports from GitHub copies
(the notable one as `Epoch Database - Notable Models.csv`, with a UTF-8 BOM). Column names drift between snapshots
(`Country (from Organization)` -> `Country (of organization)`, ...), so every field is looked up under its known names.
A model in several files keeps its row from the most curated one (notable, then large_scale, then all), newest
snapshot first. `training_hardware` is kept exactly as upstream writes it.
"""

from __future__ import annotations

import re

import pandas as pd
import pandera.pandas as pa

from ..config import Configs, Source
from ..errors import ParseError
from ..fetch import Fetcher, RawFile
from ._util import iso_date, read_csv, with_formats

SOURCE_ID = "epoch_ai_models"
DATASETS = ("notable", "large_scale", "all")  # preference order
NUMBER = r"^$|^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"

# output column -> upstream names, newest first.
FIELDS: dict[str, tuple[str, ...]] = {
    "epoch_name": ("Model", "System"),
    "organization": ("Organization",),
    "country": ("Country (of organization)", "Country (from Organization)", "Country"),
    "publication_date": ("Publication date",),
    "domain": ("Domain",),
    "parameters": ("Parameters",),
    "training_compute_flop": ("Training compute (FLOP)",),
    "training_hardware": ("Training hardware",),
    "hardware_quantity": ("Hardware quantity",),
    "base_model": ("Base model",),
    "accessibility": ("Model accessibility",),
    "link": ("Link",),
    "confidence": ("Confidence",),
}
REQUIRED = ("epoch_name", "organization", "publication_date", "training_hardware")
NUMERIC = ("parameters", "training_compute_flop", "hardware_quantity")
MODEL_COLUMNS = [*FIELDS, "dataset", "source_url"]

_text = pa.Column(str, nullable=False)
MODELS_SCHEMA = pa.DataFrameSchema(
    {
        "epoch_name": pa.Column(str, [pa.Check.str_length(min_value=1)], unique=True),
        "organization": _text,
        "country": _text,
        "publication_date": pa.Column(str, pa.Check.str_matches(r"^(\d{4}-\d{2}-\d{2})?$")),
        "domain": _text,
        "parameters": pa.Column(str, pa.Check.str_matches(NUMBER)),
        "training_compute_flop": pa.Column(str, pa.Check.str_matches(NUMBER)),
        "training_hardware": _text,
        "hardware_quantity": pa.Column(str, pa.Check.str_matches(NUMBER)),
        "base_model": _text,
        "accessibility": _text,
        "link": _text,
        "confidence": _text,
        "dataset": pa.Column(str, pa.Check.isin(DATASETS)),
        "source_url": pa.Column(str, pa.Check.str_matches(r"^https?://")),
    },
    strict=True,
    ordered=True,
)


def fetch(fetcher: Fetcher, source: Source, configs: Configs) -> list[RawFile]:
    return fetcher.fetch_declared(source)


def dataset_of(f: RawFile) -> str:
    name = f.name.rsplit("/", 1)[-1].casefold()
    if "notable" in name:
        return "notable"
    if "large_scale" in name or "large-scale" in name:
        return "large_scale"
    if re.match(r"^all[_ ]", name):
        return "all"
    raise ParseError(SOURCE_ID, f.name, "unknown file: expected notable / large_scale / all AI models CSV")


def _pick(f: RawFile, df: pd.DataFrame, field: str) -> pd.Series:
    for name in FIELDS[field]:
        if name in df.columns:
            return df[name].astype(str).str.strip()
    if field in REQUIRED:
        raise ParseError(SOURCE_ID, f.name, f"no column for {field} (looked for {list(FIELDS[field])}); found {list(df.columns)[:12]}")
    return pd.Series("", index=df.index, dtype=object)


def _check_numbers(f: RawFile, values: pd.Series, field: str) -> None:
    bad = ~values.str.fullmatch(NUMBER)
    if bad.any():
        i = int(bad.idxmax())
        raise ParseError(SOURCE_ID, f.name, f"{field}: expected a number, got {values[i]!r}", row=i + 2)


def _dates(f: RawFile, values: pd.Series) -> pd.Series:
    out = values.map(iso_date)
    bad = values.ne("") & (out.eq("") | ~values.str.match(r"^\d{4}-\d{2}-\d{2}"))
    if bad.any():
        i = int(bad.idxmax())
        raise ParseError(SOURCE_ID, f.name, f"publication_date: expected YYYY-MM-DD, got {values[i]!r}", row=i + 2)
    return out


def _parse_file(f: RawFile) -> pd.DataFrame:
    df = read_csv(SOURCE_ID, f)
    out = pd.DataFrame({field: _pick(f, df, field) for field in FIELDS})
    for field in NUMERIC:
        _check_numbers(f, out[field], field)
    out["publication_date"] = _dates(f, out["publication_date"])
    out["dataset"] = dataset_of(f)
    out["source_url"] = f.url
    out["_snapshot"] = iso_date(f.published) or f.retrieved_at
    return out[out["epoch_name"].ne("")]


def parse(files: list[RawFile]) -> pd.DataFrame:
    frames = [_parse_file(f) for f in files]
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype=str) for c in MODEL_COLUMNS})
    df = pd.concat(frames, ignore_index=True)
    rank = df["dataset"].map({d: i for i, d in enumerate(DATASETS)})
    df = (df.assign(_rank=rank).sort_values(["_rank", "_snapshot"], ascending=[True, False], kind="mergesort")
          .drop_duplicates("epoch_name", keep="first"))
    df = df[MODEL_COLUMNS].sort_values("epoch_name", kind="mergesort").reset_index(drop=True)
    try:
        return with_formats(MODELS_SCHEMA.validate(df), ["Epoch model CSVs (notable, large-scale, all)"])
    except (pa.errors.SchemaError, pa.errors.SchemaErrors) as exc:
        problem = " ".join(str(exc).split())[:300]
        raise ParseError(SOURCE_ID, ",".join(f.name for f in files), f"model table does not match its schema: {problem}") from None
