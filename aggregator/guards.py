"""What a refresh refuses or keeps, between parse() and results/: damaged files, values over the limits (limits.py),
declared files that vanished or shrank, rows whose new value is blank or rejected, and duplicate rows.

A refusal is a ParseError naming the file and row; a guard keeps previous rows and says which and why."""

from __future__ import annotations

import fnmatch
import glob
import re
from collections.abc import Callable
from pathlib import PurePosixPath

import numpy as np
import pandas as pd

from .config import Source
from .errors import ParseError
from .fetch import RawFile, secret_values
from .limits import MAX_CELL_CHARS, MAX_NAME_CHARS, MAX_ROWS_PER_FILE
from .resolve import per_value

TEXT_SUFFIXES = (".csv", ".tsv", ".json", ".yml", ".yaml")  # data formats (model cards, .md, are free text)
CONFLICT = re.compile(rb"^(<<<<<<<|>>>>>>>) ", re.MULTILINE)  # git merge-conflict markers (not '=======': markdown)
GZIP = b"\x1f\x8b"  # a gzip body under a text name (OpenCompass editions): its parser unpacks and checks it
NAME_COLUMNS = ("source_model_name", "base_model_name", "upstream_org", "benchmark_key")


def check_files(source_id: str, files: list[RawFile]) -> None:
    """Refuse a text file that is not UTF-8 or holds a merge-conflict marker (a damaged or botched copy of the
    upstream, not its data), naming the line."""
    for f in (f for f in files if f.name.lower().endswith(TEXT_SUFFIXES) and not f.data.startswith(GZIP)):
        try:
            f.data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = f.data.count(b"\n", 0, exc.start) + 1
            raise ParseError(source_id, f.name, f"not UTF-8 text (byte {exc.start}): a damaged copy", row=line) from None
        if m := CONFLICT.search(f.data):
            line = f.data.count(b"\n", 0, m.start()) + 1
            raise ParseError(source_id, f.name, f"merge-conflict marker {m.group(1).decode()!r}: not upstream data", row=line)


def _locate(files: list[RawFile], value: str, url: str) -> tuple[str, int | None]:
    """The file holding a parsed value and the line it starts on (the file of `url` and no line when not found)."""
    probe = value[:200].encode("utf-8", "replace")
    for f in files:
        if (pos := f.data.find(probe)) >= 0:
            return f.name, f.data.count(b"\n", 0, pos) + 1
    return next((f.name for f in files if f.url == url), files[0].name), None


def check_limits(source_id: str, parsed: pd.DataFrame, files: list[RawFile]) -> None:
    """Refuse parsed text over the limits of limits.py, naming the file and row it came from."""
    if len(parsed) > MAX_ROWS_PER_FILE * max(len(files), 1):
        raise ParseError(source_id, files[0].name, f"{len(parsed):,} rows from {len(files)} file(s), over the limit of "
                                                   f"{MAX_ROWS_PER_FILE:,} per file")
    for col in parsed.columns:
        if not (pd.api.types.is_string_dtype(parsed[col]) or parsed[col].dtype == object):
            continue
        limit = MAX_NAME_CHARS if col in NAME_COLUMNS else MAX_CELL_CHARS
        lengths = parsed[col].astype(str).str.len()
        if len(lengths) and lengths.max() > limit:
            i = lengths.idxmax()
            url = str(parsed.at[i, "source_url"]) if "source_url" in parsed else ""
            name, line = _locate(files, str(parsed.at[i, col]), url)
            raise ParseError(source_id, name, f"{col}: {int(lengths[i]):,} characters, over the limit of {limit:,}",
                             row=line)


def redact_parsed(parsed: pd.DataFrame) -> tuple[pd.DataFrame, bool]:
    """Parsed text without any secret of the environment (a server may echo a token inside a compressed file,
    where fetch's byte-level redaction cannot see it); True when one was found."""
    found = False
    for secret in secret_values():
        for col in parsed.columns:
            try:
                hit = parsed[col].str.contains(secret, regex=False, na=False)
            except AttributeError:  # not a text column
                continue
            if hit.any():
                parsed = parsed.assign(**{col: parsed[col].mask(hit, parsed[col].str.replace(secret, "***", regex=False))})
                found = True
    return parsed, found


def _url_key(url: str) -> str:
    """A file's URL without its revision (Hugging Face `/resolve/<commit>/`): the same file in another snapshot."""
    return re.sub(r"/resolve/[^/]+/", "/resolve/-/", url)


def _owner(url: str, files: list[RawFile]) -> RawFile | None:
    """The fetched file a previous row came from: same URL up to the revision, or a URL ending in its name."""
    hits = [f for f in files if _url_key(f.url) == _url_key(url) or url.endswith("/" + f.name)]
    return hits[0] if len(hits) == 1 else None


def _tail(url: str, parts: int) -> str:
    return "/".join(url.split("/")[-parts:])


def _declared(source: Source, mirror: bool) -> list[Callable[[str], str]]:
    """For each file or glob the source declares (in this mode), a test giving a previous row's URL the declared
    name it was read from ('' when it is not one of them)."""
    if mirror:
        def mirror_file(u: str, p: str) -> str:
            tail = _tail(u, p.count("/") + 1)
            if fnmatch.fnmatchcase(tail, p):
                return tail
            return p if not glob.has_magic(p) and u.endswith("/" + PurePosixPath(p).name) else ""

        return [lambda u, p=p: mirror_file(u, p) for g in source.mirror for p in g.files]
    out: list[Callable[[str], str]] = []
    for ep in source.endpoints:
        if ep.hf is not None:
            out.append(lambda u, h=ep.hf, n=ep.name: n if f"/{h.repo_id}/resolve/" in u and u.endswith("/" + h.filename) else "")
        else:
            out.append(lambda u, url=ep.url, n=ep.name: n if u == url else "")
    return out


def keep_files(source: Source, files: list[RawFile], new: pd.DataFrame, old: pd.DataFrame,
               mirror: bool) -> tuple[pd.DataFrame, list[str], set[str]]:
    """Per declared file: a file that vanished, or that gives under half of its previous rows of a benchmark (a
    board cut from a file), keeps those previous rows (the new ones are dropped). Returns the rows, one note per
    file kept and the fetched files none of whose new rows are left."""
    notes, kept, shrunk = [], [], set()
    urls = old["source_url"].unique()
    owner = {u: _owner(u, files) for u in urls}  # a plain loop: pandas would try to render each RawFile
    old_file = pd.Series(per_value(old["source_url"], {u: f.name for u, f in owner.items() if f is not None}, ""), index=old.index)
    before, now = _pair_counts(old_file, old["benchmark_id"]), _pair_counts(new["source_url"], new["benchmark_id"])
    dropped: set[tuple[str, str]] = set()  # (url, benchmark) whose new rows are dropped for the previous ones
    for f in files:
        for bench, n_before in sorted((b, n) for (name, b), n in before.items() if name == f.name):
            n_now = 0 if (f.url, bench) in dropped else now.get((f.url, bench), 0)
            if n_now < n_before / 2:
                notes.append(f"{f.name}: {n_now} {bench} rows where there were {n_before} (under half): the previous ones kept")
                dropped.add((f.url, bench))
                kept.append(old[old_file.eq(f.name) & old["benchmark_id"].eq(bench)])
        if old_file.eq(f.name).any() and not any(u == f.url and (u, b) not in dropped for u, b in now):
            shrunk.add(f.name)
    if dropped:
        pairs = pd.MultiIndex.from_arrays([new["source_url"], new["benchmark_id"]])
        new = new[~pairs.isin(list(dropped))]
    tests = _declared(source, mirror)
    gone = {u: next((n for t in tests if (n := t(u))), "") for u in urls if owner[u] is None}
    for url, name in sorted((u, n) for u, n in gone.items() if n):
        before = old[old["source_url"].eq(url)]
        notes.append(f"{name}: declared but not found: its previous {len(before)} rows kept")
        kept.append(before)
    return (pd.concat([new, *kept], ignore_index=True) if kept else new), notes, shrunk


def _pair_counts(a: pd.Series, b: pd.Series) -> dict[tuple[str, str], int]:
    """How many rows hold each (a, b) pair that occurs."""
    ac, au = pd.factorize(a)
    bc, bu = pd.factorize(b)
    counts = np.bincount(ac.astype(np.int64) * max(len(bu), 1) + bc, minlength=len(au) * len(bu))
    return {(au[i // len(bu)], bu[i % len(bu)]): int(counts[i]) for i in np.flatnonzero(counts)}


def keep_held(new: pd.DataFrame, old: pd.DataFrame, held: pd.DataFrame, key: list[str],
              held_key: list[str]) -> tuple[pd.DataFrame, int]:
    """Previous rows whose new value is blank ('N/A') or rejected (out of range), unless the row is still there."""
    if held.empty or old.empty:
        return new, 0
    wanted = pd.MultiIndex.from_frame(held[held_key].astype(str)).unique()
    cand = old[pd.MultiIndex.from_frame(old[held_key].astype(str)).isin(wanted)]
    cand = cand[~pd.MultiIndex.from_frame(cand[key].astype(str)).isin(pd.MultiIndex.from_frame(new[key].astype(str)))]
    return (pd.concat([new, cand], ignore_index=True) if len(cand) else new), len(cand)


def dedupe(new: pd.DataFrame, columns: list[str]) -> tuple[pd.DataFrame, int]:
    """Rows identical in every data column once (an upstream listing a record twice); the count dropped.
    Rows sharing a row key with different values are distinct reports (Epoch's external sources) and stay."""
    dup = new.duplicated(columns)
    return (new[~dup].reset_index(drop=True), int(dup.sum())) if dup.any() else (new, 0)
