"""Featurize step: pages -> one feature row per line.

Two kinds of features, kept apart because two classifiers use them:

* **dense** features (shape, punctuation, patterns, position, title similarity,
  repetition, DOM context, and the same for neighbouring lines) feed both
  passes of the classifier;
* **hashed** tokens (jieba words for Chinese, lower-cased words otherwise,
  class/id tokens, short whole lines such as "首页" or "Home") feed only the
  first, linear pass. Hashing means there is no vocabulary to persist.

Each dense group is a plain function ``(page, ctx) -> ndarray (n_lines, k)``
registered in ``DENSE_GROUPS`` by name; ``LineFeaturizer`` is the one
stateless scikit-learn transformer around them.
"""
from __future__ import annotations

import math
import operator
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils import murmurhash3_32

from model.records import Line, Page, normalize_text

# --- patterns --------------------------------------------------------------
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")
_DIGIT = re.compile(r"\d")
_PUNCT = re.compile(r"[^\w\s]")
_CJK_SENT_PUNCT = re.compile(r"[，。！？；：、]")
#: Characters that end a sentence or close a quote: a line ending in one reads as prose.
_TERMINAL_CHARS = frozenset("。！？.!?…”\"』」)）")
_BULLET = re.compile(r"^\s*([·•\-*>»▪■□◆◇●○►▶]|\d{1,2}[.、)]|\[\d+\])")
#: The date alternatives, kept apart so ``_has_date`` can try the cheap ones first.
_DATE_NUMERIC = r"\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}"
_DATE_CJK = r"\d{1,2}\s*月\s*\d{1,2}\s*日"
_MONTH = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
_DATE_MONTHS = _MONTH + r"[a-z]*\.?\s+\d{1,2},?\s+\d{4}|\d{1,2}\s+" + _MONTH + r"[a-z]*\s+\d{4}"
_DATE = re.compile("(" + "|".join((_DATE_NUMERIC, _DATE_CJK, _DATE_MONTHS)) + ")", re.I)
_TIME = re.compile(r"\b\d{1,2}:\d{2}(:\d{2})?\b")
_URL = re.compile(r"(https?://|www\.)\S+|\b[\w-]+\.(com|cn|net|org|gov)\b", re.I)
#: Literal alternatives only: tested with ``in`` on the lower-cased line, which is what
#: a case-insensitive search of the alternation finds, without trying every position.
COPYRIGHT_WORDS = ("©", "(c)", "copyright", "版权", "all rights reserved")
ICP_WORDS = ("icp", "备案", "公网安备", "许可证")
_CONTACT = re.compile(r"@[\w-]+\.\w+|电话|tel[:：]|qq[:：\s]|微信|\b\d{3,4}-\d{7,8}\b", re.I)
_SEPARATORS = re.compile(r"[|｜/>»›·•]")
_MOJIBAKE = re.compile(r"[\ufffd\u00c0-\u00ff]{2,}|\?{3,}|[ÃÂâ][\u0080-\u00ff]")
#: Counts capitalised words: ``\b[A-Z][a-z]+`` gives the same count, but the lookahead
#: copies one character per match instead of the word.
_UPPER_WORD = re.compile(r"\b[A-Z](?=[a-z])")
_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")
_CJK_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")

#: Words whose presence marks site furniture (chrome) in zh and en.
CHROME_WORDS = re.compile(
    r"首页|登录|注册|分享|收藏|打印|字号|返回顶部|责任编辑|编辑[:：]|来源[:：]|作者[:：]|记者|"
    r"评论|举报|扫一扫|二维码|下载|客户端|关注|订阅|联系我们|关于我们|免责|声明|隐私|"
    r"home|login|log in|sign in|sign up|register|subscribe|newsletter|share|tweet|print|"
    r"comment|reply|privacy|terms|cookie|contact us|about us|advertis|follow us|menu|search|"
    r"posted|by\s+[A-Z]",
    re.I,
)
#: Words that head related-link blocks.
LINKS_WORDS = re.compile(
    r"相关|推荐|热点|热门|延伸阅读|猜你喜欢|排行|精彩|阅读更多|更多|上一篇|下一篇|"
    r"related|more stories|trending|most read|most popular|recommended|read next|"
    r"read more|see also|previous|next",
    re.I,
)
#: Class/id tokens that DOM authors use for furniture, lists and content.
ATTR_FLAGS = (
    ("nav", re.compile(r"nav|menu|breadcrumb|crumb|topbar|header|toolbar")),
    ("foot", re.compile(r"foot|copyright|bottom|legal")),
    ("side", re.compile(r"side|aside|right|rail|widget")),
    ("share", re.compile(r"share|social|follow|print|tool")),
    ("comment", re.compile(r"comment|reply|discuss|pinglun")),
    ("related", re.compile(r"relat|recommend|hot|rank|more|list|tuijian|xiangguan|popular")),
    ("ad", re.compile(r"^ad$|^ads$|advert|banner|sponsor|promo|guanggao")),
    ("content", re.compile(r"content|article|post|entry|body|text|main|story|detail|zhengwen")),
    ("title", re.compile(r"title|headline|^h1$")),
    ("meta", re.compile(r"date|time|author|byline|source|info|meta|tag")),
)
_TAGS = ("p", "div", "li", "td", "h1", "h2", "h3", "h4", "h5", "h6", "dd", "dt", "pre",
         "blockquote", "span", "th", "figcaption", "body")
_PATH_TAGS = ("nav", "header", "footer", "aside", "form", "ul", "ol", "table", "article", "main")
#: Columns of ``dom_features``: 8 per-line values, then tag, path and class/id flags.
DOM_WIDTH = 8 + len(_TAGS) + len(_PATH_TAGS) + len(ATTR_FLAGS)


@dataclass(slots=True)
class PageContext:
    """Per-page values several feature groups share, computed once."""

    n: int
    title_bigrams: frozenset
    keys: list[str]
    counts: Counter
    path_counts: Counter
    max_len: int


def char_bigrams(text: str) -> frozenset:
    """Character bigrams of the lower-cased text without whitespace (title similarity).

    ``str.split`` and ``re``'s ``\\s`` agree on what whitespace is; ``map(add, ...)``
    pairs neighbouring characters without a Python-level loop (this runs on every line).
    """
    text = "".join(text.lower().split())
    return frozenset(map(operator.add, text, text[1:]))


def page_context(page: Page) -> PageContext:
    keys = [normalize_text(line.text) for line in page.lines]
    return PageContext(
        n=len(page.lines),
        title_bigrams=char_bigrams(page.title or ""),
        keys=keys,
        counts=Counter(keys),
        path_counts=Counter(line.dom_path for line in page.lines),
        max_len=max((len(line.text) for line in page.lines), default=1),
    )


# --- dense feature groups --------------------------------------------------

#: Single-character classes counted on every line, one bit each in ``_class_table``:
#: CJK, Latin, digit, punctuation, CJK sentence punctuation, separator, space, and
#: the Latin-1/replacement characters every mojibake match needs.
_COUNTED = (_CJK, _LATIN, _DIGIT, _PUNCT, _CJK_SENT_PUNCT, _SEPARATORS, re.compile(" "),
            re.compile("[\u0080-\u00ff\ufffd]"))
_N_COUNTED = len(_COUNTED)
#: Characters of a line the shape features look at, and the pattern features.
SHAPE_CHARS, PATTERN_CHARS = 5000, 2000


def _char_flags(char: str) -> int:
    return sum(1 << bit for bit, rx in enumerate(_COUNTED) if rx.match(char))


@lru_cache(maxsize=1)
def _class_table() -> np.ndarray:
    """Class bits of every BMP code point, found by the same regexes the counts stand for."""
    bmp = "".join(map(chr, range(0x10000)))
    table = np.zeros(0x10000, dtype=np.uint8)
    for bit, rx in enumerate(_COUNTED):
        table[np.fromiter((m.start() for m in rx.finditer(bmp)), dtype=np.intp)] |= 1 << bit
    return table


def char_counts(texts: Sequence[str]) -> np.ndarray:
    """How many characters of each text fall in each ``_COUNTED`` class: (n_texts, 8) ints.

    One vectorised pass over a page's code points instead of six ``findall`` calls
    per line, which made these counts the largest part of featurizing; the
    counts are exactly what ``len(rx.findall(text))`` gives.
    """
    if not texts:
        return np.zeros((0, _N_COUNTED), dtype=np.intp)
    lengths = np.fromiter(map(len, texts), dtype=np.intp, count=len(texts))
    codes = np.frombuffer("".join(texts).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    flags = _class_table()[np.minimum(codes, 0xFFFF)]
    astral = np.flatnonzero(codes > 0xFFFF)
    if astral.size:  # emoji, rare CJK: outside the table, classified one by one
        flags[astral] = [_char_flags(chr(c)) for c in codes[astral].tolist()]
    # one zero row past the end, so that empty texts at the end still have a start
    bits = np.unpackbits(np.concatenate([flags, np.zeros(1, np.uint8)])[:, None], axis=1, bitorder="little")
    # per-text sums straight from the bits: half the time of a page-long cumulative sum
    counts = np.add.reduceat(bits, np.cumsum(lengths) - lengths, axis=0, dtype=np.intp)
    counts[lengths == 0] = 0  # reduceat gives an empty slice its first row, not zeros
    return counts


def _ends_sentence(text: str) -> bool:
    """Whether the text ends in a ``_TERMINAL_CHARS`` character, where ``$`` would look:
    at the end, or before one final newline. A ``[...]$`` search tries every position
    of a paragraph before it gets there."""
    if text.endswith("\n"):
        text = text[:-1]
    return text[-1:] in _TERMINAL_CHARS


def _shape(full: str, counts: Sequence[int]) -> list[float]:
    """``counts``: ``char_counts`` of ``full[:SHAPE_CHARS]``."""
    text = full[:SHAPE_CHARS]
    n = max(1, len(text))
    cjk, latin, digit, punct, cjk_punct, separators, spaces = counts[:7]
    words = len(text.split())
    return [
        math.log1p(len(full)),
        math.log1p(words),
        cjk / n,
        latin / n,
        digit / n,
        punct / n,
        math.log1p(cjk_punct),
        math.log1p(text.count(",") + text.count(". ")),
        float(_ends_sentence(text)),
        float(bool(_BULLET.match(text))),
        math.log1p(separators),
        spaces / n,
        len(_UPPER_WORD.findall(text)) / max(1, words) if latin else 0.0,
        float(len(full) <= 4),
    ]


def _lower_case(rx: re.Pattern) -> re.Pattern:
    """The same case-insensitive pattern, for text already lower-cased: several times
    faster in ``re`` than IGNORECASE, and the lines are lower-cased once for all of them."""
    return re.compile(rx.pattern.replace(r"[A-Z]", "[a-z]"))


_DATE_LC, _URL_LC, _CONTACT_LC, _CHROME_LC, _LINKS_LC = map(
    _lower_case, (_DATE, _URL, _CONTACT, CHROME_WORDS, LINKS_WORDS))
#: Every contact alternative contains one of these (the phone number one a digit and a dash).
_CONTACT_NEEDS = ("@", "电话", "tel", "qq", "微信")
#: Every URL alternative contains one of these; ``[\w-]+\.`` backtracks on every
#: word of a paragraph, so the substring test saves most of the URL search.
_URL_NEEDS = ("http", "www.", ".com", ".cn", ".net", ".org", ".gov")
#: ``_DATE`` split by the literal each alternative needs, so that most lines with a
#: digit run only the numeric one (a match of any part is a match of the whole).
_DATE_NUMERIC_RX, _DATE_CJK_RX, _DATE_MONTHS_RX = map(re.compile, (_DATE_NUMERIC, _DATE_CJK, _DATE_MONTHS))
_MONTHS = tuple(_MONTH.strip("()").split("|"))


def _has_date(lower: str) -> bool:
    """``_DATE_LC.search(lower)`` as a bool, trying the cheap alternatives first."""
    if _DATE_NUMERIC_RX.search(lower):
        return True
    if "月" in lower and "日" in lower and _DATE_CJK_RX.search(lower):
        return True
    return any(m in lower for m in _MONTHS) and _DATE_MONTHS_RX.search(lower) is not None


def _patterns(full: str, counts: Sequence[int]) -> list[float]:
    """``counts``: ``char_counts`` of ``full[:SHAPE_CHARS]``; used as prechecks only
    when the line is short enough for them to describe ``full[:PATTERN_CHARS]``."""
    text = full[:PATTERN_CHARS]
    lower = text.lower()
    if len(full) <= PATTERN_CHARS:
        digits, latin1 = counts[2] > 0, counts[7] > 0
    else:
        digits, latin1 = _DIGIT.search(text) is not None, _COUNTED[7].search(text) is not None
    # cheap necessary conditions skip the slow alternations on most lines: every
    # date/time alternative needs a digit, every URL one a dot, mojibake a Latin-1
    # or replacement character or "???"
    contact = ((digits and "-" in lower) or any(s in lower for s in _CONTACT_NEEDS)) and _CONTACT_LC.search(lower)
    return [
        float(digits and _has_date(lower)),
        float(digits and ":" in text and bool(_TIME.search(text))),
        float(any(s in lower for s in _URL_NEEDS) and bool(_URL_LC.search(lower))),
        float(any(w in lower for w in COPYRIGHT_WORDS)),
        float(any(w in lower for w in ICP_WORDS)),
        float(bool(contact)),
        float((latin1 or "???" in text) and bool(_MOJIBAKE.search(text))),
        float("某某" in text),
        float(bool(_CHROME_LC.search(text[:200].lower()))),
        float(bool(_LINKS_LC.search(text[:60].lower()))),
    ]


#: Lines up to this long are cached by text (menus and footers repeat on every page of a
#: site); longer ones are article text, seen once, and caching them only costs memory.
CACHE_MAX_CHARS = 120


def _text_row(text: str, counts: tuple[int, ...]) -> tuple[float, ...]:
    return tuple(_shape(text, counts) + _patterns(text, counts))


#: Keyed by text and its counts; the counts follow from the text, so hits are as by text.
_text_row_cached = lru_cache(maxsize=16384)(_text_row)


#: Columns of ``text_features`` that pass two reads by position: log length and the
#: links-word flag (``_shape``'s first value, ``_patterns``'s last).
LENGTH_COLUMN = 0
LINKS_WORDS_COLUMN = 23


def text_features(page: Page, ctx: PageContext) -> np.ndarray:
    """Shape, punctuation and pattern features: shape (n_lines, 24)."""
    texts = [line.text for line in page.lines]
    counts = char_counts([text[:SHAPE_CHARS] for text in texts]).tolist()
    rows = [_text_row_cached(text, tuple(c)) if len(text) <= CACHE_MAX_CHARS else _text_row(text, c)
            for text, c in zip(texts, counts)]
    return np.array(rows, dtype=np.float64).reshape(-1, 24)


def position_features(page: Page, ctx: PageContext) -> np.ndarray:
    """Where the line sits: shape (n_lines, 4)."""
    n = ctx.n
    out = np.empty((n, 4))
    out[:, 0] = np.arange(n) / max(1, n - 1)
    out[:, 1] = list(map(math.log1p, range(n)))  # math's log1p: numpy's may differ in the last bit
    out[:, 2] = out[::-1, 1]
    out[:, 3] = math.log1p(n)
    return out


#: Bigram keys: first code point times this, plus the second; below 2**41.
_CODE_SPACE = 0x110000
_PAIR_BITS = 41


@lru_cache(maxsize=1)
def _space_table() -> np.ndarray:
    """``str.isspace`` of every BMP code point (there is no whitespace above it)."""
    return np.fromiter((chr(c).isspace() for c in range(0x10000)), dtype=bool, count=0x10000)


def line_bigram_counts(texts: Sequence[str], title: frozenset) -> tuple[np.ndarray, np.ndarray]:
    """Per text: how many distinct ``char_bigrams`` it has, and how many of them ``title`` has.

    The same counts as ``len(char_bigrams(text))`` and ``len(char_bigrams(text) & title)``,
    found for a whole page at once: every non-space code point pair of a text
    becomes one integer, tagged with its text's index, and one sort does the
    sets (``np.unique``'s hash table took five times as long here). Built line by
    line, the sets of two-character strings were the slowest part of these features.
    """
    n = len(texts)
    lowered = [text.lower() for text in texts]  # per text: lower() may change the length
    lengths = np.fromiter(map(len, lowered), dtype=np.intp, count=n)
    codes = np.frombuffer("".join(lowered).encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.int64)
    owner = np.repeat(np.arange(n, dtype=np.int64), lengths)
    keep = codes >= 0x10000
    keep[~keep] = ~_space_table()[codes[~keep]]
    codes, owner = codes[keep], owner[keep]
    same = owner[1:] == owner[:-1]
    pairs = (codes[:-1] * _CODE_SPACE + codes[1:])[same]
    keys = np.sort((owner[1:][same] << _PAIR_BITS) | pairs)
    keys = keys[np.concatenate(([True], keys[1:] != keys[:-1]))] if len(keys) else keys
    where = keys >> _PAIR_BITS
    sizes = np.bincount(where, minlength=n)
    if not title:
        return sizes, np.zeros(n, dtype=np.intp)
    wanted = np.fromiter((ord(b[0]) * _CODE_SPACE + ord(b[1]) for b in title), dtype=np.int64, count=len(title))
    hits = np.isin(keys & ((1 << _PAIR_BITS) - 1), wanted)
    return sizes, np.bincount(where[hits], minlength=n)


def page_features(page: Page, ctx: PageContext) -> np.ndarray:
    """Title similarity and repetition inside the page: shape (n_lines, 5)."""
    n, title = ctx.n, ctx.title_bigrams
    sizes, shared = line_bigram_counts([line.text[:300] for line in page.lines], title)
    out = np.zeros((n, 5))
    if title:  # Dice score and covered share; both 0 when either side is empty
        has = sizes > 0
        out[has, 0] = 2 * shared[has] / (sizes[has] + len(title))
        out[has, 1] = shared[has] / sizes[has]
    out[:, 2] = out[:, 0] > 0.8
    repeats = [ctx.counts[key] - 1 for key in ctx.keys]
    out[:, 3] = list(map(math.log1p, repeats))
    out[:, 4] = np.fromiter((len(line.text) for line in page.lines), dtype=np.intp, count=n) / ctx.max_len
    return out


@lru_cache(maxsize=256)
def _tag_flags(tag: str) -> tuple[float, ...]:
    return tuple(float(tag == t) for t in _TAGS)


@lru_cache(maxsize=16384)
def _path_flags(dom_path: str) -> tuple[float, ...]:
    path = set(dom_path.split("/"))
    return tuple(float(t in path) for t in _PATH_TAGS)


@lru_cache(maxsize=16384)
def _attr_flags(attrs: tuple[str, ...]) -> tuple[float, ...]:
    joined = " ".join(attrs)
    return tuple(float(bool(rx.search(joined))) for _, rx in ATTR_FLAGS)


def _markup_row(tag: str, dom_path: str, attrs: tuple[str, ...]) -> tuple[float, ...]:
    """Tag, path and class/id flags. Each part is cached on its own: a page has
    many distinct paths but few distinct class/id lists, whose ten regexes cost most."""
    return _tag_flags(tag) + _path_flags(dom_path) + _attr_flags(attrs)


def dom_features(page: Page, ctx: PageContext) -> np.ndarray:
    """Markup context (zeros for text dumps): shape (n_lines, 46).

    Built column by column: a page has a few hundred lines but only a few dozen
    distinct (tag, path, class/id) combinations, so the 38 markup flags are made
    once per combination and gathered. The logarithms are ``math.log1p`` (numpy's
    may differ in the last bit from the values models were trained on).
    """
    lines = page.lines
    n = len(lines)
    out = np.empty((n, DOM_WIDTH))
    if n == 0:
        return out
    ratio = np.fromiter((line.link_ratio for line in lines), dtype=np.float64, count=n)
    paths = [line.dom_path for line in lines]
    # lines since the path last changed: 0 for the first line of each run
    same, run = [0] * n, 0
    for i in range(1, n):
        run = run + 1 if paths[i] == paths[i - 1] else 0
        same[i] = run
    out[:, 0] = ratio
    out[:, 1] = list(map(math.log1p, (line.n_links for line in lines)))
    out[:, 2] = [line.in_list for line in lines]
    out[:, 3] = [line.in_table for line in lines]
    out[:, 4] = list(map(math.log1p, (line.depth for line in lines)))
    out[:, 5] = [ctx.path_counts[path] for path in paths]
    out[:, 5] /= max(1, ctx.n)
    out[:, 6] = list(map(math.log1p, same))
    out[:, 7] = ratio > 0.9
    combos: dict[tuple, int] = {}
    which = [combos.setdefault((line.tag, line.dom_path, line.attrs), len(combos)) for line in lines]
    out[:, 8:] = np.array([_markup_row(*combo) for combo in combos])[which]
    return out


#: Registry of dense groups, in column order.
DENSE_GROUPS: dict[str, Callable[[Page, PageContext], np.ndarray]] = {
    "text": text_features,
    "position": position_features,
    "page": page_features,
    "dom": dom_features,
}

#: Columns of the base block copied from neighbours (indices into text+page+dom).
#: log length, CJK sentence punctuation, terminal punct, link ratio, in_list, title sim.
_NEIGHBOUR_COLS = (0, 6, 8, 33, 35, 28)
NEIGHBOUR_OFFSETS = (-2, -1, 1, 2)
WINDOW = 3


def neighbour_features(base: np.ndarray, page: Page) -> np.ndarray:
    """Selected base columns of lines i-2..i+2 plus window means: (n_lines, 4*6 + 4)."""
    n = base.shape[0]
    sel = base[:, _NEIGHBOUR_COLS]
    pad = np.zeros((2, sel.shape[1]))
    padded = np.vstack([pad, sel, pad])
    parts = [padded[2 + off: 2 + off + n] for off in NEIGHBOUR_OFFSETS]
    # window means of length, punctuation and link ratio; same-path with previous line
    cs = np.vstack([np.zeros((1, 3)), np.cumsum(base[:, [0, 6, 33]], axis=0)])
    lo = np.clip(np.arange(n) - WINDOW, 0, n)
    hi = np.clip(np.arange(n) + WINDOW + 1, 0, n)
    means = (cs[hi] - cs[lo]) / (hi - lo)[:, None]
    same = np.array([float(i > 0 and page.lines[i].dom_path == page.lines[i - 1].dom_path and page.lines[i].dom_path != "")
                     for i in range(n)])
    return np.hstack(parts + [means, same[:, None]])


def dense_page(page: Page, *, use_dom: bool = True) -> np.ndarray:
    """All dense features of one page: shape (n_lines, n_dense)."""
    ctx = page_context(page)
    blocks = [DENSE_GROUPS["text"](page, ctx), DENSE_GROUPS["page"](page, ctx)]
    # a text dump has no markup: its DOM columns are zero (not computed from empty defaults)
    dom = DENSE_GROUPS["dom"](page, ctx) if use_dom else np.zeros((ctx.n, DOM_WIDTH))
    base = np.hstack(blocks + [dom])
    return np.hstack([base, DENSE_GROUPS["position"](page, ctx), neighbour_features(base, page)])


def dense_feature_names() -> list[str]:
    names = [f"text_{i}" for i in range(24)] + [f"page_{i}" for i in range(5)] + [f"dom_{i}" for i in range(DOM_WIDTH)]
    names += [f"position_{i}" for i in range(4)]
    names += [f"nb{off:+d}_{c}" for off in NEIGHBOUR_OFFSETS for c in _NEIGHBOUR_COLS]
    names += ["win_len", "win_punct", "win_link", "same_path_prev"]
    return names


# --- hashed tokens ---------------------------------------------------------

_rjieba = None


def _cut(text: str) -> tuple[str, ...]:
    """jieba's words for a CJK run, as ``jieba.lcut(text, HMM=False)`` gives them.

    Cut by rjieba (jieba-rs: the same dictionary and the same dynamic
    programme, compiled), ten times faster than jieba's Python and identical on
    this project's corpora (tests/test_features.py compares the two). Loaded
    lazily: importing linesift must stay cheap.
    """
    global _rjieba
    if _rjieba is None:
        import rjieba

        _rjieba = rjieba
    return tuple(_rjieba.cut(text, hmm=False))


#: Short runs (menus, footers, repeated on every page of a site) are cut once.
_cut_cached = lru_cache(maxsize=16384)(_cut)

#: Characters of a line that are tokenized; the rest of a 1 MB line adds nothing.
MAX_TOKEN_CHARS = 400
#: Word tokens per line from the Latin-script part (the CJK part is not capped).
MAX_WORDS = 60
#: Lines up to this long also become one whole-line token ("L:首页", "L:home").
WHOLE_LINE_CHARS = 24


def text_pieces(full: str) -> tuple[list[str], str | None]:
    """What the tokens of a line's text are made of: its words, then its whole
    normalised text when the line is short (None otherwise).

    Words are lower-cased Latin words and jieba words of the CJK runs, from the
    first ``MAX_TOKEN_CHARS`` characters. ``line_tokens`` spells them as
    strings and ``line_columns`` hashes them; both read them from here.
    """
    text = full[:MAX_TOKEN_CHARS]
    lower = text.lower()
    words = _WORD.findall(lower)[:MAX_WORDS]
    for run in _CJK_RUN.findall(text):
        words.extend(_cut_cached(run) if len(run) <= CACHE_MAX_CHARS else _cut(run))
    return words, (normalize_text(lower) if len(full) <= WHOLE_LINE_CHARS else None)


def path_tail(dom_path: str) -> str:
    """The last two steps of a DOM path ("ul/li"): the markup token of a line."""
    return "/".join(dom_path.split("/")[-2:])


def line_tokens(line: Line, *, use_dom: bool = True) -> list[str]:
    """Word tokens (jieba for Chinese) with the first and last word marked, the
    whole line when short, and with ``use_dom`` the class/id words and path tail."""
    words, whole = text_pieces(line.text)
    tokens = ["w:" + w for w in words]
    if words:
        tokens += ["first:" + words[0], "last:" + words[-1]]
    if whole is not None:
        tokens.append("L:" + whole)
    if use_dom:
        tokens.extend("a:" + a for a in line.attrs)
        tokens.append("t:" + path_tail(line.dom_path))
    return tokens


#: The hashed block's largest signed hash, as FeatureHasher's index rule uses it.
_INT32_MAX = 2 ** 31 - 1


def token_column(token: str, n_features: int) -> int:
    """The column ``FeatureHasher(n_features, alternate_sign=False)`` gives ``token``.

    Its rule, restated so that the columns can be cached: the signed 32-bit
    MurmurHash3 of the UTF-8 bytes (seed 0), its absolute value modulo the width.
    Models trained with FeatureHasher read the same columns.
    """
    h = murmurhash3_32(token, seed=0)
    return (_INT32_MAX - (n_features - 1)) % n_features if h == -_INT32_MAX - 1 else abs(h) % n_features


#: Column tables, one per block width and token prefix: piece ("the", "nav", a DOM
#: path) -> column of its token ("w:the", "a:nav", "t:ul/li"). A crawl's pieces repeat,
#: and a dict lookup costs a fraction of building the token and hashing it. A table
#: is emptied when it reaches ``COLUMN_CACHE_SIZE`` pieces, so memory stays flat.
COLUMN_CACHE_SIZE = 1 << 18
_PREFIXES = ("w:", "first:", "last:", "L:", "a:", "t:")
_COLUMNS: dict[int, dict[str, dict[str, int]]] = {}


def _tables(n_features: int) -> dict[str, dict[str, int]]:
    try:
        return _COLUMNS[n_features]
    except KeyError:
        tables = _COLUMNS[n_features] = {prefix: {} for prefix in _PREFIXES}
        return tables


def _columns(table: dict[str, int], prefix: str, pieces: Sequence[str], n_features: int, spell=None) -> list[int]:
    """Columns of the tokens ``prefix + spell(piece)`` (``spell`` defaults to the piece itself)."""
    try:
        return [table[p] for p in pieces]
    except KeyError:
        if len(table) >= COLUMN_CACHE_SIZE:
            table.clear()
        for p in pieces:
            if p not in table:
                table[p] = token_column(prefix + (spell(p) if spell else p), n_features)
        return [table[p] for p in pieces]


def _text_columns(text: str, n_features: int) -> tuple[int, ...]:
    words, whole = text_pieces(text)
    tables = _tables(n_features)
    cols = _columns(tables["w:"], "w:", words, n_features)
    if words:
        cols += _columns(tables["first:"], "first:", words[:1], n_features)
        cols += _columns(tables["last:"], "last:", words[-1:], n_features)
    if whole is not None:
        cols += _columns(tables["L:"], "L:", [whole], n_features)
    return tuple(cols)


#: Short lines repeat (a third of a crawl's lines are menus and footers seen before): cut once.
_text_columns_cached = lru_cache(maxsize=16384)(_text_columns)


def line_columns(line: Line, *, use_dom: bool, n_features: int) -> list[int]:
    """The hashed columns of ``line_tokens(line)``, without spelling the tokens out."""
    text = line.text
    cols = list(_text_columns_cached(text, n_features) if len(text) <= CACHE_MAX_CHARS
                else _text_columns(text, n_features))
    if use_dom:
        tables = _tables(n_features)
        cols += _columns(tables["a:"], "a:", line.attrs, n_features)
        cols += _columns(tables["t:"], "t:", [line.dom_path], n_features, path_tail)
    return cols


def count_matrix(rows: Sequence[Sequence[int]], n_features: int) -> sp.csr_matrix:
    """CSR counts of each row's columns, with sorted indices and summed duplicates:
    the matrix ``FeatureHasher(n_features, input_type="string", alternate_sign=False)``
    returns for the tokens behind the columns."""
    lengths = np.fromiter(map(len, rows), dtype=np.int64, count=len(rows))
    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum(lengths, out=indptr[1:])
    index_type = np.int32 if indptr[-1] <= _INT32_MAX else np.int64  # scipy's own choice
    indices = np.fromiter(chain.from_iterable(rows), dtype=index_type, count=int(indptr[-1]))
    matrix = sp.csr_matrix((np.ones(len(indices)), indices, indptr.astype(index_type)),
                           shape=(len(rows), n_features))
    matrix.sum_duplicates()
    return matrix


class LineFeaturizer(TransformerMixin, BaseEstimator):
    """Stateless transformer from pages to a line-by-feature matrix.

    Parameters
    ----------
    use_dom : bool, default=True
        Use markup context; False for models of text dumps (the DOM columns
        are then all zero and no DOM tokens are hashed).
    hash_bits : int, default=16
        The hashed token block has ``2**hash_bits`` columns. 16 keeps the
        linear model near 2 MB for four classes.
    tokens : bool, default=True
        Append the hashed token block (the contextual pass turns it off).

    Notes
    -----
    ``transform`` takes a sequence of ``Page`` (segmented) and returns a sparse
    CSR matrix of shape (total lines, n_dense + 2**hash_bits), rows in page
    order. There is nothing to fit.
    """

    def __init__(self, *, use_dom: bool = True, hash_bits: int = 16, tokens: bool = True):
        self.use_dom = use_dom
        self.hash_bits = hash_bits
        self.tokens = tokens

    def fit(self, X: Sequence[Page], y=None):
        return self

    @property
    def n_dense(self) -> int:
        """Number of dense columns; they come first in ``transform``'s output."""
        return len(dense_feature_names())

    def dense(self, X: Sequence[Page]) -> np.ndarray:
        blocks = [dense_page(page, use_dom=self.use_dom) for page in X]
        return np.vstack(blocks) if blocks else np.zeros((0, len(dense_feature_names())))

    def transform(self, X: Sequence[Page]):
        if isinstance(X, Page):
            raise TypeError("LineFeaturizer expects a sequence of Page objects, got a single Page")
        dense = self.dense(X)
        if not self.tokens:
            return sp.csr_matrix(dense)
        width = 2 ** self.hash_bits
        hashed = count_matrix([line_columns(line, use_dom=self.use_dom, n_features=width)
                               for page in X for line in page.lines], width)
        return sp.hstack([sp.csr_matrix(dense), hashed], format="csr")

    def get_feature_names_out(self, input_features=None):
        names = dense_feature_names()
        if self.tokens:
            names += [f"hash_{i}" for i in range(2 ** self.hash_bits)]
        return np.asarray(names, dtype=object)
