"""Epoch AI Benchmarking Hub: Epoch-run evaluations, mirrored external leaderboards and the Epoch Capabilities Index.

Live: https://epoch.ai/data/benchmark_data.zip, read in memory (never extracted). Two layouts are read:
- flat (to 2026-04): one CSV per benchmark at the root, the ECI in `epoch_capabilities_index.csv` (`ECI Score`),
  support tables in `additional_eci_data/`;
- indexed (2026-08 on): the same benchmark CSVs plus `benchmark_metadata.csv` (the upstream's index: benchmark,
  source_file, score_column, scale, ...) and `model_metadata.csv` at the root, and the ECI in
  `epoch_capabilities_index/eci_scores.csv` (Model, eci, eci_ci_low, eci_ci_high, date, ...) beside support tables
  (edi_scores.csv, processed_data_for_eci.csv, eci_bootstraps.json). A root CSV without `Model version` that the
  index does not list is a support table: skipped, with a warning in the refresh log.
Mirror: the CSVs themselves. Every benchmark file is read by its columns, not from a fixed list: it starts with
`Model version` and its headline score column is found by name (`_score_column`; the index's score_column when
the names say nothing). The snapshot date is the file's Last-Modified, else the newest member date in the zip.
Settings keep every field that tells runs apart: effort and thinking budget from the `Model version` suffix, else
from the `Name` ("(120K, High)", "(Thinking)"), and for rows that still coincide the `Name`, `Source` or record id.
Intervals: given bounds, else derived as score ± 1.96 standard error (see `_ci`).
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import re
import stat
import zipfile
import zlib
from pathlib import PurePosixPath

import pandas as pd

from ..config import Configs, Source
from ..errors import ParseError
from ..fetch import Fetcher, RawFile
from ..store import finish_parsed
from ._util import iso_date, read_csv, require_columns, to_number, with_formats

SOURCE_ID = "epoch_benchmarking_hub"
ECI_KEY = "epoch_capabilities_index"
MAX_ZIP_ENTRIES = 2000
MAX_ZIP_BYTES = 200_000_000
SKIP_FOLDERS = {"additional_eci_data", "__MACOSX"}
INDEX = "benchmark_metadata.csv"
SUPPORT_TABLES = {INDEX, "model_metadata.csv"}  # root tables of the indexed layout that hold no scores
DOS_EPOCH = 1980  # a zip member dated 1980-01-01 carries no date

# Headline score columns seen upstream, in order of preference; `SCORE_PATTERN` catches new files' names.
SCORE_NAMES = (
    "mean_score", "ECI Score", "eci", "Score", "Accuracy", "Accuracy mean", "EM", "Percent correct", "Global average",
    "Arena Score", "% Resolved", "% Score", "Pass@1 score", "Challenge score", "Average", "Average score",
    "Average progress", "Average (%)", "Overall accuracy", "Overall pass (%)", "Overall (no subtitles)",
    "Unguided % Solved", "120k token score", "Win Rate (%)", "ACW Avg Score", "Score OPT@1", "Score (AVG@5)",
    "Mean score", "Time horizon", "Correct",
)
SCORE_PATTERN = re.compile(r"score|accurac|average|correct|resolved|solved|pass|win rate|^em$|progress|horizon|%", re.I)
# Never a headline by the pattern: a best-of, a spread or a bound (a file that lost its score column must fail).
NOT_HEADLINE = re.compile(r"\bbest\b|\bmax|\bmin|std|stderr|error|\bci\b|\blow\b|\bhigh\b|rank", re.I)
RUN_DATE_COLUMNS = ("Started at", "Date run", "Date of evaluation", "Run date", "Evaluation date", "Date",
                    "Last updated", "Date added")
CI_BOUNDS = (("CI_low", "CI_high"), ("95% CI Low", "95% CI High"), ("eci_ci_low", "eci_ci_high"))
STDERR_PATTERN = re.compile(r"^stderr$|\bSE\b|standard error", re.I)
PLUS_MINUS_COLUMN = re.compile(r"\bCI\b")
PLUS_MINUS_CI = re.compile(r"^=?\s*\+\s*([\d.]+)\s*/\s*-\s*([\d.]+)\s*$")
SETTING_COLUMNS = {  # upstream column -> (setting key, pattern cut from the value)
    "Shots": ("shots", r"(?i)[\s-]*shots?$"),
    "Edit format": ("edit_format", ""),
    "Tools": ("tools", ""),
    "METR version": ("version", ""),
    "LiveBench Version": ("release", r"^LiveBench-"),  # release=<date>, as the livebench collector writes it
    "SWE-Agent Release Version": ("swe_agent", ""),
}
SCAFFOLD_COLUMNS = ("Scaffold", "Agent")
EFFORT_SUFFIX = r"_(none|minimal|low|medium|high|xhigh|max|unknown)$"  # `unknown`: Epoch does not know the effort
BUDGET_SUFFIX = r"_(\d+)[kK]$"
# Run conditions Epoch writes only in the free-text `Name`: "Claude Opus 4.6 (120K, High)", "(Thinking, 16K)",
# "(High, 120k thinking)", "Claude Opus 4 (Thinking)", "claude-opus-4-1-20250805-thinking".
NAME_EFFORTS = {"none": "none", "minimal": "minimal", "low": "low", "med": "medium", "medium": "medium", "high": "high",
                "xhigh": "xhigh", "x-high": "xhigh", "max": "max"}
NAME_PARENS = re.compile(r"\(([^()]*)\)")
NAME_BUDGET = re.compile(r"^(\d+)[kK]$")
STEPS = r"\s*\((\d+) steps?\)\s*$"
BOOLISH = {"", "true", "false", "checked", "yes", "no"}
# Self-reported: a developer's own document (system/model card, announcement) or a paper naming the model's family.
DEVELOPER_DOC = re.compile(r"\b(?:system|model) card\b|annou?nce?ment|\breleasing\b", re.I)
THIRD_PARTY = re.compile(r"leaderboard|dashboard|website|github|\bhelm\b|crfm|papers ?with ?code|tweet|arena|results", re.I)
GENERIC_TOKENS = frozenset(
    "chat instruct base preview exp experimental latest turbo mini high low medium xhigh minimal none unknown thinking "
    "coder code math vision large small pro flash lite open model models sft dpo reasoning max plus fast nano ultra "
    "text language research the and for moe distill online web app agent steps".split()
)


def fetch(fetcher: Fetcher, source: Source, configs: Configs) -> list[RawFile]:
    """Mirror: one RawFile per CSV. Live: one RawFile holding the whole zip, expanded by parse()."""
    return fetcher.fetch_declared(source)


# --- zip -------------------------------------------------------------------------------------------------


def _unsafe_member(info: zipfile.ZipInfo) -> str | None:
    name = info.filename
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        return "absolute path"
    if ".." in re.split(r"[/\\]", name):
        return "'..' in path"
    if stat.S_ISLNK(info.external_attr >> 16):
        return "symbolic link"
    return None


def expand_zip(f: RawFile) -> list[RawFile]:
    """The CSV members of the zip as RawFiles, read in memory under entry-count and size caps."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(f.data))
    except zipfile.BadZipFile as exc:
        raise ParseError(SOURCE_ID, f.name, f"not a readable zip archive ({exc})") from None
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_ZIP_ENTRIES:
            raise ParseError(SOURCE_ID, f.name, f"{len(infos)} entries, over the cap of {MAX_ZIP_ENTRIES}")
        declared = sum(i.file_size for i in infos)
        if declared > MAX_ZIP_BYTES:
            raise ParseError(SOURCE_ID, f.name, f"{declared} bytes uncompressed, over the cap of {MAX_ZIP_BYTES}")
        out, budget = [], MAX_ZIP_BYTES
        for info in infos:
            problem = _unsafe_member(info)
            if problem:
                raise ParseError(SOURCE_ID, f.name, f"refused member {info.filename!r}: {problem}")
            path = PurePosixPath(info.filename)
            if info.is_dir() or path.suffix.lower() != ".csv" or path.name.startswith("._"):
                continue
            try:
                with zf.open(info) as fh:
                    data = fh.read(budget + 1)  # why: sizes in the header can lie; the cap holds on real bytes
            except (zipfile.BadZipFile, zlib.error, RuntimeError, NotImplementedError, OSError, EOFError) as exc:
                raise ParseError(SOURCE_ID, f.name, f"member {info.filename!r} unreadable ({exc})") from None
            budget -= len(data)
            if budget < 0:
                raise ParseError(SOURCE_ID, f.name, f"uncompressed content over the cap of {MAX_ZIP_BYTES} bytes")
            out.append(RawFile.of(info.filename, data, f.url, f.retrieved_at, f.published))
        built = max((dt.date(*i.date_time[:3]) for i in infos if i.date_time[0] > DOS_EPOCH), default=None)
    if not out:
        raise ParseError(SOURCE_ID, f.name, "the archive holds no CSV file")
    if f.published is None and built is not None:  # no Last-Modified: the archive's own member dates
        out = [dataclasses.replace(m, published=built.isoformat()) for m in out]
    return out


# --- columns -----------------------------------------------------------------------------------------------


def _score_column(f: RawFile, df: pd.DataFrame, declared: str = "") -> str:
    """The headline score, among the columns Epoch puts before `Release date`: the first known name, else the
    first score-like name, else the column the upstream index declares."""
    cols = list(df.columns)
    head = [c for c in (cols[: cols.index("Release date")] if "Release date" in cols else cols) if c != "Model version"]
    for c in head:
        if c in SCORE_NAMES:
            return c
    for c in head:
        if SCORE_PATTERN.search(c) and not NOT_HEADLINE.search(c):
            return c
    if declared in cols:
        return declared
    raise ParseError(SOURCE_ID, f.name, f"no score column found (known names or /{SCORE_PATTERN.pattern}/); columns: {cols[:15]}")


def name_conditions(name: str) -> dict[str, str]:
    """Effort, thinking budget and thinking mode stated in an Epoch `Name` (in parentheses, or a '-thinking' suffix)."""
    out: dict[str, str] = {}
    for group in NAME_PARENS.findall(name):
        for token in re.split(r"[,\s]+", group.strip().casefold()):
            if token in NAME_EFFORTS:
                out.setdefault("effort", NAME_EFFORTS[token])
            elif m := NAME_BUDGET.match(token):
                out.setdefault("thinking_budget", f"{m[1]}K")
            elif token in ("thinking", "non-thinking"):
                out.setdefault("mode", token)
    if re.search(r"[-\s]thinking$", name.strip(), re.I) and not re.search(r"non-thinking$", name.strip(), re.I):
        out.setdefault("mode", "thinking")
    return out


def _col(df: pd.DataFrame, name: str) -> pd.Series:
    return df[name].astype(str).str.strip() if name in df.columns else pd.Series("", index=df.index, dtype=object)


def _ymd(values: pd.Series) -> pd.Series:
    """Leading YYYY-MM-DD of each value when it is a real date, else ''."""
    head = values.astype(str).str.strip().str.extract(r"^(\d{4}-\d{2}-\d{2})(?:$|[T ])", expand=False)
    ok = pd.to_datetime(head, format="%Y-%m-%d", errors="coerce").notna()
    return head.where(ok, "").fillna("")


def _kv(key: str, values: pd.Series) -> pd.Series:
    clean = values.fillna("").astype(str).str.strip().str.replace(";", ",", regex=False).str.replace("=", ":", regex=False)
    return clean.map(lambda v: f"{key}={v}" if v else "")


def _join(parts: list[pd.Series], index: pd.Index) -> pd.Series:
    if not parts:
        return pd.Series("", index=index, dtype=object)
    table = pd.concat(parts, axis=1)
    return table.apply(lambda r: ";".join(v for v in r if v), axis=1).astype(object)


def _ci(f: RawFile, df: pd.DataFrame, score: pd.Series) -> tuple[pd.Series, pd.Series]:
    """CI bounds as given, else '+a/-b' half-widths, else derived here as score ± 1.96 stderr (a normal 95% interval;
    Epoch publishes the standard error, not the interval). A stderr column in percentage points beside 0-1 scores
    (any value above 1) is divided by 100 first."""
    nan = pd.Series(float("nan"), index=df.index)
    lo, hi = nan.copy(), nan.copy()
    for lo_c, hi_c in CI_BOUNDS:
        if lo_c in df.columns and hi_c in df.columns:
            lo = to_number(SOURCE_ID, f, df[lo_c], lo_c)
            hi = to_number(SOURCE_ID, f, df[hi_c], hi_c)
    for c in df.columns:
        if PLUS_MINUS_COLUMN.search(c) and c not in {x for pair in CI_BOUNDS for x in pair}:
            pm = df[c].astype(str).str.extract(PLUS_MINUS_CI).astype(float)
            lo, hi = lo.fillna(score - pm[1]), hi.fillna(score + pm[0])
    se_cols = [c for c in df.columns if STDERR_PATTERN.search(c)]
    if se_cols:
        se = to_number(SOURCE_ID, f, df[se_cols[0]], se_cols[0])
        if score.abs().max() <= 1 and (se > 1).any():  # percentage points beside 0-1 scores (APEX-Agents): one unit
            se = se / 100
        lo, hi = lo.fillna(score - 1.96 * se), hi.fillna(score + 1.96 * se)
    return lo, hi


DISTINGUISHING = (("Name", "variant"), ("Source", "source"), ("id", "run"), ("ID", "run"))


def _distinct(df: pd.DataFrame, name: pd.Series, setting: pd.Series, as_of: pd.Series) -> pd.Series:
    """Rows of one file that would share (model, setting, date) are runs the upstream tells apart by another field:
    the first of `Name`, `Source`, `id` that differs within such a group goes into their setting."""
    for col, key in DISTINGUISHING:
        clash = pd.DataFrame({"n": name, "s": setting, "d": as_of}).duplicated(keep=False)
        if not clash.any() or col not in df.columns:
            continue
        values = _col(df, col)
        differs = clash & values.ne(name) & values.ne("")
        differs &= values.groupby([name, setting, as_of]).transform("nunique").gt(1)
        extra = _kv(key, values.where(differs, ""))
        setting = setting.where(~differs, (setting + ";" + extra).str.lstrip(";"))
    return setting


def _self_reported(df: pd.DataFrame, names: pd.Series) -> pd.Series:
    src, orgs = _col(df, "Source"), _col(df, "Organization")
    card_in_notes = pd.Series(False, index=df.index)
    for c in (c for c in df.columns if c.startswith("Notes")):
        card_in_notes |= _col(df, c).str.contains(DEVELOPER_DOC, regex=True)

    def own_document(source: str, name: str, org: str) -> bool:
        if not source or THIRD_PARTY.search(source):
            return False
        if DEVELOPER_DOC.search(source):
            return True
        low = source.casefold()
        tokens = {t for t in re.findall(r"[a-z]{3,}", name.casefold()) if t not in GENERIC_TOKENS}
        if any(re.search(rf"\b{t}(?![a-z])", low) for t in tokens):
            return True
        return any(o.strip() and o.strip().casefold() in low for o in org.split(","))

    own = pd.Series([own_document(s, n, o) for s, n, o in zip(src, names, orgs, strict=True)], index=df.index)
    return own | card_in_notes


# --- files -------------------------------------------------------------------------------------------------


def _parse_benchmark(f: RawFile, key: str, snapshot: str, declared: str = "") -> pd.DataFrame:
    df = read_csv(SOURCE_ID, f)
    require_columns(SOURCE_ID, f, df, ["Model version"])
    score_col = _score_column(f, df, declared)
    if df.empty:  # a header without entries: nothing to read
        return pd.DataFrame()
    score = to_number(SOURCE_ID, f, df[score_col], score_col)
    version, label = _col(df, "Model version"), _col(df, "Name")
    name = version.where(version.ne(""), label)
    budget = version.str.extract(BUDGET_SUFFIX, expand=False).fillna("")
    budget = budget.where(budget.eq(""), budget + "K")
    effort = version.str.extract(EFFORT_SUFFIX, expand=False).fillna("").replace("unknown", "")
    stated = pd.DataFrame([name_conditions(v) for v in label], index=df.index,
                          columns=["effort", "thinking_budget", "mode"], dtype=object).fillna("")
    settings = [_kv("effort", effort.where(effort.ne(""), stated["effort"])),
                _kv("thinking_budget", budget.where(budget.ne(""), stated["thinking_budget"])),
                _kv("mode", stated["mode"])]
    for col, (key_name, cut) in SETTING_COLUMNS.items():
        if col in df.columns:
            settings.append(_kv(key_name, _col(df, col).str.replace(cut, "", regex=True) if cut else _col(df, col)))
    is_system = pd.Series(False, index=df.index)
    for col in SCAFFOLD_COLUMNS:
        vals = _col(df, col)
        filled = vals.ne("")
        if not filled.any():
            continue
        if vals.str.casefold().isin(BOOLISH).all():  # a flag: "this entry is an agent system"
            is_system |= vals.str.casefold().isin({"true", "checked", "yes"})
        elif vals[filled].str.extract(STEPS, expand=False).notna().mean() >= 0.5:  # the model itself, with a step budget
            settings.append(_kv("max_steps", vals.str.extract(STEPS, expand=False)))
            name = name.where(name.ne(""), vals.str.replace(STEPS, "", regex=True))
        else:  # a scaffold or agent harness around the model
            settings.append(_kv(col.lower(), vals))
            is_system |= filled
    run_date = pd.Series("", index=df.index, dtype=object)
    for col in RUN_DATE_COLUMNS:
        if col in df.columns:
            run_date = run_date.where(run_date.ne(""), _ymd(df[col]))
    lo, hi = _ci(f, df, score)
    org = _col(df, "Organization")
    as_of = run_date.where(run_date.ne(""), snapshot)
    out = pd.DataFrame({
        "source_model_name": name,
        "benchmark_key": key,
        "setting": _distinct(df, name, _join(settings, df.index), as_of),
        "score": score,
        "ci_lower": lo,
        "ci_upper": hi,
        "as_of": as_of,
        "source_url": f.url,
        "self_reported": _self_reported(df, name),
        "is_system": is_system,
        "upstream_org": org.where(org.ne(""), _col(df, "Model Org")),
        "model_release_date": _ymd(_col(df, "Release date")),
    })
    return out[out["source_model_name"].ne("")]  # a blank score stays NaN (collect keeps the previous value)


def _parse_eci_scores(f: RawFile, snapshot: str) -> pd.DataFrame:
    """The newer ECI layout: one row per model group (Model, eci, eci_ci_low, eci_ci_high, date, ...)."""
    df = read_csv(SOURCE_ID, f)
    require_columns(SOURCE_ID, f, df, ["eci"])
    name_col = next((c for c in ("Model", "Display name") if c in df.columns), None)
    if name_col is None:
        raise ParseError(SOURCE_ID, f.name, f"no model name column (Model, Display name); columns: {list(df.columns)[:15]}")
    if df.empty:
        return pd.DataFrame()
    score = to_number(SOURCE_ID, f, df["eci"], "eci")
    lo, hi = _ci(f, df, score)
    out = pd.DataFrame({
        "source_model_name": _col(df, name_col),
        "benchmark_key": ECI_KEY,
        "score": score,
        "ci_lower": lo,
        "ci_upper": hi,
        "as_of": snapshot,
        "source_url": f.url,
        "upstream_org": _col(df, "Organization"),
        "model_release_date": _ymd(_col(df, "date")),
    })
    return out[out["source_model_name"].ne("")]  # a blank score stays NaN (collect keeps the previous value)


def _is_score_file(path: PurePosixPath) -> bool:
    if path.suffix.lower() != ".csv" or SKIP_FOLDERS & set(path.parts[:-1]) or path.name.startswith("._"):
        return False
    return ECI_KEY not in path.parts[:-1] or path.name == "eci_scores.csv"  # the ECI folder's other tables: no scores


def _index(members: list[RawFile]) -> dict[str, str] | None:
    """benchmark_metadata.csv: source_file -> score_column (None when the layout has no index)."""
    f = next((m for m in members if PurePosixPath(m.name).name == INDEX), None)
    if f is None:
        return None
    df = read_csv(SOURCE_ID, f)
    require_columns(SOURCE_ID, f, df, ["benchmark", "source_file"])
    cols = df["score_column"] if "score_column" in df else pd.Series("", index=df.index)
    return {str(src).strip(): str(col).strip() for src, col in zip(df["source_file"], cols, strict=True) if str(src).strip()}


def _has_column(f: RawFile, name: str) -> bool:
    head = f.data.split(b"\n", 1)[0].decode("utf-8-sig", errors="replace")
    return name in next(csv.reader(io.StringIO(head)), [])


def parse(files: list[RawFile]) -> pd.DataFrame:
    members: list[RawFile] = []
    zipped = False
    for f in files:
        if f.name.lower().endswith(".zip"):
            members.extend(expand_zip(f))
            zipped = True
        else:
            members.append(f)
    index = _index(members)
    frames, warnings = [], []
    for f in members:
        path = PurePosixPath(f.name)
        if not _is_score_file(path) or (index is not None and path.name in SUPPORT_TABLES):
            continue
        snapshot = iso_date(f.published) or f.retrieved_at
        if path.name == "eci_scores.csv":
            frames.append(_parse_eci_scores(f, snapshot))
        elif index is not None and path.name not in index and not _has_column(f, "Model version"):
            warnings.append(f"{f.name}: not in {INDEX} and no 'Model version' column: read as a support table, skipped")
        else:
            frames.append(_parse_benchmark(f, path.stem, snapshot, (index or {}).get(path.name, "")))
    frames = [fr for fr in frames if not fr.empty]
    out = finish_parsed(pd.concat(frames, ignore_index=True) if frames else [])
    layout = (("zip" if zipped else "CSV files") + (", indexed layout (benchmark_metadata.csv, epoch_capabilities_index/)"
                                                     if index is not None else ", flat layout (one CSV per benchmark)"))
    return with_formats(out, [layout], warnings)
