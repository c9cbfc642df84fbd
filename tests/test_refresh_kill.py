"""A refresh killed at any instant leaves results/ valid file by file, and all-old or all-new once recovered.

Two ways of killing: a crash injected at every step of the commit (and of a recovery), twice over (>= 20 kills, each
step covered), and real SIGKILLs of a whole refresh at random delays (a helper process forks one refresh per try and
kills it; see `kill_loop`; fewer tries, as each costs a refresh).
"""

from __future__ import annotations

import io
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
import types
from pathlib import Path

import pandas as pd
import pytest
from conftest import ROOT
from test_refresh import base_configs, collected, harness, refreshed, server  # noqa: F401  (fixtures)

from aggregator import transaction
from aggregator.collect import STATUS_COLUMNS, UNMAPPED_COLUMNS, collect
from aggregator.fetch import Fetcher, RateLimiter
from aggregator.store import read_scores

TESTS = Path(__file__).resolve().parent


class Crash(BaseException):
    """Stands for the process dying: nothing catches it and nothing cleans up."""


def snapshot(results: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(results.iterdir()) if p.is_file() and not p.name.startswith(".")}


def validate_files(results: Path) -> None:
    """Every file in results/ parses and matches its schema on its own."""
    files = snapshot(results)
    if "scores.csv" in files:
        read_scores(results / "scores.csv")
    if "collection.csv" in files:
        assert list(pd.read_csv(io.BytesIO(files["collection.csv"]), dtype=str).columns) == STATUS_COLUMNS
    if "unmapped_benchmarks.csv" in files:
        assert list(pd.read_csv(io.BytesIO(files["unmapped_benchmarks.csv"]), dtype=str).columns) == UNMAPPED_COLUMNS
    if "CHANGES.md" in files:
        assert files["CHANGES.md"].decode("utf-8").startswith("# Changes")


def check_state(results: Path, old: dict[str, bytes], new: dict[str, bytes]) -> str:
    """After a kill: each file is its old or new version and valid; after recovery the set is all-old or all-new."""
    for name, data in snapshot(results).items():
        assert data in (old.get(name), new.get(name)), f"{name} is neither its old nor its new version"
    validate_files(results)
    how = transaction.recover(results)
    after = snapshot(results)
    assert not [p for p in results.rglob(".*")], "recovery leaves no temporary file"
    assert after in (old, new), f"mixed state after recovery ({how})"
    return "old" if after == old else "new"


@pytest.fixture
def states(refreshed, tmp_path):  # noqa: F811
    """(old results/, files of the new results/) around a refresh that changes every source."""
    from test_refresh import upstream_files

    old = tmp_path / "old"
    shutil.copytree(refreshed.results, old)
    refreshed.up.load(upstream_files(4))
    refreshed.refresh(today="2026-01-12")
    new = snapshot(refreshed.results)
    assert set(new) == set(snapshot(old)) and sum(new[n] != d for n, d in snapshot(old).items()) >= 3
    return old, new


def crashing(after: int) -> tuple[types.SimpleNamespace, dict]:
    """An `os` stand-in for transaction.py whose replace(), and the file/dir syncs, crash at call number `after`."""
    calls = {"n": 0}

    def step(fn):
        def wrapped(*a, **kw):
            calls["n"] += 1
            if calls["n"] == after:
                raise Crash
            return fn(*a, **kw)
        return wrapped

    fake = types.SimpleNamespace(**{k: getattr(os, k) for k in dir(os) if not k.startswith("__")})
    fake.replace, fake.fsync = step(os.replace), step(os.fsync)
    return fake, calls


def test_a_crash_at_every_step_of_commit_and_recovery(states, tmp_path, monkeypatch):
    old_dir, new = states
    old = snapshot(old_dir)
    fake, calls = crashing(after=0)
    monkeypatch.setattr(transaction, "os", fake)
    transaction.commit(shutil.copytree(old_dir, tmp_path / "count"), new)
    steps = calls["n"]
    assert steps >= 10  # fsyncs and renames of 4 files + the journal
    rng, seen, tries = random.Random(6), set(), 0
    for k in list(range(1, steps + 1)) * 2:
        work = tmp_path / f"try{tries}"
        shutil.copytree(old_dir, work)
        fake, _ = crashing(after=k)
        monkeypatch.setattr(transaction, "os", fake)
        with pytest.raises(Crash):
            transaction.commit(work, new)
        if tries % 2:  # the recovery itself is killed once too, then run again
            fake, _ = crashing(after=rng.randint(1, 6))
            monkeypatch.setattr(transaction, "os", fake)
            try:
                transaction.recover(work)
            except Crash:
                pass
        monkeypatch.setattr(transaction, "os", os)
        seen.add(check_state(work, old, new))
        tries += 1
    assert tries >= 20 and seen == {"old", "new"}


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_sigkill_at_random_moments(states, refreshed, tmp_path):  # noqa: F811
    old_dir, new = states
    urls = {sid: {e.name: e.url for e in src.endpoints} for sid, src in refreshed.configs().sources.items()}
    spec = {"urls": urls, "old": str(old_dir), "cache": str(refreshed.cache), "work": str(tmp_path / "kills"),
            "expect": str(tmp_path / "new"), "tries": 6}
    (tmp_path / "new").mkdir()
    for name, data in new.items():
        (tmp_path / "new" / name).write_bytes(data)
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, str(TESTS / "test_refresh_kill.py"), json.dumps(spec)], capture_output=True,
                          text=True, timeout=300, env=env, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report["failures"] == [] and len(report["outcomes"]) == spec["tries"], report


def kill_loop(spec: dict) -> dict:
    """In a fresh process: fork one refresh per try, SIGKILL it after a random delay, check results/."""
    from test_refresh import configs_for

    from aggregator.collectors import collector
    from aggregator.config import load_configs

    configs = configs_for(load_configs(ROOT / "configs"), spec["urls"])
    for sid in configs.sources:  # imported once here, not in every forked child
        collector(sid)
    old, new = snapshot(Path(spec["old"])), snapshot(Path(spec["expect"]))
    work = Path(spec["work"])
    rng, outcomes, failures, full = random.Random(61), [], [], None

    def run_child(results: Path, cache: Path) -> int:
        pid = os.fork()
        if pid == 0:  # the refresh being killed
            code = 0
            try:
                fetcher = Fetcher(cache, rate=RateLimiter(0), timeout=(2, 5), retries=0)
                collect(configs, ["aider", "lmarena"], results, cache, log=lambda m: None, fetcher=fetcher,
                        today="2026-01-12")
            except BaseException:
                code = 1
            os._exit(code)
        return pid

    for i in range(spec["tries"] + 1):
        results, cache = work / f"r{i}", work / f"c{i}"
        shutil.copytree(spec["old"], results)
        shutil.copytree(spec["cache"], cache)
        started = time.monotonic()
        pid = run_child(results, cache)
        if full is None:  # the first try runs to the end: how long a whole refresh takes
            os.waitpid(pid, 0)
            full = time.monotonic() - started
            outcomes.append(check_state(results, old, new))
            continue
        time.sleep(rng.uniform(0.5, 1.05) * full)  # the commit comes last: aim there
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        try:
            outcomes.append(check_state(results, old, new))
        except AssertionError as exc:
            failures.append(f"try {i}: {exc}")
    return {"outcomes": outcomes[1:], "failures": failures, "seconds_per_refresh": round(full, 3)}


if __name__ == "__main__":
    sys.path.insert(0, str(TESTS))
    print(json.dumps(kill_loop(json.loads(sys.argv[1]))))
