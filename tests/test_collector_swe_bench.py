"""SWE-bench: bash-only rows are models, other boards are systems (named by their single model tag), errors."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from conftest import SHARED_UPSTREAM, fixture_file, needs_shared, raw

from aggregator.collect import collect, normalise
from aggregator.collectors import swe_bench
from aggregator.errors import ParseError


@pytest.fixture(scope="module")
def parsed() -> pd.DataFrame:
    return swe_bench.parse([fixture_file("swe_bench", "leaderboards.json")])


def test_bash_only_rows_are_models(parsed):
    bash = parsed[parsed.benchmark_key == "bash-only"].set_index("source_model_name")
    assert bash.score.to_dict() == {"deepseek-v3.2-reasoner": 60.0, "claude-opus-4-5-20251101": 74.4}
    ds = bash.loc["deepseek-v3.2-reasoner"]
    assert (ds.setting, ds.as_of, ds.upstream_org, ds.is_system) == ("", "2025-12-01", "deepseek", False)
    assert ds.source_url == "https://example.org/leaderboards.json"


def test_other_boards_are_systems(parsed):
    other = parsed[parsed.benchmark_key != "bash-only"]
    assert other.is_system.all() and not parsed.self_reported.any()
    glm = other[other.setting == "system=GLM-4.6;attempts=1"].iloc[0]
    assert (glm.source_model_name, glm.score, glm.benchmark_key) == ("https://huggingface.co/zai-org/GLM-4.6", 68.2, "Verified")
    # several models (or none): the entry name stands for the system
    trae = other[other.source_model_name == "TRAE + Doubao-Seed-Code"].iloc[0]
    assert (trae.setting, trae.upstream_org) == ("system=TRAE + Doubao-Seed-Code;attempts=2+", "ByteDance")
    assert "Nebius AI Qwen 2.5 72B Generator + LLama 3.1 70B Critic" in set(other.source_model_name)
    lite = other[other.benchmark_key == "Lite"].iloc[0]
    assert (lite.source_model_name, lite.score, lite.as_of) == ("ExpeRepair-v1.0 + Claude 4 Sonnet", 60.33, "2025-06-25")


def test_same_named_systems_stay_apart(parsed):
    entro = parsed[parsed.source_model_name == "Qwen3-Coder-30B-A3B-Instruct"].set_index("setting").score.to_dict()
    assert entro == {"system=EntroPO + R2E + Qwen3-Coder-30B-A3B-Instruct;attempts=2+": 60.4,
                     "system=EntroPO + R2E + Qwen3-Coder-30B-A3B-Instruct;attempts=1": 52.2}


def test_normalise_maps_boards(parsed, configs):
    norm = normalise(parsed, "swe_bench", configs)
    assert norm.rejected == [] and norm.unmapped.empty
    assert set(norm.scores.benchmark_id) == {"swe_bench_bash_only", "swe_bench_verified", "swe_bench_lite"}
    assert set(norm.scores.unit) == {"percent"}


def test_structured_entries_of_2026(configs):
    """leaderboards.json as regenerated in 2026: no `name`, no tags; agent, model_display, model_org,
    reasoning_effort. A Verified entry whose agent is mini-SWE-agent is the bash-only comparison too."""
    df = swe_bench.parse([raw("leaderboards.json", fixture_file("swe_bench", "2026-08/leaderboards.json").data)])
    assert df.attrs["formats"] == ["leaderboards.json, entries with agent / model_display fields (2026-08 on)"]
    bash = df[df.benchmark_key == "bash-only"].set_index("source_model_name")
    assert sorted(bash.index) == ["claude-opus-4-6", "glm-5"] and not bash.is_system.any()
    opus = bash.loc["claude-opus-4-6"]
    assert (opus.score, opus.setting, opus.as_of, opus.upstream_org, opus.model_release_date) == \
        (79.2, "effort=high", "2026-02-20", "Anthropic", "2026-02-05")
    systems = df[df.is_system].set_index(["benchmark_key", "source_model_name"])
    assert systems.loc[("Verified", "Doubao-Seed-Code"), "setting"] == "system=TRAE"
    assert systems.loc[("Verified", "claude-opus-4-6"), "setting"] == "system=mini-SWE-agent 2.1.0;effort=high"
    assert ("Multilingual", "glm-5") in systems.index and "Multilingual" not in set(df[~df.is_system].benchmark_key)
    norm = normalise(df, "swe_bench", configs)
    assert set(norm.scores.benchmark_id) == {"swe_bench_bash_only", "swe_bench_verified", "swe_bench_multilingual"}


def test_a_structured_entry_without_a_model_names_the_entry():
    doc = json.dumps({"leaderboards": [{"name": "Verified", "results": [
        {"agent": "X", "date": "2026-01-01", "resolved": 50.0, "model_display": ""}]}]})
    with pytest.raises(ParseError, match="model_display") as err:
        swe_bench.parse([raw("leaderboards.json", doc)])
    assert err.value.row == "Verified #1"


def _doc(entry: dict, board: str = "Verified") -> str:
    base = {"name": "X", "date": "2025-01-01", "resolved": 50.0, "tags": ["Model: m"]}
    return json.dumps({"leaderboards": [{"name": board, "results": [base | entry]}]})


@pytest.mark.parametrize("text, problem", [
    ("{not json", "not valid JSON"),
    ('{"boards": []}', "expected {\"leaderboards\""),
    ('{"leaderboards": [{"name": "Verified"}]}', "'results' list"),
    (_doc({"resolved": "50%"}), "resolved: expected a number"),
    (_doc({"resolved": None}), "resolved: expected a number"),
    (_doc({"date": "soon"}), "date: expected YYYY-MM-DD"),
    (_doc({"name": ""}), "expected a result object"),
    (_doc({"tags": "Model: m"}), "tags: expected a list"),
    (_doc({"tags": ["Model: a", "Model: b"]}, board="bash-only"), "exactly one 'Model: ...' tag"),
])
def test_malformed_json_raises_parse_error(text, problem):
    with pytest.raises(ParseError, match=problem) as err:
        swe_bench.parse([raw("leaderboards.json", text)])
    assert err.value.file == "leaderboards.json"


def test_error_names_board_and_entry():
    with pytest.raises(ParseError) as err:
        swe_bench.parse([raw("leaderboards.json", _doc({"resolved": "n/a"}, board="Lite"))])
    assert err.value.row == "Lite #1"


@needs_shared
def test_mirror_collects_all_boards(configs, tmp_path: Path):
    out = collect(configs, ["swe_bench"], tmp_path / "res", tmp_path / "cache", SHARED_UPSTREAM, log=lambda *_: None)
    assert out[0].status == "updated", out[0].message
    assert out[0].rows == 322
    scores = pd.read_csv(tmp_path / "res" / "scores.csv", keep_default_na=False)
    counts = scores.benchmark_id.value_counts().to_dict()
    assert counts == {"swe_bench_verified": 162, "swe_bench_lite": 84, "swe_bench_bash_only": 31, "swe_bench_full": 23,
                      "swe_bench_multimodal": 22}
    ds = scores[(scores.benchmark_id == "swe_bench_bash_only") & (scores.source_model_name == "deepseek-v3.2-reasoner")]
    assert ds[["score", "as_of"]].values.tolist() == [[60.0, "2025-12-01"]]
    assert scores[scores.benchmark_id == "swe_bench_bash_only"].is_system.eq(False).all()
