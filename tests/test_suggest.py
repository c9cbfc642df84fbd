"""Alias suggestions: deterministic name normalisation, then fuzzy candidates from the registry."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
from conftest import FIXTURES, ROOT

from aggregator.config import load_configs
from aggregator.suggest import SUGGEST_COLUMNS, normalise_name, suggest_aliases


@pytest.fixture(scope="module")
def cfg(tmp_path_factory):
    dst = tmp_path_factory.mktemp("configs")
    (dst / "models").mkdir()
    (dst / "aliases").mkdir()
    shutil.copy(ROOT / "configs" / "hardware.yaml", dst / "hardware.yaml")
    (dst / "settings.yaml").write_text("country_under_study: China\n", encoding="utf-8")  # no headline benchmarks here
    (dst / "sources.yaml").write_text("sources:\n  - {id: arena, title: t, producer: p, homepage: 'https://x.org', license: l, citation: c}\n",
                                      encoding="utf-8")
    (dst / "benchmarks.yaml").write_text("units: {}\nbenchmarks: []\n", encoding="utf-8")
    (dst / "aliases" / "arena.yaml").write_text("chatgpt-4o-latest-20250326: gpt-4o\n", encoding="utf-8")
    shutil.copy(FIXTURES / "hardware" / "models.yaml", dst / "models" / "test.yaml")
    return load_configs(dst)


@pytest.mark.parametrize("name, norm", [
    ("openai/GPT-4o-2024-08-06 (FC)", "gpt-4o"),
    ("anthropic.claude-3-5-sonnet-20240620-v1:0", "claude-3.5-sonnet"),
    ("us.anthropic.claude-3-7-sonnet-20250219-v1:0", "claude-3.7-sonnet"),
    ("deepseek-ai/DeepSeek-V3-0528", "deepseek-v3"),
    ("Qwen3-235B-A22B-Instruct-2507", "qwen3-235b-a22b-instruct"),
    ("gpt-5-high", "gpt-5"),
    ("claude-opus-4-1-20250805-thinking-16k", "claude-opus-4.1"),
    ("o3-mini (high)", "o3-mini"),
    ("qwen/qwen3-coder:free", "qwen3-coder"),
    ("meta-llama/Llama 3.1 405B Instruct", "llama-3.1-405b-instruct"),
    ("llama-3-8b", "llama-3-8b"),
])
def test_normalise_name(name, norm):
    assert normalise_name(name) == norm


def test_suggestions_rank_registry_candidates(cfg):
    um = pd.DataFrame({"source_id": ["arena", "arena", "arena", "bfcl"],
                       "source_model_name": ["gpt-4o-2024-05-13", "claude-3-5-sonnet-20241022", "totally-unknown-model", "GPT-4o-mini (FC)"],
                       "upstream_org": ["OpenAI", "Anthropic", "", "OpenAI"], "rows": [12, 7, 3, 2]})
    s = suggest_aliases(um, cfg, limit=2)
    assert list(s.columns) == SUGGEST_COLUMNS
    top = s[s["rank"] == 1].set_index("source_model_name")
    assert (top.loc["gpt-4o-2024-05-13", "candidate"], top.loc["gpt-4o-2024-05-13", "score"]) == ("gpt-4o", 100.0)
    assert top.loc["claude-3-5-sonnet-20241022", "candidate"] == "claude-3.5-sonnet"
    assert top.loc["GPT-4o-mini (FC)", "candidate"] == "gpt-4o-mini"
    assert top.loc["GPT-4o-mini (FC)", "candidate_name"] == "GPT-4o mini"
    gpt = s[s["source_model_name"] == "gpt-4o-2024-05-13"]
    assert gpt["candidate"].tolist() == ["gpt-4o", "gpt-4o-mini"] and gpt["candidate"].is_unique, "distinct models, best first"
    none = s[s["source_model_name"] == "totally-unknown-model"]
    assert len(none) == 1 and none["candidate"].iloc[0] == "" and none["rank"].iloc[0] == 0, "no candidate is shown, not dropped"
    assert s["rows"].iloc[0] == 12, "most frequent names first"


def test_suggestions_without_row_counts_and_empty(cfg):
    um = pd.DataFrame({"source_id": ["arena"] * 3, "source_model_name": ["Qwen2.5-72B-Instruct-Turbo"] * 3})
    s = suggest_aliases(um, cfg, limit=1)
    assert (s["rows"].tolist(), s["candidate"].tolist()) == ([3], ["qwen2.5-72b-instruct"])
    assert suggest_aliases(um.iloc[:0], cfg).empty
    with pytest.raises(ValueError, match="source_model_name"):
        suggest_aliases(pd.DataFrame({"source_id": ["x"]}), cfg)
