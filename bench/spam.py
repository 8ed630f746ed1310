"""Benchmark of in-sentence spam removal on dev-split pages with generated injections.

Run from the repository root::

    python bench/spam.py --corpora ../shared/corpora

Trains the span detector on the train split (or loads ``--model``), injects
every dev-split Chinese article with seeds from a namespace training never
uses, and measures:

* span precision / recall / F1, exact (same start and end) and overlap (any
  shared character), with a fragment and its glued company counted as one span;
* the share of clean characters wrongly removed (on injected and clean pages);
* body-token F1 of the repaired text against the original article (jieba
  tokens, multiset overlap), beside the two things a line classifier alone can
  do: keep the injected lines as they are, or drop them.

A second table does the same for the other in-sentence forms
(``training.inject.inject_forms``: pinyin glosses, symbols before punctuation,
doubled punctuation), one form per page, namespace ``bench-forms``.

A third table covers English: dev-split English gold articles (body lines of
the English corpora, see ``english_articles``) with pharma/casino/loan anchor
texts glued into their sentences by ``training.inject.inject_english``
(namespace ``bench-en``), plus the clean articles, on which nothing may be cut.

It measures only; targets are not asserted here. Results go to stdout and to
``bench/results/spam.md``.
"""
from __future__ import annotations

import argparse
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from model.records import Page  # noqa: E402
from model.spans import SpanDetector, _merge, predict_spans  # noqa: E402
from model.spans import FORMS  # noqa: E402
from training.inject import inject_english, inject_forms, inject_page, page_from_lines  # noqa: E402
from training.spans_train import CleanArticle, article_page, clean_articles, page_variants  # noqa: E402

#: Injected copies per dev article; namespace differs from training's ``train<k>``.
BENCH_INJECTIONS = 10
BENCH_NAMESPACE = "bench"
#: Pages per dev article and form for the other in-sentence forms.
FORM_INJECTIONS = 5
FORM_NAMESPACE = "bench-forms"
#: Row of the forms table for pages with title fragments and one form.
MIXED = "fragments + one form"
#: Injected copies per English dev article, and their namespace.
EN_INJECTIONS = 5
EN_NAMESPACE = "bench-en"
#: An English article needs this many characters and prose lines (``EN_PROSE_WORDS`` words).
EN_MIN_CHARS = 400
EN_MIN_PROSE_LINES = 3
EN_PROSE_WORDS = 8
#: How an anchor was glued, read off its gold span (see ``inject_english``).
EN_SLOT_NAMES = ("after a comma", "between words", "before a comma or stop", "comma before the stop")


@dataclass
class Tally:
    """Counts summed over pages; ratios are computed at the end."""

    gold: int = 0
    pred: int = 0
    exact: int = 0
    pred_overlap: int = 0
    gold_overlap: int = 0
    clean_chars: int = 0
    wrongly_removed: int = 0
    missed_chars: int = 0
    tokens: dict = field(default_factory=lambda: Counter())  # name -> [tp, pred, gold] via keys
    pages: int = 0
    seconds: float = 0.0

    def add_tokens(self, name: str, pred: Counter, gold: Counter) -> None:
        tp = sum((pred & gold).values())
        self.tokens[(name, "tp")] += tp
        self.tokens[(name, "pred")] += sum(pred.values())
        self.tokens[(name, "gold")] += sum(gold.values())

    def token_f1(self, name: str) -> float:
        tp, p, g = (self.tokens[(name, k)] for k in ("tp", "pred", "gold"))
        return 2 * tp / (p + g) if p + g else 1.0


def _prf(tp_p: int, n_p: int, tp_g: int, n_g: int) -> tuple[float, float, float]:
    p = tp_p / n_p if n_p else 1.0
    r = tp_g / n_g if n_g else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def _tokens(lines: list[str]) -> Counter:
    import jieba

    out: Counter = Counter()
    for text in lines:
        out.update(t for t in jieba.lcut(text) if t.strip())
    return out


def _cut(text: str, spans: list[tuple[int, int]]) -> str:
    out, prev = [], 0
    for s, e in spans:
        out.append(text[prev:s])
        prev = e
    return "".join(out + [text[prev:]])


def _en_tokens(lines: list[str]) -> Counter:
    """Word tokens of English text (jieba is slow on long Latin lines and adds nothing there)."""
    out: Counter = Counter()
    for text in lines:
        out.update(re.findall(r"\w+|[^\w\s]", text))
    return out


def score_page(page: Page, original: Page, detector: SpanDetector | None, tally: Tally,
               tokens=None) -> dict[int, list[tuple[int, int]]]:
    """Add one page's counts to ``tally`` (``original`` is the page before injection).

    ``tokens`` tokenises text for the token F1 (default: jieba). Returns the
    spans found.
    """
    tokens = _tokens if tokens is None else tokens
    t0 = time.perf_counter()
    found = predict_spans(page, detector)
    tally.seconds += time.perf_counter() - t0
    tally.pages += 1
    repaired, kept, dropped = [], [], []
    for i, line in enumerate(page.lines):
        gold = _merge(line.gold_spans)
        pred = _merge(found.get(i, []))
        tally.gold += len(gold)
        tally.pred += len(pred)
        gset = set(gold)
        tally.exact += sum(1 for sp in pred if sp in gset)
        tally.pred_overlap += sum(1 for s, e in pred if any(s < ge and gs < e for gs, ge in gold))
        tally.gold_overlap += sum(1 for s, e in gold if any(s < pe and ps < e for ps, pe in pred))
        gold_chars = {k for s, e in gold for k in range(s, e)}
        pred_chars = {k for s, e in pred for k in range(s, e)}
        tally.clean_chars += len(line.text) - len(gold_chars)
        tally.wrongly_removed += len(pred_chars - gold_chars)
        tally.missed_chars += len(gold_chars - pred_chars)
        repaired.append(_cut(line.text, pred))
        kept.append(line.text)
        if not gold:
            dropped.append(line.text)
    truth = tokens([ln.text for ln in original.lines])
    tally.add_tokens("repaired", tokens(repaired), truth)
    tally.add_tokens("keep_lines", tokens(kept), truth)
    tally.add_tokens("drop_lines", tokens(dropped), truth)
    return found


def run(corpora: Path, detector: SpanDetector | None, n_injected: int = BENCH_INJECTIONS) -> dict[str, Tally]:
    articles = clean_articles(corpora, dev=True)
    tallies = {"injected": Tally(), "clean": Tally()}
    for article in articles:
        variants = list(page_variants(article, BENCH_NAMESPACE, n_injected))
        clean, injected = variants[0], variants[1:]
        score_page(clean, clean, detector, tallies["clean"])
        for page in injected:
            score_page(page, clean, detector, tallies["injected"])
    return tallies


def run_forms(corpora: Path, detector: SpanDetector | None,
              n_injected: int = FORM_INJECTIONS) -> dict[str, Tally]:
    """One tally per form of ``FORMS`` over dev articles injected with that form only."""
    import random

    articles = clean_articles(corpora, dev=True)
    tallies = {form: Tally() for form in (*FORMS, MIXED)}
    for form in FORMS:
        for article in articles:
            clean = article_page(article)
            for k in range(n_injected):
                page = inject_forms(clean, random.Random(f"{FORM_NAMESPACE}:{form}:{article.id}:{k}"), form)
                score_page(page, clean, detector, tallies[form])
    for article in articles:  # mirrors that do both: title fragments, then one form on top
        clean = article_page(article)
        for k in range(n_injected):
            rng = random.Random(f"{FORM_NAMESPACE}:{MIXED}:{article.id}:{k}")
            page = inject_forms(inject_page(clean, rng), rng, rng.choice(FORMS))
            score_page(page, clean, detector, tallies[MIXED])
    return tallies


@dataclass
class RealTally:
    """Cuts on real, uninjected pages: every cut outside a gold spam line is a false one."""

    pages: int = 0
    lines: int = 0
    chars: int = 0
    false_lines: int = 0
    false_chars: int = 0
    false_pages: int = 0
    spam_lines_cut: int = 0
    examples: list[str] = field(default_factory=list)


def run_real(corpora: Path, detector: SpanDetector | None, labels_dir: Path) -> RealTally:
    """The span step on the labelled Chinese dev pages as crawled (modern portals, WeChat,
    forums), lines given their gold labels: the articles the generated pages are not.

    The clean articles above come from two gold corpora only; a page about the
    company in its own headline ("，龙湖集团…" in every lead sentence) is what
    a title-fragment detector must leave alone, and it turns up here.
    """
    from training.corpus import iter_corpus

    t = RealTally()
    for page in iter_corpus(corpora, labels_dir, split="dev"):
        if page.lang != "zh":
            continue
        for line in page.lines:
            line.label = line.gold
        t.pages += 1
        found = predict_spans(page, detector)
        false_here = 0
        for i, line in enumerate(page.lines):
            t.lines += 1
            t.chars += len(line.text)
            spans = _merge(found.get(i, []))
            if not spans:
                continue
            if line.gold == "spam":
                t.spam_lines_cut += 1
                continue
            false_here += 1
            t.false_chars += sum(e - s for s, e in spans)
            if len(t.examples) < 5:
                t.examples.append(" / ".join(line.text[s:e] for s, e in spans))
        t.false_lines += false_here
        t.false_pages += false_here > 0
    return t


def report_real(t: RealTally) -> list[str]:
    return [
        "",
        "## Real Chinese dev pages, nothing injected",
        "",
        f"The labelled zh dev pages ({t.pages} pages, {t.lines} lines; `training.corpus.iter_corpus`), lines given "
        "their gold labels. Every cut on a line that is not gold spam removes the article's own words.",
        "",
        "| pages with a false cut | lines with a false cut | characters wrongly cut | gold spam lines cut |",
        "|---|---|---|---|",
        f"| {t.false_pages} / {t.pages} | {t.false_lines} | {t.false_chars} "
        f"({100 * t.false_chars / max(1, t.chars):.3f} %) | {t.spam_lines_cut} |",
        "",
        *(f"- cut: {ex}" for ex in t.examples),
    ]


_EN_TAG = re.compile(r"^<(?:p|h|l)>\s*", re.IGNORECASE)
_EN_MARKUP = re.compile(r"<[^>]{0,200}>")


def english_lines(gold: str) -> list[str]:
    """Gold main text of an English corpus page as one line per paragraph.

    CleanEval-style gold (``<p>``/``<h>``/``<l>`` paragraph marks, lines
    wrapped inside a paragraph) is joined back into paragraphs and unmarked;
    the ``URL:`` line is dropped; leftover inline markup is removed.
    """
    raw = [" ".join(t.split()) for t in gold.splitlines()]
    raw = [t for t in raw if t and not t.startswith("URL:")]
    tagged = any(_EN_TAG.match(t) for t in raw)
    paras: list[str] = []
    for t in raw:
        if tagged and not _EN_TAG.match(t) and paras:
            paras[-1] += " " + t
        else:
            paras.append(_EN_TAG.sub("", t))
    out = [" ".join(_EN_MARKUP.sub(" ", t).split()) for t in paras]
    return [t for t in out if t]


def english_articles(corpora: Path, *, dev: bool = True) -> list[CleanArticle]:
    """English gold texts of the dev (or train) split, as ``clean_articles`` gives Chinese ones."""
    from training.corpora import Archives, load_index
    from training.split import is_dev

    archives = Archives(corpora)
    out = []
    for entry in load_index(corpora):
        if entry.lang != "en" or not entry.gold or is_dev(entry) != dev:
            continue
        gold = archives.gold(entry)
        lines = tuple(english_lines(gold)) if gold else ()
        if sum(len(t) for t in lines) < EN_MIN_CHARS:
            continue
        if sum(1 for t in lines if len(t.split()) >= EN_PROSE_WORDS) < EN_MIN_PROSE_LINES:
            continue
        out.append(CleanArticle(entry.id, entry.site, lines))
    return out


def english_page(article: CleanArticle) -> Page:
    """A labelled English page (all lines gold body), its first line as ``title``."""
    return page_from_lines(list(article.lines), id=article.id, title=article.lines[0], lang="en")


def _en_slot(piece: str) -> str:
    if piece.endswith(", "):
        return EN_SLOT_NAMES[0]
    if piece.startswith(", "):
        return EN_SLOT_NAMES[3]
    if piece.endswith(" "):
        return EN_SLOT_NAMES[1]
    return EN_SLOT_NAMES[2]


def run_english(corpora: Path, detector: SpanDetector | None, n_injected: int = EN_INJECTIONS,
                articles: list[CleanArticle] | None = None) -> dict[str, Tally]:
    """Tallies for clean and ``inject_english``-injected English dev articles.

    Besides the ``Tally`` rows, ``"slots"`` maps each of ``EN_SLOT_NAMES`` to
    ``[gold spans, exactly found]`` (stored in the injected tally's ``tokens``).
    """
    import random

    articles = english_articles(corpora) if articles is None else articles
    tallies = {"injected": Tally(), "clean": Tally()}
    for article in articles:
        clean = english_page(article)
        score_page(clean, clean, detector, tallies["clean"], _en_tokens)
        for k in range(n_injected):
            page = inject_english(clean, random.Random(f"{EN_NAMESPACE}:{article.id}:{k}"))
            found = score_page(page, clean, detector, tallies["injected"], _en_tokens)
            for i, line in enumerate(page.lines):
                pred = set(_merge(found.get(i, [])))
                for sp in line.gold_spans:
                    slot = _en_slot(line.text[sp[0]:sp[1]])
                    tallies["injected"].tokens[("slot", slot, "gold")] += 1
                    tallies["injected"].tokens[("slot", slot, "found")] += sp in pred
    return tallies


def report_english(t: dict[str, Tally], n_articles: int) -> list[str]:
    inj, cln = t["injected"], t["clean"]
    pe, re_, fe = _prf(inj.exact, inj.pred, inj.exact, inj.gold)
    po, ro, fo = _prf(inj.pred_overlap, inj.pred, inj.gold_overlap, inj.gold)
    slots = " · ".join(
        f"{name} {inj.tokens[('slot', name, 'found')]}/{inj.tokens[('slot', name, 'gold')]}"
        for name in EN_SLOT_NAMES)
    return [
        "",
        "## English anchor text glued into sentences (rules in `model.spans.english_spam_spans`)",
        "",
        f"Dev-split English gold articles: {n_articles} (paragraph lines of the English corpora's gold, "
        f"at least {EN_MIN_CHARS} characters and {EN_MIN_PROSE_LINES} lines of {EN_PROSE_WORDS}+ words); "
        f"injected pages: {inj.pages} ({EN_INJECTIONS} per article, `training.inject.inject_english`, namespace "
        f"`{EN_NAMESPACE}`), clean pages: {cln.pages}. Anchors are pharma/casino/loan texts and spam domains "
        "(`…on Monday, buy cheap viagra online, after…`); a gold span is the anchor plus the one separator "
        "the insertion added. Learned detector on (it only looks at Chinese text).",
        "",
        "| pages | gold spans | span P exact | R exact | F1 exact | P overlap | R overlap | F1 overlap "
        "| clean chars removed (injected pages) | clean chars removed (clean pages) | spans cut on clean pages "
        "| body-token F1 repaired | keep lines |",
        "|---|" + "---|" * 12,
        f"| {inj.pages} + {cln.pages} clean | {inj.gold} | {pe:.4f} | {re_:.4f} | {fe:.4f} | {po:.4f} | {ro:.4f} "
        f"| {fo:.4f} | {100 * inj.wrongly_removed / max(1, inj.clean_chars):.3f} % "
        f"| {100 * cln.wrongly_removed / max(1, cln.clean_chars):.3f} % | {cln.pred} "
        f"| {inj.token_f1('repaired'):.4f} | {inj.token_f1('keep_lines'):.4f} |",
        "",
        f"Exact recall by how the anchor was glued (found/gold): {slots}. Runs glued after a word are cut only "
        "with strong evidence (hook weight 2, no imperative first word, a left word that cannot take an "
        "object), so most of them stay: precision first.",
    ]


def report_forms(tallies: dict[str, Tally]) -> list[str]:
    rows = ["| form | pages | gold spans | span P exact | R exact | F1 exact | F1 overlap "
            "| clean chars removed | body-token F1 repaired | keep lines |",
            "|---|" + "---|" * 9]
    for form, t in tallies.items():
        pe, re_, fe = _prf(t.exact, t.pred, t.exact, t.gold)
        _, _, fo = _prf(t.pred_overlap, t.pred, t.gold_overlap, t.gold)
        rows.append(f"| {form} | {t.pages} | {t.gold} | {pe:.4f} | {re_:.4f} | {fe:.4f} | {fo:.4f} "
                    f"| {100 * t.wrongly_removed / max(1, t.clean_chars):.3f} % "
                    f"| {t.token_f1('repaired'):.4f} | {t.token_f1('keep_lines'):.4f} |")
    return rows


def report(results: dict[str, dict[str, Tally]], n_articles: int, train_seconds: float | None,
           forms: dict[str, Tally] | None = None, english: tuple[dict[str, Tally], int] | None = None,
           real: RealTally | None = None) -> str:
    rows = ["| detector | span P exact | R exact | F1 exact | P overlap | R overlap | F1 overlap "
            "| clean chars removed (injected pages) | clean chars removed (clean pages) "
            "| body-token F1 repaired | keep lines | drop lines | ms/page |",
            "|---|" + "---|" * 12]
    for name, t in results.items():
        inj, cln = t["injected"], t["clean"]
        pe, re_, fe = _prf(inj.exact, inj.pred, inj.exact, inj.gold)
        po, ro, fo = _prf(inj.pred_overlap, inj.pred, inj.gold_overlap, inj.gold)
        ms = 1000 * (inj.seconds + cln.seconds) / max(1, inj.pages + cln.pages)
        rows.append(
            f"| {name} | {pe:.4f} | {re_:.4f} | {fe:.4f} | {po:.4f} | {ro:.4f} | {fo:.4f} "
            f"| {100 * inj.wrongly_removed / max(1, inj.clean_chars):.3f} % "
            f"| {100 * cln.wrongly_removed / max(1, cln.clean_chars):.3f} % "
            f"| {inj.token_f1('repaired'):.4f} | {inj.token_f1('keep_lines'):.4f} "
            f"| {inj.token_f1('drop_lines'):.4f} | {ms:.1f} |"
        )
    any_t = next(iter(results.values()))
    lines = [
        "# Spam span benchmark (bench/spam.py)",
        "",
        f"Dev-split Chinese gold articles: {n_articles}; injected pages: {any_t['injected'].pages} "
        f"({BENCH_INJECTIONS} per article, namespace `{BENCH_NAMESPACE}`), clean pages: {any_t['clean'].pages}; "
        f"gold spans: {any_t['injected'].gold}.",
        "Lines are given their gold labels (a perfect line classifier), so this isolates the span step.",
        "Token F1 columns compare the page text with the original article: repaired = spans cut; "
        "keep lines / drop lines = what a line classifier alone can do.",
        "",
        *rows,
        "",
    ]
    if train_seconds is not None:
        lines.append(f"Training time: {train_seconds:.1f} s.")
    else:
        lines.append("Detector: loaded with `--model` (not trained by this run).")
    if forms:
        lines += [
            "",
            "## Other in-sentence forms (rules in `model.spans.form_spans`, learned detector on)",
            "",
            f"Dev-split articles injected with one form each by `training.inject.inject_forms` "
            f"({FORM_INJECTIONS} pages per article and form, namespace `{FORM_NAMESPACE}`): pinyin = "
            "glosses after characters (`現(xiàn)`, `新(xin)(xin)`, `电(diàn)`), symbol = emoji or symbols "
            "before `，`/`。`, punct = doubled punctuation (`,，` `，。` `。，`); the last row injects title fragments "
            "and companies (`inject_page`) and then one form, and scores all their spans. Token F1 for pinyin pages "
            "counts the traditional forms the generator writes as errors (a cut cannot turn `現` back into `现`).",
            "",
            *report_forms(forms),
        ]
    if english:
        lines += report_english(*english)
    if real is not None:
        lines += report_real(real)
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpora", type=Path, default=Path("../shared/corpora"))
    parser.add_argument("--model", type=Path, help="a joblib file holding a SpanDetector (default: train one)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "spam.md")
    parser.add_argument("--no-rules", action="store_true", help="skip the rule-only baseline")
    parser.add_argument("--labels", type=Path, default=ROOT / "data" / "labels",
                        help="hand labels of the corpus pages (for the real-page table)")
    args = parser.parse_args(argv)

    train_seconds = None
    if args.model:
        import joblib

        detector = joblib.load(args.model)
    else:
        from training.spans_train import train_span_detector

        t0 = time.perf_counter()
        detector = train_span_detector(args.corpora)
        train_seconds = time.perf_counter() - t0
    results = {"learned": run(args.corpora, detector)}
    if not args.no_rules:
        results["rules only (detector=None)"] = run(args.corpora, None)
    forms = run_forms(args.corpora, detector)
    en_articles = english_articles(args.corpora)
    english = (run_english(args.corpora, detector, articles=en_articles), len(en_articles))
    real = run_real(args.corpora, detector, args.labels)
    text = report(results, len(clean_articles(args.corpora, dev=True)), train_seconds, forms, english, real)
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
