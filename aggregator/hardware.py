"""Training hardware from claims: the accelerator catalog applied to upstream strings; every statement about a
model's hardware (curated claims, Epoch AI's dataset) as one claims table; each model's class and status derived
from its claims by one rule table (RULES), lineage followed for variants and continued pretraining. Disagreement is
kept visible as `contested`, never resolved silently; unknown stays unknown: nothing is guessed from a country."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np
import pandas as pd

from .config import Claim, Configs
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
    "status", "confidence", "rule", "accelerators", "chip_count", "stage", "training_summary", "evidence_url",
    "evidence_quote", "evidence_kind", "claims_for", "claims_against", "tag_source", "origin", "derived_from",
    "derivation", "inherited_from", "post_training_class", "post_training_accelerators", "post_training_chip_count",
    "post_training_status", "card_suggestion", "training_compute_flop", "epoch_name", "base_model", "hf_repo",
]
CLAIM_COLUMNS = ["model_id", "claim", "source", "stage", "stance", "kind", "grade", "hardware_class", "accelerators",
                 "chip_count", "url", "quote", "date", "indirect", "share", "note", "read_from"]
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



def _card_stage(fieldname: str, quote: str) -> str:
    """What a model-card sentence naming chips is about, from its words (a suggestion only, never a class)."""
    train, infer = bool(_TRAIN_WORDS.search(quote)), bool(_INFER_WORDS.search(quote))
    if infer and not train:
        return "inference"
    if not infer and (train or fieldname.endswith("hardware_used")):
        return "post-training" if _POST_WORDS.search(quote) else "unspecified"
    return "unclear"


# --- model ids ----------------------------------------------------------------------------------------


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


# --- the rule table -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    id: str
    when: str
    then: str


RULES = (
    Rule("not-training", "a claim is about inference, adaptation ('runs on', 'day-0 support') or training reproduction",
         "listed beside the training claims; never gives a class"),
    Rule("post-training", "a claim is about post-training only (SFT, RL)", "shown apart; never changes the class"),
    Rule("no-claim", "no pretraining claim, and no parent model with a known class", "unknown"),
    Rule("inherited", "no pretraining claim of its own (or only weaker ones naming the parent's class, no dispute); derived "
         "from a model (variant, fine-tune, distillation, continued pretraining) whose class is known",
         "the parent's class, status and chips, named as inherited"),
    Rule("disputed-only", "only claims that dispute chips, none that supports any", "unknown; the disputes are listed"),
    Rule("weak-only", "the supporting claims come only from blogs or aggregators, or are indirect (a company-wide "
         "sentence, a statement about a sibling model)", "contested"),
    Rule("split", "two credible claims (developer, chip vendor, paper by others, dataset, press) name chips of "
         "different classes, neither naming both", "contested; the union of the supporting claims is its class (mixed)"),
    Rule("disputed", "credible claims agree, and a claim disputes their chips: a credible one, or any one (even weak) "
         "when no developer statement supports the chips", "contested"),
    Rule("confirmed", "credible claims agree, the strongest is the developer's own direct statement (its chips are the "
         "class's), and no credible claim disputes them", "confirmed"),
    Rule("reported", "credible claims agree, none is the developer's own, and no claim disputes them", "reported"),
    Rule("continued", "continued pretraining is claimed over a base model (the model's own pretraining claims or its "
         "parent's)", "mixed when the base's class differs or is unknown, else the base's class; the status is the "
         "weaker of the two readings"),
)
RULE_IDS = tuple(r.id for r in RULES)
STATUSES = ("confirmed", "reported", "contested", "unknown")  # strongest first
SCENARIOS = {  # scenario -> statuses whose class counts in the comparison (others count as unknown)
    "strict": ("confirmed",),
    "default": ("confirmed", "reported"),
    "widest": ("confirmed", "reported", "contested"),
}
SCENARIO_TEXT = {
    "strict": "developer-confirmed claims only",
    "default": "reported and stronger; contested claims left out",
    "widest": "every supporting training claim, contested and weak ones included",
}
BASE_STAGES = ("pretraining", "unspecified")
NOT_TRAINING = ("inference", "training-reproduction")


def grade(kind: str, indirect: bool) -> str:
    """How much a claim can carry: the developer's direct word, a credible third party, or weak."""
    if indirect or kind == "blog":
        return "inferred"
    return "confirmed" if kind == "developer" else "reported"


@dataclass(frozen=True)
class Reading:
    """What one model's claims (of one stage, or all together) say: a class, how firmly, by which rule."""

    hardware_class: str = "unknown"
    status: str = "unknown"
    confidence: str = ""  # grade of the strongest supporting claim behind the class
    rule: str = "no-claim"
    accelerators: tuple[str, ...] = ()
    chip_count: float | None = None
    primary: int = -1  # number of the claim that is the class's main evidence
    stage: str = ""
    inherited_from: str = ""
    summary: str = ""


NO_READING = Reading()


def _weaker(a: str, b: str, order: tuple[str, ...]) -> str:
    return order[max(order.index(a), order.index(b))]


def _specific(ids: list[str], configs: Configs) -> tuple[str, ...]:
    """Accelerator ids in order, without a generic '-unspecified' id when a chip it stands for is named (one of its
    vendor; for a vendor-unspecified id, one of its class)."""
    acc, cls = configs.accelerators, configs.hardware_class_of
    named = [i for i in ids if not i.endswith(GENERIC)]
    vendors, classes = {acc[i].vendor for i in named}, {cls[i] for i in named}

    def covered(i: str) -> bool:
        return i.endswith(GENERIC) and (acc[i].vendor in vendors or (acc[i].vendor == "unspecified" and cls[i] in classes))

    return tuple(i for i in dict.fromkeys(ids) if not covered(i))


def _classes(ids, configs: Configs) -> set[str]:
    chips = [i for i in ids if not configs.accelerators[i].name.endswith("CPU")] or list(ids)
    return {configs.hardware_class_of[i] for i in chips}


def _covers(disputed: str, used: str, configs: Configs) -> bool:
    """A claim against chip `disputed` is a claim against chip `used`: the same chip; or the same vendor, one of them
    unspecified; or a vendor-unspecified id of the chip's class (e.g. 'Chinese-made accelerator')."""
    a, b = configs.accelerators[disputed], configs.accelerators[used]
    if disputed == used or (a.vendor == b.vendor and (disputed.endswith(GENERIC) or used.endswith(GENERIC))):
        return True
    return disputed.endswith(GENERIC) and a.vendor == "unspecified" and configs.hardware_class_of[disputed] == configs.hardware_class_of[used]


def read_stage(claims: list, configs: Configs) -> Reading | None:
    """The rule table over one stage's claims (rows with stance, grade, accelerators (a tuple of ids), chip_count,
    claim, stage, share): None when there is no claim at all."""
    if not claims:
        return None
    order = ("confirmed", "reported", "inferred")
    claims = sorted(claims, key=lambda c: (order.index(c.grade), c.claim))
    sup = [c for c in claims if c.stance == "supports"]
    against = [c for c in claims if c.stance == "disputes"]
    if not sup:
        return Reading(rule="disputed-only", stage=against[0].stage)
    credible = [c for c in sup if c.grade != "inferred"]

    def reading(rule: str, status: str, used: list) -> Reading:
        ids = _specific([a for c in used for a in c.accelerators], configs)
        count = next((c.chip_count for c in used if c.chip_count == c.chip_count and c.chip_count), None)
        return Reading(class_of(ids, configs), status, used[0].grade, rule, ids, count, used[0].claim, used[0].stage)

    if not credible:
        return reading("weak-only", "contested", sup)
    sets = [_classes(c.accelerators, configs) for c in credible]
    if any(not (a & b) for i, a in enumerate(sets) for b in sets[i + 1:]):
        return reading("split", "contested", sup)
    top = [c for c in credible if c.grade == credible[0].grade]  # the strongest claims say which chips; the rest agree
    chips = {a for c in top for a in c.accelerators}
    developer = top[0].grade == "confirmed"
    hits = [d for d in against if (d.grade != "inferred" or not developer)
            and any(_covers(x, y, configs) for x in d.accelerators for y in chips)]
    if hits:
        return reading("disputed", "contested", sup)
    return reading("confirmed", "confirmed", top) if developer else reading("reported", "reported", top)


def _label(r: Reading, configs: Configs) -> str:
    names = " + ".join(configs.accelerators[i].name for i in r.accelerators) or "chips not named"
    count = f" x{_count_str(r.chip_count)}" if r.chip_count else ""
    return f"{names}{count}"


def derive(own: list, parent: Reading | None, parent_id: str, configs: Configs) -> tuple[Reading, Reading | None]:
    """A model's class (pretraining, then continued pretraining) and its post-training reading, from its own claims
    and its parent's reading (None: no parent)."""
    base = read_stage([c for c in own if c.stage in BASE_STAGES], configs)
    known = parent is not None and parent.status != "unknown"
    # why: a variant's own weaker claim that repeats its parent's class (a dataset row copying the parent's hardware)
    # must not demote what the parent's stronger evidence already shows; a dispute or a split still stands
    weaker_echo = (known and base is not None and base.rule in ("weak-only", "reported")
                   and base.hardware_class == parent.hardware_class
                   and STATUSES.index(parent.status) < STATUSES.index(base.status))
    if base is None or weaker_echo or (base.rule == "disputed-only" and known):
        if known:
            origin = parent.inherited_from or parent_id
            base = replace(parent, rule="inherited", inherited_from=origin,
                           summary=parent.summary if parent.inherited_from else f"{parent.summary} (inherited from {origin})")
        else:
            base = base or NO_READING
    elif base.hardware_class != "unknown":
        base = replace(base, summary=f"{'pretraining' if base.stage == 'pretraining' else 'training'}: {_label(base, configs)}")
    cpt = read_stage([c for c in own if c.stage == "continued-pretraining"], configs)
    if cpt is not None and cpt.rule != "disputed-only":
        share = next((c.share for c in own if c.claim == cpt.primary and c.share), "")
        part = f"continued pretraining: {_label(cpt, configs)}" + (f" ({share})" if share else "")
        if base.hardware_class == "unknown":
            base_text = f"base {parent_id or 'model'}: hardware unknown"
            cls, status, conf = "mixed", cpt.status, cpt.confidence
        else:
            base_text = base.summary
            cls = base.hardware_class if base.hardware_class == cpt.hardware_class else "mixed"
            status = _weaker(base.status, cpt.status, STATUSES)
            conf = _weaker(base.confidence or "inferred", cpt.confidence, ("confirmed", "reported", "inferred"))
        base = Reading(cls, status, conf, "continued", _specific([*base.accelerators, *cpt.accelerators], configs),
                       cpt.chip_count or base.chip_count, cpt.primary, "continued-pretraining", base.inherited_from,
                       f"{base_text}; {part}")
    post = read_stage([c for c in own if c.stage == "post-training"], configs)
    return base, post


# --- claims as one table ---------------------------------------------------------------------------------------


def _registry_claims(configs: Configs) -> pd.DataFrame:
    """Every curated claim, numbered in registry order."""
    rows = []
    for m in configs.models.values():
        for c in m.claims:
            rows.append(_claim_row(m.id, "registry", c, configs))
    return pd.DataFrame(rows, columns=[c for c in CLAIM_COLUMNS if c != "claim"])


def _claim_row(mid: str, source: str, c: Claim, configs: Configs) -> dict:
    return {"model_id": mid, "source": source, "stage": c.stage, "stance": c.stance, "kind": c.kind,
            "grade": grade(c.kind, c.indirect), "hardware_class": class_of(c.accelerators, configs),
            "accelerators": ";".join(c.accelerators), "chip_count": float(c.chip_count) if c.chip_count else np.nan,
            "url": c.url, "quote": c.quote, "date": c.date or "", "indirect": c.indirect, "share": c.share, "note": c.note,
            "read_from": c.read_from}


def _epoch_claims(ep: pd.DataFrame, ids: pd.Series, links: dict[int, str], derivative: set[str],
                  curated_epoch: set[str]) -> pd.DataFrame:
    """Epoch rows that name hardware, as dataset claims. On a registry derivative, or when Epoch names a base model,
    the chips are the derivative's own training: post-training. Skipped where the registry already quotes Epoch."""
    is_linked = ep.index.isin(list(links))
    stage = ep["scope"].map({"post-training": "post-training", "full": "unspecified"})
    stage = stage.where(~(is_linked & ids.isin(list(derivative))), "post-training")
    keep = ep["accelerators"].ne("") & ~ids.isin(list(curated_epoch))
    return pd.DataFrame({"model_id": ids, "source": "epoch", "stage": stage, "stance": "supports", "kind": "dataset",
                         "grade": "reported", "hardware_class": ep["hardware_class"], "accelerators": ep["accelerators"],
                         "chip_count": ep["chip_count"], "url": ep["url"], "quote": ep["quote"], "date": "",
                         "indirect": False, "share": "", "note": "Epoch AI, Data on AI Models", "read_from": ""})[keep]


def _card_claims(configs: Configs, hf: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Model-card mentions naming a chip (suggestions, never used for a class) and mentions no catalog id matches.
    A card under another owner than the model's lab is not the vendor's model (resolve.name_matcher)."""
    hf = _str_cols(hf, HF_REQUIRED, [], "the model-card hardware mentions").drop_duplicates(HF_REQUIRED).reset_index(drop=True)
    by_repo = {m.hf_repo.casefold(): m.id for m in configs.models.values() if m.hf_repo}
    mid = pd.Series(per_value(hf["hf_repo"].str.casefold(), by_repo, ""))
    by_name = name_matcher(configs, "hf_cards")
    mid = mid.where(mid.ne(""), pd.Series(per_distinct(hf["hf_repo"], lambda r: by_name(r) or "")))
    ids = pd.Series(per_distinct(hf["quote"], lambda q: ";".join(map_hardware(q, configs)[0])), dtype=object)
    stage = pd.Series([_card_stage(f, q) for f, q in zip(hf["field"], hf["quote"], strict=True)])
    has = ids.ne("")
    cards = pd.DataFrame({"model_id": mid, "source": "hf_card", "stage": stage, "stance": "supports", "kind": "developer",
                          "grade": "inferred", "hardware_class": per_distinct(ids, lambda x: class_of(x.split(";"), configs) if x else "unknown"),
                          "accelerators": ids, "chip_count": np.nan, "url": hf["url"], "quote": hf["quote"], "date": "",
                          "indirect": False, "share": "", "note": "model-card mention: a suggestion, not used for the class",
                          "read_from": ""})
    unmapped = pd.DataFrame({"source": "hf_card", "model": hf.loc[~has, "hf_repo"], "string": hf.loc[~has, "quote"],
                             "url": hf.loc[~has, "url"]}, columns=UNMAPPED_COLUMNS)
    return cards[has & mid.ne("")], unmapped


@dataclass
class _Picture:
    """Every model (info), every claim (numbered; sorted by model), and each model's derived readings."""

    info: pd.DataFrame
    claims: pd.DataFrame
    pre: dict[str, Reading]
    post: dict[str, Reading]
    unmapped: pd.DataFrame


def _curated_info(configs: Configs, ep: pd.DataFrame | None, links: dict[int, str]) -> pd.DataFrame:
    cols = ["publication_date", "training_compute_flop", "epoch_name", "base_model"]
    linked = {} if ep is None else {links[i]: r for i, *r in zip(sorted(links), *(ep.loc[sorted(links), c].tolist() for c in cols), strict=True)}
    info = []
    for m in configs.models.values():
        date, flop, ename, base = linked.get(m.id, ("", np.nan, m.epoch_name or "", ""))
        info.append({"model_id": m.id, "display_name": m.display_name, "developer": m.developer,
                     "developer_country": m.developer_country, "release_date": m.release_date or date,
                     "open_weights": m.open_weights, "origin": "curated", "derived_from": m.derived_from or "",
                     "derivation": m.derivation or "", "training_compute_flop": flop, "epoch_name": ename, "base_model": base,
                     "hf_repo": m.hf_repo or ""})
    return pd.DataFrame(info)


_DATED = re.compile(r"\s*\((?:[A-Z][a-z]{2,8}\.? \d{4}|\d{4}-\d{2}(?:-\d{2})?|preview)\)$")


def dated_version_of(name: str, registry: dict[str, str]) -> str:
    """The registry model an Epoch row is a dated version or preview of: 'Gemini 2.5 Pro (Jun 2025)' -> gemini-2.5-pro;
    a row whose own name is a registry model's, when that model already has its Epoch row, too. '' when neither."""
    stripped = _DATED.sub("", name)
    return registry.get(name_key(stripped), "") if stripped != name else registry.get(name_key(name), "")


def _epoch_info(ep: pd.DataFrame, ids: pd.Series, links: dict[int, str], key_to_id: dict[str, str],
                registry: dict[str, str]) -> pd.DataFrame:
    """Automatic models: the Epoch rows no curated model claims. A row naming a base model derives from it
    ('finetune'); naming two (a language model and a vision encoder), from both ('composite', inheriting from neither);
    naming none but being a dated version or preview of a registry model, from that model ('variant')."""
    auto = ep[~ep.index.isin(list(links))]
    bases = pd.Series(per_distinct(auto["base_model"], base_names), index=auto.index)
    own = ids[auto.index]
    base = pd.Series([";".join(dict.fromkeys(i for i in (key_to_id.get(name_key(b)) for b in bs) if i and i != me))
                      for bs, me in zip(bases, own, strict=True)], index=auto.index, dtype=object)
    version_of = pd.Series(per_distinct(auto["epoch_name"], lambda n: dated_version_of(n, registry)), index=auto.index)
    variant = bases.map(len).eq(0) & version_of.ne("") & version_of.ne(own)
    base = base.where(~variant, version_of)
    derivation = bases.map(len).map(lambda n: "composite" if n > 1 else ("finetune" if n else ""))
    return pd.DataFrame({
        "model_id": own, "display_name": auto["epoch_name"], "developer": auto["developer"],
        "developer_country": auto["developer_country"], "release_date": auto["publication_date"], "open_weights": auto["open_weights"],
        "origin": "epoch", "derived_from": base, "derivation": derivation.where(~variant, "variant"),
        "training_compute_flop": auto["training_compute_flop"], "epoch_name": auto["epoch_name"], "base_model": auto["base_model"],
        "hf_repo": ""})


def base_names(cell: str) -> tuple[str, ...]:
    """The models an Epoch 'Base model' cell names: 'Llama 2-13B,CLIP (ViT L/14@336px)' -> both (a comma separates
    models; a '/' does not: 'ViT-Huge/14' is one name)."""
    return tuple(p.strip() for p in str(cell).split(",") if p.strip())


def _readings(info: pd.DataFrame, claims: pd.DataFrame, configs: Configs) -> tuple[dict[str, Reading], dict[str, Reading]]:
    """Each model's readings, parents before children. A model on a derivation cycle, or built on two bases
    (derivation 'composite': their chips may differ), inherits nothing."""
    used = claims[claims["source"].ne("hf_card") & ~claims["stage"].isin(NOT_TRAINING)]
    own: dict[str, list] = {}
    for r in used.itertuples(index=False):
        own.setdefault(r.model_id, []).append(r._replace(accelerators=tuple(r.accelerators.split(";"))))
    parent_of = {m: p for m, p, d in zip(info["model_id"], info["derived_from"], info["derivation"], strict=True)
                 if p and p != m and d != "composite"}
    pre: dict[str, Reading] = {}
    post: dict[str, Reading] = {}
    known = set(info["model_id"])
    todo = list(info["model_id"])
    while todo:  # one generation at a time
        ready = [m for m in todo if parent_of.get(m) not in known or parent_of[m] in pre]
        cycle = not ready
        for mid in ready or todo:  # nothing ready: the rest are on (or below) a derivation cycle and inherit nothing
            p = None if cycle else parent_of.get(mid)
            pre[mid], post_r = derive(own.get(mid, []), pre.get(p) if p else None, p or "", configs)
            if post_r is not None:
                post[mid] = post_r
        todo = [] if cycle else [m for m in todo if m not in pre]
    return pre, post


def _build(configs: Configs, epoch_models: pd.DataFrame | None, hf_mentions: pd.DataFrame | None) -> _Picture:
    """Every model with its claims, then each model's readings."""
    ep = epoch_hardware(configs, epoch_models) if epoch_models is not None and len(epoch_models) else None
    links = _link_epoch(configs, ep) if ep is not None else {}
    info = _curated_info(configs, ep, links)
    parts, unmapped = [_registry_claims(configs)], [pd.DataFrame(columns=UNMAPPED_COLUMNS)]
    key_to_id = dict(registry_keys(configs))
    if ep is not None:
        ids = _auto_ids(ep, links, set(info["model_id"]))
        first_of_key = ids.groupby(ep["key"].to_numpy(), sort=False).first()
        key_to_id = dict(zip(first_of_key.index, first_of_key, strict=True)) | key_to_id  # registry names first
        info = pd.concat([info, _epoch_info(ep, ids, links, key_to_id, registry_keys(configs))], ignore_index=True)
        derivative = set(info.loc[info["origin"].eq("curated") & info["derived_from"].ne(""), "model_id"])
        quoted = {m.id for m in configs.models.values() if any(c.kind == "dataset" and "epoch.ai" in c.url for c in m.claims)}
        parts.append(_epoch_claims(ep, ids, links, derivative, quoted))
        strings = ep.assign(string=ep["unmapped"].str.split(";")).explode("string")
        strings = strings[strings["string"].fillna("").ne("")]
        unmapped.append(pd.DataFrame({"source": "epoch", "model": strings["epoch_name"], "string": strings["string"], "url": strings["url"]}))
    if hf_mentions is not None and len(hf_mentions):
        cards, card_unmapped = _card_claims(configs, hf_mentions)
        parts.append(cards[cards["model_id"].isin(info["model_id"])])
        unmapped.append(card_unmapped)
    claims = pd.concat([p for p in parts if len(p)] or parts[:1], ignore_index=True).astype({"chip_count": "float64"})
    claims.insert(1, "claim", np.arange(len(claims)))
    claims = claims.sort_values(["model_id", "claim"], kind="mergesort").reset_index(drop=True)
    pre, post = _readings(info, claims, configs)
    unmapped = pd.concat([u for u in unmapped if len(u)] or unmapped[:1], ignore_index=True)
    return _Picture(info, claims, pre, post, unmapped)


# --- public views ---------------------------------------------------------------------------------------------


def build_model_table(configs: Configs, epoch_models: pd.DataFrame | None, hf_mentions: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per model: curated registry models plus one automatic model per unclaimed Epoch row, with the class,
    status and rule derived from the claims (RULES); post-training chips shown apart."""
    return model_and_claims(configs, epoch_models, hf_mentions)[0]


def model_and_claims(configs: Configs, epoch_models: pd.DataFrame | None,
                     hf_mentions: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The model table (build_model_table) and the claims table (CLAIM_COLUMNS) it was derived from."""
    pic = _build(configs, epoch_models, hf_mentions)
    c = pic.claims
    evidence = {k: (u, q, kd, src) for k, u, q, kd, src in zip(c["claim"], c["url"], c["quote"], c["kind"], c["source"], strict=True)}
    training = c[c["source"].ne("hf_card") & ~c["stage"].isin(NOT_TRAINING)]
    n_for = training[training["stance"].eq("supports")].groupby("model_id").size()
    n_against = training[training["stance"].eq("disputes")].groupby("model_id").size()
    cards = c[c["source"].eq("hf_card") & c["stage"].ne("inference")]
    chips = cards.assign(acc=cards["accelerators"].str.split(";")).explode("acc").drop_duplicates(["model_id", "acc"])
    suggestion = chips.groupby("model_id", sort=False)["acc"].agg(";".join)
    rows = []
    for mid in pic.info["model_id"]:
        r, p = pic.pre[mid], pic.post.get(mid, NO_READING)
        url, quote, kind, source = evidence[r.primary] if r.primary >= 0 else ("", "", "", "")
        rows.append({"hardware_class": r.hardware_class, "status": r.status, "confidence": r.confidence or "", "rule": r.rule,
                     "accelerators": ";".join(r.accelerators), "chip_count": r.chip_count, "stage": r.stage,
                     "training_summary": r.summary, "evidence_url": url, "evidence_quote": quote, "evidence_kind": kind,
                     "tag_source": source, "inherited_from": r.inherited_from,
                     "post_training_class": p.hardware_class if p.status != "unknown" else "",
                     "post_training_accelerators": ";".join(p.accelerators) if p.status != "unknown" else "",
                     "post_training_chip_count": p.chip_count, "post_training_status": p.status if p.status != "unknown" else ""})
    derived = pd.DataFrame(rows)
    info = pic.info.reset_index(drop=True)
    df = pd.concat([info, derived], axis=1)
    df["claims_for"] = df["model_id"].map(n_for).fillna(0).astype(int)
    df["claims_against"] = df["model_id"].map(n_against).fillna(0).astype(int)
    df["card_suggestion"] = df["model_id"].map(suggestion)
    df = df[MODEL_COLUMNS]
    for col in ("chip_count", "post_training_chip_count", "training_compute_flop"):
        df[col] = pd.to_numeric(df[col], errors="coerce").astype("float64")
    df["open_weights"] = df["open_weights"].astype("boolean")
    text = [col for col in MODEL_COLUMNS if col not in ("chip_count", "post_training_chip_count", "training_compute_flop",
                                                        "open_weights", "claims_for", "claims_against")]
    df[text] = df[text].astype(object).fillna("").astype(str)
    return df.sort_values(["origin", "model_id"], kind="mergesort").reset_index(drop=True), c


def scenario_class(models: pd.DataFrame, scenario: str) -> pd.Series:
    """The class each model counts as under a scenario: a status the scenario leaves out counts as unknown."""
    if scenario not in SCENARIOS:
        raise ValueError(f"scenario must be one of {', '.join(SCENARIOS)}, got {scenario!r}")
    return models["hardware_class"].where(models["status"].isin(SCENARIOS[scenario]), "unknown")


def scenario_classes(models: pd.DataFrame) -> pd.DataFrame:
    """scenario_class under every scenario, one column each."""
    return pd.DataFrame({s: scenario_class(models, s) for s in SCENARIOS}, index=models.index)


def evidence_records(model_id: str, configs: Configs, epoch_models: pd.DataFrame | None = None,
                     hf_mentions: pd.DataFrame | None = None) -> tuple[list[dict], Reading, Reading | None]:
    """Every claim about one model (and its ancestors' pretraining claims when the class is inherited), each with a
    note on how it was used; and the model's readings (class and post-training)."""
    pic = _build(configs, epoch_models, hf_mentions)
    if model_id not in pic.pre:
        raise AggregatorError(f"unknown model id {model_id!r} (see `aggregator models`)")
    r = pic.pre[model_id]
    rows = pic.claims[pic.claims["model_id"].eq(model_id)]
    if r.inherited_from:
        anc = pic.claims[pic.claims["model_id"].eq(r.inherited_from) & pic.claims["stage"].isin(BASE_STAGES)
                         & pic.claims["source"].ne("hf_card")]
        rows = pd.concat([rows, anc], ignore_index=True)
    out = []
    for c in rows.itertuples(index=False):
        out.append({"model": c.model_id, "source": c.source, "stage": c.stage, "stance": c.stance, "kind": c.kind,
                    "grade": c.grade, "class": c.hardware_class, "accelerators": c.accelerators,
                    "chip_count": None if pd.isna(c.chip_count) else c.chip_count, "url": c.url, "quote": c.quote,
                    "date": c.date, "indirect": bool(c.indirect), "share": c.share, "note": c.note,
                    "read_from": c.read_from, "use": _note(c, r, model_id)})
    return out, r, pic.post.get(model_id)


def _note(c, r: Reading, model_id: str) -> str:
    if c.source == "hf_card":
        return "model-card mention: a suggestion, never used for the class"
    if c.stage in NOT_TRAINING:
        return "about where the model runs or is reproduced: never a training class"
    if c.model_id != model_id:
        return f"the ancestor's claim (class inherited from {c.model_id})"
    if c.stage == "post-training":
        return "post-training: shown apart, the class follows pretraining"
    return "main evidence for the class" if c.claim == r.primary else ""


CONFLICT_COLUMNS = ["model_id", "display_name", "status", "rule", "hardware_class", *SCENARIOS, "claims_for",
                    "claims_against", "not_training"]


def conflicts(configs: Configs, epoch_models: pd.DataFrame | None, hf_mentions: pd.DataFrame | None = None) -> pd.DataFrame:
    """contested_table over this data."""
    return contested_table(*model_and_claims(configs, epoch_models, hf_mentions))


def contested_table(models: pd.DataFrame, claims: pd.DataFrame) -> pd.DataFrame:
    """Every contested model, and every model with a training claim against its chips: the claims side by side (one
    line per claim: kind, stage, chips, url) and the class each scenario gives it. Shown, never resolved."""
    c = claims[claims["source"].ne("hf_card")]
    training = ~c["stage"].isin(NOT_TRAINING)
    ids = set(models.loc[models["status"].eq("contested"), "model_id"]) | set(c.loc[c["stance"].eq("disputes") & training, "model_id"])
    m = models[models["model_id"].isin(ids)].sort_values("model_id", kind="mergesort")
    cls = scenario_classes(m)

    def lines(df: pd.DataFrame) -> pd.Series:
        text = df["kind"] + ", " + df["stage"] + ": " + df["accelerators"].str.replace(";", "+") + " (" + df["url"] + ")"
        return text.groupby(df["model_id"]).agg("\n".join)

    mine = c[c["model_id"].isin(ids)]
    t = mine[~mine["stage"].isin(NOT_TRAINING)]
    out = m[["model_id", "display_name", "status", "rule", "hardware_class"]].assign(
        **{s: cls[s] for s in SCENARIOS},
        claims_for=m["model_id"].map(lines(t[t["stance"].eq("supports")])),
        claims_against=m["model_id"].map(lines(t[t["stance"].eq("disputes")])),
        not_training=m["model_id"].map(lines(mine[mine["stage"].isin(NOT_TRAINING)])))
    return out.astype(object).fillna("").reset_index(drop=True)[CONFLICT_COLUMNS]


def unmapped_hardware(configs: Configs, epoch_models: pd.DataFrame | None, hf_mentions: pd.DataFrame | None = None) -> pd.DataFrame:
    """Hardware strings no catalog id matches (Epoch cells' parts, model-card quotes): add them to hardware.yaml."""
    return _build(configs, epoch_models, hf_mentions).unmapped.drop_duplicates().reset_index(drop=True)
