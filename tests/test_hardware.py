"""Training hardware from claims: catalog mapping, Epoch claims, the rule table (one test per rule), lineage,
continued pretraining, scenarios, evidence and contested listings."""

from __future__ import annotations

import shutil
from collections import namedtuple
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


# --- the rule table: one test per rule ----------------------------------------------------------------------------

Row = namedtuple("Row", "claim stage stance grade accelerators chip_count share")


def row(n, accs, stance="supports", grade="confirmed", stage="unspecified", count=None, share=""):
    return Row(n, stage, stance, grade, tuple(accs), count, share)


def test_every_rule_has_a_test():
    """Why: the method section renders RULES; each row must be exercised by a test named after it."""
    names = {n for n in globals() if n.startswith("test_rule_")}
    assert {f"test_rule_{r.id.replace('-', '_')}" for r in hw.RULES} <= names


def test_rule_not_training(table, cfg, epoch):
    m = table.loc["runner-m"]
    assert (m["hardware_class"], m["status"], m["accelerators"]) == ("nvidia", "reported", "nvidia-a100"), \
        "Epoch's training claim decides; the Ascend inference and reproduction claims never do"
    recs, r, _ = hw.evidence_records("runner-m", cfg, epoch)
    notes = {x["stage"]: x["use"] for x in recs}
    assert "never a training class" in notes["inference"] and "never a training class" in notes["training-reproduction"]
    only = hw.derive([row(0, ["huawei-ascend-910b"], stage="inference")], None, "", cfg)[0]
    assert (only.hardware_class, only.status) == ("unknown", "unknown")


def test_rule_post_training(table):
    chat = table.loc["base-a-chat"]
    assert (chat["post_training_class"], chat["post_training_accelerators"], chat["post_training_status"]) == \
        ("domestic", "huawei-ascend-910b", "confirmed"), "shown apart"
    assert chat["hardware_class"] == table.loc["base-a", "hardware_class"], "the class follows pretraining"


def test_rule_no_claim(cfg):
    t = hw.build_model_table(cfg, None).set_index("model_id")
    assert (t.at["open-x", "hardware_class"], t.at["open-x", "status"], t.at["open-x", "rule"]) == ("unknown", "unknown", "no-claim")
    assert t.at["open-x", "developer_country"] == "China", "unknown is never guessed from the lab's country"


def test_rule_inherited(table):
    chat = table.loc["base-a-chat-v2"]
    a = table.loc["base-a"]
    assert (chat["hardware_class"], chat["status"], chat["rule"], chat["inherited_from"]) == \
        (a["hardware_class"], a["status"], "inherited", "base-a"), "named after the first ancestor with a class"
    assert chat["post_training_class"] == "", "a parent's post-training is not the variant's"


def test_rule_inherited_over_a_weaker_echo_of_the_parent(cfg):
    """A variant's own weaker claim naming its parent's class (Epoch copying the parent's hardware onto a dated
    version) does not demote the parent's confirmed class; a claim naming another class, or a dispute, still counts."""
    parent = hw.read_stage([row(0, ["nvidia-h800"])], cfg)
    echo = [row(1, ["nvidia-h800"], grade="inferred")]
    base, _ = hw.derive(echo, parent, "v3", cfg)
    assert (base.hardware_class, base.status, base.rule, base.inherited_from) == ("nvidia", "confirmed", "inherited", "v3")
    other, _ = hw.derive([row(1, ["huawei-ascend-910b"], grade="reported")], parent, "v3", cfg)
    assert (other.hardware_class, other.status, other.rule) == ("domestic", "reported", "reported")
    disputed, _ = hw.derive([row(1, ["nvidia-h800"], grade="reported"), row(2, ["nvidia-h800"], stance="disputes",
                                                                           grade="reported")], parent, "v3", cfg)
    assert (disputed.status, disputed.rule) == ("contested", "disputed")


def test_rule_disputed_only(cfg):
    r = hw.read_stage([row(0, ["huawei-ascend-unspecified"], stance="disputes", grade="reported")], cfg)
    assert (r.hardware_class, r.status, r.rule) == ("unknown", "unknown", "disputed-only")


def test_rule_weak_only(table):
    for mid in ("hot-g", "weak-m"):  # a blog; a developer's indirect (cluster-wide) sentence
        assert (table.at[mid, "status"], table.at[mid, "rule"]) == ("contested", "weak-only"), mid
    assert (table.at["hot-g", "hardware_class"], table.at["hot-g", "chip_count"]) == ("domestic", 100000.0)


def test_rule_split(table):
    a = table.loc["base-a"]
    assert (a["hardware_class"], a["status"], a["rule"]) == ("mixed", "contested", "split"), \
        "the developer's H800 and Epoch's Ascend 910B: credible claims that disagree"
    assert a["accelerators"] == "nvidia-h800;huawei-ascend-910b" and a["evidence_kind"] == "developer"


def test_rule_disputed(cfg):
    dev, press = row(0, ["huawei-ascend-910b"]), row(1, ["huawei-ascend-910b"], grade="reported")
    credible_no = row(2, ["huawei-ascend-unspecified"], stance="disputes", grade="reported")
    weak_no = row(3, ["huawei-ascend-unspecified"], stance="disputes", grade="inferred")
    assert hw.read_stage([dev, credible_no], cfg).rule == "disputed"
    assert hw.read_stage([dev, weak_no], cfg).rule == "confirmed", "a weak claim does not contest the developer's word"
    assert hw.read_stage([press, weak_no], cfg).rule == "disputed", "but it does contest a third party's"
    vendor_unstated = row(4, ["domestic-unspecified"], grade="reported", count=50000)
    assert hw.read_stage([vendor_unstated, weak_no], cfg).status == "reported", \
        "'the supplier was not disclosed' (against Ascend) does not dispute 'domestic chips, vendor unstated'"
    r = hw.read_stage([press, credible_no], cfg)
    assert (r.status, r.hardware_class) == ("contested", "domestic")


def test_rule_confirmed(table):
    b = table.loc["base-b"]
    assert (b["hardware_class"], b["status"], b["rule"], b["accelerators"], b["chip_count"]) == \
        ("nvidia", "confirmed", "confirmed", "nvidia-h100", 16384.0), \
        "the developer's chips decide; a dataset naming more (H100 + MI250X) agrees without widening them"
    assert (b["claims_for"], b["claims_against"]) == (2, 0)


def test_rule_reported(table):
    p = table.loc["pangu-test"]
    assert (p["hardware_class"], p["status"], p["rule"], p["accelerators"], p["chip_count"], p["evidence_kind"]) == \
        ("domestic", "reported", "reported", "huawei-ascend-910b", 4000.0, "dataset")
    x = table.loc["open-x"]
    assert (x["hardware_class"], x["status"], x["origin"], x["tag_source"]) == ("mixed", "reported", "curated", "epoch")


def test_rule_continued(table):
    vl = table.loc["base-b-vl"]
    assert (vl["hardware_class"], vl["status"], vl["rule"], vl["accelerators"]) == \
        ("mixed", "confirmed", "continued", "nvidia-h100;kunlunxin-p800")
    assert "inherited from base-b" in vl["training_summary"] and "(3T tokens)" in vl["training_summary"]
    q = table.loc["qwen-vl-x"]
    assert (q["hardware_class"], q["status"], q["accelerators"]) == ("mixed", "confirmed", "kunlunxin-p800"), \
        "over a base of unknown hardware: partly domestic, the base said unknown"
    assert "hardware unknown" in q["training_summary"]


# --- scenarios, evidence, contested ---------------------------------------------------------------------------------


def test_contested_model_moves_between_scenarios(table):
    t = table.reset_index()
    cls = hw.scenario_classes(t).set_index(t["model_id"])
    assert cls.loc["hot-g"].to_dict() == {"strict": "unknown", "default": "unknown", "widest": "domestic"}
    assert cls.loc["base-b"].to_dict() == {"strict": "nvidia", "default": "nvidia", "widest": "nvidia"}
    assert cls.loc["pangu-test"].to_dict() == {"strict": "unknown", "default": "domestic", "widest": "domestic"}
    with pytest.raises(ValueError):
        hw.scenario_class(t, "loosest")


def test_inference_claim_never_gives_a_class(cfg):
    t = hw.build_model_table(cfg, None).set_index("model_id")
    assert (t.at["runner-m", "hardware_class"], t.at["runner-m", "status"]) == ("unknown", "unknown")
    assert t.at["hot-g", "accelerators"] == "huawei-ascend-910b", "the vendor's day-0 inference claim adds no chip"


def test_contested_table_lists_claims_side_by_side(cfg, epoch, cards):
    cf = hw.conflicts(cfg, epoch, cards).set_index("model_id")
    assert {"base-a", "hot-g", "weak-m"} <= set(cf.index)
    g = cf.loc["hot-g"]
    assert (g["status"], g["strict"], g["widest"]) == ("contested", "unknown", "domestic")
    assert g["claims_for"].startswith("blog, unspecified: huawei-ascend-910b (https://example.org/hot-g-blog)")
    assert "chip-vendor, inference" in g["not_training"]
    assert "base-b" not in cf.index and "open-x" not in cf.index, "agreeing claims are no conflict"


def test_evidence_records_include_inherited_and_epoch(cfg, epoch):
    recs, r, post = hw.evidence_records("base-a-chat", cfg, epoch)
    assert {(x["model"], x["source"], x["stage"]) for x in recs} >= {
        ("base-a-chat", "registry", "post-training"), ("base-a", "registry", "pretraining"), ("base-a", "epoch", "unspecified")}
    assert r.inherited_from == "base-a" and post.hardware_class == "domestic"
    assert all(set(x) >= {"url", "quote", "date", "kind", "grade", "stage", "stance", "note", "use"} for x in recs)
    with pytest.raises(AggregatorError, match="unknown model id"):
        hw.evidence_records("no-such-model", cfg, epoch)


def test_epoch_finetune_links_to_base_and_inherits(table):
    y = table.loc["tune-y"]
    assert (y["origin"], y["derived_from"], y["derivation"], y["base_model"]) == ("epoch", "base-a", "finetune", "Base A")
    assert (y["hardware_class"], y["inherited_from"]) == (table.at["base-a", "hardware_class"], "base-a")
    assert (y["post_training_class"], y["post_training_accelerators"], y["post_training_chip_count"]) == ("other", "aws-trainium", 256.0)
    assert (y["developer"], y["developer_country"], bool(y["open_weights"])) == ("Lab Y, Univ Z", "United States, China", True)


def test_lineage_over_generations_and_cycles(cfg, epoch):
    """Why: lineage is resolved one generation at a time over the whole table; a derivation cycle (possible only
    among Epoch rows, each naming the other as base) must end, and inherits nothing."""
    row_ = epoch.iloc[0].to_dict() | {"training_hardware": "", "hardware_quantity": ""}
    extra = pd.DataFrame([row_ | {"epoch_name": "Gen One", "base_model": "Tune Y"},
                          row_ | {"epoch_name": "Gen Two", "base_model": "Gen One"},
                          row_ | {"epoch_name": "Cyc A", "base_model": "Cyc B", "training_hardware": "NVIDIA H100 SXM5 80GB"},
                          row_ | {"epoch_name": "Cyc B", "base_model": "Cyc A"}])
    t = hw.build_model_table(cfg, pd.concat([epoch, extra], ignore_index=True), None).set_index("model_id")
    for mid, parent in (("gen-one", "tune-y"), ("gen-two", "gen-one")):
        assert (t.at[mid, "derived_from"], t.at[mid, "rule"], t.at[mid, "inherited_from"]) == (parent, "inherited", "base-a"), \
            "the class of the first ancestor that has one, named as its origin"
    assert (t.at["cyc-a", "derived_from"], t.at["cyc-b", "derived_from"]) == ("cyc-b", "cyc-a")
    assert t.loc[["cyc-a", "cyc-b"], "hardware_class"].tolist() == ["unknown", "unknown"]
    assert t.at["cyc-a", "post_training_accelerators"] == "nvidia-h100", "its own Epoch chips, on a fine-tune: post-training"


def test_automatic_models_from_epoch(table):
    assert table.loc["pangu-sigma", "display_name"] == "PanGu-Σ"
    assert table.loc["mystery", "hardware_class"] == "other"
    assert (table.loc["no-hw", "hardware_class"], table.loc["no-hw", "status"]) == ("unknown", "unknown")


def test_card_mentions_are_suggestions(cfg, epoch, cards, table):
    q = table.loc["qwen2.5-72b-instruct"]
    assert (q["hardware_class"], q["card_suggestion"]) == ("unknown", "nvidia-h100"), "a card mention never makes the class"
    assert table.loc["base-a", "card_suggestion"] == "huawei-ascend-910b", "the inference-only mention is not suggested"
    assert table.loc["open-x", "card_suggestion"] == "nvidia-unspecified"
    recs, _, _ = hw.evidence_records("base-a", cfg, epoch, cards)
    assert {(x["source"], x["stage"]) for x in recs} >= {("hf_card", "unspecified"), ("hf_card", "inference")}
    assert all("suggestion" in x["use"] for x in recs if x["source"] == "hf_card")


def test_table_without_epoch(cfg):
    t = hw.build_model_table(cfg, None).set_index("model_id")
    assert set(t["origin"]) == {"curated"}
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
    assert "huawei-ascend" in pangu["accelerators"].iloc[0] and pangu["status"].iloc[0] == "confirmed"
    facts = {"deepseek-v3": ("nvidia", "nvidia-h800"), "gemini-2.5-pro": ("other", "google-tpu"),
             "qianfan-vl-70b": ("mixed", "kunlunxin-p800")}
    missing = sorted(set(facts) - set(configs.models))
    for mid, (cls, chip) in facts.items():
        if mid in configs.models:
            assert t.loc[mid, "hardware_class"] == cls and chip in t.loc[mid, "accelerators"], mid
    if missing:
        pytest.skip(f"registry lacks {missing}")


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


def test_dated_versions_and_previews_link_to_their_registry_parent(cfg, epoch):
    """Why: Epoch lists dated versions separately ('Gemini 2.5 Pro (Jun 2025)'); they are the registry model's
    variants and inherit its pretraining class, never a separate unknown model."""
    reg = {"base-b": "base-b", "gemini-2.5-pro": "gemini-2.5-pro"}
    assert hw.dated_version_of("Gemini 2.5 Pro (Jun 2025)", reg) == "gemini-2.5-pro"
    assert hw.dated_version_of("Base B (2024-09-24)", reg) == "base-b"
    assert hw.dated_version_of("Base B (preview)", reg) == "base-b"
    assert hw.dated_version_of("Base B (2017 edition)", reg) == "", "only a date or 'preview' qualifies a version"
    row = epoch.iloc[0].to_dict() | {"training_hardware": "", "hardware_quantity": "", "base_model": ""}
    extra = pd.DataFrame([row | {"epoch_name": "Base B (Jun 2025)"}])
    t = hw.build_model_table(cfg, pd.concat([epoch, extra], ignore_index=True), None).set_index("model_id")
    v = t.loc["base-b-jun-2025"]
    assert (v["derived_from"], v["derivation"], v["hardware_class"], v["rule"]) == ("base-b", "variant", "nvidia", "inherited")
