"""Developer-reported results (configs/reported/*.yaml, source `reported`): each cell one self-reported row with its
document and table; a row without its evidence (url, table reference, date) is refused, naming file and field."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
import yaml
from conftest import FIXTURES, ROOT

from aggregator.collect import normalise
from aggregator.collectors import reported
from aggregator.config import load_configs
from aggregator.errors import ConfigError, ParseError
from aggregator.fetch import RawFile
from aggregator.store import read_scores

DEMO = FIXTURES / "reported" / "demo.yaml"


def raw(text: str, name: str = "reported/demo.yaml") -> RawFile:
    return RawFile.of(name, text.encode(), f"configs/{name}", "2026-11-30")


def test_each_cell_is_one_self_reported_row_with_its_table():
    df = reported.parse([raw(DEMO.read_text())])
    assert len(df) == 3, "the empty (null) cell makes no row"
    row = df[df["source_model_name"].eq("pangu-ultra") & df["benchmark_key"].eq("gsm8k")].iloc[0]
    assert row["score"] == pytest.approx(85.0), "the column's scale applies (0-1 printed, percent in the catalog)"
    assert row["setting"] == "table=Table 3;all=base models;column=8-shot, CoT", "no ';' or '=' from free text"
    assert (row["source_url"], row["as_of"], bool(row["self_reported"])) == ("https://example.org/demo-report.pdf", "2025-04-10", True)
    assert df.attrs["formats"] == ["configs/reported/*.yaml (Report tables)"]


def _broken(edit) -> str:
    doc = yaml.safe_load(DEMO.read_text())
    edit(doc["reports"][0])
    with pytest.raises(ParseError) as exc:
        reported.parse([raw(yaml.safe_dump(doc))])
    return str(exc.value)


@pytest.mark.parametrize("edit, needle", [
    (lambda r: r.pop("url"), "url: Field required"),
    (lambda r: r.update(url="example.org/report"), "url: String should match pattern"),
    (lambda r: r.pop("date"), "date: Field required"),
    (lambda r: r.update(date="2025-04"), "must be a day"),
    (lambda r: r["tables"][0].pop("ref"), "tables.0.ref: Field required"),
    (lambda r: r["tables"][0]["rows"][0].update(values=[91.5]), "has 1 values for 2 columns"),
    (lambda r: r["tables"][0]["rows"][0].pop("model"), "model: Field required"),
    (lambda r: r.update(colour="red"), "Extra inputs are not permitted"),
])
def test_a_row_without_its_evidence_is_refused(edit, needle):
    msg = _broken(edit)
    assert "reported/demo.yaml" in msg and needle in msg, msg


@pytest.fixture
def cfg_dir(tmp_path):
    d = tmp_path / "configs"
    shutil.copytree(ROOT / "configs", d)
    return d


@pytest.mark.parametrize("old, new, needle", [
    ("model: pangu-ultra", "model: no-such-model", "unknown model id 'no-such-model'"),
    ("benchmark: mmlu", "benchmark: no_such_benchmark", "unknown benchmark 'no_such_benchmark'"),
])
def test_validate_checks_models_and_benchmarks(cfg_dir, old, new, needle):
    (cfg_dir / "reported" / "zz_demo.yaml").write_text(DEMO.read_text().replace(old, new))
    with pytest.raises(ConfigError) as exc:
        load_configs(cfg_dir)
    assert exc.value.file.endswith("zz_demo.yaml") and needle in str(exc.value)


def test_rows_name_registry_ids_and_catalog_benchmarks(configs):
    df = reported.parse([raw(DEMO.read_text())])
    scores = normalise(df, "reported", configs).scores
    assert set(scores["benchmark_id"]) == {"mmlu", "gsm8k"}, "catalog ids taken as they are"
    assert configs.aliases["reported"]["pangu-ultra"] == "pangu-ultra", "a curated source names registry ids directly"


def test_committed_rows_are_the_curated_files(configs):
    """Why: results/ must be what the pipeline makes from configs/; an edited table without a collect shows here."""
    files = reported.fetch(None, configs.sources["reported"], configs)
    want = normalise(reported.parse(files), "reported", configs).scores
    got = read_scores(ROOT / "results" / "scores.csv")
    got = got[got["source_id"].eq("reported")]
    key = ["source_model_name", "benchmark_id", "setting", "source_url", "score"]
    pd.testing.assert_frame_equal(got[key].sort_values(key).reset_index(drop=True),
                                  want[key].sort_values(key).reset_index(drop=True), check_dtype=False)
