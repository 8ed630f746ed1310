"""What ``linesift train`` and ``linesift evaluate`` do, kept out of the CLI module.

The CLI parses options and calls these; they read data, call the library and
print reports. Progress goes to stderr, reports to stdout.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import random
import sys
import time
from pathlib import Path

from model.classify import LinesiftModel, save_model
from model.errors import InputError
from model.records import Line, Page
from training.corpus import CorpusStats, iter_corpus
from training.evaluate import evaluate, format_report
from training.labelled import read_labelled
from training.train import TrainConfig, fit_model, page_groups, split_by_site

#: Share of Chinese training pages that get synthetic in-sentence spam.
SPAN_SPAM_SHARE = 0.3
#: Share of training pages that get synthetic whole spam lines (1-3 scattered, or a block of 3-8).
LINE_SPAM_SHARE = 0.25
#: Of those, pages whose spam lines come as one block (an ad column) rather than scattered.
SPAM_BLOCK_SHARE = 0.3


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def corpus_digest(pages: list[Page]) -> str:
    """A short hash of the training pages' ids, lines and labels (synthetic spam
    included): the manifest keeps it, so a retrain can show it saw the same data."""
    digest = hashlib.sha256()
    for page in pages:
        digest.update(page.id.encode())
        for line in page.lines:
            digest.update(f"{line.gold}\x00{line.text}\x01".encode())
    return digest.hexdigest()[:16]


def add_synthetic_spam(pages: list[Page], seed: int) -> tuple[list[Page], dict]:
    """Inject in-sentence spam (Chinese pages) and whole spam lines, reproducibly.

    Each page draws from its own generator, seeded by ``seed`` and the page id,
    so what a page gets does not depend on the pages before it: adding a page to
    the corpora (or fixing how one segments) leaves every other page's synthetic
    spam as it was. With one generator for the whole run, three new pages
    reshuffled the spam of every page after them.
    """
    from training.inject import inject_page, spam_lines

    out, span_pages, line_pages = [], 0, 0
    for page in pages:
        rng = random.Random(f"{seed}:{page.id}")
        if page.lang == "zh" and any(l.gold == "body" for l in page.lines) and rng.random() < SPAN_SPAM_SHARE:
            page = inject_page(page, rng)
            span_pages += 1
        if rng.random() < LINE_SPAM_SHARE and page.lines:
            lang = "zh" if page.lang == "zh" else "en"
            lines = list(page.lines)
            # scattered lines, or a block of them in one place: an ad column, often linked
            block = rng.random() < SPAM_BLOCK_SHARE
            linked = block and rng.random() < 0.5
            count = rng.randint(3, 8) if block else rng.randint(1, 3)
            start = rng.randrange(len(lines) + 1)
            for k, text in enumerate(spam_lines(lang, rng, count)):
                at = start + k if block else rng.randrange(len(lines) + 1)
                ref = lines[min(at, len(lines) - 1)]
                lines.insert(at, dataclasses.replace(ref, text=text, link_chars=len(text) if linked else 0,
                                                     n_links=int(linked), gold="spam", gold_spans=[], spans=[]))
            for n, line in enumerate(lines, start=1):
                line.n = n
            page = dataclasses.replace(page, lines=lines)
            line_pages += 1
        out.append(page)
    return out, {"span_pages": span_pages, "line_pages": line_pages}


def _train_spans(corpora: Path | None, seed: int):
    if corpora is None:
        return None
    try:
        from training.spans_train import train_span_detector
    except ImportError:
        log("span detector: training.spans_train not available, skipped")
        return None
    log("training the span detector")
    return train_span_detector(corpora, random_state=seed)


@dataclasses.dataclass
class TrainingData:
    """The pages a training run fits and reports on, and what the manifest says of them."""
    train: list[Page]
    dev: list[Page]
    summary: dict


def build_training_data(data: list[Path], *, corpora: Path | None, labels: Path, holdout: float, spam: bool,
                        max_pages: int | None, seed: int, with_dev: bool = True) -> TrainingData:
    """Everything ``linesift train`` reads, split and spiked with synthetic spam.

    One function for the run and for ``tests/training/test_reproducible.py``, which
    compares the ``summary`` it builds with the bundled model's manifest: a change to
    this data path cannot pass that test unnoticed. ``with_dev=False`` skips reading
    the corpora's dev split (the digest covers the train pages only).
    """
    if not data and corpora is None:
        raise InputError("nothing to train on: give labelled data files and/or --corpora DIR")
    train_pages: list[Page] = []
    dev_pages: list[Page] = []
    summary: dict = {}
    if data:
        pages = read_labelled(data)
        tr, dv = split_by_site(pages, holdout if corpora is None else 0.0, seed)
        train_pages += tr
        dev_pages += dv
        summary["files"] = {"pages": len(pages), "inputs": [str(p) for p in data]}
    if corpora is not None:
        stats = CorpusStats()
        log(f"reading corpora from {corpora}")
        train_pages += list(iter_corpus(corpora, labels, split="train", max_pages=max_pages, log=log, stats=stats))
        if with_dev:
            dev_max = None if max_pages is None else max(1, max_pages // 4)
            dev_pages += list(iter_corpus(corpora, labels, split="dev", max_pages=dev_max, log=log, stats=stats))
        summary["corpora"] = stats.summary()
    if not train_pages:
        raise InputError("no training pages after reading the inputs")
    if spam and corpora is not None:
        train_pages, summary["synthetic_spam"] = add_synthetic_spam(train_pages, seed)
    summary["train_pages"] = len(train_pages)
    summary["train_lines"] = sum(len(p.lines) for p in train_pages)
    summary["dev_pages"] = len(dev_pages)
    summary["train_digest"] = corpus_digest(train_pages)
    return TrainingData(train=train_pages, dev=dev_pages, summary=summary)


def run_train(data: list[Path], *, out: Path, corpora: Path | None, labels: Path, holdout: float,
              spam: bool, max_pages: int | None, hash_bits: int, alpha: float, cv: int, seed: int) -> LinesiftModel:
    started = time.time()
    built = build_training_data(data, corpora=corpora, labels=labels, holdout=holdout, spam=spam,
                                max_pages=max_pages, seed=seed)
    train_pages, dev_pages, summary = built.train, built.dev, built.summary
    if not dev_pages:
        log("no held-out metrics: "
            + ("--holdout is 0" if holdout == 0 else "the data comes from one site, and the held-out share is "
               "taken by site (give pages of two or more sites: their 'site', or the host of their 'url')"))
    log(f"training on {len(train_pages)} pages of {len(set(page_groups(train_pages)))} sites"
        + (f", holding out {len(dev_pages)} pages of {len(set(page_groups(dev_pages)))} sites" if dev_pages else ""))
    config = TrainConfig(hash_bits=hash_bits, alpha=alpha, cv=cv, random_state=seed)
    model = fit_model(train_pages, config, spans=_train_spans(corpora if spam else None, seed), log=log)
    metrics = {}
    if dev_pages:
        log(f"evaluating on {len(dev_pages)} held-out pages (sites never seen in training)")
        html_report = evaluate(model, dev_pages)
        from training.train import as_text_page

        text_report = evaluate(model, [as_text_page(p) for p in dev_pages])
        print("== held-out, HTML input\n" + format_report(html_report))
        print("== held-out, text-dump input\n" + format_report(text_report))
        metrics = {"dev_html": html_report.to_dict(), "dev_text": text_report.to_dict()}
    save_model(model, out, extra={"training": summary, "config": dataclasses.asdict(config), "metrics": metrics})
    log(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB) in {time.time() - started:.0f} s")
    return model


def run_evaluate(data: list[Path], *, model: LinesiftModel, corpora: Path | None, labels: Path,
                 json_out: Path | None) -> None:
    if not data and corpora is None:
        raise InputError("nothing to evaluate on: give labelled data files and/or --corpora DIR")
    pages: list[Page] = read_labelled(data) if data else []
    if corpora is not None:
        pages += list(iter_corpus(corpora, labels, split="dev", log=log))
    report = evaluate(model, pages)
    print(format_report(report))
    if json_out is not None:
        json_out.write_text(json.dumps({**report.to_dict(), "per_page": report.per_page}, indent=1), encoding="utf-8")


__all__ = ["run_train", "run_evaluate", "build_training_data", "TrainingData", "add_synthetic_spam", "Line"]
