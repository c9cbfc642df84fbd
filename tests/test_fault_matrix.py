"""The fault matrix of issue 17: every source x every fault, on small copies in each upstream's own format
(tests/fault_mirror/<source>/, collected as a mirror).

Each case damages one declared file of one source (the same way an operator's disk, a bad copy or an upstream
would), collects that source over its previous rows and classifies what happened:
  collected      - the rows are the right ones (the previous ones where a value is blank, duplicated or out of range)
  failed cleanly - a one-line message naming the file (and the row, when a row is at fault), previous rows byte
                   for byte (a per-file guard that keeps one file's previous rows counts here too)
  data lost      - previous rows that should be there are gone
  wrong          - a value differs from the right one
  poisoned       - results/ can no longer be read
Every case must be one of the first two, the one expected for it. The tally is printed at the end of the run.
"""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from conftest import FAULT_MATRIX, csv_bytes, csv_rows

from aggregator.collect import collect
from aggregator.store import SCORE_COLUMNS, check_text, read_scores, read_table

MIRROR = Path(__file__).resolve().parent / "fault_mirror"
TOKEN = "hf_FAKEmatrixTOKEN7Qx2Lp"
AT = 2  # the record a row-level fault hits (the third)


@dataclass(frozen=True)
class Shape:
    """Where a source's scores are in the file the faults hit."""

    target: str
    fmt: str  # csv | json | yaml
    score: str  # the score column or key
    name: str = ""  # the model-name column (csv)
    percent: bool = False  # the score column's unit is percent: '85%' is 85 there


SHAPES = {
    "lmarena": Shape("lmarena_text.csv", "csv", "arena_score", "model"),
    "open_llm_leaderboard": Shape("huggingface_v2.csv", "csv", "model_average_score", "model_name"),
    "bfcl": Shape("data_overall.csv", "csv", "Overall Acc", "Model", percent=True),
    "epoch_benchmarking_hub": Shape("gpqa_diamond.csv", "csv", "mean_score", "Model version"),
    "swe_bench": Shape("leaderboards.json", "json", "resolved"),
    "aider": Shape("polyglot_leaderboard.yml", "yaml", "pass_rate_2"),
    "livebench": Shape("table_2025_02_01.csv", "csv", "LCB_generation", "model"),
}


# --- reading and writing records in each format (unchanged records keep their bytes) -----------------------------


def _records(shape: Shape, doc):
    return doc["leaderboards"][0]["results"] if shape.fmt == "json" else doc


def edit(shape: Shape, data: bytes, change: Callable[[list, Callable], None]) -> bytes:
    """The file with `change(records, setter)` applied; setter(record, field, value) sets a score or a name."""
    if shape.fmt == "csv":
        rows = csv_rows(data)
        header = rows[0]

        def put(rec: list[str], field: str, value) -> None:
            rec[header.index(shape.name if field == "name" else shape.score)] = str(value)

        body = rows[1:]
        change(body, put)
        return csv_bytes([header, *body])
    doc = json.loads(data) if shape.fmt == "json" else yaml.safe_load(data)

    def put_tree(rec: dict, field: str, value) -> None:
        if field == "score":
            rec[shape.score] = value
        elif shape.fmt == "json":
            rec["tags"][0] = f"Model: {value}"
        else:
            raise AssertionError("a YAML name is set by text (_set)")  # why: one way to set it, the fast one

    change(_records(shape, doc), put_tree)
    if shape.fmt == "json":
        return (json.dumps(doc, indent=2) + "\n").encode("utf-8")
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=1 << 30).encode("utf-8")


def _set(field: str, value) -> Callable[[Shape, bytes], bytes]:
    def fault(shape: Shape, data: bytes) -> bytes:
        if shape.fmt == "yaml" and field == "name":  # by text: a YAML dump of a 5 MB name takes seconds
            entries = data.decode("utf-8").split("\n- ")
            rec = entries[AT].splitlines(keepends=True)
            rec = [f"  model: {value}\n" if ln.startswith("  model: ") else "  command: aider\n"
                   if ln.startswith("  command: ") else ln for ln in rec]
            return "\n- ".join([*entries[:AT], "".join(rec), *entries[AT + 1:]]).encode("utf-8")
        v = value if shape.fmt != "csv" or field != "score" or not isinstance(value, float | int) else f"{value:g}"
        return edit(shape, data, lambda recs, put: put(recs[AT], field, v))
    return fault


def _score_text(shape: Shape, data: bytes) -> str:
    """The text of the last record's score as it stands in the file."""
    if shape.fmt == "csv":
        rows = csv_rows(data)
        return rows[-1][rows[0].index(shape.score)]
    recs = _records(shape, json.loads(data) if shape.fmt == "json" else yaml.safe_load(data))
    return f'"{shape.score}": {recs[-1][shape.score]}' if shape.fmt == "json" else f"{shape.score}: {recs[-1][shape.score]}"


def cut_mid_record(shape: Shape, data: bytes) -> bytes:
    """Truncated two characters into the last record's value after its name (csv: `Qwen2.5-Coder-32B-Instruct,12`)
    or its score (json, yaml), as a download or a copy cut short leaves it."""
    if shape.fmt == "csv":
        rows = csv_rows(data)
        last = data.rstrip(b"\n").rfind(b"\n") + 1
        head = csv_bytes([rows[-1][: rows[0].index(shape.name) + 1]]).rstrip(b"\n") + b","
        assert data[last:].startswith(head), "the fixture's last row is written as csv.writer writes it"
        return data[: last + len(head) + 2]
    text = _score_text(shape, data)
    return data[: data.rfind(text.encode()) + len(text) - len(text.split(": ")[1]) + 2]


def short_record(shape: Shape, data: bytes) -> bytes:
    """One record loses its last field (csv) or its score key (json, yaml)."""
    if shape.fmt == "csv":
        rows = csv_rows(data)
        rows[1 + AT] = rows[1 + AT][:-1]
        return csv_bytes(rows)
    return edit(shape, data, lambda recs, put: recs[AT].pop(shape.score))


def conflict(shape: Shape, data: bytes) -> bytes:
    lines = data.splitlines(keepends=True)
    return b"".join(lines[:3] + [b"<<<<<<< HEAD\n"] + lines[3:5] + [b"=======\n"] + lines[3:5] + [b">>>>>>> upstream\n"] + lines[5:])


def stray_byte(shape: Shape, data: bytes) -> bytes:
    at = data.find(b"\n", len(data) // 2)
    return data[:at] + b"\xff" + data[at:]


def rename_score(shape: Shape, data: bytes) -> bytes:
    if shape.fmt == "csv":
        return data.replace(shape.score.encode(), shape.score.encode() + b" (v2)", 1)
    return edit(shape, data, lambda recs, put: [r.__setitem__(shape.score + "_v2", r.pop(shape.score)) for r in recs])


def shrink(shape: Shape, data: bytes) -> bytes:
    return edit(shape, data, lambda recs, put: recs.__delitem__(slice(1, None)))


def duplicate(shape: Shape, data: bytes) -> bytes:
    return edit(shape, data, lambda recs, put: recs.extend([*recs]))


def reorder(shape: Shape, data: bytes) -> bytes:
    return edit(shape, data, lambda recs, put: recs.reverse())


FAULTS: dict[str, Callable[[Shape, bytes], bytes | None]] = {
    "file_missing": lambda shape, data: None,
    "file_empty": lambda shape, data: b"",
    "cut_mid_record": cut_mid_record,
    "record_short": short_record,
    "shrunk_to_one_record": shrink,
    "score_na": _set("score", "N/A"),
    "score_negative": _set("score", -5),
    "score_percent_sign": _set("score", "85%"),
    "score_text": _set("score", "high"),
    "name_5_mb": _set("name", "x" * 5_000_000),
    "name_400_chars": _set("name", "Qwen/" + "x" * 395),
    "records_duplicated": duplicate,
    "merge_conflict_marker": conflict,
    "stray_byte": stray_byte,
    "binary_garbage": lambda shape, data: bytes(range(256)) * 8,
    "score_column_renamed": rename_score,
    "bom_and_crlf": lambda shape, data: b"\xef\xbb\xbf" + data.replace(b"\n", b"\r\n"),
    "records_reordered": reorder,
    "token_in_name": _set("name", f"org/model-{TOKEN}"),
}

# What each fault must give: "collected" or "failed" (message naming the file; `ROW_FAULTS` also the row), or "kept"
# (a per-file guard kept that file's previous rows; the source's other files were collected).
DEFAULT = {
    "file_missing": "kept", "file_empty": "failed", "cut_mid_record": "failed", "record_short": "failed",
    "shrunk_to_one_record": "kept", "score_na": "collected", "score_negative": "collected",
    "score_percent_sign": "failed", "score_text": "failed", "name_5_mb": "failed", "name_400_chars": "failed",
    "records_duplicated": "collected", "merge_conflict_marker": "failed", "stray_byte": "failed",
    "binary_garbage": "failed", "score_column_renamed": "failed", "bom_and_crlf": "collected",
    "records_reordered": "collected", "token_in_name": "collected",
}
EXPECTED = {
    ("bfcl", "score_percent_sign"): "collected",  # its unit is percent: '85%' is 85
    ("swe_bench", "file_missing"): "failed",  # its only file
    ("swe_bench", "shrunk_to_one_record"): "kept",  # one board of the file cut: that board's previous rows kept
    ("bfcl", "file_missing"): "failed",  # its files are read together (INDEPENDENT_FILES): the whole source keeps
    ("bfcl", "shrunk_to_one_record"): "failed",
    ("aider", "file_missing"): "failed",
    ("aider", "shrunk_to_one_record"): "failed",
    ("epoch_benchmarking_hub", "score_column_renamed"): "collected",  # still a score-like name: read as the score
    ("swe_bench", "score_na"): "failed",  # a JSON score must be a number
    ("aider", "score_na"): "failed",
    ("livebench", "record_short"): "collected",  # a ragged row is read as blanks (upstream has one): previous kept
    ("livebench", "score_negative"): "failed",  # a task score out of 0-100 would skew the category mean
    ("livebench", "score_column_renamed"): "kept",  # its category has no task left: previous values kept
}
ROW_FAULTS = {"cut_mid_record", "record_short", "score_na", "score_negative", "score_percent_sign", "score_text",
              "name_5_mb", "name_400_chars", "merge_conflict_marker", "stray_byte"}
# The right rows where they are not the previous ones: the same collect from a file that states them plainly.
EQUIVALENT = {
    "score_percent_sign": _set("score", "85.00%"),
    "token_in_name": _set("name", "org/model-***"),
}


def expected(sid: str, fault: str) -> str:
    return EXPECTED.get((sid, fault), DEFAULT[fault])


# --- running the cases: one collect per fault, every source damaged at once (sources run in isolation) -----------


@dataclass
class Run:
    outcomes: dict  # source -> Outcome
    results: Path


@pytest.fixture(scope="module")
def baseline(configs, tmp_path_factory) -> Run:
    """results/ after one clean collect of every source from the fault mirror."""
    root = tmp_path_factory.mktemp("baseline")
    out = collect(configs, list(SHAPES), root / "results", root / "cache", MIRROR, log=lambda m: None,
                  today="2026-01-05")
    assert all(o.status == "updated" for o in out), f"the clean fixtures collect: {out}"
    read_scores(root / "results" / "scores.csv")  # its schema check memoised (root/.cache), copied into each run
    return Run({o.source_id: o for o in out}, root / "results")


@pytest.fixture(scope="module")
def runs(configs, baseline, tmp_path_factory) -> Callable[[str, Callable], Run]:
    """run(name, fault): the collect of every source with its target file damaged by `fault` (once per name)."""
    done: dict[str, Run] = {}

    def run(name: str, make: Callable[[Shape, bytes], bytes | None]) -> Run:
        if name not in done:
            done[name] = _run(configs, baseline.results, tmp_path_factory.mktemp(name), make)
        return done[name]

    return run


def _run(configs, baseline: Path, tmp: Path, make: Callable[[Shape, bytes], bytes | None]) -> Run:
    shutil.copytree(MIRROR, tmp / "mirror")
    shutil.copytree(baseline, tmp / "results")
    shutil.copytree(baseline.parent / ".cache", tmp / ".cache")  # the memo of checks already passed on these bytes
    for sid, shape in SHAPES.items():
        target = tmp / "mirror" / sid / shape.target
        data = make(shape, target.read_bytes())
        if data is None:
            target.unlink()
        else:
            target.write_bytes(data)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HF_TOKEN", TOKEN)
        out = collect(configs, list(SHAPES), tmp / "results", tmp / "cache", tmp / "mirror", log=lambda m: None,
                      today="2026-01-12")
    return Run({o.source_id: o for o in out}, tmp / "results")


def source_lines(results: Path, sid: str) -> list[bytes]:
    """The source's rows of scores.csv, as bytes (source_id is a plain id: no CSV quoting before it matters)."""
    col = SCORE_COLUMNS.index("source_id")
    lines = (results / "scores.csv").read_bytes().splitlines()
    return [ln for ln in lines[1:] if next(csv.reader([ln.decode("utf-8")]))[col] == sid]


def _poisoned(results: Path) -> str:
    """'' when every results/ file a later run reads is readable, else why not."""
    try:
        read_scores(results / "scores.csv")
        read_table((results / "collection.csv").read_bytes(), "collection.csv", ["source_id", "status"])
        check_text((results / "CHANGES.md").read_bytes(), "CHANGES.md")
    except Exception as exc:  # why: any failure to read back is what 'poisoned' means
        return f"{type(exc).__name__}: {exc}"
    return ""


def classify(fault: str, shape: Shape, out, before: list[bytes], after: list[bytes], right: list[bytes],
             results: Path) -> tuple[str, str]:
    """The legend's class of one case, and what was seen."""
    if why := _poisoned(results):
        return "poisoned", why
    seen = f"{out.status}: {out.message}"
    held = out.status == "failed" or shape.target in out.message  # failed, or a guard kept the file's rows
    want = before if held else right
    if after != want:
        old, new = set(want), set(after)
        return ("data lost" if old - new and not new - old else "wrong"), f"{seen}; missing {sorted(old - new)[:2]}, " \
                                                                           f"unexpected {sorted(new - old)[:2]}"
    if not held:
        return "collected", seen
    row = ", row " in out.message or " line " in out.message  # a JSON parser names the line
    clean = "\n" not in out.message and shape.target in out.message and (fault not in ROW_FAULTS or row)
    return ("failed cleanly" if clean else "failed, unclear message"), seen


@pytest.mark.parametrize("sid", list(SHAPES))
@pytest.mark.parametrize("fault", list(FAULTS))
def test_fault(fault, sid, baseline, runs):
    run = runs(fault, FAULTS[fault])
    out, before, after = run.outcomes[sid], source_lines(baseline.results, sid), source_lines(run.results, sid)
    right = source_lines(runs(f"{fault}-plain", EQUIVALENT[fault]).results, sid) if fault in EQUIVALENT else before
    cls, seen = classify(fault, SHAPES[sid], out, before, after, right, run.results)
    FAULT_MATRIX[(sid, fault)] = cls
    want = {"collected": "collected", "failed": "failed cleanly", "kept": "failed cleanly"}[expected(sid, fault)]
    assert cls == want, f"{sid} x {fault}: {cls} ({seen})"
    if expected(sid, fault) == "kept":
        assert out.status != "failed", f"the source's other files are collected: {seen}"
    if fault == "token_in_name":
        assert not any(TOKEN.encode() in ln for ln in after) and any(b"org/model-***" in ln for ln in after)
    if fault == "records_duplicated" and sid in ("lmarena", "swe_bench", "open_llm_leaderboard", "bfcl"):
        assert "duplicate rows dropped" in out.message, out.message
