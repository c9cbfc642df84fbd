"""EvalPlus: pass@1 per benchmark key, nulls skipped, file-dated, HF owner as upstream_org."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SHARED_UPSTREAM, fixture_file, needs_shared, raw

from aggregator.collect import collect, normalise
from aggregator.collectors import evalplus
from aggregator.errors import ParseError


def _files():
    return [fixture_file("evalplus", "results.json", as_of="2024-12-26")]


def test_scores_and_nulls():
    df = evalplus.parse(_files())
    assert len(df) == 4 + 2 + 4, "Code-13B has no MBPP scores"
    q = df[df.source_model_name == "Qwen2.5-Coder-32B-Instruct"].set_index("benchmark_key")
    assert q.loc["humaneval+", "score"] == 87.2 and q.loc["mbpp", "score"] == 90.5
    assert set(df[df.source_model_name == "Code-13B"].benchmark_key) == {"humaneval", "humaneval+"}
    assert set(df.as_of) == {"2024-12-26"} and set(df.setting) == {""}
    assert set(df.source_url) == {"https://example.org/results.json"}


def test_upstream_org_only_from_hugging_face_links():
    df = evalplus.parse(_files())
    orgs = df.groupby("source_model_name").upstream_org.first()
    assert orgs["Qwen2.5-Coder-32B-Instruct"] == "Qwen" and orgs["Code-13B"] == "ajibawa-2023"
    assert orgs["GPT-4o (May 2024)"] == ""


def test_normalise(configs):
    norm = normalise(evalplus.parse(_files()), "evalplus", configs)
    assert norm.unmapped.empty and not norm.rejected
    s = norm.scores.set_index(["source_model_name", "benchmark_id"])
    assert s.loc[("GPT-4o (May 2024)", "mbpp_plus"), "score"] == 72.2
    assert s.loc[("Code-13B", "humaneval_plus"), "unit"] == "percent"


@pytest.mark.parametrize("text, match", [
    ('{"M": {"link": "", "pass@1": {"humaneval": "92.1"}}}', r"results\.json, row M: pass@1\.humaneval: expected a number"),
    ('{"M": {"link": ""}}', r"results\.json, row M: expected an object with a 'pass@1'"),
    ('[1, 2]', r"results\.json: expected an object"),
    ('{"M": ', r"results\.json: not valid JSON"),
])
def test_malformed(text, match):
    with pytest.raises(ParseError, match=match):
        evalplus.parse([raw("results.json", text)])


def test_unknown_file():
    with pytest.raises(ParseError, match="unknown file"):
        evalplus.parse([raw("leaderboard.json", "{}")])


@needs_shared
def test_mirror(configs, tmp_path: Path):
    out = collect(configs, ["evalplus"], tmp_path / "res", tmp_path / "cache", SHARED_UPSTREAM, log=lambda *_: None)
    assert out[0].status == "updated", out[0].message
    assert out[0].rows == 125 * 2 + 89 * 2, "HumanEval(+) for all 125 models, MBPP(+) for the 89 that ran it"
    scores = (tmp_path / "res" / "scores.csv").read_text()
    assert ",OpenCoder-8B-Instruct,humaneval_plus,,77.4000,percent," in scores
