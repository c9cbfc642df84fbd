"""I/O for collectors: HTTP with retries and a cache, Hugging Face files, or a local mirror directory.

Every file a collector sees is a `RawFile`: its bytes plus provenance (where it came from, when, its sha256).
The cache lives in a git-ignored folder, one metadata JSON beside each downloaded file.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import json
import os
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import MaxRetryError
from urllib3.util.retry import Retry

from . import __version__
from .config import Endpoint, HFRepo, Host, MirrorGroup, Source
from .errors import FetchError
from .store import atomic_write_bytes

USER_AGENT = f"domestic-compute-aggregator/{__version__}"
COMMIT = re.compile(r"[0-9a-f]{40}")  # a git commit id: a revision whose files never change
TIMEOUT = (10, 60)  # (connect, read) seconds, on every request
DEADLINE = 900  # seconds one download may take in all (a server trickling bytes cannot hold a refresh)
MAX_RETRY_AFTER = 120  # seconds: a longer Retry-After is capped, not obeyed blindly
SECRET_ENV = ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "ARTIFICIAL_ANALYSIS_API_KEY", "LLM_STATS_API_KEY", "GITHUB_TOKEN")


@dataclass(frozen=True)
class RawFile:
    """One upstream file as the parser receives it."""

    name: str  # logical name: endpoint name, or path relative to the source's mirror folder
    data: bytes
    url: str  # where a reader can find this file upstream
    retrieved_at: str  # ISO date the bytes were obtained (mirror: the snapshot date)
    published: str | None = None  # upstream's own date for the file, when known (Last-Modified, snapshot date)
    sha256: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, name: str, data: bytes, url: str, retrieved_at: str, published: str | None = None, **extra: Any) -> RawFile:
        return cls(name, data, url, retrieved_at, published, hashlib.sha256(data).hexdigest(), extra)


def redact(text: str) -> str:
    """Remove any secret from the environment that slipped into a message."""
    for value in secret_values():
        text = text.replace(value, "***")
    return text


def secret_values() -> list[str]:
    """The secrets set in the environment (what redact removes)."""
    return [v for var in SECRET_ENV if (v := os.environ.get(var)) and len(v) >= 6]


def forget(files: list[RawFile]) -> None:
    """Drop the cached downloads of these files (one echoed a secret in a form redact_bytes cannot see, e.g.
    compressed): the next run fetches them again instead of keeping the secret on disk."""
    for f in files:
        for p in f.extra.get("cached", []):
            Path(p).unlink(missing_ok=True)


def redact_bytes(data: bytes) -> bytes:
    """Remove any secret from the environment that a server echoed into a response body."""
    for value in secret_values():
        data = data.replace(value.encode(), b"***")
    return data


_budget = threading.local()  # the fetch deadline of the source this thread collects (Fetcher.budget)


def _left() -> float:
    """Seconds left in this thread's source budget (inf outside one)."""
    deadline = getattr(_budget, "deadline", None)
    return float("inf") if deadline is None else deadline - time.monotonic()


class _Retry(Retry):
    """urllib3 Retry whose Retry-After wait is capped at MAX_RETRY_AFTER seconds, and that stops retrying, and
    waiting to retry, once the source's time budget is spent (timeouts x retries would otherwise add up)."""

    def parse_retry_after(self, retry_after: str) -> float:
        return max(0.0, min(super().parse_retry_after(retry_after), MAX_RETRY_AFTER, _left()))

    def get_backoff_time(self) -> float:
        return max(0.0, min(super().get_backoff_time(), _left()))

    def increment(self, method=None, url=None, response=None, error=None, _pool=None, _stacktrace=None):
        new = super().increment(method, url, response, error, _pool, _stacktrace)
        if _left() <= 0:
            raise MaxRetryError(_pool, url, TimeoutError(f"time budget of {_budget.seconds:g} s spent"))
        return new


def user_agent(project_url: str | None = None) -> str:
    """The User-Agent: the tool and its version, plus the deployer's project URL when one is configured."""
    return f"{USER_AGENT} (+{project_url})" if project_url else USER_AGENT


def make_session(retries: int = 4, backoff: float = 1.0, agent: str = USER_AGENT) -> requests.Session:
    """A polite session: User-Agent, retries with exponential backoff and jitter, Retry-After honoured (capped)."""
    s = requests.Session()
    retry = _Retry(
        total=retries,
        backoff_factor=backoff,
        backoff_jitter=0.5,
        status_forcelist=(429, 500, 502, 503, 504),
        allowed_methods=frozenset({"GET", "HEAD", "POST"}),
        respect_retry_after_header=True,
        raise_on_status=False,
    )
    adapter = HTTPAdapter(max_retries=retry)
    s.mount("http://", adapter)
    s.mount("https://", adapter)
    s.headers["User-Agent"] = agent
    return s


class RateLimiter:
    """Requests to a host spaced and counted as the host documents (sources.yaml `hosts`): at most N requests in any
    window of the limit's length (a sliding window, never more than the host's fixed windows allow), at least the
    host's interval apart. Hosts not listed get the `*` entry, or `interval` when there is none."""

    def __init__(self, interval: float = 0.5, hosts: dict[str, Host] | None = None):
        self.interval = interval
        self.hosts = {k.casefold(): v for k, v in (hosts or {}).items()}
        self._next: dict[str, float] = {}
        self._sent: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def _rules(self, host: str, path: str) -> tuple[float, tuple[str, int, float] | None]:
        """The host's interval and the window limit its path falls under: (bucket, requests, seconds) or None."""
        h = self.hosts.get(host.casefold(), self.hosts.get("*"))
        if h is None:
            return self.interval, None
        lim = next((x for x in h.limits if x.path_contains and x.path_contains in path), None) or \
            next((x for x in h.limits if not x.path_contains), None)
        if lim is None:
            return h.interval_seconds, None
        token = bool(h.token_env and os.environ.get(h.token_env))
        n = lim.requests if token or lim.anonymous is None else lim.anonymous
        return h.interval_seconds, (lim.path_contains, n, lim.per_seconds)

    def wait(self, host: str, path: str = "/") -> None:
        interval, window = self._rules(host, path)
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next.get(host, now))
            if window is not None:
                sent = self._sent.setdefault((host, window[0]), deque())
                while sent and sent[0] <= start - window[2]:
                    sent.popleft()
                if len(sent) >= window[1]:  # the window is full: wait until its oldest request leaves it
                    start = max(start, sent[-window[1]] + window[2])
                sent.append(start)
            self._next[host] = start + interval
        if start > now:
            time.sleep(start - now)


@dataclass
class Tally:
    """What one source's fetch cost: HTTP requests made (a retried request counts once) and response body bytes."""

    requests: int = 0
    body_bytes: int = 0


def hf_endpoint() -> str:
    """The Hugging Face Hub's base URL: HF_ENDPOINT when set (as huggingface_hub reads it), else huggingface.co."""
    return (os.environ.get("HF_ENDPOINT") or "https://huggingface.co").rstrip("/")


def _first_line(exc: BaseException) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0][:300]


def _http_date(value: str | None) -> str | None:
    """An HTTP date (Last-Modified) -> 'YYYY-MM-DD'; None when absent or unreadable."""
    try:
        return email.utils.parsedate_to_datetime(value).date().isoformat() if value else None
    except (TypeError, ValueError):
        return None


def _today() -> str:
    return dt.datetime.now(dt.UTC).date().isoformat()


class Fetcher:
    """Gets a source's files from the live endpoints (with a cache) or from a mirror directory."""

    def __init__(self, cache_dir: Path, mirror: Path | None = None, session: requests.Session | None = None,
                 rate: RateLimiter | None = None, timeout: tuple[float, float] = TIMEOUT, deadline: float = DEADLINE,
                 retries: int = 4, backoff: float = 1.0, agent: str = USER_AGENT):
        self.cache_dir = cache_dir
        self.agent = agent
        self.mirror = mirror
        self._session = session
        self._local = threading.local()
        self.rate = rate or RateLimiter()
        self.timeout = timeout
        self.deadline = deadline
        self.retries, self.backoff = retries, backoff

    @property
    def session(self) -> requests.Session:
        """The given session, else one per thread (sources are fetched concurrently; Session is not thread-safe)."""
        if self._session is not None:
            return self._session
        if not hasattr(self._local, "session"):
            self._local.session = make_session(self.retries, self.backoff, self.agent)
        return self._local.session

    @contextmanager
    def budget(self, seconds: float) -> Iterator[Tally]:
        """Within this block (one source's fetch, in this thread), requests stop once `seconds` have passed: each
        request's timeouts are capped by what is left and no retry starts after it (FetchError naming the budget).
        Yields the block's Tally: the requests made and the response body bytes received in it."""
        _budget.deadline, _budget.seconds, _budget.tally = time.monotonic() + seconds, seconds, Tally()
        try:
            yield _budget.tally
        finally:
            _budget.deadline = None

    @staticmethod
    def _count(requests: int = 1, body_bytes: int = 0) -> None:
        """Requests answered for this thread's source, and response body bytes received."""
        tally = getattr(_budget, "tally", None)
        if tally is not None and getattr(_budget, "deadline", None) is not None:
            tally.requests += requests
            tally.body_bytes += body_bytes

    def _timeout(self, source: Source, name: str) -> tuple[float, float]:
        """The request timeouts, capped by the source's budget; FetchError once it is spent."""
        left = _left()
        if left <= 0:
            raise FetchError(f"{source.id}: {name}: the source's time budget of {_budget.seconds:g} s is spent")
        return min(self.timeout[0], left), min(self.timeout[1], left)

    # --- mirror ----------------------------------------------------------------------------------------
    def from_mirror(self, source: Source) -> list[RawFile]:
        if not source.mirror:
            raise FetchError(f"{source.id}: no mirror layout is declared in sources.yaml")
        assert self.mirror is not None, "from_mirror needs a mirror directory"  # why: caller checks mode
        folder = self.mirror / source.id
        if not folder.is_dir():
            raise FetchError(f"{source.id}: mirror folder {folder} not found")
        found: dict[Path, MirrorGroup] = {}
        for group in source.mirror:
            for pattern in group.files:
                for p in folder.glob(pattern):
                    if p.is_file() and not p.is_symlink():
                        found.setdefault(p, group)
        if not found:
            patterns = [p for g in source.mirror for p in g.files]
            raise FetchError(f"{source.id}: no file in {folder} matches the mirror patterns in sources.yaml {patterns}")
        out = []
        for p in sorted(found):
            group, rel = found[p], p.relative_to(folder).as_posix()
            data = redact_bytes(p.read_bytes())  # every path in: a token never reaches results/ or the cache
            if len(data) > source.max_bytes:
                raise FetchError(f"{source.id}: {rel} is {len(data)} bytes, over the cap of {source.max_bytes}")
            out.append(RawFile.of(rel, data, group.upstream_url(rel), group.as_of, group.as_of))
        return out

    # --- live ------------------------------------------------------------------------------------------
    def fetch_endpoint(self, source: Source, ep: Endpoint, headers: dict[str, str] | None = None) -> RawFile:
        if ep.hf is not None:
            return self.fetch_hf(source, ep)
        assert ep.url is not None  # why: Endpoint validation guarantees one channel
        return self.fetch_url(source, ep.name, ep.url, method=ep.method, json_body=ep.json_body, headers=headers)

    def fetch_declared(self, source: Source) -> list[RawFile]:
        """The source's declared endpoints: from the mirror in mirror mode, else live."""
        if self.mirror is not None:
            return self.from_mirror(source)
        return [self.fetch_endpoint(source, ep) for ep in source.endpoints]

    def _cache_paths(self, source_id: str, name: str) -> tuple[Path, Path]:
        safe = hashlib.sha256(name.encode()).hexdigest()[:16]
        base = self.cache_dir / source_id / safe
        return base.with_suffix(".bin"), base.with_suffix(".json")

    def _cached(self, source_id: str, name: str) -> tuple[Path, Path, dict[str, Any]]:
        """Cache paths and metadata; metadata whose body is missing or does not match its sha256 is ignored."""
        body_path, meta_path = self._cache_paths(source_id, name)
        try:
            meta = json.loads(meta_path.read_text())
            ok = hashlib.sha256(body_path.read_bytes()).hexdigest() == meta.get("sha256")
        except (OSError, ValueError):
            ok = False
        return body_path, meta_path, meta if ok else {}

    def _request(self, source: Source, name: str, url: str, method: str = "GET", json_body: dict | None = None,
                 headers: dict[str, str] | None = None) -> tuple[int, bytes, dict[str, str]]:
        """One request, as the host's limits allow, within the source's budget, counted in its Tally: (status, body
        with any secret redacted, headers). A body over the source's cap, past the deadline, cut short, or an HTTP
        error (but 304) is a FetchError naming the source and file."""
        parts = requests.utils.urlparse(url)
        self.rate.wait(parts.netloc, parts.path)
        started = time.monotonic()
        timeout = self._timeout(source, name)
        try:
            resp = self.session.request(method, url, headers=headers or {}, json=json_body, timeout=timeout, stream=True)
            self._count()
            with resp:
                if resp.status_code == 304:
                    return 304, b"", dict(resp.headers)
                if resp.status_code >= 400:
                    raise FetchError(f"{source.id}: {name}: HTTP {resp.status_code} from {url}")
                chunks, size = [], 0
                for chunk in resp.iter_content(1 << 16):
                    size += len(chunk)
                    self._count(0, len(chunk))
                    if size > source.max_bytes:
                        raise FetchError(f"{source.id}: {name}: response over the cap of {source.max_bytes} bytes")
                    if time.monotonic() - started > self.deadline:
                        raise FetchError(f"{source.id}: {name}: download took over {self.deadline:g} s")
                    if _left() <= 0:
                        raise FetchError(f"{source.id}: {name}: the source's time budget of {_budget.seconds:g} s is spent")
                    chunks.append(chunk)
                data = b"".join(chunks)
                expected = resp.headers.get("Content-Length")
                if expected and expected.isdigit() and int(expected) != size and "Content-Encoding" not in resp.headers:
                    raise FetchError(f"{source.id}: {name}: truncated download ({size} of {expected} bytes)")
                return resp.status_code, redact_bytes(data), dict(resp.headers)  # a server echoing a token: never kept
        except requests.RequestException as exc:
            inner = getattr(exc.args[0], "reason", None) if exc.args else None  # urllib3's cause after retries
            inner = inner if isinstance(inner, BaseException) else exc
            raise FetchError(redact(f"{source.id}: {name}: {type(inner).__name__}: {_first_line(inner)}")) from None

    def fetch_url(self, source: Source, name: str, url: str, method: str = "GET", json_body: dict | None = None,
                  headers: dict[str, str] | None = None) -> RawFile:
        """GET (or POST) with conditional headers from the cache; a 304 returns the cached bytes (not_modified=True)."""
        body_path, meta_path, meta = self._cached(source.id, name + url)
        req_headers = dict(headers or {})
        if meta.get("etag"):
            req_headers["If-None-Match"] = meta["etag"]
        if meta.get("last_modified"):
            req_headers["If-Modified-Since"] = meta["last_modified"]
        status, data, resp_headers = self._request(source, name, url, method, json_body, req_headers)
        if status == 304:
            if not meta:
                raise FetchError(f"{source.id}: {name}: HTTP 304 from {url} with nothing cached")
            return RawFile.of(name, body_path.read_bytes(), url, meta["retrieved_at"], _http_date(meta.get("last_modified")),
                              not_modified=True, cached=[str(body_path), str(meta_path)])
        etag, last_modified = (redact(v) if v else v for v in (resp_headers.get("ETag"), resp_headers.get("Last-Modified")))
        sha = hashlib.sha256(data).hexdigest()
        same = sha == meta.get("sha256")
        retrieved = meta["retrieved_at"] if same else _today()
        if same and meta.get("last_modified"):  # the same bytes re-served (a redeploy): their date has not changed
            last_modified = meta["last_modified"]
        new_meta = {"url": url, "retrieved_at": retrieved, "sha256": sha, "etag": etag, "last_modified": last_modified,
                    "license": source.license}
        atomic_write_bytes(body_path, data)
        atomic_write_bytes(meta_path, json.dumps(new_meta, indent=2, sort_keys=True).encode())
        return RawFile.of(name, data, url, retrieved, _http_date(last_modified), not_modified=same,
                          cached=[str(body_path), str(meta_path)])

    def _hf_retrying(self, source: Source, name: str, call: Callable[[float], Any]) -> Any:
        """call(timeout) with this fetcher's retries and backoff on network errors, 429 and 5xx, within the
        source's budget (huggingface_hub's own retries wait up to 23 s more, whatever the budget says)."""
        attempt = 0
        while True:
            timeout = self._timeout(source, name)[1]  # FetchError once the budget is spent
            try:
                return call(timeout)
            except Exception as exc:
                status = getattr(getattr(exc, "response", None), "status_code", None)
                if attempt >= self.retries or (status is not None and status < 500 and status != 429):
                    raise
                time.sleep(max(0.0, min(self.backoff * 2**attempt, _left())))
                attempt += 1

    def fetch_pinned(self, source: Source, name: str, url: str, headers: dict[str, str] | None = None) -> RawFile:
        """A URL whose bytes never change (pinned to a commit): from the cache without a request when it was fetched
        before (not_modified=True), else fetched once."""
        body_path, meta_path, meta = self._cached(source.id, name + url)
        if meta:
            return RawFile.of(name, body_path.read_bytes(), url, meta["retrieved_at"], _http_date(meta.get("last_modified")),
                              not_modified=True, cached=[str(body_path), str(meta_path)])
        return self.fetch_url(source, name, url, headers=headers)

    @staticmethod
    def hf_headers() -> dict[str, str]:
        """The Hub token (HF_TOKEN, as huggingface_hub reads it) as an Authorization header; {} without one."""
        from huggingface_hub import get_token

        token = get_token()
        return {"Authorization": f"Bearer {token}"} if token else {}

    def hf_files(self, source: Source, repo: HFRepo) -> tuple[str, list[str]]:
        """The commit a repo revision resolves to and the paths of its files: one Hub API request, conditional (a 304
        when the repo did not change); HF_ENDPOINT honoured."""
        url = f"{hf_endpoint()}/api/{repo.repo_type}s/{repo.repo_id}/revision/{quote(repo.revision, safe='')}"
        f = self.fetch_url(source, f"_hf_files/{repo.repo_type}/{repo.repo_id}@{repo.revision}", url, headers=self.hf_headers())
        try:
            info = json.loads(f.data)
            sha, paths = info.get("sha"), sorted(str(x["rfilename"]) for x in info.get("siblings") or [])
        except (ValueError, TypeError, KeyError, AttributeError):
            raise FetchError(f"{source.id}: {repo.repo_id} file list: not the Hub's repo info JSON ({url})") from None
        return str(sha or repo.revision), paths

    def fetch_hf(self, source: Source, ep: Endpoint) -> RawFile:
        """A file of a Hugging Face repo, pinned to the commit the revision resolves to (HF_ENDPOINT is honoured).

        A revision that is already a commit, held in the cache, costs no request. Otherwise one HEAD request gives the
        commit, the file's etag and size; an etag seen before means not_modified (the bytes come from the cache), a
        new one one GET of the file at that commit."""
        from huggingface_hub import get_hf_file_metadata, hf_hub_url

        assert ep.hf is not None  # why: only called for hf endpoints
        hf, endpoint = ep.hf, hf_endpoint()
        body_path, meta_path, meta = self._cached(source.id, f"hf:{hf.repo_type}/{hf.repo_id}/{hf.filename}@{hf.revision}")
        held = bool(COMMIT.fullmatch(hf.revision)) and meta.get("commit") == hf.revision  # pinned, cached: no request
        if held:
            commit, etag = hf.revision, meta.get("etag", "")
        else:
            head_url = hf_hub_url(hf.repo_id, hf.filename, repo_type=hf.repo_type, revision=hf.revision, endpoint=endpoint)
            parts = requests.utils.urlparse(head_url)
            self.rate.wait(parts.netloc, parts.path)
            try:
                head = self._hf_retrying(source, ep.name, lambda timeout: get_hf_file_metadata(
                    head_url, timeout=timeout, user_agent=self.agent, endpoint=endpoint, retry_on_errors=False))
            except FetchError:
                raise
            except Exception as exc:  # huggingface_hub raises many types; all mean "this source failed"
                raise FetchError(redact(f"{source.id}: {ep.name}: {type(exc).__name__}: {_first_line(exc)}")) from None
            finally:
                self._count()
            if head.size is not None and head.size > source.max_bytes:
                raise FetchError(f"{source.id}: {ep.name}: {head.size} bytes, over the cap of {source.max_bytes}")
            commit, etag = head.commit_hash or hf.revision, redact(head.etag or "")
        if held or (meta and etag and meta.get("etag") == etag):  # the same file (at this commit or an earlier one)
            data = body_path.read_bytes()
        else:
            get_url = hf_hub_url(hf.repo_id, hf.filename, repo_type=hf.repo_type, revision=commit, endpoint=endpoint)
            status, data, _ = self._request(source, ep.name, get_url, headers=self.hf_headers())
            if status != 200:
                raise FetchError(f"{source.id}: {ep.name}: HTTP {status} from {get_url}")
        sha = hashlib.sha256(data).hexdigest()
        same = bool(meta) and meta.get("sha256") == sha
        retrieved = meta["retrieved_at"] if same else _today()
        url = hf_hub_url(hf.repo_id, hf.filename, repo_type=hf.repo_type, revision=commit)
        if not same or meta.get("commit") != commit or meta.get("etag") != etag:
            atomic_write_bytes(body_path, data)
            new_meta = {"url": url, "commit": commit, "etag": etag, "sha256": sha, "retrieved_at": retrieved,
                        "license": source.license}
            atomic_write_bytes(meta_path, json.dumps(new_meta, indent=2, sort_keys=True).encode())
        return RawFile.of(ep.name, data, url, retrieved, None, not_modified=same, revision=commit,
                          cached=[str(body_path), str(meta_path)])
