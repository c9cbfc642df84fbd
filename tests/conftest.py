"""Shared test helpers: paths, the optional ../shared data, and RawFile construction."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pytest

from aggregator.config import load_configs
from aggregator.fetch import RawFile

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED = Path(os.environ.get("AGGREGATOR_SHARED", ROOT.parent / "shared"))  # a checkout elsewhere (a worktree) sets it
SHARED_UPSTREAM = SHARED / "data" / "upstream"
SHARED_FACTS = SHARED / "data" / "hardware_facts.csv"

needs_shared = pytest.mark.skipif(not SHARED_UPSTREAM.is_dir(), reason="../shared/data/upstream is absent")
FAULT_MATRIX: dict[tuple[str, str], str] = {}  # (source, fault) -> class, filled by test_fault_matrix.py


def pytest_terminal_summary(terminalreporter):
    """The fault matrix's tally per source (one column per class of the legend), when its cases ran."""
    if not FAULT_MATRIX:
        return
    classes = ["collected", "failed cleanly", "data lost", "wrong", "poisoned"]
    classes += sorted(set(FAULT_MATRIX.values()) - set(classes))
    sources = sorted({s for s, _ in FAULT_MATRIX})
    w = max(map(len, sources + ["all"]))
    terminalreporter.section("fault matrix (tests/test_fault_matrix.py)")
    terminalreporter.write_line(f"{'source':{w}}  " + "  ".join(classes))
    for s in sources + ["all"]:
        got = [c for (src, _), c in FAULT_MATRIX.items() if s in (src, "all")]
        terminalreporter.write_line(f"{s:{w}}  " + "  ".join(f"{got.count(c):>{len(c)}}" for c in classes))


def csv_rows(data: bytes) -> list[list[str]]:
    """CSV bytes as rows of cells (a byte-order mark dropped), for tests that edit upstream files record by record."""
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def csv_bytes(rows: list[list[str]]) -> bytes:
    """Rows as Python's csv module writes them, lines ending in '\n' (unchanged records keep their bytes)."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue().encode("utf-8")


def raw(name: str, data: bytes | str, url: str | None = None, as_of: str = "2025-01-01") -> RawFile:
    """A RawFile as a fetcher would hand it to parse()."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    return RawFile.of(name, data, url or f"https://example.org/{name}", as_of, as_of)


def fixture_file(source: str, name: str, as_of: str = "2025-01-01") -> RawFile:
    """A fixture under tests/fixtures/<source>/<name>, as the parser would receive it."""
    return raw(name, (FIXTURES / source / name).read_bytes(), as_of=as_of)


@pytest.fixture
def server():
    """A threaded HTTP server on 127.0.0.1 (loopback only), stopped after the test."""
    from pytest_httpserver import HTTPServer

    s = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    s.start()
    yield s
    s.clear()
    if s.is_running():
        s.stop()


@pytest.fixture(scope="session")
def configs():
    return load_configs(ROOT / "configs")
