"""Epoch AI Benchmarking Hub: per-file score columns, settings, CIs, self-reporting, the in-memory zip and the mirror."""

from __future__ import annotations

import io
import math
import zipfile

import pandas as pd
import pytest
from conftest import FIXTURES, SHARED_UPSTREAM, fixture_file, needs_shared, raw
from epoch_zip import INDEXED, indexed_members

from aggregator.analysis import options_from, points
from aggregator.collect import collect, normalise
from aggregator.collectors import epoch_benchmarking_hub as hub
from aggregator.config import Endpoint
from aggregator.errors import ParseError
from aggregator.fetch import Fetcher, RawFile
from aggregator.report import model_table
from aggregator.resolve import resolve
from aggregator.store import read_scores

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


def test_percent_point_stderr_beside_fractions_is_converted():
    """APEX-Agents as Epoch publishes it: Pass@1 score 0-1, its standard error in percentage points; the derived
    interval is score ± 1.96 SE on the score's scale, and the effort is read from the Name ('(High)')."""
    f = raw("apex_agents_external.csv",
            "Model version,Pass@1 score,Release date,Organization,Country,Training compute (FLOP),Training compute notes,"
            "Name,Pass@1 Standard Error,Mean score,Mean Standard Error,Notes,id\n"
            "claude-opus-4-6_unknown,0.298,2026-02-05,Anthropic,United States of America,,,Opus 4.6 (High),3.6,0.456,3.4,,rec1\n"
            "gpt-5.2-codex,0.276,2025-12-18,OpenAI,United States of America,,,GPT 5.2 Codex (High),0.9,0.422,3.2,,rec2\n")
    df = hub.parse([f]).set_index("source_model_name")
    opus = df.loc["claude-opus-4-6_unknown"]
    assert (opus["ci_lower"], opus["ci_upper"]) == (pytest.approx(0.298 - 1.96 * 0.036), pytest.approx(0.298 + 1.96 * 0.036))
    assert opus["setting"] == "effort=high"  # `_unknown` in the version says nothing; the Name does
    assert df.loc["gpt-5.2-codex", "ci_upper"] == pytest.approx(0.276 + 1.96 * 0.009), "one unit for the whole column"


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


# A benchmark file Epoch added that the catalog does not map yet, in the shape of its *_external.csv files.
NEW_FILE = (
    "Model version,Score (AVG@5),Release date,Organization,Country,Training compute (FLOP),Training compute notes,Source,"
    "Source link (site from table),Notes,id\n"
    "gemini-3.1-pro-preview,0.796,2026-02-19,Google DeepMind,United States of America,,,Some Board,https://example.org/,,rec1\n"
    "deepseek-v3.2,0.412,2025-12-01,DeepSeek,China,,,Some Board,https://example.org/,,rec2\n"
)


def test_mirror_keeps_rows_of_a_benchmark_not_in_the_catalog(configs, tmp_path):
    """Rows of an unknown benchmark file stay in scores.csv under '<source>:<key>', with the upstream values, in the
    source's default unit, listed in unmapped_benchmarks.csv, and never enter the comparison."""
    mirror = tmp_path / "mirror" / SRC
    mirror.mkdir(parents=True)
    (mirror / "gpqa_diamond.csv").write_bytes((FIXTURES / SRC / "gpqa_diamond.csv").read_bytes())
    (mirror / "brand_new_bench_external.csv").write_text(NEW_FILE)
    [out] = collect(configs, [SRC], tmp_path / "results", tmp_path / "cache", tmp_path / "mirror", log=lambda _: None)
    assert out.status == "updated", out.message
    scores = pd.read_csv(tmp_path / "results" / "scores.csv", keep_default_na=False)
    new = scores[scores["benchmark_id"].eq(f"{SRC}:brand_new_bench_external")].set_index("source_model_name")
    assert new["score"].to_dict() == {"gemini-3.1-pro-preview": 0.796, "deepseek-v3.2": 0.412}  # as written upstream
    assert configs.sources[SRC].default_unit is None and set(new["unit"]) == {"as_published"}  # Epoch's scales vary
    assert new["model_release_date"].to_dict() == {"gemini-3.1-pro-preview": "2026-02-19", "deepseek-v3.2": "2025-12-01"}
    unmapped = pd.read_csv(tmp_path / "results" / "unmapped_benchmarks.csv")
    assert unmapped.to_dict("records") == [{"source_id": SRC, "benchmark_key": "brand_new_bench_external", "rows": 2}]
    resolved = resolve(read_scores(tmp_path / "results" / "scores.csv").drop(columns=["model_id", "derivation"]), configs)
    assert resolved["benchmark_id"].str.contains(":").any()
    pts = points(resolved, model_table(configs, None)[0], configs, options_from(configs))
    assert not pts["benchmark_id"].str.contains(":").any()  # uncurated ids never enter the comparison


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


# --- the indexed layout (2026-08 on) and what tells runs apart -------------------------------------------------------



def test_indexed_zip_reads_the_index_and_skips_support_tables():
    members = indexed_members() | {"gpqa_diamond.csv": (FIXTURES / SRC / "gpqa_diamond.csv").read_bytes()}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members.items():
            zf.writestr(zipfile.ZipInfo(name, date_time=(2026, 9, 16, 23, 14, 0)), data)
    df = hub.parse([RawFile.of("benchmark_data.zip", buf.getvalue(), "https://epoch.ai/data/benchmark_data.zip", "2026-09-20")])
    assert df.attrs["formats"] == ["zip, indexed layout (benchmark_metadata.csv, epoch_capabilities_index/)"]
    assert "warnings" not in df.attrs, "model_metadata.csv, edi_scores.csv, processed_data_for_eci.csv: known support tables"
    assert set(df["benchmark_key"]) == {"gpqa_diamond", "hle_external", "arc_agi_2_external", "apex_agents_external", hub.ECI_KEY}
    glm = row(df, hub.ECI_KEY, "GLM-5")
    assert (glm["score"], glm["ci_lower"], glm["ci_upper"], glm["model_release_date"]) == (151.4, 148.2, 154.9, "2026-02-11")
    assert glm["as_of"] == "2026-09-16", "no Last-Modified: the archive's own member date, not the retrieval date"


def test_a_root_table_the_index_does_not_list_is_skipped_with_a_warning():
    files = [raw(n, d) for n, d in indexed_members().items()]
    files.append(raw("vending_bench_2_prices.csv", "Item,Price\nwidget,3\n"))
    df = hub.parse(files)
    assert df.attrs["warnings"] == ["vending_bench_2_prices.csv: not in benchmark_metadata.csv and no 'Model version' "
                                    "column: read as a support table, skipped"]
    listed = [raw(n, d.replace(b"Model version", b"Model")) if n == "hle_external.csv" else raw(n, d)
              for n, d in indexed_members().items()]
    with pytest.raises(ParseError, match="hle_external.csv.*missing column"):
        hub.parse(listed)  # a file the index lists must read as a benchmark table


def test_the_name_states_effort_and_budget_that_the_version_lacks():
    """Issue 15: ARC-AGI-2 claude-opus-4-6_120K High/Low/Max/Medium all read thinking_budget=120K."""
    df = hub.parse([raw("arc_agi_2_external.csv", (INDEXED / "arc_agi_2_external.csv").read_bytes())])
    opus = df[df["source_model_name"].eq("claude-opus-4-6_120K")].set_index("setting")["score"]
    assert opus.to_dict() == {"effort=high;thinking_budget=120K": 0.6917, "effort=max;thinking_budget=120K": 0.6875,
                              "effort=medium;thinking_budget=120K": 0.6625, "effort=low;thinking_budget=120K": 0.6458}
    gemini = df[df["source_model_name"].eq("gemini-3.1-pro-preview")]
    assert sorted(gemini["setting"]) == ["variant=Gemini 3.1 Pro (Preview", "variant=Gemini 3.1 Pro (Preview)"], \
        "rows the Name alone tells apart keep it"
    hle = hub.parse([raw("hle_external.csv", (INDEXED / "hle_external.csv").read_bytes())])
    assert sorted(hle.loc[hle["source_model_name"].eq("claude-opus-4-1-20250805_unknown"), "setting"]) == ["", "mode=thinking"]
    assert not df.duplicated(["source_model_name", "benchmark_key", "setting", "as_of"]).any()


@pytest.mark.parametrize("name, expected", [
    ("Claude Opus 4.6 (120K, High)", {"effort": "high", "thinking_budget": "120K"}),
    ("GPT-5.4 Pro (xHigh)", {"effort": "xhigh"}), ("o3 (X-High)", {"effort": "xhigh"}),
    ("Claude 3.7 Sonnet (Thinking, 16K)", {"mode": "thinking", "thinking_budget": "16K"}),
    ("Claude Opus 4.1 (High, 120k thinking)", {"effort": "high", "thinking_budget": "120K", "mode": "thinking"}),
    ("claude-opus-4-1-20250805-thinking", {"mode": "thinking"}), ("Qwen3 (Non-Thinking)", {"mode": "non-thinking"}),
    ("GLaM (MoE) 64B/64E", {}), ("Qwen3-235b-a22b Instruct (25/07)", {}), ("PostTrainBench (Med)", {"effort": "medium"}),
])
def test_name_conditions(name, expected):
    assert hub.name_conditions(name) == expected


def test_rows_that_coincide_take_the_field_that_tells_them_apart():
    """External paper tables: one model twice under one setting, told apart by the source (or the record id)."""
    text = ("Model version,EM,Release date,Name,Shots,Source,id\n"
            "llama-2-70b,0.689,2023-07-18,Llama 2 70B,5,Llama 2 paper,rec1\n"
            "llama-2-70b,0.697,2023-07-18,Llama 2 70B,5,Stanford CRFM Leaderboard,rec2\n"
            "llama-2-70b,0.690,2023-07-18,Llama 2 70B,5,Stanford CRFM Leaderboard,rec3\n")
    df = hub.parse([raw("mmlu_external.csv", text)])
    assert sorted(df["setting"]) == ["shots=5;source=Llama 2 paper", "shots=5;source=Stanford CRFM Leaderboard;run=rec2",
                                     "shots=5;source=Stanford CRFM Leaderboard;run=rec3"]
