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


def test_parquet_live_format_keeps_ci_and_style_control(configs):
    data = _parquet([
        {"model_name": "deepseek-v3", "organization": "DeepSeek", "license": "MIT", "rating": 1318.4, "rating_lower": 1314.0,
         "rating_upper": 1322.5, "variance": 4.1, "vote_count": 22000, "rank": 12, "category": "overall",
         "leaderboard_publish_date": "2025-06-23"},
        {"model_name": "deepseek-v3", "organization": "DeepSeek", "license": "MIT", "rating": 1290.0, "rating_lower": 1280.0,
         "rating_upper": 1300.0, "variance": 9.0, "vote_count": 3000, "rank": 20, "category": "chinese",
         "leaderboard_publish_date": "2025-06-23"},
    ])
    df = lmarena.parse([raw("text_style_control/latest-00000-of-00001.parquet", data)])
    assert len(df) == 2
    row = df[df["setting"] == "category=overall;style_control=on"].iloc[0]
    assert row["benchmark_key"] == "text"
    assert (row["score"], row["ci_lower"], row["ci_upper"]) == (1318.4, 1314.0, 1322.5)
    assert row["as_of"] == "2025-06-23" and row["upstream_org"] == "DeepSeek"
    norm = normalise(df, "lmarena", configs)
    assert set(norm.scores["benchmark_id"]) == {"lmarena_text"} and set(norm.scores["unit"]) == {"elo"}


def test_board_csv_parses_asymmetric_ci():
    df = lmarena.parse([fixture_file("lmarena", "lmarena_text.csv", as_of="2025-08-04")])
    r = df.set_index("source_model_name").loc["DeepSeek-R1-0528"]
    assert (r["score"], r["ci_lower"], r["ci_upper"]) == (1424.0, 1417.0, 1430.0)
    assert r["as_of"] == "2025-08-04" and r["setting"] == "category=overall;style_control=on"


def test_history_drops_absent_zero_and_dates_each_row():
    df = lmarena.parse([fixture_file("lmarena", "result.csv")])
    assert len(df) == 4  # 6 cells, 2 of them 0.0 = not on the board
    r = df[(df["source_model_name"] == "deepseek-v3")].iloc[0]
    assert (r["as_of"], r["score"], r["setting"]) == ("2025-01-10", 1317.9, "category=overall;style_control=off")


def test_scrape_json_and_index_skipped():
    files = [fixture_file("lmarena", "scrape/2026-04-19/_index.json"), fixture_file("lmarena", "scrape/2026-04-19/text.json")]
    df = lmarena.parse(files)
    r = df.set_index("source_model_name").loc["glm-5"]
    assert (r["score"], r["ci_lower"], r["ci_upper"], r["as_of"]) == (1452.0, 1445.0, 1459.0, "2026-04-19")


@pytest.mark.parametrize("name,data,needle", [
    ("lmarena_text.csv", "rank,model\n1,x\n", "missing column"),
    ("lmarena_text.csv", "model,arena_score,95_pct_ci\nx,abc,+1/-1\n", "expected a number"),
    ("lmarena_text.csv", b"\xff\xfe\x00bad", "not UTF-8"),
    ("text/latest-00000-of-00001.parquet", b"PAR1garbage", "parquet"),
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
