"""Curated model registry (configs/models) and alias files: known training-hardware facts, via the config objects."""

import pytest

from aggregator.config import load_configs


@pytest.fixture(scope="module")
def configs():
    return load_configs("configs")


def classes(configs, accs):
    return {configs.hardware_class_of[a] for a in accs}


def test_at_least_150_models(configs):
    assert len(configs.models) >= 150, "the issue asks for at least 150 curated models"


def test_deepseek_v3_on_2048_h800(configs):
    t = configs.models["deepseek-v3"].training
    assert (t.accelerators, t.chip_count, t.confidence) == (["nvidia-h800"], 2048, "confirmed"), "DeepSeek-V3 paper: 2048 H800"


def test_deepseek_r1_rl_stage_is_post_training_on_h800(configs):
    m = configs.models["deepseek-r1"]
    assert m.derived_from == "deepseek-v3-base", "R1's pre-training is inherited from V3-Base"
    assert m.post_training.scope == "post-training" and m.post_training.accelerators == ["nvidia-h800"]
    assert m.training is None, "R1 itself has no separate pre-training tag"


def test_pangu_ultra_on_ascend_confirmed(configs):
    t = configs.models["pangu-ultra"].training
    assert t.confidence == "confirmed" and t.chip_count == 8192
    assert all(a.startswith("huawei-ascend") for a in t.accelerators), "Pangu Ultra: 8,192 Ascend NPUs"
    assert classes(configs, t.accelerators) == {"domestic"}


def test_qianfan_vl_on_kunlunxin_p800(configs):
    for mid in ("qianfan-vl-3b", "qianfan-vl-8b", "qianfan-vl-70b"):
        t = configs.models[mid].training
        assert t.accelerators == ["kunlunxin-p800"] and t.confidence == "confirmed", mid


def test_gemini_25_pro_on_tpu(configs):
    t = configs.models["gemini-2.5-pro"].training
    assert t.accelerators and all(a.startswith("google-tpu") for a in t.accelerators)
    assert classes(configs, t.accelerators) == {"other"}, "TPUs are neither NVIDIA nor domestic"


@pytest.mark.parametrize("mid", ["glm-4.6", "step-3", "deepseek-v3.2-exp", "glm-5"])
def test_inference_claims_never_become_training(configs, mid):
    m = configs.models[mid]
    assert m.inference_claims, f"{mid} has a documented inference-only chip claim"
    assert m.training is not None and m.training.confidence == "unknown" and not m.training.accelerators, \
        "running on Ascend/Cambricon is not evidence of training there"


def test_every_tag_has_https_evidence_or_looked_at(configs):
    for m in configs.models.values():
        for t in (m.training, m.post_training):
            if t is None:
                continue
            if t.confidence == "unknown":
                assert t.looked_at, f"{m.id}: an unknown tag says what was searched"
            else:
                assert t.evidence and all(e.url.startswith("https://") for e in t.evidence), f"{m.id}: evidence needs https urls"


def test_variants_link_to_their_base(configs):
    assert configs.models["deepseek-r1-0528"].derived_from == "deepseek-r1"
    assert configs.models["deepseek-v3-0324"].derived_from == "deepseek-v3"
    assert configs.models["deepseek-r1-0528"].derivation == "variant"


def test_disputed_claims_stay_weak(configs):
    assert configs.models["glm-5"].training.confidence == "unknown", "GLM-5 Ascend training claims are unverified"
    v4 = configs.models["deepseek-v4-pro"].training
    assert v4.confidence in ("reported", "inferred") and classes(configs, v4.accelerators) == {"nvidia", "domestic"}


def test_no_unknown_chinese_model_guessed_from_country(configs):
    # Qwen3 has no chip disclosure: it must stay unknown rather than be tagged by the lab's country.
    assert configs.models["qwen3-235b-a22b"].training.confidence == "unknown"
    assert configs.models["minimax-m2"].training.confidence == "unknown"


def test_aliases_point_to_registry_models(configs):
    assert configs.aliases["lmarena"]["claude-3-5-sonnet-20240620"] == "claude-3.5-sonnet"
    assert configs.aliases["epoch_benchmarking_hub"]["gpt-5.4-2026-03-05_high"] == "gpt-5.4"
    assert configs.aliases["lmarena"]["late-june-chatbot"] is None, "anonymous arena entries are ignored on purpose"
