"""SWE-bench leaderboards (swebench.com): data/leaderboards.json of the site repo,
{"leaderboards": [{"name": <board>, "results": [...]}]}, boards bash-only, Verified, Lite, Test, Multimodal,
Multilingual. Score = `resolved`, % of the board's task instances resolved (0-100). Two entry shapes are read:
- named (to 2026-03): `name` plus `tags` ("Model: ...", "Org: ...", "System: Attempts - ...");
- structured (2026-08 on): no `name`; `agent`, `agent_org`, `model_display` (and `model` when given), `model_org`,
  `reasoning_effort`, `model_release_date`. The bash-only board folds into Verified there: the site maps an old
  bash-only link to "Verified with mini-SWE-agent", so a Verified entry whose agent is mini-SWE-agent is also read
  as a bash-only row.

bash-only runs every model in the same minimal scaffold (mini-SWE-agent), so its rows are model scores:
is_system False, source_model_name = the entry's model, setting `effort=<reasoning_effort>` when stated. Every
other board lists agent systems (a scaffold around one or more models): is_system True, source_model_name = the
model when there is exactly one (else the entry name), setting `system=<entry name or agent>;attempts=<...>` so that
systems are never collapsed into one model (plus `run=<folder>` if two entries would still look the same). as_of =
entry `date`; upstream_org = the first "Org: ..." tag or `model_org`. Rows are not self_reported: the SWE-bench
harness evaluates every submitted patch set (`checked`, "the team reproduced the generation", is not used).
Only these fields are read; per_instance_details and the rest are dropped.
"""

from __future__ import annotations

import json
import math
import re

import pandas as pd

from ..config import Configs, Source
from ..errors import ParseError
from ..fetch import Fetcher, RawFile
from ..store import finish_parsed
from ._util import day_date, iso_date, setting_value, with_formats

SOURCE_ID = "swe_bench"
SCAFFOLD_BOARD = "bash-only"


def fetch(fetcher: Fetcher, source: Source, configs: Configs) -> list[RawFile]:
    return fetcher.fetch_declared(source)


def _tags(entry: dict, prefix: str) -> list[str]:
    tags = entry.get("tags") or []
    return [t.split(":", 1)[1].strip() for t in tags if isinstance(t, str) and t.startswith(prefix + ":")]


MINI_AGENT = re.compile(r"^mini[-\s]?swe[-\s]?agent", re.I)


def _checked(f: RawFile, entry: object, where: str) -> tuple[float, str]:
    if not isinstance(entry, dict):
        raise ParseError(SOURCE_ID, f.name, "expected a result object", row=where)
    score = entry.get("resolved")
    if isinstance(score, bool) or not isinstance(score, int | float) or not math.isfinite(score):
        raise ParseError(SOURCE_ID, f.name, f"resolved: expected a number, got {score!r}", row=where)
    as_of = iso_date(entry.get("date"))
    if not as_of:
        raise ParseError(SOURCE_ID, f.name, f"date: expected YYYY-MM-DD, got {entry.get('date')!r}", row=where)
    return float(score), as_of


def _row(f: RawFile, board: str, entry: object, where: str) -> list[dict]:
    """One entry -> its rows (a structured mini-SWE-agent entry on Verified gives a bash-only row too)."""
    if isinstance(entry, dict) and "name" not in entry and ("model_display" in entry or "agent" in entry):
        return _structured_rows(f, board, entry, where)
    if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not entry["name"].strip():
        raise ParseError(SOURCE_ID, f.name, "expected a result object with a 'name' (or 'agent' and 'model_display')", row=where)
    score, as_of = _checked(f, entry, where)
    if entry.get("tags") is not None and not isinstance(entry["tags"], list):
        raise ParseError(SOURCE_ID, f.name, f"tags: expected a list, got {type(entry['tags']).__name__}", row=where)
    name, models, orgs = entry["name"].strip(), _tags(entry, "Model"), _tags(entry, "Org")
    attempts = [a.split("-", 1)[1].strip() for a in _tags(entry, "System") if a.startswith("Attempts -")]
    system = board != SCAFFOLD_BOARD
    if not system and len(models) != 1:
        raise ParseError(SOURCE_ID, f.name, f"a {SCAFFOLD_BOARD} entry needs exactly one 'Model: ...' tag, got {len(models)}", row=where)
    return [{
        "source_model_name": models[0] if len(models) == 1 else name,
        "benchmark_key": board,
        "setting": _setting(name, attempts) if system else "",
        "score": score,
        "as_of": as_of,
        "source_url": f.url,
        "is_system": system,
        "upstream_org": orgs[0] if orgs else "",
        "run": str(entry.get("folder") or ""),
    }]


def _text(entry: dict, key: str) -> str:
    v = entry.get(key)
    return v.strip() if isinstance(v, str) else ""


def _structured_rows(f: RawFile, board: str, entry: dict, where: str) -> list[dict]:
    score, as_of = _checked(f, entry, where)
    model = _text(entry, "model") or _text(entry, "model_display")
    if not model:
        raise ParseError(SOURCE_ID, f.name, "model_display: expected the model's name", row=where)
    agent, effort = _text(entry, "agent"), _text(entry, "reasoning_effort")
    effort_kv = f"effort={setting_value(effort)}" if effort else ""
    base = {"source_model_name": model, "score": score, "as_of": as_of, "source_url": f.url,
            "upstream_org": _text(entry, "model_org"), "model_release_date": day_date(entry.get("model_release_date")),
            "run": str(entry.get("folder") or "")}
    model_row = {**base, "benchmark_key": SCAFFOLD_BOARD, "setting": effort_kv, "is_system": False}
    if board == SCAFFOLD_BOARD:
        return [model_row]
    system = ";".join(p for p in (f"system={setting_value(agent or model)}", effort_kv) if p)
    rows = [{**base, "benchmark_key": board, "setting": system, "is_system": True}]
    if board == "Verified" and MINI_AGENT.match(agent):
        rows.append(model_row)
    return rows


def _setting(name: str, attempts: list[str]) -> str:
    parts = {"system": name, "attempts": attempts[0] if attempts else ""}
    return ";".join(f"{k}={setting_value(v)}" for k, v in parts.items() if v)


def _parse_leaderboards(f: RawFile) -> list[dict]:
    try:
        doc = json.loads(f.data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ParseError(SOURCE_ID, f.name, f"not valid JSON ({exc})") from None
    boards = doc.get("leaderboards") if isinstance(doc, dict) else None
    if not isinstance(boards, list):
        raise ParseError(SOURCE_ID, f.name, "expected {\"leaderboards\": [{\"name\": ..., \"results\": [...]}]}")
    rows = []
    for i, b in enumerate(boards):
        if not isinstance(b, dict) or not isinstance(b.get("name"), str) or not isinstance(b.get("results"), list):
            raise ParseError(SOURCE_ID, f.name, "expected a board with 'name' and a 'results' list", row=f"leaderboards[{i}]")
        for j, e in enumerate(b["results"]):
            rows += _row(f, b["name"], e, f"{b['name']} #{j + 1}")
    return rows


def parse(files: list[RawFile]) -> pd.DataFrame:
    rows: list[dict] = []
    for f in files:
        if not f.name.endswith("leaderboards.json"):
            raise ParseError(SOURCE_ID, f.name, "unknown file: expected leaderboards.json")
        rows += _parse_leaderboards(f)
    if not rows:
        return with_formats(finish_parsed([]), [])
    df = pd.DataFrame(rows)
    shape = df["model_release_date"].notna() if "model_release_date" in df else pd.Series(False, index=df.index)
    formats = [f"leaderboards.json, {label}" for label, seen in (
        ("entries with name and tags (to 2026-03)", (~shape).any()),
        ("entries with agent / model_display fields (2026-08 on)", shape.any())) if seen]
    key = ["source_model_name", "benchmark_key", "setting", "as_of"]
    # an entry listed twice (a structured bash-only entry is also listed on Verified with mini-SWE-agent) is one entry:
    # collect drops the identical copy and counts it
    distinct = df.drop_duplicates()
    runs = distinct.loc[distinct.duplicated(key, keep=False) & distinct["run"].ne(""), key + ["run"]]
    clash = pd.MultiIndex.from_frame(df[key + ["run"]]).isin(pd.MultiIndex.from_frame(runs))
    sep = df.loc[clash, "setting"].map(lambda s: ";" if s else "")  # a bash-only setting is empty: no leading ';'
    df.loc[clash, "setting"] = df.loc[clash, "setting"] + sep + "run=" + df.loc[clash, "run"]
    return with_formats(finish_parsed(df.drop(columns="run")), formats)
