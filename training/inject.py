"""Spam generator: inject title fragments and fake companies into clean pages.

Content-farm mirrors (see ../shared/seeds/000 and 004) keep the article and
glue 2-4 character fragments of its own title, plus a
``<city>市某某<industry><suffix>`` company, into the sentences of the lead. This
module reproduces that, with the distributions read off those pages, so the
span detector can be trained and measured on pages whose injected spans are
known exactly:

* fragments are one or two contiguous title pieces kept in title order
  (``甲I巨`` = 甲 + I巨); pieces are CJK runs that may take one Latin letter
  next to a CJK character, never a whole Latin word; a page uses a cycle of
  4-8 fragments that walks through the title;
* slots: after ``，``/``。`` (``SLOT_RATES``), after ``的``, rarely elsewhere; never
  inside numbers or Latin words, never before punctuation or a closing quote;
* only the lead: the first 150-450 characters, or only the first sentence;
* the company is glued after the third fragment of the cycle, most of the time.

``inject_forms`` writes the cheaper marks other mirrors leave in the lead: a
pinyin gloss after characters (``現(xiàn)``, ``新(xin)(xin)``), emoji or symbols
before punctuation, doubled punctuation (``,，`` ``，。`` ``。，``).

``inject_english`` glues English pharma/casino/loan anchor texts and spam
domains into English sentences (``…on Monday, buy cheap viagra online, after…``).

``spam_lines`` writes whole-line spam (gambling, porn, lottery, contact spam,
keyword-stuffed titles, mojibake; English pharma/casino/loan lines) from
templates and word lists in ``training.spam_words``.
"""
from __future__ import annotations

import copy
import random

from model.records import Line, Page
from model.spans import (
    FORMS, PREFECTURE_CITIES, TRAD_PINYIN, _is_cjk, _is_digit, _is_latin, headline_index, valid_piece,
)
from training import spam_words as W

#: Probability that a slot of each kind gets a fragment.
SLOT_RATES = {"comma": 0.6, "stop": 0.6, "de": 0.7, "semi": 0.3, "start": 0.03, "other": 0.01}
#: Fragments in a page's cycle.
CYCLE_SIZE = (4, 8)
#: Fragment length weights for 2, 3 and 4 characters.
LENGTH_WEIGHTS = (0.45, 0.25, 0.30)
#: Share of fragments made of two title pieces.
TWO_PIECE_SHARE = 0.5
#: Lead zone length in characters of the original text.
ZONE_CHARS = (150, 450)
#: Share of pages where only the first sentence is touched.
FIRST_SENTENCE_SHARE = 0.2
#: Minimum characters of original text between two insertions.
MIN_GAP = 3
#: Cycle position the company follows, and how often it is glued there.
COMPANY_AFTER = 2
COMPANY_RATE = 0.75
#: Share of pages that get no company at all.
NO_COMPANY_SHARE = 0.1

_NO_BEFORE = set("，。、；：！？,.;:!?）)”’」』》】\"'…—·-/%")
_STOPS = "。！？!?"


def make_company(rng: random.Random) -> str:
    """A fake company: ``<prefecture city>市某某<industry><suffix>``."""
    return (rng.choice(PREFECTURE_CITIES) + "市某某" + rng.choice(W.INDUSTRIES)
            + rng.choice(W.COMPANY_SUFFIXES_GEN))


def _pieces_at(title: str, i: int, length: int) -> str | None:
    j = i + length
    if j > len(title) or not valid_piece(title, i, j):
        return None
    return title[i:j]


def make_cycle(title: str, rng: random.Random, size: int | None = None) -> list[str]:
    """Fragments cut from ``title``, walking through it as the content farms do.

    Each fragment starts where the previous one started plus its first piece;
    a second piece, when there is one, comes from further along the title.
    Returns an empty list when the title has too few CJK characters.
    """
    cjk = [k for k, ch in enumerate(title) if _is_cjk(ch)]
    if len(cjk) < 4:
        return []
    size = size or rng.randint(*CYCLE_SIZE)
    out: list[str] = []
    ptr = rng.choice(cjk[: max(1, len(cjk) // 2)])
    attempts = 0
    while len(out) < size and attempts < 200:
        attempts += 1
        if ptr >= len(title) - 1:
            ptr = rng.choice(cjk[: max(1, len(cjk) // 2)])
        length = rng.choices((2, 3, 4), LENGTH_WEIGHTS)[0]
        frag = None
        if rng.random() < TWO_PIECE_SHARE:
            first = rng.randint(1, length - 1)
            a = _pieces_at(title, ptr, first)
            if a:
                q = ptr + first + rng.randint(1, 6)
                b = _pieces_at(title, q, length - first)
                if b:
                    frag, step = a + b, first
        if frag is None:
            frag = _pieces_at(title, ptr, length)
            step = max(1, length - rng.randint(0, 1))
        if frag is None or frag in out or not any(_is_cjk(ch) for ch in frag):
            ptr += 1
            continue
        out.append(frag)
        ptr += step
    return out


def _slot_kind(text: str, p: int) -> str | None:
    """Kind of the insertion point before ``text[p]`` (``p == len`` is the line end)."""
    nxt = text[p] if p < len(text) else ""
    prev = text[p - 1] if p > 0 else ""
    if nxt in _NO_BEFORE and nxt:
        return None
    if not nxt:
        return "stop" if prev in _STOPS else None
    if not prev:
        return "start"
    if (_is_latin(prev) or _is_digit(prev)) and (_is_latin(nxt) or _is_digit(nxt)):
        return None
    if prev in "，,":
        return "comma"
    if prev in _STOPS:
        return "stop"
    if prev in "、；：;:":
        return "semi"
    if prev == "的":
        return "de"
    if _is_cjk(prev) and _is_cjk(nxt):
        return "other"
    return None


def _first_sentence_end(text: str) -> int:
    for k, ch in enumerate(text):
        if ch in _STOPS:
            return k + 1
    return len(text)


def inject_page(page: Page, rng: random.Random) -> Page:
    """A deep copy of ``page`` with title fragments and a company injected in its lead.

    Body lines are those with ``gold == "body"``. Touched lines get
    ``gold = "spam"`` and exact ``gold_spans`` (offsets into the new text; a
    fragment with its glued company is one span). ``title`` is set on the copy
    (``page.title`` or, failing that, the first body line). A page whose title
    yields no fragments comes back unchanged apart from the title.
    """
    new = copy.deepcopy(page)
    body = [i for i, ln in enumerate(new.lines) if ln.gold == "body"]
    if not new.title and body:
        new.title = new.lines[body[0]].text
    title = new.title or ""
    cycle = make_cycle(title, rng)
    if not cycle or not body:
        return new
    company = None if rng.random() < NO_COMPANY_SHARE else make_company(rng)
    company_after = COMPANY_AFTER if len(cycle) > COMPANY_AFTER else len(cycle) - 1
    budget = rng.randint(*ZONE_CHARS)
    first_sentence = rng.random() < FIRST_SENTENCE_SHARE
    n_insert, since = 0, MIN_GAP
    head = headline_index(new.lines, body, title)
    for i in body:
        if budget <= 0:
            break
        if head is not None and i <= head:
            continue
        line = new.lines[i]
        text = line.text
        limit = min(len(text), budget)
        if first_sentence:
            limit = min(limit, _first_sentence_end(text))
        out, spans, pos = [], [], 0
        for p in range(0, limit + 1):
            if p > 0:
                since += 1
            kind = _slot_kind(text, p) if p < len(text) or p == limit else None
            if kind is None or since < MIN_GAP or rng.random() >= SLOT_RATES[kind]:
                continue
            frag = cycle[n_insert % len(cycle)]
            if company and n_insert % len(cycle) == company_after and rng.random() < COMPANY_RATE:
                frag += company
            out.append(text[pos:p])
            start = sum(len(x) for x in out)
            out.append(frag)
            spans.append((start, start + len(frag)))
            pos = p
            n_insert += 1
            since = 0
        budget -= limit
        if spans:
            out.append(text[pos:])
            line.text = "".join(out)
            line.gold = "spam"
            line.gold_spans = spans
        if first_sentence and limit < len(text):
            break
    return new


# ------------------------------------------------------------------ other in-sentence forms
#: Per-opportunity insertion rate range of each form (drawn once per page):
#: characters with a known reading (pinyin), ``，``/``。`` after a word (symbol,
#: punct).
FORM_RATES = {"pinyin": (0.3, 0.7), "symbol": (0.4, 0.8), "punct": (0.4, 0.8)}
#: How a pinyin gloss is written: traditional form + toned gloss (``現(xiàn)``),
#: the gloss twice without tones (``新(xin)(xin)``), or one toned gloss.
PINYIN_STYLES = {"traditional": 0.4, "repeated": 0.35, "plain": 0.25}
_TONE_FREE = str.maketrans("āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ", "aaaaeeeeiiiioooouuuuüüüü")
_MARK_AFTER_WORD = "，。"


def _gloss(char: str, rng: random.Random) -> tuple[str, str]:
    """(possibly replaced character, gloss) for a character of ``TRAD_PINYIN``."""
    trad, reading = TRAD_PINYIN[char]
    style = rng.choices(list(PINYIN_STYLES), list(PINYIN_STYLES.values()))[0]
    paren = "(" if rng.random() < 0.8 else "（"
    close = ")" if paren == "(" else "）"
    if style == "traditional":
        return trad, f"{paren}{reading}{close}"
    if style == "repeated":
        plain = reading.translate(_TONE_FREE)
        return char, f"{paren}{plain}{close}" * 2
    return char, f"{paren}{reading}{close}"


def _form_insertions(text: str, limit: int, form: str, rate: float, rng: random.Random,
                     taken: set[int]) -> list[tuple[int, str, str | None]]:
    """Insertions ``(position, inserted text, replacement of the character before)``.

    ``taken`` holds the positions of spans already injected; nothing is glued
    onto them.
    """
    out: list[tuple[int, str, str | None]] = []
    for p in range(1, limit):
        ch, prev = text[p], text[p - 1]
        nxt = text[p + 1] if p + 1 < len(text) else ""
        if p in taken or p - 1 in taken or p + 1 in taken:
            continue
        if form == "pinyin":
            if ch in TRAD_PINYIN and nxt not in "(（" and rng.random() < rate:
                new, gloss = _gloss(ch, rng)
                out.append((p + 1, gloss, new))
        elif ch in _MARK_AFTER_WORD and (_is_cjk(prev) or prev.isalnum()) and rng.random() < rate:
            if form == "symbol":
                sym = "".join(rng.choice(W.SPAM_SYMBOLS) for _ in range(rng.choice((1, 1, 1, 2))))
                out.append((p, sym, None))
            elif nxt and nxt not in _NO_BEFORE and (ch == "，" or rng.random() < 0.5):
                # a comma before the mark (，， / ,。), the doubled one being the first
                out.append((p, rng.choice((",", "，")), None))
            elif nxt and nxt not in _NO_BEFORE and (_is_cjk(nxt) or nxt.isalnum()):
                out.append((p + 1, rng.choice((",", "，")), None))  # 。, : the comma after
    return out


def inject_forms(page: Page, rng: random.Random, form: str) -> Page:
    """A deep copy of ``page`` with one of ``FORMS`` injected into its lead.

    Like ``inject_page``: body lines after the headline, the first
    ``ZONE_CHARS`` characters; touched lines get ``gold = "spam"`` and exact
    ``gold_spans`` (the gloss, the symbols, the extra comma). A page that
    ``inject_page`` already touched can be marked too (mirrors do both): its
    spam lines are used, their spans shifted, and nothing is glued onto them.
    A traditional form written for a pinyin gloss replaces its character and
    is not part of the span (cutting the span leaves ``現``, which reads).

    Raises
    ------
    ValueError
        For a ``form`` not in ``FORMS``.
    """
    if form not in FORMS:
        raise ValueError(f"unknown form {form!r}; expected one of {FORMS}")
    new = copy.deepcopy(page)
    body = [i for i, ln in enumerate(new.lines) if ln.gold in ("body", "spam")]
    if not new.title and body:
        new.title = new.lines[body[0]].text
    head = headline_index(new.lines, body, new.title or "")
    budget = rng.randint(*ZONE_CHARS)
    rate = rng.uniform(*FORM_RATES[form])
    for i in body:
        if budget <= 0:
            break
        if head is not None and i <= head:
            continue
        line = new.lines[i]
        text = line.text
        limit = min(len(text), budget)
        budget -= limit
        taken = {k for s, e in line.gold_spans for k in range(s, e)}
        ins = _form_insertions(text, limit, form, rate, rng, taken)
        if not ins:
            continue
        chars = list(text)
        for p, _, repl in ins:
            if repl is not None:
                chars[p - 1] = repl
        text = "".join(chars)
        out, spans, pos, shift = [], [], 0, 0
        for p, piece, _ in ins:
            out.append(text[pos:p])
            start = p + shift
            out.append(piece)
            spans.append((start, start + len(piece)))
            shift += len(piece)
            pos = p
        out.append(text[pos:])
        old = [(s + _shift_at(ins, s), e + _shift_at(ins, s)) for s, e in line.gold_spans]
        line.text = "".join(out)
        line.gold = "spam"
        line.gold_spans = sorted(old + spans)
    return new


def _shift_at(ins: list[tuple[int, str, str | None]], pos: int) -> int:
    """Characters inserted before position ``pos`` of the text before insertion."""
    return sum(len(piece) for p, piece, _ in ins if p <= pos)


def page_from_lines(lines: list[str], *, id: str, title: str | None = None, lang: str = "zh") -> Page:
    """A labelled page of body lines (as gold text gives them), for injection and training."""
    return Page(id=id, title=title, lang=lang,
                lines=[Line(text=t, n=k + 1, gold="body") for k, t in enumerate(lines)])


# ------------------------------------------------------------------ English glued anchors
#: Where an English anchor is glued, and how often: after ``, `` (``anchor, ``),
#: between two words (``anchor ``), before a comma (`` anchor``), before the
#: sentence's full stop (``, anchor`` or `` anchor``).
EN_SLOT_WEIGHTS = {"comma": 0.5, "word": 0.25, "before_comma": 0.1, "stop": 0.15}
#: Share of prose lines of a page that get an anchor (drawn once per page).
EN_LINE_RATE = (0.3, 0.7)
#: Anchors per touched line: one, sometimes two.
EN_PER_LINE = (1, 1, 1, 2)
#: At most this many lines of a page are touched.
EN_MAX_LINES = 6
#: A line is prose (and may be touched) with this many words.
EN_MIN_WORDS = 8
#: Minimum characters between two anchors of one line.
EN_MIN_GAP = 15
#: Share of anchors written in title case (``Buy Cheap Viagra``).
EN_TITLE_CASE = 0.15


def make_spam_domain(rng: random.Random) -> str:
    """A made-up spam domain: ``cheapviagra24.com``, ``best-casino.net``, ``www.toploans.co.uk``."""
    hook, stem = rng.choice(W.EN_DOMAIN_HOOKS), rng.choice(W.EN_DOMAIN_STEMS)
    name = hook + rng.choice(("", "", "-")) + stem + (str(rng.randint(1, 999)) if rng.random() < 0.4 else "")
    return ("www." if rng.random() < 0.3 else "") + name + "." + rng.choice(W.EN_DOMAIN_TLDS)


def make_english_anchor(rng: random.Random) -> str:
    """One pharma, casino, loan or URL anchor text from ``training.spam_words``."""
    pool = rng.choices((W.EN_PHARMA_ANCHORS, W.EN_CASINO_ANCHORS, W.EN_LOAN_ANCHORS, W.EN_URL_ANCHORS),
                       (0.35, 0.25, 0.2, 0.2))[0]
    text = rng.choice(pool).format(drug=rng.choice(W.EN_PHARMA), dose=rng.choice(W.EN_DOSES),
                                   game=rng.choice(W.EN_GAMES), domain=make_spam_domain(rng))
    if rng.random() < EN_TITLE_CASE:
        text = " ".join(w if "." in w else w[:1].upper() + w[1:] for w in text.split())
    return text


def _english_slots(text: str) -> list[tuple[int, str]]:
    """``(position, kind)`` insertion points of an English line (see ``EN_SLOT_WEIGHTS``)."""
    out = []
    n = len(text)
    for p in range(2, n):
        prev, cur = text[p - 1], text[p]
        if text[p - 2:p] == ", " and cur.isalpha():
            out.append((p, "comma"))
        elif prev == " " and cur.isalpha() and text[p - 2].isalpha():
            out.append((p, "word"))
        elif cur == "," and prev.isalpha() and p + 1 < n and text[p + 1] == " ":
            out.append((p, "before_comma"))
        elif cur in ".!?" and prev.isalpha() and (p + 1 == n or text[p + 1] == " ") and p > n // 2:
            out.append((p, "stop"))
    return out


def inject_english(page: Page, rng: random.Random) -> Page:
    """A deep copy of an English ``page`` with spam anchor texts glued into its sentences.

    Body lines after the first (the headline) with at least ``EN_MIN_WORDS``
    words may be touched; each touched line gets one or two anchors at slots
    drawn by ``EN_SLOT_WEIGHTS``, ``gold = "spam"`` and exact ``gold_spans``:
    the anchor plus the one separator the insertion added (``anchor, `` after a
    comma, ``anchor `` between words, `` anchor`` before a comma, ``, anchor``
    or `` anchor`` before the full stop), so cutting a span gives back the
    original line.
    """
    new = copy.deepcopy(page)
    body = [i for i, ln in enumerate(new.lines) if ln.gold == "body"]
    rate = rng.uniform(*EN_LINE_RATE)
    touched = 0
    for i in body[1:]:
        if touched >= EN_MAX_LINES:
            break
        line = new.lines[i]
        text = line.text
        if len(text.split()) < EN_MIN_WORDS or rng.random() >= rate:
            continue
        slots = _english_slots(text)
        if not slots:
            continue
        chosen: list[tuple[int, str]] = []
        for _ in range(rng.choice(EN_PER_LINE)):
            kinds = sorted({k for _, k in slots})
            kind = rng.choices(kinds, [EN_SLOT_WEIGHTS[k] for k in kinds])[0]
            p, kind = rng.choice([s for s in slots if s[1] == kind])
            if all(abs(p - q) >= EN_MIN_GAP for q, _ in chosen):
                chosen.append((p, kind))
        out, spans, pos = [], [], 0
        for p, kind in sorted(chosen):
            anchor = make_english_anchor(rng)
            piece = {"comma": anchor + ", ", "word": anchor + " ", "before_comma": " " + anchor,
                     "stop": (", " if rng.random() < 0.7 else " ") + anchor}[kind]
            out.append(text[pos:p])
            start = sum(len(x) for x in out)
            out.append(piece)
            spans.append((start, start + len(piece)))
            pos = p
        out.append(text[pos:])
        line.text = "".join(out)
        line.gold = "spam"
        line.gold_spans = spans
        touched += 1
    return new


# ------------------------------------------------------------------ hard negatives
def legit_mouzhou_line(rng: random.Random) -> str:
    """A court-judgment style sentence with a legitimately anonymised ``某某`` company.

    These are body text; the detector must leave them alone.
    """
    city = rng.choice(PREFECTURE_CITIES)
    firm = f"{city}市某某{rng.choice(W.INDUSTRIES)}{rng.choice(('有限公司', '有限责任公司'))}"
    person = rng.choice("张王李赵刘陈杨黄周吴") + "某某"
    templates = (
        "原告{firm}诉称，{person}于2019年3月向其借款20万元，至今未还。",
        "经审理查明，被告{person}系{firm}的法定代表人，负责公司日常经营。",
        "本院认为，{firm}与{person}之间的买卖合同关系合法有效，双方均应依约履行。",
        "上诉人{firm}因与被上诉人{person}劳动争议一案，不服一审判决，提起上诉。",
        "据办案民警介绍，{person}曾在{firm}任职，案发后已被依法刑事拘留。",
    )
    return rng.choice(templates).format(firm=firm, person=person)


# ------------------------------------------------------------------ whole-line spam
def _zh_gambling(rng: random.Random) -> str:
    brand, pinyin = rng.choice(W.GAMBLING_BRANDS)
    parts = [brand + (pinyin if rng.random() < 0.5 else "") + rng.choice(W.GAMBLING_TAILS)]
    parts += rng.sample(W.ZH_VICE[:10], 2) + [rng.choice(W.ZH_HOOKS)]
    rng.shuffle(parts)
    return rng.choice(("-", "_", "|", "，", " ")).join(parts)


def _zh_porn(rng: random.Random) -> str:
    words = rng.sample(W.ZH_VICE[10:], 4)
    return "".join(words[:2]) + rng.choice(("_", "-", "")) + "".join(words[2:]) + rng.choice(("在线观看", "免费看", "最新地址"))


def _zh_stuffed_title(rng: random.Random) -> str:
    words = rng.sample(W.ZH_VICE, 5)
    return "…".join(words[:2]) + "…" + "_".join(words[2:]) + "_" + rng.choice(("精品", "在线", "高清")) + "…"


def _zh_contact(rng: random.Random) -> str:
    digits = "".join(rng.choice("0123456789") for _ in range(rng.randint(6, 9)))
    offer = rng.choice(("代办信用卡", "高仿手表", "兼职刷单日结", "贷款不看征信", "出售手机卡", "代开发票"))
    contact = rng.choice(("加微信", "加V", "QQ", "薇信", "扣扣"))
    return f"{offer}，{rng.choice(W.ZH_HOOKS)}，{contact}：{rng.choice(('wx', 'vx', ''))}{digits}"


def _zh_lottery(rng: random.Random) -> str:
    return (f"{rng.choice(('重庆', '北京', '广东', '幸运'))}{rng.choice(W.ZH_VICE[:5])}"
            f"{rng.choice(('计划', '走势图', '开奖结果', '在线投注'))}{rng.choice(W.ZH_HOOKS)}"
            f"{rng.randint(100, 999)}期")


def _zh_quack_ad(rng: random.Random) -> str:
    condition = rng.choice(W.ZH_QUACK_CONDITIONS)
    if rng.random() < 0.3:
        condition += rng.choice("、-") + rng.choice(W.ZH_QUACK_CONDITIONS)
    text = condition + rng.choice(("--", "-", "——", "：", "，", "")) + rng.choice(W.ZH_QUACK_CLAIMS)
    if rng.random() < 0.4:
        text += rng.choice(W.ZH_QUACK_HOOKS)
    decor = rng.choice(W.ZH_DECOR) if rng.random() < 0.6 else ""
    return decor + text + (decor if rng.random() < 0.5 else "")


def _mojibake(rng: random.Random) -> str:
    pool = W.GBK_AS_LATIN1_CHARS if rng.random() < 0.5 else W.MOJIBAKE_CHARS
    return "".join(rng.choice(pool + "?? ") for _ in range(rng.randint(20, 60)))


def _en_keywords(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.4:
        drugs = rng.sample(W.EN_PHARMA, 3)
        return " ".join(f"{rng.choice(W.EN_HOOKS)} {d}" for d in drugs) + f" {rng.choice(W.EN_HOOKS)}"
    pool = W.EN_CASINO if kind < 0.7 else W.EN_LOANS
    words = rng.sample(pool, 3)
    sep = rng.choice((", ", " | ", " - ", " "))
    return sep.join(words) + sep + rng.choice(W.EN_HOOKS) + f" {rng.randint(2, 30)}0% bonus"


_ZH_KINDS = (_zh_gambling, _zh_porn, _zh_stuffed_title, _zh_contact, _zh_lottery, _zh_quack_ad, _mojibake)


def spam_lines(lang: str, rng: random.Random, n: int) -> list[str]:
    """``n`` whole-line spam examples in ``lang`` ("zh" or "en"), from templates.

    Raises
    ------
    ValueError
        For a language other than "zh" or "en".
    """
    if lang == "zh":
        return [rng.choice(_ZH_KINDS)(rng) for _ in range(n)]
    if lang == "en":
        return [_en_keywords(rng) if rng.random() < 0.9 else _mojibake(rng) for _ in range(n)]
    raise ValueError(f"unknown language {lang!r}; expected 'zh' or 'en'")
