"""The project's own errors: each names the file, the entry or row, and what was expected."""

from __future__ import annotations


class AggregatorError(Exception):
    """Base class: anything the CLI reports as a one-line message instead of a traceback."""


class ConfigError(AggregatorError):
    """A file in configs/ is malformed: names the file, the entry and the field."""

    def __init__(self, file: str, problem: str, entry: str | None = None, field: str | None = None):
        self.file, self.entry, self.field, self.problem = file, entry, field, problem
        where = file
        if entry:
            where += f", entry {entry!r}"
        if field:
            where += f", field {field!r}"
        super().__init__(f"{where}: {problem}")


class ParseError(AggregatorError):
    """An upstream file cannot be read as its source's format."""

    def __init__(self, source: str, file: str, problem: str, row: int | str | None = None):
        self.source, self.file, self.row, self.problem = source, file, row, problem
        where = f"{source}: {file}"
        if row is not None:
            where += f", row {row}"
        super().__init__(f"{where}: {problem}")


class FetchError(AggregatorError):
    """A download failed after retries, or a mirror file is missing."""


class StoreError(AggregatorError):
    """A table in results/ does not match its schema."""
