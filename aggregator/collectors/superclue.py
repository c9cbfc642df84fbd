"""SuperCLUE (CLUE benchmark group): the Chinese LLM leaderboards of the GitHub README of CLUEbenchmark/SuperCLUE,
read as a git-scraped time series: every version of README.md is one published state of the boards.

Files: `readme_history/<YYYY-MM-DDTHH:MM:SSZ>_<12 hex of the commit>.md`, one per version, named by the commit time
in UTC (live: from the commit list; mirror: from the commit index configs/mirrors/superclue.yaml, since the mirror's
own names `readme_history/<date>_<12 hex>.md` carry only the day, and several versions share a day; a mirror file
missing from the index keeps that name). `url` is the version's page on GitHub. Versions are ordered by time (date
only for unindexed names), then by name.

Boards are the markdown tables under a heading that names one (first match wins, see BOARDS): 总排行榜/总榜单/汇总表
overall, OPEN multi-turn open questions, OPT objective questions, 十大基础能力 ten basic abilities (Aug 2023 on),
基础能力 / 中文特性 (May-Jul 2023), 开源 open-source models, 70亿 / 60-130亿 parameter-size boards, and the Sep 2023
sub-boards 语言理解与生成, 专业技能与知识, Agent, 安全性. Only the first table under a heading belongs to it; tables
under other headings and tables without a 模型 column (the transposed drafts of early May 2023) are skipped with a
warning. The board month is the one its heading names ("SuperCLUE总排行榜（2023年12月）", "2023年6月SuperCLUE...",
either parentheses); the v1.0 boards of May 2023 name none and take the month of the version's date.

One value per board, month, model and column: the same month's board is edited over many commits, and for each
(board, month) the table of the latest version that has it is kept whole (earlier edits are superseded, names
fixed later do not linger; a version holding the same board-month twice keeps its first). as_of is the first day of
the board month; setting = `month=YYYY-MM`, then `access=` (使用: api, web, weights, on-request) or `license=`
(许可/许可证: open, closed, ...) when the board states it, then `ranked=no` for rows outside the ranking (rank "-",
or the human baseline 🧝). Medals are ranks 1-3. benchmark_key = `<board>:<column header>` (header without
markup or spaces). Scores are numbers ("64.2", "14.64%" for a percentage column, "**48.68**"); "-", "--" and blank
cells are no score. Rows with more or fewer cells than the header are rejected with a warning naming file and
line, never shifted. Model names are kept as the board prints them (links and markup removed).
"""

from __future__ import annotations

import dataclasses
import logging
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pandas as pd
import yaml

from ..config import Configs, Source
from ..errors import FetchError, ParseError
from ..fetch import Fetcher, RawFile
from ..store import finish_parsed
from ._util import read_json, setting_value, with_formats

SOURCE_ID = "superclue"
log = logging.getLogger(__name__)

GITHUB_HEADERS = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}
GITHUB_PER_PAGE = 30  # the API's page size when the declared URL sets no per_page
MAX_PAGES = 50  # a bound on the paging loop (218 commits are 3 pages of 100)
HISTORY = re.compile(r"^readme_history/(?P<date>\d{4}-\d{2}-\d{2})(?:T(?P<time>\d{2}:\d{2}:\d{2})Z)?_(?P<sha>[0-9a-f]{12})\.md$")
SHA = re.compile(r"^[0-9a-f]{40}$")
TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
MIRROR_INDEX = "mirrors/superclue.yaml"  # under configs/

# heading pattern -> board id; the first match wins (开源 before OPEN: "开源" boards list OPEN columns)
BOARDS: list[tuple[str, re.Pattern[str]]] = [(b, re.compile(p, re.IGNORECASE)) for b, p in [
    ("open_source", r"开源"),
    ("size_7b", r"70亿参数"),
    ("size_6_13b", r"60-130亿参数"),
    ("open", r"OPEN"),
    ("opt", r"OPT"),
    ("basic10", r"十大基础能力"),
    ("language", r"语言理解与生成"),
    ("professional", r"专业技能与知识"),
    ("agent", r"Agent|智能体"),
    ("safety", r"安全性"),
    ("basic", r"基础能力"),
    ("chinese", r"中文特性"),
    ("overall", r"总排行榜|总榜单|汇总表|中文大模型排行榜"),
]]
MONTH = re.compile(r"(20\d{2})\s*年\s*(\d{1,2})\s*月")
HEADING = re.compile(r"^ {0,3}#{1,6}\s*(.*?)\s*#*\s*$")
DELIMITER = re.compile(r"^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$")
# column header -> role; every other column holds scores
ROLES = {"排名": "rank", "模型": "model", "模型名称": "model", "机构": "org", "使用": "access", "使用方式": "access",
         "许可": "license", "许可证": "license", "指标": "metric"}
ACCESS = {"api": "api", "网页": "web", "模型": "weights", "申请": "on-request"}
LICENSE = {"开源": "open", "闭源": "closed", "开源可商用": "open-commercial", "开源-可商用": "open-commercial",
           "开源-非商用": "open-noncommercial", "专有服务": "proprietary"}
MEDALS = {"🏅", "🥇", "👑", "🥈", "🥉"}  # ranks 1 (🏅, 🥇, 👑), 2 and 3
UNRANKED = {"-", "--", "🧝"}  # a reference model outside the ranking, or the human baseline
BLANK = {"", "-", "--", "—"}
NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)%?$")
TAG = re.compile(r"<[^>]*>")
LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")


# --- fetch ------------------------------------------------------------------------------------------------


def fetch(fetcher: Fetcher, source: Source, configs: Configs) -> list[RawFile]:
    """Mirror: the saved versions, named and linked by the commit index (configs/mirrors/superclue.yaml). Live: the
    commit list of README.md (the index, page by page), then README.md at every listed commit; a commit already in
    the cache is not requested again."""
    if fetcher.mirror is not None:
        index = _mirror_index(configs.root / MIRROR_INDEX)
        return [_mirror_version(f, source, index) for f in fetcher.from_mirror(source)]
    eps = {ep.name: ep.url for ep in source.endpoints}
    if not eps.get("commits") or "{sha}" not in (eps.get("README.md") or ""):
        raise FetchError(f"{SOURCE_ID}: sources.yaml must declare the 'commits' endpoint and 'README.md' with {{sha}}")
    out = []
    for sha, when in _commits(fetcher, source, str(eps["commits"])):
        f = fetcher.fetch_pinned(source, _name(sha, when), str(eps["README.md"]).format(sha=sha))
        out.append(dataclasses.replace(f, url=_blob(source, sha), published=when[:10]))
    if not out:
        raise FetchError(f"{SOURCE_ID}: the commit list of README.md is empty")
    return out


def _name(sha: str, when: str) -> str:
    return f"readme_history/{when}_{sha[:12]}.md"


def _blob(source: Source, sha: str) -> str:
    """The version's page on GitHub: the mirror's upstream prefix (github.com/<repo>/blob/) + commit + README.md."""
    if not source.mirror:
        raise FetchError(f"{SOURCE_ID}: sources.yaml must declare the blob prefix as the mirror's upstream")
    return f"{source.mirror[0].upstream}{sha}/README.md"


def _mirror_index(path: Path) -> dict[str, tuple[str, str]]:
    """12-hex prefix -> (full sha, commit time 'YYYY-MM-DDTHH:MM:SSZ') from the mirror's commit index."""
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise FetchError(f"{SOURCE_ID}: commit index {path}: {str(exc).splitlines()[0]}") from None
    commits = doc.get("commits") if isinstance(doc, dict) else None
    if not isinstance(commits, list):
        raise FetchError(f"{SOURCE_ID}: commit index {path}: expected 'commits: [{{sha, committed}}, ...]'")
    out = {}
    for i, c in enumerate(commits):
        sha, when = (str(c.get(k, "")) for k in ("sha", "committed")) if isinstance(c, dict) else ("", "")
        if not SHA.match(sha) or not TIME.match(when):
            raise FetchError(f"{SOURCE_ID}: commit index {path}, entry {i + 1}: expected a 40-hex sha and a UTC time")
        out[sha[:12]] = (sha, when)
    return out


def _mirror_version(f: RawFile, source: Source, index: dict[str, tuple[str, str]]) -> RawFile:
    """A mirror file renamed and linked as live collection names it; a version missing from the index keeps its
    name (ordered by date, then name, within its day) and links the 12-hex abbreviation, which GitHub resolves."""
    m = HISTORY.match(f.name)
    if not m or m["time"]:
        raise FetchError(f"{SOURCE_ID}: mirror file {f.name} is not named readme_history/<date>_<12 hex sha>.md")
    if m["sha"] not in index:
        log.warning("%s: %s is not in %s; ordered by its date only", SOURCE_ID, f.name, MIRROR_INDEX)
        return dataclasses.replace(f, url=_blob(source, m["sha"]), published=m["date"])
    sha, when = index[m["sha"]]
    return dataclasses.replace(f, name=_name(sha, when), url=_blob(source, sha), published=when[:10])


def _commits(fetcher: Fetcher, source: Source, url: str) -> list[tuple[str, str]]:
    """(sha, 'YYYY-MM-DDTHH:MM:SSZ') of every commit that changed README.md, newest first, over all pages."""
    out: list[tuple[str, str]] = []
    declared = (parse_qs(urlsplit(url).query).get("per_page") or [""])[0]
    per_page = int(declared) if declared.isdigit() else GITHUB_PER_PAGE
    sep = "&" if "?" in url else "?"
    for page in range(1, MAX_PAGES + 1):
        f = fetcher.fetch_url(source, f"_commits_{page}.json", f"{url}{sep}page={page}", headers=GITHUB_HEADERS)
        items = read_json(SOURCE_ID, f)
        if not isinstance(items, list):
            raise FetchError(f"{SOURCE_ID}: {f.name}: expected a JSON list of commits")
        for i, c in enumerate(items):
            try:
                sha, date = str(c["sha"]), str(c["commit"]["committer"]["date"])
            except (KeyError, TypeError):
                raise FetchError(f"{SOURCE_ID}: {f.name}, commit {i + 1}: lacks sha / commit.committer.date") from None
            when = pd.to_datetime(date, errors="coerce", utc=True)
            if not SHA.match(sha) or pd.isna(when):
                raise FetchError(f"{SOURCE_ID}: {f.name}, commit {i + 1}: expected a 40-hex sha and a date, got {sha!r}, {date!r}")
            out.append((sha, when.strftime("%Y-%m-%dT%H:%M:%SZ")))
        if len(items) < per_page:
            return out
    raise FetchError(f"{SOURCE_ID}: over {MAX_PAGES} pages of commits; refusing to go on")


# --- parse ------------------------------------------------------------------------------------------------


@dataclass
class Table:
    """One board table of one README version, cells not yet read."""

    board: str
    month: str  # YYYY-MM
    file: RawFile
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (line, cells)


def _cells(line: str) -> list[str]:
    """'| a | b |' -> ['a', 'b']; a missing closing pipe is tolerated."""
    s = line.strip()
    s = s[1:] if s.startswith("|") else s
    s = s[:-1] if s.endswith("|") else s
    return [c.strip() for c in s.split("|")]


def _text(cell: str) -> str:
    """Cell text without links, HTML tags, bold markers, arrows and runs of spaces."""
    s = LINK.sub(r"\1", cell)
    s = TAG.sub(" ", s).replace("**", "").replace("↗", "")
    return " ".join(s.split())


def _header(cell: str) -> str:
    """A column header as a key: '<br/>' joins its lines, markup and every space removed ('OPEN<br/>多轮开放问题')."""
    return re.sub(r"\s+", "", _text(re.sub(r"<br\s*/?>", "", cell, flags=re.IGNORECASE)))


def _board(heading: str) -> str | None:
    return next((b for b, rx in BOARDS if rx.search(heading)), None)


def _order(f: RawFile) -> tuple[str, str, str]:
    m = HISTORY.match(f.name)
    if not m:
        raise ParseError(SOURCE_ID, f.name, "unknown file: expected readme_history/<date>_<12 hex sha>.md")
    return m["date"], m["time"] or "", f.name


def _tables(f: RawFile, loud: bool = True) -> list[Table]:
    """Every board table of one README version (see the module doc for what counts as one). Skipped tables are
    warned about when `loud` (the newest version), else logged at debug level (older versions repeat them)."""
    skip = log.warning if loud else log.debug
    try:
        lines = f.data.decode("utf-8-sig").splitlines()
    except UnicodeDecodeError as exc:
        raise ParseError(SOURCE_ID, f.name, f"not UTF-8 text (byte {exc.start})") from None
    date = HISTORY.match(f.name)["date"]  # type: ignore[index]  # why: _order checked the name first
    out: list[Table] = []
    heading, heading_line, used, seen = "", 0, True, set()
    i = 0
    while i < len(lines):
        if m := HEADING.match(lines[i]):
            heading, heading_line, used = _text(m[1]), i + 1, False
            i += 1
            continue
        if not lines[i].lstrip().startswith("|"):
            i += 1
            continue
        start = i
        while i < len(lines) and lines[i].lstrip().startswith("|"):
            i += 1
        block = lines[start:i]
        where = f"{f.name}, line {start + 1}"
        first, used = not used, True  # only the first table-like block under a board heading can be its table
        if len(block) < 2 or not DELIMITER.match(block[1]):
            skip("%s: %s: a table without its header delimiter row; skipped", SOURCE_ID, where)
            continue
        header = [_header(c) for c in _cells(block[0])]
        board = _board(heading)
        if board is None or not first:
            why = "is not a known board" if board is None else "already had a table"
            skip("%s: %s: table under heading %r, which %s; skipped", SOURCE_ID, where, heading[:60], why)
            continue
        if "model" not in (ROLES.get(h) for h in header):
            skip("%s: %s: %s table without a 模型 column (a transposed draft?); skipped", SOURCE_ID, where, board)
            continue
        if len(set(header)) < len(header):
            raise ParseError(SOURCE_ID, f.name, f"duplicate column in the header of the {board} table", row=start + 1)
        m = MONTH.search(heading)
        if m and not 1 <= int(m[2]) <= 12:
            raise ParseError(SOURCE_ID, f.name, f"heading {heading[:60]!r}: no month {m[2]}", row=heading_line)
        month = f"{m[1]}-{int(m[2]):02d}" if m else date[:7]
        if (board, month) in seen:
            skip("%s: %s: a second %s table for %s; the first is kept", SOURCE_ID, where, board, month)
            continue
        seen.add((board, month))
        rows = [(start + 3 + k, _cells(r)) for k, r in enumerate(block[2:])]
        out.append(Table(board, month, f, header, rows))
    return out


def _ranked(t: Table, line: int, cell: str) -> bool:
    """True for a rank (a number or a medal), False for a row outside the ranking ('-', the human baseline)."""
    s = cell.replace("\ufe0f", "").strip()
    if s in UNRANKED:
        return False
    if s.isdigit() or s in MEDALS:
        return True
    raise ParseError(SOURCE_ID, t.file.name, f"排名 (rank): expected a number, a medal or '-', got {cell!r}", row=line)


def _score(t: Table, line: int, column: str, cell: str) -> float:
    s = _text(cell)
    if s in BLANK:
        return float("nan")
    if not NUMBER.match(s):
        raise ParseError(SOURCE_ID, t.file.name, f"{column}: expected a number, got {cell!r}", row=line)
    return float(s.rstrip("%"))


def _mode(key: str, table: dict[str, str], cell: str) -> str:
    s = _text(cell)
    if s in BLANK:
        return ""
    return f"{key}={table.get(s.casefold(), setting_value(s))}"


def _rows(t: Table) -> list[dict[str, Any]]:
    roles = [ROLES.get(h, "score") for h in t.header]
    out = []
    for line, cells in t.rows:
        if len(cells) != len(t.header):
            log.warning("%s: %s, line %d: %d cells for %d columns of the %s %s table; row rejected",
                        SOURCE_ID, t.file.name, line, len(cells), len(t.header), t.board, t.month)
            continue
        model = _text(cells[roles.index("model")])
        if not model:
            raise ParseError(SOURCE_ID, t.file.name, f"模型: empty model name in the {t.board} table", row=line)
        setting = [f"month={t.month}"]
        for role, key, vocab in (("access", "access", ACCESS), ("license", "license", LICENSE)):
            if role in roles:
                setting.append(_mode(key, vocab, cells[roles.index(role)]))
        if "rank" in roles and not _ranked(t, line, cells[roles.index("rank")]):
            setting.append("ranked=no")
        org = _text(cells[roles.index("org")]) if "org" in roles else ""
        for column, role, cell in zip(t.header, roles, cells, strict=True):
            if role != "score":
                continue
            score = _score(t, line, column, cell)
            if not math.isnan(score):
                out.append({"source_model_name": model, "benchmark_key": f"{t.board}:{column}",
                            "setting": ";".join(s for s in setting if s), "score": score, "as_of": f"{t.month}-01",
                            "source_url": t.file.url, "upstream_org": org})
    return out


def latest_tables(files: list[RawFile]) -> list[Table]:
    """For every (board, month), the table of the latest version that has it (see the module doc)."""
    latest: dict[tuple[str, str], Table] = {}
    ordered = sorted(files, key=_order)
    for f in ordered:
        for t in _tables(f, loud=f is ordered[-1]):
            latest[(t.board, t.month)] = t
    return [latest[k] for k in sorted(latest)]


def parse(files: list[RawFile]) -> pd.DataFrame:
    rows: list[dict[str, Any]] = []
    for t in latest_tables(files):
        rows += _rows(t)
    return with_formats(finish_parsed(rows), ["README.md versions (markdown board tables, one per board and month)"])
