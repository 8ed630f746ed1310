"""Training: labelled pages -> a ``LinesiftModel`` (HTML and text-dump classifiers).

Every page trains the text-dump model (its lines with the markup stripped);
pages that come with HTML also train the HTML model. A line whose gold label
is ``spam`` *because of injected spans* is an article sentence to the line
classifier: the span detector, not the line classifier, finds the injection.
"""
from __future__ import annotations

import dataclasses
import random
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from model.classify import LineClassifier, LinesiftModel
from model.records import Page


@dataclass(frozen=True, kw_only=True)
class TrainConfig:
    """Knobs of ``fit_model``; defaults are what the bundled model uses."""

    hash_bits: int = 15
    alpha: float = 1e-4
    cv: int = 3
    #: pass two of the HTML model: fewer, larger trees (see ``LineClassifier``) ...
    max_iter: int = 150
    learning_rate: float = 0.15
    max_leaf_nodes: int = 63
    #: ... and of the text-dump model, which lost accuracy with them
    text_max_iter: int = 300
    text_learning_rate: float = 0.1
    text_max_leaf_nodes: int = 31
    #: pass two's block features, for the text-dump model only (see ``LineClassifier``)
    text_block_context: bool = True
    random_state: int = 0


def line_targets(pages: Sequence[Page]) -> np.ndarray:
    """Gold labels of all lines in order, with span-spam lines counted as body."""
    out = []
    for page in pages:
        for line in page.lines:
            if line.gold is None:
                raise ValueError(f"{page.id}: line {line.n} has no gold label")
            out.append("body" if line.gold == "spam" and line.gold_spans else line.gold)
    return np.asarray(out, dtype=object)


def as_text_page(page: Page) -> Page:
    """The page as a text dump would show it: same lines, no markup context."""
    lines = [dataclasses.replace(line, tag="", dom_path="", attrs=(), depth=0, link_chars=0, n_links=0,
                                 in_list=False, in_table=False, spans=[], gold_spans=list(line.gold_spans))
             for line in page.lines]
    return dataclasses.replace(page, source="text", raw="", lines=lines, metadata=dict(page.metadata))


def page_groups(pages: Sequence[Page]) -> list[str]:
    return [str(page.metadata.get("site") or page.id) for page in pages]


def fit_model(pages: Sequence[Page], config: TrainConfig = TrainConfig(), *, spans=None,
              log=print) -> LinesiftModel:
    """Fit the HTML model on HTML pages and the text model on every page."""
    params = dict(hash_bits=config.hash_bits, alpha=config.alpha, cv=config.cv, random_state=config.random_state)
    html_params = dict(params, max_iter=config.max_iter, learning_rate=config.learning_rate,
                       max_leaf_nodes=config.max_leaf_nodes)
    text_params = dict(params, max_iter=config.text_max_iter, learning_rate=config.text_learning_rate,
                       max_leaf_nodes=config.text_max_leaf_nodes)
    text_pages = [as_text_page(p) for p in pages]
    log(f"training text-dump model on {len(text_pages)} pages, {sum(len(p.lines) for p in text_pages)} lines")
    text = LineClassifier(use_dom=False, block_context=config.text_block_context, **text_params).fit(
        text_pages, line_targets(text_pages), page_groups(text_pages))
    html_pages = [p for p in pages if p.source == "html"]
    if html_pages:
        log(f"training HTML model on {len(html_pages)} pages, {sum(len(p.lines) for p in html_pages)} lines")
        html = LineClassifier(use_dom=True, **html_params).fit(html_pages, line_targets(html_pages), page_groups(html_pages))
    else:
        log("no HTML pages in the training data: HTML input will use the text-dump model")
        html = text
    return LinesiftModel(html=html, text=text, spans=spans)


def split_by_site(pages: Sequence[Page], holdout: float, seed: int = 0) -> tuple[list[Page], list[Page]]:
    """Hold out about ``holdout`` of the sites (never single lines or pages of a held-in site)."""
    sites = sorted(set(page_groups(pages)))
    if holdout <= 0 or len(sites) < 2:
        return list(pages), []
    rng = random.Random(seed)
    rng.shuffle(sites)
    n_held = max(1, round(len(sites) * holdout))
    held = set(sites[:n_held])
    train = [p for p, g in zip(pages, page_groups(pages)) if g not in held]
    dev = [p for p, g in zip(pages, page_groups(pages)) if g in held]
    return train, dev
