"""BigCodeBench: full and Hard files, complete/instruct splits as keys, the board's model date kept."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SHARED_UPSTREAM, fixture_file, needs_shared, raw

from aggregator.collect import collect, normalise
from aggregator.collectors import bigcodebench
from aggregator.errors import ParseError


def _files():
    return [fixture_file("bigcodebench", n, as_of="2025-04-17") for n in ("results.json", "results-hard.json")]


def test_keys_scores_and_dates():
    df = bigcodebench.parse(_files())
    assert len(df) == 5 + 3, "StarCoder2-3B has no instruct score"
    s = df.set_index(["source_model_name", "benchmark_key"])
    assert s.loc[("DeepSeek-V3-Chat", "hard/instruct"), "score"] == 27.7
    assert s.loc[("DeepSeek-V3-Chat", "full/complete"), "score"] == 62.2
    assert s.loc[("StarCoder2-3B", "hard/complete"), "score"] == 4.7
    assert ("StarCoder2-3B", "full/instruct") not in s.index
    assert s.loc[("DeepSeek-V3-Chat", "full/instruct"), "model_release_date"] == "2024-12-26"
    assert s.loc[("DeepSeek-V3-Chat", "full/instruct"), "upstream_org"] == "deepseek-ai"
    assert s.loc[("GPT-4o-2024-05-13", "full/instruct"), "upstream_org"] == ""
    assert set(df.as_of) == {"2025-04-17"}


def test_normalise(configs):
    norm = normalise(bigcodebench.parse(_files()), "bigcodebench", configs)
    assert norm.unmapped.empty and not norm.rejected
    assert set(norm.scores.benchmark_id) == {"bigcodebench_full_complete", "bigcodebench_full_instruct",
                                             "bigcodebench_hard_complete", "bigcodebench_hard_instruct"}


def test_malformed():
    with pytest.raises(ParseError, match=r"results-hard\.json, row X: pass@1\.complete: expected a number"):
        bigcodebench.parse([raw("results-hard.json", '{"X": {"pass@1": {"instruct": 1.0, "complete": true}}}')])
    with pytest.raises(ParseError, match=r"results-lite\.json: unknown file"):
        bigcodebench.parse([raw("results-lite.json", "{}")])


@needs_shared
def test_mirror(configs, tmp_path: Path):
    out = collect(configs, ["bigcodebench"], tmp_path / "res", tmp_path / "cache", SHARED_UPSTREAM, log=lambda *_: None)
    assert out[0].status == "updated", out[0].message
    assert out[0].rows == 651, "202 models x 2 files x 2 splits minus nulls"
    scores = (tmp_path / "res" / "scores.csv").read_text()
    assert ",StarCoder2-15B-Instruct-v0.1,bigcodebench_full_instruct,,37.6000,percent," in scores
    assert ",Magicoder-S-DS-6.7B,bigcodebench_hard_complete,,12.8000,percent," in scores
