"""`make bench`: speed and memory targets, measured in child processes, printed and written to bench/RESULTS.md.

1. `make report` on the committed data (results/; without it, on a fresh collect from the mirror), in a copy:
   wall time and peak memory against the import floor `python -c "import pandas, matplotlib.pyplot"`.
2. `aggregator --help` start-up time.
3. Synthetic scale (bench/synth.py): resolve, tag, analyse and render the report tables at 10k, 100k, 1M rows.
4. Collect from the mirror: each source alone, then all together.
Peak memory comes from os.wait4 on each child (the maximum resident set of the child and its descendants).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
AGG = str(Path(PY).parent / "aggregator")
SCALES = (10_000, 100_000, 1_000_000)
FLOOR_RATIO, HELP_S, SYNTH_S, SYNTH_MB, LINEAR_SLACK = 2.5, 0.5, 30.0, 2048, 1.25


def measure(cmd: list[str], cwd: Path = ROOT) -> dict:
    """Run one child; wall seconds, CPU seconds and peak RSS (MB) of it and its descendants, stdout text."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=err)
        _, status, ru = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        res = {"wall": wall, "cpu": ru.ru_utime + ru.ru_stime, "peak_mb": ru.ru_maxrss / 1024, "rc": proc.returncode,
               "out": out.read().decode("utf-8", "replace"), "err": err.read().decode("utf-8", "replace")}
    if res["rc"] != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({res['rc']}): {res['err'][-2000:]}")
    return res


def median_of(cmd: list[str], n: int) -> dict:
    runs = [measure(cmd) for _ in range(n)]
    return {k: statistics.median(r[k] for r in runs) for k in ("wall", "cpu", "peak_mb")} | {"runs": [round(r["wall"], 2) for r in runs]}


def machine() -> list[str]:
    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines() if ln.startswith("model name")),
               platform.processor()) if Path("/proc/cpuinfo").exists() else platform.processor()
    mem = next((int(ln.split()[1]) / 1024**2 for ln in Path("/proc/meminfo").read_text().splitlines() if ln.startswith("MemTotal")),
               0.0) if Path("/proc/meminfo").exists() else 0.0
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    import matplotlib
    import pandas

    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    return [f"- CPU: {cpu}; {usable} usable cores of {os.cpu_count()}; {mem:.1f} GB RAM",
            f"- OS: {platform.platform()}; Python {platform.python_version()}; pandas {pandas.__version__}; matplotlib {matplotlib.__version__}",
            f"- Load average at start (1 / 5 / 15 min): {load} (other work on the machine inflates wall times)"]


def collect_each(mirror: Path, work: Path) -> None:
    """(child mode) collect each source alone into a fresh folder, print {source: [seconds, status, rows]} as JSON."""
    sys.path.insert(0, str(ROOT))
    from aggregator.collect import collect
    from aggregator.config import load_configs

    configs = load_configs(ROOT / "configs")
    out = {}
    for sid in configs.sources:
        shutil.rmtree(work, ignore_errors=True)
        start = time.perf_counter()
        o = collect(configs, [sid], work / "results", work / "cache", mirror, log=lambda *_: None)[0]
        out[sid] = [round(time.perf_counter() - start, 2), o.status, o.rows]
    print(json.dumps(out))


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file() and not p.name.startswith(".")}


def bench_report(data: Path, work: Path, runs: int) -> dict:
    """`make report` in a copy of configs/ and results/ as a clone has them: a first run (charts committed, no .cache
    yet: YAML parsed, scores.csv checked), then warm runs (the target). Also a run from scratch, with no charts yet."""
    clone = work / "clone"
    shutil.copytree(ROOT / "configs", clone / "configs")
    shutil.copytree(data, clone / "results", ignore=shutil.ignore_patterns(".*"))
    cmd = [AGG, "report", "--configs", str(clone / "configs"), "--results", str(clone / "results")]
    first_run = measure(cmd)
    first = snapshot(clone / "results")
    warm = [measure(cmd) for _ in range(runs)]
    same = snapshot(clone / "results") == first
    committed = snapshot(data) if (data / "REPORT.md").exists() else None
    reproduced = None if committed is None else all(committed.get(k) == v for k, v in first.items() if k in committed)
    scratch = work / "scratch"
    shutil.copytree(data, scratch / "results", ignore=shutil.ignore_patterns("charts", "REPORT.md", ".*"))
    cold = measure([AGG, "report", "--results", str(scratch / "results")])
    return {"cold": cold, "first": first_run, "warm": {k: statistics.median(r[k] for r in warm) for k in ("wall", "cpu", "peak_mb")},
            "warm_runs": [round(r["wall"], 2) for r in warm], "deterministic": same, "reproduces_committed": reproduced}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mirror", type=Path, default=Path(os.environ.get("MIRROR", ROOT.parent / "shared" / "data" / "upstream")))
    ap.add_argument("--scales", type=int, nargs="+", default=list(SCALES))
    ap.add_argument("--collect-each", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.collect_each:
        collect_each(*args.collect_each)
        return 0
    mirror = (ROOT / args.mirror).resolve() if not args.mirror.is_absolute() else args.mirror
    started = time.perf_counter()
    lines = ["# Benchmark results", "", f"Run {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC by `make bench` (bench/run.py).", "", *machine(), ""]
    rows: list[tuple[str, str, str, str]] = []  # target, measured, goal, verdict
    ok = lambda c: "PASS" if c else "FAIL"  # noqa: E731
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        work = Path(tmp)
        # 4. collect (first: without committed results its output is the report's data)
        per_source: dict = {}
        if mirror.is_dir():
            each = measure([PY, __file__, "--collect-each", str(mirror), str(work / "each")])
            per_source = json.loads(each["out"].strip().splitlines()[-1])
            total = measure([AGG, "collect", "--mirror", str(mirror), "--results", str(work / "collected"), "--cache", str(work / "cache")])
        data = ROOT / "results" if (ROOT / "results" / "scores.csv").exists() else work / "collected"
        # 1. report against the import floor
        floor = median_of([PY, "-c", "import pandas, matplotlib.pyplot"], 3)
        rep = bench_report(data, work, 3)
        ratio = rep["warm"]["wall"] / floor["wall"]
        rows.append(("`make report`, committed data (warm, median of 3)", f"{rep['warm']['wall']:.2f} s = {ratio:.2f}x floor "
                     f"({floor['wall']:.2f} s); peak {rep['warm']['peak_mb']:.0f} MB", f"<= {FLOOR_RATIO}x floor", ok(ratio <= FLOOR_RATIO)))
        rows.append(("`make report`, first run after a clone (no .cache yet)", f"{rep['first']['wall']:.2f} s = "
                     f"{rep['first']['wall'] / floor['wall']:.2f}x floor; peak {rep['first']['peak_mb']:.0f} MB", "(information)", ""))
        rows.append(("`make report` from scratch (no charts yet)", f"{rep['cold']['wall']:.2f} s = {rep['cold']['wall'] / floor['wall']:.2f}x floor; "
                     f"peak {rep['cold']['peak_mb']:.0f} MB", "(information)", ""))
        rows.append(("report bytes identical across runs", "yes" if rep["deterministic"] else "no", "yes", ok(rep["deterministic"])))
        # 2. start-up
        helps = median_of([AGG, "--help"], 5)
        rows.append(("`aggregator --help` start-up (median of 5)", f"{helps['wall']:.2f} s", f"< {HELP_S} s", ok(helps["wall"] < HELP_S)))
        # 3. synthetic scale, one child per point so that peaks do not mix
        points = []
        for n in args.scales:
            r = measure([PY, str(ROOT / "bench" / "synth.py"), str(n)])
            points.append(json.loads(r["out"].strip().splitlines()[-1]) | {"peak_mb": r["peak_mb"], "wall": r["wall"]})
        big = points[-1]
        rows.append((f"synthetic {big['rows']:,} rows: resolve, tag, analyse, tables", f"{big['seconds']:.1f} s", f"< {SYNTH_S:.0f} s",
                     ok(big["seconds"] < SYNTH_S)))
        rows.append((f"synthetic {big['rows']:,} rows: peak memory (whole child)", f"{big['peak_mb']:.0f} MB", f"< {SYNTH_MB} MB",
                     ok(big["peak_mb"] < SYNTH_MB)))
        steps = [(b["seconds"] / a["seconds"]) / (b["rows"] / a["rows"]) for a, b in zip(points, points[1:], strict=False)]
        linear = all(s <= LINEAR_SLACK for s in steps)
        rows.append(("time growth 10k -> 100k -> 1M rows (time ratio / row ratio)", ", ".join(f"{s:.2f}" for s in steps) or "–",
                     f"<= {LINEAR_SLACK} (linear)", ok(linear)))
        if per_source:
            rows.append(("collect from the mirror, all sources (one run)", f"{total['wall']:.1f} s; peak {total['peak_mb']:.0f} MB",
                         "(information)", ""))
    elapsed = time.perf_counter() - started
    table = ["| target | measured | goal | result |", "|---|---|---|---|", *[f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]]
    lines += ["## Targets", "", *table, "",
              f"Import floor runs: {floor['runs']} s; warm report runs: {rep['warm_runs']} s; cold report CPU {rep['cold']['cpu']:.1f} s. "
              + ("Report outputs equal the committed ones byte for byte." if rep["reproduces_committed"]
                 else "" if rep["reproduces_committed"] is None else "Report outputs differ from the committed ones (code or configs changed since)."),
              "", "## Synthetic scale points", "",
              "| rows | names | models | aliases | comparison points | pipeline s | µs per row | peak MB | phases (s) |", "|---|---|---|---|---|---|---|---|---|",
              *[f"| {p['rows']:,} | {p['names']:,} | {p['models']:,} | {p['aliases']:,} | {p['points']:,} | {p['seconds']:.2f} | "
                f"{1e6 * p['seconds'] / p['rows']:.1f} | {p['peak_mb']:.0f} | {', '.join(f'{k} {v:.2f}' for k, v in p['phases'].items())} |" for p in points], ""]
    if per_source:
        lines += ["## Collect from the mirror, per source (each alone, fresh cache)", "", "| source | seconds | status | rows |", "|---|---|---|---|",
                  *[f"| {sid} | {s:.2f} | {st} | {n} |" for sid, (s, st, n) in per_source.items()],
                  f"| (sum of the above) | {sum(v[0] for v in per_source.values()):.2f} | | |",
                  f"| all sources in one run (parallel) | {total['wall']:.2f} | | |", ""]
    else:
        lines += [f"Collect: skipped (no mirror at {mirror}).", ""]
    verdicts = [r[3] for r in rows if r[3]]
    lines += [f"{verdicts.count('PASS')} of {len(verdicts)} targets pass. `make bench` took {elapsed:.0f} s.", ""]
    text = "\n".join(lines)
    (ROOT / "bench" / "RESULTS.md").write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
