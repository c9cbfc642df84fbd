"""Artificial Analysis: independent evaluations of LLMs (free Data API, attribution to artificialanalysis.ai required).

Live only, the key in the `x-api-key` header (env ARTIFICIAL_ANALYSIS_API_KEY; the key goes in a header only, never
in a URL, a message or the cache metadata). Two response shapes are read:
- the free route `GET /api/v2/language/models/free` (documented since 2026-08): paginated, `{data: [...],
  pagination: {has_more, next_cursor? | page?}, intelligence_index_version}`, 200 models a page. Pages are followed
  (`next` URL, else `cursor=<next_cursor>`, else `page=<n + 1>`) up to MAX_PAGES: the free tier allows 100
  requests a day. The root `intelligence_index_version` applies to the intelligence index of every model;
- the older `GET /api/v2/data/llms/models`: `{status, data: [...]}` in one response, the version inside
  `evaluations` (`artificial_analysis_intelligence_index_version`).
Models: `{id, name, slug, model_creator: {name}, release_date?, evaluations: {...}, ...}`. `evaluations` holds the
AA indices on 0-100 (`artificial_analysis_*_index`) and benchmark scores as 0-1 fractions (`gpqa`, `hle`, `mmlu_pro`,
`livecodebench`, `scicode`, `math_500`, `aime`, `aime_25`, `ifbench`, `lcr`, `terminalbench_hard`, `tau2`, ...); the
field name is the benchmark key. AA lists each reasoning-effort variant as its own model ('GPT-5 (high)',
'Claude 4 Sonnet (Thinking)'): one row per variant, the variant in the setting (`effort=high`, `mode=reasoning` /
`mode=non-reasoning`). The model name is the slug (stable, resolvable), else the name.
The API carries no publication date: as_of is the retrieval date. The live view is latest-only: a model AA stops
listing keeps its last rows (sources.yaml `history: models`).
"""

from __future__ import annotations

import os
import re
from typing import Any
from urllib.parse import quote, urljoin

import pandas as pd

from ..config import Configs, Source
from ..errors import FetchError, ParseError
from ..fetch import Fetcher, RawFile
from ..store import finish_parsed
from ._util import as_float, day_date, iso_date, read_json, setting_value, with_formats

SOURCE_ID = "artificial_analysis"
MAX_PAGES = 20
INDEX = "artificial_analysis_intelligence_index"
EFFORTS = {"minimal", "low", "medium", "high", "xhigh", "max"}
REASONING = {"reasoning": "reasoning", "thinking": "reasoning", "non-reasoning": "non-reasoning",
             "non-thinking": "non-reasoning"}


def fetch(fetcher: Fetcher, source: Source, configs: Configs) -> list[RawFile]:
    if fetcher.mirror is not None:
        raise FetchError(f"{SOURCE_ID}: live API only, no mirror exists")
    key = os.environ.get(source.api_key_env or "")
    if not key:
        raise FetchError(f"{SOURCE_ID}: set {source.api_key_env} to collect it")
    files = []
    for ep in source.endpoints:
        assert ep.url is not None  # why: AA endpoints are plain URLs
        url, page = ep.url, 1
        while True:
            name = ep.name if page == 1 else f"{ep.name.removesuffix('.json')}.page{page}.json"
            f = fetcher.fetch_url(source, name, url, headers={"x-api-key": key})
            files.append(f)
            url = next_page(ep.url, read_json(SOURCE_ID, f), page)
            if url is None:
                break
            page += 1
            if page > MAX_PAGES:
                raise FetchError(f"{SOURCE_ID}: {ep.name}: more than {MAX_PAGES} pages (the free tier allows 100 requests a day)")
    return files


def next_page(base: str, doc: Any, page: int) -> str | None:
    """The URL of the page after `page`, or None when the response says there is none."""
    pag = doc.get("pagination") if isinstance(doc, dict) else None
    if not isinstance(pag, dict) or not pag.get("has_more"):
        return None
    sep = "&" if "?" in base else "?"
    if isinstance(pag.get("next"), str) and pag["next"]:
        return urljoin(base, pag["next"])
    if pag.get("next_cursor"):
        return f"{base}{sep}cursor={quote(str(pag['next_cursor']))}"
    return f"{base}{sep}page={int(pag.get('page') or page) + 1}"


def variant_setting(name: str) -> str:
    """'o3-mini (high)' -> 'effort=high'; '(Thinking)' -> 'mode=reasoning'; other suffixes ('Jan '25') -> ''."""
    m = re.search(r"\(([^()]*)\)\s*$", name)
    tag = m.group(1).strip().casefold() if m else ""
    if tag in EFFORTS:
        return f"effort={tag}"
    if tag in REASONING:
        return f"mode={REASONING[tag]}"
    return ""


def _join(*pairs: str) -> str:
    return ";".join(p for p in pairs if p)


def _model_rows(f: RawFile, i: int, m: Any, as_of: str, root_version: str) -> list[dict[str, Any]]:
    if not isinstance(m, dict):
        raise ParseError(SOURCE_ID, f.name, "expected an object per model", row=i + 1)
    name = m.get("slug") or m.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ParseError(SOURCE_ID, f.name, "slug/name: expected the model's name", row=i + 1)
    evals = m.get("evaluations") or {}
    if not isinstance(evals, dict):
        raise ParseError(SOURCE_ID, f.name, "evaluations: expected an object", row=i + 1)
    creator = m.get("model_creator")
    org = str(creator.get("name") or "") if isinstance(creator, dict) else ""
    variant = variant_setting(str(m.get("name") or ""))
    versions = {k.removesuffix("_version"): setting_value(v) for k, v in evals.items() if k.endswith("_version") and v is not None}
    if root_version:
        versions.setdefault(INDEX, root_version)
    rows = []
    for key, value in evals.items():
        if not re.fullmatch(r"[a-z][a-z0-9_]{2,}", key):  # AA's names: gpqa, hle, lcr, tau2, mmlu_pro, ...
            raise ParseError(SOURCE_ID, f.name, f"evaluations: unexpected field name {key!r} (expected snake_case)", row=i + 1)
        if key.endswith("_version"):
            continue
        score = as_float(SOURCE_ID, f, value, f"evaluations.{key}", row=i + 1)
        if pd.isna(score):
            continue
        rows.append({
            "source_model_name": name.strip(),
            "benchmark_key": key,
            "setting": _join(variant, f"index_version={versions[key]}" if key in versions else ""),
            "score": score,
            "as_of": as_of,
            "source_url": f.url,
            "upstream_org": org,
            "model_release_date": day_date(m.get("release_date")),
        })
    return rows


def parse(files: list[RawFile]) -> pd.DataFrame:
    rows: list[dict[str, Any]] = []
    formats = set()
    as_of = max((iso_date(f.published) or f.retrieved_at for f in files), default="")  # one retrieval, all pages
    for f in files:
        doc = read_json(SOURCE_ID, f)
        if not isinstance(doc, dict) or not isinstance(doc.get("data"), list):
            raise ParseError(SOURCE_ID, f.name, "expected {data: [...]} (/language/models/free or /data/llms/models)")
        paged = "pagination" in doc or "intelligence_index_version" in doc
        formats.add("/language/models/free: paginated, index version at the root" if paged
                    else "/data/llms/models: one response, index version per model")
        root = doc.get("intelligence_index_version")
        for i, m in enumerate(doc["data"]):
            if m is not None:  # the feed lists a withdrawn model as null
                rows += _model_rows(f, i, m, as_of, setting_value(root) if root is not None else "")
    df = finish_parsed(rows)
    if len(df):  # a model listed on two pages (the list moved while paging): one row
        df = df.drop_duplicates(["source_model_name", "benchmark_key", "setting"]).reset_index(drop=True)
    return with_formats(df, sorted(formats))
