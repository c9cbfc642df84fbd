"""results/ -> charts + REPORT.md. Offline, deterministic: the same inputs give the same bytes."""

from __future__ import annotations

import datetime as dt
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import numpy as np
import pandas as pd
from jinja2 import Environment, PackageLoader, StrictUndefined

from . import analysis as an
from . import changes, charts, transaction
from .config import Configs
from .resolve import resolve, resolved_share, unmatched_table
from .store import (
    SCORE_COLUMNS,
    atomic_write_bytes,
    read_scores,
    read_text,
    read_text_csv,
    write_csv,
    write_scores,
)

URL_SAFE = "-._~:/?#@!$&'*+,;=%"  # RFC 3986 characters that are inert in a markdown link destination
MAX_CHANGE_LINES = 60  # the report shows the start of the newest CHANGES.md section; the file has it all
MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|~])")


def md(text: object) -> str:
    """Escape an upstream string for a markdown table cell: no table breaks, no HTML, no links, one line."""
    s = "" if text is None or (isinstance(text, float) and pd.isna(text)) else str(text)
    s = re.sub(r"[\r\n\t]+", " ", s)
    return MD_SPECIAL.sub(r"\\\1", s).replace("|", "&#124;").replace("\\&#124;", "&#124;")


def link(text: object, url: object) -> str:
    """A markdown link to an http(s) URL; any character that could end the link or a table cell is %-encoded."""
    u = str(url or "")
    if not re.match(r"^https?://[^\s<>()]+$", u):
        return md(text)
    return f"[{md(text)}]({quote(u, safe=URL_SAFE, errors='replace')})"


def fmt(x: object, nd: int = 1) -> str:
    if x is None or (isinstance(x, float) and pd.isna(x)):
        return "–"
    return f"{float(x):,.{nd}f}"


@dataclass
class View:
    """One benchmark under one evidence scenario: best per class, the best partly domestic-trained model (mixed, with
    domestic chips), the gap now and months behind."""

    best: pd.DataFrame
    partly: pd.DataFrame
    gap: float | None  # best Nvidia-trained minus best domestic-trained, signed so that positive = domestic behind
    months: dict | None
    front: pd.DataFrame

    def pick(self, cls: str) -> str:
        """'Name (score)' of the best model of a class ('partly': mixed with domestic chips), or 'none'."""
        b = self.partly if cls == "partly" else self.best[self.best["hardware_class"] == cls]
        return f"{md(b['display_name'].iloc[0])} ({fmt(b['score'].iloc[0])}; {b['status'].iloc[0]})" if len(b) else "none"

    def row(self) -> tuple[str, ...]:
        return (self.pick("domestic"), self.pick("partly"), self.pick("nvidia"), fmt(self.gap), an.months_text(self.months))


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
    views: dict[str, View] = field(default_factory=dict)  # scenario -> view (the report's own scenario included)
    best_country: pd.DataFrame = field(default_factory=pd.DataFrame)
    chart: str = ""
    gap_year_ago: float | None = None
    sources: list[str] = field(default_factory=list)
    domestic_from: list[str] = field(default_factory=list)  # kinds of source with a domestic-side number


def _read_table(path: Path) -> pd.DataFrame | None:
    return read_text_csv(path) if path.exists() else None


def read_epoch(results: Path) -> pd.DataFrame | None:
    """Epoch AI's model table (metadata and 'Training hardware'), as collected."""
    return _read_table(results / "epoch_ai_models.csv")


def read_card_mentions(results: Path) -> pd.DataFrame | None:
    """Accelerator mentions in Hugging Face model cards, as collected by the hf_cards source."""
    return _read_table(results / "hf_card_hardware.csv")


def model_table(configs: Configs, epoch: pd.DataFrame | None, hf_mentions: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """hardware.model_and_claims, with display columns on the models: accelerator names, and whether any domestic
    chip is claimed for its training."""
    from .hardware import model_and_claims

    models, claims = model_and_claims(configs, epoch, hf_mentions)
    names = {a.id: a.name for a in configs.accelerators.values()}
    acc = models["accelerators"].fillna("")
    uniq = pd.Series(acc.unique())  # few distinct accelerator lists: map those, not every model
    labels = dict(zip(uniq, uniq.map(lambda ids: ", ".join(names.get(i, i) for i in ids.split(";") if i)), strict=True))
    models["accelerator_names"] = acc.map(labels)
    models["uses_domestic"] = an.domestic_side(models, configs)
    return models, claims


def load_models(configs: Configs, results: Path) -> pd.DataFrame:
    return model_table(configs, read_epoch(results), read_card_mentions(results))[0]


def _view(front: pd.DataFrame, best: pd.DataFrame, partly: pd.DataFrame, higher: bool, as_of: pd.Timestamp) -> View:
    d, n = best[best["hardware_class"] == "domestic"], best[best["hardware_class"] == "nvidia"]
    gap = None
    if len(d) and len(n):
        gap = float(n["score"].iloc[0] - d["score"].iloc[0]) if higher else float(d["score"].iloc[0] - n["score"].iloc[0])
    return View(best, partly, gap, an.months_behind(front, as_of, higher), front)


def summary_rows(b: BenchResult) -> list[tuple[str, tuple[str, ...]]]:
    """The benchmark's summary under each scenario, scenarios with the same answer on one row: (label, cells)."""
    groups: dict[tuple[str, ...], list[str]] = {}
    for s, v in b.views.items():
        groups.setdefault(v.row(), []).append(s)
    return [("all three" if len(g) == len(b.views) else ", ".join(g), row) for row, g in groups.items()]


def _benches(configs: Configs, pts: pd.DataFrame, headline: list[str], as_of: pd.Timestamp, scenario: str) -> list[BenchResult]:
    """The headline benchmarks that have points, in headline order, under every scenario (frontiers and bests: one
    pass over all benchmarks per scenario)."""
    from .hardware import SCENARIOS

    hp = pts[pts["benchmark_id"].isin(headline)]
    if hp.empty:
        return []
    higher = {bid: configs.benchmarks[bid].higher_is_better for bid in hp["benchmark_id"].unique()}
    home = hp[hp["developer_country"].str.casefold() == configs.settings.country_under_study.casefold()]
    home = home.assign(tagged_class=home["hardware_class"], hardware_class="any")  # best of the country, any hardware

    def split(df: pd.DataFrame) -> dict[str, pd.DataFrame]:
        return {bid: g.reset_index(drop=True) for bid, g in df.groupby("benchmark_id", sort=False)}

    points = dict(tuple(hp.groupby("benchmark_id", sort=False)))
    per = {}
    for s in SCENARIOS:
        hs = hp.assign(hardware_class=hp[f"class_{s}"])
        partly = hs[hs["hardware_class"].eq("mixed") & hs["domestic_chips"]]
        per[s] = (split(an.frontier(hs, higher)), split(an.best_now(hs, higher)), split(an.best_now(partly, higher)))
    best_home = split(an.best_now(home, higher))
    out = []
    for bid in (b for b in headline if b in points):
        b, p = configs.benchmarks[bid], points[bid]
        views = {s: _view(f[bid], bst[bid], pt.get(bid, p.iloc[:0]), b.higher_is_better, as_of) for s, (f, bst, pt) in per.items()}
        main = views[scenario]
        gap = an.gap_series(main.front, b.higher_is_better)
        year_ago = None
        if len(gap):
            before = gap[gap["date"] <= as_of - pd.DateOffset(years=1)]
            year_ago = float(before["gap"].iloc[-1]) if len(before) else None
        out.append(BenchResult(bid, b.name, configs.units[b.unit].label, b.higher_is_better, p, main.front, main.best, gap,
                               main.months, views=views, gap_year_ago=year_ago,
                               sources=sorted(p["source_id"].unique()), best_country=best_home.get(bid, home.iloc[:0])))
    return out


class _Labs:
    """The registry's original models, arranged once; each watched lab is then a mask over them."""

    def __init__(self, models: pd.DataFrame, scenario: str):
        orig = models[an.is_original(models)].reset_index(drop=True)
        self.developers = pd.Series(orig["developer"].unique())  # a lab's pattern runs over distinct names only
        self.dev_code = pd.factorize(orig["developer"])[0]
        self.cls = an.comparison_class(orig, scenario).to_numpy(dtype=object)  # counted as the report's scenario counts
        self.state, self.domestic = orig["status"].to_numpy(dtype=object), orig["uses_domestic"].to_numpy(dtype=bool)
        self.names, self.urls = orig["display_name"].to_numpy(dtype=object), orig["evidence_url"].to_numpy(dtype=object)
        self.dates = orig["release_date"].to_numpy(dtype=object)
        date = pd.factorize(orig["release_date"], sort=True)[0]  # integer ranks: numpy sorts, no string compares
        self.by_date = np.argsort(date, kind="stable")
        self.by_date_id = np.lexsort((pd.factorize(orig["model_id"], sort=True)[0], date))

    def status(self, w) -> dict:
        mine = self.developers.str.contains(w.developer, case=False, regex=True).to_numpy(dtype=bool)[self.dev_code]
        latest = self.by_date_id[mine[self.by_date_id]][-1:]
        return {"item": w, "models": int(mine.sum()), "counts": {c: int((self.cls[mine] == c).sum()) for c in an.CLASSES},
                "contested": int((self.state[mine] == "contested").sum()),
                "domestic": [link(self.names[i], self.urls[i]) + f" ({self.state[i]})" for i in self.by_date
                             if mine[i] and self.domestic[i]],
                "latest": (md(self.names[latest[0]]) + f" ({self.dates[latest[0]] or 'date unknown'})") if len(latest) else "none"}


def _watch_status(configs: Configs, scores: pd.DataFrame, models: pd.DataFrame, pts: pd.DataFrame, scenario: str) -> list[dict]:
    out = []
    labs = _Labs(models, scenario)
    reg = models.set_index("model_id")
    codes, names = pd.factorize(scores["source_model_name"])  # a model's patterns run over distinct names only
    names = pd.Series(names)
    resolved = scores["model_id"].to_numpy(dtype=object)
    pts_model = pts["model_id"].to_numpy(dtype=object)
    for w in configs.watchlist:
        if w.kind == "lab":
            out.append(labs.status(w))
            continue
        ids = set(w.models)
        hit_name = np.zeros(len(names), dtype=bool)
        for pat in w.patterns:
            hit_name |= names.str.contains(pat, regex=True).to_numpy(dtype=bool)
        hit = hit_name[codes] if len(codes) else np.zeros(0, dtype=bool)
        ids |= set(resolved[hit]) - {""}
        unresolved = sorted(set(names.to_numpy(dtype=object)[codes[hit & (resolved == "")]]))
        rows = []
        for mid in sorted(ids):
            r = reg.loc[mid] if mid in reg.index else None
            s = pts[pts_model == mid]
            tops = "; ".join(f"{md(configs.benchmarks[b].name)} {fmt(v)}" for b, v in s.groupby("benchmark_id")["score"].max().items())
            rows.append({"name": md(r["display_name"]) if r is not None else md(mid),
                         "class": r["hardware_class"] if r is not None else "unknown",
                         "chips": md(r["accelerator_names"]) if r is not None and r["accelerator_names"] else "–",
                         "count": fmt(r["chip_count"], 0) if r is not None else "–",
                         "status": r["status"] if r is not None else "unknown",
                         "evidence": link("source", r["evidence_url"]) if r is not None and r["evidence_url"] else "–",
                         "scores": tops or "no independent score yet"})
        out.append({"item": w, "rows": rows, "unresolved": [md(n) for n in unresolved[:10]],
                    "on_board": bool(len(rows)) or bool(unresolved)})
    return out


def _latest_changes(results: Path) -> str:
    """The newest section of CHANGES.md, as a sub-heading of the report's 'What changed'."""
    path = results / "CHANGES.md"
    text = changes.latest_section(read_text(path))
    lines = text.replace("## ", "#### ", 1).splitlines()
    if len(lines) > MAX_CHANGE_LINES:
        lines = [*lines[:MAX_CHANGE_LINES], "", f"... and {len(lines) - MAX_CHANGE_LINES} more lines in [CHANGES.md](CHANGES.md)."]
    return "\n".join(lines)


_CHARTS = ("gap_png", "best_png", "adopt_png", "chips_png", "compute_png", "coverage_png", "own_png")


def _contested(configs: Configs, models: pd.DataFrame, claims: pd.DataFrame, benches: list[BenchResult], scenario: str) -> list[dict]:
    """Every contested or disputed model: its claims for and against (and those about where it runs), the class
    each scenario gives it, and what each headline comparison would say if its claimed class counted."""
    from .hardware import NOT_TRAINING, contested_table

    names = {a.id: a.name for a in configs.accelerators.values()}
    table = contested_table(models, claims)
    dom_ids = {a for a, c in configs.hardware_class_of.items() if c == "domestic"}
    side = set(claims.loc[claims["accelerators"].str.split(";").map(lambda ids: bool(dom_ids.intersection(ids)))
                          & ~claims["stage"].isin(NOT_TRAINING) & claims["source"].ne("hf_card"), "model_id"])
    mine: dict[str, list] = {}  # each listed model's claims (model cards aside), in table order
    for c in claims[claims["model_id"].isin(table["model_id"]) & claims["source"].ne("hf_card")].itertuples(index=False):
        mine.setdefault(c.model_id, []).append(c)
    best_nv = {}  # per headline benchmark: the best Nvidia-trained model under the report's scenario, and each model's point
    for b in benches:
        nv = b.views[scenario].best
        nv = nv[nv["hardware_class"] == "nvidia"]
        first = b.points.drop_duplicates("model_id")
        best_nv[b.id] = (None if nv.empty else nv.iloc[0], dict(zip(first["model_id"], first["score"], strict=True)))

    def items(cs: list) -> list[dict]:
        return [{"kind": c.kind, "stage": c.stage, "chips": ", ".join(names.get(i, i) for i in c.accelerators.split(";")),
                 "count": fmt(c.chip_count, 0) if c.chip_count == c.chip_count else "", "url": c.url, "quote": c.quote,
                 "date": c.date, "indirect": bool(c.indirect)} for c in cs]

    out = []
    for r in table.itertuples(index=False):
        cs = mine.get(r.model_id, [])
        train = [c for c in cs if c.stage not in NOT_TRAINING]
        lines = []
        counts = r.status == "contested" and r.model_id in side and r.hardware_class in ("domestic", "mixed")
        for b in benches if counts else []:
            nv, score = best_nv[b.id][0], best_nv[b.id][1].get(r.model_id)
            if score is None or nv is None or nv["model_id"] == r.model_id:
                continue
            gap = (nv["score"] - score) if b.higher else (score - nv["score"])
            where = "behind" if gap > 0 else "ahead of" if gap < 0 else "level with"
            lines.append(f"{md(b.name)}: {fmt(score)}, {fmt(abs(gap))} {where} the best Nvidia-trained model "
                         f"({md(nv['display_name'])}, {fmt(nv['score'])})")
        out.append({"id": r.model_id, "name": md(r.display_name), "status": r.status, "rule": r.rule, "claimed": r.hardware_class,
                    "domestic_side": r.model_id in side, "n_for": sum(c.stance == "supports" for c in train),
                    "n_against": sum(c.stance == "disputes" for c in train),
                    "scenarios": {s: getattr(r, s) for s in ("strict", "default", "widest")},
                    "for": items([c for c in train if c.stance == "supports"]),
                    "against": items([c for c in train if c.stance == "disputes"]),
                    "elsewhere": items([c for c in cs if c.stage in NOT_TRAINING]), "comparisons": lines})
    return out


@dataclass
class ReportData:
    """Everything the report shows, computed from score rows, the model table and configs (no file I/O)."""

    scores: pd.DataFrame
    unmatched: pd.DataFrame
    models: pd.DataFrame
    claims: pd.DataFrame
    pts: pd.DataFrame
    data_date: str
    benches: list[BenchResult]
    adopt: pd.DataFrame
    by_lab: pd.DataFrame
    hw: pd.DataFrame
    cov: pd.DataFrame
    uncurated: pd.DataFrame  # per source: benchmarks not in the catalog (kept in scores.csv, never compared)
    share: pd.DataFrame
    dom: pd.DataFrame
    dom_scored: pd.DataFrame
    watch: list[dict]
    compute: tuple[BenchResult, pd.DataFrame] | None  # benchmark shown against training compute, its points
    contested: list[dict] = field(default_factory=list)
    own: pd.DataFrame = field(default_factory=pd.DataFrame)  # developer-reported tables of domestic-side models
    timings: dict[str, float] = field(default_factory=dict)  # seconds per step (bench/)


def analyse(configs: Configs, scores: pd.DataFrame, epoch: pd.DataFrame | None, opts: an.Options,
            hf_mentions: pd.DataFrame | None = None) -> ReportData:
    """Resolve score rows (without model_id/derivation) against the configs, tag models, compute every table."""
    timings: dict[str, float] = {}
    clock = [time.perf_counter()]

    def lap(step: str) -> None:
        now = time.perf_counter()
        timings[step], clock[0] = round(now - clock[0], 4), now

    scores = resolve(scores, configs)[SCORE_COLUMNS]
    unmatched = unmatched_table(scores)
    share = resolved_share(scores)
    lap("resolve")
    models, claims = model_table(configs, epoch, hf_mentions)
    lap("tag")
    data_date = an.data_date(scores)
    pts = an.points(scores, models, configs, opts)
    lap("points")
    as_of = pd.Timestamp(data_date)
    headline = configs.settings.headline_benchmarks or sorted(pts["benchmark_id"].unique())
    benches = _benches(configs, pts, headline, as_of, opts.scenario)
    side = an.domestic_side_sources(scores, models, configs, [b.id for b in benches])
    for b in benches:
        b.domestic_from = side[b.id]
    lap("benchmarks")
    country = configs.settings.country_under_study
    flops = pd.to_numeric(models.set_index("model_id")["training_compute_flop"], errors="coerce")
    comp = next((b for b in benches if b.points["model_id"].map(flops).notna().sum() >= 5), None)
    compute = None if comp is None else (comp, comp.points.assign(training_compute_flop=comp.points["model_id"].map(flops))
                                         .dropna(subset=["training_compute_flop"]))
    scen = an.comparison_class(models, opts.scenario)
    dom = models[scen.eq("domestic") & an.is_original(models)]
    indep = scores.loc[(scores["derivation"].eq("alias") | scores["derivation"].eq("name")) & ~scores["self_reported"]
                       & ~scores["is_system"], "model_id"]
    data = ReportData(
        scores=scores, unmatched=unmatched, models=models, claims=claims, pts=pts, data_date=data_date, benches=benches,
        adopt=an.adoption(models, country, opts.scenario, as_of=as_of), by_lab=an.adoption_by_lab(models, country, opts.scenario),
        hw=models[models["uses_domestic"] & models["rule"].ne("inherited")].sort_values(["release_date", "model_id"], kind="mergesort"),
        cov=an.coverage(pts),
        uncurated=an.uncurated(scores, configs.benchmarks),
        share=share, dom=dom, dom_scored=dom[dom["model_id"].isin(indep.unique())],
        watch=_watch_status(configs, scores, models, pts, opts.scenario), compute=compute,
        contested=_contested(configs, models, claims, benches, opts.scenario), own=an.own_numbers(scores, models, configs, opts.scenario),
        timings=timings)
    lap("tables")
    return data


def _chartable_own(configs: Configs, own: pd.DataFrame) -> pd.DataFrame:
    """Own-number rows on a percent scale (points behind are comparable across benchmarks), with a Nvidia peer."""
    if own.empty:
        return own
    unit = own["benchmark_id"].map({k: b.unit for k, b in configs.benchmarks.items()})
    return own[unit.eq("percent") & own["gap"].notna()].reset_index(drop=True)


def chart_footnote(configs: Configs, opts: an.Options, data_date: str, sources: list[str]) -> str:
    """A score chart's source line; it cites the project URL only when the deployer has set one."""
    url = configs.settings.project_url
    return (f"Data as of {data_date}. Sources: " + ", ".join(configs.sources[s].producer for s in sources)
            + f". Hardware claims: {opts.scenario} scenario." + (f" {url}" if url else ""))


def draw_charts(configs: Configs, opts: an.Options, data: ReportData, chart_dir: Path | None) -> dict[str, str | None]:
    """Every chart (set as b.chart on the benchmarks); stale files removed. Returns the file names by template key."""
    if chart_dir is not None:
        chart_dir.mkdir(parents=True, exist_ok=True)
    foot = lambda srcs: chart_footnote(configs, opts, data.data_date, srcs)  # noqa: E731
    fronts = [charts.frontier_chart.plan(br.points, br.front, f"{br.name}: best score so far by training hardware", br.unit,
                                         br.higher, foot(br.sources), chart_dir, f"frontier-{br.id}") for br in data.benches]
    names = {b.id: b.name for b in configs.benchmarks.values()}
    units = {b.id: configs.units[b.unit].label for b in configs.benchmarks.values()}
    all_src = sorted(data.pts["source_id"].unique())
    benches = data.benches
    epoch_note = "Data as of " + data.data_date + ". Hardware claims: curated registry and Epoch AI 'Data on AI Models'."
    chip_rows = data.hw.assign(accelerator=data.hw["accelerator_names"]).loc[:, ["display_name", "accelerator", "chip_count",
                                                                                  "hardware_class", "status"]]
    plans = {
        "gap_png": charts.gap_chart.plan({b.id: b.gap for b in benches}, {b.id: b.months for b in benches}, names, units,
                                         foot(all_src), chart_dir),
        "best_png": charts.best_now_chart.plan({b.id: b.best for b in benches}, names, units, foot(all_src), chart_dir),
        "adopt_png": charts.adoption_chart.plan(data.adopt, data.by_lab, configs.settings.country_under_study, epoch_note, chart_dir),
        "chips_png": charts.chips_chart.plan(chip_rows, epoch_note, chart_dir),
        "compute_png": None if data.compute is None else charts.compute_chart.plan(
            data.compute[1], f"{data.compute[0].name} vs training compute", data.compute[0].unit, foot(data.compute[0].sources), chart_dir),
        "coverage_png": charts.coverage_chart.plan(data.cov, names, foot(all_src), chart_dir),
        "own_png": charts.own_numbers_chart.plan(_chartable_own(configs, data.own), "Developer-reported results curated in "
                                                 "configs/reported/ (each dot: one benchmark of one published table; percent-unit "
                                                 f"benchmarks only). Hardware claims: {opts.scenario} scenario for the peers.", chart_dir),
    }
    charts.draw_all(fronts + [p for p in plans.values() if p is not None])  # in parallel when there are cores
    for br, p in zip(benches, fronts, strict=True):
        br.chart = p.name
    out = {k: None if p is None else p.name for k, p in plans.items()}
    written = {b.chart for b in benches} | {v for v in out.values() if v}
    for old in chart_dir.glob("*.png") if chart_dir is not None else []:
        if old.name not in written:
            old.unlink()
            old.with_suffix(".svg").unlink(missing_ok=True)
    return out


def _environment() -> Environment:
    env = Environment(loader=PackageLoader("aggregator", "templates"), undefined=StrictUndefined, keep_trailing_newline=True,
                      trim_blocks=True, lstrip_blocks=True, autoescape=False)
    env.filters.update(md=md, fmt=fmt, months=an.months_text)
    env.globals.update(link=link)
    return env


def render(configs: Configs, opts: an.Options, data: ReportData, chart_files: dict[str, str | None],
           status: pd.DataFrame | None = None, what_changed: str = "") -> str:
    """REPORT.md text. chart_files: template key (gap_png, ...) -> file name; missing keys render as no chart.
    (No Jinja bytecode cache: it unpickles its files, and compiling the template costs a few hundredths of a second.)"""
    models = data.models
    env = _environment()
    from .hardware import RULES, SCENARIO_TEXT, SCENARIOS, STATUSES

    return env.get_template("report.md.j2").render(
        configs=configs, opts=opts, data_date=data.data_date, benches=data.benches, **(dict.fromkeys(_CHARTS, "") | chart_files),
        adopt=data.adopt, by_lab=data.by_lab, hw=data.hw, fresh=freshness(configs, status), share=data.share,
        counts=models["hardware_class"].value_counts().reindex(an.CLASSES, fill_value=0),
        status_counts=pd.crosstab(models["hardware_class"], models["status"]).reindex(index=an.CLASSES, columns=list(STATUSES), fill_value=0),
        statuses=STATUSES, scenarios=list(SCENARIOS), scenario_text=SCENARIO_TEXT, rules=RULES, summary_rows=summary_rows,
        cov=data.cov, uncurated=data.uncurated, names={b.id: b.name for b in configs.benchmarks.values()}, watch=data.watch, changes=what_changed,
        scores=data.scores, models=models, n_points=len(data.pts), country=configs.settings.country_under_study,
        classes=an.CLASSES, dom=data.dom, dom_scored=data.dom_scored, contested=data.contested, own=data.own,
        own_summary=an.own_overview(data.own),
    )


def render_own(configs: Configs, opts: an.Options, data: ReportData) -> str:
    """OWN_NUMBERS.md: every developer-reported comparison of a domestic-side model, table by table, newest first."""
    own = data.own
    groups = list(own.groupby(["model_id", "source_url", "table"], sort=False)) if len(own) else []
    env = _environment()
    return env.get_template("own_numbers.md.j2").render(
        opts=opts, data_date=data.data_date, own_groups=groups, names={b.id: b.name for b in configs.benchmarks.values()})


def freshness(configs: Configs, status: pd.DataFrame | None) -> list[dict]:
    """The freshness table: one row per source, failing sources first, then stale ones, each with its last error.
    Stale = data older than settings.stale_after_days before the newest retrieval in collection.csv (a date in the
    data, so the report does not change with the day it is built); archived sources are never stale."""
    st = status.set_index("source_id") if status is not None and len(status) else pd.DataFrame()
    curated = {s.id for s in configs.sources.values() if s.kind == "curated"}  # read from configs/: never stale
    newest = max((d for sid, d in st.get("retrieved_at", pd.Series(dtype=str)).items() if d and sid not in curated), default="")
    limit = (dt.date.fromisoformat(newest) - dt.timedelta(days=configs.settings.stale_after_days)).isoformat() if newest else ""
    rows = []
    for s in configs.sources.values():
        r = st.loc[s.id].to_dict() if s.id in st.index else {}
        state, rank = r.get("status") or "not collected", 3
        if state == "failed":
            state, rank = f"failed: {r.get('last_error', '')}; last success {r.get('last_success') or 'never'}", 0
        elif state == "ok" and s.id in curated:
            state = "ok (curated in this repository)"
        elif state == "ok" and s.archived:
            state = "ok (archived upstream)"
        elif state == "ok" and r.get("data_date", "") < limit:
            state, rank = f"stale: newest data over {configs.settings.stale_after_days} days before {newest}", 1
        elif state == "ok":
            rank = 2
        if r.get("warnings"):
            state += f" ({r['warnings']})"
        rows.append({"rank": rank, "source": s, "rows": r.get("rows") or "0", "data_date": r.get("data_date") or "–",
                     "retrieved": r.get("retrieved_at") or "–", "state": state, "format": r.get("format") or "–"})
    return sorted(rows, key=lambda x: x["rank"])


def build(configs: Configs, results: Path, opts: an.Options, log=print, draw: bool = True) -> Path:
    """Re-resolve scores against the current configs, then write models.csv, unmatched.csv, charts and REPORT.md.
    With draw=False the charts are laid out but not written (a quick look at the numbers). Files whose bytes would
    not change are not rewritten, and charts whose inputs did not change are not redrawn (charts.py)."""
    transaction.recover(results)  # finish or roll back a refresh that was interrupted
    scores_path = results / "scores.csv"
    stored = read_scores(scores_path)
    data = analyse(configs, stored.drop(columns=["model_id", "derivation"]), read_epoch(results), opts, read_card_mentions(results))
    if not data.scores[["model_id", "derivation"]].equals(stored[["model_id", "derivation"]]):
        write_scores(scores_path, data.scores)
    write_csv(results / "unmatched.csv", data.unmatched)
    models_path = results / "models.csv"
    before = models_path.read_bytes() if models_path.exists() else None
    if write_csv(models_path, data.models, sort=["model_id"], float_format="%.6g"):
        changes.record_tags(results, before, models_path.read_bytes(), dt.datetime.now(dt.UTC).date().isoformat())
    chart_files = draw_charts(configs, opts, data, results / "charts" if draw else None)
    status = read_text_csv(results / "collection.csv") if (results / "collection.csv").exists() else None
    text = render(configs, opts, data, chart_files, status, _latest_changes(results))
    out = results / "REPORT.md"
    atomic_write_bytes(out, text.encode("utf-8"))
    atomic_write_bytes(results / "OWN_NUMBERS.md", render_own(configs, opts, data).encode("utf-8"))
    n_charts = len(data.benches) + sum(v is not None for v in chart_files.values())
    log(f"wrote {out} ({len(data.benches)} benchmarks, {n_charts} charts)")
    return out
