"""SuperCLUE collector: boards and months from README versions, the latest edit of a month's board, medals, '-'
rows, access modes, ragged rows, cell formats, errors; mirror names and links from the commit index; the live
GitHub path (commit list pages, raw files, seen commits not fetched again) on a loopback server; the real mirror."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
import yaml
from conftest import FIXTURES, ROOT, SHARED_UPSTREAM, needs_shared, raw

from aggregator.collect import normalise
from aggregator.collectors import superclue
from aggregator.config import Endpoint
from aggregator.errors import ParseError
from aggregator.fetch import Fetcher, RateLimiter, RawFile, make_session
from aggregator.resolve import resolve

HISTORY = FIXTURES / "superclue" / "readme_history"
MAY, NOV, DEC = "c0c0c0c0c0c0", "d1d1d1d1d1d1", "e2e2e2e2e2e2"
HEADER = "| 排名 | 模型 | 机构 | 总分 | 使用 |\n|:-:|:-:|:-:|:-:|:-:|\n"


def _files() -> list[RawFile]:
    return [raw(f"readme_history/{p.name}", p.read_bytes(), url=f"https://github.com/o/r/blob/{p.stem[-12:]}/README.md")
            for p in sorted(HISTORY.glob("*.md"))]


@pytest.fixture(scope="module")
def parsed() -> pd.DataFrame:
    return superclue.parse(_files())


def _score(df: pd.DataFrame, model: str, key: str, month: str) -> pd.Series:
    return df.loc[df["source_model_name"].eq(model) & df["benchmark_key"].eq(key) & df["as_of"].eq(f"{month}-01"), "score"]


def _version(name: str, body: str) -> RawFile:
    return raw(f"readme_history/{name}.md", "# SuperCLUE\n\n" + body, url=f"https://github.com/o/r/blob/{name[-12:]}/README.md")


def test_boards_months_and_keys(parsed):
    boards = set(zip(parsed["benchmark_key"].str.split(":").str[0], parsed["as_of"], strict=True))
    assert boards == {("overall", "2023-05-01"), ("overall", "2023-11-01"), ("overall", "2023-12-01"),
                      ("basic10", "2023-11-01"), ("open", "2023-08-01")}
    assert _score(parsed, "GPT-4", "overall:总分", "2023-05").item() == 76.1, "v1.0 heading names no month: the version's"
    assert "overall:OPEN开放多轮" in set(parsed["benchmark_key"]), "'OPEN<br>开放多轮': <br> and spaces dropped"
    assert "overall:OPT三大能力客观题" in set(parsed["benchmark_key"])
    assert {"basic10:逻辑推理", "basic10:传统安全"} <= set(parsed["benchmark_key"]), "<br/> too"
    assert parsed["setting"].str.match(r"^month=\d{4}-\d{2}(;|$)").all()
    assert parsed["setting"].str.slice(6, 13).eq(parsed["as_of"].str[:7]).all(), "setting month = board month"


def test_medals_dash_rows_and_access_modes(parsed):
    nov = parsed[parsed["benchmark_key"].eq("overall:总分") & parsed["as_of"].eq("2023-11-01")].set_index("source_model_name")
    assert nov.loc["GPT4-Turbo", "setting"] == "month=2023-11;access=api;ranked=no", "'-' rank: outside the ranking"
    assert nov.loc["文心一言4.0", "setting"] == "month=2023-11;access=api", "a medal is a rank"
    assert nov.loc["Moonshot(KimiChat)", "setting"] == "month=2023-11;access=web", "网页 = web"
    assert nov.loc["文心一言4.0", "upstream_org"] == "百度"
    dec = parsed[parsed["as_of"].eq("2023-12-01")].set_index("source_model_name")
    assert dec.loc["GPT4(API)", "setting"].iloc[0].endswith("ranked=no"), "'-|GPT4(API)': a dash without spaces"
    open_aug = parsed[parsed["benchmark_key"].eq("open:总分")].set_index("source_model_name")["setting"]
    assert open_aug.to_dict() == {"GPT-4": "month=2023-08;ranked=no", "讯飞星火(v2.0)": "month=2023-08"}


def test_month_edited_across_commits_keeps_the_latest_table(parsed):
    nov = parsed[parsed["benchmark_key"].str.startswith("overall:") & parsed["as_of"].eq("2023-11-01")]
    assert set(nov["source_url"]) == {f"https://github.com/o/r/blob/{DEC}/README.md"}, "the later commit's table"
    assert _score(parsed, "讯飞星火V3.0", "overall:总分", "2023-11").tolist() == [57.2], "edited value, once"
    assert "Moonshot" not in set(nov["source_model_name"]), "a name fixed later does not linger"
    assert "Yi-34B-Chat" not in set(nov["source_model_name"]), "a row removed later is gone"
    ten = parsed[parsed["benchmark_key"].str.startswith("basic10:")]
    assert set(ten["source_url"]) == {f"https://github.com/o/r/blob/{NOV}/README.md"}, "only the earlier commit has it"
    assert not parsed.duplicated(["source_model_name", "benchmark_key", "as_of"]).any()


def test_ragged_rows_are_rejected_with_file_and_line(caplog):
    with caplog.at_level(logging.WARNING, logger=superclue.__name__):
        df = superclue.parse(_files())
    dec = df[df["as_of"].eq("2023-12-01")]
    assert not {"通义千问2.0", "讯飞星火V3.0"} & set(dec["source_model_name"]), "6 and 8 cells for 7 columns"
    ragged = [r.getMessage() for r in caplog.records if "row rejected" in r.getMessage()]
    assert any(f"2023-12-28_{DEC}.md, line 11: 6 cells for 7 columns" in m for m in ragged), ragged
    assert any(f"2023-12-28_{DEC}.md, line 12: 8 cells for 7 columns" in m for m in ragged), ragged
    assert _score(df, "Minimax(应事)", "overall:OPT三大能力客观题", "2023-12").item() == 79.6, "rows after stay whole"


def test_cell_formats(parsed):
    assert _score(parsed, "讯飞星火(v2.0)", "open:胜率", "2023-08").item() == 14.6, "'14.60%' in a percentage column"
    assert _score(parsed, "文心一言4.0", "basic10:逻辑推理", "2023-11").item() == 93.2, "bold, tabs"
    assert _score(parsed, "讯飞星火", "overall:总分", "2023-05").item() == 53.2, "<a href> markup removed"
    assert _score(parsed, "人类", "overall:学术与专业能力", "2023-05").empty, "'-' is no score"
    assert _score(parsed, "人类", "overall:总分", "2023-05").item() == 96.5


def test_tables_that_are_not_boards_are_skipped(parsed):
    names = set(parsed["source_model_name"])
    assert "旧表模型" not in names, "a second table under one heading is a stale leftover"
    assert not {"1.成语", "总分", "2023-05-12"} & names, "transposed drafts and non-board tables are not read"


def test_catalog_and_aliases(parsed, configs):
    norm = normalise(parsed, "superclue", configs)
    s = resolve(norm.scores.drop(columns=["model_id", "derivation"]), configs)
    v3 = s[s["source_model_name"].eq("讯飞星火V3.0")].set_index(["benchmark_id", "as_of"])
    assert v3.loc[("superclue_overall", "2023-11-01"), "score"] == 57.2
    assert v3.loc[("superclue_code", "2023-11-01"), "unit"] == "index"
    assert set(v3["model_id"]) == {"spark-3.0"}
    assert "overall:OPEN开放多轮" in set(norm.unmapped["benchmark_key"]), "repeats the OPEN board's total: unmapped"
    how = s.drop_duplicates("source_model_name").set_index("source_model_name")
    assert how.loc["GPT4(API)", "model_id"] == "gpt-4" and how.loc["讯飞星火(v2.0)", "model_id"] == "spark-2.0"
    assert how.loc["人类", "derivation"] == "ignored", "the human baseline"
    assert how.loc["讯飞星火", "derivation"] == "unmatched", "SparkDesk 1.0 in May 2023, V1.5 in June: not one model"


@pytest.mark.parametrize(("body", "problem"), [
    (HEADER + "| 1 | A | X | 7o.5 | API |\n", r"row 7: 总分: expected a number, got '7o.5'"),
    (HEADER + "| 首 | A | X | 70.5 | API |\n", r"row 7: 排名 \(rank\): expected a number, a medal or '-'"),
    ("| 排名 | 模型 | 总分 | 总分 |\n|-|-|-|-|\n| 1 | A | 1 | 2 |\n", r"row 5: duplicate column"),
    (HEADER + "| 1 |  | X | 70.5 | API |\n", r"row 7: 模型: empty model name"),
], ids=["score", "rank", "duplicate-column", "empty-model"])
def test_unreadable_board_raises(body, problem):
    with pytest.raises(ParseError, match=re.escape("superclue: readme_history/2023-11-30_aaaaaaaaaaaa.md") + ".*" + problem):
        superclue.parse([_version("2023-11-30_aaaaaaaaaaaa", "### SuperCLUE总排行榜（2023年11月）\n\n" + body)])


def test_unreadable_files_raise():
    with pytest.raises(ParseError, match="unknown file"):
        superclue.parse([raw("README_2311.md", "# x")])
    with pytest.raises(ParseError, match="not UTF-8"):
        superclue.parse([raw("readme_history/2023-11-30_aaaaaaaaaaaa.md", b"\xff\xfe# x")])
    with pytest.raises(ParseError, match="row 3: heading 'SuperCLUE总排行榜（2023年13月）': no month 13"):
        superclue.parse([_version("2023-11-30_aaaaaaaaaaaa", "### SuperCLUE总排行榜（2023年13月）\n\n" + HEADER
                                  + "| 1 | A | X | 70.5 | API |\n")])


def test_versions_of_one_day_are_ordered_by_commit_time():
    board = "### SuperCLUE总排行榜(2023年5月)\n\n" + HEADER + "| 1 | A | X | {} | API |\n"
    early = _version("2023-05-30T05:04:04Z_ffffffffffff", board.format("60.0"))  # sorts last by sha, is the earliest
    late = _version("2023-05-30T06:51:07Z_000000000000", board.format("61.0"))
    df = superclue.parse([late, early])
    assert df["score"].tolist() == [61.0] and df["source_url"].str.contains("000000000000").all()


# --- fetch: mirror names and links from the commit index; the live GitHub path --------------------------------

FULL = {MAY: MAY + "0" * 28, NOV: NOV + "1" * 28, DEC: DEC + "2" * 28}


def _mirror(tmp_path: Path, index: dict[str, str]) -> tuple[Fetcher, SimpleNamespace]:
    folder = tmp_path / "mirror" / "superclue" / "readme_history"
    folder.mkdir(parents=True)
    for p in HISTORY.glob("*.md"):
        (folder / p.name).write_bytes(p.read_bytes())
    (tmp_path / "configs" / "mirrors").mkdir(parents=True)
    (tmp_path / "configs" / "mirrors" / "superclue.yaml").write_text(
        yaml.safe_dump({"commits": [{"sha": FULL[k], "committed": t} for k, t in index.items()]}))
    return Fetcher(tmp_path / "cache", tmp_path / "mirror"), SimpleNamespace(root=tmp_path / "configs")


def test_mirror_versions_are_named_and_linked_by_the_commit_index(tmp_path, configs, caplog):
    fetcher, cfg = _mirror(tmp_path, {DEC: "2023-12-28T01:02:03Z", MAY: "2023-05-30T06:51:07Z"})
    with caplog.at_level(logging.WARNING, logger=superclue.__name__):
        files = {f.name: f for f in superclue.fetch(fetcher, configs.sources["superclue"], cfg)}
    blob = "https://github.com/CLUEbenchmark/SuperCLUE/blob/"
    assert files[f"readme_history/2023-12-28T01:02:03Z_{DEC}.md"].url == f"{blob}{FULL[DEC]}/README.md"
    assert files[f"readme_history/2023-12-28T01:02:03Z_{DEC}.md"].published == "2023-12-28"
    assert files[f"readme_history/2023-12-02_{NOV}.md"].url == f"{blob}{NOV}/README.md", "not indexed: 12-hex link"
    assert any(f"2023-12-02_{NOV}.md is not in mirrors/superclue.yaml" in r.getMessage() for r in caplog.records)
    assert len(superclue.parse(list(files.values()))) == len(superclue.parse(_files()))


def test_commit_index_in_configs_is_well_formed():
    commits = yaml.safe_load((ROOT / "configs" / superclue.MIRROR_INDEX).read_text())["commits"]
    assert all(re.fullmatch(r"[0-9a-f]{40}", c["sha"]) and superclue.TIME.match(c["committed"]) for c in commits)
    assert len({c["sha"][:12] for c in commits}) == len(commits), "12-hex prefixes name one commit each"
    times = [c["committed"] for c in commits]
    assert times == sorted(times, reverse=True), "newest first, as git log lists them"


def test_sources_yaml_declares_the_live_endpoints(configs):
    src = configs.sources["superclue"]
    eps = {e.name: e.url for e in src.endpoints}
    assert eps["commits"].startswith("https://api.github.com/repos/CLUEbenchmark/SuperCLUE/commits?path=README.md")
    assert eps["README.md"] == "https://raw.githubusercontent.com/CLUEbenchmark/SuperCLUE/{sha}/README.md"
    assert src.mirror[0].upstream == "https://github.com/CLUEbenchmark/SuperCLUE/blob/"


def test_live_fetch_pages_the_commit_list_and_skips_seen_commits(server, configs, tmp_path):
    shas = [DEC + "a" * 28, NOV + "b" * 28, MAY + "c" * 28]  # newest first, as the API lists them
    dates = ["2023-12-28T01:02:03Z", "2023-12-02T01:19:39Z", "2023-05-30T06:51:07Z"]
    commits = [{"sha": s, "commit": {"committer": {"date": d}}} for s, d in zip(shas, dates, strict=True)]
    for page, items in ((1, commits[:2]), (2, commits[2:])):
        server.expect_request("/repos/o/r/commits", query_string={"path": "README.md", "per_page": "2", "page": str(page)}
                              ).respond_with_json(items)
    for sha, p in zip(shas, sorted(HISTORY.glob("*.md"), reverse=True), strict=True):
        server.expect_request(f"/raw/o/r/{sha}/README.md").respond_with_data(p.read_bytes())
    src = configs.sources["superclue"].model_copy(update={"endpoints": [
        Endpoint(name="commits", url=server.url_for("/repos/o/r/commits") + "?path=README.md&per_page=2"),
        Endpoint(name="README.md", url=server.url_for("/raw/o/r") + "/{sha}/README.md")]})
    fetcher = Fetcher(tmp_path / "cache", session=make_session(retries=1, backoff=0), rate=RateLimiter(0), timeout=(2, 2))
    files = superclue.fetch(fetcher, src, configs)
    assert [f.name for f in files] == [f"readme_history/{d}_{s[:12]}.md" for s, d in zip(shas, dates, strict=True)]
    assert files[0].url == f"https://github.com/CLUEbenchmark/SuperCLUE/blob/{shas[0]}/README.md"
    df = superclue.parse(files)
    assert _score(df, "讯飞星火V3.0", "overall:总分", "2023-11").tolist() == [57.2]
    assert df["source_url"].str.fullmatch(r"https://github\.com/CLUEbenchmark/SuperCLUE/blob/[0-9a-f]{40}/README\.md").all()
    raw_hits = sum(r.path.startswith("/raw/") for r, _ in server.log)
    again = superclue.fetch(fetcher, src, configs)
    assert [f.data for f in again] == [f.data for f in files]
    assert sum(r.path.startswith("/raw/") for r, _ in server.log) == raw_hits == 3, "a commit seen before is not fetched again"
    assert all(f.extra.get("not_modified") for f in again)


# --- the real mirror ----------------------------------------------------------------------------------------


@needs_shared
def test_real_mirror_parses_with_every_board_and_month(configs, tmp_path):
    files = superclue.fetch(Fetcher(tmp_path, SHARED_UPSTREAM), configs.sources["superclue"], configs)
    assert all(re.search(r"T\d{2}:\d{2}:\d{2}Z_", f.name) for f in files), "every mirror version is in the commit index"
    df = superclue.parse(files)
    board_months = set(zip(df["benchmark_key"].str.split(":").str[0], df["as_of"].str[:7], strict=True))
    assert {("overall", f"2023-{m:02d}") for m in range(5, 13)} <= board_months
    assert {(b, f"2023-{m:02d}") for b in ("open", "opt", "basic10", "open_source") for m in range(8, 13)} <= board_months
    spark = df[df["source_model_name"].eq("讯飞星火(v4.0)")]
    assert spark["score"].notna().any() and set(spark["as_of"]) == {"2023-09-01"}, "the Sep 2023 boards' label"
    norm = normalise(df, "superclue", configs)
    keys = {u.key for b in configs.benchmarks.values() for u in b.upstream if u.source == "superclue"}
    assert keys <= set(df["benchmark_key"]), "every mapped key occurs upstream"
    assert norm.rejected == []
    res = resolve(norm.scores.drop(columns=["model_id", "derivation"]), configs)
    v3 = res[res["source_model_name"].eq("讯飞星火V3.0") & res["benchmark_id"].eq("superclue_overall")]
    assert set(v3["model_id"]) == {"spark-3.0"} and set(v3["as_of"]) == {"2023-10-01", "2023-11-01", "2023-12-01"}
