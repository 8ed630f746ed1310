"""Classify step: a two-pass line classifier, and the model file that holds it.

Pass one is a linear model (logistic loss, fitted by SGD: seconds where
lbfgs took minutes on half a million sparse rows) over every line's own features, its neighbours'
dense features and hashed tokens. Short lines ("首页", "Home", "2024-05-26")
are ambiguous on their own, so pass two, a gradient-boosted tree model, sees
pass one's probabilities for the lines around each line and over the whole
page (is the line between the first and last confident body line?) and makes
the final call, as boilerpipe and jusText decide short blocks by context.
Pass two is trained on out-of-fold pass-one probabilities, grouped by site, so
it learns how far to trust pass one on pages it has not seen.
"""
from __future__ import annotations

import copy
import hashlib
import json
import math
import os
import platform
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import joblib
import numpy as np
import scipy
import sklearn
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import GroupKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MaxAbsScaler
from sklearn.utils.validation import check_is_fitted

from model.errors import ModelError
from model.features import LENGTH_COLUMN, LINKS_WORDS_COLUMN, LineFeaturizer
from model.records import LABELS, Page

#: Bumped whenever the pickled objects or the manifest change shape
#: (3: ``LineClassifier`` gained ``block_context``).
FORMAT_VERSION = 3
#: The bundled default model.
DEFAULT_MODEL_PATH = Path(__file__).with_name("default") / "linesift.joblib"
#: Offsets of neighbouring lines whose pass-one probabilities pass two sees.
CONTEXT_OFFSETS = (-3, -2, -1, 1, 2, 3)
#: Probability above which pass one's "body" counts as confident for region features.
BODY_CONFIDENT = 0.5
#: Rows per block of pass two's prediction. Each of its hundreds of trees walks every
#: row, so a block that stays in the CPU cache is several times faster than one call
#: on a big matrix, and two workers do not fight over memory bandwidth. The trees walk
#: binned rows (one byte per column, see ``boosted_proba``): 8,192 rows x 146 columns
#: is 1.2 MB, what 1,024 rows of float64 were when the trees walked those.
PREDICT_BLOCK_ROWS = 8192
#: Pass two's early exit: after this share of its boosting iterations (30 of the HTML
#: model's 150, 60 of the text model's 300) ...
EARLY_SHARE = 0.2
#: ... a row whose two best classes are this many logits apart stops there. On the
#: 97,847 lines of 800 crawl-sample pages 4 rows change their label against the full
#: model (10 when stopping after 25 iterations, 18 after 20).
EARLY_MARGIN = 3.0


#: A links-word line ("相关推荐", "More stories") this short is a block heading.
HEADING_MAX_LOG_LEN = math.log1p(20)
#: Columns ``block_features`` adds to pass two's inputs.
N_BLOCK_FEATURES = 6


def block_features(dense: np.ndarray, proba: np.ndarray) -> np.ndarray:
    """Where a line sits among the page's blocks, for one page: shape (n_lines, 6).

    The +-3 neighbours and the +-10 window do not reach far enough to see that
    line 40 of a recommendation feed still sits under its "为您推荐" heading,
    or how far the nearest article line is. The columns: log lines since the last
    short links-word heading (-1 if none); 1 when such a heading is above and no
    confident body line lies between it and the line; log distance to the
    previous and to the next confident body line (-1 if none); log length of the
    run of lines with the same pass-one label, and the line's relative place in it.
    ``LineClassifier(block_context=True)`` adds them; see there for what they
    were measured to do.
    """
    n = len(proba)
    if n == 0:
        return np.zeros((0, N_BLOCK_FEATURES))
    idx = np.arange(n)
    head = (dense[:, LINKS_WORDS_COLUMN] > 0) & (dense[:, LENGTH_COLUMN] <= HEADING_MAX_LOG_LEN)
    body = proba[:, 0] >= BODY_CONFIDENT
    last_head = np.maximum.accumulate(np.where(head, idx, -1))
    body_before = np.concatenate([[-1], np.maximum.accumulate(np.where(body, idx, -1))[:-1]])
    body_after = np.concatenate([np.minimum.accumulate(np.where(body, idx, n)[::-1])[::-1][1:], [n]])
    best = proba.argmax(axis=1)
    change = np.concatenate([[True], best[1:] != best[:-1]])
    run = np.cumsum(change) - 1
    starts = np.flatnonzero(change)
    lengths = np.bincount(run)
    return np.column_stack([
        np.where(last_head >= 0, np.log1p(idx - last_head), -1.0),
        ((last_head >= 0) & (body_before <= last_head)).astype(float),
        np.where(body_before >= 0, np.log1p(idx - body_before), -1.0),
        np.where(body_after < n, np.log1p(body_after - idx), -1.0),
        np.log1p(lengths[run]),
        (idx - starts[run]) / lengths[run],
    ])


def context_features(dense: np.ndarray, proba: np.ndarray, page_sizes: Sequence[int], *,
                     blocks: bool = False) -> np.ndarray:
    """Pass-two inputs: dense features + own/neighbour/region probabilities (+ block features).

    Returns an array of shape
    (n_lines, n_dense + n_classes * (1 + len(CONTEXT_OFFSETS) + 2) + 3 [+ N_BLOCK_FEATURES if ``blocks``]).
    """
    out = []
    start = 0
    k = proba.shape[1]
    for size in page_sizes:
        p = proba[start:start + size]
        pad = np.zeros((3, k))
        padded = np.vstack([pad, p, pad])
        cols = [p] + [padded[3 + off: 3 + off + size] for off in CONTEXT_OFFSETS]
        # wider windows: mean probabilities over +-10 lines, and page-level shares
        cs = np.vstack([np.zeros((1, k)), np.cumsum(p, axis=0)])
        idx = np.arange(size)
        lo, hi = np.clip(idx - 10, 0, size), np.clip(idx + 11, 0, size)
        cols.append((cs[hi] - cs[lo]) / (hi - lo)[:, None])
        cols.append(np.repeat(p.mean(axis=0, keepdims=True), size, axis=0))
        body = np.flatnonzero(p[:, 0] >= BODY_CONFIDENT)
        if body.size:
            first, last = body[0], body[-1]
            inside = ((idx >= first) & (idx <= last)).astype(float)
            dist = np.minimum(np.abs(idx - first), np.abs(idx - last)) / max(1, size)
        else:
            inside, dist = np.zeros(size), np.ones(size)
        cols.append(np.column_stack([inside, dist, np.full(size, body.size / max(1, size))]))
        if blocks:
            cols.append(block_features(dense[start:start + size], p))
        out.append(np.hstack(cols))
        start += size
    return np.hstack([dense, np.vstack(out)]) if out else np.zeros((0, dense.shape[1]))


def boosted_proba(model: HistGradientBoostingClassifier, X: np.ndarray, *,
                  early_iterations: int | None = None, margin: float = EARLY_MARGIN) -> np.ndarray:
    """``model.predict_proba(X)`` in cache-sized blocks, with an early exit for clear rows.

    Pass two is most of the classify step's time, and most lines (menus,
    paragraphs) are decided long before the last tree. Rows still unsure after
    ``early_iterations`` (default: ``EARLY_SHARE`` of the model's) go through every tree. A stopped row's probabilities
    are those of the shorter ensemble, so they can differ a little from the full
    model's (the label did not change on any measured line). ``margin=inf`` gives
    exactly ``predict_proba``.

    The trees walk the rows binned, as they were trained: every split of a fitted
    model compares a feature's bin with the bin of its threshold, and
    ``x <= threshold`` holds exactly when ``bin(x) <= bin(threshold)`` (NaN has a
    bin of its own that goes the way NaN goes), so the sums are the same to the
    bit. A binned row is one byte per column instead of eight: on the 796 pages
    (108,623 lines) of the speed sample both passes of the HTML model took 1.3 s
    instead of 2.2 s, binning included, with every probability equal.

    This reads scikit-learn internals (``_predictors``, ``_predict_iterations``,
    ``_bin_mapper``, ``_baseline_prediction``, ``_loss``); model files are tied to one
    scikit-learn minor version by ``load_model``, and if the internals are missing the
    plain, blockwise ``predict_proba`` is used.
    """
    n = X.shape[0]
    predictors = getattr(model, "_predictors", None)
    k = getattr(model, "n_trees_per_iteration_", 1)
    internals = all(hasattr(model, a) for a in ("_predict_iterations", "_bin_mapper", "_baseline_prediction",
                                                 "_loss"))
    if early_iterations is None:
        early_iterations = max(1, round(EARLY_SHARE * len(predictors or ())))
    if predictors is None or not internals or k < 2 or len(predictors) <= early_iterations or n == 0:
        return np.vstack([model.predict_proba(X[i:i + PREDICT_BLOCK_ROWS]) for i in range(0, n, PREDICT_BLOCK_ROWS)]
                         or [np.zeros((0, len(model.classes_)))])
    X = bin_rows(model._bin_mapper, model._preprocess_X(X, reset=False))
    raw = np.zeros((n, k), dtype=model._baseline_prediction.dtype)
    raw += model._baseline_prediction
    _add_trees(model, X, predictors[:early_iterations], raw)
    top2 = np.partition(raw, k - 2, axis=1)[:, -2:]
    unsure = np.flatnonzero(top2[:, 1] - top2[:, 0] < margin)
    if unsure.size:
        # the unsure rows of all blocks together: full blocks again, so the ~8 us a
        # tree call costs is paid over a whole block and not over the part of each block
        rest = raw[unsure]
        _add_trees(model, X[unsure], predictors[early_iterations:], rest)
        raw[unsure] = rest
    return model._loss.predict_proba(raw)


def bin_rows(mapper, X: np.ndarray) -> np.ndarray:
    """``mapper.transform(X)`` (a fitted HistGradientBoosting ``_BinMapper``) on one
    thread, C-ordered for the trees' row-by-row walk.

    The mapper's OpenMP loop asks for as many threads as the model was fitted
    with, whatever ``threadpoolctl`` says; run that way in the parent before
    ``linesift clean --jobs 2`` forked its workers, it left them hung for good
    (libgomp's thread team does not survive ``fork``). One thread starts no team.
    """
    one = copy.copy(mapper)
    one.n_threads = 1
    return np.ascontiguousarray(one.transform(X))


def _add_trees(model: HistGradientBoostingClassifier, X: np.ndarray, predictors, raw: np.ndarray) -> None:
    """Add the raw scores of ``predictors`` on binned rows ``X`` to ``raw`` (in place),
    ``PREDICT_BLOCK_ROWS`` rows at a time.

    A row's sum does not depend on which rows share its block, so the result is
    the same however the rows are grouped.
    """
    for start in range(0, X.shape[0], PREDICT_BLOCK_ROWS):
        block = np.asfortranarray(raw[start:start + PREDICT_BLOCK_ROWS])
        model._predict_iterations(X[start:start + PREDICT_BLOCK_ROWS], predictors, block, True, 1)
        raw[start:start + PREDICT_BLOCK_ROWS] = block


class LineClassifier(ClassifierMixin, BaseEstimator):
    """Two-pass line classifier over pages.

    Parameters
    ----------
    use_dom : bool, default=True
        Use markup features (HTML model) or not (text-dump model).
    hash_bits : int, default=15
        Size of the hashed token block, ``2**hash_bits`` columns.
    alpha : float, default=1e-4
        L2 regularisation of the pass-one linear model (best of 1e-6..1e-4 on dev).
    cv : int, default=3
        Folds (grouped by site) for the out-of-fold probabilities pass two is
        trained on. ``cv=1`` trains pass two on in-sample probabilities
        (only for tiny data, e.g. tests).
    max_iter : int, default=300
        Boosting iterations of pass two (pass one runs at most 30 epochs).
    learning_rate : float, default=0.1
        Shrinkage of pass two.
    max_leaf_nodes : int, default=31
        Leaves per tree of pass two. Pass two is the costliest part of classifying,
        and its cost grows with the number of trees far more than with their depth.
        Measured on 2026-12-04 against these defaults (same cached training inputs,
        dev pages and repair step; early exit after a fifth or a sixth of the iterations):
        with markup, 150 iterations of 63 leaves at rate 0.15 gave dev body-token F1
        en 0.9663 / zh 0.9650 (from 0.9665 / 0.9611) in 64 % of the time, where
        150 x 31 at 0.2 gave 0.9639 / 0.9468 and 100 x 31 at 0.3 0.9603 / 0.9393; so the
        default HTML model uses 150 x 63 at 0.15 (``TrainConfig``). For text dumps the
        same change cost text-mode line F1 (body 0.851 -> 0.846, links 0.791 -> 0.788,
        spam 0.53 -> 0.39 on 32 lines), so the text model keeps these defaults. 63 leaves
        at 300 iterations (2026-12-03): within noise, for a file of 8.4 MB, not 5.3 MB.
    block_context : bool, default=False
        Give pass two ``block_features`` too. Measured with the README training
        command on 2026-12-03: for text dumps, dev body-token F1 0.898 -> 0.905,
        line F1 body 0.805 -> 0.816, links 0.709 -> 0.717 (spam 9 -> 3 of 29 dev
        lines, all on one page's 20-line ad block, now called links/chrome, so
        still cut); with markup, body-token F1 0.954 -> 0.948. So the default
        model uses them for text dumps only.
    random_state : int, default=0
        Seeds both passes.

    Attributes
    ----------
    classes_ : ndarray of str
        Always ``LABELS`` order (body, spam, links, chrome), whatever occurred in training.
    featurizer_ : LineFeaturizer
        Stateless; kept so a loaded model featurizes exactly as it was trained.
    first_ : Pipeline
        Scaler + linear model over the featurizer's matrix.
    second_ : HistGradientBoostingClassifier
        The contextual pass.

    Notes
    -----
    ``X`` is a sequence of segmented ``Page`` objects; ``y`` holds the labels of
    all their lines, in page order, shape (total lines,). Probabilities come
    back with the same row order.
    """

    def __init__(self, *, use_dom: bool = True, hash_bits: int = 15, alpha: float = 1e-4, cv: int = 3,
                 max_iter: int = 300, learning_rate: float = 0.1, max_leaf_nodes: int = 31,
                 block_context: bool = False, random_state: int = 0):
        self.use_dom = use_dom
        self.hash_bits = hash_bits
        self.alpha = alpha
        self.cv = cv
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.max_leaf_nodes = max_leaf_nodes
        self.block_context = block_context
        self.random_state = random_state

    def _first(self) -> Pipeline:
        """Scaler + SGD logistic model; a fixed epoch budget, so no convergence warning."""
        return Pipeline([
            ("scale", MaxAbsScaler()),
            ("linear", SGDClassifier(loss="log_loss", alpha=self.alpha, max_iter=30, tol=1e-4,
                                     random_state=self.random_state)),
        ])

    @staticmethod
    def _full_proba(estimator, X, predict_proba=None) -> np.ndarray:
        """Probabilities in LABELS order, with zeros for classes absent in training."""
        proba = predict_proba(estimator, X) if predict_proba else estimator.predict_proba(X)
        full = np.zeros((proba.shape[0], len(LABELS)))
        for j, cls in enumerate(estimator.classes_):
            full[:, LABELS.index(cls)] = proba[:, j]
        return full

    def fit(self, X: Sequence[Page], y, groups: Sequence | None = None):
        """Fit both passes.

        Parameters
        ----------
        X : sequence of Page
        y : array-like of str, shape (total lines,)
        groups : sequence, shape (n_pages,), optional
            Site of each page; folds never split a site. Defaults to one group per page.
        """
        pages = list(X)
        y = np.asarray(y, dtype=object)
        sizes = [len(p.lines) for p in pages]
        if sum(sizes) != len(y):
            raise ValueError(f"y has {len(y)} labels but the pages have {sum(sizes)} lines")
        bad = sorted(set(y) - set(LABELS))
        if bad:
            raise ValueError(f"unknown labels {bad}; expected {list(LABELS)}")
        if len(set(y)) < 2:
            raise ValueError("training data must contain at least two different labels")
        groups = np.arange(len(pages)) if groups is None else np.asarray(groups)
        with warnings.catch_warnings():
            # 30 SGD epochs is a deliberate budget (dev F1 is flat beyond it), not a failure
            warnings.simplefilter("ignore", ConvergenceWarning)
            return self._fit(pages, y, groups, sizes)

    def _fit(self, pages: list[Page], y: np.ndarray, groups: np.ndarray, sizes: list[int]):
        # featurize once; folds slice rows of the same matrix
        self.featurizer_ = LineFeaturizer(use_dom=self.use_dom, hash_bits=self.hash_bits)
        matrix = self.featurizer_.transform(pages)
        dense = matrix[:, :self.featurizer_.n_dense].toarray()
        line_groups = np.repeat(groups, sizes)
        n_folds = min(self.cv, len(set(groups)))
        if n_folds >= 2:
            oof = np.zeros((len(y), len(LABELS)))
            for train_rows, test_rows in GroupKFold(n_splits=n_folds).split(matrix, groups=line_groups):
                est = self._first().fit(matrix[train_rows], y[train_rows])
                oof[test_rows] = self._full_proba(est, matrix[test_rows])
        self.first_ = self._first().fit(matrix, y)
        if n_folds < 2:
            oof = self._full_proba(self.first_, matrix)
        ctx = context_features(dense, oof, sizes, blocks=self.block_context)
        self.second_ = HistGradientBoostingClassifier(
            max_iter=self.max_iter, learning_rate=self.learning_rate, max_leaf_nodes=self.max_leaf_nodes,
            l2_regularization=1.0,
            random_state=self.random_state,
        ).fit(ctx, y)
        self.classes_ = np.asarray(LABELS, dtype=object)
        self.n_train_lines_ = len(y)
        return self

    def predict_proba(self, X: Sequence[Page]) -> np.ndarray:
        """Probabilities, shape (total lines, 4), columns in ``LABELS`` order."""
        check_is_fitted(self, "second_")
        pages = list(X)
        if not pages:
            return np.zeros((0, len(LABELS)))
        return self.predict_proba_matrix(self.featurizer_.transform(pages), [len(p.lines) for p in pages])

    def predict_proba_matrix(self, matrix, page_sizes: Sequence[int]) -> np.ndarray:
        """Both passes on rows ``featurizer_`` has already made (``page_sizes`` lines per page).

        ``predict_proba`` is featurize + this; kept apart so a benchmark can time
        the two steps once each instead of featurizing twice.
        """
        check_is_fitted(self, "second_")
        first = self._full_proba(self.first_, matrix)
        dense = matrix[:, :self.featurizer_.n_dense].toarray()
        ctx = context_features(dense, first, page_sizes, blocks=self.block_context)
        return self._full_proba(self.second_, ctx, boosted_proba)

    def predict(self, X: Sequence[Page]) -> np.ndarray:
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]


@dataclass
class LinesiftModel:
    """What a model file holds: one classifier per input mode, and the span detector.

    ``html`` is used for pages segmented from markup, ``text`` for text dumps;
    ``spans`` (optional) finds injected spam inside sentences.
    """

    html: LineClassifier
    text: LineClassifier
    spans: object | None = None
    manifest: dict = field(default_factory=dict)

    def for_page(self, page: Page) -> LineClassifier:
        """The HTML model for a page segmented from HTML (it reads DOM features), else the text one."""
        return self.html if page.source == "html" else self.text


_CONTROLLER = None


def one_openmp_thread():
    """Context manager limiting OpenMP (the tree models' predict) to one thread.

    Per-call batches are small, and on a machine shared with other workers
    extra threads only spin (tens of times slower under load). threadpoolctl's
    ``threadpool_limits`` rescans the loaded libraries on every call (about
    5 ms); one controller, made on first use, is reused instead.
    """
    global _CONTROLLER
    if _CONTROLLER is None:
        from threadpoolctl import ThreadpoolController

        _CONTROLLER = ThreadpoolController()
    return _CONTROLLER.limit(limits=1, user_api="openmp")


def classify(pages: Sequence[Page], model: LinesiftModel) -> list[Page]:
    """Set ``pred``, ``proba``, ``label`` and ``score`` on every line."""
    by_mode: dict[bool, list[Page]] = {}
    for page in pages:
        by_mode.setdefault(page.source == "html", []).append(page)
    for group in by_mode.values():
        clf = model.for_page(group[0])
        with one_openmp_thread():
            proba = clf.predict_proba(group)
        set_predictions(group, proba)
    return list(pages)


def set_predictions(pages: Sequence[Page], proba: np.ndarray) -> None:
    """Write one probability row per line, in page order, onto the lines (best label wins)."""
    # one argmax and one ``tolist`` for the whole batch: per-row numpy calls were
    # most of this step's time, and ``tolist`` gives the same Python floats
    best = np.argmax(proba, axis=1).tolist()
    rows = iter(zip(map(tuple, proba.tolist()), best))
    for page in pages:
        for line in page.lines:
            p, b = next(rows)
            line.pred = line.label = LABELS[b]
            line.proba = p
            line.score = p[b]


# --- persistence -------------------------------------------------------------

def sha256_file(path: Path) -> str:
    """Hex sha256 of a file, read in 1 MB chunks (model files and corpus indexes)."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def manifest_path(path: Path) -> Path:
    return Path(path).with_suffix(".json")


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("linesift")
    except Exception:  # not installed (running from a checkout)
        return "0+unknown"


#: Fields of a boosted tree's nodes that only training and inspection read: the split
#: gain and the training-sample count. ``predict_proba`` (and the span detector's own
#: tree walk) never touch them.
_TRAINING_ONLY_NODE_FIELDS = ("gain", "count")


def slim_copy(estimator):
    """A deep copy whose boosted trees have their training-only node fields zeroed.

    Random float gains compress badly: zeroed, they make the bundled model file
    a fifth smaller (6.7 -> 5.3 MB), with predictions bit for bit the same
    (checked by tests/test_classify.py). The caller's estimator is left as it was.
    """
    if estimator is None:
        return None
    slim = copy.deepcopy(estimator)
    for name in ("first_", "second_"):
        booster = getattr(slim, name, None)
        for iteration in getattr(booster, "_predictors", None) or ():
            for tree in iteration:
                for field_name in _TRAINING_ONLY_NODE_FIELDS:
                    if field_name in (tree.nodes.dtype.names or ()):
                        tree.nodes[field_name] = 0
    return slim


def save_model(model: LinesiftModel, path: str | Path, *, extra: dict | None = None) -> Path:
    """Write ``path`` (joblib) and ``path.with_suffix('.json')`` (manifest with sha256).

    The manifest is written last, atomically, so a half-written model never
    passes the hash check. The file holds ``slim_copy`` of each estimator.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    html = slim_copy(model.html)
    text = html if model.text is model.html else slim_copy(model.text)
    joblib.dump({"format_version": FORMAT_VERSION, "html": html, "text": text,
                 "spans": slim_copy(model.spans)}, tmp, compress=3)
    os.replace(tmp, path)
    manifest = {
        "format_version": FORMAT_VERSION,
        "linesift_version": _version(),
        "sklearn_version": sklearn.__version__,
        # the same code and data gave another text model in another environment
        # (2026-12-04): the numeric libraries' versions say which one a file came from
        "numpy_version": np.__version__,
        "scipy_version": scipy.__version__,
        "python_version": platform.python_version(),
        "labels": list(LABELS),
        "features": {"hash_bits": model.html.hash_bits, "context_offsets": list(CONTEXT_OFFSETS)},
        "file": path.name,
        "sha256": sha256_file(path),
        **(extra or {}),
    }
    model.manifest = manifest
    mpath = manifest_path(path)
    mtmp = mpath.with_suffix(".json.tmp")
    mtmp.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(mtmp, mpath)
    return path


def _minor(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split(".")[:2] if p.isdigit())


def load_model(path: str | Path | None = None) -> LinesiftModel:
    """Load a model after checking its manifest: hash, format and scikit-learn version.

    Loading runs code from the file (joblib is pickle): load only files you trust.
    The sha256 check catches corruption and accidental swaps, not a forger who
    also rewrites the manifest.
    """
    path = Path(path) if path is not None else DEFAULT_MODEL_PATH
    if not path.exists():
        hint = " (the bundled default model is missing: reinstall linesift)" if path == DEFAULT_MODEL_PATH else ""
        raise ModelError(f"{path}: model file not found{hint}")
    if path.suffix == ".json":
        raise ModelError(f"{path}: this is a model's manifest; give the model file beside it "
                         f"({path.with_suffix('.joblib').name})")
    mpath = manifest_path(path)
    if not mpath.exists():
        raise ModelError(f"{path}: no manifest {mpath.name} beside it; retrain with `linesift train`")
    try:
        manifest = json.loads(mpath.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelError(f"{mpath}: unreadable manifest ({exc})") from None
    if not isinstance(manifest, dict):
        raise ModelError(f"{mpath}: unreadable manifest (a JSON {type(manifest).__name__}, not an object)")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise ModelError(
            f"{path}: model format {manifest.get('format_version')} but this linesift reads format "
            f"{FORMAT_VERSION}; retrain with `linesift train`"
        )
    if manifest.get("sha256") != sha256_file(path):
        raise ModelError(f"{path}: sha256 does not match {mpath.name}; the file is corrupt or was replaced")
    trained = manifest.get("sklearn_version", "?")
    if _minor(trained) != _minor(sklearn.__version__):
        raise ModelError(
            f"{path}: trained with scikit-learn {trained}, running {sklearn.__version__}; "
            "install that version or retrain with `linesift train`"
        )
    try:
        blob = joblib.load(path)
    except Exception as exc:  # unpickling can fail in many ways; all mean "unusable file"
        raise ModelError(f"{path}: cannot load model ({type(exc).__name__}: {exc})") from None
    if not isinstance(blob, dict) or blob.get("format_version") != FORMAT_VERSION:
        raise ModelError(f"{path}: not a linesift model file")
    return LinesiftModel(html=blob["html"], text=blob["text"], spans=blob.get("spans"), manifest=manifest)
