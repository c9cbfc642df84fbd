"""Frontier, gap and months-behind on small hand-made tables with known answers."""

from __future__ import annotations

import pandas as pd
import pytest

from aggregator import analysis as an


def _pts(rows):
    df = pd.DataFrame(rows, columns=["model_id", "hardware_class", "release_date", "score"])
    df["release_date"] = pd.to_datetime(df["release_date"])
    df["benchmark_id"] = "b"
    df["display_name"] = df["model_id"]
    return df


PTS = _pts([
    ("n1", "nvidia", "2024-01-01", 50.0),
    ("n2", "nvidia", "2024-06-01", 70.0),
    ("n3", "nvidia", "2024-09-01", 65.0),  # below the frontier: not a record
    ("n4", "nvidia", "2025-03-01", 80.0),
    ("d1", "domestic", "2024-03-01", 40.0),
    ("d2", "domestic", "2025-01-01", 68.0),
    ("u1", "unknown", "2025-02-01", 99.0),
])


def test_frontier_keeps_only_records_per_class():
    f = an.frontier(PTS)
    assert f[f.hardware_class == "nvidia"]["model_id"].tolist() == ["n1", "n2", "n4"]
    assert f[f.hardware_class == "domestic"]["frontier"].tolist() == [40.0, 68.0]


def test_frontier_lower_is_better():
    f = an.frontier(PTS[PTS.hardware_class == "nvidia"], higher_is_better=False)
    assert f["model_id"].tolist() == ["n1"]  # nothing later is lower than 50


def test_gap_series_at_every_frontier_move():
    g = an.gap_series(an.frontier(PTS))
    # dates where either frontier moves, once both exist (domestic starts 2024-03-01)
    got = dict(zip(g["date"].dt.strftime("%Y-%m-%d"), g["gap"], strict=True))
    assert got == {"2024-03-01": 10.0, "2024-06-01": 30.0, "2025-01-01": 2.0, "2025-03-01": 12.0}


def test_months_behind_is_time_since_nvidia_first_reached_domestic_best():
    mb = an.months_behind(an.frontier(PTS), pd.Timestamp("2025-06-01"))
    # best domestic = 68; Nvidia frontier first >= 68 with n2 on 2024-06-01: 365 days = 12.0 months
    assert mb["best_b"] == 68.0 and mb["reached_on"] == pd.Timestamp("2024-06-01")
    assert mb["months"] == pytest.approx(12.0, abs=0.05) and not mb["ahead"]


def test_months_behind_when_domestic_ahead():
    pts = _pts([("n1", "nvidia", "2024-01-01", 50.0), ("d1", "domestic", "2024-02-01", 60.0)])
    mb = an.months_behind(an.frontier(pts), pd.Timestamp("2024-12-01"))
    assert mb["ahead"] and mb["months"] is None and mb["reached_on"] is None
    assert an.months_text(mb) == "ahead: not reached by Nvidia-trained"


def test_months_behind_none_without_both_classes():
    assert an.months_behind(an.frontier(PTS[PTS.hardware_class == "nvidia"]), pd.Timestamp("2025-06-01")) is None


def test_best_now_per_class():
    b = an.best_now(PTS).set_index("hardware_class")["model_id"].to_dict()
    assert b == {"unknown": "u1", "nvidia": "n4", "domestic": "d2"}


def test_one_pass_over_benchmarks_equals_one_benchmark_at_a_time():
    """Why: the report computes every headline benchmark's frontier and bests in one pass, each with its direction."""
    lower = PTS.assign(benchmark_id="err", score=100 - PTS["score"])
    both = pd.concat([PTS, lower, PTS.assign(benchmark_id="c", score=PTS["score"].round(-1))], ignore_index=True)
    direction = {"b": True, "err": False, "c": True}
    for fn in (an.frontier, an.best_now):
        together = fn(both, direction)
        for bid, higher in direction.items():
            alone = fn(both[both["benchmark_id"] == bid], higher)
            got = together[together["benchmark_id"] == bid].reset_index(drop=True)
            pd.testing.assert_frame_equal(got, alone)
    assert an.frontier(both, direction).query("benchmark_id == 'err' and hardware_class == 'nvidia'")["model_id"].tolist() == [
        "n1", "n2", "n4"]


@pytest.mark.parametrize("rows,cols", [
    (["a", "b", "a", "c", "a"], ["x", "y", "x", "x", "z"]),
    (["2024-H1"], ["nvidia"]),
    ([], []),
])
def test_count_table_equals_crosstab(rows, cols):
    r, c = pd.Series(rows, name="period", dtype="str"), pd.Series(cols, name="cls", dtype="str")
    expected = pd.crosstab(r, c).reindex(columns=["x", "y", "nvidia", "w"], fill_value=0)
    pd.testing.assert_frame_equal(an.count_table(r, c, ["x", "y", "nvidia", "w"]), expected, check_index_type=False)


def test_comparison_class_follows_the_scenario():
    m = pd.DataFrame({"hardware_class": ["domestic", "nvidia", "domestic", "unknown"],
                      "status": ["confirmed", "contested", "reported", "unknown"]})
    assert an.comparison_class(m, "default").tolist() == ["domestic", "unknown", "domestic", "unknown"]
    assert an.comparison_class(m, "strict").tolist() == ["domestic", "unknown", "unknown", "unknown"]
    assert an.comparison_class(m, "widest").tolist() == ["domestic", "nvidia", "domestic", "unknown"]


def test_adoption_counts_by_half_year():
    m = pd.DataFrame({
        "developer_country": ["China"] * 4 + ["United States"],
        "derived_from": ["", "", "", "x", ""],
        "derivation": ["", "", "", "variant", ""],
        "release_date": ["2024-02", "2024-08-01", "2024-09-01", "2024-09-01", "2024-09-01"],
        "hardware_class": ["nvidia", "domestic", "unknown", "domestic", "nvidia"],
        "status": ["confirmed", "contested", "unknown", "confirmed", "confirmed"],
        "developer": ["A", "B", "C", "D", "E"],
    })
    t = an.adoption(m, "China", "default").set_index("period")
    assert t.loc["2024-H1", "nvidia"] == 1 and t.loc["2024-H2", "unknown"] == 2 and t.loc["2024-H2", "contested"] == 1, \
        "a contested claim counts as unknown under default, and is counted as contested"
    assert t[an.CLASSES].values.sum() == 3  # the derived model and the US model are not counted
    assert an.adoption(m, "China", "widest").set_index("period").loc["2024-H2", "domestic"] == 1


def test_points_latest_release_only(configs):
    """'@latest:release' keeps only the newest release's rows; rows of other settings keys are untouched."""
    from aggregator.analysis import Options, points

    rows = []
    for model, rel, score in [("m-old", "2025-01-01", 90.0), ("m-new", "2026-01-08", 60.0), ("m-both", "2025-01-01", 95.0),
                              ("m-both", "2026-01-08", 70.0)]:
        rows.append({"model_id": model, "derivation": "alias", "source_model_name": model, "benchmark_id": "live_bench",
                     "setting": f"release={rel}", "score": score, "unit": "percent", "ci_lower": float("nan"),
                     "ci_upper": float("nan"), "source_id": "livebench", "source_url": "https://example.org", "as_of": rel,
                     "self_reported": False, "is_system": False, "upstream_org": "", "base_model_name": "",
                     "model_release_date": "2025-01-01"})
    models = pd.DataFrame({"model_id": ["m-old", "m-new", "m-both"], "display_name": ["a", "b", "c"], "developer": "x",
                           "developer_country": "China", "release_date": "2025-01-01", "hardware_class": "nvidia",
                           "status": "confirmed", "accelerators": "nvidia-h800"})
    if "live_bench" not in configs.benchmarks:
        pytest.skip("live_bench is not in the catalog")
    got = points(pd.DataFrame(rows), models, configs, Options()).set_index("model_id")["score"].to_dict()
    assert got == {"m-new": 60.0, "m-both": 70.0}


def test_uncurated_benchmarks_per_source():
    s = pd.DataFrame({"source_id": ["llm_stats"] * 4 + ["aider"],
                      "benchmark_id": ["llm_stats:A", "llm_stats:A", "llm_stats:B", "gpqa_diamond", "aider:quant:pass_rate_2"],
                      "source_model_name": ["m1", "m2", "m1", "m1", "q"]})
    t = an.uncurated(s, {"gpqa_diamond": None}).set_index("source_id")
    assert t.loc["llm_stats", ["benchmarks", "rows", "names"]].tolist() == [2, 3, 2]
    assert t.loc["llm_stats", "largest"] == [("llm_stats:A", 2), ("llm_stats:B", 1)]
    assert t.loc["aider", "largest"] == [("aider:quant:pass_rate_2", 1)]
    assert an.uncurated(s[s.benchmark_id.eq("gpqa_diamond")], {"gpqa_diamond": None}).empty


def test_own_numbers_gap_within_one_table(configs):
    """Developer-reported tables: the gap is to the best Nvidia-trained peer of the same table, benchmark and setting."""
    def row(model, table, score):
        return {"model_id": model, "derivation": "alias", "source_model_name": model, "benchmark_id": "gsm8k",
                "setting": f"table={table};column=8-shot", "score": score, "unit": "percent", "ci_lower": float("nan"),
                "ci_upper": float("nan"), "source_id": "reported", "source_url": "https://example.org/report",
                "as_of": "2025-01-01", "self_reported": True, "is_system": False, "upstream_org": "",
                "base_model_name": "", "model_release_date": ""}
    scores = pd.DataFrame([row("d", "Table 1", 80.0), row("n1", "Table 1", 85.0), row("n2", "Table 1", 70.0),
                           row("d", "Table 2", 60.0), row("n2", "Table 2", 50.0), row("u", "Table 2", 90.0)])
    models = pd.DataFrame({"model_id": ["d", "n1", "n2", "u"], "display_name": ["D", "N1", "N2", "U"],
                           "hardware_class": ["domestic", "nvidia", "nvidia", "unknown"],
                           "status": ["confirmed", "confirmed", "confirmed", "unknown"],
                           "accelerators": ["huawei-ascend-910b", "nvidia-h800", "nvidia-a100", ""],
                           "confidence": ["confirmed", "confirmed", "confirmed", ""]})
    if "reported" not in configs.sources or "gsm8k" not in configs.benchmarks:
        pytest.skip("no curated source 'reported' or no gsm8k in the catalog")
    own = an.own_numbers(scores, models, configs, "default").set_index("table")
    assert (own.at["Table 1", "nv_model"], own.at["Table 1", "gap"]) == ("n1", 5.0), "behind the best Nvidia peer"
    assert (own.at["Table 2", "nv_model"], own.at["Table 2", "gap"]) == ("n2", -10.0), "ahead: a negative gap"
    assert own.at["Table 2", "any_name"] == "U", "the best peer of any hardware is reported too"
