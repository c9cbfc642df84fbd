"""Alias suggestions for upstream model names that resolve to no registry model. Suggestions only: a person
confirms one by adding `name: model-id` to configs/aliases/<source>.yaml. Names are first normalised
deterministically (case, vendor prefixes, date / effort / thinking suffixes), then scored with rapidfuzz."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from .config import Configs

SUGGEST_COLUMNS = ["source_id", "source_model_name", "rows", "rank", "candidate", "candidate_name", "score",
                   "normalised", "candidate_normalised"]
MIN_SCORE = 60  # rapidfuzz ratio (0-100) below which a candidate is not worth showing
CHUNK = 2000  # query names scored per cdist call: bounds memory to CHUNK x keys bytes

_VENDORS = ("anthropic", "openai", "meta", "mistral", "mistralai", "cohere", "amazon", "ai21", "google", "deepseek",
            "x-ai", "xai", "qwen", "alibaba", "moonshotai", "zhipuai", "zai", "minimax", "baidu", "tencent", "bytedance")
_VENDOR_PREFIX = re.compile(rf"^(?:(?:us|eu|apac|global)\.)?(?:{'|'.join(map(re.escape, _VENDORS))})[.:]")
_EFFORT = r"x?high|low|medium|minimal|max|thinking|think|nothink|no-think|non-thinking|reasoning|non-reasoning|fc|prompt"
_SUFFIXES = [
    re.compile(r"\s*\([^()]*\)$"),  # '(FC)', '(thinking)', '(2024-05-13)'
    re.compile(r"-v\d+:\d+$"),  # Bedrock '-v1:0'
    re.compile(r":[a-z0-9]+$"),  # ':free', ':beta'
    re.compile(r"[-_@](?:20\d{2}-?\d{2}-?\d{2}|\d{2}-20\d{2}|\d{2}-\d{2}|\d{4})$"),
    # '-20250805', '-2024-08-06', '-08-2024', '-05-06', '-0528', '-2507'
    re.compile(rf"-(?:{_EFFORT})$"),  # '-high', '-thinking'
    re.compile(r"-(?:latest|\d+k-thinking|thinking-\d+k)$"),
]


def normalise_name(name: str) -> str:
    """Deterministic form for matching: 'openai/GPT-4o-2024-08-06 (FC)' -> 'gpt-4o'; 'claude-3-5-sonnet' -> 'claude-3.5-sonnet'."""
    s = str(name).strip().casefold()
    s = re.sub(r"^https?://huggingface\.co/", "", s).rsplit("/", 1)[-1]
    s = _VENDOR_PREFIX.sub("", s)
    s = re.sub(r"[\s_]+", "-", s)
    while True:
        before = s
        for pat in _SUFFIXES:
            s = pat.sub("", s).strip("-. ")
        if s == before:
            break
    s = re.sub(r"(?<=\b\d)-(?=\d(?:-|$))", ".", s)  # version written with a dash: 3-5 -> 3.5
    return s or str(name).strip().casefold()


def _block(s: pd.Series) -> pd.Series:
    """First run of letters ('qwen2.5-72b' -> 'qwen'): names are scored only against keys of the same block."""
    return s.str.extract(r"^([a-z]+)", expand=False).fillna("")


def candidate_keys(configs: Configs) -> pd.DataFrame:
    """Normalised forms of every registry id, display name, HF repo, Epoch name and confirmed alias -> model id."""
    rows = [(m.id, n) for m in configs.models.values() for n in (m.id, m.display_name, m.hf_repo, m.epoch_name) if n]
    rows += [(t, n) for table in configs.aliases.values() for n, t in table.items() if t is not None]
    keys = pd.DataFrame(rows, columns=["candidate", "name"])
    keys["key"] = keys["name"].map(normalise_name)
    return keys.drop_duplicates(["candidate", "key"]).drop(columns="name").reset_index(drop=True)


def _top(queries: list[str], keys: pd.DataFrame, limit: int) -> pd.DataFrame:
    """Each query's best `limit` models (normalised, candidate, candidate_normalised, score), scored in chunks."""
    choices = keys["key"].to_numpy(dtype=object)
    ids = keys["candidate"].to_numpy(dtype=object)
    width = min(len(choices), limit * 4)  # a model has several keys: keep spare columns before de-duplicating
    parts = []
    for start in range(0, len(queries) if width else 0, CHUNK):
        block = queries[start:start + CHUNK]
        m = process.cdist(block, choices, scorer=fuzz.ratio, dtype=np.uint8, score_cutoff=MIN_SCORE, workers=-1)
        cols = np.argpartition(m, m.shape[1] - width, axis=1)[:, -width:] if width < m.shape[1] else np.tile(np.arange(width), (len(block), 1))
        scores = np.take_along_axis(m, cols, axis=1)
        rows = np.repeat(np.arange(len(block)), width)
        parts.append(pd.DataFrame({"normalised": np.asarray(block, dtype=object)[rows], "candidate": ids[cols.ravel()],
                                   "candidate_normalised": choices[cols.ravel()], "score": scores.ravel().astype(float)}))
    if not parts:
        return pd.DataFrame(columns=["normalised", "candidate", "candidate_normalised", "score"])
    df = pd.concat(parts, ignore_index=True)
    df = df[df["score"] > 0].sort_values(["normalised", "score", "candidate_normalised"], ascending=[True, False, True], kind="mergesort")
    return df.drop_duplicates(["normalised", "candidate"]).groupby("normalised", sort=False).head(limit)


def suggest_aliases(unmatched: pd.DataFrame, configs: Configs, limit: int = 3) -> pd.DataFrame:
    """Up to `limit` candidate model ids per unmatched (source_id, source_model_name), best first; a name with no
    candidate scoring >= MIN_SCORE gets one row with an empty candidate (it probably needs a new registry entry)."""
    missing = {"source_id", "source_model_name"} - set(unmatched.columns)
    if missing:
        raise ValueError(f"unmatched table lacks column(s) {', '.join(sorted(missing))}")
    um = unmatched.copy()
    if "rows" not in um.columns:
        um["rows"] = 1
    um = um.groupby(["source_id", "source_model_name"], as_index=False)["rows"].sum()
    um["normalised"] = um["source_model_name"].map(normalise_name)
    keys = candidate_keys(configs)
    keys["block"] = _block(keys["key"])
    names = pd.DataFrame({"normalised": um["normalised"].unique()})
    names["block"] = _block(names["normalised"])
    found = []
    for block, grp in names.groupby("block", sort=True):
        pool = keys[keys["block"].eq(block)] if block else keys
        found.append(_top(grp["normalised"].tolist(), pool if len(pool) else keys, limit))
    hits = pd.concat(found, ignore_index=True) if found else _top([], keys, limit)
    hits["rank"] = hits.groupby("normalised").cumcount() + 1
    out = um.merge(hits, on="normalised", how="left")
    out["rank"] = out["rank"].fillna(0).astype(int)
    out[["candidate", "candidate_normalised"]] = out[["candidate", "candidate_normalised"]].fillna("")
    display = {m.id: m.display_name for m in configs.models.values()}
    out["candidate_name"] = out["candidate"].map(display).fillna("")
    out = out.sort_values(["rows", "source_id", "source_model_name", "rank"], ascending=[False, True, True, True], kind="mergesort")
    return out[SUGGEST_COLUMNS].reset_index(drop=True)
