"""Synthetic scale point for the benchmark: N score rows, N/10 upstream names, about N/10 models, N/50 aliases.

Run as `python bench/synth.py ROWS`: generates the data (untimed), then times the real pipeline the report runs
(resolve, hardware tagging, every analysis, the report tables) and prints one JSON line. Deterministic (seeded).
Layout at 1,000,000 rows: 100,000 names (20% via aliases, 50% by name, 10% fine-tunes, 20% unmatched),
30,000 registry models + 80,000 Epoch rows (8,000 linked to the registry: ~100,000 models), 20,000 aliases,
20 benchmarks over 12 sources.
"""

from __future__ import annotations

import json
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aggregator import analysis as an  # noqa: E402
from aggregator import report  # noqa: E402
from aggregator.config import Evidence, Model, Training, load_configs  # noqa: E402
from aggregator.store import SCORE_COLUMNS  # noqa: E402

N_BENCH, N_SRC, N_LABS = 20, 12, 40
DATES = np.array(["2025-06-01", "2025-12-01", "2026-03-01"], dtype=object)
CHIPS = [("huawei-ascend-910b", "Huawei Ascend 910B"), ("nvidia-h100", "NVIDIA H100 SXM5 80GB"),
         ("nvidia-a100", "NVIDIA A100"), ("google-tpu-v4", "Google TPU v4"), ("kunlunxin-p800", "Kunlunxin P800"),
         ("cambricon-mlu370", "Cambricon MLU370-X8"), ("nvidia-h800", "NVIDIA H800")]
URL = "https://example.org/evidence"


def _write_configs(folder: Path) -> None:
    """A small real configs/ folder (units and accelerator catalog copied from the project's); models are added later."""
    real = yaml.safe_load((ROOT / "configs" / "benchmarks.yaml").read_text(encoding="utf-8"))
    (folder / "models").mkdir(parents=True)
    (folder / "aliases").mkdir()
    (folder / "benchmarks").mkdir()
    (folder / "hardware.yaml").write_bytes((ROOT / "configs" / "hardware.yaml").read_bytes())
    dump = lambda name, data: (folder / name).write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")  # noqa: E731
    dump("settings.yaml", {"country_under_study": "China", "min_confidence": "reported", "headline_benchmarks": []})
    dump("sources.yaml", {"sources": [
        {"id": f"src{s:02d}", "title": f"Source {s}", "producer": f"Producer {s}", "homepage": "https://example.org",
         "license": "CC-BY-4.0", "citation": "synthetic", "self_reported": s == N_SRC - 1} for s in range(N_SRC)]})
    benches = []
    for b in range(N_BENCH):
        setting = "mode=a" if b % 5 == 0 else ("@latest:release" if b == 3 else None)
        benches.append({"id": f"bench{b:02d}", "name": f"Bench {b}", "unit": "percent", "category": "synthetic",
                        "primary_source": f"src{b % N_SRC:02d}", "headline_setting": setting,
                        "upstream": [{"source": f"src{b % N_SRC:02d}", "key": f"b{b}"},
                                     {"source": f"src{(b + 5) % N_SRC:02d}", "key": f"b{b}"}]})
    dump("benchmarks.yaml", {"units": real["units"], "benchmarks": benches})
    dump("models/seed.yaml", {"models": [{"id": "seed", "display_name": "Seed", "developer": "Lab 0", "developer_country": "China"}]})
    dump("watchlist.yaml", {"watch": [
        {"id": "w-model", "title": "Model 7", "kind": "model", "why": "synthetic", "models": ["seed"], "patterns": ["(?i)syn model 7\\b"]},
        {"id": "w-lab", "title": "Lab 3", "kind": "lab", "why": "synthetic", "developer": "Lab 3"}]})


def _registry(n: int) -> dict[str, Model]:
    out = {}
    for j in range(n):
        kind = j % 4
        chip = CHIPS[j % len(CHIPS)][0]
        ev = [Evidence(url=URL, quote=f"trained on {chip}", kind="developer")]
        training = (Training(accelerators=[chip], confidence=("confirmed", "reported", "inferred")[j % 3], evidence=ev)
                    if kind < 2 else Training(confidence="unknown", looked_at="paper") if kind == 3 else None)
        derived = j % 20 == 5
        out[f"syn-{j:06d}"] = Model(
            id=f"syn-{j:06d}", display_name=f"Syn Model {j}", developer=f"Lab {j % N_LABS}",
            developer_country="China" if j % N_LABS < 15 else "United States",
            release_date=f"{2022 + j % 5}-{1 + j % 12:02d}-{1 + j % 28:02d}" if j % 5 < 4 or j % 20 == 5 else None,
            hf_repo=f"synlab{j % N_LABS}/Syn-Model-{j}" if j % 2 else None,
            epoch_name=f"Epoch Syn {j}" if j % 10 == 0 else None,
            derived_from=f"syn-{j - 5:06d}" if derived else None, derivation="finetune" if derived else None,
            training=training)
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


def _scores(rows: int, n_reg: int, configs) -> pd.DataFrame:
    """`rows` score rows from rows/10 names; alias tables are added to configs."""
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
    for s in range(N_SRC):
        sel = alias & (src == s)
        configs.aliases[f"src{s:02d}"] = {a: (None if k % 50 == 0 else f"syn-{t:06d}")
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
    return pd.DataFrame({
        "source_model_name": name[ni], "benchmark_id": np.char.add("bench", np.char.zfill(bench.astype(str), 2)).astype(object),
        "setting": setting, "score": score, "unit": "percent", "ci_lower": score - ci, "ci_upper": score + ci,
        "source_id": np.char.add("src", np.char.zfill(s.astype(str), 2)).astype(object),
        "source_url": np.char.add(np.char.add("https://example.org/src", s.astype(str)), "/board.csv").astype(object),
        "as_of": as_of, "self_reported": s == N_SRC - 1, "is_system": r % 97 == 0,
        "upstream_org": np.char.add("org", (ni % 50).astype(str)).astype(object), "base_model_name": base[ni],
        "model_release_date": np.where(ni % 7 == 0, "2025-02-01", "").astype(object),
    })


def main(rows: int) -> dict:
    n_reg, n_epoch = rows * 3 // 100, rows * 8 // 100
    with tempfile.TemporaryDirectory() as tmp:
        _write_configs(Path(tmp))
        configs = load_configs(tmp)
        configs.models.update(_registry(n_reg))
        scores = _scores(rows, n_reg, configs)
        epoch = _epoch(n_epoch, n_reg // 10)
    scores = scores[[c for c in SCORE_COLUMNS if c not in ("model_id", "derivation")]]
    gen_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    opts = an.options_from(configs)
    start = time.perf_counter()
    data = report.analyse(configs, scores, epoch, opts)
    text = report.render(configs, opts, data, {})
    seconds = time.perf_counter() - start
    return {"rows": len(scores), "names": int(scores["source_model_name"].nunique()), "models": len(data.models),
            "aliases": sum(len(a) for a in configs.aliases.values()), "points": len(data.pts),
            "resolved": int(data.scores["derivation"].isin(["alias", "name", "finetune"]).sum()),
            "report_chars": len(text), "seconds": round(seconds, 3), "phases": {k: round(v, 3) for k, v in data.timings.items()},
            "gen_peak_mb": round(gen_peak)}


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]))))
