"""Collect sources into results/: fetch -> parse -> normalise (benchmark catalog, units) -> resolve -> store.

Sources run concurrently (a bounded pool) and in isolation: a source that fails for any reason keeps its last
good rows and its failure is recorded in collection.csv. An upstream that did not change is not downloaded
(conditional requests, HF etags) nor re-parsed (parsed tables are cached by file hashes and parser code).
All of results/ is then replaced in one all-or-nothing transaction (transaction.py), and only files whose
bytes changed are written, so a refresh that found nothing new leaves results/ untouched.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from . import changes, guards, transaction, unchanged
from .collectors import collector
from .config import Configs
from .errors import AggregatorError, FetchError, StoreError
from .fetch import Fetcher, RateLimiter, RawFile, Tally, forget, redact, user_agent
from .resolve import per_distinct, per_value, resolve
from .schemas import PARSED_SCHEMA, SCORES_SCHEMA
from .store import (
    SCORE_COLUMNS,
    SCORE_SORT,
    check_text,
    csv_bytes,
    read_scores,
    read_table,
    validate,
    written,
)

STATUS_COLUMNS = ["source_id", "status", "rows", "data_date", "retrieved_at", "last_success", "last_error", "files_sha256",
                  "format", "warnings"]
UNMAPPED_COLUMNS = ["source_id", "benchmark_key", "rows"]
ROW_KEY = ["source_model_name", "benchmark_id", "setting", "as_of"]
HELD_KEY = ["source_model_name", "benchmark_id", "setting"]  # a row whose new value is blank or rejected keeps its old one
DATA_COLUMNS = [c for c in SCORE_COLUMNS if c not in ("model_id", "derivation")]
WORKERS = 4
UNCURATED_UNIT = "as_published"  # scores of a benchmark the catalog does not know, from a source without default_unit

@dataclass
class Outcome:
    source_id: str
    status: str  # updated | unchanged | failed | skipped
    rows: int = 0
    added: int = 0
    removed: int = 0
    changed: int = 0
    message: str = ""
    downloaded: int = 0  # response body bytes received (0 when every file was answered 304, came from the cache or a mirror)
    seconds: float = 0.0
    kept: int = 0  # earlier rows the fetch no longer shows, kept by the source's history rule
    format: str = ""  # the upstream format(s) the parser recognised
    requests: int = 0  # HTTP requests the fetch made (a retried request counts once)


@dataclass
class Normalised:
    scores: pd.DataFrame
    rejected: list[str]
    unmapped: pd.DataFrame
    held: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=HELD_KEY))  # blank or rejected: keep old


def normalise(parsed: pd.DataFrame, source_id: str, configs: Configs) -> Normalised:
    """Parsed rows -> catalog benchmarks and units. A key the catalog does not know keeps its rows, under the
    automatic id '<source>:<key>' (uncurated: upstream values, the source's default unit; never compared).
    Impossible values are rejected with a message, never written; the keys of rejected rows and of blank ones (NaN:
    'N/A' upstream) are `held`: their previous rows are kept."""
    parsed = validate(parsed, PARSED_SCHEMA, f"{source_id} parser output")
    keymap = configs.benchmark_key_map()
    if configs.sources[source_id].kind == "curated":  # curated rows name catalog benchmark ids directly
        keymap = keymap | {(source_id, b): (b, 1.0) for b in configs.benchmarks}

    def catalog(keys: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Each key's benchmark id (the uncurated id for an unknown key), scale and whether the catalog knows it
        (looked up once per distinct key)."""
        mapped = per_distinct(keys, lambda k: keymap.get((source_id, k)) or (f"{source_id}:{k}", None))
        return (np.array([t[0] for t in mapped], dtype=object), np.array([t[1] or 1.0 for t in mapped], dtype=float),
                np.array([t[1] is not None for t in mapped], dtype=bool))

    blank, parsed = parsed[parsed["score"].isna()], parsed[parsed["score"].notna()]
    ids, scale, known = catalog(parsed["benchmark_key"])
    unmapped = (parsed.loc[~known].groupby("benchmark_key", as_index=False).size()
                .rename(columns={"size": "rows"}).assign(source_id=source_id))[UNMAPPED_COLUMNS]
    df = parsed.assign(benchmark_id=ids)
    for col in ("score", "ci_lower", "ci_upper"):
        df[col] = df[col] * scale
    default = configs.sources[source_id].default_unit or UNCURATED_UNIT
    df["unit"] = per_distinct(df["benchmark_id"], lambda b: configs.benchmarks[b].unit if b in configs.benchmarks else default)
    units = {u: configs.units.get(u) for u in df["unit"].unique()}  # the uncurated default may declare no range
    lo = pd.Series(per_value(df["unit"], {u: v.min for u, v in units.items() if v}), index=df.index).astype(float).fillna(float("-inf"))
    hi = pd.Series(per_value(df["unit"], {u: v.max for u, v in units.items() if v}), index=df.index).astype(float).fillna(float("inf"))
    bad = ~df["score"].between(lo, hi)
    rejected = [
        f"{source_id}: {r.source_url}: row {i} ({r.source_model_name!r}, {r.benchmark_key}): score {r.score:g} "
        f"outside {units[r.unit].label} range [{lo[i]:g}, {hi[i]:g}]"
        for i, r in df[bad].iterrows()
    ]
    held = pd.concat([blank.assign(benchmark_id=catalog(blank["benchmark_key"])[0]), df[bad]])[HELD_KEY]
    df = df[~bad]
    df["source_id"] = source_id
    if configs.sources[source_id].self_reported:
        df["self_reported"] = True
    df = df.drop(columns=["benchmark_key"])
    df["model_id"], df["derivation"] = "", "unmatched"
    return Normalised(df[SCORE_COLUMNS].reset_index(drop=True), rejected, unmapped, held.reset_index(drop=True))


# --- reading the current results/ -------------------------------------------------------------------------


def _read_csv_str(data: bytes | None, columns: list[str], where: str, required: bool = True) -> pd.DataFrame:
    """A results/ table as text (checked: store.read_table); an empty one of `columns` when there is none."""
    if not data:
        return pd.DataFrame({c: pd.Series(dtype=str) for c in columns})
    return read_table(data, where, columns if required else [])


def _diff(old: pd.DataFrame, new: pd.DataFrame, key: list[str]) -> tuple[int, int, int]:
    """Rows added, removed and changed (same key, any other value different), on text rows (small tables)."""
    o, n = old.drop_duplicates(key).set_index(key), new.drop_duplicates(key).set_index(key)
    common = n.index.intersection(o.index)
    changed = int((n.loc[common] != o.loc[common, n.columns]).any(axis=1).sum()) if len(common) else 0
    return len(n.index.difference(o.index)), len(o.index.difference(n.index)), changed


# --- one source: fetch and parse in a worker thread, merge with its previous rows in the main thread ---------


@dataclass
class _Result:
    outcome: Outcome
    sha: str = ""
    retrieved: str = ""
    data_date: str = ""
    scores: pd.DataFrame | None = None  # score sources
    unmapped: pd.DataFrame | None = None
    table: bytes | None = None  # sources of kind 'models': results/<id>.csv
    side: tuple[str, bytes] | None = None  # a collector's SIDE_TABLE: results/<name>.csv (e.g. card hardware mentions)
    log: list[str] = field(default_factory=list)
    format: str = ""
    warnings: str = ""  # what the parser skipped or read leniently, in short (the log has each one)
    key: str = ""  # unchanged.source_key of this run's inputs
    keep: bool = False  # the state says these inputs give the rows results/ holds: nothing to redo
    norm: Normalised | None = None  # parsed and normalised, to be merged with the previous rows
    files: list[RawFile] = field(default_factory=list)
    independent: bool = True
    entry: dict | None = None  # what this run leaves in the state for the source (None: nothing)


def _code_hash(mod) -> str:
    here = Path(__file__).parent
    parts = [Path(mod.__file__).read_bytes(), (here / "collectors" / "_util.py").read_bytes(), (here / "store.py").read_bytes(),
             (here / "limits.py").read_bytes(), pd.__version__.encode()]
    return hashlib.sha256(b"\0".join(parts)).hexdigest()[:16]


def parse_key(mod, files: list[RawFile]) -> str:
    """What parsed rows depend on: each file's name, bytes and origin (URL, dates: they become source_url and
    as_of), and the parser code. The same bytes from another URL or snapshot are parsed anew."""
    origin = [json.dumps([f.name, f.sha256, f.url, f.retrieved_at, f.published]) for f in files]
    return hashlib.sha256(("|".join(origin) + _code_hash(mod)).encode()).hexdigest()[:24]


def _parse_cached(mod, files: list[RawFile], folder: Path) -> pd.DataFrame:
    """parse(files), or its cached result for the same inputs (parse_key) and code (a parquet file, no pickle)."""
    key = parse_key(mod, files)
    path = folder / f"{key}.parquet"
    if path.is_file():
        try:
            return pd.read_parquet(path)
        except Exception:  # a damaged cache entry is only a cache miss
            path.unlink(missing_ok=True)
    parsed, leaked = guards.redact_parsed(mod.parse(files))
    if leaked:  # a secret came in where byte-level redaction missed it: neither it nor its download is kept
        forget(files)
        return parsed
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.parquet"):
        old.unlink(missing_ok=True)
    tmp = folder / f".{key}.{os.getpid()}.tmp"
    try:
        parsed.to_parquet(tmp, index=False)
        os.replace(tmp, path)
    except Exception:  # a table parquet cannot hold (mixed-type column) is simply not cached
        tmp.unlink(missing_ok=True)
    return parsed


def _failed(sid: str, exc: BaseException, tally: Tally) -> Outcome:
    kind = "" if isinstance(exc, AggregatorError | OSError) else f"{type(exc).__name__}: "
    return Outcome(sid, "failed", downloaded=tally.body_bytes, requests=tally.requests,
                   message=redact(kind + ((str(exc).splitlines() or [type(exc).__name__])[0])[:400]))


def _collect_one(sid: str, configs: Configs, fetcher: Fetcher, parsed_cache: Path, entry: dict | None, scores_known: bool,
                 old_table: bytes | None) -> _Result:
    """Fetch the source; when the state knows its inputs (and results/ holds what they gave), that is all; else
    parse and normalise it (score sources) or build its table (models)."""
    source = configs.sources[sid]
    started = time.monotonic()
    res, tally = _Result(Outcome(sid, "failed")), Tally()
    try:
        mod = collector(sid)
        with fetcher.budget(source.budget_seconds or configs.settings.source_budget_seconds) as tally:
            files: list[RawFile] = mod.fetch(fetcher, source, configs)
        if not files:
            raise FetchError(f"{sid}: no files fetched")
        files = sorted(files, key=lambda f: f.name)
        res.sha = ",".join(f.sha256[:12] for f in files)
        res.retrieved = max(f.retrieved_at for f in files)
        res.independent = getattr(mod, "INDEPENDENT_FILES", True)
        res.key = unchanged.source_key(configs, sid, parse_key(mod, files), fetcher.mirror is not None, res.independent)
        known = scores_known if source.kind != "models" else entry is not None and entry.get("table") == unchanged.sha(old_table)
        if entry is not None and entry.get("key") == res.key and known:
            _replay(res, entry)
        else:
            guards.check_files(sid, files)
            parsed = _parse_cached(mod, files, parsed_cache / sid)
            guards.check_limits(sid, parsed, files)
            res.format = "; ".join(parsed.attrs.get("formats", []))
            warned = parsed.attrs.get("warnings", [])
            res.log += [f"{sid}: warning: {m}" for m in warned]
            res.warnings = f"{len(warned)} warning(s); first: {warned[0]}"[:300] if warned else ""
            if source.kind == "models":
                _models_table(res, parsed, old_table)
            else:
                res.norm, res.files = normalise(parsed, sid, configs), files
                res.log += [f"rejected: {m}" for m in res.norm.rejected]
        if hasattr(mod, "side_table"):
            side = mod.side_table(files)
            res.side = (mod.SIDE_TABLE, csv_bytes(side.sort_values(list(side.columns), kind="mergesort")))
        res.outcome.downloaded, res.outcome.requests, res.outcome.format = tally.body_bytes, tally.requests, res.format
    except Exception as exc:  # isolation: whatever one source raises, the others go on
        res.outcome, res.norm = _failed(sid, exc, tally), None
    res.outcome.seconds = round(time.monotonic() - started, 3)
    return res


def _replay(res: _Result, entry: dict) -> None:
    """What a run on inputs the state knows gives: the outcome it recorded, nothing recomputed."""
    o = entry["outcome"]
    res.outcome = Outcome(res.outcome.source_id, "unchanged", int(o["rows"]), message=str(o["message"]), kept=int(o["kept"]))
    res.keep, res.entry, res.log = True, entry, list(entry["log"])
    res.format, res.warnings = str(entry["format"]), str(entry["warnings"])
    res.data_date = str(entry.get("data_date") or res.retrieved)


def _entry(res: _Result, o: Outcome, log: list[str], **extra) -> dict:
    """The state entry: these inputs, and the (unchanged) outcome a run on them gives once results/ holds its rows."""
    return {"key": res.key, "outcome": {"rows": o.rows, "message": o.message, "kept": o.kept}, "log": log,
            "format": res.format, "warnings": res.warnings, "data_date": res.data_date, **extra}


def _check_drop(sid: str, old_n: int, new_n: int) -> None:
    if new_n == 0:
        raise AggregatorError(f"{sid}: no rows after parsing and normalisation")
    if old_n and new_n < old_n / 2:
        raise AggregatorError(f"{sid}: row count dropped from {old_n} to {new_n} (more than half); previous rows kept")


def retained(old: pd.DataFrame, new: pd.DataFrame, rule: str) -> pd.DataFrame:
    """The earlier rows of a source that its history rule keeps although the new fetch no longer shows them
    (sources.yaml `history`): `snapshots` keeps every (benchmark, as_of) the fetch lacks, `models` every model it
    lacks; `replace` keeps nothing."""
    if old.empty:
        return old
    if rule == "snapshots":
        shown = pd.MultiIndex.from_frame(new[["benchmark_id", "as_of"]])
        keep = ~pd.MultiIndex.from_frame(old[["benchmark_id", "as_of"]]).isin(shown)
    elif rule == "models":
        keep = ~old["source_model_name"].isin(set(new["source_model_name"]))
    else:
        return old.iloc[:0]
    return old[keep]


@dataclass
class _Guarded:
    rows: pd.DataFrame
    notes: list[str]
    kept: int
    log: list[str]
    untouched: bool  # rows is the fetched table itself: no guard or history rule added or removed a row


def _guarded(sid: str, configs: Configs, fetched: pd.DataFrame, dups: int, held_keys: pd.DataFrame, old: pd.DataFrame,
             files: list[RawFile], mirror: bool, independent: bool) -> _Guarded:
    """The source's rows after guards.py and its history rule, against its previous rows `old`."""
    kept = retained(old, fetched, configs.sources[sid].history)  # judged on what the fetch shows, before any guard
    new, notes, shrunk = guards.keep_files(configs.sources[sid], files, fetched, old, mirror)
    if notes and (shrunk == {f.name for f in files} or not independent):  # nothing usable, or files read together
        raise AggregatorError(f"{sid}: " + "; ".join(notes))
    new, held = guards.keep_held(new, old, held_keys, ROW_KEY, HELD_KEY)
    untouched = new is fetched and not len(kept)
    notes += [f"{dups} duplicate rows dropped (identical upstream records)"] * bool(dups)
    notes += [f"{held} previous rows kept whose new value is blank or out of range"] * bool(held)
    log = []
    if len(kept):  # a row a guard already kept back is not added twice
        new = pd.concat([new, kept[SCORE_COLUMNS].assign(model_id="", derivation="unmatched")], ignore_index=True)
        new = new.drop_duplicates(DATA_COLUMNS, ignore_index=True)
        dates = kept[["benchmark_id", "as_of"]].drop_duplicates()
        log.append(f"{sid}: {len(kept)} earlier rows kept that the upstream no longer shows "
                   f"({len(dates)} benchmark snapshots, {kept['as_of'].min()} to {kept['as_of'].max()})")
    _check_drop(sid, len(old), len(new))
    return _Guarded(new, notes, len(kept), log + [f"{sid}: {n}" for n in notes], untouched)


def _score_rows(res: _Result, configs: Configs, old_scores: pd.DataFrame, mirror: bool) -> None:
    """The source's new rows against its previous ones (guards.py; then its history rule), compared exactly (floats
    as written); `res.independent`: a file's rows do not depend on the source's other files, so one file's previous
    rows can be kept beside the others' new ones. When the rows changed, the guards run once more on their own
    output: a fixed point (the same rows again) is what the state records for the next run."""
    sid, norm = res.outcome.source_id, res.norm
    assert norm is not None, "normalised rows come from _collect_one"  # why: only score sources get here
    old = old_scores[old_scores["source_id"].eq(sid)]
    scores = norm.scores.assign(**{c: written(norm.scores[c].to_numpy()) for c in ("score", "ci_lower", "ci_upper")})
    fetched, dups = guards.dedupe(scores, DATA_COLUMNS)
    if fetched.empty and norm.held.empty:  # a fetch that yields nothing is a failure, whatever earlier rows would be kept
        raise AggregatorError(f"{sid}: no rows after parsing and normalisation")
    args = (sid, configs, fetched, dups, norm.held)
    g = _guarded(*args, old, res.files, mirror, res.independent)
    diff = unchanged.compare(old, g.rows, DATA_COLUMNS, ROW_KEY)
    res.outcome = Outcome(sid, "unchanged" if diff.same else "updated", len(g.rows), diff.added, diff.removed, diff.changed,
                          "; ".join(g.notes), downloaded=res.outcome.downloaded, seconds=res.outcome.seconds, kept=g.kept,
                          format=res.format, requests=res.outcome.requests)
    res.scores, res.unmapped, res.data_date = g.rows, norm.unmapped, str(g.rows["as_of"].max())
    unmapped = [f"{sid}: {int(norm.unmapped['rows'].sum())} rows under {len(norm.unmapped)} benchmark keys not in the catalog, "
                f"kept as uncurated '{sid}:<key>' ids (see unmapped_benchmarks.csv)"] if len(norm.unmapped) else []
    before = list(res.log)
    res.log += g.log + unmapped
    again = g
    if not diff.same:
        try:
            again = _guarded(*args, g.rows, res.files, mirror, res.independent)
        except AggregatorError:
            return
        if not ((g.untouched and again.untouched) or unchanged.compare(g.rows, again.rows, DATA_COLUMNS, ROW_KEY).same):
            return
    o = Outcome(sid, "unchanged", len(again.rows), message="; ".join(again.notes), kept=again.kept)
    res.entry = _entry(res, o, before + again.log + unmapped)


def _models_table(res: _Result, parsed: pd.DataFrame, old_table: bytes | None) -> None:
    sid = res.outcome.source_id
    new = parsed.sort_values(list(parsed.columns[:2]), kind="mergesort").reset_index(drop=True)
    data = csv_bytes(new)
    old = _read_csv_str(old_table, list(new.columns), f"results/{sid}.csv", required=False)
    _check_drop(sid, len(old), len(new))
    n = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
    shared = [c for c in n.columns if c in old.columns]
    added, removed, changed = _diff(old[shared], n[shared], shared[:1]) if shared else (len(n), len(old), 0)
    res.outcome = Outcome(sid, "unchanged" if data == old_table else "updated", len(new), added, removed, changed)
    res.table, res.data_date = data, res.retrieved
    res.entry = _entry(res, Outcome(sid, "unchanged", len(new)), list(res.log), table=unchanged.sha(data))


# --- the whole refresh ---------------------------------------------------------------------------------------


def _progress(enabled: bool):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(TextColumn("[bold]collect"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    TextColumn("{task.description}"), disable=not enabled)


def collect(configs: Configs, source_ids: list[str], results: Path, cache: Path, mirror: Path | None = None,
            log: Callable[[str], None] = print, *, fetcher: Fetcher | None = None, workers: int = WORKERS,
            progress: bool = False, today: str | None = None) -> list[Outcome]:
    """Collect the given sources into `results` and return one Outcome per source. Never raises for one source."""
    results, today = Path(results), today or dt.datetime.now(dt.UTC).date().isoformat()
    transaction.recover(results)
    fetcher = fetcher or Fetcher(cache, mirror, agent=user_agent(configs.settings.project_url),
                                 rate=RateLimiter(hosts=configs.hosts))
    current = {p.name: p.read_bytes() for p in results.glob("*") if p.is_file() and not p.name.startswith(".")}
    state = unchanged.State.load(cache)
    scores_sha = unchanged.sha(current.get("scores.csv"))
    scores_known = bool(state.scores) and state.scores == scores_sha  # results/ hold the rows the state speaks of
    scores = None if scores_known else read_scores(results / "scores.csv")  # read (and checked) only when needed
    status = _read_csv_str(current.get("collection.csv"), STATUS_COLUMNS, str(results / "collection.csv"), required=False)
    missing = [c for c in STATUS_COLUMNS[:8] if len(status.columns) and c not in status.columns]  # format, warnings: newer
    if missing:
        raise StoreError(f"{results / 'collection.csv'}: lacks column(s) {', '.join(missing)}: delete it to rebuild it")
    status = status.reindex(columns=STATUS_COLUMNS, fill_value="").set_index("source_id", drop=False)
    unmapped = read_table(current.get("unmapped_benchmarks.csv"), str(results / "unmapped_benchmarks.csv"), UNMAPPED_COLUMNS,
                          whole=("rows",))
    old_log = check_text(current.get("CHANGES.md", b""), str(results / "CHANGES.md"))

    todo, outcomes = [], {}
    for sid in source_ids:
        env = configs.sources[sid].api_key_env
        if env and mirror is None and not os.environ.get(env):
            outcomes[sid] = Outcome(sid, "skipped", message=f"set {env} to collect it")
        elif mirror is not None and not configs.sources[sid].mirror and configs.sources[sid].kind != "curated":
            outcomes[sid] = Outcome(sid, "skipped", message="live only: no mirror copy is declared")
        else:
            todo.append(sid)
    with _progress(progress) as bar, ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        task = bar.add_task("", total=len(todo))
        futures = {pool.submit(_collect_one, sid, configs, fetcher, Path(cache) / "parsed", state.sources.get(sid),
                               scores_known, current.get(f"{sid}.csv")): sid for sid in todo}
        done: dict[str, _Result] = {}
        for fut in as_completed(futures):  # merged below in the given order, whatever order they finish in
            done[futures[fut]] = fut.result()
            bar.update(task, advance=1, description=f"{futures[fut]}: {done[futures[fut]].outcome.status}")

    for sid in todo:  # new rows against the previous ones, in the given order
        res = done[sid]
        if res.norm is None:
            continue
        started = time.monotonic()
        scores = read_scores(results / "scores.csv") if scores is None else scores
        try:
            _score_rows(res, configs, scores, fetcher.mirror is not None)
        except Exception as exc:  # isolation, as in _collect_one
            res.outcome = _failed(sid, exc, Tally(res.outcome.requests, res.outcome.downloaded))
        res.norm, res.files = None, []  # a large source's tables are not held longer than needed
        res.outcome.seconds = round(res.outcome.seconds + time.monotonic() - started, 3)

    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    files: dict[str, bytes] = {}
    lines: list[str] = []
    replaced: dict[str, pd.DataFrame] = {}
    for sid in todo:
        res, o = done[sid], done[sid].outcome
        outcomes[sid] = o
        for msg in res.log:
            log(msg)
        prev = status.loc[sid].to_dict() if sid in status.index else dict.fromkeys(STATUS_COLUMNS, "")
        if o.status == "failed":
            # the same failure again keeps its first stamp: a source that keeps failing changes no file
            if not (prev["status"] == "failed" and prev["last_error"].partition(" ")[2] == o.message):
                prev.update(source_id=sid, status="failed", last_error=f"{stamp} {o.message}")
                status.loc[sid, STATUS_COLUMNS] = [prev[c] for c in STATUS_COLUMNS]
            log(f"{sid}: FAILED (previous rows kept): {o.message}")
            continue
        if res.scores is not None:
            unmapped = pd.concat([unmapped[unmapped["source_id"].ne(sid)], res.unmapped], ignore_index=True)
            if o.status == "updated":
                replaced[sid] = res.scores
            res.scores = None
        elif res.table is not None:
            files[f"{sid}.csv"] = res.table
        if res.side is not None:
            files[f"{res.side[0]}.csv"] = res.side[1]
        if not (o.status == "unchanged" and prev["status"] == "ok" and prev["files_sha256"] == res.sha
                and prev["format"] == res.format and prev["warnings"] == res.warnings):
            status.loc[sid, STATUS_COLUMNS] = [sid, "ok", str(o.rows), res.data_date, res.retrieved, today, "", res.sha,
                                               res.format, res.warnings]
        if o.status == "updated":
            note = f"; {o.message}" if o.message else ""  # what a guard kept or dropped, in the commit message too
            lines.append(changes.source_line(sid, o.rows, o.added, o.removed, o.changed, first=not prev["status"]) + note)
        log(f"{sid}: {o.status}, {o.rows} rows (+{o.added} -{o.removed} ~{o.changed}"
            + (f", {o.kept} kept from earlier fetches" if o.kept else "") + f"); format: {res.format or 'n/a'}")

    resolve_key = unchanged.resolve_key(configs)
    if replaced or not scores_known or state.resolve != resolve_key:  # else scores.csv holds these rows, so resolved
        scores = read_scores(results / "scores.csv") if scores is None else scores
        kept = scores[~scores["source_id"].isin(list(replaced))].drop(columns=["model_id", "derivation"])
        scores = pd.concat([kept, *(r.drop(columns=["model_id", "derivation"]) for r in replaced.values())], ignore_index=True)
        del kept
        replaced.clear()
        scores = validate(resolve(scores, configs)[SCORE_COLUMNS].reset_index(drop=True), SCORES_SCHEMA, str(results / "scores.csv"))
        order = scores[SCORE_SORT].sort_values(SCORE_SORT, kind="mergesort").index.to_numpy()  # the sort, not a sorted copy
        files["scores.csv"] = csv_bytes(scores, order=order)
        del scores
    files["collection.csv"] = csv_bytes(status.reset_index(drop=True)[STATUS_COLUMNS].fillna("").sort_values("source_id"))
    files["unmapped_benchmarks.csv"] = csv_bytes(
        unmapped.astype({"rows": int}).sort_values(["source_id", "benchmark_key"], kind="mergesort"))
    if lines:
        files["CHANGES.md"] = changes.add_section(old_log, today, "Sources", lines).encode("utf-8")
    written_files = transaction.commit(results, files)
    log(f"results: {', '.join(written_files) if written_files else 'nothing changed'}")
    state.scores = unchanged.sha(files["scores.csv"]) if "scores.csv" in files else scores_sha
    state.resolve = resolve_key
    for sid in todo:  # a failed source's rows (and entry) stay as they were
        if done[sid].outcome.status != "failed":
            if done[sid].entry is not None:
                state.sources[sid] = done[sid].entry
            else:
                state.sources.pop(sid, None)
    state.save(cache)
    return [outcomes[sid] for sid in source_ids]


def headline_sources(configs: Configs) -> dict[str, list[str]]:
    """Source id -> the headline benchmarks it feeds (self-reported sources only when the comparison counts them)."""
    out: dict[str, list[str]] = {}
    for bid in configs.settings.headline_benchmarks:
        for up in configs.benchmarks[bid].upstream:
            if configs.settings.include_self_reported or not configs.sources[up.source].self_reported:
                out.setdefault(up.source, [])
                if bid not in out[up.source]:
                    out[up.source].append(bid)
    return out


def problems(configs: Configs, outcomes: list[Outcome], scores: pd.DataFrame | None, today: str,
             check_age: bool = True) -> list[str]:
    """What makes a refresh red: a failed source that feeds a headline benchmark, and (live refreshes) a headline
    benchmark fed by the collected sources whose newest data is older than settings.stale_after_days (`scores`: the
    score rows, needed only then)."""
    feeds = headline_sources(configs)
    out = [f"{o.source_id} failed and feeds {', '.join(feeds[o.source_id])}: {o.message}"
           for o in outcomes if o.status == "failed" and o.source_id in feeds]
    if check_age and scores is not None:
        tried = {o.source_id for o in outcomes if o.status != "skipped"}
        limit = (dt.date.fromisoformat(today) - dt.timedelta(days=configs.settings.stale_after_days)).isoformat()
        newest = scores.groupby("benchmark_id")["as_of"].max() if len(scores) else pd.Series(dtype=str)
        for bid in configs.settings.headline_benchmarks:
            if not any(bid in feeds.get(sid, []) for sid in tried):
                continue
            date = newest.get(bid, "")
            if date and date < limit:  # no data at all yet (a first collection of one source) is not staleness
                out.append(f"{bid}: newest data {date} is older than {configs.settings.stale_after_days} days "
                           f"(stale_after_days in configs/settings.yaml)")
    return out


def exit_code(outcomes: list[Outcome], strict: bool = False, found: list[str] | None = None) -> int:
    """1 when every collected source failed, when `found` holds problems (see `problems`), or with `strict` when
    any source failed; else 0."""
    tried = [o for o in outcomes if o.status != "skipped"]
    failed = [o for o in tried if o.status == "failed"]
    return 1 if found or (failed and (strict or len(failed) == len(tried))) else 0


def outcome_table(outcomes: list[Outcome]) -> pd.DataFrame:
    return pd.DataFrame([asdict(o) for o in outcomes])

