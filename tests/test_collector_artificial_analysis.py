"""Artificial Analysis collector: indices and fractions, variants as settings, errors, and the key kept out of sight."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import fixture_file, raw

from aggregator.collect import normalise
from aggregator.collectors import artificial_analysis as aa
from aggregator.errors import FetchError, ParseError
from aggregator.fetch import Fetcher

NAME = "llms_models.json"


def _parsed():
    return aa.parse([fixture_file("artificial_analysis", NAME, as_of="2025-06-01")])


def test_parse_one_row_per_evaluation_and_variant():
    df = _parsed()
    assert len(df) == 10 + 3 + 1, "nulls and the *_version field are not scores"
    o3 = df[df["source_model_name"].eq("o3-mini-high")].set_index("benchmark_key")
    assert o3.loc["gpqa", "score"] == pytest.approx(0.748)
    assert o3.loc["gpqa", "setting"] == "effort=high"
    assert o3.loc["artificial_analysis_intelligence_index", "setting"] == "effort=high;index_version=3"
    assert o3.loc["gpqa", "upstream_org"] == "OpenAI"
    assert o3.loc["gpqa", "model_release_date"] == "2025-01-31"
    assert o3.loc["gpqa", "as_of"] == "2025-06-01"
    r1 = df[df["source_model_name"].eq("deepseek-r1")]
    assert set(r1["setting"]) == {""}, "a version suffix like (Jan '25) is not a variant"
    assert set(r1["model_release_date"]) == {""}, "a month is not a release day"
    assert df.loc[df["source_model_name"].eq("claude-3-7-sonnet-thinking"), "setting"].item() == "mode=reasoning"
    assert not df["self_reported"].any() and not df["is_system"].any()


@pytest.mark.parametrize("name, expected", [
    ("GPT-5 (minimal)", "effort=minimal"), ("o4-mini (high)", "effort=high"), ("Qwen3 235B (Reasoning)", "mode=reasoning"),
    ("Qwen3 235B (Non-reasoning)", "mode=non-reasoning"), ("GPT-4o (Nov '24)", ""), ("Llama 3.3 70B", ""),
])
def test_variant_setting(name, expected):
    assert aa.variant_setting(name) == expected


def test_normalise_units(configs):
    s = normalise(_parsed(), "artificial_analysis", configs).scores
    o3 = s[s["source_model_name"].eq("o3-mini-high")].set_index("benchmark_id")
    assert o3.loc["gpqa_diamond", "score"] == pytest.approx(74.8)
    assert o3.loc["gpqa_diamond", "unit"] == "percent"
    assert o3.loc["aa_intelligence_index", "score"] == pytest.approx(62.9)
    assert o3.loc["aa_intelligence_index", "unit"] == "index"
    assert o3.loc["aime_2024", "score"] == pytest.approx(77.0)
    assert o3.loc["livecodebench", "score"] == pytest.approx(71.7)


@pytest.mark.parametrize("body, problem, row", [
    (b"<html>", "not valid JSON", None),
    (json.dumps({"data": {"a": 1}}), "expected {data", None),
    (json.dumps({"data": [{"slug": "m", "evaluations": {"gpqa": "n/a!"}}]}), "evaluations.gpqa: expected a number", 1),
    (json.dumps({"data": [{"slug": "m", "evaluations": [0.5]}]}), "evaluations: expected an object", 1),
    (json.dumps({"data": [{"slug": "m", "evaluations": {}}, {"evaluations": {"gpqa": 0.5}}]}), "slug/name", 2),
    (json.dumps({"data": ["m"]}), "expected an object per model", 1),
    (json.dumps({"data": [{"slug": "m", "evaluations": {"GPQA ": 0.5}}]}), "unexpected field name", 1),
])
def test_malformed_input_raises_parse_error(body, problem, row):
    with pytest.raises(ParseError, match=problem) as err:
        aa.parse([raw(NAME, body)])
    assert err.value.file == NAME and err.value.row == row


def test_fetch_needs_the_key_and_has_no_mirror(configs, monkeypatch, tmp_path: Path):
    source = configs.sources["artificial_analysis"]
    monkeypatch.delenv("ARTIFICIAL_ANALYSIS_API_KEY", raising=False)
    with pytest.raises(FetchError, match="set ARTIFICIAL_ANALYSIS_API_KEY"):
        aa.fetch(Fetcher(tmp_path), source, configs)
    with pytest.raises(FetchError, match="no mirror"):
        aa.fetch(Fetcher(tmp_path, mirror=tmp_path), source, configs)


def test_free_route_pages_and_root_index_version():
    """/api/v2/language/models/free: paginated, the intelligence index version once at the root."""
    df = aa.parse([fixture_file("artificial_analysis", n, as_of="2026-09-01")
                   for n in ("language_models_free.json", "language_models_free.page2.json")])
    assert df.attrs["formats"] == ["/language/models/free: paginated, index version at the root"]
    assert set(df["source_model_name"]) == {"gpt-5-5-high", "glm-5-1", "deepseek-v4"}
    index = df[df["benchmark_key"].eq("artificial_analysis_intelligence_index")].set_index("source_model_name")["setting"]
    assert index.to_dict() == {"gpt-5-5-high": "effort=high;index_version=4.0", "glm-5-1": "mode=reasoning;index_version=4.0",
                               "deepseek-v4": "mode=non-reasoning;index_version=4.0"}
    assert set(df["as_of"]) == {"2026-09-01"}
    old = _parsed()
    assert old.attrs["formats"] == ["/data/llms/models: one response, index version per model"]


@pytest.mark.parametrize("pagination, expected", [
    ({"has_more": False}, None),
    ({"has_more": True, "page": 1, "per_page": 200}, "https://aa.test/models/free?page=2"),
    ({"has_more": True, "next_cursor": "abc=="}, "https://aa.test/models/free?cursor=abc%3D%3D"),
    ({"has_more": True, "next": "/models/free?page=7"}, "https://aa.test/models/free?page=7"),
])
def test_next_page(pagination, expected):
    assert aa.next_page("https://aa.test/models/free", {"data": [], "pagination": pagination}, 1) == expected
    assert aa.next_page("https://aa.test/models/free", {"data": []}, 1) is None, "no pagination: one response"
