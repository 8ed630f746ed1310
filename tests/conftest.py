"""Shared fixtures: a page factory, the fixture pages, a tiny trained model, ../shared.

The fixture pages in tests/data were composed for these tests (see
tests/data/make_fixtures.py); tests that need the real corpora or seeds use
``shared_dir`` and skip when ../shared is not beside the checkout.
"""
from __future__ import annotations

import os

# HistGradientBoosting's OpenMP threads thrash on a busy 2-core machine (a 0.5 s fit
# took 20 s); one thread is faster here and keeps runs deterministic.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import json  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from model.records import Line, Page  # noqa: E402

threadpool_limits(limits=1)  # in case sklearn was imported before this file

TESTS = Path(__file__).resolve().parent
DATA = TESTS / "data"
PAGES = DATA / "pages"
LABELLED = DATA / "labelled"
LABELLED_FILES = (LABELLED / "html_pages.jsonl", LABELLED / "text_pages.jsonl", LABELLED / "hand.tsv")
#: Small training settings: seconds, not minutes (STYLE.md: seed everything, tiny fixtures).
TINY = dict(cv=1, hash_bits=10, max_iter=30, text_max_iter=30)


def _make_page(lines, labels=None, source: str = "text", title: str | None = None, *,
               id: str = "page", spans=None) -> Page:
    """A segmented ``Page`` from plain strings, no HTML (like jusText's ``_paragraph``).

    ``labels`` become gold labels; ``spans`` maps a line index to its gold spans.
    """
    if labels is not None and len(labels) != len(lines):
        raise ValueError("one label per line")
    built = []
    for i, text in enumerate(lines):
        line = Line(text=text, n=i + 1)
        if labels is not None:
            line.gold = labels[i]
        if spans and i in spans:
            line.gold_spans = list(spans[i])
        built.append(line)
    page = Page(id=id, source=source, title=title, lines=built)
    page.metadata["site"] = id
    return page


@pytest.fixture
def make_page():
    """Factory: ``make_page(lines, labels=None, source="text", title=None)`` -> Page."""
    return _make_page


@pytest.fixture(scope="session")
def page_bytes():
    """Raw bytes of a fixture page by file name (``page_bytes("zh_news_gbk.html")``)."""
    return lambda name: (PAGES / name).read_bytes()


@pytest.fixture(scope="session")
def page_lines():
    """The labelled lines of a fixture page (from html_pages.jsonl) by page stem."""
    records = {}
    with (LABELLED / "html_pages.jsonl").open(encoding="utf-8") as fh:
        for raw in fh:
            rec = json.loads(raw)
            records[rec["id"].rsplit(".", 1)[0]] = rec["lines"]
    return lambda stem: records[stem]


@pytest.fixture
def labelled_pages():
    """Fresh labelled pages from every labelled fixture file (pages are mutable)."""
    from training.labelled import read_labelled

    return read_labelled(LABELLED_FILES)


@pytest.fixture(scope="session")
def tiny_model_path(tmp_path_factory) -> Path:
    """A tiny model trained on all labelled fixtures, saved with its manifest."""
    from model.classify import save_model
    from training.labelled import read_labelled
    from training.train import TrainConfig, fit_model

    pages = read_labelled(LABELLED_FILES)
    model = fit_model(pages, TrainConfig(**TINY), log=lambda message: None)
    return save_model(model, tmp_path_factory.mktemp("model") / "tiny.joblib")


@pytest.fixture(scope="session")
def tiny_model(tiny_model_path):
    from model.classify import load_model

    return load_model(tiny_model_path)


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """../shared beside the checkout (or $LINESIFT_SHARED); skips the test when absent."""
    env = os.environ.get("LINESIFT_SHARED")
    path = Path(env) if env else Path(__file__).resolve().parents[1].parent / "shared"
    if not path.is_dir():
        pytest.skip(f"{path} not found: tests that read ../shared need it beside the checkout")
    return path
