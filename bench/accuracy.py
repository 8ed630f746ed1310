"""Accuracy benchmark: linesift vs the extractors people use, on the fixed dev split.

Run from the repository root::

    python bench/accuracy.py --corpora ../shared/corpora [--model PATH] [--max-pages N]

For every labelled dev page (``training.corpus.iter_corpus(split="dev")``) every
system gets the same raw HTML bytes and its output is scored as body-token
precision / recall / F1 (CJK one token per character, other scripts per word;
``training.evaluate.token_f1``), averaged over pages, separately per language.

Two references are scored:

* **labels**: ``gold_text(page)``, the body lines of the labelled dev page, i.e.
  the hand labels where a page has them (all Chinese news pages) and the gold
  alignment otherwise. This is what linesift is trained to produce.
* **original**: the corpus's own gold text where the page has one
  (``Archives.gold``), CleanEval markers stripped and HTML gold turned into
  text by ``training.corpus.gold_plain``. This is the number comparable to
  published benchmarks; hand-labelled pages without a gold file are absent.

It also reports linesift's per-class line P/R/F1, macro F1 and confusion
matrix in text mode and HTML mode (``training.evaluate.evaluate``).

It measures only: targets are printed beside the figures, never asserted.
Output: ``<out>/accuracy.md`` (also printed) and ``<out>/accuracy.png``; a
full run (no ``--max-pages``) into the default ``--out`` also refreshes the
table block in bench/README.md.
"""
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import importlib.metadata
import io
import logging
import signal
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from model.classify import sha256_file  # noqa: E402
from model.errors import LinesiftError  # noqa: E402
from model.records import LABELS, Page  # noqa: E402

#: Targets from the issue; reported beside the measured figures, never asserted.
TARGET_BODY_F1 = {"zh": 0.95, "en": 0.96}
TARGET_TEXT_MACRO_F1 = 0.90
TARGET_CLASS_F1 = {"links": 0.90, "chrome": 0.90}

#: Seconds one anchor may spend on one page before it counts as an error (a hang, not a slow page).
ANCHOR_TIMEOUT_DEFAULT = 60

#: Best-system F1 below this on a page means the reference (not the systems) is suspect.
SUSPECT_REFERENCE_F1 = 0.5

OUT_DEFAULT = ROOT / "bench" / "results"
README = ROOT / "bench" / "README.md"
README_START = "<!-- accuracy:start -->"
README_END = "<!-- accuracy:end -->"

REFERENCES = {
    "labels": "labelled dev reference: `gold_text(page)` (hand labels / gold alignment)",
    "original": "the corpus's original gold text (`Archives.gold` via `gold_plain`), pages that have one",
}


# --- samples -----------------------------------------------------------------

@dataclass
class Sample:
    """One dev page as every system sees it, with both references."""

    id: str
    lang: str
    subset: str
    labels: str  # "hand" or "auto": where the labelled reference comes from
    raw: bytes
    text: str  # decoded by linesift's own decode_bytes
    url: str | None
    reference: str
    original: str | None
    page: Page  # the labelled page, for the line metrics


def lang_group(lang: str | None) -> str:
    return lang if lang in ("zh", "en") else "other"


def load_samples(corpora: Path, labels_dir: Path, max_pages: int | None, log) -> tuple[list[Sample], dict]:
    from model.read import decode_bytes
    from training.corpora import Archives, load_index
    from training.corpus import CorpusStats, gold_plain, iter_corpus
    from training.evaluate import gold_text, tokens

    # ids repeat across subsets of one archive (Dragnet "15" and CleanEval "15"): key by subset too
    entries = {(e.archive, e.subset, e.id): e for e in load_index(corpora)}
    archives = Archives(corpora)
    stats = CorpusStats()
    samples = []
    for page in iter_corpus(corpora, labels_dir, split="dev", max_pages=max_pages, log=log, stats=stats):
        entry = entries[(page.metadata["archive"], page.metadata["subset"], page.id)]
        raw = archives.html(entry)
        text, _ = decode_bytes(raw, name=entry.id)
        gold = archives.gold(entry)
        original = gold_plain(entry, gold).get("body", "") if gold else None
        if original is not None and not tokens(original):
            original = None  # an empty gold file says nothing about a page that has an article
        samples.append(Sample(id=page.id, lang=lang_group(page.lang), subset=entry.subset,
                              labels=page.metadata.get("labels", "?"), raw=raw, text=text, url=entry.url,
                              reference=gold_text(page), original=original, page=page))
    return samples, stats.summary()


# --- the systems ---------------------------------------------------------------

_BLOCK_TAGS = frozenset("""address article aside blockquote body br dd details div dl dt fieldset figcaption
figure footer form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section table td th tr ul""".split())


def html_to_text(fragment: str) -> str:
    """Visible text of an HTML fragment with a newline at every block boundary.

    ``text_content()`` alone glues ``<p>end</p><p>Next`` into one word, which
    would cost an anchor tokens it did extract.
    """
    import lxml.html

    if not fragment or not fragment.strip():
        return ""
    root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        if el.tag in ("script", "style"):
            el.text = ""
        if el.tag in _BLOCK_TAGS:
            el.text = "\n" + (el.text or "")
            el.tail = "\n" + (el.tail or "")
    return root.text_content()


def run_trafilatura(html: str | bytes, lang: str) -> str:
    import trafilatura

    return trafilatura.extract(html) or ""


def run_trafilatura_recall(html: str | bytes, lang: str) -> str:
    import trafilatura

    return trafilatura.extract(html, favor_recall=True) or ""


def run_readability(html: str | bytes, lang: str) -> str:
    from readability import Document

    return html_to_text(Document(html).summary())


def run_justext(html: str | bytes, lang: str) -> str:
    import justext

    if lang == "en":
        paragraphs = justext.justext(html, justext.get_stoplist("English"))
    else:
        # jusText ships no Chinese stoplist. Its language-independent mode is an
        # empty stoplist with both stopword thresholds at 0 (what its CLI does for
        # `-s None`); with the default thresholds every paragraph would be boilerplate.
        paragraphs = justext.justext(html, frozenset(), stopwords_low=0, stopwords_high=0)
    return "\n".join(p.text for p in paragraphs if not p.is_boilerplate)


def run_gne(html: str, lang: str) -> str:
    from gne import GeneralNewsExtractor

    return GeneralNewsExtractor().extract(html).get("content") or ""


def run_boilerpy3(html: str, lang: str) -> str:
    from boilerpy3 import extractors

    return extractors.ArticleExtractor().get_content(html) or ""


def run_resiliparse(html: str, lang: str) -> str:
    from resiliparse.extract.html2text import extract_plain_text

    return extract_plain_text(html, main_content=True) or ""


@dataclass(frozen=True)
class Anchor:
    name: str
    run: Callable[[str | bytes, str], str]
    call: str  # how it is called, for the report
    package: str
    takes_bytes: bool  # accepts raw bytes and decodes them itself (used with --anchor-input bytes)


ANCHORS = (
    Anchor("trafilatura", run_trafilatura, "`trafilatura.extract(html)`", "trafilatura", True),
    Anchor("trafilatura (favor_recall)", run_trafilatura_recall,
           "`trafilatura.extract(html, favor_recall=True)`", "trafilatura", True),
    Anchor("readability-lxml", run_readability,
           "`Document(html).summary()`, then the text of that HTML (a newline at each block)", "readability-lxml",
           True),
    Anchor("jusText", run_justext,
           "`justext.justext(html, justext.get_stoplist(\"English\"))` for en; for zh (and other) its "
           "language-independent mode `justext.justext(html, frozenset(), stopwords_low=0, stopwords_high=0)`; "
           "non-boilerplate paragraphs joined by newlines", "justext", True),
    Anchor("GNE", run_gne, "`GeneralNewsExtractor().extract(html)[\"content\"]` (content only, no title)", "gne",
           False),
    Anchor("boilerpy3", run_boilerpy3, "`extractors.ArticleExtractor().get_content(html)`", "boilerpy3", False),
    Anchor("resiliparse", run_resiliparse, "`extract_plain_text(html, main_content=True)`", "resiliparse", False),
)
LINESIFT = "linesift"


class _Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise _Timeout()


def run_linesift(samples: Sequence[Sample], model) -> list[tuple[str | None, str | None]]:
    """(text, error) per sample, by the code path of ``linesift clean`` (auto input format, body kept)."""
    from model.batch import error_page, label_pages
    from model.read import page_from_bytes
    from model.write import page_text

    def pages():
        for s in samples:
            try:
                yield page_from_bytes(s.raw, id=s.id, input_format="auto")
            except LinesiftError as exc:
                yield error_page(s.id, exc, kind="read")

    return [(None, page.error) if page.error is not None else (page_text(page), None)
            for page in label_pages(pages(), model)]


#: Loggers of the anchors: their per-page warnings would drown the run log (errors are counted instead).
ANCHOR_LOGGERS = ("boilerpy3", "trafilatura", "readability", "readability.readability", "htmldate", "courlan",
                  "justext", "gne")


def quiet_anchors() -> None:
    for name in ANCHOR_LOGGERS:
        logging.getLogger(name).setLevel(logging.CRITICAL + 1)


def run_anchor(anchor: Anchor, s: Sample, timeout: int, *, raw_bytes: bool = False) -> tuple[str | None, str | None]:
    """(text, None) or (None, error message); a raising or hanging anchor scores 0 on the page.

    The anchor gets the page decoded by linesift's ``decode_bytes``, or with
    ``raw_bytes`` the raw bytes when it accepts bytes.
    """
    html = s.raw if raw_bytes and anchor.takes_bytes else s.text
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(timeout)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            return anchor.run(html, s.lang), None
    except _Timeout:
        return None, f"timeout after {timeout}s"
    except Exception as exc:  # noqa: BLE001 - an anchor's failure is a measured outcome, counted
        return None, f"{type(exc).__name__}: {str(exc)[:120]}"
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


# --- scoring -------------------------------------------------------------------

@dataclass
class Score:
    """One system on one page."""

    labels: tuple[float, float, float]
    original: tuple[float, float, float] | None
    error: str | None
    empty: bool


@dataclass
class SystemRun:
    name: str
    scores: list[Score] = field(default_factory=list)
    seconds: float = 0.0
    errors: Counter = field(default_factory=Counter)


def score(text: str | None, s: Sample, error: str | None) -> Score:
    from training.evaluate import token_f1

    if text is None:
        zero = (0.0, 0.0, 0.0)
        return Score(zero, zero if s.original is not None else None, error or "no output", True)
    return Score(token_f1(text, s.reference),
                 token_f1(text, s.original) if s.original is not None else None,
                 None, not text.strip())


def mean_prf(rows: list[tuple[float, float, float]]) -> tuple[float, float, float, int]:
    if not rows:
        return float("nan"), float("nan"), float("nan"), 0
    n = len(rows)
    return sum(r[0] for r in rows) / n, sum(r[1] for r in rows) / n, sum(r[2] for r in rows) / n, n


def summarise(run: SystemRun, samples: Sequence[Sample], lang: str, ref: str) -> tuple[float, float, float, int]:
    rows = [getattr(sc, ref) for sc, s in zip(run.scores, samples) if s.lang == lang]
    return mean_prf([r for r in rows if r is not None])


# --- report --------------------------------------------------------------------

def _f(x: float) -> str:
    return "–" if x != x else f"{x:.3f}"  # NaN -> dash


def body_table(runs: Sequence[SystemRun], samples: Sequence[Sample], langs: Sequence[str], ref: str) -> list[str]:
    head = "| system | " + " | ".join(f"{lg} P | {lg} R | **{lg} F1**" for lg in langs) + " |"
    out = [head, "|---|" + "---:|" * (3 * len(langs))]
    for run in runs:
        cells = []
        for lg in langs:
            p, r, f, _ = summarise(run, samples, lg, ref)
            cells += [_f(p), _f(r), f"**{_f(f)}**" if run.name == LINESIFT else _f(f)]
        name = f"**{run.name}**" if run.name == LINESIFT else run.name
        out.append(f"| {name} | " + " | ".join(cells) + " |")
    counts = []
    for lg in langs:
        n = sum(1 for s in samples if s.lang == lg and (ref == "labels" or s.original is not None))
        counts.append(f"{lg}: {n} pages")
    out.append("")
    out.append(f"Reference: {REFERENCES[ref]}. " + ", ".join(counts) + ".")
    return out


def runs_table(runs: Sequence[SystemRun], samples: Sequence[Sample], langs: Sequence[str]) -> list[str]:
    out = ["| system | errors | empty outputs | seconds | ms/page | most common error |", "|---|---:|---:|---:|---:|---|"]
    for run in runs:
        errors = sum(1 for sc in run.scores if sc.error)
        empty = sum(1 for sc in run.scores if sc.empty and not sc.error)
        common = run.errors.most_common(1)
        common_txt = f"{common[0][0]} ({common[0][1]}×)".replace("|", "/") if common else ""
        out.append(f"| {run.name} | {errors} | {empty} | {run.seconds:.1f} | "
                   f"{1000 * run.seconds / max(1, len(samples)):.0f} | {common_txt} |")
    return out


def line_tables(title: str, report) -> list[str]:
    out = [f"**{title}** — {report.n_pages} pages, {report.n_lines} lines; "
           f"macro F1 **{report.macro_f1:.3f}** over the classes present in the gold "
           f"(DummyClassifier prior: {report.baseline_macro_f1:.3f})", "",
           "| label | precision | recall | F1 | support |", "|---|---:|---:|---:|---:|"]
    for lab, m in report.per_class.items():
        out.append(f"| {lab} | {m['precision']:.3f} | {m['recall']:.3f} | {m['f1']:.3f} | {m['support']} |")
    out += ["", "Confusion (rows = gold, columns = predicted):", "",
            "| gold \\ pred | " + " | ".join(LABELS) + " |", "|---|" + "---:|" * len(LABELS)]
    for lab, row in zip(LABELS, report.confusion):
        out.append(f"| {lab} | " + " | ".join(str(v) for v in row) + " |")
    return out


def targets_table(runs: Sequence[SystemRun], samples: Sequence[Sample], text_all) -> list[str]:
    lines = ["| goal | measured | target | met |", "|---|---:|---:|---|"]
    linesift = next(r for r in runs if r.name == LINESIFT)
    for lg, target in TARGET_BODY_F1.items():
        f = summarise(linesift, samples, lg, "labels")[2]
        best = max(((summarise(r, samples, lg, "labels")[2], r.name) for r in runs if r.name != LINESIFT),
                   key=lambda t: -1 if t[0] != t[0] else t[0])
        met = "–" if f != f else ("yes" if f >= target else "no")
        lines.append(f"| {lg} body-token F1 (labels reference) | {_f(f)} | ≥ {target} | {met} |")
        ahead = "–" if f != f or best[0] != best[0] else ("yes" if f > best[0] else "no")
        lines.append(f"| {lg}: ahead of every anchor (best: {best[1]} {_f(best[0])}) | {_f(f)} | > {_f(best[0])} | {ahead} |")
    if text_all is not None:
        m = text_all.macro_f1
        lines.append(f"| text-mode macro F1 (all dev) | {m:.3f} | ≥ {TARGET_TEXT_MACRO_F1} | "
                     f"{'yes' if m >= TARGET_TEXT_MACRO_F1 else 'no'} |")
        for lab, target in TARGET_CLASS_F1.items():
            f1 = text_all.per_class[lab]["f1"]
            lines.append(f"| text-mode `{lab}` F1 | {f1:.3f} | ≥ {target} | {'yes' if f1 >= target else 'no'} |")
        if text_all.per_class["spam"]["support"] == 0:
            lines.append("")
            lines.append("The dev gold has no whole-line `spam` lines, so \"4-class\" macro F1 is over the 3 classes "
                         "present (spam in dev is measured by bench/spam.py).")
    return lines


def suspect_pages(runs: Sequence[SystemRun], samples: Sequence[Sample]) -> list[str]:
    """Pages where even the best system is far from a reference: the reference may be wrong."""
    out = []
    for ref in ("labels", "original"):
        rows = []
        for i, s in enumerate(samples):
            vals = [(getattr(r.scores[i], ref), r.name) for r in runs if getattr(r.scores[i], ref) is not None]
            if not vals:
                continue
            best = max(vals, key=lambda v: v[0][2])
            if best[0][2] < SUSPECT_REFERENCE_F1:
                ref_text = s.reference if ref == "labels" else (s.original or "")
                from training.evaluate import tokens

                rows.append(f"| {ref} | {s.lang} | {s.subset} | {s.labels} | `{s.id[:40]}` | {len(tokens(ref_text))} | "
                            f"{best[1]} {best[0][2]:.2f} (P {best[0][0]:.2f} R {best[0][1]:.2f}) |")
        out += rows
    if not out:
        return [f"No page has every system below F1 {SUSPECT_REFERENCE_F1} against either reference."]
    return ["| reference | lang | subset | labels | page id | reference tokens | best system F1 |",
            "|---|---|---|---|---|---:|---|"] + out


def worst_linesift(runs: Sequence[SystemRun], samples: Sequence[Sample], k: int = 10) -> list[str]:
    linesift = next(r for r in runs if r.name == LINESIFT)
    order = sorted(range(len(samples)), key=lambda i: linesift.scores[i].labels[2])[:k]
    out = ["| lang | subset | labels | page id | P | R | F1 | best anchor F1 |", "|---|---|---|---|---:|---:|---:|---|"]
    for i in order:
        s, sc = samples[i], linesift.scores[i]
        best = max(((r.scores[i].labels[2], r.name) for r in runs if r.name != LINESIFT))
        out.append(f"| {s.lang} | {s.subset} | {s.labels} | `{s.id[:40]}` | {sc.labels[0]:.2f} | {sc.labels[1]:.2f} | "
                   f"{sc.labels[2]:.2f} | {best[1]} {best[0]:.2f} |")
    return out


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "?"




def render(*, runs, samples, langs, line_reports, meta) -> str:
    md = ["# linesift accuracy benchmark", "",
          f"Run {meta['date']} by `{meta['command']}` in {meta['runtime']:.0f} s.", "",
          f"- model: `{meta['model_path']}` sha256 `{meta['model_sha']}` (linesift {meta['linesift']})",
          f"- corpus: `INDEX.jsonl` sha256 `{meta['index_sha'][:16]}…`, {meta['index_size']} entries; dev split "
          f"pages scored: {len(samples)} ({', '.join(f'{lg} {sum(s.lang == lg for s in samples)}' for lg in langs)}); "
          f"digest of the scored page ids `{meta['ids_sha'][:16]}…`"
          + (f"; **sample of {meta['max_pages']} (--max-pages), not the full dev split**" if meta["max_pages"] else ""),
          f"- dev pages left out by the corpus builder: {meta['skipped'] or 'none'}",
          "- metric: body-token precision / recall / F1 per page (bag of tokens: CJK one token per character, "
          "other scripts per word, lower-cased), **mean over pages**; a system that raises or times out on a page "
          "scores 0 on it.",
          "- inputs: every system starts from the same raw bytes. linesift reads them itself; "
          + ("the anchors get them decoded by linesift's own `model.read.decode_bytes` (`--anchor-input text`), "
             "so every system sees the same, correctly decoded text."
             if meta["anchor_input"] == "text" else
             "trafilatura, readability-lxml and jusText get the raw bytes and decode them themselves "
             "(`--anchor-input bytes`); GNE, boilerpy3 and resiliparse need `str` and get the bytes decoded by "
             "linesift's `model.read.decode_bytes`."),
          "- linesift is run on the code path of `linesift clean` (auto input format, `--keep body`).", ""]
    md += ["## Body-token F1 against the labelled dev reference", ""]
    md += body_table(runs, samples, langs, "labels")
    md += ["", "## Body-token F1 against the corpus's original gold", ""]
    md += body_table(runs, samples, langs, "original")
    md += ["", "Original gold is what the benchmark authors published: CleanEval/CleanPortalEval text with its "
           "`URL:` line and `<p>`/`<h>`/`<l>` markers removed, L3S-GN1 spans 1–3 (headline, full text, "
           "supplemental), Readability's expected HTML as text, Dragnet's content up to its comments marker (since "
           "2026-12-03; the reader comments after the marker are not main text), the others as given. Several of "
           "these golds omit "
           "the headline, which every system that keeps it pays for in precision.", ""]
    md += ["## Targets (measured, not asserted)", ""]
    md += targets_table(runs, samples, line_reports.get(("text", "all")))
    md += ["", "## linesift line classification", ""]
    for mode in ("text", "html"):
        for lg in ["all", *langs]:
            rep = line_reports.get((mode, lg))
            if rep is not None and rep.n_pages:
                md += line_tables(f"{mode} mode, {lg}", rep) + [""]
    md += ["Text mode = the dev pages as text dumps (`as_text_page`: same lines, no markup); HTML mode = the "
           "labelled pages as segmented from their HTML.", ""]
    md += ["## Runs", ""]
    md += runs_table(runs, samples, langs)
    md += ["", "How each anchor is called:", ""]
    for a in ANCHORS:
        md.append(f"- {a.name} {_version(a.package)}: {a.call}")
    md += ["", "## Pages to look at", "",
           f"Pages where even the best system scores below F1 {SUSPECT_REFERENCE_F1} (the reference itself may be "
           "wrong or misaligned):", ""]
    md += suspect_pages(runs, samples)
    md += ["", "linesift's ten worst pages (labels reference):", ""]
    md += worst_linesift(runs, samples)
    return "\n".join(md) + "\n"


def chart(path: Path, runs: Sequence[SystemRun], samples: Sequence[Sample], langs: Sequence[str]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    fig, axes = plt.subplots(1, 2, figsize=(14, 4.8), sharey=True)
    x = np.arange(len(runs))
    width = 0.8 / max(1, len(langs))
    colours = {"zh": "#d62728", "en": "#1f77b4", "other": "#7f7f7f"}
    for ax, ref in zip(axes, ("labels", "original")):
        for k, lg in enumerate(langs):
            vals = [summarise(r, samples, lg, ref)[2] for r in runs]
            vals = [0.0 if v != v else v for v in vals]
            bars = ax.bar(x + (k - (len(langs) - 1) / 2) * width, vals, width, label=lg, color=colours.get(lg))
            ax.bar_label(bars, fmt="%.2f", fontsize=6, padding=1)
        for lg, target in TARGET_BODY_F1.items():
            if lg in langs:
                ax.axhline(target, color=colours[lg], linestyle=":", linewidth=0.8)
        ax.set_xticks(x, [r.name.replace(" (", "\n(") for r in runs], rotation=30, ha="right", fontsize=8)
        ax.set_ylim(0, 1.05)
        ax.set_title("reference: labelled dev text" if ref == "labels" else "reference: corpus's original gold")
        ax.grid(axis="y", alpha=0.3)
    axes[0].set_ylabel("body-token F1 (mean over pages)")
    axes[1].legend(title="language", loc="upper left", bbox_to_anchor=(1.0, 1.0))
    fig.suptitle(f"linesift vs anchors on the dev split ({len(samples)} pages; dotted: targets)")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def update_readme(table_md: str) -> bool:
    """Replace the block between the accuracy markers in bench/README.md; False if there are none."""
    if not README.exists():
        return False
    text = README.read_text(encoding="utf-8")
    start, end = text.find(README_START), text.find(README_END)
    if start < 0 or end < start:
        return False
    README.write_text(text[:start + len(README_START)] + "\n" + table_md.rstrip() + "\n" + text[end:], encoding="utf-8")
    return True


# --- running the anchors ---------------------------------------------------------

#: The samples a forked worker reads (set before the pool starts; fork shares them, nothing is pickled).
_WORK: dict = {}


def _anchor_page(i: int) -> list[tuple[Score, float]]:
    """Every anchor on sample ``i``: (score, seconds) per anchor, in ``ANCHORS`` order."""
    s = _WORK["samples"][i]
    out = []
    for anchor in ANCHORS:
        t = time.perf_counter()
        text, err = run_anchor(anchor, s, _WORK["timeout"], raw_bytes=_WORK["raw_bytes"])
        out.append((score(text, s, err), time.perf_counter() - t))
    return out


def run_anchors(samples: Sequence[Sample], *, timeout: int, raw_bytes: bool, jobs: int, log) -> list[SystemRun]:
    """All anchors on all samples; page by page in ``jobs`` forked processes.

    A system's seconds are the sum of its per-page times, so they do not
    depend on ``jobs`` (beyond the machine being busier).
    """
    import multiprocessing

    for module in ("trafilatura", "readability", "justext", "gne", "boilerpy3", "resiliparse.extract.html2text"):
        importlib.import_module(module)  # import once, before timing and before forking
    _WORK.update(samples=samples, timeout=timeout, raw_bytes=raw_bytes)
    runs = [SystemRun(a.name) for a in ANCHORS]
    if jobs > 1:
        pool = multiprocessing.get_context("fork").Pool(jobs, initializer=quiet_anchors)
        results = pool.imap(_anchor_page, range(len(samples)), chunksize=2)
    else:
        pool, results = None, map(_anchor_page, range(len(samples)))
    try:
        for k, per_anchor in enumerate(results, start=1):
            for run, (sc, seconds) in zip(runs, per_anchor):
                run.scores.append(sc)
                run.seconds += seconds
                if sc.error:
                    run.errors[sc.error.split(":")[0]] += 1
            if k % 100 == 0:
                log(f"  anchors: {k}/{len(samples)} pages")
    finally:
        if pool is not None:
            pool.close()
            pool.join()
    return runs


# --- main ----------------------------------------------------------------------

def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpora", type=Path, required=True, help="Folder with INDEX.jsonl and the archives.")
    ap.add_argument("--model", type=Path, default=None, help="Model file (default: the bundled model).")
    ap.add_argument("--labels", type=Path, default=ROOT / "data" / "labels", help="Folder of hand labels.")
    ap.add_argument("--max-pages", type=int, default=None,
                    help="Score an evenly spaced sample of at most N dev pages (quick runs).")
    ap.add_argument("--out", type=Path, default=OUT_DEFAULT, help="Where accuracy.md and accuracy.png go.")
    ap.add_argument("--anchor-timeout", type=int, default=ANCHOR_TIMEOUT_DEFAULT,
                    help="Seconds an anchor may spend on one page before it counts as an error.")
    ap.add_argument("--anchor-input", choices=("text", "bytes"), default="text",
                    help="text: every anchor gets the page decoded by linesift's decode_bytes (default); bytes: "
                         "anchors that accept bytes (trafilatura, readability, jusText) get the raw bytes and "
                         "decode them themselves.")
    ap.add_argument("--jobs", type=int, default=2, help="Processes running the anchors (default 2).")
    ap.add_argument("--per-page", type=Path, default=None,
                    help="Also write per-page scores (ids and numbers, no text) as TSV here.")
    ap.add_argument("--no-readme", action="store_true", help="Never touch bench/README.md.")
    args = ap.parse_args(list(argv))
    if args.max_pages is not None and args.max_pages < 1:
        ap.error(f"--max-pages must be >= 1, got {args.max_pages}")
    if args.jobs < 1:
        ap.error(f"--jobs must be >= 1, got {args.jobs}")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    log = lambda msg: print(msg, file=sys.stderr, flush=True)  # noqa: E731
    from model.classify import DEFAULT_MODEL_PATH, load_model
    from training.evaluate import evaluate
    from training.train import as_text_page

    if args.model is None and not DEFAULT_MODEL_PATH.exists():
        log(f"accuracy: no bundled model at {DEFAULT_MODEL_PATH}; give one with --model PATH")
        return 2
    try:
        model = load_model(args.model)
    except LinesiftError as exc:
        log(f"accuracy: {exc}")
        return 2
    model_path = args.model or DEFAULT_MODEL_PATH

    t0 = time.perf_counter()
    log("reading the dev split …")
    samples, corpus_stats = load_samples(args.corpora, args.labels, args.max_pages, log)
    if not samples:
        log("accuracy: no labelled dev pages found")
        return 1
    langs = [lg for lg in ("zh", "en", "other") if any(s.lang == lg for s in samples)]
    log(f"{len(samples)} dev pages ({', '.join(f'{lg} {sum(s.lang == lg for s in samples)}' for lg in langs)}) "
        f"in {time.perf_counter() - t0:.0f} s")

    quiet_anchors()
    runs: list[SystemRun] = []
    log("linesift …")
    run = SystemRun(LINESIFT)
    t = time.perf_counter()
    outputs = run_linesift(samples, model)
    run.seconds = time.perf_counter() - t
    for (text, err), s in zip(outputs, samples):
        if err:
            run.errors[err.split(":", 1)[-1].strip()[:60]] += 1
        run.scores.append(score(text, s, err))
    runs.append(run)
    failed = [err for _, err in outputs if err]
    if len(failed) > len(samples) // 2:
        log(f"accuracy: linesift failed on {len(failed)} of {len(samples)} pages; the model probably does not fit "
            f"this code (retrain it). First error: {failed[0]}")
        return 1

    log(f"{len(ANCHORS)} anchors on {args.jobs} process(es) …")
    runs += run_anchors(samples, timeout=args.anchor_timeout, raw_bytes=args.anchor_input == "bytes",
                        jobs=args.jobs, log=log)

    log("line metrics …")
    line_reports = {}
    pages_by = {"all": [s.page for s in samples], **{lg: [s.page for s in samples if s.lang == lg] for lg in langs}}
    for lg, pages in pages_by.items():
        html_pages = [p for p in pages if p.source == "html"]
        if pages:
            line_reports[("text", lg)] = evaluate(model, [as_text_page(p) for p in pages])
        if html_pages:
            line_reports[("html", lg)] = evaluate(model, html_pages)

    index = Path(args.corpora) / "INDEX.jsonl"
    meta = {
        "date": dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "command": "python bench/accuracy.py " + " ".join(sys.argv[1:] if argv is None else argv),
        "runtime": time.perf_counter() - t0,
        "model_path": model_path,
        "model_sha": model.manifest.get("sha256", "?"),
        "linesift": model.manifest.get("linesift_version", _version("linesift")),
        "index_sha": sha256_file(index),
        "index_size": sum(1 for _ in index.open(encoding="utf-8")),
        "ids_sha": hashlib.sha256("\n".join(sorted(s.id for s in samples)).encode()).hexdigest(),
        "max_pages": args.max_pages,
        "anchor_input": args.anchor_input,
        "skipped": ", ".join(f"{k} ×{v}" for k, v in corpus_stats["skipped"].items()),
    }
    md = render(runs=runs, samples=samples, langs=langs, line_reports=line_reports, meta=meta)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "accuracy.md").write_text(md, encoding="utf-8")
    chart(args.out / "accuracy.png", runs, samples, langs)
    if args.per_page:
        write_per_page(args.per_page, runs, samples)
    print(md)
    if (args.max_pages is None and not args.no_readme
            and args.out.resolve() == OUT_DEFAULT.resolve()):
        # run details, both F1 tables and the targets; the line metrics stay in accuracy.md
        summary = "\n".join(md.split("## linesift line classification")[0].splitlines()[2:])
        summary = summary.replace("\n## ", "\n### ") + "\nFull report: [results/accuracy.md](results/accuracy.md).\n"
        if update_readme(summary):
            log(f"updated the accuracy table in {README}")
    log(f"wrote {args.out / 'accuracy.md'} and {args.out / 'accuracy.png'} in {time.perf_counter() - t0:.0f} s")
    return 0


def write_per_page(path: Path, runs: Sequence[SystemRun], samples: Sequence[Sample]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        fh.write("id\tlang\tsubset\tlabels\tsystem\tP\tR\tF1\tP_orig\tR_orig\tF1_orig\terror\n")
        for run in runs:
            for s, sc in zip(samples, run.scores):
                orig = sc.original or ("", "", "")
                fh.write("\t".join([s.id, s.lang, s.subset, s.labels, run.name,
                                    *(f"{v:.4f}" for v in sc.labels),
                                    *(f"{v:.4f}" if v != "" else "" for v in orig),
                                    (sc.error or "").replace("\t", " ")]) + "\n")


if __name__ == "__main__":
    sys.exit(main())
