"""llm-stats collector: both repo layouts, GPQA subsets, methods as settings, errors, and the mirror end to end."""

from __future__ import annotations

import json

import pytest
from conftest import SHARED_UPSTREAM, fixture_file, needs_shared, raw

from aggregator.collect import collect, normalise
from aggregator.collectors import llm_stats
from aggregator.errors import ParseError

R1 = "models/deepseek/deepseek-r1/model.json"
LLAMA = "models/meta/llama-3.1-8b-instruct/model.json"
QWEN = "data/organizations/qwen/models/qwen3-32b"


def _files():
    return [fixture_file("llm_stats", n, as_of="2025-05-22") for n in (R1, LLAMA, f"{QWEN}/model.json", f"{QWEN}/benchmarks.json")]


def test_parse_older_layout_rows_and_fields():
    df = llm_stats.parse([fixture_file("llm_stats", R1, as_of="2025-05-22")])
    assert len(df) == 5
    gpqa = df[df["benchmark_key"].eq("GPQA (Diamond)")].iloc[0]
    assert gpqa["source_model_name"] == "deepseek-r1"
    assert gpqa["score"] == pytest.approx(0.715)
    assert gpqa["setting"] == "method=Pass@1 Diamond"
    assert gpqa["as_of"] == "2025-01-20"
    assert gpqa["model_release_date"] == "2025-01-20"
    assert gpqa["base_model_name"] == "deepseek-v3"
    assert gpqa["upstream_org"] == "deepseek"
    assert df["self_reported"].all(), "every llm-stats score is vendor-reported, whatever is_self_reported says"
    cnmo = df[df["benchmark_key"].eq("CNMO 2024")].iloc[0]
    assert cnmo["as_of"] == "2025-01-20", "no date_recorded: the model's release date (a vendor reports at release)"


def test_gpqa_without_subset_stays_apart_and_method_is_sanitised():
    df = llm_stats.parse([fixture_file("llm_stats", LLAMA)])
    assert set(df["benchmark_key"]) == {"GPQA", "MMLU-Pro"}
    assert df.loc[df["benchmark_key"].eq("MMLU-Pro"), "setting"].item() == "method=5-shot, CoT"
    assert df["base_model_name"].eq("").all()


def test_parse_later_layout_pairs_model_and_benchmarks():
    """The current layout: benchmarks.json records {benchmark_id, benchmark_name, score, normalized_score,
    analysis_method}, no date, the score's scale unstated (72.9 beside 0.657)."""
    df = llm_stats.parse(_files()[2:])
    assert list(df["benchmark_key"]) == ["AIME 2025", "LiveCodeBench", "LiveCodeBench"]
    assert set(df["source_model_name"]) == {"qwen3-32b"} and set(df["upstream_org"]) == {"qwen"}
    assert set(df["as_of"]) == {"2025-04-29"}, "no date in the record: the model's release date, not the commit's"
    assert set(df["model_release_date"]) == {"2025-04-29"}
    aime = df[df["benchmark_key"].eq("AIME 2025")].iloc[0]
    assert (aime["score"], aime["setting"]) == (pytest.approx(0.729), "method=Pass@1, Reasoning;scale=percent")
    assert df.attrs["formats"] == ["data/organizations/<org>/models/<model>/{model,benchmarks}.json (from mid-2025)"]


def test_livecodebench_and_its_v5_stay_apart(configs):
    """Issue 15: 'LiveCodeBench' and 'LiveCodeBench v5' are different problem windows; the version stated in the
    benchmark's name (older layout) or id (later layout) stays in the setting."""
    older = json.dumps({"release_date": "2025-01-20", "qualitative_metrics": [
        {"dataset_name": "LiveCodeBench", "score": 0.659, "analysis_method": "Pass@1", "date_recorded": "2025-01-20"},
        {"dataset_name": "LiveCodeBench v5", "score": 0.659, "analysis_method": "Pass@1", "date_recorded": "2025-01-20"},
        {"dataset_name": "LiveCodeBench v5 24.12-25.2", "score": 0.613, "analysis_method": "Pass@1"}]})
    df = llm_stats.parse([raw(R1, older)])
    assert list(df["setting"]) == ["method=Pass@1", "method=Pass@1;version=v5", "method=Pass@1;version=v5"]
    later = llm_stats.parse(_files()[2:])
    lcb = later[later["benchmark_key"].eq("LiveCodeBench")]
    assert list(lcb["setting"]) == ["method=Pass@1;version=v5", "method=Pass@1"]
    scores = normalise(df, "llm_stats", configs).scores  # both names are keys of the one catalog benchmark
    assert set(scores["benchmark_id"]) == {"livecodebench", "llm_stats:LiveCodeBench v5 24.12-25.2"}, \
        "the dated window is not in the catalog: kept under its uncurated id"
    lcb = scores[scores["benchmark_id"].eq("livecodebench")]
    assert lcb["setting"].nunique() == 2 and not lcb.duplicated(["benchmark_id", "setting", "score"]).any()


def test_normalise_to_percent_and_catalog_ids(configs):
    norm = normalise(llm_stats.parse(_files()), "llm_stats", configs)
    s = norm.scores
    r1 = s[s["source_model_name"].eq("deepseek-r1")].set_index(["benchmark_id", "setting"])["score"]
    assert r1[("gpqa_diamond", "method=Pass@1 Diamond")] == pytest.approx(71.5)
    assert r1[("aime_2024", "method=Pass@1")] == pytest.approx(79.8)
    assert r1[("aime_2024", "method=Cons@64")] == pytest.approx(86.7)
    assert r1[("mmlu", "method=Pass@1")] == pytest.approx(90.8)
    llama = s[s["source_model_name"].eq("llama-3.1-8b-instruct")]
    assert set(llama["benchmark_id"]) == {"gpqa_unstated", "mmlu_pro"}
    curated = s[~s["benchmark_id"].str.startswith("llm_stats:")]
    assert set(curated["unit"]) == {"percent"}
    assert s["self_reported"].all()
    assert norm.unmapped.set_index("benchmark_key")["rows"].to_dict() == {"CNMO 2024": 1}
    kept = s[s["benchmark_id"].eq("llm_stats:CNMO 2024")]  # not in the catalog: kept, upstream value, not scaled
    assert len(kept) == 1 and kept["unit"].iloc[0] == "as_published" and 0 <= kept["score"].iloc[0] <= 1
    assert not norm.rejected


@pytest.mark.parametrize("name, body, problem", [
    (R1, b"{not json", "not valid JSON"),
    (R1, b"[1, 2]", "expected a JSON object"),
    (R1, json.dumps({"qualitative_metrics": "GPQA"}), "qualitative_metrics: expected a list"),
    (R1, json.dumps({"qualitative_metrics": [{"dataset_name": "GPQA", "score": "high", "analysis_method": ""}]}), "score: expected a number"),
    (R1, json.dumps({"qualitative_metrics": [{"dataset_name": "GPQA", "score": 0.5}]}), "analysis_method: missing"),
    (R1, json.dumps({"qualitative_metrics": [{"score": 0.5}]}), "dataset_name"),
    (f"{QWEN}/benchmarks.json", json.dumps({"rows": []}), "list of score records"),
    ("models/deepseek/deepseek-r1/notes.json", b"{}", "unknown file"),
])
def test_malformed_input_raises_parse_error_naming_the_file(name, body, problem):
    with pytest.raises(ParseError, match=problem) as err:
        llm_stats.parse([raw(name, body)])
    assert err.value.file == name


def test_bad_score_names_the_row():
    body = json.dumps({"qualitative_metrics": [{"dataset_name": "MMLU", "score": 0.5, "analysis_method": ""},
                                               {"dataset_name": "GPQA", "score": True, "analysis_method": ""}]})
    with pytest.raises(ParseError) as err:
        llm_stats.parse([raw(R1, body)])
    assert err.value.row == 2


@needs_shared
def test_mirror_end_to_end(configs, tmp_path):
    outcome = collect(configs, ["llm_stats"], tmp_path / "results", tmp_path / "cache", SHARED_UPSTREAM, log=lambda m: None)[0]
    assert outcome.status == "updated", outcome.message
    assert outcome.rows > 900, "about 1,000 of the 1,728 mirror scores map onto catalog benchmarks"
    from aggregator.store import read_scores
    scores = read_scores(tmp_path / "results" / "scores.csv")
    r1 = scores[scores["source_model_name"].eq("deepseek-r1") & scores["benchmark_id"].eq("gpqa_diamond")]
    assert r1["score"].tolist() == [pytest.approx(71.5)]
    assert r1["source_url"].item().startswith("https://github.com/JonathanChavezTamales/LLMStats/blob/df1d14e")
    assert scores["self_reported"].all()
