"""Evaluation: per-class line P/R/F1, confusion matrix, and body-token F1.

Body-token F1 compares the cleaned text with the gold cleaned text as bags of
tokens, CJK counted per character and other scripts per word, averaged over
pages: it is what a corpus builder feels. Line metrics are always shown beside
a ``DummyClassifier(strategy="prior")`` baseline so a number means something.
"""
from __future__ import annotations

import copy
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from sklearn.dummy import DummyClassifier
from sklearn.metrics import confusion_matrix, f1_score, precision_recall_fscore_support

from model.classify import LinesiftModel
from model.pipeline import process
from model.records import LABELS, Page
from model.write import page_text

_TOKEN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3040-\u30ff]|[^\W_\u3400-\u9fff\uf900-\ufaff\u3040-\u30ff]+", re.U)


def tokens(text: str) -> list[str]:
    """CJK (and kana) one token per character, anything else per word, lower-cased."""
    return _TOKEN.findall(text.lower())


def token_f1(predicted: str, gold: str) -> tuple[float, float, float]:
    """Bag-of-tokens precision, recall, F1; two empty texts agree perfectly."""
    p, g = Counter(tokens(predicted)), Counter(tokens(gold))
    if not p and not g:
        return 1.0, 1.0, 1.0
    common = sum((p & g).values())
    precision = common / sum(p.values()) if p else 0.0
    recall = common / sum(g.values()) if g else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def gold_text(page: Page) -> str:
    """The text a perfect cleaner would output for a labelled page."""
    out = []
    for line in page.lines:
        if line.gold == "body":
            out.append(line.text)
        elif line.gold == "spam" and line.gold_spans:
            kept, prev = [], 0
            for s, e in line.gold_spans:
                kept.append(line.text[prev:s])
                prev = e
            kept.append(line.text[prev:])
            out.append("".join(kept).strip())
    return "\n".join(out)


@dataclass
class Report:
    n_pages: int
    n_lines: int
    per_class: dict[str, dict[str, float]]
    macro_f1: float
    confusion: list[list[int]]
    baseline_macro_f1: float
    body_token: dict[str, float]
    per_page: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "per_page"}


def predict_pages(model: LinesiftModel, pages: Sequence[Page]) -> list[Page]:
    """Copies of the pages with predictions; gold labels stay on the copies."""
    copies = []
    for page in pages:
        clone = copy.deepcopy(page)
        for line in clone.lines:
            line.pred = line.label = line.proba = line.score = None
            line.spans, line.repair_reason = [], ""
        copies.append(clone)
    return process(copies, model)


def evaluate(model: LinesiftModel, pages: Sequence[Page]) -> Report:
    predicted = predict_pages(model, pages)
    y_true = np.array([l.gold for p in predicted for l in p.lines], dtype=object)
    y_pred = np.array([l.label for p in predicted for l in p.lines], dtype=object)
    prec, rec, f1, support = precision_recall_fscore_support(y_true, y_pred, labels=list(LABELS), zero_division=0)
    per_class = {lab: {"precision": float(prec[i]), "recall": float(rec[i]), "f1": float(f1[i]),
                       "support": int(support[i])} for i, lab in enumerate(LABELS)}
    present = [lab for lab in LABELS if per_class[lab]["support"] > 0]
    macro = float(f1_score(y_true, y_pred, labels=present, average="macro", zero_division=0))
    dummy = DummyClassifier(strategy="prior").fit(np.zeros((len(y_true), 1)), y_true)
    baseline = float(f1_score(y_true, dummy.predict(np.zeros((len(y_true), 1))), labels=present,
                              average="macro", zero_division=0))
    rows, scores = [], []
    for page in predicted:
        p, r, f = token_f1(page_text(page), gold_text(page))
        scores.append((p, r, f))
        rows.append({"id": page.id, "lang": page.lang, "precision": p, "recall": r, "f1": f})
    arr = np.array(scores) if scores else np.zeros((0, 3))
    body = {"precision": float(arr[:, 0].mean()) if len(arr) else 0.0,
            "recall": float(arr[:, 1].mean()) if len(arr) else 0.0,
            "f1": float(arr[:, 2].mean()) if len(arr) else 0.0}
    return Report(
        n_pages=len(predicted), n_lines=len(y_true), per_class=per_class, macro_f1=macro,
        confusion=confusion_matrix(y_true, y_pred, labels=list(LABELS)).tolist(),
        baseline_macro_f1=baseline, body_token=body, per_page=rows,
    )


def format_report(report: Report) -> str:
    out = [f"{report.n_pages} pages, {report.n_lines} lines",
           f"{'label':8s} {'prec':>6s} {'rec':>6s} {'f1':>6s} {'support':>8s}"]
    for lab, m in report.per_class.items():
        out.append(f"{lab:8s} {m['precision']:6.3f} {m['recall']:6.3f} {m['f1']:6.3f} {m['support']:8d}")
    out.append(f"macro F1 {report.macro_f1:.3f}   (DummyClassifier prior baseline: {report.baseline_macro_f1:.3f})")
    out.append("confusion (rows = gold, columns = predicted): " + " ".join(LABELS))
    for lab, row in zip(LABELS, report.confusion):
        out.append(f"  {lab:8s} " + " ".join(f"{v:7d}" for v in row))
    b = report.body_token
    out.append(f"body-token P/R/F1 (mean over pages): {b['precision']:.3f} / {b['recall']:.3f} / {b['f1']:.3f}")
    return "\n".join(out)
