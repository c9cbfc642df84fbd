"""The content-addressed memo (memo.py): work is skipped only for the exact bytes it was done on, the memo holds
JSON only, and a broken or unwritable memo never changes a result."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pandas as pd
import pytest
from conftest import ROOT

from aggregator import memo
from aggregator.config import _read_yaml
from aggregator.errors import ConfigError, StoreError
from aggregator.store import SCORE_COLUMNS, read_scores, write_scores

ROW = {"model_id": "m", "derivation": "name", "source_model_name": "M", "benchmark_id": "b", "setting": "",
       "score": 1.5, "unit": "percent", "ci_lower": float("nan"), "ci_upper": float("nan"), "source_id": "s",
       "source_url": "https://example.org/x.csv", "as_of": "2025-01-01", "self_reported": False, "is_system": False,
       "upstream_org": "", "base_model_name": "", "model_release_date": ""}


def _entries(folder):
    return sorted(folder.glob("*.json")) if folder.exists() else []


@pytest.mark.parametrize("value,plain", [
    ({"a": [1, 2.5, "x", None, True]}, True),
    ({1: "int key"}, False),
    ({"b": b"bytes"}, False),
    ({"s": {1, 2}}, False),
    ({"f": float("inf")}, False),
    ({"t": (1, 2)}, False),
])
def test_only_what_json_gives_back_exactly_is_stored(tmp_path, value, plain):
    memo.put(tmp_path, "k", value)
    assert (memo.get(tmp_path, "k") == value) is plain
    assert (memo.get(tmp_path, "k") is memo.MISSING) is not plain


def test_yaml_memo_follows_the_bytes(tmp_path):
    path, folder = tmp_path / "a.yaml", tmp_path / "memo"
    path.write_text("x: 1\nwhen: 2025-01-01\n", encoding="utf-8")
    assert _read_yaml(path, folder) == {"x": 1, "when": "2025-01-01"}  # dates stay text, memoised or not
    assert len(_entries(folder)) == 1
    assert _read_yaml(path, folder) == {"x": 1, "when": "2025-01-01"}
    path.write_text("x: 2\n", encoding="utf-8")
    assert _read_yaml(path, folder) == {"x": 2}, "an edited file is parsed again"
    path.write_text("x: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="broken YAML"):
        _read_yaml(path, folder)
    assert len(_entries(folder)) == 2, "a file that does not parse leaves no entry"


def test_yaml_that_json_cannot_hold_is_parsed_every_time(tmp_path):
    path, folder = tmp_path / "a.yaml", tmp_path / "memo"
    path.write_text("1: one\nb: !!binary aGk=\n", encoding="utf-8")
    assert _read_yaml(path, folder) == {1: "one", "b": b"hi"}
    assert _entries(folder) == []


def test_a_corrupt_entry_is_ignored(tmp_path):
    path, folder = tmp_path / "a.yaml", tmp_path / "memo"
    path.write_text("x: 1\n", encoding="utf-8")
    _read_yaml(path, folder)
    for entry in _entries(folder):
        entry.write_text("{not json", encoding="utf-8")
    assert _read_yaml(path, folder) == {"x": 1}


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes to read-only folders")
def test_an_unwritable_cache_changes_nothing(tmp_path):
    path, folder = tmp_path / "a.yaml", tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    path.write_text("x: 1\n", encoding="utf-8")
    try:
        assert _read_yaml(path, folder) == {"x": 1}
    finally:
        folder.chmod(0o700)


def test_an_unwritable_cache_path_changes_nothing(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text("x: 1\n", encoding="utf-8")
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    assert _read_yaml(path, blocker / "memo") == {"x": 1}  # the memo folder cannot be created under a file


def test_scores_check_is_skipped_only_for_bytes_that_passed(tmp_path):
    res = tmp_path / "results"
    res.mkdir()
    write_scores(res / "scores.csv", pd.DataFrame([ROW])[SCORE_COLUMNS])
    first = read_scores(res / "scores.csv")
    assert len(_entries(memo.folder_for(res))) == 1
    assert read_scores(res / "scores.csv").equals(first)
    text = (res / "scores.csv").read_text(encoding="utf-8")
    (res / "scores.csv").write_text(text.replace("2025-01-01", "yesterday"), encoding="utf-8")
    with pytest.raises(StoreError, match="schema"):
        read_scores(res / "scores.csv")
    (res / "scores.csv").write_text(text.replace("https://", "javascript:"), encoding="utf-8")
    with pytest.raises(StoreError, match="schema"):
        read_scores(res / "scores.csv")


def test_a_failed_check_is_not_remembered(tmp_path):
    res = tmp_path / "results"
    res.mkdir()
    write_scores(res / "scores.csv", pd.DataFrame([ROW])[SCORE_COLUMNS])
    text = (res / "scores.csv").read_text(encoding="utf-8").replace("1.5000", "abc")
    (res / "scores.csv").write_text(text, encoding="utf-8")
    for _ in range(2):
        with pytest.raises(StoreError, match="schema"):
            read_scores(res / "scores.csv")
    assert _entries(memo.folder_for(res)) == []


def test_a_warm_report_does_not_import_pandera(tmp_path):
    """Why: pandera (and hypothesis, which it imports when installed) is a tenth of a report's time; a report on
    results that were checked before has no check to do."""
    res = tmp_path / "results"
    res.mkdir()
    unmatched = ROW | {"model_id": "", "derivation": "unmatched", "source_model_name": "no-such-model-anywhere"}
    write_scores(res / "scores.csv", pd.DataFrame([unmatched])[SCORE_COLUMNS])  # resolves as stored: not rewritten
    code = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        from aggregator.analysis import options_from
        from aggregator.config import load_configs
        from aggregator.report import build
        configs = load_configs(Path({str(ROOT / "configs")!r}))
        build(configs, Path({str(res)!r}), options_from(configs), log=lambda *_: None, draw=False)
        print("pandera" in sys.modules)
    """)
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
            for _ in range(2)]
    assert runs == ["True", "False"], "checked on the first read, remembered for the second"
