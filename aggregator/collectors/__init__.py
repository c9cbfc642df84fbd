"""One module per source, named after the source id, each with
`fetch(fetcher, source, configs) -> list[RawFile]` (I/O: live endpoints or the mirror) and a pure
`parse(files) -> DataFrame` (raw bytes -> parsed rows, see store.PARSED_COLUMNS; sources of kind 'models'
return model metadata instead). Modules are imported only when their source is collected."""

from __future__ import annotations

import importlib
import re
from types import ModuleType


def collector(source_id: str) -> ModuleType:
    if not re.fullmatch(r"[a-z0-9_]+", source_id):
        raise KeyError(f"no collector for source {source_id!r}")
    try:
        return importlib.import_module(f"{__name__}.{source_id}")
    except ModuleNotFoundError:
        raise KeyError(f"no collector module aggregator/collectors/{source_id}.py for source {source_id!r}") from None
