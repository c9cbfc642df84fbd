"""LMArena arenas (text, vision, text-to-image, webdev, search, ...): Bradley-Terry ratings on an Elo-like scale.

Live: the Hugging Face dataset lmarena-ai/leaderboard-dataset. Its file list is the index: every config folder
(`text`, `text_style_control`, `vision`, `vision_style_control`, `webdev`, `search`, ...) is collected, from
`<config>/full-*.parquet` (every publish date the dataset holds) when present, else `<config>/latest-*.parquet`.
Only the `overall` category is kept (the other categories are sub-boards, not the arena's rating); earlier publish
dates that a fetch no longer shows stay in scores.csv (sources.yaml `history: snapshots`).
Mirror: community CSV copies (fboulnois: rank, rank_stylectrl, model, arena_score, 95_pct_ci ...), the nakasyou
history (wide: date x model, text/overall Elo, 0 = absent) and the oolong-tea JSON scrape of arena.ai.
The legacy pickles of the HF Space are never read.

Style control (setting `style_control=on|off`) comes from the data or the file's declared meaning, never from a date:
- parquet: the config name (`*_style_control` configs hold the style-controlled ratings);
- board CSV: the rank column the score follows. fboulnois writes both `rank` (plain ranking) and `rank_stylectrl`;
  the score is style-controlled only when it orders the models as `rank_stylectrl` does better than as `rank` does;
- history CSV: off (the upstream's declared content: the legacy `full` text table, style control was a separate one);
- scrape JSON: on (the upstream's declared content: arena.ai's default board view, style-controlled since 2025-05).
"""

from __future__ import annotations

import io
import re
from pathlib import PurePosixPath

import numpy as np
import pandas as pd

from ..config import Configs, Endpoint, HFFile, Source
from ..errors import FetchError, ParseError
from ..fetch import Fetcher, RawFile
from ..store import finish_parsed
from ._util import iso_date, read_csv, read_json, require_columns, to_number, with_formats

SOURCE_ID = "lmarena"
CSV_ARENAS = {"lmarena_text": "text", "lmsys": "text", "lmarena_vision": "vision", "lmarena_image": "text_to_image"}
STYLE_SUFFIX = "_style_control"
SHARD = re.compile(r"^(?P<config>[^/]+)/(?P<split>full|latest)-\d+-of-\d+\.parquet$")


def index(paths: list[str]) -> list[str]:
    """The dataset files to fetch, from its file list: each config's `full` shards, else its `latest` shards."""
    by_config: dict[str, dict[str, list[str]]] = {}
    for p in paths:
        if m := SHARD.match(p):
            by_config.setdefault(m["config"], {}).setdefault(m["split"], []).append(p)
    return sorted(p for splits in by_config.values() for p in splits.get("full") or splits["latest"])


def fetch(fetcher: Fetcher, source: Source, configs: Configs) -> list[RawFile]:
    """Mirror: the declared files. Live: the declared endpoints, then every config the HF dataset's file list shows."""
    if fetcher.mirror is not None:
        return fetcher.from_mirror(source)
    files = [fetcher.fetch_endpoint(source, ep) for ep in source.endpoints]
    if source.hf_index is not None:
        repo = source.hf_index
        commit, paths = fetcher.hf_files(source, repo)
        wanted = index(paths)
        if not wanted:
            raise FetchError(f"{source.id}: no <config>/full-*.parquet or latest-*.parquet in {repo.repo_id} at {commit}")
        for path in wanted:
            hf = HFFile(repo_id=repo.repo_id, repo_type=repo.repo_type, filename=path, revision=commit)
            files.append(fetcher.fetch_hf(source, Endpoint(name=path, hf=hf)))
    return files


def _on_off(on: bool) -> str:
    return "style_control=on" if on else "style_control=off"


def _inversions(score: np.ndarray, rank: np.ndarray) -> int:
    """Pairs a rank column orders against the score (a higher score ranked strictly worse)."""
    return int(((score[:, None] > score[None, :]) & (rank[:, None] > rank[None, :])).sum())


def follows_style_control(score: pd.Series, rank: pd.Series, rank_sc: pd.Series | None) -> bool:
    """True when the scores order the models as the style-controlled rank does, better than as the plain rank does."""
    if rank_sc is None:
        return False
    s = score.to_numpy(dtype=float)
    plain = pd.to_numeric(rank, errors="coerce").to_numpy(dtype=float)
    sc = pd.to_numeric(rank_sc, errors="coerce").to_numpy(dtype=float)
    ok = np.isfinite(s) & (s > 0)  # a blank or impossible score (refused later) says nothing about the ordering
    return _inversions(s[ok], sc[ok]) < _inversions(s[ok], plain[ok])


def _parse_parquet(f: RawFile) -> pd.DataFrame:
    config = PurePosixPath(f.name).parts[0]
    try:
        df = pd.read_parquet(io.BytesIO(f.data), filters=[("category", "==", "overall")])
    except Exception as exc:  # pyarrow raises several types for a broken file (or one without 'category')
        raise ParseError(SOURCE_ID, f.name, f"not a readable parquet file with a 'category' column ({type(exc).__name__})") from None
    require_columns(SOURCE_ID, f, df, ["model_name", "rating", "category", "leaderboard_publish_date"])
    df = df.reset_index(drop=True)
    score = pd.to_numeric(df["rating"], errors="coerce")
    if score.isna().any():
        raise ParseError(SOURCE_ID, f.name, "rating: expected a number", row=int(score.isna().idxmax()) + 1)
    as_of = df["leaderboard_publish_date"].map(iso_date)
    if as_of.eq("").any():
        bad = int(as_of.eq("").idxmax())
        raise ParseError(SOURCE_ID, f.name, f"leaderboard_publish_date: expected a date, got {df['leaderboard_publish_date'][bad]!r}",
                         row=bad + 1)
    return pd.DataFrame({
        "source_model_name": df["model_name"].astype(str),
        "benchmark_key": config.removesuffix(STYLE_SUFFIX),
        "setting": "category=overall;" + _on_off(config.endswith(STYLE_SUFFIX)),
        "score": score,
        "ci_lower": pd.to_numeric(df["rating_lower"], errors="coerce") if "rating_lower" in df else float("nan"),
        "ci_upper": pd.to_numeric(df["rating_upper"], errors="coerce") if "rating_upper" in df else float("nan"),
        "as_of": as_of,
        "source_url": f.url,
        "upstream_org": df["organization"].astype(str) if "organization" in df else "",
    })


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
    on = follows_style_control(score, df["rank"], df.get("rank_stylectrl")) if "rank" in df else False
    return pd.DataFrame({
        "source_model_name": df["model"],
        "benchmark_key": arena,
        "setting": f"category=overall;{_on_off(on)}",
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
        "setting": "category=overall;style_control=off",
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
            "setting": "category=overall;style_control=on",
            "score": float(score), "ci_lower": float(score) - ci, "ci_upper": float(score) + ci,
            "as_of": as_of, "source_url": f.url, "upstream_org": str(m.get("vendor") or ""),
        })
    return pd.DataFrame(rows)


FORMATS = {"parquet_full": "HF dataset parquet, full history", "parquet_latest": "HF dataset parquet, latest only",
           "board_csv": "board CSV (fboulnois)", "history_csv": "history CSV (nakasyou)", "scrape_json": "arena.ai scrape JSON"}


def parse(files: list[RawFile]) -> pd.DataFrame:
    frames, seen = [], set()
    for f in files:
        path = PurePosixPath(f.name)
        if path.suffix == ".parquet":
            frames.append(_parse_parquet(f))
            seen.add("parquet_full" if path.name.startswith("full-") else "parquet_latest")
        elif path.name.startswith("_"):
            continue  # index files of the JSON scrape carry no scores
        elif path.suffix == ".json":
            frames.append(_parse_scrape_json(f))
            seen.add("scrape_json")
        elif path.stem in CSV_ARENAS:
            frames.append(_parse_board_csv(f, CSV_ARENAS[path.stem]))
            seen.add("board_csv")
        elif path.suffix == ".csv" and re.search(r"history|result", f.name):
            frames.append(_parse_history(f))
            seen.add("history_csv")
        else:
            raise ParseError(SOURCE_ID, f.name, "unknown file: expected an arena parquet, board CSV, history CSV or scrape JSON")
    frames = [fr for fr in frames if not fr.empty]
    out = finish_parsed(pd.concat(frames, ignore_index=True) if frames else [])
    return with_formats(out, [FORMATS[k] for k in sorted(seen)])
