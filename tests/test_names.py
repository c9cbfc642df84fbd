"""Names never merge distinct models: an owner other than the model's organisation never resolves to the vendor's
model by name, alias files stay per source, distinct releases have their own ids, '/' inside a name is not an owner
separator, and an Epoch base-model cell naming two models is split. Upstream rows in their real shape."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import FIXTURES, raw
from test_hardware import cfg, epoch  # noqa: F401  (fixtures: the small registry and Epoch table)

from aggregator import hardware as hw
from aggregator.collectors import open_llm_leaderboard
from aggregator.resolve import name_matcher, resolve
from aggregator.store import SCORE_COLUMNS

# Open LLM Leaderboard v2 (fboulnois huggingface_v2.csv): re-uploads and fine-tunes under other owners, and LMSYS'
# and OpenChat's own versioned releases. Rows as in the mirror (the scores shortened to what the parser reads).
V2_ROWS = [
    ("AI-Sweden-Models/Llama-3-8B-instruct", "fine-tunedondomain-specificdatasets", "FALSE", "meta-llama/Meta-Llama-3-8B"),
    ("braindao/Qwen2.5-14B-Instruct", "chatmodels", "FALSE", "Qwen/Qwen2.5-14B"),
    ("Triangle104/Minerva-8b", "fine-tunedondomain-specificdatasets", "TRUE", "Triangle104/Minerva-8b (Merge)"),
    ("eachadea/vicuna-13b", "fine-tunedondomain-specificdatasets", "FALSE", "eachadea/vicuna-13b"),
    ("lmsys/vicuna-13b-v1.3", "fine-tunedondomain-specificdatasets", "FALSE", "lmsys/vicuna-13b-v1.3"),
    ("lmsys/vicuna-13b-v1.5", "fine-tunedondomain-specificdatasets", "FALSE", "lmsys/vicuna-13b-v1.5"),
    ("openchat/openchat-3.5-0106", "fine-tunedondomain-specificdatasets", "FALSE", "mistralai/Mistral-7B-v0.1"),
    ("Qwen/Qwen2.5-14B-Instruct", "chatmodels", "FALSE", "Qwen/Qwen2.5-14B"),
]


def _v2_csv() -> str:
    header = (FIXTURES / "open_llm_leaderboard" / "huggingface_v2.csv").read_text().splitlines()[0]
    cols = header.split(",")
    lines = [header]
    for name, kind, merged, base in V2_ROWS:
        row = dict.fromkeys(cols, "")
        row |= {"id": f"{name}_bfloat16_sha_True", "model_name": name, "model_sha": "sha", "model_precision": "bfloat16",
                "model_type": kind, "model_weight_type": "Original", "model_average_score": "20.0",
                "evaluations_ifeval_normalized_score": "30.0", "features_is_merged": merged, "features_is_flagged": "FALSE",
                "metadata_upload_date": "2024-06-01", "metadata_submission_date": "2024-06-27", "metadata_base_model": base}
        lines.append(",".join(row[c] for c in cols))
    return "\n".join(lines) + "\n"


def _score_rows(parsed: pd.DataFrame, source: str) -> pd.DataFrame:
    return parsed.drop(columns=["benchmark_key"]).assign(benchmark_id="x", unit="percent", source_id=source)[
        [c for c in SCORE_COLUMNS if c not in ("model_id", "derivation")]]


def _resolved(rows: list[tuple[str, str]], configs) -> dict[tuple[str, str], tuple[str, str]]:
    base = dict.fromkeys([c for c in SCORE_COLUMNS if c not in ("model_id", "derivation")], "")
    base |= {"score": 1.0, "ci_lower": float("nan"), "ci_upper": float("nan"), "self_reported": False, "is_system": False,
             "benchmark_id": "x", "as_of": "2025-01-01"}
    out = resolve(pd.DataFrame([base | {"source_id": s, "source_model_name": n} for s, n in rows]), configs)
    return {(s, n): (m, d) for s, n, m, d in zip(out.source_id, out.source_model_name, out.model_id, out.derivation, strict=True)}


def test_other_owners_never_resolve_to_the_vendors_model(configs):
    parsed = open_llm_leaderboard.parse([raw("huggingface_v2.csv", _v2_csv())])
    out = resolve(_score_rows(parsed, "open_llm_leaderboard"), configs)
    got = out.drop_duplicates("source_model_name").set_index("source_model_name")[["model_id", "derivation"]]
    assert got.apply(tuple, axis=1).to_dict() == {
        "AI-Sweden-Models/Llama-3-8B-instruct": ("llama-3-8b", "finetune"),  # a fine-tune, not Meta's instruct model
        "braindao/Qwen2.5-14B-Instruct": ("qwen2.5-14b", "finetune"),  # a fine-tune of the base, not Qwen's instruct
        "Triangle104/Minerva-8b": ("", "unmatched"),  # a community merge, not Google's Minerva 8B
        "eachadea/vicuna-13b": ("", "unmatched"),  # someone's upload, not LMSYS' Vicuna
        "lmsys/vicuna-13b-v1.3": ("vicuna-13b-v1.3", "name"),  # LLaMA-1 based
        "lmsys/vicuna-13b-v1.5": ("vicuna-13b-v1.5", "name"),  # Llama-2 based: a different model
        "openchat/openchat-3.5-0106": ("openchat-3.5-0106", "name"),
        "Qwen/Qwen2.5-14B-Instruct": ("qwen2.5-14b-instruct", "name"),  # the vendor's own repo
    }


def test_distinct_releases_have_their_own_ids(configs):
    got = _resolved([("lmarena", "gemini-exp-1114"), ("lmarena", "gemini-exp-1121"), ("lmarena", "gemini-exp-1206"),
                     ("aider", "gemini/gemini-exp-1206"), ("lmarena", "openchat-3.5"), ("lmarena", "openchat-3.5-0106"),
                     ("epoch_benchmarking_hub", "vicuna-13b-v1.1"), ("livebench", "vicuna-7b-v1.5-16k"),
                     ("livebench", "vicuna-7b-v1.5"), ("swe_bench", "gpt-4o-20241120")], configs)
    assert {k: m for k, (m, _) in got.items()} == {
        ("lmarena", "gemini-exp-1114"): "gemini-exp-1114", ("lmarena", "gemini-exp-1121"): "gemini-exp-1121",
        ("lmarena", "gemini-exp-1206"): "gemini-exp-1206", ("aider", "gemini/gemini-exp-1206"): "gemini-exp-1206",
        ("lmarena", "openchat-3.5"): "openchat-3.5", ("lmarena", "openchat-3.5-0106"): "openchat-3.5-0106",
        ("epoch_benchmarking_hub", "vicuna-13b-v1.1"): "vicuna-13b-v1.1",
        ("livebench", "vicuna-7b-v1.5-16k"): "vicuna-7b-v1.5-16k", ("livebench", "vicuna-7b-v1.5"): "vicuna-7b-v1.5",
        ("swe_bench", "gpt-4o-20241120"): "gpt-4o-2024-11-20"}
    m = configs.models
    assert (m["vicuna-13b-v1.1"].derived_from, m["vicuna-13b-v1.5"].derived_from) == ("llama-13b", "llama-2-13b")


def test_aliases_stay_per_source(configs):
    """An alias file speaks for its own source only: Epoch's 'Vicuna v1.3 (7B)' is no name on the Open LLM board."""
    assert configs.aliases["epoch_benchmarking_hub"]["Vicuna v1.3 (7B)"] == "vicuna-7b-v1.3"
    assert "Vicuna v1.3 (7B)" not in configs.aliases.get("open_llm_leaderboard", {})
    got = _resolved([("epoch_benchmarking_hub", "Vicuna v1.3 (7B)"), ("epoch_benchmarking_hub", "vicuna v1.3 (7b)"),
                     ("open_llm_leaderboard", "Vicuna v1.3 (7B)")], configs)
    assert list(got.values()) == [("vicuna-7b-v1.3", "alias"), ("vicuna-7b-v1.3", "name"), ("", "unmatched")]


def test_routing_prefixes_are_cut_owners_are_checked(configs):
    aider, hub = name_matcher(configs, "aider"), name_matcher(configs, "epoch_benchmarking_hub")
    assert aider("openrouter/x-ai/grok-4") == "grok-4"  # provider cut; x-ai is xAI
    assert aider("openrouter/meta-llama/llama-3.3-70b-instruct") == "llama-3.3-70b-instruct"
    assert aider("openrouter/somebody/llama-3.3-70b-instruct") is None
    assert hub("chutes/DeepSeek-R1-0528") == "deepseek-r1-0528" and hub("zai-org/GLM-4.6") == "glm-4.6"
    assert hub("somebody/GLM-4.6") is None
    assert name_matcher(configs, "open_llm_leaderboard")("chutes/DeepSeek-R1-0528") is None  # a prefix of Epoch's only


# --- Epoch names with '/' and base-model cells naming two models (collected epoch_ai_models.csv rows) -------------

EPOCH_ROWS = [  # epoch_name, organization, publication_date, training_hardware, hardware_quantity, base_model
    ("ViT-G/14", "Google Brain,Google Research", "2021-06-08", "Google TPU v3", "2048", ""),
    ("ViT-Huge/14", "Google Brain,Google Research", "2020-10-22", "Google TPU v3", "", ""),
    ("Segment Anything Model", "Meta AI", "2023-04-05", "NVIDIA A100", "256", "ViT-Huge/14"),
    ("ImageBind", "Meta AI", "2023-05-09", "NVIDIA V100,NVIDIA A100", "", "ViT-Huge/14"),
    ("Llama 2-13B", "Meta AI", "2023-07-18", "NVIDIA A100 SXM4 80 GB", "", ""),
    ("CLIP (ViT L/14@336px)", "OpenAI", "2021-01-05", "NVIDIA V100", "256", ""),
    ("VILA-13B", "NVIDIA,Massachusetts Institute of Technology (MIT)", "2023-12-12", "NVIDIA A100 SXM4 80 GB", "128",
     "Llama 2-13B,CLIP (ViT L/14@336px)"),
]


def _epoch_table(epoch, names=None):  # noqa: F811
    rows = [r for r in EPOCH_ROWS if names is None or r[0] in names]
    extra = pd.DataFrame([{"epoch_name": n, "organization": o, "country": "United States of America", "publication_date": d,
                           "training_hardware": h, "hardware_quantity": q, "base_model": b, "dataset": "notable_ai_models",
                           "source_url": "https://epoch.ai/data/notable_ai_models.csv"} for n, o, d, h, q, b in rows])
    return pd.concat([epoch, extra], ignore_index=True)


def test_slash_in_an_epoch_name_is_not_an_owner(cfg, epoch):  # noqa: F811
    t = hw.build_model_table(cfg, _epoch_table(epoch), None).set_index("model_id")
    for mid in ("segment-anything-model", "imagebind"):
        assert t.at[mid, "derived_from"] == "vit-huge-14"
        assert pd.isna(t.at[mid, "chip_count"]), "not ViT-G/14's 2048 TPU v3"
    alone = hw.build_model_table(cfg, _epoch_table(epoch, {"ViT-G/14", "Segment Anything Model"}), None).set_index("model_id")
    assert alone.at["segment-anything-model", "derived_from"] == ""  # its base is not in the table: no link to ViT-G/14
    assert alone.at["segment-anything-model", "hardware_class"] == "unknown"


def test_a_base_cell_naming_two_models_is_split(cfg, epoch):  # noqa: F811
    t = hw.build_model_table(cfg, _epoch_table(epoch), None).set_index("model_id")
    v = t.loc["vila-13b"]
    assert (v["derived_from"], v["derivation"]) == ("llama-2-13b;clip-vit-l-14-336px", "composite")
    assert (v["hardware_class"], v["inherited_from"]) == ("unknown", ""), "two bases: neither's pretraining chips"
    assert (v["post_training_class"], v["post_training_chip_count"]) == ("nvidia", 128.0)  # its own run, as Epoch says
    assert hw.base_names("Llama 2-13B,CLIP (ViT L/14@336px)") == ("Llama 2-13B", "CLIP (ViT L/14@336px)")
    assert hw.base_names("ViT-Huge/14") == ("ViT-Huge/14",)


@pytest.mark.parametrize("name", ["GLaM (64B/64E) (3-shot)", "LLaVA (ViT-L/16-224)"])
def test_slash_inside_a_name_never_matches_its_tail(configs, name):
    assert name_matcher(configs, "open_llm_leaderboard")(name) is None
