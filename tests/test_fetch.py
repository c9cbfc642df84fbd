"""Fetcher against a loopback HTTP server (127.0.0.1 only): conditional requests, retries, timeouts, caps, HF."""

from __future__ import annotations

import hashlib
import time

import pytest
from werkzeug import Request, Response

from aggregator.config import Endpoint, HFFile, Source
from aggregator.errors import FetchError
from aggregator.fetch import USER_AGENT, Fetcher, RateLimiter, make_session, user_agent


def source(**kw) -> Source:
    base = dict(id="demo", title="t", producer="p", homepage="https://example.org", license="CC-BY-4.0", citation="c")
    return Source(**(base | kw))


def fetcher(tmp_path, **kw) -> Fetcher:
    kw.setdefault("timeout", (2, 0.5))
    return Fetcher(tmp_path / "cache", session=make_session(retries=2, backoff=0), rate=RateLimiter(0), **kw)


class Upstream:
    """Serves bytes with an ETag and Last-Modified, answers 304 to a matching conditional request."""

    def __init__(self, data: bytes):
        self.data, self.bodies, self.requests = data, 0, []

    def __call__(self, req: Request) -> Response:
        self.requests.append(dict(req.headers))
        etag = '"' + hashlib.sha256(self.data).hexdigest()[:16] + '"'
        if req.headers.get("If-None-Match") == etag:
            return Response(status=304, headers={"ETag": etag})
        self.bodies += 1
        return Response(self.data, headers={"ETag": etag, "Last-Modified": "Mon, 05 Jan 2026 10:00:00 GMT"})


def test_conditional_request_returns_cached_bytes_on_304(server, tmp_path):
    up = Upstream(b"a,b\n1,2\n")
    server.expect_request("/f.csv").respond_with_handler(up)
    f = fetcher(tmp_path)
    first = f.fetch_url(source(), "f.csv", server.url_for("/f.csv"))
    second = f.fetch_url(source(), "f.csv", server.url_for("/f.csv"))
    assert (first.data, second.data) == (b"a,b\n1,2\n",) * 2
    assert not first.extra["not_modified"] and second.extra["not_modified"]
    assert up.bodies == 1 and up.requests[1]["If-None-Match"].startswith('"')
    assert up.requests[1]["If-Modified-Since"] == "Mon, 05 Jan 2026 10:00:00 GMT"
    assert up.requests[0]["User-Agent"] == USER_AGENT and "http" not in USER_AGENT  # no project URL is configured
    assert second.retrieved_at == first.retrieved_at and second.published == "2026-01-05"
    up.data = b"a,b\n1,3\n"
    third = f.fetch_url(source(), "f.csv", server.url_for("/f.csv"))
    assert third.data == b"a,b\n1,3\n" and not third.extra["not_modified"] and up.bodies == 2


def test_user_agent_cites_the_project_url_only_when_configured(server, tmp_path):
    up = Upstream(b"a\n1\n")
    server.expect_request("/f.csv").respond_with_handler(up)
    agent = user_agent("https://example.org/my-deployment")
    Fetcher(tmp_path / "c", rate=RateLimiter(0), retries=0, agent=agent).fetch_url(source(), "f.csv", server.url_for("/f.csv"))
    assert up.requests[0]["User-Agent"] == f"{USER_AGENT} (+https://example.org/my-deployment)"
    assert user_agent(None) == user_agent("") == USER_AGENT


def test_damaged_cache_is_ignored_not_trusted(server, tmp_path):
    up = Upstream(b"x\n1\n")
    server.expect_request("/f.csv").respond_with_handler(up)
    f = fetcher(tmp_path)
    f.fetch_url(source(), "f.csv", server.url_for("/f.csv"))
    body = next((tmp_path / "cache" / "demo").glob("*.bin"))
    body.write_bytes(b"x\n1")  # a cache body cut short (e.g. disk full) must not be served on a 304
    again = f.fetch_url(source(), "f.csv", server.url_for("/f.csv"))
    assert again.data == b"x\n1\n" and up.bodies == 2 and "If-None-Match" not in up.requests[1]


def test_server_error_is_retried_then_fails(server, tmp_path):
    server.expect_request("/f").respond_with_data("boom", status=500)
    with pytest.raises(FetchError, match="HTTP 500"):
        fetcher(tmp_path).fetch_url(source(), "f", server.url_for("/f"))
    assert len(server.log) == 3  # one try + two retries


def test_client_error_is_not_retried(server, tmp_path):
    server.expect_request("/f").respond_with_data("gone", status=404)
    with pytest.raises(FetchError, match="HTTP 404"):
        fetcher(tmp_path).fetch_url(source(), "f", server.url_for("/f"))
    assert len(server.log) == 1


def test_retry_after_is_honoured(server, tmp_path):
    calls = []

    def handler(req: Request) -> Response:
        calls.append(time.monotonic())
        if len(calls) == 1:
            return Response("slow down", status=503, headers={"Retry-After": "1"})
        return Response(b"ok")

    server.expect_request("/f").respond_with_handler(handler)
    assert fetcher(tmp_path).fetch_url(source(), "f", server.url_for("/f")).data == b"ok"
    assert calls[1] - calls[0] >= 0.9


def test_timeout_fails_cleanly(server, tmp_path):
    def slow(req: Request) -> Response:
        time.sleep(1.0)
        return Response(b"late")

    server.expect_request("/f").respond_with_handler(slow)
    f = Fetcher(tmp_path / "c", session=make_session(retries=0), rate=RateLimiter(0), timeout=(1, 0.2))
    with pytest.raises(FetchError, match="(?i)timeout|timed out"):
        f.fetch_url(source(), "f", server.url_for("/f"))


def test_truncated_download_fails(server, tmp_path):
    def cut(req: Request) -> Response:
        r = Response(b"a,b\n1,2\n")
        r.headers["Content-Length"] = "100"
        return r

    server.expect_request("/f").respond_with_handler(cut)
    with pytest.raises(FetchError):
        Fetcher(tmp_path / "c", session=make_session(retries=0), rate=RateLimiter(0), timeout=(1, 0.5)).fetch_url(
            source(), "f", server.url_for("/f"))


def test_size_cap(server, tmp_path):
    server.expect_request("/f").respond_with_data(b"x" * 5000)
    with pytest.raises(FetchError, match="over the cap of 1000"):
        fetcher(tmp_path).fetch_url(source(max_bytes=1000), "f", server.url_for("/f"))


def test_connection_refused(tmp_path):
    with pytest.raises(FetchError, match="ConnectionError"):
        Fetcher(tmp_path / "c", session=make_session(retries=0), rate=RateLimiter(0)).fetch_url(
            source(), "f", "http://127.0.0.1:9/f")


def test_rate_limit_spaces_requests_per_host():
    rate, stamps = RateLimiter(0.1), []
    for _ in range(3):
        rate.wait("127.0.0.1:1")
        stamps.append(time.monotonic())
    rate.wait("127.0.0.1:2")  # another host is not held back
    assert stamps[2] - stamps[0] >= 0.19 and time.monotonic() - stamps[2] < 0.09


# --- Hugging Face through HF_ENDPOINT on the loopback server ------------------------------------------------


class Hub:
    """The two calls hf_hub_download makes: HEAD (commit, etag, size) and GET of /<type>s/<repo>/resolve/<rev>/<file>."""

    def __init__(self, data: bytes, commit: str):
        self.data, self.commit, self.gets = data, commit, 0

    def __call__(self, req: Request) -> Response:
        etag = '"' + hashlib.sha256(self.data).hexdigest() + '"'
        headers = {"X-Repo-Commit": self.commit, "X-Linked-Etag": etag, "X-Linked-Size": str(len(self.data))}
        if req.method == "HEAD":
            return Response(b"", headers=headers)
        self.gets += 1
        return Response(self.data, headers=headers)


def test_hf_file_is_pinned_to_its_commit_and_not_downloaded_again(server, tmp_path, monkeypatch):
    monkeypatch.setenv("HF_ENDPOINT", server.url_for("").rstrip("/"))
    hub = Hub(b"PAR1-not-really", "a" * 40)
    server.expect_request("/datasets/org/board/resolve/main/text/latest.parquet").respond_with_handler(hub)
    server.expect_request(f"/datasets/org/board/resolve/{'a' * 40}/text/latest.parquet").respond_with_handler(hub)
    server.expect_request(f"/datasets/org/board/resolve/{'b' * 40}/text/latest.parquet").respond_with_handler(hub)
    ep = Endpoint(name="text/latest.parquet", hf=HFFile(repo_id="org/board", filename="text/latest.parquet"))
    f = fetcher(tmp_path)
    first = f.fetch_hf(source(), ep)
    second = f.fetch_hf(source(), ep)
    assert first.data == second.data == b"PAR1-not-really"
    assert hub.gets == 1 and second.extra["not_modified"] and not first.extra["not_modified"]
    assert first.url.endswith(f"/datasets/org/board/resolve/{'a' * 40}/text/latest.parquet")
    hub.data, hub.commit = b"PAR1-new-version", "b" * 40
    third = f.fetch_hf(source(), ep)
    assert third.data == b"PAR1-new-version" and not third.extra["not_modified"] and third.extra["revision"] == "b" * 40
    with pytest.raises(FetchError, match="over the cap"):
        fetcher(tmp_path / "other").fetch_hf(source(max_bytes=5), ep)


def test_host_limits_are_sliding_windows_per_path_and_token(monkeypatch):
    from aggregator.config import Host, RequestLimit

    hub = Host(host="hub.test", token_env="HUB_TOKEN", documented="https://hub.test/limits", quote="3 a second",
               limits=[RequestLimit(path_contains="/resolve/", requests=5, per_seconds=0.3),
                       RequestLimit(requests=3, anonymous=2, per_seconds=0.3)])
    rate = RateLimiter(5.0, {"hub.test": hub, "*": Host(host="*", interval_seconds=0.2)})

    def took(path: str, n: int, host: str = "hub.test") -> float:
        start = time.monotonic()
        for _ in range(n):
            rate.wait(host, path)
        return time.monotonic() - start

    assert took("/api/x", 2) < 0.1, "a window allows a burst up to its limit"
    assert took("/api/x", 1) >= 0.25, "without the token the third request waits for the window"
    assert took("/org/r/resolve/main/f", 5) < 0.1, "another path's limit is counted apart"
    monkeypatch.setenv("HUB_TOKEN", "t")
    time.sleep(0.31)
    assert took("/api/x", 3) < 0.1, "with the token, the documented limit"
    assert 0.35 <= took("/", 3, "other.test") < 0.6, "a host that documents nothing: the '*' interval"
