"""Which score of a model enters the comparison: the best run within the newest snapshot of the board.
Upstream files in their real shape (values from the mirrored files) go through parse -> normalise -> resolve -> points."""

from __future__ import annotations

import pandas as pd
from conftest import raw

from aggregator.analysis import Options, points, snapshot_dates
from aggregator.collect import normalise
from aggregator.collectors import aider, epoch_benchmarking_hub, lmarena
from aggregator.resolve import resolve

# Aider polyglot_leaderboard.yml (commit 5dc9490): GPT-5 high on 2025-08-23 (88.0), then medium on 2025-08-25 (86.7).
AIDER = """\
- dirname: 2025-08-23-15-47-21--gpt-5-high
  test_cases: 225
  model: gpt-5 (high)
  edit_format: diff
  reasoning_effort: high
  pass_rate_1: 52.0
  pass_rate_2: 88.0
  command: aider --model openai/gpt-5
  date: 2025-08-23
- dirname: 2025-08-25-13-23-27--gpt-5-medium
  test_cases: 225
  model: gpt-5 (medium)
  edit_format: diff
  reasoning_effort: medium
  pass_rate_1: 49.8
  pass_rate_2: 86.7
  command: aider --model openai/gpt-5
  date: 2025-08-25
"""

# Epoch gpqa_diamond.csv (2026-04-19 snapshot): gpt-5.1 high run first (0.876), medium run four days later (0.850).
EPOCH = (
    "Model version,mean_score,Best score (across scorers),Release date,Organization,Country,Training compute (FLOP),"
    "Training compute notes,stderr,Log viewer,Logs,Started at,id\n"
    "gpt-5.1-2025-11-13_medium,0.8503787878787878,0.8503787878787878,2025-11-13,OpenAI,United States of America,,"
    "Almost certainly > 1e25,0.021250422082249816,,,2025-11-17T21:28:29.934Z,V3YQtSEnQ3TPZEPPgkCKQM\n"
    "gpt-5.1-2025-11-13_high,0.8762626262626263,0.8762626262626263,2025-11-13,OpenAI,United States of America,,"
    "Almost certainly > 1e25,0.01875368281077595,,,2025-11-13T19:52:15.039Z,CSVtMksEVjBNsGJGjW4GcQ\n"
)

# LMArena history (nakasyou result.csv): one row per published snapshot, one column per model (0.0 = not listed).
ARENA = "date,gpt-4o-2024-05-13,claude-3-5-sonnet-20240620\n20250510,1290.5,1270.0\n20250520,1285.2,0.0\n"


def _models(configs, ids: list[str]) -> pd.DataFrame:
    m = [configs.models[i] for i in ids]
    return pd.DataFrame({"model_id": ids, "display_name": [x.display_name for x in m], "developer": "x",
                         "developer_country": "United States", "release_date": [x.release_date for x in m],
                         "hardware_class": "nvidia", "status": "confirmed", "accelerators": "nvidia-h100"})


def _points(configs, source: str, parsed: pd.DataFrame, ids: list[str]) -> pd.Series:
    scores = resolve(normalise(parsed, source, configs).scores.drop(columns=["model_id", "derivation"]), configs)
    pts = points(scores, _models(configs, ids), configs, Options())
    return pts.set_index(["benchmark_id", "model_id"])["score"]


def test_aider_best_run_not_latest_run(configs):
    got = _points(configs, "aider", aider.parse([raw("polyglot_leaderboard.yml", AIDER)]), ["gpt-5"])
    assert got.to_dict() == {("aider_polyglot", "gpt-5"): 88.0}  # the later medium run (86.7) does not hide it


def test_epoch_best_effort_not_latest_run(configs):
    parsed = epoch_benchmarking_hub.parse([raw("gpqa_diamond.csv", EPOCH, as_of="2026-04-19")])
    got = _points(configs, "epoch_benchmarking_hub", parsed, ["gpt-5.1"])
    assert round(got[("gpqa_diamond", "gpt-5.1")], 2) == 87.63


def test_snapshot_board_takes_the_newest_snapshot(configs):
    """LMArena publishes snapshots: a model's rating is the one in the newest snapshot listing it, even when lower."""
    got = _points(configs, "lmarena", lmarena.parse([raw("nakasyou_lmarena-history/result.csv", ARENA)]),
                  ["gpt-4o", "claude-3.5-sonnet"])
    assert got.to_dict() == {("lmarena_text", "gpt-4o"): 1285.2, ("lmarena_text", "claude-3.5-sonnet"): 1270.0}


def test_snapshot_dates_per_source_kind(configs):
    assert configs.sources["aider"].row_dates == "run" and configs.sources["lmarena"].row_dates == "snapshot"
    rows = pd.DataFrame({"source_id": ["aider", "aider", "aider", "lmarena", "lmarena"],
                         "benchmark_id": ["aider_polyglot", "aider_polyglot", "aider_edit", "lmarena_text", "lmarena_text"],
                         "as_of": ["2025-08-23", "2025-08-25", "2024-01-01", "2025-05-10", "2025-05-20"]})
    assert snapshot_dates(rows, configs).tolist() == ["2025-08-25", "2025-08-25", "2024-01-01", "2025-05-10", "2025-05-20"]
