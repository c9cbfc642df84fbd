"""Every kind of config mistake gives one clear message naming the file, the entry and the field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import ROOT

from aggregator.config import load_configs
from aggregator.errors import ConfigError

MODEL = """models:
  - id: test-model
    display_name: Test Model
    developer: Test Lab
    developer_country: China
    release_date: 2025-01-20
    claims:
      - stage: pretraining
        stance: supports
        accelerators: [huawei-ascend-910b]
        kind: developer
        url: https://example.org/paper
        quote: trained on Ascend 910B
"""


@pytest.fixture
def cfg_dir(tmp_path: Path) -> Path:
    d = tmp_path / "configs"
    shutil.copytree(ROOT / "configs", d)
    (d / "models" / "zz_test.yaml").write_text(MODEL)
    return d


def _err(d: Path) -> ConfigError:
    with pytest.raises(ConfigError) as exc:
        load_configs(d)
    return exc.value


def test_valid_copy_loads(cfg_dir):
    assert "test-model" in load_configs(cfg_dir).models


@pytest.mark.parametrize("old,new,field,needle", [
    ("developer: Test Lab", "developer: Test Lab\n    colour: red", "colour", "unknown key"),
    ("release_date: 2025-01-20", "release_date: 2099-01-01", "release_date", "in the future"),
    ("release_date: 2025-01-20", "release_date: 2025-13-01", "release_date", "not a real date"),
    ("accelerators: [huawei-ascend-910b]", "accelerators: [made-up-chip]", "claims.0.accelerators", "unknown accelerator"),
    ("accelerators: [huawei-ascend-910b]", "accelerators: []", "claims.0.accelerators", "at least 1 item"),
    ("        url: https://example.org/paper\n", "", "claims.0.url", "Field required"),
    ("        url: https://example.org/paper\n", "        url: example.org/paper\n", "claims.0.url", "should match pattern"),
    ("        quote: trained on Ascend 910B\n", "", "claims.0.quote", "Field required"),
    ("quote: trained on Ascend 910B", "quote: '" + " ".join(["word"] * 30) + "'", "claims.0.quote", "keep it under 30"),
    ("quote: trained on Ascend 910B", "quote: " + "昇腾" * 30, "claims.0.quote", "keep it under 30"),
    ("      - stage: pretraining\n        stance: supports\n", "      - stance: supports\n", "claims.0.stage", "Field required"),
    ("        stance: supports\n", "", "claims.0.stance", "Field required"),
    ("        kind: developer\n", "", "claims.0.kind", "Field required"),
    ("kind: developer", "kind: rumour", "claims.0.kind", "Input should be"),
    ("stage: pretraining", "stage: rumoured", "claims.0.stage", "Input should be"),
    ("stance: supports", "stance: maybe", "claims.0.stance", "Input should be"),
    ("display_name: Test Model", "display_name: [1, 2]", "display_name", "valid string"),
])
def test_model_mistakes(cfg_dir, old, new, field, needle):
    p = cfg_dir / "models" / "zz_test.yaml"
    text = p.read_text()
    assert old in text, "fixture edit must apply"  # why: a silent no-op edit would make the test pass vacuously
    p.write_text(text.replace(old, new))
    e = _err(cfg_dir)
    assert e.file.endswith("zz_test.yaml") and e.entry == "test-model" and e.field == field and needle in str(e)


def test_duplicate_model_id_names_both_files(cfg_dir):
    (cfg_dir / "models" / "zz_dup.yaml").write_text(MODEL)
    e = _err(cfg_dir)
    assert e.entry == "test-model" and "zz_test.yaml" in str(e) and "zz_dup.yaml" in str(e)


def test_broken_yaml_gives_line(cfg_dir):
    (cfg_dir / "models" / "zz_test.yaml").write_text("models:\n  - id: [unclosed\n")
    e = _err(cfg_dir)
    assert "broken YAML at line" in str(e) and e.file.endswith("zz_test.yaml")


def test_alias_to_missing_model(cfg_dir):
    (cfg_dir / "aliases" / "lmarena.yaml").write_text("'Some Model': no-such-model\n")
    e = _err(cfg_dir)
    assert e.file.endswith("lmarena.yaml") and e.entry == "Some Model" and "unknown model id" in str(e)


def test_alias_file_for_unknown_source(cfg_dir):
    (cfg_dir / "aliases" / "nosuchsource.yaml").write_text("'x': test-model\n")
    assert "unknown source" in str(_err(cfg_dir))


def test_lineage_cycle(cfg_dir):
    (cfg_dir / "models" / "zz_cycle.yaml").write_text(
        "models:\n"
        "  - {id: cyc-a, display_name: A, developer: L, developer_country: China, derived_from: cyc-b, derivation: variant}\n"
        "  - {id: cyc-b, display_name: B, developer: L, developer_country: China, derived_from: cyc-a, derivation: variant}\n")
    assert "cycle" in str(_err(cfg_dir))


def test_unknown_unit_and_duplicate_upstream_key(cfg_dir):
    p = cfg_dir / "benchmarks" / "zz.yaml"
    p.write_text("benchmarks:\n  - {id: zz, name: Z, unit: furlongs, category: x, primary_source: lmarena, upstream: [{source: lmarena, key: zz}]}\n")
    e = _err(cfg_dir)
    assert e.entry == "zz" and e.field == "unit" and "unknown unit" in str(e)
    p.write_text("benchmarks:\n  - {id: zz, name: Z, unit: elo, category: x, primary_source: lmarena, upstream: [{source: lmarena, key: text}]}\n")
    assert "already mapped" in str(_err(cfg_dir))


def test_unknown_source_key_in_sources(cfg_dir):
    p = cfg_dir / "sources.yaml"
    p.write_text(p.read_text().replace("  - id: lmarena\n", "  - id: lmarena\n    colour: blue\n", 1))
    e = _err(cfg_dir)
    assert e.entry == "lmarena" and e.field == "colour"


def test_model_without_claims_needs_looked_at(cfg_dir):
    p = cfg_dir / "models" / "zz_test.yaml"
    p.write_text(MODEL.split("    claims:")[0])
    assert "looked_at" in str(_err(cfg_dir))
    p.write_text(MODEL.split("    claims:")[0] + "    looked_at: the lab's report and model card\n")
    assert load_configs(cfg_dir).models["test-model"].claims == []


# --- added for issue 7: cycles, aliases, duplicates and the `validate` command ------------------------------


@pytest.mark.parametrize("chain", [["cyc-a"], ["cyc-a", "cyc-b", "cyc-c"]])
def test_lineage_cycles_of_any_length(cfg_dir, chain):
    rows = "".join(
        f"  - {{id: {m}, display_name: {m}, developer: L, developer_country: China, "
        f"derived_from: {chain[(i + 1) % len(chain)]}, derivation: variant}}\n" for i, m in enumerate(chain))
    (cfg_dir / "models" / "zz_cycle.yaml").write_text("models:\n" + rows)
    e = _err(cfg_dir)
    assert "cycle" in str(e) and e.field == "derived_from" and e.file.endswith("zz_cycle.yaml")


def test_aliases_are_one_hop(cfg_dir):
    """An alias maps an upstream name to a model id and is never followed further: 'Foo' -> test-model even when
    'test-model' is itself an upstream name aliased elsewhere. So aliases cannot form a cycle; only derived_from can."""
    import pandas as pd

    from aggregator.resolve import resolve
    from aggregator.store import SCORE_COLUMNS

    other = next(m for m in load_configs(cfg_dir).models if m != "test-model")
    (cfg_dir / "aliases" / "lmarena.yaml").write_text(f"'Foo': test-model\n'test-model': {other}\n'{other}': test-model\n")
    cfg = load_configs(cfg_dir)
    row = dict.fromkeys([c for c in SCORE_COLUMNS if c not in ("model_id", "derivation")], "")
    row |= {"source_id": "lmarena", "score": 1.0, "ci_lower": float("nan"), "ci_upper": float("nan"),
            "self_reported": False, "is_system": False, "benchmark_id": "x", "as_of": "2025-01-01"}
    df = pd.DataFrame([row | {"source_model_name": n} for n in ("Foo", "test-model", other)])
    out = resolve(df, cfg).set_index("source_model_name")["model_id"]
    assert out.to_dict() == {"Foo": "test-model", "test-model": other, other: "test-model"}


def test_duplicate_source_and_benchmark_ids(cfg_dir):
    p = cfg_dir / "sources.yaml"
    text = p.read_text()
    block = text[text.index("  - id: lmarena\n"):text.index("  - id: epoch_benchmarking_hub\n")]
    p.write_text(text + "\n" + block)
    e = _err(cfg_dir)
    assert "duplicate" in str(e) and e.entry == "lmarena" and e.file.endswith("sources.yaml")
    p.write_text(text)
    (cfg_dir / "benchmarks" / "zz.yaml").write_text(
        "benchmarks:\n  - {id: zz, name: Z, unit: elo, category: x, primary_source: lmarena, upstream: [{source: lmarena, key: zz1}]}\n"
        "  - {id: zz, name: Z, unit: elo, category: x, primary_source: lmarena, upstream: [{source: lmarena, key: zz2}]}\n")
    e = _err(cfg_dir)
    assert "duplicate benchmark id" in str(e) and e.entry == "zz"


@pytest.mark.parametrize("text", ["models: {id: x}\n", "- just a list\n", "models:\n  - 42\n", "\ufeffmodels: [\n"])
def test_wrong_shapes(cfg_dir, text):
    (cfg_dir / "models" / "zz_test.yaml").write_text(text)
    e = _err(cfg_dir)
    assert e.file.endswith("zz_test.yaml")


def test_not_utf8(cfg_dir):
    (cfg_dir / "models" / "zz_test.yaml").write_bytes(MODEL.replace("Test Lab", "Caf\xe9").encode("latin-1"))
    assert "not UTF-8" in str(_err(cfg_dir))


def test_yaml_is_safe_loaded(cfg_dir):
    (cfg_dir / "models" / "zz_test.yaml").write_text("models:\n  - !!python/object/apply:os.system ['echo pwned']\n")
    e = _err(cfg_dir)
    assert "broken YAML" in str(e) and e.file.endswith("zz_test.yaml")


def _cli(*args: str):
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "aggregator.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


def test_cli_validate_ok_on_repo_configs():
    r = _cli("validate", "--configs", str(ROOT / "configs"))
    assert r.returncode == 0 and "configs OK" in r.stdout, r.stderr


def test_cli_validate_exits_2_with_the_message(cfg_dir):
    p = cfg_dir / "models" / "zz_test.yaml"
    p.write_text(p.read_text().replace("accelerators: [huawei-ascend-910b]", "accelerators: [made-up-chip]"))
    r = _cli("validate", "--configs", str(cfg_dir))
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "zz_test.yaml" in r.stderr and "test-model" in r.stderr and "add it to hardware.yaml" in r.stderr


def test_project_url_is_optional_and_must_be_a_url(cfg_dir):
    assert load_configs(cfg_dir).settings.project_url is None
    p = cfg_dir / "settings.yaml"
    p.write_text(p.read_text() + "project_url: https://example.org/deploy\n")
    assert load_configs(cfg_dir).settings.project_url == "https://example.org/deploy"
    p.write_text(p.read_text().replace("https://example.org/deploy", "my repo"))
    assert _err(cfg_dir).field == "project_url"


def test_source_default_unit_must_be_a_unit(cfg_dir):
    p = cfg_dir / "sources.yaml"
    p.write_text(p.read_text().replace("    default_unit: elo\n", "    default_unit: furlongs\n", 1))
    e = _err(cfg_dir)
    assert e.entry == "lmarena" and e.field == "default_unit" and "furlongs" in str(e)


def test_hosts_beside_the_sources_load_and_a_host_listed_twice_is_refused(cfg_dir):
    hosts = load_configs(cfg_dir).hosts
    assert {"*", "huggingface.co", "api.github.com"} <= set(hosts) and hosts["huggingface.co"].limits
    path = cfg_dir / "sources.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text + "  - host: HuggingFace.co\n    interval_seconds: 1\n", encoding="utf-8")
    e = _err(cfg_dir)
    assert "duplicate host 'huggingface.co'" in str(e) and e.field == "host"
    path.write_text(text[: text.index("\nhosts:")] + "\nhosts: {}\n", encoding="utf-8")
    assert "'hosts' must be a list" in str(_err(cfg_dir))
