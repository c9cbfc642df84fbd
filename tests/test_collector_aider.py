"""Aider leaderboards: model id from `command`, effort/thinking/edit-format settings, boards, dedup, skips, errors."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd
import pytest
from conftest import SHARED_UPSTREAM, fixture_file, needs_shared, raw

from aggregator.collect import collect, normalise
from aggregator.collectors import aider
from aggregator.errors import ParseError

FILES = ["polyglot_leaderboard.yml", "o1_polyglot_leaderboard.yml", "qwen3_leaderboard.yml", "edit_leaderboard.yml",
         "refactor_leaderboard.yml", "quant.yml"]


@pytest.fixture(scope="module")
def parsed() -> pd.DataFrame:
    return aider.parse([fixture_file("aider", n) for n in FILES])


def _one(df, **where):
    sel = df
    for col, val in where.items():
        sel = sel[sel[col] == val]
    assert len(sel) == 1, f"expected exactly one row for {where}, got {len(sel)}"
    return sel.iloc[0]


def test_model_id_comes_from_command(parsed):
    r = _one(parsed, source_model_name="openai/qwen-max-2025-01-25")  # env prefix and trailing comment ignored
    assert (r.score, r.as_of, r.setting, r.benchmark_key) == (21.8, "2025-01-28", "edit_format=diff", "polyglot:pass_rate_2")
    assert r.source_url == "https://example.org/polyglot_leaderboard.yml"


@pytest.mark.parametrize("display", ["DeepSeek R1", "claude-3-7-sonnet-20250219 (no thinking)", "claude-3-opus-20240229",
                                     "Reflection-70B"])
def test_display_name_when_command_has_no_fixed_model(parsed, display):
    # re-pointed provider id (deepseek-reasoner), aider shorthands (--model sonnet, --opus), no aider command at all
    assert display in set(parsed.source_model_name)


def test_effort_and_thinking_settings(parsed):
    assert _one(parsed, source_model_name="o3-mini").setting == "effort=high;edit_format=diff"  # --reasoning-effort
    assert _one(parsed, source_model_name="openrouter/openai/o1").setting == "effort=high;edit_format=diff"  # "(high)"
    assert _one(parsed, source_model_name="anthropic/claude-3-7-sonnet-20250219").setting == "thinking_tokens=32768;edit_format=diff"
    assert _one(parsed, source_model_name="gemini/gemini-2.5-flash-preview-05-20").setting == "thinking_tokens=0;edit_format=diff"


def test_architect_pair_is_a_system(parsed):
    r = _one(parsed, source_model_name="o3")
    assert r.setting == "effort=high;edit_format=architect;editor=gpt-4.1"
    assert r.is_system and r.score == 78.2
    assert not parsed[parsed.source_model_name != "o3"].is_system.any()


def test_boards_metrics_and_release_dates(parsed):
    assert _one(parsed, source_model_name="o1-preview").benchmark_key == "refactor:pass_rate_1"
    assert _one(parsed, source_model_name="o1-preview").score == 75.3
    opus = parsed[parsed.source_model_name == "claude-3-opus-20240229"].set_index("benchmark_key")
    assert opus.loc["edit:pass_rate_2", "model_release_date"] == "2024-02-29"  # from `_released`
    assert opus.loc["refactor:pass_rate_1", "score"] == 72.3  # 83 of 89 exercises: kept
    # `gemini-1.5-pro-latest` is a moving pointer: the display name says which model ran
    assert _one(parsed, source_model_name="gemini-1.5-pro-001").model_release_date == "2024-05-03"
    assert _one(parsed, source_model_name="ollama/qwen2.5-coder:32b-instruct-fp16").benchmark_key == "quant:pass_rate_2"


def test_same_run_in_two_files_is_emitted_once(parsed):
    assert len(parsed[parsed.source_model_name == "openrouter/openai/o1"]) == 1
    sonnet = _one(parsed, source_model_name="claude-3-5-sonnet-20241022")  # only in the o1 file: a run of its own
    assert (sonnet.score, sonnet.benchmark_key) == (45.3, "polyglot:pass_rate_2")


def test_indistinguishable_runs_get_their_run_id(parsed):
    qwen = parsed[parsed.source_model_name == "openrouter/qwen/qwen3-235b-a22b"].set_index("setting")["score"]
    assert qwen.to_dict() == {"edit_format=diff;run=2025-05-08-03-22-37--qwen3-235b-defaults": 49.8,
                              "edit_format=diff;run=2025-05-08-17-39-14--qwen3-235b-or-together-only": 54.7}


def test_partial_and_misfiled_runs_are_skipped(caplog):
    with caplog.at_level(logging.WARNING):
        df = aider.parse([fixture_file("aider", "edit_leaderboard.yml")])
    assert "o1-mini" not in set(df.source_model_name)  # 36 of 133 exercises; and a 225-exercise polyglot run
    assert len(df) == 4
    assert "36 exercises" in caplog.text and "225 exercises" in caplog.text


def test_normalise_maps_boards_and_keeps_quant_uncurated(parsed, configs):
    norm = normalise(parsed, "aider", configs)
    assert norm.rejected == []
    assert set(norm.scores.benchmark_id) == {"aider_polyglot", "aider_edit", "aider_refactor", "aider:quant:pass_rate_2"}
    assert norm.unmapped.to_dict("records") == [{"source_id": "aider", "benchmark_key": "quant:pass_rate_2", "rows": 1}]
    assert set(norm.scores.unit) == {"percent"}  # aider's default unit, for the uncurated quant rows too


ENTRY = "- dirname: d1\n  test_cases: 225\n  model: m\n  edit_format: diff\n  command: aider --model x/m\n"


@pytest.mark.parametrize("text, problem", [
    ("- dirname: [unclosed\n", "not readable YAML"),
    ("dirname: d1\nmodel: m\n", "expected a YAML list"),
    ("- just a string\n", "expected an entry with 'dirname' and 'model'"),
    (ENTRY + "  pass_rate_2: high\n  date: 2025-01-01\n", "pass_rate_2: expected a number"),
    (ENTRY + "  date: 2025-01-01\n", "pass_rate_2: expected a number"),
    (ENTRY + "  pass_rate_2: 50.0\n", "date: expected a run date"),
])
def test_malformed_yaml_raises_parse_error(text, problem):
    with pytest.raises(ParseError, match=problem) as err:
        aider.parse([raw("polyglot_leaderboard.yml", text)])
    assert err.value.file == "polyglot_leaderboard.yml"


def test_unknown_file_raises_parse_error():
    with pytest.raises(ParseError, match="unknown file"):
        aider.parse([raw("other_leaderboard.yml", ENTRY)])


@needs_shared
def test_mirror_collects_all_boards(configs, tmp_path: Path):
    out = collect(configs, ["aider"], tmp_path / "res", tmp_path / "cache", SHARED_UPSTREAM, log=lambda *_: None)
    assert out[0].status == "updated", out[0].message
    assert out[0].rows == 201  # 13 quant rows kept under an uncurated id
    scores = pd.read_csv(tmp_path / "res" / "scores.csv", keep_default_na=False)
    counts = scores.benchmark_id.value_counts().to_dict()
    assert counts == {"aider_edit": 95, "aider_polyglot": 79, "aider_refactor": 14, "aider:quant:pass_rate_2": 13}
    gpt5 = scores[(scores.source_model_name == "openai/gpt-5") & (scores.setting == "effort=high;edit_format=diff")]
    assert gpt5.score.tolist() == [88.0]
    assert "DeepSeek-V3.2-Exp (Chat)" in set(scores.source_model_name)
