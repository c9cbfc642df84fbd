"""Training-hardware tagging: catalog mapping, Epoch evidence, lineage, curated-wins, conflicts, confidence filter."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from conftest import FIXTURES, ROOT, SHARED_UPSTREAM, needs_shared

from aggregator import hardware as hw
from aggregator.config import load_configs
from aggregator.errors import AggregatorError, StoreError

FIX = FIXTURES / "hardware"
EPOCH_COLUMNS = {"Model": "epoch_name", "Organization": "organization", "Country (of organization)": "country",
                 "Country (from Organization)": "country", "Publication date": "publication_date",
                 "Training compute (FLOP)": "training_compute_flop", "Training hardware": "training_hardware",
                 "Hardware quantity": "hardware_quantity", "Base model": "base_model", "Model accessibility": "accessibility"}


def write_configs(dst: Path) -> Path:
    """A small configs/ folder: the real accelerator catalog, the default settings, the fixture registry."""
    (dst / "models").mkdir(parents=True)
    shutil.copy(ROOT / "configs" / "hardware.yaml", dst / "hardware.yaml")
    (dst / "settings.yaml").write_text("country_under_study: China\n", encoding="utf-8")  # no headline benchmarks here
    (dst / "sources.yaml").write_text("sources:\n  - {id: epoch_ai_models, title: t, producer: p, homepage: 'https://epoch.ai',"
                                      " license: CC-BY-4.0, citation: c, kind: models}\n", encoding="utf-8")
    (dst / "benchmarks.yaml").write_text("units: {}\nbenchmarks: []\n", encoding="utf-8")
    shutil.copy(FIX / "models.yaml", dst / "models" / "test.yaml")
    return dst


def mirror_epoch_table() -> pd.DataFrame:
    """The Epoch models table as the epoch_ai_models collector writes it, built here from the mirror CSVs."""
    paths = sorted((SHARED_UPSTREAM / "epoch_ai_models").glob("*.csv")) + [SHARED_UPSTREAM / "epoch_models" / "notable_ai_models.csv"]
    frames = []
    for p in paths:
        df = pd.read_csv(p, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        df = df[[c for c in EPOCH_COLUMNS if c in df.columns]].rename(columns=EPOCH_COLUMNS)
        frames.append(df.assign(dataset=p.stem, source_url=f"https://example.org/{p.name}"))
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope="module")
def cfg(tmp_path_factory):
    return load_configs(write_configs(tmp_path_factory.mktemp("configs")))


@pytest.fixture(scope="module")
def epoch() -> pd.DataFrame:
    return pd.read_csv(FIX / "epoch_ai_models.csv", dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def cards() -> pd.DataFrame:
    return pd.read_csv(FIX / "hf_mentions.csv", dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def table(cfg, epoch, cards) -> pd.DataFrame:
    return hw.build_model_table(cfg, epoch, cards).set_index("model_id")


# --- mapping strings -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text, ids", [
    ("NVIDIA A100 SXM4 80 GB", ["nvidia-a100"]),
    ("NVIDIA A800 PCIe,Ascend (昇腾) 910B", ["nvidia-a800", "huawei-ascend-910b"]),
    ("Huawei Ascend 910", ["huawei-ascend-910"]),
    ("Huawei Ascend 800T A2", ["huawei-ascend-910b"]),
    ("CloudMatrix 384", ["huawei-ascend-910c"]),
    ("Google TPU v6e Trillium", ["google-tpu-v6e"]),
    ("NVIDIA GeForce GTX TITAN X", ["nvidia-titan-x"]),
    ("NVIDIA GeForce GTX 1080 Ti", ["nvidia-gtx-1080-ti"]),
    ("使用2048张H800训练", ["nvidia-h800"]),
    ("昇腾910B", ["huawei-ascend-910b"]),
    ("Kunlunxin P800", ["kunlunxin-p800"]),
    ("Amazon Trainium1", ["aws-trainium"]),
    ("Trainium 2", ["aws-trainium2"]),
    ("trained on Ascend NPUs", ["huawei-ascend-unspecified"]),
    ("NVIDIA GPUs", ["nvidia-unspecified"]),
    ("NVIDIA Tesla V100 DGXS 32 GB,Huawei Ascend 910", ["nvidia-v100", "huawei-ascend-910"]),
])
def test_map_hardware_real_strings(cfg, text, ids):
    assert hw.map_hardware(text, cfg) == (ids, [])


def test_map_hardware_lists_unmapped_parts(cfg):
    assert hw.map_hardware("Mystery Chip X1, Google TPU v5p", cfg) == (["google-tpu-v5p"], ["Mystery Chip X1"])
    assert hw.map_hardware("", cfg) == ([], [])
    assert hw.map_hardware(None, cfg) == ([], [])


def test_class_of(cfg):
    assert hw.class_of(["nvidia-a800", "huawei-ascend-910b"], cfg) == "mixed"
    assert hw.class_of(["kunlunxin-p800"], cfg) == "domestic"
    assert hw.class_of(["google-tpu-v5p", "aws-trainium"], cfg) == "other"
    assert hw.class_of(["nvidia-rtx-3060", "intel-core"], cfg) == "nvidia", "a host CPU next to a GPU is not 'mixed'"
    assert hw.class_of([], cfg) == "unknown"


# --- Epoch evidence --------------------------------------------------------------------------------------------


def test_epoch_hardware_rows(cfg, epoch):
    ep = hw.epoch_hardware(cfg, epoch).set_index("epoch_name")
    assert ep.index.is_unique, "one row per Epoch model across Epoch's files"
    assert ep.loc["Base A", "accelerators"] == "huawei-ascend-910b", "the row naming hardware wins over the empty one"
    ox = ep.loc["Open X"]
    assert (ox["hardware_class"], ox["chip_count"]) == ("mixed", 896.0)
    assert ox["quote"] == "Training hardware: NVIDIA A800 PCIe,Ascend (昇腾) 910B; Hardware quantity: 896"
    assert ox["url"] == "https://example.org/large_scale_ai_models.csv"
    assert ep.loc["PanGu-Σ", "url"] == hw.EPOCH_PAGE
    assert ep.loc["Tune Y", "scope"] == "post-training", "with a base model, Epoch's chips trained the fine-tune"
    assert ep.loc["Mystery", "unmapped"] == "Mystery Chip X1"


def test_epoch_table_missing_column_is_named(cfg, epoch):
    with pytest.raises(StoreError, match="training_hardware"):
        hw.epoch_hardware(cfg, epoch.drop(columns="training_hardware"))


def test_unmapped_strings_are_listed(cfg, epoch, cards):
    um = hw.unmapped_hardware(cfg, epoch, cards)
    assert {("epoch", "Mystery", "Mystery Chip X1"), ("hf_card", "lab-w/Weak-M", "our in-house GPU farm")} == set(
        zip(um["source"], um["model"], um["string"], strict=True))


# --- the model table -------------------------------------------------------------------------------------------


def test_curated_wins_over_epoch_and_conflict_is_listed(cfg, epoch, cards, table):
    a = table.loc["base-a"]
    assert (a["hardware_class"], a["accelerators"], a["chip_count"], a["confidence"]) == ("nvidia", "nvidia-h800", 2048.0, "confirmed")
    assert (a["origin"], a["tag_source"], a["epoch_name"], a["training_compute_flop"]) == ("curated", "registry", "Base A", 3.4e24)
    assert "base-a" in table.index and "Base A" not in set(table.loc[table["origin"].eq("epoch"), "display_name"]), \
        "the Epoch row claimed by a curated model makes no automatic model"
    cf = hw.conflicts(cfg, epoch, cards)
    row = cf[(cf["model_id"] == "base-a") & (cf["source"] == "epoch")].iloc[0]
    assert row["issue"] == "class differs"
    assert row["curated"].startswith("nvidia: nvidia-h800 x2048") and row["automatic"].startswith("domestic: huawei-ascend-910b x1024")


def test_lineage_inherits_pretraining_tag(table):
    chat = table.loc["base-a-chat"]
    assert (chat["hardware_class"], chat["accelerators"], chat["inherited_from"], chat["scope"]) == \
        ("nvidia", "nvidia-h800", "base-a", "pretraining")
    assert (chat["post_training_class"], chat["post_training_accelerators"]) == ("domestic", "huawei-ascend-910b"), \
        "a post-training-only domestic claim is shown, but the class follows pretraining"
    v2 = table.loc["base-a-chat-v2"]
    assert (v2["hardware_class"], v2["inherited_from"], v2["post_training_class"]) == ("nvidia", "base-a", "")


def test_epoch_finetune_links_to_base_and_inherits(table):
    y = table.loc["tune-y"]
    assert (y["origin"], y["derived_from"], y["derivation"], y["base_model"]) == ("epoch", "base-a", "finetune", "Base A")
    assert (y["hardware_class"], y["inherited_from"]) == ("nvidia", "base-a")
    assert (y["post_training_class"], y["post_training_accelerators"], y["post_training_chip_count"]) == ("other", "aws-trainium", 256.0)
    assert (y["developer"], y["developer_country"], bool(y["open_weights"])) == ("Lab Y, Univ Z", "United States, China", True)


def test_lineage_over_generations_and_cycles(cfg, epoch):
    """Why: lineage is resolved one generation at a time over the whole table; a derivation cycle (possible only
    among Epoch rows, each naming the other as base) must end, and inherits nothing."""
    row = epoch.iloc[0].to_dict() | {"training_hardware": "", "hardware_quantity": ""}
    extra = pd.DataFrame([row | {"epoch_name": "Gen One", "base_model": "Tune Y"},
                          row | {"epoch_name": "Gen Two", "base_model": "Gen One"},
                          row | {"epoch_name": "Cyc A", "base_model": "Cyc B", "training_hardware": "NVIDIA H100 SXM5 80GB"},
                          row | {"epoch_name": "Cyc B", "base_model": "Cyc A"}])
    t = hw.build_model_table(cfg, pd.concat([epoch, extra], ignore_index=True), None).set_index("model_id")
    for mid, parent in (("gen-one", "tune-y"), ("gen-two", "gen-one")):
        assert (t.at[mid, "derived_from"], t.at[mid, "hardware_class"], t.at[mid, "inherited_from"], t.at[mid, "scope"]) == \
            (parent, "nvidia", "base-a", "pretraining"), "the tag of the first ancestor that has one, named as its origin"
    assert (t.at["cyc-a", "derived_from"], t.at["cyc-b", "derived_from"]) == ("cyc-b", "cyc-a")
    assert t.loc[["cyc-a", "cyc-b"], "hardware_class"].tolist() == ["unknown", "unknown"]
    assert t.at["cyc-a", "post_training_accelerators"] == "nvidia-h100", "its own Epoch chips, on a fine-tune: post-training"


def test_automatic_models_from_epoch(table):
    p = table.loc["pangu-test"]
    assert (p["hardware_class"], p["accelerators"], p["chip_count"], p["confidence"], p["evidence_kind"]) == \
        ("domestic", "huawei-ascend-910b", 4000.0, "reported", "dataset")
    assert table.loc["pangu-sigma", "display_name"] == "PanGu-Σ"
    assert table.loc["mystery", "hardware_class"] == "other"
    assert (table.loc["no-hw", "hardware_class"], table.loc["no-hw", "confidence"]) == ("unknown", "unknown")


def test_curated_without_tag_takes_epoch_tag(table):
    x = table.loc["open-x"]
    assert (x["hardware_class"], x["accelerators"], x["origin"], x["tag_source"], x["confidence"]) == \
        ("mixed", "nvidia-a800;huawei-ascend-910b", "curated", "epoch", "reported")


def test_unknown_stays_unknown_and_inference_claim_is_no_training_tag(cfg, epoch, cards, table):
    m = table.loc["runner-m"]
    assert (m["hardware_class"], m["accelerators"], m["confidence"]) == ("unknown", "", "unknown"), \
        "neither the inference claim nor Epoch overrides the registry's unknown"
    assert m["developer_country"] == "China" and m["hardware_class"] != "domestic", "never guessed from the lab's country"
    recs = hw.evidence_records("runner-m", cfg, epoch, cards)
    inf = [r for r in recs if r["scope"] == "inference"]
    assert len(inf) == 1 and inf[0]["accelerators"] == "huawei-ascend-910b" and "never a training tag" in inf[0]["note"]
    cf = hw.conflicts(cfg, epoch, cards)
    assert cf.loc[cf["model_id"] == "runner-m", "issue"].tolist() == ["registry says unknown; epoch names hardware"]


def test_card_mentions_are_suggestions(cfg, epoch, cards, table):
    q = table.loc["qwen2.5-72b-instruct"]
    assert (q["hardware_class"], q["card_suggestion"]) == ("unknown", "nvidia-h100"), "a card mention never makes the tag"
    assert table.loc["base-a", "card_suggestion"] == "huawei-ascend-910b", "the inference-only mention is not suggested"
    recs = {(r["source"], r["scope"], r["confidence"]) for r in hw.evidence_records("base-a", cfg, epoch, cards)}
    assert ("hf_card", "full", "confirmed") in recs and ("hf_card", "inference", "inferred") in recs
    cf = hw.conflicts(cfg, epoch, cards)
    assert cf.loc[(cf["model_id"] == "base-a") & (cf["source"] == "hf_card"), "issue"].tolist() == ["class differs"]
    assert cf.loc[cf["model_id"] == "qwen2.5-72b-instruct", "issue"].tolist() == ["no tag; hf_card names hardware"]


def test_evidence_records_include_inherited_and_epoch(cfg, epoch):
    recs = hw.evidence_records("base-a-chat", cfg, epoch)
    assert {(r["source"], r["scope"], r["inherited_from"]) for r in recs} >= {
        ("registry", "post-training", ""), ("registry", "full", "base-a"), ("epoch", "full", "base-a")}
    assert all(set(r) >= {"url", "quote", "date", "kind", "confidence", "scope"} for r in recs)
    with pytest.raises(AggregatorError, match="unknown model id"):
        hw.evidence_records("no-such-model", cfg, epoch)


def test_comparison_class_on_the_model_table(table):
    """Weak tags count as unknown in the comparison (analysis.comparison_class), the table keeps the tag."""
    from aggregator.analysis import comparison_class

    t = table.reset_index()
    f = t.assign(cls=comparison_class(t, "reported").values).set_index("model_id")
    assert (f.loc["weak-m", "cls"], f.loc["weak-m", "hardware_class"]) == ("unknown", "nvidia")
    assert f.loc["open-x", "cls"] == "mixed" and f.loc["base-a", "cls"] == "nvidia"
    assert t.assign(cls=comparison_class(t, "inferred").values).set_index("model_id").loc["weak-m", "cls"] == "nvidia"
    assert t.assign(cls=comparison_class(t, "confirmed").values).set_index("model_id").loc["open-x", "cls"] == "unknown"
    with pytest.raises(ValueError):
        comparison_class(t, "unknown")


def test_table_without_epoch(cfg):
    t = hw.build_model_table(cfg, None).set_index("model_id")
    assert set(t["origin"]) == {"curated"} and t.loc["open-x", "hardware_class"] == "unknown"
    assert list(t.reset_index().columns) == hw.MODEL_COLUMNS


# --- over the real data ----------------------------------------------------------------------------------------


@needs_shared
def test_every_epoch_hardware_string_maps_to_exactly_one_id(configs):
    ep = mirror_epoch_table()
    strings = {p.strip() for cell in ep["training_hardware"] for p in cell.split(",") if p.strip()}
    assert len(strings) > 90, "the mirror holds about 100 distinct hardware strings"
    bad = {}
    for s in sorted(strings):
        hits = [i for i in hw.hardware_hits(s, configs) if not i.endswith(hw.GENERIC)]
        if len(hits) != 1:
            bad[s] = hits
    assert not bad, f"strings matching no id or several ids: {bad}"
    assert hw.unmapped_hardware(configs, ep).empty


@needs_shared
def test_known_facts_over_the_mirror(configs):
    t = hw.build_model_table(configs, mirror_epoch_table()).set_index("model_id")
    pangu = t[t["display_name"].str.fullmatch("Pangu Ultra", case=False)]
    assert len(pangu) == 1 and pangu["hardware_class"].iloc[0] == "domestic"
    assert "huawei-ascend-910b" in pangu["accelerators"].iloc[0]
    facts = {"deepseek-v3": ("nvidia", "nvidia-h800"), "gemini-2.5-pro": ("other", "google-tpu"),
             "qianfan-vl-70b": ("domestic", "kunlunxin-p800")}
    missing = sorted(set(facts) - set(configs.models))
    for mid, (cls, chip) in facts.items():
        if mid in configs.models:
            assert t.loc[mid, "hardware_class"] == cls and chip in t.loc[mid, "accelerators"], mid
    if missing:
        pytest.skip(f"registry lacks {missing}")


def test_mere_card_mention_is_no_conflict(cfg, epoch, cards, table):
    assert table.loc["open-x", "card_suggestion"] == "nvidia-unspecified"
    assert "open-x" not in set(hw.conflicts(cfg, epoch, cards)["model_id"]), "a mention without a training statement is not a conflict"


def test_epoch_alias_file_claims_a_row(tmp_path, epoch):
    d = write_configs(tmp_path)
    (d / "aliases").mkdir()
    (d / "aliases" / "epoch_ai_models.yaml").write_text("Pangu Test: open-x\n", encoding="utf-8")
    t = hw.build_model_table(load_configs(d), epoch)
    x = t.set_index("model_id").loc["open-x"]
    assert (x["epoch_name"], x["hardware_class"], x["chip_count"]) == ("Pangu Test", "domestic", 4000.0)
    auto = t[t["display_name"].eq("Open X") & t["origin"].eq("epoch")]
    assert len(auto) == 1 and auto["model_id"].iloc[0].startswith("open-x-"), \
        "the now unclaimed row becomes an automatic model with a de-duplicated id"
