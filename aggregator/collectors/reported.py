"""Developer-reported results: the tables of technical reports and model cards, curated in configs/reported/*.yaml
(schema: config.Report). Each cell becomes one self-reported score row: the report's URL and date, the table
reference in the setting (`table=<ref>`), with what the table states for every cell (`all=`) and for the column
(`column=`); a peer's number counts
as self-reported too (the developer ran or copied it, nobody evaluated independently). Empty cells are no row.
The rows name registry model ids directly (the curator matched each printed name), and catalog benchmark ids."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import yaml
from pydantic import ValidationError

from ..config import Configs, Report, Source
from ..errors import ParseError
from ..fetch import Fetcher, RawFile
from ..store import finish_parsed
from ._util import with_formats

SOURCE_ID = "reported"


def fetch(fetcher: Fetcher, source: Source, configs: Configs) -> list[RawFile]:
    """The curated files from configs/ (the same in live and mirror mode: they are part of the repository)."""
    today = dt.date.today().isoformat()
    return [RawFile.of(p.relative_to(configs.root).as_posix(), p.read_bytes(), f"configs/{p.relative_to(configs.root).as_posix()}",
                       today) for p in configs.curated_files(source)]


def _text(s: str) -> str:
    """Free text inside a setting: no key/value separators."""
    return " ".join(s.replace(";", ",").replace("=", ":").split())


def setting_of(ref: str, table_setting: str, column_setting: str) -> str:
    """`table=<ref>`, then what the table states for every cell (`all=`) and for the column (`column=`)."""
    parts = [f"table={_text(ref)}"]
    parts += [f"{k}={_text(v)}" for k, v in (("all", table_setting), ("column", column_setting)) if v.strip()]
    return ";".join(parts)


def parse(files: list[RawFile]) -> pd.DataFrame:
    rows = []
    for f in files:
        try:
            data = yaml.safe_load(f.data.decode("utf-8"))
        except (UnicodeDecodeError, yaml.YAMLError) as exc:
            raise ParseError(SOURCE_ID, f.name, f"not readable YAML ({exc})") from None
        if not isinstance(data, dict) or not isinstance(data.get("reports"), list):
            raise ParseError(SOURCE_ID, f.name, "expected a mapping with a list under 'reports'")
        for i, raw in enumerate(data["reports"]):
            try:
                rep = Report.model_validate(raw)
            except ValidationError as exc:
                err = exc.errors()[0]
                where = ".".join(str(p) for p in err["loc"])
                raise ParseError(SOURCE_ID, f.name, f"report #{i + 1}: {where}: {err['msg']}") from None
            if len(rep.date) != 10:
                raise ParseError(SOURCE_ID, f.name, f"report {rep.id}: date {rep.date!r} must be a day (YYYY-MM-DD)")
            for t in rep.tables:
                for r in t.rows:
                    for col, value in zip(t.columns, r.values, strict=True):
                        if value is None:
                            continue
                        rows.append({"source_model_name": r.model, "benchmark_key": col.benchmark,
                                     "setting": setting_of(t.ref, t.setting, col.setting), "score": value * col.scale,
                                     "as_of": rep.date, "source_url": rep.url, "self_reported": True})
    return with_formats(finish_parsed(rows), ["configs/reported/*.yaml (Report tables)"])
