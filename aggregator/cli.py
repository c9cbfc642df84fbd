"""The `aggregator` command. Thin: each command loads configs, calls one module, prints with rich.
Heavy imports (pandas, matplotlib) happen inside commands so that `--help` starts fast."""

from __future__ import annotations

import gc
import shutil
import sys
import textwrap
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Benchmark aggregator: are models trained on domestic accelerators catching up with Nvidia-trained ones?")

ConfigOpt = Annotated[Path, typer.Option("--configs", help="configs folder")]
ResultsOpt = Annotated[Path, typer.Option("--results", help="results folder")]


class Fmt(StrEnum):
    table = "table"
    csv = "csv"


class Scenario(StrEnum):
    strict = "strict"
    default = "default"
    widest = "widest"


def _configs(path: Path):
    from .config import load_configs

    return load_configs(path)


def _console():
    from rich.console import Console

    return Console(highlight=False, soft_wrap=True)


def _table(df, title: str | None = None, max_rows: int | None = None) -> None:
    from rich.table import Table

    t = Table(title=title, show_lines=False)
    for c in df.columns:
        t.add_column(str(c), overflow="fold")
    for row in df.head(max_rows).itertuples(index=False) if max_rows else df.itertuples(index=False):
        t.add_row(*["" if v is None else str(v) for v in row])
    _console().print(t)


@app.command()
def collect(
    sources: Annotated[list[str] | None, typer.Argument(help="source ids (default: all)")] = None,
    mirror: Annotated[Path | None, typer.Option(help="read files from DIR/<source>/ instead of the live endpoints")] = None,
    strict: Annotated[bool, typer.Option(help="exit non-zero when any source failed (without it: when a source that feeds a "
                                               "headline benchmark failed, or a headline benchmark's data is stale)")] = False,
    configs: ConfigOpt = Path("configs"),
    results: ResultsOpt = Path("results"),
    cache: Annotated[Path, typer.Option(help="download cache (git-ignored)")] = Path(".cache"),
) -> None:
    """Collect scores from the live sources (or a mirror) into results/. Exits 1 when a source that feeds a headline
    benchmark failed, when a headline benchmark's newest data is older than stale_after_days (live only), or when
    every source failed; the sources that did refresh are written either way."""
    from .collect import collect as run

    cfg = _configs(configs)
    ids = sources or list(cfg.sources)
    unknown = [s for s in ids if s not in cfg.sources]
    if unknown:
        raise typer.BadParameter(f"unknown source(s) {unknown}; known: {', '.join(cfg.sources)}")
    import datetime as dt

    from .collect import exit_code, outcome_table, problems
    from .store import read_scores

    console = _console()
    outcomes = run(cfg, ids, results, cache, mirror, log=console.print, progress=sys.stderr.isatty())
    width = min(shutil.get_terminal_size((80, 24)).columns, 100) - 4
    counts = outcome_table(outcomes)["status"].value_counts()
    asked = [o for o in outcomes if o.requests]
    cost = ("files read from the mirror" if mirror is not None else
            f"{sum(o.requests for o in outcomes):,} requests, {_size(sum(o.downloaded for o in outcomes))} of response bodies")
    console.print("collected: " + ", ".join(f"{n} {st}" for st, n in counts.items()) + f"; {cost}", markup=False)
    per_source = ", ".join(f"{o.source_id} {o.requests} ({_size(o.downloaded)})" for o in asked)
    for line in textwrap.wrap(f"requests (body bytes): {per_source}" if asked else "", width + 2, initial_indent="  ",
                              subsequent_indent="    ", break_on_hyphens=False):
        console.print(line, markup=False)
    for o in outcomes:  # one block per source that did not refresh: why
        if o.status in ("failed", "skipped"):
            console.print(f"  {o.source_id}: {o.status}", markup=False)
            for line in textwrap.wrap(o.message, width, initial_indent="    ", subsequent_indent="    "):
                console.print(line, markup=False)
    today = dt.datetime.now(dt.UTC).date().isoformat()
    live = mirror is None  # a mirror is a snapshot: its age is no problem, and its scores need not be read
    found = problems(cfg, outcomes, read_scores(results / "scores.csv") if live else None, today, check_age=live)
    for p in found:
        console.print(f"[bold red]problem:[/] {p}")
    if exit_code(outcomes, strict, found):
        raise typer.Exit(1)


@app.command()
def report(
    scenario: Annotated[Scenario | None, typer.Option(help="which hardware claims the main charts count (the summary shows all three)")] = None,
    include_self_reported: Annotated[bool | None, typer.Option("--include-self-reported", help="count vendor-reported scores")] = None,
    since: Annotated[str | None, typer.Option(help="only models released from YYYY-MM on")] = None,
    include_finetunes: Annotated[bool, typer.Option(help="count community fine-tunes resolved through their base model")] = False,
    charts: Annotated[bool, typer.Option(help="draw the charts (--no-charts: numbers and report text only)")] = True,
    configs: ConfigOpt = Path("configs"),
    results: ResultsOpt = Path("results"),
) -> None:
    """Regenerate models.csv, unmatched.csv, the charts and REPORT.md from results/ (offline)."""
    import re

    from .analysis import options_from
    from .report import build

    if since is not None and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", since):
        raise typer.BadParameter(f"--since expects YYYY-MM, got {since!r}")
    cfg = _configs(configs)
    gc.freeze()  # modules and configs live as long as the run: keep the cyclic GC from walking them again and again
    opts = options_from(cfg, scenario=scenario.value if scenario else None,
                        include_self_reported=include_self_reported, since=since, include_finetunes=include_finetunes)
    build(cfg, results, opts, log=typer.echo, draw=charts)  # one plain line: no need to import rich


@app.command()
def sources(configs: ConfigOpt = Path("configs"), results: ResultsOpt = Path("results")) -> None:
    """Every source with its row count, date of data, license and status."""
    import pandas as pd

    from .collect import STATUS_COLUMNS
    from .store import read_table

    cfg = _configs(configs)
    path = results / "collection.csv"
    st = read_table(path.read_bytes(), str(path), STATUS_COLUMNS).set_index("source_id") if path.exists() else pd.DataFrame()
    rows = []
    for s in cfg.sources.values():
        r = st.loc[s.id] if s.id in st.index else None
        rows.append({"id": s.id, "title": s.title, "rows": r["rows"] if r is not None else "0",
                     "date of data": r["data_date"] if r is not None else "", "status": r["status"] if r is not None else "not collected",
                     "license": s.license})
    _table(pd.DataFrame(rows), "Sources")


@app.command()
def models(
    hw_class: Annotated[str | None, typer.Option("--class", help="nvidia | domestic | other | mixed | unknown")] = None,
    format: Annotated[Fmt, typer.Option("--format")] = Fmt.table,
    configs: ConfigOpt = Path("configs"),
    results: ResultsOpt = Path("results"),
) -> None:
    """The model registry with training-hardware tags (curated + Epoch AI)."""
    from .analysis import CLASSES
    from .report import load_models

    if hw_class is not None and hw_class not in CLASSES:
        raise typer.BadParameter(f"--class must be one of {', '.join(CLASSES)}")
    df = load_models(_configs(configs), results)
    if hw_class:
        df = df[df["hardware_class"] == hw_class]
    cols = ["model_id", "display_name", "developer", "developer_country", "release_date", "hardware_class", "status",
            "accelerators", "chip_count", "rule", "evidence_url"]
    rest = [c for c in df.columns if c not in cols]
    if format == Fmt.csv:
        df[cols + rest].to_csv(sys.stdout, index=False, lineterminator="\n")
    else:
        _table(df[cols[:9]], f"{len(df)} models")


def _claim_block(n: int, c: dict, width: int) -> list[str]:
    """One claim as a few indented lines: stance, source kind, stage, chips; the quote; the link; notes."""
    chips = c["accelerators"].replace(";", " + ") + (f" x{c['chip_count']:g}" if c.get("chip_count") else "")
    strength = {"confirmed": "direct", "reported": "credible", "inferred": "weak"}[c["grade"]]
    head = f"{n:>2}. {c['stance']} · {c['kind']}{', indirect' if c.get('indirect') else ''} ({strength}) · {c['stage']} · {chips}"
    lines = textwrap.wrap(head, width + 4, subsequent_indent="    ")
    lines += textwrap.wrap(f'"{c["quote"]}"', width, initial_indent="    ", subsequent_indent="    ")
    lines.append(f"    {c['url']}" + (f"  ({c['date']})" if c.get("date") else ""))
    for key in ("share", "note", "read_from"):
        if c.get(key):
            lines += textwrap.wrap(f"{key.replace('_', ' ')}: {c[key]}", width, initial_indent="    ", subsequent_indent="      ")
    return lines


@app.command()
def evidence(model_id: str, configs: ConfigOpt = Path("configs"), results: ResultsOpt = Path("results")) -> None:
    """Every hardware claim about one model (and its ancestor's, when inherited), and how the class was derived."""
    from .hardware import RULES, SCENARIOS, evidence_records
    from .report import read_card_mentions, read_epoch

    cfg = _configs(configs)
    recs, r, post = evidence_records(model_id, cfg, read_epoch(results), read_card_mentions(results))
    width = min(shutil.get_terminal_size((80, 24)).columns, 100) - 4
    rule = {x.id: x for x in RULES}[r.rule]
    counted = " · ".join(f"{s} {r.hardware_class if r.status in ok else 'unknown'}" for s, ok in SCENARIOS.items())
    out = [f"{model_id}: {r.hardware_class}, {r.status} (rule {r.rule})",
           *textwrap.wrap(f"why: {rule.when} -> {rule.then}", width, initial_indent="  ", subsequent_indent="    "),
           f"  counted as: {counted}"]
    if r.summary:
        out += textwrap.wrap(r.summary, width, initial_indent="  ", subsequent_indent="    ")
    if post is not None and post.status != "unknown":
        out.append(f"  post-training: {post.hardware_class} ({', '.join(post.accelerators)}), {post.status}")
    out += ["", f"{len(recs)} claim{'s' if len(recs) != 1 else ''}:" if recs else "no claim recorded"]
    for i, c in enumerate(recs, 1):
        out += _claim_block(i, c, width) + ([f"    -> {c['use']}"] if c["use"] else [])
    typer.echo("\n".join(out))


@app.command()
def conflicts(configs: ConfigOpt = Path("configs"), results: ResultsOpt = Path("results")) -> None:
    """Every contested model, and every model a claim disputes, with its claims side by side (shown, never
    resolved), and hardware strings that map to no accelerator id (listed, never dropped)."""
    from .hardware import conflicts as find
    from .hardware import unmapped_hardware
    from .report import read_card_mentions, read_epoch

    cfg = _configs(configs)
    epoch = read_epoch(results)
    cards = read_card_mentions(results)
    df = find(cfg, epoch, cards)
    width = min(shutil.get_terminal_size((80, 24)).columns, 100) - 4
    out = [f"{len(df)} contested or disputed models" if len(df) else "no contested or disputed model"]
    for r in df.itertuples(index=False):
        out += ["", f"{r.model_id} ({r.display_name}): claims point to {r.hardware_class}; {r.status} (rule {r.rule})",
                f"  counted as: strict {r.strict} · default {r.default} · widest {r.widest}"]
        for title, text in (("for", r.claims_for), ("against", r.claims_against), ("not about training", r.not_training)):
            for line in filter(None, text.split("\n")):
                out += textwrap.wrap(f"{title}: {line}", width, initial_indent="  ", subsequent_indent="      ")
    typer.echo("\n".join(out))
    um = unmapped_hardware(cfg, epoch, cards)
    if len(um):
        _table(um, f"{len(um)} hardware strings no catalog id matches (add them to configs/hardware.yaml)")


@app.command()
def unmatched(
    top: Annotated[int, typer.Option(help="how many unmatched names to list")] = 30,
    configs: ConfigOpt = Path("configs"),
    results: ResultsOpt = Path("results"),
) -> None:
    """Share of score rows resolved to a registry model, per source, and the most frequent unmatched names."""
    from .resolve import resolve, resolved_share, unmatched_table
    from .store import read_scores

    cfg = _configs(configs)
    scores = resolve(read_scores(results / "scores.csv").drop(columns=["model_id", "derivation"]), cfg)
    share = resolved_share(scores)
    share["share"] = (100 * share["share"]).map(lambda x: f"{x:.1f}%")
    _table(share, "Resolved score rows")
    um = unmatched_table(scores).sort_values("rows", ascending=False, kind="mergesort")
    _table(um, f"Unmatched names (top {top} of {len(um)})", max_rows=top)


@app.command("suggest-aliases")
def suggest_aliases(
    limit: Annotated[int, typer.Option(help="candidates per name")] = 3,
    configs: ConfigOpt = Path("configs"),
    results: ResultsOpt = Path("results"),
) -> None:
    """Propose registry matches for results/unmatched.csv (fuzzy; a person confirms by editing configs/aliases/)."""
    from .store import read_table
    from .suggest import suggest_aliases as run

    path = results / "unmatched.csv"
    if not path.exists():
        _console().print(f"{path} not found: run `aggregator report` first")
        raise typer.Exit(1)
    table = read_table(path.read_bytes(), str(path), ["rows"], whole=("rows",))
    df = run(table.astype({"rows": int}), _configs(configs), limit=limit)
    df.to_csv(sys.stdout, index=False, lineterminator="\n")


@app.command()
def validate(configs: ConfigOpt = Path("configs")) -> None:
    """Check every file in configs/ without collecting anything."""
    cfg = _configs(configs)
    _console().print(f"configs OK: {len(cfg.sources)} sources, {len(cfg.benchmarks)} benchmarks, {len(cfg.accelerators)} accelerators, "
                     f"{len(cfg.models)} models, {sum(len(a) for a in cfg.aliases.values())} aliases, {len(cfg.watchlist)} watch items")


def main() -> None:
    from .errors import AggregatorError

    try:
        app()
    except (AggregatorError, OSError) as exc:  # a disk full or an unreadable file: one line, never a traceback
        from .fetch import redact

        print(f"error: {redact(_one_line(exc))}", file=sys.stderr)
        sys.exit(2)


def _size(n: int) -> str:
    """Bytes in a few characters: 0 B, 512 B, 12.3 kB, 4.5 MB."""
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n} B"


def _one_line(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        where = exc.filename if exc.filename is not None else ""
        return f"{where}: {exc.strerror}" if where else exc.strerror
    return (str(exc).splitlines() or [type(exc).__name__])[0]


if __name__ == "__main__":
    main()
