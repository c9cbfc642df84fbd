"""Training-hardware tags: the accelerator catalog applied to upstream strings; Epoch's and model cards' hardware
claims; the curated registry on top (it always wins); lineage inheritance; and every disagreement, listed, never
resolved silently. Unknown stays unknown: nothing is guessed from a lab's country."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import namedtuple
from dataclasses import dataclass, field, replace
from functools import lru_cache

import pandas as pd

from .config import Configs, Training
from .errors import AggregatorError, ConfigError, StoreError
from .resolve import name_key, name_keys_vec, registry_keys

EPOCH_PAGE = "https://epoch.ai/data/ai-models"
EPOCH_REQUIRED = ["epoch_name", "training_hardware", "hardware_quantity"]
EPOCH_OPTIONAL = ["organization", "country", "publication_date", "training_compute_flop", "base_model", "accessibility",
                  "source_url"]
HF_REQUIRED = ["hf_repo", "field", "quote", "url"]
GENERIC = "-unspecified"  # catalog ids used only when no specific id matches a string

MODEL_COLUMNS = [
    "model_id", "display_name", "developer", "developer_country", "release_date", "open_weights", "hardware_class",
    "accelerators", "chip_count", "scope", "confidence", "evidence_url", "evidence_quote", "evidence_kind", "tag_source",
    "origin", "derived_from", "derivation", "inherited_from", "post_training_class", "post_training_accelerators",
    "post_training_chip_count", "post_training_confidence", "card_suggestion", "training_compute_flop", "epoch_name",
    "base_model", "hf_repo",
]
CONFLICT_COLUMNS = ["model_id", "issue", "scope", "curated", "automatic", "source", "url"]
UNMAPPED_COLUMNS = ["source", "model", "string", "url"]

_CJK = "\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff"
_CJK_GAP = re.compile(rf"(?<=[{_CJK}])(?=[A-Za-z0-9])|(?<=[A-Za-z0-9])(?=[{_CJK}])")
_SPLIT = re.compile(r"[,;/、\n]|\s\+\s|\s&\s|\band\b", re.I)
_TRAIN_WORDS = re.compile(r"train|fine-?tun|\bSFT\b|\bRL\b|训练|微调", re.I)
_POST_WORDS = re.compile(r"fine-?tun|post-?train|\bSFT\b|\bRLHF\b|\bRL\b|微调|后训练", re.I)
_INFER_WORDS = re.compile(r"inferenc|\bserv(e|es|ed|ing)\b|deploy|\bruns? on\b|running on|compatib|support|推理|部署|适配", re.I)
_NOT_SLUG = re.compile(r"[^a-z0-9.+]+")
_COUNTRY = {"united states of america": "United States", "united kingdom of great britain and northern ireland": "United Kingdom",
            "korea (republic of)": "South Korea", "russian federation": "Russia"}


# --- the catalog applied to strings ---------------------------------------------------------------------------


def normalise_text(text: str) -> str:
    """NFKC (full-width -> ASCII) and a space between CJK and Latin/digits, so catalog '\\b' works on '昇腾910B'."""
    return _CJK_GAP.sub(" ", unicodedata.normalize("NFKC", str(text))).strip()


@lru_cache(maxsize=16)
def _patterns(configs: Configs) -> tuple[tuple[str, re.Pattern], ...]:
    out = []
    for a in configs.accelerators.values():
        if not a.match:
            continue
        try:
            out.append((a.id, re.compile("|".join(f"(?:{p})" for p in a.match), re.I)))
        except re.error as exc:
            raise ConfigError(str(configs.root / "hardware.yaml"), f"bad regex ({exc})", entry=a.id, field="match") from None
    return tuple(out)


def hardware_hits(part: str, configs: Configs) -> list[str]:
    """Every catalog id whose `match` regexes hit this one string (generic '-unspecified' ids included)."""
    s = normalise_text(part)
    return [i for i, p in _patterns(configs) if p.search(s)]


def map_hardware(text: str | None, configs: Configs) -> tuple[list[str], list[str]]:
    """One upstream cell, possibly naming several chips -> (catalog ids in order, parts no id matches)."""
    ids: list[str] = []
    unmapped: list[str] = []
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return ids, unmapped
    for part in _SPLIT.split(normalise_text(text)):
        part = part.strip(" .:()[]'\"")
        if not part:
            continue
        hits = hardware_hits(part, configs)
        hits = [i for i in hits if not i.endswith(GENERIC)] or hits
        ids.extend(i for i in hits if i not in ids)
        if not hits:
            unmapped.append(part)
    return ids, unmapped


def class_of(ids: list[str] | tuple[str, ...], configs: Configs) -> str:
    """Model class from its accelerators: one class, 'mixed' when classes differ, 'unknown' when none. Host CPUs
    (catalog names ending in 'CPU') count only when nothing else is listed: a GPU run with its host CPU is not mixed."""
    chips = [i for i in ids if not configs.accelerators[i].name.endswith("CPU")] or list(ids)
    classes = {configs.hardware_class_of[i] for i in chips}
    return classes.pop() if len(classes) == 1 else ("mixed" if classes else "unknown")


# --- claims ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tag:
    """One hardware claim about one model. `evidence` holds (url, quote, date, kind) records, the first is primary."""

    hardware_class: str
    accelerators: tuple[str, ...]
    chip_count: float | None
    scope: str  # full | pretraining | post-training | inference
    confidence: str
    source: str  # registry | epoch | hf_card
    evidence: tuple[tuple[str, str, str, str], ...] = ()
    inherited_from: str = ""

    @property
    def known(self) -> bool:
        return self.confidence != "unknown" and bool(self.accelerators)

    @property
    def pre(self) -> bool:
        return self.scope in ("full", "pretraining")

    def describe(self) -> str:
        if not self.known:
            return f"unknown ({self.source})"
        count = f" x{self.chip_count:g}" if self.chip_count else ""
        via = f", inherited from {self.inherited_from}" if self.inherited_from else ""
        return f"{self.hardware_class}: {'+'.join(self.accelerators)}{count} ({self.confidence}, {self.source}{via})"


def _registry_tag(t: Training, configs: Configs) -> Tag:
    ev = tuple((e.url, e.quote, e.date or "", e.kind) for e in t.evidence)
    if not ev and t.looked_at:
        ev = (("", f"looked at: {t.looked_at}", "", "inferred"),)
    return Tag(class_of(t.accelerators, configs), tuple(t.accelerators), float(t.chip_count) if t.chip_count else None,
               t.scope, t.confidence, "registry", ev)


def _str_cols(df: pd.DataFrame, required: list[str], optional: list[str], what: str) -> pd.DataFrame:
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise StoreError(f"{what} lacks column(s) {', '.join(missing)} (has {', '.join(map(str, df.columns))})")
    out = df.copy()
    for c in required + optional:
        out[c] = out[c].fillna("").astype(str).str.strip() if c in out.columns else ""
    return out


def _country(cell: str) -> str:
    parts = [p.strip() for p in cell.split(",") if p.strip()]
    parts = [_COUNTRY.get(p.casefold(), p) for p in parts]
    return ", ".join(dict.fromkeys(parts))


def _open_weights(cell: str) -> bool | None:
    if cell.casefold().startswith("open weights"):
        return True
    return False if cell.casefold() in ("api access", "hosted access (no api)", "unreleased") else None


def _count_str(x: float) -> str:
    return f"{x:.0f}" if float(x).is_integer() else f"{x:g}"


def _per_distinct(values: pd.Series, fn) -> pd.Series:
    """fn of every value, called once per distinct value."""
    return values.map({v: fn(v) for v in values.unique()})


def epoch_hardware(configs: Configs, epoch_models: pd.DataFrame) -> pd.DataFrame:
    """One row per Epoch model (first row per name, rows naming hardware preferred): accelerator ids, class, chip
    count, scope (post-training when Epoch names a base model: the hardware is then the fine-tune's), evidence."""
    df = _str_cols(epoch_models, EPOCH_REQUIRED, EPOCH_OPTIONAL, "the Epoch models table")
    df = df[df["epoch_name"].ne("")]
    qty = pd.to_numeric(df["hardware_quantity"].str.replace(",", "", regex=False), errors="coerce")
    df = df.assign(chip_count=qty.where(qty > 0),
                   _rank=df["training_hardware"].eq("").astype(int) * 2 + qty.isna().astype(int))
    df = df.sort_values("_rank", kind="mergesort").drop_duplicates("epoch_name").drop(columns="_rank")
    cells = {c: map_hardware(c, configs) for c in df["training_hardware"].unique()}  # few distinct cells: map those
    df["accelerators"] = df["training_hardware"].map({c: ";".join(ids) for c, (ids, _) in cells.items()})
    df["hardware_class"] = df["training_hardware"].map({c: class_of(ids, configs) for c, (ids, _) in cells.items()})
    df["unmapped"] = df["training_hardware"].map({c: ";".join(miss) for c, (_, miss) in cells.items()})
    df["scope"] = df["base_model"].ne("").map({True: "post-training", False: "full"})
    df["url"] = df["source_url"].where(df["source_url"].str.match(r"^https?://"), EPOCH_PAGE)
    df["quote"] = ("Training hardware: " + df["training_hardware"]
                   + df["chip_count"].map(lambda n: "" if pd.isna(n) else f"; Hardware quantity: {_count_str(n)}"))
    df["key"] = name_keys_vec(df["epoch_name"])
    df["developer"] = _per_distinct(df["organization"], lambda o: ", ".join(p.strip() for p in o.split(",") if p.strip()))
    df["developer_country"] = _per_distinct(df["country"], _country)
    df["open_weights"] = _per_distinct(df["accessibility"], _open_weights).astype(object)
    df["training_compute_flop"] = pd.to_numeric(df["training_compute_flop"], errors="coerce")
    return df.reset_index(drop=True)


def _epoch_tag(r) -> Tag | None:
    if not r.accelerators:
        return None
    chips = None if pd.isna(r.chip_count) else float(r.chip_count)
    return Tag(r.hardware_class, tuple(r.accelerators.split(";")), chips, r.scope, "reported", "epoch",
               ((r.url, r.quote, "", "dataset"),))


def _hf_tag(fieldname: str, quote: str, url: str, configs: Configs) -> Tag | None:
    """A model-card mention: the developer's own words. Confirmed only when it clearly describes training."""
    ids, _ = map_hardware(quote, configs)
    if not ids:
        return None
    train, infer = bool(_TRAIN_WORDS.search(quote)), bool(_INFER_WORDS.search(quote))
    if infer and not train:
        scope, conf = "inference", "inferred"
    elif not infer and (train or fieldname.endswith("hardware_used")):
        scope, conf = ("post-training" if _POST_WORDS.search(quote) else "full"), "confirmed"
    else:
        scope, conf = "full", "inferred"
    return Tag(class_of(ids, configs), tuple(ids), None, scope, conf, "hf_card", ((url, quote, "", "developer"),))


# --- the whole picture ----------------------------------------------------------------------------------------


def _ascii(ch: str) -> str:
    if ord(ch) < 128:
        return ch
    if unicodedata.name(ch, "").startswith("GREEK"):
        return "-" + unicodedata.name(ch).split()[-1].lower()
    return unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode()


def _slug(name: str) -> str:
    text = name if name.isascii() else "".join(_ascii(ch) for ch in name)
    return _NOT_SLUG.sub("-", text.casefold()).strip("-.+") or "model"


@dataclass
class _State:
    info: dict[str, dict] = field(default_factory=dict)  # model id -> descriptive columns
    claims: dict[str, list[Tag]] = field(default_factory=dict)  # registry / epoch / card claims, in that order
    explicit_unknown: set[str] = field(default_factory=set)
    pre: dict[str, Tag] = field(default_factory=dict)
    post: dict[str, Tag | None] = field(default_factory=dict)
    unmapped: list[dict] = field(default_factory=list)


def _link_epoch(configs: Configs, ep: pd.DataFrame) -> dict[int, str]:
    """Epoch row index -> curated model id: explicit epoch_name, then the epoch alias file, then the same name key."""
    by_name = {n: i for i, n in zip(ep.index, ep["epoch_name"], strict=True)}
    by_key: dict[str, int] = {}
    for i, k in zip(ep.index, ep["key"], strict=True):
        by_key.setdefault(k, i)
    links: dict[int, str] = {}
    claimed: set[str] = set()

    def claim(i: int | None, mid: str) -> None:
        if i is not None and i not in links and mid not in claimed:
            links[i] = mid
            claimed.add(mid)

    models = sorted(configs.models.values(), key=lambda m: m.id)
    for m in models:
        if m.epoch_name:
            claim(by_name.get(m.epoch_name, by_key.get(name_key(m.epoch_name))), m.id)
    explicit = {m.id for m in models if m.epoch_name}
    for source in ("epoch_ai_models", "epoch_models"):
        for n, mid in sorted(configs.aliases.get(source, {}).items()):
            if mid is not None and mid not in explicit:
                claim(by_name.get(n), mid)
    for m in models:
        if m.epoch_name is None:
            for n in (m.id, m.display_name, m.hf_repo):
                if n and m.id not in claimed:
                    claim(by_key.get(name_key(n)), m.id)
    return links


_EPOCH_USED = ["epoch_name", "accelerators", "hardware_class", "chip_count", "scope", "url", "quote", "unmapped", "base_model",
               "developer", "developer_country", "publication_date", "open_weights", "training_compute_flop"]


def _rows(df: pd.DataFrame) -> list:
    """The rows' columns used here, as named tuples (like itertuples, several times faster on pyarrow-backed text)."""
    row = namedtuple("Row", ["Index", *_EPOCH_USED])
    return [row(*r) for r in zip(df.index.tolist(), *(df[c].tolist() for c in _EPOCH_USED), strict=True)]


def _add_curated(st: _State, configs: Configs, ep: pd.DataFrame | None, links: dict[int, str]) -> None:
    linked = {links[r.Index]: r for r in _rows(ep.loc[sorted(links)])} if ep is not None else {}
    for m in configs.models.values():
        r = linked.get(m.id)
        st.info[m.id] = dict(
            model_id=m.id, display_name=m.display_name, developer=m.developer, developer_country=m.developer_country,
            release_date=m.release_date or (r.publication_date if r is not None else ""), open_weights=m.open_weights,
            origin="curated", derived_from=m.derived_from or "", derivation=m.derivation or "",
            training_compute_flop=r.training_compute_flop if r is not None else float("nan"),
            epoch_name=r.epoch_name if r is not None else (m.epoch_name or ""),
            base_model=r.base_model if r is not None else "", hf_repo=m.hf_repo or "")
        claims = [_registry_tag(t, configs) for t in (m.training, m.post_training) if t is not None]
        if m.training is not None and m.training.confidence == "unknown":
            st.explicit_unknown.add(m.id)
        for e in m.inference_claims:
            ids = tuple(map_hardware(e.quote, configs)[0])
            claims.append(Tag(class_of(ids, configs), ids, None, "inference", "confirmed", "registry",
                              ((e.url, e.quote, e.date or "", e.kind),)))
        st.claims[m.id] = claims


def _auto_ids(ep: pd.DataFrame, links: dict[int, str], taken: set[str]) -> dict[int, str]:
    """Epoch row index -> model id: the claiming curated id, else a slug of the Epoch name (hash-suffixed on clash)."""
    out = dict(links)
    for i, name in ep["epoch_name"].sort_values(kind="mergesort").items():
        if i in links:
            continue
        mid = _slug(name)
        if mid in taken:
            mid = f"{mid}-{hashlib.sha1(name.encode()).hexdigest()[:6]}"
        taken.add(mid)
        out[i] = mid
    return out


def _add_epoch(st: _State, ep: pd.DataFrame, links: dict[int, str], key_to_id: dict[str, str]) -> None:
    row_id = _auto_ids(ep, links, set(st.info))
    for k, i in zip(ep["key"], ep.index, strict=True):
        key_to_id.setdefault(k, row_id[i])
    for r in _rows(ep):
        mid, tag = row_id[r.Index], _epoch_tag(r)
        st.unmapped += [dict(source="epoch", model=r.epoch_name, string=s, url=r.url) for s in r.unmapped.split(";") if s]
        if r.Index in links:
            if tag and st.info[mid]["derived_from"]:  # the registry's derivative: Epoch's chips trained the derivation
                tag = replace(tag, scope="post-training")
            st.claims[mid] += [tag] if tag else []
            continue
        base = key_to_id.get(name_key(r.base_model), "") if r.base_model else ""
        st.info[mid] = dict(
            model_id=mid, display_name=r.epoch_name, developer=r.developer,
            developer_country=r.developer_country, release_date=r.publication_date, open_weights=r.open_weights,
            origin="epoch", derived_from=base if base != mid else "", derivation="finetune" if r.base_model else "",
            training_compute_flop=r.training_compute_flop, epoch_name=r.epoch_name, base_model=r.base_model, hf_repo="")
        st.claims[mid] = [tag] if tag else []


def _build(configs: Configs, epoch_models: pd.DataFrame | None, hf_mentions: pd.DataFrame | None) -> _State:
    """Every model with its claims, then each model's pretraining/full and post-training tags."""
    st = _State()
    ep = epoch_hardware(configs, epoch_models) if epoch_models is not None and len(epoch_models) else None
    links = _link_epoch(configs, ep) if ep is not None else {}
    key_to_id = dict(registry_keys(configs))  # a copy: Epoch names are added below
    _add_curated(st, configs, ep, links)
    if ep is not None:
        _add_epoch(st, ep, links, key_to_id)
    if hf_mentions is not None and len(hf_mentions):
        _add_card_claims(st, configs, hf_mentions, key_to_id)
    for mid in st.info:
        _resolve_pre(mid, st, set())
        posts = [t for t in st.claims[mid] if t.scope == "post-training" and t.source != "hf_card" and t.known]
        st.post[mid] = posts[0] if posts else None
    return st


def _add_card_claims(st: _State, configs: Configs, hf: pd.DataFrame, key_to_id: dict[str, str]) -> None:
    hf = _str_cols(hf, HF_REQUIRED, [], "the model-card hardware mentions")
    by_repo = {m.hf_repo.casefold(): m.id for m in configs.models.values() if m.hf_repo}
    for r in hf.drop_duplicates(HF_REQUIRED).itertuples():
        mid = by_repo.get(r.hf_repo.casefold()) or key_to_id.get(name_key(r.hf_repo))
        tag = _hf_tag(r.field, r.quote, r.url, configs)
        if tag is None:
            st.unmapped.append(dict(source="hf_card", model=r.hf_repo, string=r.quote, url=r.url))
        elif mid in st.info:
            st.claims[mid].append(tag)


def _unknown(mid: str, st: _State) -> Tag:
    reg = [t for t in st.claims[mid] if t.source == "registry" and t.pre and not t.known]
    return reg[0] if reg else Tag("unknown", (), None, "full", "unknown", "")


def _resolve_pre(mid: str, st: _State, visiting: set[str]) -> Tag:
    """The pretraining/full tag: the registry's own; else the parent's (lineage, recursively); else Epoch's; else unknown."""
    if mid in st.pre:
        return st.pre[mid]
    visiting = visiting | {mid}
    claims = st.claims[mid]
    own = [t for t in claims if t.source == "registry" and t.pre and t.known]
    tag = own[0] if own else None
    parent = st.info[mid]["derived_from"]
    if tag is None and parent and parent in st.info and parent not in visiting:
        p = _resolve_pre(parent, st, visiting)
        if p.known:
            tag = replace(p, scope="pretraining", inherited_from=p.inherited_from or parent)
    if tag is None and mid not in st.explicit_unknown:
        epoch = [t for t in claims if t.source == "epoch" and t.pre]
        tag = epoch[0] if epoch else None
    st.pre[mid] = tag or _unknown(mid, st)
    return st.pre[mid]


# --- public views ---------------------------------------------------------------------------------------------


def build_model_table(configs: Configs, epoch_models: pd.DataFrame | None, hf_mentions: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per model: curated registry models plus one automatic model per unclaimed Epoch row. The class is
    the pretraining/full tag's (curated > inherited from the parent > Epoch); post-training chips are shown apart."""
    st = _build(configs, epoch_models, hf_mentions)
    rows = []
    for mid, info in st.info.items():
        t, p = st.pre[mid], st.post[mid]
        url, quote, _, kind = t.evidence[0] if t.evidence else ("", "", "", "")
        cards = [c for c in st.claims[mid] if c.source == "hf_card" and c.scope != "inference"]
        rows.append({**info, "hardware_class": t.hardware_class, "accelerators": ";".join(t.accelerators),
                     "chip_count": t.chip_count, "scope": t.scope if t.known else "", "confidence": t.confidence,
                     "evidence_url": url, "evidence_quote": quote, "evidence_kind": kind, "tag_source": t.source,
                     "inherited_from": t.inherited_from,
                     "post_training_class": p.hardware_class if p else "", "post_training_accelerators": ";".join(p.accelerators) if p else "",
                     "post_training_chip_count": p.chip_count if p else None, "post_training_confidence": p.confidence if p else "",
                     "card_suggestion": ";".join(dict.fromkeys(i for c in cards for i in c.accelerators))})
    df = pd.DataFrame(rows, columns=MODEL_COLUMNS)
    for c in ("chip_count", "post_training_chip_count", "training_compute_flop"):
        df[c] = pd.to_numeric(df[c], errors="coerce").astype("float64")
    df["open_weights"] = df["open_weights"].astype("boolean")
    text = [c for c in MODEL_COLUMNS if c not in ("chip_count", "post_training_chip_count", "training_compute_flop", "open_weights")]
    df[text] = df[text].fillna("").astype(str)
    return df.sort_values(["origin", "model_id"], kind="mergesort").reset_index(drop=True)


def evidence_records(model_id: str, configs: Configs, epoch_models: pd.DataFrame | None = None,
                     hf_mentions: pd.DataFrame | None = None) -> list[dict]:
    """Every hardware record about one model: registry training / post-training, inference claims (marked, never a
    training tag), Epoch, model cards, and the ancestor's records when the tag is inherited."""
    st = _build(configs, epoch_models, hf_mentions)
    if model_id not in st.info:
        raise AggregatorError(f"unknown model id {model_id!r} (see `aggregator models`)")
    tags = list(st.claims[model_id])
    if st.pre[model_id].inherited_from:
        anc = st.pre[model_id].inherited_from
        tags += [replace(t, inherited_from=anc) for t in st.claims[anc] if t.source != "hf_card" and t.pre and t.known]
    out = []
    for t in tags:
        for url, quote, date, kind in t.evidence or (("", "", "", ""),):
            out.append({"source": t.source, "scope": t.scope, "kind": kind, "confidence": t.confidence,
                        "hardware_class": t.hardware_class, "accelerators": ";".join(t.accelerators),
                        "chip_count": t.chip_count, "url": url, "quote": quote, "date": date,
                        "inherited_from": t.inherited_from,
                        "note": _note(t, t in (st.pre[model_id], st.post[model_id]))})
    return out


def _note(t: Tag, used: bool) -> str:
    if t.scope == "inference":
        return "where the model runs: never a training tag"
    if t.inherited_from:
        return f"the ancestor's record (tag inherited from {t.inherited_from})"
    return "used for the tag" if used else ("suggestion, not used" if t.source == "hf_card" else "")


def _compatible(a: tuple[str, ...], b: tuple[str, ...], configs: Configs) -> bool:
    """Same chips, a generic '-unspecified' id standing for any chip of its vendor."""
    def vendor(i: str) -> str:
        return configs.accelerators[i].vendor

    def covered(x: tuple[str, ...], y: tuple[str, ...]) -> bool:
        loose = {vendor(j) for j in y if j.endswith(GENERIC)}
        return all(i in y or vendor(i) in loose or (i.endswith(GENERIC) and vendor(i) in {vendor(j) for j in y}) for i in x)

    return covered(a, b) and covered(b, a)


def conflicts(configs: Configs, epoch_models: pd.DataFrame | None, hf_mentions: pd.DataFrame | None = None) -> pd.DataFrame:
    """Where Epoch or a model card's training statement disagrees with the tag the table uses (class, chips,
    count; or it names hardware where the table says unknown). Shown, never resolved."""
    st = _build(configs, epoch_models, hf_mentions)
    rows = []
    for mid in st.info:
        for c in st.claims[mid]:
            if c.source == "registry" or c.scope == "inference" or not c.known or c.confidence == "inferred":
                continue  # mere card mentions stay suggestions (card_suggestion, evidence), not conflicts
            chosen = st.pre[mid] if c.pre else st.post[mid]
            if chosen is c:
                continue
            if chosen is None or not chosen.known:
                issue = ("registry says unknown" if c.pre and mid in st.explicit_unknown else "no tag") + f"; {c.source} names hardware"
            elif chosen.hardware_class != c.hardware_class:
                issue = "class differs"
            elif not _compatible(chosen.accelerators, c.accelerators, configs):
                issue = "accelerators differ"
            elif chosen.chip_count and c.chip_count and chosen.chip_count != c.chip_count:
                issue = "chip count differs"
            else:
                continue
            rows.append({"model_id": mid, "issue": issue, "scope": "pretraining" if c.pre else "post-training",
                         "curated": chosen.describe() if chosen else "no post-training tag", "automatic": c.describe(),
                         "source": c.source, "url": c.evidence[0][0] if c.evidence else ""})
    return pd.DataFrame(rows, columns=CONFLICT_COLUMNS).sort_values(["model_id", "source"], kind="mergesort").reset_index(drop=True)


def unmapped_hardware(configs: Configs, epoch_models: pd.DataFrame | None, hf_mentions: pd.DataFrame | None = None) -> pd.DataFrame:
    """Hardware strings no catalog id matches (Epoch cells' parts, model-card quotes): add them to hardware.yaml."""
    st = _build(configs, epoch_models, hf_mentions)
    return pd.DataFrame(st.unmapped, columns=UNMAPPED_COLUMNS).drop_duplicates().reset_index(drop=True)
