"""I/O for collectors: HTTP with retries and a cache, Hugging Face files, or a local mirror directory.

Every file a collector sees is a `RawFile`: its bytes plus provenance (where it came from, when, its sha256).
The cache lives in a git-ignored folder, one metadata JSON beside each downloaded file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from . import __version__
from .config import Endpoint, MirrorGroup, Source
from .errors import FetchError
from .store import atomic_write_bytes

USER_AGENT = f"domestic-compute-aggregator/{__version__} (+https://github.com/domestic-compute/aggregator)"
TIMEOUT = (10, 60)
SECRET_ENV = ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "ARTIFICIAL_ANALYSIS_API_KEY")


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
    for var in SECRET_ENV:
        value = os.environ.get(var)
        if value and len(value) >= 6:
            text = text.replace(value, "***")
    return text


def make_session(retries: int = 4, backoff: float = 1.0) -> requests.Session:
    """A polite session: User-Agent, retries with exponential backoff and jitter, Retry-After honoured."""
    s = requests.Session()
    retry = Retry(
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
    s.headers["User-Agent"] = USER_AGENT
    return s


class RateLimiter:
    """At most one request per `interval` seconds per host."""

    def __init__(self, interval: float = 0.5):
        self.interval = interval
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, host: str) -> None:
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next.get(host, now))
            self._next[host] = start + self.interval
        if start > now:
            time.sleep(start - now)


def _today() -> str:
    return dt.datetime.now(dt.UTC).date().isoformat()


class Fetcher:
    """Gets a source's files from the live endpoints (with a cache) or from a mirror directory."""

    def __init__(self, cache_dir: Path, mirror: Path | None = None, session: requests.Session | None = None,
                 rate: RateLimiter | None = None):
        self.cache_dir = cache_dir
        self.mirror = mirror
        self.session = session or make_session()
        self.rate = rate or RateLimiter()

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
            raise FetchError(f"{source.id}: no file in {folder} matches the mirror patterns in sources.yaml")
        out = []
        for p in sorted(found):
            group, rel = found[p], p.relative_to(folder).as_posix()
            data = p.read_bytes()
            if len(data) > source.max_bytes:
                raise FetchError(f"{source.id}: {rel} is {len(data)} bytes, over the cap of {source.max_bytes}")
            out.append(RawFile.of(rel, data, group.upstream + rel, group.as_of, group.as_of))
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

    def fetch_url(self, source: Source, name: str, url: str, method: str = "GET", json_body: dict | None = None,
                  headers: dict[str, str] | None = None) -> RawFile:
        """GET (or POST) with conditional headers from the cache; a 304 returns the cached bytes."""
        body_path, meta_path = self._cache_paths(source.id, name + url)
        meta: dict[str, Any] = json.loads(meta_path.read_text()) if meta_path.exists() and body_path.exists() else {}
        req_headers = dict(headers or {})
        if meta.get("etag"):
            req_headers["If-None-Match"] = meta["etag"]
        if meta.get("last_modified"):
            req_headers["If-Modified-Since"] = meta["last_modified"]
        host = requests.utils.urlparse(url).netloc
        self.rate.wait(host)
        try:
            resp = self.session.request(method, url, headers=req_headers, json=json_body, timeout=TIMEOUT, stream=True)
        except requests.RequestException as exc:
            raise FetchError(redact(f"{source.id}: {name}: {type(exc).__name__}: {exc}")) from None
        with resp:
            if resp.status_code == 304 and meta:
                data = body_path.read_bytes()
                return RawFile.of(name, data, url, meta["retrieved_at"], meta.get("last_modified"), not_modified=True)
            if resp.status_code >= 400:
                raise FetchError(f"{source.id}: {name}: HTTP {resp.status_code} from {url}")
            chunks, size = [], 0
            for chunk in resp.iter_content(1 << 16):
                size += len(chunk)
                if size > source.max_bytes:
                    raise FetchError(f"{source.id}: {name}: response over the cap of {source.max_bytes} bytes")
                chunks.append(chunk)
            data = b"".join(chunks)
            expected = resp.headers.get("Content-Length")
            if expected and expected.isdigit() and int(expected) != size and "Content-Encoding" not in resp.headers:
                raise FetchError(f"{source.id}: {name}: truncated download ({size} of {expected} bytes)")
            new_meta = {
                "url": url,
                "retrieved_at": _today(),
                "sha256": hashlib.sha256(data).hexdigest(),
                "etag": resp.headers.get("ETag"),
                "last_modified": resp.headers.get("Last-Modified"),
                "license": source.license,
            }
        atomic_write_bytes(body_path, data)
        atomic_write_bytes(meta_path, json.dumps(new_meta, indent=2, sort_keys=True).encode())
        return RawFile.of(name, data, url, new_meta["retrieved_at"], new_meta["last_modified"])

    def fetch_hf(self, source: Source, ep: Endpoint) -> RawFile:
        """A file of a Hugging Face repo through huggingface_hub (HF_ENDPOINT is honoured); the revision is cached."""
        from huggingface_hub import hf_hub_download, hf_hub_url

        assert ep.hf is not None  # why: only called for hf endpoints
        try:
            path = hf_hub_download(
                repo_id=ep.hf.repo_id, filename=ep.hf.filename, repo_type=ep.hf.repo_type, revision=ep.hf.revision,
                cache_dir=str(self.cache_dir / "hf"),
            )
        except Exception as exc:  # huggingface_hub raises many types; all mean "this source failed"
            raise FetchError(redact(f"{source.id}: {ep.name}: {type(exc).__name__}: {exc}")) from None
        data = Path(path).read_bytes()
        if len(data) > source.max_bytes:
            raise FetchError(f"{source.id}: {ep.name}: {len(data)} bytes, over the cap of {source.max_bytes}")
        url = hf_hub_url(ep.hf.repo_id, ep.hf.filename, repo_type=ep.hf.repo_type, revision=ep.hf.revision)
        return RawFile.of(ep.name, data, url, _today(), None)
