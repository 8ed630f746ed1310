"""The synthetic-spam vocabulary must not be written from the dev pages it is measured on.

The dev split's spam lines are few (one old Chinese portal page holds most of
them), so a generator that borrowed their claims or hooks would make the
accuracy benchmark's spam figure measure memory, not detection. Condition
names (失眠, 脱发) are plain vocabulary every such ad uses and are not checked.
"""
from pathlib import Path

import pytest

from training import spam_words as W
from training.corpora import Archives, load_index
from training.corpus import build_page, load_hand_labels
from training.split import is_dev

ROOT = Path(__file__).resolve().parents[2]

#: Template parts a generated line is made of, besides plain vocabulary.
PHRASES = [*W.ZH_QUACK_CLAIMS, *W.ZH_QUACK_HOOKS, *W.ZH_VICE, *W.ZH_HOOKS,
           *(f"{name}{tail}" for name, _ in W.GAMBLING_BRANDS for tail in W.GAMBLING_TAILS)]


def test_phrase_lists_are_non_empty_and_distinct():
    assert len(PHRASES) == len(set(PHRASES)) > 50


def dev_spam_lines(corpora: Path) -> list[str]:
    hand = load_hand_labels(ROOT / "data" / "labels")
    with_spam = {ref for ref, labels in hand.items() if any(label == "spam" for _, label in labels)}
    archives, lines = Archives(corpora), []
    for entry in load_index(corpora):
        if is_dev(entry) and (entry.ref in with_spam or entry.id in with_spam):
            page, _ = build_page(entry, archives, hand)
            lines += [line.text for line in (page.lines if page else []) if line.gold == "spam"]
    return lines


def test_no_generator_phrase_occurs_in_a_dev_spam_line(shared_dir):
    corpora = shared_dir / "corpora"
    if not (corpora / "INDEX.jsonl").exists():
        pytest.skip(f"{corpora} has no INDEX.jsonl")
    lines = dev_spam_lines(corpora)
    assert lines, "the dev split has hand-labelled spam lines"
    shared = sorted({phrase for phrase in PHRASES for line in lines if phrase in line})
    assert shared == []
