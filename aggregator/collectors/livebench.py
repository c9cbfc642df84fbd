"""LiveBench (livebench.ai): one table per release, `table_<YYYY_MM_DD>.csv` (model + one 0-100 column per task),
with `categories_<YYYY_MM_DD>.json` ({category: [task columns]}).

The CSVs hold task scores only; the site computes the rest in the browser (src/Table/Averaging.js) and so do we:
a category score is the mean of its task columns that the model has (blanks ignored), the global average is the
mean of the category scores. Unlike the site, no global average is emitted for a model that lacks a whole
category (the site would average what is left). A row with fewer fields than the header is read as the site's
CSV reader (PapaParse) reads it, values in order and the missing trailing tasks blank, and a row with more fields
keeps the header's columns only; either way the row is reported in the refresh log (parse warnings).
Each release is its own snapshot: as_of = the release date in the file name, setting = `release=<date>`, because
task sets change between releases and scores of different releases must never be compared. A release lists models
evaluated after its question set was published: `model_release_date` is the model's version date as the site's
own model table (src/Table/modelLinks.js, in the site's JS bundle) states it, so that nothing dates a model by the
release it was scored on.
Live: the site's own index. `asset-manifest.json` names the JS bundle; the bundle's release selector lists the
releases (`"2025-04-25"===e?"5"`) and its model table the versions. Each release's files are then fetched; one the
site no longer serves (404/410) is skipped, and its earlier rows stay in scores.csv (sources.yaml
`history: snapshots`). Mirror: the table and categories files (and the bundle or modelLinks.js when present).
Per-task rows are not emitted.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from pathlib import PurePosixPath

import pandas as pd

from ..config import Configs, Source
from ..errors import FetchError, ParseError
from ..fetch import Fetcher, RawFile
from ..store import finish_parsed
from ._util import read_json, to_number, with_formats

SOURCE_ID = "livebench"
FILE_RE = re.compile(r"^(table|categories)_(\d{4})_(\d{2})_(\d{2})\.(csv|json)$")
MANIFEST = "asset-manifest.json"
DATE = r"(\d{4}-\d{2}-\d{2})"
# The release selector, minified ('"2025-04-25"===e?"5"', '"5"===t?"2025-04-25":"2026-01-08"') or as source
# ("selectedDate === '2025-04-25'", "setSelectedDate('2025-04-25')", "useState('2026-01-08')").
RELEASE_RES = [re.compile(p) for p in (
    rf"[\"']{DATE}[\"']\s*===", rf"===\s*[\"']{DATE}[\"']", rf"===\s*\w+\s*\?\s*[\"']{DATE}[\"']",
    rf"\?\s*[\"']{DATE}[\"']\s*:\s*[\"']{DATE}[\"']", rf"(?:setSelectedDate|useState\)?)\(\s*[\"']{DATE}[\"']\s*\)")]
MODEL_ENTRY = re.compile(r"[\"']([^\"'\s{}:,]+)[\"']\s*:\s*\{\s*url\s*:")
log = logging.getLogger(__name__)


def _release(name: str) -> tuple[str, str] | None:
    """'table_2026_01_08.csv' -> ('table', '2026-01-08'); None for any other file name."""
    m = FILE_RE.match(PurePosixPath(name).name)
    if not m or (m[1] == "table") != (m[5] == "csv"):
        return None
    return m[1], f"{m[2]}-{m[3]}-{m[4]}"


def releases(bundle: str) -> list[str]:
    """The release dates the site's release selector offers (its JS, minified or not)."""
    found = {d for rx in RELEASE_RES for m in rx.finditer(bundle) for d in m.groups() if d}
    return sorted(found)


def model_versions(bundle: str) -> dict[str, str]:
    """Model name (and each variant's rawName) -> version date, from the site's model table (modelLinks.js)."""
    out: dict[str, str] = {}
    for m in MODEL_ENTRY.finditer(bundle):
        depth = 0
        start = i = bundle.index("{", m.start())
        for i in range(start, min(len(bundle), start + 5000)):  # the entry's own braces (variants nest)
            depth += {"{": 1, "}": -1}.get(bundle[i], 0)
            if depth == 0:
                break
        body = bundle[start: i + 1]
        version = re.search(rf"version\s*:\s*[\"']{DATE}[\"']", body)
        if version:
            for name in [m[1], *re.findall(r"rawName\s*:\s*[\"']([^\"']+)[\"']", body)]:
                out.setdefault(name, version[1])
    return out


def _not_published(exc: FetchError) -> bool:
    # fetch_url reports the status only in its message ("HTTP 404 from <url>")
    return re.search(r"\bHTTP (404|410)\b", str(exc)) is not None


def fetch(fetcher: Fetcher, source: Source, configs: Configs) -> list[RawFile]:
    """Mirror: every declared file. Live: the site's index (manifest -> bundle -> releases), then each release."""
    if fetcher.mirror is not None:
        return fetcher.from_mirror(source)
    site = source.urls["site"]
    manifest = fetcher.fetch_url(source, MANIFEST, site + MANIFEST)
    doc = read_json(SOURCE_ID, manifest)
    main = (doc.get("files") or {}).get("main.js") if isinstance(doc, dict) else None
    if not isinstance(main, str) or not main.endswith(".js"):
        raise FetchError(f"{source.id}: {MANIFEST} names no main.js bundle (the site's release index)")
    bundle = fetcher.fetch_url(source, "bundle.js", site + main.removeprefix("./").lstrip("/"))
    dates = releases(bundle.data.decode("utf-8", errors="replace"))
    if not dates:
        raise FetchError(f"{source.id}: no release found in the site's bundle {main} (the release selector changed?)")
    files: list[RawFile] = [bundle]
    for release in dates:
        stem = release.replace("-", "_")
        try:
            files += [fetcher.fetch_url(source, n, site + n) for n in (f"table_{stem}.csv", f"categories_{stem}.json")]
        except FetchError as exc:
            if not _not_published(exc):
                raise
            log.warning("%s: release %s skipped, not served upstream (%s)", source.id, release, exc)
    if len(files) == 1:
        raise FetchError(f"{source.id}: none of the {len(dates)} releases the site lists could be fetched")
    return files


def _read_table(f: RawFile, warnings: list[str]) -> pd.DataFrame:
    """The release CSV as strings. A ragged row is read as the site reads it (missing trailing tasks blank, fields
    past the header ignored) and reported, never shifted; a cut last row in a file without its final newline is a
    truncated file and refused."""
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
            how = "missing trailing tasks left blank" if len(r) < len(header) else "fields past the header ignored"
            warnings.append(f"{f.name}, row {i} ({r[0]}): {len(r)} fields for {len(header)} columns; read as the site "
                            f"reads it ({how})")
        body.append((r + [""] * len(header))[: len(header)])
        index.append(i - 2)  # so errors name the file's own row number
    df = pd.DataFrame(body, columns=header, index=index).assign(model=lambda d: d["model"].str.strip())
    if df["model"].eq("").any():
        raise ParseError(SOURCE_ID, f.name, "model: empty name", row=int(df["model"].eq("").idxmax()) + 2)
    dup = df["model"].duplicated()
    if dup.any():
        warnings.append(f"{f.name}: duplicate rows for {sorted(set(df.loc[dup, 'model']))}; first kept")
        df = df[~dup]
    return df


def _categories(f: RawFile) -> dict[str, list[str]]:
    doc = read_json(SOURCE_ID, f)
    ok = isinstance(doc, dict) and doc and all(
        isinstance(v, list) and v and all(isinstance(t, str) for t in v) for v in doc.values())
    if not ok:
        raise ParseError(SOURCE_ID, f.name, "expected {category: [task column, ...]} with at least one category")
    return doc


def _parse_release(table: RawFile, cats_file: RawFile, release: str, versions: dict[str, str],
                   warnings: list[str]) -> pd.DataFrame:
    df = _read_table(table, warnings)
    cats = _categories(cats_file)
    tasks = sorted({t for ts in cats.values() for t in ts} & set(df.columns))
    missing = sorted({t for ts in cats.values() for t in ts} - set(df.columns))
    if missing:
        warnings.append(f"{cats_file.name} names tasks absent from {table.name}: {missing} (averaged over the tasks "
                        "present, as the site does)")
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
    released = long["source_model_name"].map(lambda m: versions.get(m, ""))
    return long.assign(setting=f"release={release}", as_of=release, source_url=table.url, model_release_date=released)


def _model_table(files: list[RawFile]) -> dict[str, str]:
    versions: dict[str, str] = {}
    for f in files:
        versions |= model_versions(f.data.decode("utf-8", errors="replace"))
    return versions


def parse(files: list[RawFile]) -> pd.DataFrame:
    tables: dict[str, RawFile] = {}
    cats: dict[str, RawFile] = {}
    scripts: list[RawFile] = []
    for f in files:
        if PurePosixPath(f.name).suffix == ".js":  # the site's bundle, or src/Table/modelLinks.js
            scripts.append(f)
            continue
        rel = _release(f.name)
        if rel is None:
            raise ParseError(SOURCE_ID, f.name, "unknown file: expected table_<YYYY_MM_DD>.csv, categories_<YYYY_MM_DD>.json "
                             "or the site's JS")
        (tables if rel[0] == "table" else cats)[rel[1]] = f
    versions, warnings, frames = _model_table(scripts), [], []
    for release, table in sorted(tables.items()):
        if release not in cats:
            raise ParseError(SOURCE_ID, table.name, f"no categories_{release.replace('-', '_')}.json for this release")
        frames.append(_parse_release(table, cats[release], release, versions, warnings))
    frames = [fr for fr in frames if not fr.empty]
    out = finish_parsed(pd.concat(frames, ignore_index=True) if frames else [])
    formats = [f"table_<date>.csv + categories_<date>.json, {len(tables)} releases"]
    if scripts:
        formats.append(f"site JS model table ({len(versions)} model versions)")
    return with_formats(out, formats, warnings)
