"""All-or-nothing update of several files of one folder (results/), safe against a kill at any instant.

`commit()` writes each changed file beside its target (`.<name>.next`, fsynced), then the journal naming them
(written by rename: it is the commit point), renames the files in a fixed order and removes the journal.
`recover()` finishes a committed update (journal present) or discards an uncommitted one (stray temps), so after
it the folder is wholly the old set or wholly the new one; every file is complete and valid at every instant.
Run `recover()` before reading the folder (commit() does it first).
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

from .errors import StoreError

JOURNAL = ".update-journal.json"
TEMP = ".next"


def new_temp(folder: Path, name: str) -> tuple[int, Path]:
    """A new file `.<name>.<random>.tmp` in `folder`, open for writing, with the mode the umask gives (0666 & ~umask:
    tempfile.mkstemp's 0600 would leave rewritten charts unreadable to other users)."""
    while True:
        path = Path(folder) / f".{name}.{secrets.token_hex(6)}.tmp"
        try:
            return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), path
        except FileExistsError:
            continue


def _temp(folder: Path, name: str) -> Path:
    target = folder / name
    return target.with_name(f".{target.name}{TEMP}")


def _write_synced(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def _sync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _apply(folder: Path, names: list[str]) -> None:
    for name in names:  # fixed order: the journal's
        tmp = _temp(folder, name)
        if tmp.exists():
            os.replace(tmp, folder / name)
    for d in sorted({(folder / n).parent for n in names}):
        _sync_dir(d)
    (folder / JOURNAL).unlink(missing_ok=True)
    _sync_dir(folder)


def recover(folder: Path) -> str:
    """Finish or undo an interrupted commit: returns 'clean', 'rolled forward' or 'rolled back'."""
    folder = Path(folder)
    journal = folder / JOURNAL
    if journal.exists():
        try:
            names = json.loads(journal.read_text(encoding="utf-8"))["files"]
            assert isinstance(names, list) and all(isinstance(n, str) for n in names), "a list of file names"
        except (ValueError, KeyError, TypeError, AssertionError):
            raise StoreError(f"{journal} is damaged (not the journal this tool writes): check {folder} against git, "
                             "then delete it") from None
        _apply(folder, names)
        return "rolled forward"
    strays = [p for p in folder.rglob(f".*{TEMP}") if p.is_file()] if folder.is_dir() else []
    for p in strays + [p for p in folder.glob(f"{JOURNAL}.*") if p.is_file()]:
        p.unlink()
    return "rolled back" if strays else "clean"


def commit(folder: Path, files: dict[str, bytes]) -> list[str]:
    """Replace the files (names relative to `folder`) whose bytes differ, all or none. Returns the names written."""
    folder = Path(folder)
    recover(folder)
    changed = sorted(n for n, data in files.items() if not ((folder / n).is_file() and (folder / n).read_bytes() == data))
    if not changed:
        return []
    pending = folder / f"{JOURNAL}.tmp"
    try:
        for name in changed:
            _write_synced(_temp(folder, name), files[name])
        for d in sorted({_temp(folder, n).parent for n in changed}):
            _sync_dir(d)
        _write_synced(pending, json.dumps({"files": changed}).encode())
    except BaseException:  # a full disk before the commit point: the old set stays, no temp is left behind
        for p in [pending, *(_temp(folder, n) for n in changed)]:
            p.unlink(missing_ok=True)
        raise
    os.replace(pending, folder / JOURNAL)  # the commit point
    _sync_dir(folder)
    _apply(folder, changed)
    return changed
