"""The refresh's rules around a fetch: what earlier rows a source keeps (sources.yaml `history`), what makes the run
red (collect.problems), and the report's freshness table (failing and stale sources first)."""

from __future__ import annotations

import copy

import pandas as pd

from aggregator.collect import Outcome, exit_code, problems, retained
from aggregator.report import freshness
from aggregator.store import SCORE_COLUMNS


def rows(*specs: tuple[str, str, str]) -> pd.DataFrame:
    """Score rows from (model, benchmark, as_of)."""
    base = dict.fromkeys(SCORE_COLUMNS, "") | {"score": 1.0, "ci_lower": float("nan"), "ci_upper": float("nan"),
                                               "self_reported": False, "is_system": False, "source_id": "s"}
    return pd.DataFrame([base | {"source_model_name": m, "benchmark_id": b, "as_of": d} for m, b, d in specs])


OLD = rows(("a", "text", "2025-01-01"), ("b", "text", "2025-01-01"), ("a", "text", "2025-02-01"), ("c", "vision", "2025-02-01"))
NEW = rows(("a", "text", "2025-02-01"), ("a", "text", "2025-03-01"))


def test_snapshots_keep_every_benchmark_date_the_fetch_lacks():
    kept = retained(OLD, NEW, "snapshots")
    assert sorted(zip(kept["source_model_name"], kept["benchmark_id"], kept["as_of"], strict=True)) == [
        ("a", "text", "2025-01-01"), ("b", "text", "2025-01-01"), ("c", "vision", "2025-02-01")]
    # a date the fetch shows is the whole truth for that date: a row of 2025-02-01 the fetch lacks is not kept


def test_models_keep_the_rows_of_models_the_fetch_lacks_and_replace_keeps_nothing():
    assert sorted(set(retained(OLD, NEW, "models")["source_model_name"])) == ["b", "c"]
    assert retained(OLD, NEW, "replace").empty


def test_problems_name_failed_feeding_sources_and_stale_headlines(configs):
    cfg = copy.copy(configs)
    failed = [Outcome("epoch_benchmarking_hub", "failed", message="HTTP 500"), Outcome("llm_stats", "failed", message="x"),
              Outcome("evalplus", "failed", message="y"), Outcome("lmarena", "updated")]
    scores = rows(("m", "lmarena_text", "2024-01-01"), ("m", "lmarena_text_to_image", "2026-10-01"))
    found = problems(cfg, failed, scores, "2026-11-30")
    assert found[0].startswith("epoch_benchmarking_hub failed and feeds live_bench, epoch_capabilities_index")
    assert not any(p.startswith(("llm_stats", "evalplus")) for p in found), \
        "a self-reported source (left out of the comparison) and one feeding no headline are not red"
    assert found[1] == ("lmarena_text: newest data 2024-01-01 is older than 180 days (stale_after_days in "
                        "configs/settings.yaml)")
    assert len(found) == 2 and exit_code(failed, found=found) == 1
    assert problems(cfg, failed[3:], scores, "2026-11-30", check_age=False) == [], "a mirror is a snapshot: no age"
    assert exit_code([Outcome("evalplus", "failed"), Outcome("aider", "updated")], found=[]) == 0


def test_freshness_puts_failing_then_stale_sources_first_with_their_error(configs):
    status = pd.DataFrame([
        {"source_id": "aider", "status": "ok", "rows": "10", "data_date": "2026-10-01", "retrieved_at": "2026-11-30",
         "last_success": "2026-11-30", "last_error": "", "files_sha256": "", "format": "yml", "warnings": ""},
        {"source_id": "swe_bench", "status": "ok", "rows": "5", "data_date": "2025-12-09", "retrieved_at": "2025-12-10",
         "last_success": "2025-12-10", "last_error": "", "files_sha256": "", "format": "json", "warnings": ""},
        {"source_id": "evalplus", "status": "ok", "rows": "5", "data_date": "2024-12-26", "retrieved_at": "2024-12-26",
         "last_success": "2024-12-26", "last_error": "", "files_sha256": "", "format": "json", "warnings": ""},
        {"source_id": "livebench", "status": "ok", "rows": "5", "data_date": "2026-06-25", "retrieved_at": "2026-11-30",
         "last_success": "2026-11-30", "last_error": "", "files_sha256": "", "format": "csv",
         "warnings": "1 warning(s); first: table_2026_01_08.csv, row 110"},
        {"source_id": "epoch_benchmarking_hub", "status": "failed", "rows": "9", "data_date": "2026-04-19",
         "retrieved_at": "2026-04-19", "last_success": "2026-04-19", "last_error": "2026-11-30T04:20:00Z HTTP 500",
         "files_sha256": "", "format": "zip", "warnings": ""},
        {"source_id": "reported", "status": "ok", "rows": "9", "data_date": "2024-01-10", "retrieved_at": "2027-06-01",
         "last_success": "2027-06-01", "last_error": "", "files_sha256": "", "format": "yaml", "warnings": ""}])
    table = freshness(configs, status)
    order = [r["source"].id for r in table]
    assert order[:2] == ["epoch_benchmarking_hub", "swe_bench"], "failing first, then stale"
    assert table[0]["state"] == "failed: 2026-11-30T04:20:00Z HTTP 500; last success 2026-04-19"
    assert table[1]["state"].startswith("stale: newest data over 180 days before 2026-11-30")
    by_id = {r["source"].id: r for r in table}
    assert by_id["evalplus"]["state"] == "ok (archived upstream)", "a frozen upstream is not stale"
    assert by_id["livebench"]["state"] == "ok (1 warning(s); first: table_2026_01_08.csv, row 110)"
    assert by_id["opencompass"]["state"] == "not collected"
    assert by_id["reported"]["state"] == "ok (curated in this repository)", \
        "tables kept in configs/ are edited, not fetched: never stale, and their date is not a retrieval date"
