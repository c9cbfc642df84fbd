"""Upstream model names -> registry model ids. Deterministic only: explicit aliases, then exact matches of a
normalised name, then the upstream's own base-model field (fine-tunes). Fuzzy matching only suggests (suggest.py)."""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
import pandas as pd

from .config import Configs

_SEP = re.compile(r"[\s_]+")
MAX_LINEAGE_DEPTH = 8  # fine-tune-of-a-fine-tune chains longer than this are left unmatched


def name_key(name: str) -> str:
    """Case, separators and a leading 'org/' (or Hugging Face URL) removed: 'Qwen/Qwen2.5 72B_Instruct' -> 'qwen2.5-72b-instruct'."""
    return _SEP.sub("-", str(name).strip().casefold().rsplit("/", 1)[-1]).strip("-")


def name_keys_vec(names: pd.Series) -> pd.Series:
    """name_key of every value, computed once per distinct value (names repeat across benchmarks and snapshots)."""
    return pd.Series(per_distinct(names, name_key), index=names.index, dtype=object)


@lru_cache(maxsize=16)
def registry_keys(configs: Configs) -> dict[str, str]:
    """Normalised name -> model id, from ids, display names, HF repos, Epoch names and every alias file.
    Computed once per Configs (resolution and tagging both need it); callers must not modify the dict."""
    pairs = [(n, m.id) for m in configs.models.values() for n in (m.id, m.display_name, m.hf_repo, m.epoch_name) if n]
    pairs += [(n, t) for table in configs.aliases.values() for n, t in table.items() if t is not None]
    keys: dict[str, str] = {}
    for name, mid in pairs:  # config entries, a few thousand: a plain loop beats building a Series
        keys.setdefault(name_key(name), mid)  # the first claim of a key wins
    return keys


def row_groups(df: pd.DataFrame, cols: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Each row's group of equal values in cols (codes in order of first appearance) and each group's first row."""
    key = np.zeros(len(df), dtype=np.int64)
    for col in cols:
        codes, uniq = pd.factorize(df[col], use_na_sentinel=False)
        key, _ = pd.factorize(key * max(len(uniq), 1) + codes)  # re-coded after each column: never overflows
    return key, np.unique(key, return_index=True)[1]


def per_distinct(values: pd.Series | np.ndarray, fn) -> np.ndarray:
    """fn(v) for every value, called once per distinct value: an object array."""
    codes, uniq = pd.factorize(values, use_na_sentinel=False)
    out = np.empty(len(uniq), dtype=object)
    for i, u in enumerate(uniq.tolist()):
        out[i] = fn(u)
    return out[codes]


def per_value(values: pd.Series, mapping: dict, default: object = None) -> np.ndarray:
    """mapping[v] for every value (default when absent), looked up once per distinct value: an object array."""
    return per_distinct(values, lambda v: mapping.get(v, default))


def resolve(df: pd.DataFrame, configs: Configs) -> pd.DataFrame:
    """Add model_id and derivation ('alias' | 'name' | 'finetune' | 'ignored' | 'unmatched') to score rows.
    The work is done once per distinct (source, name, base model) and spread back to the rows."""
    cols = ["source_id", "source_model_name", "base_model_name"]
    rows, first = row_groups(df, cols)
    distinct = _resolve_distinct(df.iloc[first][cols], configs)
    out = df.copy()
    for col in ("model_id", "derivation"):
        out[col] = pd.Series(distinct[col].to_numpy()[rows], index=out.index).astype(str)
    return out


def _resolve_distinct(out: pd.DataFrame, configs: Configs) -> pd.DataFrame:
    src = out["source_id"].to_numpy(dtype=object)
    names = pd.Series(out["source_model_name"].to_numpy(dtype=object))
    bases = pd.Series(out["base_model_name"].to_numpy(dtype=object))
    model_id = np.full(len(out), "", dtype=object)
    how = np.full(len(out), "unmatched", dtype=object)
    # 1. explicit per-source aliases (null = ignore on purpose)
    src_codes, src_ids = pd.factorize(src)
    for code, source in enumerate(src_ids):
        table = configs.aliases.get(source)
        if not table:
            continue
        rows = np.flatnonzero(src_codes == code)
        rows = rows[names.iloc[rows].isin(table.keys()).to_numpy()]
        target = names.iloc[rows].map(table)
        model_id[rows] = target.fillna("").to_numpy()
        how[rows] = np.where(target.isna().to_numpy(), "ignored", "alias")
    keys = registry_keys(configs)
    # 2. exact match of the normalised name
    todo = np.flatnonzero(how == "unmatched")
    hit = name_keys_vec(names.iloc[todo]).map(keys).to_numpy()
    found = ~pd.isna(hit)
    model_id[todo[found]], how[todo[found]] = hit[found], "name"
    # 3. the upstream's base model (fine-tunes, merges, quantisations resolve to the model they derive from),
    #    followed up the chain when the base is itself a fine-tune listed with its own base in the data
    has_base = (bases != "").to_numpy()
    todo = np.flatnonzero((how == "unmatched") & has_base)
    parent = pd.Series(name_keys_vec(bases[has_base]).to_numpy(), index=name_keys_vec(names[has_base]).to_numpy())
    parent = parent[~parent.index.duplicated(keep="first") & (parent.index != parent.to_numpy())]
    cur = name_keys_vec(bases.iloc[todo])
    base = cur.map(keys)
    for _ in range(MAX_LINEAGE_DEPTH):
        step = base.isna() & cur.isin(parent.index)
        if not step.any():
            break
        cur = cur.where(~step, cur.map(parent))
        base = base.where(base.notna(), cur.map(keys))
    found = base.notna().to_numpy()
    model_id[todo[found]], how[todo[found]] = base.to_numpy()[found], "finetune"
    return pd.DataFrame({"model_id": model_id, "derivation": how}, index=out.index)


def unmatched_table(scores: pd.DataFrame) -> pd.DataFrame:
    """Upstream names that map to no model yet, with source and how often they occur."""
    um = scores.loc[scores["derivation"].eq("unmatched"), ["source_id", "source_model_name", "upstream_org"]]
    groups, first = row_groups(um, list(um.columns))
    t = um.iloc[first].reset_index(drop=True).assign(rows=np.bincount(groups, minlength=len(first)))
    return t.sort_values(["source_id", "rows", "source_model_name"], ascending=[True, False, True], kind="mergesort")


def resolved_share(scores: pd.DataFrame) -> pd.DataFrame:
    """Per source: rows, rows resolved to a registry model (ignored-on-purpose rows excluded), and the share."""
    s = scores.loc[scores["derivation"].ne("ignored"), ["source_id", "derivation"]]
    g = s.assign(resolved=s["derivation"].ne("unmatched")).groupby("source_id").agg(rows=("derivation", "size"), resolved=("resolved", "sum"))
    g.loc["(all)"] = [int(g["rows"].sum()), int(g["resolved"].sum())]
    g["share"] = (g["resolved"] / g["rows"]).fillna(0.0)
    return g.reset_index()
