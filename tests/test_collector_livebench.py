"""LiveBench: category / global averages computed as the site does, one setting per release, live fetch skipping 404s."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd
import pytest
import requests
from conftest import SHARED_UPSTREAM, fixture_file, needs_shared, raw

from aggregator.collect import collect, normalise
from aggregator.collectors import livebench
from aggregator.config import Endpoint, Source
from aggregator.errors import FetchError, ParseError
from aggregator.fetch import Fetcher, RateLimiter

CATS = '{"Reasoning": ["zebra", "spatial"], "Coding": ["code_gen"]}'


def _files():
    names = ["table_2025_01_01.csv", "categories_2025_01_01.json", "table_2025_02_01.csv", "categories_2025_02_01.json"]
    return [fixture_file("livebench", n) for n in names]


def _score(df, model, key, release):
    sel = df[(df.source_model_name == model) & (df.benchmark_key == key) & (df.setting == f"release={release}")]
    assert len(sel) <= 1, "one score per model, key and release"
    return None if sel.empty or pd.isna(sel["score"].iloc[0]) else sel["score"].iloc[0]  # NaN: blank, no score


def test_category_and_global_averages():
    df = livebench.parse(_files())
    assert _score(df, "alpha", "category:Reasoning", "2025-01-01") == pytest.approx(60.0)
    assert _score(df, "alpha", "global", "2025-01-01") == pytest.approx(60.0)
    # a blank task is ignored in its category, as on the site
    assert _score(df, "beta", "category:Reasoning", "2025-01-01") == pytest.approx(50.0)
    assert _score(df, "beta", "global", "2025-01-01") == pytest.approx((50.0 + 30.0) / 2)
    # gamma has no coding task at all: its categories that exist are kept, but no global average
    assert _score(df, "gamma", "category:Reasoning", "2025-01-01") == pytest.approx(15.0)
    assert _score(df, "gamma", "category:Coding", "2025-01-01") is None
    assert _score(df, "gamma", "global", "2025-01-01") is None


def test_each_release_is_its_own_setting_and_date():
    df = livebench.parse(_files())
    feb = df[df.setting == "release=2025-02-01"]
    assert set(feb.benchmark_key) == {"category:Reasoning", "category:Agentic Coding", "global"}
    assert _score(df, "alpha", "global", "2025-02-01") == pytest.approx(80.0)  # a task in no category is ignored
    assert set(feb.as_of) == {"2025-02-01"}
    assert set(feb.source_url) == {"https://example.org/table_2025_02_01.csv"}
    assert not df.is_system.any() and not df.self_reported.any()


def test_ragged_row_is_read_as_blanks_not_shifted(caplog):
    with caplog.at_level(logging.WARNING):
        df = livebench.parse(_files())
    assert df.loc[df.source_model_name.eq("delta"), "score"].isna().all()  # blank: any previous scores are kept
    assert "row 5 (delta)" in caplog.text


def test_normalise_maps_catalog_ids(configs):
    norm = normalise(livebench.parse(_files()), "livebench", configs)
    assert norm.rejected == [] and norm.unmapped.empty
    alpha = norm.scores[norm.scores.source_model_name == "alpha"]
    ids = set(alpha.benchmark_id)
    assert {"live_bench", "livebench_reasoning", "livebench_coding", "livebench_agentic_coding"} <= ids
    assert set(alpha.unit) == {"percent"}
    assert configs.benchmarks["live_bench"].headline_setting == "@latest:release"


@pytest.mark.parametrize("files, problem", [
    ([raw("table_2025_01_01.csv", "model,zebra,spatial,code_gen\nalpha,80,forty,60\n"), raw("categories_2025_01_01.json", CATS)],
     "spatial: expected a number"),
    ([raw("table_2025_01_01.csv", "name,zebra\nalpha,80\n"), raw("categories_2025_01_01.json", CATS)], "header"),
    ([raw("table_2025_01_01.csv", "model,zebra\nalpha,80\n")], "no categories_2025_01_01.json"),
    ([raw("table_2025_01_01.csv", "model,zebra\nalpha,80\n"), raw("categories_2025_01_01.json", '{"Reasoning": "zebra"}')],
     "expected {category"),
    ([raw("table_2025_01_01.csv", "model,zebra\nalpha,80\n"), raw("categories_2025_01_01.json", "{not json")], "not valid JSON"),
    ([raw("leaderboard.csv", "model,zebra\nalpha,80\n")], "unknown file"),
])
def test_malformed_files_raise_parse_error(files, problem):
    with pytest.raises(ParseError, match=problem) as err:
        livebench.parse(files)
    assert err.value.file in {f.name for f in files}, "the error names the offending file"


def test_bad_value_error_names_the_row():
    files = [raw("table_2025_01_01.csv", "model,zebra,spatial,code_gen\nalpha,80,40,60\nbeta,1,x,2\n"),
             raw("categories_2025_01_01.json", CATS)]
    with pytest.raises(ParseError) as err:
        livebench.parse(files)
    assert err.value.file == "table_2025_01_01.csv" and err.value.row == 3


def _source(server, dates):
    eps = [Endpoint(name=f"{kind}_{d}.{ext}", url=server.url_for(f"/{kind}_{d}.{ext}"))
           for d in dates for kind, ext in (("table", "csv"), ("categories", "json"))]
    return Source(id="livebench", title="t", producer="p", homepage="https://livebench.ai", license="l", citation="c", endpoints=eps)


def _fetcher(tmp_path):
    return Fetcher(tmp_path, session=requests.Session(), rate=RateLimiter(0))


def test_live_fetch_skips_releases_not_served(httpserver, tmp_path, caplog):
    httpserver.expect_request("/table_2025_01_01.csv").respond_with_data("model,zebra\nalpha,80\n")
    httpserver.expect_request("/categories_2025_01_01.json").respond_with_data('{"Reasoning": ["zebra"]}')
    httpserver.expect_request("/table_2025_03_01.csv").respond_with_data("gone", status=404)
    httpserver.expect_request("/categories_2025_03_01.json").respond_with_data("gone", status=404)
    with caplog.at_level(logging.WARNING):
        files = livebench.fetch(_fetcher(tmp_path), _source(httpserver, ["2025_01_01", "2025_03_01"]), None)
    assert sorted(f.name for f in files) == ["categories_2025_01_01.json", "table_2025_01_01.csv"]
    assert "release 2025-03-01 skipped" in caplog.text
    assert _score(livebench.parse(files), "alpha", "global", "2025-01-01") == pytest.approx(80.0)


def test_live_fetch_fails_when_no_release_is_served(httpserver, tmp_path):
    httpserver.expect_request("/table_2025_03_01.csv").respond_with_data("gone", status=404)
    httpserver.expect_request("/categories_2025_03_01.json").respond_with_data("gone", status=404)
    with pytest.raises(FetchError, match="none of the 1 declared releases"):
        livebench.fetch(_fetcher(tmp_path), _source(httpserver, ["2025_03_01"]), None)


def test_live_fetch_does_not_hide_server_errors(httpserver, tmp_path):
    httpserver.expect_request("/table_2025_01_01.csv").respond_with_data("oops", status=500)
    with pytest.raises(FetchError, match="HTTP 500"):
        livebench.fetch(_fetcher(tmp_path), _source(httpserver, ["2025_01_01"]), None)


@needs_shared
def test_mirror_collects_every_release(configs, tmp_path: Path):
    out = collect(configs, ["livebench"], tmp_path / "res", tmp_path / "cache", SHARED_UPSTREAM, log=lambda *_: None)
    assert out[0].status == "updated", out[0].message
    assert out[0].rows == 4939  # 9 releases; 659 model-release pairs with a global average
    scores = (tmp_path / "res" / "scores.csv").read_text()
    # hand-computed from table_2026_01_08.csv: mean of the 7 category means
    assert "claude-4-1-opus-20250805-base,live_bench,release=2026-01-08,54.4529," in scores
    assert "nemotron-3-super-120b-a12b" not in scores  # its only row is ragged (21 fields for 24 columns)
