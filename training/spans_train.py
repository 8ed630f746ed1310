"""Train the span detector on clean Chinese articles with generated injections.

Clean text comes from the gold main text of the Chinese corpus pages
(zh-content-extraction ``cleaned/*.txt`` and the Chinese forum gold), train
split only (``training.split.is_dev`` holds whole sites out). Each page is used
clean (with legitimate ``某某`` court sentences mixed into some) and several
times injected by ``training.inject``; every span candidate on those pages is
labelled by whether it is exactly an injected span.
"""
from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from model.records import Page
from model.spans import CharBigramLM, SpanDetector, page_candidates
from training.corpora import CORPORA_DEFAULT, Archives, load_index
from training.inject import inject_page, legit_mouzhou_line, page_from_lines

#: Corpus sources whose gold is clean Chinese main text, one paragraph per line.
ZH_GOLD_SOURCES = ("chinese-web-content-extraction", "magic-html-benchmark")
#: Injected copies made of each training page (each with its own seed).
INJECTIONS_PER_PAGE = 6
#: Share of clean copies that get legitimate ``某某`` sentences in their lead.
HARD_NEGATIVE_SHARE = 0.5
#: A first gold line longer than this is a paragraph, not a headline.
MAX_HEADLINE = 60


@dataclass(frozen=True, slots=True)
class CleanArticle:
    """Gold main text of one corpus page, as lines."""

    id: str
    site: str
    lines: tuple[str, ...]


def _headline(first: str) -> str:
    """The page title: the first gold line when it looks like one, else its first clause."""
    if len(first) <= MAX_HEADLINE and "。" not in first:
        return first
    for k, ch in enumerate(first):
        if ch in "，。！？；,;!?" and k >= 6:
            return first[:k]
    return first[:30]


def clean_articles(corpora: Path = CORPORA_DEFAULT, *, dev: bool = False,
                   max_pages: int | None = None) -> list[CleanArticle]:
    """Chinese gold texts of the train (or, with ``dev=True``, dev) split."""
    from training.split import is_dev

    archives = Archives(corpora)
    out = []
    for entry in load_index(corpora):
        if entry.lang != "zh" or entry.source not in ZH_GOLD_SOURCES or not entry.gold:
            continue
        if is_dev(entry) != dev:
            continue
        gold = archives.gold(entry)
        if not gold:
            continue
        lines = tuple(t for t in (" ".join(raw.split()) for raw in gold.splitlines()) if t)
        if sum(len(t) for t in lines) < 200:
            continue
        out.append(CleanArticle(entry.id, entry.site, lines))
        if max_pages and len(out) >= max_pages:
            break
    return out


def article_page(article: CleanArticle) -> Page:
    """A labelled page (all lines gold body) with its headline as ``title``."""
    return page_from_lines(list(article.lines), id=article.id, title=_headline(article.lines[0]))


def with_hard_negatives(page: Page, rng: random.Random) -> Page:
    """A copy of a clean page with 1-2 legitimate ``某某`` sentences inside its lead."""
    import copy

    from model.records import Line

    new = copy.deepcopy(page)
    for _ in range(rng.randint(1, 2)):
        at = rng.randint(1, min(4, len(new.lines)))
        new.lines.insert(at, Line(text=legit_mouzhou_line(rng), n=0, gold="body"))
    for k, line in enumerate(new.lines, start=1):
        line.n = k
    return new


def page_variants(article: CleanArticle, namespace: str, n_injected: int,
                  hard_negatives: bool = True) -> Iterator[Page]:
    """The clean page, maybe with hard negatives, then ``n_injected`` injected copies.

    ``namespace`` seeds the generator (string seeds are stable across runs), so
    training and benchmark draw different injections of the same page.
    """
    page = article_page(article)
    rng = random.Random(f"{namespace}:{article.id}:clean")
    yield with_hard_negatives(page, rng) if hard_negatives and rng.random() < HARD_NEGATIVE_SHARE else page
    for k in range(n_injected):
        yield inject_page(page, random.Random(f"{namespace}:{article.id}:{k}"))


def gold_span_set(page: Page) -> set[tuple[int, int, int]]:
    return {(i, s, e) for i, ln in enumerate(page.lines) for s, e in ln.gold_spans}


def candidate_rows(pages: Iterable[Page], lm: CharBigramLM | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Feature rows, 0/1 labels and page numbers of all candidates of ``pages``."""
    xs, ys, groups = [], [], []
    for g, page in enumerate(pages):
        cands, X, _ = page_candidates(page, lm)
        if not cands:
            continue
        gold = gold_span_set(page)
        X[:, 0] = g
        xs.append(X)
        ys.append(np.array([(c.line, c.start, c.end) in gold for c in cands], dtype=int))
        groups.append(np.full(len(cands), g))
    if not xs:
        raise ValueError("no span candidates in the training pages")
    return np.vstack(xs), np.concatenate(ys), np.concatenate(groups)


#: Folds for cross-fitting the fluency model (see ``train_span_detector``).
LM_FOLDS = 4


def extra_lm_texts(corpora: Path = CORPORA_DEFAULT) -> list[str]:
    """Visible text of train-split Chinese pages that have no gold (chrome included).

    More text makes the bigram model steadier; menus and footers are still
    Chinese, and these pages are never used as training articles, so they
    cannot leak an article's own bigrams into its fluency features.
    """
    from model.errors import InputError
    from model.read import page_from_bytes
    from model.segment import segment
    from training.split import is_dev

    archives = Archives(corpora)
    out = []
    for entry in load_index(corpora):
        if entry.lang != "zh" or entry.source in ZH_GOLD_SOURCES or is_dev(entry):
            continue
        try:
            page = segment(page_from_bytes(archives.html(entry), id=entry.id))
        except InputError:  # an empty or undecodable page only means less LM text; a bug still raises
            continue
        out.extend(line.text for line in page.lines)
    return out


def fit_char_lm(articles: Iterable[CleanArticle], extra: Iterable[str] = ()) -> CharBigramLM:
    """The fluency model: character bigrams of clean training text (plus ``extra`` lines)."""
    return CharBigramLM().fit([line for a in articles for line in a.lines] + list(extra))


def training_rows(articles: list[CleanArticle], extra: list[str], namespace: str,
                  n_injected: int = INJECTIONS_PER_PAGE) -> tuple[np.ndarray, np.ndarray, CharBigramLM]:
    """Candidate rows and labels for ``articles``, and the fluency model fitted on all of them.

    The fluency features of an article's candidates are computed with a model
    that did not see that article (``LM_FOLDS``-fold cross-fitting): a model
    that has memorised the sentence finds every original bigram familiar and
    every injected one new, which never happens on unseen pages.
    """
    xs, ys = [], []
    offset = 0.0
    folds = min(LM_FOLDS, len(articles))
    for k in range(folds):
        held = [a for n, a in enumerate(articles) if n % folds == k]
        lm_k = fit_char_lm([a for n, a in enumerate(articles) if n % folds != k], extra)
        pages = (p for a in held for p in page_variants(a, namespace, n_injected))
        try:
            X, y, _ = candidate_rows(pages, lm_k)
        except ValueError:
            continue
        X[:, 0] += offset  # keep page numbers distinct across folds
        offset = X[:, 0].max() + 1
        xs.append(X)
        ys.append(y)
    if not xs:
        raise ValueError("no span candidates in the training pages")
    return np.vstack(xs), np.concatenate(ys), fit_char_lm(articles, extra)


def train_span_detector(corpora: Path = CORPORA_DEFAULT, *, random_state: int = 0,
                        max_pages: int | None = None) -> SpanDetector:
    """Fit a ``SpanDetector`` on injected copies of the train-split Chinese articles.

    Parameters
    ----------
    corpora : Path
        The ``../shared/corpora`` directory.
    random_state : int
        Seeds the injections (namespace ``train<random_state>``) and the model.
    max_pages : int, optional
        Use only the first pages (for quick runs and tests); also skips the
        extra fluency-model text.
    """
    articles = clean_articles(corpora, max_pages=max_pages)
    if not articles:
        raise ValueError(f"{corpora}: no Chinese gold articles in the train split")
    extra = extra_lm_texts(corpora) if max_pages is None else []
    X, y, lm = training_rows(articles, extra, f"train{random_state}")
    return SpanDetector(char_lm=lm, random_state=random_state).fit(X, y)
