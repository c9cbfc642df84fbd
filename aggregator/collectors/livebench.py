"""LiveBench (livebench.ai): one table per release, `table_<YYYY_MM_DD>.csv` (model + one 0-100 column per task),
with `categories_<YYYY_MM_DD>.json` ({category: [task columns]}).

The CSVs hold task scores only; the site computes the rest in the browser (src/Table/Averaging.js) and so do we:
a category score is the mean of its task columns that the model has (blanks ignored), the global average is the
mean of the category scores. Unlike the site, no global average is emitted for a model that lacks a whole
category (the site would average what is left), and rows whose field count differs from the header are skipped
with a warning (the site would shift their values into the wrong columns).
Each release is its own snapshot: as_of = the release date in the file name, setting = `release=<date>`, because
task sets change between releases and scores of different releases must never be compared.
Live: the release list is hard-coded in the site's JS bundle; sources.yaml declares the known releases and fetch
skips those the site no longer serves (HTTP 404/410), as long as one release is fetched. Per-task rows are not emitted.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from pathlib import PurePosixPath

import pandas as pd

from ..config import Configs, Endpoint, Source
from ..errors import FetchError, ParseError
from ..fetch import Fetcher, RawFile
from ..store import finish_parsed
from ._util import read_json, to_number

SOURCE_ID = "livebench"
FILE_RE = re.compile(r"^(table|categories)_(\d{4})_(\d{2})_(\d{2})\.(csv|json)$")
log = logging.getLogger(__name__)


def _release(name: str) -> tuple[str, str] | None:
    """'table_2026_01_08.csv' -> ('table', '2026-01-08'); None for any other file name."""
    m = FILE_RE.match(PurePosixPath(name).name)
    if not m or (m[1] == "table") != (m[5] == "csv"):
        return None
    return m[1], f"{m[2]}-{m[3]}-{m[4]}"


def _not_published(exc: FetchError) -> bool:
    # fetch_url reports the status only in its message ("HTTP 404 from <url>")
    return re.search(r"\bHTTP (404|410)\b", str(exc)) is not None


def fetch(fetcher: Fetcher, source: Source, configs: Configs) -> list[RawFile]:
    """Mirror: every table/categories file. Live: each declared release whose files the site still serves."""
    if fetcher.mirror is not None:
        return fetcher.from_mirror(source)
    releases: dict[str, list[Endpoint]] = {}
    for ep in source.endpoints:
        rel = _release(ep.name)
        releases.setdefault(rel[1] if rel else ep.name, []).append(ep)
    files: list[RawFile] = []
    for release, eps in sorted(releases.items()):
        try:
            files += [fetcher.fetch_endpoint(source, ep) for ep in eps]
        except FetchError as exc:
            if not _not_published(exc):
                raise
            log.warning("%s: release %s skipped, not served upstream (%s)", source.id, release, exc)
    if not files:
        raise FetchError(f"{source.id}: none of the {len(releases)} declared releases could be fetched")
    return files


def _read_table(f: RawFile) -> pd.DataFrame:
    """The release CSV as strings; a ragged row is read as blanks with a warning, never shifted (its previous
    scores are kept), except a cut last row in a file without its final newline: a truncated file."""
    try:
        text = f.data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ParseError(SOURCE_ID, f.name, f"not UTF-8 text (byte {exc.start})") from None
    reader = csv.reader(io.StringIO(text))
    try:
        rows = [r for r in reader if any(c.strip() for c in r)]
    except csv.Error as exc:
        raise ParseError(SOURCE_ID, f.name, f"not a readable CSV ({exc})", row=reader.line_num) from None
    if not rows or rows[0][:1] != ["model"] or len(rows[0]) < 2:
        raise ParseError(SOURCE_ID, f.name, "expected a header 'model,<task>,<task>,...'", row=1)
    if len(set(rows[0])) < len(rows[0]):
        raise ParseError(SOURCE_ID, f.name, "duplicate task column in the header", row=1)
    header, body, index = rows[0], [], []
    for i, r in enumerate(rows[1:], start=2):
        if len(r) != len(header):
            if i == len(rows) and not text.endswith("\n"):
                raise ParseError(SOURCE_ID, f.name, f"{len(r)} fields for {len(header)} columns in the last row and no "
                                                    "newline after it: the file looks truncated", row=i)
            log.warning("%s: %s, row %d (%s): %d fields for %d columns; read as blanks", SOURCE_ID, f.name, i, r[0], len(r), len(header))
            r = [r[0]] + [""] * (len(header) - 1)
        body.append(r)
        index.append(i - 2)  # so errors name the file's own row number
    df = pd.DataFrame(body, columns=header, index=index).assign(model=lambda d: d["model"].str.strip())
    if df["model"].eq("").any():
        raise ParseError(SOURCE_ID, f.name, "model: empty name", row=int(df["model"].eq("").idxmax()) + 2)
    dup = df["model"].duplicated()
    if dup.any():
        log.warning("%s: %s: duplicate rows for %s; first kept", SOURCE_ID, f.name, sorted(set(df.loc[dup, "model"])))
        df = df[~dup]
    return df


def _categories(f: RawFile) -> dict[str, list[str]]:
    doc = read_json(SOURCE_ID, f)
    ok = isinstance(doc, dict) and doc and all(
        isinstance(v, list) and v and all(isinstance(t, str) for t in v) for v in doc.values())
    if not ok:
        raise ParseError(SOURCE_ID, f.name, "expected {category: [task column, ...]} with at least one category")
    return doc


def _parse_release(table: RawFile, cats_file: RawFile, release: str) -> pd.DataFrame:
    df = _read_table(table)
    cats = _categories(cats_file)
    tasks = sorted({t for ts in cats.values() for t in ts} & set(df.columns))
    missing = sorted({t for ts in cats.values() for t in ts} - set(df.columns))
    if missing:
        log.warning("%s: %s names tasks absent from %s: %s (averaged over the tasks present, as the site does)",
                    SOURCE_ID, cats_file.name, table.name, missing)
    scores = pd.DataFrame({t: to_number(SOURCE_ID, table, df[t], t) for t in tasks}, index=df.index)
    for t in tasks:  # a task score is a percentage: outside 0-100 it would skew the means it enters
        bad = scores[t].lt(0) | scores[t].gt(100)
        if bad.any():
            i = int(bad.idxmax())
            raise ParseError(SOURCE_ID, table.name, f"{t}: expected a score from 0 to 100, got {df.at[i, t]!r}", row=i + 2)
    cat_scores = pd.DataFrame({c: scores[[t for t in dict.fromkeys(ts) if t in scores]].mean(axis=1)  # a task listed twice counts once
                               for c, ts in cats.items()}, index=df.index)
    complete = cat_scores.notna().all(axis=1)
    wide = cat_scores.rename(columns=lambda c: f"category:{c}").assign(**{"global": cat_scores.mean(axis=1).where(complete)})
    wide.insert(0, "source_model_name", df["model"])
    long = wide.melt(id_vars="source_model_name", var_name="benchmark_key", value_name="score")  # incomplete: NaN
    return long.assign(setting=f"release={release}", as_of=release, source_url=table.url)


def parse(files: list[RawFile]) -> pd.DataFrame:
    tables: dict[str, RawFile] = {}
    cats: dict[str, RawFile] = {}
    for f in files:
        rel = _release(f.name)
        if rel is None:
            raise ParseError(SOURCE_ID, f.name, "unknown file: expected table_<YYYY_MM_DD>.csv or categories_<YYYY_MM_DD>.json")
        (tables if rel[0] == "table" else cats)[rel[1]] = f
    frames = []
    for release, table in sorted(tables.items()):
        if release not in cats:
            raise ParseError(SOURCE_ID, table.name, f"no categories_{release.replace('-', '_')}.json for this release")
        frames.append(_parse_release(table, cats[release], release))
    frames = [fr for fr in frames if not fr.empty]
    return finish_parsed(pd.concat(frames, ignore_index=True) if frames else [])
