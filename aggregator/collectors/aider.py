"""Aider LLM leaderboards: YAML result lists from the Aider repo (aider/website/_data/), read with yaml.safe_load.

Boards and their score (percent of exercises solved):
- polyglot (225 Exercism exercises in 6 languages; polyglot_leaderboard.yml plus the one-off qwen3_ and
  o1_polyglot_ files, same benchmark): pass_rate_2 (solved within two tries), the board's headline;
- edit (the older 133 Python exercises, edit_leaderboard.yml): pass_rate_2;
- refactor (89 large-method refactorings, refactor_leaderboard.yml): pass_rate_1, the only rate it reports;
- quant (quant.yml: one model, Qwen2.5-Coder-32B, served by different providers and quantisations on the edit
  benchmark): emitted under its own key `quant:pass_rate_2`, left out of the catalog (serving variants, not models).
A run already on a main board (same `dirname`) is emitted once. Runs with more exercises than the benchmark has
(a polyglot run filed in the edit board) or under half of them (partial runs) are skipped with a warning.

source_model_name is the API model id from `command` (`aider --model deepseek/deepseek-chat`), except when the
command names none, names an aider shorthand (`--sonnet`, `--model r1`: their target changed over time) or a
provider pointer that was re-pointed to newer models (`deepseek-chat`, `*-latest`): then the display `model` name,
which says which model it was. setting = `effort=..;thinking_tokens=..;edit_format=..;editor=..` (what is known),
plus `run=<dirname>` when two runs would otherwise be indistinguishable. Architect runs (a second editor model)
are is_system. as_of = run `date`; model_release_date = `released`/`_released`.
"""

from __future__ import annotations

import logging
import re
import shlex
from pathlib import PurePosixPath
from typing import Any

import pandas as pd
import yaml

from ..config import Configs, Source
from ..errors import ParseError
from ..fetch import Fetcher, RawFile
from ..store import finish_parsed
from ._util import iso_date, setting_value, with_formats

SOURCE_ID = "aider"
INDEPENDENT_FILES = False  # a run is read from the first file listing it (FILES order), not from each (collect.py)
log = logging.getLogger(__name__)

# file -> (board, score field); the order is the priority when the same run is in two files
FILES: dict[str, tuple[str, str]] = {
    "polyglot_leaderboard.yml": ("polyglot", "pass_rate_2"),
    "edit_leaderboard.yml": ("edit", "pass_rate_2"),
    "refactor_leaderboard.yml": ("refactor", "pass_rate_1"),
    "o1_polyglot_leaderboard.yml": ("polyglot", "pass_rate_2"),
    "qwen3_leaderboard.yml": ("polyglot", "pass_rate_2"),
    "quant.yml": ("quant", "pass_rate_2"),
}
EXERCISES = {"polyglot": 225, "edit": 133, "refactor": 89, "quant": 133}
# aider's own model shorthands (`--model sonnet`): what they point to changed between aider versions
SHORTHANDS = {"sonnet", "haiku", "opus", "3", "4", "4o", "4-turbo", "35turbo", "35-turbo", "deepseek", "r1", "flash",
              "flash-lite", "gemini", "gemini-exp", "gemini-2.5-pro", "quasar", "optimus", "grok3"}
FLOATING = re.compile(r"(^|/)(deepseek-(chat|reasoner|coder)|[^/]*-latest)$")
EFFORT_IN_NAME = re.compile(r"\((low|medium|high)\)")


def fetch(fetcher: Fetcher, source: Source, configs: Configs) -> list[RawFile]:
    return fetcher.fetch_declared(source)


def _argv(command: str) -> list[str]:
    """The arguments after `aider` in a shell command line ([] when the command is not an aider call)."""
    try:
        words = shlex.split(command, comments=True)
    except ValueError:  # unbalanced quotes: plain split is good enough to find flags
        words = command.split()
    return words[words.index("aider") + 1:] if "aider" in words else []


def _flag(argv: list[str], name: str) -> str:
    for i, w in enumerate(argv):
        if w == name and i + 1 < len(argv):
            return argv[i + 1]
        if w.startswith(name + "="):
            return w.split("=", 1)[1]
    return ""


def _tokens(value: Any) -> str:
    """Thinking budget as an integer string: 32000 -> '32000', '32k' -> '32768' (aider's k = 1024)."""
    s = str(value).strip().lower()
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([km]?)", s)
    if not m:
        return s
    return str(int(float(m[1]) * {"": 1, "k": 1024, "m": 1024 * 1024}[m[2]]))


def _model_name(entry: dict, argv: list[str]) -> str:
    model = _flag(argv, "--model")
    if not model or model in SHORTHANDS or FLOATING.search(model):
        return str(entry["model"]).strip()
    return model


def _setting(entry: dict, argv: list[str]) -> str:
    effort = entry.get("reasoning_effort") or _flag(argv, "--reasoning-effort")
    if not effort and (m := EFFORT_IN_NAME.search(str(entry["model"]))):
        effort = m[1]
    thinking = entry.get("thinking_tokens")
    if thinking is None:
        thinking = _flag(argv, "--thinking-tokens")
    thinking = _tokens(thinking) if thinking != "" else ""
    parts = {"effort": effort, "thinking_tokens": thinking, "edit_format": entry.get("edit_format"), "editor": entry.get("editor_model")}
    return ";".join(f"{k}={setting_value(v)}" for k, v in parts.items() if v not in (None, ""))


def _number(f: RawFile, entry: dict, field: str, i: int) -> float:
    v = entry.get(field)
    if isinstance(v, bool) or not isinstance(v, int | float) or v != v or v in (float("inf"), float("-inf")):
        raise ParseError(SOURCE_ID, f.name, f"{field}: expected a number, got {v!r}", row=i)
    return float(v)


def _parse_file(f: RawFile, board: str, metric: str) -> list[dict]:
    try:
        doc = yaml.safe_load(f.data.decode("utf-8-sig"))
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ParseError(SOURCE_ID, f.name, f"not readable YAML ({str(exc).splitlines()[0]})") from None
    if not isinstance(doc, list):
        raise ParseError(SOURCE_ID, f.name, "expected a YAML list of result entries")
    rows = []
    for i, entry in enumerate(doc, start=1):
        if not isinstance(entry, dict) or not str(entry.get("model") or "").strip() or not entry.get("dirname"):
            raise ParseError(SOURCE_ID, f.name, "expected an entry with 'dirname' and 'model'", row=i)
        cases = entry.get("test_cases")
        if cases is not None:
            n = _number(f, entry, "test_cases", i)
            if not EXERCISES[board] / 2 <= n <= EXERCISES[board]:
                log.warning("%s: %s, entry %d (%s): %g exercises, the %s benchmark has %d; skipped",
                            SOURCE_ID, f.name, i, entry["dirname"], n, board, EXERCISES[board])
                continue
        as_of = iso_date(entry.get("date"))
        if not as_of:
            raise ParseError(SOURCE_ID, f.name, f"date: expected a run date, got {entry.get('date')!r}", row=i)
        argv = _argv(str(entry.get("command") or ""))
        rows.append({
            "run": str(entry["dirname"]),
            "source_model_name": _model_name(entry, argv),
            "benchmark_key": f"{board}:{metric}",
            "setting": _setting(entry, argv),
            "score": _number(f, entry, metric, i),
            "as_of": as_of,
            "source_url": f.url,
            "is_system": bool(entry.get("editor_model")),
            "model_release_date": iso_date(entry.get("released") or entry.get("_released")),
        })
    return rows


def parse(files: list[RawFile]) -> pd.DataFrame:
    order = list(FILES)
    rows: list[dict] = []
    for f in sorted(files, key=lambda f: order.index(PurePosixPath(f.name).name) if PurePosixPath(f.name).name in FILES else -1):
        name = PurePosixPath(f.name).name
        if name not in FILES:
            raise ParseError(SOURCE_ID, f.name, f"unknown file: expected one of {order}")
        rows += _parse_file(f, *FILES[name])
    if not rows:
        return finish_parsed([])
    df = pd.DataFrame(rows).drop_duplicates("run")  # the same run copied into a one-off file
    key = ["source_model_name", "benchmark_key", "setting", "as_of"]
    clash = df.duplicated(key, keep=False)
    sep = df.loc[clash, "setting"].map(lambda s: ";" if s else "")
    df.loc[clash, "setting"] = df.loc[clash, "setting"] + sep + "run=" + df.loc[clash, "run"]
    return with_formats(finish_parsed(df.drop(columns="run")), ["aider/website/_data/*.yml run lists"])
