"""Refresh end to end: the real collectors against a loopback server (127.0.0.1) serving small upstream-format files.

Each fault is injected into one source in turn; the other sources must update while the faulty one keeps its
previous rows byte for byte. An unchanged second refresh must transfer no bodies and rewrite nothing.
"""

from __future__ import annotations

import copy
import hashlib
import io
import re
import shutil
import socket
import time
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from conftest import ROOT, SHARED_UPSTREAM, needs_shared
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from aggregator import transaction
from aggregator.changes import add_section, hardware_lines, latest_section, record_tags
from aggregator.collect import STATUS_COLUMNS, UNMAPPED_COLUMNS, collect, exit_code
from aggregator.config import Configs, Endpoint, load_configs
from aggregator.fetch import Fetcher, RateLimiter
from aggregator.store import read_scores

ORGS = [("Gemini-2.5-Pro", "Google"), ("DeepSeek-R1-0528", "DeepSeek"), ("GLM-4.5", "Zhipu AI"), ("Qwen3-235B-A22B", "Alibaba")]


def lmarena_board(v: int, n: int = 4, arena: int = 0) -> bytes:
    """A board CSV as fboulnois/llm-leaderboard-csv publishes it; `v` shifts the scores (a new upstream version)."""
    lines = ["rank,rank_stylectrl,model,arena_score,95_pct_ci,votes,organization,license,knowledge_cutoff,url"]
    lines += [f"{i + 1},{i + 1},{m},{1450 - 10 * i + v + arena},+5/-6,{9000 - i},{org},Proprietary,,"
              for i, (m, org) in enumerate(ORGS[:n])]
    return ("\n".join(lines) + "\n").encode()


def aider_board(v: int, n: int = 4) -> bytes:
    """polyglot_leaderboard.yml entries as the Aider repo writes them."""
    out = []
    for i, (m, _) in enumerate(ORGS[:n]):
        out.append(f"""- dirname: 2025-0{i + 1}-10-12-00-00--run{i}
  test_cases: 225
  model: {m}
  edit_format: diff
  pass_rate_1: {20 + i}.0
  pass_rate_2: {50 + i + v}.5
  command: aider --model vendor/{m.lower()}
  date: 2025-0{i + 1}-10
""")
    return "\n".join(out).encode()


def upstream_files(v: int) -> dict[str, dict[str, bytes]]:
    return {
        "lmarena": {"lmarena_text.csv": lmarena_board(v), "lmarena_vision.csv": lmarena_board(v, arena=-100)},
        "aider": {"polyglot_leaderboard.yml": aider_board(v)},
    }


class Upstream:
    """The loopback upstream: files by path, ETag/304, per-path faults, and a count of response bodies sent."""

    def __init__(self, server: HTTPServer, files: dict[str, dict[str, bytes]]):
        self.server, self.files, self.faults, self.bodies, self.body_bytes = server, {}, {}, 0, 0
        self.load(files)
        server.expect_request(re.compile(r"^/.*$")).respond_with_handler(self)

    def load(self, files: dict[str, dict[str, bytes]]) -> None:
        self.files = {f"/{sid}/{name}": data for sid, named in files.items() for name, data in named.items()}

    def __call__(self, req: Request) -> Response:
        fault, data = self.faults.get(req.path), self.files.get(req.path)
        if data is None or fault == "http404":
            return Response("not found", status=404)
        if fault == "http500":
            return Response("upstream broke", status=500)
        if fault == "timeout":
            time.sleep(0.6)
        etag = '"' + hashlib.sha256(data).hexdigest()[:20] + '"'
        if req.headers.get("If-None-Match") == etag and fault is None:
            return Response(status=304, headers={"ETag": etag})
        self.bodies += 1
        self.body_bytes += len(data)
        resp = Response(data, headers={"ETag": etag, "Last-Modified": "Mon, 05 Jan 2026 10:00:00 GMT"})
        if fault == "truncated":
            resp.headers["Content-Length"] = str(len(data) + 500)
        return resp


CONTENT_FAULTS = {
    "malformed": lambda sid, data: b"\x00\x9f\xff{[ not a board" * 3,
    "renamed_columns": lambda sid, data: data.replace(b"arena_score", b"score").replace(b"pass_rate_2", b"pass_rate_two"),
    "empty": lambda sid, data: b"",
    "row_drop": lambda sid, data: lmarena_board(7, n=1) if sid == "lmarena" else aider_board(7, n=1),
    "cut_file": lambda sid, data: data[: len(data) // 3],
}
TRANSPORT_FAULTS = ["connection", "timeout", "http500", "http404", "truncated"]
FAULTS = TRANSPORT_FAULTS + list(CONTENT_FAULTS)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def configs_for(base: Configs, urls: dict[str, dict[str, str]]) -> Configs:
    """The real configs with only these sources, their endpoints pointed at the loopback server."""
    cfg = copy.copy(base)
    cfg.sources = {sid: base.sources[sid].model_copy(update={"endpoints": [Endpoint(name=n, url=u) for n, u in eps.items()],
                                                             "mirror": [], "hf_index": None, "urls": {}})
                   for sid, eps in urls.items()}
    return cfg


class Harness:
    def __init__(self, server: HTTPServer, tmp: Path, base: Configs):
        self.up = Upstream(server, upstream_files(0))
        self.server, self.results, self.cache, self.base = server, tmp / "results", tmp / "cache", base
        self.broken: dict[str, str] = {}  # source -> fault, for faults that need another URL

    def configs(self) -> Configs:
        dead = f"http://127.0.0.1:{free_port()}"
        urls = {sid: {name: (dead if self.broken.get(sid) == "connection" else self.server.url_for("")).rstrip("/")
                      + f"/{sid}/{name}" for name in named}
                for sid, named in upstream_files(0).items()}
        return configs_for(self.base, urls)

    def refresh(self, today: str = "2026-01-05", **kw):
        fetcher = Fetcher(self.cache, rate=RateLimiter(0), timeout=(1, 0.3), retries=1, backoff=0)
        return collect(self.configs(), ["aider", "lmarena"], self.results, self.cache, log=lambda m: None,
                       fetcher=fetcher, today=today, **kw)

    def inject(self, sid: str, fault: str, version: int) -> None:
        files = upstream_files(version)
        if fault in CONTENT_FAULTS:
            files[sid] = {n: CONTENT_FAULTS[fault](sid, d) for n, d in files[sid].items()}
        self.up.load(files)
        self.up.faults = {f"/{sid}/{n}": fault for n in files[sid]} if fault in TRANSPORT_FAULTS else {}
        self.broken = {sid: fault} if fault == "connection" else {}

    def snapshot(self) -> dict[str, bytes]:
        return {p.name: p.read_bytes() for p in sorted(self.results.iterdir()) if p.is_file()}


def source_lines(scores_csv: bytes, sid: str) -> list[bytes]:
    return [ln for ln in scores_csv.splitlines() if f",{sid},".encode() in ln]


@pytest.fixture(scope="module")
def server():
    s = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    s.start()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def base_configs() -> Configs:
    return load_configs(ROOT / "configs")


@pytest.fixture
def harness(server, tmp_path, base_configs) -> Harness:
    server.clear()
    return Harness(server, tmp_path, base_configs)


@pytest.fixture(scope="module")
def collected(server, tmp_path_factory, base_configs) -> Path:
    """results/ and cache/ after one cold refresh of version 0 (copied by tests that start from there)."""
    server.clear()
    h = Harness(server, tmp_path_factory.mktemp("baseline"), base_configs)
    h.refresh()
    return h.results.parent


@pytest.fixture
def refreshed(harness, collected) -> Harness:
    """A harness whose results/ and cache/ hold the cold refresh of version 0."""
    for name in ("results", "cache"):
        shutil.copytree(collected / name, harness.results.parent / name)
    return harness


def test_cold_then_unchanged_refresh_transfers_nothing_and_rewrites_nothing(harness):
    first = harness.refresh()
    assert [(o.source_id, o.status) for o in first] == [("aider", "updated"), ("lmarena", "updated")]
    assert harness.up.bodies == 3 and all(o.downloaded > 0 for o in first)
    before = harness.snapshot()
    mtimes = {p.name: p.stat().st_mtime_ns for p in harness.results.iterdir()}
    assert set(before) == {"scores.csv", "collection.csv", "unmapped_benchmarks.csv", "CHANGES.md"}
    scores = read_scores(harness.results / "scores.csv")
    assert len(scores) == 12 and set(scores["source_id"]) == {"aider", "lmarena"}
    row = scores[scores["source_model_name"].eq("GLM-4.5") & scores["benchmark_id"].eq("lmarena_text")].iloc[0]
    assert (row["score"], row["ci_lower"], row["ci_upper"], row["as_of"]) == (1430.0, 1424.0, 1435.0, "2026-01-05")
    assert "- aider: first collection, 4 rows" in before["CHANGES.md"].decode()

    second = harness.refresh(today="2026-01-12")
    assert [o.status for o in second] == ["unchanged", "unchanged"] and harness.up.bodies == 3  # every file: 304
    assert all(o.downloaded == 0 for o in second)
    assert harness.snapshot() == before
    assert {p.name: p.stat().st_mtime_ns for p in harness.results.iterdir()} == mtimes


def test_update_reports_added_changed_removed_and_logs_them(refreshed):
    harness = refreshed
    files = upstream_files(3)
    files["aider"]["polyglot_leaderboard.yml"] = aider_board(0, n=3)  # one run removed, the rest unchanged
    harness.up.load(files)
    out = {o.source_id: o for o in harness.refresh(today="2026-01-12")}
    assert (out["lmarena"].status, out["lmarena"].changed, out["lmarena"].added) == ("updated", 8, 0)
    assert (out["aider"].status, out["aider"].removed, out["aider"].rows) == ("updated", 1, 3)
    log = (harness.results / "CHANGES.md").read_text()
    assert log.index("## 2026-01-12") < log.index("## 2026-01-05")
    assert "- aider: 0 rows added, 1 removed, 0 changed (3 in all)" in latest_section(log)
    assert "- lmarena: 0 rows added, 0 removed, 8 changed (8 in all)" in latest_section(log)


@pytest.mark.parametrize("fault", FAULTS)
def test_a_faulty_source_keeps_its_rows_and_the_others_update(refreshed, fault):
    harness = refreshed
    target = "lmarena" if FAULTS.index(fault) % 2 else "aider"
    other = "aider" if target == "lmarena" else "lmarena"
    before = harness.snapshot()
    harness.inject(target, fault, version=5)
    outcomes = {o.source_id: o for o in harness.refresh(today="2026-01-12")}
    assert outcomes[target].status == "failed" and outcomes[other].status == "updated", outcomes
    after = harness.snapshot()
    assert source_lines(after["scores.csv"], target) == source_lines(before["scores.csv"], target)  # byte for byte
    assert source_lines(after["scores.csv"], other) != source_lines(before["scores.csv"], other)
    status = pd.read_csv(io.BytesIO(after["collection.csv"]), dtype=str, keep_default_na=False).set_index("source_id")
    assert list(status.reset_index().columns) == STATUS_COLUMNS
    assert status.loc[target, "status"] == "failed" and status.loc[target, "last_success"] == "2026-01-05"
    assert status.loc[target, "last_error"].startswith("20") and "\n" not in status.loc[target, "last_error"]
    assert status.loc[other, "status"] == "ok" and status.loc[other, "last_success"] == "2026-01-12"
    assert exit_code(list(outcomes.values())) == 0 and exit_code(list(outcomes.values()), strict=True) == 1
    assert f"- {target}:" not in latest_section(after["CHANGES.md"].decode())


def test_recovery_after_a_failure_and_every_source_failing(refreshed):
    harness = refreshed
    harness.inject("aider", "http500", version=1)
    harness.refresh(today="2026-01-06")
    harness.inject("aider", "none", version=1)
    out = {o.source_id: o.status for o in harness.refresh(today="2026-01-07")}
    assert out == {"aider": "updated", "lmarena": "unchanged"}
    status = pd.read_csv(harness.results / "collection.csv", dtype=str, keep_default_na=False).set_index("source_id")
    assert (status.loc["aider", "status"], status.loc["aider", "last_error"]) == ("ok", "")
    harness.up.faults = {p: "http500" for p in harness.up.files}
    outcomes = harness.refresh(today="2026-01-08")
    assert exit_code(outcomes) == 1 and len(read_scores(harness.results / "scores.csv")) == 12


def test_parsed_tables_are_cached_and_not_reparsed(refreshed, monkeypatch):
    import aggregator.collectors.lmarena as lm

    monkeypatch.setattr(lm, "parse", lambda files: pytest.fail("an unchanged upstream must not be parsed again"))
    assert {o.status for o in refreshed.refresh()} == {"unchanged"}


def test_hardware_tag_changes_go_to_the_changelog(tmp_path):
    before = b"model_id,hardware_class,accelerators,status,display_name\na,nvidia,h800,reported,A\nb,unknown,,unknown,B\n"
    after = (b"model_id,hardware_class,accelerators,status,display_name\na,nvidia,h800,contested,A\n"
             b"b,domestic,ascend-910b,reported,B\nc,domestic,ascend-910c,confirmed,C\n")
    assert hardware_lines(before, after) == ["- new tag: c: domestic on ascend-910c (confirmed)",
                                             "- changed tag: a: nvidia on h800 (reported) -> nvidia on h800 (contested)",
                                             "- changed tag: b: unknown (unknown) -> domestic on ascend-910b (reported)"]
    old_format = b"model_id,hardware_class,accelerators,confidence\na,nvidia,h800,reported\n"  # before statuses
    assert hardware_lines(old_format, after)[-1] == "- changed tag: a: nvidia on h800 (reported) -> nvidia on h800 (contested)"
    assert hardware_lines(after, after) == [] and hardware_lines(None, None) == []
    assert record_tags(tmp_path, before, after, "2026-01-12")
    assert not record_tags(tmp_path, after, after, "2026-01-12")  # nothing changed: nothing added
    text = (tmp_path / "CHANGES.md").read_text()
    assert text.count("## 2026-01-12") == 1 and "Hardware tags:\n- new tag: c" in text
    merged = add_section(text, "2026-01-12", "Sources", ["- x: first collection, 3 rows"])
    assert merged.count("## 2026-01-12") == 1 and merged.index("Hardware tags") < merged.index("Sources")


def test_results_files_are_each_valid(refreshed):
    read_scores(refreshed.results / "scores.csv")
    assert list(pd.read_csv(refreshed.results / "unmapped_benchmarks.csv").columns) == UNMAPPED_COLUMNS
    assert transaction.recover(refreshed.results) == "clean"


@needs_shared
def test_mirror_files_served_over_loopback_cold_then_unchanged(server, tmp_path, base_configs):
    """The real upstream files (../shared mirror) served as the live endpoints: Epoch's zip built from its CSVs."""
    up = SHARED_UPSTREAM
    zbuf = io.BytesIO()
    with zipfile.ZipFile(zbuf, "w", zipfile.ZIP_DEFLATED) as z:
        for p in sorted((up / "epoch_benchmarking_hub").rglob("*.csv")):
            z.write(p, p.relative_to(up / "epoch_benchmarking_hub").as_posix())
    files = {
        "lmarena": {p.name: p.read_bytes() for p in sorted((up / "lmarena").glob("lmarena_*.csv"))},
        "aider": {p.name: p.read_bytes() for p in sorted((up / "aider").glob("*.yml"))},
        "epoch_benchmarking_hub": {"benchmark_data.zip": zbuf.getvalue()},
    }
    server.clear()
    served = Upstream(server, files)
    url = server.url_for("").rstrip("/")
    cfg = configs_for(base_configs, {sid: {n: f"{url}/{sid}/{n}" for n in named} for sid, named in files.items()})
    results, cache = tmp_path / "results", tmp_path / "cache"
    runs = []
    for today in ("2026-01-05", "2026-01-12"):
        started, sent = time.monotonic(), served.body_bytes
        fetcher = Fetcher(cache, rate=RateLimiter(0), timeout=(2, 10), retries=0)
        out = collect(cfg, sorted(files), results, cache, log=lambda m: None, fetcher=fetcher, today=today)
        runs.append((round(time.monotonic() - started, 2), served.body_bytes - sent, {o.source_id: (o.status, o.rows) for o in out}))
        if today == "2026-01-05":
            before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in results.iterdir()}
    print(f"\ncold refresh: {runs[0][0]} s, {runs[0][1]} bytes; unchanged refresh: {runs[1][0]} s, {runs[1][1]} bytes; "
          f"{runs[0][2]}")
    assert all(status == "updated" and rows > 100 for status, rows in runs[0][2].values()), runs[0][2]
    assert runs[1][1] == 0 and {s for s, _ in runs[1][2].values()} == {"unchanged"}
    assert {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in results.iterdir()} == before
    scores = read_scores(results / "scores.csv")
    glm = scores[scores["source_model_name"].eq("GLM-4.5") & scores["benchmark_id"].eq("lmarena_text")]
    assert glm[["score", "as_of"]].values.tolist() == [[1434.0, "2026-01-05"]]
