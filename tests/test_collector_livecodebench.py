"""LiveCodeBench: per-model mean pass@1 over the problems after the model's contamination cut-off."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import SHARED_UPSTREAM, fixture_file, needs_shared, raw

from aggregator.collect import collect, normalise
from aggregator.collectors import livecodebench
from aggregator.errors import ParseError


def _df():
    return livecodebench.parse([fixture_file("livecodebench", "performances_generation.json", as_of="2025-04-22")])


def _score(df, model, key):
    sel = df[(df.source_model_name == model) & (df.benchmark_key == key)]
    return None if sel.empty else sel.iloc[0]


def test_windowed_means():
    df = _df()
    # Model-A: cut-off 2024-01-01; q1 (2023-12-01) and q2 (on the cut-off day) are out: mean(100, 50, 0, 70)
    a = _score(df, "Model-A", "generation")
    assert a.score == pytest.approx(55.0) and a.setting == "window=2024-01-01..2024-04-01"
    assert _score(df, "Model-A", "generation/easy").score == 100.0
    assert _score(df, "Model-A", "generation/medium").score == pytest.approx(60.0)
    assert _score(df, "Model-A", "generation/hard").score == 0.0
    # Model-B: cut-off 2024-03-15 leaves q5 (20) and q6 (40); no easy problem in its window
    b = _score(df, "Model-B (High)", "generation")
    assert b.score == pytest.approx(30.0) and b.setting == "window=2024-03-15..2024-04-01"
    assert _score(df, "Model-B (High)", "generation/easy") is None
    # Model-C: nothing after its cut-off, no score at all
    assert "Model-C" not in set(df.source_model_name)


def test_cutoff_is_not_a_release_date():
    df = _df()
    assert set(df.model_release_date) == {""}
    assert set(df.as_of) == {"2025-04-22"}
    assert _score(df, "Model-A", "generation").upstream_org == "org-a"
    assert _score(df, "Model-B (High)", "generation").upstream_org == ""


def test_normalise(configs):
    norm = normalise(_df(), "livecodebench", configs)
    assert norm.unmapped.empty and not norm.rejected
    assert set(norm.scores.benchmark_id) == {"livecodebench", "livecodebench_easy", "livecodebench_medium",
                                             "livecodebench_hard"}


def _doc(**change):
    doc = json.loads(fixture_file("livecodebench", "performances_generation.json").data)
    doc.update(change)
    return doc


def test_malformed():
    doc = _doc()
    doc["performances"][3]["pass@1"] = "fifty"
    with pytest.raises(ParseError, match=r"row performances\[3\]: pass@1: expected a number, got 'fifty'"):
        livecodebench.parse([raw("performances_generation.json", json.dumps(doc))])
    doc = _doc()
    doc["models"][1]["release_date"] = 1710460800  # seconds, not milliseconds
    with pytest.raises(ParseError, match=r"row models\[1\]: release_date: expected epoch milliseconds"):
        livecodebench.parse([raw("performances_generation.json", json.dumps(doc))])
    doc = _doc(models=_doc()["models"][:2])
    with pytest.raises(ParseError, match=r"model 'Model-C' has no entry in 'models'"):
        livecodebench.parse([raw("performances_generation.json", json.dumps(doc))])
    with pytest.raises(ParseError, match=r"'performances': expected a list of objects"):
        livecodebench.parse([raw("performances_generation.json", json.dumps(_doc(performances={"a": 1})))])
    with pytest.raises(ParseError, match=r"missing column.*release_date"):
        livecodebench.parse([raw("performances_generation.json", json.dumps(_doc(models=[{"model_repr": "Model-A"}])))])


@needs_shared
def test_mirror_matches_a_plain_recomputation(configs, tmp_path: Path):
    out = collect(configs, ["livecodebench"], tmp_path / "res", tmp_path / "cache", SHARED_UPSTREAM, log=lambda *_: None)
    assert out[0].status == "updated", out[0].message
    assert out[0].rows == 16 * 4, "16 models, overall + 3 difficulties"
    doc = json.loads((SHARED_UPSTREAM / "livecodebench" / "performances_generation.json").read_bytes())
    cutoff = next(m["release_date"] for m in doc["models"] if m["model_repr"] == "DeepSeek-V3")
    window = [p["pass@1"] for p in doc["performances"] if p["model"] == "DeepSeek-V3" and p["date"] > cutoff]
    expected = sum(window) / len(window)
    scores = (tmp_path / "res" / "scores.csv").read_text()
    assert f",DeepSeek-V3,livecodebench,window=2024-06-30..2025-04-07,{expected:.4f},percent," in scores
