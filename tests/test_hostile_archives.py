"""The Epoch zip is read in memory only: unsafe member names and links are refused, bombs and entry floods are
capped, and a member that is not UTF-8 CSV is a ParseError naming it. Nothing is ever written to disk."""

from __future__ import annotations

import io
import os
import struct
import tracemalloc
import zipfile

import pytest
from conftest import FIXTURES, raw
from hypothesis import given, settings
from hypothesis import strategies as st

from aggregator.collectors import epoch_benchmarking_hub as hub
from aggregator.errors import ParseError

GOOD = (FIXTURES / "epoch_benchmarking_hub" / "gpqa_diamond.csv").read_bytes()


def zip_of(members: list[tuple[str | zipfile.ZipInfo, bytes]], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as zf:
        for name, data in members:
            zf.writestr(name, data, compress_type=method)
    return buf.getvalue()


def parse_zip(data: bytes):
    return hub.parse([raw("benchmark_data.zip", data, url="https://epoch.ai/data/benchmark_data.zip")])


def _raw_info(name: str, mode: int | None = None, create_system: int = 3) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo("placeholder")
    info.filename = name  # why: ZipInfo() normalises separators and drive letters; an attacker's archive need not
    info.create_system = create_system
    if mode is not None:
        info.external_attr = mode << 16
    return info


@pytest.fixture(autouse=True)
def no_disk_writes(monkeypatch, tmp_path):
    """Any attempt to extract, or to create a file, fails the test."""
    monkeypatch.chdir(tmp_path)

    def refuse(*a, **k):
        raise AssertionError("the archive must not be extracted")

    monkeypatch.setattr(zipfile.ZipFile, "extract", refuse)
    monkeypatch.setattr(zipfile.ZipFile, "extractall", refuse)
    yield
    assert not list(tmp_path.iterdir()), "nothing is written next to the process"


def test_good_zip_parses():
    df = parse_zip(zip_of([("gpqa_diamond.csv", GOOD), ("README.md", b"# hi")]))
    assert len(df) and df["source_url"].eq("https://epoch.ai/data/benchmark_data.zip").all()


@pytest.mark.parametrize("name,why", [
    ("../evil.csv", "'..'"), ("a/../../evil.csv", "'..'"), ("..\\evil.csv", "'..'"), ("a\\..\\..\\evil.csv", "'..'"),
    ("/etc/evil.csv", "absolute"), ("\\evil.csv", "absolute"), ("C:\\evil.csv", "absolute"), ("c:/evil.csv", "absolute"),
    ("//host/share/evil.csv", "absolute"), ("..", "'..'"), ("a/..", "'..'"),
])
def test_zip_slip_names_refused(name, why):
    data = zip_of([("gpqa_diamond.csv", GOOD), (_raw_info(name), GOOD)])
    with pytest.raises(ParseError, match=why) as exc:
        parse_zip(data)
    assert "benchmark_data.zip" in str(exc.value) and exc.value.source == hub.SOURCE_ID


@pytest.mark.parametrize("mode", [0o120777, 0o120644])
def test_symlink_entries_refused(mode):
    data = zip_of([(_raw_info("gpqa_diamond.csv", mode), b"/etc/passwd")])
    with pytest.raises(ParseError, match="symbolic link"):
        parse_zip(data)


def test_non_link_special_modes_are_plain_members():
    data = zip_of([(_raw_info("gpqa_diamond.csv", 0o100644), GOOD), (_raw_info("dir/", 0o040755), b"")])
    assert len(parse_zip(data))


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(st.lists(st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1, max_size=12)
                .map(lambda s: s + ".csv"), min_size=1, max_size=3))
def test_any_member_name_is_refused_or_read_in_memory(names):
    """Whatever the names, parse raises ParseError or returns rows; it never touches a path built from a name."""
    try:
        parse_zip(zip_of([(_raw_info(n), GOOD) for n in names]))
    except ParseError as exc:
        assert exc.source == hub.SOURCE_ID


def _lie_about_size(data: bytes, size: int) -> bytes:
    """Rewrite the uncompressed size in the local and central headers of a one-member zip."""
    b = bytearray(data)
    local = b.find(b"PK\x03\x04")
    central = b.find(b"PK\x01\x02")
    struct.pack_into("<I", b, local + 22, size)
    struct.pack_into("<I", b, central + 24, size)
    return bytes(b)


def test_bomb_with_honest_header_refused_before_reading(monkeypatch):
    monkeypatch.setattr(hub, "MAX_ZIP_BYTES", 1_000_000)
    bomb = zip_of([("gpqa_diamond.csv", b"0" * 20_000_000)])
    assert len(bomb) < 100_000, "a real bomb: tiny archive, huge content"  # why: the test must exercise compression
    with pytest.raises(ParseError, match="over the cap"):
        parse_zip(bomb)


def test_bomb_with_lying_header_is_cut_at_the_cap(monkeypatch):
    """Headers that under-state the size cannot make the reader inflate more than the declared bytes."""
    monkeypatch.setattr(hub, "MAX_ZIP_BYTES", 1_000_000)
    bomb = _lie_about_size(zip_of([("gpqa_diamond.csv", b"1" * 50_000_000)]), 100)
    tracemalloc.start()
    try:
        with pytest.raises(ParseError, match="unreadable|over the cap"):
            parse_zip(bomb)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 20_000_000, f"inflated {peak} bytes in memory"


def test_many_members_each_under_cap_sum_over_it(monkeypatch):
    monkeypatch.setattr(hub, "MAX_ZIP_BYTES", 1_000_000)
    members = [(f"m{i}.csv", b"2" * 400_000) for i in range(3)]
    data = bytearray(zip_of(members))
    with pytest.raises(ParseError, match="over the cap"):
        parse_zip(bytes(data))


def test_entry_flood_refused():
    flood = zip_of([(f"e{i}.txt", b"") for i in range(hub.MAX_ZIP_ENTRIES + 1)], method=zipfile.ZIP_STORED)
    with pytest.raises(ParseError, match="entries, over the cap"):
        parse_zip(flood)


def test_member_csv_not_utf8():
    latin = GOOD.replace(b"Model version", "Modèle version".encode("latin-1")) + "Café,0.5\n".encode("latin-1")
    with pytest.raises(ParseError, match="not UTF-8") as exc:
        parse_zip(zip_of([("gpqa_diamond.csv", latin)]))
    assert "gpqa_diamond.csv" in str(exc.value)


@pytest.mark.parametrize("data", [b"", b"PK\x05\x06" + b"\x00" * 18, b"PK\x03\x04garbage", os.urandom(256)])
def test_not_a_zip(data):
    with pytest.raises(ParseError):
        parse_zip(data)


def test_corrupt_member_bytes():
    good = bytearray(zip_of([("gpqa_diamond.csv", GOOD * 50)]))
    mid = len(good) // 2
    good[mid:mid + 8] = b"\xde\xad\xbe\xef" * 2
    with pytest.raises(ParseError, match="unreadable|not"):
        parse_zip(bytes(good))


def test_encrypted_member_flag():
    b = bytearray(zip_of([("gpqa_diamond.csv", GOOD)]))
    struct.pack_into("<H", b, b.find(b"PK\x03\x04") + 6, 0x1)
    struct.pack_into("<H", b, b.find(b"PK\x01\x02") + 8, 0x1)
    with pytest.raises(ParseError, match="unreadable"):
        parse_zip(bytes(b))
