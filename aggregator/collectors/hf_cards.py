"""Hugging Face model cards of the registry's models (those with `hf_repo`): evaluation results and hardware text.

Live only, one repo at a time, one request per repo when nothing changed: the Hub API
`GET <endpoint>/api/models/<repo>?expand=sha&expand=evalResults` (conditional: a 304 when the answer is the same),
which gives the repo's commit and its `.eval_results/*.yaml` entries as `{sha, evalResults: [{filename?, data:
{dataset: {id, task_id, revision?}, value, verifyToken?, date?, source?: {url, name?, user?, org?}, notes?}} |
{filename, error}]}` (huggingface_hub's parse_eval_result_entries reads the same shape); then `README.md` at that
commit, requested only when the commit moved (a card at a commit never changes; without a commit in the answer,
the card at main through Fetcher.fetch_hf). HF_ENDPOINT is honoured. A repo whose files cannot be fetched, or whose
card cannot be read (broken front matter, an impossible value), is skipped with a warning in the refresh log and
keeps its earlier rows (sources.yaml `history: models`); all failing is an error. The Hub API allows 500 requests
in 5 minutes without a token, 1,000 with one (sources.yaml `hosts`): the refresh workflow passes HF_TOKEN.

Scores:
- README front matter `model-index: [{name, results: [{task, dataset: {name, type, config?, split?, args?},
  metrics: [{type, value, name?, verified?}], source?: {name, url}}]}]` (YAML, safe_load only). Key:
  `<dataset type>[:<config>]`; setting `metric=<type>[;split=..][;few_shot=..]`.
- `.eval_results` entries. Key: `<dataset id>:<task_id>`; setting `notes=..` when given.
Cards (and the Hub's own `.eval_results` examples) mix 0-1 fractions and 0-100 percentages, with nothing in the
data to tell them apart. Rule: a value in [0, 1] is a fraction and is multiplied by 100, the row marked
`scale=fraction`; larger values are kept as given. The catalog scale of hf_cards keys is therefore 1. Known
limit: a genuine percentage of at most 1 (possible on the hardest benchmarks) is read as a fraction; the
`scale=fraction` marker shows every converted row.
Rows are self-reported unless the entry is `verified: true`, carries a `verifyToken`, or names a source (name,
url, user or org) that does not mention the repo's owner.

`hardware_mentions(files)` is for the hardware module, not scores: `co2_eq_emissions.hardware_used` and
accelerator names in the card text, each with a short quote (<30 words) and the card's URL.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import re
from pathlib import PurePosixPath
from typing import Any

import pandas as pd
import yaml

from ..config import Configs, Endpoint, HFFile, Source
from ..errors import FetchError, ParseError
from ..fetch import COMMIT, Fetcher, RawFile, hf_endpoint
from ..store import finish_parsed
from ._util import as_float, iso_date, read_json, setting_value, with_formats

SOURCE_ID = "hf_cards"
README, EVALS = "README.md", "eval_results.json"
INFO_QUERY = "expand=sha&expand=evalResults"  # the repo's commit and its eval results, in one answer
ACCELERATORS = [
    r"\bAscend\b(?:\s*\d{3}\w*)?", r"\bAtlas\s*\d{3}\w*", r"\bKunlun(?:xin)?\b", r"\bCambricon\b", r"\bMLU\s?\d{3}\b",
    r"\bHygon\b", r"\bMetaX\b", r"\bMoore Threads\b", r"\bBiren\b", r"\bIluvatar\b", r"\bEnflame\b", r"\bNPUs?\b",
    r"\b[AH](?:100|800)\b", r"\bH(?:20|200)\b", r"\bA(?:10|30|40)\b", r"\bL40S?\b", r"\bG?B200\b", r"\bTPU\s?v\d\w*\b",
]
GENERIC_OWNER_WORDS = {"org", "inc", "lab", "labs", "research", "team", "official", "hub", "models"}
log = logging.getLogger(__name__)


def fetch(fetcher: Fetcher, source: Source, configs: Configs) -> list[RawFile]:
    if fetcher.mirror is not None:
        raise FetchError(f"{SOURCE_ID}: live only, no mirror exists")
    repos = sorted({m.hf_repo for m in configs.models.values() if m.hf_repo})
    files, failures = [], []
    for repo in repos:
        try:
            info = fetcher.fetch_url(source, f"{repo}/{EVALS}", f"{hf_endpoint()}/api/models/{repo}?{INFO_QUERY}",
                                     headers=fetcher.hf_headers())
            files += [_card(fetcher, source, repo, _commit(info)), info]
        except FetchError as exc:
            failures.append(str(exc))
            log.warning("%s", exc)
    if failures and not files:
        raise FetchError(f"{SOURCE_ID}: every repo failed; first: {failures[0]}")
    return files


def _commit(info: RawFile) -> str | None:
    """The repo's commit in the model-info answer (None when it has none, or is not JSON: then its parse says why)."""
    try:
        sha = json.loads(info.data).get("sha")
    except (ValueError, AttributeError):
        return None
    return sha if isinstance(sha, str) and COMMIT.fullmatch(sha) else None


def _card(fetcher: Fetcher, source: Source, repo: str, commit: str | None) -> RawFile:
    """README.md at the commit (from the cache when read before: a file at a commit never changes), else at main."""
    from huggingface_hub import hf_hub_url

    if commit is None:
        return fetcher.fetch_hf(source, Endpoint(name=f"{repo}/{README}", hf=HFFile(repo_id=repo, repo_type="model", filename=README)))
    f = fetcher.fetch_pinned(source, f"{repo}/{README}", hf_hub_url(repo, README, revision=commit, endpoint=hf_endpoint()),
                             headers=fetcher.hf_headers())
    return dataclasses.replace(f, url=hf_hub_url(repo, README, revision=commit), published=None, extra=f.extra | {"revision": commit})


def _repo(f: RawFile, suffix: str) -> str:
    return f.name[: -len(suffix) - 1]


def front_matter(f: RawFile) -> dict[str, Any]:
    """The YAML block at the top of a card ({} when there is none)."""
    text = f.data.decode("utf-8-sig", errors="replace")
    m = re.match(r"^---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|$)", text, re.DOTALL)
    if not m:
        return {}
    try:
        doc = yaml.safe_load(m.group(1))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark else ""
        raise ParseError(SOURCE_ID, f.name, f"front matter is not valid YAML{where}") from None
    if doc is None:
        return {}
    if not isinstance(doc, dict):
        raise ParseError(SOURCE_ID, f.name, "front matter: expected a YAML mapping")
    return doc


def _independent(owner: str, *names: Any) -> bool:
    """True when a source is named and none of the names mentions the repo owner ('deepseek-ai' -> 'deepseek')."""
    named = " ".join(str(n) for n in names if n not in (None, "")).casefold()
    tokens = [t for t in re.split(r"[-_.\s]+", owner.casefold()) if len(t) >= 3 and t not in GENERIC_OWNER_WORDS]
    return bool(named) and not any(t in named for t in tokens or [owner.casefold()])


def _scaled(score: float) -> tuple[float, str]:
    """See the module doc: a value in [0, 1] is read as a fraction."""
    if 0 <= score <= 1:
        return score * 100, "scale=fraction"
    return score, ""


def _row(f: RawFile, repo: str, key: str, score: float, setting: list[str], independent: bool, as_of: str) -> dict[str, Any]:
    return {"source_model_name": repo, "benchmark_key": key, "setting": ";".join(s for s in setting if s),
            "score": score, "as_of": as_of, "source_url": f.url, "self_reported": not independent,
            "upstream_org": repo.split("/")[0]}


def _parse_model_index(f: RawFile, repo: str, card: dict[str, Any]) -> list[dict[str, Any]]:
    index = card.get("model-index")
    if index is None:
        return []
    if not isinstance(index, list):
        raise ParseError(SOURCE_ID, f.name, "model-index: expected a list")
    owner, as_of, rows = repo.split("/")[0], iso_date(f.published) or f.retrieved_at, []
    for i, entry in enumerate(index):
        results = entry.get("results") if isinstance(entry, dict) else None
        if not isinstance(results, list):
            raise ParseError(SOURCE_ID, f.name, "model-index: expected {name, results: [...]}", row=i + 1)
        for j, res in enumerate(results):
            where = f"{i + 1}.{j + 1}"
            ds, metrics = (res.get("dataset"), res.get("metrics")) if isinstance(res, dict) else (None, None)
            if not isinstance(ds, dict) or not isinstance(metrics, list) or not ds.get("type"):
                raise ParseError(SOURCE_ID, f.name, "model-index result: expected dataset {type, name} and metrics [...]", row=where)
            key = str(ds["type"]).strip() + (f":{ds['config']}" if ds.get("config") else "")
            args = ds.get("args") if isinstance(ds.get("args"), dict) else {}
            shots = args.get("num_few_shot", args.get("n_shot"))
            src = res.get("source") if isinstance(res.get("source"), dict) else {}
            for k, met in enumerate(metrics):
                if not isinstance(met, dict) or "value" not in met:
                    raise ParseError(SOURCE_ID, f.name, "metric: expected {type, value}", row=f"{where}.{k + 1}")
                score = as_float(SOURCE_ID, f, met["value"], "metrics.value", row=f"{where}.{k + 1}", percent=True)
                if pd.isna(score):
                    continue
                mtype = str(met.get("type") or met.get("name") or "")
                score, scale = _scaled(score)
                setting = [f"metric={setting_value(mtype)}" if mtype else "",
                           f"split={setting_value(ds['split'])}" if ds.get("split") else "",
                           f"few_shot={setting_value(shots)}" if shots is not None else "", scale]
                independent = met.get("verified") is True or _independent(owner, src.get("name"), src.get("url"))
                rows.append(_row(f, repo, key, score, setting, independent, as_of))
    return rows


def _parse_eval_results(f: RawFile) -> list[dict[str, Any]]:
    repo, doc = _repo(f, EVALS), read_json(SOURCE_ID, f)
    items = doc.get("evalResults") if isinstance(doc, dict) else None
    if items is None:
        return []
    if not isinstance(items, list):
        raise ParseError(SOURCE_ID, f.name, "evalResults: expected a list")
    owner, fallback, rows = repo.split("/")[0], iso_date(f.published) or f.retrieved_at, []
    for i, item in enumerate(items):
        if isinstance(item, dict) and "error" in item:
            continue  # the Hub rejected that .eval_results file; it holds no score
        data = item.get("data", item) if isinstance(item, dict) else None
        ds = data.get("dataset") if isinstance(data, dict) else None
        if not isinstance(ds, dict) or not ds.get("id") or not ds.get("task_id") or "value" not in data:
            raise ParseError(SOURCE_ID, f.name, "expected {dataset: {id, task_id}, value}", row=i + 1)
        score = as_float(SOURCE_ID, f, data["value"], "value", row=i + 1, percent=True)
        if pd.isna(score):
            continue
        score, scale = _scaled(score)
        src = data.get("source") if isinstance(data.get("source"), dict) else {}
        independent = bool(data.get("verifyToken")) or _independent(owner, src.get("org"), src.get("user"), src.get("name"), src.get("url"))
        setting = [f"notes={setting_value(data['notes'])}" if data.get("notes") else "", scale]
        key = f"{ds['id']}:{ds['task_id']}"
        rows.append(_row(f, repo, key, score, setting, independent, iso_date(data.get("date")) or fallback))
    return rows


def parse(files: list[RawFile]) -> pd.DataFrame:
    rows: list[dict[str, Any]] = []
    warnings: list[str] = []
    for f in files:
        name = PurePosixPath(f.name).name
        try:
            if name == README:
                rows += _parse_model_index(f, _repo(f, README), front_matter(f))
            elif name == EVALS:
                rows += _parse_eval_results(f)
            else:
                raise ParseError(SOURCE_ID, f.name, f"unknown file: expected <org>/<repo>/{README} or <org>/<repo>/{EVALS}")
        except ParseError as exc:
            if name not in (README, EVALS):
                raise
            warnings.append(f"card skipped: {exc}")  # one repo's broken card is that repo's problem only
    if files and len(warnings) == len(files):
        raise ParseError(SOURCE_ID, files[0].name, f"no card could be read; first problem: {warnings[0]}")
    return with_formats(finish_parsed(rows), ["README.md model-index + Hub API evalResults"], warnings)


def _quote(text: str, start: int, end: int, budget: int = 29) -> str:
    """The match with up to 12 words either side, on one line, in at most `budget` (<30) words."""
    core = text[start:end].split()[:budget]
    side = min(12, (budget - len(core)) // 2)
    before = text[:start].split()[-side:] if side else []
    after = text[end:].split()[:side]
    return " ".join([*before, *core, *after])


def hardware_mentions(files: list[RawFile], patterns: list[str] | None = None) -> pd.DataFrame:
    """Accelerator mentions in model cards: columns hf_repo, field, quote (<30 words), url.

    `field` is `co2_eq_emissions.hardware_used` (the card's metadata) or `text` (the card body). `patterns`
    are case-insensitive regexes (e.g. the `match` lists of configs/hardware.yaml); by default accelerator and
    vendor names (Ascend, Kunlun, Cambricon, H800, A100, TPU v5p, ...). A mention says nothing about whether the
    chip trained the model or merely serves it: the hardware module judges that from the quote."""
    rx = re.compile("|".join(f"(?:{p})" for p in (patterns or ACCELERATORS)), re.IGNORECASE)
    out = []
    for f in files:
        if PurePosixPath(f.name).name != README:
            continue
        repo = _repo(f, README)
        try:
            card = front_matter(f)
        except ParseError:  # a broken front matter: its metadata says nothing, the card's text still may
            card = {}
        co2 = card.get("co2_eq_emissions")
        used = co2.get("hardware_used") if isinstance(co2, dict) else None
        if used:
            out.append({"hf_repo": repo, "field": "co2_eq_emissions.hardware_used",
                        "quote": " ".join(str(used).split()[:29]), "url": f.url})
        text = f.data.decode("utf-8-sig", errors="replace")
        body = re.sub(r"^---.*?\n---[ \t]*\r?\n", "", text, count=1, flags=re.DOTALL)
        spans: list[list[int]] = []
        for m in rx.finditer(body):
            if spans and m.start() - spans[-1][1] <= 40:  # 'Ascend NPUs', 'H800 ... GPUs': one mention
                spans[-1][1] = m.end()
            else:
                spans.append([m.start(), m.end()])
        out += [{"hf_repo": repo, "field": "text", "quote": _quote(body, a, b), "url": f.url} for a, b in spans]
    df = pd.DataFrame(out, columns=["hf_repo", "field", "quote", "url"])
    return df.drop_duplicates().reset_index(drop=True)


SIDE_TABLE = "hf_card_hardware"


def side_table(files: list[RawFile]) -> pd.DataFrame:
    """What collect keeps besides scores: the cards' accelerator mentions, as hardware evidence
    (results/hf_card_hardware.csv, read by the hardware module as suggestions, never as tags)."""
    return hardware_mentions(files)
