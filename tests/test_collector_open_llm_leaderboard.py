"""Open LLM Leaderboard: v2/v1 from the mirror CSVs and the live parquet, flags, precisions, base models, dates."""

from __future__ import annotations

import io
from pathlib import Path, PurePosixPath

import pandas as pd
import pytest
from conftest import SHARED_UPSTREAM, fixture_file, needs_shared, raw

from aggregator.collect import collect, normalise
from aggregator.collectors import open_llm_leaderboard as oll
from aggregator.errors import ParseError

V2_PARQUET_COLUMNS = [
    "eval_name", "Precision", "Type", "T", "Weight type", "Architecture", "Model", "fullname", "Model sha", "Average ⬆️",
    "Hub License", "Hub ❤️", "#Params (B)", "Available on the hub", "MoE", "Flagged", "Chat Template", "CO₂ cost (kg)",
    "IFEval Raw", "IFEval", "BBH Raw", "BBH", "MATH Lvl 5 Raw", "MATH Lvl 5", "GPQA Raw", "GPQA", "MUSR Raw", "MUSR",
    "MMLU-PRO Raw", "MMLU-PRO", "Merged", "Official Providers", "Upload To Hub Date", "Submission Date", "Generation",
    "Base Model",
]
V1_PARQUET_COLUMNS = [
    "eval_name", "Precision", "Type", "T", "Weight type", "Architecture", "Model", "fullname", "Model sha", "Average ⬆️",
    "Hub License", "Hub ❤️", "#Params (B)", "Available on the hub", "Merged", "MoE", "Flagged", "date", "Chat Template",
    "ARC", "HellaSwag", "MMLU", "TruthfulQA", "Winogrande", "GSM8K", "Maintainers Choice",
]


def _score(df, model, key, setting=None):
    sel = df[(df.source_model_name == model) & (df.benchmark_key == key)]
    if setting is not None:
        sel = sel[sel.setting == setting]
    assert len(sel) == 1, f"one row expected for {model} {key} {setting}, got {len(sel)}"
    return sel.iloc[0]


def _parquet(rows: list[dict], columns: list[str]) -> bytes:
    df = pd.DataFrame([{c: r.get(c) for c in columns} for r in rows], columns=columns)
    buf = io.BytesIO()
    df.to_parquet(buf, index=False)
    return buf.getvalue()


def _v2_parquet_row(name, precision, flagged, ifeval, submitted, base, uploaded="2024-09-01"):
    return {
        "eval_name": f"{name.replace('/', '_')}_{precision}", "Precision": precision, "Type": "💬 chat models",
        "Model": f'<a target="_blank" href="https://huggingface.co/{name}">{name}</a>', "fullname": name,
        "Average ⬆️": 25.0, "Flagged": flagged, "IFEval Raw": ifeval / 100, "IFEval": ifeval, "BBH Raw": 0.5, "BBH": 40.0,
        "MATH Lvl 5 Raw": 0.1, "MATH Lvl 5": 10.0, "GPQA Raw": 0.3, "GPQA": 6.5, "MUSR Raw": 0.4, "MUSR": 7.0,
        "MMLU-PRO Raw": 0.35, "MMLU-PRO": 27.5, "Upload To Hub Date": uploaded, "Submission Date": submitted,
        "Base Model": base,
    }


def test_v2_csv_scores_settings_and_metadata():
    df = oll.parse([fixture_file("open_llm_leaderboard", "huggingface_v2.csv", as_of="2025-06-09")])
    assert len(df) == 4 * 7, "5 rows, one flagged, 7 scores each"
    row = _score(df, "org-a/Model-7B-Instruct", "v2/IFEval", "precision=bfloat16")
    assert row.score == 60.0 and row.as_of == "2024-09-20" and row.model_release_date == "2024-09-01"
    assert row.upstream_org == "org-a" and row.base_model_name == "org-a/Model-7B"
    assert _score(df, "org-a/Model-7B-Instruct", "v2/IFEval", "precision=float16").score == 59.0
    assert _score(df, "org-a/Model-7B-Instruct", "v2/Average", "precision=bfloat16").score == pytest.approx(25.1666666)
    assert _score(df, "org-a/Model-7B-Instruct", "v2/MMLU-PRO", "precision=float16").score == 27.5
    merge = _score(df, "merger/Merge-7B", "v2/GPQA")
    assert merge.score == 2.5 and merge.base_model_name == "", "'<self> (Merge)' is no base model"
    assert merge.as_of == "2025-06-09" and merge.model_release_date == "", "blank dates fall back to the file date"
    assert set(df[df.source_model_name == "gone/Model-3B"].base_model_name) == {""}, "'Removed' is no base model"
    assert "cheater/Leak-7B" not in set(df.source_model_name), "flagged rows are dropped"
    assert not df.self_reported.any() and not df.is_system.any()


def test_v1_csv_flag_is_inverted_and_dates_are_timestamps():
    df = oll.parse([fixture_file("open_llm_leaderboard", "huggingface_v1.csv", as_of="2025-06-09")])
    assert "cheater/Leak-7B" not in set(df.source_model_name), "v1 flagged=FALSE means flagged"
    assert len(df) == 3 * 7
    assert _score(df, "org-b/chat-67b", "v1/GSM8K", "precision=float16").score == 63.68
    row = _score(df, "org-b/chat-67b", "v1/GSM8K", "precision=bfloat16")
    assert row.score == 62.32 and row.as_of == "2024-01-19" and row.upstream_org == "org-b"
    assert _score(df, "org-b/chat-67b", "v1/Average", "precision=float16").score == 71.79
    assert _score(df, "org-c/base-1b", "v1/ARC").as_of == "2025-06-09"


def test_normalise_maps_every_key_to_percent(configs):
    files = [fixture_file("open_llm_leaderboard", n) for n in ("huggingface_v2.csv", "huggingface_v1.csv")]
    norm = normalise(oll.parse(files), "open_llm_leaderboard", configs)
    assert norm.unmapped.empty and not norm.rejected
    assert set(norm.scores.unit) == {"percent"}
    assert set(norm.scores.benchmark_id) == {
        "openllm_v2_average", "openllm_v2_ifeval", "openllm_v2_bbh", "openllm_v2_math_lvl5", "openllm_v2_gpqa",
        "openllm_v2_musr", "openllm_v2_mmlu_pro", "openllm_v1_average", "openllm_v1_arc", "openllm_v1_hellaswag",
        "openllm_v1_mmlu", "openllm_v1_truthfulqa", "openllm_v1_winogrande", "openllm_v1_gsm8k",
    }
    s = norm.scores
    sel = s[(s.source_model_name == "org-a/Model-7B-Instruct") & (s.benchmark_id == "openllm_v2_math_lvl5")]
    assert sorted(sel.score) == [10.0, 10.0]


def test_live_v2_parquet_matches_the_csv_reading():
    rows = [
        _v2_parquet_row("org-a/Model-7B-Instruct", "bfloat16", False, 60.0, "2024-09-20", "org-a/Model-7B"),
        _v2_parquet_row("merger/Merge-7B", "bfloat16", False, 30.0, None, "merger/Merge-7B (Merge)", uploaded=None),
        _v2_parquet_row("cheater/Leak-7B", "bfloat16", True, 80.0, "2024-12-02", "org-a/Model-7B"),
    ]
    f = raw("huggingface_v2.parquet", _parquet(rows, V2_PARQUET_COLUMNS), as_of="2025-03-20")
    df = oll.parse([f])
    assert len(df) == 2 * 7 and "cheater/Leak-7B" not in set(df.source_model_name)
    row = _score(df, "org-a/Model-7B-Instruct", "v2/IFEval")
    assert (row.score, row.setting, row.as_of, row.base_model_name) == (60.0, "precision=bfloat16", "2024-09-20", "org-a/Model-7B")
    assert _score(df, "org-a/Model-7B-Instruct", "v2/Average").score == 25.0, "'Average ⬆️' is read by prefix"
    merge = _score(df, "merger/Merge-7B", "v2/IFEval")
    assert (merge.as_of, merge.base_model_name, merge.model_release_date) == ("2025-03-20", "", "")


def test_live_v1_parquet_skips_missing_scores_only():
    """The leaderboard's own v1 parquet: `Flagged` true only on flagged models (the inverted flag is the
    fboulnois CSV's, not the upstream's)."""
    rows = [
        {"fullname": "org-b/chat-67b", "Precision": "float16", "Flagged": False, "date": "2023-12-01T07:45:30Z",
         "Average ⬆️": 71.79, "ARC": 67.75, "HellaSwag": 86.82, "MMLU": 72.42, "TruthfulQA": 55.85, "Winogrande": 84.21,
         "GSM8K": None},
        {"fullname": "cheater/Leak-7B", "Precision": "bfloat16", "Flagged": True, "date": "2024-03-29T09:34:19Z",
         "Average ⬆️": 80.5, "ARC": 78.5, "HellaSwag": 90.3, "MMLU": 77.8, "TruthfulQA": 75.8, "Winogrande": 85.6,
         "GSM8K": 75.0},
        {"fullname": "org-c/base-1b", "Precision": "float16", "Flagged": False, "date": "2023-09-15T11:25:37.918274",
         "Average ⬆️": 35.1, "ARC": 30.2, "HellaSwag": 50.5, "MMLU": 25.6, "TruthfulQA": 40.1, "Winogrande": 60.2,
         "GSM8K": 4.0},
    ]
    df = oll.parse([raw("huggingface_v1.parquet", _parquet(rows, V1_PARQUET_COLUMNS))])
    assert set(df.source_model_name) == {"org-b/chat-67b", "org-c/base-1b"}
    assert df.score.notna().sum() == 6 + 7, "the null GSM8K of chat-67b is no score, not zero"
    assert pd.isna(_score(df, "org-b/chat-67b", "v1/GSM8K").score)
    assert _score(df, "org-b/chat-67b", "v1/MMLU").score == 72.42
    assert _score(df, "org-c/base-1b", "v1/GSM8K").as_of == "2023-09-15"


def test_missing_column_names_the_file():
    text = fixture_file("open_llm_leaderboard", "huggingface_v1.csv").data.decode().replace("truthfulqa", "truthful")
    with pytest.raises(ParseError, match=r"huggingface_v1\.csv.*missing column.*truthfulqa"):
        oll.parse([raw("huggingface_v1.csv", text)])


def test_non_numeric_score_names_row_and_column():
    text = fixture_file("open_llm_leaderboard", "huggingface_v1.csv").data.decode().replace(",63.68,", ",n.a.x,")
    with pytest.raises(ParseError, match=r"huggingface_v1\.csv, row 3: v1/GSM8K: expected a number, got 'n.a.x'"):
        oll.parse([raw("huggingface_v1.csv", text)])


def test_flag_marking_most_rows_is_an_error_not_a_silent_drop():
    text = fixture_file("open_llm_leaderboard", "huggingface_v1.csv").data.decode().replace("TRUE,TRUE,", "FALSE,TRUE,")
    with pytest.raises(ParseError, match="meaning seems to have changed"):
        oll.parse([raw("huggingface_v1.csv", text)])


def test_broken_parquet_and_unknown_file():
    with pytest.raises(ParseError, match=r"huggingface_v2\.parquet: not a readable parquet"):
        oll.parse([raw("huggingface_v2.parquet", b"PAR1 not really")])
    with pytest.raises(ParseError, match=r"huggingface\.csv: unknown file"):
        oll.parse([raw("huggingface.csv", "a,b\n1,2\n")])


def test_blank_model_name_is_an_error():
    lines = fixture_file("open_llm_leaderboard", "huggingface_v2.csv").data.decode().splitlines()
    lines[1] = lines[1].replace(",org-a/Model-7B-Instruct,", ",,", 1)
    with pytest.raises(ParseError, match=r"row 2: model name"):
        oll.parse([raw("huggingface_v2.csv", "\n".join(lines))])


@needs_shared
def test_mirror_collects_both_versions(configs, tmp_path: Path):
    out = collect(configs, ["open_llm_leaderboard"], tmp_path / "res", tmp_path / "cache", SHARED_UPSTREAM,
                  log=lambda *_: None)
    assert out[0].status == "updated", out[0].message
    assert out[0].rows == (4576 - 1) * 7 + (7169 - 109) * 7, "all scores but the flagged rows (1 in v2, 109 in v1)"
    scores = (tmp_path / "res" / "scores.csv").read_text()
    assert ",Qwen/Qwen2.5-72B-Instruct,openllm_v2_ifeval,precision=bfloat16,86.3838,percent," in scores
    assert ",deepseek-ai/deepseek-llm-67b-chat,openllm_v1_gsm8k,precision=float16,63.6800,percent," in scores
    assert "Contamination/contaminated_proof_7b_v1.0" not in scores
    assert (tmp_path / "res" / "unmapped_benchmarks.csv").read_text().strip() == "source_id,benchmark_key,rows"


def test_live_endpoints_are_files_parse_knows(configs):
    eps = configs.sources["open_llm_leaderboard"].endpoints
    assert {(PurePosixPath(e.name).stem[-2:], PurePosixPath(e.name).suffix) for e in eps} == {("v1", ".parquet"), ("v2", ".parquet")}
    v1 = next(e for e in eps if e.name.endswith("_v1.parquet"))
    assert v1.hf is not None and v1.hf.revision == "refs/convert/parquet", "v1's data/ parquet was deleted from main"
