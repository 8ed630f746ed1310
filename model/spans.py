"""Spans step: find text injected *inside* article sentences and mark it for cutting.

Content-farm mirrors keep the article but glue short fragments of its own title
(``克A克伯``, ``谈判头野``) and a fake ``<city>市某某<industry><suffix>`` company
into the sentences of the lead. Dropping those lines would lose the lead, so
this step marks the injected character spans; ``Line.cleaned_text`` cuts them.

How it works (one page at a time):

1. **Fragment sources.** The page title plus the first short lines of the page
   (in a text dump the title is only a guess). A *title piece* is a contiguous
   run of CJK characters of a source, optionally with one Latin letter at an
   edge (``克A`` out of ``马斯克AI``); a *fragment* is one piece or two pieces in
   title order, 2-4 characters long.
2. **Candidates.** Only the lead zone is scanned (the first ``LEAD_CHARS``
   characters of body text after the headline): every position whose next 2-4
   characters form a fragment is a candidate, extended by a glued company when
   one follows. Company and gambling-brand regexes are cheap and run anywhere.
   A page without candidates leaves here, so clean pages cost next to nothing.
3. **Scoring.** Each candidate gets a row of features (``FEATURE_NAMES``): the
   slot it sits in (after ``，``/``。``/``的`` ...), how it was cut from the
   title, whether it is a whole title word, how often it recurs on the page, and
   how much more fluent the sentence reads without it under a small hashed
   character-bigram model of clean text (``CharBigramLM``). ``SpanDetector``
   turns rows into probabilities.
4. **Decoding.** Candidates above the threshold are accepted greedily by
   probability, never overlapping.

Without a fitted detector, ``detect_spans`` runs a conservative rule mode (see
``rule_scores``): it cuts a fragment only when a fake company is glued to it
or when it is a non-word title fragment that recurs at punctuation slots.

Gambling brands (``GAMBLING_RE``) and the cheaper marks other mirrors leave
(``form_spans``: pinyin glosses ``現(xiàn)``, symbols before punctuation,
doubled punctuation) are found by rules, with or without a detector.

English spam anchor text glued into English sentences (``english_spam_spans``:
``…on Monday, buy cheap viagra online, after a long debate.``) is found by
rules too.
"""
from __future__ import annotations

import bisect
import math
import operator
import re
import weakref
import zlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.utils.validation import check_is_fitted

from model.classify import one_openmp_thread
from model.records import Line, Page

# ------------------------------------------------------------------ constants
#: Body characters (after the headline) scanned for title fragments. Injection
#: touches the first ~150-450 characters of the article, which the injected
#: text itself lengthens by a third or more; the margin costs little.
LEAD_CHARS = 700
#: Fragment lengths in characters.
MIN_FRAGMENT, MAX_FRAGMENT = 2, 4
#: Lines of the page (besides ``page.title``) that may hold the headline.
TITLE_LINES = 3
#: A headline is at most this long; longer first lines are not fragment sources.
MAX_TITLE_CHARS = 120
#: Default decision threshold on the detector's probability.
THRESHOLD_DEFAULT = 0.5
#: A line whose spans cover this share of its characters is a whole spam line.
WHOLE_LINE_SHARE = 0.8

#: Prefecture-level cities (地级市) without 市. The four municipalities are left
#: out on purpose: anonymised court text writes ``上海某某…公司`` and must stay.
PREFECTURE_CITIES: tuple[str, ...] = tuple("""
石家庄 唐山 秦皇岛 邯郸 邢台 保定 张家口 承德 沧州 廊坊 衡水
太原 大同 阳泉 长治 晋城 朔州 晋中 运城 忻州 临汾 吕梁
呼和浩特 包头 乌海 赤峰 通辽 鄂尔多斯 呼伦贝尔 巴彦淖尔 乌兰察布
沈阳 大连 鞍山 抚顺 本溪 丹东 锦州 营口 阜新 辽阳 盘锦 铁岭 朝阳 葫芦岛
长春 吉林 四平 辽源 通化 白山 松原 白城
哈尔滨 齐齐哈尔 鸡西 鹤岗 双鸭山 大庆 伊春 佳木斯 七台河 牡丹江 黑河 绥化
南京 无锡 徐州 常州 苏州 南通 连云港 淮安 盐城 扬州 镇江 泰州 宿迁
杭州 宁波 温州 嘉兴 湖州 绍兴 金华 衢州 舟山 台州 丽水
合肥 芜湖 蚌埠 淮南 马鞍山 淮北 铜陵 安庆 黄山 滁州 阜阳 宿州 六安 亳州 池州 宣城
福州 厦门 莆田 三明 泉州 漳州 南平 龙岩 宁德
南昌 景德镇 萍乡 九江 新余 鹰潭 赣州 吉安 宜春 抚州 上饶
济南 青岛 淄博 枣庄 东营 烟台 潍坊 济宁 泰安 威海 日照 临沂 德州 聊城 滨州 菏泽
郑州 开封 洛阳 平顶山 安阳 鹤壁 新乡 焦作 濮阳 许昌 漯河 三门峡 南阳 商丘 信阳 周口 驻马店
武汉 黄石 十堰 宜昌 襄阳 鄂州 荆门 孝感 荆州 黄冈 咸宁 随州
长沙 株洲 湘潭 衡阳 邵阳 岳阳 常德 张家界 益阳 郴州 永州 怀化 娄底
广州 韶关 深圳 珠海 汕头 佛山 江门 湛江 茂名 肇庆 惠州 梅州 汕尾 河源 阳江 清远 东莞 中山
潮州 揭阳 云浮
南宁 柳州 桂林 梧州 北海 防城港 钦州 贵港 玉林 百色 贺州 河池 来宾 崇左
海口 三亚 三沙 儋州
成都 自贡 攀枝花 泸州 德阳 绵阳 广元 遂宁 内江 乐山 南充 眉山 宜宾 广安 达州 雅安 巴中 资阳
贵阳 六盘水 遵义 安顺 毕节 铜仁
昆明 曲靖 玉溪 保山 昭通 丽江 普洱 临沧
拉萨 日喀则 昌都 林芝 山南 那曲
西安 铜川 宝鸡 咸阳 渭南 延安 汉中 榆林 安康 商洛
兰州 嘉峪关 金昌 白银 天水 武威 张掖 平凉 酒泉 庆阳 定西 陇南
西宁 海东
银川 石嘴山 吴忠 固原 中卫
乌鲁木齐 克拉玛依 吐鲁番 哈密
""".split())
_CITY_SET = frozenset(PREFECTURE_CITIES)

#: Company suffixes, longest first so the regex alternation prefers the full one.
COMPANY_SUFFIXES: tuple[str, ...] = tuple(sorted(set("""
有限公司 有限责任公司 股份有限公司 运营部 经营部 营业部 服务部 销售部 工作室 教育中心
服务中心 咨询中心 发展中心 培训中心 商行 合作社 门市部 分公司 事务所 加工厂 中心
""".split()), key=len, reverse=True))

#: ``<2-4 CJK>市某某<2-12 CJK, shortest>`` + a suffix. Any city matches the shape;
#: whether it is a known prefecture-level city is a feature, not a filter.
COMPANY_RE = re.compile(
    r"([\u4e00-\u9fff]{2,4}?)市某某[\u4e00-\u9fff]{1,12}?(?:" + "|".join(COMPANY_SUFFIXES) + ")"
)

#: Gambling brands glued into text or headings: ``金沙官方入口``, ``博鱼boyu登录入口``.
GAMBLING_BRANDS: tuple[str, ...] = (
    "金沙", "博鱼", "开云", "乐鱼", "九游", "米乐", "华体会", "亚博", "威尼斯人", "新葡京",
    "永利", "必发", "银河", "太阳城", "宝马会", "澳门新葡京", "澳门金沙", "凯发", "ayx", "bob",
)
GAMBLING_TAILS: tuple[str, ...] = (
    "官方入口", "登录入口", "官网入口", "官方网站", "app下载", "APP下载", "App下载", "官网登录", "平台注册",
    "网页版登录", "手机版", "最新网址", "备用网址", "娱乐", "体育", "官网",
)
GAMBLING_RE = re.compile(
    "(?:" + "|".join(sorted(GAMBLING_BRANDS, key=len, reverse=True)) + r")"
    r"(?P<pinyin>[a-zA-Z]{2,12})?(?:中国|集团|国际)?"
    "(?:" + "|".join(sorted(GAMBLING_TAILS, key=len, reverse=True)) + ")"
    r"(?:[\-—·]?(?:官方入口|登录入口|官网入口|app下载|APP下载|App下载|app官网|APP官网|官方网站|官网))*"
)
#: Brands that are also real companies or places the news names: "银河娱乐" (Galaxy
#: Entertainment), "金沙中国" (Sands China), "永利体育馆", "威尼斯人官网显示", "开云集团官网"
#: (Kering; "开云体育" is not), "新葡京娱乐场", "九游手机版" (a game portal). A phrase of one of them whose tail
#: is not an ad's (``GAMBLING_AD_TAILS``) and has no pinyin glued on is cut only on a page
#: that also carries an unmistakable ad ("金沙官方入口", "博鱼boyu登录入口"). The other
#: brands name nothing but gambling sites: any tail will do.
NEWS_BRANDS = re.compile("^(?:银河|金沙|澳门金沙|永利|开云集团|威尼斯人|新葡京|澳门新葡京|九游)")
GAMBLING_AD_TAILS = re.compile("官方入口|登录入口|官网入口|app下载|APP下载|App下载|官网登录|平台注册|网页版登录|最新网址|"
                               "备用网址")  # not 官方网站: "据永利官方网站消息" is news

_CJK_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def _has_cjk(text: str) -> bool:
    """``_CJK_RE.search(text)``, answered at once for ASCII text (``isascii`` is O(1))."""
    return not text.isascii() and _CJK_RE.search(text) is not None


def _is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


def _is_latin(ch: str) -> bool:
    return ("a" <= ch <= "z") or ("A" <= ch <= "Z")


def _is_digit(ch: str) -> bool:
    return "0" <= ch <= "9" or "０" <= ch <= "９"


# ------------------------------------------------------------------ fluency model
_PUNCT_FOLD = str.maketrans({",": "，", ":": "：", ";": "；", "?": "？", "!": "！", "(": "（",
                             ")": "）", "\u201c": "\"", "\u201d": "\"", "\u2018": "'", "\u2019": "'"})


def _fold(text: str) -> str:
    """Character classes for the fluency model: Latin letters -> ``a``, digits -> ``0``.

    Chinese pages mix half- and full-width punctuation freely; both widths are
    folded to one so the model does not split its counts.
    """
    out = []
    for ch in text.translate(_PUNCT_FOLD):
        if _is_latin(ch):
            out.append("a")
        elif _is_digit(ch):
            out.append("0")
        elif ch.isspace():
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


def _bucket(a: str, b: str, bits: int) -> int:
    # Fibonacci hashing of the code-point pair: cheap, deterministic across runs
    # (unlike ``hash``), and spreads the structured code points well.
    key = (ord(a) << 21) | ord(b)
    return ((key * 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF) >> (64 - bits)


@dataclass
class CharBigramLM:
    """A hashed character-bigram model of clean body text.

    Bigram counts live in a fixed array of ``2**bits`` buckets (collisions are
    tolerated), so the model's size does not grow with the corpus: with the
    default 17 bits it is 256 KB of ``uint16`` plus two 64 KB unigram tables.
    Probabilities use interpolated absolute discounting, which keeps unseen
    bigrams after frequent characters (``，`` + anything) from looking absurd
    when the training text is small.

    Parameters
    ----------
    bits : int
        Log2 of the number of bigram buckets.
    discount : float
        Absolute discount subtracted from every seen bigram count.

    Attributes
    ----------
    bigram : ndarray of shape (2**bits,), uint16
        Saturating bigram counts.
    unigram : ndarray of shape (2**14,), float32
        Hashed character counts.
    types : ndarray of shape (2**14,), float32
        Number of distinct successors of each (hashed) character.
    total : float
        Number of characters counted.
    """

    bits: int = 17
    discount: float = 0.75
    bigram: np.ndarray = field(default_factory=lambda: np.zeros(0, np.uint16))
    unigram: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    types: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    total: float = 0.0

    UNI_BITS = 14
    VOCAB = 8000.0

    def fit(self, texts) -> "CharBigramLM":
        """Count bigrams over an iterable of clean lines (each line padded with ``\\n``)."""
        pairs: Counter = Counter()
        for text in texts:
            t = "\n" + _fold(text) + "\n"
            pairs.update(zip(t, t[1:]))
        big = np.zeros(2 ** self.bits, np.int64)
        uni = np.zeros(2 ** self.UNI_BITS, np.float64)
        types = np.zeros(2 ** self.UNI_BITS, np.float64)
        for (a, b), n in pairs.items():
            big[_bucket(a, b, self.bits)] += n
            ka = _bucket(" ", a, self.UNI_BITS)
            uni[ka] += n
            types[ka] += 1
        self.bigram = np.minimum(big, 65535).astype(np.uint16)
        self.unigram = uni.astype(np.float32)
        self.types = types.astype(np.float32)
        self.total = float(uni.sum())
        return self

    def log_unigram(self, b: str) -> float:
        count = float(self.unigram[_bucket(" ", b, self.UNI_BITS)]) if self.total else 0.0
        return math.log((count + 0.5) / (self.total + 0.5 * self.VOCAB))

    def log_prob(self, a: str, b: str) -> float:
        """``log p(b | a)`` for folded characters, backed off to ``p(b)``."""
        pb = math.exp(self.log_unigram(b))
        if not self.total:
            return math.log(pb)
        ka = _bucket(" ", a, self.UNI_BITS)
        ca = float(self.unigram[ka])
        if ca <= 0:
            return math.log(pb)
        cab = min(float(self.bigram[_bucket(a, b, self.bits)]), ca)
        backoff = self.discount * float(self.types[ka]) / ca
        return math.log(max(cab - self.discount, 0.0) / ca + backoff * pb)


# ------------------------------------------------------------------ title pieces
_CLOSING = set("”’」』）》】\"')")
_STRONG_SLOTS = ("comma", "stop", "de")
SLOTS = ("start", "comma", "stop", "semi", "de", "other")


def slot_type(text: str, i: int) -> str | None:
    """The kind of boundary before ``text[i]``, or None where nothing is ever injected.

    Injection never splits a number or a Latin word; otherwise every boundary
    is possible, punctuation and ``的`` being the favourite slots.
    """
    if i == 0:
        return "start"
    prev, cur = text[i - 1], text[i]
    if (prev.isascii() and prev.isalnum()) and (cur.isascii() and cur.isalnum()):
        return None
    if _is_digit(prev) and _is_digit(cur):
        return None
    if prev in "，,":
        return "comma"
    if prev in "。！？!?":
        return "stop"
    if prev in "；;：:、":
        return "semi"
    if prev == "的":
        return "de"
    return "other"


@dataclass
class TitleIndex:
    """Where each short piece of the fragment sources occurs, for fragment tests.

    ``pieces`` maps a piece to its ``(source, start, end)`` occurrences;
    ``tokens`` holds the jieba words of the sources (a fragment that is a whole
    title word is more often legitimate text).

    ``chars`` holds every character of every piece: a string with any other
    character cannot be decomposed, which lets ``find_candidates`` skip almost
    every body position without a lookup. ``decompose`` answers are memoised
    (the index is shared by the pages of one title, see ``_title_index``, and
    the same body strings come up again and again).
    """

    sources: list[str]
    pieces: dict[str, list[tuple[int, int, int]]]
    tokens: frozenset[str]
    token_bounds: list[frozenset[int]]
    chars: frozenset[str] = field(init=False, repr=False, compare=False)
    _decomposed: dict[str, tuple[int, bool] | None] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.chars = frozenset(ch for piece in self.pieces for ch in piece)
        self._decomposed = {}

    @classmethod
    def build(cls, sources: list[str]) -> "TitleIndex":
        pieces: dict[str, list[tuple[int, int, int]]] = {}
        for si, src in enumerate(sources):
            n = len(src)
            for i in range(n):
                for j in range(i + 1, min(n, i + MAX_FRAGMENT) + 1):
                    piece = src[i:j]
                    if not valid_piece(src, i, j):
                        continue
                    pieces.setdefault(piece, []).append((si, i, j))
        tokens, bounds = set(), []
        for src in sources:
            cut, pos = set(), 0
            for tok in _jieba_cut(src):
                cut.add(pos)
                pos += len(tok)
                cut.add(pos)
                if len(tok) >= MIN_FRAGMENT:
                    tokens.add(tok)
            bounds.append(frozenset(cut))
        return cls(sources, pieces, frozenset(tokens), bounds)

    def decompose(self, s: str) -> tuple[int, bool] | None:
        """How ``s`` can be cut from a source: ``(n_pieces, aligned)`` or None.

        ``aligned`` is True when the (first) piece starts and ends on title
        word boundaries, i.e. ``s`` reads as whole title words.
        """
        try:
            return self._decomposed[s]
        except KeyError:
            out = self._decomposed[s] = self._decompose(s)
            return out

    def _decompose(self, s: str) -> tuple[int, bool] | None:
        occ = self.pieces.get(s)
        if occ:
            aligned = any(i in self.token_bounds[si] and j in self.token_bounds[si] for si, i, j in occ)
            return 1, aligned
        for k in range(1, len(s)):
            a, b = s[:k], s[k:]
            occ_a, occ_b = self.pieces.get(a), self.pieces.get(b)
            if not occ_a or not occ_b:
                continue
            for si, _, ja in occ_a:
                if any(sb == si and ib >= ja for sb, ib, _ in occ_b):
                    return 2, False
        return None


@lru_cache(maxsize=256)
def _title_index(sources: tuple[str, ...]) -> TitleIndex:
    # pages of one site (and training copies of one page) share their titles
    return TitleIndex.build(list(sources))


def valid_piece(src: str, i: int, j: int) -> bool:
    """CJK run, with at most one Latin letter at an edge, next to a CJK character."""
    piece = src[i:j]
    latin = [k for k, ch in enumerate(piece) if _is_latin(ch)]
    if any(not (_is_cjk(ch) or _is_latin(ch)) for ch in piece):
        return False
    if not latin:
        return True
    if len(latin) > 1 or len(piece) < 2:
        return False
    k = latin[0]
    return (k == 0 and _is_cjk(piece[1])) or (k == len(piece) - 1 and _is_cjk(piece[-2]))


@lru_cache(maxsize=1)
def _jieba():
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def _jieba_cut(text: str) -> list[str]:
    return _jieba().lcut(text, HMM=False)


def _word_freq(word: str) -> int:
    return _jieba().dt.FREQ.get(word, 0)


def title_sources(page: Page, eligible: list[int] | None = None) -> list[str]:
    """Strings title fragments may be cut from: ``page.title`` and the headline line.

    In HTML the ``<title>`` may carry a site suffix (``… - 网易``), so it is also
    split at the usual separators; in text dumps ``page.title`` is only a guess,
    so the headline line found by ``headline_index`` is always added. Lines
    after the headline are never sources (they are what gets scanned).
    """
    eligible = eligible_lines(page) if eligible is None else eligible
    head = headline_index(page.lines, eligible, page.title)
    out: list[str] = []
    for text in (page.title, page.lines[head].text if head is not None else None):
        if not text or len(text) > MAX_TITLE_CHARS or not _CJK_RE.search(text):
            continue
        out.append(text)
        parts = re.split(r"\s[-|_—]\s|[|_]", text)
        if len(parts) > 1:
            out.append(max(parts, key=len).strip())
    return list(dict.fromkeys(out))


def _is_headline(text: str, sources: list[str]) -> bool:
    return any(text == s or (len(text) >= 6 and (text in s or s in text) and
                             min(len(text), len(s)) >= 0.8 * max(len(text), len(s)))
               for s in sources if s)


def headline_index(lines: list[Line], eligible: list[int], title: str | None) -> int | None:
    """Index of the article's headline among the first eligible lines, or None.

    The headline is the line matching ``title``; failing that (text dumps only
    guess the title), a first line short enough for a headline and without a
    full stop. Injection never touches it, so the lead zone starts after it.
    """
    first = eligible[:TITLE_LINES]
    for i in first:
        if title and _is_headline(lines[i].text, [title]):
            return i
    if first:
        text = lines[first[0]].text
        if len(text) <= MAX_TITLE_CHARS and "。" not in text:
            return first[0]
    return None


# ------------------------------------------------------------------ candidates
@dataclass(slots=True)
class Candidate:
    """One possible injected span: ``line.text[start:end]`` of ``page.lines[line]``.

    ``frag_end`` marks where the title fragment stops; ``end > frag_end`` when a
    company is glued after it (``frag_end == start`` for a bare company).
    """

    line: int
    start: int
    end: int
    frag_end: int
    slot: str
    n_pieces: int = 0
    aligned: bool = False
    company: bool = False
    in_zone: bool = True
    zone_pos: float = 0.0


@dataclass
class PageContext:
    """What the features need to know about the page besides the candidate."""

    lines: list[Line]
    index: TitleIndex | None
    zone: list[tuple[int, int, int]]  # (line, start, end) scanned for fragments
    zone_text: str
    rest_text: str
    eligible: list[int] = field(default_factory=list)
    n_company: int = 0
    slot_counts: Counter = field(default_factory=Counter)
    any_counts: Counter = field(default_factory=Counter)
    strong_density: float = 0.0
    n_recurring: int = 0


def eligible_lines(page: Page) -> list[int]:
    """Indices of lines the step looks at: labelled body or spam (gold when unlabelled)."""
    out = []
    for i, ln in enumerate(page.lines):
        label = ln.label if ln.label is not None else (ln.pred if ln.pred is not None else ln.gold)
        if label in ("body", "spam"):
            out.append(i)
    return out


def lead_zone(page: Page, eligible: list[int], lead_chars: int = LEAD_CHARS) -> list[tuple[int, int, int]]:
    """The first ``lead_chars`` characters of body text after the headline, as line ranges."""
    head = headline_index(page.lines, eligible, page.title)
    zone, budget = [], lead_chars
    for i in eligible:
        if head is not None and i <= head:
            continue
        text = page.lines[i].text
        take = min(len(text), budget)
        zone.append((i, 0, take))
        budget -= take
        if budget <= 0:
            break
    return zone


#: Injected fragments precede words: never punctuation or a closing quote.
_NOT_AFTER_FRAGMENT = set("，。、；：！？,.;:!?）)”’」』》】\"'…—·/%")


def _fragment_ok(text: str, i: int, j: int) -> bool:
    piece = text[i:j]
    if not all(_is_cjk(ch) or _is_latin(ch) for ch in piece):
        return False
    if j < len(text) and text[j] in _NOT_AFTER_FRAGMENT:
        return False
    if j < len(text) and _is_latin(text[j - 1]) and _is_latin(text[j]):
        return False  # would end inside a Latin word
    return any(_is_cjk(ch) for ch in piece)


def find_candidates(page: Page, ctx: PageContext) -> list[Candidate]:
    """All fragment (+company) candidates in the zone and bare companies anywhere."""
    out: list[Candidate] = []
    covered = 0
    total = max(1, sum(e - s for _, s, e in ctx.zone))
    zone_lines = {li for li, _, _ in ctx.zone}
    companies: dict[tuple[int, int, int], tuple[int, Candidate]] = {}
    index = ctx.index
    for li, zs, ze in ctx.zone:
        text = ctx.lines[li].text
        if index is None:
            break
        if not _CJK_RE.search(text, zs, ze + MAX_FRAGMENT):
            covered += ze - zs
            continue  # every fragment holds a CJK character: none can start on this line
        # A fragment is made of title-piece characters only (``TitleIndex.chars``,
        # all CJK or Latin): a position holding any other character starts no
        # fragment, and a fragment cannot grow across one. Skipping those is
        # exactly what the word-character test plus ``decompose`` would decide,
        # at a set lookup per character.
        chars = index.chars
        n = len(text)
        for i in range(zs, ze):
            if text[i] not in chars:
                continue
            slot = slot_type(text, i)
            if slot is None:
                continue
            for j in range(i + MIN_FRAGMENT, min(i + MAX_FRAGMENT, n) + 1):
                if text[j - 1] not in chars:
                    break
                if not _fragment_ok(text, i, j):
                    continue
                dec = index.decompose(text[i:j])
                if dec is None:
                    continue
                pos = (covered + i - zs) / total
                out.append(Candidate(li, i, j, j, slot, dec[0], dec[1], False, True, pos))
                m = COMPANY_RE.match(text, j)
                if m:
                    # the lazy city group can swallow fragment characters
                    # (谈判|头野崇左市… vs 谈判头野|崇左市…): per company span keep
                    # the split whose city is known, else a two-character city
                    city = m.group(1)
                    rank = 0 if city in _CITY_SET else (1 if len(city) == 2 else 2)
                    key = (li, i, m.end())
                    cand = Candidate(li, i, m.end(), j, slot, dec[0], dec[1], True, True, pos)
                    if key not in companies or rank < companies[key][0]:
                        companies[key] = (rank, cand)
        covered += ze - zs
    out.extend(c for _, c in companies.values())
    # bare companies anywhere in body text (cheap regex)
    for li in ctx.eligible:
        text = ctx.lines[li].text
        if "某某" not in text:
            continue
        for m in COMPANY_RE.finditer(text):
            slot = slot_type(text, m.start()) or "other"
            out.append(Candidate(li, m.start(), m.end(), m.start(), slot, 0, False, True,
                                 li in zone_lines, 1.0))
    return out


# ------------------------------------------------------------------ features
#: Bookkeeping columns that open every candidate row: which page, which
#: fragment string (a CRC of it), and the span's offsets in the zone text. The
#: detector uses them to relate candidates of one page to each other; they are
#: not model inputs themselves.
BOOK_NAMES: tuple[str, ...] = ("page", "frag_key", "zone_start", "zone_end")
FEATURE_NAMES: tuple[str, ...] = (
    "frag_len", "company", "bare_company", "n_pieces", "n_latin", "title_word", "aligned",
    *(f"slot_{s}" for s in SLOTS),
    "next_cjk", "next_latin", "next_digit", "next_punct", "next_eol",
    "pmi_join", "pmi_left", "pmi_right", "inner_lp", "fluency_gain",
    "word_freq", "left_word", "right_word", "junction_word",
    "n_at_slots", "n_in_zone", "n_in_rest", "n_off_slots", "strong_density", "n_recurring",
    "city_known", "n_company_page", "zone_pos", "in_zone", "prev_is_cand_end",
)
#: The features of detectors saved before ``n_off_slots`` was added.
_FEATURE_NAMES_V1: tuple[str, ...] = tuple(n for n in FEATURE_NAMES if n != "n_off_slots")
#: Columns of a candidate row: ``BOOK_NAMES`` then ``FEATURE_NAMES``.
ROW_NAMES: tuple[str, ...] = BOOK_NAMES + FEATURE_NAMES


def _lm_or_default(lm: CharBigramLM | None) -> CharBigramLM:
    return lm if lm is not None else CharBigramLM()


def _word_across(left: str, right: str, freq: dict[str, int] | None = None) -> int:
    """1 if a dictionary word of 2-4 characters spans the junction of ``left|right``.

    ``freq`` is jieba's frequency table (looked up once by callers in a loop).
    """
    freq = _jieba().dt.FREQ if freq is None else freq
    left, right = left[-3:], right[:3]
    joined = left + right
    for i, j in _JUNCTION_CUTS[len(left), len(right)]:
        if freq.get(joined[i:j], 0) > 0:
            return 1
    return 0


#: For ``_word_across``: by (characters left, characters right) of the junction,
#: up to 3 each, the slices of ``left + right`` that take 1-3 characters of
#: each side and 4 at most, in the order they are tried.
_JUNCTION_CUTS: dict[tuple[int, int], tuple[tuple[int, int], ...]] = {
    (k, m): tuple((k - a, k + b) for a in range(1, k + 1) for b in range(1, min(m, 4 - a) + 1))
    for k in range(4) for m in range(4)
}


def _off_slot_uses(frag: str, ctx: PageContext) -> int:
    """Uses of ``frag`` in the zone beyond its candidates at strong slots.

    A title word the article really uses also turns up where nothing is ever
    injected (在工作中); an injected fragment almost never does.
    """
    return max(0, ctx.zone_text.count(frag) - ctx.slot_counts.get(frag, 0))


#: The slot one-hot columns of a candidate by its slot.
_SLOT_COLUMNS: dict[str, dict[str, float]] = {
    slot: {f"slot_{s}": float(s == slot) for s in SLOTS} for slot in SLOTS}
_NO_SLOT: dict[str, float] = dict.fromkeys((f"slot_{s}" for s in SLOTS), 0.0)


#: Reads a row's values in ``ROW_NAMES`` order out of its name -> value dict
#: (``candidate_features`` sets every column, so a missing one is a KeyError).
_ROW_VALUES = operator.itemgetter(*ROW_NAMES)


def _mean(values: list[float]) -> float:
    """``float(np.mean(values))`` without its wrapper (the same reduction, the same division)."""
    return float(np.add.reduce(np.asarray(values, np.float64)) / len(values))


def candidate_features(cands: list[Candidate], ctx: PageContext,
                       lm: CharBigramLM | None = None) -> np.ndarray:
    """Feature rows for candidates.

    Candidates of one page share their fragments (an injected cycle repeats
    them), their character pairs and much of their context, so everything that
    depends on a string only (fluency log-probabilities, fragment counts,
    dictionary look-ups) is computed once per page and looked up after.

    Returns
    -------
    ndarray of shape (n_candidates, len(ROW_NAMES))
        ``BOOK_NAMES`` columns (page column 0) then ``FEATURE_NAMES``.
    """
    lm = _lm_or_default(lm)
    if not cands:
        return np.zeros((0, len(ROW_NAMES)), np.float32)
    offsets, acc = {}, 0
    for li, zs, ze in ctx.zone:
        offsets[li] = acc - zs
        acc += ze - zs + 1
    ends = {(c.line, c.end) for c in cands}
    freq = _jieba().dt.FREQ
    tokens = ctx.index.tokens if ctx.index is not None else None

    folded: dict[str, str] = {}
    log_probs: dict[tuple[str, str], float] = {}
    log_unigrams: dict[str, float] = {}
    inner_means: dict[str, float] = {}
    across: dict[tuple[str, str], int] = {}
    by_frag: dict[str, dict[str, float]] = {}

    def fold(t: str) -> str:
        out = folded.get(t)
        if out is None:
            out = folded[t] = _fold(t)
        return out

    def log_prob(x: str, y: str) -> float:
        out = log_probs.get((x, y))
        if out is None:
            out = log_probs[(x, y)] = lm.log_prob(x, y)
        return out

    def log_unigram(y: str) -> float:
        out = log_unigrams.get(y)
        if out is None:
            out = log_unigrams[y] = lm.log_unigram(y)
        return out

    def inner_mean(s: str) -> float:
        out = inner_means.get(s)
        if out is None:
            inner = [log_prob(x, y) for x, y in zip(s, s[1:])]
            out = inner_means[s] = _mean(inner) if inner else 0.0
        return out

    def word_across(x: str, y: str) -> int:
        # only three characters either side of the junction are ever looked at
        key = (x[-3:], y[:3])
        out = across.get(key)
        if out is None:
            out = across[key] = _word_across(*key, freq)
        return out

    def frag_features(frag: str) -> dict[str, float]:
        # the columns that depend on the fragment string alone
        out = by_frag.get(frag)
        if out is None:
            out = by_frag[frag] = {
                "frag_len": len(frag),
                "n_latin": sum(_is_latin(ch) for ch in frag),
                "title_word": float(bool(frag) and tokens is not None and frag in tokens),
                "word_freq": math.log1p(freq.get(frag, 0)) if frag else 0.0,
                "n_at_slots": ctx.slot_counts.get(frag, 0),
                "n_in_zone": ctx.any_counts.get(frag, 0),
                "n_in_rest": math.log1p(ctx.rest_text.count(frag)) if frag else 0.0,
                "n_off_slots": _off_slot_uses(frag, ctx) if frag else 0.0,
                "frag_key": float(zlib.crc32(frag.encode("utf-8")) % (1 << 23)),
            }
        return out

    page_wide = {"strong_density": ctx.strong_density, "n_recurring": ctx.n_recurring,
                 "n_company_page": ctx.n_company, "page": 0.0}
    rows = []
    for c in cands:
        text = ctx.lines[c.line].text
        frag = text[c.start:c.frag_end]
        span = text[c.start:c.end]
        left = text[max(0, c.start - 3):c.start]
        right = text[c.end:c.end + 3]
        a = fold(left[-1:]) or "\n"
        b = fold(right[:1]) or "\n"
        s = fold(span) or b
        lp_join = log_prob(a, b)
        lp_left = log_prob(a, s[0])
        lp_right = log_prob(s[-1], b)
        nxt = right[:1]
        base = offsets.get(c.line, acc + 1000 * c.line)  # bare companies outside the zone
        f = {
            **page_wide,
            **frag_features(frag),
            **_SLOT_COLUMNS.get(c.slot, _NO_SLOT),
            "company": float(c.company),
            "bare_company": float(c.company and not frag),
            "n_pieces": c.n_pieces,
            "aligned": float(c.aligned),
            "next_cjk": float(bool(nxt) and _is_cjk(nxt)),
            "next_latin": float(bool(nxt) and _is_latin(nxt)),
            "next_digit": float(bool(nxt) and _is_digit(nxt)),
            "next_punct": float(bool(nxt) and not (_is_cjk(nxt) or nxt.isalnum())),
            "next_eol": float(not nxt),
            "pmi_join": lp_join - log_unigram(b),
            "pmi_left": lp_left - log_unigram(s[0]),
            "pmi_right": lp_right - log_unigram(b),
            "inner_lp": inner_mean(s),
            "fluency_gain": lp_join - (lp_left + lp_right),
            "left_word": word_across(left, frag) if frag else 0.0,
            "right_word": word_across(span, right),
            "junction_word": word_across(left, right),
            "zone_pos": c.zone_pos,
            "in_zone": float(c.in_zone),
            "prev_is_cand_end": float((c.line, c.start) in ends),
            "zone_start": float(base + c.start),
            "zone_end": float(base + c.end),
            "city_known": 0.0,
        }
        if c.company:
            m = COMPANY_RE.match(text, c.frag_end)
            f["city_known"] = float(bool(m) and m.group(1) in _CITY_SET)
        rows.append(_ROW_VALUES(f))
    return np.array(rows, np.float32)


def page_context(page: Page, eligible: list[int] | None = None,
                 lead_chars: int = LEAD_CHARS) -> PageContext:
    """Title index, lead zone and page-level counts for one page."""
    eligible = eligible_lines(page) if eligible is None else eligible
    sources = title_sources(page, eligible)
    index = _title_index(tuple(sources)) if sources else None
    zone = lead_zone(page, eligible, lead_chars)
    zone_lines = {li: (s, e) for li, s, e in zone}
    zone_text = "\n".join(page.lines[li].text[s:e] for li, s, e in zone)
    rest = []
    for li in eligible:
        text = page.lines[li].text
        if li in zone_lines:
            rest.append(text[zone_lines[li][1]:])
        elif not zone or li > zone[-1][0]:
            rest.append(text)
    ctx = PageContext(page.lines, index, zone, zone_text, "\n".join(rest), eligible)
    ctx.n_company = sum(len(COMPANY_RE.findall(page.lines[li].text)) for li in eligible
                        if "某某" in page.lines[li].text)
    return ctx


def _page_counts(ctx: PageContext, cands: list[Candidate]) -> None:
    slot_counts, any_counts = Counter(), Counter()
    strong = 0
    for c in cands:
        if c.company or not c.in_zone:
            continue
        frag = ctx.lines[c.line].text[c.start:c.frag_end]
        any_counts[frag] += 1
        if c.slot in _STRONG_SLOTS:
            slot_counts[frag] += 1
            strong += 1
    ctx.slot_counts, ctx.any_counts = slot_counts, any_counts
    ctx.strong_density = 100.0 * strong / max(1, len(ctx.zone_text))
    ctx.n_recurring = sum(1 for k, v in slot_counts.items() if v >= 2 and len(k) >= 2)


def page_candidates(page: Page, lm: CharBigramLM | None = None, eligible: list[int] | None = None,
                    lead_chars: int = LEAD_CHARS) -> tuple[list[Candidate], np.ndarray, PageContext]:
    """Candidates of one page and their rows (shape ``(n, len(ROW_NAMES))``)."""
    ctx = page_context(page, eligible, lead_chars)
    cands = find_candidates(page, ctx)
    if not cands:
        return [], np.zeros((0, len(ROW_NAMES)), np.float32), ctx
    _page_counts(ctx, cands)
    return cands, candidate_features(cands, ctx, lm), ctx


# ------------------------------------------------------------------ estimator
#: Names of the page-context features pass two adds (see ``context_features``).
CONTEXT_NAMES: tuple[str, ...] = (
    "p1", "alt_best", "same_best", "same_n_conf", "same_neighbour", "page_n_conf",
    "page_n_conf_two_piece", "gap_prev_conf", "gap_next_conf",
)
#: Pass-one probability above which a candidate counts as confident for context.
CONFIDENT = 0.5


def context_features(book: np.ndarray, base: np.ndarray, p1: np.ndarray) -> np.ndarray:
    """Page-context features from pass-one probabilities, for pass two.

    Injected fragments repeat in a fixed cycle, so a fragment string accepted
    elsewhere on the page, and above all one that recurs between the same
    neighbours (the cycle), is likely injected here too; and a page with many
    confident two-piece fragments is an injected page.

    Parameters
    ----------
    book : ndarray of shape (n, len(BOOK_NAMES))
    base : ndarray of shape (n, len(FEATURE_NAMES))
    p1 : ndarray of shape (n,)

    Returns
    -------
    ndarray of shape (n, len(CONTEXT_NAMES))
    """
    import bisect

    out = np.zeros((len(p1), len(CONTEXT_NAMES)), np.float32)
    out[:, 0] = p1
    two_piece = (base[:, FEATURE_NAMES.index("n_pieces")] == 2).tolist()
    pages: dict[float, list[int]] = {}
    for r, page in enumerate(book[:, 0].tolist()):
        pages.setdefault(page, []).append(r)
    keys_all, starts_all, ends_all = book[:, 1].tolist(), book[:, 2].tolist(), book[:, 3].tolist()
    p_all = p1.tolist()
    for rows in pages.values():
        rows.sort(key=lambda r: starts_all[r])
        starts = [starts_all[r] for r in rows]
        longest = max(ends_all[r] - starts_all[r] for r in rows)
        best_at: dict[float, int] = {}
        by_key: dict[float, list[int]] = {}
        for r in rows:
            st = starts_all[r]
            if st not in best_at or p_all[r] > p_all[best_at[st]]:
                best_at[st] = r
            by_key.setdefault(keys_all[r], []).append(r)
        conf = sorted((starts_all[r], r) for r in best_at.values() if p_all[r] >= CONFIDENT)
        conf_starts = [c[0] for c in conf]
        position = {r: n for n, (_, r) in enumerate(conf)}
        n_conf = len(conf)
        n_two = sum(1 for _, r in conf if two_piece[r])

        def neighbour_keys(nb: int, na: int) -> tuple[float, float]:
            # keys of the confident candidates before ``conf[nb]`` and at ``conf[na]``
            prev_key = keys_all[conf[nb - 1][1]] if nb > 0 else -1.0
            next_key = keys_all[conf[na][1]] if na < n_conf else -1.0
            return prev_key, next_key

        nbr = {r: neighbour_keys(bisect.bisect_left(conf_starts, starts_all[r]),
                                 bisect.bisect_left(conf_starts, ends_all[r])) for _, r in conf}
        values = []  # columns 1-8 of each row of ``rows``, written at once
        for r in rows:
            st, en, key = starts_all[r], ends_all[r], keys_all[r]
            lo = bisect.bisect_left(starts, st - longest)
            hi = bisect.bisect_left(starts, en)
            alt = [p_all[o] for o in rows[lo:hi] if o != r and ends_all[o] > st]
            nb = bisect.bisect_left(conf_starts, st)
            na = bisect.bisect_left(conf_starts, en)
            same = [o for o in by_key[key] if o != r and (ends_all[o] <= st or starts_all[o] >= en)]
            if same:
                prev_key, next_key = neighbour_keys(nb, na)
                same_best = max(p_all[o] for o in same)
                same_conf = sum(1 for o in same if p_all[o] >= CONFIDENT)
                same_nbr = sum(1 for o in same if o in position
                               and ((prev_key >= 0 and nbr[o][0] == prev_key)
                                    or (next_key >= 0 and nbr[o][1] == next_key)))
            else:
                same_best, same_conf, same_nbr = 0.0, 0, 0
            values.append((
                max(alt, default=0.0), same_best, same_conf, same_nbr, n_conf, n_two,
                min(200.0, st - conf_starts[nb - 1]) if nb > 0 else 200.0,
                min(200.0, conf_starts[na] - en) if na < n_conf else 200.0,
            ))
        out[rows, 1:] = np.array(values, np.float32)
    return out


#: Pages with at most this many candidates are scored by ``_booster_proba``'s
#: own tree walk, bigger ones by sklearn: sklearn walks the trees one call at a
#: time (about 10 µs a tree, however few the rows), the vectorised walk costs
#: rows times trees; on a page of ~400 candidates the two take the same time.
WALK_MAX_ROWS = 400


@dataclass
class _Forest:
    """The trees of a fitted binary ``HistGradientBoostingClassifier``, flattened for one walk.

    Node ``k`` of the concatenated trees is addressed as ``2 * k``: its left
    child is ``child[2k]`` and its right child ``child[2k + 1]`` (both stored
    doubled too), so one step is ``q = child[q + (x > threshold[q])]``. Leaves
    point to themselves (threshold ``+inf``), so a walk of ``depth`` steps ends
    on a leaf of every tree. Trees are stored deepest first: step ``d`` only
    moves the ``active[d]`` trees that still have that many levels.
    """

    predictors: list  # the booster's ``_predictors`` this was built from
    roots: np.ndarray  # (n_trees,) doubled root node ids, deepest tree first
    feature: np.ndarray  # (2 * n_nodes,) at even positions
    threshold: np.ndarray  # (2 * n_nodes,) at even positions
    child: np.ndarray  # (2 * n_nodes,)
    value: np.ndarray  # (2 * n_nodes,) leaf values at even positions
    active: list[int]
    unsort: np.ndarray  # stored tree order -> the booster's order
    baseline: float
    checked: bool = False  # compared with sklearn's own answer once


#: Flattened forests by booster; None where a booster cannot be walked here.
_FORESTS: "weakref.WeakKeyDictionary[HistGradientBoostingClassifier, _Forest | None]" = \
    weakref.WeakKeyDictionary()


def _build_forest(clf: HistGradientBoostingClassifier) -> _Forest | None:
    """Flatten a booster's trees, or None when it is not a plain numeric binary model."""
    try:
        if (clf.n_trees_per_iteration_ != 1 or clf.is_categorical_ is not None
                or getattr(clf, "_preprocessor", None) is not None or not clf._predictors
                or not callable(getattr(clf._loss, "predict_proba", None))
                or any(len(it) != 1 or it[0].nodes["is_categorical"].any() for it in clf._predictors)):
            return None
        baseline = np.asarray(clf._baseline_prediction, np.float64).reshape(-1)
        if baseline.shape != (1,):
            return None
        trees = [it[0].nodes for it in clf._predictors]
        depth = np.array([int(t["depth"].max()) for t in trees])
        order = np.argsort(-depth, kind="stable")
        trees = [trees[k] for k in order]
        sizes = [len(t) for t in trees]
        first = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.intp)
        nodes = np.concatenate(trees)
        leaf = nodes["is_leaf"].astype(bool)
        own = np.arange(len(nodes), dtype=np.intp)
        shift = np.repeat(first, sizes)
        left = np.where(leaf, own, nodes["left"].astype(np.intp) + shift)
        right = np.where(leaf, own, nodes["right"].astype(np.intp) + shift)
        n2 = 2 * len(nodes)
        child, feature = np.empty(n2, np.intp), np.zeros(n2, np.intp)
        threshold, value = np.full(n2, np.inf), np.zeros(n2, np.float64)
        child[0::2], child[1::2] = 2 * left, 2 * right
        feature[0::2] = np.where(leaf, 0, nodes["feature_idx"])
        threshold[0::2] = np.where(leaf, np.inf, nodes["num_threshold"])
        value[0::2] = nodes["value"]
    except (AttributeError, KeyError, TypeError, ValueError, IndexError):
        return None  # a layout this code does not know: sklearn predicts
    return _Forest(clf._predictors, 2 * first, feature, threshold, child, value,
                   [int((depth > d).sum()) for d in range(int(depth.max()))],
                   np.argsort(order), float(baseline[0]))


def _forest_raw(forest: _Forest, X: np.ndarray) -> np.ndarray:
    """Raw scores of shape (n, 1), summed as sklearn sums them (baseline, then tree by tree)."""
    n, width = X.shape
    flat = X.ravel()
    rowbase = np.arange(n, dtype=np.intp) * width
    q = np.empty((len(forest.roots), n), np.intp)
    q[:] = forest.roots[:, None]
    for k in forest.active:
        at = q[:k]
        x = flat.take(forest.feature.take(at) + rowbase)
        q[:k] = forest.child.take(at + (x > forest.threshold.take(at)))
    leaves = np.empty((len(forest.roots) + 1, n), np.float64)
    leaves[0] = forest.baseline
    leaves[1:] = forest.value.take(q)[forest.unsort]
    # accumulate adds row after row: the same order, hence the same rounding, as
    # sklearn's ``raw += tree.predict(X)`` loop
    return np.add.accumulate(leaves, axis=0)[-1][:, None]


def _booster_proba(clf: HistGradientBoostingClassifier, X: np.ndarray) -> np.ndarray:
    """``clf.predict_proba(X)``, bit for bit, without sklearn's per-tree calls on small ``X``.

    sklearn predicts with one Cython call per tree; a page has tens of
    candidates, so that fixed cost was most of the detector's time. The trees
    are walked here all at once with numpy (same comparisons, same leaf
    values, same summation order, same sigmoid), which gives identical
    probabilities. The first walk of each booster is checked against sklearn;
    a booster that is not a plain numeric binary model, a mismatch, NaN input
    or a big ``X`` go to sklearn itself (single-threaded, see ``predict_proba``).
    """
    X = np.asarray(X, dtype=np.float64)
    forest = _FORESTS.get(clf, False)
    if forest is not None and (forest is False or forest.predictors is not clf._predictors):
        forest = _FORESTS[clf] = _build_forest(clf)
    if (forest is None or X.ndim != 2 or not 0 < len(X) <= WALK_MAX_ROWS
            or X.shape[1] != clf.n_features_in_ or np.isnan(X).any()):
        with one_openmp_thread():
            return clf.predict_proba(X)
    proba = clf._loss.predict_proba(_forest_raw(forest, X))
    if not forest.checked:
        with one_openmp_thread():
            expected = clf.predict_proba(X)
        if not np.array_equal(proba, expected):
            _FORESTS[clf] = None
            return expected
        forest.checked = True
    return proba


class SpanDetector(ClassifierMixin, BaseEstimator):
    """Scores span candidates: is this title fragment (or company) injected?

    Two passes of gradient-boosted trees. Pass one sees each candidate's own
    features (``FEATURE_NAMES``); pass two adds what pass one thinks of the
    rest of the page (``CONTEXT_NAMES``: the same fragment elsewhere, the
    fragment cycle, how injected the page looks). Pass two is trained on
    out-of-fold pass-one probabilities, grouped by page, so it learns how far
    to trust pass one on pages it has not seen. The fluency model the rows were
    computed with travels with the detector (``char_lm``).

    Parameters
    ----------
    char_lm : CharBigramLM or None, default=None
        Fitted character-bigram model of clean text, used by
        ``candidate_features`` at detection time; None means an empty model
        (the fluency features then carry no signal).
    threshold : float, default=0.5
        Probability above which a candidate is cut.
    max_iter : int, default=100
        Boosting iterations of each pass.
    learning_rate : float, default=0.1
    max_leaf_nodes : int, default=15
    n_folds : int, default=3
        Folds (by page) for the out-of-fold pass-one probabilities.
    random_state : int, default=0

    Attributes
    ----------
    first_ : HistGradientBoostingClassifier
        Pass one, fitted on all rows.
    second_ : HistGradientBoostingClassifier
        Pass two.
    classes_ : ndarray of shape (2,)
    n_features_in_ : int
        ``len(ROW_NAMES)``.
    feature_names_ : tuple of str
        ``FEATURE_NAMES`` at fit time. Rows always carry the current
        ``FEATURE_NAMES``; the boosters get the columns they were fitted on, so
        a detector saved before a feature was added keeps working until the
        model is retrained (detectors without the attribute predate
        ``n_off_slots``).
    """

    def __init__(self, *, char_lm: CharBigramLM | None = None, threshold: float = THRESHOLD_DEFAULT,
                 max_iter: int = 100, learning_rate: float = 0.1, max_leaf_nodes: int = 15,
                 n_folds: int = 3, random_state: int = 0) -> None:
        self.char_lm = char_lm
        self.threshold = threshold
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.max_leaf_nodes = max_leaf_nodes
        self.n_folds = n_folds
        self.random_state = random_state

    def _booster(self) -> HistGradientBoostingClassifier:
        return HistGradientBoostingClassifier(
            max_iter=self.max_iter, learning_rate=self.learning_rate,
            max_leaf_nodes=self.max_leaf_nodes, random_state=self.random_state, early_stopping=False,
        )

    @staticmethod
    def _split(X) -> tuple[np.ndarray, np.ndarray]:
        X = np.asarray(X, dtype=np.float32)
        if X.ndim != 2 or X.shape[1] != len(ROW_NAMES):
            raise ValueError(f"X must be candidate rows of shape (n, {len(ROW_NAMES)}) "
                             f"(BOOK_NAMES + FEATURE_NAMES), got {X.shape}")
        return X[:, :len(BOOK_NAMES)], X[:, len(BOOK_NAMES):]

    def fit(self, X, y):
        """Fit on candidate rows ``X`` of shape (n, len(ROW_NAMES)) and 0/1 labels ``y``.

        Column 0 (``page``) groups the rows of one page; pages must not share it.
        """
        book, base = self._split(X)
        y = np.asarray(y, dtype=int)
        if not 0.0 < self.threshold < 1.0:
            raise ValueError(f"threshold must be in (0, 1), got {self.threshold!r}")
        if self.n_folds < 2:
            raise ValueError(f"n_folds must be at least 2, got {self.n_folds!r}")
        with one_openmp_thread():  # see predict_proba
            return self._fit(book, base, y)

    def _fit(self, book: np.ndarray, base: np.ndarray, y: np.ndarray) -> "SpanDetector":
        from sklearn.model_selection import GroupKFold

        groups = book[:, 0]
        p1 = np.zeros(len(y))
        folds = min(self.n_folds, len(np.unique(groups)))
        if folds >= 2:
            for train, test in GroupKFold(n_splits=folds).split(base, y, groups):
                if len(np.unique(y[train])) < 2:
                    continue
                p1[test] = self._booster().fit(base[train], y[train]).predict_proba(base[test])[:, 1]
        self.feature_names_ = FEATURE_NAMES
        self.first_ = self._booster().fit(base, y)
        self.second_ = self._booster().fit(np.hstack([base, context_features(book, base, p1)]), y)
        self.classes_ = self.second_.classes_
        self.n_features_in_ = len(ROW_NAMES)
        return self

    def predict_proba(self, X) -> np.ndarray:
        """Probabilities of shape (n, 2); column 1 is "injected"."""
        check_is_fitted(self, "second_")
        book, base = self._split(X)
        if not len(base):
            return np.zeros((0, 2))
        # One page has a few hundred rows: OpenMP threads only add start-up cost
        # there, and on a busy machine (batch workers) they stall badly; fitting
        # single-threaded was also ten times faster on a loaded 2-core box. Most
        # pages are small enough that ``_booster_proba`` walks the trees itself.
        own = self._own_columns(base)
        p1 = _booster_proba(self.first_, own)[:, 1]
        return _booster_proba(self.second_, np.hstack([own, context_features(book, base, p1)]))

    def _own_columns(self, base: np.ndarray) -> np.ndarray:
        names = getattr(self, "feature_names_", _FEATURE_NAMES_V1)
        if names == FEATURE_NAMES:
            return base
        missing = [n for n in names if n not in FEATURE_NAMES]
        if missing:
            raise ValueError(f"this span detector was fitted on features {missing} that linesift no longer "
                             "computes; retrain the model (linesift train)")
        return base[:, [FEATURE_NAMES.index(n) for n in names]]

    def predict(self, X) -> np.ndarray:
        proba = self.predict_proba(X)
        return (proba[:, -1] >= self.threshold).astype(int)


# ------------------------------------------------------------------ rule mode
def rule_scores(cands: list[Candidate], X: np.ndarray) -> np.ndarray:
    """Conservative scores used when no detector is fitted (1.0 = cut, 0.0 = keep).

    Cut only (a) a title fragment with a fake company glued right after it at a
    punctuation or ``的`` slot, and (b) a fragment that is not a title word,
    not a dictionary word, forms no dictionary word with its neighbours, is cut
    from two title pieces or across title words, recurs at least twice at such
    slots and is never seen outside the lead.
    """
    col = {n: k for k, n in enumerate(ROW_NAMES)}
    out = np.zeros(len(cands))
    for r, c in enumerate(cands):
        row = X[r]
        strong = c.slot in _STRONG_SLOTS or c.slot == "semi"
        if c.company and c.frag_end > c.start and strong:
            out[r] = 1.0
        elif (not c.company and strong and row[col["title_word"]] == 0 and row[col["aligned"]] == 0
              and row[col["word_freq"]] == 0 and row[col["n_at_slots"]] >= 2
              and row[col["n_in_rest"]] == 0 and row[col["next_eol"]] == 0
              and row[col["right_word"]] == 0 and row[col["left_word"]] == 0):
            out[r] = 1.0
    return out


# ------------------------------------------------------------------ decoding
#: A candidate whose fragment is cut elsewhere on the page needs only this score.
SUPPORTED_THRESHOLD = 0.25


def _greedy(cands: list[Candidate], scores: np.ndarray, threshold: float) -> list[int]:
    # highest score first; on ties the longer span (a fragment with its company)
    order = sorted(range(len(cands)), key=lambda r: (-scores[r], cands[r].start - cands[r].end))
    taken: dict[int, list[tuple[int, int]]] = {}
    out = []
    for r in order:
        if scores[r] < threshold:
            break
        c = cands[r]
        spans = taken.setdefault(c.line, [])
        if any(c.start < e and s < c.end for s, e in spans):
            continue
        spans.append((c.start, c.end))
        out.append(r)
    return out


def choose_spans(cands: list[Candidate], scores: np.ndarray, threshold: float,
                 frags: list[str] | None = None) -> dict[int, list[tuple[int, int]]]:
    """Non-overlapping spans per line: greedy by score, then made consistent with the cycle.

    A page reuses one cycle of fragments, so after a first greedy pass the
    fragments cut at punctuation or ``的`` slots vouch for each other: another
    occurrence of a cut fragment needs only ``SUPPORTED_THRESHOLD``, of two
    candidates at one start the one whose fragment is cut elsewhere wins, and
    a fragment at an unusual slot (mid-sentence) is cut only with such support.
    """
    scores = np.asarray(scores, dtype=float).copy()
    if frags is not None and len(cands):
        first = _greedy(cands, scores, threshold)
        # support counts cuts at *other* places: a fragment and the same
        # fragment with its company glued on start at one place and must not
        # vouch for each other (that used to cut the bare fragment and leave
        # the company behind)
        cut_at: dict[str, set[tuple[int, int]]] = {}
        for r in first:
            if cands[r].slot != "other" and frags[r]:
                cut_at.setdefault(frags[r], set()).add((cands[r].line, cands[r].start))
        starts = {(cands[r].line, cands[r].start) for r in first}
        for r, c in enumerate(cands):
            support = len(cut_at.get(frags[r], set()) - {(c.line, c.start)})
            if support > 0 and (scores[r] >= SUPPORTED_THRESHOLD or (c.line, c.start) in starts):
                scores[r] = max(scores[r], threshold) + 0.5
            elif c.slot == "other" and not c.company:
                scores[r] = 0.0
    chosen: dict[int, list[tuple[int, int]]] = {}
    for r in _greedy(cands, scores, threshold):
        chosen.setdefault(cands[r].line, []).append((cands[r].start, cands[r].end))
    return {li: sorted(sp) for li, sp in chosen.items()}


# ------------------------------------------------------------------ other in-sentence forms
# Mirrors that do not glue in title fragments mark their copies in cheaper
# ways: a pinyin gloss after ordinary characters (``現(xiàn)``, ``新(xin)(xin)``),
# an emoji or symbol pushed in front of punctuation (``布局🔥，``), or a doubled
# punctuation mark (``,，`` ``,。``). Each has a shape that edited text almost
# never shows, so plain rules find them; the gates below keep the rare
# legitimate look-alikes (a dictionary article's ``饕餮（tāo tiè）``, a forum
# post's single ``😋！``, a one-off typo ``，，``).

#: Simplified -> traditional forms of common characters, with their pinyin. The
#: generator writes ``<traditional>(<pinyin>)``; detection treats a gloss after a
#: traditional form in a simplified page as spam.
TRAD_PINYIN: dict[str, tuple[str, str]] = {
    "现": ("現", "xiàn"), "发": ("發", "fā"), "国": ("國", "guó"), "说": ("說", "shuō"),
    "时": ("時", "shí"), "会": ("會", "huì"), "来": ("來", "lái"), "这": ("這", "zhè"),
    "个": ("個", "gè"), "们": ("們", "men"), "为": ("為", "wèi"), "学": ("學", "xué"),
    "经": ("經", "jīng"), "济": ("濟", "jì"), "业": ("業", "yè"), "务": ("務", "wù"),
    "动": ("動", "dòng"), "实": ("實", "shí"), "开": ("開", "kāi"), "关": ("關", "guān"),
    "长": ("長", "zhǎng"), "门": ("門", "mén"), "问": ("問", "wèn"), "题": ("題", "tí"),
    "进": ("進", "jìn"), "过": ("過", "guò"), "还": ("還", "hái"), "对": ("對", "duì"),
    "从": ("從", "cóng"), "产": ("產", "chǎn"), "机": ("機", "jī"), "电": ("電", "diàn"),
    "车": ("車", "chē"), "东": ("東", "dōng"), "记": ("記", "jì"), "报": ("報", "bào"),
    "场": ("場", "chǎng"), "价": ("價", "jià"), "体": ("體", "tǐ"), "应": ("應", "yīng"),
    "网": ("網", "wǎng"), "总": ("總", "zǒng"), "数": ("數", "shù"), "据": ("據", "jù"),
    "规": ("規", "guī"), "划": ("劃", "huà"), "计": ("計", "jì"), "让": ("讓", "ràng"),
    "认": ("認", "rèn"), "议": ("議", "yì"), "资": ("資", "zī"), "费": ("費", "fèi"),
    "华": ("華", "huá"), "区": ("區", "qū"), "县": ("縣", "xiàn"), "级": ("級", "jí"),
    "线": ("線", "xiàn"), "项": ("項", "xiàng"), "险": ("險", "xiǎn"),
}
_TRAD_SET = frozenset(t for t, _ in TRAD_PINYIN.values())
_SIMP_SET = frozenset(TRAD_PINYIN)

_TONES = str.maketrans("āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüĀÁǍÀĒÉĚÈĪÍǏÌŌÓǑÒŪÚǓÙ",
                       "aaaaeeeeiiiioooouuuuvvvvvAAAAEEEEIIIIOOOOUUUU")
_SYLLABLE_RE = re.compile(
    r"(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?"
    r"(?:iang|iong|uang|ueng|ang|eng|ing|ong|ian|iao|uai|uan|van|ai|ei|ao|ou|an|en|er|ia|ie|iu|in"
    r"|ua|uo|ui|un|ve|ue|vn|a|e|i|u|v)[1-5]?"
    r"|[bpmfwy]o[1-5]?"
)
#: ``(pinyin)`` glosses after a CJK character, one or more in a row.
_GLOSS = r"[(（][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{2,6}[1-5]?[)）]"
PINYIN_GLOSS_RE = re.compile(r"(?<=[\u3400-\u9fff\uf900-\ufaff])(?:" + _GLOSS + r")+")
#: A character this frequent (jieba's dictionary count) needs no reading aid:
#: glosses go on rare characters (``饕(tāo)``) in real text.
COMMON_CHAR_FREQ = 1000
#: Glossed common characters on one page before a lone gloss counts as spam (unless one
#: gloss is sure: repeated, or after a traditional form): a lesson on a polyphone
#: ("在“行走”中读行(xíng)，在“银行”中读行(háng)") glosses two or three.
MIN_GLOSSES = 4
#: A line whose CJK characters are glossed at this rate or more is a pinyin
#: reader (``我(wǒ)爱(ài)北(běi)京(jīng)``), not a marked copy: injectors gloss a
#: few common characters per sentence.
READER_GLOSS_SHARE = 0.5

#: Emoji and pictographic symbols: the emoji planes, misc symbols and dingbats,
#: arrows, misc technical, geometric shapes; with variation selector and joiner.
_SYMBOL = "\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\u25A0-\u25FF\u2190-\u21FF\u2300-\u23FF"
SYMBOL_BEFORE_PUNCT_RE = re.compile(
    r"(?<=[\u3400-\u9fff\uf900-\ufaffA-Za-z0-9])[" + _SYMBOL + r"](?:[\uFE0F\u200D]?[" + _SYMBOL
    + r"]){0,3}\uFE0F?(?=[，。！？；：、,!?;:])"
)
#: Symbols before punctuation are cut only in clusters of at least this many:
#: a blog's smileys (``支持🐶，`` and, four marks on, ``一切🤩，``, in a train
#: page) are the author's, an injector decorates run after run of marks.
MIN_SYMBOLS = 3
#: Consecutive hits of one cluster are at most this many punctuation marks apart.
CLUSTER_MARKS = 6

#: Doubled marks: a comma before a comma or full stop (the comma is the extra
#: one), or a comma after a full stop (so is that comma). Only pairs between
#: characters count: ``，，，`` runs and ``。。。`` are someone's style.
_WORDISH = r"[\u3400-\u9fff\uf900-\ufaffA-Za-z0-9”’」』）)]"
_NOT_PUNCT = r"(?=[^,，。.、；;：:！？!?…])"
DOUBLED_PUNCT_RE = re.compile(
    r"(?<=" + _WORDISH + r")([,，])(?=[,，。]" + _NOT_PUNCT + r")"
    r"|(?<=" + _WORDISH + r"。)([,，])" + _NOT_PUNCT
)
#: Every ``DOUBLED_PUNCT_RE`` match is one of these pairs (its comma and the mark after or before it).
_DOUBLED_PAIRS: tuple[str, ...] = (*(c + n for c in ",，" for n in ",，。"), "。,", "。，")
#: Every ``SYMBOL_BEFORE_PUNCT_RE`` match starts with one of these characters.
_SYMBOL_RE = re.compile("[" + _SYMBOL + "]")
#: Doubled marks in one cluster (``CLUSTER_MARKS``) before any is cut: an
#: old text or a forum post has a stray ``，，`` now and then.
MIN_DOUBLED = 2

#: Kinds of in-sentence form ``form_spans`` reports.
FORMS: tuple[str, ...] = ("pinyin", "symbol", "punct")


def is_pinyin(gloss: str) -> bool:
    """True when every ``(…)`` group of ``gloss`` is one lower-case pinyin syllable.

    Enumerations (``(a)``) and English glosses (``(Apple)``, ``(app)``) fail:
    one letter, capitals, or no pinyin syllable.
    """
    groups = re.findall(r"[(（]([^)）]*)[)）]", gloss)
    return bool(groups) and all(len(g) >= 2 and _SYLLABLE_RE.fullmatch(g.translate(_TONES)) for g in groups)


def _mostly_simplified(text: str) -> bool:
    simp = sum(1 for ch in text if ch in _SIMP_SET)
    trad = sum(1 for ch in text if ch in _TRAD_SET)
    return simp > 2 * trad


def form_spans(page: Page, eligible: list[int] | None = None) -> dict[int, list[tuple[int, int, str]]]:
    """Pinyin glosses, symbols before punctuation and doubled punctuation, per line.

    Returns ``{line index: [(start, end, kind), ...]}`` with ``kind`` in
    ``FORMS``. Page-level gates (``MIN_GLOSSES``, ``MIN_SYMBOLS``,
    ``MIN_DOUBLED``) keep one-off look-alikes; a repeated gloss (``(xin)(xin)``)
    or a gloss after a traditional form in a simplified page is cut on its own.
    """
    eligible = eligible_lines(page) if eligible is None else eligible
    texts = {li: page.lines[li].text for li in eligible if _has_cjk(page.lines[li].text)}
    if not texts:
        return {}
    simplified: bool | None = None  # counted only when a gloss turns up
    hits: dict[str, list[tuple[int, int, int, bool]]] = {k: [] for k in FORMS}  # (line, s, e, sure)
    for li, text in texts.items():
        glosses = list(PINYIN_GLOSS_RE.finditer(text)) if "(" in text or "（" in text else []
        # (without glosses there is nothing to drop: count CJK characters only when there are)
        if glosses and len(glosses) >= READER_GLOSS_SHARE * len(_CJK_RE.findall(text)):
            glosses = []
        if glosses:
            for m in glosses:
                if not is_pinyin(m.group()):
                    continue
                char = text[m.start() - 1]
                repeated = m.group().count("(") + m.group().count("（") >= 2
                if simplified is None and char in _TRAD_SET:
                    simplified = _mostly_simplified("".join(texts.values()))
                trad = bool(simplified) and char in _TRAD_SET
                common = _word_freq(char) >= COMMON_CHAR_FREQ or char in _TRAD_SET
                if repeated or trad or common:
                    hits["pinyin"].append((li, m.start(), m.end(), repeated or trad))
        # both patterns open with a look-behind, so sre tries them at every
        # position; a cheap test for what every match holds comes first
        for m in SYMBOL_BEFORE_PUNCT_RE.finditer(text) if _SYMBOL_RE.search(text) else ():
            hits["symbol"].append((li, m.start(), m.end(), False))
        for m in DOUBLED_PUNCT_RE.finditer(text) if any(d in text for d in _DOUBLED_PAIRS) else ():
            g = 1 if m.group(1) else 2
            hits["punct"].append((li, m.start(g), m.end(g), False))
    out: dict[int, list[tuple[int, int, str]]] = {}
    any_sure = any(sure for *_, sure in hits["pinyin"])  # one sure gloss shows the page was marked
    for li, s, e, sure in hits["pinyin"]:
        if sure or any_sure or len(hits["pinyin"]) >= MIN_GLOSSES:
            out.setdefault(li, []).append((s, e, "pinyin"))
    for kind, need in (("symbol", MIN_SYMBOLS), ("punct", MIN_DOUBLED)):
        for li, s, e in _clustered(texts, hits[kind], need):
            out.setdefault(li, []).append((s, e, kind))
    return {li: sorted(sp) for li, sp in out.items()}


_MARKS = frozenset("，。！？；,!?;")


def _count_marks(text: str, end: int | None = None) -> int:
    """Punctuation marks (``_MARKS``) in ``text[:end]``, counted in C, one mark at a time."""
    return sum(text.count(m, 0, end) for m in _MARKS)


def _clustered(texts: dict[int, str], hits: list[tuple[int, int, int, bool]],
               need: int) -> list[tuple[int, int, int]]:
    """Hits that sit in runs of at least ``need``, neighbours ``CLUSTER_MARKS`` marks apart at most."""
    if len(hits) < need:
        return []
    before, acc = {}, 0
    for li, text in texts.items():  # eligible order = page order
        before[li] = acc
        acc += _count_marks(text)
    pos = [before[li] + _count_marks(texts[li], s) for li, s, _, _ in hits]
    order = sorted(range(len(hits)), key=lambda k: (hits[k][0], hits[k][1]))
    runs: list[list[int]] = []
    for k in order:
        if runs and pos[k] - pos[runs[-1][-1]] <= CLUSTER_MARKS:
            runs[-1].append(k)
        else:
            runs.append([k])
    return [hits[k][:3] for run in runs if len(run) >= need for k in run]


def gambling_spans(text: str, *, ads_on_page: bool = False) -> list[tuple[int, int]]:
    """Spans of gambling brand phrases (``金沙官方入口``) anywhere in a line.

    A phrase that could be a company's name in the news (``银河娱乐``) counts only
    with ``ads_on_page``: the page has an unmistakable ad phrase (``is_gambling_ad``).
    """
    return _gambling_kept(GAMBLING_RE.finditer(text), ads_on_page)


def _gambling_kept(matches: Iterable[re.Match], ads_on_page: bool) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in matches if ads_on_page or is_gambling_ad(m)]


def is_gambling_ad(match: re.Match) -> bool:
    """A ``GAMBLING_RE`` match no news text would write: a brand that is only a gambling site's,
    an ad tail, or pinyin glued to the brand."""
    return (not NEWS_BRANDS.match(match.group()) or bool(match.group("pinyin"))
            or GAMBLING_AD_TAILS.search(match.group()) is not None)


# ------------------------------------------------------------------ English glued spam
# English mirrors glue pharma/casino/loan anchor text into the article's own
# sentences: ``…on Monday, buy cheap viagra online, after a long debate.`` or
# ``…the new park best online casino bonus and the playground.`` A run of spam
# words is cut only when it carries two signals (a spam term *and* hook words
# or a spam domain) and sits where the sentence's grammar has no place for it:
# between commas, or glued after a content word and before a function word.
# News about drugs, casinos and loans (``Pfizer's Viagra patent expired``,
# ``payday loans are regulated``) has the terms but not the hooks, or has them
# in a grammatical slot (``the best online casino in Macau``), and is kept.
# The words are a small copy of ``training.spam_words`` (``model`` never
# imports ``training``), with the connectives anchor texts use.

#: Spam terms: drug names, casino and loan words (lower case).
EN_SPAM_TERMS: frozenset[str] = frozenset("""
viagra cialis levitra tramadol xanax valium phentermine oxycodone propecia kamagra ambien adderall
vicodin clomid priligy sildenafil tadalafil vardenafil
casino casinos slots slot poker roulette blackjack jackpot jackpots spins betting sportsbook bingo
loan loans payday
""".split())
#: Two-word spam terms whose words are harmless alone.
EN_SPAM_BIGRAMS: frozenset[tuple[str, str]] = frozenset({
    ("cash", "advance"), ("fast", "cash"), ("debt", "relief"), ("bad", "credit"), ("slot", "machines"),
})
#: Hook words that carry the spam shape (imperatives, sales words): weight 1.
EN_STRONG_HOOKS: frozenset[str] = frozenset("""
buy order cheap cheapest discount discounted click visit bonus bonuses generic pills overnight
shipping coupon coupons promo deals
""".split())
#: Weaker hooks that also occur in ordinary news: weight 0.5. Words that are
#: hooks only in a pair (``same day``, ``real money``) are left to the pairs, so
#: a run does not swallow the sentence's own ``day`` or ``money`` next to it.
EN_WEAK_HOOKS: frozenset[str] = frozenset("""
online free best top rated legit guaranteed instant fast price prices sale now today play get uk usa
pharmacy tablets pill code codes
""".split())
#: Two-word hooks of weight 1 (``no prescription``, ``no deposit``).
EN_HOOK_BIGRAMS: frozenset[tuple[str, str]] = frozenset({
    ("no", "prescription"), ("without", "prescription"), ("no", "deposit"), ("no", "credit"),
    ("instant", "approval"), ("same", "day"), ("free", "spins"), ("free", "shipping"),
    ("real", "money"), ("best", "price"), ("credit", "check"), ("click", "here"),
})
#: Words that may sit inside an anchor text but never at its edges.
EN_CONNECTORS: frozenset[str] = frozenset("no without with for at in".split())
#: Stems of spam terms and hooks inside a domain name (``cheap-viagra24.com``).
EN_DOMAIN_TERMS: tuple[str, ...] = (
    "viagra", "cialis", "levitra", "tramadol", "xanax", "valium", "phentermine", "kamagra", "pharma",
    "meds", "pills", "casino", "slots", "poker", "roulette", "jackpot", "payday", "loan",
)
EN_DOMAIN_HOOKS: tuple[str, ...] = ("cheap", "best", "buy", "order", "discount", "online", "free", "top", "bonus")
_EN_DOMAIN_RE = re.compile(
    r"(?:https?://)?(?:www\.)?[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9-]+)*"
    r"\.(?:com|net|org|biz|info|us|co|uk|ru|pw|xyz|online|shop|club|top|site|io|me|cc|eu)"
    r"(?:/[^\s,;]*)?(?![a-z0-9-])",
    re.IGNORECASE,
)
_EN_TOKEN_RE = re.compile(
    _EN_DOMAIN_RE.pattern + r"|[A-Za-z]+(?:['’][A-Za-z]+)*|\d+(?:mg)?(?![A-Za-z0-9])", re.IGNORECASE
)
_EN_DOSE_RE = re.compile(r"\d+mg", re.IGNORECASE)


def _trie_pattern(words: set[str]) -> str:
    """A regex matching the same words as ``a|b|…``, factored by common prefixes.

    sre tries every branch of a flat alternation at every position; factored,
    one character picks the only branch that can match, which halves the scan
    of long English lines. (Which word wins at a position may differ from the
    flat alternation; callers only ask whether there is a match.)
    """
    trie: dict[str, dict] = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, dict]) -> str:
        alts = [re.escape(ch) + emit(sub) for ch, sub in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return "(?:" + body + ")?" if "" in node else body

    return emit(trie)


#: Lines without any of these substrings have no run to look at (cheap exit).
_EN_PREFILTER_RE = re.compile(
    _trie_pattern({*EN_SPAM_TERMS, *EN_DOMAIN_TERMS, "cash", "credit", "relief"}),
)  # matched against the lower-cased line: far faster than IGNORECASE
#: Words after which a noun phrase fits the grammar (determiners, prepositions,
#: pronouns, auxiliaries, verbs that take objects): a spam-looking run after
#: them is the sentence's own object, not glued text.
EN_LEFT_FIT: frozenset[str] = frozenset("""
a an the this that these those his her its their our your my some any no every each all both many
few more most much several such what which whose of for to in on at by with without from into onto
about than as like via per over under between against through during including about and or but nor
is are was were be been being am do does did has have had will would can could may might must shall
should not never also only just even still i you he she we they it who whom people players users
customers sites site said says say buy buys bought selling sell sells sold offer offers offered
offering promote promotes promoted promoting advertise advertises advertised advertising ban bans
banned banning legalise legalize legalised legalized regulate regulates regulated regulating play
plays played playing take takes took taking prescribe prescribes prescribed prescribing use uses used
using get gets got getting visit visits visited visiting order orders ordered ordering search searched
searching called call named dubbed became become labelled labeled marked found find finds made make
makes took saw see sees sent send gave give gives kept keep left brought bring paid pay put set told
won win lost ran meet met spent spend held hold chose choose want wants need needs like likes try tries
sought seek seeks
""".split())
#: Closed-class words that start a new constituent: a glued run is followed by one.
EN_RIGHT_RESUME: frozenset[str] = frozenset("""
and or but the a an in on at for with to from of as by after before while when where which who that
this these those its their his her our despite during since until because although though if so
""".split())
#: Function words counted to tell a prose sentence from a keyword line.
EN_FUNCTION: frozenset[str] = frozenset("""
the a an of to in on at for with from by and or but is are was were be been has have had that this it
its as will would can could not he she they we his her their said after before which who when
""".split())
#: Hook weight a run needs: between commas / glued on one side (after a
#: comma, before a word) / glued after a word.
EN_HOOKS_BETWEEN_COMMAS = 1.0
EN_HOOKS_GLUED = 1.5
EN_HOOKS_AFTER_WORD = 2.0
#: Imperatives: a run that starts with one right after a word may be the
#: sentence's own verb (``men buy cheap viagra online``), so it is kept there.
EN_VERB_HOOKS: frozenset[str] = frozenset("buy order get play visit click shop".split())
#: A line is prose when, without the cut spans, it keeps this many words and
#: this many distinct function words; keyword lines are left to the classifier.
EN_MIN_PROSE_WORDS = 6
EN_MIN_FUNCTION_WORDS = 2


def _en_kind(tok: str, prev: str | None, nxt: str | None) -> tuple[bool, float, bool]:
    """``(is a spam term, hook weight, may extend a run)`` of a lower-cased token."""
    if "." in tok and _EN_DOMAIN_RE.fullmatch(tok):  # a domain has a dot: skip the regex for words
        name = tok.lower()
        term = any(t in name for t in EN_DOMAIN_TERMS)
        hooks = sum(1 for h in EN_DOMAIN_HOOKS if h in name)
        if not term:
            return False, 0.0, False
        return True, (1.5 if hooks else 0.5), True
    term = tok in EN_SPAM_TERMS or (prev, tok) in EN_SPAM_BIGRAMS or (tok, nxt) in EN_SPAM_BIGRAMS
    if (prev, tok) in EN_HOOK_BIGRAMS:
        weight = 1.0
    elif tok in EN_STRONG_HOOKS or _EN_DOSE_RE.fullmatch(tok):
        weight = 1.0
    elif tok in EN_WEAK_HOOKS and (tok, nxt) not in EN_HOOK_BIGRAMS or (prev, tok) in EN_SPAM_BIGRAMS:
        weight = 0.5  # a sales pair (``bad credit``, ``cash advance``) is a weak hook too
    else:
        weight = 0.0
    extend = term or weight > 0 or tok in EN_CONNECTORS or (tok, nxt) in EN_HOOK_BIGRAMS
    return term, weight, extend


def _en_prose(text: str) -> bool:
    words = [w.lower() for w in re.findall(r"[A-Za-z]+(?:['’][A-Za-z]+)*", text)]
    return len(words) >= EN_MIN_PROSE_WORDS and len(set(words) & EN_FUNCTION) >= EN_MIN_FUNCTION_WORDS


def _en_listed(text: str, last: bool) -> bool:
    """True when the comma segment ending (``last``) or starting ``text`` next to
    a run names a spam term right at that comma: ``viagra, cheap cialis, and
    payday loans`` is a list the article itself gives."""
    toks = [m.group().lower() for m in _EN_TOKEN_RE.finditer(text[-80:] if last else text[:80])]
    if not last:
        toks = toks[1:] if toks and toks[0] in ("and", "or") else toks
    if not toks:
        return False
    order = range(len(toks) - 1, -1, -1) if last else range(len(toks))
    for k in order:
        term, weight, extend = _en_kind(toks[k], toks[k - 1] if k else None,
                                        toks[k + 1] if k + 1 < len(toks) else None)
        if term:
            return True
        if not extend:
            return False
    return False


def english_spam_spans(text: str) -> list[tuple[int, int]]:
    """Spam anchor text glued into an English sentence, with one separator.

    A *run* is a stretch of single-space separated tokens made of spam terms
    (``EN_SPAM_TERMS``, a spam domain), hooks and connectors, trimmed of
    connectors at its edges. A run is cut when it holds a spam term and:

    * it sits between ``, `` and ``,`` (or a sentence end) with hook weight of
      at least ``EN_HOOKS_BETWEEN_COMMAS``, and no neighbouring comma segment
      talks about spam terms too (an enumeration of them is the article's);
    * or it is glued on a side without a comma, with hook weight of at least
      ``EN_HOOKS_GLUED``, after a word that cannot take it as its object
      (``EN_LEFT_FIT``) and before a closed-class word (``EN_RIGHT_RESUME``)
      or punctuation.

    The span is the run plus the separator the injection added: ``run, ``
    between commas, ``run `` before a word, `` run`` / ``, run`` before a comma
    or a full stop. Runs at a sentence start, inside quotes or brackets are
    kept, and so is everything on a line that does not read as prose.
    """
    if not _EN_PREFILTER_RE.search(text.lower()):
        return []
    if not text.isascii() and _CJK_RE.search(text):
        latin = sum(1 for ch in text if _is_latin(ch))
        if latin < 4 * len(_CJK_RE.findall(text)):
            return []
    toks = list(_EN_TOKEN_RE.finditer(text))
    words = [m.group().lower().rstrip(".") if not ("." in m.group() and _EN_DOMAIN_RE.fullmatch(m.group()))
             else m.group().lower() for m in toks]
    kinds = [_en_kind(w, words[k - 1] if k else None, words[k + 1] if k + 1 < len(words) else None)
             for k, w in enumerate(words)]
    out: list[tuple[int, int]] = []
    k = 0
    while k < len(toks):
        if not kinds[k][2]:
            k += 1
            continue
        j = k
        while j + 1 < len(toks) and kinds[j + 1][2] and text[toks[j].end():toks[j + 1].start()] == " ":
            j += 1
        a, b = k, j
        while a <= b and words[a] in EN_CONNECTORS and not kinds[a][1] \
                and (words[a], words[a + 1] if a + 1 < len(words) else None) not in EN_HOOK_BIGRAMS:
            a += 1
        while b >= a and words[b] in EN_CONNECTORS and not kinds[b][1]:
            b -= 1
        k = j + 1
        if a > b or not any(kinds[x][0] for x in range(a, b + 1)):
            continue
        # an anchor starts at its imperative: hooks before it with no spam term
        # are the sentence's own words (``feel free Buy Viagra Online``) ...
        for v in range(a + 1, b + 1):
            if words[v] in EN_VERB_HOOKS and any(kinds[x][0] for x in range(v, b + 1)):
                if not any(kinds[x][0] for x in range(a, v)):
                    a = v
                break
        # ... and never ends with one (``… propecia pills get``)
        while b > a and words[b] in EN_VERB_HOOKS:
            b -= 1
        span = _en_cut(text, toks, words, a, b, sum(kinds[x][1] for x in range(a, b + 1)))
        if span:
            out.append(span)
    if out and not _en_prose(_cut_spans(text, out)):
        return []
    return out


def _cut_spans(text: str, spans: list[tuple[int, int]]) -> str:
    parts, prev = [], 0
    for s, e in spans:
        parts.append(text[prev:s])
        prev = e
    return "".join(parts + [text[prev:]])


def _en_cut(text: str, toks: list, words: list[str], a: int, b: int, hooks: float) -> tuple[int, int] | None:
    """The span to cut for the run ``toks[a..b]``, or None where it fits the sentence."""
    s, e = toks[a].start(), toks[b].end()
    before, after = text[:s], text[e:]
    if before.endswith(", ") or before.endswith("; "):
        left = "comma"
    elif before.endswith(" ") and a > 0 and toks[a - 1].end() == s - 1 and not text[s - 2].isdigit():
        left = "word"
    else:
        return None  # line or sentence start, quotes, brackets, dashes
    if after.startswith(", ") or after.startswith("; "):
        right = "comma"
    elif after[:1] in (".", "!", "?") and (len(after) == 1 or after[1] in " \"'”’)"):
        right = "stop"
    elif after.startswith(" ") and b + 1 < len(toks) and toks[b + 1].start() == e + 1:
        right = "word"
    else:
        return None
    if left == "word":
        prev = words[a - 1]
        if prev in EN_LEFT_FIT or prev.endswith(("ing", "ed")) or words[a] in EN_VERB_HOOKS:
            return None
        if hooks < EN_HOOKS_AFTER_WORD:
            return None
    if right == "word" and words[b + 1] not in EN_RIGHT_RESUME:
        return None
    if left == "comma" and right in ("comma", "stop"):
        if hooks < EN_HOOKS_BETWEEN_COMMAS:
            return None
        if _en_listed(before[:-2], last=True):
            return None
        if right == "comma":
            if _en_listed(after[2:], last=False):
                return None
            return s, e + 2
        return s - 2, e  # ", run." : the comma goes with it
    if hooks < EN_HOOKS_GLUED:
        return None
    if right == "word":
        return s, e + 1
    if left == "comma":  # ", run word" is handled above; ", run" before a comma/stop was too
        return None
    return s - 1, e  # "word run," / "word run."


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def _splits_title_word(text: str, start: int, end: int, title: str) -> bool:
    """True when a dictionary word of the title runs across a span boundary.

    Injected fragments are glued in at word boundaries of the real sentence, so
    a real span never cuts a word that continues outside it; a title word that
    genuinely occurs in the body ("…的数据中心" under a headline about a
    数据中心) does, and must stay.
    """
    for a in range(1, min(3, end - start) + 1):
        for b in range(1, 4):
            right = text[end - a:end + b]
            left = text[max(0, start - b):start + a]
            for word in (right, left):
                if len(word) >= 3 and word in title and _word_freq(word) > 0:
                    return True
    return False


def _drop_split_title_words(page: Page, found: dict[int, list[tuple[int, int]]],
                            sources: list[str]) -> dict[int, list[tuple[int, int]]]:
    title = "".join(sources)
    out: dict[int, list[tuple[int, int]]] = {}
    for li, spans in found.items():
        text = page.lines[li].text
        kept = [(s, e) for s, e in spans
                if "某某" in text[s:e] or not _splits_title_word(text, s, e, title)]
        if kept:
            out[li] = kept
    return out


#: Times one fragment must be found on a page (without a fake company) before any is cut.
MIN_FRAGMENT_REPEATS = 2
#: Share of a company-free page's cuts that must repeat another cut (see ``_drop_lone_fragment``).
MIN_RECURRING_SHARE = 0.5


def _drop_lone_fragment(page: Page, found: dict[int, list[tuple[int, int]]]) -> dict[int, list[tuple[int, int]]]:
    """Injectors reuse 4-8 fragments in a fixed cycle (and glue in a fake company),
    so most cuts on an injected lead repeat an earlier one. Where no company
    appears and fewer than ``MIN_RECURRING_SHARE`` of the found fragments
    recur, the article simply uses its title's words after commas (one title
    word happening to occur twice is not a cycle), so nothing is cut."""
    spans = [(li, s, e) for li, ss in found.items() for s, e in ss]
    texts = [page.lines[li].text[s:e] for li, s, e in spans]
    if any("某某" in t for t in texts):
        return found
    counts: dict[str, int] = {}
    for t in texts:
        counts[t] = counts.get(t, 0) + 1
    recurring = sum(n for n in counts.values() if n >= MIN_FRAGMENT_REPEATS)
    return found if texts and recurring >= MIN_RECURRING_SHARE * len(texts) else {}


def _drop_whole_title_words(found: dict[int, list[tuple[int, int]]],
                            cands: list[Candidate]) -> dict[int, list[tuple[int, int]]]:
    """A page whose every cut is a whole title word (one piece, on the title's word
    boundaries) and that has no fake company is an article about its title's
    subject: "龙湖集团" after "，" in a story headlined about 龙湖集团. Injectors walk
    the title and cut through its words ("作频" from "动作频频"), so an injected
    lead has at least one cut that is not a whole word, or a company."""
    by_span = {(c.line, c.start, c.end): c for c in cands}
    chosen = [by_span.get((li, s, e)) for li, spans in found.items() for s, e in spans]
    if not chosen or any(c is None or c.company or c.n_pieces != 1 or not c.aligned for c in chosen):
        return found
    return {}


#: Words of court reporting. Courts anonymise the parties of a case as ``<city>市某某…公司``,
#: the very shape injectors glue into text; on a page that reads as a court report
#: (``MIN_COURT_WORDS`` of these) such a company is a party to the case, not spam.
COURT_WORDS: tuple[str, ...] = ("法院", "原告", "被告", "判决", "审理", "诉称", "上诉", "本院", "裁定", "当事人",
                                "纠纷", "案件", "被执行人")
MIN_COURT_WORDS = 3


_SENTENCE_BREAK = re.compile("[。！？!?]")


def _company_in(text: str, start: int, end: int) -> re.Match | None:
    """The ``某某`` company inside ``text[start:end]``, split where its city is a known one
    (the regex's city group would also take a glued fragment: "力超资阳市…")."""
    first = None
    for k in range(start, end):
        m = COMPANY_RE.match(text, k, end)
        if m:
            if m.group(1) in _CITY_SET:
                return m
            first = first or m
    return first


def _drop_court_parties(page: Page, found: dict[int, list[tuple[int, int]]],
                        eligible: list[int]) -> dict[int, list[tuple[int, int]]]:
    """``found`` without the spans that hold a ``某某`` company in a sentence about the case,
    on a court report's page. Both must hold: one sentence about a lawsuit on an injected
    page spares only the companies glued into that sentence."""
    texts = [page.lines[li].text for li in eligible]
    if sum(1 for word in COURT_WORDS if any(word in t for t in texts)) < MIN_COURT_WORDS:
        return found

    def about_the_case(text: str, s: int, e: int) -> bool:
        starts = [m.end() for m in _SENTENCE_BREAK.finditer(text, 0, s)]
        end = _SENTENCE_BREAK.search(text, e)
        sentence = text[starts[-1] if starts else 0:end.start() if end else len(text)]
        return any(word in sentence for word in COURT_WORDS)

    kept: dict[int, list[tuple[int, int]]] = {}
    for li, spans in found.items():
        text = page.lines[li].text
        for s, e in spans:
            company = _company_in(text, s, e)
            if company is None or not about_the_case(text, s, e):
                kept.setdefault(li, []).append((s, e))
                continue
            # the party stays, and a piece of the case's own words beside it ("判决被告"); another
            # title fragment glued on beside it is still cut
            for a, b in ((s, company.start()), (company.end(), e)):
                if b > a and not any(word in text[a:b] for word in COURT_WORDS):
                    kept.setdefault(li, []).append((a, b))
    return kept


def predict_spans(page: Page, detector: SpanDetector | None,
                  eligible: list[int] | None = None) -> dict[int, list[tuple[int, int]]]:
    """Injected spans per line index, without touching the page."""
    eligible = eligible_lines(page) if eligible is None else eligible
    lm = detector.char_lm if detector is not None else None
    cands, X, _ = page_candidates(page, lm, eligible)
    found: dict[int, list[tuple[int, int]]] = {}
    if cands:
        if detector is not None:
            scores, thr = detector.predict_proba(X)[:, -1], detector.threshold
        else:
            scores, thr = rule_scores(cands, X), 0.5
        frags = [page.lines[c.line].text[c.start:c.frag_end] for c in cands]
        found = choose_spans(cands, scores, thr, frags if detector is not None else None)
        found = _drop_split_title_words(page, found, title_sources(page, eligible))
        found = _drop_lone_fragment(page, found)
        found = _drop_whole_title_words(found, cands)
        if any("某某" in page.lines[li].text for li in found):
            found = _drop_court_parties(page, found, eligible)
    gambling = {li: ms for li in eligible if _has_cjk(page.lines[li].text)
                if (ms := list(GAMBLING_RE.finditer(page.lines[li].text)))}
    ads_on_page = any(is_gambling_ad(m) for ms in gambling.values() for m in ms)
    for li, ms in gambling.items():
        if g := _gambling_kept(ms, ads_on_page):
            found[li] = _merge(found.get(li, []) + g)
    for li, spans in form_spans(page, eligible).items():
        found[li] = _merge(found.get(li, []) + [(s, e) for s, e, _ in spans])
    for k in _prefiltered_english([page.lines[li].text for li in eligible]):
        en = english_spam_spans(page.lines[eligible[k]].text)
        if en:
            found[eligible[k]] = _merge(found.get(eligible[k], []) + en)
    return found


def _prefiltered_english(texts: list[str]) -> list[int]:
    """Indices of the texts that pass ``english_spam_spans``'s prefilter, in order.

    One scan of the page instead of one per line: most pages have no match at
    all, and the others only a few lines that do. No prefilter word holds a
    newline, so a match of the joined text lies inside one line.
    """
    lows = [t.lower() for t in texts]
    joined = "\n".join(lows)
    first = _EN_PREFILTER_RE.search(joined)
    if not first:
        return []
    starts, acc = [], 0
    for low in lows:
        starts.append(acc)
        acc += len(low) + 1
    hit = {bisect.bisect_right(starts, m.start()) - 1
           for m in _EN_PREFILTER_RE.finditer(joined, first.start())}
    return sorted(hit)


def detect_spans(page: Page, detector: SpanDetector | None) -> Page:
    """Mark injected spans on body/spam lines of a classified page (in place; returns it).

    A body line with spans becomes ``label="spam"`` with ``spans`` set and
    ``repair_reason="spam_span"``; its cleaned text keeps the sentence. A line
    whose spans cover nearly all of it, or that the classifier already called
    spam, is a whole spam line (spans dropped, ``repair_reason="spam_line"``).
    Lines the classifier called spam and that have no spans stay spam.

    Parameters
    ----------
    page : Page
        A page after classification and repair (``line.label`` set); on an
        unlabelled page, gold labels are used.
    detector : SpanDetector or None
        None selects the conservative rule mode (``rule_scores``): fragments
        with a glued fake company and recurring non-word title fragments only.
    """
    found = predict_spans(page, detector)
    for li, spans in found.items():
        line = page.lines[li]
        covered = sum(e - s for s, e in spans)
        # the classifier's own spam lines are whole spam (it learns injected sentences as
        # body): a span inside one must not keep the rest, as in "澳门新葡京官方入口 注册送88元"
        whole = line.label == "spam"
        line.label = "spam"
        if whole or covered >= WHOLE_LINE_SHARE * len(line.text.strip()):
            line.spans = []
            line.repair_reason = "spam_line"
        else:
            line.spans = spans
            line.repair_reason = "spam_span"
    return page
