"""llm-stats.com open data (GitHub JonathanChavezTamales/LLMStats): vendor-reported scores, 0-1 scale.

Every row is self-reported (model cards, papers, vendor blogs); `analysis_method` (free text such as 'Pass@1',
'Cons@64', '0-shot CoT') goes into the setting as `method=...`. The model id (folder name) is the upstream
model name, since display names repeat across dated versions.

Layouts, both read by `parse`:
- older (the mirror, commit df1d14e): `models/<org>/<model>/model.json` with `qualitative_metrics:
  [{dataset_name, score, is_self_reported, analysis_method, date_recorded, source_link}]`;
- later (repo HEAD since mid-2025): `data/organizations/<org>/models/<model>/model.json` (metadata) beside
  `benchmarks.json`. The later files were not available to check here: the parser ASSUMES `benchmarks.json` is a
  list of score records (or an object holding it under `qualitative_metrics`, `benchmarks` or `scores`) whose
  records use the older field names, or the API's (`benchmark_name`/`benchmark_id`, `scored_at`, `source_url`).

Live path: the GitHub repo (deprecated upstream, still served): the commit of `main`, its recursive tree from the
GitHub API, then each model.json / benchmarks.json from raw.githubusercontent.com at that commit. The paid
api.llm-stats.com API is not used: its public docs describe a single-model endpoint only, not a listing.

GPQA: the key is refined from the method text when it names the subset ('GPQA (Diamond)', 'GPQA (Main)');
a bare 'GPQA' stays as is, since vendors mix the Diamond and Main sets.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

import pandas as pd

from ..config import Configs, Source
from ..errors import FetchError, ParseError
from ..fetch import Fetcher, RawFile
from ..store import finish_parsed
from ._util import as_float, day_date, iso_date, read_json, setting_value

SOURCE_ID = "llm_stats"
REPO = "JonathanChavezTamales/LLMStats"
REF = "main"
API = f"https://api.github.com/repos/{REPO}"
RAW = f"https://raw.githubusercontent.com/{REPO}"
BLOB = f"https://github.com/{REPO}/blob"
GITHUB_HEADERS = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}
OLD = re.compile(r"^models/(?P<org>[^/]+)/(?P<model>[^/]+)/model\.json$")
NEW = re.compile(r"^data/organizations/(?P<org>[^/]+)/models/(?P<model>[^/]+)/(?P<kind>model|benchmarks)\.json$")


def _data_path(path: str) -> bool:
    return bool(OLD.match(path) or NEW.match(path))


def fetch(fetcher: Fetcher, source: Source, configs: Configs) -> list[RawFile]:
    """Mirror, or the repo at the current commit of `main`: tree listing, then raw files (blob URLs kept)."""
    if fetcher.mirror is not None:
        return fetcher.from_mirror(source)
    commit = read_json(SOURCE_ID, fetcher.fetch_url(source, "_commit.json", f"{API}/commits/{REF}", headers=GITHUB_HEADERS))
    try:
        sha = str(commit["sha"])
        date = iso_date(commit["commit"]["committer"]["date"]) or None
    except (KeyError, TypeError):
        raise FetchError(f"{SOURCE_ID}: GitHub commit response lacks sha / commit.committer.date") from None
    tree = read_json(SOURCE_ID, fetcher.fetch_url(source, "_tree.json", f"{API}/git/trees/{sha}?recursive=1", headers=GITHUB_HEADERS))
    if not isinstance(tree, dict) or not isinstance(tree.get("tree"), list):
        raise FetchError(f"{SOURCE_ID}: GitHub tree response lacks 'tree'")
    if tree.get("truncated"):
        raise FetchError(f"{SOURCE_ID}: GitHub truncated the tree listing of {sha}; the file list would be incomplete")
    paths = sorted(t["path"] for t in tree["tree"] if isinstance(t, dict) and t.get("type") == "blob" and _data_path(str(t.get("path"))))
    if not paths:
        raise FetchError(f"{SOURCE_ID}: no model.json / benchmarks.json in the tree of {sha}")
    out = []
    for path in paths:
        f = fetcher.fetch_url(source, path, f"{RAW}/{sha}/{quote(path)}")
        out.append(dataclasses.replace(f, url=f"{BLOB}/{sha}/{path}", published=date))
    return out


def _method(text: Any) -> str:
    return f"method={setting_value(text)}" if setting_value(text) else ""


def _key(name: str, method: str) -> str:
    """The upstream benchmark name; GPQA gets the subset its method text names (see module doc)."""
    if name.strip().casefold() == "gpqa":
        low = method.casefold()
        if "diamond" in low:
            return "GPQA (Diamond)"
        if re.search(r"\bmain\b", low):
            return "GPQA (Main)"
    return name.strip()


def _records(f: RawFile, doc: Any) -> list[Any]:
    if isinstance(doc, list):
        return doc
    if isinstance(doc, dict):
        for key in ("qualitative_metrics", "benchmarks", "scores"):
            if isinstance(doc.get(key), list):
                return doc[key]
    raise ParseError(SOURCE_ID, f.name, "expected a list of score records (or an object holding one)")


def _score_rows(f: RawFile, records: list[Any], model: str, org: str, meta: dict[str, Any]) -> list[dict[str, Any]]:
    fallback = f.published or f.retrieved_at
    rows = []
    for i, rec in enumerate(records):
        if not isinstance(rec, dict):
            raise ParseError(SOURCE_ID, f.name, "expected an object per score record", row=i + 1)
        name = rec.get("dataset_name") or rec.get("benchmark_name") or rec.get("benchmark_id")
        if not isinstance(name, str) or not name.strip():
            raise ParseError(SOURCE_ID, f.name, "dataset_name: expected the benchmark name", row=i + 1)
        score = as_float(SOURCE_ID, f, rec.get("score"), "score", row=i + 1)
        if pd.isna(score):
            continue
        if "dataset_name" in rec and "analysis_method" not in rec:
            raise ParseError(SOURCE_ID, f.name, "analysis_method: missing (it tells Pass@1 from Cons@64, Diamond from Main)", row=i + 1)
        method = str(rec.get("analysis_method") or "")
        rows.append({
            "source_model_name": model,
            "benchmark_key": _key(name, method),
            "setting": _method(method),
            "score": score,
            "as_of": iso_date(rec.get("date_recorded") or rec.get("scored_at")) or fallback,
            "source_url": f.url,
            "self_reported": True,
            "upstream_org": org,
            "base_model_name": str(meta.get("fine_tuned_from_model_id") or ""),
            "model_release_date": day_date(meta.get("release_date")),
        })
    return rows


def _meta(f: RawFile) -> dict[str, Any]:
    doc = read_json(SOURCE_ID, f)
    if not isinstance(doc, dict):
        raise ParseError(SOURCE_ID, f.name, "expected a JSON object (model.json)")
    return doc


def parse(files: list[RawFile]) -> pd.DataFrame:
    rows: list[dict[str, Any]] = []
    later: dict[tuple[str, str], dict[str, RawFile]] = {}
    for f in files:
        path = PurePosixPath(f.name).as_posix()
        if m := OLD.match(path):
            doc = _meta(f)
            metrics = doc.get("qualitative_metrics")
            if not isinstance(metrics, list):
                raise ParseError(SOURCE_ID, f.name, "qualitative_metrics: expected a list")
            rows += _score_rows(f, metrics, m["model"], m["org"], doc)
        elif m := NEW.match(path):
            later.setdefault((m["org"], m["model"]), {})[m["kind"]] = f
        else:
            raise ParseError(SOURCE_ID, f.name, "unknown file: expected models/<org>/<model>/model.json or "
                             "data/organizations/<org>/models/<model>/{model,benchmarks}.json")
    for (org, model), pair in sorted(later.items()):
        if "benchmarks" in pair:
            meta = _meta(pair["model"]) if "model" in pair else {}
            rows += _score_rows(pair["benchmarks"], _records(pair["benchmarks"], read_json(SOURCE_ID, pair["benchmarks"])),
                                model, org, meta)
    return finish_parsed(rows)
