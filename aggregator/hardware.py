"""Training-hardware tags: the accelerator catalog applied to upstream strings; Epoch's and model cards' hardware
claims; the curated registry on top (it always wins); lineage inheritance; and every disagreement, listed, never
resolved silently. Unknown stays unknown: nothing is guessed from a lab's country."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np
import pandas as pd

from .config import Configs, Training
from .errors import AggregatorError, ConfigError, StoreError
from .resolve import (
    model_name_keys,
    name_key,
    name_keys_vec,
    name_matcher,
    per_distinct,
    per_value,
    registry_keys,
)

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
    df["quote"] = "Training hardware: " + df["training_hardware"] + per_distinct(
        df["chip_count"].fillna(0), lambda n: f"; Hardware quantity: {_count_str(n)}" if n else "")
    df["key"] = name_keys_vec(df["epoch_name"])
    df["developer"] = per_distinct(df["organization"], lambda o: ", ".join(p.strip() for p in o.split(",") if p.strip()))
    df["developer_country"] = per_distinct(df["country"], _country)
    df["open_weights"] = per_distinct(df["accessibility"], _open_weights)
    df["training_compute_flop"] = pd.to_numeric(df["training_compute_flop"], errors="coerce")
    return df.reset_index(drop=True)


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


def _link_epoch(configs: Configs, ep: pd.DataFrame) -> dict[int, str]:
    """Epoch row index -> curated model id: explicit epoch_name, then the epoch alias file, then the same name key.
    A walk over the registry (config entries), each claiming at most one Epoch row."""
    by_name = dict(zip(ep["epoch_name"], ep.index, strict=True))
    by_key = dict(zip(ep["key"][::-1], ep.index[::-1], strict=True))  # the first row of each key
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
            for k in model_name_keys(m):  # id, display name, HF repo (with and without its owner)
                if m.id not in claimed:
                    claim(by_key.get(k), m.id)
    return links


def _auto_ids(ep: pd.DataFrame, links: dict[int, str], taken: set[str]) -> pd.Series:
    """Epoch row index -> model id: the claiming curated id, else a slug of the Epoch name; a slug already taken (by a
    curated id, or by an Epoch name earlier in name order) gets the name's hash appended."""
    names = ep["epoch_name"].sort_values(kind="mergesort")
    names = names[~names.index.isin(list(links))]  # Epoch names are unique here (epoch_hardware)
    slug = pd.Series([_slug(n) for n in names], index=names.index, dtype=object)
    clash = slug.duplicated(keep="first") | slug.isin(taken)
    slug[clash] = [f"{s}-{hashlib.sha1(n.encode()).hexdigest()[:6]}" for s, n in zip(slug[clash], names[clash], strict=True)]
    return pd.concat([pd.Series(links, dtype=object), slug]).reindex(ep.index)


# --- claims as one table, tags resolved over it ------------------------------------------------------------------

CLAIM_COLUMNS = ["model_id", "source", "scope", "confidence", "hardware_class", "accelerators", "chip_count", "ev_url",
                 "ev_quote", "ev_date", "ev_kind", "evidence"]
_TAG = ["hardware_class", "accelerators", "chip_count", "scope", "confidence", "source", "ev_url", "ev_quote", "ev_kind",
        "inherited_from", "claim"]
_NO_TAG = {"hardware_class": "unknown", "accelerators": "", "chip_count": np.nan, "scope": "full", "confidence": "unknown",
           "source": "", "ev_url": "", "ev_quote": "", "ev_kind": "", "inherited_from": "", "claim": -1}


def _claim_row(mid: str, t: Tag) -> dict:
    url, quote, date, kind = t.evidence[0] if t.evidence else ("", "", "", "")
    return {"model_id": mid, "source": t.source, "scope": t.scope, "confidence": t.confidence, "hardware_class": t.hardware_class,
            "accelerators": ";".join(t.accelerators), "chip_count": np.nan if t.chip_count is None else t.chip_count,
            "ev_url": url, "ev_quote": quote, "ev_date": date, "ev_kind": kind, "evidence": t.evidence}


def _tag(r) -> Tag:
    """A claims-table row (or a resolved tag row) as a Tag: for evidence records and conflict descriptions."""
    evidence = r.evidence if isinstance(getattr(r, "evidence", None), tuple) else (
        ((r.ev_url, r.ev_quote, getattr(r, "ev_date", ""), r.ev_kind),) if r.ev_url or r.ev_quote else ())
    inherited = getattr(r, "inherited_from", "")
    return Tag(r.hardware_class, tuple(r.accelerators.split(";")) if r.accelerators else (),
               None if pd.isna(r.chip_count) else float(r.chip_count), r.scope, r.confidence, r.source, evidence,
               inherited if isinstance(inherited, str) else "")


@dataclass
class _Picture:
    """Every model (info), every claim about its hardware (claims, numbered in column `claim` in the order made:
    registry, then Epoch, then model cards; sorted by model), and the tags resolved from them, one row per model:
    pre (pretraining/full; `claim` says which claim it copies, -1 none) and post."""

    info: pd.DataFrame
    claims: pd.DataFrame
    pre: pd.DataFrame
    post: pd.DataFrame
    explicit_unknown: set[str]
    unmapped: pd.DataFrame


def _curated(configs: Configs, ep: pd.DataFrame | None, links: dict[int, str]) -> tuple[pd.DataFrame, list[dict], set[str]]:
    """The registry's models (config entries): info rows, their claims, and the ids whose registry tag says unknown."""
    cols = ["publication_date", "training_compute_flop", "epoch_name", "base_model"]
    linked = {} if ep is None else {links[i]: r for i, *r in zip(sorted(links), *(ep.loc[sorted(links), c].tolist() for c in cols), strict=True)}
    info, claims, unknown = [], [], set()
    for m in configs.models.values():
        date, flop, ename, base = linked.get(m.id, ("", np.nan, m.epoch_name or "", ""))
        info.append({"model_id": m.id, "display_name": m.display_name, "developer": m.developer,
                     "developer_country": m.developer_country, "release_date": m.release_date or date,
                     "open_weights": m.open_weights, "origin": "curated", "derived_from": m.derived_from or "",
                     "derivation": m.derivation or "", "training_compute_flop": flop, "epoch_name": ename, "base_model": base,
                     "hf_repo": m.hf_repo or ""})
        claims += [_claim_row(m.id, _registry_tag(t, configs)) for t in (m.training, m.post_training) if t is not None]
        if m.training is not None and m.training.confidence == "unknown":
            unknown.add(m.id)
        for e in m.inference_claims:
            ids = tuple(map_hardware(e.quote, configs)[0])
            claims.append(_claim_row(m.id, Tag(class_of(ids, configs), ids, None, "inference", "confirmed", "registry",
                                               ((e.url, e.quote, e.date or "", e.kind),))))
    return pd.DataFrame(info), claims, unknown


def _epoch(ep: pd.DataFrame, ids: pd.Series, links: dict[int, str], curated: pd.DataFrame,
           key_to_id: dict[str, str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Automatic models (Epoch rows no curated model claims) and every Epoch row's hardware claim, as columns."""
    is_linked = ep.index.isin(list(links))
    derivative = set(curated.loc[curated["derived_from"].ne(""), "model_id"])
    known = ep["accelerators"].ne("")
    scope = ep["scope"].where(~(is_linked & ids.isin(derivative)), "post-training")  # the registry's derivative: Epoch's chips trained it
    claims = pd.DataFrame({"model_id": ids, "source": "epoch", "scope": scope, "confidence": "reported",
                           "hardware_class": ep["hardware_class"], "accelerators": ep["accelerators"], "chip_count": ep["chip_count"],
                           "ev_url": ep["url"], "ev_quote": ep["quote"], "ev_date": "", "ev_kind": "dataset", "evidence": None})[known]
    auto = ep[~is_linked]
    bases = pd.Series(per_distinct(auto["base_model"], base_names), index=auto.index)
    own = ids[~is_linked]
    base = pd.Series([";".join(dict.fromkeys(i for i in (key_to_id.get(name_key(b)) for b in bs) if i and i != me))
                      for bs, me in zip(bases, own, strict=True)], index=auto.index, dtype=object)
    info = pd.DataFrame({
        "model_id": own, "display_name": auto["epoch_name"], "developer": auto["developer"],
        "developer_country": auto["developer_country"], "release_date": auto["publication_date"], "open_weights": auto["open_weights"],
        "origin": "epoch", "derived_from": base,
        "derivation": bases.map(len).map(lambda n: "composite" if n > 1 else ("finetune" if n else "")),
        "training_compute_flop": auto["training_compute_flop"], "epoch_name": auto["epoch_name"], "base_model": auto["base_model"],
        "hf_repo": ""})
    return info, claims


def base_names(cell: str) -> tuple[str, ...]:
    """The models an Epoch 'Base model' cell names: 'Llama 2-13B,CLIP (ViT L/14@336px)' -> both (a comma separates
    models; a '/' does not: 'ViT-Huge/14' is one name)."""
    return tuple(p.strip() for p in str(cell).split(",") if p.strip())


def _cards(configs: Configs, hf: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Model-card mentions -> claims (for models in the table) and the mentions no catalog id matches."""
    hf = _str_cols(hf, HF_REQUIRED, [], "the model-card hardware mentions").drop_duplicates(HF_REQUIRED).reset_index(drop=True)
    by_repo = {m.hf_repo.casefold(): m.id for m in configs.models.values() if m.hf_repo}
    mid = pd.Series(per_value(hf["hf_repo"].str.casefold(), by_repo, ""))
    by_name = name_matcher(configs, "hf_cards")  # the owner rule: a card under another owner is not the vendor's model
    mid = mid.where(mid.ne(""), pd.Series(per_distinct(hf["hf_repo"], lambda r: by_name(r) or "")))
    pairs = list(dict.fromkeys(zip(hf["field"], hf["quote"], strict=True)))  # each distinct statement mapped once
    tags = dict(zip(pairs, (_hf_tag(f, q, "", configs) for f, q in pairs), strict=True))
    rows = [(i, t) for i, t in enumerate(tags[p] for p in zip(hf["field"], hf["quote"], strict=True))]
    claims = pd.DataFrame([_claim_row(mid[i], replace(t, evidence=((hf.at[i, "url"], t.evidence[0][1], "", "developer"),)))
                           for i, t in rows if t is not None and mid[i]], columns=CLAIM_COLUMNS)
    miss = [i for i, t in rows if t is None]
    unmapped = pd.DataFrame({"source": "hf_card", "model": hf.loc[miss, "hf_repo"], "string": hf.loc[miss, "quote"],
                             "url": hf.loc[miss, "url"]}, columns=UNMAPPED_COLUMNS)
    return claims, unmapped


def _resolve(info: pd.DataFrame, claims: pd.DataFrame, explicit_unknown: set[str]) -> pd.DataFrame:
    """Each model's pretraining/full tag: the registry's own; else the parent's (lineage), while it is known; else
    Epoch's (unless the registry says unknown); else unknown. Lineage is followed level by level over the whole
    table; a model on a derivation cycle, or built on two bases (derivation "composite"), inherits nothing."""
    ids = pd.Index(info["model_id"])
    column = {c: claims[c].to_numpy(dtype=object) for c in _TAG if c != "inherited_from"}
    of_model = claims["model_id"].to_numpy(dtype=object)

    def first(mask: pd.Series) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """Each model's first claim of a kind (claims are in claim order), as columns; and which models have one."""
        rows = np.flatnonzero(mask.to_numpy())
        rows = rows[~pd.Series(of_model[rows]).duplicated().to_numpy()]
        at = ids.get_indexer(of_model[rows])
        out = {c: np.full(len(ids), _NO_TAG[c], dtype=object) for c in _TAG}
        for c, values in column.items():
            out[c][at] = values[rows]
        has = np.zeros(len(ids), dtype=bool)
        has[at] = True
        return out, has

    reg, pre, known = claims["source"].eq("registry"), claims["pre"], claims["known"]
    (own, has_own), (epoch, has_epoch), (fallback, _) = first(reg & pre & known), first(claims["source"].eq("epoch") & pre), first(reg & pre & ~known)
    use_epoch = has_epoch & ~ids.isin(list(explicit_unknown))
    fallback = {c: np.where(use_epoch, epoch[c], fallback[c]) for c in _TAG}
    tag = own

    def put(rows: np.ndarray, src: dict[str, np.ndarray]) -> None:
        for c in _TAG:
            tag[c] = np.where(rows, src[c], tag[c])

    parent = ids.get_indexer(info["derived_from"])
    # a model built on two bases (e.g. a language model and a vision encoder) inherits from neither: their chips may differ
    parent[(parent == np.arange(len(ids))) | info["derived_from"].eq("").to_numpy() | info["derivation"].eq("composite").to_numpy()] = -1
    put(~has_own & (parent < 0), fallback)
    done, p = has_own | (parent < 0), np.maximum(parent, 0)
    while (ready := ~done & done[p]).any():  # children whose parent's tag is settled, one generation at a time
        known_parent = (tag["confidence"][p] != "unknown") & (tag["accelerators"][p] != "")
        origin = np.where(tag["inherited_from"][p] != "", tag["inherited_from"][p], ids.to_numpy()[p])
        put(ready & ~known_parent, fallback)
        put(ready & known_parent, {c: tag[c][p] for c in _TAG} | {"scope": np.full(len(ids), "pretraining", dtype=object),
                                                                  "inherited_from": origin})
        done = done | ready
    put(~done, fallback)  # on a derivation cycle
    out = pd.DataFrame(tag, index=ids)
    out["chip_count"] = pd.to_numeric(out["chip_count"], errors="coerce")
    out["claim"] = out["claim"].astype("int64")
    return out


def _build(configs: Configs, epoch_models: pd.DataFrame | None, hf_mentions: pd.DataFrame | None) -> _Picture:
    """Every model with its claims, then each model's pretraining/full and post-training tags."""
    ep = epoch_hardware(configs, epoch_models) if epoch_models is not None and len(epoch_models) else None
    links = _link_epoch(configs, ep) if ep is not None else {}
    info, registry_claims, explicit_unknown = _curated(configs, ep, links)
    parts, unmapped = [pd.DataFrame(registry_claims, columns=CLAIM_COLUMNS)], [pd.DataFrame(columns=UNMAPPED_COLUMNS)]
    key_to_id = dict(registry_keys(configs))
    if ep is not None:
        ids = _auto_ids(ep, links, set(info["model_id"]))
        first_of_key = ids.groupby(ep["key"].to_numpy(), sort=False).first()
        key_to_id = dict(zip(first_of_key.index, first_of_key, strict=True)) | key_to_id  # registry names first
        auto, epoch_claims = _epoch(ep, ids, links, info, key_to_id)
        info = pd.concat([info, auto], ignore_index=True)
        parts.append(epoch_claims)
        strings = ep.assign(string=ep["unmapped"].str.split(";")).explode("string")
        strings = strings[strings["string"].fillna("").ne("")]
        unmapped.append(pd.DataFrame({"source": "epoch", "model": strings["epoch_name"], "string": strings["string"], "url": strings["url"]}))
    if hf_mentions is not None and len(hf_mentions):
        card_claims, card_unmapped = _cards(configs, hf_mentions)
        parts.append(card_claims[card_claims["model_id"].isin(info["model_id"])])
        unmapped.append(card_unmapped)
    claims = pd.concat([p for p in parts if len(p)] or parts[:1], ignore_index=True).astype({"chip_count": "float64"})
    claims["claim"] = np.arange(len(claims))
    claims["known"] = claims["confidence"].ne("unknown") & claims["accelerators"].ne("")
    claims["pre"] = claims["scope"].isin(["full", "pretraining"])
    claims = claims.sort_values(["model_id", "claim"], kind="mergesort")  # a model's claims in the order they were made
    post = claims[claims["scope"].eq("post-training") & claims["source"].ne("hf_card") & claims["known"]]
    post = post.drop_duplicates("model_id").set_index("model_id").reindex(info["model_id"])
    unmapped = pd.concat([u for u in unmapped if len(u)] or unmapped[:1], ignore_index=True)
    return _Picture(info, claims, _resolve(info, claims, explicit_unknown), post, explicit_unknown, unmapped)


# --- public views ---------------------------------------------------------------------------------------------


def build_model_table(configs: Configs, epoch_models: pd.DataFrame | None, hf_mentions: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per model: curated registry models plus one automatic model per unclaimed Epoch row. The class is
    the pretraining/full tag's (curated > inherited from the parent > Epoch); post-training chips are shown apart."""
    pic = _build(configs, epoch_models, hf_mentions)
    pre, post = pic.pre, pic.post
    known = pre["confidence"].ne("unknown") & pre["accelerators"].ne("")
    cards = pic.claims[pic.claims["source"].eq("hf_card") & pic.claims["scope"].ne("inference")]
    chips = cards.assign(acc=cards["accelerators"].str.split(";")).explode("acc").drop_duplicates(["model_id", "acc"])
    suggestion = chips.groupby("model_id", sort=False)["acc"].agg(";".join)
    columns = {c: pic.info[c] for c in pic.info.columns} | {
        "hardware_class": pre["hardware_class"], "accelerators": pre["accelerators"], "chip_count": pre["chip_count"],
        "scope": pre["scope"].where(known, ""), "confidence": pre["confidence"], "evidence_url": pre["ev_url"],
        "evidence_quote": pre["ev_quote"], "evidence_kind": pre["ev_kind"], "tag_source": pre["source"],
        "inherited_from": pre["inherited_from"], "post_training_class": post["hardware_class"],
        "post_training_accelerators": post["accelerators"], "post_training_chip_count": post["chip_count"],
        "post_training_confidence": post["confidence"], "card_suggestion": pic.info["model_id"].map(suggestion)}
    df = pd.DataFrame({c: columns[c].to_numpy(dtype=object) for c in MODEL_COLUMNS})  # positions align: one row per model
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
    pic = _build(configs, epoch_models, hf_mentions)
    if model_id not in pic.pre.index:
        raise AggregatorError(f"unknown model id {model_id!r} (see `aggregator models`)")
    used = {pic.pre.at[model_id, "claim"], pic.post.at[model_id, "claim"]}
    own = pic.claims[pic.claims["model_id"].eq(model_id)]
    tags = [(_tag(r), r.claim in used) for r in own.itertuples()]
    anc = pic.pre.at[model_id, "inherited_from"]
    if anc:
        mine = pic.claims[pic.claims["model_id"].eq(anc) & pic.claims["source"].ne("hf_card") & pic.claims["pre"] & pic.claims["known"]]
        tags += [(replace(_tag(r), inherited_from=anc), False) for r in mine.itertuples()]
    out = []
    for t, is_used in tags:
        for url, quote, date, kind in t.evidence or (("", "", "", ""),):
            out.append({"source": t.source, "scope": t.scope, "kind": kind, "confidence": t.confidence,
                        "hardware_class": t.hardware_class, "accelerators": ";".join(t.accelerators),
                        "chip_count": t.chip_count, "url": url, "quote": quote, "date": date,
                        "inherited_from": t.inherited_from, "note": _note(t, is_used)})
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
    pic = _build(configs, epoch_models, hf_mentions)
    c = pic.claims
    # mere card mentions (confidence 'inferred') stay suggestions (card_suggestion, evidence), not conflicts
    c = c[c["source"].ne("registry") & c["scope"].ne("inference") & c["known"] & c["confidence"].ne("inferred")]
    chosen = pd.DataFrame(np.where(c["pre"].to_numpy()[:, None], pic.pre.loc[c["model_id"], _TAG].to_numpy(),
                                   pic.post.reindex(columns=_TAG).loc[c["model_id"]].to_numpy()), columns=_TAG, index=c.index)
    c, chosen = c[chosen["claim"].ne(c["claim"])], chosen[chosen["claim"].ne(c["claim"])]
    has = chosen["confidence"].notna() & chosen["confidence"].ne("unknown") & chosen["accelerators"].fillna("").ne("")
    same_chips = pd.Series([_compatible(tuple(a.split(";")), tuple(b.split(";")), configs) if h else True
                            for a, b, h in zip(chosen["accelerators"].fillna(""), c["accelerators"], has, strict=True)], index=c.index)
    count_differs = (chosen["chip_count"].fillna(0).astype(float) != 0) & c["chip_count"].fillna(0).ne(0) & chosen["chip_count"].ne(c["chip_count"])
    said_unknown = c["pre"] & c["model_id"].isin(list(pic.explicit_unknown))
    none = np.where(said_unknown, "registry says unknown", "no tag").astype(object) + "; " + c["source"].to_numpy(dtype=object) + " names hardware"
    issue = pd.Series(np.select([~has, chosen["hardware_class"].ne(c["hardware_class"]), ~same_chips, count_differs],
                                [none, "class differs", "accelerators differ", "chip count differs"], default=""), index=c.index)
    keep = issue.ne("")
    rows = [{"model_id": r.model_id, "issue": i, "scope": "pretraining" if r.pre else "post-training",
             "curated": _tag(ch).describe() if pd.notna(ch.confidence) else "no post-training tag", "automatic": _tag(r).describe(),
             "source": r.source, "url": r.ev_url}
            for r, ch, i in zip(c[keep].itertuples(), chosen[keep].itertuples(), issue[keep], strict=True)]
    return pd.DataFrame(rows, columns=CONFLICT_COLUMNS).sort_values(["model_id", "source"], kind="mergesort").reset_index(drop=True)


def unmapped_hardware(configs: Configs, epoch_models: pd.DataFrame | None, hf_mentions: pd.DataFrame | None = None) -> pd.DataFrame:
    """Hardware strings no catalog id matches (Epoch cells' parts, model-card quotes): add them to hardware.yaml."""
    return _build(configs, epoch_models, hf_mentions).unmapped.drop_duplicates().reset_index(drop=True)
