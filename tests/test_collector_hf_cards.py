"""Hugging Face cards: model-index and .eval_results scores, who reported them, fractions, hardware mentions."""

from __future__ import annotations

import json

import pytest
from conftest import fixture_file, raw

from aggregator.collect import normalise
from aggregator.collectors import hf_cards
from aggregator.errors import FetchError, ParseError
from aggregator.fetch import Fetcher

V3 = "deepseek-ai/DeepSeek-V3"
GLM = "THUDM/glm-4-9b-chat"


def _files():
    return [fixture_file("hf_cards", f"{V3}/README.md", as_of="2025-03-01"),
            fixture_file("hf_cards", f"{V3}/eval_results.json", as_of="2025-03-01"),
            fixture_file("hf_cards", f"{GLM}/README.md", as_of="2025-03-01")]


def test_model_index_rows():
    df = hf_cards.parse(_files()[:1])
    assert len(df) == 4
    assert set(df["source_model_name"]) == {V3} and set(df["upstream_org"]) == {"deepseek-ai"}
    rows = df.set_index("benchmark_key")
    pro = rows.loc["TIGER-Lab/MMLU-Pro"]
    assert pro["score"] == pytest.approx(75.9), "a proportion given as a fraction becomes a percentage"
    assert pro["setting"] == "metric=acc;split=test;few_shot=5;scale=fraction"
    assert pro["self_reported"], "the source is the developer's own repo"
    gpqa = rows.loc["Idavidrein/gpqa:gpqa_diamond"]
    assert gpqa["score"] == pytest.approx(59.1) and gpqa["setting"] == "metric=pass@1"
    assert gpqa["self_reported"], "no source named: the card's own claim"
    assert not rows.loc["HuggingFaceH4/ifeval", "self_reported"], "the Open LLM Leaderboard ran it"
    assert not rows.loc["lmarena-ai/arena-hard-auto", "self_reported"], "verified: true"
    assert rows.loc["lmarena-ai/arena-hard-auto", "score"] == pytest.approx(85.5)
    assert set(df["as_of"]) == {"2025-03-01"}


def test_eval_results_rows():
    df = hf_cards.parse(_files()[1:2]).set_index("benchmark_key")
    assert list(df.index) == ["Idavidrein/gpqa:gpqa_diamond", "cais/hle:default"], "an entry the Hub rejected is skipped"
    assert df.loc["Idavidrein/gpqa:gpqa_diamond", "self_reported"]
    assert df.loc["Idavidrein/gpqa:gpqa_diamond", "as_of"] == "2024-12-26"
    hle = df.loc["cais/hle:default"]
    assert hle["score"] == pytest.approx(4.1) and hle["setting"] == "notes=no-tools;scale=fraction"
    assert not hle["self_reported"], "run and published by CAIS, not the developer"


def test_card_without_front_matter_has_no_scores():
    assert hf_cards.parse(_files()[2:]).empty


def test_normalise(configs):
    s = normalise(hf_cards.parse(_files()), "hf_cards", configs).scores
    got = s.groupby("benchmark_id")["score"].apply(sorted).to_dict()
    assert got["gpqa_diamond"] == [pytest.approx(59.1), pytest.approx(59.1)]
    assert got["hle"] == [pytest.approx(4.1)]
    assert got["mmlu_pro"] == [pytest.approx(75.9)]


def test_hardware_mentions():
    hw = hf_cards.hardware_mentions(_files())
    assert list(hw.columns) == ["hf_repo", "field", "quote", "url"]
    meta = hw[hw["field"].eq("co2_eq_emissions.hardware_used")]
    assert meta["quote"].tolist() == ["2048 NVIDIA H800 GPUs"]
    text = hw[hw["field"].eq("text") & hw["hf_repo"].eq(V3)]["quote"].tolist()
    assert any("2.788M H800 GPU hours" in q for q in text)
    assert any("Huawei Ascend NPUs" in q for q in text), "serving support is reported too; the hardware module judges"
    assert hw[hw["hf_repo"].eq(GLM)]["quote"].str.contains("Ascend 910B").all()
    assert hw["quote"].map(lambda q: len(q.split()) < 30).all(), "quotes stay under 30 words"
    assert set(hw["url"]) == {f"https://example.org/{V3}/README.md", f"https://example.org/{GLM}/README.md"}


def test_hardware_mentions_with_catalog_patterns(configs):
    patterns = [p for a in configs.accelerators.values() for p in a.match]
    hw = hf_cards.hardware_mentions(_files(), patterns)
    assert {"2048 NVIDIA H800 GPUs"} <= set(hw["quote"])
    assert hw[hw["hf_repo"].eq(GLM)]["quote"].str.contains("Ascend 910B").any()


@pytest.mark.parametrize("name, body, problem", [
    (f"{V3}/README.md", "---\nmodel-index: [\n---\n", "front matter is not valid YAML"),
    (f"{V3}/README.md", "---\n- a\n- b\n---\n", "expected a YAML mapping"),
    (f"{V3}/README.md", "---\nmodel-index: {name: x}\n---\n", "model-index: expected a list"),
    (f"{V3}/README.md", "---\nmodel-index:\n- name: x\n  results:\n  - metrics: []\n---\n", "expected dataset"),
    (f"{V3}/README.md", "---\nmodel-index:\n- name: x\n  results:\n  - dataset: {type: d}\n    metrics: [{type: acc, value: high}]\n---\n",
     "metrics.value: expected a number"),
    (f"{V3}/eval_results.json", "{", "not valid JSON"),
    (f"{V3}/eval_results.json", json.dumps({"evalResults": {"a": 1}}), "evalResults: expected a list"),
    (f"{V3}/eval_results.json", json.dumps({"evalResults": [{"data": {"value": 1}}]}), "expected {dataset"),
    (f"{V3}/eval_results.json", json.dumps({"evalResults": [{"data": {"dataset": {"id": "x/y"}, "value": 1}}]}), "task_id"),
    (f"{V3}/README.md", "---\nmodel-index:\n- name: x\n  results:\n  - dataset: {name: MMLU}\n    metrics: [{type: acc, value: 1}]\n---\n",
     "expected dataset {type, name}"),
    (f"{V3}/config.json", "{}", "unknown file"),
])
def test_malformed_input_raises_parse_error(name, body, problem):
    with pytest.raises(ParseError, match=problem) as err:
        hf_cards.parse([raw(name, body)])
    assert err.value.file == name


def test_fetch_is_live_only(configs, tmp_path):
    with pytest.raises(FetchError, match="no mirror"):
        hf_cards.fetch(Fetcher(tmp_path, mirror=tmp_path), configs.sources["hf_cards"], configs)


def test_collect_keeps_card_mentions_as_evidence(configs, tmp_path, monkeypatch):
    """collect writes the cards' accelerator mentions beside the scores; the model table reads them as evidence."""
    from aggregator.collect import collect
    from aggregator.report import load_models, read_card_mentions

    monkeypatch.setattr(hf_cards, "fetch", lambda fetcher, source, cfg: _files())
    out = collect(configs, ["hf_cards"], tmp_path / "res", tmp_path / "cache", log=lambda *_: None)
    assert out[0].status == "updated"
    mentions = read_card_mentions(tmp_path / "res")
    assert mentions is not None and "2048 NVIDIA H800 GPUs" in " ".join(mentions["quote"])
    models = load_models(configs, tmp_path / "res").set_index("model_id")
    # a card mention is a suggestion: the curated tag of DeepSeek-V3 stays what the registry says
    assert models.loc["deepseek-v3", "hardware_class"] == "nvidia" and models.loc["deepseek-v3", "tag_source"] == "registry"


def test_one_broken_card_is_skipped_with_a_warning_not_the_whole_source():
    good = fixture_file("hf_cards", "deepseek-ai/DeepSeek-V3/README.md")
    broken = raw("THUDM/glm-4-9b-chat/README.md", "---\nmodel-index: [\n---\n# GLM-4-9B\nTrained on Ascend 910B NPUs.\n")
    df = hf_cards.parse([good, broken])
    assert len(df) == len(hf_cards.parse([good])) and df.attrs["warnings"][0].startswith("card skipped: hf_cards: THUDM")
    assert "THUDM/glm-4-9b-chat" in set(hf_cards.hardware_mentions([good, broken])["hf_repo"]), "its text still counts"
    with pytest.raises(ParseError, match="no card could be read"):
        hf_cards.parse([broken])
