"""model.classify: the two-pass classifier's contract, and the model file with its manifest."""
from __future__ import annotations

import json

import numpy as np
import pytest
import scipy
import sklearn
from sklearn.exceptions import NotFittedError

from model.classify import (
    DEFAULT_MODEL_PATH,
    LineClassifier,
    LinesiftModel,
    N_BLOCK_FEATURES,
    block_features,
    boosted_proba,
    classify,
    context_features,
    load_model,
    manifest_path,
    save_model,
)
from model.errors import ModelError
from model.records import LABELS
from training.train import line_targets

SMALL = dict(hash_bits=8, max_iter=20, cv=1)


@pytest.fixture(scope="module")
def text_pages():
    """The text-dump fixture pages (TSV + text JSONL): small, labelled, no markup."""
    from training.labelled import read_labelled

    from conftest import LABELLED

    return read_labelled([LABELLED / "text_pages.jsonl", LABELLED / "hand.tsv"])


@pytest.fixture(scope="module")
def fitted(text_pages):
    return LineClassifier(use_dom=False, **SMALL).fit(text_pages, line_targets(text_pages))


# --- estimator contract --------------------------------------------------------------------------------

def test_init_only_stores_parameters():
    clf = LineClassifier(use_dom=False, hash_bits=9, alpha=1e-5, cv=2, max_iter=7, learning_rate=0.2,
                         max_leaf_nodes=15, block_context=True, random_state=3)
    assert clf.get_params() == dict(use_dom=False, hash_bits=9, alpha=1e-5, cv=2, max_iter=7, learning_rate=0.2,
                                    max_leaf_nodes=15, block_context=True, random_state=3)
    assert not hasattr(clf, "classes_")
    assert sklearn.base.clone(clf).get_params() == clf.get_params()


def test_predict_proba_shape_and_label_column_order(fitted, text_pages):
    proba = fitted.predict_proba(text_pages)
    n_lines = sum(len(p.lines) for p in text_pages)
    assert proba.shape == (n_lines, len(LABELS))
    assert list(fitted.classes_) == list(LABELS) == ["body", "spam", "links", "chrome"]
    assert np.allclose(proba.sum(axis=1), 1.0)
    pred = fitted.predict(text_pages)
    assert pred.shape == (n_lines,)
    assert set(pred) <= set(LABELS)
    # the columns mean what LABELS says: predicted label == argmax column
    assert [LABELS[i] for i in proba.argmax(axis=1)] == list(pred)


def test_predict_proba_is_featurize_then_predict_proba_matrix(fitted, text_pages):
    matrix = fitted.featurizer_.transform(text_pages)
    split = fitted.predict_proba_matrix(matrix, [len(p.lines) for p in text_pages])
    assert np.array_equal(split, fitted.predict_proba(text_pages))


@pytest.fixture(scope="module")
def booster():
    """A four-class boosted model on synthetic rows, deep enough for an early exit."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    rng = np.random.default_rng(0)
    X = rng.normal(size=(3000, 6))
    y = np.array(LABELS, dtype=object)[(X[:, 0] > 0) * 2 + (X[:, 1] + 0.5 * rng.normal(size=3000) > 0)]
    return HistGradientBoostingClassifier(max_iter=60, random_state=0).fit(X, y), rng.normal(size=(2500, 6))


def test_boosted_proba_without_early_exit_is_predict_proba(booster):
    model, X = booster
    # more rows than one block, so the blocks are stitched back in order
    assert np.array_equal(boosted_proba(model, X, early_iterations=10, margin=np.inf), model.predict_proba(X))


def test_boosted_proba_walks_binned_rows_with_the_same_result_for_missing_and_out_of_range_values(booster):
    model, X = booster
    X = X.copy()
    X[::7, 0] = np.nan  # the model saw no missing value: NaN goes where the trees send it
    X[1::11, 1] = 1e6  # far beyond every bin edge
    X[2::13, 2] = model._bin_mapper.bin_thresholds_[2][5]  # exactly on a bin edge
    assert np.array_equal(boosted_proba(model, X, early_iterations=10, margin=np.inf), model.predict_proba(X))


def test_boosted_proba_early_exit_keeps_the_labels_of_clear_rows(booster):
    model, X = booster
    full = model.predict_proba(X)
    early = boosted_proba(model, X, early_iterations=10, margin=3.0)
    assert np.allclose(early.sum(axis=1), 1.0)
    changed = np.flatnonzero(np.abs(early - full).max(axis=1) > 0)
    assert changed.size > 0  # some rows did stop early
    assert np.array_equal(early.argmax(axis=1)[changed], full.argmax(axis=1)[changed])


def test_boosted_proba_does_not_depend_on_how_rows_are_blocked(booster, monkeypatch):
    import model.classify as classify_module

    model, X = booster
    default = boosted_proba(model, X, early_iterations=10, margin=3.0)
    monkeypatch.setattr(classify_module, "PREDICT_BLOCK_ROWS", 7)  # many blocks, a ragged last one
    assert np.array_equal(boosted_proba(model, X, early_iterations=10, margin=3.0), default)


def test_boosted_proba_stops_after_a_share_of_the_iterations_by_default(booster):
    from model.classify import EARLY_SHARE

    model, X = booster
    early = round(EARLY_SHARE * model.n_iter_)
    assert 1 < early < model.n_iter_
    assert np.array_equal(boosted_proba(model, X), boosted_proba(model, X, early_iterations=early))
    assert not np.array_equal(boosted_proba(model, X), boosted_proba(model, X, early_iterations=early + 5))


def test_boosted_proba_short_ensembles_and_empty_input_fall_back(booster):
    model, X = booster
    assert np.array_equal(boosted_proba(model, X, early_iterations=100), model.predict_proba(X))
    assert boosted_proba(model, X[:0]).shape == (0, 4)


def _block_page(kinds: str) -> tuple[np.ndarray, np.ndarray]:
    """Dense rows and pass-one probabilities for a page described one letter per line:
    H = short links-word heading, h = long links-word line, b = confident body, c = chrome."""
    from model.features import LENGTH_COLUMN, LINKS_WORDS_COLUMN

    dense = np.zeros((len(kinds), 30))
    proba = np.zeros((len(kinds), len(LABELS)))
    for i, kind in enumerate(kinds):
        dense[i, LENGTH_COLUMN] = np.log1p(60 if kind == "h" else 6)
        dense[i, LINKS_WORDS_COLUMN] = float(kind in "Hh")
        proba[i, LABELS.index("body" if kind == "b" else "links" if kind in "Hh" else "chrome")] = 0.9
        proba[i, LABELS.index("spam")] = 0.1
    return dense, proba


def test_block_features_follow_headings_body_and_runs():
    #                          0    1    2    3    4    5    6    7
    dense, proba = _block_page("c" + "b" + "b" + "H" + "c" + "c" + "b" + "h")
    out = block_features(dense, proba)
    assert out.shape == (8, N_BLOCK_FEATURES)
    # lines since the short heading at 3 (-1 before it); the long links-word line at 7 is no heading
    assert np.allclose(out[:, 0], [-1, -1, -1, 0, np.log1p(1), np.log1p(2), np.log1p(3), np.log1p(4)])
    # under the heading with no body line in between: 3, 4, 5 and 6 (its own body does not count), not 7
    assert out[:, 1].tolist() == [0, 0, 0, 1, 1, 1, 1, 0]
    # distance to the previous / next confident body line, -1 when there is none
    # (the line itself does not count: body lines 1, 2 and 6)
    assert np.allclose(out[:, 2], [-1, -1, *np.log1p([1, 1, 2, 3, 4, 1])])
    assert np.allclose(out[:, 3], [*np.log1p([1, 1, 4, 3, 2, 1]), -1, -1])
    # runs of the same pass-one label: c | b b | H | c c | b | h
    assert np.allclose(out[:, 4], np.log1p([1, 2, 2, 1, 2, 2, 1, 1]))
    assert np.allclose(out[:, 5], [0, 0, 0.5, 0, 0, 0.5, 0, 0])


def test_context_features_compute_block_features_per_page():
    first, p1 = _block_page("Hcc")
    second, p2 = _block_page("bcb")
    both = context_features(np.vstack([first, second]), np.vstack([p1, p2]), [3, 3], blocks=True)
    alone = context_features(second, p2, [3], blocks=True)
    # the second page's rows do not see the first page's heading
    assert np.array_equal(both[3:], alone)
    assert np.array_equal(both[3:, -N_BLOCK_FEATURES:], block_features(second, p2))
    assert context_features(second, p2, [3]).shape[1] == both.shape[1] - N_BLOCK_FEATURES
    assert context_features(np.zeros((0, 30)), np.zeros((0, len(LABELS))), [], blocks=True).shape[0] == 0


def test_block_context_widens_pass_two_and_survives_a_save(fitted, text_pages, tmp_path):
    with_blocks = LineClassifier(use_dom=False, block_context=True, **SMALL).fit(text_pages, line_targets(text_pages))
    assert with_blocks.second_.n_features_in_ == fitted.second_.n_features_in_ + N_BLOCK_FEATURES
    proba = with_blocks.predict_proba(text_pages)
    assert proba.shape == (sum(len(p.lines) for p in text_pages), len(LABELS))
    save_model(LinesiftModel(html=fitted, text=with_blocks), tmp_path / "m.joblib")
    loaded = load_model(tmp_path / "m.joblib")
    assert loaded.text.block_context and not loaded.html.block_context
    assert np.array_equal(loaded.text.predict_proba(text_pages), proba)


def test_fits_its_training_data(fitted, text_pages):
    y = line_targets(text_pages)
    assert (fitted.predict(text_pages) == y).mean() > 0.9


def test_a_class_absent_from_training_gets_a_zero_column(make_page):
    pages = [
        make_page(["首页", "国内", "居民买菜更方便了，街道还开设了老年食堂。", "相关推荐", "社区食堂挂牌开业"],
                  ["chrome", "chrome", "body", "links", "links"], id="a"),
        make_page(["Home", "News", "The council voted on Tuesday to build the lane.", "Related", "Bus timetable changes"],
                  ["chrome", "chrome", "body", "links", "links"], id="b"),
    ]
    clf = LineClassifier(use_dom=False, **SMALL).fit(pages, line_targets(pages))
    proba = clf.predict_proba(pages)
    assert proba.shape == (10, 4)
    assert np.all(proba[:, LABELS.index("spam")] == 0.0)
    assert list(clf.classes_) == list(LABELS)


def test_same_seed_gives_identical_probabilities(text_pages):
    y = line_targets(text_pages)
    groups = [p.metadata["site"] for p in text_pages]
    params = dict(use_dom=False, hash_bits=8, max_iter=15, cv=2, random_state=7)
    a = LineClassifier(**params).fit(text_pages, y, groups).predict_proba(text_pages)
    b = LineClassifier(**params).fit(text_pages, y, groups).predict_proba(text_pages)
    assert np.array_equal(a, b)


def test_empty_page_list_predicts_nothing(fitted):
    assert fitted.predict_proba([]).shape == (0, 4)


def test_predict_before_fit_raises(text_pages):
    with pytest.raises(NotFittedError):
        LineClassifier().predict_proba(text_pages)


@pytest.mark.parametrize("y, message", [
    (["body"] * 3, "labels but the pages have"),
    (["body", "chrome", "junk", "links"], "unknown labels"),
    (["body"] * 4, "at least two different labels"),
])
def test_bad_y_raises_value_error(make_page, y, message):
    page = make_page(["a", "b", "c", "d"])
    with pytest.raises(ValueError, match=message):
        LineClassifier(**SMALL).fit([page], y)


def test_classify_fills_line_fields(fitted, make_page):
    model = LinesiftModel(html=fitted, text=fitted)
    pages = [make_page(["首页", "居民买菜更方便了，街道还开设了老年食堂。"], id="t"),
             make_page(["Home", "The council voted on Tuesday."], source="html", id="h")]
    classify(pages, model)
    for page in pages:
        for line in page.lines:
            assert line.pred == line.label and line.label in LABELS
            assert len(line.proba) == 4 and line.score == max(line.proba)


class _Always:
    """A stand-in classifier that calls every line one label and records the pages it saw."""

    def __init__(self, label: str) -> None:
        self.label, self.seen = label, []

    def predict_proba(self, pages):
        self.seen += [page.id for page in pages]
        row = [0.9 if lab == self.label else 0.1 / 3 for lab in LABELS]
        return np.array([row for page in pages for _ in page.lines])


def test_classify_gives_html_pages_to_the_html_model_and_text_pages_to_the_text_model(make_page):
    model = LinesiftModel(html=_Always("body"), text=_Always("chrome"))
    pages = [make_page(["首页", "正文"], id="t1"), make_page(["Home", "Text"], source="html", id="h1"),
             make_page(["More"], id="t2")]
    classify(pages, model)
    assert model.html.seen == ["h1"] and model.text.seen == ["t1", "t2"]
    assert [[line.label for line in page.lines] for page in pages] == [["chrome"] * 2, ["body"] * 2, ["chrome"]]


# --- model file and manifest -----------------------------------------------------------------------

@pytest.fixture
def saved(fitted, tmp_path):
    path = save_model(LinesiftModel(html=fitted, text=fitted), tmp_path / "m.joblib", extra={"note": "test"})
    return path


def test_save_writes_model_and_manifest(saved):
    manifest = json.loads(manifest_path(saved).read_text(encoding="utf-8"))
    assert manifest_path(saved) == saved.with_suffix(".json")
    assert manifest["labels"] == list(LABELS)
    assert manifest["sklearn_version"] == sklearn.__version__
    assert (manifest["numpy_version"], manifest["scipy_version"]) == (np.__version__, scipy.__version__)
    assert manifest["file"] == "m.joblib"
    assert len(manifest["sha256"]) == 64
    assert manifest["features"]["hash_bits"] == SMALL["hash_bits"]
    assert manifest["note"] == "test"
    assert not list(saved.parent.glob("*.tmp"))


def test_save_load_round_trip_predicts_the_same(saved, fitted, text_pages):
    loaded = load_model(saved)
    assert isinstance(loaded, LinesiftModel)
    assert np.array_equal(loaded.text.predict_proba(text_pages), fitted.predict_proba(text_pages))
    assert loaded.manifest["sha256"] == json.loads(saved.with_suffix(".json").read_text())["sha256"]


def test_saved_trees_drop_training_only_fields_but_not_the_callers(saved, fitted):
    def gains(clf):
        return np.concatenate([tree.nodes["gain"] for it in clf.second_._predictors for tree in it])

    assert np.any(gains(fitted) != 0)  # the model in memory keeps its split gains
    assert not np.any(gains(load_model(saved).html))


def test_tampered_model_file_is_refused_naming_sha256(saved):
    data = bytearray(saved.read_bytes())
    data[len(data) // 2] ^= 0xFF
    saved.write_bytes(bytes(data))
    with pytest.raises(ModelError, match="sha256") as err:
        load_model(saved)
    assert str(saved) in str(err.value)


def test_manifest_from_another_sklearn_version_is_refused(saved):
    mpath = manifest_path(saved)
    manifest = json.loads(mpath.read_text(encoding="utf-8"))
    manifest["sklearn_version"] = "0.24.2"
    mpath.write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(ModelError, match="0.24.2") as err:
        load_model(saved)
    assert sklearn.__version__ in str(err.value) and "retrain" in str(err.value)


def test_sklearn_patch_version_difference_is_accepted(saved):
    mpath = manifest_path(saved)
    manifest = json.loads(mpath.read_text(encoding="utf-8"))
    major, minor = sklearn.__version__.split(".")[:2]
    manifest["sklearn_version"] = f"{major}.{minor}.99"
    mpath.write_text(json.dumps(manifest), encoding="utf-8")
    assert load_model(saved).manifest["sklearn_version"].endswith(".99")


def test_missing_manifest_is_refused(saved):
    manifest_path(saved).unlink()
    with pytest.raises(ModelError, match="no manifest") as err:
        load_model(saved)
    assert str(saved) in str(err.value)


def test_the_manifest_given_as_the_model_is_named_for_what_it_is(saved):
    with pytest.raises(ModelError, match="this is a model's manifest; give the model file beside it"):
        load_model(manifest_path(saved))


@pytest.mark.parametrize("content", [b"{not json", b"[]", b"null", b"\xff\xfe{}"])
def test_unreadable_manifest_is_refused(saved, content):
    manifest_path(saved).write_bytes(content)
    with pytest.raises(ModelError, match="unreadable manifest"):
        load_model(saved)


def test_other_format_version_is_refused(saved):
    mpath = manifest_path(saved)
    manifest = json.loads(mpath.read_text(encoding="utf-8"))
    manifest["format_version"] = 999
    mpath.write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(ModelError, match="format 999"):
        load_model(saved)


def test_missing_model_file_is_refused(tmp_path):
    with pytest.raises(ModelError, match="not found"):
        load_model(tmp_path / "absent.joblib")


def test_default_model_path_is_inside_the_package():
    assert DEFAULT_MODEL_PATH.parent.name == "default"
    assert DEFAULT_MODEL_PATH.parent.parent.name == "model"


def test_boosted_proba_in_a_worker_forked_after_the_parent_ran_it_does_not_hang(booster):
    """``linesift clean --jobs 2`` warms the model up in the parent, then forks: an
    OpenMP team started by the parent's prediction hangs the children for good."""
    import multiprocessing as mp

    if "fork" not in mp.get_all_start_methods():
        pytest.skip("no fork on this platform")
    model, X = booster
    expected = boosted_proba(model, X, early_iterations=10)  # in the parent first
    with mp.get_context("fork").Pool(1) as pool:
        result = pool.apply_async(boosted_proba, (model, X), {"early_iterations": 10})
        assert np.array_equal(result.get(timeout=60), expected)
