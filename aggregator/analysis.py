"""The comparison: which scores count, frontiers by hardware class, the gap, months behind, adoption.

All functions are pure and vectorised over DataFrames; charts and the report only format what these return.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .config import Configs
from .hardware import SCENARIOS
from .hardware import scenario_class as comparison_class
from .resolve import lab_name, per_distinct, per_value, row_groups

CLASSES = ["domestic", "nvidia", "other", "mixed", "unknown"]
DAYS_PER_MONTH = 365.25 / 12


@dataclass(frozen=True)
class Options:
    """What enters the comparison. Every option changes the numbers, and the report states them."""

    scenario: str = "default"  # which hardware claims count: strict | default | widest (hardware.SCENARIOS)
    include_self_reported: bool = False
    since: str | None = None  # YYYY-MM: only models released from then on
    include_finetunes: bool = False


def options_from(configs: Configs, **overrides) -> Options:
    base = {"scenario": configs.settings.scenario, "include_self_reported": configs.settings.include_self_reported}
    base.update({k: v for k, v in overrides.items() if v is not None})
    return Options(**base)


POINT_COLUMNS = ["benchmark_id", "model_id", "display_name", "developer", "developer_country", "hardware_class",
                 "claimed_class", "status", "domestic_chips", *(f"class_{s}" for s in SCENARIOS), "release_date",
                 "release_label", "release_precision", "release_low", "release_high", "score", "ci_lower", "ci_upper",
                 "setting", "as_of", "source_id", "source_url", "self_reported"]
_POINT_INPUTS = ["benchmark_id", "model_id", "source_id", "setting", "score", "ci_lower", "ci_upper", "as_of", "source_url",
                 "self_reported", "model_release_date"]


def points(scores: pd.DataFrame, models: pd.DataFrame, configs: Configs, opts: Options) -> pd.DataFrame:
    """One row per (benchmark, model): the score that enters the comparison, with release date and class.

    Rules: resolved rows only (fine-tunes only when asked); agent systems out; self-reported out unless asked;
    the benchmark's headline setting only; per model, the primary source when it has that model;
    per model the best run (any setting) within the newest snapshot of the board that lists it. A source whose rows
    carry run dates (`row_dates: run`) is one snapshot: all of its runs of the benchmark count, the best wins.
    """
    bench = configs.benchmarks
    ok = scores["derivation"].isin(["alias", "name"] + (["finetune"] if opts.include_finetunes else []))
    ok &= ~scores["is_system"] & scores["benchmark_id"].isin(bench.keys())
    if not opts.include_self_reported:
        ok &= ~scores["self_reported"]
    df = scores.loc[ok, _POINT_INPUTS]  # one filter, of the columns used below only
    df = df.assign(_pair=row_groups(df, ["benchmark_id", "model_id"])[0])  # (benchmark, model) as one integer
    is_primary = (df["source_id"].to_numpy(dtype=object) == per_value(df["benchmark_id"], {k: b.primary_source for k, b in bench.items()}))
    has_primary = np.bincount(df["_pair"], weights=is_primary, minlength=1) > 0
    df = df[is_primary | ~has_primary[df["_pair"]]]
    wanted = {k: b.headline_setting or "" for k, b in bench.items()}
    latest_key = {k: h.removeprefix("@latest:") for k, h in wanted.items() if h.startswith("@latest:")}
    headline = per_value(df["benchmark_id"], {k: h for k, h in wanted.items() if k not in latest_key}, "")
    keep = (headline == "") | (df["setting"].to_numpy(dtype=object) == headline)
    df = df[keep]
    key = pd.Series(per_value(df["benchmark_id"], latest_key), index=df.index)
    if key.notna().any():
        # "@latest:<key>": only the newest value of that setting key (e.g. a LiveBench release: task sets differ)
        pairs = pd.DataFrame({"setting": df["setting"], "key": key})
        groups, first = row_groups(pairs, ["setting", "key"])  # one lookup per distinct (setting, key)
        val = np.array([None if k is None else _setting_value(st, k)
                        for st, k in zip(pairs["setting"].to_numpy()[first], key.to_numpy()[first], strict=True)], dtype=object)[groups]
        rank, _ = pd.factorize(pd.Series(val, dtype=object), sort=True)  # -1: no value
        newest = pd.Series(rank).groupby(df["benchmark_id"].to_numpy()).transform("max").to_numpy()
        df = df[(rank == -1) | (rank == newest)]
    if df.empty:
        return pd.DataFrame(columns=POINT_COLUMNS)
    higher = per_value(df["benchmark_id"], {k: b.higher_is_better for k, b in bench.items()}, True).astype(bool)
    snapshot, _ = pd.factorize(snapshot_dates(df, configs), sort=True)
    newest = pd.Series(snapshot).groupby(df["_pair"].to_numpy()).transform("max").to_numpy()
    df = df.assign(_key=np.where(higher, df["score"], -df["score"]))[snapshot == newest]
    df = df.sort_values(["benchmark_id", "model_id", "_key", "setting", "source_url"], ascending=[True, True, False, True, True],
                        kind="mergesort")
    best = df.drop_duplicates("_pair").drop(columns=["_key", "_pair"])
    at = models["model_id"].to_numpy(dtype=object)
    pos = pd.Index(at).get_indexer(best["model_id"])  # each point's row in the model table (-1: not in it)

    def model_col(col: pd.Series, default: np.ndarray | str) -> np.ndarray:
        return np.where(pos >= 0, col.to_numpy(dtype=object)[pos], default)

    ids = best["model_id"].to_numpy(dtype=object)
    classes = {s: model_col(comparison_class(models, s), "unknown") for s in SCENARIOS}
    best = best.assign(hardware_class=classes[opts.scenario], **{f"class_{s}": c for s, c in classes.items()},
                       domestic_chips=model_col(domestic_side(models, configs), False).astype(bool),
                       claimed_class=model_col(models["hardware_class"], "unknown"), status=model_col(models["status"], "unknown"),
                       display_name=model_col(models["display_name"], ids), developer=model_col(models["developer"], ""),
                       developer_country=model_col(models["developer_country"], ""))
    reg_date = pd.Series(model_col(models["release_date"], ""), index=best.index, dtype="str")
    release = reg_date.where(reg_date.ne(""), best["model_release_date"])
    undated = release.eq("")
    if undated.any():  # no release date anywhere: the first snapshot that lists the model
        seen = scores.loc[scores["model_id"].isin(best.loc[undated, "model_id"]), ["model_id", "as_of"]]
        release = release.where(~undated, best["model_id"].map(seen.groupby("model_id")["as_of"].min()))
    span = date_ranges(release, cap=pd.Timestamp(data_date(scores)))
    best = best.assign(release_date=span["mid"], release_low=span["low"], release_high=span["high"],
                       release_precision=span["precision"], release_label=release.where(span["mid"].notna(), ""))
    best = best[best["release_date"].notna()]
    if opts.since:
        best = best[best["release_date"] >= pd.Timestamp(opts.since + "-01")]
    cols = POINT_COLUMNS
    best = best[cols].sort_values(["benchmark_id", "release_date", "model_id"], kind="mergesort").reset_index(drop=True)
    return best.astype({c: object for c in cols if best[c].dtype == "str"})


def snapshot_dates(rows: pd.DataFrame, configs: Configs) -> pd.Series:
    """The date of the board snapshot each score row belongs to: its as_of for sources published as dated snapshots;
    for sources whose rows carry run dates, the newest date of that source and benchmark (the collected files are
    one snapshot of the board, holding runs of many dates)."""
    run_dated = [s.id for s in configs.sources.values() if s.row_dates == "run"]
    runs = rows["source_id"].isin(run_dated)
    if not runs.any():
        return rows["as_of"]
    newest = rows.loc[runs].groupby(["source_id", "benchmark_id"])["as_of"].transform("max")
    return rows["as_of"].where(~runs, newest)


def _setting_value(setting: str, key: str) -> str | None:
    for part in setting.split(";"):
        k, _, v = part.partition("=")
        if k == key:
            return v
    return None


def _signed(pts: pd.DataFrame, higher_is_better: bool | dict[str, bool]) -> pd.Series:
    """Scores signed so that more is better: one direction for all rows, or per benchmark id."""
    if isinstance(higher_is_better, dict):
        sign = pts["benchmark_id"].map({k: 1.0 if v else -1.0 for k, v in higher_is_better.items()})
        return pts["score"] * sign.astype("float64")
    return pts["score"] if higher_is_better else -pts["score"]


def frontier(pts: pd.DataFrame, higher_is_better: bool | dict[str, bool] = True) -> pd.DataFrame:
    """Best score so far by class: one row per record-setting model (a step series), per benchmark and class.
    higher_is_better: for every row, or a benchmark id -> direction map (all benchmarks in one pass)."""
    if pts.empty:
        return pts.assign(frontier=pd.Series(dtype=float))
    df = pts.assign(_key=_signed(pts, higher_is_better)).sort_values(
        ["benchmark_id", "hardware_class", "release_date", "_key"], ascending=[True, True, True, False], kind="mergesort")
    groups = [df["benchmark_id"], df["hardware_class"]]
    prev = df["_key"].groupby(groups).cummax().groupby(groups).shift()
    out = df[prev.isna() | (df["_key"] > prev)].drop(columns="_key")
    out["frontier"] = out["score"]
    return out.reset_index(drop=True)


def frontier_at(front: pd.DataFrame, dates: pd.DatetimeIndex) -> pd.Series:
    """Value of one class's frontier (rows of `frontier` for one benchmark and class) at each date; NaN before it starts."""
    if front.empty:
        return pd.Series(np.nan, index=dates)
    s = front.groupby("release_date")["frontier"].last().sort_index()
    return s.reindex(s.index.union(dates)).ffill().reindex(dates)


def gap_series(front: pd.DataFrame, higher_is_better: bool = True, a: str = "nvidia", b: str = "domestic") -> pd.DataFrame:
    """For one benchmark: at every date a frontier moves, frontier(a) - frontier(b), signed so positive = b behind."""
    fa, fb = front[front["hardware_class"] == a], front[front["hardware_class"] == b]
    if fa.empty or fb.empty:
        return pd.DataFrame(columns=["date", a, b, "gap"])
    dates = pd.DatetimeIndex(sorted(set(fa["release_date"]) | set(fb["release_date"])))
    va, vb = frontier_at(fa, dates), frontier_at(fb, dates)
    gap = (va - vb) if higher_is_better else (vb - va)
    out = pd.DataFrame({"date": dates, a: va.values, b: vb.values, "gap": gap.values}).dropna()
    return out.reset_index(drop=True)


def months_behind(front: pd.DataFrame, as_of: pd.Timestamp, higher_is_better: bool = True,
                  a: str = "nvidia", b: str = "domestic") -> dict | None:
    """How long before `as_of` class a's frontier first reached class b's best score today.

    Returns {best_b, reached_on, reached_label, months, months_range, ahead}. months is negative when a reached it
    only after as_of, None when a never reached it; ahead is True in both cases. When the reaching model's release
    date is known to the month or year only, reached_on is the middle of its possible range and months_range gives
    the months for the range's ends (else None). None when either class has no score.
    """
    fa, fb = front[front["hardware_class"] == a], front[front["hardware_class"] == b]
    if fa.empty or fb.empty:
        return None
    best_b = fb["frontier"].max() if higher_is_better else fb["frontier"].min()
    reached = fa[fa["frontier"] >= best_b] if higher_is_better else fa[fa["frontier"] <= best_b]
    if reached.empty:
        return {"best_b": float(best_b), "reached_on": None, "reached_label": "", "months": None, "months_range": None,
                "ahead": True}
    first = reached.sort_values("release_date", kind="mergesort").iloc[0]

    def months(date: pd.Timestamp) -> float:
        return round((as_of - date).days / DAYS_PER_MONTH, 1)

    exact = first.get("release_precision", "day") in ("day", "")
    label = str(first.get("release_label", "") or first["release_date"].strftime("%Y-%m-%d"))
    span = None if exact else (months(first["release_high"]), months(first["release_low"]))
    m = months(first["release_date"])
    return {"best_b": float(best_b), "reached_on": first["release_date"], "reached_label": label, "months": m,
            "months_range": span, "ahead": m < 0}


def months_text(mb: dict | None) -> str:
    """Months behind as the report and charts print it: '3.2', '3.2 (0.1 to 6.3)', '-0.4 (ahead)', 'ahead: ...'."""
    if mb is None:
        return "–"
    if mb["months"] is None:
        return "ahead: not reached by Nvidia-trained"
    text = f"{mb['months']:.1f}" + (f" ({mb['months_range'][0]:.1f} to {mb['months_range'][1]:.1f})" if mb["months_range"] else "")
    return text + (" (ahead)" if mb["months"] < 0 else "")


def best_now(pts: pd.DataFrame, higher_is_better: bool | dict[str, bool] = True) -> pd.DataFrame:
    """Best model per benchmark and class, best first (ties: earliest release, then id)."""
    if pts.empty:
        return pts
    df = pts.assign(_key=_signed(pts, higher_is_better)).sort_values(
        ["_key", "release_date", "model_id"], ascending=[False, True, True], kind="mergesort")
    return df.drop_duplicates(["benchmark_id", "hardware_class"]).drop(columns="_key").reset_index(drop=True)


def is_original(models: pd.DataFrame) -> pd.Series:
    """Models that are a new data point: not a variant, fine-tune, quantization or distillation of another model
    (continued pretraining on a base is a new training run: it counts)."""
    derivation = models["derivation"].fillna("")
    return (models["derived_from"].fillna("").eq("") & derivation.eq("")) | derivation.eq("continued-pretraining")


def count_table(rows: pd.Series, cols: pd.Series, columns: list[str]) -> pd.DataFrame:
    """pd.crosstab(rows, cols) with exactly these columns (zeros where none), in half the time."""
    if not len(rows):
        return pd.crosstab(rows, cols).reindex(columns=columns, fill_value=0)
    return cols.groupby(rows).value_counts().unstack(fill_value=0).reindex(columns=columns, fill_value=0)


def date_ranges(dates: pd.Series, cap: pd.Timestamp | None = None) -> pd.DataFrame:
    """Dates with their precision: 'YYYY-MM-DD', 'YYYY-MM' or 'YYYY' -> precision (day | month | year), low and high
    (the first and last day the date can mean; high no later than `cap`, e.g. the data date, and never before low)
    and mid (the middle of that range, where a date known to the month or year only is drawn). Unreadable: NaT, ''.
    One fixed format, parsed once per distinct value."""
    codes, uniq = pd.factorize(dates.fillna("").astype(str), use_na_sentinel=False)
    parts = pd.Series(uniq, dtype=object).str.extract(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$", expand=True)
    low = pd.to_datetime(parts[0] + "-" + parts[1].fillna("01") + "-" + parts[2].fillna("01"), format="%Y-%m-%d",
                         errors="coerce")
    day, month = parts[2].notna(), parts[1].notna() & parts[2].isna()
    precision = pd.Series(np.select([low.isna(), day, month], ["", "day", "month"], "year"), dtype=object)
    high = low.where(day, (low + pd.offsets.MonthEnd(0)).where(month, low + pd.offsets.YearEnd(0)))
    if cap is not None:
        high = high.where(high <= cap, cap).where(lambda h: h >= low, low)
    mid = (low + (high - low) / 2).dt.floor("D")
    out = pd.DataFrame({"precision": precision, "low": low, "high": high, "mid": mid})
    return out.iloc[codes].set_axis(dates.index)


def release_periods(dates: pd.Series, cap: pd.Timestamp | None = None) -> pd.Series:
    """Half-year ('2025-H1') of each release date; a date whose possible range spans both halves of a year (a year-only
    date) gets its year ('2025 (year only)'); unreadable: None."""
    r = date_ranges(dates, cap)
    half = lambda d: d.dt.year.astype("Int64").astype(str) + np.where(d.dt.month <= 6, "-H1", "-H2")  # noqa: E731
    lo, hi = half(r["low"]), half(r["high"])
    return lo.where(lo.eq(hi), r["low"].dt.year.astype("Int64").astype(str) + " (year only)").where(r["low"].notna(), None)


def adoption(models: pd.DataFrame, country: str, scenario: str, since: str = "2023-01",
             as_of: pd.Timestamp | None = None) -> pd.DataFrame:
    """Among the country's developers' models released since `since` (the middle of a release date's possible range,
    ranges ending no later than `as_of`): counts by half-year and class under the scenario, and how many of them are
    contested (their claimed class counts only in the widest scenario); a year-only date counts under its year."""
    df = models[(models["developer_country"].str.casefold() == country.casefold()) & is_original(models)]
    df = df.assign(cls=comparison_class(df, scenario), date=date_ranges(df["release_date"], as_of)["mid"])
    df = df[df["date"] >= pd.Timestamp(since + "-01")]
    if df.empty:
        return pd.DataFrame(columns=["period", *CLASSES, "contested"])
    period = release_periods(df["release_date"], as_of)
    t = count_table(period, df["cls"], CLASSES)
    t["contested"] = df["status"].eq("contested").groupby(period).sum().reindex(t.index, fill_value=0).astype(int)
    return t.rename_axis("period").reset_index()


def lab_of(developer: pd.Series) -> pd.Series:
    """The lab a developer string belongs to (resolve.lab_name): 'Alibaba (Qwen team)' -> 'Alibaba'."""
    return pd.Series(per_distinct(developer.fillna(""), lab_name), index=developer.index, dtype=object)


def adoption_by_lab(models: pd.DataFrame, country: str, scenario: str) -> pd.DataFrame:
    df = models[(models["developer_country"].str.casefold() == country.casefold()) & is_original(models)]
    if df.empty:
        return pd.DataFrame(columns=["developer", *CLASSES])
    t = count_table(lab_of(df["developer"]), comparison_class(df, scenario), CLASSES)
    t = t[t.sum(axis=1) > 0]
    return t.assign(_n=t.sum(axis=1)).sort_values(["_n"], ascending=False, kind="mergesort").drop(columns="_n").rename_axis("developer").reset_index()


def coverage(pts: pd.DataFrame) -> pd.DataFrame:
    """Models with a score per benchmark and class: where the comparison is thin."""
    if pts.empty:
        return pd.DataFrame(columns=["benchmark_id", *CLASSES])
    return count_table(pts["benchmark_id"], pts["hardware_class"], CLASSES).rename_axis("benchmark_id").reset_index()


def uncurated(scores: pd.DataFrame, known: set[str] | dict) -> pd.DataFrame:
    """Per source: benchmark ids the catalog does not know ('<source>:<key>', kept in scores.csv, never compared),
    their rows and models, and the ids with the most rows."""
    u = scores.loc[~scores["benchmark_id"].isin(known), ["source_id", "benchmark_id", "source_model_name"]]
    if u.empty:
        return pd.DataFrame(columns=["source_id", "benchmarks", "rows", "names", "largest"])
    per = u.groupby(["source_id", "benchmark_id"]).size().rename("n").reset_index()
    per = per.sort_values(["source_id", "n", "benchmark_id"], ascending=[True, False, True], kind="mergesort")
    top = per.groupby("source_id").head(3).groupby("source_id").apply(
        lambda g: list(zip(g["benchmark_id"], g["n"], strict=True)), include_groups=False)
    g = u.groupby("source_id").agg(benchmarks=("benchmark_id", "nunique"), rows=("benchmark_id", "size"),
                                   names=("source_model_name", "nunique"))
    return g.assign(largest=top).reset_index()


def data_date(scores: pd.DataFrame) -> str:
    return str(scores["as_of"].max()) if len(scores) else dt.date.today().isoformat()


# --- the domestic side's own numbers ---------------------------------------------------------------------------

def domestic_side(models: pd.DataFrame, configs: Configs) -> pd.Series:
    """Models with a domestic-side claim: class domestic, or mixed with a domestic chip among its accelerators; any
    status but unknown."""
    dom_ids = {a for a, c in configs.hardware_class_of.items() if c == "domestic"}
    uses = pd.Series(per_distinct(models["accelerators"].fillna(""), lambda s: bool(dom_ids.intersection(s.split(";")))),
                     index=models.index, dtype=bool)
    return models["hardware_class"].isin(["domestic", "mixed"]) & uses & models["status"].ne("unknown")


OWN_COLUMNS = ["model_id", "display_name", "hardware_class", "status", "source_url", "as_of", "table", "stated", "benchmark_id",
               "setting", "score", "peers", "nv_model", "nv_name", "nv_score", "gap", "any_name", "any_score", "any_class"]


def split_table(setting: pd.Series) -> pd.DataFrame:
    """A curated row's setting 'table=<ref>;all=<text>;column=<text>' as its parts: table, stated (what the table states
    for every cell), setting (for this column)."""
    parts = setting.str.extract(r"^table=(?P<table>[^;]*)(?:;all=(?P<stated>[^;]*))?(?:;column=(?P<setting>.*))?$")
    return parts.fillna("")


def own_numbers(scores: pd.DataFrame, models: pd.DataFrame, configs: Configs, scenario: str) -> pd.DataFrame:
    """Developer-reported tables (curated sources): for each model with a credible domestic-side claim (class domestic
    or mixed with domestic chips, any status but unknown, not resting on weak claims only) and each published table, per benchmark and setting: its score, the best
    Nvidia-trained peer of the same table (class under `scenario`), the gap (positive: the domestic-side model is
    behind) and the best peer of any hardware. Like for like: only rows of one table, one benchmark, one setting."""
    curated = [s.id for s in configs.sources.values() if s.kind == "curated"]
    rep = scores[scores["source_id"].isin(curated) & scores["model_id"].ne("")]
    if rep.empty:
        return pd.DataFrame(columns=OWN_COLUMNS)
    m = models.set_index("model_id")
    side = set(models.loc[domestic_side(models, configs) & models["confidence"].ne("inferred"), "model_id"])
    parts = split_table(rep["setting"])
    rep = rep[["model_id", "benchmark_id", "score", "source_url", "as_of"]].assign(
        table=parts["table"], stated=parts["stated"], setting=parts["setting"], cls=rep["model_id"].map(comparison_class(models, scenario).set_axis(models["model_id"])).fillna("unknown"),
        claimed=rep["model_id"].map(m["hardware_class"]).fillna("unknown"), status=rep["model_id"].map(m["status"]).fillna("unknown"),
        name=rep["model_id"].map(m["display_name"]).fillna(rep["model_id"]))
    higher = rep["benchmark_id"].map({k: b.higher_is_better for k, b in configs.benchmarks.items()}).astype(bool)
    rep = rep.assign(sign=np.where(higher, rep["score"], -rep["score"]), higher=higher, mine=rep["model_id"].isin(side))
    tables: dict[tuple, list] = {}  # one published table's rows of one benchmark and setting, in order of appearance
    for r in rep.itertuples(index=False):
        tables.setdefault((r.source_url, r.table, r.benchmark_id, r.setting), []).append(r)
    out = []
    for rows in tables.values():
        if not any(r.mine for r in rows):
            continue
        rows = sorted(rows, key=lambda r: (-r.sign, r.model_id))  # best first (stable: ties keep their order)
        for r in (r for r in rows if r.mine):
            peers = [p for p in rows if p.model_id != r.model_id]
            nv, top = next((p for p in peers if p.cls == "nvidia"), None), (peers[0] if peers else None)
            gap = np.nan if nv is None else (nv.score - r.score) if r.higher else (r.score - nv.score)
            out.append({"model_id": r.model_id, "display_name": r.name, "hardware_class": r.claimed, "status": r.status,
                        "source_url": r.source_url, "as_of": r.as_of, "table": r.table, "stated": r.stated,
                        "benchmark_id": r.benchmark_id, "setting": r.setting, "score": r.score, "peers": len(peers),
                        "nv_model": nv.model_id if nv else "", "nv_name": nv.name if nv else "",
                        "nv_score": nv.score if nv else np.nan, "gap": gap, "any_name": top.name if top else "",
                        "any_score": top.score if top else np.nan, "any_class": top.cls if top else ""})
    df = pd.DataFrame(out, columns=OWN_COLUMNS)
    return df.sort_values(["as_of", "model_id", "source_url", "table", "benchmark_id", "setting"], ascending=[False, True, True, True, True, True],
                          kind="mergesort").reset_index(drop=True)


def domestic_side_sources(scores: pd.DataFrame, models: pd.DataFrame, configs: Configs, benchmark_ids: list[str]) -> dict[str, list[str]]:
    """Per benchmark: which kinds of source hold a number for a model with a domestic-side claim (domestic or mixed,
    any status but unknown), each with the models: independent leaderboards, leaderboards of the country under study,
    developer-reported results."""
    side = models[domestic_side(models, configs)].set_index("model_id")
    rows = scores[scores["benchmark_id"].isin(benchmark_ids) & scores["model_id"].isin(side.index)
                  & scores["derivation"].isin(["alias", "name"]) & ~scores["is_system"]]
    country = configs.settings.country_under_study.casefold()
    region = {s.id: s.region.casefold() for s in configs.sources.values()}
    kind = np.where(rows["self_reported"], "developer-reported",
                    np.where(rows["source_id"].map(region).eq(country), f"{configs.settings.country_under_study} leaderboard",
                             "independent"))
    out: dict[str, list[str]] = {b: [] for b in benchmark_ids}
    df = rows.assign(kind=kind)[["benchmark_id", "kind", "model_id"]].drop_duplicates()
    for (bid, k), g in df.groupby(["benchmark_id", "kind"], sort=True):
        names = [f"{side.at[mid, 'display_name']} ({side.at[mid, 'hardware_class']}, {side.at[mid, 'status']})" for mid in sorted(g["model_id"])]
        out[bid].append(f"{k}: " + ", ".join(names))
    return out


def own_overview(own: pd.DataFrame) -> pd.DataFrame:
    """One row per domestic-side model and published table: benchmarks, how many have a Nvidia-trained peer in the
    table, the median gap to the best of them (positive: behind), and on how many it is ahead / behind / level."""
    cols = ["model_id", "display_name", "hardware_class", "status", "source_url", "as_of", "table", "benchmarks",
            "compared", "median_gap", "ahead", "behind", "level", "peers"]
    if own.empty:
        return pd.DataFrame(columns=cols)
    g = own.groupby(["model_id", "source_url", "table"], sort=False)
    out = g.agg(display_name=("display_name", "first"), hardware_class=("hardware_class", "first"),
                status=("status", "first"), as_of=("as_of", "first"), benchmarks=("benchmark_id", "size"),
                compared=("gap", "count"), median_gap=("gap", "median"), ahead=("gap", lambda x: int((x < 0).sum())),
                behind=("gap", lambda x: int((x > 0).sum())), level=("gap", lambda x: int((x == 0).sum())),
                peers=("nv_name", lambda x: ", ".join(sorted({n for n in x if n}))))
    out = out.reset_index()[cols]
    return out.sort_values(["as_of", "display_name", "table"], ascending=[False, True, True], kind="mergesort").reset_index(drop=True)
