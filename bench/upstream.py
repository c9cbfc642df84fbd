"""Synthetic upstream files for the benchmark: the Open LLM Leaderboard v2 CSV (the fboulnois scrape the mirror holds)
at any size, written as a mirror folder `<dir>/open_llm_leaderboard/huggingface_v2.csv`.

Rows are like the real file's (4,576 rows, 7 scores each: six normalised benchmark scores and their average): HF repo
ids under ~5,000 owners, two precisions for some repos, 15 significant digits, upload and submission dates, a base
model for a third of them. Deterministic (seeded): the same size gives the same bytes.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

SCORES_PER_ROW = 7
BENCH = ["ifeval", "bbh", "math", "gpqa", "musr", "mmlu_pro"]
NAMES = {"ifeval": "IFEval", "bbh": "BBH", "math": "MATH Level 5", "gpqa": "GPQA", "musr": "MUSR", "mmlu_pro": "MMLU-PRO"}
HEADER = ("id,model_name,model_sha,model_precision,model_type,model_weight_type,model_architecture,model_average_score,"
          "model_has_chat_template," + ",".join(f"evaluations_{b}_name,evaluations_{b}_value,evaluations_{b}_normalized_score"
                                                for b in BENCH)
          + ",features_is_not_available_on_hub,features_is_merged,features_is_moe,features_is_flagged,"
          "features_is_official_provider,metadata_upload_date,metadata_submission_date,metadata_generation,"
          "metadata_base_model,metadata_hub_license,metadata_hub_hearts,metadata_params_billions,metadata_co2_cost")


def _text(values: np.ndarray) -> pa.Array:
    return pa.array(values.astype(str))


def _num(values: np.ndarray) -> pa.Array:
    """Floats as the scrape writes them: up to 15 significant digits."""
    return pa.array([f"{v:.15g}" for v in values.tolist()])


def oll_v2_csv(score_rows: int) -> bytes:
    """A v2 CSV holding `score_rows` score rows (score_rows / 7 table rows)."""
    n = max(1, score_rows // SCORES_PER_ROW)
    rng = np.random.default_rng(7)
    i = np.arange(n)
    repo = i // 2 + (i % 2) * (n // 2 + 1)  # every other row a second precision of an earlier repo, some unique
    name = np.char.add(np.char.add(np.char.add("org", (repo % 5000).astype(str)), "/Model-"), repo.astype(str))
    sha = np.char.zfill((repo * 2654435761 % 10**12).astype(str), 40)
    precision = np.where(i % 2 == 0, "bfloat16", "float16")
    chat = np.where(repo % 3 == 0, "TRUE", "FALSE")
    norm = rng.uniform(0, 80, (len(BENCH), n))
    raw = 0.2 + norm / 125
    avg = norm.mean(axis=0)
    day = repo % 900
    upload = np.datetime64("2023-01-01") + day.astype("timedelta64[D]")
    submitted = upload + (i % 60).astype("timedelta64[D]")
    base = np.where(repo % 3 == 1, np.char.add("org0/Base-", (repo % 97).astype(str)), name)
    cols: list[pa.Array] = [
        _text(np.char.add(np.char.add(np.char.add(np.char.add(name, "_"), precision), "_"), sha)), _text(name), _text(sha),
        _text(precision), pa.array(np.where(repo % 4 == 0, "pretrained", "chatmodels")), pa.array(np.full(n, "Original")),
        pa.array(np.full(n, "LlamaForCausalLM")), _num(avg), pa.array(chat)]
    for k, b in enumerate(BENCH):
        cols += [pa.array(np.full(n, NAMES[b])), _num(raw[k]), _num(norm[k])]
    cols += [pa.array(np.full(n, "TRUE")), pa.array(np.where(repo % 5 == 0, "TRUE", "FALSE")), pa.array(np.full(n, "FALSE")),
             pa.array(np.full(n, "FALSE")), pa.array(np.full(n, "FALSE")), _text(upload.astype(str)), _text(submitted.astype(str)),
             _text(repo % 3), _text(base), pa.array(np.full(n, "apache-2.0")), _text(repo % 300), _num(0.5 + repo % 700 / 10),
             _num(rng.uniform(0.1, 30, n))]
    lines = pc.binary_join_element_wise(*cols, ",")
    return (HEADER + "\n" + "\n".join(lines.to_pylist()) + "\n").encode()


def write_mirror(folder: Path, score_rows: int) -> Path:
    """<folder>/open_llm_leaderboard/huggingface_v2.csv with `score_rows` score rows; returns the mirror folder."""
    out = folder / "open_llm_leaderboard"
    out.mkdir(parents=True, exist_ok=True)
    (out / "huggingface_v2.csv").write_bytes(oll_v2_csv(score_rows))
    return folder


if __name__ == "__main__":
    write_mirror(Path(sys.argv[2]), int(sys.argv[1]))
