"""Synthetic scale point for the benchmark: N score rows, N/10 upstream names, about N/10 models, N/50 aliases.

Two steps, each run in its own child process so that the pipeline's peak memory is its own, not the generator's:
- `python bench/synth.py data ROWS DIR` writes a configs/ folder (registry of models with hardware `claims:` or
  `looked_at:`, aliases), DIR/scores.parquet and DIR/epoch.parquet; deterministic (seeded).
- `python bench/synth.py pipeline DIR` loads them as the report does (configs/ through load_configs, the tables from
  parquet), then times the real pipeline the report runs (resolve, hardware tagging, every analysis, the report
  tables) and prints one JSON line.
Layout at 1,000,000 rows: 100,000 names (20% via aliases, 50% by name, 10% fine-tunes, 20% unmatched),
30,000 registry models + 80,000 Epoch rows (8,000 linked to the registry: ~100,000 models), 20,000 aliases,
20 benchmarks over 12 sources. The registry's claims mix what tagging meets in the real one: developer, press, blog
and dataset claims, split and disputed (contested) ones, post-training, inference, fine-tunes that inherit and
continued pretraining over a base of another class.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aggregator import analysis as an  # noqa: E402
from aggregator import report  # noqa: E402
from aggregator.config import load_configs  # noqa: E402
from aggregator.store import SCORE_COLUMNS  # noqa: E402

N_BENCH, N_SRC, N_LABS = 20, 12, 40
DATES = np.array(["2025-06-01", "2025-12-01", "2026-03-01"], dtype=object)
CHIPS = [("huawei-ascend-910b", "Huawei Ascend 910B"), ("nvidia-h100", "NVIDIA H100 SXM5 80GB"),
         ("nvidia-a100", "NVIDIA A100"), ("google-tpu-v4", "Google TPU v4"), ("kunlunxin-p800", "Kunlunxin P800"),
         ("cambricon-mlu370", "Cambricon MLU370-X8"), ("nvidia-h800", "NVIDIA H800")]
URL = "https://example.org/evidence"


def _dump(path: Path, data) -> None:
    path.write_text(yaml.dump(data, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper), sort_keys=False,
                              allow_unicode=True), encoding="utf-8")


def _write_configs(folder: Path, models: list[dict], aliases: dict[str, dict[str, str | None]]) -> None:
    """A real configs/ folder (units and accelerator catalog copied from the project's), with the synthetic registry."""
    real = yaml.safe_load((ROOT / "configs" / "benchmarks.yaml").read_text(encoding="utf-8"))
    for sub in ("models", "aliases", "benchmarks"):
        (folder / sub).mkdir(parents=True)
    (folder / "hardware.yaml").write_bytes((ROOT / "configs" / "hardware.yaml").read_bytes())
    _dump(folder / "settings.yaml", {"country_under_study": "China", "headline_benchmarks": []})
    _dump(folder / "sources.yaml", {"sources": [
        {"id": f"src{s:02d}", "title": f"Source {s}", "producer": f"Producer {s}", "homepage": "https://example.org",
         "license": "CC-BY-4.0", "citation": "synthetic", "self_reported": s == N_SRC - 1} for s in range(N_SRC)]})
    benches = []
    for b in range(N_BENCH):
        setting = "mode=a" if b % 5 == 0 else ("@latest:release" if b == 3 else None)
        benches.append({"id": f"bench{b:02d}", "name": f"Bench {b}", "unit": "percent", "category": "synthetic",
                        "primary_source": f"src{b % N_SRC:02d}", "headline_setting": setting,
                        "upstream": [{"source": f"src{b % N_SRC:02d}", "key": f"b{b}"},
                                     {"source": f"src{(b + 5) % N_SRC:02d}", "key": f"b{b}"}]})
    _dump(folder / "benchmarks.yaml", {"units": real["units"], "benchmarks": benches})
    seed = {"id": "seed", "display_name": "Seed", "developer": "Lab 0", "developer_country": "China", "looked_at": "synthetic"}
    _dump(folder / "models" / "seed.yaml", {"models": [seed]})
    _dump(folder / "models" / "synthetic.yaml", {"models": models})
    for sid, table in aliases.items():
        _dump(folder / "aliases" / f"{sid}.yaml", table)
    _dump(folder / "watchlist.yaml", {"watch": [
        {"id": "w-model", "title": "Model 7", "kind": "model", "why": "synthetic", "models": ["seed"], "patterns": ["(?i)syn model 7\\b"]},
        {"id": "w-lab", "title": "Lab 3", "kind": "lab", "why": "synthetic", "developer": "Lab 3"}]})


def _claim(stage: str, chip: str, kind: str, stance: str = "supports", **extra) -> dict:
    return {"stage": stage, "stance": stance, "accelerators": [chip], "kind": kind, "url": URL,
            "quote": f"{stage} on {chip}", **extra}


def _claims(j: int) -> tuple[list[dict], str | None, str | None]:
    """Model j's claims, and its parent and derivation: one of ten patterns, j % 10."""
    chip, other = CHIPS[j % len(CHIPS)][0], CHIPS[(j + 1) % len(CHIPS)][0]
    p = j % 10
    if p == 0:  # the developer's own word, with a chip count: confirmed
        return [_claim("pretraining", chip, "developer", chip_count=256 * (1 + j % 16))], None, None
    if p == 1:  # press only: reported
        return [_claim("pretraining", chip, "press")], None, None
    if p == 2:  # a blog only: weak, contested
        return [_claim("unspecified", chip, "blog")], None, None
    if p == 3:  # two credible claims of different chips: split, contested
        return [_claim("pretraining", chip, "developer"), _claim("pretraining", other, "paper")], None, None
    if p == 4:  # the developer's claim and a credible dispute of it: contested
        return [_claim("pretraining", chip, "developer"), _claim("pretraining", chip, "press", stance="disputes")], None, None
    if p == 5:  # a fine-tune of a confirmed model, post-trained elsewhere: inherits
        return [_claim("post-training", other, "developer")], f"syn-{j - 5:06d}", "finetune"
    if p == 6:  # continued pretraining over a confirmed base, on another chip
        return [_claim("continued-pretraining", other, "developer", share="the last 1T tokens")], f"syn-{j - 6:06d}", \
            "continued-pretraining"
    if p == 7:  # where it runs only: never a class
        return [_claim("inference", chip, "chip-vendor")], None, None
    if p == 8:  # nothing found
        return [], None, None
    return [_claim("unspecified", chip, "dataset", indirect=j % 20 == 19)], None, None  # Epoch-like; indirect: weak


def _registry(n: int) -> list[dict]:
    out = []
    for j in range(n):
        claims, parent, derivation = _claims(j)
        m = {"id": f"syn-{j:06d}", "display_name": f"Syn Model {j}", "developer": f"Lab {j % N_LABS}",
             "developer_country": "China" if j % N_LABS < 15 else "United States"}
        if j % 5 < 4 or j % 20 == 5:
            m["release_date"] = f"{2022 + j % 5}-{1 + j % 12:02d}-{1 + j % 28:02d}"
        if j % 2:
            m["hf_repo"] = f"synlab{j % N_LABS}/Syn-Model-{j}"
        if j % 10 == 0:
            m["epoch_name"] = f"Epoch Syn {j}"
        if parent:
            m |= {"derived_from": parent, "derivation": derivation}
        if claims:
            m["claims"] = claims
        elif not parent:
            m["looked_at"] = "synthetic: technical report and model card"
        out.append(m)
    return out


def _epoch(n: int, linked: int) -> pd.DataFrame:
    k = np.arange(n)
    names = np.where(k < linked, np.char.add("Epoch Syn ", (k * 10).astype(str)), np.char.add("Epoch Only ", k.astype(str)))
    hw = np.array([c[1] for c in CHIPS] + ["", "NVIDIA H100, Huawei Ascend 910B", "unknown chip X"], dtype=object)
    return pd.DataFrame({
        "epoch_name": names.astype(object), "organization": np.char.add("Lab ", (k % N_LABS).astype(str)).astype(object),
        "country": np.where(k % N_LABS < 15, "China", "United States of America").astype(object),
        "publication_date": pd.to_datetime("2018-01-01") + pd.to_timedelta(k % 3000, unit="D"),
        "training_compute_flop": (1e21 * (1 + k % 1000)).astype(str), "training_hardware": hw[k % len(hw)],
        "hardware_quantity": np.where(k % 3 == 0, "", (256 * (1 + k % 16)).astype(str)).astype(object),
        "base_model": np.where((k % 50 == 7) & (k > linked), np.char.add("Epoch Only ", (k - 1).astype(str)), "").astype(object),
        "accessibility": np.where(k % 2 == 0, "Open weights (unrestricted)", "API access").astype(object),
        "source_url": "https://epoch.ai/data/ai-models",
    }).astype({"publication_date": str})


def _scores(rows: int, n_reg: int) -> tuple[pd.DataFrame, dict[str, dict[str, str | None]]]:
    """`rows` score rows from rows/10 names, and the alias tables (per source) they need."""
    names = rows // 10
    n = np.arange(names)
    cat, j, src = n % 10, (n * 7919) % n_reg, n % N_SRC
    name = np.char.add("mystery-", n.astype(str)).astype(object)
    alias, by_name, ft = cat < 2, (cat >= 2) & (cat < 7), cat == 7
    name[alias] = np.char.add("alias-name-", n[alias].astype(str))
    org = np.char.add(np.char.add("Org", n.astype(str)), "/")  # distinct upstream names, same name key
    variant = np.where(n % 2 == 0, np.char.add(org, np.char.add("Syn Model ", j.astype(str))),
                       np.char.add(org, np.char.add("syn_", np.char.zfill(j.astype(str), 6))))
    name[by_name] = variant[by_name]
    name[ft] = np.char.add(np.char.add("user", n[ft].astype(str)), "/ft-model")
    base = np.full(names, "", dtype=object)
    base[ft] = np.where(n[ft] % 20 == 17, name[np.maximum(n[ft] - 10, 0)], np.char.add("Syn Model ", j[ft].astype(str)))
    aliases = {}
    for s in range(N_SRC):
        sel = alias & (src == s)
        aliases[f"src{s:02d}"] = {str(a): (None if k % 50 == 0 else f"syn-{t:06d}")
                                  for a, k, t in zip(name[sel], n[sel], j[sel], strict=True)}
    covered = [[b for b in range(N_BENCH) if s in (b % N_SRC, (b + 5) % N_SRC)] for s in range(N_SRC)]
    r = np.arange(names * 10)
    ni, i = r // 10, r % 10
    s = src[ni]
    width = np.array([len(c) for c in covered])[s]
    bench = np.array([c + [0] * (4 - len(c)) for c in covered])[s, i % width]
    as_of = DATES[(i // width) % 3]
    setting = np.where(bench % 5 == 0, np.where(i % 2 == 0, "mode=a", "mode=b"), "").astype(object)
    setting[bench == 3] = np.char.add("release=", as_of[bench == 3].astype(str))
    rng = np.random.default_rng(0)
    score = rng.uniform(5, 95, len(r)).round(2)
    ci = np.where(r % 3 == 0, 1.5, np.nan)
    scores = pd.DataFrame({
        "source_model_name": name[ni], "benchmark_id": np.char.add("bench", np.char.zfill(bench.astype(str), 2)).astype(object),
        "setting": setting, "score": score, "unit": "percent", "ci_lower": score - ci, "ci_upper": score + ci,
        "source_id": np.char.add("src", np.char.zfill(s.astype(str), 2)).astype(object),
        "source_url": np.char.add(np.char.add("https://example.org/src", s.astype(str)), "/board.csv").astype(object),
        "as_of": as_of, "self_reported": s == N_SRC - 1, "is_system": r % 97 == 0,
        "upstream_org": np.char.add("org", (ni % 50).astype(str)).astype(object), "base_model_name": base[ni],
        "model_release_date": np.where(ni % 7 == 0, "2025-02-01", "").astype(object),
    })
    return scores[[c for c in SCORE_COLUMNS if c not in ("model_id", "derivation")]], aliases


def make_data(rows: int, folder: Path) -> dict:
    """Write the scale point's configs/ and tables under `folder`."""
    n_reg, n_epoch = rows * 3 // 100, rows * 8 // 100
    scores, aliases = _scores(rows, n_reg)
    _write_configs(folder / "configs", _registry(n_reg), aliases)
    scores.to_parquet(folder / "scores.parquet", index=False)
    _epoch(n_epoch, n_reg // 10).to_parquet(folder / "epoch.parquet", index=False)
    return {"rows": len(scores), "registry": n_reg, "epoch": n_epoch}


def run_pipeline(folder: Path) -> dict:
    """Load the scale point as the report does, then time the pipeline."""
    started = time.perf_counter()
    configs = load_configs(folder / "configs")
    scores = pd.read_parquet(folder / "scores.parquet")
    epoch = pd.read_parquet(folder / "epoch.parquet")
    loaded = time.perf_counter() - started
    opts = an.options_from(configs)
    start = time.perf_counter()
    data = report.analyse(configs, scores, epoch, opts)
    text = report.render(configs, opts, data, {})
    seconds = time.perf_counter() - start
    return {"rows": len(scores), "names": int(scores["source_model_name"].nunique()), "models": len(data.models),
            "aliases": sum(len(a) for a in configs.aliases.values()), "points": len(data.pts),
            "resolved": int(data.scores["derivation"].isin(["alias", "name", "finetune"]).sum()),
            "contested": int(data.models["status"].eq("contested").sum()), "report_chars": len(text),
            "load_seconds": round(loaded, 3), "seconds": round(seconds, 3),
            "phases": {k: round(v, 3) for k, v in data.timings.items()}}


if __name__ == "__main__":
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    if mode == "data" and len(sys.argv) == 4:
        print(json.dumps(make_data(int(sys.argv[2]), Path(sys.argv[3]))))
    elif mode == "pipeline" and len(sys.argv) == 3:
        print(json.dumps(run_pipeline(Path(sys.argv[2]))))
    else:
        sys.exit("usage: synth.py data ROWS DIR | synth.py pipeline DIR")
