"""Source links: a mirror file's row links to the file's path in the upstream copy it was taken from, never to the
local mirror folder (issue 15: 11,951 links named the local folder), and every link in the committed scores.csv
reaches a file of the upstream layout declared for the mirror."""

from __future__ import annotations

from fnmatch import fnmatch
from urllib.parse import unquote

import pytest
from conftest import ROOT, SHARED_UPSTREAM, needs_shared
from pydantic import ValidationError

from aggregator.collectors import superclue
from aggregator.config import MirrorGroup, Source
from aggregator.fetch import Fetcher
from aggregator.store import read_scores

COPY = "https://github.com/nakasyou/lmarena-history/blob/22d6c6aa0f5642b41674fc94095e5f2833071d39/output/"


def _source(groups: list[dict]) -> Source:
    return Source(id="demo", title="t", producer="p", homepage="https://example.org", license="l", citation="c",
                  mirror=[MirrorGroup(**g) for g in groups])


def test_a_file_under_a_local_folder_links_to_its_upstream_path(tmp_path):
    (tmp_path / "demo" / "nakasyou_lmarena-history").mkdir(parents=True)
    (tmp_path / "demo" / "nakasyou_lmarena-history" / "result.csv").write_text(",m\n20250101,1\n")
    (tmp_path / "demo" / "scrape" / "2026-04-19").mkdir(parents=True)
    (tmp_path / "demo" / "scrape" / "2026-04-19" / "text.json").write_text("{}")
    (tmp_path / "demo" / "Epoch Database - Notable Models.csv").write_text("a\n")
    source = _source([
        {"upstream": COPY, "as_of": "2025-05-23", "local": "nakasyou_lmarena-history/",
         "files": ["nakasyou_lmarena-history/result.csv"]},
        {"upstream": "https://github.com/o/arena/blob/abc/data/", "as_of": "2026-04-19", "local": "scrape/",
         "files": ["scrape/*/*.json"]},
        {"upstream": "https://github.com/o/llmfit/blob/def/data/", "as_of": "2026-02-16",
         "files": ["Epoch Database - Notable Models.csv"]},
    ])
    files = {f.name: f for f in Fetcher(tmp_path / "cache", mirror=tmp_path).from_mirror(source)}
    assert files["nakasyou_lmarena-history/result.csv"].url == COPY + "result.csv"
    assert files["scrape/2026-04-19/text.json"].url == "https://github.com/o/arena/blob/abc/data/2026-04-19/text.json"
    assert files["Epoch Database - Notable Models.csv"].url == \
        "https://github.com/o/llmfit/blob/def/data/Epoch%20Database%20-%20Notable%20Models.csv", "a link is a URL"


def test_a_pattern_outside_its_local_folder_is_a_config_error():
    with pytest.raises(ValidationError, match="not under the declared local folder"):
        MirrorGroup(upstream=COPY, as_of="2025-05-23", local="nakasyou_lmarena-history/", files=["result.csv"])
    with pytest.raises(ValidationError, match="ends with '/'"):
        MirrorGroup(upstream=COPY, as_of="2025-05-23", local="nakasyou_lmarena-history", files=["x"])


@needs_shared
def test_every_source_url_in_scores_csv_reaches_a_file_of_the_declared_upstream_layout(configs):
    """Following each distinct link of the committed scores.csv leads to a file that exists at that path in the
    upstream copy (the mirror holds those files at <local folder><upstream path>, as sources.yaml declares). SuperCLUE's
    mirror names README versions by date and short sha: its links are those its commit index gives the mirror files.
    Curated rows link to the document each table was read from (re-checked by their own tests)."""
    scores = read_scores(ROOT / "results" / "scores.csv")
    groups = sorted(((sid, g) for sid, s in configs.sources.items() for g in s.mirror),
                    key=lambda p: -len(p[1].upstream))  # the longest prefix first
    curated = [sid for sid, s in configs.sources.items() if s.kind == "curated"]  # links to the documents curated
    indexed = {f.name: f.url for f in superclue.fetch(Fetcher(ROOT / ".cache", SHARED_UPSTREAM), configs.sources["superclue"],
                                                      configs)} if "superclue" in configs.sources else {}
    broken = []
    for url in sorted(set(scores.loc[~scores["source_id"].isin(curated), "source_url"]) - set(indexed.values())):
        sid, group = next(((sid, g) for sid, g in groups if url.startswith(g.upstream)), (None, None))
        if group is None:
            broken.append(f"{url}: under no mirror group of sources.yaml")
            continue
        rel = group.local + unquote(url.removeprefix(group.upstream))
        if not any(fnmatch(rel, p) for p in group.files) or not (SHARED_UPSTREAM / sid / rel).is_file():
            broken.append(f"{url}: no file {rel} in the declared layout of {sid}")
    assert not broken, f"{len(broken)} broken links, e.g. {broken[:3]}"
