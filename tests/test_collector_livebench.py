"""LiveBench: category / global averages computed as the site does, one setting per release, live fetch skipping 404s."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pandas as pd
import pytest
import requests
from conftest import FIXTURES, SHARED_UPSTREAM, fixture_file, needs_shared, raw

from aggregator.collect import collect, normalise
from aggregator.collectors import livebench
from aggregator.config import Source
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


def test_ragged_row_is_read_as_the_site_reads_it_and_reported():
    """table_2026_01_08.csv upstream has a 21-field row under a 24-column header: the site's PapaParse fills the
    first columns in order and leaves the rest blank; so do we, and the refresh log says so."""
    df = livebench.parse(_files())
    delta = df[(df.source_model_name == "delta") & (df.setting == "release=2025-01-01")].set_index("benchmark_key")
    assert delta.loc["category:Coding", "score"] == pytest.approx(1.0)  # code_gen, the first task column
    assert delta.loc["category:Reasoning", "score"] == pytest.approx(2.0)  # spatial; zebra, the missing last one, blank
    assert any("row 5 (delta): 3 fields for 4 columns" in w for w in df.attrs["warnings"])


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


BUNDLE = (  # the shape of the site's minified main.js: the release selector and the model table (modelLinks.js)
    'const t=(0,r.useState)("2025-02-01");function a(e){return"2025-01-01"===e?"0":"1"}'
    'function o(t){return"0"===t?"2025-01-01":"2025-03-01"===t?"9":"2025-02-01"}'
    'const l={alpha:1,"alpha":{url:"https://example.org/alpha",organization:"Org",displayName:"Alpha",version:"2025-01-20",'
    'reasoner:!0,variants:[{rawName:"alpha-high",displayName:"Alpha High"}]},"beta":{url:"https://example.org/b",'
    'organization:"Org",displayName:"Beta",version:"002"}};')


def _site(server, served: dict[str, str]):
    server.expect_request("/asset-manifest.json").respond_with_json(
        {"files": {"main.js": "./static/js/main.abc123.js"}, "entrypoints": ["static/js/main.abc123.js"]})
    server.expect_request("/static/js/main.abc123.js").respond_with_data(BUNDLE)
    for name, body in served.items():
        server.expect_request(f"/{name}").respond_with_data(body)
    server.expect_request(re.compile(r"^/(table|categories)_.*")).respond_with_data("gone", status=404)
    return Source(id="livebench", title="t", producer="p", homepage="https://livebench.ai", license="l", citation="c",
                  urls={"site": server.url_for("/")})


def _fetcher(tmp_path):
    return Fetcher(tmp_path, session=requests.Session(), rate=RateLimiter(0))


def test_release_index_from_the_site_bundle():
    assert livebench.releases(BUNDLE) == ["2025-01-01", "2025-02-01", "2025-03-01"]
    assert livebench.model_versions(BUNDLE) == {"alpha": "2025-01-20", "alpha-high": "2025-01-20"}  # '002': no date
    source = "setSelectedDate('2024-06-24'); if (selectedDate === '2025-04-25') return '5'; dateStr > '2024-11-25'"
    assert livebench.releases(source) == ["2024-06-24", "2025-04-25"], "the unminified App.js reads the same"


def test_live_fetch_follows_the_site_index_and_skips_releases_not_served(httpserver, tmp_path, caplog):
    jan = (FIXTURES / "livebench" / "table_2025_01_01.csv").read_text()
    source = _site(httpserver, {"table_2025_01_01.csv": jan, "categories_2025_01_01.json": CATS,
                                "table_2025_02_01.csv": "model,zebra\nalpha-high,90\n",
                                "categories_2025_02_01.json": '{"Reasoning": ["zebra"]}'})
    with caplog.at_level(logging.WARNING):
        files = livebench.fetch(_fetcher(tmp_path), source, None)
    assert sorted(f.name for f in files) == ["bundle.js", "categories_2025_01_01.json", "categories_2025_02_01.json",
                                             "table_2025_01_01.csv", "table_2025_02_01.csv"]
    assert "release 2025-03-01 skipped" in caplog.text
    df = livebench.parse(files)
    assert _score(df, "alpha", "global", "2025-01-01") == pytest.approx(60.0)
    high = df[(df.source_model_name == "alpha-high") & (df.benchmark_key == "global")].iloc[0]
    assert (high["as_of"], high["model_release_date"]) == ("2025-02-01", "2025-01-20"), "the site's version date"
    assert df.attrs["formats"][1] == "site JS model table (2 model versions)"


def test_live_fetch_fails_when_no_release_is_served(httpserver, tmp_path):
    with pytest.raises(FetchError, match="none of the 3 releases the site lists"):
        livebench.fetch(_fetcher(tmp_path), _site(httpserver, {}), None)


def test_live_fetch_fails_loudly_without_an_index(httpserver, tmp_path):
    httpserver.expect_request("/asset-manifest.json").respond_with_json({"files": {}})
    source = Source(id="livebench", title="t", producer="p", homepage="h", license="l", citation="c",
                    urls={"site": httpserver.url_for("/")})
    with pytest.raises(FetchError, match="names no main.js bundle"):
        livebench.fetch(_fetcher(tmp_path), source, None)


def test_live_fetch_does_not_hide_server_errors(httpserver, tmp_path):
    source = _site(httpserver, {})
    httpserver.clear()
    httpserver.expect_request("/asset-manifest.json").respond_with_data("oops", status=500)
    with pytest.raises(FetchError, match="HTTP 500"):
        livebench.fetch(_fetcher(tmp_path), source, None)


@needs_shared
def test_mirror_collects_every_release(configs, tmp_path: Path):
    out = collect(configs, ["livebench"], tmp_path / "res", tmp_path / "cache", SHARED_UPSTREAM, log=lambda *_: None)
    assert out[0].status == "updated", out[0].message
    assert out[0].rows == 4947  # 9 releases; the ragged row adds its 7 categories and a global average
    scores = (tmp_path / "res" / "scores.csv").read_text()
    # hand-computed from table_2026_01_08.csv: mean of the 7 category means
    assert "claude-4-1-opus-20250805-base,live_bench,release=2026-01-08,54.4529," in scores
    # its only row is ragged (21 fields for 24 columns): read as the site reads it, the last 3 tasks blank
    assert "nemotron-3-super-120b-a12b,livebench_reasoning,release=2026-01-08," in scores
