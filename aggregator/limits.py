"""Limits on what upstream data and configs may hold, in one place, each with its reason.

A value over a limit is refused where it enters (a ParseError naming the file and row, or a ConfigError), so that
nothing written to results/ can stop a later run from reading it back."""

from __future__ import annotations

# A model name is an identifier, not text: the longest real one is ~100 characters (an Open LLM Leaderboard repo id).
# A 5 MB name once went into scores.csv and made it unreadable to pyarrow (1 MB reader blocks) for every later run.
MAX_NAME_CHARS = 300
# Any other cell: the longest real ones are Epoch AI's free-text notes (~5,200 characters).
MAX_CELL_CHARS = 20_000
# Rows of one upstream table: the largest real one is ~7,200 (Open LLM Leaderboard v1); a parsed row costs ~1 KB of
# memory, so this keeps one file under ~1 GB.
MAX_ROWS_PER_FILE = 1_000_000
# Nodes of one YAML file in configs/ once its aliases are expanded: the largest real file has under 10,000. A nested
# alias "bomb" of a few lines expands to billions and would hang whatever walks it.
MAX_YAML_NODES = 2_000_000
# Wall-clock seconds one source may spend fetching, whatever its timeouts and retries add up to (settings.yaml
# `source_budget_seconds`, per source `budget_seconds` in sources.yaml). One hung upstream used to hold a refresh for
# 320 s (60 s read timeout x 5 attempts); the largest real file (~10 MB) downloads in seconds. Sources that make
# hundreds of rate-limited requests by design (one per model) declare a budget of their own.
SOURCE_BUDGET_SECONDS = 60.0
