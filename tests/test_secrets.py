"""Tokens come from the environment only and never reach logs, errors, the cache or results/.

A loopback server (127.0.0.1 only) answers or fails with every token it was sent echoed back in its body and
headers; collection runs against it, then every output is searched for the tokens."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from aggregator.collect import collect
from aggregator.config import Endpoint, load_configs
from aggregator.fetch import SECRET_ENV, Fetcher, RateLimiter, redact

TOKENS = {
    "HF_TOKEN": "hf_FAKEtokenQ7ZxW3vKp9Lm2Rt",
    "ARTIFICIAL_ANALYSIS_API_KEY": "aa-FAKE-key-8JdN4sXq1Vb6",
    "LLM_STATS_API_KEY": "ls-FAKE-key-3HyT9wPe5Uc0",
}
AA_BODY = (FIXTURES / "artificial_analysis" / "llms_models.json").read_bytes()


@pytest.fixture
def server():
    srv = HTTPServer(host="127.0.0.1", port=0)  # why: loopback only, never any other address
    srv.start()
    yield srv
    srv.clear()
    if srv.is_running():
        srv.stop()


def _echo(status: int):
    """A handler that puts everything the client sent (headers included, so any token) in its body and headers."""

    def handle(request: Request) -> Response:
        sent = " ".join(f"{k}={v}" for k, v in request.headers.items()) + " " + " ".join(TOKENS.values())
        if status == 200:
            doc = json.loads(AA_BODY)
            doc["echo"] = sent
            body = json.dumps(doc)
        else:
            body = f"error: invalid credentials {sent}"
        headers = {"X-Echo": sent.replace("\n", " ")[:2000], "ETag": f'"{TOKENS["ARTIFICIAL_ANALYSIS_API_KEY"]}"',
                   "Last-Modified": TOKENS["HF_TOKEN"], "WWW-Authenticate": f'Bearer realm="{TOKENS["HF_TOKEN"]}"'}
        return Response(body, status=status, headers=headers, content_type="application/json")

    return handle


def _outputs(*folders: Path) -> dict[str, str]:
    """Every file under the folders: its path and its text (bytes decoded leniently)."""
    out = {}
    for folder in folders:
        for p in folder.rglob("*"):
            out[f"path {p}"] = str(p)
            if p.is_file():
                out[str(p)] = p.read_bytes().decode("utf-8", errors="replace")
    return out


def _assert_clean(texts: dict[str, str]) -> None:
    for where, text in texts.items():
        for var, token in TOKENS.items():
            assert token not in text, f"{var} leaked into {where}"


@pytest.mark.parametrize("status", [200, 401, 500])
def test_tokens_never_leak(server, status, tmp_path, monkeypatch, capsys, caplog):
    for var, token in TOKENS.items():
        monkeypatch.setenv(var, token)
    monkeypatch.setenv("HF_ENDPOINT", server.url_for("").rstrip("/"))
    monkeypatch.setenv("HF_HUB_DISABLE_TELEMETRY", "1")
    monkeypatch.setenv("HF_HUB_ETAG_TIMEOUT", "5")
    server.expect_request("/api/v2/data/llms/models").respond_with_handler(_echo(status))
    server.expect_request("/api/models/deepseek-ai/DeepSeek-V3").respond_with_handler(_echo(status))
    server.expect_request(re.compile(".*")).respond_with_handler(_echo(401))  # the Hub's README requests

    cfg = load_configs(ROOT / "configs")
    aa = cfg.sources["artificial_analysis"]
    cfg.sources["artificial_analysis"] = aa.model_copy(update={"endpoints": [
        Endpoint(name="llms_models.json", url=server.url_for("/api/v2/data/llms/models"))]})
    hf_models = [m for m in cfg.models.values() if m.hf_repo][:2]
    cfg.models = {m.id: m for m in cfg.models.values() if not m.hf_repo or m in hf_models}

    results, cache = tmp_path / "results", tmp_path / "cache"
    lines: list[str] = []
    fetcher = Fetcher(cache, None, rate=RateLimiter(0), retries=0, backoff=0)
    caplog.set_level(logging.INFO)  # what a user can see; DEBUG is http libraries tracing
    outcomes = collect(cfg, ["artificial_analysis", "hf_cards"], results, cache, None, log=lines.append,
                       fetcher=fetcher, workers=1)

    assert server.log, "the collectors reached the loopback server"  # why: a test that never sent a token is vacuous
    sent = " ".join(str(req.headers) for req, _ in server.log)
    assert TOKENS["ARTIFICIAL_ANALYSIS_API_KEY"] in sent, "the AA key is sent, in a header"
    assert all(TOKENS["ARTIFICIAL_ANALYSIS_API_KEY"] not in req.url for req, _ in server.log), "never in a URL"
    if status == 200:
        assert outcomes[0].status == "updated", outcomes[0].message
    else:
        assert outcomes[0].status == "failed" and f"HTTP {status}" in outcomes[0].message
    captured = capsys.readouterr()
    texts = {"stdout": captured.out, "stderr": captured.err, "log": "\n".join(lines), "logging": caplog.text,
             "outcomes": repr(outcomes)} | _outputs(results, cache)
    _assert_clean(texts)


def test_redact_covers_every_token(monkeypatch):
    for var, token in TOKENS.items():
        monkeypatch.setenv(var, token)
    assert set(TOKENS) <= set(SECRET_ENV), "every token the project reads is redacted"
    assert redact("x " + " ".join(TOKENS.values())) == "x " + " ".join(["***"] * len(TOKENS))


def test_tokens_only_from_the_environment():
    """No token in configs/ or in the package: the only way in is the environment."""
    cfg = load_configs(ROOT / "configs")
    assert {s.api_key_env for s in cfg.sources.values() if s.api_key_env} <= set(SECRET_ENV)
    for p in list((ROOT / "aggregator").rglob("*.py")) + list((ROOT / "configs").rglob("*.yaml")):
        text = p.read_text(encoding="utf-8")
        assert "hf_" + "FAKE" not in text and "x-api-key: " not in text.casefold(), p
