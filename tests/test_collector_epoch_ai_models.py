"""Epoch AI 'Data on AI Models': one metadata row per model, columns mapped across snapshots, numbers validated."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import FIXTURES, SHARED_UPSTREAM, fixture_file, needs_shared, raw

from aggregator.collect import collect
from aggregator.collectors import epoch_ai_models as models
from aggregator.errors import ParseError

SRC = "epoch_ai_models"
COLUMNS = ["epoch_name", "organization", "country", "publication_date", "domain", "parameters", "training_compute_flop",
           "training_hardware", "hardware_quantity", "base_model", "accessibility", "link", "confidence", "dataset",
           "source_url"]


def files():
    return [fixture_file(SRC, "notable_ai_models.csv", "2026-02-16"), fixture_file(SRC, "large_scale_ai_models.csv", "2026-02-16"),
            fixture_file(SRC, "all_ai_models.csv", "2025-04-23")]


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return models.parse(files()).set_index("epoch_name", drop=False)


def test_one_row_per_model_with_the_expected_columns(table):
    assert list(table.columns) == COLUMNS
    assert sorted(table.index) == ["DeepSeek-V3", "GPT-4o", "JIUTIAN-139MoE", "PanGu-α", "Pangu Ultra"]  # nameless row dropped
    assert table["dataset"].to_dict() == {"DeepSeek-V3": "notable", "GPT-4o": "notable", "JIUTIAN-139MoE": "large_scale",
                                          "PanGu-α": "all", "Pangu Ultra": "notable"}


def test_notable_wins_and_values_stay_as_upstream(table):
    ds = table.loc["DeepSeek-V3"]  # also in all_ai_models.csv with other values: notable wins
    assert (ds["publication_date"], ds["training_hardware"], ds["hardware_quantity"]) == ("2024-12-24", "NVIDIA H800 SXM5", "2048")
    assert (ds["parameters"], ds["training_compute_flop"], ds["country"]) == ("671000000000.0", "3.4078e+24", "China")
    assert ds["source_url"] == "https://example.org/notable_ai_models.csv"
    assert table.loc["Pangu Ultra", "confidence"] == "Confident"  # notable's, not large_scale's 'Likely'
    assert table.loc["JIUTIAN-139MoE", "training_hardware"] == "NVIDIA A800 PCIe,Ascend (昇腾) 910B"
    gpt4o = table.loc["GPT-4o"]
    assert (gpt4o["parameters"], gpt4o["training_hardware"], gpt4o["accessibility"]) == ("", "", "API access")


def test_older_schema_columns_are_mapped(table):
    pangu = table.loc["PanGu-α"]  # all_ai_models.csv of 2025-04: 'Country (from Organization)'
    assert (pangu["country"], pangu["organization"]) == ("China", "Huawei Noah's Ark Lab,Peng Cheng Laboratory")
    assert (pangu["training_hardware"], pangu["hardware_quantity"], pangu["publication_date"]) == ("Huawei Ascend 910", "2048", "2021-04-26")


def test_mirror_file_name_with_bom_counts_as_notable():
    data = (FIXTURES / SRC / "notable_ai_models.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # why: the mirror copy carries a byte-order mark
    df = models.parse([raw("Epoch Database - Notable Models.csv", data)])
    assert df["dataset"].eq("notable").all() and "DeepSeek-V3" in set(df["epoch_name"])


def test_newest_snapshot_wins_within_a_dataset():
    old = raw("notable_ai_models.csv", "Model,Organization,Publication date,Training hardware\nX,A,2024-01-01,NVIDIA A100\n", as_of="2025-01-01")
    new = raw("notable/notable_ai_models.csv", "Model,Organization,Publication date,Training hardware\nX,A,2024-01-01,Huawei Ascend 910B\n",
              as_of="2026-01-01")
    assert models.parse([old, new]).loc[0, "training_hardware"] == "Huawei Ascend 910B"


@pytest.mark.parametrize("name, body, message, row", [
    ("notable_ai_models.csv", "Model,Organization,Publication date,Training hardware,Parameters\nX,A,2024-01-01,,about 7B\n",
     "parameters: expected a number", 2),
    ("notable_ai_models.csv", "Model,Organization,Publication date,Training hardware\nX,A,2024-01-01,\nY,B,last spring,\n",
     "publication_date: expected YYYY-MM-DD", 3),
    ("all_ai_models.csv", "Model,Organization,Publication date\nX,A,2024-01-01\n", "no column for training_hardware", None),
    ("frontier_ai_models.csv", "Model,Organization,Publication date,Training hardware\nX,A,2024-01-01,\n", "unknown file", None),
    ("large_scale_ai_models.csv", "", "empty file", None),
])
def test_malformed_files_raise_parse_error(name, body, message, row):
    with pytest.raises(ParseError, match=message) as exc:
        models.parse([raw(name, body)])
    assert exc.value.file == name and exc.value.row == row


@needs_shared
def test_mirror_collects_the_model_table(configs, tmp_path):
    [out] = collect(configs, [SRC], tmp_path / "results", tmp_path / "cache", SHARED_UPSTREAM, log=lambda _: None)
    assert out.status == "updated" and out.rows == 2545
    df = pd.read_csv(tmp_path / "results" / f"{SRC}.csv", dtype=str, keep_default_na=False).set_index("epoch_name")
    assert df["dataset"].value_counts().to_dict() == {"all": 1236, "notable": 981, "large_scale": 328}
    assert df.loc["DeepSeek-V3", "training_hardware"] == "NVIDIA H800 SXM5"
    assert df.loc["Pangu Ultra", "training_hardware"] == "Huawei Ascend 910B"
    assert df.loc["Pangu Ultra", "source_url"].endswith("/data/Epoch%20Database%20-%20Notable%20Models.csv")  # a URL
