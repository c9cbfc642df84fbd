"""Dates keep their precision (year, month, day) from the registry to tables and charts; months behind keeps its sign."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from conftest import FIXTURES, fixture_file

from aggregator import analysis as an
from aggregator.collect import normalise
from aggregator.collectors import lmarena
from aggregator.report import build
from aggregator.resolve import resolve
from aggregator.store import SCORE_COLUMNS, write_scores


def test_date_ranges_keep_precision():
    r = an.date_ranges(pd.Series(["2026", "2025-02", "2025-03-14", "", "2025-13"]), cap=pd.Timestamp("2026-04-19"))
    assert r["precision"].tolist() == ["year", "month", "day", "", ""]
    assert r["low"].dt.strftime("%Y-%m-%d").tolist()[:3] == ["2026-01-01", "2025-02-01", "2025-03-14"]
    assert r["high"].dt.strftime("%Y-%m-%d").tolist()[:3] == ["2026-04-19", "2025-02-28", "2025-03-14"]  # capped at the data date
    assert r["mid"].dt.strftime("%Y-%m-%d").tolist()[:3] == ["2026-02-24", "2025-02-14", "2025-03-14"]
    assert r["mid"].iloc[3:].isna().all()
    late = an.date_ranges(pd.Series(["2026-05"]), cap=pd.Timestamp("2026-04-19"))  # a registry date after the data
    assert (late["low"] == late["high"]).all()


def test_year_only_registry_dates_are_not_padded_to_january(configs):
    """Claude Opus 4.7 and GLM-5.1 carry year-only release dates ('2026'): the comparison keeps the year, draws them at
    the middle of 2026-01-01 .. data date, never at 2026-01-01. Real arena.ai scrape shape."""
    doc = (FIXTURES / "lmarena" / "scrape" / "2026-04-19" / "text.json").read_text().replace(
        '"model": "glm-5"', '"model": "glm-5.1"')
    raw_file = fixture_file("lmarena", "scrape/2026-04-19/text.json")
    parsed = lmarena.parse([raw_file.of(raw_file.name, doc.encode(), raw_file.url, "2026-04-19", "2026-04-19")])
    scores = resolve(normalise(parsed, "lmarena", configs).scores.drop(columns=["model_id", "derivation"]), configs)
    ids = sorted(set(scores["model_id"]) - {""})
    models = pd.DataFrame({"model_id": ids, "display_name": ids, "developer": "x", "developer_country": "x",
                           "release_date": [configs.models[i].release_date for i in ids], "hardware_class": "unknown",
                           "status": "unknown", "accelerators": ""})  # the registry's dates, as the model table carries them
    pts = an.points(scores, models, configs, an.Options()).set_index("model_id")
    year_only = [mid for mid in pts.index if configs.models[mid].release_date == "2026"]
    assert year_only, "the fixture holds a model with a year-only registry date"  # why: else the test tests nothing
    for mid in year_only:
        p = pts.loc[mid]
        assert (p["release_label"], p["release_precision"]) == ("2026", "year")
        assert (p["release_low"], p["release_high"]) == (pd.Timestamp("2026-01-01"), pd.Timestamp("2026-04-19"))
        assert p["release_date"] == pd.Timestamp("2026-02-24")
    month = pts.loc[[m for m in pts.index if len(configs.models[m].release_date or "") == 7]]
    assert (month["release_precision"] == "month").all() and month["release_label"].str.fullmatch(r"\d{4}-\d{2}").all()
    assert len(pts) == 2


def _vague_pts(rows):
    df = pd.DataFrame(rows, columns=["model_id", "hardware_class", "release", "score"])
    span = an.date_ranges(df["release"], cap=pd.Timestamp("2026-04-19"))
    return df.assign(benchmark_id="b", display_name=df["model_id"], release_date=span["mid"], release_low=span["low"],
                     release_high=span["high"], release_precision=span["precision"], release_label=df["release"])


def test_months_behind_is_negative_when_nvidia_reached_it_after_the_data_date():
    pts = _vague_pts([("n1", "nvidia", "2025-01-10", 50.0), ("d1", "domestic", "2026-03-01", 70.0),
                      ("n2", "nvidia", "2026-05-01", 75.0)])
    mb = an.months_behind(an.frontier(pts), pd.Timestamp("2026-04-19"))
    assert mb["months"] == pytest.approx(-0.4, abs=0.05) and mb["ahead"]  # never clamped to 0
    assert an.months_text(mb) == "-0.4 (ahead)"


def test_months_behind_gives_a_range_for_a_year_only_release():
    pts = _vague_pts([("n1", "nvidia", "2025", 80.0), ("d1", "domestic", "2026-03-01", 70.0)])
    mb = an.months_behind(an.frontier(pts), pd.Timestamp("2026-04-19"))
    assert mb["reached_label"] == "2025" and mb["reached_on"] == pd.Timestamp("2025-07-02")
    assert mb["months_range"] == (3.6, 15.5) and an.months_text(mb) == "9.6 (3.6 to 15.5)"


def test_adoption_counts_a_year_only_date_under_its_year():
    m = pd.DataFrame({"developer_country": "China", "derived_from": "", "derivation": "",
                      "release_date": ["2025", "2025-03", "2026"], "hardware_class": "unknown", "status": "unknown",
                      "developer": "A"})
    t = an.adoption(m, "China", "default", as_of=pd.Timestamp("2026-04-19")).set_index("period")["unknown"]
    assert t.to_dict() == {"2025 (year only)": 1, "2025-H1": 1, "2026-H1": 1}  # 2026 ends at the data date: H1


def test_report_prints_dates_with_their_precision(tmp_path: Path, configs):
    res = tmp_path / "results"
    res.mkdir()
    rows = [("claude-opus-4-7-thinking", 1505.0, ""), ("kimi-k2.5", 1451.0, ""), ("some-new-model", 1300.0, "2025-03")]
    df = pd.DataFrame([{
        "model_id": "", "derivation": "unmatched", "source_model_name": n, "benchmark_id": "lmarena_text",
        "setting": "category=overall", "score": s, "unit": "elo", "ci_lower": float("nan"), "ci_upper": float("nan"),
        "source_id": "lmarena", "source_url": "https://example.org/text.json", "as_of": "2026-04-19",
        "self_reported": False, "is_system": False, "upstream_org": "", "base_model_name": "", "model_release_date": d,
    } for n, s, d in rows])[SCORE_COLUMNS]
    write_scores(res / "scores.csv", df)  # a source's month-only release date is a valid value
    build(configs, res, an.options_from(configs), log=lambda *_: None, draw=False)
    text = (res / "REPORT.md").read_text()
    table = text.split('<a id="lmarena_text"></a>', 1)[1].split("\n\n", 3)[2]
    released = {line.split(" | ")[1]: line.split(" | ")[4] for line in table.splitlines()[2:]}
    assert released["Claude Opus 4.7"] == "2026" and "2026-01-01" not in text
