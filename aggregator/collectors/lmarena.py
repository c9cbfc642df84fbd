"""LMArena arenas (text, vision, text-to-image, ...): Bradley-Terry ratings on an Elo-like scale.

Live: the Hugging Face dataset lmarena-ai/leaderboard-dataset, one parquet per arena config
(`<config>/latest-00000-of-00001.parquet`; `text_style_control` is the text arena with style control).
Mirror: community CSV copies (fboulnois: rank, model, arena_score, 95_pct_ci ...), the nakasyou history
(wide: date x model, text/overall Elo, 0 = absent) and the oolong-tea JSON scrape of arena.ai.
The legacy pickles of the HF Space are never read.
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
from ._util import iso_date, read_csv, read_json, require_columns, to_number

SOURCE_ID = "lmarena"
# Style control became the board's default in May 2025; the scrapes of the default view carry it from then on.
STYLE_CONTROL_DEFAULT_SINCE = "2025-05-01"
CSV_ARENAS = {"lmarena_text": "text", "lmsys": "text", "lmarena_vision": "vision", "lmarena_image": "text_to_image"}


def fetch(fetcher: Fetcher, source: Source, configs: Configs) -> list[RawFile]:
    return fetcher.fetch_declared(source)


def _style(as_of: str) -> str:
    return "style_control=on" if as_of >= STYLE_CONTROL_DEFAULT_SINCE else "style_control=off"


def _parse_parquet(f: RawFile) -> pd.DataFrame:
    try:
        df = pd.read_parquet(io.BytesIO(f.data))
    except Exception as exc:  # pyarrow raises several types for a broken file
        raise ParseError(SOURCE_ID, f.name, f"not a readable parquet file ({type(exc).__name__})") from None
    require_columns(SOURCE_ID, f, df, ["model_name", "rating", "category", "leaderboard_publish_date"])
    config = PurePosixPath(f.name).parts[0]
    style = config.endswith("_style_control")
    arena = config.removesuffix("_style_control")
    df = df.reset_index(drop=True)
    score = pd.to_numeric(df["rating"], errors="coerce")
    if score.isna().any():
        raise ParseError(SOURCE_ID, f.name, "rating: expected a number", row=int(score.isna().idxmax()) + 1)
    out = pd.DataFrame({
        "source_model_name": df["model_name"].astype(str),
        "benchmark_key": arena,
        "setting": "category=" + df["category"].astype(str) + (";style_control=on" if style else ";style_control=off"),
        "score": score,
        "ci_lower": pd.to_numeric(df.get("rating_lower"), errors="coerce") if "rating_lower" in df else float("nan"),
        "ci_upper": pd.to_numeric(df.get("rating_upper"), errors="coerce") if "rating_upper" in df else float("nan"),
        "as_of": df["leaderboard_publish_date"].map(iso_date),
        "source_url": f.url,
        "upstream_org": df["organization"].astype(str) if "organization" in df else "",
    })
    return out


def _parse_board_csv(f: RawFile, arena: str) -> pd.DataFrame:
    df = read_csv(SOURCE_ID, f)
    require_columns(SOURCE_ID, f, df, ["model", "arena_score", "95_pct_ci"])
    score = to_number(SOURCE_ID, f, df["arena_score"], "arena_score")
    if df["model"].str.strip().eq("").any():
        raise ParseError(SOURCE_ID, f.name, "model: empty name", row=int(df["model"].str.strip().eq("").idxmax()) + 2)
    ci = df["95_pct_ci"].astype(str).str.extract(r"^\s*\+\s*([\d.]+)\s*/\s*-\s*([\d.]+)\s*$")
    plus = pd.to_numeric(ci[0], errors="coerce")
    minus = pd.to_numeric(ci[1], errors="coerce")
    as_of = f.published or f.retrieved_at
    return pd.DataFrame({
        "source_model_name": df["model"],
        "benchmark_key": arena,
        "setting": f"category=overall;{_style(as_of)}",
        "score": score,  # blank (not rated): NaN, the previous value is kept (collect.py)
        "ci_lower": score - minus,
        "ci_upper": score + plus,
        "as_of": as_of,
        "source_url": f.url,
        "upstream_org": df["organization"] if "organization" in df else "",
    })


def _parse_history(f: RawFile) -> pd.DataFrame:
    df = read_csv(SOURCE_ID, f)
    if df.empty or df.shape[1] < 2:
        raise ParseError(SOURCE_ID, f.name, "expected a date column followed by one column per model")
    date_col = df.columns[0]
    if any(not str(c).strip() or str(c).startswith("Unnamed: ") for c in df.columns[1:]):
        raise ParseError(SOURCE_ID, f.name, "a model column has no name in the header", row=1)
    dates = df[date_col].astype(str).str.strip()
    if not dates.str.fullmatch(r"\d{8}").all():
        bad = int((~dates.str.fullmatch(r"\d{8}")).idxmax())
        raise ParseError(SOURCE_ID, f.name, f"first column: expected YYYYMMDD, got {dates[bad]!r}", row=bad + 2)
    long = df.melt(id_vars=[date_col], var_name="model", value_name="raw")
    long["score"] = to_number(SOURCE_ID, f, long["raw"], "rating")
    long = long[long["score"] > 0]  # 0.0 means "not on the board that day"
    as_of = long[date_col].str.replace(r"^(\d{4})(\d{2})(\d{2})$", r"\1-\2-\3", regex=True)
    return pd.DataFrame({
        "source_model_name": long["model"],
        "benchmark_key": "text",
        "setting": "category=overall;" + as_of.map(_style),
        "score": long["score"],
        "as_of": as_of,
        "source_url": f.url,
    })


def _parse_scrape_json(f: RawFile) -> pd.DataFrame:
    doc = read_json(SOURCE_ID, f)
    if not isinstance(doc, dict) or not isinstance(doc.get("models"), list) or not isinstance(doc.get("meta"), dict):
        raise ParseError(SOURCE_ID, f.name, "expected {meta: {...}, models: [...]}")
    board = str(doc["meta"].get("leaderboard") or PurePosixPath(f.name).stem)
    as_of = iso_date(doc["meta"].get("last_updated") or doc["meta"].get("fetched_at")) or (f.published or f.retrieved_at)
    rows = []
    for i, m in enumerate(doc["models"]):
        if not isinstance(m, dict) or "model" not in m or "score" not in m:
            raise ParseError(SOURCE_ID, f.name, "expected an object with 'model' and 'score'", row=i + 1)
        score, ci = m.get("score"), m.get("ci")
        if not isinstance(score, int | float) or isinstance(score, bool):
            raise ParseError(SOURCE_ID, f.name, f"score: expected a number, got {score!r}", row=i + 1)
        ci = float(ci) if isinstance(ci, int | float) and not isinstance(ci, bool) else float("nan")
        rows.append({
            "source_model_name": str(m["model"]),
            "benchmark_key": board.replace("-", "_"),
            "setting": f"category=overall;{_style(as_of)}",
            "score": float(score), "ci_lower": float(score) - ci, "ci_upper": float(score) + ci,
            "as_of": as_of, "source_url": f.url, "upstream_org": str(m.get("vendor") or ""),
        })
    return pd.DataFrame(rows)


def parse(files: list[RawFile]) -> pd.DataFrame:
    frames = []
    for f in files:
        path = PurePosixPath(f.name)
        if path.suffix == ".parquet":
            frames.append(_parse_parquet(f))
        elif path.name.startswith("_"):
            continue  # index files of the JSON scrape carry no scores
        elif path.suffix == ".json":
            frames.append(_parse_scrape_json(f))
        elif path.stem in CSV_ARENAS:
            frames.append(_parse_board_csv(f, CSV_ARENAS[path.stem]))
        elif path.suffix == ".csv" and re.search(r"history|result", f.name):
            frames.append(_parse_history(f))
        else:
            raise ParseError(SOURCE_ID, f.name, "unknown file: expected an arena parquet, board CSV, history CSV or scrape JSON")
    frames = [fr for fr in frames if not fr.empty]
    return finish_parsed(pd.concat(frames, ignore_index=True) if frames else [])
