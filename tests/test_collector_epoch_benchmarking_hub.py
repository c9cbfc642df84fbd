"""Epoch AI Benchmarking Hub: per-file score columns, settings, CIs, self-reporting, the in-memory zip and the mirror."""

from __future__ import annotations

import io
import math
import zipfile

import pandas as pd
import pytest
from conftest import FIXTURES, SHARED_UPSTREAM, fixture_file, needs_shared, raw

from aggregator.collect import collect, normalise
from aggregator.collectors import epoch_benchmarking_hub as hub
from aggregator.config import Endpoint
from aggregator.errors import ParseError
from aggregator.fetch import Fetcher

SRC = "epoch_benchmarking_hub"
SNAPSHOT = "2026-04-19"
FILES = ["gpqa_diamond.csv", "terminalbench_external.csv", "mmlu_external.csv", "epoch_capabilities_index.csv",
         "webdev_arena_external.csv"]
ECI_SCORES = (
    "Model,Display name,eci,eci_ci_low,eci_ci_high,date,Organization,Country (of organization),Model accessibility,"
    "Accessibility group,model_versions\n"
    "DeepSeek-V3.2,DeepSeek-V3.2,142.5,140.1,144.9,2025-12-01,DeepSeek,China,Open weights (unrestricted),Open weights,\n"
    "Muse Spark,Muse Spark,154.4,,,2026-04-08,Meta AI,United States of America,API access,Closed weights,\n"
)


def fx(name: str):
    return fixture_file(SRC, name, as_of=SNAPSHOT)


def row(df: pd.DataFrame, key: str, name: str, setting: str | None = None) -> pd.Series:
    sel = df["benchmark_key"].eq(key) & df["source_model_name"].eq(name)
    if setting is not None:
        sel &= df["setting"].eq(setting)
    assert sel.sum() == 1, f"expected one {key} row for {name!r}"  # why: lookups must be unambiguous
    return df[sel].iloc[0]


@pytest.fixture(scope="module")
def parsed() -> pd.DataFrame:
    return hub.parse([fx(n) for n in FILES])


def test_epoch_run_file(parsed):
    r1 = row(parsed, "gpqa_diamond", "DeepSeek-R1")
    assert r1["score"] == pytest.approx(0.69)
    assert (r1["ci_lower"], r1["ci_upper"]) == (pytest.approx(0.69 - 1.96 * 0.03), pytest.approx(0.69 + 1.96 * 0.03))
    assert (r1["as_of"], r1["model_release_date"], r1["upstream_org"], r1["setting"]) == ("2025-02-01", "2025-01-20", "DeepSeek", "")
    assert not r1["self_reported"] and not r1["is_system"]
    gpt = row(parsed, "gpqa_diamond", "gpt-5-2025-08-07_high")
    assert (gpt["setting"], gpt["as_of"]) == ("effort=high", "2025-08-10")
    claude = row(parsed, "gpqa_diamond", "claude-opus-4-5-20251101_32K")
    assert (claude["setting"], claude["as_of"]) == ("thinking_budget=32K", SNAPSHOT)  # no run date: the snapshot
    assert math.isnan(claude["ci_lower"])


def test_agent_harness_rows_are_systems(parsed):
    tb = parsed[parsed["benchmark_key"].eq("terminalbench_external")]
    assert len(tb) == 2  # the row with neither Model version nor Name is dropped
    kimi = row(parsed, "terminalbench_external", "kimi-k2-thinking")
    assert (kimi["setting"], kimi["is_system"], kimi["as_of"], kimi["upstream_org"]) == ("agent=Terminus 2", True, "2025-11-18", "Moonshot")
    assert kimi["ci_upper"] == pytest.approx(0.357 + 1.96 * 0.028)
    assert row(parsed, "terminalbench_external", "gpt-5-2025-08-07_medium")["setting"] == "effort=medium;agent=Codex CLI"


def test_external_names_shots_and_self_reporting(parsed):
    qwen = row(parsed, "mmlu_external", "Qwen-7B")
    assert (qwen["score"], qwen["setting"], qwen["self_reported"]) == (0.582, "shots=5", True)  # Qwen's own report
    assert not row(parsed, "mmlu_external", "mpt-7b")["self_reported"]  # evaluated by Qwen, not by MosaicML
    palmyra = row(parsed, "mmlu_external", "Palmyra X (43B)")  # no Model version: the Name column
    assert (palmyra["score"], palmyra["self_reported"], palmyra["model_release_date"]) == (0.609, False, "")
    assert row(parsed, "mmlu_external", "grok-4-0709")["self_reported"]  # Notes: "Results from Grok 4 model card"
    assert parsed["benchmark_key"].eq("mmlu_external").sum() == 4  # the nameless row is dropped


def test_eci_and_arena_ci(parsed):
    eci = parsed[parsed["benchmark_key"].eq("epoch_capabilities_index")]
    assert eci["source_model_name"].tolist() == ["DeepSeek-V3-0324", "claude-opus-4-7_xhigh"]
    assert eci.iloc[0]["score"] == pytest.approx(137.15)
    assert pd.isna(eci.iloc[1]["score"])  # the blank ECI Score is NaN, never a number
    glm = row(parsed, "webdev_arena_external", "glm-4.7")
    assert (glm["ci_lower"], glm["ci_upper"], glm["as_of"]) == (1433.0, 1450.0, "2026-01-05")  # "=+9/-8"
    opus = row(parsed, "webdev_arena_external", "claude-opus-4-6_unknown")
    assert (opus["ci_lower"], opus["ci_upper"], opus["setting"]) == (1542.44, 1570.13, "")


def test_normalised_units(parsed, configs):
    norm = normalise(parsed, SRC, configs)
    assert norm.unmapped.empty and not norm.rejected
    s = norm.scores.set_index(["benchmark_id", "source_model_name"])
    gpqa = s.loc[("gpqa_diamond", "DeepSeek-R1")]
    assert (gpqa["unit"], gpqa["score"]) == ("percent", pytest.approx(69.0))
    assert gpqa["ci_lower"] == pytest.approx(100 * (0.69 - 1.96 * 0.03))
    assert s.loc[("terminal_bench", "kimi-k2-thinking"), "score"] == pytest.approx(35.7)
    assert s.loc[("mmlu", "Qwen-7B"), "score"] == pytest.approx(58.2)
    assert tuple(s.loc[("epoch_capabilities_index", "DeepSeek-V3-0324"), ["unit", "score"]]) == ("index", 137.15)
    assert tuple(s.loc[("webdev_arena", "glm-4.7"), ["unit", "score"]]) == ("elo", 1441.0)


def test_step_budgets_and_agent_flags():
    osworld = raw("os_world_external.csv",
                  "Model version,Score,Release date,Organization,Agent,Source,Date added\n"
                  ",53.9,,,DeepMiner-Mano-72B (100 steps),OS World Website,2025-10-30\n"
                  "o3-2025-04-16_medium,23.0,2025-04-16,OpenAI,o3 (100 steps),OS World Website,2025-07-27\n")
    drb = raw("deepresearchbench_external.csv",
              "Model version,Average score,Release date,Organization,Agent,Notes,Source,id\n"
              "grok-4-0709,0.479,2025-07-09,xAI,True,,DeepResearchBench Leaderboard,r1\n"
              "DeepSeek-R1-0528,0.351,2025-05-28,DeepSeek,,,DeepResearchBench Leaderboard,r2\n")
    df = hub.parse([osworld, drb])
    assert row(df, "os_world_external", "DeepMiner-Mano-72B")["setting"] == "max_steps=100"
    o3 = row(df, "os_world_external", "o3-2025-04-16_medium")
    assert (o3["setting"], o3["is_system"], o3["as_of"]) == ("effort=medium;max_steps=100", False, "2025-07-27")
    assert row(df, "deepresearchbench_external", "grok-4-0709")["is_system"]
    assert not row(df, "deepresearchbench_external", "DeepSeek-R1-0528")["is_system"]


def test_percent_point_stderr_beside_fractions_gives_no_ci():
    f = raw("apex_agents_external.csv", "Model version,Pass@1 score,Release date,Pass@1 Standard Error\nm1,0.298,2026-02-05,3.6\n")
    assert math.isnan(hub.parse([f]).iloc[0]["ci_lower"])


# --- the live zip ------------------------------------------------------------------------------------------


def make_zip(members: dict[str, bytes], symlinks: tuple[str, ...] = ()) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            info = zipfile.ZipInfo(name)
            if name in symlinks:
                info.external_attr = 0o120777 << 16
            zf.writestr(info, data)
    return buf.getvalue()


def live_zip(members: dict[str, bytes]):
    return raw("benchmark_data.zip", make_zip(members), url="https://epoch.ai/data/benchmark_data.zip", as_of=SNAPSHOT)


def test_zip_is_expanded_in_memory():
    members = {n: (FIXTURES / SRC / n).read_bytes() for n in FILES}
    members |= {"README.md": b"# Epoch AI benchmark data\n", "additional_eci_data/eci_scaling.csv": b"a,b\n1,2\n",
                "epoch_capabilities_index/eci_scores.csv": ECI_SCORES.encode(),
                "epoch_capabilities_index/eci_benchmark_difficulties.csv": b"benchmark_name,edi\nLAMBADA,39.9\n"}
    df = hub.parse([live_zip(members)])
    expected = len(hub.parse([fx(n) for n in FILES])) + 2
    assert len(df) == expected  # README, additional_eci_data and the ECI support table add nothing
    assert df["source_url"].eq("https://epoch.ai/data/benchmark_data.zip").all()
    new_eci = row(df, "epoch_capabilities_index", "DeepSeek-V3.2")
    assert (new_eci["score"], new_eci["ci_lower"], new_eci["ci_upper"], new_eci["model_release_date"]) == (142.5, 140.1, 144.9, "2025-12-01")
    assert math.isnan(row(df, "epoch_capabilities_index", "Muse Spark")["ci_lower"])


@pytest.mark.parametrize("member, why", [("../evil.csv", "'..'"), ("/etc/evil.csv", "absolute"), ("link.csv", "symbolic link")])
def test_zip_refuses_unsafe_members(member, why):
    f = raw("benchmark_data.zip", make_zip({"gpqa_diamond.csv": b"x", member: b"x"}, symlinks=("link.csv",)))
    with pytest.raises(ParseError, match=why) as exc:
        hub.parse([f])
    assert "benchmark_data.zip" in str(exc.value)


def test_zip_caps(monkeypatch):
    monkeypatch.setattr(hub, "MAX_ZIP_ENTRIES", 2)
    with pytest.raises(ParseError, match="3 entries, over the cap"):
        hub.parse([live_zip({"a.csv": b"x", "b.csv": b"x", "c.csv": b"x"})])
    monkeypatch.setattr(hub, "MAX_ZIP_ENTRIES", 2000)
    monkeypatch.setattr(hub, "MAX_ZIP_BYTES", 1000)
    with pytest.raises(ParseError, match="over the cap of 1000"):
        hub.parse([live_zip({"big.csv": b"0" * 5000})])
    with pytest.raises(ParseError, match="not a readable zip"):
        hub.parse([raw("benchmark_data.zip", b"<html>maintenance</html>")])


# --- malformed files ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, body, message", [
    ("mystery.csv", "Model,Score\nx,1\n", "missing column"),
    ("mystery.csv", "Model version,Release date,Organization\nx,2025-01-01,Y\n", "no score column"),
    ("gpqa_diamond.csv", "Model version,mean_score,Release date\nx,0.5,2025-01-01\ny,high,2025-01-01\n", "expected a number"),
    ("epoch_capabilities_index/eci_scores.csv", "Model,score\nx,1\n", "missing column"),
    ("mmlu_external.csv", b"\xff\xfeM\x00", "not UTF-8"),
])
def test_malformed_files_raise_parse_error(name, body, message):
    with pytest.raises(ParseError, match=message) as exc:
        hub.parse([raw(name, body)])
    assert name in str(exc.value)


def test_bad_number_names_the_row():
    f = raw("gpqa_diamond.csv", "Model version,mean_score,Release date\nx,0.5,2025-01-01\ny,high,2025-01-01\n")
    with pytest.raises(ParseError) as exc:
        hub.parse([f])
    assert exc.value.row == 3 and "mean_score" in exc.value.problem


# --- the mirror ---------------------------------------------------------------------------------------------


@needs_shared
def test_mirror_collects_every_file(configs, tmp_path):
    [out] = collect(configs, [SRC], tmp_path / "results", tmp_path / "cache", SHARED_UPSTREAM, log=lambda _: None)
    assert out.status == "updated" and out.rows == 3950
    scores = pd.read_csv(tmp_path / "results" / "scores.csv", keep_default_na=False)
    unmapped = pd.read_csv(tmp_path / "results" / "unmapped_benchmarks.csv")
    assert unmapped.empty  # every benchmark file of the mirror is in the catalog
    counts = scores["benchmark_id"].value_counts()
    assert (counts["epoch_capabilities_index"], counts["gpqa_diamond"], counts["terminal_bench"]) == (348, 157, 170)
    assert scores["benchmark_id"].nunique() == 48
    s = scores.set_index(["benchmark_id", "source_model_name", "setting"])["score"]
    assert s[("gpqa_diamond", "DeepSeek-R1", "")] == pytest.approx(69.2235, abs=1e-3)
    assert s[("epoch_capabilities_index", "DeepSeek-R1", "")] == pytest.approx(139.7974, abs=1e-3)
    assert scores["source_url"].str.startswith("https://github.com/madhu24raj/bayes-llm-saturation/blob/8698b9b").all()


def test_live_fetch_downloads_the_zip(configs, httpserver, tmp_path):
    body = make_zip({"gpqa_diamond.csv": (FIXTURES / SRC / "gpqa_diamond.csv").read_bytes()})
    httpserver.expect_request("/data/benchmark_data.zip").respond_with_data(body, content_type="application/zip")
    source = configs.sources[SRC].model_copy(
        update={"endpoints": [Endpoint(name="benchmark_data.zip", url=httpserver.url_for("/data/benchmark_data.zip"))]})
    files = hub.fetch(Fetcher(tmp_path), source, configs)
    assert [f.name for f in files] == ["benchmark_data.zip"]
    df = hub.parse(files)
    assert len(df) == 3 and df["source_url"].eq(httpserver.url_for("/data/benchmark_data.zip")).all()
    assert row(df, "gpqa_diamond", "claude-opus-4-5-20251101_32K")["as_of"] == files[0].retrieved_at  # no run date
