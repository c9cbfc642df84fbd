"""What lets collect tell "unchanged" without redoing the work: the key of a source's inputs, row sets compared
exactly through integer codes (no text round trip), and the state of the last collect.

The state (`<cache>/collect-state.json`, JSON only) records, for the scores.csv it leaves behind (by SHA-256) and the
registry it resolved with, each source's input key and the outcome a run on that key gives once its rows are in
results/: a fixed point, checked by running the source's guards a second time on their own output. A run whose key
and scores.csv match is then "unchanged" without parsing, normalising or diffing, and when no source changed and the
registry did not either, scores.csv is not rebuilt. Deleting the state only makes the next run slower.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .config import Configs
from .fetch import secret_values
from .store import atomic_write_bytes

STATE_FILE = "collect-state.json"
_HERE = Path(__file__).parent
# the code between parsed rows and results/ (a parser's own code is in its parse key)
_PIPELINE = hashlib.sha256(b"\0".join([*(p.read_bytes() for p in sorted(_HERE.glob("*.py"))), pd.__version__.encode()])).hexdigest()


def _digest(*parts: str) -> str:
    h = hashlib.sha256()
    for p in parts:
        b = p.encode()
        h.update(len(b).to_bytes(8, "big") + b)
    return h.hexdigest()


def sha(data: bytes | None) -> str:
    return hashlib.sha256(data or b"").hexdigest()


def source_key(configs: Configs, sid: str, parse_key: str, mirror: bool, independent: bool) -> str:
    """Everything a source's rows in results/ follow from, given its previous rows: its files and parser (parse_key),
    its settings in sources.yaml, its upstream keys in the catalog with their benchmarks' units, the units, the
    pipeline code, the mode (mirror or live) and the secrets redacted from its text."""
    src = configs.sources[sid]
    curated = src.kind == "curated"
    keys = sorted((k, b, scale, configs.benchmarks[b].unit) for (s, k), (b, scale) in configs.benchmark_key_map().items() if s == sid)
    catalog = sorted((b.id, b.unit) for b in configs.benchmarks.values()) if curated else []
    units = {u: v.model_dump() for u, v in sorted(configs.units.items())}
    secrets = hashlib.sha256("\0".join(secret_values()).encode()).hexdigest()
    return _digest(parse_key, src.model_dump_json(), json.dumps([keys, catalog, units], default=str), _PIPELINE,
                   f"{mirror}|{independent}", secrets)


def resolve_key(configs: Configs) -> str:
    """What resolving score rows to models depends on: the registry, the aliases, the sources' name prefixes."""
    models = [configs.models[m].model_dump_json() for m in sorted(configs.models)]
    aliases = {s: sorted(t.items(), key=lambda kv: kv[0]) for s, t in sorted(configs.aliases.items())}
    prefixes = sorted((s.id, s.name_prefixes) for s in configs.sources.values())
    return _digest(*models, json.dumps([aliases, prefixes]), _PIPELINE)


# --- row sets ------------------------------------------------------------------------------------------------


def _codes(old: pd.Series, new: pd.Series) -> np.ndarray:
    """One column of both tables as integer codes, equal exactly where the values are (a float by its bits, NaN as
    one value; text with missing as '')."""
    both = pd.concat([old, new], ignore_index=True)
    if both.dtype == "float64":
        values = both.to_numpy()
        bits = values.view(np.uint64).copy()
        bits[np.isnan(values)] = np.uint64(0x7FF8000000000000)
        return pd.factorize(bits)[0]
    if both.dtype == "bool":
        return both.to_numpy().astype(np.int64)
    return pd.factorize(both.fillna("").astype(str))[0]


def _row_ids(old: pd.DataFrame, new: pd.DataFrame, columns: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Each row of old and of new as an integer, equal exactly where the rows are equal in `columns`."""
    ids = np.zeros(len(old) + len(new), dtype=np.int64)
    for c in columns:
        codes = _codes(old[c], new[c])
        ids = pd.factorize(ids * (int(codes.max(initial=0)) + 1) + codes)[0]
    return ids[: len(old)], ids[len(old):]


@dataclass
class Diff:
    same: bool  # the same rows, as many times each
    added: int  # keys only the new rows have
    removed: int  # keys only the old rows have
    changed: int  # keys both have, with rows that differ


def compare(old: pd.DataFrame, new: pd.DataFrame, columns: list[str], key: list[str]) -> Diff:
    """Old and new rows compared exactly on `columns`, counted by `key` (floats as written: round them first)."""
    if old.empty or new.empty:
        n_old = len(old.drop_duplicates(key)) if len(old) else 0
        n_new = len(new.drop_duplicates(key)) if len(new) else 0
        return Diff(old.empty and new.empty, n_new, n_old, 0)
    o_row, n_row = _row_ids(old, new, columns)
    o_key, n_key = _row_ids(old, new, key)
    same = len(o_row) == len(n_row) and np.array_equal(np.sort(o_row), np.sort(n_row))
    ok, nk = np.unique(o_key), np.unique(n_key)
    common = np.intersect1d(ok, nk, assume_unique=True)
    span = int(max(o_row.max(), n_row.max())) + 1
    pairs_old, pairs_new = np.unique(o_key * span + o_row), np.unique(n_key * span + n_row)
    differ = np.unique(np.setxor1d(pairs_old, pairs_new, assume_unique=True) // span)
    changed = 0 if same else int(np.isin(differ, common, assume_unique=True).sum())
    return Diff(same, len(np.setdiff1d(nk, ok, assume_unique=True)), len(np.setdiff1d(ok, nk, assume_unique=True)), changed)


# --- the state of the last collect ----------------------------------------------------------------------------


@dataclass
class State:
    scores: str = ""  # SHA-256 of the scores.csv the last collect left
    resolve: str = ""  # resolve_key it resolved with
    sources: dict[str, dict] = field(default_factory=dict)  # source id -> {key, ...what a run on that key gives}

    @classmethod
    def load(cls, cache: Path) -> State:
        try:
            doc = json.loads((Path(cache) / STATE_FILE).read_text(encoding="utf-8"))
            return cls(str(doc["scores"]), str(doc["resolve"]), {str(k): dict(v) for k, v in doc["sources"].items()})
        except (OSError, ValueError, KeyError, TypeError, AttributeError):  # none yet, or damaged: only slower
            return cls()

    def save(self, cache: Path) -> None:
        doc = {"scores": self.scores, "resolve": self.resolve, "sources": self.sources}
        try:
            atomic_write_bytes(Path(cache) / STATE_FILE, json.dumps(doc, sort_keys=True).encode())
        except OSError:  # an unwritable cache only makes the next run slower
            pass
