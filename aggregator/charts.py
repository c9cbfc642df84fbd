"""Charts in one house style: a colour-blind-safe colour per hardware class (Okabe-Ito), a source footnote on
each, PNG for the report and SVG beside it, byte-identical for identical inputs (no dates in metadata)."""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import inspect
import io
import multiprocessing as mp
import os
import re
import sys
import textwrap
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .analysis import months_text
from .store import atomic_write_bytes

COLORS = {"domestic": "#D55E00", "nvidia": "#009E73", "other": "#0072B2", "mixed": "#CC79A7", "unknown": "#999999"}
MARKERS = {"domestic": "D", "nvidia": "o", "other": "s", "mixed": "^", "unknown": "."}
LABELS = {"domestic": "Domestic-trained", "nvidia": "Nvidia-trained", "other": "Other hardware (TPU, Trainium, AMD...)",
          "mixed": "Mixed hardware", "unknown": "Unknown hardware"}

STYLE = {
    "figure.dpi": 100, "savefig.dpi": 110, "font.size": 9, "axes.titlesize": 11, "axes.titleweight": "bold",
    "axes.spines.top": False, "axes.spines.right": False, "axes.grid": True, "grid.alpha": 0.25,
    "svg.hashsalt": "aggregator", "svg.fonttype": "none", "path.simplify": True,
}


def _load_matplotlib() -> None:
    """Import matplotlib (Agg, house style) on first use: a report whose charts are all up to date never loads it.
    Figures are made without pyplot (no figure manager to register and close)."""
    global mpl, mdates, Figure, Legend
    import matplotlib as mpl
    import matplotlib.dates as mdates
    from matplotlib.figure import Figure
    from matplotlib.legend import Legend

    mpl.rcParams.update(STYLE)


class _OnFirstUse:
    def __init__(self, name: str):
        self._name = name

    def __getattr__(self, attr: str):
        _load_matplotlib()
        return getattr(globals()[self._name], attr)


mpl, mdates = _OnFirstUse("mpl"), _OnFirstUse("mdates")


@functools.cache
def _canvas_class():
    """An Agg canvas whose renderers share one table of text sizes. savefig(bbox_inches=box) draws on a new renderer
    (the canvas takes the box's size), and matplotlib keeps text sizes per renderer: without this the PNG would
    measure every string again after the layout pass measured it at the same dpi. A string's size depends on its font
    properties, the dpi and the style, none of which change between the passes of one figure."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg

    class Renderer(RendererAgg):
        def __init__(self, width, height, dpi, sizes: dict):
            super().__init__(width, height, dpi)
            self.sizes = sizes

        def get_text_width_height_descent(self, s, prop, ismath):
            key = (s, prop.copy(), ismath, self.dpi)
            if key not in self.sizes:
                self.sizes[key] = super().get_text_width_height_descent(s, prop, ismath)
            return self.sizes[key]

    class Canvas(FigureCanvasAgg):
        def __init__(self, figure=None):
            super().__init__(figure)
            self._text_sizes, self._size_key = {}, None

        def get_renderer(self):
            key = (*self.get_width_height(physical=True), self.figure.dpi)
            if self._size_key != key:
                self.renderer, self._size_key = Renderer(*key, self._text_sizes), key
            return self.renderer

    return Canvas


def _figure(nrows: int = 1, ncols: int = 1, **kwargs):
    """fig, axes like pyplot.subplots, on the shared-text-size canvas."""
    _load_matplotlib()
    fig = Figure(figsize=kwargs.pop("figsize"))
    _canvas_class()(fig)
    return fig, fig.subplots(nrows, ncols, **kwargs)


_best_placed: list = []  # legends placed where they cover the fewest data, pinned by save() (see _pin_legends)


def _legend_best(ax, **kwargs) -> None:
    _best_placed.append(ax.legend(loc="best", **kwargs))


def _pin_legends(fig, renderer) -> None:
    """Fix each 'best' legend at the corner matplotlib's search picks at the PNG's resolution. The search (overlaps
    with every point, line and label) would otherwise run again in the layout pass, the PNG and the SVG, and the SVG,
    drawn at 72 dpi, could pick another corner than the PNG. The search's answer is one of the fixed locations, so
    the first location with the same extent is that answer (the same coordinates, the same pixels)."""
    for legend in [lg for lg in _best_placed if lg.figure is fig]:
        legend.axes.get_xlim()  # autoscales the axes first (lazily done on first use): the data where they are drawn
        found = legend.get_window_extent(renderer).bounds
        for loc in list(Legend.codes)[1:]:
            legend.set_loc(loc)
            if legend.get_window_extent(renderer).bounds == found:
                break
        else:
            legend.set_loc("best")  # not reached: the search only picks fixed locations
    _best_placed.clear()


# --- drawn only when inputs change: each PNG/SVG carries a digest of its inputs, the drawing code and matplotlib --

_CODE = hashlib.sha256(Path(__file__).read_bytes() + importlib.metadata.version("matplotlib").encode()).hexdigest()
_inputs = ""  # digest of the chart being drawn, written into its files by save()


def _feed(h, value) -> None:
    if isinstance(value, pd.Series):
        value = value.to_frame()
    if isinstance(value, pd.DataFrame):
        h.update(repr((list(value.columns), [str(t) for t in value.dtypes], value.shape)).encode())
        try:
            h.update(pd.util.hash_pandas_object(value, index=True, categorize=False).to_numpy().tobytes())
        except TypeError:  # unhashable cells (lists): their text
            h.update(value.to_csv().encode())
    elif isinstance(value, dict):
        for k, v in value.items():
            h.update(repr(k).encode())
            _feed(h, v)
    elif isinstance(value, list | tuple):
        for v in value:
            _feed(h, v)
    else:
        h.update(repr(value).encode())
    h.update(b"\0")


@dataclass
class Chart:
    """One chart to draw: the drawing function, its arguments, the digest of its inputs and where it goes."""

    draw: Callable[..., str]
    args: tuple
    kwargs: dict
    key: str  # digest of the inputs, the drawing code and matplotlib ('' when not saved)
    files: list[Path]  # <stem>.png and <stem>.svg (none when not saved)
    name: str  # <stem>.png

    def fresh(self) -> bool:
        return bool(self.files) and all(f.is_file() and self.key.encode() in f.read_bytes() for f in self.files)


def cached(draw):
    """Skip drawing when <stem>.png and <stem>.svg exist and carry the digest of the same inputs (folder aside).
    `<function>.plan(...)` gives the Chart without drawing it, for draw_all."""
    sig = inspect.signature(draw)

    def plan(*args, **kwargs) -> Chart:
        bound = sig.bind(*args, **kwargs)
        bound.apply_defaults()
        folder, stem = bound.arguments["folder"], safe_name(bound.arguments["stem"])
        if folder is None:
            return Chart(draw, args, kwargs, "", [], f"{stem}.png")
        h = hashlib.sha256(f"{draw.__name__}|{_CODE}".encode())
        _feed(h, {k: v for k, v in bound.arguments.items() if k != "folder"})
        return Chart(draw, args, kwargs, h.hexdigest(), [Path(folder) / f"{stem}.{ext}" for ext in ("png", "svg")], f"{stem}.png")

    @functools.wraps(draw)
    def wrapper(*args, **kwargs):
        return draw_all([plan(*args, **kwargs)], workers=1)[0]

    wrapper.plan = plan
    return wrapper


def _draw(chart: Chart) -> str:
    global _inputs
    _inputs = chart.key
    try:
        return chart.draw(*chart.args, **chart.kwargs)
    finally:
        _inputs = ""


_pending: list[Chart] = []  # the charts forked workers draw (inherited, never pickled: only their index is sent)


def _draw_pending(i: int) -> str:
    return _draw(_pending[i])


def draw_all(charts: list[Chart], workers: int | None = None) -> list[str]:
    """Draw the charts that are not fresh, each into its own files; the PNG file names, in order. With more than one
    usable core (or `workers`), charts are drawn in forked worker processes, one chart each: a chart's bytes depend
    on its inputs only, so they are the same whichever process draws it."""
    global _pending
    stale = [c for c in charts if not c.fresh()]
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    n = min(len(stale), workers or cores)
    if n > 1 and "fork" in mp.get_all_start_methods() and sys.platform == "linux":
        _load_matplotlib()  # imported once, before the fork: the workers share it
        _pending = stale
        try:
            with mp.get_context("fork").Pool(n) as pool:
                pool.map(_draw_pending, range(len(stale)), chunksize=1)
        finally:
            _pending = []
    else:
        for c in stale:
            _draw(c)
    return [c.name for c in charts]


def safe_name(text: str, max_len: int = 60) -> str:
    """A file-name-safe slug: no separators, no traversal, bounded length."""
    s = re.sub(r"[^a-z0-9._-]+", "-", str(text).casefold()).strip("-.")
    return (s or "chart")[:max_len]


def save(fig: Figure, folder: Path | None, stem: str) -> str:
    """Write <stem>.png and <stem>.svg atomically (nothing when folder is None); returns the PNG file name. The figure
    is laid out once (at the PNG's resolution) and both formats are drawn with that layout's tight bounding box. The
    box comes from the artists' extents alone, without the disabled draw savefig(bbox_inches="tight") makes first;
    the PNG reuses the layout pass's text sizes and 'best' legends are searched once: the same pixels as matplotlib's
    own tight savefig (tests/test_report.py), at about half the cost."""
    stem = safe_name(stem)
    if folder is None:
        _best_placed.clear()
        return f"{stem}.png"
    fig.set_layout_engine(None)  # laid out already (tight_layout ran once): savefig must not lay it out again
    dpi, fig_dpi = mpl.rcParams["savefig.dpi"], fig.dpi
    fig.set_dpi(dpi)
    with warnings.catch_warnings():  # what layout warns of (a glyph the font lacks), drawing warns of again
        warnings.simplefilter("ignore", UserWarning)
        renderer = fig.canvas.get_renderer()
        _pin_legends(fig, renderer)
        bbox = fig.get_tightbbox(renderer).padded(mpl.rcParams["savefig.pad_inches"])
    fig.set_dpi(fig_dpi)
    png, svg = io.BytesIO(), io.BytesIO()
    fig.savefig(png, format="png", metadata={"Software": None, "Description": _inputs}, bbox_inches=bbox,
                pil_kwargs={"compress_level": 3})  # zlib 3: as small as the default 6 for these flat colours, faster
    fig.savefig(svg, format="svg", metadata={"Date": None, "Creator": None, "Description": _inputs}, bbox_inches=bbox)
    atomic_write_bytes(folder / f"{stem}.png", png.getvalue())
    atomic_write_bytes(folder / f"{stem}.svg", svg.getvalue())
    return f"{stem}.png"


_CJK = "\u2e80-\u9fff\uac00-\ud7af\uff00-\uffef"
_CJK_GLOSS = re.compile(rf"\s*\((?=[^)]*[{_CJK}])[^)]*\)")
_CJK_RUN = re.compile(rf"[{_CJK}]+")


def plain(text: object) -> str:
    """Text drawn as it is: '$' escaped, so that '$x$' in an upstream name is not mathtext (a malformed one would
    abort the chart). Tick labels of log axes keep their mathtext: only text from data and configs goes through here.
    The charts' font (DejaVu Sans) has no CJK glyphs: a Chinese gloss in parentheses is left out (the report's
    tables keep it), other CJK runs too, rather than drawn as empty boxes."""
    text = str(text)
    if _CJK_RUN.search(text):
        text = re.sub(r" {2,}", " ", _CJK_RUN.sub("", _CJK_GLOSS.sub("", text))).strip()
    return text.replace("$", r"\$")


def _footnote(fig: Figure, text: str) -> None:
    """Source line under the chart, wrapped by character count (matplotlib's own wrapping is slow)."""
    width = int(fig.get_figwidth() * 17)
    fig.text(0.01, -0.02, plain(textwrap.fill(text, width)), fontsize=7, color="#555555", ha="left", va="top")


def _spread(ys: list[float], min_gap: float, top: float | None = None) -> list[float]:
    """Nudge label y positions apart (in data units) so that labels do not overlap; with `top`, the whole stack is
    moved down until its highest label is no higher (labels stay inside the plot, under the title)."""
    order = np.argsort(ys, kind="stable")
    out = np.array(ys, dtype=float)
    for k in range(1, len(order)):
        i, j = order[k], order[k - 1]
        if out[i] - out[j] < min_gap:
            out[i] = out[j] + min_gap
    if top is not None and len(out) and out.max() > top:
        out -= out.max() - top
    return out.tolist()


@cached
def frontier_chart(pts: pd.DataFrame, front: pd.DataFrame, title: str, unit: str, higher: bool, footnote: str,
                   folder: Path, stem: str, label_classes: tuple[str, ...] = ("domestic", "nvidia", "other")) -> str:
    fig, ax = _figure(figsize=(9, 5.2))
    end = pts["release_date"].max() if len(pts) else pd.Timestamp("2025-01-01")
    contested = pts["status"].eq("contested") if "status" in pts.columns else pd.Series(False, index=pts.index)
    for cls in ["unknown", "mixed", "other", "nvidia", "domestic"]:
        p = pts[(pts["hardware_class"] == cls) & ~contested]
        if p.empty:
            continue
        has_ci = p["ci_lower"].notna() & p["ci_upper"].notna()
        if has_ci.any():
            q = p[has_ci]
            ax.errorbar(q["release_date"], q["score"], yerr=[q["score"] - q["ci_lower"], q["ci_upper"] - q["score"]],
                        fmt="none", ecolor=COLORS[cls], alpha=0.35, lw=0.8)
        vague = p["release_precision"].ne("day")
        if vague.any():  # release known to the month or year only: a bar over the possible dates, the point at its middle
            q = p[vague]
            ax.errorbar(q["release_date"], q["score"], xerr=[q["release_date"] - q["release_low"], q["release_high"] - q["release_date"]],
                        fmt="none", ecolor=COLORS[cls], alpha=0.6 if cls != "unknown" else 0.3, lw=0.8, capsize=2)
        ax.scatter(p["release_date"], p["score"], s=16 if cls != "unknown" else 9, color=COLORS[cls], marker=MARKERS[cls],
                   alpha=0.85 if cls != "unknown" else 0.5, label=f"{LABELS[cls]} ({len(p)})", zorder=3)
    for cls in ["mixed", "other", "nvidia", "domestic"]:
        c = pts[contested & (pts.get("claimed_class", pts["hardware_class"]) == cls)]
        if len(c):
            ax.scatter(c["release_date"], c["score"], s=30, facecolors="none", edgecolors=COLORS[cls], marker=MARKERS[cls],
                       linewidths=1.2, label=f"contested claim: {LABELS[cls].lower()} ({len(c)})", zorder=3)
    for cls in ["mixed", "other", "nvidia", "domestic"]:
        f = front[front["hardware_class"] == cls].sort_values("release_date")
        if len(f):
            xs = list(f["release_date"]) + [end]
            ys = list(f["frontier"]) + [f["frontier"].iloc[-1]]
            ax.step(xs, ys, where="post", color=COLORS[cls], lw=1.8, zorder=2)
    leaders = front[front["hardware_class"].isin(label_classes)]
    leaders = leaders.sort_values("frontier", ascending=not higher).groupby("hardware_class").head(3)
    if "domestic_chips" in pts.columns:  # the best contested domestic-side claims are named too
        named = pts[contested & pts["domestic_chips"] & ~pts["model_id"].isin(leaders.get("model_id", []))]
        named = named.sort_values("score", ascending=not higher).head(2)
        leaders = pd.concat([leaders, named.assign(hardware_class=named["claimed_class"],
                                                   display_name=named["display_name"] + " (contested)")])
    if len(leaders):
        span = (pts["score"].max() - pts["score"].min()) or 1.0
        ys = _spread(leaders["score"].tolist(), span * 0.045, top=pts["score"].max())
        for (_, r), y in zip(leaders.iterrows(), ys, strict=True):
            name = r["display_name"] + ("" if r["release_precision"] == "day" else f" (released {r['release_label']})")
            ax.annotate(plain(name), xy=(r["release_date"], r["score"]), xytext=(r["release_date"] - pd.Timedelta(days=8), y),
                        textcoords="data", fontsize=7, color=COLORS[r["hardware_class"]], va="center", ha="right",
                        arrowprops={"arrowstyle": "-", "color": "#bbbbbb", "lw": 0.5}, zorder=4)
    ax.set_title(plain(title))
    ax.set_ylabel(plain(unit))
    vague = pts["release_precision"].ne("day") if len(pts) else pd.Series(dtype=bool)
    ax.set_xlabel("model release date" + (f" ({int(vague.sum())} known to the month or year only: bar = the possible "
                                          "dates, point at their middle)" if vague.any() else ""))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m"))
    _legend_best(ax, fontsize=7, frameon=False)
    _footnote(fig, footnote)
    return save(fig, folder, stem)


@cached
def gap_chart(gaps: dict[str, pd.DataFrame], months: dict[str, dict | None], names: dict[str, str], units: dict[str, str],
              footnote: str, folder: Path, stem: str = "gap") -> str:
    gaps = {b: g for b, g in gaps.items() if not g.empty}
    if not gaps:
        fig, ax = _figure(figsize=(9, 1.6))
        ax.axis("off")
        ax.text(0.5, 0.5, "No headline benchmark has both a domestic-trained and an Nvidia-trained model with a score\n"
                "(at this hardware-confidence setting): no gap can be measured yet.", ha="center", va="center", fontsize=10)
        _footnote(fig, footnote)
        return save(fig, folder, stem)
    n = len(gaps)
    fig, axes = _figure(n, 1, figsize=(9, 2.3 * n), squeeze=False)
    for ax, (bid, g) in zip(axes[:, 0], gaps.items(), strict=True):
        ax.step(g["date"], g["gap"], where="post", color="#444444", lw=1.6)
        ax.axhline(0, color="#999999", lw=0.8)
        ax.fill_between(g["date"], g["gap"], 0, step="post", color=COLORS["nvidia"], alpha=0.15)
        mb = months.get(bid)
        note = ""
        if mb:
            note = "domestic best not yet reached by Nvidia-trained" if mb["months"] is None else f"months behind: {months_text(mb)}"
        ax.set_title(plain(f"{names[bid]}: Nvidia frontier minus domestic frontier ({units[bid]}){'; ' + note if note else ''}"), fontsize=9)
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m"))
    fig.tight_layout()
    _footnote(fig, footnote)
    return save(fig, folder, stem)


@cached
def best_now_chart(best: dict[str, pd.DataFrame], names: dict[str, str], units: dict[str, str], footnote: str,
                   folder: Path, stem: str = "best_now") -> str:
    classes = ["domestic", "nvidia", "other"]
    n = max(len(best), 1)
    cols = min(n, 3)
    rows = int(np.ceil(n / cols))
    fig, axes = _figure(rows, cols, figsize=(3.6 * cols, 2.9 * rows), squeeze=False)
    for ax in axes.flat[n:]:
        ax.axis("off")
    for ax, (bid, b) in zip(axes.flat, best.items(), strict=False):
        b = b.set_index("hardware_class")
        vals = [b["score"].get(c, np.nan) for c in classes]
        ax.bar(range(3), [0 if np.isnan(v) else v for v in vals], color=[COLORS[c] for c in classes])
        lo = np.nanmin(vals) if not np.all(np.isnan(vals)) else 0
        if units[bid].startswith("Arena"):
            ax.set_ylim(lo - 100, np.nanmax(vals) + 40)
        for i, c in enumerate(classes):
            name = b["display_name"].get(c, "none")
            ax.text(i, 0.02, plain(name if len(name) < 24 else name[:22] + "…"), rotation=90, ha="center", va="bottom",
                    fontsize=6.5, color="white" if not np.isnan(vals[i]) else "#555", transform=ax.get_xaxis_transform())
        ax.set_xticks(range(3), ["domestic", "Nvidia", "other"])
        ax.set_title(plain(names[bid]), fontsize=9)
        ax.set_ylabel(plain(units[bid]), fontsize=7)
    fig.tight_layout()
    _footnote(fig, footnote)
    return save(fig, folder, stem)


@cached
def adoption_chart(period: pd.DataFrame, by_lab: pd.DataFrame, country: str, footnote: str, folder: Path,
                   stem: str = "adoption") -> str:
    classes = ["domestic", "mixed", "nvidia", "other", "unknown"]
    fig, (a1, a2) = _figure(1, 2, figsize=(11, 4.2), gridspec_kw={"width_ratios": [1, 1.2]})
    for ax, t, key in ((a1, period, "period"), (a2, by_lab.head(15).iloc[::-1], "developer")):
        if t.empty:
            ax.text(0.5, 0.5, "no data", ha="center", transform=ax.transAxes)
            continue
        totals = t[classes].sum(axis=1).replace(0, 1)
        left = np.zeros(len(t))
        for c in classes:
            share = (t[c] / totals).to_numpy() if key == "period" else t[c].to_numpy()
            if key == "period":
                ax.bar(t[key].map(plain), share, bottom=left, color=COLORS[c], label=c)
            else:
                ax.barh(t[key].map(plain), share, left=left, color=COLORS[c], label=c)
            left += share
        if key == "period":
            for i, n in enumerate(t[classes].sum(axis=1)):
                ax.text(i, 1.01, f"n={n}", ha="center", fontsize=7)
            ax.tick_params(axis="x", labelrotation=45, labelsize=7)
            ax.set_ylabel("share of models")
            ax.set_title(plain(f"{country} developers' models by training hardware"))
        else:
            ax.set_xlabel("models")
            ax.set_title("per lab")
    a1.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(0, -0.2), ncol=5)
    fig.tight_layout()
    _footnote(fig, footnote)
    return save(fig, folder, stem)


@cached
def chips_chart(rows: pd.DataFrame, footnote: str, folder: Path, stem: str = "chips") -> str:
    """rows: model display_name, accelerator (display), chip_count (may be NaN), hardware_class, and optionally status
    (a contested claim is drawn hatched and labelled)."""
    fig, ax = _figure(figsize=(9, max(2.5, 0.28 * len(rows) + 1)))
    if rows.empty:
        ax.text(0.5, 0.5, "no domestic-trained model in the registry", ha="center", transform=ax.transAxes)
    else:
        r = rows.iloc[::-1].reset_index(drop=True)
        counts = r["chip_count"].fillna(0).to_numpy(dtype=float)
        contested = (r["status"] == "contested").to_numpy() if "status" in r else np.zeros(len(r), dtype=bool)
        bars = ax.barh(range(len(r)), np.where(counts > 0, counts, np.nan), color=[COLORS[c] for c in r["hardware_class"]])
        for bar, weak in zip(bars, contested, strict=True):
            if weak:
                bar.set_alpha(0.45)
                bar.set_hatch("///")
        labels = [f"{m}  [{a}]" + (" · contested" if weak else "")
                  for m, a, weak in zip(r["display_name"], r["accelerator"], contested, strict=True)]
        ax.set_yticks(range(len(r)), [plain(x) for x in labels], fontsize=7)
        ax.set_xscale("log")
        ax.set_xlim(10, max(counts.max(), 100) * 3)
        for i, c in enumerate(counts):
            if c > 0:
                ax.text(c, i, f" {int(c):,}", va="center", fontsize=7)
            else:
                ax.text(0.01, i, "chip count not stated", va="center", fontsize=7, color="#777777",
                        transform=ax.get_yaxis_transform())
        ax.set_xlabel("chips used in training (log scale)")
    ax.set_title("Which domestic accelerators trained which models")
    _footnote(fig, footnote)
    return save(fig, folder, stem)


@cached
def compute_chart(pts: pd.DataFrame, title: str, unit: str, footnote: str, folder: Path, stem: str = "compute") -> str:
    fig, ax = _figure(figsize=(8, 4.8))
    for cls in ["unknown", "mixed", "other", "nvidia", "domestic"]:
        p = pts[pts["hardware_class"] == cls]
        if len(p):
            ax.scatter(p["training_compute_flop"], p["score"], color=COLORS[cls], marker=MARKERS[cls], s=22, label=f"{LABELS[cls]} ({len(p)})")
    if pts.empty:
        ax.text(0.5, 0.5, "no model with both a score and a compute estimate", ha="center", transform=ax.transAxes)
    else:
        ax.set_xscale("log")
        _legend_best(ax, fontsize=7, frameon=False)
    ax.set_xlabel("training compute (FLOP, Epoch AI estimate)")
    ax.set_ylabel(plain(unit))
    ax.set_title(plain(title))
    _footnote(fig, footnote)
    return save(fig, folder, stem)


@cached
def coverage_chart(cov: pd.DataFrame, names: dict[str, str], footnote: str, folder: Path, stem: str = "coverage") -> str:
    classes = ["domestic", "nvidia", "other", "mixed", "unknown"]
    cov = cov.astype({k: "int64" for k in classes})
    c = cov.assign(_t=cov[classes].sum(axis=1)).sort_values(["domestic", "_t"], ascending=True, kind="mergesort")
    fig, ax = _figure(figsize=(9, max(3, 0.24 * len(c) + 1)))
    left = np.zeros(len(c))
    for cls in classes:
        ax.barh([plain(names.get(b, b)) for b in c["benchmark_id"]], c[cls], left=left, color=COLORS[cls], label=cls)
        left += c[cls].to_numpy()
    ax.set_xlabel("models with a score")
    ax.set_title("Coverage: models per benchmark by training hardware")
    ax.legend(fontsize=7, frameon=False, loc="lower right")
    ax.tick_params(axis="y", labelsize=7)
    _footnote(fig, footnote)
    return save(fig, folder, stem)


@cached
def own_numbers_chart(own: pd.DataFrame, footnote: str, folder: Path, stem: str = "own_numbers") -> str:
    """own: analysis.own_numbers rows with a gap (percent-unit benchmarks): one line per model and published table,
    a dot per benchmark at its gap to the best Nvidia-trained peer of that table; the median marked."""
    df = own.dropna(subset=["gap"])
    groups = list(df.groupby(["as_of", "display_name", "table"], sort=True)) if len(df) else []
    fig, ax = _figure(figsize=(9, max(2.6, 0.42 * len(groups) + 1.4)))
    if not groups:
        ax.axis("off")
        ax.text(0.5, 0.5, "No developer-reported table compares a domestic-trained model with an Nvidia-trained peer.",
                ha="center", va="center", fontsize=10)
    else:
        labels = []
        for i, ((date, name, table), g) in enumerate(groups):
            cls = g["hardware_class"].iloc[0]
            ax.scatter(g["gap"], np.full(len(g), i), s=18, color=COLORS.get(cls, COLORS["unknown"]), alpha=0.7, zorder=3)
            ax.scatter([g["gap"].median()], [i], s=90, marker="|", color="#222222", zorder=4)
            labels.append(plain(f"{name} ({date[:7]}, {textwrap.shorten(table, 28, placeholder='…')}; n={len(g)})"))
        ax.axvline(0, color="#777777", lw=0.8)
        ax.set_yticks(range(len(groups)), labels, fontsize=7)
        ax.set_ylim(-0.7, len(groups) - 0.3)
        ax.set_xlabel("points behind the best Nvidia-trained peer in the same table (negative: ahead); bar = median")
    ax.set_title("By their own numbers: domestic-trained models vs Nvidia-trained peers (developer-reported)")
    _footnote(fig, footnote)
    return save(fig, folder, stem)
