"""Is the bundled model what the README's `linesift train` command makes from this commit?"""
import json

from model.classify import DEFAULT_MODEL_PATH, manifest_path
from training.commands import build_training_data

LABELS_DIR = DEFAULT_MODEL_PATH.parents[2] / "data" / "labels"


def test_bundled_model_was_trained_on_the_corpus_this_commit_builds(shared_dir):
    # a change to segmentation, alignment, hand labels or the spam generator changes the
    # training data; the digest shows it in a minute, where a retrain takes a quarter of an hour.
    # build_training_data is what `linesift train` runs, with the README command's options
    manifest = json.loads(manifest_path(DEFAULT_MODEL_PATH).read_text(encoding="utf-8"))
    built = build_training_data([], corpora=shared_dir / "corpora", labels=LABELS_DIR, holdout=0.2, spam=True,
                                max_pages=None, seed=manifest["config"]["random_state"], with_dev=False)
    keys = ("train_pages", "train_lines", "synthetic_spam", "train_digest")
    assert {k: built.summary[k] for k in keys} == {k: manifest["training"][k] for k in keys}, (
        "the training corpus changed since the bundled model was trained: retrain it with the README's command")


def test_bundled_model_was_trained_with_the_default_settings():
    # the README's command passes no model options, so its model has TrainConfig's defaults;
    # a changed default (say, pass two's iterations) means the bundled file is stale
    import dataclasses

    from training.train import TrainConfig

    manifest = json.loads(manifest_path(DEFAULT_MODEL_PATH).read_text(encoding="utf-8"))
    assert manifest["config"] == dataclasses.asdict(TrainConfig()), (
        "TrainConfig's defaults changed since the bundled model was trained: retrain it with the README's command")
