"""Resolution of upstream names against the real registry: every derivation, once per distinct name, and the
unmatched / resolved-share tables built from the result."""

from __future__ import annotations

import pandas as pd

from aggregator.resolve import name_key, resolve, resolved_share, row_groups, unmatched_table
from aggregator.store import SCORE_COLUMNS

# (source, upstream name, base model, expected model id, expected derivation)
CASES = [
    ("lmarena", "claude-3-5-sonnet-20240620", "", "claude-3.5-sonnet", "alias"),
    ("lmarena", "late-june-chatbot", "", "", "ignored"),
    ("aider", "DeepSeek V3", "", "deepseek-v3", "name"),
    ("open_llm_leaderboard", "someone/ft-of-ft", "someone/mid-ft", "deepseek-v3", "finetune"),
    ("open_llm_leaderboard", "someone/mid-ft", "deepseek-ai/DeepSeek-V3", "deepseek-v3", "finetune"),
    ("open_llm_leaderboard", "someone/orphan", "", "", "unmatched"),
    ("aider", "someone/orphan", "", "", "unmatched"),
]


def _rows(cases, repeat=1):
    base = dict.fromkeys([c for c in SCORE_COLUMNS if c not in ("model_id", "derivation")], "")
    base |= {"score": 1.0, "ci_lower": float("nan"), "ci_upper": float("nan"), "self_reported": False,
             "is_system": False, "benchmark_id": "x", "as_of": "2025-01-01"}
    return pd.DataFrame([base | {"source_id": s, "source_model_name": n, "base_model_name": b}
                         for s, n, b, *_ in cases for _ in range(repeat)])


def test_every_derivation(configs):
    assert {"claude-3.5-sonnet", "deepseek-v3"} <= set(configs.models)  # why: the cases name real registry models
    out = resolve(_rows(CASES, repeat=3), configs)
    got = list(zip(out["model_id"], out["derivation"], strict=True))
    assert got == [(m, d) for *_, m, d in CASES for _ in range(3)]


def test_unmatched_and_share_tables(configs):
    out = resolve(_rows(CASES, repeat=2), configs)
    um = unmatched_table(out)
    assert list(zip(um["source_id"], um["source_model_name"], um["rows"], strict=True)) == [
        ("aider", "someone/orphan", 2), ("open_llm_leaderboard", "someone/orphan", 2)]
    share = resolved_share(out).set_index("source_id")
    assert share.loc["open_llm_leaderboard", ["rows", "resolved"]].tolist() == [6, 4]
    assert share.loc["(all)", ["rows", "resolved"]].tolist() == [12, 8], "ignored rows count nowhere"


def test_row_groups_codes_in_order_of_first_appearance():
    df = pd.DataFrame({"a": ["x", "y", "x", "x", "y"], "b": ["1", "1", "1", "2", "1"]})
    codes, first = row_groups(df, ["a", "b"])
    assert codes.tolist() == [0, 1, 0, 2, 1] and first.tolist() == [0, 1, 3]


def test_name_key_keeps_the_owner():
    assert name_key(" Qwen/Qwen2.5 72B_Instruct ") == "qwen/qwen2.5-72b-instruct"
    assert name_key("https://huggingface.co/deepseek-ai/DeepSeek-V3") == "deepseek-ai/deepseek-v3"
    assert name_key("__") == ""
    # issue 12: 'ViT-Huge/14' and 'ViT-G/14' both became '14' when everything before '/' was dropped
    assert (name_key("ViT-Huge/14"), name_key("ViT-G/14")) == ("vit-huge/14", "vit-g/14")
