"""`make bench`: speed and memory targets, measured in child processes, printed and written to bench/RESULTS.md.

1. `make report` on the committed data (results/), in a copy: warm runs, the first run after a clone (no .cache
   yet) and runs that must redraw every chart (charts deleted), against the import floor
   `python -c "import pandas, matplotlib.pyplot"`; the outputs must be the same bytes every run.
2. `aggregator --help` start-up time.
3. Synthetic scale (bench/synth.py): resolve, tag, analyse and render the report tables at 10k, 100k, 1M rows; the
   data are written by one child, the pipeline runs in another (its peak memory is its own).
4. Collect at scale: `aggregator collect open_llm_leaderboard --mirror DIR` on a synthetic upstream file
   (bench/upstream.py) of 10k, 100k, 1M and 3M score rows: a first run, then a run on the same input.
5. Collect from the mirror (../shared/data/upstream): each source alone, then all together.
6. A live refresh of every source against a loopback copy of the upstreams (bench/live.py), with the hosts' request
   limits as sources.yaml declares them: a first run, then an unchanged one (requests, body bytes, files rewritten).
Peak memory comes from os.wait4 on each child (the maximum resident set of the child and its descendants).
`--json FILE` also writes the raw measurements; bench/before.json holds those of the code before issue 16, shown
beside this run's in the before/after table. To measure it again: a worktree at commit 883b3fa with this bench/ and
tests/ copied in, `make install`, then `python bench/run.py --parts report synth collect live --json before.json`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
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
COLLECT_SCALES = (10_000, 100_000, 1_000_000, 3_000_000)
FLOOR_RATIO, REDRAW_RATIO, HELP_S, SYNTH_S, SYNTH_MB, LINEAR_SLACK = 2.5, 5.0, 0.5, 30.0, 2048, 1.25
COLLECT_S, COLLECT_MB, UNCHANGED_S, LIVE_S = 15.0, 1536, 3.0, 60.0
PARTS = ("mirror", "report", "synth", "collect", "live")
# The synthetic file is one upstream file; points over limits.MAX_ROWS_PER_FILE (1M) lift that limit for the run.
COLLECT = ("import sys; import aggregator.guards as g; g.MAX_ROWS_PER_FILE = int(sys.argv.pop(1)); "
           "from aggregator.cli import main; sys.argv[0] = 'aggregator'; main()")


def measure(cmd: list[str], cwd: Path = ROOT, env: dict | None = None, check: bool = True) -> dict:
    """Run one child; wall seconds, CPU seconds and peak RSS (MB) of it and its descendants, stdout text."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=err, env=None if env is None else os.environ | env)
        _, status, ru = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        res = {"wall": wall, "cpu": ru.ru_utime + ru.ru_stime, "peak_mb": ru.ru_maxrss / 1024, "rc": proc.returncode,
               "out": out.read().decode("utf-8", "replace"), "err": err.read().decode("utf-8", "replace")}
    if check and res["rc"] != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({res['rc']}): {res['err'][-2000:]}{res['out'][-2000:]}")
    return res


COST = ("wall", "cpu", "peak_mb")


def cost(run: dict) -> dict:
    """What one child run cost: wall and CPU seconds, peak MB."""
    return {k: run[k] for k in COST}


def median_cost(runs: list[dict]) -> dict:
    return {k: statistics.median(r[k] for r in runs) for k in COST}


def median_of(cmd: list[str], n: int) -> dict:
    runs = [measure(cmd) for _ in range(n)]
    return median_cost(runs) | {"runs": [round(r["wall"], 2) for r in runs]}


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


def stamps(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.stat().st_mtime_ns, p.stat().st_ino) for p in sorted(folder.rglob("*")) if p.is_file()}


def bench_report(data: Path, work: Path, runs: int) -> dict:
    """`make report` in a copy of configs/ and results/ as a clone has them: a first run (charts committed, no .cache
    yet: YAML parsed, scores.csv checked), then warm runs (the target), then runs with every chart deleted (all
    redrawn: what a data change costs)."""
    clone = work / "clone"
    shutil.copytree(ROOT / "configs", clone / "configs")
    shutil.copytree(data, clone / "results", ignore=shutil.ignore_patterns(".*"))
    cmd = [AGG, "report", "--configs", str(clone / "configs"), "--results", str(clone / "results")]
    first_run = measure(cmd)
    first = snapshot(clone / "results")
    warm = [measure(cmd) for _ in range(runs)]
    same = snapshot(clone / "results") == first
    redraw = []
    for _ in range(runs):
        shutil.rmtree(clone / "results" / "charts")
        redraw.append(measure(cmd))
        same &= snapshot(clone / "results") == first
    committed = snapshot(data) if (data / "REPORT.md").exists() else None
    reproduced = None if committed is None else all(committed.get(k) == v for k, v in first.items() if k in committed)
    return {"first": cost(first_run), "warm": median_cost(warm), "redraw": median_cost(redraw),
            "warm_runs": [round(r["wall"], 2) for r in warm], "redraw_runs": [round(r["wall"], 2) for r in redraw],
            "deterministic": same, "reproduces_committed": reproduced}


def bench_synth(scales: list[int], work: Path) -> list[dict]:
    points = []
    for n in scales:
        folder = work / f"synth-{n}"
        folder.mkdir()
        measure([PY, str(ROOT / "bench" / "synth.py"), "data", str(n), str(folder)])
        r = measure([PY, str(ROOT / "bench" / "synth.py"), "pipeline", str(folder)])
        points.append(json.loads(r["out"].strip().splitlines()[-1]) | {"peak_mb": r["peak_mb"], "wall": r["wall"]})
        shutil.rmtree(folder)
    return points


def bench_collect(scales: list[int], work: Path) -> list[dict]:
    """The Open LLM Leaderboard collector on a synthetic file of each size: a first run, then the same input again."""
    points = []
    for n in scales:
        folder = work / f"collect-{n}"
        measure([PY, str(ROOT / "bench" / "upstream.py"), str(n), str(folder / "mirror")])
        upstream = folder / "mirror" / "open_llm_leaderboard" / "huggingface_v2.csv"
        configs = _configs_with_cap(folder / "configs", "open_llm_leaderboard", 2 * upstream.stat().st_size)
        cmd = [PY, "-c", COLLECT, str(max(n, 1_000_000)), "collect", "open_llm_leaderboard", "--mirror", str(folder / "mirror"),
               "--configs", str(configs), "--results", str(folder / "results"), "--cache", str(folder / "cache")]
        first = measure(cmd, cwd=folder)
        before = stamps(folder / "results")
        again = measure(cmd, cwd=folder)
        rows = int(re.search(r"open_llm_leaderboard: \w+, (\d+) rows", first["out"])[1])
        points.append({"rows": rows, "file_mb": upstream.stat().st_size / 2**20,
                       "first": cost(first), "again": cost(again),
                       "again_status": "unchanged" if "open_llm_leaderboard: unchanged" in again["out"] else "updated",
                       "again_rewrote": sum(before.get(k) != v for k, v in stamps(folder / "results").items())})
        shutil.rmtree(folder)
    return points


def _configs_with_cap(dest: Path, source_id: str, max_bytes: int) -> Path:
    """A copy of configs/ whose `source_id` accepts files up to `max_bytes` (the synthetic 3M-row file is over the
    declared cap of a real one)."""
    import yaml

    shutil.copytree(ROOT / "configs", dest)
    doc = yaml.safe_load((dest / "sources.yaml").read_text(encoding="utf-8"))
    for src in doc["sources"]:
        if src["id"] == source_id:
            src["max_bytes"] = max(int(max_bytes), src.get("max_bytes", 0))
    (dest / "sources.yaml").write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return dest


def bench_live(work: Path) -> dict:
    """Every source collected live from the loopback upstream: a first run into an empty results/, then the same
    upstream again. The hosts' limits are those of sources.yaml (the copy points them at the loopback servers)."""
    sys.path.insert(0, str(ROOT / "bench"))
    from live import LoopbackUpstream

    shutil.copytree(ROOT / "configs", work / "live" / "configs")
    up = LoopbackUpstream(work / "live" / "configs")
    out = {}
    try:
        cmd = [AGG, "collect", "--configs", str(work / "live" / "configs"), "--results", str(work / "live" / "results"),
               "--cache", str(work / "live" / "cache")]
        for run in ("first", "again"):
            before, (reqs, sent) = stamps(work / "live" / "results") if run == "again" else {}, up.counts()
            r = measure(cmd, cwd=work / "live", env=up.env(), check=False)  # exit 1 (a failed source) still refreshes
            reqs2, sent2 = up.counts()
            now = stamps(work / "live" / "results")
            out[run] = {"wall": r["wall"], "peak_mb": r["peak_mb"], "rc": r["rc"], "requests": reqs2 - reqs, "body_bytes": sent2 - sent,
                        "rewritten": sum(before.get(k) != v for k, v in now.items()) if run == "again" else len(now),
                        "summary": [ln for ln in r["out"].splitlines() if ln.startswith(("collected:", "  "))][:40]}
    finally:
        up.close()
    return out


def _f(x: float, nd: int = 1) -> str:
    return "–" if x is None or x != x else f"{x:,.{nd}f}"


def targets(m: dict) -> list[tuple[str, str, str, bool | None]]:
    """(target, measured, goal, met) from one run's measurements (the parts it has); met None: information only."""
    out: list[tuple[str, str, str, bool | None]] = []
    if "report" in m:
        rep, floor = m["report"], m["floor"]["wall"]
        out += [("`make report`, warm (median of 3)", f"{rep['warm']['wall']:.2f} s = {rep['warm']['wall'] / floor:.2f}x floor",
                 f"<= {FLOOR_RATIO}x floor", rep["warm"]["wall"] / floor <= FLOOR_RATIO),
                ("`make report`, every chart redrawn (median of 3)", f"{rep['redraw']['wall']:.2f} s = "
                 f"{rep['redraw']['wall'] / floor:.2f}x floor", f"<= {REDRAW_RATIO}x floor", rep["redraw"]["wall"] / floor <= REDRAW_RATIO),
                ("`make report`, first run after a clone", f"{rep['first']['wall']:.2f} s = {rep['first']['wall'] / floor:.2f}x floor",
                 "", None),
                ("report bytes identical across runs", "yes" if rep["deterministic"] else "no", "yes", rep["deterministic"]),
                ("`aggregator --help` start-up (median of 5)", f"{m['help']['wall']:.2f} s", f"< {HELP_S} s", m["help"]["wall"] < HELP_S)]
    if m.get("synth"):
        pts, big = m["synth"], m["synth"][-1]
        steps = [(b["seconds"] / a["seconds"]) / (b["rows"] / a["rows"]) for a, b in zip(pts, pts[1:], strict=False)]
        out += [(f"synthetic {big['rows']:,} rows: resolve, tag, analyse, tables", f"{big['seconds']:.1f} s", f"< {SYNTH_S:.0f} s",
                 big["seconds"] < SYNTH_S),
                (f"synthetic {big['rows']:,} rows: the pipeline's peak memory", f"{big['peak_mb']:.0f} MB", f"< {SYNTH_MB} MB",
                 big["peak_mb"] < SYNTH_MB),
                ("synthetic time growth (time ratio / row ratio)", ", ".join(f"{s:.2f}" for s in steps), f"<= {LINEAR_SLACK}",
                 all(s <= LINEAR_SLACK for s in steps))]
    near = [p for p in m.get("collect", []) if abs(p["rows"] - 1_000_000) <= 1_000]
    if near:
        one = near[0]
        out += [("collect 1M rows, first run", f"{one['first']['wall']:.1f} s; {one['first']['peak_mb']:.0f} MB",
                 f"<= {COLLECT_S:.0f} s, <= {COLLECT_MB / 1024:.1f} GB",
                 one["first"]["wall"] <= COLLECT_S and one["first"]["peak_mb"] <= COLLECT_MB),
                ("collect 1M rows, same input again", f"{one['again']['wall']:.1f} s; {one['again']['peak_mb']:.0f} MB; "
                 f"{one['again_status']}, {one['again_rewrote']} files rewritten", f"<= {UNCHANGED_S:.0f} s",
                 one["again"]["wall"] <= UNCHANGED_S and one["again_status"] == "unchanged" and not one["again_rewrote"])]
    big_pts = [p for p in m.get("collect", []) if p["rows"] >= 100_000]
    steps = [(b["first"]["wall"] / a["first"]["wall"]) / (b["rows"] / a["rows"]) for a, b in zip(big_pts, big_pts[1:], strict=False)]
    if steps:
        out.append(("collect time growth 100k -> 1M -> 3M (first runs)", ", ".join(f"{s:.2f}" for s in steps),
                    f"<= {LINEAR_SLACK}", all(s <= LINEAR_SLACK for s in steps)))
    if m.get("live"):
        a = m["live"]["again"]
        out.append(("live refresh of every source, unchanged (loopback)", f"{_f(a['wall'])} s; {a['requests']:,} requests; "
                    f"{a['body_bytes']:,} body bytes; {a['rewritten']} files rewritten", f"<= {LIVE_S:.0f} s, 0 bytes, 0 files",
                    a["wall"] <= LIVE_S and a["body_bytes"] == 0 and a["rewritten"] == 0))
    if m.get("mirror_all"):
        out.append(("collect from the mirror, all sources (one run)", f"{m['mirror_all']['wall']:.1f} s; "
                    f"peak {m['mirror_all']['peak_mb']:.0f} MB", "", None))
    return out


def render(m: dict, before: dict | None) -> str:
    lines = ["# Benchmark results", "", f"Run {m['when']} UTC by `make bench` (bench/run.py), code at {m['code']}.", "", *m["machine"], ""]
    now = targets(m)
    was = {t: v for t, v, _, _ in targets(before)} if before else {}
    verdict = lambda ok: "" if ok is None else ("PASS" if ok else "FAIL")  # noqa: E731
    head = "| target | before (" + (before or {}).get("code", "–") + ") | after (this run) | goal | result |"
    lines += ["## Targets", "", "Before: the same script run on the code before issue 16 (bench/before.json, same machine).", "",
              head, "|---|---|---|---|---|", *[f"| {t} | {was.get(t, '–')} | {v} | {g} | {verdict(ok)} |" for t, v, g, ok in now], ""]
    if "report" in m:
        rep, floor = m["report"], m["floor"]
        lines += [f"Import floor runs: {floor['runs']} s; warm report runs: {rep['warm_runs']} s; redraw-all runs: {rep['redraw_runs']} s "
              f"(CPU {rep['redraw']['cpu']:.1f} s, peak {rep['redraw']['peak_mb']:.0f} MB). "
                  + ("Report outputs equal the committed ones byte for byte." if rep["reproduces_committed"]
                     else "" if rep["reproduces_committed"] is None else "Report outputs differ from the committed ones."), ""]
    if m.get("synth"):
        lines += ["## Synthetic scale points (the pipeline child only)", "",
              "| rows | names | models | contested | aliases | points | load s | pipeline s | µs per row | peak MB | phases (s) |",
              "|---|---|---|---|---|---|---|---|---|---|---|",
              *[f"| {p['rows']:,} | {p['names']:,} | {p['models']:,} | {p.get('contested', 0):,} | {p['aliases']:,} | {p['points']:,} | "
                f"{p.get('load_seconds', 0):.2f} | {p['seconds']:.2f} | {1e6 * p['seconds'] / p['rows']:.1f} | {p['peak_mb']:.0f} | "
                f"{', '.join(f'{k} {v:.2f}' for k, v in p['phases'].items())} |" for p in m["synth"]], ""]
    bcol = {p["rows"]: p for p in (before or {}).get("collect", [])}
    if m.get("collect"):
        lines += ["## Collect at scale (`aggregator collect open_llm_leaderboard --mirror`, synthetic v2 CSV)", "",
              "| score rows | file MB | first run s | first run MB | same input s | same input MB | before: first s / MB | before: same input s / MB |",
              "|---|---|---|---|---|---|---|---|",
              *[f"| {p['rows']:,} | {p['file_mb']:.0f} | {p['first']['wall']:.2f} | {p['first']['peak_mb']:.0f} | {p['again']['wall']:.2f} | "
                f"{p['again']['peak_mb']:.0f} | "
                + (f"{bcol[p['rows']]['first']['wall']:.1f} / {bcol[p['rows']]['first']['peak_mb']:.0f} | "
                   f"{bcol[p['rows']]['again']['wall']:.1f} / {bcol[p['rows']]['again']['peak_mb']:.0f} |" if p["rows"] in bcol else "– | – |")
                for p in m["collect"]], ""]
    if m.get("live"):
        blive = (before or {}).get("live") or {}
        lines += ["## Live refresh of every source (loopback upstream, hosts' limits from sources.yaml)", "",
                  "| run | seconds | requests | body bytes | results files written | before: seconds, requests, body bytes |",
                  "|---|---|---|---|---|---|",
                  *[f"| {run} | {_f(r['wall'])} | {r['requests']:,} | {r['body_bytes']:,} | {r['rewritten']} | "
                    + (f"{_f(blive[run]['wall'])}, {blive[run]['requests']:,}, {blive[run]['body_bytes']:,} |" if run in blive else "– |")
                    for run, r in m["live"].items()], "",
                  "What `aggregator collect` printed at the end of the unchanged run:", "", "```",
                  *m["live"]["again"]["summary"], "```", ""]
    if m.get("per_source"):
        lines += ["## Collect from the mirror, per source (each alone, fresh cache)", "", "| source | seconds | status | rows |",
                  "|---|---|---|---|", *[f"| {sid} | {s:.2f} | {st} | {n} |" for sid, (s, st, n) in m["per_source"].items()],
                  f"| (sum of the above) | {sum(v[0] for v in m['per_source'].values()):.2f} | | |",
                  f"| all sources in one run | {m['mirror_all']['wall']:.2f} | | |", ""]
    verdicts = [ok for *_, ok in now if ok is not None]
    lines += [f"{sum(verdicts)} of {len(verdicts)} targets pass. `make bench` took {m['elapsed']:.0f} s.", ""]
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mirror", type=Path, default=Path(os.environ.get("MIRROR", ROOT.parent / "shared" / "data" / "upstream")))
    ap.add_argument("--scales", type=int, nargs="+", default=list(SCALES))
    ap.add_argument("--collect-scales", type=int, nargs="+", default=list(COLLECT_SCALES))
    ap.add_argument("--json", type=Path, help="also write the raw measurements here")
    ap.add_argument("--before", type=Path, default=ROOT / "bench" / "before.json", help="measurements of the code before")
    ap.add_argument("--parts", nargs="+", choices=PARTS, default=list(PARTS), help="what to measure (default: all)")
    ap.add_argument("--collect-each", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.collect_each:
        collect_each(*args.collect_each)
        return 0
    mirror = (ROOT / args.mirror).resolve() if not args.mirror.is_absolute() else args.mirror
    started = time.perf_counter()
    code = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--", "aggregator", "bench", "configs", "pyproject.toml",
                            "requirements.lock"], capture_output=True, text=True).stdout.strip()
    code = (code or "?") + (" with uncommitted changes" if dirty else "")  # the measured code is not that commit's
    m: dict = {"when": f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M}", "code": code, "machine": machine()}
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        work = Path(tmp)
        if "mirror" in args.parts and mirror.is_dir():
            each = measure([PY, __file__, "--collect-each", str(mirror), str(work / "each")])
            m["per_source"] = json.loads(each["out"].strip().splitlines()[-1])
            total = measure([AGG, "collect", "--mirror", str(mirror), "--results", str(work / "collected"), "--cache", str(work / "cache")])
            m["mirror_all"] = cost(total)
        data = ROOT / "results" if (ROOT / "results" / "scores.csv").exists() else work / "collected"
        save = lambda: args.json and args.json.write_text(json.dumps(m, indent=1, default=str), encoding="utf-8")  # noqa: E731
        if "report" in args.parts:
            m["floor"] = median_of([PY, "-c", "import pandas, matplotlib.pyplot"], 3)
            m["report"] = bench_report(data, work, 3)
            m["help"] = median_of([AGG, "--help"], 5)
            save()  # a later part that fails keeps what was measured
        if "synth" in args.parts:
            m["synth"] = bench_synth(args.scales, work)
            save()  # a later part that fails keeps what was measured
        if "collect" in args.parts:
            m["collect"] = bench_collect(args.collect_scales, work)
            save()  # a later part that fails keeps what was measured
        if "live" in args.parts:
            m["live"] = bench_live(work)
    m["elapsed"] = time.perf_counter() - started
    if args.json:
        args.json.write_text(json.dumps(m, indent=1, default=str), encoding="utf-8")
    before = json.loads(args.before.read_text(encoding="utf-8")) if args.before.is_file() else None
    text = render(m, before)
    (ROOT / "bench" / "RESULTS.md").write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
