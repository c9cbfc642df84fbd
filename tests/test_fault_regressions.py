"""One regression test (or more) per finding of issue 17, each in the upstream's real shape: the fault-matrix copies
in tests/fault_mirror/ for files, a loopback server (127.0.0.1) for the network, a copy of configs/ for validate."""

from __future__ import annotations

import copy
import errno
import io
import json
import os
import re
import shutil
import socket
import stat
import time
from pathlib import Path

import pandas as pd
import pytest
from conftest import ROOT, SHARED_UPSTREAM, needs_shared
from werkzeug import Request, Response

from aggregator import charts, cli, transaction
from aggregator.collect import collect, parse_key
from aggregator.collectors import bfcl, epoch_benchmarking_hub, lmarena, open_llm_leaderboard
from aggregator.config import Endpoint, load_configs
from aggregator.errors import ConfigError, ParseError, StoreError
from aggregator.fetch import Fetcher, RateLimiter, RawFile
from aggregator.store import atomic_write_bytes, read_scores

MIRROR = Path(__file__).resolve().parent / "fault_mirror"
TOKEN = "hf_FAKEregressionTOKEN5Jd8"


def _mirror(tmp: Path, *sources: str) -> Path:
    for sid in sources:
        shutil.copytree(MIRROR / sid, tmp / "mirror" / sid)
    return tmp / "mirror"


def _collect(configs, tmp: Path, sid: str, today: str = "2026-01-12", **kw):
    lines: list[str] = []
    out = collect(configs, [sid], tmp / "results", tmp / "cache", kw.pop("mirror", tmp / "mirror"), log=lines.append,
                  workers=1, today=today, **kw)[0]
    return out, lines


def _rows(tmp: Path, sid: str) -> pd.DataFrame:
    df = read_scores(tmp / "results" / "scores.csv")
    return df[df["source_id"].eq(sid)]


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is in {path.name}"  # why: an edit that changes nothing tests nothing
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# --- 1. a 5 MB model name poisoned results/ ---------------------------------------------------------------------


def test_1_a_5_mb_name_is_refused_and_results_stay_readable(configs, tmp_path):
    board = _mirror(tmp_path, "lmarena") / "lmarena" / "lmarena_text.csv"
    _collect(configs, tmp_path, "lmarena", today="2026-01-05")
    before = (tmp_path / "results" / "scores.csv").read_bytes()
    _edit(board, "GLM-4.5,1411", "GLM-" + "5" * 5_000_000 + ",1411")
    out, _ = _collect(configs, tmp_path, "lmarena")
    assert out.status == "failed" and out.message.startswith("lmarena: lmarena_text.csv, row 4: a cell"), out.message
    assert "20,000 characters" in out.message and "\n" not in out.message
    assert (tmp_path / "results" / "scores.csv").read_bytes() == before
    _edit(board, "GLM-" + "5" * 5_000_000 + ",1411", "GLM-4.5,1412")  # the next good file is collected as usual
    assert _collect(configs, tmp_path, "lmarena")[0].status == "updated"
    assert _rows(tmp_path, "lmarena").query("source_model_name == 'GLM-4.5'")["score"].tolist() == [1412.0]


def test_1_a_name_over_the_name_limit_in_json_names_file_and_line(configs, tmp_path):
    path = _mirror(tmp_path, "swe_bench") / "swe_bench" / "leaderboards.json"
    _edit(path, '"Model: kimi-k2-instruct"', '"Model: ' + "k" * 400 + '"')
    out, _ = _collect(configs, tmp_path, "swe_bench")
    line = next(i for i, ln in enumerate(path.read_text().splitlines(), 1) if "k" * 400 in ln)
    assert out.status == "failed" and f"leaderboards.json, row {line}: source_model_name: 400 characters" in out.message


# --- 2. a truncated CSV wrote a wrong score -----------------------------------------------------------------------


def test_2_a_cut_board_is_refused_and_the_score_kept(configs, tmp_path):
    board = _mirror(tmp_path, "lmarena") / "lmarena" / "lmarena_text.csv"
    _collect(configs, tmp_path, "lmarena", today="2026-01-05")
    text = board.read_bytes()
    board.write_bytes(text[: text.index(b"Qwen2.5-Coder-32B-Instruct,12") + len(b"Qwen2.5-Coder-32B-Instruct,12")])
    out, _ = _collect(configs, tmp_path, "lmarena")
    assert out.status == "failed" and "lmarena_text.csv, row 7: 4 fields where the header has 10" in out.message
    coder = _rows(tmp_path, "lmarena").query("source_model_name == 'Qwen2.5-Coder-32B-Instruct'")
    assert coder["score"].tolist() == [1234.0]


@pytest.mark.parametrize("module, name", [(epoch_benchmarking_hub, "gpqa_diamond.csv"),
                                          (open_llm_leaderboard, "huggingface_v2.csv"),
                                          (bfcl, "data_overall.csv"), (lmarena, "lmarena_text.csv")])
def test_2_every_csv_reader_refuses_a_cut_row(module, name):
    sid = module.SOURCE_ID
    data = (MIRROR / sid / name).read_bytes()
    cut = data[: data.rstrip(b"\n").rfind(b"\n") + 40]  # 40 bytes into the last row: a row cut short
    with pytest.raises(ParseError, match=rf"{re.escape(name)}, row \d+: \d+ fields where the header has \d+"):
        module.parse([RawFile.of(name, cut, f"https://example.org/{name}", "2025-08-04", "2025-08-04")])


# --- 3. a whole file vanished silently ----------------------------------------------------------------------------


def test_3_a_vanished_file_keeps_its_rows_and_the_others_update(configs, tmp_path):
    folder = _mirror(tmp_path, "open_llm_leaderboard") / "open_llm_leaderboard"
    _collect(configs, tmp_path, "open_llm_leaderboard", today="2026-01-05")
    v2_before = _rows(tmp_path, "open_llm_leaderboard").query("source_url.str.endswith('huggingface_v2.csv')")
    (folder / "huggingface_v2.csv").unlink()
    _edit(folder / "huggingface_v1.csv", ",73.6,", ",73.9,")  # Qwen-72B's v1 average: upstream changed
    out, _ = _collect(configs, tmp_path, "open_llm_leaderboard")
    assert out.status == "updated" and "huggingface_v2.csv: declared but not found: its previous 42 rows kept" in out.message
    after = _rows(tmp_path, "open_llm_leaderboard")
    pd.testing.assert_frame_equal(after.query("source_url.str.endswith('huggingface_v2.csv')").reset_index(drop=True),
                                  v2_before.reset_index(drop=True))
    assert after.query("source_model_name == 'Qwen/Qwen-72B' and benchmark_id == 'openllm_v1_average'")["score"].tolist() == [73.9]


def test_3_a_file_cut_to_a_few_rows_keeps_its_rows(configs, tmp_path):
    v2 = _mirror(tmp_path, "open_llm_leaderboard") / "open_llm_leaderboard" / "huggingface_v2.csv"
    _collect(configs, tmp_path, "open_llm_leaderboard", today="2026-01-05")
    before = (tmp_path / "results" / "scores.csv").read_bytes()
    v2.write_bytes(b"".join(v2.read_bytes().splitlines(keepends=True)[:2]))  # header and 1 of 6 models
    out, _ = _collect(configs, tmp_path, "open_llm_leaderboard")
    assert out.status == "unchanged" and "huggingface_v2.csv: 1 openllm_v2_average rows where there were 6" in out.message
    assert (tmp_path / "results" / "scores.csv").read_bytes() == before


# --- 4. '$...$' in an upstream name crashed report (matplotlib mathtext) -------------------------------------------

NAMES = ["$\\frac{x$", "Qwen$2.5$ (beta)", "a$b$$c", "$x^$"]


def test_4_dollar_signs_in_names_are_drawn_as_text(tmp_path):
    classes = ["domestic", "nvidia", "other", "domestic"]
    dates = pd.to_datetime(["2025-01-01", "2025-03-01", "2025-05-01", "2025-07-01"])
    pts = pd.DataFrame({"release_date": dates, "score": [50.0, 60.0, 55.0, 65.0], "hardware_class": classes,
                        "ci_lower": float("nan"), "ci_upper": float("nan"), "display_name": NAMES,
                        "release_precision": "day", "release_label": dates.strftime("%Y-%m-%d"), "release_low": dates,
                        "release_high": dates})
    front = pts.assign(frontier=pts["score"])
    rows = pd.DataFrame({"display_name": NAMES, "accelerator": ["Ascend 910B", "$H800$", "TPU", "Ascend"],
                         "chip_count": [2048.0, float("nan"), 512.0, 1024.0], "hardware_class": classes})
    best = {"gpqa_diamond": pts.drop_duplicates("hardware_class")[["hardware_class", "score", "display_name"]]}
    files = [charts.frontier_chart(pts, front, "GPQA $x$", "% (0-100)", True, "source: $a$", tmp_path, "frontier"),
             charts.chips_chart(rows, "source: Epoch AI", tmp_path),
             charts.best_now_chart(best, {"gpqa_diamond": "GPQA $\\frac{$"}, {"gpqa_diamond": "% (0-100)"}, "note", tmp_path)]
    svg = " ".join((tmp_path / f.replace(".png", ".svg")).read_text() for f in files)
    for name in NAMES:
        assert name in svg, f"{name!r} is drawn as it is"
    drawn = re.sub(r"<!--.*?-->", "", svg, flags=re.S)  # matplotlib notes each text's source in a comment
    assert "mathdefault" not in drawn, "the log axis' own tick labels are still mathtext (10 to the power), not raw text"


# --- 5. an HF token echoed by a Hugging Face file went into results/ and the caches ---------------------------------


def _echoing_arena(compression: str):
    """A Hub 'resolve' endpoint whose parquet names the model by the request's Authorization header."""

    def handler(req: Request) -> Response:
        buf = io.BytesIO()
        pd.DataFrame({"model_name": [f"echo {req.headers.get('Authorization', '')}", "deepseek-v3"],
                      "organization": ["X", "DeepSeek"], "rating": [1300.0, 1318.2], "category": ["overall"] * 2,
                      "leaderboard_publish_date": ["2025-06-23"] * 2}).to_parquet(
            buf, index=False, compression=compression, write_statistics=compression == "snappy")
        return Response(buf.getvalue(), headers={"X-Repo-Commit": "0" * 40, "ETag": f'"{compression}-etag"'})

    return handler


@pytest.mark.parametrize("compression", ["snappy", "gzip"])  # the token as bytes in the file, or only compressed
def test_5_an_hf_token_echoed_in_a_dataset_file_never_lands(server, configs, tmp_path, monkeypatch, compression):
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    monkeypatch.setenv("HF_ENDPOINT", server.url_for("").rstrip("/"))
    server.expect_request(re.compile(r"^/api/datasets/lmarena-ai/leaderboard-dataset/revision/.*")).respond_with_json(
        {"id": "lmarena-ai/leaderboard-dataset", "sha": "0" * 40, "siblings": [{"rfilename": "text/latest-00000-of-00001.parquet"}]})
    server.expect_request(re.compile(r"^/datasets/lmarena-ai/leaderboard-dataset/resolve/.*")).respond_with_handler(
        _echoing_arena(compression))
    fetcher = Fetcher(tmp_path / "cache", rate=RateLimiter(0), timeout=(2, 2), retries=0)
    out, _ = _collect(configs, tmp_path, "lmarena", mirror=None, fetcher=fetcher)
    assert any(TOKEN in str(req.headers) for req, _ in server.log), "the Hub was sent the token"
    leaks = [p for p in tmp_path.rglob("*") if p.is_file() and TOKEN.encode() in p.read_bytes()]
    for p in tmp_path.rglob("*"):  # a parquet that kept the token compressed: read it back too
        if p.is_file() and p.read_bytes()[:4] == b"PAR1":
            try:
                leaks += [p] if TOKEN in pd.read_parquet(p).to_csv() else []
            except OSError:  # redacted as bytes: no longer a parquet file, nothing to read
                pass
    assert not leaks and TOKEN not in out.message
    if out.status == "updated":  # compressed: the parsed name is redacted, the download not kept
        assert "echo Bearer ***" in set(_rows(tmp_path, "lmarena")["source_model_name"])
    else:  # as bytes: redacted in the download, which is then no longer a parquet file
        assert out.status == "failed" and "not a readable parquet file" in out.message


# --- 6. wrong values accepted ----------------------------------------------------------------------------------


def test_6_a_percent_sign_is_read_only_where_the_unit_is_percent(configs, tmp_path):
    _mirror(tmp_path, "lmarena", "bfcl")
    _edit(tmp_path / "mirror" / "lmarena" / "lmarena_text.csv", "Kimi-K2-Instruct,1393", "Kimi-K2-Instruct,85%")
    out, _ = _collect(configs, tmp_path, "lmarena")
    assert out.status == "failed" and "row 6: arena_score: expected a number, got '85%' (a percent sign where the " \
                                      "unit is not percent)" in out.message
    _edit(tmp_path / "mirror" / "bfcl" / "data_overall.csv", ",66.12%,", ",85%,")
    assert _collect(configs, tmp_path, "bfcl")[0].status == "updated"
    assert _rows(tmp_path, "bfcl").query("benchmark_id == 'bfcl_overall' and source_model_name.str.startswith('Qwen3')")[
        "score"].tolist() == [85.0]


def test_6_na_or_a_negative_score_keeps_the_previous_row(configs, tmp_path):
    board = _mirror(tmp_path, "lmarena") / "lmarena" / "lmarena_text.csv"
    _collect(configs, tmp_path, "lmarena", today="2026-01-05")
    before = _rows(tmp_path, "lmarena").set_index("source_model_name")["score"]
    for old, new in [("GLM-4.5,1411", "GLM-4.5,N/A"), ("Kimi-K2-Instruct,1393", "Kimi-K2-Instruct,-5"),
                     ("Gemini-2.5-Pro,1458", "Gemini-2.5-Pro,1460")]:
        _edit(board, old, new)
    out, lines = _collect(configs, tmp_path, "lmarena")
    after = _rows(tmp_path, "lmarena").set_index("source_model_name")["score"]
    assert (after["GLM-4.5"], after["Kimi-K2-Instruct"], after.loc["Gemini-2.5-Pro"].max()) == (1411.0, 1393.0, 1460.0)
    assert len(after) == len(before) and "2 previous rows kept whose new value is blank or out of range" in out.message
    assert any("score -5 outside" in ln for ln in lines), "the rejected value is reported"


# --- 7. upstream duplicates written twice ------------------------------------------------------------------------


def _twice(path: Path) -> None:
    doc = json.loads(path.read_bytes())
    for board in doc["leaderboards"]:
        board["results"] += [dict(r) for r in board["results"]]
    path.write_text(json.dumps(doc))


def test_7_a_record_listed_twice_is_written_once(configs, tmp_path):
    path = _mirror(tmp_path, "swe_bench") / "swe_bench" / "leaderboards.json"
    _twice(path)
    out, _ = _collect(configs, tmp_path, "swe_bench")
    rows = _rows(tmp_path, "swe_bench")
    assert out.rows == len(rows) == 8 and "8 duplicate rows dropped" in out.message
    assert not rows["setting"].str.startswith(";").any() and not rows["setting"].str.contains("run=").any()
    assert "- swe_bench: first collection, 8 rows; 8 duplicate rows dropped" in (tmp_path / "results" / "CHANGES.md").read_text()


@needs_shared
def test_7_the_real_swe_bench_file_listed_twice_gives_its_322_rows(configs, tmp_path):
    folder = tmp_path / "mirror" / "swe_bench"
    folder.mkdir(parents=True)
    shutil.copy(SHARED_UPSTREAM / "swe_bench" / "leaderboards.json", folder / "leaderboards.json")
    once = _collect(configs, tmp_path / "once", "swe_bench", mirror=tmp_path / "mirror")[0]
    _twice(folder / "leaderboards.json")
    twice = _collect(configs, tmp_path / "twice", "swe_bench", mirror=tmp_path / "mirror")[0]
    assert once.rows == twice.rows == 322 and f"{once.rows} duplicate rows dropped" in twice.message


# --- 8. the parse cache ignored origin ----------------------------------------------------------------------------


def test_8_the_same_bytes_from_another_url_or_snapshot_are_parsed_anew(configs, tmp_path):
    _mirror(tmp_path, "lmarena")
    _collect(configs, tmp_path, "lmarena", today="2026-01-05")
    cfg = copy.copy(configs)
    group = configs.sources["lmarena"].mirror[0]
    moved = group.model_copy(update={"upstream": "https://example.org/elsewhere/", "as_of": "2025-09-01"})
    cfg.sources = {**configs.sources, "lmarena": configs.sources["lmarena"].model_copy(
        update={"mirror": [moved, *configs.sources["lmarena"].mirror[1:]]})}
    _collect(cfg, tmp_path, "lmarena")  # the same bytes, the cache warm
    rows = _rows(tmp_path, "lmarena")
    fresh = rows[rows["as_of"].eq("2025-09-01")]  # the earlier snapshot's rows stay too (lmarena's history rule)
    assert set(fresh["source_url"]) == {"https://example.org/elsewhere/lmarena_text.csv",
                                        "https://example.org/elsewhere/lmarena_vision.csv"}
    assert not rows["source_url"].str.startswith("https://example.org/elsewhere/")[rows["as_of"].ne("2025-09-01")].any()
    f = RawFile.of("a.csv", b"x", "https://a/a.csv", "2025-01-01", "2025-01-01")
    keys = {parse_key(lmarena, [g]) for g in (f, RawFile.of("a.csv", b"x", "https://b/a.csv", "2025-01-01", "2025-01-01"),
                                              RawFile.of("a.csv", b"x", "https://a/a.csv", "2025-02-01", "2025-01-01"))}
    same = RawFile.of("a.csv", b"x", "https://a/a.csv", "2025-01-01", "2025-01-01")
    assert len(keys) == 3 and parse_key(lmarena, [same]) == parse_key(lmarena, [f])


# --- 9. disk full and damaged results/ files ended in tracebacks ---------------------------------------------------


def _cli(monkeypatch, capsys, *argv: str) -> tuple[int, str]:
    monkeypatch.setattr("sys.argv", ["aggregator", *argv])
    with pytest.raises(SystemExit) as exc:
        cli.main()
    return exc.value.code, capsys.readouterr().err


def _collect_cli(tmp: Path, *extra: str) -> list[str]:
    return ["collect", "lmarena", "--mirror", str(tmp / "mirror"), "--results", str(tmp / "results"),
            "--cache", str(tmp / "cache"), "--configs", str(ROOT / "configs"), *extra]


def test_9_a_full_disk_is_one_line_and_results_stay_whole(configs, tmp_path, monkeypatch, capsys):
    _edit(_mirror(tmp_path, "lmarena") / "lmarena" / "lmarena_text.csv", ",1458,", ",1459,")
    _collect(configs, tmp_path, "lmarena", today="2026-01-05")
    _edit(tmp_path / "mirror" / "lmarena" / "lmarena_text.csv", ",1459,", ",1460,")
    before = {p.name: p.read_bytes() for p in (tmp_path / "results").iterdir()}

    def full(path, data):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    monkeypatch.setattr(transaction, "_write_synced", full)
    code, err = _cli(monkeypatch, capsys, *_collect_cli(tmp_path))
    assert code == 2 and err.count("\n") == 1 and err.startswith("error: ") and "No space left on device" in err
    assert "Traceback" not in err and str(tmp_path / "results") in err
    assert {p.name: p.read_bytes() for p in (tmp_path / "results").iterdir()} == before  # no temp left either


DAMAGE = {
    "CHANGES.md": lambda d: d[:20] + b"\xff" + d[20:],
    "scores.csv": lambda d: d.replace(b"\n", b"\n<<<<<<< HEAD\n", 1),
    "collection.csv": lambda d: bytes(range(256)),
    "unmapped_benchmarks.csv": lambda d: b"source_id,benchmark_key,rows\nlmarena,x,many\n",
    ".update-journal.json": lambda d: b"{not json",
}


@pytest.mark.parametrize("name", list(DAMAGE))
def test_9_a_damaged_results_file_is_a_one_line_error_naming_it(configs, tmp_path, monkeypatch, capsys, name):
    _mirror(tmp_path, "lmarena")
    _collect(configs, tmp_path, "lmarena", today="2026-01-05")
    path = tmp_path / "results" / name
    path.write_bytes(DAMAGE[name](path.read_bytes() if path.exists() else b""))
    code, err = _cli(monkeypatch, capsys, *_collect_cli(tmp_path))
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err and name in err, err


def test_9_a_huge_cell_in_scores_csv_is_a_clean_error(tmp_path):
    from aggregator.store import SCORE_COLUMNS

    path = tmp_path / "scores.csv"
    path.write_text(",".join(SCORE_COLUMNS) + "\n" + ",alias," + "x" * 3_000_000 + ",b,,1,percent,,,s,https://a,2025-01-01,"
                    "False,False,,,\n")
    try:
        df = read_scores(path)
    except StoreError as exc:  # pyarrow reads in 1 MB blocks: a 3 MB cell is refused with the file named
        assert str(path) in str(exc) and "\n" not in str(exc)
    else:
        assert df["source_model_name"].str.len().max() == 3_000_000


# --- 10. validate gaps ------------------------------------------------------------------------------------------


@pytest.fixture
def cfg_dir(tmp_path) -> Path:
    shutil.copytree(ROOT / "configs", tmp_path / "configs")
    return tmp_path / "configs"


def test_10_a_duplicate_yaml_key_is_refused(cfg_dir):
    _edit(cfg_dir / "sources.yaml", "    title: LMArena (Chatbot Arena) leaderboards\n",
          "    title: LMArena (Chatbot Arena) leaderboards\n    title: Arena\n")
    with pytest.raises(ConfigError, match=r"sources\.yaml: broken YAML at line \d+, column 5: duplicate key 'title'"):
        load_configs(cfg_dir)


def test_10_an_invalid_match_regex_is_refused(cfg_dir):
    _edit(cfg_dir / "hardware.yaml", "match: ['\\bGB300\\b']", "match: ['\\bGB300\\b', 'GB(300']")
    with pytest.raises(ConfigError, match=r"hardware\.yaml, entry 'nvidia-gb300', field 'match': .*not a valid regex"):
        load_configs(cfg_dir)


def test_10_a_misspelt_key_is_reported_as_unknown_by_name(cfg_dir):
    _edit(cfg_dir / "sources.yaml", "    title: LMArena (Chatbot Arena) leaderboards\n",
          "    tilte: LMArena (Chatbot Arena) leaderboards\n")
    with pytest.raises(ConfigError) as exc:
        load_configs(cfg_dir)
    assert "entry 'lmarena', field 'tilte': unknown key 'tilte' (did you mean 'title'?)" in str(exc.value)
    assert "required" not in str(exc.value).casefold()


def test_10_a_yaml_alias_bomb_is_refused_at_once(cfg_dir):
    bomb, prev = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n', "a"
    for n in "bcdefghi":
        bomb += f"{n}: &{n} [" + ", ".join([f"*{prev}"] * 9) + "]\n"
        prev = n
    (cfg_dir / "aliases" / "lmarena.yaml").write_text(bomb)
    started = time.monotonic()
    with pytest.raises(ConfigError, match=r"lmarena\.yaml: broken YAML at line \d+.*expand to over 2,000,000 values"):
        load_configs(cfg_dir)
    assert time.monotonic() - started < 30, "refused before anything walks it (it used to hang for minutes)"


# --- 11. rewritten files got mode 0600 ----------------------------------------------------------------------------


@pytest.mark.parametrize("umask", [0o022, 0o077])
def test_11_written_files_follow_the_umask(configs, tmp_path, umask):
    old = os.umask(umask)
    try:
        _mirror(tmp_path, "lmarena")
        _collect(configs, tmp_path, "lmarena")
        atomic_write_bytes(tmp_path / "results" / "charts" / "x.png", b"png")  # how charts are written
        atomic_write_bytes(tmp_path / "results" / "charts" / "x.png", b"png, rewritten")
    finally:
        os.umask(old)
    written = [p for p in tmp_path.rglob("*") if p.is_file() and "mirror" not in p.parts]
    assert len(written) > 5 and {stat.S_IMODE(p.stat().st_mode) for p in written} == {0o666 & ~umask}


# --- 12. one hung upstream held a refresh for minutes ---------------------------------------------------------------


@pytest.fixture
def hung():
    """A loopback port that accepts connections and never answers."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(64)
    yield f"http://127.0.0.1:{s.getsockname()[1]}"
    s.close()


def test_12_a_hung_upstream_is_cut_at_the_source_budget(configs, tmp_path, hung):
    cfg = copy.copy(configs)
    cfg.settings = configs.settings.model_copy(update={"source_budget_seconds": 1.5})
    eps = [Endpoint(name=ep.name, url=f"{hung}/{ep.name}") for ep in configs.sources["bfcl"].endpoints]
    cfg.sources = {**configs.sources, "bfcl": configs.sources["bfcl"].model_copy(update={"endpoints": eps})}
    fetcher = Fetcher(tmp_path / "cache", rate=RateLimiter(0), timeout=(1, 5), retries=4, backoff=0.5)
    started = time.monotonic()
    out, _ = _collect(cfg, tmp_path, "bfcl", mirror=None, fetcher=fetcher)
    took = time.monotonic() - started
    assert out.status == "failed" and "time budget of 1.5 s" in out.message, out.message
    assert took < 6, f"{took:.1f} s: without the budget, 5 attempts x 5 s read timeout per file"


def test_12_a_hung_hugging_face_endpoint_is_cut_at_the_source_budget(configs, tmp_path, hung, monkeypatch):
    monkeypatch.setenv("HF_ENDPOINT", hung)
    cfg = copy.copy(configs)
    cfg.sources = {**configs.sources, "lmarena": configs.sources["lmarena"].model_copy(update={"budget_seconds": 1.5})}
    fetcher = Fetcher(tmp_path / "cache", rate=RateLimiter(0), timeout=(1, 5), retries=4, backoff=0.5)
    started = time.monotonic()
    out, _ = _collect(cfg, tmp_path, "lmarena", mirror=None, fetcher=fetcher)
    assert out.status == "failed" and time.monotonic() - started < 6, out.message


def test_12_the_budget_is_configurable(cfg_dir):
    _edit(cfg_dir / "settings.yaml", "source_budget_seconds: 60", "source_budget_seconds: 45")
    _edit(cfg_dir / "sources.yaml", "    budget_seconds: 900", "    budget_seconds: 120")
    cfg = load_configs(cfg_dir)
    assert cfg.settings.source_budget_seconds == 45 and cfg.sources["llm_stats"].budget_seconds == 120
    _edit(cfg_dir / "settings.yaml", "source_budget_seconds: 45", "source_budget_seconds: 0")
    with pytest.raises(ConfigError, match="source_budget_seconds"):
        load_configs(cfg_dir)


def test_9_only_data_text_is_checked_for_damage():
    from aggregator.guards import check_files

    ok = [RawFile.of("assets/llm-rank/a.json", b"\x1f\x8b\x08\x00gzip", "https://a/a.json", "2025-01-01"),
          RawFile.of("org/repo/README.md", b"card \xff text", "https://a/README.md", "2025-01-01")]
    check_files("x", ok)  # a gzip body is unpacked and checked by its parser; a model card is free text
    with pytest.raises(ParseError, match=r"x: b\.csv, row 2: not UTF-8 text \(byte 6\)"):
        check_files("x", [RawFile.of("b.csv", b"a,b\n1,\xff\n", "https://a/b.csv", "2025-01-01")])
