"""OpenCompass (Shanghai AI Lab): CompassRank/CompassBench editions and the CompassAcademic board, 0-100 scores.

No mirror exists and the shapes are not documented by OpenCompass; this module follows what public clients of
the site use (checked against several independent scrapers, not against a live response):

- `POST https://rank.opencompass.org.cn/gw/opencompass-be/api/v1/rank/listRankTableAvailableMonths` with
  `{"rankingType": 0, "benchmarkType": 1}` answers `{msgCode, msg, data: [{fileName, updateTime, month}, ...]}`,
  one entry per quarterly edition. ASSUMED: `fileName` is a path under `https://cdn.opencompass.org.cn/`.
- Each edition file (gzip, sent with or without `Content-Encoding: gzip`; both are read) is a JSON object with
  `OverallTable`, `KnowledgeTable`, `ReasonTable`, `MathTable`, `CodeTable` (possibly more `*Table` keys), each a
  list of rows `{model, org, Average, <column>: score, ...}`. ASSUMED: text columns (`chat_or_base`, `time`, ...)
  are metadata; a column mixing numbers and text is an error. Key: `<Table>:<column>`, setting `edition=<month>`,
  as_of the edition's `updateTime`. CompassBench is a private set refreshed per edition: editions do not compare.
- `hf-academic.json` (CompassAcademic, OpenCompass's own runs of public benchmarks on open models) is
  `{dataset: {dataset, version, metric, mode, <model abbr>: score | "-"}}`; `model-meta-info.json` is a list of
  `{abbr, display_name, origin_name, org, release_time, update_time, ...}`. ASSUMED: the abbr links the two.
  Key: the block's `dataset` (e.g. `GPQA_diamond`), setting `metric=..;mode=..;version=..`.
"""

from __future__ import annotations

import zlib
from typing import Any
from urllib.parse import urljoin

import pandas as pd

from ..config import Configs, Source
from ..errors import FetchError, ParseError
from ..fetch import Fetcher, RawFile
from ..store import finish_parsed
from ._util import as_float, day_date, iso_date, read_json, setting_value, with_formats

SOURCE_ID = "opencompass"
CDN_BASE = "https://cdn.opencompass.org.cn/"
MONTHS, ACADEMIC, META = "months.json", "hf-academic.json", "model-meta-info.json"
HEADERS = {"Referer": "https://rank.opencompass.org.cn/", "lang": "en-US"}
MAX_JSON_BYTES = 200_000_000  # cap on a decompressed edition file (a gzip bomb stops here)
ROW_META = {"model", "org", "num", "time", "update_time", "chat_or_base", "rank", "release"}
ACADEMIC_META = {"dataset", "version", "metric", "mode"}


def editions(f: RawFile) -> list[dict[str, str]]:
    """The months listing -> [{fileName, updateTime, month}], validated."""
    doc = read_json(SOURCE_ID, f)
    data = doc.get("data") if isinstance(doc, dict) else None
    if not isinstance(data, list):
        raise ParseError(SOURCE_ID, f.name, "expected {msgCode, msg, data: [{fileName, updateTime, month}]}")
    out = []
    for i, e in enumerate(data):
        if not isinstance(e, dict) or not isinstance(e.get("fileName"), str) or not e["fileName"].strip():
            raise ParseError(SOURCE_ID, f.name, "expected an object with a 'fileName'", row=i + 1)
        out.append({"fileName": e["fileName"].strip(), "updateTime": str(e.get("updateTime") or ""),
                    "month": str(e.get("month") or "")})
    return out


def fetch(fetcher: Fetcher, source: Source, configs: Configs) -> list[RawFile]:
    """POST the edition listing, GET every edition file from the CDN, then the academic board and its model list."""
    if fetcher.mirror is not None:
        raise FetchError(f"{SOURCE_ID}: live only, no mirror exists")
    eps = {ep.name: ep for ep in source.endpoints}
    missing = {MONTHS, ACADEMIC, META} - set(eps)
    if missing:
        raise FetchError(f"{SOURCE_ID}: sources.yaml lacks endpoint(s) {sorted(missing)}")
    months = fetcher.fetch_endpoint(source, eps[MONTHS], headers=HEADERS)
    files = [months]
    for e in editions(months):
        files.append(fetcher.fetch_url(source, e["fileName"], urljoin(source.urls.get("cdn", CDN_BASE), e["fileName"]), headers=HEADERS))
    return files + [fetcher.fetch_endpoint(source, eps[name]) for name in (ACADEMIC, META)]


def gunzip(f: RawFile, cap: int = MAX_JSON_BYTES) -> RawFile:
    """The file with gzip bytes decompressed in memory (at most `cap` bytes); plain bytes pass through."""
    if not f.data.startswith(b"\x1f\x8b"):
        return f
    d = zlib.decompressobj(wbits=31)
    try:
        data = d.decompress(f.data, cap)
    except zlib.error as exc:
        raise ParseError(SOURCE_ID, f.name, f"broken gzip data ({exc})") from None
    if d.unconsumed_tail:
        raise ParseError(SOURCE_ID, f.name, f"decompresses to over {cap} bytes")
    if not d.eof:
        raise ParseError(SOURCE_ID, f.name, "broken gzip data (truncated stream)")
    return RawFile.of(f.name, data, f.url, f.retrieved_at, f.published)


def _table_rows(f: RawFile, table: str, rows: Any, setting: str, as_of: str) -> pd.DataFrame:
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise ParseError(SOURCE_ID, f.name, f"{table}: expected a list of row objects")
    df = pd.DataFrame(rows)
    if df.empty:
        return df
    if "model" not in df or df["model"].isna().any() or not df["model"].map(lambda v: isinstance(v, str) and v.strip() != "").all():
        raise ParseError(SOURCE_ID, f.name, f"{table}: every row needs a 'model' name")
    frames = []
    for col in [c for c in df.columns if c not in ROW_META]:
        if not str(col).strip():
            raise ParseError(SOURCE_ID, f.name, f"{table}: a column has no name")
        raw = df[col].map(lambda v: "" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v))
        num = pd.to_numeric(raw.str.strip().str.rstrip("%"), errors="coerce")
        filled = ~raw.str.strip().isin(["", "-", "N/A", "n/a"])
        if filled.any() and num[filled].isna().all():
            continue  # a text column (metadata), not scores
        bad = filled & (num.isna() | num.isin([float("inf"), float("-inf")]))
        if bad.any():
            i = int(bad.idxmax())
            raise ParseError(SOURCE_ID, f.name, f"{table}.{col}: expected a finite number, got {raw[i]!r}", row=i + 1)
        score = num.where(filled)
        keep = score.notna()
        frames.append(pd.DataFrame({
            "source_model_name": df.loc[keep, "model"].str.strip(),
            "benchmark_key": f"{table}:{col}",
            "setting": setting,
            "score": score[keep],
            "as_of": as_of,
            "source_url": f.url,
            "upstream_org": df.loc[keep, "org"].fillna("").astype(str) if "org" in df else "",
        }))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _parse_edition(f: RawFile, edition: dict[str, str] | None) -> list[pd.DataFrame]:
    doc = read_json(SOURCE_ID, gunzip(f))
    tables = {k: v for k, v in doc.items() if k.endswith("Table")} if isinstance(doc, dict) else {}
    if not tables:
        raise ParseError(SOURCE_ID, f.name, "expected an edition object with OverallTable, KnowledgeTable, ... lists")
    edition = edition or {}
    setting = f"edition={setting_value(edition['month'])}" if edition.get("month") else ""
    as_of = iso_date(edition.get("updateTime")) or iso_date(f.published) or f.retrieved_at
    return [_table_rows(f, name, rows, setting, as_of) for name, rows in sorted(tables.items())]


def _model_meta(f: RawFile) -> dict[str, dict[str, Any]]:
    doc = read_json(SOURCE_ID, f)
    if not isinstance(doc, list):
        raise ParseError(SOURCE_ID, f.name, "expected a list of model records {abbr, display_name, org, ...}")
    return {str(m["abbr"]): m for m in doc if isinstance(m, dict) and m.get("abbr")}


def _parse_academic(f: RawFile, meta: dict[str, dict[str, Any]]) -> pd.DataFrame:
    doc = read_json(SOURCE_ID, f)
    if not isinstance(doc, dict):
        raise ParseError(SOURCE_ID, f.name, "expected {dataset: {metric, mode, version, <model>: score}}")
    fallback = iso_date(f.published) or f.retrieved_at
    rows = []
    for name, block in doc.items():
        if not isinstance(block, dict) or not isinstance(block.get("dataset"), str) or not block["dataset"].strip() \
                or "metric" not in block:
            raise ParseError(SOURCE_ID, f.name, "expected {dataset, metric, mode, version, <model>: score}", row=repr(name))
        dataset = block["dataset"].strip()
        setting = ";".join(f"{k}={setting_value(block[k])}" for k in ("metric", "mode", "version") if block.get(k) not in (None, ""))
        for abbr, value in block.items():
            if abbr in ACADEMIC_META:
                continue
            if not abbr.strip():
                raise ParseError(SOURCE_ID, f.name, "a model entry has a blank name", row=repr(name))
            score = as_float(SOURCE_ID, f, value, f"{dataset}.{abbr}", row=dataset)
            if pd.isna(score):
                continue
            m = meta.get(abbr, {})
            rows.append({
                "source_model_name": str(m.get("display_name") or m.get("origin_name") or abbr),
                "benchmark_key": str(dataset),
                "setting": setting,
                "score": score,
                "as_of": iso_date(m.get("update_time")) or fallback,
                "source_url": f.url,
                "upstream_org": str(m.get("org") or ""),
                "model_release_date": day_date(m.get("release_time")),
            })
    return pd.DataFrame(rows)


def parse(files: list[RawFile]) -> pd.DataFrame:
    by_name = {f.name: f for f in files}
    listing = {e["fileName"]: e for e in editions(by_name[MONTHS])} if MONTHS in by_name else {}
    meta = _model_meta(by_name[META]) if META in by_name else {}
    frames: list[pd.DataFrame] = []
    for f in files:
        if f.name in (MONTHS, META):
            continue
        if f.name == ACADEMIC:
            frames.append(_parse_academic(f, meta))
        else:
            frames += _parse_edition(f, listing.get(f.name))
    frames = [fr for fr in frames if not fr.empty]
    return with_formats(finish_parsed(pd.concat(frames, ignore_index=True) if frames else []), ["months listing + edition JSON (gzip), academic board"])
