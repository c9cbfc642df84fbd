"""Contract tests: every live source end to end through `aggregator collect` (no mirror) against a loopback server.

The real configs/ are copied with every URL of sources.yaml pointed at 127.0.0.1 (the host becomes the first path
segment: https://epoch.ai/data/x.zip -> http://127.0.0.1:<port>/epoch.ai/data/x.zip) and Hugging Face reached
through HF_ENDPOINT. Each source is collected twice: first its older state or older format, then its current
format; the test checks rows, dates, the format the collector says it saw, and that nothing collected before was
dropped. The last tests are the issue 14 done-when cases: a failing Epoch makes the run red while the other sources
are written (and a source that keeps failing rewrites nothing); a live LMArena run keeps all 98 history dates.
"""

from __future__ import annotations

import copy
import functools
import gzip
import hashlib
import io
import json
import re
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import FIXTURES, ROOT
from epoch_zip import indexed_members
from typer.testing import CliRunner
from werkzeug import Request, Response

import aggregator.collect as collect_mod
from aggregator.cli import app
from aggregator.collectors import hf_cards
from aggregator.fetch import Fetcher, RateLimiter
from aggregator.store import read_scores

COMMIT = "4f1c2b7d9e0a3c5b7d9f1e2a4c6b8d0f1a3c5e7b"
LLMSTATS = "api.github.com/repos/JonathanChavezTamales/LLMStats"
LLMSTATS_RAW = "raw.githubusercontent.com/JonathanChavezTamales/LLMStats"


class Live:
    """A copy of configs/ pointed at a loopback upstream, and `aggregator collect` run against it."""

    def __init__(self, server, tmp_path: Path, monkeypatch, edit=None):
        self.base = server.url_for("").rstrip("/")
        self.cfg, self.results, self.cache = tmp_path / "configs", tmp_path / "results", tmp_path / "cache"
        shutil.copytree(ROOT / "configs", self.cfg)
        sources = self.cfg / "sources.yaml"
        sources.write_text("".join(line if re.match(r"^\s*(- )?(upstream|homepage|citation):", line)
                                   else re.sub(r"https?://", self.base + "/", line)
                                   for line in sources.read_text().splitlines(keepends=True)))
        settings = yaml.safe_load((self.cfg / "settings.yaml").read_text())
        (self.cfg / "settings.yaml").write_text(yaml.safe_dump(settings | {"stale_after_days": 36500}))
        if edit:
            edit(self.cfg)
        monkeypatch.setenv("HF_ENDPOINT", f"{self.base}/hf")
        monkeypatch.setattr(collect_mod, "Fetcher", functools.partial(Fetcher, rate=RateLimiter(0), retries=1, backoff=0,
                                                                      timeout=(2, 5)))
        self.files: dict[str, bytes] = {}  # URL path -> body
        self.hf: dict[str, dict[str, bytes]] = {}  # repo id -> {file path: body}
        self.down: set[str] = set()  # paths answered 500
        self.log: list[tuple[str, str]] = []
        server.expect_request(re.compile(".*")).respond_with_handler(self)

    def commit(self, repo: str) -> str:
        """The repo's commit: a new one whenever its files change (the Hub's cache is keyed by commit)."""
        return hashlib.sha1(b"".join(p.encode() + d for p, d in sorted(self.hf.get(repo, {}).items()))).hexdigest()

    def __call__(self, req: Request) -> Response:
        path = req.full_path.rstrip("?")
        self.log.append((req.method, path))
        if req.path in self.down:
            return Response("upstream broke", status=500)
        if m := re.match(r"^/hf/api/(?:datasets|models)/(.+?)/revision/", req.path):
            files = self.hf.get(m[1])
            if files is None:
                return Response(status=404, headers={"X-Error-Code": "RepoNotFound"})
            return Response(json.dumps({"id": m[1], "sha": self.commit(m[1]), "siblings": [{"rfilename": p} for p in files]}),
                            content_type="application/json")
        if m := re.match(r"^/hf/(?:datasets/)?(.+?)/resolve/", req.path):
            body = next((d for p, d in self.hf.get(m[1], {}).items() if req.path.endswith("/" + p)), None)
            if body is None:
                return Response(status=404, headers={"X-Error-Code": "EntryNotFound", "X-Repo-Commit": self.commit(m[1])})
            return Response(body, headers={"X-Repo-Commit": self.commit(m[1]), "ETag": '"' + hashlib.sha1(body).hexdigest() + '"'})
        body = self.files.get(path, self.files.get(req.path))
        if body is None:
            return Response("not found", status=404)
        etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
        if req.headers.get("If-None-Match") == etag:
            return Response(status=304, headers={"ETag": etag})
        return Response(body, headers={"ETag": etag})

    def collect(self, *args: str):
        result = CliRunner().invoke(app, ["collect", *args, "--configs", str(self.cfg), "--results", str(self.results),
                                          "--cache", str(self.cache)])
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        return result

    def scores(self, source: str) -> pd.DataFrame:
        s = read_scores(self.results / "scores.csv")
        return s[s["source_id"].eq(source)]

    def status(self, source: str) -> dict:
        st = pd.read_csv(self.results / "collection.csv", dtype=str, keep_default_na=False)
        return st.set_index("source_id").loc[source].to_dict()


@pytest.fixture
def live(server, tmp_path, monkeypatch):
    return Live(server, tmp_path, monkeypatch)


def keys(df: pd.DataFrame, dated: bool = True) -> set[tuple[str, ...]]:
    cols = ["source_model_name", "benchmark_id"] + (["as_of"] if dated else [])
    return set(df[cols].itertuples(index=False, name=None))


def fx(source: str, name: str) -> bytes:
    return (FIXTURES / source / name).read_bytes()


def parquet(rows: list[dict]) -> bytes:
    buf = io.BytesIO()
    pd.DataFrame(rows).to_parquet(buf, index=False)
    return buf.getvalue()


def zipped(members: dict[str, bytes], built=(2026, 9, 16, 23, 14, 0)) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(zipfile.ZipInfo(name, date_time=built), data)
    return buf.getvalue()


def run_twice(live: Live, source: str, older, current, *args: str, dated: bool = True) -> tuple[pd.DataFrame, pd.DataFrame, object]:
    """Collect `source` from the older upstream state, then from the current one; both runs must succeed, and every
    (model, benchmark[, date]) of the first is still there (`dated=False`: rows the upstream re-dates, e.g. Epoch's
    undated rows that take the snapshot's date)."""
    older()
    first = live.collect(source, *args)
    assert first.exit_code == 0, first.output
    before = live.scores(source)
    current()
    second = live.collect(source, *args)
    assert second.exit_code == 0, second.output
    after = live.scores(source)
    assert keys(before, dated) <= keys(after, dated), f"dropped: {sorted(keys(before, dated) - keys(after, dated))[:3]}"
    return before, after, second


# --- LMArena (Hugging Face dataset) --------------------------------------------------------------------------


def arena_rows(dates: list[str], models=(("deepseek-v3", "DeepSeek", 1318.0), ("gpt-4o-2024-05-13", "OpenAI", 1285.0)),
               categories=("overall", "coding")) -> list[dict]:
    return [{"model_name": m, "organization": org, "license": "", "rating": base + i, "rating_lower": base + i - 4,
             "rating_upper": base + i + 4, "variance": 4.0, "vote_count": 9000, "rank": 1, "category": c,
             "leaderboard_publish_date": d}
            for i, d in enumerate(dates) for c in categories for m, org, base in models]


def arena_dataset(dates: list[str]) -> dict[str, bytes]:
    """The dataset's files for the arenas of the headline benchmarks (text, text-to-image)."""
    return {f"{c}/full-00000-of-00001.parquet": parquet(arena_rows(dates)) for c in ("text", "text_to_image")}


def history_csv(dates: list[str]) -> bytes:
    """nakasyou/lmarena-history output/result.csv: one row per date (YYYYMMDD), one column per model, 0.0 = absent."""
    lines = [",deepseek-v3,gpt-4o-2024-05-13,gpt-4-0314"]
    lines += [f"{d.replace('-', '')},{0.0 if i < 50 else 1300.0 + i},{1250.0 + i},{1180.0}" for i, d in enumerate(dates)]
    return ("\n".join(lines) + "\n").encode()


def test_lmarena_live_run_keeps_every_history_date(live, tmp_path):
    """Done-when: the community history (98 publish dates) is in scores.csv; a live run reads the dataset's full
    parquet (3 dates, one of them also in the history) and every one of the 98 dates is still there."""
    dates = [d.date().isoformat() for d in pd.date_range("2023-05-08", periods=98, freq="7D")]
    mirror = tmp_path / "mirror" / "lmarena" / "nakasyou_lmarena-history"
    mirror.mkdir(parents=True)
    (mirror / "result.csv").write_bytes(history_csv(dates))
    first = live.collect("lmarena", "--mirror", str(tmp_path / "mirror"))
    assert first.exit_code == 0, first.output
    history = live.scores("lmarena")
    assert history["as_of"].nunique() == 98 and set(history["setting"]) == {"category=overall;style_control=off"}
    assert set(history["source_url"]) == {"https://github.com/nakasyou/lmarena-history/blob/"
                                          "22d6c6aa0f5642b41674fc94095e5f2833071d39/output/result.csv"}

    new = [dates[-1], "2026-08-18", "2026-09-08"]
    live.hf["lmarena-ai/leaderboard-dataset"] = {
        "README.md": b"---\nlicense: cc-by-4.0\n---\n",
        "text/full-00000-of-00001.parquet": parquet(arena_rows(new)),
        "text/latest-00000-of-00001.parquet": parquet(arena_rows(new[-1:])),
        "text_style_control/latest-00000-of-00001.parquet": parquet(arena_rows(new[-1:])),  # the older, latest-only form
        "webdev/latest-00000-of-00001.parquet": parquet(arena_rows(new[-1:])),
        "text_to_image/full-00000-of-00001.parquet": parquet(arena_rows(new[-1:])),
    }
    result = live.collect("lmarena")
    assert result.exit_code == 0, result.output
    after = live.scores("lmarena")
    text = after[after["benchmark_id"].eq("lmarena_text")]
    assert set(dates) <= set(text["as_of"]) and set(new) <= set(text["as_of"]), "all 98 history dates and the new ones"
    assert keys(history) - {k for k in keys(history) if k[2] == dates[-1]} <= keys(after)
    official = text[text["as_of"].eq(dates[-1])]
    commit = live.commit("lmarena-ai/leaderboard-dataset")
    assert official["source_url"].str.contains(f"/resolve/{commit}/text/full-").all(), "the official copy replaces the community one"
    assert set(after.loc[after["benchmark_id"].eq("webdev_arena"), "as_of"]) == {"2026-09-08"}
    on = text[text["setting"].eq("category=overall;style_control=on")]
    assert set(on["as_of"]) == {"2026-09-08"}
    assert "earlier rows kept" in result.output
    assert live.status("lmarena")["format"] == "HF dataset parquet, full history; HF dataset parquet, latest only"
    got = {p for m, p in live.log if "/resolve/" in p}
    assert not any("text/latest" in p for p in got), "a config's full history is read, not also its latest file"


# --- Epoch AI Benchmarking Hub (zip) ---------------------------------------------------------------------------

FLAT = ["gpqa_diamond.csv", "mmlu_external.csv", "epoch_capabilities_index.csv"]


def indexed_zip() -> bytes:
    members = indexed_members() | {n: fx("epoch_benchmarking_hub", n) for n in FLAT[:2]}
    members["epoch_capabilities_index/eci_bootstraps.json"] = b'{"num_samples": 500}'
    return zipped(members)


def test_epoch_hub_reads_the_indexed_zip_after_the_flat_one(live):
    url = "/epoch.ai/data/benchmark_data.zip"
    before, after, out = run_twice(
        live, "epoch_benchmarking_hub",
        lambda: live.files.update({url: zipped({n: fx("epoch_benchmarking_hub", n) for n in FLAT}, (2026, 4, 19, 8, 0, 0))}),
        lambda: live.files.update({url: indexed_zip()}), dated=False)
    assert live.status("epoch_benchmarking_hub")["format"] == \
        "zip, indexed layout (benchmark_metadata.csv, epoch_capabilities_index/)"
    eci = after[after["benchmark_id"].eq("epoch_capabilities_index")].set_index("source_model_name")
    assert eci.loc["GLM-5", ["score", "ci_lower", "ci_upper", "as_of"]].tolist() == [151.4, 148.2, 154.9, "2026-09-16"]
    assert "DeepSeek-R1" in eci.index, "the flat file's ECI rows of models the new file lacks are kept"
    arc = after[after["source_model_name"].eq("claude-opus-4-6_120K")]
    assert sorted(arc["setting"]) == [f"effort={e};thinking_budget=120K" for e in ("high", "low", "max", "medium")]
    apex = after[after["benchmark_id"].eq("apex_agents")].set_index("source_model_name")
    assert apex.loc["claude-opus-4-6_unknown", "ci_lower"] == pytest.approx(29.8 - 1.96 * 3.6)
    assert "model_metadata" not in set(after["benchmark_id"]) and not live.status("epoch_benchmarking_hub")["warnings"]


# --- Epoch AI models (CSV) --------------------------------------------------------------------------------------


def test_epoch_ai_models_live(live):
    names = ["notable_ai_models.csv", "large_scale_ai_models.csv", "all_ai_models.csv"]
    full = {f"/epoch.ai/data/{n}": fx("epoch_ai_models", n) for n in names}
    older = dict(full)
    older["/epoch.ai/data/all_ai_models.csv"] = b"\n".join(fx("epoch_ai_models", "all_ai_models.csv").splitlines()[:2]) + b"\n"
    live.files = older
    assert live.collect("epoch_ai_models").exit_code == 0
    first = pd.read_csv(live.results / "epoch_ai_models.csv", dtype=str)
    live.files = full
    assert live.collect("epoch_ai_models").exit_code == 0
    second = pd.read_csv(live.results / "epoch_ai_models.csv", dtype=str)
    assert set(first.iloc[:, 0]) <= set(second.iloc[:, 0]) and len(second) >= len(first)


# --- LiveBench (the site's index) --------------------------------------------------------------------------------

BUNDLE = ('const t=(0,r.useState)("{last}");function a(e){{return{cmp}"9"}}'
          'const l={{"alpha":{{url:"https://example.org/a",organization:"Org",displayName:"Alpha",version:"2025-01-20",'
          'variants:[{{rawName:"alpha-high",displayName:"Alpha High"}}]}}}};')


def livebench_site(live: Live, releases: list[str], served: list[str]) -> None:
    cmp = "".join(f'"{d}"===e?"{i}":' for i, d in enumerate(releases[:-1]))
    live.files = {"/livebench.ai/asset-manifest.json": json.dumps({"files": {"main.js": "./static/js/main.1.js"}}).encode(),
                  "/livebench.ai/static/js/main.1.js": BUNDLE.format(last=releases[-1], cmp=cmp).encode()}
    for d in served:
        stem = d.replace("-", "_")
        live.files[f"/livebench.ai/table_{stem}.csv"] = b"model,zebra,code_gen\nalpha,80.0,60.0\nalpha-high,90.0,70.0\nbeta,50.0,40.0\n"
        live.files[f"/livebench.ai/categories_{stem}.json"] = b'{"Reasoning": ["zebra"], "Coding": ["code_gen"]}'


def test_livebench_live_discovers_releases_and_keeps_those_gone(live):
    before, after, out = run_twice(
        live, "livebench",
        lambda: livebench_site(live, ["2025-01-01", "2025-04-25"], ["2025-01-01", "2025-04-25"]),
        lambda: livebench_site(live, ["2025-01-01", "2025-04-25", "2026-06-25"], ["2025-04-25", "2026-06-25"]))
    assert sorted(set(after["as_of"])) == ["2025-01-01", "2025-04-25", "2026-06-25"], "2025-01-01 now 404s: kept"
    high = after[after["source_model_name"].eq("alpha-high") & after["benchmark_id"].eq("live_bench")]
    assert set(high["model_release_date"]) == {"2025-01-20"}, "the site's own version date"
    assert "site JS model table (2 model versions)" in live.status("livebench")["format"]


# --- Aider, EvalPlus, BigCodeBench, BFCL, LiveCodeBench (files that kept their format) -----------------------------

AIDER = ["polyglot_leaderboard.yml", "edit_leaderboard.yml", "refactor_leaderboard.yml", "o1_polyglot_leaderboard.yml",
         "qwen3_leaderboard.yml", "quant.yml"]


def test_aider_live(live):
    path = "/raw.githubusercontent.com/Aider-AI/aider/main/aider/website/_data/"
    full = {path + n: fx("aider", n) for n in AIDER}
    older = dict(full)
    older[path + "polyglot_leaderboard.yml"] = fx("aider", "polyglot_leaderboard.yml").split(b"\n- dirname:")[0] + b"\n"
    before, after, _ = run_twice(live, "aider", lambda: live.files.update(older), lambda: live.files.update(full))
    assert len(after) > len(before) and live.status("aider")["status"] == "ok"


@pytest.mark.parametrize("source, files", [
    ("evalplus", {"/evalplus.github.io/results.json": ("evalplus", "results.json")}),
    ("bigcodebench", {"/bigcode-bench.github.io/results.json": ("bigcodebench", "results.json"),
                      "/bigcode-bench.github.io/results-hard.json": ("bigcodebench", "results-hard.json")}),
    ("bfcl", {f"/gorilla.cs.berkeley.edu/{n}": ("bfcl", n) for n in (
        "data_overall.csv", "data_live.csv", "data_non_live.csv", "data_multi_turn.csv", "data_agentic.csv",
        "data_format_sensitivity.csv")}),
    ("livecodebench", {"/livecodebench.github.io/performances_generation.json": ("livecodebench", "performances_generation.json")}),
])
def test_unchanged_format_sources_live(live, source, files):
    served = {p: fx(*f) for p, f in files.items()}
    before, after, out = run_twice(live, source, lambda: live.files.update(served), lambda: None)
    assert len(after) == len(before) > 0 and "unchanged" in out.output


# --- SWE-bench (named entries -> structured entries) -----------------------------------------------------------------


def restated(old: dict) -> list[dict]:
    """The older fixture's entries as the regenerated (2026-08) file states them: no name, model and agent fields."""
    out = []
    for board in old["leaderboards"]:
        for e in board["results"]:
            models = [t.split(":", 1)[1].strip() for t in e["tags"] if t.startswith("Model:")]
            model = models[0] if len(models) == 1 else e["name"]
            out.append((board["name"], {"agent": "mini-SWE-agent 1.16.0" if board["name"] == "bash-only" else e["name"],
                                        "model_display": model, "model": model, "model_org": "", "reasoning_effort": None,
                                        "date": e["date"], "resolved": e["resolved"], "folder": e["folder"]}))
    return out


def test_swe_bench_reads_the_structured_entries(live):
    url = "/raw.githubusercontent.com/SWE-bench/swe-bench.github.io/master/data/leaderboards.json"
    old = json.loads(fx("swe_bench", "leaderboards.json"))
    new = json.loads(fx("swe_bench", "2026-08/leaderboards.json"))
    for board, entry in restated(old):
        target = "Verified" if board == "bash-only" else board
        boards = {b["name"]: b for b in new["leaderboards"]}
        boards.setdefault(target, {"name": target, "results": []})["results"].append(entry)
        new["leaderboards"] = list(boards.values())
    before, after, _ = run_twice(live, "swe_bench", lambda: live.files.update({url: fx("swe_bench", "leaderboards.json")}),
                                 lambda: live.files.update({url: json.dumps(new).encode()}))
    bash = after[after["benchmark_id"].eq("swe_bench_bash_only")].set_index("source_model_name")
    assert bash.loc["claude-opus-4-6", ["score", "setting", "as_of"]].tolist() == [79.2, "effort=high", "2026-02-20"]
    assert not bash["is_system"].any()
    assert live.status("swe_bench")["format"] == "leaderboards.json, entries with agent / model_display fields (2026-08 on)"


# --- Open LLM Leaderboard (HF parquet) -------------------------------------------------------------------------------


def open_llm_v2(n: int) -> bytes:
    cols = {"eval_name": "x", "Precision": "bfloat16", "Type": "chat", "T": "c", "Weight type": "Original",
            "Architecture": "Qwen2ForCausalLM", "Model": "<a>x</a>", "Model sha": "abc", "Hub License": "apache-2.0",
            "Hub ❤️": 1, "#Params (B)": 7.6, "Available on the hub": True, "MoE": False, "Chat Template": True,
            "CO₂ cost (kg)": 1.2, "Merged": False, "Official Providers": False, "Generation": 1}
    rows = []
    for i in range(n):
        row = cols | {"fullname": f"org-{i}/model-{i}", "Average ⬆️": 30.0 + i, "Flagged": i == 2,
                      "Upload To Hub Date": "2024-09-01", "Submission Date": f"2024-10-0{i + 1}", "Base Model": f"org-{i}/model-{i}"}
        for b in ("IFEval", "BBH", "MATH Lvl 5", "GPQA", "MUSR", "MMLU-PRO"):
            row |= {b: 20.0 + i, f"{b} Raw": 0.2 + i / 100}
        rows.append(row)
    return parquet(rows)


def open_llm_v1() -> bytes:
    return parquet([{"fullname": "org-b/chat-67b", "Precision": "float16", "Flagged": False, "date": "2023-12-01T07:45:30Z",
                     "Average ⬆️": 71.79, "ARC": 67.75, "HellaSwag": 86.82, "MMLU": 72.42, "TruthfulQA": 55.85,
                     "Winogrande": 84.21, "GSM8K": 60.0},
                    {"fullname": "cheater/Leak-7B", "Precision": "bfloat16", "Flagged": True, "date": "2024-03-29T09:34:19Z",
                     "Average ⬆️": 80.5, "ARC": 78.5, "HellaSwag": 90.3, "MMLU": 77.8, "TruthfulQA": 75.8,
                     "Winogrande": 85.6, "GSM8K": 75.0}])


def test_open_llm_leaderboard_live_parquet_flags(live):
    def state(n):
        live.hf = {"open-llm-leaderboard/contents": {"data/train-00000-of-00001.parquet": open_llm_v2(n)},
                   "open-llm-leaderboard-old/contents": {"default/train/0000.parquet": open_llm_v1()}}
    before, after, _ = run_twice(live, "open_llm_leaderboard", lambda: state(2), lambda: state(3))
    names = set(after["source_model_name"])
    assert "cheater/Leak-7B" not in names and "org-b/chat-67b" in names, "the parquet's Flagged is not inverted"
    assert "org-2/model-2" not in names and "org-1/model-1" in names
    assert live.status("open_llm_leaderboard")["format"] == \
        "v1 leaderboard contents parquet (HF); v2 leaderboard contents parquet (HF)"


# --- llm-stats (GitHub API) ------------------------------------------------------------------------------------------


def github(live: Live, paths: dict[str, bytes], date: str) -> None:
    live.files = {f"/{LLMSTATS}/commits/main": json.dumps({"sha": COMMIT, "commit": {"committer": {"date": date}}}).encode(),
                  f"/{LLMSTATS}/git/trees/{COMMIT}?recursive=1": json.dumps(
                      {"sha": COMMIT, "truncated": False, "tree": [{"path": p, "type": "blob"} for p in paths]}).encode()}
    live.files |= {f"/{LLMSTATS_RAW}/{COMMIT}/{p}": d for p, d in paths.items()}


def test_llm_stats_moves_to_the_later_layout(live):
    old = {p: fx("llm_stats", p) for p in ("models/deepseek/deepseek-r1/model.json",
                                           "models/meta/llama-3.1-8b-instruct/model.json")}
    new = {p: fx("llm_stats", p) for p in ("data/organizations/qwen/models/qwen3-32b/model.json",
                                           "data/organizations/qwen/models/qwen3-32b/benchmarks.json")}
    before, after, out = run_twice(live, "llm_stats", lambda: github(live, old, "2025-05-22T10:00:00Z"),
                                   lambda: github(live, new, "2025-10-22T10:00:00Z"))
    assert "deepseek-r1" in set(after["source_model_name"]), "the moved-away files' models keep their rows"
    qwen = after[after["source_model_name"].eq("qwen3-32b")]
    assert set(qwen["as_of"]) == {"2025-04-29"}, "no date in the record: the model's release, not the commit's"
    blob = f"{live.base}/github.com/JonathanChavezTamales/LLMStats/blob/{COMMIT}/data/organizations/qwen/"
    assert qwen["source_url"].str.startswith(blob).all(), "a link to the file at the commit read"
    assert live.status("llm_stats")["format"] == "data/organizations/<org>/models/<model>/{model,benchmarks}.json (from mid-2025)"


# --- OpenCompass (POST listing, CDN editions) ------------------------------------------------------------------------


def test_opencompass_live_keeps_an_edition_no_longer_listed(live):
    months = "/rank.opencompass.org.cn/gw/opencompass-be/api/v1/rank/listRankTableAvailableMonths"
    edition = gzip.compress(fx("opencompass", "llm-data-v2.25-10.json"))
    listing = json.loads(fx("opencompass", "months.json"))

    def state(entries):
        live.files = {months: json.dumps(listing | {"data": entries}).encode(),
                      "/opencompass.oss-cn-shanghai.aliyuncs.com/dev-assets/hf-research/hf-academic.json": fx("opencompass", "hf-academic.json"),
                      "/opencompass.oss-cn-shanghai.aliyuncs.com/dev-assets/hf-research/model-meta-info.json": fx("opencompass", "model-meta-info.json")}
        live.files |= {f"/cdn.opencompass.org.cn/{e['fileName']}": edition for e in entries}
    before, after, _ = run_twice(live, "opencompass", lambda: state(listing["data"][1:]), lambda: state(listing["data"][:1]))
    assert {"2025-08-15", "2025-11-20"} <= set(after["as_of"]), "the edition the listing dropped stays"


# --- Artificial Analysis (free route, paginated) -----------------------------------------------------------------------


def test_artificial_analysis_free_route_pages(live, monkeypatch):
    monkeypatch.setenv("ARTIFICIAL_ANALYSIS_API_KEY", "aa-contract-key-93c1")
    path = "/artificialanalysis.ai/api/v2/language/models/free"
    before, after, out = run_twice(
        live, "artificial_analysis",
        lambda: live.files.update({path: fx("artificial_analysis", "llms_models.json")}),  # the older single response
        lambda: live.files.update({path: fx("artificial_analysis", "language_models_free.json"),
                                   path + "?page=2": fx("artificial_analysis", "language_models_free.page2.json")}))
    assert {"o3-mini-high", "gpt-5-5-high", "deepseek-v4"} <= set(after["source_model_name"])
    index = after[after["benchmark_id"].eq("aa_intelligence_index") & after["source_model_name"].eq("deepseek-v4")]
    assert index["setting"].item() == "mode=non-reasoning;index_version=4.0", "the root's index version"
    assert live.status("artificial_analysis")["format"] == "/language/models/free: paginated, index version at the root"
    assert ("GET", path + "?page=2") in live.log


# --- Hugging Face model cards -------------------------------------------------------------------------------------------


def small_registry(cfg: Path) -> None:
    """Two registry models with cards (the real registry would make ~800 card requests)."""
    for p in (cfg / "models").glob("*.yaml"):
        p.unlink()
    shutil.rmtree(cfg / "aliases")
    (cfg / "aliases").mkdir()
    shutil.rmtree(cfg / "reported")  # its tables name registry models this small registry lacks
    (cfg / "watchlist.yaml").unlink()
    (cfg / "models" / "test.yaml").write_text(yaml.safe_dump({"models": [
        {"id": "deepseek-v3", "display_name": "DeepSeek-V3", "developer": "DeepSeek", "developer_country": "China",
         "hf_repo": "deepseek-ai/DeepSeek-V3", "looked_at": "test fixture"},
        {"id": "glm-4-9b-chat", "display_name": "GLM-4-9B-Chat", "developer": "Zhipu AI", "developer_country": "China",
         "hf_repo": "THUDM/glm-4-9b-chat", "looked_at": "test fixture"}]}))
    settings = yaml.safe_load((cfg / "settings.yaml").read_text())
    (cfg / "settings.yaml").write_text(yaml.safe_dump(settings | {"headline_benchmarks": ["hle"]}))


def test_hf_cards_live_one_broken_card_keeps_its_rows(server, tmp_path, monkeypatch):
    live = Live(server, tmp_path, monkeypatch, edit=small_registry)
    ds, glm = "deepseek-ai/DeepSeek-V3", "THUDM/glm-4-9b-chat"
    api = lambda repo: f"/hf/api/models/{repo}?{hf_cards.INFO_QUERY}"  # noqa: E731

    def state(glm_card: bytes | None):
        live.hf = {ds: {"README.md": fx("hf_cards", f"{ds}/README.md")}}
        live.files = {api(ds): fx("hf_cards", f"{ds}/eval_results.json")}
        if glm_card is not None:
            live.hf[glm] = {"README.md": glm_card}
            live.files[api(glm)] = fx("hf_cards", f"{ds}/eval_results.json")
    before, after, _ = run_twice(live, "hf_cards", lambda: state(fx("hf_cards", f"{glm}/README.md")), lambda: state(None))
    assert glm in set(before["source_model_name"]) and glm in set(after["source_model_name"]), \
        "a repo the Hub no longer serves keeps its rows"
    state(b"---\nmodel-index: [\n---\n# GLM\n")  # a card whose front matter is broken: that card only is skipped
    third = live.collect("hf_cards")
    assert third.exit_code == 0, third.output
    assert "card skipped" in live.status("hf_cards")["warnings"] and ds in set(live.scores("hf_cards")["source_model_name"])


# --- done-when: a red run that still writes what refreshed -------------------------------------------------------------


def test_epoch_failure_exits_non_zero_and_the_other_sources_are_written(live):
    zip_path = "/epoch.ai/data/benchmark_data.zip"
    aider = "/raw.githubusercontent.com/Aider-AI/aider/main/aider/website/_data/"
    live.files = {zip_path: indexed_zip()} | {aider + n: fx("aider", n) for n in AIDER}
    live.hf["lmarena-ai/leaderboard-dataset"] = arena_dataset(["2026-09-08"])
    ok = live.collect("epoch_benchmarking_hub", "lmarena", "aider")
    assert ok.exit_code == 0, ok.output
    epoch_before = (live.results / "scores.csv").read_text().count(",epoch_benchmarking_hub,")

    live.down.add(zip_path)
    live.hf["lmarena-ai/leaderboard-dataset"] = arena_dataset(["2026-09-08", "2026-09-15"])
    red = live.collect("epoch_benchmarking_hub", "lmarena", "aider")
    assert red.exit_code == 1
    said = " ".join(red.output.split())
    assert "epoch_benchmarking_hub failed and feeds live_bench, epoch_capabilities_index, gpqa_diamond, hle" in said
    assert "2026-09-15" in set(live.scores("lmarena")["as_of"]), "the sources that refreshed are written"
    assert (live.results / "scores.csv").read_text().count(",epoch_benchmarking_hub,") == epoch_before
    assert live.status("epoch_benchmarking_hub")["status"] == "failed"

    state = {p.name: p.read_bytes() for p in live.results.iterdir() if p.is_file()}
    again = live.collect("epoch_benchmarking_hub", "lmarena", "aider")
    assert again.exit_code == 1
    assert {p.name: p.read_bytes() for p in live.results.iterdir() if p.is_file()} == state, \
        "a source that keeps failing changes nothing: no commit for timestamps alone"


def test_a_stale_headline_benchmark_exits_non_zero(live):
    live.hf["lmarena-ai/leaderboard-dataset"] = arena_dataset(["2024-01-08"])
    cfg = copy.deepcopy(yaml.safe_load((live.cfg / "settings.yaml").read_text()))
    (live.cfg / "settings.yaml").write_text(yaml.safe_dump(cfg | {"stale_after_days": 90}))
    result = live.collect("lmarena")
    assert result.exit_code == 1
    assert "lmarena_text: newest data 2024-01-08 is older than 90 days" in " ".join(result.output.split())
    assert live.status("lmarena")["status"] == "ok", "stale is not failed: the rows are written"


def test_collect_ends_with_requests_and_body_bytes_per_source_in_80_columns(live):
    aider = "/raw.githubusercontent.com/Aider-AI/aider/main/aider/website/_data/"
    live.files = {aider + n: fx("aider", n) for n in AIDER}
    first = live.collect("aider", "swe_bench")
    second = live.collect("aider", "swe_bench")
    tail = second.output[second.output.index("collected:"):].splitlines()
    assert tail[0] == "collected: 1 unchanged, 1 failed; 7 requests, 0 B of response bodies", tail
    assert tail[1:3] == ["  requests (body bytes): aider 6 (0 B), swe_bench 1 (0 B)", "  swe_bench: failed"]
    assert "aider 6 (" in first.output and "0 B)" not in first.output.split("aider 6 (")[1][:5]
    assert all(len(line) <= 80 for line in first.output.splitlines() + second.output.splitlines() if "requests" in line)
