"""BigCodeBench leaderboard: calibrated greedy pass@1 (%) on the full set (results.json) and the Hard subset
(results-hard.json), each in its two splits, -Complete (docstring completion) and -Instruct (natural-language task).

Live and mirror: the files of bigcode-bench.github.io, EvalPlus layout (`{name: {link, pass@1: {instruct, complete},
date, ...}}`, read with evalplus.read_board). Benchmark key = `<full|hard>/<split>`; nulls (e.g. no -Instruct run for
base models) are skipped. `date` is the model's release date as the leaderboard lists it (used for its "released
after" filter) -> model_release_date; the board has no run dates, so as_of is the file's date. `prompted`, `moe`,
`size`, `prefill` are ignored; `link` gives upstream_org when it is a Hugging Face repo.
"""

from __future__ import annotations

from pathlib import PurePosixPath

import pandas as pd

from ..config import Configs, Source
from ..errors import ParseError
from ..fetch import Fetcher, RawFile
from ..store import finish_parsed
from ._util import hf_org, iso_dates, with_formats
from .evalplus import read_board

SOURCE_ID = "bigcodebench"
FILES = {"results.json": "full", "results-hard.json": "hard"}
SPLITS = ["complete", "instruct"]


def fetch(fetcher: Fetcher, source: Source, configs: Configs) -> list[RawFile]:
    return fetcher.fetch_declared(source)


def parse(files: list[RawFile]) -> pd.DataFrame:
    frames = []
    for f in files:
        subset = FILES.get(PurePosixPath(f.name).name)
        if subset is None:
            raise ParseError(SOURCE_ID, f.name, f"unknown file: expected one of {sorted(FILES)}")
        b = read_board(SOURCE_ID, f, SPLITS)
        frames.append(pd.DataFrame({
            "source_model_name": b["name"], "benchmark_key": subset + "/" + b["key"], "score": b["score"],
            "as_of": f.published or f.retrieved_at, "source_url": f.url, "upstream_org": hf_org(b["link"]),
            "model_release_date": iso_dates(b["date"]),
        }))
    frames = [fr for fr in frames if not fr.empty]
    return with_formats(finish_parsed(pd.concat(frames, ignore_index=True) if frames else []), ["results.json / results-hard.json"])
