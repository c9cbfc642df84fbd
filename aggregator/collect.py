"""Collect sources into results/: fetch -> parse -> normalise (benchmark catalog, units) -> resolve -> store.

Each source is isolated: a source that fails keeps its last good rows and its failure is recorded.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from pathlib import Path

import pandas as pd

from .collectors import collector
from .config import Configs
from .errors import AggregatorError, FetchError
from .fetch import Fetcher, RawFile, redact
from .resolve import resolve
from .store import PARSED_SCHEMA, SCORE_COLUMNS, csv_bytes, read_scores, validate, write_csv, write_scores

STATUS_COLUMNS = ["source_id", "status", "rows", "data_date", "retrieved_at", "last_success", "last_error", "files_sha256"]


@dataclass
class Outcome:
    source_id: str
    status: str  # updated | unchanged | failed | skipped
    rows: int = 0
    added: int = 0
    removed: int = 0
    changed: int = 0
    message: str = ""


@dataclass
class Normalised:
    scores: pd.DataFrame
    rejected: list[str]
    unmapped: pd.DataFrame


def normalise(parsed: pd.DataFrame, source_id: str, configs: Configs) -> Normalised:
    """Parsed rows -> catalog benchmarks and units. Impossible values are rejected with a message, never written."""
    parsed = validate(parsed, PARSED_SCHEMA, f"{source_id} parser output")
    keymap = configs.benchmark_key_map()
    pairs = pd.Series(list(zip([source_id] * len(parsed), parsed["benchmark_key"], strict=True)), index=parsed.index)
    mapped = pairs.map(lambda k: keymap.get(k))
    known = mapped.notna()
    unmapped = (parsed.loc[~known].groupby("benchmark_key", as_index=False).size()
                .rename(columns={"size": "rows"}).assign(source_id=source_id))[["source_id", "benchmark_key", "rows"]]
    df = parsed.loc[known].copy()
    df["benchmark_id"] = mapped[known].map(lambda t: t[0])
    scale = mapped[known].map(lambda t: t[1]).astype(float)
    for col in ("score", "ci_lower", "ci_upper"):
        df[col] = df[col] * scale
    df["unit"] = df["benchmark_id"].map(lambda b: configs.benchmarks[b].unit)
    lo = df["unit"].map(lambda u: configs.units[u].min).astype(float).fillna(float("-inf"))
    hi = df["unit"].map(lambda u: configs.units[u].max).astype(float).fillna(float("inf"))
    bad = ~df["score"].between(lo, hi)
    rejected = [
        f"{source_id}: {r.source_url}: row {i} ({r.source_model_name!r}, {r.benchmark_key}): score {r.score:g} "
        f"outside {configs.units[r.unit].label} range [{lo[i]:g}, {hi[i]:g}]"
        for i, r in df[bad].iterrows()
    ]
    df = df[~bad]
    df["source_id"] = source_id
    if configs.sources[source_id].self_reported:
        df["self_reported"] = True
    df = df.drop(columns=["benchmark_key"])
    df["model_id"], df["derivation"] = "", "unmatched"
    return Normalised(df[SCORE_COLUMNS].reset_index(drop=True), rejected, unmapped)


def _diff_counts(old: pd.DataFrame, new: pd.DataFrame) -> tuple[int, int, int]:
    key = ["source_model_name", "benchmark_id", "setting", "as_of"]
    o = old.drop_duplicates(key).set_index(key)["score"]
    n = new.drop_duplicates(key).set_index(key)["score"]
    added = len(n.index.difference(o.index))
    removed = len(o.index.difference(n.index))
    common = n.index.intersection(o.index)
    changed = int((n.loc[common].round(4) != o.loc[common].round(4)).sum())
    return added, removed, changed


def _read_status(path: Path) -> pd.DataFrame:
    if path.exists():
        return pd.read_csv(path, dtype=str, keep_default_na=False)
    return pd.DataFrame(columns=STATUS_COLUMNS)


def collect(configs: Configs, source_ids: list[str], results: Path, cache: Path, mirror: Path | None = None,
            log=print) -> list[Outcome]:
    """Collect the given sources; returns one Outcome per source. Never raises for a single source's failure."""
    fetcher = Fetcher(cache, mirror)
    scores_path = results / "scores.csv"
    scores = read_scores(scores_path)
    status = _read_status(results / "collection.csv").set_index("source_id", drop=False)
    unmapped_path = results / "unmapped_benchmarks.csv"
    unmapped = pd.read_csv(unmapped_path, dtype={"rows": int}, keep_default_na=False) if unmapped_path.exists() \
        else pd.DataFrame(columns=["source_id", "benchmark_key", "rows"])
    today = dt.datetime.now(dt.UTC).date().isoformat()
    outcomes = []
    for sid in source_ids:
        source = configs.sources[sid]
        if source.api_key_env and mirror is None:
            import os
            if not os.environ.get(source.api_key_env):
                log(f"{sid}: skipped (set {source.api_key_env} to collect it)")
                outcomes.append(Outcome(sid, "skipped"))
                continue
        try:
            mod = collector(sid)
            files: list[RawFile] = mod.fetch(fetcher, source, configs)
            if not files:
                raise FetchError(f"{sid}: no files fetched")
            sha = ",".join(f.sha256[:12] for f in sorted(files, key=lambda f: f.name))
            prev = status.loc[sid] if sid in status.index else None
            if prev is not None and prev["files_sha256"] == sha and prev["status"] != "failed" and mirror is None:
                outcomes.append(Outcome(sid, "unchanged", int(prev["rows"])))
                log(f"{sid}: unchanged")
                continue
            parsed = mod.parse(files)
            retrieved = max(f.retrieved_at for f in files)
            if source.kind == "models":
                if parsed.empty:
                    raise AggregatorError(f"{sid}: parser returned no rows")
                old_path = results / f"{sid}.csv"
                old_n = len(pd.read_csv(old_path, dtype=str)) if old_path.exists() else 0
                if old_n and len(parsed) < old_n / 2:
                    raise AggregatorError(f"{sid}: row count dropped from {old_n} to {len(parsed)} (more than half)")
                write_csv(old_path, parsed, sort=list(parsed.columns[:2]))
                n_rows, added, removed, changed, data_date = len(parsed), max(len(parsed) - old_n, 0), max(old_n - len(parsed), 0), 0, retrieved
            else:
                norm = normalise(parsed, sid, configs)
                for msg in norm.rejected:
                    log(f"rejected: {msg}")
                new = norm.scores
                if new.empty:
                    raise AggregatorError(f"{sid}: no score rows after normalisation")
                old = scores[scores["source_id"].eq(sid)]
                if len(old) and len(new) < len(old) / 2:
                    raise AggregatorError(f"{sid}: row count dropped from {len(old)} to {len(new)} (more than half)")
                added, removed, changed = _diff_counts(old, new)
                scores = pd.concat([scores[scores["source_id"].ne(sid)], new], ignore_index=True)
                unmapped = pd.concat([unmapped[unmapped["source_id"].ne(sid)], norm.unmapped], ignore_index=True)
                n_rows, data_date = len(new), new["as_of"].max()
                if len(norm.unmapped):
                    log(f"{sid}: {int(norm.unmapped['rows'].sum())} rows under {len(norm.unmapped)} benchmark keys not in the catalog "
                        f"(see {unmapped_path.name})")
            status.loc[sid, STATUS_COLUMNS] = [sid, "ok", str(n_rows), data_date, retrieved, today, "", sha]
            outcomes.append(Outcome(sid, "updated", n_rows, added, removed, changed))
            log(f"{sid}: {n_rows} rows (+{added} -{removed} ~{changed})")
        except (AggregatorError, KeyError, OSError) as exc:
            msg = redact(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
            row = status.loc[sid].to_dict() if sid in status.index else dict.fromkeys(STATUS_COLUMNS, "")
            row.update(source_id=sid, status="failed", last_error=f"{today}: {msg}")
            status.loc[sid, STATUS_COLUMNS] = [row[c] for c in STATUS_COLUMNS]
            outcomes.append(Outcome(sid, "failed", message=msg))
            log(f"{sid}: FAILED: {msg}")
    scores = resolve(scores.drop(columns=["model_id", "derivation"]), configs)[SCORE_COLUMNS]
    write_scores(scores_path, scores)
    write_csv(results / "collection.csv", status.reset_index(drop=True)[STATUS_COLUMNS].fillna(""), sort=["source_id"])
    write_csv(unmapped_path, unmapped.astype({"rows": int}), sort=["source_id", "benchmark_key"])
    return outcomes


def outcome_table(outcomes: list[Outcome]) -> pd.DataFrame:
    return pd.DataFrame([asdict(o) for o in outcomes])


__all__ = ["collect", "normalise", "Outcome", "outcome_table", "csv_bytes"]
