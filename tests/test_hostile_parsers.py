"""Every collector's parse() under fuzzing: mutated copies of its own fixtures (columns or keys dropped, renamed,
reordered, wrong types, huge values, NaN, blanks, duplicated rows, invalid UTF-8, extra columns, truncation).

The outcome must be either a table that passes schemas.PARSED_SCHEMA (the models table for `epoch_ai_models`) or
one of the project's own errors naming the source, never another exception. And never a silently wrong number:
  - a structural mutation (drop/rename/reorder/duplicate/extra) may only lose rows: every (benchmark, score) pair it
    yields was in the unmutated output (a renamed column is mapped back to its old name first), and every model
    name is one of the unmutated output or a string of the file (a documented fallback, e.g. name when no slug);
  - a numeric cell replaced by text must raise or leave the scores as they were (not be NaN-dropped silently);
  - a blank may drop a score, never invent one; a new number can only reach the output as itself (or x100 / /100
    for the sources that convert fractions).
Sources that compute their scores (means over tasks or problems: DERIVED) get the validity check only, plus: a
duplicated row must raise or change nothing (a duplicate must not be counted twice in a mean).
"""

from __future__ import annotations

import json
import math
import os
from collections import Counter
from dataclasses import dataclass
from typing import Any

import pandas as pd
import pytest
import yaml
from conftest import FIXTURES, csv_bytes, csv_rows, raw
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aggregator.collectors import collector
from aggregator.errors import AggregatorError
from aggregator.schemas import PARSED_SCHEMA
from aggregator.store import validate

# Examples per fixture file (a parser has 1-6 files): CI on a small runner keeps the default; FUZZ_EXAMPLES=2000
# for a deep run. derandomize: the same cases every run, so a failure reproduces.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "150"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
AS_OF = "2025-06-01"
TEXTS = ["high", "n.a.x", "12abc", "✓", "1.2.3", "0x1F", "--5", "'; DROP TABLE", "true"]
NUMBERS = [1e308, -1e308, -1.0, 0.0, 1e-300, 123456789.0, 9007199254740993.0, 42.125]
BLANKS = ["", "N/A", "null", "NaN", "-"]
DERIVED = {"livebench", "livecodebench"}
# OpenCompass edition tables mix score and metadata columns; a column whose every value is text is metadata by
# definition, so a one-row fixture column turned to text is dropped, not an error (a column with numbers raises).
TEXT_COLUMN_IS_METADATA = {"opencompass"}
# Fields that select which entries count (Aider: runs with a wrong exercise count are skipped, a run is emitted once
# per dirname): changing them may bring back an entry, with its own upstream score.
FILTER_FIELDS = {"aider": {"test_cases", "dirname"}, "open_llm_leaderboard": {"flagged"}}
NAMES = ["", " ", "model", "Model ", "MODEL", "score", "x" * 300, "名前", "a,b", 'q"q', "\t"]


# not upstream input: hardware/ holds registry fixtures; reported/ is a curated file of this repository (a table's values
# are positional by design: reordering its columns makes another table), checked by validate and tests/test_reported.py
NOT_UPSTREAM = {"hardware", "reported"}


def _sources() -> list[str]:
    return sorted(p.name for p in FIXTURES.iterdir() if p.is_dir() and p.name not in NOT_UPSTREAM)


def _files(source: str) -> list[str]:
    folder = FIXTURES / source
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


CASES = [(s, f) for s in _sources() for f in _files(s)]


# --- documents and their mutations -------------------------------------------------------------------------


@dataclass
class Mutation:
    kind: str  # struct | text | blank | number | bytes
    op: str = ""  # for struct: drop | rename | dup | ...
    field: str = ""  # the column or key touched, when known
    renamed: tuple[str, str] | None = None  # (old, new) for a rename
    number: float | None = None
    was_number: bool = False  # the replaced cell held a number


def _is_number(v: Any) -> bool:
    if isinstance(v, bool):
        return False
    if isinstance(v, int | float):
        return math.isfinite(v)
    try:
        return math.isfinite(float(str(v).strip().rstrip("%")))
    except ValueError:
        return False


def _kind(name: str, data: bytes) -> str:
    if name.endswith(".csv"):
        return "csv"
    if name.endswith(".json"):
        return "json"
    if name.endswith((".yml", ".yaml")):
        return "yaml"
    return "markdown" if data.startswith(b"---\n") else "text"


def _value(draw, old: Any) -> tuple[Any, Mutation]:
    """A replacement for one cell or JSON value, and what kind of change it is."""
    kind = draw(st.sampled_from(["text", "blank", "number", "type"]))
    was = _is_number(old)
    if kind == "text":
        return draw(st.sampled_from(TEXTS)), Mutation("text", was_number=was)
    if kind == "blank":
        return draw(st.sampled_from(BLANKS + [None])), Mutation("blank", was_number=was)
    if kind == "number":
        n = draw(st.sampled_from(NUMBERS + [float("nan"), float("inf")]) | st.floats(allow_nan=False, allow_infinity=False))
        return n, Mutation("number", number=n, was_number=was)
    wrong = draw(st.sampled_from([True, False, [7, 7], {"a": 7}, [], {}, "12.5", 7]))
    holds_7 = isinstance(wrong, list | dict) and wrong  # a container whose numbers are all 7
    num = 7.0 if holds_7 else float(wrong) if _is_number(wrong) else None
    return wrong, Mutation("number" if num is not None else "text", number=num, was_number=was)


def _cell_text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return repr(v) if math.isfinite(v) else str(v)
    return v if isinstance(v, str) else json.dumps(v)


@st.composite
def csv_mutation(draw, data: bytes) -> tuple[bytes, Mutation]:
    rows = [r[:] for r in csv_rows(data)]
    header, body = rows[0], rows[1:]
    width = len(header)
    op = draw(st.sampled_from(["drop_col", "rename_col", "swap_cols", "dup_row", "shuffle", "extra_col", "cut_rows",
                               "cell", "cell", "cell", "header_only"]))
    j = draw(st.integers(0, width - 1))
    if op == "drop_col":
        return csv_bytes([r[:j] + r[j + 1:] for r in rows]), Mutation("struct", field=header[j])
    if op == "rename_col":
        new = draw(st.sampled_from(NAMES + header) | st.text(min_size=1, max_size=8))
        if new == header[j]:
            new += "_"
        return csv_bytes([header[:j] + [new] + header[j + 1:]] + body), Mutation("struct", renamed=(header[j], new))
    if op == "swap_cols":
        k = draw(st.integers(0, width - 1))
        order = list(range(width))
        order[j], order[k] = order[k], order[j]
        return csv_bytes([[r[i] if i < len(r) else "" for i in order] for r in rows]), Mutation("struct")
    if op == "dup_row" and body:
        i = draw(st.integers(0, len(body) - 1))
        return csv_bytes([header] + body[: i + 1] + body[i:]), Mutation("struct", op="dup")
    if op == "shuffle":
        return csv_bytes([header] + draw(st.permutations(body))), Mutation("struct")
    if op == "extra_col":
        name, val = draw(st.sampled_from(["extra", "notes", ""])), draw(st.sampled_from(TEXTS + [""]))
        return csv_bytes([header + [name]] + [r + [val] for r in body]), Mutation("struct")
    if op == "cut_rows":
        return csv_bytes([header] + body[: draw(st.integers(0, len(body)))]), Mutation("struct")
    if op == "header_only":
        return csv_bytes([header]), Mutation("struct")
    if not body:
        return data, Mutation("struct")
    i = draw(st.integers(0, len(body) - 1))
    j = draw(st.integers(0, len(body[i]) - 1))
    new, m = _value(draw, body[i][j])
    body[i][j] = _cell_text(new)
    m.field = header[j] if j < width else ""
    return csv_bytes([header] + body), m


def _paths(node: Any, path: tuple = ()) -> list[tuple]:
    out = [path]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, path + (i,))
    return out


def _get(node: Any, path: tuple) -> Any:
    for p in path:
        node = node[p]
    return node


@st.composite
def tree_mutation(draw, doc: Any) -> tuple[Any, Mutation]:
    """A mutated deep copy of a JSON/YAML document."""
    doc = json.loads(json.dumps(doc, default=str))
    paths = [p for p in _paths(doc) if p]
    if not paths:
        return doc, Mutation("struct")
    path = draw(st.sampled_from(paths))
    parent, last = _get(doc, path[:-1]), path[-1]
    field = next((str(k) for k in reversed(path) if isinstance(k, str)), "")
    op = draw(st.sampled_from(["drop", "rename", "dup", "shuffle", "extra", "value", "value", "value"]))
    if op == "drop":
        del parent[last]
        return doc, Mutation("struct", field=field)
    if op == "rename" and isinstance(parent, dict):
        new = draw(st.sampled_from(NAMES + list(parent)) | st.text(min_size=1, max_size=8))
        if new == last:
            return doc, Mutation("struct")
        value, clash = parent[last], new in parent
        items = [(new if k == last else k, v) for k, v in parent.items() if k != new]
        parent.clear()
        parent.update(items)
        if clash:  # the other key's value is now this one: a value change, not a structural one
            num = float(value) if _is_number(value) else None
            return doc, Mutation("number" if num is not None else "text", number=num, field=str(new))
        return doc, Mutation("struct", renamed=(str(last), str(new)), field=field)
    if op == "dup" and isinstance(parent, list):
        parent.insert(last, json.loads(json.dumps(parent[last])))
        return doc, Mutation("struct", op="dup")
    if op == "shuffle" and isinstance(parent, list):
        parent[:] = draw(st.permutations(parent))
        return doc, Mutation("struct")
    if op == "extra" and isinstance(parent, dict):
        parent[draw(st.sampled_from(["extra", "notes", "_x"]))] = draw(st.sampled_from(TEXTS + [None, [], {}]))
        return doc, Mutation("struct")
    new, m = _value(draw, parent[last])
    parent[last] = new
    m.field = field
    return doc, m


@st.composite
def bytes_mutation(draw, data: bytes, kind: str) -> tuple[bytes, Mutation]:
    """Invalid UTF-8, NUL bytes, truncation at a line boundary (anywhere for JSON), an empty or binary file."""
    op = draw(st.sampled_from(["bad_utf8", "nul", "truncate", "empty", "binary", "bom_twice"]))
    if op in ("bad_utf8", "nul"):
        at = draw(st.integers(0, len(data)))
        junk = draw(st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\x80\x80"])) if op == "bad_utf8" else b"\x00"
        return data[:at] + junk + data[at:], Mutation("bytes")
    if op == "truncate":
        if kind == "json":
            return data[: draw(st.integers(0, len(data) - 1))], Mutation("bytes")
        lines = data.splitlines(keepends=True)
        return b"".join(lines[: draw(st.integers(0, len(lines)))]), Mutation("struct")
    if op == "empty":
        return draw(st.sampled_from([b"", b"\n", b"   "])), Mutation("bytes")
    if op == "binary":
        return draw(st.binary(min_size=1, max_size=64)), Mutation("bytes")
    return b"\xef\xbb\xbf" + data, Mutation("struct")


def _dump(kind: str, doc: Any, body: str = "") -> bytes:
    if kind == "json":
        return json.dumps(doc).encode("utf-8")
    text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)
    return (f"---\n{text}---\n{body}" if kind == "markdown" else text).encode("utf-8")


@st.composite
def mutated(draw, data: bytes, kind: str) -> tuple[bytes, Mutation]:
    if draw(st.integers(0, 5)) == 0:
        return draw(bytes_mutation(data, kind))
    if kind == "csv":
        return draw(csv_mutation(data))
    if kind in ("json", "yaml"):
        doc = json.loads(data) if kind == "json" else yaml.safe_load(data)
        new, m = draw(tree_mutation(doc))
        return _dump(kind, new), m
    if kind == "markdown":
        _, front, body = data.decode("utf-8").split("---\n", 2)
        new, m = draw(tree_mutation(yaml.safe_load(front)))
        return _dump(kind, new, body), m
    lines = data.decode("utf-8").splitlines(keepends=True)
    i = draw(st.integers(0, len(lines) - 1))
    lines[i] = draw(st.sampled_from(TEXTS + ["", "---\n", "x: [\n"])) + lines[i]
    return "".join(lines).encode("utf-8"), Mutation("struct")


# --- the oracle ----------------------------------------------------------------------------------------------


def _key(x: float) -> float:
    return float(f"{x:.9g}")


def _run(source: str, files: list) -> pd.DataFrame | AggregatorError:
    mod = collector(source)
    try:
        out = mod.parse(files)
    except AggregatorError as exc:
        assert source in str(exc), f"error must name the source: {exc}"
        return exc
    assert isinstance(out, pd.DataFrame), "parse returns a table"
    if source != "epoch_ai_models":  # a models source validates its own table
        validate(out, PARSED_SCHEMA, f"{source} parser output")
    out.to_csv(index=False).encode("utf-8")  # results are written as UTF-8: no lone surrogates
    return out


def _check(source: str, base: pd.DataFrame, out: pd.DataFrame | AggregatorError, m: Mutation, text: str) -> None:
    if isinstance(out, AggregatorError) or m.field in FILTER_FIELDS.get(source, ()):
        return
    if "score" in out:  # a NaN score is a blank cell, no score: the oracle judges the scores
        out, base = out[out["score"].notna()], base[base["score"].notna()]
    if source == "epoch_ai_models":
        for col in out.columns:
            allowed = set(base[col].astype(str)) | {"", "nan", "None"}
            if m.renamed:
                allowed |= {m.renamed[1]}
            extra = set(out[col].astype(str)) - allowed
            assert m.kind != "struct" or not extra, f"{col}: values {sorted(extra)[:3]} not in the unmutated output"
        return
    scores = out["score"].map(_key)
    base_scores = Counter(base["score"].map(_key))
    if m.kind == "text" and m.was_number and source not in TEXT_COLUMN_IS_METADATA:
        assert len(out) >= len(base) or out.attrs.get("warnings"), \
            "a numeric cell replaced by text was dropped silently instead of raising (or a warning in the refresh log)"
    if source in DERIVED:
        if m.op == "dup":
            assert out.equals(base), "a duplicated row changed the computed scores"
        return
    old, new = (m.renamed[0].strip(), m.renamed[1].strip()) if m.renamed else ("", "")
    keys = out["benchmark_key"].where(out["benchmark_key"].ne(new), old) if m.renamed else out["benchmark_key"]
    if m.kind in ("struct", "bytes"):  # a number may move to a fallback key or name, never appear from elsewhere
        known = set(zip(base["benchmark_key"], base["score"].map(_key), strict=True))
        pairs = set(zip(base["source_model_name"], base["score"].map(_key), strict=True))
        extra = {(k, n, s) for k, n, s in zip(keys, out["source_model_name"], scores, strict=True)
                 if (k, s) not in known and (n, s) not in pairs}
        assert not extra, f"(benchmark, model, score) not in the unmutated output: {sorted(extra)[:3]}"
        odd = {n for n in out["source_model_name"] if n not in set(base["source_model_name"]) and n not in text and n != new}
        assert not odd, f"model names from nowhere: {sorted(odd)[:3]}"
    elif m.kind in ("text", "blank"):
        assert not (Counter(scores) - base_scores), f"a {m.kind} cell produced a new score"
    else:
        allowed = set(base_scores)
        if m.number is not None and math.isfinite(m.number):
            allowed |= {_key(m.number * f) for f in (1, 100, 0.01)}
        extra = set(scores) - allowed
        assert not extra, f"scores {sorted(extra)[:3]} are neither upstream values nor the new number {m.number!r}"


def _group(source: str, name: str, everything: dict[str, bytes]) -> dict[str, bytes]:
    """The file with the files it is read with (same folder for llm_stats/hf_cards, same release for livebench);
    all of the source's files when it yields no rows alone (an index or metadata file). Fewer files, faster cases."""
    stem = name.rsplit("_", 3)[-3:] if source == "livebench" else None
    folder = name.rpartition("/")[0]
    group = {k: v for k, v in everything.items() if k == name or (source in ("llm_stats", "hf_cards") and
             k.rpartition("/")[0] == folder) or (stem and k.rsplit("_", 3)[-3:][:2] == stem[:2])}
    try:
        alone = collector(source).parse([raw(k, v, as_of=AS_OF) for k, v in group.items()])
    except AggregatorError:
        return everything
    return group if len(alone) else everything


@pytest.mark.parametrize("source,name", CASES, ids=[f"{s}:{f}" for s, f in CASES])
def test_parse_under_mutation(source, name):
    everything = {n: (FIXTURES / source / n).read_bytes() for n in _files(source)}
    originals = _group(source, name, everything)
    files = lambda n, data: [raw(k, data if k == n else v, as_of=AS_OF) for k, v in originals.items()]  # noqa: E731
    base = _run(source, files(name, originals[name]))
    assert isinstance(base, pd.DataFrame) and len(base), "the unmutated fixtures parse"
    if source in ("epoch_ai_models", "superclue"):  # a row may come from another snapshot file once the newer one loses it
        base = pd.concat([base] + [collector(source).parse([raw(k, v, as_of=AS_OF)]) for k, v in everything.items()])
    kind = _kind(name, originals[name])
    text = originals[name].decode("utf-8", errors="replace")

    @FUZZ
    @given(mutated(originals[name], kind))
    def run(case):
        data, m = case
        _check(source, base, _run(source, files(name, data)), m, text)

    run()
