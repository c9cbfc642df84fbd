"""BFCL: headline column per file, '%' strings, N/A skipped, mode split off the model name into the setting."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from conftest import SHARED_UPSTREAM, fixture_file, needs_shared, raw

from aggregator.collect import collect, normalise
from aggregator.collectors import bfcl
from aggregator.errors import ParseError

NAMES = ("data_overall.csv", "data_live.csv", "data_format_sensitivity.csv")


def _files():
    return [fixture_file("bfcl", n, as_of="2025-12-16") for n in NAMES]


def _row(df, model, key, setting):
    sel = df[(df.source_model_name == model) & (df.benchmark_key == key) & (df.setting == setting)]
    assert len(sel) == 1, f"one row expected for {model} {key} {setting}"
    return sel.iloc[0]


def test_overall_and_modes():
    df = bfcl.parse(_files())
    assert _row(df, "Claude-Opus-4-5-20251101", "overall", "mode=FC").score == 77.47
    assert _row(df, "GLM-4.6", "overall", "mode=FC;thinking=on").score == 72.38
    assert _row(df, "DeepSeek-V3.2-Exp", "overall", "mode=Prompt;thinking=on").score == 60.12
    row = _row(df, "BitAgent-Bounty-8B", "overall", "")
    assert row.score == 38.05 and row.upstream_org == "Bittensor" and row.as_of == "2025-12-16"


def test_category_file_gets_org_from_overall():
    df = bfcl.parse(_files())
    row = _row(df, "GLM-4.6", "live", "mode=FC;thinking=on")
    assert row.score == 80.9 and row.upstream_org == "Zhipu AI"
    assert row.source_url == "https://example.org/data_live.csv"
    alone = bfcl.parse([fixture_file("bfcl", "data_live.csv")])
    assert set(alone.upstream_org) == {""}, "without data_overall.csv there is no organization"


def test_format_sensitivity_na_is_blank_not_a_score():
    df = bfcl.parse(_files())
    fs = df[df.benchmark_key == "format_sensitivity"]
    scored, blank = fs[fs.score.notna()], fs[fs.score.isna()]
    assert list(scored.source_model_name) == ["DeepSeek-V3.2-Exp"] and scored.score.iloc[0] == 10.0
    assert list(blank.source_model_name) == ["Claude-Opus-4-5-20251101"]  # N/A: NaN, collect keeps any previous value


def test_split_mode_leaves_other_parentheses():
    name, setting = bfcl.split_mode(pd.Series(["Qwen3-8B (FC)", "Model (2025)", "X (Prompt)", "Y (FC, beta)"]))
    assert list(name) == ["Qwen3-8B", "Model (2025)", "X", "Y"]
    assert list(setting) == ["mode=FC", "", "mode=Prompt", "mode=FC;variant=beta"]


def test_normalise(configs):
    norm = normalise(bfcl.parse(_files()), "bfcl", configs)
    assert norm.unmapped.empty and not norm.rejected
    assert set(norm.scores.benchmark_id) == {"bfcl_overall", "bfcl_live", "bfcl_format_sensitivity"}
    assert not configs.benchmarks["bfcl_format_sensitivity"].higher_is_better


def test_malformed():
    with pytest.raises(ParseError, match=r"data_live\.csv, row 2: Live Overall Acc: expected a number, got 'high'"):
        bfcl.parse([raw("data_live.csv", "Rank,Model,Live Overall Acc\n1,A (FC),high\n")])
    with pytest.raises(ParseError, match=r"data_multi_turn\.csv: missing column.*Multi Turn Overall Acc"):
        bfcl.parse([raw("data_multi_turn.csv", "Rank,Model,Overall\n1,A (FC),50%\n")])
    with pytest.raises(ParseError, match=r"data_web\.csv: unknown file"):
        bfcl.parse([raw("data_web.csv", "Rank,Model\n")])


@needs_shared
def test_mirror(configs, tmp_path: Path):
    out = collect(configs, ["bfcl"], tmp_path / "res", tmp_path / "cache", SHARED_UPSTREAM, log=lambda *_: None)
    assert out[0].status == "updated", out[0].message
    assert out[0].rows == 109 * 5 + 40, "109 models in 5 accuracy files; format sensitivity for the 40 run"
    scores = (tmp_path / "res" / "scores.csv").read_text()
    assert ",Claude-Opus-4-5-20251101,bfcl_overall,mode=FC,77.4700,percent," in scores
    assert ",GLM-4.6,bfcl_overall,mode=FC;thinking=on," in scores


def test_every_live_endpoint_is_a_known_file(configs):
    names = {e.name for e in configs.sources["bfcl"].endpoints}
    assert names == set(bfcl.FILES), "live endpoints and parsed files must agree"
