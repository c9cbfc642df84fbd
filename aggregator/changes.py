"""results/CHANGES.md: per refresh, what changed per source and which hardware tags are new or different.

Deterministic: the only date is the refresh's, and a refresh that changed nothing adds nothing.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from . import transaction
from .store import read_table, read_text

TITLE = "# Changes\n\nOne section per refresh that changed results/ (newest first): rows per source, hardware tags.\n"
TAG_COLUMNS = ["hardware_class", "accelerators", "status"]  # status: what the report counts (confirmed .. unknown)


def source_line(source_id: str, rows: int, added: int, removed: int, changed: int, first: bool) -> str:
    if first:
        return f"- {source_id}: first collection, {rows} rows"
    return f"- {source_id}: {added} rows added, {removed} removed, {changed} changed ({rows} in all)"


def read_models(data: bytes | None) -> pd.DataFrame | None:
    """results/models.csv bytes -> table of tags by model_id, or None when absent or without the tag columns."""
    if not data:
        return None
    df = read_table(data, "results/models.csv", [])
    if "status" not in df.columns and "confidence" in df.columns:  # a table from before statuses: its grade stood in
        df = df.rename(columns={"confidence": "status"})
    if "model_id" not in df.columns or not set(TAG_COLUMNS) <= set(df.columns):
        return None
    return df.drop_duplicates("model_id").set_index("model_id")[TAG_COLUMNS]


def _tag(row: pd.Series) -> str:
    acc = f" on {row['accelerators']}" if row["accelerators"] else ""
    return f"{row['hardware_class']}{acc} ({row['status']})"


def hardware_lines(before: bytes | None, after: bytes | None) -> list[str]:
    """New, changed and dropped hardware tags between two versions of results/models.csv."""
    old, new = read_models(before), read_models(after)
    if new is None:
        return []
    if old is None:  # the first model table: a summary, not thousands of "new tag" lines
        counts = new["hardware_class"].value_counts().sort_index()
        return [f"- first model table: {len(new)} models (" + ", ".join(f"{c} {n}" for c, n in counts.items()) + ")"]
    lines = [f"- new tag: {m}: {_tag(new.loc[m])}" for m in sorted(new.index.difference(old.index))]
    common = sorted(new.index.intersection(old.index))
    lines += [f"- changed tag: {m}: {_tag(old.loc[m])} -> {_tag(new.loc[m])}" for m in common
              if not old.loc[m].equals(new.loc[m])]
    lines += [f"- tag dropped: {m} (was {_tag(old.loc[m])})" for m in sorted(old.index.difference(new.index))]
    return lines


def add_section(existing: str, date: str, heading: str, lines: list[str]) -> str:
    """CHANGES.md with `heading:` and its lines under this refresh's date, newest date first; a second refresh or
    step on the same day adds to that day's section."""
    if not lines:
        return existing
    body = (existing[len(TITLE):] if existing.startswith(TITLE) else existing).strip("\n")
    block = f"{heading}:\n" + "\n".join(lines) + "\n"
    day = f"## {date}\n"
    if body.startswith(day):
        today, sep, older = body.partition("\n## ")
        body = today.rstrip("\n") + "\n\n" + block + (f"\n## {older}" if sep else "")
    else:
        body = f"{day}\n{block}" + (f"\n{body}" if body else "")
    return f"{TITLE}\n{body.rstrip()}\n"


def record_tags(results: Path, before: bytes | None, after: bytes | None, date: str) -> bool:
    """Add the hardware-tag changes between two versions of results/models.csv to results/CHANGES.md (for the
    step that writes models.csv; call it with the bytes before and after). Returns True when the log changed."""
    path = Path(results) / "CHANGES.md"
    old = read_text(path)
    new = add_section(old, date, "Hardware tags", hardware_lines(before, after))
    return bool(transaction.commit(Path(results), {"CHANGES.md": new.encode("utf-8")})) if new != old else False


def latest_section(text: str) -> str:
    """The newest section's text (for a commit message); '' when there is none."""
    _, sep, rest = text.partition("\n## ")
    return ("## " + rest.split("\n## ")[0]).strip() if sep else ""
