"""Collect decides "unchanged" from keys (unchanged.py): a run on inputs the state knows parses, normalises and
diffs nothing, and rebuilds scores.csv only when a source's rows or the registry changed; what it reports is what a
full run reports (the state records the guards' fixed point)."""

from __future__ import annotations

import copy
import shutil
from dataclasses import asdict
from pathlib import Path

import pandas as pd
import pytest

import aggregator.collect as collect_mod
from aggregator import unchanged
from aggregator.collect import collect
from aggregator.store import read_scores

MIRROR = Path(__file__).resolve().parent / "fault_mirror"
SOURCES = ["aider", "bfcl", "epoch_benchmarking_hub", "livebench", "lmarena", "open_llm_leaderboard", "swe_bench"]


def _run(configs, tmp: Path, today: str = "2026-01-12", sources=SOURCES):
    lines: list[str] = []
    out = collect(configs, sources, tmp / "results", tmp / "cache", tmp / "mirror", log=lines.append, workers=2, today=today)
    return {o.source_id: o for o in out}, lines


def _files(tmp: Path) -> dict[str, tuple[bytes, int]]:
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted((tmp / "results").iterdir()) if p.is_file()}


def _same(a, b) -> bool:
    keep = ("status", "rows", "added", "removed", "changed", "message", "kept", "format")
    return {s: {k: v for k, v in asdict(o).items() if k in keep} for s, o in a.items()} == \
        {s: {k: v for k, v in asdict(o).items() if k in keep} for s, o in b.items()}


@pytest.fixture
def collected(configs, tmp_path) -> Path:
    """Every fault-mirror source collected, then files that make guards and history rules keep earlier rows: a board
    cut to one record, a model gone from a board (kept by bfcl's history rule, dropped from LMArena's snapshot)."""
    shutil.copytree(MIRROR, tmp_path / "mirror")
    _run(configs, tmp_path, today="2026-01-05")
    v2 = tmp_path / "mirror" / "open_llm_leaderboard" / "huggingface_v2.csv"
    v2.write_bytes(b"".join(v2.read_bytes().splitlines(keepends=True)[:2]))
    for board in (tmp_path / "mirror" / "bfcl" / "data_overall.csv", tmp_path / "mirror" / "lmarena" / "lmarena_text.csv"):
        board.write_bytes(b"".join(board.read_bytes().splitlines(keepends=True)[:-1]))  # a model gone from a board
    return tmp_path


def test_an_unchanged_run_replays_what_a_full_run_reports(configs, collected, monkeypatch):
    first, _ = _run(configs, collected)  # the files changed: a full run, whose fixed point the state records
    assert first["open_llm_leaderboard"].message and first["bfcl"].kept, "a guard and a history rule kept earlier rows"
    full = collected.parent / "full"
    shutil.copytree(collected, full)
    before = _files(collected)
    monkeypatch.setattr(collect_mod, "normalise", lambda *a: pytest.fail("an unchanged source is not normalised again"))
    monkeypatch.setattr(collect_mod, "resolve", lambda *a: pytest.fail("scores.csv is not rebuilt when nothing changed"))
    monkeypatch.setattr(collect_mod, "read_scores", lambda *a: pytest.fail("scores.csv is not even read"))
    fast, fast_log = _run(configs, collected)
    assert {o.status for o in fast.values()} == {"unchanged"} and _files(collected) == before
    monkeypatch.undo()
    (full / "cache" / unchanged.STATE_FILE).unlink()  # the same run without the state: everything redone
    slow, slow_log = _run(configs, full)
    assert _same(fast, slow) and fast_log == slow_log
    assert {n: d for n, (d, _) in _files(full).items()} == {n: d for n, (d, _) in before.items()}


def test_a_registry_change_re_resolves_without_reparsing(configs, collected, monkeypatch):
    _run(configs, collected)
    cfg = copy.copy(configs)
    cfg.aliases = {**configs.aliases, "lmarena": {**configs.aliases.get("lmarena", {}), "GLM-4.5": "deepseek-r1"}}
    monkeypatch.setattr(collect_mod, "normalise", lambda *a: pytest.fail("an unchanged source is not normalised again"))
    out, _ = _run(cfg, collected)
    assert {o.status for o in out.values()} == {"unchanged"}
    glm = read_scores(collected / "results" / "scores.csv").query("source_model_name == 'GLM-4.5'")
    assert set(glm["model_id"]) == {"deepseek-r1"} and set(glm["derivation"]) == {"alias"}


def test_a_scores_csv_edited_by_hand_is_read_and_repaired(configs, collected):
    _run(configs, collected)
    path = collected / "results" / "scores.csv"
    lines = path.read_bytes().splitlines(keepends=True)
    gone = next(ln for ln in lines if b",lmarena," in ln)
    path.write_bytes(b"".join(ln for ln in lines if ln != gone))
    out, _ = _run(configs, collected)
    assert out["lmarena"].status == "updated" and out["lmarena"].added == 1 and gone in path.read_bytes()
    assert {o.status for s, o in out.items() if s != "lmarena"} == {"unchanged"}


def test_compare_counts_rows_exactly():
    cols, key = ["name", "bench", "score"], ["name", "bench"]
    old = pd.DataFrame({"name": ["a", "b", "c", "c"], "bench": ["x", "x", "x", "y"], "score": [1.0, 2.0, float("nan"), -0.0]})
    assert unchanged.compare(old, old.iloc[::-1].reset_index(drop=True), cols, key).same
    new = pd.DataFrame({"name": ["a", "b", "c", "d"], "bench": ["x", "x", "x", "x"], "score": [1.0, 2.5, float("nan"), 0.0]})
    d = unchanged.compare(old, new, cols, key)
    assert (d.same, d.added, d.removed, d.changed) == (False, 1, 1, 1)
    signed = old.assign(score=[1.0, 2.0, float("nan"), 0.0])  # -0.0 is written '-0.0000': another row
    assert not unchanged.compare(old, signed, cols, key).same
