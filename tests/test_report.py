"""The report end to end on a small results folder: deterministic bytes, options that change the numbers,
and summary numbers that match a recomputation from scores.csv."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from conftest import ROOT

from aggregator.analysis import Options, options_from
from aggregator.report import build
from aggregator.store import SCORE_COLUMNS, write_scores

URL = "https://example.org/board.csv"
# (upstream name, benchmark, source, score, self_reported). Names resolve through the real registry.
ROWS = [
    ("deepseek-v3", "gpqa_diamond", "epoch_benchmarking_hub", 59.1, False),
    ("pangu-ultra", "gpqa_diamond", "epoch_benchmarking_hub", 50.0, False),
    ("spark-x1.5", "gpqa_diamond", "epoch_benchmarking_hub", 70.0, False),  # domestic, status 'contested' (weak claims)
    ("telechat3", "gpqa_diamond", "llm_stats", 80.0, True),  # domestic, vendor-reported
    ("gemini-2.5-pro", "gpqa_diamond", "epoch_benchmarking_hub", 84.0, False),
    ("<b>evil|name</b>", "gpqa_diamond", "epoch_benchmarking_hub", 99.0, False),  # unmatched: never enters
]


def _results(tmp_path: Path) -> Path:
    res = tmp_path / "results"
    res.mkdir()
    df = pd.DataFrame([{
        "model_id": "", "derivation": "unmatched", "source_model_name": n, "benchmark_id": b, "setting": "", "score": s,
        "unit": "percent", "ci_lower": float("nan"), "ci_upper": float("nan"), "source_id": src, "source_url": URL,
        "as_of": "2026-01-01", "self_reported": sr, "is_system": False, "upstream_org": "", "base_model_name": "",
        "model_release_date": "",
    } for n, b, src, s, sr in ROWS])[SCORE_COLUMNS]
    write_scores(res / "scores.csv", df)
    return res


def _summary(report: str) -> dict[tuple[str, str], tuple[str, str]]:
    """(benchmark name, scenario) -> (best domestic cell, best Nvidia cell), from the summary table (one row per
    group of scenarios with the same answer)."""
    out = {}
    bench = ""
    for line in report.split("## Summary", 1)[1].split("\n\n", 2)[1].splitlines()[2:]:
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        bench = re.sub(r"^\[(.*)\]\(.*\)$", r"\1", cells[0]) or bench
        scenarios = ["strict", "default", "widest"] if cells[1] == "all three" else cells[1].split(", ")
        for sc in scenarios:
            out[(bench, sc)] = (cells[2], cells[4])
    return out


def _value(cell: str) -> float | None:
    """'Name (1,234.5; status)' -> 1234.5; 'none' -> None."""
    return None if cell == "none" else float(re.search(r"\(([\d,.]+); \w+\)$", cell).group(1).replace(",", ""))


@pytest.fixture
def registry(configs):
    needed = {"deepseek-v3", "pangu-ultra", "spark-x1.5", "telechat3", "gemini-2.5-pro"}
    missing = needed - set(configs.models)
    assert not missing, f"test relies on registry models {missing}"  # why: the fixture rows must resolve
    return configs


def test_report_is_deterministic_and_escapes(tmp_path, registry):
    res = _results(tmp_path)
    build(registry, res, options_from(registry), log=lambda *_: None)
    first = {p.relative_to(res): p.read_bytes() for p in sorted(res.rglob("*")) if p.is_file()}
    build(registry, res, options_from(registry), log=lambda *_: None)
    second = {p.relative_to(res): p.read_bytes() for p in sorted(res.rglob("*")) if p.is_file()}
    assert first == second
    assert any(str(p).endswith(".svg") for p in first) and any(str(p).endswith(".png") for p in first)
    text = first[Path("REPORT.md")].decode()
    assert "<b>" not in text and "evil|name" not in text
    rule = re.search(r"\*\*Run choice\*\*: per model, the best run .* newest snapshot .*dated runs \(([^)]*)\)", text)
    assert rule and "aider" in rule[1].split(", ") and "lmarena" not in rule[1]  # the method states the rule


def test_options_change_the_numbers(tmp_path, registry):
    res = _results(tmp_path)
    runs = {}
    for key, opts in {
        "default": options_from(registry),
        "self": options_from(registry, include_self_reported=True),
        "since": options_from(registry, since="2026-01"),
    }.items():
        build(registry, res, opts, log=lambda *_: None, draw=False)
        s = _summary((res / "REPORT.md").read_text())
        runs[key] = {sc: s.get(("GPQA Diamond", sc)) for sc in ("strict", "default", "widest")}
    d = runs["default"]
    assert _value(d["default"][0]) == 50.0 and _value(d["default"][1]) == 59.1, "Pangu Ultra (confirmed) vs DeepSeek-V3"
    assert _value(d["widest"][0]) == 70.0, "Spark X1.5's contested claim counts only in the widest scenario"
    assert _value(runs["self"]["default"][0]) == 80.0, "TeleChat3's vendor number now enters"
    assert runs["since"]["default"] is None, "every fixture model was released before 2026-01: the benchmark drops out"


def test_scenario_option_draws_the_charts(tmp_path, registry):
    res = _results(tmp_path)
    build(registry, res, options_from(registry, scenario="widest"), log=lambda *_: None, draw=False)
    text = (res / "REPORT.md").read_text()
    assert "the **widest** evidence scenario draws the charts" in text


def test_summary_matches_recomputation(tmp_path, registry):
    res = _results(tmp_path)
    build(registry, res, Options(), log=lambda *_: None, draw=False)
    recomputed = _recompute(res, registry)
    for (bench, sc), (dom, nv) in _summary((res / "REPORT.md").read_text()).items():
        want = recomputed.get((bench, sc), {})
        for cell, cls in ((dom, "domestic"), (nv, "nvidia")):
            exp = want.get(cls)
            assert _value(cell) == (None if exp is None else round(exp, 1)), (bench, sc, cls)


SCENARIO_STATUSES = {"strict": ["confirmed"], "default": ["confirmed", "reported"],
                     "widest": ["confirmed", "reported", "contested"]}


def _recompute(res: Path, configs) -> dict[tuple[str, str], dict[str, float]]:
    """Independent, plain recomputation of the best score per class and scenario from scores.csv + models.csv."""
    s = pd.read_csv(res / "scores.csv", keep_default_na=False, dtype={"setting": str})
    m = pd.read_csv(res / "models.csv", keep_default_na=False, dtype=str).set_index("model_id")
    s = s[s["derivation"].isin(["alias", "name"]) & (s["self_reported"].astype(str) == "False") & (s["is_system"].astype(str) == "False")]
    out: dict[tuple[str, str], dict[str, float]] = {}
    for bid in configs.settings.headline_benchmarks:
        b = configs.benchmarks[bid]
        rows = s[s["benchmark_id"] == bid]
        prim = rows[rows["source_id"] == b.primary_source]
        rows = pd.concat([prim, rows[~rows["model_id"].isin(prim["model_id"])]])
        if b.headline_setting and not b.headline_setting.startswith("@"):
            rows = rows[rows["setting"] == b.headline_setting]
        # a board's snapshot: the row's date, or for run-dated boards the newest run's (all runs are one snapshot)
        runs = rows["source_id"].map(lambda src: configs.sources[src].row_dates == "run")
        snap = rows["as_of"].where(~runs, rows.groupby("source_id")["as_of"].transform("max"))
        rows = rows[snap == snap.groupby(rows["model_id"]).transform("max")]
        best = rows.groupby("model_id")["score"].max()
        for sc, ok in SCENARIO_STATUSES.items():
            cls = m.loc[best.index, "hardware_class"].where(m.loc[best.index, "status"].isin(ok), "unknown")
            for c in ("domestic", "nvidia"):
                vals = best[cls == c]
                if len(vals):
                    out.setdefault((b.name, sc), {})[c] = float(vals.max() if b.higher_is_better else vals.min())
    return out


@pytest.mark.skipif(not (ROOT / "results" / "REPORT.md").exists(), reason="no committed report")
def test_committed_report_matches_committed_scores(configs):
    """The committed REPORT.md's summary numbers follow from the committed scores.csv and models.csv."""
    res = ROOT / "results"
    recomputed = _recompute(res, configs)
    summary = _summary((res / "REPORT.md").read_text())
    assert summary, "the committed report has a summary table"
    for key, (dom, nv) in summary.items():
        for cell, cls in ((dom, "domestic"), (nv, "nvidia")):
            exp = recomputed.get(key, {}).get(cls)
            assert _value(cell) == (None if exp is None else round(exp, 1)), (key, cls)


def test_chart_footnote_cites_the_project_url_only_when_configured(configs):
    """No project URL is configured in the repository: a footer cites none (the old default pointed nowhere)."""
    from aggregator.report import chart_footnote

    assert configs.settings.project_url is None
    plain = chart_footnote(configs, options_from(configs), "2026-01-01", ["aider"])
    assert "http" not in plain and plain.endswith("default scenario.")
    mine = configs.settings.model_copy(update={"project_url": "https://example.org/deploy"})
    cfg = type("C", (), {"settings": mine, "sources": configs.sources})()
    assert chart_footnote(cfg, options_from(configs), "2026-01-01", ["aider"]).endswith("default scenario. https://example.org/deploy")


def test_charts_drawn_in_parallel_are_the_bytes_drawn_one_by_one_and_share_one_layout(tmp_path):
    from aggregator import charts

    rows = pd.DataFrame({"display_name": [f"Model {i}" for i in range(6)], "accelerator": ["Huawei Ascend 910B"] * 6,
                         "chip_count": [1024.0, None, 2048.0, 512.0, None, 8192.0], "hardware_class": ["domestic"] * 6})
    cov = pd.DataFrame({"benchmark_id": ["a", "b"], "domestic": [1, 2], "nvidia": [3, 4], "other": [0, 1], "mixed": [0, 0],
                        "unknown": [5, 6]})
    plans = lambda folder: [charts.chips_chart.plan(rows, "source: a note", folder),  # noqa: E731
                            charts.coverage_chart.plan(cov, {"a": "Bench A", "b": "Bench B"}, "source: a note", folder)]
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir(), two.mkdir()
    charts.draw_all(plans(one), workers=1)
    charts.draw_all(plans(two), workers=2)
    files = sorted(p.name for p in one.iterdir())
    assert files == ["chips.png", "chips.svg", "coverage.png", "coverage.svg"] and files == sorted(p.name for p in two.iterdir())
    assert all((one / f).read_bytes() == (two / f).read_bytes() for f in files)
    for stem in ("chips", "coverage"):  # the PNG (110 dpi) and the SVG (72 pt an inch): one bounding box
        png = (one / f"{stem}.png").read_bytes()
        w_px, h_px = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
        w_pt, h_pt = map(float, re.search(rb'width="([\d.]+)pt" height="([\d.]+)pt"', (one / f"{stem}.svg").read_bytes()).groups())
        assert abs(w_px / 110 - w_pt / 72) < 0.02 and abs(h_px / 110 - h_pt / 72) < 0.02
    before = {f: (one / f).stat().st_mtime_ns for f in files}
    charts.draw_all(plans(one), workers=2)  # fresh: nothing drawn again
    assert {f: (one / f).stat().st_mtime_ns for f in files} == before


def test_the_png_measures_no_string_the_layout_pass_measured(tmp_path, monkeypatch):
    """The PNG is drawn on a new renderer (the canvas takes the tight box's size); its text sizes come from the
    layout pass at the same dpi, so each string is measured once per font size (twice without the shared table)."""
    from matplotlib.backends.backend_agg import RendererAgg

    from aggregator import charts

    measured = []
    measure = RendererAgg.get_text_width_height_descent
    monkeypatch.setattr(RendererAgg, "get_text_width_height_descent",
                        lambda self, s, prop, ismath: measured.append((s, prop.get_size_in_points(), self.dpi))
                        or measure(self, s, prop, ismath))
    cov = pd.DataFrame({"benchmark_id": ["a", "b"], "domestic": [1, 2], "nvidia": [3, 4], "other": [0, 1], "mixed": [0, 0],
                        "unknown": [5, 6]})
    charts.coverage_chart(cov, {"a": "Bench A", "b": "Bench B"}, "source: a note", tmp_path)
    assert (tmp_path / "coverage.png").is_file() and ("Bench A", 7.0, 110) in measured, "why: the chart was measured"
    assert len(measured) == len(set(measured)), sorted(measured)


def test_a_best_legend_is_searched_once_and_keeps_its_corner_in_the_svg(monkeypatch):
    """'best' placement is searched once, at the PNG's resolution; the layout pass, the PNG and the SVG (72 dpi) then
    draw the legend at that corner (matplotlib alone searches in each pass, and at 72 dpi may pick another corner)."""
    import io

    from matplotlib.legend import Legend

    from aggregator import charts

    calls = []
    search = Legend._find_best_position
    monkeypatch.setattr(Legend, "_find_best_position", lambda self, *a: calls.append(1) or search(self, *a))
    fig, ax = charts._figure(figsize=(4, 3))
    ax.plot(range(10), [v * v for v in range(10)], label="rising")  # the upper left is free
    charts._legend_best(ax, fontsize=7)
    fig.set_dpi(110)
    charts._pin_legends(fig, fig.canvas.get_renderer())

    def corner():
        box, axes = ax.get_legend().get_window_extent(fig.canvas.get_renderer()), ax.get_window_extent()
        return (box.x0 - axes.x0) / axes.width < 0.5, (box.y0 - axes.y0) / axes.height > 0.5

    at_png = corner()
    fig.set_dpi(72)
    assert at_png == corner() == (True, True), "why: pinned at the free corner, at every resolution"
    for fmt in ("png", "svg"):
        fig.savefig(io.BytesIO(), format=fmt)
    assert len(calls) == 1, "why: one search, however many passes draw the figure"


def test_one_layout_pass_draws_the_pixels_matplotlib_draws_on_its_own(tmp_path, monkeypatch):
    """save() takes the tight box from the artists' extents without a draw first, measures each string once for
    both passes and fixes 'best' legends after one search: the PNG must be, pixel for pixel, what matplotlib's own
    savefig(bbox_inches="tight") draws (a disabled draw, the box, a new renderer, every search again)."""
    import io

    import numpy as np
    from PIL import Image

    from aggregator import charts

    sizes = []
    real = charts.save

    def save(fig, folder, stem):
        fig.set_layout_engine(None)
        ref = io.BytesIO()
        fig.savefig(ref, format="png", bbox_inches="tight")
        name = real(fig, folder, stem)
        pixels = [np.asarray(Image.open(f)) for f in (ref, folder / name)]
        sizes.append((stem, pixels[0].shape, pixels[0].shape == pixels[1].shape and (pixels[0] == pixels[1]).all()))
        return name

    monkeypatch.setattr(charts, "save", save)
    dates = pd.to_datetime(["2025-01-01", "2025-03-01", "2025-05-01", "2025-07-01"])
    classes = ["domestic", "nvidia", "other", "nvidia"]
    pts = pd.DataFrame({"release_date": dates, "score": [50.0, 60.0, 55.0, 65.0], "hardware_class": classes,
                        "ci_lower": float("nan"), "ci_upper": float("nan"), "display_name": ["A", "B model", "C", "D"],
                        "release_precision": ["day", "month", "day", "year"], "release_label": ["2025-01-01", "2025-03",
                        "2025-05-01", "2025"], "release_low": dates, "release_high": dates + pd.Timedelta(days=30)})
    rows = pd.DataFrame({"display_name": ["A", "B model"], "accelerator": ["Huawei Ascend 910B", "NVIDIA H800"],
                         "chip_count": [2048.0, float("nan")], "hardware_class": ["domestic", "nvidia"]})
    cov = pd.DataFrame({"benchmark_id": ["a", "b"], "domestic": [1, 2], "nvidia": [3, 4], "other": [0, 1], "mixed": [0, 0],
                        "unknown": [5, 6]})
    best = {"gpqa_diamond": pts.drop_duplicates("hardware_class")[["hardware_class", "score", "display_name"]]}
    charts.frontier_chart(pts, pts.assign(frontier=pts["score"].cummax()), "Bench", "% (0-100)", True,
                          "a long source line " * 12, tmp_path, "frontier")
    charts.chips_chart(rows, "source: a note", tmp_path)
    charts.coverage_chart(cov, {"a": "Bench A", "b": "Bench B"}, "source: a note", tmp_path)
    charts.best_now_chart(best, {"gpqa_diamond": "GPQA"}, {"gpqa_diamond": "% (0-100)"}, "note", tmp_path)
    assert [s for s, _, _ in sizes] == ["frontier", "chips", "coverage", "best_now"], "why: every chart went through save"
    assert all(same for _, _, same in sizes), sizes
