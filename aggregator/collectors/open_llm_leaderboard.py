"""Hugging Face Open LLM Leaderboard, v2 (2024-06 .. 2025-03) and v1 (2023 .. 2024-06); both archived.

Live: the leaderboard's `contents` tables as parquet through huggingface_hub (v2 `open-llm-leaderboard/contents`,
v1 `open-llm-leaderboard-old/contents` from the Hub's parquet-conversion branch). Mirror: the fboulnois scrape as CSV
(huggingface_v2.csv, huggingface_v1.csv): the same table under other column names. The file's version is the `_v1` /
`_v2` suffix of its name, its format the extension.

Choices:
- v2 scores are the normalised 0-100 scores the leaderboard ranked by (random baseline subtracted); the raw 0-1
  accuracies are not kept. v1 scores are plain 0-100 accuracies. Each version's `Average` is a benchmark of its own.
- setting = `precision=<dtype>`: some repos were evaluated in two precisions (79 in v2, 358 in v1), one row each.
- Flagged rows (contamination or misleading submissions, per the maintainers) are dropped. The fboulnois v1 CSV
  stores the flag inverted: TRUE on 7,060 of 7,169 rows, FALSE on e.g. `Contamination/contaminated_proof_7b_v1.0`,
  so there FALSE means flagged. The leaderboard's own parquet (v1 and v2) has `Flagged` true only on flagged
  models. A flag that would mark most rows is a ParseError: its meaning has changed upstream.
- source_model_name = the HF repo id, upstream_org = its owner; as_of = submission date (file date when blank);
  model_release_date = v2's upload-to-hub date; base_model_name = v2's Base Model when it names another repo
  ('Removed' and '<repo> (Merge)' mean none).
"""

from __future__ import annotations

import io
import re
from pathlib import PurePosixPath

import pandas as pd

from ..config import Configs, Source
from ..errors import ParseError
from ..fetch import Fetcher, RawFile
from ..store import finish_parsed
from ._util import iso_dates, read_csv, require_columns, to_number, with_formats

SOURCE_ID = "open_llm_leaderboard"
BENCH_V2 = {"ifeval": "IFEval", "bbh": "BBH", "math": "MATH Lvl 5", "gpqa": "GPQA", "musr": "MUSR", "mmlu_pro": "MMLU-PRO"}
BENCH_V1 = ["ARC", "HellaSwag", "MMLU", "TruthfulQA", "Winogrande", "GSM8K"]
AVERAGE = "Average"  # parquet header "Average ⬆️", matched by prefix

# (version, format) -> {upstream column: field}; score fields are the benchmark keys ("v2/IFEval", ...).
COLUMNS: dict[tuple[str, str], dict[str, str]] = {
    ("v2", "parquet"): {
        "fullname": "name", "Precision": "precision", "Flagged": "flagged", "Submission Date": "date",
        "Upload To Hub Date": "released", "Base Model": "base", AVERAGE: "v2/Average",
        **{b: f"v2/{b}" for b in BENCH_V2.values()},
    },
    ("v2", "csv"): {
        "model_name": "name", "model_precision": "precision", "features_is_flagged": "flagged",
        "metadata_submission_date": "date", "metadata_upload_date": "released", "metadata_base_model": "base",
        "model_average_score": "v2/Average",
        **{f"evaluations_{k}_normalized_score": f"v2/{b}" for k, b in BENCH_V2.items()},
    },
    ("v1", "parquet"): {
        "fullname": "name", "Precision": "precision", "Flagged": "flagged", "date": "date", AVERAGE: "v1/Average",
        **{b: f"v1/{b}" for b in BENCH_V1},
    },
    ("v1", "csv"): {
        "fullname": "name", "precision": "precision", "flagged": "flagged", "date": "date", "average": "v1/Average",
        **{b.lower(): f"v1/{b}" for b in BENCH_V1},
    },
}
FLAG_INVERTED = {("v1", "csv")}  # (version, format) whose flag column is inverted
TRUE, FALSE, UNKNOWN = {"true", "1", "1.0"}, {"false", "0", "0.0"}, {"", "nan", "none", "<na>"}


def fetch(fetcher: Fetcher, source: Source, configs: Configs) -> list[RawFile]:
    return fetcher.fetch_declared(source)


def _read(f: RawFile) -> tuple[str, str, pd.DataFrame]:
    """The file's version, its format and its table with canonical field names."""
    path = PurePosixPath(f.name)
    version = re.search(r"_(v[12])$", path.stem)
    fmt = path.suffix.lstrip(".")
    if version is None or (version[1], fmt) not in COLUMNS:
        raise ParseError(SOURCE_ID, f.name, "unknown file: expected <name>_v1|_v2 .csv or .parquet")
    cols = COLUMNS[(version[1], fmt)]
    if fmt == "parquet":
        try:
            df = pd.read_parquet(io.BytesIO(f.data))
        except Exception as exc:  # pyarrow raises several types for a broken file
            raise ParseError(SOURCE_ID, f.name, f"not a readable parquet file ({type(exc).__name__})") from None
        df = df.rename(columns={c: AVERAGE for c in df.columns if str(c).startswith(AVERAGE)})
    else:
        df = read_csv(SOURCE_ID, f, usecols=lambda c: c in cols)  # the scrape's 40 columns, of which these are read
    require_columns(SOURCE_ID, f, df, [c for c in cols if cols[c] not in ("released", "base")])
    df = df.reset_index(drop=True)
    return version[1], fmt, df[[c for c in cols if c in df.columns]].rename(columns=cols)


def _flagged(f: RawFile, version: str, fmt: str, values: pd.Series) -> pd.Series:
    s = values.astype(str).str.strip().str.casefold().fillna("")
    bad = ~s.isin(TRUE | FALSE | UNKNOWN)
    if bad.any():
        i = int(bad.idxmax())
        raise ParseError(SOURCE_ID, f.name, f"flagged: expected true/false, got {values[i]!r}", row=i + 2)
    flagged = s.isin(FALSE if (version, fmt) in FLAG_INVERTED else TRUE)
    if flagged.sum() > len(s) / 2:
        raise ParseError(SOURCE_ID, f.name, f"flag column marks {int(flagged.sum())} of {len(s)} rows as flagged: "
                                            "its meaning seems to have changed upstream")
    return flagged


def _parse_table(f: RawFile) -> pd.DataFrame:
    version, fmt, df = _read(f)
    name = df["name"].astype(str).str.strip()
    blank = name.isna() | name.str.casefold().isin(UNKNOWN)
    if blank.any():
        raise ParseError(SOURCE_ID, f.name, "model name: expected a Hugging Face repo id, got a blank",
                         row=int(blank.idxmax()) + 2)
    keys = [c for c in df.columns if "/" in c]
    for k in keys:
        df[k] = to_number(SOURCE_ID, f, df[k], k)
    keep = ~_flagged(f, version, fmt, df["flagged"])
    fallback = f.published or f.retrieved_at
    precision = df["precision"].astype(str).str.strip().fillna("")
    base = df["base"].astype(str).str.replace(r"\s*\(Merge\)\s*$", "", regex=True).str.strip() if "base" in df \
        else pd.Series("", index=df.index)
    base = base.mask(base.str.casefold().isin(UNKNOWN | {"removed"}) | base.eq(name), "")
    meta = pd.DataFrame({
        "source_model_name": name,
        "setting": ("precision=" + precision).where(~precision.str.casefold().isin(UNKNOWN), ""),
        "as_of": iso_dates(df["date"]).replace("", fallback),
        "source_url": f.url,
        "upstream_org": name.str.extract(r"^([^/]+)/", expand=False).fillna(""),
        "base_model_name": base,
        "model_release_date": iso_dates(df["released"]) if "released" in df else "",
    })
    scores = df.loc[keep, keys]
    long = scores.melt(ignore_index=False, var_name="benchmark_key", value_name="score")  # blank: NaN, kept as such
    return meta.loc[long.index].assign(benchmark_key=long["benchmark_key"], score=long["score"])


FORMATS = {"parquet": "leaderboard contents parquet (HF)", "csv": "fboulnois CSV scrape"}


def parse(files: list[RawFile]) -> pd.DataFrame:
    frames = [_parse_table(f) for f in files]
    frames = [fr for fr in frames if not fr.empty]
    formats = sorted({f"{PurePosixPath(f.name).stem.rsplit('_', 1)[-1]} {FORMATS.get(PurePosixPath(f.name).suffix.lstrip('.'), '?')}"
                      for f in files})
    return with_formats(finish_parsed(pd.concat(frames, ignore_index=True) if frames else []), formats)
