"""Content-addressed memo of work already done on a file's exact bytes (parsed YAML as JSON, a passed schema check).

Lives in the git-ignored `.cache/memo/` beside the folder the file belongs to (configs/, results/). An entry is
keyed by the SHA-256 of the file's bytes and of the code that did the work, so any edit to either redoes it.
Only JSON is stored and read back: never pickle or marshal. The memo is an optimisation: a folder that cannot be
written, or an entry that cannot be read, means the work is simply done again.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from pathlib import Path
from typing import Any

from .transaction import new_temp

MISSING = object()


def key(*parts: bytes) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(len(p).to_bytes(8, "big"))  # length-prefixed: ("ab", "c") and ("a", "bc") differ
        h.update(p)
    return h.hexdigest()


def folder_for(data_dir: Path) -> Path:
    """The memo folder for files under data_dir (configs/ or results/): <its parent>/.cache/memo."""
    return Path(data_dir).absolute().parent / ".cache" / "memo"


def is_plain(value: Any) -> bool:
    """True when JSON gives the value back exactly: str-keyed dicts, lists, str, int, bool, None, finite floats."""
    if value is None or type(value) in (str, int, bool):
        return True
    if type(value) is float:
        return math.isfinite(value)
    if type(value) is list:
        return all(is_plain(v) for v in value)
    if type(value) is dict:
        return all(type(k) is str and is_plain(v) for k, v in value.items())
    return False  # bytes, sets, dates, tuples, non-string keys: not memoised


def get(folder: Path, k: str) -> Any:
    """The stored value, or MISSING."""
    try:
        return json.loads((folder / f"{k}.json").read_text(encoding="utf-8"))["value"]
    except (OSError, ValueError, KeyError, TypeError):
        return MISSING


def put(folder: Path, k: str, value: Any) -> None:
    """Store value (only when JSON gives it back exactly); written atomically; failures ignored."""
    if not is_plain(value):
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = new_temp(folder, k)
    except OSError:
        return
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump({"value": value}, fh, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        os.replace(tmp, folder / f"{k}.json")
    except (OSError, ValueError):
        Path(tmp).unlink(missing_ok=True)
