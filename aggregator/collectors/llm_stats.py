"""llm-stats.com open data (GitHub JonathanChavezTamales/LLMStats): vendor-reported scores, 0-1 scale.

Every row is self-reported (model cards, papers, vendor blogs); `analysis_method` (free text such as 'Pass@1',
'Cons@64', '0-shot CoT') goes into the setting as `method=...`. The model id (folder name) is the upstream
model name, since display names repeat across dated versions.

Layouts, both read by `parse`:
- older (the mirror, commit df1d14e, to 2025-05): `models/<org>/<model>/model.json` with `qualitative_metrics:
  [{dataset_name, score, is_self_reported, analysis_method, date_recorded, source_link}]`;
- later (repo HEAD since mid-2025): `data/organizations/<org>/models/<model>/model.json` (metadata) beside
  `benchmarks.json`, a list of `{benchmark_id, benchmark_name, score, normalized_score, analysis_method}` (also
  accepted under `benchmarks`, `scores` or `qualitative_metrics`).
Scale: a score in [0, 1] is a fraction as in the older layout; a later-layout score above 1 (up to 100) is a
percentage, divided by 100 and marked `scale=percent` in the setting (`normalized_score` is used only when the
score is missing).
Dates: a record's own date (date_recorded / scored_at), else the model's release date (a vendor reports its scores
when it releases the model), else the snapshot's date (mirror) or the commit's (live).
Versions: a benchmark name or id that states a version ('LiveCodeBench v5', 'livecodebench-v5') keeps it in the
setting (`version=v5`), so that rows of the versioned and the unversioned benchmark are never the same run.

Live path: the GitHub repo (deprecated upstream, still served): the commit of `main`, its recursive tree from the
GitHub API (2 API calls; GITHUB_TOKEN is sent when set, lifting the 60 requests/hour anonymous limit), then each
model.json / benchmarks.json from raw.githubusercontent.com at that commit. A file at a commit never changes: it
is requested once and read from the cache after, so an unchanged repo costs the two API calls (answered 304). The paid api.llm-stats.com API is not
used: its public docs describe a single-model endpoint only, not a listing.

GPQA: the key is refined from the method text when it names the subset ('GPQA (Diamond)', 'GPQA (Main)');
a bare 'GPQA' stays as is, since vendors mix the Diamond and Main sets.
"""

from __future__ import annotations

import dataclasses
import os
import re
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

import pandas as pd

from ..config import Configs, Source
from ..errors import FetchError, ParseError
from ..fetch import Fetcher, RawFile
from ..store import finish_parsed
from ._util import as_float, day_date, iso_date, read_json, setting_value, with_formats

SOURCE_ID = "llm_stats"
REF = "main"
GITHUB_HEADERS = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}
VERSION = re.compile(r"(?:^|[\s_-])(v\d+(?:\.\d+)?)(?:$|[\s_-])", re.I)
OLD = re.compile(r"^models/(?P<org>[^/]+)/(?P<model>[^/]+)/model\.json$")
NEW = re.compile(r"^data/organizations/(?P<org>[^/]+)/models/(?P<model>[^/]+)/(?P<kind>model|benchmarks)\.json$")


def _data_path(path: str) -> bool:
    return bool(OLD.match(path) or NEW.match(path))


def fetch(fetcher: Fetcher, source: Source, configs: Configs) -> list[RawFile]:
    """Mirror, or the repo at the current commit of `main`: tree listing, then raw files (blob URLs kept)."""
    if fetcher.mirror is not None:
        return fetcher.from_mirror(source)
    api, raw, blob = source.urls["api"], source.urls["raw"], source.urls["blob"]
    headers = dict(GITHUB_HEADERS)
    if os.environ.get("GITHUB_TOKEN"):
        headers["Authorization"] = f"Bearer {os.environ['GITHUB_TOKEN']}"
    try:
        commit = read_json(SOURCE_ID, fetcher.fetch_url(source, "_commit.json", f"{api}/commits/{REF}", headers=headers))
    except FetchError as exc:
        hint = "; GitHub's anonymous limit is 60 requests an hour: set GITHUB_TOKEN" if re.search(r"HTTP (403|429)", str(exc)) else ""
        raise FetchError(f"{exc}{hint}") from None
    try:
        sha = str(commit["sha"])
        date = iso_date(commit["commit"]["committer"]["date"]) or None
    except (KeyError, TypeError):
        raise FetchError(f"{SOURCE_ID}: GitHub commit response lacks sha / commit.committer.date") from None
    tree = read_json(SOURCE_ID, fetcher.fetch_url(source, "_tree.json", f"{api}/git/trees/{sha}?recursive=1", headers=headers))
    if not isinstance(tree, dict) or not isinstance(tree.get("tree"), list):
        raise FetchError(f"{SOURCE_ID}: GitHub tree response lacks 'tree'")
    if tree.get("truncated"):
        raise FetchError(f"{SOURCE_ID}: GitHub truncated the tree listing of {sha}; the file list would be incomplete")
    paths = sorted(t["path"] for t in tree["tree"] if isinstance(t, dict) and t.get("type") == "blob" and _data_path(str(t.get("path"))))
    if not paths:
        raise FetchError(f"{SOURCE_ID}: no model.json / benchmarks.json in the tree of {sha}")
    out = []
    for path in paths:
        f = fetcher.fetch_pinned(source, path, f"{raw}/{sha}/{quote(path)}")  # at a commit: fetched once, ever
        out.append(dataclasses.replace(f, url=f"{blob}/{sha}/{quote(path)}", published=date))
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


def _version(name: str, bench_id: Any) -> str:
    """The version a benchmark name or id states ('LiveCodeBench v5' -> 'v5'), '' when none."""
    for text in (name, str(bench_id or "")):
        if m := VERSION.search(text.strip()):
            return m[1].lower()
    return ""


def _scaled(f: RawFile, rec: dict[str, Any], row: int) -> tuple[float, str]:
    """The record's score as a fraction (see the module doc) and the scale marker for the setting."""
    score = as_float(SOURCE_ID, f, rec.get("score"), "score", row=row)
    if pd.isna(score) and "normalized_score" in rec:
        score = as_float(SOURCE_ID, f, rec.get("normalized_score"), "normalized_score", row=row)
    if 1 < score <= 100 and "dataset_name" not in rec:
        return score / 100, "scale=percent"
    return score, ""


def _records(f: RawFile, doc: Any) -> list[Any]:
    if isinstance(doc, list):
        return doc
    if isinstance(doc, dict):
        for key in ("qualitative_metrics", "benchmarks", "scores"):
            if isinstance(doc.get(key), list):
                return doc[key]
    raise ParseError(SOURCE_ID, f.name, "expected a list of score records (or an object holding one)")


def _score_rows(f: RawFile, records: list[Any], model: str, org: str, meta: dict[str, Any]) -> list[dict[str, Any]]:
    fallback, released = f.published or f.retrieved_at, day_date(meta.get("release_date"))
    rows = []
    for i, rec in enumerate(records):
        if not isinstance(rec, dict):
            raise ParseError(SOURCE_ID, f.name, "expected an object per score record", row=i + 1)
        name = rec.get("dataset_name") or rec.get("benchmark_name") or rec.get("benchmark_id")
        if not isinstance(name, str) or not name.strip():
            raise ParseError(SOURCE_ID, f.name, "dataset_name: expected the benchmark name", row=i + 1)
        score, scale = _scaled(f, rec, i + 1)
        if pd.isna(score):
            continue
        if "dataset_name" in rec and "analysis_method" not in rec:
            raise ParseError(SOURCE_ID, f.name, "analysis_method: missing (it tells Pass@1 from Cons@64, Diamond from Main)", row=i + 1)
        method, version = str(rec.get("analysis_method") or ""), _version(name, rec.get("benchmark_id"))
        setting = [_method(method), f"version={version}" if version and version not in method.casefold() else "", scale]
        rows.append({
            "source_model_name": model,
            "benchmark_key": _key(name, method),
            "setting": ";".join(p for p in setting if p),
            "score": score,
            "as_of": iso_date(rec.get("date_recorded") or rec.get("scored_at")) or released or fallback,
            "source_url": f.url,
            "self_reported": True,
            "upstream_org": org,
            "base_model_name": str(meta.get("fine_tuned_from_model_id") or ""),
            "model_release_date": released,
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
    older = False
    for f in files:
        path = PurePosixPath(f.name).as_posix()
        if m := OLD.match(path):
            doc = _meta(f)
            metrics = doc.get("qualitative_metrics")
            if not isinstance(metrics, list):
                raise ParseError(SOURCE_ID, f.name, "qualitative_metrics: expected a list")
            rows += _score_rows(f, metrics, m["model"], m["org"], doc)
            older = True
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
    formats = (["models/<org>/<model>/model.json (qualitative_metrics; to 2025-05)"] if older else []) + (
        ["data/organizations/<org>/models/<model>/{model,benchmarks}.json (from mid-2025)"] if later else [])
    return with_formats(finish_parsed(rows), formats)
