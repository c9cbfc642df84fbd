"""LMArena parser on hand-written fixtures in each upstream format: HF parquet, board CSV, history CSV, scrape JSON."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from conftest import fixture_file, needs_shared, raw

from aggregator.collect import normalise
from aggregator.collectors import lmarena
from aggregator.errors import ParseError


def _parquet(rows: list[dict]) -> bytes:
    buf = io.BytesIO()
    pd.DataFrame(rows).to_parquet(buf, index=False)
    return buf.getvalue()


def _arena_rows(dates: list[str], categories=("overall", "coding")) -> list[dict]:
    """Rows as the dataset's parquet holds them: one per model, category and publish date."""
    return [{"model_name": m, "organization": org, "license": "MIT", "rating": base + i + (c != "overall") * 5,
             "rating_lower": base + i - 4.0, "rating_upper": base + i + 4.5, "variance": 4.1, "vote_count": 22000,
             "rank": 1, "category": c, "leaderboard_publish_date": d}
            for i, d in enumerate(dates) for c in categories
            for m, org, base in (("deepseek-v3", "DeepSeek", 1318.0), ("gpt-4o-2024-05-13", "OpenAI", 1285.0))]


def test_full_parquet_gives_every_publish_date_overall_only(configs):
    data = _parquet(_arena_rows(["2025-06-23", "2025-07-01", "2025-08-04"]))
    df = lmarena.parse([raw("text_style_control/full-00000-of-00001.parquet", data)])
    assert len(df) == 2 * 3, "the overall category of every date; the other categories are sub-boards"
    assert sorted(set(df["as_of"])) == ["2025-06-23", "2025-07-01", "2025-08-04"]
    row = df[df["as_of"].eq("2025-06-23") & df["source_model_name"].eq("deepseek-v3")].iloc[0]
    assert (row["benchmark_key"], row["setting"]) == ("text", "category=overall;style_control=on")  # the config says so
    assert (row["score"], row["ci_lower"], row["ci_upper"], row["upstream_org"]) == (1318.0, 1314.0, 1322.5, "DeepSeek")
    assert df.attrs["formats"] == ["HF dataset parquet, full history"]
    plain = lmarena.parse([raw("webdev/latest-00000-of-00001.parquet", _parquet(_arena_rows(["2025-08-04"])))])
    assert set(plain["setting"]) == {"category=overall;style_control=off"} and set(plain["benchmark_key"]) == {"webdev"}
    norm = normalise(pd.concat([df, plain]), "lmarena", configs)
    assert set(norm.scores["benchmark_id"]) == {"lmarena_text", "webdev_arena"} and set(norm.scores["unit"]) == {"elo"}


def test_the_dataset_file_list_is_the_index():
    paths = ["README.md", "text/full-00000-of-00001.parquet", "text/latest-00000-of-00001.parquet",
             "vision_style_control/latest-00000-of-00001.parquet", "search/full-00000-of-00002.parquet",
             "search/full-00001-of-00002.parquet", "search/latest-00000-of-00001.parquet", "webdev/notes.txt"]
    assert lmarena.index(paths) == ["search/full-00000-of-00002.parquet", "search/full-00001-of-00002.parquet",
                                    "text/full-00000-of-00001.parquet", "vision_style_control/latest-00000-of-00001.parquet"]


def test_board_csv_style_control_follows_the_rank_column_the_score_follows():
    """fboulnois's lmarena_text.csv (2025-08-04): arena_score orders the models as `rank` does, not as
    `rank_stylectrl` (ChatGPT-4o-latest scores above DeepSeek-R1-0528 but ranks below it with style control)."""
    df = lmarena.parse([fixture_file("lmarena", "lmarena_text.csv", as_of="2025-08-04")])
    r = df.set_index("source_model_name").loc["DeepSeek-R1-0528"]
    assert (r["score"], r["ci_lower"], r["ci_upper"]) == (1424.0, 1417.0, 1430.0)
    assert r["as_of"] == "2025-08-04" and set(df["setting"]) == {"category=overall;style_control=off"}
    sc = ("rank,rank_stylectrl,model,arena_score,95_pct_ci\n1,2,a,1400,+5/-5\n2,1,b,1410,+5/-5\n3,3,c,1390,+5/-5\n")
    assert set(lmarena.parse([raw("lmarena_text.csv", sc)])["setting"]) == {"category=overall;style_control=on"}


def test_history_is_never_style_controlled_whatever_the_date():
    df = lmarena.parse([fixture_file("lmarena", "result.csv")])
    assert len(df) == 4  # 6 cells, 2 of them 0.0 = not on the board
    r = df[(df["source_model_name"] == "deepseek-v3")].iloc[0]
    assert (r["as_of"], r["score"], r["setting"]) == ("2025-01-10", 1317.9, "category=overall;style_control=off")
    late = lmarena.parse([raw("nakasyou_lmarena-history/result.csv", ",gpt-4o\n20250520,1290.5\n")])
    assert late["setting"].item() == "category=overall;style_control=off"


def test_scrape_json_and_index_skipped():
    files = [fixture_file("lmarena", "scrape/2026-04-19/_index.json"), fixture_file("lmarena", "scrape/2026-04-19/text.json")]
    df = lmarena.parse(files)
    r = df.set_index("source_model_name").loc["glm-5"]
    assert (r["score"], r["ci_lower"], r["ci_upper"], r["as_of"]) == (1452.0, 1445.0, 1459.0, "2026-04-19")
    assert r["setting"] == "category=overall;style_control=on"  # arena.ai's default view


@pytest.mark.parametrize("name,data,needle", [
    ("lmarena_text.csv", "rank,model\n1,x\n", "missing column"),
    ("lmarena_text.csv", "model,arena_score,95_pct_ci\nx,abc,+1/-1\n", "expected a number"),
    ("lmarena_text.csv", b"\xff\xfe\x00bad", "not UTF-8"),
    ("text/latest-00000-of-00001.parquet", b"PAR1garbage", "parquet"),
    ("text/full-00000-of-00001.parquet", _parquet([{"model_name": "x", "rating": 1.0}]), "parquet"),
    ("x/text.json", '{"models": 3}', "expected {meta"),
    ("unknown.txt", "hello", "unknown file"),
])
def test_malformed_input_names_the_file(name, data, needle):
    with pytest.raises(ParseError) as exc:
        lmarena.parse([raw(name, data)])
    assert name in str(exc.value) and needle in str(exc.value)


@needs_shared
def test_mirror_collects_every_arena(tmp_path, configs):
    from conftest import SHARED_UPSTREAM

    from aggregator.collect import collect
    from aggregator.store import read_scores

    out = collect(configs, ["lmarena"], tmp_path / "res", tmp_path / "cache", SHARED_UPSTREAM, log=lambda *_: None)
    assert out[0].status == "updated"
    scores = read_scores(tmp_path / "res" / "scores.csv")
    assert {"lmarena_text", "lmarena_vision", "lmarena_text_to_image"} <= set(scores["benchmark_id"])
    top = scores[(scores["source_model_name"] == "Gemini-2.5-Pro") & (scores["as_of"] == "2025-08-04")
                 & (scores["benchmark_id"] == "lmarena_text")]
    assert top["score"].tolist() == [1470.0]
