"""results/ -> charts + REPORT.md. Offline, deterministic: the same inputs give the same bytes."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from jinja2 import Environment, PackageLoader, StrictUndefined

from . import analysis as an
from . import charts
from .config import Configs
from .resolve import resolve, resolved_share, unmatched_table
from .store import SCORE_COLUMNS, atomic_write_bytes, read_scores, write_csv, write_scores

MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|~])")


def md(text: object) -> str:
    """Escape an upstream string for a markdown table cell: no table breaks, no HTML, no links, one line."""
    s = "" if text is None or (isinstance(text, float) and pd.isna(text)) else str(text)
    s = re.sub(r"[\r\n\t]+", " ", s)
    return MD_SPECIAL.sub(r"\\\1", s).replace("|", "&#124;").replace("\\&#124;", "&#124;")


def link(text: object, url: object) -> str:
    u = str(url or "")
    if not re.match(r"^https?://[^\s<>()]+$", u):
        return md(text)
    return f"[{md(text)}]({u})"


def fmt(x: object, nd: int = 1) -> str:
    if x is None or (isinstance(x, float) and pd.isna(x)):
        return "–"
    return f"{float(x):,.{nd}f}"


@dataclass
class BenchResult:
    id: str
    name: str
    unit: str
    higher: bool
    points: pd.DataFrame
    front: pd.DataFrame
    best: pd.DataFrame
    gap: pd.DataFrame
    months: dict | None
    chart: str = ""
    gap_year_ago: float | None = None
    sources: list[str] = field(default_factory=list)


def load_models(configs: Configs, results: Path) -> pd.DataFrame:
    from .hardware import build_model_table

    epoch_path = results / "epoch_ai_models.csv"
    epoch = pd.read_csv(epoch_path, dtype=str, keep_default_na=False) if epoch_path.exists() else None
    models = build_model_table(configs, epoch)
    names = {a.id: a.name for a in configs.accelerators.values()}
    models["accelerator_names"] = models["accelerators"].fillna("").map(
        lambda ids: ", ".join(names.get(i, i) for i in ids.split(";") if i))
    return models


def _bench(configs: Configs, bid: str, pts: pd.DataFrame, as_of: pd.Timestamp) -> BenchResult:
    b = configs.benchmarks[bid]
    p = pts[pts["benchmark_id"] == bid]
    front = an.frontier(p, b.higher_is_better)
    gap = an.gap_series(front, b.higher_is_better)
    months = an.months_behind(front, as_of, b.higher_is_better)
    year_ago = None
    if len(gap):
        before = gap[gap["date"] <= as_of - pd.DateOffset(years=1)]
        year_ago = float(before["gap"].iloc[-1]) if len(before) else None
    return BenchResult(bid, b.name, configs.units[b.unit].label, b.higher_is_better, p, front,
                       an.best_now(p, b.higher_is_better), gap, months, gap_year_ago=year_ago,
                       sources=sorted(p["source_id"].unique()))


def _watch_status(configs: Configs, scores: pd.DataFrame, models: pd.DataFrame, pts: pd.DataFrame) -> list[dict]:
    out = []
    reg = models.set_index("model_id")
    for w in configs.watchlist:
        if w.kind == "lab":
            mine = models[models["developer"].str.casefold() == w.developer.casefold()]
            mine = mine[an.is_original(mine)]
            counts = mine["hardware_class"].value_counts().reindex(an.CLASSES, fill_value=0)
            dom = mine[mine["hardware_class"].isin(["domestic", "mixed"])].sort_values("release_date", kind="mergesort")
            latest = mine.sort_values(["release_date", "model_id"], kind="mergesort").tail(1)
            out.append({"item": w, "models": len(mine), "counts": counts.to_dict(),
                        "domestic": [link(r.display_name, r.evidence_url) for r in dom.itertuples()],
                        "latest": (md(latest["display_name"].iloc[0]) + f" ({latest['release_date'].iloc[0] or 'date unknown'})") if len(latest) else "none"})
            continue
        ids = set(w.models)
        names = scores["source_model_name"]
        hit = pd.Series(False, index=scores.index)
        for pat in w.patterns:
            hit |= names.str.contains(pat, regex=True)
        ids |= set(scores.loc[hit & scores["model_id"].ne(""), "model_id"])
        unresolved = sorted(set(scores.loc[hit & scores["model_id"].eq(""), "source_model_name"]))
        rows = []
        for mid in sorted(ids):
            r = reg.loc[mid] if mid in reg.index else None
            s = pts[pts["model_id"] == mid]
            tops = "; ".join(f"{md(configs.benchmarks[b].name)} {fmt(v)}" for b, v in s.groupby("benchmark_id")["score"].max().items())
            rows.append({"name": md(r["display_name"]) if r is not None else md(mid),
                         "class": r["hardware_class"] if r is not None else "unknown",
                         "chips": md(r["accelerator_names"]) if r is not None and r["accelerator_names"] else "–",
                         "count": fmt(r["chip_count"], 0) if r is not None else "–",
                         "confidence": r["confidence"] if r is not None else "unknown",
                         "evidence": link("source", r["evidence_url"]) if r is not None and r["evidence_url"] else "–",
                         "scores": tops or "no independent score yet"})
        out.append({"item": w, "rows": rows, "unresolved": [md(n) for n in unresolved[:10]],
                    "on_board": bool(len(rows)) or bool(unresolved)})
    return out


def _latest_changes(results: Path) -> str:
    path = results / "CHANGES.md"
    if not path.exists():
        return ""
    text = path.read_text(encoding="utf-8")
    parts = re.split(r"(?m)^## ", text)
    return ("## " + parts[1]).strip().replace("\n## ", "\n#### ").replace("## ", "#### ", 1) if len(parts) > 1 else ""


def build(configs: Configs, results: Path, opts: an.Options, log=print) -> Path:
    """Re-resolve scores against the current configs, then write models.csv, unmatched.csv, charts and REPORT.md."""
    scores_path = results / "scores.csv"
    scores = read_scores(scores_path)
    scores = resolve(scores.drop(columns=["model_id", "derivation"]), configs)[SCORE_COLUMNS]
    write_scores(scores_path, scores)
    write_csv(results / "unmatched.csv", unmatched_table(scores))
    models = load_models(configs, results)
    write_csv(results / "models.csv", models, sort=["model_id"], float_format="%.6g")
    chart_dir = results / "charts"
    chart_dir.mkdir(parents=True, exist_ok=True)
    data_date = an.data_date(scores)
    as_of = pd.Timestamp(data_date)
    pts = an.points(scores, models, configs, opts)
    headline = configs.settings.headline_benchmarks or sorted(pts["benchmark_id"].unique())
    foot = lambda srcs: (f"Data as of {data_date}. Sources: " + ", ".join(configs.sources[s].producer for s in srcs) +  # noqa: E731
                         f". Hardware tags: {opts.min_confidence} or stronger. {configs.settings.project_url}")
    written: set[str] = set()
    benches = []
    for bid in headline:
        br = _bench(configs, bid, pts, as_of)
        if br.points.empty:
            continue
        br.chart = charts.frontier_chart(br.points, br.front, f"{br.name}: best score so far by training hardware", br.unit,
                                         br.higher, foot(br.sources), chart_dir, f"frontier-{bid}")
        written.add(br.chart)
        benches.append(br)
    names = {b.id: b.name for b in configs.benchmarks.values()}
    units = {b.id: configs.units[b.unit].label for b in configs.benchmarks.values()}
    all_src = sorted(pts["source_id"].unique())
    gap_png = charts.gap_chart({b.id: b.gap for b in benches}, {b.id: b.months for b in benches}, names, units, foot(all_src), chart_dir)
    best_png = charts.best_now_chart({b.id: b.best for b in benches}, names, units, foot(all_src), chart_dir)
    country = configs.settings.country_under_study
    adopt = an.adoption(models, country, opts.min_confidence)
    by_lab = an.adoption_by_lab(models, country, opts.min_confidence)
    epoch_note = "Data as of " + data_date + ". Hardware tags: curated registry and Epoch AI 'Data on AI Models'."
    adopt_png = charts.adoption_chart(adopt, by_lab, country, epoch_note, chart_dir)
    hw = models[models["hardware_class"].isin(["domestic", "mixed"])].sort_values(["release_date", "model_id"], kind="mergesort")
    chip_rows = hw.assign(accelerator=hw["accelerator_names"]).loc[:, ["display_name", "accelerator", "chip_count", "hardware_class"]]
    chips_png = charts.chips_chart(chip_rows, epoch_note, chart_dir)
    flops = pd.to_numeric(models.set_index("model_id")["training_compute_flop"], errors="coerce")
    comp_bench = next((b for b in benches if pts[pts["benchmark_id"] == b.id]["model_id"].map(flops).notna().sum() >= 5), None)
    compute_png = None
    if comp_bench is not None:
        cp = comp_bench.points.assign(training_compute_flop=comp_bench.points["model_id"].map(flops)).dropna(subset=["training_compute_flop"])
        compute_png = charts.compute_chart(cp, f"{comp_bench.name} vs training compute", comp_bench.unit, foot(comp_bench.sources), chart_dir)
    cov = an.coverage(pts)
    coverage_png = charts.coverage_chart(cov, names, foot(all_src), chart_dir)
    written |= {gap_png, best_png, adopt_png, chips_png, coverage_png} | ({compute_png} if compute_png else set())
    for old in chart_dir.glob("*.png"):
        if old.name not in written:
            old.unlink()
            old.with_suffix(".svg").unlink(missing_ok=True)
    status = pd.read_csv(results / "collection.csv", dtype=str, keep_default_na=False) if (results / "collection.csv").exists() else pd.DataFrame()
    share = resolved_share(scores)
    counts = models["hardware_class"].value_counts().reindex(an.CLASSES, fill_value=0)
    conf_counts = pd.crosstab(models["hardware_class"], models["confidence"]).reindex(index=an.CLASSES, fill_value=0)
    env = Environment(loader=PackageLoader("aggregator", "templates"), undefined=StrictUndefined, keep_trailing_newline=True,
                      trim_blocks=True, lstrip_blocks=True, autoescape=False)
    env.filters.update(md=md, fmt=fmt)
    env.globals.update(link=link)
    text = env.get_template("report.md.j2").render(
        configs=configs, opts=opts, data_date=data_date, benches=benches, gap_png=gap_png, best_png=best_png,
        adopt_png=adopt_png, chips_png=chips_png, compute_png=compute_png, coverage_png=coverage_png, adopt=adopt,
        by_lab=by_lab, hw=hw, status=status, share=share, counts=counts, conf_counts=conf_counts, cov=cov, names=names,
        watch=_watch_status(configs, scores, models, pts), changes=_latest_changes(results), scores=scores, models=models,
        n_points=len(pts), country=country, classes=an.CLASSES,
    )
    out = results / "REPORT.md"
    atomic_write_bytes(out, text.encode("utf-8"))
    log(f"wrote {out} ({len(benches)} benchmarks, {len(written)} charts)")
    return out
