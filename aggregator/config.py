"""Typed, validated view of configs/: every file is checked at load time, errors name file, entry and field."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections import Counter
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import quote as url_quote

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from . import memo
from .errors import ConfigError
from .limits import MAX_YAML_NODES, SOURCE_BUDGET_SECONDS

ID_RE = r"^[a-z0-9][a-z0-9._+-]*$"
DATE_RE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def _as_date_str(value: Any) -> Any:
    """YAML turns 2025-01-20 into a date; keep every date as an ISO string (YYYY, YYYY-MM or YYYY-MM-DD)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    return value


def _check_date(value: str | None) -> str | None:
    if value is None:
        return None
    if not DATE_RE.match(value):
        raise ValueError(f"expected a date as YYYY, YYYY-MM or YYYY-MM-DD, got {value!r}")
    parts = [int(p) for p in value.split("-")]
    try:
        dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a real date ({exc})") from None
    return value


DateStr = Annotated[str, BeforeValidator(_as_date_str), AfterValidator(_check_date)]


def date_floor(value: str | None) -> dt.date | None:
    """First day a partial date (YYYY or YYYY-MM) can mean."""
    if not value:
        return None
    parts = [int(p) for p in value.split("-")]
    return dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- settings -------------------------------------------------------------------------------------------


class Settings(Strict):
    country_under_study: str = "China"
    scenario: Literal["strict", "default", "widest"] = "default"
    include_self_reported: bool = False
    headline_benchmarks: list[str] = Field(default_factory=list)
    stale_after_days: int = Field(default=180, gt=0, description="a headline benchmark whose newest data is older "
                                  "fails the live refresh; a source whose data is older shows as stale in the report")
    project_url: str | None = Field(default=None, pattern=r"^https?://\S+$",
                                    description="the deployer's project URL, cited in chart footers and the User-Agent")
    source_budget_seconds: float = Field(default=SOURCE_BUDGET_SECONDS, gt=0,
                                         description="wall-clock seconds one source may spend fetching (limits.py)")


# --- sources --------------------------------------------------------------------------------------------


class HFFile(Strict):
    repo_id: str
    repo_type: Literal["dataset", "model", "space"] = "dataset"
    filename: str
    revision: str = "main"


class Endpoint(Strict):
    name: str = Field(description="logical file name the parser dispatches on")
    url: str | None = None
    hf: HFFile | None = None
    method: Literal["GET", "POST"] = "GET"
    json_body: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _one_channel(self) -> Endpoint:
        if (self.url is None) == (self.hf is None):
            raise ValueError("give exactly one of 'url' or 'hf'")
        return self


class MirrorGroup(Strict):
    upstream: str = Field(description="URL prefix of the upstream copy; the file's upstream path is appended")
    as_of: DateStr = Field(description="date of the upstream snapshot the mirror holds")
    files: list[str] = Field(min_length=1, description="glob patterns relative to <mirror>/<source id>/")
    local: str = Field(default="", description="folder of <mirror>/<source id>/ holding this copy: not part of the "
                       "upstream path (e.g. 'nakasyou_lmarena-history/' for .../output/result.csv)")

    @field_validator("local")
    @classmethod
    def _folder(cls, v: str) -> str:
        if v and not v.endswith("/"):
            raise ValueError(f"a folder ends with '/', got {v!r}")
        return v

    @model_validator(mode="after")
    def _files_in_local(self) -> MirrorGroup:
        stray = [f for f in self.files if not f.startswith(self.local)]
        if stray:
            raise ValueError(f"file pattern {stray[0]!r} is not under the declared local folder {self.local!r}")
        return self

    def upstream_url(self, rel: str) -> str:
        """The upstream URL of a mirror file given by its path relative to <mirror>/<source id>/."""
        if not rel.startswith(self.local):
            raise ValueError(f"{rel!r} is not under the declared local folder {self.local!r}")
        return self.upstream + url_quote(rel.removeprefix(self.local))


class HFRepo(Strict):
    repo_id: str
    repo_type: Literal["dataset", "model", "space"] = "dataset"
    revision: str = "main"



class Source(Strict):
    id: str = Field(pattern=ID_RE)
    title: str
    producer: str
    homepage: str
    license: str
    citation: str
    kind: Literal["scores", "models", "curated"] = "scores"
    region: str = Field(default="", description="country whose labs the evaluator mainly covers (a Chinese leaderboard: China)")
    files: list[str] = Field(default_factory=list, description="curated sources: glob patterns relative to configs/")
    self_reported: bool = False
    endpoints: list[Endpoint] = Field(default_factory=list)
    mirror: list[MirrorGroup] = Field(default_factory=list, description="files of <mirror>/<id>/, by snapshot")
    api_key_env: str | None = None
    name_prefixes: list[str] = Field(default_factory=list, description="routing prefixes the source writes before a "
                                     "model's name (API providers such as 'openrouter/', not owners): cut before matching")
    row_dates: Literal["snapshot", "run"] = Field(
        default="snapshot", description="what a row's as_of is: the date of the board snapshot it was published in, "
        "or the date of its run (every run in the collected files belongs to one snapshot of the board)")
    default_unit: str | None = Field(default=None, description="unit of scores under a benchmark key the catalog does "
                                     "not know (kept as '<source>:<key>', upstream values); none: 'as_published'")
    max_bytes: int = 200_000_000
    history: Literal["replace", "snapshots", "models"] = Field(
        default="replace", description="what a fetch that no longer shows earlier rows does to them: replace = the "
        "fetch is the whole truth; snapshots = each (benchmark, as_of) the fetch lacks is kept (a board's earlier "
        "publish dates); models = each model the fetch lacks keeps its rows (a latest-only view)")
    urls: dict[str, str] = Field(default_factory=dict, description="URL prefixes the collector builds requests on "
                                 "(an upstream index, an API base), declared here rather than in code")
    hf_index: HFRepo | None = Field(default=None, description="a Hugging Face repo whose file list is the index of "
                                    "what to fetch (configs, files)")
    archived: bool = Field(default=False, description="frozen upstream: old data is expected, never 'stale'")
    budget_seconds: float | None = Field(default=None, gt=0, description="this source's fetch time budget, when not "
                                         "settings.yaml's source_budget_seconds (a source of many requests)")
    notes: str = ""


class RequestLimit(Strict):
    """At most `requests` requests in any `per_seconds` window (`anonymous` of them without the host's token)."""

    requests: int = Field(gt=0)
    per_seconds: float = Field(gt=0)
    anonymous: int | None = Field(default=None, gt=0, description="the limit when the host's token_env is not set")
    path_contains: str = Field(default="", description="the limit is for URLs whose path holds this ('/resolve/'); "
                               "'' for the host's other URLs")


class Host(Strict):
    """How often the tool may ask one host, as the host documents it; `*` is every host that documents nothing."""

    host: str = Field(pattern=r"^(\*|[A-Za-z0-9.-]+(:\d+)?)$", description="a host name as in URLs, or * for the rest")
    interval_seconds: float = Field(default=0.0, ge=0, description="the least time between two requests to the host")
    limits: list[RequestLimit] = Field(default_factory=list)
    token_env: str | None = Field(default=None, description="the environment variable whose token lifts `anonymous`")
    documented: str = Field(default="", pattern=r"^(https?://\S+)?$", description="the page that states the limits")
    quote: str = Field(default="", description="the sentence or table row of that page that states them")
    note: str = ""

    @model_validator(mode="after")
    def _sourced(self) -> Host:
        if self.limits and not (self.documented and self.quote):
            raise ValueError("request limits need the page that documents them ('documented') and a 'quote' from it")
        if len({lim.path_contains for lim in self.limits}) != len(self.limits):
            raise ValueError("two limits for the same paths: give each its own 'path_contains'")
        return self


# --- hardware -------------------------------------------------------------------------------------------


class Accelerator(Strict):
    id: str = Field(pattern=ID_RE)
    name: str
    vendor: str
    vendor_country: str
    match: list[str] = Field(default_factory=list, description="regexes (case-insensitive) for upstream strings")

    @field_validator("match")
    @classmethod
    def _regexes(cls, v: list[str]) -> list[str]:
        for p in v:
            try:
                re.compile(p, re.IGNORECASE)
            except re.error as exc:
                raise ValueError(f"pattern {p!r} is not a valid regex ({exc})") from None
        return v


# --- benchmarks -----------------------------------------------------------------------------------------


class Unit(Strict):
    label: str
    min: float | None = None
    max: float | None = None


class UpstreamKey(Strict):
    source: str
    key: str
    scale: float = 1.0


class Benchmark(Strict):
    id: str = Field(pattern=ID_RE)
    name: str
    unit: str
    higher_is_better: bool = True
    category: str
    primary_source: str
    upstream: list[UpstreamKey] = Field(min_length=1)
    headline_setting: str | None = Field(default=None, description="only rows with this setting enter the comparison; '@latest' = the setting of the newest snapshot")
    description: str = ""


# --- models ---------------------------------------------------------------------------------------------

STAGES = ("pretraining", "continued-pretraining", "post-training", "unspecified", "inference", "training-reproduction")
Stage = Literal["pretraining", "continued-pretraining", "post-training", "unspecified", "inference", "training-reproduction"]
SOURCE_KINDS = ("developer", "chip-vendor", "paper", "dataset", "press", "blog")
SourceKind = Literal["developer", "chip-vendor", "paper", "dataset", "press", "blog"]
_CJK_CHAR = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\u3040-\u30ff]")
MAX_QUOTE_WORDS = 30


def quote_words(text: str) -> int:
    """Length of a quote in words: whitespace-separated words, with every two CJK characters counted as one."""
    cjk = len(_CJK_CHAR.findall(text))
    return len(_CJK_CHAR.sub(" ", text).split()) + (cjk + 1) // 2


class Claim(Strict):
    """One statement about the hardware a model was trained (or is run) on, as a source makes it."""

    stage: Stage = Field(description="which part of the model's life the statement is about")
    stance: Literal["supports", "disputes"] = Field(description="the chips were used / were not, or the claim is unverified")
    accelerators: list[str] = Field(min_length=1, description="ids from hardware.yaml (for a dispute: the chips disputed)")
    chip_count: int | None = Field(default=None, gt=0)
    kind: SourceKind = Field(description="who says it: developer | chip-vendor | paper (by others) | dataset | press | blog")
    url: str = Field(pattern=r"^https?://\S+$")
    quote: str = Field(description="verbatim, under 30 words, in the source's language")
    date: DateStr | None = None
    indirect: bool = Field(default=False, description="the statement is not about this model itself (company-wide, a sibling)")
    share: str = Field(default="", description="what part of training it covers, when the source says")
    note: str = ""
    read_from: str = Field(default="", description="how the quote was read, for a re-check (a copy of the page, a commit)")

    @field_validator("quote")
    @classmethod
    def _short_quote(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("a quote is required")
        if (n := quote_words(v)) >= MAX_QUOTE_WORDS:
            raise ValueError(f"quote has {n} words; keep it under {MAX_QUOTE_WORDS}")
        return v


class Model(Strict):
    id: str = Field(pattern=ID_RE)
    display_name: str
    developer: str
    developer_country: str
    release_date: DateStr | None = None
    open_weights: bool | None = None
    derived_from: str | None = None
    derivation: Literal["variant", "finetune", "quantization", "distillation", "continued-pretraining"] | None = None
    epoch_name: str | None = None
    hf_repo: str | None = None
    claims: list[Claim] = Field(default_factory=list, description="every hardware statement found, either direction")
    looked_at: str = Field(default="", description="what was searched for this model's training hardware")
    notes: str = ""

    @model_validator(mode="after")
    def _lineage(self) -> Model:
        if (self.derived_from is None) != (self.derivation is None):
            raise ValueError("'derived_from' and 'derivation' go together")
        if self.derived_from is None and not self.claims and not self.looked_at.strip():
            raise ValueError("a model with no hardware claim must say what was searched ('looked_at')")
        return self


# --- developer-reported results (configs/reported/*.yaml) -------------------------------------------------


class ReportedColumn(Strict):
    label: str = Field(description="the column header as printed")
    benchmark: str = Field(description="benchmark id from the catalog")
    setting: str = Field(default="", description="shots, CoT, pass@k, thinking mode: as the table states it")
    scale: float = Field(default=1.0, gt=0, description="multiplier to the benchmark's unit (100 for a 0-1 fraction of a percent)")


class ReportedRow(Strict):
    model: str = Field(description="registry model id")
    name: str = Field(description="the model's name as printed in the table")
    values: list[float | None] = Field(description="one per column, in column order; null where the cell is empty")
    note: str = ""


class ReportedTable(Strict):
    ref: str = Field(min_length=1, description="table number, caption or section: where a reader finds the cells")
    caption: str = ""
    setting: str = Field(default="", description="what the table says applies to every cell")
    note: str = ""
    columns: list[ReportedColumn] = Field(min_length=1)
    rows: list[ReportedRow] = Field(min_length=1)

    @model_validator(mode="after")
    def _shape(self) -> ReportedTable:
        for r in self.rows:
            if len(r.values) != len(self.columns):
                raise ValueError(f"row {r.name!r} has {len(r.values)} values for {len(self.columns)} columns")
        return self


class Report(Strict):
    """One published document (technical report, model card, README) and the tables taken from it."""

    id: str = Field(pattern=ID_RE)
    title: str
    url: str = Field(pattern=r"^https?://\S+$", description="the document as read (a commit URL for a README)")
    developer: str
    date: DateStr = Field(description="date of the version read")
    read_from: str = Field(default="", description="how the numbers were read, for a re-check (file and commit, page)")
    tables: list[ReportedTable] = Field(min_length=1)


class WatchItem(Strict):
    id: str = Field(pattern=ID_RE)
    title: str
    kind: Literal["model", "lab"]
    why: str
    models: list[str] = Field(default_factory=list, description="registry model ids")
    patterns: list[str] = Field(default_factory=list, description="regexes over upstream model names (not yet in the registry)")
    developer: str | None = Field(default=None, description="regex (case-insensitive) over the registry's developer names")

    @model_validator(mode="after")
    def _target(self) -> WatchItem:
        if self.kind == "lab" and not self.developer:
            raise ValueError("a lab item needs 'developer'")
        if self.kind == "model" and not (self.models or self.patterns):
            raise ValueError("a model item needs 'models' or 'patterns'")
        for p in [*self.patterns, *([self.developer] if self.developer else [])]:
            try:
                re.compile(p)
            except re.error as exc:
                raise ValueError(f"pattern {p!r} is not a valid regex ({exc})") from None
        return self


# --- the whole configs/ folder ---------------------------------------------------------------------------


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """Safe loading (libyaml's C parser when present), with dates left as strings (so that an impossible date is
    reported by the schema, per field), a duplicate key refused (YAML would keep the last one silently) and a
    document whose aliases expand past limits.MAX_YAML_NODES refused before anything walks it (an alias bomb)."""

    def construct_document(self, node: yaml.Node) -> Any:
        _check_expansion(node)
        return super().construct_document(node)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: set = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue  # '<<: *base' keys may be overridden on purpose
            key = self.construct_object(key_node, deep=True)
            try:
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"duplicate key {key!r} (YAML would keep only the last one)", key_node.start_mark)
                seen.add(key)
            except TypeError:  # an unhashable key: the base class reports it
                break
        return super().construct_mapping(node, deep)


def _check_expansion(root: yaml.Node) -> None:
    """Refuse a node graph whose expansion (every alias copied out) exceeds MAX_YAML_NODES; aliases share nodes,
    so sizes are counted once per node, in time linear in the file."""
    size: dict[int, int] = {}
    opened: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        if id(node) in size:
            continue
        if not done and id(node) in opened:
            raise yaml.constructor.ConstructorError(None, None, "an alias refers to a value that contains it", node.start_mark)
        kids = ([n for pair in node.value for n in pair] if isinstance(node, yaml.MappingNode)
                else list(node.value) if isinstance(node, yaml.SequenceNode) else [])
        if done:
            size[id(node)] = 1 + sum(size.get(id(k), 0) for k in kids)
            if size[id(node)] > MAX_YAML_NODES:
                raise yaml.constructor.ConstructorError(
                    None, None, f"its aliases (*name) expand to over {MAX_YAML_NODES:,} values: refused", node.start_mark)
        else:
            opened.add(id(node))
            stack.append((node, True))
            stack += [(k, False) for k in dict.fromkeys(kids) if id(k) not in size]


_Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"] for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


_PARSER_ID = f"{_Loader.__mro__[1].__name__} {yaml.__version__}".encode() + Path(__file__).read_bytes()


def _read_yaml(path: Path, memo_dir: Path) -> Any:
    """The file's data; data parsed before from the same bytes is read back from JSON in memo_dir (YAML parsing is
    most of the time it takes to load configs/)."""
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8")
    except FileNotFoundError:
        raise ConfigError(str(path), "file not found") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(str(path), f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    k = memo.key(_PARSER_ID, raw)
    if (data := memo.get(memo_dir, k)) is not memo.MISSING:
        return data
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(str(path), f"broken YAML{where}: {problem}") from None
    memo.put(memo_dir, k, data)
    return data


def _entries(path: Path, data: Any, key: str) -> list[Any]:
    if data is None:
        return []
    if not isinstance(data, dict) or set(data) != {key}:
        raise ConfigError(str(path), f"expected a mapping with the single key {key!r}")
    if not isinstance(data[key], list):
        raise ConfigError(str(path), f"{key!r} must be a list of entries", field=key)
    return data[key]


def _validate(path: Path, cls: type[Strict], raw: Any, index: int | None = None) -> Any:
    entry = None
    if isinstance(raw, dict) and "id" in raw:
        entry = str(raw["id"])
    elif index is not None:
        entry = f"#{index + 1}"
    try:
        return cls.model_validate(raw)
    except ValidationError as exc:
        # an unknown key first: a misspelt 'tilte' is reported as itself, not as the 'title' it leaves missing
        err = min(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")
        field = ".".join(str(p) for p in err["loc"]) or None
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            owner = _model_at(cls, err["loc"][:-1])
            allowed = list(owner.model_fields) if owner else []
            near = difflib.get_close_matches(str(err["loc"][-1]), allowed, n=1)
            msg = (f"unknown key {str(err['loc'][-1])!r}" + (f" (did you mean {near[0]!r}?)" if near else "")
                   + (f"; allowed here: {', '.join(allowed)}" if allowed else ""))
        raise ConfigError(str(path), msg, entry=entry, field=field) from None


def _model_at(cls: type[BaseModel], loc: tuple) -> type[BaseModel] | None:
    """The pydantic model of a nested location (`training.evidence.0` -> Evidence), for its allowed keys."""
    for part in loc:
        if isinstance(part, int):
            continue
        info = cls.model_fields.get(str(part))
        if info is None:
            return None
        args = [info.annotation, *getattr(info.annotation, "__args__", ())]
        args += [a for t in args for a in getattr(t, "__args__", ())]
        cls = next((a for a in args if isinstance(a, type) and issubclass(a, BaseModel)), None)
        if cls is None:
            return None
    return cls


def _unique(path: str, ids: list[str], what: str, field: str = "id") -> None:
    dup = sorted(k for k, n in Counter(ids).items() if n > 1)
    if dup:
        name = what if field == what else f"{what} {field}"
        raise ConfigError(path, f"duplicate {name} {dup[0]!r}: each must be unique (rename or merge one of the entries)",
                          entry=dup[0], field=field)


class Configs:
    """All of configs/, cross-checked. Build with `load_configs(dir)`."""

    def __init__(self, root: Path):
        self.root = root
        self._memo = memo.folder_for(root)
        self.settings: Settings = _validate(root / "settings.yaml", Settings, self._read(root / "settings.yaml") or {})
        self.sources: dict[str, Source] = self._load_list("sources.yaml", "sources", Source, beside=("hosts",))
        self.hosts: dict[str, Host] = self._load_hosts()
        self.units: dict[str, Unit] = {}
        self.benchmarks: dict[str, Benchmark] = {}
        self.benchmark_files: dict[str, str] = {}
        self.accelerators: dict[str, Accelerator] = self._load_list("hardware.yaml", "accelerators", Accelerator)
        self._load_benchmarks()
        self.models: dict[str, Model] = {}
        self.model_files: dict[str, str] = {}
        self._load_models()
        self.aliases: dict[str, dict[str, str | None]] = {}
        self.alias_files: dict[str, str] = {}
        self._load_aliases()
        self.reports: dict[str, Report] = {}
        self.report_files: dict[str, str] = {}
        self._load_reports()
        wpath = self.root / "watchlist.yaml"
        self.watchlist: list[WatchItem] = list(self._load_list("watchlist.yaml", "watch", WatchItem).values()) if wpath.exists() else []
        self._cross_check()

    # loaders
    def _read(self, path: Path) -> Any:
        return _read_yaml(path, self._memo)

    def _load_list(self, name: str, key: str, cls: type[Strict], beside: tuple[str, ...] = ()) -> dict[str, Any]:
        """The entries under `key` of configs/<name>, validated, by id; `beside`: other top-level keys the file may
        hold (read by their own loader)."""
        path = self.root / name
        data = self._read(path)
        if isinstance(data, dict) and beside:
            data = {k: v for k, v in data.items() if k not in beside}
        items = [_validate(path, cls, raw, i) for i, raw in enumerate(_entries(path, data, key))]
        _unique(str(path), [it.id for it in items], key.rstrip("s"))
        return {it.id: it for it in items}

    def _load_hosts(self) -> dict[str, Host]:
        """sources.yaml `hosts`: the request limits each host documents (host name -> Host; '*' the default)."""
        path = self.root / "sources.yaml"
        data = self._read(path)
        raws = data.get("hosts") if isinstance(data, dict) else None
        if raws is None:
            return {}
        hosts = [_validate(path, Host, raw, i) for i, raw in enumerate(_entries(path, {"hosts": raws}, "hosts"))]
        _unique(str(path), [h.host.casefold() for h in hosts], "host", field="host")
        return {h.host.casefold(): h for h in hosts}

    def _load_benchmarks(self) -> None:
        path = self.root / "benchmarks.yaml"
        data = self._read(path)
        if not isinstance(data, dict) or set(data) != {"units", "benchmarks"}:
            raise ConfigError(str(path), "expected a mapping with keys 'units' and 'benchmarks'")
        if not isinstance(data["units"], dict):
            raise ConfigError(str(path), "'units' must map a unit id to {label, min, max}", field="units")
        self.units = {k: _validate(path, Unit, v, None) for k, v in data["units"].items()}
        files = [(path, data["benchmarks"] or [])]
        files += [(p, _entries(p, self._read(p), "benchmarks")) for p in sorted((self.root / "benchmarks").glob("*.yaml"))]
        for fpath, raws in files:
            if not isinstance(raws, list):
                raise ConfigError(str(fpath), "'benchmarks' must be a list of entries", field="benchmarks")
            for i, raw in enumerate(raws):
                b = _validate(fpath, Benchmark, raw, i)
                if b.id in self.benchmarks:
                    raise ConfigError(str(fpath), f"duplicate benchmark id: already defined in {self.benchmark_files[b.id]} (add this upstream key to that entry instead)", entry=b.id, field="id")
                self.benchmarks[b.id] = b
                self.benchmark_files[b.id] = str(fpath)

    def _load_models(self) -> None:
        folder = self.root / "models"
        files = sorted(folder.glob("*.yaml"))
        if not files:
            raise ConfigError(str(folder), "no model registry files (*.yaml) found")
        for path in files:
            for i, raw in enumerate(_entries(path, self._read(path), "models")):
                model = _validate(path, Model, raw, i)
                if model.id in self.models:
                    raise ConfigError(
                        str(path), f"duplicate model id: already defined in {self.model_files[model.id]} (keep one entry; use a distinct id for a distinct model)", entry=model.id, field="id"
                    )
                self.models[model.id] = model
                self.model_files[model.id] = str(path)

    def _load_aliases(self) -> None:
        for path in sorted((self.root / "aliases").glob("*.yaml")):
            data = self._read(path)
            if data is None:
                data = {}
            if not isinstance(data, dict):
                raise ConfigError(str(path), "expected a mapping: upstream model name -> model id (or null to ignore)")
            source = path.stem
            table: dict[str, str | None] = {}
            for name, target in data.items():
                if target is not None and not isinstance(target, str):
                    raise ConfigError(str(path), f"expected a model id or null, got {target!r}", entry=str(name))
                table[str(name)] = target
            self.aliases[source] = table
            self.alias_files[source] = str(path)

    def curated_files(self, source: Source) -> list[Path]:
        """The files of a curated source: its globs under configs/, sorted."""
        return sorted({p for g in source.files for p in self.root.glob(g) if p.is_file()})

    def _load_reports(self) -> None:
        for source in self.sources.values():
            for path in self.curated_files(source) if source.kind == "curated" else []:
                for i, raw in enumerate(_entries(path, self._read(path), "reports")):
                    r = _validate(path, Report, raw, i)
                    if r.id in self.reports:
                        raise ConfigError(str(path), f"duplicate report id: already defined in {self.report_files[r.id]}", entry=r.id, field="id")
                    self.reports[r.id], self.report_files[r.id] = r, str(path)
                    # a curated source names registry ids directly: each is its own alias
                    self.aliases.setdefault(source.id, {}).update({row.model: row.model for t in r.tables for row in t.rows})
                    self.alias_files.setdefault(source.id, str(path))

    # cross-file checks
    def _cross_check(self) -> None:
        s = str(self.root / "settings.yaml")
        for b in self.settings.headline_benchmarks:
            if b not in self.benchmarks:
                raise ConfigError(s, f"unknown benchmark {b!r} (see benchmarks.yaml)", field="headline_benchmarks")
        seen: dict[tuple[str, str], str] = {}
        for b in self.benchmarks.values():
            bpath = self.benchmark_files[b.id]
            if b.unit not in self.units:
                raise ConfigError(bpath, f"unknown unit {b.unit!r}; use one of {', '.join(sorted(self.units))} or add it under units: in benchmarks.yaml", entry=b.id, field="unit")
            if b.primary_source not in self.sources:
                raise ConfigError(bpath, f"unknown source {b.primary_source!r} (use an id from sources.yaml)", entry=b.id, field="primary_source")
            for up in b.upstream:
                if up.source not in self.sources:
                    raise ConfigError(bpath, f"unknown source {up.source!r} (use an id from sources.yaml)", entry=b.id, field="upstream.source")
                if (up.source, up.key) in seen:
                    raise ConfigError(
                        bpath, f"upstream key {up.key!r} of {up.source} is already mapped to {seen[(up.source, up.key)]!r}",
                        entry=b.id, field="upstream.key",
                    )
                seen[(up.source, up.key)] = b.id
        spath = str(self.root / "sources.yaml")
        for src in self.sources.values():
            if src.default_unit is not None and src.default_unit not in self.units:
                raise ConfigError(spath, f"unknown unit {src.default_unit!r}; use one of {', '.join(sorted(self.units))} or add it "
                                  "under units: in benchmarks.yaml", entry=src.id, field="default_unit")
        today = dt.date.today()
        for m in self.models.values():
            path = self.model_files[m.id]
            if m.release_date and date_floor(m.release_date) > today:
                raise ConfigError(path, f"release date {m.release_date} is in the future (use the date the model was released, YYYY-MM-DD)", entry=m.id, field="release_date")
            for i, c in enumerate(m.claims):
                for acc in c.accelerators:
                    if acc not in self.accelerators:
                        raise ConfigError(path, f"unknown accelerator id {acc!r} (add it to hardware.yaml)", entry=m.id, field=f"claims.{i}.accelerators")
            if m.derived_from is not None:
                if m.derived_from not in self.models:
                    raise ConfigError(path, f"derived_from names unknown model {m.derived_from!r} (add that model to configs/models/ or fix the id)", entry=m.id, field="derived_from")
                seen_chain = {m.id}
                cur = self.models[m.derived_from]
                while cur.derived_from is not None:
                    if cur.id in seen_chain:
                        raise ConfigError(path, f"derived_from forms a cycle through {cur.id!r} (a model cannot derive from itself, directly or not)", entry=m.id, field="derived_from")
                    seen_chain.add(cur.id)
                    cur = self.models[cur.derived_from]
        for r in self.reports.values():
            path = self.report_files[r.id]
            for t in r.tables:
                for c in t.columns:
                    if c.benchmark not in self.benchmarks:
                        raise ConfigError(path, f"{t.ref}: unknown benchmark {c.benchmark!r} (add it to configs/benchmarks/)", entry=r.id, field="columns.benchmark")
                for row in t.rows:
                    if row.model not in self.models:
                        raise ConfigError(path, f"{t.ref}: unknown model id {row.model!r} (add it to configs/models/)", entry=r.id, field="rows.model")
        for w in self.watchlist:
            for mid in w.models:
                if mid not in self.models:
                    raise ConfigError(str(self.root / "watchlist.yaml"), f"unknown model id {mid!r}", entry=w.id, field="models")
        for source, table in self.aliases.items():
            path = self.alias_files[source]
            if source not in self.sources:
                raise ConfigError(path, f"alias file for unknown source {source!r} (rename the file to <source id>.yaml, ids are in sources.yaml)")
            for name, target in table.items():
                if target is not None and target not in self.models:
                    raise ConfigError(path, f"alias points to unknown model id {target!r} (add the model to configs/models/, fix the id, or map the name to null to ignore it)", entry=name)

    @cached_property
    def hardware_class_of(self) -> dict[str, str]:
        """Accelerator id -> class: nvidia by vendor, domestic by vendor country, other otherwise."""
        country = self.settings.country_under_study.casefold()
        out = {}
        for a in self.accelerators.values():
            if a.vendor.casefold() == "nvidia":
                out[a.id] = "nvidia"
            elif a.vendor_country.casefold() == country:
                out[a.id] = "domestic"
            else:
                out[a.id] = "other"
        return out

    def benchmark_key_map(self) -> dict[tuple[str, str], tuple[str, float]]:
        """(source id, upstream key) -> (benchmark id, scale)."""
        return {(u.source, u.key): (b.id, u.scale) for b in self.benchmarks.values() for u in b.upstream}


def load_configs(root: str | Path = "configs") -> Configs:
    return Configs(Path(root))
