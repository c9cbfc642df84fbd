"""A loopback copy of every live upstream, for the benchmark's live refresh: one HTTP server on 127.0.0.1 per real host
(so that per-host request limits apply as they do live), serving each source's current format from the test
fixtures (tests/test_contract.py builds them) at the size of the real thing: every registry model's Hugging Face card
(~800 repos), 12 LiveBench releases, 300 llm-stats model files, every SuperCLUE README version.

`LoopbackUpstream(configs_dir)` rewrites the copy of configs/ at `configs_dir` (every URL of sources.yaml and every
declared host, to its loopback server), starts the servers and counts what they answer: requests, and response body
bytes (a 304 or a HEAD sends none). `env()` gives what `aggregator collect` needs: HF_ENDPOINT and the tokens the
refresh workflow passes (placeholders). Nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import sys
import threading
from collections import Counter
from pathlib import Path

import yaml
from werkzeug import Request, Response
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import test_contract as tc  # noqa: E402  (the contract tests' upstream builders: current formats, from fixtures)

URL = re.compile(r"https?://([A-Za-z0-9.-]+)/")
HF_HOST = "huggingface.co"


class _Files:
    """What a contract-test builder writes into: `files` keyed '/<host>/<path>', `hf` repos."""

    def __init__(self):
        self.files: dict[str, bytes] = {}
        self.hf: dict[str, dict[str, bytes]] = {}


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:20] + '"'


class LoopbackUpstream:
    def __init__(self, configs_dir: Path):
        self.cfg = configs_dir
        self.requests: Counter[str] = Counter()
        self.body_bytes: Counter[str] = Counter()
        self._lock = threading.Lock()
        up = _Files()
        self._content(up)
        self.files, self.hf = up.files, up.hf
        settings = yaml.safe_load((self.cfg / "settings.yaml").read_text(encoding="utf-8"))  # fixtures are old data
        (self.cfg / "settings.yaml").write_text(yaml.safe_dump(settings | {"stale_after_days": 36500}), encoding="utf-8")
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        text = (self.cfg / "sources.yaml").read_text(encoding="utf-8")
        hosts = sorted({h for line in text.splitlines() if not _kept(line) for h in URL.findall(line)} | {HF_HOST})
        self.servers = {h: make_server("127.0.0.1", 0, self._app(h), threaded=True) for h in hosts}
        self.ports = {h: s.server_port for h, s in self.servers.items()}
        for s in self.servers.values():
            threading.Thread(target=s.serve_forever, daemon=True).start()
        lines = []
        for line in text.splitlines(keepends=True):
            if not _kept(line):
                line = URL.sub(lambda m: f"http://127.0.0.1:{self.ports[m[1]]}/", line)
                line = re.sub(r"^(\s*(?:- )?host: )(\S+)", lambda m: m[1] + self._host(m[2]), line)
            lines.append(line)
        (self.cfg / "sources.yaml").write_text("".join(lines), encoding="utf-8")

    def _host(self, host: str) -> str:
        return f"127.0.0.1:{self.ports[host]}" if host in self.ports else host

    def env(self) -> dict[str, str]:
        return {"HF_ENDPOINT": f"http://127.0.0.1:{self.ports[HF_HOST]}", "HF_TOKEN": "hf_bench_placeholder_token",
                "GITHUB_TOKEN": "ghp_bench_placeholder", "ARTIFICIAL_ANALYSIS_API_KEY": "aa-bench-placeholder",
                "HF_HUB_DISABLE_TELEMETRY": "1"}

    def close(self) -> None:
        for s in self.servers.values():
            s.shutdown()

    def counts(self) -> tuple[int, int]:
        with self._lock:
            return sum(self.requests.values()), sum(self.body_bytes.values())

    # --- content ---------------------------------------------------------------------------------------------

    def _content(self, up: _Files) -> None:
        dates = [f"2025-{m:02d}-{d:02d}" for m in range(1, 13) for d in (1, 15)]
        up.hf["lmarena-ai/leaderboard-dataset"] = {
            "README.md": b"---\nlicense: cc-by-4.0\n---\n",
            **{f"{c}/full-00000-of-00001.parquet": tc.parquet(tc.arena_rows(dates)) for c in ("text", "text_to_image", "webdev")}}
        up.hf["open-llm-leaderboard/contents"] = {"data/train-00000-of-00001.parquet": tc.open_llm_v2(9)}
        up.hf["open-llm-leaderboard-old/contents"] = {"default/train/0000.parquet": tc.open_llm_v1()}
        up.files["/epoch.ai/data/benchmark_data.zip"] = tc.indexed_zip()
        for n in ("notable_ai_models.csv", "large_scale_ai_models.csv", "all_ai_models.csv"):
            up.files[f"/epoch.ai/data/{n}"] = tc.fx("epoch_ai_models", n)
        releases = [f"2025-{m:02d}-01" for m in range(1, 13)]
        lb = _Files()
        tc.livebench_site(lb, releases, releases)
        up.files |= lb.files
        aider = "/raw.githubusercontent.com/Aider-AI/aider/main/aider/website/_data/"
        up.files |= {aider + n: tc.fx("aider", n) for n in tc.AIDER}
        up.files["/raw.githubusercontent.com/SWE-bench/swe-bench.github.io/master/data/leaderboards.json"] = \
            tc.fx("swe_bench", "2026-08/leaderboards.json")
        up.files["/evalplus.github.io/results.json"] = tc.fx("evalplus", "results.json")
        for n in ("results.json", "results-hard.json"):
            up.files[f"/bigcode-bench.github.io/{n}"] = tc.fx("bigcodebench", n)
        for n in ("data_overall.csv", "data_live.csv", "data_non_live.csv", "data_multi_turn.csv", "data_agentic.csv",
                  "data_format_sensitivity.csv"):
            up.files[f"/gorilla.cs.berkeley.edu/{n}"] = tc.fx("bfcl", n)
        up.files["/livecodebench.github.io/performances_generation.json"] = tc.fx("livecodebench", "performances_generation.json")
        model = tc.fx("llm_stats", "data/organizations/qwen/models/qwen3-32b/model.json")
        bench = tc.fx("llm_stats", "data/organizations/qwen/models/qwen3-32b/benchmarks.json")
        stats = {}
        for k in range(150):
            stats[f"data/organizations/org{k % 30}/models/qwen3-32b-{k}/model.json"] = model.replace(b"qwen3-32b", f"qwen3-32b-{k}".encode())
            stats[f"data/organizations/org{k % 30}/models/qwen3-32b-{k}/benchmarks.json"] = bench
        gh = _Files()
        tc.github(gh, stats, "2025-10-22T10:00:00Z")
        up.files |= gh.files
        self._opencompass(up)
        self._superclue(up)
        aa = "/artificialanalysis.ai/api/v2/language/models/free"
        up.files[aa] = tc.fx("artificial_analysis", "language_models_free.json")
        up.files[aa + "?page=2"] = tc.fx("artificial_analysis", "language_models_free.page2.json")
        readme = tc.fx("hf_cards", "deepseek-ai/DeepSeek-V3/README.md")
        evals = json.loads(tc.fx("hf_cards", "deepseek-ai/DeepSeek-V3/eval_results.json"))
        self.cards = evals
        for p in sorted((self.cfg / "models").glob("*.yaml")):
            for m in (yaml.safe_load(p.read_text(encoding="utf-8")) or {}).get("models", []):
                if m.get("hf_repo"):
                    up.hf[m["hf_repo"]] = {"README.md": readme}

    @staticmethod
    def _opencompass(up: _Files) -> None:
        listing = json.loads(tc.fx("opencompass", "months.json"))
        edition = __import__("gzip").compress(tc.fx("opencompass", "llm-data-v2.25-10.json"), mtime=0)
        up.files["/rank.opencompass.org.cn/gw/opencompass-be/api/v1/rank/listRankTableAvailableMonths"] = json.dumps(listing).encode()
        oss = "/opencompass.oss-cn-shanghai.aliyuncs.com/dev-assets/hf-research/"
        for n in ("hf-academic.json", "model-meta-info.json"):
            up.files[oss + n] = tc.fx("opencompass", n)
        up.files |= {f"/cdn.opencompass.org.cn/{e['fileName']}": edition for e in listing["data"]}

    @staticmethod
    def _superclue(up: _Files) -> None:
        commits = []
        for p in sorted((tc.FIXTURES / "superclue" / "readme_history").glob("*.md")):
            date, short = p.stem.split("_")
            sha = (short * 4)[:40]
            commits.append({"sha": sha, "commit": {"committer": {"date": f"{date}T08:00:00Z"}}})
            up.files[f"/raw.githubusercontent.com/CLUEbenchmark/SuperCLUE/{sha}/README.md"] = p.read_bytes()
        base = "/api.github.com/repos/CLUEbenchmark/SuperCLUE/commits?path=README.md&per_page=100"
        up.files[base + "&page=1"] = json.dumps(commits[::-1]).encode()

    # --- serving ----------------------------------------------------------------------------------------------

    def _app(self, host: str):
        @Request.application
        def app(req: Request) -> Response:
            resp = self._hub(req) if host == HF_HOST else self._file(host, req)
            sent = 0 if req.method == "HEAD" or resp.status_code == 304 else len(resp.get_data())
            with self._lock:
                self.requests[host] += 1
                self.body_bytes[host] += sent
            return resp
        return app

    def _conditional(self, req: Request, body: bytes, headers: dict[str, str] | None = None) -> Response:
        etag = _etag(body)
        if req.headers.get("If-None-Match") == etag:
            return Response(status=304, headers={"ETag": etag, **(headers or {})})
        return Response(body, headers={"ETag": etag, **(headers or {})})

    def _file(self, host: str, req: Request) -> Response:
        full = req.full_path.rstrip("?")
        body = self.files.get(f"/{host}{full}", self.files.get(f"/{host}{req.path}"))
        if body is None:
            return Response("not found", status=404)
        return self._conditional(req, body)

    def _commit(self, repo: str) -> str:
        return hashlib.sha1(b"".join(p.encode() + d for p, d in sorted(self.hf.get(repo, {}).items()))).hexdigest()

    def _hub(self, req: Request) -> Response:
        if m := re.match(r"^/api/(?:datasets|models)/(.+?)/revision/", req.path):
            files = self.hf.get(m[1])
            if files is None:
                return Response(status=404, headers={"X-Error-Code": "RepoNotFound"})
            doc = {"id": m[1], "sha": self._commit(m[1]), "siblings": [{"rfilename": p} for p in sorted(files)]}
            return self._conditional(req, json.dumps(doc).encode())
        if m := re.match(r"^/api/models/(.+)$", req.path):  # model info: its commit, its eval results
            if m[1] not in self.hf:
                return Response(status=404, headers={"X-Error-Code": "RepoNotFound"})
            doc = {**self.cards, "_id": m[1], "id": m[1], "sha": self._commit(m[1])}
            return self._conditional(req, json.dumps(doc).encode())
        if m := re.match(r"^/(?:datasets/)?(.+?)/resolve/", req.path):
            body = next((d for p, d in self.hf.get(m[1], {}).items() if req.path.endswith("/" + p)), None)
            commit = {"X-Repo-Commit": self._commit(m[1])}
            if body is None:
                return Response(status=404, headers={"X-Error-Code": "EntryNotFound", **commit})
            return self._conditional(req, body, commit)
        return Response("not found", status=404)


def _kept(line: str) -> bool:
    """Lines of sources.yaml that name a URL for readers, not for fetching (left as they are)."""
    return bool(re.match(r"^\s*(- )?(upstream|homepage|citation|documented):", line))
