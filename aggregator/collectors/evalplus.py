"""EvalPlus leaderboard: greedy pass@1 (%) on HumanEval, HumanEval+, MBPP and MBPP+.

Live and mirror: results.json of evalplus.github.io, `{display name: {link, open-data, pass@1: {humaneval, humaneval+,
mbpp, mbpp+}, prompted, size}}`. Null scores (a benchmark not run) are skipped. The file has no dates: as_of is the
file's date (Last-Modified live, the snapshot date in the mirror). The display name stays source_model_name; `link`
serves only as upstream_org (its owner) when it is a Hugging Face repo: names already resolve on their last path part.
`read_board` also reads BigCodeBench's files, which use the same layout.
"""

from __future__ import annotations

import math
from pathlib import PurePosixPath

import pandas as pd

from ..config import Configs, Source
from ..errors import ParseError
from ..fetch import Fetcher, RawFile
from ..store import finish_parsed
from ._util import hf_org, read_json, with_formats

SOURCE_ID = "evalplus"
KEYS = ["humaneval", "humaneval+", "mbpp", "mbpp+"]


def fetch(fetcher: Fetcher, source: Source, configs: Configs) -> list[RawFile]:
    return fetcher.fetch_declared(source)


def read_board(source: str, f: RawFile, keys: list[str]) -> pd.DataFrame:
    """An EvalPlus-style board -> one row per (model, pass@1 key) with a score: name, key, score, link, date."""
    doc = read_json(source, f)
    if not isinstance(doc, dict) or not doc:
        raise ParseError(source, f.name, "expected an object: model name -> {link, pass@1: {...}, ...}")
    rows = []
    for name, entry in doc.items():
        if not isinstance(entry, dict) or not isinstance(entry.get("pass@1"), dict):
            raise ParseError(source, f.name, "expected an object with a 'pass@1' object", row=name)
        if not name.strip():
            raise ParseError(source, f.name, "empty model name", row=repr(name))
        for key in keys:
            v = entry["pass@1"].get(key)
            if v is None:
                continue
            if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
                raise ParseError(source, f.name, f"pass@1.{key}: expected a number or null, got {v!r}", row=name)
            rows.append((name, key, float(v), str(entry.get("link") or ""), str(entry.get("date") or "")))
    return pd.DataFrame(rows, columns=["name", "key", "score", "link", "date"])


def parse(files: list[RawFile]) -> pd.DataFrame:
    frames = []
    for f in files:
        if PurePosixPath(f.name).name != "results.json":
            raise ParseError(SOURCE_ID, f.name, "unknown file: expected results.json")
        b = read_board(SOURCE_ID, f, KEYS)
        frames.append(pd.DataFrame({
            "source_model_name": b["name"], "benchmark_key": b["key"], "score": b["score"],
            "as_of": f.published or f.retrieved_at, "source_url": f.url, "upstream_org": hf_org(b["link"]),
        }))
    frames = [fr for fr in frames if not fr.empty]
    return with_formats(finish_parsed(pd.concat(frames, ignore_index=True) if frames else []), ["results.json (pass@1 per dataset)"])
