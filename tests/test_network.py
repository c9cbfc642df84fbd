"""Real fetch paths of real sources against a loopback server only (127.0.0.1): OpenCompass (POST, GET, gzip,
304, retry, truncation), the llm-stats GitHub path, Artificial Analysis (the key stays secret), and Hugging Face
through huggingface_hub with HF_ENDPOINT pointed at the loopback server (LMArena via collect, model cards)."""

from __future__ import annotations

import copy
import gzip
import hashlib
import io
import json
import re
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from conftest import FIXTURES
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from aggregator.collect import collect
from aggregator.collectors import hf_cards, llm_stats
from aggregator.collectors import opencompass as oc
from aggregator.config import Endpoint
from aggregator.errors import FetchError
from aggregator.fetch import Fetcher, RateLimiter, make_session
from aggregator.store import read_scores

COMMIT = "0123456789abcdef0123456789abcdef01234567"
MONTHS_PATH = "/gw/opencompass-be/api/v1/rank/listRankTableAvailableMonths"
EDITION = (FIXTURES / "opencompass" / "llm-data-v2.25-10.json").read_bytes()


@pytest.fixture
def fresh_configs(configs):
    """The session's Configs with a private sources table: tests below repoint sources at the loopback server."""
    c = copy.copy(configs)
    c.sources = dict(configs.sources)
    return c


def _fetcher(tmp_path: Path) -> Fetcher:
    return Fetcher(tmp_path / "cache", session=make_session(retries=2, backoff=0), rate=RateLimiter(0), timeout=(2, 2))


def _etagged(data: bytes, **headers: str):
    """A handler serving `data` with an ETag, 304 to a matching If-None-Match; records what it saw."""
    seen: list[dict[str, str]] = []
    etag = '"' + hashlib.sha256(data).hexdigest()[:16] + '"'

    def handler(req: Request) -> Response:
        seen.append(dict(req.headers))
        if req.headers.get("If-None-Match") == etag:
            return Response(status=304, headers={"ETag": etag})
        return Response(data, headers={"ETag": etag, **headers})

    handler.seen = seen
    return handler


# --- OpenCompass: POST listing, gzip edition files, academic board ---------------------------------------------


def _opencompass(server: HTTPServer, configs, monkeypatch):
    monkeypatch.setattr(oc, "CDN_BASE", server.url_for("/cdn/"))
    months = {"msgCode": "10000", "msg": "ok", "data": [
        {"fileName": "assets/llm-rank/a.json", "updateTime": "2025-11-20", "month": "25-10"},
        {"fileName": "assets/llm-rank/b.json", "updateTime": "2025-08-15", "month": "25-07"}]}
    server.expect_request(MONTHS_PATH, method="POST", json={"rankingType": 0, "benchmarkType": 1}).respond_with_json(months)
    plain_gz = _etagged(gzip.compress(EDITION), **{"Content-Type": "application/octet-stream"})
    server.expect_request("/cdn/assets/llm-rank/a.json", method="GET").respond_with_handler(plain_gz)
    server.expect_request("/cdn/assets/llm-rank/b.json", method="GET").respond_with_data(
        gzip.compress(EDITION), headers={"Content-Encoding": "gzip"}, content_type="application/json")
    server.expect_request("/academic.json").respond_with_data((FIXTURES / "opencompass" / oc.ACADEMIC).read_bytes())
    server.expect_request("/meta.json").respond_with_data((FIXTURES / "opencompass" / oc.META).read_bytes())
    eps = [{"name": oc.MONTHS, "url": server.url_for(MONTHS_PATH), "method": "POST",
            "json_body": {"rankingType": 0, "benchmarkType": 1}},
           {"name": oc.ACADEMIC, "url": server.url_for("/academic.json")},
           {"name": oc.META, "url": server.url_for("/meta.json")}]
    return configs.sources["opencompass"].model_copy(update={"endpoints": [Endpoint(**e) for e in eps],
                                                             "urls": {"cdn": server.url_for("/cdn/")}}), plain_gz


def test_opencompass_post_get_gzip_and_304(server, fresh_configs, monkeypatch, tmp_path):
    source, edition_a = _opencompass(server, fresh_configs, monkeypatch)
    fetcher = _fetcher(tmp_path)
    files = oc.fetch(fetcher, source, fresh_configs)
    assert [f.name for f in files] == [oc.MONTHS, "assets/llm-rank/a.json", "assets/llm-rank/b.json", oc.ACADEMIC, oc.META]
    assert files[1].data.startswith(b"\x1f\x8b"), "a gzip file sent as bytes arrives compressed"
    assert files[2].data.startswith(b"{"), "Content-Encoding: gzip is undone by the HTTP client"
    df = oc.parse(files)
    overall = df[df["benchmark_key"].eq("OverallTable:Average")].set_index("setting")
    assert overall.loc["edition=25-10", "score"].tolist() == [pytest.approx(81.2), pytest.approx(80.5)]
    assert overall.loc["edition=25-07", "as_of"].unique().tolist() == ["2025-08-15"]
    again = oc.fetch(fetcher, source, fresh_configs)
    assert again[1].extra["not_modified"] and again[1].data == files[1].data, "304: bytes from the cache"
    assert edition_a.seen[1].get("If-None-Match"), "the re-request was conditional"


def test_opencompass_server_error_is_retried(server, fresh_configs, monkeypatch, tmp_path):
    source, _ = _opencompass(server, fresh_configs, monkeypatch)
    server.expect_oneshot_request("/academic.json").respond_with_data("busy", status=500)  # oneshot is matched first
    files = oc.fetch(_fetcher(tmp_path), source, fresh_configs)
    assert json.loads(files[3].data)["GPQA_diamond"]["metric"] == "accuracy"
    assert [r.path for r, _ in server.log].count("/academic.json") == 2, "one 500, then the retry's 200"


def test_opencompass_truncated_edition_fails(server, fresh_configs, monkeypatch, tmp_path):
    source, _ = _opencompass(server, fresh_configs, monkeypatch)
    server.clear()  # the same endpoints, now answered by a server that cuts the edition file short
    server.expect_request(MONTHS_PATH, method="POST").respond_with_json(
        {"data": [{"fileName": "assets/llm-rank/a.json", "updateTime": "2025-11-20", "month": "25-10"}]})
    body = gzip.compress(EDITION)
    server.expect_request("/cdn/assets/llm-rank/a.json").respond_with_handler(
        lambda req: Response(iter([body[:50]]), headers={"Content-Length": str(len(body))}))
    with pytest.raises(FetchError, match="assets/llm-rank/a.json"):
        oc.fetch(_fetcher(tmp_path), source, fresh_configs)


# --- llm-stats: GitHub commit, tree, raw files ----------------------------------------------------------------


def test_llm_stats_github_tree_path(server, monkeypatch, tmp_path):
    monkeypatch.setenv("GITHUB_TOKEN", "ghp-test-token-0042")
    urls = {"api": server.url_for("/repos/o/r"), "raw": server.url_for("/raw/o/r"),
            "blob": "https://github.com/JonathanChavezTamales/LLMStats/blob"}
    paths = ["models/deepseek/deepseek-r1/model.json", "data/organizations/qwen/models/qwen3-32b/model.json",
             "data/organizations/qwen/models/qwen3-32b/benchmarks.json"]
    server.expect_request("/repos/o/r/commits/main").respond_with_json(
        {"sha": COMMIT, "commit": {"committer": {"date": "2025-10-22T08:00:00Z"}}})
    tree = [{"path": p, "type": "blob"} for p in paths] + [{"path": "README.md", "type": "blob"}, {"path": "models", "type": "tree"}]
    server.expect_request(f"/repos/o/r/git/trees/{COMMIT}", query_string="recursive=1").respond_with_json(
        {"sha": "t", "tree": tree, "truncated": False})
    for p in paths:
        server.expect_request(f"/raw/o/r/{COMMIT}/{p}").respond_with_data((FIXTURES / "llm_stats" / p).read_bytes())
    files = llm_stats.fetch(_fetcher(tmp_path), SimpleNamespace(id="llm_stats", license="CC-BY-4.0", max_bytes=10**6,
                                                                 urls=urls), None)
    assert sorted(f.name for f in files) == sorted(paths)
    assert files[0].url.startswith(f"https://github.com/JonathanChavezTamales/LLMStats/blob/{COMMIT}/")
    df = llm_stats.parse(files)
    assert len(df) == 5 + 3
    assert df.loc[df["benchmark_key"].eq("CNMO 2024"), "as_of"].item() == "2025-01-20", "no date: the model's release"
    api = [r for r, _ in server.log if r.path.startswith("/repos/")]
    assert len(api) == 2 and all(r.headers.get("Authorization") == "Bearer ghp-test-token-0042" for r in api)
    assert not any("Authorization" in r.headers for r, _ in server.log if r.path.startswith("/raw/"))


# --- Artificial Analysis: the key goes in a header and nowhere else ------------------------------------------


def test_artificial_analysis_key_never_leaks(server, fresh_configs, monkeypatch, tmp_path):
    key = "aa-test-key-7f3c9e1b5d"
    monkeypatch.setenv("ARTIFICIAL_ANALYSIS_API_KEY", key)
    payload = (FIXTURES / "artificial_analysis" / "llms_models.json").read_bytes()
    seen = []

    def handler(req: Request) -> Response:
        seen.append(req.headers.get("x-api-key"))
        if req.headers.get("x-api-key") != key:
            return Response('{"error": "API key is required"}', status=401)
        return Response(payload, content_type="application/json")

    server.expect_request("/api/v2/data/llms/models").respond_with_handler(handler)
    src = fresh_configs.sources["artificial_analysis"]
    ep = src.endpoints[0].model_copy(update={"url": server.url_for("/api/v2/data/llms/models")})
    fresh_configs.sources["artificial_analysis"] = src.model_copy(update={"endpoints": [ep]})
    logs: list[str] = []
    out = collect(fresh_configs, ["artificial_analysis"], tmp_path / "results", tmp_path / "cache", log=logs.append,
                  fetcher=_fetcher(tmp_path))[0]
    assert out.status == "updated", out.message
    assert seen == [key] and "?" not in ep.url, "the key travels in the x-api-key header only"
    scores = read_scores(tmp_path / "results" / "scores.csv")
    assert scores.loc[scores["benchmark_id"].eq("gpqa_diamond") & scores["source_model_name"].eq("o3-mini-high"), "score"].item() == pytest.approx(74.8)
    monkeypatch.setenv("ARTIFICIAL_ANALYSIS_API_KEY", key[::-1])  # now the server refuses: the error must not echo either key
    failed = collect(fresh_configs, ["artificial_analysis"], tmp_path / "results", tmp_path / "cache2", log=logs.append,
                     fetcher=_fetcher(tmp_path / "f2"))[0]
    assert failed.status == "failed" and "401" in failed.message
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert any(p.suffix == ".json" and "cache" in p.parts for p in files), "the cache metadata was written"
    for p in files:
        data = p.read_bytes()
        assert key.encode() not in data and key[::-1].encode() not in data, f"key found in {p}"
    assert not any(key in m or key[::-1] in m for m in logs + [failed.message])


# --- Hugging Face through huggingface_hub -------------------------------------------------------------------


def _hub(data_for):
    """A minimal Hub 'resolve' endpoint: HEAD and GET with X-Repo-Commit and ETag, any revision."""

    def handler(req: Request) -> Response:
        data = data_for(req.path)
        if data is None:
            return Response(status=404, headers={"X-Error-Code": "EntryNotFound", "X-Repo-Commit": COMMIT})
        etag = '"' + hashlib.sha1(data).hexdigest() + '"'
        # werkzeug drops the body of a HEAD response but keeps its Content-Length, which the client reads as the size
        return Response(data, headers={"X-Repo-Commit": COMMIT, "ETag": etag})

    return handler


def _arena_parquet(publish: str) -> bytes:
    df = pd.DataFrame({
        "model_name": ["deepseek-v3", "gpt-4o-2024-05-13"], "organization": ["DeepSeek", "OpenAI"],
        "rating": [1318.2, 1285.7], "rating_lower": [1314.0, 1282.1], "rating_upper": [1322.5, 1289.0],
        "category": ["overall", "overall"], "leaderboard_publish_date": [publish, publish],
    })
    buf = io.BytesIO()
    df.to_parquet(buf, index=False)
    return buf.getvalue()


def test_lmarena_collect_through_huggingface_hub(server, fresh_configs, monkeypatch, tmp_path):
    monkeypatch.setenv("HF_ENDPOINT", server.url_for("").rstrip("/"))
    parquet = _arena_parquet("2025-06-23")
    server.expect_request("/api/datasets/lmarena-ai/leaderboard-dataset/revision/main").respond_with_json(
        {"id": "lmarena-ai/leaderboard-dataset", "sha": COMMIT, "siblings": [
            {"rfilename": p} for p in ("README.md", "text/latest-00000-of-00001.parquet",
                                       "text_style_control/latest-00000-of-00001.parquet")]})
    server.expect_request(re.compile(r"^/datasets/lmarena-ai/leaderboard-dataset/resolve/[^/]+/.+\.parquet$")).respond_with_handler(
        _hub(lambda path: parquet))
    out = collect(fresh_configs, ["lmarena"], tmp_path / "results", tmp_path / "cache", log=lambda m: None,
                  fetcher=_fetcher(tmp_path))[0]
    assert out.status == "updated", out.message
    scores = read_scores(tmp_path / "results" / "scores.csv")
    text = scores[scores["benchmark_id"].eq("lmarena_text")]
    assert set(text["setting"]) == {"category=overall;style_control=off", "category=overall;style_control=on"}
    v3 = text[text["source_model_name"].eq("deepseek-v3")]
    assert v3["score"].tolist() == [pytest.approx(1318.2)] * 2 and set(v3["as_of"]) == {"2025-06-23"}
    assert v3["source_url"].str.contains(f"/resolve/{COMMIT}/").all(), "pinned to the commit the Hub reported"
    methods = {(r.method, r.path.split("/resolve/")[1].split("/")[0]) for r, _ in server.log if "/resolve/" in r.path}
    assert methods <= {("HEAD", COMMIT), ("GET", COMMIT)}, "every file is read at the commit the file list came from"


def test_hf_cards_fetch_readme_and_eval_results(server, monkeypatch, tmp_path):
    monkeypatch.setenv("HF_ENDPOINT", server.url_for("").rstrip("/"))
    readme = (FIXTURES / "hf_cards" / "deepseek-ai" / "DeepSeek-V3" / "README.md").read_bytes()
    server.expect_request(re.compile(r"^/deepseek-ai/DeepSeek-V3/resolve/[^/]+/README\.md$")).respond_with_handler(_hub(lambda p: readme))
    server.expect_request(re.compile(r"^/nobody/missing/resolve/.*")).respond_with_handler(_hub(lambda p: None))
    server.expect_request("/api/models/deepseek-ai/DeepSeek-V3", query_string=hf_cards.INFO_QUERY).respond_with_data(
        (FIXTURES / "hf_cards" / "deepseek-ai" / "DeepSeek-V3" / "eval_results.json").read_bytes())
    configs = SimpleNamespace(models={"a": SimpleNamespace(hf_repo="deepseek-ai/DeepSeek-V3"), "b": SimpleNamespace(hf_repo=None),
                                      "c": SimpleNamespace(hf_repo="nobody/missing")})
    source = SimpleNamespace(id="hf_cards", license="per repo", max_bytes=10**6)
    files = hf_cards.fetch(_fetcher(tmp_path), source, configs)
    assert [f.name for f in files] == ["deepseek-ai/DeepSeek-V3/README.md", "deepseek-ai/DeepSeek-V3/eval_results.json"], \
        "a repo without a card is skipped with a warning"
    df = hf_cards.parse(files)
    assert len(df) == 4 + 2
    assert df.loc[df["benchmark_key"].eq("cais/hle:default"), "score"].item() == pytest.approx(4.1)
    assert hf_cards.hardware_mentions(files)["quote"].str.contains("H800").any()
    configs.models = {"c": SimpleNamespace(hf_repo="nobody/missing")}
    with pytest.raises(FetchError, match="every repo failed"):
        hf_cards.fetch(_fetcher(tmp_path / "other"), source, configs)


def test_hf_cards_one_request_per_repo_and_the_card_only_when_its_commit_moved(server, monkeypatch, tmp_path):
    monkeypatch.setenv("HF_ENDPOINT", server.url_for("").rstrip("/"))
    repo, first, second = "deepseek-ai/DeepSeek-V3", "a" * 40, "b" * 40
    readme = (FIXTURES / "hf_cards" / repo / "README.md").read_bytes()
    evals = json.loads((FIXTURES / "hf_cards" / repo / "eval_results.json").read_bytes())
    state = {"sha": first}
    cards: list[str] = []

    def info(req: Request) -> Response:
        return _etagged(json.dumps(evals | {"sha": state["sha"]}).encode())(req)

    def card(req: Request) -> Response:
        cards.append(req.path)
        return Response(readme)

    server.expect_request(f"/api/models/{repo}", query_string=hf_cards.INFO_QUERY).respond_with_handler(info)
    server.expect_request(re.compile(rf"^/{repo}/resolve/[0-9a-f]{{40}}/README\.md$"), method="GET").respond_with_handler(card)
    configs = SimpleNamespace(models={"a": SimpleNamespace(hf_repo=repo)})
    source = SimpleNamespace(id="hf_cards", license="per repo", max_bytes=10**6)
    fetcher = _fetcher(tmp_path)
    runs = []
    for sha in (first, first, second):
        state["sha"] = sha
        with fetcher.budget(30) as tally:
            files = hf_cards.fetch(fetcher, source, configs)
        runs.append((tally.requests, tally.body_bytes > 0, files[0].url.split("/resolve/")[1]))
    assert runs == [(2, True, f"{first}/README.md"), (1, False, f"{first}/README.md"), (2, True, f"{second}/README.md")]
    assert cards == [f"/{repo}/resolve/{first}/README.md", f"/{repo}/resolve/{second}/README.md"]
    assert len(hf_cards.parse(files)) == 6, "the model-index rows and the eval results, as before"
