"""OpenCompass collector: CompassBench edition files (gzip or plain), the academic board, and malformed input."""

from __future__ import annotations

import gzip
import json

import pytest
from conftest import FIXTURES, fixture_file, raw

from aggregator.collect import normalise
from aggregator.collectors import opencompass as oc
from aggregator.errors import ParseError

ED_NEW = "assets/llm-rank/llm-data-v2.25-10.20251120.json"
ED_OLD = "assets/llm-rank/llm-data-v2.25-07.20250815.json"
EDITION = (FIXTURES / "opencompass" / "llm-data-v2.25-10.json").read_bytes()


def _files():
    return [
        fixture_file("opencompass", oc.MONTHS, as_of="2025-12-01"),
        raw(ED_NEW, gzip.compress(EDITION), as_of="2025-12-01"),
        raw(ED_OLD, EDITION, as_of="2025-12-01"),
        fixture_file("opencompass", oc.ACADEMIC, as_of="2025-12-01"),
        fixture_file("opencompass", oc.META, as_of="2025-12-01"),
    ]


def test_parse_editions_gzip_and_plain():
    df = oc.parse(_files())
    bench = df[df["benchmark_key"].str.contains(":")]
    new = bench[bench["setting"].eq("edition=25-10")]
    old = bench[bench["setting"].eq("edition=25-07")]
    assert len(new) == len(old) == 5 + 4 + 2 + 1, "text columns and '-' / null cells are not scores"
    assert set(new["as_of"]) == {"2025-11-20"} and set(old["as_of"]) == {"2025-08-15"}
    ds = new[new["source_model_name"].eq("DeepSeek-V3.1 (Thinking)")].set_index("benchmark_key")
    assert ds.loc["OverallTable:Average", "score"] == pytest.approx(81.2)
    assert ds.loc["MathTable:CompassMath-Hard", "score"] == pytest.approx(79.5)
    assert ds.loc["OverallTable:Average", "upstream_org"] == "DeepSeek"
    assert "OverallTable:Code" not in set(new.loc[new["source_model_name"].str.startswith("Qwen3"), "benchmark_key"])


def test_parse_academic_board_with_model_metadata():
    df = oc.parse(_files())
    acad = df[~df["benchmark_key"].str.contains(":")].set_index(["source_model_name", "benchmark_key"])
    assert len(acad) == 3, "'-' means not evaluated"
    q = acad.loc[("Qwen2.5-72B-Instruct", "GPQA_diamond")]
    assert q["score"] == pytest.approx(49.49)
    assert q["setting"] == "metric=accuracy;mode=gen;version=5aeece"
    assert q["upstream_org"] == "Alibaba"
    assert q["model_release_date"] == "2024-09-19"
    assert q["as_of"] == "2025-01-10"
    internlm = acad.loc[("InternLM3-8B-Instruct", "GPQA_diamond")]
    assert internlm["score"] == pytest.approx(37.88), "numeric strings are scores"
    assert internlm["model_release_date"] == "", "a month is not a release day"


def test_academic_without_metadata_keeps_the_abbr():
    df = oc.parse([fixture_file("opencompass", oc.ACADEMIC)])
    assert "qwen2.5-72b-instruct-turbomind" in set(df["source_model_name"])


def test_normalise_catalog_ids(configs):
    norm = normalise(oc.parse(_files()), "opencompass", configs)
    s = norm.scores.set_index(["source_model_name", "benchmark_id", "setting"])["score"]
    assert s[("DeepSeek-V3.1 (Thinking)", "compassbench_overall", "edition=25-10")] == pytest.approx(81.2)
    assert s[("Qwen2.5-72B-Instruct", "gpqa_diamond", "metric=accuracy;mode=gen;version=5aeece")] == pytest.approx(49.49)
    assert s[("Qwen2.5-72B-Instruct", "math_500", "metric=accuracy;mode=gen;version=b51b2e")] == pytest.approx(82.4)
    assert set(norm.scores["unit"]) == {"percent"}
    assert set(norm.unmapped["benchmark_key"]) == {"MathTable:Average", "MathTable:CompassMath-Hard"}


def test_gunzip_is_capped():
    f = raw(ED_NEW, gzip.compress(b"{" + b" " * 5000 + b"}"))
    with pytest.raises(ParseError, match="decompresses to over 100 bytes"):
        oc.gunzip(f, cap=100)
    assert oc.gunzip(f).data.startswith(b"{"), "under the default cap it decompresses"


@pytest.mark.parametrize("name, body, problem", [
    (ED_NEW, b"\x1f\x8b\x08\x00garbage", "broken gzip"),
    (ED_NEW, json.dumps({"models": {}}), "expected an edition object"),
    (ED_NEW, json.dumps({"OverallTable": {"model": "x"}}), "OverallTable: expected a list of row objects"),
    (ED_NEW, json.dumps({"OverallTable": [{"org": "x", "Average": 1}]}), "every row needs a 'model'"),
    (ED_NEW, json.dumps({"OverallTable": [{"model": "a", "Average": 1}, {"model": "b", "Average": "n.a."}]}),
     "OverallTable.Average: expected a finite number"),
    (oc.MONTHS, json.dumps({"msg": "ok", "data": None}), "expected {msgCode"),
    (oc.MONTHS, json.dumps({"data": [{"month": "25-10"}]}), "fileName"),
    (oc.ACADEMIC, json.dumps({"IFEval": {"dataset": "IFEval", "metric": "acc", "m1": "fast"}}), "IFEval.m1: expected a number"),
    (oc.ACADEMIC, json.dumps({"IFEval": {"m1": 80.1}}), "expected {dataset, metric"),
    (ED_NEW, json.dumps({"OverallTable": [{"model": "a", "": 1}]}), "a column has no name"),
    (oc.ACADEMIC, json.dumps(["IFEval"]), "expected {dataset"),
    (oc.META, json.dumps({"abbr": "m"}), "expected a list of model records"),
])
def test_malformed_input_raises_parse_error(name, body, problem):
    with pytest.raises(ParseError, match=problem) as err:
        oc.parse([raw(name, body)])
    assert err.value.file == name


def test_mixed_column_error_names_the_row():
    body = json.dumps({"OverallTable": [{"model": "a", "Average": 1}, {"model": "b", "Average": "n.a."}]})
    with pytest.raises(ParseError) as err:
        oc.parse([raw(ED_NEW, body)])
    assert err.value.row == 2
