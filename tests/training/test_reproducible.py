"""Is the bundled model what the README's `linesift train` command makes from this commit?"""
import json

from model.classify import DEFAULT_MODEL_PATH, manifest_path
from training.commands import add_synthetic_spam, corpus_digest
from training.corpus import iter_corpus

LABELS_DIR = DEFAULT_MODEL_PATH.parents[2] / "data" / "labels"


def test_bundled_model_was_trained_on_the_corpus_this_commit_builds(shared_dir):
    # a change to segmentation, alignment, hand labels or the spam generator changes the
    # training data; the digest shows it in seconds, where a retrain takes ten minutes
    manifest = json.loads(manifest_path(DEFAULT_MODEL_PATH).read_text(encoding="utf-8"))
    pages = list(iter_corpus(shared_dir / "corpora", LABELS_DIR, split="train"))
    pages, synthetic = add_synthetic_spam(pages, seed=manifest["config"]["random_state"])
    built = {"train_pages": len(pages), "synthetic_spam": synthetic, "train_digest": corpus_digest(pages)}
    assert built == {key: manifest["training"][key] for key in built}, (
        "the training corpus changed since the bundled model was trained: retrain it with the README's command")
