"""Berkeley Function Calling Leaderboard (BFCL v4): tool-use accuracy (%).

Live and mirror: the leaderboard's CSVs (gorilla.cs.berkeley.edu, gh-pages of ShishirPatil/gorilla). One headline
column per file: data_overall.csv `Overall Acc` and, per category file, its `<Category> Overall Acc` (live, non_live,
multi_turn, agentic = web search + memory) or, for format_sensitivity, `Format Sensitivity Max Delta` (points lost
across prompt formats: lower is better; N/A for models not run). Sub-columns are not kept. Values "77.47%" -> 77.47.
The model string carries the evaluation mode: `Claude-Opus-4-5-20251101 (FC)` -> name `Claude-Opus-4-5-20251101`,
setting `mode=FC`; `(FC thinking)` / `(Prompt + Thinking)` add `;thinking=on`; a name without a mode keeps setting "".
upstream_org = Organization (only in data_overall.csv; the category files get it by model string). No dates: as_of is
the file's date.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

import pandas as pd

from ..config import Configs, Source
from ..errors import ParseError
from ..fetch import Fetcher, RawFile
from ..store import finish_parsed
from ._util import read_csv, require_columns, to_number, with_formats

SOURCE_ID = "bfcl"
INDEPENDENT_FILES = False  # the category files take their organization from data_overall.csv (collect.py)
OVERALL = "data_overall.csv"
# file -> (benchmark key, headline column)
FILES = {
    OVERALL: ("overall", "Overall Acc"),
    "data_live.csv": ("live", "Live Overall Acc"),
    "data_non_live.csv": ("non_live", "Non-Live Overall Acc"),
    "data_multi_turn.csv": ("multi_turn", "Multi Turn Overall Acc"),
    "data_agentic.csv": ("agentic", "Agentic Overall Acc"),
    "data_format_sensitivity.csv": ("format_sensitivity", "Format Sensitivity Max Delta"),
}
MODE_RE = re.compile(r"^(?P<name>.*?)\s*\((?P<mode>(?:FC|Prompt)\b[^()]*)\)\s*$", re.IGNORECASE)


def fetch(fetcher: Fetcher, source: Source, configs: Configs) -> list[RawFile]:
    return fetcher.fetch_declared(source)


def split_mode(model: pd.Series) -> tuple[pd.Series, pd.Series]:
    """'Name (FC)' -> ('Name', 'mode=FC'); 'Name (Prompt + Thinking)' -> ('Name', 'mode=Prompt;thinking=on')."""
    m = model.str.extract(MODE_RE)
    name = m["name"].fillna(model).str.strip()
    words = m["mode"].fillna("").str.replace(r"[+,;\s]+", " ", regex=True).str.strip()
    mode = words.str.extract(r"^(FC|Prompt)\b", flags=re.IGNORECASE, expand=False).fillna("")
    extra = words.str.replace(r"^(FC|Prompt)\b", "", flags=re.IGNORECASE, regex=True).str.strip().str.casefold()
    setting = ("mode=" + mode).where(mode.ne(""), "")
    setting = setting + extra.map(lambda e: "" if not e else ";thinking=on" if e == "thinking" else f";variant={e}")
    return name, setting


def _parse_file(f: RawFile, orgs: dict[str, str]) -> pd.DataFrame:
    key, col = FILES[PurePosixPath(f.name).name]
    df = read_csv(SOURCE_ID, f)
    require_columns(SOURCE_ID, f, df, ["Model", col])
    model = df["Model"].str.strip()
    if model.eq("").any():
        raise ParseError(SOURCE_ID, f.name, "Model: expected a model name, got a blank", row=int(model.eq("").idxmax()) + 2)
    name, setting = split_mode(model)
    out = pd.DataFrame({
        "source_model_name": name, "benchmark_key": key, "setting": setting,
        "score": to_number(SOURCE_ID, f, df[col], col, percent=True), "as_of": f.published or f.retrieved_at, "source_url": f.url,
        "upstream_org": model.map(lambda m: orgs.get(m, "")),
    })
    return out  # an N/A score stays NaN: a blank cell, not a missing row (collect keeps the previous value)


def parse(files: list[RawFile]) -> pd.DataFrame:
    unknown = [f.name for f in files if PurePosixPath(f.name).name not in FILES]
    if unknown:
        raise ParseError(SOURCE_ID, unknown[0], f"unknown file: expected one of {sorted(FILES)}")
    orgs: dict[str, str] = {}
    for f in files:
        if PurePosixPath(f.name).name == OVERALL:
            df = read_csv(SOURCE_ID, f)
            if "Organization" in df and "Model" in df:
                orgs.update(zip(df["Model"].str.strip(), df["Organization"].str.strip(), strict=True))
    frames = [_parse_file(f, orgs) for f in files]
    frames = [fr for fr in frames if not fr.empty]
    return with_formats(finish_parsed(pd.concat(frames, ignore_index=True) if frames else []), ["data_*.csv (BFCL v4 tables)"])
