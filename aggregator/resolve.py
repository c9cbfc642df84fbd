"""Upstream model names -> registry model ids. Deterministic only: explicit aliases, then exact matches of a
normalised name, then the upstream's own base-model field (fine-tunes). Fuzzy matching only suggests (suggest.py)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .config import Configs

_SEP = re.compile(r"[\s_]+")
MAX_LINEAGE_DEPTH = 8  # fine-tune-of-a-fine-tune chains longer than this are left unmatched


def name_key(name: str) -> str:
    """Case, separators and a leading 'org/' removed: 'Qwen/Qwen2.5 72B_Instruct' -> 'qwen2.5-72b-instruct'."""
    s = str(name).strip().casefold()
    s = re.sub(r"^https?://huggingface\.co/", "", s)
    s = s.rsplit("/", 1)[-1]
    return _SEP.sub("-", s).strip("-")


def name_keys_vec(names: pd.Series) -> pd.Series:
    """name_key of every value, computed once per distinct value (names repeat across benchmarks and snapshots)."""
    codes, uniq = pd.factorize(names.astype(str))
    keys = np.array([name_key(n) for n in uniq], dtype=object)
    return pd.Series(keys[codes] if len(codes) else [], index=names.index, dtype=object)


def registry_keys(configs: Configs) -> dict[str, str]:
    """Normalised name -> model id, from ids, display names, HF repos, Epoch names and every alias file."""
    pairs = [(n, m.id) for m in configs.models.values() for n in (m.id, m.display_name, m.hf_repo, m.epoch_name) if n]
    pairs += [(n, t) for table in configs.aliases.values() for n, t in table.items() if t is not None]
    if not pairs:
        return {}
    names, ids = zip(*pairs, strict=True)
    keys = pd.Series(ids, index=name_keys_vec(pd.Series(names)).to_numpy())
    return keys[~keys.index.duplicated(keep="first")].to_dict()  # the first claim of a key wins


def resolve(df: pd.DataFrame, configs: Configs) -> pd.DataFrame:
    """Add model_id and derivation ('alias' | 'name' | 'finetune' | 'ignored' | 'unmatched') to score rows.
    The work is done once per distinct (source, name, base model) and spread back to the rows."""
    key = np.zeros(len(df), dtype=np.int64)
    for col in ("source_id", "source_model_name", "base_model_name"):
        codes, uniq = pd.factorize(df[col], use_na_sentinel=False)
        key = key * max(len(uniq), 1) + codes
    rows, _ = pd.factorize(key)  # codes in order of first appearance, like the distinct rows below
    first = ~pd.Series(key).duplicated().to_numpy()
    distinct = _resolve_distinct(df.loc[first, ["source_id", "source_model_name", "base_model_name"]], configs)
    out = df.copy()
    for col in ("model_id", "derivation"):
        out[col] = pd.Series(distinct[col].to_numpy()[rows], index=out.index).astype(str)
    return out


def _resolve_distinct(out: pd.DataFrame, configs: Configs) -> pd.DataFrame:
    model_id = pd.Series("", index=out.index, dtype=object)
    how = pd.Series("unmatched", index=out.index, dtype=object)
    # 1. explicit per-source aliases (null = ignore on purpose)
    for source, table in configs.aliases.items():
        sel = out["source_id"].eq(source) & out["source_model_name"].isin(table.keys())
        if sel.any():
            target = out.loc[sel, "source_model_name"].map(table)
            ignored = target.isna()
            model_id[sel] = target.fillna("")
            how[sel] = ignored.map({True: "ignored", False: "alias"})
    keys = registry_keys(configs)
    # 2. exact match of the normalised name
    todo = how.eq("unmatched")
    hit = name_keys_vec(out.loc[todo, "source_model_name"]).map(keys)
    found = hit.notna()
    model_id[hit[found].index] = hit[found]
    how[hit[found].index] = "name"
    # 3. the upstream's base model (fine-tunes, merges, quantisations resolve to the model they derive from),
    #    followed up the chain when the base is itself a fine-tune listed with its own base in the data
    todo = how.eq("unmatched") & out["base_model_name"].ne("")
    has_base = out["base_model_name"].ne("")
    parent = pd.Series(name_keys_vec(out.loc[has_base, "base_model_name"]).values,
                       index=name_keys_vec(out.loc[has_base, "source_model_name"]).values)
    parent = parent[~parent.index.duplicated(keep="first") & (parent.index != parent.values)]
    cur = name_keys_vec(out.loc[todo, "base_model_name"])
    base = cur.map(keys)
    for _ in range(MAX_LINEAGE_DEPTH):
        step = base.isna() & cur.isin(parent.index)
        if not step.any():
            break
        cur = cur.where(~step, cur.map(parent))
        base = base.where(base.notna(), cur.map(keys))
    found = base.notna()
    model_id[base[found].index] = base[found]
    how[base[found].index] = "finetune"
    return pd.DataFrame({"model_id": model_id, "derivation": how})


def unmatched_table(scores: pd.DataFrame) -> pd.DataFrame:
    """Upstream names that map to no model yet, with source and how often they occur."""
    um = scores[scores["derivation"].eq("unmatched")]
    t = (um.groupby(["source_id", "source_model_name", "upstream_org"], as_index=False)
         .size().rename(columns={"size": "rows"}))
    return t.sort_values(["source_id", "rows", "source_model_name"], ascending=[True, False, True], kind="mergesort")


def resolved_share(scores: pd.DataFrame) -> pd.DataFrame:
    """Per source: rows, rows resolved to a registry model (ignored-on-purpose rows excluded), and the share."""
    s = scores[scores["derivation"].ne("ignored")]
    g = s.groupby("source_id").agg(rows=("derivation", "size"), resolved=("derivation", lambda d: int(d.ne("unmatched").sum())))
    g.loc["(all)"] = [int(g["rows"].sum()), int(g["resolved"].sum())]
    g["share"] = (g["resolved"] / g["rows"]).fillna(0.0)
    return g.reset_index()
