"""Repair step: small, explainable fixes to the classifier's label sequence.

The contextual pass already reads neighbours, so repair only encodes rules
LABELS.md states outright and a classifier can miss on one page:

* ``headline`` — the page's own headline is body, even where it looks like
  chrome: the line that best matches the title, just before the article;
* ``gap`` — one non-body line the classifier was unsure about, between two
  body lines, is body (a short paragraph or caption inside the article).

Every change writes ``repair_reason``, so ``label --format jsonl`` output and
tests can say why a label differs from ``pred``. The rules work on plain
label lists and probability rows: they are tested without any HTML.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

from model.records import LABELS, Page

#: Minimum character-bigram Dice similarity for a line to count as the headline.
HEADLINE_MIN_SIM = 0.6
#: How many lines before the first body line the headline may sit.
HEADLINE_WINDOW = 12
#: The headline rule never overrides a classifier this sure the line is not body
#: (a cookie banner or site name taken for the title in a text dump).
HEADLINE_MIN_BODY_PROBA = 0.05
#: A gap line is flipped to body when its body probability is at least this.
GAP_MIN_BODY_PROBA = 0.25

BODY = LABELS.index("body")


def _bigrams(text: str) -> set[str]:
    text = re.sub(r"\s+", "", text.lower())
    return {text[i:i + 2] for i in range(len(text) - 1)}


def title_similarity(line: str, title: str | None) -> float:
    """Dice similarity of character bigrams; ignores a site suffix on the title."""
    if not title:
        return 0.0
    best = 0.0
    for candidate in {title, *re.split(r"\s*[_|｜\-–—]\s*", title)}:
        a, b = _bigrams(line), _bigrams(candidate)
        if a and b:
            best = max(best, 2 * len(a & b) / (len(a) + len(b)))
    return best


def find_headline(labels: Sequence[str], similarities: Sequence[float]) -> int | None:
    """Index of the headline line, or None: best title match near the article start."""
    body = [i for i, label in enumerate(labels) if label == "body"]
    end = body[0] + 1 if body else len(labels)
    start = max(0, end - 1 - HEADLINE_WINDOW) if body else 0
    best, best_sim = None, HEADLINE_MIN_SIM
    for i in range(start, end):
        if similarities[i] > best_sim:
            best, best_sim = i, similarities[i]
    return best


def repair_labels(labels: Sequence[str], probas: Sequence[Sequence[float]],
                  similarities: Sequence[float]) -> tuple[list[str], list[str]]:
    """Return repaired labels and a reason code per line ('' when unchanged)."""
    out = list(labels)
    reasons = [""] * len(out)
    head = find_headline(out, similarities)
    if head is not None and out[head] != "body" and probas[head][BODY] >= HEADLINE_MIN_BODY_PROBA:
        out[head], reasons[head] = "body", "headline"
    for i in range(1, len(out) - 1):
        if (out[i] in ("chrome", "links") and out[i - 1] == "body" and out[i + 1] == "body"
                and probas[i][BODY] >= GAP_MIN_BODY_PROBA):
            out[i], reasons[i] = "body", "gap"
    return out, reasons


def repair(page: Page) -> Page:
    """Apply ``repair_labels`` to a classified page in place."""
    if not page.lines:
        return page
    labels = [line.label or line.pred or "chrome" for line in page.lines]
    probas = [line.proba or (0.0,) * len(LABELS) for line in page.lines]
    # only the headline window is ever read: compare just those lines with the title
    body = [i for i, label in enumerate(labels) if label == "body"]
    end = body[0] + 1 if body else len(labels)
    start = max(0, end - 1 - HEADLINE_WINDOW) if body else 0
    sims = [0.0] * len(labels)
    for i in range(start, end):
        sims[i] = title_similarity(page.lines[i].text[:300], page.title)
    new, reasons = repair_labels(labels, probas, sims)
    for line, label, reason in zip(page.lines, new, reasons):
        if reason:
            line.label, line.repair_reason = label, reason
            if line.proba:
                line.score = line.proba[LABELS.index(label)]
    return page
