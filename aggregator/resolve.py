"""Upstream model names -> registry model ids. Deterministic only: explicit aliases of the source, then exact matches
of a normalised name (an owner other than the model's own organisation never matches), then the upstream's own
base-model field (fine-tunes). Fuzzy matching only suggests (suggest.py)."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

import numpy as np
import pandas as pd

from .config import Configs

_SEP = re.compile(r"[\s_]+")
_HF_URL = re.compile(r"^https?://(?:www\.)?huggingface\.co/")
MAX_LINEAGE_DEPTH = 8  # fine-tune-of-a-fine-tune chains longer than this are left unmatched


def name_key(name: str) -> str:
    """Case and separators normalised, a Hugging Face URL prefix removed; an owner ('org/') is kept:
    'Qwen/Qwen2.5 72B_Instruct' -> 'qwen/qwen2.5-72b-instruct', 'ViT-Huge/14' -> 'vit-huge/14'."""
    s = _SEP.sub("-", _HF_URL.sub("", str(name).strip().casefold()))
    return re.sub(r"-*/-*", "/", s).strip("-")


def name_keys_vec(names: pd.Series) -> pd.Series:
    """name_key of every value, computed once per distinct value (names repeat across benchmarks and snapshots)."""
    return pd.Series(per_distinct(names, name_key), index=names.index, dtype=object)


def lab_name(developer: str) -> str:
    """The lab a developer string names: 'Alibaba (Qwen team)' -> 'Alibaba'; the first of co-developers."""
    return re.sub(r"\s*\(.*$", "", str(developer or "").split(";")[0]).strip()


def model_name_keys(m) -> list[str]:
    """A registry model's own names, normalised: id, display name, Epoch name, HF repo, and the repo's name alone."""
    keys = [name_key(n) for n in (m.id, m.display_name, m.epoch_name, m.hf_repo) if n]
    return keys + ([name_key(m.hf_repo).rpartition("/")[2]] if m.hf_repo else [])


@lru_cache(maxsize=16)
def registry_keys(configs: Configs) -> dict[str, str]:
    """Normalised name -> model id, from the registry's own names only (alias files are per source: `name_matcher`).
    Computed once per Configs (resolution and tagging both need it); callers must not modify the dict."""
    keys: dict[str, str] = {}
    for m in configs.models.values():  # config entries, a few thousand: a plain loop beats building a Series
        for k in model_name_keys(m):
            keys.setdefault(k, m.id)  # the first claim of a key wins
    return keys


@lru_cache(maxsize=16)
def model_owners(configs: Configs) -> dict[str, frozenset[str]]:
    """Model id -> the organisations that publish it, normalised: the Hugging Face owners of its lab's repos and the
    lab's name ('Moonshot AI' -> moonshotai, moonshot), without separators. An 'owner/name' matches by name only for these."""
    hf: dict[str, set[str]] = {}
    for m in configs.models.values():
        if m.hf_repo and "/" in m.hf_repo:
            hf.setdefault(lab_name(m.developer), set()).add(name_key(m.hf_repo).rpartition("/")[0])
    out = {}
    for m in configs.models.values():
        lab = name_key(lab_name(m.developer).replace(" ", "-"))
        names = {lab, lab.split("-")[0]} | hf.get(lab_name(m.developer), set())
        out[m.id] = frozenset(_compact(n) for n in names) - {""}
    return out


def _compact(owner: str) -> str:
    """An owner without separators: 'x-ai', 'xai' and 'x_ai' are one organisation."""
    return re.sub(r"[-.]", "", owner)


@lru_cache(maxsize=64)
def name_matcher(configs: Configs, source_id: str) -> Callable[[str], str | None]:
    """Upstream name (or its name_key) of one source -> model id or None: the source's own aliases, normalised, then
    the registry's names; then with the routing prefixes the source declares cut ('openrouter/', 'ollama/'); then, for
    'owner/name', the name alone only when the owner is one of that model's own organisations (a re-upload or a
    fine-tune under another owner never resolves to the vendor's model by name)."""
    keys, owners = registry_keys(configs), model_owners(configs)
    aliases = {name_key(n): t for n, t in configs.aliases.get(source_id, {}).items() if t is not None}
    src = configs.sources.get(source_id)
    prefixes = tuple(name_key(p) for p in src.name_prefixes) if src else ()

    def lookup(k: str) -> str | None:
        return aliases.get(k) or keys.get(k)

    def match(name: str) -> str | None:
        k = name_key(name)
        if (hit := lookup(k)) is not None:
            return hit
        while prefixes and (cut := next((p for p in prefixes if k.startswith(p)), None)):
            k = k[len(cut):]
        if (hit := lookup(k)) is not None:
            return hit
        owner, _, rest = k.rpartition("/")
        hit = lookup(rest) if owner else None
        return hit if hit is not None and _compact(owner) in owners.get(hit, ()) else None

    return match


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


def _match_per_source(src: np.ndarray, names: pd.Series, configs: Configs) -> np.ndarray:
    """name_matcher of each row's source over the names (once per distinct name of a source): ids or None."""
    out = np.full(len(names), None, dtype=object)
    codes, ids = pd.factorize(src)
    for code, source in enumerate(ids):
        rows = np.flatnonzero(codes == code)
        out[rows] = per_distinct(names.iloc[rows], name_matcher(configs, source))
    return out


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
    # 2. the normalised name, per source (its aliases, its routing prefixes; the owner rule)
    todo = np.flatnonzero(how == "unmatched")
    hit = _match_per_source(src[todo], names.iloc[todo], configs)
    found = ~pd.isna(hit)
    model_id[todo[found]], how[todo[found]] = hit[found], "name"
    # 3. the upstream's base model (fine-tunes, merges, quantisations resolve to the model they derive from),
    #    followed up the chain when the base is itself a fine-tune listed with its own base in the data
    has_base = (bases != "").to_numpy()
    todo = np.flatnonzero((how == "unmatched") & has_base)
    parent = pd.Series(name_keys_vec(bases[has_base]).to_numpy(), index=name_keys_vec(names[has_base]).to_numpy())
    parent = parent[~parent.index.duplicated(keep="first") & (parent.index != parent.to_numpy())]
    cur = name_keys_vec(bases.iloc[todo])

    def match(keys: pd.Series) -> pd.Series:
        return pd.Series(_match_per_source(src[todo], keys, configs), index=keys.index, dtype=object)

    base = match(cur)
    for _ in range(MAX_LINEAGE_DEPTH):
        step = base.isna() & cur.isin(parent.index)
        if not step.any():
            break
        cur = cur.where(~step, cur.map(parent))
        base = base.where(base.notna(), match(cur))
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
