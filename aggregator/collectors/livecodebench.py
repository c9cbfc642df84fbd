"""LiveCodeBench, code generation scenario: pass@1 (%) per model, aggregated here from per-problem results.

Live and mirror: performances_generation.json of livecodebench.github.io, `{performances: [{question_id, model,
date (problem release, epoch ms), difficulty, pass@1, platform}], models: [{model_repr, release_date (epoch ms),
link, ...}], date_marks}`. The site computes its table client-side; this collector does it with a groupby:

- A model's score is its mean pass@1 over the problems released strictly after its `release_date`. That date is
  LiveCodeBench's contamination cut-off for the model, NOT its launch date (DeepSeek-V3 shows 2024-06-30), so it never
  goes to model_release_date. setting = `window=<cut-off>..<last problem date>` (cut-off excluded): models with
  different cut-offs are scored on different problem sets. A model with no problem after its cut-off gets no score.
- Key `generation` is the mean over all difficulties; `generation/easy|medium|hard` the mean per difficulty over the
  same window (separate benchmarks: as settings of one benchmark, the comparison would pick a model's easy score).
- source_model_name = `model_repr` (the name the performances use); upstream_org from a Hugging Face `link`; as_of is
  the file's date (the data has no run date).
"""

from __future__ import annotations

from pathlib import PurePosixPath

import pandas as pd

from ..config import Configs, Source
from ..errors import ParseError
from ..fetch import Fetcher, RawFile
from ..store import finish_parsed
from ._util import hf_org, read_json, require_columns, with_formats

SOURCE_ID = "livecodebench"
SCENARIO = "generation"


def fetch(fetcher: Fetcher, source: Source, configs: Configs) -> list[RawFile]:
    return fetcher.fetch_declared(source)


def _table(f: RawFile, doc: dict, key: str, columns: list[str]) -> pd.DataFrame:
    items = doc.get(key)
    if not isinstance(items, list) or not all(isinstance(x, dict) for x in items):
        raise ParseError(SOURCE_ID, f.name, f"'{key}': expected a list of objects")
    df = pd.DataFrame(items)
    require_columns(SOURCE_ID, f, df, columns)
    return df


def _numbers(f: RawFile, df: pd.DataFrame, key: str, col: str) -> pd.Series:
    num = pd.to_numeric(df[col], errors="coerce")
    bad = num.isna() | df[col].map(lambda v: isinstance(v, bool))
    if bad.any():
        i = int(bad.idxmax())
        raise ParseError(SOURCE_ID, f.name, f"{col}: expected a number, got {df[col][i]!r}", row=f"{key}[{i}]")
    return num.astype("float64")


def _epoch_ms(f: RawFile, df: pd.DataFrame, key: str, col: str) -> pd.Series:
    """Epoch milliseconds, checked to fall in 2000..2100 (seconds or garbage would give nonsense windows)."""
    ms = _numbers(f, df, key, col)
    bad = ~ms.between(946_684_800_000, 4_102_444_800_000)
    if bad.any():
        i = int(bad.idxmax())
        raise ParseError(SOURCE_ID, f.name, f"{col}: expected epoch milliseconds, got {df[col][i]!r}", row=f"{key}[{i}]")
    return ms


def _days(ms: pd.Series) -> pd.Series:
    return pd.to_datetime(ms, unit="ms", utc=True).dt.strftime("%Y-%m-%d")


def _parse_generation(f: RawFile) -> pd.DataFrame:
    doc = read_json(SOURCE_ID, f)
    if not isinstance(doc, dict):
        raise ParseError(SOURCE_ID, f.name, "expected an object with 'performances' and 'models'")
    perf = _table(f, doc, "performances", ["model", "date", "difficulty", "pass@1"])
    models = _table(f, doc, "models", ["model_repr", "release_date"])
    for df, key, col in ((perf, "performances", "model"), (models, "models", "model_repr")):
        bad = ~df[col].map(lambda v: isinstance(v, str) and v.strip() != "")
        if bad.any():
            i = int(bad.idxmax())
            raise ParseError(SOURCE_ID, f.name, f"{col}: expected a model name, got {df[col][i]!r}", row=f"{key}[{i}]")
    if models["model_repr"].duplicated().any():
        dup = models["model_repr"][models["model_repr"].duplicated()].iloc[0]
        raise ParseError(SOURCE_ID, f.name, f"model {dup!r} is listed twice in 'models'", row="models")
    twice = perf["model"].str.cat(perf["question_id"].map(repr), sep="\0").duplicated() if "question_id" in perf else None
    if twice is not None and twice.any():  # a problem counted twice would skew the mean
        i = int(twice.idxmax())
        raise ParseError(SOURCE_ID, f.name, f"problem {perf['question_id'][i]!r} is listed twice for model {perf['model'][i]!r}",
                         row=f"performances[{i}]")
    perf = perf.assign(score=_numbers(f, perf, "performances", "pass@1"), date=_epoch_ms(f, perf, "performances", "date"))
    cutoff = pd.Series(_epoch_ms(f, models, "models", "release_date").to_numpy(), index=models["model_repr"])
    missing = ~perf["model"].isin(cutoff.index)
    if missing.any():
        i = int(missing.idxmax())
        raise ParseError(SOURCE_ID, f.name, f"model {perf['model'][i]!r} has no entry in 'models'", row=f"performances[{i}]")
    window = perf[perf["date"] > perf["model"].map(cutoff)]
    overall = window.groupby("model", as_index=False)["score"].mean()
    overall["benchmark_key"] = SCENARIO
    by_diff = window.groupby(["model", "difficulty"], as_index=False)["score"].mean()
    by_diff["benchmark_key"] = SCENARIO + "/" + by_diff["difficulty"].astype(str).str.strip().str.casefold()
    out = pd.concat([overall, by_diff.drop(columns="difficulty")], ignore_index=True)
    last = _days(out["model"].map(window.groupby("model")["date"].max()))
    link = models.set_index("model_repr")["link"] if "link" in models else pd.Series(dtype=str)
    return pd.DataFrame({
        "source_model_name": out["model"], "benchmark_key": out["benchmark_key"],
        "setting": "window=" + _days(out["model"].map(cutoff)) + ".." + last, "score": out["score"],
        "as_of": f.published or f.retrieved_at, "source_url": f.url,
        "upstream_org": hf_org(out["model"].map(link).fillna("")),
    })


def parse(files: list[RawFile]) -> pd.DataFrame:
    frames = []
    for f in files:
        if PurePosixPath(f.name).name != "performances_generation.json":
            raise ParseError(SOURCE_ID, f.name, "unknown file: expected performances_generation.json")
        frames.append(_parse_generation(f))
    frames = [fr for fr in frames if not fr.empty]
    return with_formats(finish_parsed(pd.concat(frames, ignore_index=True) if frames else []), ["performances_generation.json (per problem)"])
